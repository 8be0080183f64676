/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libpq-fe.h>

#include "haven-receiver-pg-store.h"

/* The receiver's store in PostgreSQL, for a fleet: any number of
 * receivers on one database serve the same kiosks, and exactly once is
 * kept by the database alone.
 *
 * - A claim is one INSERT … ON CONFLICT statement: a new key is inserted
 *   in flight; an existing one is taken over only when it is in flight,
 *   stale, and from the same client with the same body. PostgreSQL locks
 *   the conflicting row, so of two receivers claiming one key at once
 *   exactly one inserts or takes over, and the other then sees a fresh
 *   claim (409).
 * - Accepting is one statement too: the key is marked done (only while
 *   this instance holds its claim) and the request is inserted from what
 *   that UPDATE returned, so both happen in one transaction or neither
 *   does, and a receiver whose claim was taken over stores nothing.
 * - Times in claims are the database's clock, so receivers on machines
 *   whose clocks differ agree on what is stale.
 *
 * Connections come from a small pool under a mutex, one per calling
 * thread at a time. A call that fails because its connection broke (the
 * server restarted) resets the connection and runs once more; when the
 * server cannot be reached the call fails with
 * HAVEN_RECEIVER_STORE_ERROR_UNAVAILABLE within the connect timeout.
 * Server messages are taken without their DETAIL, which may quote a row
 * and with it what a visitor wrote. */

/* Connections open at most at once; more callers wait for one. */
#define MAX_CONNECTIONS 8

/* Seconds a connection attempt may take, unless the URI says otherwise. */
#define CONNECT_TIMEOUT "5"

/* Milliseconds sent data may stay unacknowledged before the connection is
 * given up, so a server that vanished cannot hold a call for long. */
#define TCP_USER_TIMEOUT "10000"

/* TCP keepalives, so that a connection to a machine that vanished while
 * the receiver waited for an answer is given up in about 25 s: idle
 * seconds, then probes this far apart, this many. */
#define KEEPALIVES_IDLE "10"
#define KEEPALIVES_INTERVAL "5"
#define KEEPALIVES_COUNT "3"

/* Keeps the schema setup of receivers started at once in turn: any
 * constant, the same in every receiver. */
#define MIGRATION_LOCK_ID "7244551000017"

/* Keeps retention passes of receivers on one database from running at
 * once: another constant, the same in every receiver. */
#define RETENTION_LOCK_ID "7244551000020"

/* Puts appends to the audit log in one line across every receiver: each
 * append reads the last row and writes the next under it. */
#define AUDIT_LOCK_ID "7244551000018"

struct _HavenReceiverPgStore
{
  HavenReceiverStore parent_instance;

  char *uri;
  /* For messages: database, host and port, never a password. */
  char *name;

  /* Guards idle and n_open; cond says a connection came back. */
  GMutex lock;
  GCond cond;
  /* PGconn *, not in use. */
  GPtrArray *idle;
  guint n_open;
};

G_DEFINE_FINAL_TYPE (HavenReceiverPgStore, haven_receiver_pg_store, HAVEN_TYPE_RECEIVER_STORE)

/* One entry per schema version, as in the SQLite store: migrations[i]
 * takes the database from version i to i + 1; released entries are never
 * edited. The schema starts where the SQLite one stands at its version 4:
 * bodies as received, the envelope's columns, keys per client, and claims
 * that name their instance. started_at is in Unix seconds of the
 * database's clock. */
static const char * const migrations[] = {
  "CREATE TABLE requests ("
  "  request_id     text NOT NULL PRIMARY KEY,"
  "  client_id      text NOT NULL,"
  "  kind           text NOT NULL CHECK (kind IN ('removal', 'report')),"
  "  body           bytea NOT NULL,"
  "  sealed         boolean NOT NULL,"
  "  case_reference text NOT NULL UNIQUE,"
  "  status         text NOT NULL,"
  "  received_at    timestamptz NOT NULL,"
  "  category       text,"
  "  locale         text,"
  "  kiosk_id       text,"
  "  child_involved boolean,"
  "  created_at     timestamptz"
  ");"
  "CREATE INDEX requests_received_at ON requests (received_at);"
  "CREATE TABLE idempotency_keys ("
  "  key             text NOT NULL PRIMARY KEY,"
  "  client_id       text NOT NULL,"
  "  kind            text NOT NULL CHECK (kind IN ('removal', 'report')),"
  "  body_sha256     text NOT NULL,"
  "  state           text NOT NULL CHECK (state IN ('in-flight', 'done')),"
  "  claimed_by      text,"
  "  started_at      bigint NOT NULL,"
  "  response_status integer,"
  "  response_body   text,"
  "  CHECK ((state = 'done') = (response_status IS NOT NULL AND response_body IS NOT NULL))"
  ");"
  "CREATE INDEX idempotency_keys_in_flight ON idempotency_keys (started_at)"
  "  WHERE state = 'in-flight';",

  /* 2, the SQLite store's version 5: the caseworker API, as there.
   * audit_log's times are text, written by the store, so that a row's
   * hash can be computed again from what is stored; appends take an
   * advisory lock for the transaction (AUDIT_LOCK_ID), so the chain stays
   * one line whatever number of receivers append. TRUNCATE is refused as
   * UPDATE and DELETE are. */
  "CREATE TABLE credentials ("
  "  name         text NOT NULL PRIMARY KEY,"
  "  role         text NOT NULL CHECK (role IN ('kiosk', 'caseworker')),"
  "  token_sha256 text NOT NULL UNIQUE,"
  "  issued_at    timestamptz NOT NULL,"
  "  revoked_at   timestamptz"
  ");"
  "ALTER TABLE requests ADD COLUMN state text NOT NULL DEFAULT 'received'"
  "  CHECK (state IN ('received', 'open', 'waiting', 'closed'));"
  "ALTER TABLE requests ADD COLUMN updated_at timestamptz;"
  "ALTER TABLE requests ADD COLUMN closed_at timestamptz;"
  "CREATE INDEX requests_cases ON requests (received_at, case_reference);"
  "CREATE TABLE case_events ("
  "  id                 bigserial PRIMARY KEY,"
  "  case_reference     text NOT NULL REFERENCES requests (case_reference),"
  "  actor              text NOT NULL,"
  "  idempotency_key    text NOT NULL,"
  "  request_sha256     text NOT NULL,"
  "  type               text NOT NULL CHECK (type IN ('state', 'note', 'item-outcome')),"
  "  state              text CHECK (state IN ('received', 'open', 'waiting', 'closed')),"
  "  sealed_note        text,"
  "  item               integer,"
  "  outcome            text,"
  "  platform_reference text,"
  "  at                 timestamptz NOT NULL,"
  "  UNIQUE (actor, idempotency_key)"
  ");"
  "CREATE INDEX case_events_case ON case_events (case_reference, id);"
  "CREATE TABLE audit_log ("
  "  id             bigint NOT NULL PRIMARY KEY,"
  "  at             text NOT NULL,"
  "  actor          text NOT NULL,"
  "  role           text NOT NULL,"
  "  action         text NOT NULL,"
  "  case_reference text,"
  "  remote         text NOT NULL,"
  "  status         integer NOT NULL,"
  "  prev_hash      text NOT NULL,"
  "  row_hash       text NOT NULL"
  ");"
  "CREATE INDEX audit_log_case ON audit_log (case_reference, id);"
  "CREATE FUNCTION audit_log_append_only () RETURNS trigger LANGUAGE plpgsql AS $$"
  "  BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;"
  "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log"
  "  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only ();"
  "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
  "  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only ();",

  /* 3, the SQLite store's version 6, retention and fleet status: a body
   * may be destroyed (NULL, with body_destroyed_at), and kiosk_status
   * keeps each kiosk's latest report. */
  "ALTER TABLE requests ALTER COLUMN body DROP NOT NULL,"
  "  ADD COLUMN body_destroyed_at timestamptz,"
  "  ADD CONSTRAINT requests_body_destroyed"
  "    CHECK ((body IS NULL) = (body_destroyed_at IS NOT NULL));"
  "CREATE INDEX requests_closed_at ON requests (closed_at) WHERE closed_at IS NOT NULL;"
  "CREATE TABLE kiosk_status ("
  "  kiosk_id      text NOT NULL PRIMARY KEY,"
  "  report        text NOT NULL,"
  "  queued        bigint NOT NULL,"
  "  received_at   bigint NOT NULL,"
  "  received_from text NOT NULL"
  ");",

  /* 4, the SQLite store's version 7, the notice report: where an item is
   * hosted, as an item outcome may say; NULL for the events before. */
  "ALTER TABLE case_events ADD COLUMN hosting_provider text;",
};

