/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/random.h>

#include "arcpass-error.h"
#include "arcpass-secret.h"

void
arcpass_secret_free (char *secret)
{
  if (secret == NULL)
    return;

  /* explicit_bzero, unlike memset, may not be removed by the optimiser
   * although the memory is freed right after. */
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

char *
arcpass_secret_dup (const char *secret)
{
  return g_strdup (secret);
}

gboolean
arcpass_secret_equal (const char *a,
                      const char *b)
{
  gsize len_a, len_b;
  guint8 diff;

  if (a == NULL || b == NULL)
    return a == b;

  len_a = strlen (a);
  len_b = strlen (b);

  /* Walk the whole of @b whatever the content, so that the time taken does
   * not tell an attacker how many leading characters were right. */
  diff = len_a != len_b;
  for (gsize i = 0; i < len_b; i++)
    diff |= (guint8) (a[len_a ? i % len_a : 0] ^ b[i]);

  return diff == 0;
}

char *
arcpass_secret_mask (const char *secret)
{
  gsize len;
  gsize shown;

  if (secret == NULL || *secret == '\0')
    return g_strdup ("");

  len = strlen (secret);
  /* Short secrets show nothing: 4 characters of an 8-character secret is
   * too much of it. */
  shown = len >= 16 ? 4 : 0;

  return g_strdup_printf ("••••%s", secret + len - shown);
}

gboolean
arcpass_random_bytes (guint8  *buffer,
                      gsize    length,
                      GError **error)
{
  gsize done = 0;

  while (done < length)
    {
      ssize_t n = getrandom (buffer + done, length - done, 0);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;

          g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_FAILED,
                       _("Could not read random bytes from the kernel: %s"),
                       g_strerror (saved_errno));
          return FALSE;
        }

      done += (gsize) n;
    }

  return TRUE;
}

char *
arcpass_base64url_encode (const guint8 *data,
                          gsize         length)
{
  char *encoded = g_base64_encode (data, length);
  char *out = encoded;

  for (char *p = encoded; *p; p++)
    {
      if (*p == '=')
        continue;
      else if (*p == '+')
        *out++ = '-';
      else if (*p == '/')
        *out++ = '_';
      else
        *out++ = *p;
    }
  *out = '\0';

  return encoded;
}

char *
arcpass_random_base64url (gsize    n_bytes,
                          GError **error)
{
  g_autofree guint8 *bytes = g_malloc (n_bytes);
  char *ret;

  if (!arcpass_random_bytes (bytes, n_bytes, error))
    return NULL;

  ret = arcpass_base64url_encode (bytes, n_bytes);
  explicit_bzero (bytes, n_bytes);

  return ret;
}
