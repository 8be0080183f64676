/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "haven-choice.h"
#include "haven-visit-header.h"
#include "screen-pixels.h"
#include "visit-driver.h"

/* Controls are seen before anything is done with them, and so is where the
 * keyboard is. WCAG 2.2 asks 3:1 for what identifies a control, its edge
 * against what lies around it, and for its state (1.4.11 Non-text
 * Contrast), and a focus ring that stands 3:1 apart from the unfocused
 * look (2.4.13 Focus Appearance). This test renders the removal request's
 * page, with its radio circles, check boxes and email field as a visitor
 * sees them, normal and in high contrast, and measures those pixels. It
 * also checks that the check boxes, radio circles and the header's icons
 * grow with the text. */

#define MIN_CONTRAST 3.0
/* How far inside a control's edge its border is looked for, and how far
 * outside it the surface it sits on is taken. */
#define EDGE_BAND 4
#define OUTSIDE 3
/* How far outside a control its focus ring may lie. */
#define RING_REACH 10
/* Under this, a change is no ring at all: anti-aliasing, a hover fade. */
#define NO_RING 1.5
/* At 200% text, the least a check box or an icon must have grown by. */
#define MIN_GROWTH 1.5

/* The window is made tall enough to hold the whole page unscrolled, so
 * that every control is on screen at once. */
#define WINDOW_WIDTH 1280
#define WINDOW_HEIGHT 1700

/* Walks a visit about intimate images up to the removal request's page
 * of @page_type: the role page holds radio circles, the contact page the
 * email field, the send page a check box. */
static void
open_removal_page (HavenWindow *window,
                   GType        page_type)
{
  GtkWidget *page;

  gtk_widget_set_size_request (GTK_WIDGET (window), WINDOW_WIDTH, WINDOW_HEIGHT);
  start_visit (window, "en");
  advance_to (window, HAVEN_TYPE_CATEGORY_PAGE);
  choose_category (window, "intimate-images");
  for (guint steps = 0; !G_TYPE_CHECK_INSTANCE_TYPE (haven_window_get_current_page (window), page_type);
       steps++)
    {
      g_assert_cmpuint (steps, <, 40);
      page = haven_window_get_current_page (window);
      if (HAVEN_IS_REMOVAL_ITEMS_PAGE (page))
        {
          GtkWidget *address = find_widget (page, is_of_type, GSIZE_TO_POINTER (GTK_TYPE_ENTRY));

          gtk_editable_set_text (GTK_EDITABLE (address), "https://example.social/p/1");
          press_named (window, "continue");
        }
      else
        advance (window);
    }
  wait_for_frame (window);
}

/* From one removal page to the next of @page_type, in the same visit. */
static void
go_on_to (HavenWindow *window,
          GType        page_type)
{
  advance_to (window, page_type);
  wait_for_frame (window);
}

static GtkWidget *
find_named (HavenWindow *window,
            const char  *name)
{
  GtkWidget *widget = find_widget (haven_window_get_current_page (window), has_name, name);

  g_assert_nonnull (widget);
  return widget;
}

/* The check box or radio circle a choice shows beside its words. */
static GtkWidget *
find_indicator (GtkWidget *choice)
{
  GtkWidget *indicator = find_widget (choice, has_css_class, "choice-indicator");

  if (indicator == NULL || !gtk_widget_get_mapped (indicator))
    g_error ("The choice “%s” shows no check box or radio circle", gtk_button_get_label (GTK_BUTTON (choice)));
  return indicator;
}

typedef struct {
  int x0, y0, x1, y1;
} Box;

static Box
box_of (const ScreenPixels *shot,
        GtkWidget          *widget,
        GtkWidget          *window)
{
  graphene_rect_t bounds;
  Box box;

  g_assert_true (screen_pixels_bounds (shot, widget, window, &bounds));
  box.x0 = (int) ceil (bounds.origin.x);
  box.y0 = (int) ceil (bounds.origin.y);
  box.x1 = (int) floor (bounds.origin.x + bounds.size.width) - 1;
  box.y1 = (int) floor (bounds.origin.y + bounds.size.height) - 1;
  return box;
}

/* The four sides of @box: where each meets the middle line across it, and
 * which way is inwards. */
