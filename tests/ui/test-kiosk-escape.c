/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-kiosk-escape"

#include "config.h"

#include <string.h>

#include "haven-application.h"
#include "haven-lockdown.h"
#include "haven-operator-screen.h"
#include "visit-driver.h"

/* Every way out of the kiosk a visitor could find, tried in kiosk mode with
 * real key presses and clicks (xdotool on the test's X server): afterwards
 * Haven's window is alone on the screen, on the page it was on, and GTK's
 * Inspector is off. The test has the X server to itself. */

#define MARKER "marker-k5e2 what the last visitor copied"

#define GTK_DEBUG_SCHEMA "org.gtk.gtk4.Settings.Debug"

/* How long one xdotool or gdbus command may take. */
#define RUN_BESIDE_DEADLINE_SECONDS 30

/* What a visitor could press. Escape twice is not Leave now (three times
 * is, and is tested in test-window.c). */
static const char *const escape_keys[] = {
  "ctrl+shift+d", "ctrl+shift+i", "ctrl+q", "ctrl+w", "alt+F4", "F10", "shift+F10", "Menu",
  "ctrl+p", "ctrl+o", "ctrl+f", "ctrl+n", "Super_L", "super+a", "F1", "F6", "alt+space",
  "Escape Escape",
};

static void
communicated_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **stored = user_data;

  *stored = g_object_ref (result);
}

/* Runs @command_line while Haven's main loop goes on, as a person's hands
 * would (a long press is only long if the window sees the time pass), and
 * as a second program talking to Haven over D-Bus needs it to. */
static void
run_beside (const char  *command_line,
            char       **output)
{
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *printed = NULL;
  gint64 deadline;

  g_shell_parse_argv (command_line, NULL, &argv, &error);
  g_assert_no_error (error);
  process = g_subprocess_newv ((const char * const *) argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicated_cb, &result);
  /* Each of these commands takes well under a second; one that hangs
   * (a window xdotool waits for that never comes) fails the test here,
   * saying which, rather than at meson's timeout. */
  deadline = g_get_monotonic_time () + RUN_BESIDE_DEADLINE_SECONDS * G_USEC_PER_SEC;
  while (result == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_subprocess_force_exit (process);
          g_error ("“%s” did not finish within %d s", command_line, RUN_BESIDE_DEADLINE_SECONDS);
        }
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5000);
    }
  g_subprocess_communicate_utf8_finish (process, result, &printed, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("%s failed", command_line);
  if (output != NULL)
    *output = g_steal_pointer (&printed);
}

static void
xdotool (const char *arguments)
{
  g_autofree char *command_line = g_strdup_printf ("xdotool %s", arguments);

  run_beside (command_line, NULL);
}

/* The X input focus on Haven's window, as the kiosk session gives it. */
static void
focus_window (void)
{
  g_autofree char *found = NULL;
  g_auto(GStrv) windows = NULL;
  g_autofree char *command = NULL;

  run_beside ("xdotool search --onlyvisible --name ^Haven$", &found);
  windows = g_strsplit (g_strstrip (found), "\n", -1);
  g_assert_nonnull (windows[0]);
  g_assert_cmpstr (windows[0], !=, "");
  command = g_strdup_printf ("windowfocus --sync %s", windows[0]);
  xdotool (command);
}

static void
press (const char *keys)
{
  g_autofree char *arguments = g_strdup_printf ("key --clearmodifiers --delay 40 %s", keys);

  xdotool (arguments);
  /* What the keys may open takes a few frames to show. */
  wait_ms (300);
}

static guint
count_visible_toplevels (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint visible = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (gtk_widget_get_visible (toplevel))
        visible++;
    }

  return visible;
}

/* Haven's window alone, as it was. */
static void
assert_alone (HavenWindow *window,
              GtkWidget   *page,
              const char  *what)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (toplevel != GTK_WIDGET (window) && gtk_widget_get_visible (toplevel))
        g_error ("After %s a %s (“%s”) is on the screen beside Haven", what,
                 G_OBJECT_TYPE_NAME (toplevel),
                 gtk_window_get_title (GTK_WINDOW (toplevel)));
    }
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
  if (haven_window_get_current_page (window) != page)
    g_error ("After %s the page is a %s, not the %s it was", what,
             G_OBJECT_TYPE_NAME (haven_window_get_current_page (window)),
             G_OBJECT_TYPE_NAME (page));
  g_assert_null (haven_window_get_operator_screen (window));
  g_assert_false (haven_lockdown_inspector_is_enabled ());
}