#define NOW_SECONDS "extract(epoch FROM clock_timestamp())::bigint"

typedef gboolean (*Job) (HavenReceiverPgStore  *self,
                         PGconn                *connection,
                         gpointer               data,
                         GError               **error);

static void
connection_free (gpointer connection)
{
  PQfinish (connection);
}

static void
haven_receiver_pg_store_finalize (GObject *object)
{
  HavenReceiverPgStore *self = HAVEN_RECEIVER_PG_STORE (object);

  g_clear_pointer (&self->idle, g_ptr_array_unref);
  g_clear_pointer (&self->uri, g_free);
  g_clear_pointer (&self->name, g_free);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (haven_receiver_pg_store_parent_class)->finalize (object);
}

/* PostgreSQL's message, first line only: the primary message of a
 * result, or the connection's own (which never quotes a row). */
static char *
first_line (const char *message)
{
  const char *end;

  if (message == NULL || *message == '\0')
    return g_strdup (_("unknown error"));

  end = strchr (message, '\n');
  return end != NULL ? g_strndup (message, end - message) : g_strdup (message);
}

static gboolean
is_unavailable_state (const char *sqlstate)
{
  /* 08: connection exceptions; 57P: the server shutting down, crashed or
   * starting up. */
  return sqlstate != NULL &&
         (g_str_has_prefix (sqlstate, "08") || g_str_has_prefix (sqlstate, "57P"));
}

static gboolean
set_result_error (HavenReceiverPgStore  *self,
                  PGconn                *connection,
                  PGresult              *result,
                  GError               **error)
{
  const char *sqlstate = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  const char *primary = result != NULL ? PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY)
                                       : NULL;
  g_autofree char *message = first_line (primary != NULL ? primary
                                                         : PQerrorMessage (connection));
  HavenReceiverStoreError code = HAVEN_RECEIVER_STORE_ERROR_SQL;

  if (PQstatus (connection) != CONNECTION_OK || is_unavailable_state (sqlstate))
    code = HAVEN_RECEIVER_STORE_ERROR_UNAVAILABLE;
  else if (g_strcmp0 (sqlstate, "23505") == 0 &&
           (g_strcmp0 (PQresultErrorField (result, PG_DIAG_CONSTRAINT_NAME),
                       "requests_case_reference_key") == 0 ||
            g_strcmp0 (PQresultErrorField (result, PG_DIAG_CONSTRAINT_NAME),
                       "credentials_pkey") == 0))
    code = HAVEN_RECEIVER_STORE_ERROR_DUPLICATE;

  g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, code, _("Database %s: %s"), self->name,
               message);
  return FALSE;
}

/* Runs @sql with text parameters (NULL for SQL NULL), and returns its
 * result, or NULL with @error. */
static PGresult *
run_sql (HavenReceiverPgStore  *self,
         PGconn                *connection,
         const char            *sql,
         int                    n_params,
         const char * const    *values,
         const int             *lengths,
         const int             *formats,
         GError               **error)
{
  PGresult *result = PQexecParams (connection, sql, n_params, NULL, values, lengths, formats, 0);
  ExecStatusType status = PQresultStatus (result);

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      set_result_error (self, connection, result, error);
      PQclear (result);
      return NULL;
    }

  return result;
}

/* Runs @sql, which may be several statements (as a migration is) and
 * takes no parameters. */
static gboolean
run_command (HavenReceiverPgStore  *self,
             PGconn                *connection,
             const char            *sql,
             GError               **error)
{
  PGresult *result = PQexec (connection, sql);
  ExecStatusType status = PQresultStatus (result);
  gboolean ok = TRUE;

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    ok = set_result_error (self, connection, result, error);

  PQclear (result);
  return ok;
}

/* PostgreSQL's notices (such as "already exists, skipping" for the
 * schema_version table each start) are not for the operator. */
static void
ignore_notice (void       *user_data,
               const char *message)
{
}

static PGconn *
connect_to_server (HavenReceiverPgStore  *self,
                   GError               **error)
{
  /* Earlier keywords are overridden by what the URI (dbname, expanded)
   * says, so an operator's own connect_timeout wins. */
  const char * const keywords[] = {
    "connect_timeout", "tcp_user_timeout", "keepalives_idle", "keepalives_interval",
    "keepalives_count", "application_name", "dbname", NULL
  };
  const char * const values[] = {
    CONNECT_TIMEOUT, TCP_USER_TIMEOUT, KEEPALIVES_IDLE, KEEPALIVES_INTERVAL, KEEPALIVES_COUNT,
    "haven-receiver", self->uri, NULL
  };
  PGconn *connection = PQconnectdbParams (keywords, values, 1);

  if (PQstatus (connection) != CONNECTION_OK)
    {
      g_autofree char *message = first_line (PQerrorMessage (connection));

      g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_UNAVAILABLE,
                   _("Database %s cannot be reached: %s"), self->name, message);
      PQfinish (connection);
      return NULL;
    }

  PQsetNoticeProcessor (connection, ignore_notice, NULL);
  return connection;
}

static PGconn *
take_connection (HavenReceiverPgStore  *self,
                 GError               **error)
{
  PGconn *connection;

  g_mutex_lock (&self->lock);
  while (self->idle->len == 0 && self->n_open >= MAX_CONNECTIONS)
    g_cond_wait (&self->cond, &self->lock);

  if (self->idle->len > 0)
    {
      connection = g_ptr_array_steal_index (self->idle, self->idle->len - 1);
      g_mutex_unlock (&self->lock);
      return connection;
    }

  /* Counted before it is made, so that no more than MAX_CONNECTIONS are
   * ever being made or in use. */
  self->n_open++;
  g_mutex_unlock (&self->lock);

  connection = connect_to_server (self, error);
  if (connection == NULL)
    {
      g_mutex_lock (&self->lock);
      self->n_open--;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->lock);
    }

  return connection;
}

static void
give_back_connection (HavenReceiverPgStore *self,
                      PGconn               *connection)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->idle, connection);
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

/* Runs @job on a connection of the pool. When it fails because the
 * connection broke, the connection is reset and @job runs once more: each
 * job is one statement or one transaction, which either happened or did
 * not, and running it again after one that did is safe (it then finds its
 * claim done, or gone, and says so). */
static gboolean
run_job (HavenReceiverPgStore  *self,
         Job                    job,
         gpointer               data,
         GError               **error)
{
  g_autoptr(GError) first_error = NULL;
  PGconn *connection;
  gboolean ok;

  connection = take_connection (self, error);
  if (connection == NULL)
    return FALSE;

  ok = job (self, connection, data, &first_error);
  if (!ok && PQstatus (connection) != CONNECTION_OK)
    {
      PQreset (connection);
      if (PQstatus (connection) == CONNECTION_OK)
        {
          ok = job (self, connection, data, error);
        }
      else
        {
          g_autofree char *message = first_line (PQerrorMessage (connection));

          g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_UNAVAILABLE,
                       _("Database %s cannot be reached: %s"), self->name, message);
        }
    }
  else if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
    }

  give_back_connection (self, connection);
  return ok;
}

/* Claims ------------------------------------------------------------------ */

typedef struct {
  const char *client_id;
  const char *key;
  HavenRequestKind kind;
  const char *body_sha256;
  gint64 stale_after;
  HavenReceiverClaim *claim;
  guint *response_status;
  char **response_body;
} ClaimJob;

/* How many times a claim looks again when the key it found taken was
 * released before it could read it. */
#define CLAIM_ATTEMPTS 4

