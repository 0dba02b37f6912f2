/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "arcpass-account-view.h"
#include "arcpass-clipboard.h"
#include "arcpass-resources.h"
#include "arcpass-sandbox.h"
#include "arcpass-token-row.h"
#include "arcpass-test-ui-utils.h"

/* The account view in a real window (Xvfb of tests/arcpass-test-session),
 * with accounts signed in through the core against an in-process sandbox
 * and saved in the session's throw-away keyring. The tests run in order and
 * share the sandbox, the client and the keyring. */

static ArcpassSandbox *sandbox;
static ArcpassClient *client;
static ArcpassAccountStore *store;
static GSettings *settings;
static SoupSession *browser;

/* ---- Running async calls to completion ----------------------------- */

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

#define RUN(call_async, ...)                                              \
  ({                                                                      \
    GAsyncResult *_res = NULL;                                            \
    call_async (__VA_ARGS__, store_result_cb, &_res);                     \
    wait_for (&_res);                                                     \
  })

static gint64
sandbox_clock (gpointer user_data)
{
  return arcpass_sandbox_get_now (ARCPASS_SANDBOX (user_data));
}

/* ---- HTTP: the sign-in form, revoking behind the app's back, the log ----- */

static char *
http_request (const char *method,
              const char *url,
              const char *form,
              guint      *out_status,
              char      **out_location)
{
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  if (form)
    {
      g_autoptr(GBytes) request_body = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded", request_body);
    }

  /* The sandbox answers on this thread's main context: never block it. */
  res = RUN (soup_session_send_and_read_async, browser, message, G_PRIORITY_DEFAULT, NULL);
  body = soup_session_send_and_read_finish (browser, res, &error);
  g_assert_no_error (error);

  if (out_status)
    *out_status = soup_message_get_status (message);
  if (out_location)
    *out_location = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                            "Location"));

  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static char *
html_match (const char *html,
            const char *pattern)
{
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (!g_regex_match (regex, html, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 1);
}

/* An OAuth user account, signed in like a user would: the authorize page's
 * form is filled in and posted, the oob redirect parsed, the code exchanged. */
static ArcpassCredential *
sign_in_user (const char *username,
              const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassAuthorization) auth = NULL;
  g_autofree char *url = NULL;
  g_autofree char *html = NULL;
  g_autofree char *action = NULL;
  g_autofree char *oauth_state = NULL;
  g_autofree char *form = NULL;
  g_autofree char *page = NULL;
  g_autofree char *location = NULL;
  g_autoptr(GUri) base = NULL;
  g_autoptr(GUri) action_uri = NULL;
  g_autofree char *action_url = NULL;
  g_autoptr(ArcpassSecret) code = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  guint status = 0;

  auth = arcpass_authorization_new (arcpass_sandbox_get_url (sandbox), ARCPASS_SANDBOX_CLIENT_ID, NULL, &error);
  g_assert_no_error (error);
  url = arcpass_authorization_build_url (auth);

  html = http_request ("GET", url, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  action = html_match (html, "<form[^>]*action=\"([^\"]*)\"");
  oauth_state = html_match (html, "name=\"oauth_state\" value=\"([^\"]*)\"");
  g_assert_nonnull (action);
  g_assert_nonnull (oauth_state);

  base = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  action_uri = g_uri_parse_relative (base, action, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  action_url = g_uri_to_string (action_uri);

  form = soup_form_encode ("oauth_state", oauth_state, "username", username,
                           "password", password, "authorize", "true", NULL);
  page = http_request ("POST", action_url, form, &status, &location);
  g_assert_cmpuint (status, ==, 302);
  g_assert_nonnull (location);

  g_assert_cmpint (arcpass_authorization_parse_redirect (auth, location, &code, &error), ==, ARCPASS_REDIRECT_CODE);
  g_assert_no_error (error);

  res = RUN (arcpass_sign_in_with_code_async, client, auth, code, NULL);
  {
    ArcpassCredential *credential = arcpass_sign_in_finish (res, &error);

    g_assert_no_error (error);
    g_assert_nonnull (arcpass_credential_get_refresh_token (credential));
    return credential;
  }
}

static ArcpassCredential *
sign_in_app (void)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  ArcpassCredential *credential;

  res = RUN (arcpass_sign_in_with_app_credentials_async, client, arcpass_sandbox_get_url (sandbox),
             ARCPASS_SANDBOX_CLIENT_ID, ARCPASS_SANDBOX_CLIENT_SECRET, NULL);
  credential = arcpass_sign_in_finish (res, &error);
  g_assert_no_error (error);

  return credential;
}

static void
save (ArcpassCredential *credential)
{
  g_autoptr(GAsyncResult) res = RUN (arcpass_account_store_save_async, store, credential, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (arcpass_account_store_save_finish (store, res, &error));
  g_assert_no_error (error);
}

/* TRUE when the keyring has the account; FALSE on NOT_FOUND. */
static gboolean
in_keyring (ArcpassCredential *credential)
{
  g_autoptr(GAsyncResult) res = RUN (arcpass_account_store_load_async, store,
                                     arcpass_credential_get_id (credential), NULL);
  g_autoptr(ArcpassCredential) loaded = NULL;
  g_autoptr(GError) error = NULL;

  loaded = arcpass_account_store_load_finish (store, res, &error);
  if (loaded == NULL)
    {
      g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND);
      return FALSE;
    }

  return TRUE;
}

static void
clear_sandbox_log (void)
{
  g_autofree char *url = g_strconcat (arcpass_sandbox_get_url (sandbox), "/_sandbox/log", NULL);
  g_autofree char *body = http_request ("DELETE", url, NULL, NULL, NULL);
}

/* How many requests of @method to a path ending in @suffix the sandbox
 * saw since the log was last cleared, and with which status. */
static guint
count_sandbox_requests (const char *method,
                        const char *suffix,
                        guint       status)
{
  g_autofree char *url = g_strconcat (arcpass_sandbox_get_url (sandbox), "/_sandbox/log", NULL);
  g_autofree char *body = http_request ("GET", url, NULL, NULL, NULL);
  g_autoptr(JsonNode) root = json_from_string (body, NULL);
  JsonArray *entries;
  guint count = 0;

  g_assert_nonnull (root);
  entries = json_object_get_array_member (json_node_get_object (root), "entries");
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      if (g_str_equal (json_object_get_string_member (entry, "method"), method) &&
          g_str_has_suffix (json_object_get_string_member (entry, "path"), suffix) &&
          (status == 0 || json_object_get_int_member (entry, "status") == status))
        count++;
    }

  return count;
}

