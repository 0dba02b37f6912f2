/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "arcpass-types.h"

G_BEGIN_DECLS

#define ARCPASS_OAUTH_OOB_REDIRECT_URI "urn:ietf:wg:oauth:2.0:oob"
/* Refresh-token lifetime asked for by default (minutes, two weeks), as Esri's SDKs do. */
#define ARCPASS_OAUTH_DEFAULT_EXPIRATION 20160

/* ---- PKCE (RFC 7636) ---------------------------------------------------- */

/* 32 bytes from the kernel CSPRNG, base64url: 43 characters. Free with
 * arcpass_secret_free(). */
char     *arcpass_pkce_verifier_new        (GError     **error);
/* base64url(SHA-256(@verifier)) without padding (method S256). */
char     *arcpass_pkce_challenge_s256      (const char  *verifier);
/* A fresh `state` value from the CSPRNG (32 bytes, base64url). */
char     *arcpass_oauth_state_new          (GError     **error);

/* ---- One authorization attempt ---------------------------------------- */

#define ARCPASS_TYPE_AUTHORIZATION (arcpass_authorization_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassAuthorization, arcpass_authorization, ARCPASS, AUTHORIZATION, GObject)

/**
 * ArcpassRedirectResult:
 * @ARCPASS_REDIRECT_NOT_OURS: the URI is not our redirect (let the web view load it)
 * @ARCPASS_REDIRECT_CODE: a code with the right `state`
 * @ARCPASS_REDIRECT_ERROR: our redirect, but an error (denied, wrong/missing state…)
 */
typedef enum {
  ARCPASS_REDIRECT_NOT_OURS,
  ARCPASS_REDIRECT_CODE,
  ARCPASS_REDIRECT_ERROR,
} ArcpassRedirectResult;

/* Creates an attempt with a fresh PKCE verifier and state (CSPRNG).
 * @portal_url is normalised. @redirect_uri NULL means the oob URI. */
ArcpassAuthorization *arcpass_authorization_new             (const char            *portal_url,
                                                             const char            *client_id,
                                                             const char            *redirect_uri,
                                                             GError               **error);
const char           *arcpass_authorization_get_portal_url  (ArcpassAuthorization  *self);
const char           *arcpass_authorization_get_rest_root   (ArcpassAuthorization  *self);
const char           *arcpass_authorization_get_client_id   (ArcpassAuthorization  *self);
const char           *arcpass_authorization_get_redirect_uri (ArcpassAuthorization *self);
/* Secret-ish values, exposed for tests and the code exchange. */
const char           *arcpass_authorization_get_state       (ArcpassAuthorization  *self);
const char           *arcpass_authorization_get_code_verifier (ArcpassAuthorization *self);
/* Refresh-token lifetime in minutes (`expiration`), default 20160. */
void                  arcpass_authorization_set_expiration  (ArcpassAuthorization  *self,
                                                             guint                  minutes);
void                  arcpass_authorization_set_locale      (ArcpassAuthorization  *self,
                                                             const char            *locale);
void                  arcpass_authorization_set_force_login (ArcpassAuthorization  *self,
                                                             gboolean               force_login);
/* Signing in again to an existing account: the portal's form shows
 * @username (`prepopulatedusername`, as Esri's JS API sends for
 * `forceUserId`). NULL for a new account. */
void                  arcpass_authorization_set_prepopulated_username (ArcpassAuthorization *self,
                                                                       const char           *username);
/* `<rest>/oauth2/authorize?client_id&response_type=code&redirect_uri&state&
 * code_challenge&code_challenge_method=S256&expiration[&locale][&force_login=true]
 * [&prepopulatedusername=…]` */
char                 *arcpass_authorization_build_url       (ArcpassAuthorization  *self);

