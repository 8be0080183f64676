/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receiver-fleet"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

#include "pg-cluster.h"
#include "receiver-database.h"
#include "receiver-process.h"

/* Exactly once under faults: two receivers on one PostgreSQL serve 50
 * clients at once, which send 2,000 submissions and repeat them at random
 * (the same bytes, to either receiver), while one receiver is killed with
 * SIGKILL and started again and PostgreSQL itself is restarted. Every
 * client tries again after 409, 5xx or a broken connection until it gets
 * 201 or 200, as a kiosk does. In the end every submission is stored
 * exactly once, and every client was told the same case reference each
 * time it asked.
 *
 * HAVEN_FLEET_REQUESTS sets another number of submissions. The claims a
 * killed receiver leaves in flight are taken over once stale, after the
 * receiver's 30 s: the run takes about that long whatever the number. */

#define N_CLIENTS 50
#define DEFAULT_REQUESTS 2000
#define N_RECEIVERS 2

/* Receiver 1 holds each answer this long after claiming its key, so the
 * SIGKILL finds submissions in flight. */
#define DELAY_MS "30"

/* The probability, after an answer, that the client sends the same bytes
 * once more (a kiosk that lost the answer), at most MAX_REPEATS times. */
#define REPEAT_PERCENT 25
#define MAX_REPEATS 2

/* A client that tried this often for one submission has failed. */
#define MAX_ATTEMPTS 2000

#define CASE_REFERENCE_LENGTH 12

typedef struct {
  /* Guards urls, completed and what the clients count. */
  GMutex lock;
  /* Signalled on every submission completed. */
  GCond progress;
  char *urls[N_RECEIVERS];
  guint completed;

  guint n_requests;
  char **request_ids;
  /* The case reference each submission was given, by the first 201 or
   * 200; written by its one client. */
  char **references;

  guint sends;
  guint retries;
  guint created;
  guint repeated;
  guint conflicts;
  guint server_errors;
  guint connection_errors;
  guint unexpected;
  guint reference_mismatches;
  guint gave_up;
} Fleet;

typedef struct {
  Fleet *fleet;
  guint first;
  guint last;
} Client;

static GBytes *
make_removal_request (const char *request_id,
                      guint       index)
{
  char *json = g_strdup_printf (
    "{\"request_id\": \"%s\", \"created_at\": \"2026-11-27T10:15:00Z\", "
    "\"kiosk_id\": \"station-%u\", \"locale\": \"es\", "
    "\"category\": \"intimate-images\", "
    "\"items\": [{\"url\": \"https://example.social/p/%u\", \"platform\": \"example.social\", "
    "\"description\": \"photo posted without consent\"}], "
    "\"reporter\": {\"role\": \"self\", \"contact\": {\"email\": \"a@example.org\"}, "
    "\"consent_to_contact\": true}, "
    "\"declaration\": {\"accurate\": true, \"authorised\": true}}",
    request_id, index % N_CLIENTS, index);

  return g_bytes_new_take (json, strlen (json));
}

/* One POST on a connection of its own (Connection: close), and the
 * status it got; 0 when the connection failed or the answer was cut.
 * @reference gets the case reference of a 201 or 200. A plain socket
 * rather than libsoup: each client thread blocks on its own requests. */
