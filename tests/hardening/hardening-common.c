/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arcpass-sandbox.h"
#include "hardening-common.h"

void (*hard_spawn_hook) (void) = NULL;

static SoupSession *http_session;
static GString *children_transcript;
static gboolean skip_next_stdout;

void
hard_result_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

GAsyncResult *
hard_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

char *
hard_http (const char  *method,
           const char  *url,
           const char  *form,
           guint       *out_status,
           char       **out_location)
{
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (message);
  if (http_session == NULL)
    http_session = soup_session_new ();

  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  if (form != NULL)
    {
      g_autoptr(GBytes) request = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded",
                                                request);
    }

  /* Asynchronous: the sandbox answers on this very main context. */
  soup_session_send_and_read_async (http_session, message, G_PRIORITY_DEFAULT, NULL,
                                    hard_result_cb, &res);
  hard_wait (&res);
  body = soup_session_send_and_read_finish (http_session, res, &error);
  g_assert_no_error (error);

  if (out_status != NULL)
    *out_status = soup_message_get_status (message);
  if (out_location != NULL)
    *out_location = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                            "Location"));

  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static JsonNode *
http_json (const char *method,
           const char *url)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint status = 0;

  text = hard_http (method, url, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

void
hard_sandbox_clear_log (const char *sandbox_url)
{
  g_autofree char *url = g_strconcat (sandbox_url, "/_sandbox/log", NULL);
  g_autofree char *body = NULL;
  guint status = 0;

  body = hard_http ("DELETE", url, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
}

JsonNode *
hard_sandbox_log (const char *sandbox_url)
{
  g_autofree char *url = g_strconcat (sandbox_url, "/_sandbox/log", NULL);
  g_autoptr(JsonNode) root = http_json ("GET", url);
  JsonArray *entries = json_object_get_array_member (json_node_get_object (root), "entries");
  JsonArray *kept = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      if (!g_str_has_prefix (json_object_get_string_member (entry, "path"), "/_sandbox"))
        json_array_add_object_element (kept, json_object_ref (entry));
    }
  json_node_take_array (node, kept);

  return node;
}

guint
hard_sandbox_count (const char *sandbox_url,
                    const char *prefix)
{
  g_autoptr(JsonNode) log = hard_sandbox_log (sandbox_url);
  JsonArray *entries = json_node_get_array (log);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      if (g_str_has_prefix (json_object_get_string_member (entry, "path"), prefix))
        n++;
    }

  return n;
}

guint
hard_sandbox_pending_faults (const char *sandbox_url)
{
  g_autofree char *url = g_strconcat (sandbox_url, "/_sandbox?f=json", NULL);
  g_autoptr(JsonNode) root = http_json ("GET", url);
  JsonArray *faults = json_object_get_array_member (json_node_get_object (root), "faults");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (faults); i++)
    n += (guint) json_object_get_int_member (json_array_get_object_element (faults, i), "count");

  return n;
}

void
hard_sandbox_drain_faults (const char *sandbox_url,
                           const char *prefix)
{
  g_autofree char *url = g_strconcat (sandbox_url, prefix, NULL);

  for (guint i = 0; i < 20 && hard_sandbox_pending_faults (sandbox_url) > 0; i++)
    {
      g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
      g_autoptr(GAsyncResult) res = NULL;
      g_autoptr(GBytes) body = NULL;

      soup_session_send_and_read_async (http_session, message, G_PRIORITY_DEFAULT, NULL,
                                        hard_result_cb, &res);
      hard_wait (&res);
      /* A closed connection or a cut body is what the fault is for. */
      body = soup_session_send_and_read_finish (http_session, res, NULL);
    }
  g_assert_cmpuint (hard_sandbox_pending_faults (sandbox_url), ==, 0);
}

