/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "arcpass-application.h"
#include "arcpass-preferences-window.h"
#include "arcpass-window.h"
#include "arcpass-test-ui-utils.h"

/* These tests present the real main window under Xvfb (see
 * tests/arcpass-test-session) and drive it through its actions and widgets. */

static ArcpassApplication *app;

static ArcpassWindow *
get_main_window (void)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (ARCPASS_IS_WINDOW (window));
  arcpass_test_wait_for_draw (GTK_WIDGET (window));

  return ARCPASS_WINDOW (window);
}

static void
test_window_empty_state (void)
{
  ArcpassWindow *window = get_main_window ();
  GtkWidget *empty, *menu_button;
  g_autofree char *shot = NULL;

  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Arcpass");

  empty = arcpass_test_find_widget (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE, "empty_page");
  g_assert_nonnull (empty);
  g_assert_true (gtk_widget_get_mapped (empty));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (empty)), ==, "No Accounts Yet");

  menu_button = arcpass_test_find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON,
                                          "primary_menu_button");
  g_assert_nonnull (menu_button);
  g_assert_true (gtk_menu_button_get_primary (GTK_MENU_BUTTON (menu_button)));
  g_assert_nonnull (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button)));

  /* The empty state has a real way forward. */
  g_assert_true (gtk_widget_get_visible (arcpass_test_find_widget (GTK_WIDGET (window),
                                                                   GTK_TYPE_BUTTON,
                                                                   "empty_add_button")));
  g_assert_true (gtk_widget_get_visible (arcpass_test_find_widget (GTK_WIDGET (window),
                                                                   GTK_TYPE_BUTTON,
                                                                   "add_account_button")));
  /* No --sandbox: nothing claims to be a sandbox. */
  g_assert_false (gtk_widget_get_visible (arcpass_test_find_widget (GTK_WIDGET (window),
                                                                    ADW_TYPE_ACTION_ROW,
                                                                    "sandbox_row")));

  shot = arcpass_test_save_screenshot (GTK_WIDGET (window), "main-window");
  g_assert_true (g_file_test (shot, G_FILE_TEST_EXISTS));
}

static void
test_add_account_navigation (void)
{
  ArcpassWindow *window = get_main_window ();
  GtkStack *stack;
  GtkWidget *row;
  g_auto(GStrv) accels = NULL;

  stack = GTK_STACK (arcpass_test_find_widget (GTK_WIDGET (window), GTK_TYPE_STACK, "content_stack"));
  g_assert_nonnull (stack);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");

  /* Ctrl+N is the accelerator of win.add-account. */
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.add-account");
  g_assert_nonnull (accels);
  g_assert_cmpstr (accels[0], ==, "<Control>n");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "chooser");

  /* The chooser takes the keyboard focus on its first row. */
  row = arcpass_test_find_widget (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "app-credentials");
  g_assert_nonnull (row);
  adw_action_row_activate (ADW_ACTION_ROW (row));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "app-credentials");
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (window), "window-app-credentials"));

  /* Back (Escape) walks back: the flow, then the chooser. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "chooser");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");
}

/* Depth-first search for a label or button of @type showing @text (the
 * toast's widgets have no names). */
static GtkWidget *
find_by_text (GtkWidget  *root,
              GType       type,
              const char *text)
{
  const char *shown = NULL;

  if (GTK_IS_LABEL (root))
    shown = gtk_label_get_text (GTK_LABEL (root));
  else if (GTK_IS_BUTTON (root))
    shown = gtk_button_get_label (GTK_BUTTON (root));
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && shown && g_str_has_prefix (shown, text))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_text (child, type, text);

      if (found)
        return found;
    }

  return NULL;
}

static GtkStack *
open_chooser (ArcpassWindow *window)
{
  GtkStack *stack;

  stack = GTK_STACK (arcpass_test_find_widget (GTK_WIDGET (window), GTK_TYPE_STACK, "content_stack"));
  g_assert_nonnull (stack);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "chooser");

  return stack;
}

