/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-core.h"

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  GHashTable *counts = user_data;
  const char *name = g_param_spec_get_name (pspec);

  g_hash_table_insert (counts, (gpointer) name,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, name)) + 1));
}

static guint
count (GHashTable *counts,
       const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}

static void
test_properties_notify (void)
{
  g_autoptr(ArcpassCredential) credential = arcpass_credential_new (ARCPASS_CREDENTIAL_OAUTH_USER,
                                                                    "https://www.arcgis.com");
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  const char *privileges[] = { "portal:user:createItem", "premium:user:geocode", NULL };
  g_auto(GStrv) got = NULL;
  gint64 expires = 0;

  g_assert_nonnull (arcpass_credential_get_id (credential));
  g_assert_true (g_uuid_string_is_valid (arcpass_credential_get_id (credential)));

  g_signal_connect (credential, "notify", G_CALLBACK (count_notify_cb), counts);

  arcpass_credential_set_access_token (credential, "tok-1");
  arcpass_credential_set_access_token (credential, "tok-1");   /* no change: no notify */
  arcpass_credential_set_access_expires (credential, 12345);
  arcpass_credential_set_access_expires (credential, 12345);
  g_object_set (credential, "username", "jsmith", "full-name", "John Smith", NULL);
  g_object_set (credential, "username", "jsmith", NULL);
  arcpass_credential_set_privileges (credential, privileges);
  arcpass_credential_set_privileges (credential, privileges);
  arcpass_credential_set_state (credential, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);

  g_assert_cmpuint (count (counts, "access-token"), ==, 1);
  g_assert_cmpuint (count (counts, "access-expires"), ==, 1);
  g_assert_cmpuint (count (counts, "username"), ==, 1);
  g_assert_cmpuint (count (counts, "full-name"), ==, 1);
  g_assert_cmpuint (count (counts, "privileges"), ==, 1);
  g_assert_cmpuint (count (counts, "state"), ==, 1);

  g_object_get (credential, "privileges", &got, "access-expires", &expires, NULL);
  g_assert_cmpstrv (got, privileges);
  g_assert_cmpint (expires, ==, 12345);
  g_assert_true (arcpass_credential_has_privilege (credential, "premium:user:geocode"));
  g_assert_false (arcpass_credential_has_privilege (credential, "premium:user:basemaps"));

  g_signal_handlers_disconnect_by_data (credential, counts);
  g_assert_finalize_object (g_steal_pointer (&credential));
}

static void
test_validity (void)
{
  g_autoptr(ArcpassCredential) credential = arcpass_credential_new (ARCPASS_CREDENTIAL_OAUTH_USER,
                                                                    "https://www.arcgis.com");

  g_assert_false (arcpass_credential_access_valid_at (credential, 1000, 0));
  arcpass_credential_set_access_token (credential, "tok");
  arcpass_credential_set_access_expires (credential, 1000 + 1800);
  g_assert_true (arcpass_credential_access_valid_at (credential, 1000, ARCPASS_TOKEN_REFRESH_MARGIN));
  g_assert_false (arcpass_credential_access_valid_at (credential, 1000 + 1600, ARCPASS_TOKEN_REFRESH_MARGIN));
  g_assert_true (arcpass_credential_access_valid_at (credential, 1000 + 1600, 0));

  arcpass_credential_update_state (credential, 1000);
  g_assert_cmpint (arcpass_credential_get_state (credential), ==, ARCPASS_CREDENTIAL_STATE_VALID);
  arcpass_credential_update_state (credential, 1000 + 1600);
  g_assert_cmpint (arcpass_credential_get_state (credential), ==, ARCPASS_CREDENTIAL_STATE_EXPIRES_SOON);

  /* No refresh token: cannot refresh, and once expired it needs a sign-in. */
  g_assert_false (arcpass_credential_can_refresh_at (credential, 1000));
  arcpass_credential_update_state (credential, 1000 + 4000);
  g_assert_cmpint (arcpass_credential_get_state (credential), ==, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);

  arcpass_credential_set_client_id (credential, "APPID");
  arcpass_credential_set_refresh_token (credential, "ref");
  arcpass_credential_set_refresh_expires (credential, 1000 + 1209600);
  g_assert_true (arcpass_credential_can_refresh_at (credential, 1000));
  g_assert_false (arcpass_credential_can_refresh_at (credential, 1000 + 1209600));

  /* An API key without expiry is always valid. */
  arcpass_credential_set_kind (credential, ARCPASS_CREDENTIAL_API_KEY);
  arcpass_credential_set_access_expires (credential, 0);
  g_assert_true (arcpass_credential_access_valid_at (credential, G_MAXINT32, ARCPASS_TOKEN_REFRESH_MARGIN));
  g_assert_false (arcpass_credential_can_refresh_at (credential, 0));
}

