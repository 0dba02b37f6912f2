/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <libsoup/soup.h>

#include "arcpass-account-row.h"
#include "arcpass-add-account-page.h"
#include "arcpass-application.h"
#include "arcpass-core.h"
#include "arcpass-enterprise-page.h"
#include "arcpass-geocode-tester.h"
#include "arcpass-sandbox.h"
#include "arcpass-window.h"
#include "arcpass-test-ui-utils.h"

/* The window's ArcGIS Enterprise page against the sandbox's Enterprise hosts
 * (real-arcgis.md points 4 and 5): a portal behind web-tier sign-in is named
 * as such at once, generateToken's three refusals read differently, and no
 * failure adds an account or touches the keyring (the private keyring of
 * tests/arcpass-test-session). */

static ArcpassSandbox *sandbox;
static ArcpassApplication *app;

static gboolean
accounts_loaded_cb (gpointer data)
{
  return arcpass_window_get_accounts_loaded (data);
}

static ArcpassWindow *
get_main_window (void)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (ARCPASS_IS_WINDOW (window));
  arcpass_test_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (arcpass_test_wait_until (accounts_loaded_cb, window, 10000));
  return ARCPASS_WINDOW (window);
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static GtkWidget *
find (gpointer    root,
      const char *name)
{
  GtkWidget *widget = arcpass_test_find_widget (GTK_WIDGET (root), GTK_TYPE_WIDGET, name);

  g_assert_nonnull (widget);
  return widget;
}

static void
set_text (gpointer    root,
          const char *name,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (find (root, name)), text);
}

static guint
count_accounts (ArcpassWindow *window)
{
  GtkWidget *list = find (window, "account_list");
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child;
       child = gtk_widget_get_next_sibling (child))
    if (ARCPASS_IS_ACCOUNT_ROW (child))
      n++;
  return n;
}

static void
async_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_ready_cb (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* The ids of the keyring's accounts, sorted: what "unchanged" compares. */
static char *
keyring_snapshot (void)
{
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  arcpass_account_store_list_async (store, NULL, async_cb, &result);
  g_assert_true (arcpass_test_wait_until (result_ready_cb, &result, 10000));
  accounts = arcpass_account_store_list_finish (store, result, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < accounts->len; i++)
    g_ptr_array_add (ids, (char *) arcpass_credential_get_id (g_ptr_array_index (accounts, i)));
  g_ptr_array_sort (ids, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (ids, NULL);
  return g_strjoinv (",", (char **) ids->pdata);
}

static GtkWidget *
open_enterprise_page (ArcpassWindow *window)
{
  GtkWidget *chooser, *row, *page;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  chooser = arcpass_test_find_widget (GTK_WIDGET (window), ARCPASS_TYPE_ADD_ACCOUNT_PAGE, NULL);
  row = arcpass_test_find_widget (chooser, ADW_TYPE_ACTION_ROW, "enterprise");
  g_assert_nonnull (row);
  adw_action_row_activate (ADW_ACTION_ROW (row));
  page = arcpass_test_find_widget (GTK_WIDGET (window), ARCPASS_TYPE_ENTERPRISE_PAGE, NULL);
  g_assert_nonnull (page);
  g_assert_true (gtk_widget_get_mapped (page));
  return page;
}

static void
close_page (ArcpassWindow *window)
{
  while (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL) &&
         gtk_widget_get_visible (arcpass_test_find_widget (GTK_WIDGET (window),
                                                           ARCPASS_TYPE_ENTERPRISE_PAGE, NULL)) &&
         gtk_widget_get_mapped (arcpass_test_find_widget (GTK_WIDGET (window),
                                                          ARCPASS_TYPE_ENTERPRISE_PAGE, NULL)))
    ;
}

static gboolean
widget_visible_cb (gpointer data)
{
  return gtk_widget_get_visible (data);
}

/* The sandbox's request log: how many requests reached @host_name. */
static guint
requests_to (const char *host_name)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (arcpass_sandbox_get_url (sandbox), "/_sandbox/log", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *entries;
  guint n = 0;

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, async_cb, &result);
  g_assert_true (arcpass_test_wait_until (result_ready_cb, &result, 10000));
  body = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), &error));
  entries = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "entries");
  for (guint i = 0; i < json_array_get_length (entries); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (entries, i),
                                                  "host"), host_name) == 0)
      n++;
  return n;
}

