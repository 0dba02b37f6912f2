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

  /* The token goes with it only where it may (arcpass-token-scope.c); a
   * picture elsewhere is fetched without it. */
  arcpass_client_request_bytes_async (client, ARCPASS_SERVICE_PORTAL, url, NULL,
                                      arcpass_token_scope_decide (credential, NULL, url, NULL) ==
                                        ARCPASS_TOKEN_SCOPE_ACCOUNT
                                        ? arcpass_credential_get_access_token (credential)
                                        : NULL,
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

/* ---- Checking an account ------------------------------------------------- */

#define ACCOUNT_PROBLEM_KEY "arcpass-ui-account-problem"

const char *
arcpass_ui_get_account_problem (ArcpassCredential *credential)
{
  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (credential), NULL);

  return g_object_get_data (G_OBJECT (credential), ACCOUNT_PROBLEM_KEY);
}

void
arcpass_ui_set_account_problem (ArcpassCredential *credential,
                                const char        *problem)
{
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (credential));

  g_object_set_data_full (G_OBJECT (credential), ACCOUNT_PROBLEM_KEY, g_strdup (problem), g_free);
}

static gboolean
needs_sign_in (const GError *error)
{
  return arcpass_error_is_token_error (error) ||
         g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_SIGN_IN_REQUIRED) ||
         g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_EXPIRED) ||
         g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_GRANT) ||
         g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_CLIENT);
}

/* A refused token needs the user; anything else (a portal that is down,
 * busy, slow or answering garbage) is "offline": transient, and never a
 * reason to ask for a new sign-in. The state is not saved: a failed check
 * changes nothing in the keyring. */
static void
check_failed (GTask        *task,
              GError       *error)
{
  ArcpassTokenManager *manager = g_task_get_source_object (task);
  ArcpassCredential *credential = arcpass_token_manager_get_credential (manager);
  char *problem;

  if (arcpass_ui_error_is_cancelled (error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* Translators: %s is the portal's or the network's explanation. */
  problem = g_strdup_printf (_("Arcpass could not check this account with its portal: %s"),
                             error->message);
  g_object_set_data_full (G_OBJECT (credential), ACCOUNT_PROBLEM_KEY, problem, g_free);
  arcpass_credential_set_state (credential, needs_sign_in (error)
                                            ? ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED
                                            : ARCPASS_CREDENTIAL_STATE_OFFLINE);
  /* A renewal that failed on the way may have set the state already: the
   * views that show the problem must hear of it all the same. */
  g_object_notify (G_OBJECT (credential), "state");
  g_task_return_error (task, error);
}

static void
check_portal_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ArcpassTokenManager *manager = g_task_get_source_object (task);
  ArcpassCredential *credential = arcpass_token_manager_get_credential (manager);
  g_autoptr(JsonObject) body = NULL;
  GError *error = NULL;

  body = arcpass_client_request_json_finish (ARCPASS_CLIENT (source), result, NULL, &error);
  if (body == NULL)
    {
      check_failed (task, error);
      return;
    }

  g_object_set_data (G_OBJECT (credential), ACCOUNT_PROBLEM_KEY, NULL);
  arcpass_credential_set_state (credential, ARCPASS_CREDENTIAL_STATE_VALID);
  arcpass_credential_update_state (credential, arcpass_client_get_now (ARCPASS_CLIENT (source)));
  g_task_return_boolean (task, TRUE);
}

static void
check_token_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ArcpassTokenManager *manager = ARCPASS_TOKEN_MANAGER (source);
  ArcpassCredential *credential = arcpass_token_manager_get_credential (manager);
  g_autofree char *self_url = NULL;
  GError *error = NULL;
  char *token;

  token = arcpass_token_manager_get_token_finish (manager, result, &error);
  if (token == NULL)
    {
      check_failed (task, error);
      return;
    }

  self_url = g_strconcat (arcpass_credential_get_portal_url (credential),
                          "/sharing/rest/portals/self", NULL);
  /* A generateToken token only works with the referer it was bound to. */
  arcpass_client_request_json_async (arcpass_token_manager_get_client (manager),
                                     ARCPASS_SERVICE_PORTAL, self_url, NULL, token,
                                     arcpass_credential_get_request_flags (credential),
                                     g_task_get_cancellable (task),
                                     check_portal_cb, g_object_ref (task));
  arcpass_secret_free (token);
}

void
arcpass_ui_check_account_async (ArcpassTokenManager *manager,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager));

  task = g_task_new (manager, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_ui_check_account_async);
  arcpass_token_manager_get_token_async (manager, FALSE, cancellable, check_token_cb,
                                         g_steal_pointer (&task));
}

gboolean
arcpass_ui_check_account_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_ui_check_account_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
