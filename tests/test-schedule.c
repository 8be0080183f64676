/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-schedule"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "haven-schedule.h"

/* Opening hours from HSDS schedule rows. Every moment below is written as
 * a UTC instant and judged in an explicit time zone, never "now", so the
 * tests pin wall-clock behaviour across DST changes. */

static HavenSchedule *
schedule_of (const HavenScheduleRow *rows,
             guint                   n_rows)
{
  HavenSchedule *schedule = haven_schedule_new ();

  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (haven_schedule_add_row (schedule, &rows[i], &error));
      g_assert_no_error (error);
    }

  return schedule;
}

static gboolean
open_at (HavenSchedule *schedule,
         const char    *instant,
         const char    *zone_name)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (zone_name);
  g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (instant, NULL);
  HavenScheduleTime time;

  g_assert_nonnull (zone);
  g_assert_nonnull (at);
  haven_schedule_time_init (&time, at, zone);

  return haven_schedule_is_open (schedule, &time);
}

static char *
hours_at (HavenSchedule *schedule,
          const char    *instant,
          const char    *zone_name)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (zone_name);
  g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (instant, NULL);
  HavenScheduleTime time;

  haven_schedule_time_init (&time, at, zone);
  return haven_schedule_describe_day (schedule, &time);
}

static void
assert_invalid (const HavenScheduleRow *row,
                const char             *expected)
{
  g_autoptr(HavenSchedule) schedule = haven_schedule_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (haven_schedule_add_row (schedule, row, &error));
  g_assert_error (error, HAVEN_SCHEDULE_ERROR, HAVEN_SCHEDULE_ERROR_INVALID);
  if (strstr (error->message, expected) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, expected);
  g_assert_cmpuint (haven_schedule_get_n_rows (schedule), ==, 0);
}

static void
test_invalid_rows (void)
{
  assert_invalid (&(HavenScheduleRow) { .opens_at = "9am", .closes_at = "17:00" },
                  "opens_at “9am”");
  assert_invalid (&(HavenScheduleRow) { .opens_at = "09:00", .closes_at = "25:00" },
                  "closes_at");
  assert_invalid (&(HavenScheduleRow) { .opens_at = "09:00" }, "together");
  assert_invalid (&(HavenScheduleRow) { .opens_at = "09:00Z", .closes_at = "17:00" },
                  "different time zones");
  assert_invalid (&(HavenScheduleRow) { .opens_at = "09:00", .closes_at = "17:00",
                                        .byday = "MON" }, "byday “MON”");
  assert_invalid (&(HavenScheduleRow) { .opens_at = "09:00", .closes_at = "17:00",
                                        .freq = "HOURLY" }, "freq “HOURLY”");
  assert_invalid (&(HavenScheduleRow) { .valid_from = "2026-02-01", .valid_to = "2026-01-01" },
                  "before valid_from");
  assert_invalid (&(HavenScheduleRow) { .valid_from = "2026-02-30" }, "valid_from “2026-02-30”");
  assert_invalid (&(HavenScheduleRow) { .opens_at = "09:00", .closes_at = "17:00",
                                        .freq = "WEEKLY", .byday = "MO", .interval = "2" },
                  "dtstart");
  assert_invalid (&(HavenScheduleRow) { .opens_at = "09:00", .closes_at = "17:00",
                                        .freq = "WEEKLY", .interval = "0" }, "interval “0”");
  assert_invalid (&(HavenScheduleRow) { .opens_at = "09:00", .closes_at = "17:00",
                                        .bymonthday = "32", .freq = "MONTHLY" }, "bymonthday");
}

/* Rules that name no day at all: libical looked for their first day
 * through six centuries, seconds each (found by tests/fuzz/fuzz-schedule).
 * They are refused at once. */
