/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>
#include <string.h>

#include "arcpass-account-page.h"
#include "arcpass-account-row.h"
#include "arcpass-account-view.h"
#include "arcpass-add-account-page.h"
#include "arcpass-api-key-page.h"
#include "arcpass-application.h"
#include "arcpass-basemap-tester.h"
#include "arcpass-browser-page.h"
#include "arcpass-geocode-tester.h"
#include "arcpass-map-view.h"
#include "arcpass-sandbox.h"
#include "arcpass-window.h"
#include "arcpass-test-ui-utils.h"
#include "hardening-common.h"

/* Every sandbox fault on every endpoint class the window reaches, through
 * the real ArcpassWindow (Xvfb of tests/arcpass-test-session), with an
 * OAuth user account restored from the session's throw-away keyring:
 *
 *   token    "Refresh Now" in the account view        (oauth2/token)
 *   self     the check of each account at start        (portals/self)
 *   geocode  a search in the geocode tester           (findAddressCandidates)
 *   basemaps the style list of the basemap tester     (styles/v2 styles/self)
 *   tiles    the live map of the basemap tester       (static tiles, one zoom)
 *   revoke   "Sign Out" of a second account            (oauth2/revokeToken)
 *
 * For each fault and class: (a) the window shows an error, read from the
 * widget that shows it (toast, state row, status page, the failed tile),
 * that names what failed; (b) once the fault is gone the same action works
 * in the same window; (c) the saved account is intact (its keyring item,
 * read through the core's store, keeps its refresh token and is not marked
 * "sign in required") and the sidebar still lists it; (d) the window gave
 * up after a bounded number of requests: one per action, two at most (one
 * retry would still be bounded); for the map, exactly one per visible tile
 * (a failed tile is only fetched again when it comes back into view); for
 * the check at start, one per restored account (libsoup may resend a GET
 * once on a closed kept-alive connection). The count is taken once it has
 * stopped moving (settled_count()), so that a retry loop shows.
 *
 * Sign-out is what the user asked for: when the portal cannot revoke, the
 * signed-out account is forgotten all the same (as the core and the command
 * line do), and (c) is about the other account.
 *
 * Then a restored account whose access token expired, with a broken answer
 * to its renewal; and a portal with a self-signed certificate in the
 * embedded sign-in page: the web view refuses it and the page explains why,
 * with ways out.
 *
 * One application and window serve every case (the "self" cases restart
 * the application, as that check runs at start); the client timeout is
 * shortened during the delay faults (see FAULT_TIMEOUT_S), so that they
 * cost little. */

/* The client's timeout is short while a delay fault is on, so that it is a
 * timeout within a second or two, and generous otherwise: the sandbox
 * answers from this thread, and on a busy machine (tiles are drawn one
 * after the other) a working request must not become a timeout. */
#define FAULT_TIMEOUT_S  1
#define NORMAL_TIMEOUT_S 10
/* Longer than the timeout by more than a second: the client's timer counts
 * whole seconds (g_timeout_source_new_seconds), so it fires 1 to 2 s late. */
#define DELAY_MODE       "delay:2500"
#define TIMEOUT_MS       20000

#define TOKEN_PATH    "/sharing/rest/oauth2/token"
#define REVOKE_PATH   "/sharing/rest/oauth2/revokeToken"
#define SELF_PATH     "/sharing/rest/portals/self"
#define GEOCODE_PATH  "/arcgis/rest/services/World/GeocodeServer/findAddressCandidates"
#define STYLES_PATH   "/arcgis/rest/services/styles/v2/styles/self"
#define TILES_ROOT    "/arcgis/rest/services/static-basemap-tiles-service/v1/"
#define TILE_STYLE    "arcgis/navigation"

typedef enum {
  EP_TOKEN,
  EP_SELF,
  EP_GEOCODE,
  EP_BASEMAPS,
  EP_TILES,
  EP_REVOKE,
  N_ENDPOINTS
} Endpoint;

static const char * const endpoint_names[N_ENDPOINTS] = {
  [EP_TOKEN] = "token-refresh",
  [EP_SELF] = "self-at-start",
  [EP_GEOCODE] = "geocode",
  [EP_BASEMAPS] = "basemap-styles",
  [EP_TILES] = "tiles",
  [EP_REVOKE] = "revoke",
};

typedef struct {
  const char *name;
  const char *mode;
  /* Modes of real-arcgis.md point 11 (what stands in front of ArcGIS):
   * the words the shown error must hold, the title of the testers' status
   * page (and the failed tile's headline), and only on the classes that
   * show them (the token toast, the testers, the map). */
  const char *says;
  const char *title;
  const char *tile_title;
} Mode;

static const Mode modes[] = {
  { "status-500", "status:500" },
  { "status-502", "status:502" },
  { "status-503", "status:503" },
  { "timeout", DELAY_MODE },
  { "malformed", "malformed" },
  { "truncated", "truncate" },
  { "closed", "close" },
  { "html403", "html403", "firewall", "Blocked by a Firewall or Proxy",
    "403 — blocked by a firewall or proxy" },
  { "ratelimit", "ratelimit:20", "Try again in 20 seconds", "Too Many Requests",
    "429 — too many requests" },
  { "gateway-502", "gateway:502", "Bad Gateway", NULL, "Server error" },
};

static gboolean
mode_is_transport (const Mode *mode)
{
  return mode->says != NULL;
}

typedef struct {
  Endpoint    endpoint;
  const Mode *mode;
} Case;

static ArcpassSandbox *sandbox;
static const char *url;
static ArcpassApplication *app;
static ArcpassWindow *window;
/* The test's own view of the keyring. */
static ArcpassAccountStore *store;
/* The account every case but "revoke" works with, as saved. */
static char *main_id;
static char *main_refresh_token;

static void
set_timeout (guint seconds)
{
  arcpass_client_set_timeout (arcpass_client_get_default (), seconds);
}

/* Short only for the delay fault: under load the other faults' answers
 * may take longer than a second too, and must arrive. */
static void
fault_on (const Mode *mode)
{
  set_timeout (g_str_equal (mode->mode, DELAY_MODE) ? FAULT_TIMEOUT_S : NORMAL_TIMEOUT_S);
}

static void
fault_seen (void)
{
  set_timeout (NORMAL_TIMEOUT_S);
}

/* ---- The window ------------------------------------------------------------ */

