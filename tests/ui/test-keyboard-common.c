/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-account-row.h"
#include "arcpass-test-ui-utils.h"
#include "test-keyboard-common.h"

KbdFixture kbd;

/* Tab and the arrow keys between widgets are not narrated key by key. */
static gboolean quiet;

void
kbd_init (int    *argc,
          char ***argv)
{
  g_autoptr(GError) error = NULL;

  gtk_test_init (argc, argv, NULL);
  adw_init ();
  /* Pages and popovers appear at once; focus moves do not wait on them. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  kbd.sandbox = arcpass_sandbox_new ();
  g_assert_true (arcpass_sandbox_start (kbd.sandbox, 0, &error));
  g_assert_no_error (error);

  kbd.app = arcpass_application_new ();
  g_application_set_flags (G_APPLICATION (kbd.app), G_APPLICATION_NON_UNIQUE);
  arcpass_application_set_sandbox_url (kbd.app, arcpass_sandbox_get_url (kbd.sandbox));
  g_application_register (G_APPLICATION (kbd.app), NULL, &error);
  g_assert_no_error (error);
}

void
kbd_shutdown (void)
{
  g_clear_object (&kbd.app);
  arcpass_sandbox_stop (kbd.sandbox);
  g_clear_object (&kbd.sandbox);
}

static const char *
describe (GtkWidget *widget)
{
  static char text[256];
  const char *id;

  if (!widget)
    return "(none)";

  id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget));
  g_snprintf (text, sizeof text, "%s %s %p", G_OBJECT_TYPE_NAME (widget),
              id ? id : gtk_widget_get_name (widget), widget);
  return text;
}

static gboolean
accounts_loaded_cb (gpointer data)
{
  return arcpass_window_get_accounts_loaded (data);
}

ArcpassWindow *
kbd_open_window (void)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (kbd.app));
  window = gtk_application_get_active_window (GTK_APPLICATION (kbd.app));
  g_assert_true (ARCPASS_IS_WINDOW (window));
  arcpass_test_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (arcpass_test_wait_until (accounts_loaded_cb, window, 20000));
  return ARCPASS_WINDOW (window);
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

static void
save_credential (ArcpassCredential *credential)
{
  g_autoptr(GError) done = NULL;

  arcpass_account_store_save_async (arcpass_application_get_account_store (kbd.app), credential,
                                    NULL, save_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_error_matches (done, G_IO_ERROR, G_IO_ERROR_EXISTS));
}

void
kbd_save_api_key_account (void)
{
  g_autoptr(ArcpassCredential) credential = NULL;

  arcpass_sign_in_with_api_key_async (arcpass_application_get_client (kbd.app),
                                      arcpass_sandbox_get_url (kbd.sandbox),
                                      ARCPASS_SANDBOX_KEY_FULL, NULL, sign_in_cb, &credential);
  while (!credential)
    g_main_context_iteration (NULL, TRUE);
  save_credential (credential);
}

void
kbd_save_app_credentials_account (void)
{
  g_autoptr(ArcpassCredential) credential = NULL;

  arcpass_sign_in_with_app_credentials_async (arcpass_application_get_client (kbd.app),
                                              arcpass_sandbox_get_url (kbd.sandbox),
                                              ARCPASS_SANDBOX_CLIENT_ID,
                                              ARCPASS_SANDBOX_CLIENT_SECRET,
                                              NULL, sign_in_cb, &credential);
  while (!credential)
    g_main_context_iteration (NULL, TRUE);
  save_credential (credential);
}

GtkWidget *
kbd_find_type (gpointer    root,
               GType       type,
               const char *name)
{
  GtkWidget *widget = arcpass_test_find_widget (GTK_WIDGET (root), type, name);

  if (!widget)
    g_error ("No %s named %s", g_type_name (type), name ? name : "(any)");
  return widget;
}

GtkWidget *
kbd_find (gpointer    root,
          const char *name)
{
  return kbd_find_type (root, GTK_TYPE_WIDGET, name);
}

static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_str_equal (gtk_label_get_text (GTK_LABEL (widget)), text))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found)
        return found;
    }

  return NULL;
}

static void
list_labels (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget))
    g_test_message ("  label: %s", gtk_label_get_text (GTK_LABEL (widget)));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child;
       child = gtk_widget_get_next_sibling (child))
    list_labels (child);
}

GtkWidget *
kbd_find_labelled (gpointer    root,
                   const char *text)
{
  GtkWidget *label = find_label (GTK_WIDGET (root), text);

  if (!label)
    {
      list_labels (GTK_WIDGET (root));
      g_error ("No label reads %s", text);
    }
  for (GtkWidget *widget = label; widget; widget = gtk_widget_get_parent (widget))
    if (gtk_widget_get_focusable (widget))
      {
        g_test_message ("%s is shown by %s", text, describe (widget));
        return widget;
      }

  g_error ("Nothing focusable shows %s", text);
  return NULL;
}

GtkWidget *
kbd_focus (GtkWindow *window)
{
  return gtk_root_get_focus (GTK_ROOT (window));
}

gboolean
kbd_focus_in (GtkWindow *window,
              GtkWidget *target)
{
  GtkWidget *focus = kbd_focus (window);

  return focus && (focus == target || gtk_widget_is_ancestor (focus, target));
}

void
kbd_move (GtkWindow        *window,
          GtkDirectionType  direction)
{
  static const char *keys[] = {
    [GTK_DIR_TAB_FORWARD] = "Tab",
    [GTK_DIR_TAB_BACKWARD] = "<Shift>Tab",
    [GTK_DIR_UP] = "Up",
    [GTK_DIR_DOWN] = "Down",
    [GTK_DIR_LEFT] = "Left",
    [GTK_DIR_RIGHT] = "Right",
  };

  /* Through the key bindings, like any key: GtkWindow's (and GtkPopover's)
   * move the focus with gtk_widget_child_focus(), and wrap around at the end
   * of the chain; a widget on the way may handle the key first. */
  quiet = !g_getenv ("KBD_VERBOSE");
  kbd_press (window, keys[direction]);
  quiet = FALSE;
  /* Let focus-in handlers and any scrolling run, as between key presses. */
  arcpass_test_spin (10);
}

