/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ARCPASS_ERROR (arcpass_error_quark ())

/**
 * ArcpassError:
 *
 * One error domain for the whole application. Each value means something a
 * user can act on; the message of a #GError in this domain says what to do.
 *
 * - %ARCPASS_ERROR_INSECURE_PORTAL: an `http://` URL that is not loopback.
 * - %ARCPASS_ERROR_NETWORK: could not connect, connection closed, TLS failed.
 * - %ARCPASS_ERROR_TIMEOUT: no answer in time (also the loopback receiver).
 * - %ARCPASS_ERROR_MALFORMED_RESPONSE: not JSON, truncated, or a member
 *   missing or of the wrong type.
 * - %ARCPASS_ERROR_INVALID_TOKEN: ArcGIS code 498 (invalid or expired token).
 * - %ARCPASS_ERROR_TOKEN_REQUIRED: ArcGIS code 499.
 * - %ARCPASS_ERROR_TOKEN_EXPIRED: e.g. "refresh_token expired", expired key.
 * - %ARCPASS_ERROR_MISSING_PRIVILEGE: 403; the message names the privilege
 *   when the service is known.
 * - %ARCPASS_ERROR_INVALID_CLIENT: wrong client ID or client secret.
 * - %ARCPASS_ERROR_REDIRECT_MISMATCH: redirect URI not registered / differs.
 * - %ARCPASS_ERROR_STATE_MISMATCH: the redirect's `state` is missing/wrong.
 * - %ARCPASS_ERROR_ACCESS_DENIED: the user refused (error=access_denied).
 * - %ARCPASS_ERROR_INVALID_GRANT: bad/used authorization code, bad refresh
 *   token, PKCE verifier mismatch.
 * - %ARCPASS_ERROR_INVALID_CREDENTIALS: wrong username or password.
 * - %ARCPASS_ERROR_SIGN_IN_REQUIRED: the account is kept but its tokens can
 *   no longer be renewed; the user must sign in again.
 * - %ARCPASS_ERROR_NO_SECRET_SERVICE: no Secret Service on the session bus;
 *   offer a memory-only session.
 * - %ARCPASS_ERROR_SERVICE_ERROR: any other ArcGIS error envelope.
 * - %ARCPASS_ERROR_SERVICE_UNAVAILABLE: HTTP 5xx.
 *
 * Added for real portals (`real-arcgis.md`):
 * - %ARCPASS_ERROR_BLOCKED: an HTML 403 from a CDN, firewall or proxy (not
 *   ArcGIS): the message names the host.
 * - %ARCPASS_ERROR_RATE_LIMITED: HTTP 429; the message says when to retry
 *   (`Retry-After`).
 * - %ARCPASS_ERROR_MOVED: a redirect answered to a credential POST; never
 *   followed (the body would be lost); the message names the new location.
 * - %ARCPASS_ERROR_WEB_TIER_AUTH: the portal uses web-tier authentication
 *   (Windows/Kerberos `Negotiate`/`NTLM`, or client certificates) that
 *   Arcpass cannot complete here; no account is created.
 * - %ARCPASS_ERROR_ACCOUNT_LOCKED: too many failed sign-ins; wait or ask the
 *   administrator. Never retried automatically.
 * - %ARCPASS_ERROR_EXTERNAL_ACCOUNT: the account signs in through SAML, OIDC
 *   or another identity provider and cannot use a username and password.
 * - %ARCPASS_ERROR_NOT_OFFERED: the service is not offered to this kind of
 *   account (Static Basemap Tiles on ArcGIS Online): no privilege helps.
 * - %ARCPASS_ERROR_NO_TOKEN_FOR_HOST: the account's token may not be sent to
 *   this host (it was not issued for it); nothing was sent.
 * - %ARCPASS_ERROR_PORT_IN_USE: the loopback redirect port is taken by
 *   another program.
 */
typedef enum {
  ARCPASS_ERROR_FAILED,
  ARCPASS_ERROR_INVALID_INPUT,
  ARCPASS_ERROR_INSECURE_PORTAL,
  ARCPASS_ERROR_NETWORK,
  ARCPASS_ERROR_TIMEOUT,
  ARCPASS_ERROR_SERVICE_UNAVAILABLE,
  ARCPASS_ERROR_MALFORMED_RESPONSE,
  ARCPASS_ERROR_RESPONSE_TOO_LARGE,
  ARCPASS_ERROR_INVALID_TOKEN,
  ARCPASS_ERROR_TOKEN_REQUIRED,
  ARCPASS_ERROR_TOKEN_EXPIRED,
  ARCPASS_ERROR_MISSING_PRIVILEGE,
  ARCPASS_ERROR_INVALID_CLIENT,
  ARCPASS_ERROR_REDIRECT_MISMATCH,
  ARCPASS_ERROR_STATE_MISMATCH,
  ARCPASS_ERROR_ACCESS_DENIED,
  ARCPASS_ERROR_INVALID_GRANT,
  ARCPASS_ERROR_INVALID_CREDENTIALS,
  ARCPASS_ERROR_SIGN_IN_REQUIRED,
  ARCPASS_ERROR_NOT_FOUND,
  ARCPASS_ERROR_NO_SECRET_SERVICE,
  ARCPASS_ERROR_KEYRING_LOCKED,
  ARCPASS_ERROR_SERVICE_ERROR,
  ARCPASS_ERROR_CANCELLED,
  ARCPASS_ERROR_BLOCKED,
  ARCPASS_ERROR_RATE_LIMITED,
  ARCPASS_ERROR_MOVED,
  ARCPASS_ERROR_WEB_TIER_AUTH,
  ARCPASS_ERROR_ACCOUNT_LOCKED,
  ARCPASS_ERROR_EXTERNAL_ACCOUNT,
  ARCPASS_ERROR_NOT_OFFERED,
  ARCPASS_ERROR_NO_TOKEN_FOR_HOST,
  ARCPASS_ERROR_PORT_IN_USE,
} ArcpassError;

GQuark   arcpass_error_quark          (void);

/* TRUE for the two "get a new token and retry" errors (498 and 499). */
gboolean arcpass_error_is_token_error (const GError *error);

G_END_DECLS
