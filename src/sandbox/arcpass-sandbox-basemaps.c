/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-sandbox-private.h"

/* Basemap Styles v2 and Static Basemap Tiles v1 (arcgis-protocol.md §5).
 * Newer services: real 401/403 statuses with the restInfoUrl envelope. */

#define STYLES_PRIVILEGE "premium:user:basemaps"
#define TILES_PRIVILEGE  "premium:user:staticbasemaptiles"

const SbStyleInfo sb_styles[] = {
  { "arcgis/navigation",       "ArcGIS Navigation",       "arcgis", TRUE,  NULL },
  { "arcgis/navigation-night", "ArcGIS Navigation Night", "arcgis", TRUE,  NULL },
  { "arcgis/streets",          "ArcGIS Streets",          "arcgis", TRUE,  NULL },
  { "arcgis/streets-night",    "ArcGIS Streets Night",    "arcgis", TRUE,  NULL },
  { "arcgis/outdoor",          "ArcGIS Outdoor",          "arcgis", TRUE,  NULL },
  { "arcgis/topographic",      "ArcGIS Topographic",      "arcgis", TRUE,  "base labels" },
  { "arcgis/imagery",          "ArcGIS Imagery",          "arcgis", TRUE,  "labels" },
  { "arcgis/light-gray",       "ArcGIS Light Gray",       "arcgis", TRUE,  "base labels" },
  { "arcgis/dark-gray",        "ArcGIS Dark Gray",        "arcgis", TRUE,  "base labels" },
  { "open/osm-style",          "OSM Style",               "open",   TRUE,  NULL },
  { "open/streets",            "OSM Streets",             "open",   TRUE,  NULL },
  { "open/light-gray",         "OSM Light Gray",          "open",   FALSE, "base labels" },
  { "open/dark-gray",          "OSM Dark Gray",           "open",   FALSE, "base labels" },
  { NULL }
};

static const char * const worldviews[] = {
  "unitedStatesOfAmerica", "china", "india", "israel", "japan", "morocco", "pakistan",
  "southKorea", "unitedArabEmirates", "vietnam", NULL
};

static char *
rest_info_url (SbRequest *req)
{
  g_autofree char *base = sb_request_dup_base_url (req);

  return g_strconcat (base, "/arcgis/rest/info", NULL);
}

static void
respond_service_error (SbRequest          *req,
                       guint               status,
                       int                 code,
                       const char         *message,
                       const char * const *details)
{
  g_autofree char *info = rest_info_url (req);
  g_autoptr(JsonNode) node = sb_error_node (code, message, NULL, NULL, details, info);
  SbFormat format = sb_request_get_format (req, SB_FORMAT_JSON);

  sb_respond_json (req, status, format == SB_FORMAT_HTML ? SB_FORMAT_JSON : format, node);
}

static gboolean
check_access (SbRequest  *req,
              const char *privilege)
{
  SbIdentity identity;

  switch (sb_sandbox_authenticate (req->sandbox, req, &identity))
    {
    case SB_AUTH_MISSING:
      {
        const char * const details[] = { "The required parameter 'token' is missing.", NULL };

        respond_service_error (req, SOUP_STATUS_UNAUTHORIZED, 499, "Token required.", details);
        return FALSE;
      }
    case SB_AUTH_INVALID:
      {
        const char * const details[] = {
          "The required parameter 'token' is invalid or has expired.", NULL
        };

        respond_service_error (req, SOUP_STATUS_UNAUTHORIZED, 498, "Invalid token.", details);
        return FALSE;
      }
    case SB_AUTH_OK:
    default:
      break;
    }

  /* Static Basemap Tiles are for ArcGIS Location Platform accounts only
   * (DOC static-basemap-tiles: "ArcGIS Online: not supported"). How the
   * real service refuses an Online organisation's user token is
   * UNCONFIRMED: a 403 like a missing privilege, with its own message. */
  if (strcmp (privilege, TILES_PRIVILEGE) == 0 && identity.username &&
      strcmp (sb_user_get_org_id (sb_find_user (identity.username)), SB_PLATFORM_ORG_ID) != 0)
    {
      const char * const details[] = {
        "Static Basemap Tiles are not available to ArcGIS Online organizations.", NULL
      };

      respond_service_error (req, SOUP_STATUS_FORBIDDEN, 403, "Permission missing.", details);
      return FALSE;
    }

  if (!sb_strv_contains (identity.privileges, privilege))
    {
      g_autofree char *missing = g_strdup_printf ("Missing privilege %s", privilege);
      const char * const details[] = {
        "The required parameter 'token' is valid but does not have permission to access the service.",
        missing, NULL
      };

      respond_service_error (req, SOUP_STATUS_FORBIDDEN, 403, "Permission missing.", details);
      return FALSE;
    }
  return TRUE;
}

