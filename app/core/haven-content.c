/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-content"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "haven-content.h"
#include "haven-paths.h"

/* The content definitions: categories, guided questions, guidance and
 * emergency numbers, read from four XML files in one folder that a
 * deployment can edit without touching C (data/content/ as shipped).
 *
 * Reading is strict, because a mistake here reaches a person in distress as
 * a missing question or a wrong number: every element and attribute must be
 * one this file knows, every reference must resolve, and every problem is
 * reported as FILE:LINE:COLUMN so that `havenctl content check` can list
 * them all at build time. The reader goes on after a problem wherever it can,
 * so that one run shows every mistake.
 *
 * The words are gettext msgids. xgettext collects them with the ITS rules in
 * data/content/its/, which name exactly the elements in
 * translatable_elements[] (a test compares the two), and it normalises
 * white space the way normalize_words() does, so that the string the kiosk
 * passes to g_dgettext() is the msgid in the catalogue. */

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

/* The files in the order they are read: each refers only to files read
 * before it, so references are checked as they are met. */
typedef enum {
  FILE_GUIDANCE,
  FILE_CATEGORIES,
  FILE_QUESTIONS,
  FILE_EMERGENCY,
  N_FILES,
} FileKind;

static const char * const file_names[] = {
  "guidance.xml",
  "categories.xml",
  "questions.xml",
  "emergency.xml",
  NULL,
};

/* The element each file holds a list of, under <content>. */
static const char * const item_elements[] = {
  "guidance",
  "category",
  "question",
  "region",
};

#define FORMAT_VERSION "1"

struct _HavenContent
{
  GObject parent_instance;

  GListStore *categories;
  GListStore *questions;
  /* id -> the object; the values are owned by the stores above or, for
   * guidance and regions, by the tables themselves. */
  GHashTable *categories_by_id;
  GHashTable *questions_by_id;
  GHashTable *guidance_by_id;
  GHashTable *regions_by_code;
  /* Category id -> GListStore of the questions asked for it. */
  GHashTable *questions_by_category;

  char *dir;
  char *version;
};

G_DEFINE_FINAL_TYPE (HavenContent, haven_content, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-content-error-quark, haven_content_error)

static void
haven_content_dispose (GObject *object)
{
  HavenContent *self = HAVEN_CONTENT (object);

  g_clear_pointer (&self->questions_by_category, g_hash_table_unref);
  g_clear_pointer (&self->categories_by_id, g_hash_table_unref);
  g_clear_pointer (&self->questions_by_id, g_hash_table_unref);
  g_clear_pointer (&self->guidance_by_id, g_hash_table_unref);
  g_clear_pointer (&self->regions_by_code, g_hash_table_unref);
  g_clear_object (&self->categories);
  g_clear_object (&self->questions);

  G_OBJECT_CLASS (haven_content_parent_class)->dispose (object);
}

static void
haven_content_finalize (GObject *object)
{
  HavenContent *self = HAVEN_CONTENT (object);

  g_clear_pointer (&self->dir, g_free);
  g_clear_pointer (&self->version, g_free);

  G_OBJECT_CLASS (haven_content_parent_class)->finalize (object);
}

static void
haven_content_class_init (HavenContentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haven_content_dispose;
  object_class->finalize = haven_content_finalize;
}

static void
haven_content_init (HavenContent *self)
{
  self->categories = g_list_store_new (HAVEN_TYPE_CATEGORY);
  self->questions = g_list_store_new (HAVEN_TYPE_QUESTION);
  self->categories_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->questions_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->guidance_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->regions_by_code = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->questions_by_category = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       g_object_unref);
}

/* One load of a folder. */
typedef struct {
  const char *dir;
  const char * const *known_terms;
  /* (element-type GError) */
  GPtrArray *problems;
  HavenContent *content;
  GChecksum *checksum;
  /* Per FileKind: id -> the line it was defined on, as a pointer. */
  GHashTable *ids[N_FILES];
  /* Per FileKind: whether the file was read to its end. References into a
   * file that could not be read are not checked, which would only repeat
   * its problem once per reference. */
  gboolean complete[N_FILES];
} Loader;

typedef struct {
  int line;
  int column;
} Location;

/* The <category>, <guidance>, <question> or <region> being read, and the
 * <choice>, <number> or <link> inside it. */
typedef struct {
  Location at;
  /* A problem was reported inside it: it is not added. */
  gboolean broken;

  char *id;
  char *title;
  char *summary;
  char *hint;
  char *why;
  /* Examples of a category, steps of guidance. */
  GPtrArray *texts;
  GPtrArray *terms;
  GPtrArray *guidance_ids;
  gboolean removable;
  gboolean about_child;
  /* A question that may be hard to answer. */
  gboolean sensitive;
  gboolean has_type;
  HavenQuestionType type;
  GStrv category_ids;
  GPtrArray *choice_ids;
  GPtrArray *choice_labels;
  HavenEmergencyRegion *region;
  gboolean has_entries;

  Location entry_at;
  gboolean entry_broken;
  /* The choice's id, or the number's or link's kind. */
  char *entry_name;
  /* The number, or the link's address. */
  char *entry_target;
  char *entry_label;
} Item;

typedef struct {
  Loader *loader;
  FileKind kind;
  char *path;
  const char *text;
  gsize length;
  /* Offsets of the line feeds, to turn GMarkup's positions into lines and
   * columns. */
  GArray *line_feeds;
  GMarkupParseContext *context;

  /* How many elements are open inside one that was rejected; their
   * contents are skipped. */
  guint skip_depth;
  gboolean seen_root;
  Location root_at;

  /* The element whose words are being read, if any. */
  char *words_element;
  Location words_at;
  GString *words;

  Item item;
} FileReader;

