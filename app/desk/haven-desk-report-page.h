/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-case-client.h"
#include "haven-content.h"
#include "haven-notice-report.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_DESK_REPORT_PAGE (haven_desk_report_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenDeskReportPage, haven_desk_report_page, HAVEN, DESK_REPORT_PAGE, AdwBin)

typedef enum {
  HAVEN_DESK_REPORT_EXPORT_CSV,
  HAVEN_DESK_REPORT_EXPORT_PDF,
} HavenDeskReportExport;

/* The trusted flagger's report of notices (EU DSA Art. 22(3)) for a range
 * of days: figures by hosting provider, type of content and action taken,
 * as charts and a table, saved as CSV or PDF. It holds counts only.
 * Emits "changed" with a message for the caseworker after a save. */
void               haven_desk_report_page_set_client  (HavenDeskReportPage   *self,
                                                       HavenCaseClient       *client);
/* For the categories' names. */
void               haven_desk_report_page_set_content (HavenDeskReportPage   *self,
                                                       HavenContent          *content);
/* Asks for the report of the days in the page's two fields. */
void               haven_desk_report_page_make        (HavenDeskReportPage   *self);
/* The report shown, or NULL; what went wrong, or NULL. */
HavenNoticeReport *haven_desk_report_page_get_report  (HavenDeskReportPage   *self);
const char        *haven_desk_report_page_get_problem (HavenDeskReportPage   *self);
/* Whether a report or a save is on its way (property "busy"). */
gboolean           haven_desk_report_page_is_busy     (HavenDeskReportPage   *self);
/* Saves the report shown to @file without asking where: the dialog's
 * answer, and tests. */
void               haven_desk_report_page_save_to     (HavenDeskReportPage   *self,
                                                       HavenDeskReportExport  what,
                                                       GFile                 *file);

G_END_DECLS
