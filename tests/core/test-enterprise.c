/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "arcpass-core.h"
#include "arcpass-geocode.h"
#include "arcpass-sandbox.h"

/* ArcGIS Enterprise in the core (real-arcgis.md points 4, 5 and 8): the
 * parsing of a locator's root, the mapping of generateToken's refusals, and,
 * against the in-process sandbox, a custom locator searched by its own
 * single-line field without suggestions. */

static JsonObject *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object = arcpass_json_parse_object (json, strlen (json), &error);

  g_assert_no_error (error);
  return object;
}

/* ---- Locator root ---------------------------------------------------------- */

static void
test_locator_root (void)
{
  struct {
    const char *json;
    const char *field;
    gboolean    suggest;
    gboolean    reverse;
  } cases[] = {
    /* A custom locator on ArcGIS Server, as the sandbox's. */
    { "{\"singleLineAddressField\":{\"name\":\"Single Line Input\",\"type\":\"esriFieldTypeString\"},"
      "\"capabilities\":\"Geocode,ReverseGeocode\"}", "Single Line Input", FALSE, TRUE },
    { "{\"singleLineAddressField\":{\"name\":\"Address\"},\"capabilities\":\"Geocode\"}",
      "Address", FALSE, FALSE },
    /* The World geocoder's root. */
    { "{\"singleLineAddressField\":{\"name\":\"SingleLine\"},"
      "\"capabilities\":\"Geocode,ReverseGeocode,Suggest\"}", "SingleLine", TRUE, TRUE },
    /* Spaces and case in capabilities. */
    { "{\"singleLineAddressField\":{\"name\":\"SingleKey\"},\"capabilities\":\"geocode, suggest\"}",
      "SingleKey", TRUE, FALSE },
    /* Older servers: no field named, no capabilities. */
    { "{\"currentVersion\":10.4}", "SingleLine", FALSE, TRUE },
    { "{\"singleLineAddressField\":null,\"capabilities\":null}", "SingleLine", FALSE, TRUE },
    { "{\"singleLineAddressField\":{\"name\":\"\"}}", "SingleLine", FALSE, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) object = parse (cases[i].json);
      g_autoptr(GError) error = NULL;
      g_autoptr(ArcpassLocatorInfo) info = arcpass_geocode_parse_locator_root (object, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (info->single_line_field, ==, cases[i].field);
      g_assert_cmpint (info->supports_suggest, ==, cases[i].suggest);
      g_assert_cmpint (info->supports_reverse, ==, cases[i].reverse);
    }

  /* Wrong types are errors, not criticals. */
  {
    const char *bad[] = {
      "{\"singleLineAddressField\":\"Address\"}",
      "{\"singleLineAddressField\":{\"name\":5}}",
      "{\"capabilities\":[\"Geocode\"]}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(JsonObject) object = parse (bad[i]);
        g_autoptr(GError) error = NULL;
        g_autoptr(ArcpassLocatorInfo) info = arcpass_geocode_parse_locator_root (object, &error);

        g_assert_null (info);
        g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
      }
  }
}

static void
test_world_is_known (void)
{
  g_assert_true (arcpass_geocode_url_is_world (ARCPASS_ONLINE_GEOCODE_URL));
  g_assert_true (arcpass_geocode_url_is_world ("http://127.0.0.4:4000/arcgis/rest/services/World/GeocodeServer"));
  g_assert_false (arcpass_geocode_url_is_world ("https://gis.example.com/server/rest/services/World/GeocodeServer"));
  g_assert_false (arcpass_geocode_url_is_world ("https://geocode-api.arcgis.com/arcgis/rest/services/Custom/GeocodeServer"));
  g_assert_false (arcpass_geocode_url_is_world (NULL));
}

/* ---- generateToken's refusals ----------------------------------------------- */

static GError *
generate_token_error (const char *json)
{
  g_autoptr(JsonObject) body = parse (json);
  GError *error = arcpass_error_new_from_response (ARCPASS_SERVICE_OAUTH, 200, body);

  g_assert_nonnull (error);
  arcpass_oauth_classify_generate_token_error (&error);
  return error;
}

static void
test_generate_token_errors (void)
{
  struct {
    const char *json;
    int         code;
  } cases[] = {
    /* Esri's mock (rest-js GenerateTokenError) and the sandbox's. */
    { "{\"error\":{\"code\":400,\"message\":\"Unable to generate token.\","
      "\"details\":[\"Invalid username or password.\"]}}", ARCPASS_ERROR_INVALID_CREDENTIALS },
    { "{\"error\":{\"code\":400,\"message\":\"Unable to generate token.\","
      "\"details\":[\"Too many invalid logon attempts. Your account is locked; try again later.\"]}}",
      ARCPASS_ERROR_ACCOUNT_LOCKED },
    { "{\"error\":{\"code\":400,\"message\":\"Unable to generate token.\",\"details\":["
      "\"This account signs in through the organization's identity provider (SAML); "
      "generateToken cannot be used with it.\"]}}", ARCPASS_ERROR_EXTERNAL_ACCOUNT },
    /* Other wordings a real portal might use (UNCONFIRMED, see the sandbox README). */
    { "{\"error\":{\"code\":400,\"message\":\"Your account has been locked.\",\"details\":[]}}",
      ARCPASS_ERROR_ACCOUNT_LOCKED },
    { "{\"error\":{\"code\":403,\"message\":\"Too many login attempts.\"}}",
      ARCPASS_ERROR_ACCOUNT_LOCKED },
    { "{\"error\":{\"code\":400,\"message\":\"Unable to generate token.\","
      "\"details\":[\"Enterprise logins (SAML) must sign in with OAuth.\"]}}",
      ARCPASS_ERROR_EXTERNAL_ACCOUNT },
    { "{\"error\":{\"code\":400,\"message\":\"Unable to generate token.\",\"details\":[]}}",
      ARCPASS_ERROR_INVALID_CREDENTIALS },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = generate_token_error (cases[i].json);

      g_test_message ("%s → %s", cases[i].json, error->message);
      g_assert_error (error, ARCPASS_ERROR, cases[i].code);
    }

  /* The three messages differ, and say what to do. */
  {
    g_autoptr(GError) wrong = generate_token_error (cases[0].json);
    g_autoptr(GError) locked = generate_token_error (cases[1].json);
    g_autoptr(GError) saml = generate_token_error (cases[2].json);

    g_assert_nonnull (strstr (saml->message, "Sign in with your organisation's login (OAuth) instead"));
    g_assert_nonnull (strstr (locked->message, "ask the portal's administrator"));
    g_assert_nonnull (strstr (wrong->message, "wrong"));
    g_assert_cmpstr (wrong->message, !=, locked->message);
    g_assert_cmpstr (wrong->message, !=, saml->message);
  }

  /* Other failures are left as they are. */
  {
    GError *error = g_error_new_literal (ARCPASS_ERROR, ARCPASS_ERROR_NETWORK,
                                         "Could not talk to gis.example.com: locked socket.");

    arcpass_oauth_classify_generate_token_error (&error);
    g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NETWORK);
    g_clear_error (&error);
  }
}