typedef struct {
  int x, y, dx, dy;
} Side;

static void
sides_of (const Box *box,
          Side       sides[4])
{
  int mx = (box->x0 + box->x1) / 2, my = (box->y0 + box->y1) / 2;

  sides[0] = (Side) { box->x0, my, 1, 0 };
  sides[1] = (Side) { box->x1, my, -1, 0 };
  sides[2] = (Side) { mx, box->y0, 0, 1 };
  sides[3] = (Side) { mx, box->y1, 0, -1 };
}

/* The contrast between a control's edge and the surface it sits on: on
 * each side, the strongest of its outermost pixels against the pixel just
 * outside; the weakest side counts, as the eye needs the whole outline. */
static double
edge_contrast (const ScreenPixels *shot,
               GtkWidget          *widget,
               GtkWidget          *window)
{
  Box box = box_of (shot, widget, window);
  Side sides[4];
  double weakest = G_MAXDOUBLE;

  sides_of (&box, sides);
  for (guint s = 0; s < 4; s++)
    {
      const Side *side = &sides[s];
      guint32 surface = screen_pixels_at (shot, side->x - side->dx * OUTSIDE, side->y - side->dy * OUTSIDE);
      double strongest = 0;

      for (int i = 0; i < EDGE_BAND; i++)
        strongest = MAX (strongest, contrast_ratio (screen_pixels_at (shot, side->x + side->dx * i,
                                                                      side->y + side->dy * i),
                                                    surface));
      weakest = MIN (weakest, strongest);
    }

  return weakest;
}

/* The contrast of the mark inside a check box or radio circle (a tick, a
 * dot) against the box's own fill: the most common pixel of its inner
 * half, against the one that differs most from it. */
static double
mark_contrast (const ScreenPixels *shot,
               GtkWidget          *indicator,
               GtkWidget          *window)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
  Box box = box_of (shot, indicator, window);
  int w = box.x1 - box.x0, h = box.y1 - box.y0;
  guint32 fill = 0;
  guint best_count = 0;
  double strongest = 1;

  for (int y = box.y0 + h / 4; y <= box.y1 - h / 4; y++)
    for (int x = box.x0 + w / 4; x <= box.x1 - w / 4; x++)
      {
        gpointer key = GUINT_TO_POINTER (screen_pixels_at (shot, x, y));
        guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key)) + 1;

        g_hash_table_insert (counts, key, GUINT_TO_POINTER (count));
        if (count > best_count)
          best_count = count, fill = GPOINTER_TO_UINT (key);
      }
  for (int y = box.y0 + h / 4; y <= box.y1 - h / 4; y++)
    for (int x = box.x0 + w / 4; x <= box.x1 - w / 4; x++)
      strongest = MAX (strongest, contrast_ratio (screen_pixels_at (shot, x, y), fill));

  return strongest;
}

/* Long enough for a sanitizer build on a busy machine to draw a few
 * frames of a whole page. */
#define SETTLE_SECONDS 30

static ScreenPixels *settling;
static ScreenPixels settling_before;

/* Whether a frame came out as the one before it: Adwaita's fades (a
 * ticked choice turning blue, a ring appearing) are over. */
static gboolean
frame_settled (HavenWindow *window)
{
  gboolean same;

  wait_for_frame (window);
  if (!screen_pixels_capture (settling, GTK_WIDGET (window)))
    return FALSE;
  same = settling_before.pixels != NULL && settling_before.width == settling->width &&
         settling_before.height == settling->height &&
         memcmp (settling_before.pixels, settling->pixels,
                 (gsize) settling->width * (gsize) settling->height * 4) == 0;
  screen_pixels_clear (&settling_before);
  settling_before = *settling;
  settling_before.pixels = g_memdup2 (settling->pixels,
                                      (gsize) settling->width * (gsize) settling->height * 4);
  return same;
}

static void
capture (HavenWindow  *window,
         ScreenPixels *shot,
         const char   *name)
{
  settling = shot;
  if (!iterate_until (frame_settled, window, SETTLE_SECONDS))
    g_error ("Waited %d s for two frames alike (fades over), and the window kept changing",
             SETTLE_SECONDS);
  screen_pixels_clear (&settling_before);
  if (name != NULL)
    screen_pixels_keep (shot, name);
}

