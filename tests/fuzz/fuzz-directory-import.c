/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fuzz-common.h"
#include "fuzz-directory-import.h"
#include "haven-directory-import.h"
#include "haven-directory.h"

void
fuzz_directory_import (const char *source_path)
{
  g_autofree char *database = g_build_filename (fuzz_scratch_subdir ("db"), "directory.sqlite",
                                                NULL);
  g_autoptr(HavenDirectoryImporter) importer = haven_directory_importer_new (source_path,
                                                                             database);
  g_autoptr(GError) error = NULL;
  const char * const *problems;

  if (haven_directory_importer_run (importer, NULL, &error))
    {
      g_assert_cmpuint (haven_directory_importer_get_n_services (importer), >, 0);
      g_assert_null (haven_directory_importer_get_problems (importer)[0]);
      return;
    }

  g_assert_nonnull (error);
  g_assert_true (error->domain == HAVEN_DIRECTORY_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  problems = haven_directory_importer_get_problems (importer);
  g_assert_cmpuint (g_strv_length ((GStrv) problems), <=, HAVEN_DIRECTORY_IMPORT_MAX_PROBLEMS);
  g_assert_cmpuint (haven_directory_importer_get_n_services (importer), ==, 0);
}
