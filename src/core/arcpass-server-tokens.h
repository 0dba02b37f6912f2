/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "arcpass-client.h"
#include "arcpass-credential.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_SERVER_TOKENS (arcpass_server_tokens_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassServerTokens, arcpass_server_tokens, ARCPASS, SERVER_TOKENS, GObject)

/*
 * One account's server tokens, as Esri's arcgis-rest-js gets them
 * (`ArcGISIdentityManager.getTokenForServer`): an ArcGIS Enterprise portal's
 * token is not valid on the servers federated with it; the portal exchanges
 * it for a server token (`generateToken` with `token` and `serverUrl`) once the
 * server's `/rest/info` names the portal as its `owningSystemUrl`. Tokens are
 * kept per server root until 5 minutes before they expire, and cleared from
 * memory when dropped.
 */

ArcpassServerTokens *arcpass_server_tokens_new       (ArcpassClient *client);

/* The server root of a service URL: `https://h/server/rest/services/…` ->
 * `https://h/server` (no trailing slash, no query), or NULL when @url has no
 * `/rest/` segment. */
char                *arcpass_server_tokens_find_root (const char    *url);

/* A server token for the server that serves @url, from the cache or fetched:
 * `GET <root>/rest/info?f=json` (anonymous), check that `owningSystemUrl` is
 * @credential's portal, then POST `<portal>/sharing/rest/generateToken` with
 * @portal_token and `serverUrl=<root>`. A server that does not name the portal
 * fails with %ARCPASS_ERROR_NO_TOKEN_FOR_HOST. Free the result with
 * arcpass_secret_free(). */
void                 arcpass_server_tokens_get_async  (ArcpassServerTokens  *self,
                                                       ArcpassCredential    *credential,
                                                       const char           *portal_token,
                                                       const char           *url,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
char                *arcpass_server_tokens_get_finish (ArcpassServerTokens  *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Forgets the token of @url's server (after the server refused it), or every
 * token when @url is NULL (the portal token changed). */
void                 arcpass_server_tokens_forget     (ArcpassServerTokens  *self,
                                                       const char           *url);

G_END_DECLS
