/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "arcpass-core.h"

G_BEGIN_DECLS

/* Runs an _async call to completion on the thread-default main context (the
 * in-process sandbox answers there too) and returns its result. */
void          hard_result_cb               (GObject       *object,
                                            GAsyncResult  *result,
                                            gpointer       user_data);
GAsyncResult *hard_wait                    (GAsyncResult **slot);

#define HARD_RUN(call_async, ...)                                          \
  ({                                                                       \
    GAsyncResult *_hard_res = NULL;                                        \
    call_async (__VA_ARGS__, hard_result_cb, &_hard_res);                  \
    hard_wait (&_hard_res);                                                \
  })

/* A plain HTTP exchange with the sandbox (its /_sandbox control API, or the
 * sign-in form as a browser would). Returns the body; never follows
 * redirects. @form: (nullable) urlencoded POST body. */
char         *hard_http                    (const char    *method,
                                            const char    *url,
                                            const char    *form,
                                            guint         *out_status,
                                            char         **out_location);

/* The /_sandbox/log entries since the last hard_sandbox_clear_log(), without
 * the control API's own requests. */
void          hard_sandbox_clear_log       (const char    *sandbox_url);
JsonNode     *hard_sandbox_log             (const char    *sandbox_url);
/* Entries whose path starts with @prefix. */
guint         hard_sandbox_count           (const char    *sandbox_url,
                                            const char    *prefix);
/* Sum of the remaining counts of pending faults. */
guint         hard_sandbox_pending_faults  (const char    *sandbox_url);
/* Consumes the faults left on @prefix by sending requests there until none
 * is pending (whatever they answer). */
void          hard_sandbox_drain_faults    (const char    *sandbox_url,
                                            const char    *prefix);
void          hard_sandbox_add_fault       (const char    *sandbox_url,
                                            const char    *prefix,
                                            const char    *mode,
                                            guint          count);

/* The authorization code flow against the sandbox's sign-in form, played
 * as a browser would, with a loopback redirect that is not followed. The
 * credential has its identity. */
ArcpassCredential *hard_oauth_sign_in      (ArcpassClient *client,
                                            const char    *sandbox_url,
                                            const char    *username,
                                            const char    *password);

/* The `arcpass` binary of this build ($ARCPASS_BUILD_ROOT/src/arcpass). */
char         *hard_arcpass_path            (void);

/* What a child process printed, and how it ended. */
typedef struct {
  int    status;     /* exit status, or -1 if it did not exit normally */
  char  *out;
  gsize  out_len;
  char  *err;
} HardRun;

void          hard_run_free                (HardRun       *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HardRun, hard_run_free)

/* Runs `arcpass ARGS…` with @input on stdin (and @env, key/value pairs,
 * added to the environment) while this thread's main context keeps
 * serving the in-process sandbox. */
HardRun      *hard_run_arcpass             (const char         *input,
                                            const char * const *env,
                                            const char * const *args);
/* Called right after each child is spawned, while its /proc entry surely
 * exists (the leak audit reads it there; a timer alone can miss a child
 * that is quick). */
extern void (*hard_spawn_hook) (void);
/* Every argv, added environment variable, stdin, stdout and stderr of the
 * children run so far, for the leak audit. */
const char   *hard_children_transcript     (void);
/* The next child's standard output is what the user asked for (`arcpass
 * token` prints the token): keep it out of the transcript. */
void          hard_children_transcript_skip_next_stdout (void);

/* Waits until org.freedesktop.secrets has an owner on the session bus
 * (gnome-keyring may claim it a moment after the session starts). */
void          hard_wait_for_secret_service (void);

/* Store helpers; they fail the test on error. */
void               hard_store_save         (ArcpassAccountStore *store,
                                            ArcpassCredential   *credential);
ArcpassCredential *hard_store_load         (ArcpassAccountStore *store,
                                            const char          *account_id,
                                            GError             **error);

/* ---- The secret-leak audits (test-leak-audit.c, test-leak-audit-gui.c) ---- */

/* The secrets to look for, and what was found (one line per finding). */
typedef struct {
  GPtrArray *secrets;   /* char * */
  GPtrArray *findings;  /* char * */
} HardAudit;

void          hard_audit_init              (HardAudit     *audit);
void          hard_audit_clear             (HardAudit     *audit);
/* Adds @secret (ignored when shorter than 8 bytes or already known). */
void          hard_audit_add_secret        (HardAudit     *audit,
                                            const char    *secret);
void          hard_audit_add_finding       (HardAudit     *audit,
                                            const char    *format,
                                            ...) G_GNUC_PRINTF (2, 3);
/* Binary-safe: @data may hold NULs. */
gboolean      hard_contains_bytes          (const char    *data,
                                            gsize          length,
                                            const char    *needle);
/* A finding "@where holds a secret (abcdef…)" for each secret in @data. */
void          hard_audit_text              (HardAudit     *audit,
                                            const char    *where,
                                            const char    *data,
                                            gsize          length);
/* Every regular file under @root (symbolic links are not followed). */
void          hard_audit_tree              (HardAudit     *audit,
                                            const char    *root);
/* The number of files (not directories) under @root. */
guint         hard_count_files             (const char    *root);
/* The directories where a session may write: the test session's scratch
 * tree ($ARCPASS_TEST_TMPDIR: home, XDG directories, keyring) when known,
 * else $HOME and each XDG directory. */
GStrv         hard_session_dirs            (void);

/* Appends the command line and environment of every live descendant of
 * this process (children, and with @all_generations their children too) to
 * @out, each under a "--- /proc/PID/cmdline" or "environ" heading. A
 * process already dumped with the same contents is not repeated when @seen
 * (pid and contents -> TRUE) is given. */
void          hard_dump_descendants        (GString       *out,
                                            gboolean       all_generations,
                                            GHashTable    *seen);

G_END_DECLS
