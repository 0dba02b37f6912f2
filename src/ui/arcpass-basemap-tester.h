/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-token-manager.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_BASEMAP_TESTER (arcpass_basemap_tester_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassBasemapTester, arcpass_basemap_tester, ARCPASS, BASEMAP_TESTER, AdwBin)

/**
 * ArcpassBasemapTester:
 *
 * A self-contained page trying an account's basemap services: the styles
 * listed by Basemap Styles v2 (`styles/self`) with a summary of the chosen
 * style's JSON, and the styles listed by Static Basemap Tiles v1 (`self`)
 * with a live map of the chosen one. Failures are explained in words.
 *
 * Signal `sign-in-requested`: the token was refused and cannot be renewed
 * here (an expired API key or refresh token); the owner should offer to
 * sign in again.
 */
ArcpassBasemapTester *arcpass_basemap_tester_new         (ArcpassTokenManager  *manager);
ArcpassTokenManager  *arcpass_basemap_tester_get_manager (ArcpassBasemapTester *self);
/* Lists the styles again (the page does it once when first mapped). */
void                  arcpass_basemap_tester_reload      (ArcpassBasemapTester *self);

G_END_DECLS
