/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receiver-kiosks-retention"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>
#include <libsoup/soup.h>

#include "haven-receiver-fleet.h"
#include "haven-receiver-retention-cli.h"
#include "haven-receiver-store.h"
#include "pg-cluster.h"
#include "receiver-database.h"
#include "receiver-process.h"
#include "test-files.h"

/* Fleet status and retention, on SQLite and on PostgreSQL: kiosks'
 * reports recorded (the latest wins) and listed with the silent and the
 * backed-up flagged; hostile reports refused with 400 or 413 and nothing
 * stored; bodies of closed cases destroyed after the closed bound and of
 * any case after the longest one, leaving the case and an audit row, and
 * on SQLite leaving no trace of the bytes in the file; `haven-receiver
 * retention run`; and a receiver process that takes a report over HTTPS
 * and lists it. */

#define DAY (24 * 3600)
#define STALE_AFTER 30

static PgCluster *pg_cluster;
static guint n_databases;

static char *
new_location (gboolean postgresql)
{
  g_autofree char *name = NULL;

  if (postgresql)
    return g_strdup (pg_cluster_get_uri (pg_cluster));

  name = g_strdup_printf ("store-%u.sqlite", ++n_databases);
  return work_path (name);
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

/* Every case on PostgreSQL shares one database: each starts from empty
 * tables, but for the audit log, which refuses to be emptied: the cases
 * give their requests references of their own. */
static void
empty_tables (const char *location)
{
  if (database_is_uri (location))
    database_exec (location, "TRUNCATE requests, idempotency_keys, kiosk_status, case_events",
                   NULL);
}

static char *
make_report (const char *kiosk_id,
             guint       queued)
{
  return g_strdup_printf ("{\"kiosk_id\":\"%s\",\"version\":\"0.1.0\","
                          "\"reported_at\":\"2026-11-27T10:20:00Z\","
                          "\"outbox\":{\"queued\":%u,\"sending\":0,\"delivered\":14,"
                          "\"failed\":1},"
                          "\"directory_version\":\"2026-11-20T08:00:00Z\","
                          "\"content_version\":\"e0f08ccfbacf\","
                          "\"last_error\":{\"status\":503,\"at\":\"2026-11-27T10:19:30Z\"}}",
                          kiosk_id, queued);
}

static const HavenReceiverKiosk *
find_kiosk (GPtrArray  *kiosks,
            const char *kiosk_id)
{
  for (guint i = 0; i < kiosks->len; i++)
    {
      const HavenReceiverKiosk *kiosk = g_ptr_array_index (kiosks, i);

      if (g_str_equal (kiosk->kiosk_id, kiosk_id))
        return kiosk;
    }

  return NULL;
}

/* Fleet status: the store ------------------------------------------------- */

static void
test_status_store (gconstpointer user_data)
{
  g_autofree char *location = new_location (GPOINTER_TO_INT (user_data));
  g_autoptr(HavenReceiverStore) store = open_store (location);
  g_autoptr(HavenReceiverStore) other = open_store (location);
  g_autoptr(GPtrArray) kiosks = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lobby_1 = make_report ("lobby", 2);
  g_autofree char *lobby_2 = make_report ("lobby", 3);
  g_autofree char *lobby_old = make_report ("lobby", 99);
  g_autofree char *library = make_report ("library", 50);
  const HavenReceiverKiosk *kiosk;
  gint64 now = 1796640000;

  empty_tables (location);

  g_assert_true (haven_receiver_store_record_kiosk_status (store, "lobby", lobby_1, 2, now - 600,
                                                           "token:a", &error));
  g_assert_no_error (error);
  /* From another instance: the latest wins… */
  g_assert_true (haven_receiver_store_record_kiosk_status (other, "lobby", lobby_2, 3, now - 60,
                                                           "token:b", &error));
  /* …also over one stored after it that is older. */
  g_assert_true (haven_receiver_store_record_kiosk_status (store, "lobby", lobby_old, 99,
                                                           now - 300, "token:c", &error));
  /* Silent for 2,000 s, and backed up. */
  g_assert_true (haven_receiver_store_record_kiosk_status (store, "library", library, 50,
                                                           now - 2000, "cert:library", &error));
  g_assert_no_error (error);

  kiosks = haven_receiver_store_list_kiosks (other, now, 900, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kiosks->len, ==, 2);

  kiosk = find_kiosk (kiosks, "lobby");
  g_assert_nonnull (kiosk);
  g_assert_cmpstr (kiosk->report, ==, lobby_2);
  g_assert_cmpint (kiosk->queued, ==, 3);
  g_assert_cmpint (kiosk->received_at, ==, now - 60);
  g_assert_cmpstr (kiosk->received_from, ==, "token:b");
  g_assert_false (kiosk->silent);
  g_assert_false (kiosk->backed_up);

  kiosk = find_kiosk (kiosks, "library");
  g_assert_nonnull (kiosk);
  g_assert_true (kiosk->silent);
  g_assert_true (kiosk->backed_up);
  g_assert_cmpstr (kiosk->received_from, ==, "cert:library");

  /* Other bounds, other flags. */
  g_clear_pointer (&kiosks, g_ptr_array_unref);
  kiosks = haven_receiver_store_list_kiosks (store, now, 3600, 50, &error);
  g_assert_no_error (error);
  kiosk = find_kiosk (kiosks, "library");
  g_assert_false (kiosk->silent);
  g_assert_false (kiosk->backed_up);
  kiosk = find_kiosk (kiosks, "lobby");
  g_assert_false (kiosk->silent);
  g_assert_true (haven_receiver_store_list_kiosks (store, now, 30, 2, &error) != NULL);
}

/* Fleet status: the handler ----------------------------------------------- */

/* With @role NULL: a kiosk's credential for a report, a caseworker's for
 * the listing. */
static guint
call_fleet_as (HavenReceiverFleet  *fleet,
               const char          *role,
               const char          *method,
               const char          *path,
               GHashTable          *query,
               const char          *body,
               gssize               length,
               char               **answer_body)
{
  g_auto(HavenReceiverAnswer) answer = { 0, };
  g_autoptr(GBytes) bytes = NULL;
  HavenReceiverCall call = { 0, };

  if (body != NULL)
    bytes = g_bytes_new (body, length >= 0 ? (gsize) length : strlen (body));

  if (role == NULL)
    role = g_str_equal (path, HAVEN_RECEIVER_FLEET_KIOSKS_PATH) ? "caseworker" : "kiosk";

  call.method = method;
  call.path = path;
  call.query = query;
  call.body = bytes;
  call.actor_name = g_str_equal (role, "none") ? NULL
                    : g_str_equal (role, "kiosk") ? "kiosk-1" : "desk-1";
  call.actor_role = g_str_equal (role, "none") ? NULL : role;
  call.remote_address = "127.0.0.1:40000";

  g_assert_true (haven_receiver_fleet_handle (fleet, &call, &answer));

  if (answer_body != NULL)
    *answer_body = answer.body != NULL ? g_strndup (g_bytes_get_data (answer.body, NULL),
                                                    g_bytes_get_size (answer.body))
                                       : NULL;
  return answer.status;
}

static guint
call_fleet (HavenReceiverFleet  *fleet,
            const char          *method,
            const char          *path,
            GHashTable          *query,
            const char          *body,
            gssize               length,
            char               **answer_body)
{
  return call_fleet_as (fleet, NULL, method, path, query, body, length, answer_body);
}

static guint
post_status (HavenReceiverFleet *fleet,
             const char         *body)
{
  g_autofree char *answer = NULL;
  guint status = call_fleet (fleet, "POST", HAVEN_RECEIVER_FLEET_STATUS_PATH, NULL, body, -1,
                             &answer);

  g_test_message ("POST %.60s… → %u %s", body, status, answer != NULL ? answer : "");
  return status;
}

static JsonObject *
get_kiosks (HavenReceiverFleet *fleet,
            JsonParser         *parser,
            const char         *silent_after,
            const char         *backed_up_over)
{
  g_autoptr(GHashTable) query = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *answer = NULL;
  g_autoptr(GError) error = NULL;

  if (silent_after != NULL)
    g_hash_table_insert (query, (char *) "silent_after", (char *) silent_after);
  if (backed_up_over != NULL)
    g_hash_table_insert (query, (char *) "backed_up_over", (char *) backed_up_over);

  g_assert_cmpuint (call_fleet (fleet, "GET", HAVEN_RECEIVER_FLEET_KIOSKS_PATH, query, NULL, 0,
                                &answer), ==, 200);
  json_parser_load_from_data (parser, answer, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static char *
replace (const char *text,
         const char *old,
         const char *new)
{
  g_auto(GStrv) parts = g_strsplit (text, old, 2);

  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  return g_strjoin (new, parts[0], parts[1], NULL);
}

static void
test_status_handler (gconstpointer user_data)
{
  g_autofree char *location = new_location (GPOINTER_TO_INT (user_data));
  g_autoptr(HavenReceiverStore) store = open_store (location);
  g_autoptr(HavenReceiverFleet) fleet = haven_receiver_fleet_new (store);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) kiosks = NULL;
  g_autofree char *good = make_report ("station-12-lobby", 12);
  g_autofree char *answer = NULL;
  g_autofree char *audit_before = NULL;
  g_autoptr(GString) big = NULL;
  g_autoptr(GString) deep = NULL;
  JsonObject *listing;
  JsonObject *entry;
  JsonArray *array;
  /* Each refused with 400, and nothing stored. */
  const struct {
    const char *old;
    const char *new;
  } hostile[] = {
    /* Unknown members, at the top and in the outbox. */
    { "\"version\"", "\"visitor_text\":\"help\",\"version\"" },
    { "\"failed\":1", "\"failed\":1,\"category\":\"harassment\"" },
    /* Wrong types. */
    { "\"queued\":12", "\"queued\":\"12\"" },
    { "\"queued\":12", "\"queued\":12.0" },
    { "\"queued\":12", "\"queued\":-1" },
    { "\"kiosk_id\":\"station-12-lobby\"", "\"kiosk_id\":12" },
    { "\"kiosk_id\":\"station-12-lobby\"", "\"kiosk_id\":\"\"" },
    { "\"kiosk_id\":\"station-12-lobby\"", "\"kiosk_id\":\"a\\nb\"" },
    { "\"kiosk_id\":\"station-12-lobby\"", "\"kiosk_id\":null" },
    { "\"reported_at\":\"2026-11-27T10:20:00Z\"", "\"reported_at\":\"yesterday\"" },
    { "\"reported_at\":\"2026-11-27T10:20:00Z\"", "\"reported_at\":\"2026-11-27T10:20:00\"" },
    { "\"content_version\":\"e0f08ccfbacf\"", "\"content_version\":[\"e0f08ccfbacf\"]" },
    { "\"status\":503", "\"status\":700" },
    { "\"status\":503", "\"status\":42" },
    { "\"status\":503,", "" },
    { "\"outbox\":{", "\"outbox\":[{" },
    /* A missing member. */
    { "\"directory_version\":\"2026-11-20T08:00:00Z\",", "" },
    /* A bundle's state in anything but the API's words. */
    { "\"last_error\"", "\"bundle\":{\"version\":\"2\",\"pending\":null,\"checked_at\":null,"
      "\"error\":\"The bundle /home/x is not signed\",\"directory_out_of_date\":false},"
      "\"last_error\"" },
    { "\"last_error\"", "\"bundle\":{\"version\":\"2\",\"pending\":null,\"checked_at\":null,"
      "\"error\":null,\"directory_out_of_date\":false,\"visitor\":1},\"last_error\"" },
    { "\"last_error\"", "\"bundle\":{\"version\":\"2\",\"pending\":null,\"checked_at\":null,"
      "\"error\":null,\"directory_out_of_date\":\"no\"},\"last_error\"" },
    { "\"last_error\"", "\"bundle\":[],\"last_error\"" },
    /* Not JSON at all, or not an object. */
    { "{\"kiosk_id\"", "[{\"kiosk_id\"" },
    { "}}", "}" },
  };

  empty_tables (location);
  audit_before = database_query_text (location, "SELECT CAST (coalesce (max (id), 0) AS TEXT) "
                                                "FROM audit_log", NULL);

  /* Accepted; listed as the kiosk sent it. */
  g_assert_cmpuint (post_status (fleet, good), ==, 204);
  listing = get_kiosks (fleet, parser, NULL, NULL);
  g_assert_cmpint (json_object_get_int_member (listing, "silent_after"), ==,
                   HAVEN_RECEIVER_FLEET_DEFAULT_SILENT_AFTER);
  array = json_object_get_array_member (listing, "kiosks");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  entry = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "kiosk_id"), ==, "station-12-lobby");
  g_assert_cmpstr (json_object_get_string_member (entry, "received_from"), ==, "kiosk-1");
  g_assert_false (json_object_get_boolean_member (entry, "silent"));
  g_assert_true (json_object_get_boolean_member (entry, "backed_up"));
  g_assert_cmpint (json_object_get_int_member (
                     json_object_get_object_member (
                       json_object_get_object_member (entry, "report"), "outbox"),
                     "queued"), ==, 12);

  listing = get_kiosks (fleet, parser, "60", "12");
  entry = json_array_get_object_element (json_object_get_array_member (listing, "kiosks"), 0);
  g_assert_false (json_object_get_boolean_member (entry, "backed_up"));

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autofree char *body = replace (good, hostile[i].old, hostile[i].new);

      g_assert_cmpuint (post_status (fleet, body), ==, 400);
    }

  /* A kiosk that takes bundles says how they fare. */
  {
    g_autofree char *with_bundle = replace (good, "\"last_error\"",
                                            "\"bundle\":{\"version\":\"20261207120000\","
                                            "\"pending\":null,"
                                            "\"checked_at\":\"2026-11-27T10:00:00Z\","
                                            "\"error\":\"signature\","
                                            "\"directory_out_of_date\":true},\"last_error\"");

    g_assert_cmpuint (post_status (fleet, with_bundle), ==, 204);
    /* The latest report wins: the one the rest of the test reads. */
    g_assert_cmpuint (post_status (fleet, good), ==, 204);
  }

  /* Empty, NUL inside, too big, too deep. */
  g_assert_cmpuint (call_fleet (fleet, "POST", HAVEN_RECEIVER_FLEET_STATUS_PATH, NULL, NULL, 0,
                                NULL), ==, 400);
  g_assert_cmpuint (call_fleet (fleet, "POST", HAVEN_RECEIVER_FLEET_STATUS_PATH, NULL,
                                "{\"kiosk_id\":\"a\0\"}", 17, NULL), ==, 400);
  big = g_string_new (good);
  g_string_truncate (big, big->len - 1);
  g_string_append (big, ",\"padding\":\"");
  while (big->len < HAVEN_RECEIVER_FLEET_MAX_BODY)
    g_string_append_c (big, 'x');
  g_string_append (big, "\"}");
  g_assert_cmpuint (post_status (fleet, big->str), ==, 413);
  deep = g_string_new ("{\"kiosk_id\":\"deep\",\"outbox\":");
  for (guint i = 0; i < 1000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 1000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  g_assert_cmpuint (deep->len, <=, HAVEN_RECEIVER_FLEET_MAX_BODY);
  g_assert_cmpuint (post_status (fleet, deep->str), ==, 400);

  kiosks = haven_receiver_store_list_kiosks (store, g_get_real_time () / G_USEC_PER_SEC, 900, 10,
                                             &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kiosks->len, ==, 1);
  /* Had one of them been taken, it would be the latest. */
  g_assert_cmpstr (((HavenReceiverKiosk *) g_ptr_array_index (kiosks, 0))->report, ==, good);

  /* Roles: a report is a kiosk's, the listing a caseworker's. */
  g_assert_cmpuint (call_fleet_as (fleet, "caseworker", "POST", HAVEN_RECEIVER_FLEET_STATUS_PATH,
                                   NULL, good, -1, NULL), ==, 403);
  g_assert_cmpuint (call_fleet_as (fleet, "none", "POST", HAVEN_RECEIVER_FLEET_STATUS_PATH,
                                   NULL, good, -1, NULL), ==, 401);
  g_assert_cmpuint (call_fleet_as (fleet, "kiosk", "GET", HAVEN_RECEIVER_FLEET_KIOSKS_PATH,
                                   NULL, NULL, 0, NULL), ==, 403);
  g_assert_cmpuint (call_fleet_as (fleet, "none", "GET", HAVEN_RECEIVER_FLEET_KIOSKS_PATH,
                                   NULL, NULL, 0, NULL), ==, 401);

  /* Every listing, and every refused one, is in the audit log. */
  {
    const char * const params[] = { audit_before, NULL };
    g_autofree char *listings = database_query_text (
      location, "SELECT CAST (count(*) AS TEXT) FROM audit_log WHERE action = 'list-kiosks' "
                "AND remote = '127.0.0.1:40000' AND id > CAST ($1 AS INTEGER)", params);
    g_autofree char *answered = database_query_text (
      location, "SELECT CAST (count(*) AS TEXT) FROM audit_log WHERE action = 'list-kiosks' "
                "AND actor = 'desk-1' AND role = 'caseworker' AND status = 200 "
                "AND id > CAST ($1 AS INTEGER)", params);

    g_test_message ("audit rows of the listings: %s, answered 200: %s", listings, answered);
    g_assert_cmpstr (listings, ==, "4");
    g_assert_cmpstr (answered, ==, "2");
  }

  /* Methods and queries. */
  g_assert_cmpuint (call_fleet (fleet, "GET", HAVEN_RECEIVER_FLEET_STATUS_PATH, NULL, NULL, 0,
                                NULL), ==, 405);
  g_assert_cmpuint (call_fleet (fleet, "POST", HAVEN_RECEIVER_FLEET_KIOSKS_PATH, NULL, good, -1,
                                NULL), ==, 405);
  {
    g_autoptr(GHashTable) query = g_hash_table_new (g_str_hash, g_str_equal);

    g_hash_table_insert (query, (char *) "silent_after", (char *) "-5");
    g_assert_cmpuint (call_fleet (fleet, "GET", HAVEN_RECEIVER_FLEET_KIOSKS_PATH, query, NULL,
                                  0, &answer), ==, 400);
    g_hash_table_remove_all (query);
    g_hash_table_insert (query, (char *) "kiosk_id", (char *) "x");
    g_assert_cmpuint (call_fleet (fleet, "GET", HAVEN_RECEIVER_FLEET_KIOSKS_PATH, query, NULL,
                                  0, NULL), ==, 400);
  }
}

