/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>
#include <webkit/webkit.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "arcpass-account-page.h"
#include "arcpass-account-row.h"
#include "arcpass-test-ui-utils.h"
#include "test-keyboard-common.h"

/* The OAuth user sign-ins, in the embedded web view and in the system
 * browser (whose part, in the browser, is played over HTTP), with the
 * keyboard alone.
 * The GTK side is driven as in the other keyboard tests (see
 * test-keyboard-common.h). Inside the web page, key presses must reach
 * WebKit's web process, which no GTK call can fake: they are real X key
 * events, sent with xdotool (XTEST) to Xvfb, and the page's state is read
 * back with JavaScript (reading only, never acting). */

#define TIMEOUT_MS 20000

static ArcpassWindow *window;

#define WIN GTK_WINDOW (window)

static GtkStack *
content_stack (void)
{
  return GTK_STACK (kbd_find (window, "content_stack"));
}

static WebKitWebView *
find_web_view (void)
{
  GtkWidget *view = arcpass_test_find_widget (GTK_WIDGET (window), WEBKIT_TYPE_WEB_VIEW, NULL);

  return view ? WEBKIT_WEB_VIEW (view) : NULL;
}

static gboolean
title_is_sign_in_cb (gpointer data)
{
  WebKitWebView *view = find_web_view ();

  return view && !webkit_web_view_is_loading (view) &&
         g_strcmp0 (webkit_web_view_get_title (view), "Sign In") == 0;
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

/* Reads a value from the page. */
static char *
read_js (const char *script)
{
  JsResult js = { FALSE, NULL, NULL };
  char *text;

  webkit_web_view_evaluate_javascript (find_web_view (), script, -1, NULL, NULL, NULL,
                                       js_done_cb, &js);
  g_assert_true (arcpass_test_wait_until (js_done, &js, TIMEOUT_MS));
  g_assert_no_error (js.error);
  text = jsc_value_to_string (js.value);
  g_object_unref (js.value);
  return text;
}

typedef struct {
  const char *script;
  const char *expected;
} JsWait;

static gboolean
js_is_cb (gpointer data)
{
  JsWait *wait = data;
  g_autofree char *value = NULL;

  if (!find_web_view ())
    return FALSE;
  value = read_js (wait->script);
  return g_strcmp0 (value, wait->expected) == 0;
}

static gboolean
wait_js (const char *script,
         const char *expected)
{
  JsWait wait = { script, expected };

  return arcpass_test_wait_until (js_is_cb, &wait, 5000);
}

/* ---- Real key presses ------------------------------------------------------- */

static gboolean
have_xdotool (void)
{
  g_autofree char *path = g_find_program_in_path ("xdotool");

#ifdef GDK_WINDOWING_X11
  return path && GDK_IS_X11_DISPLAY (gdk_display_get_default ());
#else
  return FALSE;
#endif
}

typedef struct {
  gboolean exited;
  int      status;
} Child;

static void
child_exited_cb (GPid     pid,
                 int      status,
                 gpointer data)
{
  Child *child = data;

  child->status = status;
  child->exited = TRUE;
  g_spawn_close_pid (pid);
}

static gboolean
child_exited (gpointer data)
{
  return ((Child *) data)->exited;
}

/* Runs xdotool with the given arguments. Asynchronously, so that this
 * process's main loop (GTK, WebKit's UI side, the sandbox) keeps running
 * while the keys arrive. */
static void
xdotool (const char *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  Child child = { FALSE, 0 };
  GPid pid;
  va_list ap;

  g_ptr_array_add (args, (char *) "xdotool");
  va_start (ap, first);
  for (const char *arg = first; arg; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  g_assert_true (g_spawn_async (NULL, (char **) args->pdata, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  g_child_watch_add (pid, child_exited_cb, &child);
  g_assert_true (arcpass_test_wait_until (child_exited, &child, TIMEOUT_MS));
  g_assert_true (g_spawn_check_wait_status (child.status, NULL));
  /* Let the events reach GTK and go through WebKit to its web process. */
  arcpass_test_spin (150);
}

/* Gives the X input focus to the window, as a window manager would when
 * the user switches to it. */
static void
focus_x_window (void)
{
#ifdef GDK_WINDOWING_X11
  g_autofree char *xid = g_strdup_printf ("%lu",
                                          (unsigned long) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))));

  xdotool ("windowfocus", "--sync", xid, NULL);
#endif
}

/* ---- The flow ---------------------------------------------------------------- */

static void
open_oauth_form (void)
{
  GtkWidget *row;

  g_assert_true (kbd_press (WIN, "<Control>n"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content_stack ()), ==, "chooser");
  row = kbd_find_type (window, ADW_TYPE_ACTION_ROW, "oauth");
  g_test_message ("%u Tab to the OAuth row", kbd_tab_to (window, row));
  kbd_activate (WIN);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content_stack ()), !=, "chooser");
}

