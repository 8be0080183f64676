/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <libical/ical.h>

G_BEGIN_DECLS

/* The libical calls schedules make, through a table filled when libical
 * is first needed (see haven-ical.c). */
typedef struct {
  struct icalrecurrencetype      (*recurrencetype_from_string)     (const char *string);
  int                            (*time_is_null_time)              (const struct icaltimetype time);
  icalrecur_iterator            *(*recur_iterator_new)             (struct icalrecurrencetype rule,
                                                                    struct icaltimetype start);
  int                            (*recur_iterator_set_start)       (icalrecur_iterator *iterator,
                                                                    struct icaltimetype start);
  struct icaltimetype            (*recur_iterator_next)            (icalrecur_iterator *iterator);
  void                           (*recur_iterator_free)            (icalrecur_iterator *iterator);
  enum icalrecurrencetype_weekday (*recurrencetype_day_day_of_week) (short day);
  int                            (*recurrencetype_day_position)    (short day);
} HavenIcal;

/* libical, opened on the first call in any thread; NULL, after one
 * warning, when it cannot be opened (Haven's package depends on it). */
const HavenIcal *haven_ical_get (void);

G_END_DECLS
