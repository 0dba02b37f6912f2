/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-basemap-tester.h"
#include "arcpass-core.h"
#include "arcpass-map-view.h"

/* The place the static tile map opens on: central Paris, which every
 * basemap draws with some detail. */
#define DEFAULT_LONGITUDE 2.3522
#define DEFAULT_LATITUDE  48.8566
#define DEFAULT_ZOOM      11

struct _ArcpassBasemapTester
{
  AdwBin               parent_instance;

  ArcpassTokenManager *manager;
  /* Cancelled when the page goes away or lists again. */
  GCancellable        *cancellable;
  /* Cancelled when another style is chosen. */
  GCancellable        *style_cancellable;
  GCancellable        *static_cancellable;
  gboolean             loaded;

  /* Template widgets */
  AdwViewStack        *view_stack;
  GtkStack            *styles_list_stack;
  GtkListBox          *styles_list;
  AdwStatusPage       *styles_error;
  GtkStack            *style_detail_stack;
  GtkBox              *summary_box;
  AdwStatusPage       *style_error;
  GtkStack            *static_list_stack;
  GtkListBox          *static_list;
  AdwStatusPage       *static_error;
  GtkLabel            *static_status;
  ArcpassMapView      *map_view;
};

G_DEFINE_FINAL_TYPE (ArcpassBasemapTester, arcpass_basemap_tester, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MANAGER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_SIGN_IN_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- Explaining failures ---------------------------------------------------------- */

static gboolean
is_token_problem (const GError *error)
{
  return g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_TOKEN) ||
         g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_EXPIRED) ||
         g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_REQUIRED) ||
         g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_SIGN_IN_REQUIRED) ||
         g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_GRANT);
}

/* Fills @page with what went wrong and what to do about it, with buttons
 * for the remedies this page can apply itself. */