/* ---- The window ---------------------------------------------------------- */

typedef struct {
  GtkWindow *window;
  ArcpassAccountView *view;
  ArcpassTokenManager *manager;
  GPtrArray *toasts;
  guint removed;
  guint restored;
  guint signed_out;
} Fixture;

static gboolean
add_toast_cb (ArcpassAccountView *view,
              AdwToast           *toast,
              Fixture            *fixture)
{
  g_ptr_array_add (fixture->toasts, g_object_ref (toast));
  /* Not handled: the view shows it in its own overlay. */
  return FALSE;
}

static void
count_cb (ArcpassAccountView *view,
          ArcpassCredential  *credential,
          guint              *counter)
{
  g_assert_true (credential == arcpass_account_view_get_credential (view) || counter != NULL);
  (*counter)++;
}

static void
fixture_open (Fixture           *fixture,
              ArcpassCredential *credential)
{
  memset (fixture, 0, sizeof *fixture);
  fixture->toasts = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->manager = arcpass_token_manager_new (client, credential, store);
  arcpass_token_manager_set_endpoints (fixture->manager, NULL);

  fixture->view = arcpass_account_view_new (client, store, settings);
  arcpass_account_view_set_manager (fixture->view, fixture->manager);
  g_signal_connect (fixture->view, "add-toast", G_CALLBACK (add_toast_cb), fixture);
  g_signal_connect (fixture->view, "removed", G_CALLBACK (count_cb), &fixture->removed);
  g_signal_connect (fixture->view, "restored", G_CALLBACK (count_cb), &fixture->restored);
  g_signal_connect (fixture->view, "signed-out", G_CALLBACK (count_cb), &fixture->signed_out);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (fixture->window, "Account");
  gtk_window_set_default_size (fixture->window, 1280, 800);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
  gtk_window_present (fixture->window);
  arcpass_test_wait_for_draw (GTK_WIDGET (fixture->view));
}

static void
fixture_close (Fixture *fixture)
{
  gtk_window_destroy (fixture->window);
  arcpass_test_spin (50);
  g_clear_object (&fixture->manager);
  g_clear_pointer (&fixture->toasts, g_ptr_array_unref);
}

static gpointer
find (Fixture    *fixture,
      const char *name)
{
  GtkWidget *widget = arcpass_test_find_widget (GTK_WIDGET (fixture->view), GTK_TYPE_WIDGET, name);

  g_assert_nonnull (widget);
  return widget;
}