static void
press_every_key (HavenWindow *window)
{
  GtkWidget *page = haven_window_get_current_page (window);

  focus_window ();
  for (gsize i = 0; i < G_N_ELEMENTS (escape_keys); i++)
    {
      press (escape_keys[i]);
      assert_alone (window, page, escape_keys[i]);
      g_test_message ("%s on the %s: Haven alone", escape_keys[i], G_OBJECT_TYPE_NAME (page));
    }
}

static GtkWidget *
story_view (HavenWindow *window)
{
  GtkWidget *view = find_widget (haven_window_get_current_page (window), is_of_type,
                                 GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW));

  g_assert_nonnull (view);
  return view;
}

static char *
dup_story (HavenWindow *window)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (story_view (window)));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Where @widget's middle is on the screen: the window sits at 0,0, with no
 * window manager to move it. */
static void
click_on (GtkWidget  *widget,
          HavenWindow *window,
          int         button)
{
  graphene_point_t middle = GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.f,
                                                 gtk_widget_get_height (widget) / 2.f);
  graphene_point_t on_window;
  g_autofree char *arguments = NULL;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (window), &middle, &on_window));
  arguments = g_strdup_printf ("mousemove %d %d click %d", (int) on_window.x,
                               (int) on_window.y, button);
  xdotool (arguments);
  wait_ms (400);
}

/* Haven's own keys, its own windows and its settings: kiosk mode turns the
 * Inspector's key bindings off before the window is shown. */
static void
test_keys_in_kiosk_mode (Fixture       *fixture,
                         gconstpointer  user_data)
{
  HavenWindow *window = fixture->window;

  g_assert_false (haven_lockdown_inspector_is_enabled ());
  iterate ();
  g_assert_cmpuint (count_visible_toplevels (), ==, 1);

  press_every_key (window);

  /* A visitor inside a visit, with the focus in a text field. */
  start_visit (window, "en");
  answer_not_in_danger (window);
  go_to_story (window);
  type_story (window, "a few words");
  gtk_widget_grab_focus (story_view (window));
  press_every_key (window);
}

/* Even with GTK's setting turned back on (by a user's dconf, say, or a lock
 * the fleet forgot), the kiosk's window does not open the Inspector. */
static void
test_inspector_refused_whatever_the_setting (Fixture       *fixture,
                                             gconstpointer  user_data)
{
  g_autoptr(GSettings) debug_settings = g_settings_new (GTK_DEBUG_SCHEMA);
  GtkWidget *page = haven_window_get_current_page (fixture->window);

  g_settings_set_boolean (debug_settings, "enable-inspector-keybinding", TRUE);
  g_settings_set_boolean (debug_settings, "inspector-warning", FALSE);
  for (guint i = 0; i < 2; i++)
    {
      focus_window ();
      press (i == 0 ? "ctrl+shift+d" : "ctrl+shift+i");
      g_assert_cmpuint (count_visible_toplevels (), ==, 1);
      g_assert_true (haven_window_get_current_page (fixture->window) == page);
    }
  g_settings_reset (debug_settings, "enable-inspector-keybinding");
  g_settings_reset (debug_settings, "inspector-warning");
}

/* The same presses reach GTK outside kiosk mode, where a developer may
 * open the Inspector: this shows the test's key presses are real. */
static void
test_inspector_opens_outside_kiosk_mode (Fixture       *fixture,
                                         gconstpointer  user_data)
{
  g_autoptr(GSettings) debug_settings = g_settings_new (GTK_DEBUG_SCHEMA);
  GListModel *toplevels = gtk_window_get_toplevels ();
  gint64 deadline;

  g_settings_set_boolean (debug_settings, "enable-inspector-keybinding", TRUE);
  focus_window ();
  press ("ctrl+shift+d");
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (count_visible_toplevels () < 2 && g_get_monotonic_time () < deadline)
    wait_ms (50);
  g_assert_cmpuint (count_visible_toplevels (), >=, 2);

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i - 1);

      if (toplevel != GTK_WIDGET (fixture->window))
        gtk_widget_set_visible (toplevel, FALSE);
    }
  g_settings_reset (debug_settings, "enable-inspector-keybinding");
}

