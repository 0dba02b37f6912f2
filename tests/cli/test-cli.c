/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>

#include "arcpass-core.h"
#include "arcpass-sandbox.h"

#include "arcpass-cli.h"
#include "cli-test-common.h"

/* These tests run the real `arcpass` binary against a sandbox served by
 * this process, on this thread's main context: while a command runs, the
 * test iterates the context so that the sandbox answers it. The test also
 * plays the browser of `signin --no-launch`.
 */


/* Does what a user does in the browser: opens the link, fills the sign-in
 * form, and follows the redirect to the loopback receiver. */
static void
act_as_browser (Fixture    *fixture,
                const char *authorize_url,
                gboolean    cancel)
{
  g_autoptr(GBytes) page = NULL;
  /* The browser keeps the portal's session cookie from one sign-in to the
   * next: the form is only shown again because of force_login. */
  g_autoptr(SoupMessage) get = http_in (fixture->browser, "GET", authorize_url, NULL, &page);
  g_autofree char *html = bytes_to_string (page);
  g_autofree char *state = find_hidden_state (html);
  g_autoptr(GUri) base = g_uri_parse (authorize_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GUri) action = g_uri_parse_relative (base, "signin", G_URI_FLAGS_NONE, NULL);
  g_autofree char *action_url = g_uri_to_string (action);
  g_autofree char *form = NULL;
  g_autoptr(SoupMessage) post = NULL;
  g_autoptr(SoupMessage) back = NULL;
  const char *location;

  g_assert_cmpuint (soup_message_get_status (get), ==, 200);
  if (cancel)
    form = soup_form_encode ("oauth_state", state, "cancel", "true", NULL);
  else
    form = soup_form_encode ("oauth_state", state,
                             "username", ARCPASS_SANDBOX_PUBLISHER_USERNAME,
                             "password", ARCPASS_SANDBOX_PUBLISHER_PASSWORD,
                             "authorize", "true", NULL);
  post = http_in (fixture->browser, "POST", action_url, form, NULL);
  g_assert_cmpuint (soup_message_get_status (post), ==, 302);
  location = soup_message_headers_get_one (soup_message_get_response_headers (post), "Location");
  g_assert_true (g_str_has_prefix (location, "http://127.0.0.1:"));

  back = http_in (fixture->browser, "GET", location, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (back), ==, 200);
}

/* ---- A browser that follows links, redirects and forms ------------------ */

static char *
html_unescape (const char *text)
{
  GString *out = g_string_new (text);

  g_string_replace (out, "&quot;", "\"", 0);
  g_string_replace (out, "&lt;", "<", 0);
  g_string_replace (out, "&gt;", ">", 0);
  g_string_replace (out, "&#39;", "'", 0);
  g_string_replace (out, "&amp;", "&", 0);
  return g_string_free (out, FALSE);
}

