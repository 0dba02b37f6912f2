/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "arcpass-client.h"
#include "arcpass-error.h"
#include "arcpass-json.h"
#include "arcpass-portal.h"
#include "arcpass-request-log.h"
#include "arcpass-secret.h"

#define READ_CHUNK 16384

struct _ArcpassClient
{
  GObject parent_instance;

  SoupSession *session;
  ArcpassRequestLog *log;
  guint timeout;
  gsize max_response_size;

  ArcpassClockFunc clock_func;
  gpointer clock_data;
  GDestroyNotify clock_destroy;
};

G_DEFINE_FINAL_TYPE (ArcpassClient, arcpass_client, G_TYPE_OBJECT)

/* ---- Error mapping ------------------------------------------------------ */

static gboolean
contains_ci (const char *haystack,
             const char *needle)
{
  g_autofree char *h = NULL;
  g_autofree char *n = NULL;

  if (haystack == NULL)
    return FALSE;

  h = g_ascii_strdown (haystack, -1);
  n = g_ascii_strdown (needle, -1);
  return strstr (h, n) != NULL;
}

/* The name is translated, so its first letter may be any character. */
static char *
capitalize (const char *text)
{
  char first[8] = { 0 };

  if (*text == '\0')
    return g_strdup (text);
  g_unichar_to_utf8 (g_unichar_totitle (g_utf8_get_char (text)), first);
  return g_strconcat (first, g_utf8_next_char (text), NULL);
}

static gboolean
content_type_is_html (const char *content_type)
{
  return content_type != NULL &&
         (g_ascii_strcasecmp (content_type, "text/html") == 0 ||
          g_ascii_strcasecmp (content_type, "application/xhtml+xml") == 0);
}

/* Seconds to wait from a `Retry-After` value: delta-seconds or an HTTP date
 * (RFC 9110 §10.2.3); -1 when absent or unreadable. */
static gint64
parse_retry_after (const char *value,
                   gint64      now)
{
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) date = NULL;
  guint64 seconds;

  if (value == NULL)
    return -1;

  text = g_strstrip (g_strdup (value));
  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT32, &seconds, NULL))
    return (gint64) seconds;

  date = soup_date_time_new_from_http_string (text);
  if (date == NULL)
    return -1;

  return MAX (0, g_date_time_to_unix (date) - now);
}

/* "Try again in 30 seconds." and the like; never a promise more precise
 * than the server's. */
static char *
retry_sentence (gint64 seconds,
                gint64 now)
{
  if (seconds < 0)
    return g_strdup (_("Try again in a little while."));

  if (seconds <= 90)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Try again in %d second.",
                                         "Try again in %d seconds.", (gulong) MAX (seconds, 1)),
                            (int) MAX (seconds, 1));

  if (seconds < 2 * 3600)
    {
      int minutes = (int) ((seconds + 59) / 60);

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Try again in %d minute.",
                                           "Try again in %d minutes.", (gulong) minutes),
                              minutes);
    }

  {
    g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (now + seconds);
    g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;
    g_autofree char *when = local ? g_date_time_format (local, "%Y-%m-%d %H:%M") : NULL;

    /* Translators: %s is a local date and time such as 2026-12-06 14:30. */
    return g_strdup_printf (_("Try again after %s."), when ? when : "?");
  }
}

GError *
arcpass_error_new_from_response (ArcpassService  service,
                                 guint           http_status,
                                 JsonObject     *body)
{
  return arcpass_error_new_from_http (service, http_status, NULL, NULL, body, 0);
}

