/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-bundle-manifest.h"

G_BEGIN_DECLS

typedef enum {
  /* The backend holds no newer bundle than the one in use or waiting. */
  HAVEN_BUNDLE_CHECK_UNCHANGED,
  /* A newer bundle was verified and unpacked; it waits for the end of a
   * visit (haven_bundle_updater_install_pending()). */
  HAVEN_BUNDLE_CHECK_STAGED,
} HavenBundleCheck;

#define HAVEN_TYPE_BUNDLE_UPDATER (haven_bundle_updater_get_type ())

G_DECLARE_FINAL_TYPE (HavenBundleUpdater, haven_bundle_updater, HAVEN, BUNDLE_UPDATER, GObject)

HavenBundleUpdater  *haven_bundle_updater_new                 (GSettings           *settings);
void                 haven_bundle_updater_start               (HavenBundleUpdater  *self);
void                 haven_bundle_updater_check_async         (HavenBundleUpdater  *self,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
gboolean             haven_bundle_updater_check_finish        (HavenBundleUpdater  *self,
                                                               GAsyncResult        *result,
                                                               HavenBundleCheck    *outcome,
                                                               GError             **error);
gboolean             haven_bundle_updater_stage_file          (HavenBundleUpdater  *self,
                                                               const char          *path,
                                                               GError             **error);
gboolean             haven_bundle_updater_install_pending     (HavenBundleUpdater  *self,
                                                               GError             **error);

gboolean             haven_bundle_updater_get_enabled         (HavenBundleUpdater  *self);
gboolean             haven_bundle_updater_get_checking        (HavenBundleUpdater  *self);
HavenBundleManifest *haven_bundle_updater_get_manifest        (HavenBundleUpdater  *self);
guint64              haven_bundle_updater_get_version         (HavenBundleUpdater  *self);
guint64              haven_bundle_updater_get_pending_version (HavenBundleUpdater  *self);
GDateTime           *haven_bundle_updater_get_last_checked    (HavenBundleUpdater  *self);
const char          *haven_bundle_updater_get_last_error      (HavenBundleUpdater  *self);
const char          *haven_bundle_updater_get_last_error_kind (HavenBundleUpdater *self);
GDateTime           *haven_bundle_updater_get_last_error_at   (HavenBundleUpdater  *self);

G_END_DECLS
