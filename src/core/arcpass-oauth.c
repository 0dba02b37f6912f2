/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "arcpass-client.h"
#include "arcpass-credential.h"
#include "arcpass-error.h"
#include "arcpass-json.h"
#include "arcpass-oauth.h"
#include "arcpass-portal.h"
#include "arcpass-secret.h"

/* ---- PKCE and state ----------------------------------------------------- */

char *
arcpass_pkce_verifier_new (GError **error)
{
  /* 32 bytes → 43 base64url characters, the RFC 7636 minimum length and
   * what Esri's SDKs use. */
  return arcpass_random_base64url (32, error);
}

char *
arcpass_pkce_challenge_s256 (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_return_val_if_fail (verifier != NULL, NULL);

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &digest_len);

  return arcpass_base64url_encode (digest, digest_len);
}

char *
arcpass_oauth_state_new (GError **error)
{
  return arcpass_random_base64url (32, error);
}

/* ---- ArcpassAuthorization ----------------------------------------------- */

struct _ArcpassAuthorization
{
  GObject parent_instance;

  char *portal_url;
  char *rest_root;
  char *client_id;
  char *redirect_uri;
  char *state;           /* secret-ish: anti-CSRF */
  char *code_verifier;   /* secret */
  char *locale;
  char *prepopulated_username;
  char *organization_host; /* `<urlKey>.<customBaseUrl>`, lower case */
  guint expiration;
  gboolean force_login;
};

G_DEFINE_FINAL_TYPE (ArcpassAuthorization, arcpass_authorization, G_TYPE_OBJECT)

static void
arcpass_authorization_finalize (GObject *object)
{
  ArcpassAuthorization *self = (ArcpassAuthorization *)object;

  g_free (self->portal_url);
  g_free (self->rest_root);
  g_free (self->client_id);
  g_free (self->redirect_uri);
  arcpass_secret_free (self->state);
  arcpass_secret_free (self->code_verifier);
  g_free (self->locale);
  g_free (self->prepopulated_username);
  g_free (self->organization_host);

  G_OBJECT_CLASS (arcpass_authorization_parent_class)->finalize (object);
}

static void
arcpass_authorization_class_init (ArcpassAuthorizationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = arcpass_authorization_finalize;
}

static void
arcpass_authorization_init (ArcpassAuthorization *self)
{
  self->expiration = ARCPASS_OAUTH_DEFAULT_EXPIRATION;
}

ArcpassAuthorization *
arcpass_authorization_new (const char  *portal_url,
                           const char  *client_id,
                           const char  *redirect_uri,
                           GError     **error)
{
  g_autoptr(ArcpassAuthorization) self = NULL;

  if (client_id == NULL || *client_id == '\0')
    {
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                           _("Enter the client ID of your OAuth credential."));
      return NULL;
    }

  if (redirect_uri == NULL || *redirect_uri == '\0')
    redirect_uri = ARCPASS_OAUTH_OOB_REDIRECT_URI;

  self = g_object_new (ARCPASS_TYPE_AUTHORIZATION, NULL);

  if (!arcpass_portal_normalize (portal_url ? portal_url : ARCPASS_ONLINE_PORTAL_URL,
                                 &self->portal_url, &self->rest_root, error))
    return NULL;

  self->client_id = g_strstrip (g_strdup (client_id));
  self->redirect_uri = g_strdup (redirect_uri);

  /* Fresh values on every attempt, from the kernel CSPRNG. */
  self->state = arcpass_oauth_state_new (error);
  if (self->state == NULL)
    return NULL;
  self->code_verifier = arcpass_pkce_verifier_new (error);
  if (self->code_verifier == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

const char *
arcpass_authorization_get_portal_url (ArcpassAuthorization *self)
{
  g_return_val_if_fail (ARCPASS_IS_AUTHORIZATION (self), NULL);
  return self->portal_url;
}

const char *
arcpass_authorization_get_rest_root (ArcpassAuthorization *self)
{
  g_return_val_if_fail (ARCPASS_IS_AUTHORIZATION (self), NULL);
  return self->rest_root;
}

const char *
arcpass_authorization_get_client_id (ArcpassAuthorization *self)
{
  g_return_val_if_fail (ARCPASS_IS_AUTHORIZATION (self), NULL);
  return self->client_id;
}

const char *
arcpass_authorization_get_redirect_uri (ArcpassAuthorization *self)
{
  g_return_val_if_fail (ARCPASS_IS_AUTHORIZATION (self), NULL);
  return self->redirect_uri;
}

const char *
arcpass_authorization_get_state (ArcpassAuthorization *self)
{
  g_return_val_if_fail (ARCPASS_IS_AUTHORIZATION (self), NULL);
  return self->state;
}

const char *
arcpass_authorization_get_code_verifier (ArcpassAuthorization *self)
{
  g_return_val_if_fail (ARCPASS_IS_AUTHORIZATION (self), NULL);
  return self->code_verifier;
}

void
arcpass_authorization_set_expiration (ArcpassAuthorization *self,
                                      guint                 minutes)
{
  g_return_if_fail (ARCPASS_IS_AUTHORIZATION (self));
  self->expiration = minutes;
}

void
arcpass_authorization_set_locale (ArcpassAuthorization *self,
                                  const char           *locale)
{
  g_return_if_fail (ARCPASS_IS_AUTHORIZATION (self));
  g_free (self->locale);
  self->locale = g_strdup (locale);
}

void
arcpass_authorization_set_force_login (ArcpassAuthorization *self,
                                       gboolean              force_login)
{
  g_return_if_fail (ARCPASS_IS_AUTHORIZATION (self));
  self->force_login = !!force_login;
}

void
arcpass_authorization_set_prepopulated_username (ArcpassAuthorization *self,
                                                 const char           *username)
{
  g_return_if_fail (ARCPASS_IS_AUTHORIZATION (self));
  g_free (self->prepopulated_username);
  self->prepopulated_username = username && *username ? g_strdup (username) : NULL;
}

static void
append_query (GString    *out,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, TRUE);

  g_string_append_c (out, out->len && strchr (out->str, '?') ? '&' : '?');
  g_string_append_printf (out, "%s=%s", name, escaped);
}

