/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "visit-driver"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "haven-category-page.h"
#include "haven-locale.h"
#include "haven-paths.h"
#include "haven-question-page.h"
#include "haven-safety-page.h"
#include "haven-story-page.h"
#include "test-wait.h"
#include "haven-welcome-page.h"
#include "haven-wipe.h"
#include "visit-driver.h"

void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->settings = g_settings_new (APP_ID);
  g_settings_set_strv (fixture->settings, "languages", (const char *[]) { "es", "en", NULL });
  g_settings_set_string (fixture->settings, "default-language", "en");
  if (user_data != NULL)
    g_settings_set_boolean (fixture->settings, "kiosk-mode", TRUE);

  /* GTK owns a window; the test's own reference lets it check, after
   * destroying the window, that nothing else kept it alive. */
  /* As the application does: the outbox is opened only when something is
   * sent, so a test may set outbox-file until then. */
  fixture->sender = haven_sender_new (fixture->settings);
  fixture->window = g_object_ref (haven_window_new (NULL, fixture->settings, fixture->sender));
  gtk_window_present (GTK_WINDOW (fixture->window));
}

void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_settings_set_boolean (fixture->settings, "kiosk-mode", FALSE);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_assert_finalize_object (fixture->window);
  g_clear_object (&fixture->sender);

  g_settings_reset (fixture->settings, "languages");
  g_settings_reset (fixture->settings, "default-language");
  g_settings_reset (fixture->settings, "kiosk-mode");
  g_clear_object (&fixture->settings);
}

void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
timeout_done_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for @ms milliseconds: long enough for timeouts, such
 * as the 250 ms a button stays pressed after "activate". */
