/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-outbox.h"

G_BEGIN_DECLS

/* Sends what the outbox holds to the backend, exactly once, and decides
 * after each answer what becomes of the request (haven-api-v1.md, "Responses").
 *
 * For the removal page, while the visitor is still at the kiosk: confirm
 * the request, haven_outbox_enqueue_request_async(), then
 * haven_delivery_deliver_now_async() with the request_id and the
 * visitor's language, and show what its result says:
 *
 *   DELIVERED     the case reference (result->case_reference);
 *   INVALID       result->field_errors next to the fields: field path
 *                 ("items[0].url") -> the backend's message, which may not
 *                 be in the visitor's language, so the page shows its own
 *                 translated words for a path it knows. The request stays
 *                 in the outbox as failed, for the staff in case the
 *                 visitor leaves: keep the draft, and after the fix
 *                 confirm it again (a new request_id) and enqueue, then
 *                 purge the refused one (haven-sender.c does);
 *   anything else "saved, it will be sent": the request stays with the
 *                 kiosk and the operator is told if it needs them
 *                 (haven_delivery_outcome_is_kept() says which).
 *
 * Cancelling deliver_now only stops the page waiting; the attempt goes on
 * and its outcome is recorded, so a visitor walking away never leaves a
 * request half sent. */

#define HAVEN_DELIVERY_ERROR (haven_delivery_error_quark ())

typedef enum {
  /* The backend settings cannot be used; the message says which. */
  HAVEN_DELIVERY_ERROR_NOT_CONFIGURED,
  /* The backend presented a key that is not pinned: nothing is sent until
   * the backend settings change (or the process restarts). */
  HAVEN_DELIVERY_ERROR_BLOCKED,
} HavenDeliveryError;

typedef enum {
  /* 201/200: the outbox keeps the reference and has deleted the body. */
  HAVEN_DELIVERY_OUTCOME_DELIVERED,
  /* Transient (5xx, 409, 429, timeouts, connection and TLS errors):
   * queued again for result->next_attempt_at. */
  HAVEN_DELIVERY_OUTCOME_QUEUED,
  /* 401/403, an answer that says the kiosk is configured wrongly (404,
   * 405, 415, a redirect), or backend settings that cannot be used:
   * queued, the operator is alerted, tried again when the backend
   * settings change or after the longest backoff. */
  HAVEN_DELIVERY_OUTCOME_UNAUTHORISED,
  /* The backend's key is not one of pinned-keys: queued with its body,
   * the operator is alerted and nothing more is sent (see
   * HAVEN_DELIVERY_ERROR_BLOCKED). */
  HAVEN_DELIVERY_OUTCOME_BLOCKED,
  /* 400: failed for good, field errors in result->field_errors; kept for
   * the operator as failed (never sent again on its own) until
   * failed-retention-days are over. */
  HAVEN_DELIVERY_OUTCOME_INVALID,
  /* 413/422: failed for good, the body kept for the operator. */
  HAVEN_DELIVERY_OUTCOME_REJECTED,
  /* A flush stopped before this one (result->message says why); it is
   * queued as before. */
  HAVEN_DELIVERY_OUTCOME_NOT_TRIED,
} HavenDeliveryOutcome;

/* What became of one request. Nothing here is anything the visitor
 * wrote. */
typedef struct {
  char                 *request_id;
  HavenDeliveryOutcome  outcome;
  /* The HTTP status, 0 when there was no answer. */
  guint                 status;
  /* DELIVERED only. */
  char                 *case_reference;
  /* INVALID only: field path -> the backend's message; may be empty. */
  GHashTable           *field_errors;
  /* For the operator (translated): why, when not delivered. */
  char                 *message;
  /* When it will be tried again, for the outcomes that keep it queued
   * (microseconds since the epoch); 0 otherwise. */
  gint64                next_attempt_at;
} HavenDeliveryResult;

typedef enum {
  /* Only the entries whose next attempt is due. */
  HAVEN_DELIVERY_FLUSH_DUE = 0,
  /* Every queued entry, however long its backoff still had to run;
   * a wait the backend asked for (Retry-After) is still kept. */
  HAVEN_DELIVERY_FLUSH_ALL = 1 << 0,
} HavenDeliveryFlushFlags;

