/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-kiosk-status"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "haven-kiosk-status.h"
#include "haven-paths.h"
#include "haven-outbox.h"
#include "haven-session.h"
#include "haven-summary.h"
#include "test-files.h"

/* The body of a kiosk's status report: its members and their values, and
 * that nothing of a visit reaches it, however full of a visitor's words
 * the outbox is. */

#define MARKER "status-marker-5d2e"

typedef struct {
  char *folder;
  HavenOutbox *outbox;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->folder = g_dir_make_tmp ("haven-kiosk-status-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->folder, "outbox.sqlite", NULL);
  fixture->outbox = haven_outbox_new (path, &error);
  g_assert_no_error (error);
  /* Unsealed, so the visitor's words are in the outbox as they are, for
   * the report to leave out. */
  haven_outbox_set_allow_unsealed (fixture->outbox, TRUE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->outbox);
  remove_tree (fixture->folder);
  g_free (fixture->folder);
}

/* A visit with the marker in every answer a visitor can type, sent as a
 * report: confirmed, and queued. */
static char *
enqueue_visit (HavenOutbox  *outbox,
               HavenContent *content,
               const char   *category)
{
  g_autoptr(HavenSession) session = haven_session_new ("en");
  g_autoptr(HavenRequest) report = NULL;
  g_autoptr(GError) error = NULL;

  haven_session_set_category (session, content, category);
  haven_session_set_answer (session, HAVEN_QUESTION_STORY, "The story: " MARKER);
  haven_session_set_answer (session, "what-you-hold", "Screenshots " MARKER);
  haven_session_set_answer (session, "started-on", "2026-11-20");
  haven_session_set_answer (session, "lost-money", "1250.50 GBP");

  report = haven_summary_build_report (session, content);
  haven_request_confirm (report, "station-12-lobby", "en");
  g_assert_true (haven_outbox_enqueue_request (outbox, report, &error));
  g_assert_no_error (error);

  return g_strdup (haven_request_get_request_id (report));
}

static JsonObject *
parse_object (JsonParser *parser,
              const char *body)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, body, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_node_get_object (json_parser_get_root (parser));
}

static void
assert_members (JsonObject         *object,
                const char * const *expected)
{
  g_autoptr(GList) members = json_object_get_members (object);

  g_assert_cmpuint (g_list_length (members), ==, g_strv_length ((char **) expected));
  for (const GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (expected, l->data))
      g_error ("unexpected member %s", (const char *) l->data);
}

static void
test_body (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(HavenContent) content = load_shipped_content ();
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 27, 10, 20, 0);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenOutboxEntry) claimed = NULL;
  g_autofree char *queued = enqueue_visit (fixture->outbox, content, "fraud");
  g_autofree char *failed = enqueue_visit (fixture->outbox, content, "extortion");
  g_autofree char *delivered = enqueue_visit (fixture->outbox, content, "harassment");
  g_autofree char *retried = enqueue_visit (fixture->outbox, content, "malware");
  g_autofree char *body = NULL;
  JsonObject *root;
  JsonObject *outbox;
  JsonObject *last_error;

  /* One refused for good, one delivered, one that met a busy backend
   * last, and whose error text quotes the visitor (it never would; the
   * report must not send it if it did). */
  claimed = haven_outbox_claim (fixture->outbox, failed, &error);
  g_assert_true (haven_outbox_record_failed (fixture->outbox, failed, 413, "too large", NULL,
                                             &error));
  g_clear_pointer (&claimed, haven_outbox_entry_free);
  claimed = haven_outbox_claim (fixture->outbox, delivered, &error);
  g_assert_true (haven_outbox_record_delivered (fixture->outbox, delivered, "HV-1", &error));
  g_clear_pointer (&claimed, haven_outbox_entry_free);
  claimed = haven_outbox_claim (fixture->outbox, retried, &error);
  g_assert_true (haven_outbox_record_retry_with_status (fixture->outbox, retried, 0, 503,
                                                        "busy " MARKER, &error));
  g_assert_no_error (error);

  body = haven_kiosk_status_build_body (fixture->outbox, "station-12-lobby",
                                        "2026-11-20T08:00:00+00", "a1b2c3d4e5f6", NULL, now,
                                        &error);
  g_assert_no_error (error);
  g_test_message ("%s", body);

  g_assert_null (strstr (body, MARKER));
  g_assert_null (strstr (body, "The story"));
  g_assert_null (strstr (body, "1250"));
  g_assert_null (strstr (body, "busy"));
  /* Not even what the visitor chose: no category, no request id. */
  g_assert_null (strstr (body, "fraud"));
  g_assert_null (strstr (body, "extortion"));
  g_assert_null (strstr (body, queued));
  g_assert_cmpuint (strlen (body), <=, HAVEN_KIOSK_STATUS_MAX_BODY_BYTES);

  root = parse_object (parser, body);
  assert_members (root, (const char *[]) { "kiosk_id", "version", "reported_at", "outbox",
                                           "directory_version", "content_version",
                                           "last_error", NULL });
  g_assert_cmpstr (json_object_get_string_member (root, "kiosk_id"), ==, "station-12-lobby");
  g_assert_cmpstr (json_object_get_string_member (root, "version"), ==, PACKAGE_VERSION);
  g_assert_cmpstr (json_object_get_string_member (root, "reported_at"), ==,
                   "2026-11-27T10:20:00Z");
  g_assert_cmpstr (json_object_get_string_member (root, "directory_version"), ==,
                   "2026-11-20T08:00:00+00");
  g_assert_cmpstr (json_object_get_string_member (root, "content_version"), ==, "a1b2c3d4e5f6");

  outbox = json_object_get_object_member (root, "outbox");
  assert_members (outbox, (const char *[]) { "queued", "sending", "delivered", "failed", NULL });
  g_assert_cmpint (json_object_get_int_member (outbox, "queued"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (outbox, "sending"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (outbox, "delivered"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (outbox, "failed"), ==, 1);

  /* The latest attempt that went wrong: the 503. */
  last_error = json_object_get_object_member (root, "last_error");
  assert_members (last_error, (const char *[]) { "status", "at", NULL });
  g_assert_cmpint (json_object_get_int_member (last_error, "status"), ==, 503);
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$",
                                       json_object_get_string_member (last_error, "at"), 0, 0));
}

