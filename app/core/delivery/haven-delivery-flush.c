/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-delivery"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-delivery-answer.h"
#include "haven-delivery-private.h"

/* A flush: every queued entry that is due (or every one), oldest first,
 * a few at a time over the same connections. It goes one at a time until
 * an answer shows the backend is there, and stops at the first answer
 * that concerns the kiosk rather than one request, leaving the rest
 * queued untouched (haven_delivery_result_halts()).
 *
 * Entries are claimed a batch ahead of being sent (one transaction for
 * the batch, see haven_outbox_claim_many()), so that a free slot never
 * waits for the outbox while it is busy recording outcomes. The ones
 * still claimed ahead when a flush stops go back to 'queued' as they
 * were (haven_outbox_unclaim()), and a request someone else wants now (a
 * visitor waiting for theirs, another flush) is taken from
 * self->claimed_ahead and sent at once. */

typedef struct {
  HavenDeliveryFlushFlags flags;
  gint64 started_at;
  /* char *, as listed; results[i] is the result of request_ids[i]. */
  GPtrArray *request_ids;
  GPtrArray *results;
  guint next;
  /* Being sent, which the concurrency limits; answered and waiting for
   * their outcome to be recorded, which it does not: the next request
   * goes out while the last answers are being written. */
  guint running;
  guint recording;
  /* Indexes of the entries claimed ahead, in self->claimed_ahead until
   * sent; a batch being claimed; claimed ones going back. */
  GQueue ahead;
  gboolean claiming;
  gboolean releasing;
  /* One at a time until an answer shows the backend is there. */
  gboolean probing;
  gboolean halted;
  char *halt_message;
  GError *error;
} Flush;

static void
flush_free (Flush *flush)
{
  g_queue_clear (&flush->ahead);
  g_clear_pointer (&flush->request_ids, g_ptr_array_unref);
  g_clear_pointer (&flush->results, g_ptr_array_unref);
  g_free (flush->halt_message);
  g_clear_error (&flush->error);
  g_free (flush);
}

static void flush_pump (GTask *task);

static Flush *
flush_data (GTask *task)
{
  return g_task_get_task_data (task);
}

/* Everything listed has its result, or the flush has stopped and nothing
 * is under way any more. */
static void
flush_complete (GTask *task)
{
  Flush *flush = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  for (guint i = 0; i < flush->results->len; i++)
    {
      HavenDeliveryResult *result;

      if (g_ptr_array_index (flush->results, i) != NULL)
        continue;

      result = haven_delivery_result_new (g_ptr_array_index (flush->request_ids, i),
                           HAVEN_DELIVERY_OUTCOME_NOT_TRIED);
      if (flush->halt_message != NULL)
        result->message = g_strdup (flush->halt_message);
      else
        result->message = g_strdup (_("The flush was stopped"));
      g_ptr_array_index (flush->results, i) = result;
    }

  if (flush->error != NULL)
    g_task_return_error (task, g_steal_pointer (&flush->error));
  else if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    g_task_return_error_if_cancelled (task);
  else
    g_task_return_pointer (task, g_ptr_array_ref (flush->results),
                           (GDestroyNotify) g_ptr_array_unref);
}

/* An answer that shows the backend is there ends the probing; one that
 * concerns the kiosk stops the flush. Called when the answer is judged,
 * and again when its outcome is recorded. */
static void
flush_note_outcome (Flush                     *flush,
                    const HavenDeliveryResult *result)
{
  if (result->outcome != HAVEN_DELIVERY_OUTCOME_NOT_TRIED && !haven_delivery_result_halts (result))
    flush->probing = FALSE;

  if (haven_delivery_result_halts (result) && !flush->halted)
    {
      flush->halted = TRUE;
      flush->halt_message = g_strdup_printf (_("Not tried: %s"),
                                             result->message != NULL ? result->message : "");
    }
}

