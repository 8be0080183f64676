/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "haven-receiver-sqlite-store.h"

/* The receiver's store in one SQLite file, for one machine (and for the
 * demo). Several receiver processes may share the file: each
 * read-then-write step is one BEGIN IMMEDIATE transaction, which SQLite
 * serialises between processes, with a busy timeout to wait its turn.
 * Within a process, one connection serves every thread under a mutex:
 * SQLite writes one transaction at a time anyway, so more connections
 * would only wait on each other's file lock. The file holds what visitors
 * wrote, so it is its owner's alone: created 0600, and refused when
 * others may read or write it. */

struct _HavenReceiverSqliteStore
{
  HavenReceiverStore parent_instance;

  /* Guards db: a transaction is a sequence of calls on it. */
  GMutex lock;
  sqlite3 *db;

  char *path;
};

G_DEFINE_FINAL_TYPE (HavenReceiverSqliteStore, haven_receiver_sqlite_store,
                     HAVEN_TYPE_RECEIVER_STORE)

/* How long a statement waits for another process's write lock. */
#define BUSY_TIMEOUT_MS 5000

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

  /* 2: idempotency keys (the IETF httpapi Idempotency-Key draft). A key is
   * claimed "in-flight" in its own committed transaction before the request
   * is processed, so a concurrent repeat sees it and gets 409; it becomes
   * "done" in the transaction that stores the request, together with the
   * answer that every later repeat gets again. body_sha256 is the SHA-256
   * (hex) of the JSON, opened first when it came sealed: a sealed box is
   * different each time even for the same JSON. started_at is in Unix
   * seconds, so a claim left by a receiver that died can be recognised as
   * stale. From this version on, requests.body holds that JSON too: the
   * receiver stands for the backend, which has to read it. Version 1 stored
   * no requests, so there is nothing to carry over. */
  "CREATE TABLE idempotency_keys ("
  "  key             TEXT NOT NULL PRIMARY KEY,"
  "  kind            TEXT NOT NULL CHECK (kind IN ('removal-request', 'report')),"
  "  body_sha256     TEXT NOT NULL,"
  "  state           TEXT NOT NULL CHECK (state IN ('in-flight', 'done')),"
  "  started_at      INTEGER NOT NULL,"
  "  response_status INTEGER,"
  "  response_body   TEXT,"
  "  CHECK ((state = 'done') = (response_status IS NOT NULL AND response_body IS NOT NULL))"
  ") STRICT;"
  "CREATE INDEX idempotency_keys_in_flight ON idempotency_keys (started_at)"
  "  WHERE state = 'in-flight';",

  /* 3: a removal request's kind is "removal", as the core and the outbox
   * call it (haven_request_kind_to_string), not "removal-request". A
   * CHECK constraint cannot be altered in SQLite, so both tables are
   * copied into new ones with the new names. */
  "CREATE TABLE requests_v3 ("
  "  request_id     TEXT NOT NULL PRIMARY KEY,"
  "  kind           TEXT NOT NULL CHECK (kind IN ('removal', 'report')),"
  "  body           BLOB NOT NULL,"
  "  case_reference TEXT NOT NULL UNIQUE,"
  "  status         TEXT NOT NULL,"
  "  received_at    TEXT NOT NULL"
  ") STRICT;"
  "INSERT INTO requests_v3 SELECT request_id,"
  "  CASE kind WHEN 'removal-request' THEN 'removal' ELSE kind END,"
  "  body, case_reference, status, received_at FROM requests;"
  "DROP TABLE requests;"
  "ALTER TABLE requests_v3 RENAME TO requests;"
  "CREATE INDEX requests_received_at ON requests (received_at);"
  "CREATE TABLE idempotency_keys_v3 ("
  "  key             TEXT NOT NULL PRIMARY KEY,"
  "  kind            TEXT NOT NULL CHECK (kind IN ('removal', 'report')),"
  "  body_sha256     TEXT NOT NULL,"
  "  state           TEXT NOT NULL CHECK (state IN ('in-flight', 'done')),"
  "  started_at      INTEGER NOT NULL,"
  "  response_status INTEGER,"
  "  response_body   TEXT,"
  "  CHECK ((state = 'done') = (response_status IS NOT NULL AND response_body IS NOT NULL))"
  ") STRICT;"
  "INSERT INTO idempotency_keys_v3 SELECT key,"
  "  CASE kind WHEN 'removal-request' THEN 'removal' ELSE kind END,"
  "  body_sha256, state, started_at, response_status, response_body FROM idempotency_keys;"
  "DROP TABLE idempotency_keys;"
  "ALTER TABLE idempotency_keys_v3 RENAME TO idempotency_keys;"
  "CREATE INDEX idempotency_keys_in_flight ON idempotency_keys (started_at)"
  "  WHERE state = 'in-flight';",

  /* 4: idempotency keys belong to the client that sent them, and a claim
   * names the receiver instance that holds it. A body is now stored as
   * received, sealed or not (sealed says which), beside the envelope's
   * columns that a receiver without the key may know (haven-api-v1.md);
   * body_sha256 is over the bytes as received. The rows before this
   * version were all JSON from anonymous clients, which the defaults say;
   * their envelope columns stay NULL. */
  "ALTER TABLE requests ADD COLUMN client_id TEXT NOT NULL DEFAULT 'anonymous';"
  "ALTER TABLE requests ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0 CHECK (sealed IN (0, 1));"
  "ALTER TABLE requests ADD COLUMN category TEXT;"
  "ALTER TABLE requests ADD COLUMN locale TEXT;"
  "ALTER TABLE requests ADD COLUMN kiosk_id TEXT;"
  "ALTER TABLE requests ADD COLUMN child_involved INTEGER CHECK (child_involved IN (0, 1));"
  "ALTER TABLE requests ADD COLUMN created_at TEXT;"
  "ALTER TABLE idempotency_keys ADD COLUMN client_id TEXT NOT NULL DEFAULT 'anonymous';"
  "ALTER TABLE idempotency_keys ADD COLUMN claimed_by TEXT;",

  /* 5: the caseworker API (haven-caseworker-api-v1.md). Credentials are
   * kept by the SHA-256 (hex) of their token only. A case's state lives on
   * its request row; every change to a case is a row of case_events, made
   * once per actor and Idempotency-Key (request_sha256 tells a repeat from
   * another body under the same key). audit_log is append-only: triggers
   * refuse UPDATE and DELETE, and each row's row_hash is the SHA-256 of its
   * canonical text and the previous row's hash, so a row changed or removed
   * behind the receiver's back breaks the chain. Times are UTC text with
   * microseconds, as the store writes them. */
  "CREATE TABLE credentials ("
  "  name         TEXT NOT NULL PRIMARY KEY,"
  "  role         TEXT NOT NULL CHECK (role IN ('kiosk', 'caseworker')),"
  "  token_sha256 TEXT NOT NULL UNIQUE,"
  "  issued_at    TEXT NOT NULL,"
  "  revoked_at   TEXT"
  ") STRICT;"
  "ALTER TABLE requests ADD COLUMN state TEXT NOT NULL DEFAULT 'received'"
  "  CHECK (state IN ('received', 'open', 'waiting', 'closed'));"
  "ALTER TABLE requests ADD COLUMN updated_at TEXT;"
  "ALTER TABLE requests ADD COLUMN closed_at TEXT;"
  "CREATE INDEX requests_cases ON requests (received_at, case_reference);"
  "CREATE TABLE case_events ("
  "  id                 INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  case_reference     TEXT NOT NULL REFERENCES requests (case_reference),"
  "  actor              TEXT NOT NULL,"
  "  idempotency_key    TEXT NOT NULL,"
  "  request_sha256     TEXT NOT NULL,"
  "  type               TEXT NOT NULL CHECK (type IN ('state', 'note', 'item-outcome')),"
  "  state              TEXT CHECK (state IN ('received', 'open', 'waiting', 'closed')),"
  "  sealed_note        TEXT,"
  "  item               INTEGER,"
  "  outcome            TEXT,"
  "  platform_reference TEXT,"
  "  at                 TEXT NOT NULL,"
  "  UNIQUE (actor, idempotency_key)"
  ") STRICT;"
  "CREATE INDEX case_events_case ON case_events (case_reference, id);"
  "CREATE TABLE audit_log ("
  "  id             INTEGER NOT NULL PRIMARY KEY,"
  "  at             TEXT NOT NULL,"
  "  actor          TEXT NOT NULL,"
  "  role           TEXT NOT NULL,"
  "  action         TEXT NOT NULL,"
  "  case_reference TEXT,"
  "  remote         TEXT NOT NULL,"
  "  status         INTEGER NOT NULL,"
  "  prev_hash      TEXT NOT NULL,"
  "  row_hash       TEXT NOT NULL"
  ") STRICT;"
  "CREATE INDEX audit_log_case ON audit_log (case_reference, id);"
  "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
  "  BEGIN SELECT RAISE (ABORT, 'audit_log is append-only'); END;"
  "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
  "  BEGIN SELECT RAISE (ABORT, 'audit_log is append-only'); END;",

  /* 6: retention and fleet status. A body may now be destroyed: NULL,
   * with body_destroyed_at saying when; everything else about the case
   * stays. NOT NULL cannot be dropped from a column in SQLite, so the
   * table is copied into a new one, with foreign keys off (see migrate()),
   * as SQLite's ALTER TABLE documentation says: the case events that name
   * a case still do once the copy has the old name.
   * kiosk_status keeps each kiosk's latest report (haven-api-v1.md,
   * "Fleet status"): the report as validated, its queued count beside it
   * for the listing's "backed up", and when (Unix seconds of the
   * receiver's clock) and from which client it came. */
  "CREATE TABLE requests_v6 ("
  "  request_id        TEXT NOT NULL PRIMARY KEY,"
  "  kind              TEXT NOT NULL CHECK (kind IN ('removal', 'report')),"
  "  body              BLOB,"
  "  case_reference    TEXT NOT NULL UNIQUE,"
  "  status            TEXT NOT NULL,"
  "  received_at       TEXT NOT NULL,"
  "  client_id         TEXT NOT NULL DEFAULT 'anonymous',"
  "  sealed            INTEGER NOT NULL DEFAULT 0 CHECK (sealed IN (0, 1)),"
  "  category          TEXT,"
  "  locale            TEXT,"
  "  kiosk_id          TEXT,"
  "  child_involved    INTEGER CHECK (child_involved IN (0, 1)),"
  "  created_at        TEXT,"
  "  state             TEXT NOT NULL DEFAULT 'received'"
  "    CHECK (state IN ('received', 'open', 'waiting', 'closed')),"
  "  updated_at        TEXT,"
  "  closed_at         TEXT,"
  "  body_destroyed_at TEXT,"
  "  CHECK ((body IS NULL) = (body_destroyed_at IS NOT NULL))"
  ") STRICT;"
  "INSERT INTO requests_v6 (request_id, kind, body, case_reference, status, received_at,"
  "  client_id, sealed, category, locale, kiosk_id, child_involved, created_at, state,"
  "  updated_at, closed_at)"
  "  SELECT request_id, kind, body, case_reference, status, received_at, client_id, sealed,"
  "  category, locale, kiosk_id, child_involved, created_at, state, updated_at, closed_at"
  "  FROM requests;"
  "DROP TABLE requests;"
  "ALTER TABLE requests_v6 RENAME TO requests;"
  "CREATE INDEX requests_received_at ON requests (received_at);"
  "CREATE INDEX requests_cases ON requests (received_at, case_reference);"
  "CREATE INDEX requests_closed_at ON requests (closed_at) WHERE closed_at IS NOT NULL;"
  "CREATE TABLE kiosk_status ("
  "  kiosk_id      TEXT NOT NULL PRIMARY KEY,"
  "  report        TEXT NOT NULL,"
  "  queued        INTEGER NOT NULL,"
  "  received_at   INTEGER NOT NULL,"
  "  received_from TEXT NOT NULL"
  ") STRICT;",

  /* 7: the notice report. An item outcome may say where the item is
   * hosted (a platform id or a host name); the events before this
   * version said nothing, and the report counts them as unrecorded. */
  "ALTER TABLE case_events ADD COLUMN hosting_provider TEXT;",
};

