/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-content"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "haven-content-elements.h"
#include "haven-content-reader.h"

/* Bounds on a content file: Haven's own nest five elements deep and are
 * well under 1 MiB. */
#define MAX_ELEMENT_DEPTH 16
#define MAX_FILE_SIZE (4 * 1024 * 1024)

/* The reading of a content folder's XML files with GMarkup: the files in
 * their order, the positions of problems as FILE:LINE:COLUMN, the words of
 * the translatable elements, and text where no words belong. What each
 * element may hold is checked in haven-content-elements.c.
 *
 * The words are gettext msgids. xgettext collects them with the ITS rules in
 * data/content/its/, which name exactly the elements in
 * translatable_elements[] (a test compares the two), and it normalises
 * white space the way haven_content_normalize_words() does, so that the
 * string the kiosk passes to g_dgettext() is the msgid in the catalogue. */

static const char * const translatable_elements[] = {
  "title",
  "summary",
  "example",
  "step",
  "hint",
  "why",
  "label",
  "choice",
  NULL,
};

static const char * const file_names[] = {
  "guidance.xml",
  "categories.xml",
  "questions.xml",
  "emergency.xml",
  NULL,
};

/* Turns a byte offset in the file into a line and a column, both counted
 * from 1, the column in characters. */
static Location
location_at_offset (FileReader *reader,
                    gsize       offset)
{
  Location location = { 1, 1 };
  gsize line_start = 0;
  guint low = 0;
  guint high = reader->line_feeds->len;

  offset = MIN (offset, reader->length);

  /* The number of line feeds before @offset. */
  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (g_array_index (reader->line_feeds, gsize, middle) < offset)
        low = middle + 1;
      else
        high = middle;
    }

  if (low > 0)
    line_start = g_array_index (reader->line_feeds, gsize, low - 1) + 1;

  location.line = (int) low + 1;
  if (g_utf8_validate_len (reader->text + line_start, offset - line_start, NULL))
    location.column = (int) g_utf8_strlen (reader->text + line_start, offset - line_start) + 1;
  else
    location.column = (int) (offset - line_start) + 1;

  return location;
}

/* Where GMarkup is. Its column counts bytes, and it counts a line feed as
 * the first character of the line after it. */
static gsize
markup_offset (FileReader *reader)
{
  int line = 1;
  int column = 1;
  gsize origin = 0;

  g_markup_parse_context_get_position (reader->context, &line, &column);

  if (line >= 2 && (guint) line - 2 < reader->line_feeds->len)
    origin = g_array_index (reader->line_feeds, gsize, line - 2);

  return MIN (origin + (gsize) MAX (column - 1, 0), reader->length);
}

/* In a start-element callback GMarkup is at or just after the tag's ">";
 * the tag itself starts at the "<" before it, which cannot occur inside
 * the tag. */
static Location
tag_location (FileReader *reader)
{
  gsize offset = markup_offset (reader);

  while (offset > 0 && reader->text[offset - 1] != '<')
    offset--;

  return location_at_offset (reader, offset > 0 ? offset - 1 : 0);
}

/* Records a problem as "FILE:LINE:COLUMN: message". */
void
haven_content_report (FileReader         *reader,
                      const Location     *at,
                      HavenContentError   code,
                      const char         *format,
                      ...)
{
  g_autofree char *message = NULL;
  g_autofree char *valid = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* A message is shown on a terminal and the operator screen, so it must
   * be UTF-8 even when it quotes a file that is not: GMarkup's own
   * messages quote the bytes it could not read. */
  valid = g_utf8_make_valid (message, -1);
  g_ptr_array_add (reader->loader->problems,
                   g_error_new (HAVEN_CONTENT_ERROR, code, "%s:%d:%d: %s",
                                reader->path, at->line, at->column, valid));
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* As xgettext does for ITS rules without a preserveSpaceRule: white space at
 * either end is dropped, and every run of it inside becomes one space. */
char *
haven_content_normalize_words (const char *text)
{
  GString *words = g_string_new (NULL);
  gboolean pending_space = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (is_space (*p))
        {
          pending_space = words->len > 0;
          continue;
        }

      if (pending_space)
        g_string_append_c (words, ' ');
      pending_space = FALSE;
      g_string_append_c (words, *p);
    }

  return g_string_free (words, FALSE);
}