/* A kiosk with nothing wrong reports last_error null; versions it does not
 * know, or that are too long to be one, are null; the body stays within
 * 4 KiB with the longest kiosk id. */
static void
test_nothing_wrong (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *kiosk_id = g_strnfill (128, 'k');
  g_autofree char *long_version = g_strnfill (4000, 'v');
  g_autofree char *body = NULL;
  JsonObject *root;
  JsonObject *outbox;

  body = haven_kiosk_status_build_body (fixture->outbox, kiosk_id, NULL, long_version, NULL,
                                        now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (body), <=, HAVEN_KIOSK_STATUS_MAX_BODY_BYTES);

  root = parse_object (parser, body);
  g_assert_cmpstr (json_object_get_string_member (root, "kiosk_id"), ==, kiosk_id);
  g_assert_true (json_object_get_null_member (root, "directory_version"));
  g_assert_true (json_object_get_null_member (root, "content_version"));
  g_assert_true (json_object_get_null_member (root, "last_error"));
  outbox = json_object_get_object_member (root, "outbox");
  g_assert_cmpint (json_object_get_int_member (outbox, "queued"), ==, 0);
  /* Reported in UTC whatever the kiosk's zone. */
  g_assert_true (g_str_has_suffix (json_object_get_string_member (root, "reported_at"), "Z"));
}

/* A kiosk that takes bundles says which it uses and how its last check
 * went, in words from a fixed list, never an error's text; one that takes
 * none leaves the member out, for receivers that predate it. */
static void
test_bundle_member (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) bundle = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bundles = haven_paths_dup_bundle_dir ();
  g_autofree char *body = NULL;
  JsonObject *root;
  JsonObject *member;

  remove_tree (bundles);
  g_settings_reset (settings, "bundle-public-key");
  g_assert_null (haven_kiosk_status_build_bundle (settings, NULL));

  g_settings_set_string (settings, "bundle-public-key",
                         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  bundle = haven_kiosk_status_build_bundle (settings, NULL);
  g_assert_nonnull (bundle);
  body = haven_kiosk_status_build_body (fixture->outbox, "station-12-lobby", NULL, NULL, bundle,
                                        now, &error);
  g_assert_no_error (error);
  g_test_message ("%s", body);
  root = parse_object (parser, body);
  member = json_object_get_object_member (root, "bundle");
  assert_members (member, (const char *[]) { "version", "pending", "checked_at", "error",
                                             "directory_out_of_date", NULL });
  g_assert_true (json_object_get_null_member (member, "version"));
  g_assert_true (json_object_get_null_member (member, "pending"));
  g_assert_true (json_object_get_null_member (member, "error"));
  g_assert_false (json_object_get_boolean_member (member, "directory_out_of_date"));

  /* A directory imported 20 days ago, where 14 are allowed. */
  {
    g_autoptr(GDateTime) then = g_date_time_add_days (now, -20);
    g_autofree char *imported_at = g_date_time_format_iso8601 (then);
    g_autoptr(JsonNode) old = NULL;

    g_settings_set_uint (settings, "directory-max-age", 14);
    old = haven_kiosk_status_build_bundle (settings, imported_at);
    g_assert_true (json_object_get_boolean_member (json_node_get_object (old),
                                                   "directory_out_of_date"));
    g_settings_set_uint (settings, "directory-max-age", 30);
    g_clear_pointer (&old, json_node_unref);
    old = haven_kiosk_status_build_bundle (settings, imported_at);
    g_assert_false (json_object_get_boolean_member (json_node_get_object (old),
                                                    "directory_out_of_date"));
    g_settings_reset (settings, "directory-max-age");
  }
  g_settings_reset (settings, "bundle-public-key");
}

static void
test_kiosk_id (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *fallback = NULL;
  g_autofree char *set = NULL;

  g_settings_set_string (settings, "kiosk-id", "");
  fallback = haven_kiosk_status_dup_kiosk_id (settings);
  g_assert_cmpstr (fallback, ==, g_get_host_name ());

  g_settings_set_string (settings, "kiosk-id", "station-12-lobby");
  set = haven_kiosk_status_dup_kiosk_id (settings);
  g_assert_cmpstr (set, ==, "station-12-lobby");
  g_settings_reset (settings, "kiosk-id");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/haven/kiosk-status/body", Fixture, NULL, fixture_set_up, test_body,
              fixture_tear_down);
  g_test_add ("/haven/kiosk-status/nothing-wrong", Fixture, NULL, fixture_set_up,
              test_nothing_wrong, fixture_tear_down);
  g_test_add ("/haven/kiosk-status/bundle-member", Fixture, NULL, fixture_set_up,
              test_bundle_member, fixture_tear_down);
  g_test_add_func ("/haven/kiosk-status/kiosk-id", test_kiosk_id);

  return g_test_run ();
}
