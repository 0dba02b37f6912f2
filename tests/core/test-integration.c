/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-core.h"
#include "arcpass-sandbox.h"

/* Every flow end to end against the in-process sandbox, on loopback. All
 * secrets met on the way are collected, and the last test checks that none
 * of them reached the request log, a log line, or a URL the sandbox saw. */

static ArcpassSandbox *sandbox;

/* The client dates a token when the answer arrives; the test reads the
 * clock later (seconds later under valgrind). */
#define assert_expires_in(expires, seconds) G_STMT_START { \
    gint64 _now = arcpass_sandbox_get_now (sandbox); \
    g_assert_cmpint ((expires), <=, _now + (seconds)); \
    g_assert_cmpint ((expires), >=, _now + (seconds) - 10); \
  } G_STMT_END

static ArcpassClient *client;
static ArcpassAccountStore *store;
static GPtrArray *secrets;      /* every token/key/secret/password seen */
static GString *log_capture;    /* every formatted log line */

static void
remember_secret (const char *secret)
{
  if (secret != NULL && *secret != '\0' && !g_ptr_array_find_with_equal_func (secrets, secret, g_str_equal, NULL))
    g_ptr_array_add (secrets, g_strdup (secret));
}

static void
remember_credential (ArcpassCredential *credential)
{
  remember_secret (arcpass_credential_get_access_token (credential));
  remember_secret (arcpass_credential_get_refresh_token (credential));
  remember_secret (arcpass_credential_get_client_secret (credential));
}

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE"))
      {
        g_string_append_len (log_capture, fields[i].value,
                             fields[i].length < 0 ? (gssize) strlen (fields[i].value) : fields[i].length);
        g_string_append_c (log_capture, '\n');
      }

  /* GLib writes debug messages to stdout, where they would break the TAP
   * stream: they go to stderr instead. */
  if (log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    {
      g_autofree char *line = g_log_writer_format_fields (log_level, fields, n_fields, FALSE);

      g_printerr ("%s\n", line);
      return G_LOG_WRITER_HANDLED;
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static gint64
sandbox_clock (gpointer user_data)
{
  return arcpass_sandbox_get_now (ARCPASS_SANDBOX (user_data));
}

/* ---- Running async calls to completion ----------------------------- */

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

#define RUN(call_async, ...)                                              \
  ({                                                                      \
    GAsyncResult *_res = NULL;                                            \
    call_async (__VA_ARGS__, store_result_cb, &_res);                     \
    wait_for (&_res);                                                     \
  })

/* ---- A small "browser" driving the sign-in form over HTTP ------------- */

static SoupSession *browser;

/* The sandbox (and the loopback receiver) answer on this thread's main
 * context, so the browser must not block it. */
static GBytes *
browser_send (SoupMessage  *message,
              GError      **error)
{
  GAsyncResult *res = NULL;
  GBytes *body;

  soup_session_send_and_read_async (browser, message, G_PRIORITY_DEFAULT, NULL, store_result_cb, &res);
  wait_for (&res);
  body = soup_session_send_and_read_finish (browser, res, error);
  g_object_unref (res);
  return body;
}

static char *
http_get (const char *url,
          guint      *out_status,
          char      **out_location)
{
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  body = browser_send (message, &error);
  g_assert_no_error (error);
  if (out_status)
    *out_status = soup_message_get_status (message);
  if (out_location)
    *out_location = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (message), "Location"));

  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static char *
html_attr (const char *html,
           const char *pattern)
{
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (!g_regex_match (regex, html, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 1);
}

/* GETs the authorize page, fills the form like a user and returns the
 * Location the portal redirects to (never followed). */
static char *
submit_sign_in_form (const char *authorize_url,
                     const char *username,
                     const char *password,
                     gboolean    cancel)
{
  g_autofree char *html = NULL;
  g_autofree char *action = NULL;
  g_autofree char *oauth_state = NULL;
  g_autoptr(GUri) base = NULL;
  g_autoptr(GUri) action_uri = NULL;
  g_autofree char *action_url = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *form = NULL;
  guint status = 0;

  html = http_get (authorize_url, &status, NULL);
  g_assert_cmpuint (status, ==, 200);

  action = html_attr (html, "<form[^>]*action=\"([^\"]*)\"");
  oauth_state = html_attr (html, "name=\"oauth_state\" value=\"([^\"]*)\"");
  g_assert_nonnull (action);
  g_assert_nonnull (oauth_state);

  base = g_uri_parse (authorize_url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  action_uri = g_uri_parse_relative (base, action, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  action_url = g_uri_to_string (action_uri);

  if (cancel)
    form = soup_form_encode ("oauth_state", oauth_state, "cancel", "true", NULL);
  else
    form = soup_form_encode ("oauth_state", oauth_state, "username", username,
                             "password", password, "authorize", "true", NULL);

  message = soup_message_new ("POST", action_url);
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  {
    g_autoptr(GBytes) request_body = g_bytes_new (form, strlen (form));
    soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded", request_body);
  }
  body = browser_send (message, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 302);

  return g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (message), "Location"));
}

static ArcpassCredential *
sign_in_user (const char *username,
              const char *password,
              gboolean    use_loopback)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassLoopbackReceiver) receiver = NULL;
  g_autoptr(ArcpassAuthorization) auth = NULL;
  g_autofree char *url = NULL;
  g_autofree char *location = NULL;
  g_autoptr(ArcpassSecret) redirect = NULL;
  g_autoptr(ArcpassSecret) code = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  ArcpassCredential *credential;

  if (use_loopback)
    {
      receiver = arcpass_loopback_receiver_new (0, NULL, &error);
      g_assert_no_error (error);
      /* Any free port, registered in the sandbox app as a user registers
       * it in their OAuth credential: ArcGIS matches the port too. */
      arcpass_sandbox_register_redirect_uri (sandbox,
                                             arcpass_loopback_receiver_get_redirect_uri (receiver));
    }

  auth = arcpass_authorization_new (arcpass_sandbox_get_url (sandbox), ARCPASS_SANDBOX_CLIENT_ID,
                                    receiver ? arcpass_loopback_receiver_get_redirect_uri (receiver) : NULL,
                                    &error);
  g_assert_no_error (error);
  remember_secret (arcpass_authorization_get_code_verifier (auth));
  url = arcpass_authorization_build_url (auth);

  location = submit_sign_in_form (url, username, password, FALSE);
  g_assert_nonnull (location);

  if (receiver != NULL)
    {
      GAsyncResult *wait_res = NULL;
      g_autofree char *page = NULL;
      guint status = 0;

      arcpass_loopback_receiver_wait_async (receiver, 30, NULL, store_result_cb, &wait_res);
      /* The browser follows the redirect to the loopback receiver. */
      page = http_get (location, &status, NULL);
      g_assert_cmpuint (status, ==, 200);
      g_assert_nonnull (strstr (page, "You can close this tab"));
      wait_for (&wait_res);
      redirect = arcpass_loopback_receiver_wait_finish (receiver, wait_res, &error);
      g_object_unref (wait_res);
      g_assert_no_error (error);
    }
  else
    redirect = g_strdup (location);

  g_assert_cmpint (arcpass_authorization_parse_redirect (auth, redirect, &code, &error), ==, ARCPASS_REDIRECT_CODE);
  g_assert_no_error (error);
  remember_secret (code);

  res = RUN (arcpass_sign_in_with_code_async, client, auth, code, NULL);
  credential = arcpass_sign_in_finish (res, &error);
  g_assert_no_error (error);
  remember_credential (credential);

  /* A code is single-use. */
  {
    g_autoptr(GAsyncResult) again = RUN (arcpass_oauth_exchange_code_async, client, auth, code, NULL);
    g_autoptr(ArcpassTokenResponse) response = arcpass_oauth_exchange_code_finish (again, &error);

    g_assert_null (response);
    g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_GRANT);
  }

  return credential;
}

