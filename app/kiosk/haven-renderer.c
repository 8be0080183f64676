/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-renderer"

#include "config.h"

#include "haven-renderer.h"

/* How the kiosk draws when it has no GPU. GTK 4.8 draws with GL by default,
 * and without a GPU Mesa gives it llvmpipe, OpenGL on the CPU: measured with
 * tests/bench/bench-startup on a 2-core machine (README.md, "Running as a
 * kiosk"), cairo paints haven's first frame in well under half the time
 * and a third of the memory. Choosing cairo alone is not enough: on X11,
 * GDK opens OpenGL anyway to choose the window's visual, which loads
 * llvmpipe (some 60 MB) and takes some 35 ms, so GL is turned off too
 * (GDK_DEBUG=gl-disable, the setting the valgrind test setup uses).
 *
 * Without a GPU there is no DRM render node (/dev/dri/renderD*): Mesa could
 * only render on the CPU. LIBGL_ALWAYS_SOFTWARE asks Mesa for exactly that.
 * GSK_RENDERER, set by whoever starts haven, always wins. */

#define RENDER_NODE_PREFIX "renderD"

static gboolean
has_render_node (const char *dri_dir)
{
  g_autoptr(GDir) dir = g_dir_open (dri_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_prefix (name, RENDER_NODE_PREFIX))
        return TRUE;
    }

  return FALSE;
}

/* As Mesa reads its boolean variables. */
static gboolean
is_true (const char *value)
{
  return value != NULL &&
         (g_str_equal (value, "1") || g_ascii_strcasecmp (value, "true") == 0 ||
          g_ascii_strcasecmp (value, "yes") == 0);
}

/**
 * haven_renderer_choose:
 * @envp: (inout): an environment, as g_get_environ() returns it
 * @dri_dir: where the DRM devices are, /dev/dri
 *
 * Sets GSK_RENDERER and GDK_DEBUG in @envp for a machine without a GPU,
 * unless GSK_RENDERER is set already.
 *
 * Returns: what @envp now asks GTK for
 */
HavenRenderer
haven_renderer_choose (char       ***envp,
                       const char   *dri_dir)
{
  const char *renderer;
  const char *debug;

  g_return_val_if_fail (envp != NULL, HAVEN_RENDERER_AS_SET);
  g_return_val_if_fail (dri_dir != NULL, HAVEN_RENDERER_AS_SET);

  renderer = g_environ_getenv (*envp, "GSK_RENDERER");
  if (renderer != NULL && renderer[0] != '\0')
    return HAVEN_RENDERER_AS_SET;

  if (!is_true (g_environ_getenv (*envp, "LIBGL_ALWAYS_SOFTWARE")) && has_render_node (dri_dir))
    return HAVEN_RENDERER_GPU;

  *envp = g_environ_setenv (*envp, "GSK_RENDERER", "cairo", TRUE);
  debug = g_environ_getenv (*envp, "GDK_DEBUG");
  if (debug == NULL || debug[0] == '\0')
    {
      *envp = g_environ_setenv (*envp, "GDK_DEBUG", "gl-disable", TRUE);
    }
  else
    {
      g_autofree char *more = g_strconcat (debug, ",gl-disable", NULL);

      *envp = g_environ_setenv (*envp, "GDK_DEBUG", more, TRUE);
    }

  return HAVEN_RENDERER_SOFTWARE;
}

/**
 * haven_renderer_apply:
 *
 * haven_renderer_choose() for this process. Call it first thing in main(),
 * before GTK reads its environment and before any thread exists.
 *
 * Returns: what GTK is asked for
 */
HavenRenderer
haven_renderer_apply (void)
{
  g_auto(GStrv) envp = g_get_environ ();
  HavenRenderer renderer = haven_renderer_choose (&envp, "/dev/dri");

  if (renderer == HAVEN_RENDERER_SOFTWARE)
    {
      g_setenv ("GSK_RENDERER", g_environ_getenv (envp, "GSK_RENDERER"), TRUE);
      g_setenv ("GDK_DEBUG", g_environ_getenv (envp, "GDK_DEBUG"), TRUE);
    }

  return renderer;
}
