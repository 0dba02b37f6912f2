/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-application.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_WINDOW (arcpass_window_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassWindow, arcpass_window, ARCPASS, WINDOW, AdwApplicationWindow)

ArcpassWindow *arcpass_window_new         (ArcpassApplication *application);
void           arcpass_window_add_toast   (ArcpassWindow      *self,
                                           AdwToast           *toast);
/* TRUE once the saved accounts have been read ("notify::accounts-loaded"). */
gboolean       arcpass_window_get_accounts_loaded (ArcpassWindow  *self);

G_END_DECLS
