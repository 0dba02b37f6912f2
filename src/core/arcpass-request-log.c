/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "arcpass-json.h"
#include "arcpass-request-log.h"

/* ---- Redaction --------------------------------------------------------- */

static const char * const secret_names[] = {
  "token", "access_token", "refresh_token", "client_secret", "password",
  "auth_token", "code", "code_verifier", "apikey", "api_key", "appinfotoken",
  "sessiontoken", "oauth_state", "key", "secret", "x-esri-authorization",
  "authorization", "cookie", "set-cookie", NULL
};

gboolean
arcpass_redact_is_secret_name (const char *name)
{
  if (name == NULL)
    return FALSE;

  for (guint i = 0; secret_names[i] != NULL; i++)
    if (g_ascii_strcasecmp (name, secret_names[i]) == 0)
      return TRUE;

  return FALSE;
}

/* Redacts the values of secret keys in an `a=b&c=d` string. Pieces that are
 * not key=value pairs are copied as they are. */
static void
append_redacted_pairs (GString    *out,
                       const char *pairs)
{
  g_auto(GStrv) parts = g_strsplit (pairs, "&", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      g_autofree char *raw_name = eq ? g_strndup (parts[i], eq - parts[i]) : NULL;
      g_autofree char *name = raw_name ? g_uri_unescape_string (raw_name, NULL) : NULL;

      if (i > 0)
        g_string_append_c (out, '&');

      if (eq != NULL && arcpass_redact_is_secret_name (name ? name : raw_name))
        {
          g_string_append_len (out, parts[i], eq - parts[i] + 1);
          g_string_append (out, ARCPASS_REDACTED);
        }
      else
        g_string_append (out, parts[i]);
    }
}

char *
arcpass_redact_form (const char *form)
{
  GString *out;

  if (form == NULL)
    return NULL;

  out = g_string_new (NULL);
  append_redacted_pairs (out, form);
  return g_string_free (out, FALSE);
}

char *
arcpass_redact_url (const char *url)
{
  GString *out;
  const char *query;
  const char *fragment;
  const char *scheme_end;
  const char *at;
  const char *host_end;

  if (url == NULL)
    return NULL;

  out = g_string_new (NULL);

  /* user:password@ → [REDACTED]@ */
  scheme_end = strstr (url, "://");
  host_end = scheme_end ? strpbrk (scheme_end + 3, "/?#") : NULL;
  at = scheme_end ? strchr (scheme_end + 3, '@') : NULL;
  if (at != NULL && (host_end == NULL || at < host_end))
    {
      g_string_append_len (out, url, scheme_end + 3 - url);
      g_string_append (out, ARCPASS_REDACTED);
      url = at;
    }

  query = strchr (url, '?');
  fragment = strchr (url, '#');
  if (query != NULL && fragment != NULL && fragment < query)
    query = NULL;

  if (query == NULL && fragment == NULL)
    {
      g_string_append (out, url);
      return g_string_free (out, FALSE);
    }

  g_string_append_len (out, url, (query ? query : fragment) - url);

  if (query != NULL)
    {
      g_autofree char *q = fragment ? g_strndup (query + 1, fragment - query - 1)
                                    : g_strdup (query + 1);
      g_string_append_c (out, '?');
      append_redacted_pairs (out, q);
    }

  /* The implicit grant puts access_token in the fragment. */
  if (fragment != NULL)
    {
      g_string_append_c (out, '#');
      append_redacted_pairs (out, fragment + 1);
    }

  return g_string_free (out, FALSE);
}

/* Bodies and headers are remote bytes, not always UTF-8. In its default UTF-8
 * mode, GRegex with JIT (G_REGEX_OPTIMIZE) does not validate the subject: it
 * reads past the end of the buffer on invalid UTF-8 (found by fuzzing). Without
 * JIT (or where PCRE2 has none) it fails, and the text was logged unredacted.
 * The patterns are ASCII, so matching bytes (G_REGEX_RAW) redacts the same in
 * valid UTF-8 and also works on anything else. */
#define REGEX_FLAGS (G_REGEX_OPTIMIZE | G_REGEX_RAW)

static GRegex *
pair_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    {
      GRegex *r = g_regex_new ("(?i)(?<![A-Za-z0-9_])(token|access_token|refresh_token|client_secret|"
                               "password|auth_token|code|code_verifier|apikey|api_key|appinfotoken|"
                               "sessiontoken|oauth_state|key|secret)(=|%3D)[^&\"'\\s<>]+",
                               REGEX_FLAGS, 0, NULL);
      g_once_init_leave (&regex, r);
    }

  return regex;
}

