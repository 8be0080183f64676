/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-outbox"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "haven-outbox.h"
#include "haven-outbox-private.h"
#include "haven-request.h"
#include "haven-request-envelope.h"
#include "haven-sealed-box.h"
#include "test-files.h"
#include "test-wait.h"

/* This binary runs itself with this argument as the child that the kill
 * test kills. */
#define ENQUEUE_LOOP_ARGUMENT "--enqueue-loop"

static const char *self_path;

typedef struct {
  char *folder;
  char *path;
  HavenOutbox *outbox;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->folder = g_dir_make_tmp ("haven-outbox-XXXXXX", &error);
  g_assert_no_error (error);
  /* A folder that does not exist yet, to see it made private. */
  fixture->path = g_build_filename (fixture->folder, "state", "outbox.sqlite", NULL);
  fixture->outbox = haven_outbox_new (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->outbox);
  /* Most cases look at the bodies as stored, so they allow unsealed ones
   * explicitly; "sealed" seals, and "refused-unsealed" is the default. */
  haven_outbox_set_allow_unsealed (fixture->outbox, TRUE);
}

/* A GTask run in a thread lets go of its source object in that thread,
 * which can be just after its callback ran here: wait for it. */
static HavenOutbox *
wait_for_last_reference (HavenOutbox *outbox)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_atomic_int_get (&G_OBJECT (outbox)->ref_count) > 1 && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return outbox;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->outbox != NULL)
    g_assert_finalize_object (wait_for_last_reference (fixture->outbox));
  remove_tree (fixture->folder);
  g_free (fixture->path);
  g_free (fixture->folder);
}

static void
reopen (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_finalize_object (wait_for_last_reference (fixture->outbox));
  fixture->outbox = haven_outbox_new (fixture->path, &error);
  g_assert_no_error (error);
  haven_outbox_set_allow_unsealed (fixture->outbox, TRUE);
}

/* A realistic removal request's size: about 2 KB, with @marker inside. */
static GBytes *
make_body (const char *request_id,
           const char *marker)
{
  g_autoptr(GString) body = g_string_new (NULL);

  g_string_append_printf (body, "{\"request_id\":\"%s\",\"items\":[", request_id);
  for (guint i = 0; i < 12; i++)
    g_string_append_printf (body, "%s{\"url\":\"https://example.social/p/%u\","
                            "\"description\":\"%s %u, posted without consent\"}",
                            i > 0 ? "," : "", i, marker, i);
  while (body->len < 2000)
    g_string_append_c (body, ' ');
  g_string_append (body, "]}");

  return g_string_free_to_bytes (g_steal_pointer (&body));
}

static char *
enqueue_new (HavenOutbox *outbox,
             const char  *marker)
{
  g_autoptr(GError) error = NULL;
  char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) body = make_body (request_id, marker);

  g_assert_true (haven_outbox_enqueue (outbox, request_id, HAVEN_REQUEST_KIND_REMOVAL, body,
                                       &error));
  g_assert_no_error (error);
  return request_id;
}

/* The database and its write-ahead log, the two files that hold data. */
static gboolean
outbox_files_contain (const char *path,
                      const char *needle)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  return file_contains (path, needle) || file_contains (wal, needle);
}

static char *
query_text (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL), ==, SQLITE_OK);
  if (sqlite3_step (statement) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (statement, 0));
  sqlite3_finalize (statement);
  sqlite3_close (db);

  return text;
}

static guint
count_entries (HavenOutbox *outbox)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = haven_outbox_list (outbox, &error);

  g_assert_no_error (error);
  return entries->len;
}

