/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libintl.h>
#include <locale.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "haven-bidi.h"
#include "haven-locale.h"
#include "haven-paths.h"
#include "haven-summary.h"
#include "haven-vcard.h"
#include "haven-wipe.h"
#include "memory-scan.h"
#include "test-files.h"

/* The summary a visitor takes away, and the report made from the same
 * answers, built from the shipped content definitions. */

static HavenSession *
make_fraud_session (HavenContent *content)
{
  HavenSession *session = haven_session_new ("en");

  haven_session_set_category (session, content, "fraud");
  haven_session_set_answer (session, HAVEN_QUESTION_SAFETY, HAVEN_SAFETY_SELF);
  haven_session_set_answer (session, HAVEN_QUESTION_STORY, "A seller took my money.");
  haven_session_set_answer (session, "started-on", "2026-11-20");
  haven_session_set_answer (session, "lost-money", "1250.50 GBP");
  haven_session_set_answer (session, "payment-method", "bank-transfer,card");
  haven_session_set_answer (session, "still-happening", "no");
  haven_session_set_answer (session, "what-you-hold", "My bank statement\n\n  Screenshots of the chat  ");
  haven_session_keep_service (session, "svc-1", "Fraud Recovery Clinic, 020 7946 0000");

  return session;
}

static const char *
find_section (GPtrArray  *sections,
              const char *heading)
{
  for (guint i = 0; i < sections->len; i++)
    {
      HavenSummarySection *section = g_ptr_array_index (sections, i);

      if (g_str_equal (section->heading, heading))
        return section->text;
    }

  return NULL;
}

static void
test_sections (void)
{
  g_autoptr(HavenContent) content = load_shipped_content ();
  g_autoptr(HavenSession) session = make_fraud_session (content);
  g_autoptr(GPtrArray) sections = haven_summary_build (session, content, "GB");

  g_assert_cmpstr (find_section (sections, "What happened"), ==,
                   "I was tricked out of money or goods, or my card or bank was used\n"
                   "\u2068A seller took my money.\u2069");
  g_assert_cmpstr (find_section (sections, "When it started"), ==, "\u206820 November 2026\u2069");
  /* The amount with the pound sign, not the code. */
  g_assert_cmpstr (find_section (sections, "Money lost"), ==, "\u2068£1,250.50\u2069");
  g_assert_nonnull (strstr (find_section (sections, "Your other answers"),
                            "How did you pay or send the money? \u2068Bank transfer, Card\u2069"));
  g_assert_nonnull (strstr (find_section (sections, "Your other answers"), "Is it still happening? \u2068No\u2069"));
  g_assert_cmpstr (find_section (sections, "Services you chose"), ==,
                   "\u2068Fraud Recovery Clinic, 020 7946 0000\u2069");
  /* Nothing sent, so no references; the safety answer is never shown. */
  g_assert_true (g_str_has_prefix (find_section (sections, "What happens next"), "Nothing was sent."));
  g_assert_null (find_section (sections, "Your request to take content down"));
  /* The emergency number and, for a visitor who said they might harm
   * themselves, the crisis line. */
  g_assert_cmpstr (find_section (sections, "If you need help"), ==,
                   "\u2066999\u2069 — Police, ambulance or fire, when someone is in danger now\n"
                   "\u2066116 123\u2069 — Samaritans: talk to someone, any time, for free");

  haven_session_set_report (session, HAVEN_SUBMISSION_QUEUED, "K-0F8C-7E0A");
  g_clear_pointer (&sections, g_ptr_array_unref);
  sections = haven_summary_build (session, content, "GB");
  g_assert_cmpstr (find_section (sections, "What happens next"), ==,
                   "Your report is saved on this kiosk and will be sent when the connection is "
                   "back. You do not need to do anything. Its reference is \u2066K-0F8C-7E0A\u2069: "
                   "give it to the team if you contact them.");
}

/* Every way a visit can end says what became of what the visitor said:
 * what each reference is for and what happens next, or that nothing was
 * sent; first, so that the printed copy and the QR code keep it. */
