/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "haven-cannot-start-page.h"
#include "haven-category-page.h"
#include "haven-question-page.h"
#include "haven-safety-page.h"
#include "haven-summary-page.h"
#include "haven-idle-warning.h"
#include "haven-intro-page.h"
#include "haven-locale.h"
#include "haven-referrals-page.h"
#include "haven-story-page.h"
#include "haven-welcome-page.h"
#include "memory-scan.h"
#include "visit-driver.h"

#define MARKER "marker-q8z3 my private words"

/* The welcome page's language button at @index, in reading order. */
static GtkWidget *
language_button (GtkWidget *flow_box,
                 int        index)
{
  GtkFlowBoxChild *cell = gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (flow_box), index);

  g_assert_nonnull (cell);
  return gtk_flow_box_child_get_child (cell);
}

static void
test_welcome_offers_languages (Fixture       *fixture,
                               gconstpointer  user_data)
{
  GtkWidget *page = haven_window_get_current_page (fixture->window);
  GtkWidget *grid;
  GtkWidget *first, *second;

  g_assert_true (HAVEN_IS_WELCOME_PAGE (page));
  grid = find_widget (page, is_of_type, GSIZE_TO_POINTER (GTK_TYPE_FLOW_BOX));
  g_assert_nonnull (grid);

  /* In the configured order, each named in its own language. */
  first = language_button (grid, 0);
  second = language_button (grid, 1);
  g_assert_null (gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (grid), 2));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (first)))), ==, "Español");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (second)))), ==, "English");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (first)), ==, "visit.start-visit");
}

static gboolean
is_label_with (GtkWidget     *widget,
               gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static void
test_choosing_language_starts_visit (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  GtkWidget *grid = find_widget (haven_window_get_current_page (fixture->window), is_of_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_FLOW_BOX));
  GtkWidget *spanish = language_button (grid, 0);

  g_signal_emit_by_name (spanish, "clicked");
  iterate ();

  g_assert_true (HAVEN_IS_SAFETY_PAGE (haven_window_get_current_page (fixture->window)));
  g_assert_cmpstr (haven_session_get_language (haven_window_get_session (fixture->window)), ==, "es");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find_action_button (fixture->window, "visit.leave-now"))),
                   ==, "Salir ahora");

  /* The content definitions are in the visitor's language too. */
  advance_to (fixture->window, HAVEN_TYPE_CATEGORY_PAGE);
  g_assert_nonnull (find_widget (haven_window_get_current_page (fixture->window), is_label_with,
                                 "Alguien entró en mi cuenta, mi teléfono o mi computadora"));
}

/* A keyboard user starts on the page, not in the header: Return or space
 * on the first language starts the visit. GTK 4 cannot synthesize a key
 * press, so this emits "activate", the signal GtkButton binds to Return,
 * KP_Enter, ISO_Enter and space. */
static void
test_keyboard_starts_visit (Fixture       *fixture,
                            gconstpointer  user_data)
{
  GtkWidget *page = haven_window_get_current_page (fixture->window);
  GtkWidget *focus;

  iterate ();
  /* The page's title has the focus, for screen readers; Tab goes on to
   * the first language. */
  focus = gtk_root_get_focus (GTK_ROOT (fixture->window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, page));
  g_assert_true (GTK_IS_LABEL (focus));
  focus = tab_to_next_control (fixture->window);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (focus)), ==, "visit.start-visit");

  g_assert_true (gtk_widget_activate (focus));
  wait_ms (400);

  g_assert_true (HAVEN_IS_SAFETY_PAGE (haven_window_get_current_page (fixture->window)));
  g_assert_cmpstr (haven_session_get_language (haven_window_get_session (fixture->window)), ==, "es");
}

/* On a new page the focus is on the page's first control, not one further
 * on: the story page opens with the cursor in the text. */
static GtkWidget *
focus_after_tab (Fixture *fixture)
{
  return tab_to_next_control (fixture->window);
}

static void
assert_title_has_focus (Fixture *fixture)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (fixture->window));

  g_assert_true (GTK_IS_LABEL (focus));
  g_assert_true (gtk_widget_has_css_class (focus, "title-1"));
  g_assert_true (gtk_widget_is_ancestor (focus, haven_window_get_current_page (fixture->window)));
}

/* A new page puts the focus on its title, so that a screen reader says
 * which page opened; Tab goes on to its first control. */
static void
test_new_page_focuses_first_control (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  GtkWidget *focus;

  /* The safety question, then its first answer. */
  start_visit (fixture->window, "en");
  assert_title_has_focus (fixture);
  focus = focus_after_tab (fixture);
  g_assert_true (GTK_IS_BUTTON (focus));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (focus)), ==, "safety.answer");

  answer_not_in_danger (fixture->window);
  assert_title_has_focus (fixture);

  /* The category page, then the first category. */
  click (fixture->window, "visit.next");
  assert_title_has_focus (fixture);
  focus = focus_after_tab (fixture);
  g_assert_cmpstr (gtk_widget_get_name (focus), ==, "account-takeover");
  choose_category (fixture->window, "fraud");

  /* A question page, then its answer: for a date, the day. */
  g_assert_true (HAVEN_IS_QUESTION_PAGE (haven_window_get_current_page (fixture->window)));
  assert_title_has_focus (fixture);
  focus = focus_after_tab (fixture);
  g_assert_nonnull (gtk_widget_get_ancestor (focus, GTK_TYPE_DROP_DOWN));

  /* The story page, then the text. */
  advance_to (fixture->window, HAVEN_TYPE_STORY_PAGE);
  assert_title_has_focus (fixture);
  focus = focus_after_tab (fixture);
  g_assert_true (GTK_IS_TEXT_VIEW (focus));
}

