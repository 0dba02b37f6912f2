/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Forward declarations shared by the core headers, so that they can refer to
 * each other's types without include cycles.
 */
typedef struct _ArcpassClient         ArcpassClient;
typedef struct _ArcpassCredential     ArcpassCredential;
typedef struct _ArcpassTokenManager   ArcpassTokenManager;
typedef struct _ArcpassAccountStore   ArcpassAccountStore;
typedef struct _ArcpassRequestLog     ArcpassRequestLog;
typedef struct _ArcpassRequestRecord  ArcpassRequestRecord;
typedef struct _ArcpassEndpoints      ArcpassEndpoints;
typedef struct _ArcpassPortalInfo     ArcpassPortalInfo;

/**
 * ArcpassService:
 * @ARCPASS_SERVICE_NONE: no particular service; errors are mapped generically
 * @ARCPASS_SERVICE_PORTAL: the portal REST API (`/sharing/rest`)
 * @ARCPASS_SERVICE_OAUTH: the OAuth 2.0 endpoints (`/sharing/rest/oauth2`)
 * @ARCPASS_SERVICE_GEOCODE: the geocoding service (World GeocodeServer)
 * @ARCPASS_SERVICE_BASEMAP_STYLES: the Basemap Styles service v2
 * @ARCPASS_SERVICE_STATIC_TILES: the Static Basemap Tiles service v1
 *
 * Which service a request talks to. It lets the error mapping name the
 * privilege a token lacks (for example `premium:user:geocode:temporary`)
 * instead of only saying "403".
 */
typedef enum {
  ARCPASS_SERVICE_NONE,
  ARCPASS_SERVICE_PORTAL,
  ARCPASS_SERVICE_OAUTH,
  ARCPASS_SERVICE_GEOCODE,
  ARCPASS_SERVICE_BASEMAP_STYLES,
  ARCPASS_SERVICE_STATIC_TILES,
} ArcpassService;

GType        arcpass_service_get_type       (void) G_GNUC_CONST;
#define ARCPASS_TYPE_SERVICE (arcpass_service_get_type ())

/* A translated name for sentences ("the portal", "the geocoding service", …). */
const char  *arcpass_service_get_name       (ArcpassService service);

/* The privilege a token needs to use @service ("premium:user:geocode:temporary",
 * "premium:user:basemaps", "premium:user:staticbasemaptiles"), or %NULL. */
const char  *arcpass_service_get_privilege  (ArcpassService service);

G_END_DECLS
