/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "arcpass-account-store.h"
#include "arcpass-error.h"
#include "arcpass-oauth.h"
#include "arcpass-portal.h"
#include "arcpass-secret.h"
#include "arcpass-server-tokens.h"
#include "arcpass-token-manager.h"
#include "arcpass-token-scope.h"

struct _ArcpassTokenManager
{
  GObject parent_instance;

  ArcpassClient *client;
  ArcpassCredential *credential;
  ArcpassAccountStore *store;
  ArcpassEndpoints *endpoints;
  /* The organisation's host, <urlKey>.<customBaseUrl>, when known. */
  char *org_host;
  /* Server tokens for the servers federated with an Enterprise portal. */
  ArcpassServerTokens *server_tokens;

  /* GTasks of get_token calls waiting for the one refresh in flight. */
  GPtrArray *waiters;
  gboolean refreshing;

  /* Seconds before expiry at which a token is renewed. */
  guint refresh_margin;
};

G_DEFINE_FINAL_TYPE (ArcpassTokenManager, arcpass_token_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_CREDENTIAL,
  PROP_STORE,
  PROP_ENDPOINTS,
  PROP_REFRESHING,
  N_PROPS
};

enum {
  TOKEN_REFRESHED,
  SIGN_IN_REQUIRED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_refreshing (ArcpassTokenManager *self,
                gboolean             refreshing)
{
  if (self->refreshing == refreshing)
    return;

  self->refreshing = refreshing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESHING]);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The new tokens still work for this run; only the next start would
   * need a new sign-in, so a warning is enough. */
  if (!arcpass_account_store_save_finish (ARCPASS_ACCOUNT_STORE (object), result, &error))
    g_warning ("Could not save the renewed account to the keyring: %s", error->message);
}

static void
save_credential (ArcpassTokenManager *self)
{
  if (self->store != NULL)
    arcpass_account_store_save_async (self->store, self->credential, NULL, save_cb, NULL);
}

/* Errors the user must act on (sign in again); anything else (network,
 * timeout, 5xx, garbage) is transient and leaves the account as it was. */
static gboolean
needs_sign_in (const GError *error)
{
  if (error->domain != ARCPASS_ERROR)
    return FALSE;

  switch ((ArcpassError) error->code)
    {
    case ARCPASS_ERROR_INVALID_TOKEN:
    case ARCPASS_ERROR_TOKEN_REQUIRED:
    case ARCPASS_ERROR_TOKEN_EXPIRED:
    case ARCPASS_ERROR_INVALID_CLIENT:
    case ARCPASS_ERROR_REDIRECT_MISMATCH:
    case ARCPASS_ERROR_INVALID_GRANT:
    case ARCPASS_ERROR_INVALID_CREDENTIALS:
    case ARCPASS_ERROR_SIGN_IN_REQUIRED:
    case ARCPASS_ERROR_ACCESS_DENIED:
      return TRUE;
    case ARCPASS_ERROR_FAILED:
    case ARCPASS_ERROR_INVALID_INPUT:
    case ARCPASS_ERROR_INSECURE_PORTAL:
    case ARCPASS_ERROR_NETWORK:
    case ARCPASS_ERROR_TIMEOUT:
    case ARCPASS_ERROR_SERVICE_UNAVAILABLE:
    case ARCPASS_ERROR_MALFORMED_RESPONSE:
    case ARCPASS_ERROR_RESPONSE_TOO_LARGE:
    case ARCPASS_ERROR_MISSING_PRIVILEGE:
    case ARCPASS_ERROR_STATE_MISMATCH:
    case ARCPASS_ERROR_NOT_FOUND:
    case ARCPASS_ERROR_NO_SECRET_SERVICE:
    case ARCPASS_ERROR_KEYRING_LOCKED:
    case ARCPASS_ERROR_SERVICE_ERROR:
    case ARCPASS_ERROR_CANCELLED:
    case ARCPASS_ERROR_BLOCKED:
    case ARCPASS_ERROR_RATE_LIMITED:
    case ARCPASS_ERROR_MOVED:
    case ARCPASS_ERROR_WEB_TIER_AUTH:
    case ARCPASS_ERROR_NOT_OFFERED:
    case ARCPASS_ERROR_NO_TOKEN_FOR_HOST:
    case ARCPASS_ERROR_PORT_IN_USE:
    /* A locked account or an identity-provider account cannot renew a
     * token here either, but only generateToken (never renewed) says so. */
    case ARCPASS_ERROR_ACCOUNT_LOCKED:
    case ARCPASS_ERROR_EXTERNAL_ACCOUNT:
    default:
      return FALSE;
    }
}

