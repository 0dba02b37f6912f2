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
 * @ARCPASS_PROBE_FAILED: could not tell (network, 5xx, malformed answer), or
 *   the key may not be sent to the service's host (@message says why)
 * @ARCPASS_PROBE_NOT_OFFERED: ArcGIS does not offer the service to the key's
 *   kind of account (Static Basemap Tiles for ArcGIS Online); no privilege
 *   would help (@message says what to use instead)
 */
typedef enum {
  ARCPASS_PROBE_WORKS,
  ARCPASS_PROBE_MISSING_PRIVILEGE,
  ARCPASS_PROBE_INVALID_KEY,
  ARCPASS_PROBE_FAILED,
  ARCPASS_PROBE_NOT_OFFERED,
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
 * @from_privileges: the verdict comes from the privileges the portal lists
 *   for the token (`portals/self`), not from a request to the service
 * @billable: the verdict comes from a request that counts toward the
 *   account's usage (a geocoding search); say so where it is shown
 */
typedef struct {
  ArcpassService      service;
  ArcpassProbeStatus  status;
  char               *privilege;
  char               *message;
  guint               http_status;
  gboolean            from_privileges;
  gboolean            billable;
} ArcpassProbeResult;

void arcpass_probe_result_free (ArcpassProbeResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArcpassProbeResult, arcpass_probe_result_free)

/**
 * arcpass_probe_key_async:
 * @portal: (nullable): the portal the token belongs to
 *
 * Tells what @token (an API key or any token) may do on the three location
 * services, with no side effect and nothing billed where possible (real-
 * arcgis.md point 14): the privileges `portals/self` lists for the token
 * (`appInfo.privileges`, or `user.privileges`) decide first, and a 498/499
 * there marks every service "invalid key" with no other request; Basemap
 * Styles is then checked with a style fetch and Static Basemap Tiles with
 * its `self`, both free, unless the privileges already rule them out.
 * Geocoding is decided from the privileges; only when they are unknown (no
 * @portal, or it does not list them) is one `findAddressCandidates` search
 * made, and its result has @billable set. Result: GPtrArray of
 * ArcpassProbeResult, in the order basemap styles, static tiles, geocode.
 * The call itself only fails when cancelled.
 */
void       arcpass_probe_key_async    (ArcpassClient          *client,
                                       const char             *portal,
                                       const ArcpassEndpoints *endpoints,
                                       const char             *token,
                                       GCancellable           *cancellable,
                                       GAsyncReadyCallback     callback,
                                       gpointer                user_data);

/* The same without a portal: the privileges are unknown, so geocoding is
 * checked with one (billable) search, and the token is taken for an ArcGIS
 * Online one (sent only to ArcGIS's location services, or to the sandbox's
 * when @endpoints are on loopback). Finish either with
 * arcpass_probe_token_finish(). */
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