static gboolean
set_sql_error (HavenReceiverSqliteStore  *self,
               GError                   **error)
{
  g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_SQL,
               _("Database %s: %s"), self->path, sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec (HavenReceiverSqliteStore  *self,
      const char                *sql,
      GError                   **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sql_error (self, error);

  return TRUE;
}

/* Runs a statement that answers with one row of one column, as the
 * PRAGMAs below do. */
static gboolean
query_text (HavenReceiverSqliteStore  *self,
            const char                *sql,
            char                     **text,
            GError                   **error)
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
query_int (HavenReceiverSqliteStore  *self,
           const char                *sql,
           int                       *value,
           GError                   **error)
{
  g_autofree char *text = NULL;

  if (!query_text (self, sql, &text, error))
    return FALSE;

  *value = text != NULL ? (int) g_ascii_strtoll (text, NULL, 10) : 0;
  return TRUE;
}

static void
rollback (HavenReceiverSqliteStore *self)
{
  /* Harmless when no transaction is open, and a failed ROLLBACK leaves
   * nothing more to undo. */
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
migrate (HavenReceiverSqliteStore  *self,
         GError                   **error)
{
  g_autofree char *violations = NULL;
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

  /* Migrations run with foreign keys off, so that a table others refer to
   * can be copied and replaced; what they leave must still hold. */
  if (!query_text (self, "SELECT count(*) FROM pragma_foreign_key_check", &violations, error))
    goto fail;
  if (g_strcmp0 (violations, "0") != 0)
    {
      g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_SQL,
                   _("Database %s: bringing the schema up to date broke %s references "
                     "between its tables"), self->path, violations);
      goto fail;
    }

  if (!exec (self, "COMMIT", error))
    goto fail;

  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

/* The file and its -wal and -shm companions, when they exist, must be the
 * receiver's own and closed to everyone else: they hold what visitors
 * wrote. The message says how to put it right. */
static gboolean
check_private (const char  *path,
               GError     **error)
{
  const char * const suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      struct stat info;

      if (g_lstat (file, &info) != 0)
        {
          int saved_errno = errno;

          if (saved_errno == ENOENT)
            continue;
          g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_OPEN,
                       _("Database %s cannot be opened: %s"), file, g_strerror (saved_errno));
          return FALSE;
        }

      if (!S_ISREG (info.st_mode))
        {
          g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_OPEN,
                       _("Database %s is not a regular file"), file);
          return FALSE;
        }

      if (info.st_uid != geteuid ())
        {
          g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_PERMISSIONS,
                       _("Database %s belongs to another user; it must belong to the user "
                         "haven-receiver runs as: “chown %s %s”"),
                       file, g_get_user_name (), file);
          return FALSE;
        }

      if ((info.st_mode & 077) != 0)
        {
          g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_PERMISSIONS,
                       _("Database %s may be read or written by others (mode %03o); make it "
                         "private: “chmod 600 %s”"),
                       file, (unsigned int) (info.st_mode & 0777), file);
          return FALSE;
        }
    }

  return TRUE;
}

