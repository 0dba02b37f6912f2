/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "arcpass-account-row.h"
#include "arcpass-application.h"
#include "arcpass-sandbox.h"
#include "arcpass-window.h"
#include "arcpass-test-ui-utils.h"

/* The location services an account's testers use. An ArcGIS Enterprise
 * portal names its own geocoder (portals/self helperServices): a restored
 * Enterprise account must use it, not ArcGIS Online's. ArcGIS Online
 * accounts keep the default services, without asking the portal. The
 * sandbox plays the Enterprise portal, and the application is not in
 * sandbox mode. */

static ArcpassSandbox *sandbox;

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (arcpass_account_store_save_finish (ARCPASS_ACCOUNT_STORE (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static gboolean
flag_cb (gpointer data)
{
  return *(gboolean *) data;
}

static void
save (ArcpassAccountStore *store,
      ArcpassCredential   *credential)
{
  gboolean done = FALSE;

  arcpass_account_store_save_async (store, credential, NULL, saved_cb, &done);
  g_assert_true (arcpass_test_wait_until (flag_cb, &done, 10000));
}

static gboolean
accounts_loaded_cb (gpointer data)
{
  return arcpass_window_get_accounts_loaded (data);
}

static ArcpassTokenManager *
manager_for (ArcpassWindow *window,
             const char    *id)
{
  GtkWidget *list = arcpass_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LIST_BOX, "account_list");

  g_assert_nonnull (list);
  for (GtkWidget *child = gtk_widget_get_first_child (list); child; child = gtk_widget_get_next_sibling (child))
    if (ARCPASS_IS_ACCOUNT_ROW (child))
      {
        ArcpassTokenManager *manager = arcpass_account_row_get_manager (ARCPASS_ACCOUNT_ROW (child));

        if (g_strcmp0 (arcpass_credential_get_id (arcpass_token_manager_get_credential (manager)), id) == 0)
          return manager;
      }

  g_assert_not_reached ();
}

typedef struct {
  ArcpassTokenManager *manager;
  const char          *expected;
} GeocodeWait;

static gboolean
geocode_url_is_cb (gpointer data)
{
  GeocodeWait *wait = data;

  return g_strcmp0 (arcpass_token_manager_get_endpoints (wait->manager)->geocode_url,
                    wait->expected) == 0;
}

static void
test_enterprise_uses_helper_services (void)
{
  g_autoptr(ArcpassApplication) app = arcpass_application_new ();
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(ArcpassCredential) enterprise = NULL;
  g_autoptr(ArcpassCredential) online = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *enterprise_portal = NULL;
  g_autofree char *sandbox_geocoder = NULL;
  ArcpassTokenManager *manager;
  GtkWindow *window;
  g_autoptr(GUri) sandbox_uri = g_uri_parse (arcpass_sandbox_get_url (sandbox), G_URI_FLAGS_NONE, NULL);
  GeocodeWait wait;

  enterprise_portal = g_strdup_printf ("http://localhost:%d", g_uri_get_port (sandbox_uri));
  sandbox_geocoder = g_strdup_printf ("%s/arcgis/rest/services/World/GeocodeServer",
                                      arcpass_sandbox_get_host_url (sandbox,
                                                                    ARCPASS_SANDBOX_HOST_SERVICES));

  enterprise = arcpass_credential_new (ARCPASS_CREDENTIAL_GENERATE_TOKEN, enterprise_portal);
  arcpass_credential_set_id (enterprise, "enterprise");
  arcpass_credential_set_username (enterprise, ARCPASS_SANDBOX_USER_USERNAME);
  save (store, enterprise);
  online = arcpass_credential_new (ARCPASS_CREDENTIAL_API_KEY, ARCPASS_ONLINE_PORTAL_URL);
  arcpass_credential_set_id (online, "online");
  arcpass_credential_set_access_token (online, ARCPASS_SANDBOX_KEY_FULL);
  save (store, online);

  /* Not in sandbox mode: that mode moves every loopback account to the
   * sandbox's own services. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (ARCPASS_IS_WINDOW (window));
  g_assert_true (arcpass_test_wait_until (accounts_loaded_cb, window, 10000));

  /* The Enterprise account: the portal's own geocoder, once discovered. */
  manager = manager_for (ARCPASS_WINDOW (window), "enterprise");
  wait = (GeocodeWait) { manager, sandbox_geocoder };
  g_assert_true (arcpass_test_wait_until (geocode_url_is_cb, &wait, 10000));
  /* The basemap services exist only on ArcGIS's hosts. */
  g_assert_cmpstr (arcpass_token_manager_get_endpoints (manager)->basemap_styles_url, ==,
                   ARCPASS_ONLINE_BASEMAP_STYLES_URL);

  /* The ArcGIS Online account: the defaults (nothing to discover, and no
   * network here to try it on). */
  manager = manager_for (ARCPASS_WINDOW (window), "online");
  g_assert_cmpstr (arcpass_token_manager_get_endpoints (manager)->geocode_url, ==,
                   ARCPASS_ONLINE_GEOCODE_URL);
  g_assert_true (arcpass_portal_url_is_online (ARCPASS_ONLINE_PORTAL_URL));
  g_assert_true (arcpass_portal_url_is_online ("https://myorg.maps.ARCGIS.com/"));
  g_assert_false (arcpass_portal_url_is_online ("https://notarcgis.com"));
  g_assert_false (arcpass_portal_url_is_online ("https://arcgis.com.evil.example"));

  gtk_window_destroy (window);
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

  g_test_add_func ("/portal-services/enterprise-helper-services", test_enterprise_uses_helper_services);
  ret = g_test_run ();

  arcpass_sandbox_stop (sandbox);
  g_clear_object (&sandbox);
  return ret;
}
