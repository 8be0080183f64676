/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receiver-store"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "haven-receiver-store.h"
#include "pg-cluster.h"
#include "receiver-database.h"
#include "test-files.h"

/* The receiver's store itself, on SQLite and on PostgreSQL, called from
 * many threads through two store objects at once, as two receivers on one
 * database are: of all the attempts that claim one key at the same time
 * exactly one wins, the request is stored once, a stale claim is taken
 * over by exactly one, and a key is its client's alone. */

#define N_THREADS 8
#define N_KEYS 300
#define STALE_AFTER 30

typedef struct {
  char *location;
  HavenReceiverStore *stores[2];
  char *keys[N_KEYS];
  GBytes *bodies[N_KEYS];
  char *sha256s[N_KEYS];
  /* How many attempts won each key; atomic. */
  gint wins[N_KEYS];
  gint losses;
} Race;

typedef struct {
  Race *race;
  guint index;
} Racer;

static PgCluster *pg_cluster;
static char *work_dir;
static guint n_databases;

static char *
new_location (gboolean postgresql)
{
  g_autofree char *name = NULL;

  if (postgresql)
    return g_strdup (pg_cluster_get_uri (pg_cluster));

  name = g_strdup_printf ("store-%u.sqlite", ++n_databases);
  return g_build_filename (work_dir, name, NULL);
}

