/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-idle-monitor"

#include "config.h"

#include "haven-idle-monitor.h"

/* Notices when a visitor has walked away. After idle-timeout seconds
 * without a touch, click or key it emits ::warning with the seconds left,
 * once a second for idle-warning seconds, then ::expired. Any input during
 * the warning emits ::resumed and starts the wait again.
 *
 * Input only records the time: it never touches a timer. The one timeout
 * wakes when the visitor could first be idle, and if there was input in
 * the meantime it simply sleeps again until the new deadline. So a kiosk
 * that nobody uses wakes up once per idle period at most, and not at all
 * when the monitor is not armed (on the welcome page). */

#define USEC_PER_SEC G_USEC_PER_SEC

struct _HavenIdleMonitor
{
  GObject parent_instance;

  GtkWidget *watched;
  GtkEventController *controller;
  GSettings *settings;

  gint64 last_input;
  gint64 warning_deadline;
  guint timeout_id;
  gboolean armed;
  gboolean warning;
};

G_DEFINE_FINAL_TYPE (HavenIdleMonitor, haven_idle_monitor, G_TYPE_OBJECT)

enum {
  WARNING,
  RESUMED,
  EXPIRED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static gboolean timeout_cb (gpointer user_data);

static void
wake_at (HavenIdleMonitor *self,
         gint64            deadline)
{
  gint64 delay_ms = MAX (0, (deadline - g_get_monotonic_time () + 999) / 1000);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) MIN (delay_ms, G_MAXUINT),
                                         timeout_cb, self, NULL);
  g_source_set_name_by_id (self->timeout_id, "[haven] idle monitor");
}

static gint64
idle_timeout_us (HavenIdleMonitor *self)
{
  return (gint64) g_settings_get_uint (self->settings, "idle-timeout") * USEC_PER_SEC;
}

static void
emit_warning (HavenIdleMonitor *self,
              gint64            now)
{
  guint seconds_left = (guint) ((self->warning_deadline - now + USEC_PER_SEC - 1) / USEC_PER_SEC);

  /* The countdown is shown in whole seconds: wake on the next one. The
   * timer is set before the signal, whose handlers may disarm it. */
  wake_at (self, self->warning_deadline - (gint64) (seconds_left - 1) * USEC_PER_SEC);
  g_signal_emit (self, signals[WARNING], 0, seconds_left);
}

static gboolean
timeout_cb (gpointer user_data)
{
  HavenIdleMonitor *self = user_data;
  gint64 now = g_get_monotonic_time ();

  self->timeout_id = 0;

  if (!self->warning)
    {
      gint64 idle_deadline = self->last_input + idle_timeout_us (self);

      if (now < idle_deadline)
        {
          wake_at (self, idle_deadline);
          return G_SOURCE_REMOVE;
        }

      self->warning = TRUE;
      self->warning_deadline = now + (gint64) g_settings_get_uint (self->settings, "idle-warning") * USEC_PER_SEC;
      emit_warning (self, now);
      return G_SOURCE_REMOVE;
    }

  if (now < self->warning_deadline)
    {
      emit_warning (self, now);
      return G_SOURCE_REMOVE;
    }

  self->warning = FALSE;
  self->armed = FALSE;
  g_signal_emit (self, signals[EXPIRED], 0);

  return G_SOURCE_REMOVE;
}

/**
 * haven_idle_monitor_poke:
 *
 * Counts as input from the visitor.
 */
void
haven_idle_monitor_poke (HavenIdleMonitor *self)
{
  g_return_if_fail (HAVEN_IS_IDLE_MONITOR (self));

  self->last_input = g_get_monotonic_time ();

  if (self->warning)
    {
      self->warning = FALSE;
      g_signal_emit (self, signals[RESUMED], 0);
      if (self->armed)
        wake_at (self, self->last_input + idle_timeout_us (self));
    }
}

static gboolean
event_cb (GtkEventControllerLegacy *controller,
          GdkEvent                 *event,
          HavenIdleMonitor         *self)
{
  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_KEY_PRESS:
    case GDK_BUTTON_PRESS:
    case GDK_TOUCH_BEGIN:
    case GDK_SCROLL:
    case GDK_TOUCHPAD_SWIPE:
    case GDK_TOUCHPAD_PINCH:
      haven_idle_monitor_poke (self);
      break;

    default:
      break;
    }

  return GDK_EVENT_PROPAGATE;
}

static void
haven_idle_monitor_dispose (GObject *object)
{
  HavenIdleMonitor *self = HAVEN_IDLE_MONITOR (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->watched != NULL && self->controller != NULL)
    gtk_widget_remove_controller (self->watched, self->controller);
  self->controller = NULL;
  g_clear_weak_pointer (&self->watched);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (haven_idle_monitor_parent_class)->dispose (object);
}

static void
haven_idle_monitor_class_init (HavenIdleMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haven_idle_monitor_dispose;

  /**
   * HavenIdleMonitor::warning:
   * @seconds_left: seconds before the visit is cleared
   */
  signals[WARNING] =
    g_signal_new ("warning",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  signals[RESUMED] =
    g_signal_new ("resumed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  signals[EXPIRED] =
    g_signal_new ("expired",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
haven_idle_monitor_init (HavenIdleMonitor *self)
{
  self->last_input = g_get_monotonic_time ();
}

/**
 * haven_idle_monitor_new:
 * @watched: the widget whose input counts, usually the window
 * @settings: settings of the `io.github.havenkiosk.Haven` schema
 */
HavenIdleMonitor *
haven_idle_monitor_new (GtkWidget *watched,
                        GSettings *settings)
{
  HavenIdleMonitor *self;

  g_return_val_if_fail (GTK_IS_WIDGET (watched), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (HAVEN_TYPE_IDLE_MONITOR, NULL);
  g_set_weak_pointer (&self->watched, watched);
  self->settings = g_object_ref (settings);

  /* Capture phase: input counts wherever it lands, even on a widget that
   * stops it. */
  self->controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (self->controller, GTK_PHASE_CAPTURE);
  g_signal_connect (self->controller, "event", G_CALLBACK (event_cb), self);
  gtk_widget_add_controller (watched, self->controller);

  return self;
}

gboolean
haven_idle_monitor_get_armed (HavenIdleMonitor *self)
{
  g_return_val_if_fail (HAVEN_IS_IDLE_MONITOR (self), FALSE);

  return self->armed;
}

/**
 * haven_idle_monitor_set_armed:
 *
 * Starts watching (a visit is under way) or stops (nothing to clear).
 */
void
haven_idle_monitor_set_armed (HavenIdleMonitor *self,
                              gboolean          armed)
{
  g_return_if_fail (HAVEN_IS_IDLE_MONITOR (self));

  armed = !!armed;
  if (self->armed == armed)
    return;

  self->armed = armed;
  self->warning = FALSE;
  g_clear_handle_id (&self->timeout_id, g_source_remove);

  if (armed)
    {
      self->last_input = g_get_monotonic_time ();
      wake_at (self, self->last_input + idle_timeout_us (self));
    }
}

