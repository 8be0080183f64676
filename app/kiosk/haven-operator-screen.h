/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-bundle-updater.h"
#include "haven-content.h"
#include "haven-delivery.h"
#include "haven-operator-pin.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_OPERATOR_SCREEN (haven_operator_screen_get_type ())

G_DECLARE_FINAL_TYPE (HavenOperatorScreen, haven_operator_screen, HAVEN, OPERATOR_SCREEN, AdwBin)

GtkWidget *haven_operator_screen_new          (GSettings     *settings,
                                               HavenContent  *content,
                                               HavenDelivery *delivery,
                                               HavenPinGuard *pin_guard);
gboolean   haven_operator_screen_is_unlocked  (HavenOperatorScreen *self);
void       haven_operator_screen_set_bundle_updater (HavenOperatorScreen *self,
                                                     HavenBundleUpdater  *updater);

G_END_DECLS
