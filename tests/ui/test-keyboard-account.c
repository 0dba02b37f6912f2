/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "arcpass-account-page.h"
#include "arcpass-account-row.h"
#include "arcpass-basemap-tester.h"
#include "arcpass-geocode-tester.h"
#include "arcpass-map-view.h"
#include "arcpass-request-inspector.h"
#include "arcpass-token-row.h"
#include "arcpass-test-ui-utils.h"
#include "test-keyboard-common.h"

/* The account view, its tabs and the testers, wide and narrow, with the
 * keyboard alone (see test-keyboard-common.h for what each step stands
 * for). Two accounts are saved through the core first, as earlier runs of
 * Arcpass would have left them: that is setup, not a keyboard step. */

static ArcpassWindow *window;

#define WIN GTK_WINDOW (window)

static ArcpassAccountPage *
get_page (void)
{
  return ARCPASS_ACCOUNT_PAGE (kbd_find_type (window, ARCPASS_TYPE_ACCOUNT_PAGE, NULL));
}

static ArcpassCredential *
shown_credential (void)
{
  ArcpassTokenManager *manager = arcpass_account_page_get_manager (get_page ());

  return manager ? arcpass_token_manager_get_credential (manager) : NULL;
}

static gboolean
shows_kind_cb (gpointer data)
{
  ArcpassCredential *credential = shown_credential ();

  return credential && arcpass_credential_get_kind (credential) == GPOINTER_TO_INT (data);
}

static gboolean
wait_shows_kind (ArcpassCredentialKind kind)
{
  return arcpass_test_wait_until (shows_kind_cb, GINT_TO_POINTER (kind), 5000);
}

static GtkWidget *
account_view (void)
{
  return arcpass_account_page_get_tab (get_page (), "account");
}

/* Tab to @button, Enter. */
static void
press_button (GtkWidget *button)
{
  g_test_message ("%u Tab to %s", kbd_tab_to (window, button),
                  gtk_buildable_get_buildable_id (GTK_BUILDABLE (button)));
  kbd_activate (WIN);
}

/* Tab to the row of the account of @kind in the sidebar, moving with the
 * arrow keys from the first row. */
static void
select_account (ArcpassCredentialKind kind)
{
  GtkWidget *list = kbd_find (window, "account_list");

  kbd_tab_to (window, list);
  for (guint i = 0; i < 4 && !shows_kind_cb (GINT_TO_POINTER (kind)); i++)
    g_assert_true (kbd_press (WIN, "Down"));
  for (guint i = 0; i < 4 && !shows_kind_cb (GINT_TO_POINTER (kind)); i++)
    g_assert_true (kbd_press (WIN, "Up"));
  g_assert_true (wait_shows_kind (kind));
}

/* Tab to the tab named @title in the view switcher, Enter. */
static void
switch_tab (const char *title,
            const char *name)
{
  GtkWidget *page = GTK_WIDGET (get_page ());
  GtkWidget *switcher = gtk_widget_get_visible (kbd_find_type (page, ADW_TYPE_VIEW_SWITCHER_BAR,
                                                               NULL))
                          ? kbd_find_type (page, ADW_TYPE_VIEW_SWITCHER_BAR, NULL)
                          : kbd_find (page, "account_tabs");
  GtkWidget *button = kbd_find_labelled (switcher, title);
  ArcpassCredential *shown = shown_credential ();

  g_test_message ("%u Tab to the %s tab", kbd_tab_to (window, button), title);
  kbd_activate (WIN);
  g_assert_cmpstr (arcpass_account_page_get_visible_tab (get_page ()), ==, name);
  /* Tabbing out of the sidebar did not show another account on the way. */
  g_assert_true (shown_credential () == shown);
}

/* Something else than what a step copies, to see that it did. */
static void
clear_clipboard (void)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (window)), "before");
}

static gboolean
token_changed_cb (gpointer data)
{
  ArcpassCredential *credential = shown_credential ();

  return credential && g_strcmp0 (arcpass_credential_get_access_token (credential), data) != 0;
}

