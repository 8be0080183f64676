/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-kiosk-info"

#include "config.h"

#include <json-glib/json-glib.h>

#include "haven-kiosk-info.h"

/* One kiosk of GET /v1/kiosks: the API document's example read in full,
 * a kiosk that never said more than its id, every wrong type refused, and
 * the fleet page's order. */

/* The member of "kiosks" in data/api/haven-caseworker-api-v1.md. */
#define EXAMPLE \
  "{\"kiosk_id\": \"station-12-lobby\", \"received_at\": \"2026-12-07T11:44:13Z\"," \
  " \"received_from\": \"lobby-kiosk\", \"silent\": false, \"backed_up\": false," \
  " \"report\": {\"kiosk_id\": \"station-12-lobby\", \"version\": \"0.1.0\"," \
  "  \"reported_at\": \"2026-11-27T10:20:00Z\"," \
  "  \"outbox\": {\"queued\": 2, \"sending\": 0, \"delivered\": 14, \"failed\": 1}," \
  "  \"directory_version\": \"2026-11-20T08:00:00Z\", \"content_version\": \"e0f08ccfbacf\"," \
  "  \"last_error\": {\"status\": 503, \"at\": \"2026-11-27T10:19:30Z\"}}}"

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

static HavenKioskInfo *
kiosk_from_text (const char  *text,
                 GError     **error)
{
  g_autoptr(JsonNode) node = parse (text);

  return haven_kiosk_info_new_from_json (json_node_get_object (node), error);
}

