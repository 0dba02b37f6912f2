/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ArcpassSecret:
 *
 * A NUL-terminated string that holds a secret (token, refresh token, API key,
 * client secret, password, keyring payload). It is an ordinary `char *`; the
 * typedef only exists so that `g_autoptr (ArcpassSecret)` clears it on free.
 */
typedef char ArcpassSecret;

/* Overwrites the string with zeros (explicit_bzero, which the compiler may
 * not optimise away) and frees it. NULL-safe. */
void      arcpass_secret_free         (char       *secret);

/* Like g_strdup(); the copy must be freed with arcpass_secret_free(). */
char     *arcpass_secret_dup          (const char *secret);

/* Compares in time independent of where the strings differ (for `state`
 * and anything else an attacker could probe). NULL equals only NULL. */
gboolean  arcpass_secret_equal        (const char *a,
                                       const char *b);

/* "••••abcd": the last 4 characters only (fewer for short secrets), for
 * display. Returns a newly allocated, non-secret string. */
char     *arcpass_secret_mask         (const char *secret);

/* Fills @buffer from the kernel CSPRNG (getrandom(2)); never a seeded PRNG. */
gboolean  arcpass_random_bytes        (guint8     *buffer,
                                       gsize       length,
                                       GError    **error);

/* @n_bytes random bytes from the CSPRNG, base64url without padding. */
char     *arcpass_random_base64url    (gsize       n_bytes,
                                       GError    **error);

/* base64url (RFC 4648 §5) without `=` padding. */
char     *arcpass_base64url_encode    (const guint8 *data,
                                       gsize         length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArcpassSecret, arcpass_secret_free)

G_END_DECLS
