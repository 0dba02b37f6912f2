/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <libsecret/secret.h>

#include "arcpass-core.h"

/* Run twice by meson: with the test session's real gnome-keyring (save,
 * "restart" in a child process, load, delete) and with
 * ARCPASS_TEST_NO_KEYRING=1, where no Secret Service is on the bus. */

#define ID_A "test-account-a"
#define ID_B "test-account-b"
#define TOKEN_A "tokenA-0123456789abcdef"
#define REFRESH_A "refreshA-0123456789abcdef"

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

#define RUN(call_async, ...)                                              \
  ({                                                                      \
    GAsyncResult *_res = NULL;                                            \
    call_async (__VA_ARGS__, store_result_cb, &_res);                     \
    wait_for (&_res);                                                     \
  })

static ArcpassCredential *
make_account (const char *id,
              const char *username)
{
  ArcpassCredential *credential = arcpass_credential_new (ARCPASS_CREDENTIAL_OAUTH_USER,
                                                          "https://www.arcgis.com");

  arcpass_credential_set_id (credential, id);
  arcpass_credential_set_username (credential, username);
  arcpass_credential_set_client_id (credential, "APPID");
  arcpass_credential_set_access_token (credential, TOKEN_A);
  arcpass_credential_set_refresh_token (credential, REFRESH_A);
  arcpass_credential_set_access_expires (credential, 1900000000);
  return credential;
}

static gboolean
save (ArcpassAccountStore  *store,
      ArcpassCredential    *credential,
      GError              **error)
{
  g_autoptr(GAsyncResult) res = RUN (arcpass_account_store_save_async, store, credential, NULL);

  return arcpass_account_store_save_finish (store, res, error);
}

static ArcpassCredential *
load (ArcpassAccountStore  *store,
      const char           *id,
      GError              **error)
{
  g_autoptr(GAsyncResult) res = RUN (arcpass_account_store_load_async, store, id, NULL);

  return arcpass_account_store_load_finish (store, res, error);
}

static GPtrArray *
list (ArcpassAccountStore  *store,
      GError              **error)
{
  g_autoptr(GAsyncResult) res = RUN (arcpass_account_store_list_async, store, NULL);

  return arcpass_account_store_list_finish (store, res, error);
}

static gboolean
delete (ArcpassAccountStore  *store,
        const char           *id,
        GError              **error)
{
  g_autoptr(GAsyncResult) res = RUN (arcpass_account_store_delete_async, store, id, NULL);

  return arcpass_account_store_delete_finish (store, res, error);
}

static gboolean
list_has (GPtrArray  *accounts,
          const char *id)
{
  for (guint i = 0; i < accounts->len; i++)
    if (g_str_equal (arcpass_credential_get_id (g_ptr_array_index (accounts, i)), id))
      return TRUE;
  return FALSE;
}

/* In a child process: a fresh libsecret connection, as after a restart. */
static void
check_present (void)
{
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = list (store, &error);
  g_autoptr(ArcpassCredential) a = NULL;

  g_assert_no_error (error);
  g_assert_true (list_has (accounts, ID_A));
  g_assert_true (list_has (accounts, ID_B));

  a = load (store, ID_A, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (arcpass_credential_get_username (a), ==, "renamed");
  g_assert_cmpstr (arcpass_credential_get_access_token (a), ==, TOKEN_A);
  g_assert_cmpstr (arcpass_credential_get_refresh_token (a), ==, REFRESH_A);
  g_assert_cmpint (arcpass_credential_get_access_expires (a), ==, 1900000000);
}

static void
check_deleted (void)
{
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = list (store, &error);
  g_autoptr(ArcpassCredential) a = NULL;

  g_assert_no_error (error);
  g_assert_false (list_has (accounts, ID_A));
  g_assert_true (list_has (accounts, ID_B));
  a = load (store, ID_A, &error);
  g_assert_null (a);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND);
}

/* Only meaningful inside g_test_trap_subprocess(). */
static void
child_check_present (void)
{
  if (!g_test_subprocess ())
    {
      g_test_skip ("run by /account-store/keyring/round-trip");
      return;
    }
  check_present ();
}

static void
child_check_deleted (void)
{
  if (!g_test_subprocess ())
    {
      g_test_skip ("run by /account-store/keyring/round-trip");
      return;
    }
  check_deleted ();
}

/* The test session starts gnome-keyring-daemon just before the test; its
 * bus name can appear a moment later. Wait for it (up to 10 s) so that a
 * slow start is not mistaken for a missing Secret Service. */
static void
wait_for_keyring (void)
{
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
      g_autoptr(GAsyncResult) res = RUN (arcpass_account_store_check_async, store, NULL);
      g_autoptr(GError) error = NULL;

      if (arcpass_account_store_check_finish (store, res, &error))
        return;
      g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NO_SECRET_SERVICE);
      g_usleep (100 * 1000);
    }
  g_error ("The test session's keyring never appeared on the bus");
}

