/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-sandbox-private.h"

/* Lifetimes from arcgis-protocol.md §8.1, in seconds. */
#define CODE_LIFETIME             600
#define PENDING_LIFETIME          600
#define ACCESS_LIFETIME           1800
#define REFRESH_DEFAULT_MINUTES   20160
#define REFRESH_MAX_MINUTES       129600
#define IMPLICIT_DEFAULT_MINUTES  120
#define IMPLICIT_MAX_MINUTES      20160
#define APP_DEFAULT_MINUTES       120
#define APP_MAX_MINUTES           20160
#define GENERATE_DEFAULT_MINUTES  60
#define GENERATE_MAX_MINUTES      20160

#define PORTAL_VERSION "2024.1"

static gint64
parse_minutes (const char *text,
               gint64      fallback,
               gint64      maximum)
{
  gint64 value;

  if (!text || !*text || !g_ascii_string_to_signed (text, 10, 1, G_MAXINT32, &value, NULL))
    return fallback;
  /* Asking for more than the maximum is not an error: it is capped. */
  return MIN (value, maximum);
}

static gboolean
is_loopback_host (const char *host)
{
  return host && (strcmp (host, "127.0.0.1") == 0 ||
                  strcmp (host, "localhost") == 0 ||
                  strcmp (host, "::1") == 0 ||
                  strcmp (host, "[::1]") == 0);
}

/* Exact, case-sensitive matching, port included, as ArcGIS does (Esri's
 * guidance is to register the exact URL, port and all). With
 * arcpass_sandbox_set_loopback_any_port() the port of a loopback http
 * redirect may differ from the registered one (RFC 8252 §7.3). */
static gboolean
redirect_uri_matches (ArcpassSandbox *sandbox,
                      const char     *registered,
                      const char     *given)
{
  g_autoptr(GUri) r = NULL;
  g_autoptr(GUri) g = NULL;

  if (strcmp (registered, given) == 0)
    return TRUE;
  if (!sb_sandbox_get_loopback_any_port (sandbox))
    return FALSE;

  r = g_uri_parse (registered, G_URI_FLAGS_NONE, NULL);
  g = g_uri_parse (given, G_URI_FLAGS_NONE, NULL);
  if (!r || !g)
    return FALSE;

  return g_strcmp0 (g_uri_get_scheme (r), "http") == 0 &&
         g_strcmp0 (g_uri_get_scheme (g), "http") == 0 &&
         is_loopback_host (g_uri_get_host (r)) &&
         g_strcmp0 (g_uri_get_host (r), g_uri_get_host (g)) == 0 &&
         !g_uri_get_userinfo (g) &&
         g_strcmp0 (g_uri_get_path (r), g_uri_get_path (g)) == 0 &&
         g_strcmp0 (g_uri_get_query (r), g_uri_get_query (g)) == 0 &&
         !g_uri_get_fragment (g);
}

static gboolean
app_accepts_redirect (ArcpassSandbox *sandbox,
                      const SbApp    *app,
                      const char     *redirect_uri)
{
  const char * const *registered = sb_sandbox_get_registered_redirect_uris (sandbox);

  for (guint i = 0; redirect_uri && app->redirect_uris[i]; i++)
    if (redirect_uri_matches (sandbox, app->redirect_uris[i], redirect_uri))
      return TRUE;
  /* Those the user registered at run time belong to the sandbox app. */
  for (guint i = 0; redirect_uri && app == &sb_apps[0] && registered[i]; i++)
    if (redirect_uri_matches (sandbox, registered[i], redirect_uri))
      return TRUE;
  return FALSE;
}

static gboolean
is_oob (const char *redirect_uri)
{
  return g_strcmp0 (redirect_uri, "urn:ietf:wg:oauth:2.0:oob") == 0;
}

/* Appends key=value pairs (NULL-terminated varargs, NULL values skipped) to
 * @base after @sep ('?' or '#'), or after '&' when @base already has one. */
G_GNUC_NULL_TERMINATED static char *
append_params (const char *base,
               char        sep,
               ...)
{
  GString *out = g_string_new (base);
  gboolean first = strchr (base, sep) == NULL;
  const char *key;
  va_list args;

  va_start (args, sep);
  while ((key = va_arg (args, const char *)))
    {
      const char *value = va_arg (args, const char *);

      if (!value)
        continue;
      g_string_append_c (out, first ? sep : '&');
      first = FALSE;
      g_string_append (out, key);
      g_string_append_c (out, '=');
      g_string_append_uri_escaped (out, value, NULL, FALSE);
    }
  va_end (args);
  return g_string_free (out, FALSE);
}

static char *
approval_url (SbRequest *req)
{
  g_autofree char *base = sb_request_dup_base_url (req);

  /* The Enterprise portal lives under its web adaptor, /portal. */
  return g_strconcat (base, req->host == ARCPASS_SANDBOX_HOST_ENTERPRISE ? "/portal" : "",
                      "/sharing/oauth2/approval", NULL);
}

/* ------------------------------------------------------------ JSON bits */

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_bool (JsonBuilder *b,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

static void
add_strv (JsonBuilder        *b,
          const char         *name,
          const char * const *strv)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; strv && strv[i]; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
}