static HavenReceiverStore *
open_store (const char *location)
{
  g_autoptr(GError) error = NULL;
  HavenReceiverStore *store = haven_receiver_store_open (location, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static char *
make_case_reference (void)
{
  static gint counter;

  return g_strdup_printf ("HV-T%03u-%04u", g_random_int_range (0, 1000),
                          (guint) g_atomic_int_add (&counter, 1) % 10000);
}

static gboolean
accept_claimed (HavenReceiverStore          *store,
                const char                  *client_id,
                const char                  *key,
                GBytes                      *body,
                gboolean                     sealed,
                const HavenRequestEnvelope  *envelope,
                char                       **reference,
                GError                     **error)
{
  for (guint attempt = 0; attempt < 16; attempt++)
    {
      g_autofree char *case_reference = make_case_reference ();
      g_autofree char *answer = g_strdup_printf ("{\"case_reference\":\"%s\"}", case_reference);
      g_autoptr(GError) local_error = NULL;

      if (haven_receiver_store_accept (store, client_id, key, HAVEN_REQUEST_KIND_REMOVAL, body,
                                       sealed, envelope, case_reference, 201, answer,
                                       &local_error))
        {
          if (reference != NULL)
            *reference = g_steal_pointer (&answer);
          return TRUE;
        }
      if (!g_error_matches (local_error, HAVEN_RECEIVER_STORE_ERROR,
                            HAVEN_RECEIVER_STORE_ERROR_DUPLICATE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  g_assert_not_reached ();
}

static void
race_init (Race     *race,
           gboolean  postgresql)
{
  race->location = new_location (postgresql);
  race->stores[0] = open_store (race->location);
  race->stores[1] = open_store (race->location);
  g_assert_cmpstr (haven_receiver_store_get_instance_id (race->stores[0]), !=,
                   haven_receiver_store_get_instance_id (race->stores[1]));

  for (guint i = 0; i < N_KEYS; i++)
    {
      g_autofree char *json = NULL;

      race->keys[i] = g_uuid_string_random ();
      json = g_strdup_printf ("{\"request_id\":\"%s\"}", race->keys[i]);
      race->bodies[i] = g_bytes_new (json, strlen (json));
      race->sha256s[i] = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, race->bodies[i]);
    }
}

static void
race_clear (Race *race)
{
  for (guint i = 0; i < N_KEYS; i++)
    {
      g_free (race->keys[i]);
      g_bytes_unref (race->bodies[i]);
      g_free (race->sha256s[i]);
    }
  g_clear_object (&race->stores[0]);
  g_clear_object (&race->stores[1]);
  g_free (race->location);
}

/* Every racer claims every key, starting at a different one, through
 * either store; whoever wins stores the request. */
static gpointer
racer_thread (gpointer user_data)
{
  Racer *racer = user_data;
  Race *race = racer->race;

  for (guint n = 0; n < N_KEYS; n++)
    {
      guint i = (n + racer->index * 7) % N_KEYS;
      HavenReceiverStore *store = race->stores[(n + racer->index) % 2];
      g_autoptr(GError) error = NULL;
      g_autofree char *answer = NULL;
      HavenReceiverClaim claim;
      guint status = 0;

      g_assert_true (haven_receiver_store_claim (store, "anonymous", race->keys[i],
                                                 HAVEN_REQUEST_KIND_REMOVAL, race->sha256s[i],
                                                 STALE_AFTER, &claim, &status, &answer,
                                                 &error));
      g_assert_no_error (error);

      if (claim == HAVEN_RECEIVER_CLAIM_NEW)
        {
          g_atomic_int_inc (&race->wins[i]);
          g_assert_true (accept_claimed (store, "anonymous", race->keys[i], race->bodies[i],
                                         FALSE, NULL, NULL, &error));
          g_assert_no_error (error);
        }
      else
        {
          g_assert_true (claim == HAVEN_RECEIVER_CLAIM_IN_FLIGHT ||
                         claim == HAVEN_RECEIVER_CLAIM_DONE);
          g_atomic_int_inc (&race->losses);
        }
    }

  return NULL;
}

static void
run_racers (Race *race)
{
  GThread *threads[N_THREADS];
  Racer racers[N_THREADS];

  for (guint t = 0; t < N_THREADS; t++)
    {
      racers[t].race = race;
      racers[t].index = t;
      threads[t] = g_thread_new ("racer", racer_thread, &racers[t]);
    }
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
}

static guint
count_rows (Race *race)
{
  g_autofree char *count = NULL;
  g_autofree char *repeated = NULL;
  g_autoptr(GString) ids = g_string_new (NULL);

  /* Only this race's keys: the PostgreSQL database is shared. */
  for (guint i = 0; i < N_KEYS; i++)
    g_string_append_printf (ids, "%s'%s'", i > 0 ? ", " : "", race->keys[i]);

  {
    g_autofree char *sql = g_strdup_printf ("SELECT CAST(count(*) AS TEXT) FROM requests "
                                            "WHERE request_id IN (%s)", ids->str);
    g_autofree char *repeated_sql = g_strdup_printf (
      "SELECT CAST(count(*) AS TEXT) FROM (SELECT request_id FROM requests "
      "WHERE request_id IN (%s) GROUP BY request_id HAVING count(*) > 1) AS r", ids->str);

    count = database_query_text (race->location, sql, NULL);
    repeated = database_query_text (race->location, repeated_sql, NULL);
  }
  g_assert_cmpstr (repeated, ==, "0");

  return (guint) g_ascii_strtoull (count, NULL, 10);
}

static void
test_race (gconstpointer user_data)
{
  gboolean postgresql = GPOINTER_TO_INT (user_data);
  Race race = { 0, };
  gint64 started = g_get_monotonic_time ();

  race_init (&race, postgresql);
  run_racers (&race);

  for (guint i = 0; i < N_KEYS; i++)
    g_assert_cmpint (race.wins[i], ==, 1);
  g_assert_cmpuint (count_rows (&race), ==, N_KEYS);
  g_test_message ("%u threads, two stores, %u keys: %u claims won, %d lost, in %.1f s",
                  N_THREADS, N_KEYS, N_KEYS, race.losses,
                  (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);

  /* Done keys answer with what was stored, through either store. */
  for (guint i = 0; i < N_KEYS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *answer = NULL;
      g_autofree char *other_answer = NULL;
      HavenReceiverClaim claim;
      guint status = 0;

      g_assert_true (haven_receiver_store_claim (race.stores[0], "anonymous", race.keys[i],
                                                 HAVEN_REQUEST_KIND_REMOVAL, race.sha256s[i],
                                                 STALE_AFTER, &claim, &status, &answer,
                                                 &error));
      g_assert_cmpint (claim, ==, HAVEN_RECEIVER_CLAIM_DONE);
      g_assert_cmpuint (status, ==, 201);
      g_assert_true (haven_receiver_store_claim (race.stores[1], "anonymous", race.keys[i],
                                                 HAVEN_REQUEST_KIND_REMOVAL, race.sha256s[i],
                                                 STALE_AFTER, &claim, &status, &other_answer,
                                                 &error));
      g_assert_cmpstr (answer, ==, other_answer);
    }

  race_clear (&race);
}

/* Claims left by a receiver that died, all stale: of the racers that meet
 * one at the same time exactly one takes it over. */
static void
test_stale_race (gconstpointer user_data)
{
  gboolean postgresql = GPOINTER_TO_INT (user_data);
  Race race = { 0, };
  g_autofree char *started_at = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                 g_get_real_time () / G_USEC_PER_SEC - 3600);
  g_autoptr(GString) sql = NULL;

  race_init (&race, postgresql);

  /* One statement, one connection: the ids and digests are hexadecimal. */
  sql = g_string_new ("INSERT INTO idempotency_keys (key, client_id, kind, body_sha256, state, "
                      "claimed_by, started_at) VALUES ");
  for (guint i = 0; i < N_KEYS; i++)
    g_string_append_printf (sql, "%s('%s', 'anonymous', 'removal', '%s', 'in-flight', "
                            "'gone:1:0', %s)", i > 0 ? ", " : "", race.keys[i],
                            race.sha256s[i], started_at);
  database_exec (race.location, sql->str, NULL);

  run_racers (&race);

  for (guint i = 0; i < N_KEYS; i++)
    g_assert_cmpint (race.wins[i], ==, 1);
  g_assert_cmpuint (count_rows (&race), ==, N_KEYS);

  race_clear (&race);
}

/* A store whose claim another took over as stale stores nothing; the key
 * belongs to its client, whose claim no other client can release, take or
 * accept. */
static void
test_claim_lost_and_clients (gconstpointer user_data)
{
  gboolean postgresql = GPOINTER_TO_INT (user_data);
  Race race = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *reference = NULL;
  HavenReceiverClaim claim;
  guint status = 0;
  const char * const params[] = { NULL, NULL };
  const char *key;

  race_init (&race, postgresql);
  key = race.keys[0];

  g_assert_true (haven_receiver_store_claim (race.stores[0], "token:0123456789abcdef", key,
                                             HAVEN_REQUEST_KIND_REMOVAL, race.sha256s[0],
                                             STALE_AFTER, &claim, &status, &answer, &error));
  g_assert_cmpint (claim, ==, HAVEN_RECEIVER_CLAIM_NEW);

  /* Another client: a mismatch, whatever it tries. */
  g_assert_true (haven_receiver_store_claim (race.stores[1], "cert:00ff", key,
                                             HAVEN_REQUEST_KIND_REMOVAL, race.sha256s[0],
                                             STALE_AFTER, &claim, &status, &answer, &error));
  g_assert_cmpint (claim, ==, HAVEN_RECEIVER_CLAIM_MISMATCH);
  g_assert_true (haven_receiver_store_release (race.stores[1], "cert:00ff", key, &error));
  g_assert_false (accept_claimed (race.stores[1], "cert:00ff", key, race.bodies[0], FALSE, NULL,
                                  NULL, &error));
  g_assert_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_CLAIM_LOST);
  g_clear_error (&error);

  /* The claim goes stale, and the other store takes it over. */
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE idempotency_keys SET started_at = 1 "
                                            "WHERE key = '%s'", key);
    database_exec (race.location, sql, params);
  }
  g_assert_true (haven_receiver_store_claim (race.stores[1], "token:0123456789abcdef", key,
                                             HAVEN_REQUEST_KIND_REMOVAL, race.sha256s[0],
                                             STALE_AFTER, &claim, &status, &answer, &error));
  g_assert_cmpint (claim, ==, HAVEN_RECEIVER_CLAIM_NEW);

  /* The first store's accept comes too late, and stores nothing. */
  g_assert_false (accept_claimed (race.stores[0], "token:0123456789abcdef", key, race.bodies[0],
                                  FALSE, NULL, NULL, &error));
  g_assert_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_CLAIM_LOST);
  g_clear_error (&error);
  /* Nor can it release what is no longer its. */
  g_assert_true (haven_receiver_store_release (race.stores[0], "token:0123456789abcdef", key,
                                               &error));
  g_assert_true (accept_claimed (race.stores[1], "token:0123456789abcdef", key, race.bodies[0],
                                 FALSE, NULL, &reference, &error));
  g_assert_no_error (error);

  g_assert_true (haven_receiver_store_claim (race.stores[0], "cert:00ff", key,
                                             HAVEN_REQUEST_KIND_REMOVAL, race.sha256s[0],
                                             STALE_AFTER, &claim, &status, &answer, &error));
  g_assert_cmpint (claim, ==, HAVEN_RECEIVER_CLAIM_MISMATCH);
  g_assert_null (answer);

  race_clear (&race);
}