static void
test_create (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *folder = g_path_get_dirname (fixture->path);
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *journal_mode = NULL;
  g_autofree char *version = NULL;
  g_autofree char *request_id = NULL;
  GStatBuf buf;

  g_assert_cmpstr (haven_outbox_get_path (fixture->outbox), ==, fixture->path);
  g_assert_cmpuint (haven_outbox_get_max_bytes (fixture->outbox), ==,
                    HAVEN_OUTBOX_DEFAULT_MAX_BYTES);
  g_assert_false (haven_outbox_get_sealing (fixture->outbox));

  request_id = enqueue_new (fixture->outbox, "x");

  g_assert_cmpint (g_stat (folder, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (fixture->path, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (wal, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0600);

  journal_mode = query_text (fixture->path, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");
  version = query_text (fixture->path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, "3");
}

static void
test_too_new (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autofree char *ignored = NULL;

  g_assert_finalize_object (wait_for_last_reference (g_steal_pointer (&fixture->outbox)));
  ignored = query_text (fixture->path, "PRAGMA user_version = 99");

  outbox = haven_outbox_new (fixture->path, &error);
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_TOO_NEW);
  g_assert_null (outbox);
}

static void
test_enqueue_list (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = enqueue_new (fixture->outbox, "first");
  g_autofree char *second = g_uuid_string_random ();
  g_autoptr(GBytes) body = make_body (second, "second");
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  gint64 before = g_get_real_time ();
  HavenOutboxEntry *listed;

  g_assert_true (haven_outbox_enqueue (fixture->outbox, second, HAVEN_REQUEST_KIND_REPORT, body,
                                       &error));
  g_assert_no_error (error);

  entries = haven_outbox_list (fixture->outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);

  listed = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (listed->request_id, ==, first);
  g_assert_cmpint (listed->kind, ==, HAVEN_REQUEST_KIND_REMOVAL);

  listed = g_ptr_array_index (entries, 1);
  g_assert_cmpstr (listed->request_id, ==, second);
  g_assert_cmpint (listed->kind, ==, HAVEN_REQUEST_KIND_REPORT);
  g_assert_cmpint (listed->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (listed->attempts, ==, 0);
  g_assert_false (listed->sealed);
  g_assert_cmpuint (listed->body_size, ==, g_bytes_get_size (body));
  g_assert_cmpint (listed->created_at, <=, g_get_real_time ());
  g_assert_cmpint (listed->created_at, >=, before - G_TIME_SPAN_SECOND);
  g_assert_cmpint (listed->next_attempt_at, ==, listed->created_at);
  g_assert_null (listed->last_error);
  g_assert_null (listed->case_reference);
  /* Lists never carry bodies. */
  g_assert_null (listed->body);

  entry = haven_outbox_lookup (fixture->outbox, second, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (entry->body, body));

  /* The same id again is refused, and changes nothing. */
  g_assert_false (haven_outbox_enqueue (fixture->outbox, second, HAVEN_REQUEST_KIND_REPORT, body,
                                        &error));
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_EXISTS);
  g_assert_cmpuint (count_entries (fixture->outbox), ==, 2);

  g_assert_cmpstr (haven_outbox_state_to_string (HAVEN_OUTBOX_STATE_SENDING), ==, "sending");
}

static void
test_claim_deliver (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = enqueue_new (fixture->outbox, "marker-first-5d1c");
  g_autofree char *second = enqueue_new (fixture->outbox, "marker-second-5d1c");
  g_autoptr(HavenOutboxEntry) claimed = NULL;
  g_autoptr(HavenOutboxEntry) next = NULL;
  g_autoptr(HavenOutboxEntry) none = NULL;
  g_autoptr(HavenOutboxEntry) delivered = NULL;
  g_autoptr(GBytes) expected = make_body (first, "marker-first-5d1c");
  gint64 now = g_get_real_time ();

  claimed = haven_outbox_claim_next (fixture->outbox, now, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (claimed->request_id, ==, first);
  g_assert_cmpint (claimed->state, ==, HAVEN_OUTBOX_STATE_SENDING);
  g_assert_cmpuint (claimed->attempts, ==, 1);
  g_assert_true (g_bytes_equal (claimed->body, expected));

  next = haven_outbox_claim_next (fixture->outbox, now, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (next->request_id, ==, second);

  none = haven_outbox_claim_next (fixture->outbox, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_null (none);

  g_assert_true (outbox_files_contain (fixture->path, "marker-first-5d1c"));
  g_assert_true (haven_outbox_record_delivered (fixture->outbox, first, "HV-7K2M-9Q4P", &error));
  g_assert_no_error (error);

  delivered = haven_outbox_lookup (fixture->outbox, first, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (delivered->state, ==, HAVEN_OUTBOX_STATE_DELIVERED);
  g_assert_cmpstr (delivered->case_reference, ==, "HV-7K2M-9Q4P");
  g_assert_cmpuint (delivered->body_size, ==, 0);
  g_assert_null (delivered->body);
  g_assert_cmpint (delivered->finished_at, >=, now);
  g_assert_cmpuint (delivered->attempts, ==, 1);

  /* Gone from the files at once, not merely unlinked from the tables. */
  g_assert_false (outbox_files_contain (fixture->path, "marker-first-5d1c"));
  g_assert_true (outbox_files_contain (fixture->path, "marker-second-5d1c"));

  /* A second answer for the same request changes nothing. */
  g_assert_true (haven_outbox_record_delivered (fixture->outbox, first, "HV-OTHER", &error));
  g_assert_true (haven_outbox_record_retry (fixture->outbox, first, 0, "late", &error));
  g_assert_true (haven_outbox_record_failed (fixture->outbox, first, 400, "late", NULL, &error));
  g_clear_pointer (&delivered, haven_outbox_entry_free);
  delivered = haven_outbox_lookup (fixture->outbox, first, FALSE, &error);
  g_assert_cmpint (delivered->state, ==, HAVEN_OUTBOX_STATE_DELIVERED);
  g_assert_cmpstr (delivered->case_reference, ==, "HV-7K2M-9Q4P");
  g_assert_null (delivered->last_error);

  g_assert_false (haven_outbox_record_delivered (fixture->outbox,
                                                 "00000000-0000-4000-8000-000000000000",
                                                 "HV-X", &error));
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_FOUND);
}

/* A flush's batch calls: claims taken in one transaction, put back as
 * they were, and a group of outcomes recorded in one, with a purged entry
 * among them failing alone. */
static void
test_claim_many_record_outcomes (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *delivered_id = enqueue_new (fixture->outbox, "marker-delivered-8e3a");
  g_autofree char *retry_id = enqueue_new (fixture->outbox, "marker-retry-8e3a");
  g_autofree char *failed_id = enqueue_new (fixture->outbox, "marker-failed-8e3a");
  g_autofree char *purged_id = enqueue_new (fixture->outbox, "marker-purged-8e3a");
  g_autofree char *returned_id = enqueue_new (fixture->outbox, "marker-returned-8e3a");
  const char *missing_id = "00000000-0000-4000-8000-000000000000";
  const char *ids[] = { delivered_id, retry_id, failed_id, purged_id, returned_id, missing_id,
                        delivered_id };
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) to_return = g_ptr_array_new ();
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(GBytes) expected = make_body (retry_id, "marker-retry-8e3a");
  gint64 before = g_get_real_time ();
  gint64 retry_at = before + G_TIME_SPAN_HOUR;
  HavenOutboxOutcome outcomes[4] = {
    { .request_id = delivered_id, .kind = HAVEN_OUTBOX_OUTCOME_DELIVERED, .text = "HV-AAAA-1111" },
    { .request_id = retry_id, .kind = HAVEN_OUTBOX_OUTCOME_RETRY, .text = "busy",
      .next_attempt_at = retry_at, .http_status = 503 },
    { .request_id = failed_id, .kind = HAVEN_OUTBOX_OUTCOME_FAILED, .text = "refused",
      .http_status = 422, .error_fields = "{\"items\":\"bad\"}" },
    { .request_id = purged_id, .kind = HAVEN_OUTBOX_OUTCOME_DELIVERED, .text = "HV-BBBB-2222" },
  };

  /* One claimed each, in order, with their bodies and the attempt counted;
   * none for an unknown id, nor for one claimed earlier in the batch. */
  claimed = haven_outbox_claim_many (fixture->outbox, ids, G_N_ELEMENTS (ids), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < 5; i++)
    {
      HavenOutboxEntry *claimed_entry = g_ptr_array_index (claimed, i);

      g_assert_nonnull (claimed_entry);
      g_assert_cmpstr (claimed_entry->request_id, ==, ids[i]);
      g_assert_cmpint (claimed_entry->state, ==, HAVEN_OUTBOX_STATE_SENDING);
      g_assert_cmpuint (claimed_entry->attempts, ==, 1);
      g_assert_cmpint (claimed_entry->previous_attempt_at, ==, 0);
      g_assert_cmpint (claimed_entry->last_attempt_at, >=, before);
      g_assert_nonnull (claimed_entry->body);
    }
  g_assert_true (g_bytes_equal (((HavenOutboxEntry *) g_ptr_array_index (claimed, 1))->body,
                                expected));
  g_assert_null (g_ptr_array_index (claimed, 5));
  g_assert_null (g_ptr_array_index (claimed, 6));

  /* Claimed already: a second batch gets none of them. */
  again = haven_outbox_claim_many (fixture->outbox, ids, 5, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < again->len; i++)
    g_assert_null (g_ptr_array_index (again, i));

  /* The operator purges one while it is being sent. */
  g_assert_true (haven_outbox_purge (fixture->outbox, purged_id, &error));
  g_assert_no_error (error);

  g_assert_true (haven_outbox_record_outcomes (fixture->outbox, outcomes, G_N_ELEMENTS (outcomes),
                                               &error));
  g_assert_no_error (error);
  g_assert_no_error (outcomes[0].error);
  g_assert_no_error (outcomes[1].error);
  g_assert_no_error (outcomes[2].error);
  g_assert_error (outcomes[3].error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_FOUND);
  g_clear_error (&outcomes[3].error);

  entry = haven_outbox_lookup (fixture->outbox, delivered_id, TRUE, &error);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_DELIVERED);
  g_assert_cmpstr (entry->case_reference, ==, "HV-AAAA-1111");
  g_assert_null (entry->body);
  g_clear_pointer (&entry, haven_outbox_entry_free);
  /* The delivered body is out of both files once the group is recorded. */
  g_assert_false (outbox_files_contain (fixture->path, "marker-delivered-8e3a"));
  g_assert_true (outbox_files_contain (fixture->path, "marker-retry-8e3a"));

  entry = haven_outbox_lookup (fixture->outbox, retry_id, FALSE, &error);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (entry->next_attempt_at, ==, retry_at);
  g_assert_cmpuint (entry->http_status, ==, 503);
  g_assert_cmpstr (entry->last_error, ==, "busy");
  g_assert_cmpuint (entry->attempts, ==, 1);
  g_clear_pointer (&entry, haven_outbox_entry_free);

  entry = haven_outbox_lookup (fixture->outbox, failed_id, TRUE, &error);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_FAILED);
  g_assert_cmpuint (entry->http_status, ==, 422);
  g_assert_cmpstr (entry->error_fields, ==, "{\"items\":\"bad\"}");
  g_assert_nonnull (entry->body);
  g_clear_pointer (&entry, haven_outbox_entry_free);

  /* The one never sent goes back as it was; the delivered one claimed in
   * the same batch is left alone by it. */
  g_ptr_array_add (to_return, g_ptr_array_index (claimed, 4));
  g_ptr_array_add (to_return, g_ptr_array_index (claimed, 0));
  g_assert_true (haven_outbox_unclaim (fixture->outbox, to_return, &error));
  g_assert_no_error (error);
  entry = haven_outbox_lookup (fixture->outbox, returned_id, FALSE, &error);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (entry->attempts, ==, 0);
  g_assert_cmpint (entry->last_attempt_at, ==, 0);
  g_clear_pointer (&entry, haven_outbox_entry_free);
  entry = haven_outbox_lookup (fixture->outbox, delivered_id, FALSE, &error);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_DELIVERED);
  g_assert_cmpuint (entry->attempts, ==, 1);
  g_clear_pointer (&entry, haven_outbox_entry_free);

  /* Claimable again, as any queued entry is. */
  g_clear_pointer (&again, g_ptr_array_unref);
  again = haven_outbox_claim_many (fixture->outbox, ids + 4, 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_ptr_array_index (again, 0));
  g_assert_cmpuint (((HavenOutboxEntry *) g_ptr_array_index (again, 0))->attempts, ==, 1);

  /* A claim survives a reopen only as 'queued'. */
  reopen (fixture);
  entry = haven_outbox_lookup (fixture->outbox, returned_id, FALSE, &error);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
}

static void
test_retry (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *request_id = enqueue_new (fixture->outbox, "retry");
  g_autoptr(HavenOutboxEntry) claimed = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(HavenOutboxEntry) early = NULL;
  g_autoptr(HavenOutboxEntry) again = NULL;
  g_autoptr(GPtrArray) due = NULL;
  gint64 now = g_get_real_time ();
  gint64 later = now + 90 * G_TIME_SPAN_SECOND;

  claimed = haven_outbox_claim_next (fixture->outbox, now, &error);
  g_assert_nonnull (claimed);
  g_assert_true (haven_outbox_record_retry (fixture->outbox, request_id, later,
                                            "The backend is busy (503)", &error));
  g_assert_no_error (error);

  entry = haven_outbox_lookup (fixture->outbox, request_id, FALSE, &error);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (entry->next_attempt_at, ==, later);
  g_assert_cmpstr (entry->last_error, ==, "The backend is busy (503)");
  g_assert_cmpuint (entry->attempts, ==, 1);

  /* Not due before its time. */
  early = haven_outbox_claim_next (fixture->outbox, later - 1, &error);
  g_assert_no_error (error);
  g_assert_null (early);
  due = haven_outbox_list_due (fixture->outbox, later - 1, &error);
  g_assert_cmpuint (due->len, ==, 0);
  g_clear_pointer (&due, g_ptr_array_unref);
  due = haven_outbox_list_due (fixture->outbox, later, &error);
  g_assert_cmpuint (due->len, ==, 1);

  again = haven_outbox_claim_next (fixture->outbox, later, &error);
  g_assert_nonnull (again);
  g_assert_cmpuint (again->attempts, ==, 2);
  g_assert_nonnull (again->body);
}

static void
test_failed_purge (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *request_id = enqueue_new (fixture->outbox, "failed");
  g_autoptr(HavenOutboxEntry) claimed = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(HavenOutboxEntry) none = NULL;

  claimed = haven_outbox_claim_next (fixture->outbox, G_MAXINT64, &error);
  g_assert_true (haven_outbox_record_failed (fixture->outbox, request_id, 400,
                                             "The backend refused the request (400)",
                                             "{\"items[0].url\":\"must be https\"}", &error));
  g_assert_no_error (error);

  /* Kept, body and all, with what the backend said, for the operator;
   * never sent again by itself. */
  entry = haven_outbox_lookup (fixture->outbox, request_id, TRUE, &error);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_FAILED);
  g_assert_cmpstr (entry->last_error, ==, "The backend refused the request (400)");
  g_assert_cmpuint (entry->http_status, ==, 400);
  g_assert_cmpstr (entry->error_fields, ==, "{\"items[0].url\":\"must be https\"}");
  g_assert_cmpint (haven_outbox_get_expiry (fixture->outbox, entry), ==,
                   entry->finished_at + HAVEN_OUTBOX_DEFAULT_FAILED_RETENTION);
  g_assert_true (g_bytes_equal (entry->body, claimed->body));
  g_assert_cmpint (entry->finished_at, >, 0);
  none = haven_outbox_claim_next (fixture->outbox, G_MAXINT64, &error);
  g_assert_null (none);

  g_assert_true (haven_outbox_purge (fixture->outbox, request_id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_entries (fixture->outbox), ==, 0);
  g_assert_false (outbox_files_contain (fixture->path, "failed 3"));

  g_assert_false (haven_outbox_purge (fixture->outbox, request_id, &error));
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_FOUND);
}

static void
test_expire (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *delivered = enqueue_new (fixture->outbox, "d");
  g_autofree char *failed = enqueue_new (fixture->outbox, "f");
  g_autofree char *queued = enqueue_new (fixture->outbox, "q");
  g_autoptr(HavenOutboxEntry) remaining = NULL;
  gint64 now = g_get_real_time ();
  guint n_expired = 99;

  g_assert_true (haven_outbox_record_delivered (fixture->outbox, delivered, "HV-1", &error));
  g_assert_true (haven_outbox_record_failed (fixture->outbox, failed, 422, "gone", NULL, &error));
  g_assert_no_error (error);

  /* Kept for the operator until the period is over… */
  g_assert_true (haven_outbox_expire (fixture->outbox, now + HAVEN_OUTBOX_KEEP_FINISHED
                                      - G_TIME_SPAN_MINUTE, &n_expired, &error));
  g_assert_cmpuint (n_expired, ==, 0);
  g_assert_cmpuint (count_entries (fixture->outbox), ==, 3);

  /* …then forgotten; a request still waiting never is. */
  g_assert_true (haven_outbox_expire (fixture->outbox, now + HAVEN_OUTBOX_KEEP_FINISHED
                                      + G_TIME_SPAN_MINUTE, &n_expired, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_expired, ==, 2);
  g_assert_cmpuint (count_entries (fixture->outbox), ==, 1);
  remaining = haven_outbox_lookup (fixture->outbox, queued, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (remaining->body);
}

static void
test_sending_requeued_at_open (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *request_id = enqueue_new (fixture->outbox, "crash");
  g_autoptr(HavenOutboxEntry) claimed = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;

  claimed = haven_outbox_claim_next (fixture->outbox, G_MAXINT64, &error);
  g_assert_nonnull (claimed);

  /* As if the process had died while sending. */
  reopen (fixture);

  entry = haven_outbox_lookup (fixture->outbox, request_id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (entry->attempts, ==, 1);
  g_assert_true (g_bytes_equal (entry->body, claimed->body));
}

static void
test_full (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *refused = g_uuid_string_random ();
  g_autofree char *first = NULL;
  guint n;

  body = make_body (refused, "full");
  haven_outbox_set_max_bytes (fixture->outbox, 5 * g_bytes_get_size (body));

  for (n = 0; n < 5; n++)
    g_free (enqueue_new (fixture->outbox, "full"));

  g_assert_false (haven_outbox_enqueue (fixture->outbox, refused, HAVEN_REQUEST_KIND_REMOVAL,
                                        body, &error));
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_FULL);
  g_assert_cmpstr (error->message, !=, "");
  g_clear_error (&error);
  g_assert_cmpuint (count_entries (fixture->outbox), ==, 5);
  g_assert_null (haven_outbox_lookup (fixture->outbox, refused, FALSE, &error));
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A delivered request's body no longer counts. */
  {
    g_autoptr(GPtrArray) entries = haven_outbox_list (fixture->outbox, NULL);
    HavenOutboxEntry *oldest = g_ptr_array_index (entries, 0);

    first = g_strdup (oldest->request_id);
  }
  g_assert_true (haven_outbox_record_delivered (fixture->outbox, first, "HV-1", &error));
  g_assert_true (haven_outbox_enqueue (fixture->outbox, refused, HAVEN_REQUEST_KIND_REMOVAL,
                                       body, &error));
  g_assert_no_error (error);
}

static void
test_disk_full (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = enqueue_new (fixture->outbox, "kept");
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GString) large = g_string_new (NULL);
  g_autofree char *integrity = NULL;

  /* Larger than any free space left in the pages the file has. */
  while (large->len < 64 * 1024)
    g_string_append (large, "a body that does not fit ");
  body = g_bytes_new (large->str, large->len);

  haven_outbox_set_max_page_count (fixture->outbox, 1);
  g_assert_false (haven_outbox_enqueue (fixture->outbox, request_id, HAVEN_REQUEST_KIND_REMOVAL,
                                        body, &error));
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_DISK_FULL);
  g_clear_error (&error);

  /* Nothing of it half-written, everything before it still there. */
  g_assert_cmpuint (count_entries (fixture->outbox), ==, 1);
  g_assert_null (haven_outbox_lookup (fixture->outbox, request_id, FALSE, &error));
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* And once there is room again, the same request goes in. */
  haven_outbox_set_max_page_count (fixture->outbox, 1000000);
  g_assert_true (haven_outbox_enqueue (fixture->outbox, request_id, HAVEN_REQUEST_KIND_REMOVAL,
                                       body, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (wait_for_last_reference (g_steal_pointer (&fixture->outbox)));
  integrity = query_text (fixture->path, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
}

static void
test_sealed (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 secret_key[HAVEN_SEALED_BOX_KEY_BYTES];
  g_autofree char *encoded = NULL;
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) body = make_body (request_id, "plaintext-marker-91c2");
  g_autoptr(HavenOutboxEntry) listed = NULL;
  g_autoptr(HavenOutboxEntry) claimed = NULL;
  g_autoptr(GBytes) opened = NULL;

  haven_sealed_box_generate_key_pair (public_key, secret_key);
  encoded = haven_sealed_box_encode_key (public_key);
  g_assert_true (haven_outbox_set_public_key (fixture->outbox, encoded, &error));
  g_assert_no_error (error);
  g_assert_true (haven_outbox_get_sealing (fixture->outbox));

  g_assert_true (haven_outbox_enqueue (fixture->outbox, request_id, HAVEN_REQUEST_KIND_REMOVAL,
                                       body, &error));
  g_assert_no_error (error);

  listed = haven_outbox_lookup (fixture->outbox, request_id, FALSE, &error);
  g_assert_true (listed->sealed);
  g_assert_cmpuint (listed->body_size, ==, g_bytes_get_size (body) + HAVEN_SEALED_BOX_OVERHEAD);

  /* The plain text is in neither file, and never was. */
  g_assert_false (outbox_files_contain (fixture->path, "plaintext-marker-91c2"));
  g_assert_false (outbox_files_contain (fixture->path, "example.social"));
  g_assert_true (outbox_files_contain (fixture->path, request_id));

  /* Only the backend's secret key opens what delivery will send. */
  claimed = haven_outbox_claim_next (fixture->outbox, G_MAXINT64, &error);
  g_assert_true (claimed->sealed);
  opened = haven_sealed_box_open (public_key, secret_key, claimed->body, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (opened, body));

  /* Turning sealing off stores the next one as it is. */
  g_assert_true (haven_outbox_set_public_key (fixture->outbox, "", &error));
  g_assert_false (haven_outbox_get_sealing (fixture->outbox));
}

static void
test_invalid_key (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *bad[] = {
    "abc",
    /* 31 bytes. */
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
    /* 32 bytes with a character outside base64 in the middle. */
    "AAAAAAAAAAAAAAAAAAAAAAAA*AAAAAAAAAAAAAAAAAA=",
    /* 32 zero bytes: a point of low order that anyone could open with. */
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
  };
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 secret_key[HAVEN_SEALED_BOX_KEY_BYTES];
  g_autofree char *encoded = NULL;
  g_autofree char *padded = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_autofree char *request_id = g_uuid_string_random ();
      g_autoptr(GBytes) body = make_body (request_id, "bad-key-marker-44e1");

      g_assert_false (haven_outbox_set_public_key (fixture->outbox, bad[i], &error));
      g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_INVALID_KEY);
      g_assert_false (haven_outbox_get_sealing (fixture->outbox));
      g_assert_cmpint (haven_outbox_get_sealing_state (fixture->outbox), ==,
                       HAVEN_OUTBOX_SEALING_INVALID_KEY);
      g_clear_error (&error);

      /* A key meant and mistyped refuses requests, even where unsealed
       * ones are allowed (the fixture allows them): nothing is stored. */
      g_assert_false (haven_outbox_enqueue (fixture->outbox, request_id,
                                            HAVEN_REQUEST_KIND_REMOVAL, body, &error));
      g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_INVALID_KEY);
      g_assert_nonnull (strstr (error->message, "backend-public-key"));
      g_assert_cmpuint (count_entries (fixture->outbox), ==, 0);
      g_assert_false (outbox_files_contain (fixture->path, "bad-key-marker-44e1"));
    }

  /* White space around a pasted key is fine. */
  haven_sealed_box_generate_key_pair (public_key, secret_key);
  encoded = haven_sealed_box_encode_key (public_key);
  padded = g_strdup_printf ("  %s\n", encoded);
  g_assert_true (haven_outbox_set_public_key (fixture->outbox, padded, NULL));
  g_assert_cmpint (haven_outbox_get_sealing_state (fixture->outbox), ==,
                   HAVEN_OUTBOX_SEALING_SEALED);
}

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) request_result = NULL;
  g_autoptr(GAsyncResult) invalid_result = NULL;
  g_autoptr(HavenRequest) request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);
  g_autoptr(HavenRequest) incomplete = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autofree char *request_id = g_uuid_string_random ();
  g_autofree char *json = NULL;
  g_autoptr(GBytes) body = make_body (request_id, "async");
  gsize length;

  haven_outbox_enqueue_async (fixture->outbox, request_id, HAVEN_REQUEST_KIND_REMOVAL, body,
                              NULL, store_result_cb, &result);
  g_assert_true (haven_outbox_enqueue_finish (fixture->outbox, wait_for_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_entries (fixture->outbox), ==, 1);

  haven_request_set_category (request, "harassment");
  haven_request_add_item (request, "https://example.social/p/1", NULL, "about me");
  haven_request_set_reporter_role (request, "self");
  haven_request_set_declaration_accurate (request, TRUE);
  haven_request_set_declaration_authorised (request, TRUE);
  haven_request_confirm (request, "kiosk-1", "en");
  haven_outbox_enqueue_request_async (fixture->outbox, request, NULL, store_result_cb,
                                      &request_result);
  g_assert_true (haven_outbox_enqueue_request_finish (fixture->outbox,
                                                      wait_for_result (&request_result), &error));
  g_assert_no_error (error);

  entry = haven_outbox_lookup (fixture->outbox, haven_request_get_request_id (request), TRUE,
                               &error);
  g_assert_no_error (error);
  json = haven_request_to_json (request, &length);
  g_assert_cmpmem (g_bytes_get_data (entry->body, NULL), g_bytes_get_size (entry->body),
                   json, length);

  /* An unconfirmed request is refused, and the visitor's draft stays. */
  haven_request_set_category (incomplete, "harassment");
  haven_outbox_enqueue_request_async (fixture->outbox, incomplete, NULL, store_result_cb,
                                      &invalid_result);
  g_assert_false (haven_outbox_enqueue_request_finish (fixture->outbox,
                                                       wait_for_result (&invalid_result), &error));
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_INVALID);
  g_assert_cmpstr (haven_request_get_category (incomplete), ==, "harassment");
  g_assert_cmpuint (count_entries (fixture->outbox), ==, 2);
}