/* Retention ---------------------------------------------------------------- */

typedef struct {
  const char *name;
  /* Days before now. */
  int received_days;
  /* -1: not closed. */
  int closed_days;
  gboolean destroyed;
  const char *reason;
} RetentionCase;

static const RetentionCase retention_cases[] = {
  { "closed-91", 120, 91, TRUE, "destroy-body:closed-90-days" },
  { "closed-89", 120, 89, FALSE, NULL },
  { "open-366", 366, -1, TRUE, "destroy-body:received-365-days" },
  { "open-364", 364, -1, FALSE, NULL },
  /* Due for both: recorded as closed. */
  { "closed-400", 500, 400, TRUE, "destroy-body:closed-90-days" },
};

#define NOW_TEXT "2026-12-07T12:00:00Z"

/* Which store_retention_cases() call made the cases, for their references. */
static guint retention_set;

static char *
reference_for (guint i)
{
  return g_strdup_printf ("HV-R%u-%u-%s", retention_set, i, retention_cases[i].name);
}

static char *
marker_for (const char *name)
{
  return g_strdup_printf ("MARKER-%s-7f3a", name);
}

static char *
iso_days_before (gint64 now,
                 int    days)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (now - (gint64) days * DAY);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

/* Stores the retention cases as a receiver would, then dates them. Bodies
 * are large enough for SQLite's overflow pages, where a body mostly lies. */
