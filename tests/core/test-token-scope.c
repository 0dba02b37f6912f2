/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-core.h"
#include "arcpass-server-tokens.h"
#include "arcpass-token-scope.h"

/* ---- Where a token may go: one table -------------------------------------- */

typedef struct
{
  const char            *what;
  ArcpassCredentialKind  kind;
  ArcpassAccountKind     account_kind;
  const char            *portal_url;
  gboolean               ssl;
  const char            *org_host;
  const char            *url;
  ArcpassTokenScope      expected;
} ScopeCase;

#define ONLINE     ARCPASS_ACCOUNT_KIND_ONLINE
#define LP         ARCPASS_ACCOUNT_KIND_LOCATION_PLATFORM
#define ENTERPRISE ARCPASS_ACCOUNT_KIND_ENTERPRISE
#define UNKNOWN    ARCPASS_ACCOUNT_KIND_UNKNOWN
#define USER       ARCPASS_CREDENTIAL_OAUTH_USER
#define KEY        ARCPASS_CREDENTIAL_API_KEY
#define APP        ARCPASS_CREDENTIAL_APP_CREDENTIALS
#define GEN        ARCPASS_CREDENTIAL_GENERATE_TOKEN
#define YES        ARCPASS_TOKEN_SCOPE_ACCOUNT
#define NO         ARCPASS_TOKEN_SCOPE_NONE
#define SERVER     ARCPASS_TOKEN_SCOPE_SERVER

