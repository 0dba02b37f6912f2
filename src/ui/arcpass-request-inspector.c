/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "arcpass-clipboard.h"
#include "arcpass-json-view.h"
#include "arcpass-request-inspector.h"

/* The placeholder arcpass_request_record_to_curl() puts in place of the token. */
#define CURL_TOKEN_PLACEHOLDER "$ARCGIS_TOKEN"
#define DEFAULT_CLIPBOARD_CLEAR_DELAY 30

struct _ArcpassRequestInspector
{
  AdwBin                parent_instance;

  ArcpassRequestLog    *log;
  ArcpassTokenManager  *manager;
  ArcpassRequestRecord *selected;
  GSettings            *settings;
  GCancellable         *cancellable;

  AdwToastOverlay      *toast_overlay;
  GtkLabel             *count_label;
  GtkStack             *list_stack;
  GtkListBox           *list_box;
  GtkStack             *detail_stack;
  GtkLabel             *method_label;
  GtkLabel             *status_label;
  GtkLabel             *timing_label;
  GtkLabel             *url_label;
  GtkLabel             *error_label;
  GtkLabel             *request_headers_label;
  GtkLabel             *response_headers_label;
  ArcpassJsonView      *response_body_view;
  ArcpassJsonView      *request_body_view;
};

G_DEFINE_FINAL_TYPE (ArcpassRequestInspector, arcpass_request_inspector, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_REQUEST_LOG,
  PROP_TOKEN_MANAGER,
  PROP_SELECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The status as shown: the HTTP code, or "Failed" when there was no answer. */
static char *
format_status (ArcpassRequestRecord *record)
{
  guint status = arcpass_request_record_get_status (record);

  if (status == 0)
    return g_strdup (_("Failed"));
  return g_strdup_printf ("%u", status);
}

/* ArcGIS services answer many errors with HTTP 200 and an error envelope, so
 * the colour follows the client's verdict (an error message) as well as the
 * HTTP status. */
static const char *
status_css_class (ArcpassRequestRecord *record)
{
  guint status = arcpass_request_record_get_status (record);
  const char *error_message = arcpass_request_record_get_error_message (record);

  if (status == 0 || status >= 500)
    return "error";
  if (status >= 400 || (error_message != NULL && *error_message != '\0'))
    return "warning";
  if (status >= 200 && status < 300)
    return "success";
  return "dim-label";
}

static char *
dup_path (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  if (url == NULL)
    return g_strdup ("");

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL)
    return g_strdup (url);
  return g_strdup (g_uri_get_path (uri));
}

static char *
format_duration (double duration_ms)
{
  if (duration_ms < 1000)
    /* Translators: a request duration in milliseconds. */
    return g_strdup_printf (_("%.0f ms"), duration_ms);
  /* Translators: a request duration in seconds. */
  return g_strdup_printf (_("%.1f s"), duration_ms / 1000);
}

static void
set_status_class (GtkWidget  *widget,
                  const char *css_class)
{
  static const char * const classes[] = { "success", "warning", "error", "dim-label" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (widget, classes[i]);
  gtk_widget_add_css_class (widget, css_class);
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  ArcpassRequestRecord *record = item;
  g_autofree char *path = dup_path (arcpass_request_record_get_url (record));
  g_autofree char *status = format_status (record);
  g_autofree char *duration = format_duration (arcpass_request_record_get_duration_ms (record));
  g_autofree char *size = g_format_size (arcpass_request_record_get_response_size (record));
  g_autofree char *accessible = NULL;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label, *numbers;

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);

  label = gtk_label_new (arcpass_request_record_get_method (record));
  gtk_label_set_width_chars (GTK_LABEL (label), 4);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);

  /* The path tells the calls apart (suggest, findAddressCandidates, a tile);
   * the whole redacted URL is in the tooltip and the details. */
  label = gtk_label_new (path);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_START);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_tooltip_text (label, arcpass_request_record_get_url (record));
  gtk_box_append (GTK_BOX (box), label);

  label = gtk_label_new (status);
  gtk_label_set_width_chars (GTK_LABEL (label), 6);
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, "heading");
  set_status_class (label, status_css_class (record));
  if (arcpass_request_record_get_error_message (record) != NULL)
    gtk_widget_set_tooltip_text (label, arcpass_request_record_get_error_message (record));
  gtk_box_append (GTK_BOX (box), label);

  /* Duration above size, so that a row fits a narrow window. */
  numbers = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_valign (numbers, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), numbers);

  label = gtk_label_new (duration);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (numbers), label);

  label = gtk_label_new (size);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (numbers), label);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  /* Translators: method, path, status, duration, size of a request. */
  accessible = g_strdup_printf (_("%s %s, %s, %s, %s"),
                                arcpass_request_record_get_method (record),
                                path, status, duration, size);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  return row;
}

