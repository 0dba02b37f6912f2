/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-cli.h"

int
main (int    argc,
      char **argv)
{
  return arcpass_cli_main (argc, argv);
}