static void
item_clear (Item *item)
{
  g_clear_pointer (&item->id, g_free);
  g_clear_pointer (&item->title, g_free);
  g_clear_pointer (&item->summary, g_free);
  g_clear_pointer (&item->hint, g_free);
  g_clear_pointer (&item->why, g_free);
  g_clear_pointer (&item->texts, g_ptr_array_unref);
  g_clear_pointer (&item->terms, g_ptr_array_unref);
  g_clear_pointer (&item->guidance_ids, g_ptr_array_unref);
  g_clear_pointer (&item->category_ids, g_strfreev);
  g_clear_pointer (&item->choice_ids, g_ptr_array_unref);
  g_clear_pointer (&item->choice_labels, g_ptr_array_unref);
  g_clear_object (&item->region);
  g_clear_pointer (&item->entry_name, g_free);
  g_clear_pointer (&item->entry_target, g_free);
  g_clear_pointer (&item->entry_label, g_free);
  memset (item, 0, sizeof (*item));
}

static void
item_init (Item     *item,
           Location  at)
{
  item_clear (item);
  item->at = at;
  item->texts = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  item->terms = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  item->guidance_ids = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  item->choice_ids = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  item->choice_labels = g_ptr_array_new_null_terminated (0, g_free, TRUE);
}

static void
entry_clear (Item *item)
{
  g_clear_pointer (&item->entry_name, g_free);
  g_clear_pointer (&item->entry_target, g_free);
  g_clear_pointer (&item->entry_label, g_free);
  item->entry_broken = FALSE;
}

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

static void
report (FileReader         *reader,
        const Location     *at,
        HavenContentError   code,
        const char         *format,
        ...) G_GNUC_PRINTF (4, 5);

/* Records a problem as "FILE:LINE:COLUMN: message". */
static void
report (FileReader         *reader,
        const Location     *at,
        HavenContentError   code,
        const char         *format,
        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_ptr_array_add (reader->loader->problems,
                   g_error_new (HAVEN_CONTENT_ERROR, code, "%s:%d:%d: %s",
                                reader->path, at->line, at->column, message));
}

static gboolean
is_words_element (const char *element)
{
  return g_strv_contains (translatable_elements, element);
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* As xgettext does for ITS rules without a preserveSpaceRule: white space at
 * either end is dropped, and every run of it inside becomes one space. */
static char *
normalize_words (const char *text)
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

/* Ids end up in reports and in the API (a category id is the request's
 * "category"), so they are kept to one plain form: lower-case ASCII letters
 * and digits, joined by single hyphens. */
static gboolean
is_valid_id (const char *id)
{
  if (!g_ascii_isalnum (id[0]))
    return FALSE;

  for (const char *p = id; *p != '\0'; p++)
    {
      if (*p == '-')
        {
          if (p[1] == '-' || p[1] == '\0')
            return FALSE;
        }
      else if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p)))
        {
          return FALSE;
        }
    }

  return TRUE;
}

/* "*", an ISO 3166-1 code such as "GB", or an ISO 3166-2 subdivision such
 * as "GB-LND". */
static gboolean
is_valid_region_code (const char *code)
{
  gsize length = strlen (code);

  if (g_str_equal (code, "*"))
    return TRUE;

  if (length < 2 || !g_ascii_isupper (code[0]) || !g_ascii_isupper (code[1]))
    return FALSE;
  if (length == 2)
    return TRUE;
  if (code[2] != '-' || length < 4 || length > 6)
    return FALSE;

  for (gsize i = 3; i < length; i++)
    {
      if (!g_ascii_isupper (code[i]) && !g_ascii_isdigit (code[i]))
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_valid_date (const char *date)
{
  unsigned int year, month, day;
  char extra;

  if (strlen (date) != 10 || date[4] != '-' || date[7] != '-')
    return FALSE;
  if (sscanf (date, "%4u-%2u-%2u%c", &year, &month, &day, &extra) != 3)
    return FALSE;

  return g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year);
}

static gboolean
is_valid_phone_number (const char *number)
{
  gboolean has_digit = FALSE;

  for (const char *p = number; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        has_digit = TRUE;
      else if (strchr ("+ -()", *p) == NULL)
        return FALSE;
    }

  return has_digit;
}

static gboolean
is_web_address (const char *url,
                gboolean    https_only)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme;

  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return FALSE;

  scheme = g_uri_get_scheme (uri);
  return g_ascii_strcasecmp (scheme, "https") == 0 ||
         (!https_only && g_ascii_strcasecmp (scheme, "http") == 0);
}

static gboolean
parse_boolean (FileReader     *reader,
               const Location *at,
               const char     *element,
               const char     *attribute,
               const char     *value,
               gboolean       *result)
{
  if (g_str_equal (value, "true") || g_str_equal (value, "false"))
    {
      *result = g_str_equal (value, "true");
      return TRUE;
    }

  report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
          _("<%s> has %s=“%s”; it must be “true” or “false”"), element, attribute, value);
  return FALSE;
}

#define MAX_ATTRIBUTES 4

/* Reports every attribute of the element that is not in @allowed, and
 * every one of @allowed that is missing (all are required but those whose
 * name ends in "?"), and puts the values in @values in the order of
 * @allowed. */
static gboolean
read_attributes (FileReader          *reader,
                 const Location      *at,
                 const char          *element,
                 const char         **names,
                 const char         **values,
                 const char * const  *allowed,
                 const char         **found)
{
  gboolean complete = TRUE;
  guint n_allowed = g_strv_length ((char **) allowed);

  g_assert (n_allowed <= MAX_ATTRIBUTES);

  for (guint i = 0; i < n_allowed; i++)
    found[i] = NULL;

  for (guint i = 0; names[i] != NULL; i++)
    {
      guint j;

      for (j = 0; j < n_allowed; j++)
        {
          gsize length = strcspn (allowed[j], "?");

          if (strlen (names[i]) == length && strncmp (names[i], allowed[j], length) == 0)
            break;
        }

      if (j == n_allowed)
        {
          report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_ATTRIBUTE,
                  _("<%s> has an unknown attribute “%s”"), element, names[i]);
          complete = FALSE;
          continue;
        }

      found[j] = values[i];
    }

  for (guint i = 0; i < n_allowed; i++)
    {
      if (found[i] == NULL && !g_str_has_suffix (allowed[i], "?"))
        {
          report (reader, at, HAVEN_CONTENT_ERROR_MISSING_ATTRIBUTE,
                  _("<%s> has no %s attribute"), element, allowed[i]);
          complete = FALSE;
        }
    }

  return complete;
}

