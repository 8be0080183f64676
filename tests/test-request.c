/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-request"

#include "config.h"

#include <string.h>

#include "haven-json.h"
#include "haven-request.h"
#include "haven-wipe.h"
#include "memory-scan.h"

/* haven-api-v1.md's example removal request, in the canonical form: the member
 * order of the example, no white space. */
static const char removal_example[] =
  "{\"request_id\":\"0f8c7e0a-4c1e-4a51-9a53-2b1f3c9d7e11\","
  "\"created_at\":\"2026-11-27T10:15:00Z\","
  "\"kiosk_id\":\"station-12-lobby\","
  "\"locale\":\"es\","
  "\"category\":\"intimate-images\","
  "\"items\":[{\"url\":\"https://example.social/p/123\",\"platform\":\"example.social\","
  "\"description\":\"photo posted without consent\"}],"
  "\"reporter\":{\"role\":\"self\",\"contact\":{\"email\":\"a@example.org\"},"
  "\"consent_to_contact\":true},"
  "\"declaration\":{\"accurate\":true,\"authorised\":true}}";

/* The same as haven-api-v1.md prints it, with its white space. */
static const char removal_example_pretty[] =
  "{\n"
  "  \"request_id\": \"0f8c7e0a-4c1e-4a51-9a53-2b1f3c9d7e11\",\n"
  "  \"created_at\": \"2026-11-27T10:15:00Z\",\n"
  "  \"kiosk_id\": \"station-12-lobby\",\n"
  "  \"locale\": \"es\",\n"
  "  \"category\": \"intimate-images\",\n"
  "  \"items\": [\n"
  "    {\"url\": \"https://example.social/p/123\", \"platform\": \"example.social\",\n"
  "     \"description\": \"photo posted without consent\"}\n"
  "  ],\n"
  "  \"reporter\": {\"role\": \"self\", \"contact\": {\"email\": \"a@example.org\"},\n"
  "               \"consent_to_contact\": true},\n"
  "  \"declaration\": {\"accurate\": true, \"authorised\": true}\n"
  "}\n";

static const char report_example[] =
  "{\"request_id\":\"5b1e0c4d-7d0a-4f6e-8a2b-3c4d5e6f7a8b\","
  "\"created_at\":\"2026-11-27T10:20:00Z\","
  "\"kiosk_id\":\"station-12-lobby\","
  "\"locale\":\"en\","
  "\"category\":\"fraud\","
  "\"reporter\":{\"role\":\"self\",\"consent_to_contact\":false},"
  "\"incident\":{\"started_on\":\"2026-11-20\","
  "\"summary\":\"A seller took the money.\\nThe parcel never came.\","
  "\"losses\":{\"amount\":\"250.00\",\"currency\":\"EUR\"},"
  "\"answers\":{\"how-contacted\":\"online marketplace\",\"paid-how\":\"bank transfer\"}},"
  "\"evidence\":[\"screenshots of the chat\",\"bank statement\"]}";

static HavenRequest *
parse (HavenRequestKind  kind,
       const char       *json)
{
  g_autoptr(GError) error = NULL;
  HavenRequest *request = haven_request_new_from_json (kind, json, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (request);
  return request;
}

/* Asserts that validation fails with @message-less error at @path. */
static void
assert_field_error (HavenRequest *request,
                    const char   *path)
{
  g_autoptr(GHashTable) errors = NULL;

  g_assert_false (haven_request_validate (request, &errors));
  g_assert_nonnull (errors);
  if (!g_hash_table_contains (errors, path))
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, errors);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_test_message ("error at %s", (const char *) key);
      g_error ("no error at %s", path);
    }
  /* A message a person can read, not an empty string. */
  g_assert_cmpuint (strlen (g_hash_table_lookup (errors, path)), >, 10);
}

static void
assert_valid (HavenRequest *request)
{
  g_autoptr(GHashTable) errors = NULL;
  gboolean valid = haven_request_validate (request, &errors);

  if (!valid)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, errors);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_test_message ("%s: %s", (const char *) key, (const char *) value);
    }
  g_assert_true (valid);
  g_assert_null (errors);
}

static void
test_removal_example (void)
{
  g_autoptr(HavenRequest) request = parse (HAVEN_REQUEST_KIND_REMOVAL, removal_example_pretty);

  assert_valid (request);
  g_assert_cmpint (haven_request_get_kind (request), ==, HAVEN_REQUEST_KIND_REMOVAL);
  g_assert_cmpstr (haven_request_get_request_id (request), ==,
                   "0f8c7e0a-4c1e-4a51-9a53-2b1f3c9d7e11");
  g_assert_cmpstr (haven_request_get_created_at (request), ==, "2026-11-27T10:15:00Z");
  g_assert_cmpstr (haven_request_get_kiosk_id (request), ==, "station-12-lobby");
  g_assert_cmpstr (haven_request_get_locale (request), ==, "es");
  g_assert_cmpstr (haven_request_get_category (request), ==, "intimate-images");
  g_assert_cmpuint (haven_request_get_n_items (request), ==, 1);
  g_assert_cmpstr (haven_request_get_item_url (request, 0), ==, "https://example.social/p/123");
  g_assert_cmpstr (haven_request_get_item_platform (request, 0), ==, "example.social");
  g_assert_cmpstr (haven_request_get_item_description (request, 0), ==,
                   "photo posted without consent");
  g_assert_cmpstr (haven_request_get_reporter_role (request), ==, "self");
  g_assert_cmpstr (haven_request_get_contact_email (request), ==, "a@example.org");
  g_assert_null (haven_request_get_contact_phone (request));
  g_assert_true (haven_request_get_consent_to_contact (request));
  g_assert_true (haven_request_get_declaration_accurate (request));
  g_assert_true (haven_request_get_declaration_authorised (request));
}