static void
store_retention_cases (HavenReceiverStore *store,
                       const char         *location,
                       gint64              now)
{
  retention_set++;

  for (guint i = 0; i < G_N_ELEMENTS (retention_cases); i++)
    {
      const RetentionCase *c = &retention_cases[i];
      g_autofree char *key = g_uuid_string_random ();
      g_autofree char *marker = marker_for (c->name);
      g_autoptr(GString) json = g_string_new (NULL);
      g_autoptr(GBytes) body = NULL;
      g_autofree char *sha256 = NULL;
      g_autofree char *reference = reference_for (i);
      g_autofree char *received_at = iso_days_before (now, c->received_days);
      g_autofree char *closed_at = c->closed_days >= 0 ? iso_days_before (now, c->closed_days)
                                                       : NULL;
      g_autoptr(GError) error = NULL;
      HavenRequestEnvelope envelope = { 0, };
      HavenReceiverClaim claim;
      guint status;
      char *answer = NULL;

      g_string_printf (json, "{\"request_id\":\"%s\",\"text\":\"%s ", key, marker);
      while (json->len < 6000)
        g_string_append (json, "padding ");
      g_string_append_printf (json, "%s\"}", marker);
      body = g_string_free_to_bytes (g_steal_pointer (&json));
      sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);

      envelope.kiosk_id = (char *) "station-12-lobby";
      envelope.category = (char *) "harassment";
      envelope.locale = (char *) "fr";

      g_assert_true (haven_receiver_store_claim (store, "anonymous", key,
                                                 HAVEN_REQUEST_KIND_REMOVAL, sha256, STALE_AFTER,
                                                 &claim, &status, &answer, &error));
      g_assert_no_error (error);
      g_assert_cmpint (claim, ==, HAVEN_RECEIVER_CLAIM_NEW);
      g_assert_true (haven_receiver_store_accept (store, "anonymous", key,
                                                  HAVEN_REQUEST_KIND_REMOVAL, body, FALSE,
                                                  &envelope, reference, 201, "{}", &error));
      g_assert_no_error (error);

      {
        const char * const params[] = { reference, received_at, NULL };

        database_exec (location, "UPDATE requests SET received_at = $2 "
                                 "WHERE case_reference = $1", params);
      }
      if (closed_at != NULL)
        {
          const char * const params[] = { reference, closed_at, NULL };

          database_exec (location, "UPDATE requests SET state = 'closed', closed_at = $2 "
                                   "WHERE case_reference = $1", params);
        }
    }
}

