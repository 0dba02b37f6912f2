/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "arcpass-error.h"
#include "arcpass-portal.h"
#include "arcpass-token-scope.h"

/* The sandbox's hosts that stand for ArcGIS Online (www, the organisation
 * host, the location services: src/sandbox/README.md). Its Enterprise and
 * web-tier hosts (127.0.0.5, 127.0.0.6) and the identity provider do not. */
static const char * const sandbox_online_hosts[] = { "127.0.0.1", "127.0.0.2", "127.0.0.4", NULL };

static int
uri_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port > 0)
    return port;
  return g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 ? 80 : 443;
}

static gboolean
host_is_arcgis_com (const char *host)
{
  gsize len = strlen (host);
  gsize suffix = strlen (".arcgis.com");

  /* Exactly arcgis.com or a name ending in ".arcgis.com": "evilarcgis.com"
   * and "arcgis.com.evil.com" are someone else's. */
  return g_ascii_strcasecmp (host, "arcgis.com") == 0 ||
         (len > suffix && g_ascii_strcasecmp (host + len - suffix, ".arcgis.com") == 0);
}

/* @url's path is @base's path or below it ("/portal" covers "/portal/…",
 * not "/portalx"). */
static gboolean
path_is_under (const char *path,
               const char *base)
{
  gsize len = base ? strlen (base) : 0;

  while (len > 0 && base[len - 1] == '/')
    len--;
  if (len == 0)
    return TRUE;
  return strncmp (path, base, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static gboolean
same_origin (GUri *a,
             GUri *b)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0 &&
         uri_port (a) == uri_port (b);
}

static ArcpassTokenScope
refuse (char       **out_reason,
        char        *reason)
{
  if (out_reason)
    *out_reason = reason;
  else
    g_free (reason);
  return ARCPASS_TOKEN_SCOPE_NONE;
}

ArcpassTokenScope
arcpass_token_scope_decide (ArcpassCredential  *credential,
                            const char         *org_host,
                            const char         *url,
                            char              **out_reason)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GUri) portal = NULL;
  const char *host;
  const char *scheme;
  ArcpassAccountKind kind;
  gboolean loopback;

  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (credential), ARCPASS_TOKEN_SCOPE_NONE);

  if (out_reason)
    *out_reason = NULL;

  if (url == NULL || (uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL)) == NULL ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_userinfo (uri) != NULL)
    return refuse (out_reason, g_strdup (_("This account’s token is not sent to an address "
                                           "that is not a plain web address.")));

  host = g_uri_get_host (uri);
  scheme = g_uri_get_scheme (uri);
  loopback = arcpass_host_is_loopback (host);

  if (g_ascii_strcasecmp (scheme, "https") != 0 &&
      !(g_ascii_strcasecmp (scheme, "http") == 0 && loopback))
    {
      if (arcpass_credential_get_ssl (credential))
        return refuse (out_reason,
                       g_strdup_printf (_("This account’s token is not sent to %s: the portal "
                                          "requires it to travel over HTTPS only, and this "
                                          "address is not HTTPS."), host));
      return refuse (out_reason,
                     g_strdup_printf (_("This account’s token is not sent to %s: the address is "
                                        "not HTTPS, so anyone on the network could read it."),
                                      host));
    }

  if (arcpass_credential_get_portal_url (credential) != NULL)
    portal = g_uri_parse (arcpass_credential_get_portal_url (credential), G_URI_FLAGS_NONE, NULL);

  /* The issuer: the portal and everything below its web adaptor path. A
   * server on the same host under another path is not the portal. */
  if (portal != NULL && g_uri_get_host (portal) != NULL && same_origin (uri, portal) &&
      path_is_under (g_uri_get_path (uri), g_uri_get_path (portal)))
    return ARCPASS_TOKEN_SCOPE_ACCOUNT;

  /* The organisation's own host (<urlKey>.<customBaseUrl>), over HTTPS. */
  if (org_host != NULL && *org_host != '\0' && g_ascii_strcasecmp (scheme, "https") == 0 &&
      g_ascii_strcasecmp (host, org_host) == 0 && g_uri_get_port (uri) <= 0)
    return ARCPASS_TOKEN_SCOPE_ACCOUNT;

  kind = arcpass_credential_get_effective_account_kind (credential);

  if (kind == ARCPASS_ACCOUNT_KIND_ONLINE || kind == ARCPASS_ACCOUNT_KIND_LOCATION_PLATFORM)
    {
      /* ArcGIS's location services and the organisation's hosts. */
      if (g_ascii_strcasecmp (scheme, "https") == 0 && host_is_arcgis_com (host))
        return ARCPASS_TOKEN_SCOPE_ACCOUNT;

      /* The sandbox: its ArcGIS Online hosts on the portal's port. */
      if (loopback && portal != NULL && g_uri_get_host (portal) != NULL &&
          arcpass_host_is_loopback (g_uri_get_host (portal)) &&
          g_ascii_strcasecmp (scheme, g_uri_get_scheme (portal)) == 0 &&
          uri_port (uri) == uri_port (portal) &&
          g_strv_contains (sandbox_online_hosts, host))
        return ARCPASS_TOKEN_SCOPE_ACCOUNT;

      return refuse (out_reason,
                     g_strdup_printf (_("This account’s token is not sent to %s: ArcGIS "
                                        "accepts it only on its portal and on ArcGIS’s own "
                                        "services (arcgis.com)."), host));
    }

  /* ArcGIS Online's hosts are Online's: no Enterprise portal owns them. */
  if (kind == ARCPASS_ACCOUNT_KIND_ENTERPRISE && host_is_arcgis_com (host))
    return refuse (out_reason,
                   g_strdup_printf (_("This account’s token is not sent to %s: it was issued "
                                      "by your ArcGIS Enterprise portal, and ArcGIS Online’s "
                                      "services do not accept it. Use an API key or an ArcGIS "
                                      "Online account for them."), host));


  /* An Enterprise portal's user token goes to a server only as a server
   * token, and only once the server says the portal owns it. */
  if (kind == ARCPASS_ACCOUNT_KIND_ENTERPRISE &&
      (arcpass_credential_get_kind (credential) == ARCPASS_CREDENTIAL_OAUTH_USER ||
       arcpass_credential_get_kind (credential) == ARCPASS_CREDENTIAL_GENERATE_TOKEN) &&
      strstr (g_uri_get_path (uri), "/rest/") != NULL)
    return ARCPASS_TOKEN_SCOPE_SERVER;

  return refuse (out_reason,
                 g_strdup_printf (_("This account’s token is not sent to %s: that host did "
                                    "not issue it and is not a server federated with the "
                                    "account’s portal."), host));
}

