/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-client.h"
#include "arcpass-credential.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_OAUTH_PAGE (arcpass_oauth_page_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassOAuthPage, arcpass_oauth_page, ARCPASS, OAUTH_PAGE, AdwBin)

/*
 * OAuth 2.0 user sign-in (authorization code + PKCE) in an embedded web view.
 *
 * The page holds its own form (portal, client ID, redirect URI, "keep me
 * signed in") and the whole flow. The WebKit web view, and so the WebKit web
 * process, exists only while a sign-in is in progress.
 *
 * Signals:
 *   "signed-in"  (ArcpassCredential *credential): the new credential, with
 *                identity, not saved yet (the window saves it).
 *   "cancelled"  (): the user gave up (Cancel).
 */

ArcpassOAuthPage *arcpass_oauth_page_new          (ArcpassClient    *client,
                                                   GSettings        *settings);
/* Pre-fills the form; NULL leaves a field as it is. */
void              arcpass_oauth_page_set_defaults (ArcpassOAuthPage *self,
                                                   const char       *portal_url,
                                                   const char       *client_id);

G_END_DECLS
