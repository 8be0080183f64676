/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-answer"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "haven-answer.h"
#include "haven-checks.h"
#include "haven-currency.h"
#include "haven-wipe.h"

/* The session and the report keep every answer as a string, keyed by
 * question id (haven-api-v1.md's incident.answers). The forms here do not depend
 * on the visitor's language, so the backend reads the same report whatever
 * language the visit was in; haven_answer_format() turns them back into
 * words for the visitor. Copies of what the visitor typed are wiped. */

#define MAX_WHOLE_DIGITS 12

G_DEFINE_QUARK (haven-answer-error-quark, haven_answer_error)

/* On their own, for a date picker. */
static const char * const month_names[] = {
  NC_("month", "January"),
  NC_("month", "February"),
  NC_("month", "March"),
  NC_("month", "April"),
  NC_("month", "May"),
  NC_("month", "June"),
  NC_("month", "July"),
  NC_("month", "August"),
  NC_("month", "September"),
  NC_("month", "October"),
  NC_("month", "November"),
  NC_("month", "December"),
};

/* Inside a full date. A separate message from the name on its own because
 * many languages change the name there: Russian writes "20 ноября", not
 * "20 ноябрь". */
static const char * const month_in_date_names[] = {
  /* Translators: the month inside a full date such as "20 January 2026",
   * in the form your language uses there (for example the genitive). */
  NC_("month in a date", "January"),
  NC_("month in a date", "February"),
  NC_("month in a date", "March"),
  NC_("month in a date", "April"),
  NC_("month in a date", "May"),
  NC_("month in a date", "June"),
  NC_("month in a date", "July"),
  NC_("month in a date", "August"),
  NC_("month in a date", "September"),
  NC_("month in a date", "October"),
  NC_("month in a date", "November"),
  NC_("month in a date", "December"),
};

static gboolean
is_choice_id (const char *id)
{
  return *id != '\0' && strchr (id, ',') == NULL;
}

/**
 * haven_answer_join_choices:
 * @ids: (nullable): choice ids, none empty and none with a comma
 *
 * Returns: (nullable): the answer, or %NULL when @ids is empty
 */
char *
haven_answer_join_choices (const char * const *ids)
{
  if (ids == NULL || ids[0] == NULL)
    return NULL;

  for (guint i = 0; ids[i] != NULL; i++)
    g_return_val_if_fail (is_choice_id (ids[i]), NULL);

  return g_strjoinv (",", (char **) ids);
}

/* Empty pieces ("a,,b") are dropped: no choice has an empty id. */
GStrv
haven_answer_split_choices (const char *answer)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) pieces = NULL;

  if (answer == NULL)
    return g_strv_builder_end (builder);

  pieces = g_strsplit (answer, ",", -1);
  for (guint i = 0; pieces[i] != NULL; i++)
    {
      if (*pieces[i] != '\0')
        g_strv_builder_add (builder, pieces[i]);
    }

  return g_strv_builder_end (builder);
}

/**
 * haven_answer_make_date:
 * @now: (nullable): the time the date may not be after, in the time zone
 *   whose calendar day counts; %NULL for the current local time
 *
 * Returns: (nullable): "YYYY-MM-DD"
 */
char *
haven_answer_make_date (int        year,
                        int        month,
                        int        day,
                        GDateTime *now)
{
  g_autoptr(GDateTime) local_now = NULL;
  int today_year, today_month, today_day;

  if (!haven_check_date (year, month, day))
    return NULL;

  if (now == NULL)
    now = local_now = g_date_time_new_now_local ();
  g_date_time_get_ymd (now, &today_year, &today_month, &today_day);
  if (year * 10000 + month * 100 + day > today_year * 10000 + today_month * 100 + today_day)
    return NULL;

  return g_strdup_printf ("%04d-%02d-%02d", year, month, day);
}

