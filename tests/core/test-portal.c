/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-core.h"

typedef struct {
  const char *input;
  const char *portal_url;   /* NULL: refused */
  int error_code;
} PortalCase;

static const PortalCase portal_cases[] = {
  { "www.arcgis.com", "https://www.arcgis.com", 0 },
  { "  www.arcgis.com  ", "https://www.arcgis.com", 0 },
  { "WWW.ArcGIS.com", "https://www.arcgis.com", 0 },
  { "https://www.arcgis.com/", "https://www.arcgis.com", 0 },
  { "https://www.arcgis.com/home/index.html", "https://www.arcgis.com", 0 },
  { "https://myorg.maps.arcgis.com/", "https://myorg.maps.arcgis.com", 0 },
  { "https://myorg.maps.arcgis.com/home/content.html?view=grid#x", "https://myorg.maps.arcgis.com", 0 },
  { "https://gis.example.com/portal/home/", "https://gis.example.com/portal", 0 },
  { "https://gis.example.com/portal/home/index.html", "https://gis.example.com/portal", 0 },
  { "https://gis.example.com/portal/sharing/rest/", "https://gis.example.com/portal", 0 },
  { "https://gis.example.com/portal/sharing/rest/info?f=json", "https://gis.example.com/portal", 0 },
  { "https://gis.example.com/portal//", "https://gis.example.com/portal", 0 },
  { "https://gis.example.com/arcgis/apps/mapviewer/index.html", "https://gis.example.com/arcgis", 0 },
  { "gis.example.com/portal", "https://gis.example.com/portal", 0 },
  { "https://gis.example.com:443/portal", "https://gis.example.com/portal", 0 },
  { "https://gis.example.com:7443/arcgis/", "https://gis.example.com:7443/arcgis", 0 },
  { "http://127.0.0.1:8080", "http://127.0.0.1:8080", 0 },
  { "http://localhost:8080/portal/home", "http://localhost:8080/portal", 0 },
  { "http://[::1]:9000/", "http://[::1]:9000", 0 },
  { "http://127.0.0.2:81", "http://127.0.0.2:81", 0 },
  /* Refused. */
  { "http://www.arcgis.com", NULL, ARCPASS_ERROR_INSECURE_PORTAL },
  { "http://gis.example.com/portal", NULL, ARCPASS_ERROR_INSECURE_PORTAL },
  { "http://127.0.0.1.nip.io/", NULL, ARCPASS_ERROR_INSECURE_PORTAL },
  { "http://localhost.example.com/", NULL, ARCPASS_ERROR_INSECURE_PORTAL },
  { "", NULL, ARCPASS_ERROR_INVALID_INPUT },
  { "   ", NULL, ARCPASS_ERROR_INVALID_INPUT },
  { "ftp://gis.example.com", NULL, ARCPASS_ERROR_INVALID_INPUT },
  { "file:///etc/passwd", NULL, ARCPASS_ERROR_INVALID_INPUT },
  { "javascript:alert(1)", NULL, ARCPASS_ERROR_INVALID_INPUT },
  { "https://user:pass@gis.example.com", NULL, ARCPASS_ERROR_INVALID_INPUT },
  { "https://www.arcgis.com@evil.com", NULL, ARCPASS_ERROR_INVALID_INPUT },
  { "https://gis example.com", NULL, ARCPASS_ERROR_INVALID_INPUT },
  { "https://", NULL, ARCPASS_ERROR_INVALID_INPUT },
  { "intranet", NULL, ARCPASS_ERROR_INVALID_INPUT },
  /* Host names whose labels DNS does not allow. */
  { "https://.arcgis.com", NULL, ARCPASS_ERROR_INVALID_INPUT },
  { "https://gis..example.com", NULL, ARCPASS_ERROR_INVALID_INPUT },
  { "https://-gis.example.com", NULL, ARCPASS_ERROR_INVALID_INPUT },
  { "https://gis-.example.com", NULL, ARCPASS_ERROR_INVALID_INPUT },
  { "https://gis.example.com-", NULL, ARCPASS_ERROR_INVALID_INPUT },
  { "https://my-org.maps.arcgis.com", "https://my-org.maps.arcgis.com", 0 },
  { "https://gis_01.corp.example.com/portal", "https://gis_01.corp.example.com/portal", 0 },
  /* real-arcgis.md point 13: what users paste. ArcGIS Server URLs stop at
   * the server's root (rest, admin, manager). */
  { "https://gis.example.com/server/rest/services", "https://gis.example.com/server", 0 },
  { "https://gis.example.com/arcgis/rest/services/Locators/Addr/GeocodeServer",
    "https://gis.example.com/arcgis", 0 },
  { "https://gis.example.com/server/rest/info?f=json", "https://gis.example.com/server", 0 },
  { "https://gis.example.com/server/admin/", "https://gis.example.com/server", 0 },
  { "https://gis.example.com/server/manager/index.html", "https://gis.example.com/server", 0 },
  { "https://gis.example.com/portal/portaladmin", "https://gis.example.com/portal", 0 },
  { "https://gis.example.com/Portal/Sharing/Rest/info", "https://gis.example.com/Portal", 0 },
  { "https://gis.example.com/portal/HOME/index.html", "https://gis.example.com/portal", 0 },
  { "https://gis.example.com/rest/services", "https://gis.example.com", 0 },
  { "https://gis.example.com/gis/apps/webappviewer/index.html?id=1",
    "https://gis.example.com/gis", 0 },
  /* Esri's own hosts: the portal of ArcGIS Online and Location Platform. */
  { "https://arcgis.com", "https://www.arcgis.com", 0 },
  { "arcgis.com", "https://www.arcgis.com", 0 },
  { "https://location.arcgis.com", "https://www.arcgis.com", 0 },
  { "https://location.arcgis.com/dashboard/", "https://www.arcgis.com", 0 },
  { "https://developers.arcgis.com", "https://www.arcgis.com", 0 },
  { "https://developers.arcgis.com/dashboard", "https://www.arcgis.com", 0 },
  { "https://doc.arcgis.com/en/arcgis-online/", "https://www.arcgis.com", 0 },
  { "https://www.arcgis.com/sharing/rest/oauth2/authorize", "https://www.arcgis.com", 0 },
  { "https://www.arcgis.com:443/apps/mapviewer/index.html", "https://www.arcgis.com", 0 },
  { "https://services3.arcgis.com/GVgbJbqm8hXASVYi/arcgis/rest/services/x/FeatureServer",
    "https://www.arcgis.com", 0 },
  { "https://tiles.arcgis.com/tiles/x/arcgis/rest/services", "https://www.arcgis.com", 0 },
  { "https://geocode-api.arcgis.com/arcgis/rest/services/World/GeocodeServer",
    "https://www.arcgis.com", 0 },
  { "https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2",
    "https://www.arcgis.com", 0 },
  /* Organisation hosts stay: they are the portal. */
  { "https://myorg.maps.arcgis.com/home/index.html", "https://myorg.maps.arcgis.com", 0 },
  { "https://myorg.mapsdevext.arcgis.com/", "https://myorg.mapsdevext.arcgis.com", 0 },
  { "https://servicesx.arcgis.com", "https://servicesx.arcgis.com", 0 },
  { "https://services.example.com/arcgis/rest", "https://services.example.com/arcgis", 0 },
  { "https://api.arcgis.com.evil.example/x", "https://api.arcgis.com.evil.example/x", 0 },
  /* Still refused: plain http to Esri. */
  { "http://location.arcgis.com", NULL, ARCPASS_ERROR_INSECURE_PORTAL },
  { "http://arcgis.com", NULL, ARCPASS_ERROR_INSECURE_PORTAL },
};

