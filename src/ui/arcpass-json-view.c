/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "arcpass-json.h"
#include "arcpass-json-view.h"

struct _ArcpassJsonView
{
  AdwBin       parent_instance;

  char        *text;
  GtkTextView *text_view;
};

G_DEFINE_FINAL_TYPE (ArcpassJsonView, arcpass_json_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
arcpass_json_pretty_print (const char *text)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonGenerator) generator = NULL;

  if (text == NULL)
    return g_strdup ("");

  /* Bodies such as "<1234 bytes of image/png>" are not JSON: show them as
   * they are rather than an error about the parser. */
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, -1, NULL) || json_parser_get_root (parser) == NULL)
    return g_strdup (text);

  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, json_parser_get_root (parser));

  return arcpass_json_generator_to_data (generator);
}

static void
arcpass_json_view_finalize (GObject *object)
{
  ArcpassJsonView *self = ARCPASS_JSON_VIEW (object);

  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (arcpass_json_view_parent_class)->finalize (object);
}

static void
arcpass_json_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ArcpassJsonView *self = ARCPASS_JSON_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_json_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ArcpassJsonView *self = ARCPASS_JSON_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      arcpass_json_view_set_text (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_json_view_class_init (ArcpassJsonViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = arcpass_json_view_finalize;
  object_class->get_property = arcpass_json_view_get_property;
  object_class->set_property = arcpass_json_view_set_property;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
arcpass_json_view_init (ArcpassJsonView *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  /* A text view rather than a label: bodies can be thousands of lines, and a
   * text view only lays out what is visible. It stays selectable while not
   * editable, so a user can copy part of an answer. */
  self->text_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_editable (self->text_view, FALSE);
  gtk_text_view_set_cursor_visible (self->text_view, FALSE);
  gtk_text_view_set_monospace (self->text_view, TRUE);
  gtk_text_view_set_wrap_mode (self->text_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (self->text_view, 12);
  gtk_text_view_set_bottom_margin (self->text_view, 12);
  gtk_text_view_set_left_margin (self->text_view, 12);
  gtk_text_view_set_right_margin (self->text_view, 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("JSON document"),
                                  -1);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->text_view));
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_widget_set_hexpand (scrolled, TRUE);
  adw_bin_set_child (ADW_BIN (self), scrolled);
}

GtkWidget *
arcpass_json_view_new (void)
{
  return g_object_new (ARCPASS_TYPE_JSON_VIEW, NULL);
}

void
arcpass_json_view_set_text (ArcpassJsonView *self,
                            const char      *text)
{
  g_autofree char *display = NULL;

  g_return_if_fail (ARCPASS_IS_JSON_VIEW (self));

  if (g_strcmp0 (self->text, text) == 0)
    return;

  g_free (self->text);
  self->text = g_strdup (text);

  display = arcpass_json_pretty_print (text);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), display, -1);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

const char *
arcpass_json_view_get_text (ArcpassJsonView *self)
{
  g_return_val_if_fail (ARCPASS_IS_JSON_VIEW (self), NULL);

  return self->text;
}

char *
arcpass_json_view_dup_display (ArcpassJsonView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (ARCPASS_IS_JSON_VIEW (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
