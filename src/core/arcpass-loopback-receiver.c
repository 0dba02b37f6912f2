/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <libsoup/soup.h>

#include "arcpass-error.h"
#include "arcpass-loopback-receiver.h"
#include "arcpass-secret.h"

/* RFC 8252 §7.3: the browser comes back to http://127.0.0.1:PORT. ArcGIS
 * matches redirect URIs exactly, port included, so the receiver listens on
 * the port of the URI the user registered, not on any free port. */

#define CLOSE_PAGE \
  "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Arcpass</title>" \
  "<style>body{font-family:sans-serif;margin:4em auto;max-width:30em;text-align:center}</style>" \
  "</head><body><h1>%s</h1><p>%s</p></body></html>\n"

struct _ArcpassLoopbackReceiver
{
  GObject parent_instance;

  SoupServer *server;
  char *path;
  char *redirect_uri;
  guint16 port;

  GTask *task;            /* the pending wait, if any */
  GSource *timeout_source;
  gulong cancel_id;
};

G_DEFINE_FINAL_TYPE (ArcpassLoopbackReceiver, arcpass_loopback_receiver, G_TYPE_OBJECT)

static void
finish_wait (ArcpassLoopbackReceiver *self,
             char                    *uri,
             GError                  *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (self->timeout_source != NULL)
    {
      g_source_destroy (self->timeout_source);
      g_clear_pointer (&self->timeout_source, g_source_unref);
    }

  if (task != NULL && self->cancel_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), self->cancel_id);
      self->cancel_id = 0;
    }

  /* One-shot: stop listening, whatever the outcome (after an answer, the
   * server stops once the page has been written: see message_finished_cb). */
  if (uri == NULL)
    arcpass_loopback_receiver_stop (self);

  if (task == NULL)
    {
      arcpass_secret_free (uri);
      g_clear_error (&error);
      return;
    }

  if (error != NULL)
    {
      arcpass_secret_free (uri);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, uri, (GDestroyNotify) arcpass_secret_free);
}

static gboolean
stop_idle_cb (gpointer user_data)
{
  ArcpassLoopbackReceiver *self = user_data;

  arcpass_loopback_receiver_stop (self);
  return G_SOURCE_REMOVE;
}

static void
message_finished_cb (SoupServerMessage *message,
                     gpointer           user_data)
{
  ArcpassLoopbackReceiver *self = user_data;
  g_autoptr(GSource) source = g_idle_source_new ();

  /* Stopping here would free the SoupServer while it is still emitting this
   * message's "finished" signal (when the caller has already dropped the
   * receiver, this reference is the last one): stop from an idle instead. */
  g_source_set_callback (source, stop_idle_cb, self, g_object_unref);
  g_source_set_static_name (source, "[arcpass] loopback receiver stop");
  g_source_attach (source, g_main_context_get_thread_default ());
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  ArcpassLoopbackReceiver *self = user_data;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *page = NULL;
  g_autofree char *uri = NULL;
  GUri *request_uri;

  if (g_strcmp0 (path, self->path) != 0 || self->task == NULL)
    {
      /* Browsers also ask for /favicon.ico; that is not the redirect. */
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  request_uri = soup_server_message_get_uri (message);
  uri = g_uri_to_string (request_uri);

  /* The page is shown in the user's browser, so it is in the user's
   * language; translations are escaped like any text put into HTML. */
  title = g_markup_escape_text ((query != NULL && g_hash_table_contains (query, "error"))
                                ? _("Sign-in was not completed") : _("Sign-in received"), -1);
  body = g_markup_escape_text (_("You can close this tab and return to Arcpass."), -1);
  page = g_strdup_printf (CLOSE_PAGE, title, body);
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  /* The code must not stay in the browser's history or reach another site. */
  soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                "Cache-Control", "no-store");
  soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                "Referrer-Policy", "no-referrer");
  soup_server_message_set_response (message, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    page, strlen (page));

  /* Stopping the server now would drop the page being written. */
  g_signal_connect (message, "finished", G_CALLBACK (message_finished_cb), g_object_ref (self));
  finish_wait (self, arcpass_secret_dup (uri), NULL);
  explicit_bzero (uri, strlen (uri));
}

