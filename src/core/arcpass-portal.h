/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "arcpass-types.h"

G_BEGIN_DECLS

#define ARCPASS_ONLINE_PORTAL_URL         "https://www.arcgis.com"
#define ARCPASS_ONLINE_GEOCODE_URL        "https://geocode-api.arcgis.com/arcgis/rest/services/World/GeocodeServer"
#define ARCPASS_ONLINE_BASEMAP_STYLES_URL "https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2"
#define ARCPASS_ONLINE_STATIC_TILES_URL   "https://static-map-tiles-api.arcgis.com/arcgis/rest/services/static-basemap-tiles-service/v1"

/**
 * arcpass_portal_normalize:
 * @input: what the user typed: `www.arcgis.com`, `https://myorg.maps.arcgis.com/`,
 *   `https://gis.example.com/portal/home/`, `…/sharing/rest/`, …
 * @out_portal_url: (out) (optional): the portal URL, scheme + lower-case host
 *   (+ port) + web adaptor path, no trailing slash, e.g.
 *   `https://gis.example.com/portal`
 * @out_rest_root: (out) (optional): `<portal URL>/sharing/rest`
 * @error: %ARCPASS_ERROR_INVALID_INPUT, or %ARCPASS_ERROR_INSECURE_PORTAL for
 *   `http://` on a host that is not loopback (the message says why)
 *
 * A missing scheme means `https://`. `/home/…`, `/sharing/…`, `/apps/…`,
 * `/portaladmin/…`, `/rest/…`, `/admin/…`, `/manager/…` (any case), query,
 * fragment and trailing slashes are dropped. User info and schemes other
 * than http(s) are refused.
 *
 * Esri's own hosts (`arcgis.com`, `www.`, `location.`, `developers.`,
 * `doc.`, `geocode.`, `basemaps.`, `services[N].`, `tiles[N].` and
 * `*-api.arcgis.com`) give `https://www.arcgis.com`, the portal of ArcGIS
 * Online and Location Platform; organisation hosts such as
 * `myorg.maps.arcgis.com` are kept as they are.
 *
 * An ArcGIS Server URL (`https://host/server/rest/services`,
 * `https://host/arcgis/rest/services/…`) gives the server's root
 * (`https://host/server`). It is not a portal: discovery finds no
 * `sharing/rest` there, and the server's `/rest/info` names the portal it
 * is federated with (`owningSystemUrl`), which is the address to use.
 */
gboolean  arcpass_portal_normalize        (const char  *input,
                                           char       **out_portal_url,
                                           char       **out_rest_root,
                                           GError     **error);

/* TRUE when @host is 127.0.0.0/8, ::1 or `localhost`. */
gboolean  arcpass_host_is_loopback        (const char  *host);

/* TRUE when an `http(s)://` @url may be used: https, or http on loopback. */
gboolean  arcpass_url_is_secure_enough    (const char  *url);

typedef enum {
  ARCPASS_PORTAL_KIND_UNKNOWN,
  ARCPASS_PORTAL_KIND_ONLINE,
  ARCPASS_PORTAL_KIND_ENTERPRISE,
} ArcpassPortalKind;

GType arcpass_portal_kind_get_type (void) G_GNUC_CONST;
#define ARCPASS_TYPE_PORTAL_KIND (arcpass_portal_kind_get_type ())

/**
 * ArcpassPortalInfo:
 * @portal_url: normalised portal URL
 * @rest_root: `<portal_url>/sharing/rest`
 * @kind: Online (`portalMode` multitenant / `isPortal` false) or Enterprise
 * @current_version: `currentVersion` of portals/self (or of the REST root)
 * @name: portal name, may be %NULL
 * @portal_id: `id`, may be %NULL
 * @url_key: `urlKey`, may be %NULL
 * @token_service_url: `authInfo.tokenServicesUrl` of `/info`, may be %NULL
 * @token_based_security: `authInfo.isTokenBasedSecurity` (TRUE when absent);
 *   FALSE means sign-in happens at the web server, not with ArcGIS tokens
 * @owning_system_url: `owningSystemUrl` of `/info`, may be %NULL
 * @helper_geocode_url: `helperServices.geocode[0].url`, may be %NULL
 * @supports_oauth: `supportsOAuth` (TRUE when absent)
 * @all_ssl: `allSSL`
 * @max_token_expiration_minutes: -1 when the portal uses its default
 *
 * What discovery learnt about a portal. Plain boxed struct: read the fields.
 */
