/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-delivery"

#include "config.h"

#include <libsoup/soup.h>

#include "haven-backend.h"
#include "haven-delivery.h"
#include "haven-delivery-answer.h"
#include "haven-delivery-private.h"
#include "haven-request-envelope.h"
#include "haven-request.h"

/* From the outbox to the backend, exactly once.
 *
 * Exactly once rests on the request_id being the Idempotency-Key: an entry
 * is claimed ('sending') before it is sent and its outcome recorded after
 * the answer, so a crash in between leaves it 'sending', the outbox queues
 * it again when next opened, and the backend answers the repeat with its
 * first answer. Nothing here deletes a request before a 201/200, or before
 * a permanent failure the visitor or the operator has been told about.
 *
 * Each answer is judged once, by haven-api-v1.md's table, in
 * haven-delivery-answer.c. Answers about one request (400, 409, 413, 422,
 * 500) affect that request only; answers about the kiosk or the backend
 * as a whole (cannot connect, busy, 401/403, a pin mismatch) stop a flush
 * (haven-delivery-flush.c), since every other request would meet the
 * same, and the scheduler waits as the failed one does.
 *
 * A pin mismatch is the one failure that is never retried on a timer: the
 * kiosk may be talking to an impostor. The request stays queued with its
 * body (the impostor got none: the pin is checked before the body is
 * sent), the operator is alerted and nothing more is sent until the
 * backend settings change, or the process restarts (one handshake, no
 * body, and the same alert again).
 *
 * A request refused for good (400, 413, 422) stays in the outbox as failed,
 * whether or not the visitor saw the refusal, and is never sent again on a
 * timer; once started, delivery also wipes it when failed-retention-days
 * are over, whether or not the backend can be reached.
 *
 * The outbox is SQLite with fsync on every commit, so its calls run in
 * worker threads: delivery never blocks the kiosk's main loop. Outcomes
 * are recorded in group commits (attempt_record()) and a flush claims
 * entries a batch ahead (haven-delivery-flush.c), so a backlog costs
 * about one sync per group of answers rather than three per request. */

/* The settings that haven_backend_new_from_settings() reads. */
static const char * const backend_keys[] = {
  "backend-url",
  "ca-file",
  "pinned-keys",
  "token-file",
  "client-certificate-file",
  "client-key-file",
  "allow-insecure-loopback",
  "request-timeout",
  "default-language",
  NULL
};

G_DEFINE_FINAL_TYPE (HavenDelivery, haven_delivery, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-delivery-error-quark, haven_delivery_error)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_OUTBOX,
  PROP_OPERATOR_ALERT,
  PROP_BLOCKED,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

static void run (HavenDelivery           *self,
                 HavenDeliveryFlushFlags  flags);
static void schedule_expiry (HavenDelivery *self);

/* State for the operator. */

static void
set_operator_alert (HavenDelivery *self,
                    const char    *alert)
{
  if (g_strcmp0 (self->operator_alert, alert) == 0)
    return;

  g_free (self->operator_alert);
  self->operator_alert = g_strdup (alert);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_OPERATOR_ALERT]);
}

static void
set_blocked (HavenDelivery *self,
             gboolean       blocked)
{
  if (self->blocked == blocked)
    return;

  self->blocked = blocked;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BLOCKED]);
}

/* Attempts. */

static void
attempt_free (HavenDeliveryAttempt *attempt)
{
  for (guint i = 0; i < G_N_ELEMENTS (attempt->linked); i++)
    {
      if (attempt->linked[i] != NULL)
        g_cancellable_disconnect (attempt->linked[i], attempt->linked_ids[i]);
      g_clear_object (&attempt->linked[i]);
    }
  g_clear_object (&attempt->cancellable);
  g_clear_object (&attempt->message);
  g_clear_object (&attempt->backend);
  g_clear_pointer (&attempt->verdict.result, haven_delivery_result_free);
  g_clear_pointer (&attempt->waiters, g_ptr_array_unref);
  g_clear_pointer (&attempt->answer_watchers, g_array_unref);
  g_clear_pointer (&attempt->body, g_bytes_unref);
  g_free (attempt->language);
  g_free (attempt->envelope);
  g_free (attempt->request_id);
  g_clear_object (&attempt->self);
  g_free (attempt);
}

static void
linked_cancelled_cb (GCancellable *cancellable,
                     GCancellable *attempt_cancellable)
{
  g_cancellable_cancel (attempt_cancellable);
}

