/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-account-row.h"
#include "arcpass-account-page.h"
#include "arcpass-add-account-page.h"
#include "arcpass-api-key-page.h"
#include "arcpass-app-credentials-page.h"
#include "arcpass-browser-page.h"
#include "arcpass-enterprise-page.h"
#include "arcpass-sandbox.h"
#include "arcpass-ui-utils.h"
#include "arcpass-webview-loader.h"
#include "arcpass-window.h"

struct _ArcpassWindow
{
  AdwApplicationWindow       parent_instance;

  GSettings                 *settings;
  ArcpassClient             *client;
  GCancellable              *cancellable;
  gboolean                   accounts_loaded;
  gboolean                   no_keyring;
  /* Why the saved accounts could not be read (a locked keyring…), shown
   * in the sidebar until they are read; NULL otherwise. */
  char                      *accounts_error;

  /* The sign-in pages, created with the window. The two OAuth pages are
   * created for each attempt (they hold a web view or a loopback server). */
  ArcpassApiKeyPage         *api_key_page;
  ArcpassAppCredentialsPage *app_credentials_page;
  ArcpassEnterprisePage     *enterprise_page;
  GtkWidget                 *oauth_page;
  /* The account "Sign In Again" renews, while its page is open. */
  char                      *sign_in_again_id;

  /* Template widgets */
  AdwToastOverlay           *toast_overlay;
  GtkLabel                  *announce_label;
  AdwLeaflet                *leaflet;
  AdwWindowTitle            *sidebar_title;
  GtkListBox                *account_list;
  GtkListBox                *notice_list;
  AdwActionRow              *sandbox_row;
  AdwActionRow              *keyring_row;
  AdwActionRow              *accounts_error_row;
  GtkWidget                 *memory_only_button_row;
  AdwActionRow              *memory_only_row;
  GtkBox                    *content;
  AdwWindowTitle            *content_title;
  GtkButton                 *back_button;
  GtkStack                  *content_stack;
  AdwStatusPage             *empty_page;
  ArcpassAddAccountPage     *chooser_page;
  ArcpassAccountPage        *summary_page;
};

G_DEFINE_FINAL_TYPE (ArcpassWindow, arcpass_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_ACCOUNTS_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static ArcpassApplication *
get_app (ArcpassWindow *self)
{
  return ARCPASS_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static ArcpassAccountStore *
get_store (ArcpassWindow *self)
{
  return arcpass_application_get_account_store (get_app (self));
}

static void
restore_window_state (ArcpassWindow *self)
{
  int width = g_settings_get_int (self->settings, "window-width");
  int height = g_settings_get_int (self->settings, "window-height");

  gtk_window_set_default_size (GTK_WINDOW (self), MAX (width, 360), MAX (height, 294));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_window_state (ArcpassWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static const char *
visible_page (ArcpassWindow *self)
{
  return gtk_stack_get_visible_child_name (self->content_stack);
}

static gboolean
on_sign_in_page (ArcpassWindow *self)
{
  const char *page = visible_page (self);

  return g_strcmp0 (page, "empty") != 0 &&
         g_strcmp0 (page, "summary") != 0 &&
         g_strcmp0 (page, "chooser") != 0;
}

static gboolean
showing_content (ArcpassWindow *self)
{
  return g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "content") == 0;
}

static gboolean
can_go_back (ArcpassWindow *self)
{
  if (on_sign_in_page (self))
    return TRUE;
  if (g_strcmp0 (visible_page (self), "chooser") == 0)
    return TRUE;

  return adw_leaflet_get_folded (self->leaflet) && showing_content (self);
}

static void
update_title (ArcpassWindow *self)
{
  GtkWidget *child = gtk_stack_get_visible_child (self->content_stack);
  GtkStackPage *page = gtk_stack_get_page (self->content_stack, child);
  ArcpassTokenManager *manager;
  g_autofree char *account_title = NULL;

  if (g_strcmp0 (visible_page (self), "summary") == 0 &&
      (manager = arcpass_account_page_get_manager (self->summary_page)))
    {
      account_title = arcpass_ui_dup_account_title (arcpass_token_manager_get_credential (manager));
      adw_window_title_set_title (self->content_title, account_title);
    }
  else
    {
      adw_window_title_set_title (self->content_title, gtk_stack_page_get_title (page));
    }
}

static void
navigation_changed_cb (ArcpassWindow *self)
{
  gboolean back = can_go_back (self);

  gtk_widget_set_visible (GTK_WIDGET (self->back_button), back);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.go-back", back);
  update_title (self);
}

static void
show_content_page (ArcpassWindow *self,
                   const char    *name)
{
  GtkWidget *child;

  gtk_stack_set_visible_child_name (self->content_stack, name);
  adw_leaflet_set_visible_child_name (self->leaflet, "content");

  /* Keyboard users continue where the page starts, not on the button that
   * brought them here. */
  child = gtk_stack_get_visible_child (self->content_stack);
  if (!g_str_equal (name, "empty") && !g_str_equal (name, "summary") &&
      !gtk_widget_grab_focus (child))
    gtk_widget_child_focus (child, GTK_DIR_TAB_FORWARD);

  navigation_changed_cb (self);
}

static ArcpassAccountRow *
selected_row (ArcpassWindow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->account_list);

  return row ? ARCPASS_ACCOUNT_ROW (row) : NULL;
}

/* The page under the flows: the selected account, or the empty state. */
static void
show_base_page (ArcpassWindow *self)
{
  ArcpassAccountRow *row = selected_row (self);

  if (row)
    {
      arcpass_account_page_set_manager (self->summary_page, arcpass_account_row_get_manager (row));
      gtk_stack_set_visible_child_name (self->content_stack, "summary");
    }
  else
    {
      arcpass_account_page_set_manager (self->summary_page, NULL);
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
    }
  navigation_changed_cb (self);
}

/* The focus goes to the row of the account that was shown, where Enter
 * shows it again, rather than to the list itself. */
static void
focus_account_list (ArcpassWindow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->account_list);

  if (!row)
    row = gtk_list_box_get_row_at_index (self->account_list, 0);
  if (!row || !gtk_widget_grab_focus (GTK_WIDGET (row)))
    gtk_widget_grab_focus (GTK_WIDGET (self->account_list));
}

static void
go_back_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ArcpassWindow *self = ARCPASS_WINDOW (widget);

  if (on_sign_in_page (self))
    {
      gtk_stack_set_visible_child_name (self->content_stack, "chooser");
      gtk_widget_grab_focus (GTK_WIDGET (self->chooser_page));
      navigation_changed_cb (self);
      return;
    }

  if (g_strcmp0 (visible_page (self), "chooser") == 0 && !adw_leaflet_get_folded (self->leaflet))
    {
      show_base_page (self);
      return;
    }

  if (adw_leaflet_get_folded (self->leaflet) && showing_content (self))
    {
      if (g_strcmp0 (visible_page (self), "chooser") == 0)
        show_base_page (self);
      adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
      focus_account_list (self);
    }
}