static void
build_user (JsonBuilder  *b,
            const SbUser *user,
            gint64        created_at_ms)
{
  json_builder_begin_object (b);
  add_string (b, "username", user->username);
  add_string (b, "id", user->id);
  add_string (b, "fullName", user->full_name);
  add_string (b, "firstName", user->first_name);
  add_string (b, "lastName", user->last_name);
  add_string (b, "email", user->email);
  add_string (b, "description", "Fixture user of the Arcpass sandbox portal.");
  add_string (b, "preferredView", "Web");
  add_string (b, "access", "org");
  add_string (b, "orgId", user->home == ARCPASS_SANDBOX_HOST_ENTERPRISE ? SB_ENTERPRISE_ORG_ID
                                                                         : sb_user_get_org_id (user));
  add_string (b, "role", user->role);
  add_string (b, "roleId", user->role_id);
  add_strv (b, "privileges", user->privileges);
  add_string (b, "level", strcmp (user->role, "org_user") == 0 ? "1" : "2");
  add_string (b, "userLicenseTypeId", user->user_type);
  add_bool (b, "disabled", FALSE);
  add_string (b, "culture", "en");
  add_string (b, "region", "US");
  add_string (b, "units", "metric");
  add_string (b, "thumbnail", NULL);
  add_int (b, "created", created_at_ms - G_GINT64_CONSTANT (86400000) * 400);
  add_int (b, "modified", created_at_ms - G_GINT64_CONSTANT (86400000) * 30);
  add_int (b, "lastLogin", created_at_ms);
  add_bool (b, "mfaEnabled", user->mfa_code != NULL);
  add_int (b, "storageUsage", 583650);
  add_int (b, "storageQuota", G_GINT64_CONSTANT (2147483648));
  add_string (b, "provider", user->provider ? user->provider : "arcgis");
  json_builder_set_member_name (b, "groups");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  add_string (b, "id", "5b0c1e2d3f4a5b6c7d8e9f0a1b2c3d4e");
  add_string (b, "title", "Sandbox Testers");
  add_string (b, "owner", ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  add_string (b, "access", "org");
  json_builder_set_member_name (b, "userMembership");
  json_builder_begin_object (b);
  add_string (b, "username", user->username);
  add_string (b, "memberType",
              strcmp (user->username, ARCPASS_SANDBOX_PUBLISHER_USERNAME) == 0 ? "owner" : "member");
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/* Describes any credential: an API key, an app token or a user token. Returns
 * FALSE when @value is not known to the sandbox. */
static gboolean
build_app_info (JsonBuilder    *b,
                ArcpassSandbox *sandbox,
                const char     *value)
{
  const SbApiKey *key = NULL;
  const SbApp *app = NULL;
  SbToken *token = NULL;
  gint64 expires = -1;

  for (guint i = 0; value && sb_api_keys[i].key; i++)
    if (sb_secret_equal (sb_api_keys[i].key, value))
      key = &sb_api_keys[i];

  if (key)
    {
      if (key->lifetime != 0)
        expires = (sb_sandbox_get_created_at (sandbox) + key->lifetime) * 1000;
    }
  else if ((token = sb_tokens_lookup (sandbox, value)) && token->client_id &&
           (app = sb_find_app (token->client_id)) &&
           (token->kind == SB_TOKEN_ACCESS || token->kind == SB_TOKEN_APP ||
            token->kind == SB_TOKEN_REFRESH))
    {
      expires = token->expires_at * 1000;
    }
  else
    return FALSE;

  json_builder_begin_object (b);
  add_string (b, "appId", key ? key->item_id : app->client_id);
  add_string (b, "appTitle", key ? key->title : app->title);
  add_string (b, "appOwner", ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  add_string (b, "itemId", key ? key->item_id : app->item_id);
  add_string (b, "orgId", SB_ORG_ID);
  add_string (b, "appType", key ? "apikey" : "multiple");
  add_strv (b, "privileges", key ? key->privileges : app->privileges);
  add_int (b, "expirationDate", expires);
  add_bool (b, "expired", expires >= 0 && expires / 1000 <= arcpass_sandbox_get_now (sandbox));
  json_builder_end_object (b);
  return TRUE;
}

static void
respond_builder (SbRequest   *req,
                 SbFormat     format,
                 JsonBuilder *b)
{
  g_autoptr(JsonNode) node = json_builder_get_root (b);

  sb_respond_json (req, SOUP_STATUS_OK, format, node);
}

/* Classic portal token errors: HTTP 200 with the code in the body. */
static gboolean
respond_auth_error (SbRequest   *req,
                    SbFormat     format,
                    SbAuthResult result)
{
  switch (result)
    {
    case SB_AUTH_MISSING:
      {
        const char * const details[] = { "Token Required", NULL };
        g_autoptr(JsonNode) node = sb_error_node (499, "Token Required", NULL, "GWM_0003",
                                                  details, NULL);

        sb_respond_json (req, SOUP_STATUS_OK, format, node);
        return TRUE;
      }
    case SB_AUTH_INVALID:
      sb_respond_error (req, SOUP_STATUS_OK, format, 498, "Invalid token.", NULL);
      return TRUE;
    case SB_AUTH_OK:
    default:
      return FALSE;
    }
}

static void
respond_permission_denied (SbRequest *req,
                           SbFormat   format)
{
  g_autoptr(JsonNode) node = sb_error_node (
    403, "You do not have permissions to access this resource or perform this operation.",
    NULL, "GWM_0003", NULL, NULL);

  sb_respond_json (req, SOUP_STATUS_OK, format, node);
}

/* ---------------------------------------------------------- info, self */

static void
handle_root (SbRequest *req)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "currentVersion", PORTAL_VERSION);
  json_builder_end_object (b);
  respond_builder (req, sb_request_get_format (req, SB_FORMAT_HTML), b);
}

static void
handle_info (SbRequest *req)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *base = sb_request_dup_base_url (req);
  g_autofree char *gen = g_strconcat (base, "/sharing/rest/generateToken", NULL);

  json_builder_begin_object (b);
  add_string (b, "owningSystemUrl", base);
  json_builder_set_member_name (b, "authInfo");
  json_builder_begin_object (b);
  add_string (b, "tokenServicesUrl", gen);
  add_bool (b, "isTokenBasedSecurity", TRUE);
  json_builder_end_object (b);
  json_builder_end_object (b);
  respond_builder (req, sb_request_get_format (req, SB_FORMAT_HTML), b);
}

static void
handle_portals_self (SbRequest *req)
{
  SbFormat format = sb_request_get_format (req, SB_FORMAT_HTML);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *services = sb_sandbox_host_url (req->sandbox, ARCPASS_SANDBOX_HOST_SERVICES);
  g_autofree char *geocode = g_strconcat (services, "/arcgis/rest/services/World/GeocodeServer", NULL);
  g_autofree char *styles = g_strconcat (services, "/arcgis/rest/services/styles/v2", NULL);
  g_autofree char *tiles = g_strconcat (services,
                                        "/arcgis/rest/services/static-basemap-tiles-service/v1",
                                        NULL);
  SbIdentity identity;
  SbAuthResult result = sb_sandbox_authenticate (req->sandbox, req, &identity);
  gboolean platform;

  /* Anonymous callers get the public view; a bad token is still an error. */
  if (result == SB_AUTH_INVALID && respond_auth_error (req, format, result))
    return;

  /* The caller's organisation: the Location Platform account's for its
   * user and for the fixture API keys (developer keys), else the ArcGIS
   * Online organisation. */
  platform = result == SB_AUTH_OK &&
             ((identity.username &&
               strcmp (sb_user_get_org_id (sb_find_user (identity.username)), SB_PLATFORM_ORG_ID) == 0) ||
              identity.is_api_key);

  json_builder_begin_object (b);
  add_string (b, "id", platform ? SB_PLATFORM_ORG_ID : SB_ORG_ID);
  add_string (b, "name", platform ? SB_PLATFORM_ORG_NAME : SB_PORTAL_NAME);
  if (result == SB_AUTH_OK)
    {
      /* Only members see their subscription. Esri does not document the
       * values; "Location Platform" for Location Platform accounts is
       * UNCONFIRMED (src/sandbox/README.md), and clients must be tolerant. */
      json_builder_set_member_name (b, "subscriptionInfo");
      json_builder_begin_object (b);
      add_string (b, "type", platform ? "Location Platform" : "In House");
      add_string (b, "id", platform ? SB_PLATFORM_ORG_ID : SB_ORG_ID);
      json_builder_end_object (b);
    }
  /* As on ArcGIS Online: the organisation lives on <urlKey>.<customBaseUrl>
   * (the ORG host's loopback address stands for sandbox.maps.arcgis.com, as
   * every loopback host of the sandbox's port stands for an *.arcgis.com
   * host), and portalHostname is the multitenant portal's own host. */
  add_string (b, "urlKey", "sandbox");
  add_string (b, "customBaseUrl", "maps.arcgis.com");
  add_string (b, "portalHostname",
              strstr (sb_sandbox_host_url (req->sandbox, ARCPASS_SANDBOX_HOST_PORTAL), "://") + 3);
  add_string (b, "portalName", "ArcGIS Online (Arcpass sandbox)");
  add_string (b, "portalMode", "multitenant");
  add_bool (b, "isPortal", FALSE);
  add_bool (b, "allSSL", FALSE);
  add_string (b, "currentVersion", PORTAL_VERSION);
  add_bool (b, "supportsOAuth", TRUE);
  add_int (b, "maxTokenExpirationMinutes", -1);
  add_string (b, "culture", "en");
  add_string (b, "region", "US");
  add_strv (b, "allowedRedirectUris", NULL);
  add_strv (b, "authorizedCrossOriginDomains", NULL);
  json_builder_set_member_name (b, "helperServices");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "geocode");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  add_string (b, "url", geocode);
  add_string (b, "name", "ArcGIS World Geocoding Service (sandbox)");
  add_bool (b, "batch", FALSE);
  add_bool (b, "placefinding", TRUE);
  add_bool (b, "suggest", TRUE);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "basemapStyles");
  json_builder_begin_object (b);
  add_string (b, "url", styles);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "staticBasemapTiles");
  json_builder_begin_object (b);
  add_string (b, "url", tiles);
  json_builder_end_object (b);
  json_builder_end_object (b);

  if (result == SB_AUTH_OK && identity.username)
    {
      json_builder_set_member_name (b, "user");
      build_user (b, sb_find_user (identity.username),
                  sb_sandbox_get_created_at (req->sandbox) * 1000);
    }
  else if (result == SB_AUTH_OK)
    {
      json_builder_set_member_name (b, "appInfo");
      build_app_info (b, req->sandbox, req->token);
    }
  json_builder_end_object (b);
  respond_builder (req, format, b);
}

