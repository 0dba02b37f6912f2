/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-geocode-tester.h"
#include "arcpass-json-view.h"
#include "arcpass-resources.h"
#include "arcpass-test-ui-utils.h"
#include "test-geocode-common.h"

#define GEOCODE_PATH "/arcgis/rest/services/World/GeocodeServer"
#define REDLANDS_PREFIX "380 New York St, Redlands"

typedef struct {
  GeocodeFixture        base;
  ArcpassGeocodeTester *tester;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *key = data ? data : ARCPASS_SANDBOX_KEY_FULL;

  geocode_fixture_set_up (&fixture->base, key);
  fixture->tester = ARCPASS_GEOCODE_TESTER (arcpass_geocode_tester_new (fixture->base.manager));
  geocode_fixture_show (&fixture->base, GTK_WIDGET (fixture->tester));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  geocode_fixture_tear_down (&fixture->base);
}

static GtkEditable *
entry_of (Fixture *fixture)
{
  GtkWidget *entry = arcpass_test_find_widget (GTK_WIDGET (fixture->tester), GTK_TYPE_SEARCH_ENTRY, NULL);

  g_assert_nonnull (entry);
  return GTK_EDITABLE (entry);
}

static GtkListBox *
list_of (Fixture    *fixture,
         const char *id)
{
  GtkWidget *list = arcpass_test_find_widget (GTK_WIDGET (fixture->tester), GTK_TYPE_LIST_BOX, id);

  g_assert_nonnull (list);
  return GTK_LIST_BOX (list);
}

static guint
count_rows (GtkListBox *list)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list, (int) n) != NULL)
    n++;
  return n;
}

static gboolean
has_suggestions_cb (gpointer data)
{
  Fixture *fixture = data;
  GPtrArray *suggestions = arcpass_geocode_tester_get_suggestions (fixture->tester);

  return suggestions != NULL && suggestions->len > 0 &&
         count_rows (list_of (fixture, "suggestions_list")) == suggestions->len;
}

static gboolean
has_candidates_cb (gpointer data)
{
  Fixture *fixture = data;

  return arcpass_geocode_tester_get_candidates (fixture->tester) != NULL &&
         arcpass_geocode_tester_get_pending (fixture->tester) == 0;
}

static gboolean
has_error_cb (gpointer data)
{
  Fixture *fixture = data;

  return arcpass_geocode_tester_get_error (fixture->tester) != NULL &&
         arcpass_geocode_tester_get_pending (fixture->tester) == 0;
}

static gboolean
idle_cb (gpointer data)
{
  Fixture *fixture = data;

  return arcpass_geocode_tester_get_pending (fixture->tester) == 0;
}

static gboolean
tiles_loaded_cb (gpointer data)
{
  Fixture *fixture = data;
  ArcpassMapView *map = arcpass_geocode_tester_get_map_view (fixture->tester);

  return arcpass_map_view_get_pending_count (map) == 0 &&
         arcpass_map_view_get_visible_tile_count (map) > 0;
}

static void
save_screenshot (Fixture    *fixture,
                 const char *name)
{
  g_autofree char *path = NULL;

  /* Tiles come from the sandbox: wait for them so the picture shows a map. */
  arcpass_test_wait_until (tiles_loaded_cb, fixture, 10000);
  arcpass_test_spin (200);
  path = arcpass_test_save_screenshot (GTK_WIDGET (fixture->base.window), name);
  g_assert_nonnull (path);
}

static guint
count_log_paths (Fixture    *fixture,
                 const char *suffix)
{
  GListModel *log = G_LIST_MODEL (arcpass_client_get_request_log (fixture->base.client));
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (log); i++)
    {
      g_autoptr(ArcpassRequestRecord) record = g_list_model_get_item (log, i);
      g_autoptr(GUri) uri = g_uri_parse (arcpass_request_record_get_url (record), G_URI_FLAGS_ENCODED, NULL);

      if (g_str_has_suffix (g_uri_get_path (uri), suffix))
        n++;
    }
  return n;
}

