/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-api-key-page.h"
#include "arcpass-ui-utils.h"

struct _ArcpassApiKeyPage
{
  AdwBin               parent_instance;

  ArcpassClient       *client;
  GSettings           *settings;
  ArcpassEndpoints    *endpoints;
  GCancellable        *cancellable;
  GPtrArray           *result_rows;
  gboolean             can_add;
  char                *default_portal;

  /* Template widgets */
  AdwPasswordEntryRow *key_row;
  AdwEntryRow         *name_row;
  AdwEntryRow         *portal_row;
  GtkLabel            *error_label;
  AdwPreferencesGroup *results_group;
  GtkSpinner          *spinner;
  GtkButton           *cancel_button;
  GtkButton           *check_button;
  GtkButton           *add_button;
};

G_DEFINE_FINAL_TYPE (ArcpassApiKeyPage, arcpass_api_key_page, ADW_TYPE_BIN)

enum {
  SIGNED_IN,
  CANCELLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_busy (ArcpassApiKeyPage *self,
          gboolean           busy)
{
  /* The rows stay sensitive but read-only: making a focused entry insensitive
   * leaves GTK 4.8's cursor blink running without focus (and warning). */
  /* Rows stay sensitive but read-only: making a focused entry insensitive
   * leaves GTK 4.8's cursor blinking without focus. */
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->check_button), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->key_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->name_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->portal_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), !busy && self->can_add);
}

static void
clear_results (ArcpassApiKeyPage *self)
{
  for (guint i = 0; i < self->result_rows->len; i++)
    adw_preferences_group_remove (self->results_group, g_ptr_array_index (self->result_rows, i));
  g_ptr_array_set_size (self->result_rows, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->results_group), FALSE);
  self->can_add = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), FALSE);
}

static void
key_changed_cb (ArcpassApiKeyPage *self)
{
  /* A verdict belongs to the key it was made for. */
  gtk_widget_remove_css_class (GTK_WIDGET (self->key_row), "error");
  arcpass_ui_set_error (self->error_label, NULL);
  clear_results (self);
}

static void
portal_changed_cb (ArcpassApiKeyPage *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->portal_row), "error");
  arcpass_ui_set_error (self->error_label, NULL);
  clear_results (self);
}

static const char *
probe_status_nick (ArcpassProbeStatus status)
{
  switch (status)
    {
    case ARCPASS_PROBE_WORKS:
      return "works";
    case ARCPASS_PROBE_MISSING_PRIVILEGE:
      return "missing-privilege";
    case ARCPASS_PROBE_INVALID_KEY:
      return "invalid-key";
    case ARCPASS_PROBE_NOT_OFFERED:
      return "not-offered";
    case ARCPASS_PROBE_FAILED:
    default:
      return "failed";
    }
}

static const char *
service_nick (ArcpassService service)
{
  switch (service)
    {
    case ARCPASS_SERVICE_BASEMAP_STYLES:
      return "basemap-styles";
    case ARCPASS_SERVICE_STATIC_TILES:
      return "static-tiles";
    case ARCPASS_SERVICE_GEOCODE:
      return "geocode";
    case ARCPASS_SERVICE_NONE:
    case ARCPASS_SERVICE_PORTAL:
    case ARCPASS_SERVICE_OAUTH:
    default:
      return "other";
    }
}

static const char *
service_title (ArcpassService service)
{
  switch (service)
    {
    case ARCPASS_SERVICE_BASEMAP_STYLES:
      /* Translators: the names of ArcGIS location services, as Esri calls them. */
      return C_("service name", "Basemap Styles");
    case ARCPASS_SERVICE_STATIC_TILES:
      return C_("service name", "Static Basemap Tiles");
    case ARCPASS_SERVICE_GEOCODE:
      return _("Geocoding");
    case ARCPASS_SERVICE_NONE:
    case ARCPASS_SERVICE_PORTAL:
    case ARCPASS_SERVICE_OAUTH:
    default:
      return arcpass_service_get_name (service);
    }
}

