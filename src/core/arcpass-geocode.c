/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "arcpass-error.h"
#include "arcpass-geocode.h"
#include "arcpass-json.h"
#include "arcpass-portal.h"

void
arcpass_geocode_candidate_free (ArcpassGeocodeCandidate *candidate)
{
  if (candidate == NULL)
    return;

  g_free (candidate->address);
  g_free (candidate->addr_type);
  g_free (candidate);
}

void
arcpass_suggestion_free (ArcpassSuggestion *suggestion)
{
  if (suggestion == NULL)
    return;

  g_free (suggestion->text);
  g_free (suggestion->magic_key);
  g_free (suggestion);
}

void
arcpass_reverse_geocode_result_free (ArcpassReverseGeocodeResult *result)
{
  if (result == NULL)
    return;

  g_free (result->match_addr);
  g_free (result->long_label);
  g_free (result->short_label);
  g_free (result->addr_type);
  g_free (result->city);
  g_free (result->region);
  g_free (result->country_code);
  g_free (result);
}

static gboolean
read_point (JsonObject  *object,
            const char  *member,
            double      *x,
            double      *y,
            GError     **error)
{
  JsonObject *location = arcpass_json_object_get_object (object, member, error);

  return location != NULL &&
         arcpass_json_object_get_double (location, "x", x, error) &&
         arcpass_json_object_get_double (location, "y", y, error);
}

GPtrArray *
arcpass_geocode_parse_candidates (JsonObject  *object,
                                  GError     **error)
{
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) arcpass_geocode_candidate_free);
  JsonArray *array = arcpass_json_object_get_array (object, "candidates", error);

  if (array == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(ArcpassGeocodeCandidate) candidate = g_new0 (ArcpassGeocodeCandidate, 1);
      JsonObject *item = arcpass_json_array_get_object (array, i, error);
      JsonObject *attributes = NULL;
      JsonObject *extent = NULL;
      const char *s;

      if (item == NULL)
        return NULL;

      s = arcpass_json_object_get_string (item, "address", error);
      if (s == NULL)
        return NULL;
      candidate->address = g_strdup (s);

      if (!read_point (item, "location", &candidate->x, &candidate->y, error))
        return NULL;
      if (!arcpass_json_object_get_double (item, "score", &candidate->score, error))
        return NULL;

      if (!arcpass_json_object_get_optional_object (item, "attributes", &attributes, error))
        return NULL;
      if (attributes != NULL)
        {
          if (!arcpass_json_object_get_optional_string (attributes, "Addr_type", &s, error))
            return NULL;
          candidate->addr_type = g_strdup (s);
        }

      /* extent may be absent or null. */
      if (!arcpass_json_object_get_optional_object (item, "extent", &extent, error))
        return NULL;
      if (extent != NULL)
        {
          if (!arcpass_json_object_get_double (extent, "xmin", &candidate->xmin, error) ||
              !arcpass_json_object_get_double (extent, "ymin", &candidate->ymin, error) ||
              !arcpass_json_object_get_double (extent, "xmax", &candidate->xmax, error) ||
              !arcpass_json_object_get_double (extent, "ymax", &candidate->ymax, error))
            return NULL;
          candidate->has_extent = TRUE;
        }

      g_ptr_array_add (candidates, g_steal_pointer (&candidate));
    }

  return g_steal_pointer (&candidates);
}

GPtrArray *
arcpass_geocode_parse_suggestions (JsonObject  *object,
                                   GError     **error)
{
  g_autoptr(GPtrArray) suggestions = g_ptr_array_new_with_free_func ((GDestroyNotify) arcpass_suggestion_free);
  JsonArray *array = arcpass_json_object_get_array (object, "suggestions", error);

  if (array == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(ArcpassSuggestion) suggestion = g_new0 (ArcpassSuggestion, 1);
      JsonObject *item = arcpass_json_array_get_object (array, i, error);
      const char *s;

      if (item == NULL)
        return NULL;

      s = arcpass_json_object_get_string (item, "text", error);
      if (s == NULL)
        return NULL;
      suggestion->text = g_strdup (s);

      if (!arcpass_json_object_get_optional_string (item, "magicKey", &s, error))
        return NULL;
      suggestion->magic_key = g_strdup (s);

      if (!arcpass_json_object_get_optional_boolean (item, "isCollection", &suggestion->is_collection, error))
        return NULL;

      g_ptr_array_add (suggestions, g_steal_pointer (&suggestion));
    }

  return g_steal_pointer (&suggestions);
}

