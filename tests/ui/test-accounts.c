/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>

#include "arcpass-account-row.h"
#include "arcpass-account-page.h"
#include "arcpass-add-account-page.h"
#include "arcpass-api-key-page.h"
#include "arcpass-app-credentials-page.h"
#include "arcpass-application.h"
#include "arcpass-browser-page.h"
#include "arcpass-enterprise-page.h"
#include "arcpass-sandbox.h"
#include "arcpass-window.h"
#include "arcpass-test-ui-utils.h"

/* The non-web sign-in flows of the main window, driven through its widgets
 * against a sandbox portal served by this test process, with the private
 * keyring of tests/arcpass-test-session. */

static ArcpassSandbox *sandbox;
static ArcpassApplication *app;

static ArcpassApplication *
create_app (void)
{
  static guint generation;
  ArcpassApplication *application = arcpass_application_new ();
  g_autoptr(GError) error = NULL;

  if (generation > 0)
    {
      g_autofree char *id = g_strdup_printf ("%s.Restart%u", APP_ID, generation);

      g_application_set_application_id (G_APPLICATION (application), id);
    }
  generation++;

  /* Several application objects live one after the other in this process
   * (to test a restart); none of them needs the bus name. */
  g_application_set_flags (G_APPLICATION (application), G_APPLICATION_NON_UNIQUE);
  arcpass_application_set_sandbox_url (application, arcpass_sandbox_get_url (sandbox));
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);

  return application;
}

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

/* GtkButton's "activate" clicks only after a 250 ms animation; tests want
 * the click itself. */
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

static const char *
visible_page (ArcpassWindow *window)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (find (window, "content_stack")));
}

/* Opens the chooser with the window action and picks @flow's row, as a
 * keyboard user would (Ctrl+N, then Enter on a row). */
static GtkWidget *
open_flow (ArcpassWindow *window,
           const char    *flow,
           GType          page_type)
{
  GtkWidget *chooser, *row, *page;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  g_assert_cmpstr (visible_page (window), ==, "chooser");
  chooser = arcpass_test_find_widget (GTK_WIDGET (window), ARCPASS_TYPE_ADD_ACCOUNT_PAGE, NULL);
  row = arcpass_test_find_widget (chooser, ADW_TYPE_ACTION_ROW, flow);
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_visible (row));
  adw_action_row_activate (ADW_ACTION_ROW (row));

  g_assert_cmpstr (visible_page (window), ==, flow);
  page = arcpass_test_find_widget (GTK_WIDGET (window), page_type, NULL);
  g_assert_nonnull (page);
  g_assert_true (gtk_widget_get_mapped (page));

  return page;
}

typedef struct {
  ArcpassWindow *window;
  guint          count;
} CountWait;

static gboolean
account_count_cb (gpointer data)
{
  CountWait *wait = data;

  return count_accounts (wait->window) == wait->count;
}

static void
wait_for_accounts (ArcpassWindow *window,
                   guint          count)
{
  CountWait wait = { window, count };

  g_assert_true (arcpass_test_wait_until (account_count_cb, &wait, 15000));
}

static gboolean
widget_visible_cb (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static gboolean
spinner_stopped_cb (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

static void
assert_summary (ArcpassWindow *window,
                const char    *kind)
{
  GtkWidget *summary = find (window, "summary_page");
  ArcpassTokenManager *manager;
  ArcpassCredential *credential;
  const char *subtitle;

  g_assert_cmpstr (visible_page (window), ==, "summary");
  manager = arcpass_account_page_get_manager (ARCPASS_ACCOUNT_PAGE (summary));
  g_assert_nonnull (manager);
  credential = arcpass_token_manager_get_credential (manager);
  /* One of the sandbox's portals: the Online-like one or the Enterprise one. */
  g_assert_true (g_str_has_prefix (arcpass_credential_get_portal_url (credential),
                                   arcpass_sandbox_get_url (sandbox)) ||
                 g_str_has_prefix (arcpass_credential_get_portal_url (credential),
                                   arcpass_sandbox_get_host_url (sandbox,
                                                                 ARCPASS_SANDBOX_HOST_ENTERPRISE)));

  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (find (summary, "kind_row")));
  g_assert_cmpstr (subtitle, ==, kind);
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (find (summary, "portal_row")));
  g_assert_cmpstr (subtitle, ==, arcpass_credential_get_portal_url (credential));
  /* The account view shows the state as a badge beside the name. */
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find (summary, "state_label"))), ==, "Valid");
}