static const char *
row_title (Fixture    *fixture,
           const char *name)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (find (fixture, name)));
}

static const char *
row_subtitle (Fixture    *fixture,
              const char *name)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (find (fixture, name)));
}

static void
activate (Fixture    *fixture,
          const char *action,
          GVariant   *target)
{
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (fixture->view), action, target));
}

static const char *
last_toast_title (Fixture *fixture)
{
  g_assert_cmpuint (fixture->toasts->len, >, 0);
  return adw_toast_get_title (g_ptr_array_index (fixture->toasts, fixture->toasts->len - 1));
}

/* ---- The clipboard --------------------------------------------------------- */

static GdkClipboard *
get_clipboard (void)
{
  return gdk_display_get_clipboard (gdk_display_get_default ());
}

static void
read_text_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **out = user_data;
  g_autoptr(GError) error = NULL;
  char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);

  *out = text ? text : g_strdup ("");
}

/* The clipboard's text ("" when empty), as any reader would get it. */
static char *
read_clipboard (void)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (get_clipboard (), NULL, read_text_cb, &text);
  while (text == NULL)
    g_main_context_iteration (NULL, TRUE);

  return text;
}

static gboolean
clipboard_is_ours_cb (gpointer data)
{
  return arcpass_clipboard_holds_ours (get_clipboard ());
}

static gboolean
clipboard_not_local_cb (gpointer data)
{
  return !gdk_clipboard_is_local (get_clipboard ());
}

/* Runs an export action and returns what landed in the clipboard. */
static char *
export_text (Fixture    *fixture,
             const char *action,
             const char *format)
{
  guint toasts = fixture->toasts->len;

  /* Something else first, so that a copy that did not happen shows. */
  gdk_clipboard_set_text (get_clipboard (), "before");
  activate (fixture, action, format ? g_variant_new_string (format) : NULL);
  g_assert_true (arcpass_test_wait_until (clipboard_is_ours_cb, NULL, 5000));
  g_assert_cmpuint (fixture->toasts->len, ==, toasts + 1);

  return read_clipboard ();
}

static char *
iso8601 (gint64 when)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (when);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static void
check_json_export (const char        *text,
                   ArcpassCredential *cred,
                   gboolean           with_refresh)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = json_from_string (text, &error);
  g_autofree char *iso = iso8601 (arcpass_credential_get_access_expires (cred));
  JsonObject *object;

  g_assert_no_error (error);
  object = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (object, "access_token"), ==,
                   arcpass_credential_get_access_token (cred));
  g_assert_cmpstr (json_object_get_string_member (object, "token_type"), ==, "Bearer");
  g_assert_cmpint (json_object_get_int_member (object, "expires_at"), ==,
                   arcpass_credential_get_access_expires (cred));
  g_assert_cmpstr (json_object_get_string_member (object, "expires_at_iso"), ==, iso);
  g_assert_cmpstr (json_object_get_string_member (object, "portal"), ==, arcpass_sandbox_get_url (sandbox));
  if (arcpass_credential_get_username (cred))
    g_assert_cmpstr (json_object_get_string_member (object, "username"), ==,
                     arcpass_credential_get_username (cred));
  else
    g_assert_true (json_object_get_null_member (object, "username"));

  if (with_refresh)
    {
      g_autofree char *refresh_iso = iso8601 (arcpass_credential_get_refresh_expires (cred));

      g_assert_cmpstr (json_object_get_string_member (object, "refresh_token"), ==,
                       arcpass_credential_get_refresh_token (cred));
      g_assert_cmpint (json_object_get_int_member (object, "refresh_token_expires_at"), ==,
                       arcpass_credential_get_refresh_expires (cred));
      g_assert_cmpstr (json_object_get_string_member (object, "refresh_token_expires_at_iso"), ==, refresh_iso);
    }
  else
    {
      g_assert_false (json_object_has_member (object, "refresh_token"));
      /* Not anywhere else in the text either. */
      if (arcpass_credential_get_refresh_token (cred))
        g_assert_null (strstr (text, arcpass_credential_get_refresh_token (cred)));
    }
}

