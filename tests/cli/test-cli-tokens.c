/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>

#include "arcpass-core.h"
#include "arcpass-sandbox.h"

#include "arcpass-cli.h"
#include "cli-test-common.h"

/* Where tokens go, account kinds, 498 handling and token answers, through
 * the real `arcpass` binary against a sandbox served by this process (the
 * helpers are those of test-cli.c, in cli-test-common.c): while a command runs, the test iterates
 * the context so that the sandbox answers it, and plays the browser of
 * `signin --no-launch`. The sandbox's request log (host, token issuer) is
 * the witness of where every token went.
 */

/* Does what a user does in the browser: opens the link, fills the sign-in
 * form, and follows the redirect to the loopback receiver. */
static void
act_as_browser (Fixture    *fixture,
                const char *authorize_url,
                const char *username,
                const char *password)
{
  g_autoptr(GBytes) page = NULL;
  g_autoptr(SoupMessage) get = http (fixture, "GET", authorize_url, NULL, &page);
  g_autofree char *html = bytes_to_string (page);
  g_autofree char *state = find_hidden_state (html);
  g_autoptr(GUri) base = g_uri_parse (authorize_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GUri) action = g_uri_parse_relative (base, "signin", G_URI_FLAGS_NONE, NULL);
  g_autofree char *action_url = g_uri_to_string (action);
  g_autofree char *form = NULL;
  g_autoptr(SoupMessage) post = NULL;
  g_autoptr(SoupMessage) back = NULL;
  const char *location;

  g_assert_cmpuint (soup_message_get_status (get), ==, 200);
  form = soup_form_encode ("oauth_state", state, "username", username, "password", password,
                           "authorize", "true", NULL);
  post = http (fixture, "POST", action_url, form, NULL);
  g_assert_cmpuint (soup_message_get_status (post), ==, 302);
  location = soup_message_headers_get_one (soup_message_get_response_headers (post), "Location");
  g_assert_true (g_str_has_prefix (location, "http://127.0.0.1:"));

  back = http (fixture, "GET", location, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (back), ==, 200);
}

static Run *
sign_in_through_browser (Fixture            *fixture,
                         const char * const *args,
                         const char         *username,
                         const char         *password)
{
  g_autoptr(Child) child = child_spawn (args);
  g_autofree char *url = read_signin_url (child);

  g_assert_true (strstr (url, "/oauth2/authorize?") != NULL);
  act_as_browser (fixture, url, username, password);
  return finish_process (fixture, child);
}

/* ---- Request log ---------------------------------------------------------- */

/* The log's entries since the last clear, the control API's own left out. */
static JsonArray *
sandbox_log_entries (Fixture *fixture)
{
  g_autofree char *url = g_strconcat (fixture->url, "/_sandbox/log", NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupMessage) msg = http (fixture, "GET", url, NULL, &body);
  g_autofree char *text = bytes_to_string (body);
  g_autoptr(JsonNode) root = parse_json (text);
  JsonArray *entries = json_object_get_array_member (json_node_get_object (root), "entries");
  JsonArray *out = json_array_new ();

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      if (!g_str_has_prefix (json_object_get_string_member (entry, "path"), "/_sandbox"))
        json_array_add_object_element (out, json_object_ref (entry));
    }
  return out;
}

