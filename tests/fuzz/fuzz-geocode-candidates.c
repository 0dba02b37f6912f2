/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "arcpass-geocode.h"

#include "fuzz-common.h"

/* findAddressCandidates answers. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gboolean utf8 = g_utf8_validate_len ((const char *) data, size, NULL);
  g_autoptr(JsonObject) object = fuzz_parse_object (data, size);
  g_autoptr(GPtrArray) candidates = NULL;
  g_autoptr(GError) error = NULL;

  if (object == NULL)
    return 0;

  candidates = arcpass_geocode_parse_candidates (object, &error);
  fuzz_check ((candidates == NULL) == (error != NULL));
  fuzz_check_error (utf8, error);
  if (candidates == NULL)
    return 0;

  for (guint i = 0; i < candidates->len; i++)
    {
      ArcpassGeocodeCandidate *candidate = g_ptr_array_index (candidates, i);

      fuzz_check (candidate != NULL);
      fuzz_check_utf8 (utf8, "address", candidate->address);
      fuzz_check_utf8 (utf8, "addr_type", candidate->addr_type);
      /* JSON has no NaN: every number came from a literal. */
      fuzz_check (!isnan (candidate->x) && !isnan (candidate->y) && !isnan (candidate->score));
    }

  return 0;
}
