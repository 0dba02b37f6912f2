/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "arcpass-error.h"
#include "arcpass-json.h"
#include "arcpass-parsers.h"
#include "arcpass-portal.h"
#include "arcpass-secret.h"
#include "arcpass-sign-in.h"

/* ---- Identity ------------------------------------------------------------ */

typedef struct {
  ArcpassClient *client;
  ArcpassCredential *credential;
  char *rest_root;
} IdentityData;

static void
identity_data_free (IdentityData *data)
{
  g_clear_object (&data->client);
  g_clear_object (&data->credential);
  g_free (data->rest_root);
  g_free (data);
}

static gboolean
apply_community_self (IdentityData  *data,
                      JsonObject    *json,
                      GError       **error)
{
  ArcpassCredential *credential = data->credential;
  const char *username;
  const char *s = NULL;
  g_auto(GStrv) privileges = NULL;

  username = arcpass_json_object_get_string (json, "username", error);
  if (username == NULL)
    return FALSE;

  g_object_freeze_notify (G_OBJECT (credential));
  arcpass_credential_set_username (credential, username);

  if (arcpass_json_object_get_optional_string (json, "fullName", &s, NULL) && s)
    arcpass_credential_set_full_name (credential, s);
  if (arcpass_json_object_get_optional_string (json, "role", &s, NULL) && s)
    arcpass_credential_set_role (credential, s);
  if (arcpass_json_object_get_optional_string (json, "orgId", &s, NULL) && s)
    arcpass_credential_set_org_id (credential, s);
  if (arcpass_json_object_get_optional_string (json, "thumbnail", &s, NULL) && s && *s)
    {
      g_autofree char *user = g_uri_escape_string (username, NULL, TRUE);
      g_autofree char *thumb = g_uri_escape_string (s, NULL, TRUE);
      g_autofree char *url = g_strdup_printf ("%s/community/users/%s/info/%s",
                                              data->rest_root, user, thumb);

      arcpass_credential_set_avatar_url (credential, url);
    }
  if (json_object_has_member (json, "privileges"))
    {
      privileges = arcpass_json_object_dup_strv (json, "privileges", error);
      if (privileges == NULL)
        {
          g_object_thaw_notify (G_OBJECT (credential));
          return FALSE;
        }
      arcpass_credential_set_privileges (credential, (const char * const *) privileges);
    }
  g_object_thaw_notify (G_OBJECT (credential));

  return TRUE;
}

/* Which ArcGIS the account belongs to, from portals/self. An Enterprise
 * portal says `isPortal: true`. ArcGIS Online and ArcGIS Location Platform
 * are the same multitenant portal; what tells them apart is the
 * organisation's subscription (`subscriptionInfo.type`). Esri does not
 * document the values: Location Platform organisations (formerly "ArcGIS
 * Platform", before that "ArcGIS Developer" subscriptions) are recognised by
 * any of these words, anything else is ArcGIS Online (UNCONFIRMED: see
 * src/sandbox/README.md). */
ArcpassAccountKind
arcpass_account_kind_from_portal_self (JsonObject *json)
{
  JsonObject *subscription = NULL;
  gboolean is_portal = FALSE;
  const char *s = NULL;

  if (json_object_has_member (json, "isPortal") &&
      arcpass_json_object_get_optional_boolean (json, "isPortal", &is_portal, NULL) && is_portal)
    return ARCPASS_ACCOUNT_KIND_ENTERPRISE;

  if (arcpass_json_object_get_optional_object (json, "subscriptionInfo", &subscription, NULL) &&
      subscription != NULL &&
      arcpass_json_object_get_optional_string (subscription, "type", &s, NULL) && s != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (s, -1);

      if (strstr (lower, "location platform") || strstr (lower, "arcgis platform") ||
          strcmp (lower, "platform") == 0 || strcmp (lower, "developer") == 0)
        return ARCPASS_ACCOUNT_KIND_LOCATION_PLATFORM;
      return ARCPASS_ACCOUNT_KIND_ONLINE;
    }

  if (json_object_has_member (json, "isPortal") ||
      (arcpass_json_object_get_optional_string (json, "portalMode", &s, NULL) && s &&
       strcmp (s, "multitenant") == 0))
    return ARCPASS_ACCOUNT_KIND_ONLINE;

  return ARCPASS_ACCOUNT_KIND_UNKNOWN;
}

