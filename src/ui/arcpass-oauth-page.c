/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <webkit/webkit.h>

#include "arcpass-core.h"

#include "arcpass-browser-page-private.h"
#include "arcpass-oauth-form.h"
#include "arcpass-oauth-page.h"

/* What the problem page explains; it decides which ways out are offered. */
typedef enum {
  PROBLEM_REDIRECT_URI,
  PROBLEM_CLIENT_ID,
  PROBLEM_EMBEDDED_REFUSED,
  PROBLEM_TLS,
  PROBLEM_CRASHED,
  PROBLEM_LOAD_FAILED,
  PROBLEM_REFUSED,
} Problem;

struct _ArcpassOAuthPage
{
  AdwBin                parent_instance;

  ArcpassClient        *client;
  GSettings            *settings;

  /* The attempt in progress. The web view, its web context (and so its web
   * process) and its network session only exist between "Sign In" and the
   * end of the attempt. */
  ArcpassAuthorization *authorization;
  char                 *authorize_url;
  GCancellable         *cancellable;
  WebKitWebView        *web_view;
  WebKitWebContext     *web_context;
  WebKitNetworkSession *network_session;

  ArcpassBrowserPage   *browser_page;
  /* The account signing in again, or NULL when one is being added. */
  char                 *username;
  /* The "Paste Code" dialog, while it is open. */
  GtkWidget            *paste_dialog;

  /* Template widgets */
  GtkStack             *stack;
  AdwEntryRow          *portal_row;
  AdwEntryRow          *client_id_row;
  AdwEntryRow          *redirect_row;
  GtkCheckButton       *keep_signed_in_check;
  GtkLabel             *portal_error_label;
  GtkLabel             *client_id_error_label;
  GtkLabel             *redirect_error_label;
  GtkLabel             *form_error_label;
  GtkImage             *tls_icon;
  GtkLabel             *host_label;
  GtkLabel             *tls_label;
  GtkProgressBar       *progress_bar;
  GtkStack             *web_stack;
  AdwBin               *web_view_bin;
  AdwStatusPage        *problem_page;
  GtkWidget            *problem_detail_box;
  GtkLabel             *problem_detail_label;
  GtkWidget            *problem_copy_detail_button;
  GtkWidget            *problem_browser_button;
  GtkWidget            *problem_copy_link_button;
  GtkWidget            *problem_retry_button;
  GtkWidget            *problem_back_button;
};

G_DEFINE_FINAL_TYPE (ArcpassOAuthPage, arcpass_oauth_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_SETTINGS,
  PROP_USERNAME,
  PROP_REDIRECT_URI,
  N_PROPS
};

