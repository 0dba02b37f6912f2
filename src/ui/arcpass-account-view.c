/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "arcpass-account-view.h"
#include "arcpass-clipboard.h"
#include "arcpass-privileges.h"
#include "arcpass-token-row.h"
#include "arcpass-ui-utils.h"

/* Seconds to wait before the view retries an automatic refresh that failed
 * (network down, portal busy); "Refresh Now" does not wait. */
#define AUTO_REFRESH_RETRY_DELAY 60

struct _ArcpassAccountView
{
  AdwBin               parent_instance;

  ArcpassClient       *client;
  ArcpassAccountStore *store;
  GSettings           *settings;
  ArcpassTokenManager *manager;
  ArcpassCredential   *credential;
  gulong               credential_notify_id;
  gulong               refreshing_notify_id;
  /* Cancels what was started for the current manager (avatar, refresh,
   * export, rotation); replaced when the manager changes. */
  GCancellable        *cancellable;

  /* The 1 s countdown runs only while the view is mapped and its toplevel
   * is not minimized, so a hidden window never wakes the CPU. */
  guint                tick_id;
  GdkSurface          *surface;
  gulong               surface_state_id;

  gboolean             auto_refreshing;
  gboolean             checking;
  gint64               auto_refresh_not_before;
  gboolean             rotating;

  /* Sign-out waits for the undo toast to go away before revoking. */
  gboolean             sign_out_pending;
  gboolean             sign_out_undone;
  /* The account being signed out, from "Sign Out" until it is done. */
  ArcpassTokenManager *sign_out_manager;
  AdwToast            *undo_toast;

  GPtrArray           *privilege_rows;

  /* Template widgets */
  AdwToastOverlay     *toast_overlay;
  GtkLabel            *announce_label;
  GtkWidget           *content_box;
  AdwAvatar           *avatar;
  GtkLabel            *name_label;
  GtkLabel            *subtitle_label;
  GtkLabel            *state_label;
  AdwPreferencesGroup *state_group;
  AdwActionRow        *state_row;
  GtkWidget           *check_button;
  GtkWidget           *sign_in_again_button;
  AdwActionRow        *username_row;
  AdwActionRow        *org_row;
  AdwActionRow        *role_row;
  AdwActionRow        *portal_row;
  AdwActionRow        *kind_row;
  AdwActionRow        *platform_row;
  AdwPreferencesGroup *access_group;
  GtkSpinner          *refresh_spinner;
  GtkWidget           *refresh_button;
  ArcpassTokenRow     *access_row;
  AdwActionRow        *access_expiry_row;
  AdwPreferencesGroup *refresh_group;
  ArcpassTokenRow     *refresh_row;
  AdwActionRow        *refresh_expiry_row;
  AdwPreferencesGroup *privileges_group;
  GtkLabel            *sign_out_label;
};

G_DEFINE_FINAL_TYPE (ArcpassAccountView, arcpass_account_view, ADW_TYPE_BIN)

enum {
  REMOVED,
  RESTORED,
  SIGNED_OUT,
  ADD_TOAST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_tick (ArcpassAccountView *self);

/* ---- Small helpers ------------------------------------------------------- */

static gint64
get_now (ArcpassAccountView *self)
{
  /* The client's clock, so that the countdown follows the portal's notion
   * of time (the sandbox's in tests and `arcpass --sandbox`). */
  return self->client ? arcpass_client_get_now (self->client) : g_get_real_time () / G_USEC_PER_SEC;
}

static gint64
get_refresh_margin (ArcpassAccountView *self)
{
  if (self->settings)
    return g_settings_get_uint (self->settings, "refresh-margin");

  return ARCPASS_TOKEN_REFRESH_MARGIN;
}

static ArcpassAccountStore *
get_store (ArcpassAccountView *self)
{
  if (self->manager && arcpass_token_manager_get_store (self->manager))
    return arcpass_token_manager_get_store (self->manager);

  return self->store;
}

static gboolean
kind_can_refresh (ArcpassCredential *credential)
{
  switch (arcpass_credential_get_kind (credential))
    {
    case ARCPASS_CREDENTIAL_OAUTH_USER:
      return arcpass_credential_get_refresh_token (credential) != NULL;
    case ARCPASS_CREDENTIAL_APP_CREDENTIALS:
      return arcpass_credential_get_client_secret (credential) != NULL;
    case ARCPASS_CREDENTIAL_API_KEY:
    case ARCPASS_CREDENTIAL_GENERATE_TOKEN:
    default:
      return FALSE;
    }
}

static void
show_toast (ArcpassAccountView *self,
            AdwToast           *toast)
{
  gboolean handled = FALSE;

  /* The window that shows the toast also says it to screen readers. */
  g_signal_emit (self, signals[ADD_TOAST], 0, toast, &handled);
  if (!handled)
    {
      arcpass_ui_announce (self->announce_label, adw_toast_get_title (toast));
      adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (toast));
    }
}

static void
show_message (ArcpassAccountView *self,
              const char         *message)
{
  g_autoptr(AdwToast) toast = adw_toast_new (message);

  show_toast (self, toast);
}

static void
set_row_value (AdwActionRow *row,
               const char   *value)
{
  gboolean has_value = value && *value;

  /* Identity fields the portal did not give are hidden, not shown blank.
   * Values are plain text: markup characters in a name must not break. */
  if (has_value)
    {
      g_autofree char *escaped = g_markup_escape_text (value, -1);

      adw_action_row_set_subtitle (row, escaped);
    }
  else
    adw_action_row_set_subtitle (row, "");

  gtk_widget_set_visible (GTK_WIDGET (row), has_value);
}

static char *
format_duration (gint64 seconds)
{
  gint64 abs_seconds = ABS (seconds);
  int days = abs_seconds / 86400;
  int hours = (abs_seconds % 86400) / 3600;
  int minutes = (abs_seconds % 3600) / 60;
  int secs = abs_seconds % 60;

  /* Seconds are shown only in the last hour, where they are worth a tick. */
  if (days > 0 && hours == 0)
    /* Translators: a short duration in days: "14 d". */
    return g_strdup_printf (_("%d d"), days);
  if (days > 0)
    /* Translators: a short duration, days and hours: "13 d 23 h". */
    return g_strdup_printf (_("%d d %d h"), days, hours);
  if (hours > 0)
    /* Translators: a short duration, hours and minutes: "1 h 05 min". */
    return g_strdup_printf (_("%d h %02d min"), hours, minutes);

  /* Translators: a short duration, minutes and seconds: "29 min 58 s". */
  return g_strdup_printf (_("%d min %02d s"), minutes, secs);
}

