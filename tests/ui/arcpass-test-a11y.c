/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "arcpass-test-a11y.h"

/* GTK 4.8 has no public getter for an accessible's computed name, but the
 * test API (with GTK_A11Y=test, see tests/meson.build) tells whether the
 * label property or the labelled-by relation is set, which is what a screen
 * reader reads for these roles. */

static gboolean
has_text_label (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && gtk_widget_get_visible (child))
        {
          const char *text = gtk_label_get_text (GTK_LABEL (child));

          if (text && *text)
            return TRUE;
        }
      if (!GTK_IS_IMAGE (child) && has_text_label (child))
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_named (GtkWidget *widget)
{
  GtkAccessible *accessible = GTK_ACCESSIBLE (widget);

  if (gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL))
    return TRUE;
  /* GtkButton points labelled-by at its own child even when that child is
   * an icon, so the relation only counts for other controls. */
  if (!GTK_IS_BUTTON (widget) &&
      gtk_test_accessible_has_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return TRUE;
  if (ADW_IS_PREFERENCES_ROW (widget))
    {
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));

      return title && *title;
    }
  return has_text_label (widget);
}

/* Controls a user operates; their inner parts are not checked separately. */
static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) ||
         GTK_IS_MENU_BUTTON (widget) ||
         GTK_IS_CHECK_BUTTON (widget) ||
         GTK_IS_SWITCH (widget) ||
         GTK_IS_ENTRY (widget) ||
         GTK_IS_PASSWORD_ENTRY (widget) ||
         GTK_IS_SEARCH_ENTRY (widget) ||
         GTK_IS_SPIN_BUTTON (widget) ||
         GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_SCALE (widget) ||
         GTK_IS_TEXT_VIEW (widget) ||
         ADW_IS_ENTRY_ROW (widget) ||
         ADW_IS_COMBO_ROW (widget) ||
         (GTK_IS_TEXT (widget) && gtk_widget_get_focusable (widget));
}

/* Parts of libadwaita/GTK composite widgets that are named by their owner. */
static gboolean
is_internal (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  for (; parent; parent = gtk_widget_get_parent (parent))
    {
      /* AdwPreferencesWindow's own search entry (search is disabled in ours). */
      if (GTK_IS_SEARCH_ENTRY (widget) && ADW_IS_PREFERENCES_WINDOW (parent) &&
          g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), "search_entry") == 0)
        return TRUE;
      /* The text field of an entry row is named by the row's title. */
      if (GTK_IS_TEXT (widget) && ADW_IS_ENTRY_ROW (parent))
        return TRUE;
      /* libadwaita 1.2's own peek button of a password row has only a
       * tooltip; it is not ours to label. */
      if (ADW_IS_PASSWORD_ENTRY_ROW (parent) && GTK_IS_BUTTON (widget) &&
          !gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)) &&
          g_strcmp0 (gtk_widget_get_tooltip_text (widget),
                     g_dgettext ("libadwaita", "Show Text")) == 0)
        return TRUE;
      /* The close/minimize buttons of window controls are named by GTK. */
      if (GTK_IS_WINDOW_CONTROLS (parent))
        return TRUE;
      if (GTK_IS_POPOVER_MENU (parent))
        return TRUE;
    }
  return FALSE;
}

static void
walk (GtkWidget *widget,
      GString   *out)
{
  if (!gtk_widget_get_visible (widget))
    return;

  /* Parts owned by GTK or libadwaita, and whatever is inside them. */
  if (is_control (widget) && is_internal (widget))
    return;

  if (is_control (widget))
    {
      if (!is_named (widget))
        {
          const char *id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget));
          GtkWidget *ancestor = gtk_widget_get_parent (widget);
          const char *ancestor_id = NULL;

          while (ancestor && !ancestor_id)
            {
              ancestor_id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (ancestor));
              ancestor = gtk_widget_get_parent (ancestor);
            }
          g_string_append_printf (out, "%s id=%s (inside %s) icon/tooltip=%s\n",
                                  G_OBJECT_TYPE_NAME (widget),
                                  id ? id : "-",
                                  ancestor_id ? ancestor_id : "-",
                                  gtk_widget_get_tooltip_text (widget) ?: "-");
        }
      /* A combo row's or entry's parts are described by the control itself. */
      if (!ADW_IS_PREFERENCES_ROW (widget))
        return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child;
       child = gtk_widget_get_next_sibling (child))
    walk (child, out);
}

char *
arcpass_test_find_unlabelled (GtkWidget *root)
{
  g_autoptr(GString) out = g_string_new (NULL);

  walk (root, out);

  if (out->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
arcpass_test_assert_labelled (GtkWidget *root)
{
  g_autofree char *unlabelled = arcpass_test_find_unlabelled (root);

  if (unlabelled)
    {
      g_test_message ("Controls without an accessible name in %s:\n%s",
                      G_OBJECT_TYPE_NAME (root), unlabelled);
      g_test_fail ();
    }
}
