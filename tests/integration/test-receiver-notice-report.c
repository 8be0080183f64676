/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receiver-notice-report"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "haven-notice-report.h"
#include "haven-receiver-cases.h"
#include "haven-receiver-store.h"
#include "pg-cluster.h"
#include "receiver-database.h"
#include "test-files.h"

/* The notice report on the receiver's side, on SQLite and on PostgreSQL
 * (a database of its own for each case): item outcomes that say where an
 * item is hosted, GET /v1/reports/notices counted against a known set of
 * cases figure by figure, its refusals and audit rows, `haven-receiver
 * notice-report`'s CSV byte for byte, and a database from before the
 * hosting provider, brought up to date. */

#define STALE_AFTER 30

static PgCluster *pg_cluster;
static char *work_dir;
static guint n_databases;

typedef struct {
  char *location;
  HavenReceiverStore *store;
  HavenReceiverCases *cases;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  gboolean postgresql = GPOINTER_TO_INT (user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("report_%u", ++n_databases);

  if (postgresql)
    {
      const char *uri = pg_cluster_get_uri (pg_cluster);
      g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", name);
      const char *slash = strrchr (uri, '/');

      /* Each case counts everything in its database: one of its own. */
      database_exec (uri, create, NULL);
      fixture->location = g_strdup_printf ("%.*s/%s", (int) (slash - uri), uri, name);
    }
  else
    {
      g_autofree char *file = g_strconcat (name, ".sqlite", NULL);

      fixture->location = g_build_filename (work_dir, file, NULL);
    }

  fixture->store = haven_receiver_store_open (fixture->location, &error);
  g_assert_no_error (error);
  fixture->cases = haven_receiver_cases_new (fixture->store);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->cases);
  g_clear_object (&fixture->store);
  g_free (fixture->location);
}

static gboolean
is_postgresql (Fixture *fixture)
{
  return database_is_uri (fixture->location);
}

/* Stores a submission as the server does, and returns its reference. */
static char *
add_case (Fixture          *fixture,
          HavenRequestKind  kind,
          const char       *category)
{
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *json = g_strdup_printf ("{\"request_id\":\"%s\"}", key);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_autofree char *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
  g_autofree char *answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) created_at = g_date_time_new_now_utc ();
  HavenRequestEnvelope envelope = {
    .kind = kind,
    .category = (char *) category,
    .locale = (char *) "fr",
    .kiosk_id = (char *) "station-12-lobby",
    .created_at = created_at,
  };
  HavenReceiverClaim claim;
  guint status = 0;
  char *reference;

  g_assert_true (haven_receiver_store_claim (fixture->store, "anonymous", key, kind, sha256,
                                             STALE_AFTER, &claim, &status, &answer, &error));
  g_assert_cmpint (claim, ==, HAVEN_RECEIVER_CLAIM_NEW);
  reference = g_strdup_printf ("HV-%04X-%04X", g_random_int_range (0, 0xffff),
                               g_random_int_range (0, 0xffff));
  g_assert_true (haven_receiver_store_accept (fixture->store, "anonymous", key, kind, body,
                                              FALSE, &envelope, reference, 201, "{}", &error));
  g_assert_no_error (error);
  return reference;
}

/* Calls the handler as a caseworker ("alice"), a kiosk, or with no
 * credential (@role NULL); @query is "name", "value", … */