static void
test_suggest_select (Fixture       *fixture,
                     gconstpointer  data)
{
  GtkListBox *suggestions_list;
  GtkListBoxRow *row = NULL;
  GPtrArray *suggestions;
  GPtrArray *candidates;
  ArcpassGeocodeCandidate *candidate;
  ArcpassMapView *map = arcpass_geocode_tester_get_map_view (fixture->tester);
  ArcpassJsonView *json;
  g_autofree char *display = NULL;
  double lon, lat;

  gtk_editable_set_text (entry_of (fixture), "380 New York");
  g_assert_true (arcpass_test_wait_until (has_suggestions_cb, fixture, 10000));
  save_screenshot (fixture, "geocode-tester-suggestions");

  suggestions = arcpass_geocode_tester_get_suggestions (fixture->tester);
  suggestions_list = list_of (fixture, "suggestions_list");
  for (guint i = 0; i < suggestions->len; i++)
    {
      ArcpassSuggestion *suggestion = g_ptr_array_index (suggestions, i);

      g_assert_nonnull (suggestion->magic_key);
      if (g_str_has_prefix (suggestion->text, "380 New York St"))
        row = gtk_list_box_get_row_at_index (suggestions_list, (int) i);
    }
  g_assert_nonnull (row);

  /* Choosing a suggestion: findAddressCandidates with its magicKey. */
  g_signal_emit_by_name (row, "activate");
  g_assert_true (arcpass_test_wait_until (has_candidates_cb, fixture, 10000));

  candidates = arcpass_geocode_tester_get_candidates (fixture->tester);
  g_assert_cmpuint (candidates->len, >=, 1);
  candidate = g_ptr_array_index (candidates, 0);
  g_assert_true (g_str_has_prefix (candidate->address, REDLANDS_PREFIX));
  g_assert_cmpfloat_with_epsilon (candidate->x, -117.195, 0.01);
  g_assert_cmpfloat_with_epsilon (candidate->y, 34.057, 0.01);
  g_assert_cmpuint (count_rows (list_of (fixture, "results_list")), ==, candidates->len);

  /* The request really carried the magic key. */
  {
    GListModel *log = G_LIST_MODEL (arcpass_client_get_request_log (fixture->base.client));
    g_autoptr(ArcpassRequestRecord) last = g_list_model_get_item (log, g_list_model_get_n_items (log) - 1);

    g_assert_nonnull (strstr (arcpass_request_record_get_url (last), "findAddressCandidates"));
    g_assert_nonnull (strstr (arcpass_request_record_get_url (last), "magicKey="));
  }

  /* Marked on the map, which is centred on it. */
  g_assert_cmpint (arcpass_geocode_tester_get_selected_index (fixture->tester), ==, 0);
  g_assert_true (arcpass_geocode_tester_get_marker (fixture->tester, &lon, &lat));
  g_assert_cmpfloat_with_epsilon (lon, candidate->x, 1e-9);
  g_assert_cmpfloat_with_epsilon (lat, candidate->y, 1e-9);
  g_assert_cmpfloat_with_epsilon (arcpass_map_view_get_longitude (map), candidate->x, 1e-6);
  g_assert_cmpfloat_with_epsilon (arcpass_map_view_get_latitude (map), candidate->y, 1e-6);
  g_assert_cmpint (arcpass_map_view_get_zoom (map), >=, 14);

  /* The suggestions went away; the entry holds the chosen text. */
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (arcpass_test_find_widget (GTK_WIDGET (fixture->tester), GTK_TYPE_REVEALER, "suggestions_revealer"))));
  g_assert_true (g_str_has_prefix (gtk_editable_get_text (entry_of (fixture)), "380 New York St"));
  save_screenshot (fixture, "geocode-tester-result");

  /* The raw JSON of the last answer, pretty-printed. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->tester), "geocode.show-json", NULL));
  json = ARCPASS_JSON_VIEW (arcpass_test_find_widget (GTK_WIDGET (fixture->tester), ARCPASS_TYPE_JSON_VIEW, NULL));
  g_assert_nonnull (json);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (json)));
  display = arcpass_json_view_dup_display (json);
  g_assert_nonnull (strstr (display, "\"candidates\""));
  g_assert_nonnull (strstr (display, REDLANDS_PREFIX));
  g_assert_nonnull (strstr (display, "\n  "));
  g_assert_cmpstr (arcpass_json_view_get_text (json), ==, arcpass_geocode_tester_get_raw_json (fixture->tester));
  assert_no_secret_in_tree (GTK_WIDGET (fixture->base.window), ARCPASS_SANDBOX_KEY_FULL);
  arcpass_test_spin (200);
  g_assert_nonnull (arcpass_test_save_screenshot (GTK_WIDGET (fixture->base.window), "geocode-tester-json"));
}

static void
test_enter_single_line (Fixture       *fixture,
                        gconstpointer  data)
{
  GPtrArray *candidates;

  /* Enter right away: a SingleLine search, and no suggest behind it. */
  gtk_editable_set_text (entry_of (fixture), "Redlands");
  g_signal_emit_by_name (entry_of (fixture), "activate");
  g_assert_true (arcpass_test_wait_until (has_candidates_cb, fixture, 10000));
  arcpass_test_spin (400);

  candidates = arcpass_geocode_tester_get_candidates (fixture->tester);
  g_assert_cmpuint (candidates->len, >=, 1);
  g_assert_nonnull (strstr (((ArcpassGeocodeCandidate *) g_ptr_array_index (candidates, 0))->address, "Redlands"));
  g_assert_cmpuint (count_log_paths (fixture, "/findAddressCandidates"), ==, 1);
  g_assert_cmpuint (count_log_paths (fixture, "/suggest"), ==, 0);
  g_assert_true (arcpass_geocode_tester_get_marker (fixture->tester, NULL, NULL));
}