/* Checks an item's id and that no item of the same file had it before. */
static gboolean
claim_id (FileReader     *reader,
          const Location *at,
          const char     *element,
          const char     *attribute,
          const char     *id)
{
  GHashTable *ids = reader->loader->ids[reader->kind];
  gpointer line;

  if (reader->kind == FILE_EMERGENCY ? !is_valid_region_code (id) : !is_valid_id (id))
    {
      if (reader->kind == FILE_EMERGENCY)
        report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                _("<%s> has %s=“%s”, which is not “*” or an ISO 3166 code such as GB or "
                  "GB-LND"), element, attribute, id);
      else
        report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                _("<%s> has %s=“%s”; ids are lower-case letters and digits joined by "
                  "hyphens"), element, attribute, id);
      return FALSE;
    }

  if (g_hash_table_lookup_extended (ids, id, NULL, &line))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_DUPLICATE_ID,
              _("<%s> %s=“%s” is already defined on line %d"), element, attribute, id,
              GPOINTER_TO_INT (line));
      return FALSE;
    }

  g_hash_table_insert (ids, g_strdup (id), GINT_TO_POINTER (at->line));
  return TRUE;
}

/* Reads the attributes of an item's element (a category, a question…),
 * whose first allowed one is its id, and claims the id. Either failing
 * marks the item broken, so that the rest is still checked and reported
 * before the item is left out. */
static void
read_item_attributes (FileReader          *reader,
                      const Location      *at,
                      const char          *element,
                      const char          *id_attribute,
                      const char         **names,
                      const char         **values,
                      const char * const  *allowed,
                      const char         **found)
{
  Item *item = &reader->item;

  g_assert (g_str_equal (allowed[0], id_attribute));

  if (!read_attributes (reader, at, element, names, values, allowed, found))
    item->broken = TRUE;

  if (found[0] != NULL && claim_id (reader, at, element, id_attribute, found[0]))
    item->id = g_strdup (found[0]);
  else
    item->broken = TRUE;
}

static gboolean
is_known_id (FileReader *reader,
             FileKind    kind,
             const char *id)
{
  return !reader->loader->complete[kind] ||
         g_hash_table_contains (reader->loader->ids[kind], id);
}

/* A known term ending in "*" stands for every term it starts, as in the
 * directory's category mapping. */
static gboolean
is_known_term (const char * const *known_terms,
               const char         *term)
{
  for (guint i = 0; known_terms[i] != NULL; i++)
    {
      const char *known = known_terms[i];
      gsize length = strlen (known);

      if (g_str_equal (known, term))
        return TRUE;
      if (length > 1 && known[length - 1] == '*' && strncmp (known, term, length - 1) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
skip_element (FileReader *reader)
{
  reader->skip_depth = 1;
}

static void
start_root (FileReader      *reader,
            const Location  *at,
            const char      *element,
            const char     **names,
            const char     **values)
{
  static const char * const allowed[] = { "xmlns", "version", NULL };
  const char *found[MAX_ATTRIBUTES];

  reader->seen_root = TRUE;
  reader->root_at = *at;

  if (!g_str_equal (element, "content"))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT,
              _("The document is <%s>; a content file is a <content> element"), element);
      skip_element (reader);
      return;
    }

  read_attributes (reader, at, element, names, values, allowed, found);

  /* Without the namespace xgettext does not recognise the file, and its
   * words would silently never be translated. */
  if (found[0] != NULL && !g_str_equal (found[0], HAVEN_CONTENT_NAMESPACE))
    report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
            _("<content> has xmlns=“%s”; it must be “%s”"), found[0], HAVEN_CONTENT_NAMESPACE);

  if (found[1] != NULL && !g_str_equal (found[1], FORMAT_VERSION))
    report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
            _("<content> has version=“%s”; this version of Haven reads version %s"),
            found[1], FORMAT_VERSION);
}

static void
start_category (FileReader      *reader,
                const Location  *at,
                const char     **names,
                const char     **values)
{
  static const char * const allowed[] = { "id", "removable", "child", NULL };
  const char *found[MAX_ATTRIBUTES];
  Item *item = &reader->item;

  read_item_attributes (reader, at, "category", "id", names, values, allowed, found);

  if (found[1] != NULL &&
      !parse_boolean (reader, at, "category", "removable", found[1], &item->removable))
    item->broken = TRUE;
  if (found[2] != NULL &&
      !parse_boolean (reader, at, "category", "child", found[2], &item->about_child))
    item->broken = TRUE;
}

static void
start_guidance (FileReader      *reader,
                const Location  *at,
                const char     **names,
                const char     **values)
{
  static const char * const allowed[] = { "id", NULL };
  const char *found[MAX_ATTRIBUTES];

  read_item_attributes (reader, at, "guidance", "id", names, values, allowed, found);
}

static void
read_question_categories (FileReader     *reader,
                          const Location *at,
                          const char     *list)
{
  g_auto(GStrv) words = g_strsplit_set (list, " \t\r\n", -1);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  Item *item = &reader->item;

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *id = words[i];

      if (id[0] == '\0')
        continue;

      if (g_ptr_array_find_with_equal_func (seen, id, g_str_equal, NULL))
        {
          report (reader, at, HAVEN_CONTENT_ERROR_DUPLICATE_ID,
                  _("<question> lists the category “%s” twice"), id);
          item->broken = TRUE;
          continue;
        }
      g_ptr_array_add (seen, (gpointer) id);

      if (!g_str_equal (id, "*") && !is_known_id (reader, FILE_CATEGORIES, id))
        {
          report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_REFERENCE,
                  _("<question> is for the category “%s”, which categories.xml does not "
                    "define"), id);
          item->broken = TRUE;
        }
      g_strv_builder_add (ids, id);
    }

  if (seen->len == 0 || (seen->len > 1 && g_ptr_array_find_with_equal_func (seen, "*",
                                                                            g_str_equal, NULL)))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
              _("<question> has category=“%s”; it must be “*” or a list of category ids "
                "separated by spaces"), list);
      item->broken = TRUE;
    }

  item->category_ids = g_strv_builder_end (ids);
}

