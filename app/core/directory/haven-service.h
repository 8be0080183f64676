/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* How far a service reaches, as seen from the kiosk's region. */
typedef enum {
  HAVEN_SERVICE_REACH_ANYWHERE,
  HAVEN_SERVICE_REACH_NATIONAL,
  HAVEN_SERVICE_REACH_LOCAL,
} HavenServiceReach;

#define HAVEN_TYPE_SERVICE (haven_service_get_type ())

G_DECLARE_FINAL_TYPE (HavenService, haven_service, HAVEN, SERVICE, GObject)

HavenService       *haven_service_new_from_details    (const char         *details,
                                                       const char         *language,
                                                       GError            **error);
const char         *haven_service_get_id              (HavenService       *self);
const char         *haven_service_get_name            (HavenService       *self);
const char         *haven_service_get_organization    (HavenService       *self);
const char         *haven_service_get_description     (HavenService       *self);
const char         *haven_service_get_url             (HavenService       *self);
const char         *haven_service_get_email           (HavenService       *self);
const char         *haven_service_get_fees            (HavenService       *self);
gboolean            haven_service_get_free            (HavenService       *self);
guint               haven_service_get_n_phones        (HavenService       *self);
const char         *haven_service_get_phone_number    (HavenService       *self,
                                                       guint               position);
const char         *haven_service_get_phone_description (HavenService     *self,
                                                       guint               position);
const char * const *haven_service_get_addresses       (HavenService       *self);
const char * const *haven_service_get_languages       (HavenService       *self);
const char * const *haven_service_get_service_areas   (HavenService       *self);
const char         *haven_service_get_source          (HavenService       *self);
const char         *haven_service_get_assured_date    (HavenService       *self);
const char * const *haven_service_get_categories      (HavenService       *self);
void                haven_service_set_categories      (HavenService       *self,
                                                       const char * const *categories);
gboolean            haven_service_get_open_now        (HavenService       *self);
gboolean            haven_service_get_always_open     (HavenService       *self);
gboolean            haven_service_get_has_hours       (HavenService       *self);
const char         *haven_service_get_hours_today     (HavenService       *self);
void                haven_service_set_hours           (HavenService       *self,
                                                       gboolean            has_hours,
                                                       gboolean            open_now,
                                                       gboolean            always_open,
                                                       const char         *hours_today);
const char         *haven_service_get_next_opening    (HavenService       *self);
void                haven_service_set_next_opening    (HavenService       *self,
                                                       const char         *next_opening);
HavenServiceReach   haven_service_get_reach           (HavenService       *self);
void                haven_service_set_reach           (HavenService       *self,
                                                       HavenServiceReach   reach);

G_END_DECLS
