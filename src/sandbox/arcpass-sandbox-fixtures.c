/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/random.h>
#include <errno.h>
#include <string.h>

#include "arcpass-sandbox-private.h"

/* The fixtures are public test data: they are printed by --print-fixtures and
 * documented in README.md. Nothing here is a real credential. */

static const char * const publisher_privileges[] = {
  "portal:user:createGroup",
  "portal:user:createItem",
  "portal:user:joinGroup",
  "portal:user:shareToGroup",
  "portal:user:shareToOrg",
  "portal:user:viewOrgItems",
  "portal:publisher:publishFeatures",
  "premium:user:basemaps",
  "premium:user:staticbasemaptiles",
  "premium:user:geocode",
  "premium:user:geocode:temporary",
  "premium:user:geocode:stored",
  NULL
};

/* A plain user: no static tiles and no stored geocoding, so the
 * missing-privilege paths are reachable with a user token too. */
static const char * const user_privileges[] = {
  "portal:user:joinGroup",
  "portal:user:viewOrgItems",
  "premium:user:basemaps",
  "premium:user:geocode:temporary",
  NULL
};

/* ArcGIS Enterprise has no premium:* privileges: its own services need none. */
static const char * const enterprise_privileges[] = {
  "portal:user:createGroup",
  "portal:user:createItem",
  "portal:user:joinGroup",
  "portal:user:shareToGroup",
  "portal:user:viewOrgItems",
  "portal:publisher:publishFeatures",
  NULL
};

const SbUser sb_users[] = {
  {
    .username = ARCPASS_SANDBOX_PUBLISHER_USERNAME,
    .password = ARCPASS_SANDBOX_PUBLISHER_PASSWORD,
    .full_name = "Ada Lovelace",
    .first_name = "Ada",
    .last_name = "Lovelace",
    .email = "ada.lovelace@sandbox.arcpass.invalid",
    .role = "org_publisher",
    .role_id = "iAAAAAAAAAAAAAAA",
    .user_type = "creatorUT",
    .id = "a1d2a3b4c5d6e7f8a9b0c1d2e3f4a5b6",
    .privileges = publisher_privileges,
  },
  {
    .username = ARCPASS_SANDBOX_USER_USERNAME,
    .password = ARCPASS_SANDBOX_USER_PASSWORD,
    .full_name = "Grace Hopper",
    .first_name = "Grace",
    .last_name = "Hopper",
    .email = "grace.hopper@sandbox.arcpass.invalid",
    .role = "org_user",
    .role_id = "iBBBBBBBBBBBBBBB",
    .user_type = "viewerUT",
    .id = "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    .privileges = user_privileges,
  },
  {
    /* A member of the organisation who signs in with its identity
     * provider (SAML), as many ArcGIS Online organisations do. */
    .username = ARCPASS_SANDBOX_IDP_USERNAME,
    .password = ARCPASS_SANDBOX_IDP_PASSWORD,
    .full_name = "Joan Clarke",
    .first_name = "Joan",
    .last_name = "Clarke",
    .email = "joan.clarke@sandbox.arcpass.invalid",
    .role = "org_user",
    .role_id = "iBBBBBBBBBBBBBBB",
    .user_type = "creatorUT",
    .id = "7a1b2c3d4e5f60718293a4b5c6d7e8f9",
    .privileges = user_privileges,
    .idp = TRUE,
    .provider = "enterprise",
    .mfa_code = ARCPASS_SANDBOX_IDP_MFA_CODE,
  },
  {
    .username = ARCPASS_SANDBOX_EXPIRED_USERNAME,
    .password = ARCPASS_SANDBOX_EXPIRED_PASSWORD,
    .full_name = "Margaret Hamilton",
    .first_name = "Margaret",
    .last_name = "Hamilton",
    .email = "margaret.hamilton@sandbox.arcpass.invalid",
    .role = "org_user",
    .role_id = "iBBBBBBBBBBBBBBB",
    .user_type = "viewerUT",
    .id = "3c4d5e6f708192a3b4c5d6e7f8091a2b",
    .privileges = user_privileges,
    .password_expired = TRUE,
  },
  /* Users of the Enterprise portal (ENTERPRISE host, /portal). */
  {
    .username = ARCPASS_SANDBOX_ENTERPRISE_USERNAME,
    .password = ARCPASS_SANDBOX_ENTERPRISE_PASSWORD,
    .full_name = "Dorothy Vaughan",
    .first_name = "Dorothy",
    .last_name = "Vaughan",
    .email = "dorothy.vaughan@enterprise.arcpass.invalid",
    .role = "org_publisher",
    .role_id = "iCCCCCCCCCCCCCCC",
    .user_type = "creatorUT",
    .id = "e1e2e3e4e5e6e7e8e9e0f1f2f3f4f5f6",
    .privileges = enterprise_privileges,
    .home = ARCPASS_SANDBOX_HOST_ENTERPRISE,
  },
  /* A SAML login: the portal knows no password for it, so generateToken
   * cannot work; it signs in through the identity provider (OAuth). */
  {
    .username = ARCPASS_SANDBOX_ENTERPRISE_SAML_USERNAME,
    .password = NULL,
    .full_name = "Katherine Johnson",
    .first_name = "Katherine",
    .last_name = "Johnson",
    .email = "katherine.johnson@enterprise.arcpass.invalid",
    .role = "org_user",
    .role_id = "iDDDDDDDDDDDDDDD",
    .user_type = "viewerUT",
    .id = "0a0b0c0d0e0f1a1b1c1d1e1f2a2b2c2d",
    .privileges = enterprise_privileges,
    .provider = "enterprise",
    .home = ARCPASS_SANDBOX_HOST_ENTERPRISE,
  },
  {
    /* The ArcGIS Location Platform account: its own organisation, whose
     * portals/self says so (subscriptionInfo), and Static Basemap Tiles,
     * which ArcGIS Online organisations do not get. */
    .username = ARCPASS_SANDBOX_PLATFORM_USERNAME,
    .password = ARCPASS_SANDBOX_PLATFORM_PASSWORD,
    .full_name = "Mae Jemison",
    .first_name = "Mae",
    .last_name = "Jemison",
    .email = "mae.jemison@sandbox.arcpass.invalid",
    .role = "account_admin",
    .role_id = "iCCCCCCCCCCCCCCC",
    .user_type = "creatorUT",
    .id = "5e4d3c2b1a0f9e8d7c6b5a4938271605",
    .privileges = publisher_privileges,
    .org_id = SB_PLATFORM_ORG_ID,
  },
  { NULL }
};