static void
attempt_link_cancellable (HavenDeliveryAttempt *attempt,
                          guint                 slot,
                          GCancellable         *cancellable)
{
  if (cancellable == NULL)
    return;

  attempt->linked[slot] = g_object_ref (cancellable);
  attempt->linked_ids[slot] = g_cancellable_connect (cancellable,
                                                     G_CALLBACK (linked_cancelled_cb),
                                                     attempt->cancellable, NULL);
}

/* Outcomes are recorded in groups: while one group's commit waits for
 * the disk, the answers that arrive meanwhile gather in
 * self->unrecorded and go in the next, one sync and one checkpoint for all
 * of them. Nobody is told an outcome before its group is on disk. */

typedef struct {
  /* HavenDeliveryAttempt *, owned until each is finished. */
  GPtrArray *attempts;
  /* GError *: why each attempt's outcome was not recorded, or NULL. */
  GPtrArray *errors;
} RecordGroup;

static void
record_group_free (RecordGroup *group)
{
  g_clear_pointer (&group->attempts, g_ptr_array_unref);
  g_clear_pointer (&group->errors, g_ptr_array_unref);
  g_free (group);
}

static void
error_free0 (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

static void
record_group_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  HavenDelivery *self = source_object;
  RecordGroup *group = task_data;
  g_autofree HavenOutboxOutcome *outcomes = g_new0 (HavenOutboxOutcome, group->attempts->len);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gboolean recorded;

  for (guint i = 0; i < group->attempts->len; i++)
    {
      HavenDeliveryAttempt *attempt = g_ptr_array_index (group->attempts, i);
      HavenDeliveryResult *result = attempt->verdict.result;
      HavenOutboxOutcome *outcome = &outcomes[i];

      outcome->request_id = attempt->request_id;
      switch (attempt->verdict.record)
        {
        case HAVEN_DELIVERY_RECORD_DELIVERED:
          outcome->kind = HAVEN_OUTBOX_OUTCOME_DELIVERED;
          outcome->text = result->case_reference;
          break;

        case HAVEN_DELIVERY_RECORD_RETRY:
          outcome->kind = HAVEN_OUTBOX_OUTCOME_RETRY;
          outcome->text = result->message;
          outcome->next_attempt_at = result->next_attempt_at;
          outcome->http_status = result->status;
          break;

        case HAVEN_DELIVERY_RECORD_FAILED:
          outcome->kind = HAVEN_OUTBOX_OUTCOME_FAILED;
          outcome->text = result->message;
          outcome->http_status = result->status;
          outcome->error_fields = haven_delivery_result_dup_field_errors_json (result);
          g_ptr_array_add (fields, (char *) outcome->error_fields);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  recorded = haven_outbox_record_outcomes (self->outbox, outcomes, group->attempts->len, &error);

  group->errors = g_ptr_array_new_full (group->attempts->len, error_free0);
  for (guint i = 0; i < group->attempts->len; i++)
    {
      /* The operator purged it while it was being sent: there is nothing
       * left to record the outcome in, and nothing wrong with that. */
      g_clear_error (&outcomes[i].error);
      g_ptr_array_add (group->errors, recorded ? NULL : g_error_copy (error));
    }

  g_task_return_boolean (task, TRUE);
}

static void record_next_group (HavenDelivery *self);

/* The outcome is on disk, or cannot be (@error): tells everyone waiting. */
static void
attempt_finish (HavenDeliveryAttempt *attempt,
                const GError         *error)
{
  HavenDelivery *self = attempt->self;
  HavenDeliveryResult *result = attempt->verdict.result;

  /* Once recorded, the entry may have been claimed and a new attempt made
   * before this callback ran; that one is left alone. */
  if (g_hash_table_lookup (self->attempts, attempt->request_id) == attempt)
    g_hash_table_remove (self->attempts, attempt->request_id);

  if (error == NULL)
    {
      /* Something finished: its time to be forgotten starts now. */
      if (attempt->verdict.record == HAVEN_DELIVERY_RECORD_DELIVERED ||
          attempt->verdict.record == HAVEN_DELIVERY_RECORD_FAILED)
        schedule_expiry (self);

      switch (result->outcome)
        {
        case HAVEN_DELIVERY_OUTCOME_DELIVERED:
          g_hash_table_remove (self->not_before, attempt->request_id);
          /* The backend takes this kiosk's requests again. */
          if (!self->blocked && self->backend != NULL && attempt->backend == self->backend)
            set_operator_alert (self, NULL);
          break;

        case HAVEN_DELIVERY_OUTCOME_BLOCKED:
          /* Only if the settings that met the impostor are still the ones
           * in use: a change since has unblocked. */
          if (attempt->backend == self->backend)
            {
              set_blocked (self, TRUE);
              set_operator_alert (self, result->message);
            }
          break;

        case HAVEN_DELIVERY_OUTCOME_UNAUTHORISED:
          if (attempt->backend == self->backend)
            set_operator_alert (self, result->message);
          break;

        case HAVEN_DELIVERY_OUTCOME_INVALID:
        case HAVEN_DELIVERY_OUTCOME_REJECTED:
          /* The id and the status only: the backend's field messages are
           * in the outbox for the operator. */
          g_message ("Request %s was refused for good (HTTP %u); it is kept as failed for the "
                     "staff (havenctl outbox list, export-failed)", attempt->request_id,
                     result->status);
          break;

        case HAVEN_DELIVERY_OUTCOME_QUEUED:
          if (attempt->verdict.alert && attempt->backend == self->backend)
            set_operator_alert (self, result->message);
          break;

        case HAVEN_DELIVERY_OUTCOME_NOT_TRIED:
        default:
          break;
        }
    }
  else
    {
      /* The outcome is lost, not the request: it stays 'sending' and is
       * queued again when the outbox is next opened. */
      g_warning ("The outcome of request %s cannot be recorded: %s", attempt->request_id,
                 error->message);
    }

  for (guint i = 0; i < attempt->waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (attempt->waiters, i);

      if (error != NULL)
        g_task_return_error (waiter, g_error_copy (error));
      else
        g_task_return_pointer (waiter, haven_delivery_result_copy (result),
                               (GDestroyNotify) haven_delivery_result_free);
    }

  attempt_free (attempt);
}

static void
record_group_done_cb (GObject      *object,
                      GAsyncResult *async_result,
                      gpointer      user_data)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);
  RecordGroup *group = g_task_get_task_data (G_TASK (async_result));

  g_task_propagate_boolean (G_TASK (async_result), NULL);
  self->recording = FALSE;

  for (guint i = 0; i < group->attempts->len; i++)
    attempt_finish (g_ptr_array_index (group->attempts, i), g_ptr_array_index (group->errors, i));
  /* attempt_finish() freed them. */
  g_ptr_array_set_free_func (group->attempts, NULL);

  if (self->unrecorded->len > 0)
    record_next_group (self);
}

