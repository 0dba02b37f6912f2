/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "arcpass-client.h"

G_BEGIN_DECLS

/*
 * The embedded OAuth page (ArcpassOAuthPage) is the only user of WebKitGTK,
 * which costs every start of the window about a hundred shared libraries,
 * 130 ms of CPU and 30 MiB. It is therefore built into a module,
 * `arcpass-webview.so`, that is loaded the first time a page is asked for.
 *
 * The module is found at $ARCPASS_WEBVIEW_MODULE when it is set (tests,
 * `meson devenv`), else next to the running program (the build tree), else
 * in the installed module directory. A program that links the page itself
 * (the tests and benchmarks that drive it directly) gets that page, so that
 * its type is never registered twice.
 *
 * The page is an AdwBin with the "signed-in" and "cancelled" signals of
 * ArcpassOAuthPage (see arcpass-oauth-page.h).
 */

GtkWidget *arcpass_webview_create_oauth_page       (ArcpassClient *client,
                                                    GSettings     *settings,
                                                    GError       **error);
/* Pre-fills the form of a page from arcpass_webview_create_oauth_page();
 * NULL leaves a field as it is. */
void       arcpass_webview_oauth_page_set_defaults (GtkWidget     *page,
                                                    const char    *portal_url,
                                                    const char    *client_id);

G_END_DECLS
