/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <cairo.h>

#include "arcpass-sandbox-private.h"
#include "arcpass-sandbox-resources.h"

/* Static tiles: 512×512 px, Web Mercator, drawn from a coarse hand-made land
 * outline, a graticule and the gazetteer. Everything is computed in global
 * pixel coordinates of the zoom level, so neighbouring tiles join without a
 * seam, and labels are placed once for the whole world (greedy, in a fixed
 * order), so a label crossing a tile border is drawn identically by both
 * tiles. This file runs in worker threads: all shared data is immutable. */

#define TILE_SIZE   512
#define MAX_LAT     85.05112878
#define CLIP_MARGIN 64.0

typedef struct
{
  double r, g, b;
} Rgb;

struct _SbTileStyle
{
  const char *key;
  Rgb         water;
  Rgb         land;
  Rgb         land_alt;   /* second land colour for latitude tints */
  Rgb         coast;
  Rgb         grid;
  Rgb         lake;
  Rgb         text;
  Rgb         halo;
  Rgb         dot;
  gboolean    tinted;     /* land coloured by latitude (imagery, terrain) */
};

#define RGB(hex) { ((hex) >> 16 & 0xff) / 255.0, ((hex) >> 8 & 0xff) / 255.0, ((hex) & 0xff) / 255.0 }

static const SbTileStyle tile_styles[] = {
  { "light",    RGB (0xaad3df), RGB (0xf2efe9), RGB (0xf2efe9), RGB (0x8fb8c8), RGB (0xc9d6dc),
                RGB (0xaad3df), RGB (0x333333), RGB (0xffffff), RGB (0xc0392b), FALSE },
  { "gray",     RGB (0xd4d8db), RGB (0xf5f5f3), RGB (0xf5f5f3), RGB (0xb9bfc3), RGB (0xe2e4e6),
                RGB (0xd4d8db), RGB (0x5a5a5a), RGB (0xffffff), RGB (0x6f6f6f), FALSE },
  { "dark",     RGB (0x1e2328), RGB (0x3a3f44), RGB (0x3a3f44), RGB (0x555b61), RGB (0x2c3237),
                RGB (0x1e2328), RGB (0xe0e0e0), RGB (0x111111), RGB (0xf0c419), FALSE },
  { "night",    RGB (0x0b1a2e), RGB (0x1f2b3a), RGB (0x1f2b3a), RGB (0x36506b), RGB (0x17283d),
                RGB (0x0b1a2e), RGB (0xcfd8e3), RGB (0x0b1a2e), RGB (0x5fb3f7), FALSE },
  { "imagery",  RGB (0x0c2a44), RGB (0x3f6b2f), RGB (0xb59b6a), RGB (0x6b8a5a), RGB (0x335066),
                RGB (0x0c2a44), RGB (0xffffff), RGB (0x000000), RGB (0xffd24a), TRUE },
  { "terrain",  RGB (0x9ecae1), RGB (0xcfe3b4), RGB (0xe8dcb5), RGB (0x7fa9bf), RGB (0xb9cdd6),
                RGB (0x9ecae1), RGB (0x3b3b2f), RGB (0xffffff), RGB (0x8b2e16), TRUE },
  { "osm",      RGB (0xaad3df), RGB (0xf2efe9), RGB (0xf2efe9), RGB (0x99b3cc), RGB (0xd0d8e0),
                RGB (0xaad3df), RGB (0x222222), RGB (0xffffff), RGB (0x7b3fa0), FALSE },
};

typedef struct
{
  gboolean  lake;
  char     *name;
  double   *lonlat;  /* 2 * n */
  guint     n;
  double    min_lon, max_lon, min_lat, max_lat;
} Polygon;

typedef struct
{
  double x, y;
} Pt;

