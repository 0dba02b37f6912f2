/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-error.h"
#include "arcpass-portal.h"

#include "fuzz-common.h"

/* The portal-URL normaliser (what the user typed or passed on the command
 * line). A normalised URL must be stable, secure enough, and give the same
 * REST root when normalised again. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *input = fuzz_strndup (data, size);
  gboolean utf8 = g_utf8_validate (input, -1, NULL);
  g_autofree char *portal_url = NULL;
  g_autofree char *rest_root = NULL;
  g_autofree char *again_url = NULL;
  g_autofree char *again_rest = NULL;
  g_autofree char *expected_rest = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  gboolean ok;

  (void) arcpass_host_is_loopback (input);
  (void) arcpass_url_is_secure_enough (input);

  ok = arcpass_portal_normalize (input, &portal_url, &rest_root, &error);
  fuzz_check (ok == (error == NULL));
  fuzz_check_error (utf8, error);
  if (!ok)
    {
      fuzz_check (error->domain == ARCPASS_ERROR);
      fuzz_check (portal_url == NULL && rest_root == NULL);
      return 0;
    }

  fuzz_check (portal_url != NULL && rest_root != NULL);
  fuzz_check_utf8 (utf8, "portal URL", portal_url);
  expected_rest = g_strconcat (portal_url, "/sharing/rest", NULL);
  fuzz_check (g_str_equal (rest_root, expected_rest));
  fuzz_check (!g_str_has_suffix (portal_url, "/"));

  /* https, or http on loopback only. */
  if (!arcpass_url_is_secure_enough (portal_url))
    fuzz_fail ("“%s” was accepted as “%s”, which is not secure enough", input, portal_url);

  /* The result is a plain URL: no user info, query or fragment, and its host
   * is the one that requests will go to. */
  uri = g_uri_parse (portal_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    fuzz_fail ("“%s” was accepted as “%s”, which does not parse", input, portal_url);
  fuzz_check (g_uri_get_userinfo (uri) == NULL);
  fuzz_check (g_uri_get_query (uri) == NULL);
  fuzz_check (g_uri_get_fragment (uri) == NULL);

  /* Normalising is idempotent. */
  if (!arcpass_portal_normalize (portal_url, &again_url, &again_rest, &error))
    fuzz_fail ("“%s” was accepted as “%s”, which is then refused: %s",
               input, portal_url, error->message);
  if (!g_str_equal (again_url, portal_url) || !g_str_equal (again_rest, rest_root))
    fuzz_fail ("“%s” → “%s” → “%s”: not stable", input, portal_url, again_url);

  return 0;
}