static void
test_days_that_never_come (void)
{
  const HavenScheduleRow rows[] = {
    { .freq = "MONTHLY", .byday = "6FR" },
    { .freq = "MONTHLY", .byday = "20FR", .bymonthday = "1" },
    { .freq = "MONTHLY", .byday = "1MO", .bymonthday = "8" },
    { .freq = "MONTHLY", .byday = "5FR", .bymonthday = "1" },
    { .freq = "DAILY", .byday = "1MO", .bymonthday = "8" },
    { .freq = "WEEKLY", .byday = "2MO" },
    { .freq = "YEARLY", .byday = "2MO", .byyearday = "1" },
    { .freq = "YEARLY", .byday = "1MO", .byweekno = "1" },
  };
  gint64 started = g_get_monotonic_time ();

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    assert_invalid (&rows[i], "numbers its days");
  g_test_message ("%zu rules refused in %" G_GINT64_FORMAT " µs", G_N_ELEMENTS (rows),
                  g_get_monotonic_time () - started);
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);
}

/* A day with a position and no freq is the month's. */
static void
test_position_without_freq (void)
{
  const HavenScheduleRow rows[] = {
    { .byday = "1TH", .opens_at = "17:30", .closes_at = "20:30" },
  };
  g_autoptr(HavenSchedule) schedule = schedule_of (rows, G_N_ELEMENTS (rows));

  /* Thursday 5 March 2026 is the month's first; the 12th is not. */
  g_assert_true (open_at (schedule, "2026-03-05T18:00:00Z", "Europe/London"));
  g_assert_false (open_at (schedule, "2026-03-12T18:00:00Z", "Europe/London"));
}

static void
test_byday (void)
{
  const HavenScheduleRow rows[] = {
    { .freq = "WEEKLY", .byday = "MO,TU,WE,TH,FR", .opens_at = "09:00", .closes_at = "17:00" },
  };
  g_autoptr(HavenSchedule) schedule = schedule_of (rows, G_N_ELEMENTS (rows));

  /* Monday 2 March 2026, London is on GMT. */
  g_assert_true (open_at (schedule, "2026-03-02T10:00:00Z", "Europe/London"));
  g_assert_true (open_at (schedule, "2026-03-02T09:00:00Z", "Europe/London"));
  g_assert_false (open_at (schedule, "2026-03-02T08:59:00Z", "Europe/London"));
  /* Closing time itself is closed. */
  g_assert_false (open_at (schedule, "2026-03-02T17:00:00Z", "Europe/London"));
  /* Saturday and Sunday. */
  g_assert_false (open_at (schedule, "2026-03-07T10:00:00Z", "Europe/London"));
  g_assert_false (open_at (schedule, "2026-03-08T10:00:00Z", "Europe/London"));
  g_assert_false (haven_schedule_is_always_open (schedule));
}

static void
test_byday_without_freq (void)
{
  const HavenScheduleRow rows[] = {
    { .byday = "SA", .opens_at = "10:00:00", .closes_at = "12:30:00" },
  };
  g_autoptr(HavenSchedule) schedule = schedule_of (rows, G_N_ELEMENTS (rows));

  g_assert_true (open_at (schedule, "2026-03-07T12:00:00Z", "Europe/London"));
  g_assert_false (open_at (schedule, "2026-03-06T12:00:00Z", "Europe/London"));
}

static void
test_across_midnight (void)
{
  const HavenScheduleRow rows[] = {
    { .freq = "WEEKLY", .byday = "FR", .opens_at = "22:00", .closes_at = "06:00" },
  };
  g_autoptr(HavenSchedule) schedule = schedule_of (rows, G_N_ELEMENTS (rows));

  /* Friday 6 March 2026 at 23:00, Saturday at 05:59 and 06:00. */
  g_assert_true (open_at (schedule, "2026-03-06T23:00:00Z", "Europe/London"));
  g_assert_true (open_at (schedule, "2026-03-07T00:00:00Z", "Europe/London"));
  g_assert_true (open_at (schedule, "2026-03-07T05:59:00Z", "Europe/London"));
  g_assert_false (open_at (schedule, "2026-03-07T06:00:00Z", "Europe/London"));
  /* Thursday night is not Friday night, and Saturday night neither. */
  g_assert_false (open_at (schedule, "2026-03-05T23:00:00Z", "Europe/London"));
  g_assert_false (open_at (schedule, "2026-03-07T23:00:00Z", "Europe/London"));
  g_assert_false (open_at (schedule, "2026-03-06T21:59:00Z", "Europe/London"));
}

