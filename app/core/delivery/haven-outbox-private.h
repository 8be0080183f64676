/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "haven-outbox.h"
#include "haven-sealed-box.h"

G_BEGIN_DECLS

/* For tests: stops the database file growing past @max_page_count pages
 * (SQLite clamps it to the current size), the way a full disk would. */
void haven_outbox_set_max_page_count (HavenOutbox *self,
                                      guint        max_page_count);

/* What only the files of HavenOutbox share: haven-outbox.c (the queue)
 * and haven-outbox-database.c (the SQLite file, its schema and the
 * statements the queue is made of). */

struct _HavenOutbox
{
  GObject parent_instance;

  /* Every use of the connection holds the lock: one connection is shared
   * by the caller's thread and the enqueue workers, and a transaction must
   * not interleave with another's statements. */
  GMutex lock;
  sqlite3 *db;

  char *path;
  guint64 max_bytes;
  gboolean sealing;
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  gboolean allow_unsealed;
  /* Why the sealing key cannot be used, or NULL: nothing is stored then. */
  char *key_problem;
  GTimeSpan failed_retention;

  /* From haven_outbox_new_from_settings(): followed while it lives. */
  GSettings *settings;
  gulong settings_changed_id;
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Makes the file private, opens it in WAL mode with synchronous FULL,
 * and creates or checks the schema. */
gboolean      haven_outbox_open_database      (HavenOutbox   *self,
                                               GError       **error);

void          haven_outbox_set_database_error (GError       **error,
                                               sqlite3       *db,
                                               int            rc);
gboolean      haven_outbox_exec               (HavenOutbox   *self,
                                               const char    *sql,
                                               GError       **error);
sqlite3_stmt *haven_outbox_prepare            (HavenOutbox   *self,
                                               const char    *sql,
                                               GError       **error);
/* The first column of the first row of @sql, a query with a row. */
gboolean      haven_outbox_query_int          (HavenOutbox   *self,
                                               const char    *sql,
                                               sqlite3_int64 *value,
                                               GError       **error);
/* Runs a statement that returns no rows. */
gboolean      haven_outbox_step_done          (HavenOutbox   *self,
                                               sqlite3_stmt  *statement,
                                               GError       **error);
/* BEGIN IMMEDIATE. */
gboolean      haven_outbox_begin              (HavenOutbox   *self,
                                               GError       **error);
gboolean      haven_outbox_commit             (HavenOutbox   *self,
                                               GError       **error);
/* After a failure: SQLite may or may not have rolled back already. */
void          haven_outbox_rollback           (HavenOutbox   *self);
/* The same three for a transaction whose commit need not wait for the
 * disk (synchronous=NORMAL): claims, which a power cut may undo safely. */
gboolean      haven_outbox_begin_unsynced     (HavenOutbox   *self,
                                               GError       **error);
gboolean      haven_outbox_commit_unsynced    (HavenOutbox   *self,
                                               GError       **error);
void          haven_outbox_rollback_unsynced  (HavenOutbox   *self);
/* Empties the WAL into the database file, best effort. */
void          haven_outbox_checkpoint         (HavenOutbox   *self);

G_END_DECLS
