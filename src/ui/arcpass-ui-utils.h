/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-core.h"

G_BEGIN_DECLS

/* Small helpers shared by the account widgets of the window. */

/* "ArcGIS account", "API key", … */
const char *arcpass_ui_credential_kind_label   (ArcpassCredentialKind   kind);
/* "Valid", "Expires soon", "Sign-in required", "Offline". */
const char *arcpass_ui_credential_state_label  (ArcpassCredentialState  state);
/* The CSS class of the state badge ("success", "warning", "error", "dim-label"). */
const char *arcpass_ui_credential_state_class  (ArcpassCredentialState  state);
/* The host (and port) of a portal URL, or the URL itself when it has none. */
char       *arcpass_ui_dup_portal_host         (const char             *portal_url);
/* The name a person would call the account by: full name, else username,
 * else the core's display name. */
char       *arcpass_ui_dup_account_title       (ArcpassCredential      *credential);
/* "in 1 hour 5 minutes", "3 minutes ago", … relative to @now. */
char       *arcpass_ui_format_relative         (gint64                  when,
                                                gint64                  now);
/* Loads the credential's avatar picture through @client (so it is logged,
 * redacted, and sent with the token in a header) into @avatar. Keeps the
 * initials when there is no picture or it cannot be fetched. */
void        arcpass_ui_load_avatar             (AdwAvatar              *avatar,
                                                ArcpassClient          *client,
                                                ArcpassCredential      *credential,
                                                GCancellable           *cancellable);
/* Shows @message in a page's error label (hidden when @message is NULL).
 * The label has the alert role, which screen readers announce when it
 * appears. */
void        arcpass_ui_set_error               (GtkLabel               *label,
                                                const char             *message);
/* Puts the plain text of a toast's @markup title in @label, a label with the
 * status role that is never seen: libadwaita 1.2 does not present toasts to
 * screen readers, status regions they do present. */
void        arcpass_ui_announce                (GtkLabel               *label,
                                                const char             *markup);
/* Runs the core portal normaliser on the text of @row; on failure marks the
 * row with the error style, shows the core's message in @error_label and
 * returns NULL. */
char       *arcpass_ui_normalize_portal_row    (AdwEntryRow            *row,
                                                GtkLabel               *error_label);
/* TRUE when the row has non-blank text; otherwise marks it and says @message. */
gboolean    arcpass_ui_require_text            (AdwEntryRow            *row,
                                                GtkLabel               *error_label,
                                                const char             *message);

/* Checks, without bothering the user, that an account still works: a fresh
 * token (renewed if needed), then the portal answering `portals/self` with
 * it. Sets the credential's state: valid, "sign-in required" for a refused
 * token, "offline" for anything else; then the failure is kept as the
 * account's problem (arcpass_ui_get_account_problem()), in words that say
 * what was checked. The window runs it for each restored account, the
 * account view's "Try Again" on demand. */
void        arcpass_ui_check_account_async     (ArcpassTokenManager    *manager,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
gboolean    arcpass_ui_check_account_finish    (GAsyncResult           *result,
                                                GError                **error);
/* Why the last check of @credential failed, or NULL (not after a success). */
const char *arcpass_ui_get_account_problem     (ArcpassCredential      *credential);
/* Replaces it with a later failure's explanation (a renewal's), or forgets
 * it (@problem NULL). */
void        arcpass_ui_set_account_problem     (ArcpassCredential      *credential,
                                                const char             *problem);

/* TRUE for a cancellation, from GIO or from the core. */
gboolean    arcpass_ui_error_is_cancelled      (const GError           *error);

G_END_DECLS
