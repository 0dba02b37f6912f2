/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arcpass-core.h"
#include "arcpass-sandbox.h"

G_BEGIN_DECLS

/* An API-key account against an in-process sandbox, as the window makes it:
 * signed in through the core, with a token manager on the sandbox's
 * endpoints and a client of its own (so its request log is the test's). */
typedef struct {
  ArcpassSandbox      *sandbox;
  ArcpassClient       *client;
  ArcpassCredential   *credential;
  ArcpassTokenManager *manager;
  GtkWindow           *window;
} GeocodeFixture;

void        geocode_fixture_set_up     (GeocodeFixture *fixture,
                                        const char     *api_key);
void        geocode_fixture_tear_down  (GeocodeFixture *fixture);
/* Shows @child in a 1280x800 window and waits until it is drawn. */
void        geocode_fixture_show       (GeocodeFixture *fixture,
                                        GtkWidget      *child);

/* Fails when @secret appears in any text the widget tree of @root shows or
 * exposes: labels, text views, editables, tooltips, row titles. */
void        assert_no_secret_in_tree   (GtkWidget      *root,
                                        const char     *secret);
/* The text on the clipboard of @widget's display. */
char       *read_clipboard_text        (GtkWidget      *widget);

G_END_DECLS
