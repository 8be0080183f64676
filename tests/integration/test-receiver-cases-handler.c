/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receiver-cases-handler"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <sodium.h>

#include "haven-receiver-cases.h"
#include "haven-receiver-store.h"
#include "pg-cluster.h"
#include "receiver-database.h"
#include "test-files.h"

/* The caseworker API's handler itself, called with HavenReceiverCall
 * values as an HTTP layer would make them, on a real store: SQLite in a
 * temporary folder, and PostgreSQL on a cluster the test starts. Roles,
 * listing with filters and keyset paging, a case with its events, its
 * body as stored, events with their keys and state checks, and the audit
 * log that every call leaves a row in, chained. */

#define STALE_AFTER 30

static PgCluster *pg_cluster;
static char *work_dir;
static guint n_databases;

typedef struct {
  char *location;
  HavenReceiverStore *store;
  HavenReceiverCases *cases;
  /* Unique in this run: the PostgreSQL database is shared by the cases. */
  char *caseworker;
  char *kiosk;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  gboolean postgresql = GPOINTER_TO_INT (user_data);
  g_autoptr(GError) error = NULL;
  guint32 tag = g_random_int ();

  if (postgresql)
    {
      fixture->location = g_strdup (pg_cluster_get_uri (pg_cluster));
    }
  else
    {
      g_autofree char *name = g_strdup_printf ("cases-%u.sqlite", ++n_databases);

      fixture->location = g_build_filename (work_dir, name, NULL);
    }

  fixture->store = haven_receiver_store_open (fixture->location, &error);
  g_assert_no_error (error);
  fixture->cases = haven_receiver_cases_new (fixture->store);
  fixture->caseworker = g_strdup_printf ("alice-%08x", tag);
  fixture->kiosk = g_strdup_printf ("kiosk-%08x", tag);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->cases);
  g_clear_object (&fixture->store);
  g_free (fixture->location);
  g_free (fixture->caseworker);
  g_free (fixture->kiosk);
}

/* Stores a submission as the server does, and returns its reference. */
static char *
add_case (Fixture          *fixture,
          HavenRequestKind  kind,
          const char       *kiosk_id,
          gboolean          sealed,
          GBytes          **body_out)
{
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *json = g_strdup_printf ("{\"request_id\":\"%s\"}", key);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) created_at = g_date_time_new_now_utc ();
  HavenRequestEnvelope envelope = {
    .kind = kind,
    .category = (char *) "intimate-images",
    .locale = (char *) "fr",
    .kiosk_id = (char *) kiosk_id,
    .child_involved = FALSE,
    .created_at = created_at,
  };
  HavenReceiverClaim claim;
  guint status = 0;
  char *reference;

  if (sealed)
    {
      guint8 bytes[120];

      randombytes_buf (bytes, sizeof bytes);
      bytes[7] = 0;
      body = g_bytes_new (bytes, sizeof bytes);
    }
  else
    {
      body = g_bytes_new (json, strlen (json));
    }
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);

  g_assert_true (haven_receiver_store_claim (fixture->store, "anonymous", key, kind, sha256,
                                             STALE_AFTER, &claim, &status, &answer, &error));
  g_assert_cmpint (claim, ==, HAVEN_RECEIVER_CLAIM_NEW);
  reference = g_strdup_printf ("HV-%04X-%04X", g_random_int_range (0, 0xffff),
                               g_random_int_range (0, 0xffff));
  g_assert_true (haven_receiver_store_accept (fixture->store, "anonymous", key, kind, body, sealed,
                                              &envelope, reference, 201, "{}", &error));
  g_assert_no_error (error);

  if (body_out != NULL)
    *body_out = g_steal_pointer (&body);
  return reference;
}

/* Calls the handler as @actor ("caseworker", "kiosk" or NULL for no
 * credential) and returns the answer; @query is "name", "value", … */