static const ScopeCase scope_cases[] = {
  /* ArcGIS Online user. */
  { "online user, geocoder", USER, ONLINE, "https://www.arcgis.com", TRUE, NULL,
    "https://geocode-api.arcgis.com/arcgis/rest/services/World/GeocodeServer/findAddressCandidates", YES },
  { "online user, basemap styles", USER, ONLINE, "https://www.arcgis.com", TRUE, NULL,
    "https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2/styles/self", YES },
  { "online user, own portal", USER, ONLINE, "https://www.arcgis.com", TRUE, NULL,
    "https://www.arcgis.com/sharing/rest/community/self", YES },
  { "online user, org host", USER, ONLINE, "https://www.arcgis.com", TRUE, NULL,
    "https://myorg.maps.arcgis.com/sharing/rest/portals/self", YES },
  { "online user, bare arcgis.com", USER, ONLINE, "https://www.arcgis.com", TRUE, NULL,
    "https://arcgis.com/sharing/rest/info", YES },
  { "online user, look-alike suffix", USER, ONLINE, "https://www.arcgis.com", TRUE, NULL,
    "https://arcgis.com.evil.com/arcgis/rest/services", NO },
  { "online user, look-alike prefix", USER, ONLINE, "https://www.arcgis.com", TRUE, NULL,
    "https://evilarcgis.com/arcgis/rest/services", NO },
  { "online user, http arcgis", USER, ONLINE, "https://www.arcgis.com", TRUE, NULL,
    "http://geocode-api.arcgis.com/arcgis/rest/services/World/GeocodeServer", NO },
  { "online user, http arcgis without ssl flag", USER, ONLINE, "https://www.arcgis.com", FALSE, NULL,
    "http://geocode-api.arcgis.com/arcgis/rest/services/World/GeocodeServer", NO },
  { "online user, user info trick", USER, ONLINE, "https://www.arcgis.com", TRUE, NULL,
    "https://www.arcgis.com@evil.com/sharing/rest", NO },
  { "online user, other server", USER, ONLINE, "https://www.arcgis.com", TRUE, NULL,
    "https://gis.example.com/server/rest/services/Foo/MapServer", NO },
  { "online user, not a URL", USER, ONLINE, "https://www.arcgis.com", TRUE, NULL, "geocode", NO },
  { "online user, other scheme", USER, ONLINE, "https://www.arcgis.com", TRUE, NULL,
    "ftp://geocode-api.arcgis.com/x", NO },
  /* Location Platform. */
  { "location platform, static tiles host", USER, LP, "https://www.arcgis.com", TRUE, NULL,
    "https://static-map-tiles-api.arcgis.com/arcgis/rest/services/static-basemap-tiles-service/v1/self", YES },
  { "location platform, evil", USER, LP, "https://www.arcgis.com", TRUE, NULL,
    "https://static-map-tiles-api.arcgis.com.evil.net/x", NO },
  /* API keys and app credentials of ArcGIS Online. */
  { "api key, geocoder", KEY, UNKNOWN, "https://www.arcgis.com", FALSE, NULL,
    "https://geocode-api.arcgis.com/arcgis/rest/services/World/GeocodeServer", YES },
  { "api key, other host", KEY, UNKNOWN, "https://www.arcgis.com", FALSE, NULL,
    "https://tiles.example.org/arcgis/rest/services", NO },
  { "app credentials, styles", APP, ONLINE, "https://www.arcgis.com", FALSE, NULL,
    "https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2", YES },
  /* ArcGIS Enterprise. */
  { "enterprise user, own portal", USER, ENTERPRISE, "https://gis.example.com/portal", TRUE, NULL,
    "https://gis.example.com/portal/sharing/rest/community/self", YES },
  { "enterprise user, portal look-alike path", USER, ENTERPRISE, "https://gis.example.com/portal",
    TRUE, NULL, "https://gis.example.com/portalx/sharing/rest", NO },
  { "enterprise user, Esri geocoder", USER, ENTERPRISE, "https://gis.example.com/portal", TRUE, NULL,
    "https://geocode.arcgis.com/arcgis/rest/services/World/GeocodeServer", NO },
  { "enterprise user, Esri basemaps", USER, ENTERPRISE, "https://gis.example.com/portal", TRUE, NULL,
    "https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2/styles/self", NO },
  { "enterprise user, federated server", USER, ENTERPRISE, "https://gis.example.com/portal", TRUE,
    NULL, "https://gis.example.com/server/rest/services/Locator/GeocodeServer", SERVER },
  { "enterprise user, server elsewhere", USER, ENTERPRISE, "https://gis.example.com/portal", TRUE,
    NULL, "https://maps.example.org/arcgis/rest/services/Foo/MapServer", SERVER },
  { "enterprise user, http server", USER, ENTERPRISE, "https://gis.example.com/portal", FALSE,
    NULL, "http://maps.example.org/arcgis/rest/services/Foo/MapServer", NO },
  { "enterprise user, not a server", USER, ENTERPRISE, "https://gis.example.com/portal", TRUE,
    NULL, "https://www.example.org/index.html", NO },
  { "enterprise generateToken, federated server", GEN, ENTERPRISE, "https://gis.example.com/portal",
    TRUE, NULL, "https://gis.example.com/server/rest/services/Foo/MapServer", SERVER },
  { "enterprise app token, server", APP, ENTERPRISE, "https://gis.example.com/portal", TRUE, NULL,
    "https://gis.example.com/server/rest/services/Foo/MapServer", NO },
  { "enterprise guessed from URL, Esri host", USER, UNKNOWN, "https://gis.example.com/portal", TRUE,
    NULL, "https://geocode-api.arcgis.com/arcgis/rest/services/World/GeocodeServer", NO },
  { "enterprise org host", USER, ENTERPRISE, "https://gis.example.com/portal", TRUE,
    "org.gis.example.com", "https://org.gis.example.com/sharing/rest/portals/self", YES },
  /* The sandbox (a loopback portal standing for ArcGIS Online). */
  { "sandbox user, services host", USER, ONLINE, "http://127.0.0.1:40000", TRUE, NULL,
    "http://127.0.0.4:40000/arcgis/rest/services/World/GeocodeServer", YES },
  { "sandbox user, org host", USER, ONLINE, "http://127.0.0.1:40000", TRUE, NULL,
    "http://127.0.0.2:40000/sharing/rest/portals/self", YES },
  { "sandbox user, other port", USER, ONLINE, "http://127.0.0.1:40000", TRUE, NULL,
    "http://127.0.0.4:40001/arcgis/rest/services/World/GeocodeServer", NO },
  { "sandbox user, enterprise host", USER, ONLINE, "http://127.0.0.1:40000", TRUE, NULL,
    "http://127.0.0.5:40000/portal/sharing/rest/portals/self", NO },
  { "sandbox user, identity provider", USER, ONLINE, "http://127.0.0.1:40000", TRUE, NULL,
    "http://127.0.0.3:40000/idp/signin", NO },
  { "sandbox key, services host", KEY, UNKNOWN, "http://127.0.0.1:40000", FALSE, NULL,
    "http://127.0.0.4:40000/arcgis/rest/services/styles/v2/styles/self", YES },
  { "sandbox enterprise user, own portal", USER, ENTERPRISE, "http://127.0.0.5:40000/portal", FALSE,
    NULL, "http://127.0.0.5:40000/portal/sharing/rest/community/self", YES },
  { "sandbox enterprise user, services host", USER, ENTERPRISE, "http://127.0.0.5:40000/portal",
    FALSE, NULL, "http://127.0.0.4:40000/arcgis/rest/services/World/GeocodeServer/findAddressCandidates",
    SERVER },
  { "sandbox enterprise user, its server", USER, ENTERPRISE, "http://127.0.0.5:40000/portal", FALSE,
    NULL, "http://127.0.0.5:40000/server/rest/services/Foo/MapServer", SERVER },
  { "sandbox enterprise guessed, styles host", USER, UNKNOWN, "http://127.0.0.5:40000/portal", FALSE,
    NULL, "http://127.0.0.4:40000/arcgis/rest/services/styles/v2/styles/self", SERVER },
  { "sandbox enterprise user, Esri styles", USER, UNKNOWN, "http://127.0.0.5:40000/portal", FALSE,
    NULL, "https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2/styles/self", NO },
};