static void
call (Fixture             *fixture,
      const char          *role,
      const char          *method,
      const char          *path,
      const char * const  *query,
      const char          *body,
      HavenReceiverAnswer *answer)
{
  g_autoptr(GHashTable) table = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GBytes) bytes = body != NULL ? g_bytes_new (body, strlen (body)) : NULL;
  g_autofree char *key = g_uuid_string_random ();
  HavenReceiverCall request = {
    .method = method,
    .path = path,
    .query = table,
    .body = bytes,
    .idempotency_key = key,
    .actor_name = role == NULL ? NULL : g_str_equal (role, "kiosk") ? "lobby-kiosk" : "alice",
    .actor_role = role,
    .credential_presented = role != NULL,
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

/* Posts an event and returns its id, or -1 when it was refused with
 * @expected_status. */
static gint64
post_event (Fixture    *fixture,
            const char *reference,
            const char *body,
            guint       expected_status)
{
  g_autofree char *path = g_strdup_printf ("/v1/cases/%s/events", reference);
  g_auto(HavenReceiverAnswer) answer = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  call (fixture, "caseworker", "POST", path, NULL, body, &answer);
  if (answer.status != expected_status)
    g_error ("%s: %u, not %u: %.*s", body, answer.status, expected_status,
             (int) g_bytes_get_size (answer.body),
             (const char *) g_bytes_get_data (answer.body, NULL));
  object = answer_object (&answer, parser);
  if (expected_status != 201)
    return -1;
  return json_object_get_int_member (object, "event_id");
}

/* Records item @item's @outcome (with @provider, if any) as if at @at,
 * "YYYY-MM-DDTHH:MM:SS.ffffffZ": posted through the API, then dated
 * behind its back, as the store would have at that time. */
static void
record (Fixture    *fixture,
        const char *reference,
        guint       item,
        const char *outcome,
        const char *provider,
        const char *at)
{
  g_autofree char *provider_member = provider != NULL
    ? g_strdup_printf (",\"hosting_provider\":\"%s\"", provider) : g_strdup ("");
  g_autofree char *body = g_strdup_printf ("{\"type\":\"item-outcome\",\"item\":%u,"
                                           "\"outcome\":\"%s\"%s}", item, outcome,
                                           provider_member);
  g_autofree char *id = NULL;
  gint64 event_id = post_event (fixture, reference, body, 201);

  id = g_strdup_printf ("%" G_GINT64_FORMAT, event_id);
  {
    const char * const params[] = { id, at, NULL };

    database_exec (fixture->location, "UPDATE case_events SET at = $2 WHERE id = $1", params);
  }
}

/* The known set: five removal cases and a report, with notices in 2026
 * and on both sides of it (the expected figures are in
 * test_counts()). Returns the references, for checking that none leaks. */
static GPtrArray *
record_known_set (Fixture *fixture)
{
  GPtrArray *references = g_ptr_array_new_with_free_func (g_free);
  char *a = add_case (fixture, HAVEN_REQUEST_KIND_REMOVAL, "intimate-images");
  char *b = add_case (fixture, HAVEN_REQUEST_KIND_REMOVAL, "harassment");
  char *c = add_case (fixture, HAVEN_REQUEST_KIND_REMOVAL, "impersonation");
  char *d = add_case (fixture, HAVEN_REQUEST_KIND_REMOVAL, "intimate-images");
  char *e = add_case (fixture, HAVEN_REQUEST_KIND_REMOVAL, "intimate-images");
  char *report = add_case (fixture, HAVEN_REQUEST_KIND_REPORT, "fraud");

  g_ptr_array_add (references, a);
  g_ptr_array_add (references, b);
  g_ptr_array_add (references, c);
  g_ptr_array_add (references, d);
  g_ptr_array_add (references, e);
  g_ptr_array_add (references, report);

  /* A: one notice to facebook whose two addresses got different
   * actions (one confirmed, then removed; one refused), and one to a
   * host the platforms table lacks. */
  record (fixture, a, 0, "notice-sent", "facebook", "2026-01-10T09:00:00.000000Z");
  record (fixture, a, 1, "notice-sent", "facebook", "2026-01-10T09:00:01.000000Z");
  record (fixture, a, 2, "notice-sent", "files.example.net", "2026-03-05T12:00:00.000000Z");
  record (fixture, a, 0, "receipt-confirmed", NULL, "2026-01-12T08:30:00.000000Z");
  record (fixture, a, 0, "removed", NULL, "2026-01-20T16:00:00.000000Z");
  record (fixture, a, 1, "refused", NULL, "2026-02-01T10:00:00.000000Z");

  /* B: a notice confirmed; another without a hosting provider, whose
   * latest outcome came after the range: it counts as it stands now. */
  record (fixture, b, 0, "notice-sent", "facebook", "2026-04-01T10:00:00.000000Z");
  record (fixture, b, 0, "receipt-confirmed", NULL, "2026-04-02T10:00:00.000000Z");
  record (fixture, b, 1, "notice-sent", NULL, "2026-04-03T10:00:00.000000Z");
  record (fixture, b, 1, "no-response", NULL, "2027-01-15T10:00:00.000000Z");

  /* C: a notice a microsecond before the range (removed within it), one
   * in its last microsecond, one a microsecond after it. */
  record (fixture, c, 0, "notice-sent", "youtube", "2025-12-31T23:59:59.999999Z");
  record (fixture, c, 0, "removed", NULL, "2026-01-05T10:00:00.000000Z");
  record (fixture, c, 1, "notice-sent", "youtube", "2026-12-31T23:59:59.999999Z");
  record (fixture, c, 2, "notice-sent", "youtube", "2027-01-01T00:00:00.000000Z");
  /* A notice sent again in 2026 after a first in 2025 counts in 2025. */
  record (fixture, c, 3, "notice-sent", "youtube", "2025-06-01T10:00:00.000000Z");
  record (fixture, c, 3, "notice-sent", "youtube", "2026-02-01T10:00:00.000000Z");

  /* D: a later outcome naming another host does not move the address;
   * an address never noticed does not count; one noticed twice counts
   * at its first notice's host, awaiting an answer. */
  record (fixture, d, 0, "notice-sent", "facebook", "2026-06-01T10:00:00.000000Z");
  record (fixture, d, 0, "withdrawn", "instagram", "2026-06-02T10:00:00.000000Z");
  record (fixture, d, 3, "receipt-confirmed", "facebook", "2026-06-03T10:00:00.000000Z");
  record (fixture, d, 4, "notice-sent", "x.com", "2026-05-01T10:00:00.000000Z");
  record (fixture, d, 4, "notice-sent", "twitter", "2026-07-01T10:00:00.000000Z");

  /* E: two addresses of one notice, both removed. */
  record (fixture, e, 0, "notice-sent", "facebook", "2026-08-01T10:00:00.000000Z");
  record (fixture, e, 1, "notice-sent", "facebook", "2026-08-01T10:00:00.000000Z");
  record (fixture, e, 0, "removed", NULL, "2026-08-03T10:00:00.000000Z");
  record (fixture, e, 1, "removed", NULL, "2026-08-04T10:00:00.000000Z");

  /* A report has no items: the API refuses an outcome for it, and one
   * written behind its back does not count either. */
  post_event (fixture, report, "{\"type\":\"item-outcome\",\"item\":0,"
              "\"outcome\":\"notice-sent\",\"hosting_provider\":\"facebook\"}", 422);
  {
    const char * const params[] = { report, NULL };

    database_exec (fixture->location,
                   "INSERT INTO case_events (case_reference, actor, idempotency_key, "
                   "request_sha256, type, item, outcome, hosting_provider, at) "
                   "VALUES ($1, 'mallory', 'behind-its-back', '00', 'item-outcome', 0, "
                   "'notice-sent', 'facebook', '2026-09-01T10:00:00.000000Z')", params);
  }

  return references;
}

/* What 2026 comes to, row by row, as the CSV says it. */
static const char expected_csv[] =
  "hosting_provider,category,action,notices,addresses\r\n"
  "facebook,harassment,receipt-confirmed,1,1\r\n"
  "facebook,intimate-images,refused,1,1\r\n"
  "facebook,intimate-images,removed,2,3\r\n"
  "facebook,intimate-images,withdrawn,1,1\r\n"
  "files.example.net,intimate-images,awaiting-answer,1,1\r\n"
  "unrecorded,harassment,no-response,1,1\r\n"
  "x.com,intimate-images,awaiting-answer,1,1\r\n"
  "youtube,impersonation,awaiting-answer,1,1\r\n";

/* GET /v1/reports/notices as a caseworker; the answer's bytes. */
static char *
fetch_report (Fixture    *fixture,
              const char *from,
              const char *to,
              guint       expected_status)
{
  const char * const query[] = { "from", from, "to", to, NULL };
  g_auto(HavenReceiverAnswer) answer = { 0, };

  call (fixture, "caseworker", "GET", "/v1/reports/notices", query, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, expected_status);
  g_assert_cmpstr (answer.content_type, ==, "application/json");
  return g_strndup (g_bytes_get_data (answer.body, NULL), g_bytes_get_size (answer.body));
}

static void
assert_count (GPtrArray  *counts,
              guint       index,
              const char *key,
              guint64     notices,
              guint64     addresses)
{
  HavenNoticeReportCount *count = g_ptr_array_index (counts, index);

  g_assert_cmpstr (count->key, ==, key);
  g_assert_cmpuint (count->notices, ==, notices);
  g_assert_cmpuint (count->addresses, ==, addresses);
}

/* Counted figure by figure: 10 addresses and 8 notices in 2026 (A's
 * facebook notice is in two rows, so the rows' notices add up to 9). */
static void
test_counts (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(GPtrArray) references = record_known_set (fixture);
  g_autofree char *json = fetch_report (fixture, "2026-01-01", "2026-12-31", 200);
  g_autoptr(HavenNoticeReport) report = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GPtrArray) categories = NULL;
  g_autoptr(GPtrArray) actions = NULL;
  g_autoptr(GBytes) csv = NULL;
  g_autoptr(GError) error = NULL;
  guint64 row_notices = 0;

  g_test_message ("%s", json);

  /* Nothing personal: no reference, caseworker, kiosk or time. */
  for (guint i = 0; i < references->len; i++)
    g_assert_null (strstr (json, g_ptr_array_index (references, i)));
  g_assert_null (strstr (json, "alice"));
  g_assert_null (strstr (json, "mallory"));
  g_assert_null (strstr (json, "station-12"));
  g_assert_null (strstr (json, "T09:00"));
  g_assert_null (strstr (json, "instagram"));
  g_assert_null (strstr (json, "twitter"));

  /* The desk's strict reader takes it. */
  report = haven_notice_report_new_from_json (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (haven_notice_report_get_from (report), ==, "2026-01-01");
  g_assert_cmpstr (haven_notice_report_get_to (report), ==, "2026-12-31");
  g_assert_cmpuint (haven_notice_report_get_notices (report), ==, 8);
  g_assert_cmpuint (haven_notice_report_get_addresses (report), ==, 10);
  g_assert_cmpuint (haven_notice_report_get_n_rows (report), ==, 8);
  for (guint i = 0; i < haven_notice_report_get_n_rows (report); i++)
    row_notices += haven_notice_report_get_row (report, i)->notices;
  g_assert_cmpuint (row_notices, ==, 9);

  csv = haven_notice_report_to_csv (report);
  g_assert_cmpmem (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv), expected_csv,
                   strlen (expected_csv));

  providers = haven_notice_report_count_by (report, HAVEN_NOTICE_REPORT_BY_PROVIDER);
  g_assert_cmpuint (providers->len, ==, 5);
  assert_count (providers, 0, "facebook", 4, 6);
  assert_count (providers, 1, "files.example.net", 1, 1);
  assert_count (providers, 2, "unrecorded", 1, 1);
  assert_count (providers, 3, "x.com", 1, 1);
  assert_count (providers, 4, "youtube", 1, 1);

  categories = haven_notice_report_count_by (report, HAVEN_NOTICE_REPORT_BY_CATEGORY);
  g_assert_cmpuint (categories->len, ==, 3);
  assert_count (categories, 0, "harassment", 2, 2);
  assert_count (categories, 1, "impersonation", 1, 1);
  assert_count (categories, 2, "intimate-images", 5, 7);

  actions = haven_notice_report_count_by (report, HAVEN_NOTICE_REPORT_BY_ACTION);
  g_assert_cmpuint (actions->len, ==, 6);
  assert_count (actions, 0, "awaiting-answer", 3, 3);
  assert_count (actions, 1, "no-response", 1, 1);
  assert_count (actions, 2, "receipt-confirmed", 1, 1);
  assert_count (actions, 3, "refused", 1, 1);
  assert_count (actions, 4, "removed", 2, 3);
  assert_count (actions, 5, "withdrawn", 1, 1);

  /* Either side of 2026: C's first address, removed since; its third;
   * its fourth, in June 2025; and a day with nothing. */
  {
    g_autofree char *before = fetch_report (fixture, "2025-12-31", "2025-12-31", 200);
    g_autofree char *june = fetch_report (fixture, "2025-06-01", "2025-06-30", 200);
    g_autofree char *after = fetch_report (fixture, "2027-01-01", "2027-12-31", 200);
    g_autofree char *none = fetch_report (fixture, "2026-01-02", "2026-01-02", 200);

    g_assert_cmpstr (before, ==,
                     "{\"from\":\"2025-12-31\",\"to\":\"2025-12-31\",\"notices\":1,"
                     "\"addresses\":1,\"rows\":[{\"hosting_provider\":\"youtube\","
                     "\"category\":\"impersonation\",\"action\":\"removed\",\"notices\":1,"
                     "\"addresses\":1}],\"totals\":{\"hosting_provider\":[{\"key\":\"youtube\","
                     "\"notices\":1,\"addresses\":1}],\"category\":[{\"key\":\"impersonation\","
                     "\"notices\":1,\"addresses\":1}],\"action\":[{\"key\":\"removed\","
                     "\"notices\":1,\"addresses\":1}]}}");
    g_assert_nonnull (strstr (after, "\"notices\":1,\"addresses\":1,\"rows\":[{"
                                     "\"hosting_provider\":\"youtube\",\"category\":"
                                     "\"impersonation\",\"action\":\"awaiting-answer\""));
    g_assert_nonnull (strstr (none, "\"notices\":0,\"addresses\":0,\"rows\":[]"));
    g_assert_nonnull (strstr (june, "\"notices\":1,\"addresses\":1,\"rows\":[{"
                                    "\"hosting_provider\":\"youtube\",\"category\":"
                                    "\"impersonation\",\"action\":\"awaiting-answer\""));
  }
}