static void
check_retention_cases (const char *location)
{
  for (guint i = 0; i < G_N_ELEMENTS (retention_cases); i++)
    {
      const RetentionCase *c = &retention_cases[i];
      g_autofree char *reference = reference_for (i);
      const char * const params[] = { reference, NULL };
      g_autofree char *body = database_query_text (
        location, "SELECT CASE WHEN body IS NULL THEN 'destroyed' ELSE 'kept' END "
                  "FROM requests WHERE case_reference = $1", params);
      g_autofree char *destroyed_at = database_query_text (
        location, "SELECT CASE WHEN body_destroyed_at IS NULL THEN 'no' ELSE 'yes' END "
                  "FROM requests WHERE case_reference = $1", params);
      g_autofree char *metadata = database_query_text (
        location, "SELECT kind || ' ' || kiosk_id || ' ' || category || ' ' || locale "
                  "FROM requests WHERE case_reference = $1", params);
      g_autofree char *audit = database_query_text (
        location, "SELECT count(*) || ' ' || coalesce (max (action), '-') || ' ' || "
                  "coalesce (max (actor), '-') || ' ' || coalesce (max (role), '-') || ' ' || "
                  "coalesce (max (remote), '-') FROM audit_log WHERE case_reference = $1",
        params);
      g_autofree char *expected_audit = c->destroyed
        ? g_strdup_printf ("1 %s retention operator local", c->reason)
        : g_strdup ("0 - - - -");

      g_test_message ("%s: body %s, audit “%s”", c->name, body, audit);
      g_assert_cmpstr (body, ==, c->destroyed ? "destroyed" : "kept");
      g_assert_cmpstr (destroyed_at, ==, c->destroyed ? "yes" : "no");
      g_assert_cmpstr (metadata, ==, "removal station-12-lobby harassment fr");
      g_assert_cmpstr (audit, ==, expected_audit);
    }
}

