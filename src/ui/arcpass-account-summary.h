/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-core.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_ACCOUNT_SUMMARY (arcpass_account_summary_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassAccountSummary, arcpass_account_summary, ARCPASS, ACCOUNT_SUMMARY,
                      AdwBin)

/* A read-only summary of one account: who the token belongs to and when it
 * expires. A stand-in for the full account view of a later issue, kept in its
 * own widget so that it can be replaced. */
ArcpassAccountSummary *arcpass_account_summary_new            (void);
/* @manager: (nullable): the account to show */
void                   arcpass_account_summary_set_manager    (ArcpassAccountSummary *self,
                                                               ArcpassTokenManager   *manager);
ArcpassTokenManager   *arcpass_account_summary_get_manager    (ArcpassAccountSummary *self);

G_END_DECLS