static void
update_expiry_row (ArcpassAccountView *self,
                   AdwActionRow       *row,
                   gint64              expires,
                   gint64              now)
{
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  if (expires <= 0)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No Expiry Reported"));
      adw_action_row_set_subtitle (row, _("The portal did not say when this token expires"));
      gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
      return;
    }

  {
    g_autofree char *duration = format_duration (expires - now);
    g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (expires);
    g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (expires);
    /* Translators: local date and time in strftime() format. */
    g_autofree char *local_text = g_date_time_format (local, _("%Y-%m-%d %H:%M:%S %Z"));
    g_autofree char *utc_text = g_date_time_format (utc, "%Y-%m-%d %H:%M:%S UTC");

    if (expires > now)
      /* Translators: %s is a duration such as "29 min 58 s". */
      title = g_strdup_printf (_("Expires in %s"), duration);
    else
      /* Translators: %s is a duration such as "2 min 03 s". */
      title = g_strdup_printf (_("Expired %s ago"), duration);

    /* One line is enough when local time is UTC. */
    if (g_date_time_get_utc_offset (local) == 0)
      subtitle = g_strdup (utc_text);
    else
      subtitle = g_strdup_printf ("%s\n%s", local_text, utc_text);
  }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (row, subtitle);
  if (expires > now)
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
}

static void
set_state_badge (ArcpassAccountView *self,
                 const char         *label,
                 const char         *css_class)
{
  static const char * const classes[] = { "success", "warning", "error", "dim-label" };

  for (gsize i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), classes[i]);

  gtk_label_set_text (self->state_label, label);
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), css_class);
}

/* ---- Following the credential ------------------------------------------ */

static void
update_times (ArcpassAccountView *self)
{
  ArcpassCredential *cred = self->credential;
  ArcpassCredentialState state;
  gint64 now, expires;

  if (cred == NULL)
    return;

  now = get_now (self);
  expires = arcpass_credential_get_access_expires (cred);
  state = arcpass_credential_get_state (cred);

  update_expiry_row (self, self->access_expiry_row, expires, now);
  update_expiry_row (self, self->refresh_expiry_row, arcpass_credential_get_refresh_expires (cred), now);

  /* The stored state only changes when the manager acts; the badge also
   * tells what the clock says meanwhile. */
  if (state == ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED || state == ARCPASS_CREDENTIAL_STATE_OFFLINE)
    set_state_badge (self, arcpass_ui_credential_state_label (state), arcpass_ui_credential_state_class (state));
  else if (arcpass_credential_get_access_token (cred) == NULL)
    set_state_badge (self, _("No token"), "error");
  else if (expires > 0 && expires <= now)
    set_state_badge (self, _("Expired"), "error");
  else if (expires > 0 && expires - now <= get_refresh_margin (self))
    set_state_badge (self, arcpass_ui_credential_state_label (ARCPASS_CREDENTIAL_STATE_EXPIRES_SOON),
                     arcpass_ui_credential_state_class (ARCPASS_CREDENTIAL_STATE_EXPIRES_SOON));
  else
    set_state_badge (self, arcpass_ui_credential_state_label (ARCPASS_CREDENTIAL_STATE_VALID),
                     arcpass_ui_credential_state_class (ARCPASS_CREDENTIAL_STATE_VALID));
}

static void
update_actions (ArcpassAccountView *self)
{
  ArcpassCredential *cred = self->credential;
  gboolean usable = self->manager != NULL && cred != NULL && !self->sign_out_pending;
  gboolean refreshing = self->manager && arcpass_token_manager_get_refreshing (self->manager);
  gboolean busy = refreshing || self->rotating || self->auto_refreshing || self->checking;
  gboolean oauth = cred && arcpass_credential_get_kind (cred) == ARCPASS_CREDENTIAL_OAUTH_USER;
  gboolean has_access = cred && arcpass_credential_get_access_token (cred) != NULL;
  gboolean has_refresh = cred && arcpass_credential_get_refresh_token (cred) != NULL;

  /* Refresh and Rotate stay enabled while busy, and then do nothing (the
   * spinner says why): a button made insensitive under the keyboard focus
   * would drop the focus, and a keyboard user would start over from the top
   * of the window. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.refresh",
                                 usable && kind_can_refresh (cred));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.rotate",
                                 usable && oauth && has_refresh);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.export", usable && has_access);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.export-with-refresh",
                                 usable && has_access && oauth && has_refresh);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.copy-access-token", usable && has_access);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.copy-refresh-token", usable && has_refresh);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.sign-out", usable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.remove", usable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.check", usable && !busy);

  gtk_widget_set_visible (self->refresh_button, cred && kind_can_refresh (cred));
  gtk_widget_set_visible (GTK_WIDGET (self->refresh_spinner), busy);
  gtk_spinner_set_spinning (self->refresh_spinner, busy);
}

static void
update_state_row (ArcpassAccountView *self)
{
  ArcpassCredential *cred = self->credential;
  ArcpassCredentialState state = cred ? arcpass_credential_get_state (cred) : ARCPASS_CREDENTIAL_STATE_VALID;

  switch (state)
    {
    case ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->state_row), _("Sign-In Required"));
      if (arcpass_credential_get_kind (cred) == ARCPASS_CREDENTIAL_API_KEY)
        adw_action_row_set_subtitle (self->state_row,
                                     _("The portal refused this API key, or it has expired. Create a new key in "
                                       "your developer dashboard and add it again."));
      else
        adw_action_row_set_subtitle (self->state_row,
                                     _("Arcpass can no longer renew this account’s token. The account is kept: "
                                       "sign in again to renew it, or remove it."));
      gtk_widget_set_visible (GTK_WIDGET (self->state_group), TRUE);
      break;

    case ARCPASS_CREDENTIAL_STATE_OFFLINE:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->state_row), _("Offline"));
      /* Why the latest check or renewal failed, when known. */
      if (arcpass_ui_get_account_problem (cred))
        {
          g_autofree char *escaped = g_markup_escape_text (arcpass_ui_get_account_problem (cred), -1);

          adw_action_row_set_subtitle (self->state_row, escaped);
        }
      else
        adw_action_row_set_subtitle (self->state_row,
                                     _("The last renewal failed because the portal could not be reached. "
                                       "Arcpass tries again; Refresh Now retries at once."));
      gtk_widget_set_visible (GTK_WIDGET (self->state_group), TRUE);
      break;

    case ARCPASS_CREDENTIAL_STATE_VALID:
    case ARCPASS_CREDENTIAL_STATE_EXPIRES_SOON:
    default:
      gtk_widget_set_visible (GTK_WIDGET (self->state_group), FALSE);
      break;
    }

  gtk_widget_set_visible (self->check_button, state == ARCPASS_CREDENTIAL_STATE_OFFLINE);
  /* The window signs the account in again (its username on the portal's
   * form); only OAuth accounts sign in with a form. */
  gtk_widget_set_visible (self->sign_in_again_button,
                          state == ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED &&
                          arcpass_credential_get_kind (cred) == ARCPASS_CREDENTIAL_OAUTH_USER);
  if (cred)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (self->sign_in_again_button), "s",
                                      arcpass_credential_get_id (cred));
}