static void
apply_portal_self (IdentityData *data,
                   JsonObject   *json)
{
  ArcpassCredential *credential = data->credential;
  ArcpassCredentialKind kind = arcpass_credential_get_kind (credential);
  JsonObject *app_info = NULL;
  JsonObject *user = NULL;
  const char *s = NULL;

  /* Everything here is optional: portals/self differs between Online and
   * Enterprise, and between callers. */
  if (arcpass_json_object_get_optional_string (json, "name", &s, NULL) && s)
    arcpass_credential_set_org_name (credential, s);
  if (arcpass_credential_get_org_id (credential) == NULL &&
      arcpass_json_object_get_optional_string (json, "id", &s, NULL) && s)
    arcpass_credential_set_org_id (credential, s);
  if (arcpass_account_kind_from_portal_self (json) != ARCPASS_ACCOUNT_KIND_UNKNOWN)
    arcpass_credential_set_account_kind (credential,
                                         arcpass_account_kind_from_portal_self (json));

  if (kind == ARCPASS_CREDENTIAL_OAUTH_USER || kind == ARCPASS_CREDENTIAL_GENERATE_TOKEN)
    return;

  if (arcpass_json_object_get_optional_object (json, "appInfo", &app_info, NULL) && app_info)
    {
      g_auto(GStrv) privileges = NULL;

      if (json_object_has_member (app_info, "privileges"))
        privileges = arcpass_json_object_dup_strv (app_info, "privileges", NULL);
      if (privileges != NULL)
        arcpass_credential_set_privileges (credential, (const char * const *) privileges);
      if (arcpass_json_object_get_optional_string (app_info, "appTitle", &s, NULL) && s &&
          arcpass_credential_get_full_name (credential) == NULL)
        arcpass_credential_set_full_name (credential, s);
      if (arcpass_json_object_get_optional_string (app_info, "appId", &s, NULL) && s &&
          arcpass_credential_get_client_id (credential) == NULL)
        arcpass_credential_set_client_id (credential, s);
    }

  if (arcpass_json_object_get_optional_object (json, "user", &user, NULL) && user &&
      arcpass_json_object_get_optional_string (user, "username", &s, NULL) && s &&
      arcpass_credential_get_username (credential) == NULL)
    arcpass_credential_set_username (credential, s);
}

/* For the fuzz targets (arcpass-parsers.h): the same readers, without the
 * network. */
gboolean
arcpass_parse_community_self (ArcpassCredential  *credential,
                              const char         *rest_root,
                              JsonObject         *json,
                              GError            **error)
{
  IdentityData data = { NULL, credential, (char *) rest_root };

  return apply_community_self (&data, json, error);
}

void
arcpass_parse_portal_self (ArcpassCredential *credential,
                           JsonObject        *json)
{
  IdentityData data = { NULL, credential, NULL };

  apply_portal_self (&data, json);
}


static void
identity_portal_self_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IdentityData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  ArcpassCredentialKind kind = arcpass_credential_get_kind (data->credential);

  json = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, NULL, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (json == NULL)
    {
      /* For keys and app tokens portals/self is the only check of the
       * token, so its failure is the answer; for users it only adds the
       * organisation's name. */
      if (kind == ARCPASS_CREDENTIAL_API_KEY || kind == ARCPASS_CREDENTIAL_APP_CREDENTIALS)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_debug ("portals/self failed: %s", error->message);
    }
  else
    apply_portal_self (data, json);

  g_task_return_boolean (task, TRUE);
}

