/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "screen-pixels"

#include "config.h"

#include <math.h>

#include "screen-pixels.h"

static double
channel (guint32 pixel,
         int     shift)
{
  double c = ((pixel >> shift) & 0xff) / 255.0;

  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

/* Relative luminance, WCAG 2.2. The pixels of a window are opaque. */
static double
luminance (guint32 pixel)
{
  return 0.2126 * channel (pixel, 16) + 0.7152 * channel (pixel, 8) + 0.0722 * channel (pixel, 0);
}

double
contrast_ratio (guint32 a,
                guint32 b)
{
  double la = luminance (a), lb = luminance (b);

  return (MAX (la, lb) + 0.05) / (MIN (la, lb) + 0.05);
}

/* Renders @window as it is now, edge included, pixel for pixel, with its
 * own renderer, into @shot. Returns FALSE when it has nothing to draw yet. */
gboolean
screen_pixels_capture (ScreenPixels *shot,
                       GtkWidget    *window)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t frame;

  /* The picture at its own size, edge included: drawn at the window's
   * content size (gtk_widget_get_width()) it would be scaled down a
   * little, and every line blurred. */
  if (!gtk_widget_compute_bounds (window, window, &frame))
    {
      g_object_unref (gtk_snapshot_free_to_paintable (snapshot, NULL));
      return FALSE;
    }
  shot->origin_x = frame.origin.x;
  shot->origin_y = frame.origin.y;
  shot->width = gdk_paintable_get_intrinsic_width (paintable);
  shot->height = gdk_paintable_get_intrinsic_height (paintable);
  if (shot->width != (int) frame.size.width || shot->height != (int) frame.size.height)
    {
      g_object_unref (gtk_snapshot_free_to_paintable (snapshot, NULL));
      return FALSE;
    }
  gdk_paintable_snapshot (paintable, snapshot, shot->width, shot->height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return FALSE;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, shot->width, shot->height));
  g_free (shot->pixels);
  shot->pixels = g_new (guint32, (gsize) shot->width * (gsize) shot->height);
  gdk_texture_download (texture, (guchar *) shot->pixels, (gsize) shot->width * 4);
  return TRUE;
}

/* The bounds of @widget (its border box) in the pixels of @shot. */
gboolean
screen_pixels_bounds (const ScreenPixels *shot,
                      GtkWidget          *widget,
                      GtkWidget          *window,
                      graphene_rect_t    *bounds)
{
  if (!gtk_widget_compute_bounds (widget, window, bounds))
    return FALSE;
  bounds->origin.x -= shot->origin_x;
  bounds->origin.y -= shot->origin_y;
  return TRUE;
}

/* The pixel at @x, @y, clamped to the window. */
guint32
screen_pixels_at (const ScreenPixels *shot,
                  int                 x,
                  int                 y)
{
  x = CLAMP (x, 0, shot->width - 1);
  y = CLAMP (y, 0, shot->height - 1);
  return shot->pixels[(gsize) y * (gsize) shot->width + (gsize) x];
}

/* Writes @shot to @name.png in $HAVEN_TEST_SHOTS, when that is set: to
 * look at what a test measured. */
void
screen_pixels_keep (const ScreenPixels *shot,
                    const char         *name)
{
  const char *directory = g_getenv ("HAVEN_TEST_SHOTS");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *path = NULL;

  if (directory == NULL || shot->pixels == NULL)
    return;
  bytes = g_bytes_new (shot->pixels, (gsize) shot->width * (gsize) shot->height * 4);
  texture = gdk_memory_texture_new (shot->width, shot->height, GDK_MEMORY_DEFAULT, bytes,
                                    (gsize) shot->width * 4);
  file_name = g_strconcat (name, ".png", NULL);
  path = g_build_filename (directory, file_name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

void
screen_pixels_clear (ScreenPixels *shot)
{
  g_clear_pointer (&shot->pixels, g_free);
  shot->width = shot->height = 0;
}
