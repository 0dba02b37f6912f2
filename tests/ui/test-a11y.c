/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "arcpass-application.h"
#include "arcpass-browser-page.h"
#include "arcpass-preferences-window.h"
#include "arcpass-sandbox.h"
#include "arcpass-webview-loader.h"
#include "arcpass-window.h"
#include "arcpass-test-a11y.h"
#include "arcpass-test-ui-utils.h"

/* Walks every window and page of the application and fails on an
 * interactive control without an accessible name. */

static ArcpassSandbox *sandbox;
static ArcpassApplication *app;

static gboolean
window_ready_cb (gpointer data)
{
  return arcpass_window_get_accounts_loaded (data);
}

static GtkWidget *
main_window (void)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (ARCPASS_IS_WINDOW (window));
  arcpass_test_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (arcpass_test_wait_until (window_ready_cb, window, 20000));

  return GTK_WIDGET (window);
}

static void
test_checker_detects_unlabelled (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *icon_button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  GtkWidget *text_button = gtk_button_new_with_label ("Copy");
  g_autofree char *found = NULL;

  g_object_ref_sink (box);
  gtk_box_append (GTK_BOX (box), icon_button);
  gtk_box_append (GTK_BOX (box), text_button);

  /* An icon-only button has no name... */
  found = arcpass_test_find_unlabelled (box);
  g_assert_nonnull (found);
  g_assert_nonnull (strstr (found, "GtkButton"));
  g_clear_pointer (&found, g_free);

  /* ...until it gets an accessible label. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "Copy Token", -1);
  found = arcpass_test_find_unlabelled (box);
  if (found)
    g_test_message ("unexpected: %s", found);
  g_assert_null (found);

  /* An entry without a label is caught too. */
  gtk_box_append (GTK_BOX (box), gtk_entry_new ());
  found = arcpass_test_find_unlabelled (box);
  g_assert_nonnull (found);
  g_assert_nonnull (strstr (found, "GtkEntry"));

  g_object_unref (box);
}

static void
test_main_window (void)
{
  GtkWidget *window = main_window ();

  arcpass_test_assert_labelled (window);
}

static gboolean
window_of_type_cb (gpointer data)
{
  return arcpass_test_find_window (GPOINTER_TO_SIZE (data)) != NULL;
}

static void
test_secondary_windows (void)
{
  GtkWindow *window;
  GtkShortcutsWindow *overlay;

  main_window ();

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  g_assert_true (arcpass_test_wait_until (window_of_type_cb,
                                          GSIZE_TO_POINTER (ARCPASS_TYPE_PREFERENCES_WINDOW),
                                          5000));
  window = arcpass_test_find_window (ARCPASS_TYPE_PREFERENCES_WINDOW);
  arcpass_test_assert_labelled (GTK_WIDGET (window));
  gtk_window_destroy (window);

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_true (arcpass_test_wait_until (window_of_type_cb,
                                          GSIZE_TO_POINTER (ADW_TYPE_ABOUT_WINDOW), 5000));
  /* AdwAboutWindow is libadwaita's own widget: its back buttons and search
   * entry are named by libadwaita (through tooltips in 1.2), not by us, so
   * only its presence is checked here. */
  window = arcpass_test_find_window (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (window);
  gtk_window_destroy (window);

  overlay = gtk_application_window_get_help_overlay (
      GTK_APPLICATION_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app))));
  /* GtkShortcutsWindow's only control is GTK's own search entry. */
  g_assert_nonnull (overlay);
}

static void
test_sign_in_pages (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  g_autoptr(GError) error = NULL;
  ArcpassClient *client;
  GSettings *settings;
  GtkWidget *oauth_page;

  main_window ();
  client = arcpass_application_get_client (app);
  settings = arcpass_application_get_settings (app);

  /* The embedded page as the window gets it: from the web view module. */
  oauth_page = arcpass_webview_create_oauth_page (client, settings, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (oauth_page), ==, "ArcpassOAuthPage");
  gtk_box_append (GTK_BOX (box), oauth_page);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (arcpass_browser_page_new (client, settings)));
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  arcpass_test_wait_for_draw (window);

  arcpass_test_assert_labelled (window);
  gtk_window_destroy (GTK_WINDOW (window));
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
  arcpass_application_set_sandbox_url (app, arcpass_sandbox_get_url (sandbox));
  g_application_register (G_APPLICATION (app), NULL, NULL);

  g_test_add_func ("/a11y/checker-detects-unlabelled", test_checker_detects_unlabelled);
  g_test_add_func ("/a11y/main-window", test_main_window);
  g_test_add_func ("/a11y/secondary-windows", test_secondary_windows);
  g_test_add_func ("/a11y/sign-in-pages", test_sign_in_pages);

  ret = g_test_run ();

  g_clear_object (&app);
  arcpass_sandbox_stop (sandbox);
  g_clear_object (&sandbox);
  return ret;
}
