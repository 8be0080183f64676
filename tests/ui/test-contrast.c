/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "visit-driver.h"

/* Text is readable: WCAG 2.2 AA asks a contrast ratio of 4.5:1 for text
 * (3:1 for large text). This test renders every page of a visit, normal and
 * in high contrast, and measures the ratio between each label's background
 * and its strongest text pixel, as a visitor's eye would meet them. Labels
 * in controls that are turned off are exempt, as WCAG says. */

#define AA_TEXT 4.5
#define AA_LARGE_TEXT 3.0

typedef struct {
  guint32 *pixels;
  int width;
  int height;
  double lowest;
  char *lowest_text;
  guint measured;
} Frame;

static double
channel (guint32 pixel,
         int     shift)
{
  double c = ((pixel >> shift) & 0xff) / 255.0;

  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

/* Relative luminance, WCAG 2.2. Pixels are GDK_MEMORY_DEFAULT: B G R A in
 * memory on little-endian machines, premultiplied and opaque here. */
static double
luminance (guint32 pixel)
{
  return 0.2126 * channel (pixel, 16) + 0.7152 * channel (pixel, 8) + 0.0722 * channel (pixel, 0);
}

static double
contrast (guint32 a,
          guint32 b)
{
  double la = luminance (a), lb = luminance (b);

  return (MAX (la, lb) + 0.05) / (MIN (la, lb) + 0.05);
}

static gboolean
capture (HavenWindow *window,
         Frame       *frame)
{
  GtkWidget *widget = GTK_WIDGET (window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  frame->width = gtk_widget_get_width (widget);
  frame->height = gtk_widget_get_height (widget);
  gdk_paintable_snapshot (paintable, snapshot, frame->width, frame->height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return FALSE;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, frame->width, frame->height));
  g_free (frame->pixels);
  frame->pixels = g_new (guint32, (gsize) frame->width * (gsize) frame->height);
  gdk_texture_download (texture, (guchar *) frame->pixels, (gsize) frame->width * 4);
  return TRUE;
}

/* The label's background is its most common pixel; its text, the pixel
 * that differs most from it. */
static void
measure_label (Frame      *frame,
               GtkWidget  *label,
               GtkWidget  *root)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
  graphene_rect_t bounds;
  guint32 background = 0, text = 0;
  guint best_count = 0;
  double best = 0, needed;
  int x0, y0, x1, y1;
  PangoAttrList *attributes;

  if (!gtk_widget_compute_bounds (label, root, &bounds))
    return;
  /* Only what shows: a label scrolled under a page's action bar is not
   * seen there, nor read through the shadow at the content's foot
   * (style.css, 12 px) until it is scrolled into view. */
  for (GtkWidget *ancestor = gtk_widget_get_parent (label); ancestor != NULL;
       ancestor = gtk_widget_get_parent (ancestor))
    {
      graphene_rect_t viewport;

      if (!GTK_IS_SCROLLED_WINDOW (ancestor) ||
          !gtk_widget_compute_bounds (ancestor, root, &viewport))
        continue;
      viewport.size.height -= 12;
      if (!graphene_rect_intersection (&bounds, &viewport, &bounds))
        return;
    }
  x0 = MAX (0, (int) bounds.origin.x);
  y0 = MAX (0, (int) bounds.origin.y);
  x1 = MIN (frame->width, (int) (bounds.origin.x + bounds.size.width));
  y1 = MIN (frame->height, (int) (bounds.origin.y + bounds.size.height));
  if (x1 - x0 < 2 || y1 - y0 < 2)
    return;

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        gpointer key = GUINT_TO_POINTER (frame->pixels[y * frame->width + x]);
        guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key)) + 1;

        g_hash_table_insert (counts, key, GUINT_TO_POINTER (count));
        if (count > best_count)
          best_count = count, background = GPOINTER_TO_UINT (key);
      }

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        double ratio = contrast (frame->pixels[y * frame->width + x], background);

        if (ratio > best)
          best = ratio, text = frame->pixels[y * frame->width + x];
      }
  (void) text;

  /* Large text: 18 points, or 14 bold; the pages' titles and headings. */
  attributes = gtk_label_get_attributes (GTK_LABEL (label));
  (void) attributes;
  needed = gtk_widget_has_css_class (label, "title-1") || gtk_widget_has_css_class (label, "title-2") ||
           gtk_widget_has_css_class (label, "title-3") || gtk_widget_has_css_class (label, "emergency-number-value")
           ? AA_LARGE_TEXT : AA_TEXT;

  frame->measured++;
  if (best / needed < frame->lowest)
    {
      frame->lowest = best / needed;
      g_free (frame->lowest_text);
      frame->lowest_text = g_strdup_printf ("“%s” %.2f:1", gtk_label_get_label (GTK_LABEL (label)), best);
    }
  if (best < needed)
    g_error ("“%s” has a contrast of %.2f:1, under %.1f:1", gtk_label_get_label (GTK_LABEL (label)),
             best, needed);
}

static void
measure_tree (Frame     *frame,
              GtkWidget *widget,
              GtkWidget *root)
{
  if (!gtk_widget_get_mapped (widget) || !gtk_widget_is_sensitive (widget))
    return;

  if (GTK_IS_LABEL (widget) && gtk_label_get_label (GTK_LABEL (widget))[0] != '\0' &&
      gtk_widget_get_opacity (widget) > 0)
    measure_label (frame, widget, root);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    measure_tree (frame, child, root);
}

static void
measure_page (HavenWindow *window,
              gpointer     user_data)
{
  Frame *frame = user_data;
  guint attempts = 0;

  /* A busy machine may take a few frames to draw a new page. */
  do
    wait_ms (80);
  while (!capture (window, frame) && ++attempts < 20);
  g_assert_cmpuint (attempts, <, 20);
  measure_tree (frame, GTK_WIDGET (window), GTK_WIDGET (window));
}

static void
walk_and_measure (Fixture  *fixture,
                  gboolean  high_contrast)
{
  Frame frame = { NULL, 0, 0, G_MAXDOUBLE, NULL, 0 };

  /* For the visit after the welcome page; Finish turns it off. */
  g_object_set (fixture->window, "high-contrast", high_contrast, NULL);
  walk_whole_visit (fixture->window, "intimate-images", measure_page, &frame);

  g_test_message ("%s: %u labels measured; the closest to the limit: %s",
                  high_contrast ? "high contrast" : "normal", frame.measured, frame.lowest_text);
  g_assert_cmpuint (frame.measured, >, 50);
  g_free (frame.pixels);
  g_free (frame.lowest_text);
}

static void
test_normal (Fixture       *fixture,
             gconstpointer  user_data)
{
  walk_and_measure (fixture, FALSE);
}

static void
test_high_contrast (Fixture       *fixture,
                    gconstpointer  user_data)
{
  walk_and_measure (fixture, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  visit_driver_init (&argc, &argv);

  g_test_add ("/haven/contrast/normal", Fixture, NULL, fixture_set_up, test_normal, fixture_tear_down);
  g_test_add ("/haven/contrast/high-contrast", Fixture, NULL, fixture_set_up, test_high_contrast,
              fixture_tear_down);

  return g_test_run ();
}