GError *
arcpass_error_new_from_http (ArcpassService      service,
                             guint               http_status,
                             const char         *host,
                             SoupMessageHeaders *headers,
                             JsonObject         *body,
                             gint64              now)
{
  JsonNode *error_node = NULL;
  JsonObject *error_object = NULL;
  const char *message = NULL;
  const char *oauth_error = NULL;
  const char *description = NULL;
  g_autoptr(GString) details = g_string_new (NULL);
  g_autofree char *said = NULL;
  const char *privilege = arcpass_service_get_privilege (service);
  const char *service_name = arcpass_service_get_name (service);
  /* The same name where it starts a sentence ("The portal is not …"). */
  g_autofree char *subject = capitalize (service_name);
  gint64 code = 0;
  gint64 top_code = 0;
  const char *all_text[4];
  const char *content_type = headers ? soup_message_headers_get_content_type (headers, NULL) : NULL;
  /* Which server said it, as "the geocoding service (geocode-api.arcgis.com)". */
  g_autofree char *who = NULL;
  g_autofree char *who_subject = NULL;

  if (now == 0)
    now = g_get_real_time () / G_USEC_PER_SEC;

  if (host != NULL && *host != '\0')
    {
      /* Translators: a service such as “the portal” and its host name. */
      who = g_strdup_printf (_("%s (%s)"), service_name, host);
      who_subject = g_strdup_printf (_("%s (%s)"), subject, host);
    }
  else
    {
      who = g_strdup (service_name);
      who_subject = g_strdup (subject);
    }

  /* An HTML page is never an ArcGIS answer, even one that happens to hold
   * braces: the status then comes from whatever stands in front of the
   * service (a CDN, a firewall, a gateway), not from ArcGIS. */
  if (content_type_is_html (content_type))
    body = NULL;

  /* Statuses that mean the same whatever the body says: the request was
   * not judged by ArcGIS, or not yet. */
  if (http_status == 429)
    {
      g_autofree char *retry = NULL;

      retry = retry_sentence (parse_retry_after (headers ? soup_message_headers_get_one (headers, "Retry-After")
                                                         : NULL, now),
                              now);
      return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_RATE_LIMITED,
                          /* Translators: the first %s is a service and its host, such
                           * as “The geocoding service (geocode-api.arcgis.com)”; the
                           * second says when to try again. */
                          _("%s has received too many requests and refused this one "
                            "(HTTP 429). %s Arcpass does not retry by itself."),
                          who_subject, retry);
    }

  if (body == NULL && http_status == 403)
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_BLOCKED,
                        /* Translators: the first %s is a service and its host, such as
                         * “The geocoding service (geocode-api.arcgis.com)”; the second a
                         * host name. */
                        _("%s was blocked on the way: a firewall, proxy or content filter "
                          "answered “forbidden” (HTTP 403) with its own page, not ArcGIS. "
                          "Your token and privileges were not checked. Try another network, "
                          "or ask the network’s administrator to allow %s."),
                        who_subject, host ? host : service_name);

  if (body == NULL && (http_status == 502 || http_status == 503 || http_status == 504))
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_SERVICE_UNAVAILABLE,
                        /* Translators: the first %s is a service and its host, such as
                         * “The geocoding service (geocode-api.arcgis.com)”; %u is an
                         * HTTP status such as 502 and the last %s its name (Bad Gateway). */
                        _("%s cannot be reached right now: the gateway in front of it "
                          "answered HTTP %u (%s). This is usually temporary; try again "
                          "later."),
                        who_subject, http_status, soup_status_get_phrase (http_status));

  if (body == NULL && http_status == 401 && headers != NULL)
    {
      const char *challenge = soup_message_headers_get_list (headers, "WWW-Authenticate");

      /* Web-tier authentication (IWA) answers every request before ArcGIS
       * sees it; calling that an invalid token sends the user the wrong
       * way (real-arcgis.md point 5). */
      if (challenge != NULL &&
          (contains_ci (challenge, "negotiate") || contains_ci (challenge, "ntlm")))
        return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_WEB_TIER_AUTH,
                            /* Translators: %s is a service and its host. */
                            _("%s asks for Windows sign-in (Kerberos or NTLM) at its web "
                              "server, before ArcGIS sees the request (web-tier "
                              "authentication). Arcpass could not sign in that way; ask the "
                              "portal’s administrator how to reach it from outside a "
                              "browser."),
                            who_subject);
    }

  if (body != NULL)
    error_node = json_object_get_member (body, "error");

  /* Some backends (billing among them) answer {"code":4xx,"message":…}
   * without an envelope, even over HTTP 200; rest-js's checkForErrors
   * treats that as an error, and so does Arcpass. */
  if ((error_node == NULL || JSON_NODE_HOLDS_NULL (error_node)) && body != NULL &&
      arcpass_json_object_get_optional_int (body, "code", &top_code, NULL) && top_code >= 400)
    {
      JsonArray *array = NULL;

      error_object = body;
      code = top_code;
      arcpass_json_object_get_optional_string (body, "message", &message, NULL);
      if (arcpass_json_object_get_optional_array (body, "details", &array, NULL) && array)
        {
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *node = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
                {
                  if (details->len > 0)
                    g_string_append (details, " ");
                  g_string_append (details, json_node_get_string (node));
                }
            }
        }
    }
  else if (error_node == NULL || JSON_NODE_HOLDS_NULL (error_node))
    {
      if (http_status == 0 || (http_status >= 200 && http_status < 300))
        return NULL;
    }
  else if (JSON_NODE_HOLDS_OBJECT (error_node))
    {
      JsonArray *array = NULL;

      error_object = json_node_get_object (error_node);
      /* Each piece is optional: the envelope varies between services. A
       * wrong-typed member is ignored rather than hiding the real error. */
      arcpass_json_object_get_optional_int (error_object, "code", &code, NULL);
      arcpass_json_object_get_optional_string (error_object, "message", &message, NULL);
      arcpass_json_object_get_optional_string (error_object, "error", &oauth_error, NULL);
      arcpass_json_object_get_optional_string (error_object, "error_description", &description, NULL);
      if (arcpass_json_object_get_optional_array (error_object, "details", &array, NULL) && array)
        {
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *node = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
                {
                  if (details->len > 0)
                    g_string_append (details, " ");
                  g_string_append (details, json_node_get_string (node));
                }
            }
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (error_node) && json_node_get_value_type (error_node) == G_TYPE_STRING)
    {
      /* Plain OAuth shape: {"error":"invalid_request","error_description":"…"} */
      oauth_error = json_node_get_string (error_node);
      arcpass_json_object_get_optional_string (body, "error_description", &description, NULL);
    }

  if (code == 0)
    code = http_status;

  if (message == NULL)
    message = description;
  if (description == NULL)
    description = message;

  /* Translators: appended to the messages below that end in %s; the
   * first two %s are what the server said, in its own language. */
  if (message != NULL || details->len > 0)
    said = g_strdup_printf (_(" (The server said: “%s%s%s”.)"),
                            message ? message : "",
                            message && details->len > 0 ? " " : "",
                            details->str);
  else
    said = g_strdup ("");

  all_text[0] = description;
  all_text[1] = message;
  all_text[2] = details->str;
  all_text[3] = oauth_error;