void
wait_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
keep_waking_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
after_paint_cb (GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Waits, up to ten seconds, until @window has laid out and painted a whole
 * frame since the call: what is on the page then has its size. A fixed
 * sleep is not enough on a busy machine, where a frame can take longer. */
void
wait_for_frame (HavenWindow *window)
{
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gint64 deadline = g_get_monotonic_time () + 10 * test_slowdown () * G_USEC_PER_SEC;
  gboolean painted = FALSE;
  gulong handler;
  guint wake_up;

  g_assert_nonnull (frame_clock);
  /* So that the deadline is looked at even if nothing else happens. */
  wake_up = g_timeout_add (100, keep_waking_cb, NULL);
  handler = g_signal_connect (frame_clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (GTK_WIDGET (window));
  gdk_frame_clock_request_phase (frame_clock, GDK_FRAME_CLOCK_PHASE_LAYOUT);
  while (!painted && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (frame_clock, handler);
  g_source_remove (wake_up);
  if (!painted)
    g_error ("No frame was painted within 10 s");
}

GtkWidget *
find_widget (GtkWidget *root,
             gboolean (*matches) (GtkWidget *widget, gconstpointer data),
             gconstpointer data)
{
  if (matches (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, matches, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

gboolean
has_action (GtkWidget     *widget,
            gconstpointer  action_name)
{
  return GTK_IS_ACTIONABLE (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0 &&
         gtk_widget_get_mapped (widget);
}

gboolean
is_of_type (GtkWidget     *widget,
            gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

/* Whether @widget takes a dropped file or picture: Haven's pages never
 * do. Text dropped into a text field is the visitor's own typing, and is
 * wiped like it. */
gboolean
takes_files (GtkWidget     *widget,
             gconstpointer  data)
{
  g_autoptr(GListModel) controllers = NULL;

  controllers = gtk_widget_observe_controllers (widget);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);
      GdkContentFormats *formats = NULL;

      /* Entries take dropped text; nothing may take dropped files. */
      if (GTK_IS_DROP_TARGET (controller))
        formats = gtk_drop_target_get_formats (GTK_DROP_TARGET (controller));
      else if (GTK_IS_DROP_TARGET_ASYNC (controller))
        formats = gtk_drop_target_async_get_formats (GTK_DROP_TARGET_ASYNC (controller));

      if (formats != NULL &&
          (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST) ||
           gdk_content_formats_contain_gtype (formats, G_TYPE_FILE) ||
           gdk_content_formats_contain_mime_type (formats, "text/uri-list") ||
           gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE)))
        return TRUE;
    }

  return FALSE;
}

gboolean
is_drawable_label_with (GtkWidget     *widget,
                        gconstpointer  text)
{
  return label_contains (widget, text) && gtk_widget_is_drawable (widget);
}

gboolean
has_css_class (GtkWidget     *widget,
               gconstpointer  css_class)
{
  return gtk_widget_has_css_class (widget, css_class);
}

GtkWidget *
find_action_button (HavenWindow *window,
                    const char  *action_name)
{
  GtkWidget *button = find_widget (GTK_WIDGET (window), has_action, action_name);

  if (button == NULL)
    g_error ("No button for %s on %s", action_name,
             G_OBJECT_TYPE_NAME (haven_window_get_current_page (window)));
  return button;
}

void
click (HavenWindow *window,
       const char  *action_name)
{
  g_signal_emit_by_name (find_action_button (window, action_name), "clicked");
  iterate ();
}

void
start_visit (HavenWindow *window,
             const char  *language)
{
  GtkWidget *page = haven_window_get_current_page (window);
  GtkWidget *button;

  g_assert_true (HAVEN_IS_WELCOME_PAGE (page));
  button = find_widget (page, has_action, "visit.start-visit");
  g_assert_nonnull (button);
  gtk_widget_activate_action (page, "visit.start-visit", "s", language);
  iterate ();
}

gboolean
has_name (GtkWidget     *widget,
          gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

gboolean
label_contains (GtkWidget     *widget,
                gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
         strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL;
}

/* On the current page, presses the button named @name, or ticks the check
 * button of that name. */
void
press_named (HavenWindow *window,
             const char  *name)
{
  GtkWidget *widget = find_widget (haven_window_get_current_page (window), has_name, name);

  if (widget == NULL)
    g_error ("No control named %s on %s", name, G_OBJECT_TYPE_NAME (haven_window_get_current_page (window)));
  if (GTK_IS_TOGGLE_BUTTON (widget))
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (widget), TRUE);
  else
    g_signal_emit_by_name (widget, "clicked");
  iterate ();
}

static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_TEXT_VIEW (widget) ||
         GTK_IS_TEXT (widget) || GTK_IS_ENTRY (widget) ||
         gtk_widget_get_ancestor (widget, GTK_TYPE_DROP_DOWN) != NULL;
}

/* Tab, as a keyboard user presses it, to the page's next control. On a
 * busy machine GTK's focus chain can start again from the header, as if
 * the title had just been given the focus from nothing: those stops, and
 * containers that take the focus on the way, are passed, and said. (The
 * keyboard-only test presses real keys.) */
GtkWidget *
tab_to_next_control (HavenWindow *window)
{
  GtkWidget *page = haven_window_get_current_page (window);
  GtkWidget *focus = NULL;

  for (guint presses = 0; presses < 12; presses++)
    {
      g_assert_true (gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD));
      focus = gtk_root_get_focus (GTK_ROOT (window));
      if (focus != NULL && is_control (focus) && gtk_widget_is_ancestor (focus, page))
        return focus;
      g_test_message ("Tab stopped on a %s on the way", focus != NULL ? G_OBJECT_TYPE_NAME (focus) : "nothing");
    }

  g_error ("Tab reaches no control");
  return focus;
}

/* On the category page, presses the category's button. */
void
choose_category (HavenWindow *window,
                 const char  *category)
{
  GtkWidget *page = haven_window_get_current_page (window);
  GtkWidget *button;

  g_assert_true (HAVEN_IS_CATEGORY_PAGE (page));
  button = find_widget (page, has_name, category);
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  iterate ();
}

/* On the safety page, answers that the visitor is not in danger now. */
void
answer_not_in_danger (HavenWindow *window)
{
  GtkWidget *page = haven_window_get_current_page (window);

  g_assert_true (HAVEN_IS_SAFETY_PAGE (page));
  gtk_widget_activate_action (page, "safety.answer", "s", "no");
  iterate ();
}

/* Moves on from the current page the way a visitor who answers nothing
 * would: "No" on the safety page, "Skip" on a question, Continue
 * elsewhere. The category page needs a choice: choose_category(); a
 * removal request, who it is for, and "Me" is chosen. */
void
advance (HavenWindow *window)
{
  GtkWidget *page = haven_window_get_current_page (window);

  g_assert_false (HAVEN_IS_CATEGORY_PAGE (page));
  if (HAVEN_IS_SAFETY_PAGE (page))
    answer_not_in_danger (window);
  else if (HAVEN_IS_QUESTION_PAGE (page))
    click (window, "question.skip");
  else if (HAVEN_IS_REMOVAL_ITEMS_PAGE (page))
    {
      g_signal_emit_by_name (find_widget (page, has_name, "continue"), "clicked");
      iterate ();
    }
  else if (HAVEN_IS_REMOVAL_ROLE_PAGE (page))
    {
      press_named (window, "self");
      click (window, "removal-role.continue");
    }
  else if (HAVEN_IS_REMOVAL_CONTACT_PAGE (page))
    click (window, "removal-contact.continue");
  else
    click (window, "visit.next");
}

/* Advances until a page of @page_type is on screen. */
void
advance_to (HavenWindow *window,
            GType        page_type)
{
  for (guint steps = 0; !G_TYPE_CHECK_INSTANCE_TYPE (haven_window_get_current_page (window), page_type); steps++)
    {
      if (steps >= 40)
        g_error ("Stuck on %s on the way to %s",
                 G_OBJECT_TYPE_NAME (haven_window_get_current_page (window)), g_type_name (page_type));
      advance (window);
    }
}

/* A whole visit in @category, in English, from the welcome page to Finish,
 * calling @on_page on every page it shows: the safety page's emergency
 * numbers, an address for removal (not sent), every question skipped. */
void
walk_whole_visit (HavenWindow  *window,
                  const char   *category,
                  VisitPageFunc on_page,
                  gpointer      user_data)
{
  walk_whole_visit_in (window, category, "en", on_page, user_data);
}

/* The same visit in @language. */
void
walk_whole_visit_in (HavenWindow  *window,
                     const char   *category,
                     const char   *language,
                     VisitPageFunc on_page,
                     gpointer      user_data)
{
  GtkWidget *page;

  on_page (window, user_data);
  start_visit (window, language);
  gtk_widget_activate_action (haven_window_get_current_page (window), "safety.answer", "s", "someone");
  on_page (window, user_data);
  click (window, "visit.next");
  while (!HAVEN_IS_CATEGORY_PAGE (haven_window_get_current_page (window)))
    {
      on_page (window, user_data);
      advance (window);
    }
  on_page (window, user_data);
  choose_category (window, category);

  for (guint steps = 0; steps < 40; steps++)
    {
      on_page (window, user_data);
      page = haven_window_get_current_page (window);
      if (HAVEN_IS_SUMMARY_PAGE (page))
        break;
      if (HAVEN_IS_REMOVAL_ITEMS_PAGE (page))
        {
          gtk_editable_set_text (GTK_EDITABLE (find_widget (page, is_of_type, GSIZE_TO_POINTER (GTK_TYPE_ENTRY))),
                                 "https://example.social/p/1");
          press_named (window, "continue");
        }
      else if (HAVEN_IS_REMOVAL_SEND_PAGE (page))
        press_named (window, "do-not-send");
      else
        advance (window);
    }

  g_assert_true (HAVEN_IS_SUMMARY_PAGE (haven_window_get_current_page (window)));
  click (window, "visit.finish");
}

/* From the safety page to the story page, through the category page,
 * skipping every question. */
void
go_to_story (HavenWindow *window)
{
  advance_to (window, HAVEN_TYPE_CATEGORY_PAGE);
  choose_category (window, "other");
  g_assert_cmpstr (haven_session_get_category (haven_window_get_session (window)), ==, "other");
  advance_to (window, HAVEN_TYPE_STORY_PAGE);
}

void
type_story (HavenWindow *window,
            const char  *text)
{
  GtkWidget *page = haven_window_get_current_page (window);
  GtkWidget *view;

  g_assert_true (HAVEN_IS_STORY_PAGE (page));
  view = find_widget (page, is_of_type, GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW));
  g_assert_nonnull (view);
  gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
  iterate ();
}

/* Fails if @text is shown or held anywhere in the window's widgets. */
void
assert_text_nowhere (GtkWidget  *widget,
                     const char *text)
{
  const char *shown = NULL;
  g_autofree char *held = NULL;

  if (GTK_IS_LABEL (widget))
    shown = gtk_label_get_label (GTK_LABEL (widget));
  else if (GTK_IS_EDITABLE (widget))
    shown = gtk_editable_get_text (GTK_EDITABLE (widget));
  else if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start, end;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      held = gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
      shown = held;
    }

  if (shown != NULL && strstr (shown, text) != NULL)
    g_error ("%s still holds the visitor's text", G_OBJECT_TYPE_NAME (widget));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    assert_text_nowhere (child, text);
}

