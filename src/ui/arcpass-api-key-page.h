/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-core.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_API_KEY_PAGE (arcpass_api_key_page_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassApiKeyPage, arcpass_api_key_page, ARCPASS, API_KEY_PAGE, AdwBin)

/* Adds an account from a pasted API key, after probing what the key can do.
 * Emits "signed-in" (ArcpassCredential *) and "cancelled". */
ArcpassApiKeyPage *arcpass_api_key_page_new           (ArcpassClient          *client,
                                                       GSettings              *settings);
/* Pre-fills the portal (sandbox mode); NULL keeps the setting's default. */
void               arcpass_api_key_page_set_defaults  (ArcpassApiKeyPage      *self,
                                                       const char             *portal_url);
/* The location services the key is probed against. */
void               arcpass_api_key_page_set_endpoints (ArcpassApiKeyPage      *self,
                                                       const ArcpassEndpoints *endpoints);
/* Empties the form and cancels what is running. */
void               arcpass_api_key_page_reset         (ArcpassApiKeyPage      *self);
/* Shows an error of a later step (saving the account) in the page. */
void               arcpass_api_key_page_show_error    (ArcpassApiKeyPage      *self,
                                                       const char             *message);

G_END_DECLS
