/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HAVEN_RECEIVER_KEYPAIR_ERROR (haven_receiver_keypair_error_quark ())

typedef enum {
  HAVEN_RECEIVER_KEYPAIR_ERROR_FILE,
  HAVEN_RECEIVER_KEYPAIR_ERROR_INVALID,
  HAVEN_RECEIVER_KEYPAIR_ERROR_INSECURE,
} HavenReceiverKeypairError;

#define HAVEN_TYPE_RECEIVER_KEYPAIR (haven_receiver_keypair_get_type ())

G_DECLARE_FINAL_TYPE (HavenReceiverKeypair, haven_receiver_keypair,
                      HAVEN, RECEIVER_KEYPAIR, GObject)

GQuark                haven_receiver_keypair_error_quark      (void);
HavenReceiverKeypair *haven_receiver_keypair_generate         (void);
HavenReceiverKeypair *haven_receiver_keypair_load             (const char            *path,
                                                               GError               **error);
gboolean              haven_receiver_keypair_save             (HavenReceiverKeypair  *self,
                                                               const char            *path,
                                                               GError               **error);
char                 *haven_receiver_keypair_dup_public_key   (HavenReceiverKeypair  *self);
GBytes               *haven_receiver_keypair_open             (HavenReceiverKeypair  *self,
                                                               GBytes                *sealed,
                                                               GError               **error);

G_END_DECLS
