/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <webkit/webkit.h>

#include "arcpass-account-page.h"
#include "arcpass-account-row.h"
#include "arcpass-account-view.h"
#include "arcpass-add-account-page.h"
#include "arcpass-api-key-page.h"
#include "arcpass-app-credentials-page.h"
#include "arcpass-application.h"
#include "arcpass-clipboard.h"
#include "arcpass-core.h"
#include "arcpass-geocode-tester.h"
#include "arcpass-map-view.h"
#include "arcpass-request-inspector.h"
#include "arcpass-sandbox.h"
#include "arcpass-test-ui-utils.h"
#include "arcpass-token-row.h"
#include "arcpass-window.h"
#include "hardening-common.h"

/* The secret-leak audit through the GUI. test-leak-audit.c drives the core
 * and the `arcpass` command; this one runs the real application window in a
 * child process (this very program with ARCPASS_LEAK_GUI_SESSION set), with
 * G_MESSAGES_DEBUG=all and WEBKIT_DEBUG=all, against a sandbox served by the
 * parent, and drives it through its widgets:
 *
 *  - OAuth sign-in in the embedded web view (a real WebKit web process and
 *    network process), twice: with the default ephemeral web session, then
 *    with "keep me signed in" ticked, so that WebKit writes its website data
 *    and cache to disk,
 *  - an API key and app credentials through their pages,
 *  - refresh and rotation in the account view, revealing the tokens, every
 *    export to the clipboard (raw, the two headers, curl, JSON, JSON with the
 *    refresh token, env, the refresh token, the row's copy button),
 *  - the basemap tester (styles, a style, the static tile mosaic), the
 *    geocode tester (suggest, a candidate, reverse geocoding by a click),
 *    the request inspector ("copy as curl" without the token, then with it),
 *  - `arcpass token` for an account the window saved,
 *  - sign-out of every account (revoke, keyring item and, with the last
 *    OAuth account, web data deleted), and quit.
 *
 * The app has no export to a file: every export goes to the clipboard.
 *
 * The child hands back on a pipe (fd 3, never a file) every secret it met
 * (fixture passwords and keys, the client secret, every access and refresh
 * token of every account the window held, read from the credentials as they
 * changed, the authorization code seen in the web view's navigations), the
 * command lines and environments of all its descendants (WebKit's web and
 * network processes and their bubblewrap parents included), sampled every
 * 200 ms and right after each command is spawned, the `arcpass` command's
 * transcript, and what it found itself: a token in a "copy as curl" line, a
 * clipboard still holding a token after its delay or after quit (read by
 * another X client, xclip, when installed).
 *
 * WEBKIT_DEBUG=all is set as a user debugging the sign-in would; the
 * release builds of WebKitGTK print nothing with it.
 *
 * The parent looks for each secret in: the child's stdout and stderr, that
 * transcript and /proc dump, every file under the test session's home and
 * XDG directories (binary-safe) at the end and also as they were during the
 * session (the tree is read every 250 ms and at checkpoints the child asks
 * for, such as just before sign-out wipes the web data), the sandbox's
 * request log (no credential in a query string, no secret in a path, the
 * redirect with the code never loaded), every key of the app's GSettings
 * (kept in memory by the tests, so read by the child), and the X clipboard
 * once the child has quit. A sign-in without "Keep me signed in" must leave no WebKit data
 * on disk. Allowed: the keyring (its file is
 * encrypted, and is searched too), the clipboard copies the user asked for,
 * and the token printed by `arcpass token`.
 *
 * The negative controls run a short session (an API key added through its
 * page) and plant the key in a debug message or a file under the XDG cache
 * directory; the audit must report it. */

#define SESSION_ENV  "ARCPASS_LEAK_GUI_SESSION"
#define URL_ENV      "ARCPASS_LEAK_SANDBOX_URL"
#define RESULT_FD    3
#define CONTROL_FD   4
#define ACK_FD       5
#define TIMEOUT_MS   20000

/* ---- The session (child) -------------------------------------------------- */

static HardAudit met;              /* secrets met; what the child found itself */
static GString *proc_dump;
static GString *settings_dump;     /* every key of the app's GSettings */
static GHashTable *proc_seen;
static GHashTable *followed;       /* ArcpassCredential * */
static ArcpassApplication *app;
static ArcpassWindow *window;
static const char *sandbox_url;
static const char *mode;           /* "full", "debug" or "file" */
static AdwToast *last_toast;
static gboolean session_done;

static void
remember (const char *secret)
{
  hard_audit_add_secret (&met, secret);
}

static void
remember_credential (ArcpassCredential *credential)
{
  remember (arcpass_credential_get_access_token (credential));
  remember (arcpass_credential_get_refresh_token (credential));
  remember (arcpass_credential_get_client_secret (credential));
}

static void
credential_notify_cb (ArcpassCredential *credential,
                      GParamSpec        *pspec,
                      gpointer           user_data)
{
  remember_credential (credential);
}

/* Every credential of the sidebar, followed as it changes. */
static void
follow_accounts (void)
{
  GtkWidget *list;

  if (window == NULL)
    return;
  list = arcpass_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LIST_BOX, "account_list");
  for (GtkWidget *child = list ? gtk_widget_get_first_child (list) : NULL;
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      ArcpassCredential *credential;

      if (!ARCPASS_IS_ACCOUNT_ROW (child))
        continue;
      credential = arcpass_account_row_get_credential (ARCPASS_ACCOUNT_ROW (child));
      remember_credential (credential);
      if (!g_hash_table_contains (followed, credential))
        {
          g_hash_table_add (followed, g_object_ref (credential));
          g_signal_connect (credential, "notify", G_CALLBACK (credential_notify_cb), NULL);
        }
    }
}

static void
sample (void)
{
  hard_dump_descendants (proc_dump, TRUE, proc_seen);
  follow_accounts ();
}

static gboolean
sample_cb (gpointer user_data)
{
  sample ();
  return G_SOURCE_CONTINUE;
}

/* The authorization code is a secret too: it is read from every navigation
 * of the web view, before the page's own handler intercepts it. */
static gboolean
decide_policy_hook (GSignalInvocationHint *hint,
                    guint                  n_params,
                    const GValue          *params,
                    gpointer               user_data)
{
  WebKitPolicyDecision *decision = g_value_get_object (&params[1]);
  WebKitNavigationAction *action;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) query = NULL;
  const char *text;

  if (!WEBKIT_IS_NAVIGATION_POLICY_DECISION (decision))
    return TRUE;
  action = webkit_navigation_policy_decision_get_navigation_action (
    WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  text = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));
  uri = text ? g_uri_parse (text, G_URI_FLAGS_ENCODED, NULL) : NULL;
  if (uri != NULL && g_uri_get_query (uri) != NULL)
    query = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  if (query != NULL && g_hash_table_lookup (query, "code") != NULL)
    remember (g_hash_table_lookup (query, "code"));

  return TRUE;
}

