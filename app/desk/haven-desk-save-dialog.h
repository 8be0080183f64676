/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Where the caseworker saves what the desk makes (a case file, a notice,
 * a report): GTK's own dialog, in this process, since a portal's would be
 * another program that may remember the file. Recent files are off
 * (haven-desk-application.c). */

typedef void (*HavenDeskSaveChosen) (GFile    *file,
                                     gpointer  user_data);

/* Asks, modal to @widget's window, with @suggested_name; calls @chosen
 * with the file if one was chosen, then @destroy on @user_data either
 * way. */
void     haven_desk_ask_where_to_save (GtkWidget            *widget,
                                       const char           *title,
                                       const char           *suggested_name,
                                       HavenDeskSaveChosen   chosen,
                                       gpointer              user_data,
                                       GDestroyNotify        destroy);

/* Finishes a save the desk started: a file's replacement
 * (g_file_replace_contents_bytes_async(), whose source is the file) or a
 * PDF's (haven_desk_case_file_save_async(), which has none). */
gboolean haven_desk_save_finish       (GObject              *source,
                                       GAsyncResult         *result,
                                       GError              **error);

G_END_DECLS
