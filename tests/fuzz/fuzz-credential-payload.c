/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-credential.h"
#include "arcpass-secret.h"

#include "fuzz-common.h"

/* The keyring payload decoder. The keyring is local, but its contents may
 * come from an older or newer Arcpass or be edited by hand (Seahorse). What
 * is accepted must write back to a payload that reads back the same. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = fuzz_strndup (data, size);
  gboolean utf8 = g_utf8_validate (text, -1, NULL);
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(ArcpassCredential) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *display = NULL;
  char *payload, *payload_again;

  credential = arcpass_credential_new_from_payload (text, &error);
  fuzz_check ((credential == NULL) == (error != NULL));
  fuzz_check_error (utf8, error);
  if (credential == NULL)
    return 0;

  display = arcpass_credential_dup_display_name (credential);
  fuzz_check (display != NULL);
  fuzz_check_utf8 (utf8, "display name", display);
  arcpass_credential_update_state (credential, G_GINT64_CONSTANT (1700000000));

  payload = arcpass_credential_to_payload (credential);
  fuzz_check (payload != NULL);
  back = arcpass_credential_new_from_payload (payload, &error);
  if (back == NULL)
    fuzz_fail ("a payload written from an accepted payload does not read back: %s", error->message);

  payload_again = arcpass_credential_to_payload (back);
  if (!g_str_equal (payload, payload_again))
    fuzz_fail ("payload not stable:\n%s\n---\n%s", payload, payload_again);
  fuzz_check (arcpass_credential_get_kind (back) == arcpass_credential_get_kind (credential));
  fuzz_check (g_strcmp0 (arcpass_credential_get_access_token (back),
                         arcpass_credential_get_access_token (credential)) == 0);

  arcpass_secret_free (payload);
  arcpass_secret_free (payload_again);
  return 0;
}
