/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "arcpass-account-page.h"
#include "arcpass-application.h"
#include "arcpass-sandbox.h"
#include "arcpass-window.h"
#include "arcpass-test-a11y.h"
#include "arcpass-test-ui-utils.h"

/* The selected account in the main window: the account view and the three
 * testers as tabs, wide and narrow, against an in-process sandbox. */

static ArcpassSandbox *sandbox;
static ArcpassApplication *app;

static gboolean
accounts_loaded_cb (gpointer data)
{
  return arcpass_window_get_accounts_loaded (data);
}

static void
save_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GError **error = user_data;

  arcpass_account_store_save_finish (ARCPASS_ACCOUNT_STORE (source), result, error);
  if (!*error)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "saved");
}

static void
sign_in_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ArcpassCredential **credential = user_data;
  g_autoptr(GError) error = NULL;

  *credential = arcpass_sign_in_finish (result, &error);
  g_assert_no_error (error);
}

/* Saves a full-privilege API key account through the core, as the API key
 * page would. */
static void
save_api_key_account (void)
{
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GError) done = NULL;

  arcpass_sign_in_with_api_key_async (arcpass_application_get_client (app),
                                      arcpass_sandbox_get_url (sandbox),
                                      ARCPASS_SANDBOX_KEY_FULL, NULL, sign_in_cb, &credential);
  while (!credential)
    g_main_context_iteration (NULL, TRUE);

  arcpass_account_store_save_async (arcpass_application_get_account_store (app), credential,
                                    NULL, save_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_error_matches (done, G_IO_ERROR, G_IO_ERROR_EXISTS));
}

/* Names the widgets that make a tab too wide, to say what to fix. */
static void
report_wide_widgets (GtkWidget *widget,
                     int        limit)
{
  int min = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  if (min <= limit)
    return;

  g_test_message ("  %s %s: minimum width %d", G_OBJECT_TYPE_NAME (widget),
                  gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)) ?: "", min);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child;
       child = gtk_widget_get_next_sibling (child))
    report_wide_widgets (child, limit);
}

static gboolean
page_has_manager_cb (gpointer data)
{
  return arcpass_account_page_get_manager (data) != NULL;
}

static void
test_tabs_wide_and_narrow (void)
{
  GtkWindow *window;
  GtkWidget *leaflet, *page;
  static const char *tabs[] = { "account", "basemaps", "geocode", "requests" };

  save_api_key_account ();

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (ARCPASS_IS_WINDOW (window));
  gtk_window_set_default_size (window, 1280, 800);
  arcpass_test_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (arcpass_test_wait_until (accounts_loaded_cb, window, 20000));

  page = arcpass_test_find_widget (GTK_WIDGET (window), ARCPASS_TYPE_ACCOUNT_PAGE, NULL);
  g_assert_nonnull (page);
  g_assert_true (arcpass_test_wait_until (page_has_manager_cb, page, 10000));

  /* At 1280 px the sidebar and the account sit side by side. */
  leaflet = arcpass_test_find_widget (GTK_WIDGET (window), ADW_TYPE_LEAFLET, "leaflet");
  g_assert_nonnull (leaflet);
  arcpass_test_spin (500);
  for (guint i = 0; i < G_N_ELEMENTS (tabs); i++)
    {
      GtkWidget *tab = arcpass_account_page_get_tab (ARCPASS_ACCOUNT_PAGE (page), tabs[i]);
      int min = 0, nat = 0;

      g_assert_nonnull (tab);
      gtk_widget_measure (tab, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      g_test_message ("tab %s: minimum width %d, natural %d", tabs[i], min, nat);
    }
  g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (leaflet)));

  for (guint i = 0; i < G_N_ELEMENTS (tabs); i++)
    {
      g_autofree char *name = g_strdup_printf ("account-page-%s-wide", tabs[i]);

      arcpass_account_page_set_visible_tab (ARCPASS_ACCOUNT_PAGE (page), tabs[i]);
      g_assert_cmpstr (arcpass_account_page_get_visible_tab (ARCPASS_ACCOUNT_PAGE (page)), ==,
                       tabs[i]);
      /* Give the testers time to list styles and load tiles. */
      arcpass_test_spin (2500);
      arcpass_test_assert_labelled (GTK_WIDGET (window));
      g_free (arcpass_test_save_screenshot (GTK_WIDGET (window), name));
    }

  /* At 360 px the leaflet folds, the testers' panes are stacked, and every
   * tab fits. */
  gtk_window_set_default_size (window, 360, 720);
  arcpass_test_spin (800);
  for (guint i = 0; i < G_N_ELEMENTS (tabs); i++)
    {
      GtkWidget *tab = arcpass_account_page_get_tab (ARCPASS_ACCOUNT_PAGE (page), tabs[i]);
      int min = 0;

      gtk_widget_measure (tab, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
      g_test_message ("narrow: tab %s: minimum width %d", tabs[i], min);
      report_wide_widgets (tab, 360);
      g_assert_cmpint (min, <=, 360);
    }
  g_assert_true (adw_leaflet_get_folded (ADW_LEAFLET (leaflet)));
  adw_leaflet_set_visible_child_name (ADW_LEAFLET (leaflet), "content");
  for (guint i = 0; i < G_N_ELEMENTS (tabs); i++)
    {
      g_autofree char *name = g_strdup_printf ("account-page-%s-narrow", tabs[i]);

      arcpass_account_page_set_visible_tab (ARCPASS_ACCOUNT_PAGE (page), tabs[i]);
      arcpass_test_spin (1500);
      g_free (arcpass_test_save_screenshot (GTK_WIDGET (window), name));
    }
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 400);
  /* The tabs moved from the top to the bottom bar. */
  g_assert_true (gtk_widget_get_visible (arcpass_test_find_widget (page,
                                                                   ADW_TYPE_VIEW_SWITCHER_BAR,
                                                                   NULL)));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* Screenshots, not crossfades. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  sandbox = arcpass_sandbox_new ();
  g_assert_true (arcpass_sandbox_start (sandbox, 0, &error));

  app = arcpass_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  arcpass_application_set_sandbox_url (app, arcpass_sandbox_get_url (sandbox));
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/account-page/tabs-wide-and-narrow", test_tabs_wide_and_narrow);

  ret = g_test_run ();

  g_clear_object (&app);
  arcpass_sandbox_stop (sandbox);
  g_clear_object (&sandbox);
  return ret;
}
