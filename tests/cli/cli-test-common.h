/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the tests that run the real `arcpass` binary against a
 * sandbox served by the test program (test-cli.c, test-cli-tokens.c): while
 * a command runs, the test iterates this thread's main context so that the
 * sandbox answers it. */

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "arcpass-core.h"
#include "arcpass-sandbox.h"

G_BEGIN_DECLS

typedef struct {
  ArcpassSandbox *sb;
  char           *url;
  SoupSession    *session;
  /* The user's browser: keeps cookies (the portal's session) per host. */
  SoupSession    *browser;
  GPtrArray      *secrets;  /* strings that must never appear on stderr */
} Fixture;

typedef struct {
  int     status;
  char   *out;
  gsize   out_len;
  char   *err;
} Run;

typedef struct {
  GSubprocess      *process;
  GDataInputStream *err;
  GString          *err_text;
} Child;

char *
bytes_to_string (GBytes *bytes);

void
run_free (Run *run);

char *
arcpass_path (void);

void
async_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data);

GAsyncResult *
wait_result (GAsyncResult **slot);

void
assert_no_secret (Fixture    *fixture,
                  const char *text);

GSubprocess *
spawn_arcpass (const char * const *args,
               const char * const *env,
               GSubprocessFlags    flags);

Run *
run_env (Fixture            *fixture,
         const char         *input,
         const char * const *env,
         const char * const *args);

GPtrArray *
store_list (void);

void
store_save (ArcpassCredential *credential);

void
store_clear (void);

ArcpassCredential *
store_find (const char *username);

SoupMessage *
http_in (SoupSession *session,
         const char  *method,
         const char  *url,
         const char  *form,
         GBytes     **out_body);

SoupMessage *
http (Fixture    *fixture,
      const char *method,
      const char *url,
      const char *form,
      GBytes    **out_body);

JsonNode *
parse_json (const char *text);

void
sandbox_post (Fixture    *fixture,
              const char *path,
              const char *form);

void
sandbox_clear_log (Fixture *fixture);

char *
sandbox_log_paths (Fixture *fixture);

void
fixture_setup (Fixture       *fixture,
               gconstpointer  data);

void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data);

void
add_api_key (Fixture    *fixture,
             const char *key,
             const char *name);

guint16
free_port (void);

char *
registered_redirect_uri (Fixture *fixture);

GStrv
with_redirect_uri (const char * const *args,
                   const char         *uri);

Child *
child_spawn (const char * const *args);

void
child_free (Child *child);

char *
child_read_line (Child *child);

char *
read_signin_url (Child *child);

char *
find_hidden_state (const char *html);

Run *
finish_process (Fixture *fixture,
                Child   *child);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

#define RUN(fixture, input, ...) \
  run_env (fixture, input, NULL, (const char * const[]) { __VA_ARGS__, NULL })
#define RUN_ENV(fixture, input, env, ...) \
  run_env (fixture, input, env, (const char * const[]) { __VA_ARGS__, NULL })

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Child, child_free)

G_END_DECLS
