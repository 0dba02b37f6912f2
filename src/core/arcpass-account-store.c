/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "arcpass-account-store.h"
#include "arcpass-error.h"
#include "arcpass-secret.h"

struct _ArcpassAccountStore
{
  GObject parent_instance;

  gboolean memory_only;
  /* account id → payload (secret), memory-only mode only */
  GHashTable *memory;
};

G_DEFINE_FINAL_TYPE (ArcpassAccountStore, arcpass_account_store, G_TYPE_OBJECT)

static const SecretSchema *
get_schema (void)
{
  /* Versioned by the schema-version attribute: a future payload format can
   * be stored next to this one without old versions misreading it. */
  static const SecretSchema schema = {
    ARCPASS_ACCOUNT_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "schema-version", SECRET_SCHEMA_ATTRIBUTE_INTEGER },
      { "account-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "portal-url", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  };

  return &schema;
}

/* libsecret reports a missing Secret Service as a D-Bus error (the name has
 * no owner and cannot be activated) or an I/O error (no session bus). */
static GError *
map_secret_error (GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (error->domain == SECRET_ERROR && error->code == SECRET_ERROR_IS_LOCKED)
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_KEYRING_LOCKED,
                        _("The keyring is locked. Unlock it (for example by logging in again) "
                          "and retry."));

  if (error->domain == G_DBUS_ERROR || error->domain == G_IO_ERROR ||
      error->domain == G_SPAWN_ERROR)
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_NO_SECRET_SERVICE,
                        _("No keyring (Secret Service) is available, so accounts cannot be "
                          "saved. You can continue with a memory-only session: accounts are "
                          "forgotten when Arcpass quits. (%s)"), error->message);

  return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_FAILED,
                      _("The keyring failed: %s"), error->message);
}

static void
arcpass_account_store_finalize (GObject *object)
{
  ArcpassAccountStore *self = (ArcpassAccountStore *)object;

  g_clear_pointer (&self->memory, g_hash_table_unref);

  G_OBJECT_CLASS (arcpass_account_store_parent_class)->finalize (object);
}

static void
arcpass_account_store_class_init (ArcpassAccountStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = arcpass_account_store_finalize;
}

static void
arcpass_account_store_init (ArcpassAccountStore *self)
{
}

ArcpassAccountStore *
arcpass_account_store_new (void)
{
  return g_object_new (ARCPASS_TYPE_ACCOUNT_STORE, NULL);
}

ArcpassAccountStore *
arcpass_account_store_new_memory_only (void)
{
  ArcpassAccountStore *self = g_object_new (ARCPASS_TYPE_ACCOUNT_STORE, NULL);

  self->memory_only = TRUE;
  self->memory = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) arcpass_secret_free);
  return self;
}

gboolean
arcpass_account_store_is_memory_only (ArcpassAccountStore *self)
{
  g_return_val_if_fail (ARCPASS_IS_ACCOUNT_STORE (self), FALSE);
  return self->memory_only;
}

