/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "arcpass-sandbox-private.h"

/*
 * ArcGIS Enterprise as a real deployment looks from outside:
 *
 *  - ENTERPRISE host: a portal behind the web adaptor `/portal`
 *    (`/portal/sharing/rest`, the same handlers as the Online portal, its
 *    tokens tagged with the ENTERPRISE issuer) and an ArcGIS Server federated
 *    with it at `/server`, whose custom locator only takes server tokens that
 *    the portal's generateToken issued for it (arcgis-protocol.md §3.2, §3.5).
 *  - WEBTIER host: a portal whose web server demands Windows sign-in (IWA)
 *    before ArcGIS sees anything, and a PKI variant that asks for a client
 *    certificate, as IIS answers.
 */

#define LOCATOR_NAME    "SandboxStreets"
#define LOCATOR_PREFIX  "/server/rest/services/Locators/" LOCATOR_NAME "/GeocodeServer"
#define SERVER_VERSION  11.3
#define PORTAL_VERSION  "2024.1"
/* The farthest a reverse geocode looks, in metres. */
#define REVERSE_MAX_METRES 50000.0

G_STATIC_ASSERT (sizeof LOCATOR_PREFIX == sizeof ARCPASS_SANDBOX_ENTERPRISE_LOCATOR);

/* ------------------------------------------------------------ lockout */

typedef struct
{
  guint  failures;
  gint64 locked_until;
} SbLockout;

#define LOCKOUT_KEY "arcpass-sandbox-lockouts"

static GHashTable *
lockouts (ArcpassSandbox *self)
{
  GHashTable *table = g_object_get_data (G_OBJECT (self), LOCKOUT_KEY);

  if (!table)
    {
      table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_object_set_data_full (G_OBJECT (self), LOCKOUT_KEY, table,
                              (GDestroyNotify) g_hash_table_unref);
    }
  return table;
}

gboolean
sb_lockout_is_locked (ArcpassSandbox *self,
                      const char     *username)
{
  SbLockout *entry = username ? g_hash_table_lookup (lockouts (self), username) : NULL;

  return entry && entry->locked_until > arcpass_sandbox_get_now (self);
}

void
sb_lockout_record (ArcpassSandbox *self,
                   const char     *username,
                   gboolean        success)
{
  GHashTable *table = lockouts (self);
  SbLockout *entry;

  if (!username)
    return;
  if (success)
    {
      g_hash_table_remove (table, username);
      return;
    }

  entry = g_hash_table_lookup (table, username);
  if (!entry)
    {
      entry = g_new0 (SbLockout, 1);
      g_hash_table_insert (table, g_strdup (username), entry);
    }
  /* A lockout that has run out starts the count again. */
  if (entry->locked_until && entry->locked_until <= arcpass_sandbox_get_now (self))
    {
      entry->failures = 0;
      entry->locked_until = 0;
    }
  if (++entry->failures >= SB_LOCKOUT_ATTEMPTS)
    entry->locked_until = arcpass_sandbox_get_now (self) + SB_LOCKOUT_SECONDS;
}

void
sb_enterprise_reset (ArcpassSandbox *self)
{
  g_object_set_data (G_OBJECT (self), LOCKOUT_KEY, NULL);
}

/* ------------------------------------------------------------ helpers */

char *
sb_enterprise_portal_url (ArcpassSandbox *self)
{
  return g_strconcat (sb_sandbox_host_url (self, ARCPASS_SANDBOX_HOST_ENTERPRISE), "/portal", NULL);
}