static void
assert_at_least (double      ratio,
                 const char *mode,
                 const char *what)
{
  g_test_message ("%s: %s: %.2f:1", mode, what, ratio);
  if (ratio < MIN_CONTRAST)
    g_error ("%s: %s has a contrast of %.2f:1, under %.1f:1", mode, what, ratio, MIN_CONTRAST);
}

/* A choice, ticked or not: its row against the page, its check box or
 * radio circle against the row, and whether a mark shows inside it. */
static void
measure_choice (const ScreenPixels *shot,
                HavenWindow        *window,
                GtkWidget          *choice,
                const char         *kind,
                const char         *mode)
{
  GtkWidget *indicator = find_indicator (choice);
  gboolean ticked = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (choice));
  const char *state = ticked ? "ticked" : "unticked";
  g_autofree char *row = g_strdup_printf ("%s %s, its row against the page", state, kind);
  g_autofree char *edge = g_strdup_printf ("%s %s, its edge against its row", state, kind);
  g_autofree char *mark = g_strdup_printf ("ticked %s, its mark against its fill", kind);
  double inside = mark_contrast (shot, indicator, GTK_WIDGET (window));

  assert_at_least (edge_contrast (shot, choice, GTK_WIDGET (window)), mode, row);
  assert_at_least (edge_contrast (shot, indicator, GTK_WIDGET (window)), mode, edge);
  if (ticked)
    assert_at_least (inside, mode, mark);
  else if (inside >= NO_RING)
    g_error ("%s: an unticked %s shows a mark (%.2f:1)", mode, kind, inside);
}

static void
measure_boundaries (Fixture  *fixture,
                    gboolean  high_contrast)
{
  HavenWindow *window = fixture->window;
  const char *mode = high_contrast ? "high contrast" : "normal";
  g_auto(ScreenPixels) shot = { NULL, 0, 0, 0, 0 };
  GtkWidget *email;

  /* No ring anywhere: as after a touch. */
  open_removal_page (window, HAVEN_TYPE_REMOVAL_ROLE_PAGE);
  g_object_set (window, "high-contrast", high_contrast, NULL);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (find_named (window, "self")), TRUE);
  gtk_window_set_focus_visible (GTK_WINDOW (window), FALSE);
  capture (window, &shot, high_contrast ? "boundaries-role-high-contrast" : "boundaries-role-normal");
  measure_choice (&shot, window, find_named (window, "self"), "radio circle", mode);
  measure_choice (&shot, window, find_named (window, "parent-or-guardian"), "radio circle", mode);
  screen_pixels_clear (&shot);

  click (window, "removal-role.continue");
  go_on_to (window, HAVEN_TYPE_REMOVAL_CONTACT_PAGE);
  gtk_window_set_focus_visible (GTK_WINDOW (window), FALSE);
  email = find_named (window, "email");
  /* Away from the field, so that no typing caret or ring is measured. */
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  g_assert_false (gtk_widget_has_focus (email));
  capture (window, &shot, high_contrast ? "boundaries-contact-high-contrast" : "boundaries-contact-normal");
  assert_at_least (edge_contrast (&shot, email, GTK_WIDGET (window)), mode,
                   "empty email field against the page");
  screen_pixels_clear (&shot);

  go_on_to (window, HAVEN_TYPE_REMOVAL_SEND_PAGE);
  gtk_window_set_focus_visible (GTK_WINDOW (window), FALSE);
  capture (window, &shot, high_contrast ? "boundaries-send-high-contrast" : "boundaries-send-normal");
  measure_choice (&shot, window, find_named (window, "confirm"), "check box", mode);
  screen_pixels_clear (&shot);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (find_named (window, "confirm")), TRUE);
  capture (window, &shot, high_contrast ? "boundaries-ticked-high-contrast" : "boundaries-ticked-normal");
  measure_choice (&shot, window, find_named (window, "confirm"), "check box", mode);

  g_object_set (window, "high-contrast", FALSE, NULL);
  gtk_widget_set_size_request (GTK_WIDGET (window), -1, -1);
}

