/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receiver"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "haven-request-envelope.h"
#include "haven-sealed-box.h"
#include "haven-tls-pin.h"
#include "pg-cluster.h"
#include "receiver-database.h"
#include "receiver-process.h"

/* haven-receiver as integrators meet it: what it answers over HTTPS, the
 * database it leaves, and what it refuses to start with. Only ever on
 * 127.0.0.1. */

/* haven-api-v1.md's answer to a new submission, and nothing that reads as 0/O or
 * 1/I. */
#define CASE_REFERENCE_PATTERN "^HV-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$"

#define REMOVAL_PATH "/v1/removal-requests"
#define REPORT_PATH "/v1/reports"
#define JSON_TYPE "application/json"
#define SEALED_TYPE "application/vnd.haven.sealed"

/* Written by main(): the tokens of --token-file, and the public key of the
 * key pair that --make-keypair wrote to work_path ("keypair"). */
#define TOKEN "kiosk-token-2"
static char *public_key_base64;

typedef struct {
  ReceiverProcess *receiver;
  SoupSession *session;
} Fixture;

/* Options for the receiver, as the fixture's user data: NULL-terminated,
 * where "@NAME" stands for work_path (NAME) and "~N" for N times
 * test_slowdown (). */
static const char * const delay_options[] = { "--delay-ms", "~1500", NULL };
static const char * const token_options[] = { "--token-file", "@tokens", NULL };
static const char * const keypair_options[] = { "--keypair", "@keypair", NULL };
static const char * const fail_first_options[] = {
  "--fail-first", "2", "--retry-after", "7", NULL
};
static const char * const fail_status_options[] = {
  "--fail-first", "1", "--fail-status", "403", NULL
};
static const char * const close_mid_answer_options[] = { "--close-mid-answer", "1", NULL };

/* The same cases on PostgreSQL: "%pg" first puts the receiver on the
 * test's cluster (--database) instead of a SQLite file of its own. */
#define ON_POSTGRESQL "%pg"
static const char * const pg_options[] = { ON_POSTGRESQL, NULL };
static const char * const pg_delay_options[] = { ON_POSTGRESQL, "--delay-ms", "~1500", NULL };

/* Started by main() when PostgreSQL is installed; one database for every
 * case, which each use keys of their own. */
static PgCluster *pg_cluster;

/* Starts a receiver over TLS on @db_path (NULL for a new database) with
 * @options, where "@NAME" stands for work_path (NAME). */
static ReceiverProcess *
start_receiver (const char         *db_path,
                const char * const *options)
{
  g_autoptr(GPtrArray) arguments = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; options != NULL && options[i] != NULL; i++)
    {
      if (g_str_equal (options[i], ON_POSTGRESQL))
        {
          g_assert_nonnull (pg_cluster);
          if (db_path == NULL)
            db_path = pg_cluster_get_uri (pg_cluster);
        }
      else if (options[i][0] == '@')
        g_ptr_array_add (arguments, work_path (options[i] + 1));
      else if (options[i][0] == '~')
        g_ptr_array_add (arguments, g_strdup_printf ("%" G_GUINT64_FORMAT,
                                                     g_ascii_strtoull (options[i] + 1, NULL, 10) *
                                                     test_slowdown ()));
      else
        g_ptr_array_add (arguments, g_strdup (options[i]));
    }
  g_ptr_array_add (arguments, NULL);

  return receiver_process_start_tls_full (db_path, NULL,
                                          (const char * const *) arguments->pdata);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *ca = work_path ("ca.pem");
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  fixture->receiver = start_receiver (NULL, user_data);

  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  fixture->session = soup_session_new_with_options ("timeout", 10 * test_slowdown (), NULL);
  soup_session_set_tls_database (fixture->session, database);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  g_clear_pointer (&fixture->receiver, receiver_process_stop);
}

/* Sends @message on the main context, as the kiosk does, and returns the
 * answer's body; NULL with @error when no complete answer came. */
static GBytes *
send_message (Fixture      *fixture,
              SoupMessage  *message,
              GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  soup_session_send_and_read_async (fixture->session, message, G_PRIORITY_DEFAULT, NULL,
                                    store_result_cb, &result);

  return soup_session_send_and_read_finish (fixture->session, wait_for_result (&result), error);
}

/* Sends one request and returns the message; the body is in @body. */
static SoupMessage *
request (Fixture     *fixture,
         const char  *method,
         const char  *path,
         GBytes     **body)
{
  g_autofree char *url = g_strconcat (fixture->receiver->url, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (message);
  *body = send_message (fixture, message, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&message);
}

static JsonObject *
parse_json_object (SoupMessage *message,
                   GBytes      *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  const char *content_type;
  JsonNode *root;

  headers = soup_message_get_response_headers (message);
  content_type = soup_message_headers_get_content_type (headers, NULL);
  g_assert_cmpstr (content_type, ==, "application/json");

  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                              &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_object_ref (json_node_get_object (root));
}

/* A POST as the kiosk sends it; @key and @token may be NULL to leave the
 * header out. */
static SoupMessage *
new_post (Fixture    *fixture,
          const char *path,
          const char *content_type,
          GBytes     *body,
          const char *key,
          const char *token)
{
  g_autofree char *url = g_strconcat (fixture->receiver->url, path, NULL);
  SoupMessage *message = soup_message_new ("POST", url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);

  soup_message_set_request_body_from_bytes (message, content_type, body);
  if (key != NULL)
    {
      g_autofree char *quoted = g_strdup_printf ("\"%s\"", key);

      soup_message_headers_replace (headers, "Idempotency-Key", quoted);
    }
  if (token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
    }

  return message;
}

/* POSTs and asserts that an answer came; its body is in @response_body. */
static SoupMessage *
post (Fixture     *fixture,
      const char  *path,
      const char  *content_type,
      GBytes      *body,
      const char  *key,
      const char  *token,
      GBytes     **response_body)
{
  g_autoptr(SoupMessage) message = new_post (fixture, path, content_type, body, key, token);
  g_autoptr(GError) error = NULL;

  *response_body = send_message (fixture, message, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&message);
}

/* haven-api-v1.md's example removal request. The description stands for what a
 * visitor wrote, so the log test can look for it. */
static GBytes *
make_removal_request (const char *request_id,
                      const char *url)
{
  char *json = g_strdup_printf (
    "{\"request_id\": \"%s\", \"created_at\": \"2026-11-27T10:15:00Z\", "
    "\"kiosk_id\": \"station-12-lobby\", \"locale\": \"es\", "
    "\"category\": \"intimate-images\", "
    "\"items\": [{\"url\": \"%s\", \"platform\": \"example.social\", "
    "\"description\": \"VISITOR-WORDS photo posted without consent\"}], "
    "\"reporter\": {\"role\": \"self\", \"contact\": {\"email\": \"a@example.org\"}, "
    "\"consent_to_contact\": true}, "
    "\"declaration\": {\"accurate\": true, \"authorised\": true}}",
    request_id, url);

  return g_bytes_new_take (json, strlen (json));
}

static GBytes *
make_report (const char *request_id)
{
  char *json = g_strdup_printf (
    "{\"request_id\": \"%s\", \"created_at\": \"2026-11-27T10:15:00Z\", "
    "\"kiosk_id\": \"station-12-lobby\", \"locale\": \"en\", \"category\": \"fraud\", "
    "\"reporter\": {\"role\": \"self\", \"consent_to_contact\": false}, "
    "\"incident\": {\"started_on\": \"2026-11-20\", \"summary\": \"A fake shop took money\", "
    "\"losses\": {\"amount\": \"250.00\", \"currency\": \"EUR\"}, "
    "\"answers\": {\"paid-how\": \"bank transfer\"}}, "
    "\"evidence\": [\"bank statement\"]}",
    request_id);

  return g_bytes_new_take (json, strlen (json));
}

/* Asserts haven-api-v1.md's 201 and returns its case reference. */
static char *
assert_created (SoupMessage *message,
                GBytes      *body)
{
  g_autoptr(JsonObject) object = NULL;
  const char *reference;

  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_CREATED);
  object = parse_json_object (message, body);
  g_assert_cmpuint (json_object_get_size (object), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "received");
  reference = json_object_get_string_member (object, "case_reference");
  g_assert_true (g_regex_match_simple (CASE_REFERENCE_PATTERN, reference, 0, 0));

  return g_strdup (reference);
}

/* Asserts an error answer and returns its "error" text. */
static char *
assert_error (SoupMessage *message,
              GBytes      *body,
              guint        status)
{
  g_autoptr(JsonObject) object = NULL;

  g_assert_cmpuint (soup_message_get_status (message), ==, status);
  object = parse_json_object (message, body);
  g_assert_true (json_object_has_member (object, "error"));

  return g_strdup (json_object_get_string_member (object, "error"));
}

/* What the receiver stored for @request_id: its kind and case reference,
 * and the body in @body. */
static void
lookup_request (ReceiverProcess  *receiver,
                const char       *request_id,
                char            **kind,
                char            **case_reference,
                GBytes          **body)
{
  const char * const params[] = { request_id, NULL };

  *kind = database_query_text (receiver->db_path,
                               "SELECT kind FROM requests WHERE request_id = $1", params);
  *case_reference = database_query_text (receiver->db_path,
                                         "SELECT case_reference FROM requests "
                                         "WHERE request_id = $1", params);
  *body = database_query (receiver->db_path, "SELECT body FROM requests WHERE request_id = $1",
                          params);
  g_assert_nonnull (*kind);
  g_assert_nonnull (*body);
}

