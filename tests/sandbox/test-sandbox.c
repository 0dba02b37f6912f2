/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <cairo.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "arcpass-sandbox.h"

/* Integration tests of the sandbox portal, driven over HTTP with libsoup on
 * the same main context the server runs on (as the core tests do). */

#define GEOCODE "/arcgis/rest/services/World/GeocodeServer"
#define STYLES  "/arcgis/rest/services/styles/v2"
#define TILES   "/arcgis/rest/services/static-basemap-tiles-service/v1"
/* The sandbox app's registered loopback URI (exact matching, port included);
 * nothing listens there: these tests read the redirect's Location. */
#define LOOPBACK_REDIRECT "http://127.0.0.1:48765/callback"
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

typedef struct
{
  ArcpassSandbox *sandbox;
  SoupSession    *session;
  /* Sent as the Cookie header when set (the portal's session). */
  char           *cookie;
} Fixture;

typedef struct
{
  guint               status;
  GBytes             *body;
  SoupMessageHeaders *headers;
  GError             *error;
  JsonNode           *json;
} Reply;

static void
reply_free (Reply *reply)
{
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_clear_pointer (&reply->json, json_node_unref);
  g_clear_error (&reply->error);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->sandbox = arcpass_sandbox_new ();
  g_assert_true (arcpass_sandbox_start (f->sandbox, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (arcpass_sandbox_get_port (f->sandbox), >, 0);
  f->session = soup_session_new ();
  soup_session_set_timeout (f->session, 20);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->session);
  g_clear_pointer (&f->cookie, g_free);
  arcpass_sandbox_stop (f->sandbox);
  g_assert_finalize_object (f->sandbox);
}

typedef struct
{
  gboolean     done;
  SoupMessage *msg;
  Reply       *reply;
} Pending;

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pending *p = user_data;

  p->reply->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                      &p->reply->error);
  p->reply->status = soup_message_get_status (p->msg);
  p->reply->headers = soup_message_headers_ref (soup_message_get_response_headers (p->msg));
  p->done = TRUE;
}

static SoupMessage *
build_message (Fixture    *f,
               const char *method,
               const char *path,
               const char *bearer,
               const char *form)
{
  /* The location services live on their own host, as on ArcGIS. */
  ArcpassSandboxHost host = g_str_has_prefix (path, "/arcgis/rest/")
    ? ARCPASS_SANDBOX_HOST_SERVICES : ARCPASS_SANDBOX_HOST_PORTAL;
  g_autofree char *url = g_str_has_prefix (path, "http")
    ? g_strdup (path) : g_strconcat (arcpass_sandbox_get_host_url (f->sandbox, host), path, NULL);
  SoupMessage *msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (f->cookie)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Cookie", f->cookie);
  if (bearer)
    {
      g_autofree char *value = g_strconcat ("Bearer ", bearer, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "X-Esri-Authorization", value);
    }
  if (form)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
    }
  return msg;
}

static void
start_fetch (Fixture    *f,
             Pending    *p,
             const char *method,
             const char *path,
             const char *bearer,
             const char *form)
{
  p->done = FALSE;
  p->msg = build_message (f, method, path, bearer, form);
  p->reply = g_new0 (Reply, 1);
  soup_session_send_and_read_async (f->session, p->msg, G_PRIORITY_DEFAULT, NULL, send_cb, p);
}

static void
wait_for (Pending *p)
{
  while (!p->done)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&p->msg);
}

/* Sends one request and spins the main context until the answer is in. */
static Reply *
fetch (Fixture    *f,
       const char *method,
       const char *path,
       const char *bearer,
       const char *form)
{
  Pending p;

  start_fetch (f, &p, method, path, bearer, form);
  wait_for (&p);
  return p.reply;
}

static JsonObject *
reply_json (Reply *reply)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_no_error (reply->error);
  if (!reply->json)
    {
      gsize len;
      const char *data = g_bytes_get_data (reply->body, &len);

      json_parser_load_from_data (parser, data, len, &error);
      g_assert_no_error (error);
      reply->json = json_node_copy (json_parser_get_root (parser));
    }
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply->json));
  return json_node_get_object (reply->json);
}

static char *
reply_text (Reply *reply)
{
  g_assert_no_error (reply->error);
  return g_strndup (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body));
}

static void
assert_error (Reply      *reply,
              guint       http_status,
              int         code,
              const char *message)
{
  JsonObject *root = reply_json (reply);
  JsonObject *error;

  g_assert_cmpuint (reply->status, ==, http_status);
  g_assert_true (json_object_has_member (root, "error"));
  error = json_object_get_object_member (root, "error");
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, code);
  g_assert_true (json_object_has_member (error, "details"));
  if (message)
    g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, message);
}

static char *
challenge_for (const char *verifier)
{
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  char *b64;

  g_checksum_update (sha, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (sha, digest, &len);
  b64 = g_base64_encode (digest, len);
  g_strdelimit (b64, "+", '-');
  g_strdelimit (b64, "/", '_');
  g_strdelimit (b64, "=", '\0');
  return b64;
}

static char *
extract_between (const char *text,
                 const char *before,
                 const char *after)
{
  const char *start = strstr (text, before);
  const char *end;

  g_assert_nonnull (start);
  start += strlen (before);
  end = strstr (start, after);
  g_assert_nonnull (end);
  return g_strndup (start, end - start);
}

static char *
query_value (const char *location,
             const char *name)
{
  g_autoptr(GUri) uri = g_uri_parse (location, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GHashTable) params = NULL;

  g_assert_nonnull (uri);
  g_assert_nonnull (g_uri_get_query (uri));
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  return g_strdup (g_hash_table_lookup (params, name));
}

/* Runs the authorize page and the sign-in form; returns the redirect. */
static char *
sign_in (Fixture    *f,
         const char *redirect_uri,
         const char *response_type,
         const char *username,
         const char *password)
{
  g_autofree char *challenge = challenge_for (VERIFIER);
  g_autofree char *query = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID,
                                             "response_type", response_type,
                                             "redirect_uri", redirect_uri,
                                             "state", "st4te-xyz",
                                             "expiration", "20160",
                                             "code_challenge_method", "S256",
                                             "code_challenge", challenge, NULL);
  g_autofree char *path = g_strconcat ("/sharing/rest/oauth2/authorize?", query, NULL);
  g_autoptr(Reply) page = fetch (f, "GET", path, NULL, NULL);
  g_autofree char *html = reply_text (page);
  g_autofree char *state = NULL;
  g_autofree char *form = NULL;
  g_autoptr(Reply) signin = NULL;

  g_assert_cmpuint (page->status, ==, 200);
  g_assert_nonnull (strstr (html, "var oAuthInfo"));
  state = extract_between (html, "name=\"oauth_state\" value=\"", "\"");
  form = soup_form_encode ("oauth_state", state, "username", username, "password", password,
                           "authorize", "true", NULL);
  signin = fetch (f, "POST", "/sharing/rest/oauth2/signin", NULL, form);
  g_assert_cmpuint (signin->status, ==, 302);
  return g_strdup (soup_message_headers_get_one (signin->headers, "Location"));
}

/* ------------------------------------------------------------- tests */

static guint
authorize_status (Fixture    *f,
                  const char *redirect_uri)
{
  g_autofree char *query = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID,
                                             "response_type", "code",
                                             "redirect_uri", redirect_uri,
                                             "state", "s", NULL);
  g_autofree char *path = g_strconcat ("/sharing/rest/oauth2/authorize?", query, NULL);
  g_autoptr(Reply) page = fetch (f, "GET", path, NULL, NULL);
  g_autofree char *html = reply_text (page);

  if (page->status != 200)
    g_assert_nonnull (strstr (html, "Invalid redirect_uri"));
  return page->status;
}

static gboolean
reply_contains (Reply      *reply,
                const char *needle)
{
  g_autofree char *text = reply_text (reply);

  return strstr (text, needle) != NULL;
}

/* The value of an HTML attribute (escaped by the sandbox) after @marker. */
static char *
html_attribute (const char *html,
                const char *marker)
{
  g_autofree char *raw = extract_between (html, marker, "\"");
  GString *out = g_string_new (raw);

  g_string_replace (out, "&amp;", "&", 0);
  g_string_replace (out, "&quot;", "\"", 0);
  return g_string_free (out, FALSE);
}

static char *
authorize_path (const char *redirect_uri,
                const char *extra_name,
                const char *extra_value)
{
  g_autofree char *challenge = challenge_for (VERIFIER);
  g_autofree char *query = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID,
                                             "response_type", "code",
                                             "redirect_uri", redirect_uri,
                                             "state", "st4te-xyz",
                                             "code_challenge_method", "S256",
                                             "code_challenge", challenge,
                                             extra_name, extra_value, NULL);

  return g_strconcat ("/sharing/rest/oauth2/authorize?", query, NULL);
}

static char *
cookie_of (Reply *reply)
{
  const char *set = soup_message_headers_get_one (reply->headers, "Set-Cookie");

  g_assert_nonnull (set);
  g_assert_true (g_str_has_prefix (set, "esri_aopc="));
  return g_strndup (set, strcspn (set, ";"));
}

