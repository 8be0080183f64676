/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "haven-schedule.h"

/* Opening hours as an HSDS directory gives them (schedules.csv or a
 * schedule object), mapped to RRULEs and read with libical
 * (haven_schedule_add_row()); then what the kiosk asks of them ("open
 * now", today's hours) and the stored forms the directory keeps: the
 * text, and the rows in numbers it makes of it.
 *
 * The input is up to four rows of fourteen lines each, in the order of
 * HavenScheduleRow's fields (opens_at, closes_at, freq, interval, byday,
 * bymonthday, byweekno, byyearday, wkst, count, until, dtstart,
 * valid_from, valid_to). */

#define N_FIELDS 14
#define MAX_ROWS 4

static GTimeZone *zones[3];

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  zones[0] = g_time_zone_new_utc ();
  zones[1] = g_time_zone_new_identifier ("Europe/London");
  zones[2] = g_time_zone_new_identifier ("Pacific/Kiritimati");
  for (guint i = 0; i < G_N_ELEMENTS (zones); i++)
    {
      if (zones[i] == NULL)
        zones[i] = g_time_zone_new_offset (3600 * (int) i);
    }

  return 0;
}

static void
row_from_lines (HavenScheduleRow   *row,
                const char * const *lines)
{
  const char **fields[N_FIELDS] = {
    &row->opens_at, &row->closes_at, &row->freq, &row->interval, &row->byday,
    &row->bymonthday, &row->byweekno, &row->byyearday, &row->wkst, &row->count,
    &row->until, &row->dtstart, &row->valid_from, &row->valid_to,
  };
  gboolean ended = FALSE;

  memset (row, 0, sizeof *row);
  for (guint i = 0; i < N_FIELDS; i++)
    {
      ended = ended || lines[i] == NULL;
      *fields[i] = ended ? NULL : lines[i];
    }
}

typedef struct {
  GPtrArray *rules;
  GHashTable *numbers;
} Rules;

/* Each rule and start once, numbered from 1, as the directory's importer
 * keeps them. */
static guint32
intern_rule_cb (const char *rule,
                guint32     start,
                gpointer    user_data)
{
  Rules *rules = user_data;
  g_autofree char *key = g_strdup_printf ("%u|%s", start, rule);
  guint32 number = GPOINTER_TO_UINT (g_hash_table_lookup (rules->numbers, key));

  if (number != 0)
    return number;
  g_ptr_array_add (rules->rules, haven_schedule_rule_new (rule, start));
  number = rules->rules->len;
  g_hash_table_insert (rules->numbers, g_steal_pointer (&key), GUINT_TO_POINTER (number));
  return number;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_auto(GStrv) lines = fuzz_split (data, size, '\n', N_FIELDS * MAX_ROWS);
  g_autoptr(HavenSchedule) schedule = haven_schedule_new ();
  g_autoptr(HavenSchedule) stored = NULL;
  g_autoptr(HavenSchedule) from_rows = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (HavenScheduleStoredRow));
  g_autoptr(GPtrArray) rule_list =
    g_ptr_array_new_with_free_func ((GDestroyNotify) haven_schedule_rule_unref);
  g_autoptr(GHashTable) numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *text_from_rows = NULL;
  Rules rules = { rule_list, numbers };
  g_autoptr(GHashTable) recurrences = haven_schedule_new_recurrence_table ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  guint n_lines = g_strv_length (lines);
  guint added = 0;
  /* A few days around a year's turn and a clock change, from the input's
   * size so that they vary. */
  static const gint64 base_times[] = { 1767225600, 1774828800, 1798761599, 1800000000 };

  for (guint first = 0; first < n_lines; first += N_FIELDS)
    {
      HavenScheduleRow row;

      row_from_lines (&row, (const char * const *) lines + first);
      if (haven_schedule_add_row (schedule, &row, &error))
        added++;
      else
        {
          g_assert_true (g_error_matches (error, HAVEN_SCHEDULE_ERROR,
                                          HAVEN_SCHEDULE_ERROR_INVALID));
          g_assert_true (g_utf8_validate (error->message, -1, NULL) ||
                         !g_utf8_validate ((const char *) data, size, NULL));
          g_clear_error (&error);
        }
    }
  g_assert_cmpuint (haven_schedule_get_n_rows (schedule), ==, added);

  text = haven_schedule_serialize (schedule);
  stored = haven_schedule_deserialize (text, recurrences, &error);
  g_assert_no_error (error);
  text_again = haven_schedule_serialize (stored);
  g_assert_cmpstr (text, ==, text_again);

  /* The binary rows the directory keeps make the same schedule. */
  g_assert_true (haven_schedule_text_to_rows (text, rows, intern_rule_cb, &rules, &error));
  g_assert_no_error (error);
  from_rows = haven_schedule_new_from_rows ((HavenScheduleStoredRow *) (void *) rows->data,
                                            rows->len, rule_list);
  g_assert_nonnull (from_rows);
  text_from_rows = haven_schedule_serialize (from_rows);
  g_assert_cmpstr (text, ==, text_from_rows);

  haven_schedule_is_always_open (schedule);
  for (guint i = 0; i < G_N_ELEMENTS (base_times); i++)
    {
      GTimeZone *zone = zones[(size + i) % G_N_ELEMENTS (zones)];
      gint64 moment = base_times[i] + (gint64) (size % 97) * 3607;
      g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc (moment);
      g_autofree char *today = NULL;
      g_autofree char *today_stored = NULL;
      HavenScheduleTime time;

      haven_schedule_time_init (&time, at, zone);
      /* The stored schedule answers as the one it was made from. */
      g_assert_true (haven_schedule_is_open (schedule, &time) ==
                     haven_schedule_is_open (stored, &time));
      g_assert_true (haven_schedule_is_open (schedule, &time) ==
                     haven_schedule_is_open (from_rows, &time));
      today = haven_schedule_describe_day (schedule, &time);
      today_stored = haven_schedule_describe_day (stored, &time);
      g_assert_cmpstr (today, ==, today_stored);
    }

  return 0;
}
