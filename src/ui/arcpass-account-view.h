/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-core.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_ACCOUNT_VIEW (arcpass_account_view_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassAccountView, arcpass_account_view, ARCPASS, ACCOUNT_VIEW, AdwBin)

/*
 * Everything about one account: identity, the access and refresh tokens with
 * live expiry, their privileges, export to the clipboard, refresh, rotation,
 * sign-out and removal. The view follows the credential of its token manager
 * through "notify", so renewals made anywhere show up here.
 *
 * Actions (group "account"): refresh, rotate, export (s: raw, authorization,
 * x-esri, curl, json, env), export-with-refresh (JSON with the refresh token),
 * copy-access-token, copy-refresh-token, sign-out, remove.
 *
 * Signals:
 *  - "removed" (ArcpassCredential *): the account left this computer (remove),
 *    or the user signed out and the undo toast is showing: drop it from the
 *    sidebar. After a sign-out, keep the view (hidden is fine) until
 *    "signed-out" or "restored": the view holds a reference on itself
 *    meanwhile, so unparenting it is safe.
 *  - "restored" (ArcpassCredential *): the user pressed Undo; nothing was
 *    revoked or deleted; show the account again.
 *  - "signed-out" (ArcpassCredential *): the refresh token was revoked (when
 *    possible) and the keyring item deleted; the view may be destroyed.
 *  - "add-toast" (AdwToast *) -> gboolean: lets the window show the view's
 *    toasts in its own overlay (return TRUE). Unhandled toasts are shown in
 *    the view's own AdwToastOverlay. Undo toasts must outlive the view's
 *    place in the window, which is what this is for.
 */

ArcpassAccountView  *arcpass_account_view_new          (ArcpassClient       *client,
                                                        ArcpassAccountStore *store,
                                                        GSettings           *settings);
/* @manager: (nullable): the account to show. */
void                 arcpass_account_view_set_manager  (ArcpassAccountView  *self,
                                                        ArcpassTokenManager *manager);
ArcpassTokenManager *arcpass_account_view_get_manager  (ArcpassAccountView  *self);
ArcpassCredential   *arcpass_account_view_get_credential (ArcpassAccountView *self);
/* TRUE between "Sign Out" and the end of the undo toast. */
gboolean             arcpass_account_view_get_sign_out_pending (ArcpassAccountView *self);

G_END_DECLS