static void
test_report_example (void)
{
  g_autoptr(HavenRequest) request = parse (HAVEN_REQUEST_KIND_REPORT, report_example);
  g_auto(GStrv) ids = NULL;

  assert_valid (request);
  g_assert_cmpstr (haven_request_get_category (request), ==, "fraud");
  g_assert_cmpstr (haven_request_get_started_on (request), ==, "2026-11-20");
  g_assert_cmpstr (haven_request_get_summary (request), ==,
                   "A seller took the money.\nThe parcel never came.");
  g_assert_cmpstr (haven_request_get_losses_amount (request), ==, "250.00");
  g_assert_cmpstr (haven_request_get_losses_currency (request), ==, "EUR");
  g_assert_cmpstr (haven_request_get_answer (request, "paid-how"), ==, "bank transfer");
  ids = haven_request_dup_answer_ids (request);
  g_assert_cmpuint (g_strv_length (ids), ==, 2);
  g_assert_cmpstr (ids[0], ==, "how-contacted");
  g_assert_cmpuint (haven_request_get_n_evidence (request), ==, 2);
  g_assert_cmpstr (haven_request_get_evidence (request, 1), ==, "bank statement");
}

static void
assert_round_trip (HavenRequestKind  kind,
                   const char       *input,
                   const char       *canonical)
{
  g_autoptr(HavenRequest) first = parse (kind, input);
  g_autoptr(HavenRequest) second = NULL;
  g_autofree char *json = NULL;
  g_autofree char *again = NULL;
  gsize length = 0;

  json = haven_request_to_json (first, &length);
  g_assert_cmpstr (json, ==, canonical);
  g_assert_cmpuint (length, ==, strlen (canonical));

  second = parse (kind, json);
  again = haven_request_to_json (second, NULL);
  g_assert_cmpstr (again, ==, json);
}

static void
test_round_trip (void)
{
  assert_round_trip (HAVEN_REQUEST_KIND_REMOVAL, removal_example_pretty, removal_example);
  assert_round_trip (HAVEN_REQUEST_KIND_REMOVAL, removal_example, removal_example);
  assert_round_trip (HAVEN_REQUEST_KIND_REPORT, report_example, report_example);
}

/* Non-ASCII text stays UTF-8, and the answers come out sorted whatever
 * order they were set in. */
static void
test_round_trip_built (void)
{
  g_autoptr(HavenRequest) request = haven_request_new (HAVEN_REQUEST_KIND_REPORT);
  g_autoptr(HavenRequest) parsed = NULL;
  g_autofree char *json = NULL;
  g_autofree char *again = NULL;

  haven_request_set_category (request, "harassment");
  haven_request_set_reporter_role (request, "parent-or-guardian");
  haven_request_set_summary (request, "Él dijo «basta» — 彼は言った\n\"quoted\" \\ done");
  haven_request_set_answer (request, "zeta", "last");
  haven_request_set_answer (request, "alpha", "first");
  haven_request_add_evidence (request, "capturas de pantalla");
  haven_request_confirm (request, "kiosk-1", "es");
  assert_valid (request);

  json = haven_request_to_json (request, NULL);
  g_assert_nonnull (strstr (json, "\"answers\":{\"alpha\":\"first\",\"zeta\":\"last\"}"));
  g_assert_nonnull (strstr (json, "Él dijo «basta» — 彼は言った\\n\\\"quoted\\\" \\\\ done"));

  parsed = parse (HAVEN_REQUEST_KIND_REPORT, json);
  g_assert_cmpstr (haven_request_get_summary (parsed), ==, haven_request_get_summary (request));
  again = haven_request_to_json (parsed, NULL);
  g_assert_cmpstr (again, ==, json);
}

/* The least a report can be: every incident question skipped. */
static void
test_report_minimal (void)
{
  g_autoptr(HavenRequest) request = haven_request_new (HAVEN_REQUEST_KIND_REPORT);
  g_auto(GStrv) ids = NULL;
  g_autofree char *json = NULL;

  haven_request_set_category (request, "other");
  haven_request_set_reporter_role (request, "self");
  haven_request_confirm (request, "kiosk-1", "en");
  assert_valid (request);

  ids = haven_request_dup_answer_ids (request);
  g_assert_nonnull (ids);
  g_assert_cmpuint (g_strv_length (ids), ==, 0);

  json = haven_request_to_json (request, NULL);
  g_assert_true (g_str_has_suffix (json, "\"category\":\"other\","
                                   "\"reporter\":{\"role\":\"self\",\"consent_to_contact\":false},"
                                   "\"incident\":{\"answers\":{}},\"evidence\":[]}"));
}

