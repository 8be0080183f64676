/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-currency"

#include "config.h"

#include <string.h>

#include "haven-currency.h"
#include "haven-locale.h"

/* The currencies a visitor can give a loss in, and the one the kiosk
 * offers first. The lists are ISO 4217 and ISO 3166-1 as of 2026: Croatia
 * (2023) and Bulgaria (2026) pay in euros, Curaçao and Sint Maarten in
 * Caribbean guilders (XCG), Zimbabwe in ZWG, Sierra Leone in SLE. Where a
 * country has two legal currencies (Panama, El Salvador) the region maps to
 * the one people are paid in; XK is Kosovo's user-assigned code, which
 * deployments use. */

typedef struct {
  char region[3];
  char currency[4];
} RegionCurrency;

static const RegionCurrency region_currencies[] = {
  { "AD", "EUR" }, { "AE", "AED" }, { "AF", "AFN" }, { "AG", "XCD" }, { "AI", "XCD" },
  { "AL", "ALL" }, { "AM", "AMD" }, { "AO", "AOA" }, { "AR", "ARS" }, { "AS", "USD" },
  { "AT", "EUR" }, { "AU", "AUD" }, { "AW", "AWG" }, { "AX", "EUR" }, { "AZ", "AZN" },
  { "BA", "BAM" }, { "BB", "BBD" }, { "BD", "BDT" }, { "BE", "EUR" }, { "BF", "XOF" },
  { "BG", "EUR" }, { "BH", "BHD" }, { "BI", "BIF" }, { "BJ", "XOF" }, { "BL", "EUR" },
  { "BM", "BMD" }, { "BN", "BND" }, { "BO", "BOB" }, { "BQ", "USD" }, { "BR", "BRL" },
  { "BS", "BSD" }, { "BT", "BTN" }, { "BV", "NOK" }, { "BW", "BWP" }, { "BY", "BYN" },
  { "BZ", "BZD" }, { "CA", "CAD" }, { "CC", "AUD" }, { "CD", "CDF" }, { "CF", "XAF" },
  { "CG", "XAF" }, { "CH", "CHF" }, { "CI", "XOF" }, { "CK", "NZD" }, { "CL", "CLP" },
  { "CM", "XAF" }, { "CN", "CNY" }, { "CO", "COP" }, { "CR", "CRC" }, { "CU", "CUP" },
  { "CV", "CVE" }, { "CW", "XCG" }, { "CX", "AUD" }, { "CY", "EUR" }, { "CZ", "CZK" },
  { "DE", "EUR" }, { "DJ", "DJF" }, { "DK", "DKK" }, { "DM", "XCD" }, { "DO", "DOP" },
  { "DZ", "DZD" }, { "EC", "USD" }, { "EE", "EUR" }, { "EG", "EGP" }, { "EH", "MAD" },
  { "ER", "ERN" }, { "ES", "EUR" }, { "ET", "ETB" }, { "FI", "EUR" }, { "FJ", "FJD" },
  { "FK", "FKP" }, { "FM", "USD" }, { "FO", "DKK" }, { "FR", "EUR" }, { "GA", "XAF" },
  { "GB", "GBP" }, { "GD", "XCD" }, { "GE", "GEL" }, { "GF", "EUR" }, { "GG", "GBP" },
  { "GH", "GHS" }, { "GI", "GIP" }, { "GL", "DKK" }, { "GM", "GMD" }, { "GN", "GNF" },
  { "GP", "EUR" }, { "GQ", "XAF" }, { "GR", "EUR" }, { "GS", "GBP" }, { "GT", "GTQ" },
  { "GU", "USD" }, { "GW", "XOF" }, { "GY", "GYD" }, { "HK", "HKD" }, { "HM", "AUD" },
  { "HN", "HNL" }, { "HR", "EUR" }, { "HT", "HTG" }, { "HU", "HUF" }, { "ID", "IDR" },
  { "IE", "EUR" }, { "IL", "ILS" }, { "IM", "GBP" }, { "IN", "INR" }, { "IO", "USD" },
  { "IQ", "IQD" }, { "IR", "IRR" }, { "IS", "ISK" }, { "IT", "EUR" }, { "JE", "GBP" },
  { "JM", "JMD" }, { "JO", "JOD" }, { "JP", "JPY" }, { "KE", "KES" }, { "KG", "KGS" },
  { "KH", "KHR" }, { "KI", "AUD" }, { "KM", "KMF" }, { "KN", "XCD" }, { "KP", "KPW" },
  { "KR", "KRW" }, { "KW", "KWD" }, { "KY", "KYD" }, { "KZ", "KZT" }, { "LA", "LAK" },
  { "LB", "LBP" }, { "LC", "XCD" }, { "LI", "CHF" }, { "LK", "LKR" }, { "LR", "LRD" },
  { "LS", "LSL" }, { "LT", "EUR" }, { "LU", "EUR" }, { "LV", "EUR" }, { "LY", "LYD" },
  { "MA", "MAD" }, { "MC", "EUR" }, { "MD", "MDL" }, { "ME", "EUR" }, { "MF", "EUR" },
  { "MG", "MGA" }, { "MH", "USD" }, { "MK", "MKD" }, { "ML", "XOF" }, { "MM", "MMK" },
  { "MN", "MNT" }, { "MO", "MOP" }, { "MP", "USD" }, { "MQ", "EUR" }, { "MR", "MRU" },
  { "MS", "XCD" }, { "MT", "EUR" }, { "MU", "MUR" }, { "MV", "MVR" }, { "MW", "MWK" },
  { "MX", "MXN" }, { "MY", "MYR" }, { "MZ", "MZN" }, { "NA", "NAD" }, { "NC", "XPF" },
  { "NE", "XOF" }, { "NF", "AUD" }, { "NG", "NGN" }, { "NI", "NIO" }, { "NL", "EUR" },
  { "NO", "NOK" }, { "NP", "NPR" }, { "NR", "AUD" }, { "NU", "NZD" }, { "NZ", "NZD" },
  { "OM", "OMR" }, { "PA", "USD" }, { "PE", "PEN" }, { "PF", "XPF" }, { "PG", "PGK" },
  { "PH", "PHP" }, { "PK", "PKR" }, { "PL", "PLN" }, { "PM", "EUR" }, { "PN", "NZD" },
  { "PR", "USD" }, { "PS", "ILS" }, { "PT", "EUR" }, { "PW", "USD" }, { "PY", "PYG" },
  { "QA", "QAR" }, { "RE", "EUR" }, { "RO", "RON" }, { "RS", "RSD" }, { "RU", "RUB" },
  { "RW", "RWF" }, { "SA", "SAR" }, { "SB", "SBD" }, { "SC", "SCR" }, { "SD", "SDG" },
  { "SE", "SEK" }, { "SG", "SGD" }, { "SH", "SHP" }, { "SI", "EUR" }, { "SJ", "NOK" },
  { "SK", "EUR" }, { "SL", "SLE" }, { "SM", "EUR" }, { "SN", "XOF" }, { "SO", "SOS" },
  { "SR", "SRD" }, { "SS", "SSP" }, { "ST", "STN" }, { "SV", "USD" }, { "SX", "XCG" },
  { "SY", "SYP" }, { "SZ", "SZL" }, { "TC", "USD" }, { "TD", "XAF" }, { "TF", "EUR" },
  { "TG", "XOF" }, { "TH", "THB" }, { "TJ", "TJS" }, { "TK", "NZD" }, { "TL", "USD" },
  { "TM", "TMT" }, { "TN", "TND" }, { "TO", "TOP" }, { "TR", "TRY" }, { "TT", "TTD" },
  { "TV", "AUD" }, { "TW", "TWD" }, { "TZ", "TZS" }, { "UA", "UAH" }, { "UG", "UGX" },
  { "UM", "USD" }, { "US", "USD" }, { "UY", "UYU" }, { "UZ", "UZS" }, { "VA", "EUR" },
  { "VC", "XCD" }, { "VE", "VES" }, { "VG", "USD" }, { "VI", "USD" }, { "VN", "VND" },
  { "VU", "VUV" }, { "WF", "XPF" }, { "WS", "WST" }, { "XK", "EUR" }, { "YE", "YER" },
  { "YT", "EUR" }, { "ZA", "ZAR" }, { "ZM", "ZMW" }, { "ZW", "ZWG" },
};