static void
show_error (AdwStatusPage  *page,
            const GError   *error,
            ArcpassService  service)
{
  g_autofree char *description = NULL;
  const char *title;
  GtkWidget *box;
  GtkWidget *button;

  if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_MISSING_PRIVILEGE))
    {
      const char *privilege = arcpass_service_get_privilege (service);

      title = _("Missing Privilege");
      if (privilege != NULL)
        /* Translators: the first %s is an error message, the second a service
         * such as “the Basemap Styles service”, the third a privilege such as
         * premium:user:staticbasemaptiles. */
        description = g_strdup_printf (_("%s\n\nTo use %s, edit this API key (or the account's "
                                         "role) in the developer credentials of your ArcGIS "
                                         "account and enable the privilege “%s”."),
                                       error->message, arcpass_service_get_name (service),
                                       privilege);
      else
        /* Translators: the first %s is an error message, the second a service
         * such as “the portal”. */
        description = g_strdup_printf (_("%s\n\nTo use %s, edit this API key (or the account's "
                                         "role) in the developer credentials of your ArcGIS "
                                         "account and enable the privilege it needs."),
                                       error->message, arcpass_service_get_name (service));
    }
  else if (is_token_problem (error))
    {
      title = _("Token Not Accepted");
      description = g_strdup_printf (_("%s\n\nRefresh the token; if it cannot be renewed, "
                                       "sign in again or paste a new API key."),
                                     error->message);
    }
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_BLOCKED))
    {
      /* Not ArcGIS's answer: the token and its privileges are not in
       * question, and saying "missing privilege" would send the user to
       * the wrong place. The message names the host. */
      title = _("Blocked by a Firewall or Proxy");
      description = g_strdup (error->message);
    }
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_RATE_LIMITED))
    {
      /* The message says when to try again. */
      title = _("Too Many Requests");
      description = g_strdup (error->message);
    }
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_MOVED))
    {
      title = _("Service Moved");
      description = g_strdup (error->message);
    }
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_SERVICE_UNAVAILABLE))
    {
      /* The service's own message names it. */
      title = _("Service Unreachable");
      description = g_strdup_printf (_("%s\n\nCheck the network connection and the service "
                                       "address, then try again."),
                                     error->message);
    }
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_NETWORK) ||
           g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TIMEOUT))
    {
      g_autofree char *text = NULL;

      title = _("Service Unreachable");
      /* The transport's message names only the host: say which service.
       * Translators: the first %s is a service such as “the Basemap Styles
       * service” (its first letter is made upper case), the second the
       * error. */
      text = g_strdup_printf (_("%s did not answer: %s\n\nCheck the network connection, and that "
                                "the service (or the local sandbox) is running."),
                              arcpass_service_get_name (service), error->message);
      {
        g_autofree char *first = g_utf8_strup (text, g_utf8_next_char (text) - text);

        description = g_strconcat (first, g_utf8_next_char (text), NULL);
      }
    }
  else
    {
      title = _("Request Failed");
      description = g_strdup (error->message);
    }

  adw_status_page_set_title (page, title);
  adw_status_page_set_description (page, description);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  if (is_token_problem (error))
    {
      button = gtk_button_new_with_mnemonic (_("_Refresh Token"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "basemap.refresh-token");
      gtk_widget_add_css_class (button, "suggested-action");
      gtk_widget_add_css_class (button, "pill");
      gtk_box_append (GTK_BOX (box), button);
    }
  button = gtk_button_new_with_mnemonic (_("_Try Again"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "basemap.reload");
  gtk_widget_add_css_class (button, "pill");
  gtk_box_append (GTK_BOX (box), button);
  adw_status_page_set_child (page, box);
}

/* ---- Style lists ---------------------------------------------------------------- */

static const char *
family_title (const char *family)
{
  if (g_strcmp0 (family, "arcgis") == 0)
    return "ArcGIS";
  if (g_strcmp0 (family, "open") == 0)
    return _("Open");
  if (g_strcmp0 (family, "osm") == 0)
    return "OSM";
  return family && *family ? family : _("Other");
}

static void
header_func (GtkListBoxRow *row,
             GtkListBoxRow *before,
             gpointer       user_data)
{
  const char *family = g_object_get_data (G_OBJECT (row), "family");
  GtkWidget *label;

  if (before != NULL && g_strcmp0 (family, g_object_get_data (G_OBJECT (before), "family")) == 0)
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }

  label = gtk_label_new (family_title (family));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_top (label, before ? 18 : 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_widget_set_margin_start (label, 12);
  gtk_list_box_row_set_header (row, label);
}

typedef struct {
  GtkPicture   *picture;
  GCancellable *cancellable;
} Thumbnail;

static void
thumbnail_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Thumbnail *thumbnail = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  if (ARCPASS_IS_TOKEN_MANAGER (object))
    bytes = arcpass_token_manager_request_bytes_finish (ARCPASS_TOKEN_MANAGER (object), result,
                                                        NULL, NULL);
  else
    bytes = arcpass_client_request_bytes_finish (ARCPASS_CLIENT (object), result, NULL, NULL);

  /* A missing thumbnail is not worth a message: the row keeps its icon. */
  if (bytes != NULL && !g_cancellable_is_cancelled (thumbnail->cancellable))
    texture = gdk_texture_new_from_bytes (bytes, NULL);
  if (texture != NULL)
    gtk_picture_set_paintable (thumbnail->picture, GDK_PAINTABLE (texture));

  g_object_unref (thumbnail->picture);
  g_object_unref (thumbnail->cancellable);
  g_free (thumbnail);
}

static void
fetch_thumbnail (ArcpassBasemapTester *self,
                 const char           *url,
                 GtkPicture           *picture)
{
  const ArcpassEndpoints *endpoints = arcpass_token_manager_get_endpoints (self->manager);
  Thumbnail *thumbnail = g_new0 (Thumbnail, 1);

  thumbnail->picture = g_object_ref (picture);
  thumbnail->cancellable = g_object_ref (self->cancellable);

  /* The account's token goes only to its own basemap services; thumbnails
   * elsewhere (portal items on www.arcgis.com) are public. */
  if (g_str_has_prefix (url, endpoints->static_tiles_url) ||
      g_str_has_prefix (url, endpoints->basemap_styles_url))
    arcpass_token_manager_request_bytes_async (self->manager, ARCPASS_SERVICE_STATIC_TILES,
                                               url, NULL, ARCPASS_REQUEST_NO_F_JSON,
                                               self->cancellable, thumbnail_cb, thumbnail);
  else
    arcpass_client_request_bytes_async (arcpass_token_manager_get_client (self->manager),
                                        ARCPASS_SERVICE_NONE, url, NULL, NULL,
                                        ARCPASS_REQUEST_NO_F_JSON,
                                        self->cancellable, thumbnail_cb, thumbnail);
}

