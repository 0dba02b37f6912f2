/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "arcpass-credential.h"
#include "arcpass-types.h"

G_BEGIN_DECLS

#define ARCPASS_ACCOUNT_SCHEMA_NAME    "io.github.arcpass.Arcpass.Account"
#define ARCPASS_ACCOUNT_SCHEMA_VERSION 1

#define ARCPASS_TYPE_ACCOUNT_STORE (arcpass_account_store_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassAccountStore, arcpass_account_store, ARCPASS, ACCOUNT_STORE, GObject)

/*
 * Accounts in the keyring (libsecret, all calls async). One item per
 * account, schema io.github.arcpass.Arcpass.Account with attributes
 * `schema-version` (integer), `account-id`, `portal-url`, `kind` (none of
 * which changes during an account's life, so a save replaces the item
 * atomically); the secret is the credential's versioned JSON payload.
 *
 * When no Secret Service is reachable every call fails with
 * %ARCPASS_ERROR_NO_SECRET_SERVICE; there is no plaintext fallback. The
 * caller may then create an explicit memory-only store: accounts live in
 * this process only and are lost when it exits.
 */

ArcpassAccountStore *arcpass_account_store_new              (void);
ArcpassAccountStore *arcpass_account_store_new_memory_only  (void);
gboolean             arcpass_account_store_is_memory_only   (ArcpassAccountStore *self);

/* Checks that a Secret Service answers (%ARCPASS_ERROR_NO_SECRET_SERVICE if not). */
void                 arcpass_account_store_check_async      (ArcpassAccountStore *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean             arcpass_account_store_check_finish     (ArcpassAccountStore *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

/* Creates or replaces the item of the credential's id. */
void                 arcpass_account_store_save_async       (ArcpassAccountStore *self,
                                                             ArcpassCredential   *credential,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean             arcpass_account_store_save_finish      (ArcpassAccountStore *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

/* All accounts, loaded (GPtrArray of ArcpassCredential, sorted by display
 * name). Items whose payload cannot be read are skipped with a warning that
 * names only the account id. */
void                 arcpass_account_store_list_async       (ArcpassAccountStore *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
GPtrArray           *arcpass_account_store_list_finish      (ArcpassAccountStore *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

/* One account; %ARCPASS_ERROR_NOT_FOUND when there is none with @account_id. */
void                 arcpass_account_store_load_async       (ArcpassAccountStore *self,
                                                             const char          *account_id,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
ArcpassCredential   *arcpass_account_store_load_finish      (ArcpassAccountStore *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

/* %ARCPASS_ERROR_NOT_FOUND when there was nothing to delete. */
void                 arcpass_account_store_delete_async     (ArcpassAccountStore *self,
                                                             const char          *account_id,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean             arcpass_account_store_delete_finish    (ArcpassAccountStore *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

G_END_DECLS
