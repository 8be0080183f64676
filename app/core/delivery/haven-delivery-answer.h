/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "haven-delivery.h"

G_BEGIN_DECLS

/* What the outbox is to record once an answer is judged. */
typedef enum {
  HAVEN_DELIVERY_RECORD_DELIVERED,
  HAVEN_DELIVERY_RECORD_RETRY,
  /* Failed for good, with what the backend said: kept for the staff,
   * sealed as stored, never sent again on its own. */
  HAVEN_DELIVERY_RECORD_FAILED,
} HavenDeliveryRecord;

/* What one answer means for its request (haven-api-v1.md, "Responses").
 * The caller fills in the request's circumstances and the result to
 * complete; judging fills in the rest. */
typedef struct {
  guint                attempts;
  gboolean             for_visitor;
  GTimeSpan            backoff_base;
  GTimeSpan            backoff_cap;

  HavenDeliveryResult *result;
  HavenDeliveryRecord  record;
  /* The operator is to be told, though the request stays queued. */
  gboolean             alert;
  /* The backend's Retry-After as a time (microseconds since the epoch),
   * 0 when it gave none. */
  gint64               not_before;
} HavenDeliveryVerdict;

HavenDeliveryResult *haven_delivery_result_new       (const char             *request_id,
                                                      HavenDeliveryOutcome    outcome);
/* The result for an entry nobody here is sending. */
HavenDeliveryResult *haven_delivery_result_for_entry (const HavenOutboxEntry *entry);
/* A 400's field errors as a JSON object, paths sorted, for the outbox;
 * NULL when there are none. */
char                *haven_delivery_result_dup_field_errors_json
                                                     (const HavenDeliveryResult *result);
/* TRUE when the answer concerns the kiosk or the backend as a whole, not
 * this one request: every other request would meet the same now. */
gboolean             haven_delivery_result_halts     (const HavenDeliveryResult *result);

/* Queued again, due after @delay. */
void                 haven_delivery_verdict_retry    (HavenDeliveryVerdict   *verdict,
                                                      GTimeSpan               delay);
/* Judges a send that got no answer (@error), or the answer of @message
 * with its @body. */
void                 haven_delivery_judge_error      (HavenDeliveryVerdict   *verdict,
                                                      const GError           *error);
void                 haven_delivery_judge_answer     (HavenDeliveryVerdict   *verdict,
                                                      SoupMessage            *message,
                                                      GBytes                 *body);
/* The same from the answer's parts: its HTTP @status, its Retry-After
 * header (nullable) and its @body (nullable). */
void                 haven_delivery_judge_response   (HavenDeliveryVerdict   *verdict,
                                                      guint                   status,
                                                      const char             *retry_after,
                                                      GBytes                 *body);

G_END_DECLS
