/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-sealed-box"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <sodium.h>

#include "haven-sealed-box.h"

/* Sealing is what keeps a queued request unreadable on a stolen kiosk: the
 * kiosk holds only the backend's public key, so once a body is sealed not
 * even the kiosk can open it again. */

G_STATIC_ASSERT (HAVEN_SEALED_BOX_KEY_BYTES == crypto_box_PUBLICKEYBYTES);
G_STATIC_ASSERT (HAVEN_SEALED_BOX_KEY_BYTES == crypto_box_SECRETKEYBYTES);
G_STATIC_ASSERT (HAVEN_SEALED_BOX_OVERHEAD == crypto_box_SEALBYTES);

G_DEFINE_QUARK (haven-sealed-box-error-quark, haven_sealed_box_error)

static void
ensure_sodium (void)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      /* It fails only when the system has no source of randomness, and then
       * nothing can be sealed safely at all. */
      if (sodium_init () < 0)
        g_error ("libsodium could not be initialised");
      g_once_init_leave (&initialised, 1);
    }
}

typedef struct {
  gsize size;
  guint8 data[];
} WipedBlock;

static void
wiped_block_free (gpointer data)
{
  WipedBlock *block = data;

  sodium_memzero (block->data, block->size);
  g_free (block);
}

GBytes *
haven_sealed_box_new_wiped_bytes (gconstpointer data,
                                  gsize         size)
{
  WipedBlock *block = g_malloc (sizeof (WipedBlock) + size);

  block->size = size;
  if (size > 0)
    memcpy (block->data, data, size);

  return g_bytes_new_with_free_func (block->data, size, wiped_block_free, block);
}

gboolean
haven_sealed_box_decode_key (const char   *base64,
                             guint8        key[HAVEN_SEALED_BOX_KEY_BYTES],
                             GError      **error)
{
  guint8 decoded[HAVEN_SEALED_BOX_KEY_BYTES + 1];
  size_t decoded_length = 0;
  const char *end = NULL;

  g_return_val_if_fail (base64 != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ensure_sodium ();

  /* libsodium's decoder, unlike g_base64_decode(), refuses characters
   * outside the alphabet instead of skipping them, so a key pasted with a
   * typo is reported rather than silently turned into another key. */
  if (sodium_base642bin (decoded, sizeof decoded, base64, strlen (base64), " \t\r\n",
                         &decoded_length, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      (end != NULL && *end != '\0') ||
      decoded_length != HAVEN_SEALED_BOX_KEY_BYTES)
    {
      g_set_error (error, HAVEN_SEALED_BOX_ERROR, HAVEN_SEALED_BOX_ERROR_INVALID_KEY,
                   _("The backend’s public key must be 32 bytes in base64"));
      return FALSE;
    }

  /* A key that cannot seal is better refused when it is read, from the
   * settings, than when a visitor confirms. */
  {
    g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
    g_autoptr(GBytes) trial = haven_sealed_box_seal (decoded, empty, error);

    if (trial == NULL)
      return FALSE;
  }

  memcpy (key, decoded, HAVEN_SEALED_BOX_KEY_BYTES);
  return TRUE;
}

char *
haven_sealed_box_encode_key (const guint8 key[HAVEN_SEALED_BOX_KEY_BYTES])
{
  g_return_val_if_fail (key != NULL, NULL);

  return g_base64_encode (key, HAVEN_SEALED_BOX_KEY_BYTES);
}

void
haven_sealed_box_generate_key_pair (guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES],
                                    guint8 secret_key[HAVEN_SEALED_BOX_KEY_BYTES])
{
  g_return_if_fail (public_key != NULL);
  g_return_if_fail (secret_key != NULL);

  ensure_sodium ();
  crypto_box_keypair (public_key, secret_key);
}

GBytes *
haven_sealed_box_seal (const guint8   public_key[HAVEN_SEALED_BOX_KEY_BYTES],
                       GBytes        *plain,
                       GError       **error)
{
  const guint8 *data;
  gsize size;
  guint8 *sealed;

  g_return_val_if_fail (public_key != NULL, NULL);
  g_return_val_if_fail (plain != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ensure_sodium ();

  data = g_bytes_get_data (plain, &size);
  sealed = g_malloc (size + crypto_box_SEALBYTES);
  /* It fails for a key of low order (all zeros, say), with which the
   * shared secret would be known to anyone. */
  if (crypto_box_seal (sealed, data, size, public_key) != 0)
    {
      g_free (sealed);
      g_set_error (error, HAVEN_SEALED_BOX_ERROR, HAVEN_SEALED_BOX_ERROR_INVALID_KEY,
                   _("The backend’s public key cannot be used for sealing"));
      return NULL;
    }

  return g_bytes_new_take (sealed, size + crypto_box_SEALBYTES);
}

GBytes *
haven_sealed_box_open (const guint8  public_key[HAVEN_SEALED_BOX_KEY_BYTES],
                       const guint8  secret_key[HAVEN_SEALED_BOX_KEY_BYTES],
                       GBytes       *sealed,
                       GError      **error)
{
  const guint8 *data;
  gsize size;
  WipedBlock *block;

  g_return_val_if_fail (public_key != NULL, NULL);
  g_return_val_if_fail (secret_key != NULL, NULL);
  g_return_val_if_fail (sealed != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ensure_sodium ();

  data = g_bytes_get_data (sealed, &size);
  if (size < crypto_box_SEALBYTES)
    {
      g_set_error (error, HAVEN_SEALED_BOX_ERROR, HAVEN_SEALED_BOX_ERROR_CANNOT_OPEN,
                   _("The sealed body is too short"));
      return NULL;
    }

  block = g_malloc (sizeof (WipedBlock) + size - crypto_box_SEALBYTES);
  block->size = size - crypto_box_SEALBYTES;
  if (crypto_box_seal_open (block->data, data, size, public_key, secret_key) != 0)
    {
      wiped_block_free (block);
      g_set_error (error, HAVEN_SEALED_BOX_ERROR, HAVEN_SEALED_BOX_ERROR_CANNOT_OPEN,
                   _("The sealed body cannot be opened with this key"));
      return NULL;
    }

  return g_bytes_new_with_free_func (block->data, block->size, wiped_block_free, block);
}
