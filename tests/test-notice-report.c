/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-notice-report"

#include "config.h"

#include <string.h>

#include "haven-notice-report.h"

/* The notice report's model: how addresses and notices are counted, its
 * JSON read back as written and refused when it is not one, its CSV byte
 * for byte, and the ranges and names it takes. */

/* Three cases, six addresses, five notices: case A's two addresses at
 * facebook are one notice that got two actions, so the rows' notices add
 * up to six. */
static HavenNoticeReport *
make_report (void)
{
  g_autoptr(GError) error = NULL;
  HavenNoticeReport *report = haven_notice_report_new ("2026-01-01", "2026-12-31", &error);

  g_assert_no_error (error);
  haven_notice_report_add_address (report, "HV-AAAA-0001", "facebook", "intimate-images",
                                   "removed");
  haven_notice_report_add_address (report, "HV-AAAA-0001", "facebook", "intimate-images",
                                   "refused");
  haven_notice_report_add_address (report, "HV-AAAA-0001", "files.example.net",
                                   "intimate-images", "awaiting-answer");
  haven_notice_report_add_address (report, "HV-BBBB-0002", "facebook", "harassment", "removed");
  haven_notice_report_add_address (report, "HV-BBBB-0002", "unrecorded", "harassment",
                                   "receipt-confirmed");
  haven_notice_report_add_address (report, "HV-CCCC-0003", "facebook", "intimate-images",
                                   "removed");
  return report;
}

static const char expected_csv[] =
  "hosting_provider,category,action,notices,addresses\r\n"
  "facebook,harassment,removed,1,1\r\n"
  "facebook,intimate-images,refused,1,1\r\n"
  "facebook,intimate-images,removed,2,2\r\n"
  "files.example.net,intimate-images,awaiting-answer,1,1\r\n"
  "unrecorded,harassment,receipt-confirmed,1,1\r\n";

static void
assert_row (HavenNoticeReport *report,
            guint              index,
            const char        *provider,
            const char        *category,
            const char        *action,
            guint64            notices,
            guint64            addresses)
{
  const HavenNoticeReportRow *row = haven_notice_report_get_row (report, index);

  g_assert_cmpstr (row->hosting_provider, ==, provider);
  g_assert_cmpstr (row->category, ==, category);
  g_assert_cmpstr (row->action, ==, action);
  g_assert_cmpuint (row->notices, ==, notices);
  g_assert_cmpuint (row->addresses, ==, addresses);
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

/* The figures of make_report(), whichever way the report was made. */
static void
assert_figures (HavenNoticeReport *report)
{
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GPtrArray) categories = NULL;
  g_autoptr(GPtrArray) actions = NULL;

  g_assert_cmpstr (haven_notice_report_get_from (report), ==, "2026-01-01");
  g_assert_cmpstr (haven_notice_report_get_to (report), ==, "2026-12-31");
  g_assert_cmpuint (haven_notice_report_get_notices (report), ==, 5);
  g_assert_cmpuint (haven_notice_report_get_addresses (report), ==, 6);

  g_assert_cmpuint (haven_notice_report_get_n_rows (report), ==, 5);
  assert_row (report, 0, "facebook", "harassment", "removed", 1, 1);
  assert_row (report, 1, "facebook", "intimate-images", "refused", 1, 1);
  assert_row (report, 2, "facebook", "intimate-images", "removed", 2, 2);
  assert_row (report, 3, "files.example.net", "intimate-images", "awaiting-answer", 1, 1);
  assert_row (report, 4, "unrecorded", "harassment", "receipt-confirmed", 1, 1);

  /* A notice once per provider and category, however many actions its
   * addresses got: facebook has three, not four. */
  providers = haven_notice_report_count_by (report, HAVEN_NOTICE_REPORT_BY_PROVIDER);
  g_assert_cmpuint (providers->len, ==, 3);
  assert_count (providers, 0, "facebook", 3, 4);
  assert_count (providers, 1, "files.example.net", 1, 1);
  assert_count (providers, 2, "unrecorded", 1, 1);

  categories = haven_notice_report_count_by (report, HAVEN_NOTICE_REPORT_BY_CATEGORY);
  g_assert_cmpuint (categories->len, ==, 2);
  assert_count (categories, 0, "harassment", 2, 2);
  assert_count (categories, 1, "intimate-images", 3, 4);

  actions = haven_notice_report_count_by (report, HAVEN_NOTICE_REPORT_BY_ACTION);
  g_assert_cmpuint (actions->len, ==, 4);
  assert_count (actions, 0, "awaiting-answer", 1, 1);
  assert_count (actions, 1, "receipt-confirmed", 1, 1);
  assert_count (actions, 2, "refused", 1, 1);
  assert_count (actions, 3, "removed", 3, 3);
}