static void
check_exports (Fixture *fixture)
{
  ArcpassCredential *cred = arcpass_account_view_get_credential (fixture->view);
  const char *token = arcpass_credential_get_access_token (cred);
  gboolean user = arcpass_credential_get_kind (cred) == ARCPASS_CREDENTIAL_OAUTH_USER;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;

  text = export_text (fixture, "account.export", "raw");
  g_assert_cmpstr (text, ==, token);
  g_assert_cmpstr (last_toast_title (fixture), ==, "Token copied, cleared in 30 seconds");
  g_clear_pointer (&text, g_free);

  text = export_text (fixture, "account.export", "authorization");
  expected = g_strconcat ("Authorization: Bearer ", token, NULL);
  g_assert_cmpstr (text, ==, expected);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&expected, g_free);

  text = export_text (fixture, "account.export", "x-esri");
  expected = g_strconcat ("X-Esri-Authorization: Bearer ", token, NULL);
  g_assert_cmpstr (text, ==, expected);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&expected, g_free);

  text = export_text (fixture, "account.export", "curl");
  expected = g_strdup_printf ("curl -H 'X-Esri-Authorization: Bearer %s' '%s/sharing/rest/%s?f=json'",
                              token, arcpass_sandbox_get_url (sandbox),
                              user ? "community/self" : "portals/self");
  g_assert_cmpstr (text, ==, expected);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&expected, g_free);

  text = export_text (fixture, "account.export", "env");
  expected = g_strdup_printf ("export ARCGIS_TOKEN='%s'", token);
  g_assert_cmpstr (text, ==, expected);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&expected, g_free);

  text = export_text (fixture, "account.export", "json");
  check_json_export (text, cred, FALSE);
  g_clear_pointer (&text, g_free);

  if (user)
    {
      text = export_text (fixture, "account.export-with-refresh", NULL);
      check_json_export (text, cred, TRUE);
      g_assert_cmpstr (last_toast_title (fixture), ==, "JSON with refresh token copied, cleared in 30 seconds");
      g_clear_pointer (&text, g_free);

      text = export_text (fixture, "account.copy-refresh-token", NULL);
      g_assert_cmpstr (text, ==, arcpass_credential_get_refresh_token (cred));
      g_clear_pointer (&text, g_free);
    }
  else
    {
      /* No refresh token: the menu item is hidden (its action disabled),
       * and activating it anyway copies nothing. */
      gdk_clipboard_set_text (get_clipboard (), "before");
      gtk_widget_activate_action (GTK_WIDGET (fixture->view), "account.export-with-refresh", NULL);
      arcpass_test_spin (300);
      text = read_clipboard ();
      g_assert_cmpstr (text, ==, "before");
      g_clear_pointer (&text, g_free);
    }

  /* The copy button of the token row. */
  gdk_clipboard_set_text (get_clipboard (), "before");
  g_signal_emit_by_name (find (fixture, "access_row"), "copy");
  g_assert_true (arcpass_test_wait_until (clipboard_is_ours_cb, NULL, 5000));
  text = read_clipboard ();
  g_assert_cmpstr (text, ==, token);
}

static void
check_masking (Fixture *fixture)
{
  ArcpassCredential *cred = arcpass_account_view_get_credential (fixture->view);
  ArcpassTokenRow *row = find (fixture, "access_row");
  const char *token = arcpass_credential_get_access_token (cred);
  g_autofree char *masked = arcpass_secret_mask (token);

  g_assert_false (arcpass_token_row_get_revealed (row));
  g_assert_cmpstr (arcpass_token_row_get_display_text (row), ==, masked);
  g_assert_true (g_str_has_suffix (masked, token + strlen (token) - 4));
  g_assert_null (strstr (row_subtitle (fixture, "access_row"), token));

  arcpass_token_row_set_revealed (row, TRUE);
  g_assert_cmpstr (arcpass_token_row_get_display_text (row), ==, token);
  g_assert_nonnull (strstr (row_subtitle (fixture, "access_row"), token));
  arcpass_token_row_set_revealed (row, FALSE);
  g_assert_null (strstr (row_subtitle (fixture, "access_row"), token));
}

/* ---- Tests ------------------------------------------------------------------- */

static ArcpassCredential *ada;       /* OAuth user, publisher */
static ArcpassCredential *grace;     /* OAuth user, kept for the removal test */

static void
test_app_token (void)
{
  g_autoptr(ArcpassCredential) cred = sign_in_app ();
  Fixture fixture;

  save (cred);
  fixture_open (&fixture, cred);

  g_assert_cmpstr (gtk_label_get_text (find (&fixture, "state_label")), ==, "Valid");
  g_assert_false (gtk_widget_get_visible (find (&fixture, "refresh_group")));
  g_assert_true (g_str_has_prefix (row_title (&fixture, "access_expiry_row"), "Expires in "));
  check_masking (&fixture);
  check_exports (&fixture);
  arcpass_test_save_screenshots (fixture.window, "account-view-app-token");

  fixture_close (&fixture);
}

