/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "haven-sealed-box.h"
#include "memory-scan.h"
#include "test-files.h"
#include "visit-driver.h"

/* Nothing is left behind. A whole visit with a marker typed into every
 * field, a removal request and a report sent (sealed for the backend),
 * then Finish. Afterwards the marker must not be in the widget tree, in
 * any file under the visit's home, configuration, data, state and cache
 * folders or its temporary folder, in a readable form in the outbox, or in
 * any message logged; and the copies left in the process's memory are
 * counted. */

#define MARKER_LENGTH 40

static char *root;
static GPtrArray *logged;

static void
type_into_entry (GtkWidget  *entry,
                 const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  iterate ();
}

static void
type_into_view (GtkWidget  *view,
                const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
  iterate ();
}

static gboolean
is_shown_entry (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_ENTRY (widget) && gtk_widget_get_mapped (widget);
}

static gboolean
submissions_settled (HavenWindow *window)
{
  HavenSession *session = haven_window_get_session (window);

  return haven_session_get_submission_state (session) != HAVEN_SUBMISSION_SENDING &&
         haven_session_get_report_state (session) != HAVEN_SUBMISSION_SENDING;
}

static void
walk_visit_typing (Fixture    *fixture,
                   const char *marker)
{
  g_autofree char *address = g_strconcat ("https://example.social/", marker, NULL);
  g_autofree char *email = g_strconcat (marker, "@example.org", NULL);
  GtkWidget *page;

  start_visit (fixture->window, "en");
  answer_not_in_danger (fixture->window);
  advance_to (fixture->window, HAVEN_TYPE_CATEGORY_PAGE);
  choose_category (fixture->window, "harassment");

  for (guint steps = 0; steps < 40; steps++)
    {
      page = haven_window_get_current_page (fixture->window);

      if (HAVEN_IS_QUESTION_PAGE (page))
        {
          GtkWidget *entry = find_widget (page, is_shown_entry, NULL);
          GtkWidget *view = find_widget (page, is_of_type, GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW));

          if (entry != NULL)
            type_into_entry (entry, marker);
          if (view != NULL)
            type_into_view (view, marker);
          click (fixture->window, "question.continue");
        }
      else if (HAVEN_IS_STORY_PAGE (page))
        {
          type_story (fixture->window, marker);
          click (fixture->window, "visit.next");
        }
      else if (HAVEN_IS_REMOVAL_ITEMS_PAGE (page))
        {
          GtkWidget *url = find_widget (page, is_shown_entry, NULL);
          GtkWidget *description;

          type_into_entry (url, address);
          description = gtk_widget_get_next_sibling (url);
          while (description != NULL && !is_shown_entry (description, NULL))
            description = gtk_widget_get_next_sibling (description);
          if (description != NULL)
            type_into_entry (description, marker);
          press_named (fixture->window, "continue");
        }
      else if (HAVEN_IS_REMOVAL_CONTACT_PAGE (page))
        {
          type_into_entry (find_widget (page, has_name, "email"), email);
          click (fixture->window, "removal-contact.continue");
        }
      else if (HAVEN_IS_REMOVAL_SEND_PAGE (page) &&
               haven_session_get_submission_state (haven_window_get_session (fixture->window)) == HAVEN_SUBMISSION_NONE)
        {
          press_named (fixture->window, "confirm");
          press_named (fixture->window, "send");
          g_assert_true (iterate_until (submissions_settled, fixture->window, 10));
        }
      else if (HAVEN_IS_SUMMARY_PAGE (page))
        break;
      else
        advance (fixture->window);
    }

  g_assert_true (HAVEN_IS_SUMMARY_PAGE (haven_window_get_current_page (fixture->window)));
  g_assert_cmpint (haven_session_get_submission_state (haven_window_get_session (fixture->window)), ==,
                   HAVEN_SUBMISSION_QUEUED);

  /* The report too, to the same outbox. */
  press_named (fixture->window, "send-report");
  g_assert_true (iterate_until (submissions_settled, fixture->window, 10));
  g_assert_cmpint (haven_session_get_report_state (haven_window_get_session (fixture->window)), ==,
                   HAVEN_SUBMISSION_QUEUED);
}