static ArcpassApplication *
create_app (void)
{
  static guint generation;
  ArcpassApplication *application = arcpass_application_new ();
  g_autoptr(GError) error = NULL;

  /* Each restart needs an id of its own (see tests/ui/test-accounts.c). */
  if (generation > 0)
    {
      g_autofree char *id = g_strdup_printf ("%s.GuiFaults%u", APP_ID, generation);

      g_application_set_application_id (G_APPLICATION (application), id);
    }
  generation++;

  g_application_set_flags (G_APPLICATION (application), G_APPLICATION_NON_UNIQUE);
  arcpass_application_set_sandbox_url (application, url);
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
open_main_window (void)
{
  GtkWindow *active;

  g_application_activate (G_APPLICATION (app));
  active = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (ARCPASS_IS_WINDOW (active));
  gtk_window_set_default_size (active, 1280, 800);
  arcpass_test_wait_for_draw (GTK_WIDGET (active));
  g_assert_true (arcpass_test_wait_until (accounts_loaded_cb, active, TIMEOUT_MS));

  return ARCPASS_WINDOW (active);
}

/* Everything of the running "session" goes; only the keyring remains. */
static void
restart_app (void)
{
  GtkWindow *old = GTK_WINDOW (window);

  g_object_add_weak_pointer (G_OBJECT (old), (gpointer *) &old);
  gtk_window_destroy (old);
  g_application_quit (G_APPLICATION (app));
  arcpass_test_spin (50);
  g_assert_null (old);
  g_object_unref (app);

  app = create_app ();
  window = open_main_window ();
}

static GtkWidget *
find (gpointer    root,
      GType       type,
      const char *name)
{
  GtkWidget *widget = arcpass_test_find_widget (GTK_WIDGET (root), type, name);

  g_assert_nonnull (widget);
  return widget;
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static ArcpassCredential *
row_credential (GtkWidget *row)
{
  return arcpass_token_manager_get_credential (arcpass_account_row_get_manager (ARCPASS_ACCOUNT_ROW (row)));
}

/* The sidebar row of account @id, or NULL. */
static GtkWidget *
find_row (const char *id)
{
  GtkWidget *list = find (window, GTK_TYPE_LIST_BOX, "account_list");

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child;
       child = gtk_widget_get_next_sibling (child))
    if (ARCPASS_IS_ACCOUNT_ROW (child) &&
        g_strcmp0 (arcpass_credential_get_id (row_credential (child)), id) == 0)
      return child;

  return NULL;
}

static guint
count_rows (void)
{
  GtkWidget *list = find (window, GTK_TYPE_LIST_BOX, "account_list");
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child;
       child = gtk_widget_get_next_sibling (child))
    if (ARCPASS_IS_ACCOUNT_ROW (child))
      n++;

  return n;
}

static ArcpassCredential *
main_credential (void)
{
  GtkWidget *row = find_row (main_id);

  g_assert_nonnull (row);
  return row_credential (row);
}

static ArcpassAccountPage *
account_page (void)
{
  return ARCPASS_ACCOUNT_PAGE (find (window, ARCPASS_TYPE_ACCOUNT_PAGE, NULL));
}

/* Selects account @id in the sidebar and shows its tab @tab. */
static GtkWidget *
show_tab (const char *id,
          const char *tab)
{
  GtkWidget *row = find_row (id);
  ArcpassAccountPage *page;

  g_assert_nonnull (row);
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  page = account_page ();
  g_assert_true (arcpass_credential_get_id (arcpass_token_manager_get_credential (
                   arcpass_account_page_get_manager (page))) != NULL);
  g_assert_cmpstr (arcpass_credential_get_id (arcpass_token_manager_get_credential (
                     arcpass_account_page_get_manager (page))), ==, id);
  arcpass_account_page_set_visible_tab (page, tab);
  g_assert_cmpstr (arcpass_account_page_get_visible_tab (page), ==, tab);

  return arcpass_account_page_get_tab (page, tab);
}

static ArcpassAccountView *
account_view (void)
{
  return ARCPASS_ACCOUNT_VIEW (show_tab (main_id, "account"));
}

/* ---- Toasts, read from the toast widgets on screen -------------------------- */

static void
collect_toast_widgets (GtkWidget *widget,
                       GPtrArray *out)
{
  GType type = g_type_from_name ("AdwToastWidget");

  if (type != G_TYPE_INVALID && G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    {
      g_ptr_array_add (out, widget);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child;
       child = gtk_widget_get_next_sibling (child))
    collect_toast_widgets (child, out);
}

static void
append_label_text (GtkWidget *widget,
                   GString   *out)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    {
      g_string_append (out, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (out, '\n');
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child;
       child = gtk_widget_get_next_sibling (child))
    append_label_text (child, out);
}

/* The text of the toast on screen (libadwaita shows one at a time). */
static char *
shown_toast_text (void)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  g_autoptr(GString) text = g_string_new (NULL);

  collect_toast_widgets (GTK_WIDGET (window), widgets);
  for (guint i = 0; i < widgets->len; i++)
    append_label_text (g_ptr_array_index (widgets, i), text);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
contains_folded (const char *text,
                 const char *part)
{
  g_autofree char *folded = g_utf8_casefold (text, -1);
  g_autofree char *folded_part = g_utf8_casefold (part, -1);

  return strstr (folded, folded_part) != NULL;
}

static gboolean
toast_shows_cb (gpointer data)
{
  g_autofree char *text = shown_toast_text ();

  return contains_folded (text, data);
}

/* Waits for a toast whose text contains @part, and returns its text. */
static char *
wait_for_toast (const char *part)
{
  if (!arcpass_test_wait_until (toast_shows_cb, (gpointer) part, TIMEOUT_MS))
    {
      g_autofree char *shown = shown_toast_text ();
      GtkWidget *announce = arcpass_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL,
                                                      "announce_label");

      g_error ("No toast with “%s”; shown: “%s”; last announced: “%s”", part, shown,
               announce ? gtk_label_get_text (GTK_LABEL (announce)) : "?");
    }
  return shown_toast_text ();
}

static AdwToast *
shown_toast (void)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  AdwToast *toast = NULL;

  collect_toast_widgets (GTK_WIDGET (window), widgets);
  if (widgets->len == 0)
    return NULL;
  g_object_get (g_ptr_array_index (widgets, 0), "toast", &toast, NULL);
  if (toast)
    g_object_unref (toast);  /* The overlay keeps it. */
  return toast;
}

/* Dismisses the toast on screen and those queued behind it. */
static void
dismiss_toasts (void)
{
  for (guint i = 0; i < 20; i++)
    {
      AdwToast *toast = shown_toast ();

      if (toast == NULL)
        return;
      adw_toast_dismiss (toast);
      arcpass_test_spin (20);
    }
  g_assert_null (shown_toast ());
}

/* ---- The keyring -------------------------------------------------------------- */

/* (c): the account is saved as it was before the fault, and listed. */
static void
assert_main_account_intact (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassCredential) saved = hard_store_load (store, main_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (saved);
  g_assert_cmpstr (arcpass_credential_get_refresh_token (saved), ==, main_refresh_token);
  g_assert_nonnull (arcpass_credential_get_access_token (saved));
  g_assert_cmpint (arcpass_credential_get_state (saved), !=, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);

  g_assert_nonnull (find_row (main_id));
  g_assert_cmpint (arcpass_credential_get_state (main_credential ()), !=,
                   ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);
  g_assert_cmpstr (arcpass_credential_get_refresh_token (main_credential ()), ==, main_refresh_token);
}

/* ---- Requests ----------------------------------------------------------------- */

typedef struct {
  const char *prefix;
  guint       count;
} CountWait;

static gboolean
count_reached_cb (gpointer data)
{
  CountWait *wait = data;

  return hard_sandbox_count (url, wait->prefix) >= wait->count;
}

/* (d): the requests to @prefix since the fault was set. The sandbox logs a
 * delayed request when it answers it, after the client gave up, so wait
 * for the @expected ones first; then until the count has not moved for
 * 300 ms (at most 5 s), so that a client retrying in a loop shows. */
static guint
settled_count (const char *prefix,
               guint       expected)
{
  CountWait wait = { prefix, expected };
  gint64 started = g_get_monotonic_time ();
  gint64 still_since = started;
  guint last;

  arcpass_test_wait_until (count_reached_cb, &wait, TIMEOUT_MS);
  last = hard_sandbox_count (url, prefix);
  while (g_get_monotonic_time () - still_since < 300 * 1000 &&
         g_get_monotonic_time () - started < 5 * G_USEC_PER_SEC)
    {
      guint now;

      arcpass_test_spin (50);
      now = hard_sandbox_count (url, prefix);
      if (now != last)
        {
          last = now;
          still_since = g_get_monotonic_time ();
        }
    }

  return last;
}