static void
test_payload_round_trip (void)
{
  g_autoptr(ArcpassCredential) credential = arcpass_credential_new (ARCPASS_CREDENTIAL_APP_CREDENTIALS,
                                                                    "https://gis.example.com/portal");
  g_autoptr(ArcpassCredential) loaded = NULL;
  g_autoptr(ArcpassSecret) payload = NULL;
  g_autoptr(GError) error = NULL;
  const char *privileges[] = { "premium:user:basemaps", NULL };

  arcpass_credential_set_client_id (credential, "APPID");
  arcpass_credential_set_client_secret (credential, "s3cr3t-\"quoted\"-\\");
  arcpass_credential_set_access_token (credential, "access-ü");
  arcpass_credential_set_access_expires (credential, 1700000000);
  arcpass_credential_set_refresh_token (credential, "refresh");
  arcpass_credential_set_refresh_expires (credential, 1800000000);
  arcpass_credential_set_username (credential, "jsmith");
  arcpass_credential_set_full_name (credential, "John Smith");
  arcpass_credential_set_org_id (credential, "org1");
  arcpass_credential_set_org_name (credential, "Example Org");
  arcpass_credential_set_role (credential, "org_admin");
  arcpass_credential_set_avatar_url (credential, "https://gis.example.com/a.png");
  arcpass_credential_set_redirect_uri (credential, "http://127.0.0.1:1/cb");
  arcpass_credential_set_ssl (credential, TRUE);
  arcpass_credential_set_privileges (credential, privileges);
  arcpass_credential_set_state (credential, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);

  payload = arcpass_credential_to_payload (credential);
  g_assert_nonnull (strstr (payload, "\"version\":1"));
  g_assert_nonnull (strstr (payload, "\"app-credentials\""));

  loaded = arcpass_credential_new_from_payload (payload, &error);
  g_assert_no_error (error);

#define SAME_STRING(getter) g_assert_cmpstr (getter (loaded), ==, getter (credential))
  SAME_STRING (arcpass_credential_get_id);
  SAME_STRING (arcpass_credential_get_portal_url);
  SAME_STRING (arcpass_credential_get_client_id);
  SAME_STRING (arcpass_credential_get_client_secret);
  SAME_STRING (arcpass_credential_get_access_token);
  SAME_STRING (arcpass_credential_get_refresh_token);
  SAME_STRING (arcpass_credential_get_username);
  SAME_STRING (arcpass_credential_get_full_name);
  SAME_STRING (arcpass_credential_get_org_id);
  SAME_STRING (arcpass_credential_get_org_name);
  SAME_STRING (arcpass_credential_get_role);
  SAME_STRING (arcpass_credential_get_avatar_url);
  SAME_STRING (arcpass_credential_get_redirect_uri);
#undef SAME_STRING
  g_assert_cmpint (arcpass_credential_get_kind (loaded), ==, ARCPASS_CREDENTIAL_APP_CREDENTIALS);
  g_assert_cmpint (arcpass_credential_get_access_expires (loaded), ==, 1700000000);
  g_assert_cmpint (arcpass_credential_get_refresh_expires (loaded), ==, 1800000000);
  g_assert_true (arcpass_credential_get_ssl (loaded));
  g_assert_cmpstrv (arcpass_credential_get_privileges (loaded), privileges);
  g_assert_cmpint (arcpass_credential_get_state (loaded), ==, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);

  g_assert_finalize_object (g_steal_pointer (&loaded));
  g_assert_finalize_object (g_steal_pointer (&credential));
}

static void
test_payload_bad (void)
{
  static const char *bad[] = {
    "",
    "not json",
    "[1,2]",
    "{}",
    "{\"version\":2,\"kind\":\"api-key\",\"id\":\"x\"}",
    "{\"version\":1,\"kind\":\"nonsense\",\"id\":\"x\"}",
    "{\"version\":1,\"kind\":\"api-key\"}",
    "{\"version\":1,\"kind\":\"api-key\",\"id\":\"x\",\"access_token\":5}",
    "{\"version\":1,\"kind\":\"api-key\",\"id\":\"x\",\"privileges\":[1]}",
    "{\"version\":\"1\",\"kind\":\"api-key\",\"id\":\"x\"}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      ArcpassCredential *credential = arcpass_credential_new_from_payload (bad[i], &error);

      g_test_message ("payload: %s", bad[i]);
      g_assert_null (credential);
      g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
    }
}