static void
test_nothing_left_behind (Fixture       *fixture,
                          gconstpointer  user_data)
{
  guint8 masked[MARKER_LENGTH];
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 secret_key[HAVEN_SEALED_BOX_KEY_BYTES];
  g_autofree char *encoded_key = NULL;
  char *plain;
  guint copies, n_files = 0;
  gint64 deadline;

  haven_sealed_box_generate_key_pair (public_key, secret_key);
  encoded_key = haven_sealed_box_encode_key (public_key);
  g_settings_set_string (fixture->settings, "backend-public-key", encoded_key);
  g_settings_set_boolean (fixture->settings, "submit-reports", TRUE);

  memory_scan_make_marker (masked, sizeof masked);
  plain = memory_scan_reveal_marker (masked, sizeof masked);
  walk_visit_typing (fixture, plain);
  explicit_bzero (plain, sizeof masked);
  g_free (plain);

  click (fixture->window, "visit.finish");
  g_assert_true (HAVEN_IS_WELCOME_PAGE (haven_window_get_current_page (fixture->window)));

  /* Memory: GTK lets go of the last pages at later frames. */
  deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  do
    {
      iterate ();
      g_usleep (20000);
      copies = memory_scan_count (masked + 16, sizeof masked - 16);
    }
  while (copies > 0 && g_get_monotonic_time () < deadline);
  g_test_message ("copies of the visitor's text left in memory after Finish: %u", copies);

  plain = memory_scan_reveal_marker (masked + 16, sizeof masked - 16);

  /* Widgets. */
  assert_text_nowhere (GTK_WIDGET (fixture->window), plain);

  /* Files: the outbox is in the state folder, sealed. */
  n_files += assert_no_file_holds (g_getenv ("HOME"), plain);
  n_files += assert_no_file_holds (g_get_user_config_dir (), plain);
  n_files += assert_no_file_holds (g_get_user_data_dir (), plain);
  n_files += assert_no_file_holds (g_get_user_state_dir (), plain);
  n_files += assert_no_file_holds (g_get_user_cache_dir (), plain);
  n_files += assert_no_file_holds (g_get_tmp_dir (), plain);
  g_test_message ("%u files read under %s: none holds the visitor's text", n_files, root);
  /* The outbox at least, with its two sealed requests. */
  g_assert_cmpuint (n_files, >, 0);

  /* Logs. */
  for (guint i = 0; i < logged->len; i++)
    if (strstr (g_ptr_array_index (logged, i), plain) != NULL)
      g_error ("A log message quotes the visitor: %s", (char *) g_ptr_array_index (logged, i));
  g_test_message ("%u log messages, none quoting the visitor", logged->len);

  explicit_bzero (plain, strlen (plain));
  g_free (plain);

#ifndef __SANITIZE_ADDRESS__
  /* AddressSanitizer's allocator keeps freed blocks unscrubbed. */
  g_assert_cmpuint (copies, ==, 0);
#endif

  g_settings_reset (fixture->settings, "backend-public-key");
  g_settings_reset (fixture->settings, "submit-reports");
}

int
main (int   argc,
      char *argv[])
{
  int result;

  /* The process starts again once (haven_wipe_restart_without_thread_cache)
   * and keeps its folders. */
  root = use_private_folders ("HAVEN_PRIVACY_TEST_ROOT", "haven-privacy");
  logged = record_log_messages ();
  visit_driver_init (&argc, &argv);

  g_test_add ("/haven/privacy/nothing-left-behind", Fixture, NULL, fixture_set_up,
              test_nothing_left_behind, fixture_tear_down);

  result = g_test_run ();
  remove_tree (root);
  g_free (root);
  g_ptr_array_unref (logged);
  return result;
}