static gboolean
key_in_flight (ReceiverProcess *receiver,
               const char      *key)
{
  const char * const params[] = { key, NULL };
  g_autofree char *state = database_query_text (receiver->db_path,
                                                "SELECT state FROM idempotency_keys "
                                                "WHERE key = $1", params);

  return g_strcmp0 (state, "in-flight") == 0;
}

/* A claim on @key as a receiver that died would leave it, by @client_id. */
static void
insert_claim (const char *location,
              const char *client_id,
              const char *key,
              GBytes     *body,
              gint64      started_at)
{
  g_autofree char *body_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
  g_autofree char *started_at_text = g_strdup_printf ("%" G_GINT64_FORMAT, started_at);
  const char * const params[] = { key, client_id, body_sha256, started_at_text, NULL };

  database_exec (location,
                 "INSERT INTO idempotency_keys (key, client_id, kind, body_sha256, state, "
                 "claimed_by, started_at) "
                 "VALUES ($1, $2, 'removal', $3, 'in-flight', 'gone:1:0', $4)", params);
}

static void
test_submit_and_repeat (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/123");
  g_autoptr(SoupMessage) first = NULL;
  g_autoptr(SoupMessage) second = NULL;
  g_autoptr(GBytes) first_body = NULL;
  g_autoptr(GBytes) second_body = NULL;
  g_autoptr(GBytes) stored_body = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *stored_kind = NULL;
  g_autofree char *stored_reference = NULL;

  first = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, NULL, &first_body);
  reference = assert_created (first, first_body);

  /* A repeat, as after a lost answer: 200 and, byte for byte, the body of
   * the 201 (haven-api-v1.md), with nothing stored a second time. */
  second = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, NULL, &second_body);
  g_assert_cmpuint (soup_message_get_status (second), ==, SOUP_STATUS_OK);
  g_assert_true (g_bytes_equal (second_body, first_body));
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 1);

  /* The request is kept as it came, under the reference the kiosk got. */
  lookup_request (fixture->receiver, request_id, &stored_kind, &stored_reference, &stored_body);
  g_assert_cmpstr (stored_kind, ==, "removal");
  g_assert_cmpstr (stored_reference, ==, reference);
  g_assert_true (g_bytes_equal (stored_body, request));
}

static void
test_submit_report (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) report = make_report (request_id);
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(SoupMessage) elsewhere = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) elsewhere_body = NULL;
  g_autoptr(GBytes) stored_body = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *stored_kind = NULL;
  g_autofree char *stored_reference = NULL;
  g_autofree char *error_text = NULL;

  message = post (fixture, REPORT_PATH, JSON_TYPE, report, request_id, NULL, &body);
  reference = assert_created (message, body);

  lookup_request (fixture->receiver, request_id, &stored_kind, &stored_reference, &stored_body);
  g_assert_cmpstr (stored_kind, ==, "report");
  g_assert_cmpstr (stored_reference, ==, reference);

  /* Each endpoint checks its own kind: a report is not a removal
   * request. */
  elsewhere = post (fixture, REMOVAL_PATH, JSON_TYPE, report, request_id, NULL, &elsewhere_body);
  error_text = assert_error (elsewhere, elsewhere_body, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 1);
}

static void
test_in_flight (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/9");
  g_autoptr(SoupMessage) first = new_post (fixture, REMOVAL_PATH, JSON_TYPE, request,
                                           request_id, NULL);
  g_autoptr(SoupMessage) second = new_post (fixture, REMOVAL_PATH, JSON_TYPE, request,
                                            request_id, NULL);
  g_autoptr(SoupMessage) third = NULL;
  g_autoptr(GAsyncResult) first_result = NULL;
  g_autoptr(GAsyncResult) second_result = NULL;
  g_autoptr(GBytes) first_body = NULL;
  g_autoptr(GBytes) second_body = NULL;
  g_autoptr(GBytes) third_body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *error_text = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * test_slowdown () * G_TIME_SPAN_SECOND;

  soup_session_send_and_read_async (fixture->session, first, G_PRIORITY_DEFAULT, NULL,
                                    store_result_cb, &first_result);

  /* The receiver claims the key in its database before it waits out
   * --delay-ms: the second attempt goes once the claim is there. */
  while (!key_in_flight (fixture->receiver, request_id))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_assert_null (first_result);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }

  soup_session_send_and_read_async (fixture->session, second, G_PRIORITY_DEFAULT, NULL,
                                    store_result_cb, &second_result);

  first_body = soup_session_send_and_read_finish (fixture->session,
                                                  wait_for_result (&first_result), &error);
  g_assert_no_error (error);
  second_body = soup_session_send_and_read_finish (fixture->session,
                                                   wait_for_result (&second_result), &error);
  g_assert_no_error (error);

  reference = assert_created (first, first_body);
  error_text = assert_error (second, second_body, SOUP_STATUS_CONFLICT);
  g_assert_nonnull (soup_message_headers_get_one (soup_message_get_response_headers (second),
                                                  "Retry-After"));

  /* Once the first is done, a repeat gets its answer. */
  third = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, NULL, &third_body);
  g_assert_cmpuint (soup_message_get_status (third), ==, SOUP_STATUS_OK);
  g_assert_true (g_bytes_equal (third_body, first_body));
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 1);
}

static void
test_different_body (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/1");
  g_autoptr(GBytes) other = make_removal_request (request_id, "https://example.social/p/2");
  g_autoptr(SoupMessage) first = NULL;
  g_autoptr(SoupMessage) second = NULL;
  g_autoptr(GBytes) first_body = NULL;
  g_autoptr(GBytes) second_body = NULL;
  g_autoptr(GBytes) stored_body = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *error_text = NULL;
  g_autofree char *stored_kind = NULL;
  g_autofree char *stored_reference = NULL;

  first = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, NULL, &first_body);
  reference = assert_created (first, first_body);

  second = post (fixture, REMOVAL_PATH, JSON_TYPE, other, request_id, NULL, &second_body);
  error_text = assert_error (second, second_body, SOUP_STATUS_UNPROCESSABLE_ENTITY);

  /* The first body stays, alone. */
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 1);
  lookup_request (fixture->receiver, request_id, &stored_kind, &stored_reference, &stored_body);
  g_assert_true (g_bytes_equal (stored_body, request));
}

/* A key belongs to the client that used it first: another client's
 * repeat of it, done or in flight, is 422 and can neither see the answer
 * nor take the claim over, however old. */
static void
test_other_client (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *done_id = g_uuid_string_random ();
  g_autofree char *claimed_id = g_uuid_string_random ();
  g_autoptr(GBytes) done = make_removal_request (done_id, "https://example.social/p/21");
  g_autoptr(GBytes) claimed = make_removal_request (claimed_id, "https://example.social/p/22");
  g_autofree char *body_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, done);
  const char * const done_params[] = { done_id, body_sha256, NULL };
  const char * const claimed_params[] = { claimed_id, NULL };
  g_autoptr(SoupMessage) done_message = NULL;
  g_autoptr(SoupMessage) claimed_message = NULL;
  g_autoptr(GBytes) done_body = NULL;
  g_autoptr(GBytes) claimed_body = NULL;
  g_autofree char *claimed_by = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  /* Another kiosk's submission, accepted, with the same body even. */
  database_exec (fixture->receiver->db_path,
                 "INSERT INTO idempotency_keys (key, client_id, kind, body_sha256, state, "
                 "started_at, response_status, response_body) "
                 "VALUES ($1, 'token:0123456789abcdef', 'removal', $2, 'done', 1, 201, "
                 "'{\"case_reference\":\"HV-AAAA-AAAA\",\"status\":\"received\"}')",
                 done_params);
  done_message = post (fixture, REMOVAL_PATH, JSON_TYPE, done, done_id, NULL, &done_body);
  g_free (assert_error (done_message, done_body, SOUP_STATUS_UNPROCESSABLE_ENTITY));
  g_assert_null (strstr (g_bytes_get_data (done_body, NULL), "HV-AAAA-AAAA"));

  /* Another kiosk's claim, an hour old: stale, but not ours to take. */
  insert_claim (fixture->receiver->db_path, "cert:00ff", claimed_id, claimed, now - 3600);
  claimed_message = post (fixture, REMOVAL_PATH, JSON_TYPE, claimed, claimed_id, NULL,
                          &claimed_body);
  g_free (assert_error (claimed_message, claimed_body, SOUP_STATUS_UNPROCESSABLE_ENTITY));
  claimed_by = database_query_text (fixture->receiver->db_path,
                                    "SELECT claimed_by FROM idempotency_keys WHERE key = $1",
                                    claimed_params);
  g_assert_cmpstr (claimed_by, ==, "gone:1:0");
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, claimed_id), ==, 0);
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, done_id), ==, 0);
}

