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
