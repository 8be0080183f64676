/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "haven-answer.h"
#include "haven-checks.h"
#include "haven-content.h"
#include "haven-currency.h"
#include "haven-question.h"
#include "haven-wipe.h"

/* What a visitor types into a question, and the stored answers read back:
 * the amount parser (haven_answer_parse_amount()), money, dates and
 * multi-choice answers, the region and currency codes, and each answer as
 * the summary shows it (haven_answer_format()) for every question type of
 * the shipped content. */

static HavenContent *content;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;

  fuzz_init ();
  content = haven_content_new_from_dir (FUZZ_SOURCE_ROOT "/data/content", NULL, &error);
  g_assert_no_error (error);

  return 0;
}

static void
check_amount (const char *text)
{
  g_autoptr(GError) error = NULL;
  char *normalized = NULL;
  char *again = NULL;
  char *money = NULL;
  char *amount = NULL;
  char *currency = NULL;

  if (!haven_answer_parse_amount (text, &normalized, &error))
    {
      g_assert_true (g_error_matches (error, HAVEN_ANSWER_ERROR, HAVEN_ANSWER_ERROR_INVALID));
      g_assert_null (normalized);
      return;
    }
  g_assert_no_error (error);

  /* Digits, a point, two decimals; what it reads it reads again. */
  g_assert_true (g_regex_match_simple ("^[1-9][0-9]{0,11}\\.[0-9]{2}$|^0\\.(0[1-9]|[1-9][0-9])$",
                                       normalized, 0, 0));
  g_assert_true (haven_answer_parse_amount (normalized, &again, NULL));
  g_assert_cmpstr (normalized, ==, again);

  /* make_money() refuses (a critical) what is not a normalised amount. */
  money = haven_answer_make_money (normalized, "EUR");
  g_assert_true (haven_answer_split_money (money, &amount, &currency));
  g_assert_cmpstr (amount, ==, normalized);
  g_assert_cmpstr (currency, ==, "EUR");

  haven_wipe_string (normalized);
  haven_wipe_string (again);
  haven_wipe_string (money);
  haven_wipe_string (amount);
  g_free (currency);
}

static void
check_stored (const char *text)
{
  g_autoptr(GDateTime) far = g_date_time_new_utc (9999, 12, 31, 0, 0, 0);
  g_auto(GStrv) choices = NULL;
  char *amount = NULL;
  char *currency = NULL;
  int year, month, day;

  if (haven_answer_split_date (text, &year, &month, &day))
    {
      g_autofree char *date = haven_answer_make_date (year, month, day, far);

      g_assert_true (haven_check_iso_date (text));
      g_assert_true (haven_check_date (year, month, day));
      g_assert_cmpstr (date, ==, text);
    }

  if (haven_answer_split_money (text, &amount, &currency))
    {
      char *money = haven_answer_make_money (amount, currency);

      g_assert_cmpstr (money, ==, text);
      haven_wipe_string (money);
      haven_wipe_string (amount);
      g_free (currency);
    }

  /* No choice id is empty. */
  choices = haven_answer_split_choices (text);
  for (guint i = 0; choices[i] != NULL; i++)
    g_assert_cmpuint (strlen (choices[i]), >, 0);

  haven_check_region_code (text);
  haven_currency_for_region (text);
  if (haven_currency_is_valid (text))
    g_assert_cmpuint (strlen (text), ==, 3);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  GListModel *questions = haven_content_get_questions (content);
  gboolean utf8 = g_utf8_validate (text, -1, NULL);

  check_amount (text);
  check_stored (text);

  /* The kiosk stores only text GTK gave it, which is UTF-8. */
  if (!utf8)
    return 0;

  for (guint i = 0; i < g_list_model_get_n_items (questions); i++)
    {
      g_autoptr(HavenQuestion) question = g_list_model_get_item (questions, i);
      /* No region, and regions whose money is written in different ways:
       * a sign before, a sign after with no decimals, a code. */
      static const char *regions[] = { NULL, "GB-LND", "VN", "CH", "KW" };

      for (gsize r = 0; r < G_N_ELEMENTS (regions); r++)
        {
          char *formatted = haven_answer_format (question, text, regions[r]);

          if (formatted != NULL)
            g_assert_true (g_utf8_validate (formatted, -1, NULL));
          haven_wipe_string (formatted);
        }
    }

  return 0;
}
