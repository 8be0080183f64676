/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-paths"

#include "config.h"

#include "haven-paths.h"

/* Where every program finds what Haven ships. Installed, that is
 * PKGDATADIR and LOCALEDIR. Run from a build tree, two variables point
 * elsewhere, and `meson devenv` is what sets them (data/meson.build and
 * po/meson.build), for a developer, for setup.sh and for the tests alike:
 *
 *   HAVEN_DATADIR    a folder laid out as PKGDATADIR: content/,
 *                    directory/categories.ini, notices/crosswalk.ini and
 *                    notices/platforms.ini
 *                    (the source tree's data/)
 *   HAVEN_LOCALEDIR  the compiled catalogs (the build tree's po/)
 *
 * This file is the only place that reads them. */

static const char *
from_environment_or (const char *variable,
                     const char *installed)
{
  const char *value = g_getenv (variable);

  return value != NULL && value[0] != '\0' ? value : installed;
}

const char *
haven_paths_get_data_dir (void)
{
  return from_environment_or ("HAVEN_DATADIR", PKGDATADIR);
}

const char *
haven_paths_get_locale_dir (void)
{
  return from_environment_or ("HAVEN_LOCALEDIR", LOCALEDIR);
}

/**
 * haven_paths_dup_content_dir:
 *
 * Returns: (transfer full): the content definitions Haven ships: the
 *   questions, guidance and help numbers a visit cannot do without
 */
char *
haven_paths_dup_content_dir (void)
{
  return g_build_filename (haven_paths_get_data_dir (), "content", NULL);
}

/**
 * haven_paths_dup_directory_mapping:
 *
 * Returns: (transfer full): the shipped mapping from the directory's
 *   taxonomy terms to Haven's categories
 */
char *
haven_paths_dup_directory_mapping (void)
{
  return g_build_filename (haven_paths_get_data_dir (), "directory", "categories.ini", NULL);
}

/**
 * haven_paths_dup_notice_platforms:
 *
 * Returns: (transfer full): the shipped table of hosting platforms and
 *   hotlines that notices go to (data/notices/README.md)
 */
char *
haven_paths_dup_notice_platforms (void)
{
  return g_build_filename (haven_paths_get_data_dir (), "notices", "platforms.ini", NULL);
}

/**
 * haven_paths_dup_bundle_dir:
 *
 * Returns: (transfer full): where the kiosk keeps the organisation's
 *   bundles: each unpacked in a folder of its own, "current" a link to the
 *   one in use (app/core/delivery/haven-bundle-updater.c)
 */
char *
haven_paths_dup_bundle_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "haven", "bundle", NULL);
}

/**
 * haven_paths_dup_bundle_file:
 * @settings: (nullable): the kiosk's settings
 * @name: a file or folder of an unpacked bundle ("directory.sqlite",
 *   "content")
 *
 * Returns: (transfer full) (nullable): @name in the bundle in use, when
 *   the kiosk takes bundles (bundle-public-key is set) and the one in use
 *   has it; %NULL otherwise, and the settings directory-file and
 *   content-dir apply
 */
char *
haven_paths_dup_bundle_file (GSettings  *settings,
                             const char *name)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *public_key = NULL;
  g_autofree char *bundle_dir = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  if (settings == NULL)
    return NULL;
  g_object_get (settings, "settings-schema", &schema, NULL);
  /* The desk shares content-dir, not bundles. */
  if (schema == NULL || !g_settings_schema_has_key (schema, "bundle-public-key"))
    return NULL;
  public_key = g_settings_get_string (settings, "bundle-public-key");
  if (public_key[0] == '\0')
    return NULL;

  bundle_dir = haven_paths_dup_bundle_dir ();
  path = g_build_filename (bundle_dir, "current", name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  return g_steal_pointer (&path);
}
