/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arcpass-error.h"
#include "arcpass-json.h"

/* Remote JSON is never trusted: json-glib's own getters emit criticals
 * (and return garbage) on a missing member or a wrong type, so every read
 * goes through these checks and becomes a GError the user can read. */

static gboolean
fail (GError     **error,
      const char  *member,
      const char  *expected)
{
  g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
               /* Translators: the first %s is the name of a JSON member such as
                * “token”, the second a kind of value such as “a string”. */
               _("The server's answer is not what was expected: “%s” should be %s."),
               member, _(expected));
  return FALSE;
}

/* Returns the member's node, NULL when absent or JSON null. */
static JsonNode *
get_node (JsonObject *object,
          const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, member);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  return node;
}

static gboolean
node_is_value_of_type (JsonNode *node,
                       GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static guint hex4 (const char *p);

gboolean
arcpass_json_is_single_value (const char *data,
                              gssize      length)
{
  gsize len = length < 0 ? strlen (data) : (gsize) length;
  gsize i = 0;
  guint depth = 0;
  gboolean in_string = FALSE;
  gboolean in_scalar = FALSE;

  while (i < len && g_ascii_isspace (data[i]))
    i++;

  /* Finds the end of the first value; strings may hold any bracket. */
  for (; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            {
              /* json-glib 1.6 does not check the digits of a \u escape and
               * leaks memory when the garbage value it computes looks like a
               * surrogate (found by fuzzing): such an escape is refused. */
              if (i + 1 < len && data[i + 1] == 'u' &&
                  (i + 6 > len || hex4 (data + i + 2) == G_MAXUINT))
                return FALSE;
              /* It also takes GScanner's octal escapes: "\333" became a
               * byte that is not UTF-8 (found by fuzzing). JSON has none. */
              if (i + 1 < len && (data[i + 1] == '\0' || strchr ("\"\\/bfnrtu", data[i + 1]) == NULL))
                return FALSE;
              i++;
            }
          else if (c == '"')
            {
              in_string = FALSE;
              if (depth == 0)
                {
                  i++;
                  break;
                }
            }
        }
      else if (in_scalar && (g_ascii_isspace (c) || strchr ("{}[]\",:", c) != NULL))
        break;
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        depth++;
      else if (c == '}' || c == ']')
        {
          if (depth <= 1)
            {
              i++;
              break;
            }
          depth--;
        }
      else if (depth == 0)
        in_scalar = TRUE;
    }

  for (; i < len; i++)
    if (!g_ascii_isspace (data[i]))
      return FALSE;

  return TRUE;
}

/* The value of the 4 hex digits at @p, or G_MAXUINT. */
static guint
hex4 (const char *p)
{
  guint value = 0;

  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return G_MAXUINT;
      value = value * 16 + digit;
    }

  return value;
}

char *
arcpass_json_repair_surrogates (const char *data,
                                gssize      length)
{
  gsize len = length < 0 ? strlen (data) : (gsize) length;
  char *copy = NULL;
  gsize i = 0;

  /* Backslashes only mean something inside strings; an escaped backslash
   * is skipped with its escape, so "\\ud800" is left alone. */
  while (i < len)
    {
      guint high, low;

      if (data[i] != '\\')
        {
          i++;
          continue;
        }
      if (i + 6 > len || data[i + 1] != 'u' || (high = hex4 (data + i + 2)) == G_MAXUINT)
        {
          i += 2;
          continue;
        }
      if (high >= 0xD800 && high <= 0xDBFF && i + 12 <= len &&
          data[i + 6] == '\\' && data[i + 7] == 'u' &&
          (low = hex4 (data + i + 8)) >= 0xDC00 && low <= 0xDFFF)
        {
          i += 12;
          continue;
        }
      if (high >= 0xD800 && high <= 0xDFFF)
        {
          if (copy == NULL)
            {
              copy = g_malloc (len + 1);
              memcpy (copy, data, len);
              copy[len] = '\0';
            }
          memcpy (copy + i, "\\ufffd", 6);
        }
      i += 6;
    }

  return copy;
}

