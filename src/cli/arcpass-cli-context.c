/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "arcpass-cli-private.h"

/* Longest secret accepted on stdin; API keys are about 100 characters and
 * client secrets 32, so this only stops a wrong file from being slurped. */
#define SECRET_MAX_LENGTH 4096

ArcpassCli *
arcpass_cli_new (const char      *verb,
                 ArcpassCliFlags  flags)
{
  ArcpassCli *cli = g_new0 (ArcpassCli, 1);

  cli->verb = verb;
  cli->flags = flags;
  cli->sandbox_port = -1;
  cli->cancellable = g_cancellable_new ();
  return cli;
}

void
arcpass_cli_free (ArcpassCli *cli)
{
  if (!cli)
    return;

  g_clear_handle_id (&cli->sigint_id, g_source_remove);
  g_clear_object (&cli->result);
  g_clear_object (&cli->store);
  g_clear_object (&cli->client);
  g_clear_pointer (&cli->portal_url, g_free);
  g_clear_pointer (&cli->portal, g_free);
  g_clear_pointer (&cli->account, g_free);
  g_clear_object (&cli->cancellable);
  arcpass_cli_stop_sandbox (cli);
  g_free (cli);
}

/* ---- Messages ------------------------------------------------------------ */

int
arcpass_cli_fail (ArcpassCli *cli,
                  int         exit_code,
                  const char *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "arcpass %s: %s\n", cli->verb, message);
  return exit_code;
}

void
arcpass_cli_note (ArcpassCli *cli,
                  const char *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "%s\n", message);
}

int
arcpass_cli_exit_code_for_error (const GError *error)
{
  const char *domain;

  if (!error)
    return ARCPASS_EXIT_FAILURE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return ARCPASS_EXIT_CANCELLED;

  if (error->domain == ARCPASS_ERROR)
    {
      switch ((ArcpassError) error->code)
        {
        case ARCPASS_ERROR_INVALID_INPUT:
        case ARCPASS_ERROR_INSECURE_PORTAL:
          return ARCPASS_EXIT_USAGE;

        case ARCPASS_ERROR_NETWORK:
        case ARCPASS_ERROR_TIMEOUT:
        case ARCPASS_ERROR_BLOCKED:
          return ARCPASS_EXIT_NETWORK;

        case ARCPASS_ERROR_SERVICE_UNAVAILABLE:
        case ARCPASS_ERROR_MALFORMED_RESPONSE:
        case ARCPASS_ERROR_RESPONSE_TOO_LARGE:
        case ARCPASS_ERROR_MISSING_PRIVILEGE:
        case ARCPASS_ERROR_REDIRECT_MISMATCH:
        case ARCPASS_ERROR_SERVICE_ERROR:
        case ARCPASS_ERROR_RATE_LIMITED:
        case ARCPASS_ERROR_MOVED:
        case ARCPASS_ERROR_NOT_OFFERED:
        case ARCPASS_ERROR_NO_TOKEN_FOR_HOST:
        case ARCPASS_ERROR_WEB_TIER_AUTH:
          return ARCPASS_EXIT_SERVICE;

        case ARCPASS_ERROR_INVALID_TOKEN:
        case ARCPASS_ERROR_TOKEN_REQUIRED:
        case ARCPASS_ERROR_TOKEN_EXPIRED:
        case ARCPASS_ERROR_SIGN_IN_REQUIRED:
          return ARCPASS_EXIT_SIGN_IN_REQUIRED;

        case ARCPASS_ERROR_INVALID_CLIENT:
        case ARCPASS_ERROR_STATE_MISMATCH:
        case ARCPASS_ERROR_ACCESS_DENIED:
        case ARCPASS_ERROR_INVALID_GRANT:
        case ARCPASS_ERROR_INVALID_CREDENTIALS:
        case ARCPASS_ERROR_ACCOUNT_LOCKED:
        case ARCPASS_ERROR_EXTERNAL_ACCOUNT:
          return ARCPASS_EXIT_REJECTED;

        case ARCPASS_ERROR_PORT_IN_USE:
          return ARCPASS_EXIT_FAILURE;

        case ARCPASS_ERROR_NOT_FOUND:
          return ARCPASS_EXIT_NOT_FOUND;

        case ARCPASS_ERROR_NO_SECRET_SERVICE:
        case ARCPASS_ERROR_KEYRING_LOCKED:
          return ARCPASS_EXIT_KEYRING;

        case ARCPASS_ERROR_CANCELLED:
          return ARCPASS_EXIT_CANCELLED;

        case ARCPASS_ERROR_FAILED:
        default:
          return ARCPASS_EXIT_FAILURE;
        }
    }

  /* The core maps what it sees, but errors of lower layers that slip
   * through still get the code a script expects. */
  domain = g_quark_to_string (error->domain);
  if (error->domain == G_RESOLVER_ERROR || error->domain == G_TLS_ERROR ||
      g_str_has_prefix (domain, "soup"))
    return ARCPASS_EXIT_NETWORK;
  if (error->domain == G_DBUS_ERROR || g_str_has_prefix (domain, "secret"))
    return ARCPASS_EXIT_KEYRING;

  return ARCPASS_EXIT_FAILURE;
}

