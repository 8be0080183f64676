/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-renderer"

#include "config.h"

#include <glib/gstdio.h>

#include "haven-renderer.h"

/* A folder standing for /dev/dri, with the devices named in @devices. */
static char *
make_dri_dir (const char * const *devices)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-renderer-XXXXXX", &error);

  g_assert_no_error (error);
  for (gsize i = 0; devices[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, devices[i], NULL);

      g_assert_true (g_file_set_contents (path, "", 0, &error));
      g_assert_no_error (error);
    }

  return dir;
}

static void
remove_dri_dir (char *dir)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (dir);
}

static char **
environment (const char *first,
             ...)
{
  char **envp = g_new0 (char *, 1);
  const char *variable = first;
  va_list args;

  va_start (args, first);
  while (variable != NULL)
    {
      envp = g_environ_setenv (envp, variable, va_arg (args, const char *), TRUE);
      variable = va_arg (args, const char *);
    }
  va_end (args);

  return envp;
}

/* No render node: Mesa could only draw on the CPU, so cairo, and GL is
 * never opened. */
static void
test_no_gpu (void)
{
  char *dri = make_dri_dir ((const char *[]) { "card0", NULL });
  g_auto(GStrv) envp = environment ("PATH", "/usr/bin", NULL);

  g_assert_cmpint (haven_renderer_choose (&envp, dri), ==, HAVEN_RENDERER_SOFTWARE);
  g_assert_cmpstr (g_environ_getenv (envp, "GSK_RENDERER"), ==, "cairo");
  g_assert_cmpstr (g_environ_getenv (envp, "GDK_DEBUG"), ==, "gl-disable");
  g_assert_cmpstr (g_environ_getenv (envp, "PATH"), ==, "/usr/bin");

  remove_dri_dir (dri);
}

/* No /dev/dri at all, as in a container or on a machine with no DRM
 * driver. */
static void
test_no_dri_folder (void)
{
  g_auto(GStrv) envp = environment (NULL);

  g_assert_cmpint (haven_renderer_choose (&envp, "/nonexistent/dri"), ==,
                   HAVEN_RENDERER_SOFTWARE);
  g_assert_cmpstr (g_environ_getenv (envp, "GSK_RENDERER"), ==, "cairo");
}

/* A GPU: GTK's own choice stands, and nothing is set. */
static void
test_gpu (void)
{
  char *dri = make_dri_dir ((const char *[]) { "card0", "renderD128", NULL });
  g_auto(GStrv) envp = environment ("GDK_DEBUG", "", NULL);

  g_assert_cmpint (haven_renderer_choose (&envp, dri), ==, HAVEN_RENDERER_GPU);
  g_assert_null (g_environ_getenv (envp, "GSK_RENDERER"));
  g_assert_cmpstr (g_environ_getenv (envp, "GDK_DEBUG"), ==, "");

  remove_dri_dir (dri);
}

/* LIBGL_ALWAYS_SOFTWARE, read as Mesa reads it, means llvmpipe even with a
 * GPU; GDK_DEBUG's other flags stay. */
static void
test_software_gl_asked_for (void)
{
  char *dri = make_dri_dir ((const char *[]) { "renderD128", NULL });
  const char *yes[] = { "1", "true", "YES" };
  const char *no[] = { "0", "false", "" };

  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      g_auto(GStrv) envp = environment ("LIBGL_ALWAYS_SOFTWARE", yes[i],
                                        "GDK_DEBUG", "events", NULL);

      g_assert_cmpint (haven_renderer_choose (&envp, dri), ==, HAVEN_RENDERER_SOFTWARE);
      g_assert_cmpstr (g_environ_getenv (envp, "GSK_RENDERER"), ==, "cairo");
      g_assert_cmpstr (g_environ_getenv (envp, "GDK_DEBUG"), ==, "events,gl-disable");
    }

  for (gsize i = 0; i < G_N_ELEMENTS (no); i++)
    {
      g_auto(GStrv) envp = environment ("LIBGL_ALWAYS_SOFTWARE", no[i], NULL);

      g_assert_cmpint (haven_renderer_choose (&envp, dri), ==, HAVEN_RENDERER_GPU);
      g_assert_null (g_environ_getenv (envp, "GSK_RENDERER"));
    }

  remove_dri_dir (dri);
}

/* Whoever starts haven with GSK_RENDERER set chooses, GPU or not. */
static void
test_renderer_set (void)
{
  g_auto(GStrv) envp = environment ("GSK_RENDERER", "gl", "LIBGL_ALWAYS_SOFTWARE", "1", NULL);

  g_assert_cmpint (haven_renderer_choose (&envp, "/nonexistent/dri"), ==, HAVEN_RENDERER_AS_SET);
  g_assert_cmpstr (g_environ_getenv (envp, "GSK_RENDERER"), ==, "gl");
  g_assert_null (g_environ_getenv (envp, "GDK_DEBUG"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/renderer/no-gpu", test_no_gpu);
  g_test_add_func ("/haven/renderer/no-dri-folder", test_no_dri_folder);
  g_test_add_func ("/haven/renderer/gpu", test_gpu);
  g_test_add_func ("/haven/renderer/software-gl-asked-for", test_software_gl_asked_for);
  g_test_add_func ("/haven/renderer/renderer-set", test_renderer_set);

  return g_test_run ();
}