char *
arcpass_json_generator_to_data (JsonGenerator *generator)
{
  char *json = json_generator_to_data (generator, NULL);
  char *out = json;
  gboolean in_string = FALSE;

  /* Found by fuzzing the request log's redaction, which writes back the
   * JSON it has parsed. The generator escapes '"' and '\\' in strings, so
   * outside them a run of letters, digits and signs is a number or a
   * keyword. The text only gets shorter: it is fixed in place. */
  for (const char *p = json; *p != '\0';)
    {
      gsize len;

      if (in_string || *p == '"')
        {
          if (in_string && *p == '\\' && p[1] != '\0')
            *out++ = *p++;
          else if (*p == '"')
            in_string = !in_string;
          *out++ = *p++;
          continue;
        }

      len = strspn (p, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+-.");
      if (len == 0)
        {
          *out++ = *p++;
          continue;
        }

      if ((len == 5 && strncmp (p, "inf.0", 5) == 0) || (len == 6 && strncmp (p, "-inf.0", 6) == 0))
        {
          /* As long as what it replaces. */
          memcpy (out, *p == '-' ? "-1e999" : "1e999", len);
          out += len;
        }
      else
        {
          gsize keep = len;

          if (len > 2 && memchr (p, 'e', len) != NULL && p[len - 2] == '.' && p[len - 1] == '0')
            keep -= 2;
          memmove (out, p, keep);
          out += keep;
        }
      p += len;
    }
  *out = '\0';

  return json;
}

JsonObject *
arcpass_json_parse_object (const char  *data,
                           gssize       length,
                           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *repaired = NULL;
  JsonNode *root;

  if (data == NULL || (length == 0) || (length < 0 && *data == '\0'))
    {
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                           _("The server sent an empty answer."));
      return NULL;
    }

  if (!arcpass_json_is_single_value (data, length))
    {
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                           _("The server's answer is not valid JSON (something follows the "
                             "first value, or a \\ escape is broken)."));
      return NULL;
    }

  repaired = arcpass_json_repair_surrogates (data, length);
  if (repaired != NULL)
    data = repaired;

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      guint line, column;

      /* json-glib's message quotes the offending token, cut to a number of
       * bytes: that can end in half a UTF-8 character (found by fuzzing),
       * and in a token response or a keyring payload the token can be a
       * secret. Only the position is kept. */
      if (sscanf (local_error->message, "<data>:%u:%u:", &line, &column) == 2)
        g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                     _("The server's answer is not valid JSON (line %u, column %u). It may have "
                       "been cut short."), line, column);
      else
        g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                             _("The server's answer is not valid JSON. It may have been cut short."));
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                           _("The server's answer is JSON but not an object."));
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

const char *
arcpass_json_object_get_string (JsonObject  *object,
                                const char  *member,
                                GError     **error)
{
  JsonNode *node = get_node (object, member);

  if (node == NULL || !node_is_value_of_type (node, G_TYPE_STRING))
    {
      fail (error, member, N_("a string"));
      return NULL;
    }

  return json_node_get_string (node);
}

gboolean
arcpass_json_object_get_optional_string (JsonObject   *object,
                                         const char   *member,
                                         const char  **out_value,
                                         GError      **error)
{
  JsonNode *node = get_node (object, member);

  *out_value = NULL;
  if (node == NULL)
    return TRUE;

  if (!node_is_value_of_type (node, G_TYPE_STRING))
    return fail (error, member, N_("a string"));

  *out_value = json_node_get_string (node);
  return TRUE;
}

