/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-removal-send"

#include "config.h"

#include "haven-outbox.h"
#include "haven-removal-contact-page.h"
#include "haven-removal-items-page.h"
#include "haven-removal-role-page.h"
#include "haven-removal-send-page.h"
#include "haven-review-page.h"
#include "haven-welcome-page.h"
#include "haven-wipe.h"
#include "receiver-process.h"
#include "visit-driver.h"

/* The kiosk's removal pages, through their real widgets, against a real
 * haven-receiver over TLS on 127.0.0.1. */

static guint outbox_count;

static GtkWidget *
current_page (Fixture *fixture)
{
  return haven_window_get_current_page (fixture->window);
}

static gboolean
is_entry (GtkWidget     *widget,
          gconstpointer  data)
{
  return GTK_IS_ENTRY (widget);
}

/* Points the kiosk at @backend_url with the test CA and a fresh outbox. */
static char *
configure (Fixture    *fixture,
           const char *backend_url)
{
  g_autofree char *name = g_strdup_printf ("outbox-%u.sqlite", ++outbox_count);
  g_autofree char *ca_file = work_path ("ca.pem");
  char *outbox_path = work_path (name);

  g_settings_set_string (fixture->settings, "backend-url", backend_url);
  g_settings_set_string (fixture->settings, "ca-file", ca_file);
  g_settings_set_string (fixture->settings, "outbox-file", outbox_path);
  g_settings_set_string (fixture->settings, "kiosk-id", "test-kiosk");
  /* The receiver here has no key pair: these cases are about the pages,
   * and sealing is test-delivery's. */
  g_settings_set_boolean (fixture->settings, "allow-unsealed-outbox", TRUE);

  return outbox_path;
}

static void
reset_settings (Fixture *fixture)
{
  const char *keys[] = {
    "backend-url", "ca-file", "outbox-file", "kiosk-id", "allow-unsealed-outbox",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (fixture->settings, keys[i]);
}

/* Through the category and the address, to the send page. */
static void
reach_send_page (Fixture *fixture)
{
  start_visit (fixture->window, "en");
  advance_to (fixture->window, HAVEN_TYPE_CATEGORY_PAGE);
  choose_category (fixture->window, "intimate-images");
  advance_to (fixture->window, HAVEN_TYPE_REMOVAL_ITEMS_PAGE);
  gtk_editable_set_text (GTK_EDITABLE (find_widget (current_page (fixture), is_entry, NULL)),
                         "https://example.social/p/123");
  press_named (fixture->window, "continue");

  /* One question a page: who it is for, then news by email. */
  g_assert_true (HAVEN_IS_REMOVAL_ROLE_PAGE (current_page (fixture)));
  press_named (fixture->window, "self");
  click (fixture->window, "removal-role.continue");
  g_assert_true (HAVEN_IS_REMOVAL_CONTACT_PAGE (current_page (fixture)));
  gtk_editable_set_text (GTK_EDITABLE (find_widget (current_page (fixture), has_name, "email")),
                         "visitor@example.org");
  click (fixture->window, "removal-contact.continue");

  g_assert_true (HAVEN_IS_REVIEW_PAGE (current_page (fixture)));
  click (fixture->window, "visit.next");
  g_assert_true (HAVEN_IS_REMOVAL_SEND_PAGE (current_page (fixture)));
}

/* The one declaration, then Send. */
static void
fill_and_send (Fixture *fixture)
{
  press_named (fixture->window, "confirm");
  press_named (fixture->window, "send");
}

static gboolean
submission_settled (HavenWindow *window)
{
  HavenSubmissionState state = haven_session_get_submission_state (haven_window_get_session (window));

  return state != HAVEN_SUBMISSION_NONE && state != HAVEN_SUBMISSION_SENDING;
}

static gboolean
is_shown_label_matching (GtkWidget     *widget,
                         gconstpointer  pattern)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
         g_regex_match_simple (pattern, gtk_label_get_label (GTK_LABEL (widget)), 0, 0);
}

static HavenOutboxEntry *
only_outbox_entry (const char *outbox_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenOutbox) outbox = haven_outbox_new (outbox_path, &error);
  g_autoptr(GPtrArray) entries = NULL;

  g_assert_no_error (error);
  entries = haven_outbox_list (outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);

  return g_ptr_array_steal_index (entries, 0);
}

static void
test_sent_with_case_reference (Fixture       *fixture,
                               gconstpointer  user_data)
{
  ReceiverProcess *receiver = receiver_process_start_tls (NULL);
  g_autofree char *outbox_path = configure (fixture, receiver->url);
  g_autoptr(HavenOutboxEntry) entry = NULL;
  HavenRequest *request;
  const char *reference;

  reach_send_page (fixture);
  fill_and_send (fixture);
  g_assert_true (iterate_until (submission_settled, fixture->window, 20));

  g_assert_cmpint (haven_session_get_submission_state (haven_window_get_session (fixture->window)),
                   ==, HAVEN_SUBMISSION_SENT);
  /* What the pages asked, one a page, is what was sent: the email is the
   * consent to be contacted, the one tick both declarations. */
  request = haven_session_get_removal_request (haven_window_get_session (fixture->window));
  g_assert_cmpstr (haven_request_get_reporter_role (request), ==, "self");
  g_assert_cmpstr (haven_request_get_contact_email (request), ==, "visitor@example.org");
  g_assert_true (haven_request_get_consent_to_contact (request));
  g_assert_true (haven_request_get_declaration_accurate (request));
  g_assert_true (haven_request_get_declaration_authorised (request));
  reference = haven_session_get_submission_reference (haven_window_get_session (fixture->window));
  g_assert_true (g_regex_match_simple ("^HV-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$", reference, 0, 0));
  /* The page shows it, large, with what to do with it. */
  g_assert_nonnull (find_widget (current_page (fixture), is_shown_label_matching, reference));
  g_assert_nonnull (find_widget (current_page (fixture), is_shown_label_matching, "^Your request was sent$"));

  entry = only_outbox_entry (outbox_path);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_DELIVERED);
  g_assert_cmpstr (entry->case_reference, ==, reference);
  g_assert_cmpuint (entry->body_size, ==, 0);
  g_assert_cmpuint (receiver_process_count_requests (receiver, entry->request_id), ==, 1);

  receiver_process_stop (receiver);
  reset_settings (fixture);
}