HavenDeliveryResult *haven_delivery_result_copy      (const HavenDeliveryResult *result);
void                 haven_delivery_result_free      (HavenDeliveryResult       *result);
const char          *haven_delivery_outcome_to_string (HavenDeliveryOutcome     outcome);
/* TRUE when the request is still with the kiosk and will reach the
 * backend without the visitor doing anything more. */
gboolean             haven_delivery_outcome_is_kept  (HavenDeliveryOutcome       outcome);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenDeliveryResult, haven_delivery_result_free)

#define HAVEN_TYPE_DELIVERY (haven_delivery_get_type ())

G_DECLARE_FINAL_TYPE (HavenDelivery, haven_delivery, HAVEN, DELIVERY, GObject)

GQuark               haven_delivery_error_quark      (void);
/* The backend is made from @settings now and again whenever one of its
 * settings changes; when they are unusable, the reason is the operator
 * alert and deliveries wait for a change. */
HavenDelivery       *haven_delivery_new              (GSettings            *settings,
                                                      HavenOutbox          *outbox);
HavenOutbox         *haven_delivery_get_outbox       (HavenDelivery        *self);
/* What the operator must act on (translated), or NULL: a configuration
 * that cannot be used, a refusal of this kiosk (401/403), an untrusted
 * or unpinned backend key. Cleared by the next delivery or settings
 * change. Notified as "operator-alert". */
const char          *haven_delivery_get_operator_alert (HavenDelivery      *self);
/* TRUE after a pin mismatch, until the backend settings change. */
gboolean             haven_delivery_get_blocked      (HavenDelivery        *self);

/* One attempt now for a request just enqueued, whatever its backoff, with
 * Accept-Language @language (the visitor's, or NULL). See the top of this
 * file. A request delivered or failed already gives its result without a
 * new attempt; a request being sent already gives the result of that
 * attempt. Fails with HAVEN_OUTBOX_ERROR_NOT_FOUND for an unknown id. */
void                 haven_delivery_deliver_now_async  (HavenDelivery           *self,
                                                        const char              *request_id,
                                                        const char              *language,
                                                        GCancellable            *cancellable,
                                                        GAsyncReadyCallback      callback,
                                                        gpointer                 user_data);
HavenDeliveryResult *haven_delivery_deliver_now_finish (HavenDelivery           *self,
                                                        GAsyncResult            *result,
                                                        GError                 **error);

/* Delivers the queued entries (see HavenDeliveryFlushFlags) over the same
 * connection(s), oldest first. It stops early when an answer concerns the
 * kiosk rather than one request (the backend cannot be reached, is busy,
 * refuses the kiosk, or fails its pin): the rest are reported NOT_TRIED
 * and stay queued untouched. Returns a HavenDeliveryResult for each entry
 * in the order they were listed; fails with HAVEN_DELIVERY_ERROR when
 * nothing can be sent at all. */
void                 haven_delivery_flush_async        (HavenDelivery           *self,
                                                        HavenDeliveryFlushFlags  flags,
                                                        GCancellable            *cancellable,
                                                        GAsyncReadyCallback      callback,
                                                        gpointer                 user_data);
GPtrArray           *haven_delivery_flush_finish       (HavenDelivery           *self,
                                                        GAsyncResult            *result,
                                                        GError                 **error);

/* For the kiosk: from start() on, delivers what is due on its own. It
 * sleeps until the earliest next attempt (one timeout, no polling) and
 * wakes early on haven_delivery_kick(), when the network comes back, and
 * when the backend settings change (then trying every queued request).
 * stop() cancels what is being sent (it is queued again). */
void                 haven_delivery_start            (HavenDelivery        *self);
void                 haven_delivery_stop             (HavenDelivery        *self);
/* Something was enqueued: deliver what is due now. */
void                 haven_delivery_kick             (HavenDelivery        *self);

G_END_DECLS
