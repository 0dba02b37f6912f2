/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "arcpass-cli-private.h"

typedef enum {
  FORMAT_RAW,
  FORMAT_HEADER,
  FORMAT_JSON,
  FORMAT_ENV,
  FORMAT_CURL,
} TokenFormat;

static gboolean
parse_format (const char  *text,
              TokenFormat *out_format)
{
  static const char * const names[] = { "raw", "header", "json", "env", "curl" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (text, names[i]))
      {
        *out_format = (TokenFormat) i;
        return TRUE;
      }
  return FALSE;
}

static void
print_token_json (ArcpassCredential *credential,
                  const char        *token)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  gint64 expires = arcpass_credential_get_access_expires (credential);
  g_autofree char *name = arcpass_cli_account_name (credential);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "token_type");
  json_builder_add_string_value (builder, "Bearer");
  json_builder_set_member_name (builder, "expires_at");
  if (expires > 0)
    json_builder_add_int_value (builder, expires);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "expires_at_iso");
  if (expires > 0)
    {
      g_autofree char *iso = arcpass_cli_format_iso8601 (expires);

      json_builder_add_string_value (builder, iso);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, arcpass_cli_kind_id (arcpass_credential_get_kind (credential)));
  json_builder_set_member_name (builder, "portal");
  json_builder_add_string_value (builder, arcpass_credential_get_portal_url (credential));
  json_builder_set_member_name (builder, "username");
  if (arcpass_credential_get_username (credential))
    json_builder_add_string_value (builder, arcpass_credential_get_username (credential));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  arcpass_cli_print_json (root);

  /* The generator's copy of the token was freed with the document; the
   * node strings cannot be cleared from here, which is acceptable for a
   * process that exits right after printing. */
}

static void
print_token (ArcpassCredential *credential,
             const char        *token,
             TokenFormat        format)
{
  switch (format)
    {
    case FORMAT_RAW:
      printf ("%s\n", token);
      break;

    case FORMAT_HEADER:
      printf ("X-Esri-Authorization: Bearer %s\n", token);
      break;

    case FORMAT_ENV:
      {
        g_autoptr(ArcpassSecret) quoted = g_shell_quote (token);

        printf ("export ARCGIS_TOKEN=%s\n", quoted);
      }
      break;

    case FORMAT_CURL:
      {
        /* A request that shows who the token belongs to; the token goes in
         * the header, never in the URL. */
        gboolean user = arcpass_credential_get_kind (credential) == ARCPASS_CREDENTIAL_OAUTH_USER ||
                        arcpass_credential_get_kind (credential) == ARCPASS_CREDENTIAL_GENERATE_TOKEN;
        const char *portal = arcpass_credential_get_portal_url (credential);
        g_autofree char *url = g_strdup_printf ("%s/sharing/rest/%s?f=json",
                                                portal ? portal : ARCPASS_ONLINE_PORTAL_URL,
                                                user ? "community/self" : "portals/self");
        g_autofree char *quoted_url = g_shell_quote (url);
        g_autofree char *header = g_strconcat ("X-Esri-Authorization: Bearer ", token, NULL);
        g_autoptr(ArcpassSecret) quoted_header = g_shell_quote (header);

        /* A generateToken token only works with the referer it is bound to. */
        printf ("curl -H %s%s %s\n", quoted_header,
                arcpass_credential_get_kind (credential) == ARCPASS_CREDENTIAL_GENERATE_TOKEN
                ? " -H 'Referer: " ARCPASS_APPLICATION_REFERER "'" : "",
                quoted_url);
        explicit_bzero (header, strlen (header));
      }
      break;

    case FORMAT_JSON:
    default:
      print_token_json (credential, token);
      break;
    }
}

int
arcpass_cli_token (int    argc,
                   char **argv)
{
  g_autoptr(ArcpassCli) cli = arcpass_cli_new ("token",
                                               ARCPASS_CLI_ACCOUNT | ARCPASS_CLI_NEEDS_STORE);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassSecret) token = NULL;
  g_autofree char *format_name = NULL;
  TokenFormat format = FORMAT_RAW;
  gboolean force_refresh = FALSE;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      N_("Output: raw (default), header, json, env or curl"), N_("FORMAT") },
    { "refresh", 0, 0, G_OPTION_ARG_NONE, &force_refresh,
      N_("Get a new token even if the current one is still valid"), NULL },
    { NULL }
  };
  int ret;

  context = arcpass_cli_option_context_new (cli, NULL,
                                            _("Print a valid access token of a saved account."),
                                            _("The token is renewed first (and saved) when it expires within 5 minutes;\n"
                                              "a valid token is printed without contacting the portal.\n"
                                              "\n"
                                              "Formats:\n"
                                              "  raw      the token alone\n"
                                              "  header   X-Esri-Authorization: Bearer TOKEN\n"
                                              "  json     token, expires_at (UTC epoch seconds) and expires_at_iso (ISO 8601)\n"
                                              "  env      export ARCGIS_TOKEN=TOKEN\n"
                                              "  curl     a curl command that asks the portal who the token belongs to\n"
                                              "\n"
                                              "Example: curl -H \"$(arcpass token --format header)\" URL"),
                                            entries);
  if ((ret = arcpass_cli_parse (cli, context, &argc, &argv, 0, 0)) >= 0)
    return ret;
  if (format_name && !parse_format (format_name, &format))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE,
                             _("Unknown format “%s”: use raw, header, json, env or curl."),
                             format_name);
  if ((ret = arcpass_cli_setup (cli)) >= 0)
    return ret;
  if ((ret = arcpass_cli_select_account (cli, FALSE, &credential)) >= 0)
    return ret;
  if (force_refresh &&
      (arcpass_credential_get_kind (credential) == ARCPASS_CREDENTIAL_API_KEY ||
       arcpass_credential_get_kind (credential) == ARCPASS_CREDENTIAL_GENERATE_TOKEN))
    /* Asking would mark a perfectly good key as needing a new sign-in. */
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, "%s",
                             _("This kind of account cannot be renewed: --refresh only works for OAuth user accounts and app credentials."));
  if ((ret = arcpass_cli_new_manager (cli, credential, FALSE, &manager)) >= 0)
    return ret;

  arcpass_token_manager_get_token_async (manager, force_refresh, cli->cancellable,
                                         arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  token = arcpass_token_manager_get_token_finish (manager, result, &error);
  arcpass_cli_save_if_changed (cli, manager);
  if (!token)
    return arcpass_cli_fail_error (cli, error);

  print_token (credential, token, format);
  return ARCPASS_EXIT_OK;
}