/* An organisation member who signs in with the identity provider: portal
 * → IdP form → second factor → SAML POST to the organisation's host, which
 * finishes the sign-in (redirect or approval page on that host). */
static void
test_idp_sign_in (Fixture       *f,
                  gconstpointer  data)
{
  const char *org = arcpass_sandbox_get_host_url (f->sandbox, ARCPASS_SANDBOX_HOST_ORG);
  const char *idp = arcpass_sandbox_get_host_url (f->sandbox, ARCPASS_SANDBOX_HOST_IDP);

  for (guint oob = 0; oob < 2; oob++)
    {
      g_autofree char *path = authorize_path (oob ? "urn:ietf:wg:oauth:2.0:oob" : LOOPBACK_REDIRECT,
                                              NULL, NULL);
      g_autoptr(Reply) page = fetch (f, "GET", path, NULL, NULL);
      g_autofree char *html = reply_text (page);
      g_autofree char *link = html_attribute (html, "id=\"idpSignIn\" href=\"");
      g_autoptr(Reply) idp_page = NULL;
      g_autofree char *idp_html = NULL;
      g_autofree char *saml_request = NULL;
      g_autofree char *relay = NULL;
      g_autofree char *login_url = g_strconcat (idp, "/saml2/sso/login", NULL);
      g_autofree char *mfa_url = g_strconcat (idp, "/saml2/sso/mfa", NULL);
      g_autofree char *form = NULL;
      g_autoptr(Reply) wrong = NULL;
      g_autoptr(Reply) mfa = NULL;
      g_autofree char *mfa_html = NULL;
      g_autofree char *mfa_session = NULL;
      g_autoptr(Reply) bad_code = NULL;
      g_autoptr(Reply) post_page = NULL;
      g_autofree char *post_html = NULL;
      g_autofree char *action = NULL;
      g_autofree char *saml_response = NULL;
      g_autofree char *acs_form = NULL;
      g_autoptr(Reply) acs = NULL;
      g_autoptr(Reply) replay = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *code = NULL;
      g_autoptr(Reply) token = NULL;
      const char *location;

      /* The portal's page lists its test users and offers the IdP. */
      g_assert_cmpuint (page->status, ==, 200);
      g_assert_nonnull (strstr (html, ARCPASS_SANDBOX_PUBLISHER_PASSWORD));
      g_assert_nonnull (strstr (html, "Sign in with Sandbox SSO"));
      g_assert_true (g_str_has_prefix (link, idp));

      idp_page = fetch (f, "GET", link, NULL, NULL);
      idp_html = reply_text (idp_page);
      g_assert_cmpuint (idp_page->status, ==, 200);
      g_assert_nonnull (strstr (idp_html, ARCPASS_SANDBOX_IDP_USERNAME));
      g_assert_nonnull (strstr (idp_html, ARCPASS_SANDBOX_IDP_PASSWORD));
      saml_request = html_attribute (idp_html, "name=\"SAMLRequest\" value=\"");
      relay = html_attribute (idp_html, "name=\"RelayState\" value=\"");

      form = soup_form_encode ("SAMLRequest", saml_request, "RelayState", relay,
                               "idp_username", ARCPASS_SANDBOX_IDP_USERNAME,
                               "idp_password", "wrong", NULL);
      wrong = fetch (f, "POST", login_url, NULL, form);
      g_assert_true (reply_contains (wrong, "wrong password"));
      g_free (form);
      form = soup_form_encode ("SAMLRequest", saml_request, "RelayState", relay,
                               "idp_username", ARCPASS_SANDBOX_IDP_USERNAME,
                               "idp_password", ARCPASS_SANDBOX_IDP_PASSWORD, NULL);
      mfa = fetch (f, "POST", login_url, NULL, form);
      mfa_html = reply_text (mfa);
      g_assert_cmpuint (mfa->status, ==, 200);
      /* The code is shown on the page: public test data. */
      g_assert_nonnull (strstr (mfa_html, ARCPASS_SANDBOX_IDP_MFA_CODE));
      mfa_session = html_attribute (mfa_html, "name=\"mfa_session\" value=\"");

      g_free (form);
      form = soup_form_encode ("mfa_session", mfa_session, "code", "000000", NULL);
      bad_code = fetch (f, "POST", mfa_url, NULL, form);
      g_assert_true (reply_contains (bad_code, "not right"));
      g_free (form);
      form = soup_form_encode ("mfa_session", mfa_session, "code", ARCPASS_SANDBOX_IDP_MFA_CODE,
                               NULL);
      post_page = fetch (f, "POST", mfa_url, NULL, form);
      post_html = reply_text (post_page);
      action = html_attribute (post_html, "id=\"samlPost\" method=\"post\" action=\"");
      expected = g_strconcat (org, "/sharing/rest/oauth2/saml/signin", NULL);
      g_assert_cmpstr (action, ==, expected);
      saml_response = html_attribute (post_html, "name=\"SAMLResponse\" value=\"");

      acs_form = soup_form_encode ("SAMLResponse", saml_response, "RelayState", relay, NULL);
      acs = fetch (f, "POST", action, NULL, acs_form);
      g_assert_cmpuint (acs->status, ==, 302);
      location = soup_message_headers_get_one (acs->headers, "Location");
      g_free (expected);
      expected = oob ? g_strconcat (org, "/sharing/oauth2/approval?code=", NULL)
                     : g_strconcat (LOOPBACK_REDIRECT, "?code=", NULL);
      g_assert_true (g_str_has_prefix (location, expected));
      g_assert_nonnull (strstr (location, "state=st4te-xyz"));
      g_free (cookie_of (acs));

      /* An assertion is used once. */
      replay = fetch (f, "POST", action, NULL, acs_form);
      g_assert_cmpuint (replay->status, ==, 400);

      code = query_value (location, "code");
      g_free (form);
      form = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID, "grant_type",
                               "authorization_code", "code", code, "redirect_uri",
                               oob ? "urn:ietf:wg:oauth:2.0:oob" : LOOPBACK_REDIRECT,
                               "code_verifier", VERIFIER, NULL);
      token = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL, form);
      g_assert_cmpstr (json_object_get_string_member (reply_json (token), "username"), ==,
                       ARCPASS_SANDBOX_IDP_USERNAME);
    }

  /* Such a member has no portal password. */
  {
    g_autofree char *path = authorize_path (LOOPBACK_REDIRECT, NULL, NULL);
    g_autoptr(Reply) page = fetch (f, "GET", path, NULL, NULL);
    g_autofree char *html = reply_text (page);
    g_autofree char *state = extract_between (html, "name=\"oauth_state\" value=\"", "\"");
    g_autofree char *form = soup_form_encode ("oauth_state", state,
                                              "username", ARCPASS_SANDBOX_IDP_USERNAME,
                                              "password", ARCPASS_SANDBOX_IDP_PASSWORD, NULL);
    g_autoptr(Reply) refused = fetch (f, "POST", "/sharing/rest/oauth2/signin", NULL, form);

    g_assert_cmpuint (refused->status, ==, 200);
    g_assert_true (reply_contains (refused, "signs in with Sandbox SSO"));
  }
}

/* The portal session cookie: set at sign-in, per host; authorize then
 * completes without a form unless force_login=true; prepopulatedusername
 * fills the username in. */
static void
test_session_cookie (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *path = authorize_path (LOOPBACK_REDIRECT, NULL, NULL);
  g_autoptr(Reply) page = fetch (f, "GET", path, NULL, NULL);
  g_autofree char *html = reply_text (page);
  g_autofree char *state = extract_between (html, "name=\"oauth_state\" value=\"", "\"");
  g_autofree char *form = soup_form_encode ("oauth_state", state,
                                            "username", ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                                            "password", ARCPASS_SANDBOX_PUBLISHER_PASSWORD, NULL);
  g_autoptr(Reply) signin = fetch (f, "POST", "/sharing/rest/oauth2/signin", NULL, form);
  g_autoptr(Reply) silent = NULL;
  g_autoptr(Reply) forced = NULL;
  g_autoptr(Reply) other_host = NULL;
  g_autoptr(Reply) prefilled = NULL;
  g_autofree char *forced_path = authorize_path (LOOPBACK_REDIRECT, "force_login", "true");
  g_autofree char *prefill_path = authorize_path (LOOPBACK_REDIRECT, "prepopulatedusername",
                                                  ARCPASS_SANDBOX_USER_USERNAME);
  g_autofree char *org_path = g_strconcat (arcpass_sandbox_get_host_url (f->sandbox,
                                                                         ARCPASS_SANDBOX_HOST_ORG),
                                           path, NULL);
  const char *location;

  g_assert_cmpuint (signin->status, ==, 302);
  f->cookie = cookie_of (signin);

  /* With the cookie: no form, straight to the redirect with a code. */
  silent = fetch (f, "GET", path, NULL, NULL);
  g_assert_cmpuint (silent->status, ==, 302);
  location = soup_message_headers_get_one (silent->headers, "Location");
  g_assert_true (g_str_has_prefix (location, LOOPBACK_REDIRECT "?code="));

  /* force_login=true shows the form all the same. */
  forced = fetch (f, "GET", forced_path, NULL, NULL);
  g_assert_cmpuint (forced->status, ==, 200);
  g_assert_true (reply_contains (forced, "name=\"oauth_state\""));

  /* The cookie belongs to its host only. */
  other_host = fetch (f, "GET", org_path, NULL, NULL);
  g_assert_cmpuint (other_host->status, ==, 200);

  /* Without a session, prepopulatedusername fills the username in. */
  g_clear_pointer (&f->cookie, g_free);
  prefilled = fetch (f, "GET", prefill_path, NULL, NULL);
  g_assert_cmpuint (prefilled->status, ==, 200);
  g_assert_true (reply_contains (prefilled, "value=\"" ARCPASS_SANDBOX_USER_USERNAME "\""));
}

