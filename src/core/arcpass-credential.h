/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "arcpass-client.h"
#include "arcpass-types.h"

G_BEGIN_DECLS

/**
 * ArcpassCredentialKind:
 * @ARCPASS_CREDENTIAL_OAUTH_USER: authorization code (+PKCE): access and refresh token
 * @ARCPASS_CREDENTIAL_API_KEY: a pasted API key (`AAPT…`/`AAPK…`), kept in access-token
 * @ARCPASS_CREDENTIAL_APP_CREDENTIALS: client ID + client secret, `client_credentials`
 * @ARCPASS_CREDENTIAL_GENERATE_TOKEN: username/password `generateToken` (no
 *   refresh: the password is never stored, so expiry means sign in again)
 */
typedef enum {
  ARCPASS_CREDENTIAL_OAUTH_USER,
  ARCPASS_CREDENTIAL_API_KEY,
  ARCPASS_CREDENTIAL_APP_CREDENTIALS,
  ARCPASS_CREDENTIAL_GENERATE_TOKEN,
} ArcpassCredentialKind;

GType arcpass_credential_kind_get_type (void) G_GNUC_CONST;
#define ARCPASS_TYPE_CREDENTIAL_KIND (arcpass_credential_kind_get_type ())

/**
 * ArcpassCredentialState:
 * @ARCPASS_CREDENTIAL_STATE_VALID: the access token is usable
 * @ARCPASS_CREDENTIAL_STATE_EXPIRES_SOON: less than 5 minutes left (will be refreshed)
 * @ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED: cannot be renewed; kept, but
 *   the user must sign in again
 * @ARCPASS_CREDENTIAL_STATE_OFFLINE: the last renewal failed for network reasons
 */
typedef enum {
  ARCPASS_CREDENTIAL_STATE_VALID,
  ARCPASS_CREDENTIAL_STATE_EXPIRES_SOON,
  ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED,
  ARCPASS_CREDENTIAL_STATE_OFFLINE,
} ArcpassCredentialState;

GType arcpass_credential_state_get_type (void) G_GNUC_CONST;
#define ARCPASS_TYPE_CREDENTIAL_STATE (arcpass_credential_state_get_type ())

/**
 * ArcpassAccountKind:
 * @ARCPASS_ACCOUNT_KIND_UNKNOWN: not known yet (accounts saved before it was
 *   recorded); arcpass_credential_get_effective_account_kind() guesses from
 *   the portal URL
 * @ARCPASS_ACCOUNT_KIND_ONLINE: an ArcGIS Online organisation
 * @ARCPASS_ACCOUNT_KIND_LOCATION_PLATFORM: an ArcGIS Location Platform account
 * @ARCPASS_ACCOUNT_KIND_ENTERPRISE: an ArcGIS Enterprise portal
 *
 * Which ArcGIS the account belongs to: it decides which services exist for
 * it (Static Basemap Tiles are Location Platform's only) and where its token
 * may go (ArcGIS's location services accept Online and Location Platform
 * tokens, never an Enterprise portal's).
 */
typedef enum {
  ARCPASS_ACCOUNT_KIND_UNKNOWN,
  ARCPASS_ACCOUNT_KIND_ONLINE,
  ARCPASS_ACCOUNT_KIND_LOCATION_PLATFORM,
  ARCPASS_ACCOUNT_KIND_ENTERPRISE,
} ArcpassAccountKind;

GType arcpass_account_kind_get_type (void) G_GNUC_CONST;
#define ARCPASS_TYPE_ACCOUNT_KIND (arcpass_account_kind_get_type ())

/* A translated label ("ArcGIS Online", "ArcGIS Location Platform", "ArcGIS
 * Enterprise"), or NULL for UNKNOWN. */
const char *arcpass_account_kind_get_label (ArcpassAccountKind kind);
/* A stable name for scripts ("arcgis-online", "location-platform",
 * "enterprise", "unknown"). */
const char *arcpass_account_kind_get_nick  (ArcpassAccountKind kind);

/* Version of the keyring payload written by arcpass_credential_to_payload(). */
#define ARCPASS_CREDENTIAL_PAYLOAD_VERSION 1

