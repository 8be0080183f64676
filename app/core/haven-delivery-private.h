/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-delivery.h"

G_BEGIN_DECLS

/* The backoff of transient failures: full jitter over base * 2^(attempts
 * - 1), capped; never sooner than a tenth of the base. */
#define HAVEN_DELIVERY_BACKOFF_BASE (5 * G_TIME_SPAN_SECOND)
#define HAVEN_DELIVERY_BACKOFF_CAP  G_TIME_SPAN_HOUR
/* A Retry-After longer than this is taken as this. */
#define HAVEN_DELIVERY_MAX_RETRY_AFTER G_TIME_SPAN_DAY
/* Requests in flight at once in a flush. libsoup opens at most two
 * connections to a host; four in flight keeps both busy while the outbox
 * records the answers (bench-outbox-flush). */
#define HAVEN_DELIVERY_DEFAULT_CONCURRENCY 4

/* For tests and benchmarks. */
void      haven_delivery_set_backoff       (HavenDelivery *self,
                                            GTimeSpan      base,
                                            GTimeSpan      cap);
void      haven_delivery_set_concurrency   (HavenDelivery *self,
                                            guint          concurrency);
/* Connections the current backend has opened (see
 * haven_backend_get_n_connections()); 0 without a backend. */
guint     haven_delivery_get_n_connections (HavenDelivery *self);

/* The longest a retry after @attempts attempts may wait. */
GTimeSpan haven_delivery_backoff_ceiling   (guint          attempts,
                                            GTimeSpan      base,
                                            GTimeSpan      cap);
GTimeSpan haven_delivery_backoff_delay     (guint          attempts,
                                            GTimeSpan      base,
                                            GTimeSpan      cap);
/* A Retry-After value (delta-seconds or an HTTP date) as a wait from @now
 * (microseconds since the epoch), clamped to
 * HAVEN_DELIVERY_MAX_RETRY_AFTER; -1 when it is neither. */
GTimeSpan haven_delivery_parse_retry_after (const char    *value,
                                            gint64         now);

G_END_DECLS