static gboolean
timeout_cb (gpointer user_data)
{
  ArcpassLoopbackReceiver *self = user_data;

  g_clear_pointer (&self->timeout_source, g_source_unref);
  finish_wait (self, NULL,
               g_error_new_literal (ARCPASS_ERROR, ARCPASS_ERROR_TIMEOUT,
                                    _("The browser did not come back in time. Start the sign-in again.")));

  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_idle_cb (gpointer user_data)
{
  ArcpassLoopbackReceiver *self = user_data;

  finish_wait (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled")));
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  ArcpassLoopbackReceiver *self = user_data;

  g_autoptr(GSource) source = g_idle_source_new ();

  /* Not from inside the signal: finish_wait disconnects the handler. */
  g_source_set_callback (source, cancelled_idle_cb, g_object_ref (self), g_object_unref);
  g_source_attach (source, g_main_context_get_thread_default ());
}

static void
arcpass_loopback_receiver_dispose (GObject *object)
{
  ArcpassLoopbackReceiver *self = (ArcpassLoopbackReceiver *)object;

  if (self->task != NULL)
    finish_wait (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled")));

  arcpass_loopback_receiver_stop (self);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (arcpass_loopback_receiver_parent_class)->dispose (object);
}

static void
arcpass_loopback_receiver_finalize (GObject *object)
{
  ArcpassLoopbackReceiver *self = (ArcpassLoopbackReceiver *)object;

  g_free (self->path);
  g_free (self->redirect_uri);

  G_OBJECT_CLASS (arcpass_loopback_receiver_parent_class)->finalize (object);
}

static void
arcpass_loopback_receiver_class_init (ArcpassLoopbackReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = arcpass_loopback_receiver_dispose;
  object_class->finalize = arcpass_loopback_receiver_finalize;
}

static void
arcpass_loopback_receiver_init (ArcpassLoopbackReceiver *self)
{
}

/* The port the server listens on. Not through soup_server_get_uris():
 * libsoup 3.2 loses the socket address it makes there (valgrind). */
static guint16
listening_port (SoupServer *server)
{
  GSList *listeners = soup_server_get_listeners (server);
  guint16 port = 0;

  if (listeners != NULL)
    {
      g_autoptr(GSocketAddress) address = g_socket_get_local_address (listeners->data, NULL);

      if (G_IS_INET_SOCKET_ADDRESS (address))
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
    }
  g_slist_free (listeners);

  return port;
}

/* A port nobody listens on right now, to propose in a message. */
static guint16
free_port_hint (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port = 0;

  if (socket && g_socket_bind (socket, address, FALSE, NULL) &&
      (bound = g_socket_get_local_address (socket, NULL)) && G_IS_INET_SOCKET_ADDRESS (bound))
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  if (socket)
    g_socket_close (socket, NULL);

  return port ? port : 48766;
}

static void
set_listen_error (GError       **error,
                  const GError  *listen_error,
                  const char    *redirect_uri,
                  guint16        port)
{
  if (g_error_matches (listen_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    {
      guint16 hint = free_port_hint ();

      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_PORT_IN_USE,
                   /* Translators: %1$u is a port number, %2$s the redirect URI, %3$u another
                    * port number. */
                   _("Port %1$u of this computer is in use by another program, so Arcpass cannot "
                     "receive the sign-in answer at %2$s. Close the other program (it may be "
                     "another sign-in in progress), or register another redirect URI such as "
                     "http://127.0.0.1:%3$u/callback in your OAuth credential and use it here."),
                   port, redirect_uri, hint);
      return;
    }

  g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NETWORK,
               _("Could not listen on %s for the browser's answer: %s"),
               redirect_uri, listen_error->message);
}

typedef enum {
  BIND_IPV4 = 1 << 0,
  BIND_IPV6 = 1 << 1,
} BindFamilies;

/* Parses a loopback redirect URI; @out_address is set for a literal
 * 127.x.y.z address (other than the usual one), NULL otherwise. */
static gboolean
parse_redirect_uri (const char    *redirect_uri,
                    BindFamilies  *out_families,
                    char         **out_address,
                    guint16       *out_port,
                    char         **out_path,
                    GError       **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;
  const char *path;
  g_autofree char *bare = NULL;
  g_autoptr(GInetAddress) address = NULL;
  int port;

  uri = redirect_uri ? g_uri_parse (redirect_uri, G_URI_FLAGS_NONE, NULL) : NULL;
  if (!uri || g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0)
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                   /* Translators: %s is an example redirect URI. */
                   _("The redirect URI of the browser sign-in must be an http:// address on this "
                     "computer, such as %s."), ARCPASS_LOOPBACK_DEFAULT_REDIRECT_URI);
      return FALSE;
    }

  host = g_uri_get_host (uri);
  if (!host || g_uri_get_userinfo (uri) || g_uri_get_fragment (uri))
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                   _("The redirect URI must be a plain address such as %s, without a user name "
                     "or a “#” part."), ARCPASS_LOOPBACK_DEFAULT_REDIRECT_URI);
      return FALSE;
    }

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    *out_families = BIND_IPV4 | BIND_IPV6;
  else
    {
      gsize len = strlen (host);

      bare = (host[0] == '[' && len > 1 && host[len - 1] == ']') ? g_strndup (host + 1, len - 2)
                                                                 : g_strdup (host);
      address = g_inet_address_new_from_string (bare);
      if (!address || !g_inet_address_get_is_loopback (address))
        {
          g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                       /* Translators: %s is an example redirect URI. */
                       _("The redirect URI must point to this computer (127.0.0.1, localhost or "
                         "[::1]), for example %s: the browser brings the sign-in answer back to "
                         "Arcpass there."), ARCPASS_LOOPBACK_DEFAULT_REDIRECT_URI);
          return FALSE;
        }
      *out_families = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 ? BIND_IPV6
                                                                                  : BIND_IPV4;
      if (out_address)
        *out_address = g_inet_address_to_string (address);
    }

  port = g_uri_get_port (uri);
  if (port <= 0 || port > 65535)
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                   /* Translators: %1$s is the URI the user gave, %2$s an example. */
                   _("The redirect URI “%1$s” has no port. ArcGIS compares redirect URIs exactly, "
                     "port included: register a URI with a port, such as %2$s, in your OAuth "
                     "credential and use the same one here."),
                   redirect_uri, ARCPASS_LOOPBACK_DEFAULT_REDIRECT_URI);
      return FALSE;
    }

  path = g_uri_get_path (uri);
  *out_port = (guint16) port;
  *out_path = g_strdup (path && *path ? path : "/");
  return TRUE;
}