static void
start_question (FileReader      *reader,
                const Location  *at,
                const char     **names,
                const char     **values)
{
  static const char * const allowed[] = { "id", "type", "category", "sensitive?", NULL };
  const char *found[MAX_ATTRIBUTES];
  Item *item = &reader->item;

  read_item_attributes (reader, at, "question", "id", names, values, allowed, found);

  if (found[1] != NULL)
    {
      item->has_type = haven_question_type_from_string (found[1], &item->type);
      if (!item->has_type)
        {
          report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_TYPE,
                  _("<question> has the unknown type “%s”; the types are text, long-text, "
                    "date, choice, multi-choice, money, yes-no and url-list"), found[1]);
          item->broken = TRUE;
        }
    }

  if (found[2] != NULL)
    read_question_categories (reader, at, found[2]);

  if (found[3] != NULL &&
      !parse_boolean (reader, at, "question", "sensitive", found[3], &item->sensitive))
    item->broken = TRUE;
}

static void
start_region (FileReader      *reader,
              const Location  *at,
              const char     **names,
              const char     **values)
{
  static const char * const allowed[] = { "code", "name", "source", "checked", NULL };
  const char *found[MAX_ATTRIBUTES];
  Item *item = &reader->item;

  read_item_attributes (reader, at, "region", "code", names, values, allowed, found);

  if (found[2] != NULL && !is_web_address (found[2], FALSE))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
              _("<region> has source=“%s”, which is not a web address"), found[2]);
      item->broken = TRUE;
    }

  if (found[3] != NULL && !is_valid_date (found[3]))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
              _("<region> has checked=“%s”, which is not a valid date written as YYYY-MM-DD"),
              found[3]);
      item->broken = TRUE;
    }

  if (!item->broken)
    item->region = haven_emergency_region_new (found[0], found[1], found[2], found[3]);
}

static void
start_item (FileReader      *reader,
            const Location  *at,
            const char      *element,
            const char     **names,
            const char     **values)
{
  if (!g_str_equal (element, item_elements[reader->kind]))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT,
              _("<%s> does not belong in %s, which holds <%s> elements"),
              element, file_names[reader->kind], item_elements[reader->kind]);
      skip_element (reader);
      return;
    }

  item_init (&reader->item, *at);

  switch (reader->kind)
    {
    case FILE_GUIDANCE:
      start_guidance (reader, at, names, values);
      break;

    case FILE_CATEGORIES:
      start_category (reader, at, names, values);
      break;

    case FILE_QUESTIONS:
      start_question (reader, at, names, values);
      break;

    case FILE_EMERGENCY:
      start_region (reader, at, names, values);
      break;

    case N_FILES:
    default:
      g_assert_not_reached ();
    }
}

/* The text of @element is collected until it ends. */
static void
begin_words (FileReader     *reader,
             const Location *at,
             const char     *element)
{
  reader->words_element = g_strdup (element);
  reader->words_at = *at;
  g_string_truncate (reader->words, 0);
}

static void
start_words (FileReader      *reader,
             const Location  *at,
             const char      *element,
             const char     **names,
             const char     **values)
{
  static const char * const none[] = { NULL };
  const char *found[MAX_ATTRIBUTES];

  /* Words anywhere else would not be collected for translation. */
  g_assert (is_words_element (element));

  if (!read_attributes (reader, at, element, names, values, none, found))
    reader->item.broken = TRUE;

  begin_words (reader, at, element);
}

/* <taxonomy term="…"/> and <guidance ref="…"/> in a category. */
static void
start_category_reference (FileReader      *reader,
                          const Location  *at,
                          const char      *element,
                          const char     **names,
                          const char     **values)
{
  gboolean is_term = g_str_equal (element, "taxonomy");
  const char * const term_attributes[] = { "term", NULL };
  const char * const ref_attributes[] = { "ref", NULL };
  const char *found[MAX_ATTRIBUTES];
  const char * const *known_terms = reader->loader->known_terms;
  Item *item = &reader->item;
  GPtrArray *list = is_term ? item->terms : item->guidance_ids;
  const char *value;

  if (!read_attributes (reader, at, element, names, values,
                        is_term ? term_attributes : ref_attributes, found))
    {
      item->broken = TRUE;
      return;
    }
  value = found[0];

  if (g_ptr_array_find_with_equal_func (list, value, g_str_equal, NULL))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_DUPLICATE_ID,
              is_term ? _("<category> lists the taxonomy term “%s” twice")
                      : _("<category> lists the guidance “%s” twice"), value);
      item->broken = TRUE;
      return;
    }

  if (is_term && known_terms != NULL && !is_known_term (known_terms, value))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_TERM,
              _("<taxonomy> names the term “%s”, which the directory’s category mapping "
                "does not know"), value);
      item->broken = TRUE;
      return;
    }

  if (!is_term && !is_known_id (reader, FILE_GUIDANCE, value))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_REFERENCE,
              _("<guidance> refers to “%s”, which guidance.xml does not define"), value);
      item->broken = TRUE;
      return;
    }

  g_ptr_array_add (list, g_strdup (value));
}

static void
start_choice (FileReader      *reader,
              const Location  *at,
              const char     **names,
              const char     **values)
{
  static const char * const allowed[] = { "id", NULL };
  const char *found[MAX_ATTRIBUTES];
  Item *item = &reader->item;

  entry_clear (item);
  item->entry_at = *at;
  begin_words (reader, at, "choice");

  if (item->has_type && !haven_question_type_has_choices (item->type))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT,
              _("<choice> belongs only in questions of type choice or multi-choice, not %s"),
              haven_question_type_to_string (item->type));
      item->entry_broken = TRUE;
    }

  if (!read_attributes (reader, at, "choice", names, values, allowed, found))
    {
      item->entry_broken = TRUE;
      return;
    }

  if (!is_valid_id (found[0]))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
              _("<choice> has id=“%s”; ids are lower-case letters and digits joined by "
                "hyphens"), found[0]);
      item->entry_broken = TRUE;
    }
  else if (g_ptr_array_find_with_equal_func (item->choice_ids, found[0], g_str_equal, NULL))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_DUPLICATE_ID,
              _("<choice> id=“%s” appears twice in this question"), found[0]);
      item->entry_broken = TRUE;
    }

  item->entry_name = g_strdup (found[0]);
}

