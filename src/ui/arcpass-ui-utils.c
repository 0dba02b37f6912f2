/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-ui-utils.h"

const char *
arcpass_ui_credential_kind_label (ArcpassCredentialKind kind)
{
  switch (kind)
    {
    case ARCPASS_CREDENTIAL_OAUTH_USER:
      return _("ArcGIS account (OAuth)");
    case ARCPASS_CREDENTIAL_API_KEY:
      return _("API key");
    case ARCPASS_CREDENTIAL_APP_CREDENTIALS:
      return _("App credentials");
    case ARCPASS_CREDENTIAL_GENERATE_TOKEN:
      return _("Username and password (generateToken)");
    default:
      return _("Unknown");
    }
}

const char *
arcpass_ui_credential_state_label (ArcpassCredentialState state)
{
  switch (state)
    {
    case ARCPASS_CREDENTIAL_STATE_VALID:
      return _("Valid");
    case ARCPASS_CREDENTIAL_STATE_EXPIRES_SOON:
      return _("Expires soon");
    case ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED:
      return _("Sign-in required");
    case ARCPASS_CREDENTIAL_STATE_OFFLINE:
      return _("Offline");
    default:
      return _("Unknown");
    }
}

const char *
arcpass_ui_credential_state_class (ArcpassCredentialState state)
{
  switch (state)
    {
    case ARCPASS_CREDENTIAL_STATE_VALID:
      return "success";
    case ARCPASS_CREDENTIAL_STATE_EXPIRES_SOON:
      return "warning";
    case ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED:
      return "error";
    case ARCPASS_CREDENTIAL_STATE_OFFLINE:
    default:
      return "dim-label";
    }
}

char *
arcpass_ui_dup_portal_host (const char *portal_url)
{
  g_autoptr(GUri) uri = NULL;

  if (!portal_url || !*portal_url)
    return g_strdup ("");

  uri = g_uri_parse (portal_url, G_URI_FLAGS_NONE, NULL);
  if (!uri || !g_uri_get_host (uri))
    return g_strdup (portal_url);

  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));

  return g_strdup (g_uri_get_host (uri));
}

char *
arcpass_ui_dup_account_title (ArcpassCredential *credential)
{
  const char *full_name = arcpass_credential_get_full_name (credential);
  const char *username = arcpass_credential_get_username (credential);

  if (full_name && *full_name)
    return g_strdup (full_name);
  if (username && *username)
    return g_strdup (username);

  return arcpass_credential_dup_display_name (credential);
}

static char *
format_unit (gint64 value,
             char   unit)
{
  switch (unit)
    {
    case 'd':
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", value), (int) value);
    case 'h':
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour", "%d hours", value), (int) value);
    default:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes", value),
                              (int) value);
    }
}

char *
arcpass_ui_format_relative (gint64 when,
                            gint64 now)
{
  gint64 delta = when - now;
  gint64 abs_delta = ABS (delta);
  gint64 days = abs_delta / 86400;
  gint64 hours = (abs_delta % 86400) / 3600;
  gint64 minutes = (abs_delta % 3600) / 60;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *amount = NULL;

  /* Two units at most: "1 day 3 hours" is precise enough for an expiry. */
  if (days > 0)
    {
      first = format_unit (days, 'd');
      if (hours > 0)
        second = format_unit (hours, 'h');
    }
  else if (hours > 0)
    {
      first = format_unit (hours, 'h');
      if (minutes > 0)
        second = format_unit (minutes, 'm');
    }
  else if (minutes > 0)
    {
      first = format_unit (minutes, 'm');
    }
  else
    {
      return g_strdup (delta >= 0 ? _("in less than a minute") : _("less than a minute ago"));
    }

  amount = second ? g_strconcat (first, " ", second, NULL) : g_strdup (first);

  /* Translators: %s is a duration such as "1 hour 5 minutes". */
  if (delta >= 0)
    return g_strdup_printf (_("in %s"), amount);
  /* Translators: %s is a duration such as "1 hour 5 minutes". */
  return g_strdup_printf (_("%s ago"), amount);
}

static void
avatar_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(AdwAvatar) avatar = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  bytes = arcpass_client_request_bytes_finish (ARCPASS_CLIENT (source), result, NULL, &error);
  if (!bytes)
    {
      /* The initials stay; a missing picture is not worth bothering the user. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Avatar not loaded: %s", error->message);
      return;
    }

  texture = gdk_texture_new_from_bytes (bytes, &error);
  if (!texture)
    {
      g_debug ("Avatar picture not readable: %s", error->message);
      return;
    }

  adw_avatar_set_custom_image (avatar, GDK_PAINTABLE (texture));
}

void
arcpass_ui_load_avatar (AdwAvatar         *avatar,
                        ArcpassClient     *client,
                        ArcpassCredential *credential,
                        GCancellable      *cancellable)
{
  const char *url = arcpass_credential_get_avatar_url (credential);

  adw_avatar_set_custom_image (avatar, NULL);
  if (!url || !*url || !client)
    return;

  /* Only over https (or the loopback sandbox), since the token goes with it. */
  if (!arcpass_url_is_secure_enough (url))
    return;

  arcpass_client_request_bytes_async (client, ARCPASS_SERVICE_PORTAL, url, NULL,
                                      arcpass_credential_get_access_token (credential),
                                      ARCPASS_REQUEST_NO_F_JSON,
                                      cancellable, avatar_loaded_cb, g_object_ref (avatar));
}

void
arcpass_ui_set_error (GtkLabel   *label,
                      const char *message)
{
  /* A screen reader announces an alert when it appears, not when its text
   * changes: a new message in a label already shown makes it appear again. */
  if (message && gtk_widget_get_visible (GTK_WIDGET (label)) &&
      g_strcmp0 (gtk_label_get_text (label), message) != 0)
    gtk_widget_set_visible (GTK_WIDGET (label), FALSE);

  gtk_label_set_text (label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

void
arcpass_ui_announce (GtkLabel   *label,
                     const char *markup)
{
  g_autofree char *text = NULL;

  g_return_if_fail (GTK_IS_LABEL (label));
  g_return_if_fail (markup);

  if (!pango_parse_markup (markup, -1, 0, NULL, &text, NULL, NULL))
    text = g_strdup (markup);
  gtk_label_set_text (label, text);
}

char *
arcpass_ui_normalize_portal_row (AdwEntryRow *row,
                                 GtkLabel    *error_label)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  g_autofree char *portal_url = NULL;
  g_autoptr(GError) error = NULL;

  if (!*text)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      arcpass_ui_set_error (error_label, _("Enter the address of the portal, such as https://www.arcgis.com."));
      return NULL;
    }

  if (!arcpass_portal_normalize (text, &portal_url, NULL, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      arcpass_ui_set_error (error_label, error->message);
      return NULL;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  return g_steal_pointer (&portal_url);
}

gboolean
arcpass_ui_require_text (AdwEntryRow *row,
                         GtkLabel    *error_label,
                         const char  *message)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  for (const char *p = text; p && *p; p++)
    {
      if (!g_ascii_isspace (*p))
        {
          gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
          return TRUE;
        }
    }

  gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  arcpass_ui_set_error (error_label, message);
  return FALSE;
}

gboolean
arcpass_ui_error_is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_CANCELLED);
}
