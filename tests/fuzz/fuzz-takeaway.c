/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "haven-content.h"
#include "haven-question.h"
#include "haven-request.h"
#include "haven-session.h"
#include "haven-summary.h"
#include "haven-vcard.h"
#include "haven-wipe.h"

/* What a visitor takes away as QR codes: a service's contact card
 * (haven_vcard_build(), from directory text) and the summary of their
 * visit (haven_summary_build() and haven_summary_to_text() cut short for
 * the code, from their answers), with the report made of the same answers.
 *
 * The input is fields separated by NUL bytes: the category, the story,
 * one answer for each question of the shipped content in its order, the
 * removal request's reference, the report's reference and two kept
 * services. The first seven fields are also a service's card: name,
 * organisation, phones (one a line), email, web address, address, note. */

/* As the summary page cuts it for its QR code (haven-summary-page.c). */
#define TAKE_AWAY_MAX_BYTES 900

static HavenContent *content;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;

  fuzz_init ();
  content = haven_content_new_from_dir (FUZZ_SOURCE_ROOT "/data/content", NULL, &error);
  g_assert_no_error (error);

  return 0;
}

static const char *
field (GStrv  fields,
       guint  index)
{
  return index < g_strv_length (fields) ? fields[index] : NULL;
}

static void
check_vcard (GStrv fields)
{
  g_auto(GStrv) phones = g_strsplit (field (fields, 2) != NULL ? field (fields, 2) : "", "\n", -1);
  HavenVCardContact contact = {
    .name = field (fields, 0),
    .organization = field (fields, 1),
    .phones = (const char * const *) phones,
    .email = field (fields, 3),
    .url = field (fields, 4),
    .address = field (fields, 5),
    .note = field (fields, 6),
  };
  g_autofree char *card = NULL;

  if (contact.name == NULL || contact.name[0] == '\0')
    return;

  card = haven_vcard_build (&contact);
  g_assert_true (g_utf8_validate (card, -1, NULL));
  g_assert_true (g_str_has_prefix (card, "BEGIN:VCARD\r\nVERSION:3.0\r\n"));
  g_assert_true (g_str_has_suffix (card, "\r\nEND:VCARD\r\n"));
  /* Nothing from the directory may start a property of its own: the
   * only line breaks are the card's CRLFs. */
  for (const char *c = card; *c != '\0'; c++)
    {
      if (*c == '\r')
        g_assert_true (c[1] == '\n');
      if (*c == '\n')
        g_assert_true (c > card && c[-1] == '\r');
    }
}

static void
check_summary (GStrv fields)
{
  g_autoptr(HavenSession) session = haven_session_new ("en");
  GListModel *questions = haven_content_get_questions (content);
  guint n_questions = g_list_model_get_n_items (questions);
  guint next = 2;
  g_autoptr(GPtrArray) sections = NULL;
  g_autoptr(HavenRequest) report = NULL;
  char *text;
  gsize length = 0;
  const char *kept;

  haven_session_set_category (session, content, field (fields, 0));
  haven_session_set_answer (session, HAVEN_QUESTION_STORY, field (fields, 1));
  for (guint i = 0; i < n_questions; i++)
    {
      g_autoptr(HavenQuestion) question = g_list_model_get_item (questions, i);

      haven_session_set_answer (session, haven_question_get_id (question), field (fields, next++));
    }
  if (field (fields, next) != NULL && field (fields, next)[0] != '\0')
    {
      haven_request_add_item (haven_session_get_removal_request (session),
                              "https://example.com/post/1", NULL, NULL);
      haven_session_set_submission (session, HAVEN_SUBMISSION_SENT, field (fields, next),
                                    NULL, NULL);
    }
  next++;
  if (field (fields, next) != NULL && field (fields, next)[0] != '\0')
    haven_session_set_report (session, HAVEN_SUBMISSION_SENT, field (fields, next));
  next++;
  for (guint i = 0; i < 2; i++, next++)
    {
      kept = field (fields, next);
      if (kept != NULL && kept[0] != '\0')
        haven_session_keep_service (session, i == 0 ? "service-a" : "service-b", kept);
    }

  sections = haven_summary_build (session, content, "GB");

  text = haven_summary_to_text (sections, TAKE_AWAY_MAX_BYTES);
  g_assert_cmpuint (strlen (text), <=, TAKE_AWAY_MAX_BYTES);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  haven_wipe_string (text);

  text = haven_summary_to_text (sections, 0);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  haven_wipe_string (text);

  report = haven_summary_build_report (session, content);
  haven_request_validate_draft (report, NULL);
  text = haven_request_to_json (report, &length);
  g_assert_true (g_utf8_validate (text, length, NULL));
  haven_wipe_string (text);
  haven_request_wipe (report);

  haven_session_wipe (session);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_auto(GStrv) fields = fuzz_split (data, size, '\0', 64);

  /* Directory text and what GTK gives the kiosk are UTF-8. */
  for (guint i = 0; fields[i] != NULL; i++)
    {
      char *valid = g_utf8_make_valid (fields[i], -1);

      g_free (fields[i]);
      fields[i] = valid;
    }

  check_vcard (fields);
  check_summary (fields);

  return 0;
}