/* <number kind="…" value="…"> and <link kind="…" url="…"> in a region. */
static void
start_region_entry (FileReader      *reader,
                    const Location  *at,
                    const char      *element,
                    const char     **names,
                    const char     **values)
{
  gboolean is_number = g_str_equal (element, "number");
  const char * const number_attributes[] = { "kind", "value", NULL };
  const char * const link_attributes[] = { "kind", "url", NULL };
  const char *found[MAX_ATTRIBUTES];
  Item *item = &reader->item;

  entry_clear (item);
  item->entry_at = *at;
  item->has_entries = TRUE;

  if (!read_attributes (reader, at, element, names, values,
                        is_number ? number_attributes : link_attributes, found))
    {
      item->entry_broken = TRUE;
      return;
    }

  if (!is_valid_id (found[0]))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
              _("<%s> has kind=“%s”; kinds are lower-case letters and digits joined by "
                "hyphens"), element, found[0]);
      item->entry_broken = TRUE;
    }

  if (is_number && !is_valid_phone_number (found[1]))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
              _("<number> has value=“%s”; a number is digits, spaces and + - ( )"), found[1]);
      item->entry_broken = TRUE;
    }

  /* Visitors are sent there from a public kiosk. */
  if (!is_number && !is_web_address (found[1], TRUE))
    {
      report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
              _("<link> has url=“%s”; it must be a web address starting with https://"),
              found[1]);
      item->entry_broken = TRUE;
    }

  item->entry_name = g_strdup (found[0]);
  item->entry_target = g_strdup (found[1]);
}

/* Which elements go inside which, per file. Returns FALSE for an element
 * that does not belong inside @parent. */
static gboolean
start_child (FileReader      *reader,
             const Location  *at,
             const char      *element,
             const char      *parent,
             const char     **names,
             const char     **values)
{
  gboolean in_item = g_str_equal (parent, item_elements[reader->kind]);

  switch (reader->kind)
    {
    case FILE_GUIDANCE:
      if (in_item && (g_str_equal (element, "title") || g_str_equal (element, "step")))
        start_words (reader, at, element, names, values);
      else
        return FALSE;
      break;

    case FILE_CATEGORIES:
      if (in_item && (g_str_equal (element, "title") || g_str_equal (element, "summary") ||
                      g_str_equal (element, "example")))
        start_words (reader, at, element, names, values);
      else if (in_item && (g_str_equal (element, "taxonomy") ||
                           g_str_equal (element, "guidance")))
        start_category_reference (reader, at, element, names, values);
      else
        return FALSE;
      break;

    case FILE_QUESTIONS:
      if (in_item && (g_str_equal (element, "title") || g_str_equal (element, "hint") ||
                      g_str_equal (element, "why")))
        start_words (reader, at, element, names, values);
      else if (in_item && g_str_equal (element, "choice"))
        start_choice (reader, at, names, values);
      else
        return FALSE;
      break;

    case FILE_EMERGENCY:
      if (in_item && (g_str_equal (element, "number") || g_str_equal (element, "link")))
        start_region_entry (reader, at, element, names, values);
      else if ((g_str_equal (parent, "number") || g_str_equal (parent, "link")) &&
               g_str_equal (element, "label"))
        start_words (reader, at, element, names, values);
      else
        return FALSE;
      break;

    case N_FILES:
    default:
      g_assert_not_reached ();
    }

  return TRUE;
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
  const GSList *stack = g_markup_parse_context_get_element_stack (context);
  const char *parent = stack->next != NULL ? stack->next->data : NULL;
  guint depth = g_slist_length ((GSList *) stack);
  Location at;

  if (reader->skip_depth > 0)
    {
      reader->skip_depth++;
      return;
    }

  at = tag_location (reader);

  if (reader->words_element != NULL)
    {
      report (reader, &at, HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT,
              _("<%s> inside <%s>: the words of an element are plain text"),
              element, reader->words_element);
      reader->item.broken = TRUE;
      skip_element (reader);
      return;
    }

  if (depth == 1)
    start_root (reader, &at, element, names, values);
  else if (depth == 2)
    start_item (reader, &at, element, names, values);
  else if (!start_child (reader, &at, element, parent, names, values))
    {
      report (reader, &at, HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT,
              _("Unknown element <%s> inside <%s>"), element, parent);
      reader->item.broken = TRUE;
      skip_element (reader);
    }
}

static gboolean
set_once (FileReader      *reader,
          const Location  *at,
          const char      *element,
          const char      *parent,
          char           **field,
          char            *words)
{
  if (*field != NULL)
    {
      report (reader, at, HAVEN_CONTENT_ERROR_REPEATED_ELEMENT,
              _("<%s> appears more than once in <%s>"), element, parent);
      g_free (words);
      return FALSE;
    }

  *field = words;
  return TRUE;
}

