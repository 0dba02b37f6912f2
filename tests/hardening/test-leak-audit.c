/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arcpass-cli.h"
#include "arcpass-core.h"
#include "arcpass-sandbox.h"
#include "hardening-common.h"

/* The secret-leak audit. A full session runs in a child process (this very
 * program with ARCPASS_LEAK_SESSION=1), with G_MESSAGES_DEBUG=all, against a
 * sandbox served by the parent. The child hands back, on a pipe (fd 3,
 * never a file), every secret it met (fixture keys, client secret,
 * passwords, every access and refresh token issued, read from the
 * credentials in memory), the argv, environment and output of the
 * `arcpass` commands it ran, and the command lines and environments of
 * its descendants read from /proc while they lived. The parent then looks
 * for each secret in: the child's stdout and stderr, that transcript, every
 * file under $HOME and the XDG directories (binary-safe), and checks that
 * the sandbox never saw a credential in a query string.
 *
 * Allowed: the keyring (its file is encrypted, so it is searched too and
 * must not show a secret in clear) and the stdout of `arcpass token`, which
 * is what the user asked for.
 *
 * The negative controls plant a token in a debug message or a file and
 * check that the audit reports it. */

#define SESSION_ENV  "ARCPASS_LEAK_SESSION"
#define PLANT_ENV    "ARCPASS_LEAK_PLANT"
#define URL_ENV      "ARCPASS_LEAK_SANDBOX_URL"
#define RESULT_FD    3

/* ---- The session (child) -------------------------------------------------- */

static GPtrArray *secrets;
static GString *proc_dump;

static void
remember (const char *secret)
{
  if (secret != NULL && strlen (secret) >= 8 &&
      !g_ptr_array_find_with_equal_func (secrets, secret, g_str_equal, NULL))
    g_ptr_array_add (secrets, g_strdup (secret));
}

static void
remember_credential (ArcpassCredential *credential)
{
  remember (arcpass_credential_get_access_token (credential));
  remember (arcpass_credential_get_refresh_token (credential));
  remember (arcpass_credential_get_client_secret (credential));
}

static void
credential_notify_cb (ArcpassCredential *credential,
                      GParamSpec        *pspec,
                      gpointer           user_data)
{
  remember_credential (credential);
}

static void
follow (ArcpassCredential *credential)
{
  remember_credential (credential);
  g_signal_connect (credential, "notify", G_CALLBACK (credential_notify_cb), NULL);
}

/* Command lines and environments of every child of this process that is
 * alive now (the `arcpass` commands). */
static void
dump_descendants (void)
{
  hard_dump_descendants (proc_dump, FALSE, NULL);
}

static gboolean
dump_descendants_cb (gpointer user_data)
{
  dump_descendants ();
  return G_SOURCE_CONTINUE;
}

/* The sandbox clock, as the parent moves it. */
static gint64 clock_offset;

static gint64
session_clock (gpointer user_data)
{
  return g_get_real_time () / G_USEC_PER_SEC + clock_offset;
}

static ArcpassTokenManager *
new_manager (ArcpassClient       *client,
             ArcpassAccountStore *store,
             ArcpassCredential   *credential,
             const char          *url)
{
  ArcpassTokenManager *manager = arcpass_token_manager_new (client, credential, store);
  g_autoptr(ArcpassEndpoints) endpoints = arcpass_endpoints_new_for_sandbox (url);

  arcpass_token_manager_set_endpoints (manager, endpoints);
  return manager;
}