/* The value of attribute @name in the tag @tag, or NULL. */
static char *
tag_attribute (const char *tag,
               const char *name)
{
  g_autofree char *pattern = g_strdup_printf ("\\s%s=\"([^\"]*)\"", name);
  g_autoptr(GRegex) regex = g_regex_new (pattern, G_REGEX_CASELESS, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *raw = NULL;

  if (!g_regex_match (regex, tag, 0, &match))
    return NULL;
  raw = g_match_info_fetch (match, 1);
  return html_unescape (raw);
}

typedef struct {
  char *url;        /* the page's own address */
  char *html;
} Page;

static void
page_free (Page *page)
{
  g_free (page->url);
  g_free (page->html);
  g_free (page);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Page, page_free)

/* Loads @url (POSTing @form when set) and follows redirects as a browser
 * does, noting each host it visits in @hosts. */
static Page *
browse (Fixture    *fixture,
        const char *url,
        const char *form,
        GPtrArray  *hosts)
{
  g_autofree char *current = g_strdup (url);
  g_autofree char *body_form = form ? g_strdup (form) : NULL;

  for (int hop = 0; hop < 10; hop++)
    {
      g_autoptr(GBytes) body = NULL;
      g_autoptr(SoupMessage) msg = http_in (fixture->browser, body_form ? "POST" : "GET",
                                            current, body_form, &body);
      g_autoptr(GUri) uri = g_uri_parse (current, G_URI_FLAGS_NONE, NULL);
      guint status = soup_message_get_status (msg);

      g_ptr_array_add (hosts, g_strdup (g_uri_get_host (uri)));
      if (SOUP_STATUS_IS_REDIRECTION (status))
        {
          const char *location = soup_message_headers_get_one (
            soup_message_get_response_headers (msg), "Location");
          g_autoptr(GError) error = NULL;
          char *next = g_uri_resolve_relative (current, location, G_URI_FLAGS_NONE, &error);

          g_assert_no_error (error);
          g_free (current);
          current = next;
          g_clear_pointer (&body_form, g_free);
          continue;
        }
      else
        {
          Page *page = g_new0 (Page, 1);

          g_assert_cmpuint (status, ==, 200);
          page->url = g_steal_pointer (&current);
          page->html = bytes_to_string (body);
          return page;
        }
    }
  g_assert_not_reached ();
}

/* Fills form @form_id of @page with its own fields (hidden ones included)
 * and @fields (name, value pairs), submits it, and follows where it goes. */
static Page *
submit_form (Fixture            *fixture,
             Page               *page,
             const char         *form_id,
             const char * const *fields,
             GPtrArray          *hosts)
{
  g_autofree char *start_pattern = g_strdup_printf ("<form[^>]*\\sid=\"%s\"[^>]*>", form_id);
  g_autoptr(GRegex) start = g_regex_new (start_pattern, 0, 0, NULL);
  g_autoptr(GRegex) input = g_regex_new ("<input[^>]*>", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GMatchInfo) inputs = NULL;
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *form_tag = NULL;
  g_autofree char *action = NULL;
  g_autofree char *target = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GError) error = NULL;
  const char *form_start;
  const char *form_end;
  int start_pos, end_pos;

  if (!g_regex_match (start, page->html, 0, &match))
    g_error ("No form “%s” on %s:\n%s", form_id, page->url, page->html);
  form_tag = g_match_info_fetch (match, 0);
  g_match_info_fetch_pos (match, 0, &start_pos, &end_pos);
  form_start = page->html + end_pos;
  form_end = strstr (form_start, "</form>");
  g_assert_nonnull (form_end);

  {
    g_autofree char *inner = g_strndup (form_start, form_end - form_start);

    g_regex_match (input, inner, 0, &inputs);
    while (g_match_info_matches (inputs))
      {
        g_autofree char *tag = g_match_info_fetch (inputs, 0);
        g_autofree char *name = tag_attribute (tag, "name");
        g_autofree char *value = tag_attribute (tag, "value");

        if (name)
          g_hash_table_replace (values, g_steal_pointer (&name),
                                value ? g_steal_pointer (&value) : g_strdup (""));
        g_match_info_next (inputs, NULL);
      }
  }
  for (guint i = 0; fields && fields[i]; i += 2)
    g_hash_table_replace (values, g_strdup (fields[i]), g_strdup (fields[i + 1]));

  action = tag_attribute (form_tag, "action");
  target = g_uri_resolve_relative (page->url, action ? action : "", G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  body = soup_form_encode_hash (values);
  return browse (fixture, target, body, hosts);
}

/* Follows the link with id @link_id on @page. */
static Page *
follow_link (Fixture    *fixture,
             Page       *page,
             const char *link_id,
             GPtrArray  *hosts)
{
  g_autofree char *pattern = g_strdup_printf ("<a[^>]*\\sid=\"%s\"[^>]*>", link_id);
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *href = NULL;
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_regex_match (regex, page->html, 0, &match));
  tag = g_match_info_fetch (match, 0);
  href = tag_attribute (tag, "href");
  target = g_uri_resolve_relative (page->url, href, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  return browse (fixture, target, NULL, hosts);
}

static gboolean
hosts_contain (GPtrArray  *hosts,
               const char *host)
{
  for (guint i = 0; i < hosts->len; i++)
    if (g_str_equal (g_ptr_array_index (hosts, i), host))
      return TRUE;
  return FALSE;
}


static Run *
sign_in_through_browser (Fixture            *fixture,
                         const char * const *args,
                         gboolean            cancel)
{
  g_autofree char *redirect_uri = registered_redirect_uri (fixture);
  g_auto(GStrv) full_args = with_redirect_uri (args, redirect_uri);
  g_autoptr(Child) child = child_spawn ((const char * const *) full_args);
  g_autofree char *url = read_signin_url (child);
  g_autofree char *expected_line = g_strconcat (": ", redirect_uri, "\n", NULL);

  g_assert_true (strstr (url, "/oauth2/authorize?") != NULL);
  g_assert_true (strstr (url, "code_challenge_method=S256") != NULL);
  /* Adding an account: the portal must ask for the password. */
  g_assert_true (strstr (url, "force_login=true") != NULL);
  g_assert_null (strstr (url, "prepopulatedusername"));
  /* The URI to register is printed, exactly. */
  g_assert_nonnull (strstr (child->err_text->str, expected_line));
  act_as_browser (fixture, url, cancel);
  return finish_process (fixture, child);
}

/* ---- Tests --------------------------------------------------------------- */

static void
test_help_and_usage (Fixture       *fixture,
                     gconstpointer  data)
{
  const char * const verbs[] = { "accounts", "token", "signin", "apikey", "appcred", "geocode",
                                 "reverse", "tile", "signout", NULL };
  g_autoptr(Run) help = RUN (fixture, NULL, "--help");
  g_autoptr(Run) version = RUN (fixture, NULL, "--version");
  g_autoptr(Run) unknown = RUN (fixture, NULL, "frobnicate");
  g_autoptr(Run) bad_option = RUN (fixture, NULL, "token", "--frobnicate");
  g_autoptr(Run) bad_format = RUN (fixture, NULL, "token", "--format", "xml");
  g_autoptr(Run) extra = RUN (fixture, NULL, "accounts", "extra");
  g_autoptr(Run) both = RUN (fixture, NULL, "--sandbox", "accounts", "--portal", fixture->url);
  g_autoptr(Run) no_client = RUN (fixture, NULL, "signin", "--portal", fixture->url);
  g_autoptr(Run) apikey_no_add = RUN (fixture, NULL, "apikey", "--portal", fixture->url);
  g_autoptr(Run) insecure = RUN (fixture, NULL, "accounts", "--portal", "http://example.com");
  const char * const gui_env[] = { "ARCPASS_GUI", "/bin/echo", NULL };
  g_autoptr(Run) gui = NULL;
  g_autofree char *expected_gui = NULL;

  /* Without a verb the window's binary is executed with the same arguments. */
  gui = RUN_ENV (fixture, NULL, gui_env, "--sandbox", "--portal", fixture->url);
  g_assert_cmpint (gui->status, ==, ARCPASS_EXIT_OK);
  expected_gui = g_strdup_printf ("--sandbox --portal %s\n", fixture->url);
  g_assert_cmpstr (gui->out, ==, expected_gui);

  g_assert_cmpint (help->status, ==, ARCPASS_EXIT_OK);
  for (guint i = 0; verbs[i]; i++)
    {
      g_autoptr(Run) verb_help = RUN (fixture, NULL, verbs[i], "--help");

      g_assert_nonnull (strstr (help->out, verbs[i]));
      g_assert_cmpint (verb_help->status, ==, ARCPASS_EXIT_OK);
      g_assert_nonnull (strstr (verb_help->out, "Usage:"));
      g_assert_nonnull (strstr (verb_help->out, verbs[i]));
      g_assert_nonnull (strstr (verb_help->out, "--sandbox"));
    }
  g_assert_nonnull (strstr (help->out, "Exit status"));
  g_assert_nonnull (strstr (help->out, "Sandbox accounts"));

  g_assert_cmpint (version->status, ==, ARCPASS_EXIT_OK);
  g_assert_true (g_str_has_prefix (version->out, "arcpass "));

  g_assert_cmpint (unknown->status, ==, ARCPASS_EXIT_USAGE);
  g_assert_nonnull (strstr (unknown->err, "frobnicate"));
  g_assert_cmpstr (unknown->out, ==, "");
  g_assert_cmpint (bad_option->status, ==, ARCPASS_EXIT_USAGE);
  g_assert_nonnull (strstr (bad_option->err, "--frobnicate"));
  g_assert_cmpint (bad_format->status, ==, ARCPASS_EXIT_USAGE);
  g_assert_cmpint (extra->status, ==, ARCPASS_EXIT_USAGE);
  g_assert_cmpint (both->status, ==, ARCPASS_EXIT_USAGE);
  g_assert_cmpint (no_client->status, ==, ARCPASS_EXIT_USAGE);
  g_assert_nonnull (strstr (no_client->err, "--client-id"));
  g_assert_cmpint (apikey_no_add->status, ==, ARCPASS_EXIT_USAGE);
  g_assert_cmpint (insecure->status, ==, ARCPASS_EXIT_USAGE);
}

static void
test_no_account (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(Run) token = RUN (fixture, NULL, "token", "--portal", fixture->url);
  g_autoptr(Run) accounts = RUN (fixture, NULL, "accounts");
  g_autoptr(Run) json = RUN (fixture, NULL, "accounts", "--json");
  g_autoptr(Run) signout = RUN (fixture, NULL, "signout");
  g_autoptr(JsonNode) empty = NULL;

  g_assert_cmpint (token->status, ==, ARCPASS_EXIT_SIGN_IN_REQUIRED);
  g_assert_cmpstr (token->out, ==, "");
  g_assert_nonnull (strstr (token->err, "arcpass signin"));
  g_assert_cmpint (accounts->status, ==, ARCPASS_EXIT_OK);
  g_assert_cmpstr (accounts->out, ==, "");
  g_assert_cmpint (json->status, ==, ARCPASS_EXIT_OK);
  empty = parse_json (json->out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (empty)), ==, 0);
  g_assert_cmpint (signout->status, ==, ARCPASS_EXIT_SIGN_IN_REQUIRED);
}