/* ---- The sidebar and the account view -------------------------------------- */

static void
test_sidebar (void)
{
  window = kbd_open_window ();
  gtk_window_set_default_size (WIN, 1280, 800);
  arcpass_test_spin (200);
  g_assert_cmpuint (kbd_count_accounts (window), ==, 2);

  /* Up and Down in the sidebar move between accounts, which are shown. */
  select_account (ARCPASS_CREDENTIAL_API_KEY);
  select_account (ARCPASS_CREDENTIAL_APP_CREDENTIALS);
  select_account (ARCPASS_CREDENTIAL_API_KEY);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (kbd_find (window,
                                                                          "content_stack"))),
                   ==, "summary");
}

static void
test_token (void)
{
  GtkWidget *view, *access_row, *reveal_button, *copy_button, *refresh_button, *export_button;
  ArcpassCredential *credential;
  g_autofree char *text = NULL;
  g_autofree char *old_token = NULL;
  static const struct {
    const char *item;
    const char *prefix;
  } formats[] = {
    { "Token", NULL },
    { "Authorization Header", "Authorization: Bearer " },
    { "X-Esri-Authorization Header", "X-Esri-Authorization: Bearer " },
    { "curl Command", "curl " },
    { "Shell Variable (ARCGIS_TOKEN)", "export ARCGIS_TOKEN=" },
    { "JSON", "{" },
  };

  select_account (ARCPASS_CREDENTIAL_APP_CREDENTIALS);
  credential = shown_credential ();
  view = account_view ();
  access_row = kbd_find (view, "access_row");

  /* Reveal the token: Tab to the eye, Enter. */
  reveal_button = kbd_find (access_row, "reveal_button");
  g_assert_false (arcpass_token_row_get_revealed (ARCPASS_TOKEN_ROW (access_row)));
  press_button (reveal_button);
  g_assert_true (arcpass_token_row_get_revealed (ARCPASS_TOKEN_ROW (access_row)));
  kbd_activate (WIN);
  g_assert_false (arcpass_token_row_get_revealed (ARCPASS_TOKEN_ROW (access_row)));

  /* Copy it: Tab to the copy button, Enter. */
  clear_clipboard ();
  copy_button = kbd_find (access_row, "copy_button");
  press_button (copy_button);
  text = kbd_read_clipboard (GTK_WIDGET (window));
  g_assert_cmpstr (text, ==, arcpass_credential_get_access_token (credential));
  g_clear_pointer (&text, g_free);

  /* Refresh now: a new token. */
  old_token = g_strdup (arcpass_credential_get_access_token (credential));
  refresh_button = kbd_find (view, "refresh_button");
  press_button (refresh_button);
  g_assert_true (arcpass_test_wait_until (token_changed_cb, old_token, 10000));
  /* The focus stayed on the button while the refresh ran. */
  g_assert_true (kbd_focus (WIN) == refresh_button);

  /* Every export format, from the Export menu. */
  export_button = kbd_find (view, "export_button");
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      clear_clipboard ();
      kbd_choose_menu_item (WIN, export_button, formats[i].item);
      text = kbd_read_clipboard (GTK_WIDGET (window));
      g_test_message ("%s: %.40s…", formats[i].item, text);
      if (formats[i].prefix)
        g_assert_true (g_str_has_prefix (text, formats[i].prefix));
      else
        g_assert_cmpstr (text, ==, arcpass_credential_get_access_token (credential));
      g_assert_nonnull (strstr (text, arcpass_credential_get_access_token (credential)));
      g_clear_pointer (&text, g_free);
    }

  /* An app credential has no refresh token: the menu does not offer one
   * (the OAuth keyboard test exports it). Escape closes the menu, and the
   * focus is back on its button. */
  kbd_tab_to (window, export_button);
  kbd_activate (WIN);
  g_assert_null (arcpass_test_find_widget (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (export_button))),
                                           GTK_TYPE_WIDGET, "JSON With Refresh Token"));
  if (!kbd_focus_in (WIN, GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (export_button)))))
    g_assert_true (kbd_press (WIN, "Down"));
  g_assert_true (kbd_press (WIN, "Escape"));
  g_assert_true (kbd_wait_menu_closed (WIN, export_button));
}

