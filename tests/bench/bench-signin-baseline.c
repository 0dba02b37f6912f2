/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <webkit/webkit.h>

#include "arcpass-sandbox.h"
#include "bench-common.h"
#include "bench-signin-form.h"

/* bench-signin-baseline PORTAL_URL: the baseline of the sign-in case. The
 * least a WebKitGTK program must do for the same sign-in: a plain web view
 * created when the sign-in starts, the same authorize request (code + PKCE
 * S256, oob redirect), the same form filled by the same script, the oob
 * approval page intercepted in decide-policy, and one POST to the token
 * endpoint. Prints `signin_ms=T form_ms=F`, from creating the web view to
 * the moment the access token is known (F: to the form loaded). Nothing else (no identity, no keyring). */

#define TIMEOUT_MS 60000

typedef struct {
  GMainLoop     *loop;
  SoupSession   *session;
  GtkWindow     *window;
  WebKitWebView *web_view;
  char          *portal_url;
  char          *verifier;
  gboolean       filled;
  gboolean       exchanging;
  double         t0;
  double         t_form;
  double         t_token;
  int            status;
} Bench;

static char *
base64url (const guint8 *data,
           gsize         len)
{
  char *text = g_base64_encode (data, len);

  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  text[strcspn (text, "=")] = '\0';
  return text;
}

static char *
build_authorize_url (Bench *bench)
{
  guint8 random[32];
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *challenge = NULL;
  g_autofree char *state = g_uuid_string_random ();
  g_autofree char *redirect = g_uri_escape_string ("urn:ietf:wg:oauth:2.0:oob", NULL, FALSE);

  if (getrandom (random, sizeof random, 0) != sizeof random)
    g_error ("getrandom failed");
  bench->verifier = base64url (random, sizeof random);
  g_checksum_update (checksum, (const guchar *) bench->verifier, -1);
  g_checksum_get_digest (checksum, digest, &digest_len);
  challenge = base64url (digest, digest_len);

  /* The same parameters as arcpass_authorization_build_url (). */
  return g_strdup_printf ("%s/sharing/rest/oauth2/authorize?client_id=%s&response_type=code"
                          "&redirect_uri=%s&state=%s&code_challenge=%s"
                          "&code_challenge_method=S256&expiration=20160",
                          bench->portal_url, ARCPASS_SANDBOX_CLIENT_ID, redirect, state,
                          challenge);
}

static void
token_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Bench *bench = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body && json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                          g_bytes_get_size (body), &error))
    {
      root = json_parser_get_root (parser);
      if (JSON_NODE_HOLDS_OBJECT (root) &&
          json_object_get_string_member_with_default (json_node_get_object (root),
                                                      "access_token", NULL))
        bench->t_token = bench_now_ms ();
    }

  if (!bench->t_token)
    {
      g_printerr ("bench-signin-baseline: no token: %s\n",
                  error ? error->message : "no access_token in the answer");
      bench->status = 1;
    }
  g_main_loop_quit (bench->loop);
}

static void
exchange_code (Bench      *bench,
               const char *code)
{
  g_autofree char *url = g_strconcat (bench->portal_url, "/sharing/rest/oauth2/token", NULL);
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *form = NULL;

  form = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID,
                           "grant_type", "authorization_code",
                           "code", code,
                           "redirect_uri", "urn:ietf:wg:oauth:2.0:oob",
                           "code_verifier", bench->verifier,
                           "f", "json",
                           NULL);
  message = soup_message_new_from_encoded_form (SOUP_METHOD_POST, url, g_steal_pointer (&form));
  soup_session_send_and_read_async (bench->session, message, G_PRIORITY_DEFAULT, NULL,
                                    token_cb, bench);
}

static gboolean
decide_policy_cb (WebKitWebView            *web_view,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type,
                  Bench                    *bench)
{
  WebKitNavigationAction *action;
  const char *uri;
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GHashTable) query = NULL;
  const char *code;

  if (type != WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION)
    return FALSE;

  action = webkit_navigation_policy_decision_get_navigation_action (WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));
  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (!parsed || !g_str_has_suffix (g_uri_get_path (parsed), "/oauth2/approval") ||
      !g_uri_get_query (parsed))
    return FALSE;

  query = g_uri_parse_params (g_uri_get_query (parsed), -1, "&", G_URI_PARAMS_NONE, NULL);
  code = query ? g_hash_table_lookup (query, "code") : NULL;
  if (!code || bench->exchanging)
    return FALSE;

  bench->exchanging = TRUE;
  webkit_policy_decision_ignore (decision);
  exchange_code (bench, code);
  return TRUE;
}

static void
form_submitted_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Bench *bench = user_data;
  g_autoptr(GError) error = NULL;

  if (!bench_signin_form_submit_finish (WEBKIT_WEB_VIEW (source), result, &error))
    {
      g_printerr ("bench-signin-baseline: the form was not submitted: %s\n", error->message);
      bench->status = 1;
      g_main_loop_quit (bench->loop);
    }
}

static void
load_changed_cb (WebKitWebView   *web_view,
                 WebKitLoadEvent  event,
                 Bench           *bench)
{
  if (event != WEBKIT_LOAD_FINISHED || bench->filled)
    return;

  bench->filled = TRUE;
  bench->t_form = bench_now_ms ();
  bench_signin_form_submit_async (web_view, NULL, form_submitted_cb, bench);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Bench *bench = user_data;

  g_printerr ("bench-signin-baseline: no token after %d ms\n", TIMEOUT_MS);
  bench->status = 1;
  g_main_loop_quit (bench->loop);
  return G_SOURCE_REMOVE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                Bench         *bench)
{
  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, bench);
  g_main_loop_quit (bench->loop);
}

int
main (int    argc,
      char **argv)
{
  Bench bench = { 0 };
  g_autofree char *authorize_url = NULL;
  guint timeout_id;

  if (argc != 2)
    {
      g_printerr ("usage: bench-signin-baseline PORTAL_URL\n");
      return 2;
    }

  gtk_init ();
  bench.loop = g_main_loop_new (NULL, FALSE);
  bench.session = soup_session_new ();
  bench.portal_url = g_strdup (argv[1]);

  bench.window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (bench.window, 1000, 700);
  gtk_window_present (bench.window);
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (bench.window)), "after-paint",
                    G_CALLBACK (after_paint_cb), &bench);
  g_main_loop_run (bench.loop);

  timeout_id = g_timeout_add (TIMEOUT_MS, timeout_cb, &bench);
  bench.t0 = bench_now_ms ();
  authorize_url = build_authorize_url (&bench);
  bench.web_view = WEBKIT_WEB_VIEW (webkit_web_view_new ());
  g_signal_connect (bench.web_view, "decide-policy", G_CALLBACK (decide_policy_cb), &bench);
  g_signal_connect (bench.web_view, "load-changed", G_CALLBACK (load_changed_cb), &bench);
  gtk_window_set_child (bench.window, GTK_WIDGET (bench.web_view));
  webkit_web_view_load_uri (bench.web_view, authorize_url);
  g_main_loop_run (bench.loop);
  g_source_remove (timeout_id);

  if (bench.status == 0)
    {
      printf ("signin_ms=%.3f form_ms=%.3f\n", bench.t_token - bench.t0, bench.t_form - bench.t0);
      fflush (stdout);
    }

  gtk_window_destroy (bench.window);
  g_clear_object (&bench.session);
  g_free (bench.portal_url);
  g_free (bench.verifier);
  g_main_loop_unref (bench.loop);

  return bench.status;
}