guint
kbd_move_to (GtkWindow        *window,
             GtkWidget        *target,
             GtkDirectionType  direction)
{
  GtkWidget *alive = target;
  char *name = g_strdup (describe (target));

  /* A key on the way may rebuild the page, and the target with it. */
  g_object_add_weak_pointer (G_OBJECT (target), (gpointer *) &alive);
  for (guint i = 0; i < KBD_MAX_TABS && alive; i++)
    {
      if (kbd_focus_in (window, target))
        {
          g_object_remove_weak_pointer (G_OBJECT (target), (gpointer *) &alive);
          g_free (name);
          return i;
        }
      g_test_message ("key %u: %s", i, describe (kbd_focus (window)));
      kbd_move (window, direction);
    }

  if (!alive)
    g_error ("%s was destroyed while the keyboard moved towards it", name);
  g_error ("The keyboard never reached %s", name);
  return KBD_MAX_TABS;
}

static void
clicked_cb (GtkButton *button,
            gboolean  *clicked)
{
  *clicked = TRUE;
}

static gboolean
flag_set_cb (gpointer data)
{
  return *(gboolean *) data;
}

void
kbd_activate (GtkWindow *window)
{
  GtkWidget *focus = kbd_focus (window);
  gboolean clicked = FALSE;
  gulong handler = 0;

  g_assert_nonnull (focus);
  /* In an entry, Enter is a key binding of GtkText ("activate"). */
  if (GTK_IS_TEXT (focus))
    {
      g_assert_true (kbd_press (window, "Return"));
      return;
    }
  g_test_message ("Enter on %s", describe (focus));
  g_object_ref (focus);
  /* A GtkButton shows itself pressed for a moment and clicks at the end of
   * it, as for a key press and release. */
  if (GTK_IS_BUTTON (focus))
    handler = g_signal_connect (focus, "clicked", G_CALLBACK (clicked_cb), &clicked);
  g_assert_true (gtk_widget_activate (focus));
  if (handler)
    {
      g_assert_true (arcpass_test_wait_until (flag_set_cb, &clicked, 2000));
      g_signal_handler_disconnect (focus, handler);
    }
  g_object_unref (focus);
  arcpass_test_spin (10);
}