static void
call (Fixture             *fixture,
      const char          *role,
      const char          *method,
      const char          *path,
      const char * const  *query,
      const char          *body,
      const char          *key,
      HavenReceiverAnswer *answer)
{
  g_autoptr(GHashTable) table = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GBytes) bytes = body != NULL ? g_bytes_new (body, strlen (body)) : NULL;
  HavenReceiverCall request = {
    .method = method,
    .path = path,
    .query = table,
    .body = bytes,
    .idempotency_key = key,
    .actor_name = role == NULL ? NULL
                  : g_str_equal (role, "kiosk") ? fixture->kiosk : fixture->caseworker,
    .actor_role = role,
    .credential_presented = TRUE,
    .remote_address = "192.0.2.7",
  };

  for (guint i = 0; query != NULL && query[i] != NULL; i += 2)
    g_hash_table_insert (table, (gpointer) query[i], (gpointer) query[i + 1]);

  g_assert_true (haven_receiver_cases_handle (fixture->cases, &request, answer));
}

static JsonObject *
answer_object (const HavenReceiverAnswer *answer,
               JsonParser                *parser)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (answer->body, &length);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (answer->content_type, ==, "application/json");
  json_parser_load_from_data (parser, data, (gssize) length, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static const char *
answer_header (const HavenReceiverAnswer *answer,
               const char                *name)
{
  for (guint i = 0; answer->headers != NULL && i < answer->headers->len; i += 2)
    {
      if (g_ascii_strcasecmp (g_ptr_array_index (answer->headers, i), name) == 0)
        return g_ptr_array_index (answer->headers, i + 1);
    }

  return NULL;
}

static guint
count_audit (Fixture    *fixture,
             const char *actor,
             const char *action,
             guint       status)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  entries = haven_receiver_store_list_audit (fixture->store, NULL, actor, 0, 100000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      HavenReceiverAuditEntry *entry = g_ptr_array_index (entries, i);

      g_assert_cmpstr (entry->remote, ==, "192.0.2.7");
      if (g_str_equal (entry->action, action) && entry->status == status)
        n++;
    }

  return n;
}

static void
assert_chain_whole (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  guint64 n_rows = 0;
  gint64 bad_id = 0;

  g_assert_true (haven_receiver_store_verify_audit (fixture->store, &n_rows, &bad_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bad_id, ==, -1);
  g_assert_cmpuint (n_rows, >, 0);
}

/* No credential: 401; a kiosk's: 403; each written to the audit log. Not
 * a path of the API: not handled at all. */
static void
test_roles (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_auto(HavenReceiverAnswer) answer = { 0, };
  g_autofree char *reference = add_case (fixture, HAVEN_REQUEST_KIND_REMOVAL, "k1", FALSE, NULL);
  g_autofree char *body_path = g_strdup_printf ("/v1/cases/%s/body", reference);
  HavenReceiverCall other = { .method = "GET", .path = "/v1/health" };

  call (fixture, NULL, "GET", body_path, NULL, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 401);
  g_assert_cmpstr (answer_header (&answer, "WWW-Authenticate"), ==,
                   "Bearer realm=\"haven\", error=\"invalid_token\"");

  call (fixture, "kiosk", "GET", body_path, NULL, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 403);
  call (fixture, "kiosk", "GET", "/v1/cases", NULL, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 403);
  call (fixture, "kiosk", "GET", "/v1/audit", NULL, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 403);
  g_assert_cmpuint (count_audit (fixture, fixture->kiosk, "read-body", 403), ==, 1);
  g_assert_cmpuint (count_audit (fixture, fixture->kiosk, "list-cases", 403), ==, 1);
  g_assert_cmpuint (count_audit (fixture, fixture->kiosk, "read-audit", 403), ==, 1);

  /* The wrong method, and a path below a case that is none. */
  call (fixture, "caseworker", "DELETE", body_path, NULL, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 405);
  g_assert_cmpstr (answer_header (&answer, "Allow"), ==, "GET");
  call (fixture, "caseworker", "GET", "/v1/cases/../etc", NULL, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 404);
  g_assert_cmpuint (count_audit (fixture, fixture->caseworker, "unknown-path", 404), ==, 1);

  haven_receiver_answer_clear (&answer);
  g_assert_false (haven_receiver_cases_handle (fixture->cases, &other, &answer));
  g_assert_cmpuint (answer.status, ==, 0);
  assert_chain_whole (fixture);
}

static GPtrArray *
list_all (Fixture             *fixture,
          const char * const  *filters,
          guint                page_size,
          guint               *n_pages)
{
  GPtrArray *references = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *next = NULL;
  g_autofree char *limit = g_strdup_printf ("%u", page_size);

  *n_pages = 0;
  do
    {
      g_auto(HavenReceiverAnswer) answer = { 0, };
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GPtrArray) query = g_ptr_array_new ();
      JsonObject *object;
      JsonArray *cases;

      for (guint i = 0; filters != NULL && filters[i] != NULL; i++)
        g_ptr_array_add (query, (gpointer) filters[i]);
      g_ptr_array_add (query, (gpointer) "limit");
      g_ptr_array_add (query, limit);
      if (next != NULL)
        {
          g_ptr_array_add (query, (gpointer) "after");
          g_ptr_array_add (query, next);
        }
      g_ptr_array_add (query, NULL);

      call (fixture, "caseworker", "GET", "/v1/cases", (const char * const *) query->pdata,
            NULL, NULL, &answer);
      g_assert_cmpuint (answer.status, ==, 200);
      object = answer_object (&answer, parser);
      cases = json_object_get_array_member (object, "cases");
      g_assert_cmpuint (json_array_get_length (cases), <=, page_size);
      for (guint i = 0; i < json_array_get_length (cases); i++)
        g_ptr_array_add (references,
                         g_strdup (json_object_get_string_member (
                                     json_array_get_object_element (cases, i),
                                     "case_reference")));
      g_free (next);
      next = g_strdup (json_object_get_string_member_with_default (object, "next", NULL));
      (*n_pages)++;
    }
  while (next != NULL);

  return references;
}

