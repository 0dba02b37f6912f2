/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "arcpass-browser-page.h"

G_BEGIN_DECLS

/* Used by ArcpassOAuthPage for "Continue in Browser" and "Copy Link": starts
 * the browser flow for an already validated portal and client ID, skipping
 * the form. When @launch is FALSE the browser is not opened (the user opens
 * the link they copied). */
gboolean    arcpass_browser_page_start                (ArcpassBrowserPage  *self,
                                                       const char          *portal_url,
                                                       const char          *client_id,
                                                       gboolean             launch,
                                                       GError             **error);
/* The authorize URL of the attempt in progress, or NULL. */
const char *arcpass_browser_page_get_authorize_url    (ArcpassBrowserPage  *self);
/* The loopback redirect URI of the attempt in progress, or NULL. */
const char *arcpass_browser_page_get_redirect_uri     (ArcpassBrowserPage  *self);

G_END_DECLS