/* Checks a key and returns the page once the verdict rows are shown. */
static GtkWidget *
check_key (ArcpassWindow *window,
           const char    *key)
{
  GtkWidget *page = open_flow (window, "api-key", ARCPASS_TYPE_API_KEY_PAGE);

  /* The sandbox portal is pre-filled. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (page, "portal_row"))), ==,
                   arcpass_sandbox_get_url (sandbox));
  set_text (page, "key_row", key);
  set_text (page, "name_row", "Test key");
  click (find (page, "check_button"));
  g_assert_true (gtk_widget_get_visible (find (page, "spinner")));
  g_assert_true (arcpass_test_wait_until (spinner_stopped_cb, find (page, "spinner"), 15000));
  g_assert_true (gtk_widget_get_visible (find (page, "results_group")));

  return page;
}

static void
assert_probe (GtkWidget  *page,
              const char *service,
              const char *status,
              const char *subtitle_part)
{
  g_autofree char *row_name = g_strconcat ("probe-", service, NULL);
  g_autofree char *status_class = g_strconcat ("probe-", status, NULL);
  GtkWidget *row = find (page, row_name);
  const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

  g_test_message ("%s: %s", service, subtitle);
  g_assert_true (gtk_widget_has_css_class (row, status_class));
  if (subtitle_part)
    g_assert_nonnull (strstr (subtitle, subtitle_part));
}

static void
test_empty_and_chooser (void)
{
  ArcpassWindow *window = get_main_window ();
  GtkWidget *sandbox_row, *title;

  g_assert_cmpuint (count_accounts (window), ==, 0);
  g_assert_cmpstr (visible_page (window), ==, "empty");

  /* Sandbox mode says so, in the header and in a row. */
  title = find (window, "sidebar_title");
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title)), ==,
                   "Local sandbox portal — not ArcGIS");
  sandbox_row = find (window, "sandbox_row");
  g_assert_true (gtk_widget_get_visible (sandbox_row));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (sandbox_row)),
                            arcpass_sandbox_get_url (sandbox)));
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-empty");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  g_assert_cmpstr (visible_page (window), ==, "chooser");
  /* All five flows are offered. */
  for (guint i = 0; i < 5; i++)
    {
      const char *flows[] = { "oauth", "browser", "api-key", "app-credentials", "enterprise" };
      GtkWidget *row = arcpass_test_find_widget (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, flows[i]);

      g_assert_nonnull (row);
      g_assert_true (gtk_widget_get_visible (row));
    }
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-chooser");

  /* Escape (win.go-back) leaves the chooser. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_cmpstr (visible_page (window), ==, "empty");
}

static void
test_validation (void)
{
  ArcpassWindow *window = get_main_window ();
  GtkWidget *page = open_flow (window, "api-key", ARCPASS_TYPE_API_KEY_PAGE);
  GtkWidget *error_label = find (page, "error_label");

  /* An empty key is refused before anything is sent. */
  set_text (page, "key_row", "");
  click (find (page, "check_button"));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_has_css_class (find (page, "key_row"), "error"));
  g_assert_false (gtk_widget_get_visible (find (page, "spinner")));

  /* http:// on a host that is not loopback: the core's message is shown. */
  set_text (page, "key_row", ARCPASS_SANDBOX_KEY_FULL);
  set_text (page, "portal_row", "http://gis.example.com/portal");
  click (find (page, "check_button"));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_has_css_class (find (page, "portal_row"), "error"));
  g_test_message ("insecure portal: %s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), !=, "");
  g_assert_false (gtk_widget_get_visible (find (page, "spinner")));
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-api-key-invalid-input");

  /* Cancel while working stops the work and says so. */
  set_text (page, "portal_row", arcpass_sandbox_get_url (sandbox));
  arcpass_sandbox_add_fault (sandbox, "/", "delay:3000", 3);
  click (find (page, "check_button"));
  g_assert_true (gtk_widget_get_visible (find (page, "spinner")));
  click (find (page, "cancel_button"));
  g_assert_false (gtk_widget_get_visible (find (page, "spinner")));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, "Cancelled.");
  g_assert_false (gtk_widget_get_visible (find (page, "results_group")));
  g_assert_cmpstr (visible_page (window), ==, "api-key");
  /* The cancelled answers arrive later and change nothing. */
  arcpass_test_spin (3500);
  g_assert_false (gtk_widget_get_visible (find (page, "results_group")));
  arcpass_sandbox_reset (sandbox);

  /* Cancel when idle goes back to the chooser. */
  click (find (page, "cancel_button"));
  g_assert_cmpstr (visible_page (window), ==, "chooser");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
}