/* Money only: not the fund codes (BOV, CLF, USN…), precious metals (XAU…),
 * the IMF's XDR or the test codes (XTS, XXX). */
static const char active_codes[][4] = {
  "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BHD",
  "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF",
  "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN",
  "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD",
  "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES",
  "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
  "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN",
  "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP",
  "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK",
  "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT",
  "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VED", "VES",
  "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
};

static const char * const common_codes[] = {
  "EUR", "USD", "GBP", "CHF", "CAD", "AUD", "JPY", "CNY", "INR", "BRL", "MXN",
  "TRY", "PLN", "SEK", "NOK", "DKK", "UAH", "RUB", "AED", "NGN", "ZAR",
  NULL,
};

/* How a currency is written, for those people know by a sign rather
 * than by their code. @local is the sign in the currency's own country;
 * @foreign the one that cannot be taken for another currency ("US$" in
 * Canada, "CA$" anywhere but Canada). A @primary currency keeps its local
 * sign abroad unless the kiosk's own currency uses the same sign: "$" is
 * the US dollar in London, "US$" in Sydney. @example is a believable loss
 * in whole units, for the amount's hint: 250 pounds, 5,000,000 dong. Codes
 * missing here are written as codes ("250.00 CHF"): a sign made of
 * letters ("kr", "zł") reads no better than the code. */
