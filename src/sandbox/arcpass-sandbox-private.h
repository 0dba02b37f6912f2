/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "arcpass-sandbox.h"

G_BEGIN_DECLS

/* What a stored credential is. Every kind lives in the same store so that one
 * expiry queue reclaims all of them. */
typedef enum {
  SB_TOKEN_CODE,          /* authorization code (single use) */
  SB_TOKEN_PENDING,       /* oauth_state of an authorize page not yet submitted */
  SB_TOKEN_ACCESS,        /* user access token (code, refresh or implicit grant) */
  SB_TOKEN_REFRESH,       /* user refresh token */
  SB_TOKEN_APP,           /* client_credentials app token */
  SB_TOKEN_GENERATED,     /* generateToken token */
  SB_TOKEN_SESSION,       /* portal session cookie (esri_aopc), per host */
  SB_TOKEN_IDP_MFA,       /* identity provider: password checked, code awaited */
  SB_TOKEN_SAML_ASSERTION, /* identity provider's answer to the portal (single use) */
  SB_TOKEN_PASSWORD_CHANGE, /* password right but expired: a new one awaited */
} SbTokenKind;

typedef struct _SbToken SbToken;

struct _SbToken
{
  SbTokenKind    kind;
  char          *value;
  char          *username;        /* NULL for app tokens */
  char          *client_id;       /* NULL for generateToken tokens */
  gint64         issued_at;
  gint64         expires_at;      /* sandbox seconds */
  /* Authorization codes and pending sign-ins. */
  char          *redirect_uri;
  char          *code_challenge;
  char          *code_challenge_method;
  char          *response_type;
  char          *state;
  gint64         refresh_lifetime; /* seconds, for codes and refresh tokens */
  /* Access tokens remember the refresh token they came from, and refresh
   * tokens the set of their access tokens, so revoking one revokes the other. */
  char          *parent;
  GHashTable    *children;
  /* generateToken client=referer binding. */
  char          *referer;
  /* The federated server a server token was issued for (its root URL). */
  char          *server_url;
  /* The host that issued it: a token is only accepted where its issuer's
   * tokens are (see sb_host_accepts_token()). */
  ArcpassSandboxHost issuer;
  /* A server token (an Enterprise portal's generateToken with serverUrl):
   * valid on the federated server only, not on the portal. */
  gboolean       server_token;
  GSequenceIter *expiry_iter;
};

/* One HTTP exchange from arrival to the moment its response is queued. */
typedef struct _SbRequest SbRequest;

struct _SbRequest
{
  int                 ref_count;
  ArcpassSandbox     *sandbox;
  SoupServerMessage  *msg;
  /* Which of the sandbox's hosts the request came to (by local address). */
  ArcpassSandboxHost  host;
  char               *method;
  char               *path;
  /* Parameters of the query and of a form body, keys lower-cased because
   * ArcGIS parameter names are case-insensitive (SingleLine, singleLine). */
  GHashTable         *params;
  GHashTable         *query_params;
  GHashTable         *body_params;
  char               *token;
  const char         *token_in;   /* "header", "query", "body" or NULL */
  char               *fault_mode; /* post-processing fault (malformed, truncate) */
  gint64              started_us;
  gboolean            paused;
  gboolean            disconnected;
  gboolean            responded;
  gulong              disconnected_id;
};

typedef enum {
  SB_FORMAT_HTML,
  SB_FORMAT_JSON,
  SB_FORMAT_PJSON,
} SbFormat;

/* A resolved credential presented to a service: a stored token or an API key. */
typedef struct
{
  const char         *username;       /* NULL for apps and keys */
  const char         *client_id;
  const char * const *privileges;
  gboolean            is_api_key;
  gboolean            is_app;
  gint64              expires_at;     /* -1 never */
} SbIdentity;

typedef enum {
  SB_AUTH_OK,
  SB_AUTH_MISSING,
  SB_AUTH_INVALID,
} SbAuthResult;

/* Fixture data shared by the endpoint files. */
typedef struct
{
  const char         *username;
  const char         *password;
  const char         *full_name;
  const char         *first_name;
  const char         *last_name;
  const char         *email;
  const char         *role;
  const char         *role_id;
  const char         *user_type;
  const char         *id;
  const char * const *privileges;
  /* "arcgis" (NULL) for built-in accounts, "enterprise" for SAML logins,
   * which have no password the portal knows. */
  const char         *provider;
  /* The portal the account belongs to: PORTAL (ArcGIS Online) or
   * ENTERPRISE. generateToken only knows a portal's own users. */
  ArcpassSandboxHost  home;
  /* The organisation: NULL is the ArcGIS Online one (SB_ORG_ID);
   * SB_PLATFORM_ORG_ID is the ArcGIS Location Platform account's. */
  const char         *org_id;
  /* Signs in at the identity provider (SAML), not with a portal password:
   * @password is then the identity provider's. */
  gboolean            idp;
  /* The identity provider asks for this code after the password. */
  const char         *mfa_code;
  /* The portal password has expired: a new one is asked for. */
  gboolean            password_expired;
} SbUser;

