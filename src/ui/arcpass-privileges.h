/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ArcpassPrivilegeGroup:
 *
 * The groups the account view shows privileges in, in display order.
 */
typedef enum {
  ARCPASS_PRIVILEGE_GROUP_LOCATION,
  ARCPASS_PRIVILEGE_GROUP_ANALYSIS,
  ARCPASS_PRIVILEGE_GROUP_PORTAL,
  ARCPASS_PRIVILEGE_GROUP_PUBLISHING,
  ARCPASS_PRIVILEGE_GROUP_ADMIN,
  ARCPASS_PRIVILEGE_GROUP_OTHER,
  ARCPASS_N_PRIVILEGE_GROUPS,
} ArcpassPrivilegeGroup;

/* "Location services", "Portal", … (translated). */
const char            *arcpass_privilege_group_title    (ArcpassPrivilegeGroup  group);

/* Which group a privilege string such as `premium:user:geocode:temporary`
 * belongs to, and (@out_name) a readable name for it, e.g. "Geocoding (not
 * stored)". Unknown privileges get a name made from their last segment. */
ArcpassPrivilegeGroup  arcpass_privilege_describe       (const char            *privilege,
                                                         char                 **out_name);

G_END_DECLS
