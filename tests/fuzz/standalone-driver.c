/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include <glib.h>

#include "fuzz-common.h"

/*
 * Replays files through a fuzz target without libFuzzer, so that every build
 * (gcc too) checks the committed corpus and the regression inputs in
 * `meson test`. Arguments are files or directories (read one level deep).
 * A directory that does not exist is skipped (a target may have no
 * regression yet), but at least one input must have been run.
 */

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree uint8_t *copy = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }

  /* An exact-size copy: ASan sees a read past the end of the input as it
   * would under libFuzzer (g_file_get_contents adds a NUL). */
  copy = g_memdup2 (contents, length ? length : 1);
  g_print ("# %s (%" G_GSIZE_FORMAT " bytes)\n", path, length);
  LLVMFuzzerTestOneInput (copy, length);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  guint n_run = 0;

  LLVMFuzzerInitialize (&argc, &argv);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (g_file_test (argv[i], G_FILE_TEST_IS_REGULAR))
        {
          if (!run_file (argv[i]))
            return 1;
          n_run++;
          continue;
        }

      if (!g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_print ("# %s: none\n", argv[i]);
          continue;
        }

      dir = g_dir_open (argv[i], 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        if (name[0] != '.')
          g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
      g_ptr_array_sort (names, compare_paths);
      for (guint j = 0; j < names->len; j++)
        {
          if (!run_file (g_ptr_array_index (names, j)))
            return 1;
          n_run++;
        }
    }

  if (n_run == 0)
    {
      g_printerr ("No input found.\n");
      return 1;
    }

  g_print ("%u inputs run without a failure\n", n_run);
  return 0;
}