typedef struct
{
  const char         *client_id;
  const char         *client_secret;
  const char         *title;
  const char         *item_id;
  const char         *owner;
  const char * const *redirect_uris;
  const char * const *privileges;
} SbApp;

typedef struct
{
  const char         *name;
  const char         *key;
  const char         *title;
  const char         *item_id;
  const char * const *privileges;
  gint64              lifetime;   /* seconds after sandbox creation; 0 never expires */
} SbApiKey;

#define SB_ORG_ID      "sbxOrg0ArcpassTst"
#define SB_PORTAL_NAME "Arcpass Sandbox"
/* The ArcGIS Location Platform account's organisation; the fixture API keys
 * belong to it (developer keys), so portals/self with a key describes it. */
#define SB_PLATFORM_ORG_ID   "sbxOrg1LocPlatfrm"
#define SB_PLATFORM_ORG_NAME "Arcpass Location Platform Sandbox"

/* The organisation of a user (never NULL). */
const char     *sb_user_get_org_id          (const SbUser *user);
#define SB_IDP_NAME    "Sandbox SSO"
/* The session cookie of the portal (as ArcGIS Online's esri_aopc). */
#define SB_SESSION_COOKIE "esri_aopc"

extern const SbUser   sb_users[];
extern const SbApp    sb_apps[];
extern const SbApiKey sb_api_keys[];

const SbUser   *sb_find_user                (const char *username);
const SbApp    *sb_find_app                 (const char *client_id);
gboolean        sb_strv_contains            (const char * const *strv,
                                             const char         *str);
gboolean        sb_secret_equal             (const char *a,
                                             const char *b);
char           *sb_random_token             (gsize       n_bytes);

/* Sandbox internals (arcpass-sandbox.c). */
gint64          sb_sandbox_get_created_at   (ArcpassSandbox *self);
guint           sb_sandbox_get_oauth_error_status (ArcpassSandbox *self);
gboolean        sb_sandbox_get_old_enterprise (ArcpassSandbox *self);
gboolean        sb_sandbox_get_loopback_any_port (ArcpassSandbox *self);
/* NULL-terminated; the URIs added with arcpass_sandbox_register_redirect_uri(). */
const char * const *sb_sandbox_get_registered_redirect_uris (ArcpassSandbox *self);
SbToken        *sb_tokens_insert            (ArcpassSandbox *self,
                                             SbTokenKind     kind,
                                             gint64          lifetime);
SbToken        *sb_tokens_lookup            (ArcpassSandbox *self,
                                             const char     *value);
void            sb_tokens_remove            (ArcpassSandbox *self,
                                             const char     *value);
SbAuthResult    sb_sandbox_authenticate     (ArcpassSandbox *self,
                                             SbRequest      *req,
                                             SbIdentity     *identity);
/* Whether a request to @host at @path may carry @token (NULL: an API key).
 * As real ArcGIS: the Online portal, its organisation host and the location
 * services accept the Online portal's tokens and API keys; an Enterprise
 * portal (`/portal` on the ENTERPRISE host) accepts its own tokens, and its
 * federated server (`/server`) only the server tokens the portal issued for
 * it; the web-tier portal only its own tokens. sb_sandbox_authenticate()
 * answers 498 (invalid token) otherwise. */
gboolean        sb_host_accepts_token       (ArcpassSandboxHost  host,
                                             const char         *path,
                                             const SbToken      *token);

/* Requests and responses. */
SbRequest      *sb_request_ref              (SbRequest *req);
void            sb_request_unref            (SbRequest *req);
const char     *sb_request_get_param        (SbRequest  *req,
                                             const char *lower_name);
SbFormat        sb_request_get_format       (SbRequest  *req,
                                             SbFormat    fallback);
/* "http://127.0.0.N:PORT" of the host the request came to. */
char           *sb_request_dup_base_url     (SbRequest  *req);
/* "http://127.0.0.N:PORT" of any host. */
const char     *sb_sandbox_host_url         (ArcpassSandbox     *self,
                                             ArcpassSandboxHost  host);
void            sb_request_defer            (SbRequest  *req);
void            sb_respond                  (SbRequest  *req,
                                             guint       status,
                                             const char *content_type,
                                             GBytes     *body);
void            sb_respond_json             (SbRequest  *req,
                                             guint       status,
                                             SbFormat    format,
                                             JsonNode   *node);
void            sb_respond_html             (SbRequest  *req,
                                             guint       status,
                                             const char *html);
void            sb_respond_redirect         (SbRequest  *req,
                                             const char *location);
/* The ArcGIS error envelope. @oauth_error adds the OAuth keys "error" and
 * "error_description"; @details is NULL-terminated; @rest_info_url is only set
 * by the newer location services. */