/* Splits "arcgis/topographic/base" into a catalogue entry and a variant. */
static const SbStyleInfo *
find_style (const char  *path,
            const char **variant)
{
  *variant = NULL;
  for (guint i = 0; sb_styles[i].path; i++)
    {
      gsize len = strlen (sb_styles[i].path);

      if (strcmp (path, sb_styles[i].path) == 0)
        return &sb_styles[i];
      if (strncmp (path, sb_styles[i].path, len) == 0 && path[len] == '/' &&
          sb_styles[i].variants)
        {
          g_auto(GStrv) variants = g_strsplit (sb_styles[i].variants, " ", -1);

          if (g_strv_contains ((const char * const *) variants, path + len + 1))
            {
              *variant = path + len + 1;
              return &sb_styles[i];
            }
        }
    }
  return NULL;
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_code_list (JsonBuilder        *b,
               const char         *member,
               const char * const *pairs)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; pairs[i]; i += 2)
    {
      json_builder_begin_object (b);
      add_string (b, "name", pairs[i]);
      add_string (b, "code", pairs[i + 1]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
add_common_lists (JsonBuilder *b)
{
  static const char * const families[] = { "ArcGIS", "arcgis", "Open", "open", NULL };
  static const char * const languages[] = {
    "Global", "global", "English", "en", "French", "fr", "German", "de", "Spanish", "es",
    "Japanese", "ja", "Chinese (Simplified)", "zh-CN", NULL
  };
  static const char * const wv[] = {
    "United States of America", "unitedStatesOfAmerica", "China", "china", "India", "india",
    NULL
  };
  static const char * const places[] = {
    "All", "all", "Attributed", "attributed", "None", "none", NULL
  };

  add_code_list (b, "styleFamilies", families);
  add_code_list (b, "languages", languages);
  add_code_list (b, "worldviews", wv);
  add_code_list (b, "places", places);
}

static void
respond_builder (SbRequest   *req,
                 JsonBuilder *b)
{
  g_autoptr(JsonNode) node = json_builder_get_root (b);
  SbFormat format = sb_request_get_format (req, SB_FORMAT_JSON);

  sb_respond_json (req, SOUP_STATUS_OK, format == SB_FORMAT_HTML ? SB_FORMAT_JSON : format, node);
}

/* ------------------------------------------------------ Basemap Styles */

static void
handle_styles_service_self (SbRequest *req)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *base = sb_request_dup_base_url (req);
  g_autofree char *root = g_strconcat (base, "/arcgis/rest/services/styles/v2", NULL);
  g_autofree char *self_url = g_strconcat (root, "/self", NULL);
  g_autofree char *styles = g_strconcat (root, "/styles/self", NULL);
  g_autofree char *webmaps = g_strconcat (root, "/webmaps/self", NULL);

  if (!check_access (req, STYLES_PRIVILEGE))
    return;

  json_builder_begin_object (b);
  add_string (b, "name", "Basemap Styles");
  add_string (b, "version", "2.0.0-sandbox");
  add_string (b, "description", "Arcpass sandbox imitation of the Basemap Styles service.");
  add_common_lists (b);
  add_string (b, "selfUrl", self_url);
  add_string (b, "stylesUrl", styles);
  add_string (b, "webmapsUrl", webmaps);
  json_builder_end_object (b);
  respond_builder (req, b);
}

static void
handle_styles_self (SbRequest *req)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *base = sb_request_dup_base_url (req);
  g_autofree char *root = g_strconcat (base, "/arcgis/rest/services/styles/v2/styles", NULL);
  g_autofree char *self_url = g_strconcat (root, "/self", NULL);
  g_autofree char *custom = g_strconcat (root, "/items", NULL);

  if (!check_access (req, STYLES_PRIVILEGE))
    return;

  json_builder_begin_object (b);
  add_string (b, "customStylesUrl", custom);
  add_string (b, "selfUrl", self_url);
  add_common_lists (b);
  json_builder_set_member_name (b, "styles");
  json_builder_begin_array (b);
  for (guint i = 0; sb_styles[i].path; i++)
    {
      const SbStyleInfo *s = &sb_styles[i];
      g_autofree char *url = g_strdup_printf ("%s/%s", root, s->path);
      g_autofree char *thumb = g_strdup_printf (
        "%s/arcgis/rest/services/static-basemap-tiles-service/v1/%s/static/tile/0/0/0",
        base, s->static_tiles ? s->path : "arcgis/navigation");

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "complete");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "deprecated");
      json_builder_add_boolean_value (b, FALSE);
      add_string (b, "name", s->name);
      add_string (b, "path", s->path);
      add_string (b, "provider", s->family);
      add_string (b, "styleFamily", s->family);
      add_string (b, "styleUrl", url);
      add_string (b, "selfUrl", url);
      add_string (b, "rootUrl", url);
      add_string (b, "thumbnailUrl", thumb);
      if (s->variants && strstr (s->variants, "base"))
        {
          g_autofree char *v = g_strconcat (url, "/base", NULL);

          add_string (b, "baseUrl", v);
        }
      if (s->variants && strstr (s->variants, "labels"))
        {
          g_autofree char *v = g_strconcat (url, "/labels", NULL);

          add_string (b, "labelsUrl", v);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  respond_builder (req, b);
}

