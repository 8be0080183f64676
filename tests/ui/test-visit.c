/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "haven-outbox.h"
#include "haven-sealed-box.h"
#include "test-files.h"
#include "visit-driver.h"

/* Whole visits through the real widgets, from the welcome page to the
 * summary and its printed copy: what the visitor answered must be there,
 * in their words, and nothing may block a visitor who answers nothing. */

static char *work_dir;

static GtkWidget *
current_page (Fixture *fixture)
{
  return haven_window_get_current_page (fixture->window);
}

static const char *
current_question (Fixture *fixture)
{
  HavenQuestion *question = NULL;

  if (!HAVEN_IS_QUESTION_PAGE (current_page (fixture)))
    return NULL;

  g_object_get (current_page (fixture), "question", &question, NULL);
  g_object_unref (question);
  return haven_question_get_id (question);
}

typedef struct {
  GType type;
  guint wanted;
  guint seen;
} NthOfType;

static gboolean
is_nth_of_type (GtkWidget     *widget,
                gconstpointer  data)
{
  NthOfType *search = (NthOfType *) data;

  return G_TYPE_CHECK_INSTANCE_TYPE (widget, search->type) && search->seen++ == search->wanted;
}

static GtkWidget *
nth_of_type (Fixture *fixture,
             GType    type,
             guint    n)
{
  NthOfType search = { type, n, 0 };
  GtkWidget *found = find_widget (current_page (fixture), is_nth_of_type, &search);

  g_assert_nonnull (found);
  return found;
}

static gboolean
is_choice_labelled (GtkWidget     *widget,
                    gconstpointer  label)
{
  GtkWidget *child;

  if (!GTK_IS_TOGGLE_BUTTON (widget))
    return FALSE;

  child = gtk_button_get_child (GTK_BUTTON (widget));
  return GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (child)), label) == 0;
}

static void
choose (Fixture    *fixture,
        const char *label)
{
  GtkWidget *button = find_widget (current_page (fixture), is_choice_labelled, label);

  g_assert_nonnull (button);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
  iterate ();
}

static void
answer (Fixture *fixture)
{
  click (fixture->window, "question.continue");
}

static void
type_text (Fixture    *fixture,
           const char *text)
{
  GtkWidget *view = nth_of_type (fixture, GTK_TYPE_TEXT_VIEW, 0);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
  iterate ();
}

static void
assert_page_says (Fixture    *fixture,
                  const char *text)
{
  if (find_widget (current_page (fixture), label_contains, text) == NULL)
    g_error ("%s does not show “%s”", G_OBJECT_TYPE_NAME (current_page (fixture)), text);
}

static char *
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &output, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  return g_steal_pointer (&output);
}

/* Exports the summary as a PDF, as printing would make it, and reads its
 * text back with pdftotext; @paper (if given) gets the paper pdfinfo
 * names, such as "A4" or "letter". */
static char *
print_summary_on (Fixture  *fixture,
                  char    **paper)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = g_build_filename (work_dir, "summary.pdf", NULL);
  const char *text_argv[] = { "pdftotext", "-layout", pdf, "-", NULL };
  const char *info_argv[] = { "pdfinfo", pdf, NULL };
  g_autofree char *info = NULL;
  char *text;
  g_assert_true (HAVEN_IS_SUMMARY_PAGE (current_page (fixture)));
  g_assert_true (haven_summary_page_print (HAVEN_SUMMARY_PAGE (current_page (fixture)),
                                           GTK_PRINT_OPERATION_ACTION_EXPORT, pdf, &error));
  g_assert_no_error (error);

  text = run (text_argv);
  info = run (info_argv);
  if (paper != NULL)
    {
      g_autoptr(GRegex) regex = g_regex_new ("Page size:.*\\((\\w+)\\)", 0, 0, NULL);
      g_autoptr(GMatchInfo) match = NULL;

      if (!g_regex_match (regex, info, 0, &match))
        g_error ("pdfinfo names no paper:\n%s", info);
      *paper = g_match_info_fetch (match, 1);
    }
  g_unlink (pdf);

  return text;
}

static char *
print_summary (Fixture *fixture)
{
  return print_summary_on (fixture, NULL);
}

static void
assert_contains (const char *text,
                 const char *expected)
{
  if (strstr (text, expected) == NULL)
    g_error ("“%s” is not in:\n%s", expected, text);
}

