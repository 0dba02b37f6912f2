/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ARCPASS_TYPE_PREFERENCES_WINDOW (arcpass_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassPreferencesWindow, arcpass_preferences_window, ARCPASS,
                      PREFERENCES_WINDOW, AdwPreferencesWindow)

ArcpassPreferencesWindow *arcpass_preferences_window_new (GSettings *settings);

G_END_DECLS