/* Whether @marker is anywhere in the SQLite file or its companions. */
static gboolean
sqlite_files_contain (const char *path,
                      const char *marker)
{
  const char * const suffixes[] = { "", "-wal", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      if (g_file_test (file, G_FILE_TEST_EXISTS) && file_contains (file, marker))
        return TRUE;
    }

  return FALSE;
}

static void
test_retention_store (gconstpointer user_data)
{
  gboolean postgresql = GPOINTER_TO_INT (user_data);
  g_autofree char *location = new_location (postgresql);
  g_autoptr(HavenReceiverStore) store = open_store (location);
  g_autoptr(GDateTime) now_time = g_date_time_new_from_iso8601 (NOW_TEXT, NULL);
  gint64 now = g_date_time_to_unix (now_time);
  g_autoptr(GError) error = NULL;
  g_auto(HavenReceiverRetention) retention = { 0, };

  empty_tables (location);
  store_retention_cases (store, location, now);

  if (!postgresql)
    {
      g_autofree char *marker = marker_for ("closed-91");

      /* The grep below would see them, were they there. */
      g_assert_true (sqlite_files_contain (location, marker));
    }

  g_assert_true (haven_receiver_retention_run (store, now, 90, 365, &retention, &error));
  g_assert_no_error (error);
  g_test_message ("destroyed: %u closed, %u past the longest bound", retention.n_closed,
                  retention.n_expired);
  g_assert_false (retention.skipped);
  g_assert_cmpuint (retention.n_closed, ==, 2);
  g_assert_cmpuint (retention.n_expired, ==, 1);
  check_retention_cases (location);

  if (!postgresql)
    {
      for (guint i = 0; i < G_N_ELEMENTS (retention_cases); i++)
        {
          g_autofree char *marker = marker_for (retention_cases[i].name);

          g_assert_cmpint (sqlite_files_contain (location, marker), ==,
                           !retention_cases[i].destroyed);
        }
    }

  /* Again: nothing more is due, and the audit log gets nothing more. */
  g_assert_true (haven_receiver_retention_run (store, now, 90, 365, &retention, &error));
  g_assert_cmpuint (retention.n_closed + retention.n_expired, ==, 0);
  check_retention_cases (location);

  /* A day later, the case closed 89 days ago is due too. */
  g_assert_true (haven_receiver_retention_run (store, now + 2 * DAY, 90, 365, &retention,
                                               &error));
  g_assert_cmpuint (retention.n_closed, ==, 1);
  g_assert_cmpuint (retention.n_expired, ==, 1);
}

