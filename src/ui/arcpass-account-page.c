/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-account-page.h"
#include "arcpass-account-view.h"
#include "arcpass-basemap-tester.h"
#include "arcpass-geocode-tester.h"
#include "arcpass-request-inspector.h"
#include "arcpass-window.h"

/* The content of a selected account: its tokens (ArcpassAccountView) and
 * the three testers, as tabs of one view stack. The testers are made for one
 * token manager, so they are rebuilt when another account is shown; the
 * account view is kept, except while it finishes a sign-out (it then holds
 * itself until the revoke is done or undone, and a new one takes its place).
 */

struct _ArcpassAccountPage
{
  AdwBin               parent_instance;

  ArcpassClient       *client;
  ArcpassAccountStore *store;
  GSettings           *settings;
  ArcpassTokenManager *manager;

  AdwViewStack        *stack;
  AdwViewSwitcherBar  *switcher_bar;
  GtkWidget           *top_separator;
  ArcpassAccountView  *account_view;
  GtkWidget           *basemap_tester;
  GtkWidget           *geocode_tester;
  GtkWidget           *request_inspector;

  GtkOrientation       pane_orientation;
};

G_DEFINE_FINAL_TYPE (ArcpassAccountPage, arcpass_account_page, ADW_TYPE_BIN)

enum {
  SIGNAL_REMOVED,
  SIGNAL_RESTORED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
add_toast_cb (ArcpassAccountPage *self,
              AdwToast           *toast)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  /* Toasts (above all the Undo of a sign-out) go to the window, which
   * outlives this account's content. */
  if (ARCPASS_IS_WINDOW (root))
    {
      arcpass_window_add_toast (ARCPASS_WINDOW (root), g_object_ref (toast));
      return TRUE;
    }
  return FALSE;
}

static void
removed_cb (ArcpassAccountPage *self,
            ArcpassCredential  *credential)
{
  g_signal_emit (self, signals[SIGNAL_REMOVED], 0, credential);
}

static void
restored_cb (ArcpassAccountPage *self,
             ArcpassCredential  *credential)
{
  g_signal_emit (self, signals[SIGNAL_RESTORED], 0, credential);
}

static void
sign_in_requested_cb (ArcpassAccountPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.add-account", NULL);
}

static void
squeezer_changed_cb (ArcpassAccountPage *self,
                     GParamSpec         *pspec,
                     AdwSqueezer        *squeezer)
{
  GtkWidget *child = adw_squeezer_get_visible_child (squeezer);
  gboolean narrow = !ADW_IS_VIEW_SWITCHER (child);

  /* Shown or hidden rather than revealed: libadwaita 1.2's reveal animation
   * allocates the bar's box with a negative height when it starts from a
   * squeezed switcher. */
  gtk_widget_set_visible (GTK_WIDGET (self->switcher_bar), narrow);
  gtk_widget_set_visible (self->top_separator, !narrow);
}

static void
replace_tab (ArcpassAccountPage  *self,
             GtkWidget          **slot,
             GtkWidget           *widget,
             const char          *name,
             const char          *title,
             const char          *icon_name)
{
  AdwViewStackPage *page;
  gboolean was_visible = FALSE;

  if (*slot)
    {
      was_visible = adw_view_stack_get_visible_child (self->stack) == *slot;
      adw_view_stack_remove (self->stack, *slot);
      *slot = NULL;
    }

  if (!widget)
    return;

  *slot = widget;
  page = adw_view_stack_add_titled (self->stack, widget, name, title);
  adw_view_stack_page_set_icon_name (page, icon_name);
  if (was_visible)
    adw_view_stack_set_visible_child (self->stack, widget);
}

