/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-delivery"

#include "config.h"

#include <string.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gio.h>
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "haven-delivery.h"
#include "haven-delivery-private.h"
#include "haven-outbox.h"

/* The parts of delivery that need no backend: the backoff, Retry-After,
 * claiming one entry by id, and what happens while the settings cannot be
 * used. Delivery over the network is tests/integration/test-delivery.c. */

#define REQUEST_A "6f1c8a52-3b0e-4d2f-9a61-7e5b4c3d2a10"
#define REQUEST_B "a3d9e1f0-5c2b-4e8a-b7d6-1f0e9c8b7a65"

typedef struct {
  char *folder;
  GSettingsBackend *settings_backend;
  GSettings *settings;
  HavenOutbox *outbox;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->folder = g_dir_make_tmp ("haven-delivery-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->folder, "outbox.sqlite", NULL);
  fixture->outbox = haven_outbox_new (path, &error);
  g_assert_no_error (error);
  /* What is stored does not matter here; sealing is test-outbox's. */
  haven_outbox_set_allow_unsealed (fixture->outbox, TRUE);

  fixture->settings_backend = g_memory_settings_backend_new ();
  fixture->settings = g_settings_new_with_backend (APP_ID, fixture->settings_backend);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->folder, 0, NULL);
  const char *name;

  g_clear_object (&fixture->outbox);
  g_clear_object (&fixture->settings);
  g_clear_object (&fixture->settings_backend);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->folder, name, NULL);

      g_remove (path);
    }
  g_rmdir (fixture->folder);
  g_free (fixture->folder);
}

static void
enqueue (Fixture    *fixture,
         const char *request_id)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  g_autoptr(GError) error = NULL;

  haven_outbox_enqueue (fixture->outbox, request_id, HAVEN_REQUEST_KIND_REMOVAL, body, &error);
  g_assert_no_error (error);
}

static void
test_backoff_ceiling (void)
{
  GTimeSpan base = 5 * G_TIME_SPAN_SECOND;
  GTimeSpan cap = G_TIME_SPAN_HOUR;

  /* Doubles with each attempt, from the base, up to the cap. */
  g_assert_cmpint (haven_delivery_backoff_ceiling (0, base, cap), ==, base);
  g_assert_cmpint (haven_delivery_backoff_ceiling (1, base, cap), ==, base);
  g_assert_cmpint (haven_delivery_backoff_ceiling (2, base, cap), ==, 2 * base);
  g_assert_cmpint (haven_delivery_backoff_ceiling (3, base, cap), ==, 4 * base);
  g_assert_cmpint (haven_delivery_backoff_ceiling (10, base, cap), ==, 512 * base);
  g_assert_cmpint (haven_delivery_backoff_ceiling (11, base, cap), ==, cap);
  g_assert_cmpint (haven_delivery_backoff_ceiling (G_MAXUINT, base, cap), ==, cap);
}

static void
test_backoff_jitter (void)
{
  GTimeSpan base = G_TIME_SPAN_SECOND;
  GTimeSpan cap = G_TIME_SPAN_HOUR;
  GTimeSpan shortest = G_MAXINT64;
  GTimeSpan longest = 0;

  for (guint i = 0; i < 1000; i++)
    {
      GTimeSpan delay = haven_delivery_backoff_delay (3, base, cap);

      /* Never sooner than a tenth of the base, never past the ceiling. */
      g_assert_cmpint (delay, >=, base / 10);
      g_assert_cmpint (delay, <=, 4 * base);
      shortest = MIN (shortest, delay);
      longest = MAX (longest, delay);
    }

  /* Full jitter: spread over the whole range, not bunched at the top. */
  g_assert_cmpint (shortest, <, base);
  g_assert_cmpint (longest, >, 3 * base);

  g_assert_cmpint (haven_delivery_backoff_delay (50, base, cap), <=, cap);
}

