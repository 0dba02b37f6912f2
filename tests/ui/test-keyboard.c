/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "arcpass-account-row.h"
#include "arcpass-api-key-page.h"
#include "arcpass-app-credentials-page.h"
#include "arcpass-enterprise-page.h"
#include "arcpass-preferences-window.h"
#include "arcpass-test-ui-utils.h"
#include "test-keyboard-common.h"

/* Adding accounts of every kind from the chooser, and the application's
 * windows (Preferences, Keyboard Shortcuts, About), with the keyboard alone.
 * See test-keyboard-common.h for what each step stands for: Tab, Enter,
 * typing and key presses dispatched through the widgets' own shortcuts.
 * Nothing is clicked and no page API is called. */

/* After a flow, the focus is on the new account's row (shown and
 * selected), not lost with the page that had it. */
static void
assert_focus_on_new_account (ArcpassWindow *window)
{
  GtkWidget *focus = kbd_focus (GTK_WINDOW (window));
  GtkWidget *list = kbd_find (window, "account_list");

  g_test_message ("focus after adding: %s", focus ? G_OBJECT_TYPE_NAME (focus) : "(none)");
  g_assert_nonnull (focus);
  g_assert_true (ARCPASS_IS_ACCOUNT_ROW (focus));
  g_assert_true (GTK_WIDGET (gtk_list_box_get_selected_row (GTK_LIST_BOX (list))) == focus);
}

static ArcpassWindow *
open_chooser (void)
{
  ArcpassWindow *window = kbd_open_window ();
  GtkWidget *stack = kbd_find (window, "content_stack");

  /* Ctrl+N opens the chooser, from wherever the focus is. */
  g_assert_true (kbd_press (GTK_WINDOW (window), "<Control>n"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "chooser");
  return window;
}

/* Tab to the chooser's row @name, Enter; the page @name is shown. */
static GtkWidget *
choose_flow (ArcpassWindow *window,
             const char    *name,
             GType          page_type)
{
  GtkWidget *stack = kbd_find (window, "content_stack");
  GtkWidget *row = kbd_find_type (window, ADW_TYPE_ACTION_ROW, name);

  g_test_message ("%u Tab to the %s row", kbd_tab_to (window, row), name);
  kbd_activate (GTK_WINDOW (window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, name);
  return kbd_find_type (window, page_type, NULL);
}

static gboolean
not_chooser_cb (gpointer data)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (data), "chooser") != 0;
}

static void
test_add_api_key (void)
{
  ArcpassWindow *window;
  GtkWidget *stack, *page, *key_row, *check_button, *add_button;
  guint before;

  window = open_chooser ();
  before = kbd_count_accounts (window);
  stack = kbd_find (window, "content_stack");
  page = choose_flow (window, "api-key", ARCPASS_TYPE_API_KEY_PAGE);

  /* The page puts the focus in the key entry: type the key there. */
  key_row = kbd_find (page, "key_row");
  g_assert_true (kbd_wait_focus_in (GTK_WINDOW (window), key_row, 2000));
  kbd_type (GTK_WINDOW (window), ARCPASS_SANDBOX_KEY_FULL);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (key_row)), ==, ARCPASS_SANDBOX_KEY_FULL);

  /* Tab to "Check Key", Enter (GtkButton clicks once its short animation ends). */
  check_button = kbd_find (page, "check_button");
  g_test_message ("%u Tab to Check Key", kbd_tab_to (window, check_button));
  kbd_activate (GTK_WINDOW (window));

  /* Once the key works, Tab to "Add Account", Enter. */
  add_button = kbd_find (page, "add_button");
  g_assert_true (kbd_wait_sensitive (add_button, 15000));
  g_test_message ("%u Tab to Add Account", kbd_tab_to (window, add_button));
  kbd_activate (GTK_WINDOW (window));

  g_assert_true (kbd_wait_accounts (window, before + 1, 15000));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "summary");
  assert_focus_on_new_account (window);
  arcpass_test_save_screenshot (GTK_WIDGET (window), "keyboard-added");

  /* Escape leaves the chooser (once the toast that says the account was
   * added is dismissed: libadwaita's toast overlay takes Escape first). */
  g_assert_true (kbd_press (GTK_WINDOW (window), "<Control>n"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "chooser");
  g_assert_true (kbd_escape_until (GTK_WINDOW (window), not_chooser_cb, stack));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "summary");
}

/* Makes sure the portal row reads the sandbox: the row is reached with
 * Shift+Tab from where the page put the focus, and typed into. */
