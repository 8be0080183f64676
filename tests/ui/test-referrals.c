/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-referrals"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "haven-bidi.h"
#include "haven-directory-import.h"
#include "haven-guidance-page.h"
#include "haven-removal-items-page.h"
#include "haven-removal-send-page.h"
#include "haven-safety-page.h"
#include "haven-summary-page.h"
#include "haven-referrals-page.h"
#include "haven-service-detail.h"
#include "visit-driver.h"

/* The referrals page over a directory imported from the test fixture. */

static char *directory_path;
/* The demo directory Haven ships. */
static char *demo_path;

static GtkWidget *
current_page (Fixture *fixture)
{
  return haven_window_get_current_page (fixture->window);
}

static gboolean
is_shown_list_row (GtkWidget     *widget,
                   gconstpointer  data)
{
  return GTK_IS_LIST_BOX_ROW (widget) && gtk_widget_get_mapped (widget);
}

static gboolean
has_results (HavenWindow *window)
{
  return find_widget (haven_window_get_current_page (window), is_shown_list_row, NULL) != NULL;
}

static gboolean
is_status (GtkWidget     *widget,
           gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
         g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static gboolean
says_nothing_matches (HavenWindow *window)
{
  return find_widget (haven_window_get_current_page (window), is_status,
                      "No service matches. Try a shorter search or fewer filters.") != NULL;
}

/* Through a visit to the referrals page, in @category. */
static void
reach_referrals (Fixture    *fixture,
                 const char *category)
{
  g_settings_set_string (fixture->settings, "directory-file", directory_path);
  g_settings_set_string (fixture->settings, "region", "GB-LND");

  start_visit (fixture->window, "en");
  advance_to (fixture->window, HAVEN_TYPE_CATEGORY_PAGE);
  choose_category (fixture->window, category);
  advance_to (fixture->window, HAVEN_TYPE_REFERRALS_PAGE);
}

static void
reset_settings (Fixture *fixture)
{
  g_settings_reset (fixture->settings, "directory-file");
  g_settings_reset (fixture->settings, "region");
  g_settings_reset (fixture->settings, "time-zone");
}

static gboolean
row_says (GtkWidget  *row,
          const char *text)
{
  GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));

  for (GtkWidget *label = gtk_widget_get_first_child (box); label != NULL;
       label = gtk_widget_get_next_sibling (label))
    if (strstr (gtk_label_get_label (GTK_LABEL (label)), text) != NULL)
      return TRUE;

  return FALSE;
}

static const char *
row_title (GtkWidget *row)
{
  GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));

  return gtk_label_get_label (GTK_LABEL (gtk_widget_get_first_child (box)));
}

static void
test_lists_services_for_the_category (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  GtkWidget *first;

  reach_referrals (fixture, "fraud");
  g_assert_true (iterate_until (has_results, fixture->window, 10));

  /* Ranked by the directory: the local service for this kind of harm
   * first. */
  first = find_widget (current_page (fixture), is_shown_list_row, NULL);
  g_assert_cmpstr (row_title (first), ==, "\u2068Fraud Recovery Clinic\u2069");
  /* The search box has the focus, to type at once. */
  g_assert_true (GTK_IS_WIDGET (gtk_root_get_focus (GTK_ROOT (fixture->window))));

  reset_settings (fixture);
}

/* An intimate-images visit over the demo directory: the services made
 * for it come first, and a scam recovery group, made for other harm, is
 * not in the list at all. */
static void
test_services_fit_the_visit (Fixture       *fixture,
                             gconstpointer  user_data)
{
  GtkWidget *first;
  guint n_rows = 0;

  g_settings_set_string (fixture->settings, "directory-file", demo_path);
  g_settings_set_string (fixture->settings, "region", "GB-LND");
  start_visit (fixture->window, "en");
  advance_to (fixture->window, HAVEN_TYPE_CATEGORY_PAGE);
  choose_category (fixture->window, "intimate-images");
  advance_to (fixture->window, HAVEN_TYPE_REFERRALS_PAGE);
  g_assert_true (iterate_until (has_results, fixture->window, 10));

  first = find_widget (current_page (fixture), is_shown_list_row, NULL);
  g_assert_cmpstr (row_title (first), ==, "\u2068London Night Line for Online Abuse\u2069");
  for (GtkWidget *row = first; row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      g_assert_false (row_says (row, "Scam"));
      n_rows++;
    }
  g_assert_cmpuint (n_rows, >=, 5);

  reset_settings (fixture);
}