enum {
  SIGNAL_SIGNED_IN,
  SIGNAL_CANCELLED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* A page that has been taken off screen: its web process is stopped from an
 * idle callback, outside of any signal emission of the view itself. */
typedef struct {
  WebKitWebView        *web_view;
  WebKitWebContext     *web_context;
  WebKitNetworkSession *network_session;
} DyingView;

static gboolean
finish_web_view_cb (gpointer data)
{
  DyingView *dying = data;

  webkit_web_view_terminate_web_process (dying->web_view);
  g_clear_object (&dying->web_view);
  g_clear_object (&dying->web_context);
  g_clear_object (&dying->network_session);
  g_free (dying);

  return G_SOURCE_REMOVE;
}

static void
destroy_web_view (ArcpassOAuthPage *self)
{
  DyingView *dying;

  if (!self->web_view)
    {
      g_clear_object (&self->web_context);
      g_clear_object (&self->network_session);
      return;
    }

  /* Nothing the dying page does may reach the page any more. */
  g_signal_handlers_disconnect_by_data (self->web_view, self);
  webkit_web_view_stop_loading (self->web_view);

  dying = g_new0 (DyingView, 1);
  dying->web_view = g_object_ref (self->web_view);
  dying->web_context = g_steal_pointer (&self->web_context);
  dying->network_session = g_steal_pointer (&self->network_session);
  adw_bin_set_child (self->web_view_bin, NULL);
  self->web_view = NULL;

  g_idle_add (finish_web_view_cb, dying);

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
}

static void
close_paste_dialog (ArcpassOAuthPage *self)
{
  if (self->paste_dialog)
    gtk_window_destroy (GTK_WINDOW (self->paste_dialog));
  g_clear_weak_pointer (&self->paste_dialog);
}

/* Ends the attempt: no web view, no web process, no PKCE verifier. */
static void
end_attempt (ArcpassOAuthPage *self)
{
  close_paste_dialog (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  destroy_web_view (self);
  g_clear_object (&self->authorization);
  g_clear_pointer (&self->authorize_url, g_free);
}

static void
show_form (ArcpassOAuthPage *self,
           const char       *message)
{
  gtk_label_set_text (self->form_error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->form_error_label), message != NULL);
  gtk_stack_set_visible_child_name (self->stack, "form");
}

static void
show_problem (ArcpassOAuthPage *self,
              Problem           problem,
              const char       *title,
              const char       *description,
              const char       *detail)
{
  gboolean offer_browser;

  /* The explanation replaces the page: nothing of it is needed any more,
   * and a refused or broken sign-in page must not stay usable. */
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  destroy_web_view (self);

  offer_browser = problem != PROBLEM_TLS && problem != PROBLEM_REFUSED;

  adw_status_page_set_title (self->problem_page, title);
  adw_status_page_set_description (self->problem_page, description);
  adw_status_page_set_icon_name (self->problem_page,
                                 problem == PROBLEM_TLS ? "channel-insecure-symbolic"
                                 : problem == PROBLEM_EMBEDDED_REFUSED ? "web-browser-symbolic"
                                 : "dialog-warning-symbolic");
  gtk_label_set_text (self->problem_detail_label, detail ? detail : "");
  gtk_widget_set_visible (self->problem_detail_box, detail != NULL);
  gtk_widget_set_visible (self->problem_copy_detail_button, problem == PROBLEM_REDIRECT_URI);
  gtk_widget_set_visible (self->problem_browser_button, offer_browser);
  gtk_widget_set_visible (self->problem_copy_link_button, offer_browser);
  gtk_widget_set_visible (self->problem_retry_button,
                          problem == PROBLEM_CRASHED || problem == PROBLEM_LOAD_FAILED ||
                          problem == PROBLEM_REFUSED || problem == PROBLEM_TLS);
  gtk_widget_set_visible (self->problem_back_button,
                          problem == PROBLEM_REDIRECT_URI || problem == PROBLEM_CLIENT_ID ||
                          problem == PROBLEM_REFUSED || problem == PROBLEM_TLS ||
                          problem == PROBLEM_LOAD_FAILED);

  /* The most useful way out is the one that is emphasised. */
  gtk_widget_remove_css_class (self->problem_browser_button, "suggested-action");
  gtk_widget_remove_css_class (self->problem_retry_button, "suggested-action");
  gtk_widget_remove_css_class (self->problem_back_button, "suggested-action");
  if (problem == PROBLEM_EMBEDDED_REFUSED)
    gtk_widget_add_css_class (self->problem_browser_button, "suggested-action");
  else if (problem == PROBLEM_CRASHED || problem == PROBLEM_LOAD_FAILED ||
           problem == PROBLEM_REFUSED)
    gtk_widget_add_css_class (self->problem_retry_button, "suggested-action");
  else
    gtk_widget_add_css_class (self->problem_back_button, "suggested-action");

  gtk_stack_set_visible_child_name (self->web_stack, "problem");
  gtk_stack_set_visible_child_name (self->stack, "web");
}

static void
show_embedded_refused (ArcpassOAuthPage *self)
{
  show_problem (self, PROBLEM_EMBEDDED_REFUSED,
                _("Sign In in Your Browser"),
                _("The sign-in provider does not allow signing in inside an application "
                  "window. Continue in your web browser, or copy the link and open it there."),
                NULL);
}

static void
show_redirect_refused (ArcpassOAuthPage *self)
{
  g_autofree char *description = NULL;
  const char *redirect_uri = arcpass_authorization_get_redirect_uri (self->authorization);
  g_autofree char *redirect = g_strdup (redirect_uri);

  description = g_strdup_printf (_("The portal refused the redirect URL. In your OAuth "
                                   "credential's settings on the portal, add the redirect URL "
                                   "below to its list of redirect URLs, save, and sign in "
                                   "again. Or change the redirect URL here to one that is "
                                   "already registered."));
  show_problem (self, PROBLEM_REDIRECT_URI, _("Redirect URL Not Registered"), description,
                redirect);
}

static void
show_client_refused (ArcpassOAuthPage *self)
{
  g_autofree char *client_id = g_strdup (arcpass_authorization_get_client_id (self->authorization));
  g_autofree char *portal = g_strdup (arcpass_authorization_get_portal_url (self->authorization));
  g_autofree char *description = NULL;

  description = g_strdup_printf (_("The portal %s does not know the client ID below. Check the "
                                   "client ID of your OAuth credential in its settings on that "
                                   "portal, and that the credential belongs to this portal."),
                                 portal);
  show_problem (self, PROBLEM_CLIENT_ID, _("Unknown Client ID"), description, client_id);
}

static void
sign_in_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ArcpassOAuthPage) self = user_data;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GError) error = NULL;

  credential = arcpass_sign_in_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (!credential)
    {
      g_autofree char *message = NULL;

      message = arcpass_oauth_form_describe_error (error,
                                                   self->authorization
                                                   ? arcpass_authorization_get_redirect_uri (self->authorization)
                                                   : NULL);
      end_attempt (self);
      show_form (self, message);
      return;
    }

  end_attempt (self);
  show_form (self, NULL);
  g_signal_emit (self, signals[SIGNAL_SIGNED_IN], 0, credential);
}

