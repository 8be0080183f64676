/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-outbox-ctl"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "haven-outbox.h"
#include "haven-request.h"
#include "haven-sealed-box.h"
#include "receiver-process.h"
#include "test-files.h"

/* havenctl outbox add / list / purge, run as the operator runs them, with
 * settings in a keyfile of their own. The visitor's words in each request
 * carry a marker that must never appear in what havenctl prints or, when
 * sealing, in the outbox file. */

#define MARKER "visitor-words-4e1b"
#define REQUEST_ID "2f0b6a1c-9d3e-4c5f-8a7b-1e2d3c4b5a69"

typedef struct {
  char *folder;
  char *config_home;
  char *outbox_path;
  GSettings *settings;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->folder = g_dir_make_tmp ("haven-outbox-ctl-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->config_home = g_build_filename (fixture->folder, "config", NULL);
  fixture->outbox_path = g_build_filename (fixture->folder, "data", "outbox.sqlite", NULL);
  fixture->settings = keyfile_settings_new (fixture->config_home);
  g_settings_set_string (fixture->settings, "outbox-file", fixture->outbox_path);
  g_settings_set_string (fixture->settings, "kiosk-id", "test-kiosk");
  /* Most cases read what was queued; "sealed" seals, and
   * "refused-unsealed" turns this off. */
  g_settings_set_boolean (fixture->settings, "allow-unsealed-outbox", TRUE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->settings);
  remove_tree (fixture->folder);
  g_free (fixture->outbox_path);
  g_free (fixture->config_home);
  g_free (fixture->folder);
}

/* Runs havenctl with a NULL-terminated list of arguments; returns its exit
 * status and what it printed. */
static int
run_ctl (Fixture  *fixture,
         char    **standard_output,
         char    **standard_error,
         ...)
{
  g_autoptr(GPtrArray) arguments = g_ptr_array_new ();
  const char *argument;
  va_list args;
  int status;

  va_start (args, standard_error);
  while ((argument = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (arguments, (char *) argument);
  va_end (args);
  g_ptr_array_add (arguments, NULL);

  status = run_havenctl (fixture->config_home, (const char * const *) arguments->pdata,
                         standard_output, standard_error);

  /* Whatever the command, the visitor's words are never printed. */
  g_assert_null (strstr (*standard_output, MARKER));
  g_assert_null (strstr (*standard_error, MARKER));

  return status;
}

static const char removal_with_id[] =
  "{\"request_id\": \"" REQUEST_ID "\","
  " \"created_at\": \"2026-11-27T10:15:00Z\","
  " \"kiosk_id\": \"station-12-lobby\", \"locale\": \"es\","
  " \"category\": \"intimate-images\","
  " \"items\": [{\"url\": \"https://example.social/p/123\","
  "              \"description\": \"" MARKER "\"}],"
  " \"reporter\": {\"role\": \"self\", \"consent_to_contact\": false},"
  " \"declaration\": {\"accurate\": true, \"authorised\": true}}";

/* What havenctl outbox add keeps beside removal_with_id's body. */
#define REMOVAL_ENVELOPE \
  "v=1, kind=\"removal\", category=\"intimate-images\", locale=\"es\", " \
  "kiosk=\"station-12-lobby\", child=?0, created=\"2026-11-27T10:15:00Z\""

static void
test_add_list_purge (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *file = write_file (fixture->folder, "removal.json", removal_with_id);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  char *err = NULL;
  JsonArray *array;
  JsonObject *entry;

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "list", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "The outbox is empty\n");
  /* Listing makes no outbox. */
  g_assert_false (g_file_test (fixture->outbox_path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "add", file, NULL), ==, 0);
  g_assert_cmpstr (out, ==, REQUEST_ID "\n");
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The same request twice is one request. */
  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "add", file, NULL), ==, 1);
  g_assert_nonnull (strstr (err, REQUEST_ID));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "list", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "ID "));
  g_assert_nonnull (strstr (out, REQUEST_ID "  removal  queued  0 "));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "list", "--json", NULL), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  entry = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "request_id"), ==, REQUEST_ID);
  g_assert_cmpstr (json_object_get_string_member (entry, "kind"), ==, "removal");
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "queued");
  g_assert_cmpint (json_object_get_int_member (entry, "attempts"), ==, 0);
  g_assert_false (json_object_get_boolean_member (entry, "sealed"));
  g_assert_true (json_object_get_null_member (entry, "last_error"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "purge", REQUEST_ID, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "purge", REQUEST_ID, NULL), ==, 1);
  g_assert_nonnull (strstr (err, REQUEST_ID));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "list", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "The outbox is empty\n");
  g_free (out);
  g_free (err);
}

