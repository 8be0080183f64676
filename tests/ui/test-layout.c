/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "haven-operator-pin.h"
#include "haven-operator-screen.h"
#include "haven-summary-page.h"
#include "haven-visit-footer.h"
#include "haven-welcome-page.h"
#include "test-files.h"
#include "visit-driver.h"

/* On a portrait kiosk, on Cage's default 1280×720 and on 1280×800, in a
 * language written left to right and in one written right to left: no
 * page asks for more width than the screen, and every page's main action is on screen without
 * scrolling, on every page of three whole visits and on the operator's
 * screen; the summary's next steps and help lines too. */

typedef struct {
  int width;
  int height;
} ScreenSize;

static const ScreenSize sizes[] = {
  { 800, 1280 },
  { 1280, 720 },
  { 1280, 800 },
};

typedef struct {
  const ScreenSize *screen;
  const char *language;
  guint pages;
  guint failures;
  guint labels;
} Walk;

static void
fail (Walk       *walk,
      const char *where,
      const char *format,
      ...) G_GNUC_PRINTF (3, 4);

static void
fail (Walk       *walk,
      const char *where,
      const char *format,
      ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_test_message ("FAIL %d×%d %s, %s: %s", walk->screen->width, walk->screen->height,
                  walk->language, where, what);
  walk->failures++;
}

/* The window's smallest width, from its template. */
#define WINDOW_MIN_WIDTH 360

static int
min_width_of (GtkWidget *widget)
{
  int min_width;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  return min_width;
}

/* The innermost widget that asks for more than @limit pixels of width,
 * as a path of type names: what to fix. */
static char *
describe_too_wide (GtkWidget *widget,
                   int        limit)
{
  GString *path = g_string_new (G_OBJECT_TYPE_NAME (widget));

  for (;;)
    {
      GtkWidget *widest = NULL;

      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        if (gtk_widget_get_visible (child) && min_width_of (child) > limit)
          widest = child;

      if (widest == NULL)
        break;
      widget = widest;
      g_string_append_printf (path, " > %s", G_OBJECT_TYPE_NAME (widget));
      if (GTK_IS_LABEL (widget))
        g_string_append_printf (path, " “%s”", gtk_label_get_label (GTK_LABEL (widget)));
      else if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
        g_string_append_printf (path, " “%s”", gtk_button_get_label (GTK_BUTTON (widget)));
    }

  g_string_append_printf (path, " (%d px)", min_width_of (widget));
  return g_string_free (path, FALSE);
}

static void
assert_fits_width (Walk       *walk,
                   GtkWidget  *widget,
                   const char *where)
{
  int min_width = min_width_of (widget);
  g_autofree char *culprit = NULL;

  if (min_width <= WINDOW_MIN_WIDTH)
    return;

  culprit = describe_too_wide (widget, WINDOW_MIN_WIDTH);
  if (min_width > walk->screen->width)
    fail (walk, where, "asks for %d px of width, on a screen %d px wide: %s", min_width,
          walk->screen->width, culprit);
  else
    /* Said, not yet failed: the header, the rows of action buttons and
     * some answers do not yet reflow to the window's smallest width. */
    g_test_message ("NOTE %d×%d %s, %s: asks for %d px of width, more than the window's "
                    "smallest, %d px: %s", walk->screen->width, walk->screen->height,
                    walk->language, where, min_width, WINDOW_MIN_WIDTH, culprit);
}

/* Whether @widget lies wholly on screen and wholly inside the visible part
 * of every scrolled window it is in. */
static gboolean
is_in_sight (GtkWidget        *widget,
             GtkWidget        *window,
             const ScreenSize *screen)
{
  graphene_rect_t visible = GRAPHENE_RECT_INIT (0, 0, screen->width, screen->height);
  graphene_rect_t bounds;

  if (!gtk_widget_compute_bounds (widget, window, &bounds))
    return FALSE;

  for (GtkWidget *ancestor = gtk_widget_get_parent (widget); ancestor != NULL;
       ancestor = gtk_widget_get_parent (ancestor))
    {
      graphene_rect_t viewport;

      if (GTK_IS_SCROLLED_WINDOW (ancestor) &&
          gtk_widget_compute_bounds (ancestor, window, &viewport))
        graphene_rect_intersection (&visible, &viewport, &visible);
    }

  /* A pixel of rounding. */
  graphene_rect_inset (&visible, -1, -1);
  return graphene_rect_contains_rect (&visible, &bounds);
}

