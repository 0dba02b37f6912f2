/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-geocode.h"

#include "fuzz-common.h"

/* reverseGeocode answers. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gboolean utf8 = g_utf8_validate_len ((const char *) data, size, NULL);
  g_autoptr(JsonObject) object = fuzz_parse_object (data, size);
  g_autoptr(ArcpassReverseGeocodeResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (object == NULL)
    return 0;

  result = arcpass_geocode_parse_reverse (object, &error);
  fuzz_check ((result == NULL) == (error != NULL));
  fuzz_check_error (utf8, error);
  if (result == NULL)
    return 0;

  fuzz_check_utf8 (utf8, "match_addr", result->match_addr);
  fuzz_check_utf8 (utf8, "long_label", result->long_label);
  fuzz_check_utf8 (utf8, "short_label", result->short_label);
  fuzz_check_utf8 (utf8, "city", result->city);

  return 0;
}
