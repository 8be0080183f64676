/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-tls-pin"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "haven-tls-pin.h"

/* The vectors below were made once with openssl, which is what an operator
 * uses to compute a pin for the pinned-keys setting:
 *
 *   openssl pkey -pubin -outform der < key.pub | openssl dgst -sha256 -binary | base64
 *   openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der \
 *     | openssl dgst -sha256 -binary | base64
 *
 * so the tests pin agreement with the tool operators actually use, not
 * only with our own code. */

/* An ECDSA P-256 SubjectPublicKeyInfo, DER, in base64. */
static const char ec_spki_base64[] =
  "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAdcQoAUqR19jyHNFpFIx4PyZHbhXDtchi2f6mR88PxnO"
  "Xm6ED+l0wPZ+h9cud8jMtR5Xo2dkmcq7QEQhG9g/Uw==";
static const char ec_pin[] = "sha256//b2dZI6h/pfBknnWtDa+zWSYdahc/H0IdXpN5CpzR3us=";

/* A self-signed certificate for the key above. */
static const char ec_certificate_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBhzCCAS2gAwIBAgIUV7/rZvVmSL03v4MPLsYbXFVeGDUwCgYIKoZIzj0EAwIw\n"
  "GTEXMBUGA1UEAwwOaGF2ZW4gcGluIHRlc3QwHhcNMjYxMTI3MjM1OTA1WhcNMzYx\n"
  "MTI0MjM1OTA1WjAZMRcwFQYDVQQDDA5oYXZlbiBwaW4gdGVzdDBZMBMGByqGSM49\n"
  "AgEGCCqGSM49AwEHA0IABAHXEKAFKkdfY8hzRaRSMeD8mR24Vw7XIYtn+pkfPD8Z\n"
  "zl5uhA/pdMD2fofXLnfIzLUeV6NnZJnKu0BEIRvYP1OjUzBRMB0GA1UdDgQWBBQL\n"
  "IhScFN2BOiHhJWJPFZPBU4OoxDAfBgNVHSMEGDAWgBQLIhScFN2BOiHhJWJPFZPB\n"
  "U4OoxDAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQD3DJXN8Gw+\n"
  "8gJ6AQDptla054X5796ZVO5/5dpgkSfp6gIgeBWQtbkZ6KW488x2Ko5pitSoeaEX\n"
  "VNZVwQfsqyCg4zI=\n"
  "-----END CERTIFICATE-----\n";

/* A self-signed RSA 2048 certificate, so the SPKI is not only the EC form. */
static const char rsa_certificate_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIDGzCCAgOgAwIBAgIUB58HF3yek9gX+hAXxPDp2yj9j7MwDQYJKoZIhvcNAQEL\n"
  "BQAwHTEbMBkGA1UEAwwSaGF2ZW4gcnNhIHBpbiB0ZXN0MB4XDTI2MTEyNzIzNTkw\n"
  "NVoXDTM2MTEyNDIzNTkwNVowHTEbMBkGA1UEAwwSaGF2ZW4gcnNhIHBpbiB0ZXN0\n"
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAno+z1oczDRZdLDPJ0pif\n"
  "QX7GMw4jdpfIdsgMWX3fZPrkq/TrXY9dETtJff01gxShj9VqzX94uVT0UTk0t0Ms\n"
  "CZt2/sL8PHzR4pF1kp914cJ94RfTOkvfvuyS7OHRMXl2jk9Ll45c//XZnsa3GcXe\n"
  "xcT8s/yzwdSi6TVEF0RHnWI86Z6jK5T3mlU/aFvXHs/Iu8y+w7t1l4DkLaJITG+8\n"
  "TxkOwIwAde1DksIcc0BbvLJ3Qsx2YbAs4TMgLHINk5zmQSFJvAi2JEfNkqT/N53b\n"
  "JABOh4CC7hFFiwD26p1SikM6rjMBIKxh1n6DCsgyI7in1Kih7wI7aSw5ehSPBNCJ\n"
  "WwIDAQABo1MwUTAdBgNVHQ4EFgQUK7hrISTkAXRn5E5OrCgDoWOY6eswHwYDVR0j\n"
  "BBgwFoAUK7hrISTkAXRn5E5OrCgDoWOY6eswDwYDVR0TAQH/BAUwAwEB/zANBgkq\n"
  "hkiG9w0BAQsFAAOCAQEALs9xG7QtR1ypSblv9shUbnzSIrHbF1yLxJ5p+FXQyd8Z\n"
  "WM1kROvK5Wf8SZ0ZFBms26j9g6MaGtwmxROhA/YQkWRZxzPWrptlRNTFwwWH7q4k\n"
  "hAaEUQtpcbXDAtPdX15HJHawoxGoI38pWx1pzCo/PmE4mAndYzQPJ+qV85DYuksG\n"
  "EEFnKPR+4Y7PH0pVGBplyrijYtR9xQ6TlfeGgMzmHZrOT2dSRJgtM0xBQ8jqGGYE\n"
  "kd8MAL4m3078zVHqjer3uowvhWF2a+sNtA9DTIfuWZ1RSXD16ET7xsLegK11BYRJ\n"
  "yGJXUg3tLjRedT7MBzh/u5u3iyPpF/l3p4Wl8b0oqQ==\n"
  "-----END CERTIFICATE-----\n";
