/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-case-document"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-bidi.h"
#include "haven-case-document.h"
#include "haven-locale.h"
#include "haven-wipe.h"
#include "haven-wiped-text.h"

/* A case in the caseworker's words: the same sections on the case page
 * and in the printed case file. Nearly every line holds what the visitor
 * wrote, so every string built on the way is wiped, and the texts grow in
 * buffers that are wiped before they are given back to the allocator
 * (a GString's own growth would leave copies behind). Names, addresses,
 * references and numbers in Latin letters are isolated, so that they keep
 * their order inside an Arabic sentence. */

/* Questions with a section of their own; the rest are listed together. */
#define QUESTION_STARTED_ON "started-on"
#define QUESTION_LOST_MONEY "lost-money"
#define QUESTION_WHAT_YOU_HOLD "what-you-hold"

void
haven_case_section_free (HavenCaseSection *section)
{
  if (section == NULL)
    return;

  haven_wipe_string (section->heading);
  haven_wipe_string (section->text);
  g_free (section);
}

/* Takes @text; a section only when it says something. */
static void
add_section (GPtrArray  *sections,
             const char *id,
             const char *heading,
             GString    *text)
{
  HavenCaseSection *section;

  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      return;
    }

  section = g_new0 (HavenCaseSection, 1);
  section->id = id;
  section->heading = g_strdup (heading);
  section->text = g_string_free (text, FALSE);
  g_ptr_array_add (sections, section);
}

/* Each line isolated on its own: an isolate ends at a line break, so
 * one around a whole story would leave its later lines unisolated. */
static char *
isolate_lines (const char *text)
{
  char **lines;
  GString *isolated;

  if (text == NULL)
    return NULL;

  lines = g_strsplit (text, "\n", -1);
  isolated = haven_wiped_text_new ();
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = haven_bidi_isolate (lines[i]);

      if (i > 0)
        haven_wiped_text_append (isolated, "\n");
      haven_wiped_text_append (isolated, line);
      haven_wipe_string (line);
      haven_wipe_string (lines[i]);
    }
  g_free (lines);

  return g_string_free (isolated, FALSE);
}

/* A time as the case file shows it, in the desk's time zone. */
static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return NULL;

  local = g_date_time_to_local (time);
  /* Translators: a time in a case file, as g_date_time_format() takes it:
   * the year, month and day, then the hour and minutes. Keep it one that
   * cannot be misread, such as "%d/%m/%Y %H:%M". */
  return g_date_time_format (local, C_("case time", "%Y-%m-%d %H:%M"));
}

typedef struct {
  const char *code;
  const char *name;
} LanguageName;

char *
haven_case_document_describe_language (const char *locale)
{
  static const LanguageName names[] = {
    /* Translators: languages a visitor may have used, named in yours. */
    { "ar", NC_("language", "Arabic") },
    { "de", NC_("language", "German") },
    { "en", NC_("language", "English") },
    { "es", NC_("language", "Spanish") },
    { "fa", NC_("language", "Persian") },
    { "fr", NC_("language", "French") },
    { "it", NC_("language", "Italian") },
    { "pl", NC_("language", "Polish") },
    { "pt", NC_("language", "Portuguese") },
    { "pt_BR", NC_("language", "Brazilian Portuguese") },
    { "ro", NC_("language", "Romanian") },
    { "ru", NC_("language", "Russian") },
    { "so", NC_("language", "Somali") },
    { "tr", NC_("language", "Turkish") },
    { "uk", NC_("language", "Ukrainian") },
    { "ur", NC_("language", "Urdu") },
    { "vi", NC_("language", "Vietnamese") },
    { "zh_CN", NC_("language", "Chinese (Simplified)") },
    { "zh_TW", NC_("language", "Chinese (Traditional)") },
  };
  g_autofree char *normalized = NULL;
  g_autofree char *code = NULL;
  const char *current = haven_locale_get_current ();

  if (locale == NULL || locale[0] == '\0')
    return NULL;

  /* The API writes "pt-BR"; gettext "pt_BR". */
  normalized = g_strdelimit (g_strdup (locale), "-", '_');
  /* A code in Latin letters in a right-to-left sentence. */
  if (current != NULL && haven_locale_get_direction (current) == HAVEN_TEXT_DIRECTION_RTL)
    code = haven_bidi_isolate_ltr (locale);
  else
    code = g_strdup (locale);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (g_ascii_strcasecmp (names[i].code, normalized) == 0)
        /* Translators: a language and its code, as in "Spanish (es)". */
        return g_strdup_printf (C_("language and code", "%s (%s)"),
                                g_dpgettext2 (GETTEXT_PACKAGE, "language", names[i].name), code);
    }

  return g_steal_pointer (&code);
}