/* A portal account whose password has expired: explained, and a new one
 * leads on to the sign-in's end. */
static void
test_password_expired (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path = authorize_path (LOOPBACK_REDIRECT, NULL, NULL);
  g_autoptr(Reply) page = fetch (f, "GET", path, NULL, NULL);
  g_autofree char *html = reply_text (page);
  g_autofree char *state = extract_between (html, "name=\"oauth_state\" value=\"", "\"");
  g_autofree char *form = soup_form_encode ("oauth_state", state,
                                            "username", ARCPASS_SANDBOX_EXPIRED_USERNAME,
                                            "password", ARCPASS_SANDBOX_EXPIRED_PASSWORD, NULL);
  g_autoptr(Reply) expired = fetch (f, "POST", "/sharing/rest/oauth2/signin", NULL, form);
  g_autofree char *expired_html = reply_text (expired);
  g_autofree char *change = html_attribute (expired_html, "name=\"password_change\" value=\"");
  g_autoptr(Reply) too_short = NULL;
  g_autoptr(Reply) done = NULL;
  g_autofree char *short_html = NULL;
  g_autofree char *change2 = NULL;

  g_assert_nonnull (strstr (html, ARCPASS_SANDBOX_EXPIRED_USERNAME));
  g_assert_cmpuint (expired->status, ==, 200);
  g_assert_nonnull (strstr (expired_html, "Your password has expired"));

  g_free (form);
  form = soup_form_encode ("oauth_state", state, "password_change", change,
                           "new_password", "short", "confirm_password", "short", NULL);
  too_short = fetch (f, "POST", "/sharing/rest/oauth2/signin", NULL, form);
  short_html = reply_text (too_short);
  g_assert_nonnull (strstr (short_html, "8 characters or more"));
  change2 = html_attribute (short_html, "name=\"password_change\" value=\"");

  g_free (form);
  form = soup_form_encode ("oauth_state", state, "password_change", change2,
                           "new_password", "a-new-password-1", "confirm_password",
                           "a-new-password-1", NULL);
  done = fetch (f, "POST", "/sharing/rest/oauth2/signin", NULL, form);
  g_assert_cmpuint (done->status, ==, 302);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_one (done->headers, "Location"),
                                   LOOPBACK_REDIRECT "?code="));
}

/* Redirect URIs match exactly, port included, as on ArcGIS; RFC 8252's
 * any-port loopback matching is an option; a user can register a URI. */
static void
test_redirect_exact_port (Fixture       *f,
                          gconstpointer  data)
{
  g_assert_cmpuint (authorize_status (f, "http://127.0.0.1:48765/callback"), ==, 200);
  g_assert_cmpuint (authorize_status (f, "http://127.0.0.1:48766/callback"), ==, 400);
  g_assert_cmpuint (authorize_status (f, "http://127.0.0.1:5000/callback"), ==, 400);
  g_assert_cmpuint (authorize_status (f, "http://127.0.0.1/callback"), ==, 200);

  /* The option, through the control API. */
  {
    g_autoptr(Reply) on = fetch (f, "POST", "/_sandbox/config", NULL, "redirect_any_port=1");
    g_autoptr(Reply) bad = fetch (f, "POST", "/_sandbox/config", NULL, "redirect_any_port=yes");

    g_assert_cmpuint (on->status, ==, 200);
    g_assert_cmpuint (bad->status, ==, 400);
  }
  g_assert_cmpuint (authorize_status (f, "http://127.0.0.1:5000/callback"), ==, 200);
  /* Still not another path, host or scheme. */
  g_assert_cmpuint (authorize_status (f, "http://127.0.0.1:5000/other"), ==, 400);
  g_assert_cmpuint (authorize_status (f, "http://localhost:5000/"), ==, 400);
  arcpass_sandbox_reset (f->sandbox);
  g_assert_cmpuint (authorize_status (f, "http://127.0.0.1:5000/callback"), ==, 400);

  /* Registering a URI, as in an OAuth credential's settings. */
  {
    g_autoptr(Reply) reg = fetch (f, "POST", "/_sandbox/config", NULL,
                                  "register_redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback");

    g_assert_cmpuint (reg->status, ==, 200);
  }
  g_assert_cmpuint (authorize_status (f, "http://127.0.0.1:5000/callback"), ==, 200);
  g_assert_cmpuint (authorize_status (f, "http://127.0.0.1:5001/callback"), ==, 400);
  arcpass_sandbox_set_loopback_any_port (f->sandbox, TRUE);
  g_assert_cmpuint (authorize_status (f, "http://127.0.0.1:5001/callback"), ==, 200);
}

static void
test_fixtures (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *json = arcpass_sandbox_dup_fixtures_json (f->sandbox);
  g_autoptr(Reply) reply = fetch (f, "GET", "/_sandbox/fixtures", NULL, NULL);

  g_assert_nonnull (strstr (json, ARCPASS_SANDBOX_PUBLISHER_USERNAME));
  g_assert_nonnull (strstr (json, ARCPASS_SANDBOX_USER_PASSWORD));
  g_assert_nonnull (strstr (json, ARCPASS_SANDBOX_CLIENT_SECRET));
  g_assert_nonnull (strstr (json, ARCPASS_SANDBOX_KEY_FULL));
  g_assert_nonnull (strstr (json, ARCPASS_SANDBOX_KEY_LEGACY));
  g_assert_nonnull (strstr (json, arcpass_sandbox_get_url (f->sandbox)));
  g_assert_true (json_object_has_member (reply_json (reply), "apiKeys"));
}

static void
test_portal_info (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(Reply) root = fetch (f, "GET", "/sharing/rest?f=json", NULL, NULL);
  g_autoptr(Reply) info = fetch (f, "GET", "/sharing/rest/info?f=pjson", NULL, NULL);
  g_autoptr(Reply) html = fetch (f, "GET", "/sharing/rest/info", NULL, NULL);
  g_autoptr(Reply) self = fetch (f, "GET", "/sharing/portals/self?f=json", NULL, NULL);
  g_autoptr(Reply) bad = fetch (f, "GET", "/sharing/rest/portals/self?f=json", "nope", NULL);
  g_autoptr(Reply) key = fetch (f, "GET", "/sharing/rest/portals/self?f=json",
                                ARCPASS_SANDBOX_KEY_BASEMAPS, NULL);
  g_autoptr(Reply) anon = fetch (f, "GET", "/sharing/rest/community/self?f=json", NULL, NULL);
  g_autoptr(Reply) missing = fetch (f, "GET", "/no/such/thing", NULL, NULL);
  g_autofree char *text = reply_text (html);
  JsonObject *obj;

  g_assert_cmpstr (json_object_get_string_member (reply_json (root), "currentVersion"), ==,
                   "2024.1");
  obj = json_object_get_object_member (reply_json (info), "authInfo");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (obj, "tokenServicesUrl"),
                                   "/sharing/rest/generateToken"));
  g_assert_true (json_object_get_boolean_member (obj, "isTokenBasedSecurity"));
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (html->headers, NULL),
                                   "text/html"));
  g_assert_nonnull (strstr (text, "tokenServicesUrl"));
  obj = reply_json (self);
  g_assert_true (json_object_get_boolean_member (obj, "supportsOAuth"));
  g_assert_false (json_object_has_member (obj, "user"));
  assert_error (bad, 200, 498, "Invalid token.");
  obj = json_object_get_object_member (reply_json (key), "appInfo");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "privileges")), ==, 1);
  assert_error (anon, 200, 499, "Token Required");
  assert_error (missing, 404, 404, NULL);
}