static void
test_invalid (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) invalid = make_removal_request (request_id, "example.social/p/1");
  g_autoptr(GBytes) fixed = make_removal_request (request_id, "https://example.social/p/1");
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(SoupMessage) retry = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) retry_body = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *reference = NULL;
  JsonObject *fields;

  message = post (fixture, REMOVAL_PATH, JSON_TYPE, invalid, request_id, NULL, &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_BAD_REQUEST);

  /* haven-api-v1.md's 400: the field, with the validator's words for it. */
  object = parse_json_object (message, body);
  g_assert_nonnull (json_object_get_string_member (object, "error"));
  fields = json_object_get_object_member (object, "fields");
  g_assert_nonnull (fields);
  g_assert_cmpuint (json_object_get_size (fields), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (fields, "items[0].url"), !=, "");
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 0);

  /* A refused request does not use its key up: corrected while the
   * visitor is still there, it goes through. */
  retry = post (fixture, REMOVAL_PATH, JSON_TYPE, fixed, request_id, NULL, &retry_body);
  reference = assert_created (retry, retry_body);
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 1);
}

static void
test_idempotency_key (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autofree char *other_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/5");
  g_autoptr(SoupMessage) missing = NULL;
  g_autoptr(SoupMessage) mismatch = NULL;
  g_autoptr(SoupMessage) unquoted = NULL;
  g_autoptr(SoupMessage) quoted = NULL;
  g_autoptr(GBytes) missing_body = NULL;
  g_autoptr(GBytes) mismatch_body = NULL;
  g_autoptr(GBytes) unquoted_body = NULL;
  g_autoptr(GBytes) quoted_body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *missing_text = NULL;
  g_autofree char *mismatch_text = NULL;
  g_autofree char *reference = NULL;

  missing = post (fixture, REMOVAL_PATH, JSON_TYPE, request, NULL, NULL, &missing_body);
  missing_text = assert_error (missing, missing_body, SOUP_STATUS_BAD_REQUEST);
  g_assert_nonnull (strstr (missing_text, "Idempotency-Key"));

  /* The key is the body's request_id, or the two were mixed up. */
  mismatch = post (fixture, REMOVAL_PATH, JSON_TYPE, request, other_id, NULL, &mismatch_body);
  mismatch_text = assert_error (mismatch, mismatch_body, SOUP_STATUS_BAD_REQUEST);
  g_assert_nonnull (strstr (mismatch_text, "request_id"));
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 0);

  /* Unquoted is accepted too, and is the same key as quoted. */
  unquoted = new_post (fixture, REMOVAL_PATH, JSON_TYPE, request, NULL, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (unquoted), "Idempotency-Key",
                                request_id);
  unquoted_body = send_message (fixture, unquoted, &error);
  g_assert_no_error (error);
  reference = assert_created (unquoted, unquoted_body);

  quoted = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, NULL, &quoted_body);
  g_assert_cmpuint (soup_message_get_status (quoted), ==, SOUP_STATUS_OK);
  g_assert_true (g_bytes_equal (quoted_body, unquoted_body));
}

/* A valid request padded with white space (which JSON allows) to @size
 * bytes. */
static GBytes *
make_padded_request (const char *request_id,
                     gsize       size)
{
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/7");
  gsize length = g_bytes_get_size (request);
  char *padded;

  g_assert_cmpuint (length, <=, size);
  padded = g_malloc (size);
  memcpy (padded, g_bytes_get_data (request, NULL), length);
  memset (padded + length, ' ', size - length);

  return g_bytes_new_take (padded, size);
}

static void
test_too_large (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) largest = make_padded_request (request_id, 256 * 1024);
  g_autoptr(GBytes) too_large = make_padded_request (request_id, 256 * 1024 + 1);
  g_autoptr(SoupMessage) refused = NULL;
  g_autoptr(SoupMessage) accepted = NULL;
  g_autoptr(GBytes) refused_body = NULL;
  g_autoptr(GBytes) accepted_body = NULL;
  g_autofree char *error_text = NULL;
  g_autofree char *reference = NULL;

  /* haven-api-v1.md: at most 256 KiB; one byte more is refused. */
  refused = post (fixture, REMOVAL_PATH, JSON_TYPE, too_large, request_id, NULL, &refused_body);
  error_text = assert_error (refused, refused_body, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 0);

  accepted = post (fixture, REMOVAL_PATH, JSON_TYPE, largest, request_id, NULL, &accepted_body);
  reference = assert_created (accepted, accepted_body);
}

static void
test_content_type (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/8");
  g_autoptr(SoupMessage) text = NULL;
  g_autoptr(SoupMessage) sealed = NULL;
  g_autoptr(GBytes) text_body = NULL;
  g_autoptr(GBytes) sealed_body = NULL;
  g_autofree char *text_error = NULL;
  g_autofree char *sealed_error = NULL;

  text = post (fixture, REMOVAL_PATH, "text/plain", request, request_id, NULL, &text_body);
  text_error = assert_error (text, text_body, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE);

  /* Without --keypair, a sealed body is kept as it came, but only with
   * the envelope to file it by. */
  sealed = post (fixture, REMOVAL_PATH, SEALED_TYPE, request, request_id, NULL, &sealed_body);
  sealed_error = assert_error (sealed, sealed_body, SOUP_STATUS_BAD_REQUEST);
  g_assert_nonnull (strstr (sealed_error, "Haven-Envelope"));
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 0);
}

static SoupMessage *
get_health (Fixture     *fixture,
            const char  *token,
            GBytes     **body)
{
  g_autofree char *url = g_strconcat (fixture->receiver->url, "/v1/health", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;

  if (token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (message),
                                    "Authorization", authorization);
    }
  *body = send_message (fixture, message, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&message);
}

static void
assert_unauthorised (Fixture    *fixture,
                     const char *request_id,
                     GBytes     *request,
                     const char *token)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *error_text = NULL;
  const char *challenge;

  g_test_message ("token: %s", token != NULL ? token : "(none)");
  message = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, token, &body);
  error_text = assert_error (message, body, SOUP_STATUS_UNAUTHORIZED);
  challenge = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                            "WWW-Authenticate");
  g_assert_nonnull (challenge);
  g_assert_true (g_str_has_prefix (challenge, "Bearer"));
}

static void
test_tokens (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/3");
  g_autoptr(SoupMessage) accepted = NULL;
  g_autoptr(SoupMessage) health = NULL;
  g_autoptr(SoupMessage) health_without = NULL;
  g_autoptr(GBytes) accepted_body = NULL;
  g_autoptr(GBytes) health_body = NULL;
  g_autoptr(GBytes) health_without_body = NULL;
  g_autofree char *reference = NULL;

  assert_unauthorised (fixture, request_id, request, NULL);
  assert_unauthorised (fixture, request_id, request, "kiosk-token-3");
  /* Only whole tokens: a prefix of one is not it. */
  assert_unauthorised (fixture, request_id, request, "kiosk-token-");
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 0);

  /* Any token of the file, not only the first. */
  accepted = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, TOKEN, &accepted_body);
  reference = assert_created (accepted, accepted_body);

  /* havenctl backend check sends the token too, so it can tell an
   * operator that the kiosk's token is wrong. */
  health_without = get_health (fixture, NULL, &health_without_body);
  g_assert_cmpuint (soup_message_get_status (health_without), ==, SOUP_STATUS_UNAUTHORIZED);
  health = get_health (fixture, TOKEN, &health_body);
  g_assert_cmpuint (soup_message_get_status (health), ==, SOUP_STATUS_OK);
}

/* Seals @plain as the kiosk does, to the public key of main()'s key
 * pair. */
static GBytes *
seal (GBytes *plain)
{
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  g_autoptr(GError) error = NULL;
  GBytes *sealed;

  haven_sealed_box_decode_key (public_key_base64, public_key, &error);
  g_assert_no_error (error);
  sealed = haven_sealed_box_seal (public_key, plain, &error);
  g_assert_no_error (error);

  return sealed;
}

/* A POST with a Haven-Envelope header, as kiosks send it. */
static SoupMessage *
post_with_envelope (Fixture     *fixture,
                    const char  *content_type,
                    GBytes      *body,
                    const char  *key,
                    const char  *envelope,
                    GBytes     **response_body)
{
  g_autoptr(SoupMessage) message = new_post (fixture, REMOVAL_PATH, content_type, body, key,
                                             NULL);
  g_autoptr(GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (message),
                                HAVEN_API_ENVELOPE_HEADER, envelope);
  *response_body = send_message (fixture, message, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&message);
}

/* The envelope of make_removal_request()'s requests, with @category. */
static char *
make_envelope_header (const char *category,
                      gboolean    child_involved)
{
  HavenRequestEnvelope envelope = {
    .kind = HAVEN_REQUEST_KIND_REMOVAL,
    .category = (char *) category,
    .locale = (char *) "es",
    .kiosk_id = (char *) "station-12-lobby",
    .child_involved = child_involved,
  };
  g_autoptr(GDateTime) created_at = g_date_time_new_from_iso8601 ("2026-11-27T10:15:00Z", NULL);

  envelope.created_at = created_at;
  return haven_request_envelope_to_header (&envelope);
}

/* A receiver without --keypair keeps a sealed body exactly as it came and
 * files it by its envelope; it cannot look inside. */