static GError *
mark_sign_in_required (ArcpassTokenManager *self,
                       const GError        *cause)
{
  GError *error;

  error = g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_SIGN_IN_REQUIRED,
                       /* Translators: %s says why, such as “The saved sign-in has
                        * expired.” */
                       _("Sign in again to keep using this account. %s"),
                       cause ? cause->message : _("Its token has expired and cannot be renewed."));

  /* The account is kept (the user may just sign in again); it is only
   * marked, and saved marked, so that the next start shows it too. */
  if (arcpass_credential_get_state (self->credential) != ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED)
    {
      arcpass_credential_set_state (self->credential, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);
      save_credential (self);
    }
  g_signal_emit (self, signals[SIGN_IN_REQUIRED], 0, error);

  return error;
}

static void
complete_waiters (ArcpassTokenManager *self,
                  const GError        *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->waiters);

  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  set_refreshing (self, FALSE);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (g_task_return_error_if_cancelled (task))
        continue;

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task,
                               arcpass_secret_dup (arcpass_credential_get_access_token (self->credential)),
                               (GDestroyNotify) arcpass_secret_free);
    }
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ArcpassTokenManager) self = user_data;
  g_autoptr(ArcpassTokenResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  response = g_task_propagate_pointer (G_TASK (result), &error);

  if (response == NULL)
    {
      if (needs_sign_in (error))
        {
          g_autoptr(GError) sign_in = mark_sign_in_required (self, error);
          complete_waiters (self, sign_in);
        }
      else
        {
          arcpass_credential_set_state (self->credential, ARCPASS_CREDENTIAL_STATE_OFFLINE);
          complete_waiters (self, error);
        }
      return;
    }

  arcpass_credential_apply_token_response (self->credential, response);
  arcpass_credential_update_state (self->credential, arcpass_client_get_now (self->client));
  save_credential (self);
  g_signal_emit (self, signals[TOKEN_REFRESHED], 0);
  complete_waiters (self, NULL);
}

static void
start_refresh (ArcpassTokenManager *self)
{
  ArcpassCredential *credential = self->credential;
  g_autofree char *rest_root = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = arcpass_client_get_now (self->client);

  set_refreshing (self, TRUE);

  if (!arcpass_portal_normalize (arcpass_credential_get_portal_url (credential), NULL, &rest_root, &error))
    {
      complete_waiters (self, error);
      return;
    }

  /* The refresh is shared by all waiters, so no caller's cancellable may
   * stop it; each waiter's own cancellation is honoured when it ends. */
  switch (arcpass_credential_get_kind (credential))
    {
    case ARCPASS_CREDENTIAL_OAUTH_USER:
      {
        gint64 refresh_expires = arcpass_credential_get_refresh_expires (credential);

        if (refresh_expires != 0 && refresh_expires - now < ARCPASS_REFRESH_TOKEN_ROTATE_MARGIN)
          {
            g_debug ("Refresh token expires in less than 24 h: exchanging it");
            arcpass_oauth_exchange_refresh_token_async (self->client, rest_root,
                                                        arcpass_credential_get_client_id (credential),
                                                        arcpass_credential_get_redirect_uri (credential),
                                                        arcpass_credential_get_refresh_token (credential),
                                                        NULL, refresh_cb, g_object_ref (self));
          }
        else
          {
            g_debug ("Refreshing the access token");
            arcpass_oauth_refresh_async (self->client, rest_root,
                                         arcpass_credential_get_client_id (credential),
                                         arcpass_credential_get_refresh_token (credential),
                                         NULL, refresh_cb, g_object_ref (self));
          }
      }
      break;

    case ARCPASS_CREDENTIAL_APP_CREDENTIALS:
      g_debug ("Requesting a new app token");
      arcpass_oauth_client_credentials_async (self->client, rest_root,
                                              arcpass_credential_get_client_id (credential),
                                              arcpass_credential_get_client_secret (credential),
                                              0, NULL, refresh_cb, g_object_ref (self));
      break;

    case ARCPASS_CREDENTIAL_API_KEY:
    case ARCPASS_CREDENTIAL_GENERATE_TOKEN:
    default:
      g_assert_not_reached ();
    }
}