static void
handle_community_self (SbRequest *req)
{
  SbFormat format = sb_request_get_format (req, SB_FORMAT_HTML);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  const char *app_info_token = sb_request_get_param (req, "appinfotoken");
  SbIdentity identity;
  SbAuthResult result = sb_sandbox_authenticate (req->sandbox, req, &identity);

  if (respond_auth_error (req, format, result))
    return;

  /* community/self describes a user: app tokens and API keys are not one. */
  if (!identity.username)
    {
      respond_permission_denied (req, format);
      return;
    }

  build_user (b, sb_find_user (identity.username),
              sb_sandbox_get_created_at (req->sandbox) * 1000);
  node = json_builder_get_root (b);

  if (app_info_token && *app_info_token)
    {
      g_autoptr(JsonBuilder) ab = json_builder_new ();

      if (!build_app_info (ab, req->sandbox, app_info_token))
        {
          const char * const details[] = { "The appInfoToken is not a known token.", NULL };

          sb_respond_error (req, SOUP_STATUS_OK, format, 400, "Unable to get app info.",
                            details);
          return;
        }
      json_object_set_member (json_node_get_object (node), "appInfo", json_builder_get_root (ab));
    }

  sb_respond_json (req, SOUP_STATUS_OK, format, node);
}

/* --------------------------------------------------------- generateToken */

/* The portal a user belongs to, for generateToken: the Online portal's
 * hosts (PORTAL, ORG) know the Online users, the Enterprise host its own. */
static gboolean
user_belongs_here (const SbUser *user,
                   SbRequest    *req)
{
  if (req->host == ARCPASS_SANDBOX_HOST_ENTERPRISE)
    return user->home == ARCPASS_SANDBOX_HOST_ENTERPRISE;
  return user->home != ARCPASS_SANDBOX_HOST_ENTERPRISE;
}

static void
respond_generate_error (SbRequest  *req,
                        SbFormat    format,
                        const char *detail)
{
  const char * const details[] = { detail, NULL };

  sb_respond_error (req, SOUP_STATUS_OK, format, 400, "Unable to generate token.", details);
}

static void
handle_generate_token (SbRequest *req)
{
  SbFormat format = sb_request_get_format (req, SB_FORMAT_HTML);
  GHashTable *body = req->body_params;
  const char *username, *password, *client, *referer, *server_url;
  const SbUser *user = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *enterprise_server = sb_enterprise_server_url (req->sandbox);
  gboolean server_token = FALSE;
  SbToken *token;
  gint64 minutes;

  /* POST only, and credentials only in the body: a password in a URL ends
   * up in proxy and server logs. */
  if (strcmp (req->method, "POST") != 0 ||
      g_hash_table_contains (req->query_params, "password") ||
      g_hash_table_contains (req->query_params, "username"))
    {
      respond_generate_error (req, format,
                              "generateToken accepts POST only, with the credentials in the "
                              "request body.");
      return;
    }

  body = body ? body : req->params;
  username = g_hash_table_lookup (body, "username");
  password = g_hash_table_lookup (body, "password");
  client = g_hash_table_lookup (body, "client");
  referer = g_hash_table_lookup (body, "referer");
  server_url = g_hash_table_lookup (body, "serverurl");

  if (!username && req->token && server_url)
    {
      /* Swapping a portal token for a federated-server token. */
      SbIdentity identity;
      SbAuthResult result = sb_sandbox_authenticate (req->sandbox, req, &identity);

      if (respond_auth_error (req, format, result))
        return;
      if (!identity.username)
        {
          respond_permission_denied (req, format);
          return;
        }
      user = sb_find_user (identity.username);
      if (req->host == ARCPASS_SANDBOX_HOST_ENTERPRISE)
        {
          g_autofree char *trimmed = g_strdup (server_url);
          gsize len = strlen (trimmed);

          while (len > 0 && trimmed[len - 1] == '/')
            trimmed[--len] = '\0';
          /* Only a server federated with this portal gets a server token.
           * UNCONFIRMED wording (src/sandbox/README.md). */
          if (strcmp (trimmed, enterprise_server) != 0)
            {
              respond_generate_error (req, format,
                                      "The serverUrl is not a server federated with this portal.");
              return;
            }
          server_token = TRUE;
        }
    }
  else
    {
      user = sb_find_user (username);
      if (user && !user_belongs_here (user, req))
        user = NULL;

      /* A SAML login has no password in the portal: it can only sign in
       * through its identity provider. UNCONFIRMED wording (README). */
      if (user && g_strcmp0 (user->provider, "enterprise") == 0)
        {
          respond_generate_error (req, format,
                                  "This account signs in through the organization's identity "
                                  "provider (SAML); generateToken cannot be used with it.");
          return;
        }

      /* Enterprise locks an account after repeated wrong passwords, even
       * for the right one, until the lockout runs out. UNCONFIRMED wording. */
      if (user && user->home == ARCPASS_SANDBOX_HOST_ENTERPRISE &&
          sb_lockout_is_locked (req->sandbox, user->username))
        {
          respond_generate_error (req, format,
                                  "Too many invalid logon attempts. Your account is locked; "
                                  "try again later.");
          return;
        }

      if (!user || !sb_secret_equal (user->password, password))
        {
          if (user && user->home == ARCPASS_SANDBOX_HOST_ENTERPRISE)
            sb_lockout_record (req->sandbox, user->username, FALSE);
          respond_generate_error (req, format, "Invalid username or password.");
          return;
        }
      if (user->home == ARCPASS_SANDBOX_HOST_ENTERPRISE)
        sb_lockout_record (req->sandbox, user->username, TRUE);
    }

  if (g_strcmp0 (client, "referer") == 0 && (!referer || !*referer))
    {
      respond_generate_error (req, format, "A referer is required when client=referer.");
      return;
    }

  minutes = parse_minutes (g_hash_table_lookup (body, "expiration"),
                           GENERATE_DEFAULT_MINUTES, GENERATE_MAX_MINUTES);
  token = sb_tokens_insert (req->sandbox, SB_TOKEN_GENERATED, minutes * 60);
  token->username = g_strdup (user->username);
  if (g_strcmp0 (client, "referer") == 0)
    token->referer = g_strdup (referer);
  if (server_token)
    {
      token->server_token = TRUE;
      token->server_url = g_strdup (enterprise_server);
    }

  json_builder_begin_object (b);
  add_string (b, "token", token->value);
  add_int (b, "expires", token->expires_at * 1000);
  add_bool (b, "ssl", FALSE);
  json_builder_end_object (b);
  respond_builder (req, format, b);
}

