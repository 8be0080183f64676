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

G_END_DECLS