static void
access_token_changed_cb (ArcpassTokenManager *self)
{
  if (self->server_tokens)
    arcpass_server_tokens_forget (self->server_tokens, NULL);
}

static void
arcpass_token_manager_dispose (GObject *object)
{
  ArcpassTokenManager *self = (ArcpassTokenManager *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->credential);
  g_clear_object (&self->store);
  g_clear_object (&self->server_tokens);

  G_OBJECT_CLASS (arcpass_token_manager_parent_class)->dispose (object);
}

static void
arcpass_token_manager_finalize (GObject *object)
{
  ArcpassTokenManager *self = (ArcpassTokenManager *)object;

  g_clear_pointer (&self->endpoints, arcpass_endpoints_free);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_free (self->org_host);

  G_OBJECT_CLASS (arcpass_token_manager_parent_class)->finalize (object);
}

static void
arcpass_token_manager_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ArcpassTokenManager *self = ARCPASS_TOKEN_MANAGER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_CREDENTIAL:
      g_value_set_object (value, self->credential);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_ENDPOINTS:
      g_value_set_boxed (value, self->endpoints);
      break;
    case PROP_REFRESHING:
      g_value_set_boolean (value, self->refreshing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_token_manager_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ArcpassTokenManager *self = ARCPASS_TOKEN_MANAGER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_CREDENTIAL:
      self->credential = g_value_dup_object (value);
      /* Server tokens were exchanged for the portal token: a new portal
       * token (renewal, rotation, sign-out) makes them stale. */
      if (self->credential)
        g_signal_connect_object (self->credential, "notify::access-token",
                                 G_CALLBACK (access_token_changed_cb), self,
                                 G_CONNECT_SWAPPED);
      break;
    case PROP_STORE:
      g_set_object (&self->store, g_value_get_object (value));
      break;
    case PROP_ENDPOINTS:
      arcpass_token_manager_set_endpoints (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_token_manager_class_init (ArcpassTokenManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = arcpass_token_manager_dispose;
  object_class->finalize = arcpass_token_manager_finalize;
  object_class->get_property = arcpass_token_manager_get_property;
  object_class->set_property = arcpass_token_manager_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, ARCPASS_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CREDENTIAL] =
    g_param_spec_object ("credential", NULL, NULL, ARCPASS_TYPE_CREDENTIAL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, ARCPASS_TYPE_ACCOUNT_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENDPOINTS] =
    g_param_spec_boxed ("endpoints", NULL, NULL, ARCPASS_TYPE_ENDPOINTS,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REFRESHING] =
    g_param_spec_boolean ("refreshing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TOKEN_REFRESHED] =
    g_signal_new ("token-refreshed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGN_IN_REQUIRED] =
    g_signal_new ("sign-in-required", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
arcpass_token_manager_init (ArcpassTokenManager *self)
{
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->endpoints = arcpass_endpoints_new_default ();
  self->refresh_margin = ARCPASS_TOKEN_REFRESH_MARGIN;
}

ArcpassTokenManager *
arcpass_token_manager_new (ArcpassClient       *client,
                           ArcpassCredential   *credential,
                           ArcpassAccountStore *store)
{
  g_return_val_if_fail (ARCPASS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (credential), NULL);
  g_return_val_if_fail (!store || ARCPASS_IS_ACCOUNT_STORE (store), NULL);

  return g_object_new (ARCPASS_TYPE_TOKEN_MANAGER,
                       "client", client,
                       "credential", credential,
                       "store", store,
                       NULL);
}

ArcpassCredential *
arcpass_token_manager_get_credential (ArcpassTokenManager *self)
{
  g_return_val_if_fail (ARCPASS_IS_TOKEN_MANAGER (self), NULL);
  return self->credential;
}

ArcpassClient *
arcpass_token_manager_get_client (ArcpassTokenManager *self)
{
  g_return_val_if_fail (ARCPASS_IS_TOKEN_MANAGER (self), NULL);
  return self->client;
}

ArcpassAccountStore *
arcpass_token_manager_get_store (ArcpassTokenManager *self)
{
  g_return_val_if_fail (ARCPASS_IS_TOKEN_MANAGER (self), NULL);
  return self->store;
}

const ArcpassEndpoints *
arcpass_token_manager_get_endpoints (ArcpassTokenManager *self)
{
  g_return_val_if_fail (ARCPASS_IS_TOKEN_MANAGER (self), NULL);
  return self->endpoints;
}

/**
 * arcpass_token_manager_set_refresh_margin:
 * @seconds: how long before expiry a token is renewed (the "refresh-margin"
 *   setting); 0 restores the default of 5 minutes
 */
void
arcpass_token_manager_set_refresh_margin (ArcpassTokenManager *self,
                                          guint                seconds)
{
  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (self));

  self->refresh_margin = seconds ? seconds : ARCPASS_TOKEN_REFRESH_MARGIN;
}

guint
arcpass_token_manager_get_refresh_margin (ArcpassTokenManager *self)
{
  g_return_val_if_fail (ARCPASS_IS_TOKEN_MANAGER (self), ARCPASS_TOKEN_REFRESH_MARGIN);

  return self->refresh_margin;
}

void
arcpass_token_manager_set_endpoints (ArcpassTokenManager    *self,
                                     const ArcpassEndpoints *endpoints)
{
  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (self));

  g_clear_pointer (&self->endpoints, arcpass_endpoints_free);
  self->endpoints = endpoints ? arcpass_endpoints_copy (endpoints) : arcpass_endpoints_new_default ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENDPOINTS]);
}

void
arcpass_token_manager_set_org_host (ArcpassTokenManager *self,
                                    const char          *org_host)
{
  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (self));

  g_free (self->org_host);
  self->org_host = g_strdup (org_host);
}

