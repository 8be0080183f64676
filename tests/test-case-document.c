/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-case-document"

#include "config.h"

#include <malloc.h>
#include <string.h>

#include <glib/gi18n.h>

#include "haven-case-document.h"
#include "haven-locale.h"
#include "haven-wipe.h"
#include "memory-scan.h"
#include "test-casework.h"
#include "test-files.h"

/* A case in the caseworker's words, built from the shipped content: the
 * sections, what each says, and what it must not say. */

typedef struct {
  char *folder;
  HavenKeyVault *vault;
  HavenContent *content;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->vault = casework_make_vault (&fixture->folder);
  fixture->content = load_shipped_content ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_assert_finalize_object (fixture->vault);
  g_clear_object (&fixture->content);
  remove_tree (fixture->folder);
  g_free (fixture->folder);
}

static const char *
find_section (GPtrArray  *sections,
              const char *id)
{
  for (guint i = 0; i < sections->len; i++)
    {
      HavenCaseSection *section = g_ptr_array_index (sections, i);

      if (g_str_equal (section->id, id))
        return section->text;
    }

  return NULL;
}

static void
assert_ids (GPtrArray          *sections,
            const char * const *expected)
{
  g_autoptr(GString) got = g_string_new (NULL);
  g_autofree char *wanted = g_strjoinv (" ", (char **) expected);

  for (guint i = 0; i < sections->len; i++)
    {
      HavenCaseSection *section = g_ptr_array_index (sections, i);

      g_assert_nonnull (section->heading);
      g_assert_cmpstr (section->text, !=, "");
      if (got->len > 0)
        g_string_append_c (got, ' ');
      g_string_append (got, section->id);
    }
  g_assert_cmpstr (got->str, ==, wanted);
}

#define assert_contains(haystack, needle) \
  G_STMT_START { \
    const char *h_ = (haystack); \
    if (h_ == NULL || strstr (h_, (needle)) == NULL) \
      g_error ("“%s” is not in “%s”", (needle), h_ != NULL ? h_ : "(null)"); \
  } G_STMT_END

static guint
count_lines (const char *text)
{
  guint n = 1;

  for (const char *p = text; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

static HavenCase *
open_case (Fixture      *fixture,
           HavenRequest *request,
           JsonObject   *object,
           char        **sha256)
{
  g_autoptr(GError) error = NULL;
  char *json = NULL;
  g_autoptr(GBytes) body = casework_seal_request (fixture->vault, request, &json);
  g_autoptr(HavenCaseInfo) info = casework_info_new (object);
  HavenCase *opened = haven_case_open (info, body, TRUE, fixture->vault, &error);

  g_assert_no_error (error);
  if (sha256 != NULL)
    *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) json, strlen (json));
  haven_wipe_string (json);
  return opened;
}

static const char *
category_title (Fixture    *fixture,
                const char *id)
{
  HavenCategory *category = haven_content_lookup_category (fixture->content, id);

  g_assert_nonnull (category);
  return g_dgettext (GETTEXT_PACKAGE, haven_category_get_title (category));
}