/* Discovery of a portal behind web-tier sign-in: one request, a plain
 * explanation, no sign-in form, no account. */
static void
check_web_tier (const char *path,
                const char *expected_words)
{
  ArcpassWindow *window = get_main_window ();
  guint before = count_accounts (window);
  g_autofree char *keyring = keyring_snapshot ();
  g_autofree char *keyring_after = NULL;
  g_autofree char *portal = g_strconcat (arcpass_sandbox_get_host_url (sandbox,
                                                                       ARCPASS_SANDBOX_HOST_WEBTIER),
                                         path, NULL);
  GtkWidget *page = open_enterprise_page (window);
  GtkWidget *error_label = find (page, "error_label");
  guint requests = requests_to ("webtier");
  const char *text;

  set_text (page, "portal_row", portal);
  click (find (page, "discover_button"));
  g_assert_true (arcpass_test_wait_until (widget_visible_cb, error_label, 15000));
  text = gtk_label_get_text (GTK_LABEL (error_label));
  g_test_message ("%s: %s", path, text);
  g_assert_nonnull (strstr (text, expected_words));
  g_assert_nonnull (strstr (text, "No account was added"));
  /* Recognised from the first answer: no second request, no retry. */
  g_assert_cmpuint (requests_to ("webtier"), ==, requests + 1);
  g_assert_false (gtk_widget_get_visible (find (page, "password_group")));
  g_assert_false (gtk_widget_get_visible (find (page, "oauth_group")));
  g_assert_false (gtk_widget_get_visible (find (page, "sign_in_button")));
  g_assert_cmpuint (count_accounts (window), ==, before);
  keyring_after = keyring_snapshot ();
  g_assert_cmpstr (keyring_after, ==, keyring);
  arcpass_test_save_screenshots (GTK_WINDOW (window),
                                 g_str_has_prefix (path, "/pki") ? "enterprise-web-tier-pki"
                                                                 : "enterprise-web-tier-iwa");
  close_page (window);
}

static void
test_web_tier_iwa (void)
{
  check_web_tier ("/portal", "Windows/Kerberos sign-in at its web server");
}

static void
test_web_tier_pki (void)
{
  check_web_tier ("/pki/portal", "client certificate");
}

static gboolean
sign_in_done_cb (gpointer data)
{
  GtkWidget *page = data;

  return gtk_widget_get_visible (find (page, "sign_in_error_label")) &&
         gtk_widget_get_sensitive (find (page, "sign_in_button"));
}

/* Submits the form and returns the message shown. */
static char *
sign_in_and_fail (GtkWidget  *page,
                  const char *username,
                  const char *password)
{
  set_text (page, "username_row", username);
  set_text (page, "password_row", password);
  click (find (page, "sign_in_button"));
  g_assert_true (arcpass_test_wait_until (sign_in_done_cb, page, 15000));
  return g_strdup (gtk_label_get_text (GTK_LABEL (find (page, "sign_in_error_label"))));
}

static GtkWidget *
discover_enterprise (ArcpassWindow *window)
{
  g_autofree char *portal = g_strconcat (arcpass_sandbox_get_host_url (sandbox,
                                                                       ARCPASS_SANDBOX_HOST_ENTERPRISE),
                                         "/portal", NULL);
  GtkWidget *page = open_enterprise_page (window);

  set_text (page, "portal_row", portal);
  click (find (page, "discover_button"));
  g_assert_true (arcpass_test_wait_until (widget_visible_cb, find (page, "discovery_group"), 15000));
  g_assert_true (gtk_widget_get_visible (find (page, "password_group")));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (find (page, "kind_row"))), ==,
                   "ArcGIS Enterprise");
  return page;
}

/* generateToken's refusals: a SAML login, a wrong password, a locked
 * account. Each is told in its own words; none adds an account. */
