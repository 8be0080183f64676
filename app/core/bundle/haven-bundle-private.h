/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-bundle.h"

G_BEGIN_DECLS

/* The file's fixed parts (data/api/haven-bundle-v1.md). */
#define HAVEN_BUNDLE_MAGIC              "HAVENBN1"
#define HAVEN_BUNDLE_MAGIC_BYTES        8
#define HAVEN_BUNDLE_SIGNATURE_BYTES    64
#define HAVEN_BUNDLE_LENGTH_BYTES       4
#define HAVEN_BUNDLE_HEADER_BYTES       (HAVEN_BUNDLE_MAGIC_BYTES + \
                                         HAVEN_BUNDLE_SIGNATURE_BYTES + \
                                         HAVEN_BUNDLE_LENGTH_BYTES)
#define HAVEN_BUNDLE_FORMAT             1

/* Bounds on what a signed manifest may ask of a kiosk. */
#define HAVEN_BUNDLE_MAX_MANIFEST_BYTES (1024 * 1024)
#define HAVEN_BUNDLE_MAX_FILES          10000
#define HAVEN_BUNDLE_MAX_TOTAL_BYTES    ((guint64) 2 * 1024 * 1024 * 1024)
#define HAVEN_BUNDLE_MAX_PATH_BYTES     1024
#define HAVEN_BUNDLE_MAX_PATH_DEPTH     8
#define HAVEN_BUNDLE_MAX_TEXT_BYTES     4096

typedef struct {
  char *path;
  guint64 size;
  guint8 sha256[32];
} HavenBundleFile;

/* The manifest's files, in the order of their bytes. */
const HavenBundleFile *haven_bundle_manifest_get_files (HavenBundleManifest *self,
                                                        guint               *n_files);
/* Checks every member a kiosk relies on; FORMAT errors. */
HavenBundleManifest   *haven_bundle_manifest_parse     (const char          *text,
                                                        gsize                length,
                                                        GError             **error);

/* Writes a bundle of @manifest_text (used as it is: tests give it paths
 * and sizes no publisher would) and the bytes of @sources, one file for
 * each of its files and in their order, signed with @secret_key.
 * haven_bundle_write() makes the manifest and calls this. */
gboolean               haven_bundle_write_raw          (const char          *manifest_text,
                                                        const char * const  *sources,
                                                        const guint8        *secret_key,
                                                        const char          *output_path,
                                                        GError             **error);

void                   haven_bundle_ensure_sodium      (void);

G_END_DECLS
