/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib-object.h>
#include <glib/gi18n-lib.h>

#include "arcpass-error.h"
#include "arcpass-types.h"

G_DEFINE_QUARK (arcpass-error-quark, arcpass_error)

G_DEFINE_ENUM_TYPE (ArcpassService, arcpass_service,
  G_DEFINE_ENUM_VALUE (ARCPASS_SERVICE_NONE, "none"),
  G_DEFINE_ENUM_VALUE (ARCPASS_SERVICE_PORTAL, "portal"),
  G_DEFINE_ENUM_VALUE (ARCPASS_SERVICE_OAUTH, "oauth"),
  G_DEFINE_ENUM_VALUE (ARCPASS_SERVICE_GEOCODE, "geocode"),
  G_DEFINE_ENUM_VALUE (ARCPASS_SERVICE_BASEMAP_STYLES, "basemap-styles"),
  G_DEFINE_ENUM_VALUE (ARCPASS_SERVICE_STATIC_TILES, "static-tiles"))

gboolean
arcpass_error_is_token_error (const GError *error)
{
  return error != NULL &&
         (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_TOKEN) ||
          g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_REQUIRED));
}

const char *
arcpass_service_get_name (ArcpassService service)
{
  switch (service)
    {
    case ARCPASS_SERVICE_PORTAL:
      /* Translators: these names are put into error messages such as
       * “%s needs a token, and none was sent.”, where the first letter is
       * made upper case, and into table rows. Translate them in the form
       * that can be the subject of a sentence (with an article if your
       * language needs one); the messages are worded so that this form fits. */
      return _("the portal");
    case ARCPASS_SERVICE_OAUTH:
      return _("the OAuth service");
    case ARCPASS_SERVICE_GEOCODE:
      return _("the geocoding service");
    case ARCPASS_SERVICE_BASEMAP_STYLES:
      return _("the Basemap Styles service");
    case ARCPASS_SERVICE_STATIC_TILES:
      return _("the Static Basemap Tiles service");
    case ARCPASS_SERVICE_NONE:
    default:
      return _("the service");
    }
}

const char *
arcpass_service_get_privilege (ArcpassService service)
{
  switch (service)
    {
    case ARCPASS_SERVICE_GEOCODE:
      /* The non-stored geocode privilege is what a search without
       * forStorage needs, and what API keys are usually given. */
      return "premium:user:geocode:temporary";
    case ARCPASS_SERVICE_BASEMAP_STYLES:
      return "premium:user:basemaps";
    case ARCPASS_SERVICE_STATIC_TILES:
      return "premium:user:staticbasemaptiles";
    case ARCPASS_SERVICE_NONE:
    case ARCPASS_SERVICE_PORTAL:
    case ARCPASS_SERVICE_OAUTH:
    default:
      return NULL;
    }
}
