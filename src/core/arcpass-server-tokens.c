/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "arcpass-error.h"
#include "arcpass-json.h"
#include "arcpass-oauth.h"
#include "arcpass-portal.h"
#include "arcpass-secret.h"
#include "arcpass-server-tokens.h"

typedef struct
{
  char   *token;      /* secret */
  gint64  expires_at; /* Unix seconds, 0 unknown */
} CachedToken;

struct _ArcpassServerTokens
{
  GObject parent_instance;

  ArcpassClient *client;
  GHashTable *cache;  /* server root -> CachedToken */
};

G_DEFINE_FINAL_TYPE (ArcpassServerTokens, arcpass_server_tokens, G_TYPE_OBJECT)

static void
cached_token_free (CachedToken *cached)
{
  arcpass_secret_free (cached->token);
  g_free (cached);
}

static void
arcpass_server_tokens_dispose (GObject *object)
{
  ArcpassServerTokens *self = ARCPASS_SERVER_TOKENS (object);

  g_clear_object (&self->client);
  G_OBJECT_CLASS (arcpass_server_tokens_parent_class)->dispose (object);
}

static void
arcpass_server_tokens_finalize (GObject *object)
{
  ArcpassServerTokens *self = ARCPASS_SERVER_TOKENS (object);

  g_clear_pointer (&self->cache, g_hash_table_unref);
  G_OBJECT_CLASS (arcpass_server_tokens_parent_class)->finalize (object);
}

static void
arcpass_server_tokens_class_init (ArcpassServerTokensClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = arcpass_server_tokens_dispose;
  object_class->finalize = arcpass_server_tokens_finalize;
}

static void
arcpass_server_tokens_init (ArcpassServerTokens *self)
{
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) cached_token_free);
}

ArcpassServerTokens *
arcpass_server_tokens_new (ArcpassClient *client)
{
  ArcpassServerTokens *self;

  g_return_val_if_fail (ARCPASS_IS_CLIENT (client), NULL);

  self = g_object_new (ARCPASS_TYPE_SERVER_TOKENS, NULL);
  self->client = g_object_ref (client);
  return self;
}

char *
arcpass_server_tokens_find_root (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *path;
  const char *rest;
  g_autofree char *root_path = NULL;

  if (url == NULL || (uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL)) == NULL ||
      g_uri_get_host (uri) == NULL)
    return NULL;

  /* ArcGIS Server answers under <root>/rest/…; the root is the server's web
   * adaptor path ("/server", "/arcgis"), possibly empty. */
  path = g_uri_get_path (uri);
  rest = strstr (path, "/rest/");
  if (rest == NULL)
    {
      if (!g_str_has_suffix (path, "/rest"))
        return NULL;
      rest = path + strlen (path) - strlen ("/rest");
    }
  root_path = g_strndup (path, rest - path);

  return g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                     g_uri_get_port (uri), root_path, NULL, NULL);
}

/* Same portal? Both sides normalised ("https://gis.example.com/portal"). */
static gboolean
same_portal (const char *a,
             const char *b)
{
  g_autofree char *na = NULL;
  g_autofree char *nb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;
  if (!arcpass_portal_normalize (a, &na, NULL, NULL) || !arcpass_portal_normalize (b, &nb, NULL, NULL))
    return FALSE;
  return g_ascii_strcasecmp (na, nb) == 0;
}

typedef struct
{
  ArcpassCredential *credential;
  char *portal_token;  /* secret */
  char *root;
} GetData;

static void
get_data_free (GetData *data)
{
  g_clear_object (&data->credential);
  arcpass_secret_free (data->portal_token);
  g_free (data->root);
  g_free (data);
}

static void
generate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ArcpassServerTokens *self = g_task_get_source_object (task);
  GetData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(ArcpassTokenResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  CachedToken *cached;

  json = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, NULL, &error);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (json != NULL)
    response = arcpass_token_response_new_from_json (json, arcpass_client_get_now (self->client),
                                                     &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  cached = g_new0 (CachedToken, 1);
  cached->token = arcpass_secret_dup (response->access_token);
  cached->expires_at = response->expires_at;
  g_hash_table_replace (self->cache, g_strdup (data->root), cached);

  g_task_return_pointer (task, arcpass_secret_dup (cached->token),
                         (GDestroyNotify) arcpass_secret_free);
}