static void
test_token_based_security (void)
{
  g_autoptr(JsonObject) info_json = parse ("{\"owningSystemUrl\":\"https://gis.example.com/portal\","
                                           "\"authInfo\":{\"isTokenBasedSecurity\":false}}");
  g_autoptr(JsonObject) tokens_json = parse ("{\"authInfo\":{\"isTokenBasedSecurity\":true,"
                                             "\"tokenServicesUrl\":\"https://gis.example.com/portal/sharing/rest/generateToken\"}}");
  g_autoptr(JsonObject) bad_json = parse ("{\"authInfo\":{\"isTokenBasedSecurity\":\"no\"}}");
  g_autoptr(ArcpassPortalInfo) web_tier = NULL;
  g_autoptr(ArcpassPortalInfo) tokens = NULL;
  g_autoptr(ArcpassPortalInfo) unknown = NULL;
  g_autoptr(ArcpassPortalInfo) bad = NULL;
  g_autoptr(GError) error = NULL;

  web_tier = arcpass_portal_info_new_from_json ("https://gis.example.com/portal", info_json, NULL,
                                                &error);
  g_assert_no_error (error);
  g_assert_false (web_tier->token_based_security);
  tokens = arcpass_portal_info_new_from_json ("https://gis.example.com/portal", tokens_json, NULL,
                                              &error);
  g_assert_no_error (error);
  g_assert_true (tokens->token_based_security);
  /* No /info at all: assume tokens, as every ArcGIS portal without a web
   * tier uses them. */
  unknown = arcpass_portal_info_new_from_json ("https://gis.example.com/portal", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (unknown->token_based_security);
  bad = arcpass_portal_info_new_from_json ("https://gis.example.com/portal", bad_json, NULL, &error);
  g_assert_null (bad);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
}

/* ---- A custom locator, in the sandbox -------------------------------------- */

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (slot);
}