static void
test_sealed_without_key (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/30");
  g_autoptr(GBytes) sealed = seal (request);
  g_autofree char *envelope = make_envelope_header ("intimate-images", TRUE);
  g_autofree char *bad_envelope = g_strdup ("v=1, kind=\"removal\", category=\"no-such\"");
  g_autoptr(SoupMessage) first = NULL;
  g_autoptr(SoupMessage) repeat = NULL;
  g_autoptr(SoupMessage) malformed = NULL;
  g_autoptr(GBytes) first_body = NULL;
  g_autoptr(GBytes) repeat_body = NULL;
  g_autoptr(GBytes) malformed_body = NULL;
  g_autoptr(GBytes) stored_body = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *stored_kind = NULL;
  g_autofree char *stored_reference = NULL;
  g_autofree char *filed_by = NULL;
  const char * const params[] = { request_id, NULL };

  malformed = post_with_envelope (fixture, SEALED_TYPE, sealed, request_id, bad_envelope,
                                  &malformed_body);
  g_free (assert_error (malformed, malformed_body, SOUP_STATUS_BAD_REQUEST));
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 0);

  first = post_with_envelope (fixture, SEALED_TYPE, sealed, request_id, envelope, &first_body);
  reference = assert_created (first, first_body);

  lookup_request (fixture->receiver, request_id, &stored_kind, &stored_reference, &stored_body);
  g_assert_true (g_bytes_equal (stored_body, sealed));
  g_assert_cmpstr (stored_reference, ==, reference);
  filed_by = database_query_text (fixture->receiver->db_path,
                                  "SELECT category || ' ' || locale || ' ' || kiosk_id || ' ' || "
                                  "CAST(child_involved AS TEXT) FROM requests "
                                  "WHERE request_id = $1",
                                  params);
  g_assert_cmpstr (filed_by, ==, "intimate-images es station-12-lobby 1");

  /* The kiosk's retry: the same bytes, a repeat. */
  repeat = post_with_envelope (fixture, SEALED_TYPE, sealed, request_id, envelope, &repeat_body);
  g_assert_cmpuint (soup_message_get_status (repeat), ==, SOUP_STATUS_OK);
  g_assert_true (g_bytes_equal (repeat_body, first_body));
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 1);
}

/* With the key pair, the envelope must say what the body says. */
static void
test_envelope_mismatch (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/31");
  g_autoptr(GBytes) sealed = seal (request);
  g_autofree char *wrong = make_envelope_header ("fraud", FALSE);
  g_autofree char *right = make_envelope_header ("intimate-images", FALSE);
  g_autoptr(SoupMessage) refused = NULL;
  g_autoptr(SoupMessage) accepted = NULL;
  g_autoptr(GBytes) refused_body = NULL;
  g_autoptr(GBytes) accepted_body = NULL;
  g_autofree char *error_text = NULL;
  g_autofree char *reference = NULL;

  refused = post_with_envelope (fixture, SEALED_TYPE, sealed, request_id, wrong, &refused_body);
  error_text = assert_error (refused, refused_body, SOUP_STATUS_BAD_REQUEST);
  g_assert_nonnull (strstr (error_text, "category"));
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 0);

  accepted = post_with_envelope (fixture, SEALED_TYPE, sealed, request_id, right,
                                 &accepted_body);
  reference = assert_created (accepted, accepted_body);
}

/* Keys belong to the kiosk that sent them: another kiosk's token cannot
 * claim one, nor learn the first answer. */
static void
test_keys_per_token (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/32");
  g_autoptr(SoupMessage) first = NULL;
  g_autoptr(SoupMessage) other = NULL;
  g_autoptr(SoupMessage) repeat = NULL;
  g_autoptr(GBytes) first_body = NULL;
  g_autoptr(GBytes) other_body = NULL;
  g_autoptr(GBytes) repeat_body = NULL;
  g_autofree char *reference = NULL;

  first = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, TOKEN, &first_body);
  reference = assert_created (first, first_body);

  other = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, "kiosk-token-1",
                &other_body);
  g_free (assert_error (other, other_body, SOUP_STATUS_UNPROCESSABLE_ENTITY));
  g_assert_null (strstr (g_bytes_get_data (other_body, NULL), reference));

  repeat = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, TOKEN, &repeat_body);
  g_assert_cmpuint (soup_message_get_status (repeat), ==, SOUP_STATUS_OK);
  g_assert_true (g_bytes_equal (repeat_body, first_body));
}

static void
test_sealed (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autofree char *garbage_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/4");
  g_autoptr(GBytes) garbage_request = make_removal_request (garbage_id, "https://example.social");
  g_autoptr(GBytes) sealed = seal (request);
  g_autoptr(GBytes) sealed_again = seal (request);
  g_autoptr(GBytes) garbage = NULL;
  g_autoptr(SoupMessage) first = NULL;
  g_autoptr(SoupMessage) second = NULL;
  g_autoptr(SoupMessage) refused = NULL;
  g_autoptr(SoupMessage) plain = NULL;
  g_autoptr(GBytes) first_body = NULL;
  g_autoptr(GBytes) second_body = NULL;
  g_autoptr(GBytes) refused_body = NULL;
  g_autoptr(GBytes) plain_body = NULL;
  g_autoptr(GBytes) stored_body = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *error_text = NULL;
  g_autofree char *stored_kind = NULL;
  g_autofree char *stored_reference = NULL;
  guint8 *garbage_data;
  gsize garbage_length;

  first = post (fixture, REMOVAL_PATH, SEALED_TYPE, sealed, request_id, NULL, &first_body);
  reference = assert_created (first, first_body);

  /* Checked with the key pair, but kept as received: whoever opens the
   * cases holds the key, the receiver need not. */
  lookup_request (fixture->receiver, request_id, &stored_kind, &stored_reference, &stored_body);
  g_assert_true (g_bytes_equal (stored_body, sealed));
  {
    const char * const params[] = { request_id, NULL };
    g_autofree char *stored_sealed = database_query_text (fixture->receiver->db_path,
                                                          "SELECT CAST(sealed AS TEXT) "
                                                          "FROM requests WHERE request_id = $1",
                                                          params);
    g_assert_cmpstr (stored_sealed, ==, "1");
  }

  /* A kiosk's retry sends the same bytes, and is a repeat. */
  second = post (fixture, REMOVAL_PATH, SEALED_TYPE, sealed, request_id, NULL, &second_body);
  g_assert_cmpuint (soup_message_get_status (second), ==, SOUP_STATUS_OK);
  g_assert_true (g_bytes_equal (second_body, first_body));

  /* Each seal of the same request differs, and a receiver without the key
   * could not tell them apart from another request: another seal under
   * the same key is a different body. */
  g_assert_false (g_bytes_equal (sealed, sealed_again));
  g_clear_object (&second);
  g_clear_pointer (&second_body, g_bytes_unref);
  second = post (fixture, REMOVAL_PATH, SEALED_TYPE, sealed_again, request_id, NULL,
                 &second_body);
  g_free (assert_error (second, second_body, SOUP_STATUS_UNPROCESSABLE_ENTITY));
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 1);

  /* A sealed box that was changed on the way does not open. */
  garbage = seal (garbage_request);
  garbage_data = g_bytes_unref_to_data (g_steal_pointer (&garbage), &garbage_length);
  garbage_data[garbage_length / 2] ^= 0x01;
  garbage = g_bytes_new_take (garbage_data, garbage_length);
  refused = post (fixture, REMOVAL_PATH, SEALED_TYPE, garbage, garbage_id, NULL, &refused_body);
  error_text = assert_error (refused, refused_body, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, garbage_id), ==, 0);

  /* Plain JSON is still taken beside sealed bodies. */
  plain = post (fixture, REMOVAL_PATH, JSON_TYPE, garbage_request, garbage_id, NULL, &plain_body);
  g_clear_pointer (&reference, g_free);
  reference = assert_created (plain, plain_body);
}

static void
test_fail_first (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/6");
  g_autoptr(SoupMessage) health = NULL;
  g_autoptr(SoupMessage) accepted = NULL;
  g_autoptr(GBytes) health_body = NULL;
  g_autoptr(GBytes) accepted_body = NULL;
  g_autofree char *reference = NULL;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(SoupMessage) busy = NULL;
      g_autoptr(GBytes) busy_body = NULL;
      g_autofree char *error_text = NULL;

      busy = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, NULL, &busy_body);
      error_text = assert_error (busy, busy_body, SOUP_STATUS_SERVICE_UNAVAILABLE);
      g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (busy),
                                                     "Retry-After"), ==, "7");
      g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 0);

      /* Only submissions are counted. */
      if (i == 0)
        {
          health = get_health (fixture, NULL, &health_body);
          g_assert_cmpuint (soup_message_get_status (health), ==, SOUP_STATUS_OK);
        }
    }

  accepted = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, NULL, &accepted_body);
  reference = assert_created (accepted, accepted_body);
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 1);
}

static void
test_fail_status (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/6");
  g_autoptr(SoupMessage) refused = NULL;
  g_autoptr(SoupMessage) accepted = NULL;
  g_autoptr(GBytes) refused_body = NULL;
  g_autoptr(GBytes) accepted_body = NULL;
  g_autofree char *error_text = NULL;
  g_autofree char *reference = NULL;

  refused = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, NULL, &refused_body);
  error_text = assert_error (refused, refused_body, SOUP_STATUS_FORBIDDEN);
  g_assert_null (soup_message_headers_get_one (soup_message_get_response_headers (refused),
                                               "Retry-After"));

  accepted = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, NULL, &accepted_body);
  reference = assert_created (accepted, accepted_body);
}

