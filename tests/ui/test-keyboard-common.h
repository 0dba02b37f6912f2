/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-application.h"
#include "arcpass-sandbox.h"
#include "arcpass-window.h"

G_BEGIN_DECLS

/* Keyboard-only tests. Every step is the equivalent of a key press:
 *
 * - Tab, Shift+Tab and the arrow keys between widgets move the focus with
 *   gtk_widget_child_focus() on the toplevel, as GTK does for them;
 * - Enter or Space on a button or a row is gtk_widget_activate() on the
 *   focused widget;
 * - typing sets the text of the focused editable;
 * - any other key (Ctrl+N, F10, Escape, Down in a list, + on the map, …) is
 *   dispatched by kbd_press() as GTK dispatches a key event: through the key
 *   controllers and shortcut controllers (the widgets' key bindings, the
 *   application's accelerators, managed shortcuts such as F10) of the
 *   focused widget and its ancestors, capture phase first, then bubble.
 *
 * Nothing is clicked and no page API is called: a step that the keyboard
 * cannot reach fails the test, as it would stop a keyboard user. GTK 4 has
 * no public way to inject a GdkKeyEvent, hence this emulation. The test log
 * says which controller took each key; KBD_VERBOSE=1 in the environment
 * says it for every Tab and arrow too. */

/* More than every focusable widget of a window, so that a widget that Tab
 * never reaches fails instead of looping forever. */
#define KBD_MAX_TABS 120

typedef struct {
  ArcpassSandbox     *sandbox;
  ArcpassApplication *app;
} KbdFixture;

extern KbdFixture kbd;

/* gtk_test_init(), a sandbox and a registered application. */
void           kbd_init                (int           *argc,
                                        char        ***argv);
void           kbd_shutdown            (void);

/* Activates the application and waits for its window and accounts. */
ArcpassWindow *kbd_open_window         (void);
/* Saves a full-privilege API key account through the core (test setup,
 * not a keyboard step). */
void           kbd_save_api_key_account (void);
/* The same with the sandbox's app credentials. */
void           kbd_save_app_credentials_account (void);

GtkWidget     *kbd_find                (gpointer       root,
                                        const char    *name);
GtkWidget     *kbd_find_type           (gpointer       root,
                                        GType          type,
                                        const char    *name);
/* The focusable widget that shows a label reading @text (with mnemonics
 * removed), such as a menu item. */
GtkWidget     *kbd_find_labelled       (gpointer       root,
                                        const char    *text);
GtkWidget     *kbd_focus               (GtkWindow     *window);
/* Whether the focus is @target or inside it. */
gboolean       kbd_focus_in            (GtkWindow     *window,
                                        GtkWidget     *target);

/* Presses Tab (or Shift+Tab, or an arrow key: @direction) until the focus
 * is @target or inside it; returns how many presses it took. Fails the test
 * if it never gets there. */
guint          kbd_move_to             (GtkWindow        *window,
                                        GtkWidget        *target,
                                        GtkDirectionType  direction);
#define kbd_tab_to(window, target) \
  kbd_move_to (GTK_WINDOW (window), (target), GTK_DIR_TAB_FORWARD)

/* One press of Tab, Shift+Tab or an arrow key between widgets. */
void           kbd_move                (GtkWindow        *window,
                                        GtkDirectionType  direction);
/* Enter on the focused widget. */
void           kbd_activate            (GtkWindow     *window);
/* Types @text into the focused editable, replacing what it held. */
void           kbd_type                (GtkWindow     *window,
                                        const char    *text);
/* Presses @accelerator ("<Control>n", "F10", "Escape", "Down", …) in
 * @window; returns whether a controller handled it. */
gboolean       kbd_press               (GtkWindow     *window,
                                        const char    *accelerator);

/* Presses Escape until @condition holds: while toasts are shown,
 * libadwaita's toast overlay takes Escape to dismiss them, one at a time
 * (and under Xvfb, where no window is ever active, they never time out).
 * Every press must be handled. */
gboolean       kbd_escape_until        (GtkWindow     *window,
                                        gboolean     (*condition) (gpointer data),
                                        gpointer       data);
/* Waits for @window's focus to be @target or inside it. */
gboolean       kbd_wait_focus_in       (GtkWindow     *window,
                                        GtkWidget     *target,
                                        guint          timeout_ms);
/* Tab to @menu_button, Enter opens its menu, Down to @item, Enter. */
void           kbd_choose_menu_item    (GtkWindow     *window,
                                        GtkWidget     *menu_button,
                                        const char    *item);
/* Waits for @menu_button's menu to be closed and the focus to be back on
 * the button (GTK moves it there once the menu is unmapped). */
gboolean       kbd_wait_menu_closed    (GtkWindow     *window,
                                        GtkWidget     *menu_button);
/* Waits for a toplevel of @type other than @except to be shown. */
GtkWindow     *kbd_wait_window         (GType          type,
                                        GtkWindow     *except,
                                        guint          timeout_ms);

guint          kbd_count_accounts      (ArcpassWindow *window);
gboolean       kbd_wait_accounts       (ArcpassWindow *window,
                                        guint          count,
                                        guint          timeout_ms);
gboolean       kbd_wait_sensitive      (GtkWidget     *widget,
                                        guint          timeout_ms);
gboolean       kbd_wait_visible_page   (GtkStack      *stack,
                                        const char    *name,
                                        guint          timeout_ms);

/* The text Arcpass last put on the clipboard (read back through GDK). */
char          *kbd_read_clipboard      (GtkWidget     *widget);

G_END_DECLS
