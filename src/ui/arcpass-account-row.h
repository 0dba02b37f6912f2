/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-core.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_ACCOUNT_ROW (arcpass_account_row_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassAccountRow, arcpass_account_row, ARCPASS, ACCOUNT_ROW, GtkListBoxRow)

/* A sidebar row for one saved account. The row owns the account's token
 * manager, so that everything shown for the account uses the same one. */
ArcpassAccountRow   *arcpass_account_row_new            (ArcpassTokenManager *manager);
ArcpassTokenManager *arcpass_account_row_get_manager    (ArcpassAccountRow   *self);
ArcpassCredential   *arcpass_account_row_get_credential (ArcpassAccountRow   *self);

G_END_DECLS
