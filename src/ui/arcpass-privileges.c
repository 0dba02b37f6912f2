/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "arcpass-privileges.h"

typedef struct {
  const char *privilege;
  ArcpassPrivilegeGroup group;
  const char *name;
} KnownPrivilege;

/* The strings of arcgis-protocol.md §7 (Esri's privilege list), with the
 * names Esri's own pages use for them where there is one. */
static const KnownPrivilege known[] = {
  { "premium:user:basemaps", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Basemaps") },
  { "portal:apikey:basemaps", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Basemaps (older API keys)") },
  { "premium:user:staticbasemaptiles", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Static basemap tiles") },
  { "premium:user:staticMaps", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Static maps") },
  { "premium:user:geocode", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Geocoding") },
  { "premium:user:geocode:temporary", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Geocoding (not stored)") },
  { "premium:user:geocode:stored", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Geocoding (stored)") },
  { "premium:user:places", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Places") },
  { "premium:user:networkanalysis", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Network analysis") },
  { "premium:user:networkanalysis:routing", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Routing") },
  { "premium:user:networkanalysis:optimizedrouting", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Optimized routing") },
  { "premium:user:networkanalysis:closestfacility", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Closest facility") },
  { "premium:user:networkanalysis:servicearea", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Service areas") },
  { "premium:user:networkanalysis:locationallocation", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Location-allocation") },
  { "premium:user:networkanalysis:vehiclerouting", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Vehicle routing") },
  { "premium:user:networkanalysis:origindestinationcostmatrix", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Origin-destination cost matrix") },
  { "premium:user:elevation", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Elevation") },
  { "premium:user:demographics", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Demographics") },
  { "premium:user:geoenrichment", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("GeoEnrichment") },
  { "premium:user:featurereport", ARCPASS_PRIVILEGE_GROUP_LOCATION, N_("Infographic reports") },
  { "premium:user:spatialanalysis", ARCPASS_PRIVILEGE_GROUP_ANALYSIS, N_("Spatial analysis") },
  { "premium:publisher:geoanalytics", ARCPASS_PRIVILEGE_GROUP_ANALYSIS, N_("GeoAnalytics") },
  { "premium:publisher:rasteranalysis", ARCPASS_PRIVILEGE_GROUP_ANALYSIS, N_("Raster analysis") },
  { "portal:user:createGroup", ARCPASS_PRIVILEGE_GROUP_PORTAL, N_("Create groups") },
  { "portal:user:createItem", ARCPASS_PRIVILEGE_GROUP_PORTAL, N_("Create content") },
  { "portal:user:joinGroup", ARCPASS_PRIVILEGE_GROUP_PORTAL, N_("Join groups") },
  { "portal:user:joinNonOrgGroup", ARCPASS_PRIVILEGE_GROUP_PORTAL, N_("Join groups outside the organization") },
  { "portal:user:shareToGroup", ARCPASS_PRIVILEGE_GROUP_PORTAL, N_("Share with groups") },
  { "portal:user:shareToOrg", ARCPASS_PRIVILEGE_GROUP_PORTAL, N_("Share with the organization") },
  { "portal:user:sharePublic", ARCPASS_PRIVILEGE_GROUP_PORTAL, N_("Share publicly") },
  { "portal:user:viewOrgItems", ARCPASS_PRIVILEGE_GROUP_PORTAL, N_("View organization content") },
  { "portal:user:viewOrgGroups", ARCPASS_PRIVILEGE_GROUP_PORTAL, N_("View organization groups") },
  { "portal:user:viewOrgUsers", ARCPASS_PRIVILEGE_GROUP_PORTAL, N_("View organization members") },
  { "portal:publisher:publishFeatures", ARCPASS_PRIVILEGE_GROUP_PUBLISHING, N_("Publish hosted feature layers") },
  { "portal:publisher:publishTiles", ARCPASS_PRIVILEGE_GROUP_PUBLISHING, N_("Publish hosted tile layers") },
  { "portal:publisher:publishScenes", ARCPASS_PRIVILEGE_GROUP_PUBLISHING, N_("Publish hosted scene layers") },
  { "portal:admin:*", ARCPASS_PRIVILEGE_GROUP_ADMIN, N_("All administrative privileges") },
};

const char *
arcpass_privilege_group_title (ArcpassPrivilegeGroup group)
{
  switch (group)
    {
    case ARCPASS_PRIVILEGE_GROUP_LOCATION:
      return _("Location Services");
    case ARCPASS_PRIVILEGE_GROUP_ANALYSIS:
      return _("Analysis");
    case ARCPASS_PRIVILEGE_GROUP_PORTAL:
      return _("Portal");
    case ARCPASS_PRIVILEGE_GROUP_PUBLISHING:
      return _("Publishing");
    case ARCPASS_PRIVILEGE_GROUP_ADMIN:
      return _("Administration");
    case ARCPASS_PRIVILEGE_GROUP_OTHER:
    case ARCPASS_N_PRIVILEGE_GROUPS:
    default:
      return _("Other");
    }
}

/* "createNotebooks" -> "Create notebooks", "*" -> the raw string: a name
 * that reads better than the raw string for privileges Esri adds later. */
static char *
name_from_segment (const char *privilege)
{
  const char *segment = strrchr (privilege, ':');
  GString *name = g_string_new (NULL);

  segment = segment ? segment + 1 : privilege;
  if (*segment == '\0' || !g_ascii_isalpha (*segment))
    {
      g_string_free (name, TRUE);
      return g_strdup (privilege);
    }

  for (const char *p = segment; *p; p++)
    {
      if (p == segment)
        g_string_append_c (name, g_ascii_toupper (*p));
      else if (g_ascii_isupper (*p))
        {
          g_string_append_c (name, ' ');
          g_string_append_c (name, g_ascii_tolower (*p));
        }
      else
        g_string_append_c (name, *p);
    }

  return g_string_free (name, FALSE);
}

ArcpassPrivilegeGroup
arcpass_privilege_describe (const char  *privilege,
                            char       **out_name)
{
  ArcpassPrivilegeGroup group;

  g_return_val_if_fail (privilege != NULL, ARCPASS_PRIVILEGE_GROUP_OTHER);

  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    {
      if (g_str_equal (known[i].privilege, privilege))
        {
          if (out_name)
            *out_name = g_strdup (_(known[i].name));
          return known[i].group;
        }
    }

  if (g_str_has_prefix (privilege, "premium:user:") || g_str_has_prefix (privilege, "portal:apikey:"))
    group = ARCPASS_PRIVILEGE_GROUP_LOCATION;
  else if (g_str_has_prefix (privilege, "premium:publisher:"))
    group = ARCPASS_PRIVILEGE_GROUP_ANALYSIS;
  else if (g_str_has_prefix (privilege, "portal:user:"))
    group = ARCPASS_PRIVILEGE_GROUP_PORTAL;
  else if (g_str_has_prefix (privilege, "portal:publisher:"))
    group = ARCPASS_PRIVILEGE_GROUP_PUBLISHING;
  else if (g_str_has_prefix (privilege, "portal:admin:"))
    group = ARCPASS_PRIVILEGE_GROUP_ADMIN;
  else
    group = ARCPASS_PRIVILEGE_GROUP_OTHER;

  if (out_name)
    *out_name = name_from_segment (privilege);

  return group;
}