static GtkWidget *
oauth_page (void)
{
  return gtk_stack_get_visible_child (content_stack ());
}

static void
clear_clipboard (void)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (window)), "before");
}

static gboolean
shows_chooser_cb (gpointer data)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (content_stack ()), "chooser") == 0;
}

/* The form's alternatives to the embedded view: Tab reaches its menu. */
static void
test_form_alternatives (void)
{
  GtkWidget *menu_button;
  g_autofree char *text = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.arcpass.Arcpass");
  g_autofree char *redirect_uri = arcpass_test_free_redirect_uri ();

  /* Setup: "Copy Sign-In Link" continues in the browser page, which listens
   * on the remembered redirect URI's port; tests run in parallel, so not
   * the default one (48765), but a free port registered in the sandbox. */
  arcpass_sandbox_register_redirect_uri (kbd.sandbox, redirect_uri);
  g_settings_set_string (settings, "browser-redirect-uri", redirect_uri);

  window = kbd_open_window ();
  open_oauth_form ();

  menu_button = kbd_find (oauth_page (), "form_menu_button");
  clear_clipboard ();
  kbd_choose_menu_item (WIN, menu_button, "Copy Sign-In Link");
  text = kbd_read_clipboard (GTK_WIDGET (window));
  g_assert_true (g_str_has_prefix (text, arcpass_sandbox_get_url (kbd.sandbox)));
  g_assert_nonnull (strstr (text, "/oauth2/authorize"));
  /* The sign-in goes on in the browser: the page says so, with the focus
   * in it. */
  g_test_message ("focus after Copy Sign-In Link: %s",
                  kbd_focus (WIN) ? G_OBJECT_TYPE_NAME (kbd_focus (WIN)) : "(none)");
  g_assert_true (kbd_focus_in (WIN, oauth_page ()));

  /* Escape leaves the sign-in for the chooser, and again for the account
   * list (after dismissing the toast that said the link was copied). */
  g_assert_true (kbd_escape_until (WIN, shows_chooser_cb, NULL));
  g_assert_true (kbd_press (WIN, "Escape"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content_stack ()), !=, "chooser");
}

/* Starts the embedded sign-in from the form: Tab to Sign In, Enter. */
static WebKitWebView *
start_web_sign_in (void)
{
  GtkWidget *sign_in_button;

  open_oauth_form ();
  sign_in_button = kbd_find (oauth_page (), "sign_in_button");
  g_test_message ("%u Tab to Sign In", kbd_tab_to (window, sign_in_button));
  kbd_activate (WIN);
  g_assert_true (arcpass_test_wait_until (title_is_sign_in_cb, NULL, TIMEOUT_MS));
  return find_web_view ();
}

static gboolean
accounts_grew_cb (gpointer data)
{
  return kbd_count_accounts (window) > GPOINTER_TO_UINT (data);
}

