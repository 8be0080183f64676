/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "haven-question.h"

G_BEGIN_DECLS

/* The stored answers of yes-no questions. */
#define HAVEN_ANSWER_YES          "yes"
#define HAVEN_ANSWER_NO           "no"
/* A date question's answer when the visitor does not know the date. */
#define HAVEN_ANSWER_DATE_UNKNOWN "unknown"

#define HAVEN_ANSWER_ERROR (haven_answer_error_quark ())

typedef enum {
  HAVEN_ANSWER_ERROR_INVALID,
} HavenAnswerError;

GQuark       haven_answer_error_quark    (void);

/* Multi-choice answers: the chosen ids joined by ",". Joining gives NULL
 * (no answer) for an empty list; splitting NULL or "" gives an empty
 * list. */
char        *haven_answer_join_choices   (const char * const  *ids);
GStrv        haven_answer_split_choices  (const char          *answer);

/* Date answers, "YYYY-MM-DD". Making one gives NULL for a day that does
 * not exist or that is after the date of @now (NULL: the current local
 * time), so a visitor cannot say something happened tomorrow. Splitting
 * fails for HAVEN_ANSWER_DATE_UNKNOWN, NULL and anything malformed, and
 * then leaves the out arguments alone. */
char        *haven_answer_make_date      (int                  year,
                                          int                  month,
                                          int                  day,
                                          GDateTime           *now);
gboolean     haven_answer_split_date     (const char          *answer,
                                          int                 *year,
                                          int                 *month,
                                          int                 *day);

/* Reads an amount the way people type it ("250", "250,5", "1 250,50",
 * "1,250.50", "1.250,50", "1250.") into "1250.50" form: digits, a point,
 * two decimals. A "," or "." is a thousands separator when exactly three
 * digits and another separator follow it, or when it appears more than
 * once; the last one followed by one or two digits (or none) is the
 * decimal separator. "1,250" alone could be either, so it is refused, as
 * are negative amounts, zero, letters, more than two decimals and more
 * than 999999999999.99. The message of HAVEN_ANSWER_ERROR_INVALID says
 * what to type instead. The caller wipes *normalized (haven_wipe_string)
 * when done. */
gboolean     haven_answer_parse_amount   (const char          *text,
                                          char               **normalized,
                                          GError             **error);

/* Money answers: "<amount> <CUR>", the amount as parse_amount gives it
 * and CUR an active ISO 4217 code (haven_currency_is_valid()). Splitting
 * fails for anything else and then leaves the out arguments alone. */
char        *haven_answer_make_money     (const char          *normalized_amount,
                                          const char          *currency);
gboolean     haven_answer_split_money    (const char          *answer,
                                          char               **amount,
                                          char               **currency);

/* The translated name of @month (1-12) on its own, as a date picker
 * lists it. */
const char  *haven_answer_get_month_name (int                  month);

/* @answer to @question as the visitor reads it, in the current language,
 * amounts with the sign of their currency as read in @region (the kiosk's,
 * or NULL); NULL for a NULL or empty answer, and for one that is not in
 * the form its question type stores. The caller wipes it
 * (haven_wipe_string) when done: it can hold what the visitor typed. */
char        *haven_answer_format         (HavenQuestion       *question,
                                          const char          *answer,
                                          const char          *region);

G_END_DECLS