/* --------------------------------------------------------- authorize */

static void
respond_error_page (SbRequest  *req,
                    guint       status,
                    const char *message)
{
  g_autofree char *escaped = sb_html_escape (message);
  g_autofree char *html = g_strdup_printf (
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Error</title></head>\n"
    "<body><h1>%s</h1>\n<p id=\"errorCode\">Error %u</p></body></html>\n",
    escaped, status);

  sb_respond_html (req, status, html);
}

static void
respond_signin_page (SbRequest  *req,
                     SbToken    *pending,
                     const char *error_message,
                     const char *username)
{
  const SbApp *app = sb_find_app (pending->client_id);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *info_json = NULL;
  g_autoptr(GString) safe_json = NULL;
  g_autofree char *state = sb_html_escape (pending->value);
  g_autofree char *title = sb_html_escape (app->title);
  g_autofree char *user = sb_html_escape (username ? username : "");
  g_autofree char *error_html = NULL;
  g_autofree char *html = NULL;
  g_autofree char *users = sb_test_users_html (req->host, FALSE);
  g_autofree char *idp_link = NULL;

  /* "Sign in with <IdP>", as ArcGIS Online shows an organisation's SAML
   * login: the browser goes to the identity provider with the request,
   * and RelayState brings this sign-in back. */
  {
    g_autofree char *acs = sb_saml_acs_url (req->sandbox);
    g_autofree char *request_xml = g_strdup_printf (
      "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
      "AssertionConsumerServiceURL=\"%s\"/>", acs);
    g_autofree char *saml_request = g_base64_encode ((const guchar *) request_xml,
                                                     strlen (request_xml));
    g_autofree char *base = g_strconcat (sb_sandbox_host_url (req->sandbox, ARCPASS_SANDBOX_HOST_IDP),
                                         "/saml2/sso", NULL);
    g_autofree char *url = append_params (base, '?', "SAMLRequest", saml_request,
                                          "RelayState", pending->value, NULL);

    g_autofree char *escaped = sb_html_escape (url);

    /* The identity provider belongs to the ArcGIS Online organisation; the
     * Enterprise portal does not offer it. */
    if (req->host != ARCPASS_SANDBOX_HOST_ENTERPRISE)
      idp_link = g_strdup_printf ("<p><a id=\"idpSignIn\" href=\"%s\">Sign in with "
                                  SB_IDP_NAME "</a></p>\n", escaped);
  }

  json_builder_begin_object (b);
  add_string (b, "oauth_state", pending->value);
  add_string (b, "client_id", app->client_id);
  add_string (b, "appTitle", app->title);
  add_string (b, "portalName", SB_PORTAL_NAME);
  add_string (b, "locale", sb_request_get_param (req, "locale"));
  add_string (b, "style", sb_request_get_param (req, "style"));
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  json_generator_set_root (gen, node);
  info_json = json_generator_to_data (gen, NULL);
  /* Keep the JSON from closing the <script> element. */
  safe_json = g_string_new (info_json);
  g_string_replace (safe_json, "<", "\\u003c", 0);

  if (error_message)
    {
      g_autofree char *escaped = sb_html_escape (error_message);

      error_html = g_strdup_printf ("<p id=\"errorMessage\" role=\"alert\">%s</p>\n", escaped);
    }

  html = g_strdup_printf (
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width\">\n"
    "<title>Sign In</title>\n"
    "<style>body{font-family:sans-serif;max-width:24em;margin:3em auto;}"
    "label,input{display:block;width:100%%;margin:.3em 0;}"
    "#errorMessage{color:#b00;}</style>\n"
    "<script>var oAuthInfo = %s;</script>\n"
    "</head><body>\n"
    "<h1>Sign in to " SB_PORTAL_NAME "</h1>\n"
    "<p id=\"appTitle\"><b>%s</b> would like to access your account.</p>\n"
    "%s"
    "<form id=\"oauth\" method=\"post\" action=\"signin\">\n"
    "<input type=\"hidden\" name=\"oauth_state\" value=\"%s\">\n"
    "<label for=\"user_username\">Username</label>\n"
    "<input id=\"user_username\" name=\"username\" type=\"text\" autocomplete=\"username\""
    " value=\"%s\" required>\n"
    "<label for=\"user_password\">Password</label>\n"
    "<input id=\"user_password\" name=\"password\" type=\"password\""
    " autocomplete=\"current-password\">\n"
    "<button id=\"signIn\" type=\"submit\" name=\"authorize\" value=\"true\">Sign In</button>\n"
    "<button id=\"cancel\" type=\"submit\" name=\"cancel\" value=\"true\""
    " formnovalidate>Cancel</button>\n"
    "</form>\n"
    "%s"
    "%s"
    "</body></html>\n",
    safe_json->str, title, error_html ? error_html : "", state, user,
    idp_link ? idp_link : "", users);

  sb_respond_html (req, SOUP_STATUS_OK, html);
}

#define SESSION_LIFETIME (14 * 24 * 3600)

/* The session of the request's Cookie header, if it belongs to this host
 * (browsers keep cookies per host) and is still valid. */
static SbToken *
find_session (SbRequest *req)
{
  const char *header = soup_message_headers_get_one (
    soup_server_message_get_request_headers (req->msg), "Cookie");
  g_auto(GStrv) cookies = NULL;

  if (!header)
    return NULL;
  cookies = g_strsplit (header, ";", -1);
  for (guint i = 0; cookies[i]; i++)
    {
      const char *cookie = g_strstrip (cookies[i]);
      SbToken *session;

      if (!g_str_has_prefix (cookie, SB_SESSION_COOKIE "="))
        continue;
      session = sb_tokens_lookup (req->sandbox, cookie + strlen (SB_SESSION_COOKIE "="));
      if (session && session->kind == SB_TOKEN_SESSION && session->issuer == req->host &&
          session->expires_at > arcpass_sandbox_get_now (req->sandbox))
        return session;
    }
  return NULL;
}