static void
add_account_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ArcpassWindow *self = ARCPASS_WINDOW (widget);

  show_content_page (self, "chooser");
}

static void
update_notices (ArcpassWindow *self)
{
  gboolean memory_only = arcpass_account_store_is_memory_only (get_store (self));
  gboolean sandbox = arcpass_application_get_sandbox_url (get_app (self)) != NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->keyring_row), self->no_keyring && !memory_only);
  gtk_widget_set_visible (self->memory_only_button_row, self->no_keyring && !memory_only);
  gtk_widget_set_visible (GTK_WIDGET (self->memory_only_row), memory_only);
  gtk_widget_set_visible (GTK_WIDGET (self->sandbox_row), sandbox);
  if (self->accounts_error)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->accounts_error_row),
                                   self->accounts_error);
  gtk_widget_set_visible (GTK_WIDGET (self->accounts_error_row), self->accounts_error != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->notice_list),
                          sandbox || memory_only || self->no_keyring || self->accounts_error);
}

static void
use_memory_only_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ArcpassWindow *self = ARCPASS_WINDOW (widget);

  arcpass_application_use_memory_only_store (get_app (self));
  arcpass_account_page_set_store (self->summary_page, get_store (self));
  update_notices (self);
  arcpass_window_add_toast (self, adw_toast_new (_("Memory-only session: accounts will be forgotten when Arcpass quits")));
}

/* Checks, without bothering the user, that a restored account still works
 * (see arcpass_ui_check_account_async()): the account view shows what the
 * check found. */
static void
check_account (ArcpassWindow       *self,
               ArcpassTokenManager *manager)
{
  arcpass_ui_check_account_async (manager, self->cancellable, NULL, NULL);
}

/* An ArcGIS Enterprise portal names its own location services
 * (helperServices): the testers use them once the portal has said which. */
static void
portal_discovered_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(ArcpassTokenManager) manager = user_data;
  g_autoptr(ArcpassPortalInfo) info = NULL;
  g_autoptr(ArcpassEndpoints) endpoints = NULL;
  g_autoptr(GError) error = NULL;

  info = arcpass_portal_discover_finish (result, &error);
  if (info == NULL)
    {
      /* Offline, say: the defaults stay, and the account view explains
       * the failures of what the user tries. */
      g_debug ("Location services of %s not discovered: %s",
               arcpass_credential_get_portal_url (arcpass_token_manager_get_credential (manager)),
               error->message);
      return;
    }

  endpoints = arcpass_endpoints_new_for_portal (info);
  arcpass_token_manager_set_endpoints (manager, endpoints);
}

