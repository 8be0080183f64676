/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The trusted flagger's yearly report of notices (EU DSA Art. 22(3)):
 * how many notices went to each hosting provider, for each category, and
 * what came of them, over a range of days
 * (data/api/haven-caseworker-api-v1.md, "Notice report"). It holds counts
 * only: no case reference, kiosk, caseworker, note or time. The receiver
 * builds one from its events (haven_notice_report_add_address()); the desk
 * reads one from the API's answer (haven_notice_report_new_from_json()),
 * draws it, and both write it as CSV. */

#define HAVEN_NOTICE_REPORT_ERROR (haven_notice_report_error_quark ())

typedef enum {
  /* A date that is not YYYY-MM-DD, or no day of the calendar. */
  HAVEN_NOTICE_REPORT_ERROR_BAD_DATE,
  /* From after to, or a range longer than HAVEN_NOTICE_REPORT_MAX_DAYS. */
  HAVEN_NOTICE_REPORT_ERROR_BAD_RANGE,
  /* JSON that is not a report as the API writes one. */
  HAVEN_NOTICE_REPORT_ERROR_INVALID,
} HavenNoticeReportError;

/* The longest range, in days counted with both ends: ten years and then
 * some, so any ten calendar years fit whatever their leap days. */
#define HAVEN_NOTICE_REPORT_MAX_DAYS 3660

/* The hosting provider of an address whose notice named none, and the
 * category of a case the kiosk did not give one. */
#define HAVEN_NOTICE_REPORT_UNRECORDED "unrecorded"

/* The CSV's first line, without its line end. */
#define HAVEN_NOTICE_REPORT_CSV_HEADER "hosting_provider,category,action,notices,addresses"

/* What a report's figures can be grouped by. */
typedef enum {
  HAVEN_NOTICE_REPORT_BY_PROVIDER,
  HAVEN_NOTICE_REPORT_BY_CATEGORY,
  HAVEN_NOTICE_REPORT_BY_ACTION,
} HavenNoticeReportDimension;

#define HAVEN_NOTICE_REPORT_N_DIMENSIONS 3

/* One row: the addresses with this hosting provider, category and action,
 * and the notices they belong to. A notice counts once in a row however
 * many of its addresses are in it, and once in each row that holds one of
 * its addresses: the rows' notices may add up to more than the report's. */
typedef struct {
  char *hosting_provider;
  char *category;
  char *action;
  guint64 notices;
  guint64 addresses;
} HavenNoticeReportRow;

/* One value of a dimension and its totals: every notice and address
 * counted once, exactly (the report carries these; they are not sums of
 * rows). */
typedef struct {
  char *key;
  guint64 notices;
  guint64 addresses;
} HavenNoticeReportCount;

#define HAVEN_TYPE_NOTICE_REPORT_COUNT (haven_notice_report_count_get_type ())
GType                   haven_notice_report_count_get_type (void) G_GNUC_CONST;
HavenNoticeReportCount *haven_notice_report_count_copy     (const HavenNoticeReportCount *count);
void                    haven_notice_report_count_free     (HavenNoticeReportCount       *count);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenNoticeReportCount, haven_notice_report_count_free)

#define HAVEN_TYPE_NOTICE_REPORT (haven_notice_report_get_type ())

G_DECLARE_FINAL_TYPE (HavenNoticeReport, haven_notice_report, HAVEN, NOTICE_REPORT, GObject)

GQuark             haven_notice_report_error_quark    (void);

/* A host name or a platform id of data/notices/platforms.ini, as an
 * item-outcome event's hosting_provider: ^[a-z0-9][a-z0-9.-]{0,252}$. */
gboolean           haven_notice_report_is_hosting_provider (const char *text);
/* "awaiting-answer", "receipt-confirmed", "removed", "restricted",
 * "refused", "appealed", "no-response", "not-found", "withdrawn":
 * NULL-terminated, in the order an address goes through them. */
const char * const *haven_notice_report_get_actions   (void);
/* The action an address's latest outcome stands for: notice-sent is
 * "awaiting-answer", every other outcome itself. NULL for no outcome. */
const char        *haven_notice_report_action_for_outcome (const char *outcome);
/* Checks a range as the API and `haven-receiver notice-report` take it:
 * both days YYYY-MM-DD, @from no later than @to, at most
 * HAVEN_NOTICE_REPORT_MAX_DAYS days. The error is translated, for the
 * person who typed the dates. */
gboolean           haven_notice_report_check_range    (const char         *from,
                                                       const char         *to,
                                                       GError            **error);

/* An empty report of the days @from to @to (checked as
 * haven_notice_report_check_range() does), for
 * haven_notice_report_add_address(). */
HavenNoticeReport *haven_notice_report_new            (const char         *from,
                                                       const char         *to,
                                                       GError            **error);
/* Counts one address: @notice_id tells its notice from others (a case
 * reference; kept in memory only, never written out). The values are
 * taken as given: whoever recorded them checked them. Only for a report
 * made with haven_notice_report_new(). */
void               haven_notice_report_add_address    (HavenNoticeReport  *self,
                                                       const char         *notice_id,
                                                       const char         *hosting_provider,
                                                       const char         *category,
                                                       const char         *action);
/* The API's answer, read strictly: a member of the wrong type, a bad
 * date or range, an unknown category or action, a count below 0 or
 * figures that do not add up fail with HAVEN_NOTICE_REPORT_ERROR_INVALID
 * (or BAD_DATE, BAD_RANGE). */
HavenNoticeReport *haven_notice_report_new_from_json  (const char         *data,
                                                       gsize               length,
                                                       GError            **error);
/* The API's answer: {"from", "to", "notices", "addresses", "rows",
 * "totals"}, rows sorted by hosting provider, category and action. */
char              *haven_notice_report_to_json        (HavenNoticeReport  *self);
/* HAVEN_NOTICE_REPORT_CSV_HEADER, then one line a row in the rows' order;
 * RFC 4180: CRLF after every line, a field with a comma, a quote or a
 * line break in quotes (its quotes doubled); UTF-8 without a BOM. */
GBytes            *haven_notice_report_to_csv         (HavenNoticeReport  *self);

/* "YYYY-MM-DD", UTC days, both counted. */
const char        *haven_notice_report_get_from       (HavenNoticeReport  *self);
const char        *haven_notice_report_get_to         (HavenNoticeReport  *self);
/* Every notice once: one case's addresses at one hosting provider. */
guint64            haven_notice_report_get_notices    (HavenNoticeReport  *self);
guint64            haven_notice_report_get_addresses  (HavenNoticeReport  *self);
guint              haven_notice_report_get_n_rows     (HavenNoticeReport  *self);
/* Row @index, sorted by hosting provider, category and action (bytewise);
 * owned by @self. */
const HavenNoticeReportRow *haven_notice_report_get_row (HavenNoticeReport *self,
                                                         guint              index);
/* The totals of each value of @dimension, sorted by value (bytewise), for
 * a chart: (transfer full) (element-type HavenNoticeReportCount), copies.
 * Their notices are exact, unlike sums of rows; their addresses add up to
 * the report's. */
GPtrArray         *haven_notice_report_count_by       (HavenNoticeReport  *self,
                                                       HavenNoticeReportDimension dimension);

G_END_DECLS