static void
haven_receiver_sqlite_store_finalize (GObject *object)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (object);

  /* sqlite3_close_v2() defers the close until the last statement is
   * finalised, so a forgotten statement cannot leave the file open. */
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (haven_receiver_sqlite_store_parent_class)->finalize (object);
}

static gboolean
prepare (HavenReceiverSqliteStore  *self,
         const char                *sql,
         sqlite3_stmt             **statement,
         GError                   **error)
{
  if (sqlite3_prepare_v2 (self->db, sql, -1, statement, NULL) != SQLITE_OK)
    return set_sql_error (self, error);

  return TRUE;
}

/* Runs a statement that returns no rows, and finalises it. */
static gboolean
step_done (HavenReceiverSqliteStore  *self,
           sqlite3_stmt              *statement,
           GError                   **error)
{
  int status = sqlite3_step (statement);

  if (status != SQLITE_DONE)
    {
      if (status == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_DUPLICATE,
                     _("Database %s: %s"), self->path, sqlite3_errmsg (self->db));
      else
        set_sql_error (self, error);
      sqlite3_finalize (statement);
      return FALSE;
    }

  sqlite3_finalize (statement);
  return TRUE;
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static const char *
instance_id (HavenReceiverSqliteStore *self)
{
  return haven_receiver_store_get_instance_id (HAVEN_RECEIVER_STORE (self));
}

static gboolean
insert_claim (HavenReceiverSqliteStore  *self,
              const char                *client_id,
              const char                *key,
              HavenRequestKind           kind,
              const char                *body_sha256,
              GError                   **error)
{
  sqlite3_stmt *statement = NULL;

  if (!prepare (self,
                "INSERT INTO idempotency_keys (key, client_id, kind, body_sha256, state, "
                "claimed_by, started_at) VALUES (?1, ?2, ?3, ?4, 'in-flight', ?5, ?6)",
                &statement, error))
    return FALSE;

  sqlite3_bind_text (statement, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, client_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 3, haven_request_kind_to_string (kind), -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 4, body_sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 5, instance_id (self), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (statement, 6, now_seconds ());

  return step_done (self, statement, error);
}

static gboolean
take_over_claim (HavenReceiverSqliteStore  *self,
                 const char                *key,
                 GError                   **error)
{
  sqlite3_stmt *statement = NULL;

  if (!prepare (self,
                "UPDATE idempotency_keys SET claimed_by = ?2, started_at = ?3 "
                "WHERE key = ?1 AND state = 'in-flight'",
                &statement, error))
    return FALSE;

  sqlite3_bind_text (statement, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, instance_id (self), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (statement, 3, now_seconds ());

  return step_done (self, statement, error);
}

static gboolean
claim_locked (HavenReceiverSqliteStore  *self,
              const char                *client_id,
              const char                *key,
              HavenRequestKind           kind,
              const char                *body_sha256,
              gint64                     stale_after,
              HavenReceiverClaim        *claim,
              guint                     *response_status,
              char                     **response_body,
              GError                   **error)
{
  sqlite3_stmt *statement = NULL;
  g_autofree char *stored_client = NULL;
  g_autofree char *stored_kind = NULL;
  g_autofree char *stored_sha256 = NULL;
  g_autofree char *state = NULL;
  g_autofree char *stored_body = NULL;
  gint64 started_at = 0;
  guint stored_status = 0;
  int status;

  /* IMMEDIATE: the look-up and the mark are one step for every receiver
   * that shares the file. */
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!prepare (self,
                "SELECT client_id, kind, body_sha256, state, started_at, response_status, "
                "response_body FROM idempotency_keys WHERE key = ?1",
                &statement, error))
    goto fail;

  sqlite3_bind_text (statement, 1, key, -1, SQLITE_TRANSIENT);
  status = sqlite3_step (statement);
  if (status == SQLITE_ROW)
    {
      stored_client = g_strdup ((const char *) sqlite3_column_text (statement, 0));
      stored_kind = g_strdup ((const char *) sqlite3_column_text (statement, 1));
      stored_sha256 = g_strdup ((const char *) sqlite3_column_text (statement, 2));
      state = g_strdup ((const char *) sqlite3_column_text (statement, 3));
      started_at = sqlite3_column_int64 (statement, 4);
      stored_status = (guint) sqlite3_column_int (statement, 5);
      stored_body = g_strdup ((const char *) sqlite3_column_text (statement, 6));
    }
  else if (status != SQLITE_DONE)
    {
      set_sql_error (self, error);
      sqlite3_finalize (statement);
      goto fail;
    }
  sqlite3_finalize (statement);

  if (state == NULL)
    {
      if (!insert_claim (self, client_id, key, kind, body_sha256, error))
        goto fail;
      *claim = HAVEN_RECEIVER_CLAIM_NEW;
    }
  else if (g_strcmp0 (stored_client, client_id) != 0 ||
           g_strcmp0 (stored_kind, haven_request_kind_to_string (kind)) != 0 ||
           g_strcmp0 (stored_sha256, body_sha256) != 0)
    {
      *claim = HAVEN_RECEIVER_CLAIM_MISMATCH;
    }
  else if (g_str_equal (state, "done"))
    {
      *claim = HAVEN_RECEIVER_CLAIM_DONE;
      *response_status = stored_status;
      *response_body = g_steal_pointer (&stored_body);
    }
  else if (started_at < now_seconds () - stale_after)
    {
      /* Whoever claimed it stopped without finishing or releasing it. */
      g_message ("Took over a submission left in flight for %" G_GINT64_FORMAT " s",
                 now_seconds () - started_at);
      if (!take_over_claim (self, key, error))
        goto fail;
      *claim = HAVEN_RECEIVER_CLAIM_NEW;
    }
  else
    {
      *claim = HAVEN_RECEIVER_CLAIM_IN_FLIGHT;
    }

  if (!exec (self, "COMMIT", error))
    goto fail;

  return TRUE;

fail:
  g_clear_pointer (response_body, g_free);
  rollback (self);
  return FALSE;
}

static gboolean
haven_receiver_sqlite_store_claim (HavenReceiverStore  *store,
                                   const char          *client_id,
                                   const char          *key,
                                   HavenRequestKind     kind,
                                   const char          *body_sha256,
                                   gint64               stale_after,
                                   HavenReceiverClaim  *claim,
                                   guint               *response_status,
                                   char               **response_body,
                                   GError             **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  gboolean claimed;

  /* A claim need not reach the disk: one lost in a crash of the machine
   * leaves nothing accepted (the accept that follows it is later in the
   * log, and is synced with it), so the kiosk's retry simply claims again.
   * Every receiver on the file sees it at once all the same. Half the
   * syncs of a submission go with it. */
  if (!exec (self, "PRAGMA synchronous = NORMAL", error))
    return FALSE;
  claimed = claim_locked (self, client_id, key, kind, body_sha256, stale_after, claim,
                          response_status, response_body, error);
  if (!exec (self, "PRAGMA synchronous = FULL", claimed ? error : NULL))
    {
      g_clear_pointer (response_body, g_free);
      return FALSE;
    }

  return claimed;
}

static void
bind_optional_text (sqlite3_stmt *statement,
                    int           index,
                    const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (statement, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (statement, index);
}

static gboolean
accept_locked (HavenReceiverSqliteStore    *self,
               const char                  *client_id,
               const char                  *key,
               HavenRequestKind             kind,
               GBytes                      *body,
               gboolean                     sealed,
               const HavenRequestEnvelope  *envelope,
               const char                  *case_reference,
               guint                        response_status,
               const char                  *response_body,
               GError                     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *received_at = g_date_time_format_iso8601 (now);
  g_autofree char *created_at = NULL;
  sqlite3_stmt *statement = NULL;
  gsize body_length = 0;
  gconstpointer body_data;

  body_data = g_bytes_get_data (body, &body_length);
  if (envelope != NULL && envelope->created_at != NULL)
    created_at = g_date_time_format_iso8601 (envelope->created_at);

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  /* The key first: only the instance that holds the claim may store the
   * request. */
  if (!prepare (self,
                "UPDATE idempotency_keys SET state = 'done', response_status = ?3, "
                "response_body = ?4 WHERE key = ?1 AND client_id = ?2 AND state = 'in-flight' "
                "AND claimed_by = ?5",
                &statement, error))
    goto fail;

  sqlite3_bind_text (statement, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, client_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (statement, 3, (int) response_status);
  sqlite3_bind_text (statement, 4, response_body, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 5, instance_id (self), -1, SQLITE_TRANSIENT);
  if (!step_done (self, statement, error))
    goto fail;

  /* Another receiver took the claim over as stale: the request is its to
   * store, and ours would be a second copy. */
  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_CLAIM_LOST,
                   _("Database %s: the claim on a submission was lost before it was stored"),
                   self->path);
      goto fail;
    }

  if (!prepare (self,
                "INSERT INTO requests (request_id, client_id, kind, body, sealed, "
                "case_reference, status, received_at, category, locale, kiosk_id, "
                "child_involved, created_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'received', ?7, ?8, ?9, ?10, ?11, ?12)",
                &statement, error))
    goto fail;

  sqlite3_bind_text (statement, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, client_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 3, haven_request_kind_to_string (kind), -1, SQLITE_STATIC);
  /* A zero-length blob would be bound as NULL with a NULL pointer. */
  sqlite3_bind_blob64 (statement, 4, body_length > 0 ? body_data : "", body_length,
                       SQLITE_TRANSIENT);
  sqlite3_bind_int (statement, 5, sealed ? 1 : 0);
  sqlite3_bind_text (statement, 6, case_reference, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 7, received_at, -1, SQLITE_TRANSIENT);
  bind_optional_text (statement, 8, envelope != NULL ? envelope->category : NULL);
  bind_optional_text (statement, 9, envelope != NULL ? envelope->locale : NULL);
  bind_optional_text (statement, 10, envelope != NULL ? envelope->kiosk_id : NULL);
  if (envelope != NULL)
    sqlite3_bind_int (statement, 11, envelope->child_involved ? 1 : 0);
  else
    sqlite3_bind_null (statement, 11);
  bind_optional_text (statement, 12, created_at);
  if (!step_done (self, statement, error))
    goto fail;

  if (!exec (self, "COMMIT", error))
    goto fail;

  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

static gboolean
haven_receiver_sqlite_store_accept (HavenReceiverStore          *store,
                                    const char                  *client_id,
                                    const char                  *key,
                                    HavenRequestKind             kind,
                                    GBytes                      *body,
                                    gboolean                     sealed,
                                    const HavenRequestEnvelope  *envelope,
                                    const char                  *case_reference,
                                    guint                        response_status,
                                    const char                  *response_body,
                                    GError                     **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  return accept_locked (self, client_id, key, kind, body, sealed, envelope, case_reference,
                        response_status, response_body, error);
}

static gboolean
haven_receiver_sqlite_store_release (HavenReceiverStore  *store,
                                     const char          *client_id,
                                     const char          *key,
                                     GError             **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *statement = NULL;

  if (!prepare (self,
                "DELETE FROM idempotency_keys WHERE key = ?1 AND client_id = ?2 "
                "AND state = 'in-flight' AND claimed_by = ?3",
                &statement, error))
    return FALSE;

  sqlite3_bind_text (statement, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, client_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 3, instance_id (self), -1, SQLITE_TRANSIENT);

  return step_done (self, statement, error);
}

static gboolean
haven_receiver_sqlite_store_release_stale (HavenReceiverStore  *store,
                                           gint64               stale_after,
                                           guint               *n_released,
                                           GError             **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *statement = NULL;

  if (!prepare (self,
                "DELETE FROM idempotency_keys WHERE state = 'in-flight' AND started_at < ?1",
                &statement, error))
    return FALSE;

  sqlite3_bind_int64 (statement, 1, now_seconds () - stale_after);
  if (!step_done (self, statement, error))
    return FALSE;

  *n_released = (guint) sqlite3_changes (self->db);
  return TRUE;
}

/* The caseworker API ------------------------------------------------------ */

static char *
column_text (sqlite3_stmt *statement,
             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (statement, column));
}

static gboolean
haven_receiver_sqlite_store_add_credential (HavenReceiverStore  *store,
                                            const char          *name,
                                            const char          *role,
                                            const char          *token_sha256,
                                            GError             **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autofree char *now = haven_receiver_store_now_text ();
  sqlite3_stmt *statement = NULL;
  int status;

  if (!prepare (self,
                "INSERT INTO credentials (name, role, token_sha256, issued_at) "
                "VALUES (?1, ?2, ?3, ?4)",
                &statement, error))
    return FALSE;

  sqlite3_bind_text (statement, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, role, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 3, token_sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 4, now, -1, SQLITE_TRANSIENT);

  status = sqlite3_step (statement);
  sqlite3_finalize (statement);
  if (status == SQLITE_DONE)
    return TRUE;

  /* The name is the primary key, the token's digest unique. */
  if (status == SQLITE_CONSTRAINT_PRIMARYKEY || status == SQLITE_CONSTRAINT_UNIQUE)
    g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_DUPLICATE,
                 _("Database %s: %s"), self->path, sqlite3_errmsg (self->db));
  else
    set_sql_error (self, error);
  return FALSE;
}

static gboolean
haven_receiver_sqlite_store_revoke_credential (HavenReceiverStore  *store,
                                               const char          *name,
                                               gboolean            *revoked,
                                               GError             **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autofree char *now = haven_receiver_store_now_text ();
  sqlite3_stmt *statement = NULL;

  if (!prepare (self,
                "UPDATE credentials SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
                &statement, error))
    return FALSE;

  sqlite3_bind_text (statement, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, now, -1, SQLITE_TRANSIENT);
  if (!step_done (self, statement, error))
    return FALSE;

  *revoked = sqlite3_changes (self->db) == 1;
  return TRUE;
}

static gboolean
haven_receiver_sqlite_store_list_credentials (HavenReceiverStore  *store,
                                              GPtrArray           *credentials,
                                              GError             **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *statement = NULL;
  int status;

  if (!prepare (self,
                "SELECT name, role, issued_at, revoked_at FROM credentials ORDER BY name",
                &statement, error))
    return FALSE;

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      HavenReceiverCredential *credential = g_new0 (HavenReceiverCredential, 1);

      credential->name = column_text (statement, 0);
      credential->role = column_text (statement, 1);
      credential->issued_at = column_text (statement, 2);
      credential->revoked_at = column_text (statement, 3);
      g_ptr_array_add (credentials, credential);
    }
  sqlite3_finalize (statement);

  if (status != SQLITE_DONE)
    return set_sql_error (self, error);
  return TRUE;
}