static void
test_oauth_user (void)
{
  Fixture fixture;
  GtkWidget *group, *row;

  ada = sign_in_user (ARCPASS_SANDBOX_PUBLISHER_USERNAME, ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  save (ada);
  fixture_open (&fixture, ada);

  g_assert_cmpstr (gtk_label_get_text (find (&fixture, "name_label")), ==, "Ada Lovelace");
  g_assert_cmpstr (row_subtitle (&fixture, "username_row"), ==, ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_assert_true (gtk_widget_get_visible (find (&fixture, "refresh_group")));
  /* Two weeks, less the second or so since the sign-in. */
  g_assert_true (g_str_equal (row_title (&fixture, "refresh_expiry_row"), "Expires in 13 d 23 h") ||
                 g_str_equal (row_title (&fixture, "refresh_expiry_row"), "Expires in 14 d"));
  g_assert_false (gtk_widget_get_visible (find (&fixture, "state_group")));

  /* Privileges: grouped, a readable name, the raw string as subtitle. */
  group = arcpass_test_find_widget (GTK_WIDGET (fixture.view), ADW_TYPE_EXPANDER_ROW, "Location Services");
  g_assert_nonnull (group);
  row = arcpass_test_find_widget (group, ADW_TYPE_ACTION_ROW, "premium:user:geocode:temporary");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Geocoding (not stored)");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "premium:user:geocode:temporary");
  group = arcpass_test_find_widget (GTK_WIDGET (fixture.view), ADW_TYPE_EXPANDER_ROW, "Portal");
  g_assert_nonnull (group);
  g_assert_nonnull (arcpass_test_find_widget (group, ADW_TYPE_ACTION_ROW, "portal:user:createItem"));

  check_masking (&fixture);
  check_exports (&fixture);
  arcpass_test_save_screenshots (fixture.window, "account-view-oauth");
  {
    GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (arcpass_test_find_widget (GTK_WIDGET (fixture.view),
                                                                                 GTK_TYPE_SCROLLED_WINDOW, NULL));
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scrolled);
    g_autofree char *path = NULL;

    /* The lower half: refresh token, privileges, sign-out. */
    arcpass_test_resize (fixture.window, 1280, 800);
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
    arcpass_test_spin (300);
    path = arcpass_test_save_screenshot (GTK_WIDGET (fixture.window), "account-view-oauth-wide-bottom");
    arcpass_test_resize (fixture.window, 360, 720);
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) * 0.55);
    arcpass_test_spin (300);
    g_clear_pointer (&path, g_free);
    path = arcpass_test_save_screenshot (GTK_WIDGET (fixture.window), "account-view-oauth-narrow-middle");
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
    arcpass_test_spin (300);
    g_clear_pointer (&path, g_free);
    path = arcpass_test_save_screenshot (GTK_WIDGET (fixture.window), "account-view-oauth-narrow-bottom");
  }

  fixture_close (&fixture);
}

static gboolean
not_ours_anymore_cb (gpointer data)
{
  return !arcpass_clipboard_holds_ours (get_clipboard ());
}