static void
test_settings (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autofree char *default_path = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *path = g_build_filename (fixture->folder, "from-settings.sqlite", NULL);
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 secret_key[HAVEN_SEALED_BOX_KEY_BYTES];
  g_autofree char *encoded = NULL;

  g_assert_cmpuint (g_settings_get_uint64 (settings, "outbox-max-bytes"), ==,
                    HAVEN_OUTBOX_DEFAULT_MAX_BYTES);
  default_path = haven_outbox_dup_default_path (settings);
  expected = g_build_filename (g_get_user_data_dir (), "haven", "outbox.sqlite", NULL);
  g_assert_cmpstr (default_path, ==, expected);

  haven_sealed_box_generate_key_pair (public_key, secret_key);
  encoded = haven_sealed_box_encode_key (public_key);
  g_settings_set_string (settings, "outbox-file", path);
  g_settings_set_uint64 (settings, "outbox-max-bytes", 2 * 1024 * 1024);
  g_settings_set_string (settings, "backend-public-key", encoded);

  outbox = haven_outbox_new_from_settings (settings, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (haven_outbox_get_path (outbox), ==, path);
  g_assert_cmpuint (haven_outbox_get_max_bytes (outbox), ==, 2 * 1024 * 1024);
  g_assert_true (haven_outbox_get_sealing (outbox));
  g_assert_cmpint (haven_outbox_get_failed_retention (outbox), ==, 30 * G_TIME_SPAN_DAY);

  /* Followed while it runs: the operator fixes a kiosk without a restart. */
  g_settings_set_uint (settings, "failed-retention-days", 7);
  g_assert_cmpint (haven_outbox_get_failed_retention (outbox), ==, 7 * G_TIME_SPAN_DAY);
  g_settings_set_string (settings, "backend-public-key", "");
  g_assert_cmpint (haven_outbox_get_sealing_state (outbox), ==, HAVEN_OUTBOX_SEALING_REFUSED);
  g_settings_set_boolean (settings, "allow-unsealed-outbox", TRUE);
  g_assert_cmpint (haven_outbox_get_sealing_state (outbox), ==, HAVEN_OUTBOX_SEALING_UNSEALED);
  g_settings_set_string (settings, "backend-public-key", encoded);
  g_assert_cmpint (haven_outbox_get_sealing_state (outbox), ==, HAVEN_OUTBOX_SEALING_SEALED);
  g_clear_object (&outbox);

  /* A wrong key refuses requests, rather than queueing them unsealed; the
   * outbox still opens, so that what is queued already still goes out. */
  g_settings_set_string (settings, "backend-public-key", "not a key");
  outbox = haven_outbox_new_from_settings (settings, &error);
  g_assert_no_error (error);
  g_assert_cmpint (haven_outbox_get_sealing_state (outbox), ==,
                   HAVEN_OUTBOX_SEALING_INVALID_KEY);
  g_clear_object (&outbox);

  g_settings_reset (settings, "outbox-file");
  g_settings_reset (settings, "outbox-max-bytes");
  g_settings_reset (settings, "backend-public-key");
  g_settings_reset (settings, "allow-unsealed-outbox");
  g_settings_reset (settings, "failed-retention-days");
}

/* The line the operator screen and `havenctl backend check` show. */
static void
test_sealing_description (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 secret_key[HAVEN_SEALED_BOX_KEY_BYTES];
  g_autofree char *encoded = NULL;
  g_autofree char *default_key = g_settings_get_string (settings, "backend-public-key");
  char *description = NULL;

  /* The defaults refuse. */
  g_assert_cmpstr (default_key, ==, "");
  g_assert_false (g_settings_get_boolean (settings, "allow-unsealed-outbox"));
  g_assert_cmpint (haven_outbox_sealing_from_settings (settings, &description), ==,
                   HAVEN_OUTBOX_SEALING_REFUSED);
  g_assert_cmpstr (description, ==,
                   "NOT sealed: requests are refused until a backend key is set "
                   "(backend-public-key)");
  g_assert_true (haven_outbox_sealing_refuses (HAVEN_OUTBOX_SEALING_REFUSED));
  g_clear_pointer (&description, g_free);

  g_settings_set_boolean (settings, "allow-unsealed-outbox", TRUE);
  g_assert_cmpint (haven_outbox_sealing_from_settings (settings, &description), ==,
                   HAVEN_OUTBOX_SEALING_UNSEALED);
  g_assert_true (g_str_has_prefix (description, "Not sealed: allowed by setting"));
  g_assert_false (haven_outbox_sealing_refuses (HAVEN_OUTBOX_SEALING_UNSEALED));
  g_clear_pointer (&description, g_free);

  haven_sealed_box_generate_key_pair (public_key, secret_key);
  encoded = haven_sealed_box_encode_key (public_key);
  g_settings_set_string (settings, "backend-public-key", encoded);
  g_assert_cmpint (haven_outbox_sealing_from_settings (settings, &description), ==,
                   HAVEN_OUTBOX_SEALING_SEALED);
  g_assert_cmpstr (description, ==, "Sealed for the backend");
  g_clear_pointer (&description, g_free);

  /* A malformed key says so, and refuses, whatever the allow setting. */
  g_settings_set_string (settings, "backend-public-key", "c2hvcnQ=");
  g_assert_cmpint (haven_outbox_sealing_from_settings (settings, &description), ==,
                   HAVEN_OUTBOX_SEALING_INVALID_KEY);
  g_assert_true (g_str_has_prefix (description,
                                   "NOT sealed: the backend-public-key setting is not usable"));
  g_assert_true (haven_outbox_sealing_refuses (HAVEN_OUTBOX_SEALING_INVALID_KEY));
  g_clear_pointer (&description, g_free);

  g_settings_reset (settings, "backend-public-key");
  g_settings_reset (settings, "allow-unsealed-outbox");
}

/* No key and unsealed not allowed, as a kiosk is by default: nothing of
 * the request reaches the file. */
static void
test_refused_unsealed (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(HavenRequest) request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) body = make_body (request_id, "unsealed-marker-0b7e");
  g_autofree char *rows = NULL;
  g_autofree char *bodies = NULL;

  /* Opened as a kiosk opens it, without allowing anything. */
  g_assert_finalize_object (wait_for_last_reference (fixture->outbox));
  fixture->outbox = haven_outbox_new (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (haven_outbox_get_sealing_state (fixture->outbox), ==,
                   HAVEN_OUTBOX_SEALING_REFUSED);

  g_assert_false (haven_outbox_enqueue (fixture->outbox, request_id, HAVEN_REQUEST_KIND_REMOVAL,
                                        body, &error));
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_SEALED);
  /* The operator's log is told which settings; never the visitor's words. */
  g_assert_nonnull (strstr (error->message, "backend-public-key"));
  g_assert_nonnull (strstr (error->message, "allow-unsealed-outbox"));
  g_assert_null (strstr (error->message, "unsealed-marker-0b7e"));
  g_clear_error (&error);

  /* The kiosk's way in, too. */
  haven_request_set_category (request, "harassment");
  haven_request_add_item (request, "https://example.social/p/1", NULL, "unsealed-marker-0b7e");
  haven_request_set_reporter_role (request, "self");
  haven_request_set_declaration_accurate (request, TRUE);
  haven_request_set_declaration_authorised (request, TRUE);
  haven_request_confirm (request, "kiosk-1", "en");
  haven_outbox_enqueue_request_async (fixture->outbox, request, NULL, store_result_cb, &result);
  g_assert_false (haven_outbox_enqueue_request_finish (fixture->outbox, wait_for_result (&result),
                                                       &error));
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_SEALED);
  /* The task holds the outbox. */
  g_clear_object (&result);

  /* No row, no body, and not a byte of it in either file. */
  g_assert_cmpuint (count_entries (fixture->outbox), ==, 0);
  g_assert_finalize_object (wait_for_last_reference (g_steal_pointer (&fixture->outbox)));
  rows = query_text (fixture->path, "SELECT count(*) FROM entries");
  bodies = query_text (fixture->path, "SELECT count(*) FROM bodies");
  g_assert_cmpstr (rows, ==, "0");
  g_assert_cmpstr (bodies, ==, "0");
  g_assert_false (outbox_files_contain (fixture->path, "unsealed-marker-0b7e"));
  g_assert_false (outbox_files_contain (fixture->path, request_id));
}