static guint
count_report_audit (Fixture *fixture,
                    guint    status)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  entries = haven_receiver_store_list_audit (fixture->store, NULL, NULL, 0, 100000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      HavenReceiverAuditEntry *entry = g_ptr_array_index (entries, i);

      if (!g_str_equal (entry->action, "read-report"))
        continue;
      g_assert_null (entry->case_reference);
      if (entry->status == status)
        n++;
    }

  return n;
}

/* Both days, a day that is one, in order, at most 3660 days: 400
 * otherwise; a kiosk's credential 403, none 401; every one of them in the
 * audit log as read-report, without a case. */
static void
test_refusals (Fixture       *fixture,
               gconstpointer  user_data)
{
  const char * const only_from[] = { "from", "2026-01-01", NULL };
  const char * const only_to[] = { "to", "2026-12-31", NULL };
  const char * const empty_from[] = { "from", "", "to", "2026-12-31", NULL };
  const char * const unknown[] = { "from", "2026-01-01", "to", "2026-12-31", "kiosk", "x", NULL };
  const char * const good[] = { "from", "2026-01-01", "to", "2026-12-31", NULL };
  const char * const bad_ranges[][2] = {
    { "2026-1-1", "2026-12-31" },
    { "2026-01-01", "2026-02-30" },
    { "2026-01-01T00:00:00Z", "2026-12-31" },
    { "01/01/2026", "2026-12-31" },
    { "2026-12-31", "2026-01-01" },
    { "2016-01-01", "2026-01-08" },
  };
  g_auto(HavenReceiverAnswer) answer = { 0, };
  g_autoptr(GError) error = NULL;
  guint64 n_rows = 0;
  gint64 bad_id = 0;

  call (fixture, "caseworker", "GET", "/v1/reports/notices", only_from, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 400);
  call (fixture, "caseworker", "GET", "/v1/reports/notices", only_to, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 400);
  call (fixture, "caseworker", "GET", "/v1/reports/notices", empty_from, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 400);
  call (fixture, "caseworker", "GET", "/v1/reports/notices", NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 400);
  call (fixture, "caseworker", "GET", "/v1/reports/notices", unknown, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 400);
  for (guint i = 0; i < G_N_ELEMENTS (bad_ranges); i++)
    g_free (fetch_report (fixture, bad_ranges[i][0], bad_ranges[i][1], 400));

  /* 3660 days with both ends is the longest there can be. */
  g_free (fetch_report (fixture, "2016-01-01", "2026-01-07", 200));

  call (fixture, "kiosk", "GET", "/v1/reports/notices", good, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 403);
  call (fixture, NULL, "GET", "/v1/reports/notices", good, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 401);
  call (fixture, "caseworker", "POST", "/v1/reports/notices", good, "{}", &answer);
  g_assert_cmpuint (answer.status, ==, 405);

  /* A kiosk's submission path is not this one. */
  g_assert_false (haven_receiver_cases_owns_path ("/v1/reports"));
  g_assert_true (haven_receiver_cases_owns_path ("/v1/reports/notices"));

  g_assert_cmpuint (count_report_audit (fixture, 400), ==, 5 + G_N_ELEMENTS (bad_ranges));
  g_assert_cmpuint (count_report_audit (fixture, 200), ==, 1);
  g_assert_cmpuint (count_report_audit (fixture, 403), ==, 1);
  g_assert_cmpuint (count_report_audit (fixture, 401), ==, 1);
  g_assert_cmpuint (count_report_audit (fixture, 405), ==, 1);

  g_assert_true (haven_receiver_store_verify_audit (fixture->store, &n_rows, &bad_id, &error));
  g_assert_cmpint (bad_id, ==, -1);
}