static void
test_confirms_without_id (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *file = write_file (fixture->folder, "report.json",
    "{\"category\": \"fraud\","
    " \"reporter\": {\"role\": \"self\", \"consent_to_contact\": false},"
    " \"incident\": {\"summary\": \"" MARKER "\"}, \"evidence\": []}");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *listed_err = NULL;
  g_autofree char *request_id = NULL;

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "add", file, NULL), ==, 0);
  request_id = g_strstrip (g_strdup (out));
  g_assert_true (haven_request_is_uuid_v4 (request_id));

  g_assert_cmpint (run_ctl (fixture, &listed, &listed_err, "outbox", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (listed, request_id));
  g_assert_nonnull (strstr (listed, " report "));
}

static void
test_invalid (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *file = write_file (fixture->folder, "bad.json",
    "{\"category\": \"harassment\","
    " \"items\": [{\"url\": \"" MARKER "\", \"description\": \"" MARKER "\"}],"
    " \"reporter\": {\"role\": \"self\"},"
    " \"declaration\": {\"accurate\": true, \"authorised\": false}}");
  g_autofree char *neither = write_file (fixture->folder, "neither.json", "{\"x\": 1}");
  char *out = NULL;
  char *err = NULL;

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "add", file, NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "items[0].url: "));
  g_assert_nonnull (strstr (err, "declaration.authorised: "));
  g_assert_false (g_file_test (fixture->outbox_path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "add", neither, NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* With the kind given, the same file is read as that kind. */
  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "add", "--kind=report",
                            neither, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "category: "));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "add", "--kind=other",
                            neither, NULL), ==, 2);
  g_free (out);
  g_free (err);
}

/* A body nested 120,000 deep, under every size limit, used to overflow
 * havenctl's stack; it is refused with a reason and nothing is queued. */
static void
test_nested (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GString) nested = g_string_new ("{\"request_id\": \"" REQUEST_ID "\", \"items\": ");
  g_autofree char *file = NULL;
  char *out = NULL;
  char *err = NULL;

  for (guint i = 0; i < 120000; i++)
    g_string_append_c (nested, '[');
  for (guint i = 0; i < 120000; i++)
    g_string_append_c (nested, ']');
  g_string_append_c (nested, '}');
  file = write_file (fixture->folder, "nested.json", nested->str);

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "add", file, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "nested more than 32 levels deep"));
  g_assert_false (g_file_test (fixture->outbox_path, G_FILE_TEST_EXISTS));
  g_free (out);
  g_free (err);
}

static void
test_sealed (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *file = write_file (fixture->folder, "removal.json", removal_with_id);
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 secret_key[HAVEN_SEALED_BOX_KEY_BYTES];
  g_autofree char *encoded = NULL;
  g_autofree char *wal = g_strconcat (fixture->outbox_path, "-wal", NULL);
  char *out = NULL;
  char *err = NULL;

  haven_sealed_box_generate_key_pair (public_key, secret_key);
  encoded = haven_sealed_box_encode_key (public_key);
  g_settings_set_string (fixture->settings, "backend-public-key", encoded);

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "add", file, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_true (file_contains (fixture->outbox_path, REQUEST_ID));
  g_assert_false (file_contains (fixture->outbox_path, MARKER));
  g_assert_false (file_contains (wal, MARKER));

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "list", "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"sealed\" : true"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The body is sealed; its envelope, made from it before sealing, is
   * kept beside it as the header to send. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HavenOutbox) outbox = haven_outbox_new (fixture->outbox_path, &error);
    g_autoptr(HavenOutboxEntry) entry = NULL;

    g_assert_no_error (error);
    entry = haven_outbox_lookup (outbox, REQUEST_ID, FALSE, &error);
    g_assert_no_error (error);
    g_assert_true (entry->sealed);
    g_assert_cmpstr (entry->envelope, ==, REMOVAL_ENVELOPE);
  }

  /* A key that is wrong stops add, and says so, whatever
   * allow-unsealed-outbox says, but not list. */
  g_settings_set_string (fixture->settings, "backend-public-key", "c2hvcnQ=");
  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "add", file, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "The backend-public-key setting is not usable"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, REQUEST_ID));
  g_free (out);
  g_free (err);
}

/* As every kiosk is until it is given a key: add refuses, says which
 * settings and what to do, and writes nothing. */
static void
test_refused_unsealed (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *file = write_file (fixture->folder, "removal.json", removal_with_id);
  g_autofree char *wal = g_strconcat (fixture->outbox_path, "-wal", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *listed_err = NULL;

  g_settings_set_boolean (fixture->settings, "allow-unsealed-outbox", FALSE);

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "add", file, NULL), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "Requests are refused and nothing is kept: "
                                        "backend-public-key is empty"));
  g_assert_nonnull (strstr (err, "allow-unsealed-outbox"));
  g_assert_nonnull (strstr (err, "haven-receiver --make-keypair"));

  g_assert_false (file_contains (fixture->outbox_path, MARKER));
  g_assert_false (file_contains (wal, MARKER));
  g_assert_false (file_contains (fixture->outbox_path, REQUEST_ID));
  g_assert_cmpint (run_ctl (fixture, &listed, &listed_err, "outbox", "list", NULL), ==, 0);
  g_assert_cmpstr (listed, ==, "The outbox is empty\n");
}

