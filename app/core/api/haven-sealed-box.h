/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* X25519 keys and the sealed boxes of haven-api-v1.md ("Sealed bodies"). */
#define HAVEN_SEALED_BOX_KEY_BYTES 32
/* A sealed box is this much longer than what it holds. */
#define HAVEN_SEALED_BOX_OVERHEAD  48

#define HAVEN_SEALED_BOX_ERROR (haven_sealed_box_error_quark ())

typedef enum {
  HAVEN_SEALED_BOX_ERROR_INVALID_KEY,
  HAVEN_SEALED_BOX_ERROR_CANNOT_OPEN,
} HavenSealedBoxError;

GQuark   haven_sealed_box_error_quark       (void);
/* Decodes standard base64 (surrounding white space allowed) holding
 * exactly HAVEN_SEALED_BOX_KEY_BYTES bytes. */
gboolean haven_sealed_box_decode_key        (const char   *base64,
                                             guint8        key[HAVEN_SEALED_BOX_KEY_BYTES],
                                             GError      **error);
char    *haven_sealed_box_encode_key        (const guint8  key[HAVEN_SEALED_BOX_KEY_BYTES]);
void     haven_sealed_box_generate_key_pair (guint8        public_key[HAVEN_SEALED_BOX_KEY_BYTES],
                                             guint8        secret_key[HAVEN_SEALED_BOX_KEY_BYTES]);
/* libsodium's crypto_box_seal: only the holder of the secret key can open
 * the result, and it is different every time. Fails only for a key of low
 * order, which haven_sealed_box_decode_key() refuses already. */
GBytes  *haven_sealed_box_seal              (const guint8  public_key[HAVEN_SEALED_BOX_KEY_BYTES],
                                             GBytes       *plain,
                                             GError      **error);
/* The result is wiped when its last reference goes. */
GBytes  *haven_sealed_box_open              (const guint8  public_key[HAVEN_SEALED_BOX_KEY_BYTES],
                                             const guint8  secret_key[HAVEN_SEALED_BOX_KEY_BYTES],
                                             GBytes       *sealed,
                                             GError      **error);
/* A GBytes that zeroes its copy of @data when freed, for visitor data. */
GBytes  *haven_sealed_box_new_wiped_bytes   (gconstpointer data,
                                             gsize         size);

G_END_DECLS
