/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "arcpass-geocode-tester.h"
#include "arcpass-json-view.h"
#include "arcpass-ui-utils.h"

/* Long enough that a typist's burst makes one request, short enough that
 * suggestions feel immediate. */
#define SUGGEST_DELAY_MS 250
#define MAX_SUGGESTIONS 8
#define MAX_CANDIDATES 20
#define GEOCODE_PRIVILEGE "premium:user:geocode:temporary"
/* The light, labelled style: addresses and places stand out on it. */
#define TILE_STYLE_PATH "/arcgis/navigation/static/tile/{z}/{y}/{x}"

typedef enum {
  OPERATION_NONE,
  OPERATION_SUGGEST,
  OPERATION_FIND,
  OPERATION_REVERSE,
} Operation;

struct _ArcpassGeocodeTester
{
  AdwBin                       parent_instance;

  ArcpassTokenManager         *manager;
  GCancellable                *cancellable;
  GCancellable                *suggest_cancellable;
  GCancellable                *find_cancellable;
  GCancellable                *reverse_cancellable;

  /* Each answer carries the generation it was asked in; only the newest is
   * shown. Cancellation alone is not enough: an answer can already be queued
   * on the main context when the next request is made. */
  guint                        suggest_generation;
  guint                        find_generation;
  guint                        reverse_generation;
  guint                        pending;
  guint                        suggest_timeout_id;
  gboolean                     setting_text;
  /* FALSE once the locator's root says it has no Suggest (custom locators). */
  gboolean                     suggest_supported;

  GPtrArray                   *suggestions;
  GPtrArray                   *candidates;
  int                          selected_index;
  ArcpassReverseGeocodeResult *reverse_result;
  GError                      *error;
  char                        *raw_json;
  gboolean                     show_json;

  gboolean                     has_marker;
  double                       marker_lon;
  double                       marker_lat;

  /* What to run again after a failure. */
  Operation                    last_operation;
  char                        *last_text;
  char                        *last_magic_key;
  double                       last_x;
  double                       last_y;

  GtkSearchEntry              *search_entry;
  GtkLabel                    *no_suggest_label;
  GtkRevealer                 *suggestions_revealer;
  GtkListBox                  *suggestions_list;
  GtkStack                    *results_stack;
  GtkSpinner                  *spinner;
  AdwStatusPage               *no_results_page;
  GtkLabel                    *results_label;
  GtkListBox                  *results_list;
  AdwStatusPage               *error_page;
  GtkWidget                   *refresh_button;
  GtkWidget                   *sign_in_button;
  GtkWidget                   *retry_button;
  GtkRevealer                 *reverse_revealer;
  AdwActionRow                *reverse_row;
  GtkLabel                    *view_label;
  GtkStack                    *view_stack;
  ArcpassMapView              *map_view;
  GtkStack                    *json_stack;
  ArcpassJsonView             *json_view;
};

G_DEFINE_FINAL_TYPE (ArcpassGeocodeTester, arcpass_geocode_tester, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_TOKEN_MANAGER,
  PROP_SHOW_JSON,
  N_PROPS
};