static guint
send_request (const char  *url,
              const char  *request_id,
              GBytes      *body,
              char       **reference)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  g_autofree char *head = NULL;
  GOutputStream *output;
  GInputStream *input;
  const char *found;
  guint status = 0;
  gsize length = 0;
  const char *data = g_bytes_get_data (body, &length);
  guint8 buffer[4096];
  gssize n_read;

  *reference = NULL;
  g_assert_nonnull (uri);

  /* A bound on each step, so a receiver killed mid-answer cannot hold a
   * client. */
  g_socket_client_set_timeout (socket_client, 10 * test_slowdown ());
  connection = g_socket_client_connect_to_host (socket_client, g_uri_get_host (uri),
                                                (guint16) g_uri_get_port (uri), NULL, NULL);
  if (connection == NULL)
    return 0;

  head = g_strdup_printf ("POST /v1/removal-requests HTTP/1.1\r\n"
                          "Host: %s:%d\r\n"
                          "Content-Type: application/json\r\n"
                          "Idempotency-Key: \"%s\"\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "Connection: close\r\n\r\n",
                          g_uri_get_host (uri), g_uri_get_port (uri), request_id, length);
  output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  if (!g_output_stream_write_all (output, head, strlen (head), NULL, NULL, NULL) ||
      !g_output_stream_write_all (output, data, length, NULL, NULL, NULL))
    return 0;

  input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  while ((n_read = g_input_stream_read (input, buffer, sizeof buffer, NULL, NULL)) > 0)
    g_byte_array_append (answer, buffer, (guint) n_read);
  if (n_read < 0)
    return 0;
  g_byte_array_append (answer, (const guint8 *) "", 1);

  if (sscanf ((const char *) answer->data, "HTTP/1.1 %u", &status) != 1)
    return 0;

  /* The body is JSON with "case_reference":"HV-XXXX-XXXX"; whatever its
   * framing, the reference is a fixed length. */
  found = strstr ((const char *) answer->data, "\"case_reference\":\"");
  if ((status == 200 || status == 201))
    {
      if (found == NULL ||
          strlen (found + strlen ("\"case_reference\":\"")) < CASE_REFERENCE_LENGTH)
        return 0;
      *reference = g_strndup (found + strlen ("\"case_reference\":\""), CASE_REFERENCE_LENGTH);
    }

  return status;
}

/* The client's pause before it tries again: what the receiver's
 * Retry-After asks, in short, for 409 and 503; a moment after a broken
 * connection. These are the client's own pacing, not waits for a
 * condition of the test. */
static void
back_off (GRand *rand,
          guint  status)
{
  guint base_ms = status == 409 ? 300 : status >= 500 ? 100 : 20;

  g_usleep ((base_ms + g_rand_int_range (rand, 0, base_ms)) * 1000);
}

static void
submit (Fleet      *fleet,
        GRand      *rand,
        guint       index)
{
  const char *request_id = fleet->request_ids[index];
  g_autoptr(GBytes) body = make_removal_request (request_id, index);
  guint repeats = 0;
  guint attempt;

  for (attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
    {
      g_autofree char *url = NULL;
      g_autofree char *reference = NULL;
      guint status;

      g_mutex_lock (&fleet->lock);
      url = g_strdup (fleet->urls[g_rand_int_range (rand, 0, N_RECEIVERS)]);
      g_mutex_unlock (&fleet->lock);

      status = send_request (url, request_id, body, &reference);

      g_mutex_lock (&fleet->lock);
      fleet->sends++;
      if (attempt > 0)
        fleet->retries++;
      if (status == 201)
        fleet->created++;
      else if (status == 200)
        fleet->repeated++;
      else if (status == 409)
        fleet->conflicts++;
      else if (status >= 500)
        fleet->server_errors++;
      else if (status == 0)
        fleet->connection_errors++;
      else
        fleet->unexpected++;
      if (reference != NULL)
        {
          if (fleet->references[index] == NULL)
            fleet->references[index] = g_strdup (reference);
          else if (!g_str_equal (fleet->references[index], reference))
            fleet->reference_mismatches++;
        }
      g_mutex_unlock (&fleet->lock);

      if (status == 200 || status == 201)
        {
          /* The answer may have been lost on the way, as far as the
           * client knows: now and then it sends the same bytes again. */
          if (repeats < MAX_REPEATS && g_rand_int_range (rand, 0, 100) < REPEAT_PERCENT)
            {
              repeats++;
              continue;
            }
          break;
        }

      if (status != 0 && status != 409 && status < 500)
        break;

      back_off (rand, status);
    }

  g_mutex_lock (&fleet->lock);
  if (attempt == MAX_ATTEMPTS)
    fleet->gave_up++;
  fleet->completed++;
  g_cond_broadcast (&fleet->progress);
  g_mutex_unlock (&fleet->lock);
}

static gpointer
client_thread (gpointer user_data)
{
  Client *client = user_data;
  g_autoptr(GRand) rand = g_rand_new ();

  for (guint i = client->first; i < client->last; i++)
    submit (client->fleet, rand, i);

  return NULL;
}

/* Until @count submissions are complete; fails the test at @deadline
 * (monotonic). */
static void
wait_for_completed (Fleet  *fleet,
                    guint   count,
                    gint64  deadline)
{
  g_mutex_lock (&fleet->lock);
  while (fleet->completed < count)
    {
      if (!g_cond_wait_until (&fleet->progress, &fleet->lock, deadline) &&
          fleet->completed < count)
        g_error ("Timed out waiting for %u submissions to complete (%u are)", count,
                 fleet->completed);
    }
  g_mutex_unlock (&fleet->lock);
}

static ReceiverProcess *
start_receiver (PgCluster *cluster,
                guint      index)
{
  const char * const plain[] = { "--insecure-http", NULL };
  const char * const delayed[] = { "--insecure-http", "--delay-ms", DELAY_MS, NULL };

  return receiver_process_start_with_db (pg_cluster_get_uri (cluster),
                                         index == 1 ? delayed : plain);
}

/* A machine lost: no chance to finish or release anything. */
static void
kill_receiver (ReceiverProcess *receiver)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (receiver->process, SIGKILL);
  g_subprocess_wait (receiver->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (receiver->process));

  g_clear_object (&receiver->stdout_stream);
  g_clear_object (&receiver->process);
  g_free (receiver->url);
  g_free (receiver->db_path);
  g_free (receiver);
}