static void
update_identity (ArcpassAccountView *self)
{
  ArcpassCredential *cred = self->credential;
  ArcpassCredentialKind kind = arcpass_credential_get_kind (cred);
  g_autofree char *title = arcpass_ui_dup_account_title (cred);
  g_autofree char *host = arcpass_ui_dup_portal_host (arcpass_credential_get_portal_url (cred));
  const char *username = arcpass_credential_get_username (cred);
  const char *org = arcpass_credential_get_org_name (cred);
  g_autofree char *subtitle = NULL;

  gtk_label_set_text (self->name_label, title);
  adw_avatar_set_text (self->avatar, title);

  if (username && *username && g_strcmp0 (username, title) != 0)
    /* Translators: "<username> on <portal host>" */
    subtitle = g_strdup_printf (_("%s on %s"), username, host);
  else
    /* Translators: "<kind of account> on <portal host>" */
    subtitle = g_strdup_printf (_("%s on %s"), arcpass_ui_credential_kind_label (kind), host);
  gtk_label_set_text (self->subtitle_label, subtitle);

  set_row_value (self->username_row, username);
  set_row_value (self->org_row, org && *org ? org : arcpass_credential_get_org_id (cred));
  set_row_value (self->role_row, arcpass_credential_get_role (cred));
  set_row_value (self->portal_row, arcpass_credential_get_portal_url (cred));
  set_row_value (self->kind_row, arcpass_ui_credential_kind_label (kind));
  set_row_value (self->platform_row,
                 arcpass_account_kind_get_label (arcpass_credential_get_effective_account_kind (cred)));

  switch (kind)
    {
    case ARCPASS_CREDENTIAL_OAUTH_USER:
      gtk_label_set_text (self->sign_out_label,
                          _("Signing out revokes the refresh token on the portal and forgets the account "
                            "and its web sign-in on this computer. Removing without signing out leaves the "
                            "token valid on the portal until it expires."));
      break;
    case ARCPASS_CREDENTIAL_API_KEY:
      gtk_label_set_text (self->sign_out_label,
                          _("API keys cannot be revoked from Arcpass: signing out forgets the key on this "
                            "computer. Delete or regenerate it in your developer dashboard to disable it."));
      break;
    case ARCPASS_CREDENTIAL_APP_CREDENTIALS:
      gtk_label_set_text (self->sign_out_label,
                          _("App tokens cannot be revoked: signing out forgets the app credentials on this "
                            "computer, and the current token stays valid until it expires."));
      break;
    case ARCPASS_CREDENTIAL_GENERATE_TOKEN:
    default:
      gtk_label_set_text (self->sign_out_label,
                          _("Tokens from a username and password cannot be revoked: signing out forgets the "
                            "token on this computer, and it stays valid until it expires."));
      break;
    }
}

static void
update_tokens (ArcpassAccountView *self)
{
  ArcpassCredential *cred = self->credential;
  gboolean oauth = arcpass_credential_get_kind (cred) == ARCPASS_CREDENTIAL_OAUTH_USER;

  arcpass_token_row_set_secret (self->access_row, arcpass_credential_get_access_token (cred));
  arcpass_token_row_set_secret (self->refresh_row, arcpass_credential_get_refresh_token (cred));

  adw_preferences_group_set_title (self->access_group,
                                   arcpass_credential_get_kind (cred) == ARCPASS_CREDENTIAL_API_KEY
                                   ? _("API Key") : _("Access Token"));
  gtk_widget_set_visible (GTK_WIDGET (self->refresh_group), oauth);
}

static void
update_privileges (ArcpassAccountView *self)
{
  const char * const *privileges = arcpass_credential_get_privileges (self->credential);
  GPtrArray *groups[ARCPASS_N_PRIVILEGE_GROUPS] = { NULL, };

  for (guint i = 0; i < self->privilege_rows->len; i++)
    adw_preferences_group_remove (self->privileges_group, g_ptr_array_index (self->privilege_rows, i));
  g_ptr_array_set_size (self->privilege_rows, 0);

  for (guint i = 0; i < ARCPASS_N_PRIVILEGE_GROUPS; i++)
    groups[i] = g_ptr_array_new ();

  for (guint i = 0; privileges && privileges[i]; i++)
    g_ptr_array_add (groups[arcpass_privilege_describe (privileges[i], NULL)], (gpointer) privileges[i]);

  if (privileges == NULL || privileges[0] == NULL)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No Privileges Reported"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("The portal did not list what this token may do"));
      adw_preferences_group_add (self->privileges_group, row);
      g_ptr_array_add (self->privilege_rows, row);
    }

  for (guint g = 0; g < ARCPASS_N_PRIVILEGE_GROUPS; g++)
    {
      g_autoptr(GString) summary = g_string_new (NULL);
      GtkWidget *expander;

      if (groups[g]->len == 0)
        continue;

      expander = adw_expander_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), arcpass_privilege_group_title (g));
      gtk_widget_set_name (expander, arcpass_privilege_group_title (g));

      for (guint i = 0; i < groups[g]->len; i++)
        {
          const char *privilege = g_ptr_array_index (groups[g], i);
          g_autofree char *name = NULL;
          GtkWidget *row = adw_action_row_new ();

          arcpass_privilege_describe (privilege, &name);
          /* Raw privilege strings are not markup ("portal:admin:*"). */
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), privilege);
          adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
          gtk_widget_set_name (row, privilege);
          adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

          if (i > 0)
            g_string_append (summary, _(", "));
          g_string_append (summary, name);
        }

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), summary->str);
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), g == ARCPASS_PRIVILEGE_GROUP_LOCATION);
      adw_preferences_group_add (self->privileges_group, expander);
      g_ptr_array_add (self->privilege_rows, expander);
    }

  for (guint i = 0; i < ARCPASS_N_PRIVILEGE_GROUPS; i++)
    g_ptr_array_unref (groups[i]);
}

static void
update_all (ArcpassAccountView *self)
{
  if (self->credential == NULL)
    return;

  update_identity (self);
  update_tokens (self);
  update_state_row (self);
  update_times (self);
  update_actions (self);
}

static void
credential_notify_cb (ArcpassCredential  *credential,
                      GParamSpec         *pspec,
                      ArcpassAccountView *self)
{
  if (g_str_equal (pspec->name, "privileges"))
    update_privileges (self);
  else if (g_str_equal (pspec->name, "avatar-url"))
    arcpass_ui_load_avatar (self->avatar, self->client, credential, self->cancellable);

  update_all (self);
}

static void
refreshing_notify_cb (ArcpassTokenManager *manager,
                      GParamSpec          *pspec,
                      ArcpassAccountView  *self)
{
  update_actions (self);
}

/* ---- Refresh ---------------------------------------------------------- */

/* The state row of an offline account says why the latest renewal failed
 * (and no longer what an earlier check found). */
static void
set_renewal_problem (ArcpassAccountView *self,
                     const GError       *error)
{
  g_autofree char *problem = NULL;

  if (self->credential == NULL)
    return;

  if (error != NULL)
    /* Translators: %s says why, e.g. "127.0.0.1 did not answer in time." */
    problem = g_strdup_printf (_("Could not renew the token: %s"), error->message);
  arcpass_ui_set_account_problem (self->credential, problem);
}