static void
test_confirm_uuid (void)
{
  g_autoptr(HavenRequest) request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);
  g_autoptr(GDateTime) created = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *first = NULL;

  g_assert_null (haven_request_get_request_id (request));
  haven_request_confirm (request, "kiosk-1", "en");

  first = g_strdup (haven_request_get_request_id (request));
  g_assert_true (g_regex_match_simple ("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}"
                                       "-[0-9a-f]{12}$", first, 0, 0));
  g_assert_true (haven_request_is_uuid_v4 (first));
  g_assert_cmpstr (haven_request_get_kiosk_id (request), ==, "kiosk-1");
  g_assert_cmpstr (haven_request_get_locale (request), ==, "en");

  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$",
                                       haven_request_get_created_at (request), 0, 0));
  created = g_date_time_new_from_iso8601 (haven_request_get_created_at (request), NULL);
  g_assert_nonnull (created);
  g_assert_cmpint (ABS (g_date_time_difference (now, created)), <, 5 * G_TIME_SPAN_SECOND);

  /* Confirming again is a new request. */
  haven_request_confirm (request, haven_request_get_kiosk_id (request),
                         haven_request_get_locale (request));
  g_assert_cmpstr (haven_request_get_request_id (request), !=, first);
  g_assert_cmpstr (haven_request_get_kiosk_id (request), ==, "kiosk-1");

  g_assert_false (haven_request_is_uuid_v4 ("0f8c7e0a-4c1e-1a51-9a53-2b1f3c9d7e11"));
  g_assert_false (haven_request_is_uuid_v4 ("0f8c7e0a-4c1e-4a51-7a53-2b1f3c9d7e11"));
  g_assert_false (haven_request_is_uuid_v4 ("0f8c7e0a4c1e4a519a532b1f3c9d7e11"));
  g_assert_false (haven_request_is_uuid_v4 (NULL));
}

static void
test_parse_failures (void)
{
  const struct {
    const char *json;
    gssize length;
    int code;
  } cases[] = {
    { "[]", -1, HAVEN_REQUEST_ERROR_INVALID },
    { "\"text\"", -1, HAVEN_REQUEST_ERROR_INVALID },
    { "{\"request_id\": ", -1, HAVEN_REQUEST_ERROR_INVALID },
    { "{\"summary\": \"\xff\"}", -1, HAVEN_REQUEST_ERROR_INVALID },
    { "{\"a\": 1}\0{}", 11, HAVEN_REQUEST_ERROR_INVALID },
  };
  g_autofree char *big = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenRequest) request = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) case_error = NULL;
      g_autoptr(HavenRequest) failed = NULL;

      failed = haven_request_new_from_json (HAVEN_REQUEST_KIND_REMOVAL, cases[i].json,
                                            cases[i].length, &case_error);
      g_assert_null (failed);
      g_assert_error (case_error, HAVEN_REQUEST_ERROR, cases[i].code);
    }

  /* One byte over 256 KiB, even if it would be valid JSON. */
  big = g_malloc (HAVEN_REQUEST_MAX_BODY_BYTES + 2);
  memset (big, ' ', HAVEN_REQUEST_MAX_BODY_BYTES + 1);
  big[0] = '{';
  big[HAVEN_REQUEST_MAX_BODY_BYTES] = '}';
  big[HAVEN_REQUEST_MAX_BODY_BYTES + 1] = '\0';
  request = haven_request_new_from_json (HAVEN_REQUEST_KIND_REMOVAL, big, -1, &error);
  g_assert_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_TOO_BIG);
  g_assert_null (request);
  g_clear_error (&error);

  /* Exactly 256 KiB is allowed. */
  big[HAVEN_REQUEST_MAX_BODY_BYTES - 1] = '}';
  request = haven_request_new_from_json (HAVEN_REQUEST_KIND_REMOVAL, big,
                                         HAVEN_REQUEST_MAX_BODY_BYTES, &error);
  g_assert_no_error (error);
  g_assert_nonnull (request);
}

/* A field of the wrong type does not stop the parse; validation names it. */
static void
test_wrong_types (void)
{
  g_autoptr(HavenRequest) request = NULL;
  g_autoptr(GHashTable) errors = NULL;

  request = parse (HAVEN_REQUEST_KIND_REMOVAL,
                   "{\"category\": 7, \"items\": [{\"url\": 5}, \"x\"],"
                   " \"reporter\": {\"role\": \"self\", \"consent_to_contact\": \"yes\"},"
                   " \"declaration\": {\"accurate\": true, \"authorised\": true}}");
  g_assert_false (haven_request_validate_draft (request, &errors));
  g_assert_true (g_hash_table_contains (errors, "category"));
  g_assert_true (g_hash_table_contains (errors, "items[0].url"));
  g_assert_true (g_hash_table_contains (errors, "items[1]"));
  g_assert_true (g_hash_table_contains (errors, "reporter.consent_to_contact"));
  g_assert_cmpuint (haven_request_get_n_items (request), ==, 2);
  g_clear_pointer (&errors, g_hash_table_unref);

  /* Fixing a field through its setter clears the mark. */
  haven_request_set_category (request, "harassment");
  haven_request_set_item (request, 0, "https://example.org/a", NULL, NULL);
  haven_request_remove_item (request, 1);
  haven_request_set_consent_to_contact (request, FALSE);
  g_assert_true (haven_request_validate_draft (request, &errors));
  g_assert_null (errors);
}