int
arcpass_cli_fail_error (ArcpassCli   *cli,
                        const GError *error)
{
  int code = arcpass_cli_exit_code_for_error (error);

  if (code == ARCPASS_EXIT_CANCELLED)
    return arcpass_cli_fail (cli, code, "%s", _("Cancelled."));

  return arcpass_cli_fail (cli, code, "%s", error ? error->message : _("Failed."));
}

/* ---- Options ------------------------------------------------------------- */

GOptionContext *
arcpass_cli_option_context_new (ArcpassCli         *cli,
                                const char         *parameters,
                                const char         *summary,
                                const char         *description,
                                const GOptionEntry *entries)
{
  const GOptionEntry shared[] = {
    { "sandbox", 0, 0, G_OPTION_ARG_NONE, &cli->sandbox,
      N_("Use the local sandbox portal, started inside this command"), NULL },
    { "sandbox-port", 0, 0, G_OPTION_ARG_INT, &cli->sandbox_port,
      N_("Port of the sandbox portal (default 47615, or any free port)"), N_("PORT") },
    { "portal", 0, 0, G_OPTION_ARG_STRING, &cli->portal,
      (cli->flags & ARCPASS_CLI_ACCOUNT) ? N_("Only use accounts of this portal")
                                         : N_("Portal URL (default https://www.arcgis.com)"),
      N_("URL") },
    { NULL }
  };
  const GOptionEntry account[] = {
    { "account", 'a', 0, G_OPTION_ARG_STRING, &cli->account,
      N_("Account to use: its name, username or id (default $ARCPASS_ACCOUNT, or the only one)"),
      N_("ACCOUNT") },
    { NULL }
  };
  GOptionContext *context = g_option_context_new (parameters);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (summary)
    g_option_context_set_summary (context, summary);
  if (description)
    g_option_context_set_description (context, description);
  if (entries)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (cli->flags & ARCPASS_CLI_ACCOUNT)
    g_option_context_add_main_entries (context, account, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, shared, GETTEXT_PACKAGE);

  /* Unknown options are caught after parsing, so that negative numbers
   * (`reverse -117.19 34.05`) stay positional arguments. */
  g_option_context_set_ignore_unknown_options (context, TRUE);
  return context;
}

static gboolean
is_number (const char *arg)
{
  char *end = NULL;

  g_ascii_strtod (arg, &end);
  return end != arg && *end == '\0';
}