static GtkWidget *
create_result_row (const ArcpassProbeResult *result)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon;
  g_autofree char *name = g_strconcat ("probe-", service_nick (result->service), NULL);
  g_autofree char *subtitle = NULL;
  g_autofree char *status_class = g_strconcat ("probe-", probe_status_nick (result->status), NULL);
  const char *icon_name, *style;

  switch (result->status)
    {
    case ARCPASS_PROBE_WORKS:
      /* Say how it is known: a check that costs something is labelled. */
      if (result->billable)
        subtitle = g_strdup (_("Works — checked with one geocoding search, which counts toward the key’s usage"));
      else if (result->from_privileges)
        subtitle = g_strdup (_("Allowed by the key’s privileges (not tried: a test search would be billed)"));
      else
        subtitle = g_strdup (_("Works"));
      icon_name = "emblem-ok-symbolic";
      style = "success";
      break;

    case ARCPASS_PROBE_MISSING_PRIVILEGE:
      /* Translators: %s is an ArcGIS privilege such as premium:user:geocode:temporary. */
      subtitle = g_strdup_printf (_("Missing privilege %s. Add it to the key’s privileges in your developer credentials (Location services), then check again."),
                                  result->privilege ? result->privilege
                                                    : arcpass_service_get_privilege (result->service));
      icon_name = "dialog-warning-symbolic";
      style = "warning";
      break;

    case ARCPASS_PROBE_INVALID_KEY:
      /* The core's message already says what to do. */
      subtitle = g_strdup (result->message ? result->message
                                           : _("Invalid or expired key: create a new key, or renew this one."));
      icon_name = "dialog-error-symbolic";
      style = "error";
      break;

    case ARCPASS_PROBE_NOT_OFFERED:
      /* The core's message says which kind of account has it. */
      subtitle = g_strdup (result->message ? result->message
                                           : _("Not offered to this kind of account."));
      icon_name = "action-unavailable-symbolic";
      style = "dim-label";
      break;

    case ARCPASS_PROBE_FAILED:
    default:
      /* Translators: %s says why the service could not be reached. */
      subtitle = g_strdup_printf (_("Could not tell: %s"),
                                  result->message ? result->message : _("no usable answer"));
      icon_name = "dialog-question-symbolic";
      style = "dim-label";
      break;
    }

  gtk_widget_set_name (row, name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), service_title (result->service));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (row, status_class);

  icon = gtk_image_new_from_icon_name (icon_name);
  gtk_widget_add_css_class (icon, style);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, subtitle,
                                  -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  return row;
}

static void
probe_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ArcpassApiKeyPage) self = user_data;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  gboolean any_works = FALSE;
  gboolean invalid = FALSE;

  results = arcpass_probe_api_key_finish (result, &error);
  /* Cancel already put the page back to rest. */
  if (arcpass_ui_error_is_cancelled (error))
    return;

  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);

  if (!results)
    {
      arcpass_ui_set_error (self->error_label, error->message);
      return;
    }

  for (guint i = 0; i < results->len; i++)
    {
      const ArcpassProbeResult *r = g_ptr_array_index (results, i);
      GtkWidget *row = create_result_row (r);

      adw_preferences_group_add (self->results_group, row);
      g_ptr_array_add (self->result_rows, row);
      any_works |= r->status == ARCPASS_PROBE_WORKS;
      invalid |= r->status == ARCPASS_PROBE_INVALID_KEY;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->results_group), TRUE);

  if (invalid)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->key_row), "error");
      arcpass_ui_set_error (self->error_label,
                            _("This key is invalid or has expired. Create a new key, or renew this one, in the developer credentials of your ArcGIS account."));
    }
  else if (!any_works)
    {
      arcpass_ui_set_error (self->error_label,
                            _("No service accepted this key. See each service below."));
    }

  /* A key that no service accepts is not worth an account. */
  self->can_add = any_works && !invalid;
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), self->can_add);
  if (any_works && !invalid)
    gtk_widget_grab_focus (GTK_WIDGET (self->add_button));
}

static void
check_clicked_cb (ArcpassApiKeyPage *self)
{
  g_autofree char *portal_url = NULL;

  if (self->cancellable)
    return;

  arcpass_ui_set_error (self->error_label, NULL);
  clear_results (self);

  if (!arcpass_ui_require_text (ADW_ENTRY_ROW (self->key_row), self->error_label,
                                _("Paste the API key to check.")))
    return;
  portal_url = arcpass_ui_normalize_portal_row (self->portal_row, self->error_label);
  if (!portal_url)
    return;

  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  arcpass_probe_key_async (self->client, portal_url, self->endpoints,
                           gtk_editable_get_text (GTK_EDITABLE (self->key_row)),
                           self->cancellable, probe_done_cb, g_object_ref (self));
}

static void
sign_in_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ArcpassApiKeyPage) self = user_data;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  credential = arcpass_sign_in_finish (result, &error);
  if (arcpass_ui_error_is_cancelled (error))
    return;

  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);

  if (!credential)
    {
      arcpass_ui_set_error (self->error_label, error->message);
      return;
    }

  /* A key has no person behind it: the name the user gave labels the account. */
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  if (*name)
    arcpass_credential_set_full_name (credential, name);

  g_signal_emit (self, signals[SIGNED_IN], 0, credential);
}

