/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-request-envelope"

#include "config.h"

#include <string.h>

#include "haven-request.h"
#include "haven-request-envelope.h"

/* The Haven-Envelope header: what the kiosk writes for a confirmed
 * request, that the parser reads it back, refuses every malformed form,
 * and that an envelope matches its body and nothing else. */

/* haven-api-v1.md's example removal request, with child_involved. */
static const char removal_json[] =
  "{\"request_id\":\"0f8c7e0a-4c1e-4a51-9a53-2b1f3c9d7e11\","
  "\"created_at\":\"2026-11-27T10:15:00Z\","
  "\"kiosk_id\":\"station-12-lobby\","
  "\"locale\":\"es\","
  "\"category\":\"intimate-images\","
  "\"child_involved\":true,"
  "\"items\":[{\"url\":\"https://example.social/p/123\",\"platform\":\"example.social\","
  "\"description\":\"photo posted without consent\"}],"
  "\"reporter\":{\"role\":\"self\",\"consent_to_contact\":false},"
  "\"declaration\":{\"accurate\":true,\"authorised\":true}}";

/* haven-api-v1.md's example header, for the same request: child=?1. */
static const char removal_header[] =
  "v=1, kind=\"removal\", category=\"intimate-images\", locale=\"es\", "
  "kiosk=\"station-12-lobby\", child=?1, created=\"2026-11-27T10:15:00Z\"";

static HavenRequest *
parse_request (HavenRequestKind  kind,
               const char       *json)
{
  g_autoptr(GError) error = NULL;
  HavenRequest *request = haven_request_new_from_json (kind, json, -1, &error);

  g_assert_no_error (error);
  g_assert_true (haven_request_validate (request, NULL));
  return request;
}

static HavenRequestEnvelope *
parse_header (const char *header)
{
  g_autoptr(GError) error = NULL;
  HavenRequestEnvelope *envelope;

  envelope = haven_request_envelope_parse_header (HAVEN_REQUEST_KIND_REMOVAL, header, &error);
  g_assert_no_error (error);
  g_assert_nonnull (envelope);
  return envelope;
}

static void
test_example (void)
{
  g_autoptr(HavenRequest) request = parse_request (HAVEN_REQUEST_KIND_REMOVAL, removal_json);
  g_autoptr(HavenRequestEnvelope) envelope = NULL;
  g_autoptr(HavenRequestEnvelope) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = NULL;
  g_autofree char *created = NULL;

  envelope = haven_request_envelope_new_for_request (request, &error);
  g_assert_no_error (error);
  header = haven_request_envelope_to_header (envelope);
  g_assert_cmpstr (header, ==, removal_header);

  parsed = parse_header (removal_header);
  g_assert_cmpint (parsed->kind, ==, HAVEN_REQUEST_KIND_REMOVAL);
  g_assert_cmpstr (parsed->category, ==, "intimate-images");
  g_assert_cmpstr (parsed->locale, ==, "es");
  g_assert_cmpstr (parsed->kiosk_id, ==, "station-12-lobby");
  g_assert_true (parsed->child_involved);
  created = g_date_time_format_iso8601 (parsed->created_at);
  g_assert_cmpstr (created, ==, "2026-11-27T10:15:00Z");

  g_assert_true (haven_request_envelope_matches (parsed, request, &error));
  g_assert_no_error (error);
}

/* Made from a request, written and read back: the same envelope, and the
 * same header again, for each kind and for awkward but valid values. */