static void
test_counting (void)
{
  g_autoptr(HavenNoticeReport) report = make_report ();

  assert_figures (report);
}

/* What the report writes it reads back, the same to the byte; no case
 * reference goes out. */
static void
test_json_round_trip (void)
{
  g_autoptr(HavenNoticeReport) report = make_report ();
  g_autoptr(HavenNoticeReport) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = haven_notice_report_to_json (report);
  g_autofree char *json_again = NULL;

  g_test_message ("%s", json);
  g_assert_null (strstr (json, "HV-"));
  g_assert_true (g_str_has_prefix (json, "{\"from\":\"2026-01-01\",\"to\":\"2026-12-31\","
                                         "\"notices\":5,\"addresses\":6,\"rows\":["
                                         "{\"hosting_provider\":\"facebook\","
                                         "\"category\":\"harassment\",\"action\":\"removed\","
                                         "\"notices\":1,\"addresses\":1},"));

  again = haven_notice_report_new_from_json (json, strlen (json), &error);
  g_assert_no_error (error);
  assert_figures (again);
  json_again = haven_notice_report_to_json (again);
  g_assert_cmpstr (json_again, ==, json);

  /* An empty year is a report too. */
  {
    g_autoptr(HavenNoticeReport) empty = haven_notice_report_new ("2025-01-01", "2025-12-31",
                                                                  &error);
    g_autoptr(HavenNoticeReport) empty_again = NULL;
    g_autofree char *empty_json = haven_notice_report_to_json (empty);
    g_autoptr(GBytes) csv = NULL;

    g_assert_cmpstr (empty_json, ==,
                     "{\"from\":\"2025-01-01\",\"to\":\"2025-12-31\",\"notices\":0,"
                     "\"addresses\":0,\"rows\":[],\"totals\":{\"hosting_provider\":[],"
                     "\"category\":[],\"action\":[]}}");
    empty_again = haven_notice_report_new_from_json (empty_json, strlen (empty_json), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (haven_notice_report_get_n_rows (empty_again), ==, 0);
    csv = haven_notice_report_to_csv (empty_again);
    g_assert_cmpmem (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv),
                     HAVEN_NOTICE_REPORT_CSV_HEADER "\r\n",
                     strlen (HAVEN_NOTICE_REPORT_CSV_HEADER "\r\n"));
  }
}