static gboolean
haven_receiver_sqlite_store_lookup_credential (HavenReceiverStore  *store,
                                               const char          *token_sha256,
                                               char               **name,
                                               char               **role,
                                               GError             **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *statement = NULL;
  int status;

  if (!prepare (self,
                "SELECT name, role FROM credentials WHERE token_sha256 = ?1 "
                "AND revoked_at IS NULL",
                &statement, error))
    return FALSE;

  sqlite3_bind_text (statement, 1, token_sha256, -1, SQLITE_TRANSIENT);
  status = sqlite3_step (statement);
  if (status == SQLITE_ROW)
    {
      *name = column_text (statement, 0);
      *role = column_text (statement, 1);
    }
  sqlite3_finalize (statement);

  if (status != SQLITE_ROW && status != SQLITE_DONE)
    return set_sql_error (self, error);
  return TRUE;
}

#define CASE_COLUMNS \
  "case_reference, kind, category, locale, kiosk_id, child_involved, created_at, " \
  "received_at, state, sealed, updated_at, closed_at, body_destroyed_at"

static HavenReceiverCase *
read_case (sqlite3_stmt *statement)
{
  HavenReceiverCase *receiver_case = g_new0 (HavenReceiverCase, 1);

  receiver_case->case_reference = column_text (statement, 0);
  receiver_case->kind = column_text (statement, 1);
  receiver_case->category = column_text (statement, 2);
  receiver_case->locale = column_text (statement, 3);
  receiver_case->kiosk_id = column_text (statement, 4);
  receiver_case->child_involved = sqlite3_column_type (statement, 5) == SQLITE_NULL
                                  ? -1 : sqlite3_column_int (statement, 5);
  receiver_case->created_at = column_text (statement, 6);
  receiver_case->received_at = column_text (statement, 7);
  receiver_case->received_at_key = column_text (statement, 7);
  receiver_case->state = column_text (statement, 8);
  receiver_case->sealed = sqlite3_column_int (statement, 9) != 0;
  receiver_case->updated_at = column_text (statement, 10);
  receiver_case->closed_at = column_text (statement, 11);
  /* NULL until retention destroys the body. */
  receiver_case->body_destroyed_at = column_text (statement, 12);
  return receiver_case;
}

