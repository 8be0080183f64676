/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "screen-pixels.h"
#include "visit-driver.h"

/* Text is readable: WCAG 2.2 AA asks a contrast ratio of 4.5:1 for text
 * (3:1 for large text). This test renders every page of a visit, normal and
 * in high contrast, and measures the ratio between each label's background
 * and its strongest text pixel, as a visitor's eye would meet them. Labels
 * in controls that are turned off are exempt, as WCAG says. */

#define AA_TEXT 4.5
#define AA_LARGE_TEXT 3.0

typedef struct {
  ScreenPixels shot;
  double lowest;
  char *lowest_text;
  guint measured;
} Frame;

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

  if (!screen_pixels_bounds (&frame->shot, label, root, &bounds))
    return;
  /* Only what shows: a label scrolled under a page's action bar is not
   * seen there, nor read through the shadow at the content's foot
   * (style.css, 12 px) until it is scrolled into view. */
  for (GtkWidget *ancestor = gtk_widget_get_parent (label); ancestor != NULL;
       ancestor = gtk_widget_get_parent (ancestor))
    {
      graphene_rect_t viewport;

      if (!GTK_IS_SCROLLED_WINDOW (ancestor) ||
          !screen_pixels_bounds (&frame->shot, ancestor, root, &viewport))
        continue;
      viewport.size.height -= 12;
      if (!graphene_rect_intersection (&bounds, &viewport, &bounds))
        return;
    }
  x0 = MAX (0, (int) bounds.origin.x);
  y0 = MAX (0, (int) bounds.origin.y);
  x1 = MIN (frame->shot.width, (int) (bounds.origin.x + bounds.size.width));
  y1 = MIN (frame->shot.height, (int) (bounds.origin.y + bounds.size.height));
  if (x1 - x0 < 2 || y1 - y0 < 2)
    return;

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        gpointer key = GUINT_TO_POINTER (frame->shot.pixels[y * frame->shot.width + x]);
        guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key)) + 1;

        g_hash_table_insert (counts, key, GUINT_TO_POINTER (count));
        if (count > best_count)
          best_count = count, background = GPOINTER_TO_UINT (key);
      }

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        double ratio = contrast_ratio (frame->shot.pixels[y * frame->shot.width + x], background);

        if (ratio > best)
          best = ratio, text = frame->shot.pixels[y * frame->shot.width + x];
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
  while (!screen_pixels_capture (&frame->shot, GTK_WIDGET (window)) && ++attempts < 20);
  g_assert_cmpuint (attempts, <, 20);
  measure_tree (frame, GTK_WIDGET (window), GTK_WIDGET (window));
}

static void
walk_and_measure (Fixture  *fixture,
                  gboolean  high_contrast)
{
  Frame frame = { { NULL, 0, 0, 0, 0 }, G_MAXDOUBLE, NULL, 0 };

  /* For the visit after the welcome page; Finish turns it off. */
  g_object_set (fixture->window, "high-contrast", high_contrast, NULL);
  walk_whole_visit (fixture->window, "intimate-images", measure_page, &frame);

  g_test_message ("%s: %u labels measured; the closest to the limit: %s",
                  high_contrast ? "high contrast" : "normal", frame.measured, frame.lowest_text);
  g_assert_cmpuint (frame.measured, >, 50);
  screen_pixels_clear (&frame.shot);
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
