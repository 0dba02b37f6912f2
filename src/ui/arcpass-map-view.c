/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib/gi18n.h>

#include "arcpass-core.h"
#include "arcpass-map-view.h"

/* Tiles fetched at the same time. Browsers open about six connections per
 * host; more would only queue inside libsoup and make cancelling less useful. */
#define MAX_CONCURRENT_FETCHES 6
/* The cache is bounded by decoded texture memory: 64 MiB is 64 tiles of
 * 512×512 RGBA, four times what a 1280×800 view shows. */
#define CACHE_MAX_BYTES (64 * 1024 * 1024)
/* How many zoom levels up a loaded ancestor may be used as a placeholder. */
#define PLACEHOLDER_LEVELS 4
/* Web Mercator stops at ±85.0511°, where the world is square. */
#define MAX_LATITUDE 85.05112877980659
/* A press that moves less than this (logical px) is a click, not a drag. */
#define CLICK_SLOP 4.0
#define KEY_PAN_STEP 128.0

typedef enum {
  TILE_QUEUED,
  TILE_LOADING,
  TILE_LOADED,
  TILE_FAILED,
} TileState;

typedef struct _Fetch Fetch;

typedef struct {
  char       *key;
  guint       z;
  guint       y;
  guint       x;
  TileState   state;
  GdkTexture *texture;
  gsize       size;
  char       *error_title;
  char       *error_message;
  Fetch      *fetch;
  GList      *lru_link;
  GList      *queue_link;
} Tile;

/* One network fetch and decode. It outlives the tile when cancelled: the
 * callbacks then only drop it, without touching the view. */
struct _Fetch {
  ArcpassMapView *view;
  Tile           *tile;
  GCancellable   *cancellable;
  ArcpassTokenManager *manager;
};

struct _ArcpassMapView
{
  GtkWidget            parent_instance;

  ArcpassTokenManager *manager;
  char                *template;

  /* The centre in normalised Web Mercator coordinates (0..1 both ways,
   * y growing southwards), so that it does not depend on the zoom. */
  double               mx;
  double               my;
  int                  zoom;

  gboolean             has_marker;
  double               marker_lon;
  double               marker_lat;
  char                *marker_label;

  char                *attribution;

  GHashTable          *tiles;     /* key → Tile (owned) */
  GQueue               queue;     /* Tile, waiting for a fetch slot */
  GQueue               lru;       /* Tile, loaded; head is the most recent */
  gsize                cache_bytes;
  guint                n_loading;
  GPtrArray           *visible;   /* keys, nearest to the centre first */
  GHashTable          *visible_set;

  guint                cancelled_count;
  guint                failed_count;

  /* Gesture state */
  double               drag_start_mx;
  double               drag_start_my;
  gboolean             dragging;
  double               pointer_x;
  double               pointer_y;
  gboolean             has_pointer;
  double               scroll_accumulator;
  int                  pinch_start_zoom;

  /* Template widgets */
  GtkWidget           *zoom_box;
  GtkWidget           *zoom_in_button;
  GtkWidget           *zoom_out_button;
  GtkWidget           *attribution_label;
};

G_DEFINE_FINAL_TYPE (ArcpassMapView, arcpass_map_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LONGITUDE,
  PROP_LATITUDE,
  PROP_ZOOM,
  PROP_ATTRIBUTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_CLICKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_tiles (ArcpassMapView *self);

/* ---- Tile math -------------------------------------------------------------- */

static double
lon_to_mx (double lon)
{
  return (lon + 180.0) / 360.0;
}

static double
lat_to_my (double lat)
{
  double rad = CLAMP (lat, -MAX_LATITUDE, MAX_LATITUDE) * G_PI / 180.0;

  return (1.0 - log (tan (rad) + 1.0 / cos (rad)) / G_PI) / 2.0;
}

static double
mx_to_lon (double mx)
{
  return mx * 360.0 - 180.0;
}

static double
my_to_lat (double my)
{
  return atan (sinh (G_PI * (1.0 - 2.0 * my))) * 180.0 / G_PI;
}

/* The width of the world in logical pixels at the current zoom. */
static double
world_size (ArcpassMapView *self)
{
  return ARCPASS_MAP_VIEW_TILE_SIZE * ldexp (1.0, self->zoom);
}

/* On a 2× display the tiles of the next level are drawn at half their size,
 * so that one PNG pixel is one device pixel and the map stays sharp. */
static int
tile_zoom (ArcpassMapView *self)
{
  int extra = gtk_widget_get_scale_factor (GTK_WIDGET (self)) >= 2 ? 1 : 0;

  return MIN (self->zoom + extra, ARCPASS_MAP_VIEW_MAX_ZOOM);
}

static double
tile_size (ArcpassMapView *self)
{
  return world_size (self) / ldexp (1.0, tile_zoom (self));
}

/* Top-left corner of the view in world pixels, snapped to device pixels so
 * that every tile edge falls on a device pixel and no seam shows. */
static void
view_origin (ArcpassMapView *self,
             double         *left,
             double         *top)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double world = world_size (self);

  *left = round ((self->mx * world - gtk_widget_get_width (GTK_WIDGET (self)) / 2.0) * scale) / scale;
  *top = round ((self->my * world - gtk_widget_get_height (GTK_WIDGET (self)) / 2.0) * scale) / scale;
}

static char *
tile_key (guint z,
          guint y,
          guint x)
{
  return g_strdup_printf ("%u/%u/%u", z, y, x);
}

/* ---- Tiles and the cache ------------------------------------------------------ */

static void
fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->cancellable);
  g_clear_object (&fetch->manager);
  g_free (fetch);
}

static void
tile_free (Tile *tile)
{
  g_free (tile->key);
  g_clear_object (&tile->texture);
  g_free (tile->error_title);
  g_free (tile->error_message);
  g_free (tile);
}

