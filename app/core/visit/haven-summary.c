/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-summary"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "haven-answer.h"
#include "haven-bidi.h"
#include "haven-summary.h"
#include "haven-wipe.h"

/* What the visitor takes away at the end of a visit: what happens next
 * (the reference of what they sent and what it is for, or that nothing
 * was sent), where to get help, what happened, when, what was lost, what
 * they hold and the services they kept. The same sections are shown on the
 * summary page, printed, and cut short for the QR code, most needed first
 * so that a cut keeps them; a report to the organisation is made from the
 * same answers. Everything here holds what the visitor entered: callers
 * wipe it (haven_summary_section_free does). */

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
             const char *id,
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
  section->id = id;
  section->heading = g_strdup (heading);
  section->text = text;
  g_ptr_array_add (sections, section);
}

/* The answer is isolated (U+2068 … U+2069): an address, a date or a name in
 * Latin letters keeps its place in a right-to-left sentence. */
static char *
format_answer (HavenSession *session,
               HavenContent *content,
               const char   *question_id,
               const char   *region)
{
  HavenQuestion *question = haven_content_lookup_question (content, question_id);
  const char *answer = haven_session_get_answer (session, question_id);
  g_autofree char *formatted = NULL;
  char *isolated;

  if (question == NULL || answer == NULL)
    return NULL;

  formatted = haven_answer_format (question, answer, region);
  isolated = haven_bidi_isolate (formatted);
  haven_wipe_string (g_steal_pointer (&formatted));

  return isolated;
}

/* The answers without a section of their own, as "Question: answer". */
static char *
format_other_answers (HavenSession *session,
                      HavenContent *content,
                      const char   *category,
                      const char   *region)
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

      answer = format_answer (session, content, id, region);
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

/* Whether something was kept to be sent, so that it has a reference. */
static gboolean
has_reference (HavenSubmissionState  state,
               const char           *reference)
{
  return reference != NULL &&
         (state == HAVEN_SUBMISSION_SENT || state == HAVEN_SUBMISSION_SENDING ||
          state == HAVEN_SUBMISSION_QUEUED || state == HAVEN_SUBMISSION_REJECTED);
}

/* What became of the removal request, what its reference is for and
 * what happens next; NULL when none was kept. References read left to
 * right in every language. */
static char *
describe_removal (HavenSession *session)
{
  HavenSubmissionState state = haven_session_get_submission_state (session);
  const char *reference = haven_session_get_submission_reference (session);
  g_autofree char *isolated = NULL;

  if (!has_reference (state, reference))
    return NULL;

  isolated = haven_bidi_isolate_ltr (reference);
  switch (state)
    {
    case HAVEN_SUBMISSION_SENT:
      /* Translators: %s is a reference such as HV-7K2M-9Q4P. */
      return g_strdup_printf (_("Your request to take content down was sent. Your reference is %s: "
                                "give it to the team if you contact them. They will ask the "
                                "websites to take the content down. This can take a few days, "
                                "and it is not always possible."), isolated);

    case HAVEN_SUBMISSION_REJECTED:
      /* Translators: %s is a reference such as K-0F8C-7E0A. */
      return g_strdup_printf (_("Your request to take content down could not be sent as it is. "
                                "It is kept for the staff here, who will look at it. Your "
                                "reference is %s: give it to them if you ask about it."), isolated);

    case HAVEN_SUBMISSION_SENDING:
    case HAVEN_SUBMISSION_QUEUED:
    case HAVEN_SUBMISSION_NONE:
    case HAVEN_SUBMISSION_INVALID:
    case HAVEN_SUBMISSION_NOT_SAVED:
    case HAVEN_SUBMISSION_NOT_SEALED:
    default:
      /* Translators: %s is a reference such as K-0F8C-7E0A. */
      return g_strdup_printf (_("Your request to take content down is saved on this kiosk and "
                                "will be sent when the connection is back. You do not need to do "
                                "anything. Your reference is %s: give it to the team if you "
                                "contact them."), isolated);
    }
}