typedef struct {
  char code[4];
  const char *local;
  const char *foreign;
  gboolean primary;
  guint example;
} CurrencySign;

static const CurrencySign currency_signs[] = {
  { "EUR", "€", "€", TRUE, 250 },
  { "GBP", "£", "£", TRUE, 250 },
  { "USD", "$", "US$", TRUE, 250 },
  { "CAD", "$", "CA$", FALSE, 300 },
  { "AUD", "$", "A$", FALSE, 400 },
  { "NZD", "$", "NZ$", FALSE, 400 },
  { "HKD", "$", "HK$", FALSE, 2000 },
  { "SGD", "$", "S$", FALSE, 300 },
  { "MXN", "$", "MX$", FALSE, 5000 },
  { "TWD", "$", "NT$", FALSE, 8000 },
  { "BRL", "R$", "R$", TRUE, 1000 },
  { "JPY", "¥", "JP¥", TRUE, 30000 },
  { "CNY", "¥", "CN¥", FALSE, 2000 },
  { "INR", "₹", "₹", TRUE, 20000 },
  { "VND", "₫", "₫", TRUE, 5000000 },
  { "KRW", "₩", "₩", TRUE, 300000 },
  { "NGN", "₦", "₦", TRUE, 300000 },
  { "UAH", "₴", "₴", TRUE, 10000 },
  { "RUB", "₽", "₽", TRUE, 20000 },
  { "TRY", "₺", "₺", TRUE, 10000 },
  { "ILS", "₪", "₪", TRUE, 1000 },
  { "PHP", "₱", "₱", TRUE, 15000 },
  { "THB", "฿", "฿", TRUE, 10000 },
  { "KZT", "₸", "₸", TRUE, 100000 },
  { "BDT", "৳", "৳", TRUE, 30000 },
  { "GHS", "GH₵", "GH₵", TRUE, 3000 },
};

/* ISO 4217's minor units, where they are not 2. */
static const struct {
  char code[4];
  guint decimals;
} currency_decimals[] = {
  { "BIF", 0 }, { "CLP", 0 }, { "DJF", 0 }, { "GNF", 0 }, { "ISK", 0 }, { "JPY", 0 },
  { "KMF", 0 }, { "KRW", 0 }, { "PYG", 0 }, { "RWF", 0 }, { "UGX", 0 }, { "VND", 0 },
  { "VUV", 0 }, { "XAF", 0 }, { "XOF", 0 }, { "XPF", 0 },
  { "BHD", 3 }, { "IQD", 3 }, { "JOD", 3 }, { "KWD", 3 }, { "LYD", 3 }, { "OMR", 3 },
  { "TND", 3 },
};

