/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <glib/gstdio.h>

#include "fuzz-common.h"

static char *scratch_dir;

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  /* Messages and debug output cost time on every run and say nothing the
   * fuzzer can use. */
  if (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG))
    return G_LOG_WRITER_HANDLED;

  g_log_writer_default (level, fields, n_fields, user_data);

  /* A warning or a critical is a bug that hostile input reached. GLib
   * would stop a fatal one with SIGTRAP, which libFuzzer does not catch;
   * abort() leaves the input that did it. */
  abort ();
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) listing = g_dir_open (path, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }

  g_rmdir (path);
}

static void
remove_scratch_dir (void)
{
  remove_tree (scratch_dir);
}

void
fuzz_init (void)
{
  g_log_set_writer_func (log_writer, NULL, NULL);
}

GStrv
fuzz_split (const guint8 *data,
            gsize         size,
            char          separator,
            guint         max_parts)
{
  GPtrArray *parts = g_ptr_array_new ();
  gsize start = 0;

  g_assert (max_parts > 0);

  for (gsize i = 0; i <= size; i++)
    {
      if (i == size || (data[i] == (guint8) separator && parts->len + 1 < max_parts))
        {
          g_ptr_array_add (parts, g_strndup ((const char *) data + start, i - start));
          start = i + 1;
        }
    }

  g_ptr_array_add (parts, NULL);
  return (GStrv) g_ptr_array_free (parts, FALSE);
}

const char *
fuzz_scratch_subdir (const char *name)
{
  g_autofree char *path = g_build_filename (fuzz_scratch_dir (), name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  /* Interned: each name is made once and kept for the process. */
  return g_intern_string (path);
}

const char *
fuzz_scratch_dir (void)
{
  if (scratch_dir == NULL)
    {
      g_autoptr(GError) error = NULL;

      /* In memory where the system has it and TMPDIR does not say
       * otherwise: the importer syncs its database, which on a disk
       * would be most of a run. */
      if (g_getenv ("TMPDIR") == NULL && g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) &&
          access ("/dev/shm", W_OK) == 0)
        {
          scratch_dir = g_build_filename ("/dev/shm", "haven-fuzz-XXXXXX", NULL);
          if (g_mkdtemp (scratch_dir) == NULL)
            g_clear_pointer (&scratch_dir, g_free);
        }
      if (scratch_dir == NULL)
        scratch_dir = g_dir_make_tmp ("haven-fuzz-XXXXXX", &error);
      g_assert_no_error (error);
      atexit (remove_scratch_dir);
    }

  return scratch_dir;
}

void
fuzz_write_file (const char *dir,
                 const char *name,
                 const void *data,
                 gsize       length)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  FILE *file = fopen (path, "wb");

  /* Not g_file_set_contents(), whose fsync() would be most of a run. */
  g_assert_nonnull (file);
  if (length > 0)
    g_assert_cmpuint (fwrite (data, 1, length, file), ==, length);
  g_assert_cmpint (fclose (file), ==, 0);
}

void
fuzz_empty_dir (const char *dir)
{
  g_autoptr(GDir) listing = NULL;
  const char *name;

  if (dir == NULL)
    return;

  listing = g_dir_open (dir, 0, NULL);
  if (listing == NULL)
    return;

  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        g_unlink (path);
    }
}