char *
sb_enterprise_server_url (ArcpassSandbox *self)
{
  return g_strconcat (sb_sandbox_host_url (self, ARCPASS_SANDBOX_HOST_ENTERPRISE), "/server", NULL);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
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
add_double (JsonBuilder *b,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

static void
respond_builder (SbRequest   *req,
                 SbFormat     format,
                 JsonBuilder *b)
{
  g_autoptr(JsonNode) node = json_builder_get_root (b);

  sb_respond_json (req, SOUP_STATUS_OK, format, node);
}

static void
add_auth_info (JsonBuilder    *b,
               ArcpassSandbox *sandbox,
               gboolean        server)
{
  g_autofree char *portal = sb_enterprise_portal_url (sandbox);
  g_autofree char *gen = g_strconcat (portal, "/sharing/rest/generateToken", NULL);

  json_builder_set_member_name (b, "authInfo");
  json_builder_begin_object (b);
  add_bool (b, "isTokenBasedSecurity", TRUE);
  add_string (b, "tokenServicesUrl", gen);
  if (server)
    {
      json_builder_set_member_name (b, "shortLivedTokenValidity");
      json_builder_add_int_value (b, 60);
    }
  json_builder_end_object (b);
}

/* ------------------------------------------------------------ portal */

static void
handle_portal_info (SbRequest *req)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *portal = sb_enterprise_portal_url (req->sandbox);

  json_builder_begin_object (b);
  add_string (b, "owningSystemUrl", portal);
  add_auth_info (b, req->sandbox, FALSE);
  json_builder_end_object (b);
  respond_builder (req, sb_request_get_format (req, SB_FORMAT_HTML), b);
}

static void
handle_portal_self (SbRequest *req)
{
  SbFormat format = sb_request_get_format (req, SB_FORMAT_HTML);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *server = sb_enterprise_server_url (req->sandbox);
  g_autofree char *locator = g_strconcat (sb_sandbox_host_url (req->sandbox,
                                                               ARCPASS_SANDBOX_HOST_ENTERPRISE),
                                          LOCATOR_PREFIX, NULL);
  SbIdentity identity;
  SbAuthResult result = sb_sandbox_authenticate (req->sandbox, req, &identity);

  if (result == SB_AUTH_INVALID)
    {
      sb_respond_error (req, SOUP_STATUS_OK, format, 498, "Invalid token.", NULL);
      return;
    }

  json_builder_begin_object (b);
  add_string (b, "id", SB_ENTERPRISE_ORG_ID);
  add_string (b, "name", SB_ENTERPRISE_PORTAL_NAME);
  add_string (b, "portalHostname",
              strstr (sb_sandbox_host_url (req->sandbox, ARCPASS_SANDBOX_HOST_ENTERPRISE), "://") + 3);
  add_string (b, "portalName", "ArcGIS Enterprise (Arcpass sandbox)");
  add_string (b, "portalMode", "singletenant");
  add_bool (b, "isPortal", TRUE);
  add_bool (b, "allSSL", FALSE);
  add_string (b, "currentVersion", PORTAL_VERSION);
  add_bool (b, "supportsOAuth", TRUE);
  json_builder_set_member_name (b, "maxTokenExpirationMinutes");
  json_builder_add_int_value (b, -1);
  /* New installs list Esri's World geocoder; this one lists the federated
   * server's own locator, which is what real-arcgis.md point 8 is about. */
  json_builder_set_member_name (b, "helperServices");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "geocode");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  add_string (b, "url", locator);
  add_string (b, "name", "Sandbox streets (custom locator)");
  add_bool (b, "batch", FALSE);
  add_bool (b, "placefinding", TRUE);
  add_bool (b, "suggest", FALSE);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "federatedServers");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, server);
  json_builder_end_array (b);
  if (result == SB_AUTH_OK && identity.username)
    {
      json_builder_set_member_name (b, "user");
      sb_portal_build_user (b, req, identity.username);
    }
  json_builder_end_object (b);
  respond_builder (req, format, b);
}

static gboolean
route_portal (SbRequest  *req,
              const char *path)
{
  const char *sub;

  if ((sub = g_str_has_prefix (path, "/sharing/rest") ? path + strlen ("/sharing/rest") : NULL) &&
      (*sub == '\0' || *sub == '/'))
    {
      if (strcmp (sub, "/info") == 0)
        {
          handle_portal_info (req);
          return TRUE;
        }
      if (strcmp (sub, "/portals/self") == 0)
        {
          handle_portal_self (req);
          return TRUE;
        }
      return sb_portal_handle (req, sub);
    }
  /* The unsupported /sharing/ alias, as on the Online portal (OAuth pages). */
  if ((sub = g_str_has_prefix (path, "/sharing") ? path + strlen ("/sharing") : NULL) &&
      (*sub == '\0' || *sub == '/'))
    return sb_portal_handle (req, sub);
  return FALSE;
}

