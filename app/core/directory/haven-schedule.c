/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-schedule"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-checks.h"
#include "haven-ical.h"
#include "haven-schedule.h"

/* When a service is open, from its HSDS schedule rows.
 *
 * Times without a UTC offset are wall-clock times in the kiosk's time zone,
 * so "09:00" means nine in the morning on both sides of a DST change; a
 * time with an offset ("09:00Z", "09:00-05:00") is taken at that offset.
 * closes_at earlier than opens_at runs past midnight into the next day, and
 * closes_at equal to opens_at means the whole day.
 *
 * valid_from and valid_to bound a row. On a given date only the rows that
 * cover it with the shortest validity are used, so a row for a holiday or a
 * season replaces the regular hours on its dates; such a row without
 * opens_at and closes_at closes the service.
 *
 * Which dates a row recurs on (freq, interval, byday and the other RRULE
 * parts) is libical's business: it knows RFC 5545 and we would only
 * approximate it. Its answers are cached per recurrence and date, because
 * thousands of services share a handful of distinct rules. */

/* The anchor for rules that name no start: a Monday, long before any
 * schedule a directory holds. A weekly rule with an interval of 1, the
 * common case, does not depend on it. */
#define DEFAULT_ANCHOR_YEAR 2000
#define DEFAULT_ANCHOR_MONTH 1
#define DEFAULT_ANCHOR_DAY 3

#define MINUTES_PER_DAY 1440
#define NO_TIME (-1)
#define LOCAL_TIME G_MININT
/* Answers are cached by day, a slot for each day modulo this: a search
 * asks about today for "open now", and "opens next" walks the next two
 * weeks and a day, each asking libical, whose iterator sets up an ICU
 * calendar for every day asked about. With a few slots that walk pushed
 * out the days before it, and was a fifth of what a search cost. */
#define CACHE_SLOTS 64
/* A COUNT rule is walked from its start; this bounds the walk. */
#define MAX_COUNT 10000

typedef struct _HavenScheduleRule Recurrence;

struct _HavenScheduleRule
{
  char *rule;
  struct icalrecurrencetype recur;
  guint32 start;

  /* Dates asked about, each in the slot of its day modulo CACHE_SLOTS
   * (0 for none yet), guarded by cache_lock. */
  guint32 cached_day[CACHE_SLOTS];
  gint8 cached_result[CACHE_SLOTS];
};

typedef struct {
  int opens;
  int closes;
  /* Minutes east of UTC, or LOCAL_TIME for the kiosk's wall clock. */
  int offset;
  /* Julian days; 0 leaves that end open. */
  guint32 valid_from;
  guint32 valid_to;
  /* NULL: every day. */
  Recurrence *recurrence;
} Row;

struct _HavenSchedule
{
  grefcount ref_count;
  GArray *rows;
};

G_DEFINE_BOXED_TYPE (HavenSchedule, haven_schedule, haven_schedule_ref, haven_schedule_unref)

G_DEFINE_QUARK (haven-schedule-error-quark, haven_schedule_error)

G_LOCK_DEFINE_STATIC (cache_lock);

static void
recurrence_free (gpointer data)
{
  Recurrence *recurrence = data;

  g_free (recurrence->rule);
}

static Recurrence *
recurrence_new (const char *rule,
                guint32     start)
{
  Recurrence *recurrence = g_atomic_rc_box_new0 (Recurrence);

  const HavenIcal *ical = haven_ical_get ();

  recurrence->rule = g_strdup (rule);
  if (ical != NULL)
    {
      recurrence->recur = ical->recurrencetype_from_string (rule);
    }
  else
    {
      /* Unusable, as a rule libical refuses is. */
      memset (&recurrence->recur, 0, sizeof recurrence->recur);
      recurrence->recur.freq = ICAL_NO_RECURRENCE;
    }
  recurrence->start = start;
  for (guint i = 0; i < CACHE_SLOTS; i++)
    recurrence->cached_day[i] = 0;

  return recurrence;
}

static void
recurrence_unref (Recurrence *recurrence)
{
  g_atomic_rc_box_release_full (recurrence, recurrence_free);
}

static void
row_clear (gpointer data)
{
  Row *row = data;

  g_clear_pointer (&row->recurrence, recurrence_unref);
}

HavenSchedule *
haven_schedule_new (void)
{
  HavenSchedule *self = g_new0 (HavenSchedule, 1);

  g_ref_count_init (&self->ref_count);
  self->rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (self->rows, row_clear);

  return self;
}

HavenSchedule *
haven_schedule_ref (HavenSchedule *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_ref_count_inc (&self->ref_count);
  return self;
}

void
haven_schedule_unref (HavenSchedule *self)
{
  g_return_if_fail (self != NULL);

  if (g_ref_count_dec (&self->ref_count))
    {
      g_array_unref (self->rows);
      g_free (self);
    }
}

guint
haven_schedule_get_n_rows (HavenSchedule *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->rows->len;
}

static gboolean
is_blank (const char *text)
{
  return text == NULL || text[0] == '\0';
}

static gboolean
parse_digits (const char **cursor,
              guint        n_digits,
              int         *value)
{
  int result = 0;

  for (guint i = 0; i < n_digits; i++)
    {
      if (!g_ascii_isdigit ((*cursor)[i]))
        return FALSE;
      result = result * 10 + ((*cursor)[i] - '0');
    }

  *cursor += n_digits;
  *value = result;
  return TRUE;
}

