/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-enterprise-page.h"
#include "arcpass-ui-utils.h"

struct _ArcpassEnterprisePage
{
  AdwBin               parent_instance;

  ArcpassClient       *client;
  GSettings           *settings;
  GCancellable        *cancellable;
  ArcpassPortalInfo   *info;
  gboolean             oauth_available;

  /* Template widgets */
  AdwEntryRow         *portal_row;
  GtkSpinner          *spinner;
  GtkButton           *discover_button;
  GtkLabel            *error_label;
  AdwPreferencesGroup *discovery_group;
  AdwExpanderRow      *found_row;
  AdwActionRow        *name_row;
  AdwActionRow        *kind_row;
  AdwActionRow        *version_row;
  AdwActionRow        *token_service_row;
  AdwActionRow        *oauth_support_row;
  AdwPreferencesGroup *oauth_group;
  AdwPreferencesGroup *password_group;
  GtkLabel            *no_tokens_label;
  AdwEntryRow         *username_row;
  AdwPasswordEntryRow *password_row;
  GtkLabel            *sign_in_error_label;
  GtkButton           *sign_in_button;
};

G_DEFINE_FINAL_TYPE (ArcpassEnterprisePage, arcpass_enterprise_page, ADW_TYPE_BIN)

enum {
  SIGNED_IN,
  CANCELLED,
  OAUTH_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_busy (ArcpassEnterprisePage *self,
          gboolean               busy)
{
  /* The rows stay sensitive but read-only: making a focused entry insensitive
   * leaves GTK 4.8's cursor blink running without focus (and warning). */
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->discover_button), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->portal_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->oauth_group), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->username_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->password_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), !busy);
}

static void
update_sign_in_options (ArcpassEnterprisePage *self)
{
  gboolean found = self->info != NULL;
  /* isTokenBasedSecurity false: the web server signs users in, so neither a
   * token service nor OAuth is there to use. */
  gboolean tokens = found && self->info->token_based_security;

  gtk_widget_set_visible (GTK_WIDGET (self->discovery_group), found);
  gtk_widget_set_visible (GTK_WIDGET (self->oauth_group),
                          tokens && self->info->supports_oauth && self->oauth_available);
  /* generateToken needs a token service; ArcGIS Online always has one. */
  gtk_widget_set_visible (GTK_WIDGET (self->password_group), tokens);
  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_button), tokens);
  gtk_widget_set_visible (GTK_WIDGET (self->no_tokens_label), found && !tokens);
}

static void
forget_discovery (ArcpassEnterprisePage *self)
{
  g_clear_pointer (&self->info, arcpass_portal_info_free);
  arcpass_ui_set_error (self->sign_in_error_label, NULL);
  update_sign_in_options (self);
}

static void
portal_changed_cb (ArcpassEnterprisePage *self)
{
  /* What was found belongs to the portal it was found for. */
  gtk_widget_remove_css_class (GTK_WIDGET (self->portal_row), "error");
  arcpass_ui_set_error (self->error_label, NULL);
  forget_discovery (self);
}

static void
credentials_changed_cb (ArcpassEnterprisePage *self,
                        GtkWidget             *row)
{
  gtk_widget_remove_css_class (row, "error");
  arcpass_ui_set_error (self->sign_in_error_label, NULL);
}

static void
set_info_row (AdwActionRow *row,
              const char   *value)
{
  adw_action_row_set_subtitle (row, value && *value ? value : _("Not given"));
}

static void
show_info (ArcpassEnterprisePage *self)
{
  const ArcpassPortalInfo *info = self->info;
  g_autofree char *summary = NULL;
  const char *kind;

  switch (info->kind)
    {
    case ARCPASS_PORTAL_KIND_ONLINE:
      kind = _("ArcGIS Online");
      break;
    case ARCPASS_PORTAL_KIND_ENTERPRISE:
      kind = _("ArcGIS Enterprise");
      break;
    case ARCPASS_PORTAL_KIND_UNKNOWN:
    default:
      kind = _("Unknown");
      break;
    }

  /* One line says what was found; the details are one click away, so the
   * sign-in choices below stay on screen. */
  if (info->current_version && *info->current_version)
    /* Translators: "<ArcGIS Online or ArcGIS Enterprise> <version>" */
    summary = g_strdup_printf (_("%s %s"), kind, info->current_version);
  else
    summary = g_strdup (kind);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->found_row), summary);
  adw_expander_row_set_subtitle (self->found_row,
                                 !info->token_based_security
                                 ? _("Signs users in at its web server, not with ArcGIS tokens")
                                 : info->token_service_url
                                 ? _("Token service found: username and password sign-in is available")
                                 : _("No token service announced"));
  adw_expander_row_set_expanded (self->found_row, FALSE);

  set_info_row (self->name_row, info->name);
  set_info_row (self->kind_row, kind);
  set_info_row (self->version_row, info->current_version);
  set_info_row (self->token_service_row, info->token_service_url);
  set_info_row (self->oauth_support_row,
                info->supports_oauth ? _("Supported") : _("Not offered by this portal"));
  update_sign_in_options (self);
}

static void
discover_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ArcpassEnterprisePage) self = user_data;
  g_autoptr(ArcpassPortalInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = arcpass_portal_discover_finish (result, &error);
  /* Cancel already put the page back to rest. */
  if (arcpass_ui_error_is_cancelled (error))
    return;

  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);

  if (!info)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->portal_row), "error");
      arcpass_ui_set_error (self->error_label, error->message);
      return;
    }

  g_clear_pointer (&self->info, arcpass_portal_info_free);
  self->info = g_steal_pointer (&info);
  show_info (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
}