/**
 * arcpass_authorization_parse_redirect:
 * @uri: a URI the browser/web view is about to load (or the loopback receiver got)
 * @out_code: (out): the authorization code on %ARCPASS_REDIRECT_CODE (free with
 *   arcpass_secret_free())
 *
 * Our redirect is a URI whose scheme, host, port and path equal the
 * redirect URI's (for the oob URI: the portal's `/oauth2/approval` page).
 * Anything else — other paths, look-alike hosts (`127.0.0.1.evil.com`,
 * `user@host`) — is %ARCPASS_REDIRECT_NOT_OURS. Extra parameters are ignored.
 * On our redirect: `error`/`error_description` map to %ARCPASS_ERROR_ACCESS_DENIED
 * (access_denied) or %ARCPASS_ERROR_SERVICE_ERROR; a missing or different
 * `state` is %ARCPASS_ERROR_STATE_MISMATCH (even when an error is present:
 * a forged redirect must not be believed); no code is
 * %ARCPASS_ERROR_MALFORMED_RESPONSE.
 */
ArcpassRedirectResult arcpass_authorization_parse_redirect  (ArcpassAuthorization  *self,
                                                             const char            *uri,
                                                             char                 **out_code,
                                                             GError               **error);
/* TRUE when @uri is an out-of-band approval page this attempt trusts: the
 * exact approval path (`/sharing/oauth2/approval` or
 * `/sharing/rest/oauth2/approval`) on the portal's own host (under its web
 * adaptor path), on its organisation's host (see
 * arcpass_authorization_set_portal_self()), on any `https://<name>.arcgis.com`
 * host for ArcGIS Online (SAML and OIDC sign-ins end on the organisation's
 * host), or, for a loopback sandbox portal, on any loopback host on the
 * portal's port. Look-alikes (`arcgis.com.evil.example`, `evilarcgis.com`,
 * `user@host`) are not. */
gboolean              arcpass_authorization_is_approval_page (ArcpassAuthorization *self,
                                                              const char           *uri);
/* The organisation's own host (`<urlKey>.<customBaseUrl>`), NULL to forget it. */
void                  arcpass_authorization_set_organization_host (ArcpassAuthorization *self,
                                                                   const char           *host);
const char           *arcpass_authorization_get_organization_host (ArcpassAuthorization *self);
/* Reads `urlKey` and `customBaseUrl` of the portal's (anonymous)
 * `portals/self` answer; an Enterprise answer without them changes
 * nothing. Fails only on members of the wrong type. */
gboolean              arcpass_authorization_set_portal_self (ArcpassAuthorization  *self,
                                                             JsonObject            *portals_self,
                                                             GError               **error);
/* GET <rest>/portals/self anonymously and arcpass_authorization_set_portal_self(). */
void                  arcpass_authorization_discover_organization_async (ArcpassAuthorization *self,
                                                                         ArcpassClient        *client,
                                                                         GCancellable         *cancellable,
                                                                         GAsyncReadyCallback   callback,
                                                                         gpointer              user_data);
gboolean              arcpass_authorization_discover_organization_finish (ArcpassAuthorization  *self,
                                                                          GAsyncResult          *result,
                                                                          GError               **error);
/* The oob approval page's title: "SUCCESS code=…" gives the code,
 * "Denied error=…" gives %ARCPASS_ERROR_ACCESS_DENIED. Anything else is
 * %ARCPASS_REDIRECT_NOT_OURS (the page is still loading). No state check is
 * possible on the title, so only use it on the portal's own approval page. */
ArcpassRedirectResult arcpass_authorization_parse_approval_title (ArcpassAuthorization *self,
                                                                  const char           *title,
                                                                  char                **out_code,
                                                                  GError              **error);

/* ---- Token endpoint ------------------------------------------------------ */

/**
 * ArcpassTokenResponse:
 * @access_token: SECRET
 * @expires_at: Unix seconds (client clock + `expires_in`, or `expires` for
 *   generateToken), 0 when unknown
 * @refresh_token: SECRET, %NULL when not issued
 * @refresh_expires_at: Unix seconds, 0 when unknown
 * @username: may be %NULL
 * @ssl: `ssl`
 *
 * Secrets are cleared by arcpass_token_response_free().
 */
typedef struct {
  char     *access_token;
  gint64    expires_at;
  char     *refresh_token;
  gint64    refresh_expires_at;
  char     *username;
  gboolean  ssl;
} ArcpassTokenResponse;

void                  arcpass_token_response_free           (ArcpassTokenResponse *response);
/* Parses an OAuth token JSON answer (errors were already mapped by the client). */
ArcpassTokenResponse *arcpass_token_response_new_from_json  (JsonObject           *object,
                                                             gint64                now,
                                                             GError              **error);
