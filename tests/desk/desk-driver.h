/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Driving the desk's real widgets in a test, as a caseworker would:
 * controls found by their names, text typed into them, buttons pressed,
 * and waiting on the main context for what the desk does in answer. */

void       desk_driver_init   (int           *argc,
                               char        ***argv);
void       iterate            (void);
/* Runs the main context until @condition holds or @seconds pass (times
 * the slowdown); FALSE on the deadline. */
gboolean   iterate_until      (gboolean     (*condition) (gpointer data),
                               gpointer       data,
                               guint          seconds);
/* The same, failing the test with "@what did not happen within N s" on
 * the deadline. */
void       wait_until         (const char    *what,
                               gboolean     (*condition) (gpointer data),
                               gpointer       data,
                               guint          seconds);
GtkWidget *find_named         (GtkWidget     *root,
                               const char    *name);
/* The same, failing the test when there is none. */
GtkWidget *require_named      (GtkWidget     *root,
                               const char    *name);
void       type_into          (GtkWidget     *root,
                               const char    *name,
                               const char    *text);
void       press              (GtkWidget     *root,
                               const char    *name);
/* Whether any label, editable or text view under @root shows @text. */
gboolean   widget_tree_shows  (GtkWidget     *root,
                               const char    *text);

G_END_DECLS
