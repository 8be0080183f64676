/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-checks"

#include "config.h"

#include <string.h>

#include "haven-checks.h"

/* The forms of region codes and dates that content, directories, requests
 * and answers share, checked the same way wherever they are read. GLib
 * only: everything else in Haven may use it. */

/**
 * haven_check_region_code:
 * @code: the text to check
 *
 * Accepts exactly an ISO 3166-1 country code, two upper-case ASCII letters
 * ("GB"), or an ISO 3166-2 subdivision: the country code, a hyphen and one
 * to three upper-case ASCII letters or digits ("GB-LND", "FR-75"). Lower
 * case is refused: a caller that takes it upper-cases first. "*" (for
 * anywhere) is not a region code; the callers that allow it say so.
 *
 * Returns: whether @code is a region code
 */
gboolean
haven_check_region_code (const char *code)
{
  gsize length;

  g_return_val_if_fail (code != NULL, FALSE);

  length = strlen (code);
  if (length < 2 || !g_ascii_isupper (code[0]) || !g_ascii_isupper (code[1]))
    return FALSE;
  if (length == 2)
    return TRUE;
  if (code[2] != '-' || length < 4 || length > 6)
    return FALSE;

  for (gsize i = 3; i < length; i++)
    {
      if (!g_ascii_isupper (code[i]) && !g_ascii_isdigit (code[i]))
        return FALSE;
    }

  return TRUE;
}

/**
 * haven_check_date:
 *
 * Checked before any cast to GDate's narrower types, which would wrap.
 *
 * Returns: whether the numbers are a real day of the Gregorian calendar
 *   in the years 1 to 9999
 */
gboolean
haven_check_date (int year,
                  int month,
                  int day)
{
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= 31 &&
         g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year);
}

/**
 * haven_check_iso_date:
 * @text: the text to check
 *
 * Accepts exactly "YYYY-MM-DD": ten characters, ASCII digits with hyphens
 * at the fifth and eighth, naming a real day (haven_check_date()). Nothing
 * may come before or after it.
 *
 * Returns: whether @text is a date
 */
gboolean
haven_check_iso_date (const char *text)
{
  int fields[3] = { 0, 0, 0 };
  guint field = 0;

  g_return_val_if_fail (text != NULL, FALSE);

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;

  for (guint i = 0; i < 10; i++)
    {
      if (i == 4 || i == 7)
        field++;
      else if (g_ascii_isdigit (text[i]))
        fields[field] = fields[field] * 10 + g_ascii_digit_value (text[i]);
      else
        return FALSE;
    }

  return haven_check_date (fields[0], fields[1], fields[2]);
}

/**
 * haven_check_loopback_host:
 * @host: (nullable): a URL's host
 *
 * Returns: whether @host is this machine (127.0.0.1, ::1 or localhost):
 *   where plain http may go, for the tests and the demo, and nowhere else
 */
gboolean
haven_check_loopback_host (const char *host)
{
  return g_strcmp0 (host, "127.0.0.1") == 0 ||
         g_strcmp0 (host, "localhost") == 0 ||
         g_strcmp0 (host, "::1") == 0;
}