static void
test_dst_spring (void)
{
  const HavenScheduleRow rows[] = {
    { .opens_at = "09:00", .closes_at = "17:00" },
  };
  g_autoptr(HavenSchedule) schedule = schedule_of (rows, G_N_ELEMENTS (rows));

  /* London moves to BST at 01:00 UTC on Sunday 29 March 2026: 08:30 UTC is
   * 09:30 on the wall, open; 16:30 UTC is 17:30, closed. */
  g_assert_true (open_at (schedule, "2026-03-29T08:30:00Z", "Europe/London"));
  g_assert_false (open_at (schedule, "2026-03-29T16:30:00Z", "Europe/London"));
  /* The day before, 08:30 UTC is still 08:30 on the wall. */
  g_assert_false (open_at (schedule, "2026-03-28T08:30:00Z", "Europe/London"));
  g_assert_true (open_at (schedule, "2026-03-28T16:30:00Z", "Europe/London"));

  /* New York moves on Sunday 8 March 2026. */
  g_assert_false (open_at (schedule, "2026-03-06T13:30:00Z", "America/New_York"));
  g_assert_true (open_at (schedule, "2026-03-09T13:30:00Z", "America/New_York"));
}

static void
test_dst_autumn (void)
{
  const HavenScheduleRow rows[] = {
    { .opens_at = "09:00", .closes_at = "17:00" },
    { .freq = "WEEKLY", .byday = "SA", .opens_at = "22:00", .closes_at = "06:00" },
  };
  g_autoptr(HavenSchedule) schedule = schedule_of (rows, G_N_ELEMENTS (rows));

  /* London returns to GMT at 01:00 UTC on Sunday 25 October 2026. */
  g_assert_true (open_at (schedule, "2026-10-24T08:30:00Z", "Europe/London"));
  g_assert_false (open_at (schedule, "2026-10-25T08:30:00Z", "Europe/London"));
  /* The Saturday night runs to 06:00 on the wall, an hour longer in UTC. */
  g_assert_true (open_at (schedule, "2026-10-25T05:30:00Z", "Europe/London"));
  g_assert_false (open_at (schedule, "2026-10-25T06:30:00Z", "Europe/London"));
  /* 01:30 happens twice that night; it is open both times. */
  g_assert_true (open_at (schedule, "2026-10-25T00:30:00Z", "Europe/London"));
  g_assert_true (open_at (schedule, "2026-10-25T01:30:00Z", "Europe/London"));
}

static void
test_fixed_offset (void)
{
  const HavenScheduleRow rows[] = {
    { .opens_at = "09:00Z", .closes_at = "17:00Z" },
    { .byday = "SA", .opens_at = "20:00-05:00", .closes_at = "21:00-05:00" },
  };
  g_autoptr(HavenSchedule) schedule = schedule_of (rows, G_N_ELEMENTS (rows));

  /* In summer London is an hour ahead of UTC: 09:30 BST is 08:30 UTC. */
  g_assert_false (open_at (schedule, "2026-06-01T08:30:00Z", "Europe/London"));
  g_assert_true (open_at (schedule, "2026-06-01T16:30:00Z", "Europe/London"));
  /* Saturday 6 June, 20:30 at UTC-5 is 01:30 UTC on Sunday, whatever the
   * kiosk's zone; Friday 20:30 there is not a Saturday. */
  g_assert_true (open_at (schedule, "2026-06-07T01:30:00Z", "Asia/Tokyo"));
  g_assert_false (open_at (schedule, "2026-06-06T01:30:00Z", "Asia/Tokyo"));
}

