/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-core.h"

/* Every error shape of arcgis-protocol.md, with the status it comes with,
 * and the ARCPASS_ERROR it must become. */
typedef struct {
  const char *what;
  ArcpassService service;
  guint status;
  const char *body;          /* NULL: no (JSON) body */
  int code;                  /* -1: success */
  const char *message_has;   /* a word the message must contain, or NULL */
  const char *content_type;  /* response Content-Type, or NULL */
  const char *header;        /* one more response header, "Name: value", or NULL */
} ErrorCase;

/* The host every case is said to come from, and the clock. */
#define HOST "geocode-api.arcgis.com"
#define NOW  G_GINT64_CONSTANT (1733450000)

static const ErrorCase cases[] = {
  /* Success. */
  { "200 ok", ARCPASS_SERVICE_PORTAL, 200, "{\"username\":\"jsmith\"}", -1, NULL },
  { "200 error null", ARCPASS_SERVICE_PORTAL, 200, "{\"error\":null,\"x\":1}", -1, NULL },
  /* §1.5 token endpoint errors, over 200 and over 400. */
  { "bad client_id", ARCPASS_SERVICE_OAUTH, 200,
    "{\"error\":{\"code\":400,\"error\":\"invalid_client_id\",\"error_description\":\"Invalid client_id\",\"message\":\"Invalid client_id\",\"details\":[]}}",
    ARCPASS_ERROR_INVALID_CLIENT, "client ID" },
  { "bad client_id 400", ARCPASS_SERVICE_OAUTH, 400,
    "{\"error\":{\"code\":400,\"error\":\"invalid_request\",\"error_description\":\"Invalid client_id\",\"message\":\"Invalid client_id\",\"details\":[]}}",
    ARCPASS_ERROR_INVALID_CLIENT, "client ID" },
  { "bad client_secret", ARCPASS_SERVICE_OAUTH, 200,
    "{\"error\":{\"code\":400,\"error\":\"invalid_request\",\"error_description\":\"Invalid client_secret\",\"message\":\"Invalid client_secret\",\"details\":[]}}",
    ARCPASS_ERROR_INVALID_CLIENT, "client secret" },
  { "redirect_uri not specified", ARCPASS_SERVICE_OAUTH, 200,
    "{\"error\":{\"code\":400,\"error\":\"invalid_request\",\"error_description\":\"redirect_uri not specified\",\"message\":\"redirect_uri not specified\"}}",
    ARCPASS_ERROR_REDIRECT_MISMATCH, "redirect URI" },
  { "redirect_uri mismatch", ARCPASS_SERVICE_OAUTH, 400,
    "{\"error\":{\"code\":400,\"error\":\"invalid_request\",\"error_description\":\"Invalid redirect_uri\",\"message\":\"Invalid redirect_uri\",\"details\":[]}}",
    ARCPASS_ERROR_REDIRECT_MISMATCH, "redirect URI" },
  { "invalid refresh token", ARCPASS_SERVICE_OAUTH, 200,
    "{\"error\":{\"code\":498,\"error\":\"invalid_request\",\"error_description\":\"Invalid refresh_token\",\"message\":\"Invalid refresh_token\",\"details\":[]}}",
    ARCPASS_ERROR_INVALID_GRANT, "Sign in again" },
  { "expired refresh token", ARCPASS_SERVICE_OAUTH, 200,
    "{\"error\":{\"code\":498,\"error\":\"invalid_request\",\"error_description\":\"refresh_token expired\",\"message\":\"refresh_token expired\",\"details\":[]}}",
    ARCPASS_ERROR_TOKEN_EXPIRED, "Sign in again" },
  { "invalid code", ARCPASS_SERVICE_OAUTH, 400,
    "{\"error\":{\"code\":400,\"error\":\"invalid_request\",\"error_description\":\"Invalid authorization code\",\"message\":\"Invalid authorization code\",\"details\":[]}}",
    ARCPASS_ERROR_INVALID_GRANT, "code" },
  { "pkce mismatch", ARCPASS_SERVICE_OAUTH, 400,
    "{\"error\":{\"code\":400,\"error\":\"invalid_request\",\"error_description\":\"Invalid code_verifier\",\"message\":\"Invalid code_verifier\",\"details\":[]}}",
    ARCPASS_ERROR_INVALID_GRANT, NULL },
  { "plain oauth shape", ARCPASS_SERVICE_OAUTH, 400,
    "{\"error\":\"invalid_grant\",\"error_description\":\"bad\"}",
    ARCPASS_ERROR_INVALID_GRANT, NULL },
  /* §3.5 generateToken. */
  { "generateToken bad password", ARCPASS_SERVICE_PORTAL, 200,
    "{\"error\":{\"code\":400,\"message\":\"Unable to generate token.\",\"details\":[\"Invalid username or password.\"]}}",
    ARCPASS_ERROR_INVALID_CREDENTIALS, "password" },
  /* §4 token errors. */
  { "498 portal", ARCPASS_SERVICE_PORTAL, 200,
    "{\"error\":{\"code\":498,\"message\":\"Invalid token.\",\"details\":[]}}",
    ARCPASS_ERROR_INVALID_TOKEN, "invalid" },
  { "498 server", ARCPASS_SERVICE_GEOCODE, 200,
    "{\"error\":{\"code\":498,\"message\":\"Invalid Token\",\"details\":[]}}",
    ARCPASS_ERROR_INVALID_TOKEN, NULL },
  { "499 server", ARCPASS_SERVICE_GEOCODE, 200,
    "{\"error\":{\"code\":499,\"message\":\"Token Required\",\"details\":[]}}",
    ARCPASS_ERROR_TOKEN_REQUIRED, "geocoding" },
  { "499 GWM_0003", ARCPASS_SERVICE_PORTAL, 200,
    "{\"error\":{\"code\":499,\"message\":\"Token Required\",\"messageCode\":\"GWM_0003\",\"details\":[\"Token Required\"]}}",
    ARCPASS_ERROR_TOKEN_REQUIRED, NULL },
  { "499 SB_0005", ARCPASS_SERVICE_NONE, 200,
    "{\"error\":{\"code\":499,\"message\":\"Token Required\",\"messageCode\":\"SB_0005\",\"details\":[\"Token Required\"]}}",
    ARCPASS_ERROR_TOKEN_REQUIRED, NULL },
  { "499 basemaps-api no details", ARCPASS_SERVICE_BASEMAP_STYLES, 200,
    "{\"error\":{\"code\":499,\"message\":\"Token Required.\"}}",
    ARCPASS_ERROR_TOKEN_REQUIRED, NULL },
  { "403 portal GWM_0003", ARCPASS_SERVICE_PORTAL, 200,
    "{\"error\":{\"code\":403,\"messageCode\":\"GWM_0003\",\"message\":\"You do not have permissions to access this resource or perform this operation.\",\"details\":[]}}",
    ARCPASS_ERROR_MISSING_PRIVILEGE, NULL },
  /* §5 and §7 location services with real statuses. */
  { "basemap styles 403", ARCPASS_SERVICE_BASEMAP_STYLES, 403,
    "{\"error\":{\"code\":403,\"message\":\"Permission missing.\",\"details\":[\"The required parameter 'token' is valid but does not have permission to access the service.\"],\"restInfoUrl\":\"https://basemapstyles-api.arcgis.com/arcgis/rest/info\"}}",
    ARCPASS_ERROR_MISSING_PRIVILEGE, "premium:user:basemaps" },
  /* A 403 with no JSON body did not come from ArcGIS (§11 of real-arcgis.md). */
  { "static tiles 403 bare", ARCPASS_SERVICE_STATIC_TILES, 403, NULL,
    ARCPASS_ERROR_BLOCKED, HOST },
  { "static tiles 401 498", ARCPASS_SERVICE_STATIC_TILES, 401,
    "{\"error\":{\"code\":498,\"message\":\"Invalid token.\",\"details\":[],\"restInfoUrl\":\"x\"}}",
    ARCPASS_ERROR_INVALID_TOKEN, NULL },
  { "static tiles 401 499", ARCPASS_SERVICE_STATIC_TILES, 401,
    "{\"error\":{\"code\":499,\"message\":\"Token required.\",\"details\":[],\"restInfoUrl\":\"x\"}}",
    ARCPASS_ERROR_TOKEN_REQUIRED, NULL },
  { "bare 401", ARCPASS_SERVICE_BASEMAP_STYLES, 401, NULL, ARCPASS_ERROR_INVALID_TOKEN, NULL },
  { "geocode no permission", ARCPASS_SERVICE_GEOCODE, 200,
    "{\"error\":{\"code\":403,\"message\":\"User does not have permissions to access 'world.geocodeserver'.\",\"details\":[]}}",
    ARCPASS_ERROR_MISSING_PRIVILEGE, "premium:user:geocode:temporary" },
  { "geocode no permission no code", ARCPASS_SERVICE_GEOCODE, 200,
    "{\"error\":{\"message\":\"User does not have permissions to access 'world.geocodeserver'.\"}}",
    ARCPASS_ERROR_MISSING_PRIVILEGE, "premium:user:geocode:temporary" },
  { "geocode storage", ARCPASS_SERVICE_GEOCODE, 200,
    "{\"error\":{\"code\":403,\"message\":\"User does not have permissions to store geocoding results.\",\"details\":[]}}",
    ARCPASS_ERROR_MISSING_PRIVILEGE, "premium:user:geocode:stored" },
  { "reverse nothing found", ARCPASS_SERVICE_GEOCODE, 200,
    "{\"error\":{\"code\":400,\"message\":\"Cannot perform query. Invalid query parameters.\",\"details\":[\"Unable to find address for the specified location.\"]}}",
    ARCPASS_ERROR_NOT_FOUND, NULL },
  { "geocode 503 bare", ARCPASS_SERVICE_GEOCODE, 503, NULL, ARCPASS_ERROR_SERVICE_UNAVAILABLE, "503" },
  { "500 with body", ARCPASS_SERVICE_PORTAL, 500,
    "{\"error\":{\"code\":500,\"message\":\"Internal error\",\"details\":[]}}",
    ARCPASS_ERROR_SERVICE_UNAVAILABLE, NULL },
  { "500 in body over 200", ARCPASS_SERVICE_PORTAL, 200,
    "{\"error\":{\"code\":500,\"message\":\"Internal error\"}}",
    ARCPASS_ERROR_SERVICE_UNAVAILABLE, NULL },
  { "404", ARCPASS_SERVICE_BASEMAP_STYLES, 404,
    "{\"error\":{\"code\":404,\"message\":\"Style not found\",\"details\":[]}}",
    ARCPASS_ERROR_NOT_FOUND, NULL },
  { "400 other", ARCPASS_SERVICE_BASEMAP_STYLES, 400,
    "{\"error\":{\"code\":400,\"message\":\"Invalid worldview\",\"details\":[\"worldview\"]}}",
    ARCPASS_ERROR_SERVICE_ERROR, "Invalid worldview" },
  { "validateAppAccess GWM_0007", ARCPASS_SERVICE_OAUTH, 200,
    "{\"error\":{\"code\":400,\"messageCode\":\"GWM_0007\",\"message\":\"Invalid request\",\"details\":[]}}",
    ARCPASS_ERROR_SERVICE_ERROR, NULL },
  { "wrong-typed envelope members", ARCPASS_SERVICE_PORTAL, 200,
    "{\"error\":{\"code\":\"498\",\"message\":42,\"details\":\"x\"}}",
    ARCPASS_ERROR_SERVICE_ERROR, NULL },
  { "bare 418", ARCPASS_SERVICE_NONE, 418, NULL, ARCPASS_ERROR_SERVICE_ERROR, "418" },

  /* real-arcgis.md point 11: the content type comes before the status. */
  { "403 html page of a firewall", ARCPASS_SERVICE_GEOCODE, 403, NULL,
    ARCPASS_ERROR_BLOCKED, "firewall", "text/html" },
  { "403 html names the host", ARCPASS_SERVICE_BASEMAP_STYLES, 403, NULL,
    ARCPASS_ERROR_BLOCKED, HOST, "text/html" },
  { "403 html never a privilege", ARCPASS_SERVICE_BASEMAP_STYLES, 403,
    "{\"error\":{\"code\":403,\"message\":\"Permission missing.\"}}",
    ARCPASS_ERROR_BLOCKED, NULL, "text/html" },
  { "403 json keeps its meaning", ARCPASS_SERVICE_BASEMAP_STYLES, 403,
    "{\"error\":{\"code\":403,\"message\":\"Permission missing.\"}}",
    ARCPASS_ERROR_MISSING_PRIVILEGE, "premium:user:basemaps", "application/json" },
  { "403 json as text/plain (ArcGIS Server)", ARCPASS_SERVICE_GEOCODE, 200,
    "{\"error\":{\"code\":403,\"message\":\"User does not have permissions to access 'world.geocodeserver'.\"}}",
    ARCPASS_ERROR_MISSING_PRIVILEGE, "premium:user:geocode:temporary", "text/plain" },
  { "429 retry-after seconds", ARCPASS_SERVICE_GEOCODE, 429, NULL,
    ARCPASS_ERROR_RATE_LIMITED, "30 seconds", "text/plain", "Retry-After: 30" },
  { "429 names the host", ARCPASS_SERVICE_GEOCODE, 429, NULL,
    ARCPASS_ERROR_RATE_LIMITED, HOST, "text/plain", "Retry-After: 30" },
  { "429 retry-after minutes", ARCPASS_SERVICE_GEOCODE, 429,
    "{\"error\":{\"code\":429,\"message\":\"Too many requests\"}}",
    ARCPASS_ERROR_RATE_LIMITED, "3 minutes", "application/json", "Retry-After: 150" },
  { "429 without retry-after", ARCPASS_SERVICE_BASEMAP_STYLES, 429, NULL,
    ARCPASS_ERROR_RATE_LIMITED, "a little while", "text/html" },
  { "429 unreadable retry-after", ARCPASS_SERVICE_BASEMAP_STYLES, 429, NULL,
    ARCPASS_ERROR_RATE_LIMITED, "a little while", NULL, "Retry-After: soon" },
  { "429 in the body", ARCPASS_SERVICE_PORTAL, 200,
    "{\"error\":{\"code\":429,\"message\":\"Too many requests\"}}",
    ARCPASS_ERROR_RATE_LIMITED, "a little while", "application/json" },
  { "502 html gateway", ARCPASS_SERVICE_GEOCODE, 502, NULL,
    ARCPASS_ERROR_SERVICE_UNAVAILABLE, HOST, "text/html" },
  { "503 html gateway", ARCPASS_SERVICE_BASEMAP_STYLES, 503, NULL,
    ARCPASS_ERROR_SERVICE_UNAVAILABLE, "503", "text/html" },
  { "504 html gateway", ARCPASS_SERVICE_PORTAL, 504, NULL,
    ARCPASS_ERROR_SERVICE_UNAVAILABLE, "Gateway Timeout", "text/html" },
  { "502 with braces but html", ARCPASS_SERVICE_PORTAL, 502,
    "{\"error\":{\"code\":400,\"message\":\"x\"}}",
    ARCPASS_ERROR_SERVICE_UNAVAILABLE, HOST, "text/html" },
  { "500 json names the host", ARCPASS_SERVICE_PORTAL, 500,
    "{\"error\":{\"code\":500,\"message\":\"Internal error\",\"details\":[]}}",
    ARCPASS_ERROR_SERVICE_UNAVAILABLE, HOST, "application/json" },
  { "401 negotiate is web-tier", ARCPASS_SERVICE_PORTAL, 401, NULL,
    ARCPASS_ERROR_WEB_TIER_AUTH, "Kerberos", "text/html", "WWW-Authenticate: Negotiate" },
  { "401 ntlm is web-tier", ARCPASS_SERVICE_PORTAL, 401, NULL,
    ARCPASS_ERROR_WEB_TIER_AUTH, HOST, "text/html", "WWW-Authenticate: NTLM" },
  { "401 bearer stays a token error", ARCPASS_SERVICE_STATIC_TILES, 401, NULL,
    ARCPASS_ERROR_INVALID_TOKEN, NULL, "text/plain", "WWW-Authenticate: Bearer" },
  { "401 json with negotiate keeps its meaning", ARCPASS_SERVICE_STATIC_TILES, 401,
    "{\"error\":{\"code\":499,\"message\":\"Token required.\"}}",
    ARCPASS_ERROR_TOKEN_REQUIRED, NULL, "application/json", "WWW-Authenticate: Negotiate" },
  /* Top-level {"code","message"} without "error" (rest-js checkForErrors). */
  { "top-level 498 over 200", ARCPASS_SERVICE_GEOCODE, 200,
    "{\"code\":498,\"message\":\"Invalid token.\"}",
    ARCPASS_ERROR_INVALID_TOKEN, "Invalid token.", "application/json" },
  { "top-level 499 over 200", ARCPASS_SERVICE_GEOCODE, 200,
    "{\"code\":499,\"message\":\"Token required.\"}",
    ARCPASS_ERROR_TOKEN_REQUIRED, NULL, "application/json" },
  { "top-level 403 over 200", ARCPASS_SERVICE_BASEMAP_STYLES, 200,
    "{\"code\":403,\"message\":\"You do not have permissions.\"}",
    ARCPASS_ERROR_MISSING_PRIVILEGE, "premium:user:basemaps", "application/json" },
  { "top-level 400 over 200", ARCPASS_SERVICE_PORTAL, 200,
    "{\"code\":400,\"message\":\"Unable to complete the operation.\",\"details\":[\"billing\"]}",
    ARCPASS_ERROR_SERVICE_ERROR, "Unable to complete the operation. billing", "application/json" },
  { "top-level 403 over 403", ARCPASS_SERVICE_GEOCODE, 403,
    "{\"code\":403,\"message\":\"Forbidden\"}",
    ARCPASS_ERROR_MISSING_PRIVILEGE, NULL, "application/json" },
  { "top-level code below 400 is data", ARCPASS_SERVICE_PORTAL, 200,
    "{\"code\":200,\"message\":\"ok\"}", -1, NULL, "application/json" },
  { "top-level code as text is data", ARCPASS_SERVICE_PORTAL, 200,
    "{\"code\":\"ABC\",\"message\":\"ok\"}", -1, NULL, "application/json" },
};

