/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "arcpass-account-page.h"
#include "arcpass-account-row.h"
#include "arcpass-application.h"
#include "arcpass-geocode-tester.h"
#include "arcpass-sandbox.h"
#include "arcpass-window.h"
#include "arcpass-test-ui-utils.h"

/* The main window against an in-process sandbox: a 498 from the geocoder
 * alone leaves the account valid (the tester explains, the sidebar badge
 * stays "Valid", the keyring item is not marked); an ArcGIS Online user is
 * told that Static Basemap Tiles are not offered to it; and the sandbox's
 * request log proves that no token reached a host that does not accept its
 * issuer. */

static ArcpassSandbox *sandbox;

/* ---- Helpers --------------------------------------------------------------- */

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (slot);
}

static void
store_clear (void)
{
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) accounts = NULL;

  arcpass_account_store_list_async (store, NULL, result_cb, &slot);
  result = wait_result (&slot);
  accounts = arcpass_account_store_list_finish (store, result, NULL);
  g_assert_nonnull (accounts);
  for (guint i = 0; i < accounts->len; i++)
    {
      g_autoptr(GAsyncResult) deleted = NULL;

      arcpass_account_store_delete_async (store,
                                          arcpass_credential_get_id (g_ptr_array_index (accounts, i)),
                                          NULL, result_cb, &slot);
      deleted = wait_result (&slot);
      g_assert_true (arcpass_account_store_delete_finish (store, deleted, NULL));
    }
}

static void
store_save (ArcpassCredential *credential)
{
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  arcpass_account_store_save_async (store, credential, NULL, result_cb, &slot);
  result = wait_result (&slot);
  g_assert_true (arcpass_account_store_save_finish (store, result, &error));
  g_assert_no_error (error);
}

static ArcpassCredential *
store_load_only (void)
{
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) accounts = NULL;

  arcpass_account_store_list_async (store, NULL, result_cb, &slot);
  result = wait_result (&slot);
  accounts = arcpass_account_store_list_finish (store, result, NULL);
  g_assert_nonnull (accounts);
  g_assert_cmpuint (accounts->len, ==, 1);
  return g_object_ref (g_ptr_array_index (accounts, 0));
}

/* An API key account as the API key page makes it (the portal says which
 * ArcGIS it belongs to). */
static void
save_api_key_account (ArcpassClient *client)
{
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GError) error = NULL;

  arcpass_sign_in_with_api_key_async (client, arcpass_sandbox_get_url (sandbox),
                                      ARCPASS_SANDBOX_KEY_FULL, NULL, result_cb, &slot);
  result = wait_result (&slot);
  credential = arcpass_sign_in_finish (result, &error);
  g_assert_no_error (error);
  store_save (credential);
}

static char *
find_hidden_state (const char *html)
{
  const char *marker = "name=\"oauth_state\" value=\"";
  const char *start = strstr (html, marker);

  g_assert_nonnull (start);
  start += strlen (marker);
  return g_strndup (start, strchr (start, '"') - start);
}

static GBytes *
http (SoupSession *session,
      const char  *method,
      const char  *url,
      const char  *form,
      SoupMessage **out_msg)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GBytes *body;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (form)
    {
      g_autoptr(GBytes) request = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", request);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, result_cb, &slot);
  result = wait_result (&slot);
  body = soup_session_send_and_read_finish (session, result, NULL);
  g_assert_nonnull (body);
  if (out_msg)
    *out_msg = g_steal_pointer (&msg);
  return body;
}

/* The sandbox app's authorize URL for @redirect_uri, registered first:
 * ArcGIS matches redirect URIs exactly (nothing listens there; the test
 * reads the code from the redirect). */
static char *
authorize_url_for (const char *redirect_uri)
{
  g_autofree char *escaped = g_uri_escape_string (redirect_uri, NULL, FALSE);

  arcpass_sandbox_register_redirect_uri (sandbox, redirect_uri);
  return g_strdup_printf ("%s/sharing/rest/oauth2/authorize?client_id=%s"
                          "&response_type=code&redirect_uri=%s",
                          arcpass_sandbox_get_url (sandbox), ARCPASS_SANDBOX_CLIENT_ID, escaped);
}

/* An OAuth user of the ArcGIS Online organisation, signed in through the
 * sandbox's sign-in form and identified through the core, as the web
 * sign-in does. */