static void
test_round_trip (void)
{
  const struct {
    HavenRequestKind kind;
    const char *category;
    const char *kiosk_id;
    const char *locale;
    gboolean child;
  } cases[] = {
    { HAVEN_REQUEST_KIND_REMOVAL, "child-abuse-material", "station-12-lobby", "en", TRUE },
    { HAVEN_REQUEST_KIND_REPORT, "fraud", "a", "pt-BR", FALSE },
    { HAVEN_REQUEST_KIND_REPORT, "other", "Lobby \"B\" \\ desk 2", "zh_CN", FALSE },
    { HAVEN_REQUEST_KIND_REMOVAL, "harassment", "~!#$%&'()*+,-./:;<=>?@[]^_`{|}", "sr-Latn-RS", TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HavenRequest) request = haven_request_new (cases[i].kind);
      g_autoptr(HavenRequestEnvelope) envelope = NULL;
      g_autoptr(HavenRequestEnvelope) parsed = NULL;
      g_autoptr(HavenRequestEnvelope) copy = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *header = NULL;
      g_autofree char *again = NULL;

      haven_request_set_category (request, cases[i].category);
      haven_request_set_child_involved (request, cases[i].child);
      haven_request_confirm (request, cases[i].kiosk_id, cases[i].locale);

      envelope = haven_request_envelope_new_for_request (request, &error);
      g_assert_no_error (error);
      header = haven_request_envelope_to_header (envelope);
      g_test_message ("%s", header);
      g_assert_cmpuint (strlen (header), <=, HAVEN_REQUEST_ENVELOPE_MAX_HEADER_BYTES);

      parsed = haven_request_envelope_parse_header (cases[i].kind, header, &error);
      g_assert_no_error (error);
      g_assert_cmpint (parsed->kind, ==, cases[i].kind);
      g_assert_cmpstr (parsed->category, ==, cases[i].category);
      g_assert_cmpstr (parsed->kiosk_id, ==, cases[i].kiosk_id);
      g_assert_cmpstr (parsed->locale, ==, cases[i].locale);
      g_assert_cmpint (parsed->child_involved, ==, cases[i].child);
      g_assert_true (g_date_time_equal (parsed->created_at, envelope->created_at));
      g_assert_true (haven_request_envelope_matches (parsed, request, &error));
      g_assert_no_error (error);

      copy = haven_request_envelope_copy (parsed);
      again = haven_request_envelope_to_header (copy);
      g_assert_cmpstr (again, ==, header);
    }
}

/* Fractions of a second, white space RFC 8941 allows, a bare "child"
 * (RFC 8941's ?1) and members in another order are all the same
 * envelope; an unknown member is skipped. */