static ArcpassTokenManager *
new_manager (ArcpassCredential *credential)
{
  ArcpassTokenManager *manager = arcpass_token_manager_new (client, credential, store);
  g_autoptr(ArcpassEndpoints) endpoints = arcpass_endpoints_new_for_sandbox (arcpass_sandbox_get_url (sandbox));

  arcpass_token_manager_set_endpoints (manager, endpoints);
  return manager;
}

static char *
get_token (ArcpassTokenManager *manager,
           gboolean             force,
           GError             **error)
{
  g_autoptr(GAsyncResult) res = RUN (arcpass_token_manager_get_token_async, manager, force, NULL);
  char *token = arcpass_token_manager_get_token_finish (manager, res, error);

  remember_secret (token);
  return token;
}

static void
save_account (ArcpassCredential *credential)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = RUN (arcpass_account_store_save_async, store, credential, NULL);

  g_assert_true (arcpass_account_store_save_finish (store, res, &error));
  g_assert_no_error (error);
}

static ArcpassCredential *
load_account (const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = RUN (arcpass_account_store_load_async, store, id, NULL);
  ArcpassCredential *credential = arcpass_account_store_load_finish (store, res, &error);

  g_assert_no_error (error);
  return credential;
}

static guint
count_sandbox_requests (const char *path)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(JsonObject) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strconcat (arcpass_sandbox_get_url (sandbox), "/_sandbox/log", NULL);
  JsonArray *entries;
  guint n = 0;

  res = RUN (arcpass_client_request_json_async, client, ARCPASS_SERVICE_NONE, url, NULL, NULL,
             ARCPASS_REQUEST_NONE, NULL);
  log = arcpass_client_request_json_finish (client, res, NULL, &error);
  g_assert_no_error (error);
  entries = arcpass_json_object_get_array (log, "entries", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = arcpass_json_array_get_object (entries, i, &error);

      if (g_strcmp0 (json_object_get_string_member (entry, "path"), path) == 0)
        n++;
    }
  return n;
}

/* The test session starts gnome-keyring-daemon just before the test; its
 * bus name can appear a moment later. */
static void
wait_for_keyring (void)
{
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GAsyncResult) res = RUN (arcpass_account_store_check_async, store, NULL);
      g_autoptr(GError) error = NULL;

      if (arcpass_account_store_check_finish (store, res, &error))
        return;
      g_usleep (100 * 1000);
    }
  g_error ("The test session's keyring never appeared on the bus");
}

/* ---- Tests ---------------------------------------------------------- */

static void
test_discovery (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = RUN (arcpass_portal_discover_async, client, arcpass_sandbox_get_url (sandbox), NULL);
  g_autoptr(ArcpassPortalInfo) info = arcpass_portal_discover_finish (res, &error);
  g_autofree char *home = g_strconcat (arcpass_sandbox_get_url (sandbox), "/home/", NULL);
  g_autoptr(GAsyncResult) res2 = RUN (arcpass_portal_discover_async, client, home, NULL);
  g_autoptr(ArcpassPortalInfo) info2 = arcpass_portal_discover_finish (res2, &error);

  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->portal_url, ==, arcpass_sandbox_get_url (sandbox));
  g_assert_nonnull (info->token_service_url);
  g_assert_true (info->kind != ARCPASS_PORTAL_KIND_UNKNOWN);
  g_assert_nonnull (info2);
  g_assert_cmpstr (info2->portal_url, ==, arcpass_sandbox_get_url (sandbox));
}

static void
test_discovery_unreachable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(ArcpassPortalInfo) info = NULL;

  /* Port 1 on loopback: nothing listens there. */
  res = RUN (arcpass_portal_discover_async, client, "http://127.0.0.1:1", NULL);
  info = arcpass_portal_discover_finish (res, &error);
  g_assert_null (info);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NETWORK);
}