static void
test_clipboard_clear (void)
{
  Fixture fixture;
  g_autofree char *text = NULL;
  g_autofree char *xclip = g_find_program_in_path ("xclip");

  g_settings_set_uint (settings, "clipboard-clear-delay", 1);
  fixture_open (&fixture, ada);

  /* Cleared after the delay. */
  text = export_text (&fixture, "account.export", "raw");
  g_assert_cmpstr (text, ==, arcpass_credential_get_access_token (ada));
  g_assert_cmpstr (last_toast_title (&fixture), ==, "Token copied, cleared in 1 second");
  g_assert_true (arcpass_test_wait_until (not_ours_anymore_cb, NULL, 4000));
  g_clear_pointer (&text, g_free);
  text = read_clipboard ();
  g_assert_cmpstr (text, ==, "");
  g_clear_pointer (&text, g_free);

  /* Not cleared when this process copied something else meanwhile. */
  text = export_text (&fixture, "account.export", "raw");
  g_clear_pointer (&text, g_free);
  gdk_clipboard_set_text (get_clipboard (), "copied by the user");
  arcpass_test_spin (2500);
  text = read_clipboard ();
  g_assert_cmpstr (text, ==, "copied by the user");
  g_clear_pointer (&text, g_free);

  /* Not cleared when another X client took the clipboard meanwhile. */
  if (xclip)
    {
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      GOutputStream *input;

      text = export_text (&fixture, "account.export", "raw");
      g_clear_pointer (&text, g_free);

      /* -quiet keeps xclip in the foreground, serving the selection. */
      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                                  xclip, "-quiet", "-selection", "clipboard", NULL);
      g_assert_no_error (error);
      input = g_subprocess_get_stdin_pipe (process);
      g_output_stream_write_all (input, "copied in another application", 29, NULL, NULL, &error);
      g_assert_no_error (error);
      g_output_stream_close (input, NULL, &error);
      g_assert_no_error (error);

      g_assert_true (arcpass_test_wait_until (clipboard_not_local_cb, NULL, 5000));
      arcpass_test_spin (2500);
      text = read_clipboard ();
      g_assert_cmpstr (text, ==, "copied in another application");
      g_clear_pointer (&text, g_free);
      g_assert_false (arcpass_clipboard_clear_if_ours (gdk_display_get_default ()));

      g_subprocess_force_exit (process);
    }
  else
    g_test_message ("xclip not installed: the other-X-client case was not run");

  /* At quit: cleared only when it is still ours. */
  g_settings_set_uint (settings, "clipboard-clear-delay", 0);
  text = export_text (&fixture, "account.export", "raw");
  g_assert_cmpstr (last_toast_title (&fixture), ==, "Token copied, cleared when Arcpass quits");
  g_clear_pointer (&text, g_free);
  g_assert_true (arcpass_clipboard_clear_if_ours (gdk_display_get_default ()));
  text = read_clipboard ();
  g_assert_cmpstr (text, ==, "");

  g_settings_reset (settings, "clipboard-clear-delay");
  fixture_close (&fixture);
}

static gboolean
access_token_changed_cb (gpointer data)
{
  return g_strcmp0 (arcpass_credential_get_access_token (ada), data) != 0;
}

static void
test_auto_refresh (void)
{
  Fixture fixture;
  g_autofree char *old_token = g_strdup (arcpass_credential_get_access_token (ada));
  gint64 old_expires = arcpass_credential_get_access_expires (ada);
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *local_text = NULL;

  fixture_open (&fixture, ada);
  clear_sandbox_log ();

  /* Two minutes before expiry: inside the 5-minute margin. */
  arcpass_sandbox_advance_clock (sandbox, old_expires - arcpass_sandbox_get_now (sandbox) - 120);
  g_assert_true (arcpass_test_wait_until (access_token_changed_cb, old_token, 5000));
  g_assert_cmpuint (count_sandbox_requests ("POST", "/oauth2/token", 200), ==, 1);
  g_assert_cmpint (arcpass_credential_get_access_expires (ada), >, old_expires);
  arcpass_test_spin (1200);

  /* The new expiry, in the row: about 30 minutes left, absolute times. */
  g_assert_true (g_str_has_prefix (row_title (&fixture, "access_expiry_row"), "Expires in 29 min") ||
                 g_str_has_prefix (row_title (&fixture, "access_expiry_row"), "Expires in 30 min"));
  local = g_date_time_new_from_unix_local (arcpass_credential_get_access_expires (ada));
  local_text = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
  g_assert_nonnull (strstr (row_subtitle (&fixture, "access_expiry_row"), local_text));
  g_assert_nonnull (strstr (row_subtitle (&fixture, "access_expiry_row"), "UTC"));
  g_assert_cmpstr (gtk_label_get_text (find (&fixture, "state_label")), ==, "Valid");

  /* No tick, hence no refresh, while the window is hidden. */
  gtk_widget_set_visible (GTK_WIDGET (fixture.window), FALSE);
  g_clear_pointer (&old_token, g_free);
  old_token = g_strdup (arcpass_credential_get_access_token (ada));
  arcpass_sandbox_advance_clock (sandbox, arcpass_credential_get_access_expires (ada) -
                                 arcpass_sandbox_get_now (sandbox) - 60);
  arcpass_test_spin (2500);
  g_assert_cmpstr (arcpass_credential_get_access_token (ada), ==, old_token);
  /* Shown again: the countdown resumes and the token is renewed. */
  gtk_window_present (fixture.window);
  g_assert_true (arcpass_test_wait_until (access_token_changed_cb, old_token, 5000));

  fixture_close (&fixture);
}

static gboolean
state_is_sign_in_required_cb (gpointer data)
{
  return arcpass_credential_get_state (data) == ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED;
}