static void
test_queued_when_backend_is_down (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autofree char *outbox_path = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const char *reference;

  /* A port nothing listens on. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new (loopback, 0);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  g_clear_object (&address);
  address = g_socket_get_local_address (socket, &error);
  url = g_strdup_printf ("https://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
  g_socket_close (socket, NULL);
  outbox_path = configure (fixture, url);

  reach_send_page (fixture);
  fill_and_send (fixture);
  g_assert_true (iterate_until (submission_settled, fixture->window, 20));

  /* The visitor still leaves with a reference, the kiosk's. */
  g_assert_cmpint (haven_session_get_submission_state (haven_window_get_session (fixture->window)),
                   ==, HAVEN_SUBMISSION_QUEUED);
  reference = haven_session_get_submission_reference (haven_window_get_session (fixture->window));
  g_assert_true (g_regex_match_simple ("^K-[0-9A-F]{4}-[0-9A-F]{4}$", reference, 0, 0));
  g_assert_nonnull (find_widget (current_page (fixture), is_shown_label_matching, reference));

  entry = only_outbox_entry (outbox_path);
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (entry->body_size, >, 0);
  /* Made from the request_id, so staff can find it in the outbox. */
  g_assert_cmpint (g_ascii_strncasecmp (entry->request_id, reference + 2, 4), ==, 0);
  g_assert_cmpint (g_ascii_strncasecmp (entry->request_id + 4, reference + 7, 4), ==, 0);

  reset_settings (fixture);
}

static gboolean
is_shown_error (GtkWidget     *widget,
                gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
         gtk_widget_has_css_class (widget, "field-error") &&
         g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static void
test_errors_before_anything_is_saved (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  g_autofree char *outbox_path = configure (fixture, "https://127.0.0.1:9");
  HavenErrorSummary *summary;

  reach_send_page (fixture);
  press_named (fixture->window, "send");

  /* Nothing is saved without the declaration: the box says so, and the
   * summary at the top, which moves the focus to it. */
  g_assert_cmpint (haven_session_get_submission_state (haven_window_get_session (fixture->window)),
                   ==, HAVEN_SUBMISSION_NONE);
  g_assert_nonnull (find_widget (current_page (fixture), is_shown_error,
                                 "Tick the box to confirm, or choose “Do not send it”"));
  summary = haven_page_get_error_summary (HAVEN_PAGE (current_page (fixture)));
  g_assert_cmpstr (haven_error_summary_get_text (summary), ==,
                   "There is 1 thing to correct below.\n"
                   "Tick the box to confirm, or choose “Do not send it”");
  g_assert_true (gtk_root_get_focus (GTK_ROOT (fixture->window)) ==
                 find_widget (current_page (fixture), has_name, "confirm"));
  g_assert_false (g_file_test (outbox_path, G_FILE_TEST_EXISTS));

  reset_settings (fixture);
}

/* Leaving while the request is on its way: the screen is cleared at once,
 * and the request still arrives, once. */
static void
test_leave_now_while_sending (Fixture       *fixture,
                              gconstpointer  user_data)
{
  const char *slow[] = { "--delay-ms", "1500", NULL };
  ReceiverProcess *receiver = receiver_process_start_tls (slow);
  g_autofree char *outbox_path = configure (fixture, receiver->url);
  g_autofree char *request_id = NULL;

  reach_send_page (fixture);
  fill_and_send (fixture);
  request_id = g_strdup (haven_request_get_request_id (
    haven_session_get_removal_request (haven_window_get_session (fixture->window))));
  click (fixture->window, "visit.leave-now");

  g_assert_true (HAVEN_IS_WELCOME_PAGE (current_page (fixture)));
  g_assert_cmpint (haven_session_get_submission_state (haven_window_get_session (fixture->window)),
                   ==, HAVEN_SUBMISSION_NONE);
  g_assert_true (receiver_process_wait_for_one (receiver, request_id));

  receiver_process_stop (receiver);
  reset_settings (fixture);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Before the work folder is made: the restart would leave it behind. */
  haven_wipe_restart_without_thread_cache (argv);
  work_dir_init ("removal-send");
  visit_driver_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/haven/removal-send/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("sent-with-case-reference", test_sent_with_case_reference);
  ADD ("queued-when-backend-is-down", test_queued_when_backend_is_down);
  ADD ("errors-before-anything-is-saved", test_errors_before_anything_is_saved);
  ADD ("leave-now-while-sending", test_leave_now_while_sending);

#undef ADD

  status = g_test_run ();
  work_dir_remove ();

  return status;
}