static void
test_holidays (void)
{
  const HavenScheduleRow rows[] = {
    { .freq = "WEEKLY", .byday = "MO,TU,WE,TH,FR", .opens_at = "09:00", .closes_at = "17:00" },
    /* Christmas Eve: shorter hours. */
    { .valid_from = "2026-12-24", .valid_to = "2026-12-24", .opens_at = "10:00",
      .closes_at = "13:00" },
    /* Closed from Christmas Day to New Year's Day. */
    { .valid_from = "2026-12-25", .valid_to = "2027-01-01" },
  };
  g_autoptr(HavenSchedule) schedule = schedule_of (rows, G_N_ELEMENTS (rows));
  g_autofree char *christmas_eve = NULL;
  g_autofree char *christmas = NULL;

  g_assert_true (open_at (schedule, "2026-12-23T16:00:00Z", "Europe/London"));
  g_assert_true (open_at (schedule, "2026-12-24T11:00:00Z", "Europe/London"));
  g_assert_false (open_at (schedule, "2026-12-24T14:00:00Z", "Europe/London"));
  g_assert_false (open_at (schedule, "2026-12-25T10:00:00Z", "Europe/London"));
  g_assert_false (open_at (schedule, "2026-12-31T10:00:00Z", "Europe/London"));
  g_assert_true (open_at (schedule, "2027-01-04T10:00:00Z", "Europe/London"));

  christmas_eve = hours_at (schedule, "2026-12-24T08:00:00Z", "Europe/London");
  g_assert_cmpstr (christmas_eve, ==, "10:00–13:00");
  christmas = hours_at (schedule, "2026-12-25T08:00:00Z", "Europe/London");
  g_assert_cmpstr (christmas, ==, "Closed today");
}

static void
test_seasonal (void)
{
  const HavenScheduleRow rows[] = {
    { .opens_at = "09:00", .closes_at = "17:00" },
    /* Summer: from 1 June, for the rest of the directory's life. */
    { .valid_from = "2026-06-01", .opens_at = "08:00", .closes_at = "20:00" },
    /* A row that has ended. */
    { .valid_to = "2025-12-31", .opens_at = "00:00", .closes_at = "00:00" },
  };
  g_autoptr(HavenSchedule) schedule = schedule_of (rows, G_N_ELEMENTS (rows));

  g_assert_false (open_at (schedule, "2026-05-04T18:30:00Z", "Europe/London"));
  g_assert_true (open_at (schedule, "2026-06-04T18:30:00Z", "Europe/London"));
  g_assert_false (open_at (schedule, "2026-01-05T03:00:00Z", "Europe/London"));
  g_assert_true (open_at (schedule, "2025-12-30T03:00:00Z", "Europe/London"));
}

static void
test_recurrence (void)
{
  const HavenScheduleRow monthly[] = {
    { .freq = "MONTHLY", .byday = "2MO", .opens_at = "18:00", .closes_at = "20:00" },
  };
  const HavenScheduleRow fortnightly[] = {
    { .freq = "WEEKLY", .interval = "2", .byday = "MO", .dtstart = "2026-01-05",
      .opens_at = "10:00", .closes_at = "12:00" },
  };
  const HavenScheduleRow counted[] = {
    { .freq = "DAILY", .count = "3", .dtstart = "2026-01-01", .opens_at = "10:00",
      .closes_at = "12:00" },
  };
  const HavenScheduleRow until[] = {
    { .freq = "WEEKLY", .byday = "WE", .until = "2026-01-14", .opens_at = "10:00",
      .closes_at = "12:00" },
  };
  g_autoptr(HavenSchedule) second_monday = schedule_of (monthly, 1);
  g_autoptr(HavenSchedule) every_other = schedule_of (fortnightly, 1);
  g_autoptr(HavenSchedule) three_days = schedule_of (counted, 1);
  g_autoptr(HavenSchedule) until_mid_january = schedule_of (until, 1);

  /* 9 March 2026 is the second Monday of March, 16 March the third. */
  g_assert_true (open_at (second_monday, "2026-03-09T18:30:00Z", "Europe/London"));
  g_assert_false (open_at (second_monday, "2026-03-16T18:30:00Z", "Europe/London"));
  g_assert_false (open_at (second_monday, "2026-03-02T18:30:00Z", "Europe/London"));

  g_assert_true (open_at (every_other, "2026-01-19T11:00:00Z", "Europe/London"));
  g_assert_false (open_at (every_other, "2026-01-12T11:00:00Z", "Europe/London"));
  g_assert_false (open_at (every_other, "2025-12-22T11:00:00Z", "Europe/London"));

  g_assert_true (open_at (three_days, "2026-01-03T11:00:00Z", "Europe/London"));
  g_assert_false (open_at (three_days, "2026-01-04T11:00:00Z", "Europe/London"));

  g_assert_true (open_at (until_mid_january, "2026-01-14T11:00:00Z", "Europe/London"));
  g_assert_false (open_at (until_mid_january, "2026-01-21T11:00:00Z", "Europe/London"));
}