static const char *
describe_kind (const char *kind)
{
  if (g_strcmp0 (kind, "removal") == 0)
    return C_("case kind", "Request to take content down");
  if (g_strcmp0 (kind, "report") == 0)
    return C_("case kind", "Report");
  return kind;
}

static GString *
format_reference (HavenCase *opened)
{
  HavenCaseInfo *info = haven_case_get_info (opened);
  HavenRequest *request = haven_case_get_request (opened);
  const char *locale = request != NULL ? haven_request_get_locale (request)
                                       : haven_case_info_get_locale (info);
  const char *kiosk = request != NULL ? haven_request_get_kiosk_id (request)
                                      : haven_case_info_get_kiosk_id (info);
  g_autofree char *reference = haven_bidi_isolate_ltr (haven_case_info_get_reference (info));
  g_autofree char *received = format_time (haven_case_info_get_received_at (info));
  g_autofree char *language = haven_case_document_describe_language (locale);
  g_autofree char *kiosk_isolated = haven_bidi_isolate_ltr (kiosk);
  gboolean child = request != NULL ? haven_request_get_child_involved (request)
                                   : haven_case_info_get_child_involved (info) == 1;
  GString *text = haven_wiped_text_new ();

  /* Translators: lines of a case file; %s is a reference such as
   * HV-7KQ2-M9XD. */
  haven_wiped_text_append_line_printf (text, C_("case file", "Reference: %s"), reference);
  /* Translators: %s is "Request to take content down" or "Report". */
  haven_wiped_text_append_line_printf (text, C_("case file", "Kind: %s"),
                      describe_kind (haven_case_info_get_kind (info)));
  if (received != NULL)
    /* Translators: %s is a date and time. */
    haven_wiped_text_append_line_printf (text, C_("case file", "Received: %s"), received);
  /* Translators: %s is a language and its code, as in "Spanish (es)". */
  haven_wiped_text_append_line_printf (text, C_("case file", "Visitor’s language: %s"),
                      language != NULL ? language : C_("case file", "not known"));
  /* Translators: %s names a kiosk, such as station-12-lobby. */
  haven_wiped_text_append_line_printf (text, C_("case file", "Kiosk: %s"),
                      kiosk_isolated != NULL ? kiosk_isolated : C_("case file", "not known"));
  /* Translators: %s is a case's state, such as "In progress". */
  haven_wiped_text_append_line_printf (text, C_("case file", "State: %s"),
                      haven_case_state_get_label (haven_case_info_get_state (info)));
  if (child)
    haven_wiped_text_append_line (text, C_("case file", "The visitor said a child is involved."));

  return text;
}

static GString *
format_what_happened (HavenRequest *request,
                      HavenContent *content)
{
  const char *category_id = haven_request_get_category (request);
  HavenCategory *category = NULL;
  GString *text = haven_wiped_text_new ();
  char *story;

  if (content != NULL && category_id != NULL)
    category = haven_content_lookup_category (content, category_id);
  if (category != NULL)
    haven_wiped_text_append_line (text, g_dgettext (GETTEXT_PACKAGE, haven_category_get_title (category)));
  else if (category_id != NULL)
    haven_wiped_text_append_line (text, category_id);

  /* The visitor's own story: a report's summary. */
  story = isolate_lines (haven_request_get_summary (request));
  if (story != NULL)
    haven_wiped_text_append_line (text, story);
  haven_wipe_string (story);

  return text;
}

