/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HAVEN_TYPE_IDLE_WARNING (haven_idle_warning_get_type ())

G_DECLARE_FINAL_TYPE (HavenIdleWarning, haven_idle_warning, HAVEN, IDLE_WARNING, AdwBin)

GtkWidget *haven_idle_warning_new              (void);
void       haven_idle_warning_set_seconds_left (HavenIdleWarning *self,
                                                guint             seconds_left);

G_END_DECLS
