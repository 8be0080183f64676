/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "haven-receiver-store.h"

/* The receiver's SQLite database. It will hold every submission the
 * receiver accepted, keyed by request_id, so that a repeated
 * Idempotency-Key gets the first answer again (API.md, "Exactly once").
 * The bodies are what visitors wrote: the file is made readable by its
 * owner only, and nothing here ever logs a body. */

struct _HavenReceiverStore
{
  GObject parent_instance;

  sqlite3 *db;

  char *path;
  int schema_version;
};

G_DEFINE_FINAL_TYPE (HavenReceiverStore, haven_receiver_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-receiver-store-error-quark, haven_receiver_store_error)

/* One entry per schema version: migrations[i] takes a database from
 * version i to version i + 1, in one transaction. Released entries are
 * never edited; a change of schema is a new entry. */
static const char * const migrations[] = {
  /* 1: the requests table. body is the request as received (JSON, or a
   * sealed box), byte for byte, so a repeat can be compared with it;
   * received_at is UTC in ISO 8601. */
  "CREATE TABLE requests ("
  "  request_id     TEXT NOT NULL PRIMARY KEY,"
  "  kind           TEXT NOT NULL CHECK (kind IN ('removal-request', 'report')),"
  "  body           BLOB NOT NULL,"
  "  case_reference TEXT NOT NULL UNIQUE,"
  "  status         TEXT NOT NULL,"
  "  received_at    TEXT NOT NULL"
  ") STRICT;"
  "CREATE INDEX requests_received_at ON requests (received_at);",
};

static void
haven_receiver_store_finalize (GObject *object)
{
  HavenReceiverStore *self = HAVEN_RECEIVER_STORE (object);

  /* sqlite3_close_v2() defers the close until the last statement is
   * finalised, so a forgotten statement cannot leave the file open. */
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (haven_receiver_store_parent_class)->finalize (object);
}

static void
haven_receiver_store_class_init (HavenReceiverStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_receiver_store_finalize;
}

static void
haven_receiver_store_init (HavenReceiverStore *self)
{
}

static gboolean
set_sql_error (HavenReceiverStore  *self,
               GError             **error)
{
  g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_SQL,
               _("Database %s: %s"), self->path, sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec (HavenReceiverStore  *self,
      const char          *sql,
      GError             **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sql_error (self, error);

  return TRUE;
}

/* Runs a statement that answers with one row of one column, as the
 * PRAGMAs below do. */
static gboolean
query_text (HavenReceiverStore  *self,
            const char          *sql,
            char               **text,
            GError             **error)
{
  sqlite3_stmt *statement = NULL;
  gboolean ok = FALSE;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &statement, NULL) != SQLITE_OK)
    return set_sql_error (self, error);

  if (sqlite3_step (statement) == SQLITE_ROW)
    {
      *text = g_strdup ((const char *) sqlite3_column_text (statement, 0));
      ok = TRUE;
    }
  else
    {
      set_sql_error (self, error);
    }

  sqlite3_finalize (statement);
  return ok;
}

static gboolean
query_int (HavenReceiverStore  *self,
           const char          *sql,
           int                 *value,
           GError             **error)
{
  g_autofree char *text = NULL;

  if (!query_text (self, sql, &text, error))
    return FALSE;

  *value = text != NULL ? (int) g_ascii_strtoll (text, NULL, 10) : 0;
  return TRUE;
}

static gboolean
migrate (HavenReceiverStore  *self,
         GError             **error)
{
  int version = 0;

  /* IMMEDIATE takes the write lock now, so two receivers started on the
   * same file cannot both decide to create the schema. */
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!query_int (self, "PRAGMA user_version", &version, error))
    goto fail;

  if (version > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_NEWER_SCHEMA,
                   _("Database %s has schema version %d, but this haven-receiver knows "
                     "only versions up to %d; use a newer haven-receiver"),
                   self->path, version, (int) G_N_ELEMENTS (migrations));
      goto fail;
    }

  for (; version < (int) G_N_ELEMENTS (migrations); version++)
    {
      g_autofree char *set_version = NULL;

      if (!exec (self, migrations[version], error))
        goto fail;

      set_version = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      if (!exec (self, set_version, error))
        goto fail;
    }

  if (!exec (self, "COMMIT", error))
    goto fail;

  self->schema_version = version;
  return TRUE;

fail:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/**
 * haven_receiver_store_open:
 * @path: the database file; created (readable by its owner only) when
 *   missing
 *
 * Opens the database in WAL mode with synchronous=FULL, so an answer the
 * receiver has sent is never lost to a crash, and brings its schema up to
 * date.
 */
HavenReceiverStore *
haven_receiver_store_open (const char  *path,
                           GError     **error)
{
  g_autoptr(HavenReceiverStore) self = NULL;
  g_autofree char *journal_mode = NULL;
  int fd;
  int status;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HAVEN_TYPE_RECEIVER_STORE, NULL);
  self->path = g_strdup (path);

  /* SQLite would create the file with the umask's permissions, and gives
   * its -wal and -shm files the permissions of the database, so create it
   * private first. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_OPEN,
                   _("Database %s cannot be opened: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  g_close (fd, NULL);

  status = sqlite3_open_v2 (path, &self->db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
                            NULL);
  if (status != SQLITE_OK)
    {
      g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_OPEN,
                   _("Database %s cannot be opened: %s"), path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (status));
      return NULL;
    }

  sqlite3_busy_timeout (self->db, 5000);

  /* journal_mode answers with the mode in force, which stays "delete" when
   * WAL cannot be used (a network file system, for one). */
  if (!query_text (self, "PRAGMA journal_mode = WAL", &journal_mode, error))
    return NULL;
  if (journal_mode == NULL || g_ascii_strcasecmp (journal_mode, "wal") != 0)
    {
      g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_OPEN,
                   _("Database %s cannot use write-ahead logging (journal mode is %s)"),
                   path, journal_mode);
      return NULL;
    }

  if (!exec (self, "PRAGMA synchronous = FULL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error) ||
      !migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
haven_receiver_store_get_path (HavenReceiverStore *self)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), NULL);

  return self->path;
}

int
haven_receiver_store_get_schema_version (HavenReceiverStore *self)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), 0);

  return self->schema_version;
}
