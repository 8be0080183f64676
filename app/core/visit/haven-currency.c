/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-currency"

#include "config.h"

#include <string.h>

#include "haven-currency.h"

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
