/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Walks @root's widget tree, including pages that are not shown, and returns
 * a newline-separated description of every interactive control that has no
 * accessible name (an accessible label, a labelled-by relation, or a text
 * label inside it), or NULL when every control is named. */
char *arcpass_test_find_unlabelled (GtkWidget *root);

/* Fails the test with the list above. */
void  arcpass_test_assert_labelled (GtkWidget *root);

G_END_DECLS