static void
test_always_open (void)
{
  const HavenScheduleRow all_day[] = {
    { .opens_at = "00:00", .closes_at = "00:00" },
  };
  const HavenScheduleRow weekdays[] = {
    { .freq = "WEEKLY", .byday = "MO,TU,WE,TH,FR", .opens_at = "00:00", .closes_at = "24:00" },
  };
  const HavenScheduleRow split_week[] = {
    { .freq = "WEEKLY", .byday = "MO,TU,WE,TH", .opens_at = "00:00", .closes_at = "23:59" },
    { .freq = "WEEKLY", .byday = "FR,SA,SU", .opens_at = "00:00", .closes_at = "00:00" },
    { .valid_from = "2026-12-25", .valid_to = "2026-12-25" },
  };
  g_autoptr(HavenSchedule) always = schedule_of (all_day, 1);
  g_autoptr(HavenSchedule) not_weekends = schedule_of (weekdays, 1);
  g_autoptr(HavenSchedule) whole_week = schedule_of (split_week, G_N_ELEMENTS (split_week));
  g_autoptr(HavenSchedule) empty = haven_schedule_new ();
  g_autofree char *hours = NULL;

  g_assert_true (haven_schedule_is_always_open (always));
  g_assert_true (open_at (always, "2026-03-29T01:30:00Z", "Europe/London"));
  g_assert_false (haven_schedule_is_always_open (not_weekends));
  g_assert_true (haven_schedule_is_always_open (whole_week));
  g_assert_false (haven_schedule_is_always_open (empty));
  g_assert_false (open_at (empty, "2026-03-29T10:00:00Z", "Europe/London"));

  hours = hours_at (always, "2026-03-29T10:00:00Z", "Europe/London");
  g_assert_cmpstr (hours, ==, "Open 24 hours");
}

static void
test_describe_day (void)
{
  const HavenScheduleRow rows[] = {
    { .byday = "MO", .opens_at = "13:30", .closes_at = "17:00" },
    { .byday = "MO", .opens_at = "09:00", .closes_at = "12:30" },
    { .byday = "TU", .opens_at = "18:00", .closes_at = "00:00" },
  };
  g_autoptr(HavenSchedule) schedule = schedule_of (rows, G_N_ELEMENTS (rows));
  g_autoptr(HavenSchedule) empty = haven_schedule_new ();
  g_autofree char *monday = hours_at (schedule, "2026-03-02T07:00:00Z", "Europe/London");
  g_autofree char *tuesday = hours_at (schedule, "2026-03-03T07:00:00Z", "Europe/London");
  g_autofree char *wednesday = hours_at (schedule, "2026-03-04T07:00:00Z", "Europe/London");
  g_autofree char *nothing = hours_at (empty, "2026-03-04T07:00:00Z", "Europe/London");

  g_assert_cmpstr (monday, ==, "09:00–12:30, 13:30–17:00");
  g_assert_cmpstr (tuesday, ==, "18:00–24:00");
  g_assert_cmpstr (wednesday, ==, "Closed today");
  g_assert_null (nothing);
}

static char *
next_opening_at (HavenSchedule *schedule,
                 const char    *instant,
                 const char    *zone_name)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (zone_name);
  g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (instant, NULL);
  HavenScheduleTime time;

  haven_schedule_time_init (&time, at, zone);
  return haven_schedule_describe_next_opening (schedule, &time);
}

static void
assert_next_opening (HavenSchedule *schedule,
                     const char    *instant,
                     const char    *zone_name,
                     const char    *expected)
{
  g_autofree char *next = next_opening_at (schedule, instant, zone_name);

  g_test_message ("%s in %s", instant, zone_name);
  g_assert_cmpstr (next, ==, expected);
}

/* A closed service says when it opens next, from its own rules: later
 * today, tomorrow, a weekday this week, or in so many days. 2026-12-04 is a
 * Friday. */