static gboolean
claim_job (HavenReceiverPgStore  *self,
           PGconn                *connection,
           gpointer               data,
           GError               **error)
{
  ClaimJob *job = data;
  g_autofree char *stale_after = g_strdup_printf ("%" G_GINT64_FORMAT, job->stale_after);
  const char *kind = haven_request_kind_to_string (job->kind);
  const char *insert_values[] = {
    job->key, job->client_id, kind, job->body_sha256,
    haven_receiver_store_get_instance_id (HAVEN_RECEIVER_STORE (self)), stale_after,
  };
  const char *select_values[] = { job->key };

  for (guint attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++)
    {
      PGresult *result;

      result = run_sql (self, connection,
                        "INSERT INTO idempotency_keys AS k (key, client_id, kind, body_sha256, "
                        "  state, claimed_by, started_at) "
                        "VALUES ($1, $2, $3, $4, 'in-flight', $5, " NOW_SECONDS ") "
                        "ON CONFLICT (key) DO UPDATE "
                        "  SET claimed_by = EXCLUDED.claimed_by, started_at = EXCLUDED.started_at "
                        "  WHERE k.state = 'in-flight' AND k.client_id = EXCLUDED.client_id "
                        "    AND k.kind = EXCLUDED.kind AND k.body_sha256 = EXCLUDED.body_sha256 "
                        "    AND k.started_at < EXCLUDED.started_at - $6::bigint "
                        "RETURNING (xmax = 0)",
                        G_N_ELEMENTS (insert_values), insert_values, NULL, NULL, error);
      if (result == NULL)
        return FALSE;

      if (PQntuples (result) == 1)
        {
          /* xmax is 0 for a row this statement inserted. */
          if (g_strcmp0 (PQgetvalue (result, 0, 0), "t") != 0)
            g_message ("Took over a submission left in flight by a receiver that stopped");
          PQclear (result);
          *job->claim = HAVEN_RECEIVER_CLAIM_NEW;
          return TRUE;
        }
      PQclear (result);

      result = run_sql (self, connection,
                        "SELECT client_id, kind, body_sha256, state, response_status, "
                        "response_body FROM idempotency_keys WHERE key = $1",
                        G_N_ELEMENTS (select_values), select_values, NULL, NULL, error);
      if (result == NULL)
        return FALSE;

      if (PQntuples (result) == 0)
        {
          /* Released between the two statements: claim it afresh. */
          PQclear (result);
          continue;
        }

      if (g_strcmp0 (PQgetvalue (result, 0, 0), job->client_id) != 0 ||
          g_strcmp0 (PQgetvalue (result, 0, 1), kind) != 0 ||
          g_strcmp0 (PQgetvalue (result, 0, 2), job->body_sha256) != 0)
        {
          *job->claim = HAVEN_RECEIVER_CLAIM_MISMATCH;
        }
      else if (g_str_equal (PQgetvalue (result, 0, 3), "done"))
        {
          *job->claim = HAVEN_RECEIVER_CLAIM_DONE;
          *job->response_status = (guint) g_ascii_strtoull (PQgetvalue (result, 0, 4), NULL, 10);
          g_free (*job->response_body);
          *job->response_body = g_strdup (PQgetvalue (result, 0, 5));
        }
      else
        {
          *job->claim = HAVEN_RECEIVER_CLAIM_IN_FLIGHT;
        }

      PQclear (result);
      return TRUE;
    }

  /* Claimed and released over and over as we looked: busy, try later. */
  *job->claim = HAVEN_RECEIVER_CLAIM_IN_FLIGHT;
  return TRUE;
}

static gboolean
haven_receiver_pg_store_claim (HavenReceiverStore  *store,
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
  ClaimJob job = {
    client_id, key, kind, body_sha256, stale_after, claim, response_status, response_body,
  };

  if (!run_job (HAVEN_RECEIVER_PG_STORE (store), claim_job, &job, error))
    {
      g_clear_pointer (response_body, g_free);
      return FALSE;
    }

  return TRUE;
}

/* Accepting --------------------------------------------------------------- */

typedef struct {
  const char *client_id;
  const char *key;
  HavenRequestKind kind;
  GBytes *body;
  gboolean sealed;
  const HavenRequestEnvelope *envelope;
  const char *case_reference;
  guint response_status;
  const char *response_body;
} AcceptJob;

static gboolean
accept_job (HavenReceiverPgStore  *self,
            PGconn                *connection,
            gpointer               data,
            GError               **error)
{
  AcceptJob *job = data;
  const HavenRequestEnvelope *envelope = job->envelope;
  g_autofree char *response_status = g_strdup_printf ("%u", job->response_status);
  g_autofree char *created_at = NULL;
  gsize body_length = 0;
  const char *body_data = g_bytes_get_data (job->body, &body_length);
  const char *values[14];
  int lengths[14] = { 0, };
  int formats[14] = { 0, };
  PGresult *result;
  gboolean stored;

  if (envelope != NULL && envelope->created_at != NULL)
    created_at = g_date_time_format_iso8601 (envelope->created_at);

  values[0] = job->key;
  values[1] = job->client_id;
  values[2] = response_status;
  values[3] = job->response_body;
  values[4] = haven_receiver_store_get_instance_id (HAVEN_RECEIVER_STORE (self));
  values[5] = haven_request_kind_to_string (job->kind);
  /* The body goes as binary, byte for byte; "" stands for an empty one,
   * which a NULL pointer would make SQL NULL. */
  values[6] = body_length > 0 ? body_data : "";
  lengths[6] = (int) body_length;
  formats[6] = 1;
  values[7] = job->sealed ? "t" : "f";
  values[8] = job->case_reference;
  values[9] = envelope != NULL ? envelope->category : NULL;
  values[10] = envelope != NULL ? envelope->locale : NULL;
  values[11] = envelope != NULL ? envelope->kiosk_id : NULL;
  values[12] = envelope != NULL ? (envelope->child_involved ? "t" : "f") : NULL;
  values[13] = created_at;

  /* One statement, so one transaction: the key is marked done only while
   * this instance holds its claim, and the request is inserted from that
   * UPDATE's row, so with no claim nothing is inserted. */
  result = run_sql (self, connection,
                    "WITH done AS ("
                    "  UPDATE idempotency_keys SET state = 'done', "
                    "    response_status = $3::integer, response_body = $4 "
                    "  WHERE key = $1 AND client_id = $2 AND state = 'in-flight' "
                    "    AND claimed_by = $5 "
                    "  RETURNING key, client_id) "
                    "INSERT INTO requests (request_id, client_id, kind, body, sealed, "
                    "  case_reference, status, received_at, category, locale, kiosk_id, "
                    "  child_involved, created_at) "
                    "SELECT key, client_id, $6, $7::bytea, $8::boolean, $9, 'received', "
                    "  clock_timestamp(), $10, $11, $12, $13::boolean, $14::timestamptz "
                    "FROM done",
                    G_N_ELEMENTS (values), values, lengths, formats, error);
  if (result == NULL)
    return FALSE;

  stored = g_strcmp0 (PQcmdTuples (result), "1") == 0;
  PQclear (result);

  /* Another receiver took the claim over as stale, or an earlier run of
   * this very statement was committed before its connection broke: the
   * request is stored once already, or will be by the new holder. */
  if (!stored)
    {
      g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_CLAIM_LOST,
                   _("Database %s: the claim on a submission was lost before it was stored"),
                   self->name);
      return FALSE;
    }

  return TRUE;
}

static gboolean
haven_receiver_pg_store_accept (HavenReceiverStore          *store,
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
  AcceptJob job = {
    client_id, key, kind, body, sealed, envelope, case_reference, response_status,
    response_body,
  };

  return run_job (HAVEN_RECEIVER_PG_STORE (store), accept_job, &job, error);
}

/* Releasing --------------------------------------------------------------- */

typedef struct {
  const char *client_id;
  const char *key;
  gint64 stale_after;
  guint n_released;
} ReleaseJob;

static gboolean
release_job (HavenReceiverPgStore  *self,
             PGconn                *connection,
             gpointer               data,
             GError               **error)
{
  ReleaseJob *job = data;
  const char *values[] = {
    job->key, job->client_id, haven_receiver_store_get_instance_id (HAVEN_RECEIVER_STORE (self)),
  };
  PGresult *result;

  result = run_sql (self, connection,
                    "DELETE FROM idempotency_keys WHERE key = $1 AND client_id = $2 "
                    "AND state = 'in-flight' AND claimed_by = $3",
                    G_N_ELEMENTS (values), values, NULL, NULL, error);
  if (result == NULL)
    return FALSE;

  PQclear (result);
  return TRUE;
}

static gboolean
haven_receiver_pg_store_release (HavenReceiverStore  *store,
                                 const char          *client_id,
                                 const char          *key,
                                 GError             **error)
{
  ReleaseJob job = { client_id, key, 0, 0 };

  return run_job (HAVEN_RECEIVER_PG_STORE (store), release_job, &job, error);
}

static gboolean
release_stale_job (HavenReceiverPgStore  *self,
                   PGconn                *connection,
                   gpointer               data,
                   GError               **error)
{
  ReleaseJob *job = data;
  g_autofree char *stale_after = g_strdup_printf ("%" G_GINT64_FORMAT, job->stale_after);
  const char *values[] = { stale_after };
  PGresult *result;

  result = run_sql (self, connection,
                    "DELETE FROM idempotency_keys WHERE state = 'in-flight' "
                    "AND started_at < " NOW_SECONDS " - $1::bigint",
                    G_N_ELEMENTS (values), values, NULL, NULL, error);
  if (result == NULL)
    return FALSE;

  job->n_released = (guint) g_ascii_strtoull (PQcmdTuples (result), NULL, 10);
  PQclear (result);
  return TRUE;
}

