/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench-common.h"

double
bench_now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

double
bench_elapsed_ms_since_exec (void)
{
  static double t0_ms = -1;

  if (t0_ms < 0)
    {
      const char *t0 = g_getenv ("BENCH_T0_NS");

      /* Measured from before exec: dynamic linking and constructors are
       * part of the start-up a user waits for. */
      if (t0 && *t0)
        t0_ms = g_ascii_strtoull (t0, NULL, 10) / 1e6;
      else
        t0_ms = bench_now_ms ();
    }

  return bench_now_ms () - t0_ms;
}

double
bench_cpu_ms (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

guint64
bench_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "\nVmRSS:");
  if (!line)
    return 0;
  return g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
}

static pid_t
get_parent_pid (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char *end;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  /* "pid (comm) state ppid …": comm may contain spaces and parentheses. */
  end = strrchr (contents, ')');
  if (!end || strlen (end) < 4)
    return 0;
  return (pid_t) strtol (end + 4, NULL, 10);
}

static gboolean
is_descendant (pid_t pid,
               pid_t ancestor)
{
  for (int depth = 0; pid > 1 && depth < 32; depth++)
    {
      pid = get_parent_pid (pid);
      if (pid == ancestor)
        return TRUE;
    }
  return FALSE;
}

void
bench_count_webkit_processes (guint *web,
                              guint *network)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  pid_t self = getpid ();
  const char *name;

  *web = 0;
  *network = 0;
  if (!dir)
    return;

  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *path = NULL;
      g_autofree char *cmdline = NULL;
      g_autofree char *base = NULL;
      char *end;
      pid_t pid = (pid_t) strtol (name, &end, 10);

      if (*end || pid <= 0)
        continue;
      /* /proc/PID/comm is cut at 15 characters; argv[0] is not. */
      path = g_strdup_printf ("/proc/%s/cmdline", name);
      if (!g_file_get_contents (path, &cmdline, NULL, NULL) || !*cmdline)
        continue;
      base = g_path_get_basename (cmdline);
      if (g_str_equal (base, "WebKitWebProcess") && is_descendant (pid, self))
        (*web)++;
      else if (g_str_equal (base, "WebKitNetworkProcess") && is_descendant (pid, self))
        (*network)++;
    }
}