enum {
  SIGN_IN_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct {
  ArcpassGeocodeTester *self;
  guint                 generation;
  double                x;
  double                y;
} Call;

static Call *
call_new (ArcpassGeocodeTester *self,
          guint                 generation)
{
  Call *call = g_new0 (Call, 1);

  call->self = g_object_ref (self);
  call->generation = generation;
  self->pending++;
  return call;
}

static void
call_free (Call *call)
{
  call->self->pending--;
  g_clear_object (&call->self);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static void
replace_cancellable (ArcpassGeocodeTester  *self,
                     GCancellable         **cancellable)
{
  if (*cancellable != NULL)
    {
      g_cancellable_cancel (*cancellable);
      g_object_unref (*cancellable);
    }
  /* A child of the page's cancellable in effect: dispose cancels both. */
  *cancellable = g_cancellable_new ();
}

/* "34.05648° N, 117.19571° W": what a person reads; the x,y order of the
 * services is in the raw JSON. */
static char *
format_coordinates (double lon,
                    double lat)
{
  /* Translators: latitude and longitude; each %s is a compass point below. */
  return g_strdup_printf (_("%.5f° %s, %.5f° %s"),
                          fabs (lat), lat >= 0 ? C_("compass point", "N") : C_("compass point", "S"),
                          fabs (lon), lon >= 0 ? C_("compass point", "E") : C_("compass point", "W"));
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
set_marker (ArcpassGeocodeTester *self,
            double                lon,
            double                lat,
            const char           *label)
{
  self->has_marker = TRUE;
  self->marker_lon = lon;
  self->marker_lat = lat;
  arcpass_map_view_set_marker (self->map_view, lon, lat, label);
}

/* The newest geocoding exchange of the log, already redacted by the core.
 * The typed core API does not hand out the JSON it parsed, and the log's
 * copy is the one that is safe to show. */
static void
update_raw_json (ArcpassGeocodeTester *self,
                 const char           *operation)
{
  ArcpassRequestLog *log = arcpass_client_get_request_log (arcpass_token_manager_get_client (self->manager));
  GListModel *model = G_LIST_MODEL (log);
  g_autofree char *suffix = g_strconcat ("/", operation, NULL);
  g_autofree char *title = NULL;

  for (guint i = g_list_model_get_n_items (model); i > 0; i--)
    {
      g_autoptr(ArcpassRequestRecord) record = g_list_model_get_item (model, i - 1);
      g_autoptr(GUri) uri = NULL;

      if (arcpass_request_record_get_service (record) != ARCPASS_SERVICE_GEOCODE)
        continue;
      uri = g_uri_parse (arcpass_request_record_get_url (record), G_URI_FLAGS_ENCODED, NULL);
      if (uri == NULL || !g_str_has_suffix (g_uri_get_path (uri), suffix))
        continue;

      g_free (self->raw_json);
      self->raw_json = g_strdup (arcpass_request_record_get_response_body (record));
      arcpass_json_view_set_text (self->json_view, self->raw_json ?: "");
      gtk_stack_set_visible_child_name (self->json_stack, "json");
      return;
    }
}

static void
update_view_label (ArcpassGeocodeTester *self)
{
  g_autofree char *text = NULL;

  if (self->show_json && self->raw_json != NULL)
    /* Translators: %s is the operation (suggest, findAddressCandidates, reverseGeocode). */
    text = g_strdup_printf (_("Last answer of %s, secrets redacted"),
                            self->last_operation == OPERATION_SUGGEST ? "suggest" :
                            self->last_operation == OPERATION_REVERSE ? "reverseGeocode" :
                            "findAddressCandidates");
  else if (self->show_json)
    text = g_strdup (_("No answer yet"));
  else
    text = g_strdup (_("Click the map to find the address of a point"));
  gtk_label_set_label (self->view_label, text);
}

static void
clear_error (ArcpassGeocodeTester *self)
{
  g_clear_error (&self->error);
}

static gboolean
is_api_key (ArcpassGeocodeTester *self)
{
  ArcpassCredential *credential = arcpass_token_manager_get_credential (self->manager);

  return arcpass_credential_get_kind (credential) == ARCPASS_CREDENTIAL_API_KEY;
}

static char *
dup_geocode_host (ArcpassGeocodeTester *self)
{
  const ArcpassEndpoints *endpoints = arcpass_token_manager_get_endpoints (self->manager);

  return arcpass_ui_dup_portal_host (endpoints->geocode_url);
}

/* Every failure in words a user can act on, in the page itself (not only a
 * toast that is gone before it is read), with the buttons that can fix it. */
static void
show_error (ArcpassGeocodeTester *self,
            const GError         *error)
{
  g_autofree char *description = NULL;
  g_autofree char *host = NULL;
  const char *title;
  gboolean can_refresh = FALSE;
  gboolean can_sign_in = FALSE;
  gboolean can_retry = TRUE;

  g_clear_error (&self->error);
  self->error = g_error_copy (error);

  if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_MISSING_PRIVILEGE))
    {
      title = _("Geocoding Not Allowed");
      /* Translators: %s is the service's explanation; the privilege name is not translated. */
      description = g_strdup_printf (_("%s\n\nIn the developer credentials of this API key or "
                                       "OAuth application, enable the privilege “%s” "
                                       "(Geocoding, not stored), save, and try again."),
                                     error->message, GEOCODE_PRIVILEGE);
    }
  else if ((g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_TOKEN) ||
            g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_REQUIRED) ||
            g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_EXPIRED) ||
            g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_SIGN_IN_REQUIRED)) &&
           is_api_key (self))
    {
      /* The manager turns a refused key into "sign in again"; for a key
       * that means a new key, which only the developer dashboard makes. */
      title = _("API Key Invalid or Expired");
      description = g_strdup_printf (_("%s\n\nAn API key cannot be renewed from here: create or "
                                       "regenerate the key in your developer credentials, then "
                                       "add it again."),
                                     error->message);
      can_sign_in = TRUE;
      can_retry = FALSE;
    }
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_TOKEN) ||
           g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_REQUIRED) ||
           g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TOKEN_EXPIRED))
    {
      title = _("Token Invalid or Expired");
      description = g_strdup_printf (_("%s\n\nRefresh the token, or sign in again if that "
                                       "fails."),
                                     error->message);
      can_refresh = TRUE;
      can_sign_in = TRUE;
      can_retry = FALSE;
    }
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_SIGN_IN_REQUIRED) ||
           g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_GRANT))
    {
      title = _("Sign-In Required");
      description = g_strdup (error->message);
      can_sign_in = TRUE;
      can_retry = FALSE;
    }
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_NETWORK) ||
           g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_TIMEOUT))
    {
      host = dup_geocode_host (self);
      title = _("Geocoding Service Unreachable");
      /* Translators: %s is a host name, then the error. */
      description = g_strdup_printf (_("Arcpass could not get an answer from %s: %s\n\nCheck the "
                                       "network connection, and that the service (or the local "
                                       "sandbox) is running."),
                                     host, error->message);
    }
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_BLOCKED))
    {
      /* Not ArcGIS's answer: the token and its privileges are not in
       * question. The message names the host and what to do. */
      title = _("Blocked by a Firewall or Proxy");
      description = g_strdup (error->message);
    }
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_RATE_LIMITED))
    {
      /* The message says when to try again; Try Again stays for then. */
      title = _("Too Many Requests");
      description = g_strdup (error->message);
    }
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_MOVED))
    {
      title = _("Geocoding Service Moved");
      description = g_strdup (error->message);
    }
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_SERVICE_UNAVAILABLE))
    {
      host = dup_geocode_host (self);
      title = _("Geocoding Service Unavailable");
      description = g_strdup_printf (_("%s answered with a server error: %s\n\nThis is usually "
                                       "temporary: try again in a moment."),
                                     host, error->message);
    }
  else if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE) ||
           g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_RESPONSE_TOO_LARGE))
    {
      title = _("Unexpected Answer");
      description = g_strdup_printf (_("%s\n\nThe raw JSON shows what the service sent."),
                                     error->message);
    }
  else
    {
      title = _("Geocoding Failed");
      description = g_strdup (error->message);
    }

  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, description);
  gtk_widget_set_visible (self->refresh_button, can_refresh);
  gtk_widget_set_visible (self->sign_in_button, can_sign_in);
  gtk_widget_set_visible (self->retry_button, can_retry);
  gtk_revealer_set_reveal_child (self->suggestions_revealer, FALSE);
  gtk_stack_set_visible_child_name (self->results_stack, "error");
}