/* Puts the words of the element just closed where they belong. */
static void
end_words (FileReader *reader,
           const char *parent)
{
  g_autofree char *element = g_steal_pointer (&reader->words_element);
  char *words = normalize_words (reader->words->str);
  const Location *at = &reader->words_at;
  Item *item = &reader->item;
  gboolean stored = TRUE;

  /* The empty words are still stored, so that the element does not count
   * as missing too; the item is not added. */
  if (words[0] == '\0')
    {
      report (reader, at, HAVEN_CONTENT_ERROR_EMPTY_TEXT,
              _("<%s> is empty; it must hold the words to show"), element);
      item->broken = TRUE;
    }

  if (g_str_equal (element, "title"))
    stored = set_once (reader, at, element, parent, &item->title, words);
  else if (g_str_equal (element, "summary"))
    stored = set_once (reader, at, element, parent, &item->summary, words);
  else if (g_str_equal (element, "hint"))
    stored = set_once (reader, at, element, parent, &item->hint, words);
  else if (g_str_equal (element, "why"))
    stored = set_once (reader, at, element, parent, &item->why, words);
  else if (g_str_equal (element, "example") || g_str_equal (element, "step"))
    g_ptr_array_add (item->texts, words);
  else if (g_str_equal (element, "label"))
    stored = set_once (reader, at, element, parent, &item->entry_label, words);
  else if (g_str_equal (element, "choice"))
    {
      if (!item->entry_broken && item->entry_name != NULL)
        {
          g_ptr_array_add (item->choice_ids, g_steal_pointer (&item->entry_name));
          g_ptr_array_add (item->choice_labels, words);
        }
      else
        {
          item->broken = TRUE;
          g_free (words);
        }
      entry_clear (item);
    }
  else
    g_assert_not_reached ();

  if (!stored)
    item->broken = TRUE;
}

static void
missing_child (FileReader     *reader,
               const Location *at,
               const char     *element,
               const char     *child)
{
  report (reader, at, HAVEN_CONTENT_ERROR_MISSING_ELEMENT, _("<%s> has no <%s>"), element, child);
  reader->item.broken = TRUE;
}

static void
end_region_entry (FileReader *reader,
                  const char *element)
{
  Item *item = &reader->item;

  if (item->entry_label == NULL && !item->entry_broken)
    {
      report (reader, &item->entry_at, HAVEN_CONTENT_ERROR_MISSING_ELEMENT,
              _("<%s> has no <label>"), element);
      item->entry_broken = TRUE;
    }

  if (item->entry_broken)
    item->broken = TRUE;
  else if (item->region != NULL && g_str_equal (element, "number"))
    haven_emergency_region_add_number (item->region, item->entry_name, item->entry_target,
                                       item->entry_label);
  else if (item->region != NULL)
    haven_emergency_region_add_link (item->region, item->entry_name, item->entry_target,
                                     item->entry_label);

  entry_clear (item);
}

static const char * const *
strv (GPtrArray *array)
{
  static const char * const empty[] = { NULL };

  return array->pdata != NULL ? (const char * const *) array->pdata : empty;
}

static void
end_category (FileReader *reader)
{
  Item *item = &reader->item;
  HavenContent *content = reader->loader->content;
  HavenCategory *category;

  if (item->title == NULL)
    missing_child (reader, &item->at, "category", "title");
  if (item->summary == NULL)
    missing_child (reader, &item->at, "category", "summary");
  /* Every harm comes with advice on what to do next. */
  if (item->guidance_ids->len == 0 && !item->broken)
    missing_child (reader, &item->at, "category", "guidance");

  if (item->broken)
    return;

  category = haven_category_new (item->id, item->title, item->summary, strv (item->texts),
                                 item->removable, item->about_child, strv (item->terms),
                                 strv (item->guidance_ids));
  g_list_store_append (content->categories, category);
  g_hash_table_insert (content->categories_by_id,
                       (gpointer) haven_category_get_id (category), category);
  g_object_unref (category);
}

static void
end_guidance (FileReader *reader)
{
  Item *item = &reader->item;
  HavenGuidance *guidance;

  if (item->title == NULL)
    missing_child (reader, &item->at, "guidance", "title");
  if (item->texts->len == 0)
    missing_child (reader, &item->at, "guidance", "step");

  if (item->broken)
    return;

  guidance = haven_guidance_new (item->id, item->title, strv (item->texts));
  g_hash_table_insert (reader->loader->content->guidance_by_id,
                       (gpointer) haven_guidance_get_id (guidance), guidance);
}

static void
end_question (FileReader *reader)
{
  Item *item = &reader->item;
  HavenContent *content = reader->loader->content;
  HavenQuestion *question;

  if (item->title == NULL)
    missing_child (reader, &item->at, "question", "title");

  if (item->has_type && haven_question_type_has_choices (item->type) &&
      item->choice_ids->len < 2 && !item->broken)
    {
      report (reader, &item->at, HAVEN_CONTENT_ERROR_MISSING_ELEMENT,
              _("<question> of type %s needs at least two <choice> elements"),
              haven_question_type_to_string (item->type));
      item->broken = TRUE;
    }

  if (item->broken)
    return;

  question = haven_question_new (item->id, item->type, item->title, item->hint, item->why,
                                 (const char * const *) item->category_ids,
                                 strv (item->choice_ids), strv (item->choice_labels));
  haven_question_set_sensitive (question, item->sensitive);
  g_list_store_append (content->questions, question);
  g_hash_table_insert (content->questions_by_id,
                       (gpointer) haven_question_get_id (question), question);
  g_object_unref (question);
}

static void
end_region (FileReader *reader)
{
  Item *item = &reader->item;
  HavenEmergencyRegion *region;

  if (!item->has_entries)
    {
      report (reader, &item->at, HAVEN_CONTENT_ERROR_MISSING_ELEMENT,
              _("<region> has no <number> or <link>"));
      item->broken = TRUE;
    }

  if (item->broken || item->region == NULL)
    return;

  region = g_steal_pointer (&item->region);
  g_hash_table_insert (reader->loader->content->regions_by_code,
                       (gpointer) haven_emergency_region_get_code (region), region);
}