static int
compare_family (gconstpointer a,
                gconstpointer b)
{
  const ArcpassBasemapStyle *sa = *(ArcpassBasemapStyle * const *) a;
  const ArcpassBasemapStyle *sb = *(ArcpassBasemapStyle * const *) b;

  return g_strcmp0 (sa->style_family, sb->style_family);
}

static void
fill_list (ArcpassBasemapTester *self,
           GtkListBox           *list,
           GPtrArray            *styles)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);

  /* Grouped by family, in the service's order within a family. */
  g_ptr_array_sort_with_data (styles, (GCompareDataFunc) compare_family, NULL);
  for (guint i = 0; i < styles->len; i++)
    {
      ArcpassBasemapStyle *style = g_ptr_array_index (styles, i);
      GtkWidget *row;
      GtkWidget *picture;
      g_autofree char *subtitle = NULL;

      /* Incomplete and deprecated styles are not offered, as Esri's own
       * clients do. */
      if (!style->complete || style->deprecated)
        continue;

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), style->name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), style->path);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_widget_set_name (row, style->path);

      picture = gtk_picture_new ();
      gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
      gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_COVER);
      gtk_widget_set_size_request (picture, 48, 48);
      gtk_widget_set_valign (picture, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (picture, "card");
      gtk_widget_set_overflow (picture, GTK_OVERFLOW_HIDDEN);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), picture);
      if (style->thumbnail_url != NULL)
        fetch_thumbnail (self, style->thumbnail_url, GTK_PICTURE (picture));

      g_object_set_data_full (G_OBJECT (row), "family", g_strdup (style->style_family), g_free);
      g_object_set_data_full (G_OBJECT (row), "path", g_strdup (style->path), g_free);
      g_object_set_data_full (G_OBJECT (row), "name", g_strdup (style->name), g_free);
      g_object_set_data_full (G_OBJECT (row), "url", g_strdup (style->style_url), g_free);
      g_object_set_data_full (G_OBJECT (row), "template", g_strdup (style->template_url), g_free);
      gtk_list_box_append (list, row);
    }
}

static void
list_styles_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ArcpassBasemapTester) self = user_data;
  g_autoptr(GPtrArray) styles = NULL;
  g_autoptr(GError) error = NULL;

  styles = arcpass_basemap_list_styles_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_CANCELLED))
    return;
  if (styles == NULL)
    {
      show_error (self->styles_error, error, ARCPASS_SERVICE_BASEMAP_STYLES);
      gtk_stack_set_visible_child_name (self->styles_list_stack, "error");
      return;
    }
  fill_list (self, self->styles_list, styles);
  gtk_stack_set_visible_child_name (self->styles_list_stack, "list");
}

static void
list_static_styles_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(ArcpassBasemapTester) self = user_data;
  g_autoptr(GPtrArray) styles = NULL;
  g_autoptr(GError) error = NULL;

  styles = arcpass_basemap_list_static_styles_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_CANCELLED))
    return;
  if (styles == NULL)
    {
      show_error (self->static_error, error, ARCPASS_SERVICE_STATIC_TILES);
      gtk_stack_set_visible_child_name (self->static_list_stack, "error");
      gtk_label_set_text (self->static_status, _("No static tiles can be shown for this account"));
      gtk_widget_set_visible (GTK_WIDGET (self->map_view), FALSE);
      return;
    }
  fill_list (self, self->static_list, styles);
  gtk_stack_set_visible_child_name (self->static_list_stack, "list");
}

/* ---- Style summary -------------------------------------------------------------- */

static GtkWidget *
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value ? value : _("None"));
  adw_preferences_group_add (group, row);
  return row;
}

