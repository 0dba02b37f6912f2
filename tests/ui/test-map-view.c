/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <adwaita.h>

#include "arcpass-core.h"
#include "arcpass-map-view.h"
#include "arcpass-resources.h"
#include "arcpass-sandbox.h"
#include "arcpass-test-ui-utils.h"

/* ArcpassMapView against the in-process sandbox's Static Basemap Tiles:
 * which tiles it asks for (checked with tile math written again here, not
 * the widget's), what it draws, panning, zooming, cancelling off-screen
 * fetches and per-tile failures. */

#define TIMEOUT_MS 20000
#define TILE_PATH "/arcgis/rest/services/static-basemap-tiles-service/v1/arcgis/navigation/static/tile/"

typedef struct {
  ArcpassSandbox      *sandbox;
  ArcpassClient       *client;
  ArcpassAccountStore *store;
  ArcpassCredential   *credential;
  ArcpassTokenManager *manager;
  GtkWindow           *window;
  ArcpassMapView      *map;
  char                *template;
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
  fixture->template = g_strconcat (endpoints->static_tiles_url,
                                   "/arcgis/navigation/static/tile/{z}/{y}/{x}", NULL);

  fixture->map = g_object_ref_sink (arcpass_map_view_new ());
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1280, 800);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->map));
  gtk_window_present (fixture->window);
  arcpass_test_wait_for_draw (GTK_WIDGET (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  g_assert_finalize_object (fixture->map);
  /* Cancelled fetches finish on the next iterations of the main loop. */
  arcpass_test_spin (200);
  g_clear_object (&fixture->manager);
  g_clear_object (&fixture->credential);
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->client);
  arcpass_sandbox_stop (fixture->sandbox);
  g_clear_object (&fixture->sandbox);
  g_free (fixture->template);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The tiles a W×H view centred on (lon, lat) at @zoom must show. */
static GStrv
expected_keys (double lon,
               double lat,
               int    zoom,
               int    width,
               int    height)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  double n = pow (2, zoom);
  double world = 512 * n;
  double rad = lat * G_PI / 180;
  double cx = (lon + 180) / 360 * world;
  double cy = (1 - asinh (tan (rad)) / G_PI) / 2 * world;
  int x0 = (int) floor ((cx - width / 2.0) / 512);
  int x1 = (int) floor ((cx + width / 2.0 - 1) / 512);
  int y0 = MAX (0, (int) floor ((cy - height / 2.0) / 512));
  int y1 = MIN ((int) n - 1, (int) floor ((cy + height / 2.0 - 1) / 512));

  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++)
      {
        int wx = ((x % (int) n) + (int) n) % (int) n;
        char *key = g_strdup_printf ("%d/%d/%d", zoom, y, wx);

        if (g_ptr_array_find_with_equal_func (keys, key, g_str_equal, NULL))
          g_free (key);
        else
          g_ptr_array_add (keys, key);
      }
  g_ptr_array_sort (keys, compare_keys);
  for (guint i = 0; i < keys->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (keys, i));
  return g_strv_builder_end (builder);
}

static void
assert_keys (Fixture *fixture,
             double   lon,
             double   lat,
             int      zoom)
{
  g_auto(GStrv) expected = expected_keys (lon, lat, zoom,
                                          gtk_widget_get_width (GTK_WIDGET (fixture->map)),
                                          gtk_widget_get_height (GTK_WIDGET (fixture->map)));
  g_auto(GStrv) keys = arcpass_map_view_get_visible_tile_keys (fixture->map);
  g_autofree char *expected_text = g_strjoinv (" ", expected);
  g_autofree char *keys_text = g_strjoinv (" ", keys);

  g_assert_cmpstr (keys_text, ==, expected_text);
  g_assert_cmpuint (arcpass_map_view_get_visible_tile_count (fixture->map), ==, g_strv_length (expected));
}

static gboolean
all_loaded_cb (gpointer data)
{
  ArcpassMapView *map = data;

  return arcpass_map_view_get_pending_count (map) == 0 &&
         arcpass_map_view_get_visible_tile_count (map) > 0;
}

static void
wait_loaded (Fixture *fixture)
{
  g_assert_true (arcpass_test_wait_until (all_loaded_cb, fixture->map, TIMEOUT_MS));
}

/* Counts screenshot pixels left in the widget's background or "loading"
 * colours: a seamless map has none (the sandbox palettes do not use them). */
static guint
count_gap_pixels (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (path, &error);
  g_autofree guchar *pixels = NULL;
  int width, height;
  gsize stride;
  guint gaps = 0;

  g_assert_no_error (error);
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
  gdk_texture_download (texture, pixels, stride);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        /* GDK_MEMORY_DEFAULT is B8G8R8A8 premultiplied. */
        guchar *p = pixels + y * stride + x * 4;
        guchar b = p[0], g = p[1], r = p[2];

        if ((r == 222 && g == 227 && b == 232) || (r == 235 && g == 237 && b == 240))
          gaps++;
      }
  return gaps;
}