static gboolean
is_main_button (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         (gtk_widget_has_css_class (widget, "suggested-action") ||
          gtk_widget_has_css_class (widget, "language-choice"));
}

static gboolean
is_mapped_footer (GtkWidget     *widget,
                  gconstpointer  data)
{
  return HAVEN_IS_VISIT_FOOTER (widget) && gtk_widget_get_mapped (widget);
}

/* The page's main action: the footer's primary button, else the page's
 * suggested (or language) button, else its answers (the safety page),
 * else Back (the category page, whose choices are a list). */
static GtkWidget *
find_main_action (GtkWidget *page)
{
  GtkWidget *footer = find_widget (page, is_mapped_footer, NULL);
  GtkWidget *button;

  if (footer != NULL)
    {
      button = haven_visit_footer_get_primary_button (HAVEN_VISIT_FOOTER (footer));
      if (gtk_widget_get_mapped (button))
        return button;
    }

  if ((button = find_widget (page, is_main_button, NULL)) != NULL)
    return button;
  if ((button = find_widget (page, has_action, "safety.answer")) != NULL)
    return button;
  return find_widget (page, has_action, "visit.back");
}

static void
assert_in_sight (Walk       *walk,
                 GtkWidget  *button,
                 GtkWidget  *window,
                 const char *where)
{
  graphene_rect_t bounds;

  if (button == NULL)
    {
      fail (walk, where, "no main action found");
      return;
    }

  if (!is_in_sight (button, window, walk->screen))
    {
      const char *label = gtk_button_get_label (GTK_BUTTON (button));

      if (!gtk_widget_compute_bounds (button, window, &bounds))
        graphene_rect_init (&bounds, -1, -1, 0, 0);
      fail (walk, where, "its main action (“%s”) at %.0f,%.0f %.0f×%.0f is out of sight",
            label != NULL ? label : gtk_widget_get_name (button), bounds.origin.x, bounds.origin.y,
            bounds.size.width, bounds.size.height);
    }
}

static gboolean
is_language_choice (GtkWidget     *widget,
                    gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_has_css_class (widget, "language-choice");
}

static void
collect_language_choices (GtkWidget *widget,
                          GPtrArray *found)
{
  if (is_language_choice (widget, NULL))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_language_choices (child, found);
}

static void
assert_every_language_in_sight (Walk       *walk,
                                GtkWidget  *page,
                                GtkWidget  *window,
                                const char *where)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  g_auto(GStrv) shipped = shipped_languages ();

  collect_language_choices (page, buttons);
  if (buttons->len != g_strv_length (shipped))
    fail (walk, where, "%u languages offered, %u shipped", buttons->len, g_strv_length (shipped));
  for (guint i = 0; i < buttons->len; i++)
    if (!is_in_sight (g_ptr_array_index (buttons, i), window, walk->screen))
      fail (walk, where, "the language “%s” is out of sight",
            gtk_widget_get_name (g_ptr_array_index (buttons, i)));
}

static void
check_page (HavenWindow *window,
            gpointer     user_data)
{
  Walk *walk = user_data;
  GtkWidget *page = haven_window_get_current_page (window);
  g_autofree char *where = NULL;
  GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (window));
  GtkWidget *heading;

  /* A new page is laid out at the next frame. */
  wait_for_frame (window);
  heading = find_widget (page, is_of_type, GSIZE_TO_POINTER (GTK_TYPE_LABEL));
  where = g_strdup_printf ("%s (“%.40s”)", G_OBJECT_TYPE_NAME (page),
                           heading != NULL ? gtk_label_get_label (GTK_LABEL (heading)) : "");

  assert_fits_width (walk, content, where);
  assert_in_sight (walk, find_main_action (page), GTK_WIDGET (window), where);
  /* Every language, without scrolling. */
  if (HAVEN_IS_WELCOME_PAGE (page))
    assert_every_language_in_sight (walk, page, GTK_WIDGET (window), where);
  /* The end of a visit: what happens next, the emergency number and a
   * support line, without scrolling. */
  if (HAVEN_IS_SUMMARY_PAGE (page))
    {
      const char * const parts[] = { "what-happens-next", "help-now" };

      for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
        {
          GtkWidget *part = find_widget (page, has_name, parts[i]);

          if (part == NULL || !gtk_widget_get_mapped (part) ||
              !is_in_sight (part, GTK_WIDGET (window), walk->screen))
            fail (walk, where, "“%s” is not in sight", parts[i]);
        }
    }
  walk->pages++;
}