static void
assert_time (GDateTime  *time,
             const char *expected)
{
  g_autofree char *text = NULL;

  g_assert_nonnull (time);
  text = g_date_time_format_iso8601 (time);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_example (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenKioskInfo) kiosk = kiosk_from_text (EXAMPLE, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (haven_kiosk_info_get_kiosk_id (kiosk), ==, "station-12-lobby");
  assert_time (haven_kiosk_info_get_received_at (kiosk), "2026-12-07T11:44:13Z");
  g_assert_cmpstr (haven_kiosk_info_get_received_from (kiosk), ==, "lobby-kiosk");
  g_assert_false (haven_kiosk_info_is_silent (kiosk));
  g_assert_false (haven_kiosk_info_is_backed_up (kiosk));
  g_assert_cmpstr (haven_kiosk_info_get_version (kiosk), ==, "0.1.0");
  assert_time (haven_kiosk_info_get_reported_at (kiosk), "2026-11-27T10:20:00Z");
  g_assert_cmpint (haven_kiosk_info_get_queued (kiosk), ==, 2);
  g_assert_cmpint (haven_kiosk_info_get_sending (kiosk), ==, 0);
  g_assert_cmpint (haven_kiosk_info_get_delivered (kiosk), ==, 14);
  g_assert_cmpint (haven_kiosk_info_get_failed (kiosk), ==, 1);
  g_assert_cmpstr (haven_kiosk_info_get_directory_version (kiosk), ==, "2026-11-20T08:00:00Z");
  g_assert_cmpstr (haven_kiosk_info_get_content_version (kiosk), ==, "e0f08ccfbacf");
  g_assert_cmpint (haven_kiosk_info_get_last_error_status (kiosk), ==, 503);
  assert_time (haven_kiosk_info_get_last_error_at (kiosk), "2026-11-27T10:19:30Z");
  /* A kiosk that takes no bundles says nothing of them. */
  g_assert_null (haven_kiosk_info_get_bundle_version (kiosk));
  g_assert_null (haven_kiosk_info_get_bundle_error (kiosk));
  g_assert_false (haven_kiosk_info_get_directory_out_of_date (kiosk));
}

/* One that takes them: the bundle in use, why the last was refused, and
 * whether its directory is out of date. */
static void
test_bundle (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) halves = g_strsplit (EXAMPLE, "\"last_error\"", 2);
  g_autofree char *text = g_strjoinv ("\"bundle\": {\"version\": \"20261207120000\","
                                      " \"pending\": null, \"checked_at\": null,"
                                      " \"error\": \"signature\","
                                      " \"directory_out_of_date\": true}, \"last_error\"",
                                      halves);
  g_autoptr(HavenKioskInfo) kiosk = kiosk_from_text (text, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (haven_kiosk_info_get_bundle_version (kiosk), ==, "20261207120000");
  g_assert_cmpstr (haven_kiosk_info_get_bundle_error (kiosk), ==, "signature");
  g_assert_true (haven_kiosk_info_get_directory_out_of_date (kiosk));
  g_assert_cmpint (haven_kiosk_info_get_last_error_status (kiosk), ==, 503);
}

/* What the kiosk did not say is NULL or -1; a status 0 is "no answer". */
static void
test_report_members_missing (void)
{
  const char * const texts[] = {
    "{\"kiosk_id\": \"k\", \"received_at\": \"2026-12-07T11:44:13Z\","
    " \"received_from\": \"anonymous\", \"silent\": true, \"backed_up\": false}",
    "{\"kiosk_id\": \"k\", \"received_at\": \"2026-12-07T11:44:13Z\","
    " \"received_from\": \"anonymous\", \"silent\": true, \"backed_up\": false,"
    " \"report\": null}",
    "{\"kiosk_id\": \"k\", \"received_at\": \"2026-12-07T11:44:13Z\","
    " \"received_from\": \"anonymous\", \"silent\": true, \"backed_up\": false,"
    " \"report\": {\"kiosk_id\": \"k\", \"version\": null, \"outbox\": null,"
    " \"last_error\": null}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HavenKioskInfo) kiosk = kiosk_from_text (texts[i], &error);

      g_assert_no_error (error);
      g_assert_true (haven_kiosk_info_is_silent (kiosk));
      g_assert_null (haven_kiosk_info_get_version (kiosk));
      g_assert_null (haven_kiosk_info_get_reported_at (kiosk));
      g_assert_cmpint (haven_kiosk_info_get_queued (kiosk), ==, -1);
      g_assert_cmpint (haven_kiosk_info_get_sending (kiosk), ==, -1);
      g_assert_cmpint (haven_kiosk_info_get_delivered (kiosk), ==, -1);
      g_assert_cmpint (haven_kiosk_info_get_failed (kiosk), ==, -1);
      g_assert_null (haven_kiosk_info_get_directory_version (kiosk));
      g_assert_null (haven_kiosk_info_get_content_version (kiosk));
      g_assert_cmpint (haven_kiosk_info_get_last_error_status (kiosk), ==, -1);
      g_assert_null (haven_kiosk_info_get_last_error_at (kiosk));
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HavenKioskInfo) kiosk = NULL;

    kiosk = kiosk_from_text ("{\"kiosk_id\": \"k\", \"received_at\": \"2026-12-07T11:44:13Z\","
                             " \"received_from\": \"a\", \"silent\": false,"
                             " \"backed_up\": false, \"report\": {\"last_error\":"
                             " {\"status\": 0, \"at\": \"2026-11-27T10:19:30Z\"}}}", &error);
    g_assert_no_error (error);
    g_assert_cmpint (haven_kiosk_info_get_last_error_status (kiosk), ==, 0);
  }
}

/* Each of these takes EXAMPLE and changes one thing. */
static const struct {
  const char *from;
  const char *to;
} wrong[] = {
  { "\"kiosk_id\": \"station-12-lobby\", \"received_at\"", "\"kiosk_id\": 12, \"received_at\"" },
  { "\"kiosk_id\": \"station-12-lobby\", \"received_at\"", "\"kiosk_id\": \"\", \"received_at\"" },
  { "\"kiosk_id\": \"station-12-lobby\", \"received_at\"", "\"received_at\"" },
  { "\"received_at\": \"2026-12-07T11:44:13Z\"", "\"received_at\": \"yesterday\"" },
  { "\"received_at\": \"2026-12-07T11:44:13Z\"", "\"received_at\": null" },
  { "\"received_from\": \"lobby-kiosk\"", "\"received_from\": [\"lobby-kiosk\"]" },
  { "\"silent\": false", "\"silent\": \"false\"" },
  { "\"silent\": false", "\"silent\": 0" },
  { "\"backed_up\": false", "\"backed_up\": null" },
  { "\"report\": {", "\"report\": 5, \"r\": {" },
  { "\"version\": \"0.1.0\"", "\"version\": 1" },
  { "\"reported_at\": \"2026-11-27T10:20:00Z\"", "\"reported_at\": \"2026-11-27 10:20\"" },
  { "\"outbox\": {", "\"outbox\": 5, \"o\": {" },
  { "\"queued\": 2", "\"queued\": -2" },
  { "\"queued\": 2", "\"queued\": 2.5" },
  { "\"delivered\": 14", "\"delivered\": \"14\"" },
  { "\"content_version\": \"e0f08ccfbacf\"", "\"content_version\": {}" },
  { "\"status\": 503", "\"status\": 42" },
  { "\"status\": 503", "\"status\": 600" },
  { "\"status\": 503", "\"status\": \"503\"" },
  { "\"last_error\": {", "\"last_error\": true, \"x\": {" },
};

