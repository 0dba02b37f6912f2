/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-cli-private.h"

/* While adding an account, a refused token means the key or secret that
 * was just given is wrong, not that a saved account needs a new sign-in. */
static int
fail_adding (ArcpassCli   *cli,
             const GError *error)
{
  if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_TOKEN) ||
      g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_EXPIRED) ||
      g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_REQUIRED) ||
      g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_SIGN_IN_REQUIRED))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_REJECTED, "%s", error->message);

  return arcpass_cli_fail_error (cli, error);
}

static gboolean
name_is_valid (const char *name)
{
  if (!name || !*name || !g_utf8_validate (name, -1, NULL) || g_uuid_string_is_valid (name))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (g_ascii_iscntrl (*p))
      return FALSE;
  return TRUE;
}

/* Saves @credential under @name, or under the id of the account it
 * replaces (signing in again, or adding the same key again, must not
 * leave a stale twin behind). */
static int
save_account (ArcpassCli        *cli,
              ArcpassCredential *credential,
              const char        *name)
{
  g_autofree char *existing = arcpass_cli_find_existing_id (cli, credential);
  int ret;

  if (name)
    arcpass_credential_set_id (credential, name);
  else if (existing)
    arcpass_credential_set_id (credential, existing);

  if ((ret = arcpass_cli_save (cli, credential)) >= 0)
    return ret;

  if (name && existing && !g_str_equal (existing, name))
    {
      g_autoptr(GAsyncResult) result = NULL;

      /* The same key saved under another name: keep only the new one. A
       * failure leaves a duplicate, which is harmless, so it is ignored. */
      arcpass_account_store_delete_async (cli->store, existing, cli->cancellable,
                                          arcpass_cli_async_cb, cli);
      result = arcpass_cli_wait (cli);
      arcpass_account_store_delete_finish (cli->store, result, NULL);
    }

  return -1;
}

/* Table labels; arcpass_service_get_name() is worded for sentences. */
static const char *
service_label (ArcpassService service)
{
  switch (service)
    {
    case ARCPASS_SERVICE_BASEMAP_STYLES:
      /* Translators: the names of ArcGIS location services, as Esri calls them. */
      return C_("service name", "Basemap Styles");
    case ARCPASS_SERVICE_STATIC_TILES:
      return C_("service name", "Static Basemap Tiles");
    case ARCPASS_SERVICE_GEOCODE:
      return _("Geocoding");
    case ARCPASS_SERVICE_NONE:
    case ARCPASS_SERVICE_PORTAL:
    case ARCPASS_SERVICE_OAUTH:
    default:
      return arcpass_service_get_name (service);
    }
}

static const char *
probe_status_text (ArcpassProbeResult *probe,
                   char              **out_free)
{
  switch (probe->status)
    {
    case ARCPASS_PROBE_WORKS:
      if (probe->billable)
        return _("works (checked with one geocoding search, which is billed)");
      if (probe->from_privileges)
        return _("allowed by the key's privileges (not tried: a search would be billed)");
      return _("works");
    case ARCPASS_PROBE_MISSING_PRIVILEGE:
      if (probe->privilege)
        return *out_free = g_strdup_printf (_("missing privilege %s"), probe->privilege);
      return _("missing privilege");
    case ARCPASS_PROBE_INVALID_KEY:
      return _("invalid or expired key");
    case ARCPASS_PROBE_NOT_OFFERED:
      return _("not offered to this kind of account (ArcGIS Location Platform only)");
    case ARCPASS_PROBE_FAILED:
    default:
      return *out_free = g_strdup_printf (_("failed: %s"),
                                          probe->message ? probe->message : _("no answer"));
    }
}

/* Asks the three location services what @token may do and prints one line
 * per service, as the window's API key page does. */
static int
probe_and_print (ArcpassCli        *cli,
                 ArcpassCredential *credential,
                 const char        *token)
{
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) probes = NULL;
  int width = 0;
  int ret;

  if ((ret = arcpass_cli_new_manager (cli, credential, TRUE, &manager)) >= 0)
    return ret;

  arcpass_probe_key_async (cli->client, arcpass_credential_get_portal_url (credential),
                           arcpass_token_manager_get_endpoints (manager), token,
                           cli->cancellable, arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  probes = arcpass_probe_token_finish (result, &error);
  if (!probes)
    return arcpass_cli_fail_error (cli, error);

  for (guint i = 0; i < probes->len; i++)
    {
      ArcpassProbeResult *probe = g_ptr_array_index (probes, i);

      width = MAX (width, arcpass_cli_text_width (service_label (probe->service)));
    }
  for (guint i = 0; i < probes->len; i++)
    {
      ArcpassProbeResult *probe = g_ptr_array_index (probes, i);
      g_autofree char *to_free = NULL;
      const char *text = probe_status_text (probe, &to_free);

      arcpass_cli_print_padded (stdout, service_label (probe->service), width + 2);
      printf ("%s\n", text);
    }

  return -1;
}