/* The account view's toasts (the Undo of a sign-out) go to the window's
 * overlay: kept here so that the test can dismiss one. */
static gboolean
add_toast_hook (GSignalInvocationHint *hint,
                guint                  n_params,
                const GValue          *params,
                gpointer               user_data)
{
  g_set_object (&last_toast, g_value_get_object (&params[1]));
  return TRUE;
}

/* Asks the parent to read the test session's files now, and waits until it
 * has. */
static void
checkpoint (const char *name)
{
  g_autofree char *line = g_strdup_printf ("%s\n", name);
  char ack;

  sample ();
  g_assert_cmpint (write (CONTROL_FD, line, strlen (line)), ==, (gssize) strlen (line));
  g_assert_cmpint (read (ACK_FD, &ack, 1), ==, 1);
}

/* ---- Driving the window ---- */

/* Progress on stderr: where a failing session stopped. */
static void
step (const char *what)
{
  g_printerr ("leak-audit-gui: %s\n", what);
}

static GtkWidget *
find_in (gpointer    root,
         GType       type,
         const char *name)
{
  GtkWidget *widget = arcpass_test_find_widget (GTK_WIDGET (root), type, name);

  if (widget == NULL)
    g_error ("no %s named %s", g_type_name (type), name ? name : "(any)");
  return widget;
}

static GtkWidget *
find (gpointer    root,
      const char *name)
{
  return find_in (root, GTK_TYPE_WIDGET, name);
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
wait_until (gboolean    (*condition) (gpointer data),
            gpointer      data,
            const char   *what)
{
  if (!arcpass_test_wait_until (condition, data, TIMEOUT_MS))
    g_error ("timed out waiting for %s", what);
}

static const char *
visible_page (void)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (find (window, "content_stack")));
}

static guint
count_accounts (void)
{
  GtkWidget *list = find (window, "account_list");
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (ARCPASS_IS_ACCOUNT_ROW (child))
      n++;
  return n;
}

static gboolean
accounts_are_cb (gpointer data)
{
  return count_accounts () == GPOINTER_TO_UINT (data);
}

static void
wait_for_accounts (guint n)
{
  wait_until (accounts_are_cb, GUINT_TO_POINTER (n), "the account to be added");
  follow_accounts ();
}

/* Opens the chooser (Ctrl+N) and picks @flow's row. */
static GtkWidget *
open_flow (const char *flow)
{
  GtkWidget *chooser, *row;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  chooser = find_in (window, ARCPASS_TYPE_ADD_ACCOUNT_PAGE, NULL);
  row = find_in (chooser, ADW_TYPE_ACTION_ROW, flow);
  adw_action_row_activate (ADW_ACTION_ROW (row));
  g_assert_cmpstr (visible_page (), ==, flow);

  return gtk_stack_get_visible_child (GTK_STACK (find (window, "content_stack")));
}

/* The account of @kind (and @username, when given) in the sidebar. */
static ArcpassAccountRow *
account_row (ArcpassCredentialKind  kind,
             const char            *username)
{
  GtkWidget *list = find (window, "account_list");

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      ArcpassCredential *credential;

      if (!ARCPASS_IS_ACCOUNT_ROW (child))
        continue;
      credential = arcpass_account_row_get_credential (ARCPASS_ACCOUNT_ROW (child));
      if (arcpass_credential_get_kind (credential) == kind &&
          (username == NULL || g_strcmp0 (arcpass_credential_get_username (credential), username) == 0))
        return ARCPASS_ACCOUNT_ROW (child);
    }

  g_error ("no account of kind %d (%s)", kind, username ? username : "any user");
  return NULL;
}

/* Shows @kind's account, as a click in the sidebar does; returns its page. */
static ArcpassAccountPage *
show_account (ArcpassCredentialKind  kind,
              const char            *username)
{
  GtkWidget *list = find (window, "account_list");
  ArcpassAccountRow *row = account_row (kind, username);
  ArcpassAccountPage *page;

  g_signal_emit_by_name (list, "row-activated", row);
  g_assert_cmpstr (visible_page (), ==, "summary");
  page = ARCPASS_ACCOUNT_PAGE (find_in (window, ARCPASS_TYPE_ACCOUNT_PAGE, NULL));
  g_assert_true (arcpass_account_page_get_manager (page) == arcpass_account_row_get_manager (row));
  arcpass_account_page_set_visible_tab (page, "account");

  return page;
}

/* -- The web view -- */

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
  wait_until (js_done, &js, "a script in the web view");
  g_assert_no_error (js.error);
  text = jsc_value_to_string (js.value);
  g_object_unref (js.value);
  return text;
}

static gboolean
sign_in_form_shown_cb (gpointer data)
{
  GtkWidget *view = arcpass_test_find_widget (data, WEBKIT_TYPE_WEB_VIEW, NULL);

  return view != NULL && !webkit_web_view_is_loading (WEBKIT_WEB_VIEW (view)) &&
         g_strcmp0 (webkit_web_view_get_title (WEBKIT_WEB_VIEW (view)), "Sign In") == 0;
}

/* With @keep ("Keep me signed in") WebKit keeps website data and a cache on
 * disk; without, its network session is ephemeral. */
static void
sign_in_with_oauth (const char *username,
                    const char *password,
                    gboolean    keep)
{
  guint before = count_accounts ();
  GtkWidget *page = open_flow ("oauth");
  GtkWidget *keep_check = find_in (page, GTK_TYPE_CHECK_BUTTON, "keep_signed_in_check");
  WebKitWebView *view;
  g_autofree char *script = NULL;
  g_autofree char *result = NULL;

  gtk_check_button_set_active (GTK_CHECK_BUTTON (keep_check), keep);
  g_assert_true (gtk_widget_activate_action (page, "oauth.sign-in", NULL));
  wait_until (sign_in_form_shown_cb, page, "the portal's sign-in form");
  view = WEBKIT_WEB_VIEW (find_in (page, WEBKIT_TYPE_WEB_VIEW, NULL));

  /* Typed in as a user would, from the page's own script. */
  script = g_strdup_printf ("document.getElementById ('user_username').value = '%s';"
                            "document.getElementById ('user_password').value = '%s';"
                            "document.getElementById ('signIn').click ();"
                            "'submitted'",
                            username, password);
  result = run_js (view, script);
  g_assert_cmpstr (result, ==, "submitted");
  wait_for_accounts (before + 1);
}

/* -- The other sign-in pages -- */