static void
test_wrong_types (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autoptr(GString) text = g_string_new (EXAMPLE);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(HavenKioskInfo) kiosk = NULL;

      g_assert_cmpuint (g_string_replace (text, wrong[i].from, wrong[i].to, 1), ==, 1);
      node = json_from_string (text->str, &error);
      if (node == NULL)
        g_error ("case %u is not JSON: %s", i, text->str);

      kiosk = haven_kiosk_info_new_from_json (json_node_get_object (node), &error);
      g_test_message ("%s → %s", wrong[i].to, error != NULL ? error->message : "accepted");
      g_assert_null (kiosk);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
}

static HavenKioskInfo *
make_kiosk (const char *id,
            const char *received_at,
            gboolean    silent,
            gboolean    backed_up)
{
  g_autofree char *text = g_strdup_printf ("{\"kiosk_id\": \"%s\", \"received_at\": \"%s\","
                                           " \"received_from\": \"a\", \"silent\": %s,"
                                           " \"backed_up\": %s}",
                                           id, received_at, silent ? "true" : "false",
                                           backed_up ? "true" : "false");
  g_autoptr(GError) error = NULL;
  HavenKioskInfo *kiosk = kiosk_from_text (text, &error);

  g_assert_no_error (error);
  return kiosk;
}

/* The comparison takes the objects, as GtkCustomSorter gives them; a
 * GPtrArray sort gives pointers to its elements. */
static int
compare_elements (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  return haven_kiosk_info_compare_for_fleet (*(HavenKioskInfo * const *) a,
                                             *(HavenKioskInfo * const *) b, user_data);
}

/* Silent or backed-up first, then heard from longest ago, then by id. */
static void
test_fleet_order (void)
{
  g_autoptr(GPtrArray) kiosks = g_ptr_array_new_with_free_func (g_object_unref);
  const char * const expected[] = {
    "silent-old", "backed-up", "silent-new", "fine-old", "fine-a", "fine-b",
  };

  g_ptr_array_add (kiosks, make_kiosk ("fine-b", "2026-12-07T11:00:00Z", FALSE, FALSE));
  g_ptr_array_add (kiosks, make_kiosk ("silent-new", "2026-12-07T09:00:00Z", TRUE, FALSE));
  g_ptr_array_add (kiosks, make_kiosk ("fine-a", "2026-12-07T11:00:00Z", FALSE, FALSE));
  g_ptr_array_add (kiosks, make_kiosk ("backed-up", "2026-12-07T08:30:00Z", FALSE, TRUE));
  g_ptr_array_add (kiosks, make_kiosk ("fine-old", "2026-12-07T07:00:00Z", FALSE, FALSE));
  g_ptr_array_add (kiosks, make_kiosk ("silent-old", "2026-12-07T08:00:00Z", TRUE, FALSE));

  g_ptr_array_sort_with_data (kiosks, compare_elements, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (haven_kiosk_info_get_kiosk_id (g_ptr_array_index (kiosks, i)), ==,
                     expected[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/kiosk-info/example", test_example);
  g_test_add_func ("/haven/kiosk-info/bundle", test_bundle);
  g_test_add_func ("/haven/kiosk-info/report-members-missing", test_report_members_missing);
  g_test_add_func ("/haven/kiosk-info/wrong-types", test_wrong_types);
  g_test_add_func ("/haven/kiosk-info/fleet-order", test_fleet_order);

  return g_test_run ();
}