static void
test_embedded_sign_in (void)
{
  ArcpassWindow *window = get_main_window ();
  GtkStack *stack = open_chooser (window);
  GtkWidget *page;

  /* The page comes from the web view module ($ARCPASS_WEBVIEW_MODULE). */
  adw_action_row_activate (ADW_ACTION_ROW (arcpass_test_find_widget (GTK_WIDGET (window),
                                                                     ADW_TYPE_ACTION_ROW,
                                                                     "oauth")));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "oauth");
  page = gtk_stack_get_visible_child (stack);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (page), ==, "ArcpassOAuthPage");
  g_assert_true (ADW_IS_BIN (page));
  arcpass_test_wait_for_draw (page);

  /* A second attempt creates a new page of the same, registered once, type. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  adw_action_row_activate (ADW_ACTION_ROW (arcpass_test_find_widget (GTK_WIDGET (window),
                                                                     ADW_TYPE_ACTION_ROW,
                                                                     "oauth")));
  g_assert_true (gtk_stack_get_visible_child (stack) != page);
  g_assert_true (G_OBJECT_TYPE (gtk_stack_get_visible_child (stack)) ==
                 g_type_from_name ("ArcpassOAuthPage"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");
}

typedef struct {
  GtkWidget  *root;
  GType       type;
  const char *text;
} TextWait;

static gboolean
text_shown_cb (gpointer data)
{
  TextWait *wait = data;

  return find_by_text (wait->root, wait->type, wait->text) != NULL;
}

static void
test_embedded_sign_in_unavailable (void)
{
  ArcpassWindow *window;
  GtkStack *stack;
  TextWait wait;
  const char *message;

  if (!g_test_subprocess ())
    {
      /* A process of its own: this one may have loaded the module already,
       * and keeps it. */
      g_autofree char *missing = g_test_build_filename (G_TEST_BUILT, "no-such-module.so", NULL);
      g_autofree char *saved = g_strdup (g_getenv ("ARCPASS_WEBVIEW_MODULE"));

      g_setenv ("ARCPASS_WEBVIEW_MODULE", missing, TRUE);
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      if (saved)
        g_setenv ("ARCPASS_WEBVIEW_MODULE", saved, TRUE);
      else
        g_unsetenv ("ARCPASS_WEBVIEW_MODULE");
      g_test_trap_assert_passed ();
      return;
    }

  window = get_main_window ();
  stack = open_chooser (window);
  adw_action_row_activate (ADW_ACTION_ROW (arcpass_test_find_widget (GTK_WIDGET (window),
                                                                     ADW_TYPE_ACTION_ROW,
                                                                     "oauth")));

  /* No crash, the chooser stays, and a toast says why and what to use. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "chooser");
  wait = (TextWait) { GTK_WIDGET (window), GTK_TYPE_LABEL,
                      "The embedded sign-in is not available: " };
  g_assert_true (arcpass_test_wait_until (text_shown_cb, &wait, 5000));
  message = gtk_label_get_text (GTK_LABEL (find_by_text (wait.root, wait.type, wait.text)));
  g_test_message ("%s", message);
  g_assert_nonnull (strstr (message, "the web view module is not installed ("));
  g_assert_true (g_str_has_suffix (message, "no-such-module.so); use Sign In in Browser"));
  /* After the toast's reveal animation. */
  arcpass_test_spin (500);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (window), "window-embedded-unavailable"));

  /* Its button opens the flow that needs no web view. */
  g_signal_emit_by_name (find_by_text (GTK_WIDGET (window), GTK_TYPE_BUTTON, "Sign In in Browser"),
                         "clicked");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "browser");
}

static gboolean
preferences_shown_cb (gpointer data)
{
  return arcpass_test_find_window (ARCPASS_TYPE_PREFERENCES_WINDOW) != NULL;
}

