/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-tls-pin"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "haven-tls-pin.h"

/* Public-key pins in the form curl's --pinnedpubkey takes:
 * "sha256//" followed by the base64 of the SHA-256 of the DER-encoded
 * SubjectPublicKeyInfo. Pinning the key rather than the certificate lets the
 * backend renew its certificate without touching every kiosk. */

#define PIN_PREFIX "sha256//"
#define SHA256_LENGTH 32

G_DEFINE_QUARK (haven-tls-pin-error-quark, haven_tls_pin_error)

gboolean
haven_tls_pin_validate (const char  *pin,
                        GError     **error)
{
  const char *encoded;
  g_autofree guchar *decoded = NULL;
  g_autofree char *reencoded = NULL;
  gsize decoded_length = 0;

  g_return_val_if_fail (pin != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_str_has_prefix (pin, PIN_PREFIX))
    {
      g_set_error (error, HAVEN_TLS_PIN_ERROR, HAVEN_TLS_PIN_ERROR_INVALID,
                   _("The pinned key “%s” does not start with sha256//"), pin);
      return FALSE;
    }

  encoded = pin + strlen (PIN_PREFIX);
  /* 32 bytes are always 44 base64 characters with one "=" of padding;
   * checking the form first keeps g_base64_decode from skipping junk. */
  if (strlen (encoded) != 44 || encoded[43] != '=' ||
      strspn (encoded, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") != 43)
    {
      g_set_error (error, HAVEN_TLS_PIN_ERROR, HAVEN_TLS_PIN_ERROR_INVALID,
                   _("The pinned key “%s” is not the base64 of a SHA-256 hash"), pin);
      return FALSE;
    }

  decoded = g_base64_decode (encoded, &decoded_length);
  /* Pins are compared as strings, so a non-canonical encoding of the right
   * hash (the last character's two spare bits set) could never match. */
  reencoded = g_base64_encode (decoded, decoded_length);
  if (decoded_length != SHA256_LENGTH || strcmp (reencoded, encoded) != 0)
    {
      g_set_error (error, HAVEN_TLS_PIN_ERROR, HAVEN_TLS_PIN_ERROR_INVALID,
                   _("The pinned key “%s” is not the base64 of a SHA-256 hash"), pin);
      return FALSE;
    }

  return TRUE;
}

char *
haven_tls_pin_for_spki (GBytes *spki_der)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[SHA256_LENGTH];
  gsize digest_length = sizeof digest;
  g_autofree char *encoded = NULL;

  g_return_val_if_fail (spki_der != NULL, NULL);

  g_checksum_update (checksum,
                     g_bytes_get_data (spki_der, NULL),
                     g_bytes_get_size (spki_der));
  g_checksum_get_digest (checksum, digest, &digest_length);
  encoded = g_base64_encode (digest, digest_length);

  return g_strconcat (PIN_PREFIX, encoded, NULL);
}

/**
 * haven_tls_pin_for_certificate:
 *
 * Returns: (transfer full): the pin of the public key in @certificate
 */
char *
haven_tls_pin_for_certificate (GTlsCertificate  *certificate,
                               GError          **error)
{
  g_autoptr(GByteArray) der = NULL;
  gnutls_x509_crt_t x509 = NULL;
  gnutls_pubkey_t public_key = NULL;
  gnutls_datum_t certificate_datum;
  gnutls_datum_t spki = { NULL, 0 };
  char *pin = NULL;
  int status;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    {
      g_set_error_literal (error, HAVEN_TLS_PIN_ERROR, HAVEN_TLS_PIN_ERROR_CERTIFICATE,
                           _("The certificate has no data"));
      return NULL;
    }

  certificate_datum.data = der->data;
  certificate_datum.size = der->len;

  if ((status = gnutls_x509_crt_init (&x509)) < 0 ||
      (status = gnutls_x509_crt_import (x509, &certificate_datum, GNUTLS_X509_FMT_DER)) < 0 ||
      (status = gnutls_pubkey_init (&public_key)) < 0 ||
      (status = gnutls_pubkey_import_x509 (public_key, x509, 0)) < 0 ||
      (status = gnutls_pubkey_export2 (public_key, GNUTLS_X509_FMT_DER, &spki)) < 0)
    {
      g_set_error (error, HAVEN_TLS_PIN_ERROR, HAVEN_TLS_PIN_ERROR_CERTIFICATE,
                   _("The certificate’s public key cannot be read: %s"),
                   gnutls_strerror (status));
    }
  else
    {
      g_autoptr(GBytes) spki_bytes = g_bytes_new (spki.data, spki.size);

      pin = haven_tls_pin_for_spki (spki_bytes);
    }

  gnutls_free (spki.data);
  if (public_key != NULL)
    gnutls_pubkey_deinit (public_key);
  if (x509 != NULL)
    gnutls_x509_crt_deinit (x509);

  return pin;
}

gboolean
haven_tls_pin_list_contains (const char * const *pins,
                             const char         *pin)
{
  g_return_val_if_fail (pin != NULL, FALSE);

  return pins != NULL && g_strv_contains (pins, pin);
}
