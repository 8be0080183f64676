/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-case-info"

#include "config.h"

#include <string.h>

#include "haven-case-info.h"

/* The caseworker API's cases as the desk reads them
 * (data/api/haven-caseworker-api-v1.md, "Cases"). */

/* The page's list example, one case. */
static const char list_example[] =
  "{\"case_reference\": \"HV-7KQ2-M9XD\", \"kind\": \"removal\","
  " \"category\": \"intimate-images\", \"locale\": \"es\", \"kiosk_id\": \"station-12-lobby\","
  " \"child_involved\": false, \"created_at\": \"2026-12-07T11:40:02Z\","
  " \"received_at\": \"2026-12-07T11:40:03Z\", \"state\": \"received\", \"sealed\": true,"
  " \"updated_at\": null, \"closed_at\": null, \"body_destroyed_at\": null}";

/* The page's "One case" example, its elided members filled in. */
static const char case_example[] =
  "{\"case_reference\": \"HV-7KQ2-M9XD\", \"kind\": \"removal\","
  " \"category\": \"intimate-images\", \"locale\": \"es\", \"kiosk_id\": \"station-12-lobby\","
  " \"child_involved\": false, \"created_at\": \"2026-12-07T11:40:02Z\","
  " \"received_at\": \"2026-12-07T11:40:03Z\", \"state\": \"waiting\", \"sealed\": true,"
  " \"updated_at\": \"2026-12-07T11:54:30Z\", \"closed_at\": null, \"body_destroyed_at\": null,"
  " \"events\": ["
  "   {\"event_id\": 41, \"type\": \"state\", \"state\": \"open\","
  "    \"actor\": \"alice\", \"at\": \"2026-12-07T11:52:10Z\"},"
  "   {\"event_id\": 42, \"type\": \"note\", \"sealed_note\": \"q83v\","
  "    \"actor\": \"alice\", \"at\": \"2026-12-07T11:53:00Z\"},"
  "   {\"event_id\": 43, \"type\": \"item-outcome\", \"item\": 0, \"outcome\": \"removed\","
  "    \"platform_reference\": \"T-1234\", \"actor\": \"alice\", \"at\": \"2026-12-07T11:54:30Z\"}]}";

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static HavenCaseInfo *
parse_info (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = parse_object (json);
  HavenCaseInfo *info = haven_case_info_new_from_json (object, &error);

  g_assert_no_error (error);
  g_assert_nonnull (info);
  return info;
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
test_list_example (void)
{
  g_autoptr(HavenCaseInfo) info = parse_info (list_example);

  g_assert_cmpstr (haven_case_info_get_reference (info), ==, "HV-7KQ2-M9XD");
  g_assert_cmpstr (haven_case_info_get_kind (info), ==, "removal");
  g_assert_cmpstr (haven_case_info_get_category (info), ==, "intimate-images");
  g_assert_cmpstr (haven_case_info_get_locale (info), ==, "es");
  g_assert_cmpstr (haven_case_info_get_kiosk_id (info), ==, "station-12-lobby");
  g_assert_cmpint (haven_case_info_get_child_involved (info), ==, 0);
  assert_time (haven_case_info_get_created_at (info), "2026-12-07T11:40:02Z");
  assert_time (haven_case_info_get_received_at (info), "2026-12-07T11:40:03Z");
  g_assert_null (haven_case_info_get_updated_at (info));
  g_assert_null (haven_case_info_get_closed_at (info));
  g_assert_null (haven_case_info_get_body_destroyed_at (info));
  g_assert_cmpint (haven_case_info_get_state (info), ==, HAVEN_CASE_STATE_RECEIVED);
  g_assert_true (haven_case_info_is_sealed (info));
  g_assert_cmpuint (haven_case_info_get_events (info)->len, ==, 0);
  g_assert_null (haven_case_info_get_item_outcome (info, 0));
}

static void
test_case_example (void)
{
  g_autoptr(HavenCaseInfo) info = parse_info (case_example);
  GPtrArray *events = haven_case_info_get_events (info);
  HavenCaseEvent *event;

  g_assert_cmpint (haven_case_info_get_state (info), ==, HAVEN_CASE_STATE_WAITING);
  assert_time (haven_case_info_get_updated_at (info), "2026-12-07T11:54:30Z");
  g_assert_cmpuint (events->len, ==, 3);

  event = g_ptr_array_index (events, 0);
  g_assert_cmpint (event->event_id, ==, 41);
  g_assert_cmpint (event->type, ==, HAVEN_CASE_EVENT_STATE);
  g_assert_cmpint (event->state, ==, HAVEN_CASE_STATE_OPEN);
  g_assert_cmpstr (event->actor, ==, "alice");
  assert_time (event->at, "2026-12-07T11:52:10Z");

  event = g_ptr_array_index (events, 1);
  g_assert_cmpint (event->type, ==, HAVEN_CASE_EVENT_NOTE);
  g_assert_cmpstr (event->sealed_note, ==, "q83v");

  event = g_ptr_array_index (events, 2);
  g_assert_cmpint (event->type, ==, HAVEN_CASE_EVENT_ITEM_OUTCOME);
  g_assert_cmpuint (event->item, ==, 0);
  g_assert_cmpstr (event->outcome, ==, "removed");
  g_assert_cmpstr (event->platform_reference, ==, "T-1234");

  g_assert_cmpstr (haven_case_info_get_item_outcome (info, 0), ==, "removed");
  g_assert_null (haven_case_info_get_item_outcome (info, 1));

  /* A copy is a deep one. */
  {
    HavenCaseEvent *copy = haven_case_event_copy (event);

    g_assert_true (copy->outcome != event->outcome);
    g_assert_cmpstr (copy->outcome, ==, "removed");
    g_assert_cmpstr (copy->actor, ==, "alice");
    g_assert_true (g_date_time_equal (copy->at, event->at));
    haven_case_event_free (copy);
  }
}

/* @member of the list example set to the JSON @value. */
static void
assert_refused (const char *member,
                const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = parse_object (list_example);
  g_autoptr(HavenCaseInfo) info = NULL;

  if (value == NULL)
    {
      json_object_remove_member (object, member);
    }
  else
    {
      g_autofree char *json = g_strdup_printf ("{\"v\": %s}", value);
      g_autoptr(JsonObject) holder = parse_object (json);

      json_object_set_member (object, member, json_node_copy (json_object_get_member (holder, "v")));
    }
  info = haven_case_info_new_from_json (object, &error);
  g_test_message ("%s: %s", member, value);
  g_assert_null (info);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_refused (void)
{
  assert_refused ("case_reference", "\"../x\"");
  assert_refused ("case_reference", "\"hv-7kq2-m9xd\"");
  assert_refused ("case_reference", "\"\"");
  assert_refused ("case_reference", "\"HV-7KQ2-M9XD-HV-7KQ2-M9XD-HV-7KQ2-M9XD\"");
  assert_refused ("case_reference", "42");
  assert_refused ("kind", "\"complaint\"");
  assert_refused ("kind", "null");
  assert_refused ("category", "7");
  assert_refused ("locale", "[\"es\"]");
  assert_refused ("child_involved", "\"yes\"");
  assert_refused ("created_at", "\"yesterday\"");
  assert_refused ("received_at", "null");
  assert_refused ("state", "\"archived\"");
  assert_refused ("state", "\"Received\"");
  assert_refused ("sealed", "\"true\"");
  assert_refused ("sealed", "null");
  assert_refused ("events", "{}");
  assert_refused ("events", "[1]");
  assert_refused ("events", "[{\"event_id\": 1, \"type\": \"item-outcome\", \"item\": 0,"
                            " \"outcome\": \"deleted\", \"actor\": \"a\","
                            " \"at\": \"2026-12-07T11:52:10Z\"}]");
  assert_refused ("events", "[{\"event_id\": 1, \"type\": \"item-outcome\", \"item\": 1000,"
                            " \"outcome\": \"removed\", \"actor\": \"a\","
                            " \"at\": \"2026-12-07T11:52:10Z\"}]");
  assert_refused ("events", "[{\"event_id\": 1, \"type\": \"comment\", \"actor\": \"a\","
                            " \"at\": \"2026-12-07T11:52:10Z\"}]");
  assert_refused ("events", "[{\"event_id\": 1, \"type\": \"state\", \"state\": \"gone\","
                            " \"actor\": \"a\", \"at\": \"2026-12-07T11:52:10Z\"}]");
  assert_refused ("events", "[{\"event_id\": 0, \"type\": \"state\", \"state\": \"open\","
                            " \"actor\": \"a\", \"at\": \"2026-12-07T11:52:10Z\"}]");
  assert_refused ("events", "[{\"event_id\": 1, \"type\": \"note\", \"actor\": \"a\","
                            " \"at\": \"2026-12-07T11:52:10Z\"}]");
  assert_refused ("events", "[{\"event_id\": 1, \"type\": \"item-outcome\", \"item\": 0,"
                            " \"outcome\": \"notice-sent\", \"hosting_provider\": \"Facebook\","
                            " \"actor\": \"a\", \"at\": \"2026-12-07T11:52:10Z\"}]");
  assert_refused ("events", "[{\"event_id\": 1, \"type\": \"item-outcome\", \"item\": 0,"
                            " \"outcome\": \"notice-sent\", \"hosting_provider\": 7,"
                            " \"actor\": \"a\", \"at\": \"2026-12-07T11:52:10Z\"}]");
  assert_refused ("state", NULL);
  assert_refused ("case_reference", NULL);
}

/* Where an item is hosted: each event's own, and the item's from its
 * first notice, whatever a later event names. */
static void
test_hosting_provider (void)
{
  g_autoptr(HavenCaseInfo) info = NULL;
  static const char json[] =
    "{\"case_reference\": \"HV-1\", \"kind\": \"removal\", \"category\": null,"
    " \"locale\": null, \"kiosk_id\": null, \"child_involved\": null, \"created_at\": null,"
    " \"received_at\": \"2026-12-07T10:00:00Z\", \"state\": \"open\", \"sealed\": true,"
    " \"updated_at\": null, \"closed_at\": null, \"body_destroyed_at\": null, \"events\": ["
    "  {\"event_id\": 1, \"type\": \"item-outcome\", \"item\": 0, \"outcome\": \"notice-sent\","
    "   \"hosting_provider\": \"files.example.net\", \"actor\": \"a\","
    "   \"at\": \"2026-12-07T10:01:00Z\"},"
    "  {\"event_id\": 2, \"type\": \"item-outcome\", \"item\": 1, \"outcome\": \"notice-sent\","
    "   \"actor\": \"a\", \"at\": \"2026-12-07T10:02:00Z\"},"
    "  {\"event_id\": 3, \"type\": \"item-outcome\", \"item\": 0, \"outcome\": \"removed\","
    "   \"hosting_provider\": \"facebook\", \"actor\": \"b\", \"at\": \"2026-12-07T10:03:00Z\"}]}";
  GPtrArray *events;
  HavenCaseEvent *copy;

  info = parse_info (json);
  events = haven_case_info_get_events (info);
  g_assert_cmpstr (haven_case_event_get_hosting_provider (g_ptr_array_index (events, 0)), ==,
                   "files.example.net");
  g_assert_null (haven_case_event_get_hosting_provider (g_ptr_array_index (events, 1)));
  g_assert_cmpstr (haven_case_event_get_hosting_provider (g_ptr_array_index (events, 2)), ==,
                   "facebook");

  g_assert_cmpstr (haven_case_info_get_item_hosting_provider (info, 0), ==, "files.example.net");
  g_assert_null (haven_case_info_get_item_hosting_provider (info, 1));
  g_assert_null (haven_case_info_get_item_hosting_provider (info, 2));

  copy = haven_case_event_copy (g_ptr_array_index (events, 0));
  g_assert_cmpstr (haven_case_event_get_hosting_provider (copy), ==, "files.example.net");
  haven_case_event_free (copy);
}

static HavenCaseInfo *
make_info (const char *reference,
           const char *category,
           const char *child,
           const char *received_at)
{
  g_autofree char *json = g_strdup_printf (
    "{\"case_reference\": \"%s\", \"kind\": \"report\", \"category\": %s%s%s,"
    " \"locale\": null, \"kiosk_id\": null, \"child_involved\": %s, \"created_at\": null,"
    " \"received_at\": \"%s\", \"state\": \"received\", \"sealed\": true,"
    " \"updated_at\": null, \"closed_at\": null, \"body_destroyed_at\": null}",
    reference, category != NULL ? "\"" : "", category != NULL ? category : "null",
    category != NULL ? "\"" : "", child, received_at);

  return parse_info (json);
}

static void
test_urgent (void)
{
  g_autoptr(HavenCaseInfo) fraud = make_info ("HV-1", "fraud", "false", "2026-12-07T10:00:00Z");
  g_autoptr(HavenCaseInfo) unknown = make_info ("HV-2", NULL, "null", "2026-12-07T10:00:00Z");
  g_autoptr(HavenCaseInfo) child = make_info ("HV-3", "fraud", "true", "2026-12-07T10:00:00Z");
  g_autoptr(HavenCaseInfo) images = make_info ("HV-4", "intimate-images", "null",
                                               "2026-12-07T10:00:00Z");
  g_autoptr(HavenCaseInfo) abuse = make_info ("HV-5", "child-abuse-material", "false",
                                              "2026-12-07T10:00:00Z");

  g_assert_false (haven_case_info_is_urgent (fraud));
  g_assert_false (haven_case_info_is_urgent (unknown));
  g_assert_cmpint (haven_case_info_get_child_involved (unknown), ==, -1);
  g_assert_true (haven_case_info_is_urgent (child));
  g_assert_true (haven_case_info_is_urgent (images));
  g_assert_true (haven_case_info_is_urgent (abuse));
}

static void
test_inbox_order (void)
{
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (g_object_unref);
  const char *expected[] = { "HV-URGENT-NEW", "HV-URGENT-OLD", "HV-B", "HV-A", "HV-OLD" };

  g_ptr_array_add (cases, make_info ("HV-OLD", "fraud", "false", "2026-12-01T10:00:00Z"));
  g_ptr_array_add (cases, make_info ("HV-A", "fraud", "false", "2026-12-07T10:00:00Z"));
  g_ptr_array_add (cases, make_info ("HV-URGENT-OLD", "intimate-images", "false",
                                     "2026-11-01T10:00:00Z"));
  g_ptr_array_add (cases, make_info ("HV-B", "harassment", "false", "2026-12-07T10:00:00Z"));
  g_ptr_array_add (cases, make_info ("HV-URGENT-NEW", "fraud", "true", "2026-12-02T10:00:00Z"));

  for (guint i = 0; i < cases->len; i++)
    {
      for (guint j = i + 1; j < cases->len; j++)
        {
          if (haven_case_info_compare_for_inbox (g_ptr_array_index (cases, i),
                                                 g_ptr_array_index (cases, j), NULL) > 0)
            {
              gpointer swap = cases->pdata[i];

              cases->pdata[i] = cases->pdata[j];
              cases->pdata[j] = swap;
            }
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (haven_case_info_get_reference (g_ptr_array_index (cases, i)), ==, expected[i]);

  /* Antisymmetric, and a case equals itself. */
  g_assert_cmpint (haven_case_info_compare_for_inbox (cases->pdata[0], cases->pdata[0], NULL), ==, 0);
  g_assert_cmpint (haven_case_info_compare_for_inbox (cases->pdata[2], cases->pdata[3], NULL), <, 0);
  g_assert_cmpint (haven_case_info_compare_for_inbox (cases->pdata[3], cases->pdata[2], NULL), >, 0);
}

static void
test_item_outcome_latest (void)
{
  g_autoptr(HavenCaseInfo) info = NULL;
  static const char json[] =
    "{\"case_reference\": \"HV-1\", \"kind\": \"removal\", \"category\": null,"
    " \"locale\": null, \"kiosk_id\": null, \"child_involved\": null, \"created_at\": null,"
    " \"received_at\": \"2026-12-07T10:00:00Z\", \"state\": \"open\", \"sealed\": true,"
    " \"updated_at\": null, \"closed_at\": null, \"body_destroyed_at\": null, \"events\": ["
    "  {\"event_id\": 1, \"type\": \"item-outcome\", \"item\": 0, \"outcome\": \"notice-sent\","
    "   \"platform_reference\": null, \"actor\": \"a\", \"at\": \"2026-12-07T10:01:00Z\"},"
    "  {\"event_id\": 2, \"type\": \"item-outcome\", \"item\": 1, \"outcome\": \"refused\","
    "   \"actor\": \"a\", \"at\": \"2026-12-07T10:02:00Z\"},"
    "  {\"event_id\": 3, \"type\": \"item-outcome\", \"item\": 0, \"outcome\": \"removed\","
    "   \"actor\": \"b\", \"at\": \"2026-12-07T10:03:00Z\"},"
    "  {\"event_id\": 4, \"type\": \"state\", \"state\": \"waiting\","
    "   \"actor\": \"b\", \"at\": \"2026-12-07T10:04:00Z\"}]}";

  info = parse_info (json);

  g_assert_cmpstr (haven_case_info_get_item_outcome (info, 0), ==, "removed");
  g_assert_cmpstr (haven_case_info_get_item_outcome (info, 1), ==, "refused");
  g_assert_null (haven_case_info_get_item_outcome (info, 2));
}

/* A notice, a receipt or an appeal waits for the platform's answer; past
 * the reminder's days it says since when. */
static void
test_item_waiting (void)
{
  g_autoptr(HavenCaseInfo) info = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 ("2026-12-20T12:00:00Z", NULL);
  static const char json[] =
    "{\"case_reference\": \"HV-1\", \"kind\": \"removal\", \"category\": null,"
    " \"locale\": null, \"kiosk_id\": null, \"child_involved\": null, \"created_at\": null,"
    " \"received_at\": \"2026-12-01T10:00:00Z\", \"state\": \"waiting\", \"sealed\": true,"
    " \"updated_at\": null, \"closed_at\": null, \"body_destroyed_at\": null, \"events\": ["
    "  {\"event_id\": 1, \"type\": \"item-outcome\", \"item\": 0, \"outcome\": \"notice-sent\","
    "   \"actor\": \"a\", \"at\": \"2026-12-10T12:00:00Z\"},"
    "  {\"event_id\": 2, \"type\": \"item-outcome\", \"item\": 1, \"outcome\": \"notice-sent\","
    "   \"actor\": \"a\", \"at\": \"2026-12-02T12:00:00Z\"},"
    "  {\"event_id\": 3, \"type\": \"item-outcome\", \"item\": 1, \"outcome\": \"removed\","
    "   \"actor\": \"a\", \"at\": \"2026-12-03T12:00:00Z\"},"
    "  {\"event_id\": 4, \"type\": \"item-outcome\", \"item\": 2, \"outcome\": \"appealed\","
    "   \"actor\": \"a\", \"at\": \"2026-12-16T12:00:00Z\"},"
    "  {\"event_id\": 5, \"type\": \"item-outcome\", \"item\": 3, \"outcome\": \"receipt-confirmed\","
    "   \"actor\": \"a\", \"at\": \"2026-12-05T12:00:00Z\"}]}";
  GDateTime *since;

  info = parse_info (json);

  /* Ten days without an answer: past 7, not past 14. */
  since = haven_case_info_get_item_waiting_since (info, 0, now, 7);
  g_assert_nonnull (since);
  g_assert_cmpint (g_date_time_get_day_of_month (since), ==, 10);
  g_assert_null (haven_case_info_get_item_waiting_since (info, 0, now, 14));
  /* Answered: removed. */
  g_assert_null (haven_case_info_get_item_waiting_since (info, 1, now, 1));
  /* An appeal four days old, a receipt fifteen. */
  g_assert_null (haven_case_info_get_item_waiting_since (info, 2, now, 7));
  g_assert_nonnull (haven_case_info_get_item_waiting_since (info, 2, now, 4));
  g_assert_nonnull (haven_case_info_get_item_waiting_since (info, 3, now, 7));
  /* No outcome at all. */
  g_assert_null (haven_case_info_get_item_waiting_since (info, 4, now, 1));

  g_assert_true (haven_case_outcome_awaits_answer ("notice-sent"));
  g_assert_true (haven_case_outcome_awaits_answer ("receipt-confirmed"));
  g_assert_true (haven_case_outcome_awaits_answer ("appealed"));
  g_assert_false (haven_case_outcome_awaits_answer ("refused"));
  g_assert_false (haven_case_outcome_awaits_answer ("no-response"));
  g_assert_false (haven_case_outcome_awaits_answer (NULL));
}

static void
test_states (void)
{
  /* haven-caseworker-api-v1.md: exactly these moves. */
  const gboolean allowed[4][4] = {
    /* to:            received open   waiting closed */
    /* received */  { FALSE,   TRUE,  FALSE,  FALSE },
    /* open */      { FALSE,   FALSE, TRUE,   TRUE },
    /* waiting */   { FALSE,   TRUE,  FALSE,  TRUE },
    /* closed */    { FALSE,   TRUE,  FALSE,  FALSE },
  };
  const char *names[] = { "received", "open", "waiting", "closed" };

  for (guint from = 0; from < 4; from++)
    {
      HavenCaseState parsed;

      g_assert_cmpstr (haven_case_state_to_string (from), ==, names[from]);
      g_assert_true (haven_case_state_from_string (names[from], &parsed));
      g_assert_cmpint (parsed, ==, from);
      g_assert_nonnull (haven_case_state_get_label (from));
      for (guint to = 0; to < 4; to++)
        g_assert_cmpint (haven_case_state_can_move (from, to), ==, allowed[from][to]);
    }

  {
    HavenCaseState parsed = HAVEN_CASE_STATE_CLOSED;

    g_assert_false (haven_case_state_from_string ("archived", &parsed));
    g_assert_false (haven_case_state_from_string (NULL, &parsed));
    g_assert_cmpint (parsed, ==, HAVEN_CASE_STATE_CLOSED);
  }
}

static void
test_outcomes (void)
{
  const char * const *ids = haven_case_get_outcome_ids ();

  g_assert_cmpuint (g_strv_length ((GStrv) ids), ==, HAVEN_CASE_N_OUTCOMES);
  for (guint i = 0; ids[i] != NULL; i++)
    g_assert_nonnull (haven_case_outcome_get_label (ids[i]));
  g_assert_cmpstr (haven_case_outcome_get_label ("removed"), ==, "Removed");
  g_assert_null (haven_case_outcome_get_label ("deleted"));
  g_assert_null (haven_case_outcome_get_label (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/case-info/list-example", test_list_example);
  g_test_add_func ("/haven/case-info/case-example", test_case_example);
  g_test_add_func ("/haven/case-info/refused", test_refused);
  g_test_add_func ("/haven/case-info/urgent", test_urgent);
  g_test_add_func ("/haven/case-info/inbox-order", test_inbox_order);
  g_test_add_func ("/haven/case-info/item-outcome-latest", test_item_outcome_latest);
  g_test_add_func ("/haven/case-info/hosting-provider", test_hosting_provider);
  g_test_add_func ("/haven/case-info/item-waiting", test_item_waiting);
  g_test_add_func ("/haven/case-info/states", test_states);
  g_test_add_func ("/haven/case-info/outcomes", test_outcomes);

  return g_test_run ();
}