/* Rows and totals may come in any order; they are kept in the API's. */
static void
test_json_any_order (void)
{
  const char *json =
    "{\"to\":\"2026-06-30\",\"from\":\"2026-06-01\",\"addresses\":3,\"notices\":2,"
    "\"rows\":[{\"hosting_provider\":\"youtube\",\"category\":\"harassment\","
    "\"action\":\"removed\",\"notices\":1,\"addresses\":1},"
    "{\"hosting_provider\":\"facebook\",\"category\":\"harassment\","
    "\"action\":\"not-found\",\"notices\":1,\"addresses\":2}],"
    "\"totals\":{\"action\":[{\"key\":\"removed\",\"notices\":1,\"addresses\":1},"
    "{\"key\":\"not-found\",\"notices\":1,\"addresses\":2}],"
    "\"category\":[{\"key\":\"harassment\",\"notices\":2,\"addresses\":3}],"
    "\"hosting_provider\":[{\"key\":\"youtube\",\"notices\":1,\"addresses\":1},"
    "{\"key\":\"facebook\",\"notices\":1,\"addresses\":2}]},\"comment\":\"later\"}";
  g_autoptr(HavenNoticeReport) report = NULL;
  g_autoptr(GPtrArray) actions = NULL;
  g_autoptr(GError) error = NULL;

  report = haven_notice_report_new_from_json (json, strlen (json), &error);
  g_assert_no_error (error);
  assert_row (report, 0, "facebook", "harassment", "not-found", 1, 2);
  assert_row (report, 1, "youtube", "harassment", "removed", 1, 1);
  actions = haven_notice_report_count_by (report, HAVEN_NOTICE_REPORT_BY_ACTION);
  assert_count (actions, 0, "not-found", 1, 2);
  assert_count (actions, 1, "removed", 1, 1);
}

/* A valid answer, and one change to it that makes it no report. */
typedef struct {
  const char *what;
  const char *from;
  const char *to;
  HavenNoticeReportError code;
} Mutation;

static const char valid_json[] =
  "{\"from\":\"2026-01-01\",\"to\":\"2026-12-31\",\"notices\":2,\"addresses\":3,"
  "\"rows\":[{\"hosting_provider\":\"facebook\",\"category\":\"intimate-images\","
  "\"action\":\"removed\",\"notices\":1,\"addresses\":1},"
  "{\"hosting_provider\":\"facebook\",\"category\":\"intimate-images\","
  "\"action\":\"refused\",\"notices\":1,\"addresses\":1},"
  "{\"hosting_provider\":\"unrecorded\",\"category\":\"fraud\","
  "\"action\":\"awaiting-answer\",\"notices\":1,\"addresses\":1}],"
  "\"totals\":{\"hosting_provider\":[{\"key\":\"facebook\",\"notices\":1,\"addresses\":2},"
  "{\"key\":\"unrecorded\",\"notices\":1,\"addresses\":1}],"
  "\"category\":[{\"key\":\"fraud\",\"notices\":1,\"addresses\":1},"
  "{\"key\":\"intimate-images\",\"notices\":1,\"addresses\":2}],"
  "\"action\":[{\"key\":\"awaiting-answer\",\"notices\":1,\"addresses\":1},"
  "{\"key\":\"refused\",\"notices\":1,\"addresses\":1},"
  "{\"key\":\"removed\",\"notices\":1,\"addresses\":1}]}}";