const char *
sb_user_get_org_id (const SbUser *user)
{
  return user && user->org_id ? user->org_id : SB_ORG_ID;
}

/* Redirect URIs match exactly, port, path and query included, as on
 * ArcGIS; the port-less loopback ones only match with the any-port option
 * (RFC 8252 §7.3), or where a web view intercepts the redirect before it is
 * loaded (nothing listens there). The first loopback one is Arcpass's
 * default for the browser sign-in. */
static const char * const app_redirect_uris[] = {
  "urn:ietf:wg:oauth:2.0:oob",
  "http://127.0.0.1:48765/callback",
  "http://127.0.0.1/callback",
  "http://127.0.0.1/",
  "http://localhost/callback",
  "http://[::1]/callback",
  "io.github.arcpass.arcpass://auth",
  NULL
};

static const char * const app_privileges[] = {
  "premium:user:basemaps",
  "premium:user:staticbasemaptiles",
  "premium:user:geocode:temporary",
  NULL
};

const SbApp sb_apps[] = {
  {
    .client_id = ARCPASS_SANDBOX_CLIENT_ID,
    .client_secret = ARCPASS_SANDBOX_CLIENT_SECRET,
    .title = "Arcpass Sandbox App",
    .item_id = "c0ffee00c0ffee00c0ffee00c0ffee01",
    .owner = ARCPASS_SANDBOX_PUBLISHER_USERNAME,
    .redirect_uris = app_redirect_uris,
    .privileges = app_privileges,
  },
  { NULL }
};

static const char * const key_full_privileges[] = {
  "premium:user:basemaps",
  "premium:user:staticbasemaptiles",
  "premium:user:geocode:temporary",
  "premium:user:geocode:stored",
  NULL
};

static const char * const key_basemaps_privileges[] = {
  "premium:user:basemaps",
  NULL
};

static const char * const key_legacy_privileges[] = {
  "premium:user:basemaps",
  "premium:user:geocode:temporary",
  NULL
};

#define DAY (24 * 3600)