static void
test_full_signin (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *location = NULL;
  g_autofree char *code = NULL;
  g_autofree char *state = NULL;
  g_autofree char *form = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *access2 = NULL;
  g_autofree char *access3 = NULL;
  g_autofree char *refresh3 = NULL;
  g_autoptr(Reply) token = NULL;
  g_autoptr(Reply) self = NULL;
  g_autoptr(Reply) refreshed = NULL;
  g_autoptr(Reply) exchanged = NULL;
  g_autoptr(Reply) old_refresh = NULL;
  g_autoptr(Reply) old_access = NULL;
  g_autoptr(Reply) old_access2 = NULL;
  g_autoptr(Reply) revoke = NULL;
  g_autoptr(Reply) after_revoke = NULL;
  g_autoptr(Reply) reused = NULL;
  g_autoptr(Reply) log = NULL;
  JsonObject *obj;
  JsonArray *entries;

  /* A wrong password shows the form again with an error. */
  {
    g_autofree char *query = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID,
                                               "response_type", "code",
                                               "redirect_uri", LOOPBACK_REDIRECT, NULL);
    g_autofree char *path = g_strconcat ("/sharing/oauth2/authorize?", query, NULL);
    g_autoptr(Reply) page = fetch (f, "GET", path, NULL, NULL);
    g_autofree char *html = reply_text (page);
    g_autofree char *st = extract_between (html, "name=\"oauth_state\" value=\"", "\"");
    g_autofree char *bad = soup_form_encode ("oauth_state", st, "username",
                                             ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                                             "password", "wrong", NULL);
    g_autoptr(Reply) again = fetch (f, "POST", "/sharing/oauth2/signin", NULL, bad);
    g_autofree char *html2 = reply_text (again);

    g_assert_cmpuint (again->status, ==, 200);
    g_assert_nonnull (strstr (html2, "errorMessage"));
    g_assert_nonnull (strstr (html2, "Invalid username or password."));
  }

  location = sign_in (f, LOOPBACK_REDIRECT, "code", ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                      ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  g_assert_true (g_str_has_prefix (location, LOOPBACK_REDIRECT "?"));
  code = query_value (location, "code");
  state = query_value (location, "state");
  g_assert_cmpstr (state, ==, "st4te-xyz");
  g_assert_cmpuint (strlen (code), >=, 40);

  form = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID, "grant_type",
                           "authorization_code", "code", code, "redirect_uri", LOOPBACK_REDIRECT,
                           "code_verifier", VERIFIER, NULL);
  token = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL, form);
  obj = reply_json (token);
  g_assert_cmpuint (token->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (obj, "expires_in"), ==, 1800);
  g_assert_cmpint (json_object_get_int_member (obj, "refresh_token_expires_in"), ==, 1209600);
  g_assert_cmpstr (json_object_get_string_member (obj, "username"), ==,
                   ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  /* As ArcGIS Online: its tokens must travel over HTTPS only. */
  g_assert_true (json_object_get_boolean_member (obj, "ssl"));
  access = g_strdup (json_object_get_string_member (obj, "access_token"));
  refresh = g_strdup (json_object_get_string_member (obj, "refresh_token"));

  /* The code is single-use. */
  reused = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL, form);
  assert_error (reused, 200, 400, "Invalid authorization code");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (reply_json (reused), "error"), "error"), ==,
                   "invalid_request");

  self = fetch (f, "GET", "/sharing/rest/community/self?f=json", access, NULL);
  obj = reply_json (self);
  g_assert_cmpstr (json_object_get_string_member (obj, "username"), ==,
                   ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_assert_cmpstr (json_object_get_string_member (obj, "role"), ==, "org_publisher");
  g_assert_cmpstr (json_object_get_string_member (obj, "fullName"), ==, "Ada Lovelace");

  g_free (form);
  form = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID, "grant_type",
                           "refresh_token", "refresh_token", refresh, NULL);
  refreshed = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL, form);
  obj = reply_json (refreshed);
  g_assert_false (json_object_has_member (obj, "refresh_token"));
  g_assert_cmpint (json_object_get_int_member (obj, "expires_in"), ==, 1800);
  access2 = g_strdup (json_object_get_string_member (obj, "access_token"));
  g_assert_cmpstr (access2, !=, access);

  g_free (form);
  form = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID, "grant_type",
                           "exchange_refresh_token", "refresh_token", refresh,
                           "redirect_uri", LOOPBACK_REDIRECT, NULL);
  exchanged = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL, form);
  obj = reply_json (exchanged);
  g_assert_true (json_object_has_member (obj, "refresh_token"));
  g_assert_cmpint (json_object_get_int_member (obj, "refresh_token_expires_in"), ==, 1209600);
  access3 = g_strdup (json_object_get_string_member (obj, "access_token"));
  refresh3 = g_strdup (json_object_get_string_member (obj, "refresh_token"));

  /* The old refresh token and its access tokens are dead. */
  g_free (form);
  form = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID, "grant_type",
                           "refresh_token", "refresh_token", refresh, NULL);
  old_refresh = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL, form);
  assert_error (old_refresh, 200, 498, "Invalid refresh_token");
  old_access = fetch (f, "GET", "/sharing/rest/community/self?f=json", access, NULL);
  assert_error (old_access, 200, 498, "Invalid token.");
  old_access2 = fetch (f, "GET", "/sharing/rest/community/self?f=json", access2, NULL);
  assert_error (old_access2, 200, 498, "Invalid token.");

  g_free (form);
  form = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID, "auth_token", refresh3,
                           "token_type_hint", "refresh_token", "f", "json", NULL);
  revoke = fetch (f, "POST", "/sharing/rest/oauth2/revokeToken", NULL, form);
  g_assert_true (json_object_get_boolean_member (reply_json (revoke), "success"));
  after_revoke = fetch (f, "GET", "/sharing/rest/community/self?f=json", access3, NULL);
  assert_error (after_revoke, 200, 498, "Invalid token.");

  /* The log has paths only, and says where the credential travelled. */
  log = fetch (f, "GET", "/_sandbox/log", NULL, NULL);
  entries = json_object_get_array_member (reply_json (log), "entries");
  g_assert_cmpuint (json_array_get_length (entries), >, 10);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *path = json_object_get_string_member (entry, "path");

      g_assert_null (strchr (path, '?'));
      if (strcmp (path, "/sharing/rest/community/self") == 0)
        g_assert_cmpstr (json_object_get_string_member (entry, "token_in"), ==, "header");
    }
  {
    g_autofree char *text = reply_text (log);

    g_assert_null (strstr (text, access));
    g_assert_null (strstr (text, refresh));
    g_assert_null (strstr (text, code));
  }
}