static void
test_next_opening (void)
{
  const HavenScheduleRow weekdays[] = {
    { .freq = "WEEKLY", .byday = "MO,TU,WE,TH,FR", .opens_at = "09:00", .closes_at = "17:00" },
  };
  const HavenScheduleRow split_day[] = {
    { .freq = "WEEKLY", .byday = "TU", .opens_at = "09:00", .closes_at = "12:00" },
    { .freq = "WEEKLY", .byday = "TU", .opens_at = "13:30", .closes_at = "17:00" },
  };
  const HavenScheduleRow fortnightly[] = {
    { .freq = "WEEKLY", .interval = "2", .byday = "SA", .dtstart = "2026-01-03",
      .opens_at = "10:00", .closes_at = "13:00" },
  };
  const HavenScheduleRow holiday[] = {
    { .freq = "WEEKLY", .byday = "MO,TU,WE,TH,FR", .opens_at = "09:30", .closes_at = "17:00" },
    { .valid_from = "2026-12-24", .valid_to = "2027-01-01" },
  };
  const HavenScheduleRow new_york[] = {
    { .freq = "WEEKLY", .byday = "MO", .opens_at = "09:00-05:00", .closes_at = "17:00-05:00" },
  };
  g_autoptr(HavenSchedule) weekly = schedule_of (weekdays, G_N_ELEMENTS (weekdays));
  g_autoptr(HavenSchedule) split = schedule_of (split_day, G_N_ELEMENTS (split_day));
  g_autoptr(HavenSchedule) every_other = schedule_of (fortnightly, G_N_ELEMENTS (fortnightly));
  g_autoptr(HavenSchedule) closed_for_holidays = schedule_of (holiday, G_N_ELEMENTS (holiday));
  g_autoptr(HavenSchedule) offset = schedule_of (new_york, G_N_ELEMENTS (new_york));
  g_autoptr(HavenSchedule) never = haven_schedule_new ();

  /* Friday evening: Monday. Saturday: Monday. Before nine: today. */
  assert_next_opening (weekly, "2026-12-04T18:00:00Z", "Europe/London", "Opens Monday at 09:00");
  assert_next_opening (weekly, "2026-12-05T12:00:00Z", "Europe/London", "Opens Monday at 09:00");
  assert_next_opening (weekly, "2026-12-07T07:00:00Z", "Europe/London", "Opens today at 09:00");
  assert_next_opening (weekly, "2026-12-07T18:00:00Z", "Europe/London", "Opens tomorrow at 09:00");
  /* The wall clock of the kiosk's zone, across the UTC date. */
  assert_next_opening (weekly, "2026-12-04T23:30:00Z", "Asia/Ho_Chi_Minh", "Opens Monday at 09:00");
  /* At lunch, the afternoon's opening. */
  assert_next_opening (split, "2026-12-08T12:30:00Z", "Europe/London", "Opens today at 13:30");
  assert_next_opening (split, "2026-12-08T18:00:00Z", "Europe/London", "Opens in 7 days, at 09:00");
  /* Every other Saturday: 2026-12-05 was one, so 2026-12-19. */
  assert_next_opening (every_other, "2026-12-05T14:00:00Z", "Europe/London",
                       "Opens in 14 days, at 10:00");
  /* Closed over the holidays: back on Monday 4 January. */
  assert_next_opening (closed_for_holidays, "2026-12-31T10:00:00Z", "Europe/London",
                       "Opens Monday at 09:30");
  /* Nine in New York is 14:00 in London. */
  assert_next_opening (offset, "2026-12-05T10:00:00Z", "Europe/London", "Opens Monday at 14:00");
  assert_next_opening (never, "2026-12-05T10:00:00Z", "Europe/London", NULL);
}