/* Iterates the main loop until @done (checked after each iteration) or
 * @seconds pass; returns whether @done became true. */
gboolean
iterate_until (gboolean (*done) (HavenWindow *window),
               HavenWindow *window,
               double       seconds)
{
  gint64 deadline = g_get_monotonic_time () +
                    (gint64) (seconds * test_slowdown () * G_USEC_PER_SEC);

  while (!done (window))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return TRUE;
}

void
visit_driver_init (int    *argc,
                   char ***argv)
{
  /* A skipped UI test would hide a missing display in CI: fail instead. */
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    g_error ("UI tests need a display: run them under xvfb-run");

  /* As haven's main() does. */
  haven_wipe_restart_without_thread_cache (*argv);

  setlocale (LC_ALL, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, haven_paths_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  haven_locale_apply ("en");

  gtk_test_init (argc, argv, NULL);
  adw_init ();

  /* As HavenApplication's resource base path makes libadwaita do: the
   * tests measure what a visitor sees. */
  {
    g_autoptr(GtkCssProvider) style = gtk_css_provider_new ();
    GdkDisplay *display = gdk_display_get_default ();

    gtk_css_provider_load_from_resource (style, "/io/github/havenkiosk/Haven/style.css");
    gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (style),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display),
                                      "/io/github/havenkiosk/Haven/icons");
  }
}
