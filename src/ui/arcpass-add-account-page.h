/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ARCPASS_TYPE_ADD_ACCOUNT_PAGE (arcpass_add_account_page_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassAddAccountPage, arcpass_add_account_page, ARCPASS, ADD_ACCOUNT_PAGE,
                      AdwBin)

/* The list of ways to add an account. Emits "flow-chosen" with one of
 * "oauth", "browser", "api-key", "app-credentials", "enterprise". */
ArcpassAddAccountPage *arcpass_add_account_page_new                (void);
/* Shows or hides the two OAuth rows (their pages live in other files). */
void                   arcpass_add_account_page_set_oauth_available (ArcpassAddAccountPage *self,
                                                                     gboolean               available);

G_END_DECLS
