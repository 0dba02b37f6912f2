/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-app-credentials-page.h"
#include "arcpass-ui-utils.h"

struct _ArcpassAppCredentialsPage
{
  AdwBin               parent_instance;

  ArcpassClient       *client;
  GSettings           *settings;
  GCancellable        *cancellable;

  /* Template widgets */
  AdwEntryRow         *portal_row;
  AdwEntryRow         *client_id_row;
  AdwPasswordEntryRow *secret_row;
  GtkLabel            *error_label;
  GtkSpinner          *spinner;
  GtkButton           *sign_in_button;
};

G_DEFINE_FINAL_TYPE (ArcpassAppCredentialsPage, arcpass_app_credentials_page, ADW_TYPE_BIN)

enum {
  SIGNED_IN,
  CANCELLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_busy (ArcpassAppCredentialsPage *self,
          gboolean                   busy)
{
  /* The rows stay sensitive but read-only: making a focused entry insensitive
   * leaves GTK 4.8's cursor blink running without focus (and warning). */
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->portal_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->client_id_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->secret_row), !busy);
}

static void
entry_changed_cb (ArcpassAppCredentialsPage *self,
                  GtkWidget                 *row)
{
  gtk_widget_remove_css_class (row, "error");
  arcpass_ui_set_error (self->error_label, NULL);
}

static void
sign_in_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ArcpassAppCredentialsPage) self = user_data;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GError) error = NULL;

  credential = arcpass_sign_in_finish (result, &error);
  /* Cancel already put the page back to rest. */
  if (arcpass_ui_error_is_cancelled (error))
    return;

  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);

  if (!credential)
    {
      if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_CLIENT))
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->client_id_row), "error");
          gtk_widget_add_css_class (GTK_WIDGET (self->secret_row), "error");
        }
      arcpass_ui_set_error (self->error_label, error->message);
      return;
    }

  /* The secret now lives in the credential (and soon the keyring) only. */
  gtk_editable_set_text (GTK_EDITABLE (self->secret_row), "");
  g_signal_emit (self, signals[SIGNED_IN], 0, credential);
}

static void
sign_in_clicked_cb (ArcpassAppCredentialsPage *self)
{
  g_autofree char *portal_url = NULL;
  g_autofree char *client_id = NULL;

  if (self->cancellable)
    return;

  arcpass_ui_set_error (self->error_label, NULL);
  portal_url = arcpass_ui_normalize_portal_row (self->portal_row, self->error_label);
  if (!portal_url)
    return;
  if (!arcpass_ui_require_text (self->client_id_row, self->error_label,
                                _("Enter the client ID of the OAuth credential.")))
    return;
  if (!arcpass_ui_require_text (ADW_ENTRY_ROW (self->secret_row), self->error_label,
                                _("Enter the client secret of the OAuth credential.")))
    return;

  client_id = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->client_id_row))));
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  arcpass_sign_in_with_app_credentials_async (self->client, portal_url, client_id,
                                              gtk_editable_get_text (GTK_EDITABLE (self->secret_row)),
                                              self->cancellable, sign_in_done_cb,
                                              g_object_ref (self));
}

static void
cancel_clicked_cb (ArcpassAppCredentialsPage *self)
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
arcpass_app_credentials_page_grab_focus (GtkWidget *widget)
{
  ArcpassAppCredentialsPage *self = ARCPASS_APP_CREDENTIALS_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->client_id_row));
}

static void
arcpass_app_credentials_page_dispose (GObject *object)
{
  ArcpassAppCredentialsPage *self = ARCPASS_APP_CREDENTIALS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARCPASS_TYPE_APP_CREDENTIALS_PAGE);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (arcpass_app_credentials_page_parent_class)->dispose (object);
}

static void
arcpass_app_credentials_page_class_init (ArcpassAppCredentialsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arcpass_app_credentials_page_dispose;
  widget_class->grab_focus = arcpass_app_credentials_page_grab_focus;

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

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-app-credentials-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassAppCredentialsPage, portal_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAppCredentialsPage, client_id_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAppCredentialsPage, secret_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAppCredentialsPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAppCredentialsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAppCredentialsPage, sign_in_button);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, sign_in_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
}

static void
arcpass_app_credentials_page_init (ArcpassAppCredentialsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ArcpassAppCredentialsPage *
arcpass_app_credentials_page_new (ArcpassClient *client,
                                  GSettings     *settings)
{
  ArcpassAppCredentialsPage *self;
  g_autofree char *portal_url = NULL;

  g_return_val_if_fail (ARCPASS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (ARCPASS_TYPE_APP_CREDENTIALS_PAGE, NULL);
  self->client = g_object_ref (client);
  self->settings = g_object_ref (settings);

  portal_url = g_settings_get_string (settings, "default-portal-url");
  gtk_editable_set_text (GTK_EDITABLE (self->portal_row), portal_url);

  return self;
}

void
arcpass_app_credentials_page_set_defaults (ArcpassAppCredentialsPage *self,
                                           const char                *portal_url,
                                           const char                *client_id)
{
  g_return_if_fail (ARCPASS_IS_APP_CREDENTIALS_PAGE (self));

  if (portal_url)
    gtk_editable_set_text (GTK_EDITABLE (self->portal_row), portal_url);
  if (client_id)
    gtk_editable_set_text (GTK_EDITABLE (self->client_id_row), client_id);
}

void
arcpass_app_credentials_page_reset (ArcpassAppCredentialsPage *self)
{
  g_return_if_fail (ARCPASS_IS_APP_CREDENTIALS_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->secret_row), "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->portal_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->client_id_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->secret_row), "error");
  arcpass_ui_set_error (self->error_label, NULL);
}

void
arcpass_app_credentials_page_show_error (ArcpassAppCredentialsPage *self,
                                         const char                *message)
{
  g_return_if_fail (ARCPASS_IS_APP_CREDENTIALS_PAGE (self));

  arcpass_ui_set_error (self->error_label, message);
}
