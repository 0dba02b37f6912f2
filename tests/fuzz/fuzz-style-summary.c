/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-basemap.h"

#include "fuzz-common.h"

/* Mapbox GL style JSON (Basemap Styles v2 `styles/<path>`), summarised. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gboolean utf8 = g_utf8_validate_len ((const char *) data, size, NULL);
  g_autoptr(JsonObject) object = fuzz_parse_object (data, size);
  g_autoptr(ArcpassStyleSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  guint n_sources, n_types, total = 0;

  if (object == NULL)
    return 0;

  summary = arcpass_style_summary_new_from_json (object, &error);
  fuzz_check ((summary == NULL) == (error != NULL));
  fuzz_check_error (utf8, error);
  if (summary == NULL)
    return 0;

  fuzz_check (summary->source_names != NULL && summary->source_types != NULL);
  n_sources = g_strv_length (summary->source_names);
  fuzz_check (g_strv_length (summary->source_types) == n_sources);
  for (guint i = 1; i < n_sources; i++)
    fuzz_check (g_strcmp0 (summary->source_names[i - 1], summary->source_names[i]) <= 0);

  fuzz_check (summary->layer_types != NULL && summary->layer_type_counts != NULL);
  n_types = g_strv_length (summary->layer_types);
  for (guint i = 0; i < n_types; i++)
    {
      fuzz_check (summary->layer_type_counts[i] > 0);
      total += summary->layer_type_counts[i];
      if (i > 0)
        fuzz_check (g_strcmp0 (summary->layer_types[i - 1], summary->layer_types[i]) < 0);
    }
  fuzz_check (total == summary->n_layers);

  fuzz_check_utf8 (utf8, "name", summary->name);
  fuzz_check_utf8 (utf8, "glyphs", summary->glyphs);
  fuzz_check_utf8 (utf8, "sprite", summary->sprite);

  return 0;
}