static GRegex *
json_member_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    {
      /* Also matches an unterminated value, as in a truncated body. */
      GRegex *r = g_regex_new ("(?i)(\"(?:token|access_token|refresh_token|client_secret|password|"
                               "auth_token|code|code_verifier|apikey|api_key|appinfotoken|"
                               "sessiontoken|oauth_state|key|secret)\"\\s*:\\s*)\"[^\"]*\"?",
                               REGEX_FLAGS, 0, NULL);
      g_once_init_leave (&regex, r);
    }

  return regex;
}

static GRegex *
html_input_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    {
      /* <input name="code" value="…"> on approval pages and sign-in forms. */
      GRegex *r = g_regex_new ("(?i)(name=[\"'](?:token|access_token|refresh_token|client_secret|"
                               "password|auth_token|code|code_verifier|oauth_state|key)[\"'][^>]*?"
                               "value=[\"'])[^\"']*|(id=[\"']code[\"'][^>]*?value=[\"'])[^\"']*",
                               REGEX_FLAGS, 0, NULL);
      g_once_init_leave (&regex, r);
    }

  return regex;
}

/* Pattern-based redaction for anything that is not (valid) JSON: HTML
 * pages, truncated bodies, header values. */
static char *
redact_text_patterns (const char *text)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  /* A failed replacement (a match limit on a huge body) must not hand back
   * the text with its secrets: nothing of it is logged then. */
  a = g_regex_replace (pair_regex (), text, -1, 0, "\\1\\2" ARCPASS_REDACTED, 0, NULL);
  if (a != NULL)
    b = g_regex_replace (json_member_regex (), a, -1, 0, "\\1\"" ARCPASS_REDACTED "\"", 0, NULL);
  if (b != NULL)
    c = g_regex_replace (html_input_regex (), b, -1, 0, "\\1\\2" ARCPASS_REDACTED, 0, NULL);
  /* Titles of the oob approval page: "SUCCESS code=…" is caught above. */

  return c != NULL ? g_steal_pointer (&c) : g_strdup (ARCPASS_REDACTED);
}

static void redact_node (JsonNode *node);

static void
redact_object_member (JsonObject  *object,
                      const char  *member,
                      JsonNode    *node,
                      gpointer     user_data)
{
  if (arcpass_redact_is_secret_name (member) && JSON_NODE_HOLDS_VALUE (node))
    {
      json_object_set_string_member (object, member, ARCPASS_REDACTED);
      return;
    }

  redact_node (node);
}

static void
redact_node (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      GList *members = json_object_get_members (object);

      for (GList *l = members; l; l = l->next)
        redact_object_member (object, l->data, json_object_get_member (object, l->data), NULL);
      g_list_free (members);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        redact_node (json_array_get_element (array, i));
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);

      /* Style JSON echoes tokens into its resource URLs (echoToken). */
      if (s != NULL && (strchr (s, '?') != NULL || strchr (s, '=') != NULL))
        {
          g_autofree char *redacted = redact_text_patterns (s);
          json_node_set_string (node, redacted);
        }
    }
}

char *
arcpass_redact_json (const char *json)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *repaired = NULL;
  JsonNode *root;

  if (json == NULL)
    return NULL;

  parser = json_parser_new ();
  repaired = arcpass_json_repair_surrogates (json, -1);
  if (!arcpass_json_is_single_value (json, -1) ||
      !json_parser_load_from_data (parser, repaired ? repaired : json, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL)
    return redact_text_patterns (json);

  redact_node (root);

  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  return arcpass_json_generator_to_data (generator);
}

char *
arcpass_redact_header (const char *name,
                       const char *value)
{
  if (value == NULL)
    value = "";

  if (g_ascii_strcasecmp (name, "Authorization") == 0 ||
      g_ascii_strcasecmp (name, "X-Esri-Authorization") == 0 ||
      g_ascii_strcasecmp (name, "Proxy-Authorization") == 0)
    {
      const char *space = strchr (value, ' ');

      /* Keep the scheme ("Bearer"): it is useful and not secret. */
      if (space != NULL)
        return g_strdup_printf ("%s: %.*s %s", name, (int) (space - value), value, ARCPASS_REDACTED);
      return g_strdup_printf ("%s: %s", name, ARCPASS_REDACTED);
    }

  if (arcpass_redact_is_secret_name (name))
    return g_strdup_printf ("%s: %s", name, ARCPASS_REDACTED);

  {
    g_autofree char *redacted = redact_text_patterns (value);
    return g_strdup_printf ("%s: %s", name, redacted);
  }
}

