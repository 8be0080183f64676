/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HAVEN_TLS_PIN_ERROR (haven_tls_pin_error_quark ())

typedef enum {
  HAVEN_TLS_PIN_ERROR_INVALID,
  HAVEN_TLS_PIN_ERROR_CERTIFICATE,
} HavenTlsPinError;

GQuark    haven_tls_pin_error_quark         (void);
gboolean  haven_tls_pin_validate            (const char         *pin,
                                             GError            **error);
char     *haven_tls_pin_for_certificate     (GTlsCertificate    *certificate,
                                             GError            **error);
char     *haven_tls_pin_for_spki            (GBytes             *spki_der);
gboolean  haven_tls_pin_list_contains       (const char * const *pins,
                                             const char         *pin);

G_END_DECLS