/* The faults not consumed by the window would fail the next request. */
static void
clear_faults (const char *prefix)
{
  if (hard_sandbox_pending_faults (url) > 0)
    hard_sandbox_drain_faults (url, prefix);
  hard_sandbox_clear_log (url);
}

/* ---- token: Refresh Now ------------------------------------------------------ */

static gboolean
refresh_idle_cb (gpointer data)
{
  ArcpassAccountView *view = data;
  GtkWidget *spinner = find (view, GTK_TYPE_SPINNER, "refresh_spinner");

  return !gtk_widget_get_visible (spinner) &&
         gtk_widget_is_sensitive (find (view, GTK_TYPE_BUTTON, "refresh_button"));
}

static void
fault_token (const Mode *mode)
{
  ArcpassAccountView *view = account_view ();
  g_autofree char *toast = NULL;
  guint requests;

  hard_sandbox_add_fault (url, TOKEN_PATH, mode->mode, 2);
  fault_on (mode);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "account.refresh", NULL));

  /* (a) */
  toast = wait_for_toast ("Could not renew the token");
  fault_seen ();
  g_test_message ("token / %s: %s", mode->name, toast);
  g_assert_true (contains_folded (toast, "127.0.0.1") || contains_folded (toast, "OAuth"));
  if (mode->says != NULL)
    {
      g_assert_true (contains_folded (toast, mode->says));
      g_assert_true (contains_folded (toast, "127.0.0.1"));
    }

  /* (d) One request; two would be one retry. */
  requests = settled_count (TOKEN_PATH, 1);
  g_assert_cmpuint (requests, >=, 1);
  g_assert_cmpuint (requests, <=, 2);

  /* No spinner left, and the button works again. */
  g_assert_true (arcpass_test_wait_until (refresh_idle_cb, view, TIMEOUT_MS));
  /* A transient fault is "offline", never "sign in again". */
  g_assert_cmpint (arcpass_credential_get_state (main_credential ()), ==,
                   ARCPASS_CREDENTIAL_STATE_OFFLINE);
  g_assert_true (gtk_widget_get_visible (find (view, ADW_TYPE_PREFERENCES_GROUP, "state_group")));

  /* (c) */
  assert_main_account_intact ();

  /* (b) */
  clear_faults (TOKEN_PATH);
  dismiss_toasts ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "account.refresh", NULL));
  g_free (wait_for_toast ("Access token renewed"));
  g_assert_true (arcpass_test_wait_until (refresh_idle_cb, view, TIMEOUT_MS));
  g_assert_cmpint (arcpass_credential_get_state (main_credential ()), ==,
                   ARCPASS_CREDENTIAL_STATE_VALID);
  g_assert_false (gtk_widget_get_visible (find (view, ADW_TYPE_PREFERENCES_GROUP, "state_group")));
  assert_main_account_intact ();
}

/* ---- self: the check of each account at start ----------------------------- */

typedef struct {
  ArcpassCredentialState state;
} StateWait;

static gboolean
main_state_is_cb (gpointer data)
{
  StateWait *wait = data;
  GtkWidget *row = find_row (main_id);

  return row && arcpass_credential_get_state (row_credential (row)) == wait->state;
}

static gboolean
state_group_hidden_cb (gpointer data)
{
  return !gtk_widget_get_visible (find (data, ADW_TYPE_PREFERENCES_GROUP, "state_group"));
}

static void
fault_self (const Mode *mode)
{
  StateWait offline = { ARCPASS_CREDENTIAL_STATE_OFFLINE };
  StateWait valid = { ARCPASS_CREDENTIAL_STATE_VALID };
  ArcpassAccountView *view;
  GtkWidget *state_row, *check_button;
  const char *subtitle;
  guint requests;
  guint accounts;

  hard_sandbox_add_fault (url, SELF_PATH, mode->mode, 2);
  fault_on (mode);
  restart_app ();
  accounts = count_rows ();
  g_assert_true (arcpass_test_wait_until (main_state_is_cb, &offline, TIMEOUT_MS));
  fault_seen ();

  /* (a) The account view says what the check found, in words. */
  view = account_view ();
  g_assert_true (gtk_widget_get_visible (find (view, ADW_TYPE_PREFERENCES_GROUP, "state_group")));
  state_row = find (view, ADW_TYPE_ACTION_ROW, "state_row");
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (state_row));
  g_test_message ("self / %s: %s — %s", mode->name,
                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (state_row)), subtitle);
  g_assert_true (g_str_has_prefix (subtitle, "Arcpass could not check this account with its portal: "));
  /* …followed by why, from the portal or the network. */
  g_assert_cmpuint (strlen (subtitle), >, strlen ("Arcpass could not check this account with its portal: ") + 20);
  check_button = find (view, GTK_TYPE_BUTTON, "check_button");

  /* (d) One check per restored account at start, and no retry by the
   * window; libsoup may send a GET once more when a kept-alive connection
   * turns out closed. */
  requests = settled_count (SELF_PATH, 1);
  g_assert_cmpuint (requests, >=, 1);
  g_assert_cmpuint (requests, <=, 2 * accounts);

  /* (c) */
  assert_main_account_intact ();

  /* (b) Try Again in the same window. */
  clear_faults (SELF_PATH);
  click (check_button);
  g_assert_true (arcpass_test_wait_until (main_state_is_cb, &valid, TIMEOUT_MS));
  g_assert_true (arcpass_test_wait_until (state_group_hidden_cb, view, TIMEOUT_MS));
  g_assert_cmpuint (hard_sandbox_count (url, SELF_PATH), ==, 1);
  assert_main_account_intact ();
}

/* The same check when the saved access token expired while Arcpass was
 * closed: it is renewed first, and a renewal that meets a broken answer
 * leaves the account offline (it used to ask for a new sign-in). */
static void
test_expired_token_at_start (void)
{
  StateWait offline = { ARCPASS_CREDENTIAL_STATE_OFFLINE };
  StateWait valid = { ARCPASS_CREDENTIAL_STATE_VALID };
  g_autoptr(ArcpassCredential) saved = NULL;
  g_autoptr(GError) error = NULL;
  ArcpassAccountView *view;
  const char *subtitle;
  guint requests;

  saved = hard_store_load (store, main_id, &error);
  g_assert_no_error (error);
  arcpass_credential_set_access_expires (saved, arcpass_sandbox_get_now (sandbox) - 60);
  hard_store_save (store, saved);

  hard_sandbox_clear_log (url);
  /* Two: the account view may renew on its own too (once; then it waits
   * a minute). */
  hard_sandbox_add_fault (url, TOKEN_PATH, "malformed", 2);
  restart_app ();
  g_assert_true (arcpass_test_wait_until (main_state_is_cb, &offline, TIMEOUT_MS));
  view = account_view ();
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (find (view, ADW_TYPE_ACTION_ROW, "state_row")));
  g_test_message ("expired token at start, malformed answer: %s", subtitle);
  /* The check at start and the view's automatic renewal share the one
   * renewal; whichever reports last is shown. */
  g_assert_true (g_str_has_prefix (subtitle, "Arcpass could not check this account with its portal: ") ||
                 g_str_has_prefix (subtitle, "Could not renew the token: "));
  g_assert_true (contains_folded (subtitle, "OAuth"));
  requests = settled_count (TOKEN_PATH, 1);
  g_assert_cmpuint (requests, >=, 1);
  g_assert_cmpuint (requests, <=, 2);
  g_assert_cmpint (arcpass_credential_get_state (main_credential ()), ==,
                   ARCPASS_CREDENTIAL_STATE_OFFLINE);
  assert_main_account_intact ();

  clear_faults (TOKEN_PATH);
  click (find (view, GTK_TYPE_BUTTON, "check_button"));
  g_assert_true (arcpass_test_wait_until (main_state_is_cb, &valid, TIMEOUT_MS));
  g_assert_true (arcpass_test_wait_until (state_group_hidden_cb, view, TIMEOUT_MS));
  g_assert_cmpuint (hard_sandbox_count (url, TOKEN_PATH), ==, 1);
  assert_main_account_intact ();
}

