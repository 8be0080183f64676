/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-request"

#include "config.h"

#include <string.h>

#include "haven-request-envelope.h"
#include "haven-request-private.h"

/* The Haven-Envelope header (data/api/haven-api-v1.md, "The envelope"):
 * an RFC 8941 Dictionary with exactly these members, written in this
 * order by the kiosk:
 *
 *   v=1, kind="removal", category="intimate-images", locale="es",
 *   kiosk="station-12-lobby", child=?0, created="2026-11-27T10:15:00Z"
 *
 *   v         Integer, the envelope's version: 1
 *   kind      String, "removal" or "report": the endpoint's kind
 *   category  String, one of haven_request_get_category_ids()
 *   locale    String, the body's "locale" (en, pt-BR, ...)
 *   kiosk     String, the body's "kiosk_id" (printable ASCII, 1-128)
 *   child     Boolean, the body's "child_involved"
 *   created   String, the body's "created_at": RFC 3339 in UTC ("Z")
 *
 * The parser is strict where RFC 8941 leaves room, because a server that
 * cannot open the body files the case by this header alone: a header
 * longer than HAVEN_REQUEST_ENVELOPE_MAX_HEADER_BYTES, a member given
 * twice (RFC 8941 would keep the last; two of them mean a header glued
 * together from two), parameters, inner lists or a known member of the
 * wrong type are refused. Unknown members are skipped, as RFC 8941 asks,
 * so a later version 1 may add optional members; they must still be
 * well-formed bare items. Its errors are untranslated: they are for the
 * sender, in a 400 body, and never quote a value. */

#define MAX_KEY_LENGTH 64

typedef enum {
  VALUE_INTEGER,
  VALUE_DECIMAL,
  VALUE_STRING,
  VALUE_TOKEN,
  VALUE_BYTES,
  VALUE_BOOLEAN,
} ValueType;

typedef struct {
  ValueType type;
  gint64 integer;
  gboolean boolean;
  /* For a string or a token: its text, unescaped. */
  char *text;
} Value;

static void
value_free (Value *value)
{
  g_free (value->text);
  g_free (value);
}

typedef struct {
  const char *start;
  const char *p;
} Scanner;

static gsize
offset (const Scanner *scanner)
{
  return (gsize) (scanner->p - scanner->start);
}

static gboolean
fail (GError     **error,
      const char  *message)
{
  g_set_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_INVALID,
               HAVEN_API_ENVELOPE_HEADER ": %s", message);
  return FALSE;
}

static gboolean
fail_at (GError        **error,
         const Scanner  *scanner,
         const char     *what)
{
  g_set_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_INVALID,
               HAVEN_API_ENVELOPE_HEADER ": %s at byte %" G_GSIZE_FORMAT, what, offset (scanner));
  return FALSE;
}

static gboolean
is_lcalpha (char c)
{
  return c >= 'a' && c <= 'z';
}

static gboolean
is_tchar (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

static gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/' || c == '=';
}

static void
skip_ows (Scanner *scanner)
{
  while (*scanner->p == ' ' || *scanner->p == '\t')
    scanner->p++;
}

/* RFC 8941 4.2.3.3: a key is lowercase, starting with a letter or "*". */
static char *
parse_key (Scanner  *scanner,
           GError  **error)
{
  const char *start = scanner->p;

  if (!is_lcalpha (*scanner->p) && *scanner->p != '*')
    {
      fail_at (error, scanner, "a member name was expected");
      return NULL;
    }

  while (is_lcalpha (*scanner->p) || g_ascii_isdigit (*scanner->p) ||
         (*scanner->p != '\0' && strchr ("_-.*", *scanner->p) != NULL))
    scanner->p++;

  if (scanner->p - start > MAX_KEY_LENGTH)
    {
      fail_at (error, scanner, "a member name is too long");
      return NULL;
    }

  return g_strndup (start, (gsize) (scanner->p - start));
}

/* RFC 8941 4.2.4: at most 15 digits for an Integer, 12 and 3 for a
 * Decimal. */