/* ---- The tabs and the testers ----------------------------------------------- */

static gboolean
has_rows_cb (gpointer data)
{
  return gtk_list_box_get_row_at_index (data, 0) != NULL &&
         gtk_widget_get_mapped (GTK_WIDGET (gtk_list_box_get_row_at_index (data, 0)));
}

static gboolean
map_has_tiles_cb (gpointer data)
{
  return arcpass_map_view_get_loaded_count (data) > 0;
}

static void
test_basemap_tester (void)
{
  GtkWidget *tester, *styles_list, *static_list, *map_view, *detail_stack;
  GtkListBoxRow *row;
  int zoom;
  double lon;

  select_account (ARCPASS_CREDENTIAL_API_KEY);
  switch_tab ("Basemaps", "basemaps");
  tester = arcpass_account_page_get_tab (get_page (), "basemaps");

  /* A style: Tab into the list, Down to the second, Enter. */
  styles_list = kbd_find (tester, "styles_list");
  g_assert_true (arcpass_test_wait_until (has_rows_cb, styles_list, 15000));
  kbd_tab_to (window, styles_list);
  g_assert_true (kbd_press (WIN, "Down"));
  row = GTK_LIST_BOX_ROW (kbd_focus (WIN));
  g_assert_true (GTK_IS_LIST_BOX_ROW (row));
  kbd_activate (WIN);
  detail_stack = kbd_find (tester, "style_detail_stack");
  g_assert_true (kbd_wait_visible_page (GTK_STACK (detail_stack), "summary", 15000) ||
                 g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (detail_stack)),
                            "detail") == 0);
  g_test_message ("style detail: %s", gtk_stack_get_visible_child_name (GTK_STACK (detail_stack)));

  /* A static basemap: Tab to the tester's own "Static Tiles" tab, Enter;
   * then Tab to the list, Enter: its tiles load on the map. */
  kbd_tab_to (window, kbd_find_labelled (tester, "Static Tiles"));
  kbd_activate (WIN);
  static_list = kbd_find (tester, "static_list");
  g_assert_true (arcpass_test_wait_until (has_rows_cb, static_list, 15000));
  kbd_tab_to (window, static_list);
  kbd_activate (WIN);
  map_view = kbd_find_type (tester, ARCPASS_TYPE_MAP_VIEW, NULL);
  g_assert_true (arcpass_test_wait_until (map_has_tiles_cb, map_view, 15000));

  /* The map pans with the arrow keys and zooms with plus and minus. */
  kbd_tab_to (window, map_view);
  zoom = arcpass_map_view_get_zoom (ARCPASS_MAP_VIEW (map_view));
  g_assert_true (kbd_press (WIN, "plus"));
  g_assert_cmpint (arcpass_map_view_get_zoom (ARCPASS_MAP_VIEW (map_view)), ==, zoom + 1);
  g_assert_true (kbd_press (WIN, "minus"));
  g_assert_cmpint (arcpass_map_view_get_zoom (ARCPASS_MAP_VIEW (map_view)), ==, zoom);
  lon = arcpass_map_view_get_longitude (ARCPASS_MAP_VIEW (map_view));
  g_assert_true (kbd_press (WIN, "Right"));
  g_assert_cmpfloat (arcpass_map_view_get_longitude (ARCPASS_MAP_VIEW (map_view)), >, lon);
  g_assert_true (kbd_press (WIN, "Left"));
  arcpass_test_save_screenshot (GTK_WIDGET (window), "keyboard-basemaps");
}

static gboolean
revealed_cb (gpointer data)
{
  return gtk_revealer_get_reveal_child (data) && gtk_revealer_get_child_revealed (data);
}

static gboolean
results_cb (gpointer data)
{
  return has_rows_cb (data);
}