static void
record_next_group (HavenDelivery *self)
{
  g_autoptr(GTask) task = NULL;
  RecordGroup *group = g_new0 (RecordGroup, 1);

  group->attempts = g_steal_pointer (&self->unrecorded);
  g_ptr_array_set_free_func (group->attempts, (GDestroyNotify) attempt_free);
  self->unrecorded = g_ptr_array_new ();
  self->recording = TRUE;

  /* Not cancellable: once there is an outcome, it must be kept. */
  task = g_task_new (self, NULL, record_group_done_cb, NULL);
  g_task_set_source_tag (task, record_next_group);
  g_task_set_task_data (task, group, (GDestroyNotify) record_group_free);
  g_task_run_in_thread (task, record_group_thread);
}

typedef struct {
  HavenDeliveryAnsweredFunc func;
  gpointer user_data;
} AnswerWatcher;

void
haven_delivery_attempt_watch_answer (HavenDeliveryAttempt      *attempt,
                                     HavenDeliveryAnsweredFunc  func,
                                     gpointer                   user_data)
{
  AnswerWatcher watcher = { func, user_data };

  g_return_if_fail (!attempt->answered);

  if (attempt->answer_watchers == NULL)
    attempt->answer_watchers = g_array_new (FALSE, FALSE, sizeof (AnswerWatcher));
  g_array_append_val (attempt->answer_watchers, watcher);
}

static void
attempt_record (HavenDeliveryAttempt *attempt)
{
  HavenDelivery *self = attempt->self;

  attempt->answered = TRUE;
  for (guint i = 0; attempt->answer_watchers != NULL && i < attempt->answer_watchers->len; i++)
    {
      AnswerWatcher *watcher = &g_array_index (attempt->answer_watchers, AnswerWatcher, i);

      watcher->func (attempt, watcher->user_data);
    }

  g_ptr_array_add (self->unrecorded, attempt);
  if (!self->recording)
    record_next_group (self);
}

static void
attempt_sent_cb (GObject      *object,
                 GAsyncResult *async_result,
                 gpointer      user_data)
{
  HavenDeliveryAttempt *attempt = user_data;
  HavenDelivery *self = attempt->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;

  attempt->verdict.backoff_base = self->backoff_base;
  attempt->verdict.backoff_cap = self->backoff_cap;
  body = haven_backend_send_finish (HAVEN_BACKEND (object), async_result, &error);
  if (body == NULL)
    haven_delivery_judge_error (&attempt->verdict, error);
  else
    haven_delivery_judge_answer (&attempt->verdict, attempt->message, body);

  if (attempt->verdict.not_before != 0)
    {
      gint64 *not_before = g_new (gint64, 1);

      *not_before = attempt->verdict.not_before;
      g_hash_table_replace (self->not_before, g_strdup (attempt->request_id), not_before);
    }

  attempt_record (attempt);
}

