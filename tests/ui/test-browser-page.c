/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>

#include "arcpass-browser-page.h"
#include "arcpass-core.h"
#include "arcpass-resources.h"
#include "arcpass-sandbox.h"
#include "arcpass-test-ui-utils.h"
#include "test-oauth-common.h"

/* The system-browser sign-in page, with the test acting as the browser:
 * ARCPASS_TEST_BROWSER=none keeps the page from launching one, and the test
 * follows the authorize link with libsoup (GET the form, POST the
 * credentials, follow the redirect to the page's loopback receiver). */

#define TIMEOUT_MS 20000

typedef struct {
  ArcpassSandbox     *sandbox;
  ArcpassClient      *client;
  GSettings          *settings;
  GtkWindow          *window;
  ArcpassBrowserPage *page;
  ArcpassCredential  *credential;
  SoupSession        *browser;
  char               *redirect_uri;
  guint               n_signed_in;
  guint               n_cancelled;
} Fixture;

static void
signed_in_cb (ArcpassBrowserPage *page,
              ArcpassCredential  *credential,
              Fixture            *fixture)
{
  fixture->n_signed_in++;
  g_set_object (&fixture->credential, credential);
}

static void
cancelled_cb (ArcpassBrowserPage *page,
              Fixture            *fixture)
{
  fixture->n_cancelled++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  int width = GPOINTER_TO_INT (data) ? GPOINTER_TO_INT (data) : 1280;

  fixture->sandbox = arcpass_sandbox_new ();
  g_assert_true (arcpass_sandbox_start (fixture->sandbox, 0, &error));
  g_assert_no_error (error);

  fixture->client = arcpass_client_new ();
  fixture->settings = g_settings_new ("io.github.arcpass.Arcpass");
  /* Registered in the sandbox app, remembered in the settings, shown by
   * the page. */
  fixture->redirect_uri = arcpass_test_free_redirect_uri ();
  arcpass_sandbox_register_redirect_uri (fixture->sandbox, fixture->redirect_uri);
  g_settings_set_string (fixture->settings, "browser-redirect-uri", fixture->redirect_uri);
  fixture->browser = soup_session_new ();
  fixture->page = arcpass_browser_page_new (fixture->client, fixture->settings);
  arcpass_browser_page_set_defaults (fixture->page, arcpass_sandbox_get_url (fixture->sandbox),
                                     ARCPASS_SANDBOX_CLIENT_ID);
  g_signal_connect (fixture->page, "signed-in", G_CALLBACK (signed_in_cb), fixture);
  g_signal_connect (fixture->page, "cancelled", G_CALLBACK (cancelled_cb), fixture);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, width, 800);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->page));
  gtk_window_present (fixture->window);
  arcpass_test_wait_for_draw (GTK_WIDGET (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  g_clear_object (&fixture->browser);
  g_clear_pointer (&fixture->redirect_uri, g_free);
  g_clear_object (&fixture->credential);
  g_clear_object (&fixture->settings);
  g_clear_object (&fixture->client);
  arcpass_sandbox_stop (fixture->sandbox);
  g_clear_object (&fixture->sandbox);
}

static const char *
visible_page (Fixture *fixture)
{
  GtkStack *stack = GTK_STACK (arcpass_test_find_widget (GTK_WIDGET (fixture->page),
                                                         GTK_TYPE_STACK, "stack"));

  return gtk_stack_get_visible_child_name (stack);
}

static const char *
shown_link (Fixture *fixture)
{
  GtkWidget *label = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_LABEL,
                                               "link_label");

  g_assert_nonnull (label);
  return gtk_label_get_text (GTK_LABEL (label));
}

typedef struct {
  gboolean     done;
  GBytes      *body;
  GError      *error;
  SoupMessage *message;
} Fetch;

static void
fetch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  Fetch *fetch = data;

  fetch->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &fetch->error);
  fetch->done = TRUE;
}

static gboolean
fetch_done_cb (gpointer data)
{
  return ((Fetch *) data)->done;
}

/* Sends @message while the main loop runs (the sandbox and the page's
 * loopback receiver are served from it) and returns the body as text. */
static char *
fetch (Fixture     *fixture,
       SoupMessage *message,
       guint       *out_status,
       GError     **error)
{
  Fetch f = { FALSE, NULL, NULL, message };
  char *text;

  soup_session_send_and_read_async (fixture->browser, message, G_PRIORITY_DEFAULT, NULL,
                                    fetch_cb, &f);
  g_assert_true (arcpass_test_wait_until (fetch_done_cb, &f, TIMEOUT_MS));
  if (!f.body)
    {
      g_propagate_error (error, f.error);
      return NULL;
    }
  if (out_status)
    *out_status = soup_message_get_status (message);
  text = g_strndup (g_bytes_get_data (f.body, NULL), g_bytes_get_size (f.body));
  g_bytes_unref (f.body);
  return text;
}

