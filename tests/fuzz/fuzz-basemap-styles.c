/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-basemap.h"

#include "fuzz-common.h"

/* Basemap Styles v2 `styles/self` answers. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gboolean utf8 = g_utf8_validate_len ((const char *) data, size, NULL);
  g_autoptr(JsonObject) object = fuzz_parse_object (data, size);
  g_autoptr(GPtrArray) styles = NULL;
  g_autoptr(GError) error = NULL;

  if (object == NULL)
    return 0;

  styles = arcpass_basemap_parse_styles (object, &error);
  fuzz_check ((styles == NULL) == (error != NULL));
  fuzz_check_error (utf8, error);
  if (styles == NULL)
    return 0;

  for (guint i = 0; i < styles->len; i++)
    {
      ArcpassBasemapStyle *style = g_ptr_array_index (styles, i);

      fuzz_check (style != NULL);
      fuzz_check_utf8 (utf8, "name", style->name);
      /* Paths are documented without a leading slash. */
      fuzz_check (style->path == NULL || style->path[0] != '/');
      fuzz_check_utf8 (utf8, "path", style->path);
    }

  return 0;
}