static void
auto_refresh_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ArcpassAccountView) self = user_data;
  g_autoptr(ArcpassSecret) token = NULL;
  g_autoptr(GError) error = NULL;

  token = arcpass_token_manager_get_token_finish (ARCPASS_TOKEN_MANAGER (source), result, &error);
  if (token == NULL && arcpass_ui_error_is_cancelled (error))
    return;

  self->auto_refreshing = FALSE;
  /* The credential's state (sign-in required, offline) tells the user; a
   * toast for a renewal they did not ask for would only be noise. */
  if (token == NULL)
    {
      g_debug ("Automatic refresh failed: %s", error->message);
      set_renewal_problem (self, error);
      self->auto_refresh_not_before = get_now (self) + AUTO_REFRESH_RETRY_DELAY;
    }

  update_all (self);
}

static void
maybe_auto_refresh (ArcpassAccountView *self)
{
  ArcpassCredential *cred = self->credential;
  gint64 now, expires;

  if (!self->manager || !cred || self->sign_out_pending || self->rotating || self->auto_refreshing)
    return;
  if (arcpass_token_manager_get_refreshing (self->manager))
    return;
  if (arcpass_credential_get_state (cred) == ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED)
    return;

  now = get_now (self);
  expires = arcpass_credential_get_access_expires (cred);
  if (expires <= 0 || expires - now > get_refresh_margin (self) || now < self->auto_refresh_not_before)
    return;
  if (!arcpass_credential_can_refresh_at (cred, now))
    return;

  /* Forced, because the configured margin may be wider than the core's. */
  self->auto_refreshing = TRUE;
  update_actions (self);
  arcpass_token_manager_get_token_async (self->manager, TRUE, self->cancellable,
                                         auto_refresh_cb, g_object_ref (self));
}

static void
refresh_now_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ArcpassAccountView) self = user_data;
  g_autoptr(ArcpassSecret) token = NULL;
  g_autoptr(GError) error = NULL;

  token = arcpass_token_manager_get_token_finish (ARCPASS_TOKEN_MANAGER (source), result, &error);
  if (token == NULL && arcpass_ui_error_is_cancelled (error))
    return;

  /* The state row explains a sign-in that is required; the toast only
   * has to say that the renewal did not happen. */
  set_renewal_problem (self, error);
  if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_SIGN_IN_REQUIRED))
    show_message (self, _("Could not renew the token: sign in again"));
  else if (token == NULL)
    {
      /* Translators: %s says why, e.g. "127.0.0.1 did not answer in time." */
      g_autofree char *message = g_strdup_printf (_("Could not renew the token: %s"), error->message);

      show_message (self, message);
    }
  else
    {
      self->auto_refresh_not_before = 0;
      show_message (self, _("Access token renewed"));
    }

  update_all (self);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ArcpassAccountView *self = ARCPASS_ACCOUNT_VIEW (widget);

  /* Busy (see update_actions). */
  if (!self->manager || gtk_spinner_get_spinning (self->refresh_spinner))
    return;

  arcpass_token_manager_get_token_async (self->manager, TRUE, self->cancellable,
                                         refresh_now_cb, g_object_ref (self));
}

static void
check_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ArcpassAccountView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!arcpass_ui_check_account_finish (result, &error) && arcpass_ui_error_is_cancelled (error))
    return;

  /* The state row says how it went (hidden once the account is valid). */
  self->checking = FALSE;
  update_all (self);
}

static void
check_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ArcpassAccountView *self = ARCPASS_ACCOUNT_VIEW (widget);

  if (!self->manager || self->checking)
    return;

  self->checking = TRUE;
  update_actions (self);
  arcpass_ui_check_account_async (self->manager, self->cancellable, check_cb, g_object_ref (self));
}

static gboolean
rotate_error_needs_sign_in (const GError *error)
{
  return g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_TOKEN) ||
         g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_EXPIRED) ||
         g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_GRANT) ||
         g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_CLIENT) ||
         g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_REDIRECT_MISMATCH);
}

static void
rotate_saved_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ArcpassAccountView) self = user_data;
  g_autoptr(GError) error = NULL;

  /* The old refresh token is dead on the portal now, so a keyring that did
   * not take the new one means the next start needs a new sign-in. */
  if (!arcpass_account_store_save_finish (ARCPASS_ACCOUNT_STORE (source), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The new refresh token could not be saved: %s"),
                                                  error->message);
      show_message (self, message);
    }
}

static void
rotate_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ArcpassAccountView) self = user_data;
  g_autoptr(ArcpassTokenResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  ArcpassAccountStore *store;

  response = arcpass_oauth_exchange_refresh_token_finish (result, &error);
  if (response == NULL && arcpass_ui_error_is_cancelled (error))
    return;

  self->rotating = FALSE;

  if (response == NULL)
    {
      if (rotate_error_needs_sign_in (error) && self->credential)
        {
          arcpass_credential_set_state (self->credential, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);
          if ((store = get_store (self)))
            arcpass_account_store_save_async (store, self->credential, NULL, rotate_saved_cb,
                                              g_object_ref (self));
        }
      show_message (self, error->message);
      update_all (self);
      return;
    }

  arcpass_credential_apply_token_response (self->credential, response);
  arcpass_credential_update_state (self->credential, get_now (self));
  if ((store = get_store (self)))
    arcpass_account_store_save_async (store, self->credential, NULL, rotate_saved_cb, g_object_ref (self));

  show_message (self, _("Refresh token replaced; the old one no longer works"));
  update_all (self);
}

static void
rotate_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ArcpassAccountView *self = ARCPASS_ACCOUNT_VIEW (widget);
  ArcpassCredential *cred = self->credential;
  g_autofree char *rest_root = NULL;
  g_autoptr(GError) error = NULL;

  if (!cred || arcpass_credential_get_kind (cred) != ARCPASS_CREDENTIAL_OAUTH_USER ||
      !arcpass_credential_get_refresh_token (cred) ||
      gtk_spinner_get_spinning (self->refresh_spinner))
    return;

  if (!arcpass_portal_normalize (arcpass_credential_get_portal_url (cred), NULL, &rest_root, &error))
    {
      show_message (self, error->message);
      return;
    }

  /* exchange_refresh_token: a new refresh token (and access token) for the
   * old one, which the portal then forgets. The token manager has no call
   * for this yet, so it is done here, on the shared credential. */
  self->rotating = TRUE;
  update_actions (self);
  arcpass_oauth_exchange_refresh_token_async (self->client, rest_root,
                                              arcpass_credential_get_client_id (cred),
                                              arcpass_credential_get_redirect_uri (cred),
                                              arcpass_credential_get_refresh_token (cred),
                                              self->cancellable, rotate_cb, g_object_ref (self));
}

/* ---- Export and copy --------------------------------------------------- */

typedef enum {
  EXPORT_RAW,
  EXPORT_AUTHORIZATION,
  EXPORT_X_ESRI,
  EXPORT_CURL,
  EXPORT_JSON,
  EXPORT_JSON_WITH_REFRESH,
  EXPORT_ENV,
  EXPORT_REFRESH_TOKEN,
} ExportFormat;