/* "09:00", "09:00:00", with an optional "Z", "+01:00", "+0100" or "+01". */
static gboolean
parse_time (const char *text,
            int        *minutes,
            int        *offset)
{
  const char *cursor = text;
  int hours, mins, seconds;

  if (!parse_digits (&cursor, 2, &hours) || *cursor++ != ':' ||
      !parse_digits (&cursor, 2, &mins))
    return FALSE;

  if (*cursor == ':')
    {
      cursor++;
      if (!parse_digits (&cursor, 2, &seconds) || seconds > 59)
        return FALSE;
      /* Fractions of a second say nothing about opening hours. */
      if (*cursor == '.')
        {
          cursor++;
          while (g_ascii_isdigit (*cursor))
            cursor++;
        }
    }

  if (mins > 59 || hours > 24 || (hours == 24 && mins != 0))
    return FALSE;
  *minutes = hours * 60 + mins;

  if (*cursor == '\0')
    {
      *offset = LOCAL_TIME;
      return TRUE;
    }

  if ((*cursor == 'Z' || *cursor == 'z') && cursor[1] == '\0')
    {
      *offset = 0;
      return TRUE;
    }

  if (*cursor == '+' || *cursor == '-')
    {
      int sign = *cursor == '-' ? -1 : 1;
      int offset_hours, offset_minutes = 0;

      cursor++;
      if (!parse_digits (&cursor, 2, &offset_hours) || offset_hours > 14)
        return FALSE;
      if (*cursor == ':')
        cursor++;
      if (*cursor != '\0' && (!parse_digits (&cursor, 2, &offset_minutes) || offset_minutes > 59))
        return FALSE;
      if (*cursor != '\0')
        return FALSE;

      *offset = sign * (offset_hours * 60 + offset_minutes);
      return TRUE;
    }

  return FALSE;
}

/* "2026-12-25", or the date part of an ISO 8601 date and time. */
static gboolean
parse_date (const char *text,
            guint32    *julian)
{
  const char *cursor = text;
  int year, month, day;
  GDate date;

  if (!parse_digits (&cursor, 4, &year) || *cursor++ != '-' ||
      !parse_digits (&cursor, 2, &month) || *cursor++ != '-' ||
      !parse_digits (&cursor, 2, &day))
    return FALSE;
  if (*cursor != '\0' && *cursor != 'T' && *cursor != ' ')
    return FALSE;
  if (!haven_check_date (year, month, day))
    return FALSE;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day, month, year);
  *julian = g_date_get_julian (&date);
  return TRUE;
}

static gboolean
parse_positive (const char *text,
                guint64     max,
                guint64    *value)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  gsize length = strlen (copy);

  /* JSON numbers may arrive as "2.0". */
  if (length > 2 && g_str_has_suffix (copy, ".0"))
    copy[length - 2] = '\0';

  return g_ascii_string_to_unsigned (copy, 10, 1, max, value, NULL);
}

static gboolean
is_weekday (const char *text)
{
  static const char *const days[] = { "MO", "TU", "WE", "TH", "FR", "SA", "SU" };

  for (gsize i = 0; i < G_N_ELEMENTS (days); i++)
    {
      if (g_ascii_strcasecmp (text, days[i]) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Normalises a comma-separated RRULE list, checking each item: "2MO" and
 * "-1FR" for byday, signed numbers within ±@limit otherwise. Returns NULL
 * when an item is wrong. */
static char *
normalise_list (const char *text,
                gboolean    weekdays,
                int         limit)
{
  g_auto(GStrv) items = g_strsplit (text, ",", -1);
  g_autoptr(GString) result = g_string_new (NULL);

  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);
      const char *cursor = item;
      gboolean negative = FALSE;
      int number = 0;
      guint n_digits = 0;

      if (*cursor == '+' || *cursor == '-')
        negative = *cursor++ == '-';
      while (g_ascii_isdigit (cursor[n_digits]) && n_digits < 3)
        {
          number = number * 10 + (cursor[n_digits] - '0');
          n_digits++;
        }
      cursor += n_digits;

      if (weekdays)
        {
          if (!is_weekday (cursor) || (n_digits > 0 && (number < 1 || number > 53)) ||
              (n_digits == 0 && item != cursor))
            return NULL;
        }
      else if (n_digits == 0 || *cursor != '\0' || number < 1 || number > limit)
        {
          return NULL;
        }

      if (result->len > 0)
        g_string_append_c (result, ',');
      g_string_append (result, negative ? "-" : "");
      if (n_digits > 0)
        g_string_append_printf (result, "%d", number);
      if (weekdays)
        {
          g_autofree char *day = g_ascii_strup (cursor, -1);

          g_string_append (result, day);
        }
    }

  if (result->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&result), FALSE);
}

/* Whether a normalised byday list gives any day a position ("2MO"). */
static gboolean
has_positions (const char *byday)
{
  return strpbrk (byday, "0123456789") != NULL;
}

/* The largest position, ignoring its sign, in a normalised byday list. */
static int
largest_position (const char *byday)
{
  int largest = 0;

  for (const char *p = byday; *p != '\0'; p++)
    {
      int number = 0;

      if (!g_ascii_isdigit (*p))
        continue;
      while (g_ascii_isdigit (*p))
        number = number * 10 + (*p++ - '0');
      largest = MAX (largest, number);
      p--;
    }

  return largest;
}

static void
julian_to_ical (guint32              julian,
                struct icaltimetype *time)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_julian (&date, julian);

  /* A date, as icaltime_null_date() makes one, but at midnight: its time
   * of -1 sends libical's iterator into an endless loop. */
  memset (time, 0, sizeof *time);
  time->is_date = 1;
  time->year = g_date_get_year (&date);
  time->month = g_date_get_month (&date);
  time->day = g_date_get_day (&date);
}

static guint32
ical_to_julian (const struct icaltimetype *time)
{
  GDate date;

  if (!g_date_valid_dmy (time->day, time->month, time->year))
    return 0;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, time->day, time->month, time->year);
  return g_date_get_julian (&date);
}

static guint32
default_anchor (void)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, DEFAULT_ANCHOR_DAY, DEFAULT_ANCHOR_MONTH, DEFAULT_ANCHOR_YEAR);
  return g_date_get_julian (&date);
}

static gboolean
invalid (GError     **error,
         const char  *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError     **error,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, HAVEN_SCHEDULE_ERROR, HAVEN_SCHEDULE_ERROR_INVALID, message);
  return FALSE;
}

