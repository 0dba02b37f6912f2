/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "arcpass-basemap-tester.h"
#include "arcpass-core.h"
#include "arcpass-map-view.h"
#include "arcpass-resources.h"
#include "arcpass-sandbox.h"
#include "arcpass-test-ui-utils.h"

/* The basemap tester page against the in-process sandbox, with an account
 * made through the core from the sandbox's API keys. */

#define TIMEOUT_MS 20000

typedef struct {
  ArcpassSandbox       *sandbox;
  ArcpassClient        *client;
  ArcpassAccountStore  *store;
  ArcpassCredential    *credential;
  ArcpassTokenManager  *manager;
  GtkWindow            *window;
  ArcpassBasemapTester *tester;
} Fixture;

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
not_null_cb (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *key = data ? data : ARCPASS_SANDBOX_KEY_FULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ArcpassEndpoints) endpoints = NULL;

  fixture->sandbox = arcpass_sandbox_new ();
  g_assert_true (arcpass_sandbox_start (fixture->sandbox, 0, &error));
  g_assert_no_error (error);

  fixture->client = arcpass_client_new ();
  fixture->store = arcpass_account_store_new_memory_only ();
  arcpass_sign_in_with_api_key_async (fixture->client, arcpass_sandbox_get_url (fixture->sandbox),
                                      key, NULL, result_cb, &result);
  g_assert_true (arcpass_test_wait_until (not_null_cb, &result, TIMEOUT_MS));
  fixture->credential = arcpass_sign_in_finish (result, &error);
  g_assert_no_error (error);

  fixture->manager = arcpass_token_manager_new (fixture->client, fixture->credential, fixture->store);
  endpoints = arcpass_endpoints_new_for_sandbox (arcpass_sandbox_get_url (fixture->sandbox));
  arcpass_token_manager_set_endpoints (fixture->manager, endpoints);

  fixture->tester = g_object_ref_sink (arcpass_basemap_tester_new (fixture->manager));
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1280, 800);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->tester));
  gtk_window_present (fixture->window);
  arcpass_test_wait_for_draw (GTK_WIDGET (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  g_assert_finalize_object (fixture->tester);
  arcpass_test_spin (200);
  g_clear_object (&fixture->manager);
  g_clear_object (&fixture->credential);
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->client);
  arcpass_sandbox_stop (fixture->sandbox);
  g_clear_object (&fixture->sandbox);
}

static GtkWidget *
find (Fixture    *fixture,
      GType       type,
      const char *name)
{
  GtkWidget *widget = arcpass_test_find_widget (GTK_WIDGET (fixture->tester), type, name);

  g_assert_nonnull (widget);
  return widget;
}

static gboolean
stack_shows_cb (gpointer data)
{
  GtkWidget **args = data;

  return gtk_widget_get_mapped (args[0]) || gtk_widget_get_mapped (args[1]);
}

/* Waits until @wanted or @other is on screen; TRUE for @wanted. */
static gboolean
wait_for_either (GtkWidget *wanted,
                 GtkWidget *other)
{
  GtkWidget *args[2] = { wanted, other };

  g_assert_true (arcpass_test_wait_until (stack_shows_cb, args, TIMEOUT_MS));
  return gtk_widget_get_mapped (wanted);
}

static guint
count_rows (GtkWidget *list)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (list); child; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child))
      n++;
  return n;
}

static gboolean
map_loaded_cb (gpointer data)
{
  ArcpassMapView *map = data;

  return arcpass_map_view_get_visible_tile_count (map) > 0 &&
         arcpass_map_view_get_pending_count (map) == 0 &&
         arcpass_map_view_get_attribution (map) != NULL;
}

static void
activate_row (GtkWidget  *list,
              const char *name)
{
  GtkWidget *row = arcpass_test_find_widget (list, GTK_TYPE_LIST_BOX_ROW, name);

  g_assert_nonnull (row);
  g_signal_emit_by_name (list, "row-activated", row);
}