static gboolean
is_cancelled (const GError *error)
{
  return arcpass_ui_error_is_cancelled (error);
}

/* ---- Suggest ----------------------------------------------------------- */

static GtkWidget *
create_suggestion_row (ArcpassSuggestion *suggestion)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *escaped = g_markup_escape_text (suggestion->text, -1);
  GtkWidget *icon;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  icon = gtk_image_new_from_icon_name (suggestion->is_collection ? "view-list-symbolic"
                                                                 : "mark-location-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  suggestion->is_collection ? _("Category") : _("Place"),
                                  -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, suggestion->text,
                                  -1);
  return row;
}

static void
suggest_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  ArcpassGeocodeTester *self = call->self;
  g_autoptr(GPtrArray) suggestions = NULL;
  g_autoptr(GError) error = NULL;

  suggestions = arcpass_geocode_suggest_finish (result, &error);
  if (is_cancelled (error) || call->generation != self->suggest_generation)
    return;

  /* Not an error the user caused: the locator has no suggestions at all. */
  if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_NOT_OFFERED))
    {
      self->suggest_supported = FALSE;
      gtk_widget_set_visible (GTK_WIDGET (self->no_suggest_label), TRUE);
      return;
    }

  update_raw_json (self, "suggest");
  if (suggestions == NULL)
    {
      show_error (self, error);
      update_view_label (self);
      return;
    }

  if (self->error != NULL)
    {
      clear_error (self);
      gtk_stack_set_visible_child_name (self->results_stack,
                                        self->candidates && self->candidates->len > 0 ? "results"
                                                                                      : "empty");
    }

  g_clear_pointer (&self->suggestions, g_ptr_array_unref);
  self->suggestions = g_steal_pointer (&suggestions);

  clear_list (self->suggestions_list);
  for (guint i = 0; i < self->suggestions->len; i++)
    gtk_list_box_append (self->suggestions_list,
                         create_suggestion_row (g_ptr_array_index (self->suggestions, i)));
  gtk_revealer_set_reveal_child (self->suggestions_revealer, self->suggestions->len > 0);
  update_view_label (self);
}