/* Every page of the visit has the language menu and "Leave now". */
static void
test_every_page_has_header (Fixture       *fixture,
                            gconstpointer  user_data)
{
  GType expected[] = {
    HAVEN_TYPE_WELCOME_PAGE, HAVEN_TYPE_SAFETY_PAGE, HAVEN_TYPE_INTRO_PAGE,
    HAVEN_TYPE_CATEGORY_PAGE, HAVEN_TYPE_QUESTION_PAGE, HAVEN_TYPE_STORY_PAGE,
    HAVEN_TYPE_GUIDANCE_PAGE, HAVEN_TYPE_REVIEW_PAGE, HAVEN_TYPE_REFERRALS_PAGE,
    HAVEN_TYPE_SUMMARY_PAGE,
  };
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (GType));

  for (guint steps = 0; steps < 40; steps++)
    {
      GtkWidget *page = haven_window_get_current_page (fixture->window);
      GType type = G_OBJECT_TYPE (page);
      GtkWidget *language_button;

      g_array_append_val (seen, type);
      g_assert_true (gtk_widget_get_mapped (find_action_button (fixture->window, "visit.leave-now")));
      language_button = find_widget (GTK_WIDGET (fixture->window), is_of_type,
                                     GSIZE_TO_POINTER (GTK_TYPE_MENU_BUTTON));
      g_assert_nonnull (language_button);
      g_assert_true (gtk_widget_get_mapped (language_button));

      if (HAVEN_IS_SUMMARY_PAGE (page))
        break;
      if (HAVEN_IS_WELCOME_PAGE (page))
        start_visit (fixture->window, "en");
      else if (HAVEN_IS_CATEGORY_PAGE (page))
        choose_category (fixture->window, "fraud");
      else
        advance (fixture->window);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < seen->len; j++)
        found |= g_array_index (seen, GType, j) == expected[i];
      if (!found)
        g_error ("The visit never showed a %s", g_type_name (expected[i]));
    }
}

static void
test_leave_now_wipes (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(HavenSession) old_session = NULL;
  GtkWidget *old_page;
  GtkWidget *page;

  start_visit (fixture->window, "es");
  go_to_story (fixture->window);
  type_story (fixture->window, MARKER);

  old_session = g_object_ref (haven_window_get_session (fixture->window));
  g_assert_cmpstr (haven_session_get_answer (old_session, HAVEN_QUESTION_STORY), ==, MARKER);
  old_page = haven_window_get_current_page (fixture->window);
  g_object_add_weak_pointer (G_OBJECT (old_page), (gpointer *) &old_page);

  click (fixture->window, "visit.leave-now");

  /* A new welcome page, in the kiosk's language, with a new empty session;
   * the old page is destroyed and the old session wiped. */
  page = haven_window_get_current_page (fixture->window);
  g_assert_true (HAVEN_IS_WELCOME_PAGE (page));
  g_assert_null (old_page);
  /* At once: no transition could show the old page on its way out. */
  g_assert_cmpint (gtk_stack_get_transition_type (GTK_STACK (gtk_widget_get_parent (page))), ==,
                   GTK_STACK_TRANSITION_TYPE_NONE);
  g_assert_true (gtk_widget_get_mapped (page));
  g_assert_true (haven_session_is_wiped (old_session));
  g_assert_null (haven_session_get_answer (old_session, HAVEN_QUESTION_STORY));
  g_assert_true (haven_window_get_session (fixture->window) != old_session);
  g_assert_true (haven_session_is_empty (haven_window_get_session (fixture->window)));
  g_assert_cmpstr (haven_session_get_language (haven_window_get_session (fixture->window)), ==, "en");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find_action_button (fixture->window, "visit.leave-now"))),
                   ==, "Leave now");
  assert_text_nowhere (GTK_WIDGET (fixture->window), "marker-q8z3");
}

/* The welcome page the window makes ahead for the next visit, while a
 * visit is under way: hidden in the stack beside the page on screen. */