static gboolean
parse_number (Scanner  *scanner,
              Value    *value,
              GError  **error)
{
  gboolean negative = FALSE;
  guint integer_digits = 0;
  guint fraction_digits = 0;
  gint64 integer = 0;

  if (*scanner->p == '-')
    {
      negative = TRUE;
      scanner->p++;
    }
  if (!g_ascii_isdigit (*scanner->p))
    return fail_at (error, scanner, "a digit was expected");

  while (g_ascii_isdigit (*scanner->p))
    {
      if (++integer_digits > 15)
        return fail_at (error, scanner, "a number has too many digits");
      integer = integer * 10 + (*scanner->p - '0');
      scanner->p++;
    }

  if (*scanner->p != '.')
    {
      value->type = VALUE_INTEGER;
      value->integer = negative ? -integer : integer;
      return TRUE;
    }

  if (integer_digits > 12)
    return fail_at (error, scanner, "a decimal has too many digits");
  scanner->p++;
  while (g_ascii_isdigit (*scanner->p))
    {
      if (++fraction_digits > 3)
        return fail_at (error, scanner, "a decimal has too many digits");
      scanner->p++;
    }
  if (fraction_digits == 0)
    return fail_at (error, scanner, "a decimal ends with its point");

  value->type = VALUE_DECIMAL;
  return TRUE;
}

/* RFC 8941 4.2.5: printable ASCII, with \" and \\ the only escapes. */
static gboolean
parse_string (Scanner  *scanner,
              Value    *value,
              GError  **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_assert (*scanner->p == '"');
  scanner->p++;

  for (;;)
    {
      char c = *scanner->p;

      if (c == '\0')
        return fail_at (error, scanner, "a string has no closing quote");
      if (c == '"')
        break;
      if (c == '\\')
        {
          scanner->p++;
          c = *scanner->p;
          if (c != '"' && c != '\\')
            return fail_at (error, scanner, "a string has an escape other than \\\" or \\\\");
        }
      else if (c < 0x20 || c > 0x7e)
        {
          return fail_at (error, scanner,
                          "a string holds a character that is not printable ASCII");
        }

      g_string_append_c (text, c);
      scanner->p++;
    }
  scanner->p++;

  value->type = VALUE_STRING;
  value->text = g_string_free (g_steal_pointer (&text), FALSE);
  return TRUE;
}

static gboolean
parse_token (Scanner  *scanner,
             Value    *value,
             GError  **error)
{
  const char *start = scanner->p;

  g_assert (g_ascii_isalpha (*scanner->p) || *scanner->p == '*');
  scanner->p++;
  while (is_tchar (*scanner->p) || *scanner->p == ':' || *scanner->p == '/')
    scanner->p++;

  value->type = VALUE_TOKEN;
  value->text = g_strndup (start, (gsize) (scanner->p - start));
  return TRUE;
}

static gboolean
parse_bytes (Scanner  *scanner,
             Value    *value,
             GError  **error)
{
  g_assert (*scanner->p == ':');
  scanner->p++;
  while (is_base64_char (*scanner->p))
    scanner->p++;
  if (*scanner->p != ':')
    return fail_at (error, scanner, "a byte sequence has no closing colon");
  scanner->p++;

  value->type = VALUE_BYTES;
  return TRUE;
}

static gboolean
parse_boolean (Scanner  *scanner,
               Value    *value,
               GError  **error)
{
  g_assert (*scanner->p == '?');
  scanner->p++;
  if (*scanner->p != '0' && *scanner->p != '1')
    return fail_at (error, scanner, "a boolean must be ?0 or ?1");

  value->type = VALUE_BOOLEAN;
  value->boolean = *scanner->p == '1';
  scanner->p++;
  return TRUE;
}

/* RFC 8941 4.2.3.1 */
static gboolean
parse_bare_item (Scanner  *scanner,
                 Value    *value,
                 GError  **error)
{
  char c = *scanner->p;

  if (c == '-' || g_ascii_isdigit (c))
    return parse_number (scanner, value, error);
  if (c == '"')
    return parse_string (scanner, value, error);
  if (g_ascii_isalpha (c) || c == '*')
    return parse_token (scanner, value, error);
  if (c == ':')
    return parse_bytes (scanner, value, error);
  if (c == '?')
    return parse_boolean (scanner, value, error);
  if (c == '(')
    return fail_at (error, scanner, "inner lists are not allowed");

  return fail_at (error, scanner, "a value was expected");
}

