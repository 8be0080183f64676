/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "visit-driver.h"

/* Every control a visitor can touch is at least 48 by 48 pixels, on every
 * page of three whole visits, the header included. */

#define MIN_TARGET 48
#define TEXT_ROUNDING 3

static gboolean
is_target (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_ENTRY (widget) || GTK_IS_PASSWORD_ENTRY (widget) || GTK_IS_SEARCH_ENTRY (widget);
}

static guint
assert_targets_large (GtkWidget  *widget,
                      const char *page)
{
  guint checked = 0;

  if (!gtk_widget_get_mapped (widget))
    return 0;

  if (is_target (widget))
    {
      int width = gtk_widget_get_width (widget);
      int height = gtk_widget_get_height (widget);

      if (width < MIN_TARGET || height < MIN_TARGET)
        {
          const char *label = GTK_IS_BUTTON (widget) ? gtk_button_get_label (GTK_BUTTON (widget)) : NULL;

          g_error ("On %s, a %s (%s, “%s”) is %d×%d pixels, under %d×%d", page,
                   G_OBJECT_TYPE_NAME (widget), gtk_widget_get_name (widget), label != NULL ? label : "",
                   width, height, MIN_TARGET, MIN_TARGET);
        }
      checked++;
      /* Its parts are not targets of their own. */
      return checked;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    checked += assert_targets_large (child, page);

  return checked;
}

/* No text is cut: every label has at least the room it asks for, and lies
 * within the window's width (a page scrolls down, never across). */
static guint
assert_text_fits (GtkWidget  *widget,
                  GtkWidget  *window,
                  const char *page)
{
  guint checked = 0;

  if (!gtk_widget_get_mapped (widget))
    return 0;

  if (GTK_IS_LABEL (widget) && gtk_label_get_label (GTK_LABEL (widget))[0] != '\0')
    {
      /* gtk_widget_measure() counts the margins; the content size does
       * not. */
      int width = gtk_widget_get_width (widget) + gtk_widget_get_margin_start (widget) +
                  gtk_widget_get_margin_end (widget);
      int height = gtk_widget_get_height (widget) + gtk_widget_get_margin_top (widget) +
                   gtk_widget_get_margin_bottom (widget);
      int min_width, min_height;
      graphene_rect_t bounds;

      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
      gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, &min_height, NULL, NULL, NULL);
      /* A pixel or two goes in rounding the text's size at 200%. */
      if (width + TEXT_ROUNDING < min_width || height + TEXT_ROUNDING < min_height)
        g_error ("On %s, “%s” has %d×%d pixels but needs %d×%d", page,
                 gtk_label_get_label (GTK_LABEL (widget)), width, height, min_width, min_height);
      if (gtk_widget_compute_bounds (widget, window, &bounds) &&
          (bounds.origin.x < -1 || bounds.origin.x + bounds.size.width > gtk_widget_get_width (window) + 1))
        g_error ("On %s, “%s” runs off the window", page, gtk_label_get_label (GTK_LABEL (widget)));
      checked++;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    checked += assert_text_fits (child, window, page);

  return checked;
}

static gboolean check_text;
static guint labels_checked;
static guint targets_checked;

static void
check_page (HavenWindow *window,
            gpointer     user_data)
{
  const char *page = G_OBJECT_TYPE_NAME (haven_window_get_current_page (window));

  /* A new page is laid out at the next frame. */
  wait_for_frame (window);
  if (check_text)
    labels_checked += assert_text_fits (haven_window_get_current_page (window), GTK_WIDGET (window), page);
  targets_checked += assert_targets_large (GTK_WIDGET (window), page);
}

static void
test_every_target_large_enough (Fixture       *fixture,
                                gconstpointer  user_data)
{
  const char * const categories[] = { "fraud", "intimate-images", "child-abuse-material" };

  targets_checked = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (categories); i++)
    walk_whole_visit (fixture->window, categories[i], check_page, NULL);

  g_test_message ("%u controls measured, each at least %d×%d pixels", targets_checked, MIN_TARGET, MIN_TARGET);
  g_assert_cmpuint (targets_checked, >, 100);
}

/* At 200% text, at 1280×800, every page still holds its text. (The
 * header's title is left out: AdwHeaderBar gives it the room that its
 * buttons leave.) */
static void
test_text_fits_at_double_size (Fixture       *fixture,
                               gconstpointer  user_data)
{
  const char * const categories[] = { "fraud", "intimate-images", "child-abuse-material" };
  GtkSettings *settings = gtk_widget_get_settings (GTK_WIDGET (fixture->window));

  /* The kiosk's size: without a window manager, a request is what sizes
   * a window that is already on screen. */
  gtk_widget_set_size_request (GTK_WIDGET (fixture->window), 1280, 800);
  g_object_set (settings, "gtk-xft-dpi", 96 * 1024 * 2, NULL);
  wait_ms (300);
  check_text = TRUE;
  labels_checked = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (categories); i++)
    walk_whole_visit (fixture->window, categories[i], check_page, NULL);

  g_test_message ("at 200%% text: %u labels, each with the room it needs", labels_checked);
  g_assert_cmpuint (labels_checked, >, 100);
  check_text = FALSE;
  g_object_set (settings, "gtk-xft-dpi", -1, NULL);
  gtk_widget_set_size_request (GTK_WIDGET (fixture->window), -1, -1);
}

int
main (int   argc,
      char *argv[])
{
  visit_driver_init (&argc, &argv);

  g_test_add ("/haven/targets/every-target-large-enough", Fixture, NULL, fixture_set_up,
              test_every_target_large_enough, fixture_tear_down);
  g_test_add ("/haven/targets/text-fits-at-double-size", Fixture, NULL, fixture_set_up,
              test_text_fits_at_double_size, fixture_tear_down);

  return g_test_run ();
}