char *
arcpass_redact_known (const char         *text,
                      const char * const *secrets)
{
  GString *out;

  if (text == NULL)
    return NULL;

  out = g_string_new (text);
  for (guint i = 0; secrets != NULL && secrets[i] != NULL; i++)
    {
      /* Short strings would redact ordinary words; real secrets are long. */
      if (strlen (secrets[i]) < 6)
        continue;
      g_string_replace (out, secrets[i], ARCPASS_REDACTED, 0);
    }

  return g_string_free (out, FALSE);
}

/* ---- ArcpassRequestRecord --------------------------------------------- */

struct _ArcpassRequestRecord
{
  GObject parent_instance;

  ArcpassService service;
  char *method;
  char *url;
  guint status;
  char *error_message;
  gint64 started;
  double duration_ms;
  char *request_headers;
  char *request_body;
  guint64 request_size;
  char *response_headers;
  char *response_body;
  guint64 response_size;
};

G_DEFINE_FINAL_TYPE (ArcpassRequestRecord, arcpass_request_record, G_TYPE_OBJECT)

enum {
  REC_PROP_0,
  REC_PROP_METHOD,
  REC_PROP_URL,
  REC_PROP_STATUS,
  REC_PROP_ERROR_MESSAGE,
  REC_PROP_DURATION_MS,
  REC_PROP_REQUEST_SIZE,
  REC_PROP_RESPONSE_SIZE,
  REC_PROP_REQUEST_HEADERS,
  REC_PROP_REQUEST_BODY,
  REC_PROP_RESPONSE_HEADERS,
  REC_PROP_RESPONSE_BODY,
  REC_PROP_SERVICE,
  REC_PROP_STARTED,
  REC_N_PROPS
};

static GParamSpec *record_properties[REC_N_PROPS];

static void
arcpass_request_record_finalize (GObject *object)
{
  ArcpassRequestRecord *self = (ArcpassRequestRecord *)object;

  g_free (self->method);
  g_free (self->url);
  g_free (self->error_message);
  g_free (self->request_headers);
  g_free (self->request_body);
  g_free (self->response_headers);
  g_free (self->response_body);

  G_OBJECT_CLASS (arcpass_request_record_parent_class)->finalize (object);
}