static void
test_authorization_code_loopback (void)
{
  g_autoptr(ArcpassCredential) credential = sign_in_user (ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                                                          ARCPASS_SANDBOX_PUBLISHER_PASSWORD, TRUE);
  g_autoptr(ArcpassCredential) loaded = NULL;

  g_assert_cmpint (arcpass_credential_get_kind (credential), ==, ARCPASS_CREDENTIAL_OAUTH_USER);
  g_assert_cmpstr (arcpass_credential_get_username (credential), ==, ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_assert_nonnull (arcpass_credential_get_full_name (credential));
  g_assert_nonnull (arcpass_credential_get_role (credential));
  g_assert_nonnull (arcpass_credential_get_access_token (credential));
  g_assert_nonnull (arcpass_credential_get_refresh_token (credential));
  assert_expires_in (arcpass_credential_get_access_expires (credential), 1800);
  g_assert_cmpint (arcpass_credential_get_refresh_expires (credential), >,
                   arcpass_sandbox_get_now (sandbox) + 13 * 24 * 3600);
  g_assert_cmpint (arcpass_credential_get_state (credential), ==, ARCPASS_CREDENTIAL_STATE_VALID);
  g_assert_nonnull (arcpass_credential_get_privileges (credential)[0]);

  save_account (credential);
  loaded = load_account (arcpass_credential_get_id (credential));
  g_assert_cmpstr (arcpass_credential_get_refresh_token (loaded), ==, arcpass_credential_get_refresh_token (credential));
}

static void
test_authorization_code_oob (void)
{
  g_autoptr(ArcpassCredential) credential = sign_in_user (ARCPASS_SANDBOX_USER_USERNAME,
                                                          ARCPASS_SANDBOX_USER_PASSWORD, FALSE);

  g_assert_cmpstr (arcpass_credential_get_username (credential), ==, ARCPASS_SANDBOX_USER_USERNAME);
  g_assert_cmpstr (arcpass_credential_get_redirect_uri (credential), ==, ARCPASS_OAUTH_OOB_REDIRECT_URI);
}

static void
test_authorization_denied (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassAuthorization) auth = NULL;
  g_autofree char *url = NULL;
  g_autofree char *location = NULL;
  g_autoptr(ArcpassSecret) code = NULL;

  auth = arcpass_authorization_new (arcpass_sandbox_get_url (sandbox), ARCPASS_SANDBOX_CLIENT_ID,
                                    ARCPASS_LOOPBACK_DEFAULT_REDIRECT_URI, &error);
  g_assert_no_error (error);
  url = arcpass_authorization_build_url (auth);
  location = submit_sign_in_form (url, NULL, NULL, TRUE);
  g_assert_cmpint (arcpass_authorization_parse_redirect (auth, location, &code, &error), ==, ARCPASS_REDIRECT_ERROR);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_ACCESS_DENIED);
  g_assert_null (code);
}

static void
test_authorization_bad_redirect (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassAuthorization) auth = NULL;
  g_autofree char *url = NULL;
  g_autofree char *html = NULL;
  guint status = 0;

  /* Not registered: the portal shows an error page and never redirects. */
  auth = arcpass_authorization_new (arcpass_sandbox_get_url (sandbox), ARCPASS_SANDBOX_CLIENT_ID,
                                    "https://evil.example.com/callback", &error);
  g_assert_no_error (error);
  url = arcpass_authorization_build_url (auth);
  html = http_get (url, &status, NULL);
  g_assert_cmpuint (status, ==, 400);
  g_assert_nonnull (strstr (html, "Invalid redirect_uri"));
}

static void
test_wrong_client_id (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;

  res = RUN (arcpass_sign_in_with_app_credentials_async, client, arcpass_sandbox_get_url (sandbox),
             "noSuchClient", ARCPASS_SANDBOX_CLIENT_SECRET, NULL);
  credential = arcpass_sign_in_finish (res, &error);
  g_assert_null (credential);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_CLIENT);
  g_clear_object (&res);
  g_clear_error (&error);

  res = RUN (arcpass_sign_in_with_app_credentials_async, client, arcpass_sandbox_get_url (sandbox),
             ARCPASS_SANDBOX_CLIENT_ID, "wrong-secret-value", NULL);
  credential = arcpass_sign_in_finish (res, &error);
  g_assert_null (credential);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_CLIENT);
}

static void
test_app_credentials (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(ArcpassSecret) first = NULL;
  g_autoptr(ArcpassSecret) second = NULL;

  res = RUN (arcpass_sign_in_with_app_credentials_async, client, arcpass_sandbox_get_url (sandbox),
             ARCPASS_SANDBOX_CLIENT_ID, ARCPASS_SANDBOX_CLIENT_SECRET, NULL);
  credential = arcpass_sign_in_finish (res, &error);
  g_assert_no_error (error);
  remember_credential (credential);
  g_assert_cmpint (arcpass_credential_get_kind (credential), ==, ARCPASS_CREDENTIAL_APP_CREDENTIALS);
  g_assert_cmpint (arcpass_credential_get_access_expires (credential), >, arcpass_sandbox_get_now (sandbox));
  g_assert_true (arcpass_credential_has_privilege (credential, "premium:user:basemaps"));

  manager = new_manager (credential);
  first = get_token (manager, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, arcpass_credential_get_access_token (credential));

  /* Past its expiry, a new app token is requested with the secret. */
  arcpass_sandbox_advance_clock (sandbox, arcpass_credential_get_access_expires (credential) -
                                          arcpass_sandbox_get_now (sandbox) + 10);
  second = get_token (manager, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second, !=, first);
  g_assert_cmpint (arcpass_credential_get_access_expires (credential), >, arcpass_sandbox_get_now (sandbox));
}

/* The "refresh-margin" setting: 10 minutes before expiry a token is renewed
 * with a 15-minute margin, and handed out as is with the default 5. */
