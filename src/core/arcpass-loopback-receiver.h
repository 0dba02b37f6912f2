/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ARCPASS_LOOPBACK_DEFAULT_PATH    "/callback"
#define ARCPASS_LOOPBACK_DEFAULT_TIMEOUT (5 * 60)
/* The redirect URI Arcpass proposes for the browser sign-in. ArcGIS matches
 * redirect URIs exactly, port included, so the user registers this very
 * string in their OAuth credential (or another loopback URI with an
 * explicit port, which Arcpass then listens on). */
#define ARCPASS_LOOPBACK_DEFAULT_REDIRECT_URI "http://127.0.0.1:48765/callback"

#define ARCPASS_TYPE_LOOPBACK_RECEIVER (arcpass_loopback_receiver_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassLoopbackReceiver, arcpass_loopback_receiver, ARCPASS, LOOPBACK_RECEIVER, GObject)

/* Listens at once on 127.0.0.1:@port (0 = a free port chosen by the
 * kernel), so that the redirect URI is known before the browser is opened.
 * @path: NULL for "/callback". Served from the thread-default main context. */
ArcpassLoopbackReceiver *arcpass_loopback_receiver_new              (guint16                  port,
                                                                     const char              *path,
                                                                     GError                 **error);
/* Listens on the host, port and path of @redirect_uri, which must be an
 * `http://` URI on a loopback host (127.0.0.1, localhost or [::1]) with an
 * explicit port, as registered in the OAuth credential. The redirect URI
 * sent to the portal is then @redirect_uri itself. A port that another
 * program holds is %ARCPASS_ERROR_PORT_IN_USE, with a message that names the
 * port and what to do; an unusable URI is %ARCPASS_ERROR_INVALID_INPUT. */
ArcpassLoopbackReceiver *arcpass_loopback_receiver_new_for_uri      (const char              *redirect_uri,
                                                                     GError                 **error);
/* Checks that @redirect_uri can be listened on (see above), without
 * listening. @out_port and @out_path may be NULL. */
gboolean                 arcpass_loopback_redirect_uri_parse        (const char              *redirect_uri,
                                                                     guint16                 *out_port,
                                                                     char                   **out_path,
                                                                     GError                 **error);
/* The redirect URI in use — register exactly this URI. */
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