static const Mutation mutations[] = {
  { "not JSON", "{\"from\"", "{\"from", HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "from missing", "\"from\":\"2026-01-01\",", "", HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "from a number", "\"from\":\"2026-01-01\"", "\"from\":20260101",
    HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "a day without its zero", "\"2026-01-01\"", "\"2026-1-01\"",
    HAVEN_NOTICE_REPORT_ERROR_BAD_DATE },
  { "no such day", "\"2026-12-31\"", "\"2026-02-30\"", HAVEN_NOTICE_REPORT_ERROR_BAD_DATE },
  { "a time, not a day", "\"2026-12-31\"", "\"2026-12-31T00:00:00Z\"",
    HAVEN_NOTICE_REPORT_ERROR_BAD_DATE },
  { "to before from", "\"2026-12-31\"", "\"2025-12-31\"", HAVEN_NOTICE_REPORT_ERROR_BAD_RANGE },
  { "eleven years", "\"2026-12-31\"", "\"2036-12-31\"", HAVEN_NOTICE_REPORT_ERROR_BAD_RANGE },
  { "notices a string", "\"notices\":2,", "\"notices\":\"2\",",
    HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "notices below 0", "\"notices\":2,", "\"notices\":-2,", HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "notices a fraction", "\"notices\":2,", "\"notices\":2.0,",
    HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "more notices than addresses", "\"notices\":2,", "\"notices\":4,",
    HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "addresses not the rows'", "\"addresses\":3,", "\"addresses\":4,",
    HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "rows an object", "\"rows\":[", "\"rows\":{},\"more\":[", HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "an unknown action", "\"action\":\"refused\"", "\"action\":\"deleted\"",
    HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "an outcome for an action", "\"action\":\"awaiting-answer\"", "\"action\":\"notice-sent\"",
    HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "an unknown category", "\"category\":\"fraud\"", "\"category\":\"cats\"",
    HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "a provider in capitals", "\"hosting_provider\":\"facebook\",\"category\":\"intimate-images\","
    "\"action\":\"removed\"", "\"hosting_provider\":\"Facebook\","
    "\"category\":\"intimate-images\",\"action\":\"removed\"",
    HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "a row without addresses", "\"action\":\"removed\",\"notices\":1,\"addresses\":1",
    "\"action\":\"removed\",\"notices\":0,\"addresses\":0", HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "a row count below 0", "\"action\":\"removed\",\"notices\":1,\"addresses\":1",
    "\"action\":\"removed\",\"notices\":-1,\"addresses\":1", HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "a row with more notices than addresses", "\"action\":\"refused\",\"notices\":1",
    "\"action\":\"refused\",\"notices\":2", HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "a row twice", "\"action\":\"refused\"", "\"action\":\"removed\"",
    HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "totals missing", ",\"totals\":{", ",\"other\":{", HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "a dimension missing", "\"category\":[", "\"categories\":[",
    HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "a total that is not its rows'", "{\"key\":\"facebook\",\"notices\":1,\"addresses\":2}",
    "{\"key\":\"facebook\",\"notices\":1,\"addresses\":3}", HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "a provider's notices above its rows'", "{\"key\":\"facebook\",\"notices\":1,",
    "{\"key\":\"facebook\",\"notices\":2,", HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "an action's notices not its rows'", "{\"key\":\"refused\",\"notices\":1,\"addresses\":1}",
    "{\"key\":\"refused\",\"notices\":1,\"addresses\":1},"
    "{\"key\":\"withdrawn\",\"notices\":1,\"addresses\":1}", HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "a value without its total", ",{\"key\":\"unrecorded\",\"notices\":1,\"addresses\":1}",
    "", HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "a total twice", "{\"key\":\"fraud\",\"notices\":1,\"addresses\":1},",
    "{\"key\":\"fraud\",\"notices\":1,\"addresses\":1},"
    "{\"key\":\"fraud\",\"notices\":1,\"addresses\":1},", HAVEN_NOTICE_REPORT_ERROR_INVALID },
  { "trailing text", "]}}", "]}} x", HAVEN_NOTICE_REPORT_ERROR_INVALID },
};

static char *
mutate (const Mutation *mutation)
{
  const char *at = strstr (valid_json, mutation->from);
  GString *json;

  g_assert_nonnull (at);
  json = g_string_new_len (valid_json, at - valid_json);
  g_string_append (json, mutation->to);
  g_string_append (json, at + strlen (mutation->from));
  return g_string_free (json, FALSE);
}