static GtkWidget *
find_page_made_ahead (HavenWindow *window)
{
  GtkWidget *current = haven_window_get_current_page (window);

  for (GtkWidget *child = gtk_widget_get_first_child (gtk_widget_get_parent (current));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (child != current && HAVEN_IS_WELCOME_PAGE (child))
      return child;

  return NULL;
}

static gboolean
is_page_made_ahead_laid_out (HavenWindow *window)
{
  GtkWidget *page = find_page_made_ahead (window);

  return page != NULL && gtk_widget_get_width (page) > 0;
}

#define WELCOME_HEADING "Help after something happened online"

static const char *
leave_now_label (HavenWindow *window)
{
  return gtk_button_get_label (GTK_BUTTON (find_action_button (window, "visit.leave-now")));
}

/* Leave now shows, at once, the welcome page made ahead during the visit:
 * made in the kiosk's language, not the visitor's, laid out while hidden,
 * holding nothing of the visitor. Everything the visitor entered is
 * wiped before the action returns, so before any frame shows the welcome
 * page. */
static void
test_leave_now_shows_page_made_ahead (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  g_autoptr(HavenSession) old_session = NULL;
  HavenSession *session;
  GtkWidget *made_ahead;
  GtkWidget *old_page;
  GtkWidget *page;
  GtkWidget *focus;

  start_visit (fixture->window, "es");
  go_to_story (fixture->window);
  type_story (fixture->window, MARKER);
  g_assert_true (iterate_until (is_page_made_ahead_laid_out, fixture->window, 5));

  made_ahead = find_page_made_ahead (fixture->window);
  g_object_add_weak_pointer (G_OBJECT (made_ahead), (gpointer *) &made_ahead);
  /* Hidden, and greeting the next visitor in the kiosk's language while
   * this one goes on in theirs. */
  g_assert_false (gtk_widget_get_mapped (made_ahead));
  g_assert_false (gtk_widget_get_child_visible (made_ahead));
  g_assert_nonnull (find_widget (made_ahead, label_contains, WELCOME_HEADING));
  g_assert_cmpstr (haven_locale_get_current (), ==, "es");
  g_assert_cmpstr (leave_now_label (fixture->window), ==, "Salir ahora");
  g_assert_true (haven_session_is_empty (haven_page_get_session (HAVEN_PAGE (made_ahead))));
  assert_text_nowhere (made_ahead, "marker-q8z3");

  old_session = g_object_ref (haven_window_get_session (fixture->window));
  old_page = haven_window_get_current_page (fixture->window);
  g_object_add_weak_pointer (G_OBJECT (old_page), (gpointer *) &old_page);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "visit.leave-now", NULL);

  /* No frame yet, and nothing of the visitor is left in the window. */
  g_assert_null (old_page);
  g_assert_true (haven_session_is_wiped (old_session));
  assert_text_nowhere (GTK_WIDGET (fixture->window), "marker-q8z3");

  page = haven_window_get_current_page (fixture->window);
  g_assert_nonnull (made_ahead);
  g_assert_true (page == made_ahead);
  session = haven_window_get_session (fixture->window);
  g_assert_true (haven_page_get_session (HAVEN_PAGE (page)) == session);
  g_assert_cmpstr (haven_session_get_language (session), ==, "en");
  g_assert_true (haven_session_is_empty (session));
  g_assert_null (find_page_made_ahead (fixture->window));

  wait_for_frame (fixture->window);
  g_assert_true (gtk_widget_is_drawable (page));
  g_assert_cmpstr (leave_now_label (fixture->window), ==, "Leave now");
  g_assert_nonnull (find_widget (page, label_contains, WELCOME_HEADING));
  /* On its first control, as on any new page. */
  focus = gtk_window_get_focus (GTK_WINDOW (fixture->window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, page));
}

/* What was made ahead was made from the settings: an operator's change
 * during the visit (the kiosk's language here) is what the next visitor
 * sees. */
static void
test_page_made_ahead_follows_settings (Fixture       *fixture,
                                       gconstpointer  user_data)
{
  GtkWidget *page;

  start_visit (fixture->window, "en");
  answer_not_in_danger (fixture->window);
  g_assert_true (iterate_until (is_page_made_ahead_laid_out, fixture->window, 5));

  g_settings_set_string (fixture->settings, "default-language", "es");
  g_assert_null (find_page_made_ahead (fixture->window));

  click (fixture->window, "visit.leave-now");
  page = haven_window_get_current_page (fixture->window);
  g_assert_true (HAVEN_IS_WELCOME_PAGE (page));
  g_assert_cmpstr (haven_session_get_language (haven_window_get_session (fixture->window)),
                   ==, "es");
  g_assert_nonnull (find_widget (page, label_contains, "Ayuda si te pasó algo en internet"));
  g_assert_cmpstr (leave_now_label (fixture->window), ==, "Salir ahora");

  g_settings_set_string (fixture->settings, "default-language", "en");
}

static void
test_finish_wipes (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(HavenSession) old_session = NULL;
  GtkWidget *finish_page;

  start_visit (fixture->window, "en");
  go_to_story (fixture->window);
  type_story (fixture->window, MARKER);
  advance_to (fixture->window, HAVEN_TYPE_REFERRALS_PAGE);
  advance_to (fixture->window, HAVEN_TYPE_SUMMARY_PAGE);

  /* The last page shows the visitor what they gave before it is cleared. */
  finish_page = haven_window_get_current_page (fixture->window);
  g_assert_nonnull (find_widget (finish_page, label_contains, MARKER));
  g_assert_nonnull (find_widget (finish_page, is_of_type, GSIZE_TO_POINTER (GTK_TYPE_LABEL)));
  old_session = g_object_ref (haven_window_get_session (fixture->window));

  click (fixture->window, "visit.finish");

  g_assert_true (HAVEN_IS_WELCOME_PAGE (haven_window_get_current_page (fixture->window)));
  g_assert_true (haven_session_is_wiped (old_session));
  assert_text_nowhere (GTK_WIDGET (fixture->window), "marker-q8z3");
}

