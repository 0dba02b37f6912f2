/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ArcpassExit:
 *
 * Exit codes of the `arcpass` command; scripts rely on them, so they never
 * change meaning.
 */
typedef enum {
  ARCPASS_EXIT_OK = 0,
  ARCPASS_EXIT_FAILURE = 1,
  ARCPASS_EXIT_USAGE = 2,
  ARCPASS_EXIT_SIGN_IN_REQUIRED = 3,
  ARCPASS_EXIT_NETWORK = 4,
  ARCPASS_EXIT_SERVICE = 5,
  ARCPASS_EXIT_KEYRING = 6,
  ARCPASS_EXIT_NOT_FOUND = 7,
  /* The portal refused what was given: invalid or expired API key, wrong
   * client ID or secret, sign-in denied in the browser. */
  ARCPASS_EXIT_REJECTED = 8,
  /* Interrupted (Ctrl+C), as shells report a SIGINT: 128 + 2. */
  ARCPASS_EXIT_CANCELLED = 130,
} ArcpassExit;

int arcpass_cli_main (int    argc,
                      char **argv);

G_END_DECLS