static void
test_accepted_forms (void)
{
  const char *forms[] = {
    "  v=1,kind=\"removal\",category=\"intimate-images\",locale=\"es\","
    "kiosk=\"station-12-lobby\",child,created=\"2026-11-27T10:15:00Z\"  ",
    "created=\"2026-11-27T10:15:00Z\", child=?1,\tkiosk=\"station-12-lobby\", "
    "locale=\"es\", category=\"intimate-images\", kind=\"removal\", v=1",
    "v=1, kind=\"removal\", category=\"intimate-images\", locale=\"es\", "
    "kiosk=\"station-12-lobby\", child=?1, created=\"2026-11-27T10:15:00.000Z\", "
    "later=\"a member of a later version\", n=-12, d=1.5, t=foo/bar, b=:aGF2ZW4=:, f=?0, g",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autoptr(HavenRequest) request = parse_request (HAVEN_REQUEST_KIND_REMOVAL, removal_json);
      g_autoptr(HavenRequestEnvelope) envelope = parse_header (forms[i]);
      g_autoptr(GError) error = NULL;
      g_autofree char *header = haven_request_envelope_to_header (envelope);

      g_assert_true (haven_request_envelope_matches (envelope, request, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (header, ==, removal_header);
    }
}

/* The valid header with @member's "name=value" replaced by @replacement
 * (NULL: left out). */
static char *
replace_member (const char *member,
                const char *replacement)
{
  g_auto(GStrv) members = g_strsplit (removal_header, ", ", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  g_autofree char *prefix = g_strconcat (member, "=", NULL);
  gboolean found = FALSE;

  for (guint i = 0; members[i] != NULL; i++)
    {
      if (g_str_has_prefix (members[i], prefix))
        {
          found = TRUE;
          if (replacement != NULL)
            g_ptr_array_add (kept, (gpointer) replacement);
        }
      else
        {
          g_ptr_array_add (kept, members[i]);
        }
    }
  g_assert_true (found);
  g_ptr_array_add (kept, NULL);

  return g_strjoinv (", ", (char **) kept->pdata);
}

static void
test_hostile (void)
{
  g_autofree char *long_kiosk = g_strnfill (129, 'k');
  g_autofree char *long_value = g_strnfill (1100, 'x');
  const struct {
    const char *what;
    const char *member;
    /* NULL: the member is left out; with member NULL, the whole header. */
    const char *replacement;
    /* The error's code: too big, or invalid. */
    gboolean too_big;
  } cases[] = {
    { "missing version", "v", NULL, FALSE },
    { "missing kind", "kind", NULL, FALSE },
    { "missing category", "category", NULL, FALSE },
    { "missing locale", "locale", NULL, FALSE },
    { "missing kiosk", "kiosk", NULL, FALSE },
    { "missing child", "child", NULL, FALSE },
    { "missing created", "created", NULL, FALSE },
    { "version 2", "v", "v=2", FALSE },
    { "version as a string", "v", "v=\"1\"", FALSE },
    { "version as a decimal", "v", "v=1.0", FALSE },
    { "kind as a token", "kind", "kind=removal", FALSE },
    { "kind of the other endpoint", "kind", "kind=\"report\"", FALSE },
    { "unknown kind", "kind", "kind=\"complaint\"", FALSE },
    { "category as an integer", "category", "category=7", FALSE },
    { "unknown category", "category", "category=\"weather\"", FALSE },
    { "category in capitals", "category", "category=\"INTIMATE-IMAGES\"", FALSE },
    { "empty locale", "locale", "locale=\"\"", FALSE },
    { "locale with a space", "locale", "locale=\"e s\"", FALSE },
    { "empty kiosk", "kiosk", "kiosk=\"\"", FALSE },
    { "kiosk of 129 characters", "kiosk", NULL, FALSE },
    { "kiosk with a tab", "kiosk", "kiosk=\"station\t12\"", FALSE },
    { "kiosk with a new line", "kiosk", "kiosk=\"station\n12\"", FALSE },
    { "kiosk with DEL", "kiosk", "kiosk=\"station\x7f\"", FALSE },
    { "kiosk not ASCII", "kiosk", "kiosk=\"estaci\xc3\xb3n\"", FALSE },
    { "kiosk with an unknown escape", "kiosk", "kiosk=\"station\\n12\"", FALSE },
    { "kiosk without its closing quote", "kiosk", "kiosk=\"station", FALSE },
    { "child as a string", "child", "child=\"no\"", FALSE },
    { "child as an integer", "child", "child=0", FALSE },
    { "child as ?2", "child", "child=?2", FALSE },
    { "time with an offset", "created", "created=\"2026-11-27T10:15:00+01:00\"", FALSE },
    { "time without T", "created", "created=\"2026-11-27 10:15:00Z\"", FALSE },
    { "time in month 13", "created", "created=\"2026-13-27T10:15:00Z\"", FALSE },
    { "time on 30 February", "created", "created=\"2026-02-30T10:15:00Z\"", FALSE },
    { "time as a token", "created", "created=now", FALSE },
    { "duplicate member", "child", "child=?1, child=?0", FALSE },
    { "duplicate unknown member", "child", "child=?1, x=1, x=1", FALSE },
    { "parameters", "child", "child=?1;really", FALSE },
    { "inner list", "category", "category=(\"fraud\" \"other\")", FALSE },
    { "key in capitals", "child", "Child=?1", FALSE },
    { "space around =", "child", "child = ?1", FALSE },
    { "integer of 16 digits", "v", "v=1000000000000001", FALSE },
    { "unknown member of 1,100 bytes", "child", NULL, TRUE },
    { "empty", NULL, "", FALSE },
    { "spaces only", NULL, "   ", FALSE },
    { "trailing comma", NULL, NULL, FALSE },
    { "a list, not a dictionary", NULL, "\"removal\", \"fraud\"", FALSE },
    { "semicolons", NULL, "v=1; kind=\"removal\"", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HavenRequestEnvelope) envelope = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *header = NULL;
      g_autofree char *replacement = NULL;

      if (g_str_equal (cases[i].what, "kiosk of 129 characters"))
        replacement = g_strdup_printf ("kiosk=\"%s\"", long_kiosk);
      else if (g_str_equal (cases[i].what, "unknown member of 1,100 bytes"))
        replacement = g_strdup_printf ("child=?1, later=\"%s\"", long_value);
      else
        replacement = g_strdup (cases[i].replacement);

      if (cases[i].member != NULL)
        header = replace_member (cases[i].member, replacement);
      else if (g_str_equal (cases[i].what, "trailing comma"))
        header = g_strconcat (removal_header, ",", NULL);
      else
        header = g_strdup (replacement);

      envelope = haven_request_envelope_parse_header (HAVEN_REQUEST_KIND_REMOVAL, header, &error);
      if (envelope != NULL)
        g_error ("accepted: %s", cases[i].what);
      g_assert_error (error, HAVEN_REQUEST_ERROR,
                      cases[i].too_big ? HAVEN_REQUEST_ERROR_TOO_BIG
                                       : HAVEN_REQUEST_ERROR_INVALID);
      g_test_message ("%s: %s", cases[i].what, error->message);

      /* Said in words that fit a 400 body: the header's name, printable
       * text, and nothing the header held. */
      g_assert_true (g_str_has_prefix (error->message, HAVEN_API_ENVELOPE_HEADER ": "));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      for (const char *p = error->message; *p != '\0'; p++)
        g_assert_true (*p >= 0x20 && *p < 0x7f);
      g_assert_null (strstr (error->message, "station"));
      g_assert_null (strstr (error->message, "xxxx"));
    }

  g_assert_cmpuint (G_N_ELEMENTS (cases), >=, 20);
}

static void
test_missing_header (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (haven_request_envelope_parse_header (HAVEN_REQUEST_KIND_REPORT, NULL, &error));
  g_assert_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_INVALID);
}

/* A request the kiosk could not file by its envelope has none. */
static void
test_incomplete_request (void)
{
  g_autoptr(HavenRequest) request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);
  g_autoptr(GError) error = NULL;

  haven_request_set_category (request, "fraud");
  g_assert_null (haven_request_envelope_new_for_request (request, &error));
  g_assert_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_INVALID);
  g_clear_error (&error);

  haven_request_confirm (request, "estaci\xc3\xb3n", "es");
  g_assert_null (haven_request_envelope_new_for_request (request, &error));
  g_assert_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_INVALID);
  g_clear_error (&error);

  /* The request's own validation says the same of that kiosk id. */
  {
    g_autoptr(GHashTable) errors = NULL;

    g_assert_false (haven_request_validate (request, &errors));
    g_assert_true (g_hash_table_contains (errors, "kiosk_id"));
  }

  haven_request_confirm (request, "station-1", "es");
  haven_request_set_category (request, NULL);
  g_assert_null (haven_request_envelope_new_for_request (request, &error));
  g_assert_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_INVALID);
}