static void
type_portal (ArcpassWindow *window,
             GtkWidget     *portal_row)
{
  const char *url = arcpass_sandbox_get_url (kbd.sandbox);

  kbd_move_to (GTK_WINDOW (window), portal_row, GTK_DIR_TAB_BACKWARD);
  kbd_type (GTK_WINDOW (window), url);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (portal_row)), ==, url);
}

static void
test_add_app_credentials (void)
{
  ArcpassWindow *window = open_chooser ();
  guint before = kbd_count_accounts (window);
  GtkWidget *page, *client_id_row, *secret_row, *sign_in_button;

  page = choose_flow (window, "app-credentials", ARCPASS_TYPE_APP_CREDENTIALS_PAGE);

  /* The page starts in the client ID. */
  client_id_row = kbd_find (page, "client_id_row");
  g_assert_true (kbd_wait_focus_in (GTK_WINDOW (window), client_id_row, 2000));
  type_portal (window, kbd_find (page, "portal_row"));

  kbd_tab_to (window, client_id_row);
  kbd_type (GTK_WINDOW (window), ARCPASS_SANDBOX_CLIENT_ID);
  secret_row = kbd_find (page, "secret_row");
  g_test_message ("%u Tab to the secret", kbd_tab_to (window, secret_row));
  kbd_type (GTK_WINDOW (window), ARCPASS_SANDBOX_CLIENT_SECRET);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (secret_row)), ==,
                   ARCPASS_SANDBOX_CLIENT_SECRET);

  sign_in_button = kbd_find (page, "sign_in_button");
  g_test_message ("%u Tab to Sign In", kbd_tab_to (window, sign_in_button));
  kbd_activate (GTK_WINDOW (window));

  g_assert_true (kbd_wait_accounts (window, before + 1, 15000));
  g_assert_true (kbd_wait_visible_page (GTK_STACK (kbd_find (window, "content_stack")),
                                        "summary", 5000));
  assert_focus_on_new_account (window);
}

static void
test_add_enterprise (void)
{
  ArcpassWindow *window = open_chooser ();
  guint before = kbd_count_accounts (window);
  GtkWidget *page, *portal_row, *discover_button, *username_row, *password_row, *sign_in_button;

  page = choose_flow (window, "enterprise", ARCPASS_TYPE_ENTERPRISE_PAGE);

  /* The page starts in the portal URL. */
  portal_row = kbd_find (page, "portal_row");
  g_assert_true (kbd_wait_focus_in (GTK_WINDOW (window), portal_row, 2000));
  kbd_type (GTK_WINDOW (window), arcpass_sandbox_get_url (kbd.sandbox));

  discover_button = kbd_find (page, "discover_button");
  g_test_message ("%u Tab to Discover", kbd_tab_to (window, discover_button));
  kbd_activate (GTK_WINDOW (window));

  /* Once the portal is found, the page moves the focus to the username. */
  username_row = kbd_find (page, "username_row");
  g_assert_true (kbd_wait_focus_in (GTK_WINDOW (window), username_row, 15000));
  kbd_type (GTK_WINDOW (window), ARCPASS_SANDBOX_USER_USERNAME);
  password_row = kbd_find (page, "password_row");
  g_test_message ("%u Tab to the password", kbd_tab_to (window, password_row));
  kbd_type (GTK_WINDOW (window), ARCPASS_SANDBOX_USER_PASSWORD);

  sign_in_button = kbd_find (page, "sign_in_button");
  g_test_message ("%u Tab to Sign In", kbd_tab_to (window, sign_in_button));
  kbd_activate (GTK_WINDOW (window));

  g_assert_true (kbd_wait_accounts (window, before + 1, 15000));
  g_assert_true (kbd_wait_visible_page (GTK_STACK (kbd_find (window, "content_stack")),
                                        "summary", 5000));
  assert_focus_on_new_account (window);
}

