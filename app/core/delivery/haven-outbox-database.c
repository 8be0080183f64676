/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-outbox"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "haven-outbox-private.h"

/* The outbox's SQLite database: the file, made private before SQLite
 * opens it, the settings a commit relies on (WAL, synchronous FULL), the
 * schema and its version, and the few statements every queue operation is
 * made of. What the rows mean is haven-outbox.c's business. */

/* 1: the first. 2: a failed entry keeps the backend's HTTP status and field
 * errors, for the operator's export (migrate_1_to_2). 3: each entry keeps
 * the Haven-Envelope header made when it was queued, sent with its body
 * (migrate_2_to_3). */
#define SCHEMA_VERSION 3
#define BUSY_TIMEOUT_MS 5000

static const char schema_sql[] =
  "CREATE TABLE entries ("
  "  id INTEGER PRIMARY KEY,"
  "  request_id TEXT NOT NULL UNIQUE,"
  "  kind TEXT NOT NULL CHECK (kind IN ('removal', 'report')),"
  "  state TEXT NOT NULL"
  "    CHECK (state IN ('queued', 'sending', 'delivered', 'failed')),"
  "  sealed INTEGER NOT NULL,"
  "  body_size INTEGER NOT NULL,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL,"
  "  next_attempt_at INTEGER NOT NULL,"
  "  last_attempt_at INTEGER NOT NULL DEFAULT 0,"
  "  finished_at INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  case_reference TEXT,"
  "  http_status INTEGER NOT NULL DEFAULT 0,"
  "  error_fields TEXT,"
  "  envelope TEXT"
  ") STRICT;"
  "CREATE INDEX entries_due ON entries (state, next_attempt_at);"
  "CREATE INDEX entries_finished ON entries (state, finished_at);"
  /* Apart from the entries so that listing and the size sum never read a
   * body, and so that deleting one is deleting a row. */
  "CREATE TABLE bodies ("
  "  entry_id INTEGER PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,"
  "  body BLOB NOT NULL"
  ") STRICT;";

/* An outbox of version 1, as a kiosk updated from it has it: its entries
 * keep their rows; a failed one has no status or field errors to show
 * (0 and NULL). */
static const char migrate_1_to_2_sql[] =
  "ALTER TABLE entries ADD COLUMN http_status INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE entries ADD COLUMN error_fields TEXT;"
  "CREATE INDEX entries_finished ON entries (state, finished_at);";

/* An outbox of version 2: its entries were sealed before the kiosk made
 * envelopes, and the kiosk cannot open them to make one now; they go
 * without the header (NULL), and a server that holds the key files them
 * by their body. */
static const char migrate_2_to_3_sql[] =
  "ALTER TABLE entries ADD COLUMN envelope TEXT;";

/* Errors. */

void
haven_outbox_set_database_error (GError     **error,
                                 sqlite3     *db,
                                 int          rc)
{
  /* A full disk is the one failure the visitor is told about in its own
   * words; the rest are for the operator, and SQLite's messages name
   * tables and columns, never the values in them. */
  if ((rc & 0xff) == SQLITE_FULL)
    g_set_error_literal (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_DISK_FULL,
                         _("The disk is full, so the request could not be saved"));
  else
    g_set_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_FAILED,
                 _("The outbox could not be updated: %s"),
                 db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
}

/* Statements. */

gboolean
haven_outbox_exec (HavenOutbox  *self,
                   const char   *sql,
                   GError      **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      haven_outbox_set_database_error (error, self->db, rc);
      return FALSE;
    }

  return TRUE;
}

sqlite3_stmt *
haven_outbox_prepare (HavenOutbox  *self,
                      const char   *sql,
                      GError      **error)
{
  sqlite3_stmt *statement = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &statement, NULL);

  if (rc != SQLITE_OK)
    {
      haven_outbox_set_database_error (error, self->db, rc);
      return NULL;
    }

  return statement;
}

/* Runs a statement that returns no rows. */
gboolean
haven_outbox_step_done (HavenOutbox   *self,
                        sqlite3_stmt  *statement,
                        GError       **error)
{
  int rc = sqlite3_step (statement);

  if (rc != SQLITE_DONE)
    {
      haven_outbox_set_database_error (error, self->db, rc);
      return FALSE;
    }

  return TRUE;
}