void
kbd_type (GtkWindow  *window,
          const char *text)
{
  GtkWidget *focus = kbd_focus (window);

  g_assert_nonnull (focus);
  if (!GTK_IS_EDITABLE (focus))
    g_error ("Typing into %s, which is not editable", describe (focus));
  gtk_editable_set_text (GTK_EDITABLE (focus), text);
  gtk_editable_set_position (GTK_EDITABLE (focus), -1);
  arcpass_test_spin (10);
}

/* ---- Key dispatch --------------------------------------------------------- */

static gboolean
trigger_matches (GtkShortcutTrigger *trigger,
                 guint               keyval,
                 GdkModifierType     mods)
{
  if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
    return trigger_matches (gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger)),
                            keyval, mods) ||
           trigger_matches (gtk_alternative_trigger_get_second (GTK_ALTERNATIVE_TRIGGER (trigger)),
                            keyval, mods);

  if (GTK_IS_KEYVAL_TRIGGER (trigger))
    return gdk_keyval_to_lower (gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger))) ==
             gdk_keyval_to_lower (keyval) &&
           gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == mods;

  return FALSE;
}

static gboolean
run_shortcuts (GtkShortcutController *controller,
               GtkWidget             *widget,
               guint                  keyval,
               GdkModifierType        mods)
{
  GListModel *model = G_LIST_MODEL (controller);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (model, i);
      char *action;

      if (!trigger_matches (gtk_shortcut_get_trigger (shortcut), keyval, mods))
        continue;

      /* Said before, as the action may close the window. */
      action = gtk_shortcut_action_to_string (gtk_shortcut_get_action (shortcut));
      if (!quiet)
        g_test_message ("  to %s: %s", describe (widget), action);
      g_clear_pointer (&action, g_free);
      if (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                        GTK_SHORTCUT_ACTION_EXCLUSIVE, widget,
                                        gtk_shortcut_get_arguments (shortcut)))
        return TRUE;
      if (!quiet)
        g_test_message ("  (not handled)");
    }

  return FALSE;
}

static gboolean
run_controller (GtkEventController *controller,
                GtkWidget          *widget,
                guint               keyval,
                GdkModifierType     mods)
{
  gboolean handled = FALSE;

  if (GTK_IS_SHORTCUT_CONTROLLER (controller))
    return run_shortcuts (GTK_SHORTCUT_CONTROLLER (controller), widget, keyval, mods);

  /* Key controllers that read only the key. GtkText's and GtkWindow's own
   * ones read the current GdkEvent (input methods, mnemonics), which an
   * emulated press does not have, and so does WebKit's, which sends it to
   * the web process (test-keyboard-oauth.c sends real keys there). */
  if (GTK_IS_EVENT_CONTROLLER_KEY (controller) &&
      !GTK_IS_TEXT (widget) && !GTK_IS_TEXT_VIEW (widget) && !GTK_IS_WINDOW (widget) &&
      !g_str_has_prefix (G_OBJECT_TYPE_NAME (widget), "WebKit"))
    {
      if (!quiet)
        g_test_message ("  to a key controller of %s", describe (widget));
      g_signal_emit_by_name (controller, "key-pressed", keyval, 0, mods, &handled);
    }

  return handled;
}

static gboolean
run_phase (GtkWidget           *widget,
           GtkPropagationPhase  phase,
           guint                keyval,
           GdkModifierType      mods)
{
  g_autoptr(GListModel) controllers = NULL;

  if (!gtk_widget_is_sensitive (widget))
    return FALSE;

  controllers = gtk_widget_observe_controllers (widget);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (gtk_event_controller_get_propagation_phase (controller) != phase)
        continue;
      if (GTK_IS_SHORTCUT_CONTROLLER (controller) &&
          gtk_shortcut_controller_get_scope (GTK_SHORTCUT_CONTROLLER (controller)) !=
            GTK_SHORTCUT_SCOPE_LOCAL && widget != GTK_WIDGET (gtk_widget_get_root (widget)))
        continue;
      if (run_controller (controller, widget, keyval, mods))
        return TRUE;
    }

  return FALSE;
}