/* ------------------------------------------------------------ server */

static void
handle_server_info (SbRequest *req)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *portal = sb_enterprise_portal_url (req->sandbox);

  json_builder_begin_object (b);
  add_double (b, "currentVersion", SERVER_VERSION);
  add_string (b, "fullVersion", "11.3.0");
  add_string (b, "owningSystemUrl", portal);
  add_auth_info (b, req->sandbox, TRUE);
  json_builder_end_object (b);
  respond_builder (req, sb_request_get_format (req, SB_FORMAT_HTML), b);
}

/* The server accepts only server tokens issued for it (sb_host_accepts_token
 * refuses anything else at /server); this also checks which server a server
 * token names. Classic ArcGIS Server errors: HTTP 200, code in the body. */
static gboolean
server_check_token (SbRequest *req,
                    SbFormat   format)
{
  SbIdentity identity;
  SbAuthResult result = sb_sandbox_authenticate (req->sandbox, req, &identity);
  g_autofree char *server = sb_enterprise_server_url (req->sandbox);
  SbToken *token;

  if (result == SB_AUTH_MISSING)
    {
      const char * const details[] = { "Token Required", NULL };
      g_autoptr(JsonNode) node = sb_error_node (499, "Token Required", NULL, NULL, details, NULL);

      sb_respond_json (req, SOUP_STATUS_OK, format, node);
      return FALSE;
    }
  token = sb_tokens_lookup (req->sandbox, req->token);
  if (result != SB_AUTH_OK || !token || g_strcmp0 (token->server_url, server) != 0)
    {
      sb_respond_error (req, SOUP_STATUS_OK, format, 498, "Invalid Token", NULL);
      return FALSE;
    }
  return TRUE;
}

static void
locator_root (SbRequest *req,
              SbFormat   format)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_double (b, "currentVersion", SERVER_VERSION);
  add_string (b, "serviceDescription", "Streets of the sandbox gazetteer (custom locator)");
  json_builder_set_member_name (b, "addressFields");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  add_string (b, "name", "Address");
  add_string (b, "type", "esriFieldTypeString");
  add_string (b, "alias", "Address or Place");
  add_bool (b, "required", FALSE);
  json_builder_end_object (b);
  json_builder_end_array (b);
  /* Custom locators name their own single-line field (LEAF, Esri's
   * geocoder widgets read it); it is not "SingleLine". */
  json_builder_set_member_name (b, "singleLineAddressField");
  json_builder_begin_object (b);
  add_string (b, "name", ARCPASS_SANDBOX_ENTERPRISE_LOCATOR_FIELD);
  add_string (b, "type", "esriFieldTypeString");
  add_string (b, "alias", "Full Address");
  add_bool (b, "required", FALSE);
  json_builder_set_member_name (b, "length");
  json_builder_add_int_value (b, 200);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "spatialReference");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "wkid");
  json_builder_add_int_value (b, 4326);
  json_builder_end_object (b);
  add_string (b, "capabilities", "Geocode,ReverseGeocode");
  json_builder_end_object (b);
  respond_builder (req, format, b);
}

static void
add_location (JsonBuilder *b,
              double       x,
              double       y)
{
  json_builder_set_member_name (b, "location");
  json_builder_begin_object (b);
  add_double (b, "x", x);
  add_double (b, "y", y);
  json_builder_set_member_name (b, "spatialReference");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "wkid");
  json_builder_add_int_value (b, 4326);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
