/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "arcpass-error.h"
#include "arcpass-json.h"
#include "arcpass-probe.h"
#include "arcpass-secret.h"
#include "arcpass-sign-in.h"
#include "arcpass-token-scope.h"

G_DEFINE_ENUM_TYPE (ArcpassProbeStatus, arcpass_probe_status,
  G_DEFINE_ENUM_VALUE (ARCPASS_PROBE_WORKS, "works"),
  G_DEFINE_ENUM_VALUE (ARCPASS_PROBE_MISSING_PRIVILEGE, "missing-privilege"),
  G_DEFINE_ENUM_VALUE (ARCPASS_PROBE_INVALID_KEY, "invalid-key"),
  G_DEFINE_ENUM_VALUE (ARCPASS_PROBE_FAILED, "failed"))

/* Slots of the result array, in the documented order. */
enum {
  SLOT_STYLES,
  SLOT_TILES,
  SLOT_GEOCODE,
  N_PROBES
};

/* A style every key with the basemaps privilege may fetch. Fetching a style
 * is free (usage is counted on tiles and sessions), and unlike the
 * `styles/self` listing it needs the privilege. */
#define PROBE_STYLE "arcgis/navigation"

void
arcpass_probe_result_free (ArcpassProbeResult *result)
{
  if (result == NULL)
    return;

  g_free (result->privilege);
  g_free (result->message);
  g_free (result);
}

/* How a probe goes, with no side effect and nothing billed where possible:
 *
 * 1. `portals/self` with the token (when the portal is known): its
 *    `appInfo.privileges` (keys, app tokens) or `user.privileges` say what
 *    the token may do; a 498/499 there means the key is refused everywhere,
 *    and nothing else is asked.
 * 2. Basemap Styles (a style fetch) and Static Basemap Tiles (`self`), both
 *    free, unless the privileges already say the service is not allowed.
 * 3. Geocoding: decided from the privileges when they are known. Only when
 *    they are not (no portal, or it would not say) is one search made, and
 *    the result says that it was billable.
 */
typedef struct {
  ArcpassEndpoints *endpoints;
  char *rest_root;        /* NULL: no portal to ask */
  char *token;            /* cleared when freed */
  GStrv privileges;       /* NULL: unknown */
  char *refused_message;  /* the key was refused (498/499) */
  GPtrArray *results;     /* N_PROBES slots, filled as answers arrive */
  guint pending;
  /* What the key is, for the one rule of where a token may go and which
   * services its kind of account is offered (no token in it). */
  ArcpassCredential *scope;
} ProbeData;

static void
probe_data_free (ProbeData *data)
{
  arcpass_endpoints_free (data->endpoints);
  g_free (data->rest_root);
  arcpass_secret_free (data->token);
  g_strfreev (data->privileges);
  g_free (data->refused_message);
  g_clear_pointer (&data->results, g_ptr_array_unref);
  g_clear_object (&data->scope);
  g_free (data);
}

static ArcpassProbeResult *
result_new (ArcpassService      service,
            ArcpassProbeStatus  status,
            const char         *message)
{
  ArcpassProbeResult *probe = g_new0 (ArcpassProbeResult, 1);

  probe->service = service;
  probe->status = status;
  probe->message = g_strdup (message);
  if (status == ARCPASS_PROBE_MISSING_PRIVILEGE)
    probe->privilege = g_strdup (arcpass_service_get_privilege (service));

  return probe;
}

static void set_result (ProbeData          *data,
                        guint               slot,
                        ArcpassProbeResult *probe);

/* Whether the key may be sent to @url for @service: the service must be
 * offered to the key's kind of account, and the host must accept the key
 * (arcpass-token-scope.c). Otherwise the slot gets the verdict and FALSE is
 * returned: nothing is sent. */
static gboolean
may_ask (ProbeData      *data,
         guint           slot,
         ArcpassService  service,
         const char     *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;

  if (!arcpass_token_scope_check_offered (data->scope, service, TRUE, &error))
    {
      ArcpassProbeResult *probe = result_new (service, ARCPASS_PROBE_NOT_OFFERED, error->message);

      probe->from_privileges = TRUE;
      set_result (data, slot, probe);
      return FALSE;
    }
  if (arcpass_token_scope_decide (data->scope, NULL, url, &reason) != ARCPASS_TOKEN_SCOPE_ACCOUNT)
    {
      set_result (data, slot, result_new (service, ARCPASS_PROBE_FAILED, reason));
      return FALSE;
    }
  return TRUE;
}

