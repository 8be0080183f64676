/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "haven-wiped-text.h"
#include "haven-wipe.h"

GString *
haven_wiped_text_new (void)
{
  return g_string_sized_new (256);
}

/* Makes room in @text as g_string_append would, but wipes the old buffer
 * before it is freed. */
static void
reserve (GString *text,
         gsize    extra)
{
  gsize needed = text->len + extra + 1;
  gsize size;
  char *grown;

  if (needed <= text->allocated_len)
    return;

  size = MAX (text->allocated_len * 2, needed);
  grown = g_malloc (size);
  memcpy (grown, text->str, text->len + 1);
  explicit_bzero (text->str, text->allocated_len);
  g_free (text->str);
  text->str = grown;
  text->allocated_len = size;
}

void
haven_wiped_text_append (GString    *text,
                         const char *piece)
{
  gsize length = strlen (piece);

  reserve (text, length);
  g_string_append_len (text, piece, (gssize) length);
}

void
haven_wiped_text_append_line (GString    *text,
                              const char *line)
{
  if (text->len > 0)
    haven_wiped_text_append (text, "\n");
  haven_wiped_text_append (text, line);
}

void
haven_wiped_text_append_line_printf (GString    *text,
                                     const char *format,
                                     ...)
{
  va_list args;
  char *line;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);

  haven_wiped_text_append_line (text, line);
  haven_wipe_string (line);
}

void
haven_wiped_text_free (GString *text)
{
  if (text == NULL)
    return;
  explicit_bzero (text->str, text->allocated_len);
  g_string_free (text, TRUE);
}