#define ANY_CONTAINS(needle) \
  (contains_ci (all_text[0], needle) || contains_ci (all_text[1], needle) || \
   contains_ci (all_text[2], needle) || contains_ci (all_text[3], needle))

  if (g_strcmp0 (oauth_error, "invalid_client_id") == 0 || ANY_CONTAINS ("invalid client_id") ||
      ANY_CONTAINS ("invalid client id"))
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_INVALID_CLIENT,
                        _("The portal does not know this client ID. Check the client ID of your "
                          "OAuth credential (developer dashboard → your credential → Client ID).%s"), said);

  if (ANY_CONTAINS ("client_secret"))
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_INVALID_CLIENT,
                        _("The client secret does not match this client ID. Copy it again from "
                          "the credential's page.%s"), said);

  if (ANY_CONTAINS ("redirect_uri") || ANY_CONTAINS ("redirect uri"))
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_REDIRECT_MISMATCH,
                        _("The redirect URI is not registered for this client ID. Add the exact "
                          "redirect URI (including the port) to the OAuth credential's redirect "
                          "URIs, then try again.%s"), said);

  if (g_strcmp0 (oauth_error, "access_denied") == 0)
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_ACCESS_DENIED,
                        _("Sign-in was cancelled or refused.%s"), said);

  if (ANY_CONTAINS ("refresh_token expired") || ANY_CONTAINS ("refresh token expired"))
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_EXPIRED,
                        _("The saved sign-in has expired. Sign in again.%s"), said);

  if (ANY_CONTAINS ("invalid refresh_token") || ANY_CONTAINS ("invalid refresh token"))
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_INVALID_GRANT,
                        _("The portal no longer accepts the saved sign-in (it was revoked or "
                          "replaced). Sign in again.%s"), said);

  if (g_strcmp0 (oauth_error, "invalid_grant") == 0 || ANY_CONTAINS ("code_verifier") ||
      ANY_CONTAINS ("authorization code") || ANY_CONTAINS ("invalid code"))
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_INVALID_GRANT,
                        _("The portal refused the sign-in code (already used, expired, or from "
                          "another attempt). Start the sign-in again.%s"), said);

  if (ANY_CONTAINS ("username or password") || ANY_CONTAINS ("unable to generate token"))
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_INVALID_CREDENTIALS,
                        _("The username or password is wrong. Usernames are case-sensitive.%s"), said);

  if (code == 429)
    {
      g_autofree char *retry = retry_sentence (-1, now);

      return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_RATE_LIMITED,
                          _("%s has received too many requests and refused this one "
                            "(HTTP 429). %s Arcpass does not retry by itself."),
                          who_subject, retry);
    }

  if (code == 498 || http_status == 498)
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_INVALID_TOKEN,
                        _("The token or API key is invalid or has expired. Refresh the token, "
                          "or create a new API key.%s"), said);

  if (code == 499 || http_status == 499)
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_REQUIRED,
                        /* Translators: the first %s is a service such as “the portal”
                         * (made upper case), the last is empty or “ (The server said: …)”. */
                        _("%s needs a token, and none was sent. Sign in or add an API key.%s"),
                        subject, said);

  if (code == 403 || http_status == 403 || ANY_CONTAINS ("does not have permission"))
    {
      if (ANY_CONTAINS ("store geocoding"))
        privilege = "premium:user:geocode:stored";

      if (privilege != NULL)
        return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_MISSING_PRIVILEGE,
                            /* Translators: the first %s is a privilege such as
                             * premium:user:basemaps, the second a service such as “the
                             * Basemap Styles service”. */
                            _("The token is valid but lacks the privilege “%s” needed by %s. "
                              "Add it to the API key's or the account's privileges.%s"),
                            privilege, service_name, said);
      return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_MISSING_PRIVILEGE,
                          /* Translators: the first %s is a service such as “the portal”. */
                          _("The token is valid but is not allowed to do this on %s. Ask the "
                            "organisation's administrator for the needed privilege.%s"),
                          service_name, said);
    }

  if (code == 401 || http_status == 401)
    {
      if (ANY_CONTAINS ("required") || ANY_CONTAINS ("missing"))
        return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_REQUIRED,
                            _("%s needs a token, and none was sent. Sign in or add an API key.%s"),
                            subject, said);
      return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_INVALID_TOKEN,
                          _("The token or API key is invalid or has expired. Refresh the token, "
                            "or create a new API key.%s"), said);
    }

  if (ANY_CONTAINS ("unable to find address"))
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND,
                        _("No address was found at this location.%s"), said);

  if (code == 404 || http_status == 404)
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND,
                        /* Translators: the first %s is a service such as “the portal”
                         * (made upper case). */
                        _("%s does not have this resource (HTTP 404). Check the address.%s"),
                        subject, said);

  if ((code >= 500 && code < 600) || (http_status >= 500 && http_status < 600))
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_SERVICE_UNAVAILABLE,
                        /* Translators: the first %s is a service such as “the portal”
                         * (made upper case), with its host when known. */
                        _("%s is not working right now (HTTP %u). Try again later.%s"),
                        who_subject, http_status >= 500 ? http_status : (guint) code, said);

#undef ANY_CONTAINS

  if (error_object != NULL || oauth_error != NULL)
    {
      g_autofree char *code_str = g_strdup_printf ("%" G_GINT64_FORMAT, code);

      return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_SERVICE_ERROR,
                          /* Translators: the first %s is a service such as “the portal”
                           * (made upper case), the second an ArcGIS error code such as
                           * 400, the last is empty or “ (The server said: …)”. */
                          _("%s returned an error (code %s).%s"),
                          subject, code_str, said);
    }

  return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_SERVICE_ERROR,
                      /* Translators: %s is a service such as “the portal” (made upper
                       * case), %u an HTTP status code. */
                      _("%s answered with HTTP %u."), subject, http_status);
}

/* ---- Object --------------------------------------------------------------- */

static void
arcpass_client_dispose (GObject *object)
{
  ArcpassClient *self = (ArcpassClient *)object;

  g_clear_object (&self->session);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (arcpass_client_parent_class)->dispose (object);
}

