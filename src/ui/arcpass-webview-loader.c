/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gmodule.h>

#include "arcpass-error.h"
#include "arcpass-webview-loader.h"

/* The entry points are the page's own public functions (exported from the
 * module, see arcpass-oauth-page.c): a program that links the page has them
 * under the same names. */
typedef GtkWidget *(*NewPageFunc)     (ArcpassClient *client,
                                       GSettings     *settings);
typedef void       (*SetDefaultsFunc) (GtkWidget     *page,
                                       const char    *portal_url,
                                       const char    *client_id);

#define NEW_PAGE_SYMBOL "arcpass_oauth_page_new"
#define SET_DEFAULTS_SYMBOL "arcpass_oauth_page_set_defaults"

/* Set once, on the main thread, and kept for the life of the process: the
 * module is resident, because a GType cannot be unregistered. */
static NewPageFunc new_page;
static SetDefaultsFunc set_defaults;

static gboolean
lookup_entry_points (GModule *module)
{
  gpointer new_page_symbol = NULL;
  gpointer set_defaults_symbol = NULL;

  if (!g_module_symbol (module, NEW_PAGE_SYMBOL, &new_page_symbol) ||
      !g_module_symbol (module, SET_DEFAULTS_SYMBOL, &set_defaults_symbol) ||
      !new_page_symbol || !set_defaults_symbol)
    return FALSE;

  new_page = (NewPageFunc) new_page_symbol;
  set_defaults = (SetDefaultsFunc) set_defaults_symbol;
  return TRUE;
}

static char *
dup_module_path (void)
{
  const char *env = g_getenv ("ARCPASS_WEBVIEW_MODULE");
  g_autofree char *program = NULL;

  if (env && *env)
    return g_strdup (env);

  /* In the build tree the module is built beside arcpass-gui. An installed
   * program has no module beside it and uses the installed one. */
  program = g_file_read_link ("/proc/self/exe", NULL);
  if (program)
    {
      g_autofree char *dir = g_path_get_dirname (program);
      g_autofree char *beside = g_build_filename (dir, WEBVIEW_MODULE_NAME, NULL);

      if (g_file_test (beside, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&beside);
    }

  return g_build_filename (PKGLIBDIR, WEBVIEW_MODULE_NAME, NULL);
}

static gboolean
ensure_loaded (GError **error)
{
  GModule *program;
  GModule *module;
  g_autofree char *path = NULL;
  gboolean linked;

  if (new_page)
    return TRUE;

  /* Tests and benchmarks that drive the page link it statically (and export
   * their symbols): loading the module as well would register
   * ArcpassOAuthPage a second time, which GType refuses. */
  program = g_module_open (NULL, 0);
  linked = program && lookup_entry_points (program);
  g_clear_pointer (&program, g_module_close);
  if (linked)
    return TRUE;

  path = dup_module_path ();
  /* Symbols are bound now, not lazily: a module that does not match the
   * program fails here with a message instead of crashing at the first call.
   * It is local so that its symbols never interpose on the program's. */
  module = g_module_open (path, G_MODULE_BIND_LOCAL);
  if (!module)
    {
      /* Not translated: the detail is for a bug report, after the window's
       * translated explanation. */
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND,
                     "the web view module is not installed (%s)", path);
      else
        g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_FAILED,
                     "%s", g_module_error ());
      return FALSE;
    }

  if (!lookup_entry_points (module))
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_FAILED,
                   "the module %s has no %s or %s", path, NEW_PAGE_SYMBOL, SET_DEFAULTS_SYMBOL);
      new_page = NULL;
      set_defaults = NULL;
      g_module_close (module);
      return FALSE;
    }

  /* The page's type is registered by the module's code and stays
   * registered: the module must never be unloaded. The handle is kept
   * deliberately, for the same reason. */
  g_module_make_resident (module);
  g_debug ("Loaded the web view module %s", path);
  return TRUE;
}

GtkWidget *
arcpass_webview_create_oauth_page (ArcpassClient *client,
                                   GSettings     *settings,
                                   GError       **error)
{
  GtkWidget *page;

  g_return_val_if_fail (!client || ARCPASS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (!settings || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (!error || !*error, NULL);

  if (!ensure_loaded (error))
    return NULL;

  page = new_page (client, settings);
  if (!GTK_IS_WIDGET (page))
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_FAILED,
                   "the web view module did not create a page");
      return NULL;
    }

  return page;
}

void
arcpass_webview_oauth_page_set_defaults (GtkWidget  *page,
                                         const char *portal_url,
                                         const char *client_id)
{
  g_return_if_fail (GTK_IS_WIDGET (page));
  /* Only a page from arcpass_webview_create_oauth_page() gets here. */
  g_return_if_fail (set_defaults);

  set_defaults (page, portal_url, client_id);
}
