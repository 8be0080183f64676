/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-removal"

#include "config.h"

#include <string.h>

#include "haven-choice.h"
#include "haven-error-summary.h"
#include "haven-question-page.h"
#include "haven-removal-contact-page.h"
#include "haven-removal-item-row.h"
#include "haven-removal-items-page.h"
#include "haven-removal-role-page.h"
#include "haven-removal-send-page.h"
#include "haven-review-page.h"
#include "haven-referrals-page.h"
#include "haven-story-page.h"
#include "visit-driver.h"

static GtkWidget *
current_page (Fixture *fixture)
{
  return haven_window_get_current_page (fixture->window);
}

static GtkWidget *
nth_row (Fixture *fixture,
         guint    n)
{
  GtkWidget *row = find_widget (current_page (fixture), is_of_type,
                                GSIZE_TO_POINTER (HAVEN_TYPE_REMOVAL_ITEM_ROW));

  for (guint i = 0; row != NULL && i < n; i++)
    row = gtk_widget_get_next_sibling (row);

  g_assert_nonnull (row);
  return row;
}

/* The row's entries, in order: the address, then the description. */
static GtkEditable *
row_entry (GtkWidget *row,
           guint      n)
{
  GtkWidget *entry = find_widget (row, is_of_type, GSIZE_TO_POINTER (GTK_TYPE_ENTRY));

  for (guint i = 0; entry != NULL && i < n; i++)
    {
      do
        entry = gtk_widget_get_next_sibling (entry);
      while (entry != NULL && !GTK_IS_ENTRY (entry));
    }

  g_assert_nonnull (entry);
  return GTK_EDITABLE (entry);
}

static void
go_to_category (Fixture    *fixture,
                const char *category)
{
  start_visit (fixture->window, "en");
  advance_to (fixture->window, HAVEN_TYPE_CATEGORY_PAGE);
  choose_category (fixture->window, category);
  if (strcmp (category, "fraud") != 0)
    advance_to (fixture->window, HAVEN_TYPE_REMOVAL_ITEMS_PAGE);
}

static void
test_removable_category_asks_addresses (Fixture       *fixture,
                                        gconstpointer  user_data)
{
  go_to_category (fixture, "intimate-images");
  g_assert_true (HAVEN_IS_REMOVAL_ITEMS_PAGE (current_page (fixture)));

  /* The page opens on its title; Tab goes to the first address. */
  g_assert_true (GTK_IS_LABEL (gtk_root_get_focus (GTK_ROOT (fixture->window))));
  g_assert_true (gtk_widget_is_ancestor (tab_to_next_control (fixture->window), nth_row (fixture, 0)));
}

static void
test_other_categories_skip_it (Fixture       *fixture,
                               gconstpointer  user_data)
{
  go_to_category (fixture, "fraud");
  while (!HAVEN_IS_REFERRALS_PAGE (current_page (fixture)))
    {
      g_assert_false (HAVEN_IS_REMOVAL_ITEMS_PAGE (current_page (fixture)));
      g_assert_false (HAVEN_IS_REMOVAL_ROLE_PAGE (current_page (fixture)));
      g_assert_false (HAVEN_IS_REMOVAL_CONTACT_PAGE (current_page (fixture)));
      g_assert_false (HAVEN_IS_REMOVAL_SEND_PAGE (current_page (fixture)));
      advance (fixture->window);
    }

  /* Back goes to the review, not to a skipped page. */
  click (fixture->window, "visit.back");
  g_assert_true (HAVEN_IS_REVIEW_PAGE (current_page (fixture)));
}

static gboolean
is_shown_label_with (GtkWidget     *widget,
                     gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
         g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static HavenErrorSummary *
error_summary (Fixture *fixture)
{
  return haven_page_get_error_summary (HAVEN_PAGE (current_page (fixture)));
}

/* Whether the keyboard focus is in @field (an entry's focus is on its
 * text, inside it). */
static gboolean
has_focus_in (Fixture   *fixture,
              GtkWidget *field)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (fixture->window));

  return focus != NULL && (focus == field || gtk_widget_is_ancestor (focus, field));
}

