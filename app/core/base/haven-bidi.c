/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-bidi"

#include "config.h"

#include <string.h>

#include "haven-bidi.h"

/* Text of one direction inside a sentence of the other: a service's Latin
 * name, a web address or a phone number in an Arabic sentence. Without
 * isolation the Unicode bidirectional algorithm lets the neutral
 * characters around them (":", "/", spaces) take the sentence's direction,
 * and "https://" reads ".//:https". Each value is isolated once, where it
 * is put into translated text (Unicode TR 9, section 2.7):
 *
 *   U+2066 LEFT-TO-RIGHT ISOLATE  for URLs, phone numbers, emails,
 *                                 references, dates and amounts
 *   U+2068 FIRST STRONG ISOLATE   for names and answers of either direction
 *   U+2069 POP DIRECTIONAL ISOLATE ends either */

#define LRI "\u2066"
#define FSI "\u2068"
#define PDI "\u2069"
/* U+200F RIGHT-TO-LEFT MARK */
#define RLM "\u200f"

static gboolean
is_initiator (gunichar c)
{
  /* LRI, RLI, FSI */
  return c >= 0x2066 && c <= 0x2068;
}

/* After the PDI that ends the isolate starting at @p, or %NULL when the
 * isolate is never closed. */
static const char *
skip_isolate (const char *p)
{
  int depth = 0;

  g_assert (is_initiator (g_utf8_get_char (p)));

  for (; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_initiator (c))
        depth++;
      else if (c == 0x2069 && --depth == 0)
        return g_utf8_next_char (p);
    }

  return NULL;
}

/**
 * haven_bidi_is_isolated:
 *
 * Returns: whether @text is one isolate from its first character to its
 *   last, so that isolating it again would add nothing
 */
gboolean
haven_bidi_is_isolated (const char *text)
{
  const char *end;

  g_return_val_if_fail (text != NULL, FALSE);

  if (!is_initiator (g_utf8_get_char (text)))
    return FALSE;
  end = skip_isolate (text);

  return end != NULL && *end == '\0';
}

static char *
isolate (const char *text,
         const char *initiator)
{
  if (text == NULL)
    return NULL;
  if (text[0] == '\0' || haven_bidi_is_isolated (text))
    return g_strdup (text);

  return g_strconcat (initiator, text, PDI, NULL);
}

/**
 * haven_bidi_isolate:
 * @text: (nullable): a name or an answer, in any script
 *
 * Returns: (transfer full) (nullable): @text between FIRST STRONG ISOLATE
 *   and POP DIRECTIONAL ISOLATE: it takes the direction of its own first
 *   letter and leaves the sentence around it alone; @text itself when it
 *   is isolated already
 */
char *
haven_bidi_isolate (const char *text)
{
  return isolate (text, FSI);
}

/**
 * haven_bidi_isolate_ltr:
 * @text: (nullable): a web address, phone number, email, reference,
 *   date or amount
 *
 * Returns: (transfer full) (nullable): @text between LEFT-TO-RIGHT
 *   ISOLATE and POP DIRECTIONAL ISOLATE: left to right whatever the
 *   sentence's direction; @text itself when it is isolated already
 */
char *
haven_bidi_isolate_ltr (const char *text)
{
  return isolate (text, LRI);
}

typedef enum {
  KIND_NEUTRAL,
  KIND_LTR,
  KIND_RTL,
  KIND_DIGIT,
} CharKind;

static CharKind
classify (gunichar c)
{
  if (c >= '0' && c <= '9')
    return KIND_DIGIT;
  if (!g_unichar_isalpha (c))
    return KIND_NEUTRAL;

  switch ((int) g_unichar_get_script (c))
    {
    case G_UNICODE_SCRIPT_ARABIC:
    case G_UNICODE_SCRIPT_HEBREW:
    case G_UNICODE_SCRIPT_SYRIAC:
    case G_UNICODE_SCRIPT_THAANA:
    case G_UNICODE_SCRIPT_NKO:
    case G_UNICODE_SCRIPT_SAMARITAN:
    case G_UNICODE_SCRIPT_MANDAIC:
    case G_UNICODE_SCRIPT_ADLAM:
      return KIND_RTL;

    case G_UNICODE_SCRIPT_COMMON:
    case G_UNICODE_SCRIPT_INHERITED:
      return KIND_NEUTRAL;

    default:
      return KIND_LTR;
    }
}

static gboolean
has_rtl (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (classify (g_utf8_get_char (p)) == KIND_RTL)
      return TRUE;

  return FALSE;
}

/* The end of the left-to-right run starting at @p: its last letter, digit
 * or slash ("https://") before a right-to-left letter, a line's end or an
 * isolate. Punctuation after it (the colon of "Samaritans:", a full
 * stop) belongs to the sentence around it. */
static const char *
find_run_end (const char *p)
{
  const char *end = g_utf8_next_char (p);

  for (p = end; *p != '\0' && *p != '\n'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      CharKind kind = classify (c);

      if (kind == KIND_RTL || is_initiator (c) || c == 0x2069)
        break;
      if (kind != KIND_NEUTRAL || c == '/')
        end = g_utf8_next_char (p);
    }

  return end;
}

/**
 * haven_bidi_isolate_runs:
 * @text: translated text that may hold names, addresses and numbers
 *   written left to right, such as "Samaritans: …" in Arabic
 *
 * Isolates, left to right, each run of Latin (or other left-to-right)
 * letters and digits in text that holds right-to-left letters; text
 * without any, and isolates already there, are left as they are. Text
 * that then starts with an isolate starts with a right-to-left mark.
 *
 * Returns: (transfer full): the text with its left-to-right runs isolated
 */
char *
haven_bidi_isolate_runs (const char *text)
{
  GString *result;
  const char *p;

  g_return_val_if_fail (text != NULL, NULL);

  if (!has_rtl (text))
    return g_strdup (text);

  result = g_string_sized_new (strlen (text) + 16);
  p = text;
  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char (p);
      CharKind kind = classify (c);
      const char *next = g_utf8_next_char (p);

      if (is_initiator (c))
        {
          const char *end = skip_isolate (p);

          next = end != NULL ? end : p + strlen (p);
          g_string_append_len (result, p, next - p);
        }
      else if (kind == KIND_LTR || kind == KIND_DIGIT)
        {
          next = find_run_end (p);
          g_string_append (result, LRI);
          g_string_append_len (result, p, next - p);
          g_string_append (result, PDI);
        }
      else
        g_string_append_len (result, p, next - p);

      p = next;
    }

  /* Pango takes a paragraph's direction from its first strong letter and
   * does not look past an isolate: a line that starts with a name would be
   * laid out left to right. A right-to-left mark first keeps it the
   * language's. */
  if (is_initiator (g_utf8_get_char (result->str)))
    g_string_prepend (result, RLM);

  return g_string_free (result, FALSE);
}

/**
 * haven_bidi_strip_isolates:
 *
 * Returns: (transfer full) (nullable): @text without isolation marks, for
 *   a value a machine reads: a phone dials "+44 20 7946 0000", not the
 *   number between two invisible characters
 */
char *
haven_bidi_strip_isolates (const char *text)
{
  GString *result;

  if (text == NULL)
    return NULL;

  result = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!is_initiator (c) && c != 0x2069)
        g_string_append_unichar (result, c);
    }

  return g_string_free (result, FALSE);
}