static void
flush_result (GTask               *task,
              guint                index,
              HavenDeliveryResult *result)
{
  Flush *flush = g_task_get_task_data (task);

  g_assert (g_ptr_array_index (flush->results, index) == NULL);
  g_ptr_array_index (flush->results, index) = result;
  flush_note_outcome (flush, result);
}

typedef struct {
  GTask *flush_task;
  guint index;
  /* Counted in flush->recording rather than flush->running. */
  gboolean answered;
} FlushItem;

static void
flush_item_free (FlushItem *item)
{
  g_clear_object (&item->flush_task);
  g_free (item);
}

static void
flush_item_done (FlushItem           *item,
                 HavenDeliveryResult *result,
                 GError              *error)
{
  GTask *task = item->flush_task;
  Flush *flush = g_task_get_task_data (task);

  if (item->answered)
    flush->recording--;
  else
    flush->running--;
  if (result != NULL)
    flush_result (task, item->index, result);
  else if (flush->error == NULL)
    flush->error = error;
  else
    g_error_free (error);

  flush_pump (task);
}

static void
flush_attempt_done_cb (GObject      *object,
                       GAsyncResult *async_result,
                       gpointer      user_data)
{
  FlushItem *item = user_data;
  GError *error = NULL;
  HavenDeliveryResult *result;

  result = g_task_propagate_pointer (G_TASK (async_result), &error);
  flush_item_done (item, result, error);
  flush_item_free (item);
}

static void
flush_attempt_answered (HavenDeliveryAttempt *attempt,
                        gpointer              user_data)
{
  FlushItem *item = user_data;
  Flush *flush = flush_data (item->flush_task);

  item->answered = TRUE;
  flush->running--;
  flush->recording++;
  flush_note_outcome (flush, attempt->verdict.result);
  flush_pump (item->flush_task);
}

/* Waits for @attempt, counted in flush->running until it is answered. The
 * caller has counted it there. */
static void
flush_wait_for (GTask                *task,
                HavenDeliveryAttempt *attempt,
                guint                 index)
{
  Flush *flush = g_task_get_task_data (task);
  FlushItem *item = g_new0 (FlushItem, 1);
  GTask *waiter;

  item->flush_task = g_object_ref (task);
  item->index = index;
  waiter = g_task_new (g_task_get_source_object (task), NULL, flush_attempt_done_cb, item);
  g_task_set_source_tag (waiter, flush_wait_for);
  g_ptr_array_add (attempt->waiters, waiter);

  if (attempt->answered)
    {
      item->answered = TRUE;
      flush->running--;
      flush->recording++;
    }
  else
    {
      haven_delivery_attempt_watch_answer (attempt, flush_attempt_answered, item);
    }
}

static void
flush_claimed_cb (GObject      *object,
                  GAsyncResult *async_result,
                  gpointer      user_data)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);
  FlushItem *item = user_data;
  GTask *task = item->flush_task;
  GError *error = NULL;
  HavenDeliveryClaim *data;
  HavenDeliveryAttempt *attempt;

  data = haven_delivery_claim_finish (async_result, &error);
  if (g_error_matches (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_FOUND))
    {
      const char *request_id = g_ptr_array_index (flush_data (task)->request_ids, item->index);
      HavenDeliveryResult *result = haven_delivery_result_new (request_id,
                                                               HAVEN_DELIVERY_OUTCOME_NOT_TRIED);

      /* Purged since it was listed. */
      result->message = g_strdup (error->message);
      g_clear_error (&error);
      flush_item_done (item, result, NULL);
      flush_item_free (item);
      return;
    }
  if (data == NULL)
    {
      flush_item_done (item, NULL, error);
      flush_item_free (item);
      return;
    }

  if (data->claimed)
    {
      HavenDeliveryAttempt *started = haven_delivery_attempt_start (self, data->entry, FALSE, NULL,
                                        g_task_get_cancellable (task));

      flush_wait_for (task, started, item->index);
      flush_item_free (item);
      return;
    }

  attempt = g_hash_table_lookup (self->attempts, data->request_id);
  if (attempt == NULL)
    attempt = haven_delivery_take_claimed (self, data->request_id, FALSE, NULL,
                                           g_task_get_cancellable (task));
  if (attempt != NULL)
    {
      flush_wait_for (task, attempt, item->index);
      flush_item_free (item);
      return;
    }

  flush_item_done (item, haven_delivery_result_for_entry (data->entry), NULL);
  flush_item_free (item);
}