char *
arcpass_authorization_build_url (ArcpassAuthorization *self)
{
  g_autofree char *challenge = NULL;
  g_autofree char *expiration = NULL;
  GString *url;

  g_return_val_if_fail (ARCPASS_IS_AUTHORIZATION (self), NULL);

  challenge = arcpass_pkce_challenge_s256 (self->code_verifier);
  expiration = g_strdup_printf ("%u", self->expiration);

  url = g_string_new (self->rest_root);
  g_string_append (url, "/oauth2/authorize");
  append_query (url, "client_id", self->client_id);
  append_query (url, "response_type", "code");
  append_query (url, "redirect_uri", self->redirect_uri);
  append_query (url, "state", self->state);
  append_query (url, "code_challenge", challenge);
  append_query (url, "code_challenge_method", "S256");
  append_query (url, "expiration", expiration);
  if (self->locale != NULL && *self->locale != '\0')
    append_query (url, "locale", self->locale);
  if (self->force_login)
    append_query (url, "force_login", "true");
  if (self->prepopulated_username)
    append_query (url, "prepopulatedusername", self->prepopulated_username);

  return g_string_free (url, FALSE);
}

/* Compares scheme, host, port and path: a look-alike host or a longer path
 * is a different URI, whatever its query says. */
static gboolean
same_endpoint (GUri *a,
               GUri *b)
{
  const char *path_a = g_uri_get_path (a);
  const char *path_b = g_uri_get_path (b);

  if (g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) != 0)
    return FALSE;
  if (g_strcmp0 (g_uri_get_host (a), g_uri_get_host (b)) != 0 &&
      (g_uri_get_host (a) == NULL || g_uri_get_host (b) == NULL ||
       g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) != 0))
    return FALSE;
  if (g_uri_get_port (a) != g_uri_get_port (b))
    return FALSE;
  if (g_uri_get_userinfo (a) != NULL)
    return FALSE;

  /* "" and "/" are the same path. */
  if (path_a == NULL || *path_a == '\0')
    path_a = "/";
  if (path_b == NULL || *path_b == '\0')
    path_b = "/";

  return g_str_equal (path_a, path_b);
}

/* The port a URI means: its explicit port, or its scheme's default. */
static int
effective_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port > 0)
    return port;
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0)
    return 443;
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0)
    return 80;
  return -1;
}

static gboolean
host_is_under (const char *host,
               const char *domain)
{
  gsize host_len = strlen (host);
  gsize domain_len = strlen (domain);

  /* A whole label must match: "evilarcgis.com" is not under "arcgis.com". */
  if (g_ascii_strcasecmp (host, domain) == 0)
    return TRUE;
  return host_len > domain_len + 1 && host[host_len - domain_len - 1] == '.' &&
         g_ascii_strcasecmp (host + host_len - domain_len, domain) == 0;
}