static gboolean
first_row_says_opens (HavenWindow *window)
{
  GtkWidget *first = find_widget (haven_window_get_current_page (window), is_shown_list_row, NULL);

  return first != NULL && row_says (first, "Opens Monday at 09:00");
}

static gboolean
is_hours_label (GtkWidget     *widget,
                gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL;
}

/* A service closed now says when it opens next, by a clock the test sets:
 * Saturday 5 December 2026, 20:00 in London. */
static void
test_closed_service_says_when_it_opens (Fixture       *fixture,
                                        gconstpointer  user_data)
{
  g_autoptr(GDateTime) saturday_evening = g_date_time_new_from_iso8601 ("2026-12-05T20:00:00Z", NULL);
  GtkWidget *first;

  g_settings_set_string (fixture->settings, "time-zone", "Europe/London");
  reach_referrals (fixture, "fraud");
  g_assert_true (iterate_until (has_results, fixture->window, 10));
  haven_referrals_page_set_time (HAVEN_REFERRALS_PAGE (current_page (fixture)), saturday_evening);
  g_assert_true (iterate_until (first_row_says_opens, fixture->window, 10));

  first = find_widget (current_page (fixture), is_shown_list_row, NULL);
  g_assert_cmpstr (row_title (first), ==, "\u2068Fraud Recovery Clinic\u2069");
  g_assert_true (row_says (first, "Near you · \u2068Opens Monday at 09:00\u2069 · Free"));

  /* Its page says it too, beside today's hours. */
  g_signal_emit_by_name (first, "activate");
  iterate ();
  g_assert_nonnull (find_widget (current_page (fixture), is_hours_label,
                                 "Closed today · \u2068Opens Monday at 09:00\u2069"));

  reset_settings (fixture);
}

static void
test_search_as_you_type (Fixture       *fixture,
                         gconstpointer  user_data)
{
  GtkWidget *search;

  reach_referrals (fixture, "fraud");
  g_assert_true (iterate_until (has_results, fixture->window, 10));

  search = find_widget (current_page (fixture), has_name, "search");
  gtk_editable_set_text (GTK_EDITABLE (search), "qqqqzzzz");
  g_assert_true (iterate_until (says_nothing_matches, fixture->window, 10));
  g_assert_false (has_results (fixture->window));

  gtk_editable_set_text (GTK_EDITABLE (search), "");
  g_assert_true (iterate_until (has_results, fixture->window, 10));

  reset_settings (fixture);
}