static void
test_refresh_margin (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(ArcpassSecret) first = NULL;
  g_autoptr(ArcpassSecret) second = NULL;
  g_autoptr(ArcpassSecret) third = NULL;

  res = RUN (arcpass_sign_in_with_app_credentials_async, client, arcpass_sandbox_get_url (sandbox),
             ARCPASS_SANDBOX_CLIENT_ID, ARCPASS_SANDBOX_CLIENT_SECRET, NULL);
  credential = arcpass_sign_in_finish (res, &error);
  g_assert_no_error (error);
  remember_credential (credential);

  manager = new_manager (credential);
  g_assert_cmpuint (arcpass_token_manager_get_refresh_margin (manager), ==,
                    ARCPASS_TOKEN_REFRESH_MARGIN);
  first = arcpass_secret_dup (arcpass_credential_get_access_token (credential));

  arcpass_sandbox_advance_clock (sandbox, arcpass_credential_get_access_expires (credential) -
                                          arcpass_sandbox_get_now (sandbox) - 600);
  second = get_token (manager, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second, ==, first);

  arcpass_token_manager_set_refresh_margin (manager, 900);
  third = get_token (manager, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (third, !=, first);
  g_assert_cmpint (arcpass_credential_get_access_expires (credential) - arcpass_sandbox_get_now (sandbox),
                   >, 900);

  arcpass_token_manager_set_refresh_margin (manager, 0);
  g_assert_cmpuint (arcpass_token_manager_get_refresh_margin (manager), ==,
                    ARCPASS_TOKEN_REFRESH_MARGIN);
}

static void
test_generate_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;

  res = RUN (arcpass_sign_in_with_password_async, client, arcpass_sandbox_get_url (sandbox),
             ARCPASS_SANDBOX_PUBLISHER_USERNAME, ARCPASS_SANDBOX_PUBLISHER_PASSWORD, NULL);
  credential = arcpass_sign_in_finish (res, &error);
  g_assert_no_error (error);
  remember_credential (credential);
  g_assert_cmpint (arcpass_credential_get_kind (credential), ==, ARCPASS_CREDENTIAL_GENERATE_TOKEN);
  g_assert_cmpstr (arcpass_credential_get_username (credential), ==, ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_assert_nonnull (arcpass_credential_get_full_name (credential));
  g_assert_cmpint (arcpass_credential_get_access_expires (credential), >, arcpass_sandbox_get_now (sandbox));
  g_assert_null (arcpass_credential_get_refresh_token (credential));
  g_clear_object (&res);
  g_clear_object (&credential);

  res = RUN (arcpass_sign_in_with_password_async, client, arcpass_sandbox_get_url (sandbox),
             ARCPASS_SANDBOX_PUBLISHER_USERNAME, "not-the-password", NULL);
  credential = arcpass_sign_in_finish (res, &error);
  g_assert_null (credential);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_CREDENTIALS);
}

static ArcpassProbeResult *
probe_of (GPtrArray      *results,
          ArcpassService  service)
{
  for (guint i = 0; i < results->len; i++)
    {
      ArcpassProbeResult *result = g_ptr_array_index (results, i);

      if (result->service == service)
        return result;
    }
  g_assert_not_reached ();
}

static void
test_api_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassEndpoints) endpoints = arcpass_endpoints_new_for_sandbox (arcpass_sandbox_get_url (sandbox));
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GPtrArray) results = NULL;

  /* Sign in with the full key. */
  res = RUN (arcpass_sign_in_with_api_key_async, client, arcpass_sandbox_get_url (sandbox),
             "  " ARCPASS_SANDBOX_KEY_FULL "\n", NULL);
  credential = arcpass_sign_in_finish (res, &error);
  g_assert_no_error (error);
  g_assert_cmpint (arcpass_credential_get_kind (credential), ==, ARCPASS_CREDENTIAL_API_KEY);
  g_assert_cmpstr (arcpass_credential_get_access_token (credential), ==, ARCPASS_SANDBOX_KEY_FULL);
  g_clear_object (&res);

  /* A key cannot be renewed; asking must not spoil it. */
  {
    g_autoptr(ArcpassTokenManager) manager = new_manager (credential);
    g_autoptr(ArcpassSecret) token = get_token (manager, TRUE, &error);

    g_assert_null (token);
    g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT);
    g_clear_error (&error);
    g_assert_cmpint (arcpass_credential_get_state (credential), !=, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);
    token = get_token (manager, FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (token, ==, ARCPASS_SANDBOX_KEY_FULL);
  }

  /* Per-service probe: everything works. */
  res = RUN (arcpass_probe_api_key_async, client, endpoints, ARCPASS_SANDBOX_KEY_FULL, NULL);
  results = arcpass_probe_api_key_finish (res, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 3);
  for (guint i = 0; i < results->len; i++)
    {
      ArcpassProbeResult *r = g_ptr_array_index (results, i);
      if (r->status != ARCPASS_PROBE_WORKS)
        g_error ("service %d: %s", r->service, r->message);
    }
  g_clear_object (&res);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Basemaps-only key: the others are missing a named privilege. */
  res = RUN (arcpass_probe_api_key_async, client, endpoints, ARCPASS_SANDBOX_KEY_BASEMAPS, NULL);
  results = arcpass_probe_api_key_finish (res, &error);
  g_assert_no_error (error);
  g_assert_cmpint (probe_of (results, ARCPASS_SERVICE_BASEMAP_STYLES)->status, ==, ARCPASS_PROBE_WORKS);
  g_assert_cmpint (probe_of (results, ARCPASS_SERVICE_STATIC_TILES)->status, ==, ARCPASS_PROBE_MISSING_PRIVILEGE);
  g_assert_cmpstr (probe_of (results, ARCPASS_SERVICE_STATIC_TILES)->privilege, ==, "premium:user:staticbasemaptiles");
  g_assert_cmpint (probe_of (results, ARCPASS_SERVICE_GEOCODE)->status, ==, ARCPASS_PROBE_MISSING_PRIVILEGE);
  g_assert_nonnull (strstr (probe_of (results, ARCPASS_SERVICE_GEOCODE)->message, "premium:user:geocode"));
  g_clear_object (&res);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Expired key: invalid everywhere, and refused at sign-in. */
  res = RUN (arcpass_probe_api_key_async, client, endpoints, ARCPASS_SANDBOX_KEY_EXPIRED, NULL);
  results = arcpass_probe_api_key_finish (res, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < results->len; i++)
    g_assert_cmpint (((ArcpassProbeResult *) g_ptr_array_index (results, i))->status, ==, ARCPASS_PROBE_INVALID_KEY);
  g_clear_object (&res);
  g_clear_object (&credential);

  res = RUN (arcpass_sign_in_with_api_key_async, client, arcpass_sandbox_get_url (sandbox),
             ARCPASS_SANDBOX_KEY_EXPIRED, NULL);
  credential = arcpass_sign_in_finish (res, &error);
  g_assert_null (credential);
  g_assert_true (arcpass_error_is_token_error (error) ||
                 g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_EXPIRED));
}

