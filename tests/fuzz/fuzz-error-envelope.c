/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-client.h"
#include "arcpass-error.h"

#include "fuzz-common.h"

/* Error envelopes of every service, as the REST client maps a body: a
 * non-object body is mapped as no body at all. */

static const guint statuses[] = { 0, 200, 204, 301, 400, 401, 403, 404, 429, 498, 499, 500, 502,
                                  503, 504 };
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
  JsonNode *code_node = object != NULL ? json_object_get_member (object, "code") : NULL;
  /* A top-level integer "code" of 400 or more is an error too (rest-js
   * checkForErrors). */
  gboolean has_top_level_code = code_node != NULL && JSON_NODE_HOLDS_VALUE (code_node) &&
                                json_node_get_value_type (code_node) == G_TYPE_INT64 &&
                                json_node_get_int (code_node) >= 400;

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
        /* Without an "error" member or a top-level error code, a 2xx
         * answer is a success. */
        if (success_status && !has_error_member && !has_top_level_code)
          fuzz_check (error == NULL);
        if (success_status && has_top_level_code && !has_error_member)
          fuzz_check (error != NULL);
      }

  /* The same bodies behind an HTML content type (a CDN's page that happens
   * to parse), with the input as a Retry-After value when it is text. */
  {
    g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);

    soup_message_headers_set_content_type (headers, "text/html", NULL);
    if (utf8 && size < 200 && memchr (data, '\0', size) == NULL && memchr (data, '\n', size) == NULL &&
        memchr (data, '\r', size) == NULL)
      {
        g_autofree char *value = g_strndup ((const char *) data, size);

        soup_message_headers_append (headers, "Retry-After", value);
      }

    for (guint j = 0; j < G_N_ELEMENTS (statuses); j++)
      {
        g_autoptr(GError) error = arcpass_error_new_from_http (ARCPASS_SERVICE_GEOCODE, statuses[j],
                                                               "example.com", headers, object,
                                                               1733450000);

        fuzz_check_error (TRUE, error);
        if (statuses[j] >= 300)
          fuzz_check (error != NULL);
        /* An HTML 403 is never a missing privilege. */
        if (statuses[j] == 403)
          fuzz_check (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_BLOCKED));
        if (statuses[j] == 429)
          fuzz_check (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_RATE_LIMITED));
      }
  }

  return 0;
}