static gboolean
haven_receiver_pg_store_release_stale (HavenReceiverStore  *store,
                                       gint64               stale_after,
                                       guint               *n_released,
                                       GError             **error)
{
  ReleaseJob job = { NULL, NULL, stale_after, 0 };

  if (!run_job (HAVEN_RECEIVER_PG_STORE (store), release_stale_job, &job, error))
    return FALSE;

  *n_released = job.n_released;
  return TRUE;
}

/* The caseworker API ------------------------------------------------------ */

/* A time as the SQLite store writes it: RFC 3339 UTC, microseconds. */
#define UTC_TEXT(column) \
  "to_char (" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

static char *
value_text (PGresult *result,
            int       row,
            int       column)
{
  if (PQgetisnull (result, row, column))
    return NULL;
  return g_strdup (PQgetvalue (result, row, column));
}

typedef struct {
  const char *name;
  const char *role;
  const char *token_sha256;
  gboolean revoked;
  GPtrArray *credentials;
  char *found_name;
  char *found_role;
} CredentialJob;

static gboolean
add_credential_job (HavenReceiverPgStore  *self,
                    PGconn                *connection,
                    gpointer               data,
                    GError               **error)
{
  CredentialJob *job = data;
  const char *values[] = { job->name, job->role, job->token_sha256 };
  PGresult *result;

  result = run_sql (self, connection,
                    "INSERT INTO credentials (name, role, token_sha256, issued_at) "
                    "VALUES ($1, $2, $3, clock_timestamp ())",
                    G_N_ELEMENTS (values), values, NULL, NULL, error);
  if (result == NULL)
    return FALSE;
  PQclear (result);
  return TRUE;
}

static gboolean
haven_receiver_pg_store_add_credential (HavenReceiverStore  *store,
                                        const char          *name,
                                        const char          *role,
                                        const char          *token_sha256,
                                        GError             **error)
{
  CredentialJob job = { .name = name, .role = role, .token_sha256 = token_sha256 };

  return run_job (HAVEN_RECEIVER_PG_STORE (store), add_credential_job, &job, error);
}

static gboolean
revoke_credential_job (HavenReceiverPgStore  *self,
                       PGconn                *connection,
                       gpointer               data,
                       GError               **error)
{
  CredentialJob *job = data;
  const char *values[] = { job->name };
  PGresult *result;

  result = run_sql (self, connection,
                    "UPDATE credentials SET revoked_at = clock_timestamp () "
                    "WHERE name = $1 AND revoked_at IS NULL",
                    G_N_ELEMENTS (values), values, NULL, NULL, error);
  if (result == NULL)
    return FALSE;
  job->revoked = g_strcmp0 (PQcmdTuples (result), "1") == 0;
  PQclear (result);
  return TRUE;
}

static gboolean
haven_receiver_pg_store_revoke_credential (HavenReceiverStore  *store,
                                           const char          *name,
                                           gboolean            *revoked,
                                           GError             **error)
{
  CredentialJob job = { .name = name };

  if (!run_job (HAVEN_RECEIVER_PG_STORE (store), revoke_credential_job, &job, error))
    return FALSE;
  *revoked = job.revoked;
  return TRUE;
}

static gboolean
list_credentials_job (HavenReceiverPgStore  *self,
                      PGconn                *connection,
                      gpointer               data,
                      GError               **error)
{
  CredentialJob *job = data;
  PGresult *result;

  result = run_sql (self, connection,
                    "SELECT name, role, " UTC_TEXT ("issued_at") ", " UTC_TEXT ("revoked_at")
                    " FROM credentials ORDER BY name",
                    0, NULL, NULL, NULL, error);
  if (result == NULL)
    return FALSE;

  /* A job may run twice: only the last run's rows count. */
  g_ptr_array_set_size (job->credentials, 0);
  for (int i = 0; i < PQntuples (result); i++)
    {
      HavenReceiverCredential *credential = g_new0 (HavenReceiverCredential, 1);

      credential->name = value_text (result, i, 0);
      credential->role = value_text (result, i, 1);
      credential->issued_at = value_text (result, i, 2);
      credential->revoked_at = value_text (result, i, 3);
      g_ptr_array_add (job->credentials, credential);
    }
  PQclear (result);
  return TRUE;
}

static gboolean
haven_receiver_pg_store_list_credentials (HavenReceiverStore  *store,
                                          GPtrArray           *credentials,
                                          GError             **error)
{
  CredentialJob job = { .credentials = credentials };

  return run_job (HAVEN_RECEIVER_PG_STORE (store), list_credentials_job, &job, error);
}

static gboolean
lookup_credential_job (HavenReceiverPgStore  *self,
                       PGconn                *connection,
                       gpointer               data,
                       GError               **error)
{
  CredentialJob *job = data;
  const char *values[] = { job->token_sha256 };
  PGresult *result;

  result = run_sql (self, connection,
                    "SELECT name, role FROM credentials WHERE token_sha256 = $1 "
                    "AND revoked_at IS NULL",
                    G_N_ELEMENTS (values), values, NULL, NULL, error);
  if (result == NULL)
    return FALSE;
  g_clear_pointer (&job->found_name, g_free);
  g_clear_pointer (&job->found_role, g_free);
  if (PQntuples (result) == 1)
    {
      job->found_name = value_text (result, 0, 0);
      job->found_role = value_text (result, 0, 1);
    }
  PQclear (result);
  return TRUE;
}

static gboolean
haven_receiver_pg_store_lookup_credential (HavenReceiverStore  *store,
                                           const char          *token_sha256,
                                           char               **name,
                                           char               **role,
                                           GError             **error)
{
  CredentialJob job = { .token_sha256 = token_sha256 };

  if (!run_job (HAVEN_RECEIVER_PG_STORE (store), lookup_credential_job, &job, error))
    {
      g_free (job.found_name);
      g_free (job.found_role);
      return FALSE;
    }
  *name = job.found_name;
  *role = job.found_role;
  return TRUE;
}

#define CASE_COLUMNS \
  "case_reference, kind, category, locale, kiosk_id, child_involved::text, " \
  UTC_TEXT ("created_at") ", " UTC_TEXT ("received_at") ", state, sealed::text, " \
  UTC_TEXT ("updated_at") ", " UTC_TEXT ("closed_at") ", " UTC_TEXT ("body_destroyed_at")

static HavenReceiverCase *
read_case (PGresult *result,
           int       row)
{
  HavenReceiverCase *receiver_case = g_new0 (HavenReceiverCase, 1);

  receiver_case->case_reference = value_text (result, row, 0);
  receiver_case->kind = value_text (result, row, 1);
  receiver_case->category = value_text (result, row, 2);
  receiver_case->locale = value_text (result, row, 3);
  receiver_case->kiosk_id = value_text (result, row, 4);
  receiver_case->child_involved = PQgetisnull (result, row, 5)
                                  ? -1 : g_str_equal (PQgetvalue (result, row, 5), "true");
  receiver_case->created_at = value_text (result, row, 6);
  receiver_case->received_at = value_text (result, row, 7);
  receiver_case->received_at_key = value_text (result, row, 7);
  receiver_case->state = value_text (result, row, 8);
  receiver_case->sealed = g_str_equal (PQgetvalue (result, row, 9), "true");
  receiver_case->updated_at = value_text (result, row, 10);
  receiver_case->closed_at = value_text (result, row, 11);
  /* NULL until retention destroys the body. */
  receiver_case->body_destroyed_at = value_text (result, row, 12);
  return receiver_case;
}

typedef struct {
  const HavenReceiverCaseFilter *filter;
  GPtrArray *cases;
} ListCasesJob;

static gboolean
list_cases_job (HavenReceiverPgStore  *self,
                PGconn                *connection,
                gpointer               data,
                GError               **error)
{
  ListCasesJob *job = data;
  const HavenReceiverCaseFilter *filter = job->filter;
  g_autofree char *limit = g_strdup_printf ("%u", filter->limit);
  const char *values[] = {
    filter->kind, filter->category, filter->state, filter->kiosk_id, filter->received_after,
    filter->received_before,
    filter->child_involved < 0 ? NULL : (filter->child_involved ? "t" : "f"),
    filter->after_received_at, filter->after_case_reference, limit,
  };
  PGresult *result;

  result = run_sql (self, connection,
                    "SELECT " CASE_COLUMNS " FROM requests "
                    "WHERE ($1::text IS NULL OR kind = $1) "
                    "  AND ($2::text IS NULL OR category = $2) "
                    "  AND ($3::text IS NULL OR state = $3) "
                    "  AND ($4::text IS NULL OR kiosk_id = $4) "
                    "  AND ($5::timestamptz IS NULL OR received_at > $5::timestamptz) "
                    "  AND ($6::timestamptz IS NULL OR received_at < $6::timestamptz) "
                    "  AND ($7::boolean IS NULL OR child_involved = $7::boolean) "
                    "  AND ($8::timestamptz IS NULL OR "
                    "       (received_at, case_reference) < ($8::timestamptz, $9::text)) "
                    "ORDER BY received_at DESC, case_reference DESC LIMIT $10::integer",
                    G_N_ELEMENTS (values), values, NULL, NULL, error);
  if (result == NULL)
    return FALSE;

  g_ptr_array_set_size (job->cases, 0);
  for (int i = 0; i < PQntuples (result); i++)
    g_ptr_array_add (job->cases, read_case (result, i));
  PQclear (result);
  return TRUE;
}