HavenDeliveryAttempt *
haven_delivery_attempt_start (HavenDelivery          *self,
                              const HavenOutboxEntry *entry,
                              gboolean                for_visitor,
                              const char             *language,
                              GCancellable           *cancellable)
{
  HavenDeliveryAttempt *attempt = g_new0 (HavenDeliveryAttempt, 1);

  g_assert (entry->body != NULL);

  attempt->self = g_object_ref (self);
  attempt->request_id = g_strdup (entry->request_id);
  attempt->kind = entry->kind;
  attempt->sealed = entry->sealed;
  attempt->verdict.attempts = entry->attempts;
  attempt->body = g_bytes_ref (entry->body);
  attempt->envelope = g_strdup (entry->envelope);
  attempt->language = g_strdup (language);
  attempt->verdict.for_visitor = for_visitor;
  attempt->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  attempt->verdict.result = haven_delivery_result_new (entry->request_id,
                                                       HAVEN_DELIVERY_OUTCOME_QUEUED);
  attempt->cancellable = g_cancellable_new ();
  attempt_link_cancellable (attempt, 0, self->cancellable);
  attempt_link_cancellable (attempt, 1, cancellable);
  /* Replacing an attempt whose outcome is recorded already but whose
   * callback has not run yet: this process claimed the entry again. */
  g_hash_table_replace (self->attempts, attempt->request_id, attempt);

  /* The settings changed to something unusable, or an impostor was met,
   * since this entry was claimed: it goes back as it was. */
  if (self->backend == NULL || self->blocked)
    {
      attempt->verdict.result->outcome = self->blocked ? HAVEN_DELIVERY_OUTCOME_BLOCKED
                                                       : HAVEN_DELIVERY_OUTCOME_UNAUTHORISED;
      attempt->verdict.result->message = g_strdup (self->operator_alert);
      haven_delivery_verdict_retry (&attempt->verdict, self->backoff_cap);
      attempt_record (attempt);
      return attempt;
    }

  attempt->backend = g_object_ref (self->backend);
  attempt->message = haven_backend_new_submission (attempt->backend,
                                                   haven_request_kind_get_path (attempt->kind),
                                                   attempt->request_id,
                                                   attempt->sealed ? HAVEN_API_CONTENT_TYPE_SEALED
                                                                   : HAVEN_API_CONTENT_TYPE_JSON,
                                                   attempt->body);
  /* The bytes stored when the request was queued, never made again: every
   * attempt says the same, as the body does. */
  if (attempt->envelope != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (attempt->message),
                                  HAVEN_API_ENVELOPE_HEADER, attempt->envelope);
  if (language != NULL)
    {
      g_autofree char *language_tag = g_strdelimit (g_strdup (language), "_", '-');

      soup_message_headers_replace (soup_message_get_request_headers (attempt->message),
                                    "Accept-Language", language_tag);
    }

  haven_backend_send_async (attempt->backend, attempt->message, attempt->cancellable,
                            attempt_sent_cb, attempt);
  return attempt;
}

HavenDeliveryAttempt *
haven_delivery_take_claimed (HavenDelivery *self,
                             const char    *request_id,
                             gboolean       for_visitor,
                             const char    *language,
                             GCancellable  *cancellable)
{
  g_autoptr(HavenOutboxEntry) entry = NULL;

  if (!g_hash_table_steal_extended (self->claimed_ahead, request_id, NULL, (gpointer *) &entry))
    return NULL;

  return haven_delivery_attempt_start (self, entry, for_visitor, language, cancellable);
}

/* Threads for the outbox. */

static void
claim_data_free (HavenDeliveryClaim *data)
{
  g_free (data->request_id);
  g_clear_pointer (&data->entry, haven_outbox_entry_free);
  g_free (data);
}

/* Claims the entry when asked to; otherwise, or when it cannot be claimed,
 * looks it up to tell why. */
