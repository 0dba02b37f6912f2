/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-portal.h"

#include "fuzz-common.h"

/* Discovery answers: `/info` and `portals/self`. The input is the /info body,
 * a NUL byte, then the portals/self body (no NUL: no /info answer). */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gboolean utf8 = g_utf8_validate_len ((const char *) data, size, NULL);
  const uint8_t *info_data, *self_data;
  size_t info_size, self_size;
  g_autoptr(JsonObject) info_json = NULL;
  g_autoptr(JsonObject) self_json = NULL;
  g_autoptr(ArcpassPortalInfo) info = NULL;
  g_autoptr(ArcpassPortalInfo) copy = NULL;
  g_autoptr(ArcpassEndpoints) endpoints = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_split (data, size, &info_data, &info_size, &self_data, &self_size);
  if (info_size > 0)
    info_json = fuzz_parse_object (info_data, info_size);
  self_json = fuzz_parse_object (self_data, self_size);
  if (self_json == NULL)
    return 0;

  info = arcpass_portal_info_new_from_json ("https://gis.example.com/portal", info_json, self_json,
                                            &error);
  fuzz_check ((info == NULL) == (error != NULL));
  fuzz_check_error (utf8, error);
  if (info == NULL)
    return 0;

  fuzz_check (info->portal_url != NULL && info->rest_root != NULL);
  fuzz_check_utf8 (utf8, "name", info->name);
  fuzz_check_utf8 (utf8, "current_version", info->current_version);

  copy = arcpass_portal_info_copy (info);
  fuzz_check (g_strcmp0 (copy->helper_geocode_url, info->helper_geocode_url) == 0);

  /* The helper geocoder is taken from the answer: it must never downgrade
   * the endpoints to plain http on a remote host. */
  endpoints = arcpass_endpoints_new_for_portal (info);
  fuzz_check (endpoints->geocode_url != NULL);
  fuzz_check (arcpass_url_is_secure_enough (endpoints->geocode_url));

  return 0;
}
