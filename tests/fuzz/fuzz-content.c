/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "haven-category.h"
#include "haven-content.h"
#include "haven-emergency-region.h"
#include "haven-guidance.h"
#include "haven-question.h"

/* A deployment's content folder (guidance.xml, categories.xml,
 * questions.xml, emergency.xml), read as `havenctl content check` and the
 * kiosk read it: the XML reader, the checks of each element and the
 * references between files.
 *
 * The input is the four files in that order, separated by form feeds
 * (which XML 1.0 does not allow, so no file loses anything by it); files
 * past the end of the input are absent. */

static char **known_terms;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;

  fuzz_init ();
  known_terms = haven_content_read_taxonomy_terms (FUZZ_SOURCE_ROOT "/data/directory/categories.ini",
                                                   &error);
  g_assert_no_error (error);

  return 0;
}

static void
walk (HavenContent *content)
{
  GListModel *categories = haven_content_get_categories (content);
  GListModel *questions = haven_content_get_questions (content);
  g_auto(GStrv) regions = haven_content_dup_region_codes (content);

  g_assert_nonnull (haven_content_get_version (content));

  for (guint i = 0; i < g_list_model_get_n_items (categories); i++)
    {
      g_autoptr(HavenCategory) category = g_list_model_get_item (categories, i);
      const char * const *guidance_ids = haven_category_get_guidance_ids (category);
      GListModel *for_category;

      g_assert_true (haven_content_lookup_category (content, haven_category_get_id (category)) ==
                     category);
      for (guint g = 0; guidance_ids != NULL && guidance_ids[g] != NULL; g++)
        g_assert_nonnull (haven_content_lookup_guidance (content, guidance_ids[g]));
      for_category = haven_content_get_questions_for (content, haven_category_get_id (category));
      g_assert_nonnull (for_category);
    }

  for (guint i = 0; i < g_list_model_get_n_items (questions); i++)
    {
      g_autoptr(HavenQuestion) question = g_list_model_get_item (questions, i);
      const char * const *choices = haven_question_get_choice_ids (question);

      g_assert_true (haven_content_lookup_question (content, haven_question_get_id (question)) ==
                     question);
      for (guint c = 0; choices != NULL && choices[c] != NULL; c++)
        g_assert_nonnull (haven_question_get_choice_label (question, choices[c]));
    }

  for (guint i = 0; regions[i] != NULL; i++)
    {
      HavenEmergencyRegion *region = haven_content_lookup_region (content, regions[i]);

      g_assert_nonnull (region);
      for (guint n = 0; n < haven_emergency_region_get_n_numbers (region); n++)
        g_assert_nonnull (haven_emergency_region_get_number_value (region, n));
      for (guint n = 0; n < haven_emergency_region_get_n_links (region); n++)
        g_assert_nonnull (haven_emergency_region_get_link_url (region, n));
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char * const *names = haven_content_get_file_names ();
  const char *dir = fuzz_scratch_subdir ("content");
  g_auto(GStrv) parts = fuzz_split (data, size, '\f', g_strv_length ((GStrv) names));
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(HavenContent) content = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_empty_dir (dir);
  for (guint i = 0; parts[i] != NULL; i++)
    fuzz_write_file (dir, names[i], parts[i], strlen (parts[i]));

  problems = haven_content_check_dir (dir, (const char * const *) known_terms);
  for (guint i = 0; i < problems->len; i++)
    {
      const GError *problem = g_ptr_array_index (problems, i);

      g_assert_true (g_utf8_validate (problem->message, -1, NULL));
    }

  if (problems->len > 0)
    return 0;

  content = haven_content_new_from_dir (dir, (const char * const *) known_terms, &error);
  g_assert_no_error (error);
  walk (content);

  return 0;
}