static void
test_api_key_full (void)
{
  ArcpassWindow *window = get_main_window ();
  guint before = count_accounts (window);
  GtkWidget *page = check_key (window, ARCPASS_SANDBOX_KEY_FULL);

  assert_probe (page, "basemap-styles", "works", NULL);
  assert_probe (page, "static-tiles", "works", NULL);
  assert_probe (page, "geocode", "works", NULL);
  g_assert_true (gtk_widget_get_sensitive (find (page, "add_button")));
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-api-key-full");

  click (find (page, "add_button"));
  wait_for_accounts (window, before + 1);
  assert_summary (window, "API key");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find (window, "name_label"))), ==, "Test key");
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-summary-api-key");
}

static void
test_api_key_basemaps_only (void)
{
  ArcpassWindow *window = get_main_window ();
  GtkWidget *page = check_key (window, ARCPASS_SANDBOX_KEY_BASEMAPS);

  assert_probe (page, "basemap-styles", "works", NULL);
  assert_probe (page, "geocode", "missing-privilege", "premium:user:geocode:temporary");
  /* The key works for something, so it may be added. */
  g_assert_true (gtk_widget_get_sensitive (find (page, "add_button")));
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-api-key-basemaps");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_cmpstr (visible_page (window), ==, "chooser");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
}

static void
test_api_key_expired (void)
{
  ArcpassWindow *window = get_main_window ();
  GtkWidget *page = check_key (window, ARCPASS_SANDBOX_KEY_EXPIRED);

  assert_probe (page, "basemap-styles", "invalid-key", NULL);
  assert_probe (page, "static-tiles", "invalid-key", NULL);
  assert_probe (page, "geocode", "invalid-key", NULL);
  g_assert_false (gtk_widget_get_sensitive (find (page, "add_button")));
  g_assert_true (gtk_widget_get_visible (find (page, "error_label")));
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-api-key-expired");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
}

static void
test_app_credentials (void)
{
  ArcpassWindow *window = get_main_window ();
  guint before = count_accounts (window);
  GtkWidget *page = open_flow (window, "app-credentials", ARCPASS_TYPE_APP_CREDENTIALS_PAGE);
  GtkWidget *error_label = find (page, "error_label");

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (page, "client_id_row"))), ==,
                   ARCPASS_SANDBOX_CLIENT_ID);

  /* A wrong secret is explained in the page. */
  set_text (page, "secret_row", "not-the-secret");
  click (find (page, "sign_in_button"));
  g_assert_true (arcpass_test_wait_until (widget_visible_cb, error_label, 15000));
  g_test_message ("wrong secret: %s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_cmpuint (count_accounts (window), ==, before);
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-app-credentials-error");

  set_text (page, "secret_row", ARCPASS_SANDBOX_CLIENT_SECRET);
  g_assert_false (gtk_widget_get_visible (error_label));
  click (find (page, "sign_in_button"));
  wait_for_accounts (window, before + 1);
  assert_summary (window, "App credentials");
  /* The secret does not stay in the form. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (page, "secret_row"))), ==, "");
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-summary-app-credentials");
}

/* The sandbox's ArcGIS Enterprise portal, which the window offers in
 * sandbox mode: 127.0.0.5 at the sandbox's port, under /portal. */
static char *
enterprise_url (void)
{
  return g_strconcat (arcpass_sandbox_get_host_url (sandbox, ARCPASS_SANDBOX_HOST_ENTERPRISE),
                      "/portal", NULL);
}

static void
discover (ArcpassWindow *window,
          GtkWidget     *page)
{
  g_autofree char *url = enterprise_url ();

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (page, "portal_row"))), ==, url);
  click (find (page, "discover_button"));
  g_assert_true (arcpass_test_wait_until (widget_visible_cb, find (page, "discovery_group"), 15000));
  g_test_message ("kind: %s, version: %s, token service: %s",
                  adw_action_row_get_subtitle (ADW_ACTION_ROW (find (page, "kind_row"))),
                  adw_action_row_get_subtitle (ADW_ACTION_ROW (find (page, "version_row"))),
                  adw_action_row_get_subtitle (ADW_ACTION_ROW (find (page, "token_service_row"))));
  g_assert_true (gtk_widget_get_visible (find (page, "password_group")));
  g_assert_true (gtk_widget_get_visible (find (page, "oauth_group")));
}

