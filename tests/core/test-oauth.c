/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-core.h"

/* RFC 7636 Appendix B. */
static void
test_pkce_rfc7636_vector (void)
{
  g_autofree char *challenge = NULL;

  challenge = arcpass_pkce_challenge_s256 ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  g_assert_cmpstr (challenge, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");

  /* The verifier of the RFC is the base64url of these 32 octets. */
  {
    static const guint8 octets[32] = {
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173,
      187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83,
      132, 141, 121
    };
    g_autofree char *verifier = arcpass_base64url_encode (octets, sizeof octets);

    g_assert_cmpstr (verifier, ==, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  }
}

static void
test_pkce_verifier_random (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassSecret) a = arcpass_pkce_verifier_new (&error);
  g_autoptr(ArcpassSecret) b = NULL;

  g_assert_no_error (error);
  b = arcpass_pkce_verifier_new (&error);
  g_assert_no_error (error);

  g_assert_cmpuint (strlen (a), ==, 43);
  g_assert_cmpuint (strlen (b), ==, 43);
  g_assert_cmpstr (a, !=, b);
  for (const char *p = a; *p; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
}

static void
test_secret_helpers (void)
{
  g_autofree char *masked = arcpass_secret_mask ("AAPTxxxxxxxxxxxxxxxxxx1234");
  g_autofree char *short_masked = arcpass_secret_mask ("abc");

  g_assert_cmpstr (masked, ==, "••••1234");
  g_assert_cmpstr (short_masked, ==, "••••");
  g_assert_true (arcpass_secret_equal ("abc", "abc"));
  g_assert_false (arcpass_secret_equal ("abc", "abd"));
  g_assert_false (arcpass_secret_equal ("abc", "abcd"));
  g_assert_false (arcpass_secret_equal ("", "a"));
  g_assert_false (arcpass_secret_equal (NULL, "a"));
  g_assert_true (arcpass_secret_equal (NULL, NULL));
}

static GHashTable *
query_of (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED_QUERY, NULL);

  g_assert_nonnull (uri);
  return g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
}

static void
test_authorize_url (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassAuthorization) auth = NULL;
  g_autoptr(ArcpassAuthorization) other = NULL;
  g_autoptr(GHashTable) query = NULL;
  g_autofree char *url = NULL;
  g_autofree char *challenge = NULL;

  auth = arcpass_authorization_new ("myorg.maps.arcgis.com", "APPID", "http://127.0.0.1:8765/callback", &error);
  g_assert_no_error (error);
  arcpass_authorization_set_locale (auth, "fr");
  arcpass_authorization_set_force_login (auth, TRUE);
  url = arcpass_authorization_build_url (auth);

  g_assert_true (g_str_has_prefix (url, "https://myorg.maps.arcgis.com/sharing/rest/oauth2/authorize?"));
  query = query_of (url);
  g_assert_cmpstr (g_hash_table_lookup (query, "client_id"), ==, "APPID");
  g_assert_cmpstr (g_hash_table_lookup (query, "response_type"), ==, "code");
  g_assert_cmpstr (g_hash_table_lookup (query, "redirect_uri"), ==, "http://127.0.0.1:8765/callback");
  g_assert_cmpstr (g_hash_table_lookup (query, "state"), ==, arcpass_authorization_get_state (auth));
  g_assert_cmpstr (g_hash_table_lookup (query, "code_challenge_method"), ==, "S256");
  challenge = arcpass_pkce_challenge_s256 (arcpass_authorization_get_code_verifier (auth));
  g_assert_cmpstr (g_hash_table_lookup (query, "code_challenge"), ==, challenge);
  g_assert_cmpstr (g_hash_table_lookup (query, "expiration"), ==, "20160");
  g_assert_cmpstr (g_hash_table_lookup (query, "locale"), ==, "fr");
  g_assert_cmpstr (g_hash_table_lookup (query, "force_login"), ==, "true");
  g_assert_false (g_hash_table_contains (query, "prepopulatedusername"));
  /* The verifier itself never goes to the authorize page. */
  g_assert_null (strstr (url, arcpass_authorization_get_code_verifier (auth)));

  /* Every attempt has fresh values. */
  other = arcpass_authorization_new ("myorg.maps.arcgis.com", "APPID", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (arcpass_authorization_get_state (auth), !=, arcpass_authorization_get_state (other));
  g_assert_cmpstr (arcpass_authorization_get_code_verifier (auth), !=,
                   arcpass_authorization_get_code_verifier (other));
  g_assert_cmpstr (arcpass_authorization_get_redirect_uri (other), ==, ARCPASS_OAUTH_OOB_REDIRECT_URI);

  /* Signing in again names the account; without force_login nothing is sent. */
  arcpass_authorization_set_prepopulated_username (other, "ada.lovelace");
  g_clear_pointer (&url, g_free);
  g_clear_pointer (&query, g_hash_table_unref);
  url = arcpass_authorization_build_url (other);
  query = query_of (url);
  g_assert_cmpstr (g_hash_table_lookup (query, "prepopulatedusername"), ==, "ada.lovelace");
  g_assert_false (g_hash_table_contains (query, "force_login"));

  g_assert_finalize_object (g_steal_pointer (&auth));
  g_assert_finalize_object (g_steal_pointer (&other));
}

static void
test_authorize_bad_input (void)
{
  g_autoptr(GError) error = NULL;
  ArcpassAuthorization *auth;

  auth = arcpass_authorization_new ("http://gis.example.com", "APPID", NULL, &error);
  g_assert_null (auth);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INSECURE_PORTAL);
  g_clear_error (&error);

  auth = arcpass_authorization_new ("www.arcgis.com", "", NULL, &error);
  g_assert_null (auth);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT);
}

