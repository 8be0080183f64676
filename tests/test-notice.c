/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-notice"

#include "config.h"

#include <string.h>

#include "haven-case-document.h"
#include "haven-desk-case-file.h"
#include "haven-notice.h"
#include "json-schema-check.h"
#include "test-casework.h"
#include "test-files.h"

/* The notice builder (app/core/casework/haven-notice.c): a case's
 * addresses grouped by the platform that hosts them, each notice
 * prefilled with the four elements of DSA Art. 16(2), and each export —
 * the package (checked against its JSON Schema and field by field), the
 * web form's text, the email and the letter (read back with pdftotext) —
 * saying the same things. Child sexual abuse material goes to a hotline,
 * without a notifier unless one is chosen. */

#define ORGANISATION_NAME "Example Support Centre"
#define ORGANISATION_EMAIL "notices@support.example.org"
#define FACEBOOK_URL "https://m.facebook.com/story.php?story_fbid=987654321"
#define FACEBOOK_URL_2 "https://www.facebook.com/photo/?fbid=1234567890"
#define UNLISTED_URL "https://files.example.net/a/9f8e7d.jpg"

static const HavenNoticeSettings organisation = {
  .organisation_name = ORGANISATION_NAME,
  .organisation_email = ORGANISATION_EMAIL,
  .trusted_flagger = TRUE,
  .hotline_country = "US",
};

typedef struct {
  HavenContent *content;
  HavenNoticeCrosswalk *crosswalk;
  HavenNoticePlatforms *platforms;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->content = haven_content_load_default (NULL, &error);
  g_assert_no_error (error);
  fixture->crosswalk = haven_notice_crosswalk_load_default (fixture->content, &error);
  g_assert_no_error (error);
  fixture->platforms = haven_notice_platforms_load_default (&error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_assert_finalize_object (fixture->platforms);
  g_assert_finalize_object (fixture->crosswalk);
  g_clear_object (&fixture->content);
}

/* A removal request as a kiosk sends it (unsealed, so no key is needed),
 * opened as the desk opens it. */
static HavenCase *
open_removal (const char *category,
              gboolean    child_involved)
{
  g_autoptr(HavenRequest) request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(HavenCaseInfo) info = NULL;
  g_autoptr(GBytes) body = NULL;
  gsize length = 0;
  char *json;
  HavenCase *opened;

  haven_request_set_category (request, category);
  haven_request_set_child_involved (request, child_involved);
  haven_request_add_item (request, FACEBOOK_URL, NULL, "photo posted without consent");
  haven_request_add_item (request, UNLISTED_URL, NULL, "the same photo on another site");
  haven_request_add_item (request, FACEBOOK_URL_2, NULL, "");
  haven_request_set_reporter_role (request, "self");
  haven_request_set_contact_email (request, "visitor@example.org");
  haven_request_set_consent_to_contact (request, TRUE);
  haven_request_set_declaration_accurate (request, TRUE);
  haven_request_set_declaration_authorised (request, TRUE);
  haven_request_confirm (request, CASEWORK_KIOSK, "es");
  g_assert_true (haven_request_validate (request, NULL));

  json = haven_request_to_json (request, &length);
  body = g_bytes_new_take (json, length);
  object = casework_info_object (request, FALSE);
  info = casework_info_new (object);
  opened = haven_case_open (info, body, FALSE, NULL, &error);
  g_assert_no_error (error);
  return opened;
}

static GPtrArray *
build (Fixture                   *fixture,
       HavenCase                 *opened,
       const HavenNoticeSettings *settings)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *notices = haven_notice_build_all (opened, fixture->crosswalk, fixture->platforms,
                                               settings, &error);

  g_assert_no_error (error);
  g_assert_nonnull (notices);
  return notices;
}

static JsonObject *
package_of (HavenNotice *notice)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = haven_notice_dup_package_json (notice, &error);
  g_autoptr(JsonNode) schema = json_schema_check_load_notice_package ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) errors = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (json);
  root = json_from_string (json, &error);
  g_assert_no_error (error);
  if (!json_schema_check_is_valid (schema, root, &errors))
    {
      for (guint i = 0; i < errors->len; i++)
        g_test_message ("%s", (const char *) g_ptr_array_index (errors, i));
      g_error ("the package of notice %s breaks its schema", haven_notice_get_notice_id (notice));
    }
  return json_object_ref (json_node_get_object (root));
}