/* The whole dictionary, member name -> Value; NULL on any error. */
static GHashTable *
parse_dictionary (const char  *text,
                  GError     **error)
{
  g_autoptr(GHashTable) members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) value_free);
  Scanner scanner = { text, text };

  /* RFC 8941 4.2: leading and trailing spaces are not part of it. */
  while (*scanner.p == ' ')
    scanner.p++;
  if (*scanner.p == '\0')
    {
      fail (error, "the header is empty");
      return NULL;
    }

  for (;;)
    {
      g_autofree char *key = parse_key (&scanner, error);
      Value *value;

      if (key == NULL)
        return NULL;

      value = g_new0 (Value, 1);
      if (*scanner.p == '=')
        {
          scanner.p++;
          if (!parse_bare_item (&scanner, value, error))
            {
              value_free (value);
              return NULL;
            }
        }
      else
        {
          /* A bare name is a member whose value is ?1. */
          value->type = VALUE_BOOLEAN;
          value->boolean = TRUE;
        }

      if (*scanner.p == ';')
        {
          value_free (value);
          fail_at (error, &scanner, "parameters are not allowed");
          return NULL;
        }

      if (g_hash_table_contains (members, key))
        {
          g_autofree char *message = g_strdup_printf ("the member \"%s\" is given twice", key);

          value_free (value);
          fail (error, message);
          return NULL;
        }
      g_hash_table_insert (members, g_steal_pointer (&key), value);

      skip_ows (&scanner);
      if (*scanner.p == '\0')
        break;
      if (*scanner.p != ',')
        {
          fail_at (error, &scanner, "a comma was expected");
          return NULL;
        }
      scanner.p++;
      skip_ows (&scanner);
      if (*scanner.p == '\0')
        {
          fail_at (error, &scanner, "the header ends with a comma");
          return NULL;
        }
    }

  return g_steal_pointer (&members);
}

static const Value *
get_member (GHashTable  *members,
            const char  *key,
            ValueType    type,
            const char  *type_name,
            GError     **error)
{
  const Value *value = g_hash_table_lookup (members, key);
  g_autofree char *message = NULL;

  if (value == NULL)
    message = g_strdup_printf ("the member \"%s\" is missing", key);
  else if (value->type != type)
    message = g_strdup_printf ("the member \"%s\" must be %s", key, type_name);
  else
    return value;

  fail (error, message);
  return NULL;
}

static const char *
get_string_member (GHashTable  *members,
                   const char  *key,
                   GError     **error)
{
  const Value *value = get_member (members, key, VALUE_STRING, "a string", error);

  return value != NULL ? value->text : NULL;
}

static GDateTime *
parse_time (const char *text)
{
  if (!haven_request_is_rfc3339_utc (text))
    return NULL;

  return g_date_time_new_from_iso8601 (text, NULL);
}

/* What every envelope must hold, whether made here or read from a
 * header: then haven_request_envelope_to_header() of one always parses. */
static gboolean
check_members (const HavenRequestEnvelope  *envelope,
               GError                     **error)
{
  if (envelope->kind != HAVEN_REQUEST_KIND_REMOVAL && envelope->kind != HAVEN_REQUEST_KIND_REPORT)
    return fail (error, "the kind must be \"removal\" or \"report\"");
  if (!haven_request_is_category_id (envelope->category))
    return fail (error, "the category is not one of the API's category ids");
  if (!haven_request_is_locale (envelope->locale))
    return fail (error, "the locale must be a language code such as en or pt-BR");
  if (!haven_request_is_kiosk_id (envelope->kiosk_id))
    return fail (error, "the kiosk id must be 1 to 128 characters of printable ASCII");
  if (envelope->created_at == NULL)
    return fail (error, "the time must be RFC 3339 in UTC, like 2026-11-27T10:15:00Z");

  return TRUE;
}