static const struct {
  const char *id;
  ExportFormat format;
} export_ids[] = {
  { "raw", EXPORT_RAW },
  { "authorization", EXPORT_AUTHORIZATION },
  { "x-esri", EXPORT_X_ESRI },
  { "curl", EXPORT_CURL },
  { "json", EXPORT_JSON },
  { "env", EXPORT_ENV },
};

static const char *
export_description (ExportFormat format)
{
  switch (format)
    {
    case EXPORT_RAW:
      return _("Token copied");
    case EXPORT_AUTHORIZATION:
      return _("Authorization header copied");
    case EXPORT_X_ESRI:
      return _("X-Esri header copied");
    case EXPORT_CURL:
      return _("curl command copied");
    case EXPORT_JSON:
      return _("JSON copied");
    case EXPORT_JSON_WITH_REFRESH:
      return _("JSON with refresh token copied");
    case EXPORT_ENV:
      return _("Shell variable copied");
    case EXPORT_REFRESH_TOKEN:
    default:
      return _("Refresh token copied");
    }
}

/* Single quotes for a POSIX shell: nothing inside is expanded. */
static void
append_shell_quoted (GString    *out,
                     const char *text)
{
  g_string_append_c (out, '\'');
  for (const char *p = text; *p; p++)
    {
      if (*p == '\'')
        g_string_append (out, "'\\''");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

static void
append_json_string (GString    *out,
                    const char *text)
{
  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) text; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_json_expiry (GString    *out,
                    const char *name,
                    gint64      expires)
{
  g_string_append_printf (out, ",\n  \"%s\": ", name);
  if (expires > 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, expires);
  else
    g_string_append (out, "null");

  g_string_append_printf (out, ",\n  \"%s_iso\": ", name);
  if (expires > 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (expires);
      g_autofree char *iso = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");

      append_json_string (out, iso);
    }
  else
    g_string_append (out, "null");
}

static char *
build_export (ArcpassCredential *cred,
              const char        *token,
              ExportFormat       format)
{
  const char *refresh = arcpass_credential_get_refresh_token (cred);
  const char *portal = arcpass_credential_get_portal_url (cred);
  GString *out;
  char *result;

  /* Sized up front so that the buffer never grows: a reallocation would
   * leave a copy of the token behind in freed memory. */
  out = g_string_sized_new (2 * (strlen (token) + (refresh ? strlen (refresh) : 0)) + 1024 +
                            2 * (portal ? strlen (portal) : 0));

  switch (format)
    {
    case EXPORT_RAW:
    case EXPORT_REFRESH_TOKEN:
      g_string_append (out, token);
      break;

    case EXPORT_AUTHORIZATION:
      g_string_append (out, "Authorization: Bearer ");
      g_string_append (out, token);
      break;

    case EXPORT_X_ESRI:
      g_string_append (out, "X-Esri-Authorization: Bearer ");
      g_string_append (out, token);
      break;

    case EXPORT_CURL:
      {
        /* A request that shows who the token belongs to (the same line as
         * `arcpass token --format curl`); the token goes in a header,
         * never in the URL. Keys and app tokens have no user: portals/self. */
        ArcpassCredentialKind kind = arcpass_credential_get_kind (cred);
        gboolean user = kind == ARCPASS_CREDENTIAL_OAUTH_USER || kind == ARCPASS_CREDENTIAL_GENERATE_TOKEN;
        g_autofree char *url = g_strdup_printf ("%s/sharing/rest/%s?f=json",
                                                portal ? portal : ARCPASS_ONLINE_PORTAL_URL,
                                                user ? "community/self" : "portals/self");

        g_autoptr(GString) header = g_string_sized_new (strlen (token) + 64);

        g_string_append (header, "X-Esri-Authorization: Bearer ");
        g_string_append (header, token);
        g_string_append (out, "curl -H ");
        append_shell_quoted (out, header->str);
        explicit_bzero (header->str, header->allocated_len);
        /* A generateToken token only works with the referer it is bound to. */
        if (kind == ARCPASS_CREDENTIAL_GENERATE_TOKEN)
          g_string_append (out, " -H 'Referer: " ARCPASS_APPLICATION_REFERER "'");
        g_string_append_c (out, ' ');
        append_shell_quoted (out, url);
      }
      break;

    case EXPORT_ENV:
      g_string_append (out, "export ARCGIS_TOKEN=");
      append_shell_quoted (out, token);
      break;

    case EXPORT_JSON:
    case EXPORT_JSON_WITH_REFRESH:
    default:
      g_string_append (out, "{\n  \"access_token\": ");
      append_json_string (out, token);
      g_string_append (out, ",\n  \"token_type\": \"Bearer\"");
      append_json_expiry (out, "expires_at", arcpass_credential_get_access_expires (cred));
      g_string_append (out, ",\n  \"username\": ");
      append_json_string (out, arcpass_credential_get_username (cred));
      g_string_append (out, ",\n  \"portal\": ");
      append_json_string (out, portal);
      if (format == EXPORT_JSON_WITH_REFRESH && refresh)
        {
          g_string_append (out, ",\n  \"refresh_token\": ");
          append_json_string (out, refresh);
          append_json_expiry (out, "refresh_token_expires_at", arcpass_credential_get_refresh_expires (cred));
        }
      g_string_append (out, "\n}");
      break;
    }

  result = arcpass_secret_dup (out->str);
  explicit_bzero (out->str, out->allocated_len);
  g_string_free (out, TRUE);

  return result;
}

/* The label, not the view, observes the copy: it can be cleared after the
 * view is gone, and a label that outlives its view only loses the text. */
static void
clipboard_cleared_cb (GObject *announce_label)
{
  gtk_label_set_text (GTK_LABEL (announce_label), _("Clipboard cleared"));
}

static void
copy_text (ArcpassAccountView *self,
           const char         *text,
           ExportFormat        format)
{
  guint delay = self->settings ? g_settings_get_uint (self->settings, "clipboard-clear-delay") : 30;
  g_autofree char *message = NULL;
  g_autoptr(AdwToast) toast = NULL;

  arcpass_clipboard_copy_secret_full (gtk_widget_get_clipboard (GTK_WIDGET (self)), text, delay,
                                      G_OBJECT (self->announce_label), clipboard_cleared_cb);

  if (delay > 0)
    /* Translators: "<what was copied>, …"; short, toasts are narrow. */
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%s, cleared in %u second",
                                            "%s, cleared in %u seconds", delay),
                               export_description (format), delay);
  else
    /* Translators: "<what was copied>, …"; short, toasts are narrow. */
    message = g_strdup_printf (_("%s, cleared when Arcpass quits"), export_description (format));

  toast = adw_toast_new (message);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  show_toast (self, toast);
}

typedef struct {
  ArcpassAccountView *self;
  ExportFormat format;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->self);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportData, export_data_free)

static void
export_token_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ExportData) data = user_data;
  ArcpassAccountView *self = data->self;
  g_autoptr(ArcpassSecret) token = NULL;
  g_autoptr(ArcpassSecret) text = NULL;
  g_autoptr(GError) error = NULL;

  token = arcpass_token_manager_get_token_finish (ARCPASS_TOKEN_MANAGER (source), result, &error);
  if (token == NULL)
    {
      if (!arcpass_ui_error_is_cancelled (error))
        show_message (self, error->message);
      return;
    }

  text = build_export (self->credential, token, data->format);
  copy_text (self, text, data->format);
}