static void
start_suggest (ArcpassGeocodeTester *self,
               const char           *text)
{
  ArcpassMapView *map = self->map_view;

  replace_cancellable (self, &self->suggest_cancellable);
  self->suggest_generation++;
  self->last_operation = OPERATION_SUGGEST;
  g_free (self->last_text);
  self->last_text = g_strdup (text);

  /* Suggestions near what the user is looking at come first. */
  arcpass_geocode_suggest_async (self->manager, text, TRUE,
                                 arcpass_map_view_get_longitude (map),
                                 arcpass_map_view_get_latitude (map),
                                 MAX_SUGGESTIONS, self->suggest_cancellable, suggest_cb,
                                 call_new (self, self->suggest_generation));
}

static void
cancel_suggest (ArcpassGeocodeTester *self)
{
  g_clear_handle_id (&self->suggest_timeout_id, g_source_remove);
  if (self->suggest_cancellable != NULL)
    g_cancellable_cancel (self->suggest_cancellable);
  /* Also drops an answer already on its way to the main context. */
  self->suggest_generation++;
  gtk_revealer_set_reveal_child (self->suggestions_revealer, FALSE);
}

static gboolean
suggest_timeout_cb (gpointer user_data)
{
  ArcpassGeocodeTester *self = user_data;
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));

  self->suggest_timeout_id = 0;
  if (*text != '\0')
    start_suggest (self, text);

  return G_SOURCE_REMOVE;
}

static void
search_changed_cb (ArcpassGeocodeTester *self)
{
  g_autofree char *text = NULL;

  if (self->setting_text)
    return;

  cancel_suggest (self);

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  if (*text == '\0' || !self->suggest_supported)
    return;

  self->suggest_timeout_id = g_timeout_add (SUGGEST_DELAY_MS, suggest_timeout_cb, self);
}

static void
stop_search_cb (ArcpassGeocodeTester *self)
{
  cancel_suggest (self);
}

/* ---- Find -------------------------------------------------------------- */

static GtkWidget *
create_candidate_row (ArcpassGeocodeCandidate *candidate)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *escaped = g_markup_escape_text (candidate->address, -1);
  g_autofree char *coordinates = format_coordinates (candidate->x, candidate->y);
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped_subtitle = NULL;
  g_autofree char *score = NULL;
  GtkWidget *label;

  /* Translators: the type of a geocoding match (PointAddress, POI, Locality…) and its location. */
  subtitle = g_strdup_printf (_("%s · %s"),
                              candidate->addr_type && *candidate->addr_type ? candidate->addr_type
                                                                            : _("Unknown type"),
                              coordinates);
  escaped_subtitle = g_markup_escape_text (subtitle, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped_subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 2);

  /* Translators: the match score of a geocoding result, out of 100. */
  score = g_strdup_printf (_("Score %.0f"), candidate->score);
  label = gtk_label_new (score);
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, candidate->score >= 90 ? "success" :
                                   candidate->score >= 70 ? "warning" : "error");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  return row;
}

/* A zoom that shows the candidate's extent in the map, or a street-level
 * zoom for a point. */
static int
zoom_for_candidate (ArcpassGeocodeTester    *self,
                    ArcpassGeocodeCandidate *candidate)
{
  int width = MAX (gtk_widget_get_width (GTK_WIDGET (self->map_view)), ARCPASS_MAP_VIEW_TILE_SIZE);
  double span = candidate->has_extent ? fabs (candidate->xmax - candidate->xmin) : 0;
  int zoom;

  if (span <= 0)
    return 16;

  zoom = (int) floor (log2 (360.0 / span * width / ARCPASS_MAP_VIEW_TILE_SIZE));
  return CLAMP (zoom, 3, 17);
}

static void
select_candidate (ArcpassGeocodeTester *self,
                  int                   index)
{
  ArcpassGeocodeCandidate *candidate;

  if (self->candidates == NULL || index < 0 || (guint) index >= self->candidates->len)
    return;

  self->selected_index = index;
  candidate = g_ptr_array_index (self->candidates, index);
  set_marker (self, candidate->x, candidate->y, candidate->address);
  arcpass_map_view_set_zoom (self->map_view, zoom_for_candidate (self, candidate));
  arcpass_map_view_set_center (self->map_view, candidate->x, candidate->y);
}

