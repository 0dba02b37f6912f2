/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "arcpass-application.h"
#include "arcpass-a11y-fixes.h"
#include "arcpass-clipboard.h"
#include "arcpass-preferences-window.h"
#include "arcpass-resources.h"
#include "arcpass-sandbox.h"
#include "arcpass-window.h"

struct _ArcpassApplication
{
  AdwApplication       parent_instance;

  GSettings           *settings;
  ArcpassClient       *client;
  ArcpassAccountStore *store;
  /* Only with --sandbox: the portal served by this process. */
  ArcpassSandbox      *sandbox;
  char                *sandbox_url;
};

G_DEFINE_FINAL_TYPE (ArcpassApplication, arcpass_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_ACCOUNT_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static ArcpassWindow *
get_or_create_window (ArcpassApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window)
    return ARCPASS_WINDOW (window);

  return arcpass_window_new (self);
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  ArcpassApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Arcpass developers", NULL };
  AdwAboutWindow *about;

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  adw_about_window_set_application_name (about, _("Arcpass"));
  adw_about_window_set_application_icon (about, APP_ID);
  adw_about_window_set_developer_name (about, _("The Arcpass developers"));
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_comments (about,
                                 _("Sign in to ArcGIS, see what your tokens can do, and put them to "
                                   "work in your tools."));
  adw_about_window_set_website (about, "https://github.com/arcpass/arcpass");
  adw_about_window_set_issue_url (about, "https://github.com/arcpass/arcpass/issues");
  adw_about_window_set_copyright (about, "© 2026 The Arcpass developers");
  adw_about_window_set_license_type (about, GTK_LICENSE_GPL_3_0);
  adw_about_window_set_developers (about, developers);
  /* Translators: replace with your names, one per line. */
  adw_about_window_set_translator_credits (about, _("translator-credits"));
  adw_about_window_add_legal_section (about,
                                      _("ArcGIS"),
                                      NULL,
                                      GTK_LICENSE_CUSTOM,
                                      _("ArcGIS and Esri are trademarks of Esri. Arcpass is not "
                                        "affiliated with or endorsed by Esri."));
  gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  gtk_window_set_modal (GTK_WINDOW (about), TRUE);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  ArcpassApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  ArcpassPreferencesWindow *prefs;

  prefs = arcpass_preferences_window_new (self->settings);
  gtk_window_set_transient_for (GTK_WINDOW (prefs), parent);
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  ArcpassApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Close windows first so that each saves its state and clears what it owns. */
  for (GList *l = windows; l; )
    {
      GList *next = l->next;

      gtk_window_close (GTK_WINDOW (l->data));
      l = next;
    }

  g_application_quit (G_APPLICATION (self));
}

static const GActionEntry app_actions[] = {
  { "about", about_action_cb, NULL, NULL, NULL, { 0 } },
  { "preferences", preferences_action_cb, NULL, NULL, NULL, { 0 } },
  { "quit", quit_action_cb, NULL, NULL, NULL, { 0 } },
};

static int
arcpass_application_handle_local_options (GApplication *app,
                                          GVariantDict *options)
{
  ArcpassApplication *self = ARCPASS_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      printf ("arcpass %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_contains (options, "sandbox"))
    {
      g_autoptr(GError) error = NULL;

      /* The sandbox lives in this process, so this instance must not hand
       * over to one already running without it. */
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);

      self->sandbox = arcpass_sandbox_new ();
      if (!arcpass_sandbox_start (self->sandbox, 0, &error))
        {
          g_printerr (_("Could not start the sandbox portal: %s\n"), error->message);
          return 1;
        }
      arcpass_application_set_sandbox_url (self, arcpass_sandbox_get_url (self->sandbox));
      g_print (_("Sandbox portal (not ArcGIS) listening on %s\n"), self->sandbox_url);
    }

  return -1;
}

static void
arcpass_application_activate (GApplication *app)
{
  ArcpassApplication *self = ARCPASS_APPLICATION (app);

  gtk_window_present (GTK_WINDOW (get_or_create_window (self)));
}

static void
arcpass_application_startup (GApplication *app)
{
  ArcpassApplication *self = ARCPASS_APPLICATION (app);
  static const char *quit_accels[] = { "<primary>q", NULL };
  static const char *prefs_accels[] = { "<primary>comma", NULL };
  static const char *close_accels[] = { "<primary>w", NULL };
  static const char *add_accels[] = { "<primary>n", NULL };

  G_APPLICATION_CLASS (arcpass_application_parent_class)->startup (app);

  arcpass_a11y_install_fixes ();

  self->settings = g_settings_new (APP_ID);
  self->client = g_object_ref (arcpass_client_get_default ());
  /* The keyring; the window checks that it answers and offers a memory-only
   * session when it does not. */
  if (!self->store)
    self->store = arcpass_account_store_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.add-account", add_accels);

  gtk_window_set_default_icon_name (APP_ID);
}

