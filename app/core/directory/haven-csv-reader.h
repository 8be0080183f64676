/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What one row of a CSV file may be. An HSDS row is a few hundred bytes
 * in a few dozen columns: these only stop a file that is not a table (one
 * line of 10 MB, a million commas) before it fills the memory. */
#define HAVEN_CSV_MAX_FIELD_SIZE (1024 * 1024)
#define HAVEN_CSV_MAX_ROW_SIZE (2 * 1024 * 1024)
#define HAVEN_CSV_MAX_COLUMNS 1000

/* A CSV file read a row at a time through a buffer of its own, so that
 * reading one takes the same memory whatever its size. */
typedef struct _CsvReader CsvReader;

CsvReader          *haven_csv_reader_open        (const char    *path,
                                                  const char    *label,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
void                haven_csv_reader_free        (CsvReader     *reader);
gboolean            haven_csv_reader_next        (CsvReader     *reader,
                                                  GError       **error);
const char         *haven_csv_reader_get_label   (CsvReader     *reader);
const char * const *haven_csv_reader_get_header  (CsvReader     *reader);
int                 haven_csv_reader_column      (CsvReader     *reader,
                                                  const char    *name);
guint               haven_csv_reader_get_line    (CsvReader     *reader);
const char         *haven_csv_reader_get_value   (CsvReader     *reader,
                                                  int            column);
const char         *haven_csv_reader_get_fields  (CsvReader     *reader,
                                                  gsize         *length);
const char         *haven_csv_reader_get_problem (CsvReader     *reader,
                                                  guint         *line);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsvReader, haven_csv_reader_free)

G_END_DECLS