static ArcpassAccountRow *
add_account_row (ArcpassWindow     *self,
                 ArcpassCredential *credential)
{
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(ArcpassEndpoints) endpoints = NULL;
  const char *portal_url = arcpass_credential_get_portal_url (credential);
  const char *sandbox_url = arcpass_application_get_sandbox_url (get_app (self));
  ArcpassAccountRow *row;

  manager = arcpass_token_manager_new (self->client, credential, get_store (self));
  endpoints = arcpass_application_dup_endpoints (get_app (self), portal_url);
  arcpass_token_manager_set_endpoints (manager, endpoints);
  arcpass_token_manager_set_refresh_margin (manager,
                                            g_settings_get_uint (self->settings, "refresh-margin"));
  if (portal_url != NULL && !arcpass_portal_url_is_online (portal_url) &&
      !(sandbox_url != NULL && g_str_has_prefix (portal_url, sandbox_url)))
    arcpass_portal_discover_async (self->client, portal_url, self->cancellable,
                                   portal_discovered_cb, g_object_ref (manager));

  row = arcpass_account_row_new (manager);
  gtk_list_box_append (self->account_list, GTK_WIDGET (row));

  return row;
}

/* A sandbox listens wherever it can, so an account saved against an
 * earlier sandbox (any loopback portal) is moved to the one in use, as the
 * command line does. Its fixture API keys work in every sandbox; OAuth tokens
 * do not, and such accounts will say "sign-in required". */
static void
rebind_to_sandbox (ArcpassWindow     *self,
                   ArcpassCredential *credential)
{
  const char *sandbox_url = arcpass_application_get_sandbox_url (get_app (self));
  const char *portal_url = arcpass_credential_get_portal_url (credential);
  g_autoptr(GUri) uri = NULL;

  if (!sandbox_url || !portal_url || g_str_has_prefix (portal_url, sandbox_url))
    return;

  uri = g_uri_parse (portal_url, G_URI_FLAGS_NONE, NULL);
  /* Only accounts of the Online-like sandbox portal (no web adaptor path),
   * as the command line does: the sandbox's Enterprise portals
   * (http://127.0.0.5:PORT/portal) are portals of their own. */
  if (uri && g_uri_get_host (uri) && arcpass_host_is_loopback (g_uri_get_host (uri)) &&
      (g_uri_get_path (uri)[0] == '\0' || g_str_equal (g_uri_get_path (uri), "/")))
    arcpass_credential_set_portal_url (credential, sandbox_url);
}

static void
set_accounts_loaded (ArcpassWindow *self)
{
  self->accounts_loaded = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNTS_LOADED]);
}

/* The sidebar row of the account with this id, or NULL. */
static GtkWidget *
find_account_row (ArcpassWindow *self,
                  const char    *id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->account_list));
       child;
       child = gtk_widget_get_next_sibling (child))
    {
      ArcpassTokenManager *manager;

      if (!ARCPASS_IS_ACCOUNT_ROW (child))
        continue;
      manager = arcpass_account_row_get_manager (ARCPASS_ACCOUNT_ROW (child));
      if (g_strcmp0 (arcpass_credential_get_id (arcpass_token_manager_get_credential (manager)), id) == 0)
        return child;
    }

  return NULL;
}

static void
list_accounts_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ArcpassWindow) self = user_data;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  GtkListBoxRow *first;

  accounts = arcpass_account_store_list_finish (ARCPASS_ACCOUNT_STORE (source), result, &error);
  if (arcpass_ui_error_is_cancelled (error))
    return;

  if (!accounts)
    {
      if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_NO_SECRET_SERVICE))
        {
          self->no_keyring = TRUE;
          update_notices (self);
        }
      else
        {
          /* Not a toast, which goes away: the accounts are missing until
           * the keyring is read, and the row says so, with Try Again. */
          g_free (self->accounts_error);
          /* Translators: %s says why the keyring could not be read. */
          self->accounts_error = g_strdup_printf (_("Saved accounts could not be read: %s"),
                                                  error->message);
          update_notices (self);
          arcpass_ui_announce (self->announce_label, self->accounts_error);
        }
      set_accounts_loaded (self);
      return;
    }

  g_clear_pointer (&self->accounts_error, g_free);
  update_notices (self);

  for (guint i = 0; i < accounts->len; i++)
    {
      ArcpassCredential *credential = g_ptr_array_index (accounts, i);
      ArcpassAccountRow *row;

      if (find_account_row (self, arcpass_credential_get_id (credential)) != NULL)
        continue;
      rebind_to_sandbox (self, credential);
      row = add_account_row (self, credential);

      arcpass_credential_update_state (credential, arcpass_client_get_now (self->client));
      check_account (self, arcpass_account_row_get_manager (row));
    }

  /* On a wide window, show the first account rather than an empty pane. */
  first = gtk_list_box_get_row_at_index (self->account_list, 0);
  if (first && !on_sign_in_page (self) && g_strcmp0 (visible_page (self), "chooser") != 0)
    gtk_list_box_select_row (self->account_list, first);

  set_accounts_loaded (self);
}

static void
load_accounts (ArcpassWindow *self)
{
  arcpass_account_store_list_async (get_store (self), self->cancellable,
                                    list_accounts_cb, g_object_ref (self));
}

static void
reload_accounts_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  load_accounts (ARCPASS_WINDOW (widget));
}

static void
account_selected_cb (ArcpassWindow *self,
                     GtkListBoxRow *row)
{
  if (!row)
    return;

  arcpass_account_page_set_manager (self->summary_page,
                                       arcpass_account_row_get_manager (ARCPASS_ACCOUNT_ROW (row)));
  gtk_stack_set_visible_child_name (self->content_stack, "summary");
  navigation_changed_cb (self);
}

/* GTK 4.8's list box moves Tab from row to row, and a row that gets the
 * focus is selected: Tab out of the sidebar would show each account on the
 * way and leave the last one shown. Tab and Shift+Tab leave the list
 * instead, as in later GTK; the arrow keys move between accounts. */
static gboolean
account_list_tab_cb (GtkWidget *list,
                     GVariant  *args,
                     gpointer   user_data)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (list));
  GtkDirectionType direction = g_variant_get_int32 (args);
  gboolean moved;

  gtk_widget_set_can_focus (list, FALSE);
  moved = gtk_widget_child_focus (root, direction);
  if (!moved && GTK_IS_WINDOW (root))
    {
      /* Wrap around, as GtkWindow does at the end of the chain. */
      gtk_window_set_focus (GTK_WINDOW (root), NULL);
      gtk_widget_child_focus (root, direction);
    }
  gtk_widget_set_can_focus (list, TRUE);

  return TRUE;
}

static void
add_tab_shortcuts (GtkWidget *list)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  static const guint keys[] = { GDK_KEY_Tab, GDK_KEY_KP_Tab };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
        gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (keys[i], 0),
                                         gtk_callback_action_new (account_list_tab_cb, NULL, NULL),
                                         "i", GTK_DIR_TAB_FORWARD));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
        gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (keys[i], GDK_SHIFT_MASK),
                                         gtk_callback_action_new (account_list_tab_cb, NULL, NULL),
                                         "i", GTK_DIR_TAB_BACKWARD));
    }
  gtk_widget_add_controller (list, controller);
}

static void
account_activated_cb (ArcpassWindow *self,
                      GtkListBoxRow *row)
{
  gtk_list_box_select_row (self->account_list, row);
  account_selected_cb (self, row);
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
  navigation_changed_cb (self);

  /* Folded, the row that had the focus is now hidden: keyboard users
   * continue in the account, as on the other pages. */
  if (adw_leaflet_get_folded (self->leaflet))
    gtk_widget_child_focus (GTK_WIDGET (self->summary_page), GTK_DIR_TAB_FORWARD);
}

static void
show_sign_in_error (ArcpassWindow *self,
                    GtkWidget     *page,
                    const char    *message)
{
  /* The flows of this window show it where the user is looking; the OAuth
   * pages have no such place, so a toast is what they get. */
  if (ARCPASS_IS_API_KEY_PAGE (page))
    arcpass_api_key_page_show_error (ARCPASS_API_KEY_PAGE (page), message);
  else if (ARCPASS_IS_APP_CREDENTIALS_PAGE (page))
    arcpass_app_credentials_page_show_error (ARCPASS_APP_CREDENTIALS_PAGE (page), message);
  else if (ARCPASS_IS_ENTERPRISE_PAGE (page))
    arcpass_enterprise_page_show_error (ARCPASS_ENTERPRISE_PAGE (page), message);
  else
    arcpass_window_add_toast (self, adw_toast_new (message));
}

typedef struct {
  ArcpassWindow     *window;
  GtkWidget         *page;
  ArcpassCredential *credential;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->window);
  g_clear_object (&data->page);
  g_clear_object (&data->credential);
  g_free (data);
}

