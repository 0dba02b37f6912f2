/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "arcpass-error.h"
#include "arcpass-probe.h"

G_DEFINE_ENUM_TYPE (ArcpassProbeStatus, arcpass_probe_status,
  G_DEFINE_ENUM_VALUE (ARCPASS_PROBE_WORKS, "works"),
  G_DEFINE_ENUM_VALUE (ARCPASS_PROBE_MISSING_PRIVILEGE, "missing-privilege"),
  G_DEFINE_ENUM_VALUE (ARCPASS_PROBE_INVALID_KEY, "invalid-key"),
  G_DEFINE_ENUM_VALUE (ARCPASS_PROBE_FAILED, "failed"))

#define N_PROBES 3

void
arcpass_probe_result_free (ArcpassProbeResult *result)
{
  if (result == NULL)
    return;

  g_free (result->privilege);
  g_free (result->message);
  g_free (result);
}

typedef struct {
  GPtrArray *results;   /* N_PROBES slots, filled as answers arrive */
  guint pending;
} ProbeData;

static void
probe_data_free (ProbeData *data)
{
  g_clear_pointer (&data->results, g_ptr_array_unref);
  g_free (data);
}

typedef struct {
  GTask *task;
  guint index;
  ArcpassService service;
} ProbeCall;

static void
probe_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  ProbeCall *call = user_data;
  g_autoptr(GTask) task = call->task;
  ProbeData *data = g_task_get_task_data (task);
  ArcpassProbeResult *probe = g_new0 (ArcpassProbeResult, 1);
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  guint status = 0;

  json = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, &status, &error);

  probe->service = call->service;
  probe->http_status = status;

  if (json != NULL)
    {
      probe->status = ARCPASS_PROBE_WORKS;
      probe->message = g_strdup (_("Works."));
    }
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_MISSING_PRIVILEGE))
    {
      probe->status = ARCPASS_PROBE_MISSING_PRIVILEGE;
      probe->privilege = g_strdup (arcpass_service_get_privilege (call->service));
      probe->message = g_strdup (error->message);
    }
  else if (arcpass_error_is_token_error (error) ||
           g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_EXPIRED))
    {
      probe->status = ARCPASS_PROBE_INVALID_KEY;
      probe->message = g_strdup (error->message);
    }
  else
    {
      probe->status = ARCPASS_PROBE_FAILED;
      probe->message = g_strdup (error->message);
    }

  g_ptr_array_index (data->results, call->index) = probe;
  g_free (call);

  if (--data->pending > 0)
    return;

  if (g_task_return_error_if_cancelled (task))
    return;

  g_task_return_pointer (task, g_steal_pointer (&data->results), (GDestroyNotify) g_ptr_array_unref);
}

void
arcpass_probe_token_async (ArcpassClient          *client,
                           const ArcpassEndpoints *endpoints,
                           const char             *token,
                           GCancellable           *cancellable,
                           GAsyncReadyCallback     callback,
                           gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *styles_url = NULL;
  g_autofree char *tiles_url = NULL;
  g_autofree char *geocode_url = NULL;
  const char *geocode_params[] = {
    "SingleLine", "Redlands", "maxLocations", "1", "forStorage", "false", NULL
  };
  struct {
    ArcpassService service;
    const char *url;
    const char * const *params;
  } probes[N_PROBES];
  ProbeData *data;

  g_return_if_fail (ARCPASS_IS_CLIENT (client));
  g_return_if_fail (endpoints != NULL);
  g_return_if_fail (token != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_probe_token_async);

  data = g_new0 (ProbeData, 1);
  data->results = g_ptr_array_new_full (N_PROBES, (GDestroyNotify) arcpass_probe_result_free);
  g_ptr_array_set_size (data->results, N_PROBES);
  data->pending = N_PROBES;
  g_task_set_task_data (task, data, (GDestroyNotify) probe_data_free);

  styles_url = g_strconcat (endpoints->basemap_styles_url, "/styles/self", NULL);
  tiles_url = g_strconcat (endpoints->static_tiles_url, "/self", NULL);
  geocode_url = g_strconcat (endpoints->geocode_url, "/findAddressCandidates", NULL);

  probes[0].service = ARCPASS_SERVICE_BASEMAP_STYLES;
  probes[0].url = styles_url;
  probes[0].params = NULL;
  probes[1].service = ARCPASS_SERVICE_STATIC_TILES;
  probes[1].url = tiles_url;
  probes[1].params = NULL;
  probes[2].service = ARCPASS_SERVICE_GEOCODE;
  probes[2].url = geocode_url;
  probes[2].params = geocode_params;

  /* In parallel: the user waits for the slowest, not for the sum. */
  for (guint i = 0; i < N_PROBES; i++)
    {
      ProbeCall *call = g_new0 (ProbeCall, 1);

      call->task = g_object_ref (task);
      call->index = i;
      call->service = probes[i].service;
      arcpass_client_request_json_async (client, probes[i].service, probes[i].url,
                                         probes[i].params, token, ARCPASS_REQUEST_NONE,
                                         cancellable, probe_cb, call);
    }
}

GPtrArray *
arcpass_probe_token_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_probe_token_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