static void
info_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GetData *data = g_task_get_task_data (task);
  const char *portal_url = arcpass_credential_get_portal_url (data->credential);
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rest_root = NULL;
  g_autofree char *url = NULL;
  const char *owner = NULL;
  const char *params[] = { "serverUrl", data->root, NULL };
  ArcpassRequestFlags flags;

  json = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, NULL, &error);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (json == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!arcpass_json_object_get_optional_string (json, "owningSystemUrl", &owner, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A server that is not federated with this portal, or federated with
   * another, must never see this account's token in any form. */
  if (!same_portal (owner, portal_url))
    {
      g_autoptr(GUri) uri = g_uri_parse (data->root, G_URI_FLAGS_NONE, NULL);

      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_NO_TOKEN_FOR_HOST,
                               _("This account’s token is not sent to %s: that server is not "
                                 "federated with the account’s portal, so it would not accept "
                                 "the token. Use an account of the portal that owns it."),
                               uri ? g_uri_get_host (uri) : data->root);
      return;
    }

  if (!arcpass_portal_normalize (portal_url, NULL, &rest_root, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The portal token travels in the POST body, to its own portal only. */
  url = g_strconcat (rest_root, "/generateToken", NULL);
  /* A generateToken portal token is bound to Arcpass's referer: the
   * exchange must carry it too, or the portal refuses the token (498). */
  flags = ARCPASS_REQUEST_POST | ARCPASS_REQUEST_TOKEN_IN_BODY;
  flags |= arcpass_credential_get_request_flags (data->credential);
  arcpass_client_request_json_async (ARCPASS_CLIENT (object), ARCPASS_SERVICE_PORTAL, url, params,
                                     data->portal_token, flags,
                                     g_task_get_cancellable (task), generate_cb,
                                     g_object_ref (task));
}

void
arcpass_server_tokens_get_async (ArcpassServerTokens *self,
                                 ArcpassCredential   *credential,
                                 const char          *portal_token,
                                 const char          *url,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *root = NULL;
  g_autofree char *info_url = NULL;
  CachedToken *cached;
  GetData *data;

  g_return_if_fail (ARCPASS_IS_SERVER_TOKENS (self));
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (credential));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_server_tokens_get_async);

  root = arcpass_server_tokens_find_root (url);
  if (root == NULL || portal_token == NULL)
    {
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_NO_TOKEN_FOR_HOST,
                               _("This account’s token is not sent to %s: it is not an ArcGIS "
                                 "Server address."), url ? url : "");
      return;
    }

  cached = g_hash_table_lookup (self->cache, root);
  if (cached != NULL &&
      (cached->expires_at == 0 ||
       cached->expires_at - arcpass_client_get_now (self->client) > ARCPASS_TOKEN_REFRESH_MARGIN))
    {
      g_task_return_pointer (task, arcpass_secret_dup (cached->token),
                             (GDestroyNotify) arcpass_secret_free);
      return;
    }
  if (cached != NULL)
    g_hash_table_remove (self->cache, root);

  data = g_new0 (GetData, 1);
  data->credential = g_object_ref (credential);
  data->portal_token = arcpass_secret_dup (portal_token);
  data->root = g_strdup (root);
  g_task_set_task_data (task, data, (GDestroyNotify) get_data_free);

  /* Anonymous: the server has not yet shown that it belongs to the portal. */
  info_url = g_strconcat (root, "/rest/info", NULL);
  arcpass_client_request_json_async (self->client, ARCPASS_SERVICE_NONE, info_url, NULL, NULL,
                                     ARCPASS_REQUEST_NONE, cancellable, info_cb,
                                     g_steal_pointer (&task));
}

char *
arcpass_server_tokens_get_finish (ArcpassServerTokens  *self,
                                  GAsyncResult         *result,
                                  GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_server_tokens_get_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
arcpass_server_tokens_forget (ArcpassServerTokens *self,
                              const char          *url)
{
  g_autofree char *root = NULL;

  g_return_if_fail (ARCPASS_IS_SERVER_TOKENS (self));

  if (url == NULL)
    {
      g_hash_table_remove_all (self->cache);
      return;
    }
  root = arcpass_server_tokens_find_root (url);
  if (root != NULL)
    g_hash_table_remove (self->cache, root);
}
