/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receiver-cases"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pg-cluster.h"
#include "receiver-database.h"
#include "receiver-process.h"

/* The caseworker API through a real haven-receiver over TLS, on SQLite
 * and on PostgreSQL: credentials issued with `haven-receiver credentials
 * add`, a submission read back as a case and its body, an event, the audit
 * log read over the API; 403 for a kiosk's credential, 401 once a
 * credential is revoked; the audit log refusing UPDATE and DELETE in the
 * database's own client, and `haven-receiver audit verify` naming the row
 * changed behind its back. */

static PgCluster *pg_cluster;
static guint n_databases;

typedef struct {
  ReceiverProcess *receiver;
  SoupSession *session;
  char *location;
  gboolean postgresql;
} Fixture;

/* Runs @argv and returns its exit status; its output in @out and @err. */
static int
run (const char * const  *argv,
     char               **out,
     char               **err)
{
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err,
                &wait_status, &error);
  g_assert_no_error (error);

  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
}

static int
run_receiver_command (Fixture             *fixture,
                      const char * const  *arguments,
                      char               **out,
                      char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) require_env ("HAVEN_RECEIVER"));
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) arguments[i]);
  g_ptr_array_add (argv, fixture->postgresql ? (char *) "--database" : (char *) "--db");
  g_ptr_array_add (argv, fixture->location);
  g_ptr_array_add (argv, NULL);

  return run ((const char * const *) argv->pdata, out, err);
}

/* Issues a credential and returns its token, which the command prints
 * alone on standard output. */
static char *
add_credential (Fixture    *fixture,
                const char *role,
                const char *name)
{
  const char * const arguments[] = { "credentials", "add", "--role", role, "--name", name, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_receiver_command (fixture, arguments, &out, &err), ==, 0);
  g_strstrip (out);
  /* 32 bytes, base64url without padding. */
  g_assert_cmpuint (strlen (out), ==, 43);
  g_assert_true (g_regex_match_simple ("^[A-Za-z0-9_-]+$", out, 0, 0));
  g_assert_null (strstr (err, out));

  return g_steal_pointer (&out);
}

/* Runs SQL in the database's own command-line client, as an operator with
 * the database's keys would; returns its exit status, its errors in @err. */
static int
run_sql_client (Fixture     *fixture,
                const char  *sql,
                char       **err)
{
  g_autofree char *out = NULL;

  if (fixture->postgresql)
    {
      const char * const argv[] = {
        "psql", "-X", "-v", "ON_ERROR_STOP=1", fixture->location, "-c", sql, NULL
      };

      return run (argv, &out, err);
    }
  else
    {
      const char * const argv[] = { "sqlite3", fixture->location, sql, NULL };

      return run (argv, &out, err);
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *ca = work_path ("ca.pem");
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  fixture->postgresql = GPOINTER_TO_INT (user_data);
  if (fixture->postgresql)
    {
      fixture->location = g_strdup (pg_cluster_get_uri (pg_cluster));
    }
  else
    {
      g_autofree char *name = g_strdup_printf ("cases-%u.sqlite", ++n_databases);

      fixture->location = work_path (name);
    }

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
  g_free (fixture->location);
}

/* Sends a request with @token (NULL for none) and returns the status; the
 * answer's body in @body. */
static guint
send (Fixture     *fixture,
      const char  *method,
      const char  *path,
      const char  *token,
      const char  *json,
      const char  *key,
      GBytes     **body,
      char       **content_type)
{
  g_autofree char *url = g_strconcat (fixture->receiver->url, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);

  g_assert_nonnull (message);
  if (token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
    }
  if (json != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }
  if (key != NULL)
    soup_message_headers_replace (headers, "Idempotency-Key", key);

  soup_session_send_and_read_async (fixture->session, message, G_PRIORITY_DEFAULT, NULL,
                                    store_result_cb, &result);
  *body = soup_session_send_and_read_finish (fixture->session, wait_for_result (&result),
                                             &error);
  g_assert_no_error (error);
  if (content_type != NULL)
    *content_type = g_strdup (soup_message_headers_get_content_type (
                                soup_message_get_response_headers (message), NULL));

  return soup_message_get_status (message);
}

static JsonNode *
parse (GBytes *body)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (g_bytes_get_data (body, NULL), &error);

  g_assert_no_error (error);
  return node;
}

static guint
count_audit_rows (Fixture    *fixture,
                  const char *actor,
                  const char *action,
                  const char *status)
{
  const char * const params[] = { actor, action, status, NULL };
  g_autofree char *count = database_query_text (fixture->location,
                                                "SELECT CAST(count(*) AS TEXT) FROM audit_log "
                                                "WHERE actor = $1 AND action = $2 "
                                                "AND CAST(status AS TEXT) = $3", params);

  return (guint) g_ascii_strtoull (count, NULL, 10);
}