static void
test_what_happens_next (void)
{
  g_autoptr(HavenContent) content = load_shipped_content ();
  const struct {
    HavenSubmissionState removal;
    HavenSubmissionState report;
    const char *says[3];
    const char *never;
  } paths[] = {
    { HAVEN_SUBMISSION_NONE, HAVEN_SUBMISSION_NONE,
      { "Nothing was sent. Nothing you told us has been kept.", NULL }, "reference" },
    { HAVEN_SUBMISSION_SENT, HAVEN_SUBMISSION_NONE,
      { "Your request to take content down was sent. Your reference is \u2066HV-7K2M-9Q4P\u2069: "
        "give it to the team if you contact them.",
        "it is not always possible", NULL }, "Nothing was sent" },
    { HAVEN_SUBMISSION_QUEUED, HAVEN_SUBMISSION_NONE,
      { "Your request to take content down is saved on this kiosk and will be sent when the "
        "connection is back.", "\u2066HV-7K2M-9Q4P\u2069", NULL }, "Nothing was sent" },
    { HAVEN_SUBMISSION_SENDING, HAVEN_SUBMISSION_NONE,
      { "will be sent when the connection is back", "\u2066HV-7K2M-9Q4P\u2069", NULL }, "was sent." },
    { HAVEN_SUBMISSION_REJECTED, HAVEN_SUBMISSION_NONE,
      { "could not be sent as it is. It is kept for the staff here",
        "\u2066HV-7K2M-9Q4P\u2069", NULL }, "Nothing was sent" },
    /* Refused, or never saved: nothing went anywhere. */
    { HAVEN_SUBMISSION_INVALID, HAVEN_SUBMISSION_NONE, { "Nothing was sent.", NULL }, "HV-7K2M" },
    { HAVEN_SUBMISSION_NOT_SAVED, HAVEN_SUBMISSION_NOT_SAVED, { "Nothing was sent.", NULL }, "K-0F8C" },
    { HAVEN_SUBMISSION_NONE, HAVEN_SUBMISSION_SENT,
      { "Your report was sent. Its reference is \u2066K-0F8C-7E0A\u2069",
        "They cannot look into every report", NULL }, "Nothing was sent" },
    { HAVEN_SUBMISSION_NONE, HAVEN_SUBMISSION_REJECTED,
      { "Your report could not be sent as it is.", "\u2066K-0F8C-7E0A\u2069", NULL }, "Nothing" },
    /* Both: the request, then the report. */
    { HAVEN_SUBMISSION_SENT, HAVEN_SUBMISSION_QUEUED,
      { "Your reference is \u2066HV-7K2M-9Q4P\u2069",
        "it is not always possible.\n\nYour report is saved on this kiosk",
        "Its reference is \u2066K-0F8C-7E0A\u2069" }, "Nothing was sent" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(HavenSession) session = make_fraud_session (content);
      g_autoptr(GPtrArray) sections = NULL;
      g_autofree char *qr_text = NULL;
      HavenSummarySection *first;

      haven_request_add_item (haven_session_get_removal_request (session),
                              "https://example.social/p/1", NULL, NULL);
      if (paths[i].removal != HAVEN_SUBMISSION_NONE)
        haven_session_set_submission (session, paths[i].removal, "HV-7K2M-9Q4P", NULL, NULL);
      if (paths[i].report != HAVEN_SUBMISSION_NONE)
        haven_session_set_report (session, paths[i].report, "K-0F8C-7E0A");
      sections = haven_summary_build (session, content, "GB");

      g_test_message ("removal %d, report %d", paths[i].removal, paths[i].report);
      first = g_ptr_array_index (sections, 0);
      g_assert_cmpstr (first->id, ==, HAVEN_SUMMARY_NEXT);
      g_assert_cmpstr (first->heading, ==, "What happens next");
      for (guint j = 0; j < G_N_ELEMENTS (paths[i].says) && paths[i].says[j] != NULL; j++)
        if (strstr (first->text, paths[i].says[j]) == NULL)
          g_error ("“%s” is not in “%s”", paths[i].says[j], first->text);
      g_assert_null (strstr (first->text, paths[i].never));

      /* The addresses are listed only once the request was kept. */
      g_assert_true ((find_section (sections, "Your request to take content down") != NULL) ==
                     (strstr (first->text, "HV-7K2M") != NULL));

      /* The QR code's text starts with it, and with the help lines. */
      qr_text = haven_summary_to_text (sections, 900);
      g_assert_true (g_str_has_prefix (qr_text, "What happens next\n"));
      g_assert_nonnull (strstr (qr_text, "\n\nIf you need help\n\u2066999\u2069"));
    }
}

static void
test_empty_visit (void)
{
  g_autoptr(HavenContent) content = load_shipped_content ();
  g_autoptr(HavenSession) session = haven_session_new ("en");
  g_autoptr(GPtrArray) sections = haven_summary_build (session, content, NULL);
  HavenSummarySection *next;
  HavenSummarySection *help;

  /* Still what happens next, and the region-neutral help. */
  g_assert_cmpuint (sections->len, ==, 2);
  next = g_ptr_array_index (sections, 0);
  help = g_ptr_array_index (sections, 1);
  g_assert_true (g_str_has_prefix (next->text, "Nothing was sent."));
  g_assert_cmpstr (help->id, ==, HAVEN_SUMMARY_HELP);
  g_assert_true (g_str_has_prefix (help->text, "\u2066112\u2069 — "));
}

/* The QR code holds a short version: cut at a character, never inside
 * one, and marked as cut. */
static void
test_text_is_cut_short (void)
{
  g_autoptr(HavenContent) content = load_shipped_content ();
  g_autoptr(HavenSession) session = make_fraud_session (content);
  g_autoptr(GPtrArray) sections = NULL;
  g_autofree char *whole = NULL;
  g_autofree char *cut = NULL;
  g_autoptr(GString) long_story = g_string_new (NULL);

  for (int i = 0; i < 300; i++)
    g_string_append (long_story, "é");
  haven_session_set_answer (session, HAVEN_QUESTION_STORY, long_story->str);
  sections = haven_summary_build (session, content, "GB");

  whole = haven_summary_to_text (sections, 0);
  g_assert_true (g_str_has_prefix (whole, "What happens next\nNothing was sent."));
  g_assert_nonnull (strstr (whole, "\n\nWhat happened\nI was tricked"));
  g_assert_nonnull (strstr (whole, "\n\nMoney lost\n\u2068£1,250.50\u2069"));

  cut = haven_summary_to_text (sections, 301);
  g_assert_cmpuint (strlen (cut), <=, 301);
  g_assert_true (g_utf8_validate (cut, -1, NULL));
  g_assert_true (g_str_has_suffix (cut, "…"));
  g_assert_true (g_str_has_prefix (whole, cut) == FALSE);
  g_assert_cmpint (strncmp (whole, cut, strlen (cut) - strlen ("…")), ==, 0);
}

/* The report carries the answers the API names, and never the safety
 * answer. */
static void
test_report (void)
{
  g_autoptr(HavenContent) content = load_shipped_content ();
  g_autoptr(HavenSession) session = make_fraud_session (content);
  g_autoptr(HavenRequest) report = haven_summary_build_report (session, content);
  g_autoptr(GHashTable) field_errors = NULL;
  g_auto(GStrv) answer_ids = NULL;
  g_autofree char *json = NULL;

  g_assert_cmpint (haven_request_get_kind (report), ==, HAVEN_REQUEST_KIND_REPORT);
  g_assert_cmpstr (haven_request_get_category (report), ==, "fraud");
  g_assert_cmpstr (haven_request_get_started_on (report), ==, "2026-11-20");
  g_assert_cmpstr (haven_request_get_summary (report), ==, "A seller took my money.");
  g_assert_cmpstr (haven_request_get_losses_amount (report), ==, "1250.50");
  g_assert_cmpstr (haven_request_get_losses_currency (report), ==, "GBP");
  g_assert_cmpuint (haven_request_get_n_evidence (report), ==, 2);
  g_assert_cmpstr (haven_request_get_evidence (report, 0), ==, "My bank statement");
  g_assert_cmpstr (haven_request_get_evidence (report, 1), ==, "Screenshots of the chat");
  g_assert_cmpstr (haven_request_get_answer (report, "payment-method"), ==, "bank-transfer,card");
  answer_ids = haven_request_dup_answer_ids (report);
  g_assert_cmpstrv (answer_ids, ((const char * const[]) { "payment-method", "still-happening", NULL }));

  haven_request_confirm (report, "kiosk-1", "en");
  g_assert_true (haven_request_validate (report, &field_errors));
  json = haven_request_to_json (report, NULL);
  g_assert_null (strstr (json, "safety"));
}

/* A date the visitor did not know is no date in the report. */
static void
test_report_unknown_date (void)
{
  g_autoptr(HavenContent) content = load_shipped_content ();
  g_autoptr(HavenSession) session = make_fraud_session (content);
  g_autoptr(HavenRequest) report = NULL;

  haven_session_set_answer (session, "started-on", "unknown");
  haven_session_set_answer (session, "lost-money", NULL);
  report = haven_summary_build_report (session, content);
  g_assert_null (haven_request_get_started_on (report));
  g_assert_null (haven_request_get_losses_amount (report));
}

/* Answers given for one category are not part of a visit that changed
 * to another: the summary and the report show none of them. */
static void
test_category_change (void)
{
  g_autoptr(HavenContent) content = load_shipped_content ();
  g_autoptr(HavenSession) session = make_fraud_session (content);
  g_autoptr(GPtrArray) sections = NULL;
  g_autoptr(HavenRequest) report = NULL;
  g_autoptr(GHashTable) field_errors = NULL;
  g_auto(GStrv) answer_ids = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;

  haven_session_set_category (session, content, "intimate-images");
  haven_session_set_answer (session, "under-18", "no");

  g_assert_null (haven_session_get_answer (session, "lost-money"));
  g_assert_null (haven_session_get_answer (session, "payment-method"));
  /* What every category asks is kept. */
  g_assert_cmpstr (haven_session_get_answer (session, "started-on"), ==, "2026-11-20");
  g_assert_cmpstr (haven_session_get_answer (session, HAVEN_QUESTION_STORY), ==,
                   "A seller took my money.");

  sections = haven_summary_build (session, content, "GB");
  g_assert_null (find_section (sections, "Money lost"));
  text = haven_summary_to_text (sections, 0);
  g_assert_null (strstr (text, "1250.50"));
  g_assert_null (strstr (text, "1,250.50"));
  g_assert_null (strstr (text, "Bank transfer"));
  g_assert_nonnull (strstr (text, "20 November 2026"));

  report = haven_summary_build_report (session, content);
  g_assert_null (haven_request_get_losses_amount (report));
  g_assert_null (haven_request_get_answer (report, "payment-method"));
  answer_ids = haven_request_dup_answer_ids (report);
  g_assert_false (g_strv_contains ((const char * const *) answer_ids, "payment-method"));
  haven_request_confirm (report, "kiosk-1", "en");
  g_assert_true (haven_request_validate (report, &field_errors));
  json = haven_request_to_json (report, NULL);
  g_assert_null (strstr (json, "1250.50"));
  g_assert_null (strstr (json, "GBP"));
  g_assert_null (strstr (json, "bank-transfer"));
  g_assert_null (strstr (json, "losses"));
}

/* The answers forgotten with a change of category are wiped, not merely
 * freed; see test-session.c for why the marker's tail is counted. A draft
 * request to take content down is forgotten when the new category has
 * nothing to take down, and kept when it does. */
#define MARKER_LENGTH 48
#define MARKER_TAIL 16

static void
test_category_change_wipes (void)
{
  g_autoptr(HavenContent) content = load_shipped_content ();
  g_autoptr(HavenSession) session = haven_session_new ("en");
  guint8 masked[MARKER_LENGTH];
  char *plain;
  HavenRequest *request;

  memory_scan_make_marker (masked, sizeof masked);
  plain = memory_scan_reveal_marker (masked, sizeof masked);
  haven_session_set_category (session, content, "fraud");
  haven_session_set_answer (session, "their-name", plain);
  haven_wipe_string (plain);
  g_assert_cmpuint (memory_scan_count (masked + MARKER_TAIL, sizeof masked - MARKER_TAIL), ==, 1);

  haven_session_set_category (session, content, "intimate-images");
  g_assert_null (haven_session_get_answer (session, "their-name"));
  g_assert_cmpuint (memory_scan_count (masked + MARKER_TAIL, sizeof masked - MARKER_TAIL), ==, 0);

  request = haven_session_get_removal_request (session);
  haven_request_add_item (request, "https://example.social/p/123", NULL, "A photo");
  haven_session_set_answer (session, "under-18", "yes");

  /* Harassment has something to take down too: the addresses stay. */
  haven_session_set_category (session, content, "harassment");
  g_assert_cmpuint (haven_request_get_n_items (haven_session_get_removal_request (session)), ==, 1);
  g_assert_null (haven_session_get_answer (session, "under-18"));

  haven_session_set_category (session, content, "fraud");
  g_assert_cmpuint (haven_request_get_n_items (haven_session_get_removal_request (session)), ==, 0);
}

/* In Arabic, each Latin name, web address and reference in the summary
 * (shown, printed and put in its QR code) is isolated once, so that it
 * keeps its order inside right-to-left sentences. */
static void
test_arabic_isolation (void)
{
  g_autoptr(HavenContent) content = load_shipped_content ();
  g_autoptr(HavenSession) session = make_fraud_session (content);
  HavenRequest *removal = haven_session_get_removal_request (session);
  g_autoptr(GPtrArray) sections = NULL;
  g_autofree char *text = NULL;
  g_autofree char *heading = NULL;
  const char *removal_text;
  const char *next_text;

  haven_locale_apply ("ar");
  haven_session_keep_service (session, "svc-2", "Samaritans");
  haven_request_add_item (removal, "https://example.social/post/123", "example.social", NULL);
  haven_session_set_submission (session, HAVEN_SUBMISSION_SENT, "HV-7K2M-9Q4P", NULL, NULL);
  haven_session_set_report (session, HAVEN_SUBMISSION_QUEUED, "K-0F8C-7E0A");
  sections = haven_summary_build (session, content, "GB");
  text = haven_summary_to_text (sections, 0);

  /* The catalog answered in Arabic. */
  heading = g_strdup (_("Services you chose"));
  g_assert_cmpstr (heading, !=, "Services you chose");
  g_assert_nonnull (strstr (text, heading));

  g_assert_nonnull (strstr (text, "\u2068Samaritans\u2069"));
  g_assert_nonnull (strstr (text, "\u2068Fraud Recovery Clinic, 020 7946 0000\u2069"));
  removal_text = find_section (sections, _("Your request to take content down"));
  g_assert_nonnull (removal_text);
  g_assert_cmpstr (removal_text, ==, "\u2066https://example.social/post/123\u2069");
  next_text = ((HavenSummarySection *) g_ptr_array_index (sections, 0))->text;
  g_assert_nonnull (strstr (next_text, "\u2066HV-7K2M-9Q4P\u2069"));
  g_assert_nonnull (strstr (next_text, "\u2066K-0F8C-7E0A\u2069"));
  /* The sign after the amount, as Arabic writes it. */
  g_assert_cmpstr (find_section (sections, _("Money lost")), ==, "\u20681,250.50\u00a0£\u2069");
  /* Once: nothing is isolated twice. */
  g_assert_null (strstr (text, "\u2068\u2068"));
  g_assert_null (strstr (text, "\u2066\u2066"));

  haven_locale_apply ("en");
}

/* A contact card in Arabic: its name and address are fields of their own,
 * and its numbers and addresses must dial and open, so no isolation marks
 * reach the card even when the values given were isolated for display. */
static void
test_arabic_vcard (void)
{
  g_autofree char *phone = haven_bidi_isolate_ltr ("+44 116 123");
  g_autofree char *url = haven_bidi_isolate_ltr ("https://www.samaritans.org");
  const char *phones[] = { phone, NULL };
  HavenVCardContact contact = {
    .name = "Samaritans",
    .phones = phones,
    .url = url,
  };
  g_autofree char *card = NULL;

  haven_locale_apply ("ar");
  card = haven_vcard_build (&contact);
  g_assert_nonnull (strstr (card, "\r\nFN:Samaritans\r\n"));
  g_assert_nonnull (strstr (card, "\r\nTEL;TYPE=WORK,VOICE:+44 116 123\r\n"));
  g_assert_nonnull (strstr (card, "\r\nURL:https://www.samaritans.org\r\n"));
  g_assert_null (strstr (card, "\u2066"));
  g_assert_null (strstr (card, "\u2069"));
  haven_locale_apply ("en");
}

/* Translated text with Latin names, addresses and numbers in it, as the
 * Arabic catalog has them: each run isolated left to right, its sentence's
 * punctuation left outside, isolates already there left alone. */
static void
test_isolate_runs (void)
{
  g_autofree char *isolated = NULL;

  isolated = haven_bidi_isolate_runs ("Samaritans: للتحدث مع شخص ما");
  /* Its line starts with a right-to-left mark, or Pango would lay it out
   * left to right from the name at its start. */
  g_assert_cmpstr (isolated, ==, "\u200f\u2066Samaritans\u2069: للتحدث مع شخص ما");
  g_clear_pointer (&isolated, g_free);

  isolated = haven_bidi_isolate_runs ("تبدأ الروابط بـ https://.");
  g_assert_cmpstr (isolated, ==, "تبدأ الروابط بـ \u2066https://\u2069.");
  g_clear_pointer (&isolated, g_free);

  isolated = haven_bidi_isolate_runs ("رسالة إلى 08111 129 129، أو \u2068Samaritans\u2069");
  g_assert_cmpstr (isolated, ==, "رسالة إلى \u206608111 129 129\u2069، أو \u2068Samaritans\u2069");
  g_clear_pointer (&isolated, g_free);

  /* Text without right-to-left letters needs nothing. */
  isolated = haven_bidi_isolate_runs ("Samaritans: talk to someone");
  g_assert_cmpstr (isolated, ==, "Samaritans: talk to someone");
  g_clear_pointer (&isolated, g_free);

  isolated = haven_bidi_isolate ("\u2066HV-7K2M\u2069");
  g_assert_cmpstr (isolated, ==, "\u2066HV-7K2M\u2069");
  g_assert_false (haven_bidi_is_isolated ("\u2068a\u2069 \u2068b\u2069"));
}

int
main (int   argc,
      char *argv[])
{
  use_catalogs ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/summary/sections", test_sections);
  g_test_add_func ("/haven/summary/empty-visit", test_empty_visit);
  g_test_add_func ("/haven/summary/what-happens-next", test_what_happens_next);
  g_test_add_func ("/haven/summary/text-is-cut-short", test_text_is_cut_short);
  g_test_add_func ("/haven/summary/report", test_report);
  g_test_add_func ("/haven/summary/report-unknown-date", test_report_unknown_date);
  g_test_add_func ("/haven/summary/category-change", test_category_change);
  g_test_add_func ("/haven/summary/category-change-wipes", test_category_change_wipes);
  g_test_add_func ("/haven/summary/arabic-isolation", test_arabic_isolation);
  g_test_add_func ("/haven/summary/arabic-vcard", test_arabic_vcard);
  g_test_add_func ("/haven/summary/isolate-runs", test_isolate_runs);

  return g_test_run ();
}