static void
test_enterprise_wrong_password (void)
{
  ArcpassWindow *window = get_main_window ();
  guint before = count_accounts (window);
  GtkWidget *page = open_flow (window, "enterprise", ARCPASS_TYPE_ENTERPRISE_PAGE);
  GtkWidget *error_label = find (page, "sign_in_error_label");
  GtkWidget *oauth;
  GType oauth_type;

  g_autofree char *url = enterprise_url ();

  discover (window, page);
  set_text (page, "username_row", ARCPASS_SANDBOX_ENTERPRISE_USERNAME);
  set_text (page, "password_row", "wrong password");
  click (find (page, "sign_in_button"));
  /* The password is not kept in the form, whatever the answer. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (page, "password_row"))), ==, "");
  g_assert_true (arcpass_test_wait_until (widget_visible_cb, error_label, 15000));
  g_test_message ("wrong password: %s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_true (gtk_widget_has_css_class (find (page, "password_row"), "error"));
  g_assert_cmpuint (count_accounts (window), ==, before);
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-enterprise-wrong-password");

  /* "Sign In with OAuth" hands the discovered portal to the OAuth page. */
  adw_action_row_activate (ADW_ACTION_ROW (find (page, "oauth_row")));
  g_assert_cmpstr (visible_page (window), ==, "oauth");
  /* The page comes from the web view module, which registered its type. */
  oauth_type = g_type_from_name ("ArcpassOAuthPage");
  g_assert_true (oauth_type != G_TYPE_INVALID);
  oauth = arcpass_test_find_widget (GTK_WIDGET (window), oauth_type, NULL);
  g_assert_nonnull (oauth);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (oauth, "portal_row"))), ==, url);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_cmpstr (visible_page (window), ==, "chooser");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
}

static void
test_enterprise_password (void)
{
  ArcpassWindow *window = get_main_window ();
  guint before = count_accounts (window);
  GtkWidget *page = open_flow (window, "enterprise", ARCPASS_TYPE_ENTERPRISE_PAGE);
  GtkWidget *summary;

  discover (window, page);
  set_text (page, "username_row", ARCPASS_SANDBOX_ENTERPRISE_USERNAME);
  set_text (page, "password_row", ARCPASS_SANDBOX_ENTERPRISE_PASSWORD);
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-enterprise");
  click (find (page, "sign_in_button"));
  wait_for_accounts (window, before + 1);
  assert_summary (window, "Username and password (generateToken)");

  summary = find (window, "summary_page");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (find (summary, "username_row"))), ==,
                   ARCPASS_SANDBOX_ENTERPRISE_USERNAME);
  g_assert_true (gtk_widget_get_visible (find (summary, "access_expiry_row")));
  g_test_message ("expires: %s",
                  adw_action_row_get_subtitle (ADW_ACTION_ROW (find (summary, "access_expiry_row"))));
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-summary-enterprise");
}

static void
restart_app (void)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  /* Everything the first "run" had goes away; only the keyring remains. */
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (window);
  g_application_quit (G_APPLICATION (app));
  arcpass_test_spin (100);
  g_assert_null (window);
  /* The old application object is not finalized: two references remain
   * after its window is gone (not tracked down yet; the window itself is
   * finalized). It keeps its D-Bus object path, so the new one gets its own
   * id. Nothing of Arcpass depends on the id: settings and resources have
   * fixed names, and the keyring is the same. */
  g_object_unref (app);
  app = create_app ();
}

static void
test_restore (void)
{
  ArcpassWindow *window = get_main_window ();
  guint before = count_accounts (window);
  GtkWidget *list;

  g_assert_cmpuint (before, >=, 3);
  restart_app ();
  window = get_main_window ();
  g_assert_cmpuint (count_accounts (window), ==, before);

  /* The first account is shown; the restored accounts are checked and valid. */
  list = find (window, "account_list");
  g_assert_nonnull (gtk_list_box_get_selected_row (GTK_LIST_BOX (list)));
  g_assert_cmpstr (visible_page (window), ==, "summary");
  arcpass_test_spin (1000);
  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child;
       child = gtk_widget_get_next_sibling (child))
    {
      ArcpassCredential *credential;

      if (!ARCPASS_IS_ACCOUNT_ROW (child))
        continue;
      credential = arcpass_account_row_get_credential (ARCPASS_ACCOUNT_ROW (child));
      g_assert_cmpint (arcpass_credential_get_state (credential), ==, ARCPASS_CREDENTIAL_STATE_VALID);
    }
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-restored");
}