static void
test_scope_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (scope_cases); i++)
    {
      const ScopeCase *c = &scope_cases[i];
      g_autoptr(ArcpassCredential) credential = arcpass_credential_new (c->kind, c->portal_url);
      g_autofree char *reason = NULL;
      ArcpassTokenScope got;

      arcpass_credential_set_account_kind (credential, c->account_kind);
      arcpass_credential_set_ssl (credential, c->ssl);
      got = arcpass_token_scope_decide (credential, c->org_host, c->url, &reason);
      if (got != c->expected)
        g_error ("%s: %s gave %d, expected %d", c->what, c->url, got, c->expected);
      /* A refusal always says why, naming the host when there is one. */
      if (got == ARCPASS_TOKEN_SCOPE_NONE)
        g_assert_nonnull (reason);
      else
        g_assert_null (reason);
    }
}

static void
test_scope_reasons (void)
{
  g_autoptr(ArcpassCredential) credential =
    arcpass_credential_new (ARCPASS_CREDENTIAL_OAUTH_USER, "https://gis.example.com/portal");
  g_autofree char *reason = NULL;

  arcpass_credential_set_account_kind (credential, ARCPASS_ACCOUNT_KIND_ENTERPRISE);
  g_assert_cmpint (arcpass_token_scope_decide (credential, NULL,
                                               "https://geocode-api.arcgis.com/arcgis/rest/info",
                                               &reason), ==, ARCPASS_TOKEN_SCOPE_NONE);
  g_assert_nonnull (strstr (reason, "geocode-api.arcgis.com"));
  g_clear_pointer (&reason, g_free);

  g_assert_cmpint (arcpass_token_scope_decide (credential, NULL,
                                               "https://basemapstyles-api.arcgis.com/styles",
                                               &reason), ==, ARCPASS_TOKEN_SCOPE_NONE);
  g_assert_nonnull (strstr (reason, "basemapstyles-api.arcgis.com"));
  g_assert_nonnull (strstr (reason, "not sent"));
}