static guint
log_count (ArcpassSandbox *sandbox,
           const char     *path)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (arcpass_sandbox_get_url (sandbox), "/_sandbox/log", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) log = NULL;
  JsonArray *entries;
  guint n = 0;

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, result_cb, &slot);
  result = wait_for (&slot);
  body = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);
  log = arcpass_json_parse_object (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  g_assert_no_error (error);
  entries = json_object_get_array_member (log, "entries");
  for (guint i = 0; i < json_array_get_length (entries); i++)
    if (g_str_has_suffix (json_object_get_string_member (json_array_get_object_element (entries, i),
                                                         "path"), path))
      n++;
  return n;
}

/* The locator searched by "Single Line Input", not SingleLine, and no
 * suggest request ever sent, with an Enterprise password account whose
 * portal token the core exchanges for a server token. */
static void
test_custom_locator (void)
{
  g_autoptr(ArcpassSandbox) sandbox = arcpass_sandbox_new ();
  g_autoptr(ArcpassClient) client = arcpass_client_new ();
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(ArcpassEndpoints) endpoints = NULL;
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) candidates = NULL;
  g_autoptr(GPtrArray) suggestions = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *locator = NULL;
  g_autofree char *portal = NULL;

  g_assert_true (arcpass_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  host = g_strdup (arcpass_sandbox_get_host_url (sandbox, ARCPASS_SANDBOX_HOST_ENTERPRISE));
  portal = g_strconcat (host, "/portal", NULL);
  locator = g_strconcat (host, ARCPASS_SANDBOX_ENTERPRISE_LOCATOR, NULL);

  /* The core exchanges the account's portal token for a server token. */
  arcpass_sign_in_with_password_async (client, portal, ARCPASS_SANDBOX_ENTERPRISE_USERNAME,
                                       ARCPASS_SANDBOX_ENTERPRISE_PASSWORD, NULL, result_cb, &slot);
  result = wait_for (&slot);
  credential = arcpass_sign_in_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  manager = arcpass_token_manager_new (client, credential, NULL);
  endpoints = arcpass_endpoints_new_default ();
  arcpass_endpoints_override (endpoints, locator, NULL, NULL);
  arcpass_token_manager_set_endpoints (manager, endpoints);

  arcpass_geocode_find_async (manager, "Redlands", NULL, 5, NULL, result_cb, &slot);
  result = wait_for (&slot);
  candidates = arcpass_geocode_find_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (candidates->len, >, 0);
  g_assert_nonnull (strstr (((ArcpassGeocodeCandidate *) g_ptr_array_index (candidates, 0))->address,
                            "Redlands"));
  g_clear_object (&result);

  /* The root was read once and is cached: a second search reads it no more. */
  g_clear_pointer (&candidates, g_ptr_array_unref);
  arcpass_geocode_find_async (manager, "Lisbon", NULL, 5, NULL, result_cb, &slot);
  result = wait_for (&slot);
  candidates = arcpass_geocode_find_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (candidates->len, >, 0);
  g_clear_object (&result);
  g_assert_cmpuint (log_count (sandbox, "/GeocodeServer"), ==, 1);

  /* No Suggest in its capabilities: refused here, nothing sent. */
  arcpass_geocode_suggest_async (manager, "Redl", FALSE, 0, 0, 5, NULL, result_cb, &slot);
  result = wait_for (&slot);
  suggestions = arcpass_geocode_suggest_finish (result, &error);
  g_assert_null (suggestions);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NOT_OFFERED);
  g_assert_cmpuint (log_count (sandbox, "/suggest"), ==, 0);

  g_assert_cmpint (arcpass_credential_get_state (credential), !=,
                   ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);
}

/* A password sign-in asks for a token bound to Arcpass's referer, and
 * every later request of the account sends it: through the token manager,
 * community/self answers (without the Referer it would be 498). */