static gboolean
is_past (gpointer key,
         gpointer value,
         gpointer user_data)
{
  return *(gint64 *) value <= *(gint64 *) user_data;
}

static gboolean
must_wait (HavenDelivery *self,
           const char    *request_id,
           gint64         now,
           gint64        *until)
{
  gint64 *not_before = g_hash_table_lookup (self->not_before, request_id);

  if (not_before == NULL || *not_before <= now)
    return FALSE;

  *until = *not_before;
  return TRUE;
}

/* Sends the entry of @index, or waits for whoever sends it. */
static void
flush_send (GTask *task,
            guint  index)
{
  HavenDelivery *self = g_task_get_source_object (task);
  Flush *flush = g_task_get_task_data (task);
  const char *request_id = g_ptr_array_index (flush->request_ids, index);
  HavenDeliveryAttempt *attempt = g_hash_table_lookup (self->attempts, request_id);
  FlushItem *item;

  flush->running++;

  if (attempt == NULL)
    attempt = haven_delivery_take_claimed (self, request_id, FALSE, NULL,
                                           g_task_get_cancellable (task));
  if (attempt != NULL)
    {
      flush_wait_for (task, attempt, index);
      return;
    }

  /* Sent and recorded by someone else since this flush claimed it: the
   * outbox tells how it went. */
  item = g_new0 (FlushItem, 1);
  item->flush_task = g_object_ref (task);
  item->index = index;
  haven_delivery_claim_async (self, request_id, FALSE, flush_claimed_cb, item);
}

typedef struct {
  GTask *flush_task;
  /* guint indexes, and the request_ids to claim, in the same order. */
  GArray *indexes;
  GPtrArray *request_ids;
  /* HavenOutboxEntry * or NULL for each. */
  GPtrArray *entries;
} ClaimBatch;

static void
claim_batch_free (ClaimBatch *batch)
{
  g_clear_object (&batch->flush_task);
  g_clear_pointer (&batch->indexes, g_array_unref);
  g_clear_pointer (&batch->request_ids, g_ptr_array_unref);
  g_clear_pointer (&batch->entries, g_ptr_array_unref);
  g_free (batch);
}

static void
claim_batch_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  HavenDelivery *self = source_object;
  ClaimBatch *batch = task_data;
  GError *error = NULL;

  batch->entries = haven_outbox_claim_many (self->outbox,
                                            (const char * const *) batch->request_ids->pdata,
                                            batch->request_ids->len, &error);
  if (batch->entries == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
claim_batch_done_cb (GObject      *object,
                     GAsyncResult *async_result,
                     gpointer      user_data)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);
  ClaimBatch *batch = g_task_get_task_data (G_TASK (async_result));
  GTask *task = batch->flush_task;
  Flush *flush = g_task_get_task_data (task);
  GError *error = NULL;

  flush->claiming = FALSE;

  if (!g_task_propagate_boolean (G_TASK (async_result), &error))
    {
      if (flush->error == NULL)
        flush->error = error;
      else
        g_error_free (error);
      flush_pump (task);
      return;
    }

  for (guint i = 0; i < batch->indexes->len; i++)
    {
      guint index = g_array_index (batch->indexes, guint, i);
      HavenOutboxEntry *entry = g_ptr_array_index (batch->entries, i);

      if (entry != NULL)
        {
          g_ptr_array_index (batch->entries, i) = NULL;
          g_hash_table_replace (self->claimed_ahead, entry->request_id, entry);
          g_queue_push_tail (&flush->ahead, GUINT_TO_POINTER (index));
        }
      else
        {
          /* Not queued any more: being sent, or sent, or purged. */
          flush_send (task, index);
        }
    }

  flush_pump (task);
}

