/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-json-scanner"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-json-scanner.h"
#include "haven-record-mapper.h"

#define READ_CHUNK_SIZE (256 * 1024)
/* The first records are checked and committed the same way as the rest;
 * this only bounds how much a record can be, to catch a file that is not
 * a directory at all before it fills the memory. */
#define MAX_RECORD_SIZE (16 * 1024 * 1024)


/* Cuts a JSON document into its service records without parsing it
 * whole: the top level is either an array of records, an object whose
 * "contents" member is one (the HSDS API's Page), or an object that is
 * itself a service (the answer of GET /services/{id}). */
typedef struct {
  Import *import;
  GInputStream *stream;
  const char *file;
  guint8 *buffer;
  gsize length;
  gsize position;
  gboolean eof;
  guint line;
  GError *error;
} Scanner;

static gboolean
scanner_fill (Scanner *scanner)
{
  gssize n_read;

  if (scanner->position < scanner->length)
    return TRUE;
  if (scanner->eof || scanner->error != NULL)
    return FALSE;

  n_read = g_input_stream_read (scanner->stream, scanner->buffer, READ_CHUNK_SIZE,
                                scanner->import->cancellable, &scanner->error);
  if (n_read <= 0)
    {
      scanner->eof = TRUE;
      return FALSE;
    }

  scanner->length = n_read;
  scanner->position = 0;
  return TRUE;
}

static int
scanner_peek (Scanner *scanner)
{
  return scanner_fill (scanner) ? scanner->buffer[scanner->position] : -1;
}

static int
scanner_next (Scanner *scanner)
{
  int c = scanner_peek (scanner);

  if (c >= 0)
    {
      scanner->position++;
      if (c == '\n')
        scanner->line++;
    }

  return c;
}

static int
scanner_skip_space (Scanner *scanner)
{
  int c;

  while ((c = scanner_peek (scanner)) == ' ' || c == '\n' || c == '\r' || c == '\t')
    scanner_next (scanner);

  return c;
}

/* Copies one JSON value into @out (or skips it when @out is NULL), keeping
 * track of strings and nesting only: the parser (haven-json-arena.c)
 * checks the rest. */
static gboolean
scanner_take_value (Scanner *scanner,
                    GString *out)
{
  int depth = 0;
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  int first = scanner_peek (scanner);

  if (first == '"')
    in_string = FALSE;
  else if (first != '{' && first != '[')
    {
      /* A number or a literal: up to the next delimiter. */
      int c;

      while ((c = scanner_peek (scanner)) >= 0 && !strchr (",]} \t\r\n", c))
        {
          if (out != NULL)
            g_string_append_c (out, c);
          scanner_next (scanner);
        }
      return TRUE;
    }

  while (scanner_fill (scanner))
    {
      const guint8 *chunk = scanner->buffer + scanner->position;
      gsize available = scanner->length - scanner->position;
      gsize i;
      gboolean done = FALSE;

      for (i = 0; i < available && !done; i++)
        {
          guint8 c = chunk[i];

          if (c == '\n')
            scanner->line++;

          if (in_string)
            {
              if (escaped)
                escaped = FALSE;
              else if (c == '\\')
                escaped = TRUE;
              else if (c == '"')
                {
                  in_string = FALSE;
                  if (depth == 0)
                    done = TRUE;
                }
              continue;
            }

          switch (c)
            {
            case '"':
              in_string = TRUE;
              break;

            case '{':
            case '[':
              depth++;
              break;

            case '}':
            case ']':
              depth--;
              if (depth == 0)
                done = TRUE;
              break;

            default:
              break;
            }
        }

      if (out != NULL)
        {
          g_string_append_len (out, (const char *) chunk, i);
          if (out->len > MAX_RECORD_SIZE)
            {
              haven_import_file_problem (scanner->import, scanner->file, scanner->line,
                                         _("a record is larger than %d MB"),
                                         MAX_RECORD_SIZE / (1024 * 1024));
              return FALSE;
            }
        }
      scanner->position += i;

      if (done)
        return TRUE;
    }

  return FALSE;
}

