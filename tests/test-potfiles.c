/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-potfiles"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

/* A string in a file that po/POTFILES.in does not list is never offered to
 * translators, and a visitor would meet it in English. This test finds every
 * source file that marks strings for translation and checks the list. */

static const char *source_folders[] = { "app", "ui", "data" };

static gboolean
marks_strings_for_translation (const char *path,
                               const char *contents)
{
  if (g_str_has_suffix (path, ".c") || g_str_has_suffix (path, ".h"))
    return strstr (contents, "_(\"") != NULL || strstr (contents, "N_(\"") != NULL ||
           strstr (contents, "C_(\"") != NULL || strstr (contents, "ngettext (") != NULL;

  if (g_str_has_suffix (path, ".ui"))
    return strstr (contents, "translatable=\"yes\"") != NULL;

  /* Desktop files, AppStream metadata, the settings schema and the content
   * definitions (through data/content/its/) go through gettext as a whole. */
  if (g_str_has_prefix (path, "data/content/") && g_str_has_suffix (path, ".xml"))
    return TRUE;

  return g_str_has_suffix (path, ".desktop.in") ||
         g_str_has_suffix (path, ".metainfo.xml.in") ||
         g_str_has_suffix (path, ".gschema.xml");
}

static void
collect_marked_files (GFile      *root,
                      GFile      *folder,
                      GPtrArray  *marked)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GError) error = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (folder,
                                        G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, &error);
  g_assert_no_error (error);

  while ((info = g_file_enumerator_next_file (children, NULL, &error)) != NULL)
    {
      g_autoptr(GFileInfo) owned_info = info;
      g_autoptr(GFile) child = g_file_get_child (folder, g_file_info_get_name (info));
      g_autofree char *relative = g_file_get_relative_path (root, child);
      g_autofree char *contents = NULL;

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        {
          collect_marked_files (root, child, marked);
          continue;
        }

      if (!g_file_load_contents (child, NULL, &contents, NULL, NULL, &error))
        g_error ("%s: %s", relative, error->message);

      if (marks_strings_for_translation (relative, contents))
        g_ptr_array_add (marked, g_steal_pointer (&relative));
    }
  g_assert_no_error (error);
}

static GStrv
read_potfiles (const char *source_root)
{
  g_autofree char *path = g_build_filename (source_root, "po", "POTFILES.in", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) listed = g_strv_builder_new ();

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0' && lines[i][0] != '#')
        g_strv_builder_add (listed, lines[i]);
    }

  return g_strv_builder_end (listed);
}

static const char *
get_source_root (void)
{
  /* G_TEST_SRCDIR is the tests/ folder. */
  static char *root;

  if (root == NULL)
    root = g_path_get_dirname (g_test_get_dir (G_TEST_DIST));

  return root;
}

static void
test_every_marked_file_is_listed (void)
{
  g_autoptr(GFile) root = g_file_new_for_path (get_source_root ());
  g_autoptr(GPtrArray) marked = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) listed = read_potfiles (get_source_root ());

  for (gsize i = 0; i < G_N_ELEMENTS (source_folders); i++)
    {
      g_autoptr(GFile) folder = g_file_get_child (root, source_folders[i]);

      collect_marked_files (root, folder, marked);
    }

  g_assert_cmpuint (marked->len, >, 0);
  for (guint i = 0; i < marked->len; i++)
    {
      const char *path = g_ptr_array_index (marked, i);

      if (!g_strv_contains ((const char * const *) listed, path))
        g_error ("%s marks strings for translation but is missing from po/POTFILES.in", path);
    }
}

static void
test_listed_files_exist_and_are_sorted (void)
{
  g_auto(GStrv) listed = read_potfiles (get_source_root ());

  for (guint i = 0; listed[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (get_source_root (), listed[i], NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_error ("po/POTFILES.in lists %s, which does not exist", listed[i]);
      if (i > 0 && strcmp (listed[i - 1], listed[i]) >= 0)
        g_error ("po/POTFILES.in is not sorted at %s", listed[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/potfiles/every-marked-file-is-listed", test_every_marked_file_is_listed);
  g_test_add_func ("/haven/potfiles/listed-files-exist-and-are-sorted",
                   test_listed_files_exist_and_are_sorted);

  return g_test_run ();
}