static void
test_removal (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(HavenRequest) request = casework_make_removal ();
  g_autoptr(JsonObject) object = casework_info_object (request, TRUE);
  g_autofree char *note = casework_seal_note (fixture->vault, "Called the platform's abuse desk.");
  g_autofree char *other_folder = NULL;
  g_autoptr(HavenKeyVault) other = casework_make_vault (&other_folder);
  g_autofree char *foreign_note = casework_seal_note (other, "sealed elsewhere");
  g_autofree char *event = NULL;
  g_autofree char *sha256 = NULL;
  g_autoptr(HavenCase) opened = NULL;
  g_autoptr(GPtrArray) sections = NULL;
  const char * const expected[] = {
    "reference", "what-happened", "items", "reporter", "declaration", "history", "integrity", NULL,
  };
  const char *text;

  casework_add_event (object, "{\"event_id\": 41, \"type\": \"state\", \"state\": \"open\","
                              " \"actor\": \"alice\", \"at\": \"2026-12-07T11:52:10Z\"}");
  event = g_strdup_printf ("{\"event_id\": 42, \"type\": \"note\", \"sealed_note\": \"%s\","
                           " \"actor\": \"alice\", \"at\": \"2026-12-07T11:53:00Z\"}", note);
  casework_add_event (object, event);
  g_free (event);
  casework_add_event (object, "{\"event_id\": 43, \"type\": \"item-outcome\", \"item\": 0,"
                              " \"outcome\": \"removed\", \"platform_reference\": \"T-1234\","
                              " \"actor\": \"bob\", \"at\": \"2026-12-07T11:54:30Z\"}");
  event = g_strdup_printf ("{\"event_id\": 44, \"type\": \"note\", \"sealed_note\": \"%s\","
                           " \"actor\": \"carol\", \"at\": \"2026-12-07T11:55:00Z\"}", foreign_note);
  casework_add_event (object, event);
  opened = open_case (fixture, request, object, &sha256);

  sections = haven_case_document_build (opened, fixture->content, fixture->vault);
  assert_ids (sections, expected);

  text = find_section (sections, "reference");
  assert_contains (text, "Reference: \u2066" CASEWORK_REFERENCE "\u2069");
  assert_contains (text, "Request to take content down");
  assert_contains (text, "Spanish (es)");
  assert_contains (text, "\u2066" CASEWORK_KIOSK "\u2069");
  assert_contains (text, haven_case_state_get_label (HAVEN_CASE_STATE_OPEN));
  g_assert_null (strstr (text, "child"));

  g_assert_cmpstr (find_section (sections, "what-happened"), ==,
                   category_title (fixture, "intimate-images"));

  text = find_section (sections, "items");
  assert_contains (text, "1. \u2066https://www.example.social/p/123\u2069");
  assert_contains (text, "\u2066example.social\u2069");
  assert_contains (text, "photo posted without consent");
  assert_contains (text, "2. \u2066https://pics.example.net/a/9\u2069");
  assert_contains (text, "pics.example.net");
  assert_contains (text, "the same photo again");
  /* The latest outcome of the first address only. */
  assert_contains (text, haven_case_outcome_get_label ("removed"));
  g_assert_true (strstr (text, "Outcome") == g_strrstr (text, "Outcome"));
  g_assert_true (strstr (text, "Outcome") < strstr (text, "2. "));

  text = find_section (sections, "reporter");
  assert_contains (text, "The visitor, for themself");
  assert_contains (text, "\u2066visitor@example.org\u2069");
  assert_contains (text, "\u2066+44 7700 900123\u2069");
  g_assert_null (strstr (text, "did not agree"));

  text = find_section (sections, "declaration");
  assert_contains (text, "declared that what they gave is accurate");
  g_assert_null (strstr (text, "did not"));

  /* Oldest first, who did what; a note opened, one that cannot be. */
  text = find_section (sections, "history");
  g_assert_cmpuint (count_lines (text), ==, 4);
  g_assert_true (strstr (text, "alice") < strstr (text, "bob"));
  assert_contains (text, "alice");
  assert_contains (text, "Moved to “In progress”");
  assert_contains (text, "Called the platform's abuse desk.");
  assert_contains (text, "Address 1: Removed (platform reference \u2068T-1234\u2069)");
  assert_contains (text, "carol");
  assert_contains (text, "A note that cannot be opened on this desk");
  g_assert_null (strstr (text, "sealed elsewhere"));

  text = find_section (sections, "integrity");
  assert_contains (text, sha256);

  /* The notes need the key: locked, none opens. */
  haven_key_vault_lock (fixture->vault);
  g_clear_pointer (&sections, g_ptr_array_unref);
  sections = haven_case_document_build (opened, fixture->content, fixture->vault);
  text = find_section (sections, "history");
  g_assert_null (strstr (text, "abuse desk"));
  assert_contains (text, "A note that cannot be opened on this desk");

  g_assert_finalize_object (g_steal_pointer (&other));
  remove_tree (other_folder);
}