static void
test_services (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassCredential) credential = arcpass_credential_new (ARCPASS_CREDENTIAL_API_KEY,
                                                                    arcpass_sandbox_get_url (sandbox));
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(ArcpassReverseGeocodeResult) reverse = NULL;
  g_autoptr(ArcpassStyleSummary) summary = NULL;
  g_autoptr(GBytes) tile = NULL;
  ArcpassGeocodeCandidate *candidate;

  arcpass_credential_set_access_token (credential, ARCPASS_SANDBOX_KEY_FULL);
  manager = new_manager (credential);

  res = RUN (arcpass_geocode_find_async, manager, "380 New York St, Redlands", NULL, 5, NULL);
  list = arcpass_geocode_find_finish (res, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >, 0);
  candidate = g_ptr_array_index (list, 0);
  g_assert_nonnull (strstr (candidate->address, "Redlands"));
  g_assert_cmpfloat_with_epsilon (candidate->x, -117.19, 0.05);
  g_assert_cmpfloat_with_epsilon (candidate->y, 34.06, 0.05);
  g_clear_object (&res);
  g_clear_pointer (&list, g_ptr_array_unref);

  res = RUN (arcpass_geocode_suggest_async, manager, "Redl", FALSE, 0, 0, 5, NULL);
  list = arcpass_geocode_suggest_finish (res, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >, 0);
  {
    ArcpassSuggestion *suggestion = g_ptr_array_index (list, 0);
    g_autoptr(GAsyncResult) res2 = NULL;
    g_autoptr(GPtrArray) found = NULL;

    g_assert_nonnull (suggestion->magic_key);
    res2 = RUN (arcpass_geocode_find_async, manager, suggestion->text, suggestion->magic_key, 1, NULL);
    found = arcpass_geocode_find_finish (res2, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (found->len, ==, 1);
  }
  g_clear_object (&res);
  g_clear_pointer (&list, g_ptr_array_unref);

  res = RUN (arcpass_geocode_reverse_async, manager, -117.1957, 34.0564, NULL);
  reverse = arcpass_geocode_reverse_finish (res, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reverse->match_addr);
  g_clear_object (&res);

  res = RUN (arcpass_basemap_list_styles_async, manager, NULL);
  list = arcpass_basemap_list_styles_finish (res, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >, 0);
  g_clear_object (&res);
  g_clear_pointer (&list, g_ptr_array_unref);

  res = RUN (arcpass_basemap_list_static_styles_async, manager, NULL);
  list = arcpass_basemap_list_static_styles_finish (res, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >, 0);
  g_assert_nonnull (((ArcpassBasemapStyle *) g_ptr_array_index (list, 0))->template_url);
  g_clear_object (&res);

  res = RUN (arcpass_basemap_fetch_style_async, manager, "arcgis/navigation", NULL);
  summary = arcpass_basemap_fetch_style_finish (res, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->version, ==, 8);
  g_assert_cmpuint (summary->n_layers, >, 0);
  g_assert_nonnull (summary->layer_types[0]);
  g_assert_nonnull (summary->source_names[0]);
  g_clear_object (&res);

  res = RUN (arcpass_basemap_fetch_tile_async, manager, "arcgis/navigation", 3, 3, 1, NULL);
  tile = arcpass_basemap_fetch_tile_finish (res, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (tile), >, 8);
  g_assert_cmpmem (g_bytes_get_data (tile, NULL), 8, "\x89PNG\r\n\x1a\n", 8);
}