void
haven_request_envelope_free (HavenRequestEnvelope *envelope)
{
  if (envelope == NULL)
    return;

  g_free (envelope->category);
  g_free (envelope->locale);
  g_free (envelope->kiosk_id);
  g_clear_pointer (&envelope->created_at, g_date_time_unref);
  g_free (envelope);
}

HavenRequestEnvelope *
haven_request_envelope_copy (const HavenRequestEnvelope *envelope)
{
  HavenRequestEnvelope *copy;

  g_return_val_if_fail (envelope != NULL, NULL);

  copy = g_new0 (HavenRequestEnvelope, 1);
  copy->kind = envelope->kind;
  copy->category = g_strdup (envelope->category);
  copy->locale = g_strdup (envelope->locale);
  copy->kiosk_id = g_strdup (envelope->kiosk_id);
  copy->child_involved = envelope->child_involved;
  copy->created_at = envelope->created_at != NULL ? g_date_time_ref (envelope->created_at) : NULL;

  return copy;
}

HavenRequestEnvelope *
haven_request_envelope_new_for_request (HavenRequest  *request,
                                        GError       **error)
{
  g_autoptr(HavenRequestEnvelope) envelope = NULL;

  g_return_val_if_fail (HAVEN_IS_REQUEST (request), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  envelope = g_new0 (HavenRequestEnvelope, 1);
  envelope->kind = haven_request_get_kind (request);
  envelope->category = g_strdup (haven_request_get_category (request));
  envelope->locale = g_strdup (haven_request_get_locale (request));
  envelope->kiosk_id = g_strdup (haven_request_get_kiosk_id (request));
  envelope->child_involved = haven_request_get_child_involved (request);
  envelope->created_at = parse_time (haven_request_get_created_at (request));

  if (!check_members (envelope, error))
    return NULL;

  return g_steal_pointer (&envelope);
}

static void
append_sf_string (GString    *header,
                  const char *text)
{
  g_string_append_c (header, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (header, '\\');
      g_string_append_c (header, *p);
    }
  g_string_append_c (header, '"');
}

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);
  int microsecond = g_date_time_get_microsecond (utc);
  g_autofree char *seconds = NULL;

  /* By hand rather than g_date_time_format(): %Y does not pad years
   * before 1000 to four digits, which RFC 3339 wants. */
  seconds = g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d",
                             g_date_time_get_year (utc), g_date_time_get_month (utc),
                             g_date_time_get_day_of_month (utc), g_date_time_get_hour (utc),
                             g_date_time_get_minute (utc), g_date_time_get_second (utc));
  if (microsecond == 0)
    return g_strconcat (seconds, "Z", NULL);

  return g_strdup_printf ("%s.%06dZ", seconds, microsecond);
}

char *
haven_request_envelope_to_header (const HavenRequestEnvelope *envelope)
{
  g_autoptr(GString) header = NULL;
  g_autofree char *created = NULL;

  g_return_val_if_fail (envelope != NULL, NULL);
  g_return_val_if_fail (check_members (envelope, NULL), NULL);

  header = g_string_new (NULL);
  g_string_append_printf (header, "v=%d, kind=", HAVEN_REQUEST_ENVELOPE_VERSION);
  append_sf_string (header, haven_request_kind_to_string (envelope->kind));
  g_string_append (header, ", category=");
  append_sf_string (header, envelope->category);
  g_string_append (header, ", locale=");
  append_sf_string (header, envelope->locale);
  g_string_append (header, ", kiosk=");
  append_sf_string (header, envelope->kiosk_id);
  g_string_append_printf (header, ", child=?%d, created=", envelope->child_involved ? 1 : 0);
  created = format_time (envelope->created_at);
  append_sf_string (header, created);

  g_assert (header->len <= HAVEN_REQUEST_ENVELOPE_MAX_HEADER_BYTES);
  return g_string_free (g_steal_pointer (&header), FALSE);
}

