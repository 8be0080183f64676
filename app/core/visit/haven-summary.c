/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-summary"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "haven-answer.h"
#include "haven-bidi.h"
#include "haven-summary.h"
#include "haven-wipe.h"

/* What the visitor takes away at the end of a visit: what happened, when,
 * what was lost, what they hold, the services they kept and the references
 * of what they sent. The same sections are shown on the summary page,
 * printed, and cut short for the QR code; a report to the organisation is
 * made from the same answers. Everything here holds what the visitor
 * entered: callers wipe it (haven_summary_section_free does). */

/* Questions with a section of their own; the rest are listed together. */
#define QUESTION_STARTED_ON "started-on"
#define QUESTION_LOST_MONEY "lost-money"
#define QUESTION_WHAT_YOU_HOLD "what-you-hold"

void
haven_summary_section_free (HavenSummarySection *section)
{
  if (section == NULL)
    return;

  haven_wipe_string (section->heading);
  haven_wipe_string (section->text);
  g_free (section);
}

static void
add_section (GPtrArray  *sections,
             const char *heading,
             char       *text)
{
  HavenSummarySection *section;

  if (text == NULL || text[0] == '\0')
    {
      haven_wipe_string (text);
      return;
    }

  section = g_new0 (HavenSummarySection, 1);
  section->heading = g_strdup (heading);
  section->text = text;
  g_ptr_array_add (sections, section);
}

/* The answer is isolated (U+2068 … U+2069): an address, a date or a name in
 * Latin letters keeps its place in a right-to-left sentence. */
static char *
format_answer (HavenSession *session,
               HavenContent *content,
               const char   *question_id)
{
  HavenQuestion *question = haven_content_lookup_question (content, question_id);
  const char *answer = haven_session_get_answer (session, question_id);
  g_autofree char *formatted = NULL;
  char *isolated;

  if (question == NULL || answer == NULL)
    return NULL;

  formatted = haven_answer_format (question, answer);
  isolated = haven_bidi_isolate (formatted);
  haven_wipe_string (g_steal_pointer (&formatted));

  return isolated;
}

/* The answers without a section of their own, as "Question: answer". */
static char *
format_other_answers (HavenSession *session,
                      HavenContent *content,
                      const char   *category)
{
  GListModel *questions = haven_content_get_questions_for (content, category);
  GString *text = g_string_new (NULL);

  for (guint i = 0; questions != NULL && i < g_list_model_get_n_items (questions); i++)
    {
      g_autoptr(HavenQuestion) question = g_list_model_get_item (questions, i);
      const char *id = haven_question_get_id (question);
      g_autofree char *answer = NULL;

      if (g_str_equal (id, QUESTION_STARTED_ON) || g_str_equal (id, QUESTION_LOST_MONEY) ||
          g_str_equal (id, QUESTION_WHAT_YOU_HOLD))
        continue;

      answer = format_answer (session, content, id);
      if (answer == NULL)
        continue;

      if (text->len > 0)
        g_string_append_c (text, '\n');

      /* Translators: a question and the visitor's answer, in the summary. */
      g_string_append_printf (text, _("%s %s"),
                              g_dgettext (GETTEXT_PACKAGE, haven_question_get_title (question)),
                              answer);
      haven_wipe_string (g_steal_pointer (&answer));
    }

  return g_string_free (text, FALSE);
}

/* References and web addresses read left to right in every language. */
static char *
format_reference (const char *reference)
{
  g_autofree char *isolated = haven_bidi_isolate_ltr (reference);

  /* Translators: %s is a reference such as HV-7K2M-9Q4P. */
  return g_strdup_printf (_("Reference: %s"), isolated);
}

static char *
format_removal (HavenSession *session)
{
  HavenRequest *request = haven_session_get_removal_request (session);
  const char *reference = haven_session_get_submission_reference (session);
  g_autofree char *first_line = NULL;
  GString *text;

  if (reference == NULL)
    return NULL;

  first_line = format_reference (reference);
  text = g_string_new (first_line);
  for (guint i = 0; i < haven_request_get_n_items (request); i++)
    {
      g_autofree char *url = haven_bidi_isolate_ltr (haven_request_get_item_url (request, i));

      g_string_append_printf (text, "\n%s", url);
      haven_wipe_string (g_steal_pointer (&url));
    }

  return g_string_free (text, FALSE);
}

/* The services kept, one to a line; a service's name and number in Latin
 * letters keep their order in a right-to-left summary. */
static char *
format_kept_services (HavenSession *session)
{
  g_auto(GStrv) kept = haven_session_dup_kept_services (session);
  GString *text = g_string_new (NULL);

  for (gsize i = 0; kept != NULL && kept[i] != NULL; i++)
    {
      g_autofree char *isolated = haven_bidi_isolate (kept[i]);

      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, isolated);
    }

  return g_string_free (text, FALSE);
}

/**
 * haven_summary_build:
 *
 * Returns: (transfer full) (element-type HavenSummarySection): the
 *   sections of the visit's summary, in the current language; sections
 *   with nothing to say are left out
 */
