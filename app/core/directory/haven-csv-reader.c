/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-csv-reader"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-csv-reader.h"

static void
csv_row_clear (gpointer data)
{
  CsvRow *row = data;

  g_strfreev (row->fields);
}

void
haven_csv_table_free (CsvTable *table)
{
  g_free (table->label);
  g_free (table->problem);
  g_strfreev (table->header);
  g_array_unref (table->rows);
  g_free (table);
}

/* RFC 4180: commas, double quotes around fields that hold commas, quotes
 * or line breaks, "" for a quote. */
/* Every table has a header, empty when the file has none or reading it
 * stopped before one, so its columns can be asked for whatever the file
 * held. */
static CsvTable *
finish (CsvTable *table)
{
  if (table->header == NULL)
    table->header = g_new0 (char *, 1);
  for (guint i = 0; table->header[i] != NULL; i++)
    g_strstrip (table->header[i]);

  return table;
}

CsvTable *
haven_csv_table_load (const char  *path,
                      const char  *label,
                      GError     **error)
{
  g_autoptr(CsvTable) table = g_new0 (CsvTable, 1);
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  gsize length;
  const char *p, *end;
  guint line = 1, row_line = 1;
  gboolean quoted = FALSE, was_quoted = FALSE;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;

  table->label = g_strdup (label);
  table->rows = g_array_new (FALSE, FALSE, sizeof (CsvRow));
  g_array_set_clear_func (table->rows, csv_row_clear);

  if (!g_utf8_validate (contents, length, NULL))
    {
      table->problem = g_strdup (_("the file is not UTF-8 text"));
      return finish (g_steal_pointer (&table));
    }

  p = contents;
  end = contents + length;
  if (length >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;

  for (; p <= end; p++)
    {
      char c = p < end ? *p : '\n';

      if (quoted)
        {
          if (p == end)
            {
              table->problem = g_strdup (_("a quoted field is never closed"));
              table->problem_line = row_line;
              return finish (g_steal_pointer (&table));
            }
          if (c == '"' && p + 1 < end && p[1] == '"')
            {
              g_string_append_c (field, '"');
              p++;
            }
          else if (c == '"')
            quoted = FALSE;
          else if (c == '\r' && p + 1 < end && p[1] == '\n')
            continue;
          else
            {
              if (c == '\n')
                line++;
              g_string_append_c (field, c);
            }
          continue;
        }

      if (c == '"' && field->len == 0 && !was_quoted)
        {
          quoted = was_quoted = TRUE;
          continue;
        }

      if (c == ',' || c == '\n')
        {
          g_ptr_array_add (fields, g_strdup (field->str));
          g_string_truncate (field, 0);
          was_quoted = FALSE;

          if (c == '\n')
            {
              gboolean blank = fields->len == 1 && ((char *) fields->pdata[0])[0] == '\0';

              if (!blank)
                {
                  g_ptr_array_add (fields, NULL);
                  if (table->header == NULL)
                    table->header = (GStrv) g_ptr_array_steal (fields, NULL);
                  else
                    {
                      CsvRow row = { row_line, (GStrv) g_ptr_array_steal (fields, NULL) };

                      g_array_append_val (table->rows, row);
                    }
                }
              g_ptr_array_set_size (fields, 0);
              line++;
              row_line = line;
            }
          continue;
        }

      if (c == '\r' && (p + 1 == end || p[1] == '\n'))
        continue;

      g_string_append_c (field, c);
    }

  return finish (g_steal_pointer (&table));
}

int
haven_csv_column (CsvTable   *table,
                  const char *name)
{
  for (guint i = 0; table->header[i] != NULL; i++)
    {
      if (g_str_equal (table->header[i], name))
        return i;
    }

  return -1;
}

const char *
haven_csv_value (CsvTable     *table,
                 const CsvRow *row,
                 int           column)
{
  if (column < 0 || column >= (int) g_strv_length (row->fields))
    return NULL;

  return row->fields[column][0] != '\0' ? row->fields[column] : NULL;
}