static gboolean
haven_receiver_sqlite_store_list_cases (HavenReceiverStore             *store,
                                        const HavenReceiverCaseFilter  *filter,
                                        GPtrArray                      *cases,
                                        GError                        **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *statement = NULL;
  int status;

  /* Times compare as text: the store writes them all the same length. */
  if (!prepare (self,
                "SELECT " CASE_COLUMNS " FROM requests "
                "WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR category = ?2) "
                "  AND (?3 IS NULL OR state = ?3) AND (?4 IS NULL OR kiosk_id = ?4) "
                "  AND (?5 IS NULL OR received_at > ?5) AND (?6 IS NULL OR received_at < ?6) "
                "  AND (?7 IS NULL OR child_involved = ?7) "
                "  AND (?8 IS NULL OR (received_at, case_reference) < (?8, ?9)) "
                "ORDER BY received_at DESC, case_reference DESC LIMIT ?10",
                &statement, error))
    return FALSE;

  bind_optional_text (statement, 1, filter->kind);
  bind_optional_text (statement, 2, filter->category);
  bind_optional_text (statement, 3, filter->state);
  bind_optional_text (statement, 4, filter->kiosk_id);
  bind_optional_text (statement, 5, filter->received_after);
  bind_optional_text (statement, 6, filter->received_before);
  if (filter->child_involved >= 0)
    sqlite3_bind_int (statement, 7, filter->child_involved);
  else
    sqlite3_bind_null (statement, 7);
  bind_optional_text (statement, 8, filter->after_received_at);
  bind_optional_text (statement, 9, filter->after_case_reference);
  sqlite3_bind_int (statement, 10, (int) filter->limit);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    g_ptr_array_add (cases, read_case (statement));
  sqlite3_finalize (statement);

  if (status != SQLITE_DONE)
    return set_sql_error (self, error);
  return TRUE;
}

#define EVENT_COLUMNS \
  "id, type, state, sealed_note, item, outcome, platform_reference, actor, at, " \
  "hosting_provider"

static HavenReceiverCaseEvent *
read_event (sqlite3_stmt *statement)
{
  HavenReceiverCaseEvent *event = g_new0 (HavenReceiverCaseEvent, 1);

  event->id = sqlite3_column_int64 (statement, 0);
  event->type = column_text (statement, 1);
  event->state = column_text (statement, 2);
  event->sealed_note = column_text (statement, 3);
  event->item = sqlite3_column_type (statement, 4) == SQLITE_NULL
                ? -1 : sqlite3_column_int (statement, 4);
  event->outcome = column_text (statement, 5);
  event->platform_reference = column_text (statement, 6);
  event->actor = column_text (statement, 7);
  event->at = column_text (statement, 8);
  event->hosting_provider = column_text (statement, 9);
  return event;
}