/* The number written by the @n_digits ASCII digits at @text. */
static int
read_number (const char *text,
             guint       n_digits)
{
  int read = 0;

  for (guint i = 0; i < n_digits; i++)
    read = read * 10 + g_ascii_digit_value (text[i]);

  return read;
}

/**
 * haven_answer_split_date:
 * @answer: (nullable):
 * @year: (out) (optional):
 * @month: (out) (optional):
 * @day: (out) (optional):
 */
gboolean
haven_answer_split_date (const char *answer,
                         int        *year,
                         int        *month,
                         int        *day)
{
  int y, m, d;

  if (answer == NULL || !haven_check_iso_date (answer))
    return FALSE;
  y = read_number (answer, 4);
  m = read_number (answer + 5, 2);
  d = read_number (answer + 8, 2);

  if (year != NULL)
    *year = y;
  if (month != NULL)
    *month = m;
  if (day != NULL)
    *day = d;
  return TRUE;
}

/* NFKC has already made full-width forms ASCII and no-break and thin
 * spaces plain ones. Apostrophes group thousands in Switzerland, U+066B and
 * U+066C are the Arabic decimal and thousands separators, and digits of any
 * script count, since an Arabic or Persian keyboard types its own. */
static char
skeleton_char (gunichar c)
{
  int digit = g_unichar_digit_value (c);

  if (digit >= 0)
    return (char) ('0' + digit);
  if (c == '.' || c == ',')
    return (char) c;
  if (c == 0x066B)
    return '.';
  if (g_unichar_isspace (c) || c == '\'' || c == 0x2019 || c == 0x066C)
    return ' ';

  return '\0';
}

/* The typed amount reduced to ASCII digits, "." and "," (either may be
 * decimal) and " " (only ever between thousands), without outer spaces;
 * NULL when it holds anything else, a minus sign or a letter say. */
static char *
make_skeleton (const char *text)
{
  char *folded;
  GString *skeleton;

  /* GTK gives the kiosk UTF-8, but g_utf8_normalize() reads and writes
   * past the end of text that is not (found by fuzz-answer). */
  if (!g_utf8_validate (text, -1, NULL))
    return NULL;

  folded = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
  if (folded == NULL)
    return NULL;

  skeleton = g_string_sized_new (strlen (folded));
  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      char c = skeleton_char (g_utf8_get_char (p));

      if (c == '\0')
        {
          haven_wipe_string (folded);
          haven_wipe_string (g_string_free (skeleton, FALSE));
          return NULL;
        }
      if (c != ' ' || skeleton->len > 0)
        g_string_append_c (skeleton, c);
    }
  haven_wipe_string (folded);

  while (skeleton->len > 0 && skeleton->str[skeleton->len - 1] == ' ')
    g_string_truncate (skeleton, skeleton->len - 1);

  return g_string_free (skeleton, FALSE);
}

/* The index of the decimal separator, or -1: the last "." or "," when at
 * most two digits follow it. */
static gssize
find_decimal_mark (const char *skeleton)
{
  gsize digits = 0;

  for (gsize i = strlen (skeleton); i > 0; i--)
    {
      char c = skeleton[i - 1];

      if (g_ascii_isdigit (c))
        digits++;
      else
        return c != ' ' && digits <= 2 ? (gssize) (i - 1) : -1;
    }

  return -1;
}

/* Appends the digits of the whole part, the first @length bytes of
 * @skeleton, to @digits without leading zeros; FALSE unless every separator
 * in it stands between groups of three. Without @decimal_mark, a lone "," or
 * "." before the last three digits could be either kind ("1,250"), so it
 * must be a space or appear twice. */