/* ---- signin -------------------------------------------------------------- */

/* The sandbox child of `--sandbox` stands for the user's OAuth credential:
 * a redirect URI other than the default one is registered there, as the
 * user would register it on the portal. */
static int
register_sandbox_redirect (ArcpassCli *cli,
                           const char *redirect_uri)
{
  g_autofree char *url = g_strconcat (cli->portal_url, "/_sandbox/config", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  const char *params[] = { "register_redirect_uri", redirect_uri, NULL };

  arcpass_client_request_json_async (cli->client, ARCPASS_SERVICE_NONE, url, params, NULL,
                                     ARCPASS_REQUEST_POST, cli->cancellable,
                                     arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  json = arcpass_client_request_json_finish (cli->client, result, NULL, &error);
  if (!json)
    return arcpass_cli_fail_error (cli, error);
  return -1;
}

int
arcpass_cli_signin (int    argc,
                    char **argv)
{
  g_autoptr(ArcpassCli) cli = arcpass_cli_new ("signin", ARCPASS_CLI_NEEDS_STORE);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ArcpassLoopbackReceiver) receiver = NULL;
  g_autoptr(ArcpassAuthorization) authorization = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassSecret) redirect = NULL;
  g_autoptr(ArcpassSecret) code = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *redirect_uri = NULL;
  g_autofree char *url = NULL;
  g_autofree char *name = NULL;
  const char *portal_url;
  const char *full_name;
  int redirect_port = 0;
  int timeout = ARCPASS_LOOPBACK_DEFAULT_TIMEOUT;
  gboolean no_launch = FALSE;
  const GOptionEntry entries[] = {
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &client_id,
      N_("Client ID of your OAuth credential (with --sandbox: the sandbox app)"), N_("ID") },
    { "redirect-uri", 0, 0, G_OPTION_ARG_STRING, &redirect_uri,
      /* Translators: keep the URI as it is. */
      N_("Loopback redirect URI registered in your OAuth credential (default "
         "http://127.0.0.1:48765/callback)"),
      N_("URI") },
    { "redirect-port", 0, 0, G_OPTION_ARG_INT, &redirect_port,
      N_("Same as --redirect-uri http://127.0.0.1:PORT/callback"),
      N_("PORT") },
    { "no-launch", 0, 0, G_OPTION_ARG_NONE, &no_launch,
      N_("Do not open a browser; print the sign-in link on stderr and wait"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
      N_("Seconds to wait for the browser (default 300, 0: no limit)"), N_("SECONDS") },
    { NULL }
  };
  int ret;

  context = arcpass_cli_option_context_new (cli, NULL,
                                            _("Sign in with an ArcGIS account in the web browser."),
                                            _("Uses the authorization code flow with PKCE and a loopback redirect (RFC 8252).\n"
                                              "ArcGIS compares redirect URIs exactly, port included: register\n"
                                              "http://127.0.0.1:48765/callback as a redirect URI of your OAuth\n"
                                              "credential, or register another one with a port and pass it with\n"
                                              "--redirect-uri. The portal always asks for the password (an account is\n"
                                              "being added). The account is then saved to the keyring; signing in again\n"
                                              "as the same user replaces it."),
                                            entries);
  if ((ret = arcpass_cli_parse (cli, context, &argc, &argv, 0, 0)) >= 0)
    return ret;
  if (redirect_port != 0 && redirect_uri)
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, "%s",
                             _("Give either --redirect-uri or --redirect-port, not both."));
  if (redirect_port < 0 || redirect_port > 65535)
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, "%s",
                             _("--redirect-port must be 1 to 65535."));
  if (redirect_port > 0)
    redirect_uri = g_strdup_printf ("http://127.0.0.1:%d" ARCPASS_LOOPBACK_DEFAULT_PATH,
                                    redirect_port);
  else if (!redirect_uri)
    redirect_uri = g_strdup (ARCPASS_LOOPBACK_DEFAULT_REDIRECT_URI);
  if (!arcpass_loopback_redirect_uri_parse (redirect_uri, NULL, NULL, &error))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, "%s", error->message);
  if (timeout < 0)
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, "%s", _("--timeout cannot be negative."));
  if (!client_id && cli->sandbox)
    client_id = g_strdup (ARCPASS_SANDBOX_CLIENT_ID);
  if (!client_id || !*client_id)
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, "%s",
                             _("--client-id is required: the client ID of your OAuth credential."));
  if ((ret = arcpass_cli_setup (cli)) >= 0)
    return ret;

  portal_url = cli->portal_url ? cli->portal_url : ARCPASS_ONLINE_PORTAL_URL;
  if ((ret = arcpass_cli_check_portal_sign_in (cli, portal_url)) >= 0)
    return ret;

  /* Listening first: a busy port is said before anything is opened. */
  receiver = arcpass_loopback_receiver_new_for_uri (redirect_uri, &error);
  if (!receiver)
    return arcpass_cli_fail_error (cli, error);

  if (cli->sandbox && !g_str_equal (redirect_uri, ARCPASS_LOOPBACK_DEFAULT_REDIRECT_URI) &&
      (ret = register_sandbox_redirect (cli, redirect_uri)) >= 0)
    return ret;

  authorization = arcpass_authorization_new (portal_url, client_id,
                                             arcpass_loopback_receiver_get_redirect_uri (receiver),
                                             &error);
  if (!authorization)
    return arcpass_cli_fail_error (cli, error);
  /* An account is being added: a portal session of the browser (maybe
   * another user's) must not complete the sign-in silently. */
  arcpass_authorization_set_force_login (authorization, TRUE);

  /* The link carries the PKCE challenge and `state`, which the browser
   * sees anyway; the verifier never leaves this process. */
  url = arcpass_authorization_build_url (authorization);

  fprintf (stderr, _("Redirect URI (register exactly this one in your OAuth credential): %s\n"),
           arcpass_loopback_receiver_get_redirect_uri (receiver));
  if (no_launch)
    fprintf (stderr, "%s\n\n  %s\n\n", _("Open this link in a web browser to sign in:"), url);
  else
    {
      g_autoptr(GError) launch_error = NULL;

      fprintf (stderr, "%s\n\n  %s\n\n", _("Opening the sign-in page in your web browser:"), url);
      /* GIO goes through the OpenURI portal inside Flatpak. */
      if (!g_app_info_launch_default_for_uri (url, NULL, &launch_error))
        fprintf (stderr, _("Could not open a browser (%s): open the link yourself.\n"),
                 launch_error->message);
    }
  /* Before "Ctrl+C" is shown, so that it is true at once. */
  arcpass_cli_catch_interrupt (cli);
  fprintf (stderr, "%s\n", _("If the portal says “Invalid redirect_uri”, the URI above is not "
                             "registered in your OAuth credential."));
  fprintf (stderr, "%s\n", _("Waiting for the browser… (Ctrl+C to cancel)"));
  fflush (stderr);

  arcpass_loopback_receiver_wait_async (receiver, (guint) timeout, cli->cancellable,
                                        arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  redirect = arcpass_loopback_receiver_wait_finish (receiver, result, &error);
  g_clear_object (&result);
  if (!redirect)
    {
      if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TIMEOUT))
        return arcpass_cli_fail (cli, ARCPASS_EXIT_NETWORK,
                                 g_dngettext (GETTEXT_PACKAGE, "No answer from the browser in %d second.",
                                              "No answer from the browser in %d seconds.", timeout), timeout);
      return arcpass_cli_fail_error (cli, error);
    }

  switch (arcpass_authorization_parse_redirect (authorization, redirect, &code, &error))
    {
    case ARCPASS_REDIRECT_CODE:
      break;
    case ARCPASS_REDIRECT_ERROR:
      return arcpass_cli_fail_error (cli, error);
    case ARCPASS_REDIRECT_NOT_OURS:
    default:
      return arcpass_cli_fail (cli, ARCPASS_EXIT_FAILURE, "%s",
                               _("The browser came back with an unexpected address."));
    }

  fprintf (stderr, "%s\n", _("Signing in…"));
  arcpass_sign_in_with_code_async (cli->client, authorization, code, cli->cancellable,
                                   arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  credential = arcpass_sign_in_finish (result, &error);
  if (!credential)
    return arcpass_cli_fail_error (cli, error);

  if ((ret = save_account (cli, credential, NULL)) >= 0)
    return ret;

  name = arcpass_cli_account_name (credential);
  full_name = arcpass_credential_get_full_name (credential);
  if (full_name && *full_name)
    printf (_("Signed in as %s (%s). Saved as “%s”.\n"), full_name,
            arcpass_credential_get_username (credential), name);
  else
    printf (_("Signed in. Saved as “%s”.\n"), name);

  return ARCPASS_EXIT_OK;
}