static void
test_boundaries_normal (Fixture       *fixture,
                        gconstpointer  user_data)
{
  measure_boundaries (fixture, FALSE);
}

static void
test_boundaries_high_contrast (Fixture       *fixture,
                               gconstpointer  user_data)
{
  measure_boundaries (fixture, TRUE);
}

/* A kiosk whose system prefers dark still shows the pages as they were
 * measured: its white fields and choices on a light page. */
static void
test_boundaries_system_prefers_dark (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) interface = NULL;
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (fixture->window));
  AdwStyleManager *style_manager = adw_style_manager_get_for_display (display);

  schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);

  if (schema == NULL || !g_settings_schema_has_key (schema, "color-scheme"))
    {
      g_test_skip ("No org.gnome.desktop.interface color-scheme to prefer dark with");
      return;
    }
  interface = g_settings_new ("org.gnome.desktop.interface");
  g_settings_set_string (interface, "color-scheme", "prefer-dark");
  iterate ();
  g_test_message ("The system prefers dark: %s", adw_style_manager_get_system_supports_color_schemes (style_manager)
                                                  ? "seen by libadwaita" : "not seen by libadwaita");
  if (adw_style_manager_get_dark (style_manager))
    g_error ("With the system preferring dark, the pages are dark");
  measure_boundaries (fixture, FALSE);
  g_settings_reset (interface, "color-scheme");
}

/* A focus ring: what changed around a control between @rest and @focused,
 * from just inside its edge to RING_REACH outside, on each side; the
 * weakest side counts, as a ring goes all round. */
static double
ring_contrast (const ScreenPixels *rest,
               const ScreenPixels *focused,
               GtkWidget          *widget,
               GtkWidget          *window)
{
  Box box = box_of (rest, widget, window);
  Side sides[4];
  double weakest = G_MAXDOUBLE;

  sides_of (&box, sides);
  for (guint s = 0; s < 4; s++)
    {
      const Side *side = &sides[s];
      double strongest = 1;

      for (int i = -RING_REACH; i <= 1; i++)
        {
          int x = side->x + side->dx * i, y = side->y + side->dy * i;

          strongest = MAX (strongest, contrast_ratio (screen_pixels_at (rest, x, y),
                                                      screen_pixels_at (focused, x, y)));
        }
      weakest = MIN (weakest, strongest);
    }

  return weakest;
}

/* Whether two controls lie so near that one's ring reaches the other's
 * side. */
static gboolean
near (const ScreenPixels *shot,
      GtkWidget          *a,
      GtkWidget          *b,
      GtkWidget          *window)
{
  Box ba = box_of (shot, a, window), bb = box_of (shot, b, window);
  int gap = 2 * RING_REACH;

  return ba.x0 - gap <= bb.x1 && bb.x0 - gap <= ba.x1 && ba.y0 - gap <= bb.y1 && bb.y0 - gap <= ba.y1;
}

/* The ring around @control in the settled frame after the focus moved:
 * Adwaita fades rings in and out. */
static double
ring_after_fade (HavenWindow  *window,
                 ScreenPixels *rest,
                 ScreenPixels *now,
                 GtkWidget    *control,
                 const char   *name)
{
  capture (window, now, name);
  return ring_contrast (rest, now, control, GTK_WIDGET (window));
}

typedef struct {
  const char *what;
  GtkWidget *widget;
} Control;

/* How long a ring may take to show once its control has the focus. */
#define RING_SECONDS 10

static gboolean
window_is_active (HavenWindow *window)
{
  return gtk_window_is_active (GTK_WINDOW (window));
}

/* Whether the keyboard focus is on @control or inside it (an entry's
 * text). */
static gboolean
focus_is_on (HavenWindow *window,
             GtkWidget   *control)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && (focus == control || gtk_widget_is_ancestor (focus, control));
}

/* On the page on screen: each of @controls, focused as Tab focuses it,
 * shows a ring of at least 3:1 against the page; no other control far
 * from it does; a button's ring goes once the keyboard is not in use. */
