/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-directory.h"

G_BEGIN_DECLS

/* An import stops after this many problems in the input, and reports them
 * all at once. */
#define HAVEN_DIRECTORY_IMPORT_MAX_PROBLEMS 20

/* An import that keeps services with parts it cannot use keeps the lines
 * of this many warnings, and counts them all: a 100,000-service import
 * with a problem in every record must not hold 100,000 messages. */
#define HAVEN_DIRECTORY_IMPORT_MAX_WARNINGS 1000

#define HAVEN_TYPE_DIRECTORY_IMPORTER (haven_directory_importer_get_type ())

G_DECLARE_FINAL_TYPE (HavenDirectoryImporter, haven_directory_importer, HAVEN, DIRECTORY_IMPORTER,
                      GObject)

HavenDirectoryImporter *haven_directory_importer_new     (const char              *source_path,
                                                          const char              *database_path);
void                    haven_directory_importer_set_source_name
                                                         (HavenDirectoryImporter  *self,
                                                          const char              *source_name);
gboolean                haven_directory_importer_run     (HavenDirectoryImporter  *self,
                                                          GCancellable            *cancellable,
                                                          GError                 **error);
void                    haven_directory_importer_run_async (HavenDirectoryImporter *self,
                                                          GCancellable            *cancellable,
                                                          GAsyncReadyCallback      callback,
                                                          gpointer                 user_data);
gboolean                haven_directory_importer_run_finish (HavenDirectoryImporter *self,
                                                          GAsyncResult            *result,
                                                          GError                 **error);
guint                   haven_directory_importer_get_n_services (HavenDirectoryImporter *self);
guint                   haven_directory_importer_get_n_organizations
                                                         (HavenDirectoryImporter  *self);
guint                   haven_directory_importer_get_n_skipped (HavenDirectoryImporter *self);
double                  haven_directory_importer_get_seconds (HavenDirectoryImporter *self);
const char * const     *haven_directory_importer_get_problems (HavenDirectoryImporter *self);
void                    haven_directory_importer_set_strict (HavenDirectoryImporter *self,
                                                          gboolean                 strict);
gboolean                haven_directory_importer_get_strict (HavenDirectoryImporter *self);
const char * const     *haven_directory_importer_get_warnings (HavenDirectoryImporter *self);
guint                   haven_directory_importer_get_n_warnings (HavenDirectoryImporter *self);

G_END_DECLS