gboolean
arcpass_loopback_redirect_uri_parse (const char  *redirect_uri,
                                     guint16     *out_port,
                                     char       **out_path,
                                     GError     **error)
{
  BindFamilies families = 0;
  g_autofree char *path = NULL;
  guint16 port = 0;

  if (!parse_redirect_uri (redirect_uri, &families, NULL, &port, &path, error))
    return FALSE;
  if (out_port)
    *out_port = port;
  if (out_path)
    *out_path = g_steal_pointer (&path);
  return TRUE;
}

static ArcpassLoopbackReceiver *
receiver_new (const char   *path)
{
  ArcpassLoopbackReceiver *self = g_object_new (ARCPASS_TYPE_LOOPBACK_RECEIVER, NULL);

  self->path = g_strdup (path);
  self->server = soup_server_new ("server-header", "Arcpass", NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  return self;
}

static gboolean
listen_on (SoupServer    *server,
           GInetAddress  *address,
           guint16        port,
           GError       **error)
{
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (address, port);

  return soup_server_listen (server, socket_address, 0, error);
}

ArcpassLoopbackReceiver *
arcpass_loopback_receiver_new_for_uri (const char  *redirect_uri,
                                       GError     **error)
{
  g_autoptr(ArcpassLoopbackReceiver) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *literal = NULL;
  g_autofree char *path = NULL;
  BindFamilies families = 0;
  guint16 port = 0;
  gboolean listening = FALSE;

  if (!parse_redirect_uri (redirect_uri, &families, &literal, &port, &path, error))
    return NULL;

  self = receiver_new (path);

  /* The portal sends the browser to exactly this URI: listen where it
   * points. "localhost" may resolve to either loopback address, so both
   * are taken when they can be. */
  if (literal)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (literal);

      listening = listen_on (self->server, address, port, &local_error);
    }
  else
    {
      if (families & BIND_IPV4)
        {
          g_autoptr(GInetAddress) address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

          listening = listen_on (self->server, address, port, &local_error);
        }
      if (families & BIND_IPV6 && (listening || !(families & BIND_IPV4)))
        {
          g_autoptr(GInetAddress) address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
          g_autoptr(GError) v6_error = NULL;

          if (listen_on (self->server, address, port, &v6_error))
            listening = TRUE;
          else if (!(families & BIND_IPV4) ||
                   g_error_matches (v6_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
            {
              /* [::1] itself, or half of "localhost" held by another
               * program, which would get the answer half of the time. A
               * system without IPv6 is fine for "localhost". */
              g_clear_error (&local_error);
              local_error = g_steal_pointer (&v6_error);
              listening = FALSE;
            }
        }
    }

  if (!listening)
    {
      set_listen_error (error, local_error, redirect_uri, port);
      return NULL;
    }

  self->port = port;
  self->redirect_uri = g_strdup (redirect_uri);

  return g_steal_pointer (&self);
}

ArcpassLoopbackReceiver *
arcpass_loopback_receiver_new (guint16      port,
                               const char  *path,
                               GError     **error)
{
  g_autoptr(ArcpassLoopbackReceiver) self = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *wanted = NULL;

  if (path == NULL)
    path = ARCPASS_LOOPBACK_DEFAULT_PATH;

  if (path[0] != '/')
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                   _("The redirect path must start with “/” (got “%s”)."), path);
      return NULL;
    }

  self = receiver_new (path);

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  if (!listen_on (self->server, loopback, port, &local_error))
    {
      wanted = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
      set_listen_error (error, local_error, wanted, port);
      return NULL;
    }

  self->port = listening_port (self->server);

  self->redirect_uri = g_strdup_printf ("http://127.0.0.1:%u%s", self->port, self->path);

  return g_steal_pointer (&self);
}