void
hard_sandbox_add_fault (const char *sandbox_url,
                        const char *prefix,
                        const char *mode,
                        guint       count)
{
  g_autofree char *url = g_strconcat (sandbox_url, "/_sandbox/fault", NULL);
  g_autofree char *count_text = g_strdup_printf ("%u", count);
  g_autofree char *form = soup_form_encode ("path", prefix, "mode", mode, "count", count_text,
                                            NULL);
  g_autofree char *body = NULL;
  guint status = 0;

  body = hard_http ("POST", url, form, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
}

static char *
html_match (const char *html,
            const char *pattern)
{
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (!g_regex_match (regex, html, 0, &match))
    return NULL;

  return g_match_info_fetch (match, 1);
}

ArcpassCredential *
hard_oauth_sign_in (ArcpassClient *client,
                    const char    *sandbox_url,
                    const char    *username,
                    const char    *password)
{
  g_autoptr(ArcpassAuthorization) auth = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) base = NULL;
  g_autoptr(GUri) action_uri = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autofree char *authorize_url = NULL;
  g_autofree char *html = NULL;
  g_autofree char *action = NULL;
  g_autofree char *oauth_state = NULL;
  g_autofree char *action_url = NULL;
  g_autofree char *form = NULL;
  g_autofree char *body = NULL;
  g_autofree char *location = NULL;
  g_autoptr(ArcpassSecret) code = NULL;
  ArcpassCredential *credential;
  guint status = 0;

  auth = arcpass_authorization_new (sandbox_url, ARCPASS_SANDBOX_CLIENT_ID,
                                    "http://127.0.0.1/callback", &error);
  g_assert_no_error (error);
  authorize_url = arcpass_authorization_build_url (auth);

  html = hard_http ("GET", authorize_url, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  action = html_match (html, "<form[^>]*action=\"([^\"]*)\"");
  oauth_state = html_match (html, "name=\"oauth_state\" value=\"([^\"]*)\"");
  g_assert_nonnull (action);
  g_assert_nonnull (oauth_state);

  base = g_uri_parse (authorize_url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  action_uri = g_uri_parse_relative (base, action, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  action_url = g_uri_to_string (action_uri);

  form = soup_form_encode ("oauth_state", oauth_state, "username", username,
                           "password", password, "authorize", "true", NULL);
  body = hard_http ("POST", action_url, form, &status, &location);
  g_assert_cmpuint (status, ==, 302);
  g_assert_nonnull (location);

  g_assert_cmpint (arcpass_authorization_parse_redirect (auth, location, &code, &error), ==,
                   ARCPASS_REDIRECT_CODE);
  g_assert_no_error (error);

  res = HARD_RUN (arcpass_sign_in_with_code_async, client, auth, code, NULL);
  credential = arcpass_sign_in_finish (res, &error);
  g_assert_no_error (error);
  g_assert_nonnull (arcpass_credential_get_refresh_token (credential));

  return credential;
}

char *
hard_arcpass_path (void)
{
  const char *root = g_getenv ("ARCPASS_BUILD_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, "src", "arcpass", NULL);
}

void
hard_wait_for_secret_service (void)
{
  g_autoptr(GDBusConnection) bus = NULL;

  if (g_getenv ("ARCPASS_TEST_NO_KEYRING") != NULL)
    return;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return;

  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GVariant) reply = NULL;
      gboolean has_owner = FALSE;

      reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "NameHasOwner",
                                           g_variant_new ("(s)", "org.freedesktop.secrets"),
                                           G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                           NULL, NULL);
      if (reply != NULL)
        g_variant_get (reply, "(b)", &has_owner);
      if (has_owner)
        return;
      g_usleep (50 * 1000);
    }
}

void
hard_store_save (ArcpassAccountStore *store,
                 ArcpassCredential   *credential)
{
  g_autoptr(GAsyncResult) res = HARD_RUN (arcpass_account_store_save_async, store, credential,
                                          NULL);
  g_autoptr(GError) error = NULL;

  arcpass_account_store_save_finish (store, res, &error);
  g_assert_no_error (error);
}

ArcpassCredential *
hard_store_load (ArcpassAccountStore  *store,
                 const char           *account_id,
                 GError              **error)
{
  g_autoptr(GAsyncResult) res = HARD_RUN (arcpass_account_store_load_async, store, account_id,
                                          NULL);

  return arcpass_account_store_load_finish (store, res, error);
}

/* /proc's command lines and environments separate their strings with NULs:
 * the transcripts are C strings (sent as JSON strings), which would end at
 * the first one. */
static void
append_nul_separated (GString    *out,
                      const char *data,
                      gsize       length,
                      char        separator)
{
  gsize start = out->len;

  g_string_append_len (out, data, (gssize) length);
  for (gsize i = start; i < out->len; i++)
    if (out->str[i] == '\0')
      out->str[i] = separator;
}

void
hard_run_free (HardRun *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

static char *
bytes_to_string (GBytes *bytes,
                 gsize  *out_len)
{
  gsize size = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &size) : NULL;

  if (out_len != NULL)
    *out_len = size;
  return data ? g_strndup (data, size) : g_strdup ("");
}

HardRun *
hard_run_arcpass (const char         *input,
                  const char * const *env,
                  const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) in = g_bytes_new (input ? input : "", input ? strlen (input) : 0);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  HardRun *run = g_new0 (HardRun, 1);

  if (children_transcript == NULL)
    children_transcript = g_string_new (NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* No window may ever be started from here. */
  g_subprocess_launcher_setenv (launcher, "ARCPASS_GUI", "/bin/false", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "ARCPASS_ACCOUNT");
  g_string_append (children_transcript, "--- argv:");
  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    {
      g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
      g_string_append_printf (children_transcript, " %s=%s", env[i], env[i + 1]);
    }

  g_ptr_array_add (argv, hard_arcpass_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  for (guint i = 0; i + 1 < argv->len; i++)
    g_string_append_printf (children_transcript, " %s", (const char *) argv->pdata[i]);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  if (hard_spawn_hook)
    hard_spawn_hook ();

  /* The environment the child really got (/proc/PID/environ), not only
   * what was added to it. */
  {
    g_autofree char *path = g_strdup_printf ("/proc/%s/environ",
                                             g_subprocess_get_identifier (process));
    g_autofree char *environ_data = NULL;
    gsize length = 0;

    if (g_file_get_contents (path, &environ_data, &length, NULL))
      {
        g_string_append (children_transcript, "\n--- environ:\n");
        append_nul_separated (children_transcript, environ_data, length, '\n');
      }
  }

  g_subprocess_communicate_async (process, in, NULL, hard_result_cb, &res);
  hard_wait (&res);
  g_subprocess_communicate_finish (process, res, &out, &err, &error);
  g_assert_no_error (error);

  run->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  run->out = bytes_to_string (out, &run->out_len);
  run->err = bytes_to_string (err, NULL);

  /* Standard input is what the user typed (an API key, say): not audited. */
  g_string_append (children_transcript, "\n--- stdout:\n");
  if (skip_next_stdout)
    g_string_append (children_transcript, "(what the user asked for, not audited)");
  else
    g_string_append_len (children_transcript, run->out, (gssize) run->out_len);
  skip_next_stdout = FALSE;
  g_string_append_printf (children_transcript, "\n--- stderr:\n%s\n--- exit %d\n", run->err,
                          run->status);

  if (g_test_verbose ())
    g_test_message ("arcpass %s → %d\n%s", args[0], run->status, run->err);

  return run;
}

const char *
hard_children_transcript (void)
{
  return children_transcript ? children_transcript->str : "";
}

void
hard_children_transcript_skip_next_stdout (void)
{
  skip_next_stdout = TRUE;
}

/* ---- The secret-leak audits ------------------------------------------------ */

void
hard_audit_init (HardAudit *audit)
{
  audit->secrets = g_ptr_array_new_with_free_func (g_free);
  audit->findings = g_ptr_array_new_with_free_func (g_free);
}

void
hard_audit_clear (HardAudit *audit)
{
  g_clear_pointer (&audit->secrets, g_ptr_array_unref);
  g_clear_pointer (&audit->findings, g_ptr_array_unref);
}

void
hard_audit_add_secret (HardAudit  *audit,
                       const char *secret)
{
  if (secret != NULL && strlen (secret) >= 8 &&
      !g_ptr_array_find_with_equal_func (audit->secrets, secret, g_str_equal, NULL))
    g_ptr_array_add (audit->secrets, g_strdup (secret));
}

void
hard_audit_add_finding (HardAudit  *audit,
                        const char *format,
                        ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (audit->findings, g_strdup_vprintf (format, args));
  va_end (args);
}

gboolean
hard_contains_bytes (const char *data,
                     gsize       length,
                     const char *needle)
{
  gsize n = strlen (needle);

  for (const char *p = data; n > 0 && p + n <= data + length; p++)
    {
      p = memchr (p, needle[0], (gsize) (data + length - p));
      if (p == NULL || p + n > data + length)
        return FALSE;
      if (memcmp (p, needle, n) == 0)
        return TRUE;
    }
  return FALSE;
}

void
hard_audit_text (HardAudit  *audit,
                 const char *where,
                 const char *data,
                 gsize       length)
{
  for (guint i = 0; i < audit->secrets->len; i++)
    {
      const char *secret = g_ptr_array_index (audit->secrets, i);

      if (hard_contains_bytes (data, length, secret))
        hard_audit_add_finding (audit, "%s holds a secret (%.6s…)", where, secret);
    }
}

void
hard_audit_tree (HardAudit  *audit,
                 const char *root)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (root == NULL || !g_file_test (root, G_FILE_TEST_IS_DIR) ||
      g_file_test (root, G_FILE_TEST_IS_SYMLINK))
    return;

  dir = g_dir_open (root, 0, NULL);
  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (root, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        hard_audit_tree (audit, path);
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_autofree char *contents = NULL;
          gsize length = 0;

          if (g_file_get_contents (path, &contents, &length, NULL))
            hard_audit_text (audit, path, contents, length);
        }
    }
}