HavenRequestEnvelope *
haven_request_envelope_parse_header (HavenRequestKind   kind,
                                     const char        *value,
                                     GError           **error)
{
  g_autoptr(GHashTable) members = NULL;
  g_autoptr(HavenRequestEnvelope) envelope = NULL;
  const Value *version;
  const Value *child;
  const char *kind_name;
  const char *created;
  HavenRequestKind header_kind;

  g_return_val_if_fail (kind == HAVEN_REQUEST_KIND_REMOVAL || kind == HAVEN_REQUEST_KIND_REPORT,
                        NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (value == NULL)
    {
      fail (error, "the header is missing");
      return NULL;
    }

  /* Measured without reading past the bound. */
  if (strnlen (value, HAVEN_REQUEST_ENVELOPE_MAX_HEADER_BYTES + 1) >
      HAVEN_REQUEST_ENVELOPE_MAX_HEADER_BYTES)
    {
      g_set_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_TOO_BIG,
                   HAVEN_API_ENVELOPE_HEADER ": the header is longer than %d bytes",
                   HAVEN_REQUEST_ENVELOPE_MAX_HEADER_BYTES);
      return NULL;
    }

  members = parse_dictionary (value, error);
  if (members == NULL)
    return NULL;

  version = get_member (members, "v", VALUE_INTEGER, "an integer", error);
  if (version == NULL)
    return NULL;
  if (version->integer != HAVEN_REQUEST_ENVELOPE_VERSION)
    {
      fail (error, "only version 1 (v=1) is known");
      return NULL;
    }

  kind_name = get_string_member (members, "kind", error);
  if (kind_name == NULL)
    return NULL;
  if (!haven_request_kind_from_string (kind_name, &header_kind))
    {
      fail (error, "the kind must be \"removal\" or \"report\"");
      return NULL;
    }
  if (header_kind != kind)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf ("the kind \"%s\" is not this endpoint's (\"%s\")", kind_name,
                                 haven_request_kind_to_string (kind));

      fail (error, message);
      return NULL;
    }

  envelope = g_new0 (HavenRequestEnvelope, 1);
  envelope->kind = kind;

  if ((envelope->category = g_strdup (get_string_member (members, "category", error))) == NULL ||
      (envelope->locale = g_strdup (get_string_member (members, "locale", error))) == NULL ||
      (envelope->kiosk_id = g_strdup (get_string_member (members, "kiosk", error))) == NULL)
    return NULL;

  child = get_member (members, "child", VALUE_BOOLEAN, "a boolean (?0 or ?1)", error);
  if (child == NULL)
    return NULL;
  envelope->child_involved = child->boolean;

  created = get_string_member (members, "created", error);
  if (created == NULL)
    return NULL;
  envelope->created_at = parse_time (created);

  if (!check_members (envelope, error))
    return NULL;

  return g_steal_pointer (&envelope);
}

gboolean
haven_request_envelope_matches (const HavenRequestEnvelope  *envelope,
                                HavenRequest                *request,
                                GError                     **error)
{
  g_autoptr(GDateTime) created = NULL;

  g_return_val_if_fail (envelope != NULL, FALSE);
  g_return_val_if_fail (HAVEN_IS_REQUEST (request), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  created = parse_time (haven_request_get_created_at (request));

  if (envelope->kind != haven_request_get_kind (request))
    return fail (error, "its kind is not the body's");
  if (g_strcmp0 (envelope->category, haven_request_get_category (request)) != 0)
    return fail (error, "its category is not the body's");
  if (g_strcmp0 (envelope->locale, haven_request_get_locale (request)) != 0)
    return fail (error, "its locale is not the body's");
  if (g_strcmp0 (envelope->kiosk_id, haven_request_get_kiosk_id (request)) != 0)
    return fail (error, "its kiosk is not the body's kiosk_id");
  if (!envelope->child_involved != !haven_request_get_child_involved (request))
    return fail (error, "its child is not the body's child_involved");
  if (envelope->created_at == NULL || created == NULL ||
      !g_date_time_equal (envelope->created_at, created))
    return fail (error, "its created is not the body's created_at");

  return TRUE;
}
