/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-error.h"

G_DEFINE_QUARK (arcpass-error-quark, arcpass_error)
