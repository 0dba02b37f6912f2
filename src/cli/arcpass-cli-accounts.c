/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-cli-private.h"

static void
add_expiry_members (JsonBuilder *builder,
                    const char  *name,
                    gint64       expires)
{
  g_autofree char *iso_name = g_strconcat (name, "_iso", NULL);

  json_builder_set_member_name (builder, name);
  if (expires > 0)
    json_builder_add_int_value (builder, expires);
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, iso_name);
  if (expires > 0)
    {
      g_autofree char *iso = arcpass_cli_format_iso8601 (expires);

      json_builder_add_string_value (builder, iso);
    }
  else
    json_builder_add_null_value (builder);
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value && *value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
print_accounts_json (GPtrArray *accounts)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < accounts->len; i++)
    {
      ArcpassCredential *credential = g_ptr_array_index (accounts, i);
      g_autofree char *name = arcpass_cli_account_name (credential);
      g_autofree char *display = arcpass_credential_dup_display_name (credential);
      const char * const *privileges = arcpass_credential_get_privileges (credential);

      /* Identity and expiries only: no token, key or secret is listed. */
      json_builder_begin_object (builder);
      add_string_member (builder, "id", arcpass_credential_get_id (credential));
      add_string_member (builder, "name", name);
      add_string_member (builder, "display_name", display);
      add_string_member (builder, "kind",
                         arcpass_cli_kind_id (arcpass_credential_get_kind (credential)));
      /* Which ArcGIS: "arcgis-online", "location-platform", "enterprise"
       * (recorded at sign-in; guessed from the portal for older accounts). */
      add_string_member (builder, "account_kind",
                         arcpass_account_kind_get_nick (
                           arcpass_credential_get_effective_account_kind (credential)));
      add_string_member (builder, "portal", arcpass_credential_get_portal_url (credential));
      add_string_member (builder, "username", arcpass_credential_get_username (credential));
      add_string_member (builder, "full_name", arcpass_credential_get_full_name (credential));
      add_string_member (builder, "org_name", arcpass_credential_get_org_name (credential));
      add_string_member (builder, "client_id", arcpass_credential_get_client_id (credential));
      add_string_member (builder, "state",
                         arcpass_cli_state_id (arcpass_credential_get_state (credential)));
      add_expiry_members (builder, "expires_at",
                          arcpass_credential_get_access_expires (credential));
      add_expiry_members (builder, "refresh_expires_at",
                          arcpass_credential_get_refresh_expires (credential));
      json_builder_set_member_name (builder, "privileges");
      json_builder_begin_array (builder);
      for (guint j = 0; privileges && privileges[j]; j++)
        json_builder_add_string_value (builder, privileges[j]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  arcpass_cli_print_json (root);
}

static char *
dup_expiry_text (ArcpassCredential *credential,
                 gint64             now)
{
  ArcpassCredentialState state = arcpass_credential_get_state (credential);
  gint64 expires = arcpass_credential_get_access_expires (credential);

  if (state == ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED)
    return g_strdup (_("sign in required"));

  /* An expired user token is not a problem while its refresh token lasts:
   * the next `arcpass token` renews it. */
  if (expires > 0 && expires <= now && arcpass_credential_can_refresh_at (credential, now))
    {
      g_autofree char *text = arcpass_cli_format_expiry (expires, now);

      return g_strdup_printf (_("%s, renewable"), text);
    }

  return arcpass_cli_format_expiry (expires, now);
}

static void
print_accounts_table (GPtrArray *accounts,
                      gint64     now)
{
  const char *headers[] = { N_("ACCOUNT"), N_("KIND"), N_("PORTAL"), N_("EXPIRES") };
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  int widths[G_N_ELEMENTS (headers)] = { 0 };

  for (guint i = 0; i < accounts->len; i++)
    {
      ArcpassCredential *credential = g_ptr_array_index (accounts, i);

      g_ptr_array_add (cells, arcpass_cli_account_name (credential));
      g_ptr_array_add (cells, g_strdup (arcpass_cli_kind_label (arcpass_credential_get_kind (credential))));
      g_ptr_array_add (cells, g_strdup (arcpass_credential_get_portal_url (credential)));
      g_ptr_array_add (cells, dup_expiry_text (credential, now));
    }

  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    widths[c] = arcpass_cli_text_width (_(headers[c]));
  for (guint k = 0; k < cells->len; k++)
    widths[k % G_N_ELEMENTS (headers)] = MAX (widths[k % G_N_ELEMENTS (headers)],
                                              arcpass_cli_text_width (g_ptr_array_index (cells, k)));

  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    {
      if (c + 1 < G_N_ELEMENTS (headers))
        {
          arcpass_cli_print_padded (stdout, _(headers[c]), widths[c] + 2);
        }
      else
        printf ("%s\n", _(headers[c]));
    }
  for (guint k = 0; k < cells->len; k++)
    {
      guint c = k % G_N_ELEMENTS (headers);

      if (c + 1 < G_N_ELEMENTS (headers))
        arcpass_cli_print_padded (stdout, g_ptr_array_index (cells, k), widths[c] + 2);
      else
        printf ("%s\n", (const char *) g_ptr_array_index (cells, k));
    }
}

int
arcpass_cli_accounts (int    argc,
                      char **argv)
{
  g_autoptr(ArcpassCli) cli = arcpass_cli_new ("accounts", ARCPASS_CLI_NEEDS_STORE);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  int ret;

  context = arcpass_cli_option_context_new (cli, NULL, _("List the saved accounts."),
                                            _("Tokens are not shown; “arcpass token” prints one."),
                                            entries);
  if ((ret = arcpass_cli_parse (cli, context, &argc, &argv, 0, 0)) >= 0)
    return ret;
  if ((ret = arcpass_cli_setup (cli)) >= 0)
    return ret;
  if ((ret = arcpass_cli_list_accounts (cli, &accounts)) >= 0)
    return ret;

  if (json)
    print_accounts_json (accounts);
  else if (accounts->len == 0)
    arcpass_cli_note (cli, "%s", _("No accounts. Sign in with “arcpass signin”, “arcpass apikey add” or “arcpass appcred add”."));
  else
    print_accounts_table (accounts, arcpass_client_get_now (cli->client));

  return ARCPASS_EXIT_OK;
}

int
arcpass_cli_signout (int    argc,
                     char **argv)
{
  g_autoptr(ArcpassCli) cli = arcpass_cli_new ("signout",
                                               ARCPASS_CLI_ACCOUNT | ARCPASS_CLI_NEEDS_STORE);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  gboolean no_revoke = FALSE;
  const GOptionEntry entries[] = {
    { "no-revoke", 0, 0, G_OPTION_ARG_NONE, &no_revoke,
      N_("Only forget the account; do not revoke its refresh token on the portal"), NULL },
    { NULL }
  };
  int ret;

  context = arcpass_cli_option_context_new (cli, NULL,
                                            _("Sign out: revoke the refresh token on the portal and delete the account from the keyring."),
                                            NULL, entries);
  if ((ret = arcpass_cli_parse (cli, context, &argc, &argv, 0, 0)) >= 0)
    return ret;
  if ((ret = arcpass_cli_setup (cli)) >= 0)
    return ret;
  if ((ret = arcpass_cli_select_account (cli, FALSE, &credential)) >= 0)
    return ret;

  name = arcpass_cli_account_name (credential);

  if (!no_revoke)
    {
      if ((ret = arcpass_cli_new_manager (cli, credential, FALSE, &manager)) >= 0)
        return ret;
      /* The manager has no store here: it revokes, the store deletes. A
       * failed revocation does not keep the account: the user asked to be
       * signed out of this computer. */
      arcpass_token_manager_sign_out_async (manager, cli->cancellable, arcpass_cli_async_cb, cli);
      result = arcpass_cli_wait (cli);
      if (!arcpass_token_manager_sign_out_finish (manager, result, &error))
        return arcpass_cli_fail_error (cli, error);
      if (arcpass_token_manager_sign_out_get_revoke_error (manager, result, &error))
        {
          /* Still signed out here, but the user must know the token lives on. */
          fprintf (stderr,
                   _("arcpass: warning: the portal did not revoke the refresh token: %s "
                     "It stays valid until it expires.\n"),
                   error->message);
          g_clear_error (&error);
        }
    }

  g_clear_object (&result);
  arcpass_account_store_delete_async (cli->store, arcpass_credential_get_id (credential),
                                      cli->cancellable, arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  if (!arcpass_account_store_delete_finish (cli->store, result, &error))
    return arcpass_cli_fail_error (cli, error);

  printf (_("Signed out of %s.\n"), name);
  return ARCPASS_EXIT_OK;
}