/* F10 opens the main menu; the arrow keys reach @item, Enter chooses it. */
static void
choose_main_menu_item (ArcpassWindow *window,
                       const char    *item)
{
  GtkWidget *menu_button = kbd_find (window, "primary_menu_button");
  GtkPopover *popover;
  GtkWidget *target;

  g_assert_true (kbd_press (GTK_WINDOW (window), "F10"));
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));
  g_assert_nonnull (popover);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
  arcpass_test_wait_for_draw (GTK_WIDGET (popover));
  if (!kbd_focus_in (GTK_WINDOW (window), GTK_WIDGET (popover)))
    g_assert_true (kbd_press (GTK_WINDOW (window), "Down"));
  g_assert_true (kbd_focus_in (GTK_WINDOW (window), GTK_WIDGET (popover)));

  target = kbd_find_labelled (popover, item);
  g_test_message ("%u Down to %s", kbd_move_to (GTK_WINDOW (window), target, GTK_DIR_DOWN), item);
  kbd_activate (GTK_WINDOW (window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
}

static guint delay_before;

static gboolean
settings_changed_cb (gpointer data)
{
  return g_settings_get_uint (data, "clipboard-clear-delay") != delay_before;
}

static void
test_preferences (void)
{
  ArcpassWindow *window = kbd_open_window ();
  GtkWidget *focus_before = kbd_focus (GTK_WINDOW (window));
  GtkWindow *prefs;
  GtkWidget *spin;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  delay_before = g_settings_get_uint (settings, "clipboard-clear-delay");

  /* Ctrl+comma opens Preferences with the focus in it. */
  g_assert_true (kbd_press (GTK_WINDOW (window), "<Control>comma"));
  prefs = kbd_wait_window (ARCPASS_TYPE_PREFERENCES_WINDOW, NULL, 5000);
  g_assert_nonnull (prefs);

  /* Tab to the clipboard delay, Up raises it by one step. */
  spin = kbd_find (prefs, "clipboard_delay_spin");
  g_test_message ("%u Tab to the clipboard delay", kbd_tab_to (prefs, spin));
  g_assert_true (kbd_press (prefs, "Up"));
  g_assert_true (arcpass_test_wait_until (settings_changed_cb, settings, 2000));
  g_assert_cmpuint (g_settings_get_uint (settings, "clipboard-clear-delay"), >, delay_before);
  g_settings_reset (settings, "clipboard-clear-delay");

  /* Escape closes it, and the main window has its focus back. */
  g_assert_true (kbd_press (prefs, "Escape"));
  g_assert_null (kbd_wait_window (ARCPASS_TYPE_PREFERENCES_WINDOW, NULL, 300));
  g_assert_true (kbd_focus (GTK_WINDOW (window)) == focus_before);
}

static void
test_shortcuts_and_about (void)
{
  ArcpassWindow *window = kbd_open_window ();
  GtkWindow *shortcuts, *about;

  /* Ctrl+? shows the shortcuts, Escape closes them. */
  g_assert_true (kbd_press (GTK_WINDOW (window), "<Control>question"));
  shortcuts = kbd_wait_window (GTK_TYPE_SHORTCUTS_WINDOW, NULL, 5000);
  g_assert_nonnull (shortcuts);
  g_assert_true (kbd_press (shortcuts, "Escape"));
  g_assert_null (kbd_wait_window (GTK_TYPE_SHORTCUTS_WINDOW, NULL, 300));

  /* The main menu's Keyboard Shortcuts item, too. */
  choose_main_menu_item (window, "Keyboard Shortcuts");
  shortcuts = kbd_wait_window (GTK_TYPE_SHORTCUTS_WINDOW, NULL, 5000);
  g_assert_nonnull (shortcuts);
  g_assert_true (kbd_press (shortcuts, "Escape"));
  g_assert_null (kbd_wait_window (GTK_TYPE_SHORTCUTS_WINDOW, NULL, 300));

  /* About from the main menu; Escape closes it. */
  choose_main_menu_item (window, "About Arcpass");
  about = kbd_wait_window (ADW_TYPE_ABOUT_WINDOW, NULL, 5000);
  g_assert_nonnull (about);
  g_assert_true (kbd_press (about, "Escape"));
  g_assert_null (kbd_wait_window (ADW_TYPE_ABOUT_WINDOW, NULL, 300));

  /* Preferences from the main menu as well. */
  choose_main_menu_item (window, "Preferences");
  g_assert_nonnull (kbd_wait_window (ARCPASS_TYPE_PREFERENCES_WINDOW, NULL, 5000));
  g_assert_true (kbd_press (kbd_wait_window (ARCPASS_TYPE_PREFERENCES_WINDOW, NULL, 10),
                            "Escape"));
}

int
main (int    argc,
      char **argv)
{
  int ret;

  kbd_init (&argc, &argv);

  g_test_add_func ("/keyboard/add-api-key", test_add_api_key);
  g_test_add_func ("/keyboard/add-app-credentials", test_add_app_credentials);
  g_test_add_func ("/keyboard/add-enterprise", test_add_enterprise);
  g_test_add_func ("/keyboard/preferences", test_preferences);
  g_test_add_func ("/keyboard/shortcuts-and-about", test_shortcuts_and_about);

  ret = g_test_run ();

  kbd_shutdown ();
  return ret;
}