/* Removes @tile from every list and the table, cancelling its fetch. */
static void
drop_tile (ArcpassMapView *self,
           Tile           *tile)
{
  if (tile->fetch != NULL)
    {
      /* The fetch frees itself in its callback; cutting it loose here
       * makes that callback ignore the view. */
      tile->fetch->tile = NULL;
      tile->fetch->view = NULL;
      g_cancellable_cancel (tile->fetch->cancellable);
      tile->fetch = NULL;
      self->n_loading--;
      self->cancelled_count++;
    }
  if (tile->queue_link != NULL)
    {
      g_queue_delete_link (&self->queue, tile->queue_link);
      tile->queue_link = NULL;
    }
  if (tile->lru_link != NULL)
    {
      g_queue_delete_link (&self->lru, tile->lru_link);
      tile->lru_link = NULL;
      self->cache_bytes -= tile->size;
    }
  g_hash_table_remove (self->tiles, tile->key);
}

static void
touch_tile (ArcpassMapView *self,
            Tile           *tile)
{
  if (tile->lru_link == NULL || tile->lru_link == self->lru.head)
    return;
  g_queue_unlink (&self->lru, tile->lru_link);
  g_queue_push_head_link (&self->lru, tile->lru_link);
}

static void
evict (ArcpassMapView *self)
{
  GList *link = self->lru.tail;

  /* Oldest first, but never a tile on screen: a view larger than the cache
   * would otherwise fetch its own tiles over and over. */
  while (self->cache_bytes > CACHE_MAX_BYTES && link != NULL)
    {
      Tile *tile = link->data;
      GList *prev = link->prev;

      if (!g_hash_table_contains (self->visible_set, tile->key))
        drop_tile (self, tile);
      link = prev;
    }
}

static void
set_tile_error (Tile         *tile,
                const GError *error)
{
  const char *privilege;

  tile->state = TILE_FAILED;
  g_clear_pointer (&tile->error_title, g_free);
  g_clear_pointer (&tile->error_message, g_free);
  /* The core's messages may start with "the … service". */
  if (*error->message != '\0')
    {
      GString *message = g_string_new (NULL);

      g_string_append_unichar (message, g_unichar_toupper (g_utf8_get_char (error->message)));
      g_string_append (message, g_utf8_next_char (error->message));
      tile->error_message = g_string_free (message, FALSE);
    }
  else
    tile->error_message = g_strdup ("");

  /* A short headline the size of a tile, the full explanation under it. */
  if (error->domain == ARCPASS_ERROR)
    {
      switch (error->code)
        {
        case ARCPASS_ERROR_MISSING_PRIVILEGE:
          privilege = arcpass_service_get_privilege (ARCPASS_SERVICE_STATIC_TILES);
          tile->error_title = g_strdup_printf (_("403 — missing privilege %s"), privilege);
          return;
        case ARCPASS_ERROR_INVALID_TOKEN:
        case ARCPASS_ERROR_TOKEN_EXPIRED:
        case ARCPASS_ERROR_SIGN_IN_REQUIRED:
          tile->error_title = g_strdup (_("401 — invalid or expired token"));
          return;
        case ARCPASS_ERROR_TOKEN_REQUIRED:
          tile->error_title = g_strdup (_("401 — token required"));
          return;
        case ARCPASS_ERROR_NOT_FOUND:
          tile->error_title = g_strdup (_("404 — no tile here"));
          return;
        case ARCPASS_ERROR_SERVICE_UNAVAILABLE:
          tile->error_title = g_strdup (_("Server error"));
          return;
        case ARCPASS_ERROR_BLOCKED:
          tile->error_title = g_strdup (_("403 — blocked by a firewall or proxy"));
          return;
        case ARCPASS_ERROR_RATE_LIMITED:
          tile->error_title = g_strdup (_("429 — too many requests"));
          return;
        case ARCPASS_ERROR_MOVED:
          tile->error_title = g_strdup (_("Service moved"));
          return;
        case ARCPASS_ERROR_NETWORK:
        case ARCPASS_ERROR_TIMEOUT:
          tile->error_title = g_strdup (_("Service unreachable"));
          return;
        case ARCPASS_ERROR_MALFORMED_RESPONSE:
        case ARCPASS_ERROR_RESPONSE_TOO_LARGE:
          tile->error_title = g_strdup (_("Not a tile image"));
          return;
        default:
          break;
        }
    }
  else if (error->domain == GDK_TEXTURE_ERROR)
    {
      tile->error_title = g_strdup (_("Not a tile image"));
      return;
    }

  tile->error_title = g_strdup (_("Tile failed"));
}

static void start_fetches (ArcpassMapView *self);

static void
finish_fetch (ArcpassMapView *self,
              Tile           *tile)
{
  tile->fetch = NULL;
  self->n_loading--;
  start_fetches (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
decode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GBytes *bytes = task_data;
  GError *error = NULL;
  GdkTexture *texture;

  /* gdk_texture_new_from_bytes() is thread-safe; decoding a 512 px PNG in
   * the main thread would stutter while panning. */
  texture = gdk_texture_new_from_bytes (bytes, &error);
  if (texture == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, texture, g_object_unref);
}

static void
decode_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fetch *fetch = user_data;
  ArcpassMapView *self = fetch->view;
  Tile *tile = fetch->tile;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  texture = g_task_propagate_pointer (G_TASK (result), &error);
  if (self == NULL || g_cancellable_is_cancelled (fetch->cancellable))
    {
      fetch_free (fetch);
      return;
    }

  if (texture == NULL)
    {
      /* The decoder's message ("Unrecognized image file format") does not
       * say whose answer it was. */
      g_autoptr(GError) unusable = NULL;

      /* Translators: the first %s is a service such as “the Static Basemap
       * Tiles service” (its first letter is made upper case), the second
       * the image decoder's message. */
      unusable = g_error_new (ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                              _("%s sent something that is not a tile image (%s)."),
                              arcpass_service_get_name (ARCPASS_SERVICE_STATIC_TILES),
                              error->message);
      set_tile_error (tile, unusable);
      self->failed_count++;
    }
  else
    {
      tile->state = TILE_LOADED;
      tile->texture = g_steal_pointer (&texture);
      tile->size = (gsize) gdk_texture_get_width (tile->texture) *
                   (gsize) gdk_texture_get_height (tile->texture) * 4;
      g_queue_push_head (&self->lru, tile);
      tile->lru_link = self->lru.head;
      self->cache_bytes += tile->size;
    }

  finish_fetch (self, tile);
  fetch_free (fetch);
  evict (self);
}

