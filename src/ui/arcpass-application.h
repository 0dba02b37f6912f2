/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-core.h"

G_BEGIN_DECLS

#define ARCPASS_TYPE_APPLICATION (arcpass_application_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassApplication, arcpass_application, ARCPASS, APPLICATION, AdwApplication)

ArcpassApplication  *arcpass_application_new                  (void);
GSettings           *arcpass_application_get_settings         (ArcpassApplication *self);
/* The process's REST client (one SoupSession per process). */
ArcpassClient       *arcpass_application_get_client           (ArcpassApplication *self);
/* Where accounts are kept: the keyring, or memory after the user chose a
 * memory-only session. Notifies "account-store" when it changes. */
ArcpassAccountStore *arcpass_application_get_account_store    (ArcpassApplication *self);
void                 arcpass_application_use_memory_only_store (ArcpassApplication *self);

/* Sandbox mode: @url (`http://127.0.0.1:PORT`) is a local sandbox portal.
 * Its URL and client ID pre-fill the sign-in flows, its services are used by
 * its accounts, and the window says plainly that this is not ArcGIS. Set it
 * before the first window is created (`--sandbox` does; tests do). */
void                 arcpass_application_set_sandbox_url      (ArcpassApplication *self,
                                                               const char         *url);
const char          *arcpass_application_get_sandbox_url      (ArcpassApplication *self);
/* The location-service URLs for an account of @portal_url: the sandbox's for
 * the sandbox portal, ArcGIS Online's otherwise. */
ArcpassEndpoints    *arcpass_application_dup_endpoints        (ArcpassApplication *self,
                                                               const char         *portal_url);

G_END_DECLS
