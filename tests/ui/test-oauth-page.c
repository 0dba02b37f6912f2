/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>
#include <webkit/webkit.h>

#include "arcpass-browser-page.h"
#include "arcpass-core.h"
#include "arcpass-resources.h"
#include "arcpass-oauth-page.h"
#include "arcpass-sandbox.h"
#include "arcpass-test-ui-utils.h"
#include "test-oauth-common.h"

/* These tests drive the real WebKit web view of ArcpassOAuthPage, under
 * Xvfb, against a sandbox portal served from this process. The sandbox's
 * sign-in form is filled in with JavaScript, as a user would type. */

#define TIMEOUT_MS 20000

typedef struct {
  ArcpassSandbox    *sandbox;
  ArcpassClient     *client;
  GSettings         *settings;
  GtkWindow         *window;
  ArcpassOAuthPage  *page;
  ArcpassCredential *credential;
  guint              n_signed_in;
  guint              n_cancelled;
} Fixture;

static void
signed_in_cb (ArcpassOAuthPage  *page,
              ArcpassCredential *credential,
              Fixture           *fixture)
{
  fixture->n_signed_in++;
  g_set_object (&fixture->credential, credential);
}

static void
cancelled_cb (ArcpassOAuthPage *page,
              Fixture          *fixture)
{
  fixture->n_cancelled++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *redirect_uri = NULL;
  int width = GPOINTER_TO_INT (data) ? GPOINTER_TO_INT (data) : 1280;

  fixture->sandbox = arcpass_sandbox_new ();
  g_assert_true (arcpass_sandbox_start (fixture->sandbox, 0, &error));
  g_assert_no_error (error);

  fixture->client = arcpass_client_new ();
  fixture->settings = g_settings_new ("io.github.arcpass.Arcpass");
  /* "Continue in Browser" listens on this registered URI. */
  redirect_uri = arcpass_test_free_redirect_uri ();
  arcpass_sandbox_register_redirect_uri (fixture->sandbox, redirect_uri);
  g_settings_set_string (fixture->settings, "browser-redirect-uri", redirect_uri);
  fixture->page = arcpass_oauth_page_new (fixture->client, fixture->settings);
  arcpass_oauth_page_set_defaults (fixture->page, arcpass_sandbox_get_url (fixture->sandbox),
                                   ARCPASS_SANDBOX_CLIENT_ID);
  g_signal_connect (fixture->page, "signed-in", G_CALLBACK (signed_in_cb), fixture);
  g_signal_connect (fixture->page, "cancelled", G_CALLBACK (cancelled_cb), fixture);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, width, 800);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->page));
  gtk_window_present (fixture->window);
  arcpass_test_wait_for_draw (GTK_WIDGET (fixture->window));
}

static gboolean
no_web_process_cb (gpointer data)
{
  return arcpass_test_count_web_processes () == 0;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  /* Whatever the test did, no web process may outlive the page. */
  g_assert_true (arcpass_test_wait_until (no_web_process_cb, NULL, TIMEOUT_MS));
  g_clear_object (&fixture->credential);
  g_clear_object (&fixture->settings);
  g_clear_object (&fixture->client);
  arcpass_sandbox_stop (fixture->sandbox);
  g_clear_object (&fixture->sandbox);
}

static WebKitWebView *
find_web_view (Fixture *fixture)
{
  GtkWidget *view = arcpass_test_find_widget (GTK_WIDGET (fixture->page), WEBKIT_TYPE_WEB_VIEW,
                                              NULL);

  return view ? WEBKIT_WEB_VIEW (view) : NULL;
}

static const char *
visible_page (Fixture *fixture)
{
  GtkStack *stack = GTK_STACK (arcpass_test_find_widget (GTK_WIDGET (fixture->page),
                                                         GTK_TYPE_STACK, "stack"));

  return gtk_stack_get_visible_child_name (stack);
}

static const char *
visible_web_page (Fixture *fixture)
{
  GtkStack *stack = GTK_STACK (arcpass_test_find_widget (GTK_WIDGET (fixture->page),
                                                         GTK_TYPE_STACK, "web_stack"));

  return gtk_stack_get_visible_child_name (stack);
}

typedef struct {
  Fixture    *fixture;
  const char *title;
} TitleWait;