static void
test_close_mid_answer (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/10");
  g_autoptr(SoupMessage) first = new_post (fixture, REMOVAL_PATH, JSON_TYPE, request,
                                           request_id, NULL);
  g_autoptr(SoupMessage) retry = NULL;
  g_autoptr(GBytes) first_body = NULL;
  g_autoptr(GBytes) retry_body = NULL;
  g_autoptr(GBytes) stored_body = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored_kind = NULL;
  g_autofree char *stored_reference = NULL;

  /* The kiosk never gets the answer, but the request was stored. */
  first_body = send_message (fixture, first, &error);
  g_assert_nonnull (error);
  g_test_message ("first attempt: %s", error->message);
  g_assert_null (first_body);
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 1);

  /* Its retry is told what the lost answer said. */
  retry = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, NULL, &retry_body);
  g_assert_cmpuint (soup_message_get_status (retry), ==, SOUP_STATUS_OK);
  object = parse_json_object (retry, retry_body);
  lookup_request (fixture->receiver, request_id, &stored_kind, &stored_reference, &stored_body);
  g_assert_cmpstr (json_object_get_string_member (object, "case_reference"), ==,
                   stored_reference);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "received");
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 1);
}

static void
test_case_references (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *request_id = g_uuid_string_random ();
      g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/");
      g_autoptr(SoupMessage) message = NULL;
      g_autoptr(GBytes) body = NULL;
      char *reference;

      message = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, NULL, &body);
      reference = assert_created (message, body);
      /* Easy to read aloud: no 0/O, no 1/I (the pattern says so too). */
      g_assert_null (strpbrk (reference + 3, "0O1I"));
      g_assert_true (g_hash_table_add (seen, reference));
    }
}

static void
test_restart (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/11");
  g_autoptr(GBytes) other = make_removal_request (request_id, "https://example.social/p/12");
  g_autofree char *db_path = g_strdup (fixture->receiver->db_path);
  g_autoptr(SoupMessage) first = NULL;
  g_autoptr(SoupMessage) repeat = NULL;
  g_autoptr(SoupMessage) different = NULL;
  g_autoptr(GBytes) first_body = NULL;
  g_autoptr(GBytes) repeat_body = NULL;
  g_autoptr(GBytes) different_body = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *error_text = NULL;

  first = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, NULL, &first_body);
  reference = assert_created (first, first_body);

  /* The keys live in the database, not in the process. */
  g_clear_pointer (&fixture->receiver, receiver_process_stop);
  fixture->receiver = start_receiver (db_path, NULL);

  repeat = post (fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, NULL, &repeat_body);
  g_assert_cmpuint (soup_message_get_status (repeat), ==, SOUP_STATUS_OK);
  g_assert_true (g_bytes_equal (repeat_body, first_body));

  different = post (fixture, REMOVAL_PATH, JSON_TYPE, other, request_id, NULL, &different_body);
  error_text = assert_error (different, different_body, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, request_id), ==, 1);
}

static void
test_stale_claim (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autofree char *stale_id = g_uuid_string_random ();
  g_autofree char *recent_id = g_uuid_string_random ();
  g_autofree char *running_id = g_uuid_string_random ();
  g_autoptr(GBytes) stale = make_removal_request (stale_id, "https://example.social/p/13");
  g_autoptr(GBytes) recent = make_removal_request (recent_id, "https://example.social/p/14");
  g_autoptr(GBytes) running = make_removal_request (running_id, "https://example.social/p/16");
  g_autofree char *db_path = g_strdup (fixture->receiver->db_path);
  g_autoptr(SoupMessage) stale_message = NULL;
  g_autoptr(SoupMessage) recent_message = NULL;
  g_autoptr(SoupMessage) running_message = NULL;
  g_autoptr(GBytes) stale_body = NULL;
  g_autoptr(GBytes) recent_body = NULL;
  g_autoptr(GBytes) running_body = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *running_reference = NULL;
  g_autofree char *error_text = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  /* What a receiver that died in the middle of two submissions leaves:
   * one claim an hour old, one from a moment ago. */
  g_clear_pointer (&fixture->receiver, receiver_process_stop);
  insert_claim (db_path, "anonymous", stale_id, stale, now - 3600);
  insert_claim (db_path, "anonymous", recent_id, recent, now);
  fixture->receiver = start_receiver (db_path, NULL);

  /* The old claim is released at start-up, and the retry processed. */
  stale_message = post (fixture, REMOVAL_PATH, JSON_TYPE, stale, stale_id, NULL, &stale_body);
  reference = assert_created (stale_message, stale_body);

  /* The recent one may still be being processed elsewhere: not yet. */
  recent_message = post (fixture, REMOVAL_PATH, JSON_TYPE, recent, recent_id, NULL,
                         &recent_body);
  error_text = assert_error (recent_message, recent_body, SOUP_STATUS_CONFLICT);

  /* A stale claim met while running (another receiver on the same file
   * died) is taken over too. */
  insert_claim (db_path, "anonymous", running_id, running, now - 3600);
  running_message = post (fixture, REMOVAL_PATH, JSON_TYPE, running, running_id, NULL,
                          &running_body);
  running_reference = assert_created (running_message, running_body);
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, running_id), ==, 1);
}

static void
test_verbose_log (void)
{
  g_autofree char *ca = work_path ("ca.pem");
  g_autofree char *db_path = work_path ("verbose.sqlite");
  g_autofree char *log_path = work_path ("verbose.log");
  const char * const verbose[] = { "--verbose", NULL };
  g_autofree char *request_id = g_uuid_string_random ();
  g_autofree char *invalid_id = g_uuid_string_random ();
  g_autoptr(GBytes) request = make_removal_request (request_id, "https://example.social/p/15");
  g_autoptr(GBytes) invalid = make_removal_request (invalid_id, "VISITOR-URL");
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(SoupMessage) accepted = NULL;
  g_autoptr(SoupMessage) refused = NULL;
  g_autoptr(GBytes) accepted_body = NULL;
  g_autoptr(GBytes) refused_body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *reference = NULL;
  Fixture fixture = { NULL, };

  /* Its log in a file, to read. */
  fixture.receiver = receiver_process_start_tls_full (db_path, log_path, verbose);

  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  fixture.session = soup_session_new ();
  soup_session_set_tls_database (fixture.session, database);

  accepted = post (&fixture, REMOVAL_PATH, JSON_TYPE, request, request_id, NULL, &accepted_body);
  reference = assert_created (accepted, accepted_body);
  refused = post (&fixture, REMOVAL_PATH, JSON_TYPE, invalid, invalid_id, NULL, &refused_body);
  g_assert_cmpuint (soup_message_get_status (refused), ==, SOUP_STATUS_BAD_REQUEST);

  g_clear_object (&fixture.session);
  g_clear_pointer (&fixture.receiver, receiver_process_stop);

  g_file_get_contents (log_path, &log, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("log: %s", log);

  /* One line a request, with the request_id once it is known good... */
  expected = g_strdup_printf ("POST " REMOVAL_PATH " 201 %s\n", request_id);
  g_assert_nonnull (strstr (log, expected));
  /* The refusal's line; whether the client's hanging up at once is
   * noted beside it depends on timing. */
  g_assert_true (strstr (log, "POST " REMOVAL_PATH " 400\n") != NULL ||
                 strstr (log, "POST " REMOVAL_PATH " 400 (connection closed as the answer went out)\n") != NULL);
  /* ...and nothing a visitor wrote, nor the reference that finds it. */
  g_assert_null (strstr (log, "VISITOR"));
  g_assert_null (strstr (log, "example"));
  g_assert_null (strstr (log, reference));
}

/* Runs haven-receiver to its end and returns its exit status. */
static int
run_receiver (const char * const  *arguments,
              char               **out,
              char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) receiver = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (char *) require_env ("HAVEN_RECEIVER"));
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) arguments[i]);
  g_ptr_array_add (argv, NULL);

  receiver = g_subprocess_newv ((const char * const *) argv->pdata,
                                G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (receiver, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_test_message ("stderr: %s", *err);
  g_assert_true (g_subprocess_get_if_exited (receiver));

  return g_subprocess_get_exit_status (receiver);
}

static void
test_health (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonObject) object = NULL;

  message = request (fixture, "GET", "/v1/health", &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_OK);

  /* Exactly haven-api-v1.md's answer, nothing more. */
  object = parse_json_object (message, body);
  g_assert_cmpuint (json_object_get_size (object), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "ok");
  g_assert_cmpint (json_object_get_int_member (object, "api"), ==, 1);
}

static void
test_presents_certificate (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GTlsCertificate) expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *certificate_path = work_path ("server.pem");
  g_autofree char *expected_pin = NULL;
  g_autofree char *presented_pin = NULL;

  /* The key kiosks pin is the one of --cert. This also links GnuTLS into
   * this test from the start: loaded later by glib-networking instead, its
   * thread-local storage trips LeakSanitizer (GCC 12) at exit. */
  message = request (fixture, "GET", "/v1/health", &body);
  expected = g_tls_certificate_new_from_file (certificate_path, &error);
  g_assert_no_error (error);
  expected_pin = haven_tls_pin_for_certificate (expected, &error);
  g_assert_no_error (error);
  presented_pin = haven_tls_pin_for_certificate (soup_message_get_tls_peer_certificate (message),
                                                 &error);
  g_assert_no_error (error);
  g_assert_cmpstr (presented_pin, ==, expected_pin);
}