static gboolean
haven_receiver_pg_store_list_cases (HavenReceiverStore             *store,
                                    const HavenReceiverCaseFilter  *filter,
                                    GPtrArray                      *cases,
                                    GError                        **error)
{
  ListCasesJob job = { filter, cases };

  return run_job (HAVEN_RECEIVER_PG_STORE (store), list_cases_job, &job, error);
}

/* Numbers as text, so that a column's name is not the number's: ORDER BY
 * says the table's column each time, or it would sort the text. */
#define EVENT_COLUMNS \
  "id::text, type, state, sealed_note, item::text, outcome, platform_reference, actor, " \
  UTC_TEXT ("at") ", hosting_provider"

static HavenReceiverCaseEvent *
read_event (PGresult *result,
            int       row)
{
  HavenReceiverCaseEvent *event = g_new0 (HavenReceiverCaseEvent, 1);

  event->id = g_ascii_strtoll (PQgetvalue (result, row, 0), NULL, 10);
  event->type = value_text (result, row, 1);
  event->state = value_text (result, row, 2);
  event->sealed_note = value_text (result, row, 3);
  event->item = PQgetisnull (result, row, 4)
                ? -1 : (int) g_ascii_strtoll (PQgetvalue (result, row, 4), NULL, 10);
  event->outcome = value_text (result, row, 5);
  event->platform_reference = value_text (result, row, 6);
  event->actor = value_text (result, row, 7);
  event->at = value_text (result, row, 8);
  event->hosting_provider = value_text (result, row, 9);
  return event;
}

typedef struct {
  const char *case_reference;
  HavenReceiverCase *receiver_case;
  GPtrArray *events;
  gboolean found;
  GBytes *body;
  gboolean sealed;
} GetCaseJob;

static gboolean
get_case_job (HavenReceiverPgStore  *self,
              PGconn                *connection,
              gpointer               data,
              GError               **error)
{
  GetCaseJob *job = data;
  const char *values[] = { job->case_reference };
  PGresult *result;

  g_clear_pointer (&job->receiver_case, haven_receiver_case_free);
  g_ptr_array_set_size (job->events, 0);

  /* One statement each; the events are read after the case, so a case
   * is never shown with events it does not have yet. */
  result = run_sql (self, connection,
                    "SELECT " CASE_COLUMNS " FROM requests WHERE case_reference = $1",
                    G_N_ELEMENTS (values), values, NULL, NULL, error);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) == 1)
    job->receiver_case = read_case (result, 0);
  PQclear (result);

  if (job->receiver_case == NULL)
    return TRUE;

  result = run_sql (self, connection,
                    "SELECT " EVENT_COLUMNS " FROM case_events WHERE case_reference = $1 "
                    "ORDER BY case_events.id",
                    G_N_ELEMENTS (values), values, NULL, NULL, error);
  if (result == NULL)
    return FALSE;
  for (int i = 0; i < PQntuples (result); i++)
    g_ptr_array_add (job->events, read_event (result, i));
  PQclear (result);
  return TRUE;
}

static gboolean
haven_receiver_pg_store_get_case (HavenReceiverStore  *store,
                                  const char          *case_reference,
                                  HavenReceiverCase  **receiver_case,
                                  GPtrArray           *events,
                                  GError             **error)
{
  GetCaseJob job = { .case_reference = case_reference, .events = events };

  if (!run_job (HAVEN_RECEIVER_PG_STORE (store), get_case_job, &job, error))
    {
      g_clear_pointer (&job.receiver_case, haven_receiver_case_free);
      return FALSE;
    }
  *receiver_case = job.receiver_case;
  return TRUE;
}

static gboolean
get_body_job (HavenReceiverPgStore  *self,
              PGconn                *connection,
              gpointer               data,
              GError               **error)
{
  GetCaseJob *job = data;
  const char *values[] = { job->case_reference };
  PGresult *result;

  /* The body in binary, byte for byte. */
  result = PQexecParams (connection,
                         "SELECT body, sealed FROM requests WHERE case_reference = $1",
                         1, NULL, values, NULL, NULL, 1);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    {
      set_result_error (self, connection, result, error);
      PQclear (result);
      return FALSE;
    }

  g_clear_pointer (&job->body, g_bytes_unref);
  job->found = PQntuples (result) == 1;
  if (job->found)
    {
      /* Retention leaves a destroyed body NULL. */
      if (!PQgetisnull (result, 0, 0))
        job->body = g_bytes_new (PQgetvalue (result, 0, 0),
                                 (gsize) PQgetlength (result, 0, 0));
      /* A binary boolean is one byte. */
      job->sealed = PQgetvalue (result, 0, 1)[0] != 0;
    }
  PQclear (result);
  return TRUE;
}

static gboolean
haven_receiver_pg_store_get_body (HavenReceiverStore  *store,
                                  const char          *case_reference,
                                  gboolean            *found,
                                  GBytes             **body,
                                  gboolean            *sealed,
                                  GError             **error)
{
  GetCaseJob job = { .case_reference = case_reference };

  if (!run_job (HAVEN_RECEIVER_PG_STORE (store), get_body_job, &job, error))
    {
      g_clear_pointer (&job.body, g_bytes_unref);
      return FALSE;
    }
  *found = job.found;
  *body = job.body;
  *sealed = job.sealed;
  return TRUE;
}

typedef struct {
  const char *case_reference;
  const char *actor;
  const char *key;
  const char *request_sha256;
  const HavenReceiverCaseEvent *event;
  HavenReceiverEventResult result;
  HavenReceiverCaseEvent *stored;
  char *current_state;
} AddEventJob;

static gboolean
read_event_by_id (HavenReceiverPgStore     *self,
                  PGconn                   *connection,
                  const char               *id,
                  HavenReceiverCaseEvent  **event,
                  GError                  **error)
{
  const char *values[] = { id };
  PGresult *result;

  result = run_sql (self, connection, "SELECT " EVENT_COLUMNS " FROM case_events WHERE id = $1",
                    G_N_ELEMENTS (values), values, NULL, NULL, error);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) == 1)
    *event = read_event (result, 0);
  PQclear (result);
  return *event != NULL;
}