static gboolean
title_is_cb (gpointer data)
{
  TitleWait *wait = data;
  WebKitWebView *view = find_web_view (wait->fixture);

  return view && !webkit_web_view_is_loading (view) &&
         g_strcmp0 (webkit_web_view_get_title (view), wait->title) == 0;
}

static void
wait_for_title (Fixture    *fixture,
                const char *title)
{
  TitleWait wait = { fixture, title };

  g_assert_true (arcpass_test_wait_until (title_is_cb, &wait, TIMEOUT_MS));
}

typedef struct {
  gboolean  done;
  JSCValue *value;
  GError   *error;
} JsResult;

static void
js_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  JsResult *js = data;

  js->value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result,
                                                          &js->error);
  js->done = TRUE;
}

static gboolean
js_done (gpointer data)
{
  return ((JsResult *) data)->done;
}

static char *
run_js (WebKitWebView *view,
        const char    *script)
{
  JsResult js = { FALSE, NULL, NULL };
  char *text;

  webkit_web_view_evaluate_javascript (view, script, -1, NULL, NULL, NULL, js_done_cb, &js);
  g_assert_true (arcpass_test_wait_until (js_done, &js, TIMEOUT_MS));
  g_assert_no_error (js.error);
  text = jsc_value_to_string (js.value);
  g_object_unref (js.value);
  return text;
}

typedef struct {
  gboolean  done;
  GBytes   *body;
  GError   *error;
} Fetch;

static void
fetch_text_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  Fetch *fetch = data;

  fetch->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &fetch->error);
  fetch->done = TRUE;
}

static gboolean
fetch_done (gpointer data)
{
  return ((Fetch *) data)->done;
}

/* Sends @message while the main loop (and so the sandbox) runs. */
static char *
fetch_text (SoupSession *session,
            SoupMessage *message)
{
  Fetch fetch = { FALSE, NULL, NULL };
  GBytes *body;
  char *text;

  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, fetch_text_cb,
                                    &fetch);
  g_assert_true (arcpass_test_wait_until (fetch_done, &fetch, TIMEOUT_MS));
  g_assert_no_error (fetch.error);
  body = fetch.body;
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_bytes_unref (body);
  return text;
}

static void
submit_credentials (WebKitWebView *view,
                    const char    *username,
                    const char    *password)
{
  g_autofree char *script = NULL;
  g_autofree char *result = NULL;

  script = g_strdup_printf ("document.getElementById ('user_username').value = '%s';"
                            "document.getElementById ('user_password').value = '%s';"
                            "document.getElementById ('signIn').click ();"
                            "'submitted'",
                            username, password);
  result = run_js (view, script);
  g_assert_cmpstr (result, ==, "submitted");
}

static void
set_redirect_uri (Fixture    *fixture,
                  const char *redirect_uri)
{
  GtkWidget *row = arcpass_test_find_widget (GTK_WIDGET (fixture->page), ADW_TYPE_ENTRY_ROW,
                                             "redirect_row");

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), redirect_uri);
}

/* Clicks "Sign In" and waits for the sandbox's form in the web view. */
static WebKitWebView *
start_sign_in (Fixture *fixture)
{
  WebKitWebView *view;

  g_assert_null (find_web_view (fixture));
  g_assert_cmpuint (arcpass_test_count_web_processes (), ==, 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "oauth.sign-in", NULL));
  view = find_web_view (fixture);
  g_assert_nonnull (view);
  g_assert_cmpstr (visible_page (fixture), ==, "web");
  wait_for_title (fixture, "Sign In");

  return view;
}

static gboolean
signed_in_or_failed_cb (gpointer data)
{
  Fixture *fixture = data;

  return fixture->n_signed_in > 0 || g_strcmp0 (visible_web_page (fixture), "problem") == 0;
}