static char *
describe_report (HavenSession *session)
{
  HavenSubmissionState state = haven_session_get_report_state (session);
  const char *reference = haven_session_get_report_reference (session);
  g_autofree char *isolated = NULL;

  if (!has_reference (state, reference))
    return NULL;

  isolated = haven_bidi_isolate_ltr (reference);
  switch (state)
    {
    case HAVEN_SUBMISSION_SENT:
      /* Translators: %s is a reference such as HV-7K2M-9Q4P. */
      return g_strdup_printf (_("Your report was sent. Its reference is %s: give it to the team "
                                "if you contact them. They will read it. They cannot look into "
                                "every report, but each one helps."), isolated);

    case HAVEN_SUBMISSION_REJECTED:
      /* Translators: %s is a reference such as K-0F8C-7E0A. */
      return g_strdup_printf (_("Your report could not be sent as it is. It is kept for the staff "
                                "here, who will look at it. Its reference is %s: give it to them "
                                "if you ask about it."), isolated);

    case HAVEN_SUBMISSION_SENDING:
    case HAVEN_SUBMISSION_QUEUED:
    case HAVEN_SUBMISSION_NONE:
    case HAVEN_SUBMISSION_INVALID:
    case HAVEN_SUBMISSION_NOT_SAVED:
    case HAVEN_SUBMISSION_NOT_SEALED:
    default:
      /* Translators: %s is a reference such as K-0F8C-7E0A. */
      return g_strdup_printf (_("Your report is saved on this kiosk and will be sent when the "
                                "connection is back. You do not need to do anything. Its "
                                "reference is %s: give it to the team if you contact them."),
                              isolated);
    }
}

/* Every visit ends knowing what became of what they said: the reference
 * of each thing sent and what it is for, or that nothing was sent. */
static char *
describe_next (HavenSession *session)
{
  g_autofree char *removal = describe_removal (session);
  g_autofree char *report = describe_report (session);

  if (removal == NULL && report == NULL)
    return g_strdup (_("Nothing was sent. Nothing you told us has been kept. If you want to "
                       "report it later, print this summary or take it on your phone, and "
                       "show it to the police or to a service below."));

  if (removal != NULL && report != NULL)
    return g_strdup_printf ("%s\n\n%s", removal, report);

  return g_strdup (removal != NULL ? removal : report);
}

/* The addresses the visitor asked to be taken down, once the request
 * was kept; the reference is in what happens next. */
static char *
format_removal (HavenSession *session)
{
  HavenRequest *request = haven_session_get_removal_request (session);
  GString *text;

  if (!has_reference (haven_session_get_submission_state (session),
                      haven_session_get_submission_reference (session)))
    return NULL;

  text = g_string_new (NULL);
  for (guint i = 0; i < haven_request_get_n_items (request); i++)
    {
      g_autofree char *url = haven_bidi_isolate_ltr (haven_request_get_item_url (request, i));

      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, url);
      haven_wipe_string (g_steal_pointer (&url));
    }

  return g_string_free (text, FALSE);
}

static gboolean
region_has_kind (HavenEmergencyRegion *region,
                 const char           *kind)
{
  for (guint i = 0; i < haven_emergency_region_get_n_numbers (region); i++)
    {
      if (g_str_equal (haven_emergency_region_get_number_kind (region, i), kind))
        return TRUE;
    }
  for (guint i = 0; i < haven_emergency_region_get_n_links (region); i++)
    {
      if (g_str_equal (haven_emergency_region_get_link_kind (region, i), kind))
        return TRUE;
    }

  return FALSE;
}

/**
 * haven_summary_get_support_kind:
 * @region: the kiosk's emergency numbers
 *
 * The one support line the end of a visit shows beside the emergency
 * number: a crisis line for a visitor who said they might harm
 * themselves, otherwise the region's helpline for victims of crime, or a
 * crisis line where it has none.
 *
 * Returns: (nullable): a number or link kind of @region
 */
const char *
haven_summary_get_support_kind (HavenSession         *session,
                                HavenEmergencyRegion *region)
{
  const char *safety;
  const char *order[] = { "victim-support", "crisis" };

  g_return_val_if_fail (HAVEN_IS_SESSION (session), NULL);
  g_return_val_if_fail (HAVEN_IS_EMERGENCY_REGION (region), NULL);

  safety = haven_session_get_answer (session, HAVEN_QUESTION_SAFETY);
  if (g_strcmp0 (safety, HAVEN_SAFETY_SELF) == 0)
    {
      order[0] = "crisis";
      order[1] = "victim-support";
    }

  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    {
      if (region_has_kind (region, order[i]))
        return order[i];
    }

  return NULL;
}

/* Appends the first number (or else link) of @kind as "999 — what it
 * is for". */
