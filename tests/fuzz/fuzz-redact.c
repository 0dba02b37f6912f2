/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-json.h"
#include "arcpass-request-log.h"

#include "fuzz-common.h"

/* The request log's redaction of bodies, URLs and forms. Response bodies are
 * remote input and go into a log the user can copy and share, so a secret
 * must never survive: a known secret is appended to the input in a position
 * every rule must catch, and must not appear in the output. */

#define SECRET "Zq9SECRETqZ"

static void
check_redacted (const char *what,
                const char *input,
                char       *output)
{
  if (output == NULL)
    fuzz_fail ("%s returned NULL for “%s”", what, input);
  if (strstr (output, SECRET) != NULL)
    fuzz_fail ("%s let the secret through:\n%s\n→\n%s", what, input, output);
  g_free (output);
}

static gboolean
is_secret_name (const char *name)
{
  return arcpass_redact_is_secret_name (name);
}

/* In a redacted JSON document, no secret-named member keeps a string value. */
static void
check_json_node (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l; l = l->next)
        {
          JsonNode *member = json_object_get_member (object, l->data);

          if (is_secret_name (l->data) && JSON_NODE_HOLDS_VALUE (member) &&
              json_node_get_value_type (member) == G_TYPE_STRING &&
              !g_str_equal (json_node_get_string (member), ARCPASS_REDACTED))
            fuzz_fail ("member “%s” kept its value “%s”", (const char *) l->data,
                       json_node_get_string (member));
          check_json_node (member);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        check_json_node (json_array_get_element (array, i));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = fuzz_strndup (data, size);
  g_autofree char *form = g_strconcat (text, "&access_token=" SECRET, NULL);
  g_autofree char *url = g_strconcat ("https://example.com/sharing/rest?", text,
                                      "&token=" SECRET, NULL);
  g_autofree char *json = arcpass_redact_json (text);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *repaired = arcpass_json_repair_surrogates (text, -1);

  /* The secret in a position no rule covers (libFuzzer copies the
   * constants it sees compared) proves nothing. */
  if (strstr (text, SECRET) != NULL)
    return 0;

  check_redacted ("arcpass_redact_form", form, arcpass_redact_form (form));
  check_redacted ("arcpass_redact_url", url, arcpass_redact_url (url));
  /* Not JSON: the text patterns apply. */
  check_redacted ("arcpass_redact_json", form, arcpass_redact_json (form));

  /* Valid JSON stays JSON, with every secret member redacted. */
  fuzz_check (json != NULL);
  /* (json-glib leaks on several top-level values: ask the core first.) */
  if (arcpass_json_is_single_value (text, -1) && repaired == NULL &&
      json_parser_load_from_data (parser, text, -1, NULL) && json_parser_get_root (parser) != NULL)
    {
      g_autoptr(JsonParser) redacted = json_parser_new ();

      if (!json_parser_load_from_data (redacted, json, -1, NULL))
        fuzz_fail ("redacted JSON does not parse:\n%s", json);
      check_json_node (json_parser_get_root (redacted));
    }

  return 0;
}