/* The summary at the top of the page: shown, under the title, an alert
 * to assistive technologies whose name is all it says. */
static void
assert_summary_says (Fixture    *fixture,
                     const char *text)
{
  HavenErrorSummary *summary = error_summary (fixture);
  GtkWidget *title = find_widget (current_page (fixture), has_css_class, "title-1");
  GtkWidget *before;

  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (summary)));
  g_assert_cmpstr (haven_error_summary_get_text (summary), ==, text);
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (summary), GTK_ACCESSIBLE_ROLE_ALERT);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (summary), GTK_ACCESSIBLE_PROPERTY_LABEL, text);

  /* Right under the title: nothing but it, or its line in the helper's
   * language, comes first. */
  before = gtk_widget_get_prev_sibling (GTK_WIDGET (summary));
  g_assert_true (before == title);
}

static void
test_errors_beside_the_field (Fixture       *fixture,
                              gconstpointer  user_data)
{
  HavenRequest *request;
  GtkWidget *row;

  go_to_category (fixture, "harassment");
  row = nth_row (fixture, 0);
  gtk_editable_set_text (row_entry (row, 0), "example.social/p/123");
  press_named (fixture->window, "continue");

  /* Still here, with what to do beside the field and in the summary
   * above, and the focus on the field to correct. */
  g_assert_true (HAVEN_IS_REMOVAL_ITEMS_PAGE (current_page (fixture)));
  g_assert_nonnull (find_widget (row, is_shown_label_with,
                                 "Enter the web address, starting with https://"));
  assert_summary_says (fixture, "There is 1 thing to correct below.\n"
                                "Enter the web address, starting with https://");
  g_assert_true (has_focus_in (fixture, GTK_WIDGET (row_entry (row, 0))));

  /* With two addresses, the summary says which. */
  press_named (fixture->window, "add-address");
  gtk_editable_set_text (row_entry (nth_row (fixture, 1), 0), "https://example.social/p/9");
  gtk_editable_set_text (row_entry (nth_row (fixture, 1), 1), "a post about me");
  press_named (fixture->window, "continue");
  assert_summary_says (fixture, "There is 1 thing to correct below.\n"
                                "Address 1: Enter the web address, starting with https://");
  g_signal_emit_by_name (find_widget (nth_row (fixture, 1), is_of_type, GSIZE_TO_POINTER (GTK_TYPE_BUTTON)),
                         "clicked");
  iterate ();

  row = nth_row (fixture, 0);
  gtk_editable_set_text (row_entry (row, 0), "https://www.example.social/p/123");
  gtk_editable_set_text (row_entry (row, 1), "a post about me");
  press_named (fixture->window, "continue");

  /* Who it is for and news by email, then what will be sent is shown. */
  g_assert_true (HAVEN_IS_REMOVAL_ROLE_PAGE (current_page (fixture)));
  advance (fixture->window);
  g_assert_true (HAVEN_IS_REMOVAL_CONTACT_PAGE (current_page (fixture)));
  advance (fixture->window);
  g_assert_true (HAVEN_IS_REVIEW_PAGE (current_page (fixture)));
  g_assert_nonnull (find_widget (current_page (fixture), is_shown_label_with,
                                 "https://www.example.social/p/123"));
  click (fixture->window, "visit.next");
  g_assert_true (HAVEN_IS_REMOVAL_SEND_PAGE (current_page (fixture)));
  request = haven_session_get_removal_request (haven_window_get_session (fixture->window));
  g_assert_cmpuint (haven_request_get_n_items (request), ==, 1);
  g_assert_cmpstr (haven_request_get_item_url (request, 0), ==, "https://www.example.social/p/123");
  g_assert_cmpstr (haven_request_get_item_platform (request, 0), ==, "example.social");
  g_assert_cmpstr (haven_request_get_item_description (request, 0), ==, "a post about me");
}

