/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-portal.h"
#include "arcpass-preferences-window.h"

struct _ArcpassPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  /* Template widgets */
  GtkAdjustment        *clipboard_delay_adjustment;
  GtkAdjustment        *refresh_margin_adjustment;
  AdwEntryRow          *portal_row;
};

G_DEFINE_FINAL_TYPE (ArcpassPreferencesWindow, arcpass_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The refresh margin is stored in seconds and shown in minutes. */
static gboolean
margin_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_uint32 (variant) / 60.0);
  return TRUE;
}

static GVariant *
margin_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  return g_variant_new_uint32 ((guint32) (g_value_get_double (value) * 60.0 + 0.5));
}

static gboolean
seconds_get_mapping (GValue   *value,
                     GVariant *variant,
                     gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_uint32 (variant));
  return TRUE;
}

static GVariant *
seconds_set_mapping (const GValue       *value,
                     const GVariantType *expected_type,
                     gpointer            user_data)
{
  return g_variant_new_uint32 ((guint32) (g_value_get_double (value) + 0.5));
}

static void
portal_row_changed_cb (ArcpassPreferencesWindow *self)
{
  /* Clear the error style while the user edits. */
  gtk_widget_remove_css_class (GTK_WIDGET (self->portal_row), "error");
}

static void
portal_row_apply_cb (ArcpassPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->portal_row));
  g_autofree char *portal_url = NULL;
  g_autoptr(GError) error = NULL;
  AdwToast *toast;

  /* The same rules as every sign-in: https (or http on loopback only),
   * host names completed, web adaptor paths kept. */
  if (!arcpass_portal_normalize (text, &portal_url, NULL, &error))
    {
      g_debug ("Default portal refused: %s", error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->portal_row), "error");
      toast = adw_toast_new (_("Enter an https:// portal address, such as https://www.arcgis.com"));
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
      return;
    }

  g_settings_set_string (self->settings, "default-portal-url", portal_url);
  gtk_editable_set_text (GTK_EDITABLE (self->portal_row), portal_url);
}

static void
reset_portal_cb (ArcpassPreferencesWindow *self)
{
  g_autofree char *url = NULL;

  g_settings_reset (self->settings, "default-portal-url");
  url = g_settings_get_string (self->settings, "default-portal-url");
  gtk_editable_set_text (GTK_EDITABLE (self->portal_row), url);
}

static void
arcpass_preferences_window_constructed (GObject *object)
{
  ArcpassPreferencesWindow *self = ARCPASS_PREFERENCES_WINDOW (object);
  g_autofree char *url = NULL;

  G_OBJECT_CLASS (arcpass_preferences_window_parent_class)->constructed (object);

  g_settings_bind_with_mapping (self->settings, "clipboard-clear-delay",
                                self->clipboard_delay_adjustment, "value",
                                G_SETTINGS_BIND_DEFAULT,
                                seconds_get_mapping, seconds_set_mapping, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "refresh-margin",
                                self->refresh_margin_adjustment, "value",
                                G_SETTINGS_BIND_DEFAULT,
                                margin_get_mapping, margin_set_mapping, NULL, NULL);

  url = g_settings_get_string (self->settings, "default-portal-url");
  gtk_editable_set_text (GTK_EDITABLE (self->portal_row), url);
}

static void
arcpass_preferences_window_dispose (GObject *object)
{
  ArcpassPreferencesWindow *self = ARCPASS_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), ARCPASS_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (arcpass_preferences_window_parent_class)->dispose (object);
}

static void
arcpass_preferences_window_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  ArcpassPreferencesWindow *self = ARCPASS_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_preferences_window_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  ArcpassPreferencesWindow *self = ARCPASS_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_preferences_window_class_init (ArcpassPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = arcpass_preferences_window_constructed;
  object_class->dispose = arcpass_preferences_window_dispose;
  object_class->set_property = arcpass_preferences_window_set_property;
  object_class->get_property = arcpass_preferences_window_get_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassPreferencesWindow,
                                        clipboard_delay_adjustment);
  gtk_widget_class_bind_template_child (widget_class, ArcpassPreferencesWindow,
                                        refresh_margin_adjustment);
  gtk_widget_class_bind_template_child (widget_class, ArcpassPreferencesWindow, portal_row);
  gtk_widget_class_bind_template_callback (widget_class, portal_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, portal_row_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, reset_portal_cb);
}

static void
arcpass_preferences_window_init (ArcpassPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ArcpassPreferencesWindow *
arcpass_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (ARCPASS_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       NULL);
}
