/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The case file: an opened case as an A4 PDF for the police or a lawyer,
 * the same sections as the case page (haven-case-document.h). */

#define HAVEN_DESK_CASE_FILE_ERROR (haven_desk_case_file_error_quark ())

typedef enum {
  /* The PDF could not be drawn (cairo's status is in the message). */
  HAVEN_DESK_CASE_FILE_ERROR_DRAW,
} HavenDeskCaseFileError;

GQuark   haven_desk_case_file_error_quark (void);

/* Writes @sections (element-type HavenCaseSection) as an A4 PDF to
 * @stream, which stays open: @title on the first page, each section's
 * heading and text, and in every page's footer @footer_note (the case's
 * SHA-256 line, say), @title and "Page N of M". The document's metadata
 * holds @title alone. Safe to call in a worker thread. */
gboolean haven_desk_case_file_write       (GPtrArray            *sections,
                                           const char           *title,
                                           const char           *footer_note,
                                           GOutputStream        *stream,
                                           GCancellable         *cancellable,
                                           GError              **error);

/* The same into @file, in a worker thread: @file is created or replaced,
 * readable by its owner only, and on failure or cancellation nothing is
 * left behind and a file it replaces is untouched. @sections is held until
 * the save ends and must not change meanwhile. */
void     haven_desk_case_file_save_async  (GPtrArray            *sections,
                                           const char           *title,
                                           const char           *footer_note,
                                           GFile                *file,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean haven_desk_case_file_save_finish (GAsyncResult         *result,
                                           GError              **error);

/* The same, with @charts (element-type HavenDeskChart, NULL where a
 * section has none) as long as @sections: each drawn after its section's
 * text, whole on one page. HavenDeskChart is safe to draw in a worker
 * thread once it is no longer changed. */
gboolean haven_desk_case_file_write_with_charts      (GPtrArray            *sections,
                                                      GPtrArray            *charts,
                                                      const char           *title,
                                                      const char           *footer_note,
                                                      GOutputStream        *stream,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
void     haven_desk_case_file_save_with_charts_async (GPtrArray            *sections,
                                                      GPtrArray            *charts,
                                                      const char           *title,
                                                      const char           *footer_note,
                                                      GFile                *file,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);

G_END_DECLS