/* Keyset paging shows each case once, newest first; filters combine. */
static void
test_list (Fixture       *fixture,
           gconstpointer  user_data)
{
  g_autofree char *kiosk_a = g_strdup_printf ("%s-a", fixture->kiosk);
  g_autofree char *kiosk_b = g_strdup_printf ("%s-b", fixture->kiosk);
  const char * const only_a[] = { "kiosk", kiosk_a, NULL };
  const char * const a_reports[] = { "kiosk", kiosk_a, "kind", "report", NULL };
  const char * const bad[] = { "kind", "letters", NULL };
  const char * const misspelt[] = { "kisok", "x", NULL };
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_auto(HavenReceiverAnswer) answer = { 0, };
  guint n_pages = 0;

  for (guint i = 0; i < 7; i++)
    g_ptr_array_add (made, add_case (fixture, i % 3 == 0 ? HAVEN_REQUEST_KIND_REPORT
                                                         : HAVEN_REQUEST_KIND_REMOVAL,
                                     kiosk_a, FALSE, NULL));
  g_free (add_case (fixture, HAVEN_REQUEST_KIND_REPORT, kiosk_b, FALSE, NULL));

  listed = list_all (fixture, only_a, 2, &n_pages);
  g_assert_cmpuint (listed->len, ==, 7);
  g_assert_cmpuint (n_pages, ==, 4);
  /* Newest first: the last made is shown first. */
  for (guint i = 0; i < 7; i++)
    g_assert_cmpstr (g_ptr_array_index (listed, i), ==, g_ptr_array_index (made, 6 - i));

  reports = list_all (fixture, a_reports, 50, &n_pages);
  g_assert_cmpuint (reports->len, ==, 3);
  g_assert_cmpuint (n_pages, ==, 1);

  call (fixture, "caseworker", "GET", "/v1/cases", bad, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 400);
  call (fixture, "caseworker", "GET", "/v1/cases", misspelt, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 400);
  g_assert_cmpuint (count_audit (fixture, fixture->caseworker, "list-cases", 200), ==, 5);
  g_assert_cmpuint (count_audit (fixture, fixture->caseworker, "list-cases", 400), ==, 2);
}