/* ---- geocode: a search -------------------------------------------------------- */

static gboolean
geocode_settled_cb (gpointer data)
{
  ArcpassGeocodeTester *tester = data;

  return arcpass_geocode_tester_get_pending (tester) == 0 &&
         (arcpass_geocode_tester_get_error (tester) != NULL ||
          arcpass_geocode_tester_get_candidates (tester) != NULL);
}

static void
fault_geocode (const Mode *mode)
{
  ArcpassGeocodeTester *tester = ARCPASS_GEOCODE_TESTER (show_tab (main_id, "geocode"));
  GtkWidget *entry = find (tester, GTK_TYPE_SEARCH_ENTRY, NULL);
  GtkStack *results = GTK_STACK (find (tester, GTK_TYPE_STACK, "results_stack"));
  AdwStatusPage *page;
  g_autofree char *text = NULL;
  guint requests;

  hard_sandbox_add_fault (url, GEOCODE_PATH, mode->mode, 2);
  fault_on (mode);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Redlands");
  g_signal_emit_by_name (entry, "activate");
  g_assert_true (arcpass_test_wait_until (geocode_settled_cb, tester, TIMEOUT_MS));
  fault_seen ();

  /* (a) The status page in the results pane. */
  g_assert_nonnull (arcpass_geocode_tester_get_error (tester));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (results), ==, "error");
  page = ADW_STATUS_PAGE (gtk_stack_get_visible_child (results));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));
  text = g_strdup_printf ("%s\n%s", adw_status_page_get_title (page),
                          adw_status_page_get_description (page));
  g_test_message ("geocode / %s: %s", mode->name, text);
  g_assert_true (contains_folded (text, "geocoding"));
  if (mode->says != NULL)
    {
      g_assert_true (contains_folded (text, mode->says));
      /* The host of the geocoding service: the sandbox's 127.0.0.4. */
      g_assert_true (contains_folded (text, "127.0.0.4"));
      /* Never mistaken for a missing privilege (whose remedy is to
       * enable one). */
      g_assert_false (contains_folded (text, "lacks the privilege"));
      g_assert_false (contains_folded (text, "enable the privilege"));
    }
  if (mode->title != NULL)
    g_assert_cmpstr (adw_status_page_get_title (page), ==, mode->title);
  /* Not spinning any more; Try Again is offered. */
  g_assert_false (gtk_spinner_get_spinning (GTK_SPINNER (find (tester, GTK_TYPE_SPINNER, NULL))));

  /* (d) */
  requests = settled_count (GEOCODE_PATH, 1);
  g_assert_cmpuint (requests, >=, 1);
  g_assert_cmpuint (requests, <=, 2);

  /* (c) */
  assert_main_account_intact ();

  /* (b) */
  clear_faults (GEOCODE_PATH);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tester), "geocode.retry", NULL));
  g_assert_true (arcpass_test_wait_until (geocode_settled_cb, tester, TIMEOUT_MS));
  g_assert_null (arcpass_geocode_tester_get_error (tester));
  g_assert_cmpuint (arcpass_geocode_tester_get_candidates (tester)->len, >=, 1);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (results), ==, "results");
}

/* ---- basemap styles: the style list ------------------------------------------- */

static gboolean
stack_settled_cb (gpointer data)
{
  const char *child = gtk_stack_get_visible_child_name (data);

  return g_strcmp0 (child, "loading") != 0;
}

static void
fault_basemaps (const Mode *mode)
{
  GtkWidget *tester = show_tab (main_id, "basemaps");
  GtkStack *list_stack = GTK_STACK (find (tester, GTK_TYPE_STACK, "styles_list_stack"));
  AdwStatusPage *page = ADW_STATUS_PAGE (find (tester, ADW_TYPE_STATUS_PAGE, "styles-error"));
  g_autofree char *text = NULL;
  guint requests;

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (find (tester, ADW_TYPE_VIEW_STACK, "view_stack")),
                                         "styles");
  hard_sandbox_add_fault (url, STYLES_PATH, mode->mode, 2);
  fault_on (mode);
  g_assert_true (gtk_widget_activate_action (tester, "basemap.reload", NULL));
  g_assert_true (arcpass_test_wait_until (stack_settled_cb, list_stack, TIMEOUT_MS));
  fault_seen ();

  /* (a) */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (list_stack), ==, "error");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));
  text = g_strdup_printf ("%s\n%s", adw_status_page_get_title (page),
                          adw_status_page_get_description (page));
  g_test_message ("basemaps / %s: %s", mode->name, text);
  g_assert_true (contains_folded (text, "Basemap Styles"));
  if (mode->says != NULL)
    {
      g_assert_true (contains_folded (text, mode->says));
      g_assert_true (contains_folded (text, "127.0.0.4"));
      g_assert_false (contains_folded (text, "lacks the privilege"));
      g_assert_false (contains_folded (text, "enable the privilege"));
    }
  if (mode->title != NULL)
    g_assert_cmpstr (adw_status_page_get_title (page), ==, mode->title);

  /* (d) */
  requests = settled_count (STYLES_PATH, 1);
  g_assert_cmpuint (requests, >=, 1);
  g_assert_cmpuint (requests, <=, 2);

  /* (c) */
  assert_main_account_intact ();

  /* (b) The page's own Try Again. */
  clear_faults (STYLES_PATH);
  g_assert_true (gtk_widget_activate_action (tester, "basemap.reload", NULL));
  g_assert_true (arcpass_test_wait_until (stack_settled_cb, list_stack, TIMEOUT_MS));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (list_stack), ==, "list");
}

/* ---- tiles: the live map ------------------------------------------------------- */

static gboolean
map_settled_cb (gpointer data)
{
  ArcpassMapView *map = data;

  return arcpass_map_view_get_visible_tile_count (map) > 0 &&
         arcpass_map_view_get_pending_count (map) == 0;
}

/* Shows the map of TILE_STYLE (again: a new source refetches every tile)
 * and waits until every visible tile has loaded or failed. */
static ArcpassMapView *
show_map (GtkWidget *tester)
{
  GtkWidget *list = find (tester, GTK_TYPE_LIST_BOX, "static-list");
  GtkStack *list_stack = GTK_STACK (find (tester, GTK_TYPE_STACK, "static_list_stack"));
  ArcpassMapView *map = ARCPASS_MAP_VIEW (find (tester, ARCPASS_TYPE_MAP_VIEW, NULL));

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (find (tester, ADW_TYPE_VIEW_STACK, "view_stack")),
                                         "static");
  g_assert_true (arcpass_test_wait_until (stack_settled_cb, list_stack, TIMEOUT_MS));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (list_stack), ==, "list");
  g_signal_emit_by_name (list, "row-activated", find (list, GTK_TYPE_LIST_BOX_ROW, TILE_STYLE));
  g_assert_true (arcpass_test_wait_until (map_settled_cb, map, TIMEOUT_MS));

  return map;
}