static void
show_summary (ArcpassBasemapTester *self,
              const char           *name,
              const char           *path,
              ArcpassStyleSummary  *summary,
              gint64                elapsed_ms)
{
  GtkWidget *child;
  AdwPreferencesGroup *group;
  g_autofree char *status = NULL;
  g_autofree char *version = NULL;
  g_autofree char *layers = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->summary_box))) != NULL)
    gtk_box_remove (self->summary_box, child);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, name);
  /* Translators: %d is a duration in milliseconds. */
  status = g_strdup_printf (_("Style JSON fetched in %d ms"), (int) MIN (elapsed_ms, G_MAXINT));
  adw_preferences_group_set_description (group, status);
  add_row (group, _("Path"), path);
  if (summary->name != NULL)
    add_row (group, _("Name in the style"), summary->name);
  version = g_strdup_printf ("%" G_GINT64_FORMAT, summary->version);
  add_row (group, _("Style specification version"), version);
  add_row (group, _("Glyphs"), summary->glyphs);
  add_row (group, _("Sprite"), summary->sprite);
  gtk_box_append (self->summary_box, GTK_WIDGET (group));

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Sources"));
  for (guint i = 0; summary->source_names && summary->source_names[i]; i++)
    add_row (group, summary->source_names[i],
             summary->source_types ? summary->source_types[i] : NULL);
  if (summary->source_names == NULL || summary->source_names[0] == NULL)
    add_row (group, _("No sources"), NULL);
  gtk_box_append (self->summary_box, GTK_WIDGET (group));

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  layers = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Layer", "%u Layers", summary->n_layers),
                            summary->n_layers);
  adw_preferences_group_set_title (group, layers);
  adw_preferences_group_set_description (group, _("Count by layer type"));
  for (guint i = 0; summary->layer_types && summary->layer_types[i]; i++)
    {
      g_autofree char *count = g_strdup_printf ("%u", summary->layer_type_counts[i]);

      add_row (group, summary->layer_types[i], count);
    }
  gtk_box_append (self->summary_box, GTK_WIDGET (group));

  gtk_stack_set_visible_child_name (self->style_detail_stack, "summary");
}

typedef struct {
  ArcpassBasemapTester *self;
  char                 *name;
  char                 *path;
  gint64                started;
} StyleRequest;

static void
style_request_free (StyleRequest *request)
{
  g_object_unref (request->self);
  g_free (request->name);
  g_free (request->path);
  g_free (request);
}

static void
fetch_style_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  StyleRequest *request = user_data;
  ArcpassBasemapTester *self = request->self;
  g_autoptr(ArcpassStyleSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  summary = arcpass_basemap_fetch_style_finish (result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_CANCELLED))
    {
      style_request_free (request);
      return;
    }
  if (summary == NULL)
    {
      show_error (self->style_error, error, ARCPASS_SERVICE_BASEMAP_STYLES);
      gtk_stack_set_visible_child_name (self->style_detail_stack, "error");
    }
  else
    show_summary (self, request->name, request->path, summary,
                  (g_get_monotonic_time () - request->started) / 1000);
  style_request_free (request);
}

static void
style_activated_cb (ArcpassBasemapTester *self,
                    GtkListBoxRow        *row)
{
  StyleRequest *request = g_new0 (StyleRequest, 1);

  g_cancellable_cancel (self->style_cancellable);
  g_clear_object (&self->style_cancellable);
  self->style_cancellable = g_cancellable_new ();

  request->self = g_object_ref (self);
  request->name = g_strdup (g_object_get_data (G_OBJECT (row), "name"));
  request->path = g_strdup (g_object_get_data (G_OBJECT (row), "path"));
  request->started = g_get_monotonic_time ();
  gtk_stack_set_visible_child_name (self->style_detail_stack, "loading");
  arcpass_basemap_fetch_style_async (self->manager, request->path, self->style_cancellable,
                                     fetch_style_cb, request);
}

/* ---- Static tiles ------------------------------------------------------------------ */

