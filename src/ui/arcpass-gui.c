/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "arcpass-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(ArcpassApplication) app = NULL;
  const char *localedir;

  setlocale (LC_ALL, "");
  /* ARCPASS_LOCALEDIR lets an uninstalled build (meson devenv, tests) find
   * the translations compiled in its po/ directory. */
  localedir = g_getenv ("ARCPASS_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = arcpass_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