static gboolean
is_approval_path (const char *path,
                  const char *prefix)
{
  g_autofree char *approval_rest = g_strconcat (prefix, "/sharing/rest/oauth2/approval", NULL);
  g_autofree char *approval = g_strconcat (prefix, "/sharing/oauth2/approval", NULL);

  return g_strcmp0 (path, approval_rest) == 0 || g_strcmp0 (path, approval) == 0;
}

gboolean
arcpass_authorization_is_approval_page (ArcpassAuthorization *self,
                                        const char           *uri_string)
{
  g_autoptr(GUri) portal = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *host;
  const char *path;

  g_return_val_if_fail (ARCPASS_IS_AUTHORIZATION (self), FALSE);

  uri = uri_string ? g_uri_parse (uri_string, G_URI_FLAGS_ENCODED_QUERY, NULL) : NULL;
  portal = g_uri_parse (self->portal_url, G_URI_FLAGS_NONE, NULL);
  if (!uri || !portal || g_uri_get_userinfo (uri) || !(host = g_uri_get_host (uri)) || !*host)
    return FALSE;
  path = g_uri_get_path (uri);

  /* The portal's own host, under its web adaptor path. */
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), g_uri_get_scheme (portal)) == 0 &&
      g_ascii_strcasecmp (host, g_uri_get_host (portal)) == 0 &&
      effective_port (uri) == effective_port (portal) &&
      is_approval_path (path, g_uri_get_path (portal)))
    return TRUE;

  /* Elsewhere only the root approval paths of an ArcGIS Online host. */
  if (!is_approval_path (path, ""))
    return FALSE;

  /* A loopback portal is the sandbox standing for ArcGIS Online: each of
   * its loopback hosts on its port stands for an *.arcgis.com host (the
   * organisation's among them). */
  if (arcpass_host_is_loopback (g_uri_get_host (portal)))
    return g_ascii_strcasecmp (g_uri_get_scheme (uri), g_uri_get_scheme (portal)) == 0 &&
           arcpass_host_is_loopback (host) &&
           effective_port (uri) == effective_port (portal);

  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0 || effective_port (uri) != 443)
    return FALSE;

  /* The organisation's host from portals/self (urlKey.customBaseUrl). */
  if (self->organization_host && g_ascii_strcasecmp (host, self->organization_host) == 0)
    return TRUE;

  /* SAML and OIDC sign-ins come back to <urlKey>.maps.arcgis.com, which an
   * ArcGIS Online user need not have typed: any *.arcgis.com host is
   * Esri's. */
  return arcpass_portal_url_is_online (self->portal_url) && host_is_under (host, "arcgis.com");
}

static gboolean
is_our_redirect (ArcpassAuthorization *self,
                 GUri                 *uri,
                 const char           *uri_string)
{
  if (g_str_equal (self->redirect_uri, ARCPASS_OAUTH_OOB_REDIRECT_URI))
    return arcpass_authorization_is_approval_page (self, uri_string);
  else
    {
      g_autoptr(GUri) expected = g_uri_parse (self->redirect_uri, G_URI_FLAGS_NONE, NULL);

      return expected != NULL && same_endpoint (uri, expected);
    }
}

void
arcpass_authorization_set_organization_host (ArcpassAuthorization *self,
                                             const char           *host)
{
  g_return_if_fail (ARCPASS_IS_AUTHORIZATION (self));

  g_free (self->organization_host);
  self->organization_host = host && *host ? g_ascii_strdown (host, -1) : NULL;
}

const char *
arcpass_authorization_get_organization_host (ArcpassAuthorization *self)
{
  g_return_val_if_fail (ARCPASS_IS_AUTHORIZATION (self), NULL);
  return self->organization_host;
}

