/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* bench-exec-timed PROGRAM [ARG…]: puts the current CLOCK_MONOTONIC time in
 * BENCH_T0_NS and executes PROGRAM, so that PROGRAM can measure its own
 * start-up from before the dynamic linker ran. Links nothing but libc. */
int
main (int    argc,
      char **argv)
{
  struct timespec ts;
  char t0[32];

  if (argc < 2)
    {
      fprintf (stderr, "usage: bench-exec-timed PROGRAM [ARG…]\n");
      return 2;
    }

  clock_gettime (CLOCK_MONOTONIC, &ts);
  snprintf (t0, sizeof t0, "%" PRIu64,
            (uint64_t) ts.tv_sec * UINT64_C (1000000000) + (uint64_t) ts.tv_nsec);
  setenv ("BENCH_T0_NS", t0, 1);
  execvp (argv[1], argv + 1);
  perror ("bench-exec-timed: exec");
  return 127;
}
