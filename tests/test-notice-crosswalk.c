/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-notice-crosswalk"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "haven-content.h"
#include "haven-notice-crosswalk.h"

/* The notice crosswalk Haven ships (data/notices/crosswalk.ini) reads, and
 * says for each category what a notice to a platform needs; a copy broken
 * in one place is refused, its message naming the place. HAVEN_DATADIR
 * (tests/meson.build) points at the source tree's data/. */

static HavenContent *
shipped_content (void)
{
  g_autoptr(GError) error = NULL;
  HavenContent *content = haven_content_load_default (NULL, &error);

  g_assert_no_error (error);
  return content;
}

static HavenNoticeCrosswalk *
shipped_crosswalk (void)
{
  g_autoptr(GError) error = NULL;
  HavenNoticeCrosswalk *crosswalk = haven_notice_crosswalk_load_default (NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (crosswalk);
  return crosswalk;
}

static void
assert_strv_equal (const char * const *actual,
                   const char * const *expected)
{
  g_assert_nonnull (actual);
  g_assert_cmpuint (g_strv_length ((GStrv) actual), ==, g_strv_length ((GStrv) expected));
  for (gsize i = 0; expected[i] != NULL; i++)
    g_assert_cmpstr (actual[i], ==, expected[i]);
}

static void
assert_articles (HavenNoticeCrosswalk *crosswalk,
                 const char           *category_id,
                 const guint          *expected,
                 gsize                 n_expected)
{
  gsize n_articles = 99;
  const guint *articles = haven_notice_crosswalk_get_convention_articles (crosswalk, category_id,
                                                                          &n_articles);

  g_assert_cmpuint (n_articles, ==, n_expected);
  for (gsize i = 0; i < n_expected; i++)
    {
      g_assert_cmpuint (articles[i], ==, expected[i]);
      g_assert_nonnull (haven_notice_crosswalk_get_article_title (crosswalk,
                                                                             articles[i]));
    }
}

static void
test_shipped_loads (void)
{
  g_autoptr(HavenNoticeCrosswalk) crosswalk = shipped_crosswalk ();
  g_autofree char *path = haven_notice_crosswalk_dup_default_path ();

  g_assert_cmpstr (haven_notice_crosswalk_get_path (crosswalk), ==, path);
  g_assert_true (g_str_has_suffix (path, G_DIR_SEPARATOR_S "notices" G_DIR_SEPARATOR_S
                                         "crosswalk.ini"));
  g_assert_nonnull (strstr (haven_notice_crosswalk_get_dsa_source (crosswalk),
                            "digital-services-act/transparency-database"));
  g_assert_nonnull (strstr (haven_notice_crosswalk_get_convention_source (crosswalk),
                            "79/243"));
  g_assert_cmpstr (haven_notice_crosswalk_get_article_title (crosswalk, 16), ==,
                   "Non-consensual dissemination of intimate images");
  g_assert_null (haven_notice_crosswalk_get_article_title (crosswalk, 99));

  g_assert_finalize_object (g_steal_pointer (&crosswalk));
}

/* Every category of the content, and no other, has its values. */
static void
test_covers_content (void)
{
  g_autoptr(HavenContent) content = shipped_content ();
  g_autoptr(HavenNoticeCrosswalk) crosswalk = shipped_crosswalk ();
  GListModel *categories = haven_content_get_categories (content);
  const char * const *ids = haven_notice_crosswalk_get_category_ids (crosswalk);

  g_assert_cmpuint (g_list_model_get_n_items (categories), ==, 8);
  g_assert_cmpuint (g_strv_length ((GStrv) ids), ==, g_list_model_get_n_items (categories));
  for (guint i = 0; i < g_list_model_get_n_items (categories); i++)
    {
      g_autoptr(HavenCategory) category = g_list_model_get_item (categories, i);
      const char *id = haven_category_get_id (category);
      const char *statement_category =
        haven_notice_crosswalk_get_statement_category (crosswalk, id);

      g_assert_true (g_strv_contains (ids, id));
      g_assert_true (g_str_has_prefix (statement_category, "STATEMENT_CATEGORY_"));
      g_assert_nonnull (haven_notice_crosswalk_get_keywords (crosswalk, id));
      assert_strv_equal (haven_notice_crosswalk_get_taxonomy_terms (crosswalk, id),
                         haven_category_get_taxonomy_terms (category));
    }

  g_assert_null (haven_notice_crosswalk_get_statement_category (crosswalk, "extortion"));
  g_assert_null (haven_notice_crosswalk_get_keywords (crosswalk, "extortion"));
  g_assert_null (haven_notice_crosswalk_get_taxonomy_terms (crosswalk, "extortion"));
  g_assert_false (haven_notice_crosswalk_is_child_abuse_material (crosswalk, "extortion"));
  assert_articles (crosswalk, "extortion", NULL, 0);
}

static void
test_category_values (void)
{
  g_autoptr(HavenNoticeCrosswalk) crosswalk = shipped_crosswalk ();
  const char * const intimate_keywords[] = {
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
    NULL,
  };
  const char * const intimate_terms[] = { "haven-image-abuse", "haven-sextortion", NULL };
  const char * const child_keywords[] = {
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
    "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
    NULL,
  };
  const char * const harassment_keywords[] = {
    "KEYWORD_CYBER_HARASSMENT",
    "KEYWORD_CYBER_STALKING",
    "KEYWORD_CYBER_BULLYING_INTIMIDATION",
    NULL,
  };
  const char * const none[] = { NULL };
  const guint account_articles[] = { 7, 8 };
  const guint malware_articles[] = { 9, 10, 11 };
  const guint fraud_articles[] = { 13 };
  const guint impersonation_articles[] = { 12 };
  const guint intimate_articles[] = { 16 };
  const guint child_articles[] = { 14, 15 };

  g_assert_cmpstr (haven_notice_crosswalk_get_statement_category (crosswalk,
                                                                  "intimate-images"), ==,
                   "STATEMENT_CATEGORY_CYBER_VIOLENCE");
  assert_strv_equal (haven_notice_crosswalk_get_keywords (crosswalk, "intimate-images"),
                     intimate_keywords);
  assert_strv_equal (haven_notice_crosswalk_get_taxonomy_terms (crosswalk, "intimate-images"),
                     intimate_terms);
  assert_articles (crosswalk, "intimate-images", intimate_articles, 1);
  g_assert_false (haven_notice_crosswalk_is_child_abuse_material (crosswalk, "intimate-images"));

  g_assert_cmpstr (haven_notice_crosswalk_get_statement_category (crosswalk,
                                                                  "child-abuse-material"), ==,
                   "STATEMENT_CATEGORY_PROTECTION_OF_MINORS");
  assert_strv_equal (haven_notice_crosswalk_get_keywords (crosswalk, "child-abuse-material"),
                     child_keywords);
  assert_articles (crosswalk, "child-abuse-material", child_articles, 2);
  g_assert_true (haven_notice_crosswalk_is_child_abuse_material (crosswalk,
                                                                 "child-abuse-material"));

  g_assert_cmpstr (haven_notice_crosswalk_get_statement_category (crosswalk, "fraud"), ==,
                   "STATEMENT_CATEGORY_SCAMS_AND_FRAUD");
  assert_articles (crosswalk, "fraud", fraud_articles, 1);
  g_assert_cmpstr (haven_notice_crosswalk_get_statement_category (crosswalk, "impersonation"), ==,
                   "STATEMENT_CATEGORY_SCAMS_AND_FRAUD");
  g_assert_true (g_strv_contains (haven_notice_crosswalk_get_keywords (crosswalk, "impersonation"),
                                  "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING"));
  assert_articles (crosswalk, "impersonation", impersonation_articles, 1);
  assert_articles (crosswalk, "account-takeover", account_articles, 2);
  assert_articles (crosswalk, "malware", malware_articles, 3);

  g_assert_cmpstr (haven_notice_crosswalk_get_statement_category (crosswalk, "harassment"), ==,
                   "STATEMENT_CATEGORY_CYBER_VIOLENCE");
  assert_strv_equal (haven_notice_crosswalk_get_keywords (crosswalk, "harassment"),
                     harassment_keywords);
  assert_articles (crosswalk, "harassment", NULL, 0);

  g_assert_cmpstr (haven_notice_crosswalk_get_statement_category (crosswalk, "other"), ==,
                   "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE");
  assert_strv_equal (haven_notice_crosswalk_get_keywords (crosswalk, "other"), none);
  assert_articles (crosswalk, "other", NULL, 0);

  /* Only the child abuse category goes to a hotline. */
  for (gsize i = 0; haven_notice_crosswalk_get_category_ids (crosswalk)[i] != NULL; i++)
    {
      const char *id = haven_notice_crosswalk_get_category_ids (crosswalk)[i];

      g_assert_cmpint (haven_notice_crosswalk_is_child_abuse_material (crosswalk, id), ==,
                       g_str_equal (id, "child-abuse-material"));
    }
}

/* One way to break a copy of the shipped file, what must be refused, and
 * the words its message must hold. */
typedef struct
{
  const char *name;
  void (*edit) (GKeyFile *file);
  HavenNoticeCrosswalkError code;
  const char *expected[3];
} BrokenCase;

static void
misspelt_keyword (GKeyFile *file)
{
  g_key_file_set_value (file, "Category intimate-images", "keywords",
                        "KEYWORD_NON_CONSENSUAL_IMAGE_SHARNG;");
}

static void
misspelt_statement_category (GKeyFile *file)
{
  g_key_file_set_value (file, "Category fraud", "statement-category",
                        "STATEMENT_CATEGORY_SCAMS_AND_FRAUDS");
}

static void
two_statement_categories (GKeyFile *file)
{
  g_key_file_set_value (file, "Category fraud", "statement-category",
                        "STATEMENT_CATEGORY_SCAMS_AND_FRAUD;STATEMENT_CATEGORY_CYBER_VIOLENCE");
}

static void
missing_category (GKeyFile *file)
{
  g_key_file_remove_group (file, "Category harassment", NULL);
}

static void
extra_category (GKeyFile *file)
{
  g_key_file_set_value (file, "Category extortion", "convention-articles", "");
  g_key_file_set_value (file, "Category extortion", "statement-category",
                        "STATEMENT_CATEGORY_CYBER_VIOLENCE");
  g_key_file_set_value (file, "Category extortion", "keywords", "");
  g_key_file_set_value (file, "Category extortion", "taxonomy-terms", "haven-sextortion;");
  g_key_file_set_value (file, "Category extortion", "child-sexual-abuse-material", "false");
}

static void
wrong_taxonomy_term (GKeyFile *file)
{
  g_key_file_set_value (file, "Category fraud", "taxonomy-terms", "haven-fraud-help;");
}

static void
missing_taxonomy_term (GKeyFile *file)
{
  g_key_file_set_value (file, "Category intimate-images", "taxonomy-terms",
                        "haven-image-abuse;");
}

static void
unknown_key (GKeyFile *file)
{
  g_key_file_set_value (file, "Category fraud", "keyword", "KEYWORD_PHISHING;");
}

static void
missing_key (GKeyFile *file)
{
  g_key_file_remove_key (file, "Category other", "child-sexual-abuse-material", NULL);
}

static void
unknown_group (GKeyFile *file)
{
  g_key_file_set_value (file, "Categories fraud", "keywords", "");
}

static void
missing_vocabulary (GKeyFile *file)
{
  g_key_file_remove_group (file, "DSA vocabulary", NULL);
}

static void
vocabulary_not_a_code (GKeyFile *file)
{
  g_autofree char *keywords = g_key_file_get_value (file, "DSA vocabulary", "keywords", NULL);
  g_autofree char *edited = g_strconcat (keywords, "Phishing;", NULL);

  g_key_file_set_value (file, "DSA vocabulary", "keywords", edited);
}

static void
article_without_title (GKeyFile *file)
{
  g_key_file_set_value (file, "Category fraud", "convention-articles", "13;17;");
}

static void
article_not_a_number (GKeyFile *file)
{
  g_key_file_set_value (file, "Category fraud", "convention-articles", "Art. 13;");
}

static void
keyword_twice (GKeyFile *file)
{
  g_key_file_set_value (file, "Category fraud", "keywords", "KEYWORD_PHISHING;KEYWORD_PHISHING;");
}

static void
csam_not_about_child (GKeyFile *file)
{
  g_key_file_set_value (file, "Category intimate-images", "child-sexual-abuse-material", "true");
}

static void
csam_not_boolean (GKeyFile *file)
{
  g_key_file_set_value (file, "Category other", "child-sexual-abuse-material", "maybe");
}

static void
empty_statement_category (GKeyFile *file)
{
  g_key_file_set_value (file, "Category other", "statement-category", "");
}

static const BrokenCase broken_cases[] = {
  { "misspelt-keyword", misspelt_keyword, HAVEN_NOTICE_CROSSWALK_ERROR_NOT_IN_VOCABULARY,
    { "[Category intimate-images] keywords", "“KEYWORD_NON_CONSENSUAL_IMAGE_SHARNG”", NULL } },
  { "misspelt-statement-category", misspelt_statement_category,
    HAVEN_NOTICE_CROSSWALK_ERROR_NOT_IN_VOCABULARY,
    { "[Category fraud] statement-category", "STATEMENT_CATEGORY_SCAMS_AND_FRAUDS", NULL } },
  { "two-statement-categories", two_statement_categories,
    HAVEN_NOTICE_CROSSWALK_ERROR_NOT_IN_VOCABULARY,
    { "[Category fraud] statement-category", NULL } },
  { "missing-category", missing_category, HAVEN_NOTICE_CROSSWALK_ERROR_MISSING_CATEGORY,
    { "“harassment”", "[Category harassment]", NULL } },
  { "extra-category", extra_category, HAVEN_NOTICE_CROSSWALK_ERROR_UNKNOWN_CATEGORY,
    { "[Category extortion]", "no category “extortion”", NULL } },
  { "wrong-taxonomy-term", wrong_taxonomy_term, HAVEN_NOTICE_CROSSWALK_ERROR_TAXONOMY_MISMATCH,
    { "[Category fraud] taxonomy-terms", "“haven-fraud-help”", "“haven-fraud-support”" } },
  { "missing-taxonomy-term", missing_taxonomy_term,
    HAVEN_NOTICE_CROSSWALK_ERROR_TAXONOMY_MISMATCH,
    { "[Category intimate-images] taxonomy-terms", "haven-sextortion", NULL } },
  { "unknown-key", unknown_key, HAVEN_NOTICE_CROSSWALK_ERROR_UNKNOWN_KEY,
    { "[Category fraud]", "unknown key “keyword”", NULL } },
  { "missing-key", missing_key, HAVEN_NOTICE_CROSSWALK_ERROR_MISSING_KEY,
    { "[Category other]", "“child-sexual-abuse-material” is missing", NULL } },
  { "unknown-group", unknown_group, HAVEN_NOTICE_CROSSWALK_ERROR_UNKNOWN_GROUP,
    { "unknown group [Categories fraud]", NULL } },
  { "missing-vocabulary", missing_vocabulary, HAVEN_NOTICE_CROSSWALK_ERROR_MISSING_GROUP,
    { "[DSA vocabulary] is missing", NULL } },
  { "vocabulary-not-a-code", vocabulary_not_a_code, HAVEN_NOTICE_CROSSWALK_ERROR_INVALID_VALUE,
    { "[DSA vocabulary] keywords", "“Phishing”", NULL } },
  { "article-without-title", article_without_title, HAVEN_NOTICE_CROSSWALK_ERROR_INVALID_VALUE,
    { "[Category fraud] convention-articles", "Article 17", NULL } },
  { "article-not-a-number", article_not_a_number, HAVEN_NOTICE_CROSSWALK_ERROR_INVALID_VALUE,
    { "[Category fraud] convention-articles", "“Art. 13”", NULL } },
  { "keyword-twice", keyword_twice, HAVEN_NOTICE_CROSSWALK_ERROR_DUPLICATE_VALUE,
    { "[Category fraud] keywords", "“KEYWORD_PHISHING” is listed twice", NULL } },
  { "csam-not-about-child", csam_not_about_child, HAVEN_NOTICE_CROSSWALK_ERROR_NOT_ABOUT_CHILD,
    { "[Category intimate-images] child-sexual-abuse-material", NULL } },
  { "csam-not-boolean", csam_not_boolean, HAVEN_NOTICE_CROSSWALK_ERROR_INVALID_VALUE,
    { "[Category other] child-sexual-abuse-material", "“maybe”", NULL } },
  { "empty-statement-category", empty_statement_category,
    HAVEN_NOTICE_CROSSWALK_ERROR_INVALID_VALUE,
    { "[Category other] statement-category", NULL } },
};

static void
test_broken (gconstpointer data)
{
  const BrokenCase *broken = data;
  g_autoptr(HavenContent) content = shipped_content ();
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenNoticeCrosswalk) crosswalk = NULL;
  g_autofree char *shipped = haven_notice_crosswalk_dup_default_path ();
  g_autofree char *dir = g_dir_make_tmp ("haven-crosswalk-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_key_file_load_from_file (file, shipped, G_KEY_FILE_KEEP_COMMENTS, &error);
  g_assert_no_error (error);
  broken->edit (file);
  text = g_key_file_to_data (file, NULL, NULL);
  path = g_build_filename (dir, "crosswalk.ini", NULL);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);

  crosswalk = haven_notice_crosswalk_new_from_file (path, content, &error);
  g_assert_null (crosswalk);
  g_assert_error (error, HAVEN_NOTICE_CROSSWALK_ERROR, (int) broken->code);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, path));
  for (gsize i = 0; i < G_N_ELEMENTS (broken->expected) && broken->expected[i] != NULL; i++)
    {
      if (strstr (error->message, broken->expected[i]) == NULL)
        g_error ("“%s” is not in the message: %s", broken->expected[i], error->message);
    }

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* The unedited copy reads, so each broken case fails for its one edit. */
static void
test_copy_loads (void)
{
  g_autoptr(HavenContent) content = shipped_content ();
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenNoticeCrosswalk) crosswalk = NULL;
  g_autofree char *shipped = haven_notice_crosswalk_dup_default_path ();
  g_autofree char *dir = g_dir_make_tmp ("haven-crosswalk-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "crosswalk.ini", NULL);
  g_autofree char *text = NULL;

  g_key_file_load_from_file (file, shipped, G_KEY_FILE_KEEP_COMMENTS, &error);
  g_assert_no_error (error);
  text = g_key_file_to_data (file, NULL, NULL);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);

  crosswalk = haven_notice_crosswalk_new_from_file (path, content, &error);
  g_assert_no_error (error);
  g_assert_nonnull (crosswalk);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_unreadable (void)
{
  g_autoptr(HavenContent) content = shipped_content ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenNoticeCrosswalk) crosswalk = NULL;

  crosswalk = haven_notice_crosswalk_new_from_file ("/nonexistent/crosswalk.ini", content, &error);
  g_assert_null (crosswalk);
  g_assert_error (error, HAVEN_NOTICE_CROSSWALK_ERROR, HAVEN_NOTICE_CROSSWALK_ERROR_FILE);
  g_assert_true (g_str_has_prefix (error->message, "/nonexistent/crosswalk.ini: "));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/notice-crosswalk/shipped-loads", test_shipped_loads);
  g_test_add_func ("/haven/notice-crosswalk/covers-content", test_covers_content);
  g_test_add_func ("/haven/notice-crosswalk/category-values", test_category_values);
  g_test_add_func ("/haven/notice-crosswalk/copy-loads", test_copy_loads);
  g_test_add_func ("/haven/notice-crosswalk/unreadable", test_unreadable);
  for (gsize i = 0; i < G_N_ELEMENTS (broken_cases); i++)
    {
      g_autofree char *name = g_strconcat ("/haven/notice-crosswalk/refuses/",
                                           broken_cases[i].name, NULL);

      g_test_add_data_func (name, &broken_cases[i], test_broken);
    }

  return g_test_run ();
}
