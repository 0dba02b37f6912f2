/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-account-row.h"
#include "arcpass-ui-utils.h"

struct _ArcpassAccountRow
{
  GtkListBoxRow        parent_instance;

  ArcpassTokenManager *manager;
  ArcpassCredential   *credential;
  GCancellable        *cancellable;
  const char          *state_class;

  /* Template widgets */
  AdwAvatar           *avatar;
  GtkLabel            *title_label;
  GtkLabel            *host_label;
  GtkLabel            *state_label;
};

G_DEFINE_FINAL_TYPE (ArcpassAccountRow, arcpass_account_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_MANAGER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_identity (ArcpassAccountRow *self)
{
  g_autofree char *title = arcpass_ui_dup_account_title (self->credential);
  g_autofree char *host = arcpass_ui_dup_portal_host (arcpass_credential_get_portal_url (self->credential));
  g_autofree char *subtitle = NULL;
  g_autofree char *accessible = NULL;
  const char *platform =
    arcpass_account_kind_get_label (arcpass_credential_get_effective_account_kind (self->credential));

  /* Which ArcGIS, once the portal has said (it decides which services
   * exist for the account). */
  if (platform != NULL)
    /* Translators: "<portal host> · <ArcGIS Online, ArcGIS Location Platform…>" */
    subtitle = g_strdup_printf (_("%s · %s"), host, platform);
  else
    subtitle = g_strdup (host);

  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->host_label, subtitle);
  adw_avatar_set_text (self->avatar, title);

  accessible = g_strdup_printf ("%s, %s, %s", title, subtitle,
                                arcpass_ui_credential_state_label (arcpass_credential_get_state (self->credential)));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
update_state (ArcpassAccountRow *self)
{
  ArcpassCredentialState state = arcpass_credential_get_state (self->credential);

  if (self->state_class)
    gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), self->state_class);
  self->state_class = arcpass_ui_credential_state_class (state);
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), self->state_class);
  gtk_label_set_text (self->state_label, arcpass_ui_credential_state_label (state));
  update_identity (self);
}

static void
avatar_url_changed_cb (ArcpassAccountRow *self)
{
  arcpass_ui_load_avatar (self->avatar,
                          arcpass_token_manager_get_client (self->manager),
                          self->credential, self->cancellable);
}

static void
arcpass_account_row_constructed (GObject *object)
{
  ArcpassAccountRow *self = ARCPASS_ACCOUNT_ROW (object);

  G_OBJECT_CLASS (arcpass_account_row_parent_class)->constructed (object);

  self->credential = g_object_ref (arcpass_token_manager_get_credential (self->manager));

  g_signal_connect_object (self->credential, "notify::full-name",
                           G_CALLBACK (update_identity), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->credential, "notify::username",
                           G_CALLBACK (update_identity), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->credential, "notify::portal-url",
                           G_CALLBACK (update_identity), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->credential, "notify::state",
                           G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->credential, "notify::account-kind",
                           G_CALLBACK (update_identity), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->credential, "notify::avatar-url",
                           G_CALLBACK (avatar_url_changed_cb), self, G_CONNECT_SWAPPED);

  update_state (self);
  avatar_url_changed_cb (self);
}

static void
arcpass_account_row_dispose (GObject *object)
{
  ArcpassAccountRow *self = ARCPASS_ACCOUNT_ROW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARCPASS_TYPE_ACCOUNT_ROW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->credential);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (arcpass_account_row_parent_class)->dispose (object);
}

static void
arcpass_account_row_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ArcpassAccountRow *self = ARCPASS_ACCOUNT_ROW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      self->manager = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_account_row_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ArcpassAccountRow *self = ARCPASS_ACCOUNT_ROW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_account_row_class_init (ArcpassAccountRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = arcpass_account_row_constructed;
  object_class->dispose = arcpass_account_row_dispose;
  object_class->set_property = arcpass_account_row_set_property;
  object_class->get_property = arcpass_account_row_get_property;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL,
                         ARCPASS_TYPE_TOKEN_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-account-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountRow, avatar);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountRow, host_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountRow, state_label);
}

static void
arcpass_account_row_init (ArcpassAccountRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

ArcpassAccountRow *
arcpass_account_row_new (ArcpassTokenManager *manager)
{
  g_return_val_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager), NULL);

  return g_object_new (ARCPASS_TYPE_ACCOUNT_ROW, "manager", manager, NULL);
}

ArcpassTokenManager *
arcpass_account_row_get_manager (ArcpassAccountRow *self)
{
  g_return_val_if_fail (ARCPASS_IS_ACCOUNT_ROW (self), NULL);

  return self->manager;
}

ArcpassCredential *
arcpass_account_row_get_credential (ArcpassAccountRow *self)
{
  g_return_val_if_fail (ARCPASS_IS_ACCOUNT_ROW (self), NULL);

  return self->credential;
}