static void
test_referer_on_later_requests (void)
{
  g_autoptr(ArcpassSandbox) sandbox = arcpass_sandbox_new ();
  g_autoptr(ArcpassClient) client = arcpass_client_new ();
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *portal = NULL;
  g_autofree char *url = NULL;

  g_assert_true (arcpass_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  portal = g_strconcat (arcpass_sandbox_get_host_url (sandbox, ARCPASS_SANDBOX_HOST_ENTERPRISE),
                        "/portal", NULL);
  arcpass_sign_in_with_password_async (client, portal, ARCPASS_SANDBOX_ENTERPRISE_USERNAME,
                                       ARCPASS_SANDBOX_ENTERPRISE_PASSWORD, NULL, result_cb, &slot);
  result = wait_for (&slot);
  credential = arcpass_sign_in_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  manager = arcpass_token_manager_new (client, credential, NULL);
  url = g_strconcat (portal, "/sharing/rest/community/self", NULL);
  arcpass_token_manager_request_json_async (manager, ARCPASS_SERVICE_PORTAL, url, NULL,
                                            ARCPASS_REQUEST_NONE, NULL, result_cb, &slot);
  result = wait_for (&slot);
  me = arcpass_token_manager_request_json_finish (manager, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (me, "username"), ==,
                   ARCPASS_SANDBOX_ENTERPRISE_USERNAME);
}

/* ---- The advertised token service ------------------------------------------ */

typedef struct {
  char  *token_url;     /* what /info advertises */
  guint  advertised;    /* POSTs to the advertised path */
  guint  default_path;  /* POSTs to <rest>/generateToken */
} FakePortal;

static void
fake_portal_cb (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  FakePortal *fake = user_data;
  g_autofree char *body = NULL;

  if (g_str_equal (path, "/portal/sharing/rest/info"))
    body = g_strdup_printf ("{\"owningSystemUrl\":\"x\",\"authInfo\":{\"isTokenBasedSecurity\":true,"
                            "\"tokenServicesUrl\":\"%s\"}}", fake->token_url);
  else if (g_str_equal (path, "/portal/sharing/rest/portals/self"))
    body = g_strdup ("{\"isPortal\":true,\"portalMode\":\"singletenant\",\"name\":\"Fake\"}");
  else if (g_str_equal (path, "/portal/sharing/rest/custom/generateToken"))
    {
      fake->advertised++;
      body = g_strdup ("{\"error\":{\"code\":400,\"message\":\"Unable to generate token.\","
                       "\"details\":[\"Invalid username or password.\"]}}");
    }
  else if (g_str_equal (path, "/portal/sharing/rest/generateToken"))
    {
      fake->default_path++;
      body = g_strdup ("{\"error\":{\"code\":400,\"message\":\"Unable to generate token.\","
                       "\"details\":[\"Invalid username or password.\"]}}");
    }
  else
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

/* The password goes to the token service /info advertises (on the portal's
 * own host), never to another host whatever /info says, and a refusal is
 * not retried. */
static void
test_advertised_token_service (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(ArcpassClient) client = arcpass_client_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *base = NULL;
  g_autofree char *portal = NULL;
  FakePortal fake = { 0 };

  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  soup_server_add_handler (server, NULL, fake_portal_cb, &fake, NULL);
  uris = soup_server_get_uris (server);
  base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  portal = g_strconcat (base, "/portal", NULL);

  /* On the portal's host, another path: used, once. */
  fake.token_url = g_strconcat (portal, "/sharing/rest/custom/generateToken", NULL);
  {
    g_autoptr(GAsyncResult) slot = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(ArcpassCredential) credential = NULL;

    arcpass_sign_in_with_password_async (client, portal, "someone", "wrong", NULL, result_cb, &slot);
    result = wait_for (&slot);
    credential = arcpass_sign_in_finish (result, &error);
    g_assert_null (credential);
    g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_CREDENTIALS);
    g_clear_error (&error);
    g_assert_cmpuint (fake.advertised, ==, 1);
    g_assert_cmpuint (fake.default_path, ==, 0);
  }
  g_free (fake.token_url);

  /* Another host (or port): refused before any password is sent. */
  fake.token_url = g_strdup ("http://127.0.0.9:9/portal/sharing/rest/generateToken");
  {
    g_autoptr(GAsyncResult) slot = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(ArcpassCredential) credential = NULL;

    arcpass_sign_in_with_password_async (client, portal, "someone", "secret", NULL, result_cb, &slot);
    result = wait_for (&slot);
    credential = arcpass_sign_in_finish (result, &error);
    g_assert_null (credential);
    g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INSECURE_PORTAL);
    g_assert_nonnull (strstr (error->message, "127.0.0.9"));
    g_clear_error (&error);
    g_assert_cmpuint (fake.advertised, ==, 1);
    g_assert_cmpuint (fake.default_path, ==, 0);
  }
  g_free (fake.token_url);
  soup_server_disconnect (server);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/enterprise/locator-root", test_locator_root);
  g_test_add_func ("/enterprise/world-is-known", test_world_is_known);
  g_test_add_func ("/enterprise/generate-token-errors", test_generate_token_errors);
  g_test_add_func ("/enterprise/token-based-security", test_token_based_security);
  g_test_add_func ("/enterprise/custom-locator", test_custom_locator);
  g_test_add_func ("/enterprise/referer-on-later-requests", test_referer_on_later_requests);
  g_test_add_func ("/enterprise/advertised-token-service", test_advertised_token_service);

  return g_test_run ();
}