static void
test_back_keeps_addresses (Fixture       *fixture,
                           gconstpointer  user_data)
{
  go_to_category (fixture, "impersonation");
  gtk_editable_set_text (row_entry (nth_row (fixture, 0), 0), "https://example.social/fake1");
  press_named (fixture->window, "add-address");
  gtk_editable_set_text (row_entry (nth_row (fixture, 1), 0), "https://example.social/fake2");
  /* An empty third row is dropped, not reported. */
  press_named (fixture->window, "add-address");
  press_named (fixture->window, "continue");
  advance_to (fixture->window, HAVEN_TYPE_REVIEW_PAGE);

  /* The review's "Change" goes back to the addresses. */
  gtk_widget_activate_action (current_page (fixture), "visit.go-to", "s", "HavenRemovalItemsPage");
  iterate ();
  g_assert_true (HAVEN_IS_REMOVAL_ITEMS_PAGE (current_page (fixture)));
  g_assert_cmpstr (gtk_editable_get_text (row_entry (nth_row (fixture, 0), 0)), ==,
                   "https://example.social/fake1");
  g_assert_cmpstr (gtk_editable_get_text (row_entry (nth_row (fixture, 1), 0)), ==,
                   "https://example.social/fake2");
  g_assert_null (gtk_widget_get_next_sibling (nth_row (fixture, 1)));
}

static void
test_at_most_twenty_addresses (Fixture       *fixture,
                               gconstpointer  user_data)
{
  GtkWidget *add_button;

  go_to_category (fixture, "harassment");
  add_button = find_widget (current_page (fixture), has_name, "add-address");
  for (int i = 1; i < 20; i++)
    press_named (fixture->window, "add-address");

  g_assert_nonnull (nth_row (fixture, 19));
  g_assert_false (gtk_widget_get_sensitive (add_button));
}

/* From the addresses to the removal pages that follow, with one address
 * given. */
static void
go_to_role_page (Fixture    *fixture,
                 const char *category)
{
  go_to_category (fixture, category);
  gtk_editable_set_text (row_entry (nth_row (fixture, 0), 0), "https://example.social/p/123");
  press_named (fixture->window, "continue");
  g_assert_true (HAVEN_IS_REMOVAL_ROLE_PAGE (current_page (fixture)));
}

static const char *
page_title (Fixture *fixture)
{
  GtkWidget *title = find_widget (current_page (fixture), has_css_class, "title-1");

  g_assert_nonnull (title);
  return gtk_label_get_label (GTK_LABEL (title));
}

static gboolean
is_mapped_of_type (GtkWidget     *widget,
                   gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type)) && gtk_widget_get_mapped (widget);
}

static guint
count_mapped (GtkWidget *root,
              GType      type)
{
  guint n = is_mapped_of_type (root, GSIZE_TO_POINTER (type));

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_mapped (child, type);

  return n;
}

/* A choice (HavenChoice) that is a check box, not one of a radio group. */
static guint
count_check_boxes (GtkWidget *root)
{
  guint n = HAVEN_IS_CHOICE (root) && gtk_widget_get_mapped (root) &&
            gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (root)) == GTK_ACCESSIBLE_ROLE_CHECKBOX;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_check_boxes (child);

  return n;
}

static guint
count_radios (GtkWidget *root)
{
  guint n = HAVEN_IS_CHOICE (root) && gtk_widget_get_mapped (root) &&
            gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (root)) == GTK_ACCESSIBLE_ROLE_RADIO;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_radios (child);

  return n;
}

/* After the addresses, each thing is asked on a screen of its own, with
 * the question as its title: who it is for (three choices), news by
 * email (one field), then sending it (one box to tick). */