static void
run_session (void)
{
  const char *url = g_getenv (URL_ENV);
  const char *plant = g_getenv (PLANT_ENV);
  g_autoptr(ArcpassClient) client = arcpass_client_new ();
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(ArcpassCredential) user = NULL;
  g_autoptr(ArcpassCredential) key = NULL;
  g_autoptr(ArcpassCredential) app = NULL;
  g_autoptr(ArcpassTokenManager) user_manager = NULL;
  g_autoptr(ArcpassTokenManager) key_manager = NULL;
  g_autoptr(ArcpassTokenManager) app_manager = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autofree char *json = NULL;
  guint dump_source;

  g_assert_nonnull (url);
  secrets = g_ptr_array_new_with_free_func (g_free);
  proc_dump = g_string_new (NULL);
  remember (ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  remember (ARCPASS_SANDBOX_USER_PASSWORD);
  remember (ARCPASS_SANDBOX_CLIENT_SECRET);
  remember (ARCPASS_SANDBOX_KEY_FULL);
  remember (ARCPASS_SANDBOX_KEY_BASEMAPS);
  remember (ARCPASS_SANDBOX_KEY_EXPIRED);
  remember (ARCPASS_SANDBOX_KEY_LEGACY);
  dump_source = g_timeout_add (100, dump_descendants_cb, NULL);
  hard_spawn_hook = dump_descendants;
  arcpass_client_set_clock (client, session_clock, NULL, NULL);

  /* Sign in three ways. */
  user = hard_oauth_sign_in (client, url, ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                             ARCPASS_SANDBOX_PUBLISHER_PASSWORD);
  follow (user);
  hard_store_save (store, user);

  res = HARD_RUN (arcpass_sign_in_with_api_key_async, client, url, ARCPASS_SANDBOX_KEY_FULL, NULL);
  key = arcpass_sign_in_finish (res, &error);
  g_assert_no_error (error);
  follow (key);
  hard_store_save (store, key);
  g_clear_object (&res);

  res = HARD_RUN (arcpass_sign_in_with_app_credentials_async, client, url,
                  ARCPASS_SANDBOX_CLIENT_ID, ARCPASS_SANDBOX_CLIENT_SECRET, NULL);
  app = arcpass_sign_in_finish (res, &error);
  g_assert_no_error (error);
  follow (app);
  hard_store_save (store, app);
  g_clear_object (&res);

  user_manager = new_manager (client, store, user, url);
  key_manager = new_manager (client, store, key, url);
  app_manager = new_manager (client, store, app, url);

  /* Time passes: the tokens are renewed (refresh_token for the user,
   * client_credentials for the app), then rotated (exchange_refresh_token). */
  {
    g_autofree char *clock_url = g_strconcat (url, "/_sandbox/clock", NULL);
    const gint64 steps[] = { 1700, 1200000 };

    for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
      {
        g_autofree char *form = g_strdup_printf ("advance=%" G_GINT64_FORMAT, steps[i]);
        g_autofree char *body = hard_http ("POST", clock_url, form, NULL, NULL);
        ArcpassTokenManager *managers[] = { user_manager, app_manager };

        clock_offset += steps[i];

        for (guint m = 0; m < G_N_ELEMENTS (managers); m++)
          {
            g_autoptr(GAsyncResult) token_res = NULL;
            g_autoptr(ArcpassSecret) token = NULL;

            token_res = HARD_RUN (arcpass_token_manager_get_token_async, managers[m], FALSE, NULL);
            token = arcpass_token_manager_get_token_finish (managers[m], token_res, &error);
            g_assert_no_error (error);
            remember (token);
          }
      }
  }
  remember_credential (user);

  /* The services, as the testers use them. */
  {
    g_autoptr(GAsyncResult) found_res = NULL;
    g_autoptr(GAsyncResult) reverse_res = NULL;
    g_autoptr(GAsyncResult) styles_res = NULL;
    g_autoptr(GAsyncResult) tile_res = NULL;
    g_autoptr(GPtrArray) found = NULL;
    g_autoptr(ArcpassReverseGeocodeResult) place = NULL;
    g_autoptr(GPtrArray) styles = NULL;
    g_autoptr(GBytes) tile = NULL;

    found_res = HARD_RUN (arcpass_geocode_find_async, user_manager, "Redlands", NULL, 5, NULL);
    found = arcpass_geocode_find_finish (found_res, &error);
    g_assert_no_error (error);
    reverse_res = HARD_RUN (arcpass_geocode_reverse_async, key_manager, -117.195, 34.057, NULL);
    place = arcpass_geocode_reverse_finish (reverse_res, &error);
    g_assert_no_error (error);
    styles_res = HARD_RUN (arcpass_basemap_list_styles_async, key_manager, NULL);
    styles = arcpass_basemap_list_styles_finish (styles_res, &error);
    g_assert_no_error (error);
    /* With the key: Static Basemap Tiles are Location Platform's, and the
     * app credentials belong to the ArcGIS Online organisation. */
    tile_res = HARD_RUN (arcpass_basemap_fetch_tile_async, key_manager, "arcgis/navigation", 2, 1, 1,
                         NULL);
    tile = arcpass_basemap_fetch_tile_finish (tile_res, &error);
    g_assert_no_error (error);
  }

  /* The command line: token (its stdout is the token the user asked for),
   * geocode, signout. */
  {
    g_autoptr(HardRun) token = NULL;
    g_autoptr(HardRun) geocode = NULL;
    g_autoptr(HardRun) signout = NULL;

    hard_children_transcript_skip_next_stdout ();
    token = hard_run_arcpass (NULL, NULL, (const char * const[]) {
      "token", "--portal", url, "--account", arcpass_credential_get_id (key), NULL });
    g_assert_cmpint (token->status, ==, ARCPASS_EXIT_OK);
    geocode = hard_run_arcpass (NULL, NULL, (const char * const[]) {
      "geocode", "--portal", url, "--account", arcpass_credential_get_id (user), "Redlands", NULL });
    g_assert_cmpint (geocode->status, ==, ARCPASS_EXIT_OK);
    signout = hard_run_arcpass (NULL, NULL, (const char * const[]) {
      "signout", "--portal", url, "--account", arcpass_credential_get_id (app), NULL });
    g_assert_cmpint (signout->status, ==, ARCPASS_EXIT_OK);
  }

  /* The negative controls. */
  if (g_strcmp0 (plant, "debug") == 0)
    g_debug ("Planted: the access token is %s", arcpass_credential_get_access_token (user));
  else if (g_strcmp0 (plant, "file") == 0)
    {
      g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "arcpass", "planted.json",
                                                NULL);
      g_autofree char *dir = g_path_get_dirname (path);

      g_mkdir_with_parents (dir, 0700);
      g_file_set_contents (path, arcpass_credential_get_refresh_token (user), -1, &error);
      g_assert_no_error (error);
    }

  /* Sign out of the user account; the key is removed. */
  {
    g_autoptr(GAsyncResult) out_res = NULL;

    remember_credential (user);
    out_res = HARD_RUN (arcpass_token_manager_sign_out_async, user_manager, NULL);
    g_assert_true (arcpass_token_manager_sign_out_finish (user_manager, out_res, &error));
    g_assert_no_error (error);
  }

  g_source_remove (dump_source);
  dump_descendants ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "secrets");
  json_builder_begin_array (builder);
  for (guint i = 0; i < secrets->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (secrets, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "children");
  json_builder_add_string_value (builder, hard_children_transcript ());
  json_builder_set_member_name (builder, "proc");
  json_builder_add_string_value (builder, proc_dump->str);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);

  out = g_unix_output_stream_new (RESULT_FD, TRUE);
  g_output_stream_write_all (out, json, strlen (json), NULL, NULL, &error);
  g_assert_no_error (error);
}