/* Seconds before expiry at which a token counts as "expires soon" and is renewed. */
#define ARCPASS_TOKEN_REFRESH_MARGIN      (5 * 60)
/* Refresh tokens with less than this left are rotated (exchange_refresh_token). */
#define ARCPASS_REFRESH_TOKEN_ROTATE_MARGIN (24 * 60 * 60)

#define ARCPASS_TYPE_CREDENTIAL (arcpass_credential_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassCredential, arcpass_credential, ARCPASS, CREDENTIAL, GObject)

/*
 * Properties (all readable/writable, all G_PARAM_EXPLICIT_NOTIFY: "notify"
 * is emitted only when a value really changes, so views can bind to them):
 *
 *   kind             ArcpassCredentialKind
 *   id               string   stable account id (a random UUID by default)
 *   portal-url       string   normalised portal URL
 *   client-id        string
 *   redirect-uri     string   needed again by exchange_refresh_token
 *   username         string
 *   access-token     string   SECRET (API key for API_KEY)
 *   access-expires   int64    Unix seconds UTC, 0 = unknown / does not expire
 *   refresh-token    string   SECRET
 *   refresh-expires  int64    Unix seconds UTC, 0 = unknown
 *   client-secret    string   SECRET (APP_CREDENTIALS only)
 *   ssl              boolean  token must only go over HTTPS
 *   account-kind     ArcpassAccountKind  Online, Location Platform, Enterprise
 *   privileges       GStrv
 *   full-name, org-id, org-name, role, avatar-url   strings (identity)
 *   state            ArcpassCredentialState
 *
 * Secrets are cleared from memory (explicit_bzero) when replaced and when
 * the object is finalized. Getters of secret properties return the internal
 * string: copy it with arcpass_secret_dup() if you need to keep it.
 */

ArcpassCredential     *arcpass_credential_new                (ArcpassCredentialKind kind,
                                                              const char           *portal_url);

ArcpassCredentialKind  arcpass_credential_get_kind           (ArcpassCredential *self);
void                   arcpass_credential_set_kind           (ArcpassCredential *self,
                                                              ArcpassCredentialKind kind);
const char            *arcpass_credential_get_id             (ArcpassCredential *self);
void                   arcpass_credential_set_id             (ArcpassCredential *self,
                                                              const char        *id);
const char            *arcpass_credential_get_portal_url     (ArcpassCredential *self);
void                   arcpass_credential_set_portal_url     (ArcpassCredential *self,
                                                              const char        *portal_url);
const char            *arcpass_credential_get_client_id      (ArcpassCredential *self);
void                   arcpass_credential_set_client_id      (ArcpassCredential *self,
                                                              const char        *client_id);
const char            *arcpass_credential_get_redirect_uri   (ArcpassCredential *self);
void                   arcpass_credential_set_redirect_uri   (ArcpassCredential *self,
                                                              const char        *redirect_uri);
const char            *arcpass_credential_get_username       (ArcpassCredential *self);
void                   arcpass_credential_set_username       (ArcpassCredential *self,
                                                              const char        *username);
const char            *arcpass_credential_get_access_token   (ArcpassCredential *self);
void                   arcpass_credential_set_access_token   (ArcpassCredential *self,
                                                              const char        *access_token);
gint64                 arcpass_credential_get_access_expires (ArcpassCredential *self);
void                   arcpass_credential_set_access_expires (ArcpassCredential *self,
                                                              gint64             unix_seconds);
const char            *arcpass_credential_get_refresh_token  (ArcpassCredential *self);
void                   arcpass_credential_set_refresh_token  (ArcpassCredential *self,
                                                              const char        *refresh_token);
gint64                 arcpass_credential_get_refresh_expires (ArcpassCredential *self);
void                   arcpass_credential_set_refresh_expires (ArcpassCredential *self,
                                                               gint64             unix_seconds);
const char            *arcpass_credential_get_client_secret  (ArcpassCredential *self);
void                   arcpass_credential_set_client_secret  (ArcpassCredential *self,
                                                              const char        *client_secret);
