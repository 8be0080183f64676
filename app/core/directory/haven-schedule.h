/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HAVEN_SCHEDULE_ERROR (haven_schedule_error_quark ())

typedef enum {
  HAVEN_SCHEDULE_ERROR_INVALID,
} HavenScheduleError;

/* One row of an HSDS schedule, as text: the fields of the HSDS schedule
 * object (or schedules.csv) that say when a service is open. NULL or ""
 * means the field is absent. */
typedef struct {
  const char *opens_at;
  const char *closes_at;
  const char *freq;
  const char *interval;
  const char *byday;
  const char *bymonthday;
  const char *byweekno;
  const char *byyearday;
  const char *wkst;
  const char *count;
  const char *until;
  const char *dtstart;
  const char *valid_from;
  const char *valid_to;
} HavenScheduleRow;

/* A moment, reduced once to what every schedule needs: the instant and the
 * wall-clock date and time in the kiosk's time zone. */
typedef struct {
  gint64 unix_time;
  guint32 local_day;
  int local_minute;
} HavenScheduleTime;

/* A row of a schedule in numbers, as a store keeps it in binary
 * (haven-directory-layout.h): what haven_schedule_serialize() writes. */
typedef struct {
  /* Minutes from midnight, or -1 for a row that closes the service. */
  gint32 opens;
  gint32 closes;
  /* Minutes east of UTC, or G_MININT32 for the kiosk's wall clock. */
  gint32 offset;
  /* Julian days; 0 leaves that end open. */
  guint32 valid_from;
  guint32 valid_to;
  /* The store's number for the rule and the day it counts from (see
   * haven_schedule_text_to_rows()), or 0 for every day. */
  guint32 rule;
} HavenScheduleStoredRow;

typedef struct _HavenScheduleRule HavenScheduleRule;

typedef guint32 (*HavenScheduleInternRule) (const char *rule,
                                             guint32     start,
                                             gpointer    user_data);

#define HAVEN_TYPE_SCHEDULE (haven_schedule_get_type ())

typedef struct _HavenSchedule HavenSchedule;

GType          haven_schedule_get_type         (void) G_GNUC_CONST;
GQuark         haven_schedule_error_quark      (void);
HavenSchedule *haven_schedule_new              (void);
HavenSchedule *haven_schedule_ref              (HavenSchedule          *self);
void           haven_schedule_unref            (HavenSchedule          *self);
gboolean       haven_schedule_add_row          (HavenSchedule          *self,
                                                const HavenScheduleRow *row,
                                                GError                **error);
guint          haven_schedule_get_n_rows       (HavenSchedule          *self);
char          *haven_schedule_serialize        (HavenSchedule          *self);
HavenSchedule *haven_schedule_deserialize      (const char             *text,
                                                GHashTable             *recurrences,
                                                GError                **error);
GHashTable    *haven_schedule_new_recurrence_table (void);
gboolean       haven_schedule_text_to_rows     (const char             *text,
                                                GArray                 *rows,
                                                HavenScheduleInternRule intern_rule,
                                                gpointer                user_data,
                                                GError                **error);
HavenSchedule *haven_schedule_new_from_rows    (const HavenScheduleStoredRow *rows,
                                                guint                   n_rows,
                                                GPtrArray              *rules);
HavenScheduleRule *haven_schedule_rule_new     (const char             *rule,
                                                guint32                 start);
void           haven_schedule_rule_unref       (HavenScheduleRule      *rule);
gboolean       haven_schedule_is_open          (HavenSchedule          *self,
                                                const HavenScheduleTime *time);
gboolean       haven_schedule_is_always_open   (HavenSchedule          *self);
char          *haven_schedule_describe_day     (HavenSchedule          *self,
                                                const HavenScheduleTime *time);
gboolean       haven_schedule_next_opening     (HavenSchedule          *self,
                                                const HavenScheduleTime *time,
                                                guint32                *day,
                                                int                    *minute);
char          *haven_schedule_describe_next_opening (HavenSchedule      *self,
                                                const HavenScheduleTime *time);
void           haven_schedule_time_init        (HavenScheduleTime      *time,
                                                GDateTime              *at,
                                                GTimeZone              *zone);
GTimeZone     *haven_schedule_get_zone         (const char             *identifier,
                                                GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenSchedule, haven_schedule_unref)

G_END_DECLS