static void
test_back_keeps_answers (Fixture       *fixture,
                         gconstpointer  user_data)
{
  GtkWidget *view;
  GtkTextIter start, end;
  g_autofree char *shown = NULL;
  GtkTextBuffer *buffer;

  start_visit (fixture->window, "en");
  go_to_story (fixture->window);
  type_story (fixture->window, "kept across pages");
  click (fixture->window, "visit.next");
  click (fixture->window, "visit.back");

  view = find_widget (haven_window_get_current_page (fixture->window), is_of_type,
                      GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW));
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  shown = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_cmpstr (shown, ==, "kept across pages");
}

static void
test_language_switch_keeps_answers (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  GtkWidget *page;
  GtkWidget *view;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *shown = NULL;

  start_visit (fixture->window, "en");
  go_to_story (fixture->window);
  type_story (fixture->window, "still here");
  page = haven_window_get_current_page (fixture->window);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "visit.switch-language", "s", "es");
  iterate ();

  /* The page is built again in Spanish, with the answer in it. */
  g_assert_true (haven_window_get_current_page (fixture->window) != page);
  g_assert_true (HAVEN_IS_STORY_PAGE (haven_window_get_current_page (fixture->window)));
  g_assert_cmpstr (haven_session_get_language (haven_window_get_session (fixture->window)), ==, "es");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find_action_button (fixture->window, "visit.leave-now"))),
                   ==, "Salir ahora");
  view = find_widget (haven_window_get_current_page (fixture->window), is_of_type,
                      GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW));
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  shown = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_cmpstr (shown, ==, "still here");

  /* A language that is not offered is ignored. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "visit.switch-language", "s", "fr");
  iterate ();
  g_assert_cmpstr (haven_session_get_language (haven_window_get_session (fixture->window)), ==, "es");
}

/* Arabic, Urdu and Persian mirror the whole window and every page built
 * in it; a switch back mirrors it again. A language switch takes less
 * than 200 ms. */
static void
check_right_to_left (Fixture    *fixture,
                     const char *language)
{
  GtkWidget *page;
  GtkWidget *back_icon;
  gint64 started;
  gint64 switch_us;

  g_settings_set_strv (fixture->settings, "languages", (const char *[]) { "en", language, NULL });
  start_visit (fixture->window, language);
  answer_not_in_danger (fixture->window);

  page = haven_window_get_current_page (fixture->window);
  g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (fixture->window)), ==, GTK_TEXT_DIR_RTL);
  g_assert_cmpint (gtk_widget_get_direction (page), ==, GTK_TEXT_DIR_RTL);
  /* Back points right, where Arabic lines start (style.css mirrors it). */
  back_icon = find_widget (page, is_of_type, GSIZE_TO_POINTER (ADW_TYPE_BUTTON_CONTENT));
  g_assert_true (gtk_widget_has_css_class (back_icon, "go-back"));
  g_assert_cmpint (gtk_widget_get_direction (back_icon), ==, GTK_TEXT_DIR_RTL);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find_action_button (fixture->window, "visit.leave-now"))),
                   !=, "Leave now");

  started = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "visit.switch-language", "s", "en");
  switch_us = g_get_monotonic_time () - started;
  iterate ();
  g_test_message ("Switching language rebuilt the page in %" G_GINT64_FORMAT " µs", switch_us);
  g_assert_cmpint (switch_us, <, 200 * 1000);

  page = haven_window_get_current_page (fixture->window);
  g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (fixture->window)), ==, GTK_TEXT_DIR_LTR);
  g_assert_cmpint (gtk_widget_get_direction (page), ==, GTK_TEXT_DIR_LTR);

  g_settings_reset (fixture->settings, "languages");
}

static void
test_right_to_left_arabic (Fixture       *fixture,
                           gconstpointer  user_data)
{
  check_right_to_left (fixture, "ar");
}

static void
test_right_to_left_urdu (Fixture       *fixture,
                         gconstpointer  user_data)
{
  check_right_to_left (fixture, "ur");
}

static void
test_right_to_left_persian (Fixture       *fixture,
                            gconstpointer  user_data)
{
  check_right_to_left (fixture, "fa");
}

static gboolean
is_helper_line (GtkWidget     *widget,
                gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "helper-text") &&
         g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

/* At a walk-in desk the helper's language shows beneath the visitor's:
 * headings, questions and answer choices. */
