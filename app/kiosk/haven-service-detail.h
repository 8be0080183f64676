/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-qr-code.h"
#include "haven-service.h"
#include "haven-session.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_SERVICE_DETAIL (haven_service_detail_get_type ())

G_DECLARE_FINAL_TYPE (HavenServiceDetail, haven_service_detail, HAVEN, SERVICE_DETAIL, AdwBin)

GtkWidget   *haven_service_detail_new          (HavenService       *service,
                                                HavenSession       *session);
HavenQrCode *haven_service_detail_get_qr_code  (HavenServiceDetail *self);
char        *haven_service_build_vcard         (HavenService       *service);

G_END_DECLS
