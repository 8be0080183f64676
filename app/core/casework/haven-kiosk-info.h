/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One kiosk of GET /v1/kiosks (data/api/haven-caseworker-api-v1.md,
 * "Fleet status"). */

#define HAVEN_TYPE_KIOSK_INFO (haven_kiosk_info_get_type ())

G_DECLARE_FINAL_TYPE (HavenKioskInfo, haven_kiosk_info, HAVEN, KIOSK_INFO, GObject)

/* G_IO_ERROR_INVALID_DATA for an object that is not one. */
HavenKioskInfo *haven_kiosk_info_new_from_json        (JsonObject     *object,
                                                       GError        **error);
const char     *haven_kiosk_info_get_kiosk_id         (HavenKioskInfo *self);
/* When the receiver last heard from it, by the receiver's clock. */
GDateTime      *haven_kiosk_info_get_received_at      (HavenKioskInfo *self);
const char     *haven_kiosk_info_get_received_from    (HavenKioskInfo *self);
gboolean        haven_kiosk_info_is_silent            (HavenKioskInfo *self);
gboolean        haven_kiosk_info_is_backed_up         (HavenKioskInfo *self);
/* From the kiosk's report; NULL or -1 when it did not say. */
const char     *haven_kiosk_info_get_version          (HavenKioskInfo *self);
GDateTime      *haven_kiosk_info_get_reported_at      (HavenKioskInfo *self);
gint64          haven_kiosk_info_get_queued           (HavenKioskInfo *self);
gint64          haven_kiosk_info_get_sending          (HavenKioskInfo *self);
gint64          haven_kiosk_info_get_delivered        (HavenKioskInfo *self);
gint64          haven_kiosk_info_get_failed           (HavenKioskInfo *self);
const char     *haven_kiosk_info_get_directory_version (HavenKioskInfo *self);
const char     *haven_kiosk_info_get_content_version  (HavenKioskInfo *self);
const char     *haven_kiosk_info_get_bundle_version   (HavenKioskInfo *self);
const char     *haven_kiosk_info_get_bundle_error     (HavenKioskInfo *self);
gboolean        haven_kiosk_info_get_directory_out_of_date (HavenKioskInfo *self);
/* The last error's HTTP status (0 for no answer at all) and time; -1 and
 * NULL when the kiosk reported none. */
int             haven_kiosk_info_get_last_error_status (HavenKioskInfo *self);
GDateTime      *haven_kiosk_info_get_last_error_at    (HavenKioskInfo *self);
/* Fleet order: silent or backed-up kiosks first, then by the time last
 * heard from, oldest first, then by id. A GCompareDataFunc. */
int             haven_kiosk_info_compare_for_fleet    (gconstpointer   a,
                                                       gconstpointer   b,
                                                       gpointer        user_data);

G_END_DECLS