static void
test_oauth_errors (Fixture       *f,
                   gconstpointer  data)
{
  struct {
    const char *form;
    int         code;
    const char *message;
  } cases[] = {
    { "client_id=nobody&grant_type=client_credentials&client_secret=x", 400, "Invalid client_id" },
    { "grant_type=client_credentials", 400, "client_id not specified" },
    { "client_id=" ARCPASS_SANDBOX_CLIENT_ID "&grant_type=client_credentials&client_secret=bad",
      400, "Invalid client_secret" },
    { "client_id=" ARCPASS_SANDBOX_CLIENT_ID "&grant_type=password", 400, "Invalid grant_type" },
    { "client_id=" ARCPASS_SANDBOX_CLIENT_ID "&grant_type=authorization_code&code=zzz"
      "&redirect_uri=urn:ietf:wg:oauth:2.0:oob", 400, "Invalid authorization code" },
    { "client_id=" ARCPASS_SANDBOX_CLIENT_ID "&grant_type=refresh_token&refresh_token=zzz",
      498, "Invalid refresh_token" },
    { "client_id=" ARCPASS_SANDBOX_CLIENT_ID "&grant_type=exchange_refresh_token"
      "&refresh_token=zzz", 400, "redirect_uri not specified" },
    { "client_id=" ARCPASS_SANDBOX_CLIENT_ID "&grant_type=exchange_refresh_token"
      "&refresh_token=zzz&redirect_uri=https://evil.example/cb", 400, "Invalid redirect_uri" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Reply) reply = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL, cases[i].form);

      assert_error (reply, 200, cases[i].code, cases[i].message);
    }

  /* A client secret is refused in a URL, even for the GET the docs allow. */
  {
    g_autoptr(Reply) reply = fetch (f, "GET", "/sharing/rest/oauth2/token?client_id="
                                    ARCPASS_SANDBOX_CLIENT_ID "&grant_type=client_credentials"
                                    "&client_secret=" ARCPASS_SANDBOX_CLIENT_SECRET, NULL, NULL);

    assert_error (reply, 200, 400, NULL);
  }

  /* The configurable HTTP status of OAuth errors. */
  arcpass_sandbox_set_oauth_error_status (f->sandbox, 400);
  {
    g_autoptr(Reply) reply = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL,
                                    "client_id=nobody&grant_type=refresh_token");

    assert_error (reply, 400, 400, "Invalid client_id");
  }
  {
    g_autoptr(Reply) config = fetch (f, "POST", "/_sandbox/config", NULL, "oauth_error_status=200");
    g_autoptr(Reply) bad = fetch (f, "POST", "/_sandbox/config", NULL, "oauth_error_status=302");
    g_autoptr(Reply) reply = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL,
                                    "client_id=nobody&grant_type=refresh_token");

    g_assert_cmpuint (config->status, ==, 200);
    g_assert_cmpuint (bad->status, ==, 400);
    assert_error (reply, 200, 400, "Invalid client_id");
  }
  arcpass_sandbox_set_oauth_error_status (f->sandbox, 400);

  /* PKCE mismatch, redirect mismatch and a verifier retry on a burnt code. */
  {
    g_autofree char *location = sign_in (f, LOOPBACK_REDIRECT, "code",
                                         ARCPASS_SANDBOX_USER_USERNAME,
                                         ARCPASS_SANDBOX_USER_PASSWORD);
    g_autofree char *code = query_value (location, "code");
    g_autofree char *form = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID,
                                              "grant_type", "authorization_code", "code", code,
                                              "redirect_uri", LOOPBACK_REDIRECT, "code_verifier",
                                              "wrongwrongwrongwrongwrongwrongwrongwrong123", NULL);
    g_autoptr(Reply) reply = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL, form);
    g_autofree char *form2 = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID,
                                               "grant_type", "authorization_code", "code", code,
                                               "redirect_uri", LOOPBACK_REDIRECT,
                                               "code_verifier", VERIFIER, NULL);
    g_autoptr(Reply) retry = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL, form2);

    assert_error (reply, 400, 400, "Invalid code_verifier");
    assert_error (retry, 400, 400, "Invalid authorization code");
  }
  {
    g_autofree char *location = sign_in (f, LOOPBACK_REDIRECT, "code",
                                         ARCPASS_SANDBOX_USER_USERNAME,
                                         ARCPASS_SANDBOX_USER_PASSWORD);
    g_autofree char *code = query_value (location, "code");
    g_autofree char *form = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID,
                                              "grant_type", "authorization_code", "code", code,
                                              "redirect_uri", "http://127.0.0.1:1/callback",
                                              "code_verifier", VERIFIER, NULL);
    g_autoptr(Reply) reply = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL, form);

    assert_error (reply, 400, 400, "Invalid redirect_uri");
  }

  /* Authorize: unknown client or redirect gives an error page, never a redirect. */
  {
    g_autoptr(Reply) bad_client = fetch (f, "GET", "/sharing/rest/oauth2/authorize?client_id=x"
                                         "&response_type=code&redirect_uri=urn:ietf:wg:oauth:2.0:oob",
                                         NULL, NULL);
    g_autoptr(Reply) bad_redirect = fetch (f, "GET", "/sharing/rest/oauth2/authorize?client_id="
                                           ARCPASS_SANDBOX_CLIENT_ID "&response_type=code"
                                           "&redirect_uri=http%3A%2F%2Fevil.example%2Fcallback",
                                           NULL, NULL);
    g_autoptr(Reply) other_path = fetch (f, "GET", "/sharing/rest/oauth2/authorize?client_id="
                                         ARCPASS_SANDBOX_CLIENT_ID "&response_type=code"
                                         "&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fother",
                                         NULL, NULL);
    g_autofree char *t1 = reply_text (bad_client);
    g_autofree char *t2 = reply_text (bad_redirect);

    g_assert_cmpuint (bad_client->status, ==, 400);
    g_assert_nonnull (strstr (t1, "Invalid client_id"));
    g_assert_cmpuint (bad_redirect->status, ==, 400);
    g_assert_nonnull (strstr (t2, "Invalid redirect_uri"));
    g_assert_cmpuint (other_path->status, ==, 400);
  }

  /* revokeToken is POST only; it says success for unknown tokens. */
  {
    g_autoptr(Reply) get = fetch (f, "GET", "/sharing/rest/oauth2/revokeToken?auth_token=x",
                                  NULL, NULL);
    g_autoptr(Reply) unknown = fetch (f, "POST", "/sharing/rest/oauth2/revokeToken", NULL,
                                      "auth_token=unknown&f=json");

    assert_error (get, 405, 405, NULL);
    g_assert_true (json_object_get_boolean_member (reply_json (unknown), "success"));
  }
}

static void
test_oob_cancel_implicit (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *location = sign_in (f, "urn:ietf:wg:oauth:2.0:oob", "code",
                                       ARCPASS_SANDBOX_USER_USERNAME,
                                       ARCPASS_SANDBOX_USER_PASSWORD);
  g_autofree char *code = query_value (location, "code");
  g_autoptr(Reply) approval = fetch (f, "GET", location, NULL, NULL);
  g_autofree char *html = reply_text (approval);
  g_autofree char *title = g_strdup_printf ("<title>SUCCESS code=%s</title>", code);
  g_autofree char *implicit = NULL;
  g_autoptr(Reply) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) fragment = NULL;

  g_assert_true (g_str_has_prefix (location, arcpass_sandbox_get_url (f->sandbox)));
  g_assert_nonnull (strstr (location, "/sharing/oauth2/approval?"));
  g_assert_nonnull (strstr (html, title));

  /* Cancel: back to the app with access_denied and the state. */
  {
    g_autofree char *query = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID,
                                               "response_type", "code", "state", "s1",
                                               "redirect_uri", LOOPBACK_REDIRECT, NULL);
    g_autofree char *path = g_strconcat ("/sharing/rest/oauth2/authorize?", query, NULL);
    g_autoptr(Reply) page = fetch (f, "GET", path, NULL, NULL);
    g_autofree char *text = reply_text (page);
    g_autofree char *st = extract_between (text, "name=\"oauth_state\" value=\"", "\"");
    g_autofree char *form = soup_form_encode ("oauth_state", st, "cancel", "true", NULL);
    g_autoptr(Reply) cancel = fetch (f, "POST", "/sharing/rest/oauth2/signin", NULL, form);
    const char *loc = soup_message_headers_get_one (cancel->headers, "Location");
    g_autofree char *error = query_value (loc, "error");
    g_autofree char *state = query_value (loc, "state");

    g_assert_cmpuint (cancel->status, ==, 302);
    g_assert_cmpstr (error, ==, "access_denied");
    g_assert_cmpstr (state, ==, "s1");
  }

  /* Implicit grant: the token travels in the fragment. */
  implicit = sign_in (f, LOOPBACK_REDIRECT, "token", ARCPASS_SANDBOX_USER_USERNAME,
                      ARCPASS_SANDBOX_USER_PASSWORD);
  uri = g_uri_parse (implicit, G_URI_FLAGS_NONE, NULL);
  g_assert_null (g_uri_get_query (uri));
  fragment = g_uri_parse_params (g_uri_get_fragment (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  g_assert_cmpstr (g_hash_table_lookup (fragment, "expires_in"), ==, "1209600");
  g_assert_cmpstr (g_hash_table_lookup (fragment, "username"), ==, ARCPASS_SANDBOX_USER_USERNAME);
  /* ArcGIS Online's tokens are for HTTPS only, in every answer. */
  g_assert_cmpstr (g_hash_table_lookup (fragment, "ssl"), ==, "true");
  self = fetch (f, "GET", "/sharing/rest/community/self?f=json",
                g_hash_table_lookup (fragment, "access_token"), NULL);
  g_assert_cmpstr (json_object_get_string_member (reply_json (self), "role"), ==, "org_user");
}

static void
test_expiry (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *location = sign_in (f, LOOPBACK_REDIRECT, "code",
                                       ARCPASS_SANDBOX_USER_USERNAME,
                                       ARCPASS_SANDBOX_USER_PASSWORD);
  g_autofree char *code = query_value (location, "code");
  g_autofree char *location2 = sign_in (f, LOOPBACK_REDIRECT, "code",
                                        ARCPASS_SANDBOX_USER_USERNAME,
                                        ARCPASS_SANDBOX_USER_PASSWORD);
  g_autofree char *code2 = query_value (location2, "code");
  g_autofree char *form = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID, "grant_type",
                                            "authorization_code", "code", code, "redirect_uri",
                                            LOOPBACK_REDIRECT, "code_verifier", VERIFIER, NULL);
  g_autofree char *form2 = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID, "grant_type",
                                             "authorization_code", "code", code2, "redirect_uri",
                                             LOOPBACK_REDIRECT, "code_verifier", VERIFIER, NULL);
  g_autoptr(Reply) token = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL, form);
  g_autofree char *access = g_strdup (json_object_get_string_member (reply_json (token),
                                                                     "access_token"));
  g_autofree char *refresh = g_strdup (json_object_get_string_member (reply_json (token),
                                                                      "refresh_token"));
  g_autofree char *refresh_form = soup_form_encode ("client_id", ARCPASS_SANDBOX_CLIENT_ID,
                                                    "grant_type", "refresh_token",
                                                    "refresh_token", refresh, NULL);
  gint64 before = arcpass_sandbox_get_now (f->sandbox);
  g_autoptr(Reply) late_code = NULL;
  g_autoptr(Reply) expired_access = NULL;
  g_autoptr(Reply) still_refresh = NULL;
  g_autoptr(Reply) expired_refresh = NULL;
  g_autoptr(Reply) clock = NULL;
  g_autoptr(Reply) expired_key = NULL;

  /* Codes last ten minutes. */
  arcpass_sandbox_advance_clock (f->sandbox, 601);
  g_assert_cmpint (arcpass_sandbox_get_now (f->sandbox) - before, >=, 601);
  late_code = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL, form2);
  assert_error (late_code, 200, 400, "Invalid authorization code");

  /* Access tokens last 30 minutes; the control API moves the same clock. */
  clock = fetch (f, "POST", "/_sandbox/clock", NULL, "advance=1200");
  g_assert_cmpint (json_object_get_int_member (reply_json (clock), "offset"), ==, 1801);
  expired_access = fetch (f, "GET", "/sharing/rest/community/self?f=json", access, NULL);
  assert_error (expired_access, 200, 498, "Invalid token.");
  still_refresh = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL, refresh_form);
  g_assert_true (json_object_has_member (reply_json (still_refresh), "access_token"));

  /* Refresh tokens last two weeks (expiration=20160). */
  arcpass_sandbox_advance_clock (f->sandbox, 1209600);
  expired_refresh = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL, refresh_form);
  assert_error (expired_refresh, 200, 498, "refresh_token expired");

  /* The full API key expires after 180 days. */
  arcpass_sandbox_advance_clock (f->sandbox, 180 * 86400);
  expired_key = fetch (f, "GET", GEOCODE "/suggest?text=par&f=json", ARCPASS_SANDBOX_KEY_FULL,
                       NULL);
  assert_error (expired_key, 200, 498, "Invalid Token");
}