static void
test_refresh_and_rotation (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassCredential) credential = sign_in_user (ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                                                          ARCPASS_SANDBOX_PUBLISHER_PASSWORD, TRUE);
  g_autoptr(ArcpassTokenManager) manager = new_manager (credential);
  g_autoptr(ArcpassSecret) t0 = NULL;
  g_autoptr(ArcpassSecret) t1 = NULL;
  g_autoptr(ArcpassSecret) t2 = NULL;
  g_autoptr(ArcpassSecret) refresh0 = arcpass_secret_dup (arcpass_credential_get_refresh_token (credential));
  g_autoptr(ArcpassCredential) loaded = NULL;
  guint token_calls;
  gint64 refresh_expires0 = arcpass_credential_get_refresh_expires (credential);

  save_account (credential);

  t0 = get_token (manager, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t0, ==, arcpass_credential_get_access_token (credential));

  /* 26 minutes later: inside the 5-minute margin, so refreshed first. */
  arcpass_sandbox_advance_clock (sandbox, 26 * 60);
  t1 = get_token (manager, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t1, !=, t0);
  g_assert_cmpstr (arcpass_credential_get_refresh_token (credential), ==, refresh0);
  assert_expires_in (arcpass_credential_get_access_expires (credential), 1800);

  /* Two concurrent callers share one refresh. */
  arcpass_sandbox_advance_clock (sandbox, 28 * 60);
  token_calls = count_sandbox_requests ("/sharing/rest/oauth2/token");
  {
    GAsyncResult *a = NULL, *b = NULL;
    g_autoptr(ArcpassSecret) ta = NULL;
    g_autoptr(ArcpassSecret) tb = NULL;

    arcpass_token_manager_get_token_async (manager, FALSE, NULL, store_result_cb, &a);
    arcpass_token_manager_get_token_async (manager, FALSE, NULL, store_result_cb, &b);
    g_assert_true (arcpass_token_manager_get_refreshing (manager));
    wait_for (&a);
    wait_for (&b);
    ta = arcpass_token_manager_get_token_finish (manager, a, &error);
    g_assert_no_error (error);
    tb = arcpass_token_manager_get_token_finish (manager, b, &error);
    g_assert_no_error (error);
    remember_secret (ta);
    g_assert_cmpstr (ta, ==, tb);
    g_assert_cmpstr (ta, !=, t1);
    g_object_unref (a);
    g_object_unref (b);
  }
  g_assert_cmpuint (count_sandbox_requests ("/sharing/rest/oauth2/token"), ==, token_calls + 1);

  /* Close to the end of the refresh token: it is exchanged for a new one. */
  arcpass_sandbox_advance_clock (sandbox, refresh_expires0 - arcpass_sandbox_get_now (sandbox) - 12 * 3600);
  t2 = get_token (manager, FALSE, &error);
  g_assert_no_error (error);
  remember_credential (credential);
  g_assert_cmpstr (arcpass_credential_get_refresh_token (credential), !=, refresh0);
  g_assert_cmpint (arcpass_credential_get_refresh_expires (credential), >, refresh_expires0);

  /* The old refresh token is dead now. */
  {
    g_autofree char *rest = g_strconcat (arcpass_sandbox_get_url (sandbox), "/sharing/rest", NULL);
    g_autoptr(GAsyncResult) res = RUN (arcpass_oauth_refresh_async, client, rest, ARCPASS_SANDBOX_CLIENT_ID, refresh0, NULL);
    g_autoptr(ArcpassTokenResponse) response = arcpass_oauth_refresh_finish (res, &error);

    g_assert_null (response);
    g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_GRANT);
    g_clear_error (&error);
  }

  /* The rotated account was saved to the keyring by the manager. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  loaded = load_account (arcpass_credential_get_id (credential));
  g_assert_cmpstr (arcpass_credential_get_refresh_token (loaded), ==, arcpass_credential_get_refresh_token (credential));
}

static void
test_retry_after_498 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassCredential) credential = sign_in_user (ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                                                          ARCPASS_SANDBOX_PUBLISHER_PASSWORD, TRUE);
  g_autoptr(ArcpassTokenManager) manager = new_manager (credential);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(JsonObject) self_json = NULL;
  g_autofree char *url = g_strconcat (arcpass_sandbox_get_url (sandbox), "/sharing/rest/community/self", NULL);
  g_autofree char *rest = g_strconcat (arcpass_sandbox_get_url (sandbox), "/sharing/rest", NULL);
  guint before;

  /* Revoke the refresh token family? No: revoke only this access token by
   * replacing it with one the portal does not know, valid by the clock. */
  arcpass_credential_set_access_token (credential, "AAAAnotAValidTokenButLooksFine0000");
  before = count_sandbox_requests ("/sharing/rest/community/self");

  res = RUN (arcpass_token_manager_request_json_async, manager, ARCPASS_SERVICE_PORTAL, url, NULL,
             ARCPASS_REQUEST_NONE, NULL);
  self_json = arcpass_token_manager_request_json_finish (manager, res, &error);
  g_assert_no_error (error);
  remember_credential (credential);
  g_assert_cmpstr (json_object_get_string_member (self_json, "username"), ==, ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  /* Exactly two calls: the refused one and the retry. */
  g_assert_cmpuint (count_sandbox_requests ("/sharing/rest/community/self"), ==, before + 2);
  g_clear_object (&res);

  /* Revoke the refresh token: the next 498 cannot be cured; the account is
   * kept but marked. */
  {
    g_autoptr(GAsyncResult) rres = RUN (arcpass_oauth_revoke_async, client, rest, ARCPASS_SANDBOX_CLIENT_ID,
                                        arcpass_credential_get_refresh_token (credential), "refresh_token", NULL);
    g_assert_true (arcpass_oauth_revoke_finish (rres, &error));
    g_assert_no_error (error);
  }
  g_clear_pointer (&self_json, json_object_unref);
  res = RUN (arcpass_token_manager_request_json_async, manager, ARCPASS_SERVICE_PORTAL, url, NULL,
             ARCPASS_REQUEST_NONE, NULL);
  self_json = arcpass_token_manager_request_json_finish (manager, res, &error);
  g_assert_null (self_json);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_SIGN_IN_REQUIRED);
  g_assert_cmpint (arcpass_credential_get_state (credential), ==, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);
  g_assert_nonnull (arcpass_credential_get_refresh_token (credential));
}

static void
test_sign_out (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassCredential) credential = sign_in_user (ARCPASS_SANDBOX_USER_USERNAME,
                                                          ARCPASS_SANDBOX_USER_PASSWORD, TRUE);
  g_autoptr(ArcpassTokenManager) manager = new_manager (credential);
  g_autoptr(ArcpassSecret) refresh = arcpass_secret_dup (arcpass_credential_get_refresh_token (credential));
  g_autofree char *id = g_strdup (arcpass_credential_get_id (credential));
  g_autofree char *rest = g_strconcat (arcpass_sandbox_get_url (sandbox), "/sharing/rest", NULL);
  g_autoptr(GAsyncResult) res = NULL;

  save_account (credential);
  res = RUN (arcpass_token_manager_sign_out_async, manager, NULL);
  g_assert_true (arcpass_token_manager_sign_out_finish (manager, res, &error));
  g_assert_no_error (error);
  g_assert_null (arcpass_credential_get_refresh_token (credential));
  g_clear_object (&res);

  /* Gone from the keyring. */
  res = RUN (arcpass_account_store_load_async, store, id, NULL);
  g_assert_null (arcpass_account_store_load_finish (store, res, &error));
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&res);

  /* Revoked on the portal. */
  res = RUN (arcpass_oauth_refresh_async, client, rest, ARCPASS_SANDBOX_CLIENT_ID, refresh, NULL);
  g_assert_null (arcpass_oauth_refresh_finish (res, &error));
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_GRANT);
}