static void
assert_strv_array (JsonArray          *array,
                   const char * const *expected,
                   guint               n_expected)
{
  g_assert_cmpuint (json_array_get_length (array), ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    g_assert_cmpstr (json_array_get_string_element (array, i), ==, expected[i]);
}

/* Every member of the package, for a notice of @category as the crosswalk
 * words it. */
static void
assert_package (Fixture      *fixture,
                HavenNotice  *notice,
                HavenRequest *request,
                const char   *category,
                gboolean      csam)
{
  g_autoptr(JsonObject) package = package_of (notice);
  JsonObject *recipient = json_object_get_object_member (package, "recipient");
  JsonObject *channel = json_object_get_object_member (recipient, "channel");
  JsonObject *explanation = json_object_get_object_member (package, "explanation");
  JsonObject *good_faith = json_object_get_object_member (package, "good_faith");
  JsonArray *items = json_object_get_array_member (package, "items");
  JsonArray *articles = json_object_get_array_member (explanation, "convention_articles");
  const char * const *keywords = haven_notice_crosswalk_get_keywords (fixture->crosswalk, category);
  const guint *expected_articles;
  gsize n_articles = 0;
  const char *text;

  g_assert_cmpint (json_object_get_int_member (package, "schema_version"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (package, "notice_id"), ==,
                   haven_notice_get_notice_id (notice));
  g_assert_cmpstr (json_object_get_string_member (package, "case_reference"), ==,
                   haven_request_get_request_id (request));
  g_assert_cmpstr (json_object_get_string_member (package, "language"), ==, "en");
  g_assert_cmpstr (json_object_get_string_member (package, "source_type"), ==,
                   "SOURCE_TRUSTED_FLAGGER");

  /* (a) */
  g_assert_cmpstr (json_object_get_string_member (explanation, "haven_category"), ==, category);
  g_assert_cmpstr (json_object_get_string_member (explanation, "statement_category"), ==,
                   haven_notice_crosswalk_get_statement_category (fixture->crosswalk, category));
  /* The first keyword the crosswalk offers is chosen to start with. */
  if (keywords[0] != NULL)
    assert_strv_array (json_object_get_array_member (explanation, "keywords"), keywords, 1);
  else
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (explanation,
                                                                           "keywords")), ==, 0);
  expected_articles = haven_notice_crosswalk_get_convention_articles (fixture->crosswalk, category,
                                                                      &n_articles);
  g_assert_cmpuint (json_array_get_length (articles), ==, n_articles);
  text = json_object_get_string_member (explanation, "text");
  g_assert_true (g_str_has_prefix (text, haven_notice_get_explanation (notice)));
  g_assert_nonnull (strstr (text, haven_notice_crosswalk_get_statement_category (fixture->crosswalk,
                                                                                 category)));
  for (gsize i = 0; i < n_articles; i++)
    {
      g_autofree char *article = g_strdup_printf ("Article %u, %s.", expected_articles[i],
                                                  haven_notice_crosswalk_get_article_title (
                                                    fixture->crosswalk, expected_articles[i]));

      g_assert_cmpint (json_array_get_int_element (articles, (guint) i), ==, expected_articles[i]);
      g_assert_nonnull (strstr (text, article));
    }

  /* (b) */
  g_assert_cmpuint (json_array_get_length (items), ==, haven_notice_get_n_items (notice));
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      guint index = haven_notice_get_item_index (notice, i);

      g_assert_cmpstr (json_object_get_string_member (item, "url"), ==,
                       haven_request_get_item_url (request, index));
      g_assert_cmpstr (json_object_get_string_member (item, "what_it_shows"), ==,
                       haven_request_get_item_description (request, index) != NULL
                         ? haven_request_get_item_description (request, index) : "");
      g_assert_cmpstr (json_object_get_string_member (item, "content_type"), ==,
                       g_str_has_suffix (haven_request_get_item_url (request, index), ".jpg")
                         ? "CONTENT_TYPE_IMAGE" : "CONTENT_TYPE_OTHER");
    }

  /* (c) */
  if (csam)
    {
      g_assert_cmpstr (json_object_get_string_member (recipient, "kind"), ==, "hotline");
      g_assert_cmpstr (json_object_get_string_member (recipient, "id"), ==, "ncmec");
      g_assert_cmpstr (json_object_get_string_member (recipient, "name"), ==, "CyberTipline");
      g_assert_cmpstr (json_object_get_string_member (channel, "kind"), ==, "web-form");
      g_assert_cmpstr (json_object_get_string_member (channel, "address"), ==,
                       "https://report.cybertip.org/");
      g_assert_false (json_object_has_member (package, "notifier"));
      g_assert_cmpstr (json_object_get_string_member (package, "notifier_choice"), ==,
                       "left-out-under-article-16-2-c");
    }
  else
    {
      JsonObject *notifier = json_object_get_object_member (package, "notifier");

      g_assert_cmpstr (json_object_get_string_member (recipient, "kind"), ==, "platform");
      g_assert_cmpstr (json_object_get_string_member (notifier, "name"), ==, ORGANISATION_NAME);
      g_assert_cmpstr (json_object_get_string_member (notifier, "email"), ==, ORGANISATION_EMAIL);
      g_assert_cmpstr (json_object_get_string_member (package, "notifier_choice"), ==, "given");
    }

  /* (d) */
  g_assert_cmpstr (json_object_get_string_member (good_faith, "statement"), ==,
                   haven_notice_get_good_faith_statement (notice));
  g_assert_true (json_object_get_boolean_member (good_faith, "confirmed"));
}

