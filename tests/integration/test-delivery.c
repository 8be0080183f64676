/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-delivery"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "haven-delivery.h"
#include "haven-delivery-private.h"
#include "haven-outbox.h"
#include "haven-sealed-box.h"
#include "receiver-process.h"
#include "test-files.h"

/* Delivery from the outbox to a real haven-receiver over TLS on 127.0.0.1,
 * with certificates made for this run by tests/make-pki.sh: each case is
 * one row of haven-api-v1.md's response table, or one way the network or the
 * kiosk can fail, and asserts what is left in the outbox and in the
 * receiver's database afterwards. Exactly once is counted in the
 * receiver's database, as an integrator would count it.
 *
 * Every body carries MARKER in what the visitor wrote; it must never show
 * in a result, an operator message or what havenctl prints. */

#define MARKER "visitor-words-7c2d"

/* Small, so that retries come within the test's time; cases that must
 * not retry on a timer set a longer one. */
#define TEST_BACKOFF_BASE (200 * G_TIME_SPAN_MILLISECOND)
#define TEST_BACKOFF_CAP  (2 * G_TIME_SPAN_SECOND)

typedef struct {
  char *folder;
  char *config_home;
  char *outbox_path;
  /* A keyfile, so that havenctl run by a case reads the same settings. */
  GSettings *settings;
  HavenOutbox *outbox;
  HavenDelivery *delivery;
  ReceiverProcess *receiver;
  char *receiver_log;
} Fixture;

static guint case_count;

/* Waiting. */