typedef struct {
  const char *mode;
  ArcpassError code;
} FaultCase;

static void
test_faults (void)
{
  static const FaultCase faults[] = {
    { "status:500", ARCPASS_ERROR_SERVICE_UNAVAILABLE },
    { "status:503", ARCPASS_ERROR_SERVICE_UNAVAILABLE },
    { "delay:2500", ARCPASS_ERROR_TIMEOUT },
    { "malformed", ARCPASS_ERROR_MALFORMED_RESPONSE },
    { "truncate", ARCPASS_ERROR_MALFORMED_RESPONSE },
    { "close", ARCPASS_ERROR_NETWORK },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassCredential) credential = sign_in_user (ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                                                          ARCPASS_SANDBOX_PUBLISHER_PASSWORD, TRUE);
  g_autoptr(ArcpassTokenManager) manager = new_manager (credential);
  g_autofree char *id = g_strdup (arcpass_credential_get_id (credential));

  save_account (credential);
  arcpass_client_set_timeout (client, 1);

  for (gsize i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autoptr(ArcpassSecret) refresh = arcpass_secret_dup (arcpass_credential_get_refresh_token (credential));
      g_autoptr(ArcpassSecret) token = NULL;
      g_autoptr(ArcpassCredential) stored = NULL;

      g_test_message ("fault %s", faults[i].mode);
      /* Expire the access token, and break the refresh. */
      arcpass_sandbox_advance_clock (sandbox, 1800);
      arcpass_sandbox_add_fault (sandbox, "/sharing/rest/oauth2/token", faults[i].mode, 1);

      token = get_token (manager, FALSE, &error);
      g_assert_null (token);
      g_assert_error (error, ARCPASS_ERROR, (int) faults[i].code);
      g_clear_error (&error);

      /* Nothing lost: the account keeps its refresh token, in memory and in
       * the keyring, and is not marked as needing a sign-in. */
      g_assert_cmpstr (arcpass_credential_get_refresh_token (credential), ==, refresh);
      g_assert_cmpint (arcpass_credential_get_state (credential), ==, ARCPASS_CREDENTIAL_STATE_OFFLINE);
      stored = load_account (id);
      g_assert_cmpstr (arcpass_credential_get_refresh_token (stored), ==, refresh);
      g_assert_cmpint (arcpass_credential_get_state (stored), !=, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);

      /* And it recovers as soon as the portal answers again. */
      token = get_token (manager, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpint (arcpass_credential_get_state (credential), ==, ARCPASS_CREDENTIAL_STATE_VALID);
    }

  /* Faults on a service call, through the REST client directly. */
  for (gsize i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autofree char *url = g_strconcat (arcpass_sandbox_get_url (sandbox), "/sharing/rest/portals/self", NULL);
      g_autoptr(GAsyncResult) res = NULL;
      g_autoptr(JsonObject) json = NULL;

      g_test_message ("fault %s on a service call", faults[i].mode);
      arcpass_sandbox_add_fault (sandbox, "/sharing/rest/portals/self", faults[i].mode, 1);
      res = RUN (arcpass_client_request_json_async, client, ARCPASS_SERVICE_PORTAL, url, NULL, NULL,
                 ARCPASS_REQUEST_NONE, NULL);
      json = arcpass_client_request_json_finish (client, res, NULL, &error);
      g_assert_null (json);
      g_assert_error (error, ARCPASS_ERROR, (int) faults[i].code);
      g_clear_error (&error);
    }

  arcpass_client_set_timeout (client, ARCPASS_CLIENT_DEFAULT_TIMEOUT);
}

static void
test_response_cap_and_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strconcat (arcpass_sandbox_get_url (sandbox), "/sharing/rest/portals/self", NULL);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  arcpass_client_set_max_response_size (client, 64);
  res = RUN (arcpass_client_request_json_async, client, ARCPASS_SERVICE_PORTAL, url, NULL, NULL,
             ARCPASS_REQUEST_NONE, NULL);
  json = arcpass_client_request_json_finish (client, res, NULL, &error);
  g_assert_null (json);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_RESPONSE_TOO_LARGE);
  g_clear_error (&error);
  g_clear_object (&res);
  arcpass_client_set_max_response_size (client, ARCPASS_CLIENT_DEFAULT_MAX_RESPONSE_SIZE);

  arcpass_sandbox_add_fault (sandbox, "/sharing/rest/portals/self", "delay:3000", 1);
  {
    GAsyncResult *r = NULL;

    arcpass_client_request_json_async (client, ARCPASS_SERVICE_PORTAL, url, NULL, NULL,
                                       ARCPASS_REQUEST_NONE, cancellable, store_result_cb, &r);
    g_cancellable_cancel (cancellable);
    wait_for (&r);
    res = r;
  }
  json = arcpass_client_request_json_finish (client, res, NULL, &error);
  g_assert_null (json);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_loopback_receiver (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassLoopbackReceiver) receiver = arcpass_loopback_receiver_new (0, "/cb", &error);
  g_autoptr(ArcpassLoopbackReceiver) receiver2 = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *expected_prefix = NULL;
  GAsyncResult *res = NULL;
  char *uri;

  g_assert_no_error (error);
  expected_prefix = g_strdup_printf ("http://127.0.0.1:%u/cb", arcpass_loopback_receiver_get_port (receiver));
  g_assert_cmpstr (arcpass_loopback_receiver_get_redirect_uri (receiver), ==, expected_prefix);

  /* Timeout. */
  arcpass_loopback_receiver_wait_async (receiver, 1, NULL, store_result_cb, &res);
  wait_for (&res);
  uri = arcpass_loopback_receiver_wait_finish (receiver, res, &error);
  g_assert_null (uri);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_TIMEOUT);
  g_clear_error (&error);
  g_clear_object (&res);

  /* Cancellation. */
  receiver2 = arcpass_loopback_receiver_new (0, NULL, &error);
  g_assert_no_error (error);
  arcpass_loopback_receiver_wait_async (receiver2, 0, cancellable, store_result_cb, &res);
  g_cancellable_cancel (cancellable);
  wait_for (&res);
  uri = arcpass_loopback_receiver_wait_finish (receiver2, res, &error);
  g_assert_null (uri);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&res);
}

