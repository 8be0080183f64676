/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-case-client.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_DESK_FLEET_PAGE (haven_desk_fleet_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenDeskFleetPage, haven_desk_fleet_page, HAVEN, DESK_FLEET_PAGE, AdwBin)

/* The kiosks as they last reported, silent or backed-up ones first. */
void        haven_desk_fleet_page_set_client (HavenDeskFleetPage *self,
                                              HavenCaseClient    *client);
void        haven_desk_fleet_page_refresh    (HavenDeskFleetPage *self);
/* (element-type HavenKioskInfo), in the page's order. */
GListModel *haven_desk_fleet_page_get_kiosks (HavenDeskFleetPage *self);

G_END_DECLS