static void
test_retry_after (void)
{
  gint64 now = g_get_real_time ();
  g_autoptr(GDateTime) in_half_a_minute = NULL;
  g_autoptr(GDateTime) an_hour_ago = NULL;
  g_autofree char *later = NULL;
  g_autofree char *earlier = NULL;
  GTimeSpan delay;

  g_assert_cmpint (haven_delivery_parse_retry_after ("120", now), ==, 120 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (haven_delivery_parse_retry_after (" 5 ", now), ==, 5 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (haven_delivery_parse_retry_after ("0", now), ==, 0);
  /* Whatever a backend says, a kiosk comes back within a day. */
  g_assert_cmpint (haven_delivery_parse_retry_after ("99999999999", now), ==,
                   HAVEN_DELIVERY_MAX_RETRY_AFTER);

  /* An HTTP date. */
  in_half_a_minute = g_date_time_new_from_unix_utc (now / G_TIME_SPAN_SECOND + 30);
  later = soup_date_time_to_string (in_half_a_minute, SOUP_DATE_HTTP);
  delay = haven_delivery_parse_retry_after (later, now);
  g_assert_cmpint (delay, >, 28 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (delay, <=, 30 * G_TIME_SPAN_SECOND);
  an_hour_ago = g_date_time_new_from_unix_utc (now / G_TIME_SPAN_SECOND - 3600);
  earlier = soup_date_time_to_string (an_hour_ago, SOUP_DATE_HTTP);
  g_assert_cmpint (haven_delivery_parse_retry_after (earlier, now), ==, 0);

  /* Neither: as if there were none. */
  g_assert_cmpint (haven_delivery_parse_retry_after (NULL, now), ==, -1);
  g_assert_cmpint (haven_delivery_parse_retry_after ("", now), ==, -1);
  g_assert_cmpint (haven_delivery_parse_retry_after ("soon", now), ==, -1);
  g_assert_cmpint (haven_delivery_parse_retry_after ("-5", now), ==, -1);
  g_assert_cmpint (haven_delivery_parse_retry_after ("1.5", now), ==, -1);
}

/* Answers a hostile or broken backend may give, each of which json-glib
 * met with a critical (fatal in the tests) or a leak until Haven read them
 * itself; found by tests/fuzz/fuzz-backend-answer. */
static void
test_hostile_answers (void)
{
  static const struct {
    guint status;
    const char *body;
    HavenDeliveryOutcome outcome;
  } answers[] = {
    { 201, "{\"case_reference\": [\"HV-1\"]}", HAVEN_DELIVERY_OUTCOME_QUEUED },
    { 201, "{\"case_reference\": {}}", HAVEN_DELIVERY_OUTCOME_QUEUED },
    { 201, " \n ", HAVEN_DELIVERY_OUTCOME_QUEUED },
    { 201, "\"x\" {\"case_reference\": \"HV-1\"}", HAVEN_DELIVERY_OUTCOME_QUEUED },
    { 400, "{\"error\": {\"text\": \"no\"}}", HAVEN_DELIVERY_OUTCOME_INVALID },
    { 400, "{\"error\": [], \"fields\": []}", HAVEN_DELIVERY_OUTCOME_INVALID },
    { 400, "\t", HAVEN_DELIVERY_OUTCOME_INVALID },
  };
  static const char * const health[] = {
    "{\"status\": [\"ok\"], \"api\": 1}",
    "{\"status\": {}, \"api\": 1}",
    "{\"status\": \"ok\", \"api\": [1]}",
    " ",
    "5 {\"status\": \"ok\", \"api\": 1}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (answers[i].body, strlen (answers[i].body));
      HavenDeliveryVerdict verdict = {
        .attempts = 1,
        .backoff_base = HAVEN_DELIVERY_BACKOFF_BASE,
        .backoff_cap = HAVEN_DELIVERY_BACKOFF_CAP,
        .result = haven_delivery_result_new ("5f0c8f0e-3c1a-4c57-9d1e-2b7f6c1d9a10",
                                             HAVEN_DELIVERY_OUTCOME_NOT_TRIED),
      };

      haven_delivery_judge_response (&verdict, answers[i].status, NULL, body);
      g_assert_cmpint (verdict.result->outcome, ==, answers[i].outcome);
      g_assert_null (verdict.result->case_reference);
      haven_delivery_result_free (verdict.result);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (health); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (health[i], strlen (health[i]));
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (haven_backend_parse_health (body, &error), ==, -1);
      g_assert_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_BAD_RESPONSE);
    }
}

/* A 201 or a health answer of 120,000 nested brackets (240 KB, under
 * every size limit) overflowed the stack inside json-glib, on every
 * attempt; an empty health answer read an error that was never set. Both
 * are now a bad answer, said as such. */
static void
test_deep_and_empty_answers (void)
{
  g_autoptr(GString) deep = g_string_new ("{\"case_reference\":\"HV-1\",\"x\":");
  g_autoptr(GBytes) deep_body = NULL;
  g_autoptr(GBytes) empty_body = g_bytes_new_static ("", 0);
  g_autoptr(GError) error = NULL;
  HavenDeliveryVerdict verdict = {
    .attempts = 1,
    .backoff_base = HAVEN_DELIVERY_BACKOFF_BASE,
    .backoff_cap = HAVEN_DELIVERY_BACKOFF_CAP,
    .result = haven_delivery_result_new ("5f0c8f0e-3c1a-4c57-9d1e-2b7f6c1d9a10",
                                         HAVEN_DELIVERY_OUTCOME_NOT_TRIED),
  };

  for (guint i = 0; i < 120000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 120000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  deep_body = g_bytes_new (deep->str, deep->len);

  /* Accepted (201), but its reference is not believed. */
  haven_delivery_judge_response (&verdict, 201, NULL, deep_body);
  g_assert_cmpint (verdict.result->outcome, ==, HAVEN_DELIVERY_OUTCOME_QUEUED);
  g_assert_null (verdict.result->case_reference);
  haven_delivery_result_free (verdict.result);

  g_assert_cmpint (haven_backend_parse_health (deep_body, &error), ==, -1);
  g_assert_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "32"));
  g_clear_error (&error);

  g_assert_cmpint (haven_backend_parse_health (empty_body, &error), ==, -1);
  g_assert_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_BAD_RESPONSE);
  g_assert_nonnull (error->message);
}