/* hosting_provider: kept and shown when it is one, refused (and nothing
 * stored) when it is not; an event without it shows none. */
static void
test_hosting_provider (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autofree char *reference = add_case (fixture, HAVEN_REQUEST_KIND_REMOVAL, "harassment");
  g_autofree char *path = g_strdup_printf ("/v1/cases/%s", reference);
  g_autofree char *longest = g_strnfill (253, 'a');
  g_autofree char *too_long = g_strnfill (254, 'a');
  g_autofree char *longest_body = NULL;
  g_autofree char *too_long_body = NULL;
  const char * const refused[] = {
    "\"Facebook\"", "\"\"", "\"-facebook\"", "\"files_example.net\"", "\"example.net/p\"",
    "\"a b\"", "123", "null", "true", "[\"facebook\"]", "{}", "\"caf\\u00e9.fr\"",
  };
  g_auto(HavenReceiverAnswer) answer = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *events;
  JsonObject *event;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"type\":\"item-outcome\",\"item\":0,"
                                               "\"outcome\":\"notice-sent\","
                                               "\"hosting_provider\":%s}", refused[i]);

      post_event (fixture, reference, body, 400);
    }
  too_long_body = g_strdup_printf ("{\"type\":\"item-outcome\",\"item\":0,"
                                   "\"outcome\":\"notice-sent\",\"hosting_provider\":\"%s\"}",
                                   too_long);
  post_event (fixture, reference, too_long_body, 400);

  post_event (fixture, reference, "{\"type\":\"item-outcome\",\"item\":0,"
              "\"outcome\":\"notice-sent\",\"hosting_provider\":\"files.example.net\","
              "\"platform_reference\":\"T-1\"}", 201);
  post_event (fixture, reference, "{\"type\":\"item-outcome\",\"item\":0,"
              "\"outcome\":\"removed\"}", 201);
  longest_body = g_strdup_printf ("{\"type\":\"item-outcome\",\"item\":1,"
                                  "\"outcome\":\"notice-sent\",\"hosting_provider\":\"%s\"}",
                                  longest);
  post_event (fixture, reference, longest_body, 201);

  call (fixture, "caseworker", "GET", path, NULL, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  events = json_object_get_array_member (answer_object (&answer, parser), "events");
  g_assert_cmpuint (json_array_get_length (events), ==, 3);
  event = json_array_get_object_element (events, 0);
  g_assert_cmpstr (json_object_get_string_member (event, "hosting_provider"), ==,
                   "files.example.net");
  g_assert_cmpstr (json_object_get_string_member (event, "platform_reference"), ==, "T-1");
  g_assert_false (json_object_has_member (json_array_get_object_element (events, 1),
                                          "hosting_provider"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 2),
                                                  "hosting_provider"), ==, longest);
}

