/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_SUMMARY_PAGE (haven_summary_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenSummaryPage, haven_summary_page, HAVEN, SUMMARY_PAGE, HavenPage)

void     haven_summary_page_set_reports_enabled (HavenSummaryPage         *self,
                                                 gboolean                  enabled);
gboolean haven_summary_page_print             (HavenSummaryPage         *self,
                                                 GtkPrintOperationAction   action,
                                                 const char               *export_filename,
                                                 GError                  **error);

G_END_DECLS
