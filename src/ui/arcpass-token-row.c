/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "arcpass-core.h"
#include "arcpass-token-row.h"

struct _ArcpassTokenRow
{
  AdwActionRow     parent_instance;

  char            *secret;
  char            *display_text;
  gboolean         revealed;

  GtkToggleButton *reveal_button;
  GtkButton       *copy_button;
};

G_DEFINE_FINAL_TYPE (ArcpassTokenRow, arcpass_token_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_SECRET,
  PROP_REVEALED,
  N_PROPS
};

enum {
  COPY,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
update (ArcpassTokenRow *self)
{
  gboolean has_secret = self->secret && *self->secret;
  g_autofree char *escaped = NULL;
  g_autofree char *markup = NULL;
  const char *tooltip;
  const char *description;

  /* The revealed text is a copy of the secret too: clear it when replaced. */
  g_clear_pointer (&self->display_text, arcpass_secret_free);

  if (!has_secret)
    self->display_text = g_strdup (_("None"));
  else if (self->revealed)
    self->display_text = arcpass_secret_dup (self->secret);
  else
    self->display_text = arcpass_secret_mask (self->secret);

  escaped = g_markup_escape_text (self->display_text, -1);
  markup = g_strdup_printf ("<span font_family=\"monospace\">%s</span>", escaped);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), markup);
  if (self->revealed)
    {
      explicit_bzero (escaped, strlen (escaped));
      explicit_bzero (markup, strlen (markup));
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->reveal_button), has_secret);
  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_button), has_secret);

  tooltip = self->revealed ? _("Hide Token") : _("Show Token");
  gtk_button_set_icon_name (GTK_BUTTON (self->reveal_button),
                            self->revealed ? "view-conceal-symbolic" : "view-reveal-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->reveal_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reveal_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);

  /* A screen reader would otherwise read the mask as a string of dots, with
   * nothing to say that it is not the token. */
  if (!has_secret)
    description = _("No token");
  else if (self->revealed)
    description = _("Shown; press Hide Token to mask it");
  else
    description = _("Masked; press Show Token to show it");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
}

static void
reveal_toggled_cb (ArcpassTokenRow *self)
{
  arcpass_token_row_set_revealed (self, gtk_toggle_button_get_active (self->reveal_button));
}

static void
copy_clicked_cb (ArcpassTokenRow *self)
{
  g_signal_emit (self, signals[COPY], 0);
}

static void
arcpass_token_row_finalize (GObject *object)
{
  ArcpassTokenRow *self = ARCPASS_TOKEN_ROW (object);

  g_clear_pointer (&self->secret, arcpass_secret_free);
  g_clear_pointer (&self->display_text, arcpass_secret_free);

  G_OBJECT_CLASS (arcpass_token_row_parent_class)->finalize (object);
}

static void
arcpass_token_row_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ArcpassTokenRow *self = ARCPASS_TOKEN_ROW (object);

  switch (prop_id)
    {
    case PROP_REVEALED:
      g_value_set_boolean (value, self->revealed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_token_row_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ArcpassTokenRow *self = ARCPASS_TOKEN_ROW (object);

  switch (prop_id)
    {
    case PROP_SECRET:
      arcpass_token_row_set_secret (self, g_value_get_string (value));
      break;
    case PROP_REVEALED:
      arcpass_token_row_set_revealed (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_token_row_class_init (ArcpassTokenRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = arcpass_token_row_finalize;
  object_class->get_property = arcpass_token_row_get_property;
  object_class->set_property = arcpass_token_row_set_property;

  properties[PROP_SECRET] =
    g_param_spec_string ("secret", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REVEALED] =
    g_param_spec_boolean ("revealed", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[COPY] = g_signal_new ("copy", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-token-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassTokenRow, reveal_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassTokenRow, copy_button);
  gtk_widget_class_bind_template_callback (widget_class, reveal_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_clicked_cb);
}

static void
arcpass_token_row_init (ArcpassTokenRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
}

GtkWidget *
arcpass_token_row_new (void)
{
  return g_object_new (ARCPASS_TYPE_TOKEN_ROW, NULL);
}

void
arcpass_token_row_set_secret (ArcpassTokenRow *self,
                              const char      *secret)
{
  g_return_if_fail (ARCPASS_IS_TOKEN_ROW (self));

  if (g_strcmp0 (self->secret, secret) == 0)
    return;

  g_clear_pointer (&self->secret, arcpass_secret_free);
  self->secret = arcpass_secret_dup (secret);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECRET]);
}

gboolean
arcpass_token_row_get_revealed (ArcpassTokenRow *self)
{
  g_return_val_if_fail (ARCPASS_IS_TOKEN_ROW (self), FALSE);
  return self->revealed;
}

void
arcpass_token_row_set_revealed (ArcpassTokenRow *self,
                                gboolean         revealed)
{
  g_return_if_fail (ARCPASS_IS_TOKEN_ROW (self));

  revealed = !!revealed;
  if (self->revealed == revealed)
    return;

  self->revealed = revealed;
  gtk_toggle_button_set_active (self->reveal_button, revealed);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVEALED]);
}

const char *
arcpass_token_row_get_display_text (ArcpassTokenRow *self)
{
  g_return_val_if_fail (ARCPASS_IS_TOKEN_ROW (self), NULL);
  return self->display_text;
}