/* Managed and global shortcuts (a primary menu button's F10, for one) are
 * run by the root, whichever widget has the focus. */
static gboolean
run_managed (GtkWidget       *widget,
             guint            keyval,
             GdkModifierType  mods)
{
  g_autoptr(GListModel) controllers = NULL;

  if (!gtk_widget_get_mapped (widget) || !gtk_widget_is_sensitive (widget))
    return FALSE;

  controllers = gtk_widget_observe_controllers (widget);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_SHORTCUT_CONTROLLER (controller) &&
          gtk_shortcut_controller_get_scope (GTK_SHORTCUT_CONTROLLER (controller)) !=
            GTK_SHORTCUT_SCOPE_LOCAL &&
          widget != GTK_WIDGET (gtk_widget_get_root (widget)) &&
          run_shortcuts (GTK_SHORTCUT_CONTROLLER (controller), widget, keyval, mods))
        return TRUE;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child;
       child = gtk_widget_get_next_sibling (child))
    if (run_managed (child, keyval, mods))
      return TRUE;

  return FALSE;
}

gboolean
kbd_press (GtkWindow  *window,
           const char *accelerator)
{
  GtkWidget *target = kbd_focus (window);
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  guint keyval = 0;
  GdkModifierType mods = 0;
  gboolean handled = FALSE;

  g_assert_true (gtk_accelerator_parse (accelerator, &keyval, &mods));
  if (!quiet)
    g_test_message ("%s on %s", accelerator, describe (target));

  /* Key events go to the focus widget, or to the window without one; a
   * popover's content leads up through the popover to its parent. */
  for (GtkWidget *widget = target ? target : GTK_WIDGET (window);
       widget;
       widget = gtk_widget_get_parent (widget))
    g_ptr_array_add (chain, widget);

  for (guint i = chain->len; i > 0 && !handled; i--)
    handled = run_phase (chain->pdata[i - 1], GTK_PHASE_CAPTURE, keyval, mods);
  if (!handled)
    handled = run_phase (chain->pdata[0], GTK_PHASE_TARGET, keyval, mods);
  for (guint i = 0; i < chain->len && !handled; i++)
    handled = run_phase (chain->pdata[i], GTK_PHASE_BUBBLE, keyval, mods);
  if (!handled)
    handled = run_managed (GTK_WIDGET (window), keyval, mods);

  arcpass_test_spin (20);
  return handled;
}

void
kbd_choose_menu_item (GtkWindow  *window,
                      GtkWidget  *menu_button,
                      const char *item)
{
  GtkWidget *popover;
  GtkWidget *target;

  g_test_message ("%u Tab to the menu button", kbd_move_to (window, menu_button,
                                                            GTK_DIR_TAB_FORWARD));
  kbd_activate (window);
  popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button)));
  g_assert_nonnull (popover);
  g_assert_true (gtk_widget_get_visible (popover));
  /* Shown, as the user would see it before pressing a key. */
  arcpass_test_wait_for_draw (popover);
  /* GTK puts the focus in the menu; if not, Down would. */
  if (!kbd_focus_in (window, popover))
    g_assert_true (kbd_press (window, "Down"));
  g_assert_true (kbd_focus_in (window, popover));

  target = kbd_find_labelled (popover, item);
  g_test_message ("%u Down to %s", kbd_move_to (window, target, GTK_DIR_DOWN), item);
  kbd_activate (window);
  g_assert_false (gtk_widget_get_visible (popover));
  /* The focus goes back to the button that opened the menu (if it is still
   * shown). */
  g_assert_true (kbd_wait_menu_closed (window, menu_button));
}

gboolean
kbd_escape_until (GtkWindow  *window,
                  gboolean  (*condition) (gpointer data),
                  gpointer    data)
{
  for (guint i = 0; i < 30; i++)
    {
      if (condition (data))
        return TRUE;
      g_assert_true (kbd_press (window, "Escape"));
    }

  return condition (data);
}

