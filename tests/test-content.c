/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-content"

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "haven-content.h"

/* The content loader reads the folder a deployment edits, and refuses it
 * with FILE:LINE:COLUMN for every kind of mistake; the words it hands to
 * g_dgettext() are exactly the msgids xgettext collects with the ITS rules
 * in data/content/its/. The invalid cases each replace one file of the
 * valid fixture (tests/data/content/valid/) in a copy. */

#define HEAD "<?xml version=\"1.0\"?>\n" \
             "<content xmlns=\"" HAVEN_CONTENT_NAMESPACE "\" version=\"1\">\n"
#define TAIL "</content>\n"

/* The terms the valid fixture's categories use. */
static const char * const known_terms[] = {
  "haven-image-abuse",
  "haven:haven-account-security",
  "haven-child-protection",
  NULL,
};

static char *
valid_dir (void)
{
  return g_test_build_filename (G_TEST_DIST, "data", "content", "valid", NULL);
}

static char *
source_path (const char *first,
             ...)
{
  /* G_TEST_SRCDIR is the tests/ folder. */
  g_autofree char *root = g_path_get_dirname (g_test_get_dir (G_TEST_DIST));
  g_autofree char *relative = NULL;
  va_list args;

  va_start (args, first);
  relative = g_build_filename_valist (first, &args);
  va_end (args);

  return g_build_filename (root, relative, NULL);
}

/* A copy of the valid fixture in a new temporary folder, with @file (if
 * not NULL) replaced by @contents, or removed when @contents is NULL. */
static char *
make_case_dir (const char *file,
               const char *contents)
{
  g_autofree char *source = valid_dir ();
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("haven-content-XXXXXX", &error);
  const char * const *names = haven_content_get_file_names ();

  g_assert_no_error (error);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *from = g_build_filename (source, names[i], NULL);
      g_autofree char *to = g_build_filename (dir, names[i], NULL);
      g_autofree char *text = NULL;
      gsize length = 0;

      g_file_get_contents (from, &text, &length, &error);
      g_assert_no_error (error);
      g_file_set_contents (to, text, length, &error);
      g_assert_no_error (error);
    }

  if (file != NULL)
    {
      g_autofree char *path = g_build_filename (dir, file, NULL);

      if (contents != NULL)
        {
          g_file_set_contents (path, contents, -1, &error);
          g_assert_no_error (error);
        }
      else
        {
          g_assert_cmpint (g_unlink (path), ==, 0);
        }
    }

  return dir;
}

static void
remove_case_dir (const char *dir)
{
  const char * const *names = haven_content_get_file_names ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_unlink (path);
    }

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_valid (void)
{
  g_autofree char *dir = valid_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenContent) content = haven_content_new_from_dir (dir, known_terms, &error);
  g_autoptr(HavenCategory) first = NULL;
  g_autoptr(HavenCategory) last = NULL;
  HavenCategory *category;
  HavenQuestion *question;
  HavenGuidance *guidance;
  GListModel *categories;
  const char *version;

  g_assert_no_error (error);
  g_assert_nonnull (content);
  g_assert_cmpstr (haven_content_get_dir (content), ==, dir);

  /* In file order. */
  categories = haven_content_get_categories (content);
  g_assert_true (g_list_model_get_item_type (categories) == HAVEN_TYPE_CATEGORY);
  g_assert_cmpuint (g_list_model_get_n_items (categories), ==, 3);
  first = g_list_model_get_item (categories, 0);
  last = g_list_model_get_item (categories, 2);
  g_assert_cmpstr (haven_category_get_id (first), ==, "intimate-images");
  g_assert_cmpstr (haven_category_get_id (last), ==, "child-abuse-material");

  category = haven_content_lookup_category (content, "intimate-images");
  g_assert_true (category == first);
  g_assert_cmpstr (haven_category_get_title (category), ==, "Private images of me were shared");
  g_assert_cmpstr (haven_category_get_summary (category), ==,
                   "Someone shared intimate images of you, or threatens to.");
  g_assert_cmpuint (g_strv_length ((char **) haven_category_get_examples (category)), ==, 2);
  g_assert_cmpstr (haven_category_get_examples (category)[1], ==,
                   "Someone says they will send my pictures to my family");
  g_assert_true (haven_category_is_removable (category));
  g_assert_false (haven_category_is_about_child (category));
  g_assert_cmpstrv (haven_category_get_taxonomy_terms (category),
                    ((const char * const[]) { "haven-image-abuse", NULL }));

  category = haven_content_lookup_category (content, "account-takeover");
  g_assert_false (haven_category_is_removable (category));
  g_assert_cmpuint (g_strv_length ((char **) haven_category_get_examples (category)), ==, 0);
  g_assert_cmpstrv (haven_category_get_guidance_ids (category),
                    ((const char * const[]) { "secure-accounts", "keep-evidence", NULL }));

  g_assert_true (haven_category_is_about_child (last));
  g_assert_null (haven_content_lookup_category (content, "harassment"));

  question = haven_content_lookup_question (content, "how-contacted");
  g_assert_nonnull (question);
  g_assert_cmpint (haven_question_get_answer_type (question), ==, HAVEN_QUESTION_TYPE_CHOICE);
  g_assert_cmpstr (haven_question_get_title (question), ==, "How did it reach you?");
  g_assert_null (haven_question_get_hint (question));
  g_assert_cmpstrv (haven_question_get_choice_ids (question),
                    ((const char * const[]) { "social", "message", "not-sure", NULL }));
  g_assert_cmpstr (haven_question_get_choice_label (question, "not-sure"), ==, "I’m not sure");
  g_assert_null (haven_question_get_choice_label (question, "phone"));
  /* A hard question says first that it is not the visitor's fault. */
  g_assert_true (haven_question_is_sensitive (question));

  question = haven_content_lookup_question (content, "when");
  g_assert_cmpint (haven_question_get_answer_type (question), ==, HAVEN_QUESTION_TYPE_DATE);
  g_assert_false (haven_question_is_sensitive (question));
  g_assert_cmpstr (haven_question_get_hint (question), ==,
                   "For example 27 11 2026. A guess is fine.");
  g_assert_nonnull (haven_question_get_why (question));
  g_assert_cmpuint (g_strv_length ((char **) haven_question_get_choice_ids (question)), ==, 0);

  guidance = haven_content_lookup_guidance (content, "keep-evidence");
  g_assert_nonnull (guidance);
  g_assert_cmpstr (haven_guidance_get_title (guidance), ==, "Keep what you can show");
  g_assert_cmpuint (g_strv_length ((char **) haven_guidance_get_steps (guidance)), ==, 2);
  g_assert_null (haven_content_lookup_guidance (content, "nothing"));

  version = haven_content_get_version (content);
  g_assert_cmpuint (strlen (version), ==, 12);
}

