/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "arcpass-application.h"
#include "arcpass-window.h"
#include "arcpass-test-ui-utils.h"

/* The main window, the add-account chooser and Preferences in the dark and
 * high-contrast styles. libadwaita reads ADW_DEBUG_COLOR_SCHEME and
 * ADW_DEBUG_HIGH_CONTRAST at start, so each style runs in its own process
 * (a subprocess of this test). Screenshots land in the build's screenshots
 * directory, named after the style. */

static gboolean
loaded_cb (gpointer data)
{
  return arcpass_window_get_accounts_loaded (data);
}

static void
take_screenshots (const char *style)
{
  g_autoptr(ArcpassApplication) app = arcpass_application_new ();
  AdwStyleManager *manager = adw_style_manager_get_default ();
  g_autofree char *name = NULL;
  GtkWindow *window;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (ARCPASS_IS_WINDOW (window));
  gtk_window_set_default_size (window, 1000, 700);
  arcpass_test_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (arcpass_test_wait_until (loaded_cb, window, 20000));

  if (g_str_equal (style, "dark"))
    g_assert_true (adw_style_manager_get_dark (manager));
  else if (g_str_equal (style, "high-contrast"))
    g_assert_true (adw_style_manager_get_high_contrast (manager));

  name = g_strdup_printf ("style-%s-empty", style);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (window), name));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  arcpass_test_spin (300);
  g_free (name);
  name = g_strdup_printf ("style-%s-chooser", style);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (window), name));

  gtk_window_destroy (window);
}

static void
test_style (gconstpointer data)
{
  const char *style = data;

  if (g_test_subprocess ())
    {
      take_screenshots (style);
      return;
    }

  /* The subprocess inherits the environment. */
  if (g_str_equal (style, "dark"))
    g_setenv ("ADW_DEBUG_COLOR_SCHEME", "prefer-dark", TRUE);
  else
    g_setenv ("ADW_DEBUG_HIGH_CONTRAST", "1", TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("ADW_DEBUG_COLOR_SCHEME");
  g_unsetenv ("ADW_DEBUG_HIGH_CONTRAST");
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_data_func ("/styles/dark", "dark", test_style);
  g_test_add_data_func ("/styles/high-contrast", "high-contrast", test_style);

  return g_test_run ();
}
