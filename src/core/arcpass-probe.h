/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "arcpass-client.h"
#include "arcpass-portal.h"
#include "arcpass-types.h"

G_BEGIN_DECLS

/**
 * ArcpassProbeStatus:
 * @ARCPASS_PROBE_WORKS: the service answered
 * @ARCPASS_PROBE_MISSING_PRIVILEGE: valid key, but not for this service
 *   (@privilege names what it lacks)
 * @ARCPASS_PROBE_INVALID_KEY: invalid or expired key (498/499/401)
 * @ARCPASS_PROBE_FAILED: could not tell (network, 5xx, malformed answer)
 */
typedef enum {
  ARCPASS_PROBE_WORKS,
  ARCPASS_PROBE_MISSING_PRIVILEGE,
  ARCPASS_PROBE_INVALID_KEY,
  ARCPASS_PROBE_FAILED,
} ArcpassProbeStatus;

GType arcpass_probe_status_get_type (void) G_GNUC_CONST;
#define ARCPASS_TYPE_PROBE_STATUS (arcpass_probe_status_get_type ())

/**
 * ArcpassProbeResult:
 * @service: BASEMAP_STYLES, STATIC_TILES or GEOCODE
 * @status: the verdict
 * @privilege: (nullable): the privilege needed, for MISSING_PRIVILEGE
 * @message: a sentence for the user ("Works", the mapped error's message…)
 * @http_status: HTTP status of the probe request (0 when none)
 */
typedef struct {
  ArcpassService      service;
  ArcpassProbeStatus  status;
  char               *privilege;
  char               *message;
  guint               http_status;
} ArcpassProbeResult;

void arcpass_probe_result_free (ArcpassProbeResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArcpassProbeResult, arcpass_probe_result_free)

/* Probes the three location services with @token (an API key or any
 * token): `styles/self` of Basemap Styles, `self` of Static Tiles, and a
 * `findAddressCandidates` for "Redlands" (forStorage=false). The requests
 * run in parallel. Result: GPtrArray of ArcpassProbeResult, in the order
 * basemap styles, static tiles, geocode. The call itself only fails when
 * cancelled. */
void       arcpass_probe_token_async  (ArcpassClient          *client,
                                       const ArcpassEndpoints *endpoints,
                                       const char             *token,
                                       GCancellable           *cancellable,
                                       GAsyncReadyCallback     callback,
                                       gpointer                user_data);
GPtrArray *arcpass_probe_token_finish (GAsyncResult           *result,
                                       GError                **error);

/* The same, named for the API-key flow. */
#define arcpass_probe_api_key_async  arcpass_probe_token_async
#define arcpass_probe_api_key_finish arcpass_probe_token_finish

G_END_DECLS