static void
static_metadata_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  StyleRequest *request = user_data;
  ArcpassBasemapTester *self = request->self;
  g_autoptr(JsonObject) metadata = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  gint64 elapsed_ms = (g_get_monotonic_time () - request->started) / 1000;

  metadata = arcpass_token_manager_request_json_finish (ARCPASS_TOKEN_MANAGER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_CANCELLED))
    {
      style_request_free (request);
      return;
    }

  if (metadata != NULL)
    {
      const char *copyright = NULL;

      /* Attribution is required by the terms of use: the service says what
       * it must be in `copyrightText`. */
      if (!arcpass_json_object_get_optional_string (metadata, "copyrightText", &copyright, &error))
        copyright = NULL;
      arcpass_map_view_set_attribution (self->map_view, copyright);
      /* Translators: %s is a basemap style such as arcgis/navigation, %d a
       * duration in milliseconds. */
      status = g_strdup_printf (_("%s — metadata fetched in %d ms; tiles load through the "
                                  "account's token"),
                                request->name, (int) MIN (elapsed_ms, G_MAXINT));
    }
  if (error != NULL)
    status = g_strdup_printf (_("%s — the style's metadata could not be read: %s"),
                              request->name, error->message);

  gtk_label_set_text (self->static_status, status);
  style_request_free (request);
}

static void
static_activated_cb (ArcpassBasemapTester *self,
                     GtkListBoxRow        *row)
{
  const char *template = g_object_get_data (G_OBJECT (row), "template");
  const char *url = g_object_get_data (G_OBJECT (row), "url");
  const char *path = g_object_get_data (G_OBJECT (row), "path");
  const ArcpassEndpoints *endpoints = arcpass_token_manager_get_endpoints (self->manager);
  g_autofree char *built_template = NULL;
  g_autofree char *built_url = NULL;
  StyleRequest *request;

  /* The listing gives both URLs; build them from the path when it does not. */
  if (template == NULL || url == NULL)
    {
      const char *relative = path && path[0] == '/' ? path + 1 : path;

      built_url = g_strdup_printf ("%s/%s/static", endpoints->static_tiles_url, relative);
      built_template = g_strconcat (built_url, "/tile/{z}/{y}/{x}", NULL);
      template = template ? template : built_template;
      url = url ? url : built_url;
    }

  g_cancellable_cancel (self->static_cancellable);
  g_clear_object (&self->static_cancellable);
  self->static_cancellable = g_cancellable_new ();

  arcpass_map_view_set_attribution (self->map_view, NULL);
  arcpass_map_view_set_zoom (self->map_view, DEFAULT_ZOOM);
  arcpass_map_view_set_center (self->map_view, DEFAULT_LONGITUDE, DEFAULT_LATITUDE);
  arcpass_map_view_set_source (self->map_view, self->manager, template);
  /* Hidden until there is something to show: an empty map would look like
   * a map that failed to load. */
  gtk_widget_set_visible (GTK_WIDGET (self->map_view), TRUE);

  request = g_new0 (StyleRequest, 1);
  request->self = g_object_ref (self);
  request->name = g_strdup (g_object_get_data (G_OBJECT (row), "name"));
  request->path = g_strdup (path);
  request->started = g_get_monotonic_time ();
  gtk_label_set_text (self->static_status, request->name);
  arcpass_token_manager_request_json_async (self->manager, ARCPASS_SERVICE_STATIC_TILES,
                                            url, NULL, ARCPASS_REQUEST_NONE,
                                            self->static_cancellable, static_metadata_cb, request);
}

/* ---- Actions ------------------------------------------------------------------------ */

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  arcpass_basemap_tester_reload (ARCPASS_BASEMAP_TESTER (widget));
}

static void
refresh_token_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ArcpassBasemapTester) self = user_data;
  g_autoptr(GError) error = NULL;
  char *token;

  token = arcpass_token_manager_get_token_finish (ARCPASS_TOKEN_MANAGER (object), result, &error);
  if (token != NULL)
    {
      arcpass_secret_free (token);
      arcpass_basemap_tester_reload (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_CANCELLED))
    return;

  /* API keys and expired refresh tokens cannot be renewed from here. */
  g_signal_emit (self, signals[SIGNAL_SIGN_IN_REQUESTED], 0);
}