/* The words are what xgettext makes of them: entities resolved, white space
 * at the ends dropped and inside collapsed to one space. */
static void
test_words_are_normalized (void)
{
  g_autofree char *dir = valid_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenContent) content = haven_content_new_from_dir (dir, known_terms, &error);
  HavenGuidance *guidance;

  g_assert_no_error (error);
  guidance = haven_content_lookup_guidance (content, "keep-evidence");
  g_assert_cmpstrv (haven_guidance_get_steps (guidance),
                    ((const char * const[]) {
                      "Take a screenshot that shows the date & the address.",
                      "Keep the messages where they are; do not delete them.",
                      NULL,
                    }));
}

static void
assert_question_ids (GListModel         *questions,
                     const char * const *expected)
{
  guint n_items;

  g_assert_nonnull (questions);
  n_items = g_list_model_get_n_items (questions);
  g_assert_cmpuint (n_items, ==, g_strv_length ((char **) expected));

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(HavenQuestion) question = g_list_model_get_item (questions, i);

      g_assert_cmpstr (haven_question_get_id (question), ==, expected[i]);
    }
}

/* A category gets the questions for it and those for every category, in
 * file order. */
static void
test_questions_for (void)
{
  g_autofree char *dir = valid_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenContent) content = haven_content_new_from_dir (dir, known_terms, &error);

  g_assert_no_error (error);
  assert_question_ids (haven_content_get_questions_for (content, "intimate-images"),
                       (const char * const[]) { "when", "how-contacted", "addresses", NULL });
  assert_question_ids (haven_content_get_questions_for (content, "account-takeover"),
                       (const char * const[]) { "when", "how-contacted", "lost-money", NULL });
  assert_question_ids (haven_content_get_questions_for (content, "child-abuse-material"),
                       (const char * const[]) { "when", "addresses", NULL });
  assert_question_ids (haven_content_get_questions (content),
                       (const char * const[]) {
                         "when", "how-contacted", "lost-money", "addresses", NULL
                       });
  g_assert_null (haven_content_get_questions_for (content, "harassment"));
}

static void
test_region_fallback (void)
{
  g_autofree char *dir = valid_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenContent) content = haven_content_new_from_dir (dir, known_terms, &error);
  HavenEmergencyRegion *region;
  g_auto(GStrv) codes = NULL;

  g_assert_no_error (error);

  /* No GB-LND of its own: its country's numbers. */
  region = haven_content_lookup_region (content, "GB-LND");
  g_assert_cmpstr (haven_emergency_region_get_code (region), ==, "GB");
  g_assert_true (haven_content_lookup_region (content, "GB") == region);
  g_assert_true (haven_content_lookup_region (content, "gb-lnd") == region);
  g_assert_cmpstr (haven_emergency_region_get_code (haven_content_lookup_region (content,
                                                                                 "GB-SCT")),
                   ==, "GB-SCT");

  /* Nothing for the country either: the region-neutral ones. */
  g_assert_cmpstr (haven_emergency_region_get_code (haven_content_lookup_region (content, "FR")),
                   ==, "*");
  g_assert_cmpstr (haven_emergency_region_get_code (haven_content_lookup_region (content,
                                                                                 "FR-75")),
                   ==, "*");
  g_assert_cmpstr (haven_emergency_region_get_code (haven_content_lookup_region (content, "")),
                   ==, "*");
  g_assert_cmpstr (haven_emergency_region_get_code (haven_content_lookup_region (content, NULL)),
                   ==, "*");

  g_assert_cmpstr (haven_emergency_region_get_name (region), ==, "United Kingdom");
  g_assert_cmpstr (haven_emergency_region_get_source (region), ==,
                   "https://example.org/gb-numbers");
  g_assert_cmpstr (haven_emergency_region_get_checked (region), ==, "2026-11-20");
  g_assert_cmpuint (haven_emergency_region_get_n_numbers (region), ==, 2);
  g_assert_cmpstr (haven_emergency_region_get_number_kind (region, 1), ==, "crisis");
  g_assert_cmpstr (haven_emergency_region_get_number_value (region, 1), ==, "0800 000 0000");
  g_assert_cmpstr (haven_emergency_region_get_number_label (region, 1), ==,
                   "A listening line, any time");
  g_assert_cmpuint (haven_emergency_region_get_n_links (region), ==, 1);
  g_assert_cmpstr (haven_emergency_region_get_link_kind (region, 0), ==, "child-removal");
  g_assert_cmpstr (haven_emergency_region_get_link_url (region, 0), ==,
                   "https://example.org/remove");
  g_assert_cmpstr (haven_emergency_region_get_link_label (region, 0), ==,
                   "Ask for images of a child to be taken down");

  codes = haven_content_dup_region_codes (content);
  g_assert_cmpstrv (codes, ((const char * const[]) { "*", "GB", "GB-SCT", NULL }));
}