/* Claims the next few entries (one while probing) in one transaction. */
static void
flush_claim_batch (GTask *task,
                   guint  wanted)
{
  HavenDelivery *self = g_task_get_source_object (task);
  Flush *flush = g_task_get_task_data (task);
  g_autoptr(GTask) claim_task = NULL;
  ClaimBatch *batch;
  gint64 now = g_get_real_time ();

  batch = g_new0 (ClaimBatch, 1);
  batch->indexes = g_array_new (FALSE, FALSE, sizeof (guint));
  batch->request_ids = g_ptr_array_new ();

  while (batch->indexes->len < wanted && flush->next < flush->request_ids->len)
    {
      guint index = flush->next++;
      char *request_id = g_ptr_array_index (flush->request_ids, index);
      gint64 until = 0;

      if (g_hash_table_contains (self->attempts, request_id))
        {
          flush_send (task, index);
          continue;
        }

      if (must_wait (self, request_id, now, &until))
        {
          HavenDeliveryResult *result = haven_delivery_result_new (request_id,
                                                    HAVEN_DELIVERY_OUTCOME_NOT_TRIED);

          result->message = g_strdup (_("The backend asked to wait before trying it again"));
          result->next_attempt_at = until;
          flush_result (task, index, result);
          continue;
        }

      g_array_append_val (batch->indexes, index);
      g_ptr_array_add (batch->request_ids, request_id);
    }

  if (batch->indexes->len == 0)
    {
      claim_batch_free (batch);
      return;
    }

  batch->flush_task = g_object_ref (task);
  flush->claiming = TRUE;
  claim_task = g_task_new (self, NULL, claim_batch_done_cb, NULL);
  g_task_set_source_tag (claim_task, flush_claim_batch);
  g_task_set_task_data (claim_task, batch, (GDestroyNotify) claim_batch_free);
  g_task_run_in_thread (claim_task, claim_batch_thread);
}

static void
unclaim_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  HavenDelivery *self = source_object;
  GPtrArray *entries = task_data;
  g_autoptr(GError) error = NULL;

  /* Not fatal: left 'sending', they are queued again when the outbox is
   * next opened. */
  if (!haven_outbox_unclaim (self->outbox, entries, &error))
    g_warning ("Requests claimed for a flush stay claimed: %s", error->message);

  g_task_return_boolean (task, TRUE);
}

static void
unclaimed_cb (GObject      *object,
              GAsyncResult *async_result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  flush_data (task)->releasing = FALSE;
  flush_pump (task);
}