static void
test_outcomes (void)
{
  g_autoptr(HavenDeliveryResult) result = g_new0 (HavenDeliveryResult, 1);
  g_autoptr(HavenDeliveryResult) copy = NULL;

  g_assert_cmpstr (haven_delivery_outcome_to_string (HAVEN_DELIVERY_OUTCOME_DELIVERED), ==,
                   "delivered");
  g_assert_cmpstr (haven_delivery_outcome_to_string (HAVEN_DELIVERY_OUTCOME_NOT_TRIED), ==,
                   "not-tried");

  /* What the page tells the visitor: kept means "it will be sent". */
  g_assert_false (haven_delivery_outcome_is_kept (HAVEN_DELIVERY_OUTCOME_DELIVERED));
  g_assert_true (haven_delivery_outcome_is_kept (HAVEN_DELIVERY_OUTCOME_QUEUED));
  g_assert_true (haven_delivery_outcome_is_kept (HAVEN_DELIVERY_OUTCOME_UNAUTHORISED));
  g_assert_true (haven_delivery_outcome_is_kept (HAVEN_DELIVERY_OUTCOME_BLOCKED));
  g_assert_false (haven_delivery_outcome_is_kept (HAVEN_DELIVERY_OUTCOME_INVALID));
  g_assert_false (haven_delivery_outcome_is_kept (HAVEN_DELIVERY_OUTCOME_REJECTED));

  result->request_id = g_strdup (REQUEST_A);
  result->outcome = HAVEN_DELIVERY_OUTCOME_INVALID;
  result->status = 400;
  result->field_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (result->field_errors, g_strdup ("items[0].url"), g_strdup ("Fix it"));
  result->message = g_strdup ("refused");
  copy = haven_delivery_result_copy (result);
  g_assert_cmpstr (copy->request_id, ==, REQUEST_A);
  g_assert_cmpint (copy->outcome, ==, HAVEN_DELIVERY_OUTCOME_INVALID);
  g_assert_cmpuint (copy->status, ==, 400);
  g_assert_cmpstr (g_hash_table_lookup (copy->field_errors, "items[0].url"), ==, "Fix it");
  g_assert_cmpstr (copy->message, ==, "refused");
  g_assert_null (copy->case_reference);
}