static void
assert_signed_in_as (Fixture    *fixture,
                     const char *username)
{
  g_assert_true (arcpass_test_wait_until (signed_in_or_failed_cb, fixture, TIMEOUT_MS));
  if (fixture->n_signed_in == 0)
    {
      AdwStatusPage *problem = ADW_STATUS_PAGE (arcpass_test_find_widget (GTK_WIDGET (fixture->page),
                                                                          ADW_TYPE_STATUS_PAGE,
                                                                          "problem_page"));
      g_error ("sign-in failed: %s: %s", adw_status_page_get_title (problem),
               adw_status_page_get_description (problem));
    }
  g_assert_cmpuint (fixture->n_signed_in, ==, 1);
  g_assert_nonnull (fixture->credential);
  g_assert_cmpstr (arcpass_credential_get_username (fixture->credential), ==, username);
  g_assert_cmpint (arcpass_credential_get_kind (fixture->credential), ==,
                   ARCPASS_CREDENTIAL_OAUTH_USER);
  g_assert_nonnull (arcpass_credential_get_access_token (fixture->credential));
  g_assert_nonnull (arcpass_credential_get_refresh_token (fixture->credential));

  /* The flow is over: no web view, and its web process is gone. */
  g_assert_null (find_web_view (fixture));
  g_assert_true (arcpass_test_wait_until (no_web_process_cb, NULL, TIMEOUT_MS));
  g_assert_cmpstr (visible_page (fixture), ==, "form");
}