static void
fetch_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Fetch *fetch = user_data;
  ArcpassMapView *self = fetch->view;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  bytes = arcpass_token_manager_request_bytes_finish (ARCPASS_TOKEN_MANAGER (object), result,
                                                      NULL, &error);
  if (self == NULL || g_cancellable_is_cancelled (fetch->cancellable))
    {
      fetch_free (fetch);
      return;
    }

  if (bytes == NULL)
    {
      set_tile_error (fetch->tile, error);
      self->failed_count++;
      finish_fetch (self, fetch->tile);
      fetch_free (fetch);
      return;
    }

  task = g_task_new (NULL, fetch->cancellable, decode_cb, fetch);
  g_task_set_source_tag (task, fetch_cb);
  g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, decode_thread);
}

static char *
build_tile_url (const char *template,
                guint       z,
                guint       y,
                guint       x)
{
  g_autoptr(GString) url = g_string_new (template);
  char number[16];

  g_snprintf (number, sizeof number, "%u", z);
  g_string_replace (url, "{z}", number, 0);
  g_snprintf (number, sizeof number, "%u", y);
  g_string_replace (url, "{y}", number, 0);
  g_snprintf (number, sizeof number, "%u", x);
  g_string_replace (url, "{x}", number, 0);

  return g_string_free (g_steal_pointer (&url), FALSE);
}

static void
start_fetches (ArcpassMapView *self)
{
  while (self->n_loading < MAX_CONCURRENT_FETCHES && self->queue.length > 0)
    {
      Tile *tile = g_queue_pop_head (&self->queue);
      g_autofree char *url = build_tile_url (self->template, tile->z, tile->y, tile->x);
      Fetch *fetch = g_new0 (Fetch, 1);

      tile->queue_link = NULL;
      tile->state = TILE_LOADING;
      tile->fetch = fetch;
      fetch->view = self;
      fetch->tile = tile;
      fetch->cancellable = g_cancellable_new ();
      fetch->manager = g_object_ref (self->manager);
      self->n_loading++;

      /* The token goes in the X-Esri-Authorization header (the core's
       * default), never in the tile URL. */
      arcpass_token_manager_request_bytes_async (self->manager,
                                                 ARCPASS_SERVICE_STATIC_TILES,
                                                 url, NULL,
                                                 ARCPASS_REQUEST_NO_F_JSON,
                                                 fetch->cancellable,
                                                 fetch_cb, fetch);
    }
}

static void
clear_tiles (ArcpassMapView *self)
{
  GHashTableIter iter;
  Tile *tile;

  g_hash_table_iter_init (&iter, self->tiles);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &tile))
    {
      if (tile->fetch != NULL)
        {
          tile->fetch->tile = NULL;
          tile->fetch->view = NULL;
          g_cancellable_cancel (tile->fetch->cancellable);
          tile->fetch = NULL;
        }
    }
  g_hash_table_remove_all (self->tiles);
  g_queue_clear (&self->queue);
  g_queue_clear (&self->lru);
  self->cache_bytes = 0;
  self->n_loading = 0;
  g_ptr_array_set_size (self->visible, 0);
  g_hash_table_remove_all (self->visible_set);
}

typedef struct {
  guint  y;
  guint  x;
  double distance;
} Slot;

static int
compare_slots (gconstpointer a,
               gconstpointer b)
{
  const Slot *sa = a;
  const Slot *sb = b;

  return (sa->distance > sb->distance) - (sa->distance < sb->distance);
}

/* Works out which tiles the view shows, cancels fetches of tiles that left
 * it and queues the missing ones, nearest to the centre first. */
