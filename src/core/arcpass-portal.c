/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "arcpass-client.h"
#include "arcpass-error.h"
#include "arcpass-json.h"
#include "arcpass-portal.h"
#include "arcpass-request-log.h"

G_DEFINE_ENUM_TYPE (ArcpassPortalKind, arcpass_portal_kind,
  G_DEFINE_ENUM_VALUE (ARCPASS_PORTAL_KIND_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (ARCPASS_PORTAL_KIND_ONLINE, "online"),
  G_DEFINE_ENUM_VALUE (ARCPASS_PORTAL_KIND_ENTERPRISE, "enterprise"))

G_DEFINE_BOXED_TYPE (ArcpassPortalInfo, arcpass_portal_info,
                     arcpass_portal_info_copy, arcpass_portal_info_free)
G_DEFINE_BOXED_TYPE (ArcpassEndpoints, arcpass_endpoints,
                     arcpass_endpoints_copy, arcpass_endpoints_free)

gboolean
arcpass_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;
  gsize len;

  if (host == NULL || *host == '\0')
    return FALSE;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  /* IPv6 literals come bracketed from URLs. */
  len = strlen (host);
  if (host[0] == '[' && host[len - 1] == ']')
    bare = g_strndup (host + 1, len - 2);
  else
    bare = g_strdup (host);

  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
host_labels_are_valid (const char *host)
{
  g_auto(GStrv) labels = g_strsplit (host, ".", -1);

  if (strlen (host) > 253)
    return FALSE;

  for (guint i = 0; labels[i] != NULL; i++)
    {
      gsize len = strlen (labels[i]);

      if (len == 0 || len > 63 || labels[i][0] == '-' || labels[i][len - 1] == '-')
        return FALSE;
    }

  return TRUE;
}

gboolean
arcpass_url_is_secure_enough (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url == NULL)
    return FALSE;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return FALSE;

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return g_uri_get_host (uri) != NULL;
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    return arcpass_host_is_loopback (g_uri_get_host (uri));

  return FALSE;
}

static gboolean
is_page_name (const char *segment)
{
  static const char * const suffixes[] = { ".html", ".htm", ".jsp", ".aspx", ".php", NULL };
  g_autofree char *lower = g_ascii_strdown (segment, -1);

  for (guint i = 0; suffixes[i] != NULL; i++)
    if (g_str_has_suffix (lower, suffixes[i]))
      return TRUE;

  return FALSE;
}

/* Esri's own hosts that a user may paste for ArcGIS Online or ArcGIS
 * Location Platform, whose portal is https://www.arcgis.com: the bare
 * domain, the dashboards (location., developers.), the documentation, and
 * the hosts of Esri's services (hosted feature and tile services, the
 * location services' *-api hosts). Organisation hosts
 * (<urlKey>.maps.arcgis.com and the like) are the portal itself and are kept:
 * they are not in this list. */
static gboolean
is_esri_online_host (const char *host)
{
  static const char * const exact[] = {
    "arcgis.com", "www.arcgis.com", "location.arcgis.com", "developers.arcgis.com",
    "doc.arcgis.com", "geocode.arcgis.com", "services.arcgis.com", "tiles.arcgis.com",
    "basemaps.arcgis.com", NULL
  };
  static const char * const numbered[] = { "services", "tiles", NULL };
  const char *suffix = ".arcgis.com";
  g_autofree char *label = NULL;
  gsize len = strlen (host);

  if (g_strv_contains (exact, host))
    return TRUE;

  if (len <= strlen (suffix) || strcmp (host + len - strlen (suffix), suffix) != 0)
    return FALSE;

  label = g_strndup (host, len - strlen (suffix));
  if (strchr (label, '.') != NULL)
    return FALSE;

  /* geocode-api, basemapstyles-api, static-map-tiles-api, route-api… */
  if (g_str_has_suffix (label, "-api"))
    return TRUE;

  /* services1 … services9, tiles1 …: hosted content of Online organisations. */
  for (guint i = 0; numbered[i] != NULL; i++)
    if (g_str_has_prefix (label, numbered[i]) &&
        label[strlen (numbered[i])] != '\0' &&
        label[strspn (label + strlen (numbered[i]), "0123456789") + strlen (numbered[i])] == '\0')
      return TRUE;

  return FALSE;
}

