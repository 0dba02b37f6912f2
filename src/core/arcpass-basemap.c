/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "arcpass-basemap.h"
#include "arcpass-error.h"
#include "arcpass-json.h"
#include "arcpass-portal.h"
#include "arcpass-request-log.h"

void
arcpass_basemap_style_free (ArcpassBasemapStyle *style)
{
  if (style == NULL)
    return;

  g_free (style->name);
  g_free (style->path);
  g_free (style->provider);
  g_free (style->style_family);
  g_free (style->style_url);
  g_free (style->template_url);
  g_free (style->thumbnail_url);
  g_free (style);
}

void
arcpass_style_summary_free (ArcpassStyleSummary *summary)
{
  if (summary == NULL)
    return;

  g_free (summary->name);
  g_strfreev (summary->source_names);
  g_strfreev (summary->source_types);
  g_strfreev (summary->layer_types);
  g_free (summary->layer_type_counts);
  g_free (summary->glyphs);
  g_free (summary->sprite);
  g_free (summary);
}

static GPtrArray *
parse_style_list (JsonObject  *object,
                  gboolean     static_tiles,
                  GError     **error)
{
  g_autoptr(GPtrArray) styles = g_ptr_array_new_with_free_func ((GDestroyNotify) arcpass_basemap_style_free);
  JsonArray *array = arcpass_json_object_get_array (object, "styles", error);

  if (array == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(ArcpassBasemapStyle) style = g_new0 (ArcpassBasemapStyle, 1);
      JsonObject *item = arcpass_json_array_get_object (array, i, error);
      const char *s;

      if (item == NULL)
        return NULL;

      s = arcpass_json_object_get_string (item, "path", error);
      if (s == NULL)
        return NULL;
      /* Static Tiles writes "/arcgis/navigation", Basemap Styles "arcgis/navigation". */
      while (*s == '/')
        s++;
      style->path = g_strdup (s);

      if (!arcpass_json_object_get_optional_string (item, "name", &s, error))
        return NULL;
      style->name = g_strdup (s ? s : style->path);

#define OPTIONAL(member, field)                                                \
      if (!arcpass_json_object_get_optional_string (item, member, &s, error)) \
        return NULL;                                                           \
      style->field = g_strdup (s);

      OPTIONAL ("provider", provider)
      OPTIONAL ("styleFamily", style_family)
      OPTIONAL ("thumbnailUrl", thumbnail_url)
      if (static_tiles)
        {
          OPTIONAL ("url", style_url)
          OPTIONAL ("templateUrl", template_url)
        }
      else
        {
          OPTIONAL ("styleUrl", style_url)
        }
#undef OPTIONAL

      /* Older services have no complete/deprecated flags: treat as usable. */
      style->complete = TRUE;
      if (!arcpass_json_object_get_optional_boolean (item, "complete", &style->complete, error) ||
          !arcpass_json_object_get_optional_boolean (item, "deprecated", &style->deprecated, error))
        return NULL;

      g_ptr_array_add (styles, g_steal_pointer (&style));
    }

  return g_steal_pointer (&styles);
}

GPtrArray *
arcpass_basemap_parse_styles (JsonObject  *object,
                              GError     **error)
{
  return parse_style_list (object, FALSE, error);
}