/* ---- The audit (parent) ----------------------------------------------------- */

/* Runs the session with @plant (NULL: none) and returns what the audit
 * found, one line per finding. */
static GPtrArray *
run_audit (const char *plant)
{
  g_autoptr(ArcpassSandbox) sandbox = arcpass_sandbox_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) log = NULL;
  g_autoptr(GInputStream) result_stream = NULL;
  g_autoptr(GOutputStream) result_buffer = g_memory_output_stream_new_resizable ();
  g_autoptr(GAsyncResult) splice_res = NULL;
  const char *self_exe = "/proc/self/exe";
  g_autofree char *exe = g_file_read_link (self_exe, NULL);
  JsonObject *result;
  JsonArray *array;
  GPtrArray *findings;
  g_auto(GStrv) dirs = hard_session_dirs ();
  HardAudit audit;
  guint n_files_seen = 0;
  int fds[2];

  hard_audit_init (&audit);

  arcpass_sandbox_start (sandbox, 0, &error);
  g_assert_no_error (error);

  g_assert_cmpint (pipe (fds), ==, 0);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, SESSION_ENV, "1", TRUE);
  g_subprocess_launcher_setenv (launcher, URL_ENV, arcpass_sandbox_get_url (sandbox), TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  if (plant != NULL)
    g_subprocess_launcher_setenv (launcher, PLANT_ENV, plant, TRUE);
  g_subprocess_launcher_take_fd (launcher, fds[1], RESULT_FD);
  child = g_subprocess_launcher_spawn (launcher, &error, exe, NULL);
  g_assert_no_error (error);
  /* The launcher holds the pipe's write end: drop it, so that the reader
   * sees the end of the result when the child exits. */
  g_clear_object (&launcher);

  /* Read the result pipe while the child runs (it may be larger than the
   * pipe's buffer), and serve the sandbox meanwhile. */
  result_stream = g_unix_input_stream_new (fds[0], TRUE);
  g_output_stream_splice_async (result_buffer, result_stream,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT, NULL,
                                hard_result_cb, &splice_res);
  g_subprocess_communicate_async (child, NULL, NULL, hard_result_cb, &res);
  hard_wait (&res);
  g_subprocess_communicate_finish (child, res, &out, &err, &error);
  g_assert_no_error (error);
  hard_wait (&splice_res);
  g_output_stream_splice_finish (result_buffer, splice_res, &error);
  g_assert_no_error (error);

  /* Sandbox-issued tokens only, and only when asked for. */
  if (g_test_verbose ())
    g_printerr ("%.*s%.*s", (int) g_bytes_get_size (out), (const char *) g_bytes_get_data (out, NULL),
                (int) g_bytes_get_size (err), (const char *) g_bytes_get_data (err, NULL));

  if (!g_subprocess_get_if_exited (child) || g_subprocess_get_exit_status (child) != 0)
    g_error ("The session failed:\n%.*s", (int) g_bytes_get_size (err),
             (const char *) g_bytes_get_data (err, NULL));

  json_parser_load_from_data (parser,
                              g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (result_buffer)),
                              (gssize) g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (result_buffer)),
                              &error);
  g_assert_no_error (error);
  result = json_node_get_object (json_parser_get_root (parser));
  array = json_object_get_array_member (result, "secrets");
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (audit.secrets, g_strdup (json_array_get_string_element (array, i)));
  /* Passwords, keys, the client secret, and at least: the user's first
   * access and refresh tokens, two renewals, a rotated refresh token, two
   * app tokens. */
  g_test_message ("%u secrets collected", audit.secrets->len);
  g_assert_cmpuint (audit.secrets->len, >=, 7 + 7);

  /* Where they must not be. */
  hard_audit_text (&audit, "the session's stdout", g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  hard_audit_text (&audit, "the session's stderr", g_bytes_get_data (err, NULL), g_bytes_get_size (err));
  {
    const char *children = json_object_get_string_member (result, "children");
    const char *proc = json_object_get_string_member (result, "proc");

    /* The audit saw the children at all: the transcripts are not empty. */
    g_assert_nonnull (strstr (children, "--- argv:"));
    g_assert_nonnull (strstr (children, "--- environ:"));
    g_assert_nonnull (strstr (proc, "/cmdline"));
    hard_audit_text (&audit, "an arcpass command's argv, environment or output", children,
                strlen (children));
    hard_audit_text (&audit, "a child process's /proc cmdline or environ", proc, strlen (proc));
  }
  /* The debug log was really on (else "no secret in the log" means little). */
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (out, NULL), (gssize) g_bytes_get_size (out),
                                  "DEBUG"));

  /* The test session's whole scratch tree (home, XDG dirs, keyring) when
   * known, else each directory. */
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      hard_audit_tree (&audit, dirs[i]);
      n_files_seen += hard_count_files (dirs[i]);
    }
  /* The keyring file at least was written and searched. */
  g_assert_cmpuint (n_files_seen, >, 0);

  log = hard_sandbox_log (arcpass_sandbox_get_url (sandbox));
  array = json_node_get_array (log);
  g_assert_cmpuint (json_array_get_length (array), >, 10);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (entry, "token_in", ""), "query") == 0)
        hard_audit_add_finding (&audit, "a credential in the query of %s",
                                json_object_get_string_member (entry, "path"));
    }

  arcpass_sandbox_stop (sandbox);
  for (guint i = 0; i < audit.findings->len; i++)
    g_test_message ("finding: %s", (const char *) g_ptr_array_index (audit.findings, i));
  findings = g_steal_pointer (&audit.findings);
  hard_audit_clear (&audit);
  return findings;
}