static void
test_keyring_round_trip (void)
{
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(ArcpassCredential) a = make_account (ID_A, "alice");
  g_autoptr(ArcpassCredential) b = make_account (ID_B, "bob");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;

  wait_for_keyring ();
  {
    g_autoptr(GAsyncResult) res = RUN (arcpass_account_store_check_async, store, NULL);
    gboolean ok = arcpass_account_store_check_finish (store, res, &error);

    g_assert_no_error (error);
    g_assert_true (ok);
  }
  g_assert_false (arcpass_account_store_is_memory_only (store));

  g_assert_true (save (store, a, &error));
  g_assert_no_error (error);
  g_assert_true (save (store, b, &error));
  g_assert_no_error (error);

  /* Saving again replaces the item: no duplicates. */
  arcpass_credential_set_username (a, "renamed");
  g_assert_true (save (store, a, &error));
  g_assert_no_error (error);
  accounts = list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 2);

  g_test_trap_subprocess ("/account-store/keyring/child-present", 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();

  g_assert_true (delete (store, ID_A, &error));
  g_assert_no_error (error);
  g_assert_false (delete (store, ID_A, &error));
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_test_trap_subprocess ("/account-store/keyring/child-deleted", 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();

  g_assert_true (delete (store, ID_B, &error));
  g_assert_no_error (error);
}

static void
test_keyring_skips_bad_items (void)
{
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(ArcpassCredential) good = make_account ("good-one", "carol");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;

  g_assert_true (save (store, good, &error));
  g_assert_no_error (error);

  /* An item of our schema with a payload from a future version. */
  {
    GAsyncResult *res = NULL;
    static const SecretSchema schema = {
      ARCPASS_ACCOUNT_SCHEMA_NAME, SECRET_SCHEMA_NONE,
      {
        { "schema-version", SECRET_SCHEMA_ATTRIBUTE_INTEGER },
        { "account-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { NULL, 0 },
      },
      0, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    };

    secret_password_store (&schema, SECRET_COLLECTION_DEFAULT, "future", "{\"version\":99}", NULL,
                           store_result_cb, &res,
                           "schema-version", ARCPASS_ACCOUNT_SCHEMA_VERSION,
                           "account-id", "from-the-future", NULL);
    wait_for (&res);
    g_assert_true (secret_password_store_finish (res, &error));
    g_object_unref (res);
  }

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*from-the-future*");
  accounts = list (store, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_true (list_has (accounts, "good-one"));
  g_assert_false (list_has (accounts, "from-the-future"));

  delete (store, "good-one", NULL);
  delete (store, "from-the-future", NULL);
}

static void
assert_no_file_holds (const char *path,
                      const char *secret)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_autofree char *contents = NULL;
      gsize len = 0;

      gsize secret_len = strlen (secret);

      /* Byte by byte: files may hold NULs before the secret. */
      if (g_file_get_contents (path, &contents, &len, NULL))
        for (gsize i = 0; i + secret_len <= len; i++)
          if (memcmp (contents + i, secret, secret_len) == 0)
            g_error ("%s holds a secret", path);
      return;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        assert_no_file_holds (child, secret);
    }
}

static void
test_no_secret_service (void)
{
  g_autoptr(ArcpassAccountStore) store = arcpass_account_store_new ();
  g_autoptr(ArcpassAccountStore) memory = NULL;
  g_autoptr(ArcpassCredential) a = make_account (ID_A, "alice");
  g_autoptr(ArcpassCredential) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;

  {
    g_autoptr(GAsyncResult) res = RUN (arcpass_account_store_check_async, store, NULL);
    g_assert_false (arcpass_account_store_check_finish (store, res, &error));
    g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NO_SECRET_SERVICE);
    g_assert_nonnull (strstr (error->message, "memory-only"));
    g_clear_error (&error);
  }

  /* Every call says so; nothing falls back to a file. */
  g_assert_false (save (store, a, &error));
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NO_SECRET_SERVICE);
  g_clear_error (&error);
  accounts = list (store, &error);
  g_assert_null (accounts);
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NO_SECRET_SERVICE);
  g_clear_error (&error);
  g_assert_null (load (store, ID_A, &error));
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NO_SECRET_SERVICE);
  g_clear_error (&error);
  g_assert_false (delete (store, ID_A, &error));
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NO_SECRET_SERVICE);
  g_clear_error (&error);

  /* No plaintext fallback: the fresh $HOME of the test session holds no
   * file with the secrets. */
  assert_no_file_holds (g_get_home_dir (), REFRESH_A);
  assert_no_file_holds (g_get_home_dir (), TOKEN_A);

  /* The explicit memory-only mode. */
  memory = arcpass_account_store_new_memory_only ();
  g_assert_true (arcpass_account_store_is_memory_only (memory));
  g_assert_true (save (memory, a, &error));
  g_assert_no_error (error);
  loaded = load (memory, ID_A, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (arcpass_credential_get_refresh_token (loaded), ==, REFRESH_A);
  g_clear_pointer (&accounts, g_ptr_array_unref);
  accounts = list (memory, &error);
  g_assert_cmpuint (accounts->len, ==, 1);
  g_assert_true (delete (memory, ID_A, &error));
  g_assert_false (delete (memory, ID_A, &error));
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_strcmp0 (g_getenv ("ARCPASS_TEST_NO_KEYRING"), "1") == 0)
    {
      g_test_add_func ("/account-store/no-secret-service", test_no_secret_service);
    }
  else
    {
      g_test_add_func ("/account-store/keyring/round-trip", test_keyring_round_trip);
      g_test_add_func ("/account-store/keyring/child-present", child_check_present);
      g_test_add_func ("/account-store/keyring/child-deleted", child_check_deleted);
      g_test_add_func ("/account-store/keyring/skips-bad-items", test_keyring_skips_bad_items);
    }

  return g_test_run ();
}
