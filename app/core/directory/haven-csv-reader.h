/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The rows of a CSV file, each with the line it starts on. */
typedef struct {
  guint line;
  GStrv fields;
} CsvRow;

typedef struct {
  char *label;
  GStrv header;
  GArray *rows;
  /* What is wrong with the file, when reading it stopped early, and on
   * which line (0 for the whole file). */
  char *problem;
  guint problem_line;
} CsvTable;

CsvTable   *haven_csv_table_load (const char    *path,
                                  const char    *label,
                                  GError       **error);
void        haven_csv_table_free (CsvTable      *table);
int         haven_csv_column     (CsvTable      *table,
                                  const char    *name);
const char *haven_csv_value      (CsvTable      *table,
                                  const CsvRow  *row,
                                  int            column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsvTable, haven_csv_table_free)

G_END_DECLS
