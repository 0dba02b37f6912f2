/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "arcpass-account-row.h"
#include "arcpass-add-account-page.h"
#include "arcpass-api-key-page.h"
#include "arcpass-application.h"
#include "arcpass-sandbox.h"
#include "arcpass-window.h"
#include "arcpass-test-ui-utils.h"

/* Run with ARCPASS_TEST_NO_KEYRING=1: a session bus with no Secret Service.
 * The window must say so, refuse to save silently anywhere else, and offer
 * an explicit memory-only session. */

static ArcpassSandbox *sandbox;
static ArcpassApplication *app;

static gboolean
accounts_loaded_cb (gpointer data)
{
  return arcpass_window_get_accounts_loaded (data);
}

/* GtkButton's "activate" clicks only after a 250 ms animation; tests want
 * the click itself. */
static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static GtkWidget *
find (gpointer    root,
      const char *name)
{
  GtkWidget *widget = arcpass_test_find_widget (GTK_WIDGET (root), GTK_TYPE_WIDGET, name);

  g_assert_nonnull (widget);
  return widget;
}

static guint
count_accounts (ArcpassWindow *window)
{
  GtkWidget *list = find (window, "account_list");
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child;
       child = gtk_widget_get_next_sibling (child))
    if (ARCPASS_IS_ACCOUNT_ROW (child))
      n++;

  return n;
}

static gboolean
one_account_cb (gpointer data)
{
  return count_accounts (data) == 1;
}

static gboolean
spinner_stopped_cb (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

static gboolean
label_has_text_cb (gpointer data)
{
  return gtk_widget_get_visible (data) && *gtk_label_get_text (data);
}

static GtkWidget *
check_full_key (ArcpassWindow *window)
{
  GtkWidget *chooser, *page;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  chooser = arcpass_test_find_widget (GTK_WIDGET (window), ARCPASS_TYPE_ADD_ACCOUNT_PAGE, NULL);
  adw_action_row_activate (ADW_ACTION_ROW (find (chooser, "api-key")));
  page = arcpass_test_find_widget (GTK_WIDGET (window), ARCPASS_TYPE_API_KEY_PAGE, NULL);
  g_assert_true (gtk_widget_get_mapped (page));

  gtk_editable_set_text (GTK_EDITABLE (find (page, "key_row")), ARCPASS_SANDBOX_KEY_FULL);
  click (find (page, "check_button"));
  g_assert_true (arcpass_test_wait_until (spinner_stopped_cb, find (page, "spinner"), 15000));
  g_assert_true (gtk_widget_get_sensitive (find (page, "add_button")));

  return page;
}

static void
test_no_keyring (void)
{
  ArcpassWindow *window;
  GtkWidget *page, *error_label;

  g_application_activate (G_APPLICATION (app));
  window = ARCPASS_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  arcpass_test_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (arcpass_test_wait_until (accounts_loaded_cb, window, 30000));

  /* Said plainly, with the way out offered. */
  g_assert_true (gtk_widget_get_visible (find (window, "keyring_row")));
  g_assert_true (gtk_widget_get_visible (find (window, "memory_only_button")));
  g_assert_false (gtk_widget_get_visible (find (window, "memory_only_row")));
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-no-keyring");

  /* Signing in works, but saving fails and says why, in the page. */
  page = check_full_key (window);
  error_label = find (page, "error_label");
  click (find (page, "add_button"));
  g_assert_true (arcpass_test_wait_until (label_has_text_cb, error_label, 30000));
  g_test_message ("save refused: %s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_cmpuint (count_accounts (window), ==, 0);
  g_assert_false (arcpass_account_store_is_memory_only (arcpass_application_get_account_store (app)));
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-no-keyring-save-refused");

  /* Only on request: a memory-only session. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.use-memory-only", NULL));
  g_assert_true (arcpass_account_store_is_memory_only (arcpass_application_get_account_store (app)));
  g_assert_false (gtk_widget_get_visible (find (window, "keyring_row")));
  g_assert_true (gtk_widget_get_visible (find (window, "memory_only_row")));

  click (find (page, "add_button"));
  g_assert_true (arcpass_test_wait_until (one_account_cb, window, 15000));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (find (window, "content_stack"))),
                   ==, "summary");
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-memory-only");
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
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));

  g_test_add_func ("/accounts/no-keyring", test_no_keyring);

  ret = g_test_run ();

  g_clear_object (&app);
  g_clear_object (&sandbox);
  return ret;
}