static char *
decode_quoted_printable (const char *text)
{
  GString *decoded = g_string_new (NULL);

  for (const char *c = text; *c != '\0'; c++)
    {
      if (c[0] == '=' && c[1] == '\r' && c[2] == '\n')
        c += 2;
      else if (c[0] == '=')
        {
          g_assert_true (g_ascii_isxdigit (c[1]) && g_ascii_isxdigit (c[2]));
          g_string_append_c (decoded, (char) (g_ascii_xdigit_value (c[1]) * 16 +
                                              g_ascii_xdigit_value (c[2])));
          c += 2;
        }
      else if (c[0] == '\r' && c[1] == '\n')
        {
          g_string_append_c (decoded, '\n');
          c++;
        }
      else
        g_string_append_c (decoded, *c);
    }
  return g_string_free (decoded, FALSE);
}

/* The letter of @notice as pdftotext reads it, lines joined: pdftotext
 * breaks lines where the page did. */
static char *
letter_text (HavenNotice *notice)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sections = haven_notice_build_sections (notice, &error);
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autofree char *standard_output = NULL;
  g_auto(GStrv) lines = NULL;
  int status = 0;

  g_assert_no_error (error);
  folder = g_dir_make_tmp ("test-notice-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (folder, "letter.pdf", NULL);
  file = g_file_new_for_path (path);
  stream = g_file_create (file, G_FILE_CREATE_PRIVATE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (haven_desk_case_file_write (sections, haven_notice_get_notice_id (notice),
                                             "", G_OUTPUT_STREAM (stream), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &error));

  g_spawn_sync (NULL, (char *[]) { (char *) "pdftotext", (char *) "-enc", (char *) "UTF-8",
                                   path, (char *) "-", NULL },
                NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &standard_output, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  remove_tree (folder);
  lines = g_strsplit (standard_output, "\n", -1);
  return g_strjoinv (" ", lines);
}

/* The same notice in the other three forms: the web form's text, the
 * email (decoded) and the letter each carry its number, recipient, every
 * address, the category's code and the sender, or say it is left out. */
static void
assert_exports (HavenNotice *notice)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = haven_notice_dup_text (notice, &error);
  g_autoptr(GBytes) email = haven_notice_dup_email (notice, &error);
  g_autofree char *message = NULL;
  g_autofree char *body = NULL;
  g_autofree char *letter = letter_text (notice);
  g_autofree char *mailto = haven_notice_dup_mailto_uri (notice, &error);
  g_autofree char *mailto_body = NULL;
  const char *forms[3];

  g_assert_no_error (error);
  message = g_strndup (g_bytes_get_data (email, NULL), g_bytes_get_size (email));
  body = decode_quoted_printable (strstr (message, "\r\n\r\n") + 4);
  g_assert_cmpstr (body, ==, text);
  mailto_body = g_uri_unescape_string (strstr (mailto, "&body=") + strlen ("&body="), NULL);
  forms[0] = text;
  forms[1] = letter;
  forms[2] = mailto_body;

  for (guint f = 0; f < G_N_ELEMENTS (forms); f++)
    {
      g_test_message ("form %u", f);
      g_assert_nonnull (strstr (forms[f], haven_notice_get_notice_id (notice)));
      g_assert_nonnull (strstr (forms[f], haven_notice_get_recipient_name (notice)));
      g_assert_nonnull (strstr (forms[f], haven_notice_get_statement_category (notice)));
      g_assert_nonnull (strstr (forms[f], haven_notice_get_good_faith_statement (notice)));
      for (guint i = 0; i < haven_notice_get_n_items (notice); i++)
        g_assert_nonnull (strstr (forms[f], haven_notice_get_item_url (notice, i)));
      if (haven_notice_get_notifier (notice) == HAVEN_NOTICE_NOTIFIER_LEFT_OUT)
        {
          g_assert_null (strstr (forms[f], ORGANISATION_EMAIL));
          g_assert_nonnull (strstr (forms[f], "left out"));
        }
      else
        g_assert_nonnull (strstr (forms[f], ORGANISATION_EMAIL));
    }
  if (haven_notice_get_notifier (notice) == HAVEN_NOTICE_NOTIFIER_LEFT_OUT)
    g_assert_null (strstr (message, "\r\nFrom:"));
  else
    g_assert_nonnull (strstr (message, "\r\nFrom: " ORGANISATION_NAME " <" ORGANISATION_EMAIL ">\r\n"));
}

/* Every category of the crosswalk: two notices (Facebook, with both of
 * its addresses, and the unlisted host), each package checked member by
 * member, and its text, email, mailto: address and letter with it. */
static void
test_each_category (Fixture       *fixture,
                    gconstpointer  user_data)
{
  const char * const *categories = haven_notice_crosswalk_get_category_ids (fixture->crosswalk);

  g_assert_cmpuint (g_strv_length ((GStrv) categories), ==, 8);
  for (guint c = 0; categories[c] != NULL; c++)
    {
      g_autoptr(HavenCase) opened = open_removal (categories[c], FALSE);
      g_autoptr(GPtrArray) notices = build (fixture, opened, &organisation);
      HavenRequest *request = haven_case_get_request (opened);
      gboolean csam = haven_notice_crosswalk_is_child_abuse_material (fixture->crosswalk,
                                                                      categories[c]);
      HavenNotice *facebook;
      HavenNotice *unlisted;

      g_test_message ("category %s", categories[c]);
      g_assert_cmpuint (notices->len, ==, 2);
      facebook = g_ptr_array_index (notices, 0);
      unlisted = g_ptr_array_index (notices, 1);

      g_assert_cmpstr (haven_notice_get_hosting_provider (facebook), ==, "facebook");
      g_assert_cmpuint (haven_notice_get_n_items (facebook), ==, 2);
      g_assert_cmpuint (haven_notice_get_item_index (facebook, 0), ==, 0);
      g_assert_cmpuint (haven_notice_get_item_index (facebook, 1), ==, 2);
      g_assert_cmpstr (haven_notice_get_hosting_provider (unlisted), ==, "files.example.net");
      g_assert_cmpuint (haven_notice_get_n_items (unlisted), ==, 1);
      g_assert_cmpstr (haven_notice_get_explanation (facebook), !=, "");

      if (!csam)
        {
          g_assert_cmpstr (haven_notice_get_recipient_id (facebook), ==, "facebook");
          g_assert_cmpstr (haven_notice_get_recipient_name (facebook), ==, "Facebook");
          /* The table lists no channel for Facebook: from the content. */
          g_assert_cmpstr (haven_notice_get_channel_kind (facebook), ==, "in-app");
          g_assert_null (haven_notice_get_channel_address (facebook));
          g_assert_cmpstr (haven_notice_get_recipient_id (unlisted), ==, "unlisted");
          g_assert_cmpstr (haven_notice_get_recipient_name (unlisted), ==, "files.example.net");
          g_assert_cmpstr (haven_notice_get_channel_kind (unlisted), ==, "unknown");
        }

      for (guint n = 0; n < notices->len; n++)
        {
          HavenNotice *notice = g_ptr_array_index (notices, n);
          g_autoptr(GError) error = NULL;

          /* Nothing leaves before the caseworker confirms. */
          g_assert_null (haven_notice_dup_package_json (notice, &error));
          g_assert_error (error, HAVEN_NOTICE_ERROR, HAVEN_NOTICE_ERROR_INCOMPLETE);
          haven_notice_set_confirmed (notice, TRUE);
          assert_package (fixture, notice, request, categories[c], csam);
          assert_exports (notice);
        }
    }
}

/* Intimate images of a child are child sexual abuse material: to the
 * hotline, under that category. */
static void
test_child_in_intimate_images (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autoptr(HavenCase) opened = open_removal ("intimate-images", TRUE);
  g_autoptr(GPtrArray) notices = build (fixture, opened, &organisation);

  for (guint n = 0; n < notices->len; n++)
    {
      HavenNotice *notice = g_ptr_array_index (notices, n);

      g_assert_true (haven_notice_is_child_abuse_material (notice));
      g_assert_cmpstr (haven_notice_get_recipient_kind (notice), ==, "hotline");
      g_assert_cmpint (haven_notice_get_notifier (notice), ==, HAVEN_NOTICE_NOTIFIER_LEFT_OUT);
      haven_notice_set_confirmed (notice, TRUE);
      assert_package (fixture, notice, haven_case_get_request (opened), "child-abuse-material",
                      TRUE);
    }
}

/* The child path: no name or email unless the caseworker chooses to give
 * them; then the package says they were given. Any other notice must
 * name its sender. */
static void
test_notifier_choice (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(HavenCase) child = open_removal ("child-abuse-material", FALSE);
  g_autoptr(GPtrArray) child_notices = build (fixture, child, &organisation);
  g_autoptr(HavenCase) adult = open_removal ("harassment", FALSE);
  g_autoptr(GPtrArray) adult_notices = build (fixture, adult, &organisation);
  HavenNotice *notice = g_ptr_array_index (child_notices, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonObject) package = NULL;
  JsonObject *notifier;

  haven_notice_set_confirmed (notice, TRUE);
  text = haven_notice_dup_text (notice, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (text, ORGANISATION_NAME));
  g_assert_null (strstr (text, ORGANISATION_EMAIL));
  g_assert_null (strstr (text, "visitor@example.org"));
  g_assert_nonnull (strstr (text, "The notifier’s name and email are left out"));
  g_assert_nonnull (strstr (text, "The addresses are on: Facebook"));

  haven_notice_set_notifier (notice, HAVEN_NOTICE_NOTIFIER_ORGANISATION, NULL, NULL);
  package = package_of (notice);
  notifier = json_object_get_object_member (package, "notifier");
  g_assert_cmpstr (json_object_get_string_member (notifier, "name"), ==, ORGANISATION_NAME);
  g_assert_cmpstr (json_object_get_string_member (package, "notifier_choice"), ==, "given");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (package,
                                                                                 "recipient"),
                                                  "kind"), ==, "hotline");

  /* The person the organisation supports, only as the caseworker types
   * them; an address that is not one is refused. */
  notice = g_ptr_array_index (adult_notices, 0);
  haven_notice_set_confirmed (notice, TRUE);
  haven_notice_set_notifier (notice, HAVEN_NOTICE_NOTIFIER_PERSON, "  Ana Pérez ", "ana@");
  g_assert_false (haven_notice_check (notice, &error));
  g_assert_error (error, HAVEN_NOTICE_ERROR, HAVEN_NOTICE_ERROR_INCOMPLETE);
  g_clear_error (&error);
  haven_notice_set_notifier (notice, HAVEN_NOTICE_NOTIFIER_PERSON, "  Ana Pérez ",
                             "visitor@example.org");
  g_clear_pointer (&package, json_object_unref);
  package = package_of (notice);
  notifier = json_object_get_object_member (package, "notifier");
  g_assert_cmpstr (json_object_get_string_member (notifier, "name"), ==, "Ana Pérez");
  g_assert_cmpstr (json_object_get_string_member (notifier, "email"), ==, "visitor@example.org");

  haven_notice_set_notifier (notice, HAVEN_NOTICE_NOTIFIER_LEFT_OUT, NULL, NULL);
  g_assert_false (haven_notice_check (notice, &error));
  g_assert_error (error, HAVEN_NOTICE_ERROR, HAVEN_NOTICE_ERROR_INCOMPLETE);
}