static void
test_tiles_for_place (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = NULL;
  guint gaps;

  arcpass_map_view_set_center (fixture->map, 0, 0);
  arcpass_map_view_set_zoom (fixture->map, 2);
  arcpass_map_view_set_source (fixture->map, fixture->manager, fixture->template);
  arcpass_map_view_set_attribution (fixture->map, "Arcpass sandbox");

  assert_keys (fixture, 0, 0, 2);
  g_assert_cmpuint (arcpass_map_view_get_pending_count (fixture->map), >, 0);
  wait_loaded (fixture);
  g_assert_cmpuint (arcpass_map_view_get_loaded_count (fixture->map), ==,
                    arcpass_map_view_get_visible_tile_count (fixture->map));
  g_assert_cmpuint (arcpass_map_view_get_failed_count (fixture->map), ==, 0);
  g_assert_cmpuint (arcpass_map_view_get_cache_size (fixture->map), >=,
                    arcpass_map_view_get_visible_tile_count (fixture->map));

  path = arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), "map-view-world");
  gaps = count_gap_pixels (path);
  /* Only the band north and south of the Mercator world may show the
   * background: at zoom 2 the world is 2048 px high, taller than the view. */
  g_assert_cmpuint (gaps, ==, 0);
  g_clear_pointer (&path, g_free);

  /* A city at street level. */
  arcpass_map_view_set_zoom (fixture->map, 12);
  arcpass_map_view_set_center (fixture->map, 2.3522, 48.8566);
  arcpass_map_view_set_marker (fixture->map, 2.3522, 48.8566, "Paris");
  assert_keys (fixture, 2.3522, 48.8566, 12);
  wait_loaded (fixture);
  g_assert_cmpuint (arcpass_map_view_get_failed_count (fixture->map), ==, 0);
  path = arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), "map-view-paris");
  g_assert_cmpuint (count_gap_pixels (path), ==, 0);
}

static void
test_pan_and_zoom (Fixture       *fixture,
                   gconstpointer  data)
{
  guint before;

  arcpass_map_view_set_center (fixture->map, -73.9857, 40.7484);
  arcpass_map_view_set_zoom (fixture->map, 10);
  arcpass_map_view_set_source (fixture->map, fixture->manager, fixture->template);
  wait_loaded (fixture);
  before = arcpass_map_view_get_cache_size (fixture->map);

  /* 512 px east at zoom 10 is 360/2^10 degrees. */
  arcpass_map_view_pan_by (fixture->map, 512, 0);
  g_assert_cmpfloat_with_epsilon (arcpass_map_view_get_longitude (fixture->map),
                                  -73.9857 + 360.0 / 1024, 1e-9);
  g_assert_cmpfloat_with_epsilon (arcpass_map_view_get_latitude (fixture->map), 40.7484, 1e-9);
  assert_keys (fixture, -73.9857 + 360.0 / 1024, 40.7484, 10);
  wait_loaded (fixture);
  g_assert_cmpuint (arcpass_map_view_get_cache_size (fixture->map), >, before);

  /* Keyboard actions: the arrows pan by 128 px. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->map), "map.pan", "(dd)", -512.0, 0.0);
  g_assert_cmpfloat_with_epsilon (arcpass_map_view_get_longitude (fixture->map), -73.9857, 1e-9);

  /* Zoom buttons keep the centre. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->map), "map.zoom-in", NULL));
  g_assert_cmpint (arcpass_map_view_get_zoom (fixture->map), ==, 11);
  g_assert_cmpfloat_with_epsilon (arcpass_map_view_get_longitude (fixture->map), -73.9857, 1e-9);
  assert_keys (fixture, -73.9857, 40.7484, 11);
  wait_loaded (fixture);
  arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), "map-view-new-york");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->map), "map.zoom-out", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->map), "map.zoom-out", NULL));
  g_assert_cmpint (arcpass_map_view_get_zoom (fixture->map), ==, 9);
  assert_keys (fixture, -73.9857, 40.7484, 9);

  /* The zoom stops at the service's levels. */
  arcpass_map_view_set_zoom (fixture->map, 40);
  g_assert_cmpint (arcpass_map_view_get_zoom (fixture->map), ==, ARCPASS_MAP_VIEW_MAX_ZOOM);
  arcpass_map_view_set_zoom (fixture->map, -3);
  g_assert_cmpint (arcpass_map_view_get_zoom (fixture->map), ==, 0);
  /* The whole world, once. */
  assert_keys (fixture, arcpass_map_view_get_longitude (fixture->map), 0, 0);
  g_assert_cmpuint (arcpass_map_view_get_visible_tile_count (fixture->map), ==, 1);
}

