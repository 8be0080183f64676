/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "haven-directory.h"
#include "haven-directory-import.h"
#include "test-directory-fixture.h"

char *
import_directory_fixture (const char *fixture_name,
                          const char *database_path)
{
  g_autofree char *source = g_test_build_filename (G_TEST_DIST, "data", "directory",
                                                   fixture_name, NULL);
  g_autoptr(HavenDirectoryImporter) importer = haven_directory_importer_new (source,
                                                                              database_path);
  g_autoptr(GError) error = NULL;

  g_assert_true (haven_directory_importer_run (importer, NULL, &error));
  g_assert_no_error (error);
  return g_strdup (database_path);
}

guint
count_kiosk_services (GSettings *settings)
{
  g_autoptr(HavenDirectory) directory = haven_directory_open_configured (settings, NULL, "UTC",
                                                                         NULL);
  g_autoptr(HavenDirectoryStats) stats = NULL;

  g_assert_nonnull (directory);
  stats = haven_directory_get_stats (directory, NULL);
  return stats->n_services;
}
