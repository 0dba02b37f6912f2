/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-oauth.h"
#include "arcpass-secret.h"

#include "fuzz-common.h"

/* The redirect-URI parser (web view navigations, loopback requests) and the
 * oob approval page's title parser. Every `@STATE@` in the input is replaced
 * by the attempt's real state, which the fuzzer could never guess (it comes
 * from the CSPRNG), so that the code and error branches are reached too. */

static const char * const redirect_uris[] = {
  NULL, /* urn:ietf:wg:oauth:2.0:oob: the portal's approval page */
  "http://127.0.0.1:43117/callback",
  "arcpass://auth",
};

static ArcpassAuthorization *authorizations[G_N_ELEMENTS (redirect_uris)];

static void
ensure_authorizations (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (redirect_uris); i++)
    {
      g_autoptr(GError) error = NULL;

      if (authorizations[i] != NULL)
        continue;
      authorizations[i] = arcpass_authorization_new ("https://gis.example.com/portal", "fuzzclientid",
                                                     redirect_uris[i], &error);
      if (authorizations[i] == NULL)
        fuzz_fail ("arcpass_authorization_new: %s", error->message);
    }
}

static char *
replace_state (const char *text,
               const char *state)
{
  g_auto(GStrv) parts = g_strsplit (text, "@STATE@", -1);

  return g_strjoinv (state, parts);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = fuzz_strndup (data, size);
  gboolean utf8 = g_utf8_validate (text, -1, NULL);

  ensure_authorizations ();

  for (guint i = 0; i < G_N_ELEMENTS (authorizations); i++)
    {
      ArcpassAuthorization *authorization = authorizations[i];
      g_autofree char *uri = replace_state (text, arcpass_authorization_get_state (authorization));
      g_autoptr(GError) error = NULL;
      ArcpassRedirectResult result;
      char *code = NULL;

      result = arcpass_authorization_parse_redirect (authorization, uri, &code, &error);
      switch (result)
        {
        case ARCPASS_REDIRECT_NOT_OURS:
          fuzz_check (code == NULL && error == NULL);
          break;
        case ARCPASS_REDIRECT_CODE:
          fuzz_check (code != NULL && *code != '\0' && error == NULL);
          /* A code is only believed with this attempt's state. */
          fuzz_check (strstr (uri, arcpass_authorization_get_state (authorization)) != NULL);
          break;
        case ARCPASS_REDIRECT_ERROR:
          fuzz_check (code == NULL && error != NULL);
          fuzz_check_error (utf8, error);
          break;
        default:
          fuzz_fail ("unknown redirect result %d", result);
        }
      arcpass_secret_free (code);
      code = NULL;
      g_clear_error (&error);

      result = arcpass_authorization_parse_approval_title (authorization, text, &code, &error);
      switch (result)
        {
        case ARCPASS_REDIRECT_NOT_OURS:
          fuzz_check (code == NULL && error == NULL);
          break;
        case ARCPASS_REDIRECT_CODE:
          fuzz_check (code != NULL && *code != '\0' && error == NULL);
          break;
        case ARCPASS_REDIRECT_ERROR:
          fuzz_check (code == NULL && error != NULL);
          fuzz_check_error (utf8, error);
          break;
        default:
          fuzz_fail ("unknown approval-title result %d", result);
        }
      arcpass_secret_free (code);
    }

  return 0;
}