static void
test_sign_in_required (void)
{
  g_autoptr(ArcpassCredential) cred = sign_in_user (ARCPASS_SANDBOX_USER_USERNAME, ARCPASS_SANDBOX_USER_PASSWORD);
  g_autofree char *url = g_strconcat (arcpass_sandbox_get_url (sandbox), "/sharing/rest/oauth2/revokeToken", NULL);
  g_autofree char *form = NULL;
  g_autofree char *body = NULL;
  Fixture fixture;
  guint status = 0;

  save (cred);
  fixture_open (&fixture, cred);

  /* Behind the app's back: the refresh token is revoked on the portal. */
  form = soup_form_encode ("auth_token", arcpass_credential_get_refresh_token (cred),
                           "token_type_hint", "refresh_token",
                           "client_id", ARCPASS_SANDBOX_CLIENT_ID, "f", "json", NULL);
  body = http_request ("POST", url, form, &status, NULL);
  g_assert_cmpuint (status, ==, 200);

  activate (&fixture, "account.refresh", NULL);
  g_assert_true (arcpass_test_wait_until (state_is_sign_in_required_cb, cred, 5000));
  arcpass_test_spin (200);
  g_assert_true (gtk_widget_get_visible (find (&fixture, "state_group")));
  g_assert_cmpstr (row_title (&fixture, "state_row"), ==, "Sign-In Required");
  g_assert_cmpstr (gtk_label_get_text (find (&fixture, "state_label")), ==, "Sign-in required");
  /* "Sign In Again" asks the window to sign this account in again. */
  {
    GtkWidget *again = find (&fixture, "sign_in_again_button");
    GVariant *target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (again));

    g_assert_true (gtk_widget_get_visible (again));
    g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (again)), ==,
                     "win.sign-in-again");
    g_assert_cmpstr (g_variant_get_string (target, NULL), ==, arcpass_credential_get_id (cred));
  }
  /* Kept: in the keyring, marked. */
  g_assert_true (in_keyring (cred));
  arcpass_test_save_screenshots (fixture.window, "account-view-sign-in-required");

  fixture_close (&fixture);
  grace = g_object_ref (cred);
}

static gboolean
counter_reached_cb (gpointer data)
{
  return *(guint *) data > 0;
}

static void
test_sign_out_undo (void)
{
  g_autoptr(ArcpassCredential) cred = sign_in_user (ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                                                    ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  g_autofree char *refresh = g_strdup (arcpass_credential_get_refresh_token (cred));
  Fixture fixture;
  AdwToast *toast;

  save (cred);
  fixture_open (&fixture, cred);
  clear_sandbox_log ();

  activate (&fixture, "account.sign-out", NULL);
  g_assert_cmpuint (fixture.removed, ==, 1);
  g_assert_true (arcpass_account_view_get_sign_out_pending (fixture.view));
  toast = g_ptr_array_index (fixture.toasts, fixture.toasts->len - 1);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "Signed out of Ada Lovelace");
  g_assert_cmpstr (adw_toast_get_button_label (toast), ==, "_Undo");
  arcpass_test_save_screenshots (fixture.window, "account-view-sign-out-toast");

  g_signal_emit_by_name (toast, "button-clicked");
  g_assert_cmpuint (fixture.restored, ==, 1);
  g_assert_false (arcpass_account_view_get_sign_out_pending (fixture.view));
  arcpass_test_spin (500);

  g_assert_cmpuint (fixture.signed_out, ==, 0);
  g_assert_cmpuint (count_sandbox_requests ("POST", "/oauth2/revokeToken", 0), ==, 0);
  g_assert_true (in_keyring (cred));
  g_assert_cmpstr (arcpass_credential_get_refresh_token (cred), ==, refresh);
  g_assert_true (gtk_widget_is_sensitive (find (&fixture, "sign_out_button")));

  fixture_close (&fixture);

  /* Still usable: the refresh token was not revoked. */
  {
    g_autoptr(ArcpassTokenManager) manager = arcpass_token_manager_new (client, cred, store);
    g_autoptr(GAsyncResult) res = RUN (arcpass_token_manager_get_token_async, manager, TRUE, NULL);
    g_autoptr(ArcpassSecret) token = arcpass_token_manager_get_token_finish (manager, res, NULL);

    g_assert_nonnull (token);
  }

  /* Sign out for real now, letting the toast time out. */
  fixture_open (&fixture, cred);
  clear_sandbox_log ();
  {
    g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "arcpass", "webkit", NULL);
    g_autofree char *cookie = g_build_filename (dir, "cookies.sqlite", NULL);

    g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    g_assert_true (g_file_set_contents (cookie, "session", -1, NULL));

    activate (&fixture, "account.sign-out", NULL);
    g_assert_true (arcpass_test_wait_until (counter_reached_cb, &fixture.signed_out, 15000));
    g_assert_cmpuint (fixture.restored, ==, 0);
    g_assert_cmpuint (count_sandbox_requests ("POST", "/oauth2/revokeToken", 200), ==, 1);
    g_assert_false (in_keyring (cred));
    g_assert_null (arcpass_credential_get_refresh_token (cred));
    g_assert_null (arcpass_credential_get_access_token (cred));

    /* Other OAuth accounts of this portal remain (Ada's first, Grace's):
     * their web sign-in is kept. */
    g_assert_true (g_file_test (cookie, G_FILE_TEST_EXISTS));
  }
  fixture_close (&fixture);

  /* The revoked refresh token no longer works. */
  {
    g_autofree char *form = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID, "grant_type", "refresh_token",
                                              "refresh_token", refresh, "f", "json", NULL);
    g_autofree char *url = g_strconcat (arcpass_sandbox_get_url (sandbox), "/sharing/rest/oauth2/token", NULL);
    g_autofree char *body = http_request ("POST", url, form, NULL, NULL);

    g_assert_nonnull (strstr (body, "\"error\""));
  }
}