static gboolean
pin_settled (HavenWindow *window)
{
  GtkWidget *screen = haven_window_get_operator_screen (window);

  return gtk_widget_get_sensitive (find_widget (screen, has_name, "unlock"));
}

static void
check_operator_screen (Walk        *walk,
                       HavenWindow *window)
{
  GtkWidget *screen;

  gtk_widget_activate_action (GTK_WIDGET (window), "visit.operator", NULL);
  iterate ();
  screen = haven_window_get_operator_screen (window);
  g_assert_nonnull (screen);

  wait_for_frame (window);
  assert_fits_width (walk, screen, "the operator's PIN");
  assert_in_sight (walk, find_widget (screen, has_name, "unlock"), GTK_WIDGET (window),
                   "the operator's PIN");

  gtk_editable_set_text (GTK_EDITABLE (find_widget (screen, has_name, "pin")), "246813");
  g_signal_emit_by_name (find_widget (screen, has_name, "unlock"), "clicked");
  g_assert_true (iterate_until (pin_settled, window, 10));
  g_assert_true (haven_operator_screen_is_unlocked (HAVEN_OPERATOR_SCREEN (screen)));

  wait_for_frame (window);
  /* The operator's tools are a long page that scrolls: only its width. */
  assert_fits_width (walk, screen, "the operator's screen");

  g_signal_emit_by_name (find_widget (screen, has_name, "close"), "clicked");
  iterate ();
  g_assert_null (haven_window_get_operator_screen (window));
  walk->pages += 2;
}

/* Without a window manager, GTK sizes a window when it is shown: from
 * its default size, cut to the X screen's, and at least its request
 * (which may exceed the X screen, for the portrait size). */
static void
show_at_size (HavenWindow      *window,
              const ScreenSize *screen)
{
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), screen->width, screen->height);
  gtk_widget_set_size_request (GTK_WIDGET (window), screen->width, screen->height);
  gtk_window_present (GTK_WINDOW (window));
  wait_ms (300);
  wait_for_frame (window);
}

static void
test_layout_fits_screen (Fixture       *fixture,
                         gconstpointer  user_data)
{
  const char * const categories[] = { "fraud", "intimate-images", "child-abuse-material" };
  const char * const languages[] = { "en", "ar" };
  /* Every language, as a kiosk offers them unless told otherwise. */
  g_auto(GStrv) offered = shipped_languages ();
  const ScreenSize *screen = user_data;
  GtkWidget *window = GTK_WIDGET (fixture->window);
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = haven_operator_pin_hash ("246813", &error);
  guint failures = 0;

  g_assert_no_error (error);
  g_settings_set_string (fixture->settings, "operator-pin-hash", hash);
  g_settings_set_strv (fixture->settings, "languages", (const char * const *) offered);
  /* The welcome page offers the languages configured when it opens. */
  start_visit (fixture->window, "en");
  gtk_widget_activate_action (window, "visit.leave-now", NULL);
  iterate ();

  show_at_size (fixture->window, screen);
  g_test_message ("window %d×%d on a %d×%d screen", gtk_widget_get_width (window),
                  gtk_widget_get_height (window), screen->width, screen->height);

  for (gsize l = 0; l < G_N_ELEMENTS (languages); l++)
    {
      Walk walk = { screen, languages[l], 0, 0, 0 };

      for (gsize c = 0; c < G_N_ELEMENTS (categories); c++)
        walk_whole_visit_in (fixture->window, categories[c], languages[l], check_page, &walk);
      check_operator_screen (&walk, fixture->window);

      g_test_message ("%d×%d %s: %u pages, %u failures", screen->width, screen->height,
                      languages[l], walk.pages, walk.failures);
      g_assert_cmpuint (walk.pages, >, 40);
      failures += walk.failures;
    }

  gtk_widget_set_size_request (window, -1, -1);
  g_settings_reset (fixture->settings, "operator-pin-hash");
  g_assert_cmpuint (failures, ==, 0);
}