static void
arcpass_client_finalize (GObject *object)
{
  ArcpassClient *self = (ArcpassClient *)object;

  if (self->clock_destroy != NULL)
    self->clock_destroy (self->clock_data);

  G_OBJECT_CLASS (arcpass_client_parent_class)->finalize (object);
}

static void
arcpass_client_class_init (ArcpassClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = arcpass_client_dispose;
  object_class->finalize = arcpass_client_finalize;
}

static void
arcpass_client_init (ArcpassClient *self)
{
  self->timeout = ARCPASS_CLIENT_DEFAULT_TIMEOUT;
  self->max_response_size = ARCPASS_CLIENT_DEFAULT_MAX_RESPONSE_SIZE;
  /* No cookie jar: nothing of a portal session outlives a request. libsoup
   * allows only 2 connections per host by default; a map fetches its tiles
   * from one host, 6 at a time like a browser. */
  self->session = soup_session_new_with_options ("user-agent", "Arcpass/" PACKAGE_VERSION,
                                                 "timeout", self->timeout,
                                                 "idle-timeout", 60,
                                                 "max-conns-per-host", 6,
                                                 "max-conns", 24,
                                                 NULL);
  self->log = arcpass_request_log_new ();
}

ArcpassClient *
arcpass_client_new (void)
{
  return g_object_new (ARCPASS_TYPE_CLIENT, NULL);
}

ArcpassClient *
arcpass_client_get_default (void)
{
  static ArcpassClient *default_client;

  /* One SoupSession for the whole process: connections and TLS sessions are
   * shared by every account and window. */
  if (g_once_init_enter (&default_client))
    g_once_init_leave (&default_client, arcpass_client_new ());

  return default_client;
}

SoupSession *
arcpass_client_get_session (ArcpassClient *self)
{
  g_return_val_if_fail (ARCPASS_IS_CLIENT (self), NULL);
  return self->session;
}

ArcpassRequestLog *
arcpass_client_get_request_log (ArcpassClient *self)
{
  g_return_val_if_fail (ARCPASS_IS_CLIENT (self), NULL);
  return self->log;
}

void
arcpass_client_set_timeout (ArcpassClient *self,
                            guint          seconds)
{
  g_return_if_fail (ARCPASS_IS_CLIENT (self));

  self->timeout = seconds;
  soup_session_set_timeout (self->session, seconds);
}

guint
arcpass_client_get_timeout (ArcpassClient *self)
{
  g_return_val_if_fail (ARCPASS_IS_CLIENT (self), 0);
  return self->timeout;
}

void
arcpass_client_set_max_response_size (ArcpassClient *self,
                                      gsize          max_size)
{
  g_return_if_fail (ARCPASS_IS_CLIENT (self));
  self->max_response_size = max_size;
}

gint64
arcpass_client_get_now (ArcpassClient *self)
{
  g_return_val_if_fail (ARCPASS_IS_CLIENT (self), 0);

  if (self->clock_func != NULL)
    return self->clock_func (self->clock_data);

  return g_get_real_time () / G_USEC_PER_SEC;
}

void
arcpass_client_set_clock (ArcpassClient    *self,
                          ArcpassClockFunc  func,
                          gpointer          user_data,
                          GDestroyNotify    destroy)
{
  g_return_if_fail (ARCPASS_IS_CLIENT (self));

  if (self->clock_destroy != NULL)
    self->clock_destroy (self->clock_data);

  self->clock_func = func;
  self->clock_data = user_data;
  self->clock_destroy = destroy;
}

/* ---- Requests ----------------------------------------------------------- */

typedef struct {
  ArcpassService service;
  gboolean want_json;
  SoupMessage *message;
  char *method;
  char *url;            /* as sent (may hold a token if TOKEN_IN_QUERY) */
  char *body;           /* form body as sent (may hold secrets) */
  GPtrArray *secrets;   /* values to redact from the log (owned, cleared) */
  GInputStream *stream;
  GByteArray *buffer;
  GCancellable *inner_cancellable;
  GCancellable *outer_cancellable;
  gulong cancel_id;
  GSource *timeout_source;
  gboolean timed_out;
  gint64 started;
  gsize max_size;
  guint redirects;      /* same-origin GET redirects followed so far */
} Request;

static void
request_free (Request *request)
{
  if (request->outer_cancellable != NULL && request->cancel_id != 0)
    g_cancellable_disconnect (request->outer_cancellable, request->cancel_id);
  g_clear_object (&request->outer_cancellable);
  g_clear_object (&request->message);
  g_free (request->method);
  arcpass_secret_free (request->url);
  arcpass_secret_free (request->body);
  g_clear_pointer (&request->secrets, g_ptr_array_unref);
  g_clear_object (&request->stream);
  if (request->buffer != NULL)
    {
      if (request->buffer->len > 0)
        explicit_bzero (request->buffer->data, request->buffer->len);
      g_byte_array_unref (request->buffer);
    }
  if (request->timeout_source != NULL)
    {
      g_source_destroy (request->timeout_source);
      g_source_unref (request->timeout_source);
    }
  g_clear_object (&request->inner_cancellable);
  g_free (request);
}

static char *
headers_to_string (SoupMessageHeaders *headers)
{
  SoupMessageHeadersIter iter;
  const char *name, *value;
  GString *out = g_string_new (NULL);

  if (headers == NULL)
    return g_string_free (out, FALSE);

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_string_append_printf (out, "%s: %s\n", name, value);

  return g_string_free (out, FALSE);
}