static void
test_cancel_off_screen (Fixture       *fixture,
                        gconstpointer  data)
{
  guint in_flight;
  g_auto(GStrv) first_keys = NULL;
  g_auto(GStrv) new_keys = NULL;

  /* Tile requests for Berlin's rows at zoom 8 (83 to 85) hang for 4 s in
   * the sandbox. The prefix leaves Sydney's rows (152 to 154) alone: the
   * core's session may hold requests back before they reach the sandbox, so
   * a count of faults would not say which tiles they hit. */
  arcpass_sandbox_add_fault (fixture->sandbox, TILE_PATH "8/8", "delay:4000", 50);
  arcpass_map_view_set_center (fixture->map, 13.405, 52.52);
  arcpass_map_view_set_zoom (fixture->map, 8);
  arcpass_map_view_set_source (fixture->map, fixture->manager, fixture->template);
  first_keys = arcpass_map_view_get_visible_tile_keys (fixture->map);
  arcpass_test_spin (500);
  in_flight = arcpass_map_view_get_pending_count (fixture->map);
  g_assert_cmpuint (in_flight, ==, g_strv_length (first_keys));
  g_assert_cmpuint (arcpass_map_view_get_loaded_count (fixture->map), ==, 0);
  g_assert_cmpuint (arcpass_map_view_get_cancelled_count (fixture->map), ==, 0);

  /* Far away: none of those tiles is on screen any more. */
  arcpass_map_view_set_center (fixture->map, 151.2093, -33.8688);
  new_keys = arcpass_map_view_get_visible_tile_keys (fixture->map);
  for (guint i = 0; first_keys[i]; i++)
    g_assert_false (g_strv_contains ((const char * const *) new_keys, first_keys[i]));
  /* Six were being fetched, the others were waiting for a slot. */
  g_assert_cmpuint (arcpass_map_view_get_cancelled_count (fixture->map), ==, 6);

  /* The new place loads at once, without waiting for the hung requests. */
  g_assert_true (arcpass_test_wait_until (all_loaded_cb, fixture->map, 5000));
  g_assert_cmpuint (arcpass_map_view_get_failed_count (fixture->map), ==, 0);
  assert_keys (fixture, 151.2093, -33.8688, 8);
}

static void
test_tile_failure (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(GStrv) keys = NULL;
  guint n_failed = 0;

  /* Row 1 of zoom 2: the first two requests fail with HTTP 500. */
  arcpass_sandbox_add_fault (fixture->sandbox, TILE_PATH "2/1/", "status:500", 2);
  arcpass_map_view_set_center (fixture->map, 0, 0);
  arcpass_map_view_set_zoom (fixture->map, 2);
  arcpass_map_view_set_source (fixture->map, fixture->manager, fixture->template);
  wait_loaded (fixture);

  g_assert_cmpuint (arcpass_map_view_get_failed_count (fixture->map), ==, 2);
  g_assert_cmpuint (arcpass_map_view_get_loaded_count (fixture->map), ==,
                    arcpass_map_view_get_visible_tile_count (fixture->map) - 2);
  /* Two tiles of row 1 show the failure; which two depends on the order in
   * which concurrent requests reach the sandbox. */
  keys = arcpass_map_view_get_visible_tile_keys (fixture->map);
  for (guint i = 0; keys[i]; i++)
    {
      const char *error = arcpass_map_view_get_tile_error (fixture->map, keys[i]);

      if (error == NULL)
        continue;
      g_assert_true (g_str_has_prefix (keys[i], "2/1/"));
      g_assert_cmpstr (error, ==, "Server error");
      n_failed++;
    }
  g_assert_cmpuint (n_failed, ==, 2);
  arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), "map-view-tile-failure");

  /* Failed tiles are fetched again when they come back into view. */
  arcpass_map_view_set_zoom (fixture->map, 3);
  arcpass_map_view_set_zoom (fixture->map, 2);
  wait_loaded (fixture);
  g_assert_cmpuint (arcpass_map_view_get_loaded_count (fixture->map), ==,
                    arcpass_map_view_get_visible_tile_count (fixture->map));
}

static void
test_missing_privilege (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *error;

  arcpass_map_view_set_center (fixture->map, 0, 20);
  arcpass_map_view_set_zoom (fixture->map, 3);
  arcpass_map_view_set_source (fixture->map, fixture->manager, fixture->template);
  wait_loaded (fixture);

  g_assert_cmpuint (arcpass_map_view_get_loaded_count (fixture->map), ==, 0);
  g_assert_cmpuint (arcpass_map_view_get_failed_count (fixture->map), ==,
                    arcpass_map_view_get_visible_tile_count (fixture->map));
  error = arcpass_map_view_get_tile_error (fixture->map, "3/3/4");
  g_assert_cmpstr (error, ==, "403 — missing privilege premium:user:staticbasemaptiles");
  arcpass_test_save_screenshot (GTK_WIDGET (fixture->window), "map-view-missing-privilege");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  arcpass_register_resource ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

#define ADD(path, func, key) \
  g_test_add (path, Fixture, key, fixture_set_up, func, fixture_tear_down)

  ADD ("/map-view/tiles-for-place", test_tiles_for_place, NULL);
  ADD ("/map-view/pan-and-zoom", test_pan_and_zoom, NULL);
  ADD ("/map-view/cancel-off-screen", test_cancel_off_screen, NULL);
  ADD ("/map-view/tile-failure", test_tile_failure, NULL);
  ADD ("/map-view/missing-privilege", test_missing_privilege, ARCPASS_SANDBOX_KEY_BASEMAPS);

  return g_test_run ();
}