static void
update_tiles (ArcpassMapView *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  int tz = tile_zoom (self);
  double ts = tile_size (self);
  gint64 n = (gint64) 1 << tz;
  double left, top;
  gint64 x0, x1, y0, y1;
  g_autoptr(GArray) slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  g_autoptr(GPtrArray) stale = g_ptr_array_new ();
  GHashTableIter iter;
  Tile *tile;

  g_ptr_array_set_size (self->visible, 0);
  g_hash_table_remove_all (self->visible_set);

  if (self->manager != NULL && self->template != NULL && width > 0 && height > 0)
    {
      view_origin (self, &left, &top);
      x0 = (gint64) floor (left / ts);
      x1 = (gint64) floor ((left + width - 1) / ts);
      y0 = MAX ((gint64) floor (top / ts), 0);
      y1 = MIN ((gint64) floor ((top + height - 1) / ts), n - 1);

      for (gint64 y = y0; y <= y1; y++)
        for (gint64 x = x0; x <= x1; x++)
          {
            /* The world repeats east and west. */
            Slot slot = { (guint) y, (guint) (((x % n) + n) % n), 0 };
            double dx = (x + 0.5) * ts - (left + width / 2.0);
            double dy = (y + 0.5) * ts - (top + height / 2.0);

            slot.distance = dx * dx + dy * dy;
            g_array_append_val (slots, slot);
          }
      g_array_sort (slots, compare_slots);

      for (guint i = 0; i < slots->len; i++)
        {
          Slot *slot = &g_array_index (slots, Slot, i);
          char *key = tile_key ((guint) tz, slot->y, slot->x);

          if (g_hash_table_contains (self->visible_set, key))
            {
              g_free (key);
              continue;
            }
          g_ptr_array_add (self->visible, key);
          g_hash_table_add (self->visible_set, key);
        }
    }

  /* Fetches and failures that are no longer on screen go away: a failed
   * tile is tried again when it comes back into view. */
  g_hash_table_iter_init (&iter, self->tiles);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &tile))
    if (tile->state != TILE_LOADED && !g_hash_table_contains (self->visible_set, tile->key))
      g_ptr_array_add (stale, tile);
  for (guint i = 0; i < stale->len; i++)
    drop_tile (self, g_ptr_array_index (stale, i));

  /* Requeue in distance order. */
  while (self->queue.length > 0)
    {
      tile = g_queue_pop_head (&self->queue);
      tile->queue_link = NULL;
    }
  for (guint i = 0; i < self->visible->len; i++)
    {
      const char *key = g_ptr_array_index (self->visible, i);

      tile = g_hash_table_lookup (self->tiles, key);
      if (tile == NULL)
        {
          tile = g_new0 (Tile, 1);
          tile->key = g_strdup (key);
          tile->z = (guint) tz;
          if (sscanf (key, "%*u/%u/%u", &tile->y, &tile->x) != 2)
            g_assert_not_reached ();
          tile->state = TILE_QUEUED;
          g_hash_table_insert (self->tiles, tile->key, tile);
        }
      if (tile->state == TILE_QUEUED)
        {
          g_queue_push_tail (&self->queue, tile);
          tile->queue_link = self->queue.tail;
        }
      else if (tile->state == TILE_LOADED)
        touch_tile (self, tile);
    }

  start_fetches (self);
  evict (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- Moving ------------------------------------------------------------------ */

static void
set_center_normalized (ArcpassMapView *self,
                       double          mx,
                       double          my,
                       gboolean        force)
{
  double old_lon = mx_to_lon (self->mx);
  double old_lat = my_to_lat (self->my);

  /* Longitude wraps around; latitude stops at the Mercator limit. */
  mx = mx - floor (mx);
  my = CLAMP (my, lat_to_my (MAX_LATITUDE), lat_to_my (-MAX_LATITUDE));
  if (!force && mx == self->mx && my == self->my)
    return;

  self->mx = mx;
  self->my = my;
  update_tiles (self);

  if (mx_to_lon (mx) != old_lon)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LONGITUDE]);
  if (my_to_lat (my) != old_lat)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LATITUDE]);
}

/* Zooms keeping the point at (@px, @py) in the view where it is. */
static void
zoom_at (ArcpassMapView *self,
         int             zoom,
         double          px,
         double          py)
{
  double world, wx, wy;
  double dx = px - gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  double dy = py - gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;

  zoom = CLAMP (zoom, ARCPASS_MAP_VIEW_MIN_ZOOM, ARCPASS_MAP_VIEW_MAX_ZOOM);
  if (zoom == self->zoom)
    return;

  world = world_size (self);
  wx = (self->mx * world + dx) / world;
  wy = (self->my * world + dy) / world;

  self->zoom = zoom;
  world = world_size (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "map.zoom-in", zoom < ARCPASS_MAP_VIEW_MAX_ZOOM);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "map.zoom-out", zoom > ARCPASS_MAP_VIEW_MIN_ZOOM);

  /* The view changed even when the centre did not. */
  set_center_normalized (self, wx - dx / world, wy - dy / world, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ArcpassMapView *self = ARCPASS_MAP_VIEW (widget);
  int delta = g_str_equal (action_name, "map.zoom-in") ? 1 : -1;

  zoom_at (self, self->zoom + delta,
           gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0);
}

static void
pan_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  double dx, dy;

  g_variant_get (parameter, "(dd)", &dx, &dy);
  arcpass_map_view_pan_by (ARCPASS_MAP_VIEW (widget), dx, dy);
}

/* The keyboard's click: the point under the centre of the view, where the
 * arrow keys bring what the user wants. */
static void
click_center_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ArcpassMapView *self = ARCPASS_MAP_VIEW (widget);

  g_signal_emit (self, signals[SIGNAL_CLICKED], 0,
                 arcpass_map_view_get_longitude (self), arcpass_map_view_get_latitude (self));
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               ArcpassMapView *self)
{
  self->drag_start_mx = self->mx;
  self->drag_start_my = self->my;
  self->dragging = FALSE;
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                ArcpassMapView *self)
{
  double world = world_size (self);

  if (!self->dragging && hypot (dx, dy) < CLICK_SLOP)
    return;
  if (!self->dragging)
    {
      self->dragging = TRUE;
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
    }
  set_center_normalized (self, self->drag_start_mx - dx / world, self->drag_start_my - dy / world, FALSE);
}

static void
drag_end_cb (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             ArcpassMapView *self)
{
  double sx, sy, world, left, top;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (self->dragging)
    {
      self->dragging = FALSE;
      gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
      return;
    }

  gtk_gesture_drag_get_start_point (gesture, &sx, &sy);
  world = world_size (self);
  left = self->mx * world - gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  top = self->my * world - gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
  g_signal_emit (self, signals[SIGNAL_CLICKED], 0,
                 mx_to_lon (fmod ((left + sx) / world + 1.0, 1.0)),
                 my_to_lat (CLAMP ((top + sy) / world, 0.0, 1.0)));
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           ArcpassMapView           *self)
{
  double px = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  double py = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
  int steps;

  if (self->has_pointer)
    {
      px = self->pointer_x;
      py = self->pointer_y;
    }

  /* Touchpads send small fractions; one zoom level per whole wheel step. */
  self->scroll_accumulator += dy;
  steps = (int) trunc (self->scroll_accumulator);
  if (steps == 0)
    return GDK_EVENT_STOP;
  self->scroll_accumulator -= steps;
  zoom_at (self, self->zoom - steps, px, py);

  return GDK_EVENT_STOP;
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           ArcpassMapView           *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->has_pointer = TRUE;
}