static void
discover_clicked_cb (ArcpassEnterprisePage *self)
{
  g_autofree char *portal_url = NULL;

  if (self->cancellable)
    return;

  arcpass_ui_set_error (self->error_label, NULL);
  forget_discovery (self);
  portal_url = arcpass_ui_normalize_portal_row (self->portal_row, self->error_label);
  if (!portal_url)
    return;

  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  arcpass_portal_discover_async (self->client, portal_url, self->cancellable,
                                 discover_done_cb, g_object_ref (self));
}

static void
oauth_activated_cb (ArcpassEnterprisePage *self)
{
  if (self->info)
    g_signal_emit (self, signals[OAUTH_REQUESTED], 0, self->info->portal_url);
}

static void
sign_in_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ArcpassEnterprisePage) self = user_data;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GError) error = NULL;

  credential = arcpass_sign_in_finish (result, &error);
  if (arcpass_ui_error_is_cancelled (error))
    return;

  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);

  if (!credential)
    {
      if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_CREDENTIALS))
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->password_row), "error");
          gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
        }
      arcpass_ui_set_error (self->sign_in_error_label, error->message);
      return;
    }

  g_signal_emit (self, signals[SIGNED_IN], 0, credential);
}

static void
sign_in_clicked_cb (ArcpassEnterprisePage *self)
{
  g_autofree char *username = NULL;

  if (self->cancellable || !self->info)
    return;

  arcpass_ui_set_error (self->sign_in_error_label, NULL);
  if (!arcpass_ui_require_text (self->username_row, self->sign_in_error_label,
                                _("Enter your username.")))
    return;
  if (!arcpass_ui_require_text (ADW_ENTRY_ROW (self->password_row), self->sign_in_error_label,
                                _("Enter your password.")))
    return;

  username = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_row))));
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  arcpass_sign_in_with_password_async (self->client, self->info->portal_url, username,
                                       gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                       self->cancellable, sign_in_done_cb, g_object_ref (self));
  /* The password has been handed over; do not keep it in the form, whatever
   * the answer. The user types it again after a mistake. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
}

static void
cancel_clicked_cb (ArcpassEnterprisePage *self)
{
  /* While working, Cancel stops the work; otherwise it leaves the page. */
  if (self->cancellable)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      set_busy (self, FALSE);
      arcpass_ui_set_error (self->error_label, _("Cancelled."));
      return;
    }

  g_signal_emit (self, signals[CANCELLED], 0);
}

static gboolean
arcpass_enterprise_page_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (ARCPASS_ENTERPRISE_PAGE (widget)->portal_row));
}

static void
arcpass_enterprise_page_dispose (GObject *object)
{
  ArcpassEnterprisePage *self = ARCPASS_ENTERPRISE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARCPASS_TYPE_ENTERPRISE_PAGE);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->info, arcpass_portal_info_free);

  G_OBJECT_CLASS (arcpass_enterprise_page_parent_class)->dispose (object);
}

static void
arcpass_enterprise_page_class_init (ArcpassEnterprisePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arcpass_enterprise_page_dispose;
  widget_class->grab_focus = arcpass_enterprise_page_grab_focus;

  signals[SIGNED_IN] = g_signal_new ("signed-in",
                                     G_TYPE_FROM_CLASS (klass),
                                     G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 1, ARCPASS_TYPE_CREDENTIAL);
  signals[CANCELLED] = g_signal_new ("cancelled",
                                     G_TYPE_FROM_CLASS (klass),
                                     G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 0);
  signals[OAUTH_REQUESTED] = g_signal_new ("oauth-requested",
                                           G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-enterprise-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, portal_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, discover_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, discovery_group);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, found_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, name_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, kind_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, version_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, token_service_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, oauth_support_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, oauth_group);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, password_group);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, no_tokens_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, username_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, password_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, sign_in_error_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassEnterprisePage, sign_in_button);
  gtk_widget_class_bind_template_callback (widget_class, portal_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, credentials_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, discover_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, oauth_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, sign_in_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
}

static void
arcpass_enterprise_page_init (ArcpassEnterprisePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ArcpassEnterprisePage *
arcpass_enterprise_page_new (ArcpassClient *client,
                             GSettings     *settings)
{
  ArcpassEnterprisePage *self;

  g_return_val_if_fail (ARCPASS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (ARCPASS_TYPE_ENTERPRISE_PAGE, NULL);
  self->client = g_object_ref (client);
  self->settings = g_object_ref (settings);

  return self;
}

void
arcpass_enterprise_page_set_defaults (ArcpassEnterprisePage *self,
                                      const char            *portal_url)
{
  g_return_if_fail (ARCPASS_IS_ENTERPRISE_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->portal_row), portal_url ? portal_url : "");
}

void
arcpass_enterprise_page_set_oauth_available (ArcpassEnterprisePage *self,
                                             gboolean               available)
{
  g_return_if_fail (ARCPASS_IS_ENTERPRISE_PAGE (self));

  self->oauth_available = !!available;
  update_sign_in_options (self);
}

void
arcpass_enterprise_page_reset (ArcpassEnterprisePage *self)
{
  g_return_if_fail (ARCPASS_IS_ENTERPRISE_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->password_row), "error");
  arcpass_ui_set_error (self->error_label, NULL);
  arcpass_ui_set_error (self->sign_in_error_label, NULL);
}

void
arcpass_enterprise_page_show_error (ArcpassEnterprisePage *self,
                                    const char            *message)
{
  g_return_if_fail (ARCPASS_IS_ENTERPRISE_PAGE (self));

  arcpass_ui_set_error (self->sign_in_error_label, message);
}