gboolean
arcpass_authorization_set_portal_self (ArcpassAuthorization  *self,
                                       JsonObject            *portals_self,
                                       GError               **error)
{
  const char *url_key = NULL;
  const char *custom_base_url = NULL;
  g_autofree char *host = NULL;

  g_return_val_if_fail (ARCPASS_IS_AUTHORIZATION (self), FALSE);
  g_return_val_if_fail (portals_self != NULL, FALSE);

  if (!arcpass_json_object_get_optional_string (portals_self, "urlKey", &url_key, error) ||
      !arcpass_json_object_get_optional_string (portals_self, "customBaseUrl", &custom_base_url,
                                                error))
    return FALSE;

  /* Enterprise portals have neither: their approval page is on their own
   * host. A value that is not a host name is ignored, not trusted. */
  if (!url_key || !*url_key || !custom_base_url || !*custom_base_url)
    return TRUE;
  host = g_strconcat (url_key, ".", custom_base_url, NULL);
  if (!g_hostname_is_non_ascii (host) && !g_hostname_is_ip_address (host) &&
      strspn (host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == strlen (host) &&
      host_is_under (host, "arcgis.com"))
    arcpass_authorization_set_organization_host (self, host);

  return TRUE;
}

static void
portal_self_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;

  json = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, NULL, &error);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (!json || !arcpass_authorization_set_portal_self (g_task_get_source_object (task), json,
                                                       &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
arcpass_authorization_discover_organization_async (ArcpassAuthorization *self,
                                                   ArcpassClient        *client,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data)
{
  g_autofree char *url = NULL;
  GTask *task;

  g_return_if_fail (ARCPASS_IS_AUTHORIZATION (self));
  g_return_if_fail (ARCPASS_IS_CLIENT (client));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_authorization_discover_organization_async);
  url = g_strconcat (self->rest_root, "/portals/self", NULL);
  /* Anonymous: nothing secret travels before the user has signed in. */
  arcpass_client_request_json_async (client, ARCPASS_SERVICE_PORTAL, url, NULL, NULL,
                                     ARCPASS_REQUEST_NONE, cancellable, portal_self_cb, task);
}

gboolean
arcpass_authorization_discover_organization_finish (ArcpassAuthorization  *self,
                                                    GAsyncResult          *result,
                                                    GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

ArcpassRedirectResult
arcpass_authorization_parse_redirect (ArcpassAuthorization  *self,
                                      const char            *uri_string,
                                      char                 **out_code,
                                      GError               **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  const char *query;
  const char *state;
  const char *code;
  const char *oauth_error;
  const char *description;

  g_return_val_if_fail (ARCPASS_IS_AUTHORIZATION (self), ARCPASS_REDIRECT_NOT_OURS);
  g_return_val_if_fail (out_code != NULL, ARCPASS_REDIRECT_NOT_OURS);

  *out_code = NULL;

  if (uri_string == NULL)
    return ARCPASS_REDIRECT_NOT_OURS;

  uri = g_uri_parse (uri_string, G_URI_FLAGS_ENCODED_QUERY, NULL);
  if (uri == NULL || !is_our_redirect (self, uri, uri_string))
    return ARCPASS_REDIRECT_NOT_OURS;

  query = g_uri_get_query (uri);
  params = query ? g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL) : NULL;
  /* The implicit grant and some error pages use the fragment. */
  if ((params == NULL || g_hash_table_size (params) == 0) && g_uri_get_fragment (uri) != NULL)
    {
      g_clear_pointer (&params, g_hash_table_unref);
      params = g_uri_parse_params (g_uri_get_fragment (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
    }
  if (params == NULL)
    params = g_hash_table_new (g_str_hash, g_str_equal);

  state = g_hash_table_lookup (params, "state");
  code = g_hash_table_lookup (params, "code");
  oauth_error = g_hash_table_lookup (params, "error");
  description = g_hash_table_lookup (params, "error_description");

  /* An approval page without `state` is left to load: the page in our own
   * web view then gives its code in its title, trusted on the approval
   * hosts only (see arcpass_authorization_parse_approval_title()). */
  if (state == NULL && g_str_equal (self->redirect_uri, ARCPASS_OAUTH_OOB_REDIRECT_URI))
    return ARCPASS_REDIRECT_NOT_OURS;

  /* Checked first, even for errors: a redirect with another state was not
   * started by this attempt (CSRF, or a stale tab) and tells nothing. */
  if (state == NULL || !arcpass_secret_equal (state, self->state))
    {
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_STATE_MISMATCH,
                           state == NULL
                           ? _("The sign-in answer has no “state” value, so Arcpass cannot tell it "
                               "belongs to this sign-in. Start the sign-in again.")
                           : _("The sign-in answer belongs to another sign-in attempt (its “state” "
                               "does not match). Start the sign-in again."));
      return ARCPASS_REDIRECT_ERROR;
    }

  if (oauth_error != NULL)
    {
      if (g_str_equal (oauth_error, "access_denied") && description != NULL)
        /* Translators: %s is the portal's reason, in its own language. */
        g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_ACCESS_DENIED,
                     _("Sign-in was cancelled or refused (%s)."), description);
      else if (g_str_equal (oauth_error, "access_denied"))
        g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_ACCESS_DENIED,
                             _("Sign-in was cancelled or refused."));
      else if (description != NULL)
        /* Translators: the first %s is the portal's reason, in its own
         * language, the second an OAuth error code such as invalid_request. */
        g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_SERVICE_ERROR,
                     _("The portal refused the sign-in: %s — %s."), description, oauth_error);
      else
        /* Translators: %s is an OAuth error code such as invalid_request. */
        g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_SERVICE_ERROR,
                     _("The portal refused the sign-in: %s."), oauth_error);
      return ARCPASS_REDIRECT_ERROR;
    }

  if (code == NULL || *code == '\0')
    {
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                           _("The sign-in answer has no code. Start the sign-in again."));
      return ARCPASS_REDIRECT_ERROR;
    }

  *out_code = arcpass_secret_dup (code);
  return ARCPASS_REDIRECT_CODE;
}