/* With PostgreSQL, a pass another instance is running makes this one skip
 * its own, and change nothing. */
static void
test_retention_lock (void)
{
  g_autofree char *location = new_location (TRUE);
  g_autoptr(HavenReceiverStore) store = open_store (location);
  g_autoptr(GDateTime) now_time = g_date_time_new_from_iso8601 (NOW_TEXT, NULL);
  gint64 now = g_date_time_to_unix (now_time);
  g_autoptr(GError) error = NULL;
  g_auto(HavenReceiverRetention) retention = { 0, };
  PGconn *other;
  PGresult *result;

  empty_tables (location);
  store_retention_cases (store, location, now);

  other = PQconnectdb (location);
  g_assert_cmpint (PQstatus (other), ==, CONNECTION_OK);
  result = PQexec (other, "SELECT pg_advisory_lock (7244551000020)");
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  PQclear (result);

  g_assert_true (haven_receiver_store_destroy_due_bodies (store, now, 90, 365, &retention,
                                                          &error));
  g_assert_no_error (error);
  g_assert_true (retention.skipped);
  g_assert_cmpuint (retention.n_closed + retention.n_expired, ==, 0);

  /* Let go explicitly: a closed connection's locks go only once its
   * server process has ended, which takes a moment. */
  result = PQexec (other, "SELECT pg_advisory_unlock (7244551000020)");
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  PQclear (result);
  PQfinish (other);

  g_assert_true (haven_receiver_retention_run (store, now, 90, 365, &retention, &error));
  g_assert_false (retention.skipped);
  g_assert_cmpuint (retention.n_closed, ==, 2);
  check_retention_cases (location);
}