/* Every line of @layout after the first starts where the script allows a
 * line to break (a space, a zero-width space, a word boundary Thai's
 * dictionary finds), not where Pango had to cut a word it could not fit:
 * Pango never overflows a wrapping label, it breaks between any two
 * characters instead, which in Khmer, Lao or Burmese is inside a word. */
static void
check_line_breaks (Walk        *walk,
                   PangoLayout *layout,
                   const char  *where)
{
  const char *text = pango_layout_get_text (layout);
  int n_attributes;
  const PangoLogAttr *attributes = pango_layout_get_log_attrs_readonly (layout, &n_attributes);
  GSList *lines = pango_layout_get_lines_readonly (layout);

  for (GSList *l = lines != NULL ? lines->next : NULL; l != NULL; l = l->next)
    {
      PangoLayoutLine *line = l->data;
      glong offset = g_utf8_pointer_to_offset (text, text + line->start_index);

      if (offset > 0 && offset < n_attributes && !attributes[offset].is_line_break)
        fail (walk, where, "“%.60s” breaks a line inside a word, before “%.12s”", text,
              text + line->start_index);
    }
}

/* Every label of @widget's that is mapped: its text must fit the width
 * it was given, and every character must have a glyph. */
static void
check_labels (Walk       *walk,
              GtkWidget  *widget,
              const char *where)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (GTK_IS_LABEL (widget) && gtk_label_get_text (GTK_LABEL (widget))[0] != '\0')
    {
      PangoLayout *layout = gtk_label_get_layout (GTK_LABEL (widget));
      PangoRectangle ink;
      PangoRectangle logical;
      int unknown = pango_layout_get_unknown_glyphs_count (layout);

      pango_layout_get_pixel_extents (layout, &ink, &logical);
      walk->labels++;
      /* A pixel of rounding. */
      if (gtk_label_get_ellipsize (GTK_LABEL (widget)) == PANGO_ELLIPSIZE_NONE &&
          logical.width > gtk_widget_get_width (widget) + 1)
        fail (walk, where, "“%.60s” is %d px wide in a label %d px wide",
              gtk_label_get_text (GTK_LABEL (widget)), logical.width, gtk_widget_get_width (widget));
      if (unknown > 0)
        fail (walk, where, "%d characters of “%.60s” have no glyph", unknown,
              gtk_label_get_text (GTK_LABEL (widget)));
      check_line_breaks (walk, layout, where);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_labels (walk, child, where);
}

static void
check_page_labels (HavenWindow *window,
                   gpointer     user_data)
{
  Walk *walk = user_data;
  GtkWidget *page = haven_window_get_current_page (window);

  wait_for_frame (window);
  check_labels (walk, GTK_WIDGET (window), G_OBJECT_TYPE_NAME (page));
  walk->pages++;
}

/* Thai, Khmer, Lao and Burmese are written without spaces between words:
 * on a portrait kiosk every label of three whole visits breaks its lines
 * where the script allows and stays inside its allocation, and no
 * character is drawn as a box. */
static void
test_unspaced_scripts_wrap (Fixture       *fixture,
                            gconstpointer  user_data)
{
  const char * const categories[] = { "fraud", "intimate-images", "child-abuse-material" };
  const char * const languages[] = { "th", "km", "lo", "my" };
  static const ScreenSize portrait = { 800, 1280 };
  g_auto(GStrv) offered = shipped_languages ();
  GtkWidget *window = GTK_WIDGET (fixture->window);
  guint failures = 0;

  g_settings_set_strv (fixture->settings, "languages", (const char * const *) offered);
  show_at_size (fixture->window, &portrait);

  for (gsize l = 0; l < G_N_ELEMENTS (languages); l++)
    {
      Walk walk = { &portrait, languages[l], 0, 0, 0 };

      if (!g_strv_contains ((const char * const *) offered, languages[l]))
        g_error ("%s is not shipped (po/LINGUAS)", languages[l]);
      for (gsize c = 0; c < G_N_ELEMENTS (categories); c++)
        walk_whole_visit_in (fixture->window, categories[c], languages[l], check_page_labels, &walk);

      g_test_message ("800×1280 %s: %u pages, %u labels, %u failures", languages[l], walk.pages,
                      walk.labels, walk.failures);
      g_assert_cmpuint (walk.pages, >, 40);
      g_assert_cmpuint (walk.labels, >, 400);
      failures += walk.failures;
    }

  gtk_widget_set_size_request (window, -1, -1);
  g_assert_cmpuint (failures, ==, 0);
}

