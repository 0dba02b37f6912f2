/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "arcpass-types.h"

G_BEGIN_DECLS

/* Seconds before a request with no answer fails with %ARCPASS_ERROR_TIMEOUT. */
#define ARCPASS_CLIENT_DEFAULT_TIMEOUT 30
/* Largest body read, in bytes; more is %ARCPASS_ERROR_RESPONSE_TOO_LARGE. */
#define ARCPASS_CLIENT_DEFAULT_MAX_RESPONSE_SIZE (16 * 1024 * 1024)
/* GET URLs longer than this are sent as POST, as Esri's rest-js does. */
#define ARCPASS_CLIENT_MAX_GET_URL_LENGTH 2000

/**
 * ArcpassRequestFlags:
 * @ARCPASS_REQUEST_NONE: GET, token in `X-Esri-Authorization: Bearer`
 * @ARCPASS_REQUEST_POST: POST the parameters as a form body
 * @ARCPASS_REQUEST_TOKEN_IN_BODY: send the token as `token=` in the POST body
 *   (implies POST) instead of the header
 * @ARCPASS_REQUEST_TOKEN_IN_QUERY: put `token=` in the URL. Only for callers
 *   that insist (a tile URL the user asked for); the request log redacts it
 * @ARCPASS_REQUEST_NO_F_JSON: do not add `f=json` (tiles, raw style JSON)
 * @ARCPASS_REQUEST_SEND_REFERER: send `Referer: ARCPASS_APPLICATION_REFERER`
 *   (tokens from generateToken with `client=referer` only work with it)
 */
typedef enum {
  ARCPASS_REQUEST_NONE           = 0,
  ARCPASS_REQUEST_POST           = 1 << 0,
  ARCPASS_REQUEST_TOKEN_IN_BODY  = 1 << 1,
  ARCPASS_REQUEST_TOKEN_IN_QUERY = 1 << 2,
  ARCPASS_REQUEST_NO_F_JSON      = 1 << 3,
  ARCPASS_REQUEST_SEND_REFERER   = 1 << 4,
} ArcpassRequestFlags;

/* The referer Arcpass names when it asks generateToken for a token bound to
 * it (`client=referer`), and sends as `Referer` on every later request of
 * that token (%ARCPASS_REQUEST_SEND_REFERER). A fixed, non-secret string,
 * like the "@esri/arcgis-rest-js" of Esri's own Node client. */
#define ARCPASS_APPLICATION_REFERER "io.github.arcpass.Arcpass"

/* A clock returning Unix seconds; lets tests follow the sandbox clock. */
typedef gint64 (*ArcpassClockFunc) (gpointer user_data);

#define ARCPASS_TYPE_CLIENT (arcpass_client_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassClient, arcpass_client, ARCPASS, CLIENT, GObject)

/* A new client with its own SoupSession (tests). Applications use
 * arcpass_client_get_default(): one SoupSession per process. */
ArcpassClient     *arcpass_client_new                   (void);
ArcpassClient     *arcpass_client_get_default           (void);

/* User agent `Arcpass/VERSION`, timeout, no cookies kept. */
SoupSession       *arcpass_client_get_session           (ArcpassClient   *self);
/* Every exchange of this client, redacted. */
ArcpassRequestLog *arcpass_client_get_request_log       (ArcpassClient   *self);
void               arcpass_client_set_timeout           (ArcpassClient   *self,
                                                         guint            seconds);
guint              arcpass_client_get_timeout           (ArcpassClient   *self);
void               arcpass_client_set_max_response_size (ArcpassClient   *self,
                                                         gsize            max_size);
/* Unix seconds from the client's clock (real time unless set_clock). */
gint64             arcpass_client_get_now               (ArcpassClient   *self);
void               arcpass_client_set_clock             (ArcpassClient   *self,
                                                         ArcpassClockFunc func,
                                                         gpointer         user_data,
                                                         GDestroyNotify   destroy);