static void
test_one_question_a_screen (Fixture       *fixture,
                            gconstpointer  user_data)
{
  GtkWidget *page;

  go_to_role_page (fixture, "intimate-images");
  wait_for_frame (fixture->window);
  page = current_page (fixture);
  g_assert_cmpstr (page_title (fixture), ==, "Who is this request for?");
  g_assert_cmpuint (count_radios (page), ==, 3);
  g_assert_cmpuint (count_check_boxes (page), ==, 0);
  g_assert_cmpuint (count_mapped (page, GTK_TYPE_ENTRY), ==, 0);

  advance (fixture->window);
  wait_for_frame (fixture->window);
  page = current_page (fixture);
  g_assert_true (HAVEN_IS_REMOVAL_CONTACT_PAGE (page));
  g_assert_cmpstr (page_title (fixture), ==, "Do you want news about your request?");
  g_assert_cmpuint (count_mapped (page, GTK_TYPE_ENTRY), ==, 1);
  g_assert_cmpuint (count_radios (page) + count_check_boxes (page), ==, 0);

  advance (fixture->window);
  g_assert_true (HAVEN_IS_REVIEW_PAGE (current_page (fixture)));
  /* The review groups them, each with its Change. */
  g_assert_nonnull (find_widget (current_page (fixture), is_shown_label_with, "Who the request is for"));
  g_assert_nonnull (find_widget (current_page (fixture), is_shown_label_with, "Me"));
  g_assert_nonnull (find_widget (current_page (fixture), is_shown_label_with, "No email address given"));
  advance (fixture->window);

  wait_for_frame (fixture->window);
  page = current_page (fixture);
  g_assert_true (HAVEN_IS_REMOVAL_SEND_PAGE (page));
  g_assert_cmpstr (page_title (fixture), ==, "Do you want to send your request now?");
  g_assert_true (g_str_has_suffix (page_title (fixture), "?"));
  g_assert_cmpuint (count_check_boxes (page), ==, 1);
  g_assert_cmpuint (count_radios (page), ==, 0);
  g_assert_cmpuint (count_mapped (page, GTK_TYPE_ENTRY), ==, 0);
  /* What is sent, and to whom, in words. */
  g_assert_nonnull (find_widget (page, label_contains, "to the organisation that asks websites and apps"));
  g_assert_nonnull (find_widget (page, label_contains, "The web address you gave"));
  g_assert_nonnull (find_widget (page, label_contains, "Who it is for: Me"));
  g_assert_nonnull (find_widget (page, label_contains,
                                 "No email address: the organisation will not contact you"));
  /* Back and Send stay in reach, in the bar beneath the page. */
  g_assert_true (gtk_widget_get_mapped (find_widget (page, has_name, "send")));
  g_assert_nonnull (gtk_widget_get_ancestor (find_widget (page, has_name, "send"), ADW_TYPE_CLAMP));
}

/* The email field has a label on screen, an example, and a name that
 * says it is for an email address; it is optional, and says so. Giving an
 * address is the consent to be contacted: there is no box to tick for it. */
static void
test_email_labelled_with_example (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  HavenRequest *request;
  GtkWidget *entry;
  GtkWidget *label;

  go_to_role_page (fixture, "harassment");
  advance (fixture->window);
  g_assert_true (HAVEN_IS_REMOVAL_CONTACT_PAGE (current_page (fixture)));
  wait_for_frame (fixture->window);

  entry = find_widget (current_page (fixture), has_name, "email");
  label = find_widget (current_page (fixture), is_drawable_label_with, "Email address (optional)");
  g_assert_nonnull (label);
  g_assert_true (gtk_label_get_mnemonic_widget (GTK_LABEL (label)) == entry);
  g_assert_nonnull (find_widget (current_page (fixture), is_drawable_label_with,
                                 "For example: name@example.org"));
  gtk_test_accessible_assert_relation (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                       label, NULL);
  g_assert_cmpint (gtk_entry_get_input_purpose (GTK_ENTRY (entry)), ==, GTK_INPUT_PURPOSE_EMAIL);
  g_assert_cmpuint (count_check_boxes (current_page (fixture)), ==, 0);
  g_assert_null (find_widget (GTK_WIDGET (fixture->window), has_name, "consent"));

  request = haven_session_get_removal_request (haven_window_get_session (fixture->window));
  gtk_editable_set_text (GTK_EDITABLE (entry), " visitor@example.org ");
  g_assert_cmpstr (haven_request_get_contact_email (request), ==, "visitor@example.org");
  g_assert_true (haven_request_get_consent_to_contact (request));
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  g_assert_null (haven_request_get_contact_email (request));
  g_assert_false (haven_request_get_consent_to_contact (request));

  /* Empty is a complete answer. */
  click (fixture->window, "removal-contact.continue");
  g_assert_true (HAVEN_IS_REVIEW_PAGE (current_page (fixture)));
}