/* The part of @path before the first segment that is not the web adaptor:
 * "/portal/home/index.html" → "/portal"; "/sharing/rest/" → "";
 * "/server/rest/services" → "/server" (an ArcGIS Server's REST, admin and
 * manager paths stop there too). */
static char *
web_adaptor_path (const char *path)
{
  static const char * const stop_segments[] = {
    "home", "sharing", "apps", "portalhelp", "portaladmin", "rest", "admin", "manager", NULL
  };
  g_auto(GStrv) segments = g_strsplit (path ? path : "", "/", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; segments[i] != NULL; i++)
    {
      const char *segment = segments[i];

      if (*segment == '\0')
        continue;

      /* Case does not matter to ArcGIS's paths ("/Sharing/Rest"). */
      {
        g_autofree char *lower = g_ascii_strdown (segment, -1);

        if (g_strv_contains (stop_segments, lower))
          break;
      }

      /* A page name such as index.html is not part of the adaptor, but a
       * dotted adaptor name ("/gis.portal") is: dropping every dotted last
       * segment made "…/gis.portal/" normalise to "…/gis.portal" and that
       * to the bare host (found by fuzzing). A page name ends the adaptor
       * wherever it is: kept when not last, "/a.htm/b.htm" gave "/a.htm",
       * where it was last the next time (found by fuzzing). */
      if (is_page_name (segment))
        break;

      /* GUri hands the path decoded: a "%3F" in it became a query once
       * put back into a URL (found by fuzzing), a "%20" a space. */
      g_string_append_c (out, '/');
      g_string_append_uri_escaped (out, segment, G_URI_RESERVED_CHARS_ALLOWED_IN_PATH_ELEMENT, TRUE);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
arcpass_portal_normalize (const char  *input,
                          char       **out_portal_url,
                          char       **out_rest_root,
                          GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *with_scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *adaptor = NULL;
  g_autofree char *portal_url = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;
  int port;

  if (input == NULL)
    input = "";

  trimmed = g_strstrip (g_strdup (input));
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                           _("Enter the address of a portal, for example www.arcgis.com."));
      return FALSE;
    }

  if (strpbrk (trimmed, " \t\r\n") != NULL)
    {
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                           _("A portal address cannot contain spaces."));
      return FALSE;
    }

  /* "www.arcgis.com" has no scheme: HTTPS is meant. */
  if (strstr (trimmed, "://") == NULL)
    with_scheme = g_strconcat ("https://", trimmed, NULL);
  else
    with_scheme = g_strdup (trimmed);

  uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                   _("“%s” is not a valid portal address."), trimmed);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                   _("A portal address must start with https:// (not %s://)."), scheme);
      return FALSE;
    }

  /* user:password@host is a classic phishing disguise and never needed. */
  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                           _("A portal address cannot contain a user name or password (“@”)."));
      return FALSE;
    }

  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                   _("“%s” has no host name."), trimmed);
      return FALSE;
    }

  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  /* All trailing dots: with one left, "host.." normalised to "https://host."
   * and that was then refused (found by fuzzing). */
  while (g_str_has_suffix (host, "."))
    host[strlen (host) - 1] = '\0';

  /* GUri percent-decodes the host, so "gis.example.com%40evil.com" came out
   * as "https://gis.example.com@evil.com", a URL to another host, and "%2F"
   * moved part of the host into the path (found by fuzzing). Only host name
   * characters (GUri has already turned IDNs into ASCII) and IP literals
   * without a zone go into the URL. */
  if (strchr (host, ':') != NULL
      ? host[strspn (host, "0123456789abcdef:.")] != '\0' || !g_hostname_is_ip_address (host)
      : host[strspn (host, "abcdefghijklmnopqrstuvwxyz0123456789-._")] != '\0')
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                   _("“%s” is not a valid portal address."), trimmed);
      return FALSE;
    }

  /* Every label of a host name has 1 to 63 characters and neither starts
   * nor ends with a hyphen: ".arcgis.com" or "gis..example.com" would only
   * fail later, in the resolver, with a less helpful message. */
  if (strchr (host, ':') == NULL && !host_labels_are_valid (host))
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                   _("“%s” is not a valid portal address."), trimmed);
      return FALSE;
    }

  if (strchr (host, '.') == NULL && !arcpass_host_is_loopback (host) && strchr (host, ':') == NULL)
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                   _("“%s” is not a full host name (for example gis.example.com)."), host);
      return FALSE;
    }

  if (g_ascii_strcasecmp (scheme, "http") == 0 && !arcpass_host_is_loopback (host))
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_INSECURE_PORTAL,
                   _("http://%s is not encrypted: your password and tokens could be read on "
                     "the way. Use https://%s instead (plain http is only accepted for "
                     "127.0.0.1 and localhost)."), host, host);
      return FALSE;
    }

  /* Pasted from the browser while using ArcGIS Online or Location
   * Platform (the dashboards, a hosted service, the bare domain): the
   * portal is www.arcgis.com, wherever the path pointed. */
  if (is_esri_online_host (host))
    {
      if (out_rest_root != NULL)
        *out_rest_root = g_strdup (ARCPASS_ONLINE_PORTAL_URL "/sharing/rest");
      if (out_portal_url != NULL)
        *out_portal_url = g_strdup (ARCPASS_ONLINE_PORTAL_URL);
      return TRUE;
    }

  adaptor = web_adaptor_path (g_uri_get_path (uri));
  port = g_uri_get_port (uri);

  {
    gboolean ipv6 = strchr (host, ':') != NULL;
    gboolean default_port = port < 0 ||
                            (port == 443 && g_ascii_strcasecmp (scheme, "https") == 0) ||
                            (port == 80 && g_ascii_strcasecmp (scheme, "http") == 0);
    g_autofree char *port_str = default_port ? g_strdup ("") : g_strdup_printf (":%d", port);
    g_autofree char *lower_scheme = g_ascii_strdown (scheme, -1);

    portal_url = g_strdup_printf ("%s://%s%s%s%s%s",
                                  lower_scheme,
                                  ipv6 ? "[" : "", host, ipv6 ? "]" : "",
                                  port_str, adaptor);
  }

  if (out_rest_root != NULL)
    *out_rest_root = g_strconcat (portal_url, "/sharing/rest", NULL);
  if (out_portal_url != NULL)
    *out_portal_url = g_steal_pointer (&portal_url);

  return TRUE;
}