static void
refresh_token_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ArcpassBasemapTester *self = ARCPASS_BASEMAP_TESTER (widget);

  arcpass_token_manager_get_token_async (self->manager, TRUE, self->cancellable,
                                         refresh_token_cb, g_object_ref (self));
}

static void
map_cb (ArcpassBasemapTester *self)
{
  /* Nothing is fetched until the page is shown. */
  if (!self->loaded)
    arcpass_basemap_tester_reload (self);
}

/* ---- Object -------------------------------------------------------------------------- */

static void
arcpass_basemap_tester_dispose (GObject *object)
{
  ArcpassBasemapTester *self = (ArcpassBasemapTester *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->style_cancellable);
  g_cancellable_cancel (self->static_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->style_cancellable);
  g_clear_object (&self->static_cancellable);
  g_clear_object (&self->manager);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARCPASS_TYPE_BASEMAP_TESTER);

  G_OBJECT_CLASS (arcpass_basemap_tester_parent_class)->dispose (object);
}

static void
arcpass_basemap_tester_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  ArcpassBasemapTester *self = ARCPASS_BASEMAP_TESTER (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_basemap_tester_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  ArcpassBasemapTester *self = ARCPASS_BASEMAP_TESTER (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      self->manager = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_basemap_tester_class_init (ArcpassBasemapTesterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arcpass_basemap_tester_dispose;
  object_class->get_property = arcpass_basemap_tester_get_property;
  object_class->set_property = arcpass_basemap_tester_set_property;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL,
                         ARCPASS_TYPE_TOKEN_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SIGN_IN_REQUESTED] =
    g_signal_new ("sign-in-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (ARCPASS_TYPE_MAP_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-basemap-tester.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassBasemapTester, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBasemapTester, styles_list_stack);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBasemapTester, styles_list);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBasemapTester, styles_error);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBasemapTester, style_detail_stack);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBasemapTester, summary_box);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBasemapTester, style_error);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBasemapTester, static_list_stack);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBasemapTester, static_list);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBasemapTester, static_error);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBasemapTester, static_status);
  gtk_widget_class_bind_template_child (widget_class, ArcpassBasemapTester, map_view);
  gtk_widget_class_bind_template_callback (widget_class, style_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, static_activated_cb);

  gtk_widget_class_install_action (widget_class, "basemap.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "basemap.refresh-token", NULL, refresh_token_action);
}

static void
arcpass_basemap_tester_init (ArcpassBasemapTester *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  gtk_list_box_set_header_func (self->styles_list, header_func, NULL, NULL);
  gtk_list_box_set_header_func (self->static_list, header_func, NULL, NULL);
  arcpass_map_view_set_zoom (self->map_view, DEFAULT_ZOOM);
  arcpass_map_view_set_center (self->map_view, DEFAULT_LONGITUDE, DEFAULT_LATITUDE);
  g_signal_connect (self, "map", G_CALLBACK (map_cb), NULL);
}

/* ---- Public API ----------------------------------------------------------------------- */

ArcpassBasemapTester *
arcpass_basemap_tester_new (ArcpassTokenManager *manager)
{
  g_return_val_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager), NULL);

  return g_object_new (ARCPASS_TYPE_BASEMAP_TESTER, "manager", manager, NULL);
}

ArcpassTokenManager *
arcpass_basemap_tester_get_manager (ArcpassBasemapTester *self)
{
  g_return_val_if_fail (ARCPASS_IS_BASEMAP_TESTER (self), NULL);

  return self->manager;
}

void
arcpass_basemap_tester_reload (ArcpassBasemapTester *self)
{
  g_return_if_fail (ARCPASS_IS_BASEMAP_TESTER (self));

  self->loaded = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_stack_set_visible_child_name (self->styles_list_stack, "loading");
  gtk_stack_set_visible_child_name (self->static_list_stack, "loading");
  arcpass_basemap_list_styles_async (self->manager, self->cancellable,
                                     list_styles_cb, g_object_ref (self));
  arcpass_basemap_list_static_styles_async (self->manager, self->cancellable,
                                            list_static_styles_cb, g_object_ref (self));
}