/* Every field is compared: an envelope that differs from its body in any
 * one of them does not match, and the error names that one. */
static void
test_mismatch (void)
{
  const struct {
    const char *member;
    const char *replacement;
    const char *named;
  } cases[] = {
    { "category", "category=\"fraud\"", "category" },
    { "locale", "locale=\"en\"", "locale" },
    { "kiosk", "kiosk=\"station-13-lobby\"", "kiosk" },
    { "child", "child=?0", "child" },
    { "created", "created=\"2026-11-27T10:15:01Z\"", "created" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HavenRequest) request = parse_request (HAVEN_REQUEST_KIND_REMOVAL, removal_json);
      g_autofree char *header = replace_member (cases[i].member, cases[i].replacement);
      g_autoptr(HavenRequestEnvelope) envelope = parse_header (header);
      g_autoptr(GError) error = NULL;

      g_assert_false (haven_request_envelope_matches (envelope, request, &error));
      g_assert_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, cases[i].named));
    }

  /* The other kind, with the same members. */
  {
    g_autoptr(HavenRequest) report = haven_request_new (HAVEN_REQUEST_KIND_REPORT);
    g_autoptr(HavenRequestEnvelope) envelope = parse_header (removal_header);
    g_autoptr(GError) error = NULL;

    haven_request_set_category (report, "intimate-images");
    haven_request_set_child_involved (report, TRUE);
    haven_request_confirm (report, "station-12-lobby", "es");
    g_assert_false (haven_request_envelope_matches (envelope, report, &error));
    g_assert_nonnull (strstr (error->message, "kind"));
  }

  /* The body's time written with a fraction is the same time. */
  {
    g_autoptr(HavenRequest) request = NULL;
    g_autoptr(HavenRequestEnvelope) envelope = parse_header (removal_header);
    g_autoptr(GError) error = NULL;
    g_autoptr(GRegex) regex = g_regex_new ("10:15:00Z", 0, 0, NULL);
    g_autofree char *json = g_regex_replace_literal (regex, removal_json, -1, 0,
                                                     "10:15:00.000Z", 0, NULL);

    request = parse_request (HAVEN_REQUEST_KIND_REMOVAL, json);
    g_assert_true (haven_request_envelope_matches (envelope, request, &error));
    g_assert_no_error (error);
  }
}