static void
exchange_code (ArcpassOAuthPage *self,
               const char       *code)
{
  /* One exchange per attempt: a code the page hands over while the Paste
   * Code dialog is open ends that dialog. */
  close_paste_dialog (self);
  /* The web page has done its job: its process goes away now, before the
   * exchange, so no page script outlives the code. */
  destroy_web_view (self);
  gtk_stack_set_visible_child_name (self->stack, "working");
  arcpass_sign_in_with_code_async (self->client, self->authorization, code,
                                   self->cancellable, sign_in_cb, g_object_ref (self));
}

static void
redirect_failed (ArcpassOAuthPage *self,
                 const GError     *error)
{
  g_autofree char *message = NULL;

  message = arcpass_oauth_form_describe_error (error,
                                               arcpass_authorization_get_redirect_uri (self->authorization));
  if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_ACCESS_DENIED))
    show_problem (self, PROBLEM_REFUSED, _("Sign-In Cancelled"), message, NULL);
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_STATE_MISMATCH))
    show_problem (self, PROBLEM_REFUSED, _("Sign-In Answer Refused"), message, NULL);
  else
    show_problem (self, PROBLEM_REFUSED, _("Sign-In Failed"), message, NULL);
}

static gboolean
uri_is_embedded_refusal (const char *text)
{
  g_autofree char *lower = NULL;

  if (!text)
    return FALSE;

  /* Google answers embedded views with `disallowed_useragent`; Microsoft and
   * others block them with similar wording. */
  lower = g_ascii_strdown (text, -1);
  return strstr (lower, "disallowed_useragent") != NULL ||
         strstr (lower, "this browser or app may not be secure") != NULL ||
         strstr (lower, "embedded browsers are not supported") != NULL;
}

/* Returns TRUE when @uri must not be loaded (it was our redirect, or a
 * refusal). */
static gboolean
handle_navigation (ArcpassOAuthPage *self,
                   const char       *uri)
{
  g_autoptr(ArcpassSecret) code = NULL;
  g_autoptr(GError) error = NULL;

  if (!self->authorization || !uri)
    return FALSE;

  switch (arcpass_authorization_parse_redirect (self->authorization, uri, &code, &error))
    {
    case ARCPASS_REDIRECT_CODE:
      exchange_code (self, code);
      return TRUE;

    case ARCPASS_REDIRECT_ERROR:
      redirect_failed (self, error);
      return TRUE;

    case ARCPASS_REDIRECT_NOT_OURS:
    default:
      break;
    }

  if (uri_is_embedded_refusal (uri))
    {
      show_embedded_refused (self);
      return TRUE;
    }

  return FALSE;
}

static gboolean
decide_policy_cb (WebKitWebView            *web_view,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type,
                  ArcpassOAuthPage         *self)
{
  WebKitNavigationAction *action;
  WebKitURIRequest *request;
  const char *uri;

  if (type != WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION &&
      type != WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION)
    return FALSE;

  action = webkit_navigation_policy_decision_get_navigation_action (WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  request = webkit_navigation_action_get_request (action);
  uri = webkit_uri_request_get_uri (request);

  /* The redirect carries the code: it is intercepted here and never
   * loaded, so no server (and no page script) ever sees it. */
  if (handle_navigation (self, uri))
    {
      webkit_policy_decision_ignore (decision);
      return TRUE;
    }

  /* There is a single view: pages that want a new window open in it. */
  if (type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION)
    {
      webkit_policy_decision_ignore (decision);
      webkit_web_view_load_request (web_view, request);
      return TRUE;
    }

  return FALSE;
}

static char *
dup_host_for_display (const char *uri,
                      GUri      **out_uri)
{
  g_autoptr(GUri) parsed = NULL;
  const char *host;

  parsed = uri ? g_uri_parse (uri, G_URI_FLAGS_NONE, NULL) : NULL;
  host = parsed ? g_uri_get_host (parsed) : NULL;
  if (!host || !*host)
    return NULL;

  if (out_uri)
    *out_uri = g_uri_ref (parsed);
  if (g_uri_get_port (parsed) > 0)
    return g_strdup_printf ("%s:%d", host, g_uri_get_port (parsed));
  return g_strdup (host);
}

/* The header always says which host the page comes from and how the
 * connection is protected: the user types a password into this page, and
 * this is their only defence against a look-alike. */
static void
update_security (ArcpassOAuthPage *self)
{
  const char *uri = self->web_view ? webkit_web_view_get_uri (self->web_view) : NULL;
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *host = dup_host_for_display (uri, &parsed);
  const char *icon = "channel-insecure-symbolic";
  const char *text = "";
  const char *style = NULL;

  gtk_label_set_text (self->host_label, host ? host : "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->tls_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->tls_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->tls_icon), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->tls_icon), "warning");

  if (!parsed)
    {
      text = _("Loading…");
      icon = "content-loading-symbolic";
    }
  else if (g_ascii_strcasecmp (g_uri_get_scheme (parsed), "https") == 0)
    {
      GTlsCertificate *certificate = NULL;
      GTlsCertificateFlags errors = 0;

      if (webkit_web_view_get_tls_info (self->web_view, &certificate, &errors) && errors == 0)
        {
          icon = "channel-secure-symbolic";
          text = _("Secure connection");
        }
      else if (certificate)
        {
          text = _("Certificate problem");
          style = "error";
        }
      else
        {
          /* Not committed yet: no certificate to judge. */
          icon = "content-loading-symbolic";
          text = _("Connecting…");
        }
    }
  else if (g_ascii_strcasecmp (g_uri_get_scheme (parsed), "http") == 0 &&
           arcpass_host_is_loopback (g_uri_get_host (parsed)))
    {
      text = _("Not encrypted (local sandbox)");
    }
  else
    {
      text = _("Not encrypted");
      style = "warning";
    }

  gtk_image_set_from_icon_name (self->tls_icon, icon);
  gtk_label_set_text (self->tls_label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->tls_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
  if (style)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->tls_label), style);
      gtk_widget_add_css_class (GTK_WIDGET (self->tls_icon), style);
    }
}