/* Builds the RRULE for a row, or sets *rule to NULL for "every day". */
static gboolean
build_rule (const HavenScheduleRow  *fields,
            guint32                  valid_from,
            char                   **rule,
            guint32                 *start,
            GError                 **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *freq = NULL;
  g_autofree char *byday = NULL;
  g_autofree char *bymonthday = NULL;
  g_autofree char *byweekno = NULL;
  g_autofree char *byyearday = NULL;
  guint64 interval = 1;
  guint64 count = 0;
  guint32 dtstart = 0;

  *rule = NULL;
  *start = 0;

  if (!is_blank (fields->byday) && (byday = normalise_list (fields->byday, TRUE, 0)) == NULL)
    return invalid (error, _("byday “%s” is not a list of days such as MO,TU or 2MO"),
                    fields->byday);
  if (!is_blank (fields->bymonthday) &&
      (bymonthday = normalise_list (fields->bymonthday, FALSE, 31)) == NULL)
    return invalid (error, _("bymonthday “%s” is not a list of days of the month"),
                    fields->bymonthday);
  if (!is_blank (fields->byweekno) &&
      (byweekno = normalise_list (fields->byweekno, FALSE, 53)) == NULL)
    return invalid (error, _("byweekno “%s” is not a list of week numbers"), fields->byweekno);
  if (!is_blank (fields->byyearday) &&
      (byyearday = normalise_list (fields->byyearday, FALSE, 366)) == NULL)
    return invalid (error, _("byyearday “%s” is not a list of days of the year"),
                    fields->byyearday);

  if (!is_blank (fields->freq))
    {
      freq = g_ascii_strup (fields->freq, -1);
      g_strstrip (freq);
      if (!g_str_equal (freq, "DAILY") && !g_str_equal (freq, "WEEKLY") &&
          !g_str_equal (freq, "MONTHLY") && !g_str_equal (freq, "YEARLY"))
        return invalid (error, _("freq “%s” is not WEEKLY, MONTHLY, DAILY or YEARLY"),
                        fields->freq);
    }
  else if (byyearday != NULL || byweekno != NULL)
    freq = g_strdup ("YEARLY");
  else if (bymonthday != NULL)
    freq = g_strdup ("MONTHLY");
  else if (byday != NULL)
    /* "1TH" alone is the first Thursday of each month. */
    freq = g_strdup (has_positions (byday) ? "MONTHLY" : "WEEKLY");

  if (!is_blank (fields->interval) && !parse_positive (fields->interval, 1000, &interval))
    return invalid (error, _("interval “%s” is not a whole number from 1"), fields->interval);
  if (!is_blank (fields->count) && !parse_positive (fields->count, MAX_COUNT, &count))
    return invalid (error, _("count “%s” is not a whole number from 1 to %d"),
                    fields->count, MAX_COUNT);
  if (!is_blank (fields->dtstart) && !parse_date (fields->dtstart, &dtstart))
    return invalid (error, _("dtstart “%s” is not a date such as 2026-01-31"), fields->dtstart);
  if (!is_blank (fields->wkst))
    {
      g_autofree char *wkst = g_strstrip (g_strdup (fields->wkst));

      if (!is_weekday (wkst))
        return invalid (error, _("wkst “%s” is not a day such as MO"), fields->wkst);
    }

  if (freq == NULL)
    {
      if (interval > 1 || count > 0 || !is_blank (fields->until))
        return invalid (error, _("interval, count and until need freq or byday"));
      return TRUE;
    }

  /* Days with a position ("2MO") as RFC 5545 allows them, and not beside
   * the other day parts: "the 6th Friday" or "the first Monday that is
   * the 8th" is no day at all, and libical looks for one through six
   * centuries before it gives up, seconds for each such rule (found by
   * tests/fuzz/fuzz-schedule). */
  if (byday != NULL && has_positions (byday))
    {
      gboolean monthly = g_str_equal (freq, "MONTHLY");

      if ((!monthly && !g_str_equal (freq, "YEARLY")) ||
          (monthly && largest_position (byday) > 5))
        return invalid (error, _("byday “%s” numbers its days (as in 2MO), which needs freq "
                                 "MONTHLY (up to 5) or YEARLY"), fields->byday);
      if (bymonthday != NULL || byyearday != NULL || byweekno != NULL)
        return invalid (error, _("byday “%s” numbers its days (as in 2MO), which cannot go "
                                 "with bymonthday, byyearday or byweekno"), fields->byday);
    }

  if (dtstart == 0)
    dtstart = valid_from;
  if (dtstart == 0 && (interval > 1 || count > 0))
    return invalid (error, _("interval and count need dtstart (the date of the first day)"));
  if (dtstart == 0)
    dtstart = default_anchor ();

  g_string_append_printf (text, "FREQ=%s", freq);
  if (interval > 1)
    g_string_append_printf (text, ";INTERVAL=%" G_GUINT64_FORMAT, interval);
  if (count > 0)
    g_string_append_printf (text, ";COUNT=%" G_GUINT64_FORMAT, count);
  if (!is_blank (fields->until))
    {
      guint32 until;
      struct icaltimetype time;

      if (!parse_date (fields->until, &until))
        return invalid (error, _("until “%s” is not a date such as 2026-01-31"), fields->until);
      julian_to_ical (until, &time);
      g_string_append_printf (text, ";UNTIL=%04d%02d%02d", time.year, time.month, time.day);
    }
  if (byday != NULL)
    g_string_append_printf (text, ";BYDAY=%s", byday);
  if (bymonthday != NULL)
    g_string_append_printf (text, ";BYMONTHDAY=%s", bymonthday);
  if (byweekno != NULL)
    g_string_append_printf (text, ";BYWEEKNO=%s", byweekno);
  if (byyearday != NULL)
    g_string_append_printf (text, ";BYYEARDAY=%s", byyearday);
  if (!is_blank (fields->wkst))
    {
      g_autofree char *wkst = g_ascii_strup (fields->wkst, -1);

      g_string_append_printf (text, ";WKST=%s", g_strstrip (wkst));
    }

  *rule = g_string_free (g_steal_pointer (&text), FALSE);
  *start = dtstart;
  return TRUE;
}

G_LOCK_DEFINE_STATIC (usable_lock);

static gboolean
recurrence_is_usable (Recurrence *recurrence)
{
  /* Rules libical has accepted. Making an iterator sets up an ICU
   * calendar, which is slow, and a directory repeats a few rules. */
  static GHashTable *usable;
  const HavenIcal *ical = haven_ical_get ();
  struct icaltimetype start;
  icalrecur_iterator *iterator;
  gboolean known;

  if (ical == NULL || recurrence->recur.freq == ICAL_NO_RECURRENCE)
    return FALSE;

  G_LOCK (usable_lock);
  if (usable == NULL)
    usable = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  known = g_hash_table_contains (usable, recurrence->rule);
  G_UNLOCK (usable_lock);
  if (known)
    return TRUE;

  julian_to_ical (recurrence->start, &start);
  iterator = ical->recur_iterator_new (recurrence->recur, start);
  if (iterator == NULL)
    return FALSE;
  ical->recur_iterator_free (iterator);

  G_LOCK (usable_lock);
  /* Bounded: an odd directory must not make this grow without end. */
  if (g_hash_table_size (usable) < 4096)
    g_hash_table_add (usable, g_strdup (recurrence->rule));
  G_UNLOCK (usable_lock);

  return TRUE;
}