static void
leave_cb (GtkEventControllerMotion *controller,
          ArcpassMapView           *self)
{
  self->has_pointer = FALSE;
}

static void
pinch_begin_cb (GtkGesture       *gesture,
                GdkEventSequence *sequence,
                ArcpassMapView   *self)
{
  self->pinch_start_zoom = self->zoom;
}

static void
pinch_scale_changed_cb (GtkGestureZoom *gesture,
                        double          scale,
                        ArcpassMapView *self)
{
  double cx, cy;

  if (scale <= 0)
    return;
  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy))
    {
      cx = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      cy = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  /* Tiles exist only at whole levels: snap the pinch to the nearest one. */
  zoom_at (self, self->pinch_start_zoom + (int) round (log2 (scale)), cx, cy);
}

static void
scale_factor_cb (ArcpassMapView *self)
{
  update_tiles (self);
}

/* ---- Drawing ------------------------------------------------------------------- */

static gboolean
snapshot_placeholder (ArcpassMapView  *self,
                      GtkSnapshot     *snapshot,
                      guint            z,
                      guint            y,
                      guint            x,
                      const graphene_rect_t *rect)
{
  for (guint d = 1; d <= PLACEHOLDER_LEVELS && d <= z; d++)
    {
      g_autofree char *key = tile_key (z - d, y >> d, x >> d);
      Tile *parent = g_hash_table_lookup (self->tiles, key);
      guint mask = (1u << d) - 1;
      double size;

      if (parent == NULL || parent->state != TILE_LOADED)
        continue;

      /* The matching quarter (sixteenth, …) of the parent, scaled up. */
      size = rect->size.width * (1u << d);
      gtk_snapshot_push_clip (snapshot, rect);
      gtk_snapshot_append_texture (snapshot, parent->texture,
                                   &GRAPHENE_RECT_INIT (rect->origin.x - (x & mask) * rect->size.width,
                                                        rect->origin.y - (y & mask) * rect->size.height,
                                                        size, size));
      gtk_snapshot_pop (snapshot);
      return TRUE;
    }

  return FALSE;
}

static void
snapshot_failed_tile (ArcpassMapView        *self,
                      GtkSnapshot           *snapshot,
                      Tile                  *tile,
                      const graphene_rect_t *rect)
{
  static const GdkRGBA grey = { 0.80, 0.81, 0.82, 1.0 };
  static const GdkRGBA edge = { 0.70, 0.71, 0.72, 1.0 };
  static const GdkRGBA ink = { 0.20, 0.20, 0.22, 1.0 };
  g_autoptr(GString) markup = g_string_new (NULL);
  g_autofree char *title = g_markup_escape_text (tile->error_title, -1);
  g_autofree char *message = g_markup_escape_text (tile->error_message, -1);
  PangoLayout *layout;
  int text_width, text_height;
  double margin = MIN (24.0, rect->size.width / 10);
  const float widths[4] = { 1, 1, 1, 1 };
  const GdkRGBA edges[4] = { edge, edge, edge, edge };
  graphene_rect_t shown;

  gtk_snapshot_append_color (snapshot, &grey, rect);
  gtk_snapshot_append_border (snapshot, &GSK_ROUNDED_RECT_INIT (rect->origin.x, rect->origin.y,
                                                                 rect->size.width, rect->size.height),
                              widths, edges);

  g_string_append_printf (markup, "<b>⚠ %s</b>\n<small>%s</small>", title, message);
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  pango_layout_set_markup (layout, markup->str, -1);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_width (layout, (int) ((rect->size.width - 2 * margin) * PANGO_SCALE));
  pango_layout_set_height (layout, (int) ((rect->size.height - 2 * margin) * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (layout, &text_width, &text_height);

  /* Centred in the part of the tile that is on screen, so that the text of
   * a tile cut by the edge of the view can still be read. */
  if (!graphene_rect_intersection (rect,
                                   &GRAPHENE_RECT_INIT (0, 0,
                                                        gtk_widget_get_width (GTK_WIDGET (self)),
                                                        gtk_widget_get_height (GTK_WIDGET (self))),
                                   &shown))
    shown = *rect;
  gtk_snapshot_push_clip (snapshot, rect);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (rect->origin.x + margin,
                                                shown.origin.y + MAX (margin, (shown.size.height - text_height) / 2)));
  gtk_snapshot_append_layout (snapshot, layout, &ink);
  gtk_snapshot_restore (snapshot);
  gtk_snapshot_pop (snapshot);
  g_object_unref (layout);
}

static void
snapshot_marker (ArcpassMapView *self,
                 GtkSnapshot    *snapshot,
                 double          left,
                 double          top)
{
  static const GdkRGBA red = { 0.88, 0.11, 0.14, 1.0 };
  static const GdkRGBA white = { 1, 1, 1, 1 };
  static const GdkRGBA label_bg = { 1, 1, 1, 0.9 };
  static const GdkRGBA ink = { 0.1, 0.1, 0.1, 1.0 };
  double world = world_size (self);
  double wx = lon_to_mx (self->marker_lon) * world;
  double px, py;
  GskRoundedRect outer, inner;

  /* The copy of the world nearest to the view centre. */
  wx += round ((self->mx * world - wx) / world) * world;
  px = wx - left;
  py = lat_to_my (self->marker_lat) * world - top;

  gsk_rounded_rect_init_from_rect (&outer, &GRAPHENE_RECT_INIT (px - 9, py - 9, 18, 18), 9);
  gsk_rounded_rect_init_from_rect (&inner, &GRAPHENE_RECT_INIT (px - 6, py - 6, 12, 12), 6);
  gtk_snapshot_push_rounded_clip (snapshot, &outer);
  gtk_snapshot_append_color (snapshot, &white, &outer.bounds);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_push_rounded_clip (snapshot, &inner);
  gtk_snapshot_append_color (snapshot, &red, &inner.bounds);
  gtk_snapshot_pop (snapshot);

  if (self->marker_label != NULL && *self->marker_label != '\0')
    {
      PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->marker_label);
      int w, h;
      GskRoundedRect pill;

      pango_layout_set_width (layout, 320 * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_get_pixel_size (layout, &w, &h);
      gsk_rounded_rect_init_from_rect (&pill, &GRAPHENE_RECT_INIT (px + 14, py - h / 2.0 - 4, w + 12, h + 8), 6);
      gtk_snapshot_push_rounded_clip (snapshot, &pill);
      gtk_snapshot_append_color (snapshot, &label_bg, &pill.bounds);
      gtk_snapshot_pop (snapshot);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (px + 20, py - h / 2.0));
      gtk_snapshot_append_layout (snapshot, layout, &ink);
      gtk_snapshot_restore (snapshot);
      g_object_unref (layout);
    }
}

