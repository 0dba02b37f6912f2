/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* GTK 4.8 gives a button whose label has a mnemonic ("_Add Account") the
 * accessible name "_Add Account Add Account": the raw label, underscore
 * included, followed by the text of its label. Screen readers read both.
 * Installs, once, a hook that gives every such button the name of its
 * label alone when it is realized or mapped (tests/ui/test-atspi.py checks
 * the names over AT-SPI). Harmless with later GTK versions, which compute
 * the name from the label's text. */
void arcpass_a11y_install_fixes (void);

/* The same fix applied now to @root and everything under it. */
void arcpass_a11y_fix_tree      (GtkWidget *root);

G_END_DECLS