typedef struct {
  const char *uri;            /* %s = our state */
  ArcpassRedirectResult result;
  int error_code;             /* -1: no error */
  const char *code;
} RedirectCase;

/* The table's "%s" is our state; "%%" a literal percent sign. */
static char *
expand (const char *template,
        const char *state)
{
  GString *out = g_string_new (template);

  g_string_replace (out, "%s", state, 0);
  g_string_replace (out, "%%", "%", 0);
  return g_string_free (out, FALSE);
}

static void
run_redirect_cases (const char         *redirect_uri,
                    const RedirectCase *cases,
                    gsize               n_cases)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassAuthorization) auth = NULL;

  auth = arcpass_authorization_new ("https://gis.example.com/portal/", "APPID", redirect_uri, &error);
  g_assert_no_error (error);

  for (gsize i = 0; i < n_cases; i++)
    {
      g_autofree char *uri = NULL;
      g_autoptr(ArcpassSecret) code = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *escaped_state = g_uri_escape_string (arcpass_authorization_get_state (auth), NULL, TRUE);
      ArcpassRedirectResult result;

      uri = expand (cases[i].uri, escaped_state);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, cases[i].uri);
      result = arcpass_authorization_parse_redirect (auth, uri, &code, &local_error);
      g_assert_cmpint (result, ==, cases[i].result);
      if (cases[i].error_code < 0)
        g_assert_no_error (local_error);
      else
        g_assert_error (local_error, ARCPASS_ERROR, cases[i].error_code);
      g_assert_cmpstr (code, ==, cases[i].code);
    }
}