/* `haven-receiver retention run`, as an operator runs it. */
static void
test_retention_cli (gconstpointer user_data)
{
  gboolean postgresql = GPOINTER_TO_INT (user_data);
  g_autofree char *location = new_location (postgresql);
  g_autoptr(HavenReceiverStore) store = open_store (location);
  g_autoptr(GDateTime) now_time = g_date_time_new_from_iso8601 (NOW_TEXT, NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  g_autofree char *errors = NULL;

  empty_tables (location);
  store_retention_cases (store, location, g_date_time_to_unix (now_time));
  g_clear_object (&store);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, require_env ("HAVEN_RECEIVER"), "retention", "run",
                              postgresql ? "--database" : "--db", location, "--now", NOW_TEXT,
                              NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &output, &errors, &error);
  g_assert_no_error (error);
  g_test_message ("retention run: %s%s", output, errors);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_cmpstr (output, ==, "destroyed closed=2 expired=1\n");
  check_retention_cases (location);

  /* The rows retention appended keep the audit log's chain whole. */
  g_clear_object (&process);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                              require_env ("HAVEN_RECEIVER"), "audit", "verify",
                              postgresql ? "--database" : "--db", location, NULL);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));

  /* Bounds that make no sense are a usage mistake. */
  g_clear_object (&process);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                              G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              require_env ("HAVEN_RECEIVER"), "retention", "run",
                              postgresql ? "--database" : "--db", location,
                              "--retention-closed-days", "30", "--retention-max-days", "20",
                              NULL);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
}

/* A receiver runs a pass as it starts, before it listens; bounds that make
 * no sense stop it from starting. */
static void
test_retention_at_start (gconstpointer user_data)
{
  g_autofree char *location = new_location (GPOINTER_TO_INT (user_data));
  g_autoptr(HavenReceiverStore) store = open_store (location);
  const char * const options[] = { "--insecure-http", NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  ReceiverProcess *receiver;

  empty_tables (location);
  store_retention_cases (store, location, g_get_real_time () / G_USEC_PER_SEC);
  g_clear_object (&store);

  receiver = receiver_process_start_with_db (location, options);
  check_retention_cases (location);
  receiver_process_stop (receiver);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                              G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              require_env ("HAVEN_RECEIVER"), "--listen", "127.0.0.1:0",
                              database_is_uri (location) ? "--database" : "--db", location,
                              "--insecure-http", "--retention-closed-days", "0", NULL);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
}

/* Through HTTPS ------------------------------------------------------------ */

static SoupMessage *
send_request (SoupSession  *session,
              const char   *method,
              const char   *url,
              const char   *authorization,
              const char   *body,
              gsize         length,
              char        **answer)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SoupMessage *message = soup_message_new (method, url);

  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                  authorization);

  if (body != NULL)
    {
      g_autoptr(GBytes) request_body = g_bytes_new (body, length);

      soup_message_set_request_body_from_bytes (message, "application/json", request_body);
    }

  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, store_result_cb,
                                    &result);
  bytes = soup_session_send_and_read_finish (session, wait_for_result (&result), &error);
  g_assert_no_error (error);
  *answer = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return message;
}