static void
start_session (SbRequest  *req,
               const char *username)
{
  SbToken *session = sb_tokens_insert (req->sandbox, SB_TOKEN_SESSION, SESSION_LIFETIME);
  g_autofree char *cookie = NULL;

  session->username = g_strdup (username);
  session->issuer = req->host;
  /* Persistent, as with "Keep me signed in" on ArcGIS Online. */
  cookie = g_strdup_printf (SB_SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax",
                            session->value, SESSION_LIFETIME);
  if (!req->disconnected)
    soup_message_headers_append (soup_server_message_get_response_headers (req->msg),
                                 "Set-Cookie", cookie);
}

/* The user is known: issue the code (or implicit token) and send the
 * browser to the redirect URI, or to the approval page of the host the
 * sign-in ended on. @new_session sets the portal's session cookie. */
static void
finish_sign_in (SbRequest  *req,
                SbToken    *pending,
                const char *username,
                gboolean    new_session)
{
  ArcpassSandbox *sandbox = req->sandbox;
  g_autofree char *target = NULL;
  g_autofree char *location = NULL;

  target = is_oob (pending->redirect_uri) ? approval_url (req) : g_strdup (pending->redirect_uri);

  if (strcmp (pending->response_type, "code") == 0)
    {
      SbToken *code = sb_tokens_insert (sandbox, SB_TOKEN_CODE, CODE_LIFETIME);

      code->username = g_strdup (username);
      code->client_id = g_strdup (pending->client_id);
      code->redirect_uri = g_strdup (pending->redirect_uri);
      code->code_challenge = g_strdup (pending->code_challenge);
      code->code_challenge_method = g_strdup (pending->code_challenge_method);
      code->refresh_lifetime = pending->refresh_lifetime;
      location = append_params (target, '?', "code", code->value, "state", pending->state, NULL);
    }
  else
    {
      /* Implicit-grant results travel in the fragment, never to a server. */
      SbToken *access = sb_tokens_insert (sandbox, SB_TOKEN_ACCESS, pending->refresh_lifetime);
      g_autofree char *expires_in = g_strdup_printf ("%" G_GINT64_FORMAT, pending->refresh_lifetime);

      access->username = g_strdup (username);
      access->client_id = g_strdup (pending->client_id);
      location = append_params (target, '#',
                                "access_token", access->value,
                                "expires_in", expires_in,
                                "username", username,
                                /* As the token endpoint's answers: ArcGIS Online
                                 * tokens are HTTPS-only; the Enterprise portal
                                 * is not allSSL. */
                                "ssl", req->host == ARCPASS_SANDBOX_HOST_ENTERPRISE ? "false" : "true",
                                "persist", "false",
                                "state", pending->state, NULL);
    }

  if (new_session)
    start_session (req, username);
  sb_tokens_remove (sandbox, pending->value);
  sb_respond_redirect (req, location);
}

static void
respond_password_expired (SbRequest   *req,
                          SbToken     *pending,
                          const SbUser *user,
                          const char  *error_message)
{
  SbToken *change = sb_tokens_insert (req->sandbox, SB_TOKEN_PASSWORD_CHANGE, PENDING_LIFETIME);
  g_autofree char *state = sb_html_escape (pending->value);
  g_autofree char *name = sb_html_escape (user->username);
  g_autofree char *error_html = NULL;
  g_autofree char *users = sb_test_users_html (req->host, FALSE);
  g_autofree char *html = NULL;

  change->username = g_strdup (user->username);
  change->state = g_strdup (pending->value);
  if (error_message)
    {
      g_autofree char *escaped = sb_html_escape (error_message);

      error_html = g_strdup_printf ("<p id=\"errorMessage\" role=\"alert\">%s</p>\n", escaped);
    }
  html = g_strdup_printf (
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width\">\n"
    "<title>Password Expired</title>\n"
    "<style>body{font-family:sans-serif;max-width:24em;margin:3em auto;}"
    "label,input{display:block;width:100%%;margin:.3em 0;}"
    "#errorMessage{color:#b00;}</style>\n"
    "</head><body>\n"
    "<h1>Your password has expired</h1>\n"
    "<p id=\"passwordExpired\">The password of <b>%s</b> is right, but it has expired: your "
    "organisation asks you to choose a new one before you continue. (The sandbox does not keep "
    "it: next time, sign in with the old password again.)</p>\n"
    "%s"
    "<form id=\"changePassword\" method=\"post\" action=\"signin\">\n"
    "<input type=\"hidden\" name=\"oauth_state\" value=\"%s\">\n"
    "<input type=\"hidden\" name=\"password_change\" value=\"%s\">\n"
    "<label for=\"newPassword\">New password (8 characters or more)</label>\n"
    "<input id=\"newPassword\" name=\"new_password\" type=\"password\""
    " autocomplete=\"new-password\" required>\n"
    "<label for=\"confirmPassword\">New password again</label>\n"
    "<input id=\"confirmPassword\" name=\"confirm_password\" type=\"password\""
    " autocomplete=\"new-password\" required>\n"
    "<button id=\"changePasswordSubmit\" type=\"submit\">Change Password and Continue</button>\n"
    "<button id=\"cancel\" type=\"submit\" name=\"cancel\" value=\"true\""
    " formnovalidate>Cancel</button>\n"
    "</form>\n%s</body></html>\n",
    name, error_html ? error_html : "", state, change->value, users);

  sb_respond_html (req, SOUP_STATUS_OK, html);
}