static void
test_health_head (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;

  message = request (fixture, "HEAD", "/v1/health", &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (g_bytes_get_size (body), ==, 0);
}

static void
assert_not_found (Fixture    *fixture,
                  const char *method,
                  const char *path)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonObject) object = NULL;

  g_test_message ("%s %s", method, path);
  message = request (fixture, method, path, &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_NOT_FOUND);
  object = parse_json_object (message, body);
  g_assert_cmpstr (json_object_get_string_member (object, "error"), ==, "not found");
}

static void
test_not_found (Fixture       *fixture,
                gconstpointer  user_data)
{
  assert_not_found (fixture, "GET", "/");
  assert_not_found (fixture, "GET", "/v1/nothing");
  assert_not_found (fixture, "POST", "/v1/nothing");
  /* A handler for /v1/health also sees the paths below it. */
  assert_not_found (fixture, "GET", "/v1/health/more");
  assert_not_found (fixture, "GET", "/v2/health");
  /* Nor do the submission endpoints answer below themselves. */
  assert_not_found (fixture, "POST", "/v1/reports/more");
  assert_not_found (fixture, "POST", "/v1/removal-requests/x");
}

static void
assert_method_not_allowed (Fixture    *fixture,
                           const char *method)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonObject) object = NULL;
  const char *allow;

  g_test_message ("%s /v1/health", method);
  message = request (fixture, method, "/v1/health", &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
  allow = soup_message_headers_get_one (soup_message_get_response_headers (message), "Allow");
  g_assert_cmpstr (allow, ==, "GET, HEAD");
  object = parse_json_object (message, body);
  g_assert_cmpstr (json_object_get_string_member (object, "error"), ==, "method not allowed");
}

static void
test_method_not_allowed (Fixture       *fixture,
                         gconstpointer  user_data)
{
  assert_method_not_allowed (fixture, "POST");
  assert_method_not_allowed (fixture, "PUT");
  assert_method_not_allowed (fixture, "DELETE");
}

static void
test_submission_method (Fixture       *fixture,
                        gconstpointer  user_data)
{
  const char * const paths[] = { REMOVAL_PATH, REPORT_PATH };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(SoupMessage) message = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autofree char *error_text = NULL;
      const char *allow;

      message = request (fixture, "GET", paths[i], &body);
      error_text = assert_error (message, body, SOUP_STATUS_METHOD_NOT_ALLOWED);
      allow = soup_message_headers_get_one (soup_message_get_response_headers (message), "Allow");
      g_assert_cmpstr (allow, ==, "POST");
    }
}

static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *statement = NULL;
  char *text;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (statement), ==, SQLITE_ROW);
  text = g_strdup ((const char *) sqlite3_column_text (statement, 0));
  sqlite3_finalize (statement);

  return text;
}

static void
test_database (Fixture       *fixture,
               gconstpointer  user_data)
{
  const char * const expected_columns[] = {
    "request_id", "kind", "body", "case_reference", "status", "received_at", "client_id",
    "sealed", "category", "locale", "kiosk_id", "child_involved", "created_at", "state",
    "updated_at", "closed_at", "body_destroyed_at", NULL
  };
  const char * const expected_key_columns[] = {
    "key", "kind", "body_sha256", "state", "started_at", "response_status", "response_body",
    "client_id", "claimed_by", NULL
  };
  g_autoptr(GStrvBuilder) columns_builder = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) key_columns_builder = g_strv_builder_new ();
  g_auto(GStrv) columns = NULL;
  g_auto(GStrv) key_columns = NULL;
  g_autofree char *user_version = NULL;
  g_autofree char *journal_mode = NULL;
  sqlite3_stmt *statement = NULL;
  sqlite3 *db = NULL;
  GStatBuf info;

  /* What visitors wrote will be in this file: only its owner may read it. */
  g_assert_cmpint (g_stat (fixture->receiver->db_path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);

  g_assert_cmpint (sqlite3_open_v2 (fixture->receiver->db_path, &db, SQLITE_OPEN_READONLY, NULL),
                   ==, SQLITE_OK);

  user_version = query_text (db, "PRAGMA user_version");
  g_assert_cmpstr (user_version, ==, "7");
  /* WAL is a property of the file, so it shows from another connection. */
  journal_mode = query_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM pragma_table_info ('requests')", -1,
                                       &statement, NULL), ==, SQLITE_OK);
  while (sqlite3_step (statement) == SQLITE_ROW)
    g_strv_builder_add (columns_builder, (const char *) sqlite3_column_text (statement, 0));
  sqlite3_finalize (statement);
  columns = g_strv_builder_end (columns_builder);
  g_assert_true (g_strv_equal ((const char * const *) columns, expected_columns));

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM pragma_table_info "
                                       "('idempotency_keys')", -1, &statement, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (statement) == SQLITE_ROW)
    g_strv_builder_add (key_columns_builder, (const char *) sqlite3_column_text (statement, 0));
  sqlite3_finalize (statement);
  key_columns = g_strv_builder_end (key_columns_builder);
  g_assert_true (g_strv_equal ((const char * const *) key_columns, expected_key_columns));

  sqlite3_close (db);
}

static void
test_stops_on_sigint (void)
{
  g_autofree char *certificate = work_path ("server.pem");
  g_autofree char *key = work_path ("server-key.pem");
  const char * const arguments[] = { "--cert", certificate, "--key", key, NULL };
  ReceiverProcess *receiver = receiver_process_start (arguments);
  g_autoptr(GError) error = NULL;

  /* Ctrl-C in a terminal: a clean stop, not a death by signal. */
  g_subprocess_send_signal (receiver->process, SIGINT);
  g_subprocess_wait (receiver->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (receiver->process));
  g_assert_cmpint (g_subprocess_get_exit_status (receiver->process), ==, 0);

  /* Already stopped; SIGTERM to a reaped process is ignored. */
  receiver_process_stop (receiver);
}

/* Runs haven-receiver with @arguments, which must make it refuse to start,
 * and returns what it printed on stderr. */
static char *
run_refused (const char * const *arguments,
             int                 expected_status)
{
  g_autofree char *out = NULL;
  char *err = NULL;

  g_assert_cmpint (run_receiver (arguments, &out, &err), ==, expected_status);
  /* It never got as far as listening. */
  g_assert_cmpstr (out, ==, "");

  return err;
}

static void
test_usage_errors (void)
{
  g_autofree char *certificate = work_path ("server.pem");
  g_autofree char *key = work_path ("server-key.pem");
  g_autofree char *db = work_path ("usage.sqlite");
  const char * const no_db[] = { "--cert", certificate, "--key", key, NULL };
  const char * const no_key[] = { "--cert", certificate, "--db", db, NULL };
  const char * const http_and_tls[] = {
    "--insecure-http", "--cert", certificate, "--key", key, "--db", db, NULL
  };
  const char * const client_cert_without_ca[] = {
    "--cert", certificate, "--key", key, "--db", db, "--require-client-cert", NULL
  };
  const char * const host_name[] = {
    "--cert", certificate, "--key", key, "--db", db, "--listen", "example.org:8443", NULL
  };
  const char * const extra[] = { "--cert", certificate, "--key", key, "--db", db, "now", NULL };
  const char * const status_without_fail_first[] = {
    "--cert", certificate, "--key", key, "--db", db, "--fail-status", "403", NULL
  };
  const char * const not_an_error_status[] = {
    "--cert", certificate, "--key", key, "--db", db, "--fail-first", "1", "--fail-status", "200",
    NULL
  };
  const char * const negative_delay[] = {
    "--cert", certificate, "--key", key, "--db", db, "--delay-ms", "-1", NULL
  };
  const char * const make_keypair_and_serve[] = {
    "--make-keypair", db, "--db", db, NULL
  };
  const char * const both_databases[] = {
    "--cert", certificate, "--key", key, "--db", db, "--database", "postgresql://127.0.0.1/h",
    NULL
  };
  const char * const database_not_a_uri[] = {
    "--cert", certificate, "--key", key, "--database", db, NULL
  };

  g_free (run_refused (no_db, 2));
  g_free (run_refused (no_key, 2));
  g_free (run_refused (http_and_tls, 2));
  g_free (run_refused (client_cert_without_ca, 2));
  /* A host name is refused rather than resolved: nothing is looked up. */
  g_free (run_refused (host_name, 2));
  g_free (run_refused (extra, 2));
  g_free (run_refused (status_without_fail_first, 2));
  g_free (run_refused (not_an_error_status, 2));
  g_free (run_refused (negative_delay, 2));
  g_free (run_refused (make_keypair_and_serve, 2));
  /* One database, and --database only for PostgreSQL. */
  g_free (run_refused (both_databases, 2));
  g_free (run_refused (database_not_a_uri, 2));
}

/* The file holds what visitors wrote: made 0600 with its -wal and -shm,
 * and refused, with the fix in the message, when others may read or
 * write it or it belongs to someone else. */
