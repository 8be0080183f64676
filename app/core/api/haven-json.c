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

/* Looks through @data once, as far as the first thing it refuses:
 * nesting deeper than HAVEN_JSON_MAX_DEPTH (brackets inside strings do not
 * count), or a string holding "\u0000". json-glib would decode that into
 * a C string cut at the NUL, so what is checked would be shorter than what
 * is kept. */
static gboolean
scan (const char  *data,
      gsize        length,
      GError     **error)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\' && i + 1 < length)
            {
              i++;
              if (data[i] == 'u' && length - i > 4 && strncmp (data + i + 1, "0000", 4) == 0)
                {
                  g_set_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_NUL,
                               _("It holds a NUL character"));
                  return FALSE;
                }
            }
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > HAVEN_JSON_MAX_DEPTH)
            {
              g_set_error (error, HAVEN_JSON_ERROR, HAVEN_JSON_ERROR_TOO_DEEP,
                           _("It is nested more than %u levels deep"), HAVEN_JSON_MAX_DEPTH);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
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

  return TRUE;
}