/* The version tells kiosks' content apart, and only by its files. */
static void
test_version (void)
{
  g_autofree char *dir = make_case_dir (NULL, NULL);
  g_autofree char *changed_dir = make_case_dir ("guidance.xml",
    HEAD
    "  <guidance id=\"keep-evidence\">\n"
    "    <title>Keep what you can show</title>\n"
    "    <step>Take a screenshot.</step>\n"
    "  </guidance>\n"
    "  <guidance id=\"secure-accounts\">\n"
    "    <title>Make your accounts safe again</title>\n"
    "    <step>Change your password.</step>\n"
    "  </guidance>\n"
    TAIL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenContent) content = haven_content_new_from_dir (dir, known_terms, &error);
  g_autoptr(HavenContent) again = haven_content_new_from_dir (dir, known_terms, &error);
  g_autoptr(HavenContent) changed = haven_content_new_from_dir (changed_dir, known_terms, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (haven_content_get_version (content), ==, haven_content_get_version (again));
  g_assert_cmpstr (haven_content_get_version (content), !=, haven_content_get_version (changed));

  remove_case_dir (dir);
  remove_case_dir (changed_dir);
}

typedef struct {
  const char *name;
  const char *file;
  /* NULL: the file is missing. */
  const char *contents;
  HavenContentError code;
  /* What the message must contain: where, and what. */
  const char *location;
  const char *detail;
} InvalidCase;

#define CATEGORY_START \
  "  <category id=\"intimate-images\" removable=\"true\" child=\"false\">\n"
#define CATEGORY_WORDS \
  "    <title>Private images of me were shared</title>\n" \
  "    <summary>Someone shared intimate images of you.</summary>\n"
#define CATEGORY_END \
  "    <guidance ref=\"keep-evidence\"/>\n" \
  "  </category>\n"
/* The valid questions refer to these; without them each case would also
 * fail on its questions, after the problem it is about. */
#define OTHER_CATEGORIES \
  "  <category id=\"account-takeover\" removable=\"false\" child=\"false\">\n" \
  "    <title>A</title><summary>B</summary><guidance ref=\"secure-accounts\"/>\n" \
  "  </category>\n" \
  "  <category id=\"child-abuse-material\" removable=\"true\" child=\"true\">\n" \
  "    <title>C</title><summary>D</summary><guidance ref=\"keep-evidence\"/>\n" \
  "  </category>\n"

static const InvalidCase invalid_cases[] = {
  { "unknown-element", "categories.xml",
    HEAD CATEGORY_START CATEGORY_WORDS
    "    <picture/>\n"
    CATEGORY_END OTHER_CATEGORIES TAIL,
    HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT, "categories.xml:6:5: ", "<picture>" },
  { "unknown-element-in-words", "categories.xml",
    HEAD CATEGORY_START
    "    <title>Private <b>images</b></title>\n"
    "    <summary>Someone shared intimate images of you.</summary>\n"
    CATEGORY_END OTHER_CATEGORIES TAIL,
    HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT, "categories.xml:4:20: ", "<b>" },
  { "unknown-top-element", "categories.xml",
    HEAD "  <guidance id=\"keep-evidence\"/>\n" TAIL,
    HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT, "categories.xml:3:3: ", "<guidance>" },
  { "unknown-attribute", "categories.xml",
    HEAD
    "  <category id=\"intimate-images\" removable=\"true\" child=\"false\" colour=\"red\">\n"
    CATEGORY_WORDS CATEGORY_END OTHER_CATEGORIES TAIL,
    HAVEN_CONTENT_ERROR_UNKNOWN_ATTRIBUTE, "categories.xml:3:3: ", "colour" },
  /* An ITS attribute cannot switch translation off locally. */
  { "local-its-attribute", "guidance.xml",
    HEAD
    "  <guidance id=\"keep-evidence\">\n"
    "    <title its:translate=\"no\">Keep</title>\n"
    "    <step>Take a screenshot.</step>\n"
    "  </guidance>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_UNKNOWN_ATTRIBUTE, "guidance.xml:4:5: ", "its:translate" },
  { "missing-title", "categories.xml",
    HEAD CATEGORY_START
    "    <summary>Someone shared intimate images of you.</summary>\n"
    CATEGORY_END OTHER_CATEGORIES TAIL,
    HAVEN_CONTENT_ERROR_MISSING_ELEMENT, "categories.xml:3:3: ", "<title>" },
  { "repeated-title", "guidance.xml",
    HEAD
    "  <guidance id=\"keep-evidence\">\n"
    "    <title>Keep</title>\n"
    "    <title>Keep it</title>\n"
    "    <step>Take a screenshot.</step>\n"
    "  </guidance>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_REPEATED_ELEMENT, "guidance.xml:5:5: ", "<title>" },
  { "empty-text", "categories.xml",
    HEAD CATEGORY_START
    "    <title>\n"
    "    </title>\n"
    "    <summary>Someone shared intimate images of you.</summary>\n"
    CATEGORY_END OTHER_CATEGORIES TAIL,
    HAVEN_CONTENT_ERROR_EMPTY_TEXT, "categories.xml:4:5: ", "<title>" },
  { "untranslatable-text", "categories.xml",
    HEAD CATEGORY_START CATEGORY_WORDS
    "    Words a translator would never see\n"
    CATEGORY_END OTHER_CATEGORIES TAIL,
    HAVEN_CONTENT_ERROR_UNTRANSLATABLE_TEXT, "categories.xml:6:5: ", "<category>" },
  { "comment-in-words", "categories.xml",
    HEAD CATEGORY_START
    "    <title>Private <!-- note --> images</title>\n"
    "    <summary>Someone shared intimate images of you.</summary>\n"
    CATEGORY_END OTHER_CATEGORIES TAIL,
    HAVEN_CONTENT_ERROR_SYNTAX, "categories.xml:4:5: ", "comment" },
  { "question-without-type", "questions.xml",
    HEAD
    "  <question id=\"when\" category=\"*\">\n"
    "    <title>When did it start?</title>\n"
    "  </question>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_MISSING_ATTRIBUTE, "questions.xml:3:3: ", "type" },
  { "invalid-sensitive", "questions.xml",
    HEAD
    "  <question id=\"when\" type=\"date\" category=\"*\" sensitive=\"maybe\">\n"
    "    <title>When did it start?</title>\n"
    "  </question>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_INVALID_VALUE, "questions.xml:3:3: ", "sensitive" },
  { "unknown-type", "questions.xml",
    HEAD
    "  <question id=\"when\" type=\"colour\" category=\"*\">\n"
    "    <title>When did it start?</title>\n"
    "  </question>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_UNKNOWN_TYPE, "questions.xml:3:3: ", "colour" },
  { "choice-question-with-one-choice", "questions.xml",
    HEAD
    "  <question id=\"how\" type=\"multi-choice\" category=\"*\">\n"
    "    <title>How?</title>\n"
    "    <choice id=\"social\">On a social network</choice>\n"
    "  </question>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_MISSING_ELEMENT, "questions.xml:3:3: ", "<choice>" },
  { "choice-in-text-question", "questions.xml",
    HEAD
    "  <question id=\"how\" type=\"text\" category=\"*\">\n"
    "    <title>How?</title>\n"
    "    <choice id=\"social\">On a social network</choice>\n"
    "  </question>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT, "questions.xml:5:5: ", "<choice>" },
  { "category-without-guidance", "categories.xml",
    HEAD CATEGORY_START CATEGORY_WORDS
    "  </category>\n"
    OTHER_CATEGORIES TAIL,
    HAVEN_CONTENT_ERROR_MISSING_ELEMENT, "categories.xml:3:3: ", "<guidance>" },
  { "unknown-guidance", "categories.xml",
    HEAD CATEGORY_START CATEGORY_WORDS
    "    <guidance ref=\"keep-calm\"/>\n"
    "  </category>\n"
    OTHER_CATEGORIES TAIL,
    HAVEN_CONTENT_ERROR_UNKNOWN_REFERENCE, "categories.xml:6:5: ", "keep-calm" },
  { "unknown-category", "questions.xml",
    HEAD
    "  <question id=\"when\" type=\"date\" category=\"intimate-images harassment\">\n"
    "    <title>When did it start?</title>\n"
    "  </question>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_UNKNOWN_REFERENCE, "questions.xml:3:3: ", "harassment" },
  { "unknown-taxonomy-term", "categories.xml",
    HEAD CATEGORY_START CATEGORY_WORDS
    "    <taxonomy term=\"haven-image-abuse\"/>\n"
    "    <taxonomy term=\"haven-knitting\"/>\n"
    CATEGORY_END OTHER_CATEGORIES TAIL,
    HAVEN_CONTENT_ERROR_UNKNOWN_TERM, "categories.xml:7:5: ", "haven-knitting" },
  { "duplicate-id", "guidance.xml",
    HEAD
    "  <guidance id=\"keep-evidence\">\n"
    "    <title>Keep</title><step>Take a screenshot.</step>\n"
    "  </guidance>\n"
    "  <guidance id=\"keep-evidence\">\n"
    "    <title>Keep it</title><step>Take a photo.</step>\n"
    "  </guidance>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_DUPLICATE_ID, "guidance.xml:6:3: ", "line 3" },
  { "invalid-id", "guidance.xml",
    HEAD
    "  <guidance id=\"Keep Evidence\">\n"
    "    <title>Keep</title><step>Take a screenshot.</step>\n"
    "  </guidance>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_INVALID_VALUE, "guidance.xml:3:3: ", "Keep Evidence" },
  { "invalid-boolean", "categories.xml",
    HEAD
    "  <category id=\"intimate-images\" removable=\"yes\" child=\"false\">\n"
    CATEGORY_WORDS CATEGORY_END OTHER_CATEGORIES TAIL,
    HAVEN_CONTENT_ERROR_INVALID_VALUE, "categories.xml:3:3: ", "removable" },
  /* Without its namespace xgettext would pass the file over in silence. */
  { "wrong-namespace", "guidance.xml",
    "<?xml version=\"1.0\"?>\n"
    "<content xmlns=\"https://example.org/content\" version=\"1\">\n"
    "</content>\n",
    HAVEN_CONTENT_ERROR_INVALID_VALUE, "guidance.xml:2:1: ", "xmlns" },
  { "missing-namespace", "guidance.xml",
    "<?xml version=\"1.0\"?>\n"
    "<content version=\"1\">\n"
    "</content>\n",
    HAVEN_CONTENT_ERROR_MISSING_ATTRIBUTE, "guidance.xml:2:1: ", "xmlns" },
  { "unknown-version", "guidance.xml",
    "<?xml version=\"1.0\"?>\n"
    "<content xmlns=\"" HAVEN_CONTENT_NAMESPACE "\" version=\"2\">\n"
    "</content>\n",
    HAVEN_CONTENT_ERROR_INVALID_VALUE, "guidance.xml:2:1: ", "version" },
  { "not-well-formed", "categories.xml",
    HEAD CATEGORY_START CATEGORY_WORDS
    "  </content>\n",
    HAVEN_CONTENT_ERROR_SYNTAX, "categories.xml:6:", "category" },
  { "missing-file", "emergency.xml", NULL,
    HAVEN_CONTENT_ERROR_FILE, "emergency.xml: ", NULL },
  { "no-region-neutral-numbers", "emergency.xml",
    HEAD
    "  <region code=\"GB\" name=\"UK\" source=\"https://example.org/\" checked=\"2026-11-20\">\n"
    "    <number kind=\"emergency\" value=\"999\"><label>Police</label></number>\n"
    "  </region>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_MISSING_ELEMENT, "emergency.xml:2:1: ", "code=\"*\"" },
  { "number-without-label", "emergency.xml",
    HEAD
    "  <region code=\"*\" name=\"Any\" source=\"https://example.org/\" checked=\"2026-11-20\">\n"
    "    <number kind=\"emergency\" value=\"112\"/>\n"
    "  </region>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_MISSING_ELEMENT, "emergency.xml:4:5: ", "<label>" },
  { "invalid-number", "emergency.xml",
    HEAD
    "  <region code=\"*\" name=\"Any\" source=\"https://example.org/\" checked=\"2026-11-20\">\n"
    "    <number kind=\"emergency\" value=\"call 112\"><label>Police</label></number>\n"
    "  </region>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_INVALID_VALUE, "emergency.xml:4:5: ", "call 112" },
  { "plain-http-link", "emergency.xml",
    HEAD
    "  <region code=\"*\" name=\"Any\" source=\"https://example.org/\" checked=\"2026-11-20\">\n"
    "    <link kind=\"crisis\" url=\"http://example.org/help\"><label>Help</label></link>\n"
    "  </region>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_INVALID_VALUE, "emergency.xml:4:5: ", "https://" },
  { "invalid-checked-date", "emergency.xml",
    HEAD
    "  <region code=\"*\" name=\"Any\" source=\"https://example.org/\" checked=\"2026-02-30\">\n"
    "    <link kind=\"crisis\" url=\"https://example.org/help\"><label>Help</label></link>\n"
    "  </region>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_INVALID_VALUE, "emergency.xml:3:3: ", "2026-02-30" },
  { "invalid-region-code", "emergency.xml",
    HEAD
    "  <region code=\"Britain\" name=\"UK\" source=\"https://example.org/\" "
    "checked=\"2026-11-20\">\n"
    "    <link kind=\"crisis\" url=\"https://example.org/help\"><label>Help</label></link>\n"
    "  </region>\n"
    TAIL,
    HAVEN_CONTENT_ERROR_INVALID_VALUE, "emergency.xml:3:3: ", "Britain" },
  /* GMarkup in GLib 2.74 set a second error over the first here (a
   * warning, fatal in the tests); the place is that of the first byte
   * that is not UTF-8. */
  { "not-utf-8-in-comment", "guidance.xml",
    HEAD "  <!-- caf\xe9 -->\n" "  <guidance id=\"keep-evidence\"><title>A</title></guidance>\n" TAIL,
    HAVEN_CONTENT_ERROR_SYNTAX, "guidance.xml:3:11: ", "UTF-8" },
  { "not-utf-8-in-words", "guidance.xml",
    HEAD "  <guidance id=\"keep-evidence\"><title>caf\xe9</title></guidance>\n" TAIL,
    HAVEN_CONTENT_ERROR_SYNTAX, "guidance.xml:3:42: ", "UTF-8" },
};

static void
test_invalid (gconstpointer data)
{
  const InvalidCase *invalid = data;
  g_autofree char *dir = make_case_dir (invalid->file, invalid->contents);
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenContent) content = haven_content_new_from_dir (dir, known_terms, &error);

  g_assert_null (content);
  g_assert_error (error, HAVEN_CONTENT_ERROR, (int) invalid->code);
  g_test_message ("%s", error->message);

  /* The path as given, then the place. */
  g_assert_true (g_str_has_prefix (error->message, dir));
  g_assert_nonnull (strstr (error->message, invalid->location));
  if (invalid->detail != NULL)
    g_assert_nonnull (strstr (error->message, invalid->detail));

  remove_case_dir (dir);
}

/* Reading goes on after a problem, so one check shows every mistake, in
 * file order; the constructor fails with the first. */
static void
test_check_lists_every_problem (void)
{
  g_autofree char *dir = make_case_dir ("categories.xml",
    HEAD
    "  <category id=\"intimate-images\" removable=\"true\" child=\"false\" colour=\"red\">\n"
    "    <title></title>\n"
    "    <summary>Someone shared intimate images of you.</summary>\n"
    "    <guidance ref=\"keep-calm\"/>\n"
    "  </category>\n"
    OTHER_CATEGORIES TAIL);
  g_autoptr(GPtrArray) problems = haven_content_check_dir (dir, known_terms);
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenContent) content = NULL;
  static const struct {
    HavenContentError code;
    const char *location;
  } expected[] = {
    { HAVEN_CONTENT_ERROR_UNKNOWN_ATTRIBUTE, "categories.xml:3:3: " },
    { HAVEN_CONTENT_ERROR_EMPTY_TEXT, "categories.xml:4:5: " },
    { HAVEN_CONTENT_ERROR_UNKNOWN_REFERENCE, "categories.xml:6:5: " },
  };

  g_assert_cmpuint (problems->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < problems->len; i++)
    {
      GError *problem = problems->pdata[i];

      g_assert_error (problem, HAVEN_CONTENT_ERROR, (int) expected[i].code);
      g_assert_nonnull (strstr (problem->message, expected[i].location));
    }

  content = haven_content_new_from_dir (dir, known_terms, &error);
  g_assert_null (content);
  g_assert_error (error, HAVEN_CONTENT_ERROR, HAVEN_CONTENT_ERROR_UNKNOWN_ATTRIBUTE);

  g_clear_pointer (&problems, g_ptr_array_unref);
  remove_case_dir (dir);
  g_free (dir);

  dir = valid_dir ();
  problems = haven_content_check_dir (dir, known_terms);
  g_assert_cmpuint (problems->len, ==, 0);
}

/* Without the directory's mapping there is nothing to check terms
 * against; a term ending in "*" stands for every term it starts. */
static void
test_taxonomy_terms (void)
{
  g_autofree char *dir = make_case_dir ("categories.xml",
    HEAD CATEGORY_START CATEGORY_WORDS
    "    <taxonomy term=\"RP-1500.1400-100\"/>\n"
    CATEGORY_END OTHER_CATEGORIES TAIL);
  const char * const prefix_terms[] = { "RP-1500.1400*", NULL };
  const char * const other_terms[] = { "RP-1500.1500*", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenContent) unchecked = haven_content_new_from_dir (dir, NULL, &error);
  g_autoptr(HavenContent) prefixed = haven_content_new_from_dir (dir, prefix_terms, &error);
  g_autoptr(HavenContent) refused = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (unchecked);
  g_assert_nonnull (prefixed);

  refused = haven_content_new_from_dir (dir, other_terms, &error);
  g_assert_null (refused);
  g_assert_error (error, HAVEN_CONTENT_ERROR, HAVEN_CONTENT_ERROR_UNKNOWN_TERM);

  remove_case_dir (dir);
}

static void
test_read_taxonomy_terms (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "content",
                                                 "directory-mapping.ini", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) terms = haven_content_read_taxonomy_terms (path, &error);
  g_auto(GStrv) missing = NULL;

  g_assert_no_error (error);
  /* "taxonomy:code" counts under both names; other groups are not terms. */
  g_assert_cmpstrv (terms, ((const char * const[]) {
                      "haven-image-abuse",
                      "haven:haven-account-security",
                      "haven-account-security",
                      "haven:haven-child-protection",
                      "haven-child-protection",
                      "RP-1500.1400*",
                      NULL,
                    }));

  missing = haven_content_read_taxonomy_terms ("/nonexistent/categories.ini", &error);
  g_assert_null (missing);
  g_assert_error (error, HAVEN_CONTENT_ERROR, HAVEN_CONTENT_ERROR_FILE);
  g_clear_error (&error);

  /* A category the API lacks (misspelt, here) is named rather than
   * dropped, which would leave its services out. */
  {
    g_autofree char *folder = g_dir_make_tmp ("test-content-XXXXXX", NULL);
    g_autofree char *bad = g_build_filename (folder, "categories.ini", NULL);
    g_auto(GStrv) refused = NULL;

    g_assert_true (g_file_set_contents (bad, "[Terms]\nhaven:haven-image-abuse=intimate-image;\n",
                                        -1, NULL));
    refused = haven_content_read_taxonomy_terms (bad, &error);
    g_assert_null (refused);
    g_assert_error (error, HAVEN_CONTENT_ERROR, HAVEN_CONTENT_ERROR_FILE);
    g_assert_nonnull (strstr (error->message, "“intimate-image”"));
    g_assert_nonnull (strstr (error->message, "haven:haven-image-abuse"));
    g_assert_cmpint (g_remove (bad), ==, 0);
    g_assert_cmpint (g_rmdir (folder), ==, 0);
    g_clear_error (&error);
  }

  /* The mapping Haven ships names only its categories. */
  {
    g_autofree char *shipped = g_build_filename (g_getenv ("HAVEN_DATADIR"), "directory",
                                                 "categories.ini", NULL);
    g_auto(GStrv) shipped_terms = haven_content_read_taxonomy_terms (shipped, &error);

    g_assert_no_error (error);
    g_assert_nonnull (shipped_terms);
  }
}

/* A hostile content folder is refused quickly: 40,000 nested elements
 * (283 KB) used to take 11 s, as every element counted the whole stack;
 * and a file larger than content ever is, is not read at all. */
static void
test_hostile_files (void)
{
  g_autoptr(GString) nested = g_string_new ("<guidance>");
  g_autoptr(HavenContent) content = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *big_dir = NULL;
  g_autofree char *big_path = NULL;
  gint64 started;
  int fd;

  for (guint i = 0; i < 40000; i++)
    g_string_append (nested, "<a>");
  for (guint i = 0; i < 40000; i++)
    g_string_append (nested, "</a>");
  g_string_append (nested, "</guidance>");
  dir = make_case_dir ("guidance.xml", nested->str);

  started = g_get_monotonic_time ();
  content = haven_content_new_from_dir (dir, NULL, &error);
  g_test_message ("40,000 nested elements refused in %" G_GINT64_FORMAT " µs",
                  g_get_monotonic_time () - started);
  g_assert_null (content);
  g_assert_error (error, HAVEN_CONTENT_ERROR, HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 2 * G_USEC_PER_SEC);
  g_clear_error (&error);
  remove_case_dir (dir);

  big_dir = make_case_dir (NULL, NULL);
  big_path = g_build_filename (big_dir, "questions.xml", NULL);
  fd = g_open (big_path, O_WRONLY | O_TRUNC, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 5 * 1024 * 1024), ==, 0);
  g_close (fd, NULL);
  content = haven_content_new_from_dir (big_dir, NULL, &error);
  g_assert_null (content);
  g_assert_error (error, HAVEN_CONTENT_ERROR, HAVEN_CONTENT_ERROR_FILE);
  g_assert_nonnull (strstr (error->message, "larger than 4 MiB"));
  remove_case_dir (big_dir);
}

/* The shipped content is found the way every program finds Haven's data
 * (haven-paths.c): in HAVEN_DATADIR from a build tree, else installed. */
static void
test_default_dir (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *shipped = g_build_filename (PKGDATADIR, "content", NULL);
  g_autofree char *saved = g_strdup (g_getenv ("HAVEN_DATADIR"));
  g_autoptr(GError) error = NULL;
  char *dir;

  g_setenv ("HAVEN_DATADIR", "/srv/haven/source/data", TRUE);
  dir = haven_content_dup_default_dir (settings, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dir, ==, "/srv/haven/source/data/content");
  g_free (dir);

  /* The setting wins. */
  g_settings_set_string (settings, "content-dir", "/etc/haven/content");
  dir = haven_content_dup_default_dir (settings, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dir, ==, "/etc/haven/content");
  g_free (dir);

  g_settings_set_string (settings, "content-dir", "content");
  dir = haven_content_dup_default_dir (settings, &error);
  g_assert_null (dir);
  g_assert_error (error, HAVEN_CONTENT_ERROR, HAVEN_CONTENT_ERROR_FILE);
  g_assert_nonnull (strstr (error->message, "content-dir"));
  g_clear_error (&error);

  g_settings_reset (settings, "content-dir");
  g_unsetenv ("HAVEN_DATADIR");
  dir = haven_content_dup_default_dir (settings, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dir, ==, shipped);
  g_free (dir);

  dir = haven_content_dup_default_dir (NULL, &error);
  g_assert_cmpstr (dir, ==, shipped);
  g_free (dir);

  if (saved != NULL)
    g_setenv ("HAVEN_DATADIR", saved, TRUE);
}

/* The default load checks the terms against the directory's mapping:
 * here none lies beside the content, so the shipped one, found through
 * HAVEN_DATADIR. */
static void
test_load_default (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = valid_dir ();
  g_autofree char *saved = g_strdup (g_getenv ("HAVEN_DATADIR"));
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = g_dir_make_tmp ("haven-data-XXXXXX", &error);
  g_autofree char *directory_dir = g_build_filename (data_dir, "directory", NULL);
  g_autofree char *mapping = g_build_filename (directory_dir, "categories.ini", NULL);
  g_autoptr(HavenContent) content = NULL;
  g_autoptr(HavenContent) refused = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (directory_dir, 0700), ==, 0);
  g_setenv ("HAVEN_DATADIR", data_dir, TRUE);
  g_settings_set_string (settings, "content-dir", dir);

  g_file_set_contents (mapping,
                       "[Terms]\n"
                       "haven-image-abuse=intimate-images;\n"
                       "haven:haven-account-security=account-takeover;\n"
                       "haven-child-protection=child-abuse-material;\n", -1, &error);
  g_assert_no_error (error);
  content = haven_content_load_default (settings, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (haven_content_get_dir (content), ==, dir);

  g_file_set_contents (mapping, "[Terms]\nhaven-image-abuse=intimate-images;\n", -1, &error);
  g_assert_no_error (error);
  refused = haven_content_load_default (settings, &error);
  g_assert_null (refused);
  g_assert_error (error, HAVEN_CONTENT_ERROR, HAVEN_CONTENT_ERROR_UNKNOWN_TERM);

  g_settings_reset (settings, "content-dir");
  g_unlink (mapping);
  g_rmdir (directory_dir);
  g_rmdir (data_dir);
  if (saved != NULL)
    g_setenv ("HAVEN_DATADIR", saved, TRUE);
  else
    g_unsetenv ("HAVEN_DATADIR");
}

typedef struct {
  GPtrArray *selectors;
  GPtrArray *untranslated;
  char *namespace;
  char *loc_namespace;
  char *loc_target;
} ItsRules;

static void
its_start_element_cb (GMarkupParseContext  *context,
                      const char           *element,
                      const char          **names,
                      const char          **values,
                      gpointer              user_data,
                      GError              **error)
{
  ItsRules *rules = user_data;
  const char *selector = NULL;
  const char *translate = NULL;

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_equal (names[i], "selector"))
        selector = values[i];
      else if (g_str_equal (names[i], "translate"))
        translate = values[i];
      else if (g_str_equal (element, "its:rules") && g_str_equal (names[i], "xmlns:h"))
        rules->namespace = g_strdup (values[i]);
      else if (g_str_equal (element, "documentRule") && g_str_equal (names[i], "ns"))
        rules->loc_namespace = g_strdup (values[i]);
      else if (g_str_equal (element, "documentRule") && g_str_equal (names[i], "target"))
        rules->loc_target = g_strdup (values[i]);
    }

  if (!g_str_equal (element, "its:translateRule"))
    return;

  g_assert_nonnull (selector);
  if (g_strcmp0 (translate, "yes") == 0)
    g_ptr_array_add (rules->selectors, g_strdup (selector));
  else
    g_ptr_array_add (rules->untranslated, g_strdup (selector));
}

static void
parse_rules_file (const char *path,
                  ItsRules   *rules)
{
  static const GMarkupParser parser = { its_start_element_cb, NULL, NULL, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, rules, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  g_markup_parse_context_parse (context, text, -1, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);
}

/* The ITS rules that xgettext follows name exactly the elements the loader
 * takes words from, in the namespace the loader requires. */
static void
test_its_rules_match_loader (void)
{
  g_autofree char *its = source_path ("data", "content", "its", "haven-content.its", NULL);
  g_autofree char *loc = source_path ("data", "content", "its", "haven-content.loc", NULL);
  const char * const *elements = haven_content_get_translatable_elements ();
  ItsRules rules = { g_ptr_array_new_with_free_func (g_free),
                     g_ptr_array_new_with_free_func (g_free), NULL, NULL, NULL };

  parse_rules_file (its, &rules);
  parse_rules_file (loc, &rules);

  g_assert_cmpstr (rules.namespace, ==, HAVEN_CONTENT_NAMESPACE);
  g_assert_cmpstr (rules.loc_namespace, ==, HAVEN_CONTENT_NAMESPACE);
  g_assert_cmpstr (rules.loc_target, ==, "haven-content.its");

  g_assert_cmpuint (rules.untranslated->len, ==, 1);
  g_assert_cmpstr (rules.untranslated->pdata[0], ==, "/h:content");

  g_assert_cmpuint (rules.selectors->len, ==, g_strv_length ((char **) elements));
  for (guint i = 0; elements[i] != NULL; i++)
    {
      g_autofree char *selector = g_strconcat ("//h:", elements[i], NULL);

      if (!g_ptr_array_find_with_equal_func (rules.selectors, selector, g_str_equal, NULL))
        g_error ("haven-content.its has no rule “%s” for an element the loader translates",
                 selector);
    }

  g_ptr_array_unref (rules.selectors);
  g_ptr_array_unref (rules.untranslated);
  g_free (rules.namespace);
  g_free (rules.loc_namespace);
  g_free (rules.loc_target);
}

static void
add_words (GHashTable         *set,
           const char * const *words)
{
  for (guint i = 0; words[i] != NULL; i++)
    g_hash_table_add (set, g_strdup (words[i]));
}

/* Every string the kiosk may pass to g_dgettext(). */
static GHashTable *
collect_loader_words (HavenContent *content)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GListModel *categories = haven_content_get_categories (content);
  GListModel *questions = haven_content_get_questions (content);
  g_auto(GStrv) codes = haven_content_dup_region_codes (content);

  for (guint i = 0; i < g_list_model_get_n_items (categories); i++)
    {
      g_autoptr(HavenCategory) category = g_list_model_get_item (categories, i);
      const char * const *guidance_ids = haven_category_get_guidance_ids (category);

      g_hash_table_add (set, g_strdup (haven_category_get_title (category)));
      g_hash_table_add (set, g_strdup (haven_category_get_summary (category)));
      add_words (set, haven_category_get_examples (category));

      for (guint j = 0; guidance_ids[j] != NULL; j++)
        {
          HavenGuidance *guidance = haven_content_lookup_guidance (content, guidance_ids[j]);

          g_hash_table_add (set, g_strdup (haven_guidance_get_title (guidance)));
          add_words (set, haven_guidance_get_steps (guidance));
        }
    }

  for (guint i = 0; i < g_list_model_get_n_items (questions); i++)
    {
      g_autoptr(HavenQuestion) question = g_list_model_get_item (questions, i);
      const char * const *choices = haven_question_get_choice_ids (question);

      g_hash_table_add (set, g_strdup (haven_question_get_title (question)));
      if (haven_question_get_hint (question) != NULL)
        g_hash_table_add (set, g_strdup (haven_question_get_hint (question)));
      if (haven_question_get_why (question) != NULL)
        g_hash_table_add (set, g_strdup (haven_question_get_why (question)));
      for (guint j = 0; choices[j] != NULL; j++)
        g_hash_table_add (set, g_strdup (haven_question_get_choice_label (question, choices[j])));
    }

  for (guint i = 0; codes[i] != NULL; i++)
    {
      HavenEmergencyRegion *region = haven_content_lookup_region (content, codes[i]);

      for (guint j = 0; j < haven_emergency_region_get_n_numbers (region); j++)
        g_hash_table_add (set, g_strdup (haven_emergency_region_get_number_label (region, j)));
      for (guint j = 0; j < haven_emergency_region_get_n_links (region); j++)
        g_hash_table_add (set, g_strdup (haven_emergency_region_get_link_label (region, j)));
    }

  return set;
}

/* The msgids of a .pot file; continuation lines are joined. */
static GHashTable *
parse_msgids (const char *pot)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = g_strsplit (pot, "\n", -1);
  g_autoptr(GString) msgid = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *quoted = NULL;

      if (g_str_has_prefix (line, "msgid \""))
        {
          msgid = g_string_new (NULL);
          quoted = line + strlen ("msgid ");
        }
      else if (msgid != NULL && line[0] == '"')
        {
          quoted = line;
        }
      else if (msgid != NULL)
        {
          if (msgid->len > 0)
            g_hash_table_add (set, g_strdup (msgid->str));
          g_string_free (g_steal_pointer (&msgid), TRUE);
        }

      if (quoted != NULL)
        {
          g_autofree char *inner = g_strndup (quoted + 1, strlen (quoted) - 2);
          g_autofree char *unescaped = g_strcompress (inner);

          g_string_append (msgid, unescaped);
        }
    }

  return set;
}

/* What the kiosk looks up is what translators get: xgettext, with the
 * project's ITS rules, collects exactly the loader's words from the same
 * files, white space and entities handled the same way. */
static void
test_xgettext_collects_loader_words (void)
{
  g_autofree char *xgettext = g_find_program_in_path ("xgettext");
  g_autofree char *dir = valid_dir ();
  g_autofree char *data_dirs = source_path ("data", "content", NULL);
  g_auto(GStrv) environment = g_get_environ ();
  g_autofree char *pot = NULL;
  g_autofree char *errors = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenContent) content = NULL;
  g_autoptr(GHashTable) loader_words = NULL;
  g_autoptr(GHashTable) msgids = NULL;
  GHashTableIter iter;
  const char *word;
  int status = -1;
  const char *argv[] = {
    NULL, "--from-code=UTF-8", "-o", "-",
    "guidance.xml", "categories.xml", "questions.xml", "emergency.xml", NULL,
  };

  if (xgettext == NULL)
    {
      g_test_skip ("xgettext is not installed");
      return;
    }
  argv[0] = xgettext;

  content = haven_content_new_from_dir (dir, known_terms, &error);
  g_assert_no_error (error);

  environment = g_environ_setenv (environment, "GETTEXTDATADIRS", data_dirs, TRUE);
  g_spawn_sync (dir, (char **) argv, environment, G_SPAWN_DEFAULT, NULL, NULL, &pot, &errors,
                &status, &error);
  g_assert_no_error (error);
  g_test_message ("xgettext: %s", errors);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
  /* Without the rules it would warn, and collect nothing. (Without a
   * header, it would also drop every character that is not ASCII.) */
  g_assert_cmpstr (errors, ==, "");

  loader_words = collect_loader_words (content);
  msgids = parse_msgids (pot);
  g_assert_cmpuint (g_hash_table_size (loader_words), >, 20);

  g_hash_table_iter_init (&iter, loader_words);
  while (g_hash_table_iter_next (&iter, (gpointer *) &word, NULL))
    {
      if (!g_hash_table_contains (msgids, word))
        g_error ("xgettext did not collect “%s”", word);
    }

  g_hash_table_iter_init (&iter, msgids);
  while (g_hash_table_iter_next (&iter, (gpointer *) &word, NULL))
    {
      if (!g_hash_table_contains (loader_words, word))
        g_error ("xgettext collected “%s”, which the loader does not read", word);
    }
}

static int
run_havenctl (const char * const  *arguments,
              char               **out,
              char               **err)
{
  g_autofree char *havenctl = g_test_build_filename (G_TEST_BUILT, "..", "app", "ctl",
                                                     "havenctl", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, havenctl);
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) arguments[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));

  return g_subprocess_get_exit_status (process);
}

/* The command the build and deployments run: every problem as
 * FILE:LINE:COLUMN on its own line, exit status 2; 0 and a summary for
 * valid content. */
static void
test_havenctl_check (void)
{
  g_autofree char *mapping = g_test_build_filename (G_TEST_DIST, "data", "content",
                                                    "directory-mapping.ini", NULL);
  g_autofree char *valid = valid_dir ();
  g_autofree char *invalid = make_case_dir ("categories.xml",
    HEAD CATEGORY_START CATEGORY_WORDS
    "    <taxonomy term=\"haven-knitting\"/>\n"
    "    <guidance ref=\"keep-calm\"/>\n"
    "  </category>\n"
    OTHER_CATEGORIES TAIL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *term_line = g_strdup_printf ("%s/categories.xml:6:5: ", invalid);
  g_autofree char *guidance_line = g_strdup_printf ("\n%s/categories.xml:7:5: ", invalid);
  int status;

  status = run_havenctl ((const char * const[]) {
                           "content", "check", "--directory-mapping", mapping, valid, NULL
                         }, &out, &err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "3 categories"));
  g_assert_nonnull (strstr (out, "4 questions"));
  g_assert_nonnull (strstr (out, mapping));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = run_havenctl ((const char * const[]) {
                           "content", "check", "--directory-mapping", mapping, invalid, NULL
                         }, &out, &err);
  g_assert_cmpint (status, ==, 2);
  g_assert_true (g_str_has_prefix (err, term_line));
  g_assert_nonnull (strstr (err, "haven-knitting"));
  g_assert_nonnull (strstr (err, guidance_line));
  g_assert_nonnull (strstr (err, "2 problems"));
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = run_havenctl ((const char * const[]) { "content", "check", valid, invalid, NULL },
                         &out, &err);
  g_assert_cmpint (status, ==, 2);

  remove_case_dir (invalid);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/content/valid", test_valid);
  g_test_add_func ("/haven/content/words-are-normalized", test_words_are_normalized);
  g_test_add_func ("/haven/content/questions-for", test_questions_for);
  g_test_add_func ("/haven/content/region-fallback", test_region_fallback);
  g_test_add_func ("/haven/content/version", test_version);
  for (gsize i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/haven/content/invalid/", invalid_cases[i].name,
                                           NULL);

      g_test_add_data_func (path, &invalid_cases[i], test_invalid);
    }
  g_test_add_func ("/haven/content/check-lists-every-problem", test_check_lists_every_problem);
  g_test_add_func ("/haven/content/taxonomy-terms", test_taxonomy_terms);
  g_test_add_func ("/haven/content/read-taxonomy-terms", test_read_taxonomy_terms);
  g_test_add_func ("/haven/content/default-dir", test_default_dir);
  g_test_add_func ("/haven/content/hostile-files", test_hostile_files);
  g_test_add_func ("/haven/content/load-default", test_load_default);
  g_test_add_func ("/haven/content/its-rules-match-loader", test_its_rules_match_loader);
  g_test_add_func ("/haven/content/xgettext-collects-loader-words",
                   test_xgettext_collects_loader_words);
  g_test_add_func ("/haven/content/havenctl-check", test_havenctl_check);

  return g_test_run ();
}