/* The body's child_involved: sent only when true, read back, and a value
 * that is not a boolean is a field error. */
static void
test_child_involved_json (void)
{
  g_autoptr(HavenRequest) request = parse_request (HAVEN_REQUEST_KIND_REMOVAL, removal_json);
  g_autoptr(HavenRequest) wrong = NULL;
  g_autoptr(GHashTable) errors = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("\"child_involved\":true,", 0, 0, NULL);
  g_autofree char *json = NULL;
  g_autofree char *without = NULL;
  g_autofree char *wrong_json = NULL;

  g_assert_true (haven_request_get_child_involved (request));
  json = haven_request_to_json (request, NULL);
  g_assert_cmpstr (json, ==, removal_json);

  haven_request_set_child_involved (request, FALSE);
  without = haven_request_to_json (request, NULL);
  g_assert_null (strstr (without, "child_involved"));

  wrong_json = g_regex_replace_literal (regex, removal_json, -1, 0, "\"child_involved\":\"yes\",",
                                        0, NULL);
  wrong = haven_request_new_from_json (HAVEN_REQUEST_KIND_REMOVAL, wrong_json, -1, NULL);
  g_assert_false (haven_request_validate (wrong, &errors));
  g_assert_true (g_hash_table_contains (errors, "child_involved"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/request-envelope/example", test_example);
  g_test_add_func ("/haven/request-envelope/round-trip", test_round_trip);
  g_test_add_func ("/haven/request-envelope/accepted-forms", test_accepted_forms);
  g_test_add_func ("/haven/request-envelope/hostile", test_hostile);
  g_test_add_func ("/haven/request-envelope/missing-header", test_missing_header);
  g_test_add_func ("/haven/request-envelope/incomplete-request", test_incomplete_request);
  g_test_add_func ("/haven/request-envelope/mismatch", test_mismatch);
  g_test_add_func ("/haven/request-envelope/child-involved-json", test_child_involved_json);

  return g_test_run ();
}