static void
result_selected_cb (ArcpassGeocodeTester *self,
                    GtkListBoxRow        *row)
{
  if (row != NULL)
    select_candidate (self, gtk_list_box_row_get_index (row));
}

static void
find_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  ArcpassGeocodeTester *self = call->self;
  g_autoptr(GPtrArray) candidates = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;

  candidates = arcpass_geocode_find_finish (result, &error);
  if (is_cancelled (error) || call->generation != self->find_generation)
    return;

  gtk_spinner_stop (self->spinner);
  update_raw_json (self, "findAddressCandidates");
  update_view_label (self);
  if (candidates == NULL)
    {
      show_error (self, error);
      return;
    }

  clear_error (self);
  g_clear_pointer (&self->candidates, g_ptr_array_unref);
  self->candidates = g_steal_pointer (&candidates);
  self->selected_index = -1;

  clear_list (self->results_list);
  if (self->candidates->len == 0)
    {
      g_autofree char *description = NULL;

      /* Translators: %s is what the user searched for. */
      description = g_strdup_printf (_("Nothing matches “%s”. Check the spelling, or add a city "
                                       "or country."),
                                     self->last_text);
      adw_status_page_set_description (self->no_results_page, description);
      gtk_stack_set_visible_child_name (self->results_stack, "no-results");
      return;
    }

  for (guint i = 0; i < self->candidates->len; i++)
    gtk_list_box_append (self->results_list,
                         create_candidate_row (g_ptr_array_index (self->candidates, i)));

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Candidate", "%u Candidates",
                                          self->candidates->len),
                             self->candidates->len);
  gtk_label_set_label (self->results_label, heading);
  gtk_stack_set_visible_child_name (self->results_stack, "results");

  /* The best match (the service sorts by score) is marked straight away. */
  gtk_list_box_select_row (self->results_list, gtk_list_box_get_row_at_index (self->results_list, 0));
}

static void
start_find (ArcpassGeocodeTester *self,
            const char           *text,
            const char           *magic_key)
{
  cancel_suggest (self);
  replace_cancellable (self, &self->find_cancellable);
  self->find_generation++;

  self->last_operation = OPERATION_FIND;
  g_free (self->last_text);
  self->last_text = g_strdup (text);
  g_free (self->last_magic_key);
  self->last_magic_key = g_strdup (magic_key);

  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->results_stack, "loading");

  arcpass_geocode_find_async (self->manager, text, magic_key, MAX_CANDIDATES,
                              self->find_cancellable, find_cb,
                              call_new (self, self->find_generation));
}

static void
set_entry_text (ArcpassGeocodeTester *self,
                const char           *text)
{
  /* Filling the entry with the chosen suggestion must not ask for
   * suggestions of that text again. */
  self->setting_text = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
  self->setting_text = FALSE;
}

static void
suggestion_activated_cb (ArcpassGeocodeTester *self,
                         GtkListBoxRow        *row)
{
  ArcpassSuggestion *suggestion;
  g_autofree char *text = NULL;
  g_autofree char *magic_key = NULL;
  int index = gtk_list_box_row_get_index (row);

  if (self->suggestions == NULL || index < 0 || (guint) index >= self->suggestions->len)
    return;

  /* start_find() replaces the suggestions: keep copies of what it needs. */
  suggestion = g_ptr_array_index (self->suggestions, index);
  text = g_strdup (suggestion->text);
  magic_key = g_strdup (suggestion->magic_key);

  set_entry_text (self, text);
  start_find (self, text, magic_key);
}

static void
search_activate_cb (ArcpassGeocodeTester *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));

  if (*text == '\0')
    return;

  /* Enter without choosing a suggestion: a SingleLine search of the text. */
  start_find (self, text, NULL);
}

static gboolean
entry_key_pressed_cb (GtkEventControllerKey *controller,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      ArcpassGeocodeTester  *self)
{
  GtkListBoxRow *first;

  if (keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down)
    return GDK_EVENT_PROPAGATE;

  /* Down moves from the entry into the suggestions, as in a completion
   * popup; Enter there activates the row. */
  first = gtk_list_box_get_row_at_index (self->suggestions_list, 0);
  if (first == NULL || !gtk_revealer_get_reveal_child (self->suggestions_revealer))
    return GDK_EVENT_PROPAGATE;

  gtk_widget_grab_focus (GTK_WIDGET (first));
  return GDK_EVENT_STOP;
}

/* ---- Reverse geocode --------------------------------------------------- */

