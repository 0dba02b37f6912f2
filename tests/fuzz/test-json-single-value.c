/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-error.h"
#include "arcpass-json.h"

/* Regression tests of the first fuzzing finding: json-glib 1.6 accepts
 * several top-level values and leaks all but the last, so the core refuses
 * anything after the first value before parsing (arcpass-json.c). */

static void
test_single_values (void)
{
  static const char * const single[] = {
    "{}", "  {\"a\":1}\n", "{\"a\":\"}{\"}", "{\"a\":\"\\\"}{\"}", "[1,{\"b\":[]}]", "false", "12.5 ",
    "\"{}{}\"", "{\"a\":", "{\"a\":\"unterminated", "", "   ",
    "[\"\\b\\f\\n\\r\\t\\/\\\\\\\"\\u00e9\"]", "\"\\",
  };
  static const char * const several[] = {
    "{}{}", "{\"a\":1}{\"b\":2}", "false{\"a\":1}", "1{}", "[1]{}", "\"s\"{}", "{} x", "{}]",
    "{\"a\":\"}\"}}", "null null", "1 2",
    /* Broken \u escapes (json-glib leaks on some of them). */
    "{\"o\\udd8X\\ud77Xn\":1}", "{\"a\":\"\\u12\"}", "[\"\\uzzzz\"]",
    /* Escapes JSON does not have (json-glib decodes octal ones into bytes). */
    "[\"\\333\"]", "{\"a\":\"\\x41\"}", "{\"\\'\":1}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (single); i++)
    {
      g_test_message ("single: %s", single[i]);
      g_assert_true (arcpass_json_is_single_value (single[i], -1));
    }
  for (guint i = 0; i < G_N_ELEMENTS (several); i++)
    {
      g_test_message ("several: %s", several[i]);
      g_assert_false (arcpass_json_is_single_value (several[i], -1));
    }

  /* An explicit length: what follows is not looked at. */
  g_assert_true (arcpass_json_is_single_value ("{}{}", 2));
  g_assert_false (arcpass_json_is_single_value ("{}\0{}", 5));
}

static void
test_parse_refuses_several (void)
{
  static const char * const inputs[] = {
    "{\"access_token\":\"x\"}{\"access_token\":\"y\"}",
    "false{\"access_token\":\"x\",\"expires_in\":1800.0,\"refresh_token\":null,\"userAnWme\":null}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = arcpass_json_parse_object (inputs[i], -1, &error);

      g_assert_null (object);
      g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
    }
}

/* The second finding: lone UTF-16 surrogate escapes. */
static void
test_repair_surrogates (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "{\"a\":\"x\\ud800y\"}", "{\"a\":\"x\\ufffdy\"}" },
    { "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ufffd\"}" },
    { "\"\\ud800\\ud800\\", "\"\\ufffd\\ufffd\\" },
    { "{\"\\ud800\\u0000\":", "{\"\\ufffd\\u0000\":" },
    { "{\"a\":\"\\uD83D\\uDE00 ok\"}", NULL },
    { "{\"a\":\"\\\\ud800 is text\"}", NULL },
    { "{\"a\":\"\\u00e9\"}", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *repaired = arcpass_json_repair_surrogates (cases[i].in, -1);

      g_test_message ("%s", cases[i].in);
      g_assert_cmpstr (repaired, ==, cases[i].out);
    }
}

static void
test_parse_gives_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = arcpass_json_parse_object ("{\"username\":\"a\\ud800\"}", -1, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (object, "username"), ==, "a\xef\xbf\xbd");
}

/* json-glib 1.6 writes 1e308 as "1e+308.0" and 1e400 as "inf.0". */
static void
test_generator_writes_json (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "[1e308,-1e-300,1e400,-1e400,2.5,100.0,1E5,true]",
      "[1e+308,-1e-300,1e999,-1e999,2.5,100.0,100000.0,true]" },
    { "{\"1e+308.0\":\"inf.0 \\\" 1e+5.0\",\"b\":1e20}",
      "{\"1e+308.0\":\"inf.0 \\\" 1e+5.0\",\"b\":1e+20}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonParser) back = json_parser_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *json = NULL;

      g_assert_true (json_parser_load_from_data (parser, cases[i].in, -1, NULL));
      json_generator_set_root (generator, json_parser_get_root (parser));
      json = arcpass_json_generator_to_data (generator);
      g_assert_cmpstr (json, ==, cases[i].out);
      g_assert_true (json_parser_load_from_data (back, json, -1, NULL));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/single-value", test_single_values);
  g_test_add_func ("/json/parse-refuses-several-values", test_parse_refuses_several);
  g_test_add_func ("/json/repair-surrogates", test_repair_surrogates);
  g_test_add_func ("/json/parse-gives-utf8", test_parse_gives_utf8);
  g_test_add_func ("/json/generator-writes-json", test_generator_writes_json);

  return g_test_run ();
}