static void
set_result (ProbeData          *data,
            guint               slot,
            ArcpassProbeResult *probe)
{
  g_clear_pointer (&g_ptr_array_index (data->results, slot), arcpass_probe_result_free);
  g_ptr_array_index (data->results, slot) = probe;
}

static gboolean
has_any (const char * const *privileges,
         const char * const *wanted)
{
  for (guint i = 0; wanted[i] != NULL; i++)
    if (g_strv_contains (privileges, wanted[i]))
      return TRUE;
  return FALSE;
}

/* Whether the known privileges allow @service. */
static gboolean
privileges_allow (ProbeData      *data,
                  ArcpassService  service)
{
  const char * const *privileges = (const char * const *) data->privileges;

  switch (service)
    {
    case ARCPASS_SERVICE_GEOCODE:
      /* Any of them lets a search run (storing results needs :stored). */
      return has_any (privileges, (const char * const[]) {
        "premium:user:geocode", "premium:user:geocode:temporary", "premium:user:geocode:stored", NULL });
    case ARCPASS_SERVICE_BASEMAP_STYLES:
    case ARCPASS_SERVICE_STATIC_TILES:
      return g_strv_contains (privileges, arcpass_service_get_privilege (service));
    case ARCPASS_SERVICE_NONE:
    case ARCPASS_SERVICE_PORTAL:
    case ARCPASS_SERVICE_OAUTH:
    default:
      return FALSE;
    }
}

static ArcpassProbeResult *
result_from_answer (ArcpassService  service,
                    JsonObject     *json,
                    guint           status,
                    const GError   *error)
{
  ArcpassProbeResult *probe;

  if (json != NULL)
    probe = result_new (service, ARCPASS_PROBE_WORKS, _("Works."));
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_MISSING_PRIVILEGE))
    probe = result_new (service, ARCPASS_PROBE_MISSING_PRIVILEGE, error->message);
  else if (arcpass_error_is_token_error (error) ||
           g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_EXPIRED))
    probe = result_new (service, ARCPASS_PROBE_INVALID_KEY, error->message);
  else
    probe = result_new (service, ARCPASS_PROBE_FAILED, error->message);

  probe->http_status = status;
  return probe;
}

static void
probe_finish (GTask *task)
{
  ProbeData *data = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  g_task_return_pointer (task, g_steal_pointer (&data->results), (GDestroyNotify) g_ptr_array_unref);
}

static void
geocode_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ProbeData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  ArcpassProbeResult *probe;
  guint status = 0;

  json = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, &status, &error);
  probe = result_from_answer (ARCPASS_SERVICE_GEOCODE, json, status, error);
  probe->billable = TRUE;
  set_result (data, SLOT_GEOCODE, probe);
  probe_finish (task);
}

static void
probe_geocode (GTask *task)
{
  ArcpassClient *client = g_task_get_source_object (task);
  ProbeData *data = g_task_get_task_data (task);
  g_autofree char *url = NULL;
  const char * const params[] = {
    "SingleLine", "Redlands", "maxLocations", "1", "forStorage", "false", NULL
  };

  if (g_task_return_error_if_cancelled (task))
    return;

  if (data->refused_message != NULL)
    {
      /* A key one service refuses is refused by all: no search for that. */
      set_result (data, SLOT_GEOCODE, result_new (ARCPASS_SERVICE_GEOCODE, ARCPASS_PROBE_INVALID_KEY,
                                                  data->refused_message));
      probe_finish (task);
      return;
    }

  if (data->privileges != NULL)
    {
      ArcpassProbeResult *probe;

      if (privileges_allow (data, ARCPASS_SERVICE_GEOCODE))
        probe = result_new (ARCPASS_SERVICE_GEOCODE, ARCPASS_PROBE_WORKS,
                            _("Allowed by the key’s privileges. Not tried: a test search "
                              "would be billed."));
      else
        probe = result_new (ARCPASS_SERVICE_GEOCODE, ARCPASS_PROBE_MISSING_PRIVILEGE,
                            _("The key’s privileges do not include geocoding."));
      probe->from_privileges = TRUE;
      set_result (data, SLOT_GEOCODE, probe);
      probe_finish (task);
      return;
    }

  /* Nothing says what the key may do: one search, labelled as billable. */
  url = g_strconcat (data->endpoints->geocode_url, "/findAddressCandidates", NULL);
  if (!may_ask (data, SLOT_GEOCODE, ARCPASS_SERVICE_GEOCODE, url))
    {
      probe_finish (task);
      return;
    }
  arcpass_client_request_json_async (client, ARCPASS_SERVICE_GEOCODE, url, params, data->token,
                                     ARCPASS_REQUEST_NONE, g_task_get_cancellable (task),
                                     geocode_cb, g_object_ref (task));
}