const char *
arcpass_loopback_receiver_get_redirect_uri (ArcpassLoopbackReceiver *self)
{
  g_return_val_if_fail (ARCPASS_IS_LOOPBACK_RECEIVER (self), NULL);
  return self->redirect_uri;
}

guint16
arcpass_loopback_receiver_get_port (ArcpassLoopbackReceiver *self)
{
  g_return_val_if_fail (ARCPASS_IS_LOOPBACK_RECEIVER (self), 0);
  return self->port;
}

void
arcpass_loopback_receiver_wait_async (ArcpassLoopbackReceiver *self,
                                      guint                    timeout_seconds,
                                      GCancellable            *cancellable,
                                      GAsyncReadyCallback      callback,
                                      gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ARCPASS_IS_LOOPBACK_RECEIVER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_loopback_receiver_wait_async);

  if (self->task != NULL)
    {
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_FAILED,
                               _("Already waiting for the browser."));
      return;
    }

  if (self->server == NULL || listening_port (self->server) == 0)
    {
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_FAILED,
                               _("The redirect receiver has stopped; start the sign-in again."));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  self->task = g_steal_pointer (&task);

  if (timeout_seconds > 0)
    {
      self->timeout_source = g_timeout_source_new_seconds (timeout_seconds);
      g_source_set_callback (self->timeout_source, timeout_cb, self, NULL);
      g_source_attach (self->timeout_source, g_main_context_get_thread_default ());
    }

  if (cancellable != NULL)
    self->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self, NULL);
}

char *
arcpass_loopback_receiver_wait_finish (ArcpassLoopbackReceiver  *self,
                                       GAsyncResult             *result,
                                       GError                  **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
arcpass_loopback_receiver_stop (ArcpassLoopbackReceiver *self)
{
  g_return_if_fail (ARCPASS_IS_LOOPBACK_RECEIVER (self));

  /* The response to the browser has already been queued; disconnecting
   * only stops accepting new connections. */
  if (self->server != NULL)
    soup_server_disconnect (self->server);
}