static char *
decode_qr (GdkTexture *texture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("haven-qr-XXXXXX", &error);
  g_autofree char *path = g_build_filename (folder, "code.png", NULL);
  g_autoptr(GSubprocess) zbar = NULL;
  g_autoptr(GBytes) output = NULL;

  g_assert_true (gdk_texture_save_to_png (texture, path));
  zbar = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           "zbarimg", "--quiet", "--raw", "-Sbinary", path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate (zbar, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  g_unlink (path);
  g_rmdir (folder);

  return g_strndup (g_bytes_get_data (output, NULL), g_bytes_get_size (output));
}

static gboolean
is_service_detail (GtkWidget     *widget,
                   gconstpointer  data)
{
  return HAVEN_IS_SERVICE_DETAIL (widget) && gtk_widget_get_mapped (widget);
}

/* A service's page carries a QR code of its contact card, which a phone
 * reads back exactly, and the visitor can keep it for the end. */
static void
test_service_page_and_qr_code (Fixture       *fixture,
                               gconstpointer  user_data)
{
  GtkWidget *row;
  GtkWidget *detail;
  HavenQrCode *qr_code;
  g_autofree char *decoded = NULL;
  g_auto(GStrv) kept = NULL;
  g_autofree char *isolated = NULL;

  reach_referrals (fixture, "fraud");
  g_assert_true (iterate_until (has_results, fixture->window, 10));
  row = find_widget (current_page (fixture), is_shown_list_row, NULL);
  g_signal_emit_by_name (row, "activate");
  iterate ();

  detail = find_widget (current_page (fixture), is_service_detail, NULL);
  g_assert_nonnull (detail);
  qr_code = haven_service_detail_get_qr_code (HAVEN_SERVICE_DETAIL (detail));
  decoded = decode_qr (haven_qr_code_get_texture (qr_code));
  g_assert_true (g_str_has_prefix (decoded, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Fraud Recovery Clinic\r\n"));
  g_assert_cmpstr (decoded, ==, haven_qr_code_get_text (qr_code));
  g_assert_true (g_str_has_suffix (decoded, "END:VCARD\r\n"));

  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (find_widget (detail, has_name, "keep")), TRUE);
  iterate ();
  kept = haven_session_dup_kept_services (haven_window_get_session (fixture->window));
  g_assert_cmpuint (g_strv_length (kept), ==, 1);
  g_assert_true (g_str_has_prefix (kept[0], "Fraud Recovery Clinic"));

  /* Back to the list, on to the end of the visit, which lists it. */
  g_signal_emit_by_name (find_widget (current_page (fixture), has_name, "back-to-list"), "clicked");
  iterate ();
  click (fixture->window, "visit.next");
  g_assert_true (HAVEN_IS_SUMMARY_PAGE (current_page (fixture)));
  isolated = haven_bidi_isolate (kept[0]);
  g_assert_nonnull (find_widget (current_page (fixture), is_status, isolated));

  reset_settings (fixture);
}

static void
test_missing_directory_points_to_staff (Fixture       *fixture,
                                        gconstpointer  user_data)
{
  g_autofree char *missing = g_strconcat (directory_path, ".missing", NULL);

  start_visit (fixture->window, "en");
  g_settings_set_string (fixture->settings, "directory-file", missing);
  advance_to (fixture->window, HAVEN_TYPE_CATEGORY_PAGE);
  choose_category (fixture->window, "account-takeover");
  advance_to (fixture->window, HAVEN_TYPE_REFERRALS_PAGE);

  g_assert_nonnull (find_widget (current_page (fixture), is_status,
                                 "The list of services is not available on this kiosk right now. "
                                 "Please ask the staff: they can help you find support."));
  g_assert_false (gtk_widget_get_sensitive (find_widget (current_page (fixture), has_name, "search")));

  reset_settings (fixture);
}

/* Labels checked that hold both Arabic and Latin letters. */
static guint n_mixed_labels;

/* Every Latin letter of an Arabic label, as Pango lays it out, is inside
 * a directional isolate (U+2066 or U+2068 … U+2069). */
static void
assert_latin_isolated (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    assert_latin_isolated (child);

  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    {
      const char *text = pango_layout_get_text (gtk_label_get_layout (GTK_LABEL (widget)));
      gboolean has_arabic = FALSE;
      gboolean has_latin = FALSE;
      int depth = 0;

      for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (g_unichar_get_script (c) == G_UNICODE_SCRIPT_ARABIC && g_unichar_isalpha (c))
            has_arabic = TRUE;
          if (g_unichar_get_script (c) == G_UNICODE_SCRIPT_LATIN)
            has_latin = TRUE;
        }
      if (!has_arabic || !has_latin)
        return;

      n_mixed_labels++;
      for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (c >= 0x2066 && c <= 0x2068)
            depth++;
          else if (c == 0x2069)
            depth--;
          else if (depth == 0 && g_unichar_get_script (c) == G_UNICODE_SCRIPT_LATIN)
            g_error ("Latin text outside an isolate in “%s”", text);
        }
    }
}

/* An Arabic visit about intimate images: the help numbers, the guidance,
 * the services found and the summary, with Latin names and web addresses
 * isolated wherever they stand in Arabic text. */