static const char *
require_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || value[0] == '\0')
    g_error ("%s is not set: run this test through `meson test`", name);
  return value;
}

/* Runs `haven-receiver notice-report` on the fixture's database with
 * @arguments; returns its exit status, its standard output as bytes and
 * its standard error. */
static int
run_cli (Fixture             *fixture,
         const char * const  *arguments,
         GBytes             **standard_output,
         char               **standard_error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (char *) require_env ("HAVEN_RECEIVER"));
  g_ptr_array_add (argv, (char *) "notice-report");
  g_ptr_array_add (argv, (char *) (is_postgresql (fixture) ? "--database" : "--db"));
  g_ptr_array_add (argv, fixture->location);
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) arguments[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate (process, NULL, NULL, standard_output, &err, &error);
  g_assert_no_error (error);
  /* An empty GBytes may hold no pointer at all. */
  *standard_error = g_strndup (g_bytes_get_size (err) > 0 ? g_bytes_get_data (err, NULL) : "",
                               g_bytes_get_size (err));

  return g_subprocess_get_exit_status (process);
}

/* The command line's CSV is the rows to the byte, its JSON the API's
 * answer; bad days are told apart and refused with status 2; reading is
 * audited as the operator. */
static void
test_cli (Fixture       *fixture,
          gconstpointer  user_data)
{
  g_autoptr(GPtrArray) references = record_known_set (fixture);
  g_autofree char *api_json = fetch_report (fixture, "2026-01-01", "2026-12-31", 200);
  g_autofree char *out_file = NULL;
  g_autofree char *operator = g_strdup_printf ("operator:%s", g_get_user_name ());
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint n_operator_rows = 0;

  {
    const char * const arguments[] = { "--from", "2026-01-01", "--to", "2026-12-31", NULL };
    g_autoptr(GBytes) out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run_cli (fixture, arguments, &out, &err), ==, 0);
    g_assert_cmpstr (err, ==, "");
    g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), expected_csv,
                     strlen (expected_csv));
  }

  {
    const char * const arguments[] = {
      "--from", "2026-01-01", "--to", "2026-12-31", "--format", "json", NULL
    };
    g_autoptr(GBytes) out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *expected = g_strconcat (api_json, "\n", NULL);

    g_assert_cmpint (run_cli (fixture, arguments, &out, &err), ==, 0);
    g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), expected,
                     strlen (expected));
  }

  out_file = g_build_filename (work_dir, "report.csv", NULL);
  {
    const char * const arguments[] = {
      "--from", "2026-01-01", "--to", "2026-12-31", "--output", out_file, NULL
    };
    g_autoptr(GBytes) out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *written = NULL;
    gsize length = 0;

    g_assert_cmpint (run_cli (fixture, arguments, &out, &err), ==, 0);
    g_assert_cmpuint (g_bytes_get_size (out), ==, 0);
    g_assert_true (g_file_get_contents (out_file, &written, &length, &error));
    g_assert_cmpmem (written, length, expected_csv, strlen (expected_csv));
  }

  /* Mistakes: each says what is wrong, and nothing is read. */
  {
    const struct {
      const char *from;
      const char *to;
      const char *says;
    } mistakes[] = {
      { "2026-1-01", "2026-12-31", "“2026-1-01” is not a day written as YYYY-MM-DD" },
      { "2026-01-01", "2026-02-30", "“2026-02-30” is not a day" },
      { "2026-12-31", "2026-01-01", "The range ends on 2026-01-01, before it starts on "
                                    "2026-12-31" },
      { "2016-01-01", "2026-01-08", "The range is 3661 days long; a report covers at most "
                                    "3660 days" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (mistakes); i++)
      {
        const char * const arguments[] = {
          "--from", mistakes[i].from, "--to", mistakes[i].to, NULL
        };
        g_autoptr(GBytes) out = NULL;
        g_autofree char *err = NULL;

        g_assert_cmpint (run_cli (fixture, arguments, &out, &err), ==, 2);
        g_test_message ("%s", err);
        g_assert_nonnull (strstr (err, mistakes[i].says));
        g_assert_cmpuint (g_bytes_get_size (out), ==, 0);
      }
  }

  {
    const char * const no_to[] = { "--from", "2026-01-01", NULL };
    const char * const xml[] = {
      "--from", "2026-01-01", "--to", "2026-12-31", "--format", "xml", NULL
    };
    g_autoptr(GBytes) out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run_cli (fixture, no_to, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--from and --to are required"));
    g_clear_pointer (&out, g_bytes_unref);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (fixture, xml, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--format takes csv or json"));
  }

  /* Three reports read: three rows by the operator, none for mistakes. */
  entries = haven_receiver_store_list_audit (fixture->store, NULL, operator, 0, 1000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      HavenReceiverAuditEntry *entry = g_ptr_array_index (entries, i);

      g_assert_cmpstr (entry->action, ==, "read-report");
      g_assert_cmpstr (entry->role, ==, "operator");
      g_assert_cmpstr (entry->remote, ==, "local");
      g_assert_null (entry->case_reference);
      g_assert_cmpuint (entry->status, ==, 0);
      n_operator_rows++;
    }
  g_assert_cmpuint (n_operator_rows, ==, 3);
}

/* A database from before the hosting provider (SQLite schema 6,
 * PostgreSQL 3) with a notice in it: brought up to date when opened, its
 * notice counted as unrecorded, and new outcomes keep their provider. */
static void
test_upgrade (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autofree char *reference = add_case (fixture, HAVEN_REQUEST_KIND_REMOVAL, "fraud");
  g_autofree char *json = NULL;
  g_autofree char *version = NULL;
  g_autoptr(GError) error = NULL;
  gboolean postgresql = is_postgresql (fixture);

  g_clear_object (&fixture->cases);
  g_clear_object (&fixture->store);
  database_exec (fixture->location, "ALTER TABLE case_events DROP COLUMN hosting_provider",
                 NULL);
  database_exec (fixture->location, postgresql ? "UPDATE schema_version SET version = 3"
                                               : "PRAGMA user_version = 6", NULL);
  {
    const char * const params[] = { reference, NULL };

    database_exec (fixture->location,
                   "INSERT INTO case_events (case_reference, actor, idempotency_key, "
                   "request_sha256, type, item, outcome, at) "
                   "VALUES ($1, 'alice', 'before-the-upgrade', '00', 'item-outcome', 0, "
                   "'notice-sent', '2026-02-01T10:00:00.000000Z')", params);
  }

  fixture->store = haven_receiver_store_open (fixture->location, &error);
  g_assert_no_error (error);
  fixture->cases = haven_receiver_cases_new (fixture->store);
  version = database_query_text (fixture->location,
                                 postgresql ? "SELECT version::text FROM schema_version"
                                            : "PRAGMA user_version", NULL);
  g_assert_cmpstr (version, ==, postgresql ? "4" : "7");

  record (fixture, reference, 1, "notice-sent", "facebook", "2026-02-02T10:00:00.000000Z");
  json = fetch_report (fixture, "2026-01-01", "2026-12-31", 200);
  g_assert_nonnull (strstr (json, "\"notices\":2,\"addresses\":2,\"rows\":["
                                  "{\"hosting_provider\":\"facebook\",\"category\":\"fraud\","
                                  "\"action\":\"awaiting-answer\",\"notices\":1,\"addresses\":1},"
                                  "{\"hosting_provider\":\"unrecorded\",\"category\":\"fraud\","
                                  "\"action\":\"awaiting-answer\",\"notices\":1,"
                                  "\"addresses\":1}]"));

  /* Opened again, nothing more to do. */
  g_clear_object (&fixture->cases);
  g_clear_object (&fixture->store);
  fixture->store = haven_receiver_store_open (fixture->location, &error);
  g_assert_no_error (error);
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
    { "counts", test_counts },
    { "refusals", test_refusals },
    { "hosting-provider", test_hosting_provider },
    { "cli", test_cli },
    { "upgrade", test_upgrade },
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

  work_dir = g_dir_make_tmp ("haven-receiver-notice-report-XXXXXX", &error);
  g_assert_no_error (error);

  add_cases ("/haven/receiver-notice-report/sqlite", FALSE);
  if (pg_bindir != NULL)
    add_cases ("/haven/receiver-notice-report/postgresql", TRUE);
  else
    g_test_add_func ("/haven/receiver-notice-report/postgresql", test_no_postgresql);

  if (pg_bindir != NULL)
    pg_cluster = pg_cluster_start ();

  status = g_test_run ();

  g_clear_pointer (&pg_cluster, pg_cluster_stop);
  remove_tree (work_dir);
  g_clear_pointer (&work_dir, g_free);

  return status;
}