static void
inspect_page_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ArcpassOAuthPage) self = user_data;
  g_autoptr(JSCValue) value = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *lower = NULL;

  value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, &error);
  if (!value || WEBKIT_WEB_VIEW (source) != self->web_view || !self->authorization)
    return;

  text = jsc_value_to_string (value);
  if (!text)
    return;
  lower = g_ascii_strdown (text, -1);

  /* ArcGIS does not redirect when the client ID or the redirect URI is
   * wrong: it shows an error page ("Invalid redirect_uri", "Error 400").
   * Only the user can fix that, on the portal, so say exactly what. */
  if (strstr (lower, "invalid redirect_uri") || strstr (lower, "invalid redirect uri"))
    show_redirect_refused (self);
  else if (strstr (lower, "invalid client_id") || strstr (lower, "invalid client id"))
    show_client_refused (self);
  else if (uri_is_embedded_refusal (text))
    show_embedded_refused (self);
}

static void
inspect_page (ArcpassOAuthPage *self)
{
  /* Title and the start of the visible text are enough to recognise the
   * portal's error pages; nothing is read from the sign-in form itself. */
  static const char script[] =
    "(function () {"
    "  var body = document.body ? document.body.innerText : '';"
    "  return (document.title || '') + '\\n' + body.substring (0, 2000);"
    "}) ()";

  webkit_web_view_evaluate_javascript (self->web_view, script, -1, NULL, NULL,
                                       self->cancellable, inspect_page_cb, g_object_ref (self));
}

static void
load_changed_cb (WebKitWebView    *web_view,
                 WebKitLoadEvent   event,
                 ArcpassOAuthPage *self)
{
  update_security (self);

  if (event == WEBKIT_LOAD_FINISHED)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
      inspect_page (self);
    }
}

static void
progress_changed_cb (WebKitWebView    *web_view,
                     GParamSpec       *pspec,
                     ArcpassOAuthPage *self)
{
  double progress = webkit_web_view_get_estimated_load_progress (web_view);

  gtk_progress_bar_set_fraction (self->progress_bar, progress);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar),
                          progress < 1.0 && webkit_web_view_is_loading (web_view));
}

static void
uri_changed_cb (WebKitWebView    *web_view,
                GParamSpec       *pspec,
                ArcpassOAuthPage *self)
{
  update_security (self);
}

/* Out-of-band sign-ins end on the portal's approval page, whose title is
 * "SUCCESS code=…". The navigation to it is normally intercepted in
 * decide-policy (the code is in its URL); some portals render it as the
 * answer of the sign-in form POST instead, so the title is the fallback,
 * trusted only on the portal's own host. */
static void
title_changed_cb (WebKitWebView    *web_view,
                  GParamSpec       *pspec,
                  ArcpassOAuthPage *self)
{
  g_autoptr(ArcpassSecret) code = NULL;
  g_autoptr(GError) error = NULL;
  const char *title = webkit_web_view_get_title (web_view);
  const char *uri = webkit_web_view_get_uri (web_view);

  if (!self->authorization || !title || !uri)
    return;
  if (!g_str_equal (arcpass_authorization_get_redirect_uri (self->authorization),
                    ARCPASS_OAUTH_OOB_REDIRECT_URI))
    return;

  /* The portal's own host, or its organisation's, where SAML and OIDC
   * sign-ins end: the core decides which hosts those are. */
  if (!arcpass_authorization_is_approval_page (self->authorization, uri))
    return;

  switch (arcpass_authorization_parse_approval_title (self->authorization, title, &code, &error))
    {
    case ARCPASS_REDIRECT_CODE:
      exchange_code (self, code);
      break;
    case ARCPASS_REDIRECT_ERROR:
      redirect_failed (self, error);
      break;
    case ARCPASS_REDIRECT_NOT_OURS:
    default:
      break;
    }
}