static void
add_clicked_cb (ArcpassApiKeyPage *self)
{
  g_autofree char *portal_url = NULL;

  if (self->cancellable)
    return;

  portal_url = arcpass_ui_normalize_portal_row (self->portal_row, self->error_label);
  if (!portal_url)
    return;
  if (!arcpass_ui_require_text (ADW_ENTRY_ROW (self->key_row), self->error_label,
                                _("Paste the API key to add.")))
    return;

  arcpass_ui_set_error (self->error_label, NULL);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  arcpass_sign_in_with_api_key_async (self->client, portal_url,
                                      gtk_editable_get_text (GTK_EDITABLE (self->key_row)),
                                      self->cancellable, sign_in_done_cb, g_object_ref (self));
}

static void
cancel_clicked_cb (ArcpassApiKeyPage *self)
{
  /* While working, Cancel stops the work; otherwise it leaves the page. */
  if (self->cancellable)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      set_busy (self, FALSE);
      arcpass_ui_set_error (self->error_label, _("Cancelled."));
      return;
    }

  g_signal_emit (self, signals[CANCELLED], 0);
}

static gboolean
arcpass_api_key_page_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (ARCPASS_API_KEY_PAGE (widget)->key_row));
}

static void
arcpass_api_key_page_dispose (GObject *object)
{
  ArcpassApiKeyPage *self = ARCPASS_API_KEY_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARCPASS_TYPE_API_KEY_PAGE);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->endpoints, arcpass_endpoints_free);
  g_clear_pointer (&self->result_rows, g_ptr_array_unref);
  g_clear_pointer (&self->default_portal, g_free);

  G_OBJECT_CLASS (arcpass_api_key_page_parent_class)->dispose (object);
}

static void
arcpass_api_key_page_class_init (ArcpassApiKeyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arcpass_api_key_page_dispose;
  widget_class->grab_focus = arcpass_api_key_page_grab_focus;

  signals[SIGNED_IN] = g_signal_new ("signed-in",
                                     G_TYPE_FROM_CLASS (klass),
                                     G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 1, ARCPASS_TYPE_CREDENTIAL);
  signals[CANCELLED] = g_signal_new ("cancelled",
                                     G_TYPE_FROM_CLASS (klass),
                                     G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-api-key-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassApiKeyPage, key_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassApiKeyPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassApiKeyPage, portal_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassApiKeyPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassApiKeyPage, results_group);
  gtk_widget_class_bind_template_child (widget_class, ArcpassApiKeyPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ArcpassApiKeyPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassApiKeyPage, check_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassApiKeyPage, add_button);
  gtk_widget_class_bind_template_callback (widget_class, key_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, portal_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
}

static void
arcpass_api_key_page_init (ArcpassApiKeyPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->result_rows = g_ptr_array_new ();
  self->endpoints = arcpass_endpoints_new_default ();
}

ArcpassApiKeyPage *
arcpass_api_key_page_new (ArcpassClient *client,
                          GSettings     *settings)
{
  ArcpassApiKeyPage *self;

  g_return_val_if_fail (ARCPASS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (ARCPASS_TYPE_API_KEY_PAGE, NULL);
  self->client = g_object_ref (client);
  self->settings = g_object_ref (settings);
  arcpass_api_key_page_set_defaults (self, NULL);

  return self;
}

void
arcpass_api_key_page_set_defaults (ArcpassApiKeyPage *self,
                                   const char        *portal_url)
{
  g_autofree char *default_url = NULL;

  g_return_if_fail (ARCPASS_IS_API_KEY_PAGE (self));

  if (!portal_url)
    portal_url = default_url = g_settings_get_string (self->settings, "default-portal-url");
  g_free (self->default_portal);
  self->default_portal = g_strdup (portal_url);
  gtk_editable_set_text (GTK_EDITABLE (self->portal_row), portal_url);
}

void
arcpass_api_key_page_set_endpoints (ArcpassApiKeyPage      *self,
                                    const ArcpassEndpoints *endpoints)
{
  g_return_if_fail (ARCPASS_IS_API_KEY_PAGE (self));
  g_return_if_fail (endpoints);

  g_clear_pointer (&self->endpoints, arcpass_endpoints_free);
  self->endpoints = arcpass_endpoints_copy (endpoints);
}

void
arcpass_api_key_page_reset (ArcpassApiKeyPage *self)
{
  g_return_if_fail (ARCPASS_IS_API_KEY_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->key_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->portal_row), self->default_portal);
  gtk_widget_remove_css_class (GTK_WIDGET (self->key_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->portal_row), "error");
  clear_results (self);
  arcpass_ui_set_error (self->error_label, NULL);
}

void
arcpass_api_key_page_show_error (ArcpassApiKeyPage *self,
                                 const char        *message)
{
  g_return_if_fail (ARCPASS_IS_API_KEY_PAGE (self));

  arcpass_ui_set_error (self->error_label, message);
}