static void
test_geocode_tester (void)
{
  GtkWidget *tester, *entry, *revealer, *suggestions, *results, *first, *map_view;
  GtkWidget *reverse_revealer;
  GtkListBoxRow *selected;

  switch_tab ("Geocoding", "geocode");
  tester = arcpass_account_page_get_tab (get_page (), "geocode");

  /* Type a query; suggestions appear as you type. */
  entry = kbd_find (tester, "search_entry");
  kbd_tab_to (window, entry);
  kbd_type (WIN, "Red");
  revealer = kbd_find (tester, "suggestions_revealer");
  g_assert_true (arcpass_test_wait_until (revealed_cb, revealer, 10000));

  /* Down moves into them, Down again to the next, Enter chooses. */
  suggestions = kbd_find (tester, "suggestions_list");
  first = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (suggestions), 0));
  g_assert_true (kbd_press (WIN, "Down"));
  g_assert_true (kbd_focus (WIN) == first);
  if (gtk_list_box_get_row_at_index (GTK_LIST_BOX (suggestions), 1))
    {
      g_assert_true (kbd_press (WIN, "Down"));
      g_assert_true (kbd_focus (WIN) ==
                     GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (suggestions), 1)));
    }
  kbd_activate (WIN);

  /* The candidates: Tab to them, Down selects the next one. */
  results = kbd_find (tester, "results_list");
  g_assert_true (arcpass_test_wait_until (results_cb, results, 10000));
  kbd_tab_to (window, results);
  kbd_activate (WIN);
  selected = gtk_list_box_get_selected_row (GTK_LIST_BOX (results));
  g_assert_nonnull (selected);
  g_assert_true (GTK_WIDGET (selected) == kbd_focus (WIN));
  if (gtk_list_box_get_row_at_index (GTK_LIST_BOX (results), 1))
    {
      g_assert_true (kbd_press (WIN, "Down"));
      g_assert_true (gtk_list_box_get_selected_row (GTK_LIST_BOX (results)) ==
                     gtk_list_box_get_row_at_index (GTK_LIST_BOX (results), 1));
    }

  /* Reverse geocoding: Tab to the map, an arrow key pans it, Enter asks
   * for the address of the point at its centre. */
  map_view = kbd_find_type (tester, ARCPASS_TYPE_MAP_VIEW, NULL);
  reverse_revealer = kbd_find (tester, "reverse_revealer");
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (reverse_revealer)));
  kbd_tab_to (window, map_view);
  g_assert_true (kbd_press (WIN, "Left"));
  g_assert_true (kbd_press (WIN, "Return"));
  g_assert_true (arcpass_test_wait_until (revealed_cb, reverse_revealer, 10000));

  /* Enter in the entry searches the text as typed. */
  kbd_move_to (WIN, entry, GTK_DIR_TAB_BACKWARD);
  kbd_type (WIN, "Redlands");
  kbd_activate (WIN);
  g_assert_true (arcpass_test_wait_until (results_cb, results, 10000));
  arcpass_test_save_screenshot (GTK_WIDGET (window), "keyboard-geocode");
}

static void
test_request_inspector (void)
{
  GtkWidget *inspector, *list, *curl_button, *menu_button;
  GtkListBoxRow *first;
  g_autofree char *text = NULL;

  switch_tab ("Requests", "requests");
  inspector = arcpass_account_page_get_tab (get_page (), "requests");

  /* Select a request: Tab into the list, Down, Enter. */
  list = kbd_find (inspector, "list_box");
  g_assert_true (arcpass_test_wait_until (has_rows_cb, list, 5000));
  kbd_tab_to (window, list);
  first = GTK_LIST_BOX_ROW (kbd_focus (WIN));
  kbd_activate (WIN);
  g_assert_true (gtk_list_box_get_selected_row (GTK_LIST_BOX (list)) == first);
  if (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), gtk_list_box_row_get_index (first) + 1))
    {
      g_assert_true (kbd_press (WIN, "Down"));
      g_assert_true (gtk_list_box_get_selected_row (GTK_LIST_BOX (list)) != first);
    }

  /* Copy as curl: Tab to the button, Enter. */
  curl_button = kbd_find (inspector, "curl_button");
  clear_clipboard ();
  kbd_tab_to (window, curl_button);
  kbd_activate (WIN);
  text = kbd_read_clipboard (GTK_WIDGET (window));
  g_assert_true (g_str_has_prefix (text, "curl "));
  g_clear_pointer (&text, g_free);

  /* And with the token, from the split button's menu. */
  menu_button = kbd_find_type (curl_button, GTK_TYPE_MENU_BUTTON, NULL);
  clear_clipboard ();
  kbd_choose_menu_item (WIN, menu_button, "Copy as curl with Token");
  text = kbd_read_clipboard (GTK_WIDGET (window));
  g_assert_true (g_str_has_prefix (text, "curl "));
}

