/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "arcpass-sandbox-private.h"

/* Expired tokens are kept for this long (sandbox time) before they are
 * reclaimed, so that a client presenting a recently expired refresh token
 * hears "refresh_token expired" rather than "Invalid refresh_token". */
#define PRUNE_GRACE_SECONDS 3600
#define LOG_MAX_ENTRIES     2000

typedef struct
{
  char *prefix;
  char *mode;
  guint remaining;
} SbFault;

typedef struct
{
  char       *method;
  char       *path;
  const char *token_in;
  ArcpassSandboxHost host;
  const char *token_issuer;
  guint       status;
  gint64      duration_us;
  gint64      time;
} SbLogEntry;

struct _ArcpassSandbox
{
  GObject       parent_instance;

  SoupServer   *server;
  GMainContext *context;
  GSource      *prune_source;
  guint16       port;
  char         *url;
  char         *host_urls[ARCPASS_SANDBOX_N_HOSTS];

  gint64        clock_offset;
  gint64        created_at;
  guint         oauth_error_status;
  gboolean      loopback_any_port;
  GPtrArray    *redirect_uris; /* registered at run time, NULL-terminated */
  /* The host of the request being handled: tokens issued while handling it
   * belong to that host's portal (see sb_tokens_insert). */
  ArcpassSandboxHost issuing_host;
  gboolean      old_enterprise;

  GHashTable   *tokens;        /* value -> SbToken, owned */
  GSequence    *expiry;        /* SbToken *, sorted by expires_at */
  GList        *faults;        /* SbFault * */
  GQueue        log;           /* SbLogEntry * */
};

G_DEFINE_FINAL_TYPE (ArcpassSandbox, arcpass_sandbox, G_TYPE_OBJECT)

static const char * const fault_modes[] = {
  "malformed", "truncate", "close", "token498", "html403", "moved", NULL
};

/* ---------------------------------------------------------------- tokens */

static void
sb_token_free (SbToken *token)
{
  if (!token)
    return;
  /* Token values are bearer credentials: clear them before freeing. */
  if (token->value)
    explicit_bzero (token->value, strlen (token->value));
  g_free (token->value);
  g_free (token->username);
  g_free (token->client_id);
  g_free (token->redirect_uri);
  g_free (token->code_challenge);
  g_free (token->code_challenge_method);
  g_free (token->response_type);
  g_free (token->state);
  g_free (token->parent);
  g_free (token->referer);
  g_free (token->server_url);
  g_clear_pointer (&token->children, g_hash_table_unref);
  g_free (token);
}

static int
expiry_compare (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  const SbToken *ta = a;
  const SbToken *tb = b;

  if (ta->expires_at != tb->expires_at)
    return ta->expires_at < tb->expires_at ? -1 : 1;
  return 0;
}

/* Removes @value and, for a refresh token, every access token issued from it.
 * Returns whether something was removed. */
static gboolean
tokens_remove_internal (ArcpassSandbox *self,
                        const char     *value)
{
  SbToken *token = g_hash_table_lookup (self->tokens, value);

  if (!token)
    return FALSE;

  if (token->children)
    {
      g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_free);
      GHashTableIter iter;
      gpointer key;

      /* Copy first so the children do not edit the set being walked. */
      g_hash_table_iter_init (&iter, token->children);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (children, g_strdup (key));

      for (guint i = 0; i < children->len; i++)
        {
          SbToken *child = g_hash_table_lookup (self->tokens, g_ptr_array_index (children, i));

          if (child)
            {
              g_clear_pointer (&child->parent, g_free);
              tokens_remove_internal (self, child->value);
            }
        }
    }

  if (token->parent)
    {
      SbToken *parent = g_hash_table_lookup (self->tokens, token->parent);

      if (parent && parent->children)
        g_hash_table_remove (parent->children, token->value);
    }

  g_sequence_remove (token->expiry_iter);
  g_hash_table_remove (self->tokens, token->value);
  return TRUE;
}

static void
tokens_prune (ArcpassSandbox *self)
{
  gint64 now = arcpass_sandbox_get_now (self);

  /* The queue is ordered by expiry, so pruning stops at the first live token
   * and costs O(expired) per call: amortised O(1) per issued token. */
  while (g_sequence_get_length (self->expiry) > 0)
    {
      SbToken *first = g_sequence_get (g_sequence_get_begin_iter (self->expiry));

      if (first->expires_at + PRUNE_GRACE_SECONDS > now)
        break;
      tokens_remove_internal (self, first->value);
    }
}

SbToken *
sb_tokens_insert (ArcpassSandbox *self,
                  SbTokenKind     kind,
                  gint64          lifetime)
{
  SbToken *token;
  gsize n_bytes;

  tokens_prune (self);

  switch (kind)
    {
    case SB_TOKEN_CODE:
    case SB_TOKEN_PENDING:
    case SB_TOKEN_SESSION:
    case SB_TOKEN_IDP_MFA:
    case SB_TOKEN_SAML_ASSERTION:
    case SB_TOKEN_PASSWORD_CHANGE:
      n_bytes = 32;
      break;
    case SB_TOKEN_REFRESH:
      n_bytes = 64;
      break;
    case SB_TOKEN_ACCESS:
    case SB_TOKEN_APP:
    case SB_TOKEN_GENERATED:
    default:
      n_bytes = 96;
      break;
    }

  token = g_new0 (SbToken, 1);
  token->kind = kind;
  token->value = sb_random_token (n_bytes);
  token->issued_at = arcpass_sandbox_get_now (self);
  token->expires_at = token->issued_at + lifetime;
  /* Tokens issued by the Enterprise portal are the Enterprise's; all others
   * are the Online portal's (its organisation host is the same portal). */
  if (self->issuing_host == ARCPASS_SANDBOX_HOST_ENTERPRISE)
    token->issuer = ARCPASS_SANDBOX_HOST_ENTERPRISE;
  token->expiry_iter = g_sequence_insert_sorted (self->expiry, token, expiry_compare, NULL);
  g_hash_table_insert (self->tokens, token->value, token);
  return token;
}

SbToken *
sb_tokens_lookup (ArcpassSandbox *self,
                  const char     *value)
{
  if (!value)
    return NULL;
  tokens_prune (self);
  return g_hash_table_lookup (self->tokens, value);
}

void
sb_tokens_remove (ArcpassSandbox *self,
                  const char     *value)
{
  tokens_remove_internal (self, value);
}

static gboolean
prune_timeout_cb (gpointer user_data)
{
  tokens_prune (user_data);
  return G_SOURCE_CONTINUE;
}

static const SbApiKey *
find_api_key (const char *token)
{
  for (guint i = 0; sb_api_keys[i].key; i++)
    if (sb_secret_equal (sb_api_keys[i].key, token))
      return &sb_api_keys[i];
  return NULL;
}

