/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * Copies of secrets (tokens, ready-made headers, JSON) to the clipboard.
 *
 * The text is served by a content provider that zeroes its copy when it is
 * freed. Arcpass remembers the provider it put on each clipboard, and only
 * ever clears a clipboard that still holds that provider: if the user (or
 * another application) copied something else meanwhile, it is left alone.
 */

/* Puts @text on @clipboard. When @clear_delay_seconds is not 0 the clipboard
 * is cleared that many seconds later if it still holds @text; with 0 it is
 * only cleared by arcpass_clipboard_clear_if_ours() (at quit). */
void     arcpass_clipboard_copy_secret    (GdkClipboard *clipboard,
                                           const char   *text,
                                           guint         clear_delay_seconds);

/* Called when Arcpass cleared a copy it made (after the delay, or at quit),
 * never when something else replaced it. */
typedef void (*ArcpassClipboardClearedFunc) (GObject *observer);

/* As arcpass_clipboard_copy_secret(), and calls @cleared_func with @observer
 * when this copy is cleared, unless @observer was finalized by then. The
 * account view uses it to tell screen reader users. */
void     arcpass_clipboard_copy_secret_full (GdkClipboard                *clipboard,
                                             const char                  *text,
                                             guint                        clear_delay_seconds,
                                             GObject                     *observer,
                                             ArcpassClipboardClearedFunc  cleared_func);

/* TRUE while @clipboard still holds the last text Arcpass put there. */
gboolean arcpass_clipboard_holds_ours     (GdkClipboard *clipboard);

/* Clears the clipboard of @display if it still holds what Arcpass put there.
 * The application calls it at shutdown, so no token outlives the session in
 * the clipboard. Returns TRUE when something was cleared. */
gboolean arcpass_clipboard_clear_if_ours  (GdkDisplay   *display);

G_END_DECLS