static void
arcpass_application_shutdown (GApplication *app)
{
  GdkDisplay *display = gdk_display_get_default ();

  /* A token copied with "cleared when Arcpass quits" (or whose clear delay
   * has not run out yet) must not outlive the application on the
   * clipboard: a clipboard manager would take it over and keep it. The
   * windows are closed by now; the display is still open. */
  if (display && arcpass_clipboard_clear_if_ours (display))
    g_debug ("Cleared a copied secret from the clipboard at quit");

  G_APPLICATION_CLASS (arcpass_application_parent_class)->shutdown (app);
}

static void
arcpass_application_dispose (GObject *object)
{
  ArcpassApplication *self = ARCPASS_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->client);
  if (self->sandbox)
    arcpass_sandbox_stop (self->sandbox);
  g_clear_object (&self->sandbox);

  G_OBJECT_CLASS (arcpass_application_parent_class)->dispose (object);
}

static void
arcpass_application_finalize (GObject *object)
{
  ArcpassApplication *self = ARCPASS_APPLICATION (object);

  g_free (self->sandbox_url);

  G_OBJECT_CLASS (arcpass_application_parent_class)->finalize (object);
}

static void
arcpass_application_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ArcpassApplication *self = ARCPASS_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT_STORE:
      g_value_set_object (value, self->store);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_application_class_init (ArcpassApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = arcpass_application_dispose;
  object_class->finalize = arcpass_application_finalize;
  object_class->get_property = arcpass_application_get_property;

  properties[PROP_ACCOUNT_STORE] =
    g_param_spec_object ("account-store", NULL, NULL,
                         ARCPASS_TYPE_ACCOUNT_STORE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  arcpass_register_resource ();

  app_class->activate = arcpass_application_activate;
  app_class->startup = arcpass_application_startup;
  app_class->shutdown = arcpass_application_shutdown;
  app_class->handle_local_options = arcpass_application_handle_local_options;
}

static void
arcpass_application_init (ArcpassApplication *self)
{
  static const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version"), NULL },
    { "sandbox", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Start a local sandbox portal (not ArcGIS) and sign in to it"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

ArcpassApplication *
arcpass_application_new (void)
{
  return g_object_new (ARCPASS_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/arcpass/Arcpass",
                       NULL);
}

/**
 * arcpass_application_get_settings:
 *
 * Returns: (transfer none): the application's settings, available after startup.
 */
GSettings *
arcpass_application_get_settings (ArcpassApplication *self)
{
  g_return_val_if_fail (ARCPASS_IS_APPLICATION (self), NULL);

  return self->settings;
}

ArcpassClient *
arcpass_application_get_client (ArcpassApplication *self)
{
  g_return_val_if_fail (ARCPASS_IS_APPLICATION (self), NULL);

  if (!self->client)
    self->client = g_object_ref (arcpass_client_get_default ());

  return self->client;
}

ArcpassAccountStore *
arcpass_application_get_account_store (ArcpassApplication *self)
{
  g_return_val_if_fail (ARCPASS_IS_APPLICATION (self), NULL);

  if (!self->store)
    self->store = arcpass_account_store_new ();

  return self->store;
}

void
arcpass_application_use_memory_only_store (ArcpassApplication *self)
{
  g_return_if_fail (ARCPASS_IS_APPLICATION (self));

  if (self->store && arcpass_account_store_is_memory_only (self->store))
    return;

  /* Only ever on the user's explicit request: never a silent fallback. */
  g_clear_object (&self->store);
  self->store = arcpass_account_store_new_memory_only ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT_STORE]);
}

void
arcpass_application_set_sandbox_url (ArcpassApplication *self,
                                     const char         *url)
{
  g_return_if_fail (ARCPASS_IS_APPLICATION (self));

  g_free (self->sandbox_url);
  self->sandbox_url = g_strdup (url);
}

const char *
arcpass_application_get_sandbox_url (ArcpassApplication *self)
{
  g_return_val_if_fail (ARCPASS_IS_APPLICATION (self), NULL);

  return self->sandbox_url;
}

ArcpassEndpoints *
arcpass_application_dup_endpoints (ArcpassApplication *self,
                                   const char         *portal_url)
{
  g_return_val_if_fail (ARCPASS_IS_APPLICATION (self), NULL);

  if (self->sandbox_url && portal_url && g_str_has_prefix (portal_url, self->sandbox_url))
    return arcpass_endpoints_new_for_sandbox (self->sandbox_url);

  return arcpass_endpoints_new_default ();
}
