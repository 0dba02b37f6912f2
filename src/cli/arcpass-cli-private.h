/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdio.h>

#include "arcpass-core.h"
/* Only for the fixture names (ARCPASS_SANDBOX_*): the sandbox itself runs as
 * a child process (arcpass-cli-sandbox.c), and this library does not link it. */
#include "arcpass-sandbox.h"

#include "arcpass-cli.h"

G_BEGIN_DECLS

/* Port the sandbox of `--sandbox` tries first, so that the URLs a user sees
 * stay the same from one command to the next; any free port is used when it
 * is taken. */
#define ARCPASS_CLI_SANDBOX_PORT 47615

/**
 * ArcpassCliFlags:
 * @ARCPASS_CLI_ACCOUNT: the verb works on a saved account (`--account`)
 * @ARCPASS_CLI_NEEDS_STORE: the verb reads or writes the keyring
 *
 * What a verb needs from the shared context.
 */
typedef enum {
  ARCPASS_CLI_NONE        = 0,
  ARCPASS_CLI_ACCOUNT     = 1 << 0,
  ARCPASS_CLI_NEEDS_STORE = 1 << 1,
} ArcpassCliFlags;

/**
 * ArcpassCli:
 *
 * The state one verb runs with: the options every verb shares, the
 * sandbox child process, the client, the keyring store and the
 * main-context loop that runs the core's async calls.
 */
typedef struct {
  const char           *verb;
  ArcpassCliFlags       flags;

  /* Shared options. */
  gboolean              sandbox;
  int                   sandbox_port;
  char                 *portal;
  char                 *account;

  /* Set up by arcpass_cli_setup(). */
  GSubprocess          *sandbox_process;
  char                 *portal_url;
  ArcpassClient        *client;
  ArcpassAccountStore  *store;
  GCancellable         *cancellable;
  guint                 sigint_id;

  GAsyncResult         *result;

  /* A token manager renewed or gave up on the account: save it before
   * exiting (see arcpass_cli_save_if_changed()). */
  gboolean              credential_changed;
} ArcpassCli;

ArcpassCli        *arcpass_cli_new                 (const char      *verb,
                                                    ArcpassCliFlags  flags);
void               arcpass_cli_free                (ArcpassCli      *cli);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArcpassCli, arcpass_cli_free)

/* A GOptionContext for the verb, with the shared options added. */
GOptionContext    *arcpass_cli_option_context_new  (ArcpassCli         *cli,
                                                    const char         *parameters,
                                                    const char         *summary,
                                                    const char         *description,
                                                    const GOptionEntry *entries);
/* Parses; on success @argv keeps the positional arguments after argv[0]
 * (negative numbers included) and -1 is returned; otherwise the exit code,
 * after a message on stderr. */
int                arcpass_cli_parse               (ArcpassCli      *cli,
                                                    GOptionContext  *context,
                                                    int             *argc,
                                                    char          ***argv,
                                                    int              min_args,
                                                    int              max_args);
/* Starts the sandbox, normalises `--portal`, opens the store. -1 or an exit code. */
int                arcpass_cli_setup               (ArcpassCli      *cli);

/* `--sandbox`: starts the arcpass-sandbox executable as a child and sets
 * portal_url to its URL (-1 or an exit code); stopping kills and reaps it. */
int                arcpass_cli_start_sandbox       (ArcpassCli      *cli);
void               arcpass_cli_stop_sandbox        (ArcpassCli      *cli);

/* Running async calls: pass arcpass_cli_async_cb and @cli as callback and
 * data, then arcpass_cli_wait() returns the result (transfer full). */
void               arcpass_cli_async_cb            (GObject         *source,
                                                    GAsyncResult    *result,
                                                    gpointer         user_data);
GAsyncResult      *arcpass_cli_wait                (ArcpassCli      *cli);
/* From now on Ctrl+C cancels instead of killing (arcpass_cli_wait() does it too). */
void               arcpass_cli_catch_interrupt     (ArcpassCli      *cli);