static void
begin_visit (Fixture    *fixture,
             const char *category)
{
  start_visit (fixture->window, "en");
  answer_not_in_danger (fixture->window);
  advance_to (fixture->window, HAVEN_TYPE_CATEGORY_PAGE);
  choose_category (fixture->window, category);
}

/* An outbox of the test's, sealing for a backend key made for it, as a
 * kiosk set up for real visitors is. */
static void
use_outbox (Fixture *fixture)
{
  g_autofree char *outbox = g_build_filename (work_dir, "outbox.db", NULL);
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 secret_key[HAVEN_SEALED_BOX_KEY_BYTES];
  g_autofree char *encoded = NULL;

  haven_sealed_box_generate_key_pair (public_key, secret_key);
  encoded = haven_sealed_box_encode_key (public_key);
  g_settings_set_string (fixture->settings, "outbox-file", outbox);
  g_settings_set_string (fixture->settings, "backend-public-key", encoded);
}

static void
reset_settings (Fixture *fixture)
{
  const char *keys[] = { "region", "outbox-file", "submit-reports", "backend-public-key" };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (fixture->settings, keys[i]);
}

static gboolean
report_settled (HavenWindow *window)
{
  HavenSubmissionState state = haven_session_get_report_state (haven_window_get_session (window));

  return state != HAVEN_SUBMISSION_NONE && state != HAVEN_SUBMISSION_SENDING;
}

static gboolean
removal_settled (HavenWindow *window)
{
  HavenSubmissionState state = haven_session_get_submission_state (haven_window_get_session (window));

  return state != HAVEN_SUBMISSION_NONE && state != HAVEN_SUBMISSION_SENDING;
}

/* Fraud with a money loss: every kind of answer given, the report sent to
 * the queue, and the summary and its printed copy say it all. */
static void
test_fraud_with_money_loss (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *expected_date = g_strdup_printf ("20 November %d", g_date_time_get_year (now) - 1);
  g_autofree char *printed = NULL;
  g_autofree char *paper = NULL;
  const char *reference;

  g_settings_set_string (fixture->settings, "region", "GB");
  g_settings_set_boolean (fixture->settings, "submit-reports", TRUE);
  use_outbox (fixture);
  begin_visit (fixture, "fraud");

  for (guint steps = 0; HAVEN_IS_QUESTION_PAGE (current_page (fixture)); steps++)
    {
      const char *id = current_question (fixture);

      g_assert_cmpuint (steps, <, 20);
      if (g_str_equal (id, "started-on"))
        {
          /* Day 20, November, last year (the list starts at this year). */
          gtk_drop_down_set_selected (GTK_DROP_DOWN (nth_of_type (fixture, GTK_TYPE_DROP_DOWN, 0)), 20);
          gtk_drop_down_set_selected (GTK_DROP_DOWN (nth_of_type (fixture, GTK_TYPE_DROP_DOWN, 1)), 11);
          gtk_drop_down_set_selected (GTK_DROP_DOWN (nth_of_type (fixture, GTK_TYPE_DROP_DOWN, 2)), 2);
        }
      else if (g_str_equal (id, "where"))
        choose (fixture, "On a website");
      else if (g_str_equal (id, "their-name"))
        gtk_editable_set_text (GTK_EDITABLE (nth_of_type (fixture, GTK_TYPE_ENTRY, 0)), "QuickDeals Shop");
      else if (g_str_equal (id, "still-happening"))
        choose (fixture, "No");
      else if (g_str_equal (id, "lost-money"))
        {
          GtkDropDown *currency = GTK_DROP_DOWN (nth_of_type (fixture, GTK_TYPE_DROP_DOWN, 0));

          /* The kiosk's region decides the currency offered first, and
           * the example in the hint. */
          g_assert_cmpstr (gtk_string_object_get_string (gtk_drop_down_get_selected_item (currency)), ==, "£ GBP");
          assert_page_says (fixture, "for example \u2066£250.00\u2069.");
          /* A comma for the decimals and a space between thousands, as
           * many people write it. */
          gtk_editable_set_text (GTK_EDITABLE (nth_of_type (fixture, GTK_TYPE_ENTRY, 0)), "1 250,50");
        }
      else if (g_str_equal (id, "payment-method"))
        choose (fixture, "Bank transfer");
      else if (g_str_equal (id, "what-you-hold"))
        type_text (fixture, "My bank statement");
      answer (fixture);
    }

  g_assert_true (HAVEN_IS_STORY_PAGE (current_page (fixture)));
  type_story (fixture->window, "A seller took my money and disappeared.");
  click (fixture->window, "visit.next");

  /* What to keep, and what to do now: call the bank. */
  g_assert_true (HAVEN_IS_GUIDANCE_PAGE (current_page (fixture)));
  assert_page_says (fixture, "Call your bank now");
  click (fixture->window, "visit.next");

  /* The review shows every answer before anything is sent. */
  g_assert_true (HAVEN_IS_REVIEW_PAGE (current_page (fixture)));
  assert_page_says (fixture, "£1,250.50");
  assert_page_says (fixture, expected_date);
  assert_page_says (fixture, "QuickDeals Shop");
  advance_to (fixture->window, HAVEN_TYPE_SUMMARY_PAGE);

  assert_page_says (fixture, "I was tricked out of money or goods");
  assert_page_says (fixture, "A seller took my money and disappeared.");
  assert_page_says (fixture, expected_date);
  assert_page_says (fixture, "£1,250.50");
  assert_page_says (fixture, "Bank transfer");
  assert_page_says (fixture, "My bank statement");
  /* The UK's emergency number, again at the end. */
  assert_page_says (fixture, "999");

  /* The report goes to the queue; no backend answers here, so the
   * reference is the kiosk's. */
  press_named (fixture->window, "send-report");
  g_assert_true (iterate_until (report_settled, fixture->window, 10));
  g_assert_cmpint (haven_session_get_report_state (haven_window_get_session (fixture->window)), ==,
                   HAVEN_SUBMISSION_QUEUED);
  reference = haven_session_get_report_reference (haven_window_get_session (fixture->window));
  g_assert_true (g_str_has_prefix (reference, "K-"));
  assert_page_says (fixture, reference);

  printed = print_summary_on (fixture, &paper);
  /* A4 in the United Kingdom. */
  g_assert_cmpstr (paper, ==, "A4");
  assert_contains (printed, "Your summary");
  assert_contains (printed, "Money lost");
  assert_contains (printed, "£1,250.50");
  assert_contains (printed, expected_date);
  assert_contains (printed, "A seller took my money and disappeared.");
  assert_contains (printed, "Bank transfer");
  assert_contains (printed, reference);

  reset_settings (fixture);
}