const char *
arcpass_token_manager_get_org_host (ArcpassTokenManager *self)
{
  g_return_val_if_fail (ARCPASS_IS_TOKEN_MANAGER (self), NULL);
  return self->org_host;
}

ArcpassTokenScope
arcpass_token_manager_decide_scope (ArcpassTokenManager  *self,
                                    const char           *url,
                                    char                **out_reason)
{
  g_return_val_if_fail (ARCPASS_IS_TOKEN_MANAGER (self), ARCPASS_TOKEN_SCOPE_NONE);
  return arcpass_token_scope_decide (self->credential, self->org_host, url, out_reason);
}

static ArcpassServerTokens *
get_server_tokens (ArcpassTokenManager *self)
{
  if (self->server_tokens == NULL)
    self->server_tokens = arcpass_server_tokens_new (self->client);
  return self->server_tokens;
}

gboolean
arcpass_token_manager_get_refreshing (ArcpassTokenManager *self)
{
  g_return_val_if_fail (ARCPASS_IS_TOKEN_MANAGER (self), FALSE);
  return self->refreshing;
}

void
arcpass_token_manager_get_token_async (ArcpassTokenManager *self,
                                       gboolean             force_refresh,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ArcpassCredential *credential;
  gint64 now;

  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_token_manager_get_token_async);

  credential = self->credential;
  now = arcpass_client_get_now (self->client);

  if (!force_refresh && !self->refreshing &&
      arcpass_credential_access_valid_at (credential, now, self->refresh_margin))
    {
      g_task_return_pointer (task, arcpass_secret_dup (arcpass_credential_get_access_token (credential)),
                             (GDestroyNotify) arcpass_secret_free);
      return;
    }

  if (!arcpass_credential_can_refresh_at (credential, now))
    {
      g_autoptr(GError) error = NULL;

      /* Keys and generateToken tokens cannot be renewed: hand out what is
       * left of them (a 498 will tell if it is too late). */
      if (!force_refresh && arcpass_credential_access_valid_at (credential, now, 0))
        {
          arcpass_credential_update_state (credential, now);
          g_task_return_pointer (task, arcpass_secret_dup (arcpass_credential_get_access_token (credential)),
                                 (GDestroyNotify) arcpass_secret_free);
          return;
        }

      /* Asking to renew what cannot be renewed is not a reason to spoil a
       * still-valid key or token. */
      if (force_refresh && arcpass_credential_access_valid_at (credential, now, 0))
        {
          g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                                   _("This kind of account cannot be renewed; its token stays "
                                     "valid until it expires."));
          return;
        }

      error = mark_sign_in_required (self, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_ptr_array_add (self->waiters, g_steal_pointer (&task));
  if (!self->refreshing)
    start_refresh (self);
}