static void
request_portal_self (GTask *task)
{
  IdentityData *data = g_task_get_task_data (task);
  g_autofree char *url = g_strconcat (data->rest_root, "/portals/self", NULL);

  arcpass_client_request_json_async (data->client, ARCPASS_SERVICE_PORTAL, url, NULL,
                                     arcpass_credential_get_access_token (data->credential),
                                     arcpass_credential_get_request_flags (data->credential),
                                     g_task_get_cancellable (task),
                                     identity_portal_self_cb, g_object_ref (task));
}

static void
identity_community_self_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IdentityData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;

  json = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, NULL, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (json == NULL || !apply_community_self (data, json, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  request_portal_self (task);
}

void
arcpass_credential_fetch_identity_async (ArcpassClient       *client,
                                         ArcpassCredential   *credential,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  IdentityData *data;
  ArcpassCredentialKind kind;

  g_return_if_fail (ARCPASS_IS_CLIENT (client));
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (credential));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_credential_fetch_identity_async);

  data = g_new0 (IdentityData, 1);
  data->client = g_object_ref (client);
  data->credential = g_object_ref (credential);
  g_task_set_task_data (task, data, (GDestroyNotify) identity_data_free);

  if (!arcpass_portal_normalize (arcpass_credential_get_portal_url (credential),
                                 NULL, &data->rest_root, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  kind = arcpass_credential_get_kind (credential);
  if (kind == ARCPASS_CREDENTIAL_OAUTH_USER || kind == ARCPASS_CREDENTIAL_GENERATE_TOKEN)
    {
      g_autofree char *url = g_strconcat (data->rest_root, "/community/self", NULL);

      arcpass_client_request_json_async (client, ARCPASS_SERVICE_PORTAL, url, NULL,
                                         arcpass_credential_get_access_token (credential),
                                         arcpass_credential_get_request_flags (credential), cancellable,
                                         identity_community_self_cb, g_steal_pointer (&task));
    }
  else
    request_portal_self (task);
}

gboolean
arcpass_credential_fetch_identity_finish (GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_credential_fetch_identity_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Flows --------------------------------------------------------------- */

typedef struct {
  ArcpassClient *client;
  ArcpassCredential *credential;
  char *rest_root;
} SignInData;

static void
sign_in_data_free (SignInData *data)
{
  g_clear_object (&data->client);
  g_clear_object (&data->credential);
  g_free (data->rest_root);
  g_free (data);
}

static GTask *
sign_in_task_new (ArcpassClient       *client,
                  ArcpassCredential   *credential,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task = g_task_new (client, cancellable, callback, user_data);
  SignInData *data = g_new0 (SignInData, 1);

  /* One tag for the four flows: they share arcpass_sign_in_finish(). */
  g_task_set_source_tag (task, arcpass_sign_in_finish);
  data->client = g_object_ref (client);
  data->credential = credential;
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_data_free);

  return task;
}

static void
sign_in_identity_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignInData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!arcpass_credential_fetch_identity_finish (result, &error))
    {
      if (!g_task_return_error_if_cancelled (task))
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  arcpass_credential_update_state (data->credential, arcpass_client_get_now (data->client));
  g_task_return_pointer (task, g_object_ref (data->credential), g_object_unref);
}

static void
sign_in_token_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignInData *data = g_task_get_task_data (task);
  g_autoptr(ArcpassTokenResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  /* All four token calls return the same GTask shape. */
  response = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  arcpass_credential_apply_token_response (data->credential, response);
  /* Not g_steal_pointer() in the same call: argument order is unspecified. */
  arcpass_credential_fetch_identity_async (data->client, data->credential,
                                           g_task_get_cancellable (task),
                                           sign_in_identity_cb, g_object_ref (task));
}