static HavenRequest *
valid_removal (void)
{
  return parse (HAVEN_REQUEST_KIND_REMOVAL, removal_example);
}

static HavenRequest *
valid_report (void)
{
  return parse (HAVEN_REQUEST_KIND_REPORT, report_example);
}

static void
test_category (void)
{
  g_autoptr(HavenRequest) request = valid_removal ();
  const char * const *ids = haven_request_get_category_ids ();

  g_assert_cmpuint (g_strv_length ((GStrv) ids), ==, 9);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      haven_request_set_category (request, ids[i]);
      assert_valid (request);
    }

  haven_request_set_category (request, "Intimate-Images");
  assert_field_error (request, "category");
  haven_request_set_category (request, NULL);
  assert_field_error (request, "category");
}

static void
test_items_count (void)
{
  g_autoptr(HavenRequest) request = valid_removal ();

  haven_request_remove_item (request, 0);
  g_assert_cmpuint (haven_request_get_n_items (request), ==, 0);
  assert_field_error (request, "items");

  for (guint i = 0; i < HAVEN_REQUEST_MAX_ITEMS; i++)
    {
      g_autofree char *url = g_strdup_printf ("https://example.social/p/%u", i);

      haven_request_add_item (request, url, NULL, NULL);
    }
  assert_valid (request);

  haven_request_add_item (request, "https://example.social/p/20", NULL, NULL);
  assert_field_error (request, "items");
}

/* 80,000 empty items, under the body limit, give one error about the
 * count, not one per item (the 400 answer used to be 5 MB). */
static void
test_items_over_the_limit (void)
{
  g_autoptr(GString) body = g_string_new ("{\"request_id\": \"0b6b1c2e-5f43-4d0a-9d8e-2f5c3a1b7e90\","
                                          " \"items\": [");
  g_autoptr(HavenRequest) request = NULL;
  g_autoptr(GHashTable) field_errors = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 80000; i++)
    g_string_append (body, i == 0 ? "{}" : ",{}");
  g_string_append (body, "]}");
  g_assert_cmpuint (body->len, <, HAVEN_REQUEST_MAX_BODY_BYTES);

  request = haven_request_new_from_json (HAVEN_REQUEST_KIND_REMOVAL, body->str, body->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (haven_request_get_n_items (request), ==, HAVEN_REQUEST_MAX_ITEMS + 1);
  g_assert_false (haven_request_validate (request, &field_errors));
  g_assert_true (g_hash_table_contains (field_errors, "items"));
  g_assert_false (g_hash_table_contains (field_errors, "items[20].url"));
  g_assert_cmpuint (g_hash_table_size (field_errors), <=, 2 * HAVEN_REQUEST_MAX_ITEMS + 10);
}

static void
test_item_url (void)
{
  const char *bad[] = {
    "example.social/p/123",
    "/p/123",
    "ftp://example.social/p/123",
    "javascript:alert(1)",
    "https://",
    "https:///p/123",
    "https://example.social/p/1 23",
    "https://example.social/p/\t123",
    "https://example.social/p/\x7f",
    "https://example.social/p/\u202e321",
    "https://example.social/\u200bp",
  };
  g_autoptr(HavenRequest) request = valid_removal ();
  g_autoptr(GString) url = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      haven_request_set_item (request, 0, bad[i], "example.social", NULL);
      assert_field_error (request, "items[0].url");
    }

  haven_request_set_item (request, 0, NULL, NULL, "a description");
  assert_field_error (request, "items[0].url");

  /* 2,048 characters exactly, then one more. */
  url = g_string_new ("https://example.social/");
  while (url->len < HAVEN_REQUEST_MAX_URL_LENGTH)
    g_string_append_c (url, 'a');
  haven_request_set_item (request, 0, url->str, NULL, NULL);
  assert_valid (request);
  g_string_append_c (url, 'a');
  haven_request_set_item (request, 0, url->str, NULL, NULL);
  assert_field_error (request, "items[0].url");

  haven_request_set_item (request, 0, "HTTP://Example.Social/p/1", NULL, NULL);
  assert_valid (request);

  /* Only the item that is wrong is named. */
  haven_request_add_item (request, "https://example.social/ok", NULL, NULL);
  haven_request_add_item (request, "not a url", NULL, NULL);
  {
    g_autoptr(GHashTable) errors = NULL;

    g_assert_false (haven_request_validate (request, &errors));
    g_assert_cmpuint (g_hash_table_size (errors), ==, 1);
    g_assert_true (g_hash_table_contains (errors, "items[2].url"));
  }
}