static void
remove_account (ArcpassCredential *cred)
{
  Fixture fixture;
  GtkWindow *dialog;

  fixture_open (&fixture, cred);
  activate (&fixture, "account.remove", NULL);
  dialog = arcpass_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  arcpass_test_wait_for_draw (GTK_WIDGET (dialog));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "remove");
  g_assert_true (arcpass_test_wait_until (counter_reached_cb, &fixture.removed, 5000));
  arcpass_test_spin (500);
  g_assert_false (in_keyring (cred));
  g_assert_null (arcpass_credential_get_access_token (cred));
  fixture_close (&fixture);
}

static void
test_remove (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "arcpass", "webkit", NULL);

  clear_sandbox_log ();

  /* A first look at the confirmation. */
  {
    Fixture fixture;
    GtkWindow *dialog;
    g_autofree char *path = NULL;

    fixture_open (&fixture, ada);
    activate (&fixture, "account.remove", NULL);
    dialog = arcpass_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
    g_assert_nonnull (dialog);
    arcpass_test_wait_for_draw (GTK_WIDGET (dialog));
    path = arcpass_test_save_screenshot (GTK_WIDGET (dialog), "account-view-remove-dialog");
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
    arcpass_test_spin (300);
    g_assert_cmpuint (fixture.removed, ==, 0);
    g_assert_true (in_keyring (ada));
    fixture_close (&fixture);
  }

  remove_account (ada);
  /* Grace's account of the same portal remains: web data kept. */
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  remove_account (grace);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  /* Removing never revokes. */
  g_assert_cmpuint (count_sandbox_requests ("POST", "/oauth2/revokeToken", 0), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkCssProvider) css = NULL;
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  arcpass_register_resource ();

  /* What AdwApplication does for the real application. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/arcpass/Arcpass/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  sandbox = arcpass_sandbox_new ();
  g_assert_true (arcpass_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  client = arcpass_client_new ();
  arcpass_client_set_clock (client, sandbox_clock, g_object_ref (sandbox), g_object_unref);
  store = arcpass_account_store_new ();
  settings = g_settings_new ("io.github.arcpass.Arcpass");
  browser = soup_session_new ();

  /* Flat names, run in this order: later cases use earlier accounts. */
  g_test_add_func ("/account-view/01-app-token", test_app_token);
  g_test_add_func ("/account-view/02-oauth-user", test_oauth_user);
  g_test_add_func ("/account-view/03-clipboard-clear", test_clipboard_clear);
  g_test_add_func ("/account-view/04-auto-refresh", test_auto_refresh);
  g_test_add_func ("/account-view/05-sign-in-required", test_sign_in_required);
  g_test_add_func ("/account-view/06-sign-out-undo", test_sign_out_undo);
  g_test_add_func ("/account-view/07-remove", test_remove);

  ret = g_test_run ();

  g_clear_object (&ada);
  g_clear_object (&grace);
  g_clear_object (&browser);
  g_clear_object (&settings);
  g_clear_object (&store);
  g_clear_object (&client);
  g_clear_object (&sandbox);
  return ret;
}