int
arcpass_cli_parse (ArcpassCli      *cli,
                   GOptionContext  *context,
                   int             *argc,
                   char          ***argv,
                   int              min_args,
                   int              max_args)
{
  g_autoptr(GError) error = NULL;
  gboolean options_end = FALSE;
  int n_args;
  int j = 1;

  if (!g_option_context_parse (context, argc, argv, &error))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, _("%s. Try “arcpass %s --help”."),
                             error->message, cli->verb);

  for (int i = 1; i < *argc; i++)
    {
      char *arg = (*argv)[i];

      if (!options_end && g_str_equal (arg, "--"))
        {
          options_end = TRUE;
          continue;
        }
      if (!options_end && arg[0] == '-' && arg[1] != '\0' && !is_number (arg))
        return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE,
                                 _("Unknown option %s. Try “arcpass %s --help”."),
                                 arg, cli->verb);
      (*argv)[j++] = arg;
    }
  (*argv)[j] = NULL;
  *argc = j;

  n_args = *argc - 1;
  if (n_args < min_args)
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE,
                             _("Missing arguments. Try “arcpass %s --help”."), cli->verb);
  if (max_args >= 0 && n_args > max_args)
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE,
                             _("Unexpected argument “%s”. Try “arcpass %s --help”."),
                             (*argv)[1 + max_args], cli->verb);

  if (cli->sandbox_port != -1 && (cli->sandbox_port < 0 || cli->sandbox_port > 65535))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, _("--sandbox-port must be 0 to 65535."));
  if (cli->sandbox && cli->portal)
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE,
                             _("--sandbox and --portal cannot be used together."));

  return -1;
}

/* ---- Setup and the loop -------------------------------------------------- */

int
arcpass_cli_setup (ArcpassCli *cli)
{
  g_autoptr(GError) error = NULL;

  if (cli->sandbox)
    {
      int ret;

      if ((ret = arcpass_cli_start_sandbox (cli)) >= 0)
        return ret;
    }
  else if (cli->portal)
    {
      if (!arcpass_portal_normalize (cli->portal, &cli->portal_url, NULL, &error))
        return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, "%s", error->message);
    }

  cli->client = g_object_ref (arcpass_client_get_default ());

  if (cli->flags & ARCPASS_CLI_NEEDS_STORE)
    cli->store = arcpass_account_store_new ();

  return -1;
}

void
arcpass_cli_async_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  ArcpassCli *cli = user_data;

  g_set_object (&cli->result, result);
}

static gboolean
sigint_cb (gpointer user_data)
{
  ArcpassCli *cli = user_data;

  g_cancellable_cancel (cli->cancellable);
  return G_SOURCE_CONTINUE;
}

void
arcpass_cli_catch_interrupt (ArcpassCli *cli)
{
  /* Ctrl+C cancels what is running, so that the loopback server and the
   * sandbox are shut down cleanly and the exit code says "cancelled".
   * Installed only when waiting: reading a secret from a terminal must
   * stay interruptible the ordinary way. */
  if (cli->sigint_id == 0)
    cli->sigint_id = g_unix_signal_add (SIGINT, sigint_cb, cli);
}

GAsyncResult *
arcpass_cli_wait (ArcpassCli *cli)
{
  arcpass_cli_catch_interrupt (cli);

  while (!cli->result)
    g_main_context_iteration (NULL, TRUE);

  return g_steal_pointer (&cli->result);
}

/* ---- Accounts ------------------------------------------------------------ */

gboolean
arcpass_cli_portal_is_sandbox (const char *portal_url)
{
  g_autoptr(GUri) uri = NULL;

  if (!portal_url)
    return FALSE;
  uri = g_uri_parse (portal_url, G_URI_FLAGS_NONE, NULL);
  /* Plain http is only ever accepted on loopback, and only the sandbox is
   * served that way: such accounts belong to a sandbox. */
  return uri && g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 &&
         arcpass_host_is_loopback (g_uri_get_host (uri)) &&
         /* The sandbox's Enterprise portals live under a web adaptor path
          * (/portal): they are portals of their own, not the Online one. */
         (g_uri_get_path (uri)[0] == '\0' || g_str_equal (g_uri_get_path (uri), "/"));
}

static char *
portal_key (const char *portal_url)
{
  g_autofree char *normalized = NULL;

  if (arcpass_cli_portal_is_sandbox (portal_url))
    return g_strdup ("sandbox");
  if (portal_url && arcpass_portal_normalize (portal_url, &normalized, NULL, NULL))
    return g_steal_pointer (&normalized);
  return g_strdup (portal_url ? portal_url : "");
}

static int
load_all_accounts (ArcpassCli  *cli,
                   GPtrArray  **out_accounts)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *accounts;

  g_assert (cli->store);

  arcpass_account_store_list_async (cli->store, cli->cancellable, arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  accounts = arcpass_account_store_list_finish (cli->store, result, &error);
  if (!accounts)
    return arcpass_cli_fail_error (cli, error);

  *out_accounts = accounts;
  return -1;
}

