/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The columns of the full-text index, in its order. */
enum {
  FTS_NAME,
  FTS_ORGANIZATION,
  FTS_OTHER_NAMES,
  FTS_DESCRIPTION,
  FTS_TERMS,
  N_FTS_COLUMNS,
};

/* A checked record, ready to store: what the database needs of it, copied
 * out of the buffers the checking reuses, so that one thread can read and
 * check records while another writes them. */
typedef struct {
  char *id;
  char *name;
  char *organization_key;
  char *organization_name;
  char *schedule;
  char *details;
  char *fts[N_FTS_COLUMNS];
  GStrv regions;
  GStrv languages;
  GStrv terms;
  guint flags;
} Prepared;

typedef struct _HavenDirectoryWriter HavenDirectoryWriter;

void                  haven_prepared_free                        (Prepared              *prepared);

HavenDirectoryWriter *haven_directory_writer_new                 (const char            *path,
                                                                  GTimer                *timer,
                                                                  GError               **error);
void                  haven_directory_writer_free                (HavenDirectoryWriter  *writer);
void                  haven_directory_writer_store               (HavenDirectoryWriter  *writer,
                                                                  Prepared              *prepared);
void                  haven_directory_writer_deliver             (HavenDirectoryWriter  *writer,
                                                                  Prepared              *prepared);
void                  haven_directory_writer_store_beside        (HavenDirectoryWriter  *writer,
                                                                  GThreadFunc            produce,
                                                                  gpointer               data);
const char           *haven_directory_writer_get_failure         (HavenDirectoryWriter  *writer);
guint                 haven_directory_writer_get_n_services      (HavenDirectoryWriter  *writer);
guint                 haven_directory_writer_get_n_organizations (HavenDirectoryWriter  *writer);
gboolean              haven_directory_writer_finish              (HavenDirectoryWriter  *writer,
                                                                  const char            *source,
                                                                  const char            *format,
                                                                  GError               **error);
gboolean              haven_directory_writer_replace             (const char            *temporary,
                                                                  const char            *target,
                                                                  const char            *folder,
                                                                  GError               **error);

G_END_DECLS