gboolean
arcpass_token_scope_check_offered (ArcpassCredential  *credential,
                                   ArcpassService      service,
                                   gboolean            strict,
                                   GError            **error)
{
  ArcpassAccountKind kind;

  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (credential), FALSE);

  if (service != ARCPASS_SERVICE_STATIC_TILES)
    return TRUE;

  kind = strict ? arcpass_credential_get_account_kind (credential)
                : arcpass_credential_get_effective_account_kind (credential);

  /* API keys and app tokens are tied to the organisation that made them;
   * only a recorded kind says which, so a guess is used for users only. */
  if (!strict && arcpass_credential_get_kind (credential) != ARCPASS_CREDENTIAL_OAUTH_USER &&
      arcpass_credential_get_kind (credential) != ARCPASS_CREDENTIAL_GENERATE_TOKEN)
    kind = arcpass_credential_get_account_kind (credential);

  switch (kind)
    {
    case ARCPASS_ACCOUNT_KIND_ONLINE:
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_NOT_OFFERED,
                           _("ArcGIS Online accounts cannot use the Static Basemap Tiles "
                             "service: ArcGIS offers it to ArcGIS Location Platform accounts "
                             "only, whatever the privileges. Use the Basemap Styles service, or "
                             "a Location Platform account or one of its API keys."));
      return FALSE;
    case ARCPASS_ACCOUNT_KIND_ENTERPRISE:
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_NOT_OFFERED,
                           _("ArcGIS Enterprise accounts cannot use the Static Basemap Tiles "
                             "service: ArcGIS offers it to ArcGIS Location Platform accounts "
                             "only. Use a Location Platform account or one of its API keys."));
      return FALSE;
    case ARCPASS_ACCOUNT_KIND_LOCATION_PLATFORM:
    case ARCPASS_ACCOUNT_KIND_UNKNOWN:
    default:
      return TRUE;
    }
}
