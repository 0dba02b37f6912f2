/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <webkit/webkit.h>

#include "arcpass-core.h"
#include "arcpass-oauth-page.h"
#include "arcpass-resources.h"
#include "arcpass-sandbox.h"
#include "bench-common.h"
#include "bench-signin-form.h"

/* bench-signin PORTAL_URL: one embedded OAuth sign-in with ArcpassOAuthPage
 * against a running sandbox portal. Prints
 *   web_before=N net_before=N signin_ms=T form_ms=T web_during=N web_after=N net_after=N gone_ms=T
 * where the counts are WebKit web/network processes descending from this
 * process: before "Sign In", while the sign-in form is shown, and after the
 * sign-in ended (waiting up to 10 s for them to go; gone_ms is how long that
 * took). signin_ms runs from the "oauth.sign-in" action to "signed-in",
 * form_ms from that action to the sign-in form loaded. */

#define TIMEOUT_MS 60000
#define GONE_TIMEOUT_MS 10000

typedef struct {
  GMainLoop        *loop;
  ArcpassOAuthPage *page;
  WebKitWebView    *web_view;
  gboolean          filled;
  double            t0;
  double            t_form;
  double            t_signed_in;
  guint             web_during;
  int               status;
} Bench;

static WebKitWebView *
find_web_view (GtkWidget *widget)
{
  if (WEBKIT_IS_WEB_VIEW (widget))
    return WEBKIT_WEB_VIEW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child;
       child = gtk_widget_get_next_sibling (child))
    {
      WebKitWebView *view = find_web_view (child);

      if (view)
        return view;
    }

  return NULL;
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
      g_printerr ("bench-signin: the sign-in form was not submitted: %s\n", error->message);
      bench->status = 1;
      g_main_loop_quit (bench->loop);
    }
}

static void
load_changed_cb (WebKitWebView   *web_view,
                 WebKitLoadEvent  event,
                 Bench           *bench)
{
  guint network;

  if (event != WEBKIT_LOAD_FINISHED || bench->filled)
    return;

  bench->filled = TRUE;
  bench->t_form = bench_now_ms ();
  bench_count_webkit_processes (&bench->web_during, &network);
  bench_signin_form_submit_async (web_view, NULL, form_submitted_cb, bench);
}

static void
signed_in_cb (ArcpassOAuthPage  *page,
              ArcpassCredential *credential,
              Bench             *bench)
{
  bench->t_signed_in = bench_now_ms ();
  if (!arcpass_credential_get_access_token (credential))
    bench->status = 1;
  g_main_loop_quit (bench->loop);
}

static void
cancelled_cb (ArcpassOAuthPage *page,
              Bench            *bench)
{
  g_printerr ("bench-signin: the sign-in was cancelled\n");
  bench->status = 1;
  g_main_loop_quit (bench->loop);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Bench *bench = user_data;

  g_printerr ("bench-signin: no sign-in after %d ms\n", TIMEOUT_MS);
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

static void
wait_for_first_frame (GtkWidget *window,
                      Bench     *bench)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (after_paint_cb), bench);
  g_main_loop_run (bench->loop);
}

static gboolean
poll_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  Bench bench = { 0 };
  g_autoptr(ArcpassClient) client = NULL;
  g_autoptr(GSettings) settings = NULL;
  GtkWindow *window;
  guint web_before, net_before, web_after, net_after;
  double t_end;
  guint timeout_id;

  if (argc != 2)
    {
      g_printerr ("usage: bench-signin PORTAL_URL\n");
      return 2;
    }

  gtk_init ();
  adw_init ();
  arcpass_register_resource ();

  bench.loop = g_main_loop_new (NULL, FALSE);
  client = arcpass_client_new ();
  settings = g_settings_new (APP_ID);
  bench.page = arcpass_oauth_page_new (client, settings);
  arcpass_oauth_page_set_defaults (bench.page, argv[1], ARCPASS_SANDBOX_CLIENT_ID);
  g_signal_connect (bench.page, "signed-in", G_CALLBACK (signed_in_cb), &bench);
  g_signal_connect (bench.page, "cancelled", G_CALLBACK (cancelled_cb), &bench);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1000, 700);
  gtk_window_set_child (window, GTK_WIDGET (bench.page));
  gtk_window_present (window);
  wait_for_first_frame (GTK_WIDGET (window), &bench);

  bench_count_webkit_processes (&web_before, &net_before);

  /* "Sign In" as the user presses it. */
  timeout_id = g_timeout_add (TIMEOUT_MS, timeout_cb, &bench);
  bench.t0 = bench_now_ms ();
  if (!gtk_widget_activate_action (GTK_WIDGET (bench.page), "oauth.sign-in", NULL))
    {
      g_printerr ("bench-signin: no oauth.sign-in action\n");
      return 1;
    }
  bench.web_view = find_web_view (GTK_WIDGET (bench.page));
  if (!bench.web_view)
    {
      g_printerr ("bench-signin: no web view after oauth.sign-in\n");
      return 1;
    }
  g_signal_connect (bench.web_view, "load-changed", G_CALLBACK (load_changed_cb), &bench);
  g_main_loop_run (bench.loop);
  g_source_remove (timeout_id);
  if (bench.status != 0)
    return bench.status;

  /* The attempt is over: its web process must go. */
  t_end = bench_now_ms ();
  do
    {
      g_timeout_add (20, poll_cb, bench.loop);
      g_main_loop_run (bench.loop);
      bench_count_webkit_processes (&web_after, &net_after);
    }
  while ((web_after > 0 || net_after > 0) && bench_now_ms () - t_end < GONE_TIMEOUT_MS);

  printf ("web_before=%u net_before=%u signin_ms=%.3f form_ms=%.3f web_during=%u web_after=%u "
          "net_after=%u gone_ms=%.1f\n",
          web_before, net_before, bench.t_signed_in - bench.t0, bench.t_form - bench.t0,
          bench.web_during,
          web_after, net_after, bench_now_ms () - t_end);
  fflush (stdout);

  gtk_window_destroy (window);
  g_main_loop_unref (bench.loop);

  return 0;
}