static void
test_assisted_mode (Fixture       *fixture,
                    gconstpointer  user_data)
{
  GtkWidget *page;
  GtkWidget *helper;

  g_settings_set_string (fixture->settings, "helper-language", "en");
  start_visit (fixture->window, "es");

  page = haven_window_get_current_page (fixture->window);
  g_assert_true (HAVEN_IS_SAFETY_PAGE (page));
  helper = find_widget (page, is_helper_line, "Are you in danger right now?");
  g_assert_nonnull (helper);
  g_assert_nonnull (find_widget (page, is_helper_line, "No, I am safe right now"));
  g_assert_cmpint (gtk_widget_get_direction (helper), ==, GTK_TEXT_DIR_LTR);

  answer_not_in_danger (fixture->window);
  advance_to (fixture->window, HAVEN_TYPE_CATEGORY_PAGE);
  g_assert_nonnull (find_widget (haven_window_get_current_page (fixture->window), is_helper_line,
                                 "Someone got into my account or device"));
  choose_category (fixture->window, "harassment");

  /* A question, and its choices. */
  page = haven_window_get_current_page (fixture->window);
  g_assert_true (HAVEN_IS_QUESTION_PAGE (page));
  while (find_widget (page, is_helper_line, "Is it still happening?") == NULL)
    {
      click (fixture->window, "question.skip");
      page = haven_window_get_current_page (fixture->window);
      g_assert_true (HAVEN_IS_QUESTION_PAGE (page));
    }
  g_assert_nonnull (find_widget (page, is_helper_line, "Yes"));
  g_assert_nonnull (find_widget (page, is_helper_line, "No"));
  /* The visitor's own language is still first. */
  g_assert_nonnull (find_widget (page, label_contains, "¿Sigue pasando?"));

  /* Not when the visitor chose the helper's language. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "visit.switch-language", "s", "en");
  iterate ();
  g_assert_null (find_widget (haven_window_get_current_page (fixture->window), is_helper_line,
                              "Is it still happening?"));

  g_settings_reset (fixture->settings, "helper-language");
}

static gboolean
is_close_button (GtkWidget     *widget,
                 gconstpointer  data)
{
  return GTK_IS_WINDOW_CONTROLS (widget) && gtk_widget_get_visible (widget) &&
         gtk_widget_get_first_child (widget) != NULL;
}

static void
test_kiosk_mode_refuses_close (Fixture       *fixture,
                               gconstpointer  user_data)
{
  HavenWindow *window = fixture->window;

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  g_assert_false (gtk_window_get_deletable (GTK_WINDOW (window)));
  g_assert_null (find_widget (GTK_WIDGET (window), is_close_button, NULL));

  /* What the close button and Alt+F4 ask for. */
  gtk_window_close (GTK_WINDOW (fixture->window));
  iterate ();

  g_assert_nonnull (window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_object_remove_weak_pointer (G_OBJECT (window), (gpointer *) &window);
}

static void
test_leaving_kiosk_mode_allows_close (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  g_settings_set_boolean (fixture->settings, "kiosk-mode", FALSE);
  iterate ();

  g_assert_true (gtk_window_get_deletable (GTK_WINDOW (fixture->window)));
  g_assert_nonnull (find_widget (GTK_WIDGET (fixture->window), is_close_button, NULL));
}

static gboolean
is_warning_shown (HavenWindow *window)
{
  return find_widget (GTK_WIDGET (window), is_of_type,
                      GSIZE_TO_POINTER (HAVEN_TYPE_IDLE_WARNING)) != NULL;
}

static gboolean
is_on_welcome_page (HavenWindow *window)
{
  return HAVEN_IS_WELCOME_PAGE (haven_window_get_current_page (window));
}

static void
use_short_idle_times (Fixture *fixture)
{
  g_settings_set_uint (fixture->settings, "idle-timeout", 2);
  g_settings_set_uint (fixture->settings, "idle-warning", 2);
}

static void
test_idle_warns_then_wipes (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(HavenSession) old_session = NULL;
  gint64 started;

  use_short_idle_times (fixture);
  /* The wait starts when the visit does; text set by the test is not
   * input from a person, so it does not restart it. */
  started = g_get_monotonic_time ();
  start_visit (fixture->window, "es");
  go_to_story (fixture->window);
  type_story (fixture->window, MARKER);
  old_session = g_object_ref (haven_window_get_session (fixture->window));

  /* Nothing for idle-timeout seconds, then the question... */
  g_assert_true (iterate_until (is_warning_shown, fixture->window, 4));
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 2 * G_USEC_PER_SEC);
  g_assert_true (HAVEN_IS_STORY_PAGE (haven_window_get_current_page (fixture->window)));

  /* ...for idle-warning seconds, then the visit is gone. */
  g_assert_true (iterate_until (is_on_welcome_page, fixture->window, 4));
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 4 * G_USEC_PER_SEC);
  g_assert_false (is_warning_shown (fixture->window));
  g_assert_true (haven_session_is_wiped (old_session));
  g_assert_cmpstr (haven_session_get_language (haven_window_get_session (fixture->window)), ==, "en");
  assert_text_nowhere (GTK_WIDGET (fixture->window), "marker-q8z3");
  g_assert_false (haven_idle_monitor_get_armed (haven_window_get_idle_monitor (fixture->window)));

  g_settings_reset (fixture->settings, "idle-timeout");
  g_settings_reset (fixture->settings, "idle-warning");
}