static gboolean
path_is_under (const char *path,
               const char *prefix)
{
  gsize len = strlen (prefix);

  return path && strncmp (path, prefix, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

gboolean
sb_host_accepts_token (ArcpassSandboxHost  host,
                       const char         *path,
                       const SbToken      *token)
{
  ArcpassSandboxHost issuer = token ? token->issuer : ARCPASS_SANDBOX_HOST_PORTAL;

  switch (host)
    {
    case ARCPASS_SANDBOX_HOST_PORTAL:
    case ARCPASS_SANDBOX_HOST_ORG:
    case ARCPASS_SANDBOX_HOST_SERVICES:
      /* One ArcGIS Online: www, the organisation host and the location
       * services share its tokens (an IdP sign-in still ends in a portal
       * token). API keys are Online's too. */
      return !token || ((issuer == ARCPASS_SANDBOX_HOST_PORTAL ||
                         issuer == ARCPASS_SANDBOX_HOST_ORG ||
                         issuer == ARCPASS_SANDBOX_HOST_IDP) && !token->server_token);

    case ARCPASS_SANDBOX_HOST_ENTERPRISE:
      if (!token || issuer != ARCPASS_SANDBOX_HOST_ENTERPRISE)
        return FALSE;
      if (path_is_under (path, "/server"))
        return token->server_token;
      return !token->server_token;

    case ARCPASS_SANDBOX_HOST_WEBTIER:
      return token && issuer == ARCPASS_SANDBOX_HOST_WEBTIER && !token->server_token;

    case ARCPASS_SANDBOX_HOST_IDP:
    case ARCPASS_SANDBOX_N_HOSTS:
    default:
      return FALSE;
    }
}

SbAuthResult
sb_sandbox_authenticate (ArcpassSandbox *self,
                         SbRequest      *req,
                         SbIdentity     *identity)
{
  const SbApiKey *key;
  SbToken *token;
  gint64 now = arcpass_sandbox_get_now (self);

  memset (identity, 0, sizeof *identity);
  identity->expires_at = -1;

  if (!req->token || !*req->token)
    return SB_AUTH_MISSING;

  if ((key = find_api_key (req->token)))
    {
      if (key->lifetime != 0)
        identity->expires_at = self->created_at + key->lifetime;
      if (identity->expires_at >= 0 && identity->expires_at <= now)
        return SB_AUTH_INVALID;
      if (!sb_host_accepts_token (req->host, req->path, NULL))
        return SB_AUTH_INVALID;
      identity->is_api_key = TRUE;
      identity->client_id = key->item_id;
      identity->privileges = key->privileges;
      return SB_AUTH_OK;
    }

  token = sb_tokens_lookup (self, req->token);
  if (!token || token->expires_at <= now)
    return SB_AUTH_INVALID;
  /* A token presented where its issuer's tokens are not accepted is as
   * invalid there as an unknown one: real hosts answer 498. */
  if (!sb_host_accepts_token (req->host, req->path, token))
    return SB_AUTH_INVALID;

  switch (token->kind)
    {
    case SB_TOKEN_ACCESS:
    case SB_TOKEN_GENERATED:
      {
        const SbUser *user = sb_find_user (token->username);

        if (!user)
          return SB_AUTH_INVALID;
        if (token->referer)
          {
            const char *referer = soup_message_headers_get_one (
              soup_server_message_get_request_headers (req->msg), "Referer");

            /* A client=referer token only works with the same Referer. */
            if (!referer || strcmp (referer, token->referer) != 0)
              return SB_AUTH_INVALID;
          }
        identity->username = user->username;
        identity->client_id = token->client_id;
        identity->privileges = user->privileges;
        identity->expires_at = token->expires_at;
        return SB_AUTH_OK;
      }

    case SB_TOKEN_APP:
      {
        const SbApp *app = sb_find_app (token->client_id);

        if (!app)
          return SB_AUTH_INVALID;
        identity->is_app = TRUE;
        identity->client_id = app->client_id;
        identity->privileges = app->privileges;
        identity->expires_at = token->expires_at;
        return SB_AUTH_OK;
      }

    case SB_TOKEN_CODE:
    case SB_TOKEN_PENDING:
    case SB_TOKEN_REFRESH:
    case SB_TOKEN_SESSION:
    case SB_TOKEN_IDP_MFA:
    case SB_TOKEN_SAML_ASSERTION:
    case SB_TOKEN_PASSWORD_CHANGE:
    default:
      /* Codes and refresh tokens are not access tokens. */
      return SB_AUTH_INVALID;
    }
}

/* ------------------------------------------------------------- requests */

SbRequest *
sb_request_ref (SbRequest *req)
{
  req->ref_count++;
  return req;
}

void
sb_request_unref (SbRequest *req)
{
  if (--req->ref_count > 0)
    return;

  if (req->disconnected_id)
    g_signal_handler_disconnect (req->msg, req->disconnected_id);
  g_clear_object (&req->msg);
  g_clear_object (&req->sandbox);
  g_free (req->method);
  g_free (req->path);
  g_clear_pointer (&req->params, g_hash_table_unref);
  g_clear_pointer (&req->query_params, g_hash_table_unref);
  g_clear_pointer (&req->body_params, g_hash_table_unref);
  if (req->token)
    explicit_bzero (req->token, strlen (req->token));
  g_free (req->token);
  g_free (req->fault_mode);
  g_free (req);
}

const char *
sb_request_get_param (SbRequest  *req,
                      const char *lower_name)
{
  return g_hash_table_lookup (req->params, lower_name);
}

SbFormat
sb_request_get_format (SbRequest *req,
                       SbFormat   fallback)
{
  const char *f = sb_request_get_param (req, "f");

  if (!f || !*f)
    return fallback;
  if (g_ascii_strcasecmp (f, "pjson") == 0)
    return SB_FORMAT_PJSON;
  if (g_ascii_strcasecmp (f, "html") == 0)
    return SB_FORMAT_HTML;
  return SB_FORMAT_JSON;
}

char *
sb_request_dup_base_url (SbRequest *req)
{
  return g_strdup (sb_sandbox_host_url (req->sandbox, req->host));
}

const char *
sb_sandbox_host_url (ArcpassSandbox     *self,
                     ArcpassSandboxHost  host)
{
  g_return_val_if_fail (host < ARCPASS_SANDBOX_N_HOSTS, self->url);

  return self->host_urls[host] ? self->host_urls[host] : self->url;
}

static const struct {
  const char *address;
  const char *name;
} host_table[ARCPASS_SANDBOX_N_HOSTS] = {
  [ARCPASS_SANDBOX_HOST_PORTAL]     = { "127.0.0.1", "portal" },
  [ARCPASS_SANDBOX_HOST_ORG]        = { "127.0.0.2", "org" },
  [ARCPASS_SANDBOX_HOST_IDP]        = { "127.0.0.3", "idp" },
  [ARCPASS_SANDBOX_HOST_SERVICES]   = { "127.0.0.4", "services" },
  [ARCPASS_SANDBOX_HOST_ENTERPRISE] = { "127.0.0.5", "enterprise" },
  [ARCPASS_SANDBOX_HOST_WEBTIER]    = { "127.0.0.6", "webtier" },
};

const char *
arcpass_sandbox_host_get_address (ArcpassSandboxHost host)
{
  g_return_val_if_fail (host < ARCPASS_SANDBOX_N_HOSTS, NULL);
  return host_table[host].address;
}

const char *
arcpass_sandbox_host_get_name (ArcpassSandboxHost host)
{
  g_return_val_if_fail (host < ARCPASS_SANDBOX_N_HOSTS, NULL);
  return host_table[host].name;
}

ArcpassSandboxHost
arcpass_sandbox_host_from_address (const char *address)
{
  for (guint i = 0; i < ARCPASS_SANDBOX_N_HOSTS; i++)
    if (g_strcmp0 (address, host_table[i].address) == 0)
      return i;
  return (ArcpassSandboxHost) -1;
}

const char *
arcpass_sandbox_get_host_url (ArcpassSandbox     *self,
                              ArcpassSandboxHost  host)
{
  g_return_val_if_fail (ARCPASS_IS_SANDBOX (self), NULL);
  return sb_sandbox_host_url (self, host);
}

static void
message_disconnected_cb (SoupServerMessage *msg,
                         SbRequest         *req)
{
  req->disconnected = TRUE;
}

void
sb_request_defer (SbRequest *req)
{
  if (!req->paused)
    {
      soup_server_message_pause (req->msg);
      req->paused = TRUE;
    }
}

/* Who issued the token a request carried, for the log: the name of the
 * issuing host, "apikey", "unknown" (not a token the sandbox knows), or NULL
 * when no token travelled. Tests read it to prove that a token never reached
 * a host that does not accept its issuer. */
static const char *
token_issuer_name (ArcpassSandbox *self,
                   SbRequest      *req)
{
  SbToken *token;

  if (!req->token)
    return NULL;
  if (find_api_key (req->token))
    return "apikey";
  token = g_hash_table_lookup (self->tokens, req->token);
  if (!token)
    return "unknown";
  return arcpass_sandbox_host_get_name (token->issuer);
}

static void
log_append (ArcpassSandbox *self,
            SbRequest      *req,
            guint           status)
{
  SbLogEntry *entry = g_new0 (SbLogEntry, 1);

  /* Only the path is recorded: query strings and bodies may carry tokens. */
  entry->method = g_strdup (req->method);
  entry->path = g_strdup (req->path);
  entry->token_in = req->token_in;
  entry->host = req->host;
  entry->token_issuer = token_issuer_name (self, req);
  entry->status = status;
  entry->duration_us = g_get_monotonic_time () - req->started_us;
  entry->time = arcpass_sandbox_get_now (self);
  g_queue_push_tail (&self->log, entry);

  while (self->log.length > LOG_MAX_ENTRIES)
    {
      SbLogEntry *old = g_queue_pop_head (&self->log);

      g_free (old->method);
      g_free (old->path);
      g_free (old);
    }
}

static void
log_clear (ArcpassSandbox *self)
{
  SbLogEntry *entry;

  while ((entry = g_queue_pop_head (&self->log)))
    {
      g_free (entry->method);
      g_free (entry->path);
      g_free (entry);
    }
}

void
sb_respond (SbRequest  *req,
            guint       status,
            const char *content_type,
            GBytes     *body)
{
  g_autoptr(GBytes) sent = NULL;
  SoupMessageHeaders *headers;

  g_return_if_fail (!req->responded);
  req->responded = TRUE;

  if (g_strcmp0 (req->fault_mode, "malformed") == 0)
    {
      /* Not valid JSON, not a valid PNG either, with the original type. */
      static const char garbage[] = "{\"sandbox\": \"malformed\", <<< not json >>> \x01\x02";

      sent = g_bytes_new_static (garbage, sizeof garbage - 1);
    }
  else if (g_strcmp0 (req->fault_mode, "truncate") == 0)
    {
      gsize len = g_bytes_get_size (body);

      /* Half of the body with a matching Content-Length: the HTTP exchange
       * is well formed, the document is cut. */
      sent = g_bytes_new_from_bytes (body, 0, len / 2);
    }
  else
    sent = g_bytes_ref (body);

  log_append (req->sandbox, req, status);

  if (req->disconnected)
    return;

  headers = soup_server_message_get_response_headers (req->msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  {
    gsize size;
    gconstpointer data = g_bytes_get_data (sent, &size);

    soup_server_message_set_status (req->msg, status, NULL);
    soup_server_message_set_response (req->msg, content_type, SOUP_MEMORY_COPY, data, size);
  }

  if (req->paused)
    {
      req->paused = FALSE;
      soup_server_message_unpause (req->msg);
    }
}

static char *
node_to_string (JsonNode *node,
                gboolean  pretty)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, pretty);
  return json_generator_to_data (gen, NULL);
}

char *
sb_html_escape (const char *text)
{
  return g_markup_escape_text (text ? text : "", -1);
}

void
sb_respond_html (SbRequest  *req,
                 guint       status,
                 const char *html)
{
  g_autoptr(GBytes) body = g_bytes_new (html, strlen (html));

  sb_respond (req, status, "text/html; charset=utf-8", body);
}

void
sb_respond_json (SbRequest *req,
                 guint      status,
                 SbFormat   format,
                 JsonNode  *node)
{
  g_autofree char *text = node_to_string (node, format != SB_FORMAT_JSON);

  if (format == SB_FORMAT_HTML)
    {
      /* The classic "ArcGIS Portal Directory" rendering: the document as
       * preformatted text, and an error heading when it is an error. */
      g_autofree char *escaped = sb_html_escape (text);
      g_autofree char *heading = NULL;
      g_autofree char *html = NULL;
      JsonObject *root = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (root && json_object_has_member (root, "error"))
        {
          JsonObject *error = json_object_get_object_member (root, "error");
          g_autofree char *message = sb_html_escape (
            json_object_get_string_member_with_default (error, "message", ""));

          heading = g_strdup_printf ("<h3>%s</h3>\n<p>Error: %" G_GINT64_FORMAT "</p>\n",
                                     message,
                                     json_object_get_int_member_with_default (error, "code", 0));
        }
      html = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                              "<title>ArcGIS Portal Directory</title></head>\n"
                              "<body><h2>ArcGIS Portal Directory (Arcpass sandbox)</h2>\n"
                              "%s<pre>%s</pre></body></html>\n",
                              heading ? heading : "", escaped);
      sb_respond_html (req, status, html);
      return;
    }

  {
    gsize len = strlen (text);
    g_autoptr(GBytes) body = g_bytes_new_take (g_steal_pointer (&text), len);

    sb_respond (req, status, "application/json; charset=utf-8", body);
  }
}