static GString *
format_isolated_ltr (const char *value)
{
  GString *text = haven_wiped_text_new ();
  char *isolated = haven_bidi_isolate_ltr (value);

  if (isolated != NULL)
    haven_wiped_text_append (text, isolated);
  haven_wipe_string (isolated);
  return text;
}

static GString *
format_lost_money (HavenRequest *request)
{
  const char *amount = haven_request_get_losses_amount (request);
  const char *currency = haven_request_get_losses_currency (request);
  GString *text;
  char *money;

  if (amount == NULL)
    return haven_wiped_text_new ();

  /* "250.00 EUR": the amount as the kiosk sent it and its ISO 4217 code. */
  money = g_strdup_printf ("%s %s", amount, currency != NULL ? currency : "");
  g_strchomp (money);
  text = format_isolated_ltr (money);
  haven_wipe_string (money);
  return text;
}

/* An answer in words: choices by their labels, yes and no translated,
 * anything typed as the visitor typed it. */
static char *
format_answer (HavenQuestion *question,
               const char    *answer)
{
  HavenQuestionType type = question != NULL ? haven_question_get_answer_type (question)
                                            : HAVEN_QUESTION_TYPE_TEXT;

  if (type == HAVEN_QUESTION_TYPE_YES_NO && g_str_equal (answer, "yes"))
    return g_strdup (C_("answer", "Yes"));
  if (type == HAVEN_QUESTION_TYPE_YES_NO && g_str_equal (answer, "no"))
    return g_strdup (C_("answer", "No"));

  if (type == HAVEN_QUESTION_TYPE_CHOICE || type == HAVEN_QUESTION_TYPE_MULTI_CHOICE)
    {
      g_auto(GStrv) ids = g_strsplit (answer, ",", -1);
      GString *text = haven_wiped_text_new ();

      for (guint i = 0; ids[i] != NULL; i++)
        {
          const char *label = haven_question_get_choice_label (question, ids[i]);

          if (ids[i][0] == '\0')
            continue;
          if (text->len > 0)
            /* Translators: between the choices of one answer. */
            haven_wiped_text_append (text, C_("case file", ", "));
          haven_wiped_text_append (text, label != NULL ? g_dgettext (GETTEXT_PACKAGE, label) : ids[i]);
        }
      return g_string_free (text, FALSE);
    }

  if (type == HAVEN_QUESTION_TYPE_DATE || type == HAVEN_QUESTION_TYPE_MONEY ||
      type == HAVEN_QUESTION_TYPE_URL_LIST)
    return haven_bidi_isolate_ltr (answer);

  return isolate_lines (answer);
}

static void
append_answer (GString    *text,
               const char *title,
               const char *answer)
{
  /* Translators: a question, then the visitor's answer, in a case file:
   * "Where did it happen? By email". */
  haven_wiped_text_append_line_printf (text, C_("case file", "%s %s"), title, answer);
}

static gboolean
has_own_section (const char *question_id)
{
  return g_str_equal (question_id, QUESTION_STARTED_ON) ||
         g_str_equal (question_id, QUESTION_LOST_MONEY) ||
         g_str_equal (question_id, QUESTION_WHAT_YOU_HOLD);
}

/* The answers in the order the kiosk asked, then any whose question this
 * desk's content does not know, by their ids. */