int
arcpass_cli_list_accounts (ArcpassCli  *cli,
                           GPtrArray  **out_accounts)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) kept = NULL;
  g_autofree char *wanted = NULL;
  int ret;

  if ((ret = load_all_accounts (cli, &all)) >= 0)
    return ret;

  kept = g_ptr_array_new_with_free_func (g_object_unref);
  if (cli->portal_url)
    wanted = portal_key (cli->portal_url);

  for (guint i = 0; i < all->len; i++)
    {
      ArcpassCredential *credential = g_ptr_array_index (all, i);
      g_autofree char *key = portal_key (arcpass_credential_get_portal_url (credential));

      if (wanted && !g_str_equal (key, wanted))
        continue;

      /* A sandbox listens wherever it can (the one --sandbox starts or one
       * given with --portal http://127.0.0.1:PORT): accounts saved against
       * any sandbox follow the one in use. The new URL is only written to
       * the keyring if the account is saved again. */
      if (g_strcmp0 (wanted, "sandbox") == 0)
        arcpass_credential_set_portal_url (credential, cli->portal_url);

      g_ptr_array_add (kept, g_object_ref (credential));
    }

  *out_accounts = g_steal_pointer (&kept);
  return -1;
}

char *
arcpass_cli_account_name (ArcpassCredential *credential)
{
  const char *id = arcpass_credential_get_id (credential);

  /* Ids are random UUIDs unless the user named the account (`--name`). */
  if (id && *id && !g_uuid_string_is_valid (id))
    return g_strdup (id);
  return arcpass_credential_dup_display_name (credential);
}

static gboolean
account_matches (ArcpassCredential *credential,
                 const char        *wanted)
{
  g_autofree char *name = arcpass_cli_account_name (credential);
  g_autofree char *display = arcpass_credential_dup_display_name (credential);

  return g_strcmp0 (arcpass_credential_get_id (credential), wanted) == 0 ||
         g_strcmp0 (arcpass_credential_get_username (credential), wanted) == 0 ||
         g_strcmp0 (name, wanted) == 0 ||
         g_strcmp0 (display, wanted) == 0;
}

static ArcpassCredential *
new_demo_credential (ArcpassCli *cli)
{
  ArcpassCredential *credential = arcpass_credential_new (ARCPASS_CREDENTIAL_API_KEY,
                                                          cli->portal_url);

  arcpass_credential_set_id (credential, "sandbox-demo-key");
  arcpass_credential_set_access_token (credential, ARCPASS_SANDBOX_KEY_FULL);
  g_object_set_data (G_OBJECT (credential), "arcpass-cli-demo", GINT_TO_POINTER (TRUE));
  return credential;
}

/* The account whose id is exactly cli->account, read alone, or NULL. Scripts
 * name accounts by id (`--account ID`, $ARCPASS_ACCOUNT), and one keyring
 * lookup is cheaper than reading every account to compare names. Anything
 * else (a name or username, another portal, an unreadable item, a keyring
 * error) is left to the list, which reports it as it always did. */
static ArcpassCredential *
load_by_id (ArcpassCli *cli)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autofree char *wanted = NULL;
  g_autofree char *key = NULL;

  g_assert (cli->store);

  arcpass_account_store_load_async (cli->store, cli->account, cli->cancellable,
                                    arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  credential = arcpass_account_store_load_finish (cli->store, result, NULL);
  if (!credential)
    return NULL;

  if (cli->portal_url)
    {
      wanted = portal_key (cli->portal_url);
      key = portal_key (arcpass_credential_get_portal_url (credential));
      if (!g_str_equal (key, wanted))
        return NULL;
      /* Rebound to the sandbox in use, as arcpass_cli_list_accounts() does. */
      if (g_str_equal (wanted, "sandbox"))
        arcpass_credential_set_portal_url (credential, cli->portal_url);
    }

  return g_steal_pointer (&credential);
}

