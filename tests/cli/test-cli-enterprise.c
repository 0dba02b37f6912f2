/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "arcpass-core.h"
#include "arcpass-sandbox.h"

#include "arcpass-cli.h"

/* The real `arcpass` binary against the sandbox's Enterprise and web-tier
 * hosts (real-arcgis.md points 5, 7 and 8), served by this process on its
 * main context while the command runs. */

typedef struct {
  int   status;
  char *out;
  char *err;
} Run;

static void
run_free (Run *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static ArcpassSandbox *sandbox;

static void
async_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (!*slot)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (slot);
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize size = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &size) : NULL;

  return data ? g_strndup (data, size) : g_strdup ("");
}

static Run *
run_arcpass (const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);

  g_ptr_array_add (argv, g_build_filename (g_getenv ("ARCPASS_BUILD_ROOT"), "src", "arcpass", NULL));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  /* Nothing may be opened: no GUI, no browser. */
  g_subprocess_launcher_setenv (launcher, "ARCPASS_GUI", "/bin/false", TRUE);
  g_subprocess_launcher_setenv (launcher, "BROWSER", "/bin/false", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "ARCPASS_ACCOUNT");
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_async (process, NULL, NULL, async_cb, &slot);
  result = wait_result (&slot);
  g_subprocess_communicate_finish (process, result, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  run->out = bytes_to_string (out);
  run->err = bytes_to_string (err);
  g_test_message ("arcpass %s → %d\n--- stdout\n%s--- stderr\n%s", args[0], run->status,
                  run->out, run->err);
  g_assert_null (strstr (run->err, "-CRITICAL **"));
  g_assert_null (strstr (run->err, "-WARNING **"));
  g_assert_null (strstr (run->err, ARCPASS_SANDBOX_ENTERPRISE_PASSWORD));
  return run;
}

#define RUN(...) run_arcpass ((const char * const[]) { __VA_ARGS__, NULL })

static GPtrArray *
store_list (void)
{
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *accounts;

  arcpass_account_store_list_async (store, NULL, async_cb, &slot);
  result = wait_result (&slot);
  accounts = arcpass_account_store_list_finish (store, result, &error);
  g_assert_no_error (error);
  return accounts;
}

static void
store_clear (void)
{
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(GPtrArray) accounts = store_list ();

  for (guint i = 0; i < accounts->len; i++)
    {
      g_autoptr(GAsyncResult) slot = NULL;
      g_autoptr(GAsyncResult) result = NULL;

      arcpass_account_store_delete_async (store,
                                          arcpass_credential_get_id (g_ptr_array_index (accounts, i)),
                                          NULL, async_cb, &slot);
      result = wait_result (&slot);
      g_assert_true (arcpass_account_store_delete_finish (store, result, NULL));
    }
}

static JsonArray *
sandbox_log (JsonParser *parser)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (arcpass_sandbox_get_url (sandbox), "/_sandbox/log", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, async_cb, &slot);
  result = wait_result (&slot);
  body = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), &error));
  return json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                       "entries");
}

static guint
log_count_host (const char *host)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *entries = sandbox_log (parser);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (entries); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (entries, i),
                                                  "host"), host) == 0)
      n++;
  return n;
}

/* `arcpass signin` to a portal behind web-tier sign-in fails from the first
 * answer with a plain message, opening nothing and saving nothing. */
static void
check_signin_web_tier (const char *path,
                       const char *words)
{
  g_autofree char *portal = g_strconcat (arcpass_sandbox_get_host_url (sandbox,
                                                                       ARCPASS_SANDBOX_HOST_WEBTIER),
                                         path, NULL);
  g_autoptr(GPtrArray) before = store_list ();
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(Run) run = NULL;
  guint requests = log_count_host ("webtier");

  run = RUN ("signin", "--portal", portal, "--client-id", ARCPASS_SANDBOX_CLIENT_ID, "--no-launch",
             "--timeout", "5");
  g_assert_cmpint (run->status, ==, ARCPASS_EXIT_SERVICE);
  g_assert_nonnull (strstr (run->err, words));
  g_assert_nonnull (strstr (run->err, "No account was added"));
  /* Nothing opened: no sign-in link printed, one request only. */
  g_assert_null (strstr (run->err, "Open this link"));
  g_assert_null (strstr (run->err, "oauth2/authorize"));
  g_assert_cmpuint (log_count_host ("webtier"), ==, requests + 1);
  after = store_list ();
  g_assert_cmpuint (after->len, ==, before->len);
}

static void
test_signin_web_tier_iwa (void)
{
  check_signin_web_tier ("/portal", "Windows/Kerberos sign-in at its web server");
}

static void
test_signin_web_tier_pki (void)
{
  check_signin_web_tier ("/pki/portal", "client certificate");
}