guint
hard_count_files (const char *root)
{
  g_autoptr(GDir) dir = root ? g_dir_open (root, 0, NULL) : NULL;
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (root, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        n += hard_count_files (path);
      else
        n++;
    }

  return n;
}

GStrv
hard_session_dirs (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (g_getenv ("ARCPASS_TEST_TMPDIR") != NULL)
    g_strv_builder_add (builder, g_getenv ("ARCPASS_TEST_TMPDIR"));
  else
    {
      g_strv_builder_add (builder, g_get_home_dir ());
      g_strv_builder_add (builder, g_get_user_config_dir ());
      g_strv_builder_add (builder, g_get_user_data_dir ());
      g_strv_builder_add (builder, g_get_user_cache_dir ());
      g_strv_builder_add (builder, g_get_user_state_dir ());
      g_strv_builder_add (builder, g_get_user_runtime_dir ());
    }

  return g_strv_builder_end (builder);
}

static pid_t
parent_of (const char *pid)
{
  g_autofree char *path = g_build_filename ("/proc", pid, "status", NULL);
  g_autofree char *status = NULL;
  const char *ppid;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return 0;
  ppid = strstr (status, "\nPPid:\t");
  return ppid ? (pid_t) strtol (ppid + 7, NULL, 10) : 0;
}

