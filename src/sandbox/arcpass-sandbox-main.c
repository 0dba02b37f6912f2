/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>

#include "arcpass-sandbox.h"

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassSandbox) sandbox = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  gboolean print_fixtures = FALSE;
  int port = 0;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port,
      "Port to listen on, on 127.0.0.1 (default: any free port)", "PORT" },
    { "print-fixtures", 0, 0, G_OPTION_ARG_NONE, &print_fixtures,
      "Print the fixtures (users, apps, API keys, URLs) as JSON and exit", NULL },
    { NULL }
  };

  context = g_option_context_new ("- local ArcGIS-compatible sandbox portal");
  g_option_context_set_summary (context,
                                "Serves an imitation of ArcGIS portal, OAuth, geocoding and "
                                "basemap services on loopback, with fixed public test fixtures.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("arcpass-sandbox: %s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr ("arcpass-sandbox: --port must be between 0 and 65535\n");
      return 2;
    }

  sandbox = arcpass_sandbox_new ();

  if (print_fixtures)
    {
      g_autofree char *json = arcpass_sandbox_dup_fixtures_json (sandbox);

      /* The fixtures are public test data, not secrets (see README.md). */
      g_print ("%s\n", json);
      return 0;
    }

  if (!arcpass_sandbox_start (sandbox, (guint16) port, &error))
    {
      g_printerr ("arcpass-sandbox: cannot listen on 127.0.0.1:%d: %s\n", port, error->message);
      return 1;
    }

  /* The URL goes to stdout alone on its line, so scripts can read it. */
  g_print ("%s\n", arcpass_sandbox_get_url (sandbox));
  fflush (stdout);
  g_printerr ("arcpass-sandbox: serving on %s (fixtures: %s/_sandbox/fixtures); "
              "Ctrl+C to stop\n",
              arcpass_sandbox_get_url (sandbox), arcpass_sandbox_get_url (sandbox));

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  arcpass_sandbox_stop (sandbox);
  return 0;
}