/* ---- apikey add / appcred add -------------------------------------------- */

static int
check_add_subverb (ArcpassCli *cli,
                   int         argc,
                   char      **argv)
{
  if (argc < 2 || !g_str_equal (argv[1], "add"))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE,
                             _("Usage: arcpass %s add [OPTION…]. Try “arcpass %s --help”."),
                             cli->verb, cli->verb);
  return -1;
}

int
arcpass_cli_apikey (int    argc,
                    char **argv)
{
  g_autoptr(ArcpassCli) cli = arcpass_cli_new ("apikey", ARCPASS_CLI_NEEDS_STORE);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassSecret) key = NULL;
  g_autofree char *name = NULL;
  g_autofree char *saved_name = NULL;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name,
      N_("Name of the account (replaces an account of that name)"), N_("NAME") },
    { NULL }
  };
  int ret;

  context = arcpass_cli_option_context_new (cli, "add",
                                            _("Add an API key: read it from standard input, check what it may do, save it."),
                                            _("The key is read from standard input (never from the command line, where\n"
                                              "other users could see it):\n"
                                              "\n"
                                              "  arcpass apikey add --name prod < key.txt\n"
                                              "  secret-tool lookup … | arcpass apikey add"),
                                            entries);
  if ((ret = arcpass_cli_parse (cli, context, &argc, &argv, 1, 1)) >= 0)
    return ret;
  if ((ret = check_add_subverb (cli, argc, argv)) >= 0)
    return ret;
  if (name && !name_is_valid (name))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, "%s",
                             _("--name must be non-empty text and not look like an id."));
  if ((ret = arcpass_cli_setup (cli)) >= 0)
    return ret;

  key = arcpass_cli_read_secret (_("API key: "), &error);
  if (!key)
    return arcpass_cli_fail_error (cli, error);

  arcpass_sign_in_with_api_key_async (cli->client, cli->portal_url, key, cli->cancellable,
                                      arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  credential = arcpass_sign_in_finish (result, &error);
  if (!credential)
    return fail_adding (cli, error);

  if ((ret = probe_and_print (cli, credential, key)) >= 0)
    return ret;
  if ((ret = save_account (cli, credential, name)) >= 0)
    return ret;

  saved_name = arcpass_cli_account_name (credential);
  printf (_("Saved the API key as “%s”.\n"), saved_name);
  return ARCPASS_EXIT_OK;
}