static void
test_cases (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_autofree char *alice = g_strdup_printf ("alice-%08x", g_random_int ());
  g_autofree char *kiosk = g_strdup_printf ("kiosk-%08x", g_random_int ());
  g_autofree char *alice_token = NULL;
  g_autofree char *kiosk_token = NULL;
  g_autofree char *request_id = g_uuid_string_random ();
  g_autofree char *event_key = g_uuid_string_random ();
  g_autofree char *submission = g_strdup_printf (
    "{\"request_id\": \"%s\", \"created_at\": \"2026-11-27T10:15:00Z\", "
    "\"kiosk_id\": \"station-12-lobby\", \"locale\": \"es\", "
    "\"category\": \"intimate-images\", "
    "\"items\": [{\"url\": \"https://example.social/p/1\", \"platform\": \"example.social\", "
    "\"description\": \"VISITOR-WORDS\"}], "
    "\"reporter\": {\"role\": \"self\", \"contact\": {\"email\": \"a@example.org\"}, "
    "\"consent_to_contact\": true}, "
    "\"declaration\": {\"accurate\": true, \"authorised\": true}}", request_id);
  g_autofree char *reference = NULL;
  g_autofree char *case_path = NULL;
  g_autofree char *body_path = NULL;
  g_autofree char *events_path = NULL;
  g_autofree char *audit_path = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GBytes) body = NULL;
  JsonArray *entries;
  gboolean saw_body_read = FALSE;

  alice_token = add_credential (fixture, "caseworker", alice);
  kiosk_token = add_credential (fixture, "kiosk", kiosk);
  if (!fixture->postgresql)
    {
      GStatBuf info;

      /* The command made the database: its owner's alone. */
      g_assert_cmpint (g_stat (fixture->location, &info), ==, 0);
      g_assert_cmpint (info.st_mode & 0777, ==, 0600);
    }

  fixture->receiver = receiver_process_start_tls_full (fixture->location, NULL, NULL);

  g_assert_cmpuint (send (fixture, "POST", "/v1/removal-requests", NULL, submission, request_id,
                          &body, NULL), ==, 201);
  g_clear_pointer (&node, json_node_unref);
  node = parse (body);
  reference = g_strdup (json_object_get_string_member (json_node_get_object (node),
                                                       "case_reference"));
  case_path = g_strdup_printf ("/v1/cases/%s", reference);
  body_path = g_strdup_printf ("/v1/cases/%s/body", reference);
  events_path = g_strdup_printf ("/v1/cases/%s/events", reference);
  audit_path = g_strdup_printf ("/v1/audit?case=%s", reference);

  /* The list, the case, its body as stored, an event. */
  g_clear_pointer (&body, g_bytes_unref);
  g_assert_cmpuint (send (fixture, "GET", "/v1/cases?kind=removal&state=received&limit=1",
                          alice_token, NULL, NULL, &body, NULL), ==, 200);
  g_clear_pointer (&node, json_node_unref);
  node = parse (body);
  {
    JsonArray *cases = json_object_get_array_member (json_node_get_object (node), "cases");

    /* The newest first: this test's. */
    g_assert_cmpuint (json_array_get_length (cases), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (cases, 0),
                                                    "case_reference"), ==, reference);
  }

  g_clear_pointer (&body, g_bytes_unref);
  g_assert_cmpuint (send (fixture, "GET", case_path, alice_token, NULL, NULL, &body, NULL), ==,
                    200);
  g_clear_pointer (&node, json_node_unref);
  node = parse (body);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "state"), ==,
                   "received");

  g_clear_pointer (&body, g_bytes_unref);
  g_assert_cmpuint (send (fixture, "GET", body_path, alice_token, NULL, NULL, &body,
                          &content_type), ==, 200);
  g_assert_cmpstr (content_type, ==, "application/json");
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), submission,
                   strlen (submission));

  g_clear_pointer (&body, g_bytes_unref);
  g_assert_cmpuint (send (fixture, "POST", events_path, alice_token,
                          "{\"type\": \"state\", \"state\": \"open\"}", event_key, &body, NULL),
                    ==, 201);
  g_clear_pointer (&body, g_bytes_unref);
  g_assert_cmpuint (send (fixture, "POST", events_path, alice_token,
                          "{\"type\": \"state\", \"state\": \"received\"}", request_id, &body,
                          NULL), ==, 409);

  /* The wrong role, and no credential. */
  g_clear_pointer (&body, g_bytes_unref);
  g_assert_cmpuint (send (fixture, "GET", body_path, kiosk_token, NULL, NULL, &body, NULL), ==,
                    403);
  g_clear_pointer (&body, g_bytes_unref);
  g_assert_cmpuint (send (fixture, "GET", body_path, NULL, NULL, NULL, &body, NULL), ==, 401);

  /* The audit log, over the API: each access, who and from where. */
  g_clear_pointer (&body, g_bytes_unref);
  g_assert_cmpuint (send (fixture, "GET", audit_path, alice_token, NULL, NULL, &body, NULL), ==,
                    200);
  g_clear_pointer (&node, json_node_unref);
  node = parse (body);
  entries = json_object_get_array_member (json_node_get_object (node), "entries");
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      g_assert_cmpstr (json_object_get_string_member (entry, "remote"), ==, "127.0.0.1");
      if (g_str_equal (json_object_get_string_member (entry, "action"), "read-body") &&
          g_strcmp0 (json_object_get_string_member (entry, "actor"), alice) == 0)
        saw_body_read = TRUE;
    }
  g_assert_true (saw_body_read);
  g_assert_cmpuint (json_array_get_length (entries), ==, 6);

  g_assert_cmpuint (count_audit_rows (fixture, alice, "read-body", "200"), ==, 1);
  g_assert_cmpuint (count_audit_rows (fixture, alice, "add-event", "201"), ==, 1);
  g_assert_cmpuint (count_audit_rows (fixture, alice, "add-event", "409"), ==, 1);
  g_assert_cmpuint (count_audit_rows (fixture, alice, "read-audit", "200"), ==, 1);
  g_assert_cmpuint (count_audit_rows (fixture, kiosk, "read-body", "403"), ==, 1);
  g_assert_cmpuint (count_audit_rows (fixture, "(unknown)", "read-body", "401"), >=, 1);

  /* list: names and roles, never a token. */
  {
    const char * const arguments[] = { "credentials", "list", NULL };

    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_receiver_command (fixture, arguments, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, alice));
    g_assert_nonnull (strstr (out, "caseworker"));
    g_assert_null (strstr (out, alice_token));
  }

  /* Revoked: 401 at once, from the running receiver. */
  {
    const char * const arguments[] = { "credentials", "revoke", alice, NULL };

    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_receiver_command (fixture, arguments, &out, &err), ==, 0);
  }
  g_clear_pointer (&body, g_bytes_unref);
  g_assert_cmpuint (send (fixture, "GET", "/v1/cases", alice_token, NULL, NULL, &body, NULL), ==,
                    401);
  {
    const char * const params[] = { alice, NULL };
    g_autofree char *actions = database_query_text (
      fixture->location, "SELECT CAST(count(*) AS TEXT) FROM audit_log "
      "WHERE action IN ('credential-add:' || $1, 'credential-revoke:' || $1)", params);

    g_assert_cmpstr (actions, ==, "2");
  }

  /* The database's own client cannot change the log. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_sql_client (fixture, "UPDATE audit_log SET actor = 'mallory'", &err), !=,
                   0);
  g_assert_nonnull (strstr (err, "audit_log is append-only"));
  g_test_message ("UPDATE refused: %s", g_strstrip (err));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_sql_client (fixture, "DELETE FROM audit_log", &err), !=, 0);
  g_assert_nonnull (strstr (err, "audit_log is append-only"));
  g_test_message ("DELETE refused: %s", g_strstrip (err));

  /* verify: whole; then a row changed behind the triggers' back is named. */
  {
    const char * const arguments[] = { "audit", "verify", NULL };
    g_autofree char *changed = NULL;

    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_receiver_command (fixture, arguments, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "whole"));
    g_test_message ("%s", g_strstrip (out));

    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_sql_client (fixture,
                                     fixture->postgresql
                                     ? "ALTER TABLE audit_log DISABLE TRIGGER USER; "
                                       "UPDATE audit_log SET remote = '10.9.9.9' WHERE id = 3; "
                                       "ALTER TABLE audit_log ENABLE TRIGGER USER"
                                     : "DROP TRIGGER audit_log_no_update; "
                                       "UPDATE audit_log SET remote = '10.9.9.9' WHERE id = 3",
                                     &err), ==, 0);

    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_receiver_command (fixture, arguments, &out, &err), ==, 1);
    g_assert_nonnull (strstr (out, "row 3:"));
    g_test_message ("%s", g_strstrip (out));
    changed = database_query_text (fixture->location,
                                   "SELECT remote FROM audit_log WHERE id = 3", NULL);
    g_assert_cmpstr (changed, ==, "10.9.9.9");
  }
}

static void
test_no_postgresql (void)
{
  g_test_skip ("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): "
               "install postgresql to run the cases on it");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *pg_bindir = pg_cluster_find_bindir ();
  int status;

  work_dir_init ("receiver-cases");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/haven/receiver-cases/sqlite", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_cases, fixture_tear_down);
  if (pg_bindir != NULL)
    g_test_add ("/haven/receiver-cases/postgresql", Fixture, GINT_TO_POINTER (TRUE),
                fixture_set_up, test_cases, fixture_tear_down);
  else
    g_test_add_func ("/haven/receiver-cases/postgresql", test_no_postgresql);

  if (pg_bindir != NULL)
    pg_cluster = pg_cluster_start ();

  status = g_test_run ();

  g_clear_pointer (&pg_cluster, pg_cluster_stop);
  work_dir_remove ();

  return status;
}