static void
test_sign_in (void)
{
  WebKitWebView *view;
  GtkWidget *menu_button, *export_button;
  guint before = kbd_count_accounts (window);
  g_autofree char *active = NULL;
  g_autofree char *text = NULL;
  GtkWidget *page;

  if (!have_xdotool ())
    {
      g_test_skip ("Key presses into the web page need xdotool and X11");
      return;
    }

  view = start_web_sign_in ();
  page = oauth_page ();

  /* The page's header offers the other ways to sign in: Shift+Tab from the
   * web view reaches them, Tab goes back into the page. */
  g_assert_true (kbd_focus_in (WIN, GTK_WIDGET (view)));
  menu_button = kbd_find (page, "web_menu_button");
  g_test_message ("%u Shift+Tab to Other Ways to Sign In",
                  kbd_move_to (WIN, menu_button, GTK_DIR_TAB_BACKWARD));
  kbd_activate (WIN);
  {
    GtkPopover *popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));

    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
    kbd_find_labelled (popover, "Continue in Browser");
    kbd_find_labelled (popover, "Copy Link");
    if (!kbd_focus_in (WIN, GTK_WIDGET (popover)))
      g_assert_true (kbd_press (WIN, "Down"));
    g_assert_true (kbd_press (WIN, "Escape"));
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  }
  g_test_message ("%u Tab into the web view", kbd_tab_to (window, GTK_WIDGET (view)));

  /* Now real keys: Tab until the username field has the focus (WebKit
   * takes the first press to put the focus in the document), the username
   * is typed, Tab, the password, Enter submits. */
  focus_x_window ();
  for (guint i = 0; i < 5; i++)
    {
      g_free (active);
      active = read_js ("document.activeElement ? document.activeElement.id : ''");
      g_test_message ("focused in the page: %s", active);
      if (g_str_equal (active, "user_username"))
        break;
      xdotool ("key", "--clearmodifiers", "Tab", NULL);
      /* The key goes to the web process and back. */
      wait_js ("document.activeElement && document.activeElement.id == 'user_username'", "true");
    }
  g_assert_cmpstr (active, ==, "user_username");
  xdotool ("type", "--delay", "10", ARCPASS_SANDBOX_PUBLISHER_USERNAME, NULL);
  g_assert_true (wait_js ("document.getElementById ('user_username').value",
                          ARCPASS_SANDBOX_PUBLISHER_USERNAME));
  xdotool ("key", "--clearmodifiers", "Tab", NULL);
  g_assert_true (wait_js ("document.activeElement.id", "user_password"));
  xdotool ("type", "--delay", "10", ARCPASS_SANDBOX_PUBLISHER_PASSWORD, NULL);
  xdotool ("key", "--clearmodifiers", "Return", NULL);

  g_assert_true (arcpass_test_wait_until (accounts_grew_cb, GUINT_TO_POINTER (before),
                                          TIMEOUT_MS));
  g_assert_true (kbd_wait_visible_page (content_stack (), "summary", 5000));
  /* The web view had the focus: it went to the new account. */
  g_assert_true (ARCPASS_IS_ACCOUNT_ROW (kbd_focus (WIN)));

  /* This account has a refresh token: the Export menu offers it. */
  page = kbd_find_type (window, ARCPASS_TYPE_ACCOUNT_PAGE, NULL);
  export_button = kbd_find (arcpass_account_page_get_tab (ARCPASS_ACCOUNT_PAGE (page), "account"),
                            "export_button");
  clear_clipboard ();
  kbd_choose_menu_item (WIN, export_button, "JSON With Refresh Token");
  text = kbd_read_clipboard (GTK_WIDGET (window));
  g_assert_true (g_str_has_prefix (text, "{"));
  g_assert_nonnull (strstr (text, "\"refresh_token\""));
}

static void
test_cancel_with_escape (void)
{
  WebKitWebView *view;

  if (!have_xdotool ())
    {
      g_test_skip ("Key presses into the web page need xdotool and X11");
      return;
    }

  /* Escape while the web view has the focus (a real key press, which goes
   * to WebKit first) cancels the sign-in. */
  view = start_web_sign_in ();
  g_assert_true (kbd_focus_in (WIN, GTK_WIDGET (view)));
  focus_x_window ();
  xdotool ("key", "--clearmodifiers", "Escape", NULL);
  g_assert_true (kbd_wait_visible_page (content_stack (), "chooser", 5000));
  g_assert_null (find_web_view ());
}

/* ---- Sign-in in the system browser --------------------------------------- */

