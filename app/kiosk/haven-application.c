/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-application"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-application.h"
#include "haven-first-frame.h"
#include "haven-window.h"

struct _HavenApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  /* Sends queued requests for as long as Haven runs, whoever is at the
   * kiosk. */
  HavenDelivery *delivery;
};

G_DEFINE_FINAL_TYPE (HavenApplication, haven_application, ADW_TYPE_APPLICATION)

/**
 * haven_application_ensure_delivery:
 *
 * Returns: (transfer none): the delivery of queued requests, started; made
 *   on first use, opening the outbox
 */
HavenDelivery *
haven_application_ensure_delivery (HavenApplication  *self,
                                   GError           **error)
{
  g_autoptr(HavenOutbox) outbox = NULL;

  g_return_val_if_fail (HAVEN_IS_APPLICATION (self), NULL);

  if (self->delivery != NULL)
    return self->delivery;

  outbox = haven_outbox_new_from_settings (self->settings, error);
  if (outbox == NULL)
    return NULL;

  self->delivery = haven_delivery_new (self->settings, outbox);
  haven_delivery_start (self->delivery);

  return self->delivery;
}

/* Requests left queued by an earlier run go out without waiting for the
 * next visitor; opening the outbox waits until the window is on screen. */
static gboolean
start_delivery_cb (gpointer user_data)
{
  HavenApplication *self = user_data;
  g_autoptr(GError) error = NULL;

  if (haven_application_ensure_delivery (self, &error) == NULL)
    g_warning ("Queued requests cannot be sent: %s", error->message);

  return G_SOURCE_REMOVE;
}

static void
haven_application_activate (GApplication *application)
{
  HavenApplication *self = HAVEN_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      window = GTK_WINDOW (haven_window_new (self, self->settings));
      haven_first_frame_watch (window);
    }

  gtk_window_present (window);

  if (self->delivery == NULL)
    g_idle_add_full (G_PRIORITY_LOW, start_delivery_cb, g_object_ref (self), g_object_unref);
}

static void
haven_application_startup (GApplication *application)
{
  HavenApplication *self = HAVEN_APPLICATION (application);

  G_APPLICATION_CLASS (haven_application_parent_class)->startup (application);

  /* A kiosk keeps no history of what its visitors opened. */
  g_object_set (gtk_settings_get_default (),
                "gtk-recent-files-enabled", FALSE,
                NULL);

  self->settings = g_settings_new (APP_ID);
}

static void
haven_application_dispose (GObject *object)
{
  HavenApplication *self = HAVEN_APPLICATION (object);

  if (self->delivery != NULL)
    haven_delivery_stop (self->delivery);
  g_clear_object (&self->delivery);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (haven_application_parent_class)->dispose (object);
}

static void
haven_application_class_init (HavenApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = haven_application_dispose;

  application_class->activate = haven_application_activate;
  application_class->startup = haven_application_startup;
}

static void
haven_application_init (HavenApplication *self)
{
}

HavenApplication *
haven_application_new (void)
{
  return g_object_new (HAVEN_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/havenkiosk/Haven",
                       NULL);
}

GSettings *
haven_application_get_settings (HavenApplication *self)
{
  g_return_val_if_fail (HAVEN_IS_APPLICATION (self), NULL);

  return self->settings;
}