static void
set_url (Fleet           *fleet,
         guint            index,
         ReceiverProcess *receiver)
{
  g_mutex_lock (&fleet->lock);
  g_free (fleet->urls[index]);
  fleet->urls[index] = g_strdup (receiver->url);
  g_mutex_unlock (&fleet->lock);
}

static guint
get_n_requests (void)
{
  const char *value = g_getenv ("HAVEN_FLEET_REQUESTS");
  guint64 n = value != NULL ? g_ascii_strtoull (value, NULL, 10) : DEFAULT_REQUESTS;

  return (guint) CLAMP (n, N_CLIENTS, 100000);
}

static void
test_exactly_once (void)
{
  g_autofree char *bindir = pg_cluster_find_bindir ();
  Fleet fleet = { 0, };
  Client clients[N_CLIENTS];
  GThread *threads[N_CLIENTS];
  ReceiverProcess *receivers[N_RECEIVERS];
  PgCluster *cluster;
  g_autofree char *uri = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *distinct = NULL;
  g_autofree char *repeated_ids = NULL;
  g_autoptr(GHashTable) stored = NULL;
  gint64 started = g_get_monotonic_time ();
  gint64 deadline = started + 150 * test_slowdown () * G_TIME_SPAN_SECOND;
  gint64 kill_time;
  gint64 restart_time;

  if (bindir == NULL)
    {
      g_test_skip ("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): "
                   "install postgresql to run this test");
      return;
    }

  cluster = pg_cluster_start ();
  uri = g_strdup (pg_cluster_get_uri (cluster));

  g_mutex_init (&fleet.lock);
  g_cond_init (&fleet.progress);
  fleet.n_requests = get_n_requests ();
  fleet.request_ids = g_new0 (char *, fleet.n_requests + 1);
  fleet.references = g_new0 (char *, fleet.n_requests + 1);
  for (guint i = 0; i < fleet.n_requests; i++)
    fleet.request_ids[i] = g_uuid_string_random ();

  for (guint i = 0; i < N_RECEIVERS; i++)
    {
      receivers[i] = start_receiver (cluster, i);
      set_url (&fleet, i, receivers[i]);
    }

  for (guint i = 0; i < N_CLIENTS; i++)
    {
      clients[i].fleet = &fleet;
      clients[i].first = fleet.n_requests * i / N_CLIENTS;
      clients[i].last = fleet.n_requests * (i + 1) / N_CLIENTS;
      threads[i] = g_thread_new ("client", client_thread, &clients[i]);
    }

  /* A quarter in: the delayed receiver is lost with submissions in flight
   * and comes back on another port. */
  wait_for_completed (&fleet, fleet.n_requests / 4, deadline);
  kill_time = g_get_monotonic_time ();
  kill_receiver (receivers[1]);
  receivers[1] = start_receiver (cluster, 1);
  set_url (&fleet, 1, receivers[1]);

  /* Half way: PostgreSQL crashes and restarts under both. */
  wait_for_completed (&fleet, fleet.n_requests / 2, deadline);
  restart_time = g_get_monotonic_time ();
  pg_cluster_restart (cluster);

  wait_for_completed (&fleet, fleet.n_requests, deadline);
  for (guint i = 0; i < N_CLIENTS; i++)
    g_thread_join (threads[i]);

  g_test_message ("%u submissions by %u clients: %u sends, %u retries; "
                  "%u × 201, %u × 200, %u × 409, %u × 5xx, %u connection errors, "
                  "%u other answers; receiver killed at %.1f s, PostgreSQL restarted at "
                  "%.1f s, all done at %.1f s",
                  fleet.n_requests, N_CLIENTS, fleet.sends, fleet.retries, fleet.created,
                  fleet.repeated, fleet.conflicts, fleet.server_errors,
                  fleet.connection_errors, fleet.unexpected,
                  (kill_time - started) / (double) G_USEC_PER_SEC,
                  (restart_time - started) / (double) G_USEC_PER_SEC,
                  (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);

  g_assert_cmpuint (fleet.gave_up, ==, 0);
  g_assert_cmpuint (fleet.unexpected, ==, 0);
  g_assert_cmpuint (fleet.reference_mismatches, ==, 0);
  /* The faults were met: the test would prove little without them. */
  g_assert_cmpuint (fleet.server_errors + fleet.connection_errors, >, 0);

  /* Exactly once, counted by the database: as many rows as submissions,
   * no request_id twice, and each under the reference its client got. */
  rows = database_query_text (uri, "SELECT count(*)::text FROM requests", NULL);
  distinct = database_query_text (uri, "SELECT count(DISTINCT request_id)::text FROM requests",
                                  NULL);
  repeated_ids = database_query_text (uri,
                                      "SELECT count(*)::text FROM (SELECT request_id "
                                      "FROM requests GROUP BY request_id "
                                      "HAVING count(*) <> 1) AS repeated", NULL);
  g_test_message ("rows in requests: %s, distinct request_ids: %s, request_ids not stored "
                  "exactly once: %s", rows, distinct, repeated_ids);
  g_assert_cmpuint (g_ascii_strtoull (rows, NULL, 10), ==, fleet.n_requests);
  g_assert_cmpuint (g_ascii_strtoull (distinct, NULL, 10), ==, fleet.n_requests);
  g_assert_cmpstr (repeated_ids, ==, "0");

  stored = database_query_pairs (uri, "SELECT request_id, case_reference FROM requests");
  for (guint i = 0; i < fleet.n_requests; i++)
    {
      g_assert_nonnull (fleet.references[i]);
      g_assert_cmpstr (g_hash_table_lookup (stored, fleet.request_ids[i]), ==,
                       fleet.references[i]);
    }

  for (guint i = 0; i < N_RECEIVERS; i++)
    receiver_process_stop (receivers[i]);
  pg_cluster_stop (cluster);

  for (guint i = 0; i < N_RECEIVERS; i++)
    g_free (fleet.urls[i]);
  g_strfreev (fleet.request_ids);
  g_strfreev (fleet.references);
  g_cond_clear (&fleet.progress);
  g_mutex_clear (&fleet.lock);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  work_dir_init ("receiver-fleet");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/receiver-fleet/exactly-once", test_exactly_once);

  status = g_test_run ();
  work_dir_remove ();

  return status;
}