static void
test_serialize (void)
{
  const HavenScheduleRow rows[] = {
    { .freq = "WEEKLY", .byday = "FR", .opens_at = "22:00", .closes_at = "06:00" },
    { .freq = "MONTHLY", .byday = "2MO", .opens_at = "18:00+01:00", .closes_at = "20:00+01:00" },
    { .valid_from = "2026-12-25", .valid_to = "2026-12-25" },
  };
  g_autoptr(HavenSchedule) schedule = schedule_of (rows, G_N_ELEMENTS (rows));
  g_autoptr(HavenSchedule) copy = NULL;
  g_autoptr(GHashTable) recurrences = haven_schedule_new_recurrence_table ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = haven_schedule_serialize (schedule);
  g_autofree char *again = NULL;
  const char *moments[] = {
    "2026-03-06T23:00:00Z", "2026-03-07T05:30:00Z", "2026-03-09T17:30:00Z",
    "2026-03-16T17:30:00Z", "2026-12-25T23:00:00Z", "2026-12-26T01:00:00Z",
  };

  copy = haven_schedule_deserialize (text, recurrences, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);
  g_assert_cmpuint (haven_schedule_get_n_rows (copy), ==, 3);

  again = haven_schedule_serialize (copy);
  g_assert_cmpstr (again, ==, text);

  for (gsize i = 0; i < G_N_ELEMENTS (moments); i++)
    g_assert_cmpint (open_at (schedule, moments[i], "Europe/London"), ==,
                     open_at (copy, moments[i], "Europe/London"));
  /* Christmas Day is a Friday, but the holiday row closes it. */
  g_assert_false (open_at (copy, "2026-12-25T23:00:00Z", "Europe/London"));
  g_assert_true (open_at (copy, "2026-03-06T23:00:00Z", "Europe/London"));

  g_assert_null (haven_schedule_deserialize ("garbage", NULL, &error));
  g_assert_error (error, HAVEN_SCHEDULE_ERROR, HAVEN_SCHEDULE_ERROR_INVALID);
}

typedef struct {
  GPtrArray *rules;
  GArray *starts;
} RuleList;

static guint32
intern_rule_cb (const char *rule,
                guint32     start,
                gpointer    user_data)
{
  RuleList *list = user_data;

  for (guint i = 0; i < list->rules->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (list->rules, i), rule) &&
          g_array_index (list->starts, guint32, i) == start)
        return i + 1;
    }
  g_ptr_array_add (list->rules, g_strdup (rule));
  g_array_append_val (list->starts, start);
  return list->rules->len;
}

/* The stored rows a directory keeps make the schedule its text makes:
 * the same text again, the same answers, rules shared by number. */