ArcpassPortalInfo *
arcpass_portal_info_copy (const ArcpassPortalInfo *info)
{
  ArcpassPortalInfo *copy = g_new0 (ArcpassPortalInfo, 1);

  *copy = *info;
  copy->portal_url = g_strdup (info->portal_url);
  copy->rest_root = g_strdup (info->rest_root);
  copy->current_version = g_strdup (info->current_version);
  copy->name = g_strdup (info->name);
  copy->portal_id = g_strdup (info->portal_id);
  copy->url_key = g_strdup (info->url_key);
  copy->token_service_url = g_strdup (info->token_service_url);
  copy->owning_system_url = g_strdup (info->owning_system_url);
  copy->helper_geocode_url = g_strdup (info->helper_geocode_url);

  return copy;
}

void
arcpass_portal_info_free (ArcpassPortalInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->portal_url);
  g_free (info->rest_root);
  g_free (info->current_version);
  g_free (info->name);
  g_free (info->portal_id);
  g_free (info->url_key);
  g_free (info->token_service_url);
  g_free (info->owning_system_url);
  g_free (info->helper_geocode_url);
  g_free (info);
}

static char *
strip_trailing_slashes (const char *url)
{
  char *copy = g_strdup (url);
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';

  return copy;
}

ArcpassPortalInfo *
arcpass_portal_info_new_from_json (const char  *portal_url,
                                   JsonObject  *info_json,
                                   JsonObject  *self_json,
                                   GError     **error)
{
  g_autoptr(ArcpassPortalInfo) info = g_new0 (ArcpassPortalInfo, 1);
  const char *portal_mode = NULL;
  const char *s = NULL;
  gboolean is_portal = FALSE;
  gboolean has_is_portal = FALSE;
  JsonObject *auth_info = NULL;
  JsonObject *helpers = NULL;

  if (!arcpass_portal_normalize (portal_url, &info->portal_url, &info->rest_root, error))
    return NULL;

  info->supports_oauth = TRUE;
  info->token_based_security = TRUE;
  info->max_token_expiration_minutes = -1;

  if (info_json != NULL)
    {
      if (!arcpass_json_object_get_optional_object (info_json, "authInfo", &auth_info, error))
        return NULL;
      if (auth_info != NULL)
        {
          /* The JS API also accepts the singular spelling. */
          if (!arcpass_json_object_get_optional_string (auth_info, "tokenServicesUrl", &s, error))
            return NULL;
          if (s == NULL &&
              !arcpass_json_object_get_optional_string (auth_info, "tokenServiceUrl", &s, error))
            return NULL;
          info->token_service_url = g_strdup (s);
          if (!arcpass_json_object_get_optional_boolean (auth_info, "isTokenBasedSecurity",
                                                         &info->token_based_security, error))
            return NULL;
        }
      if (!arcpass_json_object_get_optional_string (info_json, "owningSystemUrl", &s, error))
        return NULL;
      info->owning_system_url = g_strdup (s);
    }

  if (self_json != NULL)
    {
      if (json_object_has_member (self_json, "currentVersion"))
        {
          info->current_version = arcpass_json_object_dup_string_or_number (self_json,
                                                                            "currentVersion",
                                                                            error);
          if (info->current_version == NULL)
            return NULL;
        }

      if (!arcpass_json_object_get_optional_string (self_json, "name", &s, error))
        return NULL;
      info->name = g_strdup (s);
      if (!arcpass_json_object_get_optional_string (self_json, "id", &s, error))
        return NULL;
      info->portal_id = g_strdup (s);
      if (!arcpass_json_object_get_optional_string (self_json, "urlKey", &s, error))
        return NULL;
      info->url_key = g_strdup (s);
      if (!arcpass_json_object_get_optional_string (self_json, "portalMode", &portal_mode, error))
        return NULL;
      has_is_portal = json_object_has_member (self_json, "isPortal");
      if (!arcpass_json_object_get_optional_boolean (self_json, "isPortal", &is_portal, error))
        return NULL;
      if (!arcpass_json_object_get_optional_boolean (self_json, "supportsOAuth",
                                                     &info->supports_oauth, error))
        return NULL;
      if (!arcpass_json_object_get_optional_boolean (self_json, "allSSL", &info->all_ssl, error))
        return NULL;
      if (!arcpass_json_object_get_optional_int (self_json, "maxTokenExpirationMinutes",
                                                 &info->max_token_expiration_minutes, error))
        return NULL;

      if (!arcpass_json_object_get_optional_object (self_json, "helperServices", &helpers, error))
        return NULL;
      if (helpers != NULL)
        {
          JsonArray *geocode = NULL;

          if (!arcpass_json_object_get_optional_array (helpers, "geocode", &geocode, error))
            return NULL;
          if (geocode != NULL && json_array_get_length (geocode) > 0)
            {
              JsonObject *first = arcpass_json_array_get_object (geocode, 0, error);

              if (first == NULL)
                return NULL;
              if (!arcpass_json_object_get_optional_string (first, "url", &s, error))
                return NULL;
              if (s != NULL)
                info->helper_geocode_url = strip_trailing_slashes (s);
            }
        }

      if (g_strcmp0 (portal_mode, "multitenant") == 0 || (has_is_portal && !is_portal))
        info->kind = ARCPASS_PORTAL_KIND_ONLINE;
      else if (g_strcmp0 (portal_mode, "singletenant") == 0 || (has_is_portal && is_portal))
        info->kind = ARCPASS_PORTAL_KIND_ENTERPRISE;
    }

  if (info->kind == ARCPASS_PORTAL_KIND_UNKNOWN)
    {
      g_autoptr(GUri) uri = g_uri_parse (info->portal_url, G_URI_FLAGS_NONE, NULL);
      const char *host = uri ? g_uri_get_host (uri) : NULL;

      /* Without portals/self, the host name is the best hint. */
      if (host != NULL && arcpass_portal_url_is_online (info->portal_url))
        info->kind = ARCPASS_PORTAL_KIND_ONLINE;
    }

  if (info->token_service_url == NULL)
    info->token_service_url = g_strconcat (info->rest_root, "/generateToken", NULL);

  return g_steal_pointer (&info);
}