static void
fault_tiles (const Mode *mode)
{
  GtkWidget *tester = show_tab (main_id, "basemaps");
  ArcpassMapView *map = ARCPASS_MAP_VIEW (find (tester, ARCPASS_TYPE_MAP_VIEW, NULL));
  g_auto(GStrv) keys = NULL;
  g_autofree char *prefix = NULL;
  guint visible, requests;

  /* The previous case left the map loaded; the first one loads it. */
  if (!map_settled_cb (map) || arcpass_map_view_get_failed_count (map) > 0)
    map = show_map (tester);

  /* Every visible tile fails: one fault per tile of this zoom level (the
   * list's thumbnails are at zoom 0). */
  visible = arcpass_map_view_get_visible_tile_count (map);
  keys = arcpass_map_view_get_visible_tile_keys (map);
  for (guint i = 0; keys[i]; i++)
    if (arcpass_map_view_get_tile_error (map, keys[i]))
      g_test_message ("tile %s before the fault: %s: %s", keys[i],
                      arcpass_map_view_get_tile_error (map, keys[i]),
                      arcpass_map_view_get_tile_error_detail (map, keys[i]));
  g_clear_pointer (&keys, g_strfreev);
  g_assert_cmpuint (arcpass_map_view_get_loaded_count (map), ==, visible);
  prefix = g_strdup_printf (TILES_ROOT TILE_STYLE "/static/tile/%d/", arcpass_map_view_get_zoom (map));
  hard_sandbox_clear_log (url);
  hard_sandbox_add_fault (url, prefix, mode->mode, visible);
  fault_on (mode);
  map = show_map (tester);
  fault_seen ();
  g_assert_cmpuint (arcpass_map_view_get_visible_tile_count (map), ==, visible);

  /* (a) Each failed tile is drawn with a headline and an explanation. */
  g_assert_cmpuint (arcpass_map_view_get_failed_count (map), ==, visible);
  keys = arcpass_map_view_get_visible_tile_keys (map);
  for (guint i = 0; keys[i]; i++)
    {
      const char *title = arcpass_map_view_get_tile_error (map, keys[i]);
      const char *detail = arcpass_map_view_get_tile_error_detail (map, keys[i]);
      g_autofree char *text = g_strdup_printf ("%s\n%s", title, detail);

      g_assert_nonnull (title);
      g_assert_nonnull (detail);
      if (i == 0)
        g_test_message ("tiles / %s: %s", mode->name, text);
      g_assert_cmpstr (title, !=, "");
      g_assert_cmpstr (detail, !=, "");
      /* The tile's place says which tile; the text says what happened, with
       * the service or the host. */
      if (!contains_folded (text, "Static Basemap Tiles") &&
          !contains_folded (text, arcpass_sandbox_host_get_address (ARCPASS_SANDBOX_HOST_SERVICES)))
        g_error ("The failed tile says “%s”, which names neither the service nor the host", text);
      if (mode->says != NULL && !contains_folded (detail, mode->says))
        g_error ("The failed tile says “%s”, not “%s”", text, mode->says);
      if (mode->tile_title != NULL)
        g_assert_cmpstr (title, ==, mode->tile_title);
    }

  /* (d) Each visible tile was asked for once: a failed tile is only tried
   * again when it comes back into view, never on its own. */
  requests = settled_count (prefix, visible);
  g_assert_cmpuint (requests, ==, visible);

  /* (c) */
  assert_main_account_intact ();

  /* (b) Showing the style again loads every tile. */
  clear_faults (prefix);
  map = show_map (tester);
  g_assert_cmpuint (arcpass_map_view_get_failed_count (map), ==, 0);
  g_assert_cmpuint (arcpass_map_view_get_loaded_count (map), ==,
                    arcpass_map_view_get_visible_tile_count (map));
}

/* ---- revoke: Sign Out --------------------------------------------------------- */

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

typedef struct {
  guint count;
} RowsWait;

static gboolean
rows_are_cb (gpointer data)
{
  return count_rows () == ((RowsWait *) data)->count;
}

/* A second OAuth account, added through the window's "Sign In in Browser"
 * flow, with the test as the browser (ARCPASS_TEST_BROWSER=none). Returns
 * its id. */
static char *
add_account_in_browser (void)
{
  RowsWait more = { count_rows () + 1 };
  GtkWidget *chooser, *page;
  g_autofree char *redirect_uri = NULL;
  g_autofree char *link = NULL;
  g_autofree char *html = NULL;
  g_autofree char *oauth_state = NULL;
  g_autofree char *action = NULL;
  g_autofree char *form = NULL;
  g_autofree char *body = NULL;
  g_autofree char *location = NULL;
  g_autofree char *answer = NULL;
  g_autoptr(GError) error = NULL;
  ArcpassCredential *added;
  guint status = 0;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  chooser = find (window, ARCPASS_TYPE_ADD_ACCOUNT_PAGE, NULL);
  adw_action_row_activate (ADW_ACTION_ROW (find (chooser, ADW_TYPE_ACTION_ROW, "browser")));
  page = find (window, ARCPASS_TYPE_BROWSER_PAGE, NULL);
  /* A free port, registered in the sandbox app (tests run in parallel). */
  redirect_uri = arcpass_test_free_redirect_uri ();
  arcpass_sandbox_register_redirect_uri (sandbox, redirect_uri);
  gtk_editable_set_text (GTK_EDITABLE (find (page, ADW_TYPE_ENTRY_ROW, "redirect_row")),
                         redirect_uri);
  g_assert_true (gtk_widget_activate_action (page, "browser.sign-in", NULL));
  link = g_strdup (gtk_label_get_text (GTK_LABEL (find (page, GTK_TYPE_LABEL, "link_label"))));
  g_assert_true (g_str_has_prefix (link, url));

  html = hard_http ("GET", link, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  oauth_state = html_match (html, "name=\"oauth_state\" value=\"([^\"]+)\"");
  g_assert_nonnull (oauth_state);
  action = g_uri_resolve_relative (link, "signin", G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  form = soup_form_encode ("oauth_state", oauth_state,
                           "username", ARCPASS_SANDBOX_USER_USERNAME,
                           "password", ARCPASS_SANDBOX_USER_PASSWORD,
                           "authorize", "true", NULL);
  body = hard_http ("POST", action, form, &status, &location);
  g_assert_cmpuint (status, ==, 302);
  g_assert_true (g_str_has_prefix (location, "http://127.0.0.1:"));
  /* The redirect lands on the page's loopback receiver. */
  answer = hard_http ("GET", location, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 200);

  g_assert_true (arcpass_test_wait_until (rows_are_cb, &more, TIMEOUT_MS));
  added = arcpass_token_manager_get_credential (arcpass_account_page_get_manager (account_page ()));
  g_assert_cmpstr (arcpass_credential_get_username (added), ==, ARCPASS_SANDBOX_USER_USERNAME);
  g_assert_nonnull (arcpass_credential_get_refresh_token (added));

  return g_strdup (arcpass_credential_get_id (added));
}

static gboolean
row_gone_cb (gpointer data)
{
  return find_row (data) == NULL;
}

typedef struct {
  const char *id;
  gboolean    gone;
} KeyringWait;

/* Signs account @id out with the window's action and lets the Undo toast
 * go; returns once the sign-out has forgotten it on this computer. */
static void
sign_out (const char *id)
{
  ArcpassAccountView *view = ARCPASS_ACCOUNT_VIEW (show_tab (id, "account"));
  AdwToast *undo;

  g_assert_cmpstr (arcpass_credential_get_id (arcpass_account_view_get_credential (view)), ==, id);
  dismiss_toasts ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "account.sign-out", NULL));
  g_free (wait_for_toast ("Signed out of"));
  g_assert_true (arcpass_test_wait_until (row_gone_cb, (gpointer) id, TIMEOUT_MS));
  undo = shown_toast ();
  g_assert_nonnull (undo);
  g_assert_cmpstr (adw_toast_get_button_label (undo), ==, "_Undo");
  /* Gone without Undo: the sign-out goes ahead. */
  adw_toast_dismiss (undo);
}

