/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Watches the first window that @app adds: after the first "after-paint" of
 * its frame clock, prints `first_frame_ms=T cpu_ms=C rss_kib=R web=W net=N`
 * (T since exec, see bench-exec-timed; C the CPU time used so far; R VmRSS
 * at that moment; W and N the WebKit web and network processes it has
 * started) and quits @app. */
void bench_frame_watch_application (GtkApplication *app);

G_END_DECLS
