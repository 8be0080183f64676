/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-emergency-region.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_HELP_NUMBERS (haven_help_numbers_get_type ())

G_DECLARE_FINAL_TYPE (HavenHelpNumbers, haven_help_numbers, HAVEN, HELP_NUMBERS, AdwBin)

GtkWidget *haven_help_numbers_new (void);
guint      haven_help_numbers_add (HavenHelpNumbers     *self,
                                   HavenEmergencyRegion *region,
                                   const char * const   *kinds);

G_END_DECLS