static void
test_error_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const ErrorCase *c = &cases[i];
      g_autoptr(JsonObject) body = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("case: %s", c->what);
      if (c->body != NULL)
        {
          g_autoptr(GError) parse_error = NULL;

          body = arcpass_json_parse_object (c->body, -1, &parse_error);
          g_assert_no_error (parse_error);
        }

      if (c->content_type == NULL && c->header == NULL)
        {
          /* The old entry point: no headers, no host. */
          error = arcpass_error_new_from_response (c->service, c->status, body);
          if (c->code >= 0 && strcmp (c->message_has ? c->message_has : "", HOST) != 0)
            {
              g_autoptr(GError) with_host = arcpass_error_new_from_http (c->service, c->status,
                                                                         HOST, NULL, body, NOW);

              g_assert_error (with_host, ARCPASS_ERROR, c->code);
            }
          else if (c->code >= 0)
            {
              g_clear_error (&error);
              error = arcpass_error_new_from_http (c->service, c->status, HOST, NULL, body, NOW);
            }
        }
      else
        {
          g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);

          if (c->content_type != NULL)
            soup_message_headers_set_content_type (headers, c->content_type, NULL);
          if (c->header != NULL)
            {
              g_auto(GStrv) pair = g_strsplit (c->header, ": ", 2);

              soup_message_headers_append (headers, pair[0], pair[1]);
            }
          error = arcpass_error_new_from_http (c->service, c->status, HOST, headers, body, NOW);
        }

      if (c->code < 0)
        {
          g_assert_no_error (error);
          continue;
        }

      g_assert_error (error, ARCPASS_ERROR, c->code);
      if (c->message_has != NULL && strstr (error->message, c->message_has) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", c->what, error->message, c->message_has);
    }
}