const SbTileStyle *
sb_tile_style_lookup (const char *path)
{
  const char *key = "light";

  if (strstr (path, "imagery") || strstr (path, "hybrid"))
    key = "imagery";
  else if (strstr (path, "night") || strstr (path, "dark"))
    key = strstr (path, "night") ? "night" : "dark";
  else if (strstr (path, "gray") || strstr (path, "grey"))
    key = "gray";
  else if (strstr (path, "outdoor") || strstr (path, "topographic") || strstr (path, "terrain"))
    key = "terrain";
  else if (g_str_has_prefix (path, "open/"))
    key = "osm";

  for (guint i = 0; i < G_N_ELEMENTS (tile_styles); i++)
    if (strcmp (tile_styles[i].key, key) == 0)
      return &tile_styles[i];
  return &tile_styles[0];
}

static GPtrArray *
load_polygons (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *polygons = g_ptr_array_new ();

  bytes = g_resource_lookup_data (sb_get_resource (), "/io/github/arcpass/Sandbox/land.txt",
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (!bytes)
    g_error ("Sandbox land outlines missing from the resources: %s", error->message);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      const char *line = lines[i];
      const char *colon;
      g_auto(GStrv) pairs = NULL;
      Polygon *poly;

      if (*line == '#' || *line == '\0')
        continue;
      colon = strchr (line, ':');
      if (!colon)
        g_error ("Sandbox land outline line %u has no name", i + 1);

      poly = g_new0 (Polygon, 1);
      poly->lake = g_str_has_prefix (line, "lake ");
      poly->name = g_strndup (line, colon - line);
      pairs = g_strsplit (colon + 1, ",", -1);
      poly->lonlat = g_new (double, 2 * g_strv_length (pairs));
      poly->min_lon = poly->min_lat = G_MAXDOUBLE;
      poly->max_lon = poly->max_lat = -G_MAXDOUBLE;
      for (guint j = 0; pairs[j]; j++)
        {
          char *end;
          double lon = g_ascii_strtod (pairs[j], &end);
          double lat = g_ascii_strtod (end, NULL);

          poly->lonlat[2 * poly->n] = lon;
          poly->lonlat[2 * poly->n + 1] = lat;
          poly->n++;
          poly->min_lon = MIN (poly->min_lon, lon);
          poly->max_lon = MAX (poly->max_lon, lon);
          poly->min_lat = MIN (poly->min_lat, lat);
          poly->max_lat = MAX (poly->max_lat, lat);
        }
      g_ptr_array_add (polygons, poly);
    }
  return polygons;
}

static const GPtrArray *
get_polygons (void)
{
  static GPtrArray *polygons;

  if (g_once_init_enter (&polygons))
    g_once_init_leave (&polygons, load_polygons ());
  return polygons;
}

/* Web Mercator: longitude/latitude to global pixels at @world px wide. */
static double
lon_to_px (double lon,
           double world)
{
  return (lon + 180.0) / 360.0 * world;
}

static double
lat_to_px (double lat,
           double world)
{
  double s;

  lat = CLAMP (lat, -MAX_LAT, MAX_LAT);
  s = sin (lat * G_PI / 180.0);
  return (0.5 - log ((1 + s) / (1 - s)) / (4 * G_PI)) * world;
}

static double
px_to_lat (double y,
           double world)
{
  double n = G_PI - 2.0 * G_PI * y / world;

  return 180.0 / G_PI * atan (0.5 * (exp (n) - exp (-n)));
}

/* Sutherland–Hodgman against one edge of the clip box. Clipping in doubles
 * before handing points to cairo keeps far-away vertices (millions of pixels
 * at high zoom) out of cairo's 24.8 fixed-point range. */
static GArray *
clip_edge (GArray *in,
           int     axis,
           double  bound,
           gboolean keep_greater)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Pt));

  for (guint i = 0; i < in->len; i++)
    {
      Pt a = g_array_index (in, Pt, i);
      Pt b = g_array_index (in, Pt, (i + 1) % in->len);
      double va = axis == 0 ? a.x : a.y;
      double vb = axis == 0 ? b.x : b.y;
      gboolean in_a = keep_greater ? va >= bound : va <= bound;
      gboolean in_b = keep_greater ? vb >= bound : vb <= bound;

      if (in_a)
        g_array_append_val (out, a);
      if (in_a != in_b)
        {
          double t = (bound - va) / (vb - va);
          Pt p = { a.x + t * (b.x - a.x), a.y + t * (b.y - a.y) };

          g_array_append_val (out, p);
        }
    }
  g_array_unref (in);
  return out;
}