static gboolean
suggestions_of_cb (gpointer data)
{
  Fixture *fixture = data;
  GPtrArray *suggestions = arcpass_geocode_tester_get_suggestions (fixture->tester);

  return has_suggestions_cb (fixture) &&
         strstr (((ArcpassSuggestion *) g_ptr_array_index (suggestions, 0))->text, "Redlands") != NULL;
}

static gboolean
suggest_sent_cb (gpointer data)
{
  Fixture *fixture = data;

  return arcpass_geocode_tester_get_pending (fixture->tester) > 0;
}

static void
test_typing_fast (Fixture       *fixture,
                  gconstpointer  data)
{
  GPtrArray *suggestions;
  GtkListBox *list;

  /* The answer to the first text is held back by the sandbox. */
  arcpass_sandbox_add_fault (fixture->base.sandbox, GEOCODE_PATH "/suggest", "delay:1500", 1);
  gtk_editable_set_text (entry_of (fixture), "Paris");
  g_assert_true (arcpass_test_wait_until (suggest_sent_cb, fixture, 5000));

  /* A quick burst of typing: one more request, for the last text only. */
  gtk_editable_set_text (entry_of (fixture), "Redl");
  gtk_editable_set_text (entry_of (fixture), "Redla");
  gtk_editable_set_text (entry_of (fixture), "Redlands");
  g_assert_true (arcpass_test_wait_until (suggestions_of_cb, fixture, 10000));

  /* Well past the delayed answer: the list still shows the newest one. */
  arcpass_test_spin (2000);
  g_assert_true (suggestions_of_cb (fixture));
  suggestions = arcpass_geocode_tester_get_suggestions (fixture->tester);
  list = list_of (fixture, "suggestions_list");
  for (guint i = 0; i < suggestions->len; i++)
    {
      ArcpassSuggestion *suggestion = g_ptr_array_index (suggestions, i);
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, (int) i);

      g_assert_null (strstr (suggestion->text, "Paris"));
      g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, suggestion->text);
    }
  /* "Paris" and "Redlands": the intermediate texts were never asked. */
  g_assert_cmpuint (count_log_paths (fixture, "/suggest"), <=, 2);
  g_assert_cmpuint (count_log_paths (fixture, "/suggest"), >=, 1);
}

static gboolean
has_reverse_cb (gpointer data)
{
  Fixture *fixture = data;

  return arcpass_geocode_tester_get_reverse_result (fixture->tester) != NULL &&
         arcpass_geocode_tester_get_pending (fixture->tester) == 0;
}