/* How each language Haven speaks writes an amount (CLDR, with Latin
 * digits): the separators, and whether the sign comes after the amount,
 * as in "1 250,50 €", or before it, as in "€1,250.50". A code (CHF) is
 * always written after the amount, with a space. Languages not listed
 * write amounts as English does. */
typedef struct {
  const char *language;
  const char *group;
  const char *decimal;
  gboolean sign_after;
} MoneyStyle;

static const MoneyStyle money_styles[] = {
  { "en", ",", ".", FALSE },
  { "zh_CN", ",", ".", FALSE },
  { "es", ".", ",", TRUE },
  /* A narrow no-break space between thousands, as French typography
   * has it; a no-break space before the sign, so it never starts a
   * line. */
  { "fr", "\u202f", ",", TRUE },
  { "ru", "\u00a0", ",", TRUE },
  { "vi", ".", ",", TRUE },
  { "ar", ",", ".", TRUE },
};

static const MoneyStyle *
lookup_money_style (void)
{
  const char *language = haven_locale_get_current ();

  for (gsize i = 0; language != NULL && i < G_N_ELEMENTS (money_styles); i++)
    {
      if (g_str_equal (money_styles[i].language, language))
        return &money_styles[i];
    }

  return &money_styles[0];
}

static const CurrencySign *
lookup_sign (const char *code)
{
  for (gsize i = 0; code != NULL && i < G_N_ELEMENTS (currency_signs); i++)
    {
      if (g_str_equal (currency_signs[i].code, code))
        return &currency_signs[i];
    }

  return NULL;
}

/* The country part of @region_code in capitals, or FALSE when it has
 * none. */
static gboolean
read_country (const char *region_code,
              char        country[3])
{
  if (!g_ascii_isalpha (region_code[0]) || !g_ascii_isalpha (region_code[1]) ||
      (region_code[2] != '\0' && region_code[2] != '-'))
    return FALSE;

  country[0] = g_ascii_toupper (region_code[0]);
  country[1] = g_ascii_toupper (region_code[1]);
  country[2] = '\0';
  return TRUE;
}

/**
 * haven_currency_for_region:
 * @region_code: (nullable):
 *
 * Returns: (nullable): an ISO 4217 code
 */
const char *
haven_currency_for_region (const char *region_code)
{
  char country[3];

  if (region_code == NULL || !read_country (region_code, country))
    return NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (region_currencies); i++)
    {
      if (g_str_equal (region_currencies[i].region, country))
        return region_currencies[i].currency;
    }

  return NULL;
}

const char * const *
haven_currency_get_common (void)
{
  return common_codes;
}

/**
 * haven_currency_is_valid:
 * @code: (nullable):
 */
gboolean
haven_currency_is_valid (const char *code)
{
  if (code == NULL)
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (active_codes); i++)
    {
      if (g_str_equal (active_codes[i], code))
        return TRUE;
    }

  return FALSE;
}

/**
 * haven_currency_get_decimals:
 * @code: an ISO 4217 code
 */
guint
haven_currency_get_decimals (const char *code)
{
  g_return_val_if_fail (code != NULL, 2);

  for (gsize i = 0; i < G_N_ELEMENTS (currency_decimals); i++)
    {
      if (g_str_equal (currency_decimals[i].code, code))
        return currency_decimals[i].decimals;
    }

  return 2;
}

/**
 * haven_currency_get_symbol:
 * @code: an ISO 4217 code
 * @region: (nullable): the kiosk's region
 *
 * Returns: the sign a visitor at a kiosk in @region reads as @code, or
 *   %NULL when the currency is best written as its code
 */
const char *
haven_currency_get_symbol (const char *code,
                           const char *region)
{
  const CurrencySign *sign = lookup_sign (code);
  const CurrencySign *home;

  g_return_val_if_fail (code != NULL, NULL);

  if (sign == NULL)
    return NULL;

  home = lookup_sign (haven_currency_for_region (region));
  if (home == sign)
    return sign->local;
  if (sign->primary && (home == NULL || !g_str_equal (home->local, sign->local)))
    return sign->local;

  return sign->foreign;
}