static void
test_stored_rows (void)
{
  const HavenScheduleRow rows[] = {
    { .freq = "WEEKLY", .byday = "FR", .opens_at = "22:00", .closes_at = "06:00" },
    { .freq = "MONTHLY", .byday = "2MO", .opens_at = "18:00+01:00", .closes_at = "20:00+01:00" },
    { .freq = "WEEKLY", .byday = "FR", .opens_at = "09:00", .closes_at = "12:00" },
    { .valid_from = "2026-12-25", .valid_to = "2026-12-25" },
  };
  g_autoptr(HavenSchedule) schedule = schedule_of (rows, G_N_ELEMENTS (rows));
  g_autoptr(HavenSchedule) copy = NULL;
  g_autoptr(GArray) stored = g_array_new (FALSE, FALSE, sizeof (HavenScheduleStoredRow));
  g_autoptr(GPtrArray) rule_texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (guint32));
  RuleList list = { rule_texts, starts };
  g_autoptr(GPtrArray) rules =
    g_ptr_array_new_with_free_func ((GDestroyNotify) haven_schedule_rule_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = haven_schedule_serialize (schedule);
  g_autofree char *again = NULL;
  HavenScheduleStoredRow damaged;
  const char *moments[] = {
    "2026-03-06T23:00:00Z", "2026-03-07T05:30:00Z", "2026-03-09T17:30:00Z",
    "2026-03-13T10:00:00Z", "2026-12-25T23:00:00Z", "2026-12-26T01:00:00Z",
  };

  g_assert_true (haven_schedule_text_to_rows (text, stored, intern_rule_cb, &list, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, 4);
  /* The two weekly Friday rows share their rule. */
  g_assert_cmpuint (rule_texts->len, ==, 2);
  g_assert_cmpuint (g_array_index (stored, HavenScheduleStoredRow, 0).rule, ==,
                    g_array_index (stored, HavenScheduleStoredRow, 2).rule);
  g_assert_cmpuint (g_array_index (stored, HavenScheduleStoredRow, 3).rule, ==, 0);

  for (guint i = 0; i < rule_texts->len; i++)
    g_ptr_array_add (rules, haven_schedule_rule_new (g_ptr_array_index (rule_texts, i),
                                                     g_array_index (starts, guint32, i)));
  copy = haven_schedule_new_from_rows ((HavenScheduleStoredRow *) (void *) stored->data,
                                       stored->len, rules);
  g_assert_nonnull (copy);
  again = haven_schedule_serialize (copy);
  g_assert_cmpstr (again, ==, text);
  for (gsize i = 0; i < G_N_ELEMENTS (moments); i++)
    g_assert_cmpint (open_at (schedule, moments[i], "Europe/London"), ==,
                     open_at (copy, moments[i], "Europe/London"));

  /* A damaged store: a rule it does not have, a time past midnight. */
  damaged = g_array_index (stored, HavenScheduleStoredRow, 0);
  damaged.rule = rules->len + 1;
  g_assert_null (haven_schedule_new_from_rows (&damaged, 1, rules));
  damaged = g_array_index (stored, HavenScheduleStoredRow, 0);
  damaged.closes = 24 * 60 + 1;
  g_assert_null (haven_schedule_new_from_rows (&damaged, 1, rules));

  g_assert_false (haven_schedule_text_to_rows ("garbage", stored, intern_rule_cb, &list,
                                               &error));
  g_assert_error (error, HAVEN_SCHEDULE_ERROR, HAVEN_SCHEDULE_ERROR_INVALID);
}

static void
test_zone (void)
{
  g_autoptr(GTimeZone) london = NULL;
  g_autoptr(GTimeZone) local = NULL;
  g_autoptr(GError) error = NULL;

  london = haven_schedule_get_zone ("Europe/London", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_time_zone_get_identifier (london), ==, "Europe/London");

  local = haven_schedule_get_zone ("", &error);
  g_assert_no_error (error);
  g_assert_nonnull (local);

  g_assert_null (haven_schedule_get_zone ("Mars/Olympus_Mons", &error));
  g_assert_error (error, HAVEN_SCHEDULE_ERROR, HAVEN_SCHEDULE_ERROR_INVALID);
}

/* Whether libical (and with it ICU) is mapped into this process. */
static gboolean
libical_is_loaded (void)
{
  g_autofree char *maps = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  return strstr (maps, "/libical.so") != NULL;
}

/* libical is opened by the first schedule that needs it, not linked: a
 * kiosk does not carry it and ICU from its start. In a child process of
 * its own, which has read no schedule yet. */
static void
test_libical_when_needed (void)
{
  if (g_test_subprocess ())
    {
      const HavenScheduleRow rows[] = {
        { .freq = "WEEKLY", .byday = "MO", .opens_at = "09:00", .closes_at = "17:00" },
      };
      g_autoptr(HavenSchedule) schedule = NULL;

      g_assert_false (libical_is_loaded ());
      schedule = schedule_of (rows, G_N_ELEMENTS (rows));
      g_assert_true (libical_is_loaded ());
      g_assert_true (open_at (schedule, "2026-03-02T10:00:00Z", "Europe/London"));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/schedule/libical-when-needed", test_libical_when_needed);
  g_test_add_func ("/haven/schedule/invalid-rows", test_invalid_rows);
  g_test_add_func ("/haven/schedule/byday", test_byday);
  g_test_add_func ("/haven/schedule/byday-without-freq", test_byday_without_freq);
  g_test_add_func ("/haven/schedule/days-that-never-come", test_days_that_never_come);
  g_test_add_func ("/haven/schedule/position-without-freq", test_position_without_freq);
  g_test_add_func ("/haven/schedule/across-midnight", test_across_midnight);
  g_test_add_func ("/haven/schedule/dst-spring", test_dst_spring);
  g_test_add_func ("/haven/schedule/dst-autumn", test_dst_autumn);
  g_test_add_func ("/haven/schedule/fixed-offset", test_fixed_offset);
  g_test_add_func ("/haven/schedule/holidays", test_holidays);
  g_test_add_func ("/haven/schedule/seasonal", test_seasonal);
  g_test_add_func ("/haven/schedule/recurrence", test_recurrence);
  g_test_add_func ("/haven/schedule/always-open", test_always_open);
  g_test_add_func ("/haven/schedule/describe-day", test_describe_day);
  g_test_add_func ("/haven/schedule/next-opening", test_next_opening);
  g_test_add_func ("/haven/schedule/serialize", test_serialize);
  g_test_add_func ("/haven/schedule/stored-rows", test_stored_rows);
  g_test_add_func ("/haven/schedule/zone", test_zone);

  return g_test_run ();
}