static void
measure_rings_on_page (HavenWindow *window,
                       Control     *controls,
                       gsize        n_controls,
                       gboolean     high_contrast,
                       const char  *page)
{
  const char *mode = high_contrast ? "high contrast" : "normal";
  g_auto(ScreenPixels) rest = { NULL, 0, 0, 0, 0 };
  g_auto(ScreenPixels) focused = { NULL, 0, 0, 0, 0 };
  g_autofree char *rest_name = g_strdup_printf ("rings-rest-%s-%s", page,
                                                high_contrast ? "high-contrast" : "normal");

  /* GTK marks a focused field as focused only in the active window. */
  gtk_window_present (GTK_WINDOW (window));
  if (!iterate_until (window_is_active, window, RING_SECONDS))
    g_error ("%s: waited %d s for the window to be the active one, for its focus to show", mode,
             RING_SECONDS);

  /* The page with no control focused and no ring shown. A page that has
   * just opened may still put its first focus on a field, whose ring
   * shows even without the keyboard: the picture is taken again until no
   * control holds the focus, or RING_SECONDS have passed. */
  for (gint64 deadline = g_get_monotonic_time () + RING_SECONDS * G_USEC_PER_SEC;;)
    {
      gboolean focused_control = FALSE;

      gtk_window_set_focus (GTK_WINDOW (window), NULL);
      gtk_window_set_focus_visible (GTK_WINDOW (window), FALSE);
      screen_pixels_clear (&rest);
      capture (window, &rest, rest_name);
      for (gsize i = 0; i < n_controls; i++)
        focused_control |= focus_is_on (window, controls[i].widget);
      if (!focused_control)
        break;
      if (g_get_monotonic_time () >= deadline)
        g_error ("%s: for %d s a control on the %s page kept taking the focus back", mode,
                 RING_SECONDS, page);
      g_test_message ("%s: a control on the %s page took the focus; the page is taken again",
                      mode, page);
    }

  for (gsize i = 0; i < n_controls; i++)
    {
      g_autofree char *what = g_strdup_printf ("focus ring of the %s against the page", controls[i].what);
      g_autofree char *name = g_strdup_printf ("ring-%s-%s-%" G_GSIZE_FORMAT, page,
                                               high_contrast ? "high-contrast" : "normal", i);
      double ratio;

      /* As Tab does: the focus moves, and the window shows where. A
       * page that has just opened may still place its own first focus
       * after this; then the control is focused again, until the ring has
       * faded in or RING_SECONDS have passed. */
      g_assert_true (gtk_widget_grab_focus (controls[i].widget));
      gtk_window_set_focus_visible (GTK_WINDOW (window), TRUE);
      ratio = ring_after_fade (window, &rest, &focused, controls[i].widget, name);
      for (gint64 deadline = g_get_monotonic_time () + RING_SECONDS * G_USEC_PER_SEC;
           ratio < MIN_CONTRAST && g_get_monotonic_time () < deadline;)
        {
          if (!focus_is_on (window, controls[i].widget))
            {
              g_test_message ("%s: the focus left the %s; focusing it again", mode, controls[i].what);
              g_assert_true (gtk_widget_grab_focus (controls[i].widget));
            }
          gtk_window_set_focus_visible (GTK_WINDOW (window), TRUE);
          ratio = ring_after_fade (window, &rest, &focused, controls[i].widget, name);
        }
      assert_at_least (ratio, mode, what);

      /* Only the focused control has a ring. */
      for (gsize j = 0; j < n_controls; j++)
        {
          double other;

          if (j == i || near (&rest, controls[i].widget, controls[j].widget, GTK_WIDGET (window)))
            continue;
          other = ring_contrast (&rest, &focused, controls[j].widget, GTK_WIDGET (window));
          if (other >= NO_RING)
            g_error ("%s: with the focus on the %s, the %s shows a ring too (%.2f:1)", mode,
                     controls[i].what, controls[j].what, other);
        }

      /* After a touch, a button shows no ring; a field still shows where
       * typing goes. */
      if (!GTK_IS_EDITABLE (controls[i].widget))
        {
          gtk_window_set_focus_visible (GTK_WINDOW (window), FALSE);
          ratio = ring_after_fade (window, &rest, &focused, controls[i].widget, NULL);
          if (ratio >= NO_RING)
            g_error ("%s: the %s keeps a ring (%.2f:1) with no keyboard in use", mode, controls[i].what, ratio);
        }
    }

  gtk_window_set_focus_visible (GTK_WINDOW (window), FALSE);
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
}

