/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "fuzz-directory-import.h"

/* An HSDS tabular data package, imported as `havenctl directory import`
 * does: datapackage.json (its resources and their paths), the CSV files,
 * their joins into service records, and the record mapper and writer.
 *
 * The input is the package's files separated by NUL bytes (which neither
 * JSON nor CSV may hold): datapackage.json first, then the tables in the
 * order of table_names; files past the end of the input are absent. */

static const char * const table_names[] = {
  "datapackage.json",
  "organizations.csv",
  "services.csv",
  "phones.csv",
  "schedules.csv",
  "service_areas.csv",
  "languages.csv",
  "taxonomies.csv",
  "taxonomy_terms.csv",
  "attributes.csv",
  "locations.csv",
  "addresses.csv",
  "service_at_locations.csv",
  "cost_options.csv",
};

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *dir = fuzz_scratch_subdir ("package");
  g_auto(GStrv) parts = fuzz_split (data, size, '\0', G_N_ELEMENTS (table_names));

  fuzz_empty_dir (dir);
  for (guint i = 0; parts[i] != NULL; i++)
    fuzz_write_file (dir, table_names[i], parts[i], strlen (parts[i]));

  fuzz_directory_import (dir);

  return 0;
}