/* Intimate images, with a request to take them down. */
static void
test_intimate_images_with_removal (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  g_autofree char *printed = NULL;
  const char *reference;

  use_outbox (fixture);
  begin_visit (fixture, "intimate-images");

  while (HAVEN_IS_QUESTION_PAGE (current_page (fixture)))
    {
      const char *id = current_question (fixture);

      if (g_str_equal (id, "knows-who"))
        {
          /* A hard question says first that it is not their fault. */
          assert_page_says (fixture, "What happened is not your fault.");
          choose (fixture, "I would rather not say");
          answer (fixture);
        }
      else if (g_str_equal (id, "threatened") || g_str_equal (id, "under-18"))
        {
          choose (fixture, "Yes");
          answer (fixture);
        }
      else
        click (fixture->window, "question.skip");
    }

  advance_to (fixture->window, HAVEN_TYPE_GUIDANCE_PAGE);
  assert_page_says (fixture, "Do not pay and do not send more pictures.");
  /* Pictures taken before 18 take the child path's services. */
  assert_page_says (fixture, "You were under 18");
  assert_page_says (fixture, "https://takeitdown.ncmec.org");
  advance_to (fixture->window, HAVEN_TYPE_REMOVAL_ITEMS_PAGE);
  gtk_editable_set_text (GTK_EDITABLE (nth_of_type (fixture, GTK_TYPE_ENTRY, 0)),
                         "https://example.social/p/123");
  press_named (fixture->window, "continue");

  g_assert_true (HAVEN_IS_REMOVAL_ROLE_PAGE (current_page (fixture)));
  press_named (fixture->window, "self");
  click (fixture->window, "removal-role.continue");
  g_assert_true (HAVEN_IS_REMOVAL_CONTACT_PAGE (current_page (fixture)));
  click (fixture->window, "removal-contact.continue");

  g_assert_true (HAVEN_IS_REVIEW_PAGE (current_page (fixture)));
  assert_page_says (fixture, "https://example.social/p/123");
  assert_page_says (fixture, "I would rather not say");
  assert_page_says (fixture, "No email address given");
  click (fixture->window, "visit.next");

  g_assert_true (HAVEN_IS_REMOVAL_SEND_PAGE (current_page (fixture)));
  press_named (fixture->window, "confirm");
  press_named (fixture->window, "send");
  g_assert_true (iterate_until (removal_settled, fixture->window, 10));
  reference = haven_session_get_submission_reference (haven_window_get_session (fixture->window));
  g_assert_nonnull (reference);

  advance_to (fixture->window, HAVEN_TYPE_SUMMARY_PAGE);
  assert_page_says (fixture, "Intimate images of me were shared");
  assert_page_says (fixture, reference);
  assert_page_says (fixture, "https://example.social/p/123");
  /* No report to send where the deployment takes none. */
  g_assert_false (gtk_widget_get_mapped (find_widget (current_page (fixture), has_name, "send-report")));

  printed = print_summary (fixture);
  assert_contains (printed, "Your request to take content down");
  assert_contains (printed, reference);
  assert_contains (printed, "https://example.social/p/123");
  assert_contains (printed, "Has anyone threatened you?");

  reset_settings (fixture);
}