static void
test_form (Fixture       *fixture,
           gconstpointer  data)
{
  GtkWidget *portal_row, *client_row, *redirect_row, *label;
  g_autofree char *name = NULL;

  /* No WebKit process is started just by showing the page. */
  g_assert_null (find_web_view (fixture));
  g_assert_cmpuint (arcpass_test_count_web_processes (), ==, 0);
  g_assert_cmpstr (visible_page (fixture), ==, "form");

  redirect_row = arcpass_test_find_widget (GTK_WIDGET (fixture->page), ADW_TYPE_ENTRY_ROW,
                                           "redirect_row");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (redirect_row)), ==,
                   ARCPASS_OAUTH_OOB_REDIRECT_URI);

  name = g_strdup_printf ("oauth-form-%d", gtk_widget_get_width (GTK_WIDGET (fixture->window)));
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), name));

  /* Inline validation with the core's messages. */
  portal_row = arcpass_test_find_widget (GTK_WIDGET (fixture->page), ADW_TYPE_ENTRY_ROW,
                                         "portal_row");
  label = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_LABEL,
                                    "portal_error_label");
  gtk_editable_set_text (GTK_EDITABLE (portal_row), "http://gis.example.com/portal");
  g_assert_true (gtk_widget_has_css_class (portal_row, "error"));
  g_assert_true (gtk_widget_get_visible (label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), !=, "");

  gtk_editable_set_text (GTK_EDITABLE (redirect_row), "http://example.com/callback");
  g_assert_true (gtk_widget_has_css_class (redirect_row, "error"));

  client_row = arcpass_test_find_widget (GTK_WIDGET (fixture->page), ADW_TYPE_ENTRY_ROW,
                                         "client_id_row");
  gtk_editable_set_text (GTK_EDITABLE (client_row), "");

  /* "Sign In" with a bad form starts nothing. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "oauth.sign-in", NULL);
  g_assert_cmpstr (visible_page (fixture), ==, "form");
  g_assert_true (gtk_widget_has_css_class (client_row, "error"));
  g_assert_null (find_web_view (fixture));

  g_free (name);
  name = g_strdup_printf ("oauth-form-errors-%d", gtk_widget_get_width (GTK_WIDGET (fixture->window)));
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), name));

  gtk_editable_set_text (GTK_EDITABLE (portal_row), arcpass_sandbox_get_url (fixture->sandbox));
  g_assert_false (gtk_widget_has_css_class (portal_row, "error"));
  g_assert_false (gtk_widget_get_visible (label));
}

static void
test_sign_in_oob (Fixture       *fixture,
                  gconstpointer  data)
{
  WebKitWebView *view;
  GtkWidget *host_label, *tls_label;
  g_autofree char *expected_host = NULL;
  g_autofree char *name = NULL;

  view = start_sign_in (fixture);

  /* The header names the host and how it is protected. */
  host_label = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_LABEL, "host_label");
  tls_label = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_LABEL, "tls_label");
  expected_host = g_strdup_printf ("127.0.0.1:%u", arcpass_sandbox_get_port (fixture->sandbox));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (host_label)), ==, expected_host);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (tls_label)), ==, "Not encrypted (local sandbox)");

  arcpass_test_spin (200);
  name = g_strdup_printf ("oauth-web-view-%d", gtk_widget_get_width (GTK_WIDGET (fixture->window)));
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), name));

  submit_credentials (view, ARCPASS_SANDBOX_PUBLISHER_USERNAME, ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  assert_signed_in_as (fixture, ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_assert_cmpstr (arcpass_credential_get_redirect_uri (fixture->credential), ==,
                   ARCPASS_OAUTH_OOB_REDIRECT_URI);
}

static void
test_sign_in_loopback_redirect (Fixture       *fixture,
                                gconstpointer  data)
{
  WebKitWebView *view;

  /* Registered in the sandbox app; nothing listens there: the redirect must
   * be intercepted before it is loaded. */
  set_redirect_uri (fixture, "http://127.0.0.1/callback");
  view = start_sign_in (fixture);
  submit_credentials (view, ARCPASS_SANDBOX_USER_USERNAME, ARCPASS_SANDBOX_USER_PASSWORD);
  assert_signed_in_as (fixture, ARCPASS_SANDBOX_USER_USERNAME);
}

typedef struct {
  WebKitWebView *view;
} ErrorWait;

static gboolean
error_message_shown_cb (gpointer data)
{
  ErrorWait *wait = data;
  g_autofree char *text = NULL;

  if (webkit_web_view_is_loading (wait->view))
    return FALSE;
  text = run_js (wait->view, "var e = document.getElementById ('errorMessage');"
                             "e ? e.textContent : ''");
  return text && *text;
}

static void
test_wrong_password_then_cancel (Fixture       *fixture,
                                 gconstpointer  data)
{
  WebKitWebView *view;
  ErrorWait wait;

  view = start_sign_in (fixture);
  g_assert_cmpuint (arcpass_test_count_web_processes (), >=, 1);
  submit_credentials (view, ARCPASS_SANDBOX_PUBLISHER_USERNAME, "not-the-password");

  /* The portal's page says so, and the user stays on it to try again. */
  wait.view = view;
  g_assert_true (arcpass_test_wait_until (error_message_shown_cb, &wait, TIMEOUT_MS));
  arcpass_test_spin (500);
  g_assert_true (find_web_view (fixture) == view);
  g_assert_cmpstr (visible_page (fixture), ==, "web");
  g_assert_cmpstr (visible_web_page (fixture), ==, "view");
  g_assert_cmpuint (fixture->n_signed_in, ==, 0);

  /* Cancel ends the attempt and the web process. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "oauth.cancel", NULL));
  g_assert_cmpuint (fixture->n_cancelled, ==, 1);
  g_assert_null (find_web_view (fixture));
  g_assert_cmpstr (visible_page (fixture), ==, "form");
  g_assert_true (arcpass_test_wait_until (no_web_process_cb, NULL, TIMEOUT_MS));
}

static gboolean
problem_shown_cb (gpointer data)
{
  return g_strcmp0 (visible_web_page (data), "problem") == 0;
}

static AdwStatusPage *
wait_for_problem (Fixture *fixture)
{
  g_assert_true (arcpass_test_wait_until (problem_shown_cb, fixture, TIMEOUT_MS));
  g_assert_cmpstr (visible_page (fixture), ==, "web");
  return ADW_STATUS_PAGE (arcpass_test_find_widget (GTK_WIDGET (fixture->page),
                                                    ADW_TYPE_STATUS_PAGE, "problem_page"));
}

static void
test_unregistered_redirect (Fixture       *fixture,
                            gconstpointer  data)
{
  AdwStatusPage *problem;
  GtkWidget *detail, *browser_button;
  g_autofree char *name = NULL;

  set_redirect_uri (fixture, "https://app.example.com/not-registered");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "oauth.sign-in", NULL));

  /* The sandbox answers with its error page, as ArcGIS does; the page
   * explains what to register, and where. */
  problem = wait_for_problem (fixture);
  g_assert_cmpstr (adw_status_page_get_title (problem), ==, "Redirect URL Not Registered");
  g_assert_nonnull (strstr (adw_status_page_get_description (problem),
                            "In your OAuth credential's settings on the portal, add the "
                            "redirect URL"));
  detail = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_LABEL,
                                     "problem_detail_label");
  g_assert_true (gtk_widget_is_drawable (detail));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (detail)), ==,
                   "https://app.example.com/not-registered");
  browser_button = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_BUTTON,
                                             "problem_browser_button");
  g_assert_true (gtk_widget_get_visible (browser_button));

  /* The explanation replaced the web view. */
  g_assert_null (find_web_view (fixture));
  g_assert_true (arcpass_test_wait_until (no_web_process_cb, NULL, TIMEOUT_MS));

  name = g_strdup_printf ("oauth-error-redirect-%d",
                          gtk_widget_get_width (GTK_WIDGET (fixture->window)));
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), name));

  /* "Change Settings" goes back to the form. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "oauth.back", NULL));
  g_assert_cmpstr (visible_page (fixture), ==, "form");
  g_assert_cmpuint (fixture->n_cancelled, ==, 0);
}

static void
test_unknown_client_id (Fixture       *fixture,
                        gconstpointer  data)
{
  AdwStatusPage *problem;
  GtkWidget *detail;

  arcpass_oauth_page_set_defaults (fixture->page, NULL, "noSuchClient");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "oauth.sign-in", NULL));

  problem = wait_for_problem (fixture);
  g_assert_cmpstr (adw_status_page_get_title (problem), ==, "Unknown Client ID");
  detail = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_LABEL,
                                     "problem_detail_label");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (detail)), ==, "noSuchClient");
}

static void
test_state_mismatch (Fixture       *fixture,
                     gconstpointer  data)
{
  WebKitWebView *view;
  AdwStatusPage *problem;
  g_autofree char *forged = NULL;

  view = start_sign_in (fixture);

  /* A navigation to the approval page with a code but another `state`, as
   * a forged link would do. */
  forged = g_strdup_printf ("%s/sharing/oauth2/approval?code=forged-code&state=tampered",
                            arcpass_sandbox_get_url (fixture->sandbox));
  webkit_web_view_load_uri (view, forged);

  problem = wait_for_problem (fixture);
  g_assert_cmpstr (adw_status_page_get_title (problem), ==, "Sign-In Answer Refused");
  g_assert_nonnull (strstr (adw_status_page_get_description (problem), "state"));
  g_assert_cmpuint (fixture->n_signed_in, ==, 0);
  g_assert_null (find_web_view (fixture));

  /* Try Again starts a new attempt, with a fresh state, that works. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "oauth.retry", NULL));
  wait_for_title (fixture, "Sign In");
  submit_credentials (find_web_view (fixture), ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                      ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  assert_signed_in_as (fixture, ARCPASS_SANDBOX_PUBLISHER_USERNAME);
}

static void
test_web_process_killed (Fixture       *fixture,
                         gconstpointer  data)
{
  WebKitWebView *view;
  AdwStatusPage *problem;
  GtkWidget *retry;
  g_autofree char *name = NULL;

  view = start_sign_in (fixture);
  webkit_web_view_terminate_web_process (view);

  problem = wait_for_problem (fixture);
  g_assert_cmpstr (adw_status_page_get_title (problem), ==, "Sign-In Page Stopped");
  retry = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_BUTTON,
                                    "problem_retry_button");
  g_assert_true (gtk_widget_get_visible (retry));
  g_assert_true (gtk_widget_has_css_class (retry, "suggested-action"));
  g_assert_true (arcpass_test_wait_until (no_web_process_cb, NULL, TIMEOUT_MS));

  name = g_strdup_printf ("oauth-error-crashed-%d",
                          gtk_widget_get_width (GTK_WIDGET (fixture->window)));
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), name));

  /* Retry brings a working sign-in page back. */
  gtk_widget_activate (retry);
  wait_for_title (fixture, "Sign In");
  submit_credentials (find_web_view (fixture), ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                      ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  assert_signed_in_as (fixture, ARCPASS_SANDBOX_PUBLISHER_USERNAME);
}

