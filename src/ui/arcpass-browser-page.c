/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-core.h"

#include "arcpass-browser-page-private.h"
#include "arcpass-oauth-form.h"

struct _ArcpassBrowserPage
{
  AdwBin                   parent_instance;

  ArcpassClient           *client;
  GSettings               *settings;

  /* The attempt in progress, if any. */
  ArcpassLoopbackReceiver *receiver;
  /* The receiver of the previous attempt, kept until the next one: see
   * end_attempt(). */
  ArcpassLoopbackReceiver *spent_receiver;
  ArcpassAuthorization    *authorization;
  char                    *authorize_url;
  GCancellable            *cancellable;
  gboolean                 waiting;
  /* The account signing in again, or NULL when one is being added. */
  char                    *username;

  /* Template widgets */
  GtkStack                *stack;
  AdwEntryRow             *portal_row;
  AdwEntryRow             *client_id_row;
  AdwEntryRow             *redirect_row;
  GtkLabel                *portal_error_label;
  GtkLabel                *client_id_error_label;
  GtkLabel                *redirect_error_label;
  GtkLabel                *form_error_label;
  GtkLabel                *link_label;
  GtkLabel                *redirect_label;
  GtkLabel                *waiting_status_label;
};

G_DEFINE_FINAL_TYPE (ArcpassBrowserPage, arcpass_browser_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_SETTINGS,
  N_PROPS
};

enum {
  SIGNAL_SIGNED_IN,
  SIGNAL_CANCELLED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Ends the attempt: stops listening on the loopback port and forgets the
 * PKCE verifier and state. */
static void
end_attempt (ArcpassBrowserPage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* Once the redirect has arrived, the receiver stops by itself after its
   * answer to the browser has been written; stopping it earlier would cut
   * that answer off. */
  if (self->receiver && self->waiting)
    arcpass_loopback_receiver_stop (self->receiver);
  /* The receiver answers the browser after handing over the redirect, and
   * stops from its message's "finished" handler; if ours were the last
   * reference, it would then be finalized inside that emission, together
   * with its server. Keeping it until the next attempt avoids that. */
  if (self->receiver && !self->waiting)
    g_set_object (&self->spent_receiver, self->receiver);
  self->waiting = FALSE;
  g_clear_object (&self->receiver);
  g_clear_object (&self->authorization);
  g_clear_pointer (&self->authorize_url, g_free);
  gtk_label_set_text (self->link_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->waiting_status_label), FALSE);
}

static void
show_form_error (ArcpassBrowserPage *self,
                 const char         *message)
{
  gtk_label_set_text (self->form_error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->form_error_label), message != NULL);
  gtk_stack_set_visible_child_name (self->stack, "form");
}

static void
fail_attempt (ArcpassBrowserPage *self,
              const GError       *error)
{
  g_autofree char *message = NULL;

  message = arcpass_oauth_form_describe_error (error,
                                               self->receiver
                                               ? arcpass_loopback_receiver_get_redirect_uri (self->receiver)
                                               : gtk_editable_get_text (GTK_EDITABLE (self->redirect_row)));
  end_attempt (self);
  show_form_error (self, message);
}

static void
sign_in_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ArcpassBrowserPage) self = user_data;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GError) error = NULL;

  credential = arcpass_sign_in_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (!credential)
    {
      fail_attempt (self, error);
      return;
    }

  end_attempt (self);
  show_form_error (self, NULL);
  g_signal_emit (self, signals[SIGNAL_SIGNED_IN], 0, credential);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ArcpassBrowserPage) self = user_data;
  g_autoptr(ArcpassSecret) uri = NULL;
  g_autoptr(ArcpassSecret) code = NULL;
  g_autoptr(GError) error = NULL;
  ArcpassRedirectResult kind;

  uri = arcpass_loopback_receiver_wait_finish (ARCPASS_LOOPBACK_RECEIVER (source), result, &error);
  if ((gpointer) source == (gpointer) self->receiver)
    self->waiting = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->authorization)
    return;
  if (!uri)
    {
      fail_attempt (self, error);
      return;
    }

  /* The core checks that this is our redirect and that `state` is the one
   * we sent: another program on this computer could call the port too. */
  kind = arcpass_authorization_parse_redirect (self->authorization, uri, &code, &error);
  if (kind != ARCPASS_REDIRECT_CODE)
    {
      if (!error)
        g_set_error_literal (&error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                             _("Arcpass was called back at an unexpected address. Start the "
                               "sign-in again."));
      fail_attempt (self, error);
      return;
    }

  gtk_stack_set_visible_child_name (self->stack, "working");
  arcpass_sign_in_with_code_async (self->client, self->authorization, code,
                                   self->cancellable, sign_in_cb, g_object_ref (self));
}

