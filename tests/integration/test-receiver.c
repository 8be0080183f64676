/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receiver"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "haven-tls-pin.h"
#include "receiver-process.h"

/* haven-receiver as integrators meet it: what it answers over HTTPS, the
 * database it leaves, and what it refuses to start with. Only ever on
 * 127.0.0.1. */

typedef struct {
  ReceiverProcess *receiver;
  SoupSession *session;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *certificate = work_path ("server.pem");
  g_autofree char *key = work_path ("server-key.pem");
  g_autofree char *ca = work_path ("ca.pem");
  const char * const arguments[] = { "--cert", certificate, "--key", key, NULL };
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  fixture->receiver = receiver_process_start (arguments);

  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  fixture->session = soup_session_new_with_options ("timeout", 10, NULL);
  soup_session_set_tls_database (fixture->session, database);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  g_clear_pointer (&fixture->receiver, receiver_process_stop);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **result_out = user_data;

  *result_out = g_object_ref (result);
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
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (message);
  /* Asynchronous on the main context, as the kiosk sends. */
  soup_session_send_and_read_async (fixture->session, message, G_PRIORITY_DEFAULT, NULL,
                                    store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  *body = soup_session_send_and_read_finish (fixture->session, result, &error);
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

static void
test_health (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonObject) object = NULL;

  message = request (fixture, "GET", "/v1/health", &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_OK);

  /* Exactly API.md's answer, nothing more. */
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
    "request_id", "kind", "body", "case_reference", "status", "received_at", NULL
  };
  g_autoptr(GStrvBuilder) columns_builder = g_strv_builder_new ();
  g_auto(GStrv) columns = NULL;
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
  g_assert_cmpstr (user_version, ==, "1");
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
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) receiver = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  char *err = NULL;

  g_ptr_array_add (argv, (char *) require_env ("HAVEN_RECEIVER"));
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) arguments[i]);
  g_ptr_array_add (argv, NULL);

  receiver = g_subprocess_newv ((const char * const *) argv->pdata,
                                G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (receiver, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err);

  g_assert_true (g_subprocess_get_if_exited (receiver));
  g_assert_cmpint (g_subprocess_get_exit_status (receiver), ==, expected_status);
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

  g_free (run_refused (no_db, 2));
  g_free (run_refused (no_key, 2));
  g_free (run_refused (http_and_tls, 2));
  g_free (run_refused (client_cert_without_ca, 2));
  /* A host name is refused rather than resolved: nothing is looked up. */
  g_free (run_refused (host_name, 2));
  g_free (run_refused (extra, 2));
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

  err = run_refused (arguments, 1);
  g_assert_nonnull (strstr (err, "99"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  work_dir_init ("receiver");
  g_test_init (&argc, &argv, NULL);

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
  g_test_add_func ("/haven/receiver/stops-on-sigint", test_stops_on_sigint);
  g_test_add_func ("/haven/receiver/usage-errors", test_usage_errors);
  g_test_add_func ("/haven/receiver/insecure-http-off-loopback", test_insecure_http_off_loopback);
  g_test_add_func ("/haven/receiver/newer-schema", test_newer_schema);

  status = g_test_run ();
  work_dir_remove ();

  return status;
}
