/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-bundle-manifest.h"

G_BEGIN_DECLS

/* The organisation's signed bundle of its service directory and content
 * (data/api/haven-bundle-v1.md). */

/* Ed25519 keys, as libsodium's crypto_sign makes them: every public_key
 * and secret_key below is this many bytes. */
#define HAVEN_BUNDLE_PUBLIC_KEY_BYTES 32
#define HAVEN_BUNDLE_SECRET_KEY_BYTES 64

/* What an unpacked bundle's folder holds: the directory database, the
 * content folder (only when the bundle has content) and the manifest. */
#define HAVEN_BUNDLE_DIRECTORY_FILE "directory.sqlite"
#define HAVEN_BUNDLE_CONTENT_DIR    "content"
#define HAVEN_BUNDLE_MANIFEST_FILE  "manifest.json"

#define HAVEN_BUNDLE_ERROR (haven_bundle_error_quark ())

/* Every error of verifying and unpacking leaves what is in use as it is;
 * the messages say so. */
typedef enum {
  /* Not signed by the key given, or changed after it was signed. */
  HAVEN_BUNDLE_ERROR_SIGNATURE,
  /* Shorter than its own header says: a download cut short. */
  HAVEN_BUNDLE_ERROR_TRUNCATED,
  /* Not a bundle, or a signed one this version cannot take. */
  HAVEN_BUNDLE_ERROR_FORMAT,
  /* Older than the one in use. */
  HAVEN_BUNDLE_ERROR_DOWNGRADE,
  /* The one in use already. */
  HAVEN_BUNDLE_ERROR_SAME,
  /* Its directory database does not open or fails SQLite's check. */
  HAVEN_BUNDLE_ERROR_DIRECTORY,
  /* Its content fails `havenctl content check`. */
  HAVEN_BUNDLE_ERROR_CONTENT,
  /* A file cannot be read or written. */
  HAVEN_BUNDLE_ERROR_IO,
  /* A key, or a key file, that is not one. */
  HAVEN_BUNDLE_ERROR_KEY,
} HavenBundleError;

GQuark    haven_bundle_error_quark           (void);

void      haven_bundle_generate_key_pair     (guint8       *public_key,
                                              guint8       *secret_key);
/* Base64 of the 32 bytes, as a kiosk's settings hold it. */
char     *haven_bundle_encode_public_key     (const guint8 *public_key);
gboolean  haven_bundle_decode_public_key     (const char   *base64,
                                              guint8       *public_key,
                                              GError      **error);
gboolean  haven_bundle_write_secret_key_file (const char   *path,
                                              const guint8 *secret_key,
                                              GError      **error);
gboolean  haven_bundle_read_secret_key_file  (const char   *path,
                                              guint8       *secret_key,
                                              GError      **error);
void      haven_bundle_secret_key_to_public  (const guint8 *secret_key,
                                              guint8       *public_key);

gboolean  haven_bundle_write                 (const char   *directory_db,
                                              const char   *content_dir,
                                              guint64       version,
                                              const char   *publisher,
                                              const guint8 *secret_key,
                                              const char   *output_path,
                                              GError      **error);
HavenBundleManifest *
          haven_bundle_verify                (const char   *bundle_path,
                                              const guint8 *public_key,
                                              GError      **error);
gboolean  haven_bundle_verify_and_unpack     (const char   *bundle_path,
                                              const guint8 *public_key,
                                              guint64       version_in_use,
                                              const char   *target_dir,
                                              HavenBundleManifest **out_manifest,
                                              GError      **error);

char     *haven_bundle_write_compressed_copy (const char   *bundle_path,
                                              GError      **error);

G_END_DECLS