static void
handle_authorize (SbRequest *req)
{
  const char *client_id = sb_request_get_param (req, "client_id");
  const char *redirect_uri = sb_request_get_param (req, "redirect_uri");
  const char *response_type = sb_request_get_param (req, "response_type");
  const char *state = sb_request_get_param (req, "state");
  const char *challenge = sb_request_get_param (req, "code_challenge");
  const char *method = sb_request_get_param (req, "code_challenge_method");
  const SbApp *app = sb_find_app (client_id);
  SbToken *pending;

  /* Without a valid client and redirect URI the portal cannot send the user
   * anywhere safe: it shows an error page instead of redirecting. */
  if (!app)
    {
      respond_error_page (req, SOUP_STATUS_BAD_REQUEST, "Invalid client_id");
      return;
    }
  if (!redirect_uri || !app_accepts_redirect (req->sandbox, app, redirect_uri))
    {
      respond_error_page (req, SOUP_STATUS_BAD_REQUEST, "Invalid redirect_uri");
      return;
    }

  if (g_strcmp0 (response_type, "code") != 0 && g_strcmp0 (response_type, "token") != 0)
    {
      g_autofree char *base = is_oob (redirect_uri) ? approval_url (req)
                                                    : g_strdup (redirect_uri);
      g_autofree char *location = append_params (
        base, '?',
        "error", "unsupported_response_type",
        "error_description", "response_type must be code or token",
        "state", state, NULL);

      sb_respond_redirect (req, location);
      return;
    }

  if (challenge && *challenge)
    {
      if (!method || !*method)
        method = "plain";  /* RFC 7636 §4.3 */
      if (strcmp (method, "S256") != 0 && strcmp (method, "plain") != 0)
        {
          g_autofree char *base = is_oob (redirect_uri) ? approval_url (req)
                                                        : g_strdup (redirect_uri);
          g_autofree char *location = append_params (base, '?',
                                                     "error", "invalid_request",
                                                     "error_description",
                                                     "Invalid code_challenge_method",
                                                     "state", state, NULL);

          sb_respond_redirect (req, location);
          return;
        }
    }

  pending = sb_tokens_insert (req->sandbox, SB_TOKEN_PENDING, PENDING_LIFETIME);
  pending->client_id = g_strdup (client_id);
  pending->redirect_uri = g_strdup (redirect_uri);
  pending->response_type = g_strdup (response_type);
  pending->state = g_strdup (state);
  if (challenge && *challenge && strcmp (response_type, "code") == 0)
    {
      pending->code_challenge = g_strdup (challenge);
      pending->code_challenge_method = g_strdup (method);
    }
  if (strcmp (response_type, "code") == 0)
    pending->refresh_lifetime = 60 * parse_minutes (sb_request_get_param (req, "expiration"),
                                                    REFRESH_DEFAULT_MINUTES, REFRESH_MAX_MINUTES);
  else
    pending->refresh_lifetime = 60 * parse_minutes (sb_request_get_param (req, "expiration"),
                                                    IMPLICIT_DEFAULT_MINUTES, IMPLICIT_MAX_MINUTES);

  /* A portal session (the cookie of an earlier sign-in on this host, as a
   * browser keeps it) completes the sign-in without a form, unless the
   * client asks for the form with force_login=true. */
  if (g_strcmp0 (sb_request_get_param (req, "force_login"), "true") != 0)
    {
      SbToken *session = find_session (req);

      if (session)
        {
          finish_sign_in (req, pending, session->username, FALSE);
          return;
        }
    }

  respond_signin_page (req, pending, NULL, sb_request_get_param (req, "prepopulatedusername"));
}

static void
handle_signin (SbRequest *req)
{
  ArcpassSandbox *sandbox = req->sandbox;
  const char *oauth_state = sb_request_get_param (req, "oauth_state");
  const char *username = sb_request_get_param (req, "username");
  const char *password = sb_request_get_param (req, "password");
  const char *cancel = sb_request_get_param (req, "cancel");
  const char *password_change = sb_request_get_param (req, "password_change");
  SbToken *pending;
  const SbUser *user;
  g_autofree char *target = NULL;
  g_autofree char *location = NULL;

  if (strcmp (req->method, "POST") != 0)
    {
      respond_error_page (req, SOUP_STATUS_METHOD_NOT_ALLOWED, "The sign-in form must be POSTed");
      return;
    }

  pending = sb_tokens_lookup (sandbox, oauth_state);
  if (!pending || pending->kind != SB_TOKEN_PENDING ||
      pending->expires_at <= arcpass_sandbox_get_now (sandbox))
    {
      respond_error_page (req, SOUP_STATUS_BAD_REQUEST,
                          "This sign-in page has expired. Start the sign-in again from the application.");
      return;
    }

  target = is_oob (pending->redirect_uri) ? approval_url (req) : g_strdup (pending->redirect_uri);

  if (cancel && *cancel)
    {
      location = append_params (target, strcmp (pending->response_type, "token") == 0 ? '#' : '?',
                                "error", "access_denied",
                                "error_description", "The user has denied your request",
                                "state", pending->state, NULL);
      sb_tokens_remove (sandbox, pending->value);
      sb_respond_redirect (req, location);
      return;
    }

  /* The second step of an expired password: the new one. */
  if (password_change && *password_change)
    {
      SbToken *change = sb_tokens_lookup (sandbox, password_change);
      const char *new_password = sb_request_get_param (req, "new_password");
      const char *confirm = sb_request_get_param (req, "confirm_password");

      if (!change || change->kind != SB_TOKEN_PASSWORD_CHANGE ||
          g_strcmp0 (change->state, pending->value) != 0 ||
          change->expires_at <= arcpass_sandbox_get_now (sandbox) ||
          !(user = sb_find_user (change->username)))
        {
          respond_error_page (req, SOUP_STATUS_BAD_REQUEST,
                              "This page has expired. Start the sign-in again from the application.");
          return;
        }
      sb_tokens_remove (sandbox, change->value);
      if (!new_password || strlen (new_password) < 8 || g_strcmp0 (new_password, confirm) != 0 ||
          strcmp (new_password, user->password) == 0)
        {
          respond_password_expired (req, pending, user,
                                    "Choose a new password of 8 characters or more, different "
                                    "from the old one, and type it twice.");
          return;
        }
      finish_sign_in (req, pending, user->username, TRUE);
      return;
    }

  user = sb_find_user (username);
  if (user && !user_belongs_here (user, req))
    user = NULL;
  if (user && user->idp)
    {
      /* As on ArcGIS Online: an organisation's SAML users have no ArcGIS
       * password; they sign in with their identity provider. */
      respond_signin_page (req, pending,
                           "This account signs in with " SB_IDP_NAME ": use “Sign in with "
                           SB_IDP_NAME "” below.", username);
      return;
    }
  if (!user || !sb_secret_equal (user->password, password))
    {
      respond_signin_page (req, pending, "Invalid username or password.", username);
      return;
    }
  if (user->password_expired)
    {
      respond_password_expired (req, pending, user, NULL);
      return;
    }

  finish_sign_in (req, pending, user->username, TRUE);
}

/* The identity provider's answer (SAML HTTP-POST binding) on the
 * organisation's host: RelayState names the sign-in, SAMLResponse the
 * user. The sign-in then ends on this host, as it does on
 * <urlKey>.maps.arcgis.com. */
static void
handle_saml_signin (SbRequest *req)
{
  ArcpassSandbox *sandbox = req->sandbox;
  const char *response = sb_request_get_param (req, "samlresponse");
  const char *relay_state = sb_request_get_param (req, "relaystate");
  SbToken *assertion;
  SbToken *pending;
  g_autofree char *username = NULL;

  if (strcmp (req->method, "POST") != 0)
    {
      respond_error_page (req, SOUP_STATUS_METHOD_NOT_ALLOWED,
                          "The identity provider's answer must be POSTed");
      return;
    }

  assertion = sb_tokens_lookup (sandbox, response);
  pending = sb_tokens_lookup (sandbox, relay_state);
  if (!assertion || assertion->kind != SB_TOKEN_SAML_ASSERTION ||
      assertion->expires_at <= arcpass_sandbox_get_now (sandbox) ||
      g_strcmp0 (assertion->state, relay_state) != 0 ||
      !pending || pending->kind != SB_TOKEN_PENDING ||
      /* The identity provider only signs in to the Online organisation. */
      pending->issuer == ARCPASS_SANDBOX_HOST_ENTERPRISE ||
      pending->expires_at <= arcpass_sandbox_get_now (sandbox))
    {
      respond_error_page (req, SOUP_STATUS_BAD_REQUEST,
                          "The identity provider's answer is not valid or has expired. Start the "
                          "sign-in again from the application.");
      return;
    }

  /* Single use, like a SAML assertion's ID. */
  username = g_strdup (assertion->username);
  sb_tokens_remove (sandbox, assertion->value);
  finish_sign_in (req, pending, username, TRUE);
}