int
arcpass_cli_appcred (int    argc,
                     char **argv)
{
  g_autoptr(ArcpassCli) cli = arcpass_cli_new ("appcred", ARCPASS_CLI_NEEDS_STORE);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassSecret) secret = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *saved_name = NULL;
  const GOptionEntry entries[] = {
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &client_id,
      N_("Client ID of the app credentials (with --sandbox: the sandbox app)"), N_("ID") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name,
      N_("Name of the account (replaces an account of that name)"), N_("NAME") },
    { NULL }
  };
  int ret;

  context = arcpass_cli_option_context_new (cli, "add",
                                            _("Add app credentials: client ID, and the client secret read from standard input."),
                                            _("Tokens are obtained with client_credentials and obtained again when they\n"
                                              "expire; the secret is kept in the keyring for that.\n"
                                              "\n"
                                              "  arcpass appcred add --client-id ID < secret.txt"),
                                            entries);
  if ((ret = arcpass_cli_parse (cli, context, &argc, &argv, 1, 1)) >= 0)
    return ret;
  if ((ret = check_add_subverb (cli, argc, argv)) >= 0)
    return ret;
  if (name && !name_is_valid (name))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, "%s",
                             _("--name must be non-empty text and not look like an id."));
  if (!client_id && cli->sandbox)
    client_id = g_strdup (ARCPASS_SANDBOX_CLIENT_ID);
  if (!client_id || !*client_id)
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, "%s",
                             _("--client-id is required: the client ID of your app credentials."));
  if ((ret = arcpass_cli_setup (cli)) >= 0)
    return ret;

  secret = arcpass_cli_read_secret (_("Client secret: "), &error);
  if (!secret)
    return arcpass_cli_fail_error (cli, error);

  arcpass_sign_in_with_app_credentials_async (cli->client, cli->portal_url, client_id, secret,
                                              cli->cancellable, arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  credential = arcpass_sign_in_finish (result, &error);
  if (!credential)
    return fail_adding (cli, error);

  if ((ret = probe_and_print (cli, credential,
                              arcpass_credential_get_access_token (credential))) >= 0)
    return ret;
  if ((ret = save_account (cli, credential, name)) >= 0)
    return ret;

  saved_name = arcpass_cli_account_name (credential);
  printf (_("Saved the app credentials as “%s”.\n"), saved_name);
  return ARCPASS_EXIT_OK;
}
