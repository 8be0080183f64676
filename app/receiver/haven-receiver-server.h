/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-receiver-store.h"

G_BEGIN_DECLS

#define HAVEN_RECEIVER_SERVER_ERROR (haven_receiver_server_error_quark ())

typedef enum {
  HAVEN_RECEIVER_SERVER_ERROR_INSECURE,
  HAVEN_RECEIVER_SERVER_ERROR_LISTEN,
} HavenReceiverServerError;

#define HAVEN_TYPE_RECEIVER_SERVER (haven_receiver_server_get_type ())

G_DECLARE_FINAL_TYPE (HavenReceiverServer, haven_receiver_server, HAVEN, RECEIVER_SERVER, GObject)

GQuark               haven_receiver_server_error_quark (void);
HavenReceiverServer *haven_receiver_server_new         (HavenReceiverStore   *store,
                                                        GTlsCertificate      *tls_certificate,
                                                        GTlsDatabase         *client_ca,
                                                        gboolean              require_client_cert);
gboolean             haven_receiver_server_listen      (HavenReceiverServer  *self,
                                                        GInetSocketAddress   *address,
                                                        GError              **error);
char                *haven_receiver_server_dup_url     (HavenReceiverServer  *self);
void                 haven_receiver_server_disconnect  (HavenReceiverServer  *self);

G_END_DECLS