/* export-failed and purge --failed with nothing failed, and the bodies of
 * unsealed requests left out unless asked for. */
static void
test_export_unsealed (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *file = write_file (fixture->folder, "removal.json", removal_with_id);
  g_autofree char *folder = g_build_filename (fixture->folder, "export", NULL);
  g_autofree char *plain = g_build_filename (folder, REQUEST_ID ".json", NULL);
  g_autofree char *summary = g_build_filename (folder, REQUEST_ID ".error.json", NULL);
  g_autoptr(GSettings) same = NULL;
  char *out = NULL;
  char *err = NULL;

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "export-failed", folder, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "No failed requests to export\n");
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "add", file, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HavenOutbox) outbox = haven_outbox_new (fixture->outbox_path, &error);
    g_autoptr(HavenOutboxEntry) claimed = NULL;

    g_assert_no_error (error);
    claimed = haven_outbox_claim (outbox, REQUEST_ID, &error);
    g_assert_true (haven_outbox_record_failed (outbox, REQUEST_ID, 413,
                                               "The backend refused the request as too large "
                                               "(HTTP 413)", NULL, &error));
    g_assert_no_error (error);
  }

  /* Plain text is written only when asked for. */
  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "export-failed", folder, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Bodies left out because they are not sealed: 1 "));
  g_assert_true (g_file_test (summary, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (plain, G_FILE_TEST_EXISTS));
  g_assert_false (file_contains (summary, MARKER));
  g_assert_true (file_contains (summary, "\"http_status\" : 413"));
  g_assert_true (file_contains (summary, "\"body_file\" : null"));
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;
    JsonObject *root;

    g_assert_true (json_parser_load_from_file (parser, summary, &error));
    g_assert_no_error (error);
    root = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpstr (json_object_get_string_member (root, "envelope"), ==, REMOVAL_ENVELOPE);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "export-failed", "--include-unsealed",
                            folder, NULL), ==, 0);
  g_assert_true (file_contains (plain, MARKER));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "purge", "--failed", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Failed requests deleted: 1\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "purge", NULL), ==, 2);
  g_free (out);
  g_free (err);
}

/* havenctl forgets what the kiosk would: a failed request whose
 * failed-retention-days are over is wiped when the outbox is opened. The
 * time it failed is set back in the file rather than waited for. */
static void
test_failed_retention (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *file = write_file (fixture->folder, "removal.json", removal_with_id);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *after = NULL;
  g_autofree char *after_err = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "add", file, NULL), ==, 0);
  g_settings_set_uint (fixture->settings, "failed-retention-days", 2);
  {
    g_autoptr(HavenOutbox) outbox = haven_outbox_new (fixture->outbox_path, &error);
    g_autoptr(HavenOutboxEntry) claimed = NULL;
    g_autofree char *sql = NULL;
    sqlite3 *db = NULL;

    g_assert_no_error (error);
    claimed = haven_outbox_claim (outbox, REQUEST_ID, &error);
    g_assert_true (haven_outbox_record_failed (outbox, REQUEST_ID, 422, "refused", NULL,
                                               &error));
    g_assert_no_error (error);
    g_clear_object (&outbox);

    /* Failed a day and 23 hours ago: still kept. */
    sql = g_strdup_printf ("UPDATE entries SET finished_at = %" G_GINT64_FORMAT,
                           g_get_real_time () - 47 * G_TIME_SPAN_HOUR);
    g_assert_cmpint (sqlite3_open (fixture->outbox_path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (fixture, &out, &err, "outbox", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, REQUEST_ID "  removal  failed  1 "));
  g_assert_nonnull (strstr (out, "Each is wiped 2 days after it failed."));

  /* Two days and an hour ago: wiped, body and all. */
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE entries SET finished_at = %" G_GINT64_FORMAT,
                                            g_get_real_time () - 49 * G_TIME_SPAN_HOUR);
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (fixture->outbox_path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  g_assert_cmpint (run_ctl (fixture, &after, &after_err, "outbox", "list", NULL), ==, 0);
  g_assert_cmpstr (after, ==, "The outbox is empty\n");
  g_assert_false (file_contains (fixture->outbox_path, MARKER));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/haven/outbox-ctl/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("add-list-purge", test_add_list_purge);
  ADD ("confirms-without-id", test_confirms_without_id);
  ADD ("invalid", test_invalid);
  ADD ("sealed", test_sealed);
  ADD ("nested", test_nested);
  ADD ("refused-unsealed", test_refused_unsealed);
  ADD ("export-unsealed", test_export_unsealed);
  ADD ("failed-retention", test_failed_retention);

#undef ADD

  return g_test_run ();
}