static gboolean
widget_hidden_cb (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

static void
add_api_key (void)
{
  guint before = count_accounts ();
  GtkWidget *page = open_flow ("api-key");

  gtk_editable_set_text (GTK_EDITABLE (find (page, "key_row")), ARCPASS_SANDBOX_KEY_FULL);
  gtk_editable_set_text (GTK_EDITABLE (find (page, "name_row")), "Leak audit key");
  click (find (page, "check_button"));
  wait_until (widget_hidden_cb, find (page, "spinner"), "the key's probes");
  click (find (page, "add_button"));
  wait_for_accounts (before + 1);
}

static void
add_app_credentials (void)
{
  guint before = count_accounts ();
  GtkWidget *page = open_flow ("app-credentials");

  gtk_editable_set_text (GTK_EDITABLE (find (page, "secret_row")), ARCPASS_SANDBOX_CLIENT_SECRET);
  click (find (page, "sign_in_button"));
  wait_for_accounts (before + 1);
}

/* -- The account view -- */

static GdkClipboard *
clipboard (void)
{
  return gdk_display_get_clipboard (gdk_display_get_default ());
}

static void
read_text_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);

  *(char **) user_data = text ? text : g_strdup ("");
}

static char *
read_clipboard (void)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (clipboard (), NULL, read_text_cb, &text);
  while (text == NULL)
    g_main_context_iteration (NULL, TRUE);
  return text;
}

static gboolean
clipboard_is_ours_cb (gpointer data)
{
  return arcpass_clipboard_holds_ours (clipboard ());
}

static gboolean
clipboard_not_ours_cb (gpointer data)
{
  return !arcpass_clipboard_holds_ours (clipboard ());
}

static gboolean
not_null_cb (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* What another X client gets from the clipboard (xclip), or NULL without
 * xclip. */
static char *
read_clipboard_elsewhere (void)
{
  g_autofree char *xclip = g_find_program_in_path ("xclip");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;

  if (xclip == NULL)
    return NULL;
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, xclip, "-o", "-selection", "clipboard", NULL);
  g_assert_no_error (error);
  /* This process may own the selection: keep serving it meanwhile. An
   * owner that never answers would keep xclip waiting: it is stopped then,
   * and whatever it printed is searched all the same. */
  g_subprocess_communicate_async (process, NULL, NULL, hard_result_cb, &res);
  if (!arcpass_test_wait_until (not_null_cb, &res, 10000))
    {
      g_test_message ("xclip got no answer from the clipboard's owner");
      g_subprocess_force_exit (process);
    }
  hard_wait (&res);
  g_subprocess_communicate_finish (process, res, &out, NULL, &error);
  g_assert_no_error (error);

  return g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
}

static void
check_clipboard_clean (const char *when)
{
  g_autofree char *text = read_clipboard_elsewhere ();

  if (text == NULL)
    {
      text = read_clipboard ();
      g_test_message ("xclip is not installed: the clipboard was read in the session itself");
    }
  for (guint i = 0; i < met.secrets->len; i++)
    if (strstr (text, g_ptr_array_index (met.secrets, i)) != NULL)
      hard_audit_add_finding (&met, "the clipboard holds a secret (%.6s…) %s",
                              (const char *) g_ptr_array_index (met.secrets, i), when);
}

/* Runs an export action of @view and returns what it put on the clipboard. */
static char *
export (ArcpassAccountView *view,
        const char         *action,
        const char         *format)
{
  gdk_clipboard_set_text (clipboard (), "before");
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (view), action,
                                                     format ? g_variant_new_string (format) : NULL));
  wait_until (clipboard_is_ours_cb, NULL, "the export");

  return read_clipboard ();
}

static gboolean
token_changed_cb (gpointer data)
{
  char **args = data;

  return g_strcmp0 (args[0], args[1] ? arcpass_credential_get_refresh_token ((gpointer) args[2])
                                     : arcpass_credential_get_access_token ((gpointer) args[2])) != 0;
}

static void
refresh_and_rotate (ArcpassAccountView *view)
{
  ArcpassCredential *credential = arcpass_account_view_get_credential (view);
  g_autofree char *access = g_strdup (arcpass_credential_get_access_token (credential));
  g_autofree char *refresh = g_strdup (arcpass_credential_get_refresh_token (credential));
  char *access_args[] = { access, NULL, (char *) credential };
  char *refresh_args[] = { refresh, (char *) "refresh", (char *) credential };

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "account.refresh", NULL));
  wait_until (token_changed_cb, access_args, "a new access token");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "account.rotate", NULL));
  wait_until (token_changed_cb, refresh_args, "a new refresh token");
  remember_credential (credential);
}

static void
reveal_and_export (ArcpassAccountView *view)
{
  ArcpassCredential *credential = arcpass_account_view_get_credential (view);
  const char *formats[] = { "raw", "authorization", "x-esri", "curl", "json", "env" };
  const char *rows[] = { "access_row", "refresh_row" };

  /* Revealed, drawn, hidden again, through the rows' own buttons. */
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      GtkWidget *row = find (view, rows[i]);
      GtkToggleButton *reveal = GTK_TOGGLE_BUTTON (find (row, "reveal_button"));

      gtk_toggle_button_set_active (reveal, TRUE);
      g_assert_true (arcpass_token_row_get_revealed (ARCPASS_TOKEN_ROW (row)));
      arcpass_test_wait_for_draw (row);
      gtk_toggle_button_set_active (reveal, FALSE);
    }

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *text = export (view, "account.export", formats[i]);

      g_assert_nonnull (strstr (text, arcpass_credential_get_access_token (credential)));
    }
  {
    g_autofree char *text = export (view, "account.export-with-refresh", NULL);

    g_assert_nonnull (strstr (text, arcpass_credential_get_refresh_token (credential)));
  }
  {
    g_autofree char *text = export (view, "account.copy-refresh-token", NULL);

    g_assert_cmpstr (text, ==, arcpass_credential_get_refresh_token (credential));
  }
  {
    g_autofree char *text = NULL;

    gdk_clipboard_set_text (clipboard (), "before");
    g_signal_emit_by_name (find (view, "access_row"), "copy");
    wait_until (clipboard_is_ours_cb, NULL, "the copy button");
    text = read_clipboard ();
    g_assert_cmpstr (text, ==, arcpass_credential_get_access_token (credential));
  }
}

/* Copied with a delay of one second: cleared, as another application sees. */
static void
clipboard_cleared_after_delay (ArcpassAccountView *view)
{
  GSettings *settings = arcpass_application_get_settings (app);
  g_autofree char *text = NULL;

  g_settings_set_uint (settings, "clipboard-clear-delay", 1);
  text = export (view, "account.export", "raw");
  wait_until (clipboard_not_ours_cb, NULL, "the clipboard to be cleared");
  check_clipboard_clean ("after its clear delay");
  g_settings_reset (settings, "clipboard-clear-delay");
}

/* -- The testers -- */

static gboolean
mapped_either_cb (gpointer data)
{
  GtkWidget **pair = data;

  return gtk_widget_get_mapped (pair[0]) || gtk_widget_get_mapped (pair[1]);
}

static void
wait_for_list (GtkWidget  *tester,
               const char *list,
               const char *error_page)
{
  GtkWidget *pair[2] = { find (tester, list), find (tester, error_page) };

  wait_until (mapped_either_cb, pair, list);
  if (!gtk_widget_get_mapped (pair[0]))
    g_error ("%s: %s", error_page, adw_status_page_get_description (ADW_STATUS_PAGE (pair[1])));
}

