/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-core.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_ENTERPRISE_PAGE (arcpass_enterprise_page_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassEnterprisePage, arcpass_enterprise_page, ARCPASS, ENTERPRISE_PAGE,
                      AdwBin)

/* Any portal: discovery, then OAuth (the window opens the OAuth page,
 * "oauth-requested" (const char *portal_url)) or username/password through
 * generateToken. Emits "signed-in" (ArcpassCredential *) and "cancelled". */
ArcpassEnterprisePage *arcpass_enterprise_page_new                 (ArcpassClient         *client,
                                                                    GSettings             *settings);
void                   arcpass_enterprise_page_set_defaults        (ArcpassEnterprisePage *self,
                                                                    const char            *portal_url);
/* Whether the OAuth page exists to hand the portal to. */
void                   arcpass_enterprise_page_set_oauth_available (ArcpassEnterprisePage *self,
                                                                    gboolean               available);
void                   arcpass_enterprise_page_reset               (ArcpassEnterprisePage *self);
void                   arcpass_enterprise_page_show_error          (ArcpassEnterprisePage *self,
                                                                    const char            *message);

G_END_DECLS