/**
 * haven_schedule_new_recurrence_table:
 *
 * Returns: (transfer full): a table for haven_schedule_deserialize() that
 *   lets schedules with the same rule share it, and its cached answers.
 */
GHashTable *
haven_schedule_new_recurrence_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) recurrence_unref);
}

/**
 * haven_schedule_add_row:
 * @row: one HSDS schedule row
 *
 * Checks @row and adds it. The error names the field that is wrong.
 */
gboolean
haven_schedule_add_row (HavenSchedule          *self,
                        const HavenScheduleRow *fields,
                        GError                **error)
{
  Row row = { NO_TIME, NO_TIME, LOCAL_TIME, 0, 0, NULL };
  g_autofree char *rule = NULL;
  guint32 start = 0;
  int closes_offset = LOCAL_TIME;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (fields != NULL, FALSE);

  if (!is_blank (fields->opens_at) && !parse_time (fields->opens_at, &row.opens, &row.offset))
    return invalid (error, _("opens_at “%s” is not a time such as 09:00 or 09:00+01:00"),
                    fields->opens_at);
  if (!is_blank (fields->closes_at) &&
      !parse_time (fields->closes_at, &row.closes, &closes_offset))
    return invalid (error, _("closes_at “%s” is not a time such as 17:30 or 17:30+01:00"),
                    fields->closes_at);
  if ((row.opens == NO_TIME) != (row.closes == NO_TIME))
    return invalid (error, _("opens_at and closes_at must be given together"));
  if (row.opens != NO_TIME && closes_offset != row.offset)
    return invalid (error, _("opens_at and closes_at are in different time zones"));
  if (row.opens == MINUTES_PER_DAY)
    return invalid (error, _("opens_at cannot be 24:00"));
  /* Directories write "23:59" for "until midnight". */
  if (row.closes == MINUTES_PER_DAY - 1 || (row.closes == 0 && row.opens > 0))
    row.closes = MINUTES_PER_DAY;

  if (!is_blank (fields->valid_from) && !parse_date (fields->valid_from, &row.valid_from))
    return invalid (error, _("valid_from “%s” is not a date such as 2026-01-31"),
                    fields->valid_from);
  if (!is_blank (fields->valid_to) && !parse_date (fields->valid_to, &row.valid_to))
    return invalid (error, _("valid_to “%s” is not a date such as 2026-01-31"),
                    fields->valid_to);
  if (row.valid_from != 0 && row.valid_to != 0 && row.valid_to < row.valid_from)
    return invalid (error, _("valid_to %s is before valid_from %s"),
                    fields->valid_to, fields->valid_from);

  if (!build_rule (fields, row.valid_from, &rule, &start, error))
    return FALSE;

  if (rule != NULL)
    {
      row.recurrence = recurrence_new (rule, start);
      if (!recurrence_is_usable (row.recurrence))
        {
          recurrence_unref (row.recurrence);
          return invalid (error, _("the recurrence %s is not one libical accepts"), rule);
        }
    }

  g_array_append_val (self->rows, row);
  return TRUE;
}

/**
 * haven_schedule_serialize:
 *
 * Returns: (transfer full): the schedule as compact text, one line a row,
 *   for haven_schedule_deserialize(); "" for a schedule without rows
 */
char *
haven_schedule_serialize (HavenSchedule *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->rows->len; i++)
    {
      const Row *row = &g_array_index (self->rows, Row, i);

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, "%d\t%d\t", row->opens, row->closes);
      if (row->offset == LOCAL_TIME)
        g_string_append_c (text, 'L');
      else
        g_string_append_printf (text, "%d", row->offset);
      g_string_append_printf (text, "\t%u\t%u\t%u\t%s", row->valid_from, row->valid_to,
                              row->recurrence != NULL ? row->recurrence->start : 0,
                              row->recurrence != NULL ? row->recurrence->rule : "");
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* One of the numbers of a stored row, from @start to @end (not
 * terminated): at most 20 characters, as g_ascii_string_to_signed()
 * reads them. */
static gboolean
parse_int_field (const char *start,
                 const char *end,
                 gint64      min,
                 gint64      max,
                 gint64     *value)
{
  char number[24];
  gsize length = end - start;

  if (length == 0 || length >= sizeof number)
    return FALSE;
  memcpy (number, start, length);
  number[length] = '\0';

  return g_ascii_string_to_signed (number, 10, min, max, value, NULL);
}

/* One line of haven_schedule_serialize()'s text, from @line to
 * @line_end: seven fields, the last (the rule, from *@rule to
 * *@rule_end, perhaps empty) taking any further tabs. */
static gboolean
parse_stored_line (const char             *line,
                   const char             *line_end,
                   HavenScheduleStoredRow *row,
                   const char            **rule,
                   const char            **rule_end,
                   guint32                *start)
{
  const char *fields[7];
  const char *ends[7];
  const char *cursor = line;
  gint64 opens, closes, offset = LOCAL_TIME, valid_from, valid_to, day;
  guint n_fields = 0;

  while (n_fields < 7)
    {
      const char *tab = n_fields < 6 ? memchr (cursor, '\t', line_end - cursor) : NULL;

      fields[n_fields] = cursor;
      ends[n_fields] = tab != NULL ? tab : line_end;
      n_fields++;
      if (tab == NULL)
        break;
      cursor = tab + 1;
    }

  if (n_fields != 7 ||
      !parse_int_field (fields[0], ends[0], NO_TIME, MINUTES_PER_DAY, &opens) ||
      !parse_int_field (fields[1], ends[1], NO_TIME, MINUTES_PER_DAY, &closes) ||
      (!(ends[2] - fields[2] == 1 && fields[2][0] == 'L') &&
       !parse_int_field (fields[2], ends[2], -900, 900, &offset)) ||
      !parse_int_field (fields[3], ends[3], 0, G_MAXUINT32, &valid_from) ||
      !parse_int_field (fields[4], ends[4], 0, G_MAXUINT32, &valid_to) ||
      !parse_int_field (fields[5], ends[5], 0, G_MAXUINT32, &day))
    return FALSE;

  row->opens = opens;
  row->closes = closes;
  row->offset = offset;
  row->valid_from = valid_from;
  row->valid_to = valid_to;
  row->rule = 0;
  *rule = fields[6];
  *rule_end = ends[6];
  *start = day;
  return TRUE;
}