static GString *
format_other_answers (HavenRequest *request,
                      HavenContent *content)
{
  g_auto(GStrv) ids = haven_request_dup_answer_ids (request);
  g_autoptr(GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);
  GListModel *questions = NULL;
  GString *text = haven_wiped_text_new ();

  if (content != NULL)
    questions = haven_content_get_questions (content);

  for (guint i = 0; questions != NULL && i < g_list_model_get_n_items (questions); i++)
    {
      g_autoptr(HavenQuestion) question = g_list_model_get_item (questions, i);
      const char *id = haven_question_get_id (question);
      const char *answer = haven_request_get_answer (request, id);
      char *formatted;

      if (answer == NULL || answer[0] == '\0' || has_own_section (id))
        continue;

      g_hash_table_add (done, (gpointer) id);
      formatted = format_answer (question, answer);
      append_answer (text, g_dgettext (GETTEXT_PACKAGE, haven_question_get_title (question)),
                     formatted);
      haven_wipe_string (formatted);
    }

  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      const char *answer = haven_request_get_answer (request, ids[i]);
      char *formatted;

      if (g_hash_table_contains (done, ids[i]) || has_own_section (ids[i]) ||
          answer == NULL || answer[0] == '\0')
        continue;

      formatted = isolate_lines (answer);
      /* Translators: a question's id, then the visitor's answer, for an
       * answer to a question this desk does not know. */
      haven_wiped_text_append_line_printf (text, C_("case file", "%s: %s"), ids[i], formatted);
      haven_wipe_string (formatted);
    }

  return text;
}

static GString *
format_what_you_hold (HavenRequest *request)
{
  const char *answer = haven_request_get_answer (request, QUESTION_WHAT_YOU_HOLD);
  GString *text = haven_wiped_text_new ();
  char *isolated;

  for (guint i = 0; i < haven_request_get_n_evidence (request); i++)
    {
      isolated = isolate_lines (haven_request_get_evidence (request, i));
      if (isolated != NULL)
        haven_wiped_text_append_line (text, isolated);
      haven_wipe_string (isolated);
    }

  isolated = isolate_lines (answer);
  if (isolated != NULL && isolated[0] != '\0')
    haven_wiped_text_append_line (text, isolated);
  haven_wipe_string (isolated);

  return text;
}

static GString *
format_items (HavenRequest  *request,
              HavenCaseInfo *info)
{
  GString *text = haven_wiped_text_new ();

  for (guint i = 0; i < haven_request_get_n_items (request); i++)
    {
      const char *platform = haven_request_get_item_platform (request, i);
      const char *description = haven_request_get_item_description (request, i);
      const char *outcome = haven_case_info_get_item_outcome (info, i);
      char *host = platform != NULL ? g_strdup (platform)
                                    : haven_request_platform_for_url (haven_request_get_item_url (request, i));
      char *url = haven_bidi_isolate_ltr (haven_request_get_item_url (request, i));
      char *host_isolated = haven_bidi_isolate_ltr (host);
      char *described = isolate_lines (description);

      if (text->len > 0)
        haven_wiped_text_append (text, "\n");
      /* Translators: the number of an address to take down, then the
       * address: "1. https://example.social/p/123". */
      haven_wiped_text_append_line_printf (text, C_("case file", "%u. %s"), i + 1, url != NULL ? url : "");
      if (host_isolated != NULL)
        /* Translators: %s is a website such as example.social. */
        haven_wiped_text_append_line_printf (text, C_("case file", "Website: %s"), host_isolated);
      if (described != NULL && described[0] != '\0')
        /* Translators: %s is what the visitor wrote about the address. */
        haven_wiped_text_append_line_printf (text, C_("case file", "What the visitor said: %s"), described);
      if (outcome != NULL)
        /* Translators: %s is an outcome, such as "Removed". */
        haven_wiped_text_append_line_printf (text, C_("case file", "Outcome: %s"), haven_case_outcome_get_label (outcome));

      haven_wipe_string (host);
      haven_wipe_string (url);
      haven_wipe_string (host_isolated);
      haven_wipe_string (described);
    }

  return text;
}