char *
arcpass_token_manager_get_token_finish (ArcpassTokenManager  *self,
                                        GAsyncResult         *result,
                                        GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_token_manager_get_token_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Requests with retry --------------------------------------------- */

typedef struct {
  gboolean want_json;
  ArcpassService service;
  char *url;
  char **params;
  ArcpassRequestFlags flags;
  ArcpassTokenScope scope;
  gboolean retried;
  char *out_content_type;
  /* The service's refusal, while the portal is asked about the token. */
  GError *service_error;
} ManagedRequest;

static void
managed_request_free (ManagedRequest *request)
{
  g_free (request->url);
  /* Parameters may hold secrets (a password is never sent here, but a
   * caller may pass one); clear them all. */
  if (request->params != NULL)
    for (guint i = 0; request->params[i] != NULL; i++)
      explicit_bzero (request->params[i], strlen (request->params[i]));
  g_strfreev (request->params);
  g_free (request->out_content_type);
  g_clear_error (&request->service_error);
  g_free (request);
}

static void send_with_token (GTask      *task,
                             const char *token);

static void
server_token_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(ArcpassSecret) token = NULL;
  g_autoptr(GError) error = NULL;

  token = arcpass_server_tokens_get_finish (ARCPASS_SERVER_TOKENS (object), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (token == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  send_with_token (g_steal_pointer (&task), token);
}

static void
token_for_request_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(ArcpassSecret) token = NULL;
  g_autoptr(GError) error = NULL;

  token = arcpass_token_manager_get_token_finish (ARCPASS_TOKEN_MANAGER (object), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (token == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A federated server gets a server token exchanged for the portal's,
   * never the portal token itself. */
  if (((ManagedRequest *) g_task_get_task_data (task))->scope == ARCPASS_TOKEN_SCOPE_SERVER)
    {
      ArcpassTokenManager *self = ARCPASS_TOKEN_MANAGER (object);
      ManagedRequest *request = g_task_get_task_data (task);
      GCancellable *cancellable = g_task_get_cancellable (task);

      arcpass_server_tokens_get_async (get_server_tokens (self), self->credential, token,
                                       request->url, cancellable,
                                       server_token_cb, g_steal_pointer (&task));
      return;
    }

  send_with_token (g_steal_pointer (&task), token);
}

static void
confirm_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ArcpassTokenManager *self = g_task_get_source_object (task);
  ManagedRequest *request = g_task_get_task_data (task);
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;

  json = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, NULL, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  /* The portal refuses the token too: now the account is dead. */
  if (json == NULL && arcpass_error_is_token_error (error))
    {
      g_autoptr(GError) sign_in = mark_sign_in_required (self, request->service_error);
      g_task_return_error (task, g_steal_pointer (&sign_in));
      return;
    }

  /* The portal accepts it (or could not be asked): one service's refusal
   * says nothing about the account, whose state and keyring item stay as
   * they are. */
  if (json == NULL)
    g_debug ("Could not ask the portal about the token: %s", error->message);
  g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_SERVICE_ERROR,
                           /* Translators: the first %s is a service name such as “the
                            * geocoding service”, the second what it said. */
                           _("The token was refused by %s although the portal accepts it: the "
                             "account is still signed in, and the problem is the service’s. Try "
                             "again later, or ask the service’s administrator. (What the service "
                             "said: %s)"),
                           arcpass_service_get_name (request->service),
                           request->service_error->message);
}

/* After a service refused the token (and a renewal did not help), ask the
 * portal that issued it (community/self for user tokens, portals/self for
 * keys and app tokens), as a 498 from one service is not proof that the
 * account is dead. */
static void
confirm_with_portal (GTask  *task,
                     GError *service_error)
{
  ArcpassTokenManager *self = g_task_get_source_object (task);
  ManagedRequest *request = g_task_get_task_data (task);
  ArcpassCredential *credential = self->credential;
  g_autofree char *rest_root = NULL;
  g_autofree char *url = NULL;
  gboolean user;

  request->service_error = service_error;

  if (arcpass_credential_get_access_token (credential) == NULL ||
      !arcpass_portal_normalize (arcpass_credential_get_portal_url (credential), NULL,
                                 &rest_root, NULL))
    {
      g_autoptr(GError) sign_in = mark_sign_in_required (self, service_error);
      g_task_return_error (task, g_steal_pointer (&sign_in));
      return;
    }

  user = arcpass_credential_get_kind (credential) == ARCPASS_CREDENTIAL_OAUTH_USER ||
         arcpass_credential_get_kind (credential) == ARCPASS_CREDENTIAL_GENERATE_TOKEN;
  url = g_strconcat (rest_root, user ? "/community/self" : "/portals/self", NULL);
  g_debug ("%s refused the token; asking the portal", arcpass_service_get_name (request->service));
  arcpass_client_request_json_async (self->client, ARCPASS_SERVICE_PORTAL, url, NULL,
                                     arcpass_credential_get_access_token (credential),
                                     arcpass_credential_get_request_flags (credential),
                                     g_task_get_cancellable (task),
                                     confirm_cb, g_object_ref (task));
}

static void
request_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ArcpassTokenManager *self = g_task_get_source_object (task);
  ManagedRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gpointer value;

  if (request->want_json)
    value = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, NULL, &error);
  else
    value = arcpass_client_request_bytes_finish (ARCPASS_CLIENT (object), result,
                                                 &request->out_content_type, &error);

  if (g_task_return_error_if_cancelled (task))
    {
      if (value != NULL)
        request->want_json ? json_object_unref (value) : g_bytes_unref (value);
      return;
    }

  if (value != NULL)
    {
      if (request->want_json)
        g_task_return_pointer (task, value, (GDestroyNotify) json_object_unref);
      else
        g_task_return_pointer (task, value, (GDestroyNotify) g_bytes_unref);
      return;
    }

  /* 498/499: the token was revoked or expired early. Get a new one and
   * try once more, as Esri's SDKs do (a server token is simply fetched
   * again). */
  if (arcpass_error_is_token_error (error) && !request->retried &&
      (request->scope == ARCPASS_TOKEN_SCOPE_SERVER ||
       arcpass_credential_can_refresh_at (self->credential, arcpass_client_get_now (self->client))))
    {
      /* A server's refusal concerns its server token only: that is fetched
       * again, without renewing (and rotating) the portal token. */
      gboolean renew = request->scope != ARCPASS_TOKEN_SCOPE_SERVER &&
                       arcpass_credential_can_refresh_at (self->credential,
                                                          arcpass_client_get_now (self->client));

      request->retried = TRUE;
      g_debug ("Token refused (%s); renewing and retrying once", error->message);
      if (request->scope == ARCPASS_TOKEN_SCOPE_SERVER)
        arcpass_server_tokens_forget (get_server_tokens (self), request->url);
      arcpass_token_manager_get_token_async (self, renew, g_task_get_cancellable (task),
                                             token_for_request_cb, g_object_ref (task));
      return;
    }

  /* A refusal of a service this kind of account is not offered at all
   * (Static Basemap Tiles for an ArcGIS Online user) is explained as such,
   * never as a privilege to add. */
  if (request->service == ARCPASS_SERVICE_STATIC_TILES &&
      g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_MISSING_PRIVILEGE))
    {
      GError *not_offered = NULL;

      if (!arcpass_token_scope_check_offered (self->credential, request->service, FALSE,
                                              &not_offered))
        {
          g_task_return_error (task, not_offered);
          return;
        }
    }

  /* Still refused: only the portal can say whether the account is dead. */
  if (arcpass_error_is_token_error (error))
    {
      confirm_with_portal (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_error (task, g_steal_pointer (&error));
}

static void
send_with_token (GTask      *task,
                 const char *token)
{
  ArcpassTokenManager *self = g_task_get_source_object (task);
  ManagedRequest *request = g_task_get_task_data (task);

  if (request->want_json)
    arcpass_client_request_json_async (self->client, request->service, request->url,
                                       (const char * const *) request->params, token,
                                       request->flags, g_task_get_cancellable (task),
                                       request_done_cb, task);
  else
    arcpass_client_request_bytes_async (self->client, request->service, request->url,
                                        (const char * const *) request->params, token,
                                        request->flags, g_task_get_cancellable (task),
                                        request_done_cb, task);
}

static void
managed_request_start (ArcpassTokenManager *self,
                       gboolean             want_json,
                       ArcpassService       service,
                       const char          *url,
                       const char * const  *params,
                       ArcpassRequestFlags  flags,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data,
                       gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ManagedRequest *request = g_new0 (ManagedRequest, 1);
  g_autofree char *reason = NULL;
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, source_tag);
  request->scope = arcpass_token_scope_decide (self->credential, self->org_host, url, &reason);
  request->want_json = want_json;
  request->service = service;
  request->url = g_strdup (url);
  request->params = g_strdupv ((char **) params);
  request->flags = flags;
  /* generateToken tokens are bound to Arcpass's referer (client=referer). */
  request->flags |= arcpass_credential_get_request_flags (self->credential);
  g_task_set_task_data (task, request, (GDestroyNotify) managed_request_free);

  if (!arcpass_token_scope_check_offered (self->credential, service, TRUE, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  /* The one rule of where a token may go (arcpass-token-scope.c): a host
   * that did not issue it and does not accept its issuer gets nothing. */
  if (request->scope == ARCPASS_TOKEN_SCOPE_NONE)
    {
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_NO_TOKEN_FOR_HOST, "%s", reason);
      g_object_unref (task);
      return;
    }

  arcpass_token_manager_get_token_async (self, FALSE, cancellable, token_for_request_cb, task);
}

void
arcpass_token_manager_request_json_async (ArcpassTokenManager *self,
                                          ArcpassService       service,
                                          const char          *url,
                                          const char * const  *params,
                                          ArcpassRequestFlags  flags,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (self));
  g_return_if_fail (url != NULL);

  managed_request_start (self, TRUE, service, url, params, flags, cancellable, callback,
                         user_data, arcpass_token_manager_request_json_async);
}