static gboolean
keyring_lacks_cb (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassCredential) saved = hard_store_load (store, data, &error);

  return saved == NULL && g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND);
}

static void
fault_revoke (const Mode *mode)
{
  g_autofree char *id = add_account_in_browser ();
  g_autofree char *again = NULL;
  g_autofree char *toast = NULL;
  guint requests;

  hard_sandbox_clear_log (url);
  hard_sandbox_add_fault (url, REVOKE_PATH, mode->mode, 2);
  fault_on (mode);
  sign_out (id);

  /* (a) The account is forgotten here as asked, and the user learns that
   * the portal did not revoke its refresh token. */
  toast = wait_for_toast ("did not revoke the refresh token");
  fault_seen ();
  g_test_message ("revoke / %s: %s", mode->name, toast);
  g_assert_true (arcpass_test_wait_until (keyring_lacks_cb, id, TIMEOUT_MS));

  /* (d) */
  requests = settled_count (REVOKE_PATH, 1);
  g_assert_cmpuint (requests, >=, 1);
  g_assert_cmpuint (requests, <=, 2);

  /* (c) Signing one account out leaves the other alone. */
  assert_main_account_intact ();

  /* (b) Sign in and out again: revoked, and no warning. */
  clear_faults (REVOKE_PATH);
  dismiss_toasts ();
  again = add_account_in_browser ();
  sign_out (again);
  g_assert_true (arcpass_test_wait_until (keyring_lacks_cb, again, TIMEOUT_MS));
  g_assert_cmpuint (settled_count (REVOKE_PATH, 1), ==, 1);
  {
    g_autoptr(JsonNode) log = hard_sandbox_log (url);
    JsonArray *entries = json_node_get_array (log);

    for (guint i = 0; i < json_array_get_length (entries); i++)
      {
        JsonObject *entry = json_array_get_object_element (entries, i);

        if (g_str_has_prefix (json_object_get_string_member (entry, "path"), REVOKE_PATH))
          g_assert_cmpint (json_object_get_int_member (entry, "status"), ==, 200);
      }
  }
  {
    g_autofree char *shown = shown_toast_text ();

    g_assert_false (contains_folded (shown, "did not revoke"));
  }
  assert_main_account_intact ();
}

/* ---- The matrix ----------------------------------------------------------------- */

static void
test_fault (gconstpointer data)
{
  const Case *c = data;
  gint64 started = g_get_monotonic_time ();

  dismiss_toasts ();
  hard_sandbox_clear_log (url);
  g_assert_cmpuint (hard_sandbox_pending_faults (url), ==, 0);

  switch (c->endpoint)
    {
    case EP_TOKEN:
      fault_token (c->mode);
      break;
    case EP_SELF:
      fault_self (c->mode);
      break;
    case EP_GEOCODE:
      fault_geocode (c->mode);
      break;
    case EP_BASEMAPS:
      fault_basemaps (c->mode);
      break;
    case EP_TILES:
      fault_tiles (c->mode);
      break;
    case EP_REVOKE:
      fault_revoke (c->mode);
      break;
    case N_ENDPOINTS:
    default:
      g_assert_not_reached ();
    }

  g_assert_cmpuint (hard_sandbox_pending_faults (url), ==, 0);
  g_test_message ("%s / %s: %" G_GINT64_FORMAT " ms", endpoint_names[c->endpoint], c->mode->name,
                  (g_get_monotonic_time () - started) / 1000);
}

/* ---- Self-signed TLS in the embedded sign-in page ----------------------------- */

static GTlsCertificate *
make_self_signed_certificate (void)
{
  g_autofree char *dir = g_dir_make_tmp ("arcpass-tls-XXXXXX", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *keyfile = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  GTlsCertificate *certificate;

  if (openssl == NULL)
    return NULL;

  process = g_subprocess_newv ((const char * const[]) { openssl, "req", "-x509",
                                                       "-newkey", "rsa:2048", "-nodes",
                                                       "-keyout", keyfile, "-out", cert,
                                                       "-days", "1", "-subj", "/CN=127.0.0.1",
                                                       "-addext", "subjectAltName=IP:127.0.0.1",
                                                       NULL },
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);

  certificate = g_tls_certificate_new_from_files (cert, keyfile, &error);
  g_assert_no_error (error);
  g_remove (cert);
  g_remove (keyfile);
  g_rmdir (dir);

  return certificate;
}

static gboolean
web_stack_settled_cb (gpointer data)
{
  GtkWidget *page = data;
  GtkStack *stack = GTK_STACK (find (page, GTK_TYPE_STACK, "web_stack"));

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), "problem") == 0;
}

static void
assert_certificate_refused (GtkWidget  *page,
                            const char *host)
{
  GtkStack *stack = GTK_STACK (find (page, GTK_TYPE_STACK, "web_stack"));
  AdwStatusPage *problem = ADW_STATUS_PAGE (find (page, ADW_TYPE_STATUS_PAGE, "problem_page"));
  GType web_view_type = g_type_from_name ("WebKitWebView");
  GtkWidget *web_view;
  const char *description;

  g_assert_true (arcpass_test_wait_until (web_stack_settled_cb, page, TIMEOUT_MS));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "problem");
  description = adw_status_page_get_description (problem);
  g_test_message ("%s: %s", adw_status_page_get_title (problem), description);
  g_assert_cmpstr (adw_status_page_get_title (problem), ==, "Certificate Problem");
  g_assert_true (contains_folded (description, "certificate"));
  g_assert_true (contains_folded (description, host));

  /* The sign-in form was never shown: the web view has no page title. */
  g_assert_true (web_view_type != G_TYPE_INVALID);
  web_view = arcpass_test_find_widget (page, web_view_type, NULL);
  if (web_view)
    {
      g_autofree char *title = NULL;

      g_object_get (web_view, "title", &title, NULL);
      g_assert_true (title == NULL || !contains_folded (title, "Sign In"));
    }

  /* Ways out: try again, or go back; never "accept anyway", and no
   * "continue in browser" (the browser would meet the same certificate). */
  g_assert_true (gtk_widget_get_visible (find (page, GTK_TYPE_BUTTON, "problem_retry_button")));
  g_assert_true (gtk_widget_get_visible (find (page, GTK_TYPE_BUTTON, "problem_back_button")));
  g_assert_false (gtk_widget_get_visible (find (page, GTK_TYPE_BUTTON, "problem_browser_button")));
}