static void
test_full_key (Fixture       *fixture,
               gconstpointer  data)
{
  GtkWidget *styles_list = find (fixture, GTK_TYPE_LIST_BOX, "styles-list");
  GtkWidget *static_list = find (fixture, GTK_TYPE_LIST_BOX, "static-list");
  GtkWidget *summary = find (fixture, GTK_TYPE_BOX, "style-summary");
  ArcpassMapView *map = ARCPASS_MAP_VIEW (find (fixture, ARCPASS_TYPE_MAP_VIEW, NULL));
  AdwViewStack *stack = ADW_VIEW_STACK (find (fixture, ADW_TYPE_VIEW_STACK, NULL));
  GtkWidget *row;

  /* Basemap Styles v2: listed, grouped by family (a header per family). */
  g_assert_true (wait_for_either (styles_list, find (fixture, ADW_TYPE_STATUS_PAGE, "styles-error")));
  g_assert_cmpuint (count_rows (styles_list), >, 3);
  row = arcpass_test_find_widget (styles_list, GTK_TYPE_LIST_BOX_ROW, "arcgis/navigation");
  g_assert_nonnull (row);
  g_assert_nonnull (gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (gtk_widget_get_first_child (styles_list))));

  /* The style JSON, summarised. */
  activate_row (styles_list, "arcgis/navigation");
  g_assert_true (wait_for_either (summary, find (fixture, ADW_TYPE_STATUS_PAGE, "style-error")));
  g_assert_nonnull (arcpass_test_find_widget (summary, ADW_TYPE_PREFERENCES_GROUP, NULL));
  arcpass_test_spin (300);
  arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), "basemap-tester-styles");

  /* Static Basemap Tiles v1: listed, and a live map of the chosen style. */
  adw_view_stack_set_visible_child_name (stack, "static");
  g_assert_true (wait_for_either (static_list, find (fixture, ADW_TYPE_STATUS_PAGE, "static-error")));
  g_assert_cmpuint (count_rows (static_list), >, 0);
  g_signal_emit_by_name (static_list, "row-activated",
                         gtk_list_box_get_row_at_index (GTK_LIST_BOX (static_list), 0));
  g_assert_true (arcpass_test_wait_until (map_loaded_cb, map, TIMEOUT_MS));
  g_assert_cmpuint (arcpass_map_view_get_failed_count (map), ==, 0);
  g_assert_cmpuint (arcpass_map_view_get_loaded_count (map), ==,
                    arcpass_map_view_get_visible_tile_count (map));
  g_assert_cmpstr (arcpass_map_view_get_attribution (map), ==, "Arcpass sandbox");
  g_assert_cmpint (arcpass_map_view_get_zoom (map), ==, 11);
  arcpass_test_spin (300);
  arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), "basemap-tester-static");
}

static void
test_basemaps_only_key (Fixture       *fixture,
                        gconstpointer  data)
{
  GtkWidget *styles_list = find (fixture, GTK_TYPE_LIST_BOX, "styles-list");
  GtkWidget *static_list = find (fixture, GTK_TYPE_LIST_BOX, "static-list");
  AdwStatusPage *static_error = ADW_STATUS_PAGE (find (fixture, ADW_TYPE_STATUS_PAGE, "static-error"));
  AdwViewStack *stack = ADW_VIEW_STACK (find (fixture, ADW_TYPE_VIEW_STACK, NULL));

  /* The styles work with premium:user:basemaps. */
  g_assert_true (wait_for_either (styles_list, find (fixture, ADW_TYPE_STATUS_PAGE, "styles-error")));
  g_assert_cmpuint (count_rows (styles_list), >, 3);

  /* The static tiles are refused, and the page names the privilege. */
  adw_view_stack_set_visible_child_name (stack, "static");
  g_assert_false (wait_for_either (static_list, GTK_WIDGET (static_error)));
  g_assert_cmpstr (adw_status_page_get_title (static_error), ==, "Missing Privilege");
  g_assert_nonnull (strstr (adw_status_page_get_description (static_error),
                            "premium:user:staticbasemaptiles"));
  g_assert_nonnull (strstr (adw_status_page_get_description (static_error),
                            "developer credentials"));
  arcpass_test_spin (300);
  arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), "basemap-tester-missing-privilege");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  arcpass_register_resource ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add ("/basemap-tester/full-key", Fixture, NULL,
              fixture_set_up, test_full_key, fixture_tear_down);
  g_test_add ("/basemap-tester/basemaps-only-key", Fixture, ARCPASS_SANDBOX_KEY_BASEMAPS,
              fixture_set_up, test_basemaps_only_key, fixture_tear_down);

  return g_test_run ();
}