static void
save_account_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SaveData *data = user_data;
  ArcpassWindow *self = data->window;
  g_autoptr(GError) error = NULL;
  ArcpassAccountRow *row;

  if (!arcpass_account_store_save_finish (ARCPASS_ACCOUNT_STORE (source), result, &error))
    {
      if (!arcpass_ui_error_is_cancelled (error))
        {
          /* Translators: %s says why the account could not be saved. */
          g_autofree char *message = g_strdup_printf (_("The account could not be saved: %s"),
                                                      error->message);

          if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_NO_SECRET_SERVICE))
            {
              self->no_keyring = TRUE;
              update_notices (self);
            }
          show_sign_in_error (self, data->page, message);
        }
      save_data_free (data);
      return;
    }

  /* A renewed account replaces its stale row. */
  {
    GtkWidget *old_row = find_account_row (self, arcpass_credential_get_id (data->credential));

    if (old_row)
      gtk_list_box_remove (self->account_list, old_row);
  }
  row = add_account_row (self, data->credential);
  gtk_list_box_select_row (self->account_list, GTK_LIST_BOX_ROW (row));
  account_selected_cb (self, GTK_LIST_BOX_ROW (row));
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
  navigation_changed_cb (self);

  /* The sign-in page, which had the focus, is gone: the focus goes to the
   * new account, its row when the sidebar is shown, else into it. */
  if (adw_leaflet_get_folded (self->leaflet) || !gtk_widget_grab_focus (GTK_WIDGET (row)))
    gtk_widget_child_focus (GTK_WIDGET (self->summary_page), GTK_DIR_TAB_FORWARD);
  /* GTK 4.8 leaves the hidden sign-in page as the stack's focus child (the
   * focus was in it when it was hidden), and Tab would then never enter the
   * stack again. */
  if (gtk_widget_get_focus_child (GTK_WIDGET (self->content_stack)) !=
      gtk_stack_get_visible_child (self->content_stack))
    gtk_widget_set_focus_child (GTK_WIDGET (self->content_stack), NULL);

  arcpass_window_add_toast (self, adw_toast_new (_("Account added")));
  save_data_free (data);
}

static void
signed_in_cb (GtkWidget         *page,
              ArcpassCredential *credential,
              ArcpassWindow     *self)
{
  SaveData *data = g_new0 (SaveData, 1);
  GtkWidget *old_row = self->sign_in_again_id && page == self->oauth_page
                       ? find_account_row (self, self->sign_in_again_id) : NULL;

  /* Signing in again as the same user renews that account in place (its
   * keyring item and its row), as `arcpass signin` does. */
  if (old_row &&
      g_strcmp0 (arcpass_credential_get_username (
                   arcpass_account_row_get_credential (ARCPASS_ACCOUNT_ROW (old_row))),
                 arcpass_credential_get_username (credential)) == 0)
    arcpass_credential_set_id (credential, self->sign_in_again_id);
  g_clear_pointer (&self->sign_in_again_id, g_free);

  data->window = g_object_ref (self);
  data->page = g_object_ref (page);
  data->credential = g_object_ref (credential);
  arcpass_account_store_save_async (get_store (self), credential, self->cancellable,
                                    save_account_cb, data);
}

static void
sign_in_cancelled_cb (GtkWidget     *page,
                      ArcpassWindow *self)
{
  gtk_stack_set_visible_child_name (self->content_stack, "chooser");
  gtk_widget_grab_focus (GTK_WIDGET (self->chooser_page));
  navigation_changed_cb (self);
}

static void
replace_oauth_page (ArcpassWindow *self,
                    GtkWidget     *page,
                    const char    *name,
                    const char    *title)
{
  GtkStackPage *stack_page;

  if (self->oauth_page)
    gtk_stack_remove (self->content_stack, self->oauth_page);
  self->oauth_page = page;
  g_clear_pointer (&self->sign_in_again_id, g_free);

  stack_page = gtk_stack_add_named (self->content_stack, page, name);
  gtk_stack_page_set_title (stack_page, title);
  g_signal_connect_object (page, "signed-in", G_CALLBACK (signed_in_cb), self, 0);
  g_signal_connect_object (page, "cancelled", G_CALLBACK (sign_in_cancelled_cb), self, 0);
}

static void open_oauth_page (ArcpassWindow *self,
                             gboolean       in_browser,
                             const char    *portal_url);

static void
sign_in_in_browser_cb (AdwToast      *toast,
                       ArcpassWindow *self)
{
  open_oauth_page (self, TRUE, g_object_get_data (G_OBJECT (toast), "portal-url"));
}

/* The embedded sign-in lives in a module loaded on demand (WebKit is not
 * linked into the window, see arcpass-webview-loader.h); a broken or missing
 * installation must leave the other flows usable, and say which one to use. */
static void
show_embedded_unavailable (ArcpassWindow *self,
                           const char    *portal_url,
                           const GError  *error)
{
  g_autofree char *message = NULL;
  AdwToast *toast;

  g_debug ("Embedded sign-in unavailable: %s", error->message);
  message = g_strdup_printf (_("The embedded sign-in is not available: %s; "
                               "use Sign In in Browser"), error->message);
  toast = adw_toast_new (message);
  /* An error the user has to read: it stays until dismissed. */
  adw_toast_set_timeout (toast, 0);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_button_label (toast, _("Sign In in Browser"));
  g_object_set_data_full (G_OBJECT (toast), "portal-url", g_strdup (portal_url), g_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (sign_in_in_browser_cb), self, 0);
  arcpass_window_add_toast (self, toast);
}

