/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "arcpass-token-manager.h"

G_BEGIN_DECLS

/**
 * ArcpassGeocodeCandidate:
 * @address: `address`
 * @x: longitude (WGS84 unless outSR)
 * @y: latitude
 * @score: 0–100
 * @addr_type: `attributes.Addr_type`, may be %NULL
 * @has_extent: whether @xmin… are set (`extent` may be absent or null)
 */
typedef struct {
  char     *address;
  double    x;
  double    y;
  double    score;
  char     *addr_type;
  gboolean  has_extent;
  double    xmin, ymin, xmax, ymax;
} ArcpassGeocodeCandidate;

/** ArcpassSuggestion: feed @text and @magic_key back into findAddressCandidates. */
typedef struct {
  char     *text;
  char     *magic_key;
  gboolean  is_collection;
} ArcpassSuggestion;

/** ArcpassReverseGeocodeResult: strings may be %NULL or empty. */
typedef struct {
  char   *match_addr;
  char   *long_label;
  char   *short_label;
  char   *addr_type;
  char   *city;
  char   *region;
  char   *country_code;
  double  x;
  double  y;
} ArcpassReverseGeocodeResult;

void arcpass_geocode_candidate_free       (ArcpassGeocodeCandidate     *candidate);
void arcpass_suggestion_free              (ArcpassSuggestion           *suggestion);
void arcpass_reverse_geocode_result_free  (ArcpassReverseGeocodeResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArcpassGeocodeCandidate, arcpass_geocode_candidate_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArcpassSuggestion, arcpass_suggestion_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArcpassReverseGeocodeResult, arcpass_reverse_geocode_result_free)

/* Parsers of the JSON answers, exposed for unit tests. Arrays own their elements. */
GPtrArray                   *arcpass_geocode_parse_candidates  (JsonObject *object,
                                                                GError    **error);
GPtrArray                   *arcpass_geocode_parse_suggestions (JsonObject *object,
                                                                GError    **error);
ArcpassReverseGeocodeResult *arcpass_geocode_parse_reverse     (JsonObject *object,
                                                                GError    **error);

/**
 * ArcpassLocatorInfo:
 * @single_line_field: the name of the single-line input
 *   (`singleLineAddressField.name`; `SingleLine` when the root names none)
 * @supports_suggest: `Suggest` is in `capabilities`
 * @supports_reverse: `ReverseGeocode` is in `capabilities`
 * @capabilities: `capabilities` as the service said it, may be %NULL
 *
 * What a locator's service root says about it. Custom locators (on an
 * ArcGIS Enterprise server, say) name their own single-line field and may
 * offer no suggestions (as esri-leaflet-geocoder's `_confirmSuggestSupport`
 * checks).
 */
typedef struct {
  char     *single_line_field;
  gboolean  supports_suggest;
  gboolean  supports_reverse;
  char     *capabilities;
} ArcpassLocatorInfo;

void                arcpass_locator_info_free          (ArcpassLocatorInfo *info);
ArcpassLocatorInfo *arcpass_locator_info_copy          (const ArcpassLocatorInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArcpassLocatorInfo, arcpass_locator_info_free)

/* Parses `GET <locator>?f=json`. Every member is optional. */
ArcpassLocatorInfo *arcpass_geocode_parse_locator_root (JsonObject *object,
                                                        GError    **error);
/* TRUE for Esri's World geocoder (and the sandbox's): its root is known
 * (SingleLine, suggestions), so it is not read. */
gboolean            arcpass_geocode_url_is_world       (const char *geocode_url);

/* The locator info of the manager's geocode endpoint: read from its root the
 * first time (with the account's token, as secured services want), then
 * from a per-URL cache for the process. */
void                arcpass_geocode_get_locator_async  (ArcpassTokenManager *manager,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
ArcpassLocatorInfo *arcpass_geocode_get_locator_finish (GAsyncResult        *result,
                                                        GError             **error);

/* findAddressCandidates with the locator's single-line field (`SingleLine` on
 * the World geocoder; see arcpass_geocode_get_locator_async()) (+ `magicKey` when not NULL),
 * outFields=*, forStorage=false, maxLocations (0 = service default), on the
 * manager's geocode endpoint. Result: GPtrArray of ArcpassGeocodeCandidate. */
void       arcpass_geocode_find_async      (ArcpassTokenManager *manager,
                                            const char          *single_line,
                                            const char          *magic_key,
                                            guint                max_locations,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray *arcpass_geocode_find_finish     (GAsyncResult        *result,
                                            GError             **error);

/* suggest; @has_location biases to @x,@y. Result: GPtrArray of ArcpassSuggestion.
 * A locator without `Suggest` fails with %ARCPASS_ERROR_NOT_OFFERED without
 * asking it. */
void       arcpass_geocode_suggest_async   (ArcpassTokenManager *manager,
                                            const char          *text,
                                            gboolean             has_location,
                                            double               x,
                                            double               y,
                                            guint                max_suggestions,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray *arcpass_geocode_suggest_finish  (GAsyncResult        *result,
                                            GError             **error);

/* reverseGeocode at @x (longitude), @y (latitude). "Nothing found" is
 * %ARCPASS_ERROR_NOT_FOUND. */
void                         arcpass_geocode_reverse_async  (ArcpassTokenManager *manager,
                                                             double               x,
                                                             double               y,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
ArcpassReverseGeocodeResult *arcpass_geocode_reverse_finish (GAsyncResult        *result,
                                                             GError             **error);

G_END_DECLS