typedef struct {
  char *portal_url;
  char *rest_root;
  JsonObject *info_json;
} DiscoverData;

static void
discover_data_free (DiscoverData *data)
{
  g_free (data->portal_url);
  g_free (data->rest_root);
  g_clear_pointer (&data->info_json, json_object_unref);
  g_free (data);
}

/* The address answered as no portal does: it may be an ArcGIS Server
 * (users paste `https://host/server/rest/services`, which normalises to the
 * server's root). Its `/rest/info` says so, and names the portal it is
 * federated with (`owningSystemUrl`). */
static void
discover_server_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DiscoverData *data = g_task_get_task_data (task);
  GError *portal_error = g_object_get_data (G_OBJECT (task), "portal-error");
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  const char *owner = NULL;

  json = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, NULL, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (json == NULL || !json_object_has_member (json, "currentVersion"))
    {
      g_task_return_error (task, g_error_copy (portal_error));
      return;
    }

  if (arcpass_json_object_get_optional_string (json, "owningSystemUrl", &owner, NULL) &&
      owner != NULL && *owner != '\0')
    g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                             /* Translators: the first %s is a server's address, the second
                              * the address of its portal. */
                             _("%s is an ArcGIS Server, not a portal. Sign in to the portal it "
                               "is federated with instead: %s"),
                             data->portal_url, owner);
  else
    g_task_return_new_error (task, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT,
                             _("%s is an ArcGIS Server, not a portal, and it names no portal. "
                               "Enter the address of your ArcGIS portal instead."),
                             data->portal_url);
}

