/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "arcpass-core.h"

/* The tile case, through the core client as the basemap tester uses it.
 *
 *   bench-tiles --max-conns        connections per host of the client's session
 *   bench-tiles --urls PORTAL_URL  the 64 tile URLs, one a line (for curl)
 *   bench-tiles PORTAL_URL [KEY_FILE]
 *                                  reads an API key (from KEY_FILE, or stdin),
 *                                  fetches the 64 tiles at once with it,
 *                                  checks each one is a PNG; exit status 0
 *                                  when all are
 */

#define STYLE "arcgis/navigation"
#define ZOOM 3
#define N_TILES ((1u << ZOOM) * (1u << ZOOM))

typedef struct {
  GMainLoop *loop;
  guint      pending;
  guint      failed;
} Fetch;

static void
tile_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;
  const guint8 *data;

  bytes = arcpass_basemap_fetch_tile_finish (result, &error);
  data = bytes ? g_bytes_get_data (bytes, &size) : NULL;
  if (!data || size < 8 || memcmp (data, "\x89PNG\r\n\x1a\n", 8) != 0)
    {
      g_printerr ("bench-tiles: %s\n", error ? error->message : "not a PNG");
      fetch->failed++;
    }

  if (--fetch->pending == 0)
    g_main_loop_quit (fetch->loop);
}

static char *
read_key (const char *path)
{
  char line[1024];
  size_t len;
  FILE *file = path ? fopen (path, "r") : stdin;
  char *key_copy;
  gboolean ok;

  if (!file)
    return NULL;
  ok = fgets (line, sizeof line, file) != NULL;
  if (path)
    fclose (file);
  if (!ok)
    return NULL;
  len = strcspn (line, "\r\n");
  line[len] = '\0';
  key_copy = len ? arcpass_secret_dup (line) : NULL;
  explicit_bzero (line, sizeof line);
  return key_copy;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(ArcpassEndpoints) endpoints = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(ArcpassSecret) key = NULL;
  ArcpassClient *client;
  Fetch fetch = { 0 };

  if (argc == 2 && g_str_equal (argv[1], "--max-conns"))
    {
      int max_per_host = 0;

      g_object_get (arcpass_client_get_session (arcpass_client_get_default ()),
                    "max-conns-per-host", &max_per_host, NULL);
      printf ("%d\n", max_per_host);
      return 0;
    }

  if (argc == 3 && g_str_equal (argv[1], "--urls"))
    {
      endpoints = arcpass_endpoints_new_for_sandbox (argv[2]);
      for (guint y = 0; y < (1u << ZOOM); y++)
        for (guint x = 0; x < (1u << ZOOM); x++)
          {
            g_autofree char *url = arcpass_basemap_build_tile_url (endpoints, STYLE, ZOOM, y, x);

            printf ("%s\n", url);
          }
      return 0;
    }

  if (argc != 2 && argc != 3)
    {
      g_printerr ("usage: bench-tiles [--max-conns | --urls PORTAL_URL | PORTAL_URL [KEY_FILE]]\n");
      return 2;
    }

  key = read_key (argc == 3 ? argv[2] : NULL);
  if (!key)
    {
      g_printerr ("bench-tiles: no API key on standard input\n");
      return 2;
    }

  client = arcpass_client_get_default ();
  credential = arcpass_credential_new (ARCPASS_CREDENTIAL_API_KEY, argv[1]);
  arcpass_credential_set_access_token (credential, key);
  manager = arcpass_token_manager_new (client, credential, NULL);
  endpoints = arcpass_endpoints_new_for_sandbox (argv[1]);
  arcpass_token_manager_set_endpoints (manager, endpoints);

  fetch.loop = g_main_loop_new (NULL, FALSE);
  fetch.pending = N_TILES;
  for (guint y = 0; y < (1u << ZOOM); y++)
    for (guint x = 0; x < (1u << ZOOM); x++)
      arcpass_basemap_fetch_tile_async (manager, STYLE, ZOOM, y, x, NULL, tile_cb, &fetch);
  g_main_loop_run (fetch.loop);
  g_main_loop_unref (fetch.loop);

  if (fetch.failed)
    {
      g_printerr ("bench-tiles: %u of %u tiles failed\n", fetch.failed, N_TILES);
      return 1;
    }

  return 0;
}