static void
test_json_refused (void)
{
  g_autoptr(HavenNoticeReport) valid = NULL;
  g_autoptr(GError) error = NULL;

  /* The answer the changes start from is one. */
  valid = haven_notice_report_new_from_json (valid_json, strlen (valid_json), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (haven_notice_report_get_notices (valid), ==, 2);

  for (guint i = 0; i < G_N_ELEMENTS (mutations); i++)
    {
      g_autofree char *json = mutate (&mutations[i]);
      g_autoptr(HavenNoticeReport) report = NULL;

      report = haven_notice_report_new_from_json (json, strlen (json), &error);
      if (report != NULL || error == NULL)
        g_error ("Taken as a report: %s", mutations[i].what);
      g_test_message ("%s: %s", mutations[i].what, error->message);
      g_assert_error (error, HAVEN_NOTICE_REPORT_ERROR, (int) mutations[i].code);
      g_clear_error (&error);
    }

  g_assert_null (haven_notice_report_new_from_json ("", 0, &error));
  g_assert_error (error, HAVEN_NOTICE_REPORT_ERROR, HAVEN_NOTICE_REPORT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (haven_notice_report_new_from_json ("[{}]", 4, &error));
  g_assert_error (error, HAVEN_NOTICE_REPORT_ERROR, HAVEN_NOTICE_REPORT_ERROR_INVALID);
}

/* The CSV, to the byte: CRLF, no BOM, rows in the API's order. */
static void
test_csv (void)
{
  g_autoptr(HavenNoticeReport) report = make_report ();
  g_autoptr(GBytes) csv = haven_notice_report_to_csv (report);

  g_assert_cmpmem (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv), expected_csv,
                   strlen (expected_csv));
}

/* RFC 4180: a field with a comma, a quote or a line break is quoted, its
 * quotes doubled; others are not. */
static void
test_csv_quoting (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenNoticeReport) report = haven_notice_report_new ("2026-01-01", "2026-01-31",
                                                                 &error);
  g_autoptr(GBytes) csv = NULL;
  const char expected[] =
    HAVEN_NOTICE_REPORT_CSV_HEADER "\r\n"
    "\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",1,1\r\n"
    "plain,\"one\nline\",caf\xc3\xa9,1,2\r\n";

  g_assert_no_error (error);
  haven_notice_report_add_address (report, "HV-1", "a,b", "say \"hi\"", "two\r\nlines");
  haven_notice_report_add_address (report, "HV-2", "plain", "one\nline", "caf\xc3\xa9");
  haven_notice_report_add_address (report, "HV-2", "plain", "one\nline", "caf\xc3\xa9");
  csv = haven_notice_report_to_csv (report);
  g_assert_cmpmem (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv), expected,
                   strlen (expected));
}