/* A sealed body is kept byte for byte beside the envelope's columns; an
 * old caller's NULL envelope leaves them NULL. */
static void
test_envelope (gconstpointer user_data)
{
  gboolean postgresql = GPOINTER_TO_INT (user_data);
  Race race = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) stored = NULL;
  g_autoptr(GDateTime) created_at = g_date_time_new_utc (2026, 11, 27, 10, 15, 0);
  g_autofree char *sealed_sha256 = NULL;
  g_autofree char *answer = NULL;
  HavenRequestEnvelope envelope = {
    .kind = HAVEN_REQUEST_KIND_REMOVAL,
    .category = (char *) "intimate-images",
    .locale = (char *) "es",
    .kiosk_id = (char *) "station-12-lobby",
    .child_involved = TRUE,
    .created_at = created_at,
  };
  guint8 bytes[256];
  HavenReceiverClaim claim;
  guint status = 0;
  const char *columns[] = { "category", "locale", "kiosk_id", "child_involved", "sealed" };
  const char *expected[] = { "intimate-images", "es", "station-12-lobby", "1", "1" };

  race_init (&race, postgresql);

  /* Every byte value, a zero among them. */
  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) i;
  sealed = g_bytes_new (bytes, sizeof bytes);
  sealed_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, sealed);

  g_assert_true (haven_receiver_store_claim (race.stores[0], "anonymous", race.keys[0],
                                             HAVEN_REQUEST_KIND_REMOVAL, sealed_sha256,
                                             STALE_AFTER, &claim, &status, &answer, &error));
  g_assert_cmpint (claim, ==, HAVEN_RECEIVER_CLAIM_NEW);
  g_assert_true (accept_claimed (race.stores[0], "anonymous", race.keys[0], sealed, TRUE,
                                 &envelope, NULL, &error));
  g_assert_no_error (error);

  {
    const char * const params[] = { race.keys[0], NULL };

    stored = database_query (race.location, "SELECT body FROM requests WHERE request_id = $1",
                             params);
    g_assert_true (g_bytes_equal (stored, sealed));

    for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
      {
        /* Booleans read the same from both: 1 and 0. */
        g_autofree char *sql = g_strdup_printf (
          "SELECT CASE WHEN %s = %s THEN '1' WHEN %s IS NULL THEN NULL ELSE CAST(%s AS TEXT) END "
          "FROM requests WHERE request_id = $1", columns[i],
          g_str_equal (columns[i], "child_involved") || g_str_equal (columns[i], "sealed")
            ? (postgresql ? "true" : "1") : "NULL",
          columns[i], columns[i]);
        g_autofree char *value = database_query_text (race.location, sql, params);

        g_assert_cmpstr (value, ==, expected[i]);
      }

    {
      g_autofree char *sql = g_strdup_printf (
        postgresql ? "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') "
                     "FROM requests WHERE request_id = $1"
                   : "SELECT substr(created_at, 1, 19) FROM requests WHERE request_id = $1");
      g_autofree char *value = database_query_text (race.location, sql, params);

      g_assert_cmpstr (value, ==, "2026-11-27T10:15:00");
    }
  }

  /* No envelope: NULLs. */
  g_assert_true (haven_receiver_store_claim (race.stores[1], "anonymous", race.keys[1],
                                             HAVEN_REQUEST_KIND_REMOVAL, race.sha256s[1],
                                             STALE_AFTER, &claim, &status, &answer, &error));
  g_assert_true (accept_claimed (race.stores[1], "anonymous", race.keys[1], race.bodies[1], FALSE,
                                 NULL, NULL, &error));
  {
    const char * const params[] = { race.keys[1], NULL };
    g_autofree char *kiosk_id = database_query_text (race.location,
                                                     "SELECT kiosk_id FROM requests "
                                                     "WHERE request_id = $1", params);
    g_assert_null (kiosk_id);
  }

  race_clear (&race);
}