static void
open_oauth_page (ArcpassWindow *self,
                 gboolean       in_browser,
                 const char    *portal_url)
{
  const char *sandbox_url = arcpass_application_get_sandbox_url (get_app (self));
  const char *client_id = NULL;

  /* The sandbox's own OAuth app is the one that works with the sandbox portal. */
  if (sandbox_url && (!portal_url || g_str_has_prefix (portal_url, sandbox_url)))
    {
      portal_url = portal_url ? portal_url : sandbox_url;
      client_id = ARCPASS_SANDBOX_CLIENT_ID;
    }

  if (in_browser)
    {
      ArcpassBrowserPage *page = arcpass_browser_page_new (self->client, self->settings);

      arcpass_browser_page_set_defaults (page, portal_url, client_id);
      replace_oauth_page (self, GTK_WIDGET (page), "browser", _("Sign In in Browser"));
      show_content_page (self, "browser");
    }
  else
    {
      g_autoptr(GError) error = NULL;
      GtkWidget *page = arcpass_webview_create_oauth_page (self->client, self->settings, &error);

      if (!page)
        {
          show_embedded_unavailable (self, portal_url, error);
          return;
        }

      arcpass_webview_oauth_page_set_defaults (page, portal_url, client_id);
      replace_oauth_page (self, page, "oauth", _("Sign In"));
      show_content_page (self, "oauth");
    }
}

/* "Sign In Again" of an account that needs it: the same portal, client ID
 * and redirect URI, and its username on the portal's form. A loopback
 * redirect URI means the account signed in in the browser. */
static void
sign_in_again_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ArcpassWindow *self = ARCPASS_WINDOW (widget);
  GtkWidget *row = find_account_row (self, g_variant_get_string (parameter, NULL));
  ArcpassCredential *credential;
  const char *redirect_uri;
  g_autoptr(GError) error = NULL;
  GtkWidget *page;

  if (!row)
    return;
  credential = arcpass_account_row_get_credential (ARCPASS_ACCOUNT_ROW (row));
  redirect_uri = arcpass_credential_get_redirect_uri (credential);

  if (redirect_uri && g_str_has_prefix (redirect_uri, "http://") &&
      arcpass_loopback_redirect_uri_parse (redirect_uri, NULL, NULL, NULL))
    {
      ArcpassBrowserPage *browser = arcpass_browser_page_new (self->client, self->settings);

      arcpass_browser_page_set_defaults (browser, arcpass_credential_get_portal_url (credential),
                                         arcpass_credential_get_client_id (credential));
      arcpass_browser_page_set_username (browser, arcpass_credential_get_username (credential));
      arcpass_browser_page_set_redirect_uri (browser, redirect_uri);
      replace_oauth_page (self, GTK_WIDGET (browser), "browser", _("Sign In in Browser"));
      g_free (self->sign_in_again_id);
      self->sign_in_again_id = g_strdup (arcpass_credential_get_id (credential));
      show_content_page (self, "browser");
      return;
    }

  page = arcpass_webview_create_oauth_page (self->client, self->settings, &error);
  if (!page)
    {
      show_embedded_unavailable (self, arcpass_credential_get_portal_url (credential), error);
      return;
    }
  arcpass_webview_oauth_page_set_defaults (page, arcpass_credential_get_portal_url (credential),
                                           arcpass_credential_get_client_id (credential));
  g_object_set (page,
                "username", arcpass_credential_get_username (credential),
                "redirect-uri", redirect_uri,
                NULL);
  replace_oauth_page (self, page, "oauth", _("Sign In"));
  g_free (self->sign_in_again_id);
  self->sign_in_again_id = g_strdup (arcpass_credential_get_id (credential));
  show_content_page (self, "oauth");
}

static void
oauth_requested_cb (ArcpassWindow *self,
                    const char    *portal_url)
{
  open_oauth_page (self, FALSE, portal_url);
}

static void
flow_chosen_cb (ArcpassWindow *self,
                const char    *flow)
{
  if (g_str_equal (flow, "oauth"))
    {
      open_oauth_page (self, FALSE, NULL);
    }
  else if (g_str_equal (flow, "browser"))
    {
      open_oauth_page (self, TRUE, NULL);
    }
  else if (g_str_equal (flow, "api-key"))
    {
      arcpass_api_key_page_reset (self->api_key_page);
      show_content_page (self, "api-key");
    }
  else if (g_str_equal (flow, "app-credentials"))
    {
      arcpass_app_credentials_page_reset (self->app_credentials_page);
      show_content_page (self, "app-credentials");
    }
  else if (g_str_equal (flow, "enterprise"))
    {
      arcpass_enterprise_page_reset (self->enterprise_page);
      show_content_page (self, "enterprise");
    }
  else
    {
      g_warning ("Unknown sign-in flow “%s”", flow);
    }
}