void
sb_respond_redirect (SbRequest  *req,
                     const char *location)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("", 0);

  if (!req->disconnected)
    soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                  "Location", location);
  sb_respond (req, SOUP_STATUS_FOUND, "text/plain", body);
}

JsonNode *
sb_error_node (int                 code,
               const char         *message,
               const char         *oauth_error,
               const char         *message_code,
               const char * const *details,
               const char         *rest_info_url)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_int_value (b, code);
  if (oauth_error)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, oauth_error);
      json_builder_set_member_name (b, "error_description");
      json_builder_add_string_value (b, message);
    }
  if (message_code)
    {
      json_builder_set_member_name (b, "messageCode");
      json_builder_add_string_value (b, message_code);
    }
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "details");
  json_builder_begin_array (b);
  for (guint i = 0; details && details[i]; i++)
    json_builder_add_string_value (b, details[i]);
  json_builder_end_array (b);
  if (rest_info_url)
    {
      json_builder_set_member_name (b, "restInfoUrl");
      json_builder_add_string_value (b, rest_info_url);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
sb_respond_error (SbRequest          *req,
                  guint               http_status,
                  SbFormat            format,
                  int                 code,
                  const char         *message,
                  const char * const *details)
{
  g_autoptr(JsonNode) node = sb_error_node (code, message, NULL, NULL, details, NULL);

  sb_respond_json (req, http_status, format, node);
}

/* ------------------------------------------------------------- control */

static void
control_respond_state (SbRequest *req)
{
  ArcpassSandbox *self = req->sandbox;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "now");
  json_builder_add_int_value (b, arcpass_sandbox_get_now (self));
  json_builder_set_member_name (b, "offset");
  json_builder_add_int_value (b, self->clock_offset);
  json_builder_set_member_name (b, "tokens");
  json_builder_add_int_value (b, arcpass_sandbox_get_token_count (self));
  json_builder_set_member_name (b, "faults");
  json_builder_begin_array (b);
  for (GList *l = self->faults; l; l = l->next)
    {
      SbFault *fault = l->data;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, fault->prefix);
      json_builder_set_member_name (b, "mode");
      json_builder_add_string_value (b, fault->mode);
      json_builder_set_member_name (b, "count");
      json_builder_add_int_value (b, fault->remaining);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  sb_respond_json (req, SOUP_STATUS_OK, sb_request_get_format (req, SB_FORMAT_JSON), node);
}