static void
end_element_cb (GMarkupParseContext  *context,
                const char           *element,
                gpointer              user_data,
                GError              **error)
{
  FileReader *reader = user_data;
  const GSList *stack = g_markup_parse_context_get_element_stack (context);
  guint depth = g_slist_length ((GSList *) stack);

  if (reader->skip_depth > 0)
    {
      reader->skip_depth--;
      return;
    }

  if (reader->words_element != NULL)
    {
      end_words (reader, stack->next->data);
      return;
    }

  if (depth == 3 && reader->kind == FILE_EMERGENCY)
    {
      end_region_entry (reader, element);
      return;
    }

  if (depth != 2)
    return;

  switch (reader->kind)
    {
    case FILE_GUIDANCE:
      end_guidance (reader);
      break;

    case FILE_CATEGORIES:
      end_category (reader);
      break;

    case FILE_QUESTIONS:
      end_question (reader);
      break;

    case FILE_EMERGENCY:
      end_region (reader);
      break;

    case N_FILES:
    default:
      g_assert_not_reached ();
    }

  item_clear (&reader->item);
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
          report (reader, &at, HAVEN_CONTENT_ERROR_UNTRANSLATABLE_TEXT,
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
      report (reader, &reader->words_at, HAVEN_CONTENT_ERROR_SYNTAX,
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

  if (g_markup_parse_context_parse (reader.context, text, length, &error) &&
      g_markup_parse_context_end_parse (reader.context, &error))
    {
      loader->complete[kind] = TRUE;
    }
  else
    {
      Location at = location_at_offset (&reader, markup_offset (&reader));

      report (&reader, &at, HAVEN_CONTENT_ERROR_SYNTAX, "%s", error->message);
    }

  if (loader->complete[kind] && kind == FILE_EMERGENCY &&
      !g_hash_table_contains (loader->ids[FILE_EMERGENCY], "*"))
    {
      /* The safety question always has numbers to show, wherever the
       * kiosk stands. */
      report (&reader, &reader.root_at, HAVEN_CONTENT_ERROR_MISSING_ELEMENT,
              _("There is no region-neutral <region code=\"*\">"));
    }

  if (loader->complete[kind] && kind == FILE_CATEGORIES &&
      g_hash_table_size (loader->ids[FILE_CATEGORIES]) == 0)
    report (&reader, &reader.root_at, HAVEN_CONTENT_ERROR_MISSING_ELEMENT,
            _("There is no <category>"));

  item_clear (&reader.item);
  g_free (reader.words_element);
  g_string_free (reader.words, TRUE);
  g_array_unref (reader.line_feeds);
  g_markup_parse_context_free (reader.context);
}

static void
index_questions (HavenContent *self)
{
  GListModel *categories = G_LIST_MODEL (self->categories);
  GListModel *all_questions = G_LIST_MODEL (self->questions);
  guint n_categories = g_list_model_get_n_items (categories);
  guint n_questions = g_list_model_get_n_items (all_questions);

  for (guint i = 0; i < n_categories; i++)
    {
      g_autoptr(HavenCategory) category = g_list_model_get_item (categories, i);
      const char *id = haven_category_get_id (category);
      GListStore *questions = g_list_store_new (HAVEN_TYPE_QUESTION);

      for (guint j = 0; j < n_questions; j++)
        {
          g_autoptr(HavenQuestion) question = g_list_model_get_item (all_questions, j);

          if (haven_question_applies_to (question, id))
            g_list_store_append (questions, question);
        }

      g_hash_table_insert (self->questions_by_category, g_strdup (id), questions);
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static GStrv
sort_strv (GStrv strv)
{
  qsort (strv, g_strv_length (strv), sizeof (char *), compare_strings);
  return strv;
}

/* Reads every file of @dir, recording each problem in @problems. */
static HavenContent *
load (const char         *dir,
      const char * const *known_terms,
      GPtrArray          *problems)
{
  g_autoptr(HavenContent) content = g_object_new (HAVEN_TYPE_CONTENT, NULL);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
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

  index_questions (content);
  content->dir = g_strdup (dir);
  /* Enough to tell on the operator screen whether two kiosks show the same
   * content. */
  content->version = g_strndup (g_checksum_get_string (checksum), 12);

  return g_steal_pointer (&content);
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

/**
 * haven_content_check_dir:
 * @dir: a folder with the content files
 * @known_taxonomy_terms: (nullable): the terms the directory's category
 *   mapping knows; %NULL to not check the terms
 *
 * Returns: (transfer full) (element-type GError): every problem in the
 *   folder's files, in the order found; empty when there is none.
 */
GPtrArray *
haven_content_check_dir (const char         *dir,
                         const char * const *known_taxonomy_terms)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr(HavenContent) content = NULL;

  g_return_val_if_fail (dir != NULL, NULL);

  content = load (dir, known_taxonomy_terms, problems);
  return g_steal_pointer (&problems);
}

/**
 * haven_content_new_from_dir:
 * @dir: a folder with the content files
 * @known_taxonomy_terms: (nullable): the terms the directory's category
 *   mapping knows; %NULL to not check the terms
 *
 * Reads the content definitions. Fails with the first problem found, its
 * message naming the file, line and column; haven_content_check_dir() lists
 * them all.
 */
HavenContent *
haven_content_new_from_dir (const char          *dir,
                            const char * const  *known_taxonomy_terms,
                            GError             **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr(HavenContent) content = NULL;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  content = load (dir, known_taxonomy_terms, problems);
  if (problems->len > 0)
    {
      g_propagate_error (error, g_ptr_array_steal_index (problems, 0));
      return NULL;
    }

  return g_steal_pointer (&content);
}

/**
 * haven_content_dup_default_dir:
 * @settings: (nullable): the kiosk's settings
 *
 * Returns: the folder to read the content from: the content-dir setting
 *   when it is set, else the content Haven ships (haven_paths_dup_content_dir()).
 */
char *
haven_content_dup_default_dir (GSettings  *settings,
                               GError    **error)
{
  g_autofree char *setting = NULL;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (settings != NULL)
    setting = g_settings_get_string (settings, "content-dir");

  if (setting != NULL && setting[0] != '\0')
    {
      if (!g_path_is_absolute (setting))
        {
          g_set_error (error, HAVEN_CONTENT_ERROR, HAVEN_CONTENT_ERROR_FILE,
                       _("The setting content-dir must be an absolute path, not “%s”"), setting);
          return NULL;
        }
      return g_steal_pointer (&setting);
    }

  return haven_paths_dup_content_dir ();
}

/**
 * haven_content_find_directory_mapping:
 * @content_dir: the content folder in use
 *
 * Finds the service directory's category mapping (categories.ini), whose
 * taxonomy terms the categories may name: beside the content folder (as a
 * deployment lays out its own copy of Haven's data folder), else the one
 * Haven ships.
 *
 * Returns: (nullable): its path, or %NULL when there is none.
 */
char *
haven_content_find_directory_mapping (const char *content_dir)
{
  g_autofree char *parent = NULL;
  g_autofree char *beside = NULL;
  g_autofree char *shipped = NULL;

  g_return_val_if_fail (content_dir != NULL, NULL);

  parent = g_path_get_dirname (content_dir);
  beside = g_build_filename (parent, "directory", "categories.ini", NULL);
  if (g_file_test (beside, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&beside);

  shipped = haven_paths_dup_directory_mapping ();
  if (g_file_test (shipped, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&shipped);

  return NULL;
}

/**
 * haven_content_read_taxonomy_terms:
 * @mapping_file: the directory's category mapping (data/directory/
 *   categories.ini), a key file
 *
 * Returns: (transfer full): the terms it maps: the keys of its [Terms]
 *   group. A key written "taxonomy:term" counts under both names, and one
 *   ending in "*" for every term it starts.
 */
GStrv
haven_content_read_taxonomy_terms (const char  *mapping_file,
                                   GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GStrvBuilder) terms = g_strv_builder_new ();
  g_auto(GStrv) keys = NULL;

  g_return_val_if_fail (mapping_file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_key_file_load_from_file (key_file, mapping_file, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, HAVEN_CONTENT_ERROR, HAVEN_CONTENT_ERROR_FILE,
                   _("%s: cannot be read: %s"), mapping_file, local_error->message);
      return NULL;
    }

  keys = g_key_file_get_keys (key_file, "Terms", NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      const char *colon = strchr (keys[i], ':');

      if (g_hash_table_add (seen, g_strdup (keys[i])))
        g_strv_builder_add (terms, keys[i]);
      if (colon != NULL && colon[1] != '\0' && g_hash_table_add (seen, g_strdup (colon + 1)))
        g_strv_builder_add (terms, colon + 1);
    }

  return g_strv_builder_end (terms);
}

/**
 * haven_content_load_default:
 * @settings: (nullable): the kiosk's settings
 *
 * Reads the content from haven_content_dup_default_dir(), checking its
 * taxonomy terms against the directory's category mapping when there is
 * one.
 */
HavenContent *
haven_content_load_default (GSettings  *settings,
                            GError    **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *mapping_file = NULL;
  g_auto(GStrv) terms = NULL;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dir = haven_content_dup_default_dir (settings, error);
  if (dir == NULL)
    return NULL;

  mapping_file = haven_content_find_directory_mapping (dir);
  if (mapping_file != NULL)
    {
      terms = haven_content_read_taxonomy_terms (mapping_file, error);
      if (terms == NULL)
        return NULL;
    }
  else
    {
      g_debug ("No directory category mapping found; taxonomy terms are not checked");
    }

  return haven_content_new_from_dir (dir, (const char * const *) terms, error);
}

const char *
haven_content_get_dir (HavenContent *self)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);

  return self->dir;
}

/* Returns: a short hash of the files, the same for the same content. */
const char *
haven_content_get_version (HavenContent *self)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);

  return self->version;
}

/* Returns: (transfer none): the HavenCategory items, in file order. */
GListModel *
haven_content_get_categories (HavenContent *self)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);

  return G_LIST_MODEL (self->categories);
}

