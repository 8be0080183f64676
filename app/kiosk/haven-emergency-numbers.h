/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-emergency-region.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_EMERGENCY_NUMBERS (haven_emergency_numbers_get_type ())

G_DECLARE_FINAL_TYPE (HavenEmergencyNumbers, haven_emergency_numbers, HAVEN, EMERGENCY_NUMBERS, AdwBin)

GtkWidget *haven_emergency_numbers_new              (void);
guint      haven_emergency_numbers_add              (HavenEmergencyNumbers *self,
                                                     HavenEmergencyRegion  *region,
                                                     const char * const    *kinds);
gboolean   haven_emergency_numbers_add_first        (HavenEmergencyNumbers *self,
                                                     HavenEmergencyRegion  *region,
                                                     const char            *kind);
void       haven_emergency_numbers_leave_out        (HavenEmergencyNumbers *self,
                                                     HavenEmergencyNumbers *other);
void       haven_emergency_numbers_set_side_by_side (HavenEmergencyNumbers *self,
                                                     gboolean               side_by_side);

G_END_DECLS
