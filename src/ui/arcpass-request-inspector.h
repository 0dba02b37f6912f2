/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-core.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_REQUEST_INSPECTOR (arcpass_request_inspector_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassRequestInspector, arcpass_request_inspector, ARCPASS, REQUEST_INSPECTOR, AdwBin)

/*
 * The "Requests" tester page: every exchange of a request log (method, path,
 * coloured status, duration, size), live as the log changes; the selected
 * exchange's headers and pretty-printed bodies. Everything shown comes from
 * the log's redacted views.
 *
 * Actions (group `inspector`):
 *  - `copy-curl`: the selected exchange as a `curl` line with the token as
 *    `$ARCGIS_TOKEN`, on the clipboard;
 *  - `copy-curl-with-token`: the same with the account's current token, asked
 *    of the token manager (never read back from the log); the clipboard is
 *    cleared after the configured delay. Disabled without a manager;
 *  - `clear`: empties the log.
 *
 * Properties: `request-log` (construct-only), `token-manager` (nullable),
 * `selected` (ArcpassRequestRecord, read-only).
 */
GtkWidget            *arcpass_request_inspector_new               (ArcpassRequestLog       *log,
                                                                   ArcpassTokenManager     *manager);
ArcpassRequestLog    *arcpass_request_inspector_get_request_log   (ArcpassRequestInspector *self);
ArcpassTokenManager  *arcpass_request_inspector_get_token_manager (ArcpassRequestInspector *self);
void                  arcpass_request_inspector_set_token_manager (ArcpassRequestInspector *self,
                                                                   ArcpassTokenManager     *manager);
ArcpassRequestRecord *arcpass_request_inspector_get_selected      (ArcpassRequestInspector *self);
/* Selects the record at @position of the log (G_MAXUINT: none). */
void                  arcpass_request_inspector_select            (ArcpassRequestInspector *self,
                                                                   guint                    position);

/* A curl line for @record with @token in place of the `$ARCGIS_TOKEN`
 * placeholder and of redacted `token=` parameters. Exposed for tests; the
 * result holds a secret: free it with arcpass_secret_free(). */
char                 *arcpass_request_inspector_build_curl_with_token (ArcpassRequestRecord *record,
                                                                       const char           *token);

G_END_DECLS