static void
discover_self_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DiscoverData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) self_json = NULL;
  g_autoptr(GError) error = NULL;
  ArcpassPortalInfo *info;

  self_json = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, NULL, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (self_json == NULL)
    {
      if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_NETWORK) ||
          g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TIMEOUT) ||
          data->info_json == NULL)
        {
          g_autofree char *server_info = NULL;

          g_prefix_error (&error, _("%s is not reachable as an ArcGIS portal: "), data->portal_url);
          if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_NETWORK) ||
              g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TIMEOUT))
            {
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
          /* Neither /info nor portals/self: perhaps a server, not a portal. */
          g_object_set_data_full (G_OBJECT (task), "portal-error", g_steal_pointer (&error),
                                  (GDestroyNotify) g_error_free);
          server_info = g_strconcat (data->portal_url, "/rest/info", NULL);
          arcpass_client_request_json_async (ARCPASS_CLIENT (object), ARCPASS_SERVICE_NONE,
                                             server_info, NULL, NULL, ARCPASS_REQUEST_NONE,
                                             g_task_get_cancellable (task), discover_server_cb,
                                             g_object_ref (task));
          return;
        }
      /* Some Enterprise portals refuse anonymous portals/self; /info alone
       * still tells the token service. */
      g_debug ("portals/self of %s failed: %s", data->portal_url, error->message);
    }

  info = arcpass_portal_info_new_from_json (data->portal_url, data->info_json, self_json, &error);
  if (info == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, info, (GDestroyNotify) arcpass_portal_info_free);
}

/* The response headers and body of the latest exchange with @url_prefix
 * in @client's log (already redacted; /info carries no secret anyway). */
static ArcpassRequestRecord *
find_record (ArcpassClient *client,
             const char    *url_prefix)
{
  GListModel *log = G_LIST_MODEL (arcpass_client_get_request_log (client));

  for (guint i = g_list_model_get_n_items (log); i > 0; i--)
    {
      g_autoptr(ArcpassRequestRecord) record = g_list_model_get_item (log, i - 1);

      if (g_str_has_prefix (arcpass_request_record_get_url (record), url_prefix))
        return g_steal_pointer (&record);
    }
  return NULL;
}

static gboolean
headers_name_scheme (const char *headers,
                     const char *scheme)
{
  g_auto(GStrv) lines = g_strsplit (headers ? headers : "", "\n", -1);
  gsize len = strlen (scheme);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *value;

      if (g_ascii_strncasecmp (lines[i], "WWW-Authenticate:", strlen ("WWW-Authenticate:")) != 0)
        continue;
      value = lines[i] + strlen ("WWW-Authenticate:");
      while (*value == ' ')
        value++;
      if (g_ascii_strncasecmp (value, scheme, len) == 0 && (value[len] == '\0' ||
                                                            value[len] == ' ' ||
                                                            value[len] == ','))
        return TRUE;
    }
  return FALSE;
}

/* ArcGIS itself never answers an anonymous `/info` with HTTP 401, and never
 * asks for a client certificate: such answers come from the web server in
 * front of the portal (IWA, PKI, LDAP at the web tier). Returns NULL when
 * @status is not one of them. */