/* What a deployment forgot to set, or the caseworker left empty, is
 * refused with words that say what to do. */
static void
test_incomplete (Fixture       *fixture,
                 gconstpointer  user_data)
{
  const HavenNoticeSettings unset = { NULL, NULL, FALSE, NULL };
  g_autoptr(HavenCase) opened = open_removal ("impersonation", FALSE);
  g_autoptr(GPtrArray) notices = build (fixture, opened, &unset);
  HavenNotice *notice = g_ptr_array_index (notices, 0);
  g_autoptr(GError) error = NULL;

  haven_notice_set_confirmed (notice, TRUE);
  g_assert_false (haven_notice_check (notice, &error));
  g_assert_nonnull (strstr (error->message, "notifier-name"));
  g_clear_error (&error);

  haven_notice_set_notifier (notice, HAVEN_NOTICE_NOTIFIER_PERSON, "Ana", "ana@example.org");
  g_assert_true (haven_notice_check (notice, &error));
  g_assert_cmpstr (haven_notice_get_source_type (notice), ==, "SOURCE_ARTICLE_16");

  haven_notice_set_explanation (notice, " \n ");
  g_assert_false (haven_notice_check (notice, &error));
  g_assert_nonnull (strstr (error->message, "why the content is illegal"));
  g_clear_error (&error);

  haven_notice_set_explanation (notice, "The account copies her photos and name.");
  haven_notice_set_keyword_chosen (notice, "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING", FALSE);
  haven_notice_set_keyword_chosen (notice, "KEYWORD_INAUTHENTIC_ACCOUNTS", TRUE);
  /* Not offered for the category: ignored. */
  haven_notice_set_keyword_chosen (notice, "KEYWORD_NUDITY", TRUE);
  {
    g_autoptr(JsonObject) package = package_of (notice);
    JsonObject *explanation = json_object_get_object_member (package, "explanation");
    const char * const expected[] = { "KEYWORD_INAUTHENTIC_ACCOUNTS" };

    assert_strv_array (json_object_get_array_member (explanation, "keywords"), expected, 1);
    g_assert_true (g_str_has_prefix (json_object_get_string_member (explanation, "text"),
                                     "The account copies her photos and name.\n\n"));
  }

  /* A report has no addresses. */
  {
    g_autoptr(HavenRequest) report = casework_make_report ();
    gsize length = 0;
    char *json = haven_request_to_json (report, &length);
    g_autoptr(GBytes) body = g_bytes_new_take (json, length);
    g_autoptr(JsonObject) object = casework_info_object (report, FALSE);
    g_autoptr(HavenCaseInfo) info = casework_info_new (object);
    g_autoptr(HavenCase) report_case = haven_case_open (info, body, FALSE, NULL, &error);

    g_assert_no_error (error);
    g_assert_null (haven_notice_build_all (report_case, fixture->crosswalk, fixture->platforms,
                                           &organisation, &error));
    g_assert_error (error, HAVEN_NOTICE_ERROR, HAVEN_NOTICE_ERROR_NO_ADDRESSES);
  }
}

