/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "haven-backend.h"
#include "haven-delivery.h"
#include "haven-delivery-answer.h"
#include "haven-request.h"

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

/* What only the files of HavenDelivery share: haven-delivery.c (the
 * object, single attempts, the scheduler) and haven-delivery-flush.c. */

struct _HavenDelivery
{
  GObject parent_instance;

  GSettings *settings;
  HavenOutbox *outbox;
  /* NULL while the settings cannot be used. */
  HavenBackend *backend;
  GNetworkMonitor *network_monitor;
  /* Every attempt is cancelled with it, by stop() and dispose. */
  GCancellable *cancellable;

  char *operator_alert;
  gboolean blocked;
  /* request_id -> HavenDeliveryAttempt: what is being sent now, so that
   * nobody in this process sends it a second time meanwhile. */
  GHashTable *attempts;
  /* request_id -> gint64: the backend's Retry-After, kept even by a flush
   * of everything. */
  GHashTable *not_before;

  GTimeSpan backoff_base;
  GTimeSpan backoff_cap;
  guint concurrency;

  /* HavenDeliveryAttempt *: answers waiting for the next group commit,
   * and whether one is under way (see attempt_record()). */
  GPtrArray *unrecorded;
  gboolean recording;
  /* request_id -> HavenOutboxEntry *: claimed by a flush ahead of
   * sending; whoever sends one first takes it out (see
   * haven_delivery_take_claimed()). */
  GHashTable *claimed_ahead;

  /* The scheduler. */
  gboolean started;
  gboolean network_available;
  gboolean running;
  gboolean run_again;
  HavenDeliveryFlushFlags run_again_flags;
  guint timeout_id;
  guint rebuild_id;
  /* Forgetting finished entries when their time is up, apart from
   * sending: it goes on while the backend cannot be used. */
  guint expiry_id;
  gboolean expiring;
  gboolean expire_again;
  gulong settings_changed_id;
  gulong network_changed_id;
};

typedef struct _HavenDeliveryAttempt HavenDeliveryAttempt;

/* Called when an attempt's answer is judged, before its outcome is
 * recorded. */
typedef void (*HavenDeliveryAnsweredFunc) (HavenDeliveryAttempt *attempt,
                                           gpointer              user_data);

/* One send of one entry, and everyone waiting for its outcome. */
struct _HavenDeliveryAttempt {
  HavenDelivery *self;

  char *request_id;
  HavenRequestKind kind;
  gboolean sealed;
  GBytes *body;
  /* The Haven-Envelope header's value as the outbox keeps it, or NULL. */
  char *envelope;
  char *language;

  HavenBackend *backend;
  SoupMessage *message;
  GCancellable *cancellable;
  GCancellable *linked[2];
  gulong linked_ids[2];

  /* The answer's verdict; for_visitor is set again by whoever joins. */
  HavenDeliveryVerdict verdict;

  /* GTask *, each returning a copy of the result. */
  GPtrArray *waiters;

  /* Set once the answer is judged (or the attempt ended without one) and
   * the outcome waits for its group commit; the functions told then. */
  gboolean answered;
  GArray *answer_watchers;
};

/* Calls @func when @attempt is answered, which it must not be yet. */
void                  haven_delivery_attempt_watch_answer (HavenDeliveryAttempt      *attempt,
                                                           HavenDeliveryAnsweredFunc  func,
                                                           gpointer                   user_data);

/* An entry claimed, or looked up to tell why it could not be. */
typedef struct {
  char *request_id;
  gboolean claim;
  HavenOutboxEntry *entry;
  gboolean claimed;
} HavenDeliveryClaim;

/* Starts sending @entry, which this process has claimed. */
HavenDeliveryAttempt *haven_delivery_attempt_start  (HavenDelivery          *self,
                                                     const HavenOutboxEntry *entry,
                                                     gboolean                for_visitor,
                                                     const char             *language,
                                                     GCancellable           *cancellable);
/* Starts sending the entry of @request_id if a flush of this process has
 * claimed it ahead and not sent it yet, taking it from that flush; NULL
 * when none has. */
HavenDeliveryAttempt *haven_delivery_take_claimed   (HavenDelivery          *self,
                                                     const char             *request_id,
                                                     gboolean                for_visitor,
                                                     const char             *language,
                                                     GCancellable           *cancellable);
/* Claims the entry in a worker thread when @claim is TRUE; otherwise, or
 * when it cannot be claimed, looks it up to tell why. */
void                  haven_delivery_claim_async    (HavenDelivery          *self,
                                                     const char             *request_id,
                                                     gboolean                claim,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
/* The claim of a haven_delivery_claim_async() that succeeded, owned by
 * @result. */
HavenDeliveryClaim   *haven_delivery_claim_finish   (GAsyncResult           *result,
                                                     GError                **error);

G_END_DECLS
