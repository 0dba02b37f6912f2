/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ARCPASS_TYPE_APPLICATION (arcpass_application_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassApplication, arcpass_application, ARCPASS, APPLICATION, AdwApplication)

ArcpassApplication *arcpass_application_new          (void);
GSettings          *arcpass_application_get_settings (ArcpassApplication *self);

G_END_DECLS
