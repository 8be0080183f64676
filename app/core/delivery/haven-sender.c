/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-sender"

#include "config.h"

#include "haven-kiosk-status.h"
#include "haven-sender.h"

struct _HavenSender
{
  GObject parent_instance;

  GSettings *settings;
  /* Made on first use: opening the outbox waits until something needs
   * it, and a kiosk that never sends never creates one. */
  HavenDelivery *delivery;
};

G_DEFINE_FINAL_TYPE (HavenSender, haven_sender, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

/* A request on its way. It outlives the visit if it must: the attempt
 * goes on, only its result is not recorded. */
typedef struct {
  HavenSession *session;
  HavenRequest *request;
  HavenRequestKind kind;
  HavenDelivery *delivery;
  char *request_id;
  /* For a request the backend has not answered yet. */
  char *kiosk_reference;
  /* The same request as the backend refused it (400) earlier in this
   * visit, kept as failed until this corrected one is saved. */
  char *superseded_id;
} Submission;

static void
submission_free (Submission *submission)
{
  /* A report is made for sending, and wiped once done with. */
  if (submission->kind == HAVEN_REQUEST_KIND_REPORT)
    haven_request_wipe (submission->request);
  g_clear_object (&submission->request);
  g_clear_object (&submission->session);
  g_clear_object (&submission->delivery);
  g_free (submission->request_id);
  g_free (submission->kiosk_reference);
  g_free (submission->superseded_id);
  g_free (submission);
}

/* A reference the visitor can read aloud, for a request the backend has not
 * answered yet: made from its request_id, so staff and the operator can
 * find it in the outbox. */
static char *
make_kiosk_reference (const char *request_id)
{
  g_autofree char *hex = g_ascii_strup (request_id, 8);

  return g_strdup_printf ("K-%.4s-%.4s", hex, hex + 4);
}

/* Records what became of the request, if the visit it belongs to is still
 * going on. */
static void
record (GTask                *task,
        HavenSubmissionState  state,
        const char           *reference,
        const char           *message,
        GHashTable           *field_errors)
{
  Submission *submission = g_task_get_task_data (task);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)) ||
      haven_session_is_wiped (submission->session))
    return;

  if (submission->kind != HAVEN_REQUEST_KIND_REPORT)
    {
      haven_session_set_submission (submission->session, state, reference, message, field_errors);
      return;
    }

  /* A report has no field the visitor could correct: a refusal is kept
   * for the staff, like a removal request refused for good. */
  if (state == HAVEN_SUBMISSION_INVALID)
    {
      state = HAVEN_SUBMISSION_REJECTED;
      reference = submission->kiosk_reference;
    }
  haven_session_set_report (submission->session, state, reference);
}

static void
fail_not_saved (GTask  *task,
                GError *error)
{
  Submission *submission = g_task_get_task_data (task);
  gboolean not_sealed = g_error_matches (error, HAVEN_OUTBOX_ERROR,
                                         HAVEN_OUTBOX_ERROR_NOT_SEALED) ||
                        g_error_matches (error, HAVEN_OUTBOX_ERROR,
                                         HAVEN_OUTBOX_ERROR_INVALID_KEY);

  /* The outbox's own words name files, limits and settings: for the
   * operator's log, not the visitor's screen. They never hold what the
   * visitor wrote. */
  g_message ("A %s could not be saved: %s",
             haven_request_kind_to_string (submission->kind), error->message);
  record (task, not_sealed ? HAVEN_SUBMISSION_NOT_SEALED : HAVEN_SUBMISSION_NOT_SAVED,
          NULL, error->message, NULL);
  g_task_return_error (task, error);
}

/* The refused request, kept as failed in case the visitor left, is of no
 * use to the staff once its correction is saved. */