GPtrArray *
haven_summary_build (HavenSession *session,
                     HavenContent *content)
{
  GPtrArray *sections = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_summary_section_free);
  const char *category_id;
  HavenCategory *category = NULL;
  g_autofree char *story = NULL;
  const char *report_reference;

  g_return_val_if_fail (HAVEN_IS_SESSION (session), sections);
  g_return_val_if_fail (HAVEN_IS_CONTENT (content), sections);

  category_id = haven_session_get_category (session);
  if (category_id != NULL)
    category = haven_content_lookup_category (content, category_id);

  if (category != NULL)
    {
      story = haven_bidi_isolate (haven_session_get_answer (session, HAVEN_QUESTION_STORY));
      add_section (sections, _("What happened"),
                   story != NULL
                   ? g_strdup_printf ("%s\n%s", g_dgettext (GETTEXT_PACKAGE, haven_category_get_title (category)), story)
                   : g_strdup (g_dgettext (GETTEXT_PACKAGE, haven_category_get_title (category))));
      haven_wipe_string (g_steal_pointer (&story));
      add_section (sections, _("When it started"), format_answer (session, content, QUESTION_STARTED_ON));
      add_section (sections, _("Money lost"), format_answer (session, content, QUESTION_LOST_MONEY));
      add_section (sections, _("Your other answers"), format_other_answers (session, content, category_id));
      add_section (sections, _("What you still have"), format_answer (session, content, QUESTION_WHAT_YOU_HOLD));
    }

  add_section (sections, _("Your request to take content down"), format_removal (session));

  report_reference = haven_session_get_report_reference (session);
  if (report_reference != NULL)
    add_section (sections, _("Your report"), format_reference (report_reference));

  add_section (sections, _("Services you chose"), format_kept_services (session));

  return sections;
}

/**
 * haven_summary_to_text:
 * @max_bytes: the most the text may take, 0 for no limit
 *
 * Returns: the sections as plain text, headings on lines of their own; cut
 *   at a character boundary, ending in "…", when longer than @max_bytes
 */
char *
haven_summary_to_text (GPtrArray *sections,
                       gsize      max_bytes)
{
  GString *text = g_string_new (NULL);
  static const char ellipsis[] = "…";

  for (guint i = 0; i < sections->len; i++)
    {
      HavenSummarySection *section = g_ptr_array_index (sections, i);

      if (text->len > 0)
        g_string_append (text, "\n\n");
      g_string_append_printf (text, "%s\n%s", section->heading, section->text);
    }

  if (max_bytes > 0 && text->len > max_bytes)
    {
      const char *end;

      g_assert (max_bytes > sizeof ellipsis);
      end = g_utf8_find_prev_char (text->str, text->str + max_bytes - sizeof ellipsis + 2);
      explicit_bzero (text->str + (end - text->str), text->len - (gsize) (end - text->str));
      g_string_truncate (text, (gsize) (end - text->str));
      g_string_append (text, ellipsis);
    }

  return g_string_free (text, FALSE);
}

static void
add_evidence (HavenRequest *report,
              const char   *held)
{
  g_auto(GStrv) lines = NULL;

  if (held == NULL)
    return;

  lines = g_strsplit (held, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0')
        haven_request_add_evidence (report, lines[i]);
      haven_wipe_string (g_steal_pointer (&lines[i]));
    }
}

/**
 * haven_summary_build_report:
 *
 * Makes the report the visitor may send to the organisation (haven-api-v1.md
 * `/v1/reports`) from their answers: the date it started, the story as
 * its summary, the money lost, what they hold as evidence, and every
 * other answer by question id. The safety answer is never part of it.
 *
 * Returns: (transfer full): a draft report; the caller confirms and
 *   wipes it
 */
HavenRequest *
haven_summary_build_report (HavenSession *session,
                            HavenContent *content)
{
  HavenRequest *report = haven_request_new (HAVEN_REQUEST_KIND_REPORT);
  const char *category = haven_session_get_category (session);
  const char *started_on = haven_session_get_answer (session, QUESTION_STARTED_ON);
  g_autofree char *amount = NULL;
  g_autofree char *currency = NULL;
  int year, month, day;

  haven_request_set_category (report, category);
  haven_request_set_reporter_role (report, "self");

  if (haven_answer_split_date (started_on, &year, &month, &day))
    haven_request_set_started_on (report, started_on);
  haven_request_set_summary (report, haven_session_get_answer (session, HAVEN_QUESTION_STORY));
  if (haven_answer_split_money (haven_session_get_answer (session, QUESTION_LOST_MONEY), &amount, &currency))
    haven_request_set_losses (report, amount, currency);
  haven_wipe_string (g_steal_pointer (&amount));
  add_evidence (report, haven_session_get_answer (session, QUESTION_WHAT_YOU_HOLD));

  if (category != NULL)
    {
      GListModel *questions = haven_content_get_questions_for (content, category);

      for (guint i = 0; questions != NULL && i < g_list_model_get_n_items (questions); i++)
        {
          g_autoptr(HavenQuestion) question = g_list_model_get_item (questions, i);
          const char *id = haven_question_get_id (question);

          if (g_str_equal (id, QUESTION_STARTED_ON) || g_str_equal (id, QUESTION_LOST_MONEY) ||
              g_str_equal (id, QUESTION_WHAT_YOU_HOLD))
            continue;
          haven_request_set_answer (report, id, haven_session_get_answer (session, id));
        }
    }

  return report;
}