/* Inside the job's transaction. */
static gboolean
add_event_in_transaction (HavenReceiverPgStore  *self,
                          PGconn                *connection,
                          AddEventJob           *job,
                          GError               **error)
{
  const HavenReceiverCaseEvent *event = job->event;
  gboolean is_state = g_str_equal (event->type, "state");
  g_autofree char *item = event->item >= 0 ? g_strdup_printf ("%d", event->item) : NULL;
  g_autofree char *kind = NULL;
  g_autofree char *event_id = NULL;
  gboolean has_case = FALSE;
  gboolean body_destroyed = FALSE;
  PGresult *result;

  {
    const char *values[] = { job->case_reference };

    /* FOR UPDATE: events on one case take turns, whichever receiver they
     * reach, so each sees the state the one before it left. */
    result = run_sql (self, connection,
                      "SELECT state, kind, body IS NULL FROM requests WHERE case_reference = $1 "
                      "FOR UPDATE",
                      G_N_ELEMENTS (values), values, NULL, NULL, error);
    if (result == NULL)
      return FALSE;
    if (PQntuples (result) == 1)
      {
        has_case = TRUE;
        job->current_state = value_text (result, 0, 0);
        kind = value_text (result, 0, 1);
        body_destroyed = g_str_equal (PQgetvalue (result, 0, 2), "t");
      }
    PQclear (result);
  }

  {
    const char *values[] = { job->actor, job->key };

    result = run_sql (self, connection,
                      "SELECT id::text, request_sha256, case_reference FROM case_events "
                      "WHERE actor = $1 AND idempotency_key = $2",
                      G_N_ELEMENTS (values), values, NULL, NULL, error);
    if (result == NULL)
      return FALSE;
    if (PQntuples (result) == 1)
      {
        gboolean same = g_str_equal (PQgetvalue (result, 0, 1), job->request_sha256) &&
                        g_str_equal (PQgetvalue (result, 0, 2), job->case_reference);

        event_id = value_text (result, 0, 0);
        PQclear (result);
        if (!same)
          {
            job->result = HAVEN_RECEIVER_EVENT_KEY_MISMATCH;
            return TRUE;
          }
        job->result = HAVEN_RECEIVER_EVENT_REPEATED;
        return read_event_by_id (self, connection, event_id, &job->stored, error);
      }
    PQclear (result);
  }

  if (!has_case)
    {
      job->result = HAVEN_RECEIVER_EVENT_NO_CASE;
      return TRUE;
    }

  if (is_state && (!haven_receiver_case_state_can_follow (job->current_state, event->state) ||
                   (g_str_equal (job->current_state, "closed") && body_destroyed)))
    {
      job->result = HAVEN_RECEIVER_EVENT_BAD_TRANSITION;
      return TRUE;
    }

  if (g_str_equal (event->type, "item-outcome") && g_strcmp0 (kind, "removal") != 0)
    {
      job->result = HAVEN_RECEIVER_EVENT_NO_ITEMS;
      return TRUE;
    }

  {
    const char *values[] = {
      job->case_reference, job->actor, job->key, job->request_sha256, event->type, event->state,
      event->sealed_note, item, event->outcome, event->platform_reference,
      event->hosting_provider,
    };

    result = run_sql (self, connection,
                      "WITH added AS ("
                      "  INSERT INTO case_events (case_reference, actor, idempotency_key, "
                      "    request_sha256, type, state, sealed_note, item, outcome, "
                      "    platform_reference, at, hosting_provider) "
                      "  VALUES ($1, $2, $3, $4, $5, $6, $7, $8::integer, $9, $10, "
                      "    clock_timestamp (), $11) RETURNING id, at), "
                      "changed AS ("
                      "  UPDATE requests SET updated_at = (SELECT at FROM added), "
                      "    state = coalesce ($6, state), "
                      "    closed_at = CASE WHEN $5 <> 'state' THEN closed_at "
                      "      WHEN $6 = 'closed' THEN (SELECT at FROM added) ELSE NULL END "
                      "  WHERE case_reference = $1) "
                      "SELECT id::text FROM added",
                      G_N_ELEMENTS (values), values, NULL, NULL, error);
    if (result == NULL)
      return FALSE;
    event_id = value_text (result, 0, 0);
    PQclear (result);
  }

  if (is_state)
    {
      g_free (job->current_state);
      job->current_state = g_strdup (event->state);
    }

  job->result = HAVEN_RECEIVER_EVENT_CREATED;
  return read_event_by_id (self, connection, event_id, &job->stored, error);
}

static gboolean
add_event_job (HavenReceiverPgStore  *self,
               PGconn                *connection,
               gpointer               data,
               GError               **error)
{
  AddEventJob *job = data;

  /* A second run after a broken connection starts afresh; it then finds
   * the event the first run committed, if it did, as a repeat. */
  g_clear_pointer (&job->stored, haven_receiver_case_event_free);
  g_clear_pointer (&job->current_state, g_free);

  if (!run_command (self, connection, "BEGIN", error))
    return FALSE;

  if (!add_event_in_transaction (self, connection, job, error) ||
      !run_command (self, connection, "COMMIT", error))
    {
      if (PQstatus (connection) == CONNECTION_OK)
        run_command (self, connection, "ROLLBACK", NULL);
      return FALSE;
    }

  return TRUE;
}

static gboolean
haven_receiver_pg_store_add_event (HavenReceiverStore            *store,
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
  AddEventJob job = {
    .case_reference = case_reference, .actor = actor, .key = key,
    .request_sha256 = request_sha256, .event = event,
  };

  if (!run_job (HAVEN_RECEIVER_PG_STORE (store), add_event_job, &job, error))
    {
      g_clear_pointer (&job.stored, haven_receiver_case_event_free);
      g_clear_pointer (&job.current_state, g_free);
      return FALSE;
    }

  *result = job.result;
  *stored = job.stored;
  *current_state = job.current_state;
  return TRUE;
}

static gboolean
append_audit_in_transaction (HavenReceiverPgStore           *self,
                             PGconn                         *connection,
                             const HavenReceiverAuditEntry  *entry,
                             GError                        **error)
{
  HavenReceiverAuditEntry row = *entry;
  g_autofree char *at = haven_receiver_store_now_text ();
  g_autofree char *prev_hash = NULL;
  g_autofree char *row_hash = NULL;
  g_autofree char *id = NULL;
  g_autofree char *status = NULL;
  PGresult *result;

  if (!run_command (self, connection, "SELECT pg_advisory_xact_lock (" AUDIT_LOCK_ID ")", error))
    return FALSE;

  result = run_sql (self, connection,
                    "SELECT id::text, row_hash FROM audit_log ORDER BY audit_log.id DESC LIMIT 1",
                    0, NULL, NULL, NULL, error);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) == 1)
    {
      row.id = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10) + 1;
      prev_hash = value_text (result, 0, 1);
    }
  else
    {
      row.id = 1;
      prev_hash = g_strdup (HAVEN_RECEIVER_AUDIT_GENESIS);
    }
  PQclear (result);

  row.at = at;
  row.prev_hash = prev_hash;
  row_hash = haven_receiver_audit_entry_hash (&row);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, row.id);
  status = g_strdup_printf ("%u", row.status);

  {
    const char *values[] = {
      id, row.at, row.actor, row.role, row.action, row.case_reference, row.remote, status,
      row.prev_hash, row_hash,
    };

    result = run_sql (self, connection,
                      "INSERT INTO audit_log (id, at, actor, role, action, case_reference, "
                      "remote, status, prev_hash, row_hash) "
                      "VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8::integer, $9, $10)",
                      G_N_ELEMENTS (values), values, NULL, NULL, error);
    if (result == NULL)
      return FALSE;
    PQclear (result);
  }

  return TRUE;
}

static gboolean
append_audit_job (HavenReceiverPgStore  *self,
                  PGconn                *connection,
                  gpointer               data,
                  GError               **error)
{
  if (!run_command (self, connection, "BEGIN", error))
    return FALSE;

  if (!append_audit_in_transaction (self, connection, data, error) ||
      !run_command (self, connection, "COMMIT", error))
    {
      if (PQstatus (connection) == CONNECTION_OK)
        run_command (self, connection, "ROLLBACK", NULL);
      return FALSE;
    }

  return TRUE;
}

static gboolean
haven_receiver_pg_store_append_audit (HavenReceiverStore             *store,
                                      const HavenReceiverAuditEntry  *entry,
                                      GError                        **error)
{
  return run_job (HAVEN_RECEIVER_PG_STORE (store), append_audit_job, (gpointer) entry, error);
}

typedef struct {
  const char *case_reference;
  const char *actor;
  gint64 after_id;
  guint limit;
  GPtrArray *entries;
} ListAuditJob;

static gboolean
list_audit_job (HavenReceiverPgStore  *self,
                PGconn                *connection,
                gpointer               data,
                GError               **error)
{
  ListAuditJob *job = data;
  g_autofree char *after_id = g_strdup_printf ("%" G_GINT64_FORMAT, job->after_id);
  g_autofree char *limit = g_strdup_printf ("%u", job->limit);
  const char *values[] = { after_id, job->case_reference, job->actor, limit };
  PGresult *result;

  result = run_sql (self, connection,
                    "SELECT id::text, at, actor, role, action, case_reference, remote, "
                    "status::text, prev_hash, row_hash FROM audit_log "
                    "WHERE id > $1::bigint AND ($2::text IS NULL OR case_reference = $2) "
                    "AND ($3::text IS NULL OR actor = $3) ORDER BY audit_log.id LIMIT $4::integer",
                    G_N_ELEMENTS (values), values, NULL, NULL, error);
  if (result == NULL)
    return FALSE;

  g_ptr_array_set_size (job->entries, 0);
  for (int i = 0; i < PQntuples (result); i++)
    {
      HavenReceiverAuditEntry *entry = g_new0 (HavenReceiverAuditEntry, 1);

      entry->id = g_ascii_strtoll (PQgetvalue (result, i, 0), NULL, 10);
      entry->at = value_text (result, i, 1);
      entry->actor = value_text (result, i, 2);
      entry->role = value_text (result, i, 3);
      entry->action = value_text (result, i, 4);
      entry->case_reference = value_text (result, i, 5);
      entry->remote = value_text (result, i, 6);
      entry->status = (guint) g_ascii_strtoull (PQgetvalue (result, i, 7), NULL, 10);
      entry->prev_hash = value_text (result, i, 8);
      entry->row_hash = value_text (result, i, 9);
      g_ptr_array_add (job->entries, entry);
    }
  PQclear (result);
  return TRUE;
}