static GError *
web_tier_error (ArcpassClient *client,
                const char    *portal_url,
                const char    *rest_root,
                guint          status)
{
  g_autoptr(ArcpassRequestRecord) record = NULL;
  const char *headers = NULL;
  const char *body = NULL;

  if (status != 401 && status != 403)
    return NULL;

  record = find_record (client, rest_root);
  if (record != NULL)
    {
      headers = arcpass_request_record_get_response_headers (record);
      body = arcpass_request_record_get_response_body (record);
    }

  if (status == 403)
    {
      g_autofree char *folded = g_utf8_casefold (body ? body : "", -1);

      /* IIS 403.7 and similar pages; anything else is the transport's to
       * explain (a firewall, a missing privilege). */
      if (strstr (folded, "client certificate") == NULL && strstr (folded, "403.7") == NULL)
        return NULL;
      return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_WEB_TIER_AUTH,
                          _("%s asks for a client certificate (PKI sign-in at its web server) "
                            "before ArcGIS answers. Arcpass cannot present client certificates, "
                            "so it cannot sign in to this portal. Ask the portal's administrator "
                            "for an address that uses ArcGIS sign-in. No account was added."),
                          portal_url);
    }

  if (headers_name_scheme (headers, "Negotiate") || headers_name_scheme (headers, "NTLM") ||
      headers_name_scheme (headers, "Kerberos"))
    return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_WEB_TIER_AUTH,
                        _("%s uses Windows/Kerberos sign-in at its web server (Integrated Windows "
                          "Authentication): the web server asked for it before ArcGIS answered. "
                          "Arcpass cannot sign in through Windows sign-in, so it cannot add an "
                          "account for this portal. Use the portal in a browser on a computer "
                          "signed in to the organisation's Windows domain, or ask its "
                          "administrator for an address that uses ArcGIS sign-in. No account "
                          "was added."),
                        portal_url);

  return g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_WEB_TIER_AUTH,
                      _("%s asks for a sign-in at its web server (HTTP 401) before ArcGIS "
                        "answers. Arcpass only signs in with ArcGIS tokens, so it cannot add an "
                        "account for this portal. Ask its administrator for an address that uses "
                        "ArcGIS sign-in. No account was added."),
                      portal_url);
}

static void
discover_info_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DiscoverData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint status = 0;

  data->info_json = arcpass_client_request_json_finish (ARCPASS_CLIENT (object), result, &status,
                                                        &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (data->info_json == NULL)
    {
      GError *web_tier = web_tier_error (ARCPASS_CLIENT (object), data->portal_url,
                                         data->rest_root, status);

      /* Nothing more to learn: every path of such a portal answers the same. */
      if (web_tier != NULL)
        {
          g_task_return_error (task, web_tier);
          return;
        }

      /* Nothing answers at all: no point asking for portals/self. */
      if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_NETWORK) ||
          g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TIMEOUT))
        {
          g_prefix_error (&error, _("Could not reach %s: "), data->portal_url);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_debug ("info of %s failed: %s", data->portal_url, error->message);
    }

  url = g_strconcat (data->rest_root, "/portals/self", NULL);
  arcpass_client_request_json_async (ARCPASS_CLIENT (object), ARCPASS_SERVICE_PORTAL, url,
                                     NULL, NULL, ARCPASS_REQUEST_NONE,
                                     g_task_get_cancellable (task),
                                     discover_self_cb, g_object_ref (task));
}