static void
claim_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  HavenDelivery *self = source_object;
  HavenDeliveryClaim *data = task_data;
  g_autoptr(GError) error = NULL;

  if (data->claim)
    {
      data->entry = haven_outbox_claim (self->outbox, data->request_id, &error);
      data->claimed = data->entry != NULL;
    }

  if (data->entry == NULL && error == NULL)
    data->entry = haven_outbox_lookup (self->outbox, data->request_id, FALSE, &error);

  if (data->entry != NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
haven_delivery_claim_async (HavenDelivery       *self,
                            const char          *request_id,
                            gboolean             claim,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  HavenDeliveryClaim *data = g_new0 (HavenDeliveryClaim, 1);

  data->request_id = g_strdup (request_id);
  data->claim = claim;
  g_task_set_source_tag (task, haven_delivery_claim_async);
  g_task_set_task_data (task, data, (GDestroyNotify) claim_data_free);
  g_task_run_in_thread (task, claim_thread);
}

HavenDeliveryClaim *
haven_delivery_claim_finish (GAsyncResult  *result,
                             GError       **error)
{
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  return g_task_get_task_data (G_TASK (result));
}

/* deliver_now */

/* When @request_id is being sent already, *@task waits for that attempt,
 * which the visitor is now waiting for too, rather than it being sent
 * twice at once. */
static gboolean
join_attempt (HavenDelivery  *self,
              const char     *request_id,
              GTask         **task)
{
  HavenDeliveryAttempt *attempt = g_hash_table_lookup (self->attempts, request_id);

  if (attempt == NULL)
    return FALSE;

  attempt->verdict.for_visitor = TRUE;
  g_ptr_array_add (attempt->waiters, g_steal_pointer (task));
  return TRUE;
}

static void
deliver_now_claimed_cb (GObject      *object,
                        GAsyncResult *async_result,
                        gpointer      user_data)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  const char *language = g_task_get_task_data (task);
  HavenDeliveryClaim *data;
  HavenDeliveryAttempt *attempt;

  data = haven_delivery_claim_finish (async_result, &error);
  if (data == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (data->claimed)
    {
      attempt = haven_delivery_attempt_start (self, data->entry, TRUE, language, NULL);
      g_ptr_array_add (attempt->waiters, g_steal_pointer (&task));
      return;
    }

  /* A flush here may have claimed it meanwhile: wait for that one, or
   * send it now if the flush has not yet. */
  if (join_attempt (self, data->request_id, &task))
    return;
  attempt = haven_delivery_take_claimed (self, data->request_id, TRUE, language, NULL);
  if (attempt != NULL)
    {
      g_ptr_array_add (attempt->waiters, g_steal_pointer (&task));
      return;
    }

  if (!data->claim && data->entry->state == HAVEN_OUTBOX_STATE_QUEUED)
    {
      HavenDeliveryResult *result = haven_delivery_result_new (data->request_id,
                                                self->blocked
                                                ? HAVEN_DELIVERY_OUTCOME_BLOCKED
                                                : HAVEN_DELIVERY_OUTCOME_UNAUTHORISED);

      /* Not claimed because nothing can be sent now. */
      result->message = g_strdup (self->operator_alert);
      result->next_attempt_at = data->entry->next_attempt_at;
      g_task_return_pointer (task, result, (GDestroyNotify) haven_delivery_result_free);
      return;
    }

  g_task_return_pointer (task, haven_delivery_result_for_entry (data->entry),
                         (GDestroyNotify) haven_delivery_result_free);
}

void
haven_delivery_deliver_now_async (HavenDelivery       *self,
                                  const char          *request_id,
                                  const char          *language,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  HavenDeliveryAttempt *attempt;

  g_return_if_fail (HAVEN_IS_DELIVERY (self));
  g_return_if_fail (request_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The cancellable only stops the waiting (see the header). */
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_delivery_deliver_now_async);
  g_task_set_task_data (task, g_strdup (language), g_free);

  if (join_attempt (self, request_id, &task))
    return;

  attempt = haven_delivery_take_claimed (self, request_id, TRUE, language, NULL);
  if (attempt != NULL)
    {
      g_ptr_array_add (attempt->waiters, g_steal_pointer (&task));
      return;
    }

  haven_delivery_claim_async (self, request_id, self->backend != NULL && !self->blocked,
               deliver_now_claimed_cb, g_steal_pointer (&task));
}

HavenDeliveryResult *
haven_delivery_deliver_now_finish (HavenDelivery  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (HAVEN_IS_DELIVERY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_delivery_deliver_now_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The scheduler. */

static gboolean
timeout_cb (gpointer user_data)
{
  HavenDelivery *self = user_data;

  self->timeout_id = 0;
  run (self, HAVEN_DELIVERY_FLUSH_DUE);

  return G_SOURCE_REMOVE;
}

static void
earliest_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  HavenDelivery *self = source_object;
  g_autoptr(GPtrArray) entries = NULL;
  GError *error = NULL;
  gint64 earliest = G_MAXINT64;

  entries = haven_outbox_list (self->outbox, &error);
  if (entries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      HavenOutboxEntry *entry = g_ptr_array_index (entries, i);

      if (entry->state == HAVEN_OUTBOX_STATE_QUEUED)
        earliest = MIN (earliest, entry->next_attempt_at);
    }

  g_task_return_int (task, earliest);
}

static void
earliest_cb (GObject      *object,
             GAsyncResult *async_result,
             gpointer      user_data)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);
  g_autoptr(GError) error = NULL;
  gint64 not_before = *(gint64 *) g_task_get_task_data (G_TASK (async_result));
  gint64 earliest;
  gint64 wake;
  GTimeSpan delay;

  earliest = g_task_propagate_int (G_TASK (async_result), &error);
  if (error != NULL)
    {
      g_warning ("The outbox cannot be read: %s", error->message);
      earliest = g_get_real_time () + self->backoff_cap;
    }

  /* Stopped, or running again already (and it reschedules when done). */
  if (!self->started || self->running || self->timeout_id != 0)
    return;

  wake = MAX (earliest, not_before);
  if (wake == G_MAXINT64)
    return;

  delay = CLAMP (wake - g_get_real_time (), 0, G_TIME_SPAN_HOUR);
  self->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                         (guint) ((delay + G_TIME_SPAN_MILLISECOND - 1) /
                                                  G_TIME_SPAN_MILLISECOND),
                                         timeout_cb, self, NULL);
}