static gboolean
scanner_expect_end (Scanner *scanner)
{
  if (scanner_skip_space (scanner) >= 0)
    {
      haven_import_file_problem (scanner->import, scanner->file, scanner->line,
                                 _("there is more after the end of the JSON document"));
      return FALSE;
    }

  return TRUE;
}

static void
parse_record (Scanner    *scanner,
              GString    *text,
              guint       index,
              guint       line)
{
  Import *import = scanner->import;
  Origin origin = { scanner->file, line, index };
  const char *error = NULL;
  guint error_line = 0;
  JValue *record;

  haven_arena_reset (&import->arena);
  record = haven_json_parse (&import->arena, import->stack, import->json_scratch, text->str,
                             text->len, &error, &error_line);
  if (record == NULL)
    {
      haven_import_file_problem (import, scanner->file, line + error_line - 1,
                                 _("record %u is not valid JSON: %s"), index, error);
      return;
    }

  haven_import_record (import, record, &origin);
}

/* The elements of an array whose "[" has just been read. */
static gboolean
scan_records (Scanner *scanner)
{
  g_autoptr(GString) text = g_string_sized_new (8192);
  guint index = 0;
  int c;

  c = scanner_skip_space (scanner);
  if (c == ']')
    {
      scanner_next (scanner);
      return TRUE;
    }

  while (TRUE)
    {
      guint line;

      if (g_cancellable_is_cancelled (scanner->import->cancellable) ||
          haven_import_too_many_problems (scanner->import))
        return FALSE;

      c = scanner_skip_space (scanner);
      line = scanner->line;
      g_string_truncate (text, 0);
      if (c < 0 || !scanner_take_value (scanner, text))
        break;

      parse_record (scanner, text, ++index, line);

      c = scanner_skip_space (scanner);
      if (c == ',')
        {
          scanner_next (scanner);
          continue;
        }
      if (c == ']')
        {
          scanner_next (scanner);
          return TRUE;
        }

      haven_import_file_problem (scanner->import, scanner->file, scanner->line,
                                 _("expected “,” or “]” after record %u"), index);
      return FALSE;
    }

  if (scanner->error == NULL && !haven_import_too_many_problems (scanner->import))
    haven_import_file_problem (scanner->import, scanner->file, scanner->line,
                               _("the file ends in the middle of record %u"), index + 1);
  return FALSE;
}

/* scanner_skip_space(), keeping in @out the line breaks it skips, so
 * that the lines of a record copied from the top level stay right. */
static int
scanner_skip_space_into (Scanner *scanner,
                         GString *out)
{
  guint line = scanner->line;
  int c = scanner_skip_space (scanner);

  for (; out != NULL && line < scanner->line; line++)
    g_string_append_c (out, '\n');

  return c;
}

/* The top-level object read as one service, when it is one: it has an
 * "id" and a "name". */
static gboolean
import_single_service (Scanner *scanner,
                       GString *text,
                       guint    line)
{
  Import *import = scanner->import;
  Origin origin = { scanner->file, line, 1 };
  const char *error = NULL;
  guint error_line = 0;
  JValue *record;

  haven_arena_reset (&import->arena);
  record = haven_json_parse (&import->arena, import->stack, import->json_scratch, text->str,
                             text->len, &error, &error_line);
  if (record == NULL || haven_jv_get (record, "id") == NULL ||
      haven_jv_get (record, "name") == NULL)
    return FALSE;

  import->format = "json-service";
  haven_import_record (import, record, &origin);
  return TRUE;
}

/* The members of an object whose "{" has just been read: an HSDS Page,
 * or a single service. Until "contents" is found, the object is kept in
 * @whole to be read as a service; once found, it is a Page and only its
 * records are kept, one at a time. */