static void
control_respond_log (SbRequest *req)
{
  ArcpassSandbox *self = req->sandbox;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "entries");
  json_builder_begin_array (b);
  for (GList *l = self->log.head; l; l = l->next)
    {
      SbLogEntry *entry = l->data;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "method");
      json_builder_add_string_value (b, entry->method);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, entry->path);
      json_builder_set_member_name (b, "status");
      json_builder_add_int_value (b, entry->status);
      json_builder_set_member_name (b, "token_in");
      if (entry->token_in)
        json_builder_add_string_value (b, entry->token_in);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "host");
      json_builder_add_string_value (b, arcpass_sandbox_host_get_name (entry->host));
      json_builder_set_member_name (b, "token_issuer");
      if (entry->token_issuer)
        json_builder_add_string_value (b, entry->token_issuer);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "duration_us");
      json_builder_add_int_value (b, entry->duration_us);
      json_builder_set_member_name (b, "time");
      json_builder_add_int_value (b, entry->time);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  sb_respond_json (req, SOUP_STATUS_OK, sb_request_get_format (req, SB_FORMAT_JSON), node);
}

static gboolean
fault_mode_is_valid (const char *mode)
{
  guint64 value;

  if (!mode)
    return FALSE;
  if (g_str_has_prefix (mode, "status:"))
    return g_ascii_string_to_unsigned (mode + 7, 10, 100, 599, &value, NULL);
  if (g_str_has_prefix (mode, "delay:"))
    return g_ascii_string_to_unsigned (mode + 6, 10, 0, 600000, &value, NULL);
  if (g_str_has_prefix (mode, "ratelimit:"))
    return g_ascii_string_to_unsigned (mode + 10, 10, 0, 86400, &value, NULL);
  if (g_str_has_prefix (mode, "gateway:"))
    return g_strv_contains ((const char * const[]) { "502", "503", "504", NULL }, mode + 8);
  if (g_str_has_prefix (mode, "toplevel:"))
    return g_ascii_string_to_unsigned (mode + 9, 10, 400, 599, &value, NULL);
  return g_strv_contains (fault_modes, mode);
}

static void
control_handle (SbRequest *req)
{
  ArcpassSandbox *self = req->sandbox;
  const char *sub = req->path + strlen ("/_sandbox");
  gboolean is_post = strcmp (req->method, "POST") == 0;
  GInetSocketAddress *remote = G_INET_SOCKET_ADDRESS (
    soup_server_message_get_remote_address (req->msg));

  /* The control API can rewrite time and break responses: only the local
   * machine may use it, even if the server is ever bound more widely. */
  if (!remote || !g_inet_address_get_is_loopback (g_inet_socket_address_get_address (remote)))
    {
      sb_respond_error (req, SOUP_STATUS_FORBIDDEN, SB_FORMAT_JSON, 403,
                        "The sandbox control API only answers loopback clients.", NULL);
      return;
    }

  if (strcmp (sub, "") == 0 || strcmp (sub, "/") == 0 || strcmp (sub, "/state") == 0)
    {
      control_respond_state (req);
    }
  else if (strcmp (sub, "/clock") == 0)
    {
      if (is_post)
        {
          const char *advance = sb_request_get_param (req, "advance");
          gint64 seconds;

          if (!advance || !g_ascii_string_to_signed (advance, 10, -G_MAXINT32, G_MAXINT32,
                                                    &seconds, NULL))
            {
              sb_respond_error (req, SOUP_STATUS_BAD_REQUEST, SB_FORMAT_JSON, 400,
                                "'advance' must be a number of seconds.", NULL);
              return;
            }
          arcpass_sandbox_advance_clock (self, seconds);
        }
      control_respond_state (req);
    }
  else if (strcmp (sub, "/fault") == 0 && is_post)
    {
      const char *path = sb_request_get_param (req, "path");
      const char *mode = sb_request_get_param (req, "mode");
      const char *count_str = sb_request_get_param (req, "count");
      guint64 count = 1;

      if (!path || path[0] != '/' || !fault_mode_is_valid (mode) ||
          (count_str && !g_ascii_string_to_unsigned (count_str, 10, 1, 100000, &count, NULL)))
        {
          const char * const details[] = {
            "path must start with '/'",
            "mode is status:NNN, delay:MS, malformed, truncate, close, token498, html403, "
            "ratelimit:SECONDS, gateway:502|503|504, toplevel:CODE (400-599) or moved",
            "count is a positive number (default 1)",
            NULL
          };

          sb_respond_error (req, SOUP_STATUS_BAD_REQUEST, SB_FORMAT_JSON, 400,
                            "Invalid fault.", details);
          return;
        }
      arcpass_sandbox_add_fault (self, path, mode, (guint) count);
      control_respond_state (req);
    }
  else if (strcmp (sub, "/config") == 0 && is_post)
    {
      const char *status = sb_request_get_param (req, "oauth_error_status");
      const char *old_enterprise = sb_request_get_param (req, "old_enterprise");
      const char *any_port = sb_request_get_param (req, "redirect_any_port");
      const char *register_uri = sb_request_get_param (req, "register_redirect_uri");

      if ((!status && !any_port && !register_uri && !old_enterprise) ||
          (status && g_strcmp0 (status, "200") != 0 && g_strcmp0 (status, "400") != 0) ||
          (any_port && g_strcmp0 (any_port, "0") != 0 && g_strcmp0 (any_port, "1") != 0) ||
          (old_enterprise && g_strcmp0 (old_enterprise, "0") != 0 &&
           g_strcmp0 (old_enterprise, "1") != 0) ||
          (register_uri && !*register_uri))
        {
          sb_respond_error (req, SOUP_STATUS_BAD_REQUEST, SB_FORMAT_JSON, 400,
                            "oauth_error_status must be 200 or 400, redirect_any_port and old_enterprise 0 or 1, "
                            "register_redirect_uri a URI.", NULL);
          return;
        }
      if (status)
        arcpass_sandbox_set_oauth_error_status (self, (guint) atoi (status));
      if (any_port)
        arcpass_sandbox_set_loopback_any_port (self, g_str_equal (any_port, "1"));
      if (register_uri)
        arcpass_sandbox_register_redirect_uri (self, register_uri);
      if (old_enterprise)
        arcpass_sandbox_set_old_enterprise (self, strcmp (old_enterprise, "1") == 0);
      control_respond_state (req);
    }
  else if (strcmp (sub, "/reset") == 0 && is_post)
    {
      arcpass_sandbox_reset (self);
      control_respond_state (req);
    }
  else if (strcmp (sub, "/log") == 0)
    {
      if (strcmp (req->method, "DELETE") == 0)
        {
          log_clear (self);
          control_respond_state (req);
        }
      else
        control_respond_log (req);
    }
  else if (strcmp (sub, "/fixtures") == 0)
    {
      g_autofree char *json = arcpass_sandbox_dup_fixtures_json (self);
      gsize len = strlen (json);
      g_autoptr(GBytes) body = g_bytes_new_take (g_steal_pointer (&json), len);

      sb_respond (req, SOUP_STATUS_OK, "application/json; charset=utf-8", body);
    }
  else
    {
      sb_respond_error (req, SOUP_STATUS_NOT_FOUND, SB_FORMAT_JSON, 404,
                        "Unknown control endpoint.", NULL);
    }
}

