/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-sandbox-private.h"

/* The organisation's identity provider ("Sandbox SSO") on its own host, as
 * an ArcGIS Online organisation's SAML login goes to Okta, Entra ID or
 * ADFS: its own sign-in form (and a second factor for one user), then the
 * SAML HTTP-POST binding back to the organisation's host
 * (`https://<urlKey>.maps.arcgis.com/sharing/rest/oauth2/saml/signin`,
 * DOC "SAML logins"): an auto-submitted form carrying SAMLResponse and
 * RelayState. The assertion is an opaque single-use value the portal
 * looks up (no XML signature: nothing here is a real credential). */

#define IDP_STEP_LIFETIME      600
#define ASSERTION_LIFETIME     300

static const char page_style[] =
  "<style>body{font-family:sans-serif;max-width:24em;margin:3em auto;background:#f4f1ea;}"
  "label,input{display:block;width:100%;margin:.3em 0;}"
  "#errorMessage{color:#b00;}header{font-weight:bold;color:#4a3b8f;}</style>\n";

char *
sb_saml_acs_url (ArcpassSandbox *sandbox)
{
  return g_strconcat (sb_sandbox_host_url (sandbox, ARCPASS_SANDBOX_HOST_ORG),
                      "/sharing/rest/oauth2/saml/signin", NULL);
}

static void
respond_idp_error (SbRequest  *req,
                   guint       status,
                   const char *message)
{
  g_autofree char *escaped = sb_html_escape (message);
  g_autofree char *html = g_strdup_printf (
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>" SB_IDP_NAME " — Error</title>%s</head>\n"
    "<body><header>" SB_IDP_NAME "</header><h1>%s</h1></body></html>\n",
    page_style, escaped);

  sb_respond_html (req, status, html);
}

static void
respond_login (SbRequest  *req,
               const char *saml_request,
               const char *relay_state,
               const char *username,
               const char *error_message)
{
  g_autofree char *request = sb_html_escape (saml_request);
  g_autofree char *relay = sb_html_escape (relay_state);
  g_autofree char *user = sb_html_escape (username ? username : "");
  g_autofree char *users = sb_test_users_html (ARCPASS_SANDBOX_HOST_PORTAL, TRUE);
  g_autofree char *error_html = NULL;
  g_autofree char *html = NULL;

  if (error_message)
    {
      g_autofree char *escaped = sb_html_escape (error_message);

      error_html = g_strdup_printf ("<p id=\"errorMessage\" role=\"alert\">%s</p>\n", escaped);
    }

  html = g_strdup_printf (
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width\">\n"
    "<title>" SB_IDP_NAME " — Sign In</title>\n%s</head><body>\n"
    "<header>" SB_IDP_NAME "</header>\n"
    "<h1>Sign in to your organisation</h1>\n"
    "<p>" SB_PORTAL_NAME " asked " SB_IDP_NAME " who you are.</p>\n"
    "%s"
    "<form id=\"idpLogin\" method=\"post\" action=\"/saml2/sso/login\">\n"
    "<input type=\"hidden\" name=\"SAMLRequest\" value=\"%s\">\n"
    "<input type=\"hidden\" name=\"RelayState\" value=\"%s\">\n"
    "<label for=\"idpUsername\">Username</label>\n"
    "<input id=\"idpUsername\" name=\"idp_username\" type=\"text\" autocomplete=\"username\""
    " value=\"%s\" required>\n"
    "<label for=\"idpPassword\">Password</label>\n"
    "<input id=\"idpPassword\" name=\"idp_password\" type=\"password\""
    " autocomplete=\"current-password\">\n"
    "<button id=\"idpSubmit\" type=\"submit\">Sign In</button>\n"
    "</form>\n%s</body></html>\n",
    page_style, error_html ? error_html : "", request, relay, user, users);

  sb_respond_html (req, SOUP_STATUS_OK, html);
}

static void
respond_mfa (SbRequest  *req,
             SbToken    *step,
             const char *error_message)
{
  const SbUser *user = sb_find_user (step->username);
  g_autofree char *code = sb_html_escape (user->mfa_code);
  g_autofree char *error_html = NULL;
  g_autofree char *html = NULL;

  if (error_message)
    {
      g_autofree char *escaped = sb_html_escape (error_message);

      error_html = g_strdup_printf ("<p id=\"errorMessage\" role=\"alert\">%s</p>\n", escaped);
    }

  html = g_strdup_printf (
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width\">\n"
    "<title>" SB_IDP_NAME " — Verification Code</title>\n%s</head><body>\n"
    "<header>" SB_IDP_NAME "</header>\n"
    "<h1>Enter your verification code</h1>\n"
    "<p>Your organisation asks for a second factor. A real identity provider sends it to "
    "your phone or an authenticator app; the sandbox's code is public test data: "
    "<code id=\"testCode\">%s</code>.</p>\n"
    "%s"
    "<form id=\"mfa\" method=\"post\" action=\"/saml2/sso/mfa\">\n"
    "<input type=\"hidden\" name=\"mfa_session\" value=\"%s\">\n"
    "<label for=\"mfaCode\">Verification code</label>\n"
    "<input id=\"mfaCode\" name=\"code\" type=\"text\" inputmode=\"numeric\""
    " autocomplete=\"one-time-code\" required>\n"
    "<button id=\"mfaSubmit\" type=\"submit\">Verify</button>\n"
    "</form>\n</body></html>\n",
    page_style, code, error_html ? error_html : "", step->value);

  sb_respond_html (req, SOUP_STATUS_OK, html);
}