/* ---- check -------------------------------------------------------------- */

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GError) error = NULL;

  service = secret_service_get_finish (result, &error);
  if (service == NULL)
    {
      g_task_return_error (task, map_secret_error (error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
arcpass_account_store_check_async (ArcpassAccountStore *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ARCPASS_IS_ACCOUNT_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_account_store_check_async);

  if (self->memory_only)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Opening a session talks to the service, so a missing one shows here. */
  secret_service_get (SECRET_SERVICE_OPEN_SESSION, cancellable, check_cb, g_steal_pointer (&task));
}

gboolean
arcpass_account_store_check_finish (ArcpassAccountStore  *self,
                                    GAsyncResult         *result,
                                    GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- save ---------------------------------------------------------------- */

typedef struct {
  char *id;
  char *label;
  char *portal_url;
  char *kind;
  char *payload;   /* secret */
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->id);
  g_free (data->label);
  g_free (data->portal_url);
  g_free (data->kind);
  arcpass_secret_free (data->payload);
  g_free (data);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      g_task_return_error (task, map_secret_error (error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
arcpass_account_store_save_async (ArcpassAccountStore *self,
                                  ArcpassCredential   *credential,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *display = NULL;
  SaveData *data;
  GEnumClass *enum_class;

  g_return_if_fail (ARCPASS_IS_ACCOUNT_STORE (self));
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (credential));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_account_store_save_async);

  if (self->memory_only)
    {
      g_hash_table_replace (self->memory, g_strdup (arcpass_credential_get_id (credential)),
                            arcpass_credential_to_payload (credential));
      g_task_return_boolean (task, TRUE);
      return;
    }

  data = g_new0 (SaveData, 1);
  data->id = g_strdup (arcpass_credential_get_id (credential));
  data->portal_url = g_strdup (arcpass_credential_get_portal_url (credential) ?: "");
  enum_class = g_type_class_ref (ARCPASS_TYPE_CREDENTIAL_KIND);
  data->kind = g_strdup (g_enum_get_value (enum_class, arcpass_credential_get_kind (credential))->value_nick);
  g_type_class_unref (enum_class);
  display = arcpass_credential_dup_display_name (credential);
  /* The label is what Seahorse shows: never a secret (keys are masked). */
  data->label = g_strdup_printf ("Arcpass: %s", display);
  data->payload = arcpass_credential_to_payload (credential);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);

  /* The attributes never change for one account, so the Secret Service
   * replaces the item in one step: a reader never sees it missing. */
  secret_password_store (get_schema (), SECRET_COLLECTION_DEFAULT, data->label, data->payload,
                         cancellable, store_cb, g_steal_pointer (&task),
                         "schema-version", ARCPASS_ACCOUNT_SCHEMA_VERSION,
                         "account-id", data->id,
                         "portal-url", data->portal_url,
                         "kind", data->kind,
                         NULL);
}

gboolean
arcpass_account_store_save_finish (ArcpassAccountStore  *self,
                                   GAsyncResult         *result,
                                   GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- list ---------------------------------------------------------------- */

typedef struct {
  GList *items;       /* SecretRetrievable, owned */
  GList *next;
  GPtrArray *accounts;
} ListData;

static void
list_data_free (ListData *data)
{
  g_list_free_full (data->items, g_object_unref);
  g_clear_pointer (&data->accounts, g_ptr_array_unref);
  g_free (data);
}

static int
compare_accounts (gconstpointer a,
                  gconstpointer b)
{
  ArcpassCredential *ca = *(ArcpassCredential **) a;
  ArcpassCredential *cb = *(ArcpassCredential **) b;
  g_autofree char *na = arcpass_credential_dup_display_name (ca);
  g_autofree char *nb = arcpass_credential_dup_display_name (cb);

  return g_utf8_collate (na, nb);
}

static void
add_payload (GPtrArray  *accounts,
             const char *payload,
             const char *id_hint)
{
  g_autoptr(GError) error = NULL;
  ArcpassCredential *credential;

  credential = arcpass_credential_new_from_payload (payload, &error);
  if (credential == NULL)
    {
      /* Only the id: the payload itself holds secrets. */
      g_warning ("Skipping unreadable account %s: %s", id_hint ? id_hint : "?", error->message);
      return;
    }

  g_ptr_array_add (accounts, credential);
}

static void retrieve_next (GTask *task);

static void
retrieve_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  value = secret_retrievable_retrieve_secret_finish (SECRET_RETRIEVABLE (object), result, &error);
  if (value == NULL && error != NULL)
    {
      g_task_return_error (task, map_secret_error (error));
      return;
    }

  attributes = secret_retrievable_get_attributes (SECRET_RETRIEVABLE (object));
  if (value != NULL)
    add_payload (data->accounts, secret_value_get_text (value),
                 attributes ? g_hash_table_lookup (attributes, "account-id") : NULL);

  retrieve_next (task);
}

static void
retrieve_next (GTask *task)
{
  ListData *data = g_task_get_task_data (task);
  SecretRetrievable *item;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (data->next == NULL)
    {
      g_ptr_array_sort (data->accounts, compare_accounts);
      g_task_return_pointer (task, g_steal_pointer (&data->accounts),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  item = data->next->data;
  data->next = data->next->next;
  secret_retrievable_retrieve_secret (item, g_task_get_cancellable (task), retrieve_cb,
                                      g_object_ref (task));
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, map_secret_error (error));
      return;
    }

  data->next = data->items;
  retrieve_next (task);
}

void
arcpass_account_store_list_async (ArcpassAccountStore *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ListData *data;

  g_return_if_fail (ARCPASS_IS_ACCOUNT_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_account_store_list_async);

  data = g_new0 (ListData, 1);
  data->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);

  if (self->memory_only)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, self->memory);
      while (g_hash_table_iter_next (&iter, &key, &value))
        add_payload (data->accounts, value, key);
      g_ptr_array_sort (data->accounts, compare_accounts);
      g_task_return_pointer (task, g_steal_pointer (&data->accounts),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  secret_password_search (get_schema (),
                          SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK,
                          cancellable, search_cb, g_steal_pointer (&task),
                          "schema-version", ARCPASS_ACCOUNT_SCHEMA_VERSION,
                          NULL);
}

GPtrArray *
arcpass_account_store_list_finish (ArcpassAccountStore  *self,
                                   GAsyncResult         *result,
                                   GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- load ---------------------------------------------------------------- */

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *payload;
  ArcpassCredential *credential;

  payload = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, map_secret_error (error));
      return;
    }

  if (payload == NULL)
    {
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND,
                               _("This account is not in the keyring any more."));
      return;
    }

  credential = arcpass_credential_new_from_payload (payload, &error);
  secret_password_free (payload);

  if (credential == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, credential, g_object_unref);
}