static void
test_session_leaks_nothing (void)
{
  g_autoptr(GPtrArray) findings = run_audit (NULL);

  g_assert_cmpuint (findings->len, ==, 0);
}

static gboolean
any_finding_contains (GPtrArray  *findings,
                      const char *text)
{
  for (guint i = 0; i < findings->len; i++)
    if (strstr (g_ptr_array_index (findings, i), text) != NULL)
      return TRUE;
  return FALSE;
}

/* Negative controls: the audit catches a token in a debug message and a
 * token in a file under the XDG cache directory. */
static void
test_planted_debug_is_caught (void)
{
  g_autoptr(GPtrArray) findings = run_audit ("debug");

  /* GLib prints debug messages on stdout. */
  g_assert_true (any_finding_contains (findings, "the session's stdout"));
}

static void
test_planted_file_is_caught (void)
{
  g_autoptr(GPtrArray) findings = run_audit ("file");
  g_autofree char *planted = g_build_filename (g_get_user_cache_dir (), "arcpass", "planted.json",
                                               NULL);

  g_assert_true (any_finding_contains (findings, planted));
  g_remove (planted);
}

int
main (int    argc,
      char **argv)
{
  if (g_getenv (SESSION_ENV) != NULL)
    {
      hard_wait_for_secret_service ();
      run_session ();
      return 0;
    }

  g_test_init (&argc, &argv, NULL);
  hard_wait_for_secret_service ();

  g_test_add_func ("/hardening/leak-audit/session", test_session_leaks_nothing);
  g_test_add_func ("/hardening/leak-audit/negative/debug-message", test_planted_debug_is_caught);
  g_test_add_func ("/hardening/leak-audit/negative/file", test_planted_file_is_caught);

  return g_test_run ();
}
