/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-window.h"

struct _ArcpassWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwStatusPage        *empty_page;
};

G_DEFINE_FINAL_TYPE (ArcpassWindow, arcpass_window, ADW_TYPE_APPLICATION_WINDOW)

static void
restore_window_state (ArcpassWindow *self)
{
  int width = g_settings_get_int (self->settings, "window-width");
  int height = g_settings_get_int (self->settings, "window-height");

  gtk_window_set_default_size (GTK_WINDOW (self), MAX (width, 360), MAX (height, 294));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_window_state (ArcpassWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
arcpass_window_close_request (GtkWindow *window)
{
  save_window_state (ARCPASS_WINDOW (window));

  return GTK_WINDOW_CLASS (arcpass_window_parent_class)->close_request (window);
}

static void
arcpass_window_dispose (GObject *object)
{
  ArcpassWindow *self = ARCPASS_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (arcpass_window_parent_class)->dispose (object);
}

static void
arcpass_window_class_init (ArcpassWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = arcpass_window_dispose;
  window_class->close_request = arcpass_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, ArcpassWindow, empty_page);
}

static void
arcpass_window_init (ArcpassWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  restore_window_state (self);
}

ArcpassWindow *
arcpass_window_new (ArcpassApplication *application)
{
  return g_object_new (ARCPASS_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

void
arcpass_window_add_toast (ArcpassWindow *self,
                          AdwToast      *toast)
{
  g_return_if_fail (ARCPASS_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