static gboolean
content_is_text (const char  *content_type,
                 GByteArray  *buffer)
{
  if (content_type != NULL &&
      (g_str_has_prefix (content_type, "text/") || strstr (content_type, "json") != NULL ||
       strstr (content_type, "javascript") != NULL || strstr (content_type, "xml") != NULL ||
       strstr (content_type, "x-www-form-urlencoded") != NULL))
    return TRUE;

  return buffer != NULL && buffer->len > 0 &&
         g_utf8_validate ((const char *) buffer->data, buffer->len, NULL) &&
         memchr (buffer->data, '\0', buffer->len) == NULL;
}

static void
record_exchange (ArcpassClient *self,
                 Request       *request,
                 const char    *error_message)
{
  g_autofree char *request_headers = NULL;
  g_autofree char *response_headers = NULL;
  g_autofree char *response_body = NULL;
  g_autoptr(GPtrArray) secrets = g_ptr_array_new ();
  const char *content_type = NULL;
  guint status = 0;
  double duration_ms = (g_get_monotonic_time () - request->started) / 1000.0;

  request_headers = headers_to_string (soup_message_get_request_headers (request->message));
  status = soup_message_get_status (request->message);
  if (status != 0)
    {
      SoupMessageHeaders *headers = soup_message_get_response_headers (request->message);

      response_headers = headers_to_string (headers);
      content_type = soup_message_headers_get_content_type (headers, NULL);
    }

  if (request->buffer != NULL)
    {
      if (content_is_text (content_type, request->buffer))
        response_body = g_strndup ((const char *) request->buffer->data, request->buffer->len);
      else
        /* Translators: a stand-in for a response body in the request
         * inspector; %s is a content type such as image/png. */
        response_body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "<%u byte of %s>",
                                                      "<%u bytes of %s>", request->buffer->len),
                                         request->buffer->len,
                                         content_type ? content_type : _("binary data"));
    }

  for (guint i = 0; i < request->secrets->len; i++)
    g_ptr_array_add (secrets, g_ptr_array_index (request->secrets, i));
  g_ptr_array_add (secrets, NULL);

  arcpass_request_log_append (self->log, request->service, request->method, request->url,
                              status, error_message,
                              g_get_real_time () - (gint64) (duration_ms * 1000),
                              duration_ms,
                              request_headers, request->body,
                              request->body ? strlen (request->body) : 0,
                              response_headers, response_body,
                              request->buffer ? request->buffer->len : 0,
                              (const char * const *) secrets->pdata);

  /* Debug output goes through the same redaction as the log. */
  {
    g_autofree char *url = arcpass_redact_url (request->url);
    g_autofree char *safe_url = arcpass_redact_known (url, (const char * const *) secrets->pdata);

    g_debug ("%s %s → %u (%.0f ms)", request->method, safe_url, status, duration_ms);
  }
}

static GError *
map_transport_error (Request      *request,
                     const GError *error,
                     gboolean      reading_body)
{
  g_autofree char *host = NULL;
  GUri *uri = soup_message_get_uri (request->message);

  host = g_strdup (uri ? g_uri_get_host (uri) : _("the server"));

  if (request->timed_out || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_TIMEOUT,
                        _("%s did not answer in time. Check your connection and try again."), host);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));

  if (error->domain == G_TLS_ERROR)
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_NETWORK,
                        _("The secure connection to %s failed (%s). Its certificate may be "
                          "invalid; Arcpass never skips the check."), host, error->message);

  /* A transport failure in the middle of the body is a network problem
   * (worth retrying); a complete exchange whose document is cut is caught
   * later as a malformed answer. */
  if (reading_body)
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_NETWORK,
                        _("The connection to %s was closed before the whole answer arrived (%s). "
                          "Try again."), host, error->message);

  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_NETWORK,
                        _("The host %s was not found. Check the address."), host);

  return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_NETWORK,
                      _("Could not talk to %s: %s."), host, error->message);
}

static void
request_fail (GTask        *task,
              const GError *transport_error,
              gboolean      reading_body)
{
  ArcpassClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = map_transport_error (request, transport_error, reading_body);

  record_exchange (self, request, error->message);

  if (g_task_return_error_if_cancelled (task))
    return;

  g_task_return_error (task, g_steal_pointer (&error));
}

static void send_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data);

#define MAX_REDIRECTS 5

static gboolean
same_origin (GUri *a,
             GUri *b)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (a) ? g_uri_get_host (a) : "",
                             g_uri_get_host (b) ? g_uri_get_host (b) : "") == 0 &&
         g_uri_get_port (a) == g_uri_get_port (b);
}

/* The web adaptor of an ArcGIS URL: the path before its `sharing` or
 * `rest` segment (`/portal` of `/portal/sharing/rest/…`, `/server` of
 * `/server/rest/services/…`, empty for `/sharing/rest/…`). */
static char *
web_adaptor (GUri *uri)
{
  g_auto(GStrv) segments = g_strsplit (g_uri_get_path (uri), "/", -1);
  GString *prefix = g_string_new (NULL);

  for (guint i = 0; segments[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (segments[i], "sharing") == 0 ||
          g_ascii_strcasecmp (segments[i], "rest") == 0)
        return g_string_free (prefix, FALSE);
      if (*segments[i] != '\0')
        g_string_append_printf (prefix, "/%s", segments[i]);
    }
  /* Not an ArcGIS REST path: the whole host is one. */
  g_string_free (prefix, TRUE);
  return g_strdup ("");
}

/* Where a redirect may take a token: the same origin and the same web
 * adaptor. A portal and the server federated with it often share a host
 * (`/portal`, `/server`), and the server must only ever see a server token
 * (arcpass-token-scope.c), never the portal's. */