ArcpassRedirectResult
arcpass_authorization_parse_approval_title (ArcpassAuthorization  *self,
                                            const char            *title,
                                            char                 **out_code,
                                            GError               **error)
{
  const char *p;

  g_return_val_if_fail (ARCPASS_IS_AUTHORIZATION (self), ARCPASS_REDIRECT_NOT_OURS);
  g_return_val_if_fail (out_code != NULL, ARCPASS_REDIRECT_NOT_OURS);

  *out_code = NULL;
  if (title == NULL)
    return ARCPASS_REDIRECT_NOT_OURS;

  if (g_str_has_prefix (title, "SUCCESS code="))
    {
      g_autofree char *code = g_strstrip (g_strdup (title + strlen ("SUCCESS code=")));

      if (*code == '\0')
        {
          g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                               _("The approval page has no code. Start the sign-in again."));
          return ARCPASS_REDIRECT_ERROR;
        }
      *out_code = arcpass_secret_dup (code);
      explicit_bzero (code, strlen (code));
      return ARCPASS_REDIRECT_CODE;
    }

  p = strstr (title, "Denied error=");
  if (p != NULL)
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_ACCESS_DENIED,
                   _("Sign-in was cancelled or refused (%s)."), p + strlen ("Denied error="));
      return ARCPASS_REDIRECT_ERROR;
    }

  return ARCPASS_REDIRECT_NOT_OURS;
}

/* ---- Token responses ---------------------------------------------------- */

void
arcpass_token_response_free (ArcpassTokenResponse *response)
{
  if (response == NULL)
    return;

  arcpass_secret_free (response->access_token);
  arcpass_secret_free (response->refresh_token);
  g_free (response->username);
  g_free (response);
}

/* @now + @seconds (>= 0), saturated: a server may send any integer, and a
 * signed overflow is undefined behaviour (found by fuzzing). */
static gint64
add_seconds (gint64 now,
             gint64 seconds)
{
  if (now > 0 && seconds > G_MAXINT64 - now)
    return G_MAXINT64;
  return now + seconds;
}

ArcpassTokenResponse *
arcpass_token_response_new_from_json (JsonObject  *object,
                                      gint64       now,
                                      GError     **error)
{
  g_autoptr(ArcpassTokenResponse) response = g_new0 (ArcpassTokenResponse, 1);
  const char *s = NULL;
  gint64 n;

  /* OAuth answers say access_token; generateToken says token. */
  if (!arcpass_json_object_get_optional_string (object, "access_token", &s, error))
    return NULL;
  if (s == NULL)
    {
      s = arcpass_json_object_get_string (object, "token", error);
      if (s == NULL)
        return NULL;
    }
  response->access_token = arcpass_secret_dup (s);

  n = -1;
  if (!arcpass_json_object_get_optional_int (object, "expires_in", &n, error))
    return NULL;
  if (n >= 0)
    response->expires_at = add_seconds (now, n);
  else
    {
      n = -1;
      /* generateToken: absolute, in milliseconds. */
      if (!arcpass_json_object_get_optional_int (object, "expires", &n, error))
        return NULL;
      if (n > 0)
        response->expires_at = n / 1000;
    }

  if (!arcpass_json_object_get_optional_string (object, "refresh_token", &s, error))
    return NULL;
  response->refresh_token = arcpass_secret_dup (s);

  n = -1;
  if (!arcpass_json_object_get_optional_int (object, "refresh_token_expires_in", &n, error))
    return NULL;
  if (n >= 0)
    response->refresh_expires_at = add_seconds (now, n);

  if (!arcpass_json_object_get_optional_string (object, "username", &s, error))
    return NULL;
  response->username = g_strdup (s);

  if (!arcpass_json_object_get_optional_boolean (object, "ssl", &response->ssl, error))
    return NULL;

  return g_steal_pointer (&response);
}