static gboolean
load_failed_cb (WebKitWebView    *web_view,
                WebKitLoadEvent   event,
                const char       *failing_uri,
                GError           *error,
                ArcpassOAuthPage *self)
{
  g_autofree char *host = NULL;
  g_autofree char *description = NULL;

  /* Our own ignore of the redirect and user stops end up here too. */
  if (g_error_matches (error, WEBKIT_POLICY_ERROR,
                       WEBKIT_POLICY_ERROR_FRAME_LOAD_INTERRUPTED_BY_POLICY_CHANGE) ||
      g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_CANCELLED))
    return TRUE;

  host = dup_host_for_display (failing_uri, NULL);
  description = g_strdup_printf (_("The sign-in page of %s could not be loaded: %s. Check the "
                                   "portal URL and your network connection."),
                                 host ? host : failing_uri, error->message);
  show_problem (self, PROBLEM_LOAD_FAILED, _("Sign-In Page Unavailable"), description, NULL);
  return TRUE;
}

static gboolean
load_failed_with_tls_errors_cb (WebKitWebView        *web_view,
                                const char           *failing_uri,
                                GTlsCertificate      *certificate,
                                GTlsCertificateFlags  errors,
                                ArcpassOAuthPage     *self)
{
  g_autofree char *host = dup_host_for_display (failing_uri, NULL);
  g_autofree char *description = NULL;
  const char *reason;

  if (errors & G_TLS_CERTIFICATE_EXPIRED)
    reason = _("its certificate has expired");
  else if (errors & G_TLS_CERTIFICATE_BAD_IDENTITY)
    reason = _("its certificate belongs to another site");
  else if (errors & G_TLS_CERTIFICATE_UNKNOWN_CA)
    reason = _("its certificate is not signed by a trusted authority");
  else
    reason = _("its certificate is not valid");

  /* There is deliberately no way to accept the certificate anyway: a
   * password typed into an intercepted page is a stolen password. */
  description = g_strdup_printf (_("Arcpass cannot verify that this is really %s: %s. Someone "
                                   "may be intercepting the connection, so the sign-in page "
                                   "was not shown. If this is your organisation's portal, ask "
                                   "its administrator to fix the certificate."),
                                 host ? host : failing_uri, reason);
  show_problem (self, PROBLEM_TLS, _("Certificate Problem"), description, NULL);
  return TRUE;
}

static void
web_process_terminated_cb (WebKitWebView                     *web_view,
                           WebKitWebProcessTerminationReason  reason,
                           ArcpassOAuthPage                  *self)
{
  const char *description;

  if (reason == WEBKIT_WEB_PROCESS_EXCEEDED_MEMORY_LIMIT)
    description = _("The sign-in page used too much memory and was stopped. Try again, or "
                    "continue in your browser.");
  else
    description = _("The sign-in page stopped working. Try again, or continue in your "
                    "browser.");

  show_problem (self, PROBLEM_CRASHED, _("Sign-In Page Stopped"), description, NULL);
}

static WebKitNetworkSession *
create_network_session (ArcpassOAuthPage *self)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *cache_dir = NULL;
  g_autofree char *cookies = NULL;
  WebKitNetworkSession *session;

  /* Ephemeral unless asked: the portal's cookies die with the sign-in. */
  if (!gtk_check_button_get_active (self->keep_signed_in_check))
    return webkit_network_session_new_ephemeral ();

  data_dir = g_build_filename (g_get_user_data_dir (), "arcpass", "webkit", NULL);
  cache_dir = g_build_filename (g_get_user_cache_dir (), "arcpass", "webkit", NULL);
  session = webkit_network_session_new (data_dir, cache_dir);
  /* WebKit keeps cookies in memory only unless told where to store them:
   * "Keep me signed in" means the portal's session cookie outlives the
   * attempt (which is why adding an account sends force_login). */
  cookies = g_build_filename (data_dir, "cookies.sqlite", NULL);
  webkit_cookie_manager_set_persistent_storage (webkit_network_session_get_cookie_manager (session),
                                                cookies, WEBKIT_COOKIE_PERSISTENT_STORAGE_SQLITE);
  return session;
}

static void
create_web_view (ArcpassOAuthPage *self)
{
  WebKitSettings *web_settings;

  g_assert (!self->web_view);

  self->network_session = create_network_session (self);
  /* Never offer to bypass a certificate error (this is also WebKit's
   * default; stated here because it matters). */
  webkit_network_session_set_tls_errors_policy (self->network_session,
                                                WEBKIT_TLS_ERRORS_POLICY_FAIL);
  /* A context of its own, so that its web process ends with this attempt. */
  self->web_context = webkit_web_context_new ();

  self->web_view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                                 "web-context", self->web_context,
                                 "network-session", self->network_session,
                                 "vexpand", TRUE,
                                 "hexpand", TRUE,
                                 NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->web_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Portal sign-in page"),
                                  -1);

  web_settings = webkit_web_view_get_settings (self->web_view);
  webkit_settings_set_enable_developer_extras (web_settings, FALSE);
  webkit_settings_set_javascript_can_open_windows_automatically (web_settings, FALSE);

  g_signal_connect (self->web_view, "decide-policy", G_CALLBACK (decide_policy_cb), self);
  g_signal_connect (self->web_view, "load-changed", G_CALLBACK (load_changed_cb), self);
  g_signal_connect (self->web_view, "load-failed", G_CALLBACK (load_failed_cb), self);
  g_signal_connect (self->web_view, "load-failed-with-tls-errors",
                    G_CALLBACK (load_failed_with_tls_errors_cb), self);
  g_signal_connect (self->web_view, "web-process-terminated",
                    G_CALLBACK (web_process_terminated_cb), self);
  g_signal_connect (self->web_view, "notify::estimated-load-progress",
                    G_CALLBACK (progress_changed_cb), self);
  g_signal_connect (self->web_view, "notify::uri", G_CALLBACK (uri_changed_cb), self);
  g_signal_connect (self->web_view, "notify::title", G_CALLBACK (title_changed_cb), self);

  adw_bin_set_child (self->web_view_bin, GTK_WIDGET (self->web_view));
}