static void
export (ArcpassAccountView *self,
        ExportFormat        format)
{
  ExportData *data;

  if (!self->manager || !self->credential)
    return;

  if (format == EXPORT_REFRESH_TOKEN)
    {
      const char *refresh = arcpass_credential_get_refresh_token (self->credential);

      if (refresh)
        copy_text (self, refresh, format);
      return;
    }

  /* Through the manager, like `arcpass token`: an access token about to
   * expire is renewed before it is handed out. */
  data = g_new0 (ExportData, 1);
  data->self = g_object_ref (self);
  data->format = format;
  arcpass_token_manager_get_token_async (self->manager, FALSE, self->cancellable, export_token_cb, data);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ArcpassAccountView *self = ARCPASS_ACCOUNT_VIEW (widget);
  const char *id = g_variant_get_string (parameter, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (export_ids); i++)
    {
      if (g_str_equal (export_ids[i].id, id))
        {
          export (self, export_ids[i].format);
          return;
        }
    }

  g_warning ("Unknown export format “%s”", id);
}

static void
export_with_refresh_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  export (ARCPASS_ACCOUNT_VIEW (widget), EXPORT_JSON_WITH_REFRESH);
}

static void
copy_access_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  export (ARCPASS_ACCOUNT_VIEW (widget), EXPORT_RAW);
}

static void
copy_refresh_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  export (ARCPASS_ACCOUNT_VIEW (widget), EXPORT_REFRESH_TOKEN);
}

static void
copy_access_cb (ArcpassAccountView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "account.copy-access-token", NULL);
}

static void
copy_refresh_cb (ArcpassAccountView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "account.copy-refresh-token", NULL);
}

/* ---- Web data ---------------------------------------------------------- */

static void
delete_recursively (GFile        *file,
                    GCancellable *cancellable)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GError) error = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, NULL);
  if (children != NULL)
    {
      GFile *child;

      while (g_file_enumerator_iterate (children, NULL, &child, cancellable, NULL) && child)
        delete_recursively (child, cancellable);
    }

  if (!g_file_delete (file, cancellable, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_warning ("Could not delete web sign-in data: %s", error->message);
}

static void
wipe_web_data_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "arcpass", "webkit", NULL);
  g_autofree char *cache_dir = g_build_filename (g_get_user_cache_dir (), "arcpass", "webkit", NULL);
  g_autoptr(GFile) data = g_file_new_for_path (data_dir);
  g_autoptr(GFile) cache = g_file_new_for_path (cache_dir);

  delete_recursively (data, NULL);
  delete_recursively (cache, NULL);
  g_task_return_boolean (task, TRUE);
}

typedef void (*DoneFunc) (ArcpassAccountView *self);

static void
wiped_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  ArcpassAccountView *self = ARCPASS_ACCOUNT_VIEW (source);
  DoneFunc done = user_data;

  g_task_propagate_boolean (G_TASK (result), NULL);
  done (self);
}

static void
wipe_web_data (ArcpassAccountView *self,
               DoneFunc            done)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, wiped_cb, done);

  g_task_set_source_tag (task, wipe_web_data);
  g_task_run_in_thread (task, wipe_web_data_thread);
}

typedef struct {
  ArcpassAccountView *self;
  char *account_id;
  char *portal_url;
  DoneFunc done;
} WipeCheck;

static void
wipe_check_free (WipeCheck *check)
{
  g_clear_object (&check->self);
  g_free (check->account_id);
  g_free (check->portal_url);
  g_free (check);
}

static void
wipe_list_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  WipeCheck *check = user_data;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  gboolean other = FALSE;

  accounts = arcpass_account_store_list_finish (ARCPASS_ACCOUNT_STORE (source), result, &error);
  for (guint i = 0; accounts && i < accounts->len; i++)
    {
      ArcpassCredential *cred = g_ptr_array_index (accounts, i);

      if (arcpass_credential_get_kind (cred) == ARCPASS_CREDENTIAL_OAUTH_USER &&
          g_strcmp0 (arcpass_credential_get_id (cred), check->account_id) != 0 &&
          g_strcmp0 (arcpass_credential_get_portal_url (cred), check->portal_url) == 0)
        other = TRUE;
    }

  /* When the keyring cannot be listed, wiping is the safe side: another
   * account only has to sign in on the web page again. */
  if (other)
    check->done (check->self);
  else
    wipe_web_data (check->self, check->done);

  wipe_check_free (check);
}

/* The embedded web view keeps cookies on disk only when the user ticked
 * "keep me signed in", in one directory shared by every account. The
 * credential does not record that choice, so the directory goes when the
 * last OAuth account of this portal goes. */
static void
forget_web_data (ArcpassAccountView *self,
                 ArcpassCredential  *credential,
                 DoneFunc            done)
{
  ArcpassAccountStore *store = get_store (self);
  WipeCheck *check;

  if (arcpass_credential_get_kind (credential) != ARCPASS_CREDENTIAL_OAUTH_USER)
    {
      done (self);
      return;
    }

  if (store == NULL)
    {
      wipe_web_data (self, done);
      return;
    }

  check = g_new0 (WipeCheck, 1);
  check->self = g_object_ref (self);
  check->account_id = g_strdup (arcpass_credential_get_id (credential));
  check->portal_url = g_strdup (arcpass_credential_get_portal_url (credential));
  check->done = done;
  arcpass_account_store_list_async (store, NULL, wipe_list_cb, check);
}

/* ---- Sign out ---------------------------------------------------------- */

static void
signed_out_done (ArcpassAccountView *self)
{
  GApplication *app = g_application_get_default ();

  g_autoptr(ArcpassTokenManager) manager = g_steal_pointer (&self->sign_out_manager);

  g_signal_emit (self, signals[SIGNED_OUT], 0, arcpass_token_manager_get_credential (manager));

  if (app)
    g_application_release (app);
  /* The reference taken when the sign-out started. */
  g_object_unref (self);
}

static void
sign_out_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ArcpassAccountView *self = user_data;
  ArcpassTokenManager *manager = ARCPASS_TOKEN_MANAGER (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) revoke_error = NULL;

  if (!arcpass_token_manager_sign_out_finish (manager, result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not delete the account from the keyring: %s"),
                                                  error->message);
      show_message (self, message);
    }
  else if (arcpass_token_manager_sign_out_get_revoke_error (manager, result, &revoke_error))
    {
      /* The account is gone from this computer all the same; the user must
       * know that its refresh token still works on the portal. */
      /* Translators: %s says why, e.g. "127.0.0.1 did not answer in time." */
      g_autofree char *message = g_strdup_printf (_("Signed out on this computer, but the portal did not "
                                                    "revoke the refresh token, which stays valid until "
                                                    "it expires: %s"),
                                                  revoke_error->message);
      g_autoptr(AdwToast) toast = adw_toast_new (message);

      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      adw_toast_set_timeout (toast, 10);
      show_toast (self, toast);
    }

  forget_web_data (self, arcpass_token_manager_get_credential (self->sign_out_manager), signed_out_done);
}