static void
set_reverse_row (ArcpassGeocodeTester *self,
                 const char           *title,
                 const char           *subtitle)
{
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  g_autofree char *escaped_subtitle = g_markup_escape_text (subtitle ?: "", -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->reverse_row), escaped_title);
  adw_action_row_set_subtitle (self->reverse_row, escaped_subtitle);
  gtk_revealer_set_reveal_child (self->reverse_revealer, TRUE);
}

static void
reverse_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  ArcpassGeocodeTester *self = call->self;
  g_autoptr(ArcpassReverseGeocodeResult) reverse = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *coordinates = format_coordinates (call->x, call->y);
  g_autofree char *subtitle = NULL;
  const char *address;

  reverse = arcpass_geocode_reverse_finish (result, &error);
  if (is_cancelled (error) || call->generation != self->reverse_generation)
    return;

  update_raw_json (self, "reverseGeocode");
  update_view_label (self);
  g_clear_pointer (&self->reverse_result, arcpass_reverse_geocode_result_free);

  if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_NOT_FOUND))
    {
      /* Not a failure of the service: there is just nothing there. */
      set_reverse_row (self, _("No address near this point"), coordinates);
      set_marker (self, call->x, call->y, NULL);
      return;
    }
  if (reverse == NULL)
    {
      set_reverse_row (self, _("Could not look up this point"), coordinates);
      show_error (self, error);
      return;
    }

  if (self->error != NULL)
    {
      clear_error (self);
      gtk_stack_set_visible_child_name (self->results_stack,
                                        self->candidates && self->candidates->len > 0 ? "results"
                                                                                      : "empty");
    }

  self->reverse_result = g_steal_pointer (&reverse);
  address = self->reverse_result->long_label && *self->reverse_result->long_label
              ? self->reverse_result->long_label
              : self->reverse_result->match_addr;
  if (address == NULL || *address == '\0')
    address = _("Unnamed place");

  subtitle = g_strdup_printf (_("%s · %s"),
                              self->reverse_result->addr_type && *self->reverse_result->addr_type
                                ? self->reverse_result->addr_type : _("Unknown type"),
                              coordinates);
  set_reverse_row (self, address, subtitle);
  set_marker (self, call->x, call->y,
              self->reverse_result->short_label && *self->reverse_result->short_label
                ? self->reverse_result->short_label : address);
}

static void
start_reverse (ArcpassGeocodeTester *self,
               double                lon,
               double                lat)
{
  g_autofree char *coordinates = format_coordinates (lon, lat);
  Call *call;

  replace_cancellable (self, &self->reverse_cancellable);
  self->reverse_generation++;
  self->last_operation = OPERATION_REVERSE;
  self->last_x = lon;
  self->last_y = lat;

  /* The point is marked at once; the label follows the answer. */
  set_marker (self, lon, lat, NULL);
  set_reverse_row (self, _("Looking up the address…"), coordinates);

  call = call_new (self, self->reverse_generation);
  call->x = lon;
  call->y = lat;
  arcpass_geocode_reverse_async (self->manager, lon, lat, self->reverse_cancellable,
                                 reverse_cb, call);
}

static void
map_clicked_cb (ArcpassGeocodeTester *self,
                double                lon,
                double                lat)
{
  start_reverse (self, lon, lat);
}

/* ---- Actions ----------------------------------------------------------- */

static void
retry (ArcpassGeocodeTester *self)
{
  g_autofree char *text = g_strdup (self->last_text);
  g_autofree char *magic_key = g_strdup (self->last_magic_key);

  switch (self->last_operation)
    {
    case OPERATION_SUGGEST:
      if (text != NULL)
        {
          gtk_stack_set_visible_child_name (self->results_stack, "loading");
          start_suggest (self, text);
        }
      break;
    case OPERATION_FIND:
      if (text != NULL)
        start_find (self, text, magic_key);
      break;
    case OPERATION_REVERSE:
      start_reverse (self, self->last_x, self->last_y);
      break;
    case OPERATION_NONE:
    default:
      break;
    }
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  retry (ARCPASS_GEOCODE_TESTER (widget));
}

static void
refresh_token_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ArcpassGeocodeTester) self = user_data;
  g_autoptr(ArcpassSecret) token = NULL;
  g_autoptr(GError) error = NULL;

  token = arcpass_token_manager_get_token_finish (ARCPASS_TOKEN_MANAGER (object), result, &error);
  if (is_cancelled (error))
    return;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "geocode.refresh-token", TRUE);
  if (token == NULL)
    {
      show_error (self, error);
      return;
    }

  retry (self);
}