static void
update_actions (ArcpassRequestInspector *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.copy-curl", self->selected != NULL);
  /* The real token only makes sense for a request that carried one. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.copy-curl-with-token",
                                 self->selected != NULL && self->manager != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.clear",
                                 self->log != NULL &&
                                 g_list_model_get_n_items (G_LIST_MODEL (self->log)) > 0);
}

static void
update_count (ArcpassRequestInspector *self)
{
  guint n = self->log ? g_list_model_get_n_items (G_LIST_MODEL (self->log)) : 0;
  g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Request", "%u Requests", n), n);

  gtk_label_set_label (self->count_label, text);
  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "empty");
  update_actions (self);
}

static void
items_changed_cb (ArcpassRequestInspector *self)
{
  update_count (self);
}

static void
show_record (ArcpassRequestInspector *self)
{
  ArcpassRequestRecord *record = self->selected;
  g_autofree char *status = NULL;
  g_autofree char *timing = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *request_size = NULL;
  g_autofree char *response_size = NULL;
  const char *error_message;

  update_actions (self);

  if (record == NULL)
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
      return;
    }

  status = format_status (record);
  duration = format_duration (arcpass_request_record_get_duration_ms (record));
  request_size = g_format_size (arcpass_request_record_get_request_size (record));
  response_size = g_format_size (arcpass_request_record_get_response_size (record));
  /* Translators: duration, bytes sent, bytes received. */
  timing = g_strdup_printf (_("%s · sent %s · received %s"), duration, request_size, response_size);

  gtk_label_set_label (self->method_label, arcpass_request_record_get_method (record));
  gtk_label_set_label (self->status_label, status);
  set_status_class (GTK_WIDGET (self->status_label), status_css_class (record));
  gtk_label_set_label (self->timing_label, timing);
  gtk_label_set_label (self->url_label, arcpass_request_record_get_url (record));

  error_message = arcpass_request_record_get_error_message (record);
  gtk_label_set_label (self->error_label, error_message ? error_message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error_message != NULL && *error_message != '\0');

  gtk_label_set_label (self->request_headers_label,
                       arcpass_request_record_get_request_headers (record) ?: _("None"));
  gtk_label_set_label (self->response_headers_label,
                       arcpass_request_record_get_response_headers (record) ?: _("No answer"));
  arcpass_json_view_set_text (self->response_body_view,
                              arcpass_request_record_get_response_body (record) ?: "");
  arcpass_json_view_set_text (self->request_body_view,
                              arcpass_request_record_get_request_body (record) ?: "");

  gtk_stack_set_visible_child_name (self->detail_stack, "detail");
}

static void
row_selected_cb (ArcpassRequestInspector *self,
                 GtkListBoxRow           *row)
{
  g_autoptr(ArcpassRequestRecord) record = NULL;

  if (row != NULL && self->log != NULL)
    record = g_list_model_get_item (G_LIST_MODEL (self->log), gtk_list_box_row_get_index (row));

  if (g_set_object (&self->selected, record))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
  show_record (self);
}

static void
toast (ArcpassRequestInspector *self,
       const char              *title)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

static void
copy_curl_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ArcpassRequestInspector *self = ARCPASS_REQUEST_INSPECTOR (widget);
  g_autofree char *curl = NULL;

  if (self->selected == NULL)
    return;

  /* The record is already redacted: this line holds no secret, so it goes
   * on the clipboard like any text and is not cleared later. */
  curl = arcpass_request_record_to_curl (self->selected);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), curl);
  toast (self, _("Copied as curl, with the token as $ARCGIS_TOKEN"));
}

/* Escapes @text for a POSIX shell double-quoted string. */
static void
append_double_quoted_escaped (GString    *out,
                              const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (strchr ("$`\"\\!", *p) != NULL)
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
}

char *
arcpass_request_inspector_build_curl_with_token (ArcpassRequestRecord *record,
                                                 const char           *token)
{
  g_autofree char *curl = NULL;
  g_autofree char *escaped_token = NULL;
  const char *redacted_param = "token=" ARCPASS_REDACTED;
  GString *out;
  const char *p;

  g_return_val_if_fail (ARCPASS_IS_REQUEST_RECORD (record), NULL);
  g_return_val_if_fail (token != NULL, NULL);

  curl = arcpass_request_record_to_curl (record);
  escaped_token = g_uri_escape_string (token, NULL, FALSE);
  out = g_string_new (NULL);

  /* The placeholder sits inside a double-quoted header; a redacted `token=`
   * sits in a single-quoted URL or form body, where the URL-escaped token
   * (letters, digits, `-._~` and `%XX`) needs no more quoting. */
  p = curl;
  while (*p != '\0')
    {
      if (g_str_has_prefix (p, CURL_TOKEN_PLACEHOLDER))
        {
          append_double_quoted_escaped (out, token);
          p += strlen (CURL_TOKEN_PLACEHOLDER);
        }
      else if (g_str_has_prefix (p, redacted_param) &&
               (p == curl || strchr ("?&' ", p[-1]) != NULL))
        {
          g_string_append (out, "token=");
          g_string_append (out, escaped_token);
          p += strlen (redacted_param);
        }
      else
        {
          g_string_append_c (out, *p);
          p++;
        }
    }

  explicit_bzero (escaped_token, strlen (escaped_token));

  return g_string_free (out, FALSE);
}