static void
path_polygon (cairo_t       *cr,
              const Polygon *poly,
              double         world,
              double         ox,
              double         oy)
{
  GArray *pts = g_array_sized_new (FALSE, FALSE, sizeof (Pt), poly->n);
  double lo = -CLIP_MARGIN, hi = TILE_SIZE + CLIP_MARGIN;

  for (guint i = 0; i < poly->n; i++)
    {
      Pt p = { lon_to_px (poly->lonlat[2 * i], world) - ox,
               lat_to_px (poly->lonlat[2 * i + 1], world) - oy };

      g_array_append_val (pts, p);
    }
  pts = clip_edge (pts, 0, lo, TRUE);
  if (pts->len)
    pts = clip_edge (pts, 0, hi, FALSE);
  if (pts->len)
    pts = clip_edge (pts, 1, lo, TRUE);
  if (pts->len)
    pts = clip_edge (pts, 1, hi, FALSE);

  for (guint i = 0; i < pts->len; i++)
    {
      Pt p = g_array_index (pts, Pt, i);

      if (i == 0)
        cairo_move_to (cr, p.x, p.y);
      else
        cairo_line_to (cr, p.x, p.y);
    }
  if (pts->len)
    cairo_close_path (cr);
  g_array_unref (pts);
}

static gboolean
polygon_visible (const Polygon *poly,
                 double         world,
                 double         ox,
                 double         oy)
{
  double x0 = lon_to_px (poly->min_lon, world) - ox;
  double x1 = lon_to_px (poly->max_lon, world) - ox;
  double y0 = lat_to_px (poly->max_lat, world) - oy;
  double y1 = lat_to_px (poly->min_lat, world) - oy;

  return x1 >= -CLIP_MARGIN && x0 <= TILE_SIZE + CLIP_MARGIN &&
         y1 >= -CLIP_MARGIN && y0 <= TILE_SIZE + CLIP_MARGIN;
}

static void
set_rgb (cairo_t   *cr,
         const Rgb *c)
{
  cairo_set_source_rgb (cr, c->r, c->g, c->b);
}

/* Land colour varying with latitude (ice, forest, desert belts), defined in
 * global coordinates so that it continues across tiles. */
static cairo_pattern_t *
land_tint (const SbTileStyle *style,
           double             world,
           double             oy)
{
  static const struct { double lat; int which; } stops[] = {
    { 85, 2 }, { 66, 2 }, { 58, 0 }, { 40, 0 }, { 30, 1 }, { 18, 1 }, { 10, 0 },
    { -10, 0 }, { -20, 1 }, { -32, 1 }, { -42, 0 }, { -60, 0 }, { -66, 2 }, { -85, 2 },
  };
  double y0 = lat_to_px (85, world) - oy, y1 = lat_to_px (-85, world) - oy;
  cairo_pattern_t *pattern = cairo_pattern_create_linear (0, y0, 0, y1);

  for (guint i = 0; i < G_N_ELEMENTS (stops); i++)
    {
      double offset = (lat_to_px (stops[i].lat, world) - oy - y0) / (y1 - y0);
      const Rgb *c = stops[i].which == 0 ? &style->land
                   : stops[i].which == 1 ? &style->land_alt : NULL;

      if (c)
        cairo_pattern_add_color_stop_rgb (pattern, offset, c->r, c->g, c->b);
      else
        cairo_pattern_add_color_stop_rgb (pattern, offset, 0.93, 0.95, 0.97);
    }
  return pattern;
}

static double
nice_step (double target)
{
  static const double steps[] = {
    30, 20, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005,
    0.0002, 0.0001, 0.00005, 0.00002, 0.00001,
  };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i] <= target)
      return steps[i];
  return steps[G_N_ELEMENTS (steps) - 1];
}