static gboolean
haven_receiver_pg_store_list_audit (HavenReceiverStore  *store,
                                    const char          *case_reference,
                                    const char          *actor,
                                    gint64               after_id,
                                    guint                limit,
                                    GPtrArray           *entries,
                                    GError             **error)
{
  ListAuditJob job = { case_reference, actor, after_id, limit, entries };

  return run_job (HAVEN_RECEIVER_PG_STORE (store), list_audit_job, &job, error);
}

/* Fleet status ------------------------------------------------------------ */

typedef struct {
  const char *kiosk_id;
  const char *report;
  gint64 queued;
  gint64 received_at;
  const char *received_from;
  gint64 now;
  gint64 silent_after;
  gint64 backed_up_over;
  GPtrArray *kiosks;
} KioskJob;

static gboolean
record_kiosk_status_job (HavenReceiverPgStore  *self,
                         PGconn                *connection,
                         gpointer               data,
                         GError               **error)
{
  KioskJob *job = data;
  g_autofree char *queued = g_strdup_printf ("%" G_GINT64_FORMAT, job->queued);
  g_autofree char *received_at = g_strdup_printf ("%" G_GINT64_FORMAT, job->received_at);
  const char *values[] = { job->kiosk_id, job->report, queued, received_at, job->received_from };
  PGresult *result;

  /* The latest wins, also when two receivers store a kiosk's reports out
   * of the order they came in. */
  result = run_sql (self, connection,
                    "INSERT INTO kiosk_status AS s (kiosk_id, report, queued, received_at, "
                    "  received_from) VALUES ($1, $2, $3::bigint, $4::bigint, $5) "
                    "ON CONFLICT (kiosk_id) DO UPDATE SET report = EXCLUDED.report, "
                    "  queued = EXCLUDED.queued, received_at = EXCLUDED.received_at, "
                    "  received_from = EXCLUDED.received_from "
                    "WHERE EXCLUDED.received_at >= s.received_at",
                    G_N_ELEMENTS (values), values, NULL, NULL, error);
  if (result == NULL)
    return FALSE;

  PQclear (result);
  return TRUE;
}

static gboolean
haven_receiver_pg_store_record_kiosk_status (HavenReceiverStore  *store,
                                             const char          *kiosk_id,
                                             const char          *report,
                                             gint64               queued,
                                             gint64               received_at,
                                             const char          *received_from,
                                             GError             **error)
{
  KioskJob job = { kiosk_id, report, queued, received_at, received_from, 0, 0, 0, NULL };

  return run_job (HAVEN_RECEIVER_PG_STORE (store), record_kiosk_status_job, &job, error);
}

static gboolean
list_kiosks_job (HavenReceiverPgStore  *self,
                 PGconn                *connection,
                 gpointer               data,
                 GError               **error)
{
  KioskJob *job = data;
  g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT, job->now);
  g_autofree char *silent_after = g_strdup_printf ("%" G_GINT64_FORMAT, job->silent_after);
  g_autofree char *backed_up_over = g_strdup_printf ("%" G_GINT64_FORMAT, job->backed_up_over);
  const char *values[] = { now, silent_after, backed_up_over };
  PGresult *result;

  result = run_sql (self, connection,
                    "SELECT kiosk_id, report, queued, received_at, received_from, "
                    "  received_at < $1::bigint - $2::bigint, queued > $3::bigint "
                    "FROM kiosk_status ORDER BY kiosk_id COLLATE \"C\"",
                    G_N_ELEMENTS (values), values, NULL, NULL, error);
  if (result == NULL)
    return FALSE;

  /* A run again after a broken connection starts afresh. */
  g_ptr_array_set_size (job->kiosks, 0);
  for (int row = 0; row < PQntuples (result); row++)
    {
      HavenReceiverKiosk *kiosk = g_new0 (HavenReceiverKiosk, 1);

      kiosk->kiosk_id = g_strdup (PQgetvalue (result, row, 0));
      kiosk->report = g_strdup (PQgetvalue (result, row, 1));
      kiosk->queued = g_ascii_strtoll (PQgetvalue (result, row, 2), NULL, 10);
      kiosk->received_at = g_ascii_strtoll (PQgetvalue (result, row, 3), NULL, 10);
      kiosk->received_from = g_strdup (PQgetvalue (result, row, 4));
      kiosk->silent = g_str_equal (PQgetvalue (result, row, 5), "t");
      kiosk->backed_up = g_str_equal (PQgetvalue (result, row, 6), "t");
      g_ptr_array_add (job->kiosks, kiosk);
    }

  PQclear (result);
  return TRUE;
}

static GPtrArray *
haven_receiver_pg_store_list_kiosks (HavenReceiverStore  *store,
                                     gint64               now,
                                     gint64               silent_after,
                                     gint64               backed_up_over,
                                     GError             **error)
{
  g_autoptr(GPtrArray) kiosks = g_ptr_array_new_with_free_func (
    (GDestroyNotify) haven_receiver_kiosk_free);
  KioskJob job = { NULL, NULL, 0, 0, NULL, now, silent_after, backed_up_over, kiosks };

  if (!run_job (HAVEN_RECEIVER_PG_STORE (store), list_kiosks_job, &job, error))
    return NULL;

  return g_steal_pointer (&kiosks);
}

/* Retention --------------------------------------------------------------- */

typedef struct {
  gint64 now;
  guint closed_days;
  guint max_days;
  HavenReceiverRetention *retention;
} RetentionJob;

/* Destroys the bodies that @where says are due, in the transaction open
 * on @connection, and adds their case references to @cases. $1 is the
 * time now, Unix seconds; $2 a number of days. */
static gboolean
destroy_where (HavenReceiverPgStore  *self,
               PGconn                *connection,
               const char            *where,
               gint64                 now,
               guint                  days,
               GPtrArray             *cases,
               GError               **error)
{
  g_autofree char *now_text = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  g_autofree char *days_text = g_strdup_printf ("%u", days);
  g_autofree char *sql = NULL;
  const char *values[] = { now_text, days_text };
  PGresult *result;

  sql = g_strdup_printf ("UPDATE requests SET body = NULL, "
                         "  body_destroyed_at = to_timestamp ($1::bigint) "
                         "WHERE body IS NOT NULL AND (%s) RETURNING case_reference",
                         where);
  result = run_sql (self, connection, sql, G_N_ELEMENTS (values), values, NULL, NULL, error);
  if (result == NULL)
    return FALSE;

  for (int row = 0; row < PQntuples (result); row++)
    g_ptr_array_add (cases, g_strdup (PQgetvalue (result, row, 0)));

  PQclear (result);
  return TRUE;
}

#define CLOSED_DUE "closed_at IS NOT NULL AND " \
                   "closed_at <= to_timestamp ($1::bigint) - make_interval (days => $2::integer)"
#define RECEIVED_DUE "received_at <= to_timestamp ($1::bigint) - " \
                     "make_interval (days => $2::integer)"

static gboolean
destroy_due_bodies_job (HavenReceiverPgStore  *self,
                        PGconn                *connection,
                        gpointer               data,
                        GError               **error)
{
  RetentionJob *job = data;
  HavenReceiverRetention *retention = job->retention;
  PGresult *result;
  gboolean locked;

  /* A run again after a broken connection starts afresh. */
  retention->skipped = FALSE;
  g_ptr_array_set_size (retention->closed_cases, 0);
  g_ptr_array_set_size (retention->expired_cases, 0);

  if (!run_command (self, connection, "BEGIN", error))
    return FALSE;

  /* One instance at a time; the lock goes with the transaction, so an
   * instance that dies mid-pass cannot keep it. */
  result = run_sql (self, connection, "SELECT pg_try_advisory_xact_lock (" RETENTION_LOCK_ID ")",
                    0, NULL, NULL, NULL, error);
  if (result == NULL)
    goto fail;
  locked = g_str_equal (PQgetvalue (result, 0, 0), "t");
  PQclear (result);

  if (!locked)
    {
      retention->skipped = TRUE;
      return run_command (self, connection, "ROLLBACK", error);
    }

  /* Closed first: a case due for both reasons counts as closed. */
  if (!destroy_where (self, connection, CLOSED_DUE, job->now, job->closed_days,
                      retention->closed_cases, error) ||
      !destroy_where (self, connection, RECEIVED_DUE, job->now, job->max_days,
                      retention->expired_cases, error) ||
      !run_command (self, connection, "COMMIT", error))
    goto fail;

  retention->n_closed = retention->closed_cases->len;
  retention->n_expired = retention->expired_cases->len;
  return TRUE;

fail:
  g_ptr_array_set_size (retention->closed_cases, 0);
  g_ptr_array_set_size (retention->expired_cases, 0);
  if (PQstatus (connection) == CONNECTION_OK)
    run_command (self, connection, "ROLLBACK", NULL);
  return FALSE;
}

