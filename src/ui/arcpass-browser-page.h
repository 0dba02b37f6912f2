/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-client.h"
#include "arcpass-credential.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_BROWSER_PAGE (arcpass_browser_page_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassBrowserPage, arcpass_browser_page, ARCPASS, BROWSER_PAGE, AdwBin)

/*
 * OAuth 2.0 user sign-in (authorization code + PKCE) in the system browser,
 * with a loopback redirect (`http://127.0.0.1:PORT/callback`, RFC 8252).
 *
 * The page holds its own form (portal, client ID) and a waiting page that
 * shows the link to open, with a copy button and Cancel.
 *
 * Signals:
 *   "signed-in"  (ArcpassCredential *credential): the new credential, with
 *                identity, not saved yet (the window saves it).
 *   "cancelled"  (): the user gave up (Cancel).
 *
 * Setting the environment variable ARCPASS_TEST_BROWSER=none makes the page
 * skip launching the browser (tests act as the browser themselves).
 */

ArcpassBrowserPage *arcpass_browser_page_new          (ArcpassClient      *client,
                                                       GSettings          *settings);
/* Pre-fills the form; NULL leaves a field as it is. */
void                arcpass_browser_page_set_defaults (ArcpassBrowserPage *self,
                                                       const char         *portal_url,
                                                       const char         *client_id);
/* The account that signs in again (the portal's form shows its username),
 * or NULL when an account is being added. Either way the portal is asked
 * for the password (`force_login`). */
void                arcpass_browser_page_set_username (ArcpassBrowserPage *self,
                                                       const char         *username);
/* Puts @redirect_uri in the form (an account signing in again uses the one
 * it signed in with). */
void                arcpass_browser_page_set_redirect_uri (ArcpassBrowserPage *self,
                                                           const char         *redirect_uri);

G_END_DECLS