static void
test_denied (Fixture       *fixture,
             gconstpointer  data)
{
  WebKitWebView *view;
  AdwStatusPage *problem;
  g_autofree char *result = NULL;

  view = start_sign_in (fixture);
  result = run_js (view, "document.getElementById ('cancel').click (); 'ok'");
  g_assert_cmpstr (result, ==, "ok");

  problem = wait_for_problem (fixture);
  g_assert_cmpstr (adw_status_page_get_title (problem), ==, "Sign-In Cancelled");
  g_assert_cmpuint (fixture->n_signed_in, ==, 0);
}

static void
test_embedded_view_refused (Fixture       *fixture,
                            gconstpointer  data)
{
  WebKitWebView *view;
  AdwStatusPage *problem;
  GtkWidget *browser_button;
  g_autofree char *refusal = NULL;

  view = start_sign_in (fixture);

  /* What Google does to embedded views: an error page whose address says
   * disallowed_useragent. The page proposes the browser instead. */
  refusal = g_strdup_printf ("%s/signin/oauth/error?authError=disallowed_useragent",
                             arcpass_sandbox_get_url (fixture->sandbox));
  webkit_web_view_load_uri (view, refusal);

  problem = wait_for_problem (fixture);
  g_assert_cmpstr (adw_status_page_get_title (problem), ==, "Sign In in Your Browser");
  browser_button = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_BUTTON,
                                             "problem_browser_button");
  g_assert_true (gtk_widget_get_visible (browser_button));
  g_assert_true (gtk_widget_has_css_class (browser_button, "suggested-action"));
  g_assert_null (find_web_view (fixture));
}