/* Stores the tokens and expiries of @response into @credential (a NULL
 * refresh token keeps the current one) and sets the state to VALID. */
void                  arcpass_credential_apply_token_response (ArcpassCredential   *credential,
                                                               ArcpassTokenResponse *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArcpassTokenResponse, arcpass_token_response_free)

/* All token calls POST form bodies to `<rest_root>/oauth2/token` (or
 * generateToken / revokeToken) with f=json; secrets never go in a URL. Each
 * _finish returns a new ArcpassTokenResponse. */

void                  arcpass_oauth_exchange_code_async      (ArcpassClient        *client,
                                                              ArcpassAuthorization *authorization,
                                                              const char           *code,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
ArcpassTokenResponse *arcpass_oauth_exchange_code_finish     (GAsyncResult         *result,
                                                              GError              **error);

/* grant_type=refresh_token: a new access token only. */
void                  arcpass_oauth_refresh_async            (ArcpassClient        *client,
                                                              const char           *rest_root,
                                                              const char           *client_id,
                                                              const char           *refresh_token,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
ArcpassTokenResponse *arcpass_oauth_refresh_finish           (GAsyncResult         *result,
                                                              GError              **error);

/* grant_type=exchange_refresh_token: new access and refresh tokens. */
void                  arcpass_oauth_exchange_refresh_token_async (ArcpassClient      *client,
                                                                  const char         *rest_root,
                                                                  const char         *client_id,
                                                                  const char         *redirect_uri,
                                                                  const char         *refresh_token,
                                                                  GCancellable       *cancellable,
                                                                  GAsyncReadyCallback callback,
                                                                  gpointer            user_data);
ArcpassTokenResponse *arcpass_oauth_exchange_refresh_token_finish (GAsyncResult      *result,
                                                                   GError           **error);

/* grant_type=client_credentials; @expiration_minutes 0 = server default. */
void                  arcpass_oauth_client_credentials_async (ArcpassClient        *client,
                                                              const char           *rest_root,
                                                              const char           *client_id,
                                                              const char           *client_secret,
                                                              guint                 expiration_minutes,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
ArcpassTokenResponse *arcpass_oauth_client_credentials_finish (GAsyncResult        *result,
                                                               GError             **error);

/* POST @token_services_url (the portal's advertised
 * `authInfo.tokenServicesUrl`, normally `<rest>/generateToken`) with
 * username, password, client=referer, referer=ARCPASS_APPLICATION_REFERER,
 * expiration, f=json; the request itself sends the same Referer. The token
 * only works with that Referer: send every later request of it with
 * %ARCPASS_REQUEST_SEND_REFERER. (`client=requestip` breaks as soon as the
 * machine's address changes, and behind proxies.) Errors are classified by
 * arcpass_oauth_classify_generate_token_error(); nothing is retried. */
void                  arcpass_oauth_generate_token_async     (ArcpassClient        *client,
                                                              const char           *token_services_url,
                                                              const char           *username,
                                                              const char           *password,
                                                              guint                 expiration_minutes,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
ArcpassTokenResponse *arcpass_oauth_generate_token_finish    (GAsyncResult         *result,
                                                              GError              **error);
/* Turns a generateToken failure (as arcpass_error_new_from_response() made
 * it: the server's words are quoted in the message) into the error the user
 * can act on: %ARCPASS_ERROR_ACCOUNT_LOCKED (too many failed sign-ins),
 * %ARCPASS_ERROR_EXTERNAL_ACCOUNT (a SAML/identity-provider account) or
 * %ARCPASS_ERROR_INVALID_CREDENTIALS; other errors are left alone. */
void                  arcpass_oauth_classify_generate_token_error (GError            **error);

/* POST <rest_root>/oauth2/revokeToken (auth_token, token_type_hint, client_id).
 * `{"success":false}` is an error. */
void                  arcpass_oauth_revoke_async             (ArcpassClient        *client,
                                                              const char           *rest_root,
                                                              const char           *client_id,
                                                              const char           *token,
                                                              const char           *token_type_hint,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
gboolean              arcpass_oauth_revoke_finish            (GAsyncResult         *result,
                                                              GError              **error);

G_END_DECLS
