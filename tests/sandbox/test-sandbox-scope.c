/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-sandbox-private.h"

/* The sandbox's side of "a token is valid only where it was issued":
 * sb_host_accepts_token() as a table, and sb_sandbox_authenticate() refusing
 * (498) over HTTP a token presented at a host that does not accept its
 * issuer. */

static void
test_host_accepts_table (void)
{
  SbToken portal = { .issuer = ARCPASS_SANDBOX_HOST_PORTAL };
  SbToken org = { .issuer = ARCPASS_SANDBOX_HOST_ORG };
  SbToken enterprise = { .issuer = ARCPASS_SANDBOX_HOST_ENTERPRISE };
  SbToken server = { .issuer = ARCPASS_SANDBOX_HOST_ENTERPRISE, .server_token = TRUE };
  SbToken webtier = { .issuer = ARCPASS_SANDBOX_HOST_WEBTIER };
  const struct {
    ArcpassSandboxHost host;
    const char *path;
    const SbToken *token;   /* NULL: an API key */
    gboolean accepted;
  } cases[] = {
    { ARCPASS_SANDBOX_HOST_PORTAL, "/sharing/rest/portals/self", &portal, TRUE },
    { ARCPASS_SANDBOX_HOST_ORG, "/sharing/rest/portals/self", &portal, TRUE },
    { ARCPASS_SANDBOX_HOST_SERVICES, "/arcgis/rest/services/World/GeocodeServer", &portal, TRUE },
    { ARCPASS_SANDBOX_HOST_SERVICES, "/arcgis/rest/services/World/GeocodeServer", &org, TRUE },
    { ARCPASS_SANDBOX_HOST_SERVICES, "/arcgis/rest/services/styles/v2", NULL, TRUE },
    { ARCPASS_SANDBOX_HOST_PORTAL, "/sharing/rest/portals/self", NULL, TRUE },
    { ARCPASS_SANDBOX_HOST_ENTERPRISE, "/portal/sharing/rest/portals/self", &portal, FALSE },
    { ARCPASS_SANDBOX_HOST_ENTERPRISE, "/portal/sharing/rest/portals/self", NULL, FALSE },
    { ARCPASS_SANDBOX_HOST_ENTERPRISE, "/portal/sharing/rest/portals/self", &enterprise, TRUE },
    { ARCPASS_SANDBOX_HOST_ENTERPRISE, "/portal/sharing/rest/portals/self", &server, FALSE },
    { ARCPASS_SANDBOX_HOST_ENTERPRISE, "/server/rest/services/Foo/MapServer", &server, TRUE },
    { ARCPASS_SANDBOX_HOST_ENTERPRISE, "/server/rest/services/Foo/MapServer", &enterprise, FALSE },
    { ARCPASS_SANDBOX_HOST_ENTERPRISE, "/serverx/rest/services", &server, FALSE },
    { ARCPASS_SANDBOX_HOST_SERVICES, "/arcgis/rest/services/World/GeocodeServer", &enterprise, FALSE },
    { ARCPASS_SANDBOX_HOST_SERVICES, "/arcgis/rest/services/World/GeocodeServer", &server, FALSE },
    { ARCPASS_SANDBOX_HOST_PORTAL, "/sharing/rest/community/self", &enterprise, FALSE },
    { ARCPASS_SANDBOX_HOST_WEBTIER, "/portal/sharing/rest/portals/self", &webtier, TRUE },
    { ARCPASS_SANDBOX_HOST_WEBTIER, "/portal/sharing/rest/portals/self", &portal, FALSE },
    { ARCPASS_SANDBOX_HOST_IDP, "/idp/signin", &portal, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (sb_host_accepts_token (cases[i].host, cases[i].path, cases[i].token) != cases[i].accepted)
      g_error ("case %u: %s %s", i, arcpass_sandbox_host_get_name (cases[i].host), cases[i].path);
}

typedef struct
{
  GBytes *body;
  guint   status;
  gboolean done;
} Answer;

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Answer *answer = user_data;

  answer->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  answer->done = TRUE;
}

/* GET @url with @token in X-Esri-Authorization; the HTTP status and whether
 * the body is a 498 envelope. */
static gboolean
answers_498 (SoupSession *session,
             const char  *url,
             const char  *token)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autofree char *header = g_strconcat ("Bearer ", token, NULL);
  Answer answer = { NULL, 0, FALSE };
  g_autofree char *text = NULL;
  gboolean refused;

  soup_message_headers_append (soup_message_get_request_headers (msg), "X-Esri-Authorization",
                               header);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &answer);
  while (!answer.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (answer.body);
  text = g_strndup (g_bytes_get_data (answer.body, NULL), g_bytes_get_size (answer.body));
  refused = strstr (text, "498") != NULL;
  g_bytes_unref (answer.body);
  return refused;
}

static void
test_authenticate_refuses_foreign_issuer (void)
{
  g_autoptr(ArcpassSandbox) sb = arcpass_sandbox_new ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *geocode = NULL;
  SbToken *online;
  SbToken *foreign;

  g_assert_true (arcpass_sandbox_start (sb, 0, &error));
  geocode = g_strconcat (arcpass_sandbox_get_host_url (sb, ARCPASS_SANDBOX_HOST_SERVICES),
                         "/arcgis/rest/services/World/GeocodeServer/findAddressCandidates"
                         "?SingleLine=Redlands&f=json", NULL);

  /* The same user, the same lifetime: only the issuer differs. */
  online = sb_tokens_insert (sb, SB_TOKEN_ACCESS, 3600);
  online->username = g_strdup (ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  online->client_id = g_strdup (ARCPASS_SANDBOX_CLIENT_ID);
  foreign = sb_tokens_insert (sb, SB_TOKEN_ACCESS, 3600);
  foreign->username = g_strdup (ARCPASS_SANDBOX_PUBLISHER_USERNAME);
  foreign->client_id = g_strdup (ARCPASS_SANDBOX_CLIENT_ID);
  foreign->issuer = ARCPASS_SANDBOX_HOST_ENTERPRISE;

  g_assert_false (answers_498 (session, geocode, online->value));
  g_assert_true (answers_498 (session, geocode, foreign->value));

  arcpass_sandbox_stop (sb);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sandbox-scope/host-accepts-table", test_host_accepts_table);
  g_test_add_func ("/sandbox-scope/authenticate-refuses-foreign-issuer",
                   test_authenticate_refuses_foreign_issuer);

  return g_test_run ();
}
