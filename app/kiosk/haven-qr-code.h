/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HAVEN_TYPE_QR_CODE (haven_qr_code_get_type ())

G_DECLARE_FINAL_TYPE (HavenQrCode, haven_qr_code, HAVEN, QR_CODE, AdwBin)

GtkWidget  *haven_qr_code_new         (void);
const char *haven_qr_code_get_text    (HavenQrCode *self);
void        haven_qr_code_set_text    (HavenQrCode *self,
                                       const char  *text);
GdkTexture *haven_qr_code_get_texture (HavenQrCode *self);

GdkTexture *haven_qr_code_render      (const char  *text,
                                       GError     **error);

G_END_DECLS