static void
test_json_getters (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = arcpass_json_parse_object (
    "{\"s\":\"x\",\"i\":3,\"d\":2.0,\"f\":2.5,\"b\":true,\"n\":null,\"o\":{},\"a\":[\"p\",\"q\"],\"mixed\":[1]}",
    -1, &error);
  gint64 i = 0;
  double d = 0;
  gboolean b = FALSE;
  const char *s = NULL;
  JsonObject *o = NULL;
  g_auto(GStrv) strv = NULL;

  g_assert_no_error (error);

  g_assert_cmpstr (arcpass_json_object_get_string (object, "s", &error), ==, "x");
  g_assert_null (arcpass_json_object_get_string (object, "i", &error));
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
  g_assert_nonnull (strstr (error->message, "“i”"));
  g_clear_error (&error);
  g_assert_null (arcpass_json_object_get_string (object, "missing", &error));
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
  g_clear_error (&error);
  g_assert_null (arcpass_json_object_get_string (object, "n", &error));
  g_clear_error (&error);

  g_assert_true (arcpass_json_object_get_optional_string (object, "missing", &s, &error));
  g_assert_null (s);
  g_assert_true (arcpass_json_object_get_optional_string (object, "n", &s, &error));
  g_assert_null (s);
  g_assert_false (arcpass_json_object_get_optional_string (object, "b", &s, &error));
  g_clear_error (&error);

  g_assert_true (arcpass_json_object_get_int (object, "i", &i, &error));
  g_assert_cmpint (i, ==, 3);
  g_assert_true (arcpass_json_object_get_int (object, "d", &i, &error));
  g_assert_cmpint (i, ==, 2);
  g_assert_false (arcpass_json_object_get_int (object, "f", &i, &error));
  g_clear_error (&error);
  g_assert_true (arcpass_json_object_get_double (object, "i", &d, &error));
  g_assert_cmpfloat (d, ==, 3.0);
  g_assert_true (arcpass_json_object_get_boolean (object, "b", &b, &error));
  g_assert_true (b);
  g_assert_false (arcpass_json_object_get_boolean (object, "s", &b, &error));
  g_clear_error (&error);
  g_assert_nonnull (arcpass_json_object_get_object (object, "o", &error));
  g_assert_null (arcpass_json_object_get_object (object, "a", &error));
  g_clear_error (&error);
  g_assert_true (arcpass_json_object_get_optional_object (object, "n", &o, &error));
  g_assert_null (o);
  g_assert_nonnull (arcpass_json_object_get_array (object, "a", &error));
  strv = arcpass_json_object_dup_strv (object, "a", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (strv), ==, 2);
  g_assert_null (arcpass_json_object_dup_strv (object, "mixed", &error));
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
  g_clear_error (&error);

  g_assert_null (arcpass_json_parse_object ("{\"a\":", -1, &error));
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
  g_clear_error (&error);
  g_assert_null (arcpass_json_parse_object ("[]", -1, &error));
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
  g_clear_error (&error);
  g_assert_null (arcpass_json_parse_object ("", 0, &error));
  g_assert_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE);
}

static void
assert_lacks (const char *text,
              const char *secret)
{
  if (text != NULL && strstr (text, secret) != NULL)
    g_error ("“%s” leaks “%s”", text, secret);
}

