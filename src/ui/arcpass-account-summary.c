/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-account-summary.h"
#include "arcpass-ui-utils.h"

struct _ArcpassAccountSummary
{
  AdwBin               parent_instance;

  ArcpassTokenManager *manager;
  ArcpassCredential   *credential;
  gulong               notify_handler;
  gulong               avatar_handler;
  guint                tick_id;
  GCancellable        *cancellable;

  /* Template widgets */
  AdwAvatar           *avatar;
  GtkLabel            *name_label;
  GtkLabel            *kind_label;
  AdwActionRow        *username_row;
  AdwActionRow        *full_name_row;
  AdwActionRow        *org_row;
  AdwActionRow        *role_row;
  AdwActionRow        *portal_row;
  AdwActionRow        *kind_row;
  AdwActionRow        *state_row;
  AdwActionRow        *expiry_row;
  AdwActionRow        *refresh_expiry_row;
};

G_DEFINE_FINAL_TYPE (ArcpassAccountSummary, arcpass_account_summary, ADW_TYPE_BIN)

static void
set_row (AdwActionRow *row,
         const char   *value)
{
  gboolean has_value = value && *value;

  /* Empty identity fields are hidden rather than shown as blanks. */
  adw_action_row_set_subtitle (row, has_value ? value : "");
  gtk_widget_set_visible (GTK_WIDGET (row), has_value);
}

static char *
format_expiry (gint64 expires,
               gint64 now)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *local_text = NULL;
  g_autofree char *utc_text = NULL;
  g_autofree char *relative = NULL;

  if (expires <= 0)
    return g_strdup (_("Does not expire, or the portal did not say"));

  local = g_date_time_new_from_unix_local (expires);
  utc = g_date_time_new_from_unix_utc (expires);
  /* Translators: a date and time in strftime() format. */
  local_text = g_date_time_format (local, _("%Y-%m-%d %H:%M:%S %Z"));
  utc_text = g_date_time_format (utc, "%Y-%m-%d %H:%M:%S UTC");
  relative = arcpass_ui_format_relative (expires, now);

  /* Local time is UTC: saying it twice helps nobody. */
  if (g_date_time_get_utc_offset (local) == 0)
    /* Translators: "<UTC time>, <relative time>" */
    return g_strdup_printf (_("%s, %s"), utc_text, relative);

  /* Translators: "<local time> (<UTC time>), <relative time>" */
  return g_strdup_printf (_("%s (%s), %s"), local_text, utc_text, relative);
}

static void
update (ArcpassAccountSummary *self)
{
  ArcpassCredential *cred = self->credential;
  g_autofree char *title = NULL;
  g_autofree char *expiry = NULL;
  g_autofree char *refresh_expiry = NULL;
  const char *org;
  gint64 now;

  if (!cred)
    return;

  now = arcpass_client_get_now (arcpass_token_manager_get_client (self->manager));
  title = arcpass_ui_dup_account_title (cred);

  gtk_label_set_text (self->name_label, title);
  gtk_label_set_text (self->kind_label,
                      arcpass_ui_credential_kind_label (arcpass_credential_get_kind (cred)));
  adw_avatar_set_text (self->avatar, title);

  set_row (self->username_row, arcpass_credential_get_username (cred));
  /* A key has no person behind it: its "full name" is the label the user gave. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->full_name_row),
                                 arcpass_credential_get_kind (cred) == ARCPASS_CREDENTIAL_API_KEY
                                 ? _("Name") : _("Full Name"));
  set_row (self->full_name_row, arcpass_credential_get_full_name (cred));
  org = arcpass_credential_get_org_name (cred);
  set_row (self->org_row, org && *org ? org : arcpass_credential_get_org_id (cred));
  set_row (self->role_row, arcpass_credential_get_role (cred));
  set_row (self->portal_row, arcpass_credential_get_portal_url (cred));
  set_row (self->kind_row, arcpass_ui_credential_kind_label (arcpass_credential_get_kind (cred)));
  set_row (self->state_row, arcpass_ui_credential_state_label (arcpass_credential_get_state (cred)));

  expiry = format_expiry (arcpass_credential_get_access_expires (cred), now);
  set_row (self->expiry_row, expiry);

  if (arcpass_credential_get_refresh_token (cred))
    refresh_expiry = format_expiry (arcpass_credential_get_refresh_expires (cred), now);
  set_row (self->refresh_expiry_row, refresh_expiry);
}

static gboolean
tick_cb (gpointer user_data)
{
  update (user_data);
  return G_SOURCE_CONTINUE;
}

static void
avatar_url_changed_cb (ArcpassAccountSummary *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  arcpass_ui_load_avatar (self->avatar, arcpass_token_manager_get_client (self->manager),
                          self->credential, self->cancellable);
}

static void
clear_manager (ArcpassAccountSummary *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->credential)
    {
      g_clear_signal_handler (&self->notify_handler, self->credential);
      g_clear_signal_handler (&self->avatar_handler, self->credential);
    }
  g_clear_object (&self->credential);
  g_clear_object (&self->manager);
  g_clear_handle_id (&self->tick_id, g_source_remove);
}

static void
arcpass_account_summary_dispose (GObject *object)
{
  ArcpassAccountSummary *self = ARCPASS_ACCOUNT_SUMMARY (object);

  clear_manager (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARCPASS_TYPE_ACCOUNT_SUMMARY);

  G_OBJECT_CLASS (arcpass_account_summary_parent_class)->dispose (object);
}

static void
arcpass_account_summary_class_init (ArcpassAccountSummaryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arcpass_account_summary_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-account-summary.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountSummary, avatar);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountSummary, name_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountSummary, kind_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountSummary, username_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountSummary, full_name_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountSummary, org_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountSummary, role_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountSummary, portal_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountSummary, kind_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountSummary, state_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountSummary, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountSummary, refresh_expiry_row);
}

static void
arcpass_account_summary_init (ArcpassAccountSummary *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ArcpassAccountSummary *
arcpass_account_summary_new (void)
{
  return g_object_new (ARCPASS_TYPE_ACCOUNT_SUMMARY, NULL);
}

void
arcpass_account_summary_set_manager (ArcpassAccountSummary *self,
                                     ArcpassTokenManager   *manager)
{
  g_return_if_fail (ARCPASS_IS_ACCOUNT_SUMMARY (self));
  g_return_if_fail (!manager || ARCPASS_IS_TOKEN_MANAGER (manager));

  if (manager == self->manager)
    return;

  clear_manager (self);
  if (!manager)
    return;

  self->manager = g_object_ref (manager);
  self->credential = g_object_ref (arcpass_token_manager_get_credential (manager));
  /* Any change of the credential (identity, tokens, state) redraws the summary. */
  self->notify_handler = g_signal_connect_swapped (self->credential, "notify",
                                                   G_CALLBACK (update), self);
  self->avatar_handler = g_signal_connect_swapped (self->credential, "notify::avatar-url",
                                                   G_CALLBACK (avatar_url_changed_cb), self);
  /* The relative expiry ("in 2 hours") must keep up with the clock. */
  self->tick_id = g_timeout_add_seconds (30, tick_cb, self);

  update (self);
  avatar_url_changed_cb (self);
}

ArcpassTokenManager *
arcpass_account_summary_get_manager (ArcpassAccountSummary *self)
{
  g_return_val_if_fail (ARCPASS_IS_ACCOUNT_SUMMARY (self), NULL);

  return self->manager;
}