static void
handle_style (SbRequest  *req,
              const char *path)
{
  const char *variant;
  const SbStyleInfo *style = find_style (path, &variant);
  const char *worldview = sb_request_get_param (req, "worldview");
  const char *places = sb_request_get_param (req, "places");
  const char *echo = sb_request_get_param (req, "echotoken");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *base = sb_request_dup_base_url (req);
  g_autofree char *tiles = NULL;
  g_autofree char *title = NULL;

  if (!check_access (req, STYLES_PRIVILEGE))
    return;

  if (!style)
    {
      const char * const details[] = { "The requested style does not exist.", NULL };

      respond_service_error (req, SOUP_STATUS_NOT_FOUND, 404, "Style not found.", details);
      return;
    }
  if ((worldview && *worldview && !g_strv_contains (worldviews, worldview)) ||
      (places && *places && strcmp (places, "all") != 0 && strcmp (places, "attributed") != 0 &&
       strcmp (places, "none") != 0))
    {
      const char * const details[] = { "Invalid worldview or places parameter.", NULL };

      respond_service_error (req, SOUP_STATUS_BAD_REQUEST, 400, "Invalid query parameters.",
                             details);
      return;
    }

  /* The style draws the sandbox's own raster tiles; with echoToken (the
   * default) the token is written into the tile URL, as the service does. */
  tiles = g_strdup_printf ("%s/arcgis/rest/services/static-basemap-tiles-service/v1/%s%s%s"
                           "/static/tile/{z}/{y}/{x}",
                           base, style->path, variant ? "/" : "", variant ? variant : "");
  if (req->token && g_strcmp0 (echo, "false") != 0)
    {
      g_autofree char *escaped = g_uri_escape_string (req->token, NULL, FALSE);
      char *with_token = g_strconcat (tiles, "?token=", escaped, NULL);

      g_free (tiles);
      tiles = with_token;
    }
  title = g_strdup_printf ("%s%s%s", style->name, variant ? " " : "", variant ? variant : "");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 8);
  add_string (b, "name", title);
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  add_string (b, "arcgis:stylePath", style->path);
  add_string (b, "arcgis:language", sb_request_get_param (req, "language") ?
                                    sb_request_get_param (req, "language") : "global");
  json_builder_set_member_name (b, "arcpass:sandbox");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "sources");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "esri");
  json_builder_begin_object (b);
  add_string (b, "type", "raster");
  json_builder_set_member_name (b, "tiles");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, tiles);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "tileSize");
  json_builder_add_int_value (b, 512);
  json_builder_set_member_name (b, "minzoom");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "maxzoom");
  json_builder_add_int_value (b, 22);
  add_string (b, "attribution", "Arcpass sandbox (not real map data)");
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "layers");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  add_string (b, "id", "background");
  add_string (b, "type", "background");
  json_builder_set_member_name (b, "paint");
  json_builder_begin_object (b);
  add_string (b, "background-color", strstr (style->path, "dark") || strstr (style->path, "night")
                                       ? "#1e2328" : "#aad3df");
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_begin_object (b);
  add_string (b, "id", "Sandbox/Base");
  add_string (b, "type", "raster");
  add_string (b, "source", "esri");
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  respond_builder (req, b);
}

