/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "arcpass-application.h"
#include "bench-frame.h"

/* The Arcpass application as arcpass-gui starts it, with a watch on its
 * first window: prints the time to its first frame and the resident memory
 * at that moment, then quits. */
int
main (int    argc,
      char **argv)
{
  g_autoptr(ArcpassApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = arcpass_application_new ();
  bench_frame_watch_application (GTK_APPLICATION (app));

  return g_application_run (G_APPLICATION (app), argc, argv);
}
