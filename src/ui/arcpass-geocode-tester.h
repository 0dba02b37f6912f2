/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-core.h"
#include "arcpass-map-view.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_GEOCODE_TESTER (arcpass_geocode_tester_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassGeocodeTester, arcpass_geocode_tester, ARCPASS, GEOCODE_TESTER, AdwBin)

/*
 * The "Geocode" tester page of one account: a search entry with `suggest` as
 * you type (debounced; an older answer never replaces a newer one), the
 * `findAddressCandidates` results of a chosen suggestion (or of Enter: a
 * SingleLine search), the selected result marked on a map of the account's
 * static tiles, reverse geocoding of a clicked point, and the raw (redacted)
 * JSON of the last answer. Failures are explained in the page.
 *
 * Actions (group `geocode`): `retry` (the last failed call), `refresh-token`
 * (force a new token, then retry), `sign-in` (emits "sign-in-requested"),
 * `show-json` (stateful boolean: raw JSON instead of the map).
 *
 * Property: `token-manager` (construct-only).
 * Signal: "sign-in-requested" (): the account's tokens cannot be renewed
 * here; the window should offer to sign in again.
 */
GtkWidget                         *arcpass_geocode_tester_new                  (ArcpassTokenManager  *manager);
ArcpassTokenManager               *arcpass_geocode_tester_get_token_manager    (ArcpassGeocodeTester *self);
ArcpassMapView                    *arcpass_geocode_tester_get_map_view         (ArcpassGeocodeTester *self);

/* Introspection, mostly for tests. Arrays are owned by the tester and
 * replaced by the next answer. */
GPtrArray                         *arcpass_geocode_tester_get_suggestions      (ArcpassGeocodeTester *self);
GPtrArray                         *arcpass_geocode_tester_get_candidates       (ArcpassGeocodeTester *self);
/* Index in the candidates of the result marked on the map, or -1. */
int                                arcpass_geocode_tester_get_selected_index   (ArcpassGeocodeTester *self);
const ArcpassReverseGeocodeResult *arcpass_geocode_tester_get_reverse_result   (ArcpassGeocodeTester *self);
/* The error shown in the page, or %NULL. */
const GError                      *arcpass_geocode_tester_get_error            (ArcpassGeocodeTester *self);
/* Where the tester last put the map's marker; FALSE when there is none. */
gboolean                           arcpass_geocode_tester_get_marker           (ArcpassGeocodeTester *self,
                                                                                double               *lon,
                                                                                double               *lat);
/* The redacted body of the last geocoding answer, as logged, or %NULL. */
const char                        *arcpass_geocode_tester_get_raw_json         (ArcpassGeocodeTester *self);
/* The number of geocoding calls in flight (suggest, find, reverse). */
guint                              arcpass_geocode_tester_get_pending          (ArcpassGeocodeTester *self);

G_END_DECLS