static gboolean
same_token_scope (GUri *a,
                  GUri *b)
{
  g_autofree char *adaptor_a = NULL;
  g_autofree char *adaptor_b = NULL;

  if (!same_origin (a, b))
    return FALSE;
  adaptor_a = web_adaptor (a);
  adaptor_b = web_adaptor (b);
  return g_ascii_strcasecmp (adaptor_a, adaptor_b) == 0;
}

/* The new address as the user may see it: no query (it may carry the
 * request's parameters) and no fragment. */
static char *
location_for_message (GUri *target)
{
  return g_uri_join (G_URI_FLAGS_ENCODED, g_uri_get_scheme (target), NULL,
                     g_uri_get_host (target), g_uri_get_port (target),
                     g_uri_get_path (target), NULL, NULL);
}

static GError *
moved_error (Request *request,
             guint    status,
             GUri    *target)
{
  g_autofree char *location = location_for_message (target);
  GUri *from = soup_message_get_uri (request->message);
  const char *from_host = from && g_uri_get_host (from) ? g_uri_get_host (from) : _("the server");
  g_autofree char *portal_url = NULL;

  /* A portal that moved is best named by its new portal address, which is
   * what the user types in Arcpass. */
  if ((request->service == ARCPASS_SERVICE_PORTAL || request->service == ARCPASS_SERVICE_OAUTH) &&
      arcpass_portal_normalize (location, &portal_url, NULL, NULL))
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_MOVED,
                        /* Translators: the first %s is the new portal address, %u an
                         * HTTP status such as 301, the last %s the old host. */
                        _("The portal moved to %s; use that address. (%s answered HTTP %u. "
                          "Arcpass does not follow a redirect with a sign-in or a token: the "
                          "request would lose its content, or carry it to another server.)"),
                        portal_url, from_host, status);

  {
    g_autofree char *subject = capitalize (arcpass_service_get_name (request->service));

    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_MOVED,
                        /* Translators: the first %s is a service such as “the geocoding
                         * service” (made upper case), the second its host, the third the
                         * new address; %u is an HTTP status such as 301. */
                        _("%s (%s) moved to %s (HTTP %u); use that address. Arcpass did not "
                          "follow the redirect, so that the token is not sent to another "
                          "server."),
                        subject, from_host, location, status);
  }
}

/* Redirects are never left to libsoup: it turns a POST answered 301/302/303
 * into a GET without the body, and would re-send X-Esri-Authorization to
 * whatever host the redirect names. A POST (every credential POST: token,
 * generateToken, revokeToken…) never follows one, nor does a request
 * carrying a token or a secret to another origin; a same-origin GET may. */
static void
request_redirected (GTask *task)
{
  ArcpassClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  SoupMessage *old_message = request->message;
  guint status = soup_message_get_status (old_message);
  const char *location = soup_message_headers_get_one (soup_message_get_response_headers (old_message),
                                                       "Location");
  GUri *base = soup_message_get_uri (old_message);
  g_autoptr(GUri) target = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *target_url = NULL;
  gboolean carries_secret = request->secrets->len > 0;
  SoupMessage *message;
  SoupMessageHeadersIter iter;
  const char *name, *value;

  if (location != NULL)
    target = g_uri_parse_relative (base, location, SOUP_HTTP_URI_FLAGS, NULL);
  if (target != NULL)
    target_url = g_uri_to_string (target);

  if (target == NULL || g_uri_get_host (target) == NULL)
    {
      g_autofree char *subject = capitalize (arcpass_service_get_name (request->service));

      error = g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_SERVICE_ERROR,
                           /* Translators: %s is a service such as “the portal” (made upper
                            * case), %u an HTTP status such as 301. */
                           _("%s answered with a redirect (HTTP %u) without a usable new "
                             "address. Check the address, or ask the service’s administrator."),
                           subject, status);
    }
  else if (g_strcmp0 (request->method, "GET") != 0 ||
           (carries_secret && !same_token_scope (base, target)) ||
           !arcpass_url_is_secure_enough (target_url))
    error = moved_error (request, status, target);
  else if (request->redirects >= MAX_REDIRECTS)
    {
      g_autofree char *subject = capitalize (arcpass_service_get_name (request->service));

      error = g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_SERVICE_ERROR,
                           /* Translators: %s is a service such as “the portal” (made upper
                            * case), %d a number. */
                           _("%s redirected the request more than %d times. Check the address, "
                             "or ask the service’s administrator."),
                           subject, MAX_REDIRECTS);
    }

  if (error != NULL)
    {
      record_exchange (self, request, error->message);
      if (!g_task_return_error_if_cancelled (task))
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Follow: the 3xx stays in the request log, then the same request goes
   * to the new address with the same headers. */
  record_exchange (self, request, NULL);

  message = soup_message_new_from_uri ("GET", target);
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_iter_init (&iter, soup_message_get_request_headers (old_message));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      /* The new message computes its own; a GET has no body. */
      if (g_ascii_strcasecmp (name, "Host") == 0 ||
          g_ascii_strcasecmp (name, "Content-Length") == 0 ||
          g_ascii_strcasecmp (name, "Content-Type") == 0)
        continue;
      soup_message_headers_append (soup_message_get_request_headers (message), name, value);
    }

  request->redirects++;
  g_clear_object (&request->stream);
  if (request->buffer != NULL)
    {
      if (request->buffer->len > 0)
        explicit_bzero (request->buffer->data, request->buffer->len);
      g_clear_pointer (&request->buffer, g_byte_array_unref);
    }
  arcpass_secret_free (request->url);
  request->url = g_steal_pointer (&target_url);
  g_object_unref (request->message);
  request->message = message;
  request->started = g_get_monotonic_time ();

  soup_session_send_async (self->session, request->message, G_PRIORITY_DEFAULT,
                           request->inner_cancellable, send_cb, g_object_ref (task));
}