/* With allow-unsealed-outbox on and no key, bodies are kept as they are. */
static void
test_allowed_unsealed (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *request_id = NULL;
  g_autofree char *other = g_uuid_string_random ();
  g_autoptr(GBytes) body = make_body (other, "x");
  g_autoptr(HavenOutboxEntry) entry = NULL;

  g_assert_cmpint (haven_outbox_get_sealing_state (fixture->outbox), ==,
                   HAVEN_OUTBOX_SEALING_UNSEALED);
  request_id = enqueue_new (fixture->outbox, "allowed-marker-61aa");
  entry = haven_outbox_lookup (fixture->outbox, request_id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_false (entry->sealed);
  g_assert_true (outbox_files_contain (fixture->path, "allowed-marker-61aa"));

  /* Allowing stops, and the next is refused. */
  haven_outbox_set_allow_unsealed (fixture->outbox, FALSE);
  g_assert_false (haven_outbox_enqueue (fixture->outbox, other, HAVEN_REQUEST_KIND_REMOVAL, body,
                                        &error));
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_SEALED);
  g_assert_cmpuint (count_entries (fixture->outbox), ==, 1);
}

/* A failed entry is wiped once its retention is over, not before; the
 * clock is the caller's, so this needs no waiting. */
static void
test_failed_retention (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *failed = enqueue_new (fixture->outbox, "retained-marker-12fd");
  g_autofree char *delivered = enqueue_new (fixture->outbox, "d");
  g_autoptr(HavenOutboxEntry) entry = NULL;
  gint64 next_expiry = 0;
  guint n_expired = 99;

  haven_outbox_set_failed_retention (fixture->outbox, 3 * G_TIME_SPAN_DAY);
  g_assert_true (haven_outbox_get_next_expiry (fixture->outbox, &next_expiry, &error));
  g_assert_cmpint (next_expiry, ==, G_MAXINT64);

  g_assert_true (haven_outbox_record_failed (fixture->outbox, failed, 400, "refused", NULL,
                                             &error));
  g_assert_true (haven_outbox_record_delivered (fixture->outbox, delivered, "HV-1", &error));
  g_assert_no_error (error);
  entry = haven_outbox_lookup (fixture->outbox, failed, FALSE, &error);
  g_assert_cmpint (haven_outbox_get_expiry (fixture->outbox, entry), ==,
                   entry->finished_at + 3 * G_TIME_SPAN_DAY);
  g_assert_true (haven_outbox_get_next_expiry (fixture->outbox, &next_expiry, &error));
  g_assert_cmpint (next_expiry, ==, entry->finished_at + 3 * G_TIME_SPAN_DAY);

  g_assert_true (haven_outbox_expire (fixture->outbox,
                                      entry->finished_at + 3 * G_TIME_SPAN_DAY - G_TIME_SPAN_MINUTE,
                                      &n_expired, &error));
  g_assert_cmpuint (n_expired, ==, 0);
  g_assert_true (outbox_files_contain (fixture->path, "retained-marker-12fd"));

  /* Over: the failed one goes, body and all; the delivered one has its
   * own, longer time. */
  g_assert_true (haven_outbox_expire (fixture->outbox,
                                      entry->finished_at + 3 * G_TIME_SPAN_DAY + G_TIME_SPAN_MINUTE,
                                      &n_expired, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_expired, ==, 1);
  g_assert_cmpuint (count_entries (fixture->outbox), ==, 1);
  g_assert_false (outbox_files_contain (fixture->path, "retained-marker-12fd"));
}

/* An outbox made by the first version, with a request in each state, is
 * brought to the current schema when opened, and keeps its requests. */
static void
test_migrate_v1 (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char v1_schema[] =
    "CREATE TABLE entries ("
    "  id INTEGER PRIMARY KEY,"
    "  request_id TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('removal', 'report')),"
    "  state TEXT NOT NULL"
    "    CHECK (state IN ('queued', 'sending', 'delivered', 'failed')),"
    "  sealed INTEGER NOT NULL,"
    "  body_size INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  next_attempt_at INTEGER NOT NULL,"
    "  last_attempt_at INTEGER NOT NULL DEFAULT 0,"
    "  finished_at INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT,"
    "  case_reference TEXT"
    ") STRICT;"
    "CREATE INDEX entries_due ON entries (state, next_attempt_at);"
    "CREATE TABLE bodies ("
    "  entry_id INTEGER PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,"
    "  body BLOB NOT NULL"
    ") STRICT;"
    "INSERT INTO entries (request_id, kind, state, sealed, body_size, created_at,"
    "  next_attempt_at, finished_at, last_error) VALUES"
    "  ('0f8c7e0a-4c1e-4a51-9a53-2b1f3c9d7e11', 'removal', 'queued', 1, 4, 1, 1, 0, NULL),"
    "  ('1f8c7e0a-4c1e-4a51-9a53-2b1f3c9d7e11', 'report', 'failed', 1, 4, 1, 1,"
    "   strftime ('%s', 'now') * 1000000, 'refused (HTTP 413)');"
    "INSERT INTO bodies (entry_id, body) VALUES (1, x'01020304'), (2, x'05060708');"
    "PRAGMA user_version = 1;";
  g_autofree char *path = g_build_filename (fixture->folder, "v1.sqlite", NULL);
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(HavenOutboxEntry) queued = NULL;
  g_autoptr(HavenOutboxEntry) failed = NULL;
  g_autoptr(HavenOutboxEntry) claimed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *integrity = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, v1_schema, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  outbox = haven_outbox_new (path, &error);
  g_assert_no_error (error);
  version = query_text (path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, "3");

  queued = haven_outbox_lookup (outbox, "0f8c7e0a-4c1e-4a51-9a53-2b1f3c9d7e11", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (queued->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (g_bytes_get_size (queued->body), ==, 4);
  failed = haven_outbox_lookup (outbox, "1f8c7e0a-4c1e-4a51-9a53-2b1f3c9d7e11", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (failed->state, ==, HAVEN_OUTBOX_STATE_FAILED);
  g_assert_cmpuint (failed->http_status, ==, 0);
  g_assert_null (failed->error_fields);
  g_assert_cmpstr (failed->last_error, ==, "refused (HTTP 413)");
  /* Sealed before kiosks made envelopes: it goes without one. */
  g_assert_null (queued->envelope);
  g_assert_null (failed->envelope);

  /* The new columns are used from now on. */
  claimed = haven_outbox_claim_next (outbox, G_MAXINT64, &error);
  g_assert_nonnull (claimed);
  g_assert_true (haven_outbox_record_failed (outbox, queued->request_id, 400, "refused",
                                             "{}", &error));
  g_assert_no_error (error);
  g_clear_object (&outbox);

  /* And opening it again changes nothing more. */
  outbox = haven_outbox_new (path, &error);
  g_assert_no_error (error);
  integrity = query_text (path, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  g_clear_pointer (&failed, haven_outbox_entry_free);
  failed = haven_outbox_lookup (outbox, queued->request_id, FALSE, &error);
  g_assert_cmpuint (failed->http_status, ==, 400);
  g_assert_cmpstr (failed->error_fields, ==, "{}");
}

/* A confirmed request's envelope is kept beside its sealed body: the
 * header the kiosk made from it, the same after the outbox is opened
 * again, with each claim and once it failed; gone with the body once
 * delivered. */
static void
test_envelope (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(HavenRequest) request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);
  g_autoptr(HavenRequest) report = haven_request_new (HAVEN_REQUEST_KIND_REPORT);
  g_autoptr(HavenRequestEnvelope) expected = NULL;
  g_autoptr(HavenRequestEnvelope) parsed = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(HavenOutboxEntry) claimed = NULL;
  g_autoptr(HavenOutboxEntry) again = NULL;
  g_autoptr(HavenOutboxEntry) failed = NULL;
  g_autoptr(HavenOutboxEntry) delivered = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = NULL;
  g_autofree char *other_id = NULL;
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 secret_key[HAVEN_SEALED_BOX_KEY_BYTES];
  g_autofree char *encoded = NULL;

  haven_sealed_box_generate_key_pair (public_key, secret_key);
  encoded = haven_sealed_box_encode_key (public_key);
  g_assert_true (haven_outbox_set_public_key (fixture->outbox, encoded, &error));

  haven_request_set_category (request, "child-abuse-material");
  haven_request_set_child_involved (request, TRUE);
  haven_request_add_item (request, "https://example.social/p/1", NULL, "envelope-marker-77c1");
  haven_request_set_reporter_role (request, "self");
  haven_request_set_declaration_accurate (request, TRUE);
  haven_request_set_declaration_authorised (request, TRUE);
  haven_request_confirm (request, "station-12-lobby", "es");
  expected = haven_request_envelope_new_for_request (request, &error);
  g_assert_no_error (error);
  header = haven_request_envelope_to_header (expected);

  g_assert_true (haven_outbox_enqueue_request (fixture->outbox, request, &error));
  g_assert_no_error (error);
  entry = haven_outbox_lookup (fixture->outbox, haven_request_get_request_id (request), FALSE,
                               &error);
  g_assert_no_error (error);
  g_assert_true (entry->sealed);
  g_assert_cmpstr (entry->envelope, ==, header);
  g_assert_false (outbox_files_contain (fixture->path, "envelope-marker-77c1"));

  /* What the kiosk keeps reads as the envelope of that very request. */
  parsed = haven_request_envelope_parse_header (HAVEN_REQUEST_KIND_REMOVAL, entry->envelope,
                                                &error);
  g_assert_no_error (error);
  g_assert_true (haven_request_envelope_matches (parsed, request, &error));
  g_assert_no_error (error);

  /* After a restart, and with every claim: the same bytes. */
  reopen (fixture);
  claimed = haven_outbox_claim_next (fixture->outbox, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (claimed->request_id, ==, haven_request_get_request_id (request));
  g_assert_cmpstr (claimed->envelope, ==, header);
  g_assert_true (haven_outbox_record_retry (fixture->outbox, claimed->request_id, 0, "busy",
                                            &error));
  again = haven_outbox_claim (fixture->outbox, claimed->request_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->envelope, ==, header);

  /* Failed for good: kept, for the staff's export. */
  g_assert_true (haven_outbox_record_failed (fixture->outbox, again->request_id, 400, "refused",
                                             NULL, &error));
  failed = haven_outbox_lookup (fixture->outbox, again->request_id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (failed->envelope, ==, header);

  /* Delivered: gone with the body. */
  haven_request_set_category (report, "fraud");
  haven_request_set_reporter_role (report, "self");
  haven_request_confirm (report, "station-12-lobby", "en");
  g_assert_true (haven_outbox_enqueue_request (fixture->outbox, report, &error));
  g_assert_no_error (error);
  other_id = g_strdup (haven_request_get_request_id (report));
  g_clear_pointer (&claimed, haven_outbox_entry_free);
  claimed = haven_outbox_claim (fixture->outbox, other_id, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (claimed->envelope, "v=1, kind=\"report\", category=\"fraud\""));
  g_assert_true (haven_outbox_record_delivered (fixture->outbox, other_id, "HV-1", &error));
  delivered = haven_outbox_lookup (fixture->outbox, other_id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (delivered->envelope);

  /* A body enqueued as bytes, without an envelope, has none. */
  {
    g_autofree char *plain_id = NULL;
    g_autoptr(HavenOutboxEntry) plain = NULL;

    haven_outbox_set_public_key (fixture->outbox, NULL, NULL);
    plain_id = enqueue_new (fixture->outbox, "no-envelope");
    plain = haven_outbox_lookup (fixture->outbox, plain_id, FALSE, &error);
    g_assert_no_error (error);
    g_assert_null (plain->envelope);
  }
}

/* An outbox of version 2, as kiosks have it now, is brought to version 3:
 * its queued request keeps its body and goes without an envelope, and new
 * ones keep theirs. */
static void
test_migrate_v2 (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char v2_schema[] =
    "CREATE TABLE entries ("
    "  id INTEGER PRIMARY KEY,"
    "  request_id TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('removal', 'report')),"
    "  state TEXT NOT NULL"
    "    CHECK (state IN ('queued', 'sending', 'delivered', 'failed')),"
    "  sealed INTEGER NOT NULL,"
    "  body_size INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  next_attempt_at INTEGER NOT NULL,"
    "  last_attempt_at INTEGER NOT NULL DEFAULT 0,"
    "  finished_at INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT,"
    "  case_reference TEXT,"
    "  http_status INTEGER NOT NULL DEFAULT 0,"
    "  error_fields TEXT"
    ") STRICT;"
    "CREATE INDEX entries_due ON entries (state, next_attempt_at);"
    "CREATE INDEX entries_finished ON entries (state, finished_at);"
    "CREATE TABLE bodies ("
    "  entry_id INTEGER PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,"
    "  body BLOB NOT NULL"
    ") STRICT;"
    "INSERT INTO entries (request_id, kind, state, sealed, body_size, created_at,"
    "  next_attempt_at) VALUES"
    "  ('0f8c7e0a-4c1e-4a51-9a53-2b1f3c9d7e11', 'removal', 'queued', 1, 4, 1, 1);"
    "INSERT INTO bodies (entry_id, body) VALUES (1, x'01020304');"
    "PRAGMA user_version = 2;";
  g_autofree char *path = g_build_filename (fixture->folder, "v2.sqlite", NULL);
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(HavenOutboxEntry) queued = NULL;
  g_autoptr(HavenOutboxEntry) added = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GBytes) body = make_body (request_id, "v3");
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, v2_schema, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  outbox = haven_outbox_new (path, &error);
  g_assert_no_error (error);
  haven_outbox_set_allow_unsealed (outbox, TRUE);
  version = query_text (path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, "3");

  queued = haven_outbox_claim_next (outbox, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (queued->request_id, ==, "0f8c7e0a-4c1e-4a51-9a53-2b1f3c9d7e11");
  g_assert_cmpuint (g_bytes_get_size (queued->body), ==, 4);
  g_assert_null (queued->envelope);

  g_assert_true (haven_outbox_enqueue_with_envelope (outbox, request_id,
                                                     HAVEN_REQUEST_KIND_REMOVAL, body,
                                                     "v=1, kind=\"removal\"", &error));
  g_assert_no_error (error);
  added = haven_outbox_lookup (outbox, request_id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (added->envelope, ==, "v=1, kind=\"removal\"");
}

/* The kill test. The child enqueues for ever, printing each id once
 * haven_outbox_enqueue() has returned; the parent kills it with SIGKILL at
 * a random moment, several times over, and then every printed id must be
 * in the outbox with its body, and the file must be sound. */
static int
enqueue_loop (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenOutbox) outbox = haven_outbox_new (path, &error);

  if (outbox == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  /* The parent compares the bodies it reads back with what was sent. */
  haven_outbox_set_allow_unsealed (outbox, TRUE);

  for (;;)
    {
      g_autofree char *request_id = g_uuid_string_random ();
      g_autoptr(GBytes) body = make_body (request_id, "kill");

      if (!haven_outbox_enqueue (outbox, request_id, HAVEN_REQUEST_KIND_REMOVAL, body, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      /* Unbuffered: the id is acknowledged the moment it is written. */
      if (write (STDOUT_FILENO, request_id, strlen (request_id)) < 0 ||
          write (STDOUT_FILENO, "\n", 1) < 0)
        return 1;
    }
}

static void
test_kill (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) acknowledged = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *integrity = NULL;
  g_autofree char *orphans = NULL;
  g_autofree char *total = NULL;
  g_autoptr(GError) error = NULL;

  /* The child opens the file itself. */
  g_assert_finalize_object (wait_for_last_reference (g_steal_pointer (&fixture->outbox)));

  for (guint round = 0; round < 8; round++)
    {
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GDataInputStream) output = NULL;
      guint before = acknowledged->len;
      char *line;

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                self_path, ENQUEUE_LOOP_ARGUMENT, fixture->path, NULL);
      g_assert_no_error (error);
      output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));

      /* Every other round the child is first seen in its loop, so that
       * kills land among writes however slowly a busy machine (or a
       * sanitizer build) starts it; the other rounds kill it anywhere,
       * opening the file included. */
      if (round % 2 == 1)
        {
          line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
          g_assert_no_error (error);
          g_assert_true (line != NULL && haven_request_is_uuid_v4 (line));
          g_ptr_array_add (acknowledged, line);
        }
      g_usleep (g_test_rand_int_range (5, 150) * 1000);
      g_subprocess_force_exit (child);
      g_assert_true (g_subprocess_wait (child, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_signaled (child));
      g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

      /* A pipe keeps what was written before the kill. A line cut short
       * by the kill was never acknowledged. */
      while ((line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error)) != NULL)
        {
          if (haven_request_is_uuid_v4 (line))
            g_ptr_array_add (acknowledged, line);
          else
            g_free (line);
        }
      g_assert_no_error (error);
      g_test_message ("round %u: %u acknowledged", round, acknowledged->len - before);
    }

  g_assert_cmpuint (acknowledged->len, >, 0);

  integrity = query_text (fixture->path, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  orphans = query_text (fixture->path,
                        "SELECT count(*) FROM entries LEFT JOIN bodies ON entry_id = id"
                        " WHERE body IS NULL OR length (body) != body_size");
  g_assert_cmpstr (orphans, ==, "0");

  fixture->outbox = haven_outbox_new (fixture->path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < acknowledged->len; i++)
    {
      const char *request_id = g_ptr_array_index (acknowledged, i);
      g_autoptr(HavenOutboxEntry) entry = NULL;
      g_autoptr(GBytes) expected = make_body (request_id, "kill");

      entry = haven_outbox_lookup (fixture->outbox, request_id, TRUE, &error);
      g_assert_no_error (error);
      g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
      g_assert_true (g_bytes_equal (entry->body, expected));
    }

  /* At most one per round, committed but killed before it was printed,
   * is there without having been acknowledged. */
  total = query_text (fixture->path, "SELECT count(*) FROM entries");
  g_assert_cmpuint (g_ascii_strtoull (total, NULL, 10), <=, acknowledged->len + 8);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], ENQUEUE_LOOP_ARGUMENT))
    return enqueue_loop (argv[2]);

  self_path = argv[0];
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/haven/outbox/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("create", test_create);
  ADD ("too-new", test_too_new);
  ADD ("enqueue-list", test_enqueue_list);
  ADD ("claim-deliver", test_claim_deliver);
  ADD ("claim-many-record-outcomes", test_claim_many_record_outcomes);
  ADD ("retry", test_retry);
  ADD ("failed-purge", test_failed_purge);
  ADD ("expire", test_expire);
  ADD ("sending-requeued-at-open", test_sending_requeued_at_open);
  ADD ("full", test_full);
  ADD ("disk-full", test_disk_full);
  ADD ("sealed", test_sealed);
  ADD ("invalid-key", test_invalid_key);
  ADD ("async", test_async);
  ADD ("settings", test_settings);
  ADD ("sealing-description", test_sealing_description);
  ADD ("refused-unsealed", test_refused_unsealed);
  ADD ("allowed-unsealed", test_allowed_unsealed);
  ADD ("failed-retention", test_failed_retention);
  ADD ("envelope", test_envelope);
  ADD ("migrate-v1", test_migrate_v1);
  ADD ("migrate-v2", test_migrate_v2);
  ADD ("kill", test_kill);

#undef ADD

  return g_test_run ();
}