gboolean
haven_outbox_begin (HavenOutbox  *self,
                    GError      **error)
{
  /* IMMEDIATE takes the write lock at once, so that a check made inside
   * the transaction (the size cap, the state) still holds at COMMIT. */
  return haven_outbox_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
haven_outbox_commit (HavenOutbox  *self,
                     GError      **error)
{
  return haven_outbox_exec (self, "COMMIT", error);
}

/* After a failure: SQLite may or may not have rolled back already. */
void
haven_outbox_rollback (HavenOutbox *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* NORMAL, in WAL mode, appends the commit to the log without syncing it;
 * the next FULL commit or checkpoint syncs it with everything before it.
 * Checkpoints still sync under NORMAL, so the file is never left
 * inconsistent, only without this transaction after a power cut. Set and
 * reset outside the transaction, while the caller holds the lock. */
gboolean
haven_outbox_begin_unsynced (HavenOutbox  *self,
                             GError      **error)
{
  if (!haven_outbox_exec (self, "PRAGMA synchronous = NORMAL", error))
    return FALSE;

  if (haven_outbox_begin (self, error))
    return TRUE;

  sqlite3_exec (self->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
  return FALSE;
}

gboolean
haven_outbox_commit_unsynced (HavenOutbox  *self,
                              GError      **error)
{
  gboolean committed = haven_outbox_commit (self, error);
  int rc = sqlite3_exec (self->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);

  /* Cannot fail without I/O; said loudly if it ever does, since every
   * later commit would then be unsynced too. */
  if (rc != SQLITE_OK)
    g_critical ("The outbox cannot go back to synchronous commits: %s", sqlite3_errstr (rc));

  return committed;
}

void
haven_outbox_rollback_unsynced (HavenOutbox *self)
{
  haven_outbox_rollback (self);
  sqlite3_exec (self->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
}

/* Copies the remaining WAL back and truncates it, so that a body deleted a
 * moment ago is no longer in either file. Best effort: a reader in another
 * process can hold it off, and then the next one does it. */
void
haven_outbox_checkpoint (HavenOutbox *self)
{
  int rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);

  if (rc != SQLITE_OK)
    g_debug ("Checkpoint postponed: %s", sqlite3_errstr (rc));
}

/* Opening. */

/* SQLite creates its -wal and -shm files with the mode of the database
 * file, so making that one private first makes all three private. */
static gboolean
create_private_file (const char  *path,
                     GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  int fd;

  if (!g_file_test (folder, G_FILE_TEST_IS_DIR) &&
      g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("The folder %s cannot be made: %s"), folder, g_strerror (saved_errno));
      return FALSE;
    }

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || fchmod (fd, 0600) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("The outbox %s cannot be opened: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  close (fd);
  return TRUE;
}

/* Runs @sql, a query with at least one row (a PRAGMA), and returns it
 * stepped to that row. */
static sqlite3_stmt *
query_first_row (HavenOutbox  *self,
                 const char   *sql,
                 GError      **error)
{
  g_autoptr(sqlite3_stmt) statement = haven_outbox_prepare (self, sql, error);
  int rc;

  if (statement == NULL)
    return NULL;

  rc = sqlite3_step (statement);
  if (rc != SQLITE_ROW)
    {
      haven_outbox_set_database_error (error, self->db, rc);
      return NULL;
    }

  return g_steal_pointer (&statement);
}

gboolean
haven_outbox_query_int (HavenOutbox    *self,
                        const char     *sql,
                        sqlite3_int64  *value,
                        GError        **error)
{
  g_autoptr(sqlite3_stmt) statement = query_first_row (self, sql, error);

  if (statement == NULL)
    return FALSE;

  *value = sqlite3_column_int64 (statement, 0);
  return TRUE;
}

static gboolean
set_up_schema (HavenOutbox  *self,
               GError      **error)
{
  g_autofree char *set_version = NULL;
  sqlite3_int64 version = 0;

  if (!haven_outbox_begin (self, error))
    return FALSE;

  /* Read inside the transaction: two processes opening a new file at
   * once must not both create the tables. */
  if (!haven_outbox_query_int (self, "PRAGMA user_version", &version, error))
    goto failed;

  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_TOO_NEW,
                   _("The outbox %s was made by a newer version of Haven"), self->path);
      goto failed;
    }

  /* Created or migrated in the same transaction that sets the version, so
   * a crash leaves the file as it was or as it is to be. */
  set_version = g_strdup_printf ("PRAGMA user_version = %d", SCHEMA_VERSION);
  if (version == 0)
    {
      if (!haven_outbox_exec (self, schema_sql, error) ||
          !haven_outbox_exec (self, set_version, error))
        goto failed;
    }
  else if (version < SCHEMA_VERSION)
    {
      if ((version < 2 && !haven_outbox_exec (self, migrate_1_to_2_sql, error)) ||
          (version < 3 && !haven_outbox_exec (self, migrate_2_to_3_sql, error)) ||
          !haven_outbox_exec (self, set_version, error))
        goto failed;
    }

  /* See the top of haven-outbox.c: a crash while sending leaves 'sending'. */
  if (!haven_outbox_exec (self, "UPDATE entries SET state = 'queued' WHERE state = 'sending'",
                          error))
    goto failed;

  return haven_outbox_commit (self, error);

failed:
  haven_outbox_rollback (self);
  return FALSE;
}

gboolean
haven_outbox_open_database (HavenOutbox  *self,
                            GError      **error)
{
  g_autofree char *journal_mode = NULL;
  int rc;

  if (!create_private_file (self->path, error))
    return FALSE;

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_FAILED,
                   _("The outbox %s cannot be opened: %s"), self->path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return FALSE;
    }

  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  {
    g_autoptr(sqlite3_stmt) statement = query_first_row (self, "PRAGMA journal_mode = WAL",
                                                         error);

    if (statement == NULL)
      return FALSE;
    journal_mode = g_strdup ((const char *) sqlite3_column_text (statement, 0));
  }

  /* Without WAL a commit is not what this file promises; better to stop
   * than to queue requests that a crash could lose. */
  if (g_strcmp0 (journal_mode, "wal") != 0)
    {
      g_set_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_FAILED,
                   _("The outbox %s cannot use write-ahead logging"), self->path);
      return FALSE;
    }

  /* FULL rather than WAL's usual NORMAL: a commit is then on disk before
   * the visitor is told their request is kept, even through a power cut. */
  if (!haven_outbox_exec (self, "PRAGMA synchronous = FULL", error) ||
      !haven_outbox_exec (self, "PRAGMA foreign_keys = ON", error) ||
      !haven_outbox_exec (self, "PRAGMA secure_delete = ON", error))
    return FALSE;

  return set_up_schema (self, error);
}