/* Reads and validates the form; returns FALSE and shows why otherwise. */
static gboolean
read_form (ArcpassOAuthPage  *self,
           char             **out_portal_url,
           char             **out_client_id,
           char             **out_redirect_uri)
{
  g_autofree char *portal_url = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *redirect_uri = NULL;

  portal_url = arcpass_oauth_form_check_portal (self->portal_row, self->portal_error_label, TRUE);
  client_id = arcpass_oauth_form_check_client_id (self->client_id_row,
                                                  self->client_id_error_label, TRUE);
  redirect_uri = arcpass_oauth_form_check_redirect_uri (self->redirect_row,
                                                        self->redirect_error_label, TRUE);

  if (!portal_url || !client_id || (out_redirect_uri && !redirect_uri))
    {
      show_form (self, NULL);
      if (!portal_url)
        gtk_widget_grab_focus (GTK_WIDGET (self->portal_row));
      else if (!client_id)
        gtk_widget_grab_focus (GTK_WIDGET (self->client_id_row));
      else
        gtk_widget_grab_focus (GTK_WIDGET (self->redirect_row));
      return FALSE;
    }

  *out_portal_url = g_steal_pointer (&portal_url);
  *out_client_id = g_steal_pointer (&client_id);
  if (out_redirect_uri)
    *out_redirect_uri = g_steal_pointer (&redirect_uri);
  return TRUE;
}

static void
start_attempt (ArcpassOAuthPage *self)
{
  g_autofree char *portal_url = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *redirect_uri = NULL;
  g_autoptr(GError) error = NULL;

  end_attempt (self);
  if (!read_form (self, &portal_url, &client_id, &redirect_uri))
    return;

  /* A fresh PKCE verifier and state on every attempt, retries included. */
  self->authorization = arcpass_authorization_new (portal_url, client_id, redirect_uri, &error);
  if (!self->authorization)
    {
      show_form (self, error->message);
      return;
    }
  /* Adding an account, the portal must ask for the password even when a
   * session of "Keep me signed in" would let it through silently (maybe as
   * another user); signing in again shows that account's username. */
  arcpass_authorization_set_force_login (self->authorization, TRUE);
  if (self->username)
    arcpass_authorization_set_prepopulated_username (self->authorization, self->username);
  self->authorize_url = arcpass_authorization_build_url (self->authorization);
  self->cancellable = g_cancellable_new ();

  /* No organisation host to learn: ArcGIS Online's (`*.arcgis.com`, and
   * the loopback sandbox standing for it) are all trusted already, and an
   * Enterprise portal's approval page is on its own host. */

  create_web_view (self);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  gtk_stack_set_visible_child_name (self->web_stack, "view");
  gtk_stack_set_visible_child_name (self->stack, "web");
  update_security (self);

  webkit_web_view_load_uri (self->web_view, self->authorize_url);
  gtk_widget_grab_focus (GTK_WIDGET (self->web_view));
}

/* "Continue in Browser" and "Copy Link": the system browser cannot hand an
 * oob or custom-scheme redirect back to Arcpass, so both switch to the
 * browser flow with a loopback redirect. */
static void
switch_to_browser (ArcpassOAuthPage *self,
                   gboolean          launch)
{
  g_autofree char *portal_url = NULL;
  g_autofree char *client_id = NULL;
  g_autoptr(GError) error = NULL;

  if (!read_form (self, &portal_url, &client_id, NULL))
    return;

  end_attempt (self);
  arcpass_browser_page_set_username (self->browser_page, self->username);
  if (!arcpass_browser_page_start (self->browser_page, portal_url, client_id, launch, &error))
    {
      show_form (self, error->message);
      return;
    }

  gtk_stack_set_visible_child_name (self->stack, "browser");
  if (!launch)
    gtk_widget_activate_action (GTK_WIDGET (self->browser_page), "browser.copy-link", NULL);
}

static void
browser_signed_in_cb (ArcpassOAuthPage  *self,
                      ArcpassCredential *credential)
{
  show_form (self, NULL);
  g_signal_emit (self, signals[SIGNAL_SIGNED_IN], 0, credential);
}

