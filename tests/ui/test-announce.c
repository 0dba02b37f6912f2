/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "arcpass-account-row.h"
#include "arcpass-add-account-page.h"
#include "arcpass-api-key-page.h"
#include "arcpass-application.h"
#include "arcpass-sandbox.h"
#include "arcpass-ui-utils.h"
#include "arcpass-window.h"
#include "arcpass-test-ui-utils.h"

/* What screen readers are told without moving the focus. GTK 4.8 has no
 * gtk_accessible_announce(): Orca presents an object with the alert role when
 * it appears, and status regions. So a failed action shows its message in a
 * widget with the alert role, and the toasts (which libadwaita 1.2 does not
 * make accessible) are repeated in an unseen label with the status role.
 * Checked through the test AT context of GTK_A11Y=test. */

static ArcpassSandbox *sandbox;
static ArcpassApplication *app;
static GSettings *settings;

static gboolean
accounts_loaded_cb (gpointer data)
{
  return arcpass_window_get_accounts_loaded (data);
}

static ArcpassWindow *
get_main_window (void)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (ARCPASS_IS_WINDOW (window));
  arcpass_test_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (arcpass_test_wait_until (accounts_loaded_cb, window, 10000));

  return ARCPASS_WINDOW (window);
}

static GtkWidget *
find (gpointer    root,
      const char *name)
{
  GtkWidget *widget = arcpass_test_find_widget (GTK_WIDGET (root), GTK_TYPE_WIDGET, name);

  g_assert_nonnull (widget);
  return widget;
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static gboolean
spinner_stopped_cb (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

/* What a screen reader announces when it appears: a visible widget with the
 * alert role. */
static gboolean
is_shown_alert (GtkWidget *widget)
{
  return gtk_widget_get_visible (widget) && gtk_widget_get_mapped (widget) &&
         gtk_test_accessible_has_role (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_ROLE_ALERT);
}

static void
count_cb (guint *count)
{
  (*count)++;
}

static GtkWidget *
open_api_key_page (ArcpassWindow *window)
{
  GtkWidget *chooser, *row, *page;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  chooser = arcpass_test_find_widget (GTK_WIDGET (window), ARCPASS_TYPE_ADD_ACCOUNT_PAGE, NULL);
  row = arcpass_test_find_widget (chooser, ADW_TYPE_ACTION_ROW, "api-key");
  g_assert_nonnull (row);
  adw_action_row_activate (ADW_ACTION_ROW (row));
  page = arcpass_test_find_widget (GTK_WIDGET (window), ARCPASS_TYPE_API_KEY_PAGE, NULL);
  g_assert_nonnull (page);
  g_assert_true (gtk_widget_get_mapped (page));

  return page;
}

static void
check_key (GtkWidget  *page,
           const char *key)
{
  gtk_editable_set_text (GTK_EDITABLE (find (page, "key_row")), key);
  click (find (page, "check_button"));
  g_assert_true (arcpass_test_wait_until (spinner_stopped_cb, find (page, "spinner"), 15000));
}

static void
test_api_key_error (void)
{
  ArcpassWindow *window = get_main_window ();
  GtkWidget *page = open_api_key_page (window);
  GtkWidget *error_label = find (page, "error_label");
  GtkWidget *results_group = find (page, "results_group");
  const char *message;
  guint n_notify = 0;

  g_assert_false (gtk_widget_get_visible (error_label));

  check_key (page, ARCPASS_SANDBOX_KEY_EXPIRED);

  /* The message is in a widget that is announced as it appears. */
  message = gtk_label_get_text (GTK_LABEL (error_label));
  g_test_message ("expired key: %s", message);
  g_assert_cmpstr (message, !=, "");
  g_assert_true (is_shown_alert (error_label));
  g_assert_false (gtk_widget_get_sensitive (find (page, "add_button")));

  /* The same check fails on a widget that is shown but has no alert role:
   * the verdict rows, read when the user gets to them. */
  g_assert_true (gtk_widget_get_visible (results_group));
  g_assert_false (is_shown_alert (results_group));
  g_assert_false (is_shown_alert (find (page, "key_row")));

  arcpass_test_save_screenshot (GTK_WIDGET (window), "announce-api-key-error");

  /* A new message in the label already shown makes it appear again, which
   * is what makes a screen reader say it; the same message does not. */
  g_signal_connect_swapped (error_label, "notify::visible", G_CALLBACK (count_cb), &n_notify);
  arcpass_ui_set_error (GTK_LABEL (error_label), "Another message");
  g_assert_cmpuint (n_notify, ==, 2);
  g_assert_true (is_shown_alert (error_label));
  arcpass_ui_set_error (GTK_LABEL (error_label), "Another message");
  g_assert_cmpuint (n_notify, ==, 2);
  g_signal_handlers_disconnect_by_data (error_label, &n_notify);

  /* A key that works takes the message away. */
  check_key (page, ARCPASS_SANDBOX_KEY_FULL);
  g_assert_false (gtk_widget_get_visible (error_label));
}

typedef struct {
  GtkLabel   *label;
  const char *prefix;
} LabelWait;

static gboolean
label_has_prefix_cb (gpointer data)
{
  LabelWait *wait = data;

  return g_str_has_prefix (gtk_label_get_text (wait->label), wait->prefix);
}

static gboolean
account_added_cb (gpointer data)
{
  GtkWidget *list = find (data, "account_list");

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child;
       child = gtk_widget_get_next_sibling (child))
    if (ARCPASS_IS_ACCOUNT_ROW (child))
      return TRUE;

  return FALSE;
}

static void
test_copy_status (void)
{
  ArcpassWindow *window = get_main_window ();
  GtkWidget *page, *summary, *overlay, *window_status, *view_status, *token_row;
  LabelWait wait;

  /* Add the account whose token is then copied. */
  page = open_api_key_page (window);
  check_key (page, ARCPASS_SANDBOX_KEY_FULL);
  click (find (page, "add_button"));
  g_assert_true (arcpass_test_wait_until (account_added_cb, window, 15000));

  /* The window's toasts, "Account added" first, are repeated in its status
   * label, the last child of the overlay under the toast overlay. */
  overlay = adw_toast_overlay_get_child (ADW_TOAST_OVERLAY (find (window, "toast_overlay")));
  window_status = gtk_widget_get_last_child (overlay);
  g_assert_true (GTK_IS_LABEL (window_status));
  g_assert_true (gtk_test_accessible_has_role (GTK_ACCESSIBLE (window_status),
                                               GTK_ACCESSIBLE_ROLE_STATUS));
  g_assert_true (gtk_widget_get_visible (window_status));
  g_assert_cmpfloat (gtk_widget_get_opacity (window_status), ==, 0);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (window_status)), ==, "Account added");

  /* The sign-in's result, the state badge, is a status too. */
  summary = find (window, "summary_page");
  g_assert_true (gtk_test_accessible_has_role (GTK_ACCESSIBLE (find (summary, "state_label")),
                                               GTK_ACCESSIBLE_ROLE_STATUS));

  /* The token row says that what it shows is masked. */
  token_row = find (summary, "access_row");
  g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (token_row),
                                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (token_row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Masked; press Show Token to show it");

  /* Copy: the window shows the toast and says it. */
  g_settings_set_uint (settings, "clipboard-clear-delay", 1);
  g_signal_emit_by_name (token_row, "copy");
  wait.label = GTK_LABEL (window_status);
  wait.prefix = "Token copied";
  g_assert_true (arcpass_test_wait_until (label_has_prefix_cb, &wait, 5000));
  g_test_message ("status: %s", gtk_label_get_text (GTK_LABEL (window_status)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (window_status)), ==,
                   "Token copied, cleared in 1 second");

  /* A second later the clipboard is cleared, which only the account view's
   * own status label says. */
  view_status = find (summary, "announce_label");
  g_assert_true (view_status != window_status);
  g_assert_true (gtk_test_accessible_has_role (GTK_ACCESSIBLE (view_status),
                                               GTK_ACCESSIBLE_ROLE_STATUS));
  wait.label = GTK_LABEL (view_status);
  wait.prefix = "Clipboard cleared";
  g_assert_true (arcpass_test_wait_until (label_has_prefix_cb, &wait, 5000));
  g_settings_reset (settings, "clipboard-clear-delay");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  sandbox = arcpass_sandbox_new ();
  g_assert_true (arcpass_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);

  app = arcpass_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  arcpass_application_set_sandbox_url (app, arcpass_sandbox_get_url (sandbox));
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  settings = g_settings_new (APP_ID);

  g_test_add_func ("/announce/01-api-key-error", test_api_key_error);
  g_test_add_func ("/announce/02-copy-status", test_copy_status);

  ret = g_test_run ();

  g_clear_object (&settings);
  g_clear_object (&app);
  g_clear_object (&sandbox);
  return ret;
}