/* Errors: prints "arcpass VERB: message" on stderr, returns the exit code. */
int                arcpass_cli_exit_code_for_error (const GError    *error);
int                arcpass_cli_fail                (ArcpassCli      *cli,
                                                    int              exit_code,
                                                    const char      *format,
                                                    ...) G_GNUC_PRINTF (3, 4);
int                arcpass_cli_fail_error          (ArcpassCli      *cli,
                                                    const GError    *error);
void               arcpass_cli_note                (ArcpassCli      *cli,
                                                    const char      *format,
                                                    ...) G_GNUC_PRINTF (2, 3);

/* Accounts. */
gboolean           arcpass_cli_portal_is_sandbox   (const char      *portal_url);
int                arcpass_cli_list_accounts       (ArcpassCli      *cli,
                                                    GPtrArray      **out_accounts);
int                arcpass_cli_select_account      (ArcpassCli         *cli,
                                                    gboolean            allow_demo,
                                                    ArcpassCredential **out_credential);
/* The id of a saved account that the new credential replaces (same kind,
 * portal and user, client or key), or NULL. */
char              *arcpass_cli_find_existing_id    (ArcpassCli        *cli,
                                                    ArcpassCredential *credential);
int                arcpass_cli_save                (ArcpassCli        *cli,
                                                    ArcpassCredential *credential);
/* A token manager with the account's location-service endpoints (which may
 * need a portal discovery, so only for verbs that call services). */
int                arcpass_cli_new_manager         (ArcpassCli           *cli,
                                                    ArcpassCredential    *credential,
                                                    gboolean              with_endpoints,
                                                    ArcpassTokenManager **out_manager);

/* Saves the manager's credential when a renewal changed it, and waits for
 * the keyring: the process exits right after, so a save left running
 * would be lost. A failure is only a warning (the token was still good). */
void               arcpass_cli_save_if_changed     (ArcpassCli           *cli,
                                                    ArcpassTokenManager  *manager);

/* Presentation. */
char              *arcpass_cli_account_name        (ArcpassCredential *credential);
const char        *arcpass_cli_kind_label          (ArcpassCredentialKind kind);
const char        *arcpass_cli_kind_id             (ArcpassCredentialKind kind);
const char        *arcpass_cli_state_id            (ArcpassCredentialState state);
char              *arcpass_cli_format_expiry       (gint64           expires,
                                                    gint64           now);
char              *arcpass_cli_format_iso8601      (gint64           unix_seconds);
void               arcpass_cli_print_padded        (FILE            *out,
                                                    const char      *text,
                                                    int              width);
int                arcpass_cli_text_width          (const char      *text);
void               arcpass_cli_print_json          (JsonNode        *node);

/* Reads one secret line from stdin (prompting without echo on a terminal).
 * Free with arcpass_secret_free(). */
char              *arcpass_cli_read_secret         (const char      *prompt,
                                                    GError         **error);

/* The verbs. */
int arcpass_cli_accounts (int argc, char **argv);
int arcpass_cli_token    (int argc, char **argv);
int arcpass_cli_signin   (int argc, char **argv);
int arcpass_cli_apikey   (int argc, char **argv);
int arcpass_cli_appcred  (int argc, char **argv);
int arcpass_cli_geocode  (int argc, char **argv);
int arcpass_cli_reverse  (int argc, char **argv);
int arcpass_cli_tile     (int argc, char **argv);
int arcpass_cli_signout  (int argc, char **argv);

/* Before a sign-in to @portal_url (not ArcGIS Online, not the sandbox's
 * Online portal): fails (returns an exit code) when discovery says the portal
 * signs users in at its web server, so nothing is opened; -1 otherwise
 * (arcpass-cli-services.c). */
int             arcpass_cli_check_portal_sign_in (ArcpassCli  *cli,
                                                  const char  *portal_url);

G_END_DECLS