/* ------------------------------------------------------------- routing */

static void
respond_index (SbRequest *req)
{
  g_autofree char *html = g_strdup_printf (
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Arcpass sandbox</title></head>\n"
    "<body><h1>Arcpass sandbox portal</h1>\n<ul>\n"
    "<li><a href=\"%1$s/sharing/rest?f=pjson\">Portal REST root</a></li>\n"
    "<li><a href=\"%1$s/sharing/rest/info?f=pjson\">Portal info</a></li>\n"
    "<li><a href=\"%1$s/sharing/rest/portals/self?f=pjson\">portals/self</a></li>\n"
    "<li><a href=\"%2$s/arcgis/rest/services/World/GeocodeServer?f=pjson\">GeocodeServer</a></li>\n"
    "<li>%2$s/arcgis/rest/services/styles/v2/styles/self</li>\n"
    "<li>%2$s/arcgis/rest/services/static-basemap-tiles-service/v1/self</li>\n"
    "<li><a href=\"%1$s/_sandbox/fixtures\">Fixtures</a></li>\n"
    "</ul></body></html>\n", req->sandbox->url,
    sb_sandbox_host_url (req->sandbox, ARCPASS_SANDBOX_HOST_SERVICES));

  sb_respond_html (req, SOUP_STATUS_OK, html);
}

static void
respond_not_found (SbRequest *req)
{
  const char * const details[] = { "Invalid URL", NULL };

  sb_respond_error (req, SOUP_STATUS_NOT_FOUND, sb_request_get_format (req, SB_FORMAT_JSON),
                    404, "Not Found", details);
}

/* The portal's paths: the ArcGIS Online–like portal answers on its own host
 * and on the organisation's host, as www.arcgis.com and
 * <urlKey>.maps.arcgis.com do. */
static gboolean
route_portal (SbRequest *req)
{
  const char *path = req->path;
  const char *sub;

  if (strcmp (path, "/") == 0)
    {
      respond_index (req);
      return TRUE;
    }

  /* /sharing/ is the legacy alias of /sharing/rest/ that Esri's own OAuth
   * pages still use: serve both. */
  if ((sub = g_str_has_prefix (path, "/sharing/rest") ? path + strlen ("/sharing/rest") : NULL) &&
      (*sub == '\0' || *sub == '/') && sb_portal_handle (req, sub))
    return TRUE;
  if ((sub = g_str_has_prefix (path, "/sharing") ? path + strlen ("/sharing") : NULL) &&
      (*sub == '\0' || *sub == '/') && sb_portal_handle (req, sub))
    return TRUE;
  return FALSE;
}

/* The location services (geocode-api, basemapstyles-api,
 * static-map-tiles-api.arcgis.com) on their own host. */
static gboolean
route_services (SbRequest *req)
{
  const char *path = req->path;
  const char *sub;

  if ((sub = g_str_has_prefix (path, "/arcgis/rest/services/World/GeocodeServer")
             ? path + strlen ("/arcgis/rest/services/World/GeocodeServer") : NULL) &&
      (*sub == '\0' || *sub == '/') && sb_geocode_handle (req, sub))
    return TRUE;
  if (strcmp (path, "/arcgis/rest/info") == 0 && sb_geocode_handle (req, "/_info"))
    return TRUE;

  if ((sub = g_str_has_prefix (path, "/arcgis/rest/services/styles/v2")
             ? path + strlen ("/arcgis/rest/services/styles/v2") : NULL) &&
      (*sub == '\0' || *sub == '/') && sb_basemaps_handle (req, sub))
    return TRUE;

  if ((sub = g_str_has_prefix (path, "/arcgis/rest/services/static-basemap-tiles-service/v1")
             ? path + strlen ("/arcgis/rest/services/static-basemap-tiles-service/v1") : NULL) &&
      (*sub == '\0' || *sub == '/') && sb_static_tiles_handle (req, sub))
    return TRUE;
  return FALSE;
}

static void
route (SbRequest *req)
{
  gboolean handled = FALSE;

  switch (req->host)
    {
    case ARCPASS_SANDBOX_HOST_PORTAL:
    case ARCPASS_SANDBOX_HOST_ORG:
      handled = route_portal (req);
      break;
    case ARCPASS_SANDBOX_HOST_SERVICES:
      handled = route_services (req);
      break;
    case ARCPASS_SANDBOX_HOST_IDP:
      handled = sb_idp_handle (req);
      break;
    case ARCPASS_SANDBOX_HOST_ENTERPRISE:
      handled = sb_enterprise_handle (req);
      break;
    case ARCPASS_SANDBOX_HOST_WEBTIER:
      handled = sb_webtier_handle (req);
      break;
    case ARCPASS_SANDBOX_N_HOSTS:
    default:
      break;
    }

  if (!handled)
    respond_not_found (req);
}

static void
run_handler (SbRequest *req)
{
  req->sandbox->issuing_host = req->host;
  if (g_str_has_prefix (req->path, "/_sandbox"))
    control_handle (req);
  else
    route (req);
  req->sandbox->issuing_host = ARCPASS_SANDBOX_HOST_PORTAL;
}

static gboolean
delay_done_cb (gpointer user_data)
{
  SbRequest *req = user_data;

  if (req->disconnected)
    log_append (req->sandbox, req, 0);
  else
    run_handler (req);
  return G_SOURCE_REMOVE;
}

static SbFault *
take_fault (ArcpassSandbox *self,
            const char     *path)
{
  for (GList *l = self->faults; l; l = l->next)
    {
      SbFault *fault = l->data;

      if (g_str_has_prefix (path, fault->prefix))
        {
          SbFault *copy = g_new0 (SbFault, 1);

          copy->prefix = g_strdup (fault->prefix);
          copy->mode = g_strdup (fault->mode);
          if (--fault->remaining == 0)
            {
              self->faults = g_list_delete_link (self->faults, l);
              g_free (fault->prefix);
              g_free (fault->mode);
              g_free (fault);
            }
          return copy;
        }
    }
  return NULL;
}

static void
fault_free (SbFault *fault)
{
  g_free (fault->prefix);
  g_free (fault->mode);
  g_free (fault);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbFault, fault_free)

static void
extract_token (SbRequest *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *value;

  /* X-Esri-Authorization first: it exists so that web-tier authentication
   * can keep the standard header for itself. */
  if ((value = soup_message_headers_get_one (headers, "X-Esri-Authorization")) ||
      (value = soup_message_headers_get_one (headers, "Authorization")))
    {
      if (g_ascii_strncasecmp (value, "Bearer ", 7) == 0 && value[7])
        {
          req->token = g_strstrip (g_strdup (value + 7));
          req->token_in = "header";
          return;
        }
    }

  if (req->body_params && (value = g_hash_table_lookup (req->body_params, "token")) && *value)
    {
      req->token = g_strdup (value);
      req->token_in = "body";
      return;
    }

  if (req->query_params && (value = g_hash_table_lookup (req->query_params, "token")) && *value)
    {
      req->token = g_strdup (value);
      req->token_in = "query";
      return;
    }

  /* Other credential carriers are reported in the log too, so that tests can
   * check that secrets never travel in URLs. */
  if (req->query_params &&
      (g_hash_table_contains (req->query_params, "client_secret") ||
       g_hash_table_contains (req->query_params, "password") ||
       g_hash_table_contains (req->query_params, "refresh_token") ||
       g_hash_table_contains (req->query_params, "auth_token")))
    req->token_in = "query";
  else if (req->body_params &&
           (g_hash_table_contains (req->body_params, "client_secret") ||
            g_hash_table_contains (req->body_params, "password") ||
            g_hash_table_contains (req->body_params, "refresh_token") ||
            g_hash_table_contains (req->body_params, "auth_token")))
    req->token_in = "body";
}