JsonObject *
arcpass_token_manager_request_json_finish (ArcpassTokenManager  *self,
                                           GAsyncResult         *result,
                                           GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_token_manager_request_json_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
arcpass_token_manager_request_bytes_async (ArcpassTokenManager *self,
                                           ArcpassService       service,
                                           const char          *url,
                                           const char * const  *params,
                                           ArcpassRequestFlags  flags,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (self));
  g_return_if_fail (url != NULL);

  managed_request_start (self, FALSE, service, url, params, flags, cancellable, callback,
                         user_data, arcpass_token_manager_request_bytes_async);
}

GBytes *
arcpass_token_manager_request_bytes_finish (ArcpassTokenManager  *self,
                                            GAsyncResult         *result,
                                            char                **out_content_type,
                                            GError              **error)
{
  ManagedRequest *request;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_token_manager_request_bytes_async, NULL);

  request = g_task_get_task_data (G_TASK (result));
  if (out_content_type != NULL)
    *out_content_type = g_strdup (request->out_content_type);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Sign out ------------------------------------------------------------ */

static void
sign_out_deleted_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!arcpass_account_store_delete_finish (ARCPASS_ACCOUNT_STORE (object), result, &error) &&
      !g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
sign_out_forget (GTask *task)
{
  ArcpassTokenManager *self = g_task_get_source_object (task);
  g_autofree char *id = g_strdup (arcpass_credential_get_id (self->credential));

  /* Whatever the portal said, the secrets leave this process and the
   * keyring now. */
  g_object_freeze_notify (G_OBJECT (self->credential));
  arcpass_credential_set_access_token (self->credential, NULL);
  arcpass_credential_set_refresh_token (self->credential, NULL);
  arcpass_credential_set_client_secret (self->credential, NULL);
  arcpass_credential_set_state (self->credential, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);
  g_object_thaw_notify (G_OBJECT (self->credential));

  if (self->store == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  arcpass_account_store_delete_async (self->store, id, g_task_get_cancellable (task),
                                      sign_out_deleted_cb, g_object_ref (task));
}

static void
sign_out_revoked_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* A failed revoke must not keep the account on this computer: the token
   * expires on its own. The failure is kept for the caller to tell the user
   * (arcpass_token_manager_sign_out_get_revoke_error()). */
  if (!arcpass_oauth_revoke_finish (result, &error))
    {
      g_debug ("Revoking the refresh token failed: %s", error->message);
      g_task_set_task_data (task, g_steal_pointer (&error), (GDestroyNotify) g_error_free);
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  sign_out_forget (task);
}

void
arcpass_token_manager_sign_out_async (ArcpassTokenManager *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ArcpassCredential *credential;
  g_autofree char *rest_root = NULL;

  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_token_manager_sign_out_async);
  credential = self->credential;

  if (arcpass_credential_get_kind (credential) == ARCPASS_CREDENTIAL_OAUTH_USER &&
      arcpass_credential_get_refresh_token (credential) != NULL &&
      arcpass_portal_normalize (arcpass_credential_get_portal_url (credential), NULL, &rest_root, NULL))
    {
      arcpass_oauth_revoke_async (self->client, rest_root,
                                  arcpass_credential_get_client_id (credential),
                                  arcpass_credential_get_refresh_token (credential),
                                  "refresh_token", cancellable,
                                  sign_out_revoked_cb, g_steal_pointer (&task));
      return;
    }

  sign_out_forget (task);
}

gboolean
arcpass_token_manager_sign_out_finish (ArcpassTokenManager  *self,
                                       GAsyncResult         *result,
                                       GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
arcpass_token_manager_sign_out_get_revoke_error (ArcpassTokenManager  *self,
                                                 GAsyncResult         *result,
                                                 GError              **revoke_error)
{
  const GError *failed;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_token_manager_sign_out_async,
                        FALSE);

  failed = g_task_get_task_data (G_TASK (result));
  if (failed == NULL)
    return FALSE;

  if (revoke_error != NULL)
    *revoke_error = g_error_copy (failed);
  return TRUE;
}