static const char *
entry_string (JsonObject *entry,
              const char *member)
{
  JsonNode *node = json_object_get_member (entry, member);

  return node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

/* Proves from the sandbox's side that no token reached a host that did not
 * issue it or does not accept its issuer: Online portal tokens and API keys
 * only on the portal, organisation and location-service hosts; nothing the
 * sandbox did not issue (a token of another portal) anywhere. Returns how
 * many requests carried a token. */
static guint
assert_tokens_only_where_accepted (JsonArray *entries)
{
  guint carried = 0;

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *issuer = entry_string (entry, "token_issuer");
      const char *host = entry_string (entry, "host");
      const char *path = entry_string (entry, "path");

      if (issuer == NULL)
        continue;
      carried++;
      if (g_strcmp0 (issuer, "unknown") == 0)
        g_error ("A token the sandbox never issued reached %s %s", host, path);
      if ((g_strcmp0 (issuer, "portal") == 0 || g_strcmp0 (issuer, "org") == 0 ||
           g_strcmp0 (issuer, "apikey") == 0) &&
          g_strcmp0 (host, "portal") != 0 && g_strcmp0 (host, "org") != 0 &&
          g_strcmp0 (host, "services") != 0)
        g_error ("A %s token reached %s %s", issuer, host, path);
      if (g_strcmp0 (issuer, "enterprise") == 0 && g_strcmp0 (host, "enterprise") != 0)
        g_error ("An Enterprise token reached %s %s", host, path);
    }
  return carried;
}

static gboolean
log_has (JsonArray  *entries,
         const char *host,
         const char *issuer,
         const char *path_part)
{
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      if ((!host || g_strcmp0 (entry_string (entry, "host"), host) == 0) &&
          (!issuer || g_strcmp0 (entry_string (entry, "token_issuer"), issuer) == 0) &&
          (!path_part || strstr (entry_string (entry, "path"), path_part)))
        return TRUE;
    }
  return FALSE;
}

/* `accounts --json`: the member @member of the account named @name. */
static char *
account_member (Fixture    *fixture,
                const char *name,
                const char *member)
{
  g_autoptr(Run) accounts = RUN (fixture, NULL, "accounts", "--json");
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;

  g_assert_cmpint (accounts->status, ==, ARCPASS_EXIT_OK);
  root = parse_json (accounts->out);
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (account, "name"), name) == 0 ||
          g_strcmp0 (entry_string (account, "username"), name) == 0)
        return g_strdup (json_object_get_string_member (account, member));
    }
  g_error ("No account %s in %s", name, accounts->out);
  return NULL;
}

static Run *
sign_in_user (Fixture    *fixture,
              const char *username,
              const char *password)
{
  /* ArcGIS matches redirect URIs exactly, port included: a free loopback
   * port registered in the sandbox, as a user registers theirs in the OAuth
   * credential (tests run in parallel, so not the default 48765). */
  g_autofree char *redirect_uri = registered_redirect_uri (fixture);
  g_autoptr(ArcpassCredential) credential = NULL;
  Run *run;

  {
    const char * const args[] = { "signin", "--portal", fixture->url, "--client-id",
                                  ARCPASS_SANDBOX_CLIENT_ID, "--redirect-uri", redirect_uri,
                                  "--no-launch", NULL };

    run = sign_in_through_browser (fixture, args, username, password);
  }

  g_assert_cmpint (run->status, ==, ARCPASS_EXIT_OK);
  credential = store_find (username);
  g_assert_nonnull (credential);
  g_ptr_array_add (fixture->secrets, g_strdup (arcpass_credential_get_access_token (credential)));
  g_ptr_array_add (fixture->secrets, g_strdup (arcpass_credential_get_refresh_token (credential)));
  return run;
}

/* ---- Tests --------------------------------------------------------------- */

/* An Online user, an API key and an Enterprise account use the services
 * through `arcpass`; the sandbox's log proves where every token went. */
