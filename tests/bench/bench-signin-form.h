/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <webkit/webkit.h>

G_BEGIN_DECLS

/* Fills the sandbox's sign-in form in @web_view with the publisher fixture
 * (ada.lovelace) and clicks "Sign In", with JavaScript, as both sign-in
 * drivers do. */
void     bench_signin_form_submit_async  (WebKitWebView        *web_view,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean bench_signin_form_submit_finish (WebKitWebView        *web_view,
                                          GAsyncResult         *result,
                                          GError              **error);

G_END_DECLS
