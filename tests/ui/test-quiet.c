/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "visit-driver.h"

/* Haven sleeps when nothing happens. Its own test, run alone: windows of
 * other tests on the same X server would wake it. */

static guint wakeups;
static GPollFunc default_poll;

static int
counting_poll (GPollFD *fds,
               guint    n_fds,
               int      timeout)
{
  wakeups++;
  return default_poll (fds, n_fds, timeout);
}

static gboolean
measured_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* How many times the main loop woke in @seconds, not counting the wake-up
 * that ends the measure. */
static guint
count_wakeups (guint seconds)
{
  gboolean done = FALSE;

  default_poll = g_main_context_get_poll_func (NULL);
  g_main_context_set_poll_func (NULL, counting_poll);
  wakeups = 0;
  g_timeout_add_seconds (seconds, measured_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_main_context_set_poll_func (NULL, default_poll);

  return wakeups - 1;
}

/* When nothing happens Haven sleeps: on the welcome page and on a page of
 * a visit, the main loop wakes only for the idle timer (a few times a
 * second would drain a battery kiosk and hide bugs). */
static void
test_quiet_when_nothing_happens (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  guint on_welcome, in_visit;

  g_settings_set_uint (fixture->settings, "idle-timeout", 600);
  wait_ms (500);
  on_welcome = count_wakeups (3);

  start_visit (fixture->window, "en");
  answer_not_in_danger (fixture->window);
  wait_ms (500);
  in_visit = count_wakeups (3);

  g_test_message ("main loop wake-ups in 3 s with nothing happening: %u on the welcome page, "
                  "%u on a page of a visit", on_welcome, in_visit);
  g_assert_cmpuint (on_welcome, <=, 3);
  g_assert_cmpuint (in_visit, <=, 3);

  g_settings_reset (fixture->settings, "idle-timeout");
}

int
main (int   argc,
      char *argv[])
{
  visit_driver_init (&argc, &argv);

  g_test_add ("/haven/quiet/when-nothing-happens", Fixture, NULL, fixture_set_up,
              test_quiet_when_nothing_happens, fixture_tear_down);

  return g_test_run ();
}
