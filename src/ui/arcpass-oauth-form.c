/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "arcpass-core.h"

#include "arcpass-oauth-form.h"

void
arcpass_oauth_form_set_row_error (AdwEntryRow *row,
                                  GtkLabel    *label,
                                  const char  *message)
{
  if (message)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      gtk_label_set_text (label, message);
      gtk_widget_set_visible (GTK_WIDGET (label), TRUE);
      /* Screen readers announce the row's description together with it. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                      -1);
      gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
      gtk_label_set_text (label, "");
      gtk_widget_set_visible (GTK_WIDGET (label), FALSE);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      gtk_accessible_reset_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID);
    }
}

static char *
get_trimmed_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

char *
arcpass_oauth_form_check_portal (AdwEntryRow *row,
                                 GtkLabel    *label,
                                 gboolean     report_empty)
{
  g_autofree char *text = get_trimmed_text (row);
  g_autofree char *portal_url = NULL;
  g_autoptr(GError) error = NULL;

  if (!*text)
    {
      arcpass_oauth_form_set_row_error (row, label,
                                        report_empty ? _("Enter the address of your portal, "
                                                         "for example https://www.arcgis.com.")
                                                     : NULL);
      return NULL;
    }

  /* The core's normaliser is the single judge of what a portal URL is, so
   * the form and the sign-in agree; its message already says what to do. */
  if (!arcpass_portal_normalize (text, &portal_url, NULL, &error))
    {
      arcpass_oauth_form_set_row_error (row, label, error->message);
      return NULL;
    }

  arcpass_oauth_form_set_row_error (row, label, NULL);
  return g_steal_pointer (&portal_url);
}

char *
arcpass_oauth_form_check_client_id (AdwEntryRow *row,
                                    GtkLabel    *label,
                                    gboolean     report_empty)
{
  g_autofree char *text = get_trimmed_text (row);

  if (!*text)
    {
      arcpass_oauth_form_set_row_error (row, label,
                                        report_empty ? _("Enter the client ID of your OAuth "
                                                         "credential, shown in its settings on "
                                                         "the portal.")
                                                     : NULL);
      return NULL;
    }

  for (const char *p = text; *p; p++)
    {
      if (g_ascii_isspace (*p) || *p == '&' || *p == '?' || *p == '#')
        {
          arcpass_oauth_form_set_row_error (row, label,
                                            _("A client ID has no spaces or punctuation: copy it "
                                              "again from your OAuth credential."));
          return NULL;
        }
    }

  arcpass_oauth_form_set_row_error (row, label, NULL);
  return g_steal_pointer (&text);
}

char *
arcpass_oauth_form_check_redirect_uri (AdwEntryRow *row,
                                       GtkLabel    *label,
                                       gboolean     report_empty)
{
  g_autofree char *text = get_trimmed_text (row);
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (!*text)
    {
      g_autofree char *message = NULL;

      if (report_empty)
        /* Translators: %s is the out-of-band redirect URI, urn:ietf:wg:oauth:2.0:oob. */
        message = g_strdup_printf (_("Enter a redirect URL registered in your OAuth credential, "
                                     "or %s."),
                                   ARCPASS_OAUTH_OOB_REDIRECT_URI);
      arcpass_oauth_form_set_row_error (row, label, message);
      return NULL;
    }

  if (g_str_equal (text, ARCPASS_OAUTH_OOB_REDIRECT_URI))
    {
      arcpass_oauth_form_set_row_error (row, label, NULL);
      return g_steal_pointer (&text);
    }

  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  if (!uri)
    {
      arcpass_oauth_form_set_row_error (row, label,
                                        _("This is not a URL. Use the exact redirect URL "
                                          "registered in your OAuth credential."));
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0)
    {
      if (!g_uri_get_host (uri) || !*g_uri_get_host (uri))
        {
          arcpass_oauth_form_set_row_error (row, label, _("The redirect URL has no host name."));
          return NULL;
        }
      /* A code sent in clear over the network could be stolen on the way. */
      if (!arcpass_url_is_secure_enough (text))
        {
          arcpass_oauth_form_set_row_error (row, label,
                                            _("An http:// redirect URL is only allowed on this "
                                              "computer (127.0.0.1 or localhost). Use https://."));
          return NULL;
        }
    }

  arcpass_oauth_form_set_row_error (row, label, NULL);
  return g_steal_pointer (&text);
}

char *
arcpass_oauth_form_check_loopback_redirect_uri (AdwEntryRow *row,
                                                GtkLabel    *label,
                                                gboolean     report_empty)
{
  g_autofree char *text = get_trimmed_text (row);
  g_autoptr(GError) error = NULL;

  if (!*text)
    {
      g_autofree char *message = NULL;

      if (report_empty)
        /* Translators: %s is an example redirect URI. */
        message = g_strdup_printf (_("Enter the redirect URI registered in your OAuth "
                                     "credential, for example %s."),
                                   ARCPASS_LOOPBACK_DEFAULT_REDIRECT_URI);
      arcpass_oauth_form_set_row_error (row, label, message);
      return NULL;
    }

  /* The receiver's own parser decides, so that what the form accepts can
   * be listened on. */
  if (!arcpass_loopback_redirect_uri_parse (text, NULL, NULL, &error))
    {
      arcpass_oauth_form_set_row_error (row, label, error->message);
      return NULL;
    }

  arcpass_oauth_form_set_row_error (row, label, NULL);
  return g_steal_pointer (&text);
}

char *
arcpass_oauth_form_default_portal (GSettings *settings)
{
  g_autofree char *url = NULL;

  if (settings)
    url = g_settings_get_string (settings, "default-portal-url");
  if (!url || !*url)
    return g_strdup (ARCPASS_ONLINE_PORTAL_URL);
  return g_steal_pointer (&url);
}

void
arcpass_oauth_form_copy_text (GtkWidget  *widget,
                              const char *text)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

char *
arcpass_oauth_form_describe_error (const GError *error,
                                   const char   *redirect_uri)
{
  if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_STATE_MISMATCH))
    return g_strdup (_("The answer of the sign-in page does not belong to the sign-in Arcpass "
                       "started (its state value is wrong or missing), so it was refused. "
                       "Start the sign-in again."));
  if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_ACCESS_DENIED))
    return g_strdup (_("The sign-in was cancelled or access was refused on the portal."));
  if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_REDIRECT_MISMATCH))
    return g_strdup_printf (_("The portal does not accept the redirect URL “%s”. In your OAuth "
                              "credential's settings on the portal, add this exact redirect "
                              "URL, then try again."),
                            redirect_uri ? redirect_uri : "");
  if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_CLIENT))
    return g_strdup (_("The portal does not know this client ID. Check the client ID of your "
                       "OAuth credential on the portal."));

  /* The core's messages are written for users already. */
  return g_strdup (error->message);
}

gboolean
arcpass_oauth_form_browser_disabled (void)
{
  return g_strcmp0 (g_getenv ("ARCPASS_TEST_BROWSER"), "none") == 0;
}