static void
add_sign_in_page (ArcpassWindow *self,
                  GtkWidget     *page,
                  const char    *name,
                  const char    *title)
{
  GtkStackPage *stack_page = gtk_stack_add_named (self->content_stack, page, name);

  gtk_stack_page_set_title (stack_page, title);
  g_signal_connect_object (page, "signed-in", G_CALLBACK (signed_in_cb), self, 0);
  g_signal_connect_object (page, "cancelled", G_CALLBACK (sign_in_cancelled_cb), self, 0);
}

/* Preferences → Refresh Before Expiry applies to every account at once. */
static void
refresh_margin_changed_cb (ArcpassWindow *self)
{
  guint margin = g_settings_get_uint (self->settings, "refresh-margin");

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->account_list));
       child;
       child = gtk_widget_get_next_sibling (child))
    if (ARCPASS_IS_ACCOUNT_ROW (child))
      arcpass_token_manager_set_refresh_margin (
          arcpass_account_row_get_manager (ARCPASS_ACCOUNT_ROW (child)), margin);
}

/* The account view signed the account out (its Undo toast is showing) or
 * removed it: it leaves the sidebar. */
static void
account_removed_cb (ArcpassWindow     *self,
                    ArcpassCredential *credential)
{
  GtkWidget *row = find_account_row (self, arcpass_credential_get_id (credential));

  if (row != NULL)
    gtk_list_box_remove (self->account_list, row);

  gtk_list_box_select_row (self->account_list,
                           gtk_list_box_get_row_at_index (self->account_list, 0));
  show_base_page (self);
}

/* Undo of a sign-out: nothing was revoked or deleted, the account is back. */
static void
account_restored_cb (ArcpassWindow     *self,
                     ArcpassCredential *credential)
{
  ArcpassAccountRow *row = add_account_row (self, credential);

  gtk_list_box_select_row (self->account_list, GTK_LIST_BOX_ROW (row));
  show_base_page (self);
}

/* Runs once the window belongs to its application: GObject sets the
 * (non-construct) "application" property only after constructed(). */