/* A kiosk nobody gave a backend key, as every kiosk is by default: the
 * visitor's request and report are refused and nothing of them is kept;
 * they are told so calmly, and the visit goes on. */
static void
test_refused_without_key (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autofree char *outbox = g_build_filename (work_dir, "unsealed-outbox.db", NULL);
  g_autofree char *wal = g_strconcat (outbox, "-wal", NULL);
  GtkWidget *retry;

  g_settings_set_string (fixture->settings, "outbox-file", outbox);
  g_settings_set_boolean (fixture->settings, "submit-reports", TRUE);
  begin_visit (fixture, "intimate-images");
  while (HAVEN_IS_QUESTION_PAGE (current_page (fixture)))
    click (fixture->window, "question.skip");
  advance_to (fixture->window, HAVEN_TYPE_REMOVAL_ITEMS_PAGE);
  gtk_editable_set_text (GTK_EDITABLE (nth_of_type (fixture, GTK_TYPE_ENTRY, 0)),
                         "https://example.social/p/unsealed-5c1d");
  press_named (fixture->window, "continue");
  advance_to (fixture->window, HAVEN_TYPE_REMOVAL_SEND_PAGE);
  press_named (fixture->window, "confirm");
  press_named (fixture->window, "send");
  g_assert_true (iterate_until (removal_settled, fixture->window, 10));
  g_assert_cmpint (haven_session_get_submission_state (haven_window_get_session (fixture->window)),
                   ==, HAVEN_SUBMISSION_NOT_SEALED);

  /* What happened, that nothing was kept, and what to do; trying again
   * would not help, so there is no retry. */
  assert_page_says (fixture, "Your request was not sent");
  assert_page_says (fixture, "nothing you wrote was saved or sent");
  assert_page_says (fixture, "Please ask a member of staff for help.");
  retry = find_widget (current_page (fixture), has_name, "retry");
  g_assert_true (retry == NULL || !gtk_widget_get_visible (retry));

  /* Nothing on disk. */
  g_assert_false (file_contains (outbox, "unsealed-5c1d"));
  g_assert_false (file_contains (wal, "unsealed-5c1d"));

  /* The visit goes on, and the report is refused the same way. */
  advance_to (fixture->window, HAVEN_TYPE_SUMMARY_PAGE);
  press_named (fixture->window, "send-report");
  g_assert_true (iterate_until (report_settled, fixture->window, 10));
  g_assert_cmpint (haven_session_get_report_state (haven_window_get_session (fixture->window)), ==,
                   HAVEN_SUBMISSION_NOT_SEALED);
  assert_page_says (fixture, "This kiosk cannot keep reports safely at the moment");

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HavenOutbox) opened = haven_outbox_new (outbox, &error);
    g_autoptr(GPtrArray) entries = NULL;

    g_assert_no_error (error);
    entries = haven_outbox_list (opened, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (entries->len, ==, 0);
  }

  reset_settings (fixture);
}

/* A report about a child takes its own path: straight after the category,
 * a page that never asks for pictures, with the hotline and Take It Down. */
