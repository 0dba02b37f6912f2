/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Fixed fixtures of the sandbox portal. They are public test data, not
 * secrets: they are printed by `arcpass-sandbox --print-fixtures` and listed in
 * the README. Other layers (tests, `arcpass --sandbox`) use these names.
 */
#define ARCPASS_SANDBOX_PUBLISHER_USERNAME "ada.lovelace"
#define ARCPASS_SANDBOX_PUBLISHER_PASSWORD "sandbox-publisher-1"
#define ARCPASS_SANDBOX_USER_USERNAME      "grace.hopper"
#define ARCPASS_SANDBOX_USER_PASSWORD      "sandbox-user-1"
/* Signs in through the identity provider (127.0.0.3, "Sandbox SSO"), which
 * then asks for ARCPASS_SANDBOX_IDP_MFA_CODE. */
#define ARCPASS_SANDBOX_IDP_USERNAME       "joan.clarke"
#define ARCPASS_SANDBOX_IDP_PASSWORD       "sandbox-idp-1"
#define ARCPASS_SANDBOX_IDP_MFA_CODE       "246810"
/* Portal account whose password has expired: the sign-in asks for a new one. */
#define ARCPASS_SANDBOX_EXPIRED_USERNAME   "margaret.hamilton"
#define ARCPASS_SANDBOX_EXPIRED_PASSWORD   "sandbox-expired-1"
/* Users of the Enterprise portal (ENTERPRISE host): a built-in account, and
 * a SAML login that generateToken refuses. */
#define ARCPASS_SANDBOX_ENTERPRISE_USERNAME      "dorothy.vaughan"
#define ARCPASS_SANDBOX_ENTERPRISE_PASSWORD      "sandbox-enterprise-1"
#define ARCPASS_SANDBOX_ENTERPRISE_SAML_USERNAME "katherine.johnson_sbxidp"
/* The federated server's custom locator and its single-line field. */
#define ARCPASS_SANDBOX_ENTERPRISE_LOCATOR       "/server/rest/services/Locators/SandboxStreets/GeocodeServer"
#define ARCPASS_SANDBOX_ENTERPRISE_LOCATOR_FIELD "Single Line Input"
/* The ArcGIS Location Platform account (its own organisation; every
 * location-service privilege, static basemap tiles included). */
#define ARCPASS_SANDBOX_PLATFORM_USERNAME  "mae.jemison"
#define ARCPASS_SANDBOX_PLATFORM_PASSWORD  "sandbox-platform-1"
#define ARCPASS_SANDBOX_CLIENT_ID          "arcpassSandboxApp"
#define ARCPASS_SANDBOX_CLIENT_SECRET      "sandbox0app0secret0f00d"
/* API key with basemaps, static basemap tiles and geocode privileges. */
#define ARCPASS_SANDBOX_KEY_FULL \
  "AAPTxy8BH1VEsoebNVZXo8HurEOF051kAEKlHkHuVgtIHcK5A8JcN8vhbSzmUBGfxJ8eNiC6BxYrOeVzQ1gHjP5s.AT1_sbxfull1"
/* API key with the basemaps privilege only. */
#define ARCPASS_SANDBOX_KEY_BASEMAPS \
  "AAPTxy8BH1VEsoebNVZXo8HurEOF051kAEKlHkHuVgtIHcK5A8JcN8vhbSzmUBGfxJ8eNiC6BxYrOeVzQ1gHjP5s.AT1_sbxbmap1"
/* API key that expired (all privileges, but past its expiration date). */
#define ARCPASS_SANDBOX_KEY_EXPIRED \
  "AAPTxy8BH1VEsoebNVZXo8HurEOF051kAEKlHkHuVgtIHcK5A8JcN8vhbSzmUBGfxJ8eNiC6BxYrOeVzQ1gHjP5s.AT1_sbxexpd1"
/* Legacy API key (never expires, basemaps + geocode). */
#define ARCPASS_SANDBOX_KEY_LEGACY \
  "AAPK1f0c3b8e2d4a4f6b9c7e5d3a1b2c4d6eSandboxLegacyKeyForArcpassTests0123456789abcdef"

/**
 * ArcpassSandboxHost:
 * @ARCPASS_SANDBOX_HOST_PORTAL: the ArcGIS Online–like portal (`www.arcgis.com`), 127.0.0.1
 * @ARCPASS_SANDBOX_HOST_ORG: the organisation's own host (`<urlKey>.maps.arcgis.com`), 127.0.0.2
 * @ARCPASS_SANDBOX_HOST_IDP: an identity provider (SAML/OIDC) with its own sign-in form, 127.0.0.3
 * @ARCPASS_SANDBOX_HOST_SERVICES: the location services (`*-api.arcgis.com`), 127.0.0.4
 * @ARCPASS_SANDBOX_HOST_ENTERPRISE: an ArcGIS Enterprise portal (`/portal`) and a
 *   server federated with it (`/server`), 127.0.0.5
 * @ARCPASS_SANDBOX_HOST_WEBTIER: an Enterprise portal behind web-tier
 *   authentication (IWA: `WWW-Authenticate: Negotiate`), 127.0.0.6
 *
 * Real ArcGIS is several hosts, and a token is valid only on the hosts that
 * accept its issuer. The sandbox serves each host on its own loopback
 * address, all on the same port, so that cookies, origins and the request
 * log tell them apart as they would on the real network.
 */