static void
test_report (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(HavenRequest) request = casework_make_report ();
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(HavenCase) opened = NULL;
  g_autoptr(GPtrArray) sections = NULL;
  HavenQuestion *where = haven_content_lookup_question (fixture->content, "where");
  HavenQuestion *payment = haven_content_lookup_question (fixture->content, "payment-method");
  HavenQuestion *still = haven_content_lookup_question (fixture->content, "still-happening");
  const char * const expected[] = {
    "reference", "what-happened", "started-on", "lost-money", "other-answers", "what-you-hold",
    "reporter", "integrity", NULL,
  };
  g_autofree char *line = NULL;
  const char *text;

  haven_request_set_child_involved (request, TRUE);
  haven_request_set_answer (request, "how-contacted", "online marketplace");
  object = casework_info_object (request, TRUE);
  opened = open_case (fixture, request, object, NULL);
  sections = haven_case_document_build (opened, fixture->content, fixture->vault);
  assert_ids (sections, expected);

  text = find_section (sections, "reference");
  assert_contains (text, "Kind: Report");
  assert_contains (text, "English (en)");
  assert_contains (text, "child is involved");

  text = find_section (sections, "what-happened");
  assert_contains (text, category_title (fixture, "fraud"));
  /* Each line of the story isolated on its own. */
  assert_contains (text, "\u2068A seller took the money.\u2069\n\u2068The parcel never came.\u2069");

  assert_contains (find_section (sections, "started-on"), "2026-11-20");
  g_assert_cmpstr (find_section (sections, "lost-money"), ==, "\u2066250.00 EUR\u2069");

  /* Each question's title, then its choices' labels. */
  text = find_section (sections, "other-answers");
  line = g_strdup_printf ("%s %s, %s",
                          g_dgettext (GETTEXT_PACKAGE, haven_question_get_title (where)),
                          g_dgettext (GETTEXT_PACKAGE,
                                      haven_question_get_choice_label (where, "social-network")),
                          g_dgettext (GETTEXT_PACKAGE,
                                      haven_question_get_choice_label (where, "messages")));
  assert_contains (text, line);
  assert_contains (text, haven_question_get_title (payment));
  assert_contains (text, haven_question_get_choice_label (payment, "bank-transfer"));
  g_clear_pointer (&line, g_free);
  line = g_strdup_printf ("%s Yes", haven_question_get_title (still));
  assert_contains (text, line);
  assert_contains (text, "TraderJoe77");
  assert_contains (text, "how-contacted: \u2068online marketplace\u2069");
  g_assert_null (strstr (text, "social-network"));
  g_assert_null (strstr (text, "bank-transfer"));

  text = find_section (sections, "what-you-hold");
  assert_contains (text, "screenshots of the chat");
  assert_contains (text, "bank statement");
  g_assert_cmpuint (count_lines (text), ==, 2);

  /* Contact details given without consent are never shown. */
  text = find_section (sections, "reporter");
  assert_contains (text, "A parent or guardian");
  assert_contains (text, "did not agree to be contacted");
  for (guint i = 0; i < sections->len; i++)
    g_assert_null (strstr (((HavenCaseSection *) g_ptr_array_index (sections, i))->text,
                           "hidden@example.org"));

  g_assert_null (find_section (sections, "items"));
  g_assert_null (find_section (sections, "declaration"));
  g_assert_null (find_section (sections, "history"));
}

static void
test_no_content (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(HavenRequest) request = casework_make_report ();
  g_autoptr(JsonObject) object = casework_info_object (request, TRUE);
  g_autoptr(HavenCase) opened = open_case (fixture, request, object, NULL);
  g_autoptr(GPtrArray) sections = haven_case_document_build (opened, NULL, NULL);

  /* Without the content's words, the ids: nothing is left out. */
  assert_contains (find_section (sections, "what-happened"), "fraud");
  assert_contains (find_section (sections, "other-answers"), "where: ");
}

static void
test_wiped (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_autoptr(HavenRequest) request = casework_make_removal ();
  g_autoptr(JsonObject) object = casework_info_object (request, TRUE);
  g_autoptr(HavenCase) opened = open_case (fixture, request, object, NULL);
  g_autoptr(GPtrArray) sections = NULL;
  const char * const expected[] = { "reference", NULL };

  haven_case_wipe (opened);
  sections = haven_case_document_build (opened, fixture->content, fixture->vault);
  assert_ids (sections, expected);
  /* What the intake service knows is still there. */
  assert_contains (find_section (sections, "reference"), "Spanish (es)");
  assert_contains (find_section (sections, "reference"), CASEWORK_KIOSK);
}

/* The marker's tail, past the 16 bytes glibc's free() overwrites, as in
 * test-request. */
#define MARKER_LENGTH 48
#define MARKER_TAIL 16

/* Building the document makes many strings of the visitor's words: once
 * the sections are freed, none of them is left in memory. (Parsing the
 * body leaves copies of its own in json-glib's freed buffers, which no
 * one can wipe: those are counted before, so only the document's are
 * judged.) */
