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
} ErrorCase;

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
  { "static tiles 403 bare", ARCPASS_SERVICE_STATIC_TILES, 403, NULL,
    ARCPASS_ERROR_MISSING_PRIVILEGE, "premium:user:staticbasemaptiles" },
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

      error = arcpass_error_new_from_response (c->service, c->status, body);
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
  g_test_add_func ("/errors/token-error", test_token_error_predicate);

  return g_test_run ();
}