static void
test_idle_answer_keeps_visit (Fixture       *fixture,
                              gconstpointer  user_data)
{
  use_short_idle_times (fixture);
  start_visit (fixture->window, "en");
  go_to_story (fixture->window);
  type_story (fixture->window, "still typing");

  g_assert_true (iterate_until (is_warning_shown, fixture->window, 4));
  click (fixture->window, "visit.still-here");

  g_assert_false (is_warning_shown (fixture->window));
  g_assert_true (HAVEN_IS_STORY_PAGE (haven_window_get_current_page (fixture->window)));
  g_assert_cmpstr (haven_session_get_answer (haven_window_get_session (fixture->window),
                                             HAVEN_QUESTION_STORY), ==, "still typing");
  /* The wait starts again: still here a second later. */
  g_assert_false (iterate_until (is_on_welcome_page, fixture->window, 1));

  g_settings_reset (fixture->settings, "idle-timeout");
  g_settings_reset (fixture->settings, "idle-warning");
}

/* An untouched welcome page has nothing to clear, so no timer runs. */
static void
test_idle_not_armed_on_welcome (Fixture       *fixture,
                                gconstpointer  user_data)
{
  HavenIdleMonitor *monitor = haven_window_get_idle_monitor (fixture->window);

  g_assert_false (haven_idle_monitor_get_armed (monitor));
  start_visit (fixture->window, "en");
  g_assert_true (haven_idle_monitor_get_armed (monitor));
  click (fixture->window, "visit.leave-now");
  g_assert_false (haven_idle_monitor_get_armed (monitor));

  /* A language chosen from the header is something to undo, though. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "visit.switch-language", "s", "es");
  iterate ();
  g_assert_true (haven_idle_monitor_get_armed (monitor));
}

/* Larger text and high contrast from the header of any page, for this
 * visit only. */
static void
test_larger_text_and_high_contrast (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  GtkSettings *settings = gtk_widget_get_settings (GTK_WIDGET (fixture->window));
  int dpi;

  start_visit (fixture->window, "en");
  g_signal_emit_by_name (find_widget (GTK_WIDGET (fixture->window), has_name, "larger-text"), "clicked");
  g_signal_emit_by_name (find_widget (GTK_WIDGET (fixture->window), has_name, "high-contrast"), "clicked");
  iterate ();

  g_object_get (settings, "gtk-xft-dpi", &dpi, NULL);
  g_assert_cmpint (dpi, >=, 96 * 1024 * 3 / 2);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (fixture->window), "high-contrast"));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (find_widget (GTK_WIDGET (fixture->window),
                                                                               has_name, "larger-text"))));

  /* Still on the next page. */
  answer_not_in_danger (fixture->window);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (find_widget (GTK_WIDGET (fixture->window),
                                                                               has_name, "high-contrast"))));

  /* The next visitor starts with the kiosk's look. */
  click (fixture->window, "visit.leave-now");
  g_object_get (settings, "gtk-xft-dpi", &dpi, NULL);
  g_assert_cmpint (dpi, <, 96 * 1024 * 3 / 2);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (fixture->window), "high-contrast"));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (find_widget (GTK_WIDGET (fixture->window),
                                                                                has_name, "larger-text"))));
}

static void
press_escape (HavenWindow *window)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", GDK_KEY_Escape, 9, 0, &handled);
    }
  iterate ();
}

static void
test_escape_three_times_leaves (Fixture       *fixture,
                                gconstpointer  user_data)
{
  start_visit (fixture->window, "es");
  go_to_story (fixture->window);
  type_story (fixture->window, MARKER);

  press_escape (fixture->window);
  press_escape (fixture->window);
  g_assert_true (HAVEN_IS_STORY_PAGE (haven_window_get_current_page (fixture->window)));

  press_escape (fixture->window);
  g_assert_true (HAVEN_IS_WELCOME_PAGE (haven_window_get_current_page (fixture->window)));
  assert_text_nowhere (GTK_WIDGET (fixture->window), "marker-q8z3");
}

static void
test_escape_presses_far_apart_stay (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  start_visit (fixture->window, "en");

  for (int i = 0; i < 3; i++)
    {
      press_escape (fixture->window);
      g_usleep (G_USEC_PER_SEC);
    }

  g_assert_true (HAVEN_IS_SAFETY_PAGE (haven_window_get_current_page (fixture->window)));
}

static void
test_leave_now_clears_clipboards (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (fixture->window));
  GdkClipboard *clipboards[] = {
    gdk_display_get_clipboard (display),
    gdk_display_get_primary_clipboard (display),
  };

  start_visit (fixture->window, "en");
  for (gsize i = 0; i < G_N_ELEMENTS (clipboards); i++)
    gdk_clipboard_set_text (clipboards[i], MARKER);

  click (fixture->window, "visit.leave-now");

  for (gsize i = 0; i < G_N_ELEMENTS (clipboards); i++)
    {
      GdkContentProvider *content = gdk_clipboard_get_content (clipboards[i]);
      g_auto(GValue) value = G_VALUE_INIT;
      g_autoptr(GError) error = NULL;

      g_assert_nonnull (content);
      g_value_init (&value, G_TYPE_STRING);
      gdk_content_provider_get_value (content, &value, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (g_value_get_string (&value), ==, "");
    }
}

/* After Leave now, how many copies of what the visitor typed are left
 * anywhere in the process's memory: in freed heap blocks, Pango's layouts,
 * the text view's undo history. */