typedef struct {
  gboolean     done;
  GBytes      *body;
  GError      *error;
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

/* The user's browser, played over HTTP while the main loop runs. */
static char *
browser_fetch (SoupSession *session,
               SoupMessage *message)
{
  Fetch fetch = { FALSE, NULL, NULL };
  char *text;

  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, fetch_cb, &fetch);
  g_assert_true (arcpass_test_wait_until (fetch_done_cb, &fetch, 10000));
  g_assert_no_error (fetch.error);
  text = g_strndup (g_bytes_get_data (fetch.body, NULL), g_bytes_get_size (fetch.body));
  g_bytes_unref (fetch.body);
  return text;
}

static void
save_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static gboolean
result_set_cb (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static ArcpassCredential *find_credential (ArcpassWindow *window,
                                           const char    *username);

/* The window shows the account renewed (a new refresh token, valid). */
static gboolean
renewed_cb (gpointer data)
{
  ArcpassCredential *credential = find_credential (data, ARCPASS_SANDBOX_USER_USERNAME);

  return credential &&
         arcpass_credential_get_state (credential) == ARCPASS_CREDENTIAL_STATE_VALID &&
         arcpass_credential_get_refresh_token (credential) != NULL &&
         !g_str_equal (arcpass_credential_get_refresh_token (credential),
                       "stale-refresh-0123456789");
}

static ArcpassCredential *
find_credential (ArcpassWindow *window,
                 const char    *username)
{
  GtkWidget *list = find (window, "account_list");

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child;
       child = gtk_widget_get_next_sibling (child))
    if (ARCPASS_IS_ACCOUNT_ROW (child) &&
        g_strcmp0 (arcpass_credential_get_username (
                     arcpass_account_row_get_credential (ARCPASS_ACCOUNT_ROW (child))), username) == 0)
      return arcpass_account_row_get_credential (ARCPASS_ACCOUNT_ROW (child));
  return NULL;
}

/* An account that needs a new sign-in (it signed in in the browser): "Sign
 * In Again" opens the same sign-in, with its username on the portal's form
 * (prepopulatedusername) and force_login; the account is then renewed in
 * place. */