static void
purge_superseded_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  HavenOutbox *outbox = source_object;
  const char *request_id = task_data;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;

  entry = haven_outbox_lookup (outbox, request_id, FALSE, &error);
  if (entry != NULL && entry->state == HAVEN_OUTBOX_STATE_FAILED &&
      !haven_outbox_purge (outbox, request_id, &error))
    g_message ("Request %s, corrected since, cannot be deleted: %s", request_id,
               error->message);

  g_task_return_boolean (task, TRUE);
}

static void
purge_superseded (HavenOutbox *outbox,
                  const char  *request_id)
{
  g_autoptr(GTask) task = g_task_new (outbox, NULL, NULL, NULL);

  g_task_set_source_tag (task, purge_superseded);
  g_task_set_task_data (task, g_strdup (request_id), g_free);
  g_task_run_in_thread (task, purge_superseded_thread);
}

static void
delivered_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenDeliveryResult) delivery_result = NULL;
  Submission *submission = g_task_get_task_data (task);

  delivery_result = haven_delivery_deliver_now_finish (HAVEN_DELIVERY (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (delivery_result == NULL)
    /* The request is saved: the outbox sends it later. */
    record (task, HAVEN_SUBMISSION_QUEUED, submission->kiosk_reference, NULL, NULL);
  else if (delivery_result->outcome == HAVEN_DELIVERY_OUTCOME_DELIVERED)
    record (task, HAVEN_SUBMISSION_SENT, delivery_result->case_reference, NULL, NULL);
  else if (delivery_result->outcome == HAVEN_DELIVERY_OUTCOME_INVALID)
    record (task, HAVEN_SUBMISSION_INVALID, NULL, NULL, delivery_result->field_errors);
  else if (haven_delivery_outcome_is_kept (delivery_result->outcome))
    record (task, HAVEN_SUBMISSION_QUEUED, submission->kiosk_reference, NULL, NULL);
  else
    record (task, HAVEN_SUBMISSION_REJECTED, submission->kiosk_reference, NULL, NULL);

  g_task_return_boolean (task, TRUE);
}

static void
enqueued_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Submission *submission = g_task_get_task_data (task);
  GCancellable *cancellable;

  if (!haven_outbox_enqueue_request_finish (HAVEN_OUTBOX (object), result, &error))
    {
      fail_not_saved (task, g_steal_pointer (&error));
      return;
    }

  if (submission->superseded_id != NULL)
    purge_superseded (HAVEN_OUTBOX (object), submission->superseded_id);

  /* Saved: from here on the request reaches the backend whatever the
   * visitor does. If they have left already, delivery sends it on its
   * own; otherwise one attempt now, so they leave with its reference. */
  if (g_task_return_error_if_cancelled (task))
    {
      haven_delivery_kick (submission->delivery);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  haven_delivery_deliver_now_async (submission->delivery, submission->request_id,
                                    haven_session_get_language (submission->session),
                                    cancellable, delivered_cb, g_steal_pointer (&task));
}

/**
 * haven_sender_submit_async:
 * @session: the visit @request belongs to; what becomes of it is recorded
 *   there
 * @request: a removal request or a report, as the visitor confirmed it. It
 *   is confirmed again (a new request_id), so a request refused earlier is
 *   sent as a new one. A report is wiped once done with.
 * @cancellable: (nullable): cancelled when the visit ends
 *
 * Saves @request to the outbox, then tries once to deliver it, and records
 * each step in @session (see the top of haven-sender.h). Saving is not
 * cancelled: what the visitor confirmed is saved even if they leave a
 * moment later.
 */
void
haven_sender_submit_async (HavenSender         *self,
                           HavenSession        *session,
                           HavenRequest        *request,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kiosk_id = NULL;
  g_autofree char *locale = NULL;
  Submission *submission;
  HavenDelivery *delivery;

  g_return_if_fail (HAVEN_IS_SENDER (self));
  g_return_if_fail (HAVEN_IS_SESSION (session));
  g_return_if_fail (HAVEN_IS_REQUEST (request));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_sender_submit_async);

  submission = g_new0 (Submission, 1);
  submission->session = g_object_ref (session);
  submission->request = g_object_ref (request);
  submission->kind = haven_request_get_kind (request);
  g_task_set_task_data (task, submission, (GDestroyNotify) submission_free);

  delivery = haven_sender_ensure_delivery (self, &error);
  if (delivery == NULL)
    {
      fail_not_saved (task, g_steal_pointer (&error));
      return;
    }
  submission->delivery = g_object_ref (delivery);

  /* Sent again after the backend refused its fields: the refused one was
   * kept only until this one is saved. */
  if (submission->kind == HAVEN_REQUEST_KIND_REMOVAL &&
      haven_session_get_submission_state (session) == HAVEN_SUBMISSION_INVALID &&
      haven_request_get_request_id (request) != NULL)
    submission->superseded_id = g_strdup (haven_request_get_request_id (request));

  /* Set here, where every request the kiosk sends passes, rather than by
   * each page: the body and its envelope then say the same. */
  haven_request_set_child_involved (request, haven_session_get_child_involved (session));

  kiosk_id = haven_kiosk_status_dup_kiosk_id (self->settings);
  locale = g_strdelimit (g_strdup (haven_session_get_language (session)), "_", '-');
  haven_request_confirm (request, kiosk_id, locale);
  submission->request_id = g_strdup (haven_request_get_request_id (request));
  submission->kiosk_reference = make_kiosk_reference (submission->request_id);

  record (task, HAVEN_SUBMISSION_SENDING, NULL, NULL, NULL);

  haven_outbox_enqueue_request_async (haven_delivery_get_outbox (delivery), request,
                                      NULL, enqueued_cb, g_steal_pointer (&task));
}