static gboolean
descends_from (const char *pid,
               pid_t       ancestor,
               gboolean    all_generations)
{
  pid_t parent = parent_of (pid);

  for (guint depth = 0; parent > 1 && depth < 32; depth++)
    {
      g_autofree char *name = NULL;

      if (parent == ancestor)
        return TRUE;
      if (!all_generations)
        return FALSE;
      name = g_strdup_printf ("%d", (int) parent);
      parent = parent_of (name);
    }
  return FALSE;
}

void
hard_dump_descendants (GString    *out,
                       gboolean    all_generations,
                       GHashTable *seen)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  pid_t self = getpid ();
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (!g_ascii_isdigit (name[0]) || !descends_from (name, self, all_generations))
        continue;

      for (guint i = 0; i < 2; i++)
        {
          const char *what = i == 0 ? "cmdline" : "environ";
          g_autofree char *path = g_build_filename ("/proc", name, what, NULL);
          g_autofree char *data = NULL;
          gsize length = 0;

          if (!g_file_get_contents (path, &data, &length, NULL))
            continue;
          if (seen != NULL)
            {
              /* Command lines and environments are NUL-separated: the
               * key is a digest of all of it. */
              g_autofree char *digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                                     (const guchar *) data,
                                                                     length);
              g_autofree char *key = g_strdup_printf ("%s/%s:%s", name, what, digest);

              if (g_hash_table_contains (seen, key))
                continue;
              g_hash_table_add (seen, g_steal_pointer (&key));
            }
          g_string_append_printf (out, "\n--- /proc/%s/%s (descendant of %d)\n", name, what,
                                  (int) self);
          append_nul_separated (out, data, length, i == 0 ? ' ' : '\n');
        }
    }
}
