/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "arcpass-credential.h"
#include "arcpass-types.h"

G_BEGIN_DECLS

/**
 * ArcpassTokenScope:
 * @ARCPASS_TOKEN_SCOPE_NONE: no token of this account may go to the URL
 * @ARCPASS_TOKEN_SCOPE_ACCOUNT: the account's own token may go
 * @ARCPASS_TOKEN_SCOPE_SERVER: the URL may be a server federated with the
 *   account's Enterprise portal: only a server token exchanged for it may go,
 *   once the server's `/rest/info` names the portal (ArcpassServerTokens)
 *
 * Where a token may go, as Esri's arcgis-rest-js decides it
 * (`federation-utils.ts` `canUseOnlineToken`, `ArcGISIdentityManager`
 * `getTokenForServer`): a token is valid only where it was issued.
 */
typedef enum {
  ARCPASS_TOKEN_SCOPE_NONE,
  ARCPASS_TOKEN_SCOPE_ACCOUNT,
  ARCPASS_TOKEN_SCOPE_SERVER,
} ArcpassTokenScope;

/**
 * arcpass_token_scope_decide:
 * @credential: the account
 * @org_host: (nullable): the organisation's host, `<urlKey>.<customBaseUrl>`
 *   from the portal's `portals/self`, when discovery knows it
 * @url: the request's URL
 * @out_reason: (out) (optional): for %ARCPASS_TOKEN_SCOPE_NONE, a translated
 *   sentence saying why the token is not sent, for the user
 *
 * The one place that decides which credential, if any, goes to @url:
 *  - `http://` only on loopback (a token never travels in clear text, least
 *    of all one the portal marked `ssl`);
 *  - the account's portal (its URL and below) and its organisation host;
 *  - ArcGIS's location services (`https://arcgis.com` and `*.arcgis.com`)
 *    for ArcGIS Online and Location Platform accounts only; for a loopback
 *    portal (the sandbox) its ArcGIS Online hosts on the same port stand for
 *    them;
 *  - for user tokens of an Enterprise portal, `…/rest/…` URLs elsewhere are
 *    possible federated servers (%ARCPASS_TOKEN_SCOPE_SERVER);
 *  - nothing else.
 */
ArcpassTokenScope arcpass_token_scope_decide (ArcpassCredential  *credential,
                                              const char         *org_host,
                                              const char         *url,
                                              char              **out_reason);

/**
 * arcpass_token_scope_check_offered:
 * @credential: the account
 * @service: the service about to be called
 * @strict: %TRUE to decide from the account kind recorded at sign-in only;
 *   %FALSE to also use the kind guessed from the portal URL (for explaining
 *   a refusal the service already gave)
 * @error: %ARCPASS_ERROR_NOT_OFFERED, saying what the account kind does not
 *   offer and what to use instead
 *
 * Whether ArcGIS offers @service to this kind of account at all: Static
 * Basemap Tiles are for ArcGIS Location Platform accounts only ("ArcGIS
 * Online: not supported", DOC static-basemap-tiles), so an ArcGIS Online
 * user is told that, never to add a privilege they cannot get.
 */
gboolean          arcpass_token_scope_check_offered (ArcpassCredential  *credential,
                                                     ArcpassService      service,
                                                     gboolean            strict,
                                                     GError            **error);

G_END_DECLS
