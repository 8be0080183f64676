/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-status-reporter"

#include "config.h"

#include "haven-backend.h"
#include "haven-kiosk-status.h"
#include "haven-status-reporter.h"

/* The kiosk's half of fleet status: a report to the backend every few
 * minutes, so that the organisation sees a kiosk that went silent or whose
 * outbox is backing up without anyone visiting it. The report is built
 * afresh each time from the outbox the sender delivers from, and sent
 * with a backend made from the same settings as submissions (URL, CA,
 * pins, token, client certificate). */

/* A report more often than this says nothing new and costs a handshake. */
#define MIN_INTERVAL_SECONDS 30

struct _HavenStatusReporter
{
  GObject parent_instance;

  GSettings *settings;
  HavenSender *sender;
  HavenStatusVersionsFunc versions_func;
  gpointer versions_data;
  GDestroyNotify versions_destroy;
  GCancellable *cancellable;

  guint min_interval;
  gulong settings_changed_id;
  guint timeout_id;
  gboolean started;
  gboolean in_flight;
};

G_DEFINE_FINAL_TYPE (HavenStatusReporter, haven_status_reporter, G_TYPE_OBJECT)

static void arm_timer (HavenStatusReporter *self);

static void
haven_status_reporter_dispose (GObject *object)
{
  HavenStatusReporter *self = HAVEN_STATUS_REPORTER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_signal_handler (&self->settings_changed_id, self->settings);
  g_clear_object (&self->settings);
  g_clear_object (&self->sender);
  g_clear_object (&self->cancellable);
  if (self->versions_destroy != NULL)
    g_clear_pointer (&self->versions_data, self->versions_destroy);

  G_OBJECT_CLASS (haven_status_reporter_parent_class)->dispose (object);
}

static void
haven_status_reporter_class_init (HavenStatusReporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haven_status_reporter_dispose;
}

static void
haven_status_reporter_init (HavenStatusReporter *self)
{
  self->cancellable = g_cancellable_new ();
  self->min_interval = MIN_INTERVAL_SECONDS;
}

HavenStatusReporter *
haven_status_reporter_new (GSettings               *settings,
                           HavenSender             *sender,
                           HavenStatusVersionsFunc  versions_func,
                           gpointer                 user_data,
                           GDestroyNotify           destroy)
{
  HavenStatusReporter *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (HAVEN_IS_SENDER (sender), NULL);

  self = g_object_new (HAVEN_TYPE_STATUS_REPORTER, NULL);
  self->settings = g_object_ref (settings);
  self->sender = g_object_ref (sender);
  self->versions_func = versions_func;
  self->versions_data = user_data;
  self->versions_destroy = destroy;

  return self;
}

guint
haven_status_reporter_get_interval (HavenStatusReporter *self)
{
  guint interval;

  g_return_val_if_fail (HAVEN_IS_STATUS_REPORTER (self), 0);

  interval = g_settings_get_uint (self->settings, "status-report-interval");
  return interval == 0 ? 0 : MAX (interval, self->min_interval);
}

void
haven_status_reporter_set_min_interval (HavenStatusReporter *self,
                                        guint                seconds)
{
  g_return_if_fail (HAVEN_IS_STATUS_REPORTER (self));
  g_return_if_fail (seconds > 0);

  self->min_interval = seconds;
  if (self->started)
    arm_timer (self);
}

static void
reported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  HavenStatusReporter *self = HAVEN_STATUS_REPORTER (object);
  g_autoptr(GError) error = NULL;
  guint status = 0;

  self->in_flight = FALSE;
  if (haven_status_reporter_report_finish (self, result, &status, &error))
    g_debug ("Status reported (HTTP %u)", status);
  else if (g_error_matches (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_NOT_CONFIGURED))
    /* A kiosk with no backend has nobody to report to, and its log says
     * so already when a visitor sends. */
    g_debug ("No status report: %s", error->message);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* For the operator's log: the next tick tries again. */
    g_message ("The status report was not sent: %s", error->message);
}

static gboolean
tick_cb (gpointer user_data)
{
  HavenStatusReporter *self = user_data;

  /* A report still waiting for its answer (a backend slower than the
   * interval) is not joined by another. */
  if (!self->in_flight)
    {
      self->in_flight = TRUE;
      haven_status_reporter_report_async (self, self->cancellable, reported_cb, NULL);
    }

  return G_SOURCE_CONTINUE;
}

static void
arm_timer (HavenStatusReporter *self)
{
  guint interval = haven_status_reporter_get_interval (self);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (interval > 0)
    self->timeout_id = g_timeout_add_seconds (interval, tick_cb, self);
}

static void
settings_changed_cb (GSettings  *settings,
                     const char *key,
                     gpointer    user_data)
{
  if (g_strcmp0 (key, "status-report-interval") == 0)
    arm_timer (user_data);
}

void
haven_status_reporter_start (HavenStatusReporter *self)
{
  g_return_if_fail (HAVEN_IS_STATUS_REPORTER (self));

  if (self->started)
    return;

  self->started = TRUE;
  self->settings_changed_id = g_signal_connect (self->settings, "changed::status-report-interval",
                                                G_CALLBACK (settings_changed_cb), self);
  arm_timer (self);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  guint status = 0;

  if (haven_kiosk_status_send_finish (HAVEN_BACKEND (object), result, &status, &error))
    g_task_return_int (task, status);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
haven_status_reporter_report_async (HavenStatusReporter *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(JsonNode) bundle = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenBackend) backend = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *kiosk_id = NULL;
  g_autofree char *directory_version = NULL;
  g_autofree char *content_version = NULL;
  g_autofree char *body = NULL;
  HavenDelivery *delivery;

  g_return_if_fail (HAVEN_IS_STATUS_REPORTER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_status_reporter_report_async);

  delivery = haven_sender_ensure_delivery (self->sender, &error);
  if (delivery == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Made for each report, so it follows the backend settings as
   * submissions do, with nothing kept between two reports. */
  backend = haven_backend_new_from_settings (self->settings, &error);
  if (backend == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (self->versions_func != NULL)
    self->versions_func (self->versions_data, &directory_version, &content_version);

  kiosk_id = haven_kiosk_status_dup_kiosk_id (self->settings);
  now = g_date_time_new_now_utc ();
  bundle = haven_kiosk_status_build_bundle (self->settings, directory_version);
  body = haven_kiosk_status_build_body (haven_delivery_get_outbox (delivery), kiosk_id,
                                        directory_version, content_version, bundle, now, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_set_task_data (task, g_object_ref (backend), g_object_unref);
  haven_kiosk_status_send_async (backend, body, cancellable, sent_cb, g_steal_pointer (&task));
}

gboolean
haven_status_reporter_report_finish (HavenStatusReporter  *self,
                                     GAsyncResult         *result,
                                     guint                *status,
                                     GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize value;

  g_return_val_if_fail (HAVEN_IS_STATUS_REPORTER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_status_reporter_report_async, FALSE);

  value = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (status != NULL)
    *status = (guint) value;
  return TRUE;
}
