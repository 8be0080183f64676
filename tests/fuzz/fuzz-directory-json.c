/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fuzz-common.h"
#include "fuzz-directory-import.h"

/* An HSDS directory as JSON (an array of services, or an API page), imported
 * as `havenctl directory import` and the kiosk's "reload directory" do: the
 * chunked scanner that cuts the file into records, the arena parser, the
 * record mapper with its schedules and taxonomy terms, and the writer. */

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
  const char *dir = fuzz_scratch_subdir ("json");
  g_autofree char *path = g_build_filename (dir, "directory.json", NULL);

  fuzz_write_file (dir, "directory.json", data, size);
  fuzz_directory_import (path);

  return 0;
}