static void
test_private_database (void)
{
  g_autofree char *certificate = work_path ("server.pem");
  g_autofree char *key = work_path ("server-key.pem");
  g_autofree char *db_path = work_path ("private.sqlite");
  g_autofree char *wal_path = g_strconcat (db_path, "-wal", NULL);
  g_autofree char *shm_path = g_strconcat (db_path, "-shm", NULL);
  g_autofree char *chmod_fix = g_strdup_printf ("chmod 600 %s", db_path);
  g_autofree char *wal_fix = g_strdup_printf ("chmod 600 %s", wal_path);
  const char * const arguments[] = { "--cert", certificate, "--key", key, "--db", db_path, NULL };
  const char * const no_options[] = { NULL };
  ReceiverProcess *receiver;
  GStatBuf info;
  char *err;

  /* Made private, companions too, whatever the umask. */
  receiver = receiver_process_start_tls_full (db_path, NULL, no_options);
  g_assert_cmpint (g_stat (db_path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (wal_path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (shm_path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  receiver_process_stop (receiver);

  /* Readable by others: refused, and nothing is changed. */
  g_assert_cmpint (g_chmod (db_path, 0644), ==, 0);
  err = run_refused (arguments, 1);
  g_assert_nonnull (strstr (err, chmod_fix));
  g_free (err);
  g_assert_cmpint (g_stat (db_path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0644);

  /* Writable by the group is as bad. */
  g_assert_cmpint (g_chmod (db_path, 0620), ==, 0);
  err = run_refused (arguments, 1);
  g_assert_nonnull (strstr (err, chmod_fix));
  g_free (err);
  g_assert_cmpint (g_chmod (db_path, 0600), ==, 0);

  /* A write-ahead log left open to others holds visitors' words too (an
   * empty one is what a clean stop leaves, when any). */
  g_file_set_contents (wal_path, "", 0, NULL);
  g_assert_cmpint (g_chmod (wal_path, 0644), ==, 0);
  err = run_refused (arguments, 1);
  g_assert_nonnull (strstr (err, wal_fix));
  g_free (err);
  g_assert_cmpint (g_chmod (wal_path, 0600), ==, 0);

  /* Another user's file is not ours to open, even when private. */
  if (geteuid () == 0)
    {
      g_assert_cmpint (chown (db_path, 65534, 65534), ==, 0);
      err = run_refused (arguments, 1);
      g_assert_nonnull (strstr (err, "chown"));
      g_free (err);
      g_assert_cmpint (chown (db_path, 0, 0), ==, 0);
    }

  /* Put right, it opens again. */
  receiver = receiver_process_start_tls_full (db_path, NULL, no_options);
  receiver_process_stop (receiver);
}

static void
test_bad_token_file (void)
{
  g_autofree char *certificate = work_path ("server.pem");
  g_autofree char *key = work_path ("server-key.pem");
  g_autofree char *db = work_path ("bad-tokens.sqlite");
  g_autofree char *missing = work_path ("no-such-tokens");
  g_autofree char *empty = work_path ("empty-tokens");
  g_autofree char *spaced = work_path ("spaced-tokens");
  const char * const missing_file[] = {
    "--cert", certificate, "--key", key, "--db", db, "--token-file", missing, NULL
  };
  const char * const empty_file[] = {
    "--cert", certificate, "--key", key, "--db", db, "--token-file", empty, NULL
  };
  const char * const spaced_file[] = {
    "--cert", certificate, "--key", key, "--db", db, "--token-file", spaced, NULL
  };
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;

  g_free (run_refused (missing_file, 1));

  /* Comments only: a receiver that lets nobody in is a mistake. */
  g_file_set_contents (empty, "# no tokens yet\n\n", -1, &error);
  g_assert_no_error (error);
  g_free (run_refused (empty_file, 1));

  /* The line is named, never its text: it may be a token. */
  g_file_set_contents (spaced, "secret-one\nsecret two\n", -1, &error);
  g_assert_no_error (error);
  err = run_refused (spaced_file, 1);
  g_assert_nonnull (strstr (err, "line 2"));
  g_assert_null (strstr (err, "secret"));
}

static void
test_make_keypair (void)
{
  g_autofree char *path = work_path ("keypair-made");
  g_autofree char *shared_path = work_path ("keypair-shared");
  g_autofree char *certificate = work_path ("server.pem");
  g_autofree char *key = work_path ("server-key.pem");
  g_autofree char *db = work_path ("keypair.sqlite");
  const char * const again[] = { "--make-keypair", path, NULL };
  const char * const shared[] = {
    "--cert", certificate, "--key", key, "--db", db, "--keypair", shared_path, NULL
  };
  g_autofree char *public_key = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *contents_after = NULL;
  g_autofree char *public_line = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree guchar *decoded = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  GStatBuf info;

  /* What it prints is the kiosk's backend-public-key: one X25519 key. */
  public_key = receiver_process_make_keypair (path);
  decoded = g_base64_decode (public_key, &length);
  g_assert_cmpuint (length, ==, HAVEN_SEALED_BOX_KEY_BYTES);

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  public_line = g_strdup_printf ("\npublic %s\n", public_key);
  g_assert_nonnull (strstr (contents, public_line));

  /* Never over an existing key pair: the kiosks' queued requests are
   * sealed to it. */
  g_assert_cmpint (run_receiver (again, &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_file_get_contents (path, &contents_after, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents_after, ==, contents);

  /* A secret key others can read is refused, as ssh does. */
  g_file_set_contents (shared_path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (shared_path, 0644), ==, 0);
  g_clear_pointer (&err, g_free);
  err = run_refused (shared, 1);
  g_assert_nonnull (strstr (err, "chmod 600"));
}

static void
test_insecure_http_off_loopback (void)
{
  g_autofree char *db = work_path ("insecure.sqlite");
  const char * const arguments[] = {
    "--insecure-http", "--listen", "0.0.0.0:0", "--db", db, NULL
  };
  g_autofree char *err = NULL;

  /* Refused before anything is bound. */
  err = run_refused (arguments, 1);
  g_assert_nonnull (strstr (err, "loopback"));
}

/* A database of schema 2, where a removal request's kind was
 * "removal-request", is migrated with what it holds. */
static void
test_migrates_schema_2 (void)
{
  g_autofree char *db_path = work_path ("schema-2.sqlite");
  const char * const options[] = { NULL };
  g_autofree char *kind = NULL;
  g_autofree char *claim_kind = NULL;
  g_autofree char *version = NULL;
  g_autofree char *client = NULL;
  g_autofree char *sealed = NULL;
  g_autofree char *body = NULL;
  g_autofree char *answer = NULL;
  ReceiverProcess *receiver;
  sqlite3 *db = NULL;

  /* As version 2 of haven-receiver-store.c left it. */
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
    "CREATE TABLE requests (request_id TEXT NOT NULL PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('removal-request', 'report')), body BLOB NOT NULL,"
    "  case_reference TEXT NOT NULL UNIQUE, status TEXT NOT NULL, received_at TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX requests_received_at ON requests (received_at);"
    "CREATE TABLE idempotency_keys (key TEXT NOT NULL PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('removal-request', 'report')),"
    "  body_sha256 TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('in-flight', 'done')),"
    "  started_at INTEGER NOT NULL, response_status INTEGER, response_body TEXT,"
    "  CHECK ((state = 'done') = (response_status IS NOT NULL AND response_body IS NOT NULL))"
    ") STRICT;"
    "INSERT INTO requests VALUES ('r-1', 'removal-request', x'7b7d', 'HV-OLD1', 'received',"
    "  '2026-11-01T10:00:00Z');"
    "INSERT INTO idempotency_keys VALUES ('r-1', 'removal-request', 'aa', 'done', 1, 201, '{}');"
    "PRAGMA user_version = 2;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  /* sqlite3_open() went by the umask; the receiver takes private files only. */
  g_assert_cmpint (g_chmod (db_path, 0600), ==, 0);

  receiver = receiver_process_start_tls_full (db_path, NULL, options);
  receiver_process_stop (receiver);

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  kind = query_text (db, "SELECT kind FROM requests WHERE request_id = 'r-1'");
  claim_kind = query_text (db, "SELECT kind FROM idempotency_keys WHERE key = 'r-1'");
  version = query_text (db, "PRAGMA user_version");
  client = query_text (db, "SELECT client_id FROM idempotency_keys WHERE key = 'r-1'");
  sealed = query_text (db, "SELECT sealed FROM requests WHERE request_id = 'r-1'");
  body = query_text (db, "SELECT body FROM requests WHERE request_id = 'r-1'");
  answer = query_text (db, "SELECT response_body FROM idempotency_keys WHERE key = 'r-1'");
  sqlite3_close (db);
  g_assert_cmpstr (kind, ==, "removal");
  g_assert_cmpstr (claim_kind, ==, "removal");
  /* Through version 7 (4 made the rows before it JSON from anyone). */
  g_assert_cmpstr (version, ==, "7");
  g_assert_cmpstr (client, ==, "anonymous");
  g_assert_cmpstr (sealed, ==, "0");
  g_assert_cmpstr (body, ==, "{}");
  g_assert_cmpstr (answer, ==, "{}");
}

static void
test_newer_schema (void)
{
  g_autofree char *certificate = work_path ("server.pem");
  g_autofree char *key = work_path ("server-key.pem");
  g_autofree char *db_path = work_path ("newer.sqlite");
  const char * const arguments[] = { "--cert", certificate, "--key", key, "--db", db_path, NULL };
  g_autofree char *err = NULL;
  sqlite3 *db = NULL;

  /* A database written by a later haven-receiver is left alone, not
   * "migrated" backwards. */
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpint (g_chmod (db_path, 0600), ==, 0);

  err = run_refused (arguments, 1);
  g_assert_nonnull (strstr (err, "99"));
}

static void
test_no_postgresql (void)
{
  g_test_skip ("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): "
               "install postgresql to run the cases on it");
}

/* PostgreSQL stops (as in a crash) under a running receiver: while it is
 * down a submission is answered 503 with Retry-After, which a kiosk takes
 * as "later", and once it is back the same submission is accepted, once.
 * A restart between two submissions goes unnoticed. */
static void
test_database_restart (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autofree char *before_id = g_uuid_string_random ();
  g_autofree char *after_id = g_uuid_string_random ();
  g_autoptr(GBytes) before = make_removal_request (before_id, "https://example.social/p/31");
  g_autoptr(GBytes) after = make_removal_request (after_id, "https://example.social/p/32");
  g_autoptr(SoupMessage) before_message = NULL;
  g_autoptr(SoupMessage) after_message = NULL;
  g_autoptr(GBytes) before_body = NULL;
  g_autoptr(GBytes) after_body = NULL;
  g_autofree char *reference = NULL;

  /* Down: transient for the kiosk, and nothing stored. */
  pg_cluster_halt (pg_cluster);
  before_message = post (fixture, REMOVAL_PATH, JSON_TYPE, before, before_id, NULL, &before_body);
  g_free (assert_error (before_message, before_body, SOUP_STATUS_SERVICE_UNAVAILABLE));
  g_assert_nonnull (soup_message_headers_get_one (
    soup_message_get_response_headers (before_message), "Retry-After"));
  pg_cluster_resume (pg_cluster);

  /* Back: the same submission is accepted, once. */
  g_clear_object (&before_message);
  g_clear_pointer (&before_body, g_bytes_unref);
  before_message = post (fixture, REMOVAL_PATH, JSON_TYPE, before, before_id, NULL, &before_body);
  g_free (assert_created (before_message, before_body));
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, before_id), ==, 1);

  /* Restarted under the receiver: its pooled connections broke, and are
   * reset on their next use. */
  pg_cluster_restart (pg_cluster);
  after_message = post (fixture, REMOVAL_PATH, JSON_TYPE, after, after_id, NULL, &after_body);
  reference = assert_created (after_message, after_body);
  g_assert_cmpuint (receiver_process_count_requests (fixture->receiver, after_id), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_autofree char *tokens_path = NULL;
  g_autofree char *keypair_path = NULL;
  g_autofree char *pg_bindir = pg_cluster_find_bindir ();
  g_autoptr(GError) error = NULL;

  work_dir_init ("receiver");
  g_test_init (&argc, &argv, NULL);

  tokens_path = work_path ("tokens");
  g_file_set_contents (tokens_path, "# kiosks of the test\nkiosk-token-1\n\n" TOKEN "\n", -1,
                       &error);
  g_assert_no_error (error);
  keypair_path = work_path ("keypair");
  public_key_base64 = receiver_process_make_keypair (keypair_path);

  g_test_add_func ("/haven/receiver/migrates-schema-2", test_migrates_schema_2);
  g_test_add ("/haven/receiver/health", Fixture, NULL,
              fixture_set_up, test_health, fixture_tear_down);
  g_test_add ("/haven/receiver/presents-certificate", Fixture, NULL,
              fixture_set_up, test_presents_certificate, fixture_tear_down);
  g_test_add ("/haven/receiver/health-head", Fixture, NULL,
              fixture_set_up, test_health_head, fixture_tear_down);
  g_test_add ("/haven/receiver/not-found", Fixture, NULL,
              fixture_set_up, test_not_found, fixture_tear_down);
  g_test_add ("/haven/receiver/method-not-allowed", Fixture, NULL,
              fixture_set_up, test_method_not_allowed, fixture_tear_down);
  g_test_add ("/haven/receiver/database", Fixture, NULL,
              fixture_set_up, test_database, fixture_tear_down);
  g_test_add ("/haven/receiver/submission-method", Fixture, NULL,
              fixture_set_up, test_submission_method, fixture_tear_down);
  g_test_add ("/haven/receiver/submit/created-then-repeat", Fixture, NULL,
              fixture_set_up, test_submit_and_repeat, fixture_tear_down);
  g_test_add ("/haven/receiver/submit/report", Fixture, NULL,
              fixture_set_up, test_submit_report, fixture_tear_down);
  g_test_add ("/haven/receiver/submit/in-flight", Fixture, delay_options,
              fixture_set_up, test_in_flight, fixture_tear_down);
  g_test_add ("/haven/receiver/submit/different-body", Fixture, NULL,
              fixture_set_up, test_different_body, fixture_tear_down);
  g_test_add ("/haven/receiver/submit/invalid", Fixture, NULL,
              fixture_set_up, test_invalid, fixture_tear_down);
  g_test_add ("/haven/receiver/submit/idempotency-key", Fixture, NULL,
              fixture_set_up, test_idempotency_key, fixture_tear_down);
  g_test_add ("/haven/receiver/submit/too-large", Fixture, NULL,
              fixture_set_up, test_too_large, fixture_tear_down);
  g_test_add ("/haven/receiver/submit/content-type", Fixture, NULL,
              fixture_set_up, test_content_type, fixture_tear_down);
  g_test_add ("/haven/receiver/submit/case-references", Fixture, NULL,
              fixture_set_up, test_case_references, fixture_tear_down);
  g_test_add ("/haven/receiver/submit/restart", Fixture, NULL,
              fixture_set_up, test_restart, fixture_tear_down);
  g_test_add ("/haven/receiver/submit/stale-claim", Fixture, NULL,
              fixture_set_up, test_stale_claim, fixture_tear_down);
  g_test_add ("/haven/receiver/tokens", Fixture, token_options,
              fixture_set_up, test_tokens, fixture_tear_down);
  g_test_add ("/haven/receiver/sealed", Fixture, keypair_options,
              fixture_set_up, test_sealed, fixture_tear_down);
  g_test_add ("/haven/receiver/fault/fail-first", Fixture, fail_first_options,
              fixture_set_up, test_fail_first, fixture_tear_down);
  g_test_add ("/haven/receiver/fault/fail-status", Fixture, fail_status_options,
              fixture_set_up, test_fail_status, fixture_tear_down);
  g_test_add ("/haven/receiver/fault/close-mid-answer", Fixture, close_mid_answer_options,
              fixture_set_up, test_close_mid_answer, fixture_tear_down);
  g_test_add_func ("/haven/receiver/verbose-log", test_verbose_log);
  g_test_add_func ("/haven/receiver/make-keypair", test_make_keypair);
  g_test_add_func ("/haven/receiver/bad-token-file", test_bad_token_file);
  g_test_add_func ("/haven/receiver/stops-on-sigint", test_stops_on_sigint);
  g_test_add_func ("/haven/receiver/usage-errors", test_usage_errors);
  g_test_add_func ("/haven/receiver/insecure-http-off-loopback", test_insecure_http_off_loopback);
  g_test_add_func ("/haven/receiver/newer-schema", test_newer_schema);
  g_test_add_func ("/haven/receiver/private-database", test_private_database);
  g_test_add ("/haven/receiver/submit/other-client", Fixture, NULL,
              fixture_set_up, test_other_client, fixture_tear_down);
  g_test_add ("/haven/receiver/submit/keys-per-token", Fixture, token_options,
              fixture_set_up, test_keys_per_token, fixture_tear_down);
  g_test_add ("/haven/receiver/sealed-without-key", Fixture, NULL,
              fixture_set_up, test_sealed_without_key, fixture_tear_down);
  g_test_add ("/haven/receiver/envelope-mismatch", Fixture, keypair_options,
              fixture_set_up, test_envelope_mismatch, fixture_tear_down);

  /* The store's own cases again, on PostgreSQL. */
  if (pg_bindir != NULL)
    {
      g_test_add ("/haven/receiver/postgresql/created-then-repeat", Fixture, pg_options,
                  fixture_set_up, test_submit_and_repeat, fixture_tear_down);
      g_test_add ("/haven/receiver/postgresql/report", Fixture, pg_options,
                  fixture_set_up, test_submit_report, fixture_tear_down);
      g_test_add ("/haven/receiver/postgresql/in-flight", Fixture, pg_delay_options,
                  fixture_set_up, test_in_flight, fixture_tear_down);
      g_test_add ("/haven/receiver/postgresql/different-body", Fixture, pg_options,
                  fixture_set_up, test_different_body, fixture_tear_down);
      g_test_add ("/haven/receiver/postgresql/other-client", Fixture, pg_options,
                  fixture_set_up, test_other_client, fixture_tear_down);
      g_test_add ("/haven/receiver/postgresql/restart", Fixture, pg_options,
                  fixture_set_up, test_restart, fixture_tear_down);
      g_test_add ("/haven/receiver/postgresql/stale-claim", Fixture, pg_options,
                  fixture_set_up, test_stale_claim, fixture_tear_down);
      g_test_add ("/haven/receiver/postgresql/case-references", Fixture, pg_options,
                  fixture_set_up, test_case_references, fixture_tear_down);
      g_test_add ("/haven/receiver/postgresql/database-restart", Fixture, pg_options,
                  fixture_set_up, test_database_restart, fixture_tear_down);
    }
  else
    {
      g_test_add_func ("/haven/receiver/postgresql", test_no_postgresql);
    }

  if (pg_bindir != NULL)
    pg_cluster = pg_cluster_start ();

  status = g_test_run ();

  g_clear_pointer (&pg_cluster, pg_cluster_stop);
  work_dir_remove ();
  g_clear_pointer (&public_key_base64, g_free);

  return status;
}