gboolean
sb_basemaps_handle (SbRequest  *req,
                    const char *subpath)
{
  if (strcmp (subpath, "/self") == 0)
    handle_styles_service_self (req);
  else if (strcmp (subpath, "/styles/self") == 0)
    handle_styles_self (req);
  else if (g_str_has_prefix (subpath, "/styles/"))
    handle_style (req, subpath + strlen ("/styles/"));
  else
    return FALSE;
  return TRUE;
}

/* ---------------------------------------------------- Static tiles */

static void
handle_tiles_self (SbRequest *req)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *base = sb_request_dup_base_url (req);
  g_autofree char *root = g_strconcat (base,
                                       "/arcgis/rest/services/static-basemap-tiles-service/v1",
                                       NULL);
  static const char * const languages[] = { "English", "en", "French", "fr", "German", "de", NULL };
  static const char * const families[] = { "ArcGIS", "arcgis", "Open", "open", NULL };

  if (!check_access (req, TILES_PRIVILEGE))
    return;

  json_builder_begin_object (b);
  add_code_list (b, "languages", languages);
  add_code_list (b, "styleFamilies", families);
  json_builder_set_member_name (b, "styles");
  json_builder_begin_array (b);
  for (guint i = 0; sb_styles[i].path; i++)
    {
      const SbStyleInfo *s = &sb_styles[i];
      g_autofree char *path = g_strconcat ("/", s->path, NULL);
      g_autofree char *url = g_strdup_printf ("%s/%s/static", root, s->path);
      g_autofree char *templ = g_strconcat (url, "/tile/{z}/{y}/{x}", NULL);
      g_autofree char *thumb = g_strconcat (url, "/tile/0/0/0", NULL);

      if (!s->static_tiles)
        continue;
      json_builder_begin_object (b);
      add_string (b, "name", s->name);
      add_string (b, "path", path);
      add_string (b, "provider", s->family);
      add_string (b, "url", url);
      add_string (b, "templateUrl", templ);
      add_string (b, "thumbnailUrl", thumb);
      json_builder_set_member_name (b, "supportedLanguageCodes");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, "en");
      json_builder_add_string_value (b, "fr");
      json_builder_add_string_value (b, "de");
      json_builder_end_array (b);
      json_builder_set_member_name (b, "complete");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "deprecated");
      json_builder_add_boolean_value (b, FALSE);
      add_string (b, "styleFamily", s->family);
      add_string (b, "group", strstr (s->path, "night") || strstr (s->path, "dark")
                              ? "dark" : "light");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  respond_builder (req, b);
}

static void
handle_tile_metadata (SbRequest         *req,
                      const SbStyleInfo *style)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  double resolution = 2 * 20037508.342789244 / 512;
  double scale = 591657527.591555 / 2;

  if (!check_access (req, TILES_PRIVILEGE))
    return;

  json_builder_begin_object (b);
  add_string (b, "serviceDescription", "Arcpass sandbox static basemap tiles.");
  add_string (b, "mapName", style->name);
  add_string (b, "description", "Coarse hand-made land outlines, a graticule and the sandbox "
                                "gazetteer. Not real map data.");
  add_string (b, "copyrightText", "Arcpass sandbox");
  json_builder_set_member_name (b, "tileInfo");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "rows");
  json_builder_add_int_value (b, 512);
  json_builder_set_member_name (b, "cols");
  json_builder_add_int_value (b, 512);
  json_builder_set_member_name (b, "dpi");
  json_builder_add_int_value (b, 96);
  add_string (b, "format", "PNG");
  json_builder_set_member_name (b, "origin");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "x");
  json_builder_add_double_value (b, -20037508.342787);
  json_builder_set_member_name (b, "y");
  json_builder_add_double_value (b, 20037508.342787);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "spatialReference");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "wkid");
  json_builder_add_int_value (b, 102100);
  json_builder_set_member_name (b, "latestWkid");
  json_builder_add_int_value (b, 3857);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "lods");
  json_builder_begin_array (b);
  for (int level = 0; level <= 22; level++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "level");
      json_builder_add_int_value (b, level);
      json_builder_set_member_name (b, "resolution");
      json_builder_add_double_value (b, resolution);
      json_builder_set_member_name (b, "scale");
      json_builder_add_double_value (b, scale);
      json_builder_end_object (b);
      resolution /= 2;
      scale /= 2;
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  respond_builder (req, b);
}