static void
test_item_description (void)
{
  g_autoptr(HavenRequest) request = valid_removal ();
  g_autoptr(GString) text = g_string_new (NULL);

  /* Characters, not bytes: 1,000 two-byte characters are allowed. */
  for (guint i = 0; i < HAVEN_REQUEST_MAX_DESCRIPTION_LENGTH; i++)
    g_string_append (text, "é");
  haven_request_set_item (request, 0, "https://example.social/p/1", NULL, text->str);
  assert_valid (request);

  g_string_append_c (text, 'x');
  haven_request_set_item (request, 0, "https://example.social/p/1", NULL, text->str);
  assert_field_error (request, "items[0].description");

  haven_request_set_item (request, 0, "https://example.social/p/1", NULL, "two\nlines");
  assert_valid (request);
  haven_request_set_item (request, 0, "https://example.social/p/1", NULL, "tab\there");
  assert_field_error (request, "items[0].description");
  haven_request_set_item (request, 0, "https://example.social/p/1", NULL, "cr\r\n");
  assert_field_error (request, "items[0].description");
  haven_request_set_item (request, 0, "https://example.social/p/1", NULL, "c1 \xc2\x85");
  assert_field_error (request, "items[0].description");
  haven_request_set_item (request, 0, "https://example.social/p/1", NULL, "bad \xff utf-8");
  assert_field_error (request, "items[0].description");
  haven_request_set_item (request, 0, "https://example.social/p/1", "plat\nform", NULL);
  assert_field_error (request, "items[0].platform");
}

static void
test_platform_for_url (void)
{
  const struct {
    const char *url;
    const char *platform;
  } cases[] = {
    { "https://www.Example.Social/p/1", "example.social" },
    { "http://m.example.org/x?y=1#z", "m.example.org" },
    { "https://user@host.example:8443/", "host.example" },
    { "https://www./", "www." },
    { "ftp://example.org/", NULL },
    { "example.org/p", NULL },
    { "", NULL },
  };
  g_autoptr(HavenRequest) request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *platform = haven_request_platform_for_url (cases[i].url);

      g_assert_cmpstr (platform, ==, cases[i].platform);
    }

  /* An item without a platform is given the host's. */
  haven_request_add_item (request, "https://www.video.example/watch?v=1", NULL, NULL);
  g_assert_cmpstr (haven_request_get_item_platform (request, 0), ==, "video.example");
  haven_request_set_item (request, 0, "https://www.video.example/w", "Video Site", NULL);
  g_assert_cmpstr (haven_request_get_item_platform (request, 0), ==, "Video Site");
}

static void
test_reporter (void)
{
  g_autoptr(HavenRequest) request = valid_removal ();

  haven_request_set_reporter_role (request, "parent-or-guardian");
  assert_valid (request);
  haven_request_set_reporter_role (request, "authorised-representative");
  assert_valid (request);
  haven_request_set_reporter_role (request, "friend");
  assert_field_error (request, "reporter.role");
  haven_request_set_reporter_role (request, NULL);
  assert_field_error (request, "reporter.role");
  haven_request_set_reporter_role (request, "self");

  haven_request_set_contact_email (request, "not-an-address");
  assert_field_error (request, "reporter.contact.email");
  haven_request_set_contact_email (request, "a@b.example\n");
  assert_field_error (request, "reporter.contact.email");
  haven_request_set_contact_email (request, "name+tag@example.co.uk");
  assert_valid (request);

  haven_request_set_contact_phone (request, "call me");
  assert_field_error (request, "reporter.contact.phone");
  haven_request_set_contact_phone (request, "+");
  assert_field_error (request, "reporter.contact.phone");
  haven_request_set_contact_phone (request, "+44 (20) 7946-0000");
  assert_valid (request);

  /* Consent to be contacted needs a way to be contacted. */
  haven_request_set_contact_email (request, NULL);
  haven_request_set_contact_phone (request, "");
  g_assert_null (haven_request_get_contact_phone (request));
  assert_field_error (request, "reporter.contact");
  haven_request_set_consent_to_contact (request, FALSE);
  assert_valid (request);
}

static void
test_declaration (void)
{
  g_autoptr(HavenRequest) request = valid_removal ();

  haven_request_set_declaration_accurate (request, FALSE);
  assert_field_error (request, "declaration.accurate");
  haven_request_set_declaration_accurate (request, TRUE);
  haven_request_set_declaration_authorised (request, FALSE);
  assert_field_error (request, "declaration.authorised");
}