struct _ArcpassPortalInfo {
  char              *portal_url;
  char              *rest_root;
  ArcpassPortalKind  kind;
  char              *current_version;
  char              *name;
  char              *portal_id;
  char              *url_key;
  char              *token_service_url;
  gboolean           token_based_security;
  char              *owning_system_url;
  char              *helper_geocode_url;
  gboolean           supports_oauth;
  gboolean           all_ssl;
  gint64             max_token_expiration_minutes;
};

GType              arcpass_portal_info_get_type   (void) G_GNUC_CONST;
#define ARCPASS_TYPE_PORTAL_INFO (arcpass_portal_info_get_type ())
ArcpassPortalInfo *arcpass_portal_info_copy       (const ArcpassPortalInfo *info);
void               arcpass_portal_info_free       (ArcpassPortalInfo       *info);

/* Builds the info from the two JSON answers (@info_json may be %NULL when
 * `/info` failed). Exposed for unit tests. */
ArcpassPortalInfo *arcpass_portal_info_new_from_json (const char  *portal_url,
                                                      JsonObject  *info_json,
                                                      JsonObject  *self_json,
                                                      GError     **error);

/* Discovery: `GET <rest>/info?f=json` then `GET <rest>/portals/self?f=json`,
 * anonymous. @portal is normalised first (so it may be user input). A web
 * server that demands its own sign-in first (HTTP 401 with
 * `WWW-Authenticate: Negotiate`/`NTLM`/…, or 403 asking for a client
 * certificate) fails at once with %ARCPASS_ERROR_WEB_TIER_AUTH, saying which. */
void               arcpass_portal_discover_async  (ArcpassClient        *client,
                                                   const char           *portal,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
ArcpassPortalInfo *arcpass_portal_discover_finish (GAsyncResult         *result,
                                                   GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArcpassPortalInfo, arcpass_portal_info_free)

/**
 * ArcpassEndpoints:
 * @geocode_url: GeocodeServer root (no trailing slash)
 * @basemap_styles_url: Basemap Styles v2 root (`…/styles/v2`)
 * @static_tiles_url: Static Basemap Tiles v1 root (`…/static-basemap-tiles-service/v1`)
 *
 * The location-service URLs one account uses. Plain boxed struct; change a
 * field with g_free()+g_strdup() or the setters below to override it.
 */
struct _ArcpassEndpoints {
  char *geocode_url;
  char *basemap_styles_url;
  char *static_tiles_url;
};

GType             arcpass_endpoints_get_type         (void) G_GNUC_CONST;
#define ARCPASS_TYPE_ENDPOINTS (arcpass_endpoints_get_type ())
/* ArcGIS Online's public location-service hosts. */
ArcpassEndpoints *arcpass_endpoints_new_default      (void);
/* The defaults, with the portal's helperServices.geocode when present. */
ArcpassEndpoints *arcpass_endpoints_new_for_portal   (const ArcpassPortalInfo *info);
/* TRUE for ArcGIS Online (arcgis.com and its subdomains), whose location
 * services are the defaults; other portals name theirs (helperServices). */
gboolean          arcpass_portal_url_is_online       (const char *portal_url);
/* The sandbox's services under @sandbox_url (`http://127.0.0.1:PORT`). */
ArcpassEndpoints *arcpass_endpoints_new_for_sandbox  (const char *sandbox_url);
ArcpassEndpoints *arcpass_endpoints_copy             (const ArcpassEndpoints *endpoints);
void              arcpass_endpoints_free             (ArcpassEndpoints *endpoints);
/* Overrides; trailing slashes are removed; NULL keeps the current value. */
void              arcpass_endpoints_override         (ArcpassEndpoints *endpoints,
                                                      const char       *geocode_url,
                                                      const char       *basemap_styles_url,
                                                      const char       *static_tiles_url);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArcpassEndpoints, arcpass_endpoints_free)

G_END_DECLS