/* Returns: (transfer none) (nullable): */
HavenCategory *
haven_content_lookup_category (HavenContent *self,
                               const char   *id)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->categories_by_id, id);
}

/* Returns: (transfer none): every HavenQuestion, in file order. */
GListModel *
haven_content_get_questions (HavenContent *self)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);

  return G_LIST_MODEL (self->questions);
}

/**
 * haven_content_get_questions_for:
 * @category_id: a category's id
 *
 * Returns: (transfer none) (nullable): the HavenQuestion items asked for
 *   the category (those for it and those for every category, "*"), in
 *   file order; %NULL when there is no such category.
 */
GListModel *
haven_content_get_questions_for (HavenContent *self,
                                 const char   *category_id)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);
  g_return_val_if_fail (category_id != NULL, NULL);

  return g_hash_table_lookup (self->questions_by_category, category_id);
}

/* Returns: (transfer none) (nullable): */
HavenQuestion *
haven_content_lookup_question (HavenContent *self,
                               const char   *id)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->questions_by_id, id);
}

/* Returns: (transfer none) (nullable): */
HavenGuidance *
haven_content_lookup_guidance (HavenContent *self,
                               const char   *id)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->guidance_by_id, id);
}

/**
 * haven_content_lookup_region:
 * @region_code: (nullable): the kiosk's region, such as "GB-LND", "GB",
 *   or empty
 *
 * Finds the emergency numbers for a region: its own, else its country's
 * ("GB-LND" falls back to "GB"), else the region-neutral ones ("*").
 *
 * Returns: (transfer none): the region; never %NULL for content that
 *   loaded, which always has a "*" region.
 */
HavenEmergencyRegion *
haven_content_lookup_region (HavenContent *self,
                             const char   *region_code)
{
  g_autofree char *code = NULL;
  HavenEmergencyRegion *region = NULL;
  char *hyphen;

  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);

  if (region_code != NULL && region_code[0] != '\0')
    {
      code = g_ascii_strup (region_code, -1);
      region = g_hash_table_lookup (self->regions_by_code, code);

      hyphen = strchr (code, '-');
      if (region == NULL && hyphen != NULL)
        {
          *hyphen = '\0';
          region = g_hash_table_lookup (self->regions_by_code, code);
        }
    }

  if (region == NULL)
    region = g_hash_table_lookup (self->regions_by_code, "*");

  return region;
}

/* Returns: (transfer full): the codes of the regions with emergency
 *   numbers, sorted, for the operator. */
GStrv
haven_content_dup_region_codes (HavenContent *self)
{
  g_autofree const char **codes = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n_codes = 0;

  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);

  codes = (const char **) g_hash_table_get_keys_as_array (self->regions_by_code, &n_codes);
  for (guint i = 0; i < n_codes; i++)
    g_strv_builder_add (builder, codes[i]);

  return sort_strv (g_strv_builder_end (builder));
}

