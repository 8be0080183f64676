/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-checks"

#include "config.h"

#include "haven-checks.h"

static void
assert_check (gboolean           (*check) (const char *text),
              const char * const  *accepted,
              const char * const  *refused)
{
  for (guint i = 0; accepted[i] != NULL; i++)
    g_assert_true (check (accepted[i]));
  for (guint i = 0; refused[i] != NULL; i++)
    g_assert_false (check (refused[i]));
}

/* A country or a subdivision, in upper case only; "*" is for the callers
 * to allow. */
static void
test_region_code (void)
{
  const char *accepted[] = { "GB", "GB-LND", "FR-75", "US-CA", "GB-A", NULL };
  const char *refused[] = { "", "G", "gb", "Gb", "gb-lnd", "GB-lnd", "GBR", "GB-", "GB-LOND",
                            "GB_LND", "G1", "*", "GB-LN*", NULL };

  assert_check (haven_check_region_code, accepted, refused);
}

/* Exactly YYYY-MM-DD, and a day the calendar has. */
static void
test_iso_date (void)
{
  const char *accepted[] = { "2026-01-31", "2024-02-29", "0001-01-01", "9999-12-31", NULL };
  const char *refused[] = { "", "2026-1-31", "2026-01-31T09:00", " 2026-01-31", "2026/01/31",
                            "2023-02-29", "2026-13-01", "2026-00-10", "2026-04-31",
                            "0000-01-01", "+026-01-31", "2026-01-3a", "20260131", NULL };

  assert_check (haven_check_iso_date, accepted, refused);
}

/* Numbers out of GDate's range must not wrap into a valid date. */
static void
test_date (void)
{
  g_assert_true (haven_check_date (2024, 2, 29));
  g_assert_false (haven_check_date (2023, 2, 29));
  g_assert_false (haven_check_date (10000, 1, 1));
  g_assert_false (haven_check_date (2026, 1 + 256, 1));
  g_assert_false (haven_check_date (2026, 1, 1 + 256));
  g_assert_false (haven_check_date (0, 1, 1));
  g_assert_false (haven_check_date (-1, 1, 1));
}

static void
test_loopback_host (void)
{
  g_assert_true (haven_check_loopback_host ("127.0.0.1"));
  g_assert_true (haven_check_loopback_host ("::1"));
  g_assert_true (haven_check_loopback_host ("localhost"));
  g_assert_false (haven_check_loopback_host ("127.0.0.1.example.org"));
  g_assert_false (haven_check_loopback_host ("192.0.2.1"));
  g_assert_false (haven_check_loopback_host (""));
  g_assert_false (haven_check_loopback_host (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/checks/region-code", test_region_code);
  g_test_add_func ("/haven/checks/iso-date", test_iso_date);
  g_test_add_func ("/haven/checks/date", test_date);
  g_test_add_func ("/haven/checks/loopback-host", test_loopback_host);

  return g_test_run ();
}
