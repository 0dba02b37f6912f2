/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "arcpass-test-ui-utils.h"

gboolean
arcpass_test_wait_until (gboolean (*condition) (gpointer data),
                         gpointer   data,
                         guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return condition (data);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static gboolean
never_cb (gpointer data)
{
  return FALSE;
}

void
arcpass_test_spin (guint ms)
{
  arcpass_test_wait_until (never_cb, NULL, ms);
}

static void
frame_cb (GdkFrameClock *clock,
          gboolean      *drawn)
{
  *drawn = TRUE;
}

void
arcpass_test_wait_for_draw (GtkWidget *widget)
{
  GdkFrameClock *clock;
  gboolean drawn = FALSE;
  gulong handler;

  while (!gtk_widget_get_mapped (widget))
    g_main_context_iteration (NULL, TRUE);

  clock = gtk_widget_get_frame_clock (widget);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (frame_cb), &drawn);
  gtk_widget_queue_draw (widget);
  while (!drawn)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
}

char *
arcpass_test_save_screenshot (GtkWidget  *widget,
                              const char *name)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  GskRenderer *renderer;
  int width, height;

  arcpass_test_wait_for_draw (widget);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  /* A window that was just mapped may not have a render node yet: give it a
   * few frames. */
  paintable = gtk_widget_paintable_new (widget);
  for (int i = 0; i < 100 && !node; i++)
    {
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      if (!node)
        arcpass_test_spin (20);
    }
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  dir = g_build_filename (g_getenv ("ARCPASS_BUILD_ROOT") ?: ".", "screenshots", NULL);
  g_mkdir_with_parents (dir, 0755);
  file = g_strconcat (dir, "/", name, ".png", NULL);
  g_assert_true (gdk_texture_save_to_png (texture, file));
  g_test_message ("screenshot saved to %s", file);

  return g_steal_pointer (&file);
}

static gboolean
widget_matches (GtkWidget  *widget,
                GType       type,
                const char *name)
{
  const char *buildable_id;

  if (!g_type_is_a (G_OBJECT_TYPE (widget), type))
    return FALSE;
  if (!name)
    return TRUE;

  buildable_id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget));
  if (buildable_id && g_str_equal (buildable_id, name))
    return TRUE;
  if (g_str_equal (gtk_widget_get_name (widget), name))
    return TRUE;
  return FALSE;
}

GtkWidget *
arcpass_test_find_widget (GtkWidget  *root,
                          GType       type,
                          const char *name)
{
  if (widget_matches (root, type, name))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = arcpass_test_find_widget (child, type, name);

      if (found)
        return found;
    }

  return NULL;
}

GtkWindow *
arcpass_test_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (g_type_is_a (G_OBJECT_TYPE (window), type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

typedef struct {
  GtkWidget *widget;
  int        width;
  int        height;
} SizeWait;

static gboolean
has_size_cb (gpointer data)
{
  SizeWait *wait = data;

  /* The window's frame (and a minimum size larger than asked) make the
   * widget a little different from the size requested. */
  return ABS (gtk_widget_get_width (wait->widget) - wait->width) <= 16 &&
         ABS (gtk_widget_get_height (wait->widget) - wait->height) <= 16;
}

void
arcpass_test_resize (GtkWindow *window,
                     int        width,
                     int        height)
{
  SizeWait wait = { GTK_WIDGET (window), width, height };

  gtk_window_unmaximize (window);
  gtk_window_set_default_size (window, width, height);
  /* Without a window manager the X server grants the size at once; the
   * widgets need a few frames to follow (and the leaflet to fold). */
  if (!arcpass_test_wait_until (has_size_cb, &wait, 5000))
    g_test_message ("window is %dx%d, not %dx%d", gtk_widget_get_width (GTK_WIDGET (window)),
                    gtk_widget_get_height (GTK_WIDGET (window)), width, height);
  arcpass_test_spin (400);
}

void
arcpass_test_save_screenshots (GtkWindow  *window,
                               const char *name)
{
  g_autofree char *wide = g_strconcat (name, "-wide", NULL);
  g_autofree char *narrow = g_strconcat (name, "-narrow", NULL);

  arcpass_test_resize (window, 1280, 800);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (window), wide));
  arcpass_test_resize (window, 360, 720);
  g_free (arcpass_test_save_screenshot (GTK_WIDGET (window), narrow));
  arcpass_test_resize (window, 1280, 800);
}

char *
arcpass_test_free_redirect_uri (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_strdup_printf ("http://127.0.0.1:%u/callback",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
}
