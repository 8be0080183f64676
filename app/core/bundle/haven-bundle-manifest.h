/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HAVEN_TYPE_BUNDLE_MANIFEST (haven_bundle_manifest_get_type ())

G_DECLARE_FINAL_TYPE (HavenBundleManifest, haven_bundle_manifest, HAVEN, BUNDLE_MANIFEST, GObject)

/* What a verified bundle says of itself (data/api/haven-bundle-v1.md). */
guint64              haven_bundle_manifest_get_version             (HavenBundleManifest *self);
GDateTime           *haven_bundle_manifest_get_created             (HavenBundleManifest *self);
const char          *haven_bundle_manifest_get_publisher           (HavenBundleManifest *self);
const char          *haven_bundle_manifest_get_directory_source    (HavenBundleManifest *self);
GDateTime           *haven_bundle_manifest_get_directory_synced_at (HavenBundleManifest *self);
guint                haven_bundle_manifest_get_n_services          (HavenBundleManifest *self);
const char          *haven_bundle_manifest_get_content_version     (HavenBundleManifest *self);
guint                haven_bundle_manifest_get_n_files             (HavenBundleManifest *self);
guint64              haven_bundle_manifest_get_total_size          (HavenBundleManifest *self);
/* The manifest as the bundle holds it, JSON. */
const char          *haven_bundle_manifest_get_text                (HavenBundleManifest *self);

/* Reads the manifest an unpacked bundle keeps beside its files
 * (HAVEN_BUNDLE_MANIFEST_FILE), for the version in use. */
HavenBundleManifest *haven_bundle_manifest_load                    (const char  *unpacked_dir,
                                                                    GError     **error);

G_END_DECLS