static void
draw_graticule (cairo_t           *cr,
                const SbTileStyle *style,
                int                z,
                double             world,
                double             ox,
                double             oy)
{
  /* About one line every 300 px of longitude. */
  double step = nice_step (300.0 * 360.0 / world);
  double lon0 = ox / world * 360.0 - 180.0;
  double lon1 = (ox + TILE_SIZE) / world * 360.0 - 180.0;
  double lat_top = px_to_lat (oy, world);
  double lat_bottom = px_to_lat (oy + TILE_SIZE, world);

  cairo_save (cr);
  set_rgb (cr, &style->grid);
  cairo_set_line_width (cr, 1.0);
  for (double lon = ceil (lon0 / step) * step; lon <= lon1; lon += step)
    {
      double x = floor (lon_to_px (lon, world) - ox) + 0.5;

      cairo_move_to (cr, x, 0);
      cairo_line_to (cr, x, TILE_SIZE);
    }
  for (double lat = ceil (lat_bottom / step) * step; lat <= lat_top; lat += step)
    {
      double y = floor (lat_to_px (lat, world) - oy) + 0.5;

      cairo_move_to (cr, 0, y);
      cairo_line_to (cr, TILE_SIZE, y);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

typedef struct
{
  const SbPlace *place;
  double         x, y;            /* dot, global px */
  double         x0, y0, x1, y1;  /* label box, global px */
  double         size;
  gboolean       bold;
} Label;

static int
place_min_zoom (const SbPlace *place)
{
  switch (place->type)
    {
    case SB_PLACE_ADDRESS:
      return 12;
    case SB_PLACE_POI:
      return 9;
    case SB_PLACE_LOCALITY:
    default:
      return place->capital ? 3 : 4;
    }
}

static int
place_rank (const SbPlace *place)
{
  if (place->type == SB_PLACE_LOCALITY)
    return place->capital ? 0 : 1;
  return place->type == SB_PLACE_POI ? 2 : 3;
}

static int
place_rank_compare (gconstpointer a,
                    gconstpointer b)
{
  const SbPlace *pa = *(const SbPlace **) a;
  const SbPlace *pb = *(const SbPlace **) b;

  if (place_rank (pa) != place_rank (pb))
    return place_rank (pa) - place_rank (pb);
  return (int) pa->id - (int) pb->id;
}

/* The same greedy placement for every tile of a zoom level, so that a label
 * is either drawn by every tile it touches or by none. */
static GArray *
place_labels (cairo_t *measure,
              int      z,
              double   world)
{
  const GPtrArray *places = sb_gazetteer_get ();
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  GArray *labels = g_array_new (FALSE, FALSE, sizeof (Label));

  for (guint i = 0; i < places->len; i++)
    if (z >= place_min_zoom (g_ptr_array_index (places, i)))
      g_ptr_array_add (order, g_ptr_array_index (places, i));
  g_ptr_array_sort (order, place_rank_compare);

  for (guint i = 0; i < order->len; i++)
    {
      const SbPlace *place = g_ptr_array_index (order, i);
      cairo_text_extents_t ext;
      gboolean clash = FALSE;
      Label l = { place };

      l.bold = place->capital;
      l.size = place->type == SB_PLACE_LOCALITY ? (place->capital ? 13 : 12) : 11;
      cairo_select_font_face (measure, "Sans", CAIRO_FONT_SLANT_NORMAL,
                              l.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
      cairo_set_font_size (measure, l.size);
      cairo_text_extents (measure, place->name, &ext);

      l.x = lon_to_px (place->lon, world);
      l.y = lat_to_px (place->lat, world);
      l.x0 = l.x - 4;
      l.x1 = l.x + 7 + ext.x_advance + 2;
      l.y0 = l.y - l.size * 0.8;
      l.y1 = l.y + l.size * 0.6;

      for (guint j = 0; j < labels->len && !clash; j++)
        {
          Label *o = &g_array_index (labels, Label, j);

          clash = l.x0 < o->x1 + 4 && l.x1 + 4 > o->x0 && l.y0 < o->y1 + 2 && l.y1 + 2 > o->y0;
        }
      if (!clash)
        g_array_append_val (labels, l);
    }
  return labels;
}

static void
draw_labels (cairo_t           *cr,
             const SbTileStyle *style,
             int                z,
             double             world,
             double             ox,
             double             oy)
{
  g_autoptr(GArray) labels = place_labels (cr, z, world);

  cairo_save (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < labels->len; i++)
    {
      Label *l = &g_array_index (labels, Label, i);
      double x = l->x - ox, y = l->y - oy;

      if (l->x1 - ox < 0 || l->x0 - ox > TILE_SIZE || l->y1 - oy < 0 || l->y0 - oy > TILE_SIZE)
        continue;

      /* Dot with a halo. */
      cairo_arc (cr, x, y, l->bold ? 4.0 : 3.0, 0, 2 * G_PI);
      set_rgb (cr, &style->halo);
      cairo_set_line_width (cr, 2.0);
      cairo_stroke_preserve (cr);
      set_rgb (cr, &style->dot);
      cairo_fill (cr);
      if (l->bold)
        {
          cairo_arc (cr, x, y, 1.5, 0, 2 * G_PI);
          set_rgb (cr, &style->halo);
          cairo_fill (cr);
        }

      cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL,
                              l->bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
      cairo_set_font_size (cr, l->size);
      cairo_move_to (cr, x + 7, y + l->size * 0.35);
      cairo_text_path (cr, l->place->name);
      set_rgb (cr, &style->halo);
      cairo_set_line_width (cr, 3.0);
      cairo_stroke_preserve (cr);
      set_rgb (cr, &style->text);
      cairo_fill (cr);
    }
  cairo_restore (cr);
}

static cairo_status_t
write_png_cb (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
sb_render_tile (const SbTileStyle *style,
                const char        *variant,
                int                z,
                int                y,
                int                x,
                GError           **error)
{
  const GPtrArray *polygons = get_polygons ();
  double world = ldexp (TILE_SIZE, z);
  double ox = (double) x * TILE_SIZE;
  double oy = (double) y * TILE_SIZE;
  gboolean base = g_strcmp0 (variant, "labels") != 0;
  gboolean labels = g_strcmp0 (variant, "base") != 0;
  cairo_surface_t *surface;
  cairo_t *cr;
  GByteArray *png;
  cairo_status_t status;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, TILE_SIZE, TILE_SIZE);
  cr = cairo_create (surface);
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_WINDING);

  if (base)
    {
      set_rgb (cr, &style->water);
      cairo_paint (cr);

      for (guint pass = 0; pass < 2; pass++)
        for (guint i = 0; i < polygons->len; i++)
          {
            const Polygon *poly = g_ptr_array_index (polygons, i);

            /* Land first, lakes on top of it. */
            if (poly->lake != (pass == 1) || !polygon_visible (poly, world, ox, oy))
              continue;
            path_polygon (cr, poly, world, ox, oy);
            if (poly->lake)
              set_rgb (cr, &style->lake);
            else if (style->tinted)
              {
                cairo_pattern_t *tint = land_tint (style, world, oy);

                cairo_set_source (cr, tint);
                cairo_pattern_destroy (tint);
              }
            else
              set_rgb (cr, &style->land);
            cairo_fill_preserve (cr);
            set_rgb (cr, &style->coast);
            cairo_set_line_width (cr, z >= 6 ? 1.5 : 1.0);
            cairo_stroke (cr);
          }

      draw_graticule (cr, style, z, world, ox, oy);
    }

  if (labels)
    draw_labels (cr, style, z, world, ox, oy);

  cairo_destroy (cr);
  cairo_surface_flush (surface);

  png = g_byte_array_new ();
  status = cairo_surface_write_to_png_stream (surface, write_png_cb, png);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "PNG encoding failed: %s",
                   cairo_status_to_string (status));
      g_byte_array_unref (png);
      return NULL;
    }
  return g_byte_array_free_to_bytes (png);
}