static void
test_claim_by_id (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(HavenOutboxEntry) claimed = NULL;
  g_autoptr(HavenOutboxEntry) again = NULL;
  g_autoptr(HavenOutboxEntry) later = NULL;
  g_autoptr(HavenOutboxEntry) next = NULL;
  g_autoptr(HavenOutboxEntry) unknown = NULL;
  g_autoptr(GError) error = NULL;

  enqueue (fixture, REQUEST_A);
  enqueue (fixture, REQUEST_B);

  /* Not the oldest: the one asked for, marked sending, with its body. */
  claimed = haven_outbox_claim (fixture->outbox, REQUEST_B, &error);
  g_assert_no_error (error);
  g_assert_nonnull (claimed);
  g_assert_cmpstr (claimed->request_id, ==, REQUEST_B);
  g_assert_cmpint (claimed->state, ==, HAVEN_OUTBOX_STATE_SENDING);
  g_assert_cmpuint (claimed->attempts, ==, 1);
  g_assert_nonnull (claimed->body);

  /* Not twice, and not by the next claim_next(). */
  again = haven_outbox_claim (fixture->outbox, REQUEST_B, &error);
  g_assert_no_error (error);
  g_assert_null (again);
  next = haven_outbox_claim_next (fixture->outbox, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (next->request_id, ==, REQUEST_A);

  /* Whenever it is due. */
  haven_outbox_record_retry (fixture->outbox, REQUEST_B, G_MAXINT64 / 2, "later", &error);
  g_assert_no_error (error);
  later = haven_outbox_claim (fixture->outbox, REQUEST_B, &error);
  g_assert_no_error (error);
  g_assert_nonnull (later);
  g_assert_cmpuint (later->attempts, ==, 2);

  unknown = haven_outbox_claim (fixture->outbox, "00000000-0000-4000-8000-000000000000", &error);
  g_assert_no_error (error);
  g_assert_null (unknown);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **result_out = user_data;

  *result_out = g_object_ref (result);
}

static void
test_not_configured (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(HavenDelivery) delivery = NULL;
  g_autoptr(GAsyncResult) flushed = NULL;
  g_autoptr(GAsyncResult) now = NULL;
  g_autoptr(GAsyncResult) unknown = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(HavenDeliveryResult) result = NULL;
  g_autoptr(HavenDeliveryResult) no_result = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  const char *alert;

  enqueue (fixture, REQUEST_A);
  delivery = haven_delivery_new (fixture->settings, fixture->outbox);

  /* The operator is told which setting to fix. */
  alert = haven_delivery_get_operator_alert (delivery);
  g_assert_nonnull (alert);
  g_assert_nonnull (strstr (alert, "backend-url"));

  haven_delivery_flush_async (delivery, HAVEN_DELIVERY_FLUSH_ALL, NULL, store_result_cb,
                              &flushed);
  while (flushed == NULL)
    g_main_context_iteration (NULL, TRUE);
  results = haven_delivery_flush_finish (delivery, flushed, &error);
  g_assert_error (error, HAVEN_DELIVERY_ERROR, HAVEN_DELIVERY_ERROR_NOT_CONFIGURED);
  g_assert_null (results);
  g_clear_error (&error);

  /* The visitor's request is kept and not even tried. */
  haven_delivery_deliver_now_async (delivery, REQUEST_A, "es", NULL, store_result_cb, &now);
  while (now == NULL)
    g_main_context_iteration (NULL, TRUE);
  result = haven_delivery_deliver_now_finish (delivery, now, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->outcome, ==, HAVEN_DELIVERY_OUTCOME_UNAUTHORISED);
  g_assert_true (haven_delivery_outcome_is_kept (result->outcome));
  g_assert_cmpstr (result->message, ==, alert);
  entry = haven_outbox_lookup (fixture->outbox, REQUEST_A, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (entry->attempts, ==, 0);

  haven_delivery_deliver_now_async (delivery, REQUEST_B, "es", NULL, store_result_cb, &unknown);
  while (unknown == NULL)
    g_main_context_iteration (NULL, TRUE);
  no_result = haven_delivery_deliver_now_finish (delivery, unknown, &error);
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_FOUND);
  g_assert_null (no_result);
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_settings_change (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(HavenDelivery) delivery = NULL;
  guint notified = 0;
  gint64 deadline;

  g_settings_set_string (fixture->settings, "backend-url", "http://reports.example.org");
  delivery = haven_delivery_new (fixture->settings, fixture->outbox);
  g_assert_nonnull (strstr (haven_delivery_get_operator_alert (delivery), "https://"));
  g_signal_connect (delivery, "notify::operator-alert", G_CALLBACK (notify_cb), &notified);

  /* Rebuilt from the new settings once they have all changed: usable now,
   * so nothing left to tell the operator. */
  g_settings_set_string (fixture->settings, "backend-url", "https://127.0.0.1:1");
  g_settings_set_uint (fixture->settings, "request-timeout", 10);
  deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  while (haven_delivery_get_operator_alert (delivery) != NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (notified, ==, 1);

  /* A setting that is not the backend's changes nothing. */
  g_settings_set_string (fixture->settings, "region", "GB");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (haven_delivery_get_operator_alert (delivery));
  g_assert_cmpuint (notified, ==, 1);

  g_assert_finalize_object (g_steal_pointer (&delivery));
}

/* Once started, delivery wipes a refused request when its retention is
 * over, on its own and while the backend cannot even be used. The
 * retention is shortened rather than the clock moved: it is the same
 * timer either way. */
static void
test_failed_expiry (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(HavenDelivery) delivery = NULL;
  g_autoptr(HavenOutboxEntry) claimed = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  enqueue (fixture, REQUEST_A);
  enqueue (fixture, REQUEST_B);
  claimed = haven_outbox_claim (fixture->outbox, REQUEST_A, &error);
  g_assert_true (haven_outbox_record_failed (fixture->outbox, REQUEST_A, 400, "refused", NULL,
                                             &error));
  g_assert_no_error (error);
  haven_outbox_set_failed_retention (fixture->outbox, 300 * G_TIME_SPAN_MILLISECOND);

  delivery = haven_delivery_new (fixture->settings, fixture->outbox);
  g_assert_nonnull (haven_delivery_get_operator_alert (delivery));
  haven_delivery_start (delivery);

  /* Waiting for: only the queued request left in the outbox. */
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  do
    {
      g_clear_pointer (&entries, g_ptr_array_unref);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5 * G_TIME_SPAN_MILLISECOND);
      entries = haven_outbox_list (fixture->outbox, &error);
      g_assert_no_error (error);
    }
  while (entries->len != 1);
  g_assert_cmpstr (((HavenOutboxEntry *) g_ptr_array_index (entries, 0))->request_id, ==,
                   REQUEST_B);

  haven_delivery_stop (delivery);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/delivery/backoff-ceiling", test_backoff_ceiling);
  g_test_add_func ("/haven/delivery/backoff-jitter", test_backoff_jitter);
  g_test_add_func ("/haven/delivery/parse-retry-after", test_retry_after);
  g_test_add_func ("/haven/delivery/hostile-answers", test_hostile_answers);
  g_test_add_func ("/haven/delivery/deep-and-empty-answers", test_deep_and_empty_answers);
  g_test_add_func ("/haven/delivery/outcomes", test_outcomes);
  g_test_add ("/haven/delivery/claim-by-id", Fixture, NULL, fixture_set_up, test_claim_by_id,
              fixture_tear_down);
  g_test_add ("/haven/delivery/not-configured", Fixture, NULL, fixture_set_up,
              test_not_configured, fixture_tear_down);
  g_test_add ("/haven/delivery/failed-expiry", Fixture, NULL, fixture_set_up,
              test_failed_expiry, fixture_tear_down);
  g_test_add ("/haven/delivery/settings-change", Fixture, NULL, fixture_set_up,
              test_settings_change, fixture_tear_down);

  return g_test_run ();
}