static void
assert_no_file_drop_cb (HavenWindow *window,
                        gpointer     user_data)
{
  GtkWidget *taker = find_widget (GTK_WIDGET (window), takes_files, NULL);

  if (taker != NULL)
    g_error ("A %s on the %s takes dropped files", G_OBJECT_TYPE_NAME (taker),
             G_OBJECT_TYPE_NAME (haven_window_get_current_page (window)));
}

/* A text field's menu (right-click, Shift+F10, a long press) and the
 * middle-click paste: what they paste is never what a previous visitor
 * copied or selected, and "Insert Emoji" opens nothing but a popover. */
static void
test_text_menus_hold_no_earlier_visit (Fixture       *fixture,
                                       gconstpointer  user_data)
{
  HavenWindow *window = fixture->window;
  GtkWidget *view;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  GtkWidget *page;
  g_autofree char *story = NULL;

  /* The first visitor writes, selects and copies. */
  start_visit (window, "en");
  answer_not_in_danger (window);
  go_to_story (window);
  type_story (window, MARKER);
  view = story_view (window);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_select_range (buffer, &start, &end);
  gtk_widget_activate_action (view, "clipboard.copy", NULL);
  wait_ms (100);
  click (window, "visit.leave-now");

  /* The next one opens the menus. */
  start_visit (window, "en");
  answer_not_in_danger (window);
  go_to_story (window);
  page = haven_window_get_current_page (window);
  view = story_view (window);
  gtk_widget_grab_focus (view);
  focus_window ();

  click_on (view, window, 3);
  assert_alone (window, page, "a right-click in the story");
  press ("Escape");
  gtk_widget_activate_action (view, "clipboard.paste", NULL);
  wait_ms (300);
  click_on (view, window, 2);
  gtk_widget_activate_action (view, "misc.insert-emoji", NULL);
  wait_ms (300);
  assert_alone (window, page, "Insert Emoji");
  press ("Escape");

  story = dup_story (window);
  g_assert_null (strstr (story, "marker-k5e2"));
  assert_alone (window, page, "Paste and a middle click");
}

/* Nothing in any page of a whole visit takes a dropped file. */
static void
test_drops_take_no_files (Fixture       *fixture,
                          gconstpointer  user_data)
{
  walk_whole_visit (fixture->window, "intimate-images", assert_no_file_drop_cb, NULL);
}

/* The operator's long-press corner opens the PIN screen on the welcome
 * page, and nowhere else. */
static gboolean
has_operator_screen (HavenWindow *window)
{
  return haven_window_get_operator_screen (window) != NULL;
}

static void
test_operator_corner_only_on_welcome (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  HavenWindow *window = fixture->window;
  GtkWidget *page = haven_window_get_current_page (window);
  graphene_point_t corner = GRAPHENE_POINT_INIT (20, 20);
  graphene_point_t on_window;
  g_autofree char *press_corner = NULL;

  start_visit (window, "en");
  answer_not_in_danger (window);
  go_to_story (window);
  page = haven_window_get_current_page (window);
  g_assert_true (gtk_widget_compute_point (page, GTK_WIDGET (window), &corner, &on_window));
  press_corner = g_strdup_printf ("mousemove %d %d mousedown 1 sleep 1.5 mouseup 1",
                                  (int) on_window.x, (int) on_window.y);
  focus_window ();
  xdotool (press_corner);
  wait_ms (300);
  assert_alone (window, page, "a long press on the story page's corner");

  /* The same press on the welcome page opens the PIN screen. The new
   * page is laid out first: its corner is where it will be drawn. */
  click (window, "visit.leave-now");
  page = haven_window_get_current_page (window);
  g_assert_true (HAVEN_IS_WELCOME_PAGE (page));
  wait_for_frame (window);
  g_assert_true (gtk_widget_compute_point (page, GTK_WIDGET (window), &corner, &on_window));
  g_free (press_corner);
  press_corner = g_strdup_printf ("mousemove %d %d mousedown 1 sleep 1.5 mouseup 1",
                                  (int) on_window.x, (int) on_window.y);
  xdotool (press_corner);
  /* On a busy machine the press's events may still be on their way. */
  g_assert_true (iterate_until (has_operator_screen, window, 5));
}