static void
test_leave_now_leaves_no_copy_in_memory (Fixture       *fixture,
                                         gconstpointer  user_data)
{
  guint8 masked[40];
  char *plain;
  guint before, after;
  gint64 deadline;

#ifdef __SANITIZE_ADDRESS__
  /* AddressSanitizer's allocator replaces glibc's and holds freed blocks
   * in quarantine, unscrubbed: what is measured here is glibc's. */
  g_test_skip ("measures glibc's allocator, which AddressSanitizer replaces");
  return;
#endif

  memory_scan_make_marker (masked, sizeof masked);
  plain = memory_scan_reveal_marker (masked, sizeof masked);

  start_visit (fixture->window, "en");
  go_to_story (fixture->window);
  type_story (fixture->window, plain);
  /* Shown on the next page too, then back to edit it. */
  click (fixture->window, "visit.next");
  click (fixture->window, "visit.back");
  explicit_bzero (plain, sizeof masked);
  g_free (plain);

  before = memory_scan_count (masked + 16, sizeof masked - 16);
  click (fixture->window, "visit.leave-now");
  /* GTK lets go of some things (layouts, render nodes) only at the next
   * frames: give it up to two seconds, on a busy machine too. */
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  do
    {
      iterate ();
      g_usleep (20000);
      after = memory_scan_count (masked + 16, sizeof masked - 16);
    }
  while (after > 0 && g_get_monotonic_time () < deadline);

  g_test_message ("copies of the visitor's text in memory: %u before Leave now, %u after",
                  before, after);
  g_assert_cmpuint (before, >, 0);
  g_assert_cmpuint (after, ==, 0);
}

/* The two switches in the header say what they do in words, on every
 * page: an icon alone ("+", a sun) is a switch few visitors would find. */
static void
test_switches_have_words (Fixture       *fixture,
                          gconstpointer  user_data)
{
  const char *const switches[][2] = {
    { "larger-text", "Larger text" },
    { "high-contrast", "High contrast" },
  };

  for (guint page = 0; page < 2; page++)
    {
      iterate ();
      for (gsize i = 0; i < G_N_ELEMENTS (switches); i++)
        {
          GtkWidget *button = find_widget (GTK_WIDGET (fixture->window), has_name, switches[i][0]);
          GtkWidget *words;

          g_assert_nonnull (button);
          words = find_widget (button, label_contains, switches[i][1]);
          g_assert_nonnull (words);
          g_assert_true (gtk_widget_is_drawable (words));
        }
      if (page == 0)
        start_visit (fixture->window, "en");
    }
}

/* Without its content a kiosk cannot run a visit: it says so to the staff,
 * naming what is missing and how to fix it, on the screen and in the log,
 * rather than stopping on a trap. */
static void
test_missing_content_tells_staff (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("HAVEN_DATADIR"));
  g_autofree char *empty = g_dir_make_tmp ("haven-no-data-XXXXXX", &error);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(HavenSender) sender = haven_sender_new (settings);
  HavenWindow *window;
  GtkWidget *page;

  g_assert_no_error (error);
  g_setenv ("HAVEN_DATADIR", empty, TRUE);
  g_settings_set_boolean (settings, "kiosk-mode", TRUE);

  g_test_expect_message ("haven-window", G_LOG_LEVEL_WARNING,
                         "*cannot be read*content*havenctl content check*");
  window = haven_window_new (NULL, settings, sender);
  g_test_assert_expected_messages ();
  gtk_window_present (GTK_WINDOW (window));
  iterate ();

  page = haven_window_get_cannot_start_page (window);
  g_assert_nonnull (page);
  g_assert_null (haven_window_get_session (window));
  g_assert_null (haven_window_get_current_page (window));
  g_assert_true (gtk_widget_is_drawable (page));
  g_assert_nonnull (strstr (haven_cannot_start_page_get_problem (HAVEN_CANNOT_START_PAGE (page)),
                            empty));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_drawable_label_with,
                                 "Haven cannot start"));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_drawable_label_with, empty));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_drawable_label_with,
                                 "havenctl content check"));

  /* No visit: none of its actions does anything, and none crashes. */
  gtk_widget_activate_action (GTK_WIDGET (window), "visit.leave-now", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "visit.start-visit", "s", "en");
  gtk_widget_activate_action (GTK_WIDGET (window), "visit.operator", NULL);
  iterate ();
  g_assert_null (haven_window_get_session (window));
  g_assert_null (haven_window_get_current_page (window));
  g_assert_null (haven_window_get_operator_screen (window));
  g_assert_true (haven_window_get_cannot_start_page (window) == page);
  g_assert_true (gtk_widget_is_drawable (page));

  /* Nothing of a visitor is in it, so staff may close it, kiosk mode or not. */
  gtk_window_close (GTK_WINDOW (window));
  iterate ();
  g_rmdir (empty);
  if (saved != NULL)
    g_setenv ("HAVEN_DATADIR", saved, TRUE);
}

/* How many handlers wait on the display's settings for a change of
 * overlay scrolling: one for each scrolled window on screen. Each is
 * found, and blocked so as to find the next, then unblocked. */