typedef struct {
  ArcpassRequestInspector *self;
  ArcpassRequestRecord    *record;
} CopyData;

static void
copy_data_free (CopyData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->record);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopyData, copy_data_free)

static void
token_for_curl_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CopyData) data = user_data;
  ArcpassRequestInspector *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassSecret) token = NULL;
  g_autoptr(ArcpassSecret) curl = NULL;
  g_autofree char *message = NULL;
  guint delay = DEFAULT_CLIPBOARD_CLEAR_DELAY;

  token = arcpass_token_manager_get_token_finish (ARCPASS_TOKEN_MANAGER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_CANCELLED))
    return;

  if (token == NULL)
    {
      /* Translators: %s says why no token could be had (sign-in needed…). */
      message = g_strdup_printf (_("No token to copy: %s"), error->message);
      toast (self, message);
      return;
    }

  /* The account's own token goes only where it may (a federated server
   * was sent a server token, which is not kept). */
  {
    g_autofree char *reason = NULL;

    if (arcpass_token_manager_decide_scope (ARCPASS_TOKEN_MANAGER (object),
                                            arcpass_request_record_get_url (data->record),
                                            &reason) != ARCPASS_TOKEN_SCOPE_ACCOUNT)
      {
        message = g_strdup_printf (_("No token to copy: %s"),
                                   reason ? reason : _("this request used a server token, which "
                                                       "Arcpass does not keep."));
        toast (self, message);
        return;
      }
  }

  curl = arcpass_request_inspector_build_curl_with_token (data->record, token);
  if (self->settings != NULL)
    delay = g_settings_get_uint (self->settings, "clipboard-clear-delay");
  arcpass_clipboard_copy_secret (gtk_widget_get_clipboard (GTK_WIDGET (self)), curl, delay);

  if (delay > 0)
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "Copied as curl with the token. The clipboard is cleared in %u second.",
                                            "Copied as curl with the token. The clipboard is cleared in %u seconds.",
                                            delay),
                               delay);
  else
    message = g_strdup (_("Copied as curl with the token. The clipboard is cleared when Arcpass quits."));
  toast (self, message);
}

static void
copy_curl_with_token_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  ArcpassRequestInspector *self = ARCPASS_REQUEST_INSPECTOR (widget);
  CopyData *data;

  if (self->selected == NULL || self->manager == NULL)
    return;

  /* The log only has redacted text; the token comes fresh from the
   * account's manager, which refreshes it first when it is about to expire. */
  data = g_new0 (CopyData, 1);
  data->self = g_object_ref (self);
  data->record = g_object_ref (self->selected);
  arcpass_token_manager_get_token_async (self->manager, FALSE, self->cancellable,
                                         token_for_curl_cb, data);
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ArcpassRequestInspector *self = ARCPASS_REQUEST_INSPECTOR (widget);

  if (self->log != NULL)
    arcpass_request_log_clear (self->log);
}

static void
set_request_log (ArcpassRequestInspector *self,
                 ArcpassRequestLog       *log)
{
  g_assert (self->log == NULL);

  if (log == NULL)
    return;

  self->log = g_object_ref (log);
  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (log), create_row_cb, NULL, NULL);
  g_signal_connect_object (log, "items-changed", G_CALLBACK (items_changed_cb), self,
                           G_CONNECT_SWAPPED);
  update_count (self);
}