static void
test_find_root (void)
{
  static const struct { const char *url; const char *root; } cases[] = {
    { "https://gis.example.com/server/rest/services/Foo/MapServer/0/query?x=1",
      "https://gis.example.com/server" },
    { "https://gis.example.com/arcgis/rest/info", "https://gis.example.com/arcgis" },
    { "https://gis.example.com:6443/arcgis/rest/services", "https://gis.example.com:6443/arcgis" },
    { "https://gis.example.com/rest/services/Foo", "https://gis.example.com" },
    { "https://gis.example.com/server/rest", "https://gis.example.com/server" },
    { "https://gis.example.com/portal/home", NULL },
    { "not a url", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *root = arcpass_server_tokens_find_root (cases[i].url);

      g_assert_cmpstr (root, ==, cases[i].root);
    }
}

/* ---- Account kind in the keyring payload ------------------------------------ */

static void
test_account_kind_payload (void)
{
  /* A version-1 payload saved before the kind was recorded still loads. */
  const char *old = "{\"version\":1,\"kind\":\"oauth-user\",\"id\":\"a\","
                    "\"portal_url\":\"https://gis.example.com/portal\"}";
  const char *future = "{\"version\":1,\"kind\":\"api-key\",\"id\":\"b\","
                       "\"account_kind\":\"something-new\"}";
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(ArcpassCredential) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *payload = NULL;

  credential = arcpass_credential_new_from_payload (old, &error);
  g_assert_no_error (error);
  g_assert_cmpint (arcpass_credential_get_account_kind (credential), ==, ARCPASS_ACCOUNT_KIND_UNKNOWN);
  g_assert_cmpint (arcpass_credential_get_effective_account_kind (credential), ==,
                   ARCPASS_ACCOUNT_KIND_ENTERPRISE);

  arcpass_credential_set_account_kind (credential, ARCPASS_ACCOUNT_KIND_LOCATION_PLATFORM);
  payload = arcpass_credential_to_payload (credential);
  g_assert_nonnull (strstr (payload, "\"version\":1"));
  again = arcpass_credential_new_from_payload (payload, &error);
  g_assert_no_error (error);
  g_assert_cmpint (arcpass_credential_get_account_kind (again), ==,
                   ARCPASS_ACCOUNT_KIND_LOCATION_PLATFORM);
  arcpass_secret_free (g_steal_pointer (&payload));

  g_clear_object (&again);
  again = arcpass_credential_new_from_payload (future, &error);
  g_assert_no_error (error);
  g_assert_cmpint (arcpass_credential_get_account_kind (again), ==, ARCPASS_ACCOUNT_KIND_UNKNOWN);
  g_assert_cmpint (arcpass_credential_get_effective_account_kind (again), ==,
                   ARCPASS_ACCOUNT_KIND_ONLINE);
}

/* ---- Server tokens against a small Enterprise ------------------------------ */

typedef struct
{
  SoupServer *server;
  char       *base;          /* http://127.0.0.1:PORT */
  guint       generate_calls;
  guint       info_calls;
  guint       server_tokens_issued;
  char       *last_portal_token;
  GMainLoop  *loop;
  gpointer    result;
  GError     *error;
} Enterprise;

#define PORTAL_TOKEN "portal-token-of-enterprise-user"

static void
respond (SoupServerMessage *msg,
         const char        *json)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static void
enterprise_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Enterprise *e = user_data;
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "X-Esri-Authorization");

  if (strcmp (path, "/server/rest/info") == 0 || strcmp (path, "/other/rest/info") == 0)
    {
      g_autofree char *json = NULL;

      e->info_calls++;
      /* /rest/info is asked anonymously: no token before the server is known. */
      g_assert_null (auth);
      g_assert_true (query == NULL || !g_hash_table_contains (query, "token"));
      json = g_strdup_printf ("{\"currentVersion\":11.3,\"owningSystemUrl\":\"%s\"}",
                              strcmp (path, "/server/rest/info") == 0
                                ? e->base + 0 : "https://someone-else.example.com/portal");
      if (strcmp (path, "/server/rest/info") == 0)
        {
          g_free (json);
          json = g_strdup_printf ("{\"currentVersion\":11.3,\"owningSystemUrl\":\"%s/portal\"}",
                                  e->base);
        }
      respond (msg, json);
      return;
    }

  if (strcmp (path, "/portal/sharing/rest/generateToken") == 0)
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
      g_autoptr(GHashTable) form = soup_form_decode (g_bytes_get_data (bytes, NULL));
      g_autofree char *json = NULL;

      g_assert_cmpstr (soup_server_message_get_method (msg), ==, "POST");
      e->generate_calls++;
      g_free (e->last_portal_token);
      e->last_portal_token = g_strdup (g_hash_table_lookup (form, "token"));
      g_assert_cmpstr (g_hash_table_lookup (form, "serverUrl"), !=, NULL);
      json = g_strdup_printf ("{\"token\":\"server-token-%u\",\"expires\":%" G_GINT64_FORMAT
                              ",\"ssl\":false}", ++e->server_tokens_issued,
                              (g_get_real_time () / G_USEC_PER_SEC + 3600) * 1000);
      respond (msg, json);
      return;
    }

  if (g_str_has_prefix (path, "/server/rest/services/"))
    {
      g_autofree char *expected = g_strdup_printf ("Bearer server-token-%u", e->server_tokens_issued);

      /* The federated server only ever sees its own server token. */
      if (g_strcmp0 (auth, expected) != 0)
        respond (msg, "{\"error\":{\"code\":498,\"message\":\"Invalid Token\",\"details\":[]}}");
      else
        respond (msg, "{\"currentVersion\":11.3,\"serviceDescription\":\"ok\"}");
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static void
enterprise_start (Enterprise *e)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  memset (e, 0, sizeof *e);
  e->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (e->server, NULL, enterprise_cb, e, NULL);
  g_assert_true (soup_server_listen_local (e->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (e->server);
  e->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  e->loop = g_main_loop_new (NULL, FALSE);
}

static void
enterprise_stop (Enterprise *e)
{
  soup_server_disconnect (e->server);
  g_clear_object (&e->server);
  g_free (e->base);
  g_free (e->last_portal_token);
  g_main_loop_unref (e->loop);
}

static void
json_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Enterprise *e = user_data;

  e->result = arcpass_token_manager_request_json_finish (ARCPASS_TOKEN_MANAGER (object), result,
                                                         &e->error);
  g_main_loop_quit (e->loop);
}

static JsonObject *
request_json (Enterprise          *e,
              ArcpassTokenManager *manager,
              const char          *path,
              GError             **error)
{
  g_autofree char *url = g_strconcat (e->base, path, NULL);

  e->result = NULL;
  e->error = NULL;
  arcpass_token_manager_request_json_async (manager, ARCPASS_SERVICE_NONE, url, NULL,
                                            ARCPASS_REQUEST_NONE, NULL, json_done_cb, e);
  g_main_loop_run (e->loop);
  if (e->error)
    g_propagate_error (error, e->error);
  return e->result;
}

static ArcpassTokenManager *
enterprise_manager (Enterprise     *e,
                    ArcpassClient **out_client)
{
  g_autofree char *portal = g_strconcat (e->base, "/portal", NULL);
  g_autoptr(ArcpassCredential) credential =
    arcpass_credential_new (ARCPASS_CREDENTIAL_GENERATE_TOKEN, portal);

  arcpass_credential_set_account_kind (credential, ARCPASS_ACCOUNT_KIND_ENTERPRISE);
  arcpass_credential_set_access_token (credential, PORTAL_TOKEN);
  arcpass_credential_set_access_expires (credential, g_get_real_time () / G_USEC_PER_SEC + 7200);
  *out_client = arcpass_client_new ();
  return arcpass_token_manager_new (*out_client, credential, NULL);
}

static void
test_server_token_federated (void)
{
  Enterprise e;
  g_autoptr(ArcpassClient) client = NULL;
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;

  enterprise_start (&e);
  manager = enterprise_manager (&e, &client);

  json = request_json (&e, manager, "/server/rest/services/Foo/MapServer", &error);
  g_assert_no_error (error);
  g_assert_nonnull (json);
  g_assert_cmpuint (e.info_calls, ==, 1);
  g_assert_cmpuint (e.generate_calls, ==, 1);
  g_assert_cmpstr (e.last_portal_token, ==, PORTAL_TOKEN);
  g_clear_pointer (&json, json_object_unref);

  /* Cached per server root: no second exchange. */
  json = request_json (&e, manager, "/server/rest/services/Bar/FeatureServer/0", &error);
  g_assert_no_error (error);
  g_assert_nonnull (json);
  g_assert_cmpuint (e.generate_calls, ==, 1);
  g_assert_cmpuint (e.info_calls, ==, 1);
  g_clear_pointer (&json, json_object_unref);

  /* The server forgets its token (498): a new one is fetched once; the
   * account is not touched. */
  e.server_tokens_issued += 10;
  json = request_json (&e, manager, "/server/rest/services/Foo/MapServer", &error);
  g_assert_no_error (error);
  g_assert_nonnull (json);
  g_assert_cmpuint (e.generate_calls, ==, 2);
  g_assert_cmpint (arcpass_credential_get_state (arcpass_token_manager_get_credential (manager)), ==,
                   ARCPASS_CREDENTIAL_STATE_VALID);

  g_clear_object (&manager);
  enterprise_stop (&e);
}

static void
test_server_token_not_federated (void)
{
  Enterprise e;
  g_autoptr(ArcpassClient) client = NULL;
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;

  enterprise_start (&e);
  manager = enterprise_manager (&e, &client);

  /* /other is owned by another portal: its /rest/info is read, but no
   * token of any kind goes to it and the portal is not asked for one. */
  json = request_json (&e, manager, "/other/rest/services/Foo/MapServer", &error);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NO_TOKEN_FOR_HOST);
  g_assert_null (json);
  g_assert_cmpuint (e.info_calls, ==, 1);
  g_assert_cmpuint (e.generate_calls, ==, 0);
  g_clear_error (&error);

  /* Esri's hosts never get an Enterprise token, and are not even asked. */
  {
    guint before = g_list_model_get_n_items (G_LIST_MODEL (arcpass_client_get_request_log (client)));

    e.result = NULL;
    e.error = NULL;
    arcpass_token_manager_request_json_async (manager, ARCPASS_SERVICE_BASEMAP_STYLES,
                                              "https://basemapstyles-api.arcgis.com/arcgis/styles/self",
                                              NULL, ARCPASS_REQUEST_NONE, NULL, json_done_cb, &e);
    g_main_loop_run (e.loop);
    g_assert_error (e.error, ARCPASS_ERROR, ARCPASS_ERROR_NO_TOKEN_FOR_HOST);
    g_assert_nonnull (strstr (e.error->message, "basemapstyles-api.arcgis.com"));
    g_clear_error (&e.error);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (arcpass_client_get_request_log (client))),
                      ==, before);
  }

  g_clear_object (&manager);
  enterprise_stop (&e);
}

