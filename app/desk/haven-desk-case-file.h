/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean haven_desk_case_file_write       (GPtrArray           *sections,
                                           const char          *title,
                                           const char          *footer_note,
                                           GOutputStream       *stream,
                                           GCancellable        *cancellable,
                                           GError             **error);
void     haven_desk_case_file_save_async  (GPtrArray           *sections,
                                           const char          *title,
                                           const char          *footer_note,
                                           GFile               *file,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean haven_desk_case_file_save_finish (GAsyncResult        *result,
                                           GError             **error);

G_END_DECLS