static gboolean
haven_receiver_sqlite_store_get_case (HavenReceiverStore  *store,
                                      const char          *case_reference,
                                      HavenReceiverCase  **receiver_case,
                                      GPtrArray           *events,
                                      GError             **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *statement = NULL;
  int status;

  /* One read transaction, so the events match the case. */
  if (!exec (self, "BEGIN", error))
    return FALSE;

  if (!prepare (self, "SELECT " CASE_COLUMNS " FROM requests WHERE case_reference = ?1",
                &statement, error))
    goto fail;
  sqlite3_bind_text (statement, 1, case_reference, -1, SQLITE_TRANSIENT);
  status = sqlite3_step (statement);
  if (status == SQLITE_ROW)
    *receiver_case = read_case (statement);
  sqlite3_finalize (statement);
  if (status != SQLITE_ROW && status != SQLITE_DONE)
    {
      set_sql_error (self, error);
      goto fail;
    }

  if (*receiver_case != NULL)
    {
      if (!prepare (self,
                    "SELECT " EVENT_COLUMNS " FROM case_events WHERE case_reference = ?1 "
                    "ORDER BY id",
                    &statement, error))
        goto fail;
      sqlite3_bind_text (statement, 1, case_reference, -1, SQLITE_TRANSIENT);
      while ((status = sqlite3_step (statement)) == SQLITE_ROW)
        g_ptr_array_add (events, read_event (statement));
      sqlite3_finalize (statement);
      if (status != SQLITE_DONE)
        {
          set_sql_error (self, error);
          goto fail;
        }
    }

  if (!exec (self, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  g_clear_pointer (receiver_case, haven_receiver_case_free);
  rollback (self);
  return FALSE;
}

static gboolean
haven_receiver_sqlite_store_get_body (HavenReceiverStore  *store,
                                      const char          *case_reference,
                                      gboolean            *found,
                                      GBytes             **body,
                                      gboolean            *sealed,
                                      GError             **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *statement = NULL;
  int status;

  if (!prepare (self, "SELECT body, sealed FROM requests WHERE case_reference = ?1",
                &statement, error))
    return FALSE;

  sqlite3_bind_text (statement, 1, case_reference, -1, SQLITE_TRANSIENT);
  status = sqlite3_step (statement);
  if (status == SQLITE_ROW)
    {
      *found = TRUE;
      /* Retention leaves a destroyed body NULL. */
      if (sqlite3_column_type (statement, 0) != SQLITE_NULL)
        *body = g_bytes_new (sqlite3_column_blob (statement, 0),
                             (gsize) sqlite3_column_bytes (statement, 0));
      *sealed = sqlite3_column_int (statement, 1) != 0;
    }
  sqlite3_finalize (statement);

  if (status != SQLITE_ROW && status != SQLITE_DONE)
    return set_sql_error (self, error);
  return TRUE;
}

static gboolean
read_event_by_id (HavenReceiverSqliteStore  *self,
                  gint64                     id,
                  HavenReceiverCaseEvent   **event,
                  GError                   **error)
{
  sqlite3_stmt *statement = NULL;

  if (!prepare (self, "SELECT " EVENT_COLUMNS " FROM case_events WHERE id = ?1", &statement,
                error))
    return FALSE;

  sqlite3_bind_int64 (statement, 1, id);
  if (sqlite3_step (statement) != SQLITE_ROW)
    {
      sqlite3_finalize (statement);
      return set_sql_error (self, error);
    }
  *event = read_event (statement);
  sqlite3_finalize (statement);
  return TRUE;
}

static gboolean
add_event_locked (HavenReceiverSqliteStore      *self,
                  const char                    *case_reference,
                  const char                    *actor,
                  const char                    *key,
                  const char                    *request_sha256,
                  const HavenReceiverCaseEvent  *event,
                  HavenReceiverEventResult      *result,
                  HavenReceiverCaseEvent       **stored,
                  char                         **current_state,
                  GError                       **error)
{
  g_autofree char *now = haven_receiver_store_now_text ();
  g_autofree char *stored_sha256 = NULL;
  g_autofree char *stored_reference = NULL;
  g_autofree char *kind = NULL;
  sqlite3_stmt *statement = NULL;
  gboolean has_case = FALSE;
  gboolean body_destroyed = FALSE;
  gboolean is_state = g_str_equal (event->type, "state");
  gint64 stored_id = 0;
  int status;

  if (!prepare (self, "SELECT state, kind, body IS NULL FROM requests WHERE case_reference = ?1",
                &statement, error))
    return FALSE;
  sqlite3_bind_text (statement, 1, case_reference, -1, SQLITE_TRANSIENT);
  status = sqlite3_step (statement);
  if (status == SQLITE_ROW)
    {
      has_case = TRUE;
      *current_state = column_text (statement, 0);
      kind = column_text (statement, 1);
      body_destroyed = sqlite3_column_int (statement, 2) != 0;
    }
  sqlite3_finalize (statement);
  if (status != SQLITE_ROW && status != SQLITE_DONE)
    return set_sql_error (self, error);

  if (!prepare (self,
                "SELECT id, request_sha256, case_reference FROM case_events "
                "WHERE actor = ?1 AND idempotency_key = ?2",
                &statement, error))
    return FALSE;
  sqlite3_bind_text (statement, 1, actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, key, -1, SQLITE_TRANSIENT);
  status = sqlite3_step (statement);
  if (status == SQLITE_ROW)
    {
      stored_id = sqlite3_column_int64 (statement, 0);
      stored_sha256 = column_text (statement, 1);
      stored_reference = column_text (statement, 2);
    }
  sqlite3_finalize (statement);
  if (status != SQLITE_ROW && status != SQLITE_DONE)
    return set_sql_error (self, error);

  if (stored_id != 0)
    {
      if (g_strcmp0 (stored_sha256, request_sha256) != 0 ||
          g_strcmp0 (stored_reference, case_reference) != 0)
        {
          *result = HAVEN_RECEIVER_EVENT_KEY_MISMATCH;
          return TRUE;
        }
      *result = HAVEN_RECEIVER_EVENT_REPEATED;
      return read_event_by_id (self, stored_id, stored, error);
    }

  if (!has_case)
    {
      *result = HAVEN_RECEIVER_EVENT_NO_CASE;
      return TRUE;
    }

  if (is_state && (!haven_receiver_case_state_can_follow (*current_state, event->state) ||
                   (g_str_equal (*current_state, "closed") && body_destroyed)))
    {
      *result = HAVEN_RECEIVER_EVENT_BAD_TRANSITION;
      return TRUE;
    }

  if (g_str_equal (event->type, "item-outcome") && g_strcmp0 (kind, "removal") != 0)
    {
      *result = HAVEN_RECEIVER_EVENT_NO_ITEMS;
      return TRUE;
    }

  if (!prepare (self,
                "INSERT INTO case_events (case_reference, actor, idempotency_key, "
                "request_sha256, type, state, sealed_note, item, outcome, platform_reference, "
                "at, hosting_provider) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                &statement, error))
    return FALSE;
  sqlite3_bind_text (statement, 1, case_reference, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 3, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 4, request_sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 5, event->type, -1, SQLITE_TRANSIENT);
  bind_optional_text (statement, 6, event->state);
  bind_optional_text (statement, 7, event->sealed_note);
  if (event->item >= 0)
    sqlite3_bind_int (statement, 8, event->item);
  else
    sqlite3_bind_null (statement, 8);
  bind_optional_text (statement, 9, event->outcome);
  bind_optional_text (statement, 10, event->platform_reference);
  sqlite3_bind_text (statement, 11, now, -1, SQLITE_TRANSIENT);
  bind_optional_text (statement, 12, event->hosting_provider);
  if (!step_done (self, statement, error))
    return FALSE;
  stored_id = sqlite3_last_insert_rowid (self->db);

  /* A closed case's retention counts from closed_at; reopening it stops
   * the count. */
  if (!prepare (self,
                "UPDATE requests SET updated_at = ?2, "
                "  state = coalesce (?3, state), "
                "  closed_at = CASE WHEN ?3 IS NULL THEN closed_at "
                "    WHEN ?3 = 'closed' THEN ?2 ELSE NULL END "
                "WHERE case_reference = ?1",
                &statement, error))
    return FALSE;
  sqlite3_bind_text (statement, 1, case_reference, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, now, -1, SQLITE_TRANSIENT);
  bind_optional_text (statement, 3, is_state ? event->state : NULL);
  if (!step_done (self, statement, error))
    return FALSE;

  if (is_state)
    {
      g_free (*current_state);
      *current_state = g_strdup (event->state);
    }

  *result = HAVEN_RECEIVER_EVENT_CREATED;
  return read_event_by_id (self, stored_id, stored, error);
}

static gboolean
haven_receiver_sqlite_store_add_event (HavenReceiverStore            *store,
                                       const char                    *case_reference,
                                       const char                    *actor,
                                       const char                    *key,
                                       const char                    *request_sha256,
                                       const HavenReceiverCaseEvent  *event,
                                       HavenReceiverEventResult      *result,
                                       HavenReceiverCaseEvent       **stored,
                                       char                         **current_state,
                                       GError                       **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  /* IMMEDIATE: the state read and the change are one step for every
   * receiver on the file. */
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!add_event_locked (self, case_reference, actor, key, request_sha256, event, result, stored,
                         current_state, error) ||
      !exec (self, "COMMIT", error))
    {
      g_clear_pointer (stored, haven_receiver_case_event_free);
      g_clear_pointer (current_state, g_free);
      rollback (self);
      return FALSE;
    }

  return TRUE;
}

static gboolean
append_audit_locked (HavenReceiverSqliteStore       *self,
                     const HavenReceiverAuditEntry  *entry,
                     GError                        **error)
{
  HavenReceiverAuditEntry row = *entry;
  g_autofree char *at = haven_receiver_store_now_text ();
  g_autofree char *prev_hash = NULL;
  g_autofree char *row_hash = NULL;
  sqlite3_stmt *statement = NULL;
  int status;

  if (!prepare (self, "SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1", &statement,
                error))
    return FALSE;
  status = sqlite3_step (statement);
  if (status == SQLITE_ROW)
    {
      row.id = sqlite3_column_int64 (statement, 0) + 1;
      prev_hash = column_text (statement, 1);
    }
  sqlite3_finalize (statement);
  if (status != SQLITE_ROW && status != SQLITE_DONE)
    return set_sql_error (self, error);

  if (prev_hash == NULL)
    {
      row.id = 1;
      prev_hash = g_strdup (HAVEN_RECEIVER_AUDIT_GENESIS);
    }
  row.at = at;
  row.prev_hash = prev_hash;
  row_hash = haven_receiver_audit_entry_hash (&row);

  if (!prepare (self,
                "INSERT INTO audit_log (id, at, actor, role, action, case_reference, remote, "
                "status, prev_hash, row_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                &statement, error))
    return FALSE;
  sqlite3_bind_int64 (statement, 1, row.id);
  sqlite3_bind_text (statement, 2, row.at, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 3, row.actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 4, row.role, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 5, row.action, -1, SQLITE_TRANSIENT);
  bind_optional_text (statement, 6, row.case_reference);
  sqlite3_bind_text (statement, 7, row.remote, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (statement, 8, (int) row.status);
  sqlite3_bind_text (statement, 9, row.prev_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 10, row_hash, -1, SQLITE_TRANSIENT);

  return step_done (self, statement, error);
}

static gboolean
haven_receiver_sqlite_store_append_audit (HavenReceiverStore             *store,
                                          const HavenReceiverAuditEntry  *entry,
                                          GError                        **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  /* IMMEDIATE: reading the last row and appending the next are one step
   * for every receiver on the file, so the chain stays one line. */
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!append_audit_locked (self, entry, error) || !exec (self, "COMMIT", error))
    {
      rollback (self);
      return FALSE;
    }

  return TRUE;
}

static gboolean
haven_receiver_sqlite_store_list_audit (HavenReceiverStore  *store,
                                        const char          *case_reference,
                                        const char          *actor,
                                        gint64               after_id,
                                        guint                limit,
                                        GPtrArray           *entries,
                                        GError             **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *statement = NULL;
  int status;

  if (!prepare (self,
                "SELECT id, at, actor, role, action, case_reference, remote, status, prev_hash, "
                "row_hash FROM audit_log WHERE id > ?1 AND (?2 IS NULL OR case_reference = ?2) "
                "AND (?3 IS NULL OR actor = ?3) ORDER BY id LIMIT ?4",
                &statement, error))
    return FALSE;

  sqlite3_bind_int64 (statement, 1, after_id);
  bind_optional_text (statement, 2, case_reference);
  bind_optional_text (statement, 3, actor);
  sqlite3_bind_int (statement, 4, (int) limit);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      HavenReceiverAuditEntry *entry = g_new0 (HavenReceiverAuditEntry, 1);

      entry->id = sqlite3_column_int64 (statement, 0);
      entry->at = column_text (statement, 1);
      entry->actor = column_text (statement, 2);
      entry->role = column_text (statement, 3);
      entry->action = column_text (statement, 4);
      entry->case_reference = column_text (statement, 5);
      entry->remote = column_text (statement, 6);
      entry->status = (guint) sqlite3_column_int (statement, 7);
      entry->prev_hash = column_text (statement, 8);
      entry->row_hash = column_text (statement, 9);
      g_ptr_array_add (entries, entry);
    }
  sqlite3_finalize (statement);

  if (status != SQLITE_DONE)
    return set_sql_error (self, error);
  return TRUE;
}

/* Fleet status ------------------------------------------------------------ */

static gboolean
haven_receiver_sqlite_store_record_kiosk_status (HavenReceiverStore  *store,
                                                 const char          *kiosk_id,
                                                 const char          *report,
                                                 gint64               queued,
                                                 gint64               received_at,
                                                 const char          *received_from,
                                                 GError             **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *statement = NULL;

  /* The latest wins, also when two receivers store a kiosk's reports out
   * of the order they came in. */
  if (!prepare (self,
                "INSERT INTO kiosk_status (kiosk_id, report, queued, received_at, received_from) "
                "VALUES (?1, ?2, ?3, ?4, ?5) "
                "ON CONFLICT (kiosk_id) DO UPDATE SET report = excluded.report, "
                "  queued = excluded.queued, received_at = excluded.received_at, "
                "  received_from = excluded.received_from "
                "WHERE excluded.received_at >= kiosk_status.received_at",
                &statement, error))
    return FALSE;

  sqlite3_bind_text (statement, 1, kiosk_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, report, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (statement, 3, queued);
  sqlite3_bind_int64 (statement, 4, received_at);
  sqlite3_bind_text (statement, 5, received_from, -1, SQLITE_TRANSIENT);

  return step_done (self, statement, error);
}

static GPtrArray *
haven_receiver_sqlite_store_list_kiosks (HavenReceiverStore  *store,
                                         gint64               now,
                                         gint64               silent_after,
                                         gint64               backed_up_over,
                                         GError             **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GPtrArray) kiosks = g_ptr_array_new_with_free_func (
    (GDestroyNotify) haven_receiver_kiosk_free);
  sqlite3_stmt *statement = NULL;
  int status;

  if (!prepare (self,
                "SELECT kiosk_id, report, queued, received_at, received_from, "
                "  received_at < ?1 - ?2, queued > ?3 "
                "FROM kiosk_status ORDER BY kiosk_id",
                &statement, error))
    return NULL;

  sqlite3_bind_int64 (statement, 1, now);
  sqlite3_bind_int64 (statement, 2, silent_after);
  sqlite3_bind_int64 (statement, 3, backed_up_over);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      HavenReceiverKiosk *kiosk = g_new0 (HavenReceiverKiosk, 1);

      kiosk->kiosk_id = g_strdup ((const char *) sqlite3_column_text (statement, 0));
      kiosk->report = g_strdup ((const char *) sqlite3_column_text (statement, 1));
      kiosk->queued = sqlite3_column_int64 (statement, 2);
      kiosk->received_at = sqlite3_column_int64 (statement, 3);
      kiosk->received_from = g_strdup ((const char *) sqlite3_column_text (statement, 4));
      kiosk->silent = sqlite3_column_int (statement, 5) != 0;
      kiosk->backed_up = sqlite3_column_int (statement, 6) != 0;
      g_ptr_array_add (kiosks, kiosk);
    }

  if (status != SQLITE_DONE)
    {
      set_sql_error (self, error);
      sqlite3_finalize (statement);
      return NULL;
    }

  sqlite3_finalize (statement);
  return g_steal_pointer (&kiosks);
}

/* Retention --------------------------------------------------------------- */

static char *
format_unix_time (gint64 time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time);

  return g_date_time_format_iso8601 (utc);
}

/* Destroys the bodies @where says are due, and adds their case references
 * to @cases. @where is the condition on the row, with ?1 the time now
 * (Unix seconds) and ?2 a number of days. */
static gboolean
destroy_where (HavenReceiverSqliteStore  *self,
               const char                *where,
               gint64                     now,
               guint                      days,
               GPtrArray                 *cases,
               GError                   **error)
{
  g_autofree char *now_text = format_unix_time (now);
  g_autofree char *sql = NULL;
  sqlite3_stmt *statement = NULL;
  int status;

  sql = g_strdup_printf ("UPDATE requests SET body = NULL, body_destroyed_at = ?3 "
                         "WHERE body IS NOT NULL AND (%s) RETURNING case_reference", where);
  if (!prepare (self, sql, &statement, error))
    return FALSE;
  sqlite3_bind_int64 (statement, 1, now);
  sqlite3_bind_int64 (statement, 2, days);
  sqlite3_bind_text (statement, 3, now_text, -1, SQLITE_TRANSIENT);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    g_ptr_array_add (cases, g_strdup ((const char *) sqlite3_column_text (statement, 0)));

  if (status != SQLITE_DONE)
    {
      set_sql_error (self, error);
      sqlite3_finalize (statement);
      return FALSE;
    }

  sqlite3_finalize (statement);
  return TRUE;
}

/* received_at and closed_at are ISO 8601 text; strftime ('%s') reads them
 * with their fraction and zone. */
#define CLOSED_DUE "closed_at IS NOT NULL AND " \
                   "CAST (strftime ('%s', closed_at) AS INTEGER) <= ?1 - ?2 * 86400"
#define RECEIVED_DUE "CAST (strftime ('%s', received_at) AS INTEGER) <= ?1 - ?2 * 86400"

static gboolean
haven_receiver_sqlite_store_destroy_due_bodies (HavenReceiverStore      *store,
                                                gint64                   now,
                                                guint                    closed_days,
                                                guint                    max_days,
                                                HavenReceiverRetention  *retention,
                                                GError                 **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  /* Closed first: a case due for both reasons counts as closed. */
  if (!destroy_where (self, CLOSED_DUE, now, closed_days, retention->closed_cases, error) ||
      !destroy_where (self, RECEIVED_DUE, now, max_days, retention->expired_cases, error) ||
      !exec (self, "COMMIT", error))
    {
      rollback (self);
      g_ptr_array_set_size (retention->closed_cases, 0);
      g_ptr_array_set_size (retention->expired_cases, 0);
      return FALSE;
    }

  retention->n_closed = retention->closed_cases->len;
  retention->n_expired = retention->expired_cases->len;

  /* secure_delete has overwritten the bodies in the pages that held them;
   * the write-ahead log still holds the pages as they were until it is
   * copied back and emptied. A reader of another receiver on the file may
   * keep part of it for now: the next pass empties it then. */
  if (retention->n_closed + retention->n_expired > 0 &&
      sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL)
        != SQLITE_OK)
    g_message ("Database %s: the write-ahead log could not be emptied after destroying "
               "bodies: %s", self->path, sqlite3_errmsg (self->db));

  return TRUE;
}

/* The notice report ------------------------------------------------------- */

static gboolean
haven_receiver_sqlite_store_list_notice_outcomes (HavenReceiverStore  *store,
                                                  const char          *first_at,
                                                  const char          *last_at,
                                                  GPtrArray           *outcomes,
                                                  GError             **error)
{
  HavenReceiverSqliteStore *self = HAVEN_RECEIVER_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *statement = NULL;
  int status;

  /* Times compare as text: the store writes them all the same length. */
  if (!prepare (self,
                "WITH addresses AS ("
                "  SELECT case_reference, item FROM case_events "
                "  WHERE type = 'item-outcome' AND outcome = 'notice-sent' "
                "  GROUP BY case_reference, item HAVING min (at) >= ?1 AND min (at) <= ?2) "
                "SELECT e.case_reference, r.category, e.item, e.outcome, e.hosting_provider "
                "FROM addresses a "
                "JOIN case_events e ON e.case_reference = a.case_reference AND e.item = a.item "
                "  AND e.type = 'item-outcome' "
                "JOIN requests r ON r.case_reference = e.case_reference AND r.kind = 'removal' "
                "ORDER BY e.case_reference, e.item, e.at, e.id",
                &statement, error))
    return FALSE;

  sqlite3_bind_text (statement, 1, first_at, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, last_at, -1, SQLITE_TRANSIENT);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      HavenReceiverItemOutcome *outcome = g_new0 (HavenReceiverItemOutcome, 1);

      outcome->case_reference = column_text (statement, 0);
      outcome->category = column_text (statement, 1);
      outcome->item = sqlite3_column_int (statement, 2);
      outcome->outcome = column_text (statement, 3);
      outcome->hosting_provider = column_text (statement, 4);
      g_ptr_array_add (outcomes, outcome);
    }
  sqlite3_finalize (statement);

  if (status != SQLITE_DONE)
    return set_sql_error (self, error);
  return TRUE;
}

