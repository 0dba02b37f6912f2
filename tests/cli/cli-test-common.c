/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "arcpass-cli.h"
#include "cli-test-common.h"

char *
bytes_to_string (GBytes *bytes)
{
  gsize size = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &size) : NULL;

  return data ? g_strndup (data, size) : g_strdup ("");
}

void
run_free (Run *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

char *
arcpass_path (void)
{
  const char *root = g_getenv ("ARCPASS_BUILD_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, "src", "arcpass", NULL);
}

void
async_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (!*slot)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (slot);
}

void
assert_no_secret (Fixture    *fixture,
                  const char *text)
{
  /* Criticals and warnings are bugs, whatever the exit code says. */
  if (strstr (text, "-CRITICAL **") || strstr (text, "-WARNING **"))
    g_error ("arcpass logged a critical or a warning: %s", text);

  for (guint i = 0; i < fixture->secrets->len; i++)
    {
      const char *secret = g_ptr_array_index (fixture->secrets, i);

      if (strstr (text, secret))
        g_error ("A secret (%.6s…) appeared where it must not: %s", secret, text);
    }
}

GSubprocess *
spawn_arcpass (const char * const *args,
               const char * const *env,
               GSubprocessFlags    flags)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, arcpass_path ());
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  /* A GUI must never be started by these tests. */
  g_subprocess_launcher_setenv (launcher, "ARCPASS_GUI", "/bin/false", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "ARCPASS_ACCOUNT");
  for (guint i = 0; env && env[i]; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

Run *
run_env (Fixture            *fixture,
         const char         *input,
         const char * const *env,
         const char * const *args)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GBytes) in = g_bytes_new (input ? input : "", input ? strlen (input) : 0);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);

  process = spawn_arcpass (args, env,
                           G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_communicate_async (process, in, NULL, async_cb, &slot);
  result = wait_result (&slot);
  g_subprocess_communicate_finish (process, result, &out, &err, &error);
  g_assert_no_error (error);

  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  run->out_len = g_bytes_get_size (out);
  run->out = bytes_to_string (out);
  run->err = bytes_to_string (err);

  if (g_test_verbose ())
    g_test_message ("arcpass %s → %d\n--- stdout\n%s--- stderr\n%s", args[0], run->status,
                    run->out, run->err);
  assert_no_secret (fixture, run->err);
  return run;
}


/* ---- Keyring and sandbox helpers ----------------------------------------- */

GPtrArray *
store_list (void)
{
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *accounts;

  arcpass_account_store_list_async (store, NULL, async_cb, &slot);
  result = wait_result (&slot);
  accounts = arcpass_account_store_list_finish (store, result, &error);
  g_assert_no_error (error);
  return accounts;
}

void
store_save (ArcpassCredential *credential)
{
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  arcpass_account_store_save_async (store, credential, NULL, async_cb, &slot);
  result = wait_result (&slot);
  arcpass_account_store_save_finish (store, result, &error);
  g_assert_no_error (error);
}

void
store_clear (void)
{
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(GPtrArray) accounts = store_list ();

  for (guint i = 0; i < accounts->len; i++)
    {
      g_autoptr(GAsyncResult) slot = NULL;
      g_autoptr(GAsyncResult) result = NULL;

      arcpass_account_store_delete_async (store,
                                          arcpass_credential_get_id (g_ptr_array_index (accounts, i)),
                                          NULL, async_cb, &slot);
      result = wait_result (&slot);
      g_assert_true (arcpass_account_store_delete_finish (store, result, NULL));
    }
}

ArcpassCredential *
store_find (const char *username)
{
  g_autoptr(GPtrArray) accounts = store_list ();

  for (guint i = 0; i < accounts->len; i++)
    if (g_strcmp0 (arcpass_credential_get_username (g_ptr_array_index (accounts, i)),
                   username) == 0)
      return g_object_ref (g_ptr_array_index (accounts, i));
  return NULL;
}

SoupMessage *
http_in (SoupSession *session,
         const char  *method,
         const char  *url,
         const char  *form,
         GBytes     **out_body)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;

  g_assert_nonnull (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (form)
    {
      g_autoptr(GBytes) request = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded",
                                                request);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL,
                                    async_cb, &slot);
  result = wait_result (&slot);
  body = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);
  if (out_body)
    *out_body = g_steal_pointer (&body);
  return g_steal_pointer (&msg);
}

SoupMessage *
http (Fixture    *fixture,
      const char *method,
      const char *url,
      const char *form,
      GBytes    **out_body)
{
  return http_in (fixture->session, method, url, form, out_body);
}

JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

void
sandbox_post (Fixture    *fixture,
              const char *path,
              const char *form)
{
  g_autofree char *url = g_strconcat (fixture->url, path, NULL);
  g_autoptr(SoupMessage) msg = http (fixture, "POST", url, form, NULL);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
}

void
sandbox_clear_log (Fixture *fixture)
{
  g_autofree char *url = g_strconcat (fixture->url, "/_sandbox/log", NULL);
  g_autoptr(SoupMessage) msg = http (fixture, "DELETE", url, NULL, NULL);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
}

/* The paths the sandbox served since the last clear, one per line. */
char *
sandbox_log_paths (Fixture *fixture)
{
  g_autofree char *url = g_strconcat (fixture->url, "/_sandbox/log", NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupMessage) msg = http (fixture, "GET", url, NULL, &body);
  g_autofree char *text = bytes_to_string (body);
  g_autoptr(JsonNode) root = parse_json (text);
  JsonArray *entries = json_object_get_array_member (json_node_get_object (root), "entries");
  GString *paths = g_string_new (NULL);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *path = json_object_get_string_member (entry, "path");

      /* The log's own requests are not the CLI's. */
      if (!g_str_has_prefix (path, "/_sandbox"))
        g_string_append_printf (paths, "%s\n", path);
    }
  return g_string_free (paths, FALSE);
}

