/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "arcpass-a11y-fixes.h"

/* libadwaita 1.2's password entry row has a "peek" button whose only child
 * is an icon: GTK 4.8 names it "GtkImage". Its tooltip says what it does
 * ("Show Text", "Hide Text") and follows the state: the name follows the
 * tooltip. */
static void
sync_name_with_tooltip (GtkWidget *button)
{
  const char *tooltip = gtk_widget_get_tooltip_text (button);

  if (tooltip && *tooltip)
    gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                    -1);
}

/* Status pages and expander rows of libadwaita 1.2 are named after their
 * type; their title is what a person reads. */
static void
sync_name_with_title (GtkWidget *widget)
{
  g_autofree char *title = NULL;

  g_object_get (widget, "title", &title, NULL);
  if (title && *title)
    {
      g_autofree char *plain = NULL;

      /* Expander row titles may be markup. */
      if (ADW_IS_PREFERENCES_ROW (widget) &&
          adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (widget)) &&
          pango_parse_markup (title, -1, 0, NULL, &plain, NULL, NULL))
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, plain, -1);
      else
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
    }
}

static void
follow (GtkWidget  *widget,
        const char *property,
        void      (*sync) (GtkWidget *widget))
{
  g_autofree char *signal = NULL;

  if (g_object_get_data (G_OBJECT (widget), "arcpass-a11y-followed"))
    return;

  g_object_set_data (G_OBJECT (widget), "arcpass-a11y-followed", GINT_TO_POINTER (1));
  sync (widget);
  signal = g_strconcat ("notify::", property, NULL);
  g_signal_connect (widget, signal, G_CALLBACK (sync), NULL);
}

static void
fix_widget (GtkWidget *widget)
{
  /* Only the buttons whose name GtkButton sets from a mnemonic label: the
   * property holds the raw label. Without it, the name is computed from the
   * button's label child, whose text has no underscore. A button given its
   * own accessible label would not use a mnemonic label as well. */
  if (GTK_IS_BUTTON (widget) &&
      gtk_button_get_use_underline (GTK_BUTTON (widget)) &&
      gtk_button_get_label (GTK_BUTTON (widget)) != NULL &&
      strchr (gtk_button_get_label (GTK_BUTTON (widget)), '_') != NULL)
    gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL);

  /* Icon buttons that libadwaita 1.2 builds without a name: the "peek"
   * button of password rows, and the arrow of split buttons. Their tooltip
   * says what they do. */
  if (GTK_IS_BUTTON (widget) &&
      GTK_IS_IMAGE (gtk_button_get_child (GTK_BUTTON (widget))) &&
      gtk_widget_get_ancestor (widget, ADW_TYPE_PASSWORD_ENTRY_ROW) != NULL)
    follow (widget, "tooltip-text", sync_name_with_tooltip);
  else if (GTK_IS_MENU_BUTTON (widget) &&
           gtk_widget_get_ancestor (widget, ADW_TYPE_SPLIT_BUTTON) != NULL)
    /* The toggle button inside is labelled by the menu button. */
    follow (widget, "tooltip-text", sync_name_with_tooltip);

  /* The close button of libadwaita 1.2's toasts: an icon, no name. */
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (widget)), "window-close-symbolic") == 0 &&
      g_type_from_name ("AdwToastWidget") != 0 &&
      gtk_widget_get_ancestor (widget, g_type_from_name ("AdwToastWidget")) != NULL &&
      !g_object_get_data (G_OBJECT (widget), "arcpass-a11y-followed"))
    {
      g_object_set_data (G_OBJECT (widget), "arcpass-a11y-followed", GINT_TO_POINTER (1));
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      /* Translators: the close button of a notification */
                                      _("Dismiss"),
                                      -1);
    }

  if (ADW_IS_STATUS_PAGE (widget) || ADW_IS_EXPANDER_ROW (widget))
    follow (widget, "title", sync_name_with_title);
}

void
arcpass_a11y_fix_tree (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  fix_widget (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child;
       child = gtk_widget_get_next_sibling (child))
    arcpass_a11y_fix_tree (child);
}

static gboolean
fix_hook (GSignalInvocationHint *hint,
          guint                  n_params,
          const GValue          *params,
          gpointer               user_data)
{
  GObject *object = g_value_get_object (&params[0]);

  if (GTK_IS_WIDGET (object))
    {
      /* A window realizes before its descendants, and a page of Arcpass
       * maps before its own: fix the whole tree there, so that parts not
       * shown yet (stack pages, revealers) read well too when an assistive
       * technology walks the tree. */
      if (GTK_IS_ROOT (object) ||
          g_str_has_prefix (G_OBJECT_TYPE_NAME (object), "Arcpass"))
        arcpass_a11y_fix_tree (GTK_WIDGET (object));
      else
        fix_widget (GTK_WIDGET (object));
    }

  return TRUE; /* stay installed */
}

void
arcpass_a11y_install_fixes (void)
{
  static gsize installed = 0;

  if (g_once_init_enter (&installed))
    {
      /* Signals can only be looked up once their class exists. */
      g_type_class_ref (GTK_TYPE_WIDGET);
      g_signal_add_emission_hook (g_signal_lookup ("realize", GTK_TYPE_WIDGET), 0,
                                  fix_hook, NULL, NULL);
      g_signal_add_emission_hook (g_signal_lookup ("map", GTK_TYPE_WIDGET), 0,
                                  fix_hook, NULL, NULL);
      g_once_init_leave (&installed, 1);
    }
}