/**
 * arcpass_client_request_json_async:
 * @service: for error messages (which privilege is missing)
 * @url: the endpoint, without query (a query already in it is kept)
 * @params: (nullable): NULL-terminated key/value pairs:
 *   `{ "SingleLine", "Redlands", "maxLocations", "5", NULL }`
 * @token: (nullable): sent in `X-Esri-Authorization: Bearer` unless @flags say otherwise
 *
 * Sends the request (adding `f=json`), records it in the request log
 * (redacted) and checks the content type, the HTTP status and a top-level
 * `error` (or `code`) of the body; all are mapped by
 * arcpass_error_new_from_http(). The body must be a JSON object no larger
 * than the size cap.
 *
 * Redirects: a POST never follows one, nor does a request that carries a
 * token or another secret to a different origin (scheme, host, port): both
 * fail with %ARCPASS_ERROR_MOVED naming the new address, and nothing is sent
 * there. Other GETs follow up to 5 redirects (each one is in the request
 * log), never from https to plain http off loopback.
 */
void               arcpass_client_request_json_async    (ArcpassClient        *self,
                                                         ArcpassService        service,
                                                         const char           *url,
                                                         const char * const   *params,
                                                         const char           *token,
                                                         ArcpassRequestFlags   flags,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
/* Returns the body object (a new reference). @out_status: (optional) HTTP status. */
JsonObject        *arcpass_client_request_json_finish   (ArcpassClient        *self,
                                                         GAsyncResult         *result,
                                                         guint                *out_status,
                                                         GError              **error);

/* Same, but returns the raw body (tiles). A JSON error body (or a non-2xx
 * status) is still turned into an error. */
void               arcpass_client_request_bytes_async   (ArcpassClient        *self,
                                                         ArcpassService        service,
                                                         const char           *url,
                                                         const char * const   *params,
                                                         const char           *token,
                                                         ArcpassRequestFlags   flags,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
/* @out_content_type: (optional) (transfer full) */
GBytes            *arcpass_client_request_bytes_finish  (ArcpassClient        *self,
                                                         GAsyncResult         *result,
                                                         char                **out_content_type,
                                                         GError              **error);

/**
 * arcpass_error_new_from_response:
 * @service: the service asked (to name a missing privilege)
 * @http_status: HTTP status (0 when unknown)
 * @body: (nullable): the parsed body, when it was a JSON object
 *
 * Maps an ArcGIS answer to an %ARCPASS_ERROR, or returns %NULL when it is a
 * success (2xx, no top-level `error` and no top-level `code` of 400 or
 * more). Without headers and host (see arcpass_error_new_from_http()): a
 * %NULL @body is "not JSON", so a bare 403 is %ARCPASS_ERROR_BLOCKED.
 * Handles the classic envelope
 * `{"error":{"code","message","details"}}` (also with `messageCode`), OAuth
 * keys inside it (`error`, `error_description`), `restInfoUrl` envelopes of
 * the location services, and bare HTTP statuses. Messages say what to do.
 */
GError            *arcpass_error_new_from_response      (ArcpassService        service,
                                                         guint                 http_status,
                                                         JsonObject           *body);

/**
 * arcpass_error_new_from_http:
 * @host: (nullable): the host that answered, named in the messages that
 *   are about the way to it (blocked, rate limited, gateway down)
 * @headers: (nullable): the response headers: `Content-Type` (an HTML page
 *   is never an ArcGIS answer), `Retry-After`, `WWW-Authenticate`
 * @body: (nullable): the parsed body, when it was a JSON object
 * @now: Unix seconds (for a `Retry-After` date), 0 for the real time
 *
 * What the client uses. The content type is checked before a status gets
 * an ArcGIS meaning: 403 with an HTML (or no JSON) body is
 * %ARCPASS_ERROR_BLOCKED, not a missing privilege; 429 is
 * %ARCPASS_ERROR_RATE_LIMITED (saying when to retry); 502/503/504 without
 * JSON are %ARCPASS_ERROR_SERVICE_UNAVAILABLE naming the host; 401 with a
 * `Negotiate`/`NTLM` challenge is %ARCPASS_ERROR_WEB_TIER_AUTH. A top-level
 * `{"code":4xx,"message":…}` without `error` is an error even over 200.
 */
GError            *arcpass_error_new_from_http          (ArcpassService        service,
                                                         guint                 http_status,
                                                         const char           *host,
                                                         SoupMessageHeaders   *headers,
                                                         JsonObject           *body,
                                                         gint64                now);

G_END_DECLS