/* Sleeps until the earliest queued entry is due, but not before
 * @not_before (0 for no such limit). */
static void
schedule (HavenDelivery *self,
          gint64         not_before)
{
  g_autoptr(GTask) task = NULL;
  gint64 *data = g_new (gint64, 1);

  *data = not_before;
  task = g_task_new (self, NULL, earliest_cb, NULL);
  g_task_set_source_tag (task, schedule);
  g_task_set_task_data (task, data, g_free);
  g_task_run_in_thread (task, earliest_thread);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *async_result,
             gpointer      user_data)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  gint64 not_before = 0;

  self->running = FALSE;

  results = haven_delivery_flush_finish (self, async_result, &error);
  if (results == NULL)
    {
      /* Cancelled by stop(); but start() may have come since. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          error->domain != HAVEN_DELIVERY_ERROR)
        g_warning ("Delivery stopped: %s", error->message);
    }
  else
    {
      /* After a failure that concerns every request, the scheduler waits
       * as long as the request that met it. */
      for (guint i = 0; i < results->len; i++)
        {
          HavenDeliveryResult *result = g_ptr_array_index (results, i);

          if (haven_delivery_result_halts (result))
            not_before = MAX (not_before, result->next_attempt_at);
        }
    }

  if (!self->started)
    return;

  if (self->run_again)
    {
      HavenDeliveryFlushFlags flags = self->run_again_flags;

      self->run_again = FALSE;
      self->run_again_flags = HAVEN_DELIVERY_FLUSH_DUE;
      run (self, flags);
      return;
    }

  schedule (self, not_before);
}

static void
run (HavenDelivery           *self,
     HavenDeliveryFlushFlags  flags)
{
  if (!self->started)
    return;

  if (self->running)
    {
      self->run_again = TRUE;
      self->run_again_flags |= flags;
      return;
    }

  g_clear_handle_id (&self->timeout_id, g_source_remove);

  /* Waits for the settings to change. */
  if (self->backend == NULL || self->blocked)
    return;

  self->running = TRUE;
  haven_delivery_flush_async (self, flags, self->cancellable, run_done_cb, NULL);
}

/* Expiry. */