void
arcpass_sign_in_with_code_async (ArcpassClient        *client,
                                 ArcpassAuthorization *authorization,
                                 const char           *code,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  ArcpassCredential *credential;
  GTask *task;

  g_return_if_fail (ARCPASS_IS_CLIENT (client));
  g_return_if_fail (ARCPASS_IS_AUTHORIZATION (authorization));

  credential = arcpass_credential_new (ARCPASS_CREDENTIAL_OAUTH_USER,
                                       arcpass_authorization_get_portal_url (authorization));
  arcpass_credential_set_client_id (credential, arcpass_authorization_get_client_id (authorization));
  arcpass_credential_set_redirect_uri (credential, arcpass_authorization_get_redirect_uri (authorization));

  task = sign_in_task_new (client, credential, cancellable, callback, user_data);
  arcpass_oauth_exchange_code_async (client, authorization, code, cancellable,
                                     sign_in_token_cb, task);
}

static gboolean
normalize_or_fail (GTask       *task,
                   const char  *portal,
                   char       **out_portal_url,
                   char       **out_rest_root)
{
  g_autoptr(GError) error = NULL;

  if (!arcpass_portal_normalize (portal ? portal : ARCPASS_ONLINE_PORTAL_URL,
                                 out_portal_url, out_rest_root, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return FALSE;
    }

  return TRUE;
}

void
arcpass_sign_in_with_api_key_async (ArcpassClient       *client,
                                    const char          *portal,
                                    const char          *api_key,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(ArcpassSecret) key = NULL;
  g_autofree char *portal_url = NULL;
  SignInData *data;

  g_return_if_fail (ARCPASS_IS_CLIENT (client));

  task = sign_in_task_new (client, arcpass_credential_new (ARCPASS_CREDENTIAL_API_KEY, NULL),
                           cancellable, callback, user_data);
  data = g_task_get_task_data (task);

  if (!normalize_or_fail (task, portal, &portal_url, &data->rest_root))
    return;

  /* Pasted keys often carry a newline or spaces around them. */
  key = g_strstrip (arcpass_secret_dup (api_key ? api_key : ""));
  if (*key == '\0' || strpbrk (key, " \t\r\n") != NULL)
    {
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                               _("Paste the API key (one line, without spaces)."));
      return;
    }

  arcpass_credential_set_portal_url (data->credential, portal_url);
  arcpass_credential_set_access_token (data->credential, key);
  arcpass_credential_fetch_identity_async (client, data->credential, cancellable,
                                           sign_in_identity_cb, g_steal_pointer (&task));
}

void
arcpass_sign_in_with_app_credentials_async (ArcpassClient       *client,
                                            const char          *portal,
                                            const char          *client_id,
                                            const char          *client_secret,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *portal_url = NULL;
  SignInData *data;

  g_return_if_fail (ARCPASS_IS_CLIENT (client));

  task = sign_in_task_new (client, arcpass_credential_new (ARCPASS_CREDENTIAL_APP_CREDENTIALS, NULL),
                           cancellable, callback, user_data);
  data = g_task_get_task_data (task);

  if (!normalize_or_fail (task, portal, &portal_url, &data->rest_root))
    return;

  if (client_id == NULL || *client_id == '\0' || client_secret == NULL || *client_secret == '\0')
    {
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                               _("Enter both the client ID and the client secret."));
      return;
    }

  arcpass_credential_set_portal_url (data->credential, portal_url);
  arcpass_credential_set_client_id (data->credential, client_id);
  arcpass_credential_set_client_secret (data->credential, client_secret);
  arcpass_oauth_client_credentials_async (client, data->rest_root, client_id, client_secret, 0,
                                          cancellable, sign_in_token_cb, g_steal_pointer (&task));
}

/* The token service a password may be sent to: the one the portal
 * advertises (`authInfo.tokenServicesUrl`), but only on the portal's own host
 * and over https (http on loopback only). A password is not sent to a host
 * the user did not type, whatever /info says: that is how a tampered or
 * misconfigured /info would collect it. */