static void
browser_cancelled_cb (ArcpassOAuthPage *self)
{
  show_form (self, NULL);
  g_signal_emit (self, signals[SIGNAL_CANCELLED], 0);
}

static void
portal_changed_cb (ArcpassOAuthPage *self)
{
  g_free (arcpass_oauth_form_check_portal (self->portal_row, self->portal_error_label, FALSE));
}

static void
client_id_changed_cb (ArcpassOAuthPage *self)
{
  g_free (arcpass_oauth_form_check_client_id (self->client_id_row, self->client_id_error_label,
                                              FALSE));
}

static void
redirect_changed_cb (ArcpassOAuthPage *self)
{
  g_free (arcpass_oauth_form_check_redirect_uri (self->redirect_row, self->redirect_error_label,
                                                 FALSE));
}

static void
entry_activated_cb (ArcpassOAuthPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "oauth.sign-in", NULL);
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  start_attempt (ARCPASS_OAUTH_PAGE (widget));
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  start_attempt (ARCPASS_OAUTH_PAGE (widget));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ArcpassOAuthPage *self = ARCPASS_OAUTH_PAGE (widget);

  end_attempt (self);
  show_form (self, NULL);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ArcpassOAuthPage *self = ARCPASS_OAUTH_PAGE (widget);

  end_attempt (self);
  show_form (self, NULL);
  g_signal_emit (self, signals[SIGNAL_CANCELLED], 0);
}

static void
continue_in_browser_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  switch_to_browser (ARCPASS_OAUTH_PAGE (widget), TRUE);
}

static void
copy_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  switch_to_browser (ARCPASS_OAUTH_PAGE (widget), FALSE);
}

static void
paste_dialog_response_cb (AdwMessageDialog *dialog,
                          const char       *response,
                          ArcpassOAuthPage *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autoptr(ArcpassSecret) code = arcpass_secret_dup (gtk_editable_get_text (entry));

  /* The code leaves the entry's buffer at once, whatever the answer. */
  gtk_editable_set_text (entry, "");
  g_clear_weak_pointer (&self->paste_dialog);

  if (g_strcmp0 (response, "sign-in") != 0 || !self->authorization)
    return;
  g_strstrip (code);
  if (!*code)
    return;

  /* Exactly like an intercepted code: the attempt's PKCE verifier and
   * redirect URI go with it, so a code of another attempt fails. */
  exchange_code (self, code);
}

static void
paste_entry_activated_cb (GtkWidget        *entry,
                          AdwMessageDialog *dialog)
{
  /* Enter does what the suggested button does, closing included. */
  adw_message_dialog_response (dialog, "sign-in");
  gtk_window_close (GTK_WINDOW (dialog));
}

/* The last resort: when the page cannot hand its code over (a portal page
 * Arcpass does not recognise, a browser on another computer), the user
 * copies the code shown by the portal and pastes it here. */
static void
paste_code_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ArcpassOAuthPage *self = ARCPASS_OAUTH_PAGE (widget);
  GtkWidget *entry;
  AdwMessageDialog *dialog;

  if (!self->authorization || self->paste_dialog)
    return;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                                       _("Paste the Sign-In Code"),
                                                       _("If the portal showed you a code to copy "
                                                         "into the application, paste it here. It "
                                                         "only works for the sign-in started here, "
                                                         "and only once.")));
  entry = gtk_password_entry_new ();
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Sign-in code"),
                                  -1);
  gtk_widget_set_name (entry, "paste_code_entry");
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "sign-in", _("_Sign In"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "sign-in", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "sign-in");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (entry, "activate", G_CALLBACK (paste_entry_activated_cb), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (paste_dialog_response_cb), self);

  g_set_weak_pointer (&self->paste_dialog, GTK_WIDGET (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
copy_redirect_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ArcpassOAuthPage *self = ARCPASS_OAUTH_PAGE (widget);
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->redirect_row))));

  arcpass_oauth_form_copy_text (widget, text);
}

static void
arcpass_oauth_page_dispose (GObject *object)
{
  ArcpassOAuthPage *self = ARCPASS_OAUTH_PAGE (object);

  end_attempt (self);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->username, g_free);

  /* AdwBin unparents the template root itself (it is the bin's child). */
  self->browser_page = NULL;

  G_OBJECT_CLASS (arcpass_oauth_page_parent_class)->dispose (object);
}