/* A case with its metadata, its body as stored, and 404 for none. */
static void
test_case_and_body (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GBytes) body = NULL;
  g_autofree char *reference = add_case (fixture, HAVEN_REQUEST_KIND_REMOVAL, fixture->kiosk,
                                         TRUE, &body);
  g_autofree char *path = g_strdup_printf ("/v1/cases/%s", reference);
  g_autofree char *body_path = g_strdup_printf ("/v1/cases/%s/body", reference);
  g_auto(HavenReceiverAnswer) answer = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  call (fixture, "caseworker", "GET", path, NULL, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  object = answer_object (&answer, parser);
  g_assert_cmpstr (json_object_get_string_member (object, "case_reference"), ==, reference);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "removal");
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "received");
  g_assert_cmpstr (json_object_get_string_member (object, "kiosk_id"), ==, fixture->kiosk);
  g_assert_cmpstr (json_object_get_string_member (object, "locale"), ==, "fr");
  g_assert_false (json_object_get_boolean_member (object, "child_involved"));
  g_assert_true (json_object_get_boolean_member (object, "sealed"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "received_at"), "Z"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "events")), ==,
                    0);

  call (fixture, "caseworker", "GET", body_path, NULL, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_cmpstr (answer.content_type, ==, "application/vnd.haven.sealed");
  g_assert_true (g_bytes_equal (answer.body, body));
  g_assert_cmpstr (answer_header (&answer, "Cache-Control"), ==, "no-store");

  call (fixture, "caseworker", "GET", "/v1/cases/HV-NONE-0000", NULL, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 404);
  call (fixture, "caseworker", "GET", "/v1/cases/HV-NONE-0000/body", NULL, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 404);

  /* Retention leaves a destroyed body NULL, with when. */
  {
    const char * const params[] = { reference, "2026-12-07T12:00:00Z", NULL };

    database_exec (fixture->location,
                   "UPDATE requests SET body = NULL, body_destroyed_at = $2 "
                   "WHERE case_reference = $1", params);
    call (fixture, "caseworker", "GET", body_path, NULL, NULL, NULL, &answer);
    g_assert_cmpuint (answer.status, ==, 410);
  }

  g_assert_cmpuint (count_audit (fixture, fixture->caseworker, "read-case", 200), ==, 1);
  g_assert_cmpuint (count_audit (fixture, fixture->caseworker, "read-body", 200), ==, 1);
  g_assert_cmpuint (count_audit (fixture, fixture->caseworker, "read-case", 404), ==, 1);
}

static gint64
post_event (Fixture    *fixture,
            const char *reference,
            const char *body,
            const char *key,
            guint       expected_status)
{
  g_autofree char *path = g_strdup_printf ("/v1/cases/%s/events", reference);
  g_auto(HavenReceiverAnswer) answer = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  call (fixture, "caseworker", "POST", path, NULL, body, key, &answer);
  g_assert_cmpuint (answer.status, ==, expected_status);
  object = answer_object (&answer, parser);
  if (expected_status == 409)
    g_assert_true (json_object_has_member (object, "state"));
  if (expected_status != 200 && expected_status != 201)
    return -1;

  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "at"), "Z"));
  return json_object_get_int_member (object, "event_id");
}

/* Events: state changes checked against the case's state, repeats
 * answered as the first time, a key that is its actor's, notes and item
 * outcomes, each shown with the case oldest first. */