JsonNode       *sb_error_node               (int                 code,
                                             const char         *message,
                                             const char         *oauth_error,
                                             const char         *message_code,
                                             const char * const *details,
                                             const char         *rest_info_url);
void            sb_respond_error            (SbRequest          *req,
                                             guint               http_status,
                                             SbFormat            format,
                                             int                 code,
                                             const char         *message,
                                             const char * const *details);
char           *sb_html_escape              (const char *text);

/* Endpoint groups; each returns FALSE when the path is not theirs. */
gboolean        sb_portal_handle            (SbRequest  *req,
                                             const char *subpath);
gboolean        sb_geocode_handle           (SbRequest  *req,
                                             const char *subpath);
gboolean        sb_basemaps_handle          (SbRequest  *req,
                                             const char *subpath);
gboolean        sb_static_tiles_handle      (SbRequest  *req,
                                             const char *subpath);
/* The identity provider's host (arcpass-sandbox-idp.c). */
gboolean        sb_idp_handle               (SbRequest  *req);
/* The public test users of the sandbox, as an HTML list for sign-in pages:
 * those of the portal on @host (@idp FALSE), or the identity provider's. */
char           *sb_test_users_html          (ArcpassSandboxHost host,
                                             gboolean           idp);
/* Where the identity provider posts its answer: the organisation host's
 * `/sharing/rest/oauth2/saml/signin`. */
char           *sb_saml_acs_url             (ArcpassSandbox *sandbox);

/* Gazetteer (arcpass-sandbox-gazetteer.c). */
typedef enum {
  SB_PLACE_LOCALITY,
  SB_PLACE_POI,
  SB_PLACE_ADDRESS,
} SbPlaceType;

typedef struct
{
  guint        id;
  SbPlaceType  type;
  gboolean     capital;
  char        *name;
  char        *addnum;     /* addresses only */
  char        *street;     /* addresses only */
  char        *city;
  char        *region;
  char        *country;    /* ISO 3166 alpha-3 */
  char        *postal;
  double       lon;
  double       lat;
  char        *label;      /* Match_addr / LongLabel */
  char        *aliases;    /* other names, for matching only */
} SbPlace;

const GPtrArray *sb_gazetteer_get           (void);
const char      *sb_place_type_to_string    (SbPlaceType type);

/* Tile renderer (arcpass-sandbox-render.c); safe to call from any thread. */
typedef struct _SbTileStyle SbTileStyle;

const SbTileStyle *sb_tile_style_lookup     (const char *path);
GBytes            *sb_render_tile           (const SbTileStyle *style,
                                             const char        *variant,
                                             int                z,
                                             int                y,
                                             int                x,
                                             GError           **error);

/* Style catalogue (arcpass-sandbox-basemaps.c) */
typedef struct
{
  const char *path;         /* "arcgis/navigation" */
  const char *name;         /* "ArcGIS Navigation" */
  const char *family;       /* "arcgis" */
  gboolean    static_tiles; /* also offered by Static Basemap Tiles */
  const char *variants;     /* space separated: "base labels" or NULL */
} SbStyleInfo;

extern const SbStyleInfo sb_styles[];

/* ArcGIS Enterprise and web-tier hosts (arcpass-sandbox-enterprise.c). */
#define SB_ENTERPRISE_ORG_ID       "sbxEnterprise0Org"
#define SB_ENTERPRISE_PORTAL_NAME  "Arcpass Sandbox Enterprise"
/* Portal for ArcGIS locks an account for 15 minutes after 5 wrong passwords
 * (community.esri.com idea "Lockout lasts for 15 minutes"; ArcGIS Server's
 * built-in store: 5 attempts, 15 minutes). */
#define SB_LOCKOUT_ATTEMPTS        5
#define SB_LOCKOUT_SECONDS         (15 * 60)

gboolean        sb_enterprise_handle        (SbRequest  *req);
gboolean        sb_webtier_handle           (SbRequest  *req);
void            sb_enterprise_reset         (ArcpassSandbox *self);
/* Lockout bookkeeping for generateToken: is_locked before checking the
 * password, record_failure after a wrong one, record_success after a right
 * one. */
gboolean        sb_lockout_is_locked        (ArcpassSandbox *self,
                                             const char     *username);
void            sb_lockout_record           (ArcpassSandbox *self,
                                             const char     *username,
                                             gboolean        success);
/* "<enterprise host>/portal" and "<enterprise host>/server". */
char           *sb_enterprise_portal_url    (ArcpassSandbox *self);
char           *sb_enterprise_server_url    (ArcpassSandbox *self);
/* portals/self's "user" member, for the Enterprise portal's own portals/self. */
void            sb_portal_build_user        (JsonBuilder    *b,
                                             SbRequest      *req,
                                             const char     *username);

G_END_DECLS