/* A database a later receiver brought to a schema this one does not know
 * is refused, and left as it is. */
static void
test_newer_schema (gconstpointer user_data)
{
  gboolean postgresql = GPOINTER_TO_INT (user_data);
  g_autofree char *location = new_location (postgresql);
  g_autoptr(HavenReceiverStore) store = open_store (location);
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  const char *set_sql = postgresql ? "UPDATE schema_version SET version = 99"
                                   : "PRAGMA user_version = 99";
  const char *get_sql = postgresql ? "SELECT version::text FROM schema_version"
                                   : "PRAGMA user_version";
  const char *known_version = postgresql ? "4" : "7";
  HavenReceiverStore *newer;

  g_clear_object (&store);
  database_exec (location, set_sql, NULL);

  newer = haven_receiver_store_open (location, &error);
  g_assert_null (newer);
  g_assert_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_NEWER_SCHEMA);
  g_assert_nonnull (strstr (error->message, "99"));
  version = database_query_text (location, get_sql, NULL);
  g_assert_cmpstr (version, ==, "99");

  /* Put back for the other cases on the same database. */
  {
    g_autofree char *reset = postgresql
      ? g_strdup_printf ("UPDATE schema_version SET version = %s", known_version)
      : g_strdup_printf ("PRAGMA user_version = %s", known_version);

    database_exec (location, reset, NULL);
  }
  store = open_store (location);
}