static void
launch_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ArcpassBrowserPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Not fatal: the link is on the page, the user can open it by hand. */
      message = g_strdup_printf (_("Arcpass could not open your browser (%s). Copy the link "
                                   "below and open it in your browser."),
                                 error->message);
      gtk_label_set_text (self->waiting_status_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->waiting_status_label), TRUE);
    }
}

static void
launch_browser (ArcpassBrowserPage *self)
{
  g_autoptr(GdkAppLaunchContext) context = NULL;

  if (!self->authorize_url)
    return;
  if (arcpass_oauth_form_browser_disabled ())
    return;

  /* The GIO default handler goes through the OpenURI portal inside Flatpak. */
  context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));
  g_app_info_launch_default_for_uri_async (self->authorize_url, G_APP_LAUNCH_CONTEXT (context),
                                           self->cancellable, launch_cb, g_object_ref (self));
}

static void
validate_form (ArcpassBrowserPage *self)
{
  g_free (arcpass_oauth_form_check_portal (self->portal_row, self->portal_error_label, FALSE));
  g_free (arcpass_oauth_form_check_client_id (self->client_id_row, self->client_id_error_label,
                                              FALSE));
  g_free (arcpass_oauth_form_check_loopback_redirect_uri (self->redirect_row,
                                                          self->redirect_error_label, FALSE));
}

static void
redirect_changed_cb (ArcpassBrowserPage *self)
{
  g_free (arcpass_oauth_form_check_loopback_redirect_uri (self->redirect_row,
                                                          self->redirect_error_label, FALSE));
}

static void
portal_changed_cb (ArcpassBrowserPage *self)
{
  g_free (arcpass_oauth_form_check_portal (self->portal_row, self->portal_error_label, FALSE));
}

static void
client_id_changed_cb (ArcpassBrowserPage *self)
{
  g_free (arcpass_oauth_form_check_client_id (self->client_id_row, self->client_id_error_label,
                                              FALSE));
}

static void
entry_activated_cb (ArcpassBrowserPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "browser.sign-in", NULL);
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ArcpassBrowserPage *self = ARCPASS_BROWSER_PAGE (widget);
  g_autofree char *portal_url = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *redirect_uri = NULL;
  g_autoptr(GError) error = NULL;

  portal_url = arcpass_oauth_form_check_portal (self->portal_row, self->portal_error_label, TRUE);
  client_id = arcpass_oauth_form_check_client_id (self->client_id_row,
                                                  self->client_id_error_label, TRUE);
  redirect_uri = arcpass_oauth_form_check_loopback_redirect_uri (self->redirect_row,
                                                                 self->redirect_error_label, TRUE);
  if (!portal_url)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->portal_row));
      return;
    }
  if (!client_id)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->client_id_row));
      return;
    }
  if (!redirect_uri)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->redirect_row));
      return;
    }

  if (!arcpass_browser_page_start (self, portal_url, client_id, TRUE, &error))
    {
      show_form_error (self, error->message);
      if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_PORT_IN_USE))
        gtk_widget_grab_focus (GTK_WIDGET (self->redirect_row));
    }
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ArcpassBrowserPage *self = ARCPASS_BROWSER_PAGE (widget);

  end_attempt (self);
  show_form_error (self, NULL);
  g_signal_emit (self, signals[SIGNAL_CANCELLED], 0);
}

static void
copy_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ArcpassBrowserPage *self = ARCPASS_BROWSER_PAGE (widget);

  if (!self->authorize_url)
    return;

  arcpass_oauth_form_copy_text (widget, self->authorize_url);
  gtk_label_set_text (self->waiting_status_label,
                      _("Link copied. Open it in your browser to sign in."));
  gtk_widget_set_visible (GTK_WIDGET (self->waiting_status_label), TRUE);
}