static void
commit_sign_out (ArcpassAccountView *self)
{
  GApplication *app = g_application_get_default ();

  /* Keeps the application running until the portal has answered, even if
   * the last window closes right now. */
  if (app)
    g_application_hold (app);

  g_debug ("Signing out: revoking and deleting the account");
  /* Not cancellable: the user asked for the revoke, and the view's own
   * cancellable is cancelled when the view goes away. */
  arcpass_token_manager_sign_out_async (self->sign_out_manager, NULL, sign_out_cb, self);
}

static void
undo_clicked_cb (AdwToast           *toast,
                 ArcpassAccountView *self)
{
  if (!self->sign_out_pending || self->sign_out_undone)
    return;

  self->sign_out_undone = TRUE;
  self->sign_out_pending = FALSE;
  gtk_widget_set_sensitive (self->content_box, TRUE);
  update_all (self);
  update_tick (self);
  g_signal_emit (self, signals[RESTORED], 0, arcpass_token_manager_get_credential (self->sign_out_manager));

  /* Emitting "button-clicked" by hand (tests, a window's own undo) does
   * not dismiss the toast; the button does both. */
  adw_toast_dismiss (toast);
}

static void
undo_dismissed_cb (AdwToast           *toast,
                   ArcpassAccountView *self)
{
  gboolean undone = self->sign_out_undone;

  g_signal_handlers_disconnect_by_data (toast, self);
  g_clear_object (&self->undo_toast);
  self->sign_out_undone = FALSE;

  if (undone)
    {
      g_clear_object (&self->sign_out_manager);
      /* The reference taken when the sign-out started. */
      g_object_unref (self);
      return;
    }

  /* The reference is handed over to the commit, dropped when it ends. */
  commit_sign_out (self);
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ArcpassAccountView *self = ARCPASS_ACCOUNT_VIEW (widget);
  g_autofree char *title = NULL;
  g_autofree char *message = NULL;
  AdwToast *toast;

  if (!self->manager || self->sign_out_manager)
    return;

  /* Kept alive until the toast is gone and the sign-out done, even if the
   * window drops the view from its sidebar meanwhile. */
  g_object_ref (self);
  self->sign_out_manager = g_object_ref (self->manager);
  self->sign_out_pending = TRUE;
  self->sign_out_undone = FALSE;
  gtk_widget_set_sensitive (self->content_box, FALSE);
  update_actions (self);
  update_tick (self);

  title = arcpass_ui_dup_account_title (self->credential);
  switch (arcpass_credential_get_kind (self->credential))
    {
    case ARCPASS_CREDENTIAL_OAUTH_USER:
      message = g_strdup_printf (_("Signed out of %s"), title);
      break;
    case ARCPASS_CREDENTIAL_API_KEY:
      message = g_strdup_printf (_("Signed out of %s. API keys cannot be revoked from here."), title);
      break;
    case ARCPASS_CREDENTIAL_APP_CREDENTIALS:
    case ARCPASS_CREDENTIAL_GENERATE_TOKEN:
    default:
      message = g_strdup_printf (_("Signed out of %s. Its token cannot be revoked and stays valid until it expires."),
                                 title);
      break;
    }

  toast = adw_toast_new (message);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (undo_clicked_cb), self);
  g_signal_connect (toast, "dismissed", G_CALLBACK (undo_dismissed_cb), self);
  self->undo_toast = toast;

  g_signal_emit (self, signals[REMOVED], 0, self->credential);
  show_toast (self, toast);
}

/* ---- Remove without revoking ------------------------------------------- */

static void
removed_done (ArcpassAccountView *self)
{
  g_object_unref (self);
}

static void
remove_deleted_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ArcpassAccountView *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *message = NULL;

  if (!arcpass_account_store_delete_finish (ARCPASS_ACCOUNT_STORE (source), result, &error) &&
      !g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND))
    {
      g_autofree char *text = g_strdup_printf (_("Could not delete the account from the keyring: %s"),
                                               error->message);
      show_message (self, text);
      g_object_unref (self);
      return;
    }

  title = arcpass_ui_dup_account_title (self->credential);
  message = g_strdup_printf (_("%s was removed from this computer"), title);
  show_message (self, message);

  /* The secrets leave this process too; nothing was revoked. */
  g_object_freeze_notify (G_OBJECT (self->credential));
  arcpass_credential_set_access_token (self->credential, NULL);
  arcpass_credential_set_refresh_token (self->credential, NULL);
  arcpass_credential_set_client_secret (self->credential, NULL);
  arcpass_credential_set_state (self->credential, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);
  g_object_thaw_notify (G_OBJECT (self->credential));

  g_signal_emit (self, signals[REMOVED], 0, self->credential);
  /* The reference is released by removed_done. */
  forget_web_data (self, self->credential, removed_done);
}