/* The flush has stopped: what it claimed ahead goes back as it was. */
static void
flush_release_ahead (GTask *task)
{
  HavenDelivery *self = g_task_get_source_object (task);
  Flush *flush = g_task_get_task_data (task);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GTask) unclaim_task = NULL;

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_outbox_entry_free);
  while (!g_queue_is_empty (&flush->ahead))
    {
      guint index = GPOINTER_TO_UINT (g_queue_pop_head (&flush->ahead));
      const char *request_id = g_ptr_array_index (flush->request_ids, index);
      gpointer entry = NULL;

      /* Taken by someone else: theirs to send. */
      if (g_hash_table_steal_extended (self->claimed_ahead, request_id, NULL, &entry))
        g_ptr_array_add (entries, entry);
    }

  if (entries->len == 0)
    return;

  flush->releasing = TRUE;
  unclaim_task = g_task_new (self, NULL, unclaimed_cb, g_object_ref (task));
  g_task_set_source_tag (unclaim_task, flush_release_ahead);
  g_task_set_task_data (unclaim_task, g_steal_pointer (&entries),
                        (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (unclaim_task, unclaim_thread);
}

static void
flush_pump (GTask *task)
{
  HavenDelivery *self = g_task_get_source_object (task);
  Flush *flush = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  gboolean stopped = flush->halted || flush->error != NULL ||
                     (cancellable != NULL && g_cancellable_is_cancelled (cancellable));
  guint limit = flush->probing ? 1 : self->concurrency;

  if (stopped)
    {
      if (!flush->releasing)
        flush_release_ahead (task);
    }
  else
    {
      while (flush->running < limit && !g_queue_is_empty (&flush->ahead))
        flush_send (task, GPOINTER_TO_UINT (g_queue_pop_head (&flush->ahead)));

      /* A batch of twice the concurrency once half of it is left: the
       * next claims are made while the slots are busy. While probing, one
       * at a time and none ahead. */
      if (!flush->claiming && flush->next < flush->request_ids->len)
        {
          if (flush->probing)
            {
              if (flush->running == 0 && g_queue_is_empty (&flush->ahead))
                flush_claim_batch (task, 1);
            }
          else if (flush->ahead.length <= self->concurrency / 2)
            {
              flush_claim_batch (task, 2 * self->concurrency - flush->ahead.length);
            }
        }
    }

  if (flush->running == 0 && flush->recording == 0 && !flush->claiming && !flush->releasing &&
      g_queue_is_empty (&flush->ahead) &&
      (stopped || flush->next >= flush->request_ids->len))
    flush_complete (task);
}

static void
list_due_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  HavenDelivery *self = source_object;
  Flush *flush = task_data;
  gint64 horizon = (flush->flags & HAVEN_DELIVERY_FLUSH_ALL) ? G_MAXINT64 : flush->started_at;
  g_autoptr(GPtrArray) due = NULL;
  GError *error = NULL;

  due = haven_outbox_list_due (self->outbox, horizon, &error);
  if (due == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  flush->request_ids = g_ptr_array_new_full (due->len, g_free);
  for (guint i = 0; i < due->len; i++)
    {
      HavenOutboxEntry *entry = g_ptr_array_index (due, i);

      g_ptr_array_add (flush->request_ids, g_strdup (entry->request_id));
    }

  g_task_return_boolean (task, TRUE);
}

static void
listed_due_cb (GObject      *object,
               GAsyncResult *async_result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Flush *flush = g_task_get_task_data (task);

  if (!g_task_propagate_boolean (G_TASK (async_result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  flush->results = g_ptr_array_new_full (flush->request_ids->len,
                                         (GDestroyNotify) haven_delivery_result_free);
  g_ptr_array_set_size (flush->results, flush->request_ids->len);
  flush_pump (task);
}

void
haven_delivery_flush_async (HavenDelivery           *self,
                            HavenDeliveryFlushFlags  flags,
                            GCancellable            *cancellable,
                            GAsyncReadyCallback      callback,
                            gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) list_task = NULL;
  Flush *flush;

  g_return_if_fail (HAVEN_IS_DELIVERY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_delivery_flush_async);
  /* The results say what became of each request, cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->backend == NULL)
    {
      g_task_return_new_error (task, HAVEN_DELIVERY_ERROR, HAVEN_DELIVERY_ERROR_NOT_CONFIGURED,
                               "%s", self->operator_alert);
      return;
    }

  if (self->blocked)
    {
      g_task_return_new_error (task, HAVEN_DELIVERY_ERROR, HAVEN_DELIVERY_ERROR_BLOCKED,
                               _("Nothing is sent until the backend settings change: %s"),
                               self->operator_alert);
      return;
    }

  flush = g_new0 (Flush, 1);
  flush->flags = flags;
  flush->probing = TRUE;
  flush->started_at = g_get_real_time ();
  /* Waits the backend asked for that are over now count for nothing. */
  g_hash_table_foreach_remove (self->not_before, is_past, &flush->started_at);
  g_task_set_task_data (task, flush, (GDestroyNotify) flush_free);

  list_task = g_task_new (self, NULL, listed_due_cb, g_steal_pointer (&task));
  g_task_set_source_tag (list_task, list_due_thread);
  g_task_set_task_data (list_task, flush, NULL);
  g_task_run_in_thread (list_task, list_due_thread);
}

GPtrArray *
haven_delivery_flush_finish (HavenDelivery  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (HAVEN_IS_DELIVERY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == haven_delivery_flush_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