/* ---- Waiting --------------------------------------------------------------- */

typedef struct {
  GtkWindow  *window;
  GtkWidget  *widget;
  GType       type;
  GtkWindow  *except;
  GtkWindow  *found;
  const char *name;
  guint       count;
} Wait;

static gboolean
focus_in_cb (gpointer data)
{
  Wait *wait = data;

  return kbd_focus_in (wait->window, wait->widget);
}

typedef struct {
  GtkWindow *window;
  GtkWidget *button;
  GtkWidget *popover;
} MenuWait;

static gboolean
menu_closed_cb (gpointer data)
{
  MenuWait *wait = data;

  /* An item may take the user elsewhere, and the button with it. */
  if (!gtk_widget_get_mapped (wait->button))
    return !gtk_widget_get_visible (wait->popover);

  return !gtk_widget_get_visible (wait->popover) &&
         kbd_focus_in (wait->window, wait->button) &&
         !kbd_focus_in (wait->window, wait->popover);
}

gboolean
kbd_wait_menu_closed (GtkWindow *window,
                      GtkWidget *menu_button)
{
  MenuWait wait = { window, menu_button, NULL };

  if (GTK_IS_MENU_BUTTON (menu_button))
    wait.popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button)));
  g_assert_nonnull (wait.popover);
  return arcpass_test_wait_until (menu_closed_cb, &wait, 2000);
}

gboolean
kbd_wait_focus_in (GtkWindow *window,
                   GtkWidget *target,
                   guint      timeout_ms)
{
  Wait wait = { .window = window, .widget = target };

  return arcpass_test_wait_until (focus_in_cb, &wait, timeout_ms);
}

static gboolean
window_shown_cb (gpointer data)
{
  Wait *wait = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (window != wait->except && g_type_is_a (G_OBJECT_TYPE (window), wait->type) &&
          gtk_widget_get_mapped (GTK_WIDGET (window)))
        {
          wait->found = window;
          return TRUE;
        }
    }

  return FALSE;
}

GtkWindow *
kbd_wait_window (GType      type,
                 GtkWindow *except,
                 guint      timeout_ms)
{
  Wait wait = { .type = type, .except = except };

  if (!arcpass_test_wait_until (window_shown_cb, &wait, timeout_ms))
    return NULL;
  /* Let it settle its initial focus. */
  arcpass_test_spin (100);
  return wait.found;
}

guint
kbd_count_accounts (ArcpassWindow *window)
{
  GtkWidget *list = kbd_find (window, "account_list");
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child;
       child = gtk_widget_get_next_sibling (child))
    if (ARCPASS_IS_ACCOUNT_ROW (child))
      n++;

  return n;
}

static gboolean
account_count_cb (gpointer data)
{
  Wait *wait = data;

  return kbd_count_accounts (ARCPASS_WINDOW (wait->window)) == wait->count;
}

gboolean
kbd_wait_accounts (ArcpassWindow *window,
                   guint          count,
                   guint          timeout_ms)
{
  Wait wait = { .window = GTK_WINDOW (window), .count = count };

  return arcpass_test_wait_until (account_count_cb, &wait, timeout_ms);
}

static gboolean
sensitive_cb (gpointer data)
{
  return gtk_widget_is_sensitive (data);
}

gboolean
kbd_wait_sensitive (GtkWidget *widget,
                    guint      timeout_ms)
{
  return arcpass_test_wait_until (sensitive_cb, widget, timeout_ms);
}

static gboolean
visible_page_cb (gpointer data)
{
  Wait *wait = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (wait->widget)), wait->name) == 0;
}

gboolean
kbd_wait_visible_page (GtkStack   *stack,
                       const char *name,
                       guint       timeout_ms)
{
  Wait wait = { .widget = GTK_WIDGET (stack), .name = name };

  return arcpass_test_wait_until (visible_page_cb, &wait, timeout_ms);
}

static void
read_text_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  if (!*text)
    *text = g_strdup ("");
}

char *
kbd_read_clipboard (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, read_text_cb, &text);
  while (!text)
    g_main_context_iteration (NULL, TRUE);
  return text;
}
