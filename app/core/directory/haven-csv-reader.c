/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-csv-reader"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-csv-reader.h"

#define READ_CHUNK_SIZE (64 * 1024)
#define MB (1024 * 1024)

struct _CsvReader
{
  GInputStream *stream;
  GCancellable *cancellable;
  char *label;

  guint8 *buffer;
  gsize length;
  gsize position;
  gboolean eof;
  GError *error;

  /* The row just read: its fields one after the other, each ending in a
   * NUL, and where each one starts. Reused for every row. */
  GString *row;
  GArray *starts;
  guint line;
  guint row_line;
  GStrv header;

  char *problem;
  guint problem_line;
  gboolean finished;
};

/* The bytes that end a run of plain text, outside quotes and inside. */
static const guint8 stops_unquoted[256] = { ['"'] = 1, [','] = 1, ['\r'] = 1, ['\n'] = 1 };
static const guint8 stops_quoted[256] = { ['"'] = 1, ['\r'] = 1, ['\n'] = 1 };

void
haven_csv_reader_free (CsvReader *reader)
{
  g_clear_object (&reader->stream);
  g_clear_object (&reader->cancellable);
  g_free (reader->label);
  g_free (reader->buffer);
  g_clear_error (&reader->error);
  g_string_free (reader->row, TRUE);
  g_array_unref (reader->starts);
  g_strfreev (reader->header);
  g_free (reader->problem);
  g_free (reader);
}

static gboolean
reader_fill (CsvReader *reader)
{
  gsize n_read = 0;

  if (reader->position < reader->length)
    return TRUE;
  if (reader->eof)
    return FALSE;

  /* A short read is the end of the file. */
  if (!g_input_stream_read_all (reader->stream, reader->buffer, READ_CHUNK_SIZE, &n_read,
                                reader->cancellable, &reader->error) ||
      n_read < READ_CHUNK_SIZE)
    reader->eof = TRUE;

  reader->length = n_read;
  reader->position = 0;
  return n_read > 0;
}

/* Reading stops at the first problem: after it, the rest of the file
 * cannot be cut into rows with any confidence. */
static gboolean
reader_stop (CsvReader *reader,
             char      *problem)
{
  g_free (reader->problem);
  reader->problem = problem;
  reader->problem_line = reader->row_line;
  reader->finished = TRUE;
  return FALSE;
}

static gboolean
check_size (CsvReader *reader,
            gsize      field_start)
{
  if (reader->row->len - field_start > HAVEN_CSV_MAX_FIELD_SIZE)
    return reader_stop (reader, g_strdup_printf (_("a field is larger than %d MB"),
                                                 HAVEN_CSV_MAX_FIELD_SIZE / MB));
  if (reader->row->len > HAVEN_CSV_MAX_ROW_SIZE)
    return reader_stop (reader, g_strdup_printf (_("a row is larger than %d MB"),
                                                 HAVEN_CSV_MAX_ROW_SIZE / MB));
  return TRUE;
}

static gboolean
end_field (CsvReader *reader,
           gsize      field_start)
{
  GString *row = reader->row;

  /* Commas, quotes and line breaks are ASCII, which no UTF-8 sequence
   * holds: a file is UTF-8 exactly when each of its fields is. */
  if (!g_utf8_validate_len (row->str + field_start, row->len - field_start, NULL))
    return reader_stop (reader, g_strdup (_("the file is not UTF-8 text")));

  g_string_append_c (row, '\0');
  return TRUE;
}

static gboolean
start_field (CsvReader *reader)
{
  guint start = reader->row->len;

  if (reader->starts->len >= HAVEN_CSV_MAX_COLUMNS)
    return reader_stop (reader, g_strdup_printf (ngettext ("a row has more than %d column",
                                                           "a row has more than %d columns",
                                                           HAVEN_CSV_MAX_COLUMNS),
                                                 HAVEN_CSV_MAX_COLUMNS));

  g_array_append_val (reader->starts, start);
  return TRUE;
}

/* RFC 4180: commas, double quotes around fields that hold commas, quotes
 * or line breaks, "" for a quote; lines end in LF or CRLF. Reads the next
 * row; FALSE at the end of the file, or when reader->problem or
 * reader->error says why it cannot. */
