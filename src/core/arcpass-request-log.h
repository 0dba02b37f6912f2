/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "arcpass-types.h"

G_BEGIN_DECLS

/* What replaces a secret in every redacted view. */
#define ARCPASS_REDACTED "[REDACTED]"

/* ---- Redaction helpers ------------------------------------------------
 * A parameter/member/header is secret when its name is one of: token,
 * access_token, refresh_token, client_secret, password, auth_token, code,
 * code_verifier, apiKey, appInfoToken, sessionToken, oauth_state, key
 * (case-insensitive), or a header Authorization, X-Esri-Authorization,
 * Cookie, Set-Cookie. All helpers return newly allocated strings. */

gboolean  arcpass_redact_is_secret_name (const char *name);
/* Redacts secret query parameters (and user info) of @url. */
char     *arcpass_redact_url            (const char *url);
/* Redacts secret fields of an application/x-www-form-urlencoded body. */
char     *arcpass_redact_form           (const char *form);
/* Redacts secret members of a JSON document at any depth, and secret query
 * parameters inside string values that are URLs. Non-JSON text is returned
 * with @fallback redaction (form-style). */
char     *arcpass_redact_json           (const char *json);
/* "Name: value" with the value redacted when the header is secret
 * (`Bearer [REDACTED]` keeps the scheme). */
char     *arcpass_redact_header         (const char *name,
                                         const char *value);
/* Replaces every occurrence of each of @secrets (NULL-terminated, NULL and
 * empty entries skipped) in @text. Defence in depth after the rules above. */
char     *arcpass_redact_known          (const char         *text,
                                         const char * const *secrets);

/* ---- One exchange ---------------------------------------------------- */

#define ARCPASS_TYPE_REQUEST_RECORD (arcpass_request_record_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassRequestRecord, arcpass_request_record, ARCPASS, REQUEST_RECORD, GObject)

/* Read-only properties, all already redacted: method, url, status (uint, 0
 * when no answer), error-message, duration-ms (double), request-size,
 * response-size (uint64), request-headers, request-body, response-headers,
 * response-body (strings, headers one per line), service (ArcpassService),
 * started (int64, Unix microseconds). */
const char     *arcpass_request_record_get_method           (ArcpassRequestRecord *self);
const char     *arcpass_request_record_get_url              (ArcpassRequestRecord *self);
guint           arcpass_request_record_get_status           (ArcpassRequestRecord *self);
const char     *arcpass_request_record_get_error_message    (ArcpassRequestRecord *self);
double          arcpass_request_record_get_duration_ms      (ArcpassRequestRecord *self);
guint64         arcpass_request_record_get_request_size     (ArcpassRequestRecord *self);
guint64         arcpass_request_record_get_response_size    (ArcpassRequestRecord *self);
const char     *arcpass_request_record_get_request_headers  (ArcpassRequestRecord *self);
const char     *arcpass_request_record_get_request_body     (ArcpassRequestRecord *self);
const char     *arcpass_request_record_get_response_headers (ArcpassRequestRecord *self);
const char     *arcpass_request_record_get_response_body    (ArcpassRequestRecord *self);
ArcpassService  arcpass_request_record_get_service          (ArcpassRequestRecord *self);
gint64          arcpass_request_record_get_started          (ArcpassRequestRecord *self);
/* A `curl` command line for the exchange, with the token as `$ARCGIS_TOKEN`. */
char           *arcpass_request_record_to_curl              (ArcpassRequestRecord *self);

/* ---- The log ----------------------------------------------------------- */

#define ARCPASS_TYPE_REQUEST_LOG (arcpass_request_log_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassRequestLog, arcpass_request_log, ARCPASS, REQUEST_LOG, GObject)

/* A GListModel of ArcpassRequestRecord, oldest first, at most
 * max-records (default 500; the oldest are dropped). */
ArcpassRequestLog *arcpass_request_log_new             (void);
void               arcpass_request_log_clear           (ArcpassRequestLog *self);
void               arcpass_request_log_set_max_records (ArcpassRequestLog *self,
                                                        guint              max_records);

/* Used by ArcpassClient. Every string is redacted here again (rules above
 * plus @secrets), so callers cannot forget. Returns the new record (transfer none). */
ArcpassRequestRecord *arcpass_request_log_append       (ArcpassRequestLog  *self,
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
                                                        const char * const *secrets);

G_END_DECLS