static void
arcpass_map_view_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  static const GdkRGBA background = { 0.87, 0.89, 0.91, 1.0 };
  static const GdkRGBA loading = { 0.92, 0.93, 0.94, 1.0 };
  static const GdkRGBA attribution_bg = { 1, 1, 1, 0.75 };
  ArcpassMapView *self = ARCPASS_MAP_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int tz = tile_zoom (self);
  double ts = tile_size (self);
  gint64 n = (gint64) 1 << tz;
  double left, top;

  gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->template != NULL && width > 0 && height > 0)
    {
      gint64 x0, x1, y0, y1;

      view_origin (self, &left, &top);
      x0 = (gint64) floor (left / ts);
      x1 = (gint64) floor ((left + width - 1) / ts);
      y0 = MAX ((gint64) floor (top / ts), 0);
      y1 = MIN ((gint64) floor ((top + height - 1) / ts), n - 1);

      for (gint64 y = y0; y <= y1; y++)
        for (gint64 x = x0; x <= x1; x++)
          {
            guint wx = (guint) (((x % n) + n) % n);
            g_autofree char *key = tile_key ((guint) tz, (guint) y, wx);
            Tile *tile = g_hash_table_lookup (self->tiles, key);
            graphene_rect_t rect = GRAPHENE_RECT_INIT (x * ts - left, y * ts - top, ts, ts);

            if (tile != NULL && tile->state == TILE_LOADED)
              gtk_snapshot_append_texture (snapshot, tile->texture, &rect);
            else if (tile != NULL && tile->state == TILE_FAILED)
              snapshot_failed_tile (self, snapshot, tile, &rect);
            else if (!snapshot_placeholder (self, snapshot, (guint) tz, (guint) y, wx, &rect))
              gtk_snapshot_append_color (snapshot, &loading, &rect);
          }

      if (self->has_marker)
        snapshot_marker (self, snapshot, left, top);
    }

  if (gtk_widget_get_visible (self->attribution_label))
    {
      graphene_rect_t bounds;

      /* The label's margins are its padding on this background. */
      if (gtk_widget_compute_bounds (self->attribution_label, widget, &bounds))
        gtk_snapshot_append_color (snapshot, &attribution_bg,
                                   &GRAPHENE_RECT_INIT (bounds.origin.x - 6, bounds.origin.y - 2,
                                                        bounds.size.width + 12, bounds.size.height + 4));
    }

  gtk_widget_snapshot_child (widget, self->attribution_label, snapshot);
  gtk_widget_snapshot_child (widget, self->zoom_box, snapshot);
}

static void
arcpass_map_view_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  ArcpassMapView *self = ARCPASS_MAP_VIEW (widget);
  int box_min, label_min;

  gtk_widget_measure (self->zoom_box, orientation, -1, &box_min, NULL, NULL, NULL);
  gtk_widget_measure (self->attribution_label, orientation, -1, &label_min, NULL, NULL, NULL);

  if (orientation == GTK_ORIENTATION_VERTICAL)
    *minimum = box_min + label_min;
  else
    *minimum = MAX (box_min, label_min);
  *natural = MAX (*minimum, ARCPASS_MAP_VIEW_TILE_SIZE);
}

static void
allocate_in_corner (GtkWidget *child,
                    int        width,
                    int        height)
{
  GtkRequisition natural;
  int x, y, w, h;

  if (!gtk_widget_should_layout (child))
    return;

  /* gtk_widget_allocate() adds the child's margins itself; halign/valign
   * (set in the template) put it in a corner of the full area. */
  gtk_widget_get_preferred_size (child, NULL, &natural);
  w = MIN (natural.width, width);
  h = MIN (natural.height, height);
  x = gtk_widget_get_halign (child) == GTK_ALIGN_END ? width - w : 0;
  y = gtk_widget_get_valign (child) == GTK_ALIGN_END ? height - h : 0;
  gtk_widget_size_allocate (child, &(GtkAllocation) { x, y, w, h }, -1);
}

static void
arcpass_map_view_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  ArcpassMapView *self = ARCPASS_MAP_VIEW (widget);

  allocate_in_corner (self->zoom_box, width, height);
  allocate_in_corner (self->attribution_label, width, height);
  update_tiles (self);
}

/* ---- Object -------------------------------------------------------------------- */

static void
arcpass_map_view_dispose (GObject *object)
{
  ArcpassMapView *self = (ArcpassMapView *)object;

  clear_tiles (self);
  g_clear_object (&self->manager);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARCPASS_TYPE_MAP_VIEW);

  G_OBJECT_CLASS (arcpass_map_view_parent_class)->dispose (object);
}