static gboolean
map_loaded_cb (gpointer data)
{
  return arcpass_map_view_get_visible_tile_count (data) > 0 &&
         arcpass_map_view_get_pending_count (data) == 0;
}

static void
use_basemap_tester (ArcpassAccountPage *page)
{
  GtkWidget *tester;
  GtkWidget *styles, *statics, *row;
  ArcpassMapView *map;

  arcpass_account_page_set_visible_tab (page, "basemaps");
  tester = arcpass_account_page_get_tab (page, "basemaps");
  wait_for_list (tester, "styles-list", "styles-error");
  styles = find (tester, "styles-list");
  row = find_in (styles, GTK_TYPE_LIST_BOX_ROW, "arcgis/navigation");
  g_signal_emit_by_name (styles, "row-activated", row);
  wait_for_list (tester, "style-summary", "style-error");

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (find_in (tester, ADW_TYPE_VIEW_STACK, NULL)),
                                         "static");
  wait_for_list (tester, "static-list", "static-error");
  statics = find (tester, "static-list");
  g_signal_emit_by_name (statics, "row-activated",
                         gtk_list_box_get_row_at_index (GTK_LIST_BOX (statics), 0));
  map = ARCPASS_MAP_VIEW (find_in (tester, ARCPASS_TYPE_MAP_VIEW, NULL));
  wait_until (map_loaded_cb, map, "the tile mosaic");
  g_assert_cmpuint (arcpass_map_view_get_failed_count (map), ==, 0);
}

static gboolean
has_suggestions_cb (gpointer data)
{
  GPtrArray *suggestions = arcpass_geocode_tester_get_suggestions (data);

  return suggestions != NULL && suggestions->len > 0 &&
         gtk_list_box_get_row_at_index (GTK_LIST_BOX (find (data, "suggestions_list")), 0) != NULL;
}

static gboolean
has_candidates_cb (gpointer data)
{
  return arcpass_geocode_tester_get_candidates (data) != NULL &&
         arcpass_geocode_tester_get_pending (data) == 0;
}

static gboolean
has_reverse_cb (gpointer data)
{
  return arcpass_geocode_tester_get_reverse_result (data) != NULL &&
         arcpass_geocode_tester_get_pending (data) == 0;
}

static void
use_geocode_tester (ArcpassAccountPage *page)
{
  ArcpassGeocodeTester *tester;
  GtkListBoxRow *row;

  arcpass_account_page_set_visible_tab (page, "geocode");
  tester = ARCPASS_GEOCODE_TESTER (arcpass_account_page_get_tab (page, "geocode"));
  gtk_editable_set_text (GTK_EDITABLE (find_in (tester, GTK_TYPE_SEARCH_ENTRY, NULL)), "380 New York");
  wait_until (has_suggestions_cb, tester, "suggestions");
  row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (find (tester, "suggestions_list")), 0);
  g_signal_emit_by_name (row, "activate");
  wait_until (has_candidates_cb, tester, "candidates");
  g_assert_cmpuint (arcpass_geocode_tester_get_candidates (tester)->len, >, 0);

  g_signal_emit_by_name (arcpass_geocode_tester_get_map_view (tester), "clicked",
                         -117.19568, 34.05649);
  wait_until (has_reverse_cb, tester, "the reverse geocoding");
}

static void
use_request_inspector (ArcpassAccountPage *page)
{
  ArcpassRequestInspector *inspector;
  GListModel *log = G_LIST_MODEL (arcpass_client_get_request_log (arcpass_application_get_client (app)));
  guint found = G_MAXUINT;
  g_autofree char *redacted = NULL;
  g_autofree char *with_token = NULL;

  arcpass_account_page_set_visible_tab (page, "requests");
  inspector = ARCPASS_REQUEST_INSPECTOR (find_in (arcpass_account_page_get_tab (page, "requests"),
                                                  ARCPASS_TYPE_REQUEST_INSPECTOR, NULL));
  for (guint i = 0; i < g_list_model_get_n_items (log); i++)
    {
      g_autoptr(ArcpassRequestRecord) record = g_list_model_get_item (log, i);

      if (strstr (arcpass_request_record_get_url (record), "findAddressCandidates") != NULL)
        found = i;
    }
  g_assert_cmpuint (found, !=, G_MAXUINT);

  /* Every record shown in turn. */
  for (guint i = 0; i < g_list_model_get_n_items (log); i++)
    arcpass_request_inspector_select (inspector, i);
  arcpass_test_wait_for_draw (GTK_WIDGET (inspector));

  arcpass_request_inspector_select (inspector, found);
  gdk_clipboard_set_text (clipboard (), "before");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.copy-curl", NULL));
  redacted = read_clipboard ();
  g_assert_nonnull (strstr (redacted, "$ARCGIS_TOKEN"));
  for (guint i = 0; i < met.secrets->len; i++)
    if (strstr (redacted, g_ptr_array_index (met.secrets, i)) != NULL)
      hard_audit_add_finding (&met, "\"Copy as curl\" (without the token) holds a secret (%.6s…)",
                              (const char *) g_ptr_array_index (met.secrets, i));

  /* With the token: only on this explicit choice. */
  gdk_clipboard_set_text (clipboard (), "before");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.copy-curl-with-token",
                                             NULL));
  wait_until (clipboard_is_ours_cb, NULL, "\"copy as curl\" with the token");
  with_token = read_clipboard ();
  g_assert_null (strstr (with_token, "$ARCGIS_TOKEN"));
}

/* -- The command line, sign-out -- */

static void
run_cli_token (void)
{
  ArcpassCredential *key =
    arcpass_account_row_get_credential (account_row (ARCPASS_CREDENTIAL_API_KEY, NULL));
  g_autoptr(HardRun) token = NULL;

  /* Its stdout is what the user asked for. */
  hard_children_transcript_skip_next_stdout ();
  token = hard_run_arcpass (NULL, NULL, (const char * const[]) {
    "token", "--portal", sandbox_url, "--account", arcpass_credential_get_id (key), NULL });
  g_assert_cmpint (token->status, ==, 0);
  g_assert_nonnull (strstr (token->out, ARCPASS_SANDBOX_KEY_FULL));
}

static char *
dup_web_data_dir (gboolean cache)
{
  return g_build_filename (cache ? g_get_user_cache_dir () : g_get_user_data_dir (), "arcpass",
                           "webkit", NULL);
}

static gboolean
web_data_exists (void)
{
  g_autofree char *data = dup_web_data_dir (FALSE);
  g_autofree char *cache = dup_web_data_dir (TRUE);

  return g_file_test (data, G_FILE_TEST_EXISTS) || g_file_test (cache, G_FILE_TEST_EXISTS);
}

static gboolean
signed_out_cb (gpointer data)
{
  return arcpass_credential_get_access_token (data) == NULL &&
         arcpass_credential_get_refresh_token (data) == NULL;
}

