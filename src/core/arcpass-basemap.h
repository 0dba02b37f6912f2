/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "arcpass-token-manager.h"

G_BEGIN_DECLS

/** ArcpassBasemapStyle: one entry of Basemap Styles v2 `styles/self`
 *  (or of Static Tiles v1 `self`: then @template_url is set and @style_url
 *  is the `…/static` URL). @path has no leading slash ("arcgis/navigation"). */
typedef struct {
  char     *name;
  char     *path;
  char     *provider;
  char     *style_family;
  char     *style_url;
  char     *template_url;
  char     *thumbnail_url;
  gboolean  complete;
  gboolean  deprecated;
} ArcpassBasemapStyle;

/**
 * ArcpassStyleSummary:
 * @version: style spec `version` (8)
 * @name: (nullable)
 * @source_names: sorted names of `sources`
 * @source_types: the `type` of each source, same order
 * @n_layers: number of `layers`
 * @layer_types: sorted distinct layer `type`s
 * @layer_type_counts: how many layers of each type, same order
 * @glyphs: (nullable) the `glyphs` URL template (redacted of tokens)
 * @sprite: (nullable) the `sprite` URL (redacted of tokens)
 */
typedef struct {
  gint64   version;
  char    *name;
  char   **source_names;
  char   **source_types;
  guint    n_layers;
  char   **layer_types;
  guint   *layer_type_counts;
  char    *glyphs;
  char    *sprite;
} ArcpassStyleSummary;

void                 arcpass_basemap_style_free       (ArcpassBasemapStyle *style);
void                 arcpass_style_summary_free       (ArcpassStyleSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArcpassBasemapStyle, arcpass_basemap_style_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArcpassStyleSummary, arcpass_style_summary_free)

/* Parsers, exposed for unit tests. */
GPtrArray           *arcpass_basemap_parse_styles     (JsonObject *object,
                                                       GError    **error);
GPtrArray           *arcpass_basemap_parse_static_styles (JsonObject *object,
                                                          GError    **error);
ArcpassStyleSummary *arcpass_style_summary_new_from_json (JsonObject *style,
                                                          GError    **error);

/* `GET <styles>/styles/self` → GPtrArray of ArcpassBasemapStyle. */
void                 arcpass_basemap_list_styles_async          (ArcpassTokenManager *manager,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
GPtrArray           *arcpass_basemap_list_styles_finish         (GAsyncResult        *result,
                                                                 GError             **error);
/* `GET <static tiles>/self` → GPtrArray of ArcpassBasemapStyle. */
void                 arcpass_basemap_list_static_styles_async   (ArcpassTokenManager *manager,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
GPtrArray           *arcpass_basemap_list_static_styles_finish  (GAsyncResult        *result,
                                                                 GError             **error);
/* `GET <styles>/styles/<path>` (echoToken=false) → summary; @out_style:
 * (optional) the full style object. */
void                 arcpass_basemap_fetch_style_async          (ArcpassTokenManager *manager,
                                                                 const char          *style_path,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
ArcpassStyleSummary *arcpass_basemap_fetch_style_finish         (GAsyncResult        *result,
                                                                 JsonObject         **out_style,
                                                                 GError             **error);
/* `<static tiles>/<path>/static/tile/z/y/x` (512 px PNG) → bytes. */
char                *arcpass_basemap_build_tile_url             (const ArcpassEndpoints *endpoints,
                                                                 const char          *style_path,
                                                                 guint                z,
                                                                 guint                y,
                                                                 guint                x);
void                 arcpass_basemap_fetch_tile_async           (ArcpassTokenManager *manager,
                                                                 const char          *style_path,
                                                                 guint                z,
                                                                 guint                y,
                                                                 guint                x,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
GBytes              *arcpass_basemap_fetch_tile_finish          (GAsyncResult        *result,
                                                                 GError             **error);

G_END_DECLS