void
arcpass_portal_discover_async (ArcpassClient       *client,
                               const char          *portal,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  DiscoverData *data;

  g_return_if_fail (ARCPASS_IS_CLIENT (client));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, arcpass_portal_discover_async);

  data = g_new0 (DiscoverData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) discover_data_free);

  if (!arcpass_portal_normalize (portal, &data->portal_url, &data->rest_root, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  url = g_strconcat (data->rest_root, "/info", NULL);
  arcpass_client_request_json_async (client, ARCPASS_SERVICE_PORTAL, url, NULL, NULL,
                                     ARCPASS_REQUEST_NONE, cancellable,
                                     discover_info_cb, g_steal_pointer (&task));
}

ArcpassPortalInfo *
arcpass_portal_discover_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arcpass_portal_discover_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

ArcpassEndpoints *
arcpass_endpoints_new_default (void)
{
  ArcpassEndpoints *endpoints = g_new0 (ArcpassEndpoints, 1);

  endpoints->geocode_url = g_strdup (ARCPASS_ONLINE_GEOCODE_URL);
  endpoints->basemap_styles_url = g_strdup (ARCPASS_ONLINE_BASEMAP_STYLES_URL);
  endpoints->static_tiles_url = g_strdup (ARCPASS_ONLINE_STATIC_TILES_URL);

  return endpoints;
}

ArcpassEndpoints *
arcpass_endpoints_new_for_portal (const ArcpassPortalInfo *info)
{
  ArcpassEndpoints *endpoints = arcpass_endpoints_new_default ();

  /* An Enterprise portal may have its own geocoder; the basemap services
   * only exist on ArcGIS's hosts. */
  if (info != NULL && info->helper_geocode_url != NULL &&
      arcpass_url_is_secure_enough (info->helper_geocode_url))
    arcpass_endpoints_override (endpoints, info->helper_geocode_url, NULL, NULL);

  return endpoints;
}

ArcpassEndpoints *
arcpass_endpoints_new_for_sandbox (const char *sandbox_url)
{
  ArcpassEndpoints *endpoints = g_new0 (ArcpassEndpoints, 1);
  g_autofree char *portal = strip_trailing_slashes (sandbox_url);
  g_autoptr(GUri) uri = g_uri_parse (portal, G_URI_FLAGS_NONE, NULL);
  g_autofree char *base = NULL;

  /* The sandbox serves its location services on their own host, 127.0.0.4
   * at the portal's port, as ArcGIS serves them on *-api.arcgis.com and not
   * on www.arcgis.com (the layout is documented in src/sandbox/README.md). */
  if (uri && g_uri_get_host (uri) && arcpass_host_is_loopback (g_uri_get_host (uri)) &&
      g_uri_get_port (uri) > 0)
    base = g_strdup_printf ("%s://127.0.0.4:%d", g_uri_get_scheme (uri), g_uri_get_port (uri));
  else
    base = g_strdup (portal);

  endpoints->geocode_url = g_strconcat (base, "/arcgis/rest/services/World/GeocodeServer", NULL);
  endpoints->basemap_styles_url = g_strconcat (base, "/arcgis/rest/services/styles/v2", NULL);
  endpoints->static_tiles_url = g_strconcat (base, "/arcgis/rest/services/static-basemap-tiles-service/v1", NULL);

  return endpoints;
}

ArcpassEndpoints *
arcpass_endpoints_copy (const ArcpassEndpoints *endpoints)
{
  ArcpassEndpoints *copy = g_new0 (ArcpassEndpoints, 1);

  copy->geocode_url = g_strdup (endpoints->geocode_url);
  copy->basemap_styles_url = g_strdup (endpoints->basemap_styles_url);
  copy->static_tiles_url = g_strdup (endpoints->static_tiles_url);

  return copy;
}

void
arcpass_endpoints_free (ArcpassEndpoints *endpoints)
{
  if (endpoints == NULL)
    return;

  g_free (endpoints->geocode_url);
  g_free (endpoints->basemap_styles_url);
  g_free (endpoints->static_tiles_url);
  g_free (endpoints);
}

void
arcpass_endpoints_override (ArcpassEndpoints *endpoints,
                            const char       *geocode_url,
                            const char       *basemap_styles_url,
                            const char       *static_tiles_url)
{
  if (geocode_url != NULL)
    {
      g_free (endpoints->geocode_url);
      endpoints->geocode_url = strip_trailing_slashes (geocode_url);
    }
  if (basemap_styles_url != NULL)
    {
      g_free (endpoints->basemap_styles_url);
      endpoints->basemap_styles_url = strip_trailing_slashes (basemap_styles_url);
    }
  if (static_tiles_url != NULL)
    {
      g_free (endpoints->static_tiles_url);
      endpoints->static_tiles_url = strip_trailing_slashes (static_tiles_url);
    }
}

gboolean
arcpass_portal_url_is_online (const char *portal_url)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (portal_url == NULL)
    return FALSE;

  uri = g_uri_parse (portal_url, G_URI_FLAGS_NONE, NULL);
  host = uri ? g_uri_get_host (uri) : NULL;

  return host != NULL && (g_ascii_strcasecmp (host, "arcgis.com") == 0 ||
                          (strlen (host) > strlen (".arcgis.com") &&
                           g_ascii_strcasecmp (host + strlen (host) - strlen (".arcgis.com"),
                                               ".arcgis.com") == 0));
}