static void
copy_redirect_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ArcpassBrowserPage *self = ARCPASS_BROWSER_PAGE (widget);
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->redirect_row))));

  arcpass_oauth_form_copy_text (widget, text);
}

static void
open_again_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  launch_browser (ARCPASS_BROWSER_PAGE (widget));
}

static void
arcpass_browser_page_dispose (GObject *object)
{
  ArcpassBrowserPage *self = ARCPASS_BROWSER_PAGE (object);

  end_attempt (self);
  g_clear_object (&self->spent_receiver);
  g_clear_pointer (&self->username, g_free);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);

  /* AdwBin unparents the template root itself (it is the bin's child). */

  G_OBJECT_CLASS (arcpass_browser_page_parent_class)->dispose (object);
}

static void
arcpass_browser_page_constructed (GObject *object)
{
  ArcpassBrowserPage *self = ARCPASS_BROWSER_PAGE (object);
  g_autofree char *portal = NULL;
  g_autofree char *redirect_uri = NULL;

  G_OBJECT_CLASS (arcpass_browser_page_parent_class)->constructed (object);

  if (!self->client)
    self->client = g_object_ref (arcpass_client_get_default ());

  portal = arcpass_oauth_form_default_portal (self->settings);
  gtk_editable_set_text (GTK_EDITABLE (self->portal_row), portal);
  /* Remembered: it is what the user registered, not a secret. */
  if (self->settings)
    redirect_uri = g_settings_get_string (self->settings, "browser-redirect-uri");
  gtk_editable_set_text (GTK_EDITABLE (self->redirect_row),
                         redirect_uri && *redirect_uri ? redirect_uri
                                                       : ARCPASS_LOOPBACK_DEFAULT_REDIRECT_URI);
}

