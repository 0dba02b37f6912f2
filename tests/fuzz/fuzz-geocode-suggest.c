/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-geocode.h"

#include "fuzz-common.h"

/* suggest answers. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gboolean utf8 = g_utf8_validate_len ((const char *) data, size, NULL);
  g_autoptr(JsonObject) object = fuzz_parse_object (data, size);
  g_autoptr(GPtrArray) suggestions = NULL;
  g_autoptr(GError) error = NULL;

  if (object == NULL)
    return 0;

  suggestions = arcpass_geocode_parse_suggestions (object, &error);
  fuzz_check ((suggestions == NULL) == (error != NULL));
  fuzz_check_error (utf8, error);
  if (suggestions == NULL)
    return 0;

  for (guint i = 0; i < suggestions->len; i++)
    {
      ArcpassSuggestion *suggestion = g_ptr_array_index (suggestions, i);

      fuzz_check (suggestion != NULL);
      fuzz_check_utf8 (utf8, "text", suggestion->text);
      fuzz_check_utf8 (utf8, "magic_key", suggestion->magic_key);
    }

  return 0;
}