static gboolean
visible_cb (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static gboolean
focus_on_shown_row_cb (gpointer data)
{
  GtkWidget *focus = kbd_focus (WIN);

  return focus && ARCPASS_IS_ACCOUNT_ROW (focus) &&
         arcpass_account_row_get_manager (ARCPASS_ACCOUNT_ROW (focus)) ==
           arcpass_account_page_get_manager (get_page ());
}

static gboolean
leaflet_shows_sidebar_cb (gpointer data)
{
  return g_strcmp0 (adw_leaflet_get_visible_child_name (data), "sidebar") == 0;
}

/* ---- Narrow ---------------------------------------------------------------- */

static void
test_narrow (void)
{
  GtkWidget *leaflet = kbd_find (window, "leaflet");
  GtkWidget *list = kbd_find (window, "account_list");
  GtkWidget *back_button = kbd_find (window, "back_button");

  /* Narrowed from the Account tab: narrowing with the request inspector
   * shown, then showing the content, trips a GTK critical (a negative size
   * allocated inside libadwaita), which is a layout problem, not a keyboard
   * one. */
  switch_tab ("Account", "account");
  arcpass_test_resize (WIN, 360, 720);
  g_assert_true (adw_leaflet_get_folded (ADW_LEAFLET (leaflet)));

  /* Folded, the sidebar shows first: Tab to the accounts, Enter. */
  if (g_strcmp0 (adw_leaflet_get_visible_child_name (ADW_LEAFLET (leaflet)), "sidebar") == 0)
    {
      kbd_tab_to (window, list);
      kbd_activate (WIN);
    }
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (ADW_LEAFLET (leaflet)), ==, "content");

  /* The tabs are in the bottom bar: Tab reaches them there. */
  g_assert_true (arcpass_test_wait_until (visible_cb,
                                          kbd_find_type (get_page (), ADW_TYPE_VIEW_SWITCHER_BAR,
                                                         NULL),
                                          2000));
  switch_tab ("Account", "account");
  switch_tab ("Basemaps", "basemaps");

  /* Alt+Left goes back to the sidebar, with the focus in the accounts. */
  g_assert_true (kbd_press (WIN, "<Alt>Left"));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (ADW_LEAFLET (leaflet)), ==, "sidebar");
  g_assert_true (arcpass_test_wait_until (focus_on_shown_row_cb, NULL, 1000));

  /* Enter on an account shows it; the Back button goes back, too. */
  kbd_tab_to (window, list);
  kbd_activate (WIN);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (ADW_LEAFLET (leaflet)), ==, "content");
  /* The focus follows, into the account. */
  g_assert_true (kbd_focus_in (WIN, GTK_WIDGET (get_page ())));
  g_assert_true (gtk_widget_get_visible (back_button));
  press_button (back_button);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (ADW_LEAFLET (leaflet)), ==, "sidebar");
  g_assert_true (arcpass_test_wait_until (focus_on_shown_row_cb, NULL, 1000));

  /* Enter where the focus was put shows the account again; Escape goes
   * back as well. */
  kbd_activate (WIN);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (ADW_LEAFLET (leaflet)), ==, "content");
  g_assert_true (kbd_escape_until (WIN, leaflet_shows_sidebar_cb, leaflet));
  g_assert_true (arcpass_test_wait_until (focus_on_shown_row_cb, NULL, 1000));

  /* Ctrl+N, Escape: back where we were. */
  g_assert_true (kbd_press (WIN, "<Control>n"));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (ADW_LEAFLET (leaflet)), ==, "content");
  g_assert_true (kbd_escape_until (WIN, leaflet_shows_sidebar_cb, leaflet));
  arcpass_test_save_screenshot (GTK_WIDGET (window), "keyboard-narrow");

  arcpass_test_resize (WIN, 1280, 800);
  g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (leaflet)));
}