static gboolean
read_row (CsvReader *reader)
{
  GString *row = reader->row;
  gsize field_start = 0;
  gboolean quoted = FALSE, was_quoted = FALSE;
  /* A quote inside quotes ends the field unless another follows; a CR is
   * dropped when a LF follows. Both wait for the next byte, which may be
   * in the next chunk. */
  gboolean quote_pending = FALSE, cr_pending = FALSE;
  gboolean started = FALSE;

  if (reader->finished)
    return FALSE;

  g_string_truncate (row, 0);
  g_array_set_size (reader->starts, 0);
  reader->row_line = reader->line;
  start_field (reader);

  while (TRUE)
    {
      const guint8 *chunk;
      gsize available, run;
      int c;

      if (reader_fill (reader))
        c = reader->buffer[reader->position];
      else if (reader->error != NULL)
        {
          reader->finished = TRUE;
          return FALSE;
        }
      else
        c = -1;

      if (quote_pending)
        {
          quote_pending = FALSE;
          if (c == '"')
            {
              g_string_append_c (row, '"');
              reader->position++;
              if (!check_size (reader, field_start))
                return FALSE;
              continue;
            }
          quoted = FALSE;
        }

      if (cr_pending)
        {
          cr_pending = FALSE;
          if (c != '\n' && (quoted || c >= 0))
            g_string_append_c (row, '\r');
        }

      if (c < 0)
        {
          if (quoted)
            return reader_stop (reader, g_strdup (_("a quoted field is never closed")));
          reader->finished = TRUE;
          return started && end_field (reader, field_start);
        }

      started = TRUE;
      chunk = reader->buffer + reader->position;
      available = reader->length - reader->position;

      if (quoted)
        {
          for (run = 0; run < available && !stops_quoted[chunk[run]]; run++)
            ;
          if (run > 0)
            g_string_append_len (row, (const char *) chunk, run);
          else
            {
              if (c == '"')
                quote_pending = TRUE;
              else if (c == '\r')
                cr_pending = TRUE;
              else
                {
                  reader->line++;
                  g_string_append_c (row, '\n');
                }
              run = 1;
            }
          reader->position += run;
          if (!check_size (reader, field_start))
            return FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          reader->position++;
          if (row->len == field_start && !was_quoted)
            quoted = was_quoted = TRUE;
          else
            g_string_append_c (row, '"');
          break;

        case ',':
          reader->position++;
          if (!end_field (reader, field_start) || !start_field (reader))
            return FALSE;
          field_start = row->len;
          was_quoted = FALSE;
          break;

        case '\n':
          reader->position++;
          reader->line++;
          return end_field (reader, field_start);

        case '\r':
          reader->position++;
          cr_pending = TRUE;
          break;

        default:
          for (run = 0; run < available && !stops_unquoted[chunk[run]]; run++)
            ;
          g_string_append_len (row, (const char *) chunk, run);
          reader->position += run;
          break;
        }

      if (!check_size (reader, field_start))
        return FALSE;
    }
}

/* A line with nothing on it is no row at all. */
static gboolean
read_filled_row (CsvReader *reader)
{
  while (read_row (reader))
    {
      if (reader->starts->len > 1 || reader->row->str[0] != '\0')
        return TRUE;
    }

  return FALSE;
}

/**
 * haven_csv_reader_open:
 * @label: the file's name in messages
 *
 * Opens a CSV file and reads its header, the first row. What is wrong
 * with the file's text is not an error: reading stops there, and
 * haven_csv_reader_get_problem() says what it was.
 */
CsvReader *
haven_csv_reader_open (const char    *path,
                       const char    *label,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(CsvReader) reader = NULL;

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return NULL;

  reader = g_new0 (CsvReader, 1);
  reader->stream = G_INPUT_STREAM (g_steal_pointer (&stream));
  reader->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  reader->label = g_strdup (label);
  reader->buffer = g_malloc (READ_CHUNK_SIZE);
  reader->row = g_string_sized_new (4096);
  reader->starts = g_array_new (FALSE, FALSE, sizeof (guint));
  reader->line = 1;

  /* A byte order mark, which some spreadsheets write. */
  if (reader_fill (reader) && reader->length >= 3 &&
      memcmp (reader->buffer, "\xEF\xBB\xBF", 3) == 0)
    reader->position = 3;

  if (read_filled_row (reader))
    {
      reader->header = g_new0 (char *, reader->starts->len + 1);
      for (guint i = 0; i < reader->starts->len; i++)
        {
          const char *field = reader->row->str + g_array_index (reader->starts, guint, i);

          reader->header[i] = g_strstrip (g_strdup (field));
        }
    }
  else
    reader->header = g_new0 (char *, 1);

  if (reader->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&reader->error));
      return NULL;
    }

  return g_steal_pointer (&reader);
}

/**
 * haven_csv_reader_next:
 *
 * Reads the next row.
 *
 * Returns: %FALSE at the end of the file, at a problem in it
 *   (haven_csv_reader_get_problem()), or with @error set when it cannot
 *   be read
 */
gboolean
haven_csv_reader_next (CsvReader  *reader,
                       GError    **error)
{
  if (read_filled_row (reader))
    return TRUE;

  if (reader->error != NULL)
    g_propagate_error (error, g_steal_pointer (&reader->error));
  return FALSE;
}

const char *
haven_csv_reader_get_label (CsvReader *reader)
{
  return reader->label;
}

const char * const *
haven_csv_reader_get_header (CsvReader *reader)
{
  return (const char * const *) reader->header;
}

int
haven_csv_reader_column (CsvReader  *reader,
                         const char *name)
{
  for (guint i = 0; reader->header[i] != NULL; i++)
    {
      if (g_str_equal (reader->header[i], name))
        return i;
    }

  return -1;
}

/* The line the row just read starts on. */
guint
haven_csv_reader_get_line (CsvReader *reader)
{
  return reader->row_line;
}

/* The row's field in @column, or NULL when it is empty or missing. */
const char *
haven_csv_reader_get_value (CsvReader *reader,
                            int        column)
{
  const char *value;

  if (column < 0 || (guint) column >= reader->starts->len)
    return NULL;

  value = reader->row->str + g_array_index (reader->starts, guint, column);
  return value[0] != '\0' ? value : NULL;
}

/* The row's fields, each ending in a NUL, one after the other. */
const char *
haven_csv_reader_get_fields (CsvReader *reader,
                             gsize     *length)
{
  *length = reader->row->len;
  return reader->row->str;
}

/* What is wrong with the file, when reading it stopped early, and on
 * which line. */
const char *
haven_csv_reader_get_problem (CsvReader *reader,
                              guint     *line)
{
  if (line != NULL)
    *line = reader->problem_line;
  return reader->problem;
}
