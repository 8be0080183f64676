/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "haven-receiver-call.h"
#include "haven-receiver-store.h"

G_BEGIN_DECLS

#define HAVEN_RECEIVER_FLEET_STATUS_PATH "/v1/kiosk-status"
#define HAVEN_RECEIVER_FLEET_KIOSKS_PATH "/v1/kiosks"

/* The largest status report taken (haven-api-v1.md); larger is 413. */
#define HAVEN_RECEIVER_FLEET_MAX_BODY 4096

/* GET /v1/kiosks without bounds: silent after three missed reports at
 * the kiosks' default interval of 300 s, backed up over 10 queued. */
#define HAVEN_RECEIVER_FLEET_DEFAULT_SILENT_AFTER 900
#define HAVEN_RECEIVER_FLEET_DEFAULT_BACKED_UP_OVER 10

#define HAVEN_TYPE_RECEIVER_FLEET (haven_receiver_fleet_get_type ())

G_DECLARE_FINAL_TYPE (HavenReceiverFleet, haven_receiver_fleet, HAVEN, RECEIVER_FLEET, GObject)

HavenReceiverFleet *haven_receiver_fleet_new     (HavenReceiverStore       *store);
gboolean            haven_receiver_fleet_owns_path (const char             *path);
gboolean            haven_receiver_fleet_handle  (HavenReceiverFleet       *self,
                                                  const HavenReceiverCall  *call,
                                                  HavenReceiverAnswer      *answer);

G_END_DECLS