GPtrArray *
arcpass_basemap_parse_static_styles (JsonObject  *object,
                                     GError     **error)
{
  return parse_style_list (object, TRUE, error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

ArcpassStyleSummary *
arcpass_style_summary_new_from_json (JsonObject  *style,
                                     GError     **error)
{
  g_autoptr(ArcpassStyleSummary) summary = g_new0 (ArcpassStyleSummary, 1);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GStrvBuilder) types = g_strv_builder_new ();
  g_autoptr(GPtrArray) layer_types = NULL;
  JsonObject *sources;
  JsonArray *layers;
  const char *s;
  guint n_types;

  if (!arcpass_json_object_get_int (style, "version", &summary->version, error))
    return NULL;

  if (!arcpass_json_object_get_optional_string (style, "name", &s, error))
    return NULL;
  summary->name = g_strdup (s);

  sources = arcpass_json_object_get_object (style, "sources", error);
  if (sources == NULL)
    return NULL;

  {
    GList *members = json_object_get_members (sources);

    for (GList *l = members; l; l = l->next)
      g_ptr_array_add (names, l->data);
    g_list_free (members);
  }
  g_ptr_array_sort (names, compare_strings);

  {
    g_autoptr(GStrvBuilder) name_builder = g_strv_builder_new ();

    for (guint i = 0; i < names->len; i++)
      {
        const char *name = g_ptr_array_index (names, i);
        JsonObject *source = arcpass_json_object_get_object (sources, name, error);
        const char *type;

        if (source == NULL)
          return NULL;
        type = arcpass_json_object_get_string (source, "type", error);
        if (type == NULL)
          return NULL;

        g_strv_builder_add (name_builder, name);
        g_strv_builder_add (types, type);
      }

    summary->source_names = g_strv_builder_end (name_builder);
    summary->source_types = g_strv_builder_end (types);
  }

  layers = arcpass_json_object_get_array (style, "layers", error);
  if (layers == NULL)
    return NULL;

  summary->n_layers = json_array_get_length (layers);
  for (guint i = 0; i < summary->n_layers; i++)
    {
      JsonObject *layer = arcpass_json_array_get_object (layers, i, error);
      const char *type;

      if (layer == NULL)
        return NULL;
      type = arcpass_json_object_get_string (layer, "type", error);
      if (type == NULL)
        return NULL;

      g_hash_table_insert (counts, (gpointer) type,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, type)) + 1));
    }

  layer_types = g_ptr_array_new ();
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, counts);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_ptr_array_add (layer_types, key);
  }
  g_ptr_array_sort (layer_types, compare_strings);
  n_types = layer_types->len;
  summary->layer_types = g_new0 (char *, n_types + 1);
  summary->layer_type_counts = g_new0 (guint, n_types + 1);
  for (guint i = 0; i < n_types; i++)
    {
      const char *type = g_ptr_array_index (layer_types, i);

      summary->layer_types[i] = g_strdup (type);
      summary->layer_type_counts[i] = GPOINTER_TO_UINT (g_hash_table_lookup (counts, type));
    }

  /* The service may echo the token into these URLs (echoToken); what is
   * kept for display never holds it. */
  if (!arcpass_json_object_get_optional_string (style, "glyphs", &s, error))
    return NULL;
  summary->glyphs = arcpass_redact_url (s);

  if (json_object_has_member (style, "sprite"))
    {
      JsonNode *node = json_object_get_member (style, "sprite");

      /* Style spec v8 allows a string or an array of {id,url}. */
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        summary->sprite = arcpass_redact_url (json_node_get_string (node));
      else if (JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) > 0)
        {
          JsonObject *first = arcpass_json_array_get_object (json_node_get_array (node), 0, error);

          if (first == NULL || !arcpass_json_object_get_optional_string (first, "url", &s, error))
            return NULL;
          summary->sprite = arcpass_redact_url (s);
        }
      else if (!JSON_NODE_HOLDS_NULL (node))
        {
          g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                               _("The server's answer is not what was expected: “sprite” should be "
                                 "a string or an array."));
          return NULL;
        }
    }

  return g_steal_pointer (&summary);
}

/* ---- Calls ----------------------------------------------------------- */

typedef gpointer (*ParseFunc) (JsonObject *object, GError **error);

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ParseFunc parse = g_task_get_task_data (task);
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *styles;

  json = arcpass_token_manager_request_json_finish (ARCPASS_TOKEN_MANAGER (object), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (json == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  styles = parse (json, &error);
  if (styles == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, styles, (GDestroyNotify) g_ptr_array_unref);
}

void
arcpass_basemap_list_styles_async (ArcpassTokenManager *manager,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  g_autofree char *url = NULL;

  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager));

  task = g_task_new (manager, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_basemap_list_styles_async);
  g_task_set_task_data (task, (gpointer) arcpass_basemap_parse_styles, NULL);

  url = g_strconcat (arcpass_token_manager_get_endpoints (manager)->basemap_styles_url,
                     "/styles/self", NULL);
  arcpass_token_manager_request_json_async (manager, ARCPASS_SERVICE_BASEMAP_STYLES, url, NULL,
                                            ARCPASS_REQUEST_NONE, cancellable, list_cb, task);
}

GPtrArray *
arcpass_basemap_list_styles_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_basemap_list_styles_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
arcpass_basemap_list_static_styles_async (ArcpassTokenManager *manager,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  GTask *task;
  g_autofree char *url = NULL;

  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager));

  task = g_task_new (manager, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_basemap_list_static_styles_async);
  g_task_set_task_data (task, (gpointer) arcpass_basemap_parse_static_styles, NULL);

  url = g_strconcat (arcpass_token_manager_get_endpoints (manager)->static_tiles_url, "/self", NULL);
  arcpass_token_manager_request_json_async (manager, ARCPASS_SERVICE_STATIC_TILES, url, NULL,
                                            ARCPASS_REQUEST_NONE, cancellable, list_cb, task);
}

