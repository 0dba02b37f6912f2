/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* "http://127.0.0.1:PORT/callback" on a port that nobody listens on now.
 * Tests run in parallel, so none of them signs in on the default redirect
 * port: each registers such a URI in its sandbox instead, as a user
 * registers one in their OAuth credential. */
char      *arcpass_test_free_redirect_uri  (void);
/* Runs the default main context until @condition returns TRUE or @timeout_ms
 * elapses; returns the last value of @condition. */
gboolean   arcpass_test_wait_until         (gboolean    (*condition) (gpointer data),
                                            gpointer      data,
                                            guint         timeout_ms);
/* Spins the main loop for @ms milliseconds. */
void       arcpass_test_spin               (guint         ms);
/* Waits until @widget is mapped and has been drawn once. */
void       arcpass_test_wait_for_draw      (GtkWidget    *widget);
/* Renders @widget into a PNG under $G_TEST_BUILDDIR/screenshots/@name.png
 * and returns its path. */
char      *arcpass_test_save_screenshot    (GtkWidget    *widget,
                                            const char   *name);
/* Depth-first search of @root's widget tree for a widget of @type whose
 * accessible label or buildable id or widget name is @name (NULL: any). */
GtkWidget *arcpass_test_find_widget        (GtkWidget    *root,
                                            GType         type,
                                            const char   *name);
/* The toplevel window of @type, other than @except, if any. */
GtkWindow *arcpass_test_find_window        (GType         type);

/* Resizes @window to @width x @height and waits until it has been laid out
 * at that size. */
void       arcpass_test_resize             (GtkWindow    *window,
                                            int           width,
                                            int           height);
/* Saves two screenshots of @window, `@name-wide` at 1280x800 and
 * `@name-narrow` at 360x720, and leaves it at 1280x800. */
void       arcpass_test_save_screenshots   (GtkWindow    *window,
                                            const char   *name);

G_END_DECLS