/* The recurrence of @rule (up to @rule_end) from @start, shared through
 * @recurrences (keyed "rule|start") when there is one. */
static Recurrence *
lookup_recurrence (GHashTable *recurrences,
                   GString    *key,
                   const char *rule,
                   const char *rule_end,
                   guint32     start)
{
  Recurrence *recurrence;
  gsize rule_length = rule_end - rule;
  char digits[16];
  int n_digits = 0;
  guint32 rest = start;

  g_string_truncate (key, 0);
  g_string_append_len (key, rule, rule_length);
  if (recurrences == NULL)
    return recurrence_new (key->str, start);

  g_string_append_c (key, '|');
  do
    {
      digits[n_digits++] = '0' + rest % 10;
      rest /= 10;
    }
  while (rest > 0);
  while (n_digits > 0)
    g_string_append_c (key, digits[--n_digits]);

  recurrence = g_hash_table_lookup (recurrences, key->str);
  if (recurrence == NULL)
    {
      g_autofree char *rule_only = g_strndup (rule, rule_length);

      recurrence = recurrence_new (rule_only, start);
      g_hash_table_insert (recurrences, g_strdup (key->str), recurrence);
    }

  return g_atomic_rc_box_acquire (recurrence);
}

/**
 * haven_schedule_deserialize:
 * @text: what haven_schedule_serialize() wrote
 * @recurrences: (nullable): from haven_schedule_new_recurrence_table(), to
 *   share rules between schedules
 *
 * A kiosk parses a schedule when a search first needs it, and a search
 * for services open now may need hundreds at once: the text is read in
 * place, with no copy of each line and field.
 */