static void
test_envelope (void)
{
  const struct {
    const char *member;
    const char *value;
  } bad[] = {
    { "request_id", "\"0f8c7e0a-4c1e-1a51-9a53-2b1f3c9d7e11\"" },
    { "request_id", "\"not-a-uuid\"" },
    { "created_at", "\"2026-11-27T10:15:00+01:00\"" },
    { "created_at", "\"2026-11-27 10:15:00Z\"" },
    { "created_at", "\"2026-13-27T10:15:00Z\"" },
    { "kiosk_id", "\"\"" },
    { "kiosk_id", "\"station\\u0007\"" },
    { "locale", "\"\"" },
    { "locale", "\"e s\"" },
    { "locale", "1" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(HavenRequest) request = NULL;
      g_autoptr(GRegex) regex = NULL;
      g_autoptr(GHashTable) errors = NULL;
      g_autofree char *pattern = g_strdup_printf ("\"%s\":(\"[^\"]*\")", bad[i].member);
      g_autofree char *replacement = g_strdup_printf ("\"%s\":%s", bad[i].member,
                                                      bad[i].value);
      g_autofree char *json = NULL;

      regex = g_regex_new (pattern, 0, 0, NULL);
      json = g_regex_replace_literal (regex, removal_example, -1, 0, replacement, 0, NULL);
      g_assert_cmpstr (json, !=, removal_example);

      request = parse (HAVEN_REQUEST_KIND_REMOVAL, json);
      assert_field_error (request, bad[i].member);

      /* A draft is checked without its envelope. */
      g_assert_true (haven_request_validate_draft (request, &errors));
      g_assert_null (errors);
    }
}

static void
test_draft (void)
{
  g_autoptr(HavenRequest) request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);
  g_autoptr(GHashTable) errors = NULL;

  haven_request_set_category (request, "impersonation");
  haven_request_add_item (request, "https://example.social/fake-me", NULL, NULL);
  haven_request_set_reporter_role (request, "self");
  haven_request_set_declaration_accurate (request, TRUE);
  haven_request_set_declaration_authorised (request, TRUE);

  g_assert_true (haven_request_validate_draft (request, NULL));
  g_assert_false (haven_request_validate (request, &errors));
  g_assert_true (g_hash_table_contains (errors, "request_id"));
  g_assert_true (g_hash_table_contains (errors, "created_at"));
  g_assert_true (g_hash_table_contains (errors, "kiosk_id"));
  g_assert_true (g_hash_table_contains (errors, "locale"));
  g_assert_cmpuint (g_hash_table_size (errors), ==, 4);

  haven_request_confirm (request, "station-1", "pt-BR");
  assert_valid (request);
}

static void
test_report_rules (void)
{
  g_autoptr(HavenRequest) request = valid_report ();
  g_autoptr(GString) text = g_string_new (NULL);

  haven_request_set_started_on (request, "2026-02-30");
  assert_field_error (request, "incident.started_on");
  haven_request_set_started_on (request, "20 November");
  assert_field_error (request, "incident.started_on");
  haven_request_set_started_on (request, NULL);
  assert_valid (request);

  haven_request_set_losses (request, "12,50", "EUR");
  assert_field_error (request, "incident.losses.amount");
  haven_request_set_losses (request, "12.50", "eur");
  assert_field_error (request, "incident.losses.currency");
  haven_request_set_losses (request, "12.50", NULL);
  assert_field_error (request, "incident.losses.currency");
  haven_request_set_losses (request, NULL, "EUR");
  assert_field_error (request, "incident.losses.amount");
  haven_request_set_losses (request, "1200", "JPY");
  assert_valid (request);
  haven_request_set_losses (request, NULL, NULL);
  assert_valid (request);

  while (g_utf8_strlen (text->str, -1) < 10000)
    g_string_append (text, "line\n");
  haven_request_set_summary (request, text->str);
  assert_valid (request);
  g_string_append_c (text, 'x');
  haven_request_set_summary (request, text->str);
  assert_field_error (request, "incident.summary");
  haven_request_set_summary (request, "bell \a");
  assert_field_error (request, "incident.summary");
  haven_request_set_summary (request, NULL);

  g_string_truncate (text, 0);
  while (text->len <= 2000)
    g_string_append_c (text, 'a');
  haven_request_set_answer (request, "paid-how", text->str);
  assert_field_error (request, "incident.answers.paid-how");
  haven_request_set_answer (request, "paid-how", NULL);
  g_assert_null (haven_request_get_answer (request, "paid-how"));
  haven_request_set_answer (request, "Bad Id", "yes");
  assert_field_error (request, "incident.answers.Bad Id");
  haven_request_set_answer (request, "Bad Id", NULL);
  assert_valid (request);

  haven_request_add_evidence (request, "a\tb");
  assert_field_error (request, "evidence[2]");
  haven_request_remove_evidence (request, 2);
  assert_valid (request);
  for (guint i = haven_request_get_n_evidence (request); i <= 50; i++)
    haven_request_add_evidence (request, "photo");
  assert_field_error (request, "evidence");
}

/* Every field within its own limit can still add up to more than haven-api-v1.md's
 * 256 KiB when the characters are four bytes each. */
static void
test_body_size (void)
{
  g_autoptr(HavenRequest) request = valid_report ();
  g_autoptr(GString) answer = g_string_new (NULL);

  for (guint i = 0; i < 2000; i++)
    g_string_append (answer, "😀");
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *id = g_strdup_printf ("question-%u", i);

      haven_request_set_answer (request, id, answer->str);
    }

  assert_field_error (request, "body");
}

