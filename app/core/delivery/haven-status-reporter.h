/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-sender.h"

G_BEGIN_DECLS

/* Sends the kiosk's status report (haven-kiosk-status.h) every
 * status-report-interval seconds, following changes of that setting (0
 * turns it off). A report that fails is not retried: the next one is
 * sent at the next tick, and one still under way makes the tick pass.
 * Failures go to the log only, never to the visitor. */

/* Fills in the versions of the directory and the content in use, each
 * newly allocated or NULL when unknown. */
typedef void (*HavenStatusVersionsFunc) (gpointer   user_data,
                                         char     **directory_version,
                                         char     **content_version);

#define HAVEN_TYPE_STATUS_REPORTER (haven_status_reporter_get_type ())

G_DECLARE_FINAL_TYPE (HavenStatusReporter, haven_status_reporter, HAVEN, STATUS_REPORTER, GObject)

HavenStatusReporter *haven_status_reporter_new         (GSettings               *settings,
                                                        HavenSender             *sender,
                                                        HavenStatusVersionsFunc  versions_func,
                                                        gpointer                 user_data,
                                                        GDestroyNotify           destroy);
/* Starts the timer; the first report goes one interval from now. */
void                 haven_status_reporter_start       (HavenStatusReporter     *self);
/* The seconds between reports now, 0 when they are off. */
guint                haven_status_reporter_get_interval (HavenStatusReporter    *self);
/* One report now, whatever the timer: the body as the timer would send
 * it, and what the backend answered. */
void                 haven_status_reporter_report_async  (HavenStatusReporter   *self,
                                                          GCancellable          *cancellable,
                                                          GAsyncReadyCallback    callback,
                                                          gpointer               user_data);
gboolean             haven_status_reporter_report_finish (HavenStatusReporter   *self,
                                                          GAsyncResult          *result,
                                                          guint                 *status,
                                                          GError               **error);

/* For tests: reports as often as every @seconds, rather than 30. */
void                 haven_status_reporter_set_min_interval (HavenStatusReporter *self,
                                                             guint                seconds);

G_END_DECLS
