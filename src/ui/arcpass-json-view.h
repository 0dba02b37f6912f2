/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ARCPASS_TYPE_JSON_VIEW (arcpass_json_view_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassJsonView, arcpass_json_view, ARCPASS, JSON_VIEW, AdwBin)

/*
 * A scrollable, read-only, selectable monospace view of a document. JSON is
 * pretty-printed (two-space indent); anything else is shown as it is. The
 * caller passes text that is already redacted: this widget never sees a
 * secret it would have to hide.
 *
 * Property: `text` (string, what was set, before pretty-printing).
 */
GtkWidget  *arcpass_json_view_new          (void);
void        arcpass_json_view_set_text     (ArcpassJsonView *self,
                                            const char      *text);
const char *arcpass_json_view_get_text     (ArcpassJsonView *self);
/* The text as displayed (pretty-printed when it was JSON). Free with g_free(). */
char       *arcpass_json_view_dup_display  (ArcpassJsonView *self);

/* Pretty-prints @text when it is a JSON document, otherwise returns a copy
 * of it (NULL gives ""). */
char       *arcpass_json_pretty_print      (const char      *text);

G_END_DECLS
