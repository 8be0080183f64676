/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "haven-receiver-store.h"

G_BEGIN_DECLS

/* How long bodies are kept, in days, unless the operator says otherwise:
 * a closed case's 90 days after it was closed, any case's a year after it
 * was received (haven-caseworker-api-v1.md, "Retention"). */
#define HAVEN_RECEIVER_RETENTION_CLOSED_DAYS 90
#define HAVEN_RECEIVER_RETENTION_MAX_DAYS 365

/* How often the receiver runs a pass while it serves. */
#define HAVEN_RECEIVER_RETENTION_INTERVAL_SECONDS 3600

const char *haven_receiver_retention_check_days (int                 closed_days,
                                                 int                 max_days);
gboolean    haven_receiver_retention_run        (HavenReceiverStore *store,
                                                 gint64              now,
                                                 guint               closed_days,
                                                 guint               max_days,
                                                 HavenReceiverRetention *retention,
                                                 GError            **error);
int         haven_receiver_retention_main       (int                 argc,
                                                 char              **argv);

G_END_DECLS
