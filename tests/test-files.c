/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-files"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include <libintl.h>
#include <locale.h>

#include "haven-locale.h"
#include "haven-paths.h"
#include "test-files.h"

HavenContent *
load_shipped_content (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *content_dir = haven_paths_dup_content_dir ();
  HavenContent *content = haven_content_new_from_dir (content_dir, NULL, &error);

  g_assert_no_error (error);
  return content;
}

GStrv
shipped_languages (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "po", "LINGUAS", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) words = NULL;

  /* The UI tests run from tests/ui, whose parent is tests/. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_free (path);
      path = g_test_build_filename (G_TEST_DIST, "..", "..", "po", "LINGUAS", NULL);
    }
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);

  words = g_strsplit_set (text, " \t\n", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0' && words[i][0] != '#')
      g_strv_builder_add (builder, words[i]);

  return g_strv_builder_end (builder);
}

/* Writes @contents to @name in @folder, readable by its owner only as the
 * files a kiosk keeps (tokens, requests) are, and returns its path. */
char *
write_file (const char *folder,
            const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (folder, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);

  return path;
}

static void
remove_file_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  /* A link is removed, never followed out of the folder. */
  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL &&
         (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autoptr(GFileInfo) owned_info = info;
      g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));

      remove_file_tree (child);
    }

  g_file_delete (file, NULL, NULL);
}

/* Removes @path and everything below it; what cannot be removed is left. */
void
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  remove_file_tree (file);
}

/* Whether @needle is anywhere in the file at @path (FALSE when it cannot be
 * read). Databases hold NUL bytes, so this is no strstr(). */
gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  gsize needle_length = strlen (needle);

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;

  for (gsize i = 0; i + needle_length <= length; i++)
    {
      if (memcmp (contents + i, needle, needle_length) == 0)
        return TRUE;
    }

  return FALSE;
}

void
use_catalogs (void)
{
  setlocale (LC_ALL, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, haven_paths_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  haven_locale_apply ("en");
}

/* A port of 127.0.0.1 where nothing listens: bound and closed again at
 * once, so no other test on this machine is likely to take it in
 * between. */
guint16
find_free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, &error);
  g_assert_no_error (error);

  return port;
}

/* Fails when a file under @path holds @needle; returns how many files it
 * read. */
guint
assert_no_file_holds (const char *path,
                      const char *needle)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n_files = 0;

  if (dir == NULL)
    {
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          if (file_contains (path, needle))
            g_error ("%s holds what the visitor wrote", path);
          return 1;
        }
      return 0;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        n_files += assert_no_file_holds (child, needle);
    }

  return n_files;
}

static GLogWriterOutput
record_log_writer (GLogLevelFlags   log_level,
                   const GLogField *fields,
                   gsize            n_fields,
                   gpointer         user_data)
{
  GPtrArray *logged = user_data;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].value != NULL)
      g_ptr_array_add (logged, fields[i].length < 0 ? g_strdup (fields[i].value)
                                                   : g_strndup (fields[i].value, (gsize) fields[i].length));

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

GPtrArray *
record_log_messages (void)
{
  GPtrArray *logged = g_ptr_array_new_with_free_func (g_free);

  g_log_set_writer_func (record_log_writer, logged, NULL);
  return logged;
}

char *
use_private_folders (const char *root_variable,
                     const char *prefix)
{
  const char *folders[][2] = {
    { "HOME", "home" }, { "XDG_CONFIG_HOME", "config" }, { "XDG_DATA_HOME", "data" },
    { "XDG_STATE_HOME", "state" }, { "XDG_CACHE_HOME", "cache" }, { "TMPDIR", "tmp" },
  };
  char *root = g_strdup (g_getenv (root_variable));

  if (root == NULL)
    {
      g_autofree char *template = g_strconcat (prefix, "-XXXXXX", NULL);

      root = g_dir_make_tmp (template, NULL);
      g_assert_nonnull (root);
      g_setenv (root_variable, root, TRUE);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autofree char *path = g_build_filename (root, folders[i][1], NULL);

      g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
      g_setenv (folders[i][0], path, TRUE);
    }

  return root;
}