static void
test_generate_token (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(Reply) get = fetch (f, "GET", "/sharing/rest/generateToken?f=json&username="
                                ARCPASS_SANDBOX_USER_USERNAME "&password="
                                ARCPASS_SANDBOX_USER_PASSWORD, NULL, NULL);
  g_autoptr(Reply) wrong = fetch (f, "POST", "/sharing/rest/generateToken", NULL,
                                  "f=json&username=" ARCPASS_SANDBOX_USER_USERNAME
                                  "&password=nope&client=requestip");
  g_autoptr(Reply) ok = fetch (f, "POST", "/sharing/rest/generateToken", NULL,
                               "f=json&username=" ARCPASS_SANDBOX_USER_USERNAME "&password="
                               ARCPASS_SANDBOX_USER_PASSWORD "&client=requestip&expiration=60");
  g_autoptr(Reply) bound = fetch (f, "POST", "/sharing/rest/generateToken", NULL,
                                  "f=json&username=" ARCPASS_SANDBOX_USER_USERNAME "&password="
                                  ARCPASS_SANDBOX_USER_PASSWORD
                                  "&client=referer&referer=https%3A%2F%2Fapp.example");
  g_autoptr(Reply) self = NULL;
  g_autoptr(Reply) no_referer = NULL;
  JsonObject *obj;
  gint64 expires;

  assert_error (get, 200, 400, "Unable to generate token.");
  assert_error (wrong, 200, 400, "Unable to generate token.");
  obj = reply_json (ok);
  expires = json_object_get_int_member (obj, "expires");
  g_assert_cmpint (expires, ==, (arcpass_sandbox_get_now (f->sandbox) + 3600) * 1000);
  self = fetch (f, "GET", "/sharing/rest/community/self?f=json",
                json_object_get_string_member (obj, "token"), NULL);
  g_assert_cmpstr (json_object_get_string_member (reply_json (self), "username"), ==,
                   ARCPASS_SANDBOX_USER_USERNAME);
  no_referer = fetch (f, "GET", "/sharing/rest/community/self?f=json",
                      json_object_get_string_member (reply_json (bound), "token"), NULL);
  assert_error (no_referer, 200, 498, NULL);
}

static void
test_geocode (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(Reply) root = fetch (f, "GET", GEOCODE "?f=json", NULL, NULL);
  g_autoptr(Reply) no_token = fetch (f, "GET", GEOCODE "/findAddressCandidates?SingleLine=Paris"
                                     "&f=json", NULL, NULL);
  g_autoptr(Reply) bad_token = fetch (f, "GET", GEOCODE "/suggest?text=Paris&f=json&token=bad",
                                      NULL, NULL);
  g_autoptr(Reply) no_priv = fetch (f, "GET", GEOCODE "/suggest?text=Paris&f=json",
                                    ARCPASS_SANDBOX_KEY_BASEMAPS, NULL);
  g_autoptr(Reply) no_store = fetch (f, "GET", GEOCODE "/findAddressCandidates?SingleLine=Paris"
                                     "&forStorage=true&f=json", ARCPASS_SANDBOX_KEY_LEGACY, NULL);
  g_autoptr(Reply) redlands = fetch (f, "GET", GEOCODE "/findAddressCandidates?SingleLine="
                                     "380%20New%20York%20St%2C%20Redlands%2C%20CA%2092373"
                                     "&outFields=*&forStorage=false&f=pjson",
                                     ARCPASS_SANDBOX_KEY_FULL, NULL);
  g_autoptr(Reply) plain = fetch (f, "POST", GEOCODE "/findAddressCandidates", NULL,
                                  "singleLine=eiffel%20tower&f=json&token="
                                  ARCPASS_SANDBOX_KEY_LEGACY);
  g_autoptr(Reply) nothing = fetch (f, "GET", GEOCODE "/findAddressCandidates?SingleLine="
                                    "qwertyuiop&f=json", ARCPASS_SANDBOX_KEY_FULL, NULL);
  g_autoptr(Reply) suggest = fetch (f, "GET", GEOCODE "/suggest?text=sydney%20op&f=json",
                                    ARCPASS_SANDBOX_KEY_FULL, NULL);
  g_autoptr(Reply) no_text = fetch (f, "GET", GEOCODE "/suggest?f=json",
                                    ARCPASS_SANDBOX_KEY_FULL, NULL);
  g_autoptr(Reply) reverse = fetch (f, "GET", GEOCODE "/reverseGeocode?location=-0.1245,51.5008"
                                    "&f=json", ARCPASS_SANDBOX_KEY_FULL, NULL);
  g_autoptr(Reply) city = fetch (f, "GET", GEOCODE "/reverseGeocode?location=2.30,48.87"
                                 "&f=json", ARCPASS_SANDBOX_KEY_FULL, NULL);
  g_autoptr(Reply) ocean = fetch (f, "GET", GEOCODE "/reverseGeocode?location=-30,-30&f=json",
                                  ARCPASS_SANDBOX_KEY_FULL, NULL);
  g_autoptr(Reply) by_key = NULL;
  JsonObject *obj, *cand, *attrs, *loc, *ext;
  JsonArray *arr;
  const char *magic;

  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (reply_json (root), "singleLineAddressField"),
                     "name"), ==, "SingleLine");
  assert_error (no_token, 200, 499, "Token Required");
  assert_error (bad_token, 200, 498, "Invalid Token");
  assert_error (no_priv, 200, 403,
                "User does not have permissions to access 'world.geocodeserver'.");
  assert_error (no_store, 200, 403, "User does not have permissions to store geocoding results.");

  obj = reply_json (redlands);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (obj,
                                                 "spatialReference"), "wkid"), ==, 4326);
  arr = json_object_get_array_member (obj, "candidates");
  g_assert_cmpuint (json_array_get_length (arr), >=, 1);
  cand = json_array_get_object_element (arr, 0);
  g_assert_cmpfloat (json_object_get_double_member (cand, "score"), ==, 100);
  g_assert_cmpstr (json_object_get_string_member (cand, "address"), ==,
                   "380 New York St, Redlands, California, 92373");
  loc = json_object_get_object_member (cand, "location");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (loc, "x"), -117.1957, 0.01);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (loc, "y"), 34.0564, 0.01);
  attrs = json_object_get_object_member (cand, "attributes");
  g_assert_cmpstr (json_object_get_string_member (attrs, "Addr_type"), ==, "PointAddress");
  g_assert_cmpstr (json_object_get_string_member (attrs, "AddNum"), ==, "380");
  g_assert_cmpstr (json_object_get_string_member (attrs, "Postal"), ==, "92373");
  ext = json_object_get_object_member (cand, "extent");
  g_assert_cmpfloat (json_object_get_double_member (ext, "xmin"), <,
                     json_object_get_double_member (ext, "xmax"));

  cand = json_array_get_object_element (json_object_get_array_member (reply_json (plain),
                                                                      "candidates"), 0);
  g_assert_cmpstr (json_object_get_string_member (cand, "address"), ==,
                   "Eiffel Tower, Paris, Île-de-France, FRA");
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (cand, "attributes")),
                    ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply_json (nothing),
                                                                         "candidates")), ==, 0);

  arr = json_object_get_array_member (reply_json (suggest), "suggestions");
  g_assert_cmpuint (json_array_get_length (arr), >=, 1);
  obj = json_array_get_object_element (arr, 0);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (obj, "text"),
                                   "Sydney Opera House"));
  magic = json_object_get_string_member (obj, "magicKey");
  {
    g_autofree char *escaped = g_uri_escape_string (magic, NULL, FALSE);
    g_autofree char *path = g_strdup_printf (GEOCODE "/findAddressCandidates?SingleLine=Sydney"
                                             "%%20Opera%%20House&magicKey=%s&outFields=Addr_type"
                                             "&f=json", escaped);

    by_key = fetch (f, "GET", path, ARCPASS_SANDBOX_KEY_FULL, NULL);
  }
  arr = json_object_get_array_member (reply_json (by_key), "candidates");
  g_assert_cmpuint (json_array_get_length (arr), ==, 1);
  cand = json_array_get_object_element (arr, 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (cand,
                                                    "attributes"), "Addr_type"), ==, "POI");
  loc = json_object_get_object_member (cand, "location");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (loc, "x"), 151.215, 0.01);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (loc, "y"), -33.857, 0.01);
  assert_error (no_text, 200, 400, NULL);

  obj = json_object_get_object_member (reply_json (reverse), "address");
  g_assert_cmpstr (json_object_get_string_member (obj, "ShortLabel"), ==, "Big Ben");
  obj = json_object_get_object_member (reply_json (city), "address");
  g_assert_cmpstr (json_object_get_string_member (obj, "City"), ==, "Paris");
  g_assert_cmpstr (json_object_get_string_member (obj, "Addr_type"), ==, "Locality");
  assert_error (ocean, 200, 400, "Cannot perform query. Invalid query parameters.");
}