ArcpassReverseGeocodeResult *
arcpass_geocode_parse_reverse (JsonObject  *object,
                               GError     **error)
{
  g_autoptr(ArcpassReverseGeocodeResult) result = g_new0 (ArcpassReverseGeocodeResult, 1);
  JsonObject *address = arcpass_json_object_get_object (object, "address", error);
  const char *s;

  if (address == NULL)
    return NULL;

#define OPTIONAL(member, field)                                                   \
  G_STMT_START {                                                                  \
    if (!arcpass_json_object_get_optional_string (address, member, &s, error))   \
      return NULL;                                                                \
    result->field = g_strdup (s);                                                 \
  } G_STMT_END

  OPTIONAL ("Match_addr", match_addr);
  OPTIONAL ("LongLabel", long_label);
  OPTIONAL ("ShortLabel", short_label);
  OPTIONAL ("Addr_type", addr_type);
  OPTIONAL ("City", city);
  OPTIONAL ("Region", region);
  OPTIONAL ("CountryCode", country_code);

#undef OPTIONAL

  if (!read_point (object, "location", &result->x, &result->y, error))
    return NULL;

  return g_steal_pointer (&result);
}

/* ---- Locator root ----------------------------------------------------- */

void
arcpass_locator_info_free (ArcpassLocatorInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->single_line_field);
  g_free (info->capabilities);
  g_free (info);
}

ArcpassLocatorInfo *
arcpass_locator_info_copy (const ArcpassLocatorInfo *info)
{
  ArcpassLocatorInfo *copy = g_new0 (ArcpassLocatorInfo, 1);

  *copy = *info;
  copy->single_line_field = g_strdup (info->single_line_field);
  copy->capabilities = g_strdup (info->capabilities);
  return copy;
}

