/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "haven-operator-screen.h"
#include "haven-outbox.h"
#include "haven-request.h"
#include "test-files.h"
#include "visit-driver.h"

/* The operator's screen: behind the PIN, locked after five wrong ones,
 * only from the welcome page, and showing the outbox without anything a
 * visitor wrote. */

#define MARKER "marker-operator-7qk2"

static char *work_dir;
static gint64 fake_now;

static gint64
fake_clock (void)
{
  return fake_now;
}

static GtkWidget *
operator_screen (Fixture *fixture)
{
  return haven_window_get_operator_screen (fixture->window);
}

static void
open_operator_screen (Fixture *fixture)
{
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "visit.operator", NULL);
  iterate ();
  g_assert_nonnull (operator_screen (fixture));
}

static gboolean
pin_settled (HavenWindow *window)
{
  GtkWidget *screen = haven_window_get_operator_screen (window);
  GtkWidget *unlock = find_widget (screen, has_name, "unlock");

  return gtk_widget_get_sensitive (unlock);
}

static void
enter_pin (Fixture    *fixture,
           const char *pin)
{
  GtkWidget *entry = find_widget (operator_screen (fixture), has_name, "pin");

  gtk_editable_set_text (GTK_EDITABLE (entry), pin);
  g_signal_emit_by_name (find_widget (operator_screen (fixture), has_name, "unlock"), "clicked");
  g_assert_true (iterate_until (pin_settled, fixture->window, 10));
  iterate ();
}

static void
assert_screen_says (Fixture    *fixture,
                    const char *text)
{
  if (find_widget (operator_screen (fixture), label_contains, text) == NULL)
    g_error ("The operator screen does not say “%s”", text);
}

static void
set_pin (Fixture    *fixture,
         const char *pin)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = haven_operator_pin_hash (pin, &error);

  g_assert_no_error (error);
  g_settings_set_string (fixture->settings, "operator-pin-hash", hash);
}

static void
reset_settings (Fixture *fixture)
{
  const char *keys[] = { "operator-pin-hash", "outbox-file", "kiosk-mode" };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (fixture->settings, keys[i]);
}

static void
test_no_pin_no_way_in (Fixture       *fixture,
                       gconstpointer  user_data)
{
  open_operator_screen (fixture);
  enter_pin (fixture, "2468");

  assert_screen_says (fixture, "No operator PIN is set");
  g_assert_false (haven_operator_screen_is_unlocked (HAVEN_OPERATOR_SCREEN (operator_screen (fixture))));

  /* Back to the welcome page. */
  g_signal_emit_by_name (find_widget (operator_screen (fixture), has_name, "cancel"), "clicked");
  iterate ();
  g_assert_null (operator_screen (fixture));
}

static void
test_five_wrong_pins_lock (Fixture       *fixture,
                           gconstpointer  user_data)
{
  fake_now = G_USEC_PER_SEC;
  haven_pin_guard_set_clock (haven_window_get_pin_guard (fixture->window), fake_clock);
  set_pin (fixture, "2468");
  open_operator_screen (fixture);

  for (int i = 0; i < 4; i++)
    enter_pin (fixture, "1357");
  assert_screen_says (fixture, "Wrong PIN: 1 more try before the screen locks");
  enter_pin (fixture, "1357");
  assert_screen_says (fixture, "Too many wrong PINs");

  /* Closing and opening again does not reset the count. */
  g_signal_emit_by_name (find_widget (operator_screen (fixture), has_name, "cancel"), "clicked");
  iterate ();
  open_operator_screen (fixture);
  enter_pin (fixture, "2468");
  assert_screen_says (fixture, "Locked after too many wrong PINs");
  g_assert_false (haven_operator_screen_is_unlocked (HAVEN_OPERATOR_SCREEN (operator_screen (fixture))));

  fake_now += (HAVEN_OPERATOR_PIN_LOCK_SECONDS + 1) * G_USEC_PER_SEC;
  enter_pin (fixture, "2468");
  g_assert_true (haven_operator_screen_is_unlocked (HAVEN_OPERATOR_SCREEN (operator_screen (fixture))));

  haven_pin_guard_set_clock (haven_window_get_pin_guard (fixture->window), NULL);
  reset_settings (fixture);
}

/* The panel counts what is queued and why, without a word of it. */
static void
test_panel_shows_outbox_not_content (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *outbox_path = g_build_filename (work_dir, "operator-outbox.db", NULL);
  g_autoptr(HavenOutbox) outbox = NULL;

  /* Two requests a visitor left, with their words in them. */
  outbox = haven_outbox_new (outbox_path, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(HavenRequest) request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);

      haven_request_set_category (request, "intimate-images");
      haven_request_add_item (request, "https://example.social/p/1", NULL, MARKER);
      haven_request_set_reporter_role (request, "self");
      haven_request_set_declaration_accurate (request, TRUE);
      haven_request_set_declaration_authorised (request, TRUE);
      haven_request_confirm (request, "kiosk-1", "en");
      g_assert_true (haven_outbox_enqueue_request (outbox, request, &error));
      g_assert_no_error (error);
    }
  g_clear_object (&outbox);

  g_settings_set_string (fixture->settings, "outbox-file", outbox_path);
  g_settings_set_boolean (fixture->settings, "kiosk-mode", TRUE);
  set_pin (fixture, "2468");
  open_operator_screen (fixture);
  enter_pin (fixture, "2468");
  g_assert_true (haven_operator_screen_is_unlocked (HAVEN_OPERATOR_SCREEN (operator_screen (fixture))));

  assert_screen_says (fixture, "Waiting: 2");
  assert_screen_says (fixture, "Version ");
  assert_text_nowhere (GTK_WIDGET (fixture->window), MARKER);

  /* Leaving kiosk mode is the operator's. */
  g_signal_emit_by_name (find_widget (operator_screen (fixture), has_name, "leave-kiosk-mode"), "clicked");
  iterate ();
  g_assert_false (g_settings_get_boolean (fixture->settings, "kiosk-mode"));

  g_signal_emit_by_name (find_widget (operator_screen (fixture), has_name, "close"), "clicked");
  iterate ();
  g_assert_null (operator_screen (fixture));
  g_assert_true (HAVEN_IS_WELCOME_PAGE (haven_window_get_current_page (fixture->window)));

  reset_settings (fixture);
  g_unlink (outbox_path);
}

/* Never over a visit: a visitor's page stays theirs. */
static void
test_only_from_the_welcome_page (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  set_pin (fixture, "2468");
  start_visit (fixture->window, "en");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "visit.operator", NULL);
  iterate ();
  g_assert_null (operator_screen (fixture));

  /* Leave now closes it too. */
  click (fixture->window, "visit.leave-now");
  open_operator_screen (fixture);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "visit.leave-now", NULL);
  iterate ();
  g_assert_null (operator_screen (fixture));

  reset_settings (fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int result;

  visit_driver_init (&argc, &argv);
  work_dir = g_dir_make_tmp ("haven-operator-XXXXXX", &error);
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add ("/haven/operator/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("no-pin-no-way-in", test_no_pin_no_way_in);
  ADD ("five-wrong-pins-lock", test_five_wrong_pins_lock);
  ADD ("panel-shows-outbox-not-content", test_panel_shows_outbox_not_content);
  ADD ("only-from-the-welcome-page", test_only_from_the_welcome_page);

#undef ADD

  result = g_test_run ();
  remove_tree (work_dir);
  g_free (work_dir);
  return result;
}
