/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-json"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-json.h"

/* Every JSON document from outside Haven (a request handed to havenctl or
 * the receiver, the backend's answers, what the directory stored) is read
 * through haven_json_load(): json-glib has no bound on nesting and recurses
 * once per level, so 100,000 "[" in a body under every size limit would
 * overflow the stack; and an empty body makes json_parser_load_from_data()
 * fail without saying why. The errors here never quote the document, which
 * may hold a visitor's words. */

G_DEFINE_QUARK (haven-json-error-quark, haven_json_error)

/* What JSON may hold outside its strings: punctuation, white space, the
 * characters of numbers and those of true, false and null. */
#define JSON_OUTSIDE_STRINGS "{}[],:\" \t\n\r-+.0123456789eEtruefalsn"

/* The value of the four hex digits at @data, or -1 when there are not
 * four. */
static int
read_hex4 (const char *data,
           gsize       available)
{
  int value = 0;

  if (available < 4)
    return -1;

  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (data[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }

  return value;
}

/* Looks through @data once, as far as the first thing it refuses:
 * nesting deeper than HAVEN_JSON_MAX_DEPTH (brackets inside strings do not
 * count), a string holding "\u0000", or a "\u" escape that is not four hex
 * digits making a character. json-glib would decode "\u0000" into a C
 * string cut at the NUL, so what is checked would be shorter than what is
 * kept; json-glib 1.6 leaks memory on a surrogate pair it finds malformed,
 * and keeps a lone surrogate or a short escape as text that is not the
 * document's. Nor may anything but white space follow the document's one
 * value: json-glib 1.6 takes "5 {…}" for 5 and leaks the object; nor may
 * anything JSON does not have stand outside strings. */
static gboolean
scan (const char  *data,
      gsize        length,
      GError     **error)
{
  enum { BEFORE_VALUE, IN_SCALAR, AFTER_VALUE } top = BEFORE_VALUE;
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\' && i + 1 < length)
            {
              int value;

              i++;
              if (data[i] != 'u')
                continue;

              value = read_hex4 (data + i + 1, length - i - 1);
              if (value == 0)
                {
                  g_set_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_NUL,
                               _("It holds a NUL character"));
                  return FALSE;
                }
              if (value >= 0xd800 && value <= 0xdbff && length - i - 5 >= 2 &&
                  data[i + 5] == '\\' && data[i + 6] == 'u')
                {
                  int low = read_hex4 (data + i + 7, length - i - 7);

                  /* The pair is one character. */
                  if (low >= 0xdc00 && low <= 0xdfff)
                    {
                      i += 10;
                      continue;
                    }
                }
              if (value < 0 || (value >= 0xd800 && value <= 0xdfff))
                {
                  g_set_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_SYNTAX,
                               _("It is not valid JSON"));
                  return FALSE;
                }
              i += 4;
            }
          else if (c == '"')
            {
              in_string = FALSE;
              if (depth == 0)
                top = AFTER_VALUE;
            }
          continue;
        }

      /* Outside strings JSON has its punctuation, numbers and three
       * literals, nothing else. json-glib's scanner also reads strings in
       * single quotes, identifiers and comments, where the checks above
       * would not look. */
      if (strchr (JSON_OUTSIDE_STRINGS, c) == NULL || c == '\0')
        {
          g_set_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_SYNTAX,
                       _("It is not valid JSON"));
          return FALSE;
        }

      if (depth == 0)
        {
          gboolean space = c == ' ' || c == '\t' || c == '\n' || c == '\r';

          if (space)
            {
              if (top == IN_SCALAR)
                top = AFTER_VALUE;
              continue;
            }
          if (top == AFTER_VALUE || (top == IN_SCALAR && (c == '"' || c == '[' || c == '{')))
            {
              g_set_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_SYNTAX,
                           _("It is not valid JSON"));
              return FALSE;
            }
          if (c != '"' && c != '[' && c != '{')
            {
              top = IN_SCALAR;
              continue;
            }
        }

      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > HAVEN_JSON_MAX_DEPTH)
            {
              g_set_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_TOO_DEEP,
                           ngettext ("It is nested more than %u level deep",
                                     "It is nested more than %u levels deep",
                                     HAVEN_JSON_MAX_DEPTH),
                           HAVEN_JSON_MAX_DEPTH);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        {
          if (--depth == 0)
            top = AFTER_VALUE;
        }
    }

  return TRUE;
}

/**
 * haven_json_load:
 * @parser: the parser to load into
 * @data: (nullable): the document
 * @length: its length, or -1 when it ends with a NUL
 *
 * Loads a document from outside Haven into @parser, refusing an empty
 * one, one with a NUL (a byte, or "\u0000" in a string), and one nested
 * deeper than HAVEN_JSON_MAX_DEPTH before json-glib reads it.
 *
 * Returns: whether @parser holds the document; otherwise @error says why,
 *   without quoting it
 */
gboolean
haven_json_load (JsonParser  *parser,
                 const char  *data,
                 gssize       length,
                 GError     **error)
{
  gsize size;

  g_return_val_if_fail (JSON_IS_PARSER (parser), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  size = data == NULL ? 0 : length < 0 ? strlen (data) : (gsize) length;
  if (size == 0)
    {
      g_set_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_EMPTY, _("It is empty"));
      return FALSE;
    }
  if (memchr (data, '\0', size) != NULL)
    {
      g_set_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_NUL, _("It holds a NUL byte"));
      return FALSE;
    }
  if (!scan (data, size, error))
    return FALSE;
  if (!json_parser_load_from_data (parser, data, size, NULL))
    {
      g_set_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_SYNTAX, _("It is not valid JSON"));
      return FALSE;
    }
  /* White space alone loads, as a document without a root. */
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_EMPTY, _("It is empty"));
      return FALSE;
    }

  return TRUE;
}

/**
 * haven_json_object_get_string:
 * @object: (nullable): an object from a document loaded with haven_json_load()
 *
 * Returns: (nullable): the string @member holds, or %NULL when @object has
 *   no such member or it holds something else
 */
const char *
haven_json_object_get_string (JsonObject *object,
                              const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}