static void
haven_receiver_sqlite_store_class_init (HavenReceiverSqliteStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  HavenReceiverStoreClass *store_class = HAVEN_RECEIVER_STORE_CLASS (klass);

  object_class->finalize = haven_receiver_sqlite_store_finalize;

  store_class->claim = haven_receiver_sqlite_store_claim;
  store_class->accept = haven_receiver_sqlite_store_accept;
  store_class->release = haven_receiver_sqlite_store_release;
  store_class->release_stale = haven_receiver_sqlite_store_release_stale;
  store_class->add_credential = haven_receiver_sqlite_store_add_credential;
  store_class->revoke_credential = haven_receiver_sqlite_store_revoke_credential;
  store_class->list_credentials = haven_receiver_sqlite_store_list_credentials;
  store_class->lookup_credential = haven_receiver_sqlite_store_lookup_credential;
  store_class->list_cases = haven_receiver_sqlite_store_list_cases;
  store_class->get_case = haven_receiver_sqlite_store_get_case;
  store_class->get_body = haven_receiver_sqlite_store_get_body;
  store_class->add_event = haven_receiver_sqlite_store_add_event;
  store_class->append_audit = haven_receiver_sqlite_store_append_audit;
  store_class->list_audit = haven_receiver_sqlite_store_list_audit;
  store_class->record_kiosk_status = haven_receiver_sqlite_store_record_kiosk_status;
  store_class->list_kiosks = haven_receiver_sqlite_store_list_kiosks;
  store_class->destroy_due_bodies = haven_receiver_sqlite_store_destroy_due_bodies;
  store_class->list_notice_outcomes = haven_receiver_sqlite_store_list_notice_outcomes;
}

