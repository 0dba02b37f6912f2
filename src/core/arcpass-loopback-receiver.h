/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ARCPASS_LOOPBACK_DEFAULT_PATH    "/callback"
#define ARCPASS_LOOPBACK_DEFAULT_TIMEOUT (5 * 60)

#define ARCPASS_TYPE_LOOPBACK_RECEIVER (arcpass_loopback_receiver_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassLoopbackReceiver, arcpass_loopback_receiver, ARCPASS, LOOPBACK_RECEIVER, GObject)

/* Listens at once on 127.0.0.1:@port (0 = a free port chosen by the
 * kernel), so that the redirect URI is known before the browser is opened.
 * @path: NULL for "/callback". Served from the thread-default main context. */
ArcpassLoopbackReceiver *arcpass_loopback_receiver_new              (guint16                  port,
                                                                     const char              *path,
                                                                     GError                 **error);
/* `http://127.0.0.1:PORT/callback` — register exactly this URI. */
const char              *arcpass_loopback_receiver_get_redirect_uri (ArcpassLoopbackReceiver *self);
guint16                  arcpass_loopback_receiver_get_port         (ArcpassLoopbackReceiver *self);

/* Waits for one request on the path; answers the browser with a short HTML
 * page ("You can close this tab") and returns the full URI it was called
 * with (give it to arcpass_authorization_parse_redirect()). Other paths get
 * 404 and are not taken. Fails with %ARCPASS_ERROR_TIMEOUT after
 * @timeout_seconds (0 = no timeout) or G_IO_ERROR_CANCELLED. The server
 * stops listening once the call completes. Only one wait at a time. */
void                     arcpass_loopback_receiver_wait_async       (ArcpassLoopbackReceiver *self,
                                                                     guint                    timeout_seconds,
                                                                     GCancellable            *cancellable,
                                                                     GAsyncReadyCallback      callback,
                                                                     gpointer                 user_data);
/* Free the result with arcpass_secret_free() (it holds the code). */
char                    *arcpass_loopback_receiver_wait_finish      (ArcpassLoopbackReceiver *self,
                                                                     GAsyncResult            *result,
                                                                     GError                 **error);
void                     arcpass_loopback_receiver_stop             (ArcpassLoopbackReceiver *self);

G_END_DECLS