typedef struct
{
  const SbTileStyle *style;
  char              *variant;
  int                z, y, x;
} TileJob;

static void
tile_job_free (TileJob *job)
{
  g_free (job->variant);
  g_free (job);
}

static void
render_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  TileJob *job = task_data;
  GError *error = NULL;
  GBytes *png = sb_render_tile (job->style, job->variant, job->z, job->y, job->x, &error);

  if (png)
    g_task_return_pointer (task, png, (GDestroyNotify) g_bytes_unref);
  else
    g_task_return_error (task, error);
}

static void
render_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SbRequest *req = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = g_task_propagate_pointer (G_TASK (result), &error);

  if (png)
    sb_respond (req, SOUP_STATUS_OK, "image/png", png);
  else
    {
      const char * const details[] = { error->message, NULL };

      respond_service_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, 500,
                             "Tile rendering failed.", details);
    }
  sb_request_unref (req);
}

static gboolean
parse_int (const char *text,
           gint64      max,
           int        *out)
{
  gint64 v;

  if (!g_ascii_string_to_signed (text, 10, 0, G_MAXINT32, &v, NULL))
    return FALSE;
  *out = (int) v;
  return v <= max;
}

gboolean
sb_static_tiles_handle (SbRequest  *req,
                        const char *subpath)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *style_path = NULL;
  const SbStyleInfo *style;
  const char *variant;
  guint n, static_at = 0;

  if (strcmp (subpath, "/self") == 0)
    {
      handle_tiles_self (req);
      return TRUE;
    }

  /* {family}/{style}[/{variant}]/static[/tile/{z}/{y}/{x}] */
  parts = g_strsplit (subpath + (*subpath == '/' ? 1 : 0), "/", -1);
  n = g_strv_length (parts);
  for (guint i = 0; i < n; i++)
    if (strcmp (parts[i], "static") == 0)
      {
        static_at = i;
        break;
      }
  if (static_at < 2)
    return FALSE;

  {
    char *saved = parts[static_at];

    parts[static_at] = NULL;
    style_path = g_strjoinv ("/", parts);
    parts[static_at] = saved;
  }
  style = find_style (style_path, &variant);

  if (!check_access (req, TILES_PRIVILEGE))
    return TRUE;

  if (!style || !style->static_tiles)
    {
      const char * const details[] = { "The requested style does not exist.", NULL };

      respond_service_error (req, SOUP_STATUS_NOT_FOUND, 404, "Style not found.", details);
      return TRUE;
    }

  if (n == static_at + 1)
    {
      handle_tile_metadata (req, style);
      return TRUE;
    }

  if (n == static_at + 5 && strcmp (parts[static_at + 1], "tile") == 0)
    {
      TileJob *job = g_new0 (TileJob, 1);
      g_autoptr(GTask) task = NULL;
      int z, y, x;

      if (!parse_int (parts[static_at + 2], 22, &z) ||
          !parse_int (parts[static_at + 3], G_MAXINT32, &y) ||
          !parse_int (parts[static_at + 4], G_MAXINT32, &x))
        {
          const char * const details[] = { "Level must be 0-22; row and column numbers.", NULL };

          tile_job_free (job);
          respond_service_error (req, SOUP_STATUS_BAD_REQUEST, 400, "Invalid query parameters.",
                                 details);
          return TRUE;
        }
      if ((gint64) y >= ((gint64) 1 << z) || (gint64) x >= ((gint64) 1 << z))
        {
          const char * const details[] = { "The tile is outside the level's extent.", NULL };

          tile_job_free (job);
          respond_service_error (req, SOUP_STATUS_NOT_FOUND, 404, "Tile not found.", details);
          return TRUE;
        }

      job->style = sb_tile_style_lookup (style->path);
      job->variant = g_strdup (variant);
      job->z = z;
      job->y = y;
      job->x = x;

      /* Drawing takes milliseconds: do it off the main context and hold the
       * response until it is ready. */
      sb_request_defer (req);
      task = g_task_new (NULL, NULL, render_done_cb, sb_request_ref (req));
      g_task_set_source_tag (task, sb_static_tiles_handle);
      g_task_set_task_data (task, job, (GDestroyNotify) tile_job_free);
      g_task_run_in_thread (task, render_thread);
      return TRUE;
    }

  return FALSE;
}