static void
ensure_account_view (ArcpassAccountPage *self,
                     gboolean            force)
{
  GtkWidget *view;

  if (!force && self->account_view &&
      !arcpass_account_view_get_sign_out_pending (self->account_view))
    return;

  view = GTK_WIDGET (arcpass_account_view_new (self->client, self->store, self->settings));
  g_signal_connect_object (view, "add-toast", G_CALLBACK (add_toast_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (view, "removed", G_CALLBACK (removed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (view, "restored", G_CALLBACK (restored_cb), self, G_CONNECT_SWAPPED);
  replace_tab (self, (GtkWidget **) &self->account_view, view, "account", _("Account"),
               "dialog-password-symbolic");
  /* The account tab comes first. */
  adw_view_stack_set_visible_child_name (self->stack, "account");
}

static void
set_paned_orientation (GtkWidget      *widget,
                       GtkOrientation  orientation)
{
  /* Panes, and boxes the testers mark as adaptive. */
  if (GTK_IS_PANED (widget) ||
      (GTK_IS_BOX (widget) && gtk_widget_has_css_class (widget, "arcpass-adaptive")))
    {
      gtk_orientable_set_orientation (GTK_ORIENTABLE (widget), orientation);
      /* The separator between the two parts turns with them. */
      for (GtkWidget *child = gtk_widget_get_first_child (widget);
           child;
           child = gtk_widget_get_next_sibling (child))
        if (GTK_IS_SEPARATOR (child))
          gtk_orientable_set_orientation (GTK_ORIENTABLE (child),
                                          orientation == GTK_ORIENTATION_HORIZONTAL
                                          ? GTK_ORIENTATION_VERTICAL
                                          : GTK_ORIENTATION_HORIZONTAL);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child;
       child = gtk_widget_get_next_sibling (child))
    set_paned_orientation (child, orientation);
}

/* libadwaita 1.2 has no breakpoints: the testers' side-by-side panes are
 * stacked when the window is narrow. This follows the window's size (its
 * default size tracks interactive resizing) rather than this page's
 * allocation, so that the panes are stacked before the window shrinks below
 * their side-by-side width. */
static void
update_orientation (ArcpassAccountPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkOrientation wanted = GTK_ORIENTATION_HORIZONTAL;
  int width = 0, height = 0;

  if (GTK_IS_WINDOW (root))
    gtk_window_get_default_size (GTK_WINDOW (root), &width, &height);
  if (width > 0 && width < 1040)
    wanted = GTK_ORIENTATION_VERTICAL;

  if (wanted == self->pane_orientation)
    return;

  self->pane_orientation = wanted;
  set_paned_orientation (GTK_WIDGET (self->stack), wanted);
}

static void
arcpass_account_page_root (GtkWidget *widget)
{
  ArcpassAccountPage *self = ARCPASS_ACCOUNT_PAGE (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (arcpass_account_page_parent_class)->root (widget);

  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    {
      g_signal_connect_object (root, "notify::default-width",
                               G_CALLBACK (update_orientation), self, G_CONNECT_SWAPPED);
      update_orientation (self);
    }
}

static void
arcpass_account_page_unroot (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  if (root)
    g_signal_handlers_disconnect_by_func (root, update_orientation, widget);

  GTK_WIDGET_CLASS (arcpass_account_page_parent_class)->unroot (widget);
}

static void
arcpass_account_page_dispose (GObject *object)
{
  ArcpassAccountPage *self = ARCPASS_ACCOUNT_PAGE (object);


  g_clear_object (&self->manager);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (arcpass_account_page_parent_class)->dispose (object);
}

static void
arcpass_account_page_class_init (ArcpassAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arcpass_account_page_dispose;
  widget_class->root = arcpass_account_page_root;
  widget_class->unroot = arcpass_account_page_unroot;

  /* Forwarded from the account view: the account was signed out or removed
   * (the window drops it from the sidebar), or the sign-out was undone. */
  signals[SIGNAL_REMOVED] =
    g_signal_new ("removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ARCPASS_TYPE_CREDENTIAL);
  signals[SIGNAL_RESTORED] =
    g_signal_new ("restored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ARCPASS_TYPE_CREDENTIAL);
}

static void
arcpass_account_page_init (ArcpassAccountPage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *switcher, *squeezer;

  self->pane_orientation = GTK_ORIENTATION_HORIZONTAL;
  self->stack = ADW_VIEW_STACK (adw_view_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);

  /* Tabs on top when there is room, at the bottom on a narrow window. */
  switcher = adw_view_switcher_new ();
  adw_view_switcher_set_stack (ADW_VIEW_SWITCHER (switcher), self->stack);
  adw_view_switcher_set_policy (ADW_VIEW_SWITCHER (switcher), ADW_VIEW_SWITCHER_POLICY_WIDE);
  gtk_widget_set_halign (switcher, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (switcher, 6);
  gtk_widget_set_margin_bottom (switcher, 6);
  gtk_widget_set_name (switcher, "account_tabs");
  /* Otherwise assistive technologies hear the type name. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (switcher),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Account Pages"),
                                  -1);

  self->switcher_bar = ADW_VIEW_SWITCHER_BAR (adw_view_switcher_bar_new ());
  adw_view_switcher_bar_set_stack (self->switcher_bar, self->stack);
  adw_view_switcher_bar_set_reveal (self->switcher_bar, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->switcher_bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Account Pages"),
                                  -1);
  gtk_widget_set_visible (GTK_WIDGET (self->switcher_bar), FALSE);

  /* A squeezer drops the top switcher when it does not fit, as
   * AdwViewSwitcherTitle does; the bottom bar is then revealed. */
  squeezer = adw_squeezer_new ();
  adw_squeezer_set_transition_type (ADW_SQUEEZER (squeezer), ADW_SQUEEZER_TRANSITION_TYPE_NONE);
  adw_squeezer_add (ADW_SQUEEZER (squeezer), switcher);
  /* An empty box takes no room when the switcher does not fit. */
  adw_squeezer_add (ADW_SQUEEZER (squeezer), gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0));
  g_signal_connect_object (squeezer, "notify::visible-child",
                           G_CALLBACK (squeezer_changed_cb), self, G_CONNECT_SWAPPED);

  self->top_separator = gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);
  gtk_box_append (GTK_BOX (box), squeezer);
  gtk_box_append (GTK_BOX (box), self->top_separator);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->switcher_bar));
  adw_bin_set_child (ADW_BIN (self), box);
  gtk_widget_set_name (GTK_WIDGET (self), "summary_page");
}

ArcpassAccountPage *
arcpass_account_page_new (ArcpassClient       *client,
                          ArcpassAccountStore *store,
                          GSettings           *settings)
{
  ArcpassAccountPage *self;

  g_return_val_if_fail (ARCPASS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (ARCPASS_IS_ACCOUNT_STORE (store), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (ARCPASS_TYPE_ACCOUNT_PAGE, NULL);
  self->client = g_object_ref (client);
  self->store = g_object_ref (store);
  self->settings = g_object_ref (settings);

  return self;
}

void
arcpass_account_page_set_manager (ArcpassAccountPage  *self,
                                  ArcpassTokenManager *manager)
{
  g_return_if_fail (ARCPASS_IS_ACCOUNT_PAGE (self));
  g_return_if_fail (!manager || ARCPASS_IS_TOKEN_MANAGER (manager));

  if (self->manager == manager)
    return;

  g_set_object (&self->manager, manager);

  ensure_account_view (self, FALSE);
  arcpass_account_view_set_manager (self->account_view, manager);

  if (!manager)
    {
      replace_tab (self, &self->basemap_tester, NULL, NULL, NULL, NULL);
      replace_tab (self, &self->geocode_tester, NULL, NULL, NULL, NULL);
      replace_tab (self, &self->request_inspector, NULL, NULL, NULL, NULL);
      return;
    }

  replace_tab (self, &self->basemap_tester, GTK_WIDGET (arcpass_basemap_tester_new (manager)),
               "basemaps", _("Basemaps"), "map-symbolic");
  g_signal_connect_object (self->basemap_tester, "sign-in-requested",
                           G_CALLBACK (sign_in_requested_cb), self, G_CONNECT_SWAPPED);
  replace_tab (self, &self->geocode_tester, arcpass_geocode_tester_new (manager),
               "geocode", _("Geocoding"), "find-location-symbolic");
  g_signal_connect_object (self->geocode_tester, "sign-in-requested",
                           G_CALLBACK (sign_in_requested_cb), self, G_CONNECT_SWAPPED);
  replace_tab (self, &self->request_inspector,
               arcpass_request_inspector_new (arcpass_client_get_request_log (self->client),
                                              manager),
               "requests", _("Requests"), "network-transmit-receive-symbolic");
  set_paned_orientation (GTK_WIDGET (self->stack), self->pane_orientation);
}

/* The application switches to a memory-only store when there is no Secret
 * Service and the user asks for it. */
void
arcpass_account_page_set_store (ArcpassAccountPage  *self,
                                ArcpassAccountStore *store)
{
  g_return_if_fail (ARCPASS_IS_ACCOUNT_PAGE (self));
  g_return_if_fail (ARCPASS_IS_ACCOUNT_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  if (self->account_view && !arcpass_account_view_get_sign_out_pending (self->account_view))
    {
      ensure_account_view (self, TRUE);
      arcpass_account_view_set_manager (self->account_view, self->manager);
    }
}

ArcpassTokenManager *
arcpass_account_page_get_manager (ArcpassAccountPage *self)
{
  g_return_val_if_fail (ARCPASS_IS_ACCOUNT_PAGE (self), NULL);

  return self->manager;
}

void
arcpass_account_page_set_visible_tab (ArcpassAccountPage *self,
                                      const char         *name)
{
  g_return_if_fail (ARCPASS_IS_ACCOUNT_PAGE (self));

  adw_view_stack_set_visible_child_name (self->stack, name);
}

const char *
arcpass_account_page_get_visible_tab (ArcpassAccountPage *self)
{
  g_return_val_if_fail (ARCPASS_IS_ACCOUNT_PAGE (self), NULL);

  return adw_view_stack_get_visible_child_name (self->stack);
}

GtkWidget *
arcpass_account_page_get_tab (ArcpassAccountPage *self,
                              const char         *name)
{
  g_return_val_if_fail (ARCPASS_IS_ACCOUNT_PAGE (self), NULL);

  return adw_view_stack_get_child_by_name (self->stack, name);
}
