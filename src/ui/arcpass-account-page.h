/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-core.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_ACCOUNT_PAGE (arcpass_account_page_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassAccountPage, arcpass_account_page, ARCPASS, ACCOUNT_PAGE, AdwBin)

ArcpassAccountPage  *arcpass_account_page_new         (ArcpassClient       *client,
                                                       ArcpassAccountStore *store,
                                                       GSettings           *settings);
void                 arcpass_account_page_set_manager (ArcpassAccountPage  *self,
                                                       ArcpassTokenManager *manager);
ArcpassTokenManager *arcpass_account_page_get_manager (ArcpassAccountPage  *self);
void                 arcpass_account_page_set_store   (ArcpassAccountPage  *self,
                                                       ArcpassAccountStore *store);
/* The visible tab: "account", "basemaps", "geocode" or "requests". */
void                 arcpass_account_page_set_visible_tab (ArcpassAccountPage *self,
                                                           const char         *name);
const char          *arcpass_account_page_get_visible_tab (ArcpassAccountPage *self);
GtkWidget           *arcpass_account_page_get_tab         (ArcpassAccountPage *self,
                                                           const char         *name);

G_END_DECLS
