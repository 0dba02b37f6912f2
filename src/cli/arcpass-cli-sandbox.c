/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "arcpass-cli-private.h"

/* `--sandbox` runs the arcpass-sandbox executable as a child rather than the
 * sandbox library in this process: the sandbox renders tiles with cairo,
 * and linking it would make every verb load cairo, X11, fontconfig and
 * freetype at startup, sandbox or not.
 */

static char *
find_sandbox (void)
{
  const char *env = g_getenv ("ARCPASS_SANDBOX");
  g_autofree char *self_exe = NULL;

  if (env && *env)
    return g_strdup (env);

  /* Running from the build tree: src/arcpass sits next to
   * src/sandbox/arcpass-sandbox. */
  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self_exe)
    {
      g_autofree char *dir = g_path_get_dirname (self_exe);
      g_autofree char *candidate = g_build_filename (dir, "sandbox", "arcpass-sandbox", NULL);

      if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&candidate);
    }

  return g_build_filename (ARCPASS_BINDIR, "arcpass-sandbox", NULL);
}

/* Runs in the child between fork and exec: async-signal-safe calls only. */
static void
child_setup (gpointer user_data)
{
  pid_t parent = GPOINTER_TO_INT (user_data);

  /* The sandbox must not outlive the command, even when the command is
   * killed and cannot stop it. The signal follows the thread that forked,
   * which is the main thread, so it comes when the process ends. If the
   * command died before this line, no signal will ever come. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (127);

  /* Ctrl+C in the terminal then reaches the command alone: it cancels what
   * it waits for and stops the sandbox itself, instead of the sandbox dying
   * under a request in flight and the command reporting a network error. */
  setpgid (0, 0);
}

static void forward (GInputStream *stream);

static void
forward_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source),
                                                              result, NULL);

  if (!bytes || g_bytes_get_size (bytes) == 0)
    return;

  fwrite (g_bytes_get_data (bytes, NULL), 1, g_bytes_get_size (bytes), stderr);
  forward (G_INPUT_STREAM (source));
}

/* Copies what the sandbox writes after it started to our stderr, so that
 * its warnings stay visible as they were when it ran in this process, and
 * so that a full pipe never blocks it. Only runs while a verb waits, which
 * is also the only time the sandbox is asked anything. */
static void
forward (GInputStream *stream)
{
  g_input_stream_read_bytes_async (stream, 4096, G_PRIORITY_DEFAULT, NULL, forward_cb, NULL);
}

static void
skip_banner_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
                                                                result, NULL, NULL);

  /* The first line says where it serves and to press Ctrl+C: true of the
   * standalone sandbox, not of this one. */
  if (line)
    forward (G_INPUT_STREAM (source));
}

/* The reason the sandbox gave on stderr for exiting, without its name. */
static char *
exit_reason (const char *path,
             int         port,
             const char *err_text)
{
  g_autofree char *listen_prefix = NULL;
  g_autofree char *reason = NULL;

  listen_prefix = g_strdup_printf ("arcpass-sandbox: cannot listen on 127.0.0.1:%d: ",
                                   port >= 0 ? port : 0);
  if (err_text && g_str_has_prefix (err_text, listen_prefix))
    reason = g_strdup (err_text + strlen (listen_prefix));
  else if (err_text && g_str_has_prefix (err_text, "arcpass-sandbox: "))
    reason = g_strdup (err_text + strlen ("arcpass-sandbox: "));
  else
    reason = g_strdup (err_text ? err_text : "");

  g_strstrip (reason);
  if (*reason == '\0')
    return g_strdup_printf (_("%s exited without serving."), path);
  return g_steal_pointer (&reason);
}

/* Starts the sandbox on @port (any free port when negative) and reads its
 * URL, the first line of its stdout. %ARCPASS_ERROR_NETWORK means that it
 * ran but could not listen there. */
static GSubprocess *
spawn_sandbox (ArcpassCli  *cli,
               const char  *path,
               int          port,
               char       **out_url,
               GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *url = NULL;
  g_autofree char *err_text = NULL;
  g_autofree char *reason = NULL;
  const char *argv[] = { path, NULL, NULL, NULL };

  if (port >= 0)
    {
      port_text = g_strdup_printf ("%d", port);
      argv[1] = "--port";
      argv[2] = port_text;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup,
                                         GINT_TO_POINTER (getpid ()), NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (!process)
    return NULL;

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, cli->cancellable,
                                       arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  url = g_data_input_stream_read_line_finish (out, result, NULL, &local_error);
  g_clear_object (&result);

  if (url && g_str_has_prefix (url, "http://"))
    {
      err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
      g_data_input_stream_read_line_async (err, G_PRIORITY_DEFAULT, NULL, skip_banner_cb, NULL);
      forward (G_INPUT_STREAM (out));
      *out_url = g_steal_pointer (&url);
      return g_steal_pointer (&process);
    }

  if (local_error)
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* It exited (or printed something else): its stderr says why. */
  g_subprocess_force_exit (process);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  g_subprocess_communicate_utf8_finish (process, result, NULL, &err_text, NULL);
  reason = exit_reason (path, port, err_text);
  g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_NETWORK, reason);
  return NULL;
}

int
arcpass_cli_start_sandbox (ArcpassCli *cli)
{
  g_autofree char *path = find_sandbox ();
  g_autoptr(GError) error = NULL;
  int port = cli->sandbox_port >= 0 ? cli->sandbox_port : ARCPASS_CLI_SANDBOX_PORT;

  g_assert (!cli->sandbox_process);

  cli->sandbox_process = spawn_sandbox (cli, path, port, &cli->portal_url, &error);
  if (cli->sandbox_process)
    return -1;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return arcpass_cli_fail_error (cli, error);

  if (cli->sandbox_port >= 0)
    return arcpass_cli_fail (cli, ARCPASS_EXIT_NETWORK,
                             _("Cannot start the sandbox on port %d: %s"),
                             cli->sandbox_port, error->message);

  /* The usual port is only a convenience (stable URLs): another
   * `arcpass --sandbox` may hold it, and any port works because sandbox
   * accounts are rebound to this sandbox. A sandbox that could not be
   * executed at all would not do better on another port. */
  if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_NETWORK))
    {
      g_clear_error (&error);
      cli->sandbox_process = spawn_sandbox (cli, path, -1, &cli->portal_url, &error);
      if (cli->sandbox_process)
        return -1;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return arcpass_cli_fail_error (cli, error);
    }

  return arcpass_cli_fail (cli, ARCPASS_EXIT_NETWORK,
                           _("Cannot start the sandbox: %s"), error->message);
}

void
arcpass_cli_stop_sandbox (ArcpassCli *cli)
{
  if (!cli->sandbox_process)
    return;

  /* Nothing in the sandbox outlives it (its state is in memory), so there
   * is no clean shutdown to wait for; waiting reaps it before we exit. */
  g_subprocess_force_exit (cli->sandbox_process);
  g_subprocess_wait (cli->sandbox_process, NULL, NULL);
  g_clear_object (&cli->sandbox_process);
}