static void
test_ranges (void)
{
  g_autoptr(GError) error = NULL;
  GDate last;
  char to[11];

  g_assert_true (haven_notice_report_check_range ("2026-12-31", "2026-12-31", &error));
  g_assert_true (haven_notice_report_check_range ("2024-02-29", "2024-03-01", &error));
  g_assert_no_error (error);

  /* 3660 days with both ends, and one more. */
  g_date_clear (&last, 1);
  g_date_set_dmy (&last, 1, G_DATE_JANUARY, 2020);
  g_date_add_days (&last, HAVEN_NOTICE_REPORT_MAX_DAYS - 1);
  g_date_strftime (to, sizeof to, "%Y-%m-%d", &last);
  g_assert_true (haven_notice_report_check_range ("2020-01-01", to, &error));
  g_assert_no_error (error);
  g_date_add_days (&last, 1);
  g_date_strftime (to, sizeof to, "%Y-%m-%d", &last);
  g_assert_false (haven_notice_report_check_range ("2020-01-01", to, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, HAVEN_NOTICE_REPORT_ERROR, HAVEN_NOTICE_REPORT_ERROR_BAD_RANGE);
  g_clear_error (&error);

  g_assert_false (haven_notice_report_check_range ("2026-12-31", "2026-12-30", &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, HAVEN_NOTICE_REPORT_ERROR, HAVEN_NOTICE_REPORT_ERROR_BAD_RANGE);
  g_clear_error (&error);

  {
    const char * const bad[] = {
      "2026-13-01", "2025-02-29", "0000-01-01", "26-01-01", "2026/01/01", " 2026-01-01",
      "2026-01-01 ", "2026-01-0a", "", "+026-01-01",
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_false (haven_notice_report_check_range (bad[i], "2026-12-31", &error));
        g_assert_error (error, HAVEN_NOTICE_REPORT_ERROR, HAVEN_NOTICE_REPORT_ERROR_BAD_DATE);
        g_clear_error (&error);
        g_assert_false (haven_notice_report_check_range ("2026-01-01", bad[i], &error));
        g_assert_error (error, HAVEN_NOTICE_REPORT_ERROR, HAVEN_NOTICE_REPORT_ERROR_BAD_DATE);
        g_clear_error (&error);
      }
  }

  g_assert_null (haven_notice_report_new ("2026-12-31", "2026-01-01", &error));
  g_assert_error (error, HAVEN_NOTICE_REPORT_ERROR, HAVEN_NOTICE_REPORT_ERROR_BAD_RANGE);
}

static void
test_names (void)
{
  g_autofree char *longest = g_strnfill (253, 'a');
  g_autofree char *too_long = g_strnfill (254, 'a');
  const char * const outcomes[] = {
    "notice-sent", "receipt-confirmed", "removed", "restricted", "refused", "appealed",
    "no-response", "not-found", "withdrawn",
  };

  g_assert_true (haven_notice_report_is_hosting_provider ("facebook"));
  g_assert_true (haven_notice_report_is_hosting_provider ("files.example.net"));
  g_assert_true (haven_notice_report_is_hosting_provider ("0x0.st"));
  g_assert_true (haven_notice_report_is_hosting_provider ("x-"));
  g_assert_true (haven_notice_report_is_hosting_provider (longest));
  g_assert_false (haven_notice_report_is_hosting_provider (too_long));
  g_assert_false (haven_notice_report_is_hosting_provider (""));
  g_assert_false (haven_notice_report_is_hosting_provider (NULL));
  g_assert_false (haven_notice_report_is_hosting_provider ("-x"));
  g_assert_false (haven_notice_report_is_hosting_provider (".example.net"));
  g_assert_false (haven_notice_report_is_hosting_provider ("Facebook"));
  g_assert_false (haven_notice_report_is_hosting_provider ("files_example"));
  g_assert_false (haven_notice_report_is_hosting_provider ("a b"));
  g_assert_false (haven_notice_report_is_hosting_provider ("example.net/path"));
  g_assert_false (haven_notice_report_is_hosting_provider ("caf\xc3\xa9.fr"));

  /* Each outcome is an action; notice-sent is the one that awaits. */
  g_assert_cmpstr (haven_notice_report_action_for_outcome ("notice-sent"), ==,
                   "awaiting-answer");
  for (guint i = 1; i < G_N_ELEMENTS (outcomes); i++)
    g_assert_cmpstr (haven_notice_report_action_for_outcome (outcomes[i]), ==, outcomes[i]);
  g_assert_null (haven_notice_report_action_for_outcome ("awaiting-answer"));
  g_assert_null (haven_notice_report_action_for_outcome ("deleted"));
  g_assert_null (haven_notice_report_action_for_outcome (NULL));
  g_assert_cmpuint (g_strv_length ((char **) haven_notice_report_get_actions ()), ==,
                    G_N_ELEMENTS (outcomes));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/notice-report/counting", test_counting);
  g_test_add_func ("/haven/notice-report/json-round-trip", test_json_round_trip);
  g_test_add_func ("/haven/notice-report/json-any-order", test_json_any_order);
  g_test_add_func ("/haven/notice-report/json-refused", test_json_refused);
  g_test_add_func ("/haven/notice-report/csv", test_csv);
  g_test_add_func ("/haven/notice-report/csv-quoting", test_csv_quoting);
  g_test_add_func ("/haven/notice-report/ranges", test_ranges);
  g_test_add_func ("/haven/notice-report/names", test_names);

  return g_test_run ();
}
