/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

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

void
arcpass_geocode_find_async (ArcpassTokenManager *manager,
                            const char          *single_line,
                            const char          *magic_key,
                            guint                max_locations,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *max = g_strdup_printf ("%u", max_locations);
  const char *params[12];
  guint n = 0;

  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager));
  g_return_if_fail (single_line != NULL);

  params[n++] = "SingleLine";
  params[n++] = single_line;
  params[n++] = "outFields";
  params[n++] = "*";
  /* Results are shown, not stored: the cheaper, non-stored privilege. */
  params[n++] = "forStorage";
  params[n++] = "false";
  if (magic_key != NULL)
    {
      params[n++] = "magicKey";
      params[n++] = magic_key;
    }
  if (max_locations > 0)
    {
      params[n++] = "maxLocations";
      params[n++] = max;
    }
  params[n] = NULL;

  geocode_request (manager, "findAddressCandidates", params,
                   (ParseFunc) arcpass_geocode_parse_candidates,
                   cancellable, callback, user_data, arcpass_geocode_find_async);
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
  g_autofree char *location = format_xy (x, y);
  g_autofree char *max = g_strdup_printf ("%u", max_suggestions);
  const char *params[8];
  guint n = 0;

  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager));
  g_return_if_fail (text != NULL);

  params[n++] = "text";
  params[n++] = text;
  if (has_location)
    {
      params[n++] = "location";
      params[n++] = location;
    }
  if (max_suggestions > 0)
    {
      params[n++] = "maxSuggestions";
      params[n++] = max;
    }
  params[n] = NULL;

  geocode_request (manager, "suggest", params, (ParseFunc) arcpass_geocode_parse_suggestions,
                   cancellable, callback, user_data, arcpass_geocode_suggest_async);
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