typedef struct {
  GTask *task;
  guint slot;
  ArcpassService service;
} FreeCall;

static void
free_probe_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  FreeCall *call = user_data;
  g_autoptr(GTask) task = call->task;
  ProbeData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  ArcpassProbeResult *probe;
  guint status = 0;

  json = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, &status, &error);
  probe = result_from_answer (call->service, json, status, error);
  if (probe->status == ARCPASS_PROBE_INVALID_KEY && data->refused_message == NULL)
    data->refused_message = g_strdup (probe->message);
  set_result (data, call->slot, probe);
  g_free (call);

  if (--data->pending > 0)
    return;

  probe_geocode (task);
}

static void
probe_free_services (GTask *task)
{
  ArcpassClient *client = g_task_get_source_object (task);
  ProbeData *data = g_task_get_task_data (task);
  g_autofree char *styles_url = NULL;
  g_autofree char *tiles_url = NULL;
  const char * const style_params[] = { "echoToken", "false", NULL };
  struct {
    guint slot;
    ArcpassService service;
    const char *url;
    const char * const *params;
  } calls[2];

  styles_url = g_strconcat (data->endpoints->basemap_styles_url, "/styles/" PROBE_STYLE, NULL);
  tiles_url = g_strconcat (data->endpoints->static_tiles_url, "/self", NULL);
  calls[0].slot = SLOT_STYLES;
  calls[0].service = ARCPASS_SERVICE_BASEMAP_STYLES;
  calls[0].url = styles_url;
  calls[0].params = style_params;
  calls[1].slot = SLOT_TILES;
  calls[1].service = ARCPASS_SERVICE_STATIC_TILES;
  calls[1].url = tiles_url;
  calls[1].params = NULL;

  data->pending = 1;
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      FreeCall *call;

      /* Not offered to this kind of account, or not a host for this key:
       * nothing to ask. */
      if (!may_ask (data, calls[i].slot, calls[i].service, calls[i].url))
        continue;

      /* Known not to be allowed: nothing to ask. */
      if (data->privileges != NULL && !privileges_allow (data, calls[i].service))
        {
          ArcpassProbeResult *probe = result_new (calls[i].service, ARCPASS_PROBE_MISSING_PRIVILEGE,
                                                  NULL);

          probe->message = g_strdup_printf (_("The key’s privileges do not include “%s”."),
                                            probe->privilege);
          probe->from_privileges = TRUE;
          set_result (data, calls[i].slot, probe);
          continue;
        }

      call = g_new0 (FreeCall, 1);
      call->task = g_object_ref (task);
      call->slot = calls[i].slot;
      call->service = calls[i].service;
      data->pending++;
      arcpass_client_request_json_async (client, calls[i].service, calls[i].url, calls[i].params,
                                         data->token, ARCPASS_REQUEST_NONE,
                                         g_task_get_cancellable (task), free_probe_cb, call);
    }

  /* In parallel; the geocoding step waits for both. */
  if (--data->pending == 0)
    probe_geocode (task);
}

