/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-test-ui-utils.h"
#include "test-geocode-common.h"

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

void
geocode_fixture_set_up (GeocodeFixture *fixture,
                        const char     *api_key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ArcpassEndpoints) endpoints = NULL;

  fixture->sandbox = arcpass_sandbox_new ();
  g_assert_true (arcpass_sandbox_start (fixture->sandbox, 0, &error));
  g_assert_no_error (error);

  fixture->client = arcpass_client_new ();
  arcpass_sign_in_with_api_key_async (fixture->client, arcpass_sandbox_get_url (fixture->sandbox),
                                      api_key, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  fixture->credential = arcpass_sign_in_finish (result, &error);
  g_assert_no_error (error);

  fixture->manager = arcpass_token_manager_new (fixture->client, fixture->credential, NULL);
  endpoints = arcpass_endpoints_new_for_sandbox (arcpass_sandbox_get_url (fixture->sandbox));
  arcpass_token_manager_set_endpoints (fixture->manager, endpoints);
}

void
geocode_fixture_show (GeocodeFixture *fixture,
                      GtkWidget      *child)
{
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1280, 800);
  gtk_window_set_child (fixture->window, child);
  gtk_window_present (fixture->window);
  arcpass_test_wait_for_draw (GTK_WIDGET (fixture->window));
}

void
geocode_fixture_tear_down (GeocodeFixture *fixture)
{
  if (fixture->window != NULL)
    gtk_window_destroy (fixture->window);
  /* Let cancelled requests and tile loads finish before the sandbox goes. */
  arcpass_test_spin (100);
  g_clear_object (&fixture->manager);
  g_clear_object (&fixture->credential);
  g_clear_object (&fixture->client);
  arcpass_sandbox_stop (fixture->sandbox);
  g_clear_object (&fixture->sandbox);
}

static void
check_text (const char *what,
            const char *text,
            const char *secret)
{
  if (text != NULL && strstr (text, secret) != NULL)
    g_error ("secret found in %s: %s", what, text);
}

void
assert_no_secret_in_tree (GtkWidget  *root,
                          const char *secret)
{
  check_text ("tooltip", gtk_widget_get_tooltip_text (root), secret);

  if (GTK_IS_LABEL (root))
    check_text ("label", gtk_label_get_label (GTK_LABEL (root)), secret);
  else if (GTK_IS_TEXT_VIEW (root))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (root));
      GtkTextIter start, end;
      g_autofree char *text = NULL;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
      check_text ("text view", text, secret);
    }
  else if (GTK_IS_EDITABLE (root) && !GTK_IS_TEXT (root))
    check_text ("editable", gtk_editable_get_text (GTK_EDITABLE (root)), secret);

  if (ADW_IS_PREFERENCES_ROW (root))
    check_text ("row title", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), secret);
  if (ADW_IS_ACTION_ROW (root))
    check_text ("row subtitle", adw_action_row_get_subtitle (ADW_ACTION_ROW (root)), secret);
  if (ADW_IS_STATUS_PAGE (root))
    check_text ("status page", adw_status_page_get_description (ADW_STATUS_PAGE (root)), secret);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    assert_no_secret_in_tree (child, secret);
}

static void
read_text_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
  if (*out == NULL)
    *out = g_strdup ("");
}

char *
read_clipboard_text (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, read_text_cb, &text);
  while (text == NULL)
    g_main_context_iteration (NULL, TRUE);
  return text;
}
