/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HAVEN_TYPE_APPLICATION (haven_application_get_type ())

G_DECLARE_FINAL_TYPE (HavenApplication, haven_application, HAVEN, APPLICATION, AdwApplication)

HavenApplication *haven_application_new             (void);

int               haven_application_get_exit_status (HavenApplication *self);

G_END_DECLS