static gboolean
node_to_int (JsonNode *node,
             gint64   *out_value)
{
  if (node_is_value_of_type (node, G_TYPE_INT64))
    {
      *out_value = json_node_get_int (node);
      return TRUE;
    }

  if (node_is_value_of_type (node, G_TYPE_DOUBLE))
    {
      double d = json_node_get_double (node);

      if (isfinite (d) && d == floor (d) && fabs (d) < 9.0e15)
        {
          *out_value = (gint64) d;
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
arcpass_json_object_get_int (JsonObject  *object,
                             const char  *member,
                             gint64      *out_value,
                             GError     **error)
{
  JsonNode *node = get_node (object, member);

  if (node == NULL || !node_to_int (node, out_value))
    return fail (error, member, N_("an integer"));

  return TRUE;
}

gboolean
arcpass_json_object_get_optional_int (JsonObject  *object,
                                      const char  *member,
                                      gint64      *inout_value,
                                      GError     **error)
{
  JsonNode *node = get_node (object, member);

  if (node == NULL)
    return TRUE;

  if (!node_to_int (node, inout_value))
    return fail (error, member, N_("an integer"));

  return TRUE;
}

static gboolean
node_to_double (JsonNode *node,
                double   *out_value)
{
  if (node_is_value_of_type (node, G_TYPE_DOUBLE))
    {
      *out_value = json_node_get_double (node);
      return TRUE;
    }

  if (node_is_value_of_type (node, G_TYPE_INT64))
    {
      *out_value = (double) json_node_get_int (node);
      return TRUE;
    }

  return FALSE;
}

gboolean
arcpass_json_object_get_double (JsonObject  *object,
                                const char  *member,
                                double      *out_value,
                                GError     **error)
{
  JsonNode *node = get_node (object, member);

  if (node == NULL || !node_to_double (node, out_value))
    return fail (error, member, N_("a number"));

  return TRUE;
}

gboolean
arcpass_json_object_get_optional_double (JsonObject  *object,
                                         const char  *member,
                                         double      *inout_value,
                                         GError     **error)
{
  JsonNode *node = get_node (object, member);

  if (node == NULL)
    return TRUE;

  if (!node_to_double (node, inout_value))
    return fail (error, member, N_("a number"));

  return TRUE;
}

gboolean
arcpass_json_object_get_boolean (JsonObject  *object,
                                 const char  *member,
                                 gboolean    *out_value,
                                 GError     **error)
{
  JsonNode *node = get_node (object, member);

  if (node == NULL || !node_is_value_of_type (node, G_TYPE_BOOLEAN))
    return fail (error, member, N_("true or false"));

  *out_value = json_node_get_boolean (node);
  return TRUE;
}

gboolean
arcpass_json_object_get_optional_boolean (JsonObject  *object,
                                          const char  *member,
                                          gboolean    *inout_value,
                                          GError     **error)
{
  JsonNode *node = get_node (object, member);

  if (node == NULL)
    return TRUE;

  if (!node_is_value_of_type (node, G_TYPE_BOOLEAN))
    return fail (error, member, N_("true or false"));

  *inout_value = json_node_get_boolean (node);
  return TRUE;
}

JsonObject *
arcpass_json_object_get_object (JsonObject  *object,
                                const char  *member,
                                GError     **error)
{
  JsonNode *node = get_node (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, member, N_("an object"));
      return NULL;
    }

  return json_node_get_object (node);
}

gboolean
arcpass_json_object_get_optional_object (JsonObject   *object,
                                         const char   *member,
                                         JsonObject  **out_value,
                                         GError      **error)
{
  JsonNode *node = get_node (object, member);

  *out_value = NULL;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, member, N_("an object"));

  *out_value = json_node_get_object (node);
  return TRUE;
}

JsonArray *
arcpass_json_object_get_array (JsonObject  *object,
                               const char  *member,
                               GError     **error)
{
  JsonNode *node = get_node (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      fail (error, member, N_("an array"));
      return NULL;
    }

  return json_node_get_array (node);
}

gboolean
arcpass_json_object_get_optional_array (JsonObject  *object,
                                        const char  *member,
                                        JsonArray  **out_value,
                                        GError     **error)
{
  JsonNode *node = get_node (object, member);

  *out_value = NULL;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (error, member, N_("an array"));

  *out_value = json_node_get_array (node);
  return TRUE;
}

char **
arcpass_json_object_dup_strv (JsonObject  *object,
                              const char  *member,
                              GError     **error)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;
  guint n;

  array = arcpass_json_object_get_array (object, member, error);
  if (array == NULL)
    return NULL;

  builder = g_strv_builder_new ();
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!node_is_value_of_type (node, G_TYPE_STRING))
        {
          fail (error, member, N_("an array of strings"));
          return NULL;
        }

      g_strv_builder_add (builder, json_node_get_string (node));
    }

  return g_strv_builder_end (builder);
}

char *
arcpass_json_object_dup_string_or_number (JsonObject  *object,
                                          const char  *member,
                                          GError     **error)
{
  JsonNode *node = get_node (object, member);

  if (node != NULL && node_is_value_of_type (node, G_TYPE_STRING))
    return g_strdup (json_node_get_string (node));

  if (node != NULL && node_is_value_of_type (node, G_TYPE_INT64))
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

  if (node != NULL && node_is_value_of_type (node, G_TYPE_DOUBLE))
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      /* %g keeps 10.61 as "10.61" instead of 10.6099999… */
      return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.10g", json_node_get_double (node)));
    }

  fail (error, member, N_("a string or a number"));
  return NULL;
}

JsonObject *
arcpass_json_array_get_object (JsonArray  *array,
                               guint       index,
                               GError    **error)
{
  JsonNode *node;

  if (index >= json_array_get_length (array))
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                   _("The server's answer is not what was expected: element %u is missing."),
                   index);
      return NULL;
    }

  node = json_array_get_element (array, index);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                   _("The server's answer is not what was expected: element %u should be an object."),
                   index);
      return NULL;
    }

  return json_node_get_object (node);
}

char *
arcpass_json_object_to_string (JsonObject *object,
                               gboolean    pretty)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return json_to_string (node, pretty);
}