/* Required and optional are said in words, not only by a colour or a
 * mark, and the required ones are marked for assistive technologies. */
static void
test_required_and_optional_in_words (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  GtkWidget *group;

  go_to_role_page (fixture, "impersonation");
  wait_for_frame (fixture->window);
  g_assert_nonnull (find_widget (current_page (fixture), is_drawable_label_with, "Choose one (required)"));
  group = gtk_widget_get_parent (find_widget (current_page (fixture), has_name, "self"));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (group), GTK_ACCESSIBLE_PROPERTY_REQUIRED, TRUE);

  advance (fixture->window);
  wait_for_frame (fixture->window);
  g_assert_nonnull (find_widget (current_page (fixture), is_drawable_label_with, "(optional)"));
  g_assert_null (find_widget (current_page (fixture), label_contains, "(required)"));

  advance_to (fixture->window, HAVEN_TYPE_REMOVAL_SEND_PAGE);
  wait_for_frame (fixture->window);
  g_assert_nonnull (find_widget (current_page (fixture), is_drawable_label_with,
                                 "Please confirm (required)"));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (find_widget (current_page (fixture), has_name, "confirm")),
                                       GTK_ACCESSIBLE_PROPERTY_REQUIRED, TRUE);
}

/* Continue without the one required answer: the summary at the top says
 * what to do, the choices say it too, and the focus goes to the first
 * choice. Answering takes the summary away. */
static void
test_missing_answer_summarised (Fixture       *fixture,
                                gconstpointer  user_data)
{
  GtkWidget *first_choice;

  go_to_role_page (fixture, "intimate-images");
  first_choice = find_widget (current_page (fixture), has_name, "self");
  click (fixture->window, "removal-role.continue");

  g_assert_true (HAVEN_IS_REMOVAL_ROLE_PAGE (current_page (fixture)));
  wait_for_frame (fixture->window);
  assert_summary_says (fixture, "There is 1 thing to correct below.\nChoose who this request is for");
  g_assert_nonnull (find_widget (current_page (fixture), is_shown_label_with, "Choose who this request is for"));
  g_assert_true (has_focus_in (fixture, first_choice));
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (gtk_widget_get_parent (first_choice)),
                                    GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE);

  /* The summary's line takes the visitor to the field too. */
  gtk_widget_grab_focus (find_widget (current_page (fixture), has_name, "authorised-representative"));
  g_signal_emit_by_name (find_widget (GTK_WIDGET (error_summary (fixture)), is_of_type,
                                      GSIZE_TO_POINTER (GTK_TYPE_BUTTON)), "clicked");
  g_assert_true (has_focus_in (fixture, first_choice));

  press_named (fixture->window, "parent-or-guardian");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error_summary (fixture))));
  click (fixture->window, "removal-role.continue");
  g_assert_true (HAVEN_IS_REMOVAL_CONTACT_PAGE (current_page (fixture)));

  /* An address that cannot be one: the same, on the email page. */
  gtk_editable_set_text (GTK_EDITABLE (find_widget (current_page (fixture), has_name, "email")), "visitor at home");
  click (fixture->window, "removal-contact.continue");
  g_assert_true (HAVEN_IS_REMOVAL_CONTACT_PAGE (current_page (fixture)));
  wait_for_frame (fixture->window);
  assert_summary_says (fixture, "There is 1 thing to correct below.\nEnter an email address like name@example.org");
  g_assert_true (has_focus_in (fixture, find_widget (current_page (fixture), has_name, "email")));

  /* Back keeps the answer. */
  click (fixture->window, "visit.back");
  g_assert_true (HAVEN_IS_REMOVAL_ROLE_PAGE (current_page (fixture)));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (
    find_widget (current_page (fixture), has_name, "parent-or-guardian"))));
}

