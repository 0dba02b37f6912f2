/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Milliseconds since BENCH_T0_NS (CLOCK_MONOTONIC nanoseconds, set by
 * bench-exec-timed right before it executes the driver), or since the
 * first call when the variable is missing. */
double   bench_elapsed_ms_since_exec (void);
/* CLOCK_MONOTONIC in milliseconds. */
double   bench_now_ms                (void);
/* User plus system CPU time of this process (all its threads) in ms. */
double   bench_cpu_ms                (void);
/* VmRSS of this process in KiB, from /proc/self/status (0 if unknown). */
guint64  bench_rss_kib               (void);
/* Number of WebKitWebProcess (@web) or WebKitNetworkProcess (@network)
 * processes descending from this process (directly or through WebKit's
 * bubblewrap sandbox). */
void     bench_count_webkit_processes (guint *web,
                                       guint *network);

G_END_DECLS