static void
test_three_messages (void)
{
  ArcpassWindow *window = get_main_window ();
  guint before = count_accounts (window);
  g_autofree char *keyring = keyring_snapshot ();
  g_autofree char *keyring_after = NULL;
  GtkWidget *page = discover_enterprise (window);
  g_autofree char *saml = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *locked = NULL;

  saml = sign_in_and_fail (page, ARCPASS_SANDBOX_ENTERPRISE_SAML_USERNAME, "any password");
  g_test_message ("SAML: %s", saml);
  g_assert_nonnull (strstr (saml, "organisation's login (OAuth)"));

  /* The sandbox locks after 5 wrong passwords, as Portal for ArcGIS does. */
  for (guint i = 0; i < 5; i++)
    {
      g_free (wrong);
      wrong = sign_in_and_fail (page, ARCPASS_SANDBOX_ENTERPRISE_USERNAME, "wrong password");
      g_assert_nonnull (strstr (wrong, "username or password is wrong"));
      g_assert_true (gtk_widget_has_css_class (find (page, "password_row"), "error"));
    }
  g_test_message ("wrong password: %s", wrong);

  /* Now even the right password is refused: the account is locked. */
  locked = sign_in_and_fail (page, ARCPASS_SANDBOX_ENTERPRISE_USERNAME,
                             ARCPASS_SANDBOX_ENTERPRISE_PASSWORD);
  g_test_message ("locked: %s", locked);
  g_assert_nonnull (strstr (locked, "locked this account"));

  g_assert_cmpstr (saml, !=, wrong);
  g_assert_cmpstr (wrong, !=, locked);
  g_assert_cmpstr (saml, !=, locked);
  g_assert_cmpuint (count_accounts (window), ==, before);
  keyring_after = keyring_snapshot ();
  g_assert_cmpstr (keyring_after, ==, keyring);
  arcpass_test_save_screenshots (GTK_WINDOW (window), "enterprise-locked");
  close_page (window);
  arcpass_sandbox_reset (sandbox);
}

static gboolean
account_added_cb (gpointer data)
{
  ArcpassWindow *window = data;

  return count_accounts (window) > GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (window),
                                                                        "before"));
}

/* community/self of the Enterprise portal with @token (and @referer):
 * "ok", or the error code as text. */
static const char *
community_self_code (const char *token,
                     const char *referer)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (arcpass_sandbox_get_host_url (sandbox,
                                                                    ARCPASS_SANDBOX_HOST_ENTERPRISE),
                                      "/portal/sharing/rest/community/self?f=json", NULL);
  g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Esri-Authorization",
                                bearer);
  if (referer)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Referer", referer);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, async_cb, &result);
  g_assert_true (arcpass_test_wait_until (result_ready_cb, &result, 10000));
  body = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), &error));
  root = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (root, "error"))
    return "ok";
  return json_object_get_int_member (json_object_get_object_member (root, "error"), "code") == 498
         ? "498" : "other";
}

/* A right password: the token is bound to Arcpass's referer, so the
 * identity check that follows (community/self) only passes because the
 * Referer header is sent with it. */
static void
test_password_referer (void)
{
  ArcpassWindow *window = get_main_window ();
  guint before = count_accounts (window);
  GtkWidget *page = discover_enterprise (window);

  g_object_set_data (G_OBJECT (window), "before", GUINT_TO_POINTER (before));
  set_text (page, "username_row", ARCPASS_SANDBOX_ENTERPRISE_USERNAME);
  set_text (page, "password_row", ARCPASS_SANDBOX_ENTERPRISE_PASSWORD);
  click (find (page, "sign_in_button"));
  g_assert_true (arcpass_test_wait_until (account_added_cb, window, 15000));
  g_assert_cmpuint (count_accounts (window), ==, before + 1);

  /* The token asked for is bound to Arcpass's referer (client=referer): the
   * portal refuses it without that Referer, and takes it with it. */
  {
    GtkWidget *list = find (window, "account_list");
    ArcpassCredential *credential = NULL;

    for (GtkWidget *child = gtk_widget_get_first_child (list);
         child;
         child = gtk_widget_get_next_sibling (child))
      if (ARCPASS_IS_ACCOUNT_ROW (child) &&
          g_strcmp0 (arcpass_credential_get_username (arcpass_account_row_get_credential (ARCPASS_ACCOUNT_ROW (child))),
                     ARCPASS_SANDBOX_ENTERPRISE_USERNAME) == 0)
        credential = arcpass_account_row_get_credential (ARCPASS_ACCOUNT_ROW (child));
    g_assert_nonnull (credential);
    g_assert_cmpstr (community_self_code (arcpass_credential_get_access_token (credential), NULL),
                     ==, "498");
    g_assert_cmpstr (community_self_code (arcpass_credential_get_access_token (credential),
                                          ARCPASS_APPLICATION_REFERER), ==, "ok");
  }
  arcpass_test_save_screenshots (GTK_WINDOW (window), "enterprise-signed-in");
}