/* A server's address pasted instead of its portal's (real-arcgis.md point
 * 13): the address is cut at `rest`, and discovery finds a server there,
 * which names its portal; nothing is opened. */
static void
test_signin_server_address (void)
{
  g_autofree char *server = g_strconcat (arcpass_sandbox_get_host_url (sandbox,
                                                                       ARCPASS_SANDBOX_HOST_ENTERPRISE),
                                         "/server/rest/services", NULL);
  g_autofree char *portal = g_strconcat (arcpass_sandbox_get_host_url (sandbox,
                                                                       ARCPASS_SANDBOX_HOST_ENTERPRISE),
                                         "/portal", NULL);
  g_autoptr(Run) run = NULL;

  run = RUN ("signin", "--portal", server, "--client-id", ARCPASS_SANDBOX_CLIENT_ID, "--no-launch",
             "--timeout", "5");
  g_assert_cmpint (run->status, ==, ARCPASS_EXIT_USAGE);
  g_assert_nonnull (strstr (run->err, "is an ArcGIS Server, not a portal"));
  g_assert_nonnull (strstr (run->err, portal));
  g_assert_null (strstr (run->err, "oauth2/authorize"));
}

static void
sign_in_enterprise_user (void)
{
  g_autoptr(ArcpassClient) client = arcpass_client_new ();
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *portal = g_strconcat (arcpass_sandbox_get_host_url (sandbox,
                                                                       ARCPASS_SANDBOX_HOST_ENTERPRISE),
                                         "/portal", NULL);

  arcpass_sign_in_with_password_async (client, portal, ARCPASS_SANDBOX_ENTERPRISE_USERNAME,
                                       ARCPASS_SANDBOX_ENTERPRISE_PASSWORD, NULL, async_cb, &slot);
  result = wait_result (&slot);
  credential = arcpass_sign_in_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  arcpass_account_store_save_async (store, credential, NULL, async_cb, &slot);
  result = wait_result (&slot);
  arcpass_account_store_save_finish (store, result, &error);
  g_assert_no_error (error);
}

/* With an Enterprise account, `arcpass geocode` goes to the federated
 * server's custom locator, by its own single-line field, with a server
 * token; the sandbox's log shows the Enterprise's tokens at the Enterprise
 * host only, and no token at the hosts that issued none. */
static void
test_geocode_enterprise (void)
{
  g_autofree char *portal = g_strconcat (arcpass_sandbox_get_host_url (sandbox,
                                                                       ARCPASS_SANDBOX_HOST_ENTERPRISE),
                                         "/portal", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(Run) run = NULL;
  JsonArray *entries;
  gboolean locator_answered = FALSE;

  store_clear ();
  sign_in_enterprise_user ();
  run = RUN ("geocode", "--portal", portal, "--account", ARCPASS_SANDBOX_ENTERPRISE_USERNAME,
             "--json", "Redlands");
  g_assert_cmpint (run->status, ==, ARCPASS_EXIT_OK);
  g_assert_nonnull (strstr (run->out, "Redlands"));

  entries = sandbox_log (parser);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *host = json_object_get_string_member (entry, "host");
      const char *path = json_object_get_string_member (entry, "path");
      const char *issuer = json_object_get_null_member (entry, "token_issuer")
                           ? NULL : json_object_get_string_member (entry, "token_issuer");

      g_test_message ("%s %s %s", host, path, issuer ? issuer : "-");
      /* An Enterprise token never leaves the Enterprise host. */
      if (g_strcmp0 (issuer, "enterprise") == 0)
        g_assert_cmpstr (host, ==, "enterprise");
      /* Hosts that never issued a token get none (only this account ran). */
      if (g_strcmp0 (host, "enterprise") != 0)
        g_assert_null (issuer);
      if (g_str_has_prefix (path, "/server/rest/services/Locators/") &&
          g_str_has_suffix (path, "/findAddressCandidates") &&
          json_object_get_int_member (entry, "status") == 200)
        {
          g_assert_cmpstr (issuer, ==, "enterprise");
          locator_answered = TRUE;
        }
    }
  g_assert_true (locator_answered);
  store_clear ();
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  sandbox = arcpass_sandbox_new ();
  g_assert_true (arcpass_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  store_clear ();

  g_test_add_func ("/cli-enterprise/signin-web-tier-iwa", test_signin_web_tier_iwa);
  g_test_add_func ("/cli-enterprise/signin-web-tier-pki", test_signin_web_tier_pki);
  g_test_add_func ("/cli-enterprise/geocode-enterprise", test_geocode_enterprise);
  g_test_add_func ("/cli-enterprise/signin-server-address", test_signin_server_address);

  ret = g_test_run ();
  store_clear ();
  g_clear_object (&sandbox);
  return ret;
}