static void
haven_receiver_sqlite_store_init (HavenReceiverSqliteStore *self)
{
  g_mutex_init (&self->lock);
}

/**
 * haven_receiver_sqlite_store_open:
 * @path: the database file; created (readable by its owner only) when
 *   missing, and refused when others may read or write it
 *
 * Opens the database in WAL mode with synchronous=FULL, so an answer the
 * receiver has sent is never lost to a crash, and brings its schema up to
 * date.
 */
HavenReceiverSqliteStore *
haven_receiver_sqlite_store_open (const char  *path,
                                  GError     **error)
{
  g_autoptr(HavenReceiverSqliteStore) self = NULL;
  g_autofree char *journal_mode = NULL;
  int fd;
  int status;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HAVEN_TYPE_RECEIVER_SQLITE_STORE, NULL);
  self->path = g_strdup (path);

  if (!check_private (path, error))
    return NULL;

  /* SQLite would create the file with the umask's permissions, and gives
   * its -wal and -shm files the permissions of the database, so create it
   * private first. O_NOFOLLOW: the check above looked at the link. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
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

  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

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

  /* A destroyed body (retention) must not linger in the file: with
   * secure_delete, SQLite overwrites with zeros whatever it frees, as it
   * frees it. VACUUM would do the same only when run, rewriting the whole
   * file under an exclusive lock that stops every receiver on it, and
   * needing as much free space again. Set before the migrations, which
   * copy tables. */
  if (!exec (self, "PRAGMA secure_delete = ON", error) ||
      !exec (self, "PRAGMA synchronous = FULL", error) ||
      !migrate (self, error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error))
    return NULL;

  return g_steal_pointer (&self);
}
