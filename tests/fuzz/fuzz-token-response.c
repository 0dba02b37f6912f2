/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-credential.h"
#include "arcpass-oauth.h"

#include "fuzz-common.h"

/* Token endpoint answers (authorization_code, refresh_token,
 * exchange_refresh_token, client_credentials, generateToken), applied to a
 * credential as the sign-in and refresh flows do. */

#define NOW G_GINT64_CONSTANT (1700000000)

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gboolean utf8 = g_utf8_validate_len ((const char *) data, size, NULL);
  g_autoptr(JsonObject) object = fuzz_parse_object (data, size);
  g_autoptr(ArcpassTokenResponse) response = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GError) error = NULL;

  if (object == NULL)
    return 0;

  response = arcpass_token_response_new_from_json (object, NOW, &error);
  fuzz_check ((response == NULL) == (error != NULL));
  fuzz_check_error (utf8, error);
  if (response == NULL)
    return 0;

  fuzz_check (response->access_token != NULL);
  /* Relative lifetimes never end before now, however large (a wrapped
   * `now + expires_in` would give a date in the past). */
  if (json_object_has_member (object, "expires_in") && response->expires_at != 0)
    fuzz_check (response->expires_at >= NOW);
  if (json_object_has_member (object, "refresh_token_expires_in") && response->refresh_expires_at != 0)
    fuzz_check (response->refresh_expires_at >= NOW);
  fuzz_check_utf8 (utf8, "username", response->username);

  credential = arcpass_credential_new (ARCPASS_CREDENTIAL_OAUTH_USER, "https://www.arcgis.com");
  arcpass_credential_apply_token_response (credential, response);
  fuzz_check (g_strcmp0 (arcpass_credential_get_access_token (credential), response->access_token) == 0);
  arcpass_credential_update_state (credential, NOW);
  (void) arcpass_credential_access_valid_at (credential, NOW, ARCPASS_TOKEN_REFRESH_MARGIN);
  (void) arcpass_credential_can_refresh_at (credential, NOW);

  return 0;
}