static void
arcpass_oauth_page_constructed (GObject *object)
{
  ArcpassOAuthPage *self = ARCPASS_OAUTH_PAGE (object);
  g_autofree char *portal = NULL;
  GtkStackPage *page;

  G_OBJECT_CLASS (arcpass_oauth_page_parent_class)->constructed (object);

  if (!self->client)
    self->client = g_object_ref (arcpass_client_get_default ());

  portal = arcpass_oauth_form_default_portal (self->settings);
  gtk_editable_set_text (GTK_EDITABLE (self->portal_row), portal);
  gtk_editable_set_text (GTK_EDITABLE (self->redirect_row), ARCPASS_OAUTH_OOB_REDIRECT_URI);

  /* The browser flow shares this page's client, so it is built here rather
   * than in the template. */
  self->browser_page = arcpass_browser_page_new (self->client, self->settings);
  g_signal_connect_swapped (self->browser_page, "signed-in",
                            G_CALLBACK (browser_signed_in_cb), self);
  g_signal_connect_swapped (self->browser_page, "cancelled",
                            G_CALLBACK (browser_cancelled_cb), self);
  page = gtk_stack_add_named (self->stack, GTK_WIDGET (self->browser_page), "browser");
  gtk_stack_page_set_title (page, _("Sign In with Your Browser"));
}

static void
arcpass_oauth_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ArcpassOAuthPage *self = ARCPASS_OAUTH_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_REDIRECT_URI:
      g_value_set_string (value, gtk_editable_get_text (GTK_EDITABLE (self->redirect_row)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_oauth_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  ArcpassOAuthPage *self = ARCPASS_OAUTH_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_set_object (&self->client, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      g_set_object (&self->settings, g_value_get_object (value));
      break;
    case PROP_USERNAME:
      g_free (self->username);
      self->username = g_value_get_string (value) && *g_value_get_string (value)
                       ? g_value_dup_string (value) : NULL;
      break;
    case PROP_REDIRECT_URI:
      if (g_value_get_string (value))
        gtk_editable_set_text (GTK_EDITABLE (self->redirect_row), g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_oauth_page_class_init (ArcpassOAuthPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arcpass_oauth_page_dispose;
  object_class->constructed = arcpass_oauth_page_constructed;
  object_class->get_property = arcpass_oauth_page_get_property;
  object_class->set_property = arcpass_oauth_page_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL,
                         ARCPASS_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The account that signs in again ("Sign In Again"): the portal's form
   * shows its username. NULL (the default) adds an account. Properties,
   * so that the window sets them through the web view module without
   * more exported symbols. */
  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REDIRECT_URI] =
    g_param_spec_string ("redirect-uri", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SIGNED_IN] =
    g_signal_new ("signed-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ARCPASS_TYPE_CREDENTIAL);
  signals[SIGNAL_CANCELLED] =
    g_signal_new ("cancelled",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-oauth-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, portal_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, client_id_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, redirect_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, keep_signed_in_check);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, portal_error_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, client_id_error_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, redirect_error_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, form_error_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, tls_icon);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, host_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, tls_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, web_stack);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, web_view_bin);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, problem_page);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, problem_detail_box);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, problem_detail_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, problem_copy_detail_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, problem_browser_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, problem_copy_link_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, problem_retry_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassOAuthPage, problem_back_button);
  gtk_widget_class_bind_template_callback (widget_class, portal_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, client_id_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, redirect_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);

  gtk_widget_class_install_action (widget_class, "oauth.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "oauth.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "oauth.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "oauth.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "oauth.continue-in-browser", NULL,
                                   continue_in_browser_action);
  gtk_widget_class_install_action (widget_class, "oauth.copy-link", NULL, copy_link_action);
  gtk_widget_class_install_action (widget_class, "oauth.copy-redirect", NULL,
                                   copy_redirect_action);
  gtk_widget_class_install_action (widget_class, "oauth.paste-code", NULL, paste_code_action);

  g_type_ensure (ARCPASS_TYPE_BROWSER_PAGE);
}

static void
arcpass_oauth_page_init (ArcpassOAuthPage *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Escape cancels the sign-in, as Escape goes back elsewhere, even while
   * the web view has the focus: WebKit takes every key it is given and
   * hands the ones the page does not use back to the web view alone, so no
   * binding above it would see them. Hence the capture phase, before WebKit. */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("oauth.cancel")));
  gtk_widget_add_controller (GTK_WIDGET (self->web_view_bin), controller);
}

/* This and arcpass_oauth_page_set_defaults() are the entry points of the
 * web view module (see arcpass-webview-loader.c), which hides all else. */
G_MODULE_EXPORT ArcpassOAuthPage *
arcpass_oauth_page_new (ArcpassClient *client,
                        GSettings     *settings)
{
  g_return_val_if_fail (!client || ARCPASS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (!settings || G_IS_SETTINGS (settings), NULL);

  return g_object_new (ARCPASS_TYPE_OAUTH_PAGE,
                       "client", client,
                       "settings", settings,
                       NULL);
}

G_MODULE_EXPORT void
arcpass_oauth_page_set_defaults (ArcpassOAuthPage *self,
                                 const char       *portal_url,
                                 const char       *client_id)
{
  g_return_if_fail (ARCPASS_IS_OAUTH_PAGE (self));

  if (portal_url)
    gtk_editable_set_text (GTK_EDITABLE (self->portal_row), portal_url);
  if (client_id)
    gtk_editable_set_text (GTK_EDITABLE (self->client_id_row), client_id);
}