static void
measure_focus_rings (Fixture  *fixture,
                     gboolean  high_contrast)
{
  HavenWindow *window = fixture->window;
  Control role[] = {
    { "radio choice", NULL },
    { "“Leave now”", NULL },
  };
  Control contact[] = {
    { "email field", NULL },
    { "“Leave now”", NULL },
  };
  Control send[] = {
    { "check-box choice", NULL },
    { "“Send the request”", NULL },
    { "“Leave now”", NULL },
  };

  open_removal_page (window, HAVEN_TYPE_REMOVAL_ROLE_PAGE);
  g_object_set (window, "high-contrast", high_contrast, NULL);
  role[0].widget = find_named (window, "parent-or-guardian");
  role[1].widget = find_action_button (window, "visit.leave-now");
  measure_rings_on_page (window, role, G_N_ELEMENTS (role), high_contrast, "role");

  press_named (window, "self");
  click (window, "removal-role.continue");
  go_on_to (window, HAVEN_TYPE_REMOVAL_CONTACT_PAGE);
  contact[0].widget = find_named (window, "email");
  contact[1].widget = find_action_button (window, "visit.leave-now");
  measure_rings_on_page (window, contact, G_N_ELEMENTS (contact), high_contrast, "contact");

  go_on_to (window, HAVEN_TYPE_REMOVAL_SEND_PAGE);
  send[0].widget = find_named (window, "confirm");
  send[1].widget = find_named (window, "send");
  send[2].widget = find_action_button (window, "visit.leave-now");
  measure_rings_on_page (window, send, G_N_ELEMENTS (send), high_contrast, "send");

  g_object_set (window, "high-contrast", FALSE, NULL);
  gtk_widget_set_size_request (GTK_WIDGET (window), -1, -1);
}

static void
test_focus_rings_normal (Fixture       *fixture,
                         gconstpointer  user_data)
{
  measure_focus_rings (fixture, FALSE);
}

static void
test_focus_rings_high_contrast (Fixture       *fixture,
                                gconstpointer  user_data)
{
  measure_focus_rings (fixture, TRUE);
}

static void
collect_images (GtkWidget *widget,
                GPtrArray *images)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_IMAGE (widget))
    g_ptr_array_add (images, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_images (child, images);
}

static GtkWidget *growing_widget;
static int growing_from;

/* The smaller side of @widget's border box: what the eye takes as its
 * size. */
static int
size_of (GtkWidget *widget)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (widget, widget, &bounds));
  return (int) MIN (bounds.size.width, bounds.size.height);
}

static gboolean
has_grown (HavenWindow *window)
{
  return size_of (growing_widget) != growing_from;
}

/* At 200% text, check boxes, radio circles and the header's icons are at
 * least 1.5 times their size at 100%. */