static void
expire_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  HavenDelivery *self = source_object;
  GError *error = NULL;
  guint n_expired = 0;
  gint64 next_expiry = G_MAXINT64;

  if (!haven_outbox_expire (self->outbox, g_get_real_time (), &n_expired, &error) ||
      !haven_outbox_get_next_expiry (self->outbox, &next_expiry, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (n_expired > 0)
    g_debug ("%u finished requests expired from the outbox", n_expired);
  g_task_return_int (task, next_expiry);
}

static gboolean
expiry_timeout_cb (gpointer user_data)
{
  HavenDelivery *self = user_data;

  self->expiry_id = 0;
  schedule_expiry (self);

  return G_SOURCE_REMOVE;
}

static void
expired_cb (GObject      *object,
            GAsyncResult *async_result,
            gpointer      user_data)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);
  g_autoptr(GError) error = NULL;
  gint64 next_expiry;
  GTimeSpan delay;

  self->expiring = FALSE;
  next_expiry = g_task_propagate_int (G_TASK (async_result), &error);
  if (error != NULL)
    {
      g_message ("Finished requests cannot be expired now: %s", error->message);
      next_expiry = g_get_real_time () + G_TIME_SPAN_HOUR;
    }

  /* An entry finished while this ran, perhaps after it looked. */
  if (self->expire_again)
    {
      self->expire_again = FALSE;
      schedule_expiry (self);
      return;
    }

  if (!self->started || self->expiry_id != 0 || next_expiry == G_MAXINT64)
    return;

  /* An hour at most, so that a clock set forward, or a shorter retention,
   * is noticed within the hour. */
  delay = CLAMP (next_expiry - g_get_real_time (), 0, G_TIME_SPAN_HOUR);
  self->expiry_id = g_timeout_add_full (G_PRIORITY_LOW,
                                        (guint) ((delay + G_TIME_SPAN_MILLISECOND - 1) /
                                                 G_TIME_SPAN_MILLISECOND) + 1,
                                        expiry_timeout_cb, self, NULL);
}

/* Expires what is due now and sleeps until the next entry is due; called
 * again whenever an entry finishes. */
static void
schedule_expiry (HavenDelivery *self)
{
  g_autoptr(GTask) task = NULL;

  if (!self->started)
    return;
  if (self->expiring)
    {
      self->expire_again = TRUE;
      return;
    }

  g_clear_handle_id (&self->expiry_id, g_source_remove);
  self->expiring = TRUE;
  task = g_task_new (self, NULL, expired_cb, NULL);
  g_task_set_source_tag (task, schedule_expiry);
  g_task_run_in_thread (task, expire_thread);
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  HavenDelivery *self = user_data;
  gboolean was_available = self->network_available;

  self->network_available = available;

  /* Whatever waited for a backend it could not reach may reach it now.
   * Only on the way back: the signal also comes for every change of
   * route while the network stays up. */
  if (available && !was_available)
    run (self, HAVEN_DELIVERY_FLUSH_ALL);
}

static void
rebuild_backend (HavenDelivery *self)
{
  g_autoptr(HavenBackend) backend = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *language = NULL;

  g_clear_object (&self->backend);
  set_blocked (self, FALSE);

  backend = haven_backend_new_from_settings (self->settings, &error);
  if (backend == NULL)
    {
      set_operator_alert (self, error->message);
      return;
    }

  language = g_settings_get_string (self->settings, "default-language");
  haven_backend_set_language (backend, language);
  self->backend = g_steal_pointer (&backend);
  set_operator_alert (self, NULL);
}

static gboolean
rebuild_cb (gpointer user_data)
{
  HavenDelivery *self = user_data;

  self->rebuild_id = 0;
  rebuild_backend (self);

  /* "Retry after config changes": what was refused may be taken now. */
  run (self, HAVEN_DELIVERY_FLUSH_ALL);

  return G_SOURCE_REMOVE;
}

static void
settings_changed_cb (GSettings  *settings,
                     const char *key,
                     gpointer    user_data)
{
  HavenDelivery *self = user_data;

  if (!g_strv_contains (backend_keys, key))
    return;

  /* Once for a batch of changes made together. */
  if (self->rebuild_id == 0)
    self->rebuild_id = g_idle_add (rebuild_cb, self);
}

void
haven_delivery_start (HavenDelivery *self)
{
  g_return_if_fail (HAVEN_IS_DELIVERY (self));

  if (self->started)
    return;

  self->started = TRUE;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_available = g_network_monitor_get_network_available (self->network_monitor);
  self->network_changed_id = g_signal_connect (self->network_monitor, "network-changed",
                                               G_CALLBACK (network_changed_cb), self);

  schedule_expiry (self);
  run (self, HAVEN_DELIVERY_FLUSH_DUE);
}

void
haven_delivery_stop (HavenDelivery *self)
{
  g_return_if_fail (HAVEN_IS_DELIVERY (self));

  if (!self->started)
    return;

  self->started = FALSE;
  self->run_again = FALSE;
  self->run_again_flags = HAVEN_DELIVERY_FLUSH_DUE;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->expiry_id, g_source_remove);
  self->expire_again = FALSE;
  g_clear_signal_handler (&self->network_changed_id, self->network_monitor);
  g_clear_object (&self->network_monitor);
  g_cancellable_cancel (self->cancellable);
}

void
haven_delivery_kick (HavenDelivery *self)
{
  g_return_if_fail (HAVEN_IS_DELIVERY (self));

  run (self, HAVEN_DELIVERY_FLUSH_DUE);
}