static void
test_sign_in_again (void)
{
  g_autoptr(ArcpassCredential) stale = arcpass_credential_new (ARCPASS_CREDENTIAL_OAUTH_USER,
                                                               arcpass_sandbox_get_url (sandbox));
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(GAsyncResult) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) browser = soup_session_new ();
  g_autoptr(SoupMessage) get = NULL;
  g_autoptr(SoupMessage) post = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("name=\"oauth_state\" value=\"([^\"]+)\"", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *redirect_uri = arcpass_test_free_redirect_uri ();
  g_autofree char *link = NULL;
  g_autofree char *html = NULL;
  g_autofree char *oauth_state = NULL;
  g_autofree char *action = NULL;
  g_autofree char *answer = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  ArcpassCredential *shown;
  ArcpassWindow *window;
  GtkWidget *page;
  guint before;
  g_autofree char *id = NULL;

  /* Tokens the sandbox never issued: the account cannot be renewed. */
  arcpass_sandbox_register_redirect_uri (sandbox, redirect_uri);
  arcpass_credential_set_username (stale, ARCPASS_SANDBOX_USER_USERNAME);
  arcpass_credential_set_client_id (stale, ARCPASS_SANDBOX_CLIENT_ID);
  arcpass_credential_set_redirect_uri (stale, redirect_uri);
  arcpass_credential_set_access_token (stale, "stale-access-0123456789");
  arcpass_credential_set_access_expires (stale, now - 600);
  arcpass_credential_set_refresh_token (stale, "stale-refresh-0123456789");
  arcpass_credential_set_refresh_expires (stale, now + 86400);
  arcpass_credential_set_state (stale, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);
  arcpass_account_store_save_async (store, stale, NULL, save_cb, &saved);
  g_assert_true (arcpass_test_wait_until (result_set_cb, &saved, 10000));
  g_assert_true (arcpass_account_store_save_finish (store, saved, &error));
  g_assert_no_error (error);

  restart_app ();
  window = get_main_window ();
  before = count_accounts (window);
  shown = find_credential (window, ARCPASS_SANDBOX_USER_USERNAME);
  g_assert_nonnull (shown);
  id = g_strdup (arcpass_credential_get_id (shown));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-in-again", "s",
                                             arcpass_credential_get_id (shown)));
  g_assert_cmpstr (visible_page (window), ==, "browser");
  page = arcpass_test_find_widget (GTK_WIDGET (window), ARCPASS_TYPE_BROWSER_PAGE, NULL);
  g_assert_nonnull (page);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (page, "redirect_row"))), ==,
                   redirect_uri);
  g_assert_true (gtk_widget_activate_action (page, "browser.sign-in", NULL));
  link = g_strdup (gtk_label_get_text (GTK_LABEL (find (page, "link_label"))));
  g_assert_nonnull (strstr (link, "prepopulatedusername=" ARCPASS_SANDBOX_USER_USERNAME));
  g_assert_nonnull (strstr (link, "force_login=true"));

  /* The browser: the form shows the username; the password is typed. */
  get = soup_message_new ("GET", link);
  html = browser_fetch (browser, get);
  g_assert_nonnull (strstr (html, "value=\"" ARCPASS_SANDBOX_USER_USERNAME "\""));
  g_assert_true (g_regex_match (regex, html, 0, &match));
  oauth_state = g_match_info_fetch (match, 1);
  action = g_uri_resolve_relative (link, "signin", G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  post = soup_message_new_from_encoded_form ("POST", action,
                                             soup_form_encode ("oauth_state", oauth_state,
                                                               "username", ARCPASS_SANDBOX_USER_USERNAME,
                                                               "password", ARCPASS_SANDBOX_USER_PASSWORD,
                                                               NULL));
  answer = browser_fetch (browser, post);
  g_assert_nonnull (strstr (answer, "You can close this tab"));

  /* Renewed in place: the same number of accounts, this one valid. */
  g_assert_true (arcpass_test_wait_until (renewed_cb, window, 10000));
  g_assert_cmpuint (count_accounts (window), ==, before);
  g_assert_cmpstr (arcpass_credential_get_id (find_credential (window,
                                                               ARCPASS_SANDBOX_USER_USERNAME)),
                   ==, id);
}

static gboolean
all_offline_cb (gpointer data)
{
  GtkWidget *list = find (data, "account_list");

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ARCPASS_IS_ACCOUNT_ROW (child) &&
          arcpass_credential_get_state (arcpass_account_row_get_credential (ARCPASS_ACCOUNT_ROW (child))) !=
          ARCPASS_CREDENTIAL_STATE_OFFLINE)
        return FALSE;
    }
  return TRUE;
}

static void
test_offline (void)
{
  ArcpassWindow *window;
  guint before;

  window = get_main_window ();
  before = count_accounts (window);

  /* The portal goes away: the accounts are still listed, as offline. */
  arcpass_sandbox_stop (sandbox);
  restart_app ();
  window = get_main_window ();
  g_assert_cmpuint (count_accounts (window), ==, before);
  g_assert_true (arcpass_test_wait_until (all_offline_cb, window, 20000));
  arcpass_test_save_screenshots (GTK_WINDOW (window), "accounts-offline");
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
  app = create_app ();

  /* Flat names: GTest runs the cases of a suite before its sub-suites, and
   * these depend on each other's order (accounts added, then restored). */
  g_test_add_func ("/accounts/01-empty-and-chooser", test_empty_and_chooser);
  g_test_add_func ("/accounts/02-validation", test_validation);
  g_test_add_func ("/accounts/03-api-key-full", test_api_key_full);
  g_test_add_func ("/accounts/04-api-key-basemaps-only", test_api_key_basemaps_only);
  g_test_add_func ("/accounts/05-api-key-expired", test_api_key_expired);
  g_test_add_func ("/accounts/06-app-credentials", test_app_credentials);
  g_test_add_func ("/accounts/07-enterprise-wrong-password", test_enterprise_wrong_password);
  g_test_add_func ("/accounts/08-enterprise-password", test_enterprise_password);
  g_test_add_func ("/accounts/09-restore", test_restore);
  g_test_add_func ("/accounts/09b-sign-in-again", test_sign_in_again);
  g_test_add_func ("/accounts/10-offline", test_offline);

  ret = g_test_run ();

  g_clear_object (&app);
  g_clear_object (&sandbox);
  return ret;
}