static GHashTable *
lowercase_params (GHashTable *in)
{
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  if (!in)
    return out;
  g_hash_table_iter_init (&iter, in);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_replace (out, g_ascii_strdown (key, -1), g_strdup (value ? value : ""));
  return out;
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  ArcpassSandbox *self = user_data;
  g_autoptr(SbFault) fault = NULL;
  SbRequest *req;
  const char *content_type;
  GHashTableIter iter;
  gpointer key, value;

  req = g_new0 (SbRequest, 1);
  req->ref_count = 1;
  req->sandbox = g_object_ref (self);
  req->msg = g_object_ref (msg);
  req->method = g_strdup (soup_server_message_get_method (msg));
  {
    GSocketAddress *local = soup_server_message_get_local_address (msg);
    ArcpassSandboxHost host = ARCPASS_SANDBOX_HOST_PORTAL;

    if (G_IS_INET_SOCKET_ADDRESS (local))
      {
        g_autofree char *text = g_inet_address_to_string (
          g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));

        host = arcpass_sandbox_host_from_address (text);
        if ((int) host < 0)
          host = ARCPASS_SANDBOX_HOST_PORTAL;
      }
    req->host = host;
  }
  req->started_us = g_get_monotonic_time ();
  req->disconnected_id = g_signal_connect (msg, "disconnected",
                                           G_CALLBACK (message_disconnected_cb), req);

  /* Trailing slashes are not significant on ArcGIS REST paths. */
  req->path = g_strdup (path);
  while (strlen (req->path) > 1 && g_str_has_suffix (req->path, "/"))
    req->path[strlen (req->path) - 1] = '\0';

  req->query_params = lowercase_params (query);
  content_type = soup_message_headers_get_content_type (
    soup_server_message_get_request_headers (msg), NULL);
  if (g_strcmp0 (content_type, "application/x-www-form-urlencoded") == 0)
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
      g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      g_autoptr(GHashTable) form = soup_form_decode (text);

      req->body_params = lowercase_params (form);
      explicit_bzero (text, strlen (text));
    }

  /* Body parameters win over query parameters, as on a real POST. */
  req->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, req->query_params);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_replace (req->params, g_strdup (key), g_strdup (value));
  if (req->body_params)
    {
      g_hash_table_iter_init (&iter, req->body_params);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_replace (req->params, g_strdup (key), g_strdup (value));
    }

  extract_token (req);

  if (!g_str_has_prefix (req->path, "/_sandbox"))
    fault = take_fault (self, req->path);

  if (fault && strcmp (fault->mode, "close") == 0)
    {
      g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

      /* The connection dies after the response has started: a client
       * cannot mistake this for a stale keep-alive connection and silently
       * retry (libsoup does that when nothing at all was received). */
      static const char partial[] =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{";

      log_append (self, req, 0);
      req->responded = TRUE;
      if (stream)
        {
          g_output_stream_write_all (g_io_stream_get_output_stream (stream), partial,
                                     sizeof partial - 1, NULL, NULL, NULL);
          g_io_stream_close (stream, NULL, NULL);
        }
    }
  else if (fault && g_str_has_prefix (fault->mode, "status:"))
    {
      guint status = (guint) g_ascii_strtoull (fault->mode + 7, NULL, 10);
      const char *reason = soup_status_get_phrase (status);
      const char * const details[] = { "Fault injected by the Arcpass sandbox.", NULL };

      sb_respond_error (req, status, SB_FORMAT_JSON, (int) status,
                        reason ? reason : "Injected fault", details);
    }
  else if (fault && strcmp (fault->mode, "token498") == 0)
    {
      /* A classic service refusing the token it was given, as ArcGIS
       * Server does (HTTP 200, code 498 in the body), whatever the portal
       * thinks of the token: a stale token cache on one service, or a
       * service federated with another portal. */
      const char * const details[] = { NULL };

      sb_respond_error (req, SOUP_STATUS_OK, SB_FORMAT_JSON, 498, "Invalid Token", details);
    }
  else if (fault && strcmp (fault->mode, "html403") == 0)
    {
      /* What a CDN or web application firewall sends: its own page, not
       * ArcGIS's envelope, whatever format was asked for. */
      static const char page[] =
        "<!DOCTYPE html>\n<html><head><title>Access Denied</title></head>\n"
        "<body><h1>Access Denied</h1>\n"
        "<p>You don't have permission to access this resource on this server.</p>\n"
        "<p>Reference #18.5c2d3e17.1733450000.2f1a (Arcpass sandbox: html403 fault)</p>\n"
        "</body></html>\n";

      sb_respond_html (req, SOUP_STATUS_FORBIDDEN, page);
    }
  else if (fault && g_str_has_prefix (fault->mode, "ratelimit:"))
    {
      const char *seconds = fault->mode + 10;
      const char * const details[] = { "Fault injected by the Arcpass sandbox.", NULL };
      g_autofree char *text = g_strdup_printf ("Too many requests. Retry after %s seconds.",
                                               seconds);

      if (!req->disconnected)
        soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                      "Retry-After", seconds);
      sb_respond_error (req, 429, SB_FORMAT_JSON, 429, text, details);
    }
  else if (fault && g_str_has_prefix (fault->mode, "gateway:"))
    {
      /* A reverse proxy's page when the service behind it is down. */
      guint status = (guint) g_ascii_strtoull (fault->mode + 8, NULL, 10);
      const char *phrase = soup_status_get_phrase (status);
      g_autofree char *page = g_strdup_printf ("<html>\n<head><title>%u %s</title></head>\n"
                                               "<body>\n<center><h1>%u %s</h1></center>\n"
                                               "<hr><center>nginx</center>\n</body>\n</html>\n",
                                               status, phrase, status, phrase);

      sb_respond_html (req, status, page);
    }
  else if (fault && g_str_has_prefix (fault->mode, "toplevel:"))
    {
      /* {"code":…,"message":…} without an "error" envelope, over HTTP 200,
       * as some ArcGIS backends answer (rest-js checkForErrors). */
      guint code = (guint) g_ascii_strtoull (fault->mode + 9, NULL, 10);
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      const char *message;

      switch (code)
        {
        case 498:
          message = "Invalid token.";
          break;
        case 499:
          message = "Token required.";
          break;
        case 403:
          message = "You do not have permissions to access this resource or perform this operation.";
          break;
        case 429:
          message = "Too many requests.";
          break;
        default:
          message = "Unable to complete the operation.";
          break;
        }
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_int_value (b, code);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, message);
      json_builder_end_object (b);
      node = json_builder_get_root (b);
      sb_respond_json (req, SOUP_STATUS_OK, SB_FORMAT_JSON, node);
    }
  else if (fault && strcmp (fault->mode, "moved") == 0)
    {
      /* A portal that moved: the same path and query on another of the
       * sandbox's hosts (the organisation host, or the portal host for a
       * request that came to the organisation host). A client that followed
       * it would show up in the log as a request to that host. */
      ArcpassSandboxHost other = req->host == ARCPASS_SANDBOX_HOST_ORG ? ARCPASS_SANDBOX_HOST_PORTAL
                                                                        : ARCPASS_SANDBOX_HOST_ORG;
      GUri *uri = soup_server_message_get_uri (msg);
      const char *query_string = g_uri_get_query (uri);
      g_autofree char *location = g_strconcat (sb_sandbox_host_url (self, other), path,
                                               query_string ? "?" : "",
                                               query_string ? query_string : "", NULL);
      g_autoptr(GBytes) body = g_bytes_new_static ("", 0);

      if (!req->disconnected)
        soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                      "Location", location);
      sb_respond (req, SOUP_STATUS_MOVED_PERMANENTLY, "text/plain", body);
    }
  else if (fault && g_str_has_prefix (fault->mode, "delay:"))
    {
      guint ms = (guint) g_ascii_strtoull (fault->mode + 6, NULL, 10);
      GSource *source = g_timeout_source_new (ms);

      /* Pausing the message keeps the connection open without blocking the
       * main context; the handler runs when the delay has passed. */
      sb_request_defer (req);
      g_source_set_callback (source, delay_done_cb, sb_request_ref (req),
                             (GDestroyNotify) sb_request_unref);
      g_source_set_name (source, "[arcpass-sandbox] delay fault");
      g_source_attach (source, self->context);
      g_source_unref (source);
    }
  else
    {
      if (fault)
        req->fault_mode = g_strdup (fault->mode);
      run_handler (req);
    }

  sb_request_unref (req);
}