static void
test_events (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *reference = add_case (fixture, HAVEN_REQUEST_KIND_REMOVAL, fixture->kiosk,
                                         FALSE, NULL);
  g_autofree char *report = add_case (fixture, HAVEN_REQUEST_KIND_REPORT, fixture->kiosk, FALSE,
                                      NULL);
  g_autofree char *path = g_strdup_printf ("/v1/cases/%s", reference);
  g_autofree char *key1 = g_uuid_string_random ();
  g_autofree char *key2 = g_uuid_string_random ();
  g_autofree char *key3 = g_uuid_string_random ();
  g_autofree char *key4 = g_uuid_string_random ();
  g_autofree char *key5 = g_uuid_string_random ();
  g_autofree char *key6 = g_uuid_string_random ();
  g_autofree char *note_body = NULL;
  g_autofree char *big = NULL;
  g_auto(HavenReceiverAnswer) answer = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint8 note[96];
  char note_base64[sodium_base64_ENCODED_LEN (sizeof note, sodium_base64_VARIANT_ORIGINAL)];
  JsonObject *object;
  JsonArray *events;
  gint64 opened;

  opened = post_event (fixture, reference, "{\"type\":\"state\",\"state\":\"open\"}", key1, 201);
  /* The same again: the first answer, with 200. */
  g_assert_cmpint (post_event (fixture, reference, "{\"type\":\"state\",\"state\":\"open\"}",
                               key1, 200), ==, opened);
  /* The same key for something else: 422. */
  post_event (fixture, reference, "{\"type\":\"state\",\"state\":\"closed\"}", key1, 422);
  /* open → received cannot be; 409 with the state it is in. */
  post_event (fixture, reference, "{\"type\":\"state\",\"state\":\"received\"}", key2, 409);
  post_event (fixture, reference, "{\"type\":\"state\",\"state\":\"waiting\"}", key2, 201);

  randombytes_buf (note, sizeof note);
  sodium_bin2base64 (note_base64, sizeof note_base64, note, sizeof note,
                     sodium_base64_VARIANT_ORIGINAL);
  note_body = g_strdup_printf ("{\"type\":\"note\",\"sealed_note\":\"%s\"}", note_base64);
  post_event (fixture, reference, note_body, key3, 201);
  post_event (fixture, reference, "{\"type\":\"note\",\"sealed_note\":\"not base64!\"}", key4,
              400);
  post_event (fixture, reference, "{\"type\":\"item-outcome\",\"item\":0,\"outcome\":\"removed\","
              "\"platform_reference\":\"T-1234\"}", key4, 201);
  post_event (fixture, reference, "{\"type\":\"item-outcome\",\"item\":0,\"outcome\":\"gone\"}",
              key5, 400);
  /* The answers a platform owes after a notice, and an appeal. */
  post_event (fixture, reference, "{\"type\":\"item-outcome\",\"item\":1,\"outcome\":\"receipt-confirmed\"}",
              "c1a1c2d0-7e55-4b8e-9a5b-0a0000000001", 201);
  post_event (fixture, reference, "{\"type\":\"item-outcome\",\"item\":1,\"outcome\":\"appealed\"}",
              "c1a1c2d0-7e55-4b8e-9a5b-0a0000000002", 201);
  post_event (fixture, report, "{\"type\":\"item-outcome\",\"item\":0,\"outcome\":\"removed\"}",
              key5, 422);
  post_event (fixture, "HV-NONE-0000", "{\"type\":\"state\",\"state\":\"open\"}", key6, 404);
  post_event (fixture, reference, "{\"type\":\"state\",\"state\":\"open\"}", NULL, 400);
  post_event (fixture, reference, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]"
              "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", key6, 400);

  big = g_strnfill (HAVEN_RECEIVER_CASES_MAX_EVENT_BYTES + 1, ' ');
  post_event (fixture, reference, big, key6, 413);

  call (fixture, "caseworker", "GET", path, NULL, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  object = answer_object (&answer, parser);
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "waiting");
  g_assert_nonnull (json_object_get_string_member (object, "updated_at"));
  events = json_object_get_array_member (object, "events");
  g_assert_cmpuint (json_array_get_length (events), ==, 6);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 4),
                                                  "outcome"), ==, "receipt-confirmed");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 5),
                                                  "outcome"), ==, "appealed");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (events, 0),
                                               "event_id"), ==, opened);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 2),
                                                  "sealed_note"), ==, note_base64);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 3),
                                                  "platform_reference"), ==, "T-1234");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 3),
                                                  "actor"), ==, fixture->caseworker);

  /* Closed, then reopened: closed_at comes and goes. */
  post_event (fixture, reference, "{\"type\":\"state\",\"state\":\"closed\"}", key5, 201);
  call (fixture, "caseworker", "GET", path, NULL, NULL, NULL, &answer);
  g_clear_object (&parser);
  parser = json_parser_new ();
  object = answer_object (&answer, parser);
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "closed");
  g_assert_nonnull (json_object_get_string_member (object, "closed_at"));
  post_event (fixture, reference, "{\"type\":\"state\",\"state\":\"open\"}", key6, 201);

  g_assert_cmpuint (count_audit (fixture, fixture->caseworker, "add-event", 201), ==, 8);
  g_assert_cmpuint (count_audit (fixture, fixture->caseworker, "add-event", 409), ==, 1);
  assert_chain_whole (fixture);
}