static const char *
describe_role (const char *role)
{
  if (g_strcmp0 (role, "self") == 0)
    /* Translators: who made a request: the person it is about. */
    return C_("reporter", "The visitor, for themself");
  if (g_strcmp0 (role, "parent-or-guardian") == 0)
    return C_("reporter", "A parent or guardian, on behalf of a child");
  if (g_strcmp0 (role, "authorised-representative") == 0)
    return C_("reporter", "Someone authorised to act for the person concerned");
  return role;
}

static GString *
format_reporter (HavenRequest *request)
{
  const char *role = describe_role (haven_request_get_reporter_role (request));
  GString *text = haven_wiped_text_new ();

  if (role != NULL)
    haven_wiped_text_append_line (text, role);

  if (!haven_request_get_consent_to_contact (request))
    {
      /* Contact details given without consent are never shown. */
      haven_wiped_text_append_line (text, C_("case file", "The visitor did not agree to be contacted."));
    }
  else
    {
      char *email = haven_bidi_isolate_ltr (haven_request_get_contact_email (request));
      char *phone = haven_bidi_isolate_ltr (haven_request_get_contact_phone (request));

      if (email == NULL && phone == NULL)
        haven_wiped_text_append_line (text, C_("case file", "The visitor agreed to be contacted but left no "
                                           "email address or phone number."));
      else
        haven_wiped_text_append_line (text, C_("case file", "The visitor agreed to be contacted."));
      if (email != NULL)
        /* Translators: %s is an email address. */
        haven_wiped_text_append_line_printf (text, C_("case file", "Email: %s"), email);
      if (phone != NULL)
        /* Translators: %s is a phone number. */
        haven_wiped_text_append_line_printf (text, C_("case file", "Phone: %s"), phone);
      haven_wipe_string (email);
      haven_wipe_string (phone);
    }

  return text;
}

static GString *
format_declaration (HavenRequest *request)
{
  GString *text = haven_wiped_text_new ();

  haven_wiped_text_append_line (text, haven_request_get_declaration_accurate (request)
                     ? C_("case file", "The visitor declared that what they gave is accurate.")
                     : C_("case file", "The visitor did not declare that what they gave is accurate."));
  haven_wiped_text_append_line (text, haven_request_get_declaration_authorised (request)
                     ? C_("case file", "The visitor declared that they are the person concerned "
                                       "or authorised to act for them.")
                     : C_("case file", "The visitor did not declare that they are the person "
                                       "concerned or authorised to act for them."));
  return text;
}

/* What an event did, in words. */
static char *
describe_event (HavenCase      *opened,
                guint           index,
                HavenCaseEvent *event,
                HavenKeyVault  *vault)
{
  g_autofree char *reference = NULL;
  char *note;
  char *described;

  switch (event->type)
    {
    case HAVEN_CASE_EVENT_STATE:
      /* Translators: %s is a case's state, such as "Waiting". */
      return g_strdup_printf (C_("case history", "Moved to “%s”"),
                              haven_case_state_get_label (event->state));

    case HAVEN_CASE_EVENT_ITEM_OUTCOME:
      if (event->platform_reference == NULL)
        /* Translators: %u is an address's number in the case, %s an
         * outcome such as "Removed". */
        return g_strdup_printf (C_("case history", "Address %u: %s"), event->item + 1,
                                haven_case_outcome_get_label (event->outcome));
      reference = haven_bidi_isolate (event->platform_reference);
      /* Translators: %1$u is an address's number, %2$s an outcome such as
       * "Removed", %3$s the platform's own reference, such as T-1234. */
      return g_strdup_printf (C_("case history", "Address %1$u: %2$s (platform reference %3$s)"),
                              event->item + 1, haven_case_outcome_get_label (event->outcome),
                              reference);

    case HAVEN_CASE_EVENT_NOTE:
    default:
      note = vault != NULL ? haven_case_dup_note (opened, index, vault, NULL) : NULL;
      if (note == NULL)
        return g_strdup (C_("case history", "A note that cannot be opened on this desk"));
      described = isolate_lines (note);
      haven_wipe_string (note);
      note = g_strdup_printf (C_("case history", "Note: %s"), described);
      haven_wipe_string (described);
      return note;
    }
}