static void
request_complete (GTask *task)
{
  ArcpassClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (request->message);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  guint status = soup_message_get_status (request->message);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GError) error = NULL;
  const char *data = (const char *) request->buffer->data;
  gsize len = request->buffer->len;
  gboolean looks_json;

  {
    gsize i = 0;

    while (i < len && g_ascii_isspace (data[i]))
      i++;
    looks_json = (i < len && data[i] == '{') ||
                 (content_type != NULL && strstr (content_type, "json") != NULL);
  }

  if (SOUP_STATUS_IS_REDIRECTION (status) && status != SOUP_STATUS_NOT_MODIFIED)
    {
      request_redirected (task);
      return;
    }

  if (looks_json || request->want_json)
    object = arcpass_json_parse_object (len ? data : NULL, len, &parse_error);

  {
    GUri *uri = soup_message_get_uri (request->message);

    error = arcpass_error_new_from_http (request->service, status,
                                         uri ? g_uri_get_host (uri) : NULL, headers, object,
                                         arcpass_client_get_now (self));
  }

  if (error == NULL && request->want_json && object == NULL)
    {
      if (!looks_json && len > 0)
        error = g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                             _("The server answered with %s instead of JSON. The address may not "
                               "be an ArcGIS REST endpoint."),
                             content_type ? content_type : _("something else"));
      else
        error = g_steal_pointer (&parse_error);
    }

  /* A parse error alone does not say whose answer was bad; the user needs
   * that more than the parser's position, as for transport errors. */
  if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE))
    {
      GUri *uri = soup_message_get_uri (request->message);
      g_autofree char *subject = capitalize (arcpass_service_get_name (request->service));

      g_prefix_error (&error,
                      /* Translators: the first %s is a service such as “the portal”
                       * (made upper case), the second its host name. The parser's
                       * message follows. */
                      _("%s (%s) sent an unusable answer. "),
                      subject,
                      uri && g_uri_get_host (uri) ? g_uri_get_host (uri) : _("unknown host"));
    }

  record_exchange (self, request, error ? error->message : NULL);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (request->want_json)
    g_task_return_pointer (task, g_steal_pointer (&object), (GDestroyNotify) json_object_unref);
  else
    g_task_return_pointer (task,
                           g_bytes_new (request->buffer->data, request->buffer->len),
                           (GDestroyNotify) g_bytes_unref);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (bytes == NULL)
    {
      request_fail (task, error, TRUE);
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      request_complete (task);
      return;
    }

  if (request->buffer->len + g_bytes_get_size (bytes) > request->max_size)
    {
      ArcpassClient *self = g_task_get_source_object (task);
      g_autoptr(GError) too_large = NULL;
      g_autofree char *limit = g_format_size_full (request->max_size, G_FORMAT_SIZE_IEC_UNITS);

      /* Translators: %s is a size such as “16.0 MiB”. */
      too_large = g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_RESPONSE_TOO_LARGE,
                               _("The answer is larger than %s; Arcpass stopped reading it."),
                               limit);
      g_cancellable_cancel (request->inner_cancellable);
      record_exchange (self, request, too_large->message);
      if (!g_task_return_error_if_cancelled (task))
        g_task_return_error (task, g_steal_pointer (&too_large));
      return;
    }

  g_byte_array_append (request->buffer, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   request->inner_cancellable, read_cb, g_steal_pointer (&task));
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  request->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (request->stream == NULL)
    {
      request_fail (task, error, FALSE);
      return;
    }

  request->buffer = g_byte_array_new ();
  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   request->inner_cancellable, read_cb, g_steal_pointer (&task));
}

static gboolean
timeout_cb (gpointer user_data)
{
  Request *request = user_data;

  request->timed_out = TRUE;
  g_cancellable_cancel (request->inner_cancellable);
  g_clear_pointer (&request->timeout_source, g_source_unref);

  return G_SOURCE_REMOVE;
}

static void
outer_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  GCancellable *inner = user_data;

  g_cancellable_cancel (inner);
}

static void
append_pair (GString    *out,
             const char *name,
             const char *value)
{
  g_autofree char *n = g_uri_escape_string (name, NULL, TRUE);
  g_autofree char *v = g_uri_escape_string (value ? value : "", NULL, TRUE);

  if (out->len > 0)
    g_string_append_c (out, '&');
  g_string_append_printf (out, "%s=%s", n, v);
}