static void
arcpass_request_inspector_dispose (GObject *object)
{
  ArcpassRequestInspector *self = ARCPASS_REQUEST_INSPECTOR (object);

  g_cancellable_cancel (self->cancellable);
  if (self->list_box != NULL)
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  /* AdwBin keeps a pointer to its child: drop the child through AdwBin
   * first, or the template disposal leaves AdwBin a dangling pointer. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARCPASS_TYPE_REQUEST_INSPECTOR);

  g_clear_object (&self->selected);
  g_clear_object (&self->log);
  g_clear_object (&self->manager);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (arcpass_request_inspector_parent_class)->dispose (object);
}

static void
arcpass_request_inspector_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  ArcpassRequestInspector *self = ARCPASS_REQUEST_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_REQUEST_LOG:
      g_value_set_object (value, self->log);
      break;
    case PROP_TOKEN_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_SELECTED:
      g_value_set_object (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_request_inspector_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  ArcpassRequestInspector *self = ARCPASS_REQUEST_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_REQUEST_LOG:
      set_request_log (self, g_value_get_object (value));
      break;
    case PROP_TOKEN_MANAGER:
      arcpass_request_inspector_set_token_manager (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_request_inspector_class_init (ArcpassRequestInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arcpass_request_inspector_dispose;
  object_class->get_property = arcpass_request_inspector_get_property;
  object_class->set_property = arcpass_request_inspector_set_property;

  properties[PROP_REQUEST_LOG] =
    g_param_spec_object ("request-log", NULL, NULL, ARCPASS_TYPE_REQUEST_LOG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOKEN_MANAGER] =
    g_param_spec_object ("token-manager", NULL, NULL, ARCPASS_TYPE_TOKEN_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] =
    g_param_spec_object ("selected", NULL, NULL, ARCPASS_TYPE_REQUEST_RECORD,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (ARCPASS_TYPE_JSON_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-request-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassRequestInspector, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ArcpassRequestInspector, count_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassRequestInspector, list_stack);
  gtk_widget_class_bind_template_child (widget_class, ArcpassRequestInspector, list_box);
  gtk_widget_class_bind_template_child (widget_class, ArcpassRequestInspector, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, ArcpassRequestInspector, method_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassRequestInspector, status_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassRequestInspector, timing_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassRequestInspector, url_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassRequestInspector, error_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassRequestInspector, request_headers_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassRequestInspector, response_headers_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassRequestInspector, response_body_view);
  gtk_widget_class_bind_template_child (widget_class, ArcpassRequestInspector, request_body_view);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);

  gtk_widget_class_install_action (widget_class, "inspector.copy-curl", NULL, copy_curl_action);
  gtk_widget_class_install_action (widget_class, "inspector.copy-curl-with-token", NULL,
                                   copy_curl_with_token_action);
  gtk_widget_class_install_action (widget_class, "inspector.clear", NULL, clear_action);
}

static void
arcpass_request_inspector_init (ArcpassRequestInspector *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  /* Looked up rather than assumed: a page embedded in a test or another
   * program may run without the application's schema installed. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new (APP_ID);

  update_count (self);
  show_record (self);
}

GtkWidget *
arcpass_request_inspector_new (ArcpassRequestLog   *log,
                               ArcpassTokenManager *manager)
{
  g_return_val_if_fail (ARCPASS_IS_REQUEST_LOG (log), NULL);
  g_return_val_if_fail (manager == NULL || ARCPASS_IS_TOKEN_MANAGER (manager), NULL);

  return g_object_new (ARCPASS_TYPE_REQUEST_INSPECTOR,
                       "request-log", log,
                       "token-manager", manager,
                       NULL);
}

ArcpassRequestLog *
arcpass_request_inspector_get_request_log (ArcpassRequestInspector *self)
{
  g_return_val_if_fail (ARCPASS_IS_REQUEST_INSPECTOR (self), NULL);

  return self->log;
}

ArcpassTokenManager *
arcpass_request_inspector_get_token_manager (ArcpassRequestInspector *self)
{
  g_return_val_if_fail (ARCPASS_IS_REQUEST_INSPECTOR (self), NULL);

  return self->manager;
}

void
arcpass_request_inspector_set_token_manager (ArcpassRequestInspector *self,
                                             ArcpassTokenManager     *manager)
{
  g_return_if_fail (ARCPASS_IS_REQUEST_INSPECTOR (self));
  g_return_if_fail (manager == NULL || ARCPASS_IS_TOKEN_MANAGER (manager));

  if (!g_set_object (&self->manager, manager))
    return;

  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN_MANAGER]);
}

ArcpassRequestRecord *
arcpass_request_inspector_get_selected (ArcpassRequestInspector *self)
{
  g_return_val_if_fail (ARCPASS_IS_REQUEST_INSPECTOR (self), NULL);

  return self->selected;
}

void
arcpass_request_inspector_select (ArcpassRequestInspector *self,
                                  guint                    position)
{
  GtkListBoxRow *row = NULL;

  g_return_if_fail (ARCPASS_IS_REQUEST_INSPECTOR (self));

  if (position != G_MAXUINT)
    row = gtk_list_box_get_row_at_index (self->list_box, (int) position);
  if (row != NULL)
    gtk_list_box_select_row (self->list_box, row);
  else
    gtk_list_box_unselect_all (self->list_box);
}
