/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The currency people use in a region: an ISO 3166-1 alpha-2 code, in any
 * case, or an ISO 3166-2 subdivision ("GB-LND", as the region setting may
 * hold). NULL for an empty or unknown region. */
const char         *haven_currency_for_region  (const char *region_code);
/* About twenty widely used codes, for the top of a drop-down;
 * NULL-terminated. */
const char * const *haven_currency_get_common  (void);
/* Whether @code is an ISO 4217 code of money in circulation today, in
 * capitals. Funds, precious metals and test codes are not. */
gboolean            haven_currency_is_valid    (const char *code);
/* ISO 4217's digits after the decimal point: 0 for VND and JPY, 3 for
 * KWD, 2 for most. */
guint               haven_currency_get_decimals (const char *code);
/* The sign for @code that a visitor at a kiosk in @region reads without
 * doubt ("£", "$", "US$", "₫"), or NULL where the code is clearer. */
const char         *haven_currency_get_symbol  (const char *code,
                                                const char *region);
/* An amount ("1250.50") as the current language writes it, with the
 * currency's sign: "£1,250.50", "1 250,50 €", "5.000.000 ₫", "250.00 CHF". */
char               *haven_currency_format      (const char *normalized_amount,
                                                const char *code,
                                                const char *region);
/* A believable loss in the region's currency, as amounts are stored:
 * "250.00" pounds, "5000000.00" dong. */
char               *haven_currency_dup_example_amount (const char *region);
/* The same for a hint, written as the current language does: "£250.00". */
char               *haven_currency_format_example (const char *region);

G_END_DECLS