/**
 * haven_sender_submit_finish:
 *
 * Returns: %TRUE when the session holds what became of the request;
 *   %FALSE with G_IO_ERROR_CANCELLED when the visit ended first (a saved
 *   request is still delivered later), or with the reason it could not be
 *   saved (the session says %HAVEN_SUBMISSION_NOT_SAVED)
 */
gboolean
haven_sender_submit_finish (HavenSender   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (HAVEN_IS_SENDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == haven_sender_submit_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * haven_sender_ensure_delivery:
 *
 * Returns: (transfer none): the delivery of queued requests, started; made
 *   on first use from the settings, opening the outbox
 */
HavenDelivery *
haven_sender_ensure_delivery (HavenSender  *self,
                              GError      **error)
{
  g_autoptr(HavenOutbox) outbox = NULL;

  g_return_val_if_fail (HAVEN_IS_SENDER (self), NULL);

  if (self->delivery != NULL)
    return self->delivery;

  outbox = haven_outbox_new_from_settings (self->settings, error);
  if (outbox == NULL)
    return NULL;

  self->delivery = haven_delivery_new (self->settings, outbox);
  haven_delivery_start (self->delivery);

  return self->delivery;
}

static void
haven_sender_dispose (GObject *object)
{
  HavenSender *self = HAVEN_SENDER (object);

  if (self->delivery != NULL)
    haven_delivery_stop (self->delivery);
  g_clear_object (&self->delivery);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (haven_sender_parent_class)->dispose (object);
}

static void
haven_sender_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HavenSender *self = HAVEN_SENDER (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_sender_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  HavenSender *self = HAVEN_SENDER (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_sender_class_init (HavenSenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haven_sender_dispose;
  object_class->get_property = haven_sender_get_property;
  object_class->set_property = haven_sender_set_property;

  props[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
haven_sender_init (HavenSender *self)
{
}

/**
 * haven_sender_new:
 * @settings: settings of the `io.github.havenkiosk.Haven` schema: the
 *   outbox, the backend and the kiosk-id
 */
HavenSender *
haven_sender_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (HAVEN_TYPE_SENDER,
                       "settings", settings,
                       NULL);
}