static void
test_redirect_loopback (void)
{
  static const RedirectCase cases[] = {
    /* Good, with extra parameters ignored. */
    { "http://127.0.0.1:8765/callback?code=abc123&state=%s", ARCPASS_REDIRECT_CODE, -1, "abc123" },
    { "http://127.0.0.1:8765/callback?state=%s&persist=true&message_code=x&code=c%%2Fd", ARCPASS_REDIRECT_CODE, -1, "c/d" },
    /* Wrong and missing state, with and without an error. */
    { "http://127.0.0.1:8765/callback?code=abc123&state=forged", ARCPASS_REDIRECT_ERROR, ARCPASS_ERROR_STATE_MISMATCH, NULL },
    { "http://127.0.0.1:8765/callback?code=abc123", ARCPASS_REDIRECT_ERROR, ARCPASS_ERROR_STATE_MISMATCH, NULL },
    { "http://127.0.0.1:8765/callback?error=access_denied&error_description=The+user+has+denied+your+request",
      ARCPASS_REDIRECT_ERROR, ARCPASS_ERROR_STATE_MISMATCH, NULL },
    /* Error redirects. */
    { "http://127.0.0.1:8765/callback?error=access_denied&error_description=The%%20user%%20has%%20denied%%20your%%20request&state=%s",
      ARCPASS_REDIRECT_ERROR, ARCPASS_ERROR_ACCESS_DENIED, NULL },
    { "http://127.0.0.1:8765/callback?error=sign_in_failed&error_description=Request+failed&state=%s",
      ARCPASS_REDIRECT_ERROR, ARCPASS_ERROR_SERVICE_ERROR, NULL },
    /* Our redirect but no code. */
    { "http://127.0.0.1:8765/callback?state=%s", ARCPASS_REDIRECT_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE, NULL },
    /* Look-alikes and foreign URIs: not ours, never an error. */
    { "http://127.0.0.1.evil.com:8765/callback?code=abc&state=%s", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
    { "http://127.0.0.1:8765@evil.com/callback?code=abc&state=%s", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
    { "http://evil.com/?u=http://127.0.0.1:8765/callback&code=abc&state=%s", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
    { "http://127.0.0.1:8766/callback?code=abc&state=%s", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
    { "http://127.0.0.1:8765/callback2?code=abc&state=%s", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
    { "http://127.0.0.1:8765/callback/x?code=abc&state=%s", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
    { "https://127.0.0.1:8765/callback?code=abc&state=%s", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
    { "https://gis.example.com/portal/sharing/rest/oauth2/authorize?client_id=APPID", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
    { "not a uri", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
  };

  run_redirect_cases ("http://127.0.0.1:8765/callback", cases, G_N_ELEMENTS (cases));
}

static void
test_redirect_custom_scheme (void)
{
  static const RedirectCase cases[] = {
    { "exampleapp://auth?code=xyz&state=%s", ARCPASS_REDIRECT_CODE, -1, "xyz" },
    { "exampleapp://auth/?code=xyz&state=%s", ARCPASS_REDIRECT_CODE, -1, "xyz" },
    { "otherapp://auth?code=xyz&state=%s", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
    { "exampleapp://auth.evil?code=xyz&state=%s", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
  };

  run_redirect_cases ("exampleapp://auth", cases, G_N_ELEMENTS (cases));
}

static void
test_redirect_oob (void)
{
  static const RedirectCase cases[] = {
    { "https://gis.example.com/portal/sharing/oauth2/approval?code=oob1&state=%s", ARCPASS_REDIRECT_CODE, -1, "oob1" },
    { "https://GIS.example.com/portal/sharing/rest/oauth2/approval?code=oob2&state=%s", ARCPASS_REDIRECT_CODE, -1, "oob2" },
    { "https://gis.example.com/portal/sharing/oauth2/approval?error=access_denied&state=%s",
      ARCPASS_REDIRECT_ERROR, ARCPASS_ERROR_ACCESS_DENIED, NULL },
    { "https://gis.example.com.evil.net/portal/sharing/oauth2/approval?code=x&state=%s", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
    { "https://gis.example.com/other/sharing/oauth2/approval?code=x&state=%s", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
    { "http://gis.example.com/portal/sharing/oauth2/approval?code=x&state=%s", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
    { "urn:ietf:wg:oauth:2.0:oob?code=x&state=%s", ARCPASS_REDIRECT_NOT_OURS, -1, NULL },
  };

  run_redirect_cases (NULL, cases, G_N_ELEMENTS (cases));
}

typedef struct {
  const char *portal;
  const char *uri;
  gboolean    ours;
} ApprovalCase;

/* Which hosts may show the out-of-band approval page: the portal's own, its
 * organisation's (SAML and OIDC sign-ins end there), any *.arcgis.com host
 * for ArcGIS Online, any loopback host on the sandbox's port; never a
 * look-alike. */
static void
test_approval_hosts (void)
{
  static const ApprovalCase cases[] = {
    { "https://www.arcgis.com", "https://www.arcgis.com/sharing/oauth2/approval?code=x", TRUE },
    { "https://www.arcgis.com", "https://myorg.maps.arcgis.com/sharing/rest/oauth2/approval?code=x", TRUE },
    { "https://www.arcgis.com", "https://MyOrg.Maps.ArcGIS.com/sharing/oauth2/approval", TRUE },
    { "https://www.arcgis.com", "https://myorg.maps.arcgis.com:443/sharing/oauth2/approval", TRUE },
    { "https://myorg.maps.arcgis.com", "https://www.arcgis.com/sharing/oauth2/approval", TRUE },
    { "https://www.arcgis.com", "https://arcgis.com.evil.example/sharing/oauth2/approval", FALSE },
    { "https://www.arcgis.com", "https://evilarcgis.com/sharing/oauth2/approval", FALSE },
    { "https://www.arcgis.com", "https://myorg.maps.arcgis.com@evil.example/sharing/oauth2/approval", FALSE },
    { "https://www.arcgis.com", "https://user@myorg.maps.arcgis.com/sharing/oauth2/approval", FALSE },
    { "https://www.arcgis.com", "http://myorg.maps.arcgis.com/sharing/oauth2/approval", FALSE },
    { "https://www.arcgis.com", "https://myorg.maps.arcgis.com:8443/sharing/oauth2/approval", FALSE },
    { "https://www.arcgis.com", "https://myorg.maps.arcgis.com/sharing/oauth2/approval2", FALSE },
    { "https://www.arcgis.com", "https://myorg.maps.arcgis.com/x/sharing/oauth2/approval", FALSE },
    { "https://www.arcgis.com", "https://myorg.maps.arcgis.com/sharing/oauth2/signin", FALSE },
    { "https://www.arcgis.com", "https://idp.example.com/sharing/oauth2/approval", FALSE },
    /* Enterprise: its own host and web adaptor only. */
    { "https://gis.example.com/portal", "https://gis.example.com/portal/sharing/oauth2/approval", TRUE },
    { "https://gis.example.com/portal", "https://gis.example.com/sharing/oauth2/approval", FALSE },
    { "https://gis.example.com/portal", "https://myorg.maps.arcgis.com/sharing/oauth2/approval", FALSE },
    { "https://gis.example.com/portal", "https://gis.example.com.evil.example/portal/sharing/oauth2/approval", FALSE },
    /* The loopback sandbox stands for ArcGIS Online: its hosts on its port. */
    { "http://127.0.0.1:4000", "http://127.0.0.2:4000/sharing/rest/oauth2/approval", TRUE },
    { "http://127.0.0.1:4000", "http://127.0.0.1:4000/sharing/oauth2/approval", TRUE },
    { "http://127.0.0.1:4000", "http://127.0.0.2:4001/sharing/oauth2/approval", FALSE },
    { "http://127.0.0.1:4000", "https://myorg.maps.arcgis.com/sharing/oauth2/approval", FALSE },
    { "http://127.0.0.1:4000", "http://10.0.0.2:4000/sharing/oauth2/approval", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ArcpassAuthorization) auth = arcpass_authorization_new (cases[i].portal, "APPID",
                                                                        NULL, &error);

      g_assert_no_error (error);
      g_test_message ("case %" G_GSIZE_FORMAT ": %s on %s", i, cases[i].uri, cases[i].portal);
      g_assert_cmpint (arcpass_authorization_is_approval_page (auth, cases[i].uri), ==,
                       cases[i].ours);
    }

  /* An Enterprise-like portal whose portals/self names an organisation
   * host: that host is trusted too, a made-up one is not. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ArcpassAuthorization) auth = arcpass_authorization_new ("https://gis.example.com",
                                                                      "APPID", NULL, &error);
    g_autoptr(JsonObject) self_json = arcpass_json_parse_object (
      "{\"urlKey\":\"myorg\",\"customBaseUrl\":\"maps.arcgis.com\"}", -1, &error);
    g_autoptr(JsonObject) evil_json = arcpass_json_parse_object (
      "{\"urlKey\":\"x\",\"customBaseUrl\":\"evil.example\"}", -1, &error);
    g_autoptr(JsonObject) wrong_json = arcpass_json_parse_object ("{\"urlKey\":42}", -1, &error);

    g_assert_no_error (error);
    g_assert_false (arcpass_authorization_is_approval_page (
      auth, "https://myorg.maps.arcgis.com/sharing/oauth2/approval"));
    g_assert_true (arcpass_authorization_set_portal_self (auth, self_json, &error));
    g_assert_cmpstr (arcpass_authorization_get_organization_host (auth), ==, "myorg.maps.arcgis.com");
    g_assert_true (arcpass_authorization_is_approval_page (
      auth, "https://myorg.maps.arcgis.com/sharing/oauth2/approval"));
    g_assert_false (arcpass_authorization_is_approval_page (
      auth, "https://other.maps.arcgis.com/sharing/oauth2/approval"));
    arcpass_authorization_set_organization_host (auth, NULL);
    g_assert_true (arcpass_authorization_set_portal_self (auth, evil_json, &error));
    g_assert_null (arcpass_authorization_get_organization_host (auth));
    g_assert_false (arcpass_authorization_set_portal_self (auth, wrong_json, &error));
    g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
  }
}

/* On the organisation's host the approval redirect is ours, and its state
 * is still checked; without a state it is left to load (the title gives
 * the code). */
static void
test_redirect_oob_org_host (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassAuthorization) auth = arcpass_authorization_new ("https://www.arcgis.com", "APPID",
                                                                    NULL, &error);
  g_autofree char *good = NULL;
  g_autoptr(ArcpassSecret) code = NULL;

  g_assert_no_error (error);
  good = g_strdup_printf ("https://myorg.maps.arcgis.com/sharing/rest/oauth2/approval?code=c1&state=%s",
                          arcpass_authorization_get_state (auth));
  g_assert_cmpint (arcpass_authorization_parse_redirect (auth, good, &code, &error), ==,
                   ARCPASS_REDIRECT_CODE);
  g_assert_cmpstr (code, ==, "c1");
  g_clear_pointer (&code, arcpass_secret_free);

  g_assert_cmpint (arcpass_authorization_parse_redirect (
                     auth, "https://myorg.maps.arcgis.com/sharing/oauth2/approval?code=c2&state=forged",
                     &code, &error), ==, ARCPASS_REDIRECT_ERROR);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_STATE_MISMATCH);
  g_clear_error (&error);

  g_assert_cmpint (arcpass_authorization_parse_redirect (
                     auth, "https://myorg.maps.arcgis.com/sharing/oauth2/approval?code=c3",
                     &code, &error), ==, ARCPASS_REDIRECT_NOT_OURS);
  g_assert_no_error (error);

  g_assert_cmpint (arcpass_authorization_parse_redirect (
                     auth, "https://evilarcgis.com/sharing/oauth2/approval?code=c4&state=x",
                     &code, &error), ==, ARCPASS_REDIRECT_NOT_OURS);
  g_assert_null (code);
}

static guint16
busy_port (GSocketListener **out_listener)
{
  g_autoptr(GError) error = NULL;
  GSocketListener *listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  *out_listener = listener;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
}

/* The receiver listens on the port of the registered redirect URI, and says
 * clearly when that port is taken. */
static void
test_loopback_redirect_uri (void)
{
  static const struct { const char *uri; gboolean ok; } cases[] = {
    { ARCPASS_LOOPBACK_DEFAULT_REDIRECT_URI, TRUE },
    { "http://localhost:8765/callback", TRUE },
    { "http://[::1]:8765/cb", TRUE },
    { "http://127.0.0.1:8765", TRUE },
    { "http://127.0.0.1/callback", FALSE },          /* no port */
    { "https://127.0.0.1:8765/callback", FALSE },
    { "http://example.com:8765/callback", FALSE },
    { "http://127.0.0.1.evil.com:8765/callback", FALSE },
    { "http://user@127.0.0.1:8765/callback", FALSE },
    { "http://127.0.0.1:8765/callback#x", FALSE },
    { "urn:ietf:wg:oauth:2.0:oob", FALSE },
    { "", FALSE },
  };
  g_autoptr(GSocketListener) listener = NULL;
  g_autoptr(ArcpassLoopbackReceiver) receiver = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *port_text = NULL;
  guint16 port;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean ok = arcpass_loopback_redirect_uri_parse (cases[i].uri, NULL, NULL, &local_error);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, cases[i].uri);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        g_assert_error (local_error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT);
    }

  /* A port held by another program. */
  port = busy_port (&listener);
  uri = g_strdup_printf ("http://127.0.0.1:%u/callback", port);
  receiver = arcpass_loopback_receiver_new_for_uri (uri, &error);
  g_assert_null (receiver);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_PORT_IN_USE);
  port_text = g_strdup_printf ("Port %u ", port);
  g_assert_nonnull (strstr (error->message, port_text));
  g_assert_nonnull (strstr (error->message, "register another redirect URI"));
  g_clear_error (&error);

  /* Free again: the receiver listens exactly there. */
  g_socket_listener_close (listener);
  receiver = arcpass_loopback_receiver_new_for_uri (uri, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (arcpass_loopback_receiver_get_port (receiver), ==, port);
  g_assert_cmpstr (arcpass_loopback_receiver_get_redirect_uri (receiver), ==, uri);
}

static void
test_approval_title (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassAuthorization) auth = arcpass_authorization_new (NULL, "APPID", NULL, &error);
  g_autoptr(ArcpassSecret) code = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (arcpass_authorization_parse_approval_title (auth, "SUCCESS code=abc", &code, &error),
                   ==, ARCPASS_REDIRECT_CODE);
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, "abc");
  g_clear_pointer (&code, arcpass_secret_free);

  g_assert_cmpint (arcpass_authorization_parse_approval_title (auth, "Denied error=access_denied", &code, &error),
                   ==, ARCPASS_REDIRECT_ERROR);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_ACCESS_DENIED);
  g_clear_error (&error);

  g_assert_cmpint (arcpass_authorization_parse_approval_title (auth, "Sign In", &code, &error),
                   ==, ARCPASS_REDIRECT_NOT_OURS);
  g_assert_no_error (error);
  g_assert_null (code);
}

static void
test_token_response (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(ArcpassTokenResponse) response = NULL;

  json = arcpass_json_parse_object ("{\"access_token\":\"2YotnFZFEjr1zCsicMWpAA\",\"expires_in\":1800,"
                                    "\"username\":\"jsmith\",\"ssl\":true,\"refresh_token\":\"GysTpIui-oxWTTIs\","
                                    "\"refresh_token_expires_in\":1209600}", -1, &error);
  g_assert_no_error (error);
  response = arcpass_token_response_new_from_json (json, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (response->access_token, ==, "2YotnFZFEjr1zCsicMWpAA");
  g_assert_cmpint (response->expires_at, ==, 2800);
  g_assert_cmpstr (response->refresh_token, ==, "GysTpIui-oxWTTIs");
  g_assert_cmpint (response->refresh_expires_at, ==, 1000 + 1209600);
  g_assert_cmpstr (response->username, ==, "jsmith");
  g_assert_true (response->ssl);
  g_clear_pointer (&response, arcpass_token_response_free);
  g_clear_pointer (&json, json_object_unref);

  /* generateToken: absolute expiry in milliseconds. */
  json = arcpass_json_parse_object ("{\"token\":\"tok\",\"expires\":1524508236322,\"ssl\":false}", -1, &error);
  response = arcpass_token_response_new_from_json (json, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (response->access_token, ==, "tok");
  g_assert_cmpint (response->expires_at, ==, 1524508236);
  g_assert_null (response->refresh_token);
  g_clear_pointer (&response, arcpass_token_response_free);
  g_clear_pointer (&json, json_object_unref);

  /* Wrong types are errors, not criticals. */
  json = arcpass_json_parse_object ("{\"access_token\":42,\"expires_in\":1800}", -1, &error);
  response = arcpass_token_response_new_from_json (json, 1000, &error);
  g_assert_null (response);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
  g_clear_error (&error);
  g_clear_pointer (&json, json_object_unref);

  json = arcpass_json_parse_object ("{\"access_token\":\"a\",\"expires_in\":\"soon\"}", -1, &error);
  response = arcpass_token_response_new_from_json (json, 1000, &error);
  g_assert_null (response);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oauth/pkce/rfc7636-vector", test_pkce_rfc7636_vector);
  g_test_add_func ("/oauth/pkce/verifier-random", test_pkce_verifier_random);
  g_test_add_func ("/oauth/secret-helpers", test_secret_helpers);
  g_test_add_func ("/oauth/authorize/url", test_authorize_url);
  g_test_add_func ("/oauth/authorize/bad-input", test_authorize_bad_input);
  g_test_add_func ("/oauth/redirect/loopback", test_redirect_loopback);
  g_test_add_func ("/oauth/redirect/custom-scheme", test_redirect_custom_scheme);
  g_test_add_func ("/oauth/redirect/oob", test_redirect_oob);
  g_test_add_func ("/oauth/redirect/approval-title", test_approval_title);
  g_test_add_func ("/oauth/redirect/approval-hosts", test_approval_hosts);
  g_test_add_func ("/oauth/redirect/oob-org-host", test_redirect_oob_org_host);
  g_test_add_func ("/oauth/loopback/redirect-uri", test_loopback_redirect_uri);
  g_test_add_func ("/oauth/token-response", test_token_response);

  return g_test_run ();
}