static void
test_kind_names (void)
{
  HavenRequestKind kind;

  g_assert_cmpstr (haven_request_kind_to_string (HAVEN_REQUEST_KIND_REMOVAL), ==, "removal");
  g_assert_cmpstr (haven_request_kind_to_string (HAVEN_REQUEST_KIND_REPORT), ==, "report");
  g_assert_true (haven_request_kind_from_string ("report", &kind));
  g_assert_cmpint (kind, ==, HAVEN_REQUEST_KIND_REPORT);
  g_assert_false (haven_request_kind_from_string ("Report", &kind));
  g_assert_cmpstr (haven_request_kind_get_path (HAVEN_REQUEST_KIND_REMOVAL), ==,
                   "/v1/removal-requests");
  g_assert_cmpstr (haven_request_kind_get_path (HAVEN_REQUEST_KIND_REPORT), ==, "/v1/reports");
}

/* As in test-session: the marker's tail, past the 16 bytes glibc's free()
 * overwrites, must be nowhere in memory once the request is gone. */
#define MARKER_LENGTH 48
#define MARKER_TAIL 16

static void
test_wipe_leaves_no_copy (void)
{
  g_autoptr(HavenRequest) request = valid_removal ();
  guint8 masked[MARKER_LENGTH];
  char *plain;
  char *json;

  memory_scan_make_marker (masked, sizeof masked);
  plain = memory_scan_reveal_marker (masked, sizeof masked);
  haven_request_set_item (request, 0, "https://example.social/p/1", NULL, plain);
  haven_request_set_contact_email (request, "x@example.org");
  haven_wipe_string (plain);

  /* Serialising and validating make copies of their own. */
  g_assert_true (haven_request_validate (request, NULL));
  json = haven_request_to_json (request, NULL);
  haven_wipe_string (json);
  g_assert_cmpuint (memory_scan_count (masked + MARKER_TAIL, sizeof masked - MARKER_TAIL), ==, 1);

  /* Replacing a value wipes the old one. */
  haven_request_set_item (request, 0, "https://example.social/p/1", NULL, "replaced");
  g_assert_cmpuint (memory_scan_count (masked + MARKER_TAIL, sizeof masked - MARKER_TAIL), ==, 0);

  plain = memory_scan_reveal_marker (masked, sizeof masked);
  haven_request_set_item (request, 0, "https://example.social/p/1", NULL, plain);
  haven_wipe_string (plain);
  haven_request_wipe (request);
  g_assert_cmpuint (haven_request_get_n_items (request), ==, 0);
  g_assert_null (haven_request_get_contact_email (request));
  g_assert_cmpuint (memory_scan_count (masked + MARKER_TAIL, sizeof masked - MARKER_TAIL), ==, 0);
}

/* Nesting beyond any request's, under every size limit, is refused before
 * json-glib recurses into it (it used to overflow the stack), and so is
 * an empty body (it used to fail without an error). */
static void
test_hostile_json (void)
{
  g_autoptr(GString) nested = g_string_new ("{\"request_id\":\"x\",\"items\":");
  g_autoptr(HavenRequest) request = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 120000; i++)
    g_string_append_c (nested, '[');
  for (guint i = 0; i < 120000; i++)
    g_string_append_c (nested, ']');
  g_string_append_c (nested, '}');
  g_assert_cmpuint (nested->len, <, HAVEN_REQUEST_MAX_BODY_BYTES);

  request = haven_request_new_from_json (HAVEN_REQUEST_KIND_REMOVAL, nested->str, nested->len,
                                         &error);
  g_assert_null (request);
  g_assert_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "nested more than 32"));
  g_clear_error (&error);

  g_assert_false (haven_json_load (parser, nested->str, nested->len, &error));
  g_assert_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_TOO_DEEP);
  g_clear_error (&error);

  /* Brackets inside strings are text, not nesting. */
  g_assert_true (haven_json_load (parser, "{\"a\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}", -1,
                                  &error));
  g_assert_no_error (error);

  g_assert_false (haven_json_load (parser, NULL, 0, &error));
  g_assert_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_false (haven_json_load (parser, "", -1, &error));
  g_assert_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_false (haven_json_load (parser, "{\"a\":1}\0", 9, &error));
  g_assert_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_NUL);
  g_clear_error (&error);
  /* An escaped NUL would cut the string json-glib gives back, so a
   * 5,000-character URL could pass as a short one. */
  g_assert_false (haven_json_load (parser, "{\"url\": \"https://a.example/\\u0000\\n\"}", -1,
                                   &error));
  g_assert_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_NUL);
  g_clear_error (&error);
  /* An escaped backslash followed by u0000 is text. */
  g_assert_true (haven_json_load (parser, "{\"a\": \"\\\\u0000\"}", -1, &error));
  g_assert_no_error (error);
  g_assert_false (haven_json_load (parser, "{\"a\": secret words}", -1, &error));
  g_assert_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_SYNTAX);
  g_assert_null (strstr (error->message, "secret"));
  g_clear_error (&error);

  /* White space alone is no document (json-glib loads it without a root,
   * which callers took for an object). */
  g_assert_false (haven_json_load (parser, " \n\t ", -1, &error));
  g_assert_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_EMPTY);
  g_clear_error (&error);

  /* A "\u" escape is four hex digits making a character: json-glib 1.6
   * leaked memory on a malformed surrogate pair (found by fuzz-request),
   * and kept a lone surrogate or a short escape as other text. */
  {
    static const char * const refused[] = {
      "[\"\\ud83d\\ud\"]",
      "[\"\\ud83d\\u0041\"]",
      "[\"\\ud83dx\"]",
      "[\"\\ude00\"]",
      "[\"\\uzzzz\"]",
      "[\"\\u12\"]",
      "[\"\\u",
      /* json-glib 1.6 took these for their first value and leaked the
       * rest (found by fuzz-backend-answer and fuzz-request). */
      "5 {\"a\": \"n\"}",
      "\"just a string\"{\"request_id\": 1}",
      "{} {\"a\": 1}",
      "true[1]",
      "[1] 2",
      /* json-glib reads these as strings and comments, where the escapes
       * above went unchecked (found by fuzz-backend-answer). */
      "{'a': \"\\ud83d\\uee00\"}",
      "['\"', \"\\ud83d\\ud\"]",
      "/* \\ud83d */ {}",
      "{\"a\": 1} # note",
      "{a: 1}",
    };

    for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        g_assert_false (haven_json_load (parser, refused[i], -1, &error));
        g_assert_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_SYNTAX);
        g_clear_error (&error);
      }
  }
  g_assert_true (haven_json_load (parser, "[\"\\ud83d\\ude00 \\u00e9 \\\\ud800\"]", -1, &error));
  g_assert_no_error (error);
  g_assert_true (haven_json_load (parser, " \r\n{\"a\": [1, \"]\"]}\n ", -1, &error));
  g_assert_no_error (error);
  g_assert_true (haven_json_load (parser, " -12.5e3\n", -1, &error));
  g_assert_no_error (error);
}