/* Appends the whole units of @digits (ASCII digits only) to @text, in
 * groups of three. */
static void
append_grouped (GString    *text,
                const char *digits,
                gsize       length,
                const char *group)
{
  for (gsize i = 0; i < length; i++)
    {
      if (i > 0 && (length - i) % 3 == 0)
        g_string_append (text, group);
      g_string_append_c (text, digits[i]);
    }
}

/**
 * haven_currency_format:
 * @normalized_amount: an amount as haven_answer_parse_amount() gives it,
 *   "1250.50"
 * @code: an ISO 4217 code
 * @region: (nullable): the kiosk's region, which decides which sign is
 *   clear ("$" or "US$")
 *
 * Returns: (transfer full): the amount as the current language writes it,
 *   with the currency's sign where it has a clear one: "£1,250.50",
 *   "1 250,50 €", "5.000.000 ₫", "250.00 CHF". The caller wipes it: it
 *   holds what the visitor typed.
 */
char *
haven_currency_format (const char *normalized_amount,
                       const char *code,
                       const char *region)
{
  const MoneyStyle *style = lookup_money_style ();
  const char *symbol;
  const char *point;
  const char *decimals;
  guint n_decimals;
  gsize whole_length;
  GString *text;

  g_return_val_if_fail (normalized_amount != NULL, NULL);
  g_return_val_if_fail (code != NULL, NULL);

  symbol = haven_currency_get_symbol (code, region);
  point = strchr (normalized_amount, '.');
  whole_length = point != NULL ? (gsize) (point - normalized_amount) : strlen (normalized_amount);
  decimals = point != NULL ? point + 1 : "";
  n_decimals = haven_currency_get_decimals (code);
  /* Sized so that it never moves, which would leave a copy behind. */
  text = g_string_sized_new (strlen (normalized_amount) * 2 + 32);

  if (symbol != NULL && !style->sign_after)
    g_string_append (text, symbol);
  append_grouped (text, normalized_amount, whole_length, style->group);

  /* Dong and yen have no cents: "5.000.000 ₫", unless the visitor
   * typed some. */
  if (n_decimals == 0 && strspn (decimals, "0") == strlen (decimals))
    n_decimals = 0;
  else
    n_decimals = MAX (n_decimals, (guint) strlen (decimals));
  if (n_decimals > 0)
    {
      g_string_append (text, style->decimal);
      for (guint i = 0; i < n_decimals; i++)
        g_string_append_c (text, i < strlen (decimals) ? decimals[i] : '0');
    }

  if (symbol == NULL)
    g_string_append_printf (text, "\u00a0%s", code);
  else if (style->sign_after)
    g_string_append_printf (text, "\u00a0%s", symbol);

  return g_string_free (text, FALSE);
}

/**
 * haven_currency_dup_example_amount:
 * @region: (nullable): the kiosk's region
 *
 * Returns: (transfer full): a believable loss in the region's currency,
 *   as haven_answer_parse_amount() writes amounts: "250.00" pounds,
 *   "5000000.00" dong
 */
char *
haven_currency_dup_example_amount (const char *region)
{
  const CurrencySign *sign = lookup_sign (haven_currency_for_region (region));

  return g_strdup_printf ("%u.00", sign != NULL ? sign->example : 250);
}

/**
 * haven_currency_format_example:
 * @region: (nullable): the kiosk's region
 *
 * Returns: (transfer full): a believable amount in the region's currency,
 *   for the hint of a question about money: "£250.00", "5.000.000 ₫";
 *   an amount without a currency where the region has none
 */
char *
haven_currency_format_example (const char *region)
{
  const char *code = haven_currency_for_region (region);
  g_autofree char *amount = haven_currency_dup_example_amount (region);

  if (code != NULL)
    return haven_currency_format (amount, code, region);

  return g_strdup_printf ("250%s00", lookup_money_style ()->decimal);
}