static void
arcpass_browser_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ArcpassBrowserPage *self = ARCPASS_BROWSER_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_browser_page_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ArcpassBrowserPage *self = ARCPASS_BROWSER_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_set_object (&self->client, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      g_set_object (&self->settings, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_browser_page_class_init (ArcpassBrowserPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arcpass_browser_page_dispose;
  object_class->constructed = arcpass_browser_page_constructed;
  object_class->get_property = arcpass_browser_page_get_property;
  object_class->set_property = arcpass_browser_page_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL,
                         ARCPASS_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SIGNED_IN] =
    g_signal_new ("signed-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ARCPASS_TYPE_CREDENTIAL);
  signals[SIGNAL_CANCELLED] =
    g_signal_new ("cancelled",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-browser-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassBrowserPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBrowserPage, portal_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBrowserPage, client_id_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBrowserPage, redirect_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBrowserPage, redirect_error_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBrowserPage, portal_error_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBrowserPage, client_id_error_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBrowserPage, form_error_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBrowserPage, link_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBrowserPage, redirect_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBrowserPage, waiting_status_label);
  gtk_widget_class_bind_template_callback (widget_class, portal_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, client_id_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, redirect_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);

  gtk_widget_class_install_action (widget_class, "browser.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "browser.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "browser.copy-link", NULL, copy_link_action);
  gtk_widget_class_install_action (widget_class, "browser.open-again", NULL, open_again_action);
  gtk_widget_class_install_action (widget_class, "browser.copy-redirect", NULL,
                                   copy_redirect_action);
}

static void
arcpass_browser_page_init (ArcpassBrowserPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ArcpassBrowserPage *
arcpass_browser_page_new (ArcpassClient *client,
                          GSettings     *settings)
{
  g_return_val_if_fail (!client || ARCPASS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (!settings || G_IS_SETTINGS (settings), NULL);

  return g_object_new (ARCPASS_TYPE_BROWSER_PAGE,
                       "client", client,
                       "settings", settings,
                       NULL);
}

void
arcpass_browser_page_set_defaults (ArcpassBrowserPage *self,
                                   const char         *portal_url,
                                   const char         *client_id)
{
  g_return_if_fail (ARCPASS_IS_BROWSER_PAGE (self));

  if (portal_url)
    gtk_editable_set_text (GTK_EDITABLE (self->portal_row), portal_url);
  if (client_id)
    gtk_editable_set_text (GTK_EDITABLE (self->client_id_row), client_id);
  validate_form (self);
}

void
arcpass_browser_page_set_username (ArcpassBrowserPage *self,
                                   const char         *username)
{
  g_return_if_fail (ARCPASS_IS_BROWSER_PAGE (self));

  g_free (self->username);
  self->username = username && *username ? g_strdup (username) : NULL;
}

void
arcpass_browser_page_set_redirect_uri (ArcpassBrowserPage *self,
                                       const char         *redirect_uri)
{
  g_return_if_fail (ARCPASS_IS_BROWSER_PAGE (self));

  if (redirect_uri)
    gtk_editable_set_text (GTK_EDITABLE (self->redirect_row), redirect_uri);
}

gboolean
arcpass_browser_page_start (ArcpassBrowserPage  *self,
                            const char          *portal_url,
                            const char          *client_id,
                            gboolean             launch,
                            GError             **error)
{
  g_autofree char *redirect_text = NULL;
  g_autofree char *redirect_uri = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (ARCPASS_IS_BROWSER_PAGE (self), FALSE);
  g_return_val_if_fail (portal_url && client_id, FALSE);

  end_attempt (self);
  gtk_editable_set_text (GTK_EDITABLE (self->portal_row), portal_url);
  gtk_editable_set_text (GTK_EDITABLE (self->client_id_row), client_id);

  redirect_uri = arcpass_oauth_form_check_loopback_redirect_uri (self->redirect_row,
                                                                 self->redirect_error_label, TRUE);
  if (!redirect_uri)
    {
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                           gtk_label_get_text (self->redirect_error_label));
      return FALSE;
    }

  /* The receiver listens before the browser opens, on the port of the
   * redirect URI registered in the OAuth credential: ArcGIS only sends the
   * browser back to exactly that URI. */
  self->receiver = arcpass_loopback_receiver_new_for_uri (redirect_uri, &local_error);
  if (!self->receiver)
    {
      /* The form stays on screen, and says which port and what to do. */
      show_form_error (self, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* Remembered for the next new account; signing in again to an account
   * uses that account's own redirect URI and leaves the default alone. */
  if (self->settings && self->username == NULL)
    g_settings_set_string (self->settings, "browser-redirect-uri", redirect_uri);

  self->authorization = arcpass_authorization_new (portal_url, client_id,
                                                   arcpass_loopback_receiver_get_redirect_uri (self->receiver),
                                                   error);
  if (!self->authorization)
    {
      end_attempt (self);
      return FALSE;
    }
  /* The system browser may hold a portal session, maybe another user's:
   * the portal must ask for the password (Esri's JS API does the same). */
  arcpass_authorization_set_force_login (self->authorization, TRUE);
  if (self->username)
    arcpass_authorization_set_prepopulated_username (self->authorization, self->username);

  self->authorize_url = arcpass_authorization_build_url (self->authorization);
  self->cancellable = g_cancellable_new ();

  gtk_label_set_text (self->link_label, self->authorize_url);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->link_label), self->authorize_url);
  redirect_text = g_strdup_printf (_("The portal sends you back to %s. If it says the redirect "
                                     "URI is invalid, register exactly this URI, port included, "
                                     "in the redirect URIs of your OAuth credential."),
                                   arcpass_loopback_receiver_get_redirect_uri (self->receiver));
  gtk_label_set_text (self->redirect_label, redirect_text);
  gtk_widget_set_visible (GTK_WIDGET (self->form_error_label), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "waiting");

  self->waiting = TRUE;
  arcpass_loopback_receiver_wait_async (self->receiver, ARCPASS_LOOPBACK_DEFAULT_TIMEOUT,
                                        self->cancellable, wait_cb, g_object_ref (self));
  if (launch)
    launch_browser (self);

  return TRUE;
}

const char *
arcpass_browser_page_get_authorize_url (ArcpassBrowserPage *self)
{
  g_return_val_if_fail (ARCPASS_IS_BROWSER_PAGE (self), NULL);

  return self->authorize_url;
}

const char *
arcpass_browser_page_get_redirect_uri (ArcpassBrowserPage *self)
{
  g_return_val_if_fail (ARCPASS_IS_BROWSER_PAGE (self), NULL);

  return self->receiver ? arcpass_loopback_receiver_get_redirect_uri (self->receiver) : NULL;
}
