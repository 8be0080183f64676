/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-answer"

#include "config.h"

#include <libintl.h>
#include <locale.h>

#include "haven-answer.h"
#include "haven-currency.h"
#include "haven-locale.h"
#include "test-files.h"

/* Asserts that the public function called in @call refuses its arguments
 * with a critical from @domain. */
#define assert_refused(domain, call) \
  G_STMT_START { \
    g_test_expect_message (domain, G_LOG_LEVEL_CRITICAL, "*assertion*failed*"); \
    g_assert_null (call); \
    g_test_assert_expected_messages (); \
  } G_STMT_END

static HavenQuestion *
make_question (HavenQuestionType type)
{
  const char *categories[] = { "*", NULL };
  const char *ids[] = { "bank-transfer", "card", "crypto", NULL };
  const char *labels[] = { "Bank transfer", "Card", "Cryptocurrency", NULL };
  gboolean has_choices = haven_question_type_has_choices (type);

  return haven_question_new ("question", type, "A question", NULL, NULL, categories,
                             has_choices ? ids : NULL, has_choices ? labels : NULL);
}

static void
test_join_choices (void)
{
  g_autofree char *one = haven_answer_join_choices ((const char *[]) { "email", NULL });
  g_autofree char *three = haven_answer_join_choices ((const char *[]) { "email", "website",
                                                                         "not-sure", NULL });

  g_assert_cmpstr (one, ==, "email");
  g_assert_cmpstr (three, ==, "email,website,not-sure");
  g_assert_null (haven_answer_join_choices ((const char *[]) { NULL }));
  g_assert_null (haven_answer_join_choices (NULL));

  /* An id that could not be split again is a programming error. */
  assert_refused ("haven-answer",
                  haven_answer_join_choices ((const char *[]) { "email", "a,b", NULL }));
  assert_refused ("haven-answer",
                  haven_answer_join_choices ((const char *[]) { "email", "", NULL }));
}

static void
test_split_choices (void)
{
  const char *ids[] = { "email", "website", "not-sure", NULL };
  g_auto(GStrv) none = haven_answer_split_choices (NULL);
  g_auto(GStrv) empty = haven_answer_split_choices ("");
  g_auto(GStrv) one = haven_answer_split_choices ("email");
  g_auto(GStrv) three = haven_answer_split_choices ("email,website,not-sure");
  g_auto(GStrv) gaps = haven_answer_split_choices (",email,,website,");
  g_autofree char *joined = haven_answer_join_choices (ids);
  g_auto(GStrv) again = haven_answer_split_choices (joined);

  g_assert_nonnull (none);
  g_assert_cmpuint (g_strv_length (none), ==, 0);
  g_assert_nonnull (empty);
  g_assert_cmpuint (g_strv_length (empty), ==, 0);
  g_assert_cmpstrv (one, ((const char *[]) { "email", NULL }));
  g_assert_cmpstrv (three, ids);
  g_assert_cmpstrv (gaps, ((const char *[]) { "email", "website", NULL }));
  g_assert_cmpstrv (again, ids);
}

static void
test_make_date (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 27, 10, 15, 0);
  g_autoptr(GTimeZone) kiribati = g_time_zone_new_offset (14 * 3600);
  /* Already the 28th in Kiribati, still the 27th in UTC. */
  g_autoptr(GDateTime) now_east = g_date_time_new (kiribati, 2026, 11, 28, 0, 30, 0);
  const struct {
    int year, month, day;
  } bad[] = {
    { 2026, 11, 28 },    /* tomorrow */
    { 2027, 1, 1 },
    { 2026, 12, 1 },
    { 2026, 2, 29 },     /* not a leap year */
    { 2026, 4, 31 },
    { 2026, 13, 1 },
    { 2026, 0, 10 },
    { 2026, 1, 0 },
    { 2026, 1, 32 },
    { 2026, -1, 10 },
    { 0, 1, 1 },
    { -2026, 1, 1 },
    { 10000, 1, 1 },
    { 2026 + 65536, 1, 1 },   /* would wrap to a valid GDateYear */
    { 2026, 1, 256 + 1 },     /* would wrap to a valid GDateDay */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *date = haven_answer_make_date (bad[i].year, bad[i].month, bad[i].day,
                                                      now);

      g_assert_null (date);
    }

  {
    g_autofree char *today = haven_answer_make_date (2026, 11, 27, now);
    g_autofree char *leap = haven_answer_make_date (2024, 2, 29, now);
    g_autofree char *padded = haven_answer_make_date (987, 3, 4, now);
    g_autofree char *east = haven_answer_make_date (2026, 11, 28, now_east);
    g_autofree char *past = haven_answer_make_date (2001, 9, 11, NULL);
    g_autofree char *far_future = haven_answer_make_date (9999, 12, 31, NULL);

    g_assert_cmpstr (today, ==, "2026-11-27");
    g_assert_cmpstr (leap, ==, "2024-02-29");
    g_assert_cmpstr (padded, ==, "0987-03-04");
    g_assert_cmpstr (east, ==, "2026-11-28");
    g_assert_cmpstr (past, ==, "2001-09-11");
    g_assert_null (far_future);
  }
}

