/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-json-view.h"
#include "arcpass-request-inspector.h"
#include "arcpass-resources.h"
#include "arcpass-test-ui-utils.h"
#include "test-geocode-common.h"

#define GEOCODE_PATH "/arcgis/rest/services/World/GeocodeServer"

typedef struct {
  GeocodeFixture           base;
  ArcpassRequestInspector *inspector;
} Fixture;

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

/* A few calls of each kind through the core, as the testers make them. */
static void
make_calls (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(ArcpassReverseGeocodeResult) reverse = NULL;
  g_autoptr(GError) error = NULL;

  arcpass_geocode_suggest_async (fixture->base.manager, "Redlands", FALSE, 0, 0, 5, NULL,
                                 store_result_cb, &result);
  list = arcpass_geocode_suggest_finish (wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_clear_pointer (&list, g_ptr_array_unref);

  arcpass_geocode_find_async (fixture->base.manager, "380 New York St, Redlands", NULL, 3, NULL,
                              store_result_cb, &result);
  list = arcpass_geocode_find_finish (wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  arcpass_geocode_reverse_async (fixture->base.manager, -117.19568, 34.05649, NULL,
                                 store_result_cb, &result);
  reverse = arcpass_geocode_reverse_finish (wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  /* And one the service refuses, to see an error coloured and explained. */
  arcpass_sandbox_add_fault (fixture->base.sandbox, GEOCODE_PATH "/suggest", "status:500", 1);
  arcpass_geocode_suggest_async (fixture->base.manager, "Paris", FALSE, 0, 0, 5, NULL,
                                 store_result_cb, &result);
  list = arcpass_geocode_suggest_finish (wait_result (&result), &error);
  g_assert_null (list);
  g_assert_nonnull (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  geocode_fixture_set_up (&fixture->base, ARCPASS_SANDBOX_KEY_FULL);
  make_calls (fixture);
  fixture->inspector = ARCPASS_REQUEST_INSPECTOR (
    arcpass_request_inspector_new (arcpass_client_get_request_log (fixture->base.client),
                                   fixture->base.manager));
  geocode_fixture_show (&fixture->base, GTK_WIDGET (fixture->inspector));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  geocode_fixture_tear_down (&fixture->base);
}

static GtkListBox *
list_of (Fixture *fixture)
{
  GtkWidget *list = arcpass_test_find_widget (GTK_WIDGET (fixture->inspector), GTK_TYPE_LIST_BOX, "list_box");

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

/* Whether the row at @index shows a label ending with @path. */
static gboolean
row_shows_path (GtkListBox *list,
                guint       index,
                const char *path)
{
  GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (list, (int) index));

  for (GtkWidget *child = gtk_widget_get_first_child (gtk_widget_get_first_child (row));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LABEL (child) && g_str_has_suffix (gtk_label_get_label (GTK_LABEL (child)), path))
      return TRUE;
  return FALSE;
}

static guint
find_row (GtkListBox *list,
          const char *path)
{
  for (guint i = 0; i < count_rows (list); i++)
    if (row_shows_path (list, i, path))
      return i;
  g_error ("no row for %s", path);
  return G_MAXUINT;
}

static void
test_lists_calls (Fixture       *fixture,
                  gconstpointer  data)
{
  ArcpassRequestLog *log = arcpass_client_get_request_log (fixture->base.client);
  GtkListBox *list = list_of (fixture);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) suggestions = NULL;
  GtkLabel *status;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (log));

  /* portals/self of the sign-in, suggest, find, reverse, failed suggest. */
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpuint (count_rows (list), ==, n);
  g_assert_true (row_shows_path (list, 0, "/sharing/rest/portals/self"));
  g_assert_true (row_shows_path (list, 1, GEOCODE_PATH "/suggest"));
  g_assert_true (row_shows_path (list, 2, GEOCODE_PATH "/findAddressCandidates"));
  g_assert_true (row_shows_path (list, 3, GEOCODE_PATH "/reverseGeocode"));
  g_assert_true (row_shows_path (list, 4, GEOCODE_PATH "/suggest"));

  /* The failed call: its status in the error colour, its message said. */
  arcpass_request_inspector_select (fixture->inspector, 4);
  status = GTK_LABEL (arcpass_test_find_widget (GTK_WIDGET (fixture->inspector), GTK_TYPE_LABEL, "status_label"));
  g_assert_cmpstr (gtk_label_get_label (status), ==, "500");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (status), "error"));
  g_assert_true (gtk_widget_get_visible (arcpass_test_find_widget (GTK_WIDGET (fixture->inspector), GTK_TYPE_LABEL, "error_label")));

  /* Every record, selected in turn: no secret anywhere in the page. */
  for (guint i = 0; i < n; i++)
    {
      arcpass_request_inspector_select (fixture->inspector, i);
      g_assert_true (arcpass_request_inspector_get_selected (fixture->inspector) ==
                     g_list_model_get_item (G_LIST_MODEL (log), i));
      g_object_unref (arcpass_request_inspector_get_selected (fixture->inspector));
      arcpass_test_spin (50);
      assert_no_secret_in_tree (GTK_WIDGET (fixture->base.window), ARCPASS_SANDBOX_KEY_FULL);
    }

  /* The headers say the token went in a header, redacted. */
  arcpass_request_inspector_select (fixture->inspector, 2);
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (arcpass_test_find_widget (GTK_WIDGET (fixture->inspector), GTK_TYPE_LABEL, "request_headers_label"))),
                            "X-Esri-Authorization: Bearer " ARCPASS_REDACTED));
  {
    g_autofree char *display = arcpass_json_view_dup_display (ARCPASS_JSON_VIEW (arcpass_test_find_widget (GTK_WIDGET (fixture->inspector), ARCPASS_TYPE_JSON_VIEW, "response_body_view")));

    g_assert_nonnull (strstr (display, "\"candidates\""));
    g_assert_nonnull (strstr (display, "380 New York St"));
  }
  arcpass_test_spin (200);
  g_assert_nonnull (arcpass_test_save_screenshot (GTK_WIDGET (fixture->base.window), "request-inspector"));

  /* Live: a new call appears without anything else to do. */
  arcpass_geocode_suggest_async (fixture->base.manager, "Berlin", FALSE, 0, 0, 5, NULL,
                                 store_result_cb, &result);
  suggestions = arcpass_geocode_suggest_finish (wait_result (&result), NULL);
  g_assert_nonnull (suggestions);
  arcpass_test_spin (50);
  g_assert_cmpuint (count_rows (list), ==, n + 1);
  g_assert_true (row_shows_path (list, n, GEOCODE_PATH "/suggest"));
  assert_no_secret_in_tree (GTK_WIDGET (fixture->base.window), ARCPASS_SANDBOX_KEY_FULL);

  /* Clearing empties the list and the details. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->inspector), "inspector.clear", NULL));
  arcpass_test_spin (50);
  g_assert_cmpuint (count_rows (list), ==, 0);
  g_assert_null (arcpass_request_inspector_get_selected (fixture->inspector));
}

static gboolean
clipboard_has_key_cb (gpointer data)
{
  Fixture *fixture = data;
  g_autofree char *text = read_clipboard_text (GTK_WIDGET (fixture->inspector));

  return strstr (text, ARCPASS_SANDBOX_KEY_FULL) != NULL;
}

typedef struct {
  gboolean done;
  int      status;
  char    *out;
} Run;

static void
curl_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &run->out, NULL, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_exit_status (G_SUBPROCESS (object));
  run->done = TRUE;
}

/* Runs @command with sh, the secret-bearing line on stdin rather than in
 * argv, while the main context (and so the sandbox) keeps running. */