/* What the user does in their browser: open the link, fill the form in. */
static void
act_as_browser (Fixture    *fixture,
                const char *link,
                const char *username,
                const char *password)
{
  g_autoptr(SoupMessage) get = NULL;
  g_autoptr(SoupMessage) post = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *form = NULL;
  g_autofree char *oauth_state = NULL;
  g_autofree char *action = NULL;
  g_autofree char *answer = NULL;
  GHashTable *fields;
  guint status = 0;

  get = soup_message_new ("GET", link);
  g_assert_nonnull (get);
  form = fetch (fixture, get, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);

  regex = g_regex_new ("name=\"oauth_state\" value=\"([^\"]+)\"", 0, 0, NULL);
  g_assert_true (g_regex_match (regex, form, 0, &match));
  oauth_state = g_match_info_fetch (match, 1);

  /* The form posts to "signin", relative to the authorize page. */
  action = g_uri_resolve_relative (link, "signin", G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  fields = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (fields, (char *) "oauth_state", oauth_state);
  g_hash_table_insert (fields, (char *) "username", (char *) username);
  g_hash_table_insert (fields, (char *) "password", (char *) password);
  g_hash_table_insert (fields, (char *) "authorize", (char *) "true");
  post = soup_message_new_from_encoded_form ("POST", action, soup_form_encode_hash (fields));
  g_hash_table_unref (fields);

  /* The 302 to http://127.0.0.1:PORT/callback is followed by libsoup, and
   * answered by the page's loopback receiver. */
  answer = fetch (fixture, post, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (g_uri_get_host (soup_message_get_uri (post)), ==, "127.0.0.1");
  g_assert_cmpstr (g_uri_get_path (soup_message_get_uri (post)), ==, "/callback");
}

static gboolean
signed_in_cb_wait (gpointer data)
{
  Fixture *fixture = data;

  return fixture->n_signed_in > 0 || g_strcmp0 (visible_page (fixture), "form") == 0;
}

static void
start (Fixture *fixture)
{
  g_assert_cmpstr (visible_page (fixture), ==, "form");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "browser.sign-in", NULL));
  g_assert_cmpstr (visible_page (fixture), ==, "waiting");
}

static void
test_sign_in (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *link = NULL;
  g_autofree char *name = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(GUri) uri = NULL;
  GtkWidget *error_label;
  int width = gtk_widget_get_width (GTK_WIDGET (fixture->window));

  name = g_strdup_printf ("browser-form-%d", width);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), name));

  start (fixture);

  /* The waiting page shows the authorize link, with a loopback redirect. */
  link = g_strdup (shown_link (fixture));
  prefix = g_strdup_printf ("%s/sharing/rest/oauth2/authorize?",
                            arcpass_sandbox_get_url (fixture->sandbox));
  g_assert_true (g_str_has_prefix (link, prefix));
  g_assert_nonnull (strstr (link, "redirect_uri=http%3A%2F%2F127.0.0.1%3A"));
  g_assert_nonnull (strstr (link, "code_challenge_method=S256"));
  g_assert_nonnull (strstr (link, "state="));
  /* An account is being added: the browser's portal session must not
   * complete the sign-in silently. */
  g_assert_nonnull (strstr (link, "force_login=true"));
  g_assert_null (strstr (link, "prepopulatedusername"));
  uri = g_uri_parse (link, G_URI_FLAGS_ENCODED_QUERY, NULL);
  {
    g_autoptr(GHashTable) params = g_uri_parse_params (g_uri_get_query (uri), -1, "&",
                                                       G_URI_PARAMS_NONE, NULL);

    /* Exactly the registered URI, port included. */
    g_assert_cmpstr (g_hash_table_lookup (params, "redirect_uri"), ==, fixture->redirect_uri);
  }

  g_free (name);
  name = g_strdup_printf ("browser-waiting-%d", width);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), name));

  /* Copy Link puts exactly that link on the clipboard. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "browser.copy-link",
                                             NULL));

  act_as_browser (fixture, link, ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                  ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  g_assert_true (arcpass_test_wait_until (signed_in_cb_wait, fixture, TIMEOUT_MS));
  error_label = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_LABEL,
                                          "form_error_label");
  if (fixture->n_signed_in == 0)
    g_error ("sign-in failed: %s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_cmpuint (fixture->n_signed_in, ==, 1);
  g_assert_cmpstr (arcpass_credential_get_username (fixture->credential), ==,
                   ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_assert_cmpstr (arcpass_credential_get_redirect_uri (fixture->credential), ==,
                   fixture->redirect_uri);
  g_assert_cmpstr (visible_page (fixture), ==, "form");

  /* No web view was involved at any time. */
  g_assert_cmpuint (arcpass_test_count_web_processes (), ==, 0);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *link = NULL;
  g_autofree char *callback = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  const char *redirect;

  start (fixture);
  link = g_strdup (shown_link (fixture));
  uri = g_uri_parse (link, G_URI_FLAGS_ENCODED_QUERY, NULL);
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  redirect = g_hash_table_lookup (params, "redirect_uri");
  g_assert_nonnull (redirect);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "browser.cancel", NULL));
  g_assert_cmpuint (fixture->n_cancelled, ==, 1);
  g_assert_cmpstr (visible_page (fixture), ==, "form");

  /* The loopback port is closed with the attempt. */
  callback = g_strdup_printf ("%s?code=late&state=late", redirect);
  message = soup_message_new ("GET", callback);
  body = fetch (fixture, message, NULL, &error);
  g_assert_null (body);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_state_mismatch (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *link = NULL;
  g_autofree char *callback = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  GtkWidget *error_label;

  start (fixture);
  link = g_strdup (shown_link (fixture));
  uri = g_uri_parse (link, G_URI_FLAGS_ENCODED_QUERY, NULL);
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);

  /* Another program calls the loopback port with a code of its own. */
  callback = g_strdup_printf ("%s?code=forged&state=tampered",
                              (const char *) g_hash_table_lookup (params, "redirect_uri"));
  message = soup_message_new ("GET", callback);
  body = fetch (fixture, message, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (arcpass_test_wait_until (signed_in_cb_wait, fixture, TIMEOUT_MS));
  g_assert_cmpuint (fixture->n_signed_in, ==, 0);
  g_assert_cmpstr (visible_page (fixture), ==, "form");
  error_label = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_LABEL,
                                          "form_error_label");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "state"));
}

