/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include "bench-common.h"
#include "bench-frame.h"

static void
after_paint_cb (GdkFrameClock  *clock,
                GtkApplication *app)
{
  double elapsed = bench_elapsed_ms_since_exec ();
  double cpu = bench_cpu_ms ();
  guint64 rss = bench_rss_kib ();
  guint web, network;

  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, app);
  bench_count_webkit_processes (&web, &network);
  printf ("first_frame_ms=%.3f cpu_ms=%.1f rss_kib=%" G_GUINT64_FORMAT " web=%u net=%u\n",
          elapsed, cpu, rss, web, network);
  fflush (stdout);
  g_application_quit (G_APPLICATION (app));
}

static void
realize_cb (GtkWidget      *window,
            GtkApplication *app)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_handlers_disconnect_by_func (window, realize_cb, app);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), app);
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window)
{
  g_signal_handlers_disconnect_by_func (app, window_added_cb, NULL);
  /* Only the first window counts; the frame clock exists once it is realized. */
  if (gtk_widget_get_realized (GTK_WIDGET (window)))
    realize_cb (GTK_WIDGET (window), app);
  else
    g_signal_connect_after (window, "realize", G_CALLBACK (realize_cb), app);
}

void
bench_frame_watch_application (GtkApplication *app)
{
  /* Starts the clock now if bench-exec-timed did not. */
  bench_elapsed_ms_since_exec ();
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), NULL);
}