/* ---- Leaving ----------------------------------------------------------------- */

static void
test_sign_out_and_remove (void)
{
  GtkWidget *view, *sign_out_button, *remove_button, *overlay, *undo;
  GtkWindow *dialog;
  guint before = kbd_count_accounts (window);

  select_account (ARCPASS_CREDENTIAL_APP_CREDENTIALS);
  switch_tab ("Account", "account");
  view = account_view ();

  /* Sign out, then Undo from the toast: Tab reaches its button. */
  sign_out_button = kbd_find (view, "sign_out_button");
  press_button (sign_out_button);
  g_assert_true (kbd_wait_accounts (window, before - 1, 5000));
  overlay = kbd_find (window, "toast_overlay");
  undo = kbd_find_labelled (overlay, "Undo");
  g_test_message ("%u Tab to Undo", kbd_tab_to (window, undo));
  kbd_activate (WIN);
  g_assert_true (kbd_wait_accounts (window, before, 5000));

  /* Remove, confirmed in the dialog: its default is Cancel, so Tab to
   * Remove, Enter. */
  select_account (ARCPASS_CREDENTIAL_APP_CREDENTIALS);
  view = account_view ();
  remove_button = kbd_find (view, "remove_button");
  press_button (remove_button);
  dialog = kbd_wait_window (ADW_TYPE_MESSAGE_DIALOG, NULL, 5000);
  g_assert_nonnull (dialog);
  kbd_move_to (dialog, kbd_find_labelled (dialog, "Remove"), GTK_DIR_TAB_FORWARD);
  kbd_activate (dialog);
  g_assert_true (kbd_wait_accounts (window, before - 1, 5000));
  g_assert_true (wait_shows_kind (ARCPASS_CREDENTIAL_API_KEY));

  /* Escape on the dialog is Cancel. */
  view = account_view ();
  remove_button = kbd_find (view, "remove_button");
  press_button (remove_button);
  dialog = kbd_wait_window (ADW_TYPE_MESSAGE_DIALOG, NULL, 5000);
  g_assert_nonnull (dialog);
  g_assert_true (kbd_press (dialog, "Escape"));
  g_assert_null (kbd_wait_window (ADW_TYPE_MESSAGE_DIALOG, NULL, 300));
  g_assert_cmpuint (kbd_count_accounts (window), ==, before - 1);
  /* The focus is back where it was. */
  g_assert_true (kbd_focus_in (WIN, remove_button));
}

int
main (int    argc,
      char **argv)
{
  int ret;

  kbd_init (&argc, &argv);
  kbd_save_api_key_account ();
  kbd_save_app_credentials_account ();

  g_test_add_func ("/keyboard-account/sidebar", test_sidebar);
  g_test_add_func ("/keyboard-account/token", test_token);
  g_test_add_func ("/keyboard-account/basemap-tester", test_basemap_tester);
  g_test_add_func ("/keyboard-account/geocode-tester", test_geocode_tester);
  g_test_add_func ("/keyboard-account/request-inspector", test_request_inspector);
  g_test_add_func ("/keyboard-account/narrow", test_narrow);
  g_test_add_func ("/keyboard-account/sign-out-and-remove", test_sign_out_and_remove);

  ret = g_test_run ();

  kbd_shutdown ();
  return ret;
}