static void
test_no_postgresql (void)
{
  g_test_skip ("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): "
               "install postgresql to run the cases on it");
}

static void
ignore_message (const char     *log_domain,
                GLogLevelFlags  log_level,
                const char     *message,
                gpointer        user_data)
{
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *pg_bindir = pg_cluster_find_bindir ();
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Each stale claim taken over is a line in the receiver's log; here
   * there are hundreds, and the test counts them itself. */
  g_log_set_handler ("haven-receiver-store", G_LOG_LEVEL_MESSAGE, ignore_message, NULL);

  work_dir = g_dir_make_tmp ("haven-receiver-store-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint postgresql = 0; postgresql < 2; postgresql++)
    {
      const char *base = postgresql ? "/haven/receiver-store/postgresql"
                                    : "/haven/receiver-store/sqlite";
      g_autofree char *race = g_strconcat (base, "/race", NULL);
      g_autofree char *stale_race = g_strconcat (base, "/stale-race", NULL);
      g_autofree char *claim_lost = g_strconcat (base, "/claim-lost-and-clients", NULL);
      g_autofree char *envelope = g_strconcat (base, "/envelope", NULL);
      g_autofree char *newer_schema = g_strconcat (base, "/newer-schema", NULL);

      if (postgresql && pg_bindir == NULL)
        {
          g_test_add_func (base, test_no_postgresql);
          continue;
        }

      g_test_add_data_func (race, GINT_TO_POINTER (postgresql), test_race);
      g_test_add_data_func (stale_race, GINT_TO_POINTER (postgresql), test_stale_race);
      g_test_add_data_func (claim_lost, GINT_TO_POINTER (postgresql),
                            test_claim_lost_and_clients);
      g_test_add_data_func (envelope, GINT_TO_POINTER (postgresql), test_envelope);
      g_test_add_data_func (newer_schema, GINT_TO_POINTER (postgresql), test_newer_schema);
    }

  if (pg_bindir != NULL)
    pg_cluster = pg_cluster_start ();

  status = g_test_run ();

  g_clear_pointer (&pg_cluster, pg_cluster_stop);
  remove_tree (work_dir);
  g_clear_pointer (&work_dir, g_free);

  return status;
}