/* GET /v1/audit: a case's rows, oldest first, paged; reading is logged. */
static void
test_audit_read (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *reference = add_case (fixture, HAVEN_REQUEST_KIND_REMOVAL, fixture->kiosk,
                                         FALSE, NULL);
  g_autofree char *path = g_strdup_printf ("/v1/cases/%s", reference);
  const char * const by_case[] = { "case", reference, "limit", "2", NULL };
  g_auto(HavenReceiverAnswer) answer = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonArray *entries;

  for (guint i = 0; i < 3; i++)
    call (fixture, "caseworker", "GET", path, NULL, NULL, NULL, &answer);

  call (fixture, "caseworker", "GET", "/v1/audit", by_case, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  object = answer_object (&answer, parser);
  entries = json_object_get_array_member (object, "entries");
  g_assert_cmpuint (json_array_get_length (entries), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0),
                                                  "action"), ==, "read-case");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0),
                                                  "actor"), ==, fixture->caseworker);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0),
                                                  "remote"), ==, "192.0.2.7");
  g_assert_nonnull (json_object_get_string_member (object, "next"));
  g_assert_cmpuint (count_audit (fixture, fixture->caseworker, "read-audit", 200), ==, 1);
}

typedef struct {
  HavenReceiverStore *store;
  guint index;
} Appender;

#define N_APPENDERS 6
#define N_APPENDS 40

static gpointer
appender_thread (gpointer user_data)
{
  Appender *appender = user_data;

  for (guint i = 0; i < N_APPENDS; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (haven_receiver_store_append_audit (appender->store, "thread", "caseworker",
                                                        "read-case", NULL, "192.0.2.7", 200,
                                                        &error));
      g_assert_no_error (error);
    }

  return NULL;
}

/* Appends from many threads through two stores, as from two receivers:
 * the chain stays one line. Changed behind the store's back, it breaks
 * at that row. */
static void
test_chain (Fixture       *fixture,
            gconstpointer  user_data)
{
  gboolean postgresql = GPOINTER_TO_INT (user_data);
  g_autoptr(HavenReceiverStore) other = NULL;
  g_autoptr(GError) error = NULL;
  GThread *threads[N_APPENDERS];
  Appender appenders[N_APPENDERS];
  g_autofree char *middle = NULL;
  guint64 n_before = 0;
  guint64 n_rows = 0;
  gint64 bad_id = 0;

  g_assert_true (haven_receiver_store_verify_audit (fixture->store, &n_before, &bad_id, &error));
  other = haven_receiver_store_open (fixture->location, &error);
  g_assert_no_error (error);

  for (guint t = 0; t < N_APPENDERS; t++)
    {
      appenders[t].store = t % 2 == 0 ? fixture->store : other;
      appenders[t].index = t;
      threads[t] = g_thread_new ("appender", appender_thread, &appenders[t]);
    }
  for (guint t = 0; t < N_APPENDERS; t++)
    g_thread_join (threads[t]);

  g_assert_true (haven_receiver_store_verify_audit (other, &n_rows, &bad_id, &error));
  g_assert_cmpint (bad_id, ==, -1);
  g_assert_cmpuint (n_rows, ==, n_before + N_APPENDERS * N_APPENDS);
  g_test_message ("%u appends from %u threads through two stores: %" G_GUINT64_FORMAT
                  " rows, chain whole", N_APPENDERS * N_APPENDS, N_APPENDERS, n_rows);

  /* The triggers refuse a change... */
  middle = g_strdup_printf ("%" G_GUINT64_FORMAT, n_rows / 2);
  {
    const char * const params[] = { middle, NULL };
    g_autofree char *sql = g_strdup_printf (
      "UPDATE audit_log SET actor = 'mallory' WHERE id = %s", middle);

    /* ...so drop them first, as someone with the database's keys could. */
    if (postgresql)
      database_exec (fixture->location, "ALTER TABLE audit_log DISABLE TRIGGER USER", NULL);
    else
      database_exec (fixture->location, "DROP TRIGGER audit_log_no_update", NULL);
    database_exec (fixture->location, sql, NULL);
    if (postgresql)
      database_exec (fixture->location, "ALTER TABLE audit_log ENABLE TRIGGER USER", NULL);
    (void) params;
  }

  g_assert_true (haven_receiver_store_verify_audit (fixture->store, &n_rows, &bad_id, &error));
  g_assert_cmpint (bad_id, ==, (gint64) g_ascii_strtoll (middle, NULL, 10));

  /* PostgreSQL's log is shared by the other cases: put it right again. */
  if (postgresql)
    {
      g_autofree char *sql = g_strdup_printf (
        "UPDATE audit_log SET actor = 'thread' WHERE id = %s", middle);

      database_exec (fixture->location, "ALTER TABLE audit_log DISABLE TRIGGER USER", NULL);
      database_exec (fixture->location, sql, NULL);
      database_exec (fixture->location, "ALTER TABLE audit_log ENABLE TRIGGER USER", NULL);
      assert_chain_whole (fixture);
    }
}