static void
arcpass_map_view_finalize (GObject *object)
{
  ArcpassMapView *self = (ArcpassMapView *)object;

  g_clear_pointer (&self->tiles, g_hash_table_unref);
  g_clear_pointer (&self->visible_set, g_hash_table_unref);
  g_clear_pointer (&self->visible, g_ptr_array_unref);
  g_free (self->template);
  g_free (self->marker_label);
  g_free (self->attribution);

  G_OBJECT_CLASS (arcpass_map_view_parent_class)->finalize (object);
}

static void
arcpass_map_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ArcpassMapView *self = ARCPASS_MAP_VIEW (object);

  switch (prop_id)
    {
    case PROP_LONGITUDE:
      g_value_set_double (value, arcpass_map_view_get_longitude (self));
      break;
    case PROP_LATITUDE:
      g_value_set_double (value, arcpass_map_view_get_latitude (self));
      break;
    case PROP_ZOOM:
      g_value_set_int (value, self->zoom);
      break;
    case PROP_ATTRIBUTION:
      g_value_set_string (value, self->attribution);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_map_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ArcpassMapView *self = ARCPASS_MAP_VIEW (object);

  switch (prop_id)
    {
    case PROP_LONGITUDE:
      arcpass_map_view_set_center (self, g_value_get_double (value), arcpass_map_view_get_latitude (self));
      break;
    case PROP_LATITUDE:
      arcpass_map_view_set_center (self, arcpass_map_view_get_longitude (self), g_value_get_double (value));
      break;
    case PROP_ZOOM:
      arcpass_map_view_set_zoom (self, g_value_get_int (value));
      break;
    case PROP_ATTRIBUTION:
      arcpass_map_view_set_attribution (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_map_view_class_init (ArcpassMapViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arcpass_map_view_dispose;
  object_class->finalize = arcpass_map_view_finalize;
  object_class->get_property = arcpass_map_view_get_property;
  object_class->set_property = arcpass_map_view_set_property;

  widget_class->snapshot = arcpass_map_view_snapshot;
  widget_class->measure = arcpass_map_view_measure;
  widget_class->size_allocate = arcpass_map_view_size_allocate;

  properties[PROP_LONGITUDE] =
    g_param_spec_double ("longitude", NULL, NULL,
                         -180.0, 180.0, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LATITUDE] =
    g_param_spec_double ("latitude", NULL, NULL,
                         -90.0, 90.0, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_int ("zoom", NULL, NULL,
                      ARCPASS_MAP_VIEW_MIN_ZOOM, ARCPASS_MAP_VIEW_MAX_ZOOM, 2,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ATTRIBUTION] =
    g_param_spec_string ("attribution", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ArcpassMapView::clicked:
   * @lon: longitude of the clicked point
   * @lat: latitude of the clicked point
   *
   * A primary-button click that did not turn into a drag, or Enter or Space
   * (for the centre of the view).
   */
  signals[SIGNAL_CLICKED] =
    g_signal_new ("clicked",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/arcpass/Arcpass/arcpass-map-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ArcpassMapView, zoom_box);
  gtk_widget_class_bind_template_child (widget_class, ArcpassMapView, zoom_in_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassMapView, zoom_out_button);
  gtk_widget_class_bind_template_child (widget_class, ArcpassMapView, attribution_label);

  gtk_widget_class_install_action (widget_class, "map.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "map.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "map.pan", "(dd)", pan_action);
  gtk_widget_class_install_action (widget_class, "map.click-center", NULL, click_center_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "map.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "map.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "map.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "map.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "map.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "map.pan", "(dd)", -KEY_PAN_STEP, 0.0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "map.pan", "(dd)", KEY_PAN_STEP, 0.0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "map.pan", "(dd)", 0.0, -KEY_PAN_STEP);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "map.pan", "(dd)", 0.0, KEY_PAN_STEP);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "map.click-center", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "map.click-center", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "map.click-center", NULL);

  gtk_widget_class_set_css_name (widget_class, "arcpass-map-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
arcpass_map_view_init (ArcpassMapView *self)
{
  GtkGesture *drag;
  GtkGesture *pinch;
  GtkEventController *scroll;
  GtkEventController *motion;

  self->tiles = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) tile_free);
  self->visible = g_ptr_array_new_with_free_func (g_free);
  self->visible_set = g_hash_table_new (g_str_hash, g_str_equal);
  self->zoom = 2;
  self->mx = 0.5;
  self->my = 0.5;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Map"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Drag or use the arrow keys to pan, scroll or press plus and minus to zoom"),
                                  -1);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  pinch = gtk_gesture_zoom_new ();
  g_signal_connect (pinch, "begin", G_CALLBACK (pinch_begin_cb), self);
  g_signal_connect (pinch, "scale-changed", G_CALLBACK (pinch_scale_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (pinch));

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (scale_factor_cb), NULL);
}

/* ---- Public API ------------------------------------------------------------------ */

ArcpassMapView *
arcpass_map_view_new (void)
{
  return g_object_new (ARCPASS_TYPE_MAP_VIEW, NULL);
}

void
arcpass_map_view_set_source (ArcpassMapView      *self,
                             ArcpassTokenManager *manager,
                             const char          *tile_url_template)
{
  g_return_if_fail (ARCPASS_IS_MAP_VIEW (self));
  g_return_if_fail (manager == NULL || ARCPASS_IS_TOKEN_MANAGER (manager));

  if (manager == NULL || tile_url_template == NULL)
    {
      manager = NULL;
      tile_url_template = NULL;
    }

  clear_tiles (self);
  self->cancelled_count = 0;
  self->failed_count = 0;
  g_set_object (&self->manager, manager);
  g_free (self->template);
  self->template = g_strdup (tile_url_template);
  update_tiles (self);
}

void
arcpass_map_view_set_center (ArcpassMapView *self,
                             double          lon,
                             double          lat)
{
  g_return_if_fail (ARCPASS_IS_MAP_VIEW (self));

  set_center_normalized (self, lon_to_mx (lon), lat_to_my (lat), FALSE);
}

double
arcpass_map_view_get_longitude (ArcpassMapView *self)
{
  g_return_val_if_fail (ARCPASS_IS_MAP_VIEW (self), 0.0);

  return mx_to_lon (self->mx);
}

double
arcpass_map_view_get_latitude (ArcpassMapView *self)
{
  g_return_val_if_fail (ARCPASS_IS_MAP_VIEW (self), 0.0);

  return my_to_lat (self->my);
}

void
arcpass_map_view_set_zoom (ArcpassMapView *self,
                           int             zoom)
{
  g_return_if_fail (ARCPASS_IS_MAP_VIEW (self));

  zoom_at (self, zoom,
           gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
           gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

int
arcpass_map_view_get_zoom (ArcpassMapView *self)
{
  g_return_val_if_fail (ARCPASS_IS_MAP_VIEW (self), 0);

  return self->zoom;
}

void
arcpass_map_view_pan_by (ArcpassMapView *self,
                         double          dx,
                         double          dy)
{
  double world;

  g_return_if_fail (ARCPASS_IS_MAP_VIEW (self));

  world = world_size (self);
  set_center_normalized (self, self->mx + dx / world, self->my + dy / world, FALSE);
}

void
arcpass_map_view_set_marker (ArcpassMapView *self,
                             double          lon,
                             double          lat,
                             const char     *label)
{
  g_return_if_fail (ARCPASS_IS_MAP_VIEW (self));

  self->has_marker = TRUE;
  self->marker_lon = lon;
  self->marker_lat = lat;
  g_free (self->marker_label);
  self->marker_label = g_strdup (label);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
arcpass_map_view_clear_marker (ArcpassMapView *self)
{
  g_return_if_fail (ARCPASS_IS_MAP_VIEW (self));

  self->has_marker = FALSE;
  g_clear_pointer (&self->marker_label, g_free);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
arcpass_map_view_set_attribution (ArcpassMapView *self,
                                  const char     *text)
{
  g_return_if_fail (ARCPASS_IS_MAP_VIEW (self));

  if (g_strcmp0 (self->attribution, text) == 0)
    return;

  g_free (self->attribution);
  self->attribution = g_strdup (text);
  gtk_label_set_text (GTK_LABEL (self->attribution_label), text ? text : "");
  gtk_widget_set_tooltip_text (self->attribution_label, text);
  gtk_widget_set_visible (self->attribution_label, text != NULL && *text != '\0');
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTRIBUTION]);
}

const char *
arcpass_map_view_get_attribution (ArcpassMapView *self)
{
  g_return_val_if_fail (ARCPASS_IS_MAP_VIEW (self), NULL);

  return self->attribution;
}

guint
arcpass_map_view_get_visible_tile_count (ArcpassMapView *self)
{
  g_return_val_if_fail (ARCPASS_IS_MAP_VIEW (self), 0);

  return self->visible->len;
}

static int
compare_keys (const void *a,
              const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Sorted, so that tests can compare them with an expected list. */
GStrv
arcpass_map_view_get_visible_tile_keys (ArcpassMapView *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GStrv keys;

  g_return_val_if_fail (ARCPASS_IS_MAP_VIEW (self), NULL);

  for (guint i = 0; i < self->visible->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->visible, i));
  keys = g_strv_builder_end (builder);
  qsort (keys, g_strv_length (keys), sizeof (char *), compare_keys);
  return keys;
}

guint
arcpass_map_view_get_loaded_count (ArcpassMapView *self)
{
  guint count = 0;

  g_return_val_if_fail (ARCPASS_IS_MAP_VIEW (self), 0);

  for (guint i = 0; i < self->visible->len; i++)
    {
      Tile *tile = g_hash_table_lookup (self->tiles, g_ptr_array_index (self->visible, i));

      if (tile != NULL && tile->state == TILE_LOADED)
        count++;
    }
  return count;
}

guint
arcpass_map_view_get_pending_count (ArcpassMapView *self)
{
  g_return_val_if_fail (ARCPASS_IS_MAP_VIEW (self), 0);

  return self->n_loading + self->queue.length;
}

guint
arcpass_map_view_get_cancelled_count (ArcpassMapView *self)
{
  g_return_val_if_fail (ARCPASS_IS_MAP_VIEW (self), 0);

  return self->cancelled_count;
}

guint
arcpass_map_view_get_failed_count (ArcpassMapView *self)
{
  g_return_val_if_fail (ARCPASS_IS_MAP_VIEW (self), 0);

  return self->failed_count;
}

guint
arcpass_map_view_get_cache_size (ArcpassMapView *self)
{
  g_return_val_if_fail (ARCPASS_IS_MAP_VIEW (self), 0);

  return self->lru.length;
}

const char *
arcpass_map_view_get_tile_error (ArcpassMapView *self,
                                 const char     *key)
{
  Tile *tile;

  g_return_val_if_fail (ARCPASS_IS_MAP_VIEW (self), NULL);

  tile = g_hash_table_lookup (self->tiles, key);
  if (tile == NULL || tile->state != TILE_FAILED)
    return NULL;
  return tile->error_title;
}

const char *
arcpass_map_view_get_tile_error_detail (ArcpassMapView *self,
                                        const char     *key)
{
  Tile *tile;

  g_return_val_if_fail (ARCPASS_IS_MAP_VIEW (self), NULL);

  tile = g_hash_table_lookup (self->tiles, key);
  if (tile == NULL || tile->state != TILE_FAILED)
    return NULL;
  return tile->error_message;
}
