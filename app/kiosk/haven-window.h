/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-bundle-updater.h"
#include "haven-idle-monitor.h"
#include "haven-operator-pin.h"
#include "haven-sender.h"
#include "haven-session.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_WINDOW (haven_window_get_type ())

G_DECLARE_FINAL_TYPE (HavenWindow, haven_window, HAVEN, WINDOW, AdwApplicationWindow)

HavenWindow      *haven_window_new               (gpointer     application,
                                                  GSettings   *settings,
                                                  HavenSender *sender);
HavenSession     *haven_window_get_session       (HavenWindow *self);
/* The content definitions in use; NULL when Haven cannot start. */
HavenContent     *haven_window_get_content       (HavenWindow *self);
GtkWidget        *haven_window_get_current_page  (HavenWindow *self);
HavenIdleMonitor *haven_window_get_idle_monitor  (HavenWindow *self);

HavenPinGuard    *haven_window_get_pin_guard    (HavenWindow *self);
GtkWidget        *haven_window_get_operator_screen (HavenWindow *self);
GtkWidget        *haven_window_get_cannot_start_page (HavenWindow *self);
void              haven_window_set_bundle_updater (HavenWindow        *self,
                                                   HavenBundleUpdater *updater);
HavenBundleUpdater *haven_window_get_bundle_updater (HavenWindow      *self);

G_END_DECLS