static void
setup_for_application (ArcpassWindow *self)
{
  ArcpassApplication *app = get_app (self);
  const char *sandbox_url;

  g_return_if_fail (ARCPASS_IS_APPLICATION (app));

  self->client = g_object_ref (arcpass_application_get_client (app));

  /* The selected account: its tokens and the service testers. */
  self->summary_page = arcpass_account_page_new (self->client, get_store (self), self->settings);
  gtk_stack_add_titled (self->content_stack, GTK_WIDGET (self->summary_page), "summary",
                        _("Account"));
  g_signal_connect_object (self->settings, "changed::refresh-margin",
                           G_CALLBACK (refresh_margin_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->summary_page, "removed",
                           G_CALLBACK (account_removed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->summary_page, "restored",
                           G_CALLBACK (account_restored_cb), self, G_CONNECT_SWAPPED);

  self->api_key_page = arcpass_api_key_page_new (self->client, self->settings);
  add_sign_in_page (self, GTK_WIDGET (self->api_key_page), "api-key", _("Add API Key"));
  self->app_credentials_page = arcpass_app_credentials_page_new (self->client, self->settings);
  add_sign_in_page (self, GTK_WIDGET (self->app_credentials_page), "app-credentials",
                    _("Add App Credentials"));
  self->enterprise_page = arcpass_enterprise_page_new (self->client, self->settings);
  add_sign_in_page (self, GTK_WIDGET (self->enterprise_page), "enterprise", _("ArcGIS Enterprise"));
  g_signal_connect_object (self->enterprise_page, "oauth-requested",
                           G_CALLBACK (oauth_requested_cb), self, G_CONNECT_SWAPPED);
  arcpass_enterprise_page_set_oauth_available (self->enterprise_page, TRUE);

  sandbox_url = arcpass_application_get_sandbox_url (app);
  if (sandbox_url)
    {
      g_autoptr(ArcpassEndpoints) endpoints = arcpass_application_dup_endpoints (app, sandbox_url);
      g_autofree char *subtitle = NULL;

      /* Everything must say that this is not ArcGIS. */
      adw_window_title_set_subtitle (self->sidebar_title, _("Local sandbox portal — not ArcGIS"));
      adw_window_title_set_subtitle (self->content_title, _("Local sandbox portal — not ArcGIS"));
      /* Translators: %s is a URL such as http://127.0.0.1:41234 */
      subtitle = g_strdup_printf (_("Sign-ins go to a local test portal at %s, with test users and keys. Nothing here is ArcGIS."),
                                  sandbox_url);
      adw_action_row_set_subtitle (self->sandbox_row, subtitle);

      arcpass_api_key_page_set_defaults (self->api_key_page, sandbox_url);
      arcpass_api_key_page_set_endpoints (self->api_key_page, endpoints);
      arcpass_app_credentials_page_set_defaults (self->app_credentials_page, sandbox_url,
                                                 ARCPASS_SANDBOX_CLIENT_ID);
      {
        /* The sandbox's ArcGIS Enterprise portal: the same port on
         * 127.0.0.5, under the web adaptor /portal (src/sandbox/README.md). */
        g_autoptr(GUri) uri = g_uri_parse (sandbox_url, G_URI_FLAGS_NONE, NULL);
        g_autofree char *enterprise_url = NULL;

        if (uri && g_uri_get_port (uri) > 0)
          enterprise_url = g_strdup_printf ("%s://127.0.0.5:%d/portal", g_uri_get_scheme (uri),
                                            g_uri_get_port (uri));
        arcpass_enterprise_page_set_defaults (self->enterprise_page,
                                              enterprise_url ? enterprise_url : sandbox_url);
      }
    }

  g_signal_connect_object (app, "notify::account-store",
                           G_CALLBACK (update_notices), self, G_CONNECT_SWAPPED);
  update_notices (self);
  navigation_changed_cb (self);
  load_accounts (self);
}

static gboolean
arcpass_window_close_request (GtkWindow *window)
{
  save_window_state (ARCPASS_WINDOW (window));

  return GTK_WINDOW_CLASS (arcpass_window_parent_class)->close_request (window);
}

static void
arcpass_window_dispose (GObject *object)
{
  ArcpassWindow *self = ARCPASS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARCPASS_TYPE_WINDOW);
  self->api_key_page = NULL;
  self->app_credentials_page = NULL;
  self->enterprise_page = NULL;
  self->oauth_page = NULL;
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (arcpass_window_parent_class)->dispose (object);
}

static void
arcpass_window_finalize (GObject *object)
{
  ArcpassWindow *self = ARCPASS_WINDOW (object);

  g_free (self->accounts_error);
  g_free (self->sign_in_again_id);

  G_OBJECT_CLASS (arcpass_window_parent_class)->finalize (object);
}

static void
arcpass_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ArcpassWindow *self = ARCPASS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNTS_LOADED:
      g_value_set_boolean (value, self->accounts_loaded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_window_class_init (ArcpassWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = arcpass_window_dispose;
  object_class->finalize = arcpass_window_finalize;
  object_class->get_property = arcpass_window_get_property;
  window_class->close_request = arcpass_window_close_request;

  /* TRUE once the saved accounts have been read (or found unreadable). */
  properties[PROP_ACCOUNTS_LOADED] =
    g_param_spec_boolean ("accounts-loaded", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (ARCPASS_TYPE_ADD_ACCOUNT_PAGE);
  g_type_ensure (ARCPASS_TYPE_ACCOUNT_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, announce_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, account_list);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, notice_list);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, sandbox_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, keyring_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, accounts_error_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, memory_only_button_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, memory_only_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, content);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, chooser_page);
  gtk_widget_class_bind_template_callback (widget_class, navigation_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, account_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, account_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, flow_chosen_cb);

  gtk_widget_class_install_action (widget_class, "win.add-account", NULL, add_account_action);
  gtk_widget_class_install_action (widget_class, "win.reload-accounts", NULL, reload_accounts_action);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);
  gtk_widget_class_install_action (widget_class, "win.sign-in-again", "s", sign_in_again_action);
  gtk_widget_class_install_action (widget_class, "win.use-memory-only", NULL,
                                   use_memory_only_action);

  /* Escape goes back one step, as in GNOME's adaptive apps. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.go-back", NULL);
}

static void
arcpass_window_init (ArcpassWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  add_tab_shortcuts (GTK_WIDGET (self->account_list));

  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();
  restore_window_state (self);
}

ArcpassWindow *
arcpass_window_new (ArcpassApplication *application)
{
  ArcpassWindow *self;

  g_return_val_if_fail (ARCPASS_IS_APPLICATION (application), NULL);

  self = g_object_new (ARCPASS_TYPE_WINDOW,
                       "application", application,
                       NULL);
  setup_for_application (self);

  return self;
}

void
arcpass_window_add_toast (ArcpassWindow *self,
                          AdwToast      *toast)
{
  g_return_if_fail (ARCPASS_IS_WINDOW (self));

  arcpass_ui_announce (self->announce_label, adw_toast_get_title (toast));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

gboolean
arcpass_window_get_accounts_loaded (ArcpassWindow *self)
{
  g_return_val_if_fail (ARCPASS_IS_WINDOW (self), FALSE);

  return self->accounts_loaded;
}