GPtrArray *
arcpass_basemap_list_static_styles_finish (GAsyncResult  *result,
                                           GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_basemap_list_static_styles_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
style_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  ArcpassStyleSummary *summary;

  json = arcpass_token_manager_request_json_finish (ARCPASS_TOKEN_MANAGER (object), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (json == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  summary = arcpass_style_summary_new_from_json (json, &error);
  if (summary == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_object_set_data_full (G_OBJECT (task), "style", json_object_ref (json),
                          (GDestroyNotify) json_object_unref);
  g_task_return_pointer (task, summary, (GDestroyNotify) arcpass_style_summary_free);
}

static gboolean
valid_style_path (const char *path)
{
  /* Path segments only: no "..", no query, no scheme. */
  if (path == NULL || *path == '\0' || strstr (path, "..") != NULL)
    return FALSE;

  for (const char *p = path; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '/' && *p != '-' && *p != '_' && *p != '.')
      return FALSE;

  return TRUE;
}

void
arcpass_basemap_fetch_style_async (ArcpassTokenManager *manager,
                                   const char          *style_path,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  g_autofree char *url = NULL;
  /* echoToken=false: the style must not carry the token into a display. */
  const char *params[] = { "echoToken", "false", NULL };

  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager));

  task = g_task_new (manager, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_basemap_fetch_style_async);

  if (!valid_style_path (style_path))
    {
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                               _("“%s” is not a style name (for example arcgis/navigation)."),
                               style_path ? style_path : "");
      g_object_unref (task);
      return;
    }

  while (*style_path == '/')
    style_path++;

  url = g_strconcat (arcpass_token_manager_get_endpoints (manager)->basemap_styles_url,
                     "/styles/", style_path, NULL);
  arcpass_token_manager_request_json_async (manager, ARCPASS_SERVICE_BASEMAP_STYLES, url, params,
                                            ARCPASS_REQUEST_NONE, cancellable, style_cb, task);
}

ArcpassStyleSummary *
arcpass_basemap_fetch_style_finish (GAsyncResult  *result,
                                    JsonObject   **out_style,
                                    GError       **error)
{
  ArcpassStyleSummary *summary;

  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_basemap_fetch_style_async, NULL);

  summary = g_task_propagate_pointer (G_TASK (result), error);
  if (out_style != NULL)
    {
      JsonObject *style = g_object_get_data (G_OBJECT (result), "style");

      *out_style = (summary && style) ? json_object_ref (style) : NULL;
    }

  return summary;
}

char *
arcpass_basemap_build_tile_url (const ArcpassEndpoints *endpoints,
                                const char             *style_path,
                                guint                   z,
                                guint                   y,
                                guint                   x)
{
  g_return_val_if_fail (endpoints != NULL, NULL);

  if (!valid_style_path (style_path))
    return NULL;

  while (*style_path == '/')
    style_path++;

  return g_strdup_printf ("%s/%s/static/tile/%u/%u/%u",
                          endpoints->static_tiles_url, style_path, z, y, x);
}

/* A tile body that claims to be an image may still be garbage or cut
 * short with a matching Content-Length (a proxy, a full disk): check the
 * signature of the formats the service sends and, where the format has
 * one, its end marker, rather than hand the map an undecodable tile. */
static gboolean
is_complete_image (GBytes *bytes)
{
  static const guint8 png_signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const guint8 png_end[] = { 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  if (size >= sizeof png_signature + sizeof png_end &&
      memcmp (data, png_signature, sizeof png_signature) == 0)
    return memcmp (data + size - sizeof png_end, png_end, sizeof png_end) == 0;

  if (size >= 4 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    return data[size - 2] == 0xff && data[size - 1] == 0xd9;

  if (size >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return (gsize) (data[4] | data[5] << 8 | data[6] << 16 | (guint32) data[7] << 24) + 8 == size;

  return FALSE;
}

static void
tile_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *content_type = NULL;

  bytes = arcpass_token_manager_request_bytes_finish (ARCPASS_TOKEN_MANAGER (object), result,
                                                      &content_type, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (content_type != NULL && !g_str_has_prefix (content_type, "image/"))
    {
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                               _("The tile service sent %s instead of an image."), content_type);
      return;
    }

  if (!is_complete_image (bytes))
    {
      g_autoptr(GUri) uri = g_uri_parse (g_task_get_task_data (task), G_URI_FLAGS_NONE, NULL);

      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                               _("The Static Basemap Tiles service (%s) sent a tile that is not a "
                                 "complete image. Try again."),
                               uri && g_uri_get_host (uri) ? g_uri_get_host (uri) : _("unknown host"));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
}

void
arcpass_basemap_fetch_tile_async (ArcpassTokenManager *manager,
                                  const char          *style_path,
                                  guint                z,
                                  guint                y,
                                  guint                x,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;
  g_autofree char *url = NULL;

  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager));

  task = g_task_new (manager, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_basemap_fetch_tile_async);

  url = arcpass_basemap_build_tile_url (arcpass_token_manager_get_endpoints (manager),
                                        style_path, z, y, x);
  if (url == NULL || z > 22 || x >= (1u << z) || y >= (1u << z))
    {
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                               _("There is no tile %u/%u/%u of “%s” (levels 0–22, rows and "
                                 "columns below 2^level)."), z, y, x, style_path ? style_path : "");
      g_object_unref (task);
      return;
    }

  g_task_set_task_data (task, g_strdup (url), g_free);
  arcpass_token_manager_request_bytes_async (manager, ARCPASS_SERVICE_STATIC_TILES, url, NULL,
                                             ARCPASS_REQUEST_NO_F_JSON, cancellable, tile_cb, task);
}

GBytes *
arcpass_basemap_fetch_tile_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_basemap_fetch_tile_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