int
arcpass_cli_select_account (ArcpassCli         *cli,
                            gboolean            allow_demo,
                            ArcpassCredential **out_credential)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  int ret;

  if (!cli->account && g_getenv ("ARCPASS_ACCOUNT") && *g_getenv ("ARCPASS_ACCOUNT"))
    cli->account = g_strdup (g_getenv ("ARCPASS_ACCOUNT"));

  if (cli->account && (*out_credential = load_by_id (cli)))
    return -1;

  if ((ret = arcpass_cli_list_accounts (cli, &accounts)) >= 0)
    return ret;

  if (!cli->account)
    {
      if (accounts->len == 1)
        {
          *out_credential = g_object_ref (g_ptr_array_index (accounts, 0));
          return -1;
        }
      if (accounts->len == 0 && allow_demo && cli->sandbox)
        {
          arcpass_cli_note (cli, "%s", _("No sandbox account is saved: using the sandbox’s demo API key."));
          *out_credential = new_demo_credential (cli);
          return -1;
        }
      if (accounts->len == 0)
        return arcpass_cli_fail (cli, ARCPASS_EXIT_SIGN_IN_REQUIRED, "%s",
                                 cli->portal_url
                                 ? _("No account of this portal is saved. Sign in with “arcpass signin”, “arcpass apikey add” or “arcpass appcred add”.")
                                 : _("No account is saved. Sign in with “arcpass signin”, “arcpass apikey add” or “arcpass appcred add”."));

      arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, "%s",
                        _("Several accounts are saved; choose one with --account (or $ARCPASS_ACCOUNT):"));
      for (guint i = 0; i < accounts->len; i++)
        {
          g_autofree char *name = arcpass_cli_account_name (g_ptr_array_index (accounts, i));

          fprintf (stderr, "  %s\n", name);
        }
      return ARCPASS_EXIT_USAGE;
    }

  matches = g_ptr_array_new ();
  for (guint i = 0; i < accounts->len; i++)
    if (account_matches (g_ptr_array_index (accounts, i), cli->account))
      g_ptr_array_add (matches, g_ptr_array_index (accounts, i));

  if (matches->len == 0)
    return arcpass_cli_fail (cli, ARCPASS_EXIT_NOT_FOUND,
                             _("No saved account “%s”. “arcpass accounts” lists them."),
                             cli->account);
  if (matches->len > 1)
    {
      arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE,
                        _("“%s” matches several accounts; use one of these ids:"), cli->account);
      for (guint i = 0; i < matches->len; i++)
        fprintf (stderr, "  %s\n", arcpass_credential_get_id (g_ptr_array_index (matches, i)));
      return ARCPASS_EXIT_USAGE;
    }

  *out_credential = g_object_ref (g_ptr_array_index (matches, 0));
  return -1;
}

char *
arcpass_cli_find_existing_id (ArcpassCli        *cli,
                              ArcpassCredential *credential)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autofree char *key = portal_key (arcpass_credential_get_portal_url (credential));
  ArcpassCredentialKind kind = arcpass_credential_get_kind (credential);

  if (load_all_accounts (cli, &all) >= 0)
    return NULL;

  for (guint i = 0; i < all->len; i++)
    {
      ArcpassCredential *other = g_ptr_array_index (all, i);
      g_autofree char *other_key = portal_key (arcpass_credential_get_portal_url (other));
      gboolean same = FALSE;

      if (arcpass_credential_get_kind (other) != kind || !g_str_equal (key, other_key))
        continue;

      switch (kind)
        {
        case ARCPASS_CREDENTIAL_OAUTH_USER:
          same = g_strcmp0 (arcpass_credential_get_username (other),
                            arcpass_credential_get_username (credential)) == 0 &&
                 g_strcmp0 (arcpass_credential_get_client_id (other),
                            arcpass_credential_get_client_id (credential)) == 0;
          break;
        case ARCPASS_CREDENTIAL_GENERATE_TOKEN:
          same = g_strcmp0 (arcpass_credential_get_username (other),
                            arcpass_credential_get_username (credential)) == 0;
          break;
        case ARCPASS_CREDENTIAL_API_KEY:
          same = arcpass_secret_equal (arcpass_credential_get_access_token (other),
                                       arcpass_credential_get_access_token (credential));
          break;
        case ARCPASS_CREDENTIAL_APP_CREDENTIALS:
          same = g_strcmp0 (arcpass_credential_get_client_id (other),
                            arcpass_credential_get_client_id (credential)) == 0;
          break;
        default:
          break;
        }

      if (same)
        return g_strdup (arcpass_credential_get_id (other));
    }

  return NULL;
}