static void
test_basemaps (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(Reply) self = fetch (f, "GET", STYLES "/styles/self", ARCPASS_SANDBOX_KEY_BASEMAPS,
                                 NULL);
  g_autoptr(Reply) no_token = fetch (f, "GET", STYLES "/styles/self", NULL, NULL);
  g_autoptr(Reply) expired = fetch (f, "GET", STYLES "/styles/arcgis/navigation",
                                    ARCPASS_SANDBOX_KEY_EXPIRED, NULL);
  g_autoptr(Reply) style = fetch (f, "GET", STYLES "/styles/arcgis/light-gray/base?f=json",
                                  ARCPASS_SANDBOX_KEY_BASEMAPS, NULL);
  g_autoptr(Reply) unknown = fetch (f, "GET", STYLES "/styles/arcgis/nonsense",
                                    ARCPASS_SANDBOX_KEY_BASEMAPS, NULL);
  g_autoptr(Reply) tiles_self = fetch (f, "GET", TILES "/self", ARCPASS_SANDBOX_KEY_FULL, NULL);
  g_autoptr(Reply) no_priv = fetch (f, "GET", TILES "/arcgis/navigation/static/tile/0/0/0",
                                    ARCPASS_SANDBOX_KEY_BASEMAPS, NULL);
  g_autoptr(Reply) meta = fetch (f, "GET", TILES "/arcgis/dark-gray/static?f=json",
                                 ARCPASS_SANDBOX_KEY_FULL, NULL);
  g_autoptr(Reply) tile = fetch (f, "GET", TILES "/arcgis/imagery/static/tile/2/1/2",
                                 ARCPASS_SANDBOX_KEY_FULL, NULL);
  g_autoptr(Reply) out = fetch (f, "GET", TILES "/arcgis/navigation/static/tile/1/2/0",
                                ARCPASS_SANDBOX_KEY_FULL, NULL);
  JsonObject *obj;
  JsonArray *arr;
  const guint8 *png;
  gsize len;

  arr = json_object_get_array_member (reply_json (self), "styles");
  g_assert_cmpuint (json_array_get_length (arr), >=, 8);
  assert_error (no_token, 401, 499, NULL);
  assert_error (expired, 401, 498, NULL);
  g_assert_true (json_object_has_member (json_object_get_object_member (reply_json (expired),
                                                                        "error"), "restInfoUrl"));
  obj = reply_json (style);
  g_assert_cmpint (json_object_get_int_member (obj, "version"), ==, 8);
  g_assert_true (json_object_has_member (json_object_get_object_member (obj, "sources"), "esri"));
  assert_error (unknown, 404, 404, NULL);
  arr = json_object_get_array_member (reply_json (tiles_self), "styles");
  g_assert_cmpuint (json_array_get_length (arr), >=, 8);
  assert_error (no_priv, 403, 403, "Permission missing.");
  obj = json_object_get_object_member (reply_json (meta), "tileInfo");
  g_assert_cmpint (json_object_get_int_member (obj, "rows"), ==, 512);

  g_assert_cmpuint (tile->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (tile->headers, NULL), ==, "image/png");
  png = g_bytes_get_data (tile->body, &len);
  g_assert_cmpuint (len, >, 1000);
  g_assert_cmpmem (png, 8, "\x89PNG\r\n\x1a\n", 8);
  /* IHDR width and height, big-endian. */
  g_assert_cmpuint ((guint) png[16] << 24 | png[17] << 16 | png[18] << 8 | png[19], ==, 512);
  g_assert_cmpuint ((guint) png[20] << 24 | png[21] << 16 | png[22] << 8 | png[23], ==, 512);
  assert_error (out, 404, 404, NULL);
}

static void
test_faults (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(Reply) added = fetch (f, "POST", "/_sandbox/fault", NULL,
                                  "path=%2Fsharing%2Frest%2Finfo&mode=status%3A503&count=2");
  g_autoptr(Reply) first = fetch (f, "GET", "/sharing/rest/info?f=json", NULL, NULL);
  g_autoptr(Reply) second = fetch (f, "GET", "/sharing/rest/info?f=json", NULL, NULL);
  g_autoptr(Reply) third = fetch (f, "GET", "/sharing/rest/info?f=json", NULL, NULL);
  g_autoptr(Reply) invalid = fetch (f, "POST", "/_sandbox/fault", NULL, "path=/x&mode=explode");
  g_autoptr(Reply) malformed = NULL;
  g_autoptr(Reply) truncated = NULL;
  g_autoptr(Reply) closed = NULL;
  g_autoptr(Reply) full = NULL;
  g_autoptr(Reply) after_reset = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  Pending slow, quick;
  gint64 start, quick_done = 0, slow_done;

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply_json (added),
                                                                         "faults")), ==, 1);
  assert_error (first, 503, 503, NULL);
  assert_error (second, 503, 503, NULL);
  g_assert_cmpuint (third->status, ==, 200);
  g_assert_cmpuint (invalid->status, ==, 400);

  full = fetch (f, "GET", "/sharing/rest/portals/self?f=json", NULL, NULL);
  arcpass_sandbox_add_fault (f->sandbox, "/sharing/rest/portals", "malformed", 1);
  malformed = fetch (f, "GET", "/sharing/rest/portals/self?f=json", NULL, NULL);
  g_assert_cmpuint (malformed->status, ==, 200);
  g_assert_false (json_parser_load_from_data (parser, g_bytes_get_data (malformed->body, NULL),
                                              g_bytes_get_size (malformed->body), NULL));

  arcpass_sandbox_add_fault (f->sandbox, "/sharing/rest/portals", "truncate", 1);
  truncated = fetch (f, "GET", "/sharing/rest/portals/self?f=json", NULL, NULL);
  g_assert_cmpuint (truncated->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (truncated->body), <, g_bytes_get_size (full->body));
  g_assert_false (json_parser_load_from_data (parser, g_bytes_get_data (truncated->body, NULL),
                                              g_bytes_get_size (truncated->body), NULL));

  arcpass_sandbox_add_fault (f->sandbox, "/sharing/rest/info", "close", 1);
  closed = fetch (f, "GET", "/sharing/rest/info?f=json", NULL, NULL);
  g_assert_nonnull (closed->error);
  g_test_message ("close fault gives: %s", closed->error->message);

  /* A delayed response does not hold up the main context: a request sent
   * after it is answered first. */
  arcpass_sandbox_add_fault (f->sandbox, "/sharing/rest/info", "delay:400", 1);
  start = g_get_monotonic_time ();
  start_fetch (f, &slow, "GET", "/sharing/rest/info?f=json", NULL, NULL);
  g_usleep (20000);
  start_fetch (f, &quick, "GET", "/sharing/rest?f=json", NULL, NULL);
  while (!slow.done)
    {
      g_main_context_iteration (NULL, TRUE);
      if (quick.done && !quick_done)
        quick_done = g_get_monotonic_time ();
    }
  slow_done = g_get_monotonic_time ();
  wait_for (&slow);
  wait_for (&quick);
  if (!quick_done)
    quick_done = g_get_monotonic_time ();
  g_assert_cmpuint (slow.reply->status, ==, 200);
  g_assert_cmpuint (quick.reply->status, ==, 200);
  g_assert_cmpint (slow_done - start, >=, 400000);
  g_assert_cmpint (quick_done, <, slow_done);
  reply_free (slow.reply);
  reply_free (quick.reply);

  arcpass_sandbox_add_fault (f->sandbox, "/sharing", "status:500", 5);
  after_reset = fetch (f, "POST", "/_sandbox/reset", NULL, "");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply_json (after_reset),
                                                                         "faults")), ==, 0);
  g_assert_cmpuint (arcpass_sandbox_get_token_count (f->sandbox), ==, 0);
}

