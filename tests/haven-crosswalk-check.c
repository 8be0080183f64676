/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-crosswalk-check"

#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "haven-content.h"
#include "haven-notice-crosswalk.h"

/* Run by the build (tests/meson.build): the notice crosswalk Haven ships
 * must fit the content it ships, the directory's taxonomy terms and the
 * Transparency Database's vocabulary, or the build fails. It writes STAMP
 * only when the crosswalk is sound, so that the check runs again whenever
 * one of the files changes.
 *
 *   haven-crosswalk-check CROSSWALK CONTENT-DIR DIRECTORY-MAPPING STAMP */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenContent) content = NULL;
  g_autoptr(HavenNoticeCrosswalk) crosswalk = NULL;
  g_auto(GStrv) terms = NULL;
  g_autofree char *stamp = NULL;
  const char * const *ids;

  setlocale (LC_ALL, "");

  if (argc != 5)
    {
      fprintf (stderr, "Usage: %s CROSSWALK CONTENT-DIR DIRECTORY-MAPPING STAMP\n", argv[0]);
      return 2;
    }

  terms = haven_content_read_taxonomy_terms (argv[3], &error);
  if (terms != NULL)
    content = haven_content_new_from_dir (argv[2], (const char * const *) terms, &error);
  if (content != NULL)
    crosswalk = haven_notice_crosswalk_new_from_file (argv[1], content, &error);
  if (crosswalk == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }

  ids = haven_notice_crosswalk_get_category_ids (crosswalk);
  stamp = g_strdup_printf ("%s: %u categories\n", argv[1], g_strv_length ((GStrv) ids));
  if (!g_file_set_contents (argv[4], stamp, -1, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }

  return 0;
}
