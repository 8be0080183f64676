/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-request"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-checks.h"
#include "haven-request.h"
#include "haven-request-private.h"
#include "haven-wipe.h"

/* Checking a request against haven-api-v1.md: haven_request_validate()
 * for one about to be confirmed, haven_request_validate_draft() for one
 * still being written. The result is a table of field errors, field path
 * ("items[0].url") -> a translated message for the visitor.
 *
 * Bounds that haven-api-v1.md leaves open, chosen so that a body within
 * them stays well under 256 KiB in the common case; the size of the whole
 * body is checked as well ("body" in the field errors) because four-byte
 * characters could still add up past it. */
#define MAX_PLATFORM_LENGTH     253
#define MAX_EMAIL_LENGTH        254
#define MAX_PHONE_LENGTH        32
#define MAX_SUMMARY_LENGTH      10000
#define MAX_ANSWERS             50
#define MAX_ANSWER_LENGTH       2000
#define MAX_QUESTION_ID_LENGTH  64
#define MAX_EVIDENCE            50
#define MAX_EVIDENCE_LENGTH     200

static const char * const reporter_roles[] = {
  "self",
  "parent-or-guardian",
  "authorised-representative",
  NULL,
};

static void
add_error (GHashTable *errors,
           const char *path,
           const char *message)
{
  /* The first problem found with a field is the one to fix first. */
  if (!g_hash_table_contains (errors, path))
    g_hash_table_insert (errors, g_strdup (path), g_strdup (message));
}

/* C0 and C1 controls and DEL; @allow_newline lets "\n" through for text
 * that may have lines. */
static gboolean
has_control_characters (const char *text,
                        gboolean    allow_newline)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' && allow_newline)
        continue;
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
        return TRUE;
    }

  return FALSE;
}

typedef enum {
  TEXT_SINGLE_LINE,
  TEXT_MULTI_LINE,
} TextKind;