static gboolean
scan_page (Scanner *scanner)
{
  g_autoptr(GString) key = g_string_new (NULL);
  g_autoptr(GString) whole = g_string_new ("{");
  guint line = scanner->line;
  guint n_problems = haven_import_n_problems (scanner->import);
  gboolean found = FALSE;
  int c;

  while (TRUE)
    {
      c = scanner_skip_space_into (scanner, whole);
      if (c == '}')
        {
          scanner_next (scanner);
          if (whole != NULL)
            g_string_append_c (whole, '}');
          break;
        }
      if (c != '"')
        {
          haven_import_file_problem (scanner->import, scanner->file, scanner->line,
                                     _("the Page object is not valid JSON"));
          return FALSE;
        }

      g_string_truncate (key, 0);
      if (!scanner_take_value (scanner, key))
        {
          c = -1;
          break;
        }
      if (whole != NULL)
        g_string_append_len (whole, key->str, key->len);
      if (scanner_skip_space_into (scanner, whole) != ':')
        {
          haven_import_file_problem (scanner->import, scanner->file, scanner->line,
                                     _("the Page object is not valid JSON"));
          return FALSE;
        }
      scanner_next (scanner);
      if (whole != NULL)
        g_string_append_c (whole, ':');

      c = scanner_skip_space_into (scanner, whole);
      if (g_str_equal (key->str, "\"contents\""))
        {
          g_string_free (g_steal_pointer (&whole), TRUE);
          if (c != '[')
            {
              haven_import_file_problem (scanner->import, scanner->file, scanner->line,
                                         _("“contents” must be a list of services"));
              return FALSE;
            }
          scanner_next (scanner);
          if (!scan_records (scanner))
            return FALSE;
          found = TRUE;
        }
      else if (!scanner_take_value (scanner, whole))
        {
          c = -1;
          break;
        }

      c = scanner_skip_space_into (scanner, whole);
      if (c == ',')
        {
          scanner_next (scanner);
          if (whole != NULL)
            g_string_append_c (whole, ',');
        }
      else if (c != '}')
        {
          haven_import_file_problem (scanner->import, scanner->file, scanner->line,
                                     _("the Page object is not valid JSON"));
          return FALSE;
        }
    }

  if (scanner->error != NULL)
    return FALSE;
  if (c < 0)
    {
      /* Unless a member was too large, which is said already. */
      if (haven_import_n_problems (scanner->import) == n_problems)
        haven_import_file_problem (scanner->import, scanner->file, scanner->line,
                                   _("the file ends in the middle of the Page object"));
      return FALSE;
    }
  if (!found && !import_single_service (scanner, whole, line))
    {
      haven_import_file_problem (scanner->import, scanner->file, 0,
                                 _("the object has no “contents”: it is neither a list of "
                                   "services nor an HSDS Page object, nor a service with "
                                   "“id” and “name”"));
      return FALSE;
    }

  return TRUE;
}

/* Reads the JSON directory @file, handing each record to
 * haven_import_record(). */
gboolean
haven_json_scanner_import (Import      *import,
                           GFile       *file,
                           const char  *label,
                           GError     **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree guint8 *buffer = g_malloc (READ_CHUNK_SIZE);
  Scanner scanner = { import, NULL, label, buffer, 0, 0, FALSE, 1, NULL };
  gboolean scanned = FALSE;
  int c;

  stream = g_file_read (file, import->cancellable, error);
  if (stream == NULL)
    return FALSE;
  scanner.stream = G_INPUT_STREAM (stream);

  c = scanner_skip_space (&scanner);
  /* A byte order mark, which some editors write. */
  if (c == 0xEF)
    {
      scanner_next (&scanner);
      scanner_next (&scanner);
      scanner_next (&scanner);
      c = scanner_skip_space (&scanner);
    }

  if (c == '[')
    {
      import->format = "json";
      scanner_next (&scanner);
      scanned = scan_records (&scanner) && scanner_expect_end (&scanner);
    }
  else if (c == '{')
    {
      import->format = "json-page";
      scanner_next (&scanner);
      scanned = scan_page (&scanner) && scanner_expect_end (&scanner);
    }
  else if (scanner.error == NULL)
    {
      haven_import_file_problem (import, label, scanner.line,
                                 _("not an HSDS directory: expected a JSON list of services "
                                   "or a Page object"));
    }

  if (scanner.error != NULL)
    {
      g_propagate_error (error, scanner.error);
      return FALSE;
    }

  return scanned || haven_import_n_problems (import) > 0;
}