HavenSchedule *
haven_schedule_deserialize (const char  *text,
                            GHashTable  *recurrences,
                            GError     **error)
{
  g_autoptr(HavenSchedule) self = haven_schedule_new ();
  g_autoptr(GString) key = NULL;
  const char *line;

  g_return_val_if_fail (text != NULL, NULL);

  if (text[0] == '\0')
    return g_steal_pointer (&self);

  key = g_string_new (NULL);
  for (line = text; line != NULL;)
    {
      const char *line_end = strchr (line, '\n');
      Row row = { NO_TIME, NO_TIME, LOCAL_TIME, 0, 0, NULL };
      HavenScheduleStoredRow stored;
      const char *rule, *rule_end;
      guint32 start;

      if (line_end == NULL)
        line_end = line + strlen (line);
      if (!parse_stored_line (line, line_end, &stored, &rule, &rule_end, &start))
        return invalid (error, _("The stored schedule is damaged")), NULL;

      row.opens = stored.opens;
      row.closes = stored.closes;
      row.offset = stored.offset;
      row.valid_from = stored.valid_from;
      row.valid_to = stored.valid_to;
      if (rule_end > rule)
        row.recurrence = lookup_recurrence (recurrences, key, rule, rule_end, start);

      g_array_append_val (self->rows, row);
      line = *line_end == '\n' ? line_end + 1 : NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * haven_schedule_text_to_rows:
 * @text: what haven_schedule_serialize() wrote
 * @rows: (element-type HavenScheduleStoredRow): where to append its rows
 * @intern_rule: gives the number (from 1) under which a store keeps a
 *   rule and the day it starts from, for haven_schedule_new_from_rows()
 *
 * The stored form of a schedule in numbers, which a store can keep in
 * binary and turn back into the schedule with no text to read.
 */
gboolean
haven_schedule_text_to_rows (const char               *text,
                             GArray                   *rows,
                             HavenScheduleInternRule   intern_rule,
                             gpointer                  user_data,
                             GError                  **error)
{
  g_autoptr(GString) rule_text = g_string_new (NULL);

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (rows != NULL, FALSE);
  g_return_val_if_fail (intern_rule != NULL, FALSE);

  for (const char *line = text; text[0] != '\0' && line != NULL;)
    {
      const char *line_end = strchr (line, '\n');
      HavenScheduleStoredRow stored;
      const char *rule, *rule_end;
      guint32 start;

      if (line_end == NULL)
        line_end = line + strlen (line);
      if (!parse_stored_line (line, line_end, &stored, &rule, &rule_end, &start))
        return invalid (error, _("The stored schedule is damaged"));

      if (rule_end > rule)
        {
          g_string_truncate (rule_text, 0);
          g_string_append_len (rule_text, rule, rule_end - rule);
          stored.rule = intern_rule (rule_text->str, start, user_data);
        }

      g_array_append_val (rows, stored);
      line = *line_end == '\n' ? line_end + 1 : NULL;
    }

  return TRUE;
}

/**
 * haven_schedule_new_from_rows:
 * @rows: (array length=n_rows): rows from haven_schedule_text_to_rows()
 * @rules: (element-type HavenScheduleRule): the rules, numbered from 1 as
 *   @rows names them
 *
 * Returns: (transfer full) (nullable): the schedule, or %NULL when a row
 *   is not one haven_schedule_text_to_rows() makes (a damaged store)
 */
HavenSchedule *
haven_schedule_new_from_rows (const HavenScheduleStoredRow *rows,
                              guint                         n_rows,
                              GPtrArray                    *rules)
{
  g_autoptr(HavenSchedule) self = haven_schedule_new ();

  g_return_val_if_fail (rows != NULL || n_rows == 0, NULL);
  g_return_val_if_fail (rules != NULL, NULL);

  g_array_set_size (self->rows, n_rows);
  for (guint i = 0; i < n_rows; i++)
    {
      const HavenScheduleStoredRow *stored = &rows[i];
      Row *row = &g_array_index (self->rows, Row, i);

      if (stored->opens < NO_TIME || stored->opens > MINUTES_PER_DAY ||
          stored->closes < NO_TIME || stored->closes > MINUTES_PER_DAY ||
          (stored->offset != LOCAL_TIME && (stored->offset < -900 || stored->offset > 900)) ||
          stored->rule > rules->len)
        return NULL;

      row->opens = stored->opens;
      row->closes = stored->closes;
      row->offset = stored->offset;
      row->valid_from = stored->valid_from;
      row->valid_to = stored->valid_to;
      row->recurrence = stored->rule > 0
                          ? g_atomic_rc_box_acquire (g_ptr_array_index (rules, stored->rule - 1))
                          : NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * haven_schedule_rule_new:
 * @rule: an RRULE, as a row of haven_schedule_serialize()'s text holds it
 * @start: the Julian day it counts from
 *
 * Returns: (transfer full): the rule, for haven_schedule_new_from_rows():
 *   schedules made with the same one share it, and its cached answers
 */
HavenScheduleRule *
haven_schedule_rule_new (const char *rule,
                         guint32     start)
{
  g_return_val_if_fail (rule != NULL, NULL);

  return recurrence_new (rule, start);
}

void
haven_schedule_rule_unref (HavenScheduleRule *rule)
{
  g_return_if_fail (rule != NULL);

  recurrence_unref (rule);
}

static gboolean
recurrence_compute (Recurrence *recurrence,
                    guint32     day)
{
  const HavenIcal *ical = haven_ical_get ();
  struct icaltimetype start, target, next;
  icalrecur_iterator *iterator;
  gboolean result = FALSE;

  if (ical == NULL || day < recurrence->start)
    return FALSE;

  julian_to_ical (recurrence->start, &start);
  julian_to_ical (day, &target);

  iterator = ical->recur_iterator_new (recurrence->recur, start);
  if (iterator == NULL)
    return FALSE;

  if (recurrence->recur.count == 0)
    {
      if (ical->recur_iterator_set_start (iterator, target))
        {
          next = ical->recur_iterator_next (iterator);
          result = !ical->time_is_null_time (next) && ical_to_julian (&next) == day;
        }
    }
  else
    {
      /* set_start cannot be used with COUNT: walk from the start. */
      for (guint i = 0; i <= MAX_COUNT; i++)
        {
          guint32 julian;

          next = ical->recur_iterator_next (iterator);
          if (ical->time_is_null_time (next))
            break;

          julian = ical_to_julian (&next);
          if (julian >= day)
            {
              result = julian == day;
              break;
            }
        }
    }

  ical->recur_iterator_free (iterator);
  return result;
}

static gboolean
recurrence_includes (Recurrence *recurrence,
                     guint32     day)
{
  guint slot = day % CACHE_SLOTS;
  gboolean result;

  G_LOCK (cache_lock);
  if (recurrence->cached_day[slot] == day)
    {
      result = recurrence->cached_result[slot];
      G_UNLOCK (cache_lock);
      return result;
    }
  G_UNLOCK (cache_lock);

  result = recurrence_compute (recurrence, day);

  G_LOCK (cache_lock);
  recurrence->cached_day[slot] = day;
  recurrence->cached_result[slot] = result;
  G_UNLOCK (cache_lock);

  return result;
}

static gboolean
row_covers (const Row *row,
            guint32    day)
{
  return (row->valid_from == 0 || day >= row->valid_from) &&
         (row->valid_to == 0 || day <= row->valid_to);
}

/* How much of the calendar a row claims: the smaller, the more specific. */
static guint64
row_span (const Row *row)
{
  if (row->valid_from != 0 && row->valid_to != 0)
    return row->valid_to - row->valid_from;
  if (row->valid_from != 0)
    return G_GUINT64_CONSTANT (0x100000000) + (G_MAXUINT32 - row->valid_from);
  if (row->valid_to != 0)
    return G_GUINT64_CONSTANT (0x100000000) + row->valid_to;

  return G_GUINT64_CONSTANT (0x300000000);
}

static gboolean
row_applies_on (HavenSchedule *self,
                const Row     *row,
                guint32        day)
{
  guint64 span;

  if (!row_covers (row, day))
    return FALSE;

  span = row_span (row);
  for (guint i = 0; i < self->rows->len; i++)
    {
      const Row *other = &g_array_index (self->rows, Row, i);

      if (other != row && row_covers (other, day) && row_span (other) < span)
        return FALSE;
    }

  return TRUE;
}

/* The Julian day of 1 January 1970, where Unix time counts from. */
static gsize
unix_epoch_julian_day (void)
{
  static gsize epoch_julian;

  if (g_once_init_enter (&epoch_julian))
    {
      GDate date;

      g_date_clear (&date, 1);
      g_date_set_dmy (&date, 1, 1, 1970);
      g_once_init_leave (&epoch_julian, g_date_get_julian (&date));
    }

  return epoch_julian;
}

static void
local_moment (const Row               *row,
              const HavenScheduleTime *time,
              guint32                 *day,
              int                     *minute)
{
  gsize epoch_julian;
  gint64 seconds;

  if (row->offset == LOCAL_TIME)
    {
      *day = time->local_day;
      *minute = time->local_minute;
      return;
    }

  epoch_julian = unix_epoch_julian_day ();

  seconds = time->unix_time + (gint64) row->offset * 60;
  *day = epoch_julian + (guint32) (seconds / 86400 - (seconds % 86400 < 0 ? 1 : 0));
  *minute = (int) (((seconds % 86400) + 86400) % 86400 / 60);
}

static int
row_end (const Row *row)
{
  return row->closes > row->opens ? row->closes : row->closes + MINUTES_PER_DAY;
}

/**
 * haven_schedule_is_open:
 * @time: the moment, from haven_schedule_time_init()
 *
 * Returns: %TRUE when a row has the service open at @time, counting a
 *   night that began the day before
 */
gboolean
haven_schedule_is_open (HavenSchedule           *self,
                        const HavenScheduleTime *time)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (time != NULL, FALSE);

  for (guint i = 0; i < self->rows->len; i++)
    {
      const Row *row = &g_array_index (self->rows, Row, i);
      guint32 day;
      int minute;

      if (row->opens == NO_TIME)
        continue;

      local_moment (row, time, &day, &minute);
      for (guint back = 0; back <= 1; back++)
        {
          int moment = minute + back * MINUTES_PER_DAY;

          if (moment < row->opens || moment >= row_end (row))
            continue;
          if (!row_applies_on (self, row, day - back))
            continue;
          if (row->recurrence == NULL || recurrence_includes (row->recurrence, day - back))
            return TRUE;
        }
    }

  return FALSE;
}

/* The weekdays (bit 0 Monday) a plain weekly or daily rule falls on, or 0
 * when the rule is anything else. */
static guint
plain_weekdays (const Row *row)
{
  const HavenIcal *ical;
  const struct icalrecurrencetype *recur;
  guint days = 0;

  if (row->recurrence == NULL)
    return 0x7f;

  ical = haven_ical_get ();
  recur = &row->recurrence->recur;
  if (ical == NULL || recur->freq == ICAL_NO_RECURRENCE)
    return 0;
  if (recur->interval > 1 || recur->count > 0 || !ical->time_is_null_time (recur->until) ||
      recur->by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
      recur->by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
      recur->by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX ||
      recur->by_month[0] != ICAL_RECURRENCE_ARRAY_MAX)
    return 0;

  if (recur->freq == ICAL_DAILY_RECURRENCE && recur->by_day[0] == ICAL_RECURRENCE_ARRAY_MAX)
    return 0x7f;
  if (recur->freq != ICAL_WEEKLY_RECURRENCE && recur->freq != ICAL_DAILY_RECURRENCE)
    return 0;

  for (guint i = 0; i < ICAL_BY_DAY_SIZE && recur->by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
    {
      int weekday = ical->recurrencetype_day_day_of_week (recur->by_day[i]);

      if (ical->recurrencetype_day_position (recur->by_day[i]) != 0)
        return 0;
      /* libical counts from Sunday = 1. */
      days |= 1u << ((weekday + 5) % 7);
    }

  return days;
}

/**
 * haven_schedule_is_always_open:
 *
 * Returns: %TRUE when the regular rows (those without valid_from or
 *   valid_to) keep the service open all day on every day of the week
 */
gboolean
haven_schedule_is_always_open (HavenSchedule *self)
{
  guint days = 0;

  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->rows->len; i++)
    {
      const Row *row = &g_array_index (self->rows, Row, i);

      if (row->opens == NO_TIME || row->valid_from != 0 || row->valid_to != 0)
        continue;
      if (row->opens != row->closes && !(row->opens == 0 && row->closes == MINUTES_PER_DAY))
        continue;

      days |= plain_weekdays (row);
    }

  /* A dated row (a holiday) may close it, but that is an exception, not
   * the service's nature. */
  return days == 0x7f;
}

static int
compare_rows_by_opening (gconstpointer a,
                         gconstpointer b)
{
  const Row *row_a = *(const Row **) a;
  const Row *row_b = *(const Row **) b;

  return row_a->opens - row_b->opens;
}

static void
append_time (GString *text,
             int      minutes)
{
  g_string_append_printf (text, "%02d:%02d", minutes / 60, minutes % 60);
}

/**
 * haven_schedule_describe_day:
 * @time: a moment on the day to describe
 *
 * Returns: (transfer full) (nullable): the hours of that day, such as
 *   "09:00–12:30, 13:30–17:00", "Open 24 hours" or "Closed today"; %NULL
 *   when the schedule has no rows at all
 */
char *
haven_schedule_describe_day (HavenSchedule           *self,
                             const HavenScheduleTime *time)
{
  g_autoptr(GPtrArray) today = g_ptr_array_new ();
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (time != NULL, NULL);

  if (self->rows->len == 0)
    return NULL;

  for (guint i = 0; i < self->rows->len; i++)
    {
      const Row *row = &g_array_index (self->rows, Row, i);
      guint32 day;
      int minute;

      if (row->opens == NO_TIME)
        continue;

      local_moment (row, time, &day, &minute);
      if (!row_applies_on (self, row, day))
        continue;
      if (row->recurrence != NULL && !recurrence_includes (row->recurrence, day))
        continue;

      if (row->opens == row->closes || (row->opens == 0 && row->closes == MINUTES_PER_DAY))
        return g_strdup (_("Open 24 hours"));

      g_ptr_array_add (today, (gpointer) row);
    }

  if (today->len == 0)
    return g_strdup (_("Closed today"));

  g_ptr_array_sort (today, compare_rows_by_opening);
  for (guint i = 0; i < today->len; i++)
    {
      const Row *row = g_ptr_array_index (today, i);

      if (i > 0)
        g_string_append (text, ", ");
      append_time (text, row->opens);
      /* An en dash between the times, as in "09:00–17:00". */
      g_string_append (text, "–");
      append_time (text, row->closes);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* How far ahead "opens next" looks: two weeks and a day, so that a
 * service open one day every other week is found. */
#define NEXT_OPENING_DAYS 15

/* The local moment a row opens on @day (its own calendar's day), as a
 * Julian day and minute of the kiosk's wall clock. A row with a UTC offset
 * is moved by the difference between it and the kiosk's offset at @time:
 * close enough for a week ahead. */
static void
row_opening_local (const Row               *row,
                   const HavenScheduleTime *time,
                   guint32                  day,
                   guint32                 *local_day,
                   int                     *local_minute)
{
  gsize epoch_julian;
  gint64 local_offset;
  gint64 minutes;

  if (row->offset == LOCAL_TIME)
    {
      *local_day = day;
      *local_minute = row->opens;
      return;
    }

  epoch_julian = unix_epoch_julian_day ();

  local_offset = (((gint64) time->local_day - (gint64) epoch_julian) * 86400 +
                  (gint64) time->local_minute * 60 - time->unix_time) / 60;
  /* Minutes since the epoch, on the kiosk's wall clock. */
  minutes = ((gint64) day - (gint64) epoch_julian) * MINUTES_PER_DAY + row->opens -
            row->offset + local_offset;
  *local_day = (guint32) ((gint64) epoch_julian + minutes / MINUTES_PER_DAY -
                          (minutes % MINUTES_PER_DAY < 0 ? 1 : 0));
  *local_minute = (int) (((minutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY);
}

/**
 * haven_schedule_next_opening:
 * @time: the moment after which to look, from haven_schedule_time_init()
 * @day: (out) (optional): the Julian day it opens, on the kiosk's calendar
 * @minute: (out) (optional): the minute of that day it opens
 *
 * Finds when the service next opens after @time, within two weeks and a
 * day.
 *
 * Returns: %TRUE when it opens in that time
 */
gboolean
haven_schedule_next_opening (HavenSchedule           *self,
                             const HavenScheduleTime *time,
                             guint32                 *day,
                             int                     *minute)
{
  guint32 best_day = G_MAXUINT32;
  int best_minute = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (time != NULL, FALSE);

  for (guint i = 0; i < self->rows->len; i++)
    {
      const Row *row = &g_array_index (self->rows, Row, i);
      guint32 row_today;
      int row_minute;

      if (row->opens == NO_TIME)
        continue;

      local_moment (row, time, &row_today, &row_minute);
      /* The day before too: a row with an offset may open today on the
       * kiosk's calendar from yesterday on its own. */
      for (guint32 row_day = row_today - 1; row_day <= row_today + NEXT_OPENING_DAYS; row_day++)
        {
          guint32 local_day;
          int local_minute;

          row_opening_local (row, time, row_day, &local_day, &local_minute);
          if (local_day < time->local_day ||
              (local_day == time->local_day && local_minute <= time->local_minute) ||
              local_day > best_day || (local_day == best_day && local_minute >= best_minute))
            continue;
          if (!row_applies_on (self, row, row_day))
            continue;
          if (row->recurrence != NULL && !recurrence_includes (row->recurrence, row_day))
            continue;

          best_day = local_day;
          best_minute = local_minute;
          /* Later days of this row open later. */
          break;
        }
    }

  if (best_day == G_MAXUINT32 || best_day > time->local_day + NEXT_OPENING_DAYS)
    return FALSE;

  if (day != NULL)
    *day = best_day;
  if (minute != NULL)
    *minute = best_minute;
  return TRUE;
}

/**
 * haven_schedule_describe_next_opening:
 * @time: the moment after which to look
 *
 * Returns: (transfer full) (nullable): when the service opens next, as a
 *   visitor reads it in the current language: "Opens today at 13:30",
 *   "Opens tomorrow at 09:00", "Opens Monday at 09:00"; %NULL when it
 *   does not open within two weeks and a day
 */
char *
haven_schedule_describe_next_opening (HavenSchedule           *self,
                                      const HavenScheduleTime *time)
{
  g_autofree char *at = NULL;
  guint32 day;
  int minute;
  GDate date;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (time != NULL, NULL);

  if (!haven_schedule_next_opening (self, time, &day, &minute))
    return NULL;

  at = g_strdup_printf ("%02d:%02d", minute / 60, minute % 60);
  if (day == time->local_day)
    /* Translators: %s is a time such as 13:30. */
    return g_strdup_printf (_("Opens today at %s"), at);
  if (day == time->local_day + 1)
    /* Translators: %s is a time such as 09:00. */
    return g_strdup_printf (_("Opens tomorrow at %s"), at);

  /* A weekday a week or more away could be read as this week's. */
  if (day >= time->local_day + 7)
    /* Translators: %1$u is a number of days, 7 to 15; %2$s is a time
     * such as 09:00. */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Opens in %1$u day, at %2$s",
                                         "Opens in %1$u days, at %2$s", day - time->local_day),
                            day - time->local_day, at);

  g_date_clear (&date, 1);
  g_date_set_julian (&date, day);
  /* One sentence a day, so that each language can say the day as its
   * grammar wants it. */
  switch (g_date_get_weekday (&date))
    {
    case G_DATE_MONDAY:
      /* Translators: %s is a time such as 09:00. */
      return g_strdup_printf (_("Opens Monday at %s"), at);
    case G_DATE_TUESDAY:
      /* Translators: %s is a time such as 09:00. */
      return g_strdup_printf (_("Opens Tuesday at %s"), at);
    case G_DATE_WEDNESDAY:
      /* Translators: %s is a time such as 09:00. */
      return g_strdup_printf (_("Opens Wednesday at %s"), at);
    case G_DATE_THURSDAY:
      /* Translators: %s is a time such as 09:00. */
      return g_strdup_printf (_("Opens Thursday at %s"), at);
    case G_DATE_FRIDAY:
      /* Translators: %s is a time such as 09:00. */
      return g_strdup_printf (_("Opens Friday at %s"), at);
    case G_DATE_SATURDAY:
      /* Translators: %s is a time such as 09:00. */
      return g_strdup_printf (_("Opens Saturday at %s"), at);
    case G_DATE_SUNDAY:
      /* Translators: %s is a time such as 09:00. */
      return g_strdup_printf (_("Opens Sunday at %s"), at);
    case G_DATE_BAD_WEEKDAY:
    default:
      return NULL;
    }
}

/**
 * haven_schedule_time_init:
 * @at: the moment
 * @zone: the kiosk's time zone
 */
void
haven_schedule_time_init (HavenScheduleTime *time,
                          GDateTime         *at,
                          GTimeZone         *zone)
{
  g_autoptr(GDateTime) local = NULL;
  GDate date;

  g_return_if_fail (time != NULL);
  g_return_if_fail (at != NULL);
  g_return_if_fail (zone != NULL);

  local = g_date_time_to_timezone (at, zone);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, g_date_time_get_day_of_month (local), g_date_time_get_month (local),
                  g_date_time_get_year (local));

  time->unix_time = g_date_time_to_unix (at);
  time->local_day = g_date_get_julian (&date);
  time->local_minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
}

/**
 * haven_schedule_get_zone:
 * @identifier: (nullable): an IANA time zone such as "Europe/London"; %NULL
 *   or "" for the system's
 *
 * Returns: (transfer full): the zone, or %NULL when @identifier names none
 */
GTimeZone *
haven_schedule_get_zone (const char  *identifier,
                         GError     **error)
{
  GTimeZone *zone;

  if (identifier == NULL || identifier[0] == '\0')
    return g_time_zone_new_local ();

  zone = g_time_zone_new_identifier (identifier);
  if (zone == NULL)
    g_set_error (error, HAVEN_SCHEDULE_ERROR, HAVEN_SCHEDULE_ERROR_INVALID,
                 _("“%s” is not a time zone this system knows (such as Europe/London)"),
                 identifier);

  return zone;
}
