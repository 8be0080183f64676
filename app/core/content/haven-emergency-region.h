/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HAVEN_TYPE_EMERGENCY_REGION (haven_emergency_region_get_type ())

G_DECLARE_FINAL_TYPE (HavenEmergencyRegion, haven_emergency_region, HAVEN, EMERGENCY_REGION,
                      GObject)

HavenEmergencyRegion *haven_emergency_region_new              (const char           *code,
                                                               const char           *name,
                                                               const char           *source,
                                                               const char           *checked);
void                  haven_emergency_region_add_number       (HavenEmergencyRegion *self,
                                                               const char           *kind,
                                                               const char           *value,
                                                               const char           *label);
void                  haven_emergency_region_add_link         (HavenEmergencyRegion *self,
                                                               const char           *kind,
                                                               const char           *url,
                                                               const char           *name,
                                                               const char           *label);
const char           *haven_emergency_region_get_code         (HavenEmergencyRegion *self);
const char           *haven_emergency_region_get_name         (HavenEmergencyRegion *self);
const char           *haven_emergency_region_get_source       (HavenEmergencyRegion *self);
const char           *haven_emergency_region_get_checked      (HavenEmergencyRegion *self);
guint                 haven_emergency_region_get_n_numbers    (HavenEmergencyRegion *self);
const char           *haven_emergency_region_get_number_kind  (HavenEmergencyRegion *self,
                                                               guint                 position);
const char           *haven_emergency_region_get_number_value (HavenEmergencyRegion *self,
                                                               guint                 position);
const char           *haven_emergency_region_get_number_label (HavenEmergencyRegion *self,
                                                               guint                 position);
guint                 haven_emergency_region_get_n_links      (HavenEmergencyRegion *self);
const char           *haven_emergency_region_get_link_kind    (HavenEmergencyRegion *self,
                                                               guint                 position);
const char           *haven_emergency_region_get_link_url     (HavenEmergencyRegion *self,
                                                               guint                 position);
const char           *haven_emergency_region_get_link_label   (HavenEmergencyRegion *self,
                                                               guint                 position);
const char           *haven_emergency_region_get_link_name    (HavenEmergencyRegion *self,
                                                               guint                 position);

G_END_DECLS