static void
test_indicators_grow_with_text (Fixture       *fixture,
                                gconstpointer  user_data)
{
  HavenWindow *window = fixture->window;
  GtkSettings *settings = gtk_widget_get_settings (GTK_WIDGET (window));
  GtkWidget *header;
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (int));
  gboolean grew;
  int check_box_size, check_box_grown;

  /* The send page's check box, then the role page's radio circles and
   * the header: a radio circle is laid out like a check box, so both
   * are measured on the page that shows radio circles, as a copy of the
   * send page's own check box would not be. */
  open_removal_page (window, HAVEN_TYPE_REMOVAL_SEND_PAGE);
  check_box_size = size_of (find_indicator (find_named (window, "confirm")));
  while (!HAVEN_IS_REMOVAL_ROLE_PAGE (haven_window_get_current_page (window)))
    click (window, "visit.back");
  wait_for_frame (window);
  g_ptr_array_add (widgets, find_indicator (find_named (window, "self")));
  g_ptr_array_add (names, g_strdup ("radio circle"));
  g_ptr_array_add (widgets, find_indicator (find_named (window, "parent-or-guardian")));
  g_ptr_array_add (names, g_strdup ("second radio circle"));
  header = find_widget (GTK_WIDGET (window), is_of_type, GSIZE_TO_POINTER (HAVEN_TYPE_VISIT_HEADER));
  g_assert_nonnull (header);
  {
    g_autoptr(GPtrArray) images = g_ptr_array_new ();

    collect_images (header, images);
    for (guint i = 0; i < images->len; i++)
      {
        GtkWidget *image = g_ptr_array_index (images, i);
        GtkWidget *button = gtk_widget_get_ancestor (image, GTK_TYPE_BUTTON);

        /* The window's own buttons are not shown in kiosk mode. */
        if (gtk_widget_get_ancestor (image, GTK_TYPE_WINDOW_CONTROLS) != NULL)
          continue;
        g_ptr_array_add (widgets, image);
        g_ptr_array_add (names, g_strdup_printf ("header icon “%s” (%s)", gtk_image_get_icon_name (GTK_IMAGE (image)),
                                                 button != NULL ? gtk_widget_get_name (button) : "?"));
      }
  }
  /* The language's, "Larger text"'s and "High contrast"'s at least. */
  g_assert_cmpuint (widgets->len, >=, 2 + 3);
  for (guint i = 0; i < widgets->len; i++)
    {
      int size = size_of (g_ptr_array_index (widgets, i));

      g_array_append_val (sizes, size);
    }

  g_object_set (settings, "gtk-xft-dpi", 96 * 1024 * 2, NULL);
  /* Laid out again at the next frames: the header's first icon decides. */
  growing_widget = g_ptr_array_index (widgets, 2);
  growing_from = g_array_index (sizes, int, 2);
  grew = iterate_until (has_grown, window, 5);
  wait_for_frame (window);
  if (!grew)
    g_test_message ("The header's first icon did not change size within 5 s");

  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);
      int before = g_array_index (sizes, int, i);
      int after = size_of (widget);

      g_test_message ("%s: %d px at 100%% text, %d px at 200%%", (char *) g_ptr_array_index (names, i),
                      before, after);
      if (after < before * MIN_GROWTH)
        g_error ("At 200%% text, the %s is %d px, %.2f times its %d px at 100%%, under %.1f times",
                 (char *) g_ptr_array_index (names, i), after, (double) after / before, before, MIN_GROWTH);
    }

  /* And the send page's check box, at 200% text too. */
  advance_to (window, HAVEN_TYPE_REMOVAL_SEND_PAGE);
  wait_for_frame (window);
  check_box_grown = size_of (find_indicator (find_named (window, "confirm")));
  g_test_message ("check box: %d px at 100%% text, %d px at 200%%", check_box_size, check_box_grown);
  if (check_box_grown < check_box_size * MIN_GROWTH)
    g_error ("At 200%% text, the check box is %d px, %.2f times its %d px at 100%%, under %.1f times",
             check_box_grown, (double) check_box_grown / check_box_size, check_box_size, MIN_GROWTH);

  g_object_set (settings, "gtk-xft-dpi", -1, NULL);
  gtk_widget_set_size_request (GTK_WIDGET (window), -1, -1);
}

int
main (int   argc,
      char *argv[])
{
  visit_driver_init (&argc, &argv);
  /* A field's blinking caret would keep the frame from ever settling,
   * and would show up as a ring that comes and goes. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);

  g_test_add ("/haven/controls/boundaries/normal", Fixture, NULL, fixture_set_up,
              test_boundaries_normal, fixture_tear_down);
  g_test_add ("/haven/controls/boundaries/high-contrast", Fixture, NULL, fixture_set_up,
              test_boundaries_high_contrast, fixture_tear_down);
  g_test_add ("/haven/controls/boundaries/system-prefers-dark", Fixture, NULL, fixture_set_up,
              test_boundaries_system_prefers_dark, fixture_tear_down);
  g_test_add ("/haven/controls/focus-rings/normal", Fixture, NULL, fixture_set_up,
              test_focus_rings_normal, fixture_tear_down);
  g_test_add ("/haven/controls/focus-rings/high-contrast", Fixture, NULL, fixture_set_up,
              test_focus_rings_high_contrast, fixture_tear_down);
  g_test_add ("/haven/controls/grow-with-text", Fixture, NULL, fixture_set_up,
              test_indicators_grow_with_text, fixture_tear_down);

  return g_test_run ();
}