static void
test_continue_in_browser (Fixture       *fixture,
                          gconstpointer  data)
{
  GtkWidget *link;
  const char *text;

  start_sign_in (fixture);

  /* The browser cannot hand an oob code back: the page switches to the
   * loopback flow, and the web view (and its process) go away. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page),
                                             "oauth.continue-in-browser", NULL));
  g_assert_cmpstr (visible_page (fixture), ==, "browser");
  g_assert_null (find_web_view (fixture));
  g_assert_true (arcpass_test_wait_until (no_web_process_cb, NULL, TIMEOUT_MS));

  link = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_LABEL, "link_label");
  text = gtk_label_get_text (GTK_LABEL (link));
  g_assert_nonnull (strstr (text, "redirect_uri=http%3A%2F%2F127.0.0.1%3A"));
  g_assert_null (strstr (text, "oob"));

  /* Cancel on the waiting page is the page's "cancelled". */
  g_assert_true (gtk_widget_activate_action (arcpass_test_find_widget (GTK_WIDGET (fixture->page),
                                                                       ARCPASS_TYPE_BROWSER_PAGE,
                                                                       NULL),
                                             "browser.cancel", NULL));
  g_assert_cmpuint (fixture->n_cancelled, ==, 1);
  g_assert_cmpstr (visible_page (fixture), ==, "form");
}

/* Every host the page's header named, in order, without repeats. */
static void
host_label_changed_cb (GtkLabel   *label,
                       GParamSpec *pspec,
                       GPtrArray  *hosts)
{
  const char *text = gtk_label_get_text (label);

  if (*text && (hosts->len == 0 || !g_str_equal (g_ptr_array_index (hosts, hosts->len - 1), text)))
    g_ptr_array_add (hosts, g_strdup (text));
}

static gboolean
hosts_contain (GPtrArray  *hosts,
               const char *host)
{
  for (guint i = 0; i < hosts->len; i++)
    if (g_str_equal (g_ptr_array_index (hosts, i), host))
      return TRUE;
  return FALSE;
}

static char *
host_of (Fixture            *fixture,
         ArcpassSandboxHost  host)
{
  return g_strdup_printf ("%s:%u", arcpass_sandbox_host_get_address (host),
                          arcpass_sandbox_get_port (fixture->sandbox));
}

/* An organisation member signing in with its identity provider, in the
 * embedded view: the portal's page, the IdP's form and second factor on
 * their own host (the header says so), the SAML POST to the organisation's
 * host, and the approval page there, which the core accepts. */