static HavenNotice *
confirmed_notice (GPtrArray *notices,
                  guint      position)
{
  HavenNotice *notice = g_ptr_array_index (notices, position);

  haven_notice_set_confirmed (notice, TRUE);
  return notice;
}

/* Without a country, the hotline is INHOPE's network, which publishes no
 * form of its own: the notice says to report as its page explains, and
 * its package says the channel is unknown. */
static void
test_hotline_network (Fixture       *fixture,
                      gconstpointer  user_data)
{
  const HavenNoticeSettings no_country = { ORGANISATION_NAME, ORGANISATION_EMAIL, FALSE, NULL };
  g_autoptr(HavenCase) opened = open_removal ("child-abuse-material", FALSE);
  g_autoptr(GPtrArray) notices = build (fixture, opened, &no_country);
  HavenNotice *notice = g_ptr_array_index (notices, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonObject) package = NULL;
  JsonObject *recipient;

  haven_notice_set_confirmed (notice, TRUE);
  g_assert_cmpstr (haven_notice_get_recipient_id (notice), ==, "inhope");
  g_assert_cmpstr (haven_notice_get_channel_kind (notice), ==, "unknown");
  text = haven_notice_dup_text (notice, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "Send it through: the hotline’s own reporting page.\n"
                                  "How to send it: https://www.inhope.org/EN\n"));
  g_assert_cmpstr (haven_notice_get_source_type (notice), ==, "SOURCE_ARTICLE_16");
  package = package_of (notice);
  recipient = json_object_get_object_member (package, "recipient");
  g_assert_cmpstr (json_object_get_string_member (recipient, "kind"), ==, "hotline");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (recipient,
                                                                                 "channel"),
                                                  "kind"), ==, "unknown");
}