static void
test_child_safety_path (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *printed = NULL;
  g_autofree char *paper = NULL;

  g_settings_set_string (fixture->settings, "region", "US");
  begin_visit (fixture, "child-abuse-material");

  g_assert_true (HAVEN_IS_CHILD_PAGE (current_page (fixture)));
  assert_page_says (fixture, "This kiosk never asks for pictures or files, and never shows them.");
  assert_page_says (fixture, "https://report.cybertip.org");
  assert_page_says (fixture, "https://takeitdown.ncmec.org");
  assert_page_says (fixture, "911");
  click (fixture->window, "visit.next");

  while (HAVEN_IS_QUESTION_PAGE (current_page (fixture)))
    {
      if (g_str_equal (current_question (fixture), "child-age"))
        {
          choose (fixture, "13 to 17");
          answer (fixture);
        }
      else
        click (fixture->window, "question.skip");
    }

  advance_to (fixture->window, HAVEN_TYPE_GUIDANCE_PAGE);
  assert_page_says (fixture, "Do not save, copy, forward or screenshot sexual pictures of a child");
  advance_to (fixture->window, HAVEN_TYPE_SUMMARY_PAGE);
  assert_page_says (fixture, "An adult is trying to get close to a child for sex");
  assert_page_says (fixture, "13 to 17");

  printed = print_summary_on (fixture, &paper);
  /* US Letter in the United States. */
  g_assert_cmpstr (paper, ==, "letter");
  assert_contains (printed, "An adult is trying to get close to a child for sex");
  assert_contains (printed, "How old is the child, as far as you know?");
  assert_contains (printed, "13 to 17");

  reset_settings (fixture);
}

/* Every question of every category can be skipped, and the visit still
 * reaches its summary. */
static void
test_skipping_never_blocks (Fixture       *fixture,
                            gconstpointer  user_data)
{
  const char * const categories[] = {
    "account-takeover", "malware", "fraud", "impersonation", "intimate-images",
    "child-abuse-material", "harassment", "other",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (categories); i++)
    {
      HavenSession *session;
      guint questions = 0;

      begin_visit (fixture, categories[i]);
      for (guint steps = 0; !HAVEN_IS_SUMMARY_PAGE (current_page (fixture)); steps++)
        {
          g_assert_cmpuint (steps, <, 40);
          questions += HAVEN_IS_QUESTION_PAGE (current_page (fixture));
          advance (fixture->window);
        }

      session = haven_window_get_session (fixture->window);
      g_assert_cmpuint (questions, >, 0);
      /* Only the safety answer: every question was skipped. */
      g_assert_cmpuint (haven_session_get_n_answers (session), ==, 1);
      click (fixture->window, "visit.finish");
      g_assert_true (HAVEN_IS_WELCOME_PAGE (current_page (fixture)));
    }
}

/* An amount that is not one says what to write, beside the field, and
 * keeps the visitor on the question; Back keeps every answer. */
static void
test_answers_are_checked_and_kept (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  begin_visit (fixture, "fraud");
  while (g_strcmp0 (current_question (fixture), "lost-money") != 0)
    click (fixture->window, "question.skip");

  gtk_editable_set_text (GTK_EDITABLE (nth_of_type (fixture, GTK_TYPE_ENTRY, 0)), "about fifty");
  answer (fixture);
  g_assert_cmpstr (current_question (fixture), ==, "lost-money");
  assert_page_says (fixture, "Write the amount in numbers, for example 250.00");

  gtk_editable_set_text (GTK_EDITABLE (nth_of_type (fixture, GTK_TYPE_ENTRY, 0)), "50");
  answer (fixture);
  g_assert_cmpstr (current_question (fixture), ==, "payment-method");
  choose (fixture, "Cryptocurrency");

  click (fixture->window, "visit.back");
  g_assert_cmpstr (current_question (fixture), ==, "lost-money");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (nth_of_type (fixture, GTK_TYPE_ENTRY, 0))), ==, "50.00");
  answer (fixture);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (find_widget (current_page (fixture),
                                                                               is_choice_labelled,
                                                                               "Cryptocurrency"))));

  /* A date that has not come yet is refused. */
  click (fixture->window, "visit.back");
  while (g_strcmp0 (current_question (fixture), "started-on") != 0)
    click (fixture->window, "visit.back");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (nth_of_type (fixture, GTK_TYPE_DROP_DOWN, 0)), 31);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (nth_of_type (fixture, GTK_TYPE_DROP_DOWN, 1)), 2);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (nth_of_type (fixture, GTK_TYPE_DROP_DOWN, 2)), 2);
  answer (fixture);
  g_assert_cmpstr (current_question (fixture), ==, "started-on");
  assert_page_says (fixture, "This date does not exist");
}

/* "Yes" on the safety page shows the region's numbers in large type, and
 * the visit can go on afterwards. */