int
arcpass_cli_save (ArcpassCli        *cli,
                  ArcpassCredential *credential)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  arcpass_account_store_save_async (cli->store, credential, cli->cancellable,
                                    arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  if (!arcpass_account_store_save_finish (cli->store, result, &error))
    return arcpass_cli_fail_error (cli, error);

  return -1;
}

static void
credential_changed_cb (ArcpassCli *cli)
{
  cli->credential_changed = TRUE;
}

void
arcpass_cli_save_if_changed (ArcpassCli          *cli,
                             ArcpassTokenManager *manager)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (!manager || !cli->credential_changed || !cli->store)
    return;
  cli->credential_changed = FALSE;

  arcpass_account_store_save_async (cli->store, arcpass_token_manager_get_credential (manager),
                                    NULL, arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  if (!arcpass_account_store_save_finish (cli->store, result, &error))
    arcpass_cli_note (cli, _("Warning: the renewed account could not be saved: %s"),
                      error->message);
}

int
arcpass_cli_new_manager (ArcpassCli           *cli,
                         ArcpassCredential    *credential,
                         gboolean              with_endpoints,
                         ArcpassTokenManager **out_manager)
{
  gboolean demo = g_object_get_data (G_OBJECT (credential), "arcpass-cli-demo") != NULL;
  const char *portal_url = arcpass_credential_get_portal_url (credential);
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(ArcpassEndpoints) endpoints = NULL;

  /* No store for the manager: it would save in the background, and this
   * process may exit first. arcpass_cli_save_if_changed() saves instead. */
  manager = arcpass_token_manager_new (cli->client, credential, NULL);
  if (!demo)
    {
      g_signal_connect_swapped (manager, "token-refreshed",
                                G_CALLBACK (credential_changed_cb), cli);
      g_signal_connect_swapped (manager, "sign-in-required",
                                G_CALLBACK (credential_changed_cb), cli);
    }

  if (with_endpoints)
    {
      if (arcpass_cli_portal_is_sandbox (portal_url))
        {
          endpoints = arcpass_endpoints_new_for_sandbox (portal_url);
        }
      else if (!portal_url || arcpass_portal_url_is_online (portal_url))
        {
          endpoints = arcpass_endpoints_new_default ();
        }
      else
        {
          /* An Enterprise portal may name its own geocoder. */
          g_autoptr(GAsyncResult) result = NULL;
          g_autoptr(GError) error = NULL;
          g_autoptr(ArcpassPortalInfo) info = NULL;

          arcpass_portal_discover_async (cli->client, portal_url, cli->cancellable,
                                         arcpass_cli_async_cb, cli);
          result = arcpass_cli_wait (cli);
          info = arcpass_portal_discover_finish (result, &error);
          if (!info)
            return arcpass_cli_fail_error (cli, error);
          endpoints = arcpass_endpoints_new_for_portal (info);
        }
      arcpass_token_manager_set_endpoints (manager, endpoints);
    }

  *out_manager = g_steal_pointer (&manager);
  return -1;
}

/* ---- Presentation -------------------------------------------------------- */

const char *
arcpass_cli_kind_label (ArcpassCredentialKind kind)
{
  switch (kind)
    {
    case ARCPASS_CREDENTIAL_OAUTH_USER:
      return _("OAuth user");
    case ARCPASS_CREDENTIAL_API_KEY:
      return _("API key");
    case ARCPASS_CREDENTIAL_APP_CREDENTIALS:
      return _("App credentials");
    case ARCPASS_CREDENTIAL_GENERATE_TOKEN:
      return _("Password token");
    default:
      return _("Unknown");
    }
}

const char *
arcpass_cli_kind_id (ArcpassCredentialKind kind)
{
  switch (kind)
    {
    case ARCPASS_CREDENTIAL_OAUTH_USER:
      return "oauth-user";
    case ARCPASS_CREDENTIAL_API_KEY:
      return "api-key";
    case ARCPASS_CREDENTIAL_APP_CREDENTIALS:
      return "app-credentials";
    case ARCPASS_CREDENTIAL_GENERATE_TOKEN:
      return "generate-token";
    default:
      return "unknown";
    }
}