static gboolean
capabilities_have (const char *capabilities,
                   const char *name)
{
  g_auto(GStrv) parts = g_strsplit (capabilities ? capabilities : "", ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (g_ascii_strcasecmp (g_strstrip (parts[i]), name) == 0)
      return TRUE;
  return FALSE;
}

ArcpassLocatorInfo *
arcpass_geocode_parse_locator_root (JsonObject  *object,
                                    GError     **error)
{
  g_autoptr(ArcpassLocatorInfo) info = g_new0 (ArcpassLocatorInfo, 1);
  JsonObject *field = NULL;
  const char *s = NULL;

  if (!arcpass_json_object_get_optional_object (object, "singleLineAddressField", &field, error))
    return NULL;
  if (field != NULL && !arcpass_json_object_get_optional_string (field, "name", &s, error))
    return NULL;
  /* The World geocoder's name when the locator names none (older servers). */
  info->single_line_field = g_strdup (s != NULL && *s != '\0' ? s : "SingleLine");

  s = NULL;
  if (!arcpass_json_object_get_optional_string (object, "capabilities", &s, error))
    return NULL;
  info->capabilities = g_strdup (s);
  /* Without capabilities nothing says suggestions exist: do not offer them
   * (a suggest call would fail on every keystroke). */
  info->supports_suggest = capabilities_have (s, "Suggest");
  info->supports_reverse = s == NULL || capabilities_have (s, "ReverseGeocode");

  return g_steal_pointer (&info);
}

gboolean
arcpass_geocode_url_is_world (const char *geocode_url)
{
  g_autoptr(GUri) uri = geocode_url ? g_uri_parse (geocode_url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *host;
  const char *path;

  if (uri == NULL)
    return FALSE;
  host = g_uri_get_host (uri);
  path = g_uri_get_path (uri);
  /* Esri's hosts, or the sandbox's (every loopback host stands for one). */
  return host != NULL && g_strcmp0 (path, "/arcgis/rest/services/World/GeocodeServer") == 0 &&
         (arcpass_portal_url_is_online (geocode_url) || arcpass_host_is_loopback (host));
}

/* Per URL, for the process; only touched from the main context. */
static GHashTable *locator_cache;

static void
locator_root_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const char *url = g_task_get_task_data (task);
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  ArcpassLocatorInfo *info;

  json = arcpass_token_manager_request_json_finish (ARCPASS_TOKEN_MANAGER (object), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (json == NULL || (info = arcpass_geocode_parse_locator_root (json, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (locator_cache == NULL)
    locator_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) arcpass_locator_info_free);
  g_hash_table_replace (locator_cache, g_strdup (url), arcpass_locator_info_copy (info));
  g_task_return_pointer (task, info, (GDestroyNotify) arcpass_locator_info_free);
}

void
arcpass_geocode_get_locator_async (ArcpassTokenManager *manager,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const ArcpassEndpoints *endpoints;
  ArcpassLocatorInfo *cached;

  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager));

  task = g_task_new (manager, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_geocode_get_locator_async);
  endpoints = arcpass_token_manager_get_endpoints (manager);
  g_task_set_task_data (task, g_strdup (endpoints->geocode_url), g_free);

  if (arcpass_geocode_url_is_world (endpoints->geocode_url))
    {
      ArcpassLocatorInfo *world = g_new0 (ArcpassLocatorInfo, 1);

      world->single_line_field = g_strdup ("SingleLine");
      world->supports_suggest = TRUE;
      world->supports_reverse = TRUE;
      g_task_return_pointer (task, world, (GDestroyNotify) arcpass_locator_info_free);
      return;
    }

  cached = locator_cache ? g_hash_table_lookup (locator_cache, endpoints->geocode_url) : NULL;
  if (cached != NULL)
    {
      g_task_return_pointer (task, arcpass_locator_info_copy (cached),
                             (GDestroyNotify) arcpass_locator_info_free);
      return;
    }

  arcpass_token_manager_request_json_async (manager, ARCPASS_SERVICE_GEOCODE,
                                            endpoints->geocode_url, NULL, ARCPASS_REQUEST_NONE,
                                            cancellable, locator_root_cb, g_steal_pointer (&task));
}

ArcpassLocatorInfo *
arcpass_geocode_get_locator_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_geocode_get_locator_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Calls ----------------------------------------------------------- */

typedef gpointer (*ParseFunc) (JsonObject *object, GError **error);

static void
parsed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ParseFunc parse = g_task_get_task_data (task);
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  gpointer value;

  json = arcpass_token_manager_request_json_finish (ARCPASS_TOKEN_MANAGER (object), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (json == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  value = parse (json, &error);
  if (value == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (parse == (ParseFunc) arcpass_geocode_parse_reverse)
    g_task_return_pointer (task, value, (GDestroyNotify) arcpass_reverse_geocode_result_free);
  else
    g_task_return_pointer (task, value, (GDestroyNotify) g_ptr_array_unref);
}

static void
geocode_request (ArcpassTokenManager *manager,
                 const char          *operation,
                 const char * const  *params,
                 ParseFunc            parse,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data,
                 gpointer             source_tag)
{
  GTask *task = g_task_new (manager, cancellable, callback, user_data);
  const ArcpassEndpoints *endpoints = arcpass_token_manager_get_endpoints (manager);
  g_autofree char *url = g_strconcat (endpoints->geocode_url, "/", operation, NULL);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, parse, NULL);
  arcpass_token_manager_request_json_async (manager, ARCPASS_SERVICE_GEOCODE, url, params,
                                            ARCPASS_REQUEST_NONE, cancellable, parsed_cb, task);
}

/* What a call needs once the locator is known. */
typedef struct {
  ArcpassTokenManager *manager;
  char                *text;
  char                *magic_key;
  guint                max;
  gboolean             has_location;
  double               x, y;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
  GCancellable        *cancellable;
} PendingCall;

static void
pending_call_free (PendingCall *call)
{
  g_clear_object (&call->manager);
  g_clear_object (&call->cancellable);
  g_free (call->text);
  g_free (call->magic_key);
  g_free (call);
}

static PendingCall *
pending_call_new (ArcpassTokenManager *manager,
                  const char          *text,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  PendingCall *call = g_new0 (PendingCall, 1);

  call->manager = g_object_ref (manager);
  call->text = g_strdup (text);
  call->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  call->callback = callback;
  call->user_data = user_data;
  return call;
}

/* Answers the caller of @source_tag with @error (the locator could not be
 * read, or does not offer the operation). */
static void
pending_call_fail (PendingCall *call,
                   GError      *error,
                   gpointer     source_tag)
{
  g_autoptr(GTask) task = g_task_new (call->manager, call->cancellable, call->callback,
                                      call->user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_return_error (task, error);
}

static void
find_locator_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PendingCall *call = user_data;
  g_autoptr(ArcpassLocatorInfo) locator = NULL;
  g_autofree char *max = g_strdup_printf ("%u", call->max);
  GError *error = NULL;
  const char *params[12];
  guint n = 0;

  locator = arcpass_geocode_get_locator_finish (result, &error);
  if (locator == NULL)
    {
      pending_call_fail (call, error, arcpass_geocode_find_async);
      pending_call_free (call);
      return;
    }

  /* The locator's own single-line field: a custom locator ignores
   * SingleLine and would find nothing. */
  params[n++] = locator->single_line_field;
  params[n++] = call->text;
  params[n++] = "outFields";
  params[n++] = "*";
  /* Results are shown, not stored: the cheaper, non-stored privilege. */
  params[n++] = "forStorage";
  params[n++] = "false";
  if (call->magic_key != NULL)
    {
      params[n++] = "magicKey";
      params[n++] = call->magic_key;
    }
  if (call->max > 0)
    {
      params[n++] = "maxLocations";
      params[n++] = max;
    }
  params[n] = NULL;

  geocode_request (call->manager, "findAddressCandidates", params,
                   (ParseFunc) arcpass_geocode_parse_candidates,
                   call->cancellable, call->callback, call->user_data, arcpass_geocode_find_async);
  pending_call_free (call);
}

void
arcpass_geocode_find_async (ArcpassTokenManager *manager,
                            const char          *single_line,
                            const char          *magic_key,
                            guint                max_locations,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  PendingCall *call;

  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager));
  g_return_if_fail (single_line != NULL);

  call = pending_call_new (manager, single_line, cancellable, callback, user_data);
  call->magic_key = g_strdup (magic_key);
  call->max = max_locations;
  arcpass_geocode_get_locator_async (manager, cancellable, find_locator_cb, call);
}