static void
test_idempotency_key (void)
{
  g_autofree char *long_key = g_strnfill (HAVEN_REQUEST_MAX_IDEMPOTENCY_KEY_LENGTH, 'k');
  g_autofree char *too_long_key = g_strnfill (HAVEN_REQUEST_MAX_IDEMPOTENCY_KEY_LENGTH + 1, 'k');
  const struct {
    const char *header;
    const char *key;
  } cases[] = {
    { "\"0f8c7e0a-4c1e-4a51-9a53-2b1f3c9d7e11\"", "0f8c7e0a-4c1e-4a51-9a53-2b1f3c9d7e11" },
    { "0f8c7e0a-4c1e-4a51-9a53-2b1f3c9d7e11", "0f8c7e0a-4c1e-4a51-9a53-2b1f3c9d7e11" },
    { "  \"a\\\"b\\\\c\"  ", "a\"b\\c" },
    { "\"\"", NULL },
    { "", NULL },
    { "   ", NULL },
    { "\"open", NULL },
    { "\"a\\nb\"", NULL },
    { "\"a\tb\"", NULL },
    { "\"a\" trailing", NULL },
    { "two words", NULL },
    { "\"\xc3\xa9\"", NULL },
  };

  g_assert_null (haven_request_parse_idempotency_key (NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *key = haven_request_parse_idempotency_key (cases[i].header);

      g_assert_cmpstr (key, ==, cases[i].key);
    }

  {
    g_autofree char *key = haven_request_parse_idempotency_key (long_key);
    g_autofree char *refused = haven_request_parse_idempotency_key (too_long_key);

    g_assert_cmpstr (key, ==, long_key);
    g_assert_null (refused);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/request/hostile-json", test_hostile_json);
  g_test_add_func ("/haven/request/items-over-the-limit", test_items_over_the_limit);
  g_test_add_func ("/haven/request/removal-example", test_removal_example);
  g_test_add_func ("/haven/request/report-example", test_report_example);
  g_test_add_func ("/haven/request/round-trip", test_round_trip);
  g_test_add_func ("/haven/request/round-trip-built", test_round_trip_built);
  g_test_add_func ("/haven/request/report-minimal", test_report_minimal);
  g_test_add_func ("/haven/request/confirm-uuid", test_confirm_uuid);
  g_test_add_func ("/haven/request/parse-failures", test_parse_failures);
  g_test_add_func ("/haven/request/wrong-types", test_wrong_types);
  g_test_add_func ("/haven/request/category", test_category);
  g_test_add_func ("/haven/request/items-count", test_items_count);
  g_test_add_func ("/haven/request/item-url", test_item_url);
  g_test_add_func ("/haven/request/item-description", test_item_description);
  g_test_add_func ("/haven/request/platform-for-url", test_platform_for_url);
  g_test_add_func ("/haven/request/reporter", test_reporter);
  g_test_add_func ("/haven/request/declaration", test_declaration);
  g_test_add_func ("/haven/request/envelope", test_envelope);
  g_test_add_func ("/haven/request/draft", test_draft);
  g_test_add_func ("/haven/request/report-rules", test_report_rules);
  g_test_add_func ("/haven/request/body-size", test_body_size);
  g_test_add_func ("/haven/request/kind-names", test_kind_names);
  g_test_add_func ("/haven/request/idempotency-key", test_idempotency_key);
  g_test_add_func ("/haven/request/wipe-leaves-no-copy", test_wipe_leaves_no_copy);

  return g_test_run ();
}
