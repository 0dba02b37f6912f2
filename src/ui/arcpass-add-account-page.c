/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arcpass-add-account-page.h"

struct _ArcpassAddAccountPage
{
  AdwBin        parent_instance;

  /* Template widgets */
  AdwActionRow *oauth_row;
  AdwActionRow *browser_row;
  AdwActionRow *api_key_row;
};

G_DEFINE_FINAL_TYPE (ArcpassAddAccountPage, arcpass_add_account_page, ADW_TYPE_BIN)

enum {
  FLOW_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
row_activated_cb (ArcpassAddAccountPage *self,
                  AdwActionRow          *row)
{
  /* The widget name of each row is the flow it starts. */
  g_signal_emit (self, signals[FLOW_CHOSEN], 0, gtk_widget_get_name (GTK_WIDGET (row)));
}

static gboolean
arcpass_add_account_page_grab_focus (GtkWidget *widget)
{
  ArcpassAddAccountPage *self = ARCPASS_ADD_ACCOUNT_PAGE (widget);

  /* Keyboard users land on the first flow that is offered. */
  if (gtk_widget_get_visible (GTK_WIDGET (self->oauth_row)))
    return gtk_widget_grab_focus (GTK_WIDGET (self->oauth_row));
  return gtk_widget_grab_focus (GTK_WIDGET (self->api_key_row));
}

static void
arcpass_add_account_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), ARCPASS_TYPE_ADD_ACCOUNT_PAGE);

  G_OBJECT_CLASS (arcpass_add_account_page_parent_class)->dispose (object);
}

static void
arcpass_add_account_page_class_init (ArcpassAddAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arcpass_add_account_page_dispose;
  widget_class->grab_focus = arcpass_add_account_page_grab_focus;

  signals[FLOW_CHOSEN] = g_signal_new ("flow-chosen",
                                       G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arcpass/Arcpass/arcpass-add-account-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassAddAccountPage, oauth_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAddAccountPage, browser_row);
  gtk_widget_class_bind_template_child (widget_class, ArcpassAddAccountPage, api_key_row);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

static void
arcpass_add_account_page_init (ArcpassAddAccountPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ArcpassAddAccountPage *
arcpass_add_account_page_new (void)
{
  return g_object_new (ARCPASS_TYPE_ADD_ACCOUNT_PAGE, NULL);
}

void
arcpass_add_account_page_set_oauth_available (ArcpassAddAccountPage *self,
                                              gboolean               available)
{
  g_return_if_fail (ARCPASS_IS_ADD_ACCOUNT_PAGE (self));

  gtk_widget_set_visible (GTK_WIDGET (self->oauth_row), available);
  gtk_widget_set_visible (GTK_WIDGET (self->browser_row), available);
}