typedef enum {
  ARCPASS_SANDBOX_HOST_PORTAL,
  ARCPASS_SANDBOX_HOST_ORG,
  ARCPASS_SANDBOX_HOST_IDP,
  ARCPASS_SANDBOX_HOST_SERVICES,
  ARCPASS_SANDBOX_HOST_ENTERPRISE,
  ARCPASS_SANDBOX_HOST_WEBTIER,
  ARCPASS_SANDBOX_N_HOSTS,
} ArcpassSandboxHost;

#define ARCPASS_TYPE_SANDBOX (arcpass_sandbox_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassSandbox, arcpass_sandbox, ARCPASS, SANDBOX, GObject)

ArcpassSandbox *arcpass_sandbox_new                (void);
/* Listens on 127.0.0.1:port (0 picks a free port). Requests are served from
 * the thread-default main context of the caller. */
gboolean        arcpass_sandbox_start              (ArcpassSandbox  *self,
                                                    guint16          port,
                                                    GError         **error);
void            arcpass_sandbox_stop               (ArcpassSandbox  *self);
guint16         arcpass_sandbox_get_port           (ArcpassSandbox  *self);
/* "http://127.0.0.1:PORT" (no trailing slash). */
const char     *arcpass_sandbox_get_url            (ArcpassSandbox  *self);
/* The fixtures as the JSON document printed by --print-fixtures. */
char           *arcpass_sandbox_dup_fixtures_json  (ArcpassSandbox  *self);
/* The sandbox clock (UTC seconds); starts at real time, moved by advance. */
gint64          arcpass_sandbox_get_now            (ArcpassSandbox  *self);
void            arcpass_sandbox_advance_clock      (ArcpassSandbox  *self,
                                                    gint64           seconds);
/* Same as POST /_sandbox/fault: the next @count requests whose path starts
 * with @path_prefix fail as @mode says ("status:500", "delay:2000",
 * "malformed", "truncate", "close"). */
void            arcpass_sandbox_add_fault          (ArcpassSandbox  *self,
                                                    const char      *path_prefix,
                                                    const char      *mode,
                                                    guint            count);
void            arcpass_sandbox_reset              (ArcpassSandbox  *self);

/* Added after the first contract (additions only). */
/* Number of credentials held in memory (access, refresh and app tokens,
 * authorization codes, pending sign-ins). Expired ones are reclaimed one hour
 * of sandbox time after they expire. */
guint           arcpass_sandbox_get_token_count    (ArcpassSandbox  *self);
/* HTTP status of /oauth2/token error bodies: 200 (default, as Esri's SDK
 * mocks) or 400. Same as POST /_sandbox/config oauth_error_status=N. */
void            arcpass_sandbox_set_oauth_error_status (ArcpassSandbox *self,
                                                        guint           status);

/* "Old Enterprise" (ArcGIS Enterprise before 10.9.1): OAuth token answers
 * leave out refresh_token_expires_in. Same as POST /_sandbox/config
 * old_enterprise=1 (0 to switch it off); reset switches it off. */
void            arcpass_sandbox_set_old_enterprise (ArcpassSandbox *self,
                                                    gboolean        old_enterprise);

/* Same as arcpass_sandbox_start(), but serves HTTPS with @certificate
 * (usually self-signed, made at test time): the URL becomes
 * "https://127.0.0.1:PORT". Lets tests check that clients refuse a
 * certificate they cannot verify. */
gboolean        arcpass_sandbox_start_tls          (ArcpassSandbox   *self,
                                                    guint16           port,
                                                    GTlsCertificate  *certificate,
                                                    GError          **error);

/* "http://127.0.0.N:PORT" of one of the sandbox's hosts (no trailing
 * slash); the PORTAL host's URL is arcpass_sandbox_get_url(). Valid once
 * started. */
const char     *arcpass_sandbox_get_host_url       (ArcpassSandbox     *self,
                                                    ArcpassSandboxHost  host);
/* The loopback address of @host ("127.0.0.4"), or -1 from an address that is
 * not one of the sandbox's. */
const char     *arcpass_sandbox_host_get_address   (ArcpassSandboxHost  host);
ArcpassSandboxHost arcpass_sandbox_host_from_address (const char       *address);
/* A short name for logs and fixtures: "portal", "org", "idp", "services",
 * "enterprise", "webtier". */
const char     *arcpass_sandbox_host_get_name      (ArcpassSandboxHost  host);

/* Redirect URIs match exactly, port included, as on ArcGIS. With
 * @any_port, a loopback http redirect URI may use any port (RFC 8252
 * §7.3), as the sandbox did before. Same as POST /_sandbox/config
 * redirect_any_port=1. arcpass_sandbox_reset() turns it off. */
void            arcpass_sandbox_set_loopback_any_port (ArcpassSandbox *self,
                                                       gboolean        any_port);
/* Adds @redirect_uri to the redirect URIs of the sandbox app, as a user
 * does in their OAuth credential's settings (for a loopback URI on a port
 * of their choice). Same as POST /_sandbox/config register_redirect_uri=URI;
 * forgotten by arcpass_sandbox_reset(). */
void            arcpass_sandbox_register_redirect_uri (ArcpassSandbox *self,
                                                       const char     *redirect_uri);

G_END_DECLS