void
arcpass_credential_apply_token_response (ArcpassCredential    *credential,
                                         ArcpassTokenResponse *response)
{
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (credential));
  g_return_if_fail (response != NULL);

  g_object_freeze_notify (G_OBJECT (credential));
  arcpass_credential_set_access_token (credential, response->access_token);
  arcpass_credential_set_access_expires (credential, response->expires_at);
  if (response->refresh_token != NULL)
    {
      arcpass_credential_set_refresh_token (credential, response->refresh_token);
      arcpass_credential_set_refresh_expires (credential, response->refresh_expires_at);
    }
  if (response->username != NULL)
    arcpass_credential_set_username (credential, response->username);
  arcpass_credential_set_ssl (credential, response->ssl);
  arcpass_credential_set_state (credential, ARCPASS_CREDENTIAL_STATE_VALID);
  g_object_thaw_notify (G_OBJECT (credential));
}

/* ---- Token endpoint calls ---------------------------------------------- */

static void
token_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  ArcpassClient *client = ARCPASS_CLIENT (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  ArcpassTokenResponse *response;
  guint fallback_minutes = GPOINTER_TO_UINT (g_task_get_task_data (task));

  json = arcpass_client_request_json_finish (client, result, NULL, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (json == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  response = arcpass_token_response_new_from_json (json, arcpass_client_get_now (client), &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* ArcGIS Enterprise before 10.9.1 does not say how long a refresh token
   * lives. It lives as long as was asked (`expiration`, minutes): without
   * that, its expiry would be unknown and it would never be rotated
   * (exchange_refresh_token) before it dies. */
  if (response->refresh_token != NULL && response->refresh_expires_at == 0 && fallback_minutes > 0)
    response->refresh_expires_at = add_seconds (arcpass_client_get_now (client),
                                                (gint64) fallback_minutes * 60);

  g_task_return_pointer (task, response, (GDestroyNotify) arcpass_token_response_free);
}

static void
post_token_request_full (ArcpassClient       *client,
                         const char          *url,
                         const char * const  *params,
                         guint                refresh_fallback_minutes,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data,
                         gpointer             source_tag)
{
  GTask *task = g_task_new (client, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, GUINT_TO_POINTER (refresh_fallback_minutes), NULL);
  /* POST: codes, refresh tokens, secrets and passwords only ever travel in
   * a request body. */
  arcpass_client_request_json_async (client, ARCPASS_SERVICE_OAUTH, url, params, NULL,
                                     ARCPASS_REQUEST_POST, cancellable, token_cb, task);
}

static void
post_token_request (ArcpassClient       *client,
                    const char          *url,
                    const char * const  *params,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data,
                    gpointer             source_tag)
{
  post_token_request_full (client, url, params, 0, cancellable, callback, user_data, source_tag);
}

static ArcpassTokenResponse *
token_finish (GAsyncResult  *result,
              gpointer       source_tag,
              GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
arcpass_oauth_exchange_code_async (ArcpassClient        *client,
                                   ArcpassAuthorization *authorization,
                                   const char           *code,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  g_autofree char *url = NULL;
  const char *params[] = {
    "grant_type", "authorization_code",
    "client_id", authorization->client_id,
    "redirect_uri", authorization->redirect_uri,
    "code", code,
    "code_verifier", authorization->code_verifier,
    NULL
  };

  g_return_if_fail (ARCPASS_IS_CLIENT (client));
  g_return_if_fail (ARCPASS_IS_AUTHORIZATION (authorization));
  g_return_if_fail (code != NULL);

  /* A public client has no secret, and the code exchange needs none, with
   * or without PKCE (only client_credentials does): none is sent. */
  url = g_strconcat (authorization->rest_root, "/oauth2/token", NULL);
  post_token_request_full (client, url, params, authorization->expiration, cancellable, callback,
                           user_data, arcpass_oauth_exchange_code_async);
}

ArcpassTokenResponse *
arcpass_oauth_exchange_code_finish (GAsyncResult  *result,
                                    GError       **error)
{
  return token_finish (result, arcpass_oauth_exchange_code_async, error);
}

void
arcpass_oauth_refresh_async (ArcpassClient       *client,
                             const char          *rest_root,
                             const char          *client_id,
                             const char          *refresh_token,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autofree char *url = g_strconcat (rest_root, "/oauth2/token", NULL);
  const char *params[] = {
    "grant_type", "refresh_token",
    "client_id", client_id,
    "refresh_token", refresh_token,
    NULL
  };

  post_token_request (client, url, params, cancellable, callback, user_data,
                      arcpass_oauth_refresh_async);
}

ArcpassTokenResponse *
arcpass_oauth_refresh_finish (GAsyncResult  *result,
                              GError       **error)
{
  return token_finish (result, arcpass_oauth_refresh_async, error);
}

void
arcpass_oauth_exchange_refresh_token_async (ArcpassClient       *client,
                                            const char          *rest_root,
                                            const char          *client_id,
                                            const char          *redirect_uri,
                                            const char          *refresh_token,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autofree char *url = g_strconcat (rest_root, "/oauth2/token", NULL);
  const char *params[] = {
    "grant_type", "exchange_refresh_token",
    "client_id", client_id,
    "redirect_uri", redirect_uri,
    "refresh_token", refresh_token,
    NULL
  };

  /* The portal checks redirect_uri against the registered ones: only the
   * one the account signed in with is known to be registered. Guessing
   * another (the out-of-band URI) would fail on most credentials and, on
   * the rest, hide the missing value. */
  if (redirect_uri == NULL || *redirect_uri == '\0')
    {
      GTask *task = g_task_new (client, cancellable, callback, user_data);

      g_task_set_source_tag (task, arcpass_oauth_exchange_refresh_token_async);
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_SIGN_IN_REQUIRED,
                               _("The saved sign-in does not say which redirect URI it used, "
                                 "which renewing it needs. Sign in again."));
      g_object_unref (task);
      return;
    }

  /* Answers without refresh_token_expires_in (Enterprise before 10.9.1):
   * the new refresh token lives as long as the portal's default, two
   * weeks, as Arcpass asks at sign-in. */
  post_token_request_full (client, url, params, ARCPASS_OAUTH_DEFAULT_EXPIRATION, cancellable,
                           callback, user_data, arcpass_oauth_exchange_refresh_token_async);
}

ArcpassTokenResponse *
arcpass_oauth_exchange_refresh_token_finish (GAsyncResult  *result,
                                             GError       **error)
{
  return token_finish (result, arcpass_oauth_exchange_refresh_token_async, error);
}

void
arcpass_oauth_client_credentials_async (ArcpassClient       *client,
                                        const char          *rest_root,
                                        const char          *client_id,
                                        const char          *client_secret,
                                        guint                expiration_minutes,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autofree char *url = g_strconcat (rest_root, "/oauth2/token", NULL);
  g_autofree char *expiration = g_strdup_printf ("%u", expiration_minutes);
  const char *params[] = {
    "grant_type", "client_credentials",
    "client_id", client_id,
    "client_secret", client_secret,
    expiration_minutes ? "expiration" : NULL, expiration,
    NULL
  };

  /* The one grant that needs the secret: without it there is nothing to
   * send (and a NULL would end the parameter list early). */
  if (client_secret == NULL || *client_secret == '\0')
    {
      GTask *task = g_task_new (client, cancellable, callback, user_data);

      g_task_set_source_tag (task, arcpass_oauth_client_credentials_async);
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_CLIENT,
                               _("App credentials need their client secret, and none is saved. "
                                 "Add the app credentials again."));
      g_object_unref (task);
      return;
    }

  post_token_request (client, url, params, cancellable, callback, user_data,
                      arcpass_oauth_client_credentials_async);
}

ArcpassTokenResponse *
arcpass_oauth_client_credentials_finish (GAsyncResult  *result,
                                         GError       **error)
{
  return token_finish (result, arcpass_oauth_client_credentials_async, error);
}

static gboolean
error_says (const GError *error,
            const char   *needle)
{
  g_autofree char *haystack = g_utf8_casefold (error->message, -1);
  g_autofree char *folded = g_utf8_casefold (needle, -1);

  return strstr (haystack, folded) != NULL;
}

void
arcpass_oauth_classify_generate_token_error (GError **error)
{
  GError *e;

  if (error == NULL || *error == NULL)
    return;
  e = *error;
  /* Only answers of the token service itself; a transport failure, a
   * web-tier 401 or a malformed answer say something else. */
  if (e->domain != ARCPASS_ERROR ||
      (e->code != ARCPASS_ERROR_INVALID_CREDENTIALS && e->code != ARCPASS_ERROR_SERVICE_ERROR &&
       e->code != ARCPASS_ERROR_MISSING_PRIVILEGE))
    return;

  /* The exact wording of real portals is not documented (src/sandbox/README.md
   * says UNCONFIRMED): look for the words any of them would use. */
  if (error_says (e, "locked") || error_says (e, "too many") || error_says (e, "logon attempts") ||
      error_says (e, "login attempts") || error_says (e, "sign-in attempts"))
    {
      g_clear_error (error);
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_ACCOUNT_LOCKED,
                           _("The portal has locked this account after too many failed sign-ins. "
                             "Wait until the lock runs out (ArcGIS Enterprise unlocks it after "
                             "15 minutes unless its administrator set another time) or ask the "
                             "portal's administrator to unlock it. Arcpass does not try again by "
                             "itself."));
      return;
    }

  if (error_says (e, "saml") || error_says (e, "identity provider") ||
      error_says (e, "enterprise login") || error_says (e, "enterprise account") ||
      error_says (e, "oidc") || error_says (e, "social login"))
    {
      g_clear_error (error);
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_EXTERNAL_ACCOUNT,
                           _("This account signs in through your organisation's login (SAML or "
                             "another identity provider), so the portal has no password for it. "
                             "Sign in with your organisation's login (OAuth) instead."));
      return;
    }

  if (e->code == ARCPASS_ERROR_INVALID_CREDENTIALS)
    {
      g_clear_error (error);
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_CREDENTIALS,
                           _("The username or password is wrong. Usernames are case-sensitive. "
                             "Portals lock an account after several wrong passwords, so check "
                             "both before trying again."));
    }
}