static void
test_reverse_click (Fixture       *fixture,
                    gconstpointer  data)
{
  ArcpassMapView *map = arcpass_geocode_tester_get_map_view (fixture->tester);
  const ArcpassReverseGeocodeResult *reverse;
  AdwActionRow *row;
  double lon, lat;

  arcpass_map_view_set_zoom (map, 16);
  arcpass_map_view_set_center (map, -117.1957, 34.0564);
  g_signal_emit_by_name (map, "clicked", -117.19568, 34.05649);
  g_assert_true (arcpass_test_wait_until (has_reverse_cb, fixture, 10000));

  reverse = arcpass_geocode_tester_get_reverse_result (fixture->tester);
  g_assert_nonnull (strstr (reverse->match_addr, "380 New York St"));
  g_assert_true (arcpass_geocode_tester_get_marker (fixture->tester, &lon, &lat));
  g_assert_cmpfloat_with_epsilon (lon, -117.19568, 1e-9);
  g_assert_cmpfloat_with_epsilon (lat, 34.05649, 1e-9);

  row = ADW_ACTION_ROW (arcpass_test_find_widget (GTK_WIDGET (fixture->tester), ADW_TYPE_ACTION_ROW, "reverse_row"));
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (row)));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "380 New York St"));
  g_assert_cmpuint (count_log_paths (fixture, "/reverseGeocode"), ==, 1);
  save_screenshot (fixture, "geocode-tester-reverse");

  /* In the middle of the ocean there is nothing: said so, not an error. */
  g_signal_emit_by_name (map, "clicked", -140.0, -40.0);
  g_assert_true (arcpass_test_wait_until (idle_cb, fixture, 10000));
  g_assert_null (arcpass_geocode_tester_get_reverse_result (fixture->tester));
  g_assert_null (arcpass_geocode_tester_get_error (fixture->tester));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "No address near this point");
}

static AdwStatusPage *
error_page_of (Fixture *fixture)
{
  GtkStack *stack = GTK_STACK (arcpass_test_find_widget (GTK_WIDGET (fixture->tester), GTK_TYPE_STACK, "results_stack"));

  g_assert_nonnull (stack);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "error");
  return ADW_STATUS_PAGE (gtk_stack_get_visible_child (stack));
}

static gboolean
one_suggest_answered_cb (gpointer data)
{
  Fixture *fixture = data;

  return count_log_paths (fixture, "/suggest") == 1 && idle_cb (fixture);
}

static void
test_missing_privilege (Fixture       *fixture,
                        gconstpointer  data)
{
  AdwStatusPage *page;

  gtk_editable_set_text (entry_of (fixture), "Redlands");
  g_signal_emit_by_name (entry_of (fixture), "activate");
  g_assert_true (arcpass_test_wait_until (has_error_cb, fixture, 10000));

  g_assert_error ((GError *) arcpass_geocode_tester_get_error (fixture->tester),
                  ARCPASS_ERROR, ARCPASS_ERROR_MISSING_PRIVILEGE);
  page = error_page_of (fixture);
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "Geocoding Not Allowed");
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "premium:user:geocode:temporary"));
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "developer credentials"));
  assert_no_secret_in_tree (GTK_WIDGET (fixture->base.window), ARCPASS_SANDBOX_KEY_BASEMAPS);
  g_assert_nonnull (arcpass_test_save_screenshot (GTK_WIDGET (fixture->base.window), "geocode-tester-missing-privilege"));

  /* Typing gets the same explanation from suggest. */
  gtk_editable_set_text (entry_of (fixture), "Paris");
  g_assert_true (arcpass_test_wait_until (one_suggest_answered_cb, fixture, 10000));
  g_assert_error ((GError *) arcpass_geocode_tester_get_error (fixture->tester),
                  ARCPASS_ERROR, ARCPASS_ERROR_MISSING_PRIVILEGE);
  g_assert_cmpuint (count_log_paths (fixture, "/suggest"), ==, 1);
}