static void
save_online_user (ArcpassClient *client)
{
  const char *redirect = "http://127.0.0.1:1/callback";
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *authorize = authorize_url_for (redirect);
  g_autoptr(GBytes) page = http (session, "GET", authorize, NULL, NULL);
  g_autofree char *html = g_strndup (g_bytes_get_data (page, NULL), g_bytes_get_size (page));
  g_autofree char *state = find_hidden_state (html);
  g_autofree char *signin = g_strconcat (arcpass_sandbox_get_url (sandbox),
                                         "/sharing/rest/oauth2/signin", NULL);
  g_autofree char *form = soup_form_encode ("oauth_state", state,
                                            "username", ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                                            "password", ARCPASS_SANDBOX_PUBLISHER_PASSWORD,
                                            "authorize", "true", NULL);
  g_autoptr(SoupMessage) post = NULL;
  g_autoptr(GBytes) ignored = http (session, "POST", signin, form, &post);
  g_autoptr(GUri) location = g_uri_parse (soup_message_headers_get_one (
                                            soup_message_get_response_headers (post), "Location"),
                                          G_URI_FLAGS_NONE, NULL);
  g_autoptr(GHashTable) query = soup_form_decode (g_uri_get_query (location));
  g_autofree char *token_url = g_strconcat (arcpass_sandbox_get_url (sandbox),
                                            "/sharing/rest/oauth2/token", NULL);
  g_autofree char *exchange = soup_form_encode ("grant_type", "authorization_code",
                                                "client_id", ARCPASS_SANDBOX_CLIENT_ID,
                                                "redirect_uri", redirect,
                                                "code", g_hash_table_lookup (query, "code"),
                                                "f", "json", NULL);
  g_autoptr(GBytes) answer = http (session, "POST", token_url, exchange, NULL);
  g_autoptr(JsonObject) json = arcpass_json_parse_object (g_bytes_get_data (answer, NULL),
                                                          g_bytes_get_size (answer), NULL);
  g_autoptr(ArcpassTokenResponse) response = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (json);
  response = arcpass_token_response_new_from_json (json, g_get_real_time () / G_USEC_PER_SEC,
                                                   &error);
  g_assert_no_error (error);
  credential = arcpass_credential_new (ARCPASS_CREDENTIAL_OAUTH_USER,
                                       arcpass_sandbox_get_url (sandbox));
  arcpass_credential_set_client_id (credential, ARCPASS_SANDBOX_CLIENT_ID);
  arcpass_credential_set_redirect_uri (credential, redirect);
  arcpass_credential_apply_token_response (credential, response);
  arcpass_credential_fetch_identity_async (client, credential, NULL, result_cb, &slot);
  result = wait_result (&slot);
  g_assert_true (arcpass_credential_fetch_identity_finish (result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (arcpass_credential_get_account_kind (credential), ==,
                   ARCPASS_ACCOUNT_KIND_ONLINE);
  store_save (credential);
}

static gboolean
accounts_loaded_cb (gpointer data)
{
  return arcpass_window_get_accounts_loaded (data);
}

static gboolean
page_has_manager_cb (gpointer data)
{
  return arcpass_account_page_get_manager (data) != NULL;
}

typedef struct
{
  ArcpassApplication *app;
  ArcpassWindow      *window;
  ArcpassAccountPage *page;
} Window;

static void
window_open (Window *w)
{
  static guint generation;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("%s.TokenPolicy%u", APP_ID, generation++);
  GtkWindow *window;

  w->app = arcpass_application_new ();
  g_application_set_application_id (G_APPLICATION (w->app), id);
  g_application_set_flags (G_APPLICATION (w->app), G_APPLICATION_NON_UNIQUE);
  arcpass_application_set_sandbox_url (w->app, arcpass_sandbox_get_url (sandbox));
  g_application_register (G_APPLICATION (w->app), NULL, &error);
  g_assert_no_error (error);

  g_application_activate (G_APPLICATION (w->app));
  window = gtk_application_get_active_window (GTK_APPLICATION (w->app));
  g_assert_true (ARCPASS_IS_WINDOW (window));
  gtk_window_set_default_size (window, 1280, 800);
  arcpass_test_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (arcpass_test_wait_until (accounts_loaded_cb, window, 20000));
  w->window = ARCPASS_WINDOW (window);
  w->page = ARCPASS_ACCOUNT_PAGE (arcpass_test_find_widget (GTK_WIDGET (window),
                                                            ARCPASS_TYPE_ACCOUNT_PAGE, NULL));
  g_assert_nonnull (w->page);
  g_assert_true (arcpass_test_wait_until (page_has_manager_cb, w->page, 10000));
}

static void
window_close (Window *w)
{
  gtk_window_destroy (GTK_WINDOW (w->window));
  arcpass_test_spin (200);
  g_clear_object (&w->app);
}

/* The sandbox's log since the last clear, without the control API. */
static JsonArray *
sandbox_log (SoupSession *session)
{
  g_autofree char *url = g_strconcat (arcpass_sandbox_get_url (sandbox), "/_sandbox/log", NULL);
  g_autoptr(GBytes) body = http (session, "GET", url, NULL, NULL);
  g_autoptr(JsonObject) root = arcpass_json_parse_object (g_bytes_get_data (body, NULL),
                                                          g_bytes_get_size (body), NULL);
  JsonArray *entries;

  g_assert_nonnull (root);
  entries = json_object_get_array_member (root, "entries");
  return json_array_ref (entries);
}

static void
sandbox_log_clear (SoupSession *session)
{
  g_autofree char *url = g_strconcat (arcpass_sandbox_get_url (sandbox), "/_sandbox/log", NULL);
  g_autoptr(GBytes) body = http (session, "DELETE", url, NULL, NULL);
}

static const char *
member (JsonObject *entry,
        const char *name)
{
  JsonNode *node = json_object_get_member (entry, name);

  return node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

/* No token reached a host that does not accept its issuer; returns how
 * many requests to @host carried a token of @issuer. */
static guint
audit_log (JsonArray  *entries,
           const char *host,
           const char *issuer)
{
  guint count = 0;

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *token_issuer = member (entry, "token_issuer");
      const char *entry_host = member (entry, "host");

      if (token_issuer == NULL)
        continue;
      if (g_strcmp0 (token_issuer, "unknown") == 0 ||
          (g_strcmp0 (entry_host, "portal") != 0 && g_strcmp0 (entry_host, "org") != 0 &&
           g_strcmp0 (entry_host, "services") != 0))
        g_error ("A %s token reached %s %s", token_issuer, entry_host, member (entry, "path"));
      if (g_strcmp0 (entry_host, host) == 0 && g_strcmp0 (token_issuer, issuer) == 0)
        count++;
    }
  return count;
}

static gboolean
tester_has_error_cb (gpointer data)
{
  return arcpass_geocode_tester_get_error (data) != NULL;
}

/* ---- Tests ------------------------------------------------------------------- */

static void
test_geocoder_498_keeps_account (void)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(ArcpassClient) client = arcpass_client_new ();
  g_autoptr(ArcpassCredential) saved = NULL;
  g_autoptr(JsonArray) entries = NULL;
  ArcpassAccountRow *row;
  ArcpassCredential *credential;
  GtkWidget *tester, *entry, *state_label;
  AdwStatusPage *error_page;
  Window w = { 0 };

  store_clear ();
  save_api_key_account (client);
  window_open (&w);

  /* The geocoder answers 498 whatever the token. */
  arcpass_sandbox_add_fault (sandbox, "/arcgis/rest/services/World/GeocodeServer", "token498", 50);
  sandbox_log_clear (session);

  arcpass_account_page_set_visible_tab (w.page, "geocode");
  tester = arcpass_test_find_widget (GTK_WIDGET (w.page), ARCPASS_TYPE_GEOCODE_TESTER, NULL);
  g_assert_nonnull (tester);
  entry = arcpass_test_find_widget (tester, GTK_TYPE_SEARCH_ENTRY, NULL);
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Redlands");
  g_signal_emit_by_name (entry, "activate");
  g_assert_true (arcpass_test_wait_until (tester_has_error_cb, tester, 15000));

  /* The tester says which service refused, and that the account is fine. */
  error_page = ADW_STATUS_PAGE (arcpass_test_find_widget (tester, ADW_TYPE_STATUS_PAGE, "error_page"));
  g_test_message ("%s: %s", adw_status_page_get_title (error_page),
                  adw_status_page_get_description (error_page));
  g_assert_cmpstr (adw_status_page_get_title (error_page), ==, "Geocoding Refused");
  g_assert_nonnull (strstr (adw_status_page_get_description (error_page),
                            "although the portal accepts it"));

  /* The sidebar badge stays "Valid", and the keyring item is not marked. */
  arcpass_test_spin (300);
  credential = arcpass_account_page_get_manager (w.page)
                 ? arcpass_token_manager_get_credential (arcpass_account_page_get_manager (w.page))
                 : NULL;
  g_assert_nonnull (credential);
  g_assert_cmpint (arcpass_credential_get_state (credential), ==, ARCPASS_CREDENTIAL_STATE_VALID);
  row = ARCPASS_ACCOUNT_ROW (arcpass_test_find_widget (GTK_WIDGET (w.window),
                                                       ARCPASS_TYPE_ACCOUNT_ROW, NULL));
  state_label = arcpass_test_find_widget (GTK_WIDGET (row), GTK_TYPE_LABEL, "state_label");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (state_label)), ==, "Valid");
  saved = store_load_only ();
  g_assert_cmpint (arcpass_credential_get_state (saved), !=,
                   ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (w.window), "token-policy-geocoder-498"));

  /* The portal was asked, with the key, on its own host. */
  entries = sandbox_log (session);
  audit_log (entries, NULL, NULL);
  g_assert_cmpuint (audit_log (entries, "portal", "apikey"), >=, 1);

  arcpass_sandbox_reset (sandbox);
  window_close (&w);
  store_clear ();
}