static gboolean
read_whole_part (const char *skeleton,
                 gsize       length,
                 char        decimal_mark,
                 GString    *digits)
{
  char group_mark = '\0';
  guint n_group_marks = 0;
  char last_mark = '\0';
  gsize run = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = skeleton[i];

      if (g_ascii_isdigit (c))
        {
          if (c != '0' || digits->len > 0)
            g_string_append_c (digits, c);
          run++;
          continue;
        }

      if (last_mark != '\0' ? run != 3 : (run < 1 || run > 3))
        return FALSE;
      if (c != ' ')
        {
          if (c == decimal_mark || (group_mark != '\0' && c != group_mark))
            return FALSE;
          group_mark = c;
          n_group_marks++;
        }
      last_mark = c;
      run = 0;
    }

  if (last_mark == '\0')
    return TRUE;

  return run == 3 && (decimal_mark != '\0' || last_mark == ' ' || n_group_marks > 1);
}

/* Writes @skeleton as "1250.50" into @amount. */
static gboolean
read_amount (const char *skeleton,
             GString    *amount)
{
  gssize decimal = find_decimal_mark (skeleton);
  gsize whole_length = decimal >= 0 ? (gsize) decimal : strlen (skeleton);
  const char *decimals = decimal >= 0 ? skeleton + decimal + 1 : "";

  if (!read_whole_part (skeleton, whole_length, decimal >= 0 ? skeleton[decimal] : '\0', amount))
    return FALSE;
  if (amount->len > MAX_WHOLE_DIGITS)
    return FALSE;
  if (amount->len == 0)
    g_string_append_c (amount, '0');

  g_string_append_c (amount, '.');
  g_string_append (amount, decimals);
  for (gsize i = strlen (decimals); i < 2; i++)
    g_string_append_c (amount, '0');

  return !g_str_equal (amount->str, "0.00");
}

/* @skeleton as "1250.50", or NULL when it is not an amount. */
static char *
normalize_skeleton (const char *skeleton)
{
  /* Sized so that it never moves, which would leave a copy behind. */
  GString *amount = g_string_sized_new (strlen (skeleton) + 4);

  if (!read_amount (skeleton, amount))
    {
      haven_wipe_string (g_string_free (amount, FALSE));
      return NULL;
    }

  return g_string_free (amount, FALSE);
}

/**
 * haven_answer_parse_amount:
 * @normalized: (out) (optional) (transfer full):
 */
gboolean
haven_answer_parse_amount (const char  *text,
                           char       **normalized,
                           GError     **error)
{
  char *skeleton;
  char *amount;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  skeleton = make_skeleton (text);
  amount = skeleton != NULL ? normalize_skeleton (skeleton) : NULL;
  haven_wipe_string (skeleton);

  if (amount == NULL)
    {
      g_set_error_literal (error, HAVEN_ANSWER_ERROR, HAVEN_ANSWER_ERROR_INVALID,
                           _("Write the amount in numbers, for example 250.00"));
      return FALSE;
    }

  if (normalized != NULL)
    *normalized = amount;
  else
    haven_wipe_string (amount);
  return TRUE;
}

/* Whether parse_amount gives @amount back unchanged: one rule, not two. */
static gboolean
is_normalized_amount (const char *amount)
{
  char *again = NULL;
  gboolean same;

  if (amount == NULL || !haven_answer_parse_amount (amount, &again, NULL))
    return FALSE;

  same = g_str_equal (again, amount);
  haven_wipe_string (again);
  return same;
}

char *
haven_answer_make_money (const char *normalized_amount,
                         const char *currency)
{
  g_return_val_if_fail (is_normalized_amount (normalized_amount), NULL);
  g_return_val_if_fail (haven_currency_is_valid (currency), NULL);

  return g_strdup_printf ("%s %s", normalized_amount, currency);
}

/**
 * haven_answer_split_money:
 * @answer: (nullable):
 * @amount: (out) (optional) (transfer full): wiped by the caller
 * @currency: (out) (optional) (transfer full):
 */