static void
refresh_token_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ArcpassGeocodeTester *self = ARCPASS_GEOCODE_TESTER (widget);

  gtk_widget_action_set_enabled (widget, "geocode.refresh-token", FALSE);
  arcpass_token_manager_get_token_async (self->manager, TRUE, self->cancellable,
                                         refresh_token_cb, g_object_ref (self));
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGN_IN_REQUESTED], 0);
}

static void
set_show_json (ArcpassGeocodeTester *self,
               gboolean              show_json)
{
  show_json = !!show_json;
  if (self->show_json == show_json)
    return;

  self->show_json = show_json;
  gtk_stack_set_visible_child_name (self->view_stack, show_json ? "json" : "map");
  update_view_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_JSON]);
}

/* ---- GObject ----------------------------------------------------------- */

static void
locator_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ArcpassGeocodeTester) self = user_data;
  g_autoptr(ArcpassLocatorInfo) locator = NULL;
  g_autoptr(GError) error = NULL;

  locator = arcpass_geocode_get_locator_finish (result, &error);
  /* A failure here shows again, with its explanation, on the first search. */
  if (locator == NULL)
    return;
  self->suggest_supported = locator->supports_suggest;
  gtk_widget_set_visible (GTK_WIDGET (self->no_suggest_label), !locator->supports_suggest);
  if (!locator->supports_suggest)
    cancel_suggest (self);
}

static void
set_token_manager (ArcpassGeocodeTester *self,
                   ArcpassTokenManager  *manager)
{
  const ArcpassEndpoints *endpoints;
  g_autofree char *template = NULL;

  g_assert (self->manager == NULL);
  g_return_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager));

  self->manager = g_object_ref (manager);

  /* Tiles are fetched through the same manager, so they carry the token in
   * a header and appear in the request log like every other call. */
  endpoints = arcpass_token_manager_get_endpoints (manager);
  template = g_strconcat (endpoints->static_tiles_url, TILE_STYLE_PATH, NULL);
  arcpass_map_view_set_source (self->map_view, manager, template);
  /* Esri's terms ask apps that use its location services to say so. */
  arcpass_map_view_set_attribution (self->map_view, _("Powered by Esri"));

  /* The locator's root says whether it suggests (custom locators may not);
   * the World geocoder's is known without asking. */
  arcpass_geocode_get_locator_async (manager, self->cancellable, locator_cb, g_object_ref (self));
}

static void
arcpass_geocode_tester_dispose (GObject *object)
{
  ArcpassGeocodeTester *self = ARCPASS_GEOCODE_TESTER (object);

  g_clear_handle_id (&self->suggest_timeout_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->suggest_cancellable);
  g_cancellable_cancel (self->find_cancellable);
  g_cancellable_cancel (self->reverse_cancellable);

  /* AdwBin keeps a pointer to its child: drop the child through AdwBin
   * first, or the template disposal leaves AdwBin a dangling pointer. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARCPASS_TYPE_GEOCODE_TESTER);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->suggest_cancellable);
  g_clear_object (&self->find_cancellable);
  g_clear_object (&self->reverse_cancellable);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (arcpass_geocode_tester_parent_class)->dispose (object);
}

static void
arcpass_geocode_tester_finalize (GObject *object)
{
  ArcpassGeocodeTester *self = ARCPASS_GEOCODE_TESTER (object);

  g_clear_pointer (&self->suggestions, g_ptr_array_unref);
  g_clear_pointer (&self->candidates, g_ptr_array_unref);
  g_clear_pointer (&self->reverse_result, arcpass_reverse_geocode_result_free);
  g_clear_error (&self->error);
  g_clear_pointer (&self->raw_json, g_free);
  g_clear_pointer (&self->last_text, g_free);
  g_clear_pointer (&self->last_magic_key, g_free);

  G_OBJECT_CLASS (arcpass_geocode_tester_parent_class)->finalize (object);
}

static void
arcpass_geocode_tester_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  ArcpassGeocodeTester *self = ARCPASS_GEOCODE_TESTER (object);

  switch (prop_id)
    {
    case PROP_TOKEN_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_SHOW_JSON:
      g_value_set_boolean (value, self->show_json);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_geocode_tester_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  ArcpassGeocodeTester *self = ARCPASS_GEOCODE_TESTER (object);

  switch (prop_id)
    {
    case PROP_TOKEN_MANAGER:
      set_token_manager (self, g_value_get_object (value));
      break;
    case PROP_SHOW_JSON:
      set_show_json (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_geocode_tester_class_init (ArcpassGeocodeTesterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arcpass_geocode_tester_dispose;
  object_class->finalize = arcpass_geocode_tester_finalize;
  object_class->get_property = arcpass_geocode_tester_get_property;
  object_class->set_property = arcpass_geocode_tester_set_property;

  properties[PROP_TOKEN_MANAGER] =
    g_param_spec_object ("token-manager", NULL, NULL, ARCPASS_TYPE_TOKEN_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_JSON] =
    g_param_spec_boolean ("show-json", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGN_IN_REQUESTED] =
    g_signal_new ("sign-in-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (ARCPASS_TYPE_JSON_VIEW);
  g_type_ensure (ARCPASS_TYPE_MAP_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-geocode-tester.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, no_suggest_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, suggestions_revealer);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, suggestions_list);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, results_stack);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, spinner);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, no_results_page);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, results_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, results_list);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, error_page);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, retry_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, reverse_revealer);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, reverse_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, view_label);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, map_view);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, json_stack);
  gtk_widget_class_bind_template_child (widget_class, ArcpassGeocodeTester, json_view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, suggestion_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, result_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, map_clicked_cb);

  gtk_widget_class_install_action (widget_class, "geocode.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "geocode.refresh-token", NULL, refresh_token_action);
  gtk_widget_class_install_action (widget_class, "geocode.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_property_action (widget_class, "geocode.show-json", "show-json");
}

static void
arcpass_geocode_tester_init (ArcpassGeocodeTester *self)
{
  GtkEventController *key;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->selected_index = -1;
  self->suggest_supported = TRUE;

  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (entry_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), key);

  /* A world view to start from; the first result moves it. */
  arcpass_map_view_set_zoom (self->map_view, 2);
  arcpass_map_view_set_center (self->map_view, 0, 20);
}