static gboolean
haven_receiver_pg_store_destroy_due_bodies (HavenReceiverStore      *store,
                                            gint64                   now,
                                            guint                    closed_days,
                                            guint                    max_days,
                                            HavenReceiverRetention  *retention,
                                            GError                 **error)
{
  RetentionJob job = { now, closed_days, max_days, retention };

  /* PostgreSQL keeps a row's old version until VACUUM reuses its space,
   * and even then may not overwrite it at once: haven-caseworker-api-v1.md
   * ("Retention") says so, and what an operator does about it. */
  return run_job (HAVEN_RECEIVER_PG_STORE (store), destroy_due_bodies_job, &job, error);
}

/* The notice report ------------------------------------------------------- */

typedef struct {
  const char *first_at;
  const char *last_at;
  GPtrArray *outcomes;
} NoticeOutcomesJob;

static gboolean
list_notice_outcomes_job (HavenReceiverPgStore  *self,
                          PGconn                *connection,
                          gpointer               data,
                          GError               **error)
{
  NoticeOutcomesJob *job = data;
  const char *values[] = { job->first_at, job->last_at };
  PGresult *result;

  result = run_sql (self, connection,
                    "WITH addresses AS ("
                    "  SELECT case_reference, item FROM case_events "
                    "  WHERE type = 'item-outcome' AND outcome = 'notice-sent' "
                    "  GROUP BY case_reference, item "
                    "  HAVING min (at) >= $1::timestamptz AND min (at) <= $2::timestamptz) "
                    "SELECT e.case_reference, r.category, e.item::text, e.outcome, "
                    "  e.hosting_provider "
                    "FROM addresses a "
                    "JOIN case_events e ON e.case_reference = a.case_reference "
                    "  AND e.item = a.item AND e.type = 'item-outcome' "
                    "JOIN requests r ON r.case_reference = e.case_reference "
                    "  AND r.kind = 'removal' "
                    "ORDER BY e.case_reference, e.item, e.at, e.id",
                    G_N_ELEMENTS (values), values, NULL, NULL, error);
  if (result == NULL)
    return FALSE;

  /* A run again after a broken connection starts afresh. */
  g_ptr_array_set_size (job->outcomes, 0);
  for (int row = 0; row < PQntuples (result); row++)
    {
      HavenReceiverItemOutcome *outcome = g_new0 (HavenReceiverItemOutcome, 1);

      outcome->case_reference = value_text (result, row, 0);
      outcome->category = value_text (result, row, 1);
      outcome->item = (int) g_ascii_strtoll (PQgetvalue (result, row, 2), NULL, 10);
      outcome->outcome = value_text (result, row, 3);
      outcome->hosting_provider = value_text (result, row, 4);
      g_ptr_array_add (job->outcomes, outcome);
    }

  PQclear (result);
  return TRUE;
}

static gboolean
haven_receiver_pg_store_list_notice_outcomes (HavenReceiverStore  *store,
                                              const char          *first_at,
                                              const char          *last_at,
                                              GPtrArray           *outcomes,
                                              GError             **error)
{
  NoticeOutcomesJob job = { first_at, last_at, outcomes };

  return run_job (HAVEN_RECEIVER_PG_STORE (store), list_notice_outcomes_job, &job, error);
}

/* Opening ----------------------------------------------------------------- */

static gboolean
migrate_job (HavenReceiverPgStore  *self,
             PGconn                *connection,
             gpointer               data,
             GError               **error)
{
  PGresult *result;
  int version;

  if (!run_command (self, connection, "BEGIN", error))
    return FALSE;

  /* Receivers started together take turns here, so only one creates the
   * schema; the lock goes with the transaction. */
  if (!run_command (self, connection, "SELECT pg_advisory_xact_lock (" MIGRATION_LOCK_ID ")",
                    error) ||
      !run_command (self, connection,
                    "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)", error))
    goto fail;

  result = run_sql (self, connection, "SELECT version FROM schema_version", 0, NULL, NULL, NULL,
                    error);
  if (result == NULL)
    goto fail;
  version = PQntuples (result) > 0 ? (int) g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10)
                                   : -1;
  PQclear (result);

  if (version < 0)
    {
      if (!run_command (self, connection, "INSERT INTO schema_version VALUES (0)", error))
        goto fail;
      version = 0;
    }

  if (version > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_NEWER_SCHEMA,
                   _("Database %s has schema version %d, but this haven-receiver knows "
                     "only versions up to %d; use a newer haven-receiver"),
                   self->name, version, (int) G_N_ELEMENTS (migrations));
      goto fail;
    }

  for (; version < (int) G_N_ELEMENTS (migrations); version++)
    {
      g_autofree char *set_version = g_strdup_printf ("UPDATE schema_version SET version = %d",
                                                      version + 1);

      if (!run_command (self, connection, migrations[version], error) ||
          !run_command (self, connection, set_version, error))
        goto fail;
    }

  if (!run_command (self, connection, "COMMIT", error))
    goto fail;

  return TRUE;

fail:
  if (PQstatus (connection) == CONNECTION_OK)
    run_command (self, connection, "ROLLBACK", NULL);
  return FALSE;
}

/* "haven on 127.0.0.1:5432", from the URI without its password. */
static char *
make_name (const char *uri)
{
  PQconninfoOption *options = PQconninfoParse (uri, NULL);
  const char *dbname = NULL;
  const char *host = NULL;
  const char *port = NULL;
  char *name;

  if (options == NULL)
    return g_strdup ("PostgreSQL");

  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    {
      if (g_str_equal (option->keyword, "dbname"))
        dbname = option->val;
      else if (g_str_equal (option->keyword, "host"))
        host = option->val;
      else if (g_str_equal (option->keyword, "port"))
        port = option->val;
    }

  name = g_strdup_printf ("%s on %s:%s", dbname != NULL ? dbname : "(default)",
                          host != NULL ? host : "localhost", port != NULL ? port : "5432");
  PQconninfoFree (options);
  return name;
}

static void
haven_receiver_pg_store_class_init (HavenReceiverPgStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  HavenReceiverStoreClass *store_class = HAVEN_RECEIVER_STORE_CLASS (klass);

  object_class->finalize = haven_receiver_pg_store_finalize;

  store_class->claim = haven_receiver_pg_store_claim;
  store_class->accept = haven_receiver_pg_store_accept;
  store_class->release = haven_receiver_pg_store_release;
  store_class->release_stale = haven_receiver_pg_store_release_stale;
  store_class->add_credential = haven_receiver_pg_store_add_credential;
  store_class->revoke_credential = haven_receiver_pg_store_revoke_credential;
  store_class->list_credentials = haven_receiver_pg_store_list_credentials;
  store_class->lookup_credential = haven_receiver_pg_store_lookup_credential;
  store_class->list_cases = haven_receiver_pg_store_list_cases;
  store_class->get_case = haven_receiver_pg_store_get_case;
  store_class->get_body = haven_receiver_pg_store_get_body;
  store_class->add_event = haven_receiver_pg_store_add_event;
  store_class->append_audit = haven_receiver_pg_store_append_audit;
  store_class->list_audit = haven_receiver_pg_store_list_audit;
  store_class->record_kiosk_status = haven_receiver_pg_store_record_kiosk_status;
  store_class->list_kiosks = haven_receiver_pg_store_list_kiosks;
  store_class->destroy_due_bodies = haven_receiver_pg_store_destroy_due_bodies;
  store_class->list_notice_outcomes = haven_receiver_pg_store_list_notice_outcomes;
}

static void
haven_receiver_pg_store_init (HavenReceiverPgStore *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->idle = g_ptr_array_new_with_free_func (connection_free);
}

/**
 * haven_receiver_pg_store_open:
 * @uri: "postgresql://…" or "postgres://…", as libpq takes it
 *
 * Connects (giving up after the connect timeout, 5 s unless @uri says
 * otherwise) and brings the schema up to date.
 */
HavenReceiverPgStore *
haven_receiver_pg_store_open (const char  *uri,
                              GError     **error)
{
  g_autoptr(HavenReceiverPgStore) self = NULL;
  char *parse_error = NULL;
  PQconninfoOption *options;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  options = PQconninfoParse (uri, &parse_error);
  if (options == NULL)
    {
      g_autofree char *message = first_line (parse_error);

      g_set_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_OPEN,
                   _("The database URI cannot be used: %s"), message);
      PQfreemem (parse_error);
      return NULL;
    }
  PQconninfoFree (options);

  self = g_object_new (HAVEN_TYPE_RECEIVER_PG_STORE, NULL);
  self->uri = g_strdup (uri);
  self->name = make_name (uri);

  if (!run_job (self, migrate_job, NULL, error))
    return NULL;

  return g_steal_pointer (&self);
}