static gboolean
web_data_gone_cb (gpointer data)
{
  return !web_data_exists ();
}

static void
sign_out (ArcpassCredentialKind  kind,
          const char            *username)
{
  ArcpassAccountPage *page = show_account (kind, username);
  ArcpassAccountView *view = ARCPASS_ACCOUNT_VIEW (find_in (page, ARCPASS_TYPE_ACCOUNT_VIEW, NULL));
  ArcpassCredential *credential = arcpass_account_view_get_credential (view);

  remember_credential (credential);
  g_clear_object (&last_toast);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "account.sign-out", NULL));
  g_assert_nonnull (last_toast);
  /* No undo: the toast goes (as when it times out), and the sign-out is
   * done. Emitted by hand: the toast may still wait behind the export
   * toasts in the window's queue. */
  g_signal_emit_by_name (last_toast, "dismissed");
  wait_until (signed_out_cb, credential, "the sign-out (revoke, keyring)");
}

static void
plant (void)
{
  ArcpassCredential *key =
    arcpass_account_row_get_credential (account_row (ARCPASS_CREDENTIAL_API_KEY, NULL));

  if (g_str_equal (mode, "debug"))
    g_debug ("Planted: the token is %s", arcpass_credential_get_access_token (key));
  else if (g_str_equal (mode, "file"))
    {
      g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "arcpass", "planted.json",
                                                NULL);
      g_autofree char *dir = g_path_get_dirname (path);
      g_autoptr(GError) error = NULL;

      g_mkdir_with_parents (dir, 0700);
      g_file_set_contents (path, arcpass_credential_get_access_token (key), -1, &error);
      g_assert_no_error (error);
    }
}

/* A last copy of the key, cleared only "when Arcpass quits" (signing the
 * account out does not clear it either). */
static void
copy_until_quit (void)
{
  ArcpassAccountPage *page = show_account (ARCPASS_CREDENTIAL_API_KEY, NULL);

  g_settings_set_uint (arcpass_application_get_settings (app), "clipboard-clear-delay", 0);
  g_free (export (ARCPASS_ACCOUNT_VIEW (find_in (page, ARCPASS_TYPE_ACCOUNT_VIEW, NULL)),
                  "account.export", "raw"));
}

static gboolean
accounts_loaded_cb (gpointer data)
{
  return arcpass_window_get_accounts_loaded (data);
}