static void
test_normalize_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (portal_cases); i++)
    {
      const PortalCase *c = &portal_cases[i];
      g_autofree char *portal_url = NULL;
      g_autofree char *rest_root = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      g_test_message ("input: “%s”", c->input);
      ok = arcpass_portal_normalize (c->input, &portal_url, &rest_root, &error);
      if (c->portal_url != NULL)
        {
          g_autofree char *expected_root = g_strconcat (c->portal_url, "/sharing/rest", NULL);

          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpstr (portal_url, ==, c->portal_url);
          g_assert_cmpstr (rest_root, ==, expected_root);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, ARCPASS_ERROR, c->error_code);
          g_assert_null (portal_url);
          /* The message says why, in words. */
          g_assert_cmpuint (strlen (error->message), >, 20);
        }
    }
}

static void
test_insecure_message (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (arcpass_portal_normalize ("http://gis.example.com/portal", NULL, NULL, &error));
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INSECURE_PORTAL);
  g_assert_nonnull (strstr (error->message, "https://gis.example.com"));
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
}

static void
test_loopback (void)
{
  g_assert_true (arcpass_host_is_loopback ("127.0.0.1"));
  g_assert_true (arcpass_host_is_loopback ("127.1.2.3"));
  g_assert_true (arcpass_host_is_loopback ("localhost"));
  g_assert_true (arcpass_host_is_loopback ("::1"));
  g_assert_true (arcpass_host_is_loopback ("[::1]"));
  g_assert_false (arcpass_host_is_loopback ("128.0.0.1"));
  g_assert_false (arcpass_host_is_loopback ("127.0.0.1.nip.io"));
  g_assert_false (arcpass_host_is_loopback (""));
  g_assert_false (arcpass_host_is_loopback (NULL));

  g_assert_true (arcpass_url_is_secure_enough ("https://a.example.com/x"));
  g_assert_true (arcpass_url_is_secure_enough ("http://127.0.0.1:9/x"));
  g_assert_false (arcpass_url_is_secure_enough ("http://a.example.com/x"));
  g_assert_false (arcpass_url_is_secure_enough ("ftp://127.0.0.1/x"));
}