static void
handle_approval (SbRequest *req)
{
  const char *code = sb_request_get_param (req, "code");
  const char *error = sb_request_get_param (req, "error");
  g_autofree char *html = NULL;

  /* Native apps without a web server read the page title ("SUCCESS code=…"
   * or "Denied error=…"), as Esri's toolkit does. */
  if (code && *code)
    {
      g_autofree char *escaped = sb_html_escape (code);

      html = g_strdup_printf (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>SUCCESS code=%s</title>"
        "</head>\n<body><p>Copy this code and paste it into the application.</p>\n"
        "<input id=\"code\" type=\"text\" readonly value=\"%s\"></body></html>\n",
        escaped, escaped);
    }
  else
    {
      g_autofree char *escaped = sb_html_escape (error ? error : "invalid_request");

      html = g_strdup_printf (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Denied error=%s</title>"
        "</head>\n<body><p>The sign-in did not complete: %s</p></body></html>\n",
        escaped, escaped);
    }
  sb_respond_html (req, SOUP_STATUS_OK, html);
}

/* ------------------------------------------------------------- token */

static void
respond_oauth_error (SbRequest  *req,
                     int         code,
                     const char *error,
                     const char *description)
{
  g_autoptr(JsonNode) node = sb_error_node (code, description, error, NULL, NULL, NULL);
  SbFormat format = sb_request_get_format (req, SB_FORMAT_JSON);

  sb_respond_json (req, sb_sandbox_get_oauth_error_status (req->sandbox),
                   format == SB_FORMAT_HTML ? SB_FORMAT_JSON : format, node);
}

static gboolean
pkce_verifier_is_valid (const char *verifier)
{
  gsize len = strlen (verifier);

  /* RFC 7636 §4.1: 43 to 128 unreserved characters. */
  if (len < 43 || len > 128)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (verifier[i]) && !strchr ("-._~", verifier[i]))
      return FALSE;
  return TRUE;
}

static gboolean
pkce_check (SbToken    *code,
            const char *verifier)
{
  g_autoptr(GChecksum) sha = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autofree char *b64 = NULL;

  if (!verifier || !pkce_verifier_is_valid (verifier))
    return FALSE;
  if (g_strcmp0 (code->code_challenge_method, "plain") == 0)
    return sb_secret_equal (code->code_challenge, verifier);

  sha = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sha, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (sha, digest, &digest_len);
  b64 = g_base64_encode (digest, digest_len);
  g_strdelimit (b64, "+", '-');
  g_strdelimit (b64, "/", '_');
  g_strdelimit (b64, "=", '\0');
  return sb_secret_equal (code->code_challenge, b64);
}

static SbToken *
issue_access (ArcpassSandbox *sandbox,
              SbToken        *refresh)
{
  SbToken *access = sb_tokens_insert (sandbox, SB_TOKEN_ACCESS, ACCESS_LIFETIME);

  access->username = g_strdup (refresh->username);
  access->client_id = g_strdup (refresh->client_id);
  access->parent = g_strdup (refresh->value);
  if (!refresh->children)
    refresh->children = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (refresh->children, g_strdup (access->value));
  return access;
}

static void
respond_user_tokens (SbRequest *req,
                     SbToken   *access,
                     SbToken   *refresh)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  SbFormat format = sb_request_get_format (req, SB_FORMAT_JSON);

  json_builder_begin_object (b);
  add_string (b, "access_token", access->value);
  add_int (b, "expires_in", access->expires_at - access->issued_at);
  add_string (b, "username", access->username);
  /* ArcGIS Online's token answers say ssl: true (its tokens must only
   * travel over HTTPS; the sandbox itself is loopback HTTP). */
  add_bool (b, "ssl", TRUE);
  if (refresh)
    {
      add_string (b, "refresh_token", refresh->value);
      /* ArcGIS Enterprise before 10.9.1 does not say how long the refresh
       * token lives (the "old Enterprise" switch). */
      if (!sb_sandbox_get_old_enterprise (req->sandbox))
        add_int (b, "refresh_token_expires_in", refresh->expires_at - refresh->issued_at);
    }
  json_builder_end_object (b);
  respond_builder (req, format == SB_FORMAT_HTML ? SB_FORMAT_JSON : format, b);
}

/* Checks a refresh token for @app; responds with the error and returns NULL
 * when it is not usable. */
static SbToken *
check_refresh_token (SbRequest   *req,
                     const SbApp *app)
{
  const char *value = sb_request_get_param (req, "refresh_token");
  SbToken *refresh;

  if (!value || !*value)
    {
      respond_oauth_error (req, 400, "invalid_request", "refresh_token not specified");
      return NULL;
    }
  refresh = sb_tokens_lookup (req->sandbox, value);
  /* A refresh token only works at the portal that issued it. */
  if (!refresh || refresh->kind != SB_TOKEN_REFRESH ||
      g_strcmp0 (refresh->client_id, app->client_id) != 0 ||
      !sb_host_accepts_token (req->host, req->path, refresh))
    {
      respond_oauth_error (req, 498, "invalid_request", "Invalid refresh_token");
      return NULL;
    }
  if (refresh->expires_at <= arcpass_sandbox_get_now (req->sandbox))
    {
      respond_oauth_error (req, 498, "invalid_request", "refresh_token expired");
      return NULL;
    }
  return refresh;
}