GtkWidget *
arcpass_geocode_tester_new (ArcpassTokenManager *manager)
{
  g_return_val_if_fail (ARCPASS_IS_TOKEN_MANAGER (manager), NULL);

  return g_object_new (ARCPASS_TYPE_GEOCODE_TESTER,
                       "token-manager", manager,
                       NULL);
}

ArcpassTokenManager *
arcpass_geocode_tester_get_token_manager (ArcpassGeocodeTester *self)
{
  g_return_val_if_fail (ARCPASS_IS_GEOCODE_TESTER (self), NULL);

  return self->manager;
}

ArcpassMapView *
arcpass_geocode_tester_get_map_view (ArcpassGeocodeTester *self)
{
  g_return_val_if_fail (ARCPASS_IS_GEOCODE_TESTER (self), NULL);

  return self->map_view;
}

GPtrArray *
arcpass_geocode_tester_get_suggestions (ArcpassGeocodeTester *self)
{
  g_return_val_if_fail (ARCPASS_IS_GEOCODE_TESTER (self), NULL);

  return self->suggestions;
}

GPtrArray *
arcpass_geocode_tester_get_candidates (ArcpassGeocodeTester *self)
{
  g_return_val_if_fail (ARCPASS_IS_GEOCODE_TESTER (self), NULL);

  return self->candidates;
}

int
arcpass_geocode_tester_get_selected_index (ArcpassGeocodeTester *self)
{
  g_return_val_if_fail (ARCPASS_IS_GEOCODE_TESTER (self), -1);

  return self->selected_index;
}

const ArcpassReverseGeocodeResult *
arcpass_geocode_tester_get_reverse_result (ArcpassGeocodeTester *self)
{
  g_return_val_if_fail (ARCPASS_IS_GEOCODE_TESTER (self), NULL);

  return self->reverse_result;
}

const GError *
arcpass_geocode_tester_get_error (ArcpassGeocodeTester *self)
{
  g_return_val_if_fail (ARCPASS_IS_GEOCODE_TESTER (self), NULL);

  return self->error;
}

gboolean
arcpass_geocode_tester_get_marker (ArcpassGeocodeTester *self,
                                   double               *lon,
                                   double               *lat)
{
  g_return_val_if_fail (ARCPASS_IS_GEOCODE_TESTER (self), FALSE);

  if (lon != NULL)
    *lon = self->marker_lon;
  if (lat != NULL)
    *lat = self->marker_lat;
  return self->has_marker;
}

const char *
arcpass_geocode_tester_get_raw_json (ArcpassGeocodeTester *self)
{
  g_return_val_if_fail (ARCPASS_IS_GEOCODE_TESTER (self), NULL);

  return self->raw_json;
}

guint
arcpass_geocode_tester_get_pending (ArcpassGeocodeTester *self)
{
  g_return_val_if_fail (ARCPASS_IS_GEOCODE_TESTER (self), 0);

  return self->pending;
}