static void
remove_response_cb (AdwMessageDialog   *dialog,
                    const char         *response,
                    ArcpassAccountView *self)
{
  ArcpassAccountStore *store;

  if (!g_str_equal (response, "remove") || !self->credential)
    return;

  store = get_store (self);
  if (store == NULL)
    {
      g_signal_emit (self, signals[REMOVED], 0, self->credential);
      return;
    }

  arcpass_account_store_delete_async (store, arcpass_credential_get_id (self->credential), NULL,
                                      remove_deleted_cb, g_object_ref (self));
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ArcpassAccountView *self = ARCPASS_ACCOUNT_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (!self->credential || self->sign_out_pending)
    return;

  title = arcpass_ui_dup_account_title (self->credential);
  if (arcpass_credential_get_kind (self->credential) == ARCPASS_CREDENTIAL_OAUTH_USER)
    body = g_strdup_printf (_("%s will be forgotten on this computer without signing out. Its refresh "
                              "token is not revoked and stays valid on the portal until it expires. Use "
                              "this when the portal cannot be reached."), title);
  else
    body = g_strdup_printf (_("%s will be forgotten on this computer. Its token stays valid until it "
                              "expires."), title);

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Remove Account Without Signing Out?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- Ticking only while visible ---------------------------------------- */

static gboolean
tick_cb (gpointer user_data)
{
  ArcpassAccountView *self = user_data;

  update_times (self);
  maybe_auto_refresh (self);

  return G_SOURCE_CONTINUE;
}

static gboolean
toplevel_minimized (ArcpassAccountView *self)
{
  return self->surface && GDK_IS_TOPLEVEL (self->surface) &&
         (gdk_toplevel_get_state (GDK_TOPLEVEL (self->surface)) & GDK_TOPLEVEL_STATE_MINIMIZED);
}

static void
update_tick (ArcpassAccountView *self)
{
  gboolean should_tick = gtk_widget_get_mapped (GTK_WIDGET (self)) && !toplevel_minimized (self) &&
                         self->credential != NULL && !self->sign_out_pending;

  if (should_tick && self->tick_id == 0)
    {
      self->tick_id = g_timeout_add_full (G_PRIORITY_DEFAULT, 1000, tick_cb, self, NULL);
      tick_cb (self);
    }
  else if (!should_tick)
    g_clear_handle_id (&self->tick_id, g_source_remove);
}

static void
surface_state_cb (GdkSurface         *surface,
                  GParamSpec         *pspec,
                  ArcpassAccountView *self)
{
  update_tick (self);
}

static void
arcpass_account_view_map (GtkWidget *widget)
{
  ArcpassAccountView *self = ARCPASS_ACCOUNT_VIEW (widget);
  GtkNative *native;

  GTK_WIDGET_CLASS (arcpass_account_view_parent_class)->map (widget);

  native = gtk_widget_get_native (widget);
  if (native && gtk_native_get_surface (native))
    {
      self->surface = g_object_ref (gtk_native_get_surface (native));
      self->surface_state_id = g_signal_connect (self->surface, "notify::state",
                                                 G_CALLBACK (surface_state_cb), self);
    }

  update_tick (self);
}

static void
arcpass_account_view_unmap (GtkWidget *widget)
{
  ArcpassAccountView *self = ARCPASS_ACCOUNT_VIEW (widget);

  g_clear_signal_handler (&self->surface_state_id, self->surface);
  g_clear_object (&self->surface);
  g_clear_handle_id (&self->tick_id, g_source_remove);

  GTK_WIDGET_CLASS (arcpass_account_view_parent_class)->unmap (widget);
}

/* ---- GObject ----------------------------------------------------------- */

static void
disconnect_manager (ArcpassAccountView *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  g_clear_signal_handler (&self->credential_notify_id, self->credential);
  if (self->manager)
    g_clear_signal_handler (&self->refreshing_notify_id, self->manager);
  g_clear_object (&self->credential);
  g_clear_object (&self->manager);

  self->auto_refreshing = FALSE;
  self->rotating = FALSE;
  self->checking = FALSE;
  self->auto_refresh_not_before = 0;
}

static void
arcpass_account_view_dispose (GObject *object)
{
  ArcpassAccountView *self = ARCPASS_ACCOUNT_VIEW (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_signal_handler (&self->surface_state_id, self->surface);
  g_clear_object (&self->surface);

  disconnect_manager (self);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (arcpass_account_view_parent_class)->dispose (object);
}

static void
arcpass_account_view_finalize (GObject *object)
{
  ArcpassAccountView *self = ARCPASS_ACCOUNT_VIEW (object);

  g_clear_pointer (&self->privilege_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (arcpass_account_view_parent_class)->finalize (object);
}

static void
arcpass_account_view_class_init (ArcpassAccountViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arcpass_account_view_dispose;
  object_class->finalize = arcpass_account_view_finalize;
  widget_class->map = arcpass_account_view_map;
  widget_class->unmap = arcpass_account_view_unmap;

  signals[REMOVED] =
    g_signal_new ("removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ARCPASS_TYPE_CREDENTIAL);
  signals[RESTORED] =
    g_signal_new ("restored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ARCPASS_TYPE_CREDENTIAL);
  signals[SIGNED_OUT] =
    g_signal_new ("signed-out", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ARCPASS_TYPE_CREDENTIAL);
  signals[ADD_TOAST] =
    g_signal_new ("add-toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, ADW_TYPE_TOAST);

  g_type_ensure (ARCPASS_TYPE_TOKEN_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-account-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, announce_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, content_box);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, avatar);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, name_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, state_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, state_group);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, state_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, check_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, sign_in_again_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, username_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, org_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, role_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, portal_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, kind_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, platform_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, access_group);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, refresh_spinner);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, access_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, access_expiry_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, refresh_group);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, refresh_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, refresh_expiry_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, privileges_group);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAccountView, sign_out_label);
  gtk_widget_class_bind_template_callback (widget_class, copy_access_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_refresh_cb);

  gtk_widget_class_install_action (widget_class, "account.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "account.rotate", NULL, rotate_action);
  gtk_widget_class_install_action (widget_class, "account.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "account.export-with-refresh", NULL,
                                   export_with_refresh_action);
  gtk_widget_class_install_action (widget_class, "account.copy-access-token", NULL, copy_access_action);
  gtk_widget_class_install_action (widget_class, "account.copy-refresh-token", NULL, copy_refresh_action);
  gtk_widget_class_install_action (widget_class, "account.sign-out", NULL, sign_out_action);
  gtk_widget_class_install_action (widget_class, "account.remove", NULL, remove_action);
  gtk_widget_class_install_action (widget_class, "account.check", NULL, check_action);
}

static void
arcpass_account_view_init (ArcpassAccountView *self)
{
  self->privilege_rows = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  update_actions (self);
}

ArcpassAccountView *
arcpass_account_view_new (ArcpassClient       *client,
                          ArcpassAccountStore *store,
                          GSettings           *settings)
{
  ArcpassAccountView *self;

  g_return_val_if_fail (ARCPASS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (!store || ARCPASS_IS_ACCOUNT_STORE (store), NULL);
  g_return_val_if_fail (!settings || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (ARCPASS_TYPE_ACCOUNT_VIEW, NULL);
  self->client = g_object_ref (client);
  self->store = store ? g_object_ref (store) : NULL;
  self->settings = settings ? g_object_ref (settings) : NULL;

  return self;
}

void
arcpass_account_view_set_manager (ArcpassAccountView  *self,
                                  ArcpassTokenManager *manager)
{
  g_return_if_fail (ARCPASS_IS_ACCOUNT_VIEW (self));
  g_return_if_fail (!manager || ARCPASS_IS_TOKEN_MANAGER (manager));

  if (self->manager == manager)
    return;

  /* A sign-out in progress belongs to the old account; it carries on. */
  disconnect_manager (self);

  if (manager)
    {
      self->manager = g_object_ref (manager);
      self->credential = g_object_ref (arcpass_token_manager_get_credential (manager));
      self->cancellable = g_cancellable_new ();
      self->credential_notify_id = g_signal_connect (self->credential, "notify",
                                                     G_CALLBACK (credential_notify_cb), self);
      self->refreshing_notify_id = g_signal_connect (self->manager, "notify::refreshing",
                                                     G_CALLBACK (refreshing_notify_cb), self);
      update_privileges (self);
      arcpass_ui_load_avatar (self->avatar, self->client, self->credential, self->cancellable);
      update_all (self);
    }

  gtk_widget_set_sensitive (self->content_box, manager != NULL);
  update_actions (self);
  update_tick (self);
}

ArcpassTokenManager *
arcpass_account_view_get_manager (ArcpassAccountView *self)
{
  g_return_val_if_fail (ARCPASS_IS_ACCOUNT_VIEW (self), NULL);
  return self->manager;
}

ArcpassCredential *
arcpass_account_view_get_credential (ArcpassAccountView *self)
{
  g_return_val_if_fail (ARCPASS_IS_ACCOUNT_VIEW (self), NULL);
  return self->credential;
}

gboolean
arcpass_account_view_get_sign_out_pending (ArcpassAccountView *self)
{
  g_return_val_if_fail (ARCPASS_IS_ACCOUNT_VIEW (self), FALSE);
  return self->sign_out_pending;
}