/* The parent of the element GMarkup is in. */
static const char *
parent_element (GMarkupParseContext *context)
{
  const GSList *stack = g_markup_parse_context_get_element_stack (context);

  return stack->next != NULL ? stack->next->data : NULL;
}

static void
start_element_cb (GMarkupParseContext  *context,
                  const char           *element,
                  const char          **names,
                  const char          **values,
                  gpointer              user_data,
                  GError              **error)
{
  FileReader *reader = user_data;
  const char *parent = parent_element (context);
  guint depth = ++reader->depth;
  Location at;

  if (depth > MAX_ELEMENT_DEPTH)
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                   ngettext ("Elements are nested more than %u level deep",
                             "Elements are nested more than %u levels deep", MAX_ELEMENT_DEPTH),
                   MAX_ELEMENT_DEPTH);
      return;
    }

  if (reader->skip_depth > 0)
    {
      reader->skip_depth++;
      return;
    }

  at = tag_location (reader);
  haven_content_start_element (reader, &at, element, parent, depth, names, values);
}

static void
end_element_cb (GMarkupParseContext  *context,
                const char           *element,
                gpointer              user_data,
                GError              **error)
{
  FileReader *reader = user_data;
  const char *parent = parent_element (context);
  guint depth = reader->depth--;

  if (reader->skip_depth > 0)
    {
      reader->skip_depth--;
      return;
    }

  haven_content_end_element (reader, element, parent, depth);
}

/* Where the text callback's text starts: after the ">" before it, then
 * past the white space. */
static Location
text_location (FileReader *reader)
{
  gsize offset = markup_offset (reader);

  while (offset > 0 && reader->text[offset - 1] != '>')
    offset--;
  while (offset < reader->length && is_space (reader->text[offset]))
    offset++;

  return location_at_offset (reader, offset);
}

static void
text_cb (GMarkupParseContext  *context,
         const char           *text,
         gsize                 length,
         gpointer              user_data,
         GError              **error)
{
  FileReader *reader = user_data;
  Location at;

  if (reader->skip_depth > 0)
    return;

  if (reader->words_element != NULL)
    {
      g_string_append_len (reader->words, text, length);
      return;
    }

  for (gsize i = 0; i < length; i++)
    {
      if (!is_space (text[i]))
        {
          /* xgettext only collects the elements the ITS rules name; words
           * anywhere else would reach every visitor in English. */
          g_autofree char *elements = g_strjoinv (">, <", (char **) translatable_elements);

          at = text_location (reader);
          haven_content_report (reader, &at, HAVEN_CONTENT_ERROR_UNTRANSLATABLE_TEXT,
                  _("Words directly inside <%s> would never be translated; put them in one "
                    "of <%s>"),
                  g_markup_parse_context_get_element (context), elements);
          reader->item.broken = TRUE;
          return;
        }
    }
}

static void
passthrough_cb (GMarkupParseContext  *context,
                const char           *text,
                gsize                 length,
                gpointer              user_data,
                GError              **error)
{
  FileReader *reader = user_data;

  /* xgettext joins the text around a comment or CDATA section differently
   * from how the words are read here, and the msgid would no longer match. */
  if (reader->skip_depth == 0 && reader->words_element != NULL)
    {
      haven_content_report (reader, &reader->words_at, HAVEN_CONTENT_ERROR_SYNTAX,
              _("<%s> holds a comment or CDATA section; put comments outside the element"),
              reader->words_element);
      reader->item.broken = TRUE;
    }
}

static const GMarkupParser parser = {
  start_element_cb,
  end_element_cb,
  text_cb,
  passthrough_cb,
  NULL,
};