static guint
count_overlay_scrolling_handlers (HavenWindow *window)
{
  GtkSettings *settings = gtk_widget_get_settings (GTK_WIDGET (window));
  GSignalMatchType match = G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_DETAIL | G_SIGNAL_MATCH_UNBLOCKED;
  guint notify = g_signal_lookup ("notify", G_TYPE_OBJECT);
  GQuark detail = g_quark_from_static_string ("gtk-overlay-scrolling");
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (gulong));
  gulong handler;

  while ((handler = g_signal_handler_find (settings, match, notify, detail, NULL, NULL, NULL)) != 0)
    {
      g_signal_handler_block (settings, handler);
      g_array_append_val (found, handler);
    }
  for (guint i = 0; i < found->len; i++)
    g_signal_handler_unblock (settings, g_array_index (found, gulong, i));

  return found->len;
}

static void
count_most_handlers (HavenWindow *window,
                     gpointer     user_data)
{
  guint *most = user_data;

  *most = MAX (*most, count_overlay_scrolling_handlers (window));
}

/* The kiosk runs for days in one process: a visit, once over, leaves
 * nothing connected to the display's settings. (GTK 4.8's scrolled
 * windows leave a handler behind at each unrealize, pointing at a freed
 * widget: some twenty a visit without haven-gtk-fixes.) */
static void
test_visit_leaves_no_settings_handlers (Fixture       *fixture,
                                        gconstpointer  user_data)
{
  guint before;
  guint after;
  guint most = 0;

  wait_for_frame (fixture->window);
  before = count_overlay_scrolling_handlers (fixture->window);

  walk_whole_visit (fixture->window, "harassment", count_most_handlers, &most);
  g_assert_true (HAVEN_IS_WELCOME_PAGE (haven_window_get_current_page (fixture->window)));
  wait_for_frame (fixture->window);

  after = count_overlay_scrolling_handlers (fixture->window);
  g_test_message ("overlay-scrolling handlers on the welcome page: %u before a visit, %u after "
                  "(%u at most during it)", before, after, most);
  /* The pages of a visit do have scrolled windows. */
  g_assert_cmpuint (most, >, before);
  g_assert_cmpuint (after, ==, before);
}

int
main (int   argc,
      char *argv[])
{
  visit_driver_init (&argc, &argv);

#define ADD(path, func, kiosk) \
  g_test_add ("/haven/window/" path, Fixture, kiosk, fixture_set_up, func, fixture_tear_down)

  ADD ("welcome-offers-languages", test_welcome_offers_languages, NULL);
  ADD ("choosing-language-starts-visit", test_choosing_language_starts_visit, NULL);
  ADD ("keyboard-starts-visit", test_keyboard_starts_visit, NULL);
  ADD ("new-page-focuses-first-control", test_new_page_focuses_first_control, NULL);
  ADD ("every-page-has-header", test_every_page_has_header, NULL);
  ADD ("leave-now-wipes", test_leave_now_wipes, NULL);
  ADD ("leave-now-shows-page-made-ahead", test_leave_now_shows_page_made_ahead, NULL);
  ADD ("page-made-ahead-follows-settings", test_page_made_ahead_follows_settings, NULL);
  ADD ("finish-wipes", test_finish_wipes, NULL);
  ADD ("back-keeps-answers", test_back_keeps_answers, NULL);
  ADD ("language-switch-keeps-answers", test_language_switch_keeps_answers, NULL);
  ADD ("right-to-left/ar", test_right_to_left_arabic, NULL);
  ADD ("right-to-left/ur", test_right_to_left_urdu, NULL);
  ADD ("right-to-left/fa", test_right_to_left_persian, NULL);
  ADD ("assisted-mode", test_assisted_mode, NULL);
  ADD ("idle-warns-then-wipes", test_idle_warns_then_wipes, NULL);
  ADD ("idle-answer-keeps-visit", test_idle_answer_keeps_visit, NULL);
  ADD ("idle-not-armed-on-welcome", test_idle_not_armed_on_welcome, NULL);
  ADD ("larger-text-and-high-contrast", test_larger_text_and_high_contrast, NULL);
  ADD ("switches-have-words", test_switches_have_words, NULL);
  ADD ("escape-three-times-leaves", test_escape_three_times_leaves, NULL);
  ADD ("escape-presses-far-apart-stay", test_escape_presses_far_apart_stay, NULL);
  ADD ("leave-now-clears-clipboards", test_leave_now_clears_clipboards, NULL);
  ADD ("leave-now-leaves-no-copy-in-memory", test_leave_now_leaves_no_copy_in_memory, NULL);
  ADD ("visit-leaves-no-settings-handlers", test_visit_leaves_no_settings_handlers, NULL);
  ADD ("kiosk-mode-refuses-close", test_kiosk_mode_refuses_close, GINT_TO_POINTER (1));
  ADD ("leaving-kiosk-mode-allows-close", test_leaving_kiosk_mode_allows_close, GINT_TO_POINTER (1));

#undef ADD

  g_test_add_func ("/haven/window/missing-content-tells-staff", test_missing_content_tells_staff);

  return g_test_run ();
}