static void
test_sign_in_idp (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkWidget *host_label = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_LABEL,
                                                    "host_label");
  GtkWidget *tls_label = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_LABEL,
                                                   "tls_label");
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *portal_host = host_of (fixture, ARCPASS_SANDBOX_HOST_PORTAL);
  g_autofree char *idp_host = host_of (fixture, ARCPASS_SANDBOX_HOST_IDP);
  g_autofree char *org_host = host_of (fixture, ARCPASS_SANDBOX_HOST_ORG);
  g_autofree char *result = NULL;
  g_autofree char *script = NULL;
  WebKitWebView *view;

  g_signal_connect (host_label, "notify::label", G_CALLBACK (host_label_changed_cb), hosts);
  view = start_sign_in (fixture);

  result = run_js (view, "document.getElementById ('idpSignIn').click (); 'ok'");
  g_assert_cmpstr (result, ==, "ok");
  wait_for_title (fixture, "Sandbox SSO — Sign In");
  /* The header names the identity provider's host while its form shows. */
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (host_label)), ==, idp_host);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (tls_label)), ==, "Not encrypted (local sandbox)");
  arcpass_test_spin (200);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), "oauth-idp-host"));

  g_clear_pointer (&result, g_free);
  script = g_strdup_printf ("document.getElementById ('idpUsername').value = '%s';"
                            "document.getElementById ('idpPassword').value = '%s';"
                            "document.getElementById ('idpSubmit').click (); 'ok'",
                            ARCPASS_SANDBOX_IDP_USERNAME, ARCPASS_SANDBOX_IDP_PASSWORD);
  result = run_js (view, script);
  wait_for_title (fixture, "Sandbox SSO — Verification Code");
  arcpass_test_spin (200);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), "oauth-idp-mfa"));

  g_clear_pointer (&result, g_free);
  g_clear_pointer (&script, g_free);
  script = g_strdup_printf ("document.getElementById ('mfaCode').value = '%s';"
                            "document.getElementById ('mfaSubmit').click (); 'ok'",
                            ARCPASS_SANDBOX_IDP_MFA_CODE);
  result = run_js (view, script);

  /* The SAML form posts itself to the organisation's host, whose approval
   * page (on that host, not the portal's) is intercepted. */
  assert_signed_in_as (fixture, ARCPASS_SANDBOX_IDP_USERNAME);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), "oauth-org-approval"));
  for (guint i = 0; i < hosts->len; i++)
    g_test_message ("header showed %s", (const char *) g_ptr_array_index (hosts, i));
  g_assert_true (hosts_contain (hosts, portal_host));
  g_assert_true (hosts_contain (hosts, idp_host));
  g_assert_true (hosts_contain (hosts, org_host));
  g_signal_handlers_disconnect_by_data (host_label, hosts);
}

/* "Paste Code": the code the portal showed (here obtained by a second
 * browser from the same authorize link) is exchanged with this attempt's
 * PKCE verifier, exactly like an intercepted one. */