static void
test_split_date (void)
{
  const char *bad[] = {
    HAVEN_ANSWER_DATE_UNKNOWN,
    "",
    "2026-2-3",
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "0000-01-01",
    "20261120",
    "2026/11/20",
    "2026-11-20 ",
    " 2026-11-20",
    "2026-11-2x",
    "+026-11-20",
    "2026-11-20T10:00",
  };
  int year = -1, month = -1, day = -1;

  g_assert_true (haven_answer_split_date ("2026-11-20", &year, &month, &day));
  g_assert_cmpint (year, ==, 2026);
  g_assert_cmpint (month, ==, 11);
  g_assert_cmpint (day, ==, 20);
  g_assert_true (haven_answer_split_date ("2024-02-29", NULL, &month, NULL));
  g_assert_cmpint (month, ==, 2);

  /* Failures leave the out arguments alone. */
  year = month = day = -1;
  g_assert_false (haven_answer_split_date (NULL, &year, &month, &day));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (haven_answer_split_date (bad[i], &year, &month, &day));
  g_assert_cmpint (year, ==, -1);
  g_assert_cmpint (month, ==, -1);
  g_assert_cmpint (day, ==, -1);
}

static void
test_parse_amount (void)
{
  const struct {
    const char *text;
    const char *normalized;
  } good[] = {
    { "250", "250.00" },
    { "250.5", "250.50" },
    { "250,50", "250.50" },
    { "250,5", "250.50" },
    { " 1 250,50 ", "1250.50" },
    { "1,250.50", "1250.50" },
    { "1.250,50", "1250.50" },
    { "1250.", "1250.00" },
    { "1250,", "1250.00" },
    { "1,250.", "1250.00" },
    { "1 250", "1250.00" },
    { "1,250,000", "1250000.00" },
    { "1.250.000", "1250000.00" },
    { "1.250.000,75", "1250000.75" },
    { "1\xc2\xa0" "250,50", "1250.50" },          /* U+00A0 no-break space */
    { "1\xe2\x80\xaf" "250\xe2\x80\xaf" "000", "1250000.00" },  /* U+202F */
    { "1\xe2\x80\x89" "250", "1250.00" },         /* U+2009 thin space */
    { "1'250.50", "1250.50" },
    { "\xef\xbc\x92\xef\xbc\x95\xef\xbc\x90", "250.00" },       /* full-width */
    { "\xd9\xa2\xd9\xa5\xd9\xa0\xd9\xab\xd9\xa5", "250.50" },   /* Arabic-Indic */
    { "0,5", "0.50" },
    { ".99", "0.99" },
    { "007", "7.00" },
    { "0.01", "0.01" },
    { "\t42\n", "42.00" },
    { "999999999999.99", "999999999999.99" },
    { "999 999 999 999,99", "999999999999.99" },
    { "000999999999999.99", "999999999999.99" },
  };
  const char *bad[] = {
    "",
    "   ",
    /* Not UTF-8: g_utf8_normalize() read and wrote past their end. */
    "1\xc3",
    "\xe2\x82",
    "25\xff" "0",
    "-250",
    "- 250",
    "+250",
    "250-",
    "250 EUR",
    "€250",
    "$ 250",
    "abc",
    "1e5",
    "250.505",
    "250,505",
    "250.5055",
    "1,250",           /* one thousand two hundred and fifty, or 1.25? */
    "1.250",
    "1 250,000",
    "0",
    "0,00",
    "000.00",
    ".",
    ",",
    ",,",
    "1,,250",
    "1 ,250",
    "12,34,567",
    "12345,678.00",
    "1 25",
    "1.250.50",
    "1,250,50",
    "1.250,000.50",
    "1,234.567,89",
    "1000000000000",
    "999999999999.995",
    "1 000 000 000 000,00",
    "250,.50",
    "2 5 0",
    "½",
    "\xff\xfe",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalized = NULL;

      g_test_message ("accepting \"%s\"", good[i].text);
      g_assert_true (haven_answer_parse_amount (good[i].text, &normalized, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (normalized, ==, good[i].normalized);

      /* Validating alone needs nowhere to put it. */
      g_assert_true (haven_answer_parse_amount (good[i].text, NULL, NULL));
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      char *normalized = NULL;

      g_test_message ("refusing \"%s\"", bad[i]);
      g_assert_false (haven_answer_parse_amount (bad[i], &normalized, &error));
      g_assert_error (error, HAVEN_ANSWER_ERROR, HAVEN_ANSWER_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, "Write the amount in numbers, for example 250.00");
      g_assert_null (normalized);
      g_assert_false (haven_answer_parse_amount (bad[i], NULL, NULL));
    }
}

static void
test_make_money (void)
{
  g_autofree char *money = haven_answer_make_money ("250.00", "EUR");
  g_autofree char *small = haven_answer_make_money ("0.50", "JPY");

  g_assert_cmpstr (money, ==, "250.00 EUR");
  g_assert_cmpstr (small, ==, "0.50 JPY");

  /* Only what parse_amount gives and an active code make an answer. */
  assert_refused ("haven-answer", haven_answer_make_money ("250", "EUR"));
  assert_refused ("haven-answer", haven_answer_make_money ("1,250.00", "EUR"));
  assert_refused ("haven-answer", haven_answer_make_money ("0.00", "EUR"));
  assert_refused ("haven-answer", haven_answer_make_money ("0250.00", "EUR"));
  assert_refused ("haven-answer", haven_answer_make_money (NULL, "EUR"));
  assert_refused ("haven-answer", haven_answer_make_money ("250.00", "eur"));
  assert_refused ("haven-answer", haven_answer_make_money ("250.00", "XYZ"));
  assert_refused ("haven-answer", haven_answer_make_money ("250.00", NULL));
}

static void
test_split_money (void)
{
  const char *bad[] = {
    "",
    "250.00",
    "250.00EUR",
    "250 EUR",
    "250.0 EUR",
    "1,250.00 EUR",
    "0250.00 EUR",
    "0.00 EUR",
    "-5.00 EUR",
    "250.00 eur",
    "250.00 XYZ",
    "250.00 XAU",
    "250.00  EUR",
    "250.00 EUR ",
    " 250.00 EUR",
    "EUR 250.00",
  };
  g_autofree char *amount = NULL;
  g_autofree char *currency = NULL;
  g_autofree char *made = haven_answer_make_money ("1250.50", "GBP");
  char *untouched = (char *) "untouched";

  g_assert_true (haven_answer_split_money ("250.00 EUR", &amount, &currency));
  g_assert_cmpstr (amount, ==, "250.00");
  g_assert_cmpstr (currency, ==, "EUR");
  g_assert_true (haven_answer_split_money (made, NULL, NULL));

  g_assert_false (haven_answer_split_money (NULL, &untouched, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("refusing \"%s\"", bad[i]);
      g_assert_false (haven_answer_split_money (bad[i], &untouched, &untouched));
    }
  g_assert_cmpstr (untouched, ==, "untouched");
}

static void
test_month_names (void)
{
  const char *expected[] = {
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
  };

  for (int month = 1; month <= 12; month++)
    g_assert_cmpstr (haven_answer_get_month_name (month), ==, expected[month - 1]);

  assert_refused ("haven-answer", haven_answer_get_month_name (0));
  assert_refused ("haven-answer", haven_answer_get_month_name (13));
  assert_refused ("haven-answer", haven_answer_get_month_name (-1));
}

static void
assert_format (HavenQuestionType  type,
               const char        *answer,
               const char        *expected)
{
  g_autoptr(HavenQuestion) question = make_question (type);
  g_autofree char *shown = haven_answer_format (question, answer, NULL);

  g_test_message ("%s \"%s\"", haven_question_type_to_string (type), answer);
  g_assert_cmpstr (shown, ==, expected);
}

static void
test_format (void)
{
  assert_format (HAVEN_QUESTION_TYPE_CHOICE, "card", "Card");
  assert_format (HAVEN_QUESTION_TYPE_CHOICE, "cheque", NULL);
  assert_format (HAVEN_QUESTION_TYPE_MULTI_CHOICE, "crypto,bank-transfer",
                 "Cryptocurrency, Bank transfer");
  /* An id the question does not have is left out. */
  assert_format (HAVEN_QUESTION_TYPE_MULTI_CHOICE, "card,cheque,crypto", "Card, Cryptocurrency");
  assert_format (HAVEN_QUESTION_TYPE_MULTI_CHOICE, "cheque", NULL);

  assert_format (HAVEN_QUESTION_TYPE_DATE, "2026-11-20", "20 November 2026");
  assert_format (HAVEN_QUESTION_TYPE_DATE, "2026-01-05", "5 January 2026");
  assert_format (HAVEN_QUESTION_TYPE_DATE, HAVEN_ANSWER_DATE_UNKNOWN, "I do not know");
  assert_format (HAVEN_QUESTION_TYPE_DATE, "20 November", NULL);
  assert_format (HAVEN_QUESTION_TYPE_DATE, "2026-02-30", NULL);

  assert_format (HAVEN_QUESTION_TYPE_YES_NO, HAVEN_ANSWER_YES, "Yes");
  assert_format (HAVEN_QUESTION_TYPE_YES_NO, HAVEN_ANSWER_NO, "No");
  assert_format (HAVEN_QUESTION_TYPE_YES_NO, "maybe", NULL);
  assert_format (HAVEN_QUESTION_TYPE_YES_NO, "Yes", NULL);

  /* With the currency's sign, not its code. */
  assert_format (HAVEN_QUESTION_TYPE_MONEY, "250.00 EUR", "€250.00");
  assert_format (HAVEN_QUESTION_TYPE_MONEY, "1250000.75 JPY", "¥1,250,000.75");
  assert_format (HAVEN_QUESTION_TYPE_MONEY, "1250000.00 JPY", "¥1,250,000");
  assert_format (HAVEN_QUESTION_TYPE_MONEY, "250.00 CHF", "250.00\u00a0CHF");
  assert_format (HAVEN_QUESTION_TYPE_MONEY, "250 EUR", NULL);
  assert_format (HAVEN_QUESTION_TYPE_MONEY, "250.00", NULL);

  assert_format (HAVEN_QUESTION_TYPE_TEXT, "A seller on a marketplace",
                 "A seller on a marketplace");
  assert_format (HAVEN_QUESTION_TYPE_LONG_TEXT, "It started in May.\nThen it got worse.",
                 "It started in May.\nThen it got worse.");
  assert_format (HAVEN_QUESTION_TYPE_URL_LIST, "https://a.example/1\nhttps://b.example/2",
                 "https://a.example/1\nhttps://b.example/2");
  /* Text is shown as typed, even when it looks like another type's form. */
  assert_format (HAVEN_QUESTION_TYPE_TEXT, "yes", "yes");

  for (HavenQuestionType type = HAVEN_QUESTION_TYPE_TEXT; type <= HAVEN_QUESTION_TYPE_URL_LIST;
       type++)
    {
      assert_format (type, NULL, NULL);
      assert_format (type, "", NULL);
    }

  assert_refused ("haven-answer", haven_answer_format (NULL, "yes", NULL));
}

/* Choice labels are the content definitions' msgids, which po/ translates:
 * the visitor reads them in their language. */
static void
test_format_translated (void)
{
  g_autoptr(HavenQuestion) question = make_question (HAVEN_QUESTION_TYPE_MULTI_CHOICE);
  g_autofree char *spanish = NULL;
  g_autofree char *english = NULL;

  haven_locale_apply ("es");
  spanish = haven_answer_format (question, "bank-transfer,card", NULL);
  haven_locale_apply ("en");
  english = haven_answer_format (question, "bank-transfer,card", NULL);

  g_assert_cmpstr (spanish, ==, "Transferencia bancaria, Tarjeta");
  g_assert_cmpstr (english, ==, "Bank transfer, Card");
}

/* Amounts and dates are written as the visitor's language writes them. */
static void
test_format_follows_language (void)
{
  g_autoptr(HavenQuestion) money = make_question (HAVEN_QUESTION_TYPE_MONEY);
  g_autoptr(HavenQuestion) date = make_question (HAVEN_QUESTION_TYPE_DATE);
  const struct {
    const char *language;
    const char *money;
    const char *date;
  } cases[] = {
    { "en", "€1,250.50", "20 November 2026" },
    { "fr", "1\u202f250,50\u00a0€", "20 novembre 2026" },
    { "ru", "1\u00a0250,50\u00a0€", "20 ноября 2026" },
    { "zh_CN", "€1,250.50", "2026年11月20日" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *money_text = NULL;
      g_autofree char *date_text = NULL;

      haven_locale_apply (cases[i].language);
      money_text = haven_answer_format (money, "1250.50 EUR", "FR");
      date_text = haven_answer_format (date, "2026-11-20", "FR");
      g_assert_cmpstr (money_text, ==, cases[i].money);
      g_assert_cmpstr (date_text, ==, cases[i].date);
    }

  haven_locale_apply ("en");
}

static void
test_currency_for_region (void)
{
  const char *eurozone[] = {
    "AT", "BE", "BG", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PT", "SI", "SK",
  };
  const struct {
    const char *region;
    const char *currency;
  } others[] = {
    { "GB", "GBP" }, { "US", "USD" }, { "CA", "CAD" }, { "AU", "AUD" }, { "NZ", "NZD" },
    { "IN", "INR" }, { "VN", "VND" }, { "PH", "PHP" }, { "ID", "IDR" }, { "NG", "NGN" },
    { "KE", "KES" }, { "ZA", "ZAR" }, { "GH", "GHS" }, { "EG", "EGP" }, { "MA", "MAD" },
    { "SA", "SAR" }, { "AE", "AED" }, { "JO", "JOD" }, { "LB", "LBP" }, { "TN", "TND" },
    { "DZ", "DZD" }, { "IQ", "IQD" }, { "SY", "SYP" }, { "RU", "RUB" }, { "UA", "UAH" },
    { "BY", "BYN" }, { "KZ", "KZT" }, { "CN", "CNY" }, { "HK", "HKD" }, { "TW", "TWD" },
    { "SG", "SGD" }, { "MY", "MYR" }, { "TH", "THB" }, { "JP", "JPY" }, { "KR", "KRW" },
    { "BR", "BRL" }, { "MX", "MXN" }, { "AR", "ARS" }, { "CO", "COP" }, { "CL", "CLP" },
    { "PE", "PEN" }, { "CH", "CHF" }, { "NO", "NOK" }, { "SE", "SEK" }, { "DK", "DKK" },
    { "PL", "PLN" }, { "CZ", "CZK" }, { "HU", "HUF" }, { "RO", "RON" }, { "TR", "TRY" },
    { "IL", "ILS" }, { "PK", "PKR" }, { "BD", "BDT" }, { "LK", "LKR" },
    /* Beyond the main list: territories, currency unions, new currencies. */
    { "MC", "EUR" }, { "RE", "EUR" }, { "LI", "CHF" }, { "SN", "XOF" }, { "CM", "XAF" },
    { "PF", "XPF" }, { "CW", "XCG" }, { "ZW", "ZWG" }, { "XK", "EUR" },
  };
  const char *unknown[] = { "", "G", "GBR", "ZZ", "AQ", "12", "G1", "gb_", "GB LND", "EU" };
  char region[3] = { 0 };
  guint n_known = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (eurozone); i++)
    g_assert_cmpstr (haven_currency_for_region (eurozone[i]), ==, "EUR");
  for (gsize i = 0; i < G_N_ELEMENTS (others); i++)
    g_assert_cmpstr (haven_currency_for_region (others[i].region), ==, others[i].currency);

  /* Any case, and the region setting's subdivisions. */
  g_assert_cmpstr (haven_currency_for_region ("gb"), ==, "GBP");
  g_assert_cmpstr (haven_currency_for_region ("Fr"), ==, "EUR");
  g_assert_cmpstr (haven_currency_for_region ("GB-LND"), ==, "GBP");
  g_assert_cmpstr (haven_currency_for_region ("us-ca"), ==, "USD");

  g_assert_null (haven_currency_for_region (NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (unknown); i++)
    g_assert_null (haven_currency_for_region (unknown[i]));

  /* Every currency a region gives is one a visitor may answer in. */
  for (region[0] = 'A'; region[0] <= 'Z'; region[0]++)
    {
      for (region[1] = 'A'; region[1] <= 'Z'; region[1]++)
        {
          const char *currency = haven_currency_for_region (region);

          if (currency == NULL)
            continue;
          g_assert_true (haven_currency_is_valid (currency));
          n_known++;
        }
    }
  g_assert_cmpuint (n_known, >=, 200);
}

/* An amount reads as people read money where the kiosk stands, in the
 * visitor's language: the sign of the currency, not its code, where it and
 * the language put it, with as many decimals as the currency has. */
static void
test_currency_format (void)
{
  const struct {
    const char *language;
    const char *amount;
    const char *code;
    const char *region;
    const char *expected;
  } cases[] = {
    { "en", "1250.50", "GBP", "GB-LND", "£1,250.50" },
    { "en", "250.00", "USD", "US", "$250.00" },
    /* A dollar is the kiosk's own, or said whose it is. */
    { "en", "250.00", "CAD", "CA", "$250.00" },
    { "en", "250.00", "USD", "CA", "US$250.00" },
    { "en", "250.00", "USD", "GB", "$250.00" },
    { "en", "250.00", "CAD", "GB", "CA$250.00" },
    { "en", "250.00", "AUD", NULL, "A$250.00" },
    /* No cents in dong. */
    { "en", "5000000.00", "VND", "VN", "₫5,000,000" },
    { "vi", "5000000.00", "VND", "VN", "5.000.000\u00a0₫" },
    { "vi", "250.00", "GBP", "GB", "250,00\u00a0£" },
    { "fr", "250.00", "EUR", "FR", "250,00\u00a0€" },
    { "es", "1250.00", "EUR", "ES", "1.250,00\u00a0€" },
    { "ru", "250.00", "RUB", "RU", "250,00\u00a0₽" },
    { "ar", "250.00", "EUR", "DE", "250.00\u00a0€" },
    { "zh_CN", "250.00", "CNY", "CN", "¥250.00" },
    /* Three decimals in dinars; codes where a sign would be letters. */
    { "en", "250.50", "KWD", "KW", "250.500\u00a0KWD" },
    { "fr", "250.00", "CHF", "CH", "250,00\u00a0CHF" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shown = NULL;

      haven_locale_apply (cases[i].language);
      shown = haven_currency_format (cases[i].amount, cases[i].code, cases[i].region);
      g_test_message ("%s %s %s in %s", cases[i].language, cases[i].amount, cases[i].code,
                      cases[i].region);
      g_assert_cmpstr (shown, ==, cases[i].expected);
    }

  haven_locale_apply ("en");
}

/* The hint's example amount follows the kiosk's region: a London kiosk
 * never suggests euros. */
static void
test_currency_example (void)
{
  const struct {
    const char *language;
    const char *region;
    const char *expected;
  } cases[] = {
    { "en", "GB-LND", "£250.00" },
    { "en", "US", "$250.00" },
    { "en", "VN", "₫5,000,000" },
    { "vi", "VN", "5.000.000\u00a0₫" },
    { "fr", "FR", "250,00\u00a0€" },
    { "en", "IE", "€250.00" },
    { "en", "JP", "¥30,000" },
    { "en", "CH", "250.00\u00a0CHF" },
    /* Without a region, an amount without a currency. */
    { "en", "", "250.00" },
    { "fr", NULL, "250,00" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *example = NULL;

      haven_locale_apply (cases[i].language);
      example = haven_currency_format_example (cases[i].region);
      g_assert_cmpstr (example, ==, cases[i].expected);
    }

  haven_locale_apply ("en");
}

static void
test_currency_common (void)
{
  const char * const *common = haven_currency_get_common ();
  guint n_common;

  g_assert_nonnull (common);
  n_common = g_strv_length ((char **) common);
  g_assert_cmpuint (n_common, >=, 15);
  g_assert_cmpuint (n_common, <=, 25);
  g_assert_cmpstr (common[0], ==, "EUR");
  g_assert_true (g_strv_contains (common, "USD"));
  g_assert_true (g_strv_contains (common, "GBP"));

  for (guint i = 0; common[i] != NULL; i++)
    {
      g_assert_true (haven_currency_is_valid (common[i]));
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (common[i], !=, common[j]);
    }
}

static void
test_currency_is_valid (void)
{
  const char *active[] = {
    "EUR", "USD", "GBP", "JPY", "CHF", "INR", "VND", "NGN", "KES", "XOF", "XAF", "XPF", "XCD",
    "XCG", "ZWG", "SLE", "VES", "VED", "MRU", "STN", "SSP", "BYN", "AED", "ZAR",
  };
  const char *inactive[] = {
    "", "eur", "Eur", "EURO", "EU", "E1R", "XYZ",
    "HRK", "BGN", "ANG", "ZWL", "DEM", "FRF", "VEF",   /* withdrawn */
    "XAU", "XAG", "XDR", "XTS", "XXX", "BOV", "USN",   /* not money */
    "EUR ",
  };
  guint n_valid = 0;
  char code[4] = { 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (active); i++)
    g_assert_true (haven_currency_is_valid (active[i]));
  for (gsize i = 0; i < G_N_ELEMENTS (inactive); i++)
    g_assert_false (haven_currency_is_valid (inactive[i]));
  g_assert_false (haven_currency_is_valid (NULL));

  /* The whole active list, not a sample of it. */
  for (code[0] = 'A'; code[0] <= 'Z'; code[0]++)
    for (code[1] = 'A'; code[1] <= 'Z'; code[1]++)
      for (code[2] = 'A'; code[2] <= 'Z'; code[2]++)
        n_valid += haven_currency_is_valid (code);
  g_assert_cmpuint (n_valid, >=, 145);
  g_assert_cmpuint (n_valid, <=, 165);
}

int
main (int   argc,
      char *argv[])
{
  use_catalogs ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/answer/join-choices", test_join_choices);
  g_test_add_func ("/haven/answer/split-choices", test_split_choices);
  g_test_add_func ("/haven/answer/make-date", test_make_date);
  g_test_add_func ("/haven/answer/split-date", test_split_date);
  g_test_add_func ("/haven/answer/parse-amount", test_parse_amount);
  g_test_add_func ("/haven/answer/make-money", test_make_money);
  g_test_add_func ("/haven/answer/split-money", test_split_money);
  g_test_add_func ("/haven/answer/month-names", test_month_names);
  g_test_add_func ("/haven/answer/format", test_format);
  g_test_add_func ("/haven/answer/format-translated", test_format_translated);
  g_test_add_func ("/haven/answer/format-follows-language", test_format_follows_language);
  g_test_add_func ("/haven/currency/for-region", test_currency_for_region);
  g_test_add_func ("/haven/currency/common", test_currency_common);
  g_test_add_func ("/haven/currency/format", test_currency_format);
  g_test_add_func ("/haven/currency/example", test_currency_example);
  g_test_add_func ("/haven/currency/is-valid", test_currency_is_valid);

  return g_test_run ();
}