static void
test_self_signed_tls (void)
{
  g_autoptr(GTlsCertificate) certificate = make_self_signed_certificate ();
  g_autoptr(ArcpassSandbox) tls_sandbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) tls_uri = NULL;
  g_autofree char *host = NULL;
  GtkWidget *chooser, *page;
  guint accounts = count_rows ();
  GType page_type;

  if (certificate == NULL)
    {
      g_test_skip ("openssl is not installed");
      return;
    }

  tls_sandbox = arcpass_sandbox_new ();
  arcpass_sandbox_start_tls (tls_sandbox, 0, certificate, &error);
  g_assert_no_error (error);
  tls_uri = g_uri_parse (arcpass_sandbox_get_url (tls_sandbox), G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  host = g_strdup_printf ("%s:%d", g_uri_get_host (tls_uri), g_uri_get_port (tls_uri));

  dismiss_toasts ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  chooser = find (window, ARCPASS_TYPE_ADD_ACCOUNT_PAGE, NULL);
  adw_action_row_activate (ADW_ACTION_ROW (find (chooser, ADW_TYPE_ACTION_ROW, "oauth")));
  /* The embedded page comes from the web view module. */
  page_type = g_type_from_name ("ArcpassOAuthPage");
  g_assert_true (page_type != G_TYPE_INVALID);
  page = find (window, page_type, NULL);
  gtk_editable_set_text (GTK_EDITABLE (find (page, ADW_TYPE_ENTRY_ROW, "portal_row")),
                         arcpass_sandbox_get_url (tls_sandbox));
  g_assert_true (gtk_widget_activate_action (page, "oauth.sign-in", NULL));
  assert_certificate_refused (page, host);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (window), "gui-faults-self-signed-tls"));

  /* Try Again meets the same certificate, and says so again. */
  click (find (page, GTK_TYPE_BUTTON, "problem_retry_button"));
  assert_certificate_refused (page, host);

  /* Back to the form; nothing was added. */
  click (find (page, GTK_TYPE_BUTTON, "problem_back_button"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (find (page, GTK_TYPE_STACK, "stack"))), ==,
                   "form");
  g_assert_cmpuint (count_rows (), ==, accounts);
  assert_main_account_intact ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));

  arcpass_sandbox_stop (tls_sandbox);
}

/* ---- A locked keyring ------------------------------------------------------- */

static gboolean
spinner_stopped_cb (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

/* ---- Checking an API key costs nothing (real-arcgis.md point 14) ------------- */

/* Requests of the log that carried an API key and whose path contains
 * @part (the window checks its saved account meanwhile, with its token). */
static guint
logged (const char *part)
{
  g_autoptr(JsonNode) log = hard_sandbox_log (url);
  JsonArray *entries = json_node_get_array (log);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      if (strstr (json_object_get_string_member (entry, "path"), part) != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (entry, "token_issuer", ""),
                     "apikey") == 0)
        n++;
    }

  return n;
}

static const char *
probe_row (GtkWidget  *page,
           const char *service,
           const char *status)
{
  g_autofree char *row_name = g_strconcat ("probe-", service, NULL);
  g_autofree char *status_class = g_strconcat ("probe-", status, NULL);
  GtkWidget *row = find (page, ADW_TYPE_ACTION_ROW, row_name);
  const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

  g_test_message ("%s: %s", service, subtitle);
  g_assert_true (gtk_widget_has_css_class (row, status_class));
  return subtitle;
}

static GtkWidget *
check_key (const char *key)
{
  GtkWidget *page = find (window, ARCPASS_TYPE_API_KEY_PAGE, NULL);

  gtk_editable_set_text (GTK_EDITABLE (find (page, ADW_TYPE_ENTRY_ROW, "key_row")), key);
  hard_sandbox_clear_log (url);
  click (find (page, GTK_TYPE_BUTTON, "check_button"));
  g_assert_true (arcpass_test_wait_until (spinner_stopped_cb, find (page, GTK_TYPE_SPINNER, "spinner"),
                                          TIMEOUT_MS));
  g_assert_true (gtk_widget_get_visible (find (page, ADW_TYPE_PREFERENCES_GROUP, "results_group")));
  return page;
}

static void
test_api_key_probe (void)
{
  GtkWidget *chooser;
  GtkWidget *page;
  guint accounts = count_rows ();

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  chooser = find (window, ARCPASS_TYPE_ADD_ACCOUNT_PAGE, NULL);
  adw_action_row_activate (ADW_ACTION_ROW (find (chooser, ADW_TYPE_ACTION_ROW, "api-key")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (find (window, ARCPASS_TYPE_API_KEY_PAGE, NULL),
                                                                ADW_TYPE_ENTRY_ROW, "portal_row"))),
                   ==, url);

  /* A key with every privilege: the portal lists them, so geocoding is not
   * tried (a search is billed), and Basemap Styles is checked with a style,
   * which needs the privilege, not with the listing, which may not. */
  page = check_key (ARCPASS_SANDBOX_KEY_FULL);
  probe_row (page, "basemap-styles", "works");
  probe_row (page, "static-tiles", "works");
  g_assert_nonnull (strstr (probe_row (page, "geocode", "works"), "not tried"));
  g_assert_cmpuint (logged ("/sharing/rest/portals/self"), ==, 1);
  g_assert_cmpuint (logged ("/GeocodeServer"), ==, 0);
  g_assert_cmpuint (logged ("/styles/v2/styles/arcgis/navigation"), ==, 1);
  g_assert_cmpuint (logged ("/styles/v2/styles/self"), ==, 0);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (window), "gui-faults-api-key-probe"));

  /* Basemaps only: what the privileges rule out is not asked at all. */
  page = check_key (ARCPASS_SANDBOX_KEY_BASEMAPS);
  probe_row (page, "basemap-styles", "works");
  probe_row (page, "static-tiles", "missing-privilege");
  probe_row (page, "geocode", "missing-privilege");
  g_assert_cmpuint (logged ("/GeocodeServer"), ==, 0);
  g_assert_cmpuint (logged ("/static-basemap-tiles-service"), ==, 0);

  /* The portal cannot say what the key may do: one search, and the row
   * says that it counted. */
  hard_sandbox_add_fault (url, SELF_PATH, "status:503", 1);
  page = check_key (ARCPASS_SANDBOX_KEY_FULL);
  g_assert_nonnull (strstr (probe_row (page, "geocode", "works"), "counts toward"));
  g_assert_cmpuint (logged ("/GeocodeServer/findAddressCandidates"), ==, 1);

  /* A refused key: the portal says so, and nothing else is asked. */
  page = check_key (ARCPASS_SANDBOX_KEY_EXPIRED);
  probe_row (page, "basemap-styles", "invalid-key");
  probe_row (page, "static-tiles", "invalid-key");
  probe_row (page, "geocode", "invalid-key");
  g_assert_cmpuint (logged ("/GeocodeServer"), ==, 0);

  /* Nothing was added. */
  g_assert_cmpuint (count_rows (), ==, accounts);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
}

static gboolean
label_shown_cb (gpointer data)
{
  return gtk_widget_get_visible (data) && *gtk_label_get_text (GTK_LABEL (data)) != '\0';
}

static gboolean
label_says_locked_cb (gpointer data)
{
  return contains_folded (gtk_label_get_text (GTK_LABEL (data)), "keyring is locked");
}