static void
token_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Enterprise *e = user_data;

  e->result = arcpass_token_manager_get_token_finish (ARCPASS_TOKEN_MANAGER (object), result,
                                                      &e->error);
  g_main_loop_quit (e->loop);
}

/* exchange_refresh_token must use the redirect URI the account signed in
 * with: without one, a clear error and no request (never a guess). */
static void
test_rotation_needs_redirect_uri (void)
{
  Enterprise e;
  g_autoptr(ArcpassClient) client = arcpass_client_new ();
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autofree char *portal = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  enterprise_start (&e);
  portal = g_strconcat (e.base, "/portal", NULL);
  credential = arcpass_credential_new (ARCPASS_CREDENTIAL_OAUTH_USER, portal);
  arcpass_credential_set_client_id (credential, "someClient");
  arcpass_credential_set_access_token (credential, "expired-access");
  arcpass_credential_set_access_expires (credential, now - 60);
  arcpass_credential_set_refresh_token (credential, "refresh-with-an-hour-left");
  arcpass_credential_set_refresh_expires (credential, now + 3600);
  manager = arcpass_token_manager_new (client, credential, NULL);

  e.result = NULL;
  e.error = NULL;
  arcpass_token_manager_get_token_async (manager, FALSE, NULL, token_done_cb, &e);
  g_main_loop_run (e.loop);
  g_assert_null (e.result);
  g_assert_error (e.error, ARCPASS_ERROR, ARCPASS_ERROR_SIGN_IN_REQUIRED);
  g_assert_nonnull (strstr (e.error->message, "redirect URI"));
  g_clear_error (&e.error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (arcpass_client_get_request_log (client))),
                    ==, 0);

  g_clear_object (&manager);
  enterprise_stop (&e);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/token-scope/table", test_scope_table);
  g_test_add_func ("/token-scope/reasons", test_scope_reasons);
  g_test_add_func ("/server-tokens/find-root", test_find_root);
  g_test_add_func ("/server-tokens/federated", test_server_token_federated);
  g_test_add_func ("/server-tokens/not-federated", test_server_token_not_federated);
  g_test_add_func ("/credential/account-kind-payload", test_account_kind_payload);
  g_test_add_func ("/token-manager/rotation-needs-redirect-uri", test_rotation_needs_redirect_uri);

  return g_test_run ();
}