static gboolean
drive_cb (gpointer user_data)
{
  /* As in the UI tests. With animations, libadwaita 1.2's toast overlay
   * asserts (show_toast: !info->widget) when the sign-outs below dismiss an
   * Undo toast and raise the next one within the toasts' animations. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  window = ARCPASS_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  /* The sampling timer outlives the window. */
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  arcpass_test_wait_for_draw (GTK_WIDGET (window));
  wait_until (accounts_loaded_cb, window, "the saved accounts");
  g_assert_cmpuint (count_accounts (), ==, 0);

  if (g_str_equal (mode, "full"))
    {
      ArcpassAccountPage *page;
      ArcpassAccountView *view;

      /* The default: an ephemeral web session, nothing on disk. */
      step ("sign_in_with_oauth (ephemeral)");
      sign_in_with_oauth (ARCPASS_SANDBOX_USER_USERNAME, ARCPASS_SANDBOX_USER_PASSWORD, FALSE);
      checkpoint ("after the ephemeral sign-in");
      if (web_data_exists ())
        hard_audit_add_finding (&met, "WebKit kept website data or a cache on disk for a sign-in "
                                "without \"Keep me signed in\"");
      /* Website data and cache on disk: the audit sees what WebKit keeps. */
      step ("sign_in_with_oauth (kept)");
      /* The Location Platform account: the basemap tester below uses
       * Static Basemap Tiles, which ArcGIS Online accounts are not offered. */
      sign_in_with_oauth (ARCPASS_SANDBOX_PLATFORM_USERNAME, ARCPASS_SANDBOX_PLATFORM_PASSWORD,
                          TRUE);
      g_assert_true (web_data_exists ());
      step ("add_api_key");
      add_api_key ();
      step ("add_app_credentials");
      add_app_credentials ();

      page = show_account (ARCPASS_CREDENTIAL_OAUTH_USER, ARCPASS_SANDBOX_PLATFORM_USERNAME);
      view = ARCPASS_ACCOUNT_VIEW (find_in (page, ARCPASS_TYPE_ACCOUNT_VIEW, NULL));
      step ("refresh_and_rotate");
      refresh_and_rotate (view);
      step ("reveal_and_export");
      reveal_and_export (view);
      step ("use_basemap_tester");
      use_basemap_tester (page);
      step ("use_geocode_tester");
      use_geocode_tester (page);
      step ("use_request_inspector");
      use_request_inspector (page);
      arcpass_account_page_set_visible_tab (page, "account");
      step ("clipboard_cleared_after_delay");
      clipboard_cleared_after_delay (view);

      /* The other kinds of account, exported too. */
      page = show_account (ARCPASS_CREDENTIAL_APP_CREDENTIALS, NULL);
      view = ARCPASS_ACCOUNT_VIEW (find_in (page, ARCPASS_TYPE_ACCOUNT_VIEW, NULL));
      g_free (export (view, "account.export", "json"));

      step ("run_cli_token");
      run_cli_token ();

      /* WebKit's website data and cache are wiped by the sign-out: read
       * them first. */
      checkpoint ("before sign-out");
      step ("sign_out");
      /* Another OAuth account of the portal remains: the web data stays. */
      sign_out (ARCPASS_CREDENTIAL_OAUTH_USER, ARCPASS_SANDBOX_USER_USERNAME);
      g_assert_true (web_data_exists ());
      sign_out (ARCPASS_CREDENTIAL_OAUTH_USER, ARCPASS_SANDBOX_PLATFORM_USERNAME);
      wait_until (web_data_gone_cb, NULL, "the web data to be wiped");
      copy_until_quit ();
      sign_out (ARCPASS_CREDENTIAL_APP_CREDENTIALS, NULL);
      sign_out (ARCPASS_CREDENTIAL_API_KEY, NULL);
    }
  else
    {
      step ("add_api_key");
      add_api_key ();
      step ("plant");
      plant ();
      copy_until_quit ();
      sign_out (ARCPASS_CREDENTIAL_API_KEY, NULL);
    }
  /* Nothing left for the next session (the keyring is the test's). */
  g_assert_cmpuint (count_accounts (), ==, 0);

  step ("quit");
  checkpoint ("before quit");

  session_done = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
activate_cb (GApplication *application)
{
  static gboolean started;

  if (!started)
    g_idle_add (drive_cb, NULL);
  started = TRUE;
}

static void
run_session (void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  guint sample_source;
  int status;

  sandbox_url = g_getenv (URL_ENV);
  mode = g_getenv (SESSION_ENV);
  g_assert_nonnull (sandbox_url);
  hard_audit_init (&met);
  proc_dump = g_string_new (NULL);
  settings_dump = g_string_new (NULL);
  proc_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  followed = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  remember (ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  remember (ARCPASS_SANDBOX_PLATFORM_PASSWORD);
  remember (ARCPASS_SANDBOX_USER_PASSWORD);
  remember (ARCPASS_SANDBOX_CLIENT_SECRET);
  remember (ARCPASS_SANDBOX_KEY_FULL);
  remember (ARCPASS_SANDBOX_KEY_BASEMAPS);
  remember (ARCPASS_SANDBOX_KEY_EXPIRED);
  remember (ARCPASS_SANDBOX_KEY_LEGACY);
  hard_spawn_hook = sample;
  sample_source = g_timeout_add (200, sample_cb, NULL);

  app = arcpass_application_new ();
  /* The real application, served by the parent's sandbox; the bus name is
   * not needed. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  arcpass_application_set_sandbox_url (app, sandbox_url);
  g_signal_connect_after (app, "activate", G_CALLBACK (activate_cb), NULL);
  /* The signals exist once their classes do. */
  g_type_class_unref (g_type_class_ref (WEBKIT_TYPE_WEB_VIEW));
  g_type_class_unref (g_type_class_ref (ARCPASS_TYPE_ACCOUNT_VIEW));
  g_signal_add_emission_hook (g_signal_lookup ("decide-policy", WEBKIT_TYPE_WEB_VIEW), 0,
                              decide_policy_hook, NULL, NULL);
  g_signal_add_emission_hook (g_signal_lookup ("add-toast", ARCPASS_TYPE_ACCOUNT_VIEW), 0,
                              add_toast_hook, NULL, NULL);

  status = g_application_run (G_APPLICATION (app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (session_done);

  /* Quit: no token Arcpass copied may stay on the clipboard. */
  if (arcpass_clipboard_holds_ours (clipboard ()))
    hard_audit_add_finding (&met, "the clipboard still holds a token Arcpass copied after quit");
  check_clipboard_clean ("after quit");

  g_source_remove (sample_source);
  sample ();
  g_clear_object (&last_toast);

  /* The tests keep GSettings in memory: its keys are read here. */
  {
    GSettings *app_settings = arcpass_application_get_settings (app);
    g_autoptr(GSettingsSchema) schema = NULL;
    g_auto(GStrv) keys = NULL;

    g_object_get (app_settings, "settings-schema", &schema, NULL);
    keys = g_settings_schema_list_keys (schema);
    for (guint i = 0; keys[i] != NULL; i++)
      {
        g_autoptr(GVariant) value = g_settings_get_value (app_settings, keys[i]);
        g_autofree char *text = g_variant_print (value, FALSE);

        g_string_append_printf (settings_dump, "%s=%s\n", keys[i], text);
      }
  }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "secrets");
  json_builder_begin_array (builder);
  for (guint i = 0; i < met.secrets->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (met.secrets, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "findings");
  json_builder_begin_array (builder);
  for (guint i = 0; i < met.findings->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (met.findings, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "children");
  json_builder_add_string_value (builder, hard_children_transcript ());
  json_builder_set_member_name (builder, "proc");
  json_builder_add_string_value (builder, proc_dump->str);
  json_builder_set_member_name (builder, "settings");
  json_builder_add_string_value (builder, settings_dump->str);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);

  out = g_unix_output_stream_new (RESULT_FD, TRUE);
  g_output_stream_write_all (out, json, strlen (json), NULL, NULL, &error);
  g_assert_no_error (error);

  g_clear_object (&app);
}

/* ---- The audit (parent) ----------------------------------------------------- */

/* Every version of every file of the test session seen while the child
 * ran: a file may be written and deleted before the end (sign-out wipes
 * WebKit's data). */
typedef struct {
  GHashTable *seen;     /* "path mtime size" */
  GPtrArray  *copies;   /* Copy * */
  guint       n_reads;
} Snapshots;

typedef struct {
  char   *where;
  GBytes *contents;
} Copy;

static void
copy_free (Copy *copy)
{
  g_free (copy->where);
  g_bytes_unref (copy->contents);
  g_free (copy);
}

static void
snapshot_tree (Snapshots  *snapshots,
               const char *root,
               const char *when)
{
  g_autoptr(GDir) dir = g_dir_open (root, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (root, name, NULL);
      g_autofree char *key = NULL;
      g_autofree char *contents = NULL;
      struct stat info;
      gsize length = 0;

      if (g_lstat (path, &info) != 0)
        continue;
      if (S_ISDIR (info.st_mode))
        {
          snapshot_tree (snapshots, path, when);
          continue;
        }
      if (!S_ISREG (info.st_mode))
        continue;

      key = g_strdup_printf ("%s %" G_GINT64_FORMAT ".%09ld %" G_GINT64_FORMAT, path,
                             (gint64) info.st_mtim.tv_sec, info.st_mtim.tv_nsec,
                             (gint64) info.st_size);
      if (g_hash_table_contains (snapshots->seen, key))
        continue;
      if (g_file_get_contents (path, &contents, &length, NULL))
        {
          Copy *copy = g_new0 (Copy, 1);

          copy->where = g_strdup_printf ("%s (%s)", path, when);
          copy->contents = g_bytes_new_take (g_steal_pointer (&contents), length);
          g_ptr_array_add (snapshots->copies, copy);
          snapshots->n_reads++;
        }
      g_hash_table_add (snapshots->seen, g_steal_pointer (&key));
    }
}

static void
snapshot_all (Snapshots  *snapshots,
              const char *when)
{
  g_auto(GStrv) dirs = hard_session_dirs ();

  for (guint i = 0; dirs[i] != NULL; i++)
    snapshot_tree (snapshots, dirs[i], when);
}

static gboolean
snapshot_cb (gpointer data)
{
  snapshot_all (data, "while the session ran");
  return G_SOURCE_CONTINUE;
}

typedef struct {
  Snapshots        *snapshots;
  GDataInputStream *control;
  int               ack_fd;
  GPtrArray        *checkpoints;
} Control;

static void
control_line_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Control *control = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result,
                                                                NULL, NULL);
  g_autofree char *when = NULL;

  if (line == NULL)
    return;

  when = g_strdup_printf ("at the checkpoint \"%s\"", line);
  snapshot_all (control->snapshots, when);
  g_ptr_array_add (control->checkpoints, g_steal_pointer (&line));
  g_assert_cmpint (write (control->ack_fd, "k", 1), ==, 1);
  g_data_input_stream_read_line_async (control->control, G_PRIORITY_DEFAULT, NULL, control_line_cb,
                                       control);
}

static char *
read_x_clipboard (void)
{
  g_autofree char *xclip = g_find_program_in_path ("xclip");
  g_autofree char *out = NULL;

  if (xclip == NULL || g_getenv ("DISPLAY") == NULL)
    return NULL;
  g_spawn_sync (NULL, (char *[]) { xclip, (char *) "-o", (char *) "-selection",
                                   (char *) "clipboard", NULL },
                NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, NULL, NULL);
  return g_steal_pointer (&out);
}

typedef struct {
  HardAudit  audit;
  char      *stdout_text;
  gsize      stdout_len;
  char      *proc;
  GPtrArray *checkpoints;
  guint      n_files_read;
  guint      n_webkit_files;
  guint      n_keyring_files;
  guint      n_webkit_processes;
  guint      n_webkit_environs;
  guint      n_log_entries;
  guint      n_sign_in_pages;
} Result;

static void
result_free (Result *result)
{
  hard_audit_clear (&result->audit);
  g_free (result->stdout_text);
  g_free (result->proc);
  g_clear_pointer (&result->checkpoints, g_ptr_array_unref);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Result, result_free)

static Result *
run_audit (const char *session_mode)
{
  g_autoptr(ArcpassSandbox) sandbox = arcpass_sandbox_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) log = NULL;
  g_autoptr(GInputStream) result_stream = NULL;
  g_autoptr(GOutputStream) result_buffer = g_memory_output_stream_new_resizable ();
  g_autoptr(GAsyncResult) splice_res = NULL;
  g_autoptr(GInputStream) control_stream = NULL;
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *clip = NULL;
  g_autofree char *webkit_data = g_build_filename (g_get_user_data_dir (), "arcpass", "webkit", NULL);
  g_autofree char *webkit_cache = g_build_filename (g_get_user_cache_dir (), "arcpass", "webkit", NULL);
  g_auto(GStrv) dirs = hard_session_dirs ();
  Snapshots snapshots = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
                          g_ptr_array_new_with_free_func ((GDestroyNotify) copy_free), 0 };
  Control control = { &snapshots, NULL, -1, g_ptr_array_new_with_free_func (g_free) };
  Result *result = g_new0 (Result, 1);
  JsonObject *object;
  JsonArray *array;
  guint snapshot_source;
  int result_fds[2], control_fds[2], ack_fds[2];

  hard_audit_init (&result->audit);
  g_assert_true (arcpass_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);

  g_assert_cmpint (pipe (result_fds), ==, 0);
  g_assert_cmpint (pipe (control_fds), ==, 0);
  g_assert_cmpint (pipe (ack_fds), ==, 0);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, SESSION_ENV, session_mode, TRUE);
  g_subprocess_launcher_setenv (launcher, URL_ENV, arcpass_sandbox_get_url (sandbox), TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  g_subprocess_launcher_setenv (launcher, "WEBKIT_DEBUG", "all", TRUE);
  /* As in tests/ui/test-oauth-page.c: no accelerated compositing under
   * Xvfb; never a real browser. */
  g_subprocess_launcher_setenv (launcher, "WEBKIT_DISABLE_COMPOSITING_MODE", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "ARCPASS_TEST_BROWSER", "none", TRUE);
  g_subprocess_launcher_take_fd (launcher, result_fds[1], RESULT_FD);
  g_subprocess_launcher_take_fd (launcher, control_fds[1], CONTROL_FD);
  g_subprocess_launcher_take_fd (launcher, ack_fds[0], ACK_FD);
  child = g_subprocess_launcher_spawn (launcher, &error, exe, NULL);
  g_assert_no_error (error);
  /* The launcher holds the child's ends: drop them, so that the reads end
   * when the child exits. */
  g_clear_object (&launcher);

  control_stream = g_unix_input_stream_new (control_fds[0], TRUE);
  control.control = g_data_input_stream_new (control_stream);
  control.ack_fd = ack_fds[1];
  g_data_input_stream_read_line_async (control.control, G_PRIORITY_DEFAULT, NULL, control_line_cb,
                                       &control);
  snapshot_source = g_timeout_add (250, snapshot_cb, &snapshots);

  result_stream = g_unix_input_stream_new (result_fds[0], TRUE);
  g_output_stream_splice_async (result_buffer, result_stream,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT, NULL,
                                hard_result_cb, &splice_res);
  g_subprocess_communicate_async (child, NULL, NULL, hard_result_cb, &res);
  hard_wait (&res);
  g_subprocess_communicate_finish (child, res, &out, &err, &error);
  g_assert_no_error (error);
  hard_wait (&splice_res);
  g_output_stream_splice_finish (result_buffer, splice_res, &error);
  g_assert_no_error (error);
  g_source_remove (snapshot_source);
  close (ack_fds[1]);
  snapshot_all (&snapshots, "after the session");

  if (g_test_verbose ())
    g_printerr ("%.*s", (int) g_bytes_get_size (err), (const char *) g_bytes_get_data (err, NULL));
  if (!g_subprocess_get_if_exited (child) || g_subprocess_get_exit_status (child) != 0)
    g_error ("The session failed:\n%.*s", (int) MIN (g_bytes_get_size (err), 20000),
             (const char *) g_bytes_get_data (err, NULL) +
             (g_bytes_get_size (err) > 20000 ? g_bytes_get_size (err) - 20000 : 0));

  json_parser_load_from_data (parser,
                              g_memory_output_stream_get_data (
                                G_MEMORY_OUTPUT_STREAM (result_buffer)),
                              (gssize) g_memory_output_stream_get_data_size (
                                G_MEMORY_OUTPUT_STREAM (result_buffer)),
                              &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  array = json_object_get_array_member (object, "secrets");
  for (guint i = 0; i < json_array_get_length (array); i++)
    hard_audit_add_secret (&result->audit, json_array_get_string_element (array, i));
  array = json_object_get_array_member (object, "findings");
  for (guint i = 0; i < json_array_get_length (array); i++)
    hard_audit_add_finding (&result->audit, "%s", json_array_get_string_element (array, i));
  g_test_message ("%u secrets collected", result->audit.secrets->len);

  /* The output, the commands, the processes. */
  hard_audit_text (&result->audit, "the session's stdout", g_bytes_get_data (out, NULL),
                   g_bytes_get_size (out));
  hard_audit_text (&result->audit, "the session's stderr", g_bytes_get_data (err, NULL),
                   g_bytes_get_size (err));
  hard_audit_text (&result->audit, "an arcpass command's argv, environment or output",
                   json_object_get_string_member (object, "children"),
                   strlen (json_object_get_string_member (object, "children")));
  result->proc = g_strdup (json_object_get_string_member (object, "proc"));
  {
    g_auto(GStrv) entries = g_strsplit (result->proc, "\n--- /proc/", -1);
    g_autoptr(GHashTable) webkit_pids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                               NULL);

    /* "PID/cmdline (descendant of …)\nTEXT" or "PID/environ …" */
    for (guint i = 0; entries[i] != NULL; i++)
      {
        const char *slash = strchr (entries[i], '/');
        g_autofree char *pid = slash ? g_strndup (entries[i], (gsize) (slash - entries[i])) : NULL;

        if (pid == NULL)
          continue;
        if (g_str_has_prefix (slash, "/cmdline") && strstr (entries[i], "WebKit") != NULL)
          g_hash_table_add (webkit_pids, g_steal_pointer (&pid));
        else if (g_str_has_prefix (slash, "/environ") && g_hash_table_contains (webkit_pids, pid))
          result->n_webkit_environs++;
        if (g_test_verbose () && g_str_has_prefix (slash, "/cmdline"))
          g_test_message ("process: %.200s", entries[i]);
      }
    result->n_webkit_processes = g_hash_table_size (webkit_pids);
    g_test_message ("%u WebKit processes (bubblewrap included) seen, %u of their environments read",
                    result->n_webkit_processes, result->n_webkit_environs);
  }
  hard_audit_text (&result->audit, "a descendant's /proc cmdline or environ", result->proc,
                   strlen (result->proc));
  {
    const char *settings = json_object_get_string_member (object, "settings");

    g_assert_nonnull (strstr (settings, "clipboard-clear-delay="));
    hard_audit_text (&result->audit, "a GSettings key", settings, strlen (settings));
  }
  result->stdout_text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  result->stdout_len = g_bytes_get_size (out);
  g_test_message ("the session printed %" G_GSIZE_FORMAT " bytes on stdout, %" G_GSIZE_FORMAT
                  " on stderr", g_bytes_get_size (out), g_bytes_get_size (err));

  /* Every file, as it was during the session and as it is now. */
  for (guint i = 0; i < snapshots.copies->len; i++)
    {
      Copy *copy = g_ptr_array_index (snapshots.copies, i);

      hard_audit_text (&result->audit, copy->where, g_bytes_get_data (copy->contents, NULL),
                       g_bytes_get_size (copy->contents));
      if (strstr (copy->where, "/keyrings/") != NULL)
        result->n_keyring_files++;
      if (strstr (copy->where, webkit_data) != NULL || strstr (copy->where, webkit_cache) != NULL)
        {
          result->n_webkit_files++;
          if (g_test_verbose ())
            g_test_message ("WebKit wrote %s, %" G_GSIZE_FORMAT " bytes", copy->where,
                            g_bytes_get_size (copy->contents));
        }
    }
  for (guint i = 0; dirs[i] != NULL; i++)
    hard_audit_tree (&result->audit, dirs[i]);
  result->n_files_read = snapshots.n_reads;
  g_test_message ("%u file versions read (%u of WebKit's website data and cache)",
                  result->n_files_read, result->n_webkit_files);

  /* The sandbox saw credentials only in headers and bodies. */
  log = hard_sandbox_log (arcpass_sandbox_get_url (sandbox));
  array = json_node_get_array (log);
  result->n_log_entries = json_array_get_length (array);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);
      const char *path = json_object_get_string_member (entry, "path");

      if (g_strcmp0 (json_object_get_string_member_with_default (entry, "token_in", ""), "query") == 0)
        hard_audit_add_finding (&result->audit, "a credential in the query of %s", path);
      hard_audit_text (&result->audit, "a URL path the sandbox served", path, strlen (path));
      /* The redirect carries the code: intercepted, never loaded. */
      if (strstr (path, "/oauth2/approval") != NULL)
        hard_audit_add_finding (&result->audit, "the web view loaded the redirect (%s)", path);
      if (g_str_has_prefix (path, "/sharing/oauth2/authorize") ||
          g_str_has_prefix (path, "/sharing/rest/oauth2/authorize"))
        result->n_sign_in_pages++;
    }

  /* Once Arcpass has quit, the clipboard holds none of it. */
  clip = read_x_clipboard ();
  if (clip != NULL)
    hard_audit_text (&result->audit, "the X clipboard after quit", clip, strlen (clip));

  arcpass_sandbox_stop (sandbox);
  result->checkpoints = g_steal_pointer (&control.checkpoints);
  g_clear_object (&control.control);
  g_hash_table_unref (snapshots.seen);
  g_ptr_array_unref (snapshots.copies);

  for (guint i = 0; i < result->audit.findings->len; i++)
    g_test_message ("finding: %s", (const char *) g_ptr_array_index (result->audit.findings, i));
  return result;
}