void
arcpass_account_store_load_async (ArcpassAccountStore *self,
                                  const char          *account_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ARCPASS_IS_ACCOUNT_STORE (self));
  g_return_if_fail (account_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_account_store_load_async);

  if (self->memory_only)
    {
      const char *payload = g_hash_table_lookup (self->memory, account_id);
      g_autoptr(GError) error = NULL;
      ArcpassCredential *credential;

      if (payload == NULL)
        {
          g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND,
                                   _("This account is not in the memory-only session."));
          return;
        }

      credential = arcpass_credential_new_from_payload (payload, &error);
      if (credential == NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, credential, g_object_unref);
      return;
    }

  secret_password_lookup (get_schema (), cancellable, lookup_cb, g_steal_pointer (&task),
                          "schema-version", ARCPASS_ACCOUNT_SCHEMA_VERSION,
                          "account-id", account_id,
                          NULL);
}

ArcpassCredential *
arcpass_account_store_load_finish (ArcpassAccountStore  *self,
                                   GAsyncResult         *result,
                                   GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- delete ------------------------------------------------------------- */

static void
delete_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_clear_finish (result, &error))
    {
      if (error != NULL)
        g_task_return_error (task, map_secret_error (error));
      else
        g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND,
                                 _("This account was not in the keyring."));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
arcpass_account_store_delete_async (ArcpassAccountStore *self,
                                    const char          *account_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ARCPASS_IS_ACCOUNT_STORE (self));
  g_return_if_fail (account_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_account_store_delete_async);

  if (self->memory_only)
    {
      if (g_hash_table_remove (self->memory, account_id))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND,
                                 _("This account was not in the memory-only session."));
      return;
    }

  secret_password_clear (get_schema (), cancellable, delete_cb, g_steal_pointer (&task),
                         "schema-version", ARCPASS_ACCOUNT_SCHEMA_VERSION,
                         "account-id", account_id,
                         NULL);
}

gboolean
arcpass_account_store_delete_finish (ArcpassAccountStore  *self,
                                     GAsyncResult         *result,
                                     GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
