/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Type-checked access to remote JSON. Every getter sets a
 * %ARCPASS_ERROR_MALFORMED_RESPONSE error naming the member when it is
 * missing or has the wrong type, so that a surprising server answer becomes
 * an error message and never a critical warning or a crash.
 *
 * The `_optional_` variants accept a missing member or `null` (they return
 * %TRUE and store %NULL / leave the default) but still fail on a wrong type.
 */

/* FALSE when @data (@length bytes, or NUL-terminated when -1) holds more than
 * one top-level JSON value ("{…}{…}", "false{…}"): json-glib 1.6 accepts
 * those, keeps the last value and leaks the others. A truncated or otherwise
 * invalid single value gives TRUE: the parser reports it, except a \u escape
 * without 4 hex digits, which gives FALSE (json-glib 1.6 leaks on some), and
 * an escape JSON does not have, such as an octal "\333" (json-glib 1.6
 * decodes those into bytes that are not UTF-8), which gives FALSE too. */
gboolean     arcpass_json_is_single_value              (const char   *data,
                                                        gssize        length);

/* json-glib 1.6 decodes a lone UTF-16 surrogate escape ("\ud800", as a
 * server truncating a string inside an emoji writes it) into bytes that are
 * not UTF-8, and leaks memory on some such sequences. Returns a copy of @data
 * (@length bytes, or NUL-terminated when -1; the copy is NUL-terminated and
 * as long) with every lone surrogate escape replaced by "\ufffd", or %NULL
 * when there is none. */
char        *arcpass_json_repair_surrogates            (const char   *data,
                                                        gssize        length);

/* json_generator_to_data(), except that the result is JSON: json-glib 1.6
 * appends ".0" to every double it writes without a '.', also after an
 * exponent ("1e+308.0") and to infinity ("inf.0", from 1e400). Those numbers
 * are written "1e+308" and "1e999" instead. */
char        *arcpass_json_generator_to_data            (JsonGenerator *generator);

/* Parses @data as JSON whose root must be an object. Returns a new reference. */
JsonObject  *arcpass_json_parse_object                 (const char   *data,
                                                        gssize        length,
                                                        GError      **error);

const char  *arcpass_json_object_get_string            (JsonObject   *object,
                                                        const char   *member,
                                                        GError      **error);
gboolean     arcpass_json_object_get_optional_string   (JsonObject   *object,
                                                        const char   *member,
                                                        const char  **out_value,
                                                        GError      **error);
/* Integers; a JSON double with an integral value is accepted too, because
 * ArcGIS writes some integers (expires, created) as doubles. */
gboolean     arcpass_json_object_get_int               (JsonObject   *object,
                                                        const char   *member,
                                                        gint64       *out_value,
                                                        GError      **error);
gboolean     arcpass_json_object_get_optional_int      (JsonObject   *object,
                                                        const char   *member,
                                                        gint64       *inout_value,
                                                        GError      **error);
gboolean     arcpass_json_object_get_double            (JsonObject   *object,
                                                        const char   *member,
                                                        double       *out_value,
                                                        GError      **error);
gboolean     arcpass_json_object_get_optional_double   (JsonObject   *object,
                                                        const char   *member,
                                                        double       *inout_value,
                                                        GError      **error);
gboolean     arcpass_json_object_get_boolean           (JsonObject   *object,
                                                        const char   *member,
                                                        gboolean     *out_value,
                                                        GError      **error);
gboolean     arcpass_json_object_get_optional_boolean  (JsonObject   *object,
                                                        const char   *member,
                                                        gboolean     *inout_value,
                                                        GError      **error);
JsonObject  *arcpass_json_object_get_object            (JsonObject   *object,
                                                        const char   *member,
                                                        GError      **error);
gboolean     arcpass_json_object_get_optional_object   (JsonObject   *object,
                                                        const char   *member,
                                                        JsonObject  **out_value,
                                                        GError      **error);
JsonArray   *arcpass_json_object_get_array             (JsonObject   *object,
                                                        const char   *member,
                                                        GError      **error);
gboolean     arcpass_json_object_get_optional_array    (JsonObject   *object,
                                                        const char   *member,
                                                        JsonArray  **out_value,
                                                        GError      **error);
/* An array of strings as a new GStrv (an empty array gives an empty GStrv). */
char       **arcpass_json_object_dup_strv              (JsonObject   *object,
                                                        const char   *member,
                                                        GError      **error);
/* A string or a number rendered as text ("currentVersion" is either). */
char        *arcpass_json_object_dup_string_or_number  (JsonObject   *object,
                                                        const char   *member,
                                                        GError      **error);

/* Element @index of @array, which must be an object. */
JsonObject  *arcpass_json_array_get_object             (JsonArray    *array,
                                                        guint         index,
                                                        GError      **error);

/* Pretty-printed text of @object (for the request log and exports). */
char        *arcpass_json_object_to_string             (JsonObject   *object,
                                                        gboolean      pretty);

G_END_DECLS