void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->sb = arcpass_sandbox_new ();
  arcpass_sandbox_start (fixture->sb, 0, &error);
  g_assert_no_error (error);
  fixture->url = g_strdup (arcpass_sandbox_get_url (fixture->sb));
  fixture->session = soup_session_new ();
  fixture->browser = soup_session_new ();
  soup_session_add_feature_by_type (fixture->browser, SOUP_TYPE_COOKIE_JAR);
  fixture->secrets = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (fixture->secrets, g_strdup (ARCPASS_SANDBOX_KEY_FULL));
  g_ptr_array_add (fixture->secrets, g_strdup (ARCPASS_SANDBOX_KEY_BASEMAPS));
  g_ptr_array_add (fixture->secrets, g_strdup (ARCPASS_SANDBOX_KEY_EXPIRED));
  g_ptr_array_add (fixture->secrets, g_strdup (ARCPASS_SANDBOX_KEY_LEGACY));
  g_ptr_array_add (fixture->secrets, g_strdup (ARCPASS_SANDBOX_CLIENT_SECRET));
  g_ptr_array_add (fixture->secrets, g_strdup (ARCPASS_SANDBOX_PUBLISHER_PASSWORD));
  g_ptr_array_add (fixture->secrets, g_strdup (ARCPASS_SANDBOX_USER_PASSWORD));
  store_clear ();
}

void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  store_clear ();
  arcpass_sandbox_stop (fixture->sb);
  g_clear_object (&fixture->sb);
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->browser);
  g_clear_pointer (&fixture->url, g_free);
  g_clear_pointer (&fixture->secrets, g_ptr_array_unref);
}

void
add_api_key (Fixture    *fixture,
             const char *key,
             const char *name)
{
  g_autofree char *input = g_strconcat (key, "\n", NULL);
  g_autoptr(Run) run = RUN (fixture, input, "apikey", "add", "--portal", fixture->url,
                            "--name", name);

  g_assert_cmpint (run->status, ==, ARCPASS_EXIT_OK);
  g_assert_null (strstr (run->out, key));
}

/* ---- Browser ------------------------------------------------------------- */

/* A port nobody listens on now: tests run in parallel, so none of them
 * uses the default redirect port; each registers its own in the sandbox
 * app, as a user registers one in their OAuth credential. */
guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* A fresh loopback redirect URI, registered in the test's sandbox. */
char *
registered_redirect_uri (Fixture *fixture)
{
  char *uri = g_strdup_printf ("http://127.0.0.1:%u/callback", free_port ());

  arcpass_sandbox_register_redirect_uri (fixture->sb, uri);
  return uri;
}

/* @args with `--redirect-uri URI` appended. */
GStrv
with_redirect_uri (const char * const *args,
                   const char         *uri)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_addv (builder, (const char **) args);
  g_strv_builder_add (builder, "--redirect-uri");
  g_strv_builder_add (builder, uri);
  return g_strv_builder_end (builder);
}

/* A running `arcpass` whose stderr is read line by line. */

Child *
child_spawn (const char * const *args)
{
  Child *child = g_new0 (Child, 1);

  child->process = spawn_arcpass (args, NULL,
                                  G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  child->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (child->process));
  child->err_text = g_string_new (NULL);
  return child;
}

void
child_free (Child *child)
{
  g_clear_object (&child->err);
  g_clear_object (&child->process);
  g_string_free (child->err_text, TRUE);
  g_free (child);
}

/* The next line of stderr, or NULL at the end. */
char *
child_read_line (Child *child)
{
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *line;

  g_data_input_stream_read_line_async (child->err, G_PRIORITY_DEFAULT, NULL, async_cb, &slot);
  result = wait_result (&slot);
  line = g_data_input_stream_read_line_finish_utf8 (child->err, result, NULL, &error);
  g_assert_no_error (error);
  if (line)
    g_string_append_printf (child->err_text, "%s\n", line);
  return line;
}

/* Reads stderr of a running `signin --no-launch` until the sign-in link. */
char *
read_signin_url (Child *child)
{
  for (;;)
    {
      g_autofree char *line = child_read_line (child);

      g_assert_nonnull (line);
      g_strstrip (line);
      if (g_str_has_prefix (line, "http://") || g_str_has_prefix (line, "https://"))
        return g_steal_pointer (&line);
    }
}

char *
find_hidden_state (const char *html)
{
  const char *marker = "name=\"oauth_state\" value=\"";
  const char *start = strstr (html, marker);
  const char *end;

  g_assert_nonnull (start);
  start += strlen (marker);
  end = strchr (start, '"');
  g_assert_nonnull (end);
  return g_strndup (start, end - start);
}

Run *
finish_process (Fixture *fixture,
                Child   *child)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);
  char *line;

  while ((line = child_read_line (child)))
    g_free (line);

  g_output_stream_splice_async (out, g_subprocess_get_stdout_pipe (child->process),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT, NULL,
                                async_cb, &slot);
  result = wait_result (&slot);
  g_output_stream_splice_finish (out, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  g_subprocess_wait_async (child->process, NULL, async_cb, &slot);
  result = wait_result (&slot);
  g_subprocess_wait_finish (child->process, result, &error);
  g_assert_no_error (error);

  g_assert_true (g_subprocess_get_if_exited (child->process));
  run->status = g_subprocess_get_exit_status (child->process);
  run->out = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                        g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
  run->err = g_strdup (child->err_text->str);
  if (g_test_verbose ())
    g_test_message ("arcpass (signin) → %d\n--- stdout\n%s--- stderr\n%s", run->status,
                    run->out, run->err);
  assert_no_secret (fixture, run->err);
  return run;
}