static char *
run_shell (const char *command)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { 0 };

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, "sh", "-s", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, command, NULL, curl_done_cb, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (run.status, ==, 0);
  return run.out;
}

static void
test_copy_curl (Fixture       *fixture,
                gconstpointer  data)
{
  GtkListBox *list = list_of (fixture);
  g_autofree char *redacted = NULL;
  g_autofree char *with_token = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *refused = NULL;
  guint find = find_row (list, GEOCODE_PATH "/findAddressCandidates");

  /* Nothing selected: nothing to copy. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (fixture->inspector), "inspector.copy-curl", NULL) &&
                  arcpass_request_inspector_get_selected (fixture->inspector) != NULL);

  arcpass_request_inspector_select (fixture->inspector, find);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->inspector), "inspector.copy-curl", NULL));
  redacted = read_clipboard_text (GTK_WIDGET (fixture->inspector));
  g_test_message ("redacted: %s", redacted);
  g_assert_true (g_str_has_prefix (redacted, "curl "));
  g_assert_nonnull (strstr (redacted, "$ARCGIS_TOKEN"));
  g_assert_nonnull (strstr (redacted, "findAddressCandidates"));
  g_assert_null (strstr (redacted, ARCPASS_SANDBOX_KEY_FULL));
  g_assert_null (strstr (redacted, "AT1_sbxfull1"));

  /* Only on an explicit choice, and from the token manager. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->inspector), "inspector.copy-curl-with-token", NULL));
  g_assert_true (arcpass_test_wait_until (clipboard_has_key_cb, fixture, 5000));
  with_token = read_clipboard_text (GTK_WIDGET (fixture->inspector));
  g_assert_null (strstr (with_token, "$ARCGIS_TOKEN"));
  assert_no_secret_in_tree (GTK_WIDGET (fixture->base.window), ARCPASS_SANDBOX_KEY_FULL);
  g_assert_nonnull (arcpass_test_save_screenshot (GTK_WIDGET (fixture->base.window), "request-inspector-copied"));

  /* Both lines really work: with the token, and with ARCGIS_TOKEN set. */
  answer = run_shell (with_token);
  g_assert_nonnull (strstr (answer, "380 New York St"));
  g_clear_pointer (&answer, g_free);
  {
    g_autofree char *script = g_strdup_printf ("ARCGIS_TOKEN='%s'\n%s", ARCPASS_SANDBOX_KEY_FULL, redacted);

    answer = run_shell (script);
    g_assert_nonnull (strstr (answer, "380 New York St"));
  }
  /* Without the variable, the service refuses the redacted line. */
  refused = run_shell (redacted);
  g_assert_null (strstr (refused, "380 New York St"));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* The application registers the resources; these tests have no application. */
  arcpass_register_resource ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add ("/inspector/lists-calls", Fixture, NULL, fixture_set_up, test_lists_calls, fixture_tear_down);
  g_test_add ("/inspector/copy-curl", Fixture, NULL, fixture_set_up, test_copy_curl, fixture_tear_down);

  return g_test_run ();
}
