/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "arcpass-credential.h"

G_BEGIN_DECLS

/*
 * Readers of remote JSON that are otherwise only reachable through a network
 * flow, exposed so that the fuzz targets (tests/fuzz) can feed them directly.
 * Not for application code: use the sign-in and identity flows instead.
 */

/* Applies a `community/self` answer to @credential (username, identity,
 * privileges; the avatar URL is built under @rest_root). */
gboolean arcpass_parse_community_self (ArcpassCredential  *credential,
                                       const char         *rest_root,
                                       JsonObject         *json,
                                       GError            **error);

/* Applies a `portals/self` answer to @credential (org name and id; for API
 * keys and app credentials also `appInfo` and `user`). Never fails. */
void     arcpass_parse_portal_self    (ArcpassCredential  *credential,
                                       JsonObject         *json);

G_END_DECLS