typedef struct
{
  Fixture *f;
  guint    issued;
  guint    in_flight;
  guint    failures;
} Burst;

static void
burst_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Burst *burst = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  if (!body || !g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                              "access_token"))
    burst->failures++;
  burst->in_flight--;
}

static void
test_token_scale (Fixture       *f,
                  gconstpointer  data)
{
  const guint n_tokens = 10000, n_checks = 1000;
  Burst burst = { f };
  g_autofree char *app_token = NULL;
  g_autoptr(Reply) log = NULL;
  JsonArray *entries;
  gint64 start, server_us = 0;
  gint64 first_issued;
  double client_ms;
  guint n_logged = 0;

  /* Issuing takes from seconds to minutes (sanitizers, a busy machine):
   * expiry is counted from the first token. */
  first_issued = arcpass_sandbox_get_now (f->sandbox);
  start = g_get_monotonic_time ();
  while (burst.issued < n_tokens || burst.in_flight > 0)
    {
      while (burst.issued < n_tokens && burst.in_flight < 16)
        {
          SoupMessage *msg = build_message (f, "POST", "/sharing/rest/oauth2/token", NULL,
                                            "client_id=" ARCPASS_SANDBOX_CLIENT_ID
                                            "&client_secret=" ARCPASS_SANDBOX_CLIENT_SECRET
                                            "&grant_type=client_credentials");

          soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL,
                                            burst_cb, &burst);
          g_object_unref (msg);
          burst.issued++;
          burst.in_flight++;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (burst.failures, ==, 0);
  g_test_message ("issued %u app tokens over HTTP in %.2f s", n_tokens,
                  (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpuint (arcpass_sandbox_get_token_count (f->sandbox), >=, n_tokens);

  {
    g_autoptr(Reply) token = fetch (f, "POST", "/sharing/rest/oauth2/token", NULL,
                                    "client_id=" ARCPASS_SANDBOX_CLIENT_ID "&client_secret="
                                    ARCPASS_SANDBOX_CLIENT_SECRET "&grant_type=client_credentials");
    g_autoptr(Reply) cleared = fetch (f, "DELETE", "/_sandbox/log", NULL, NULL);

    app_token = g_strdup (json_object_get_string_member (reply_json (token), "access_token"));
    g_assert_cmpuint (cleared->status, ==, 200);
  }

  /* Token-checked requests with 10,001 live tokens in the store. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_checks; i++)
    {
      g_autoptr(Reply) reply = fetch (f, "GET", TILES "/self?f=json", app_token, NULL);

      g_assert_cmpuint (reply->status, ==, 200);
    }
  client_ms = (g_get_monotonic_time () - start) / 1000.0;

  log = fetch (f, "GET", "/_sandbox/log", NULL, NULL);
  entries = json_object_get_array_member (reply_json (log), "entries");
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      if (g_str_has_suffix (json_object_get_string_member (entry, "path"), "/v1/self"))
        {
          server_us += json_object_get_int_member (entry, "duration_us");
          n_logged++;
        }
    }
  g_assert_cmpuint (n_logged, ==, n_checks);
  g_test_message ("token-checked request with %u tokens stored: %.1f µs server time, "
                  "%.3f ms round trip (mean of %u)",
                  arcpass_sandbox_get_token_count (f->sandbox),
                  (double) server_us / n_logged, client_ms / n_checks, n_checks);

  /* App tokens live 2 h; expired ones are reclaimed an hour later: just
   * before that for the first token, all are kept; once the last one's hour
   * is over, none is. */
  arcpass_sandbox_advance_clock (f->sandbox, first_issued + 7200 + 3600 - 60 -
                                             arcpass_sandbox_get_now (f->sandbox));
  g_assert_cmpuint (arcpass_sandbox_get_token_count (f->sandbox), >=, n_tokens);
  arcpass_sandbox_advance_clock (f->sandbox, (arcpass_sandbox_get_now (f->sandbox) - first_issued) +
                                             120);
  g_assert_cmpuint (arcpass_sandbox_get_token_count (f->sandbox), ==, 0);
}

static cairo_status_t
read_png_cb (void          *closure,
             unsigned char *data,
             unsigned int   length)
{
  GInputStream *stream = closure;
  gsize read = 0;

  if (!g_input_stream_read_all (stream, data, length, &read, NULL, NULL) || read != length)
    return CAIRO_STATUS_READ_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *
fetch_tile (Fixture    *f,
            const char *style,
            int         z,
            int         y,
            int         x)
{
  g_autofree char *path = g_strdup_printf (TILES "/%s/static/tile/%d/%d/%d", style, z, y, x);
  g_autoptr(Reply) reply = fetch (f, "GET", path, ARCPASS_SANDBOX_KEY_FULL, NULL);
  g_autoptr(GInputStream) stream = NULL;
  cairo_surface_t *surface;

  g_assert_cmpuint (reply->status, ==, 200);
  stream = g_memory_input_stream_new_from_bytes (reply->body);
  surface = cairo_image_surface_create_from_png_stream (read_png_cb, stream);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 512);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, 512);
  return surface;
}

static guint32
pixel (cairo_surface_t *surface,
       int              x,
       int              y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);

  return *(const guint32 *) (data + y * cairo_image_surface_get_stride (surface) + 4 * x);
}

static gboolean
pixels_close (guint32 a,
              guint32 b)
{
  for (int shift = 0; shift < 32; shift += 8)
    if (ABS ((int) (a >> shift & 0xff) - (int) (b >> shift & 0xff)) > 48)
      return FALSE;
  return TRUE;
}

/* Saves a 3×3 mosaic for a human to look at, and checks the seams: the
 * pixels on each side of a tile border should mostly agree (a shifted or
 * differently scaled neighbour would not). */
static void
save_mosaic (Fixture    *f,
             const char *style,
             int         z,
             int         y0,
             int         x0,
             const char *name)
{
  cairo_surface_t *tiles[3][3];
  cairo_surface_t *mosaic = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 3 * 512, 3 * 512);
  cairo_t *cr = cairo_create (mosaic);
  g_autofree char *file = g_test_build_filename (G_TEST_BUILT, name, NULL);
  guint same = 0, total = 0;

  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      {
        tiles[r][c] = fetch_tile (f, style, z, y0 + r, x0 + c);
        cairo_surface_flush (tiles[r][c]);
        cairo_set_source_surface (cr, tiles[r][c], c * 512, r * 512);
        cairo_paint (cr);
      }

  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 2; c++)
      for (int y = 0; y < 512; y++)
        {
          total++;
          /* One pixel in from each side: a one-pixel graticule line lying
           * exactly on the border belongs to one tile only, as it should. */
          same += pixels_close (pixel (tiles[r][c], 510, y), pixel (tiles[r][c + 1], 1, y));
        }

  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (mosaic, file), ==, CAIRO_STATUS_SUCCESS);
  g_test_message ("mosaic saved to %s", file);
  g_test_message ("%s: %u of %u pixel pairs across vertical seams match", name, same, total);
  g_assert_cmpuint (same, >, total * 9 / 10);
  cairo_surface_destroy (mosaic);
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      cairo_surface_destroy (tiles[r][c]);
}

static void
test_tile_mosaic (Fixture       *f,
                  gconstpointer  data)
{
  /* Europe, North Africa and the Middle East at level 3. */
  save_mosaic (f, "arcgis/navigation", 3, 1, 3, "tile-mosaic-navigation.png");
  save_mosaic (f, "arcgis/dark-gray", 3, 1, 3, "tile-mosaic-dark-gray.png");
  /* The Americas and the Pacific at level 2 (imagery palette). */
  save_mosaic (f, "arcgis/imagery", 2, 0, 0, "tile-mosaic-imagery.png");
  /* Western Europe at level 5, with city labels crossing tile borders. */
  save_mosaic (f, "arcgis/light-gray", 5, 10, 15, "tile-mosaic-light-gray.png");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sandbox/fixtures", test_fixtures);
  ADD ("/sandbox/portal/info", test_portal_info);
  ADD ("/sandbox/oauth/full-signin", test_full_signin);
  ADD ("/sandbox/oauth/errors", test_oauth_errors);
  ADD ("/sandbox/oauth/redirect-exact-port", test_redirect_exact_port);
  ADD ("/sandbox/oauth/idp-sign-in", test_idp_sign_in);
  ADD ("/sandbox/oauth/session-cookie", test_session_cookie);
  ADD ("/sandbox/oauth/password-expired", test_password_expired);
  ADD ("/sandbox/oauth/oob-cancel-implicit", test_oob_cancel_implicit);
  ADD ("/sandbox/oauth/expiry", test_expiry);
  ADD ("/sandbox/generate-token", test_generate_token);
  ADD ("/sandbox/geocode", test_geocode);
  ADD ("/sandbox/basemaps", test_basemaps);
  ADD ("/sandbox/faults", test_faults);
  ADD ("/sandbox/tokens/scale", test_token_scale);
  ADD ("/sandbox/tiles/mosaic", test_tile_mosaic);
#undef ADD

  return g_test_run ();
}
