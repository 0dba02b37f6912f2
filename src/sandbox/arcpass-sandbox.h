/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define ARCPASS_TYPE_SANDBOX (arcpass_sandbox_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassSandbox, arcpass_sandbox, ARCPASS, SANDBOX, GObject)

ArcpassSandbox *arcpass_sandbox_new (void);

G_END_DECLS
