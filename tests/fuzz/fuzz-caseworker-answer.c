/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "haven-case-info.h"
#include "haven-json.h"
#include "haven-kiosk-info.h"
#include "haven-notice-report.h"

/* The caseworker API's answers as the desk reads them: a list of cases
 * (GET /v1/cases), one case with its events (GET /v1/cases/REF), the
 * fleet (GET /v1/kiosks) and the notice report (GET /v1/reports/notices).
 * Each is either refused with an error or read into values a page can
 * show. The input's first byte picks the answer; the rest is its body. */

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
assert_shown_text (const char *text)
{
  if (text != NULL)
    g_assert_true (g_utf8_validate (text, -1, NULL) && strlen (text) <= 1024);
}

static void
read_case (JsonNode *node)
{
  g_autoptr(HavenCaseInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *events;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;

  info = haven_case_info_new_from_json (json_node_get_object (node), &error);
  if (info == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
      return;
    }

  g_assert_no_error (error);
  assert_shown_text (haven_case_info_get_reference (info));
  assert_shown_text (haven_case_info_get_category (info));
  assert_shown_text (haven_case_info_get_locale (info));
  assert_shown_text (haven_case_info_get_kiosk_id (info));
  g_assert_nonnull (haven_case_info_get_received_at (info));
  g_assert_nonnull (haven_case_state_get_label (haven_case_info_get_state (info)));
  events = haven_case_info_get_events (info);
  for (guint i = 0; i < events->len; i++)
    {
      HavenCaseEvent *event = g_ptr_array_index (events, i);

      g_assert_nonnull (event->at);
      if (event->type == HAVEN_CASE_EVENT_ITEM_OUTCOME)
        g_assert_nonnull (haven_case_outcome_get_label (event->outcome));
      if (haven_case_event_get_hosting_provider (event) != NULL)
        g_assert_true (haven_notice_report_is_hosting_provider (
                         haven_case_event_get_hosting_provider (event)));
      (void) haven_case_info_get_item_outcome (info, event->item);
      (void) haven_case_info_get_item_hosting_provider (info, event->item);
    }
}

static void
read_kiosk (JsonNode *node)
{
  g_autoptr(HavenKioskInfo) kiosk = NULL;
  g_autoptr(GError) error = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;

  kiosk = haven_kiosk_info_new_from_json (json_node_get_object (node), &error);
  if (kiosk == NULL)
    {
      g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
      return;
    }
  assert_shown_text (haven_kiosk_info_get_kiosk_id (kiosk));
  assert_shown_text (haven_kiosk_info_get_version (kiosk));
  g_assert_nonnull (haven_kiosk_info_get_received_at (kiosk));
}

/* A report the reader takes is one the model writes again the same, and
 * whose figures add up. */
static void
read_notice_report (const char *data,
                    gsize       length)
{
  g_autoptr(HavenNoticeReport) report = NULL;
  g_autoptr(HavenNoticeReport) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) csv = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;
  guint64 addresses = 0;

  report = haven_notice_report_new_from_json (data, length, &error);
  if (report == NULL)
    {
      g_assert_true (error != NULL && error->domain == HAVEN_NOTICE_REPORT_ERROR);
      return;
    }

  for (guint i = 0; i < haven_notice_report_get_n_rows (report); i++)
    {
      const HavenNoticeReportRow *row = haven_notice_report_get_row (report, i);

      g_assert_true (row->notices >= 1 && row->notices <= row->addresses);
      addresses += row->addresses;
    }
  g_assert_cmpuint (addresses, ==, haven_notice_report_get_addresses (report));

  json = haven_notice_report_to_json (report);
  again = haven_notice_report_new_from_json (json, strlen (json), &error);
  g_assert_no_error (error);
  json_again = haven_notice_report_to_json (again);
  g_assert_cmpstr (json, ==, json_again);
  csv = haven_notice_report_to_csv (report);
  g_assert_nonnull (csv);
}

static void
read_list (JsonNode   *root,
           const char *member,
           void      (*read_one) (JsonNode *node))
{
  JsonNode *list;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return;
  list = json_object_get_member (json_node_get_object (root), member);
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    read_one (json_array_get_element (json_node_get_array (list), i));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;

  if (size < 1)
    return 0;

  if (data[0] % 4 == 3)
    {
      read_notice_report ((const char *) data + 1, size - 1);
      return 0;
    }

  parser = json_parser_new_immutable ();
  if (!haven_json_load (parser, (const char *) data + 1, (gssize) size - 1, NULL))
    return 0;
  root = json_parser_get_root (parser);

  switch (data[0] % 4)
    {
    case 0:
      read_list (root, "cases", read_case);
      break;
    case 1:
      read_case (root);
      break;
    default:
      read_list (root, "kiosks", read_kiosk);
      break;
    }

  return 0;
}