gboolean               arcpass_credential_get_ssl            (ArcpassCredential *self);
void                   arcpass_credential_set_ssl            (ArcpassCredential *self,
                                                              gboolean           ssl);
ArcpassAccountKind     arcpass_credential_get_account_kind   (ArcpassCredential *self);
void                   arcpass_credential_set_account_kind   (ArcpassCredential *self,
                                                              ArcpassAccountKind kind);
/* The account kind, or when unknown a guess from the portal URL: an
 * arcgis.com or loopback (sandbox) portal is ArcGIS Online, any other portal
 * ArcGIS Enterprise. */
ArcpassAccountKind     arcpass_credential_get_effective_account_kind (ArcpassCredential *self);
const char * const    *arcpass_credential_get_privileges     (ArcpassCredential *self);
void                   arcpass_credential_set_privileges     (ArcpassCredential *self,
                                                              const char * const *privileges);
gboolean               arcpass_credential_has_privilege      (ArcpassCredential *self,
                                                              const char        *privilege);
const char            *arcpass_credential_get_full_name      (ArcpassCredential *self);
void                   arcpass_credential_set_full_name      (ArcpassCredential *self,
                                                              const char        *full_name);
const char            *arcpass_credential_get_org_id         (ArcpassCredential *self);
void                   arcpass_credential_set_org_id         (ArcpassCredential *self,
                                                              const char        *org_id);
const char            *arcpass_credential_get_org_name       (ArcpassCredential *self);
void                   arcpass_credential_set_org_name       (ArcpassCredential *self,
                                                              const char        *org_name);
const char            *arcpass_credential_get_role           (ArcpassCredential *self);
void                   arcpass_credential_set_role           (ArcpassCredential *self,
                                                              const char        *role);
const char            *arcpass_credential_get_avatar_url     (ArcpassCredential *self);
void                   arcpass_credential_set_avatar_url     (ArcpassCredential *self,
                                                              const char        *avatar_url);
ArcpassCredentialState arcpass_credential_get_state          (ArcpassCredential *self);
void                   arcpass_credential_set_state          (ArcpassCredential *self,
                                                              ArcpassCredentialState state);

/* A label for lists: "username @ host", or the key's masked tail for keys. */
char                  *arcpass_credential_dup_display_name   (ArcpassCredential *self);

/* TRUE when the access token is present and valid for at least @margin more
 * seconds at @now (Unix seconds). Tokens with unknown expiry count as valid. */
gboolean               arcpass_credential_access_valid_at    (ArcpassCredential *self,
                                                              gint64             now,
                                                              gint64             margin);
/* TRUE when a refresh is possible without the user (OAuth user with a
 * refresh token not yet expired at @now, or app credentials with a secret). */
gboolean               arcpass_credential_can_refresh_at     (ArcpassCredential *self,
                                                              gint64             now);
/* Sets state to VALID or EXPIRES_SOON from the expiry and @now; leaves
 * SIGN_IN_REQUIRED unless the token became valid again. */
void                   arcpass_credential_update_state       (ArcpassCredential *self,
                                                              gint64             now);

/* The request flags every request carrying this credential's token needs:
 * %ARCPASS_REQUEST_SEND_REFERER for generateToken tokens, which are bound
 * to Arcpass's referer (`client=referer`). */
ArcpassRequestFlags    arcpass_credential_get_request_flags  (ArcpassCredential *self);

/* Versioned JSON for the keyring: {"version":1,"kind":"oauth-user",…}. The
 * result holds secrets: free it with arcpass_secret_free(). */
char                  *arcpass_credential_to_payload         (ArcpassCredential *self);
/* Refuses unknown versions and malformed payloads with
 * %ARCPASS_ERROR_MALFORMED_RESPONSE. */
ArcpassCredential     *arcpass_credential_new_from_payload   (const char        *payload,
                                                              GError           **error);
/* Copies every property of @source into @self (notifying what changed). */
void                   arcpass_credential_update_from        (ArcpassCredential *self,
                                                              ArcpassCredential *source);

G_END_DECLS