const char *
arcpass_cli_state_id (ArcpassCredentialState state)
{
  switch (state)
    {
    case ARCPASS_CREDENTIAL_STATE_VALID:
      return "valid";
    case ARCPASS_CREDENTIAL_STATE_EXPIRES_SOON:
      return "expires-soon";
    case ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED:
      return "sign-in-required";
    case ARCPASS_CREDENTIAL_STATE_OFFLINE:
      return "offline";
    default:
      return "unknown";
    }
}

static char *
format_duration (gint64 seconds)
{
  if (seconds < 60)
    return g_strdup_printf (_("%d s"), (int) seconds);
  if (seconds < 3600)
    return g_strdup_printf (_("%d min"), (int) (seconds / 60));
  if (seconds < 48 * 3600)
    return g_strdup_printf (_("%d h %02d min"), (int) (seconds / 3600),
                            (int) (seconds % 3600 / 60));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", seconds / 86400),
                          (int) (seconds / 86400));
}

char *
arcpass_cli_format_expiry (gint64 expires,
                           gint64 now)
{
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *absolute = NULL;
  g_autofree char *relative = NULL;

  if (expires <= 0)
    return g_strdup (_("no expiry"));

  when = g_date_time_new_from_unix_local (expires);
  absolute = when ? g_date_time_format (when, "%Y-%m-%d %H:%M %Z") : g_strdup ("?");

  if (expires > now)
    {
      relative = format_duration (expires - now);
      /* TRANSLATORS: "in 29 min (2024-05-01 14:03 CEST)" */
      return g_strdup_printf (_("in %s (%s)"), relative, absolute);
    }

  relative = format_duration (now - expires);
  /* TRANSLATORS: "expired 3 min ago (2024-05-01 14:03 CEST)" */
  return g_strdup_printf (_("expired %s ago (%s)"), relative, absolute);
}

char *
arcpass_cli_format_iso8601 (gint64 unix_seconds)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (unix_seconds);

  return when ? g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

int
arcpass_cli_text_width (const char *text)
{
  return text ? (int) g_utf8_strlen (text, -1) : 0;
}

void
arcpass_cli_print_padded (FILE       *out,
                          const char *text,
                          int         width)
{
  int pad = width - arcpass_cli_text_width (text);

  fputs (text ? text : "", out);
  for (; pad > 0; pad--)
    fputc (' ', out);
}

void
arcpass_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  text = arcpass_json_generator_to_data (generator);
  printf ("%s\n", text);
}

/* ---- Secrets from stdin -------------------------------------------------- */

char *
arcpass_cli_read_secret (const char  *prompt,
                         GError     **error)
{
  char buffer[SECRET_MAX_LENGTH + 2];
  gboolean tty = isatty (STDIN_FILENO);
  struct termios saved;
  gboolean echo_off = FALSE;
  gsize length = 0;
  gsize start = 0;
  gboolean too_long = FALSE;
  char *secret;

  if (tty)
    {
      struct termios quiet;

      fprintf (stderr, "%s", prompt);
      fflush (stderr);
      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          quiet = saved;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          echo_off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }

  /* Byte by byte up to the first newline: nothing after it is consumed,
   * and no stdio buffer keeps a copy of the secret. */
  for (;;)
    {
      char c;
      ssize_t n = read (STDIN_FILENO, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || c == '\n')
        break;
      if (length >= SECRET_MAX_LENGTH)
        {
          too_long = TRUE;
          continue;
        }
      buffer[length++] = c;
    }
  buffer[length] = '\0';

  if (echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      fputc ('\n', stderr);
    }

  while (length > 0 && g_ascii_isspace (buffer[length - 1]))
    buffer[--length] = '\0';
  while (start < length && g_ascii_isspace (buffer[start]))
    start++;

  if (too_long || start == length)
    {
      explicit_bzero (buffer, sizeof buffer);
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                   too_long ? _("The secret on standard input is too long.")
                            : _("Nothing was read on standard input."));
      return NULL;
    }

  secret = arcpass_secret_dup (buffer + start);
  explicit_bzero (buffer, sizeof buffer);
  return secret;
}