typedef struct {
  gboolean  done;
  GBytes   *body;
  GError   *error;
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

static char *
fetch (SoupSession *session,
       SoupMessage *message)
{
  Fetch f = { FALSE, NULL, NULL };
  char *text;

  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, fetch_cb, &f);
  g_assert_true (arcpass_test_wait_until (fetch_done_cb, &f, TIMEOUT_MS));
  g_assert_no_error (f.error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  text = g_strndup (g_bytes_get_data (f.body, NULL), g_bytes_get_size (f.body));
  g_bytes_unref (f.body);
  return text;
}

/* What the user does in their own browser with the link Arcpass gave: open
 * it and sign in. Not a step in Arcpass, so not a keyboard step here. */
static void
sign_in_as_browser (const char *link)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) get = soup_message_new ("GET", link);
  g_autoptr(SoupMessage) post = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("name=\"oauth_state\" value=\"([^\"]+)\"", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *form = NULL;
  g_autofree char *oauth_state = NULL;
  g_autofree char *action = NULL;
  g_autofree char *answer = NULL;

  form = fetch (session, get);
  g_assert_true (g_regex_match (regex, form, 0, &match));
  oauth_state = g_match_info_fetch (match, 1);
  action = g_uri_resolve_relative (link, "signin", G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  post = soup_message_new_from_encoded_form ("POST", action,
                                             soup_form_encode ("oauth_state", oauth_state,
                                                               "username", ARCPASS_SANDBOX_USER_USERNAME,
                                                               "password", ARCPASS_SANDBOX_USER_PASSWORD,
                                                               "authorize", "true",
                                                               NULL));
  /* Redirected to Arcpass's loopback receiver, which answers. */
  answer = fetch (session, post);
}

static void
test_browser_sign_in (void)
{
  GtkWidget *row, *page, *open_button, *copy_button;
  guint before = kbd_count_accounts (window);
  g_autofree char *link = NULL;
  g_autofree char *redirect_uri = NULL;

  /* Ctrl+N, Tab to "Sign In with a Browser", Enter. */
  g_assert_true (kbd_press (WIN, "<Control>n"));
  row = kbd_find_type (window, ADW_TYPE_ACTION_ROW, "browser");
  g_test_message ("%u Tab to the browser row", kbd_tab_to (window, row));
  kbd_activate (WIN);
  page = oauth_page ();
  g_assert_true (kbd_focus_in (WIN, page));

  /* Setup, not a keyboard step: a redirect URI on a free port, registered
   * in the sandbox app (tests run in parallel; the default port is one). */
  redirect_uri = arcpass_test_free_redirect_uri ();
  arcpass_sandbox_register_redirect_uri (kbd.sandbox, redirect_uri);
  gtk_editable_set_text (GTK_EDITABLE (kbd_find (page, "redirect_row")), redirect_uri);

  /* Tab to "Open Browser", Enter: the page waits, with the focus in it. */
  open_button = kbd_find (page, "open_browser_button");
  g_test_message ("%u Tab to Open Browser", kbd_tab_to (window, open_button));
  kbd_activate (WIN);
  g_assert_true (kbd_focus_in (WIN, page));

  /* Copy the link (for a browser on another screen): Tab, Enter. */
  copy_button = kbd_find (page, "copy_link_button");
  clear_clipboard ();
  g_test_message ("%u Tab to Copy Link", kbd_tab_to (window, copy_button));
  kbd_activate (WIN);
  link = kbd_read_clipboard (GTK_WIDGET (window));
  g_assert_true (g_str_has_prefix (link, arcpass_sandbox_get_url (kbd.sandbox)));

  sign_in_as_browser (link);
  g_assert_true (arcpass_test_wait_until (accounts_grew_cb, GUINT_TO_POINTER (before),
                                          TIMEOUT_MS));
  g_assert_true (kbd_wait_visible_page (content_stack (), "summary", 5000));
  g_assert_true (ARCPASS_IS_ACCOUNT_ROW (kbd_focus (WIN)));
}

int
main (int    argc,
      char **argv)
{
  int ret;

  /* As in test-oauth-page: no compositing under Xvfb, and no real browser. */
  g_setenv ("WEBKIT_DISABLE_COMPOSITING_MODE", "1", TRUE);
  g_setenv ("ARCPASS_TEST_BROWSER", "none", TRUE);

  kbd_init (&argc, &argv);

  g_test_add_func ("/keyboard-oauth/form-alternatives", test_form_alternatives);
  g_test_add_func ("/keyboard-oauth/sign-in", test_sign_in);
  g_test_add_func ("/keyboard-oauth/cancel-with-escape", test_cancel_with_escape);
  g_test_add_func ("/keyboard-oauth/browser-sign-in", test_browser_sign_in);

  ret = g_test_run ();

  kbd_shutdown ();
  return ret;
}