/* A question whose answer is checked (a date) says what to do in the
 * same summary, and moves the focus to the field. */
static void
test_question_errors_summarised (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  GtkWidget *drop_downs[3];
  guint n = 0;

  start_visit (fixture->window, "en");
  advance_to (fixture->window, HAVEN_TYPE_CATEGORY_PAGE);
  choose_category (fixture->window, "fraud");
  while (find_widget (current_page (fixture), is_of_type, GSIZE_TO_POINTER (GTK_TYPE_DROP_DOWN)) == NULL)
    {
      g_assert_true (HAVEN_IS_QUESTION_PAGE (current_page (fixture)));
      advance (fixture->window);
    }

  for (GtkWidget *d = find_widget (current_page (fixture), is_of_type, GSIZE_TO_POINTER (GTK_TYPE_DROP_DOWN));
       d != NULL && n < 3; d = gtk_widget_get_next_sibling (d))
    drop_downs[n++] = d;
  g_assert_cmpuint (n, ==, 3);
  /* A day, and nothing else. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (drop_downs[0]), 3);
  click (fixture->window, "question.continue");

  g_assert_true (HAVEN_IS_QUESTION_PAGE (current_page (fixture)));
  wait_for_frame (fixture->window);
  assert_summary_says (fixture, "There is 1 thing to correct below.\n"
                                "Choose the day, the month and the year, or “I do not know the date”.");
  g_assert_true (has_focus_in (fixture, drop_downs[1]));
}

/* A file chooser, a picture or a video, or anything that takes a dropped
 * file: what a page about a child's images must never hold. */
static gboolean
takes_or_shows_files (GtkWidget     *widget,
                      gconstpointer  data)
{
  return GTK_IS_FILE_CHOOSER_WIDGET (widget) || GTK_IS_PICTURE (widget) || GTK_IS_VIDEO (widget) ||
         takes_files (widget, data);
}

/* For a child the page asks only for addresses: it says pictures are never
 * needed, and nothing on it can take a file, a drop or show a picture. */
static void
test_child_path_takes_addresses_only (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  go_to_category (fixture, "child-abuse-material");

  g_assert_true (HAVEN_IS_REMOVAL_ITEMS_PAGE (current_page (fixture)));
  g_assert_nonnull (find_widget (current_page (fixture), is_shown_label_with, "Where did you see it?"));
  g_assert_nonnull (find_widget (current_page (fixture), is_shown_label_with,
                                 "Only the address is needed. Do not save, copy or send the pictures, "
                                 "not even to us: this kiosk never asks for them and never shows them."));
  g_assert_null (find_widget (GTK_WIDGET (fixture->window), takes_or_shows_files, NULL));
}

int
main (int   argc,
      char *argv[])
{
  visit_driver_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/haven/removal/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("removable-category-asks-addresses", test_removable_category_asks_addresses);
  ADD ("other-categories-skip-it", test_other_categories_skip_it);
  ADD ("errors-beside-the-field", test_errors_beside_the_field);
  ADD ("back-keeps-addresses", test_back_keeps_addresses);
  ADD ("at-most-twenty-addresses", test_at_most_twenty_addresses);
  ADD ("child-path-takes-addresses-only", test_child_path_takes_addresses_only);
  ADD ("one-question-a-screen", test_one_question_a_screen);
  ADD ("email-labelled-with-example", test_email_labelled_with_example);
  ADD ("required-and-optional-in-words", test_required_and_optional_in_words);
  ADD ("missing-answer-summarised", test_missing_answer_summarised);
  ADD ("question-errors-summarised", test_question_errors_summarised);

#undef ADD

  return g_test_run ();
}