static const char rsa_pin[] = "sha256//08uxTTozUGKVBfkICYGGlpuAj+ZJ3H/ZaUMEJ2ll4Tc=";

static void
test_validate_accepts (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (haven_tls_pin_validate (ec_pin, &error));
  g_assert_no_error (error);
  g_assert_true (haven_tls_pin_validate (rsa_pin, &error));
  g_assert_no_error (error);
  /* The pin of 32 zero bytes, the smallest canonical form. */
  g_assert_true (haven_tls_pin_validate ("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                                         &error));
  g_assert_no_error (error);
}

static void
assert_invalid (const char *pin)
{
  g_autoptr(GError) error = NULL;

  g_test_message ("pin: “%s”", pin);
  g_assert_false (haven_tls_pin_validate (pin, &error));
  g_assert_error (error, HAVEN_TLS_PIN_ERROR, HAVEN_TLS_PIN_ERROR_INVALID);
  /* The operator reads this message in havenctl: it must name the value. */
  g_assert_nonnull (strstr (error->message, pin));
}

static void
test_validate_rejects_prefix (void)
{
  /* Only curl's exact spelling: another hash or a typo must not pass as
   * "no pin". */
  assert_invalid ("b2dZI6h/pfBknnWtDa+zWSYdahc/H0IdXpN5CpzR3us=");
  assert_invalid ("sha1//b2dZI6h/pfBknnWtDa+zWSYdahc/H0IdXpN5CpzR3us=");
  assert_invalid ("SHA256//b2dZI6h/pfBknnWtDa+zWSYdahc/H0IdXpN5CpzR3us=");
  assert_invalid ("sha256/b2dZI6h/pfBknnWtDa+zWSYdahc/H0IdXpN5CpzR3us=");
  assert_invalid (" sha256//b2dZI6h/pfBknnWtDa+zWSYdahc/H0IdXpN5CpzR3us=");
  assert_invalid ("");
}

static void
test_validate_rejects_length (void)
{
  assert_invalid ("sha256//");
  /* One character short, one too many, and no padding. */
  assert_invalid ("sha256//2dZI6h/pfBknnWtDa+zWSYdahc/H0IdXpN5CpzR3us=");
  assert_invalid ("sha256//bb2dZI6h/pfBknnWtDa+zWSYdahc/H0IdXpN5CpzR3us=");
  assert_invalid ("sha256//b2dZI6h/pfBknnWtDa+zWSYdahc/H0IdXpN5CpzR3us");
  assert_invalid ("sha256//b2dZI6h/pfBknnWtDa+zWSYdahc/H0IdXpN5CpzR3us==");
  /* A SHA-384 hash is 48 bytes: 64 characters. */
  assert_invalid ("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  /* Two pins pasted into one entry. */
  assert_invalid ("sha256//b2dZI6h/pfBknnWtDa+zWSYdahc/H0IdXpN5CpzR3us=;"
                  "sha256//08uxTTozUGKVBfkICYGGlpuAj+ZJ3H/ZaUMEJ2ll4Tc=");
}

static void
test_validate_rejects_bad_base64 (void)
{
  /* The URL-safe alphabet, a stray character, inner whitespace, and
   * padding in the middle: g_base64_decode() would skip some of these and
   * still return 32 bytes. */
  assert_invalid ("sha256//b2dZI6h_pfBknnWtDa-zWSYdahc_H0IdXpN5CpzR3us=");
  assert_invalid ("sha256//b2dZI6h/pfBknnWtDa+zWSYdahc/H0IdXpN5CpzR3u*=");
  assert_invalid ("sha256//b2dZI6h/pfBknnWtDa+zWSYdah /H0IdXpN5CpzR3us=");
  assert_invalid ("sha256//b2dZI6h/pfBknnWtDa+zWSYd=hc/H0IdXpN5CpzR3us=");
  assert_invalid ("sha256//b2dZI6h/pfBknnWtDa+zWSYdahc/H0IdXpN5CpzR3us=\n");
}

static void
test_validate_rejects_non_canonical (void)
{
  /* "…3ut=" decodes to the same 32 bytes as "…3us=" (the last character's
   * two low bits are padding), but pins are compared as strings, so this
   * one could never match any key: the operator must hear about it when
   * the setting is read, not as a pin mismatch at the first visitor. */
  assert_invalid ("sha256//b2dZI6h/pfBknnWtDa+zWSYdahc/H0IdXpN5CpzR3ut=");
  assert_invalid ("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=");
}

static void
test_for_spki (void)
{
  g_autofree guchar *der = NULL;
  g_autoptr(GBytes) spki = NULL;
  g_autofree char *pin = NULL;
  gsize length = 0;

  der = g_base64_decode (ec_spki_base64, &length);
  g_assert_cmpuint (length, ==, 91);
  spki = g_bytes_new (der, length);

  pin = haven_tls_pin_for_spki (spki);
  g_assert_cmpstr (pin, ==, ec_pin);
  g_assert_true (haven_tls_pin_validate (pin, NULL));
}

static void
test_for_spki_empty (void)
{
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autofree char *pin = NULL;

  /* SHA-256 of nothing, as `printf '' | openssl dgst -sha256 -binary | base64`
   * prints it; a pin is the hash of whatever it is given. */
  pin = haven_tls_pin_for_spki (empty);
  g_assert_cmpstr (pin, ==, "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

static void
assert_certificate_pin (const char *pem,
                        const char *expected_pin)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pin = NULL;

  certificate = g_tls_certificate_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (certificate);

  pin = haven_tls_pin_for_certificate (certificate, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pin, ==, expected_pin);
}

static void
test_for_certificate_ec (void)
{
  /* The certificate holds the key of ec_spki_base64, so the pin is the
   * same: a pin names the key, not the certificate around it. */
  assert_certificate_pin (ec_certificate_pem, ec_pin);
}

static void
test_for_certificate_rsa (void)
{
  assert_certificate_pin (rsa_certificate_pem, rsa_pin);
}

static void
test_list_contains (void)
{
  const char *empty_pin = "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  const char * const pins[] = { rsa_pin, ec_pin, NULL };
  const char * const none[] = { NULL };

  g_assert_true (haven_tls_pin_list_contains (pins, ec_pin));
  g_assert_true (haven_tls_pin_list_contains (pins, rsa_pin));
  g_assert_false (haven_tls_pin_list_contains (pins, empty_pin));
  g_assert_false (haven_tls_pin_list_contains (none, ec_pin));
  g_assert_false (haven_tls_pin_list_contains (NULL, ec_pin));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/tls-pin/validate/accepts", test_validate_accepts);
  g_test_add_func ("/haven/tls-pin/validate/rejects-prefix", test_validate_rejects_prefix);
  g_test_add_func ("/haven/tls-pin/validate/rejects-length", test_validate_rejects_length);
  g_test_add_func ("/haven/tls-pin/validate/rejects-bad-base64", test_validate_rejects_bad_base64);
  g_test_add_func ("/haven/tls-pin/validate/rejects-non-canonical",
                   test_validate_rejects_non_canonical);
  g_test_add_func ("/haven/tls-pin/for-spki", test_for_spki);
  g_test_add_func ("/haven/tls-pin/for-spki/empty", test_for_spki_empty);
  g_test_add_func ("/haven/tls-pin/for-certificate/ec", test_for_certificate_ec);
  g_test_add_func ("/haven/tls-pin/for-certificate/rsa", test_for_certificate_rsa);
  g_test_add_func ("/haven/tls-pin/list-contains", test_list_contains);

  return g_test_run ();
}
