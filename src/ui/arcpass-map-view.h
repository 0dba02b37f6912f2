/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "arcpass-token-manager.h"

G_BEGIN_DECLS

/* Tiles are 512 device-independent pixels, as the Static Basemap Tiles
 * service v1 serves them. */
#define ARCPASS_MAP_VIEW_TILE_SIZE 512
#define ARCPASS_MAP_VIEW_MIN_ZOOM  0
#define ARCPASS_MAP_VIEW_MAX_ZOOM  22

#define ARCPASS_TYPE_MAP_VIEW (arcpass_map_view_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassMapView, arcpass_map_view, ARCPASS, MAP_VIEW, GtkWidget)

/**
 * ArcpassMapView:
 *
 * A slippy map of 512 px Web Mercator tiles fetched through the core
 * (token in the `X-Esri-Authorization` header, never in the URL).
 *
 * Properties: `longitude`, `latitude` (degrees, WGS 84) and `zoom` (int).
 * Signal `clicked (double lon, double lat)`: a primary click without a drag.
 *
 * Keyboard: arrows pan, `+`/`=` and `-` zoom. The overlay buttons zoom too.
 */
ArcpassMapView *arcpass_map_view_new                   (void);

/* @tile_url_template contains `{z}`, `{y}` and `{x}`, e.g.
 * `<static tiles>/arcgis/navigation/static/tile/{z}/{y}/{x}`. A %NULL
 * manager or template clears the map. Changing the source drops the cache. */
void            arcpass_map_view_set_source            (ArcpassMapView      *self,
                                                        ArcpassTokenManager *manager,
                                                        const char          *tile_url_template);

void            arcpass_map_view_set_center            (ArcpassMapView      *self,
                                                        double               lon,
                                                        double               lat);
double          arcpass_map_view_get_longitude         (ArcpassMapView      *self);
double          arcpass_map_view_get_latitude          (ArcpassMapView      *self);
void            arcpass_map_view_set_zoom              (ArcpassMapView      *self,
                                                        int                  zoom);
int             arcpass_map_view_get_zoom              (ArcpassMapView      *self);

/* Moves the map by (@dx, @dy) logical pixels: positive @dx shows what is
 * further east, positive @dy what is further south. The drag gesture and the
 * arrow keys use this. */
void            arcpass_map_view_pan_by                (ArcpassMapView      *self,
                                                        double               dx,
                                                        double               dy);

/* A single marker with an optional label drawn next to it. */
void            arcpass_map_view_set_marker            (ArcpassMapView      *self,
                                                        double               lon,
                                                        double               lat,
                                                        const char          *label);
void            arcpass_map_view_clear_marker          (ArcpassMapView      *self);

/* Drawn in the bottom-right corner (the style's `copyrightText`). */
void            arcpass_map_view_set_attribution       (ArcpassMapView      *self,
                                                        const char          *text);
const char     *arcpass_map_view_get_attribution       (ArcpassMapView      *self);

/* Introspection for tests. Keys are "z/y/x". */
guint           arcpass_map_view_get_visible_tile_count (ArcpassMapView     *self);
GStrv           arcpass_map_view_get_visible_tile_keys  (ArcpassMapView     *self);
guint           arcpass_map_view_get_loaded_count       (ArcpassMapView     *self);
guint           arcpass_map_view_get_pending_count      (ArcpassMapView     *self);
guint           arcpass_map_view_get_cancelled_count    (ArcpassMapView     *self);
guint           arcpass_map_view_get_failed_count       (ArcpassMapView     *self);
guint           arcpass_map_view_get_cache_size         (ArcpassMapView     *self);
/* The message shown on a failed visible tile, or %NULL. */
const char     *arcpass_map_view_get_tile_error         (ArcpassMapView     *self,
                                                         const char         *key);
/* The explanation drawn under that headline, or %NULL. */
const char     *arcpass_map_view_get_tile_error_detail  (ArcpassMapView     *self,
                                                         const char         *key);

G_END_DECLS