/* ------------------------------------------------------------- object */

static void
arcpass_sandbox_finalize (GObject *object)
{
  ArcpassSandbox *self = (ArcpassSandbox *) object;

  arcpass_sandbox_stop (self);
  g_list_free_full (self->faults, (GDestroyNotify) fault_free);
  log_clear (self);
  g_clear_pointer (&self->expiry, g_sequence_free);
  g_clear_pointer (&self->tokens, g_hash_table_unref);
  g_clear_pointer (&self->redirect_uris, g_ptr_array_unref);
  g_free (self->url);
  for (guint h = 0; h < ARCPASS_SANDBOX_N_HOSTS; h++)
    g_free (self->host_urls[h]);

  G_OBJECT_CLASS (arcpass_sandbox_parent_class)->finalize (object);
}

static void
arcpass_sandbox_class_init (ArcpassSandboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = arcpass_sandbox_finalize;
}

static void
arcpass_sandbox_init (ArcpassSandbox *self)
{
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) sb_token_free);
  self->expiry = g_sequence_new (NULL);
  self->created_at = g_get_real_time () / G_USEC_PER_SEC;
  self->oauth_error_status = SOUP_STATUS_OK;
  self->redirect_uris = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->url = g_strdup ("http://127.0.0.1:0");
  g_queue_init (&self->log);
}

ArcpassSandbox *
arcpass_sandbox_new (void)
{
  return g_object_new (ARCPASS_TYPE_SANDBOX, NULL);
}

/* The port the server listens on. Not through soup_server_get_uris():
 * libsoup 3.2 loses the socket address it makes there (valgrind). */
static guint16
listening_port (SoupServer *server)
{
  GSList *listeners = soup_server_get_listeners (server);
  guint16 port = 0;

  if (listeners != NULL)
    {
      g_autoptr(GSocketAddress) address = g_socket_get_local_address (listeners->data, NULL);

      if (G_IS_INET_SOCKET_ADDRESS (address))
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
    }
  g_slist_free (listeners);

  return port;
}

static gboolean
start_server (ArcpassSandbox   *self,
              guint16           port,
              GTlsCertificate  *certificate,
              GError          **error)
{
  g_autoptr(SoupServer) server = NULL;
  const char *scheme = certificate ? "https" : "http";
  /* With port 0 the kernel picks the portal's port, and the other hosts
   * must get the same one on their addresses; another program may hold it
   * there, so a few ports are tried. */
  guint attempts = port == 0 ? 8 : 1;

  g_return_val_if_fail (ARCPASS_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (!self->server, FALSE);

  for (guint attempt = 0; attempt < attempts; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      guint16 chosen = port;
      gboolean ok = TRUE;

      g_clear_object (&server);
      server = soup_server_new ("server-header", "ArcpassSandbox/" PACKAGE_VERSION " ", NULL);
      soup_server_add_handler (server, NULL, server_callback, self, NULL);
      if (certificate)
        soup_server_set_tls_certificate (server, certificate);

      for (guint h = 0; h < ARCPASS_SANDBOX_N_HOSTS && ok; h++)
        {
          g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (host_table[h].address);
          g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, chosen);

          ok = soup_server_listen (server, address,
                                   certificate ? SOUP_SERVER_LISTEN_HTTPS : 0, &local_error);
          if (ok && h == 0)
            chosen = listening_port (server);
        }

      if (ok)
        {
          port = chosen;
          break;
        }
      soup_server_disconnect (server);
      if (attempt + 1 == attempts)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  self->port = port;

  g_free (self->url);
  self->url = g_strdup_printf ("%s://127.0.0.1:%u", scheme, self->port);
  for (guint h = 0; h < ARCPASS_SANDBOX_N_HOSTS; h++)
    {
      g_free (self->host_urls[h]);
      self->host_urls[h] = g_strdup_printf ("%s://%s:%u", scheme, host_table[h].address,
                                            self->port);
    }
  self->server = g_steal_pointer (&server);
  self->context = g_main_context_ref_thread_default ();

  /* Real time moves the sandbox clock too, so expired tokens are also
   * reclaimed when nobody calls. */
  self->prune_source = g_timeout_source_new_seconds (60);
  g_source_set_callback (self->prune_source, prune_timeout_cb, self, NULL);
  g_source_set_name (self->prune_source, "[arcpass-sandbox] prune tokens");
  g_source_attach (self->prune_source, self->context);
  return TRUE;
}

gboolean
arcpass_sandbox_start (ArcpassSandbox  *self,
                       guint16          port,
                       GError         **error)
{
  return start_server (self, port, NULL, error);
}

gboolean
arcpass_sandbox_start_tls (ArcpassSandbox   *self,
                           guint16           port,
                           GTlsCertificate  *certificate,
                           GError          **error)
{
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), FALSE);

  return start_server (self, port, certificate, error);
}

void
arcpass_sandbox_stop (ArcpassSandbox *self)
{
  g_return_if_fail (ARCPASS_IS_SANDBOX (self));

  if (self->prune_source)
    {
      g_source_destroy (self->prune_source);
      g_clear_pointer (&self->prune_source, g_source_unref);
    }
  if (self->server)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }
  g_clear_pointer (&self->context, g_main_context_unref);
}

guint16
arcpass_sandbox_get_port (ArcpassSandbox *self)
{
  g_return_val_if_fail (ARCPASS_IS_SANDBOX (self), 0);
  return self->port;
}

const char *
arcpass_sandbox_get_url (ArcpassSandbox *self)
{
  g_return_val_if_fail (ARCPASS_IS_SANDBOX (self), NULL);
  return self->url;
}

gint64
arcpass_sandbox_get_now (ArcpassSandbox *self)
{
  g_return_val_if_fail (ARCPASS_IS_SANDBOX (self), 0);
  return g_get_real_time () / G_USEC_PER_SEC + self->clock_offset;
}

void
arcpass_sandbox_advance_clock (ArcpassSandbox *self,
                               gint64          seconds)
{
  g_return_if_fail (ARCPASS_IS_SANDBOX (self));
  self->clock_offset += seconds;
  tokens_prune (self);
}

void
arcpass_sandbox_add_fault (ArcpassSandbox *self,
                           const char     *path_prefix,
                           const char     *mode,
                           guint           count)
{
  SbFault *fault;

  g_return_if_fail (ARCPASS_IS_SANDBOX (self));
  g_return_if_fail (path_prefix != NULL);
  g_return_if_fail (fault_mode_is_valid (mode));

  if (count == 0)
    return;
  fault = g_new0 (SbFault, 1);
  fault->prefix = g_strdup (path_prefix);
  fault->mode = g_strdup (mode);
  fault->remaining = count;
  self->faults = g_list_append (self->faults, fault);
}