static gboolean
static_settled_cb (gpointer data)
{
  GtkWidget **widgets = data;

  return gtk_widget_get_visible (widgets[1]) &&
         adw_status_page_get_title (ADW_STATUS_PAGE (widgets[1])) != NULL &&
         *adw_status_page_get_title (ADW_STATUS_PAGE (widgets[1])) != '\0' &&
         gtk_widget_get_mapped (widgets[1]);
}

static void
test_online_user_static_tiles (void)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(ArcpassClient) client = arcpass_client_new ();
  g_autoptr(JsonArray) entries = NULL;
  GtkWidget *tester, *stack, *widgets[2];
  AdwStatusPage *static_error;
  Window w = { 0 };

  store_clear ();
  save_online_user (client);
  sandbox_log_clear (session);
  window_open (&w);

  arcpass_account_page_set_visible_tab (w.page, "basemaps");
  tester = arcpass_account_page_get_tab (w.page, "basemaps");
  g_assert_nonnull (tester);
  stack = arcpass_test_find_widget (tester, ADW_TYPE_VIEW_STACK, NULL);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "static");
  static_error = ADW_STATUS_PAGE (arcpass_test_find_widget (tester, ADW_TYPE_STATUS_PAGE,
                                                            "static-error"));
  widgets[0] = arcpass_test_find_widget (tester, GTK_TYPE_LIST_BOX, "static-list");
  widgets[1] = GTK_WIDGET (static_error);
  g_assert_true (arcpass_test_wait_until (static_settled_cb, widgets, 15000));

  /* Not offered to an ArcGIS Online account: no privilege to add. */
  g_test_message ("%s: %s", adw_status_page_get_title (static_error),
                  adw_status_page_get_description (static_error));
  g_assert_cmpstr (adw_status_page_get_title (static_error), ==, "Not Offered to This Account");
  g_assert_nonnull (strstr (adw_status_page_get_description (static_error), "Location Platform"));
  g_assert_null (strstr (adw_status_page_get_description (static_error),
                         "premium:user:staticbasemaptiles"));
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (w.window), "token-policy-static-not-offered"));

  /* The styles still work, with the user's token on the services host, and
   * nothing was asked of the static tiles service. */
  arcpass_test_spin (1500);
  entries = sandbox_log (session);
  g_assert_cmpuint (audit_log (entries, "services", "portal"), >=, 1);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    g_assert_null (strstr (member (json_array_get_object_element (entries, i), "path"),
                           "static-basemap-tiles-service"));

  window_close (&w);
  store_clear ();
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  sandbox = arcpass_sandbox_new ();
  g_assert_true (arcpass_sandbox_start (sandbox, 0, &error));

  g_test_add_func ("/token-policy/geocoder-498-keeps-account", test_geocoder_498_keeps_account);
  g_test_add_func ("/token-policy/online-user-static-tiles", test_online_user_static_tiles);

  ret = g_test_run ();

  arcpass_sandbox_stop (sandbox);
  g_clear_object (&sandbox);
  return ret;
}
