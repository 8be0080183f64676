/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "haven-directory.h"
#include "haven-directory-layout.h"

G_BEGIN_DECLS

/* What the opening of a directory (haven-directory.c) and the searching of
 * it (haven-directory-search.c) share. Nothing else uses it. */


struct _HavenDirectory
{
  GObject parent_instance;

  GTimeZone *zone;
  char *path;
  char *categories_path;

  /* Guards the connection, its statements and the schedules parsed on
   * demand: searches may run in several threads at once. Everything else
   * is read-only once open. */
  GMutex lock;
  sqlite3 *db;
  sqlite3_stmt *match;
  sqlite3_stmt *details;
  sqlite3_stmt *words;
  /* The index's own tokenizer, so that what is typed is cut into words,
   * lowercased and stripped of accents exactly as the index was. */
  fts5_tokenizer tokenizer_class;
  Fts5Tokenizer *tokenizer;

  /* What searches need (haven-directory-layout.h), read from the
   * directory's search_data when it is opened: Facets, indexed by the
   * service's place in search_order (0 is unused). */
  GArray *facets;
  /* The services' opening hours, each different one once, by number:
   * NULL until a search first needs one, and made then, under the lock,
   * from its rows (schedule_starts, schedule_rows) and the rules they
   * name. */
  GPtrArray *schedules;
  GArray *schedule_starts;
  GArray *schedule_rows;
  GPtrArray *schedule_rules;
  /* Place in search_order -> services.id, which is the import order, and
   * back (the full-text index holds services.id). */
  GArray *service_ids;
  GArray *numbers;
  GArray *region_ids;
  GArray *language_ids;
  GHashTable *region_codes;
  GHashTable *language_codes;
  /* The places of the services that name each region, in order, from
   * region_starts[id] to region_starts[id + 1]: a visitor browsing
   * without text needs only the services of the kiosk's region. */
  GArray *region_starts;
  GArray *region_services;
  /* Partition code -> id, as numbered in the full-text index. */
  GHashTable *partitions;
  /* The search in progress, for the ranking function; set under lock. */
  gpointer search;
  guint n_terms;
  guint n_mapped_terms;
  guint n_with_hours;
};

gboolean haven_directory_database_error (HavenDirectory  *self,
                                         GError         **error);
gboolean haven_directory_prepare_search (HavenDirectory  *self,
                                         GError         **error);

G_END_DECLS