/* Retry-After may be an HTTP date; the delay is counted from the client's
 * clock (which follows the sandbox's in tests). */
static void
test_retry_after_date (void)
{
  g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc (NOW + 45);
  g_autofree char *date = soup_date_time_to_string (at, SOUP_DATE_HTTP);
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) past = NULL;
  g_autoptr(GError) later = NULL;

  soup_message_headers_append (headers, "Retry-After", date);
  error = arcpass_error_new_from_http (ARCPASS_SERVICE_GEOCODE, 429, HOST, headers, NULL, NOW);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_RATE_LIMITED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Try again in 45 seconds."));

  /* A date already past: try now, not in a negative time. */
  past = arcpass_error_new_from_http (ARCPASS_SERVICE_GEOCODE, 429, HOST, headers, NULL, NOW + 600);
  g_assert_error (past, ARCPASS_ERROR, ARCPASS_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (past->message, "Try again in 1 second."));

  /* Hours away: a time of day rather than a count. */
  soup_message_headers_replace (headers, "Retry-After", "36000");
  later = arcpass_error_new_from_http (ARCPASS_SERVICE_GEOCODE, 429, HOST, headers, NULL, NOW);
  g_assert_error (later, ARCPASS_ERROR, ARCPASS_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (later->message, "Try again after "));
}

static void
test_token_error_predicate (void)
{
  g_autoptr(GError) invalid = g_error_new_literal (ARCPASS_ERROR, ARCPASS_ERROR_INVALID_TOKEN, "x");
  g_autoptr(GError) required = g_error_new_literal (ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_REQUIRED, "x");
  g_autoptr(GError) other = g_error_new_literal (ARCPASS_ERROR, ARCPASS_ERROR_MISSING_PRIVILEGE, "x");

  g_assert_true (arcpass_error_is_token_error (invalid));
  g_assert_true (arcpass_error_is_token_error (required));
  g_assert_false (arcpass_error_is_token_error (other));
  g_assert_false (arcpass_error_is_token_error (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/errors/envelope-table", test_error_table);
  g_test_add_func ("/errors/retry-after-date", test_retry_after_date);
  g_test_add_func ("/errors/token-error", test_token_error_predicate);

  return g_test_run ();
}