static void
read_file (Loader   *loader,
           FileKind  kind)
{
  g_autofree char *path = g_build_filename (loader->dir, file_names[kind], NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  FileReader reader = { 0, };
  const char *text;
  const char *invalid = NULL;
  GStatBuf info;

  /* Content is a few hundred kilobytes; a larger file is not content, and
   * is not read into memory. */
  if (g_stat (path, &info) == 0 && info.st_size > MAX_FILE_SIZE)
    {
      g_ptr_array_add (loader->problems,
                       g_error_new (HAVEN_CONTENT_ERROR, HAVEN_CONTENT_ERROR_FILE,
                                    _("%s: is larger than %u MiB"), path,
                                    MAX_FILE_SIZE / (1024 * 1024)));
      return;
    }

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_ptr_array_add (loader->problems,
                       g_error_new (HAVEN_CONTENT_ERROR, HAVEN_CONTENT_ERROR_FILE,
                                    _("%s: cannot be read: %s"), path, error->message));
      return;
    }

  g_checksum_update (loader->checksum, (const guchar *) file_names[kind],
                     strlen (file_names[kind]) + 1);
  g_checksum_update (loader->checksum, (const guchar *) contents, length);

  /* Editors on some systems start UTF-8 files with a byte order mark,
   * which XML allows and GMarkup does not. */
  text = contents;
  if (length >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    {
      text += 3;
      length -= 3;
    }

  reader.loader = loader;
  reader.kind = kind;
  reader.path = path;
  reader.text = text;
  reader.length = length;
  reader.words = g_string_new (NULL);
  reader.line_feeds = g_array_new (FALSE, FALSE, sizeof (gsize));
  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '\n')
        g_array_append_val (reader.line_feeds, i);
    }
  reader.context = g_markup_parse_context_new (&parser, G_MARKUP_DEFAULT_FLAGS, &reader, NULL);

  /* Checked before GMarkup reads it: GLib 2.74's GMarkup, finding bytes
   * that are not UTF-8 inside a comment, sets its error and reads on, and
   * sets another over it (a warning). */
  if (!g_utf8_validate_len (text, length, &invalid))
    {
      Location at = location_at_offset (&reader, (gsize) (invalid - text));

      haven_content_report (&reader, &at, HAVEN_CONTENT_ERROR_SYNTAX,
                            _("the file is not UTF-8 text"));
    }
  else if (g_markup_parse_context_parse (reader.context, text, length, &error) &&
           g_markup_parse_context_end_parse (reader.context, &error))
    {
      loader->complete[kind] = TRUE;
    }
  else
    {
      Location at = location_at_offset (&reader, markup_offset (&reader));

      haven_content_report (&reader, &at, HAVEN_CONTENT_ERROR_SYNTAX, "%s", error->message);
    }

  if (loader->complete[kind] && kind == FILE_EMERGENCY &&
      !g_hash_table_contains (loader->ids[FILE_EMERGENCY], "*"))
    {
      /* The safety question always has numbers to show, wherever the
       * kiosk stands. */
      haven_content_report (&reader, &reader.root_at, HAVEN_CONTENT_ERROR_MISSING_ELEMENT,
              _("There is no region-neutral <region code=\"*\">"));
    }

  if (loader->complete[kind] && kind == FILE_CATEGORIES &&
      g_hash_table_size (loader->ids[FILE_CATEGORIES]) == 0)
    haven_content_report (&reader, &reader.root_at, HAVEN_CONTENT_ERROR_MISSING_ELEMENT,
            _("There is no <category>"));

  haven_content_item_clear (&reader.item);
  g_free (reader.words_element);
  g_string_free (reader.words, TRUE);
  g_array_unref (reader.line_feeds);
  g_markup_parse_context_free (reader.context);
}


/**
 * haven_content_read_dir:
 * @content: the content to add what is read to
 * @dir: a folder with the content files
 * @known_terms: (nullable): the taxonomy terms categories may name; %NULL
 *   to not check them
 * @problems: (element-type GError): where each problem is recorded
 * @checksum: updated with the files' names and contents
 *
 * Reads every file of @dir in turn.
 */
void
haven_content_read_dir (HavenContent       *content,
                        const char         *dir,
                        const char * const *known_terms,
                        GPtrArray          *problems,
                        GChecksum          *checksum)
{
  Loader loader = { 0, };

  loader.dir = dir;
  loader.known_terms = known_terms;
  loader.problems = problems;
  loader.content = content;
  loader.checksum = checksum;
  for (guint kind = 0; kind < N_FILES; kind++)
    loader.ids[kind] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint kind = 0; kind < N_FILES; kind++)
    read_file (&loader, kind);

  for (guint kind = 0; kind < N_FILES; kind++)
    g_hash_table_unref (loader.ids[kind]);
}

/**
 * haven_content_get_file_names:
 *
 * Returns: the names of the files a content folder holds, all required.
 */
const char * const *
haven_content_get_file_names (void)
{
  return file_names;
}

/**
 * haven_content_get_translatable_elements:
 *
 * Returns: the elements whose words are translated; the ITS rules in
 *   data/content/its/haven-content.its name exactly these.
 */
const char * const *
haven_content_get_translatable_elements (void)
{
  return translatable_elements;
}