static gboolean
any_finding_contains (Result     *result,
                      const char *text)
{
  for (guint i = 0; i < result->audit.findings->len; i++)
    if (strstr (g_ptr_array_index (result->audit.findings, i), text) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_session_leaks_nothing (void)
{
  g_autoptr(Result) result = run_audit ("full");

  /* The audit saw what it claims to: fixtures, the user's tokens (first,
   * refreshed, rotated), the key, the app's token, the authorization code;
   * WebKit's processes; the debug log; the files WebKit wrote; the web
   * view's requests; both checkpoints. */
  g_assert_cmpuint (result->audit.secrets->len, >=, 7 + 6);
  g_assert_nonnull (strstr (result->proc, "WebKitWebProcess"));
  g_assert_nonnull (strstr (result->proc, "WebKitNetworkProcess"));
  g_assert_nonnull (strstr (result->proc, "/environ"));
  g_assert_nonnull (g_strstr_len (result->stdout_text, (gssize) result->stdout_len, "DEBUG"));
  g_assert_cmpuint (result->n_webkit_files, >, 0);
  g_assert_cmpuint (result->n_keyring_files, >, 0);
  g_assert_cmpuint (result->n_webkit_environs, >, 0);
  g_assert_cmpuint (result->n_sign_in_pages, >, 0);
  g_assert_cmpuint (result->n_log_entries, >, 20);
  g_assert_cmpuint (result->checkpoints->len, ==, 3);

  g_assert_cmpuint (result->audit.findings->len, ==, 0);
}

/* Negative controls: the audit catches a token in a debug message and a
 * token in a file under the XDG cache directory. */
static void
test_planted_debug_is_caught (void)
{
  g_autoptr(Result) result = run_audit ("debug");

  /* GLib prints debug messages on stdout. */
  g_assert_true (any_finding_contains (result, "the session's stdout"));
}

static void
test_planted_file_is_caught (void)
{
  g_autoptr(Result) result = run_audit ("file");
  g_autofree char *planted = g_build_filename (g_get_user_cache_dir (), "arcpass", "planted.json",
                                               NULL);

  g_assert_true (any_finding_contains (result, planted));
  g_remove (planted);
}

int
main (int    argc,
      char **argv)
{
  if (g_getenv (SESSION_ENV) != NULL)
    {
      hard_wait_for_secret_service ();
      run_session ();
      return 0;
    }

  g_test_init (&argc, &argv, NULL);
  hard_wait_for_secret_service ();

  g_test_add_func ("/hardening/leak-audit-gui/session", test_session_leaks_nothing);
  g_test_add_func ("/hardening/leak-audit-gui/negative/debug-message", test_planted_debug_is_caught);
  g_test_add_func ("/hardening/leak-audit-gui/negative/file", test_planted_file_is_caught);

  return g_test_run ();
}