/* Run with ARCPASS_HARDENING_LOCK_KEYRING=1, in a session of its own: the
 * keyring is locked before the window starts, and nobody can unlock it.
 * The window says so in words, adding an account fails with the same
 * explanation where the user looks, and nothing saved is lost. */
static void
test_keyring_locked (void)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *chooser, *page, *error_label, *notice = NULL;
  GList *collections, *items;
  guint rows;

  service = secret_service_get_sync (SECRET_SERVICE_LOAD_COLLECTIONS, NULL, &error);
  g_assert_no_error (error);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, NULL, &error);
  g_assert_no_error (error);
  collections = g_list_append (NULL, collection);
  secret_service_lock_sync (service, collections, NULL, NULL, &error);
  g_list_free (collections);
  g_assert_no_error (error);
  g_assert_true (secret_collection_get_locked (collection));

  app = create_app ();
  window = open_main_window ();
  rows = count_rows ();
  g_test_message ("locked keyring: %u accounts listed", rows);
  if (rows == 0)
    {
      /* The saved account could not be read: the sidebar says why, and
       * stays saying it (it is not a toast that goes away). */
      notice = find (window, ADW_TYPE_ACTION_ROW, "accounts_error_row");
      g_assert_true (gtk_widget_get_visible (notice));
      g_assert_true (gtk_widget_get_mapped (notice));
      g_test_message ("%s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (notice)));
      g_assert_true (contains_folded (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (notice)),
                                      "keyring is locked"));
    }

  /* Adding an API key: checked, then refused when it is saved, in the page. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-account", NULL));
  chooser = find (window, ARCPASS_TYPE_ADD_ACCOUNT_PAGE, NULL);
  adw_action_row_activate (ADW_ACTION_ROW (find (chooser, ADW_TYPE_ACTION_ROW, "api-key")));
  page = find (window, ARCPASS_TYPE_API_KEY_PAGE, NULL);
  gtk_editable_set_text (GTK_EDITABLE (find (page, ADW_TYPE_ENTRY_ROW, "key_row")), ARCPASS_SANDBOX_KEY_FULL);
  click (find (page, GTK_TYPE_BUTTON, "check_button"));
  g_assert_true (arcpass_test_wait_until (spinner_stopped_cb, find (page, GTK_TYPE_SPINNER, "spinner"),
                                          TIMEOUT_MS));
  error_label = find (page, GTK_TYPE_LABEL, "error_label");
  click (find (page, GTK_TYPE_BUTTON, "add_button"));
  g_assert_true (arcpass_test_wait_until (label_shown_cb, error_label, TIMEOUT_MS));
  g_test_message ("add: %s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_true (contains_folded (gtk_label_get_text (GTK_LABEL (error_label)), "keyring is locked"));
  g_assert_cmpuint (count_rows (), ==, rows);
  /* Still usable: the chooser is one step back. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));

  /* Nothing lost: the saved account is still in the (locked) keyring. */
  attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (attributes, (gpointer) "xdg:schema", (gpointer) ARCPASS_ACCOUNT_SCHEMA_NAME);
  items = secret_service_search_sync (service, NULL, attributes, SECRET_SEARCH_ALL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  g_list_free_full (items, g_object_unref);

  /* Try Again reads the keyring again, and says again why it cannot (the
   * keyring cannot be unlocked here: that needs a prompt). */
  if (notice != NULL)
    {
      GtkWidget *announce = find (window, GTK_TYPE_LABEL, "announce_label");

      gtk_label_set_text (GTK_LABEL (announce), "");
      click (find (window, GTK_TYPE_BUTTON, "reload_accounts_button"));
      g_assert_true (arcpass_test_wait_until (label_says_locked_cb, announce, TIMEOUT_MS));
      g_assert_true (gtk_widget_get_visible (notice));
      g_assert_cmpuint (count_rows (), ==, 0);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(ArcpassCredential) main_account = NULL;
  g_autoptr(GError) error = NULL;
  ArcpassClient *client;
  int status;

  /* The browser sign-in must not launch a browser: the test is one. */
  g_setenv ("ARCPASS_TEST_BROWSER", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  hard_wait_for_secret_service ();

  sandbox = arcpass_sandbox_new ();
  g_assert_true (arcpass_sandbox_start (sandbox, 0, &error));
  url = arcpass_sandbox_get_url (sandbox);

  /* The window's client is the process's (see fault_on()). */
  client = arcpass_client_get_default ();
  set_timeout (NORMAL_TIMEOUT_S);

  /* The account a user signed in to earlier, in the keyring: the Location
   * Platform account, as the tile tests need Static Basemap Tiles, which
   * ArcGIS Online accounts are not offered. */
  store = arcpass_account_store_new ();
  main_account = hard_oauth_sign_in (client, url, ARCPASS_SANDBOX_PLATFORM_USERNAME,
                                     ARCPASS_SANDBOX_PLATFORM_PASSWORD);
  hard_store_save (store, main_account);
  main_id = g_strdup (arcpass_credential_get_id (main_account));
  main_refresh_token = g_strdup (arcpass_credential_get_refresh_token (main_account));

  if (g_getenv ("ARCPASS_HARDENING_LOCK_KEYRING") != NULL)
    {
      g_test_add_func ("/hardening/gui-faults/keyring-locked", test_keyring_locked);
      status = g_test_run ();
      gtk_window_destroy (GTK_WINDOW (window));
      arcpass_test_spin (50);
      g_clear_object (&app);
      g_clear_object (&store);
      arcpass_sandbox_stop (sandbox);
      g_clear_object (&sandbox);
      return status;
    }

  app = create_app ();
  window = open_main_window ();
  g_assert_cmpuint (count_rows (), ==, 1);

  /* "self" last among the classes: it restarts the application. */
  {
    const Endpoint order[] = { EP_TOKEN, EP_GEOCODE, EP_BASEMAPS, EP_TILES, EP_REVOKE, EP_SELF };

    for (guint e = 0; e < G_N_ELEMENTS (order); e++)
      for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
        {
          Case *c = g_new0 (Case, 1);
          g_autofree char *path = NULL;

          /* The check at start and sign-out show these like any other
           * failure; the classes that word them are covered. */
          if (mode_is_transport (&modes[m]) &&
              (order[e] == EP_SELF || order[e] == EP_REVOKE))
            {
              g_free (c);
              continue;
            }
          c->endpoint = order[e];
          c->mode = &modes[m];
          g_ptr_array_add (cases, c);
          /* Flat, numbered names: GTest would run sub-suites after cases. */
          path = g_strdup_printf ("/hardening/gui-faults/%u%u-%s-%s", e, m,
                                  endpoint_names[order[e]], modes[m].name);
          g_test_add_data_func (path, c, test_fault);
        }
  }
  g_test_add_func ("/hardening/gui-faults/8-expired-token-at-start", test_expired_token_at_start);
  g_test_add_func ("/hardening/gui-faults/9-self-signed-tls-in-web-view", test_self_signed_tls);
  g_test_add_func ("/hardening/gui-faults/9-z-api-key-probe-costs-nothing", test_api_key_probe);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  arcpass_test_spin (50);
  g_clear_object (&app);
  g_clear_object (&store);
  g_clear_pointer (&main_id, g_free);
  arcpass_secret_free (g_steal_pointer (&main_refresh_token));
  arcpass_sandbox_stop (sandbox);
  g_clear_object (&sandbox);

  return status;
}