static void
test_preferences_persist (void)
{
  ArcpassWindow *window = get_main_window ();
  GSettings *settings = arcpass_application_get_settings (app);
  GtkWindow *prefs;
  GtkWidget *spin, *portal_row;
  g_autofree char *url = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  g_assert_true (arcpass_test_wait_until (preferences_shown_cb, NULL, 5000));
  prefs = arcpass_test_find_window (ARCPASS_TYPE_PREFERENCES_WINDOW);
  g_assert_true (gtk_window_get_transient_for (prefs) == GTK_WINDOW (window));
  arcpass_test_wait_for_draw (GTK_WIDGET (prefs));

  /* The widgets show the settings... */
  spin = arcpass_test_find_widget (GTK_WIDGET (prefs), GTK_TYPE_SPIN_BUTTON, "clipboard_delay_spin");
  g_assert_nonnull (spin);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)), ==, 30.0);

  /* ...and writes go back to GSettings. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 45.0);
  g_assert_cmpuint (g_settings_get_uint (settings, "clipboard-clear-delay"), ==, 45);

  spin = arcpass_test_find_widget (GTK_WIDGET (prefs), GTK_TYPE_SPIN_BUTTON, "refresh_margin_spin");
  g_assert_nonnull (spin);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)), ==, 5.0);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 10.0);
  g_assert_cmpuint (g_settings_get_uint (settings, "refresh-margin"), ==, 600);

  /* A portal URL is applied only when it is acceptable. */
  portal_row = arcpass_test_find_widget (GTK_WIDGET (prefs), ADW_TYPE_ENTRY_ROW, "portal_row");
  g_assert_nonnull (portal_row);
  gtk_editable_set_text (GTK_EDITABLE (portal_row), "http://gis.example.com/portal");
  g_signal_emit_by_name (portal_row, "apply");
  url = g_settings_get_string (settings, "default-portal-url");
  g_assert_cmpstr (url, ==, "https://www.arcgis.com");
  g_assert_true (gtk_widget_has_css_class (portal_row, "error"));
  g_clear_pointer (&url, g_free);

  gtk_editable_set_text (GTK_EDITABLE (portal_row), "gis.example.com/portal");
  g_signal_emit_by_name (portal_row, "apply");
  url = g_settings_get_string (settings, "default-portal-url");
  g_assert_cmpstr (url, ==, "https://gis.example.com/portal");

  g_free (arcpass_test_save_screenshot (GTK_WIDGET (prefs), "preferences"));

  gtk_window_destroy (prefs);
  g_settings_reset (settings, "clipboard-clear-delay");
  g_settings_reset (settings, "refresh-margin");
  g_settings_reset (settings, "default-portal-url");
}

static gboolean
about_shown_cb (gpointer data)
{
  return arcpass_test_find_window (ADW_TYPE_ABOUT_WINDOW) != NULL;
}

static void
test_about (void)
{
  GtkWindow *about;

  get_main_window ();
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_true (arcpass_test_wait_until (about_shown_cb, NULL, 5000));
  about = arcpass_test_find_window (ADW_TYPE_ABOUT_WINDOW);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==,
                   GTK_LICENSE_GPL_3_0);
  g_assert_cmpstr (adw_about_window_get_application_icon (ADW_ABOUT_WINDOW (about)), ==, APP_ID);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (about), "about"));
  gtk_window_destroy (about);
}

static void
test_shortcuts_window (void)
{
  ArcpassWindow *window = get_main_window ();
  GtkShortcutsWindow *overlay;

  /* GtkApplication loads gtk/help-overlay.ui from the resource base path. */
  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (overlay);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  arcpass_test_wait_for_draw (GTK_WIDGET (overlay));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (overlay)));
  gtk_widget_set_visible (GTK_WIDGET (overlay), FALSE);
}

static void
test_window_narrow (void)
{
  ArcpassWindow *window = get_main_window ();
  GtkWidget *leaflet, *back;

  leaflet = arcpass_test_find_widget (GTK_WIDGET (window), ADW_TYPE_LEAFLET, "leaflet");
  g_assert_nonnull (leaflet);

  arcpass_test_resize (GTK_WINDOW (window), 360, 640);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (window), "main-window-narrow"));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 400);
  g_assert_true (adw_leaflet_get_folded (ADW_LEAFLET (leaflet)));

  /* Folded, the flows open over the sidebar and a back button returns. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (ADW_LEAFLET (leaflet)), ==, "content");
  back = arcpass_test_find_widget (GTK_WIDGET (window), GTK_TYPE_BUTTON, "back_button");
  arcpass_test_spin (300);
  g_assert_true (gtk_widget_get_mapped (back));
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (window), "main-window-narrow-chooser"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (ADW_LEAFLET (leaflet)), ==, "sidebar");

  arcpass_test_resize (GTK_WINDOW (window), 1000, 700);
  g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (leaflet)));
}

int
main (int    argc,
      char **argv)
{
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  app = arcpass_application_new ();
  /* A subprocess (test_embedded_sign_in_unavailable) runs beside the
   * application of its parent, which owns the bus name. */
  if (g_test_subprocess ())
    g_application_set_flags (G_APPLICATION (app),
                             g_application_get_flags (G_APPLICATION (app)) |
                             G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);

  g_test_add_func ("/window/empty-state", test_window_empty_state);
  g_test_add_func ("/window/add-account", test_add_account_navigation);
  g_test_add_func ("/window/preferences", test_preferences_persist);
  g_test_add_func ("/window/about", test_about);
  g_test_add_func ("/window/shortcuts", test_shortcuts_window);
  g_test_add_func ("/window/narrow", test_window_narrow);
  g_test_add_func ("/window/embedded-sign-in", test_embedded_sign_in);
  g_test_add_func ("/window/embedded-sign-in-unavailable", test_embedded_sign_in_unavailable);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