#define WAIT_UNTIL(condition, seconds) \
  G_STMT_START { \
    gint64 wait_deadline = g_get_monotonic_time () + \
                           (seconds) * test_slowdown () * G_TIME_SPAN_SECOND; \
    while (!(condition)) \
      { \
        if (g_get_monotonic_time () > wait_deadline) \
          g_error ("Timed out after %d s waiting for %s", (int) (seconds), #condition); \
        g_main_context_iteration (NULL, FALSE); \
        g_usleep (2 * G_TIME_SPAN_MILLISECOND); \
      } \
  } G_STMT_END

/* Fixture. */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *name = g_strdup_printf ("case-%u", ++case_count);

  fixture->folder = work_path (name);
  fixture->config_home = g_build_filename (fixture->folder, "config", NULL);
  fixture->outbox_path = g_build_filename (fixture->folder, "outbox.sqlite", NULL);
  fixture->settings = keyfile_settings_new (fixture->config_home);
  /* A hung request fails the case in seconds rather than at meson's
   * timeout. */
  g_settings_set_uint (fixture->settings, "request-timeout", 10);
  g_settings_set_string (fixture->settings, "kiosk-id", "test-kiosk");
  g_settings_set_string (fixture->settings, "outbox-file", fixture->outbox_path);

  fixture->outbox = haven_outbox_new (fixture->outbox_path, NULL);
  g_assert_nonnull (fixture->outbox);
  /* Most cases read what the receiver stored, so they allow unsealed
   * bodies explicitly; "sealed" and "invalid-sealed-export" seal. */
  haven_outbox_set_allow_unsealed (fixture->outbox, TRUE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  if (fixture->delivery != NULL)
    {
      gpointer delivery = fixture->delivery;

      /* Finalized once what stop() cancelled has been recorded, and once
       * the worker threads have dropped their tasks, a moment after the
       * tasks' callbacks ran here: nothing may keep it alive for good. */
      haven_delivery_stop (fixture->delivery);
      g_object_add_weak_pointer (delivery, &delivery);
      g_clear_object (&fixture->delivery);
      WAIT_UNTIL (delivery == NULL, 10);
    }
  g_clear_pointer (&fixture->receiver, receiver_process_stop);
  g_clear_object (&fixture->outbox);
  g_clear_object (&fixture->settings);
  g_free (fixture->receiver_log);
  g_free (fixture->outbox_path);
  g_free (fixture->config_home);
  g_free (fixture->folder);
}

/* Starts haven-receiver over TLS with @options (NULL-terminated, after
 * the certificate). With @log, its stderr (the --verbose lines) goes to a
 * file that receiver_log() reads. */
static void
start_receiver_full (Fixture            *fixture,
                     const char * const *options,
                     gboolean            log)
{
  g_autoptr(GStrvBuilder) arguments = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  if (log)
    {
      fixture->receiver_log = g_build_filename (fixture->folder, "receiver.log", NULL);
      g_strv_builder_add (arguments, "--verbose");
    }
  if (options != NULL)
    g_strv_builder_addv (arguments, (const char **) options);
  argv = g_strv_builder_end (arguments);

  fixture->receiver = receiver_process_start_tls_full (NULL, log ? fixture->receiver_log : NULL,
                                                       (const char * const *) argv);
}

static void
start_receiver (Fixture            *fixture,
                const char * const *options)
{
  start_receiver_full (fixture, options, FALSE);
}

static char *
receiver_log (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (fixture->receiver_log, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

/* The kiosk's settings for @url, trusting @ca_name from the test PKI. */
static void
configure (Fixture    *fixture,
           const char *url,
           const char *ca_name)
{
  g_autofree char *ca = work_path (ca_name);

  g_settings_set_string (fixture->settings, "backend-url", url);
  g_settings_set_string (fixture->settings, "ca-file", ca);
}

static HavenDelivery *
new_delivery (Fixture *fixture)
{
  fixture->delivery = haven_delivery_new (fixture->settings, fixture->outbox);
  haven_delivery_set_backoff (fixture->delivery, TEST_BACKOFF_BASE, TEST_BACKOFF_CAP);
  g_assert_null (haven_delivery_get_operator_alert (fixture->delivery));

  return fixture->delivery;
}

/* A receiver over TLS with @options, and a kiosk set up to use it. */
static void
start_receiver_and_delivery (Fixture            *fixture,
                             const char * const *options)
{
  start_receiver (fixture, options);
  configure (fixture, fixture->receiver->url, "ca.pem");
  new_delivery (fixture);
}

/* Requests. */

static GBytes *
make_body (const char *request_id,
           const char *url)
{
  char *json = g_strdup_printf ("{\"request_id\":\"%s\",\"created_at\":\"2026-11-27T10:15:00Z\","
                                "\"kiosk_id\":\"test-kiosk\",\"locale\":\"es\","
                                "\"category\":\"intimate-images\","
                                "\"items\":[{\"url\":\"%s\",\"platform\":\"example.social\","
                                "\"description\":\"" MARKER "\"}],"
                                "\"reporter\":{\"role\":\"self\",\"consent_to_contact\":false},"
                                "\"declaration\":{\"accurate\":true,\"authorised\":true}}",
                                request_id, url);

  return g_bytes_new_take (json, strlen (json));
}

static void
enqueue_with_id (Fixture    *fixture,
                 const char *request_id,
                 const char *url)
{
  g_autoptr(GBytes) body = make_body (request_id, url);
  g_autoptr(GError) error = NULL;

  haven_outbox_enqueue (fixture->outbox, request_id, HAVEN_REQUEST_KIND_REMOVAL, body, &error);
  g_assert_no_error (error);
}

/* Queues a removal request for @url; the backend refuses a @url that is
 * not an absolute http(s) URL with 400. */
static char *
enqueue (Fixture    *fixture,
         const char *url)
{
  char *request_id = g_uuid_string_random ();

  enqueue_with_id (fixture, request_id, url);
  return request_id;
}

static HavenOutboxEntry *
lookup (Fixture    *fixture,
        const char *request_id,
        gboolean    with_body)
{
  g_autoptr(GError) error = NULL;
  HavenOutboxEntry *entry;

  entry = haven_outbox_lookup (fixture->outbox, request_id, with_body, &error);
  g_assert_no_error (error);
  return entry;
}

static HavenOutboxState
entry_state (Fixture    *fixture,
             const char *request_id)
{
  g_autoptr(HavenOutboxEntry) entry = lookup (fixture, request_id, FALSE);

  return entry->state;
}

static guint
entry_attempts (Fixture    *fixture,
                const char *request_id)
{
  g_autoptr(HavenOutboxEntry) entry = lookup (fixture, request_id, FALSE);

  return entry->attempts;
}

static void
assert_no_marker (const char *text)
{
  if (text != NULL)
    g_assert_null (strstr (text, MARKER));
}

static void
assert_result_private (const HavenDeliveryResult *result)
{
  GHashTableIter iter;
  gpointer path;
  gpointer message;

  assert_no_marker (result->message);
  assert_no_marker (result->case_reference);
  if (result->field_errors == NULL)
    return;

  g_hash_table_iter_init (&iter, result->field_errors);
  while (g_hash_table_iter_next (&iter, &path, &message))
    {
      assert_no_marker (path);
      assert_no_marker (message);
    }
}

static HavenDeliveryResult *
deliver_now (Fixture    *fixture,
             const char *request_id)
{
  g_autoptr(GAsyncResult) async_result = NULL;
  g_autoptr(GError) error = NULL;
  HavenDeliveryResult *result;

  haven_delivery_deliver_now_async (fixture->delivery, request_id, "es", NULL, store_result_cb,
                                    &async_result);
  result = haven_delivery_deliver_now_finish (fixture->delivery,
                                              wait_for_result (&async_result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpstr (result->request_id, ==, request_id);
  assert_result_private (result);

  return result;
}

static GPtrArray *
flush (Fixture    *fixture,
       GError    **error)
{
  g_autoptr(GAsyncResult) async_result = NULL;
  GPtrArray *results;

  haven_delivery_flush_async (fixture->delivery, HAVEN_DELIVERY_FLUSH_ALL, NULL,
                              store_result_cb, &async_result);
  results = haven_delivery_flush_finish (fixture->delivery, wait_for_result (&async_result),
                                         error);
  for (guint i = 0; results != NULL && i < results->len; i++)
    assert_result_private (g_ptr_array_index (results, i));

  return results;
}

/* The receiver's database, read beside it as an integrator would. */

static sqlite3_stmt *
receiver_query (sqlite3    **db,
                Fixture     *fixture,
                const char  *sql,
                const char  *request_id)
{
  sqlite3_stmt *statement = NULL;

  g_assert_cmpint (sqlite3_open_v2 (fixture->receiver->db_path, db, SQLITE_OPEN_READONLY,
                                    NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (*db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (*db, sql, -1, &statement, NULL), ==, SQLITE_OK);
  if (request_id != NULL)
    sqlite3_bind_text (statement, 1, request_id, -1, SQLITE_TRANSIENT);

  return statement;
}

static gint64
receiver_int (Fixture    *fixture,
              const char *sql,
              const char *request_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = receiver_query (&db, fixture, sql, request_id);
  gint64 value;

  g_assert_cmpint (sqlite3_step (statement), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (statement, 0);
  sqlite3_finalize (statement);
  sqlite3_close (db);

  return value;
}

/* The first column of the first row as text, NULL when there is none. */
static char *
receiver_text (Fixture    *fixture,
               const char *sql,
               const char *request_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = receiver_query (&db, fixture, sql, request_id);
  char *value = NULL;

  if (sqlite3_step (statement) == SQLITE_ROW)
    value = g_strndup ((const char *) sqlite3_column_blob (statement, 0),
                       sqlite3_column_bytes (statement, 0));
  sqlite3_finalize (statement);
  sqlite3_close (db);

  return value;
}

static guint
receiver_count (Fixture    *fixture,
                const char *request_id)
{
  return receiver_process_count_requests (fixture->receiver, request_id);
}

static char *
receiver_reference (Fixture    *fixture,
                    const char *request_id)
{
  return receiver_text (fixture, "SELECT case_reference FROM requests WHERE request_id = ?1",
                        request_id);
}

/* havenctl, with the fixture's settings. */

/* Runs `havenctl outbox flush`; returns its exit status. */
static int
run_flush_command (Fixture  *fixture,
                   char    **standard_output,
                   char    **standard_error)
{
  const char * const arguments[] = { "outbox", "flush", NULL };
  int status = run_havenctl (fixture->config_home, arguments, standard_output, standard_error);

  assert_no_marker (*standard_output);
  assert_no_marker (*standard_error);

  return status;
}

/* The cases. */

static void
test_happy_path (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *request_id = NULL;
  g_autofree char *stored_reference = NULL;
  g_autoptr(HavenDeliveryResult) result = NULL;
  g_autoptr(HavenDeliveryResult) again = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;

  start_receiver_and_delivery (fixture, NULL);
  request_id = enqueue (fixture, "https://example.social/p/1");

  result = deliver_now (fixture, request_id);
  g_assert_cmpint (result->outcome, ==, HAVEN_DELIVERY_OUTCOME_DELIVERED);
  g_assert_cmpuint (result->status, ==, 201);
  g_assert_nonnull (result->case_reference);
  g_assert_null (result->message);

  /* The reference shown is the one the backend keeps. */
  stored_reference = receiver_reference (fixture, request_id);
  g_assert_cmpstr (result->case_reference, ==, stored_reference);
  g_assert_cmpuint (receiver_count (fixture, request_id), ==, 1);

  /* Delivered: the reference is kept, the body is gone. */
  entry = lookup (fixture, request_id, TRUE);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_DELIVERED);
  g_assert_cmpstr (entry->case_reference, ==, stored_reference);
  g_assert_cmpuint (entry->body_size, ==, 0);
  g_assert_null (entry->body);
  g_assert_cmpuint (entry->attempts, ==, 1);

  /* Asking again sends nothing and gives the same reference. */
  again = deliver_now (fixture, request_id);
  g_assert_cmpint (again->outcome, ==, HAVEN_DELIVERY_OUTCOME_DELIVERED);
  g_assert_cmpstr (again->case_reference, ==, stored_reference);
  g_assert_cmpuint (entry_attempts (fixture, request_id), ==, 1);
  g_assert_null (haven_delivery_get_operator_alert (fixture->delivery));
}

static void
test_retry_after (Fixture       *fixture,
                  gconstpointer  user_data)
{
  const char * const options[] = { "--fail-first", "1", "--retry-after", "1", NULL };
  g_autofree char *request_id = NULL;
  g_autoptr(HavenOutboxEntry) busy = NULL;
  g_autoptr(HavenOutboxEntry) delivered = NULL;
  gint64 first_attempt_at;

  start_receiver_and_delivery (fixture, options);
  request_id = enqueue (fixture, "https://example.social/p/2");

  haven_delivery_start (fixture->delivery);

  /* The 503 is recorded with a next attempt no sooner than Retry-After,
   * though the backoff alone would have come back within 200 ms. */
  WAIT_UNTIL (entry_attempts (fixture, request_id) >= 1 &&
              entry_state (fixture, request_id) == HAVEN_OUTBOX_STATE_QUEUED, 10);
  busy = lookup (fixture, request_id, TRUE);
  g_assert_cmpuint (busy->attempts, ==, 1);
  g_assert_nonnull (strstr (busy->last_error, "503"));
  g_assert_cmpint (busy->next_attempt_at - busy->last_attempt_at, >=, G_TIME_SPAN_SECOND);
  g_assert_nonnull (busy->body);
  first_attempt_at = busy->last_attempt_at;

  /* The scheduler wakes on its own and delivers. */
  WAIT_UNTIL (entry_state (fixture, request_id) == HAVEN_OUTBOX_STATE_DELIVERED, 10);
  delivered = lookup (fixture, request_id, FALSE);
  g_assert_cmpuint (delivered->attempts, ==, 2);
  g_assert_cmpint (delivered->last_attempt_at - first_attempt_at, >=, G_TIME_SPAN_SECOND);
  g_assert_cmpuint (receiver_count (fixture, request_id), ==, 1);
}

static void
test_retry_after_kept (Fixture       *fixture,
                       gconstpointer  user_data)
{
  const char * const options[] = { "--fail-first", "1", "--retry-after", "30", NULL };
  g_autofree char *request_id = NULL;
  g_autoptr(HavenDeliveryResult) busy = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  HavenDeliveryResult *waiting;

  start_receiver_and_delivery (fixture, options);
  request_id = enqueue (fixture, "https://example.social/p/14");

  busy = deliver_now (fixture, request_id);
  g_assert_cmpint (busy->outcome, ==, HAVEN_DELIVERY_OUTCOME_QUEUED);
  g_assert_cmpuint (busy->status, ==, 503);
  g_assert_cmpint (busy->next_attempt_at, >=, g_get_real_time () + 29 * G_TIME_SPAN_SECOND);

  /* Even a flush of everything waits as long as the backend asked. */
  results = flush (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  waiting = g_ptr_array_index (results, 0);
  g_assert_cmpint (waiting->outcome, ==, HAVEN_DELIVERY_OUTCOME_NOT_TRIED);
  g_assert_cmpint (waiting->next_attempt_at, >=, g_get_real_time () + 28 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (waiting->next_attempt_at, <=, busy->next_attempt_at);
  g_assert_cmpuint (entry_attempts (fixture, request_id), ==, 1);
  g_assert_cmpuint (receiver_count (fixture, request_id), ==, 0);
}

static void
test_closed_mid_answer (Fixture       *fixture,
                        gconstpointer  user_data)
{
  const char * const options[] = { "--close-mid-answer", "1", NULL };
  g_autofree char *request_id = NULL;
  g_autofree char *stored_reference = NULL;
  g_autoptr(HavenDeliveryResult) cut = NULL;
  g_autoptr(HavenDeliveryResult) result = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;

  start_receiver_and_delivery (fixture, options);
  request_id = enqueue (fixture, "https://example.social/p/3");

  /* The backend stored it, but its answer never arrived: still queued. */
  cut = deliver_now (fixture, request_id);
  g_assert_cmpint (cut->outcome, ==, HAVEN_DELIVERY_OUTCOME_QUEUED);
  g_assert_cmpuint (cut->status, ==, 0);
  g_assert_cmpint (cut->next_attempt_at, >, 0);
  g_assert_cmpuint (receiver_count (fixture, request_id), ==, 1);
  entry = lookup (fixture, request_id, TRUE);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_assert_nonnull (entry->body);

  /* The repeat is answered with the first answer, and stored once. */
  result = deliver_now (fixture, request_id);
  g_assert_cmpint (result->outcome, ==, HAVEN_DELIVERY_OUTCOME_DELIVERED);
  g_assert_cmpuint (result->status, ==, 200);
  stored_reference = receiver_reference (fixture, request_id);
  g_assert_cmpstr (result->case_reference, ==, stored_reference);
  g_assert_cmpuint (receiver_count (fixture, request_id), ==, 1);
}

static void
test_down_then_up (Fixture       *fixture,
                   gconstpointer  user_data)
{
  guint16 port = find_free_port ();
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", port);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  const char * const options[] = { "--listen", listen, NULL };
  g_autofree char *request_id = NULL;
  g_autoptr(HavenOutboxEntry) refused = NULL;
  GNetworkMonitor *monitor = g_network_monitor_get_default ();

  configure (fixture, url, "ca.pem");
  new_delivery (fixture);
  /* Long enough that only the network coming back can bring the retry
   * within this test. */
  haven_delivery_set_backoff (fixture->delivery, 60 * G_TIME_SPAN_SECOND,
                              120 * G_TIME_SPAN_SECOND);
  request_id = enqueue (fixture, "https://example.social/p/4");

  haven_delivery_start (fixture->delivery);
  WAIT_UNTIL (entry_attempts (fixture, request_id) >= 1 &&
              entry_state (fixture, request_id) == HAVEN_OUTBOX_STATE_QUEUED, 10);
  refused = lookup (fixture, request_id, TRUE);
  g_assert_nonnull (strstr (refused->last_error, "refused"));
  g_assert_cmpint (refused->next_attempt_at, >, g_get_real_time () + 5 * G_TIME_SPAN_SECOND);
  g_assert_nonnull (refused->body);

  /* The receiver comes up where the kiosk looks for it, and the network
   * monitor says the network went and came back. */
  start_receiver (fixture, options);
  g_assert_cmpstr (fixture->receiver->url, ==, url);
  g_signal_emit_by_name (monitor, "network-changed", FALSE);
  g_assert_cmpint (entry_state (fixture, request_id), ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_signal_emit_by_name (monitor, "network-changed", TRUE);

  WAIT_UNTIL (entry_state (fixture, request_id) == HAVEN_OUTBOX_STATE_DELIVERED, 10);
  g_assert_cmpuint (entry_attempts (fixture, request_id), ==, 2);
  g_assert_cmpuint (receiver_count (fixture, request_id), ==, 1);
}

static void
test_wrong_ca (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autofree char *request_id = NULL;
  g_autoptr(HavenDeliveryResult) result = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(GBytes) body = NULL;

  start_receiver (fixture, NULL);
  configure (fixture, fixture->receiver->url, "other-ca.pem");
  new_delivery (fixture);
  request_id = enqueue (fixture, "https://example.social/p/5");

  result = deliver_now (fixture, request_id);
  g_assert_cmpint (result->outcome, ==, HAVEN_DELIVERY_OUTCOME_QUEUED);
  g_assert_cmpuint (result->status, ==, 0);
  g_assert_nonnull (strstr (result->message, "certificate"));
  g_assert_cmpstr (haven_delivery_get_operator_alert (fixture->delivery), ==, result->message);

  /* Nothing deleted, nothing received. */
  entry = lookup (fixture, request_id, TRUE);
  body = make_body (request_id, "https://example.social/p/5");
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_assert_cmpstr (entry->last_error, ==, result->message);
  g_assert_nonnull (entry->body);
  g_assert_true (g_bytes_equal (entry->body, body));
  g_assert_cmpint (receiver_int (fixture, "SELECT count(*) FROM requests", NULL), ==, 0);
}

static guint
count_lines_with (const char *text,
                  const char *needle)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint count = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], needle) != NULL)
        count++;
    }

  return count;
}

static void
test_pin_mismatch (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *other_pin = pin_for_key_file ("other-key.pem");
  g_autofree char *server_pin = pin_for_key_file ("server-key.pem");
  const char *wrong_pins[] = { other_pin, NULL };
  const char *rotated_pins[] = { other_pin, server_pin, NULL };
  g_autofree char *request_id = NULL;
  g_autofree char *log = NULL;
  g_autoptr(HavenDeliveryResult) result = NULL;
  g_autoptr(HavenDeliveryResult) unblocked = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  start_receiver_full (fixture, NULL, TRUE);
  configure (fixture, fixture->receiver->url, "ca.pem");
  g_settings_set_strv (fixture->settings, "pinned-keys", wrong_pins);
  new_delivery (fixture);
  request_id = enqueue (fixture, "https://example.social/p/6");

  result = deliver_now (fixture, request_id);
  g_assert_cmpint (result->outcome, ==, HAVEN_DELIVERY_OUTCOME_BLOCKED);
  g_assert_nonnull (strstr (result->message, server_pin));
  g_assert_true (haven_delivery_get_blocked (fixture->delivery));
  g_assert_cmpstr (haven_delivery_get_operator_alert (fixture->delivery), ==, result->message);

  /* Kept, with its body, for when the operator has looked. */
  entry = lookup (fixture, request_id, TRUE);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_assert_nonnull (entry->body);

  /* Not retried behind the operator's back: nothing more is sent. */
  results = flush (fixture, &error);
  g_assert_error (error, HAVEN_DELIVERY_ERROR, HAVEN_DELIVERY_ERROR_BLOCKED);
  g_assert_null (results);
  g_clear_error (&error);
  g_assert_cmpuint (entry_attempts (fixture, request_id), ==, 1);

  /* The receiver never saw a request: nothing stored, no key claimed. */
  g_assert_cmpint (receiver_int (fixture, "SELECT count(*) FROM requests", NULL), ==, 0);
  g_assert_cmpint (receiver_int (fixture, "SELECT count(*) FROM idempotency_keys", NULL), ==, 0);

  /* The operator adds the backend's new key: delivery goes on. */
  g_settings_set_strv (fixture->settings, "pinned-keys", rotated_pins);
  WAIT_UNTIL (!haven_delivery_get_blocked (fixture->delivery), 10);
  g_assert_null (haven_delivery_get_operator_alert (fixture->delivery));
  unblocked = deliver_now (fixture, request_id);
  g_assert_cmpint (unblocked->outcome, ==, HAVEN_DELIVERY_OUTCOME_DELIVERED);
  g_assert_cmpuint (receiver_count (fixture, request_id), ==, 1);

  /* The receiver logs each request it handles: one POST, the one that was
   * delivered, and nothing from the handshake the pin stopped. The log
   * line comes after the answer, so wait for it. */
  WAIT_UNTIL ((g_free (log), log = receiver_log (fixture), strstr (log, "POST") != NULL), 10);
  g_assert_cmpuint (count_lines_with (log, "POST"), ==, 1);
  g_assert_cmpuint (count_lines_with (log, request_id), ==, 1);
  assert_no_marker (log);
}

static void
test_invalid (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autofree char *visitor_id = NULL;
  g_autofree char *queued_id = NULL;
  g_autoptr(HavenDeliveryResult) result = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(HavenOutboxEntry) kept = NULL;
  g_autoptr(GBytes) sent_body = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  HavenDeliveryResult *flushed;
  const char *message;

  start_receiver_full (fixture, NULL, TRUE);
  configure (fixture, fixture->receiver->url, "ca.pem");
  new_delivery (fixture);

  /* While the visitor is there: the field errors come back for the page,
   * and the request stays, failed, for the staff in case the visitor
   * walks away rather than fix it. */
  visitor_id = enqueue (fixture, "not-a-web-address");
  result = deliver_now (fixture, visitor_id);
  g_assert_cmpint (result->outcome, ==, HAVEN_DELIVERY_OUTCOME_INVALID);
  g_assert_cmpuint (result->status, ==, 400);
  g_assert_nonnull (result->field_errors);
  message = g_hash_table_lookup (result->field_errors, "items[0].url");
  g_assert_nonnull (message);
  g_assert_cmpstr (message, !=, "");
  g_assert_nonnull (strstr (result->message, "items[0].url"));
  g_assert_false (haven_delivery_outcome_is_kept (result->outcome));
  kept = lookup (fixture, visitor_id, TRUE);
  g_assert_cmpint (kept->state, ==, HAVEN_OUTBOX_STATE_FAILED);
  g_assert_cmpuint (kept->http_status, ==, 400);
  g_assert_nonnull (strstr (kept->error_fields, "\"items[0].url\""));
  assert_no_marker (kept->error_fields);
  g_assert_nonnull (strstr (kept->last_error, "400"));
  g_assert_nonnull (kept->body);
  sent_body = make_body (visitor_id, "not-a-web-address");
  g_assert_true (g_bytes_equal (kept->body, sent_body));

  /* Later, from the queue: failed for good, reported to the operator, the
   * body kept for them. The one refused while the visitor was there is
   * not sent again: a flush of everything lists only the new one. */
  queued_id = enqueue (fixture, "not-a-web-address");
  results = flush (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  flushed = g_ptr_array_index (results, 0);
  g_assert_cmpstr (flushed->request_id, ==, queued_id);
  g_assert_cmpint (flushed->outcome, ==, HAVEN_DELIVERY_OUTCOME_INVALID);
  g_assert_true (g_hash_table_contains (flushed->field_errors, "items[0].url"));

  entry = lookup (fixture, queued_id, TRUE);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_FAILED);
  g_assert_nonnull (strstr (entry->last_error, "items[0].url"));
  g_assert_nonnull (strstr (entry->last_error, "400"));
  assert_no_marker (entry->last_error);
  g_assert_nonnull (entry->body);
  g_assert_cmpint (receiver_int (fixture, "SELECT count(*) FROM requests", NULL), ==, 0);

  /* Nor by a flush of everything, again: each reached the receiver once. */
  g_clear_pointer (&results, g_ptr_array_unref);
  results = flush (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);
  g_assert_cmpint (entry_state (fixture, visitor_id), ==, HAVEN_OUTBOX_STATE_FAILED);
  g_assert_cmpint (entry_state (fixture, queued_id), ==, HAVEN_OUTBOX_STATE_FAILED);
  WAIT_UNTIL ((g_free (log), log = receiver_log (fixture),
               count_lines_with (log, "POST") == 2), 10);
  /* The receiver logs no request_id for a request it could not read. */
  g_assert_cmpuint (count_lines_with (log, "POST /v1/removal-requests 400"), ==, 2);
}

/* Refused for good while sealed: kept sealed, listed for the operator,
 * exported by havenctl as the sealed box the backend's key opens, with
 * what the backend said beside it, and deleted by havenctl. */
static void
test_invalid_sealed_export (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autofree char *keypair = g_build_filename (fixture->folder, "keypair", NULL);
  g_autofree char *public_key = receiver_process_make_keypair (keypair);
  const char * const options[] = { "--keypair", keypair, NULL };
  g_autofree char *export_dir = g_build_filename (fixture->folder, "export", NULL);
  g_autofree char *request_id = NULL;
  g_autofree char *sealed_path = NULL;
  g_autofree char *summary_path = NULL;
  g_autofree char *keypair_text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(HavenDeliveryResult) result = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint8 public_bytes[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 secret_bytes[HAVEN_SEALED_BOX_KEY_BYTES];
  const char * const list_arguments[] = { "outbox", "list", NULL };
  const char * const export_arguments[] = { "outbox", "export-failed", export_dir, NULL };
  const char * const purge_arguments[] = { "outbox", "purge", "--failed", NULL };
  JsonObject *summary;
  GStatBuf buf;
  char *body = NULL;
  gsize length = 0;

  start_receiver_and_delivery (fixture, options);
  haven_outbox_set_allow_unsealed (fixture->outbox, FALSE);
  g_settings_set_string (fixture->settings, "backend-public-key", public_key);
  haven_outbox_set_public_key (fixture->outbox, public_key, &error);
  g_assert_no_error (error);

  request_id = enqueue (fixture, "not-a-web-address");
  result = deliver_now (fixture, request_id);
  g_assert_cmpint (result->outcome, ==, HAVEN_DELIVERY_OUTCOME_INVALID);
  entry = lookup (fixture, request_id, TRUE);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_FAILED);
  g_assert_true (entry->sealed);

  /* Listed, with the count and how long it stays. */
  g_assert_cmpint (run_havenctl (fixture->config_home, list_arguments, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, request_id));
  g_assert_nonnull (strstr (out, "  failed  "));
  g_assert_nonnull (strstr (out, "Failed, kept for staff: 1\n"));
  g_assert_nonnull (strstr (out, "wiped 30 days after it failed"));
  assert_no_marker (out);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Exported: the sealed box as it would be sent, and the summary. */
  g_assert_cmpint (run_havenctl (fixture->config_home, export_arguments, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "Failed requests exported to "));
  assert_no_marker (out);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (g_stat (export_dir, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0700);

  sealed_path = g_strconcat (export_dir, "/", request_id, ".sealed", NULL);
  g_assert_cmpint (g_stat (sealed_path, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0600);
  g_assert_false (file_contains (sealed_path, MARKER));
  g_file_get_contents (sealed_path, &body, &length, &error);
  g_assert_no_error (error);
  exported = g_bytes_new_take (body, length);
  g_assert_true (g_bytes_equal (exported, entry->body));

  /* Only the backend's secret key, from the receiver's key pair file,
   * opens it, and what is inside is what the visitor confirmed. */
  g_file_get_contents (keypair, &keypair_text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (keypair_text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "public "))
        g_assert_true (haven_sealed_box_decode_key (lines[i] + 7, public_bytes, NULL));
      if (g_str_has_prefix (lines[i], "secret "))
        g_assert_true (haven_sealed_box_decode_key (lines[i] + 7, secret_bytes, NULL));
    }
  opened = haven_sealed_box_open (public_bytes, secret_bytes, exported, &error);
  g_assert_no_error (error);
  expected = make_body (request_id, "not-a-web-address");
  g_assert_true (g_bytes_equal (opened, expected));

  summary_path = g_strconcat (export_dir, "/", request_id, ".error.json", NULL);
  g_assert_false (file_contains (summary_path, MARKER));
  json_parser_load_from_file (parser, summary_path, &error);
  g_assert_no_error (error);
  summary = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (summary, "request_id"), ==, request_id);
  g_assert_true (json_object_get_boolean_member (summary, "sealed"));
  g_assert_cmpint (json_object_get_int_member (summary, "http_status"), ==, 400);
  g_assert_nonnull (strstr (json_object_get_string_member (summary, "error"), "items[0].url"));
  g_assert_true (json_object_has_member (json_object_get_object_member (summary, "error_fields"),
                                         "items[0].url"));
  g_assert_cmpstr (json_object_get_string_member (summary, "body_file"), ==,
                   strrchr (sealed_path, '/') + 1);
  g_assert_nonnull (json_object_get_string_member (summary, "expires_at"));

  /* Deleted by the operator once exported. */
  g_assert_cmpint (run_havenctl (fixture->config_home, purge_arguments, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "Failed requests deleted: 1\n");
  g_clear_pointer (&entry, haven_outbox_entry_free);
  entry = haven_outbox_lookup (fixture->outbox, request_id, FALSE, &error);
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_FOUND);
}

static void
test_key_reused (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *request_id = NULL;
  g_autofree char *stored_reference = NULL;
  g_autoptr(HavenDeliveryResult) first = NULL;
  g_autoptr(HavenDeliveryResult) second = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;

  start_receiver_and_delivery (fixture, NULL);
  request_id = enqueue (fixture, "https://example.social/p/7");
  first = deliver_now (fixture, request_id);
  g_assert_cmpint (first->outcome, ==, HAVEN_DELIVERY_OUTCOME_DELIVERED);

  /* The same id with a different body: a kiosk that mixed two requests
   * up. */
  haven_outbox_purge (fixture->outbox, request_id, &error);
  g_assert_no_error (error);
  enqueue_with_id (fixture, request_id, "https://example.social/p/8");

  second = deliver_now (fixture, request_id);
  g_assert_cmpint (second->outcome, ==, HAVEN_DELIVERY_OUTCOME_REJECTED);
  g_assert_cmpuint (second->status, ==, 422);
  entry = lookup (fixture, request_id, TRUE);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_FAILED);
  g_assert_nonnull (strstr (entry->last_error, "422"));
  g_assert_nonnull (entry->body);

  /* The backend still has the first, once. */
  stored_reference = receiver_reference (fixture, request_id);
  g_assert_cmpstr (stored_reference, ==, first->case_reference);
  g_assert_cmpuint (receiver_count (fixture, request_id), ==, 1);
}

static void
test_unauthorised (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *tokens = write_file (fixture->folder, "tokens", "current-token\n");
  g_autofree char *expired = write_file (fixture->folder, "expired-token", "expired-token\n");
  g_autofree char *current = write_file (fixture->folder, "current-token", "current-token\n");
  const char * const options[] = { "--token-file", tokens, NULL };
  g_autofree char *request_id = NULL;
  g_autoptr(HavenDeliveryResult) result = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;

  start_receiver (fixture, options);
  configure (fixture, fixture->receiver->url, "ca.pem");
  g_settings_set_string (fixture->settings, "token-file", expired);
  new_delivery (fixture);
  haven_delivery_set_backoff (fixture->delivery, TEST_BACKOFF_BASE, 60 * G_TIME_SPAN_SECOND);
  request_id = enqueue (fixture, "https://example.social/p/9");
  haven_delivery_start (fixture->delivery);

  WAIT_UNTIL (entry_attempts (fixture, request_id) >= 1 &&
              entry_state (fixture, request_id) == HAVEN_OUTBOX_STATE_QUEUED, 10);
  result = deliver_now (fixture, request_id);
  g_assert_cmpint (result->outcome, ==, HAVEN_DELIVERY_OUTCOME_UNAUTHORISED);
  g_assert_cmpuint (result->status, ==, 401);
  g_assert_true (haven_delivery_outcome_is_kept (result->outcome));
  g_assert_nonnull (strstr (haven_delivery_get_operator_alert (fixture->delivery), "401"));

  /* Queued with its body, not before the longest backoff. */
  entry = lookup (fixture, request_id, TRUE);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_assert_nonnull (entry->body);
  g_assert_cmpint (entry->next_attempt_at, >, g_get_real_time () + 50 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (receiver_int (fixture, "SELECT count(*) FROM requests", NULL), ==, 0);

  /* The operator installs the new token: delivered without waiting. */
  g_settings_set_string (fixture->settings, "token-file", current);
  WAIT_UNTIL (entry_state (fixture, request_id) == HAVEN_OUTBOX_STATE_DELIVERED, 10);
  g_assert_null (haven_delivery_get_operator_alert (fixture->delivery));
  g_assert_cmpuint (receiver_count (fixture, request_id), ==, 1);
}

static void
test_sealed (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *keypair = g_build_filename (fixture->folder, "keypair", NULL);
  g_autofree char *public_key = receiver_process_make_keypair (keypair);
  const char * const options[] = { "--keypair", keypair, NULL };
  g_autofree char *wal = g_strconcat (fixture->outbox_path, "-wal", NULL);
  g_autofree char *request_id = NULL;
  g_autofree char *stored_body = NULL;
  g_autoptr(HavenDeliveryResult) result = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;

  start_receiver_and_delivery (fixture, options);
  haven_outbox_set_public_key (fixture->outbox, public_key, &error);
  g_assert_no_error (error);

  request_id = enqueue (fixture, "https://example.social/p/10");
  entry = lookup (fixture, request_id, TRUE);
  g_assert_true (entry->sealed);
  g_assert_false (file_contains (fixture->outbox_path, MARKER));
  g_assert_false (file_contains (wal, MARKER));

  result = deliver_now (fixture, request_id);
  g_assert_cmpint (result->outcome, ==, HAVEN_DELIVERY_OUTCOME_DELIVERED);

  /* The receiver opened it to check it (a 201), and keeps it as it came:
   * the very box the outbox held, readable only with the key. */
  stored_body = receiver_text (fixture, "SELECT hex(body) FROM requests WHERE request_id = ?1",
                               request_id);
  g_assert_nonnull (stored_body);
  {
    gsize length = 0;
    const guint8 *data = g_bytes_get_data (entry->body, &length);
    g_autoptr(GString) sent_hex = g_string_new (NULL);

    for (gsize i = 0; i < length; i++)
      g_string_append_printf (sent_hex, "%02X", data[i]);
    g_assert_cmpstr (stored_body, ==, sent_hex->str);
  }
  g_assert_cmpuint (receiver_count (fixture, request_id), ==, 1);
}

static void
test_killed_while_sending (Fixture       *fixture,
                           gconstpointer  user_data)
{
  const char * const options[] = { "--delay-ms", "1500", NULL };
  const char * const flush_arguments[] = { "outbox", "flush", NULL };
  g_autofree char *request_id = NULL;
  g_autofree char *stored_reference = NULL;
  g_autofree char *expected_line = NULL;
  g_autoptr(GSubprocess) havenctl = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  start_receiver (fixture, options);
  configure (fixture, fixture->receiver->url, "ca.pem");
  request_id = enqueue (fixture, "https://example.social/p/11");

  /* The request reaches the receiver, which holds its answer back... */
  havenctl = spawn_havenctl (fixture->config_home, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                   G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                             flush_arguments);
  WAIT_UNTIL (receiver_int (fixture, "SELECT count(*) FROM idempotency_keys WHERE key = ?1",
                            request_id) == 1, 20);

  /* ...and havenctl is killed before the answer. */
  g_subprocess_send_signal (havenctl, SIGKILL);
  g_subprocess_wait (havenctl, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (havenctl));
  g_assert_cmpint (g_subprocess_get_term_sig (havenctl), ==, SIGKILL);
  g_assert_cmpint (entry_state (fixture, request_id), ==, HAVEN_OUTBOX_STATE_SENDING);

  /* Started again, it sends the same request again; while the receiver
   * still holds the first, it is told to come back (409), which is not
   * delivered, so the command fails and is run again. */
  for (guint run = 0; run < 5 && status != 0; run++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      if (run > 0)
        WAIT_UNTIL (receiver_count (fixture, request_id) == 1, 20);

      status = run_flush_command (fixture, &out, &err);
      if (status == 0)
        {
          stored_reference = receiver_reference (fixture, request_id);
          expected_line = g_strdup_printf ("%s  delivered  %s\n", request_id, stored_reference);
          g_assert_true (g_str_has_prefix (out, expected_line));
        }
      else
        {
          g_assert_cmpint (status, ==, 1);
          g_assert_nonnull (strstr (out, "409"));
        }
    }
  g_assert_cmpint (status, ==, 0);

  /* Exactly one record, and the outbox has its reference. */
  g_assert_cmpuint (receiver_count (fixture, request_id), ==, 1);
  entry = lookup (fixture, request_id, FALSE);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_DELIVERED);
  g_assert_cmpstr (entry->case_reference, ==, stored_reference);
}

static void
test_flush_command (Fixture       *fixture,
                    gconstpointer  user_data)
{
  guint16 port = find_free_port ();
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", port);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  const char * const options[] = { "--listen", listen, NULL };
  g_autofree char *first_id = NULL;
  g_autofree char *second_id = NULL;
  g_autofree char *first_reference = NULL;
  g_autofree char *second_reference = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *refused_out = NULL;
  g_autofree char *refused_err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *empty_out = NULL;
  g_autofree char *empty_err = NULL;
  g_auto(GStrv) lines = NULL;

  configure (fixture, url, "ca.pem");
  first_id = enqueue (fixture, "https://example.social/p/12");
  second_id = enqueue (fixture, "https://example.social/p/13");

  /* Nothing listens: the first is tried, the second is not, and both
   * stay queued. */
  g_assert_cmpint (run_flush_command (fixture, &refused_out, &refused_err), ==, 1);
  lines = g_strsplit (refused_out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (g_str_has_prefix (lines[0], first_id));
  g_assert_nonnull (strstr (lines[0], "  queued  "));
  g_assert_true (g_str_has_prefix (lines[1], second_id));
  g_assert_nonnull (strstr (lines[1], "  not-tried  "));
  g_assert_cmpstr (lines[2], ==, "Delivered 0, still queued 2, failed 0");
  g_assert_cmpint (entry_state (fixture, first_id), ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (entry_attempts (fixture, first_id), ==, 1);
  g_assert_cmpuint (entry_attempts (fixture, second_id), ==, 0);

  start_receiver (fixture, options);
  g_assert_cmpint (run_flush_command (fixture, &out, &err), ==, 0);
  first_reference = receiver_reference (fixture, first_id);
  second_reference = receiver_reference (fixture, second_id);
  expected = g_strdup_printf ("%s  delivered  %s\n%s  delivered  %s\n"
                              "Delivered 2, still queued 0, failed 0\n",
                              first_id, first_reference, second_id, second_reference);
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpstr (err, ==, "");

  g_assert_cmpint (run_flush_command (fixture, &empty_out, &empty_err), ==, 0);
  g_assert_cmpstr (empty_out, ==, "Nothing to deliver\n");
}

#define MANY 1000

static void
test_thousand (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(GPtrArray) request_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) references = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *statement;
  gint64 started;

  start_receiver_and_delivery (fixture, NULL);
  for (guint i = 0; i < MANY; i++)
    {
      g_autofree char *url = g_strdup_printf ("https://example.social/p/%u", i);

      g_ptr_array_add (request_ids, enqueue (fixture, url));
    }

  started = g_get_monotonic_time ();
  results = flush (fixture, &error);
  g_assert_no_error (error);
  g_test_message ("%u requests flushed in %.2f s over %u connection(s)", MANY,
                  (g_get_monotonic_time () - started) / (double) G_TIME_SPAN_SECOND,
                  haven_delivery_get_n_connections (fixture->delivery));

  /* One result each, in the order they were queued, all delivered. */
  g_assert_cmpuint (results->len, ==, MANY);
  for (guint i = 0; i < MANY; i++)
    {
      HavenDeliveryResult *result = g_ptr_array_index (results, i);

      g_assert_cmpstr (result->request_id, ==, g_ptr_array_index (request_ids, i));
      g_assert_cmpint (result->outcome, ==, HAVEN_DELIVERY_OUTCOME_DELIVERED);
    }

  /* The connections were reused: at most one for each request in flight. */
  g_assert_cmpuint (haven_delivery_get_n_connections (fixture->delivery), >=, 1);
  g_assert_cmpuint (haven_delivery_get_n_connections (fixture->delivery), <=,
                    HAVEN_DELIVERY_DEFAULT_CONCURRENCY);

  /* None lost, none accepted twice. */
  g_assert_cmpint (receiver_int (fixture, "SELECT count(*) FROM requests", NULL), ==, MANY);
  g_assert_cmpint (receiver_int (fixture, "SELECT count(DISTINCT request_id) FROM requests",
                                 NULL), ==, MANY);
  g_assert_cmpint (receiver_int (fixture, "SELECT count(DISTINCT case_reference) FROM requests",
                                 NULL), ==, MANY);

  statement = receiver_query (&db, fixture,
                              "SELECT request_id, case_reference FROM requests", NULL);
  while (sqlite3_step (statement) == SQLITE_ROW)
    g_hash_table_insert (stored, g_strdup ((const char *) sqlite3_column_text (statement, 0)),
                         g_strdup ((const char *) sqlite3_column_text (statement, 1)));
  sqlite3_finalize (statement);
  sqlite3_close (db);

  /* Every one delivered in the outbox, with the receiver's reference. */
  entries = haven_outbox_list (fixture->outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, MANY);
  for (guint i = 0; i < entries->len; i++)
    {
      HavenOutboxEntry *entry = g_ptr_array_index (entries, i);

      g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_DELIVERED);
      g_assert_cmpuint (entry->attempts, ==, 1);
      g_assert_cmpstr (entry->case_reference, ==,
                       g_hash_table_lookup (stored, entry->request_id));
      g_assert_true (g_hash_table_add (references, entry->case_reference));
    }
}

/* Every entry of the outbox against the receiver's database: none left
 * 'sending', each delivered one stored once with the same reference. With
 * @all_delivered, every one of @count is delivered and stored once. */
static guint
check_against_receiver (Fixture  *fixture,
                        guint     count,
                        gboolean  all_delivered)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint delivered = 0;

  entries = haven_outbox_list (fixture->outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, count);
  for (guint i = 0; i < entries->len; i++)
    {
      HavenOutboxEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *reference = NULL;

      g_assert_cmpint (entry->state, !=, HAVEN_OUTBOX_STATE_SENDING);
      if (all_delivered)
        g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_DELIVERED);
      if (entry->state != HAVEN_OUTBOX_STATE_DELIVERED)
        {
          g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
          continue;
        }

      delivered++;
      g_assert_cmpuint (receiver_count (fixture, entry->request_id), ==, 1);
      reference = receiver_reference (fixture, entry->request_id);
      g_assert_cmpstr (entry->case_reference, ==, reference);
    }

  /* Nothing stored twice, nothing stored that the outbox does not have. */
  g_assert_cmpint (receiver_int (fixture, "SELECT count(*) FROM requests", NULL), ==,
                   receiver_int (fixture, "SELECT count(DISTINCT request_id) FROM requests",
                                 NULL));
  g_assert_cmpint (receiver_int (fixture, "SELECT count(*) FROM requests", NULL), <=, count);

  return delivered;
}

/* havenctl is killed in the middle of a backlog, with requests claimed
 * ahead, answers waiting for their group commit and others on the wire:
 * the outbox, opened again, has lost none and sends none twice. */
#define KILLED_BACKLOG 300

static void
test_killed_mid_flush (Fixture       *fixture,
                       gconstpointer  user_data)
{
  const char * const options[] = { "--delay-ms", "5", NULL };
  const char * const flush_arguments[] = { "outbox", "flush", NULL };
  g_autoptr(GSubprocess) havenctl = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  guint delivered_before;

  start_receiver (fixture, options);
  configure (fixture, fixture->receiver->url, "ca.pem");
  for (guint i = 0; i < KILLED_BACKLOG; i++)
    {
      g_autofree char *url = g_strdup_printf ("https://example.social/p/%u", i);

      g_free (enqueue (fixture, url));
    }

  havenctl = spawn_havenctl (fixture->config_home, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                   G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                             flush_arguments);
  WAIT_UNTIL (receiver_int (fixture, "SELECT count(*) FROM requests", NULL) >= 40, 60);
  g_subprocess_send_signal (havenctl, SIGKILL);
  g_subprocess_wait (havenctl, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (havenctl));

  /* Opened again, as the kiosk would be after the crash. */
  g_assert_finalize_object (g_steal_pointer (&fixture->outbox));
  fixture->outbox = haven_outbox_new (fixture->outbox_path, &error);
  g_assert_no_error (error);
  delivered_before = check_against_receiver (fixture, KILLED_BACKLOG, FALSE);
  g_test_message ("%u of %u delivered before the kill", delivered_before, KILLED_BACKLOG);
  g_assert_cmpuint (delivered_before, <, KILLED_BACKLOG);

  /* The rest go, each once, those the receiver stored before the kill
   * answered with their first reference. */
  new_delivery (fixture);
  results = flush (fixture, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < results->len; i++)
    g_assert_cmpint (((HavenDeliveryResult *) g_ptr_array_index (results, i))->outcome, ==,
                     HAVEN_DELIVERY_OUTCOME_DELIVERED);
  check_against_receiver (fixture, KILLED_BACKLOG, TRUE);
  g_assert_cmpint (receiver_int (fixture, "SELECT count(*) FROM requests", NULL), ==,
                   KILLED_BACKLOG);
}

/* The backend goes away in the middle of a backlog: the flush stops, what
 * it had claimed ahead goes back to 'queued' as if never claimed, and
 * nothing is left 'sending'. */
#define HALTED_BACKLOG 120

static void
test_halted_mid_flush (Fixture       *fixture,
                       gconstpointer  user_data)
{
  guint16 port = find_free_port ();
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", port);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  const char * const options[] = { "--listen", listen, "--delay-ms", "10", NULL };
  g_autoptr(GPtrArray) request_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GAsyncResult) async_result = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  guint not_tried = 0;
  guint retried = 0;
  guint delivered;

  start_receiver (fixture, options);
  configure (fixture, url, "ca.pem");
  new_delivery (fixture);
  for (guint i = 0; i < HALTED_BACKLOG; i++)
    {
      g_autofree char *item_url = g_strdup_printf ("https://example.social/p/%u", i);

      g_ptr_array_add (request_ids, enqueue (fixture, item_url));
    }

  haven_delivery_flush_async (fixture->delivery, HAVEN_DELIVERY_FLUSH_ALL, NULL,
                              store_result_cb, &async_result);
  WAIT_UNTIL (receiver_int (fixture, "SELECT count(*) FROM requests", NULL) >= 12, 60);
  db_path = g_strdup (fixture->receiver->db_path);
  receiver_process_kill (g_steal_pointer (&fixture->receiver));

  results = haven_delivery_flush_finish (fixture->delivery, wait_for_result (&async_result),
                                         &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, HALTED_BACKLOG);
  for (guint i = 0; i < results->len; i++)
    {
      HavenDeliveryResult *result = g_ptr_array_index (results, i);
      g_autoptr(HavenOutboxEntry) entry = lookup (fixture, result->request_id, FALSE);

      g_assert_cmpstr (result->request_id, ==, g_ptr_array_index (request_ids, i));
      assert_result_private (result);
      switch (result->outcome)
        {
        case HAVEN_DELIVERY_OUTCOME_DELIVERED:
          g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_DELIVERED);
          g_assert_cmpuint (entry->attempts, ==, 1);
          break;

        case HAVEN_DELIVERY_OUTCOME_QUEUED:
          /* Met the closed door: counted, and waiting for its backoff. */
          g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
          g_assert_cmpuint (entry->attempts, ==, 1);
          retried++;
          break;

        case HAVEN_DELIVERY_OUTCOME_NOT_TRIED:
          /* Never sent, whether claimed ahead or not: as it was. */
          g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
          g_assert_cmpuint (entry->attempts, ==, 0);
          g_assert_cmpint (entry->last_attempt_at, ==, 0);
          not_tried++;
          break;

        case HAVEN_DELIVERY_OUTCOME_UNAUTHORISED:
        case HAVEN_DELIVERY_OUTCOME_BLOCKED:
        case HAVEN_DELIVERY_OUTCOME_INVALID:
        case HAVEN_DELIVERY_OUTCOME_REJECTED:
        default:
          g_error ("Unexpected outcome %d for request %u", result->outcome, i);
        }
    }
  g_test_message ("%u retried, %u not tried of %u", retried, not_tried, HALTED_BACKLOG);
  g_assert_cmpuint (retried, >=, 1);
  g_assert_cmpuint (not_tried, >=, 1);

  /* Back up on the same database: the rest go, and what it stored before
   * it went away is not stored twice. A connection kept from before the
   * crash may fail the first request, which halts that flush; the
   * scheduler would try again, as this does. A request the receiver was
   * in the middle of when it was killed keeps its Idempotency-Key claimed
   * until that claim goes stale (half a minute), and is answered 409
   * meanwhile: it stays queued, stored nowhere, to go later. */
  fixture->receiver = receiver_process_start_tls_full (db_path, NULL, options);
  for (guint run = 0; run < 2; run++)
    {
      g_clear_pointer (&second, g_ptr_array_unref);
      second = flush (fixture, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < second->len; i++)
        {
          HavenDeliveryResult *result = g_ptr_array_index (second, i);

          if (result->outcome != HAVEN_DELIVERY_OUTCOME_DELIVERED)
            g_test_message ("Flush %u after the restart: request %u not delivered (%d): %s", run,
                            i, result->outcome, result->message);
        }
    }

  delivered = check_against_receiver (fixture, HALTED_BACKLOG, FALSE);
  for (guint i = 0; i < request_ids->len; i++)
    {
      const char *request_id = g_ptr_array_index (request_ids, i);

      if (entry_state (fixture, request_id) != HAVEN_OUTBOX_STATE_DELIVERED)
        g_assert_cmpuint (receiver_count (fixture, request_id), ==, 0);
    }
  /* Only those on the wire when it was killed can be held so. */
  g_assert_cmpuint (HALTED_BACKLOG - delivered, <=, HAVEN_DELIVERY_DEFAULT_CONCURRENCY);
  g_assert_cmpint (receiver_int (fixture, "SELECT count(*) FROM requests", NULL), ==, delivered);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  work_dir_init ("delivery");
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/haven/delivery/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("happy-path", test_happy_path);
  ADD ("retry-after", test_retry_after);
  ADD ("retry-after-kept", test_retry_after_kept);
  ADD ("closed-mid-answer", test_closed_mid_answer);
  ADD ("down-then-up", test_down_then_up);
  ADD ("wrong-ca", test_wrong_ca);
  ADD ("pin-mismatch", test_pin_mismatch);
  ADD ("invalid", test_invalid);
  ADD ("invalid-sealed-export", test_invalid_sealed_export);
  ADD ("key-reused", test_key_reused);
  ADD ("unauthorised", test_unauthorised);
  ADD ("sealed", test_sealed);
  ADD ("killed-while-sending", test_killed_while_sending);
  ADD ("killed-mid-flush", test_killed_mid_flush);
  ADD ("halted-mid-flush", test_halted_mid_flush);
  ADD ("flush-command", test_flush_command);
  ADD ("thousand", test_thousand);

#undef ADD

  status = g_test_run ();
  work_dir_remove ();

  return status;
}