/* Credentials are found by their token's digest, until revoked. */
static void
test_credentials (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autofree char *token = g_strdup_printf ("token-%s", fixture->caseworker);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  g_autofree char *role = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GPtrArray) credentials = NULL;
  g_autoptr(GError) error = NULL;
  gboolean revoked = FALSE;
  gboolean listed = FALSE;

  g_assert_true (haven_receiver_store_add_credential (fixture->store, fixture->caseworker,
                                                      "caseworker", digest, &error));
  g_assert_false (haven_receiver_store_add_credential (fixture->store, fixture->caseworker,
                                                       "kiosk", "00", &error));
  g_assert_error (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_DUPLICATE);
  g_clear_error (&error);

  g_assert_true (haven_receiver_store_find_credential (fixture->store, token, &role, &name,
                                                       &error));
  g_assert_cmpstr (role, ==, "caseworker");
  g_assert_cmpstr (name, ==, fixture->caseworker);
  g_clear_pointer (&role, g_free);
  g_clear_pointer (&name, g_free);

  credentials = haven_receiver_store_list_credentials (fixture->store, &error);
  for (guint i = 0; i < credentials->len; i++)
    {
      HavenReceiverCredential *credential = g_ptr_array_index (credentials, i);

      if (g_str_equal (credential->name, fixture->caseworker))
        {
          listed = TRUE;
          g_assert_null (credential->revoked_at);
        }
    }
  g_assert_true (listed);

  g_assert_true (haven_receiver_store_revoke_credential (fixture->store, fixture->caseworker,
                                                         &revoked, &error));
  g_assert_true (revoked);
  g_assert_true (haven_receiver_store_find_credential (fixture->store, token, &role, &name,
                                                       &error));
  g_assert_null (role);
  g_assert_null (name);
  g_assert_true (haven_receiver_store_revoke_credential (fixture->store, fixture->caseworker,
                                                         &revoked, &error));
  g_assert_false (revoked);
}

static void
test_no_postgresql (void)
{
  g_test_skip ("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): "
               "install postgresql to run the cases on it");
}

static void
add_cases (const char *base,
           gboolean    postgresql)
{
  const struct {
    const char *name;
    void (*func) (Fixture *, gconstpointer);
  } cases[] = {
    { "roles", test_roles },
    { "list", test_list },
    { "case-and-body", test_case_and_body },
    { "events", test_events },
    { "audit-read", test_audit_read },
    { "chain", test_chain },
    { "credentials", test_credentials },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s", base, cases[i].name);

      g_test_add (path, Fixture, GINT_TO_POINTER (postgresql), fixture_set_up, cases[i].func,
                  fixture_tear_down);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *pg_bindir = pg_cluster_find_bindir ();
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  work_dir = g_dir_make_tmp ("haven-receiver-cases-XXXXXX", &error);
  g_assert_no_error (error);

  add_cases ("/haven/receiver-cases-handler/sqlite", FALSE);
  if (pg_bindir != NULL)
    add_cases ("/haven/receiver-cases-handler/postgresql", TRUE);
  else
    g_test_add_func ("/haven/receiver-cases-handler/postgresql", test_no_postgresql);

  if (pg_bindir != NULL)
    pg_cluster = pg_cluster_start ();

  status = g_test_run ();

  g_clear_pointer (&pg_cluster, pg_cluster_stop);
  remove_tree (work_dir);
  g_clear_pointer (&work_dir, g_free);

  return status;
}
