/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/*
 * Helpers shared by the two OAuth sign-in pages (embedded web view and
 * system browser): inline validation of the form and user-facing messages.
 */

/* Shows @message under @row (and marks the row with the "error" style), or
 * clears both when @message is NULL. */
void      arcpass_oauth_form_set_row_error      (AdwEntryRow  *row,
                                                 GtkLabel     *label,
                                                 const char   *message);

/* Validates the portal field with the core's normaliser. Returns the
 * normalised portal URL, or NULL and shows the normaliser's message. An
 * empty field is only reported when @report_empty is set (so that typing
 * does not start with an error). */
char     *arcpass_oauth_form_check_portal       (AdwEntryRow  *row,
                                                 GtkLabel     *label,
                                                 gboolean      report_empty);
/* Validates the client ID field (not empty, no spaces). Returns the
 * trimmed client ID or NULL. */
char     *arcpass_oauth_form_check_client_id    (AdwEntryRow  *row,
                                                 GtkLabel     *label,
                                                 gboolean      report_empty);
/* Validates a redirect URI: the oob URI, an https URL, an http URL on
 * loopback, or a custom scheme (`myapp://auth`). */
char     *arcpass_oauth_form_check_redirect_uri (AdwEntryRow  *row,
                                                 GtkLabel     *label,
                                                 gboolean      report_empty);

/* Validates the redirect URI of the browser sign-in: an http:// URI on a
 * loopback host with an explicit port (see
 * arcpass_loopback_redirect_uri_parse()). */
char     *arcpass_oauth_form_check_loopback_redirect_uri (AdwEntryRow *row,
                                                          GtkLabel    *label,
                                                          gboolean     report_empty);

/* The portal pre-filled in the form: GSettings `default-portal-url`, or
 * ArcGIS Online when @settings is NULL. */
char     *arcpass_oauth_form_default_portal     (GSettings    *settings);

/* Puts @text on the clipboard of @widget's display. */
void      arcpass_oauth_form_copy_text          (GtkWidget    *widget,
                                                 const char   *text);

/* A sentence telling the user what went wrong and what to do, for an error
 * of a sign-in attempt (redirect, code exchange, identity). */
char     *arcpass_oauth_form_describe_error     (const GError *error,
                                                 const char   *redirect_uri);

/* TRUE when the test suite asked the pages not to launch a real browser
 * (ARCPASS_TEST_BROWSER=none). */
gboolean  arcpass_oauth_form_browser_disabled   (void);

G_END_DECLS