static void
append_help_line (GString              *text,
                  HavenEmergencyRegion *region,
                  const char           *kind)
{
  const char *value = NULL;
  const char *name = NULL;
  const char *label = NULL;
  g_autofree char *isolated = NULL;
  g_autofree char *described = NULL;

  for (guint i = 0; value == NULL && i < haven_emergency_region_get_n_numbers (region); i++)
    {
      if (g_str_equal (haven_emergency_region_get_number_kind (region, i), kind))
        {
          value = haven_emergency_region_get_number_value (region, i);
          label = haven_emergency_region_get_number_label (region, i);
        }
    }
  for (guint i = 0; value == NULL && i < haven_emergency_region_get_n_links (region); i++)
    {
      if (g_str_equal (haven_emergency_region_get_link_kind (region, i), kind))
        {
          value = haven_emergency_region_get_link_url (region, i);
          name = haven_emergency_region_get_link_name (region, i);
          label = haven_emergency_region_get_link_label (region, i);
        }
    }
  if (value == NULL)
    return;

  isolated = haven_bidi_isolate_ltr (value);
  if (name != NULL)
    {
      g_autofree char *isolated_name = haven_bidi_isolate (name);
      g_autofree char *address = g_steal_pointer (&isolated);

      isolated = g_strdup_printf ("%s %s", isolated_name, address);
    }
  /* A name in Latin letters keeps its place in a right-to-left label. */
  described = haven_bidi_isolate_runs (g_dgettext (GETTEXT_PACKAGE, label));
  if (text->len > 0)
    g_string_append_c (text, '\n');
  /* Translators: a help line on the summary: its number or web address,
   * then what it is for, as in "999 — Police, ambulance or fire". */
  g_string_append_printf (text, C_("help line", "%s — %s"), isolated, described);
}

/* The emergency number and one support line, for the printed summary
 * and the QR code. */
static char *
format_help_lines (HavenSession *session,
                   HavenContent *content,
                   const char   *region_code)
{
  HavenEmergencyRegion *region = haven_content_lookup_region (content, region_code);
  const char *support;
  GString *text = g_string_new (NULL);

  if (region == NULL)
    return g_string_free (text, FALSE);

  append_help_line (text, region, "emergency");
  support = haven_summary_get_support_kind (session, region);
  if (support != NULL)
    append_help_line (text, region, support);

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
 * @region: (nullable): the kiosk's region, for its help lines and the
 *   signs of currencies
 *
 * Returns: (transfer full) (element-type HavenSummarySection): the
 *   sections of the visit's summary, in the current language; what
 *   happens next always, the other sections when they have something to
 *   say
 */
GPtrArray *
haven_summary_build (HavenSession *session,
                     HavenContent *content,
                     const char   *region)
{
  GPtrArray *sections = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_summary_section_free);
  const char *category_id;
  HavenCategory *category = NULL;
  g_autofree char *story = NULL;

  g_return_val_if_fail (HAVEN_IS_SESSION (session), sections);
  g_return_val_if_fail (HAVEN_IS_CONTENT (content), sections);

  add_section (sections, HAVEN_SUMMARY_NEXT, _("What happens next"), describe_next (session));
  add_section (sections, HAVEN_SUMMARY_HELP, _("If you need help"),
               format_help_lines (session, content, region));

  category_id = haven_session_get_category (session);
  if (category_id != NULL)
    category = haven_content_lookup_category (content, category_id);

  if (category != NULL)
    {
      story = haven_bidi_isolate (haven_session_get_answer (session, HAVEN_QUESTION_STORY));
      add_section (sections, "what-happened", _("What happened"),
                   story != NULL
                   ? g_strdup_printf ("%s\n%s", g_dgettext (GETTEXT_PACKAGE, haven_category_get_title (category)), story)
                   : g_strdup (g_dgettext (GETTEXT_PACKAGE, haven_category_get_title (category))));
      haven_wipe_string (g_steal_pointer (&story));
      add_section (sections, "started-on", _("When it started"),
                   format_answer (session, content, QUESTION_STARTED_ON, region));
      add_section (sections, "lost-money", _("Money lost"),
                   format_answer (session, content, QUESTION_LOST_MONEY, region));
      add_section (sections, "other-answers", _("Your other answers"),
                   format_other_answers (session, content, category_id, region));
      add_section (sections, "what-you-hold", _("What you still have"),
                   format_answer (session, content, QUESTION_WHAT_YOU_HOLD, region));
    }

  add_section (sections, "removal", _("Your request to take content down"), format_removal (session));
  add_section (sections, "services", _("Services you chose"), format_kept_services (session));

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
