/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HAVEN_TYPE_IDLE_MONITOR (haven_idle_monitor_get_type ())

G_DECLARE_FINAL_TYPE (HavenIdleMonitor, haven_idle_monitor, HAVEN, IDLE_MONITOR, GObject)

HavenIdleMonitor *haven_idle_monitor_new        (GtkWidget        *watched,
                                                 GSettings        *settings);
gboolean          haven_idle_monitor_get_armed  (HavenIdleMonitor *self);
void              haven_idle_monitor_set_armed  (HavenIdleMonitor *self,
                                                 gboolean          armed);
void              haven_idle_monitor_poke       (HavenIdleMonitor *self);

G_END_DECLS