static void
assert_no_secret_in (const char *what,
                     const char *text)
{
  if (text == NULL)
    return;

  for (guint i = 0; i < secrets->len; i++)
    {
      const char *secret = g_ptr_array_index (secrets, i);

      if (strstr (text, secret) != NULL)
        g_error ("%s contains the secret #%u (%" G_GSIZE_FORMAT " characters): %s",
                 what, i, strlen (secret), text);
    }
}

static void
test_leaks (void)
{
  ArcpassRequestLog *log = arcpass_client_get_request_log (client);
  g_autoptr(GError) error = NULL;
  g_autofree char *sandbox_log_url = g_strconcat (arcpass_sandbox_get_url (sandbox), "/_sandbox/log", NULL);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(JsonObject) sandbox_log = NULL;
  JsonArray *entries;
  guint n;

  /* The fixed secrets, on top of every token handed out during the run. */
  remember_secret (ARCPASS_SANDBOX_CLIENT_SECRET);
  remember_secret (ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  remember_secret (ARCPASS_SANDBOX_USER_PASSWORD);
  remember_secret (ARCPASS_SANDBOX_KEY_FULL);
  remember_secret (ARCPASS_SANDBOX_KEY_BASEMAPS);
  remember_secret (ARCPASS_SANDBOX_KEY_EXPIRED);
  g_assert_cmpuint (secrets->len, >, 15);

  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  g_assert_cmpuint (n, >, 50);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ArcpassRequestRecord) record = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *curl = arcpass_request_record_to_curl (record);

      assert_no_secret_in ("url", arcpass_request_record_get_url (record));
      assert_no_secret_in ("request headers", arcpass_request_record_get_request_headers (record));
      assert_no_secret_in ("request body", arcpass_request_record_get_request_body (record));
      assert_no_secret_in ("response headers", arcpass_request_record_get_response_headers (record));
      assert_no_secret_in ("response body", arcpass_request_record_get_response_body (record));
      assert_no_secret_in ("error", arcpass_request_record_get_error_message (record));
      assert_no_secret_in ("curl", curl);
    }

  assert_no_secret_in ("log output", log_capture->str);
  /* G_MESSAGES_DEBUG=all was on: the debug lines were really produced. */
  g_assert_nonnull (strstr (log_capture->str, "/oauth2/token"));

  /* The sandbox's view: never a credential in a query string. */
  res = RUN (arcpass_client_request_json_async, client, ARCPASS_SERVICE_NONE, sandbox_log_url, NULL, NULL,
             ARCPASS_REQUEST_NONE, NULL);
  sandbox_log = arcpass_client_request_json_finish (client, res, NULL, &error);
  g_assert_no_error (error);
  entries = arcpass_json_object_get_array (sandbox_log, "entries", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (entries), >, 50);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = arcpass_json_array_get_object (entries, i, &error);
      const char *token_in = NULL;
      const char *path = NULL;

      g_assert_no_error (error);
      arcpass_json_object_get_optional_string (entry, "token_in", &token_in, NULL);
      arcpass_json_object_get_optional_string (entry, "path", &path, NULL);
      if (g_strcmp0 (token_in, "query") == 0)
        g_error ("A credential travelled in the query string of %s", path);
      assert_no_secret_in ("sandbox path", path);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* Every debug line is produced (and checked by /leaks). */
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_test_init (&argc, &argv, NULL);

  log_capture = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  secrets = g_ptr_array_new_with_free_func (g_free);

  sandbox = arcpass_sandbox_new ();
  if (!arcpass_sandbox_start (sandbox, 0, &error))
    g_error ("Cannot start the sandbox: %s", error->message);

  client = arcpass_client_new ();
  arcpass_client_set_clock (client, sandbox_clock, g_object_ref (sandbox), g_object_unref);
  store = arcpass_account_store_new ();
  browser = soup_session_new ();
  wait_for_keyring ();

  g_test_add_func ("/integration/discovery", test_discovery);
  g_test_add_func ("/integration/discovery-unreachable", test_discovery_unreachable);
  g_test_add_func ("/integration/authorization-code-loopback", test_authorization_code_loopback);
  g_test_add_func ("/integration/authorization-code-oob", test_authorization_code_oob);
  g_test_add_func ("/integration/authorization-code-denied", test_authorization_denied);
  g_test_add_func ("/integration/authorization-code-bad-redirect", test_authorization_bad_redirect);
  g_test_add_func ("/integration/wrong-client", test_wrong_client_id);
  g_test_add_func ("/integration/app-credentials", test_app_credentials);
  g_test_add_func ("/integration/refresh-margin", test_refresh_margin);
  g_test_add_func ("/integration/generate-token", test_generate_token);
  g_test_add_func ("/integration/api-keys", test_api_keys);
  g_test_add_func ("/integration/services", test_services);
  g_test_add_func ("/integration/refresh-and-rotation", test_refresh_and_rotation);
  g_test_add_func ("/integration/retry-after-498", test_retry_after_498);
  g_test_add_func ("/integration/sign-out", test_sign_out);
  g_test_add_func ("/integration/faults", test_faults);
  g_test_add_func ("/integration/response-cap-and-cancel", test_response_cap_and_cancel);
  g_test_add_func ("/integration/loopback-receiver", test_loopback_receiver);
  g_test_add_func ("/integration/leaks", test_leaks);

  ret = g_test_run ();

  g_clear_object (&browser);
  g_clear_object (&store);
  g_clear_object (&client);
  arcpass_sandbox_stop (sandbox);
  g_clear_object (&sandbox);
  g_ptr_array_unref (secrets);
  g_string_free (log_capture, TRUE);

  return ret;
}
