/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "arcpass-client.h"
#include "arcpass-credential.h"
#include "arcpass-token-scope.h"
#include "arcpass-types.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_TOKEN_MANAGER (arcpass_token_manager_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassTokenManager, arcpass_token_manager, ARCPASS, TOKEN_MANAGER, GObject)

/*
 * One manager per account. It hands out a fresh token:
 *  - OAuth user: `refresh_token` grant 5 minutes before expiry; when the
 *    refresh token has less than 24 h left, `exchange_refresh_token` instead
 *    (new refresh token); app credentials: `client_credentials` again;
 *    API keys and generateToken tokens cannot be renewed.
 *  - Concurrent callers share one in-flight refresh.
 *  - On a refresh failure that the user must fix (invalid/expired refresh
 *    token, revoked…) the credential's state becomes SIGN_IN_REQUIRED and the
 *    call fails with %ARCPASS_ERROR_SIGN_IN_REQUIRED; on a network failure it
 *    becomes OFFLINE. The credential is never deleted.
 *  - After a successful refresh the credential is saved to the store (when
 *    one was given) and "token-refreshed" is emitted.
 *
 * Properties: credential (ArcpassCredential, construct-only), client
 * (ArcpassClient, construct-only), store (ArcpassAccountStore, nullable),
 * endpoints (ArcpassEndpoints boxed), refreshing (boolean, notifies).
 * Signals: "token-refreshed" (), "sign-in-required" (GError *error).
 */

ArcpassTokenManager    *arcpass_token_manager_new               (ArcpassClient        *client,
                                                                 ArcpassCredential    *credential,
                                                                 ArcpassAccountStore  *store);
ArcpassCredential      *arcpass_token_manager_get_credential    (ArcpassTokenManager  *self);
ArcpassClient          *arcpass_token_manager_get_client        (ArcpassTokenManager  *self);
ArcpassAccountStore    *arcpass_token_manager_get_store         (ArcpassTokenManager  *self);
/* The location-service URLs of this account (defaults: ArcGIS Online's). */
const ArcpassEndpoints *arcpass_token_manager_get_endpoints     (ArcpassTokenManager  *self);
void                    arcpass_token_manager_set_refresh_margin (ArcpassTokenManager *self,
                                                                  guint                seconds);
guint                   arcpass_token_manager_get_refresh_margin (ArcpassTokenManager *self);
void                    arcpass_token_manager_set_endpoints     (ArcpassTokenManager  *self,
                                                                 const ArcpassEndpoints *endpoints);
gboolean                arcpass_token_manager_get_refreshing    (ArcpassTokenManager  *self);
/* The organisation's host (`<urlKey>.<customBaseUrl>` of portals/self), which
 * accepts the account's token as its portal does; NULL when unknown. */
void                    arcpass_token_manager_set_org_host      (ArcpassTokenManager  *self,
                                                                 const char           *org_host);
const char             *arcpass_token_manager_get_org_host      (ArcpassTokenManager  *self);
/* arcpass_token_scope_decide() for this account: whether its token may go to
 * @url. Every request of the manager passes through it. */
ArcpassTokenScope       arcpass_token_manager_decide_scope      (ArcpassTokenManager  *self,
                                                                 const char           *url,
                                                                 char                **out_reason);

/* A token valid for at least 5 more minutes, refreshing first if needed
 * (@force_refresh: refresh even if still valid, e.g. "Refresh now" or after
 * a 498). Returns a copy: free it with arcpass_secret_free(). */
void                    arcpass_token_manager_get_token_async   (ArcpassTokenManager  *self,
                                                                 gboolean              force_refresh,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
char                   *arcpass_token_manager_get_token_finish  (ArcpassTokenManager  *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);

/* arcpass_client_request_json_async() with a fresh token, sent only where
 * arcpass_token_scope_decide() allows (%ARCPASS_ERROR_NO_TOKEN_FOR_HOST
 * otherwise, saying why; a federated server gets a server token). After a
 * 498/499 answer the token is renewed and the request retried once; if it
 * is still refused, the portal is asked with the token: only if the portal
 * refuses it too does the account become SIGN_IN_REQUIRED (and saved so);
 * otherwise the call fails with %ARCPASS_ERROR_SERVICE_ERROR naming the
 * service, and the account is left as it was. */
void                    arcpass_token_manager_request_json_async  (ArcpassTokenManager  *self,
                                                                   ArcpassService        service,
                                                                   const char           *url,
                                                                   const char * const   *params,
                                                                   ArcpassRequestFlags   flags,
                                                                   GCancellable         *cancellable,
                                                                   GAsyncReadyCallback   callback,
                                                                   gpointer              user_data);
JsonObject             *arcpass_token_manager_request_json_finish (ArcpassTokenManager  *self,
                                                                   GAsyncResult         *result,
                                                                   GError              **error);
/* Same for raw bodies (tiles). */
void                    arcpass_token_manager_request_bytes_async  (ArcpassTokenManager  *self,
                                                                    ArcpassService        service,
                                                                    const char           *url,
                                                                    const char * const   *params,
                                                                    ArcpassRequestFlags   flags,
                                                                    GCancellable         *cancellable,
                                                                    GAsyncReadyCallback   callback,
                                                                    gpointer              user_data);
GBytes                 *arcpass_token_manager_request_bytes_finish (ArcpassTokenManager  *self,
                                                                    GAsyncResult         *result,
                                                                    char                **out_content_type,
                                                                    GError              **error);

/* Sign out: revokes the refresh token (OAuth user; failures to revoke are
 * not fatal but reported in the log) and deletes the account from the store. */
void                    arcpass_token_manager_sign_out_async    (ArcpassTokenManager  *self,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
gboolean                arcpass_token_manager_sign_out_finish   (ArcpassTokenManager  *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);
/* After a sign-out that succeeded: TRUE when the portal did not revoke the
 * refresh token (the account is forgotten all the same), with why in
 * @revoke_error, so that the user can be told it stays valid until it
 * expires. */
gboolean                arcpass_token_manager_sign_out_get_revoke_error (ArcpassTokenManager  *self,
                                                                         GAsyncResult         *result,
                                                                         GError              **revoke_error);

G_END_DECLS