/* The web form's text: every section, the addresses in order. */
static void
test_text (Fixture       *fixture,
           gconstpointer  user_data)
{
  g_autoptr(HavenCase) opened = open_removal ("intimate-images", FALSE);
  g_autoptr(GPtrArray) notices = build (fixture, opened, &organisation);
  HavenNotice *notice = confirmed_notice (notices, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = haven_notice_dup_text (notice, &error);
  g_autofree char *expected_items = g_strdup_printf ("Where the content is (exact addresses)\n"
                                                     "1. %s\n"
                                                     "   What it shows: photo posted without consent\n"
                                                     "   Kind of content: Other (CONTENT_TYPE_OTHER)\n"
                                                     "2. %s\n"
                                                     "   Kind of content: Other (CONTENT_TYPE_OTHER)\n",
                                                     FACEBOOK_URL, FACEBOOK_URL_2);
  g_autofree char *number = g_strdup_printf ("Notice number: %s\n",
                                             haven_notice_get_notice_id (notice));
  const char *headings[] = { "To\nFacebook (Meta Platforms Ireland Limited",
                             "\n\nNotice of illegal content\nA notice of illegal content under "
                             "Article 16 of the EU Digital Services Act",
                             "\n\nWhy the content is illegal\n",
                             "\n\nWhere the content is (exact addresses)\n",
                             "\n\nWho sends this notice\n" ORGANISATION_NAME "\n"
                             ORGANISATION_EMAIL "\n",
                             "\n\nStatement of good faith\n" };
  const char *at = text;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (headings); i++)
    {
      const char *found = strstr (at, headings[i]);

      g_test_message ("heading %u", i);
      g_assert_nonnull (found);
      at = found + 1;
    }
  g_assert_nonnull (strstr (text, expected_items));
  g_assert_nonnull (strstr (text, number));
  g_assert_nonnull (strstr (text, "Send it through: the report option on the content itself"));
  g_assert_nonnull (strstr (text, "It comes from a trusted flagger"));
  g_assert_nonnull (strstr (text, "Type of illegal content, as the DSA Transparency Database "
                                  "names it: Cyber violence (STATEMENT_CATEGORY_CYBER_VIOLENCE)."));
  g_assert_nonnull (strstr (text, "Specifically: Non consensual image sharing "
                                  "(KEYWORD_NON_CONSENSUAL_IMAGE_SHARING)."));
  g_assert_nonnull (strstr (text, "Offence under the United Nations Convention against "
                                  "Cybercrime: Article 16, Non-consensual dissemination of "
                                  "intimate images."));
  g_assert_null (strstr (text, UNLISTED_URL));
  g_assert_true (g_str_has_suffix (text, "Confirmed by the notifier.\n"));
}