static void
test_token_audit (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("arcpass-cli-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "tile.png", NULL);
  g_autoptr(Run) signin = NULL;
  g_autoptr(Run) geocode = NULL;
  g_autoptr(Run) reverse = NULL;
  g_autoptr(Run) key_geocode = NULL;
  g_autoptr(Run) key_tile = NULL;
  g_autoptr(Run) enterprise = NULL;
  g_autoptr(JsonArray) entries = NULL;
  g_autoptr(ArcpassCredential) ent = NULL;
  g_autofree char *portal5 = NULL;
  g_autofree char *kind = NULL;

  signin = sign_in_user (fixture, ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                         ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  add_api_key (fixture, ARCPASS_SANDBOX_KEY_FULL, "full");

  /* An account of an Enterprise portal (the sandbox's Enterprise host),
   * signed in with a password (generateToken): its token must never go to
   * the location services of ArcGIS Online, only to its portal and, as a
   * server token, to the federated server's locator. */
  portal5 = g_strdup_printf ("%s/portal",
                             arcpass_sandbox_get_host_url (fixture->sb, ARCPASS_SANDBOX_HOST_ENTERPRISE));
  {
    g_autoptr(ArcpassClient) client = arcpass_client_new ();
    g_autoptr(GAsyncResult) slot = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    arcpass_sign_in_with_password_async (client, portal5, ARCPASS_SANDBOX_ENTERPRISE_USERNAME,
                                         ARCPASS_SANDBOX_ENTERPRISE_PASSWORD, NULL, async_cb, &slot);
    result = wait_result (&slot);
    ent = arcpass_sign_in_finish (result, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (arcpass_credential_get_account_kind (ent), ==, ARCPASS_ACCOUNT_KIND_ENTERPRISE);
  store_save (ent);
  g_ptr_array_add (fixture->secrets, g_strdup (arcpass_credential_get_access_token (ent)));

  sandbox_clear_log (fixture);

  geocode = RUN (fixture, NULL, "geocode", "--account", ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                 "Redlands");
  g_assert_cmpint (geocode->status, ==, ARCPASS_EXIT_OK);
  reverse = RUN (fixture, NULL, "reverse", "--account", ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                 "-117.1957", "34.0564");
  g_assert_cmpint (reverse->status, ==, ARCPASS_EXIT_OK);
  key_geocode = RUN (fixture, NULL, "geocode", "--account", "full", "Redlands");
  g_assert_cmpint (key_geocode->status, ==, ARCPASS_EXIT_OK);
  key_tile = RUN (fixture, NULL, "tile", "--account", "full", "arcgis/navigation", "3", "2", "1",
                  "-o", png);
  g_assert_cmpint (key_tile->status, ==, ARCPASS_EXIT_OK);

  /* The Enterprise account geocodes with its portal's own locator (on the
   * federated server, through a server token), never with Esri's. */
  enterprise = RUN (fixture, NULL, "geocode", "--account", ARCPASS_SANDBOX_ENTERPRISE_USERNAME,
                    "Redlands");
  g_assert_cmpint (enterprise->status, ==, ARCPASS_EXIT_OK);

  entries = sandbox_log_entries (fixture);
  g_assert_cmpuint (assert_tokens_only_where_accepted (entries), >=, 4);
  /* The services were really used, with each credential. */
  g_assert_true (log_has (entries, "services", "portal", "/GeocodeServer/"));
  g_assert_true (log_has (entries, "services", "apikey", "/GeocodeServer/"));
  g_assert_true (log_has (entries, "services", "apikey", "/static-basemap-tiles-service/"));
  g_assert_true (log_has (entries, "enterprise", "enterprise", "/server/rest/services/Locators/"));

  /* Which ArcGIS each account belongs to, as portals/self said. */
  kind = account_member (fixture, ARCPASS_SANDBOX_PUBLISHER_USERNAME, "account_kind");
  g_assert_cmpstr (kind, ==, "arcgis-online");
  g_clear_pointer (&kind, g_free);
  kind = account_member (fixture, "full", "account_kind");
  g_assert_cmpstr (kind, ==, "location-platform");
  g_clear_pointer (&kind, g_free);
  kind = account_member (fixture, ARCPASS_SANDBOX_ENTERPRISE_USERNAME, "account_kind");
  g_assert_cmpstr (kind, ==, "enterprise");

  g_unlink (png);
  g_rmdir (dir);
}

/* Static Basemap Tiles: ArcGIS Online users are told the service is not
 * offered to them (not to add a privilege), without a request; the
 * Location Platform account gets its tiles. */
static void
test_account_kinds_tiles (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("arcpass-cli-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "tile.png", NULL);
  g_autoptr(Run) online = NULL;
  g_autoptr(Run) platform = NULL;
  g_autoptr(Run) online_tile = NULL;
  g_autoptr(Run) platform_tile = NULL;
  g_autoptr(JsonArray) entries = NULL;
  g_autofree char *kind = NULL;

  online = sign_in_user (fixture, ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                         ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  platform = sign_in_user (fixture, ARCPASS_SANDBOX_PLATFORM_USERNAME,
                           ARCPASS_SANDBOX_PLATFORM_PASSWORD);
  kind = account_member (fixture, ARCPASS_SANDBOX_PLATFORM_USERNAME, "account_kind");
  g_assert_cmpstr (kind, ==, "location-platform");
  g_clear_pointer (&kind, g_free);
  kind = account_member (fixture, ARCPASS_SANDBOX_PUBLISHER_USERNAME, "account_kind");
  g_assert_cmpstr (kind, ==, "arcgis-online");

  sandbox_clear_log (fixture);
  online_tile = RUN (fixture, NULL, "tile", "--account", ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                     "arcgis/navigation", "3", "2", "1", "-o", png);
  g_assert_cmpint (online_tile->status, ==, ARCPASS_EXIT_SERVICE);
  g_assert_nonnull (strstr (online_tile->err, "Location Platform"));
  g_assert_null (strstr (online_tile->err, "premium:user:staticbasemaptiles"));
  entries = sandbox_log_entries (fixture);
  g_assert_false (log_has (entries, NULL, NULL, "/static-basemap-tiles-service/"));

  platform_tile = RUN (fixture, NULL, "tile", "--account", ARCPASS_SANDBOX_PLATFORM_USERNAME,
                       "arcgis/navigation", "3", "2", "1", "-o", png);
  g_assert_cmpint (platform_tile->status, ==, ARCPASS_EXIT_OK);

  g_unlink (png);
  g_rmdir (dir);
}

static gint64
payload_sign_in_required (const char *username)
{
  g_autoptr(ArcpassCredential) credential = store_find (username);

  g_assert_nonnull (credential);
  return arcpass_credential_get_state (credential) == ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED;
}

/* A 498 from the geocoder alone does not make the account "sign-in
 * required": the portal is asked, accepts the token, and the failure is the
 * geocoder's. When the portal refuses too, the account is marked. */
static void
test_token498_one_service (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(Run) signin = NULL;
  g_autoptr(Run) geocode = NULL;
  g_autoptr(Run) key_geocode = NULL;
  g_autoptr(Run) expired = NULL;
  g_autoptr(Run) revoked = NULL;
  g_autoptr(ArcpassCredential) before = NULL;
  g_autoptr(ArcpassCredential) after = NULL;
  g_autoptr(ArcpassCredential) stale_key = NULL;
  g_autoptr(JsonArray) entries = NULL;
  g_autofree char *state = NULL;
  g_autofree char *form = NULL;

  signin = sign_in_user (fixture, ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                         ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  add_api_key (fixture, ARCPASS_SANDBOX_KEY_FULL, "full");
  before = store_find (ARCPASS_SANDBOX_PUBLISHER_USERNAME);

  /* The geocoder answers 498 whatever the token. */
  sandbox_post (fixture, "/_sandbox/fault",
                "path=/arcgis/rest/services/World/GeocodeServer&mode=token498&count=20");
  sandbox_clear_log (fixture);
  geocode = RUN (fixture, NULL, "geocode", "--account", ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                 "Redlands");
  g_assert_cmpint (geocode->status, ==, ARCPASS_EXIT_SERVICE);
  g_assert_nonnull (strstr (geocode->err, "the geocoding service"));
  g_assert_nonnull (strstr (geocode->err, "although the portal accepts it"));
  entries = sandbox_log_entries (fixture);
  g_assert_true (log_has (entries, "portal", "portal", "/community/self"));

  state = account_member (fixture, ARCPASS_SANDBOX_PUBLISHER_USERNAME, "state");
  g_assert_cmpstr (state, ==, "valid");
  g_clear_pointer (&state, g_free);
  g_assert_false (payload_sign_in_required (ARCPASS_SANDBOX_PUBLISHER_USERNAME));
  after = store_find (ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_assert_cmpstr (arcpass_credential_get_refresh_token (after), ==,
                   arcpass_credential_get_refresh_token (before));
  g_assert_cmpint (arcpass_credential_get_account_kind (after), ==,
                   arcpass_credential_get_account_kind (before));

  /* The same for an API key (the portal asked is portals/self). */
  key_geocode = RUN (fixture, NULL, "geocode", "--account", "full", "Redlands");
  g_assert_cmpint (key_geocode->status, ==, ARCPASS_EXIT_SERVICE);
  g_assert_nonnull (strstr (key_geocode->err, "although the portal accepts it"));
  state = account_member (fixture, "full", "state");
  g_assert_cmpstr (state, ==, "valid");
  g_clear_pointer (&state, g_free);

  /* Negative control 1: a key the portal refuses too (expired) becomes
   * "sign-in required", saved so. */
  stale_key = arcpass_credential_new (ARCPASS_CREDENTIAL_API_KEY, fixture->url);
  arcpass_credential_set_username (stale_key, "stale.key");
  arcpass_credential_set_access_token (stale_key, ARCPASS_SANDBOX_KEY_EXPIRED);
  store_save (stale_key);
  expired = RUN (fixture, NULL, "geocode", "--account", "stale.key", "Redlands");
  g_assert_cmpint (expired->status, ==, ARCPASS_EXIT_SIGN_IN_REQUIRED);
  state = account_member (fixture, "stale.key", "state");
  g_assert_cmpstr (state, ==, "sign-in-required");
  g_clear_pointer (&state, g_free);
  g_assert_true (payload_sign_in_required ("stale.key"));

  /* Negative control 2: the user's tokens revoked on the portal. */
  form = g_strdup_printf ("auth_token=%s&client_id=%s&token_type_hint=refresh_token&f=json",
                          arcpass_credential_get_refresh_token (after), ARCPASS_SANDBOX_CLIENT_ID);
  sandbox_post (fixture, "/sharing/rest/oauth2/revokeToken", form);
  revoked = RUN (fixture, NULL, "geocode", "--account", ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                 "Redlands");
  g_assert_cmpint (revoked->status, ==, ARCPASS_EXIT_SIGN_IN_REQUIRED);
  state = account_member (fixture, ARCPASS_SANDBOX_PUBLISHER_USERNAME, "state");
  g_assert_cmpstr (state, ==, "sign-in-required");
  g_assert_true (payload_sign_in_required (ARCPASS_SANDBOX_PUBLISHER_USERNAME));
}

/* "Old Enterprise" (before 10.9.1) does not say how long a refresh token
 * lives: the requested expiration (two weeks) stands in for it, so that
 * the refresh token is still rotated within a day of its end. */
static void
test_old_enterprise_rotation (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(Run) signin = NULL;
  g_autoptr(Run) token = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(ArcpassCredential) after = NULL;
  g_autoptr(JsonArray) entries = NULL;
  g_autofree char *old_refresh = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 two_weeks = 20160 * 60;

  sandbox_post (fixture, "/_sandbox/config", "old_enterprise=1");
  signin = sign_in_user (fixture, ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                         ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  credential = store_find (ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_assert_cmpint (arcpass_credential_get_refresh_expires (credential), >=, now + two_weeks - 5);
  g_assert_cmpint (arcpass_credential_get_refresh_expires (credential), <=,
                   g_get_real_time () / G_USEC_PER_SEC + two_weeks + 5);

  /* Thirteen and a half days later (for the client; the sandbox's refresh
   * token lives its two weeks): the access token has expired and the
   * refresh token has an hour left. */
  old_refresh = g_strdup (arcpass_credential_get_refresh_token (credential));
  now = g_get_real_time () / G_USEC_PER_SEC;
  arcpass_credential_set_access_expires (credential, now - 60);
  arcpass_credential_set_refresh_expires (credential, now + 3600);
  store_save (credential);

  sandbox_clear_log (fixture);
  token = RUN (fixture, NULL, "token", "--account", ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_assert_cmpint (token->status, ==, ARCPASS_EXIT_OK);
  entries = sandbox_log_entries (fixture);
  g_assert_true (log_has (entries, "portal", NULL, "/oauth2/token"));

  /* Rotated: a new refresh token, whose life is known again. */
  after = store_find (ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_ptr_array_add (fixture->secrets, g_strdup (arcpass_credential_get_refresh_token (after)));
  g_assert_cmpstr (arcpass_credential_get_refresh_token (after), !=, old_refresh);
  g_assert_cmpint (arcpass_credential_get_refresh_expires (after), >=, now + two_weeks - 5);
}

/* A public client swaps its code without a client secret, with or without
 * PKCE (DOC token: only client_credentials needs the secret). */
/* The sandbox app's authorize URL for @redirect_uri, registered first:
 * ArcGIS matches redirect URIs exactly (nothing listens there; the test
 * reads the code from the redirect). */
static char *
authorize_url_for (Fixture    *fixture,
                   const char *redirect_uri)
{
  g_autofree char *escaped = g_uri_escape_string (redirect_uri, NULL, FALSE);

  arcpass_sandbox_register_redirect_uri (fixture->sb, redirect_uri);
  return g_strdup_printf ("%s/sharing/rest/oauth2/authorize?client_id=%s"
                          "&response_type=code&redirect_uri=%s",
                          fixture->url, ARCPASS_SANDBOX_CLIENT_ID, escaped);
}

static void
test_public_client_code_exchange (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *authorize = authorize_url_for (fixture, "http://127.0.0.1:1/callback");
  g_autoptr(GBytes) page = NULL;
  g_autoptr(SoupMessage) get = http (fixture, "GET", authorize, NULL, &page);
  g_autofree char *html = bytes_to_string (page);
  g_autofree char *state = find_hidden_state (html);
  g_autofree char *signin_url = g_strconcat (fixture->url, "/sharing/rest/oauth2/signin", NULL);
  g_autofree char *form = soup_form_encode ("oauth_state", state,
                                            "username", ARCPASS_SANDBOX_USER_USERNAME,
                                            "password", ARCPASS_SANDBOX_USER_PASSWORD,
                                            "authorize", "true", NULL);
  g_autoptr(SoupMessage) post = http (fixture, "POST", signin_url, form, NULL);
  const char *location = soup_message_headers_get_one (soup_message_get_response_headers (post),
                                                       "Location");
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) query = NULL;
  g_autofree char *token_url = g_strconcat (fixture->url, "/sharing/rest/oauth2/token", NULL);
  g_autofree char *exchange = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(SoupMessage) token = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) json = NULL;

  g_assert_cmpuint (soup_message_get_status (get), ==, 200);
  g_assert_cmpuint (soup_message_get_status (post), ==, 302);
  uri = g_uri_parse (location, G_URI_FLAGS_NONE, NULL);
  query = soup_form_decode (g_uri_get_query (uri));
  exchange = soup_form_encode ("grant_type", "authorization_code",
                               "client_id", ARCPASS_SANDBOX_CLIENT_ID,
                               "redirect_uri", "http://127.0.0.1:1/callback",
                               "code", g_hash_table_lookup (query, "code"),
                               "f", "json", NULL);
  token = http (fixture, "POST", token_url, exchange, &answer);
  text = bytes_to_string (answer);
  json = parse_json (text);
  g_assert_true (json_object_has_member (json_node_get_object (json), "access_token"));
  g_assert_true (json_object_get_boolean_member (json_node_get_object (json), "ssl"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/cli-tokens/token-audit", test_token_audit);
  ADD ("/cli-tokens/account-kinds-tiles", test_account_kinds_tiles);
  ADD ("/cli-tokens/token498-one-service", test_token498_one_service);
  ADD ("/cli-tokens/old-enterprise-rotation", test_old_enterprise_rotation);
  ADD ("/cli-tokens/public-client-code-exchange", test_public_client_code_exchange);
#undef ADD

  return g_test_run ();
}