const SbApiKey sb_api_keys[] = {
  {
    .name = "full",
    .key = ARCPASS_SANDBOX_KEY_FULL,
    .title = "Sandbox key (all location services)",
    .item_id = "c0ffee00c0ffee00c0ffee00c0ffee02",
    .privileges = key_full_privileges,
    .lifetime = 180 * DAY,
  },
  {
    .name = "basemaps",
    .key = ARCPASS_SANDBOX_KEY_BASEMAPS,
    .title = "Sandbox key (basemap styles only)",
    .item_id = "c0ffee00c0ffee00c0ffee00c0ffee03",
    .privileges = key_basemaps_privileges,
    .lifetime = 180 * DAY,
  },
  {
    .name = "expired",
    .key = ARCPASS_SANDBOX_KEY_EXPIRED,
    .title = "Sandbox key (expired)",
    .item_id = "c0ffee00c0ffee00c0ffee00c0ffee04",
    .privileges = key_full_privileges,
    .lifetime = -DAY,
  },
  {
    .name = "legacy",
    .key = ARCPASS_SANDBOX_KEY_LEGACY,
    .title = "Sandbox legacy API key",
    .item_id = "c0ffee00c0ffee00c0ffee00c0ffee05",
    .privileges = key_legacy_privileges,
    .lifetime = 0,
  },
  { NULL }
};

char *
sb_test_users_html (ArcpassSandboxHost host,
                    gboolean           idp)
{
  ArcpassSandboxHost home = host == ARCPASS_SANDBOX_HOST_ENTERPRISE ? ARCPASS_SANDBOX_HOST_ENTERPRISE
                                                                   : ARCPASS_SANDBOX_HOST_PORTAL;
  GString *out = g_string_new ("<section id=\"testUsers\"><h2>Test users of the sandbox</h2>\n"
                               "<p>Public test data, not real accounts.</p>\n<ul>\n");

  for (guint i = 0; sb_users[i].username; i++)
    {
      const SbUser *user = &sb_users[i];
      g_autofree char *name = sb_html_escape (user->username);
      g_autofree char *password = sb_html_escape (user->password);

      if (idp && !user->idp)
        continue;
      /* Another portal's users, and SAML logins with no password here. */
      if (!idp && (user->home != home || (!user->password && !user->idp)))
        continue;
      if (user->idp && !idp)
        {
          /* Listed on the portal's page too, with the way to sign in. */
          g_string_append_printf (out, "<li><code>%s</code>: use <b>Sign in with "
                                  SB_IDP_NAME "</b> below</li>\n", name);
          continue;
        }
      g_string_append_printf (out, "<li><code>%s</code> / <code>%s</code>", name, password);
      if (user->mfa_code)
        g_string_append_printf (out, ", then the code <code>%s</code>", user->mfa_code);
      if (user->password_expired)
        g_string_append (out, " (password expired: choose any new one of 8 characters or more)");
      g_string_append (out, "</li>\n");
    }
  g_string_append (out, "</ul></section>\n");
  return g_string_free (out, FALSE);
}

const SbUser *
sb_find_user (const char *username)
{
  /* Usernames are case-sensitive on ArcGIS (generateToken docs). */
  for (guint i = 0; username && sb_users[i].username; i++)
    if (strcmp (sb_users[i].username, username) == 0)
      return &sb_users[i];
  return NULL;
}

const SbApp *
sb_find_app (const char *client_id)
{
  for (guint i = 0; client_id && sb_apps[i].client_id; i++)
    if (strcmp (sb_apps[i].client_id, client_id) == 0)
      return &sb_apps[i];
  return NULL;
}

gboolean
sb_strv_contains (const char * const *strv,
                  const char         *str)
{
  return strv && str && g_strv_contains (strv, str);
}

/* Compares secrets in time independent of where they differ, so that the
 * sandbox does not teach clients bad habits by being timing-friendly. */
gboolean
sb_secret_equal (const char *a,
                 const char *b)
{
  gsize la, lb;
  guint diff;

  if (!a || !b)
    return FALSE;

  la = strlen (a);
  lb = strlen (b);
  diff = la ^ lb;
  for (gsize i = 0; i < la; i++)
    diff |= (guchar) a[i] ^ (guchar) b[i % (lb ? lb : 1)];
  return diff == 0 && lb > 0;
}

/* Tokens come from the kernel CSPRNG: GLib's g_random is a Mersenne twister
 * and its output is predictable. Returned as unpadded base64url. */
char *
sb_random_token (gsize n_bytes)
{
  g_autofree guchar *buf = g_malloc (n_bytes);
  gsize done = 0;
  char *out;

  while (done < n_bytes)
    {
      ssize_t r = getrandom (buf + done, n_bytes - done, 0);

      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("getrandom() failed: %s", g_strerror (errno));
        }
      done += (gsize) r;
    }

  out = g_base64_encode (buf, n_bytes);
  explicit_bzero (buf, n_bytes);
  g_strdelimit (out, "+", '-');
  g_strdelimit (out, "/", '_');
  g_strdelimit (out, "=", '\0');
  return out;
}