static void
test_http (gconstpointer user_data)
{
  g_autofree char *location = new_location (GPOINTER_TO_INT (user_data));
  g_autofree char *ca = work_path ("ca.pem");
  g_autofree char *report = make_report ("station-7", 0);
  g_autofree char *status_url = NULL;
  g_autofree char *kiosks_url = NULL;
  g_autofree char *answer = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) big = g_string_new (NULL);
  g_autofree char *caseworker_token = NULL;
  g_autofree char *authorization = NULL;
  ReceiverProcess *receiver;
  JsonArray *kiosks;

  empty_tables (location);
  receiver = receiver_process_start_tls_full (location, NULL, NULL);

  /* The listing is a caseworker's. */
  {
    g_autoptr(GSubprocess) process = NULL;

    process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                require_env ("HAVEN_RECEIVER"), "credentials", "add",
                                "--role", "caseworker", "--name", "desk-http",
                                database_is_uri (location) ? "--database" : "--db", location,
                                NULL);
    g_assert_no_error (error);
    g_subprocess_communicate_utf8 (process, NULL, NULL, &caseworker_token, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_get_successful (process));
    g_strstrip (caseworker_token);
    authorization = g_strconcat ("Bearer ", caseworker_token, NULL);
  }
  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  session = soup_session_new_with_options ("timeout", 10 * test_slowdown (), NULL);
  soup_session_set_tls_database (session, database);
  status_url = g_strconcat (receiver->url, HAVEN_RECEIVER_FLEET_STATUS_PATH, NULL);
  kiosks_url = g_strconcat (receiver->url, HAVEN_RECEIVER_FLEET_KIOSKS_PATH,
                            "?silent_after=600&backed_up_over=5", NULL);

  message = send_request (session, "POST", status_url, NULL, report, strlen (report), &answer);
  g_test_message ("POST %s → %u", HAVEN_RECEIVER_FLEET_STATUS_PATH,
                  soup_message_get_status (message));
  g_assert_cmpuint (soup_message_get_status (message), ==, 204);
  g_clear_object (&message);
  g_clear_pointer (&answer, g_free);

  /* A kiosk may not list. */
  message = send_request (session, "GET", kiosks_url, NULL, NULL, 0, &answer);
  g_assert_cmpuint (soup_message_get_status (message), ==, 403);
  g_clear_object (&message);
  g_clear_pointer (&answer, g_free);

  message = send_request (session, "GET", kiosks_url, authorization, NULL, 0, &answer);
  g_test_message ("GET /v1/kiosks → %u %s", soup_message_get_status (message), answer);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  json_parser_load_from_data (parser, answer, -1, &error);
  g_assert_no_error (error);
  kiosks = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "kiosks");
  g_assert_cmpuint (json_array_get_length (kiosks), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (kiosks, 0),
                                                  "kiosk_id"), ==, "station-7");
  g_clear_object (&message);
  g_clear_pointer (&answer, g_free);

  /* Over 4 KiB: refused on its length. */
  while (big->len < 5000)
    g_string_append_c (big, ' ');
  message = send_request (session, "POST", status_url, NULL, big->str, big->len, &answer);
  g_assert_cmpuint (soup_message_get_status (message), ==, 413);

  receiver_process_stop (receiver);
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

  work_dir_init ("receiver-kiosks-retention");
  g_test_init (&argc, &argv, NULL);

  for (guint postgresql = 0; postgresql < 2; postgresql++)
    {
      const char *base = postgresql ? "/haven/receiver/postgresql" : "/haven/receiver/sqlite";
      gconstpointer data = GINT_TO_POINTER (postgresql);
      g_autofree char *status_store = g_strconcat (base, "/kiosk-status/store", NULL);
      g_autofree char *status_handler = g_strconcat (base, "/kiosk-status/handler", NULL);
      g_autofree char *retention_store = g_strconcat (base, "/retention/store", NULL);
      g_autofree char *retention_cli = g_strconcat (base, "/retention/cli", NULL);
      g_autofree char *http = g_strconcat (base, "/kiosk-status/https", NULL);
      g_autofree char *at_start = g_strconcat (base, "/retention/at-start", NULL);

      if (postgresql && pg_bindir == NULL)
        {
          g_test_add_func (base, test_no_postgresql);
          continue;
        }

      g_test_add_data_func (status_store, data, test_status_store);
      g_test_add_data_func (status_handler, data, test_status_handler);
      g_test_add_data_func (retention_store, data, test_retention_store);
      g_test_add_data_func (retention_cli, data, test_retention_cli);
      g_test_add_data_func (http, data, test_http);
      g_test_add_data_func (at_start, data, test_retention_at_start);
      if (postgresql)
        g_test_add_func ("/haven/receiver/postgresql/retention/one-at-a-time",
                         test_retention_lock);
    }

  if (pg_bindir != NULL)
    pg_cluster = pg_cluster_start ();

  status = g_test_run ();

  g_clear_pointer (&pg_cluster, pg_cluster_stop);
  work_dir_remove ();

  return status;
}