/* The redirect URI is shown with a copy button, editable, validated and
 * remembered; its port is the one listened on, and a busy one is explained
 * in the page. */
static void
test_redirect_uri (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWidget *row = arcpass_test_find_widget (GTK_WIDGET (fixture->page), ADW_TYPE_ENTRY_ROW,
                                             "redirect_row");
  GtkWidget *row_error = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_LABEL,
                                                   "redirect_error_label");
  GtkWidget *form_error = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_LABEL,
                                                    "form_error_label");
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) fresh = NULL;
  g_autofree char *busy_uri = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *remembered = NULL;
  g_autofree char *name = NULL;
  guint16 port;

  /* The remembered URI is shown (a new page with default settings shows
   * the documented default). */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, fixture->redirect_uri);
  g_settings_reset (fixture->settings, "browser-redirect-uri");
  {
    ArcpassBrowserPage *other = g_object_ref_sink (arcpass_browser_page_new (fixture->client,
                                                                             fixture->settings));
    GtkWidget *other_row = arcpass_test_find_widget (GTK_WIDGET (other), ADW_TYPE_ENTRY_ROW,
                                                     "redirect_row");

    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (other_row)), ==,
                     ARCPASS_LOOPBACK_DEFAULT_REDIRECT_URI);
    g_assert_finalize_object (other);
  }

  /* Copy puts it on the clipboard. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "browser.copy-redirect",
                                             NULL));

  /* Validated as it is typed: a port is required. */
  gtk_editable_set_text (GTK_EDITABLE (row), "http://127.0.0.1/callback");
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (row_error)), "has no port"));
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "browser.sign-in", NULL);
  g_assert_cmpstr (visible_page (fixture), ==, "form");

  /* A port held by another program: said in the page, nothing starts. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  busy_uri = g_strdup_printf ("http://127.0.0.1:%u/callback", port);
  gtk_editable_set_text (GTK_EDITABLE (row), busy_uri);
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "browser.sign-in", NULL);
  g_assert_cmpstr (visible_page (fixture), ==, "form");
  g_assert_true (gtk_widget_get_visible (form_error));
  port_text = g_strdup_printf ("Port %u of this computer is in use", port);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (form_error)), port_text));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (form_error)),
                            "register another redirect URI"));
  name = g_strdup_printf ("browser-port-in-use-%d", gtk_widget_get_width (GTK_WIDGET (fixture->window)));
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), name));

  /* Another registered one works, and is remembered. */
  gtk_editable_set_text (GTK_EDITABLE (row), fixture->redirect_uri);
  start (fixture);
  fresh = g_settings_new ("io.github.arcpass.Arcpass");
  remembered = g_settings_get_string (fresh, "browser-redirect-uri");
  g_assert_cmpstr (remembered, ==, fixture->redirect_uri);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "browser.cancel", NULL));
}

int
main (int   argc,
      char *argv[])
{
  /* The test is the browser. */
  g_setenv ("ARCPASS_TEST_BROWSER", "none", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* The application registers the resources; these tests have no application. */
  arcpass_register_resource ();
  /* Screenshots are taken right after a page switch. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

#define ADD(path, func, width) \
  g_test_add (path, Fixture, GINT_TO_POINTER (width), fixture_set_up, func, fixture_tear_down)

  ADD ("/browser/sign-in", test_sign_in, 1280);
  ADD ("/browser/sign-in-narrow", test_sign_in, 360);
  ADD ("/browser/cancel", test_cancel, 1280);
  ADD ("/browser/redirect-uri", test_redirect_uri, 1280);
  ADD ("/browser/state-mismatch", test_state_mismatch, 1280);

#undef ADD

  return g_test_run ();
}