static JsonObject *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object = arcpass_json_parse_object (json, -1, &error);

  g_assert_no_error (error);
  return object;
}

static void
test_info_online (void)
{
  g_autoptr(JsonObject) info = parse ("{\"owningSystemUrl\":\"https://www.arcgis.com\","
                                      "\"authInfo\":{\"tokenServicesUrl\":\"https://www.arcgis.com/sharing/rest/generateToken\","
                                      "\"isTokenBasedSecurity\":true}}");
  g_autoptr(JsonObject) self = parse ("{\"id\":\"0123\",\"name\":\"ArcGIS Online\",\"portalMode\":\"multitenant\","
                                      "\"isPortal\":false,\"currentVersion\":\"2024.1\",\"supportsOAuth\":true,"
                                      "\"allSSL\":true,\"maxTokenExpirationMinutes\":-1,"
                                      "\"helperServices\":{\"geocode\":[{\"url\":\"https://geocode-api.arcgis.com/arcgis/rest/services/World/GeocodeServer/\"}]}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassPortalInfo) portal = NULL;
  g_autoptr(ArcpassPortalInfo) copy = NULL;
  g_autoptr(ArcpassEndpoints) endpoints = NULL;

  portal = arcpass_portal_info_new_from_json ("www.arcgis.com", info, self, &error);
  g_assert_no_error (error);
  g_assert_cmpint (portal->kind, ==, ARCPASS_PORTAL_KIND_ONLINE);
  g_assert_cmpstr (portal->portal_url, ==, "https://www.arcgis.com");
  g_assert_cmpstr (portal->rest_root, ==, "https://www.arcgis.com/sharing/rest");
  g_assert_cmpstr (portal->current_version, ==, "2024.1");
  g_assert_cmpstr (portal->token_service_url, ==, "https://www.arcgis.com/sharing/rest/generateToken");
  g_assert_cmpstr (portal->helper_geocode_url, ==, "https://geocode-api.arcgis.com/arcgis/rest/services/World/GeocodeServer");
  g_assert_true (portal->all_ssl);
  g_assert_cmpint (portal->max_token_expiration_minutes, ==, -1);

  copy = arcpass_portal_info_copy (portal);
  g_assert_cmpstr (copy->name, ==, "ArcGIS Online");

  endpoints = arcpass_endpoints_new_for_portal (portal);
  g_assert_cmpstr (endpoints->geocode_url, ==, ARCPASS_ONLINE_GEOCODE_URL);
  g_assert_cmpstr (endpoints->basemap_styles_url, ==, ARCPASS_ONLINE_BASEMAP_STYLES_URL);
  g_assert_cmpstr (endpoints->static_tiles_url, ==, ARCPASS_ONLINE_STATIC_TILES_URL);
}

static void
test_info_enterprise (void)
{
  g_autoptr(JsonObject) info = parse ("{\"owningSystemUrl\":\"https://gis.example.com/portal\","
                                      "\"authInfo\":{\"tokenServicesUrl\":\"https://gis.example.com/portal/sharing/rest/generateToken\","
                                      "\"isTokenBasedSecurity\":true}}");
  g_autoptr(JsonObject) self = parse ("{\"isPortal\":true,\"portalMode\":\"singletenant\",\"currentVersion\":11.3,"
                                      "\"helperServices\":{\"geocode\":[{\"url\":\"https://gis.example.com/server/rest/services/Locator/GeocodeServer\"}]}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassPortalInfo) portal = NULL;
  g_autoptr(ArcpassEndpoints) endpoints = NULL;

  portal = arcpass_portal_info_new_from_json ("https://gis.example.com/portal/home/", info, self, &error);
  g_assert_no_error (error);
  g_assert_cmpint (portal->kind, ==, ARCPASS_PORTAL_KIND_ENTERPRISE);
  g_assert_cmpstr (portal->current_version, ==, "11.3");
  g_assert_cmpstr (portal->token_service_url, ==, "https://gis.example.com/portal/sharing/rest/generateToken");
  g_assert_true (portal->supports_oauth);

  endpoints = arcpass_endpoints_new_for_portal (portal);
  g_assert_cmpstr (endpoints->geocode_url, ==, "https://gis.example.com/server/rest/services/Locator/GeocodeServer");
  g_assert_cmpstr (endpoints->basemap_styles_url, ==, ARCPASS_ONLINE_BASEMAP_STYLES_URL);

  arcpass_endpoints_override (endpoints, NULL, "https://styles.example.com/v2/", NULL);
  g_assert_cmpstr (endpoints->basemap_styles_url, ==, "https://styles.example.com/v2");
  g_assert_cmpstr (endpoints->geocode_url, ==, "https://gis.example.com/server/rest/services/Locator/GeocodeServer");
}

static void
test_info_malformed (void)
{
  g_autoptr(JsonObject) self = parse ("{\"isPortal\":\"yes\"}");
  g_autoptr(JsonObject) info = parse ("{\"authInfo\":[]}");
  g_autoptr(GError) error = NULL;
  ArcpassPortalInfo *portal;

  portal = arcpass_portal_info_new_from_json ("www.arcgis.com", NULL, self, &error);
  g_assert_null (portal);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
  g_clear_error (&error);

  portal = arcpass_portal_info_new_from_json ("www.arcgis.com", info, NULL, &error);
  g_assert_null (portal);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
}

static void
test_endpoints_sandbox (void)
{
  g_autoptr(ArcpassEndpoints) endpoints = arcpass_endpoints_new_for_sandbox ("http://127.0.0.1:4242/");

  /* The sandbox's location services are on their own host (127.0.0.4),
   * at the portal's port. */
  g_assert_cmpstr (endpoints->geocode_url, ==, "http://127.0.0.4:4242/arcgis/rest/services/World/GeocodeServer");
  g_assert_cmpstr (endpoints->basemap_styles_url, ==, "http://127.0.0.4:4242/arcgis/rest/services/styles/v2");
  g_assert_cmpstr (endpoints->static_tiles_url, ==,
                   "http://127.0.0.4:4242/arcgis/rest/services/static-basemap-tiles-service/v1");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/portal/normalize/table", test_normalize_table);
  g_test_add_func ("/portal/normalize/insecure-message", test_insecure_message);
  g_test_add_func ("/portal/loopback", test_loopback);
  g_test_add_func ("/portal/info/online", test_info_online);
  g_test_add_func ("/portal/info/enterprise", test_info_enterprise);
  g_test_add_func ("/portal/info/malformed", test_info_malformed);
  g_test_add_func ("/portal/endpoints/sandbox", test_endpoints_sandbox);

  return g_test_run ();
}