static gboolean
tester_has_candidates_cb (gpointer data)
{
  GPtrArray *candidates = arcpass_geocode_tester_get_candidates (data);

  return candidates != NULL && candidates->len > 0;
}

/* The geocode tester on the federated server's custom locator: no
 * suggestions (the locator has no Suggest), a short note saying so, and
 * Enter searches by the locator's own field, with an Enterprise password
 * account whose portal token the core exchanges for a server token. */
static void
test_geocode_tester_custom_locator (void)
{
  const char *host = arcpass_sandbox_get_host_url (sandbox, ARCPASS_SANDBOX_HOST_ENTERPRISE);
  g_autofree char *portal = g_strconcat (host, "/portal", NULL);
  g_autofree char *locator = g_strconcat (host, ARCPASS_SANDBOX_ENTERPRISE_LOCATOR, NULL);
  g_autoptr(ArcpassClient) client = arcpass_client_new ();
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(ArcpassEndpoints) endpoints = NULL;
  GtkWindow *window;
  GtkWidget *tester, *entry, *note, *revealer;
  guint suggests;

  /* The core exchanges the account's portal token for a server token. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    arcpass_sign_in_with_password_async (client, portal, ARCPASS_SANDBOX_ENTERPRISE_USERNAME,
                                         ARCPASS_SANDBOX_ENTERPRISE_PASSWORD, NULL, async_cb,
                                         &result);
    g_assert_true (arcpass_test_wait_until (result_ready_cb, &result, 10000));
    credential = arcpass_sign_in_finish (result, &error);
    g_assert_no_error (error);
  }
  manager = arcpass_token_manager_new (client, credential, NULL);
  endpoints = arcpass_endpoints_new_default ();
  arcpass_endpoints_override (endpoints, locator, NULL, NULL);
  arcpass_token_manager_set_endpoints (manager, endpoints);

  tester = arcpass_geocode_tester_new (manager);
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1280, 800);
  gtk_window_set_child (window, tester);
  gtk_window_present (window);
  arcpass_test_wait_for_draw (GTK_WIDGET (window));

  note = find (tester, "no_suggest_label");
  g_assert_true (arcpass_test_wait_until (widget_visible_cb, note, 10000));
  suggests = requests_to ("enterprise");

  entry = arcpass_test_find_widget (tester, GTK_TYPE_SEARCH_ENTRY, NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Redla");
  /* Longer than the suggestion delay: nothing may be asked, nothing shown. */
  arcpass_test_spin (800);
  revealer = find (tester, "suggestions_revealer");
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  g_assert_cmpuint (requests_to ("enterprise"), ==, suggests);

  gtk_editable_set_text (GTK_EDITABLE (entry), "Redlands");
  g_signal_emit_by_name (entry, "activate");
  g_assert_true (arcpass_test_wait_until (tester_has_candidates_cb, tester, 10000));
  g_assert_nonnull (strstr (((ArcpassGeocodeCandidate *)
                             g_ptr_array_index (arcpass_geocode_tester_get_candidates (ARCPASS_GEOCODE_TESTER (tester)), 0))->address,
                            "Redlands"));
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (window), "enterprise-geocode-custom-locator"));
  gtk_window_destroy (window);
  arcpass_test_spin (100);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  sandbox = arcpass_sandbox_new ();
  g_assert_true (arcpass_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);

  app = arcpass_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  arcpass_application_set_sandbox_url (app, arcpass_sandbox_get_url (sandbox));
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/enterprise/web-tier-iwa", test_web_tier_iwa);
  g_test_add_func ("/enterprise/web-tier-pki", test_web_tier_pki);
  g_test_add_func ("/enterprise/three-messages", test_three_messages);
  g_test_add_func ("/enterprise/password-referer", test_password_referer);
  g_test_add_func ("/enterprise/geocode-tester-custom-locator", test_geocode_tester_custom_locator);

  ret = g_test_run ();

  g_clear_object (&app);
  g_clear_object (&sandbox);
  return ret;
}
