/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-core.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_APP_CREDENTIALS_PAGE (arcpass_app_credentials_page_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassAppCredentialsPage, arcpass_app_credentials_page, ARCPASS,
                      APP_CREDENTIALS_PAGE, AdwBin)

/* Client ID + client secret -> app token (client_credentials).
 * Emits "signed-in" (ArcpassCredential *) and "cancelled". */
ArcpassAppCredentialsPage *arcpass_app_credentials_page_new          (ArcpassClient             *client,
                                                                      GSettings                 *settings);
/* Pre-fills the form (sandbox mode); NULL keeps the current value. */
void                       arcpass_app_credentials_page_set_defaults (ArcpassAppCredentialsPage *self,
                                                                      const char                *portal_url,
                                                                      const char                *client_id);
void                       arcpass_app_credentials_page_reset        (ArcpassAppCredentialsPage *self);
void                       arcpass_app_credentials_page_show_error   (ArcpassAppCredentialsPage *self,
                                                                      const char                *message);

G_END_DECLS