static void
generate_token_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ArcpassClient *client = ARCPASS_CLIENT (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  ArcpassTokenResponse *response;

  json = arcpass_client_request_json_finish (client, result, NULL, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (json == NULL)
    {
      /* Never retried: each wrong attempt counts towards the lockout. */
      arcpass_oauth_classify_generate_token_error (&error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  response = arcpass_token_response_new_from_json (json, arcpass_client_get_now (client), &error);
  if (response == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, response, (GDestroyNotify) arcpass_token_response_free);
}

void
arcpass_oauth_generate_token_async (ArcpassClient       *client,
                                    const char          *token_services_url,
                                    const char          *username,
                                    const char          *password,
                                    guint                expiration_minutes,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *expiration = g_strdup_printf ("%u", expiration_minutes ? expiration_minutes : 60);
  const char *params[] = {
    "username", username,
    "password", password,
    "client", "referer",
    "referer", ARCPASS_APPLICATION_REFERER,
    "expiration", expiration,
    NULL
  };
  GTask *task = g_task_new (client, cancellable, callback, user_data);

  g_task_set_source_tag (task, arcpass_oauth_generate_token_async);
  /* POST, the password in the body only; the Referer header as the token
   * will need it. */
  arcpass_client_request_json_async (client, ARCPASS_SERVICE_OAUTH, token_services_url, params,
                                     NULL, ARCPASS_REQUEST_POST | ARCPASS_REQUEST_SEND_REFERER,
                                     cancellable, generate_token_cb, task);
}

ArcpassTokenResponse *
arcpass_oauth_generate_token_finish (GAsyncResult  *result,
                                     GError       **error)
{
  return token_finish (result, arcpass_oauth_generate_token_async, error);
}

static void
revoke_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  gboolean success = FALSE;

  json = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, NULL, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (json == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!arcpass_json_object_get_boolean (json, "success", &success, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!success)
    {
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_SERVICE_ERROR,
                               _("The portal did not revoke the token."));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
arcpass_oauth_revoke_async (ArcpassClient       *client,
                            const char          *rest_root,
                            const char          *client_id,
                            const char          *token,
                            const char          *token_type_hint,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *url = g_strconcat (rest_root, "/oauth2/revokeToken", NULL);
  GTask *task = g_task_new (client, cancellable, callback, user_data);
  const char *params[] = {
    "auth_token", token,
    "client_id", client_id,
    token_type_hint ? "token_type_hint" : NULL, token_type_hint,
    NULL
  };

  g_task_set_source_tag (task, arcpass_oauth_revoke_async);
  arcpass_client_request_json_async (client, ARCPASS_SERVICE_OAUTH, url, params, NULL,
                                     ARCPASS_REQUEST_POST, cancellable, revoke_cb, task);
}

gboolean
arcpass_oauth_revoke_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_oauth_revoke_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