static void
test_unreachable (Fixture       *fixture,
                  gconstpointer  data)
{
  AdwStatusPage *page;

  arcpass_sandbox_add_fault (fixture->base.sandbox, GEOCODE_PATH "/findAddressCandidates", "close", 1);
  gtk_editable_set_text (entry_of (fixture), "Redlands");
  g_signal_emit_by_name (entry_of (fixture), "activate");
  g_assert_true (arcpass_test_wait_until (has_error_cb, fixture, 10000));

  g_assert_error ((GError *) arcpass_geocode_tester_get_error (fixture->tester),
                  ARCPASS_ERROR, ARCPASS_ERROR_NETWORK);
  page = error_page_of (fixture);
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "Geocoding Service Unreachable");
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "127.0.0.4"));
  g_assert_nonnull (arcpass_test_save_screenshot (GTK_WIDGET (fixture->base.window), "geocode-tester-unreachable"));

  /* The fault is gone: Try Again works. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->tester), "geocode.retry", NULL));
  g_assert_true (arcpass_test_wait_until (has_candidates_cb, fixture, 10000));
  g_assert_null (arcpass_geocode_tester_get_error (fixture->tester));
  g_assert_cmpuint (arcpass_geocode_tester_get_candidates (fixture->tester)->len, >=, 1);
}

static void
test_server_error (Fixture       *fixture,
                   gconstpointer  data)
{
  AdwStatusPage *page;

  arcpass_sandbox_add_fault (fixture->base.sandbox, GEOCODE_PATH "/findAddressCandidates", "status:503", 1);
  gtk_editable_set_text (entry_of (fixture), "Redlands");
  g_signal_emit_by_name (entry_of (fixture), "activate");
  g_assert_true (arcpass_test_wait_until (has_error_cb, fixture, 10000));

  g_assert_error ((GError *) arcpass_geocode_tester_get_error (fixture->tester),
                  ARCPASS_ERROR, ARCPASS_ERROR_SERVICE_UNAVAILABLE);
  page = error_page_of (fixture);
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "Geocoding Service Unavailable");
}

static void
set_true_cb (gboolean *flag)
{
  *flag = TRUE;
}

static void
test_invalid_token (Fixture       *fixture,
                    gconstpointer  data)
{
  AdwStatusPage *page;
  GtkWidget *sign_in;
  gboolean requested = FALSE;

  /* The key is revoked between two calls: 498 every time, from the
   * geocoder and from the portal that Arcpass then asks (a 498 from the
   * geocoder alone would not prove the key dead: test-token-policy). */
  arcpass_sandbox_add_fault (fixture->base.sandbox, GEOCODE_PATH "/findAddressCandidates", "status:498", 3);
  arcpass_sandbox_add_fault (fixture->base.sandbox, "/sharing/rest/portals/self", "status:498", 1);
  gtk_editable_set_text (entry_of (fixture), "Redlands");
  g_signal_emit_by_name (entry_of (fixture), "activate");
  g_assert_true (arcpass_test_wait_until (has_error_cb, fixture, 10000));

  g_test_message ("error: %s", arcpass_geocode_tester_get_error (fixture->tester)->message);
  page = error_page_of (fixture);
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "API Key Invalid or Expired");
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "developer credentials"));
  sign_in = arcpass_test_find_widget (GTK_WIDGET (page), GTK_TYPE_BUTTON, "sign_in_button");
  g_assert_true (gtk_widget_get_visible (sign_in));
  g_assert_false (gtk_widget_get_visible (arcpass_test_find_widget (GTK_WIDGET (page), GTK_TYPE_BUTTON, "refresh_button")));
  g_assert_nonnull (arcpass_test_save_screenshot (GTK_WIDGET (fixture->base.window), "geocode-tester-invalid-token"));

  g_signal_connect_swapped (fixture->tester, "sign-in-requested", G_CALLBACK (set_true_cb), &requested);
  g_signal_emit_by_name (sign_in, "clicked");
  g_assert_true (requested);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* The application registers the resources; these tests have no application. */
  arcpass_register_resource ();
  /* Screenshots are taken right after the page changes. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

#define ADD(path, func, key) \
  g_test_add (path, Fixture, key, fixture_set_up, func, fixture_tear_down)

  ADD ("/geocode/suggest-select", test_suggest_select, NULL);
  ADD ("/geocode/enter-single-line", test_enter_single_line, NULL);
  ADD ("/geocode/typing-fast", test_typing_fast, NULL);
  ADD ("/geocode/reverse-click", test_reverse_click, NULL);
  ADD ("/geocode/missing-privilege", test_missing_privilege, ARCPASS_SANDBOX_KEY_BASEMAPS);
  ADD ("/geocode/unreachable", test_unreachable, NULL);
  ADD ("/geocode/server-error", test_server_error, NULL);
  ADD ("/geocode/invalid-token", test_invalid_token, NULL);

#undef ADD

  return g_test_run ();
}
