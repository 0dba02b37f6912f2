/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-client.h"
#include "arcpass-error.h"

#include "fuzz-common.h"

/* Error envelopes of every service, as the REST client maps a body: a
 * non-object body is mapped as no body at all. */

static const guint statuses[] = { 0, 200, 204, 301, 400, 401, 403, 404, 429, 498, 499, 500, 503 };
static const ArcpassService services[] = {
  ARCPASS_SERVICE_NONE,
  ARCPASS_SERVICE_PORTAL,
  ARCPASS_SERVICE_OAUTH,
  ARCPASS_SERVICE_GEOCODE,
  ARCPASS_SERVICE_BASEMAP_STYLES,
  ARCPASS_SERVICE_STATIC_TILES,
};

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gboolean utf8 = g_utf8_validate_len ((const char *) data, size, NULL);
  g_autoptr(JsonObject) object = fuzz_parse_object (data, size);
  gboolean has_error_member = object != NULL && json_object_has_member (object, "error");

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    for (guint j = 0; j < G_N_ELEMENTS (statuses); j++)
      {
        g_autoptr(GError) error = arcpass_error_new_from_response (services[i], statuses[j], object);
        gboolean success_status = statuses[j] >= 200 && statuses[j] < 300;

        fuzz_check_error (utf8, error);
        if (error != NULL)
          fuzz_check (error->domain == ARCPASS_ERROR);
        /* A failure status is never mistaken for success. */
        if (statuses[j] >= 300)
          fuzz_check (error != NULL);
        /* Without an "error" member a 2xx answer is a success. */
        if (success_status && !has_error_member)
          fuzz_check (error == NULL);
      }

  return 0;
}