/* GObject. */

static void
haven_delivery_constructed (GObject *object)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);

  G_OBJECT_CLASS (haven_delivery_parent_class)->constructed (object);

  self->settings_changed_id = g_signal_connect (self->settings, "changed",
                                                G_CALLBACK (settings_changed_cb), self);
  rebuild_backend (self);
}

static void
haven_delivery_dispose (GObject *object)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);

  haven_delivery_stop (self);
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  g_clear_signal_handler (&self->settings_changed_id, self->settings);
  g_clear_object (&self->settings);
  g_clear_object (&self->outbox);
  g_clear_object (&self->backend);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (haven_delivery_parent_class)->dispose (object);
}

static void
haven_delivery_finalize (GObject *object)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);

  g_clear_pointer (&self->operator_alert, g_free);
  g_clear_pointer (&self->attempts, g_hash_table_unref);
  g_clear_pointer (&self->unrecorded, g_ptr_array_unref);
  g_clear_pointer (&self->claimed_ahead, g_hash_table_unref);
  g_clear_pointer (&self->not_before, g_hash_table_unref);

  G_OBJECT_CLASS (haven_delivery_parent_class)->finalize (object);
}

static void
haven_delivery_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_OUTBOX:
      g_value_set_object (value, self->outbox);
      break;

    case PROP_OPERATOR_ALERT:
      g_value_set_string (value, self->operator_alert);
      break;

    case PROP_BLOCKED:
      g_value_set_boolean (value, self->blocked);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_delivery_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    case PROP_OUTBOX:
      self->outbox = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_delivery_class_init (HavenDeliveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = haven_delivery_constructed;
  object_class->dispose = haven_delivery_dispose;
  object_class->finalize = haven_delivery_finalize;
  object_class->get_property = haven_delivery_get_property;
  object_class->set_property = haven_delivery_set_property;

  props[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  props[PROP_OUTBOX] =
    g_param_spec_object ("outbox", NULL, NULL,
                         HAVEN_TYPE_OUTBOX,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  props[PROP_OPERATOR_ALERT] =
    g_param_spec_string ("operator-alert", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  props[PROP_BLOCKED] =
    g_param_spec_boolean ("blocked", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
haven_delivery_init (HavenDelivery *self)
{
  self->attempts = g_hash_table_new (g_str_hash, g_str_equal);
  self->unrecorded = g_ptr_array_new ();
  self->claimed_ahead = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                               (GDestroyNotify) haven_outbox_entry_free);
  self->not_before = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->backoff_base = HAVEN_DELIVERY_BACKOFF_BASE;
  self->backoff_cap = HAVEN_DELIVERY_BACKOFF_CAP;
  self->concurrency = HAVEN_DELIVERY_DEFAULT_CONCURRENCY;
  self->cancellable = g_cancellable_new ();
}

HavenDelivery *
haven_delivery_new (GSettings   *settings,
                    HavenOutbox *outbox)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (HAVEN_IS_OUTBOX (outbox), NULL);

  return g_object_new (HAVEN_TYPE_DELIVERY,
                       "settings", settings,
                       "outbox", outbox,
                       NULL);
}

HavenOutbox *
haven_delivery_get_outbox (HavenDelivery *self)
{
  g_return_val_if_fail (HAVEN_IS_DELIVERY (self), NULL);

  return self->outbox;
}

const char *
haven_delivery_get_operator_alert (HavenDelivery *self)
{
  g_return_val_if_fail (HAVEN_IS_DELIVERY (self), NULL);

  return self->operator_alert;
}

gboolean
haven_delivery_get_blocked (HavenDelivery *self)
{
  g_return_val_if_fail (HAVEN_IS_DELIVERY (self), FALSE);

  return self->blocked;
}

void
haven_delivery_set_backoff (HavenDelivery *self,
                            GTimeSpan      base,
                            GTimeSpan      cap)
{
  g_return_if_fail (HAVEN_IS_DELIVERY (self));
  g_return_if_fail (base > 0 && cap >= base);

  self->backoff_base = base;
  self->backoff_cap = cap;
}

void
haven_delivery_set_concurrency (HavenDelivery *self,
                                guint          concurrency)
{
  g_return_if_fail (HAVEN_IS_DELIVERY (self));
  g_return_if_fail (concurrency > 0);

  self->concurrency = concurrency;
}

guint
haven_delivery_get_n_connections (HavenDelivery *self)
{
  g_return_val_if_fail (HAVEN_IS_DELIVERY (self), 0);

  return self->backend != NULL ? haven_backend_get_n_connections (self->backend) : 0;
}