static void
start_request (ArcpassClient        *self,
               gboolean              want_json,
               ArcpassService        service,
               const char           *url,
               const char * const   *params,
               const char           *token,
               ArcpassRequestFlags   flags,
               GCancellable         *cancellable,
               GAsyncReadyCallback   callback,
               gpointer              user_data,
               gpointer              source_tag)
{
  g_autoptr(GTask) task = NULL;
  GString *form = g_string_new (NULL);
  Request *request;
  gboolean post = (flags & (ARCPASS_REQUEST_POST | ARCPASS_REQUEST_TOKEN_IN_BODY)) != 0;
  gboolean token_in_form = FALSE;
  g_autofree char *form_str = NULL;
  g_autofree char *full_url = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  request = g_new0 (Request, 1);
  request->service = service;
  request->want_json = want_json;
  request->secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) arcpass_secret_free);
  request->max_size = self->max_response_size;
  request->started = g_get_monotonic_time ();
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  if (!(flags & ARCPASS_REQUEST_NO_F_JSON))
    append_pair (form, "f", "json");

  for (guint i = 0; params != NULL && params[i] != NULL && params[i + 1] != NULL; i += 2)
    {
      append_pair (form, params[i], params[i + 1]);
      if (arcpass_redact_is_secret_name (params[i]) && params[i + 1] != NULL)
        g_ptr_array_add (request->secrets, arcpass_secret_dup (params[i + 1]));
    }

  if (token != NULL && *token != '\0')
    {
      g_ptr_array_add (request->secrets, arcpass_secret_dup (token));
      if (flags & (ARCPASS_REQUEST_TOKEN_IN_BODY | ARCPASS_REQUEST_TOKEN_IN_QUERY))
        {
          append_pair (form, "token", token);
          token_in_form = TRUE;
        }
    }

  form_str = g_string_free (form, FALSE);

  if (!post && form_str[0] != '\0')
    full_url = g_strconcat (url, strchr (url, '?') ? "&" : "?", form_str, NULL);
  else
    full_url = g_strdup (url);

  /* A long GET becomes a POST (as rest-js does), unless the caller insists
   * on a token in the URL, which only makes sense for GET. */
  if (!post && strlen (full_url) > ARCPASS_CLIENT_MAX_GET_URL_LENGTH &&
      !(flags & ARCPASS_REQUEST_TOKEN_IN_QUERY))
    {
      post = TRUE;
      g_free (full_url);
      full_url = g_strdup (url);
    }

  request->method = g_strdup (post ? "POST" : "GET");
  request->url = g_steal_pointer (&full_url);
  if (post)
    request->body = g_strdup (form_str);
  explicit_bzero (form_str, strlen (form_str));

  request->message = soup_message_new (request->method, request->url);
  if (request->message == NULL)
    {
      g_autofree char *safe = arcpass_redact_url (url);

      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                               _("“%s” is not a valid address."), safe);
      return;
    }

  if (!arcpass_url_is_secure_enough (request->url))
    {
      g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_INSECURE_PORTAL,
                               _("Arcpass only talks to https:// servers (plain http only on "
                                 "127.0.0.1 and localhost), so that tokens cannot be read on the way."));
      return;
    }

  /* See request_redirected(). */
  soup_message_add_flags (request->message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (request->message),
                                "Accept", want_json ? "application/json" : "*/*");

  if (token != NULL && *token != '\0' && !token_in_form)
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (request->message),
                                    "X-Esri-Authorization", value);
      explicit_bzero (value, strlen (value));
    }

  if (flags & ARCPASS_REQUEST_SEND_REFERER)
    soup_message_headers_replace (soup_message_get_request_headers (request->message),
                                  "Referer", ARCPASS_APPLICATION_REFERER);

  if (post)
    {
      g_autoptr(GBytes) body = g_bytes_new (request->body, strlen (request->body));

      soup_message_set_request_body_from_bytes (request->message,
                                                "application/x-www-form-urlencoded", body);
    }

  request->inner_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      /* The inner cancellable is also cancelled by the timeout, which must
       * not look like the caller's cancellation. */
      request->outer_cancellable = g_object_ref (cancellable);
      request->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (outer_cancelled_cb),
                                                  g_object_ref (request->inner_cancellable),
                                                  g_object_unref);
    }

  if (self->timeout > 0)
    {
      request->timeout_source = g_timeout_source_new_seconds (self->timeout);
      g_source_set_callback (request->timeout_source, timeout_cb, request, NULL);
      g_source_attach (request->timeout_source, g_main_context_get_thread_default ());
    }

  soup_session_send_async (self->session, request->message, G_PRIORITY_DEFAULT,
                           request->inner_cancellable, send_cb, g_steal_pointer (&task));
}

void
arcpass_client_request_json_async (ArcpassClient        *self,
                                   ArcpassService        service,
                                   const char           *url,
                                   const char * const   *params,
                                   const char           *token,
                                   ArcpassRequestFlags   flags,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  g_return_if_fail (ARCPASS_IS_CLIENT (self));
  g_return_if_fail (url != NULL);

  start_request (self, TRUE, service, url, params, token, flags, cancellable, callback,
                 user_data, arcpass_client_request_json_async);
}

JsonObject *
arcpass_client_request_json_finish (ArcpassClient  *self,
                                    GAsyncResult   *result,
                                    guint          *out_status,
                                    GError        **error)
{
  Request *request;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_client_request_json_async, NULL);

  request = g_task_get_task_data (G_TASK (result));
  if (out_status != NULL)
    *out_status = request && request->message ? soup_message_get_status (request->message) : 0;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
arcpass_client_request_bytes_async (ArcpassClient        *self,
                                    ArcpassService        service,
                                    const char           *url,
                                    const char * const   *params,
                                    const char           *token,
                                    ArcpassRequestFlags   flags,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data)
{
  g_return_if_fail (ARCPASS_IS_CLIENT (self));
  g_return_if_fail (url != NULL);

  start_request (self, FALSE, service, url, params, token, flags, cancellable, callback,
                 user_data, arcpass_client_request_bytes_async);
}

GBytes *
arcpass_client_request_bytes_finish (ArcpassClient  *self,
                                     GAsyncResult   *result,
                                     char          **out_content_type,
                                     GError        **error)
{
  Request *request;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_client_request_bytes_async, NULL);

  request = g_task_get_task_data (G_TASK (result));
  if (out_content_type != NULL)
    {
      const char *ct = NULL;

      if (request && request->message && soup_message_get_status (request->message) != 0)
        ct = soup_message_headers_get_content_type (soup_message_get_response_headers (request->message), NULL);
      *out_content_type = g_strdup (ct);
    }

  return g_task_propagate_pointer (G_TASK (result), error);
}
