/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "arcpass-account-row.h"
#include "arcpass-api-key-page.h"
#include "arcpass-application.h"
#include "arcpass-sandbox.h"
#include "arcpass-window.h"
#include "arcpass-test-ui-utils.h"

/* Adding an API key account with the keyboard alone. Every step is the
 * equivalent of a key press: the accelerator's action (Ctrl+N), moving focus
 * with gtk_widget_child_focus() (Tab), gtk_widget_activate() on the focused
 * widget (Enter), and setting the text of the focused editable (typing).
 * Nothing is clicked and no page API is called: a step that Tab cannot reach
 * fails the test, as it would stop a keyboard user. */

/* More than every focusable widget of the window, so that a widget that Tab
 * never reaches fails instead of looping forever. */
#define MAX_TABS 80

static ArcpassSandbox *sandbox;
static ArcpassApplication *app;

static gboolean
accounts_loaded_cb (gpointer data)
{
  return arcpass_window_get_accounts_loaded (data);
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

static GtkWidget *
get_focus (ArcpassWindow *window)
{
  return gtk_root_get_focus (GTK_ROOT (window));
}

/* Presses Tab until @target has the focus; returns how many presses it took. */
static guint
tab_to (ArcpassWindow *window,
        GtkWidget     *target)
{
  for (guint i = 0; i < MAX_TABS; i++)
    {
      GtkWidget *focus = get_focus (window);

      if (focus == target)
        return i;
      g_test_message ("Tab %u: %s %s", i,
                      focus ? G_OBJECT_TYPE_NAME (focus) : "(none)",
                      focus && gtk_widget_get_name (focus) ? gtk_widget_get_name (focus) : "");
      gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD);
      /* Let focus-in handlers and any scrolling run, as between key presses. */
      arcpass_test_spin (10);
    }

  g_error ("Tab never reached %s %s", G_OBJECT_TYPE_NAME (target), gtk_widget_get_name (target));
  return MAX_TABS;
}

static gboolean
has_shortcut (GtkWidget  *widget,
              const char *trigger,
              const char *action_name)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
          g_autofree char *text = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          if (g_str_equal (text, trigger) && GTK_IS_NAMED_ACTION (action) &&
              g_str_equal (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), action_name))
            return TRUE;
        }
    }

  return FALSE;
}

static gboolean
has_accel (GStrv           accels,
           guint           key,
           GdkModifierType mods)
{
  for (guint i = 0; accels[i]; i++)
    {
      guint accel_key;
      GdkModifierType accel_mods;

      if (gtk_accelerator_parse (accels[i], &accel_key, &accel_mods) &&
          accel_key == key && accel_mods == mods)
        return TRUE;
    }

  return FALSE;
}

typedef struct {
  ArcpassWindow *window;
  guint          count;
} CountWait;

static gboolean
account_count_cb (gpointer data)
{
  CountWait *wait = data;

  return count_accounts (wait->window) == wait->count;
}

static gboolean
sensitive_cb (gpointer data)
{
  return gtk_widget_is_sensitive (data);
}

static void
test_add_api_key (void)
{
  GtkWindow *gtk_window;
  ArcpassWindow *window;
  g_auto(GStrv) accels = NULL;
  GtkWidget *stack, *row, *page, *key_row, *check_button, *add_button, *focus;
  CountWait wait;
  guint before;

  g_application_activate (G_APPLICATION (app));
  gtk_window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (ARCPASS_IS_WINDOW (gtk_window));
  window = ARCPASS_WINDOW (gtk_window);
  arcpass_test_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (arcpass_test_wait_until (accounts_loaded_cb, window, 10000));
  before = count_accounts (window);
  stack = find (window, "content_stack");

  /* Ctrl+N: the accelerator is registered, and its action opens the chooser. */
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.add-account");
  g_assert_nonnull (accels);
  g_assert_true (has_accel (accels, GDK_KEY_n, GDK_CONTROL_MASK));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "chooser");

  /* Tab to the "API Key" row, Enter. */
  row = arcpass_test_find_widget (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "api-key");
  g_assert_nonnull (row);
  g_test_message ("%u Tab to the API Key row", tab_to (window, row));
  g_assert_true (gtk_widget_activate (get_focus (window)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "api-key");

  /* The page puts the focus in the key entry: type the key there. */
  page = arcpass_test_find_widget (GTK_WIDGET (window), ARCPASS_TYPE_API_KEY_PAGE, NULL);
  g_assert_nonnull (page);
  key_row = find (page, "key_row");
  arcpass_test_spin (50);
  focus = get_focus (window);
  g_assert_nonnull (focus);
  g_assert_true (focus == key_row || gtk_widget_is_ancestor (focus, key_row));
  g_assert_true (GTK_IS_EDITABLE (focus));
  gtk_editable_set_text (GTK_EDITABLE (focus), ARCPASS_SANDBOX_KEY_FULL);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (key_row)), ==, ARCPASS_SANDBOX_KEY_FULL);

  /* Tab to "Check Key", Enter (GtkButton clicks once its short animation ends). */
  check_button = find (page, "check_button");
  g_test_message ("%u Tab to Check Key", tab_to (window, check_button));
  g_assert_true (gtk_widget_activate (get_focus (window)));

  /* Once the key works, Tab to "Add Account", Enter. */
  add_button = find (page, "add_button");
  g_assert_true (arcpass_test_wait_until (sensitive_cb, add_button, 15000));
  g_test_message ("%u Tab to Add Account", tab_to (window, add_button));
  g_assert_true (gtk_widget_activate (get_focus (window)));

  wait.window = window;
  wait.count = before + 1;
  g_assert_true (arcpass_test_wait_until (account_count_cb, &wait, 15000));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "summary");
  arcpass_test_save_screenshot (GTK_WIDGET (window), "keyboard-added");

  /* Escape goes back: the binding exists on the window, and its action leaves
   * the chooser. */
  g_assert_true (has_shortcut (GTK_WIDGET (window), "Escape", "win.go-back"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "chooser");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), !=, "chooser");
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

  g_test_add_func ("/keyboard/add-api-key", test_add_api_key);

  ret = g_test_run ();

  g_clear_object (&app);
  g_clear_object (&sandbox);
  return ret;
}