static void
test_leaves_no_copy (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(HavenRequest) request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(HavenCase) opened = NULL;
  g_autoptr(GPtrArray) sections = NULL;
  guint8 masked[MARKER_LENGTH];
  char *plain;
  char *story;
  guint before;
  guint during;
  guint after;

  /* The scan reads the heap into a buffer: one that glibc's sliding
   * threshold put inside the heap would read itself and count copies
   * twice. A threshold of our own keeps large buffers mapped apart. */
  mallopt (M_MMAP_THRESHOLD, 128 * 1024);

  memory_scan_make_marker (masked, sizeof masked);
  plain = memory_scan_reveal_marker (masked, sizeof masked);
  story = g_strdup_printf ("first line\n%s\nlast line", plain);
  haven_request_set_category (request, "impersonation");
  haven_request_add_item (request, "https://example.social/p/1", NULL, story);
  haven_request_set_reporter_role (request, "self");
  haven_request_set_declaration_accurate (request, TRUE);
  haven_request_set_declaration_authorised (request, TRUE);
  haven_request_confirm (request, CASEWORK_KIOSK, "ar");
  haven_wipe_string (plain);
  haven_wipe_string (story);
  object = casework_info_object (request, TRUE);
  opened = open_case (fixture, request, object, NULL);
  haven_request_wipe (request);

  before = memory_scan_count (masked + MARKER_TAIL, sizeof masked - MARKER_TAIL);
  g_assert_cmpuint (before, >=, 1);

  sections = haven_case_document_build (opened, fixture->content, fixture->vault);
  during = memory_scan_count (masked + MARKER_TAIL, sizeof masked - MARKER_TAIL);

  g_clear_pointer (&sections, g_ptr_array_unref);
  after = memory_scan_count (masked + MARKER_TAIL, sizeof masked - MARKER_TAIL);

  /* And the case wiped, nothing at all. */
  haven_case_wipe (opened);
  g_test_message ("copies of the visitor's words: %u before the document, %u with it, %u after it,"
                  " %u once the case is wiped", before, during, after,
                  memory_scan_count (masked + MARKER_TAIL, sizeof masked - MARKER_TAIL));
#ifndef __SANITIZE_ADDRESS__
  /* AddressSanitizer's allocator keeps freed blocks unscrubbed. */
  g_assert_cmpuint (during, ==, before + 1);
  g_assert_cmpuint (after, <=, before);
  g_assert_cmpuint (memory_scan_count (masked + MARKER_TAIL, sizeof masked - MARKER_TAIL), ==, 0);
#endif
}

static void
test_describe_language (void)
{
  const char *required[] = { "ar", "en", "es", "fr", "ru", "vi", "zh_CN" };
  g_autofree char *spanish = haven_case_document_describe_language ("es");
  g_autofree char *chinese = haven_case_document_describe_language ("zh_CN");
  g_autofree char *brazilian = haven_case_document_describe_language ("pt-BR");
  g_autofree char *unknown = haven_case_document_describe_language ("xx");

  g_assert_cmpstr (spanish, ==, "Spanish (es)");
  g_assert_cmpstr (chinese, ==, "Chinese (Simplified) (zh_CN)");
  g_assert_cmpstr (brazilian, ==, "Brazilian Portuguese (pt-BR)");
  g_assert_cmpstr (unknown, ==, "xx");
  g_assert_null (haven_case_document_describe_language (NULL));

  for (gsize i = 0; i < G_N_ELEMENTS (required); i++)
    {
      g_autofree char *described = haven_case_document_describe_language (required[i]);
      g_autofree char *code = g_strdup_printf ("(%s)", required[i]);

      g_assert_true (g_str_has_suffix (described, code));
      g_assert_cmpuint (strlen (described), >, strlen (code) + 1);
    }
}

/* In French, when the catalogs have the case file's words: until they
 * are merged, there is nothing to check. */
static void
test_french (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(HavenRequest) request = casework_make_removal ();
  g_autoptr(JsonObject) object = casework_info_object (request, TRUE);
  g_autoptr(HavenCase) opened = open_case (fixture, request, object, NULL);
  g_autoptr(GPtrArray) sections = NULL;
  HavenCaseSection *first;
  const char *translated;

  haven_locale_apply ("fr");
  translated = g_dpgettext2 (GETTEXT_PACKAGE, "case section", "Addresses to take down");
  if (g_str_equal (translated, "Addresses to take down"))
    {
      haven_locale_apply ("en");
      g_test_skip ("The French catalog does not have the case file's words yet");
      return;
    }

  sections = haven_case_document_build (opened, fixture->content, fixture->vault);
  first = g_ptr_array_index (sections, 0);
  g_assert_cmpstr (first->heading, !=, "Case");
  g_assert_cmpstr (translated, !=, "Addresses to take down");
  assert_contains (find_section (sections, "items"), "\u2066https://www.example.social/p/123\u2069");
  haven_locale_apply ("en");
}

int
main (int   argc,
      char *argv[])
{
  use_catalogs ();

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/haven/case-document/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("removal", test_removal);
  ADD ("report", test_report);
  ADD ("no-content", test_no_content);
  ADD ("wiped", test_wiped);
  ADD ("french", test_french);
  ADD ("leaves-no-copy", test_leaves_no_copy);
  g_test_add_func ("/haven/case-document/describe-language", test_describe_language);

#undef ADD

  return g_test_run ();
}
