/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "haven-receiver-store.h"

/* The receiver's SQLite database. It holds every submission the receiver
 * accepted, keyed by request_id, and the history of each Idempotency-Key,
 * so that a repeated key gets the first answer again (haven-api-v1.md, "Exactly
 * once"), even after a restart. The bodies are what visitors wrote: the
 * file is made readable by its owner only, and nothing here ever logs a
 * body. */

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

static gboolean
prepare (HavenReceiverStore  *self,
         const char          *sql,
         sqlite3_stmt       **statement,
         GError             **error)
{
  if (sqlite3_prepare_v2 (self->db, sql, -1, statement, NULL) != SQLITE_OK)
    return set_sql_error (self, error);

  return TRUE;
}

/* Runs a statement that returns no rows, and finalises it. */
static gboolean
step_done (HavenReceiverStore  *self,
           sqlite3_stmt        *statement,
           GError             **error)
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

static void
rollback (HavenReceiverStore *self)
{
  /* Harmless when no transaction is open, and a failed ROLLBACK leaves
   * nothing more to undo. */
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
insert_claim (HavenReceiverStore  *self,
              const char          *key,
              HavenRequestKind     kind,
              const char          *body_sha256,
              GError             **error)
{
  sqlite3_stmt *statement = NULL;

  if (!prepare (self,
                "INSERT INTO idempotency_keys (key, kind, body_sha256, state, started_at) "
                "VALUES (?1, ?2, ?3, 'in-flight', ?4)",
                &statement, error))
    return FALSE;

  sqlite3_bind_text (statement, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, haven_request_kind_to_string (kind), -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 3, body_sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (statement, 4, now_seconds ());

  return step_done (self, statement, error);
}

static gboolean
delete_claim (HavenReceiverStore  *self,
              const char          *key,
              GError             **error)
{
  sqlite3_stmt *statement = NULL;

  if (!prepare (self, "DELETE FROM idempotency_keys WHERE key = ?1 AND state = 'in-flight'",
                &statement, error))
    return FALSE;

  sqlite3_bind_text (statement, 1, key, -1, SQLITE_TRANSIENT);

  return step_done (self, statement, error);
}

/**
 * haven_receiver_store_claim:
 * @key: the Idempotency-Key, which is also the request_id
 * @kind: the endpoint the request came to
 * @body_sha256: the SHA-256 of the request's JSON, in hexadecimal
 * @stale_after: seconds after which an in-flight claim is taken to be
 *   left behind by a receiver that stopped before it finished
 * @claim: (out): what the key's history says to do
 * @response_status: (out): for %HAVEN_RECEIVER_CLAIM_DONE, the status of
 *   the first answer
 * @response_body: (out) (transfer full): for %HAVEN_RECEIVER_CLAIM_DONE,
 *   the body of the first answer; %NULL otherwise
 *
 * Looks @key up and, when it is new (or its claim is stale), marks it in
 * flight for this caller, who then either calls
 * haven_receiver_store_accept() or haven_receiver_store_release(). The mark
 * is committed before this returns, so any other connection or process sees
 * it.
 *
 * A different @kind counts as a different body.
 */
gboolean
haven_receiver_store_claim (HavenReceiverStore  *self,
                            const char          *key,
                            HavenRequestKind     kind,
                            const char          *body_sha256,
                            gint64               stale_after,
                            HavenReceiverClaim  *claim,
                            guint               *response_status,
                            char               **response_body,
                            GError             **error)
{
  sqlite3_stmt *statement = NULL;
  g_autofree char *stored_kind = NULL;
  g_autofree char *stored_sha256 = NULL;
  g_autofree char *state = NULL;
  g_autofree char *stored_body = NULL;
  gint64 started_at = 0;
  guint stored_status = 0;
  int status;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (body_sha256 != NULL, FALSE);
  g_return_val_if_fail (claim != NULL, FALSE);
  g_return_val_if_fail (response_status != NULL, FALSE);
  g_return_val_if_fail (response_body != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *response_status = 0;
  *response_body = NULL;

  /* IMMEDIATE: the look-up and the mark are one step for every receiver
   * that shares the file. */
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!prepare (self,
                "SELECT kind, body_sha256, state, started_at, response_status, response_body "
                "FROM idempotency_keys WHERE key = ?1",
                &statement, error))
    goto fail;

  sqlite3_bind_text (statement, 1, key, -1, SQLITE_TRANSIENT);
  status = sqlite3_step (statement);
  if (status == SQLITE_ROW)
    {
      stored_kind = g_strdup ((const char *) sqlite3_column_text (statement, 0));
      stored_sha256 = g_strdup ((const char *) sqlite3_column_text (statement, 1));
      state = g_strdup ((const char *) sqlite3_column_text (statement, 2));
      started_at = sqlite3_column_int64 (statement, 3);
      stored_status = (guint) sqlite3_column_int (statement, 4);
      stored_body = g_strdup ((const char *) sqlite3_column_text (statement, 5));
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
      if (!insert_claim (self, key, kind, body_sha256, error))
        goto fail;
      *claim = HAVEN_RECEIVER_CLAIM_NEW;
    }
  else if (g_strcmp0 (stored_kind, haven_request_kind_to_string (kind)) != 0 ||
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
      if (!delete_claim (self, key, error) ||
          !insert_claim (self, key, kind, body_sha256, error))
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

/**
 * haven_receiver_store_accept:
 * @key: a key this caller claimed with haven_receiver_store_claim()
 * @body: the request's JSON
 * @case_reference: the reference to give it; must be unused
 * @response_status: the status of the answer, kept for repeats
 * @response_body: the body of the answer, kept for repeats
 *
 * Stores the request and closes its claim with the answer, in one
 * transaction. Fails with %HAVEN_RECEIVER_STORE_ERROR_DUPLICATE, and
 * changes nothing, when @case_reference is already taken: the caller makes
 * another and tries again.
 */
gboolean
haven_receiver_store_accept (HavenReceiverStore  *self,
                             const char          *key,
                             HavenRequestKind     kind,
                             GBytes              *body,
                             const char          *case_reference,
                             guint                response_status,
                             const char          *response_body,
                             GError             **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *received_at = g_date_time_format_iso8601 (now);
  sqlite3_stmt *statement = NULL;
  gsize body_length = 0;
  gconstpointer body_data;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (body != NULL, FALSE);
  g_return_val_if_fail (case_reference != NULL, FALSE);
  g_return_val_if_fail (response_body != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  body_data = g_bytes_get_data (body, &body_length);

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!prepare (self,
                "INSERT INTO requests (request_id, kind, body, case_reference, status, "
                "received_at) VALUES (?1, ?2, ?3, ?4, 'received', ?5)",
                &statement, error))
    goto fail;

  sqlite3_bind_text (statement, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, haven_request_kind_to_string (kind), -1, SQLITE_STATIC);
  /* A zero-length blob would be bound as NULL with a NULL pointer. */
  sqlite3_bind_blob64 (statement, 3, body_length > 0 ? body_data : "", body_length,
                       SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 4, case_reference, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 5, received_at, -1, SQLITE_TRANSIENT);
  if (!step_done (self, statement, error))
    goto fail;

  if (!prepare (self,
                "UPDATE idempotency_keys SET state = 'done', response_status = ?2, "
                "response_body = ?3 WHERE key = ?1 AND state = 'in-flight'",
                &statement, error))
    goto fail;

  sqlite3_bind_text (statement, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (statement, 2, (int) response_status);
  sqlite3_bind_text (statement, 3, response_body, -1, SQLITE_TRANSIENT);
  if (!step_done (self, statement, error))
    goto fail;

  /* Another receiver took the claim over as stale: the request is its to
   * store, and ours would be a second copy. */
  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_SQL,
                   _("Database %s: the claim on a submission was lost before it was stored"),
                   self->path);
      goto fail;
    }

  if (!exec (self, "COMMIT", error))
    goto fail;

  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

/**
 * haven_receiver_store_release:
 * @key: a key this caller claimed with haven_receiver_store_claim()
 *
 * Gives up an in-flight claim without storing anything, so that the next
 * attempt with @key is processed afresh. A key that is done stays done.
 */
gboolean
haven_receiver_store_release (HavenReceiverStore  *self,
                              const char          *key,
                              GError             **error)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return delete_claim (self, key, error);
}

/**
 * haven_receiver_store_release_stale:
 * @stale_after: seconds after which an in-flight claim is taken to be left
 *   behind
 * @n_released: (out) (optional): how many claims were released
 *
 * Releases the in-flight claims that a receiver which stopped before it
 * finished left behind, as at start-up.
 */
gboolean
haven_receiver_store_release_stale (HavenReceiverStore  *self,
                                    gint64               stale_after,
                                    guint               *n_released,
                                    GError             **error)
{
  sqlite3_stmt *statement = NULL;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!prepare (self,
                "DELETE FROM idempotency_keys WHERE state = 'in-flight' AND started_at < ?1",
                &statement, error))
    return FALSE;

  sqlite3_bind_int64 (statement, 1, now_seconds () - stale_after);
  if (!step_done (self, statement, error))
    return FALSE;

  if (n_released != NULL)
    *n_released = (guint) sqlite3_changes (self->db);

  return TRUE;
}