static void
test_apikey_and_token (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(Run) add = NULL;
  g_autoptr(Run) accounts = NULL;
  g_autoptr(Run) json = NULL;
  g_autoptr(Run) raw = NULL;
  g_autoptr(Run) header = NULL;
  g_autoptr(Run) env = NULL;
  g_autoptr(Run) curl = NULL;
  g_autoptr(Run) token_json = NULL;
  g_autoptr(Run) again = NULL;
  g_autoptr(Run) refresh_key = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) token_node = NULL;
  g_autoptr(GPtrArray) saved = NULL;
  g_autofree char *paths = NULL;
  g_autofree char *expected = NULL;
  JsonObject *account;
  JsonObject *token_object;

  add = RUN (fixture, ARCPASS_SANDBOX_KEY_FULL "\n", "apikey", "add", "--portal", fixture->url,
             "--name", "full");
  g_assert_cmpint (add->status, ==, ARCPASS_EXIT_OK);
  g_assert_nonnull (strstr (add->out, "Geocoding"));
  g_assert_nonnull (strstr (add->out, "works"));
  g_assert_nonnull (strstr (add->out, "“full”"));
  g_assert_null (strstr (add->out, ARCPASS_SANDBOX_KEY_FULL));

  /* Adding the same key again replaces it rather than adding a twin. */
  again = RUN (fixture, ARCPASS_SANDBOX_KEY_FULL "\n", "apikey", "add", "--portal", fixture->url);
  g_assert_cmpint (again->status, ==, ARCPASS_EXIT_OK);
  saved = store_list ();
  g_assert_cmpuint (saved->len, ==, 1);
  g_assert_cmpstr (arcpass_credential_get_id (g_ptr_array_index (saved, 0)), ==, "full");

  accounts = RUN (fixture, NULL, "accounts");
  g_assert_cmpint (accounts->status, ==, ARCPASS_EXIT_OK);
  g_assert_true (g_str_has_prefix (accounts->out, "ACCOUNT"));
  g_assert_nonnull (strstr (accounts->out, "full"));
  g_assert_nonnull (strstr (accounts->out, "API key"));
  g_assert_null (strstr (accounts->out, ARCPASS_SANDBOX_KEY_FULL));

  json = RUN (fixture, NULL, "accounts", "--json", "--portal", fixture->url);
  g_assert_cmpint (json->status, ==, ARCPASS_EXIT_OK);
  g_assert_null (strstr (json->out, ARCPASS_SANDBOX_KEY_FULL));
  list = parse_json (json->out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 1);
  account = json_array_get_object_element (json_node_get_array (list), 0);
  g_assert_cmpstr (json_object_get_string_member (account, "name"), ==, "full");
  g_assert_cmpstr (json_object_get_string_member (account, "kind"), ==, "api-key");
  g_assert_cmpstr (json_object_get_string_member (account, "portal"), ==, fixture->url);

  /* A valid token is printed from the keyring alone: no request at all. */
  sandbox_clear_log (fixture);
  raw = RUN (fixture, NULL, "token", "--portal", fixture->url);
  header = RUN (fixture, NULL, "token", "--account", "full", "--format", "header");
  env = RUN (fixture, NULL, "token", "--format", "env");
  curl = RUN (fixture, NULL, "token", "--format=curl");
  token_json = RUN (fixture, NULL, "token", "-f", "json");
  paths = sandbox_log_paths (fixture);
  g_assert_cmpstr (paths, ==, "");

  /* A key cannot be renewed, and asking must not spoil the account. */
  refresh_key = RUN (fixture, NULL, "token", "--refresh");
  g_assert_cmpint (refresh_key->status, ==, ARCPASS_EXIT_USAGE);
  g_clear_pointer (&saved, g_ptr_array_unref);
  saved = store_list ();
  g_assert_cmpint (arcpass_credential_get_state (g_ptr_array_index (saved, 0)), !=,
                   ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);

  g_assert_cmpint (raw->status, ==, ARCPASS_EXIT_OK);
  g_assert_cmpstr (raw->out, ==, ARCPASS_SANDBOX_KEY_FULL "\n");
  g_assert_cmpstr (raw->err, ==, "");
  g_assert_cmpint (header->status, ==, ARCPASS_EXIT_OK);
  g_assert_cmpstr (header->out, ==, "X-Esri-Authorization: Bearer " ARCPASS_SANDBOX_KEY_FULL "\n");
  g_assert_cmpint (env->status, ==, ARCPASS_EXIT_OK);
  g_assert_cmpstr (env->out, ==, "export ARCGIS_TOKEN='" ARCPASS_SANDBOX_KEY_FULL "'\n");
  g_assert_cmpint (curl->status, ==, ARCPASS_EXIT_OK);
  expected = g_strdup_printf ("curl -H 'X-Esri-Authorization: Bearer %s' '%s/sharing/rest/portals/self?f=json'\n",
                              ARCPASS_SANDBOX_KEY_FULL, fixture->url);
  g_assert_cmpstr (curl->out, ==, expected);
  g_assert_cmpint (token_json->status, ==, ARCPASS_EXIT_OK);
  token_node = parse_json (token_json->out);
  token_object = json_node_get_object (token_node);
  g_assert_cmpstr (json_object_get_string_member (token_object, "access_token"), ==,
                   ARCPASS_SANDBOX_KEY_FULL);
  g_assert_true (json_object_has_member (token_object, "expires_at"));
  g_assert_true (json_object_has_member (token_object, "expires_at_iso"));
  if (!json_object_get_null_member (token_object, "expires_at"))
    {
      gint64 expires = json_object_get_int_member (token_object, "expires_at");
      g_autoptr(GDateTime) iso = g_date_time_new_from_iso8601 (
        json_object_get_string_member (token_object, "expires_at_iso"), NULL);

      g_assert_nonnull (iso);
      g_assert_cmpint (g_date_time_to_unix (iso), ==, expires);
    }
}