locator_find (SbRequest *req,
              SbFormat   format)
{
  g_autofree char *field = g_ascii_strdown (ARCPASS_SANDBOX_ENTERPRISE_LOCATOR_FIELD, -1);
  const char *text = sb_request_get_param (req, field);
  const GPtrArray *places = sb_gazetteer_get ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *needle = NULL;
  guint found = 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "spatialReference");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "wkid");
  json_builder_add_int_value (b, 4326);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "candidates");
  json_builder_begin_array (b);

  /* Only the locator's own field is read: a client that sends SingleLine
   * (the World geocoder's name) finds nothing, as on a real custom locator,
   * which ignores parameters it does not have. */
  needle = text && *text ? g_utf8_casefold (text, -1) : NULL;
  for (guint i = 0; needle && i < places->len && found < 20; i++)
    {
      const SbPlace *place = g_ptr_array_index (places, i);
      g_autofree char *label = g_utf8_casefold (place->label, -1);
      g_autofree char *name = g_utf8_casefold (place->name, -1);

      if (!strstr (label, needle) && !strstr (name, needle))
        continue;
      found++;
      json_builder_begin_object (b);
      add_string (b, "address", place->label);
      add_location (b, place->lon, place->lat);
      add_double (b, "score", strcmp (name, needle) == 0 ? 100.0 : 90.0);
      json_builder_set_member_name (b, "attributes");
      json_builder_begin_object (b);
      add_string (b, "Match_addr", place->label);
      add_string (b, "Addr_type", sb_place_type_to_string (place->type));
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  respond_builder (req, format, b);
}

