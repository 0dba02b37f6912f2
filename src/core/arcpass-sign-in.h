/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "arcpass-client.h"
#include "arcpass-credential.h"
#include "arcpass-oauth.h"

G_BEGIN_DECLS

/*
 * The complete flows, shared by the window and the command line. Each one
 * gets the tokens, then asks who they belong to (`community/self` for user
 * tokens, `portals/self` for keys and app tokens) and returns a new
 * ArcpassCredential filled in (identity, privileges, expiries, state VALID)
 * and ready to be saved with arcpass_account_store_save_async(). Nothing is
 * saved here.
 */

/* Authorization code + PKCE: exchanges @code for @authorization. */
void               arcpass_sign_in_with_code_async          (ArcpassClient        *client,
                                                             ArcpassAuthorization *authorization,
                                                             const char           *code,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
/* A pasted API key; @portal may be NULL (ArcGIS Online). The key is checked
 * with `portals/self` (invalid/expired keys fail with INVALID_TOKEN or
 * TOKEN_EXPIRED); use arcpass_probe_api_key_async() for the per-service view. */
void               arcpass_sign_in_with_api_key_async       (ArcpassClient        *client,
                                                             const char           *portal,
                                                             const char           *api_key,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
/* client_credentials; the secret is kept (in the keyring) to renew the token. */
void               arcpass_sign_in_with_app_credentials_async (ArcpassClient      *client,
                                                               const char         *portal,
                                                               const char         *client_id,
                                                               const char         *client_secret,
                                                               GCancellable       *cancellable,
                                                               GAsyncReadyCallback callback,
                                                               gpointer            user_data);
/* generateToken; the password is used once and never kept. */
void               arcpass_sign_in_with_password_async      (ArcpassClient        *client,
                                                             const char           *portal,
                                                             const char           *username,
                                                             const char           *password,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
/* Finishes any of the four. */
ArcpassCredential *arcpass_sign_in_finish                   (GAsyncResult         *result,
                                                             GError              **error);

/* Refreshes the identity (full name, org, role, avatar, privileges) of
 * @credential from `community/self` (+ `portals/self` for the org name).
 * Uses the credential's current access token as is. */
void               arcpass_credential_fetch_identity_async  (ArcpassClient        *client,
                                                             ArcpassCredential    *credential,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean           arcpass_credential_fetch_identity_finish (GAsyncResult         *result,
                                                             GError              **error);

/* Which ArcGIS an account belongs to, from a `portals/self` answer
 * (`isPortal`, `subscriptionInfo.type`, read tolerantly), or
 * %ARCPASS_ACCOUNT_KIND_UNKNOWN. */
ArcpassAccountKind arcpass_account_kind_from_portal_self (JsonObject *json);

G_END_DECLS