static char *
password_token_url (const ArcpassPortalInfo  *info,
                    GError                  **error)
{
  g_autoptr(GUri) portal = g_uri_parse (info->portal_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GUri) service = NULL;

  if (info->token_service_url == NULL)
    return g_strconcat (info->rest_root, "/generateToken", NULL);

  service = g_uri_parse (info->token_service_url, G_URI_FLAGS_NONE, NULL);
  if (portal == NULL || service == NULL ||
      !arcpass_url_is_secure_enough (info->token_service_url) ||
      g_ascii_strcasecmp (g_uri_get_scheme (service), g_uri_get_scheme (portal)) != 0 ||
      g_ascii_strcasecmp (g_uri_get_host (service) ? g_uri_get_host (service) : "",
                          g_uri_get_host (portal) ? g_uri_get_host (portal) : "") != 0 ||
      g_uri_get_port (service) != g_uri_get_port (portal))
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INSECURE_PORTAL,
                   _("The portal says its token service is %s, which is not on the portal's "
                     "own secure address. Arcpass does not send your password there. Sign in "
                     "with OAuth instead, or ask the portal's administrator to check the "
                     "portal's token service address."),
                   info->token_service_url);
      return NULL;
    }
  return g_strdup (info->token_service_url);
}

typedef struct {
  char *username;
  char *password;
} PasswordData;

static void
password_data_free (PasswordData *data)
{
  g_free (data->username);
  arcpass_secret_free (data->password);
  g_free (data);
}

static void
password_discover_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignInData *data = g_task_get_task_data (task);
  PasswordData *password = g_object_get_data (G_OBJECT (task), "arcpass-password");
  g_autoptr(ArcpassPortalInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  info = arcpass_portal_discover_finish (result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (info == NULL)
    {
      /* A web-tier portal fails here, before any password is sent. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!info->token_based_security)
    {
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_WEB_TIER_AUTH,
                               _("%s does not use ArcGIS tokens (its web server signs users in), "
                                 "so a username and password cannot be used here. No account "
                                 "was added."),
                               info->portal_url);
      return;
    }

  url = password_token_url (info, &error);
  if (url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The token is asked for two weeks, the longest generateToken allows:
   * there is no refresh for this kind, the password is not kept. */
  arcpass_oauth_generate_token_async (data->client, url, password->username, password->password,
                                      20160, g_task_get_cancellable (task),
                                      sign_in_token_cb, g_object_ref (task));
  /* The password is not needed any more. */
  g_object_set_data (G_OBJECT (task), "arcpass-password", NULL);
}

void
arcpass_sign_in_with_password_async (ArcpassClient       *client,
                                     const char          *portal,
                                     const char          *username,
                                     const char          *password,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *portal_url = NULL;
  SignInData *data;
  PasswordData *pd;

  g_return_if_fail (ARCPASS_IS_CLIENT (client));

  task = sign_in_task_new (client, arcpass_credential_new (ARCPASS_CREDENTIAL_GENERATE_TOKEN, NULL),
                           cancellable, callback, user_data);
  data = g_task_get_task_data (task);

  if (!normalize_or_fail (task, portal, &portal_url, &data->rest_root))
    return;

  if (username == NULL || *username == '\0' || password == NULL || *password == '\0')
    {
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                               _("Enter both the username and the password."));
      return;
    }

  arcpass_credential_set_portal_url (data->credential, portal_url);
  arcpass_credential_set_username (data->credential, username);

  /* Discovery first: it says where the token service is, and a portal
   * behind web-tier sign-in is recognised before the password goes out. */
  pd = g_new0 (PasswordData, 1);
  pd->username = g_strdup (username);
  pd->password = arcpass_secret_dup (password);
  g_object_set_data_full (G_OBJECT (task), "arcpass-password", pd,
                          (GDestroyNotify) password_data_free);
  arcpass_portal_discover_async (client, portal_url, cancellable, password_discover_cb,
                                 g_steal_pointer (&task));
}

ArcpassCredential *
arcpass_sign_in_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_sign_in_finish, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