static void
test_redaction (void)
{
  g_autofree char *url = arcpass_redact_url ("https://h.example.com/x?f=json&token=SECRET1&SingleLine=Redlands#access_token=SECRET2&expires_in=5");
  g_autofree char *url2 = arcpass_redact_url ("https://u:SECRETPW@h.example.com/x?countryCode=FR&magicKey=keep");
  g_autofree char *form = arcpass_redact_form ("grant_type=refresh_token&client_id=APP&refresh_token=SECRET3&client_secret=SECRET4&password=SECRET5&code=SECRET6&code_verifier=SECRET7");
  g_autofree char *json = arcpass_redact_json ("{\"access_token\":\"SECRET8\",\"expires_in\":1800,\"nested\":{\"refresh_token\":\"SECRET9\"},"
                                               "\"list\":[{\"token\":\"SECRET10\"}],\"glyphs\":\"https://x/{fontstack}?token=SECRET11\"}");
  g_autofree char *truncated = arcpass_redact_json ("{\"access_token\":\"SECRET12");
  g_autofree char *html = arcpass_redact_json ("<html><title>SUCCESS code=SECRET13</title><input id=\"code\" value=\"SECRET14\"></html>");
  g_autofree char *header = arcpass_redact_header ("X-Esri-Authorization", "Bearer SECRET15");
  g_autofree char *location = arcpass_redact_header ("Location", "http://127.0.0.1:5/cb?code=SECRET16&state=s");
  const char *known[] = { "SECRET17", NULL };
  g_autofree char *known_text = arcpass_redact_known ("x SECRET17 y", known);

  assert_lacks (url, "SECRET1");
  assert_lacks (url, "SECRET2");
  g_assert_nonnull (strstr (url, "SingleLine=Redlands"));
  g_assert_nonnull (strstr (url, "token=" ARCPASS_REDACTED));
  assert_lacks (url2, "SECRETPW");
  g_assert_nonnull (strstr (url2, "countryCode=FR&magicKey=keep"));
  for (int i = 3; i <= 7; i++)
    {
      g_autofree char *s = g_strdup_printf ("SECRET%d", i);
      assert_lacks (form, s);
    }
  g_assert_nonnull (strstr (form, "client_id=APP"));
  assert_lacks (json, "SECRET8");
  assert_lacks (json, "SECRET9");
  assert_lacks (json, "SECRET10");
  assert_lacks (json, "SECRET11");
  g_assert_nonnull (strstr (json, "1800"));
  assert_lacks (truncated, "SECRET12");
  assert_lacks (html, "SECRET13");
  assert_lacks (html, "SECRET14");
  assert_lacks (header, "SECRET15");
  g_assert_cmpstr (header, ==, "X-Esri-Authorization: Bearer " ARCPASS_REDACTED);
  assert_lacks (location, "SECRET16");
  assert_lacks (known_text, "SECRET17");
}

static void
test_request_log (void)
{
  g_autoptr(ArcpassRequestLog) log = arcpass_request_log_new ();
  const char *secrets[] = { "TOPSECRETVALUE", NULL };
  g_autoptr(ArcpassRequestRecord) record = NULL;
  g_autofree char *curl = NULL;

  arcpass_request_log_append (log, ARCPASS_SERVICE_GEOCODE, "GET",
                              "https://g.example.com/findAddressCandidates?SingleLine=x&token=TOPSECRETVALUE",
                              200, NULL, 0, 12.5,
                              "X-Esri-Authorization: Bearer TOPSECRETVALUE\nAccept: application/json\n",
                              NULL, 0,
                              "Content-Type: application/json\n",
                              "{\"echo\":\"TOPSECRETVALUE\"}", 25, secrets);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (log)) == ARCPASS_TYPE_REQUEST_RECORD);

  record = g_list_model_get_item (G_LIST_MODEL (log), 0);
  assert_lacks (arcpass_request_record_get_url (record), "TOPSECRETVALUE");
  assert_lacks (arcpass_request_record_get_request_headers (record), "TOPSECRETVALUE");
  assert_lacks (arcpass_request_record_get_response_body (record), "TOPSECRETVALUE");
  g_assert_nonnull (strstr (arcpass_request_record_get_request_headers (record), "Accept: application/json"));
  g_assert_cmpuint (arcpass_request_record_get_status (record), ==, 200);
  g_assert_cmpfloat (arcpass_request_record_get_duration_ms (record), ==, 12.5);

  curl = arcpass_request_record_to_curl (record);
  g_assert_nonnull (strstr (curl, "$ARCGIS_TOKEN"));
  assert_lacks (curl, "TOPSECRETVALUE");

  arcpass_request_log_set_max_records (log, 1);
  arcpass_request_log_append (log, ARCPASS_SERVICE_NONE, "GET", "https://a.example.com/", 0, "boom",
                              0, 1, NULL, NULL, 0, NULL, NULL, 0, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1);
  arcpass_request_log_clear (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/credential/properties-notify", test_properties_notify);
  g_test_add_func ("/credential/validity", test_validity);
  g_test_add_func ("/credential/payload/round-trip", test_payload_round_trip);
  g_test_add_func ("/credential/payload/bad", test_payload_bad);
  g_test_add_func ("/json/getters", test_json_getters);
  g_test_add_func ("/redact/helpers", test_redaction);
  g_test_add_func ("/redact/request-log", test_request_log);

  return g_test_run ();
}
