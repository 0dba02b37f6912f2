/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ARCPASS_TYPE_TOKEN_ROW (arcpass_token_row_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassTokenRow, arcpass_token_row, ARCPASS, TOKEN_ROW, AdwActionRow)

/*
 * A row showing one secret (access or refresh token): masked to its last 4
 * characters unless "revealed", with a reveal toggle and a copy button.
 *
 * Properties: secret (string, write-only: the row never hands it out),
 * revealed (boolean). Signal: "copy" () when the copy button is pressed;
 * the owner copies the secret, so that the clipboard policy lives in one place.
 */

GtkWidget *arcpass_token_row_new          (void);
void       arcpass_token_row_set_secret   (ArcpassTokenRow *self,
                                           const char      *secret);
gboolean   arcpass_token_row_get_revealed (ArcpassTokenRow *self);
void       arcpass_token_row_set_revealed (ArcpassTokenRow *self,
                                           gboolean         revealed);
/* The text shown now (masked or not): for tests and accessibility checks. */
const char *arcpass_token_row_get_display_text (ArcpassTokenRow *self);

G_END_DECLS
