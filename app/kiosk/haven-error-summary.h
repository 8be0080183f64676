/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HAVEN_TYPE_ERROR_SUMMARY (haven_error_summary_get_type ())

G_DECLARE_FINAL_TYPE (HavenErrorSummary, haven_error_summary, HAVEN, ERROR_SUMMARY, GtkWidget)

GtkWidget  *haven_error_summary_new             (void);
void        haven_error_summary_clear           (HavenErrorSummary *self);
void        haven_error_summary_add             (HavenErrorSummary *self,
                                                 const char        *message,
                                                 GtkWidget         *field);
void        haven_error_summary_add_on_page     (HavenErrorSummary *self,
                                                 const char        *message,
                                                 const char        *page);
guint       haven_error_summary_get_n_problems  (HavenErrorSummary *self);
const char *haven_error_summary_get_text        (HavenErrorSummary *self);
gboolean    haven_error_summary_present         (HavenErrorSummary *self,
                                                 const char        *intro);
gboolean    haven_error_summary_focus_problem   (HavenErrorSummary *self);

G_END_DECLS