static gboolean
parse_location (const char *text,
                double     *x,
                double     *y)
{
  g_auto(GStrv) parts = NULL;
  char *end = NULL;

  if (!text)
    return FALSE;
  if (text[0] == '{')
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;

      if (!json_parser_load_from_data (parser, text, -1, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        return FALSE;
      object = json_node_get_object (json_parser_get_root (parser));
      if (!json_object_has_member (object, "x") || !json_object_has_member (object, "y"))
        return FALSE;
      *x = json_object_get_double_member (object, "x");
      *y = json_object_get_double_member (object, "y");
      return TRUE;
    }
  parts = g_strsplit (text, ",", 2);
  if (g_strv_length (parts) != 2)
    return FALSE;
  *x = g_ascii_strtod (parts[0], &end);
  if (end == parts[0])
    return FALSE;
  *y = g_ascii_strtod (parts[1], &end);
  return end != parts[1];
}

static double
distance_metres (double lon1,
                 double lat1,
                 double lon2,
                 double lat2)
{
  double p1 = lat1 * G_PI / 180, p2 = lat2 * G_PI / 180;
  double dp = p2 - p1, dl = (lon2 - lon1) * G_PI / 180;
  double a = sin (dp / 2) * sin (dp / 2) + cos (p1) * cos (p2) * sin (dl / 2) * sin (dl / 2);

  return 6371000.0 * 2 * atan2 (sqrt (a), sqrt (1 - a));
}

static void
locator_reverse (SbRequest *req,
                 SbFormat   format)
{
  const GPtrArray *places = sb_gazetteer_get ();
  const SbPlace *best = NULL;
  double best_d = REVERSE_MAX_METRES;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  double x, y;

  if (!parse_location (sb_request_get_param (req, "location"), &x, &y))
    {
      const char * const details[] = { "Invalid or missing location.", NULL };

      sb_respond_error (req, SOUP_STATUS_OK, format, 400,
                        "Cannot perform query. Invalid query parameters.", details);
      return;
    }
  for (guint i = 0; i < places->len; i++)
    {
      const SbPlace *place = g_ptr_array_index (places, i);
      double d = distance_metres (x, y, place->lon, place->lat);

      if (d < best_d)
        {
          best = place;
          best_d = d;
        }
    }
  if (!best)
    {
      const char * const details[] = { "Unable to find address for the specified location.", NULL };

      sb_respond_error (req, SOUP_STATUS_OK, format, 400,
                        "Cannot perform query. Invalid query parameters.", details);
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "address");
  json_builder_begin_object (b);
  add_string (b, "Match_addr", best->label);
  add_string (b, "LongLabel", best->label);
  add_string (b, "ShortLabel", best->name);
  add_string (b, "Addr_type", sb_place_type_to_string (best->type));
  add_string (b, "City", best->city ? best->city : "");
  add_string (b, "Region", best->region ? best->region : "");
  add_string (b, "CountryCode", best->country ? best->country : "");
  json_builder_end_object (b);
  add_location (b, best->lon, best->lat);
  json_builder_end_object (b);
  respond_builder (req, format, b);
}

static gboolean
route_locator (SbRequest  *req,
               const char *sub)
{
  SbFormat format = sb_request_get_format (req, SB_FORMAT_HTML);

  if (strcmp (sub, "") != 0 && strcmp (sub, "/findAddressCandidates") != 0 &&
      strcmp (sub, "/reverseGeocode") != 0 && strcmp (sub, "/suggest") != 0)
    return FALSE;

  /* A secured service: even its root needs a server token. */
  if (!server_check_token (req, format))
    return TRUE;

  if (strcmp (sub, "") == 0)
    locator_root (req, format);
  else if (strcmp (sub, "/findAddressCandidates") == 0)
    locator_find (req, format);
  else if (strcmp (sub, "/reverseGeocode") == 0)
    locator_reverse (req, format);
  else
    {
      /* Not in capabilities: the operation does not exist on this service.
       * UNCONFIRMED wording (see README). */
      const char * const details[] = { "Suggest is not supported by this service.", NULL };

      sb_respond_error (req, SOUP_STATUS_OK, format, 400, "Unable to complete operation.", details);
    }
  return TRUE;
}

static gboolean
route_server (SbRequest  *req,
              const char *path)
{
  if (strcmp (path, "/rest/info") == 0)
    {
      handle_server_info (req);
      return TRUE;
    }
  if (g_str_has_prefix (path, "/rest/services/Locators/" LOCATOR_NAME "/GeocodeServer"))
    return route_locator (req, path + strlen ("/rest/services/Locators/" LOCATOR_NAME "/GeocodeServer"));
  return FALSE;
}

gboolean
sb_enterprise_handle (SbRequest *req)
{
  const char *path = req->path;

  if (g_str_has_prefix (path, "/portal/") || strcmp (path, "/portal") == 0)
    return route_portal (req, path + strlen ("/portal"));
  if (g_str_has_prefix (path, "/server/"))
    return route_server (req, path + strlen ("/server"));
  return FALSE;
}

/* ------------------------------------------------------------ web tier */

gboolean
sb_webtier_handle (SbRequest *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);

  /* PKI: IIS asks for a client certificate and, without one, answers 403.7
   * with its own HTML page. (The sandbox serves plain HTTP on loopback, so no
   * TLS handshake can request the certificate; the answer is modelled.) */
  if (g_str_has_prefix (req->path, "/pki/portal"))
    {
      sb_respond_html (req, SOUP_STATUS_FORBIDDEN,
                       "<!DOCTYPE html>\n<html><head><title>403 - Forbidden: Access is denied."
                       "</title></head>\n<body><h1>Server Error</h1>\n"
                       "<h2>403.7 - Client certificate required.</h2>\n"
                       "<p>The page you are trying to access requires your browser to have a "
                       "Secure Sockets Layer (SSL) client certificate that the Web server "
                       "recognizes.</p></body></html>\n");
      return TRUE;
    }

  /* IWA: the web server answers before ArcGIS does, for every path, with
   * both schemes (Kerberos through Negotiate, NTLM as fallback). */
  if (g_str_has_prefix (req->path, "/portal/") || strcmp (req->path, "/portal") == 0)
    {
      if (!req->disconnected)
        {
          soup_message_headers_append (headers, "WWW-Authenticate", "Negotiate");
          soup_message_headers_append (headers, "WWW-Authenticate", "NTLM");
        }
      sb_respond_html (req, SOUP_STATUS_UNAUTHORIZED,
                       "<!DOCTYPE html>\n<html><head><title>401 - Unauthorized: Access is denied "
                       "due to invalid credentials.</title></head>\n<body><h1>Server Error</h1>\n"
                       "<h2>401 - Unauthorized: Access is denied due to invalid credentials.</h2>\n"
                       "<p>You do not have permission to view this directory or page using the "
                       "credentials that you supplied.</p></body></html>\n");
      return TRUE;
    }
  return FALSE;
}
