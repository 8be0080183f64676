/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-session"

#include "config.h"

#include <string.h>

#include "haven-session.h"
#include "haven-wipe.h"
#include "memory-scan.h"
#include "test-files.h"

static void
test_answers (void)
{
  g_autoptr(HavenSession) session = haven_session_new ("es");

  g_assert_cmpstr (haven_session_get_language (session), ==, "es");
  g_assert_true (haven_session_is_empty (session));

  haven_session_set_answer (session, HAVEN_QUESTION_STORY, "first");
  haven_session_set_answer (session, HAVEN_QUESTION_STORY, "second");
  haven_session_set_answer (session, "other", "x");
  g_assert_cmpstr (haven_session_get_answer (session, HAVEN_QUESTION_STORY), ==, "second");
  g_assert_cmpuint (haven_session_get_n_answers (session), ==, 2);

  /* An empty answer is no answer. */
  haven_session_set_answer (session, "other", "");
  g_assert_null (haven_session_get_answer (session, "other"));
  g_assert_cmpuint (haven_session_get_n_answers (session), ==, 1);
}

/* Whether a child is involved: the child path's category, or "yes" to
 * "under 18 in the pictures"; no longer once the visitor goes another way
 * or takes the answer back, and never after the visit. */
static void
test_child_involved (void)
{
  g_autoptr(HavenContent) content = load_shipped_content ();
  g_autoptr(HavenSession) session = haven_session_new ("en");

  g_assert_false (haven_session_get_child_involved (session));

  haven_session_set_category (session, content, "child-abuse-material");
  g_assert_true (haven_session_get_child_involved (session));

  haven_session_set_category (session, content, "intimate-images");
  g_assert_false (haven_session_get_child_involved (session));
  haven_session_set_answer (session, HAVEN_QUESTION_UNDER_18, "yes");
  g_assert_true (haven_session_get_child_involved (session));
  haven_session_set_answer (session, HAVEN_QUESTION_UNDER_18, "no");
  g_assert_false (haven_session_get_child_involved (session));
  haven_session_set_answer (session, HAVEN_QUESTION_UNDER_18, "yes");

  /* Fraud does not ask it: the answer is forgotten with its path. */
  haven_session_set_category (session, content, "fraud");
  g_assert_false (haven_session_get_child_involved (session));

  haven_session_set_category (session, content, "child-abuse-material");
  haven_session_wipe (session);
  g_assert_false (haven_session_get_child_involved (session));
}

static void
test_kept_services (void)
{
  g_autoptr(HavenSession) session = haven_session_new ("en");
  g_auto(GStrv) kept = NULL;
  g_auto(GStrv) after_wipe = NULL;

  haven_session_keep_service (session, "b", "Second line");
  haven_session_keep_service (session, "a", "First line");
  haven_session_keep_service (session, "c", "Dropped");
  haven_session_keep_service (session, "c", NULL);
  g_assert_true (haven_session_is_service_kept (session, "a"));
  g_assert_false (haven_session_is_service_kept (session, "c"));

  /* In the order the visitor chose them. */
  kept = haven_session_dup_kept_services (session);
  g_assert_cmpstrv (kept, ((const char *[]) { "Second line", "First line", NULL }));

  haven_session_wipe (session);
  after_wipe = haven_session_dup_kept_services (session);
  g_assert_cmpuint (g_strv_length (after_wipe), ==, 0);
  g_assert_false (haven_session_is_service_kept (session, "a"));
}

static void
wiped_cb (HavenSession *session,
          guint        *emissions)
{
  (*emissions)++;
}

static void
test_wipe_resets (void)
{
  g_autoptr(HavenContent) content = load_shipped_content ();
  g_autoptr(HavenSession) session = haven_session_new ("ar");
  guint emissions = 0;

  g_signal_connect (session, "wiped", G_CALLBACK (wiped_cb), &emissions);
  haven_session_set_answer (session, HAVEN_QUESTION_STORY, "marker-7f3a");
  haven_session_set_category (session, content, "fraud");
  g_assert_cmpstr (haven_session_get_category (session), ==, "fraud");
  g_assert_false (haven_session_is_wiped (session));

  haven_session_wipe (session);

  g_assert_cmpuint (emissions, ==, 1);
  g_assert_true (haven_session_is_wiped (session));
  g_assert_true (haven_session_is_empty (session));
  g_assert_null (haven_session_get_answer (session, HAVEN_QUESTION_STORY));
  g_assert_null (haven_session_get_language (session));
  g_assert_null (haven_session_get_category (session));

  /* A wiped session can take a new visit. */
  haven_session_set_answer (session, HAVEN_QUESTION_STORY, "again");
  g_assert_false (haven_session_is_wiped (session));
}

/* glibc's free() overwrites only the first 16 bytes of a small block with
 * its own pointers, so a string that was merely freed stays readable in the
 * heap after them; only the wipe's explicit_bzero removes it. The test counts
 * the marker's tail, past those 16 bytes, in all of the process's writable
 * memory. */
#define MARKER_LENGTH 48
#define MARKER_TAIL 16

static void
test_wipe_leaves_no_copy (void)
{
  g_autoptr(HavenSession) session = haven_session_new ("en");
  guint8 masked[MARKER_LENGTH];
  char *plain;

  memory_scan_make_marker (masked, sizeof masked);
  plain = memory_scan_reveal_marker (masked, sizeof masked);
  haven_session_set_answer (session, HAVEN_QUESTION_STORY, plain);
  /* Replacing an answer must not leave the old one behind either. */
  haven_session_set_answer (session, "other", plain);
  haven_session_set_answer (session, "other", "replaced");
  haven_wipe_string (plain);

  g_assert_cmpuint (memory_scan_count (masked + MARKER_TAIL, sizeof masked - MARKER_TAIL), ==, 1);

  haven_session_wipe (session);

  g_assert_cmpuint (memory_scan_count (masked + MARKER_TAIL, sizeof masked - MARKER_TAIL), ==, 0);
}

static void
test_wipe_string_null (void)
{
  char *nothing = NULL;

  haven_wipe_string (NULL);
  haven_wipe_clear_string (&nothing);
  g_assert_null (nothing);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/session/answers", test_answers);
  g_test_add_func ("/haven/session/child-involved", test_child_involved);
  g_test_add_func ("/haven/session/kept-services", test_kept_services);
  g_test_add_func ("/haven/session/wipe-resets", test_wipe_resets);
  g_test_add_func ("/haven/session/wipe-leaves-no-copy", test_wipe_leaves_no_copy);
  g_test_add_func ("/haven/session/wipe-string-null", test_wipe_string_null);

  return g_test_run ();
}
