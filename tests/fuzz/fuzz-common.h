/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The libFuzzer entry points. The same target sources are linked either with
 * -fsanitize=fuzzer or with standalone-driver.c (corpus replay in `meson test`). */
int         LLVMFuzzerInitialize    (int            *argc,
                                     char         ***argv);
int         LLVMFuzzerTestOneInput  (const uint8_t  *data,
                                     size_t          size);

/* Aborts with @message (and the input's length) so that libFuzzer and the
 * standalone driver record a crash: an invariant of the parser was broken. */
G_NORETURN void fuzz_fail           (const char     *format,
                                     ...) G_GNUC_PRINTF (1, 2);
#define fuzz_check(expr) \
  G_STMT_START { if (!(expr)) fuzz_fail ("%s:%d: check failed: %s", __FILE__, __LINE__, #expr); } G_STMT_END

/* @data parsed with arcpass_json_parse_object(), exactly as the REST client
 * parses a body (not NUL-terminated, explicit length); %NULL when it is not a
 * JSON object. */
JsonObject *fuzz_parse_object       (const uint8_t  *data,
                                     size_t          size);

/* @data up to its first NUL byte, as a new string. */
char       *fuzz_strndup            (const uint8_t  *data,
                                     size_t          size);

/* Splits @data at its first NUL byte: the part before goes to @first, the
 * part after to @second. Without a NUL, @first is empty and @second is all. */
void        fuzz_split              (const uint8_t  *data,
                                     size_t          size,
                                     const uint8_t **first,
                                     size_t         *first_size,
                                     const uint8_t **second,
                                     size_t         *second_size);

/* When the input was valid UTF-8, every string the parsers hand to the UI
 * must be too (GTK warns and shows nothing otherwise). %NULL is accepted. */
void        fuzz_check_utf8         (gboolean        input_is_utf8,
                                     const char     *what,
                                     const char     *text);

/* Checks fuzz_check_utf8() on @error's message. */
void        fuzz_check_error        (gboolean        input_is_utf8,
                                     const GError   *error);

G_END_DECLS