/* The email: a draft with the notifier as sender, the subject encoded,
 * and the same text as the web form once decoded, in lines of at most 76
 * characters. */
static void
test_email (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_autoptr(HavenCase) opened = open_removal ("harassment", FALSE);
  g_autoptr(GPtrArray) notices = build (fixture, opened, &organisation);
  HavenNotice *notice = confirmed_notice (notices, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) email = NULL;
  g_autofree char *message = NULL;
  g_autofree char *text = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *mailto = NULL;
  g_autofree char *unescaped = NULL;
  g_auto(GStrv) lines = NULL;
  const char *body;

  haven_notice_set_notifier (notice, HAVEN_NOTICE_NOTIFIER_PERSON, "Ana Pérez",
                             "visitor@example.org");
  email = haven_notice_dup_email (notice, &error);
  g_assert_no_error (error);
  message = g_strndup (g_bytes_get_data (email, NULL), g_bytes_get_size (email));
  text = haven_notice_dup_text (notice, &error);
  g_assert_no_error (error);
  subject = g_strdup_printf ("Subject: Notice of illegal content (DSA Article 16), notice %s\r\n",
                             haven_notice_get_notice_id (notice));

  g_assert_true (g_str_has_prefix (message, "X-Unsent: 1\r\n"));
  g_assert_nonnull (strstr (message, "\r\nFrom: =?UTF-8?B?QW5hIFDDqXJleg==?= <visitor@example.org>\r\n"));
  g_assert_nonnull (strstr (message, subject));
  g_assert_nonnull (strstr (message, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"));
  g_assert_nonnull (strstr (message, "\r\nContent-Transfer-Encoding: quoted-printable\r\n"));
  g_assert_nonnull (strstr (message, "\r\nContent-Language: en\r\n"));
  g_assert_true (g_regex_match_simple ("\r\nDate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d "
                                       "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                                       "\\d{4} \\d\\d:\\d\\d:\\d\\d \\+0000\r\n", message, 0, 0));
  /* Facebook publishes no email address: the caseworker addresses it. */
  g_assert_null (strstr (message, "\r\nTo:"));

  body = strstr (message, "\r\n\r\n");
  g_assert_nonnull (body);
  body += 4;
  lines = g_strsplit (body, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_assert_cmpuint (strlen (lines[i]), <=, 76);
      for (const char *c = lines[i]; *c != '\0'; c++)
        g_assert_cmpint ((guchar) *c, <, 0x80);
    }
  decoded = decode_quoted_printable (body);
  g_assert_cmpstr (decoded, ==, text);

  /* mailto: the same subject and text, CRLF line ends. */
  mailto = haven_notice_dup_mailto_uri (notice, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (mailto, "mailto:?subject=Notice%20of%20illegal%20content"));
  unescaped = g_uri_unescape_string (strstr (mailto, "&body=") + strlen ("&body="), NULL);
  {
    g_auto(GStrv) text_lines = g_strsplit (text, "\n", -1);
    g_autofree char *crlf = g_strjoinv ("\r\n", text_lines);

    g_assert_cmpstr (unescaped, ==, crlf);
  }
}

/* The letter: the same sections as an A4 PDF, read back. */
static void
test_letter (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(HavenCase) opened = open_removal ("child-abuse-material", FALSE);
  g_autoptr(GPtrArray) notices = build (fixture, opened, &organisation);
  HavenNotice *notice = confirmed_notice (notices, 1);
  g_autofree char *flat = letter_text (notice);

  g_test_message ("%s", flat);
  g_assert_nonnull (strstr (flat, "CyberTipline (National Center for Missing & Exploited Children)"));
  g_assert_nonnull (strstr (flat, "The addresses are on: files.example.net"));
  g_assert_nonnull (strstr (flat, UNLISTED_URL));
  g_assert_nonnull (strstr (flat, "A report of child sexual abuse material"));
  g_assert_nonnull (strstr (flat, "It holds addresses only, no image."));
  g_assert_nonnull (strstr (flat, haven_notice_get_notice_id (notice)));
  g_assert_nonnull (strstr (flat, "Statement of good faith"));
  g_assert_nonnull (strstr (flat, "left out"));
  g_assert_null (strstr (flat, ORGANISATION_EMAIL));
  g_assert_null (strstr (flat, FACEBOOK_URL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/haven/notice/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("each-category", test_each_category);
  ADD ("child-in-intimate-images", test_child_in_intimate_images);
  ADD ("notifier-choice", test_notifier_choice);
  ADD ("incomplete", test_incomplete);
  ADD ("hotline-network", test_hotline_network);
  ADD ("text", test_text);
  ADD ("email", test_email);
  ADD ("letter", test_letter);
#undef ADD

  return g_test_run ();
}