/* Printing never shows a dialog: Ctrl+P and every key on the summary. */
static void
test_summary_keys (Fixture       *fixture,
                   gconstpointer  user_data)
{
  HavenWindow *window = fixture->window;

  start_visit (window, "en");
  answer_not_in_danger (window);
  advance_to (window, HAVEN_TYPE_CATEGORY_PAGE);
  choose_category (window, "fraud");
  advance_to (window, HAVEN_TYPE_SUMMARY_PAGE);
  press_every_key (window);
}

static HavenWindow *
application_window (HavenApplication *application)
{
  return HAVEN_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (application)));
}

static gboolean
has_window (HavenWindow *window)
{
  return window != NULL;
}

/* A second `haven`, and D-Bus activation of the running one, present the
 * one window; Haven exports no action a caller on the bus could run. */
static void
test_second_instance_opens_nothing (void)
{
  g_autoptr(HavenApplication) application = haven_application_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  g_autofree char *second = g_strdup_printf ("%s", g_getenv ("HAVEN_EXE"));
  g_autofree char *actions = NULL;
  HavenWindow *window = NULL;
  gint64 deadline;

  g_settings_set_boolean (settings, "kiosk-mode", TRUE);
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_application_get_is_remote (G_APPLICATION (application)));
  g_application_activate (G_APPLICATION (application));
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((window = application_window (application)) == NULL &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (has_window (window));
  iterate ();

  run_beside (second, NULL);
  run_beside ("gdbus call --session --dest " APP_ID " --object-path /io/github/havenkiosk/Haven"
       " --method org.freedesktop.Application.Activate {}", NULL);
  run_beside ("gdbus call --session --dest " APP_ID " --object-path /io/github/havenkiosk/Haven"
       " --method org.gtk.Actions.List", &actions);
  wait_ms (500);

  g_assert_cmpstr (g_strstrip (actions), ==, "(@as [],)");
  g_assert_cmpuint (count_visible_toplevels (), ==, 1);
  g_assert_true (application_window (application) == window);
  g_assert_true (HAVEN_IS_WELCOME_PAGE (haven_window_get_current_page (window)));

  g_settings_set_boolean (settings, "kiosk-mode", FALSE);
  gtk_window_destroy (GTK_WINDOW (window));
  iterate ();
  g_settings_reset (settings, "kiosk-mode");
}

int
main (int   argc,
      char *argv[])
{
  /* The application opens its outbox in the user's data folder, which
   * GLib reads once. */
  g_autofree char *data_home = g_dir_make_tmp ("haven-escape-data-XXXXXX", NULL);

  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  visit_driver_init (&argc, &argv);

#define ADD(path, func, kiosk) \
  g_test_add ("/haven/kiosk-escape/" path, Fixture, kiosk, fixture_set_up, func, fixture_tear_down)

  ADD ("keys-in-kiosk-mode", test_keys_in_kiosk_mode, GINT_TO_POINTER (1));
  ADD ("inspector-refused-whatever-the-setting", test_inspector_refused_whatever_the_setting,
       GINT_TO_POINTER (1));
  ADD ("inspector-opens-outside-kiosk-mode", test_inspector_opens_outside_kiosk_mode, NULL);
  ADD ("text-menus-hold-no-earlier-visit", test_text_menus_hold_no_earlier_visit,
       GINT_TO_POINTER (1));
  ADD ("drops-take-no-files", test_drops_take_no_files, GINT_TO_POINTER (1));
  ADD ("operator-corner-only-on-welcome", test_operator_corner_only_on_welcome,
       GINT_TO_POINTER (1));
  ADD ("summary-keys", test_summary_keys, GINT_TO_POINTER (1));

#undef ADD

  g_test_add_func ("/haven/kiosk-escape/second-instance-opens-nothing",
                   test_second_instance_opens_nothing);

  return g_test_run ();
}