void
arcpass_sandbox_reset (ArcpassSandbox *self)
{
  g_return_if_fail (ARCPASS_IS_SANDBOX (self));

  g_list_free_full (g_steal_pointer (&self->faults), (GDestroyNotify) fault_free);
  log_clear (self);
  g_sequence_remove_range (g_sequence_get_begin_iter (self->expiry),
                           g_sequence_get_end_iter (self->expiry));
  g_hash_table_remove_all (self->tokens);
  self->clock_offset = 0;
  self->oauth_error_status = SOUP_STATUS_OK;
  self->loopback_any_port = FALSE;
  g_ptr_array_set_size (self->redirect_uris, 0);
  sb_enterprise_reset (self);
  self->old_enterprise = FALSE;
}

guint
arcpass_sandbox_get_token_count (ArcpassSandbox *self)
{
  g_return_val_if_fail (ARCPASS_IS_SANDBOX (self), 0);
  return g_hash_table_size (self->tokens);
}

void
arcpass_sandbox_set_oauth_error_status (ArcpassSandbox *self,
                                        guint           status)
{
  g_return_if_fail (ARCPASS_IS_SANDBOX (self));
  g_return_if_fail (status == 200 || status == 400);
  self->oauth_error_status = status;
}

void
arcpass_sandbox_set_old_enterprise (ArcpassSandbox *self,
                                    gboolean        old_enterprise)
{
  g_return_if_fail (ARCPASS_IS_SANDBOX (self));
  self->old_enterprise = !!old_enterprise;
}

gboolean
sb_sandbox_get_old_enterprise (ArcpassSandbox *self)
{
  return self->old_enterprise;
}

void
arcpass_sandbox_set_loopback_any_port (ArcpassSandbox *self,
                                       gboolean        any_port)
{
  g_return_if_fail (ARCPASS_IS_SANDBOX (self));
  self->loopback_any_port = !!any_port;
}

void
arcpass_sandbox_register_redirect_uri (ArcpassSandbox *self,
                                       const char     *redirect_uri)
{
  g_return_if_fail (ARCPASS_IS_SANDBOX (self));
  g_return_if_fail (redirect_uri != NULL);

  if (!g_strv_contains (sb_sandbox_get_registered_redirect_uris (self), redirect_uri))
    g_ptr_array_add (self->redirect_uris, g_strdup (redirect_uri));
}

gboolean
sb_sandbox_get_loopback_any_port (ArcpassSandbox *self)
{
  return self->loopback_any_port;
}

const char * const *
sb_sandbox_get_registered_redirect_uris (ArcpassSandbox *self)
{
  static const char * const none[] = { NULL };

  /* An empty array may have no storage at all. */
  return self->redirect_uris->pdata ? (const char * const *) self->redirect_uris->pdata : none;
}

gint64
sb_sandbox_get_created_at (ArcpassSandbox *self)
{
  return self->created_at;
}

guint
sb_sandbox_get_oauth_error_status (ArcpassSandbox *self)
{
  return self->oauth_error_status;
}

static void
add_strv (JsonBuilder        *b,
          const char         *name,
          const char * const *strv)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; strv && strv[i]; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

char *
arcpass_sandbox_dup_fixtures_json (ArcpassSandbox *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *sharing = NULL;

  g_return_val_if_fail (ARCPASS_IS_SANDBOX (self), NULL);

  sharing = g_strconcat (self->url, "/sharing/rest", NULL);

  json_builder_begin_object (b);
  add_string (b, "url", self->url);
  json_builder_set_member_name (b, "hosts");
  json_builder_begin_object (b);
  for (guint h = 0; h < ARCPASS_SANDBOX_N_HOSTS; h++)
    add_string (b, host_table[h].name, sb_sandbox_host_url (self, h));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "endpoints");
  json_builder_begin_object (b);
  add_string (b, "portal", sharing);
  {
    g_autofree char *s = NULL;

    s = g_strconcat (sharing, "/oauth2/authorize", NULL);
    add_string (b, "authorize", s);
    g_free (s);
    s = g_strconcat (sharing, "/oauth2/token", NULL);
    add_string (b, "token", s);
    g_free (s);
    s = g_strconcat (sharing, "/oauth2/revokeToken", NULL);
    add_string (b, "revokeToken", s);
    g_free (s);
    s = g_strconcat (sharing, "/generateToken", NULL);
    add_string (b, "generateToken", s);
    g_free (s);
    s = g_strconcat (sb_sandbox_host_url (self, ARCPASS_SANDBOX_HOST_SERVICES), "/arcgis/rest/services/World/GeocodeServer", NULL);
    add_string (b, "geocode", s);
    g_free (s);
    s = g_strconcat (sb_sandbox_host_url (self, ARCPASS_SANDBOX_HOST_SERVICES), "/arcgis/rest/services/styles/v2", NULL);
    add_string (b, "basemapStyles", s);
    g_free (s);
    s = g_strconcat (sb_sandbox_host_url (self, ARCPASS_SANDBOX_HOST_SERVICES), "/arcgis/rest/services/static-basemap-tiles-service/v1", NULL);
    add_string (b, "staticBasemapTiles", s);
    g_free (s);
    s = g_strconcat (self->url, "/_sandbox", NULL);
    add_string (b, "control", s);
  }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "users");
  json_builder_begin_array (b);
  for (guint i = 0; sb_users[i].username; i++)
    {
      json_builder_begin_object (b);
      add_string (b, "username", sb_users[i].username);
      add_string (b, "password", sb_users[i].password);
      add_string (b, "fullName", sb_users[i].full_name);
      add_string (b, "role", sb_users[i].role);
      add_string (b, "orgId", sb_user_get_org_id (&sb_users[i]));
      add_strv (b, "privileges", sb_users[i].privileges);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "apps");
  json_builder_begin_array (b);
  for (guint i = 0; sb_apps[i].client_id; i++)
    {
      json_builder_begin_object (b);
      add_string (b, "client_id", sb_apps[i].client_id);
      add_string (b, "client_secret", sb_apps[i].client_secret);
      add_string (b, "title", sb_apps[i].title);
      add_strv (b, "redirect_uris", sb_apps[i].redirect_uris);
      add_strv (b, "privileges", sb_apps[i].privileges);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "apiKeys");
  json_builder_begin_array (b);
  for (guint i = 0; sb_api_keys[i].key; i++)
    {
      json_builder_begin_object (b);
      add_string (b, "name", sb_api_keys[i].name);
      add_string (b, "key", sb_api_keys[i].key);
      add_string (b, "title", sb_api_keys[i].title);
      add_strv (b, "privileges", sb_api_keys[i].privileges);
      json_builder_set_member_name (b, "expires");
      if (sb_api_keys[i].lifetime == 0)
        json_builder_add_null_value (b);
      else
        json_builder_add_int_value (b, (self->created_at + sb_api_keys[i].lifetime) * 1000);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "lifetimes");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "access_token");
  json_builder_add_int_value (b, 1800);
  json_builder_set_member_name (b, "refresh_token");
  json_builder_add_int_value (b, 1209600);
  json_builder_set_member_name (b, "app_token");
  json_builder_add_int_value (b, 7200);
  json_builder_set_member_name (b, "authorization_code");
  json_builder_add_int_value (b, 600);
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return node_to_string (root, TRUE);
}