GPtrArray *
arcpass_geocode_find_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_geocode_find_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
format_xy (double x,
           double y)
{
  char bx[G_ASCII_DTOSTR_BUF_SIZE];
  char by[G_ASCII_DTOSTR_BUF_SIZE];

  /* Always a dot as decimal separator, whatever the locale. */
  return g_strdup_printf ("%s,%s",
                          g_ascii_dtostr (bx, sizeof bx, x),
                          g_ascii_dtostr (by, sizeof by, y));
}

static void
suggest_locator_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  PendingCall *call = user_data;
  g_autoptr(ArcpassLocatorInfo) locator = NULL;
  g_autofree char *location = format_xy (call->x, call->y);
  g_autofree char *max = g_strdup_printf ("%u", call->max);
  GError *error = NULL;
  const char *params[8];
  guint n = 0;

  locator = arcpass_geocode_get_locator_finish (result, &error);
  if (locator != NULL && !locator->supports_suggest)
    error = g_error_new_literal (ARCPASS_ERROR, ARCPASS_ERROR_NOT_OFFERED,
                                 _("This locator does not offer suggestions (its capabilities "
                                   "do not include Suggest). Type the whole address and search."));
  if (error != NULL)
    {
      pending_call_fail (call, error, arcpass_geocode_suggest_async);
      pending_call_free (call);
      return;
    }

  params[n++] = "text";
  params[n++] = call->text;
  if (call->has_location)
    {
      params[n++] = "location";
      params[n++] = location;
    }
  if (call->max > 0)
    {
      params[n++] = "maxSuggestions";
      params[n++] = max;
    }
  params[n] = NULL;

  geocode_request (call->manager, "suggest", params, (ParseFunc) arcpass_geocode_parse_suggestions,
                   call->cancellable, call->callback, call->user_data,
                   arcpass_geocode_suggest_async);
  pending_call_free (call);
}

void
arcpass_geocode_suggest_async (ArcpassTokenManager *manager,
                               const char          *text,
                               gboolean             has_location,
                               double               x,
                               double               y,
                               guint                max_suggestions,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  PendingCall *call;

  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager));
  g_return_if_fail (text != NULL);

  call = pending_call_new (manager, text, cancellable, callback, user_data);
  call->has_location = has_location;
  call->x = x;
  call->y = y;
  call->max = max_suggestions;
  arcpass_geocode_get_locator_async (manager, cancellable, suggest_locator_cb, call);
}

GPtrArray *
arcpass_geocode_suggest_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_geocode_suggest_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
arcpass_geocode_reverse_async (ArcpassTokenManager *manager,
                               double               x,
                               double               y,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autofree char *location = format_xy (x, y);
  const char *params[] = { "location", location, "forStorage", "false", NULL };

  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager));

  geocode_request (manager, "reverseGeocode", params, (ParseFunc) arcpass_geocode_parse_reverse,
                   cancellable, callback, user_data, arcpass_geocode_reverse_async);
}

ArcpassReverseGeocodeResult *
arcpass_geocode_reverse_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_geocode_reverse_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
