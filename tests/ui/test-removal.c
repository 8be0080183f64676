/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-removal"

#include "config.h"

#include <string.h>

#include "haven-removal-item-row.h"
#include "haven-removal-items-page.h"
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

static void
test_errors_beside_the_field (Fixture       *fixture,
                              gconstpointer  user_data)
{
  HavenRequest *request;
  GtkWidget *row;
  GtkWidget *focus;

  go_to_category (fixture, "harassment");
  row = nth_row (fixture, 0);
  gtk_editable_set_text (row_entry (row, 0), "example.social/p/123");
  press_named (fixture->window, "continue");

  /* Still here, with what to do beside the field and a summary above, and
   * the focus on the field to correct. */
  g_assert_true (HAVEN_IS_REMOVAL_ITEMS_PAGE (current_page (fixture)));
  g_assert_nonnull (find_widget (row, is_shown_label_with,
                                 "Enter the web address, starting with https://"));
  g_assert_nonnull (find_widget (current_page (fixture), is_shown_label_with,
                                 "There is 1 thing to correct below."));
  focus = gtk_root_get_focus (GTK_ROOT (fixture->window));
  g_assert_true (focus == GTK_WIDGET (row_entry (row, 0)) ||
                 gtk_widget_is_ancestor (focus, GTK_WIDGET (row_entry (row, 0))));

  gtk_editable_set_text (row_entry (row, 0), "https://www.example.social/p/123");
  gtk_editable_set_text (row_entry (row, 1), "a post about me");
  press_named (fixture->window, "continue");

  /* What will be sent is shown first. */
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
  g_assert_true (HAVEN_IS_REVIEW_PAGE (current_page (fixture)));

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

#undef ADD

  return g_test_run ();
}