/* The checks every string shares. Returns FALSE after adding an error. */
static gboolean
check_text (GHashTable *errors,
            const char *path,
            const char *text,
            TextKind    text_kind,
            glong       max_length,
            const char *too_long_message)
{
  if (!g_utf8_validate (text, -1, NULL))
    {
      add_error (errors, path, _("Enter this text again: part of it could not be read"));
      return FALSE;
    }

  if (has_control_characters (text, text_kind == TEXT_MULTI_LINE))
    {
      if (text_kind == TEXT_MULTI_LINE)
        add_error (errors, path, _("Remove the special characters from this text"));
      else
        add_error (errors, path,
                   _("Remove the line breaks and special characters from this text"));
      return FALSE;
    }

  if (g_utf8_strlen (text, -1) > max_length)
    {
      add_error (errors, path, too_long_message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
is_url_character (gunichar c)
{
  /* Spaces and invisible formatting characters (bidirectional overrides,
   * zero-width joiners) have no place in an address, and can make one look
   * like another. */
  return !g_unichar_isspace (c) && g_unichar_type (c) != G_UNICODE_FORMAT;
}

static void
check_url (GHashTable *errors,
           const char *path,
           const char *url)
{
  const char *enter_url = _("Enter the web address, starting with https://");
  g_autofree char *host = NULL;

  if (url == NULL)
    {
      add_error (errors, path, enter_url);
      return;
    }

  if (!check_text (errors, path, url, TEXT_SINGLE_LINE, HAVEN_REQUEST_MAX_URL_LENGTH,
                   _("Enter a web address of at most 2,048 characters")))
    return;

  for (const char *p = url; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (!is_url_character (g_utf8_get_char (p)))
        {
          add_error (errors, path, _("Remove the spaces from the web address"));
          return;
        }
    }

  host = haven_request_platform_for_url (url);
  if (host == NULL)
    add_error (errors, path, enter_url);
}

static void
check_optional_text (GHashTable *errors,
                     const char *path,
                     const char *text,
                     TextKind    text_kind,
                     glong       max_length,
                     const char *too_long_message)
{
  if (text != NULL)
    check_text (errors, path, text, text_kind, max_length, too_long_message);
}

static gboolean
matches (const char *pattern,
         const char *text)
{
  return g_regex_match_simple (pattern, text, G_REGEX_DEFAULT, G_REGEX_MATCH_DEFAULT);
}

static void
check_email (GHashTable *errors,
             const char *email)
{
  const char *path = "reporter.contact.email";
  const char *message = _("Enter an email address like name@example.org");

  if (!check_text (errors, path, email, TEXT_SINGLE_LINE, MAX_EMAIL_LENGTH, message))
    return;

  /* Deliberately loose: one "@", something on each side, a dot in the
   * domain. A stricter check refuses real addresses. */
  if (!matches ("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))
    add_error (errors, path, message);
}

static void
check_phone (GHashTable *errors,
             const char *phone)
{
  const char *path = "reporter.contact.phone";
  const char *message = _("Enter a phone number in digits, like +44 20 7946 0000");
  guint digits = 0;

  if (!check_text (errors, path, phone, TEXT_SINGLE_LINE, MAX_PHONE_LENGTH, message))
    return;

  /* Digits and the marks people put between them; three digits at least
   * so that "+" or "()" alone is not a number. */
  for (const char *p = phone; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits++;
    }
  if (digits < 3 || !matches ("^\\+?[0-9 ()./-]+$", phone))
    add_error (errors, path, message);
}

gboolean
haven_request_is_rfc3339_utc (const char *text)
{
  g_autoptr(GDateTime) time = NULL;

  /* Only the "Z" form: haven-api-v1.md wants UTC, and one spelling of it keeps the
   * bodies comparable. */
  if (text == NULL ||
      !matches ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$", text))
    return FALSE;

  time = g_date_time_new_from_iso8601 (text, NULL);
  return time != NULL;
}

/* Printable ASCII only: the kiosk id travels in the Haven-Envelope header
 * too, as a structured-field string, which holds nothing else. */
gboolean
haven_request_is_kiosk_id (const char *kiosk_id)
{
  gsize length;

  if (kiosk_id == NULL)
    return FALSE;

  length = strlen (kiosk_id);
  if (length == 0 || length > HAVEN_REQUEST_MAX_KIOSK_ID_LENGTH)
    return FALSE;

  for (const char *p = kiosk_id; *p != '\0'; p++)
    {
      if (*p < 0x20 || *p > 0x7e)
        return FALSE;
    }

  return TRUE;
}

gboolean
haven_request_is_locale (const char *locale)
{
  return locale != NULL && strlen (locale) <= HAVEN_REQUEST_MAX_LOCALE_LENGTH &&
         matches ("^[A-Za-z]{2,8}([_-][A-Za-z0-9]{1,8})*$", locale);
}

static void
check_reporter (HavenRequest *self,
                GHashTable   *errors)
{
  if (self->role == NULL || !g_strv_contains (reporter_roles, self->role))
    add_error (errors, "reporter.role",
               _("Choose whether this is about you or someone you act for"));

  if (self->email != NULL)
    check_email (errors, self->email);
  if (self->phone != NULL)
    check_phone (errors, self->phone);

  if (self->consent_to_contact && self->email == NULL && self->phone == NULL)
    add_error (errors, "reporter.contact",
               _("Give an email address or a phone number, or choose not to be contacted"));
}

static void
check_items (HavenRequest *self,
             GHashTable   *errors)
{
  if (self->items->len == 0)
    add_error (errors, "items", _("Add the web address of at least one page"));
  else if (self->items->len > HAVEN_REQUEST_MAX_ITEMS)
    add_error (errors, "items",
               _("Remove some web addresses: up to 20 can be sent at a time"));

  /* Too many is one error; the items past the limit get none of their own. */
  for (guint i = 0; i < MIN (self->items->len, HAVEN_REQUEST_MAX_ITEMS); i++)
    {
      HavenRequestItem *item = g_ptr_array_index (self->items, i);
      g_autofree char *url_path = g_strdup_printf ("items[%u].url", i);
      g_autofree char *platform_path = g_strdup_printf ("items[%u].platform", i);
      g_autofree char *description_path = g_strdup_printf ("items[%u].description", i);

      check_url (errors, url_path, item->url);
      check_optional_text (errors, platform_path, item->platform, TEXT_SINGLE_LINE,
                           MAX_PLATFORM_LENGTH,
                           _("Shorten the name of the website to 253 characters or fewer"));
      check_optional_text (errors, description_path, item->description, TEXT_MULTI_LINE,
                           HAVEN_REQUEST_MAX_DESCRIPTION_LENGTH,
                           _("Shorten the description to 1,000 characters or fewer"));
    }
}

static void
check_declaration (HavenRequest *self,
                   GHashTable   *errors)
{
  if (!self->accurate)
    add_error (errors, "declaration.accurate",
               _("Confirm that what you have told us is true, as far as you know"));
  if (!self->authorised)
    add_error (errors, "declaration.authorised",
               _("Confirm that you may ask for this content to be removed"));
}

static void
check_incident (HavenRequest *self,
                GHashTable   *errors)
{
  GHashTableIter iter;
  gpointer key, value;

  if (self->started_on != NULL && !haven_check_iso_date (self->started_on))
    add_error (errors, "incident.started_on",
               _("Enter the date as year, month and day, like 2026-11-20"));

  check_optional_text (errors, "incident.summary", self->summary, TEXT_MULTI_LINE,
                       MAX_SUMMARY_LENGTH,
                       _("Shorten what happened to 10,000 characters or fewer"));

  if (self->losses_amount != NULL || self->losses_currency != NULL)
    {
      if (self->losses_amount == NULL ||
          !matches ("^[0-9]{1,15}(\\.[0-9]{1,4})?$", self->losses_amount))
        add_error (errors, "incident.losses.amount",
                   _("Enter the amount in figures, like 250.00"));
      if (self->losses_currency == NULL || !matches ("^[A-Z]{3}$", self->losses_currency))
        add_error (errors, "incident.losses.currency",
                   _("Choose the currency, like EUR or USD"));
    }

  if (g_hash_table_size (self->answers) > MAX_ANSWERS)
    add_error (errors, "incident.answers", _("Answer at most 50 questions"));

  g_hash_table_iter_init (&iter, self->answers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *path = g_strdup_printf ("incident.answers.%s", (const char *) key);

      /* Question ids come from the content definitions, not the visitor. */
      if (!matches ("^[a-z0-9][a-z0-9._-]*$", key) ||
          strlen (key) > MAX_QUESTION_ID_LENGTH)
        add_error (errors, path, _("Use a question id of lowercase letters, digits and -"));
      else
        check_text (errors, path, value, TEXT_MULTI_LINE, MAX_ANSWER_LENGTH,
                    _("Shorten this answer to 2,000 characters or fewer"));
    }
}

static void
check_evidence (HavenRequest *self,
                GHashTable   *errors)
{
  if (self->evidence->len > MAX_EVIDENCE)
    add_error (errors, "evidence", _("List at most 50 things you have kept"));

  for (guint i = 0; i < self->evidence->len; i++)
    {
      const char *evidence = g_ptr_array_index (self->evidence, i);
      g_autofree char *path = g_strdup_printf ("evidence[%u]", i);

      if (evidence == NULL)
        add_error (errors, path, _("Describe what you have kept, in a few words"));
      else
        check_text (errors, path, evidence, TEXT_SINGLE_LINE, MAX_EVIDENCE_LENGTH,
                    _("Shorten this to 200 characters or fewer"));
    }
}

static void
check_envelope (HavenRequest *self,
                GHashTable   *errors)
{
  if (!haven_request_is_uuid_v4 (self->request_id))
    add_error (errors, "request_id", _("Give the request a random (version 4) UUID"));

  if (!haven_request_is_rfc3339_utc (self->created_at))
    add_error (errors, "created_at", _("Give the time in UTC, like 2026-11-27T10:15:00Z"));

  if (self->kiosk_id == NULL)
    add_error (errors, "kiosk_id", _("Set the kiosk-id setting to this kiosk’s name"));
  else if (check_text (errors, "kiosk_id", self->kiosk_id, TEXT_SINGLE_LINE,
                       HAVEN_REQUEST_MAX_KIOSK_ID_LENGTH,
                       _("Shorten the kiosk-id setting to 128 characters or fewer")) &&
           !haven_request_is_kiosk_id (self->kiosk_id))
    add_error (errors, "kiosk_id",
               _("Use only unaccented letters, digits and punctuation in the kiosk-id setting"));

  if (!haven_request_is_locale (self->locale))
    add_error (errors, "locale", _("Give the language as a code such as en or pt-BR"));
}

static gboolean
validate (HavenRequest  *self,
          gboolean       envelope,
          GHashTable   **field_errors)
{
  g_autoptr(GHashTable) errors = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                        g_free, g_free);
  GHashTableIter iter;
  gpointer path;

  g_hash_table_iter_init (&iter, self->malformed);
  while (g_hash_table_iter_next (&iter, &path, NULL))
    {
      if (envelope || !g_strv_contains ((const char * const[]) {
            "request_id", "created_at", "kiosk_id", "locale", NULL }, path))
        add_error (errors, path, _("Enter this again: it is not in a form Haven can read"));
    }

  if (envelope)
    check_envelope (self, errors);

  if (!haven_request_is_category_id (self->category))
    add_error (errors, "category", _("Choose what happened"));

  check_reporter (self, errors);

  if (self->kind == HAVEN_REQUEST_KIND_REMOVAL)
    {
      check_items (self, errors);
      check_declaration (self, errors);
    }
  else
    {
      check_incident (self, errors);
      check_evidence (self, errors);
    }

  /* Only a request that is otherwise valid is measured, since the size of
   * one that is not says little. */
  if (g_hash_table_size (errors) == 0)
    {
      gsize length = 0;
      char *json = haven_request_to_json (self, &length);

      haven_wipe_string (json);
      if (length > HAVEN_REQUEST_MAX_BODY_BYTES)
        add_error (errors, "body", _("Shorten your answers: this request is too long to send"));
    }

  if (g_hash_table_size (errors) == 0)
    {
      if (field_errors != NULL)
        *field_errors = NULL;
      return TRUE;
    }

  if (field_errors != NULL)
    *field_errors = g_steal_pointer (&errors);
  return FALSE;
}

gboolean
haven_request_validate (HavenRequest  *self,
                        GHashTable   **field_errors)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), FALSE);

  return validate (self, TRUE, field_errors);
}

gboolean
haven_request_validate_draft (HavenRequest  *self,
                              GHashTable   **field_errors)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), FALSE);

  return validate (self, FALSE, field_errors);
}
