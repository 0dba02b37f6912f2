/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Watches the first window that @app adds: after the first "after-paint" of
 * its frame clock, prints `first_frame_ms=T rss_kib=R` (T since exec, see
 * bench-exec-timed; R is VmRSS at that moment) and quits @app. */
void bench_frame_watch_application (GtkApplication *app);

G_END_DECLS