static void
arcpass_request_record_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  ArcpassRequestRecord *self = ARCPASS_REQUEST_RECORD (object);

  switch (prop_id)
    {
    case REC_PROP_METHOD:
      g_value_set_string (value, self->method);
      break;
    case REC_PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case REC_PROP_STATUS:
      g_value_set_uint (value, self->status);
      break;
    case REC_PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    case REC_PROP_DURATION_MS:
      g_value_set_double (value, self->duration_ms);
      break;
    case REC_PROP_REQUEST_SIZE:
      g_value_set_uint64 (value, self->request_size);
      break;
    case REC_PROP_RESPONSE_SIZE:
      g_value_set_uint64 (value, self->response_size);
      break;
    case REC_PROP_REQUEST_HEADERS:
      g_value_set_string (value, self->request_headers);
      break;
    case REC_PROP_REQUEST_BODY:
      g_value_set_string (value, self->request_body);
      break;
    case REC_PROP_RESPONSE_HEADERS:
      g_value_set_string (value, self->response_headers);
      break;
    case REC_PROP_RESPONSE_BODY:
      g_value_set_string (value, self->response_body);
      break;
    case REC_PROP_SERVICE:
      g_value_set_enum (value, self->service);
      break;
    case REC_PROP_STARTED:
      g_value_set_int64 (value, self->started);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_request_record_class_init (ArcpassRequestRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = arcpass_request_record_finalize;
  object_class->get_property = arcpass_request_record_get_property;

  record_properties[REC_PROP_METHOD] = g_param_spec_string ("method", NULL, NULL, NULL, flags);
  record_properties[REC_PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, flags);
  record_properties[REC_PROP_STATUS] = g_param_spec_uint ("status", NULL, NULL, 0, G_MAXUINT, 0, flags);
  record_properties[REC_PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, flags);
  record_properties[REC_PROP_DURATION_MS] = g_param_spec_double ("duration-ms", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  record_properties[REC_PROP_REQUEST_SIZE] = g_param_spec_uint64 ("request-size", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  record_properties[REC_PROP_RESPONSE_SIZE] = g_param_spec_uint64 ("response-size", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  record_properties[REC_PROP_REQUEST_HEADERS] = g_param_spec_string ("request-headers", NULL, NULL, NULL, flags);
  record_properties[REC_PROP_REQUEST_BODY] = g_param_spec_string ("request-body", NULL, NULL, NULL, flags);
  record_properties[REC_PROP_RESPONSE_HEADERS] = g_param_spec_string ("response-headers", NULL, NULL, NULL, flags);
  record_properties[REC_PROP_RESPONSE_BODY] = g_param_spec_string ("response-body", NULL, NULL, NULL, flags);
  record_properties[REC_PROP_SERVICE] = g_param_spec_enum ("service", NULL, NULL, ARCPASS_TYPE_SERVICE,
                                                           ARCPASS_SERVICE_NONE, flags);
  record_properties[REC_PROP_STARTED] = g_param_spec_int64 ("started", NULL, NULL, 0, G_MAXINT64, 0, flags);

  g_object_class_install_properties (object_class, REC_N_PROPS, record_properties);
}

static void
arcpass_request_record_init (ArcpassRequestRecord *self)
{
}

#define RECORD_GETTER(type, name, def)                                        \
type                                                                          \
arcpass_request_record_get_##name (ArcpassRequestRecord *self)               \
{                                                                             \
  g_return_val_if_fail (ARCPASS_IS_REQUEST_RECORD (self), def);               \
  return self->name;                                                          \
}

RECORD_GETTER (const char *, method, NULL)
RECORD_GETTER (const char *, url, NULL)
RECORD_GETTER (guint, status, 0)
RECORD_GETTER (const char *, error_message, NULL)
RECORD_GETTER (double, duration_ms, 0)
RECORD_GETTER (guint64, request_size, 0)
RECORD_GETTER (guint64, response_size, 0)
RECORD_GETTER (const char *, request_headers, NULL)
RECORD_GETTER (const char *, request_body, NULL)
RECORD_GETTER (const char *, response_headers, NULL)
RECORD_GETTER (const char *, response_body, NULL)
RECORD_GETTER (ArcpassService, service, ARCPASS_SERVICE_NONE)
RECORD_GETTER (gint64, started, 0)

#undef RECORD_GETTER

static char *
shell_quote_single (const char *s)
{
  return g_shell_quote (s);
}

char *
arcpass_request_record_to_curl (ArcpassRequestRecord *self)
{
  GString *out;
  g_autofree char *url = NULL;

  g_return_val_if_fail (ARCPASS_IS_REQUEST_RECORD (self), NULL);

  out = g_string_new ("curl");
  if (g_strcmp0 (self->method, "GET") != 0)
    g_string_append_printf (out, " -X %s", self->method);

  /* The token is a shell variable so the line can be shared: the reader
   * sets ARCGIS_TOKEN (for example with `arcpass token --format env`). */
  if (self->request_headers != NULL && strstr (self->request_headers, "X-Esri-Authorization") != NULL)
    g_string_append (out, " -H \"X-Esri-Authorization: Bearer $ARCGIS_TOKEN\"");

  if (self->request_body != NULL && *self->request_body != '\0')
    {
      g_autofree char *body = shell_quote_single (self->request_body);
      g_string_append_printf (out, " --data %s", body);
    }

  url = shell_quote_single (self->url);
  g_string_append_printf (out, " %s", url);

  return g_string_free (out, FALSE);
}

/* ---- ArcpassRequestLog ------------------------------------------------ */

struct _ArcpassRequestLog
{
  GObject parent_instance;

  GPtrArray *records;
  guint max_records;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ArcpassRequestLog, arcpass_request_log, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return ARCPASS_TYPE_REQUEST_RECORD;
}

static guint
get_n_items (GListModel *model)
{
  return ARCPASS_REQUEST_LOG (model)->records->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  ArcpassRequestLog *self = ARCPASS_REQUEST_LOG (model);

  if (position >= self->records->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->records, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
arcpass_request_log_finalize (GObject *object)
{
  ArcpassRequestLog *self = (ArcpassRequestLog *)object;

  g_clear_pointer (&self->records, g_ptr_array_unref);

  G_OBJECT_CLASS (arcpass_request_log_parent_class)->finalize (object);
}

static void
arcpass_request_log_class_init (ArcpassRequestLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = arcpass_request_log_finalize;
}

static void
arcpass_request_log_init (ArcpassRequestLog *self)
{
  self->records = g_ptr_array_new_with_free_func (g_object_unref);
  self->max_records = 500;
}

ArcpassRequestLog *
arcpass_request_log_new (void)
{
  return g_object_new (ARCPASS_TYPE_REQUEST_LOG, NULL);
}

void
arcpass_request_log_clear (ArcpassRequestLog *self)
{
  guint n;

  g_return_if_fail (ARCPASS_IS_REQUEST_LOG (self));

  n = self->records->len;
  g_ptr_array_set_size (self->records, 0);
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
}

static void
trim (ArcpassRequestLog *self)
{
  if (self->records->len > self->max_records)
    {
      guint extra = self->records->len - self->max_records;

      g_ptr_array_remove_range (self->records, 0, extra);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, extra, 0);
    }
}

void
arcpass_request_log_set_max_records (ArcpassRequestLog *self,
                                     guint              max_records)
{
  g_return_if_fail (ARCPASS_IS_REQUEST_LOG (self));

  self->max_records = MAX (max_records, 1);
  trim (self);
}

static char *
redact_headers (const char         *headers,
                const char * const *secrets)
{
  g_auto(GStrv) lines = NULL;
  GString *out;

  if (headers == NULL)
    return NULL;

  out = g_string_new (NULL);
  lines = g_strsplit (headers, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');
      g_autofree char *name = NULL;
      g_autofree char *line = NULL;

      if (*lines[i] == '\0')
        continue;

      if (colon == NULL)
        {
          line = redact_text_patterns (lines[i]);
        }
      else
        {
          const char *value = colon + 1;

          while (*value == ' ')
            value++;
          name = g_strndup (lines[i], colon - lines[i]);
          line = arcpass_redact_header (name, value);
        }

      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }

  {
    g_autofree char *joined = g_string_free (out, FALSE);
    return arcpass_redact_known (joined, secrets);
  }
}

static char *
redact_body (const char         *body,
             const char * const *secrets)
{
  g_autofree char *redacted = NULL;
  const char *p;

  if (body == NULL)
    return NULL;

  for (p = body; g_ascii_isspace (*p); p++)
    ;

  if (*p == '{' || *p == '[')
    redacted = arcpass_redact_json (body);
  else if (*p != '<' && strchr (body, '=') != NULL && strchr (body, ' ') == NULL)
    redacted = arcpass_redact_form (body);
  else
    redacted = redact_text_patterns (body);

  return arcpass_redact_known (redacted, secrets);
}

ArcpassRequestRecord *
arcpass_request_log_append (ArcpassRequestLog  *self,
                            ArcpassService      service,
                            const char         *method,
                            const char         *url,
                            guint               status,
                            const char         *error_message,
                            gint64              started_usec,
                            double              duration_ms,
                            const char         *request_headers,
                            const char         *request_body,
                            guint64             request_size,
                            const char         *response_headers,
                            const char         *response_body,
                            guint64             response_size,
                            const char * const *secrets)
{
  ArcpassRequestRecord *record;
  g_autofree char *url_redacted = NULL;

  g_return_val_if_fail (ARCPASS_IS_REQUEST_LOG (self), NULL);

  record = g_object_new (ARCPASS_TYPE_REQUEST_RECORD, NULL);
  record->service = service;
  record->method = g_strdup (method);
  url_redacted = arcpass_redact_url (url);
  record->url = arcpass_redact_known (url_redacted, secrets);
  record->status = status;
  if (error_message != NULL)
    {
      g_autofree char *tmp = redact_text_patterns (error_message);
      record->error_message = arcpass_redact_known (tmp, secrets);
    }
  record->started = started_usec;
  record->duration_ms = duration_ms;
  record->request_headers = redact_headers (request_headers, secrets);
  record->request_body = redact_body (request_body, secrets);
  record->request_size = request_size;
  record->response_headers = redact_headers (response_headers, secrets);
  record->response_body = redact_body (response_body, secrets);
  record->response_size = response_size;

  g_ptr_array_add (self->records, record);
  g_list_model_items_changed (G_LIST_MODEL (self), self->records->len - 1, 0, 1);
  trim (self);

  return record;
}
