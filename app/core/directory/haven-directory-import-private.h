/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-directory-import.h"
#include "haven-directory-writer.h"
#include "haven-json-arena.h"

G_BEGIN_DECLS

/* Where a record came from, for the messages. */
typedef struct {
  const char *file;
  guint line;
  guint index;
} Origin;

/* One run of an import, shared by the readers of each kind of input
 * (haven-json-scanner.c, haven-data-package.c) and the record mapper
 * (haven-record-mapper.c). */
typedef struct {
  HavenDirectoryImporter *self;
  GCancellable *cancellable;
  const char *format;
  HavenDirectoryWriter *writer;

  GHashTable *service_ids;
  /* Services left out because they are inactive or defunct. */
  guint n_skipped;

  /* Reused for every record, so a record costs no allocations of its own. */
  GString *fts[N_FTS_COLUMNS];
  GString *details;
  GString *scratch;
  GPtrArray *record_regions;
  GPtrArray *record_languages;
  /* Taxonomy, code and name of each term, three strings a term. */
  GPtrArray *record_terms;

  GMutex problems_lock;
  Arena arena;
  GPtrArray *stack;
  GString *json_scratch;
} Import;

void     haven_import_add_problem        (Import        *import,
                                          const char    *message);
guint    haven_import_n_problems         (Import        *import);
gboolean haven_import_too_many_problems  (Import        *import);
void     haven_import_file_problem       (Import        *import,
                                          const char    *file,
                                          guint          line,
                                          const char    *format,
                                          ...) G_GNUC_PRINTF (4, 5);
void     haven_import_add_warning        (Import        *import,
                                          const char    *message);
void     haven_import_file_warning       (Import        *import,
                                          const char    *file,
                                          guint          line,
                                          const char    *format,
                                          ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS
