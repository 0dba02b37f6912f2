/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arcpass-json.h"

#include "fuzz-common.h"

/* A critical or a warning on malformed input is a bug: the type-checked JSON
 * getters exist so that a surprising answer becomes a GError, never a
 * g_return_if_fail() or a json-glib critical. Debug and info messages are
 * dropped to keep the fuzzers fast. */
static GLogWriterOutput
fatal_log_writer (GLogLevelFlags   log_level,
                  const GLogField *fields,
                  gsize            n_fields,
                  gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      fuzz_fail ("a warning or critical was logged");
    }

  return G_LOG_WRITER_HANDLED;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_writer_func (fatal_log_writer, NULL, NULL);
  return 0;
}

void
fuzz_fail (const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  fputs ("fuzz: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  fflush (stderr);
  abort ();
}

JsonObject *
fuzz_parse_object (const uint8_t *data,
                   size_t         size)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  object = arcpass_json_parse_object ((const char *) data, (gssize) size, &error);
  fuzz_check ((object == NULL) == (error != NULL));
  return object;
}

char *
fuzz_strndup (const uint8_t *data,
              size_t         size)
{
  return g_strndup ((const char *) data, size);
}

void
fuzz_split (const uint8_t  *data,
            size_t          size,
            const uint8_t **first,
            size_t         *first_size,
            const uint8_t **second,
            size_t         *second_size)
{
  const uint8_t *nul = memchr (data, '\0', size);

  if (nul == NULL)
    {
      *first = data;
      *first_size = 0;
      *second = data;
      *second_size = size;
      return;
    }

  *first = data;
  *first_size = nul - data;
  *second = nul + 1;
  *second_size = size - *first_size - 1;
}

void
fuzz_check_utf8 (gboolean    input_is_utf8,
                 const char *what,
                 const char *text)
{
  if (input_is_utf8 && text != NULL && !g_utf8_validate (text, -1, NULL))
    fuzz_fail ("%s is not valid UTF-8 although the input was", what);
}

void
fuzz_check_error (gboolean      input_is_utf8,
                  const GError *error)
{
  if (error == NULL)
    return;

  fuzz_check (error->message != NULL);
  fuzz_check_utf8 (input_is_utf8, "the error message", error->message);
}