static GString *
format_history (HavenCase     *opened,
                HavenKeyVault *vault)
{
  GPtrArray *events = haven_case_info_get_events (haven_case_get_info (opened));
  GString *text = haven_wiped_text_new ();

  for (guint i = 0; i < events->len; i++)
    {
      HavenCaseEvent *event = g_ptr_array_index (events, i);
      g_autofree char *at = format_time (event->at);
      g_autofree char *actor = haven_bidi_isolate (event->actor);
      char *what = describe_event (opened, i, event, vault);

      /* Translators: one event of a case's history: when, who, and what,
       * as in "2026-12-07 11:52, alice: Moved to “In progress”". */
      haven_wiped_text_append_line_printf (text, C_("case history", "%1$s, %2$s: %3$s"), at, actor, what);
      haven_wipe_string (what);
    }

  return text;
}

static GString *
format_integrity (HavenCase *opened)
{
  GString *text = haven_wiped_text_new ();
  g_autofree char *sha256 = haven_bidi_isolate_ltr (haven_case_get_sha256 (opened));

  if (sha256 != NULL)
    /* Translators: %s is a SHA-256 checksum, 64 hexadecimal digits. */
    haven_wiped_text_append_line_printf (text, C_("case file", "SHA-256 of the request as the kiosk sealed it: %s"),
                        sha256);
  return text;
}

/**
 * haven_case_document_build:
 * @content: (nullable): the content definitions, for the words of
 *   categories, questions and choices; without it, their ids
 * @vault: (nullable): the desk's key, for the notes
 *
 * Returns: (transfer full) (element-type HavenCaseSection): the sections
 *   that have something to say, in order
 */
GPtrArray *
haven_case_document_build (HavenCase     *opened,
                           HavenContent  *content,
                           HavenKeyVault *vault)
{
  GPtrArray *sections = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_case_section_free);
  HavenRequest *request;
  HavenCaseInfo *info;

  g_return_val_if_fail (HAVEN_IS_CASE (opened), sections);
  g_return_val_if_fail (content == NULL || HAVEN_IS_CONTENT (content), sections);
  g_return_val_if_fail (vault == NULL || HAVEN_IS_KEY_VAULT (vault), sections);

  request = haven_case_get_request (opened);
  info = haven_case_get_info (opened);

  /* Translators: headings of a case's sections. */
  add_section (sections, "reference", C_("case section", "Case"), format_reference (opened));

  if (request != NULL)
    {
      add_section (sections, "what-happened", C_("case section", "What happened"),
                   format_what_happened (request, content));
      add_section (sections, "started-on", C_("case section", "When it started"),
                   format_isolated_ltr (haven_request_get_started_on (request)));
      add_section (sections, "lost-money", C_("case section", "Money lost"),
                   format_lost_money (request));
      add_section (sections, "other-answers", C_("case section", "The visitor’s other answers"),
                   format_other_answers (request, content));
      add_section (sections, "what-you-hold", C_("case section", "What the visitor still has"),
                   format_what_you_hold (request));
      add_section (sections, "items", C_("case section", "Addresses to take down"),
                   format_items (request, info));
      add_section (sections, "reporter", C_("case section", "Who asked"),
                   format_reporter (request));
      if (haven_request_get_kind (request) == HAVEN_REQUEST_KIND_REMOVAL)
        add_section (sections, "declaration", C_("case section", "Declaration"),
                     format_declaration (request));
    }

  add_section (sections, "history", C_("case section", "History"), format_history (opened, vault));
  add_section (sections, "integrity", C_("case section", "Integrity"), format_integrity (opened));

  return sections;
}