gboolean
haven_answer_split_money (const char  *answer,
                          char       **amount,
                          char       **currency)
{
  const char *space;
  char *number;

  if (answer == NULL)
    return FALSE;
  space = strchr (answer, ' ');
  if (space == NULL || !haven_currency_is_valid (space + 1))
    return FALSE;

  number = g_strndup (answer, space - answer);
  if (!is_normalized_amount (number))
    {
      haven_wipe_string (number);
      return FALSE;
    }

  if (currency != NULL)
    *currency = g_strdup (space + 1);
  if (amount != NULL)
    *amount = number;
  else
    haven_wipe_string (number);
  return TRUE;
}

const char *
haven_answer_get_month_name (int month)
{
  g_return_val_if_fail (month >= 1 && month <= 12, NULL);

  return g_dpgettext2 (GETTEXT_PACKAGE, "month", month_names[month - 1]);
}

/* Choice labels are msgids from the content definitions (HavenQuestion);
 * ids the question does not have are left out. */
static char *
format_choices (HavenQuestion *question,
                const char    *answer)
{
  g_auto(GStrv) ids = haven_answer_split_choices (answer);
  g_autoptr(GString) text = g_string_new (NULL);
  /* Translators: goes between the choices the visitor picked, as in
   * "By email, On a website". */
  const char *separator = _(", ");

  for (guint i = 0; ids[i] != NULL; i++)
    {
      const char *label = haven_question_get_choice_label (question, ids[i]);

      if (label == NULL)
        continue;
      if (text->len > 0)
        g_string_append (text, separator);
      g_string_append (text, g_dgettext (GETTEXT_PACKAGE, label));
    }

  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

static char *
format_date (const char *answer)
{
  int year, month, day;
  const char *month_name;

  if (g_str_equal (answer, HAVEN_ANSWER_DATE_UNKNOWN))
    return g_strdup (_("I do not know"));
  if (!haven_answer_split_date (answer, &year, &month, &day))
    return NULL;

  month_name = g_dpgettext2 (GETTEXT_PACKAGE, "month in a date", month_in_date_names[month - 1]);
  /* Translators: a date: day, month name, year, as in "20 November 2026".
   * Put them in your language's order with %2$s %1$d, %3$d and the like. */
  return g_strdup_printf (_("%1$d %2$s %3$d"), day, month_name, year);
}

static char *
format_yes_no (const char *answer)
{
  if (g_str_equal (answer, HAVEN_ANSWER_YES))
    return g_strdup (_("Yes"));
  if (g_str_equal (answer, HAVEN_ANSWER_NO))
    return g_strdup (_("No"));

  return NULL;
}

static char *
format_money (const char *answer,
              const char *region)
{
  g_autofree char *currency = NULL;
  char *amount = NULL;
  char *text;

  if (!haven_answer_split_money (answer, &amount, &currency))
    return NULL;

  text = haven_currency_format (amount, currency, region);
  haven_wipe_string (amount);
  return text;
}

/**
 * haven_answer_format:
 * @region: (nullable): the kiosk's region: it decides which currency
 *   signs read without doubt ("$" or "US$")
 */
char *
haven_answer_format (HavenQuestion *question,
                     const char    *answer,
                     const char    *region)
{
  HavenQuestionType type;

  g_return_val_if_fail (HAVEN_IS_QUESTION (question), NULL);

  if (answer == NULL || *answer == '\0')
    return NULL;

  type = haven_question_get_answer_type (question);
  switch (type)
    {
    case HAVEN_QUESTION_TYPE_CHOICE:
    case HAVEN_QUESTION_TYPE_MULTI_CHOICE:
      return format_choices (question, answer);

    case HAVEN_QUESTION_TYPE_DATE:
      return format_date (answer);

    case HAVEN_QUESTION_TYPE_YES_NO:
      return format_yes_no (answer);

    case HAVEN_QUESTION_TYPE_MONEY:
      return format_money (answer, region);

    case HAVEN_QUESTION_TYPE_TEXT:
    case HAVEN_QUESTION_TYPE_LONG_TEXT:
    case HAVEN_QUESTION_TYPE_URL_LIST:
      return g_strdup (answer);

    default:
      g_return_val_if_reached (NULL);
    }
}