static void
portal_self_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ProbeData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;

  json = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, NULL, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (json == NULL &&
      (arcpass_error_is_token_error (error) ||
       g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_EXPIRED)))
    {
      /* The key's own portal refuses it: it works nowhere. */
      for (guint slot = 0; slot < N_PROBES; slot++)
        {
          ArcpassService service = slot == SLOT_STYLES ? ARCPASS_SERVICE_BASEMAP_STYLES
                                 : slot == SLOT_TILES ? ARCPASS_SERVICE_STATIC_TILES
                                 : ARCPASS_SERVICE_GEOCODE;

          set_result (data, slot, result_new (service, ARCPASS_PROBE_INVALID_KEY, error->message));
        }
      probe_finish (task);
      return;
    }

  if (json != NULL)
    {
      JsonObject *holder = NULL;
      ArcpassAccountKind kind = arcpass_account_kind_from_portal_self (json);

      if (kind != ARCPASS_ACCOUNT_KIND_UNKNOWN)
        arcpass_credential_set_account_kind (data->scope, kind);

      /* Keys and app tokens: appInfo; user tokens: user. Anything missing
       * or of the wrong type leaves the privileges unknown. */
      if ((arcpass_json_object_get_optional_object (json, "appInfo", &holder, NULL) && holder &&
           json_object_has_member (holder, "privileges")) ||
          (arcpass_json_object_get_optional_object (json, "user", &holder, NULL) && holder &&
           json_object_has_member (holder, "privileges")))
        data->privileges = arcpass_json_object_dup_strv (holder, "privileges", NULL);
    }
  else
    g_debug ("portals/self did not say what the token may do: %s", error->message);

  probe_free_services (task);
}

void
arcpass_probe_key_async (ArcpassClient          *client,
                         const char             *portal,
                         const ArcpassEndpoints *endpoints,
                         const char             *token,
                         GCancellable           *cancellable,
                         GAsyncReadyCallback     callback,
                         gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  ProbeData *data;

  g_return_if_fail (ARCPASS_IS_CLIENT (client));
  g_return_if_fail (endpoints != NULL);
  g_return_if_fail (token != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_probe_token_async);

  data = g_new0 (ProbeData, 1);
  data->endpoints = arcpass_endpoints_copy (endpoints);
  data->token = arcpass_secret_dup (token);
  data->results = g_ptr_array_new_full (N_PROBES, (GDestroyNotify) arcpass_probe_result_free);
  g_ptr_array_set_size (data->results, N_PROBES);
  if (portal != NULL)
    data->scope = arcpass_credential_new (ARCPASS_CREDENTIAL_API_KEY, portal);
  else
    {
      /* No portal: the key is taken for an ArcGIS Online key, which goes to
       * ArcGIS's location services only; for the sandbox's services (on
       * loopback), to the sandbox's ArcGIS Online–like portal. */
      g_autoptr(GUri) uri = g_uri_parse (endpoints->geocode_url, G_URI_FLAGS_NONE, NULL);
      g_autofree char *sandbox = NULL;

      if (uri && g_uri_get_host (uri) && arcpass_host_is_loopback (g_uri_get_host (uri)) &&
          g_uri_get_port (uri) > 0)
        sandbox = g_strdup_printf ("%s://127.0.0.1:%d", g_uri_get_scheme (uri),
                                   g_uri_get_port (uri));
      data->scope = arcpass_credential_new (ARCPASS_CREDENTIAL_API_KEY,
                                            sandbox ? sandbox : ARCPASS_ONLINE_PORTAL_URL);
    }
  g_task_set_task_data (task, data, (GDestroyNotify) probe_data_free);

  if (portal != NULL &&
      !arcpass_portal_normalize (portal, NULL, &data->rest_root, NULL))
    g_clear_pointer (&data->rest_root, g_free);

  if (data->rest_root != NULL)
    {
      g_autofree char *url = g_strconcat (data->rest_root, "/portals/self", NULL);

      arcpass_client_request_json_async (client, ARCPASS_SERVICE_PORTAL, url, NULL, data->token,
                                         ARCPASS_REQUEST_NONE, cancellable, portal_self_cb,
                                         g_steal_pointer (&task));
      return;
    }

  probe_free_services (task);
}

void
arcpass_probe_token_async (ArcpassClient          *client,
                           const ArcpassEndpoints *endpoints,
                           const char             *token,
                           GCancellable           *cancellable,
                           GAsyncReadyCallback     callback,
                           gpointer                user_data)
{
  arcpass_probe_key_async (client, NULL, endpoints, token, cancellable, callback, user_data);
}

GPtrArray *
arcpass_probe_token_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_probe_token_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
