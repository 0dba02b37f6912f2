/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Number of WebKitWebProcess processes that descend from this test
 * process (directly, or through WebKit's bubblewrap sandbox). */
guint    arcpass_test_count_web_processes (void);

G_END_DECLS
