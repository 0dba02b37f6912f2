/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test-oauth-common.h"

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

guint
arcpass_test_count_web_processes (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  pid_t self = getpid ();
  const char *name;
  guint count = 0;

  g_assert_nonnull (dir);
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
        count++;
    }

  return count;
}
