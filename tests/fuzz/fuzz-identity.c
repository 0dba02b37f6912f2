/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-credential.h"
#include "arcpass-parsers.h"
#include "arcpass-secret.h"

#include "fuzz-common.h"

/* The identity answers of the sign-in flows: `community/self` (users) and
 * `portals/self` (keys and app tokens; org name for everyone). The input is
 * the community/self body, a NUL byte, then the portals/self body. Whatever
 * is applied must still make a keyring payload that reads back. */

static void
check_kind (ArcpassCredentialKind kind,
            JsonObject           *community,
            JsonObject           *portal,
            gboolean              utf8)
{
  g_autoptr(ArcpassCredential) credential = arcpass_credential_new (kind, "https://www.arcgis.com");
  g_autoptr(ArcpassCredential) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *display = NULL;
  char *payload;

  if (kind == ARCPASS_CREDENTIAL_API_KEY)
    arcpass_credential_set_access_token (credential, "AAPTfuzzkey.AT1_fuzz");

  if (community != NULL)
    {
      gboolean ok = arcpass_parse_community_self (credential, "https://www.arcgis.com/sharing/rest",
                                                  community, &error);

      fuzz_check (ok == (error == NULL));
      fuzz_check_error (utf8, error);
      g_clear_error (&error);
    }
  if (portal != NULL)
    arcpass_parse_portal_self (credential, portal);

  display = arcpass_credential_dup_display_name (credential);
  fuzz_check (display != NULL);
  fuzz_check_utf8 (utf8, "display name", display);
  fuzz_check_utf8 (utf8, "full name", arcpass_credential_get_full_name (credential));
  fuzz_check_utf8 (utf8, "org name", arcpass_credential_get_org_name (credential));

  payload = arcpass_credential_to_payload (credential);
  fuzz_check (payload != NULL);
  back = arcpass_credential_new_from_payload (payload, &error);
  if (back == NULL)
    fuzz_fail ("the payload of an identity does not read back: %s", error->message);
  fuzz_check (g_strcmp0 (arcpass_credential_get_username (back),
                         arcpass_credential_get_username (credential)) == 0);
  arcpass_secret_free (payload);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gboolean utf8 = g_utf8_validate_len ((const char *) data, size, NULL);
  const uint8_t *community_data, *portal_data;
  size_t community_size, portal_size;
  g_autoptr(JsonObject) community = NULL;
  g_autoptr(JsonObject) portal = NULL;

  fuzz_split (data, size, &community_data, &community_size, &portal_data, &portal_size);
  if (community_size == 0)
    {
      /* No NUL: the whole input is a community/self answer. */
      community_data = portal_data;
      community_size = portal_size;
      portal_size = 0;
    }
  community = fuzz_parse_object (community_data, community_size);
  if (portal_size > 0)
    portal = fuzz_parse_object (portal_data, portal_size);
  if (community == NULL && portal == NULL)
    return 0;

  check_kind (ARCPASS_CREDENTIAL_OAUTH_USER, community, portal, utf8);
  check_kind (ARCPASS_CREDENTIAL_API_KEY, community, portal, utf8);

  return 0;
}
