/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arcpass-cli-private.h"

/* The verbs run without GTK or WebKit: this library links only core (the
 * sandbox of `--sandbox` is a child process). Without a verb the graphical
 * application is executed instead, so that one `arcpass` command serves
 * both.
 */

typedef struct {
  const char *name;
  const char *summary;
  int (*run) (int argc, char **argv);
} Verb;

static const Verb verbs[] = {
  { "accounts", N_("List the saved accounts"), arcpass_cli_accounts },
  { "token", N_("Print a valid access token, renewed first if needed"), arcpass_cli_token },
  { "signin", N_("Sign in with an ArcGIS account in the web browser"), arcpass_cli_signin },
  { "apikey", N_("Add an API key read from standard input (apikey add)"), arcpass_cli_apikey },
  { "appcred", N_("Add app credentials, secret from standard input (appcred add)"), arcpass_cli_appcred },
  { "geocode", N_("Find places and addresses"), arcpass_cli_geocode },
  { "reverse", N_("Find the address at a longitude and latitude"), arcpass_cli_reverse },
  { "tile", N_("Save a basemap tile as a PNG file"), arcpass_cli_tile },
  { "signout", N_("Revoke and forget an account"), arcpass_cli_signout },
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
  fprintf (out, "%s\n  arcpass [--sandbox]\n  arcpass [--sandbox | --portal URL] VERB [OPTION…]\n\n",
           _("Usage:"));
  fprintf (out, "%s\n\n", _("Sign in to ArcGIS and put the tokens to work."));
  fprintf (out, "%s\n", _("Verbs:"));
  for (const Verb *v = verbs; v->name; v++)
    fprintf (out, "  %-10s %s\n", v->name, _(v->summary));
  fprintf (out, "\n%s\n", _("Options:"));
  fprintf (out, "  -h, --help           %s\n", _("Show help (“arcpass VERB --help” for a verb)"));
  fprintf (out, "  --version            %s\n", _("Show the version"));
  fprintf (out, "  --sandbox            %s\n", _("Use the local sandbox portal, started inside the command"));
  fprintf (out, "  --sandbox-port PORT  %s\n", _("Port of that sandbox (default 47615, or any free port)"));
  fprintf (out, "  --portal URL         %s\n", _("Use this portal (accounts of it, or where to sign in)"));
  fprintf (out, "\n%s\n", _("Without a verb, the Arcpass window opens."));
  fprintf (out, "\n%s\n%s\n", _("Sandbox accounts:"),
           _("  The sandbox listens on 127.0.0.1 wherever it can, so its URL may change from one\n"
             "  command to the next. Accounts saved against any sandbox (an http://127.0.0.1 or\n"
             "  localhost portal) are sandbox accounts: --sandbox, or --portal with a sandbox URL,\n"
             "  rebinds them to the sandbox in use. Its fixture API keys work in every sandbox;\n"
             "  tokens it issued live only as long as the sandbox that issued them, so an OAuth\n"
             "  sandbox account answers “sign in required” once its token has to be renewed\n"
             "  elsewhere, and app credentials simply get a new token. Service verbs with\n"
             "  --sandbox and no sandbox account use the sandbox’s demo API key."));
  fprintf (out, "\n%s\n", _("Exit status:"));
  fprintf (out, "  0  %s\n", _("success"));
  fprintf (out, "  1  %s\n", _("other failure (for example a file that cannot be written)"));
  fprintf (out, "  2  %s\n", _("usage error: unknown verb or option, bad argument, several accounts"));
  fprintf (out, "  3  %s\n", _("sign in required: no account, or its tokens can no longer be renewed"));
  fprintf (out, "  4  %s\n", _("network error: no connection, timeout"));
  fprintf (out, "  5  %s\n", _("service error: the service failed or refused (missing privilege…)"));
  fprintf (out, "  6  %s\n", _("keyring error: no Secret Service, or locked"));
  fprintf (out, "  7  %s\n", _("not found: no such account, no geocoding match"));
  fprintf (out, "  8  %s\n", _("rejected: invalid API key, client secret, or sign-in denied"));
  fprintf (out, "  130  %s\n", _("cancelled (Ctrl+C)"));
  fprintf (out, "\n%s\n", _("Messages go to standard error; standard output only has what was asked for."));
}

/* Shared options may come before the verb (`arcpass --sandbox token`);
 * these take a value in the next argument. */
static gboolean
takes_value (const char *arg)
{
  return g_str_equal (arg, "--portal") || g_str_equal (arg, "--sandbox-port") ||
         g_str_equal (arg, "--account") || g_str_equal (arg, "-a");
}

/* Runs @verb with argv = { "arcpass", options before the verb…, arguments
 * after it… }, so that each verb parses the shared options wherever the
 * user put them. */
static int
run_verb (const Verb  *verb,
          int          argc,
          char       **argv,
          int          verb_index)
{
  g_autofree char *prgname = g_strdup_printf ("arcpass %s", verb->name);
  g_autofree char **verb_argv = g_new0 (char *, argc + 1);
  int verb_argc = 0;

  g_set_prgname (prgname);

  verb_argv[verb_argc++] = argv[0];
  for (int i = 1; i < argc; i++)
    if (i != verb_index)
      verb_argv[verb_argc++] = argv[i];

  return verb->run (verb_argc, verb_argv);
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
  const char *localedir;

  setlocale (LC_ALL, "");
  /* ARCPASS_LOCALEDIR lets an uninstalled build (meson devenv, tests) find
   * the translations compiled in its po/ directory. */
  localedir = g_getenv ("ARCPASS_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
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
      if (takes_value (arg))
        {
          /* The value of a shared option is not the verb. */
          i++;
          continue;
        }
      if (arg[0] != '-')
        {
          const Verb *verb = find_verb (arg);

          if (!verb)
            {
              fprintf (stderr, _("arcpass: unknown verb “%s”. Try “arcpass --help”.\n"), arg);
              return ARCPASS_EXIT_USAGE;
            }
          return run_verb (verb, argc, argv, i);
        }
    }

  /* No verb: hand over to the graphical application with the same arguments. */
  gui = find_gui ();
  argv[0] = gui;
  execv (gui, argv);
  fprintf (stderr, _("arcpass: cannot start the window (%s): %s\n"), gui, g_strerror (errno));
  return ARCPASS_EXIT_FAILURE;
}