static void
test_arabic_keeps_latin_isolated (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  GtkWidget *page;
  gboolean seen_guidance = FALSE;
  gboolean seen_referrals = FALSE;

  g_settings_set_string (fixture->settings, "directory-file", directory_path);
  g_settings_set_string (fixture->settings, "region", "GB-LND");
  g_settings_set_strv (fixture->settings, "languages", (const char *[]) { "en", "ar", NULL });
  n_mixed_labels = 0;

  start_visit (fixture->window, "ar");
  g_assert_cmpint (gtk_widget_get_default_direction (), ==, GTK_TEXT_DIR_RTL);
  gtk_widget_activate_action (current_page (fixture), "safety.answer", "s", "someone");
  iterate ();
  assert_latin_isolated (current_page (fixture));
  click (fixture->window, "visit.next");
  advance_to (fixture->window, HAVEN_TYPE_CATEGORY_PAGE);
  choose_category (fixture->window, "intimate-images");

  for (guint steps = 0; steps < 40; steps++)
    {
      page = current_page (fixture);
      if (HAVEN_IS_REFERRALS_PAGE (page))
        {
          g_assert_true (iterate_until (has_results, fixture->window, 10));
          seen_referrals = TRUE;
        }
      seen_guidance |= HAVEN_IS_GUIDANCE_PAGE (page);
      assert_latin_isolated (page);
      if (HAVEN_IS_SUMMARY_PAGE (page))
        break;
      if (HAVEN_IS_REMOVAL_ITEMS_PAGE (page))
        {
          gtk_editable_set_text (GTK_EDITABLE (find_widget (page, is_of_type, GSIZE_TO_POINTER (GTK_TYPE_ENTRY))),
                                 "https://example.social/p/1");
          press_named (fixture->window, "continue");
        }
      else if (HAVEN_IS_REMOVAL_SEND_PAGE (page))
        press_named (fixture->window, "do-not-send");
      else
        advance (fixture->window);
    }

  g_assert_true (HAVEN_IS_SUMMARY_PAGE (current_page (fixture)));
  g_assert_true (seen_guidance);
  g_assert_true (seen_referrals);
  g_assert_cmpuint (n_mixed_labels, >, 3);
  g_test_message ("%u Arabic labels with Latin text, each isolated", n_mixed_labels);

  g_settings_reset (fixture->settings, "languages");
  reset_settings (fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenDirectoryImporter) importer = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *source = NULL;
  g_autoptr(HavenDirectoryImporter) demo_importer = NULL;
  g_autofree char *demo_source = NULL;
  int status;

  visit_driver_init (&argc, &argv);

  folder = g_dir_make_tmp ("haven-referrals-XXXXXX", &error);
  g_assert_no_error (error);
  directory_path = g_build_filename (folder, "directory.sqlite", NULL);
  source = g_test_build_filename (G_TEST_DIST, "data", "directory", "services.json", NULL);
  importer = haven_directory_importer_new (source, directory_path);
  haven_directory_importer_run (importer, NULL, &error);
  g_assert_no_error (error);

  demo_path = g_build_filename (folder, "demo.sqlite", NULL);
  demo_source = g_test_build_filename (G_TEST_DIST, "..", "data", "directory",
                                       "demo-directory.json", NULL);
  demo_importer = haven_directory_importer_new (demo_source, demo_path);
  haven_directory_importer_run (demo_importer, NULL, &error);
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add ("/haven/referrals/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("lists-services-for-the-category", test_lists_services_for_the_category);
  ADD ("search-as-you-type", test_search_as_you_type);
  ADD ("services-fit-the-visit", test_services_fit_the_visit);
  ADD ("closed-service-says-when-it-opens", test_closed_service_says_when_it_opens);
  ADD ("arabic-keeps-latin-isolated", test_arabic_keeps_latin_isolated);
  ADD ("service-page-and-qr-code", test_service_page_and_qr_code);
  ADD ("missing-directory-points-to-staff", test_missing_directory_points_to_staff);

#undef ADD

  status = g_test_run ();

  g_unlink (directory_path);
  g_unlink (demo_path);
  g_rmdir (folder);
  g_free (directory_path);
  g_free (demo_path);

  return status;
}