static void
test_apikey_rejected (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(Run) expired = RUN (fixture, ARCPASS_SANDBOX_KEY_EXPIRED "\n", "apikey", "add",
                                "--portal", fixture->url);
  g_autoptr(Run) invalid = RUN (fixture, "AAPTnotARealKey0000000000000000\n", "apikey", "add",
                                "--portal", fixture->url);
  g_autoptr(Run) empty = RUN (fixture, "", "apikey", "add", "--portal", fixture->url);
  g_autoptr(Run) bad_name = RUN (fixture, ARCPASS_SANDBOX_KEY_FULL "\n", "apikey", "add",
                                 "--portal", fixture->url, "--name", "");
  g_autoptr(GPtrArray) saved = store_list ();

  g_assert_cmpint (expired->status, ==, ARCPASS_EXIT_REJECTED);
  g_assert_cmpint (invalid->status, ==, ARCPASS_EXIT_REJECTED);
  g_assert_null (strstr (invalid->err, "AAPTnotARealKey"));
  g_assert_cmpint (empty->status, ==, ARCPASS_EXIT_USAGE);
  g_assert_cmpint (bad_name->status, ==, ARCPASS_EXIT_USAGE);
  g_assert_cmpuint (saved->len, ==, 0);
}

static void
test_services (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("arcpass-cli-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "tile.png", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(Run) geocode = NULL;
  g_autoptr(Run) geocode_json = NULL;
  g_autoptr(Run) nomatch = NULL;
  g_autoptr(Run) reverse = NULL;
  g_autoptr(Run) reverse_json = NULL;
  g_autoptr(Run) ocean = NULL;
  g_autoptr(Run) bad_lat = NULL;
  g_autoptr(Run) tile = NULL;
  g_autoptr(Run) tile_stdout = NULL;
  g_autoptr(Run) tile_no_output = NULL;
  g_autoptr(Run) tile_bad_zoom = NULL;
  g_autoptr(Run) tile_unwritable = NULL;
  g_autoptr(Run) no_privilege = NULL;
  g_autoptr(Run) server_error = NULL;
  g_autoptr(JsonNode) candidates = NULL;

  add_api_key (fixture, ARCPASS_SANDBOX_KEY_FULL, "full");

  geocode = RUN (fixture, NULL, "geocode", "--portal", fixture->url, "380 New York St,",
                 "Redlands");
  g_assert_cmpint (geocode->status, ==, ARCPASS_EXIT_OK);
  g_assert_true (g_str_has_prefix (geocode->out, "SCORE"));
  g_assert_nonnull (strstr (geocode->out, "Redlands"));

  geocode_json = RUN (fixture, NULL, "geocode", "--json", "--account", "full", "Redlands");
  g_assert_cmpint (geocode_json->status, ==, ARCPASS_EXIT_OK);
  candidates = parse_json (geocode_json->out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (candidates)), >, 0);
  g_assert_true (json_object_has_member (json_array_get_object_element (json_node_get_array (candidates), 0),
                                         "score"));

  nomatch = RUN (fixture, NULL, "geocode", "Qxzzyplughville");
  g_assert_cmpint (nomatch->status, ==, ARCPASS_EXIT_NOT_FOUND);

  /* Negative numbers are coordinates, not options. */
  reverse = RUN (fixture, NULL, "reverse", "-117.1957", "34.0564");
  g_assert_cmpint (reverse->status, ==, ARCPASS_EXIT_OK);
  g_assert_nonnull (strstr (reverse->out, "Redlands"));
  reverse_json = RUN (fixture, NULL, "reverse", "--json", "--", "-117.1957", "34.0564");
  g_assert_cmpint (reverse_json->status, ==, ARCPASS_EXIT_OK);
  g_clear_pointer (&candidates, json_node_unref);
  candidates = parse_json (reverse_json->out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (candidates));
  ocean = RUN (fixture, NULL, "reverse", "-30", "0");
  g_assert_cmpint (ocean->status, ==, ARCPASS_EXIT_NOT_FOUND);
  bad_lat = RUN (fixture, NULL, "reverse", "10", "95");
  g_assert_cmpint (bad_lat->status, ==, ARCPASS_EXIT_USAGE);

  tile = RUN (fixture, NULL, "tile", "arcgis/navigation", "3", "2", "1", "-o", png);
  g_assert_cmpint (tile->status, ==, ARCPASS_EXIT_OK);
  g_assert_true (g_file_get_contents (png, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 8);
  g_assert_cmpint (memcmp (contents, "\x89PNG", 4), ==, 0);
  g_assert_nonnull (strstr (tile->out, "512×512"));

  tile_stdout = RUN (fixture, NULL, "tile", "arcgis/navigation", "0", "0", "0", "-o", "-");
  g_assert_cmpint (tile_stdout->status, ==, ARCPASS_EXIT_OK);
  g_assert_cmpuint (tile_stdout->out_len, >, 8);
  g_assert_cmpint (memcmp (tile_stdout->out, "\x89PNG", 4), ==, 0);

  tile_no_output = RUN (fixture, NULL, "tile", "arcgis/navigation", "3", "2", "1");
  g_assert_cmpint (tile_no_output->status, ==, ARCPASS_EXIT_USAGE);
  tile_bad_zoom = RUN (fixture, NULL, "tile", "arcgis/navigation", "1", "2", "0", "-o", png);
  g_assert_cmpint (tile_bad_zoom->status, ==, ARCPASS_EXIT_USAGE);
  tile_unwritable = RUN (fixture, NULL, "tile", "arcgis/navigation", "0", "0", "0",
                         "-o", "/nonexistent-dir/tile.png");
  g_assert_cmpint (tile_unwritable->status, ==, ARCPASS_EXIT_FAILURE);

  /* A key without the geocode privilege: the service refuses, by name. */
  add_api_key (fixture, ARCPASS_SANDBOX_KEY_BASEMAPS, "basemaps");
  no_privilege = RUN (fixture, NULL, "geocode", "--account", "basemaps", "Redlands");
  g_assert_cmpint (no_privilege->status, ==, ARCPASS_EXIT_SERVICE);
  g_assert_nonnull (strstr (no_privilege->err, "premium:user:geocode"));

  sandbox_post (fixture, "/_sandbox/fault",
                "path=/arcgis/rest/services/World/GeocodeServer&mode=status:500&count=10");
  server_error = RUN (fixture, NULL, "geocode", "--account", "full", "Redlands");
  g_assert_cmpint (server_error->status, ==, ARCPASS_EXIT_SERVICE);

  g_unlink (png);
  g_rmdir (dir);
}

static void
test_network_error (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *closed_url = NULL;
  g_autoptr(Run) add = NULL;
  g_autoptr(Run) geocode = NULL;

  /* A port that was free a moment ago and where nothing listens. */
  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  closed_url = g_strdup_printf ("http://127.0.0.1:%u",
                                g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  add = RUN (fixture, ARCPASS_SANDBOX_KEY_FULL "\n", "apikey", "add", "--portal", closed_url);
  g_assert_cmpint (add->status, ==, ARCPASS_EXIT_NETWORK);

  /* The portal of a saved account goes away. */
  add_api_key (fixture, ARCPASS_SANDBOX_KEY_FULL, "full");
  arcpass_sandbox_stop (fixture->sb);
  geocode = RUN (fixture, NULL, "geocode", "Redlands");
  g_assert_cmpint (geocode->status, ==, ARCPASS_EXIT_NETWORK);
  g_assert_nonnull (strstr (geocode->err, "127.0.0.4"));
}

static void
test_accounts_selection (Fixture       *fixture,
                         gconstpointer  data)
{
  const char * const env[] = { "ARCPASS_ACCOUNT", "legacy", NULL };
  g_autoptr(Run) ambiguous = NULL;
  g_autoptr(Run) missing = NULL;
  g_autoptr(Run) from_env = NULL;
  g_autoptr(Run) by_name = NULL;
  g_autoptr(Run) signout = NULL;
  g_autoptr(Run) accounts = NULL;
  g_autoptr(GPtrArray) saved = NULL;

  add_api_key (fixture, ARCPASS_SANDBOX_KEY_FULL, "full");
  add_api_key (fixture, ARCPASS_SANDBOX_KEY_LEGACY, "legacy");

  ambiguous = RUN (fixture, NULL, "token");
  g_assert_cmpint (ambiguous->status, ==, ARCPASS_EXIT_USAGE);
  g_assert_nonnull (strstr (ambiguous->err, "full"));
  g_assert_nonnull (strstr (ambiguous->err, "legacy"));
  g_assert_cmpstr (ambiguous->out, ==, "");

  missing = RUN (fixture, NULL, "token", "--account", "nobody");
  g_assert_cmpint (missing->status, ==, ARCPASS_EXIT_NOT_FOUND);

  from_env = RUN_ENV (fixture, NULL, env, "token");
  g_assert_cmpint (from_env->status, ==, ARCPASS_EXIT_OK);
  g_assert_cmpstr (from_env->out, ==, ARCPASS_SANDBOX_KEY_LEGACY "\n");

  by_name = RUN (fixture, NULL, "--account", "full", "token");
  g_assert_cmpint (by_name->status, ==, ARCPASS_EXIT_OK);
  g_assert_cmpstr (by_name->out, ==, ARCPASS_SANDBOX_KEY_FULL "\n");

  accounts = RUN (fixture, NULL, "accounts");
  g_assert_nonnull (strstr (accounts->out, "legacy"));
  g_assert_nonnull (strstr (accounts->out, "no expiry"));

  signout = RUN (fixture, NULL, "signout", "--account", "legacy");
  g_assert_cmpint (signout->status, ==, ARCPASS_EXIT_OK);
  saved = store_list ();
  g_assert_cmpuint (saved->len, ==, 1);
}

static void
test_appcred (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(Run) add = NULL;
  g_autoptr(Run) wrong = NULL;
  g_autoptr(Run) no_client = NULL;
  g_autoptr(Run) token = NULL;
  g_autoptr(Run) renewed = NULL;
  g_autoptr(Run) again = NULL;
  g_autoptr(Run) accounts = NULL;

  wrong = RUN (fixture, "not-the-secret\n", "appcred", "add", "--portal", fixture->url,
               "--client-id", ARCPASS_SANDBOX_CLIENT_ID);
  g_assert_cmpint (wrong->status, ==, ARCPASS_EXIT_REJECTED);
  g_assert_null (strstr (wrong->err, "not-the-secret"));

  no_client = RUN (fixture, ARCPASS_SANDBOX_CLIENT_SECRET "\n", "appcred", "add",
                   "--portal", fixture->url);
  g_assert_cmpint (no_client->status, ==, ARCPASS_EXIT_USAGE);

  add = RUN (fixture, ARCPASS_SANDBOX_CLIENT_SECRET "\n", "appcred", "add",
             "--portal", fixture->url, "--client-id", ARCPASS_SANDBOX_CLIENT_ID,
             "--name", "app");
  g_assert_cmpint (add->status, ==, ARCPASS_EXIT_OK);
  g_assert_null (strstr (add->out, ARCPASS_SANDBOX_CLIENT_SECRET));
  g_assert_nonnull (strstr (add->out, "works"));
  /* The app belongs to the ArcGIS Online organisation: Static Basemap
   * Tiles are not offered to it (Location Platform only), which is said as
   * such, not as a missing privilege, and no tile service is asked. */
  {
    g_autofree char *line = NULL;
    const char *tiles = strstr (add->out, "Static Basemap Tiles");

    g_assert_nonnull (tiles);
    line = g_strndup (tiles, strcspn (tiles, "\n"));
    g_assert_nonnull (strstr (line, "not offered"));
    g_assert_null (strstr (line, "privilege"));
  }

  token = RUN (fixture, NULL, "token", "--account", "app");
  g_assert_cmpint (token->status, ==, ARCPASS_EXIT_OK);
  g_assert_cmpuint (strlen (token->out), >, 10);
  g_assert_null (strstr (token->out, ARCPASS_SANDBOX_CLIENT_SECRET));

  /* App credentials are renewed on request, and the new token is saved. */
  renewed = RUN (fixture, NULL, "token", "--account", "app", "--refresh");
  g_assert_cmpint (renewed->status, ==, ARCPASS_EXIT_OK);
  g_assert_cmpstr (renewed->out, !=, token->out);
  again = RUN (fixture, NULL, "token", "--account", "app");
  g_assert_cmpstr (again->out, ==, renewed->out);

  accounts = RUN (fixture, NULL, "accounts");
  g_assert_nonnull (strstr (accounts->out, "App credentials"));
  g_assert_nonnull (strstr (accounts->out, "in "));
}

static void
test_signin (Fixture       *fixture,
             gconstpointer  data)
{
  const char * const args[] = { "signin", "--portal", fixture->url, "--client-id",
                                ARCPASS_SANDBOX_CLIENT_ID, "--no-launch", NULL };
  g_autoptr(Run) signin = NULL;
  g_autoptr(Run) again = NULL;
  g_autoptr(Run) token = NULL;
  g_autoptr(Run) refreshed = NULL;
  g_autoptr(Run) accounts = NULL;
  g_autoptr(Run) signout = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(ArcpassCredential) after = NULL;
  g_autoptr(GPtrArray) saved = NULL;
  g_autofree char *paths = NULL;
  g_autofree char *old_token = NULL;

  signin = sign_in_through_browser (fixture, args, FALSE);
  g_assert_cmpint (signin->status, ==, ARCPASS_EXIT_OK);
  g_assert_nonnull (strstr (signin->out, "Ada Lovelace"));

  credential = store_find (ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_assert_nonnull (credential);
  g_assert_cmpint (arcpass_credential_get_kind (credential), ==, ARCPASS_CREDENTIAL_OAUTH_USER);
  g_ptr_array_add (fixture->secrets, g_strdup (arcpass_credential_get_refresh_token (credential)));
  g_assert_null (strstr (signin->out, arcpass_credential_get_access_token (credential)));
  g_assert_null (strstr (signin->err, arcpass_credential_get_access_token (credential)));

  /* A valid token needs no network. */
  sandbox_clear_log (fixture);
  token = RUN (fixture, NULL, "token", "--account", ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_assert_cmpint (token->status, ==, ARCPASS_EXIT_OK);
  g_assert_cmpstr (g_strstrip (token->out), ==, arcpass_credential_get_access_token (credential));
  paths = sandbox_log_paths (fixture);
  g_assert_cmpstr (paths, ==, "");
  g_clear_pointer (&paths, g_free);

  /* An expired access token is renewed with the refresh token and saved. */
  old_token = g_strdup (arcpass_credential_get_access_token (credential));
  arcpass_credential_set_access_expires (credential, g_get_real_time () / G_USEC_PER_SEC - 60);
  store_save (credential);
  refreshed = RUN (fixture, NULL, "token", "--format", "json");
  g_assert_cmpint (refreshed->status, ==, ARCPASS_EXIT_OK);
  g_assert_null (strstr (refreshed->out, old_token));
  paths = sandbox_log_paths (fixture);
  g_assert_nonnull (strstr (paths, "/oauth2/token"));
  after = store_find (ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_assert_cmpstr (arcpass_credential_get_access_token (after), !=, old_token);
  g_assert_nonnull (strstr (refreshed->out, arcpass_credential_get_access_token (after)));
  g_assert_cmpint (arcpass_credential_get_access_expires (after), >,
                   g_get_real_time () / G_USEC_PER_SEC);

  /* Signing in again as the same user replaces the account. */
  again = sign_in_through_browser (fixture, args, FALSE);
  g_assert_cmpint (again->status, ==, ARCPASS_EXIT_OK);
  saved = store_list ();
  g_assert_cmpuint (saved->len, ==, 1);

  accounts = RUN (fixture, NULL, "accounts");
  g_assert_nonnull (strstr (accounts->out, "ada.lovelace"));
  g_assert_nonnull (strstr (accounts->out, "OAuth user"));

  sandbox_clear_log (fixture);
  signout = RUN (fixture, NULL, "signout");
  g_assert_cmpint (signout->status, ==, ARCPASS_EXIT_OK);
  g_clear_pointer (&paths, g_free);
  paths = sandbox_log_paths (fixture);
  g_assert_nonnull (strstr (paths, "revokeToken"));
  g_clear_pointer (&saved, g_ptr_array_unref);
  saved = store_list ();
  g_assert_cmpuint (saved->len, ==, 0);
}

static void
test_signin_denied_and_cancelled (Fixture       *fixture,
                                  gconstpointer  data)
{
  const char * const args[] = { "signin", "--portal", fixture->url, "--client-id",
                                ARCPASS_SANDBOX_CLIENT_ID, "--no-launch", NULL };
  g_autoptr(Run) denied = sign_in_through_browser (fixture, args, TRUE);
  g_autoptr(Run) cancelled = NULL;
  g_autoptr(Run) timeout = NULL;
  g_autoptr(Child) child = NULL;
  g_autofree char *url = NULL;
  g_autofree char *redirect_uri = NULL;
  g_autofree char *port = NULL;
  g_auto(GStrv) full_args = NULL;
  g_autoptr(GPtrArray) saved = NULL;

  g_assert_cmpint (denied->status, ==, ARCPASS_EXIT_REJECTED);

  /* Ctrl+C while waiting for the browser. */
  redirect_uri = registered_redirect_uri (fixture);
  full_args = with_redirect_uri (args, redirect_uri);
  child = child_spawn ((const char * const *) full_args);
  url = read_signin_url (child);
  /* Past the link, the command waits: let it reach its main loop. */
  while (!strstr (child->err_text->str, "Ctrl+C"))
    g_free (child_read_line (child));
  g_subprocess_send_signal (child->process, SIGINT);
  cancelled = finish_process (fixture, child);
  g_assert_cmpint (cancelled->status, ==, ARCPASS_EXIT_CANCELLED);

  port = g_strdup_printf ("%u", free_port ());
  timeout = RUN (fixture, NULL, "signin", "--portal", fixture->url, "--client-id",
                 ARCPASS_SANDBOX_CLIENT_ID, "--no-launch", "--timeout", "1",
                 "--redirect-port", port);
  g_assert_cmpint (timeout->status, ==, ARCPASS_EXIT_NETWORK);

  saved = store_list ();
  g_assert_cmpuint (saved->len, ==, 0);
}

/* An organisation member who signs in with the identity provider, in the
 * browser of `arcpass signin`: the portal's page, the IdP's form and its
 * second factor on the IdP host, the SAML POST back to the organisation's
 * host, which redirects to the exact registered loopback URI. */
static void
test_signin_idp (Fixture       *fixture,
                 gconstpointer  data)
{
  const char * const args[] = { "signin", "--portal", fixture->url, "--client-id",
                                ARCPASS_SANDBOX_CLIENT_ID, "--no-launch", NULL };
  g_autofree char *redirect_uri = registered_redirect_uri (fixture);
  g_auto(GStrv) full_args = with_redirect_uri (args, redirect_uri);
  g_autoptr(Child) child = child_spawn ((const char * const *) full_args);
  g_autofree char *url = read_signin_url (child);
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func (g_free);
  const char * const login[] = { "idp_username", ARCPASS_SANDBOX_IDP_USERNAME,
                                 "idp_password", ARCPASS_SANDBOX_IDP_PASSWORD, NULL };
  const char * const mfa[] = { "code", ARCPASS_SANDBOX_IDP_MFA_CODE, NULL };
  g_autoptr(Page) portal = NULL;
  g_autoptr(Page) idp = NULL;
  g_autoptr(Page) second_factor = NULL;
  g_autoptr(Page) saml_post = NULL;
  g_autoptr(Page) done = NULL;
  g_autoptr(Run) run = NULL;
  g_autoptr(ArcpassCredential) credential = NULL;
  g_autoptr(GUri) done_uri = NULL;
  g_autoptr(GUri) redirect = NULL;

  g_ptr_array_add (fixture->secrets, g_strdup (ARCPASS_SANDBOX_IDP_PASSWORD));

  portal = browse (fixture, url, NULL, hosts);
  g_assert_nonnull (strstr (portal->html, "Sign in with Sandbox SSO"));
  idp = follow_link (fixture, portal, "idpSignIn", hosts);
  g_assert_true (g_str_has_prefix (idp->url, "http://127.0.0.3:"));
  second_factor = submit_form (fixture, idp, "idpLogin", login, hosts);
  g_assert_nonnull (strstr (second_factor->html, "Enter your verification code"));
  saml_post = submit_form (fixture, second_factor, "mfa", mfa, hosts);
  /* The auto-submitted SAML form, submitted as a browser does. */
  done = submit_form (fixture, saml_post, "samlPost", NULL, hosts);
  g_assert_nonnull (strstr (done->html, "You can close this tab"));
  done_uri = g_uri_parse (done->url, G_URI_FLAGS_NONE, NULL);
  redirect = g_uri_parse (redirect_uri, G_URI_FLAGS_NONE, NULL);
  g_assert_cmpint (g_uri_get_port (done_uri), ==, g_uri_get_port (redirect));

  /* The hops: portal, identity provider, organisation, loopback. */
  g_assert_true (hosts_contain (hosts, "127.0.0.1"));
  g_assert_true (hosts_contain (hosts, "127.0.0.3"));
  g_assert_true (hosts_contain (hosts, "127.0.0.2"));

  run = finish_process (fixture, child);
  g_assert_cmpint (run->status, ==, ARCPASS_EXIT_OK);
  g_assert_nonnull (strstr (run->out, "Joan Clarke"));
  credential = store_find (ARCPASS_SANDBOX_IDP_USERNAME);
  g_assert_nonnull (credential);
  g_assert_cmpstr (arcpass_credential_get_redirect_uri (credential), ==, redirect_uri);
}

/* The port of the registered redirect URI is the one listened on: taken,
 * the command says so and what to do, before anything else happens. */
static void
test_signin_port_in_use (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) saved = NULL;
  g_autoptr(Run) busy = NULL;
  g_autoptr(Run) not_loopback = NULL;
  g_autoptr(Run) both = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *message = NULL;
  g_autofree char *paths = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  uri = g_strdup_printf ("http://127.0.0.1:%u/callback", port);
  arcpass_sandbox_register_redirect_uri (fixture->sb, uri);

  sandbox_clear_log (fixture);
  busy = RUN (fixture, NULL, "signin", "--portal", fixture->url, "--client-id",
              ARCPASS_SANDBOX_CLIENT_ID, "--no-launch", "--redirect-uri", uri);
  g_assert_cmpint (busy->status, ==, ARCPASS_EXIT_FAILURE);
  message = g_strdup_printf ("Port %u of this computer is in use by another program", port);
  g_assert_nonnull (strstr (busy->err, message));
  g_assert_nonnull (strstr (busy->err, "register another redirect URI"));
  /* No link was given, nothing was asked of the portal, nothing saved. */
  g_assert_null (strstr (busy->err, "oauth2/authorize"));
  paths = sandbox_log_paths (fixture);
  g_assert_cmpstr (paths, ==, "");
  saved = store_list ();
  g_assert_cmpuint (saved->len, ==, 0);

  not_loopback = RUN (fixture, NULL, "signin", "--portal", fixture->url, "--client-id",
                      ARCPASS_SANDBOX_CLIENT_ID, "--redirect-uri", "https://app.example.com/cb");
  g_assert_cmpint (not_loopback->status, ==, ARCPASS_EXIT_USAGE);
  both = RUN (fixture, NULL, "signin", "--portal", fixture->url, "--client-id",
              ARCPASS_SANDBOX_CLIENT_ID, "--redirect-uri", uri, "--redirect-port", "4000");
  g_assert_cmpint (both->status, ==, ARCPASS_EXIT_USAGE);
}

/* A redirect URI that is not registered (another port than the registered
 * one): the portal shows "Invalid redirect_uri" instead of the form, and
 * the command has said what that means. */
static void
test_signin_wrong_port (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *port = g_strdup_printf ("%u", free_port ());
  const char * const args[] = { "signin", "--portal", fixture->url, "--client-id",
                                ARCPASS_SANDBOX_CLIENT_ID, "--no-launch", "--redirect-port", port,
                                NULL };
  g_autoptr(Child) child = child_spawn (args);
  g_autofree char *url = read_signin_url (child);
  g_autoptr(GBytes) page = NULL;
  g_autoptr(SoupMessage) get = http (fixture, "GET", url, NULL, &page);
  g_autofree char *html = bytes_to_string (page);
  g_autoptr(Run) run = NULL;
  g_autoptr(GPtrArray) saved = NULL;

  g_assert_cmpuint (soup_message_get_status (get), ==, 400);
  g_assert_nonnull (strstr (html, "Invalid redirect_uri"));
  g_assert_null (strstr (html, "oauth_state"));

  while (!strstr (child->err_text->str, "Ctrl+C"))
    g_free (child_read_line (child));
  g_assert_nonnull (strstr (child->err_text->str, "Invalid redirect_uri"));
  g_assert_nonnull (strstr (child->err_text->str, "not registered in your OAuth credential"));
  g_subprocess_send_signal (child->process, SIGINT);
  run = finish_process (fixture, child);
  g_assert_cmpint (run->status, ==, ARCPASS_EXIT_CANCELLED);
  saved = store_list ();
  g_assert_cmpuint (saved->len, ==, 0);
}

static void
test_sign_in_required (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(ArcpassCredential) credential = arcpass_credential_new (ARCPASS_CREDENTIAL_OAUTH_USER,
                                                                    fixture->url);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(Run) token = NULL;
  g_autoptr(Run) accounts = NULL;
  g_autoptr(Run) signout = NULL;
  g_autoptr(GPtrArray) saved = NULL;

  /* Tokens this sandbox never issued: the refresh is refused. */
  arcpass_credential_set_username (credential, "grace.hopper");
  arcpass_credential_set_client_id (credential, ARCPASS_SANDBOX_CLIENT_ID);
  arcpass_credential_set_redirect_uri (credential, "http://127.0.0.1:1/callback");
  arcpass_credential_set_access_token (credential, "stale-access-token-0123456789");
  arcpass_credential_set_access_expires (credential, now - 600);
  arcpass_credential_set_refresh_token (credential, "stale-refresh-token-0123456789");
  arcpass_credential_set_refresh_expires (credential, now + 86400 * 7);
  store_save (credential);
  g_ptr_array_add (fixture->secrets, g_strdup ("stale-refresh-token-0123456789"));

  token = RUN (fixture, NULL, "token", "--portal", fixture->url);
  g_assert_cmpint (token->status, ==, ARCPASS_EXIT_SIGN_IN_REQUIRED);
  g_assert_cmpstr (token->out, ==, "");
  g_assert_null (strstr (token->err, "stale-access-token"));

  /* The account is kept, marked, and listed as such. */
  accounts = RUN (fixture, NULL, "accounts");
  g_assert_cmpint (accounts->status, ==, ARCPASS_EXIT_OK);
  g_assert_nonnull (strstr (accounts->out, "grace.hopper"));
  g_assert_nonnull (strstr (accounts->out, "sign in required"));

  /* Forgetting it needs no portal. */
  signout = RUN (fixture, NULL, "signout", "--no-revoke", "--account", "grace.hopper");
  g_assert_cmpint (signout->status, ==, ARCPASS_EXIT_OK);
  saved = store_list ();
  g_assert_cmpuint (saved->len, ==, 0);
}

static void
test_no_keyring (Fixture       *fixture,
                 gconstpointer  data)
{
  const char * const env[] = { "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", NULL };
  g_autoptr(Run) accounts = RUN_ENV (fixture, NULL, env, "accounts");
  g_autoptr(Run) token = RUN_ENV (fixture, NULL, env, "token");
  g_autoptr(Run) add = RUN_ENV (fixture, ARCPASS_SANDBOX_KEY_FULL "\n", env, "apikey", "add",
                                "--portal", fixture->url);

  g_assert_cmpint (accounts->status, ==, ARCPASS_EXIT_KEYRING);
  g_assert_cmpint (token->status, ==, ARCPASS_EXIT_KEYRING);
  g_assert_cmpint (add->status, ==, ARCPASS_EXIT_KEYRING);
}

static void
test_sandbox_option (Fixture       *fixture,
                     gconstpointer  data)
{
  const char * const signin_args[] = { "--sandbox", "signin", "--no-launch", NULL };
  g_autofree char *dir = g_dir_make_tmp ("arcpass-cli-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "tile.png", NULL);
  g_autoptr(Run) demo_geocode = NULL;
  g_autoptr(Run) demo_reverse = NULL;
  g_autoptr(Run) demo_tile = NULL;
  g_autoptr(Run) add = NULL;
  g_autoptr(Run) appcred = NULL;
  g_autoptr(Run) token = NULL;
  g_autoptr(Run) accounts = NULL;
  g_autoptr(Run) accounts_elsewhere = NULL;
  g_autoptr(Run) signin = NULL;
  g_autoptr(Run) user_token = NULL;
  g_autoptr(Run) geocode = NULL;
  g_autoptr(Run) signout = NULL;
  g_autoptr(Run) port = NULL;

  /* Service verbs work at once with the sandbox's demo key. */
  demo_geocode = RUN (fixture, NULL, "--sandbox", "geocode", "Redlands");
  g_assert_cmpint (demo_geocode->status, ==, ARCPASS_EXIT_OK);
  g_assert_nonnull (strstr (demo_geocode->out, "Redlands"));
  g_assert_nonnull (strstr (demo_geocode->err, "demo"));
  demo_reverse = RUN (fixture, NULL, "reverse", "--sandbox", "-117.1957", "34.0564");
  g_assert_cmpint (demo_reverse->status, ==, ARCPASS_EXIT_OK);
  demo_tile = RUN (fixture, NULL, "--sandbox", "tile", "arcgis/navigation", "1", "0", "1",
                   "-o", png);
  g_assert_cmpint (demo_tile->status, ==, ARCPASS_EXIT_OK);
  g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));

  add = RUN (fixture, ARCPASS_SANDBOX_KEY_FULL "\n", "--sandbox", "apikey", "add",
             "--name", "sandbox-key");
  g_assert_cmpint (add->status, ==, ARCPASS_EXIT_OK);
  appcred = RUN (fixture, ARCPASS_SANDBOX_CLIENT_SECRET "\n", "--sandbox", "appcred", "add",
                 "--name", "sandbox-app");
  g_assert_cmpint (appcred->status, ==, ARCPASS_EXIT_OK);

  /* A later command, with a sandbox of its own, still finds them. */
  token = RUN (fixture, NULL, "--sandbox", "token", "--account", "sandbox-key");
  g_assert_cmpint (token->status, ==, ARCPASS_EXIT_OK);
  g_assert_cmpstr (token->out, ==, ARCPASS_SANDBOX_KEY_FULL "\n");

  accounts = RUN (fixture, NULL, "--sandbox", "accounts", "--json");
  g_assert_cmpint (accounts->status, ==, ARCPASS_EXIT_OK);
  g_assert_nonnull (strstr (accounts->out, "sandbox-key"));
  g_assert_nonnull (strstr (accounts->out, "sandbox-app"));
  accounts_elsewhere = RUN (fixture, NULL, "accounts", "--portal", "https://www.arcgis.com");
  g_assert_null (strstr (accounts_elsewhere->out, "sandbox-key"));

  /* The browser sign-in against the sandbox inside `arcpass`. */
  signin = sign_in_through_browser (fixture, signin_args, FALSE);
  g_assert_cmpint (signin->status, ==, ARCPASS_EXIT_OK);
  user_token = RUN (fixture, NULL, "--sandbox", "token", "--account",
                    ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  g_assert_cmpint (user_token->status, ==, ARCPASS_EXIT_OK);

  geocode = RUN (fixture, NULL, "--sandbox", "geocode", "--account", "sandbox-app", "Redlands");
  g_assert_cmpint (geocode->status, ==, ARCPASS_EXIT_OK);

  signout = RUN (fixture, NULL, "--sandbox", "signout", "--account", "sandbox-key");
  g_assert_cmpint (signout->status, ==, ARCPASS_EXIT_OK);

  port = RUN (fixture, NULL, "--sandbox", "--sandbox-port", "70000", "accounts");
  g_assert_cmpint (port->status, ==, ARCPASS_EXIT_USAGE);

  g_unlink (png);
  g_rmdir (dir);
}

/* gnome-keyring-daemon daemonizes before it owns its bus name: wait for
 * the Secret Service so that the first test does not race it. */
static void
wait_for_secret_service (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

  if (!bus)
    return;
  for (int i = 0; i < 100; i++)
    {
      g_autoptr(GVariant) reply = NULL;
      gboolean has_owner = FALSE;

      reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "NameHasOwner",
                                           g_variant_new ("(s)", "org.freedesktop.secrets"),
                                           G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                           NULL, NULL);
      if (reply)
        g_variant_get (reply, "(b)", &has_owner);
      if (has_owner)
        return;
      g_usleep (50 * 1000);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  wait_for_secret_service ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/cli/help-and-usage", test_help_and_usage);
  ADD ("/cli/no-account", test_no_account);
  ADD ("/cli/apikey-and-token", test_apikey_and_token);
  ADD ("/cli/apikey-rejected", test_apikey_rejected);
  ADD ("/cli/services", test_services);
  ADD ("/cli/network-error", test_network_error);
  ADD ("/cli/accounts-selection", test_accounts_selection);
  ADD ("/cli/appcred", test_appcred);
  ADD ("/cli/signin", test_signin);
  ADD ("/cli/signin-denied-and-cancelled", test_signin_denied_and_cancelled);
  ADD ("/cli/signin-port-in-use", test_signin_port_in_use);
  ADD ("/cli/signin-idp", test_signin_idp);
  ADD ("/cli/signin-wrong-port", test_signin_wrong_port);
  ADD ("/cli/sign-in-required", test_sign_in_required);
  ADD ("/cli/no-keyring", test_no_keyring);
  ADD ("/cli/sandbox-option", test_sandbox_option);

  return g_test_run ();
}