static void
handle_token (SbRequest *req)
{
  ArcpassSandbox *sandbox = req->sandbox;
  const char *client_id = sb_request_get_param (req, "client_id");
  const char *grant_type = sb_request_get_param (req, "grant_type");
  const char *client_secret = sb_request_get_param (req, "client_secret");
  const char *redirect_uri = sb_request_get_param (req, "redirect_uri");
  const SbApp *app;

  if (strcmp (req->method, "POST") != 0 && strcmp (req->method, "GET") != 0)
    {
      respond_oauth_error (req, 405, "invalid_request", "Method not supported");
      return;
    }

  /* The docs allow GET, but a client secret in a URL ends up in logs. */
  if (g_hash_table_contains (req->query_params, "client_secret"))
    {
      respond_oauth_error (req, 400, "invalid_request",
                           "client_secret must be sent in a POST body, not in the URL");
      return;
    }

  if (!client_id || !*client_id)
    {
      respond_oauth_error (req, 400, "invalid_request", "client_id not specified");
      return;
    }
  if (!(app = sb_find_app (client_id)))
    {
      respond_oauth_error (req, 400, "invalid_client_id", "Invalid client_id");
      return;
    }
  if (!grant_type || !*grant_type)
    {
      respond_oauth_error (req, 400, "invalid_request", "grant_type not specified");
      return;
    }

  if (strcmp (grant_type, "authorization_code") == 0)
    {
      const char *code_value = sb_request_get_param (req, "code");
      SbToken *code = sb_tokens_lookup (sandbox, code_value);
      SbToken *refresh, *access;
      gboolean ok_pkce;

      /* A code, too, is only good at the portal that issued it. */
      if (!code || code->kind != SB_TOKEN_CODE ||
          g_strcmp0 (code->client_id, app->client_id) != 0 ||
          !sb_host_accepts_token (req->host, req->path, code) ||
          code->expires_at <= arcpass_sandbox_get_now (sandbox))
        {
          respond_oauth_error (req, 400, "invalid_request", "Invalid authorization code");
          return;
        }

      if (!redirect_uri || !*redirect_uri)
        {
          respond_oauth_error (req, 400, "invalid_request", "redirect_uri not specified");
          return;
        }

      /* A code is single-use even when the exchange fails, so that a stolen
       * code cannot be used to try verifiers. */
      if (strcmp (redirect_uri, code->redirect_uri) != 0)
        {
          sb_tokens_remove (sandbox, code->value);
          respond_oauth_error (req, 400, "invalid_request", "Invalid redirect_uri");
          return;
        }

      if (code->code_challenge)
        ok_pkce = pkce_check (code, sb_request_get_param (req, "code_verifier"));
      else
        ok_pkce = TRUE;
      if (!ok_pkce)
        {
          sb_tokens_remove (sandbox, code->value);
          respond_oauth_error (req, 400, "invalid_request", "Invalid code_verifier");
          return;
        }

      /* A public client needs no secret to swap a code, with or without
       * PKCE (DOC token: only client_credentials requires client_secret);
       * a secret that is sent must be right. */
      if (client_secret && !sb_secret_equal (app->client_secret, client_secret))
        {
          sb_tokens_remove (sandbox, code->value);
          respond_oauth_error (req, 400, "invalid_request", "Invalid client_secret");
          return;
        }

      refresh = sb_tokens_insert (sandbox, SB_TOKEN_REFRESH, code->refresh_lifetime);
      refresh->username = g_strdup (code->username);
      refresh->client_id = g_strdup (code->client_id);
      refresh->refresh_lifetime = code->refresh_lifetime;
      sb_tokens_remove (sandbox, code->value);
      access = issue_access (sandbox, refresh);
      respond_user_tokens (req, access, refresh);
    }
  else if (strcmp (grant_type, "refresh_token") == 0)
    {
      SbToken *refresh = check_refresh_token (req, app);

      if (refresh)
        respond_user_tokens (req, issue_access (sandbox, refresh), NULL);
    }
  else if (strcmp (grant_type, "exchange_refresh_token") == 0)
    {
      SbToken *old, *refresh;
      gint64 lifetime;
      g_autofree char *username = NULL;

      if (!redirect_uri || !*redirect_uri)
        {
          /* Quoted server output has no "details" here; ours has an empty list. */
          respond_oauth_error (req, 400, "invalid_request", "redirect_uri not specified");
          return;
        }
      if (!app_accepts_redirect (req->sandbox, app, redirect_uri))
        {
          respond_oauth_error (req, 400, "invalid_request", "Invalid redirect_uri");
          return;
        }
      if (!(old = check_refresh_token (req, app)))
        return;

      lifetime = old->refresh_lifetime;
      username = g_strdup (old->username);
      /* The old refresh token and every access token it produced die now. */
      sb_tokens_remove (sandbox, old->value);
      refresh = sb_tokens_insert (sandbox, SB_TOKEN_REFRESH, lifetime);
      refresh->username = g_steal_pointer (&username);
      refresh->client_id = g_strdup (app->client_id);
      refresh->refresh_lifetime = lifetime;
      respond_user_tokens (req, issue_access (sandbox, refresh), refresh);
    }
  else if (strcmp (grant_type, "client_credentials") == 0)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      SbToken *token;
      gint64 minutes;
      SbFormat format = sb_request_get_format (req, SB_FORMAT_JSON);

      if (!sb_secret_equal (app->client_secret, client_secret))
        {
          respond_oauth_error (req, 400, "invalid_request", "Invalid client_secret");
          return;
        }
      minutes = parse_minutes (sb_request_get_param (req, "expiration"),
                               APP_DEFAULT_MINUTES, APP_MAX_MINUTES);
      token = sb_tokens_insert (sandbox, SB_TOKEN_APP, minutes * 60);
      token->client_id = g_strdup (app->client_id);

      json_builder_begin_object (b);
      add_string (b, "access_token", token->value);
      add_int (b, "expires_in", minutes * 60);
      json_builder_end_object (b);
      respond_builder (req, format == SB_FORMAT_HTML ? SB_FORMAT_JSON : format, b);
    }
  else
    {
      respond_oauth_error (req, 400, "unsupported_grant_type", "Invalid grant_type");
    }
}

static void
handle_revoke (SbRequest *req)
{
  const char *auth_token = sb_request_get_param (req, "auth_token");
  const char *client_id = sb_request_get_param (req, "client_id");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  SbFormat format = sb_request_get_format (req, SB_FORMAT_JSON);
  SbToken *token;

  if (strcmp (req->method, "POST") != 0)
    {
      const char * const details[] = { "revokeToken accepts POST only.", NULL };

      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "Allow", "POST");
      sb_respond_error (req, SOUP_STATUS_METHOD_NOT_ALLOWED,
                        format == SB_FORMAT_HTML ? SB_FORMAT_JSON : format,
                        405, "Method not supported.", details);
      return;
    }

  /* Only user tokens can be revoked, only by their own app. Every other case
   * still answers success so that nothing leaks about the token. */
  token = sb_tokens_lookup (req->sandbox, auth_token);
  if (token && (token->kind == SB_TOKEN_ACCESS || token->kind == SB_TOKEN_REFRESH) &&
      (!client_id || g_strcmp0 (client_id, token->client_id) == 0))
    sb_tokens_remove (req->sandbox, token->value);

  json_builder_begin_object (b);
  add_bool (b, "success", TRUE);
  json_builder_end_object (b);
  respond_builder (req, format == SB_FORMAT_HTML ? SB_FORMAT_JSON : format, b);
}

gboolean
sb_portal_handle (SbRequest  *req,
                  const char *subpath)
{
  if (strcmp (subpath, "") == 0)
    handle_root (req);
  else if (strcmp (subpath, "/info") == 0)
    handle_info (req);
  else if (strcmp (subpath, "/portals/self") == 0)
    handle_portals_self (req);
  else if (strcmp (subpath, "/community/self") == 0)
    handle_community_self (req);
  else if (strcmp (subpath, "/generateToken") == 0)
    handle_generate_token (req);
  else if (strcmp (subpath, "/oauth2/authorize") == 0)
    handle_authorize (req);
  else if (strcmp (subpath, "/oauth2/signin") == 0)
    handle_signin (req);
  else if (strcmp (subpath, "/oauth2/approval") == 0)
    handle_approval (req);
  else if (strcmp (subpath, "/oauth2/saml/signin") == 0)
    handle_saml_signin (req);
  else if (strcmp (subpath, "/oauth2/token") == 0)
    handle_token (req);
  else if (strcmp (subpath, "/oauth2/revokeToken") == 0)
    handle_revoke (req);
  else
    return FALSE;
  return TRUE;
}

void
sb_portal_build_user (JsonBuilder *b,
                      SbRequest   *req,
                      const char  *username)
{
  build_user (b, sb_find_user (username), sb_sandbox_get_created_at (req->sandbox) * 1000);
}
