/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What a window shows, pixel by pixel, and WCAG 2.2's contrast between two
 * pixels: for the tests that measure what a visitor's eye meets. */

typedef struct {
  /* GDK_MEMORY_DEFAULT: 0xAARRGGBB as a 32-bit number, premultiplied. */
  guint32 *pixels;
  int width;
  int height;
  /* Where the window's own coordinates start in the picture: inside its
   * edge (a solid client-side decoration's border and padding). */
  double origin_x;
  double origin_y;
} ScreenPixels;

gboolean screen_pixels_capture (ScreenPixels       *shot,
                                GtkWidget          *window);
gboolean screen_pixels_bounds  (const ScreenPixels *shot,
                                GtkWidget          *widget,
                                GtkWidget          *window,
                                graphene_rect_t    *bounds);
guint32  screen_pixels_at      (const ScreenPixels *shot,
                                int                 x,
                                int                 y);
void     screen_pixels_keep    (const ScreenPixels *shot,
                                const char         *name);
void     screen_pixels_clear   (ScreenPixels       *shot);
double   contrast_ratio        (guint32             a,
                                guint32             b);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ScreenPixels, screen_pixels_clear)

G_END_DECLS