/* Between visits the welcome page is in the kiosk's own language, which
 * may be any of them: in each, at each screen size, every language and
 * the note on what Haven keeps are in sight without scrolling. */
static void
test_welcome_in_every_language (Fixture       *fixture,
                                gconstpointer  user_data)
{
  const ScreenSize *screen = user_data;
  g_auto(GStrv) offered = shipped_languages ();
  GtkWidget *window = GTK_WIDGET (fixture->window);
  guint failures = 0;

  g_settings_set_strv (fixture->settings, "languages", (const char * const *) offered);
  show_at_size (fixture->window, screen);

  for (guint l = 0; offered[l] != NULL; l++)
    {
      Walk walk = { screen, offered[l], 0, 0, 0 };
      GtkWidget *page;
      GtkWidget *note;

      g_settings_set_string (fixture->settings, "default-language", offered[l]);
      start_visit (fixture->window, "en");
      gtk_widget_activate_action (window, "visit.leave-now", NULL);
      iterate ();
      wait_for_frame (fixture->window);

      page = haven_window_get_current_page (fixture->window);
      g_assert_true (HAVEN_IS_WELCOME_PAGE (page));
      assert_every_language_in_sight (&walk, page, window, "the welcome page");
      note = find_widget (page, has_name, "privacy-note");
      if (note == NULL || !is_in_sight (note, window, screen))
        fail (&walk, "the welcome page", "the note on what is cleared is out of sight");
      failures += walk.failures;
    }

  g_settings_reset (fixture->settings, "default-language");
  gtk_widget_set_size_request (window, -1, -1);
  g_assert_cmpuint (failures, ==, 0);
}

/* The languages reflow, and Tab still goes through every one of them in
 * reading order, from button to button. */
static void
test_tab_through_languages (Fixture       *fixture,
                            gconstpointer  user_data)
{
  const char * const offered[] = { "en", "ar", "es", "fr", "ru", NULL };

  /* The welcome page offers the languages configured when it opens. */
  g_settings_set_strv (fixture->settings, "languages", offered);
  start_visit (fixture->window, "en");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "visit.leave-now", NULL);
  iterate ();
  g_assert_true (HAVEN_IS_WELCOME_PAGE (haven_window_get_current_page (fixture->window)));
  wait_for_frame (fixture->window);

  for (gsize i = 0; offered[i] != NULL; i++)
    g_assert_cmpstr (gtk_widget_get_name (tab_to_next_control (fixture->window)), ==, offered[i]);
}

/* A window as the other tests make it, out of kiosk mode: kiosk mode
 * fills the X screen, whatever size the test asks for. */
static void
layout_set_up (Fixture       *fixture,
               gconstpointer  user_data)
{
  fixture_set_up (fixture, NULL);
}

int
main (int   argc,
      char *argv[])
{
  visit_driver_init (&argc, &argv);

  g_test_add ("/haven/layout/portrait-800x1280", Fixture, &sizes[0], layout_set_up,
              test_layout_fits_screen, fixture_tear_down);
  g_test_add ("/haven/layout/landscape-1280x720", Fixture, &sizes[1], layout_set_up,
              test_layout_fits_screen, fixture_tear_down);
  g_test_add ("/haven/layout/landscape-1280x800", Fixture, &sizes[2], layout_set_up,
              test_layout_fits_screen, fixture_tear_down);

  g_test_add ("/haven/layout/welcome-in-every-language/portrait-800x1280", Fixture, &sizes[0],
              layout_set_up, test_welcome_in_every_language, fixture_tear_down);
  g_test_add ("/haven/layout/welcome-in-every-language/landscape-1280x720", Fixture, &sizes[1],
              layout_set_up, test_welcome_in_every_language, fixture_tear_down);
  g_test_add ("/haven/layout/welcome-in-every-language/landscape-1280x800", Fixture, &sizes[2],
              layout_set_up, test_welcome_in_every_language, fixture_tear_down);
  g_test_add ("/haven/layout/unspaced-scripts-wrap", Fixture, NULL, layout_set_up,
              test_unspaced_scripts_wrap, fixture_tear_down);
  g_test_add ("/haven/layout/tab-through-languages", Fixture, NULL, layout_set_up,
              test_tab_through_languages, fixture_tear_down);

  return g_test_run ();
}