/* The SAML HTTP-POST binding: a form the browser submits by itself (or
 * with its button, without JavaScript) to the organisation's host. */
static void
respond_assertion (SbRequest  *req,
                   const char *username,
                   const char *relay_state)
{
  SbToken *assertion = sb_tokens_insert (req->sandbox, SB_TOKEN_SAML_ASSERTION,
                                         ASSERTION_LIFETIME);
  g_autofree char *acs = sb_saml_acs_url (req->sandbox);
  g_autofree char *action = sb_html_escape (acs);
  g_autofree char *relay = sb_html_escape (relay_state);
  g_autofree char *html = NULL;

  assertion->username = g_strdup (username);
  assertion->state = g_strdup (relay_state);
  assertion->issuer = ARCPASS_SANDBOX_HOST_IDP;

  html = g_strdup_printf (
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<title>" SB_IDP_NAME " — Signing In…</title>\n%s</head><body>\n"
    "<header>" SB_IDP_NAME "</header>\n"
    "<form id=\"samlPost\" method=\"post\" action=\"%s\">\n"
    "<input type=\"hidden\" name=\"SAMLResponse\" value=\"%s\">\n"
    "<input type=\"hidden\" name=\"RelayState\" value=\"%s\">\n"
    "<p>Taking you back to your organisation…</p>\n"
    "<noscript><button id=\"samlContinue\" type=\"submit\">Continue</button></noscript>\n"
    "</form>\n"
    "<script>document.getElementById ('samlPost').submit ();</script>\n"
    "</body></html>\n",
    page_style, action, assertion->value, relay);

  sb_respond_html (req, SOUP_STATUS_OK, html);
}

static void
handle_sso (SbRequest *req)
{
  const char *saml_request = sb_request_get_param (req, "samlrequest");
  const char *relay_state = sb_request_get_param (req, "relaystate");

  if (!saml_request || !*saml_request || !relay_state || !*relay_state)
    {
      respond_idp_error (req, SOUP_STATUS_BAD_REQUEST,
                         "This page needs a sign-in request. Start the sign-in from the "
                         "application again.");
      return;
    }
  respond_login (req, saml_request, relay_state, NULL, NULL);
}

static void
handle_login (SbRequest *req)
{
  const char *saml_request = sb_request_get_param (req, "samlrequest");
  const char *relay_state = sb_request_get_param (req, "relaystate");
  const char *username = sb_request_get_param (req, "idp_username");
  const char *password = sb_request_get_param (req, "idp_password");
  const SbUser *user = sb_find_user (username);

  if (strcmp (req->method, "POST") != 0 || !relay_state || !*relay_state)
    {
      respond_idp_error (req, SOUP_STATUS_BAD_REQUEST,
                         "This page needs a sign-in request. Start the sign-in from the "
                         "application again.");
      return;
    }

  /* Only the organisation's SAML members are known here. */
  if (!user || !user->idp || !sb_secret_equal (user->password, password))
    {
      respond_login (req, saml_request ? saml_request : "", relay_state, username,
                     "Unknown username or wrong password.");
      return;
    }

  if (user->mfa_code)
    {
      SbToken *step = sb_tokens_insert (req->sandbox, SB_TOKEN_IDP_MFA, IDP_STEP_LIFETIME);

      step->username = g_strdup (user->username);
      step->state = g_strdup (relay_state);
      step->issuer = ARCPASS_SANDBOX_HOST_IDP;
      respond_mfa (req, step, NULL);
      return;
    }

  respond_assertion (req, user->username, relay_state);
}

static void
handle_mfa (SbRequest *req)
{
  const char *session = sb_request_get_param (req, "mfa_session");
  const char *code = sb_request_get_param (req, "code");
  SbToken *step = sb_tokens_lookup (req->sandbox, session);
  const SbUser *user;
  g_autofree char *username = NULL;
  g_autofree char *relay_state = NULL;

  if (strcmp (req->method, "POST") != 0 || !step || step->kind != SB_TOKEN_IDP_MFA ||
      step->expires_at <= arcpass_sandbox_get_now (req->sandbox) ||
      !(user = sb_find_user (step->username)))
    {
      respond_idp_error (req, SOUP_STATUS_BAD_REQUEST,
                         "This verification page has expired. Start the sign-in from the "
                         "application again.");
      return;
    }

  if (!code || strcmp (g_strstrip ((char *) code), user->mfa_code) != 0)
    {
      respond_mfa (req, step, "That code is not right. Type the code shown above.");
      return;
    }

  username = g_strdup (step->username);
  relay_state = g_strdup (step->state);
  sb_tokens_remove (req->sandbox, step->value);
  respond_assertion (req, username, relay_state);
}

gboolean
sb_idp_handle (SbRequest *req)
{
  if (strcmp (req->path, "/saml2/sso") == 0)
    handle_sso (req);
  else if (strcmp (req->path, "/saml2/sso/login") == 0)
    handle_login (req);
  else if (strcmp (req->path, "/saml2/sso/mfa") == 0)
    handle_mfa (req);
  else
    return FALSE;
  return TRUE;
}