static void
test_paste_code (Fixture       *fixture,
                 gconstpointer  data)
{
  WebKitWebView *view = start_sign_in (fixture);
  g_autoptr(SoupSession) browser = soup_session_new ();
  g_autofree char *authorize_url = g_strdup (webkit_web_view_get_uri (view));
  g_autoptr(SoupMessage) get = soup_message_new ("GET", authorize_url);
  g_autoptr(SoupMessage) post = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("name=\"oauth_state\" value=\"([^\"]+)\"", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *html = NULL;
  g_autofree char *oauth_state = NULL;
  g_autofree char *action = NULL;
  g_autofree char *code = NULL;
  g_autoptr(GUri) location = NULL;
  g_autoptr(GHashTable) params = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  soup_message_add_flags (get, SOUP_MESSAGE_NO_REDIRECT);
  html = fetch_text (browser, get);
  g_assert_true (g_regex_match (regex, html, 0, &match));
  oauth_state = g_match_info_fetch (match, 1);
  action = g_uri_resolve_relative (authorize_url, "signin", G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  post = soup_message_new_from_encoded_form ("POST", action,
                                             soup_form_encode ("oauth_state", oauth_state,
                                                               "username", ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                                                               "password", ARCPASS_SANDBOX_PUBLISHER_PASSWORD,
                                                               NULL));
  soup_message_add_flags (post, SOUP_MESSAGE_NO_REDIRECT);
  g_free (fetch_text (browser, post));
  g_assert_cmpuint (soup_message_get_status (post), ==, 302);
  location = g_uri_parse (soup_message_headers_get_one (soup_message_get_response_headers (post),
                                                        "Location"),
                          G_URI_FLAGS_ENCODED_QUERY, NULL);
  params = g_uri_parse_params (g_uri_get_query (location), -1, "&", G_URI_PARAMS_NONE, NULL);
  code = g_strdup (g_hash_table_lookup (params, "code"));
  g_assert_nonnull (code);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "oauth.paste-code", NULL));
  dialog = ADW_MESSAGE_DIALOG (arcpass_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  entry = adw_message_dialog_get_extra_child (dialog);
  /* Masked. */
  g_assert_true (GTK_IS_PASSWORD_ENTRY (entry));
  arcpass_test_wait_for_draw (GTK_WIDGET (dialog));
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (dialog), "oauth-paste-code"));
  gtk_editable_set_text (GTK_EDITABLE (entry), code);
  /* Enter in the entry signs in. */
  g_signal_emit_by_name (entry, "activate");

  assert_signed_in_as (fixture, ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_assert_null (arcpass_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
}

/* With a portal session cookie kept ("Keep me signed in"), adding an
 * account still shows the portal's form: force_login. */
static void
test_force_login (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkWidget *keep = arcpass_test_find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_CHECK_BUTTON,
                                              "keep_signed_in_check");
  WebKitWebView *view;

  gtk_check_button_set_active (GTK_CHECK_BUTTON (keep), TRUE);
  view = start_sign_in (fixture);
  submit_credentials (view, ARCPASS_SANDBOX_PUBLISHER_USERNAME, ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  assert_signed_in_as (fixture, ARCPASS_SANDBOX_PUBLISHER_USERNAME);

  /* The session cookie is kept; another "Add account" shows the form. */
  fixture->n_signed_in = 0;
  view = start_sign_in (fixture);
  g_assert_cmpuint (fixture->n_signed_in, ==, 0);
  submit_credentials (view, ARCPASS_SANDBOX_USER_USERNAME, ARCPASS_SANDBOX_USER_PASSWORD);
  assert_signed_in_as (fixture, ARCPASS_SANDBOX_USER_USERNAME);
}

/* Signing an existing account in again: the portal's form shows its
 * username (prepopulatedusername), and still asks for the password. */
static void
test_sign_in_again (Fixture       *fixture,
                    gconstpointer  data)
{
  WebKitWebView *view;
  g_autofree char *prefilled = NULL;
  const char *uri;

  g_object_set (fixture->page, "username", ARCPASS_SANDBOX_USER_USERNAME, NULL);
  view = start_sign_in (fixture);
  uri = webkit_web_view_get_uri (view);
  g_assert_nonnull (strstr (uri, "prepopulatedusername=" ARCPASS_SANDBOX_USER_USERNAME));
  g_assert_nonnull (strstr (uri, "force_login=true"));
  prefilled = run_js (view, "document.getElementById ('user_username').value");
  g_assert_cmpstr (prefilled, ==, ARCPASS_SANDBOX_USER_USERNAME);
  g_free (run_js (view, "document.getElementById ('user_password').value = '"
                  ARCPASS_SANDBOX_USER_PASSWORD "';"
                  "document.getElementById ('signIn').click (); 'ok'"));
  assert_signed_in_as (fixture, ARCPASS_SANDBOX_USER_USERNAME);
}

int
main (int   argc,
      char *argv[])
{
  /* Under Xvfb, a widget snapshot cannot read back WebKit's accelerated
   * compositing surface: the screenshots would show a blank page. */
  g_setenv ("WEBKIT_DISABLE_COMPOSITING_MODE", "1", TRUE);
  /* "Continue in Browser" must not open a real browser here. */
  g_setenv ("ARCPASS_TEST_BROWSER", "none", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* The application registers the resources; these tests have no application. */
  arcpass_register_resource ();
  /* Screenshots are taken right after a page switch. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

#define ADD(path, func, width) \
  g_test_add (path, Fixture, GINT_TO_POINTER (width), fixture_set_up, func, fixture_tear_down)

  ADD ("/oauth/form", test_form, 1280);
  ADD ("/oauth/form-narrow", test_form, 360);
  ADD ("/oauth/sign-in-oob", test_sign_in_oob, 1280);
  ADD ("/oauth/sign-in-oob-narrow", test_sign_in_oob, 360);
  ADD ("/oauth/sign-in-loopback-redirect", test_sign_in_loopback_redirect, 1280);
  ADD ("/oauth/wrong-password-then-cancel", test_wrong_password_then_cancel, 1280);
  ADD ("/oauth/unregistered-redirect", test_unregistered_redirect, 1280);
  ADD ("/oauth/unregistered-redirect-narrow", test_unregistered_redirect, 360);
  ADD ("/oauth/unknown-client-id", test_unknown_client_id, 1280);
  ADD ("/oauth/state-mismatch", test_state_mismatch, 1280);
  ADD ("/oauth/web-process-killed", test_web_process_killed, 1280);
  ADD ("/oauth/denied", test_denied, 1280);
  ADD ("/oauth/embedded-view-refused", test_embedded_view_refused, 1280);
  ADD ("/oauth/continue-in-browser", test_continue_in_browser, 1280);
  ADD ("/oauth/sign-in-idp", test_sign_in_idp, 1280);
  ADD ("/oauth/paste-code", test_paste_code, 1280);
  ADD ("/oauth/force-login", test_force_login, 1280);
  ADD ("/oauth/sign-in-again", test_sign_in_again, 1280);

#undef ADD

  return g_test_run ();
}
