/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arcpass-cli.h"

/* The verbs run without GTK or WebKit: this library links only core and the
 * sandbox. Without a verb the graphical application is executed instead, so
 * that one `arcpass` command serves both.
 */

typedef struct {
  const char *name;
  const char *summary;
  int (*run) (int argc, char **argv);
} Verb;

static const Verb verbs[] = {
  { NULL, NULL, NULL },
};

static const Verb *
find_verb (const char *name)
{
  for (const Verb *v = verbs; v->name; v++)
    if (g_str_equal (v->name, name))
      return v;
  return NULL;
}

static void
print_help (FILE *out)
{
  fprintf (out, "%s\n  arcpass [--sandbox]\n  arcpass [--sandbox] VERB [OPTION…]\n\n",
           _("Usage:"));
  fprintf (out, "%s\n\n", _("Sign in to ArcGIS and put the tokens to work."));
  fprintf (out, "%s\n", _("Verbs:"));
  for (const Verb *v = verbs; v->name; v++)
    fprintf (out, "  %-10s %s\n", v->name, _(v->summary));
  fprintf (out, "\n%s\n", _("Options:"));
  fprintf (out, "  -h, --help     %s\n", _("Show help"));
  fprintf (out, "  --version      %s\n", _("Show the version"));
  fprintf (out, "  --sandbox      %s\n", _("Use the local sandbox portal instead of ArcGIS"));
  fprintf (out, "\n%s\n", _("Without a verb, the Arcpass window opens."));
}

static char *
find_gui (void)
{
  const char *env = g_getenv ("ARCPASS_GUI");
  g_autofree char *self_exe = NULL;

  if (env && *env)
    return g_strdup (env);

  /* Running from the build tree: src/arcpass sits next to src/ui/arcpass-gui. */
  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self_exe)
    {
      g_autofree char *dir = g_path_get_dirname (self_exe);
      g_autofree char *candidate = g_build_filename (dir, "ui", "arcpass-gui", NULL);

      if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&candidate);
    }

  return g_build_filename (LIBEXECDIR, "arcpass-gui", NULL);
}

int
arcpass_cli_main (int    argc,
                  char **argv)
{
  g_autofree char *gui = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "--version"))
        {
          printf ("arcpass %s\n", PACKAGE_VERSION);
          return ARCPASS_EXIT_OK;
        }
      if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          print_help (stdout);
          return ARCPASS_EXIT_OK;
        }
      if (arg[0] != '-')
        {
          const Verb *verb = find_verb (arg);

          if (!verb)
            {
              fprintf (stderr, _("arcpass: unknown verb “%s”. Try “arcpass --help”.\n"), arg);
              return ARCPASS_EXIT_USAGE;
            }
          return verb->run (argc, argv);
        }
    }

  /* No verb: hand over to the graphical application with the same arguments. */
  gui = find_gui ();
  argv[0] = gui;
  execv (gui, argv);
  fprintf (stderr, _("arcpass: cannot start the window (%s): %s\n"), gui, g_strerror (errno));
  return ARCPASS_EXIT_FAILURE;
}