static void
test_danger_shows_numbers_first (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_settings_set_string (fixture->settings, "region", "GB");
  start_visit (fixture->window, "en");
  g_assert_true (HAVEN_IS_SAFETY_PAGE (current_page (fixture)));
  gtk_widget_activate_action (current_page (fixture), "safety.answer", "s", "self");
  iterate ();

  g_assert_true (HAVEN_IS_SAFETY_PAGE (current_page (fixture)));
  assert_page_says (fixture, "116 123");
  assert_page_says (fixture, "999");
  g_assert_true (gtk_widget_has_css_class (find_widget (current_page (fixture), label_contains, "116 123"),
                                           "emergency-number-value"));
  click (fixture->window, "visit.next");
  g_assert_true (HAVEN_IS_INTRO_PAGE (current_page (fixture)));

  /* Back shows them again. */
  click (fixture->window, "visit.back");
  assert_page_says (fixture, "116 123");

  reset_settings (fixture);
}

/* A visitor who is safe, or does not say, sees the emergency number and a
 * line to talk to on the safety page too, before any answer. */
static void
test_help_for_everyone (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_settings_set_string (fixture->settings, "region", "GB");
  start_visit (fixture->window, "en");
  g_assert_true (HAVEN_IS_SAFETY_PAGE (current_page (fixture)));
  wait_for_frame (fixture->window);

  g_assert_nonnull (find_widget (current_page (fixture), is_drawable_label_with,
                                 "call for help at any time"));
  g_assert_nonnull (find_widget (current_page (fixture), is_drawable_label_with, "999"));
  g_assert_nonnull (find_widget (current_page (fixture), is_drawable_label_with, "116 123"));
  /* Its footer waits for an answer, and no empty bar stands in for it. */
  g_assert_false (gtk_widget_is_drawable (find_widget (current_page (fixture), has_css_class,
                                                       "haven-action-bar")));

  reset_settings (fixture);
}

/* A visitor who answers fraud's questions, goes back and chooses intimate
 * images instead: the money and how it was paid belong to a path they
 * left, so neither the summary nor its printed copy shows them. */
static void
test_changed_category_forgets_answers (Fixture       *fixture,
                                       gconstpointer  user_data)
{
  g_autofree char *printed = NULL;

  begin_visit (fixture, "fraud");
  for (guint steps = 0; HAVEN_IS_QUESTION_PAGE (current_page (fixture)); steps++)
    {
      const char *id = current_question (fixture);

      g_assert_cmpuint (steps, <, 20);
      if (g_str_equal (id, "lost-money"))
        gtk_editable_set_text (GTK_EDITABLE (nth_of_type (fixture, GTK_TYPE_ENTRY, 0)), "250");
      else if (g_str_equal (id, "payment-method"))
        choose (fixture, "Bank transfer");
      answer (fixture);
    }
  g_assert_nonnull (haven_session_get_answer (haven_window_get_session (fixture->window),
                                              "lost-money"));

  while (!HAVEN_IS_CATEGORY_PAGE (current_page (fixture)))
    click (fixture->window, "visit.back");
  choose_category (fixture->window, "intimate-images");
  advance_to (fixture->window, HAVEN_TYPE_SUMMARY_PAGE);

  assert_text_nowhere (current_page (fixture), "250.00");
  assert_text_nowhere (current_page (fixture), "Bank transfer");
  printed = print_summary (fixture);
  assert_contains (printed, "Your summary");
  g_assert_null (strstr (printed, "250.00"));
  g_assert_null (strstr (printed, "Money lost"));
  g_assert_null (strstr (printed, "Bank transfer"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int result;

  visit_driver_init (&argc, &argv);
  work_dir = g_dir_make_tmp ("haven-visit-XXXXXX", &error);
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add ("/haven/visit/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("fraud-with-money-loss", test_fraud_with_money_loss);
  ADD ("intimate-images-with-removal", test_intimate_images_with_removal);
  ADD ("refused-without-key", test_refused_without_key);
  ADD ("child-safety-path", test_child_safety_path);
  ADD ("skipping-never-blocks", test_skipping_never_blocks);
  ADD ("answers-are-checked-and-kept", test_answers_are_checked_and_kept);
  ADD ("danger-shows-numbers-first", test_danger_shows_numbers_first);
  ADD ("help-for-everyone", test_help_for_everyone);
  ADD ("changed-category-forgets-answers", test_changed_category_forgets_answers);

#undef ADD

  result = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (work_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (work_dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (work_dir);
    g_free (work_dir);
  }

  return result;
}
