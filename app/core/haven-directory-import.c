/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-directory-import"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "haven-directory-import.h"
#include "haven-schedule.h"
#include "haven-search-text.h"

/* Reads an HSDS 3.0 directory and writes the SQLite database the kiosk
 * searches. Three inputs are accepted:
 *  - a JSON array of dereferenced service records (each service with its
 *    organization, locations, areas, languages, phones, schedules and
 *    taxonomy terms inside it);
 *  - the HSDS API's Page object, whose "contents" is such an array;
 *  - a tabular data package: datapackage.json and the HSDS CSV files.
 *
 * A directory of 100,000 services is a JSON file of a few hundred MB, and
 * json-glib can only parse a whole document into a tree: that tree would
 * be several times the file. So the file is read in chunks and cut into
 * its records here, and json-glib parses one record at a time.
 *
 * The database is written to a new file beside the old one and renamed
 * over it only when complete, so a failed import leaves the directory the
 * kiosk uses as it was. The rename is the commit point, which is why the
 * new file is written without a journal and synced once at the end. */

#define READ_CHUNK_SIZE (256 * 1024)
/* The first records are checked and committed the same way as the rest;
 * this only bounds how much a record can be, to catch a file that is not
 * a directory at all before it fills the memory. */
#define MAX_RECORD_SIZE (16 * 1024 * 1024)

enum {
  FTS_NAME,
  FTS_ORGANIZATION,
  FTS_OTHER_NAMES,
  FTS_DESCRIPTION,
  FTS_TERMS,
  N_FTS_COLUMNS,
};

enum {
  SERVICE_FLAG_FREE = 1 << 0,
  SERVICE_FLAG_ALWAYS_OPEN = 1 << 1,
  SERVICE_FLAG_TEMPORARILY_CLOSED = 1 << 2,
};

enum {
  INSERT_ORGANIZATION,
  INSERT_SERVICE,
  INSERT_TERM,
  INSERT_SERVICE_TERM,
  INSERT_SERVICE_REGION,
  INSERT_SERVICE_LANGUAGE,
  INSERT_FTS,
  INSERT_PARTITION,
  INSERT_SEARCH_ORDER,
  N_STATEMENTS,
};

static const char *const statement_sql[N_STATEMENTS] = {
  "INSERT INTO organizations (id, hsds_id, name) VALUES (?, ?, ?)",
  "INSERT INTO services (id, hsds_id, organization, name, flags, schedule, details) "
  "VALUES (?, ?, ?, ?, ?, ?, ?)",
  "INSERT INTO terms (id, taxonomy, code, name) VALUES (?, ?, ?, ?)",
  "INSERT INTO service_terms (service, term) VALUES (?, ?)",
  "INSERT INTO service_regions (service, code) VALUES (?, ?)",
  "INSERT INTO service_languages (service, code) VALUES (?, ?)",
  "INSERT INTO services_fts (rowid, name, organization, other_names, description, terms) "
  "VALUES (?, ?, ?, ?, ?, ?)",
  "INSERT INTO partitions (id, code) VALUES (?, ?)",
  "INSERT INTO search_order (id, service) VALUES (?, ?)",
};

/* The layout, version HAVEN_DIRECTORY_SCHEMA_VERSION. The full-text index
 * is contentless: the text it is built from is folded (haven-search-text.c)
 * and never shown, and what is shown lives in services.details. It keeps
 * which columns a word is in but not where (detail=column): searches are
 * words and prefixes, never phrases, and the index is a third smaller and
 * quicker to build. Nor does it keep the length of each row's text
 * (columnsize=0), which only bm25() reads.
 *
 * What a visitor types is a prefix. FTS5 answers a prefix of a length it
 * keeps an index for (2 and 3 characters here) by reading one list, and
 * any other by merging, in memory, the complete lists of every word that
 * starts with it: for "supp" in a directory where "support" is in most
 * services, the whole list of "support", on every keystroke. So "words"
 * lists the index's words, and the kiosk turns a longer prefix into the
 * few words it stands for ("supp" into "support" OR "supportive"), whose
 * lists FTS5 reads only where it needs them; and "openings" lists the
 * first two characters of every word, so that a single letter becomes the
 * few two-letter prefixes it stands for ("s" into "sa"* OR "se"* ...).
 * An index of one-letter prefixes would do that too, but each indexed
 * prefix length costs as much to build as the words themselves.
 *
 * A kiosk only ever shows services for its own region, so the index is
 * numbered by area: a row's rowid is its partition (see
 * assign_partitions()) in the high 32 bits and the service in the low
 * ones, and a search reads only the few ranges of rowids that can serve
 * the kiosk, not every service the words match. search_order lists the
 * services partition by partition: the kiosk keeps what it needs about
 * each service in memory in that order, so that the services of one
 * partition are read from neighbouring memory. */
static const char schema_sql[] =
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE organizations (id INTEGER PRIMARY KEY, hsds_id TEXT NOT NULL, name TEXT);"
  "CREATE TABLE services (id INTEGER PRIMARY KEY, hsds_id TEXT NOT NULL,"
  "  organization INTEGER REFERENCES organizations (id), name TEXT NOT NULL,"
  "  flags INTEGER NOT NULL, schedule TEXT NOT NULL, details TEXT NOT NULL);"
  "CREATE TABLE terms (id INTEGER PRIMARY KEY, taxonomy TEXT NOT NULL, code TEXT NOT NULL,"
  "  name TEXT);"
  "CREATE TABLE service_terms (service INTEGER NOT NULL, term INTEGER NOT NULL);"
  "CREATE TABLE service_regions (service INTEGER NOT NULL, code TEXT NOT NULL);"
  "CREATE TABLE service_languages (service INTEGER NOT NULL, code TEXT NOT NULL);"
  "CREATE TABLE partitions (id INTEGER PRIMARY KEY, code TEXT NOT NULL);"
  "CREATE TABLE search_order (id INTEGER PRIMARY KEY, service INTEGER NOT NULL);"
  "CREATE TABLE words (word TEXT PRIMARY KEY) WITHOUT ROWID;"
  "CREATE TABLE openings (opening TEXT PRIMARY KEY) WITHOUT ROWID;"
  "CREATE VIRTUAL TABLE services_fts USING fts5 (name, organization, other_names, description,"
  "  terms, content='', tokenize='unicode61 remove_diacritics 2', prefix='2 3',"
  "  detail=column, columnsize=0);"
  /* FTS5 writes what it holds as a new segment of the index every MB by
   * default, and merges those segments again and again as the import
   * goes; holding a batch at a time (STAGING_SIZE) makes several times
   * fewer of them. */
  "INSERT INTO services_fts (services_fts, rank) VALUES ('hashsize', 8388608);";

/* Must match haven-directory.c. */
#define PARTITION_SHIFT 32

/* A service covering up to this many subdivisions of a country is indexed
 * in each; one covering more, in its country's "CC+" partition, which
 * every kiosk of that country reads. */
#define MAX_COPIES 4
/* A service in more partitions than this is indexed once, in "+", which
 * every kiosk reads. */
#define MAX_PARTITIONS 8

/* The words of the finished index, so that they are exactly the words
 * FTS5 holds, and their openings (see schema_sql). */
static const char words_sql[] =
  "CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab (main, services_fts, 'row');"
  "INSERT INTO words (word) SELECT term FROM temp.vocabulary;"
  "DROP TABLE temp.vocabulary;"
  "INSERT INTO openings (opening) SELECT DISTINCT substr (word, 1, 2) FROM words;";

/* Indexes are built once the rows are in: far quicker than keeping them
 * up to date row by row. */
static const char index_sql[] =
  "CREATE UNIQUE INDEX services_hsds_id ON services (hsds_id);"
  "CREATE INDEX service_terms_term ON service_terms (term, service);"
  "CREATE INDEX service_regions_code ON service_regions (code, service);"
  "CREATE INDEX service_languages_code ON service_languages (code, service);";

struct _HavenDirectoryImporter
{
  GObject parent_instance;

  char *source_path;
  char *database_path;
  GPtrArray *problems;

  guint n_services;
  guint n_organizations;
  guint n_skipped;
  double seconds;
};

G_DEFINE_FINAL_TYPE (HavenDirectoryImporter, haven_directory_importer, G_TYPE_OBJECT)

/* A JSON value, parsed into an arena that is emptied after each record.
 * json-glib builds a GObject-backed tree with a hash table per object and
 * a signal per member; for a directory of 100,000 records that was most of
 * the import's time. Records are small objects looked up by a handful of
 * keys, which a plain array of members serves well. */
typedef enum {
  JV_NULL,
  JV_BOOLEAN,
  JV_NUMBER,
  JV_STRING,
  JV_ARRAY,
  JV_OBJECT,
} JvType;

typedef struct _JValue JValue;

typedef struct {
  const char *key;
  JValue *value;
} JMember;

struct _JValue
{
  JvType type;
  guint length;
  /* Strings, and numbers as written. */
  const char *text;
  JValue **elements;
  JMember *members;
  gboolean boolean;
};

#define ARENA_BLOCK_SIZE (256 * 1024)

typedef struct {
  GPtrArray *blocks;
  gsize used;
  gsize block_size;
} Arena;

static void
arena_init (Arena *arena)
{
  arena->blocks = g_ptr_array_new_with_free_func (g_free);
  arena->used = 0;
  arena->block_size = 0;
}

static void
arena_clear (Arena *arena)
{
  g_clear_pointer (&arena->blocks, g_ptr_array_unref);
}

/* Keeps the first block for the next record; large records get blocks of
 * their own, freed here. */
static void
arena_reset (Arena *arena)
{
  if (arena->blocks->len > 1)
    {
      g_ptr_array_remove_range (arena->blocks, 1, arena->blocks->len - 1);
      arena->block_size = ARENA_BLOCK_SIZE;
    }
  arena->used = arena->blocks->len > 0 ? 0 : arena->block_size;
}

static gpointer
arena_alloc (Arena *arena,
             gsize  size)
{
  gpointer memory;

  size = (size + 7) & ~(gsize) 7;
  if (arena->blocks->len == 0 || arena->used + size > arena->block_size)
    {
      gsize block_size = MAX (ARENA_BLOCK_SIZE, size);

      g_ptr_array_add (arena->blocks, g_malloc (block_size));
      arena->block_size = block_size;
      arena->used = 0;
    }

  memory = (char *) g_ptr_array_index (arena->blocks, arena->blocks->len - 1) + arena->used;
  arena->used += size;
  return memory;
}

static char *
arena_strndup (Arena      *arena,
               const char *text,
               gsize       length)
{
  char *copy = arena_alloc (arena, length + 1);

  memcpy (copy, text, length);
  copy[length] = '\0';
  return copy;
}

static JValue *
jv_new (Arena  *arena,
        JvType  type)
{
  JValue *value = arena_alloc (arena, sizeof (JValue));

  memset (value, 0, sizeof *value);
  value->type = type;
  return value;
}

static JValue *
jv_new_string (Arena      *arena,
               const char *text)
{
  JValue *value = jv_new (arena, JV_STRING);

  value->text = arena_strndup (arena, text, strlen (text));
  value->length = strlen (text);
  return value;
}

/* The member @key of @object, or NULL when it is absent or null. */
static JValue *
jv_get (JValue     *object,
        const char *key)
{
  if (object == NULL || object->type != JV_OBJECT)
    return NULL;

  for (guint i = 0; i < object->length; i++)
    {
      if (strcmp (object->members[i].key, key) == 0)
        return object->members[i].value->type != JV_NULL ? object->members[i].value : NULL;
    }

  return NULL;
}

static guint
jv_length (JValue *array)
{
  return array != NULL && array->type == JV_ARRAY ? array->length : 0;
}

static JValue *
jv_index (JValue *array,
          guint   index)
{
  return array->elements[index];
}

static void append_json_string (GString *out, const char *text);

static void
jv_write (GString *out,
          JValue  *value)
{
  switch (value->type)
    {
    case JV_NULL:
      g_string_append (out, "null");
      break;

    case JV_BOOLEAN:
      g_string_append (out, value->boolean ? "true" : "false");
      break;

    case JV_NUMBER:
      g_string_append (out, value->text);
      break;

    case JV_STRING:
      append_json_string (out, value->text);
      break;

    case JV_ARRAY:
      g_string_append_c (out, '[');
      for (guint i = 0; i < value->length; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          jv_write (out, value->elements[i]);
        }
      g_string_append_c (out, ']');
      break;

    case JV_OBJECT:
      g_string_append_c (out, '{');
      for (guint i = 0; i < value->length; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          append_json_string (out, value->members[i].key);
          g_string_append_c (out, ':');
          jv_write (out, value->members[i].value);
        }
      g_string_append_c (out, '}');
      break;

    default:
      g_assert_not_reached ();
    }
}

/* A recursive-descent parser for one JSON value (RFC 8259). */
typedef struct {
  Arena *arena;
  const char *start;
  const char *p;
  const char *end;
  /* Children of the containers being parsed, copied into the arena when
   * each container closes. */
  GPtrArray *stack;
  GString *scratch;
  const char *error;
  guint depth;
} JParser;

#define MAX_DEPTH 64

static JValue *jparse_value (JParser *parser);

static void
jparse_space (JParser *parser)
{
  while (parser->p < parser->end &&
         (*parser->p == ' ' || *parser->p == '\n' || *parser->p == '\r' || *parser->p == '\t'))
    parser->p++;
}

static JValue *
jparse_fail (JParser    *parser,
             const char *error)
{
  if (parser->error == NULL)
    parser->error = error;
  return NULL;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
jparse_hex4 (JParser  *parser,
             gunichar *value)
{
  *value = 0;
  if (parser->end - parser->p < 4)
    return FALSE;

  for (guint i = 0; i < 4; i++)
    {
      int digit = hex_value (parser->p[i]);

      if (digit < 0)
        return FALSE;
      *value = *value * 16 + digit;
    }

  parser->p += 4;
  return TRUE;
}

/* After the opening quote. */
static const char *
jparse_string_text (JParser *parser,
                    guint   *length)
{
  const char *start = parser->p;
  GString *scratch = parser->scratch;

  /* The common case: no escapes, copied in one go. */
  while (parser->p < parser->end && *parser->p != '"' && *parser->p != '\\')
    {
      if ((guchar) *parser->p < 0x20)
        return jparse_fail (parser, "control character in a string"), NULL;
      parser->p++;
    }
  if (parser->p < parser->end && *parser->p == '"')
    {
      *length = parser->p - start;
      parser->p++;
      return arena_strndup (parser->arena, start, *length);
    }

  g_string_truncate (scratch, 0);
  g_string_append_len (scratch, start, parser->p - start);
  while (parser->p < parser->end && *parser->p != '"')
    {
      char c = *parser->p++;

      if ((guchar) c < 0x20)
        return jparse_fail (parser, "control character in a string"), NULL;
      if (c != '\\')
        {
          g_string_append_c (scratch, c);
          continue;
        }
      if (parser->p >= parser->end)
        break;

      c = *parser->p++;
      switch (c)
        {
        case '"':
        case '\\':
        case '/':
          g_string_append_c (scratch, c);
          break;
        case 'b':
          g_string_append_c (scratch, '\b');
          break;
        case 'f':
          g_string_append_c (scratch, '\f');
          break;
        case 'n':
          g_string_append_c (scratch, '\n');
          break;
        case 'r':
          g_string_append_c (scratch, '\r');
          break;
        case 't':
          g_string_append_c (scratch, '\t');
          break;
        case 'u':
          {
            gunichar unit, low;

            if (!jparse_hex4 (parser, &unit))
              return jparse_fail (parser, "bad \\u escape"), NULL;
            if (unit >= 0xD800 && unit <= 0xDBFF)
              {
                if (parser->end - parser->p < 6 || parser->p[0] != '\\' || parser->p[1] != 'u')
                  return jparse_fail (parser, "unpaired surrogate"), NULL;
                parser->p += 2;
                if (!jparse_hex4 (parser, &low) || low < 0xDC00 || low > 0xDFFF)
                  return jparse_fail (parser, "unpaired surrogate"), NULL;
                unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
              }
            else if (unit >= 0xDC00 && unit <= 0xDFFF)
              return jparse_fail (parser, "unpaired surrogate"), NULL;
            if (unit == 0)
              return jparse_fail (parser, "\\u0000 in a string"), NULL;
            g_string_append_unichar (scratch, unit);
          }
          break;
        default:
          return jparse_fail (parser, "bad escape in a string"), NULL;
        }
    }

  if (parser->p >= parser->end)
    return jparse_fail (parser, "unterminated string"), NULL;

  parser->p++;
  *length = scratch->len;
  return arena_strndup (parser->arena, scratch->str, scratch->len);
}

static JValue *
jparse_number (JParser *parser)
{
  const char *start = parser->p;
  JValue *value;

  if (parser->p < parser->end && *parser->p == '-')
    parser->p++;
  if (parser->p >= parser->end || !g_ascii_isdigit (*parser->p))
    return jparse_fail (parser, "unexpected character");
  if (*parser->p == '0')
    parser->p++;
  else
    while (parser->p < parser->end && g_ascii_isdigit (*parser->p))
      parser->p++;
  if (parser->p < parser->end && *parser->p == '.')
    {
      parser->p++;
      if (parser->p >= parser->end || !g_ascii_isdigit (*parser->p))
        return jparse_fail (parser, "bad number");
      while (parser->p < parser->end && g_ascii_isdigit (*parser->p))
        parser->p++;
    }
  if (parser->p < parser->end && (*parser->p == 'e' || *parser->p == 'E'))
    {
      parser->p++;
      if (parser->p < parser->end && (*parser->p == '+' || *parser->p == '-'))
        parser->p++;
      if (parser->p >= parser->end || !g_ascii_isdigit (*parser->p))
        return jparse_fail (parser, "bad number");
      while (parser->p < parser->end && g_ascii_isdigit (*parser->p))
        parser->p++;
    }

  value = jv_new (parser->arena, JV_NUMBER);
  value->length = parser->p - start;
  value->text = arena_strndup (parser->arena, start, value->length);
  return value;
}

static JValue *
jparse_literal (JParser    *parser,
                const char *word,
                JvType      type,
                gboolean    boolean)
{
  gsize length = strlen (word);
  JValue *value;

  if ((gsize) (parser->end - parser->p) < length || memcmp (parser->p, word, length) != 0)
    return jparse_fail (parser, "unexpected character");

  parser->p += length;
  value = jv_new (parser->arena, type);
  value->boolean = boolean;
  return value;
}

static JValue *
jparse_container (JParser *parser,
                  gboolean object)
{
  JValue *value = jv_new (parser->arena, object ? JV_OBJECT : JV_ARRAY);
  guint base = parser->stack->len;
  char close = object ? '}' : ']';

  if (++parser->depth > MAX_DEPTH)
    return jparse_fail (parser, "nested too deeply");

  parser->p++;
  jparse_space (parser);
  if (parser->p < parser->end && *parser->p == close)
    parser->p++;
  else
    while (TRUE)
      {
        JValue *element;

        if (object)
          {
            guint key_length;
            const char *key;

            if (parser->p >= parser->end || *parser->p != '"')
              return jparse_fail (parser, "expected a member name");
            parser->p++;
            key = jparse_string_text (parser, &key_length);
            if (key == NULL)
              return NULL;
            jparse_space (parser);
            if (parser->p >= parser->end || *parser->p != ':')
              return jparse_fail (parser, "expected “:”");
            parser->p++;
            g_ptr_array_add (parser->stack, (gpointer) key);
          }

        element = jparse_value (parser);
        if (element == NULL)
          return NULL;
        g_ptr_array_add (parser->stack, element);

        jparse_space (parser);
        if (parser->p < parser->end && *parser->p == ',')
          {
            parser->p++;
            jparse_space (parser);
            continue;
          }
        if (parser->p < parser->end && *parser->p == close)
          {
            parser->p++;
            break;
          }
        return jparse_fail (parser, object ? "expected “,” or “}”" : "expected “,” or “]”");
      }

  if (object)
    {
      value->length = (parser->stack->len - base) / 2;
      value->members = arena_alloc (parser->arena, sizeof (JMember) * MAX (1, value->length));
      for (guint i = 0; i < value->length; i++)
        {
          value->members[i].key = g_ptr_array_index (parser->stack, base + 2 * i);
          value->members[i].value = g_ptr_array_index (parser->stack, base + 2 * i + 1);
        }
    }
  else
    {
      value->length = parser->stack->len - base;
      value->elements = arena_alloc (parser->arena, sizeof (JValue *) * MAX (1, value->length));
      memcpy (value->elements, parser->stack->pdata + base, sizeof (JValue *) * value->length);
    }

  g_ptr_array_set_size (parser->stack, base);
  parser->depth--;
  return value;
}

static JValue *
jparse_value (JParser *parser)
{
  jparse_space (parser);
  if (parser->p >= parser->end)
    return jparse_fail (parser, "unexpected end");

  switch (*parser->p)
    {
    case '{':
      return jparse_container (parser, TRUE);

    case '[':
      return jparse_container (parser, FALSE);

    case '"':
      {
        JValue *value = jv_new (parser->arena, JV_STRING);

        parser->p++;
        value->text = jparse_string_text (parser, &value->length);
        return value->text != NULL ? value : NULL;
      }

    case 't':
      return jparse_literal (parser, "true", JV_BOOLEAN, TRUE);

    case 'f':
      return jparse_literal (parser, "false", JV_BOOLEAN, FALSE);

    case 'n':
      return jparse_literal (parser, "null", JV_NULL, FALSE);

    default:
      return jparse_number (parser);
    }
}

/* Parses @text into @arena. On failure returns NULL and sets @error and
 * @line (counted from 1 within @text). */
static JValue *
jparse (Arena       *arena,
        GPtrArray   *stack,
        GString     *scratch,
        const char  *text,
        gsize        length,
        const char **error,
        guint       *line)
{
  JParser parser = { arena, text, text, text + length, stack, scratch, NULL, 0 };
  JValue *value;

  g_ptr_array_set_size (stack, 0);
  if (!g_utf8_validate_len (text, length, NULL))
    {
      *error = "not valid UTF-8";
      *line = 1;
      return NULL;
    }

  value = jparse_value (&parser);
  if (value != NULL)
    {
      jparse_space (&parser);
      if (parser.p != parser.end)
        value = jparse_fail (&parser, "text after the value");
    }

  if (value == NULL)
    {
      *error = parser.error;
      *line = 1;
      for (const char *c = text; c < parser.p && c < parser.end; c++)
        {
          if (*c == '\n')
            (*line)++;
        }
    }

  return value;
}

/* Where a record came from, for the messages. */
typedef struct {
  const char *file;
  guint line;
  guint index;
} Origin;

/* One full-text row waiting in a batch: its rowid, and where its columns
 * are in the batch's text. */
typedef struct {
  gint64 rowid;
  guint32 offset;
} StagedRow;

typedef struct {
  GString *text;
  GArray *rows;
  /* The rows indexed so far. */
  guint next;
} Staging;

typedef struct {
  HavenDirectoryImporter *self;
  GCancellable *cancellable;
  const char *format;

  sqlite3 *db;
  sqlite3_stmt *statements[N_STATEMENTS];

  GHashTable *service_ids;
  GHashTable *organizations;
  GHashTable *terms;
  gint64 n_terms;

  /* Reused for every record, so a record costs no allocations of its own. */
  GString *fts[N_FTS_COLUMNS];
  GString *details;
  GString *scratch;
  GPtrArray *record_regions;
  GPtrArray *record_languages;
  /* Taxonomy, code and name of each term, three strings a term. */
  GPtrArray *record_terms;

  /* When set, checked records go to the writing thread through here. */
  GAsyncQueue *records;
  GAsyncQueue *tokens;
  GMutex problems_lock;
  Arena arena;
  GPtrArray *stack;
  GString *json_scratch;
  GTimer *timer;

  /* Full-text rows wait, a few MB at a time, to be indexed in the order
   * of their rowids: FTS5 writes out what it holds whenever a rowid is
   * lower than the one before, so rows in the order services come would
   * make a segment of every few rows. While one batch fills, the batch
   * before is indexed a few rows with each service stored, so that this
   * thread never stops long enough to hold up the one reading the file. */
  Staging batches[2];
  Staging *filling;
  Staging *draining;
  /* Partition code -> id, and the codes in order of id. */
  GHashTable *partitions;
  GPtrArray *partition_codes;
  /* By services.id: the first partition of each service. */
  GArray *first_partitions;

  char *database_error;
} Import;

/* How much full-text rows may wait in a batch: more means fewer, larger
 * segments to merge at the end, and more memory. */
#define STAGING_SIZE (8 * 1024 * 1024)
/* Rows of the batch before indexed with each service stored: more than a
 * service adds (one row for each of its partitions, rarely more than
 * one), so that a batch is indexed before the next one fills. */
#define ROWS_PER_SERVICE 2

/* One record while it is read: its origin and id, and whether it is still
 * sound. */
typedef struct {
  Import *import;
  const Origin *origin;
  const char *id;
  gboolean failed;
} Record;

static void
haven_directory_importer_finalize (GObject *object)
{
  HavenDirectoryImporter *self = HAVEN_DIRECTORY_IMPORTER (object);

  g_free (self->source_path);
  g_free (self->database_path);
  g_ptr_array_unref (self->problems);

  G_OBJECT_CLASS (haven_directory_importer_parent_class)->finalize (object);
}

static void
haven_directory_importer_class_init (HavenDirectoryImporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_directory_importer_finalize;
}

static void
haven_directory_importer_init (HavenDirectoryImporter *self)
{
  self->problems = g_ptr_array_new_null_terminated (0, g_free, TRUE);
}

/**
 * haven_directory_importer_new:
 * @source_path: an HSDS JSON file, a datapackage.json or the folder of one
 * @database_path: the directory database to replace
 */
HavenDirectoryImporter *
haven_directory_importer_new (const char *source_path,
                              const char *database_path)
{
  HavenDirectoryImporter *self;

  g_return_val_if_fail (source_path != NULL, NULL);
  g_return_val_if_fail (database_path != NULL, NULL);

  self = g_object_new (HAVEN_TYPE_DIRECTORY_IMPORTER, NULL);
  self->source_path = g_strdup (source_path);
  self->database_path = g_strdup (database_path);

  return self;
}

static guint
n_problems (Import *import)
{
  guint n;

  g_mutex_lock (&import->problems_lock);
  n = import->self->problems->len;
  g_mutex_unlock (&import->problems_lock);

  return n;
}

static gboolean
too_many_problems (Import *import)
{
  return n_problems (import) >= HAVEN_DIRECTORY_IMPORT_MAX_PROBLEMS;
}

static void
add_problem (Import     *import,
             const char *message)
{
  g_mutex_lock (&import->problems_lock);
  if (import->self->problems->len < HAVEN_DIRECTORY_IMPORT_MAX_PROBLEMS)
    g_ptr_array_add (import->self->problems, g_strdup (message));
  g_mutex_unlock (&import->problems_lock);
}

static void
file_problem (Import     *import,
              const char *file,
              guint       line,
              const char *format,
              ...) G_GNUC_PRINTF (4, 5);

static void
file_problem (Import     *import,
              const char *file,
              guint       line,
              const char *format,
              ...)
{
  g_autofree char *message = NULL;
  g_autofree char *full = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (line > 0)
    full = g_strdup_printf ("%s:%u: %s", file, line, message);
  else
    full = g_strdup_printf ("%s: %s", file, message);

  add_problem (import, full);
}

/* A problem in @record, or in @part of it: a part that came from another
 * CSV file carries its own origin (x_haven_origin). */
static void
record_problem (Record     *record,
                JValue *part,
                const char *format,
                ...) G_GNUC_PRINTF (3, 4);

static void
record_problem (Record     *record,
                JValue *part,
                const char *format,
                ...)
{
  g_autofree char *message = NULL;
  g_autofree char *where = NULL;
  g_autofree char *full = NULL;
  const char *part_origin = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  record->failed = TRUE;

  if (part != NULL)
    {
      JValue *origin = jv_get (part, "x_haven_origin");

      part_origin = origin != NULL && origin->type == JV_STRING ? origin->text : NULL;
    }

  if (part_origin != NULL)
    where = g_strdup (part_origin);
  else if (record->origin->line > 0)
    where = g_strdup_printf ("%s:%u", record->origin->file, record->origin->line);
  else
    where = g_strdup (record->origin->file);

  if (record->id != NULL)
    /* TRANSLATORS: "FILE:LINE: service “ID”: what is wrong" */
    full = g_strdup_printf (_("%s: service “%s”: %s"), where, record->id, message);
  else
    /* TRANSLATORS: "FILE:LINE: record NUMBER: what is wrong" */
    full = g_strdup_printf (_("%s: record %u: %s"), where, record->origin->index, message);

  add_problem (record->import, full);
}

static JValue *
get_member (JValue     *object,
            const char *member)
{
  return jv_get (object, member);
}

static const char *
get_text (Record     *record,
          JValue     *object,
          const char *member)
{
  JValue *value = get_member (object, member);
  const char *text;

  if (value == NULL)
    return NULL;

  if (value->type != JV_STRING)
    {
      record_problem (record, object, _("“%s” must be text"), member);
      return NULL;
    }

  /* Blank is as good as absent. */
  text = value->text;
  while (*text == ' ')
    text++;
  return text[0] != '\0' ? value->text : NULL;
}

/* Text or a number, as text: CSV gives "2" where JSON gives 2. */
static const char *
get_scalar (Record     *record,
            JValue     *object,
            const char *member,
            char      **owned)
{
  JValue *value = get_member (object, member);

  *owned = NULL;
  if (value != NULL && value->type == JV_NUMBER)
    return value->text;

  return get_text (record, object, member);
}

/* A list of objects; reports a member that is not one. */
static JValue *
get_objects (Record     *record,
             JValue     *object,
             const char *member)
{
  JValue *value = get_member (object, member);

  if (value == NULL)
    return NULL;

  if (value->type != JV_ARRAY)
    {
      record_problem (record, object, _("“%s” must be a list"), member);
      return NULL;
    }

  for (guint i = 0; i < value->length; i++)
    {
      if (value->elements[i]->type != JV_OBJECT)
        {
          record_problem (record, object, _("“%s” must be a list of objects"), member);
          return NULL;
        }
    }

  return value;
}

static JValue *
get_object (Record     *record,
            JValue     *object,
            const char *member)
{
  JValue *value = get_member (object, member);

  if (value == NULL)
    return NULL;

  if (value->type != JV_OBJECT)
    {
      record_problem (record, object, _("“%s” must be an object"), member);
      return NULL;
    }

  return value;
}

static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;

        case '\\':
          g_string_append (out, "\\\\");
          break;

        case '\n':
          g_string_append (out, "\\n");
          break;

        case '\r':
          g_string_append (out, "\\r");
          break;

        case '\t':
          g_string_append (out, "\\t");
          break;

        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, c);
        }
    }
  g_string_append_c (out, '"');
}

static void
append_json_member (GString    *out,
                    const char *name,
                    const char *value)
{
  if (value == NULL)
    return;

  if (out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  append_json_string (out, name);
  g_string_append_c (out, ':');
  append_json_string (out, value);
}

/* The fields x_translations may translate, per kind of object. */
static const char *const service_translated[] = {
  "name", "alternate_name", "description", "fees_description", NULL
};
static const char *const organization_translated[] = {
  "name", "alternate_name", "description", NULL
};
static const char *const part_translated[] = { "name", "description", NULL };

/* Checks x_translations: {"ar": {"name": "…", "description": "…"}, …}.
 * Fields Haven does not show are allowed and ignored. Appends the
 * translated texts to the full-text columns, so a visitor can search in
 * their own language. */
static JValue *
check_translations (Record      *record,
                    JValue      *object,
                    const char  *const *fields,
                    GString    **fts_for_field)
{
  JValue *translations = get_member (object, "x_translations");

  if (translations == NULL)
    return NULL;

  if (translations->type != JV_OBJECT)
    {
      record_problem (record, object,
                      _("“x_translations” must be an object of languages, such as "
                        "{\"ar\": {\"name\": \"…\"}}"));
      return NULL;
    }

  for (guint i = 0; i < translations->length; i++)
    {
      const char *language = translations->members[i].key;
      JValue *texts = translations->members[i].value;

      if (texts->type != JV_OBJECT)
        {
          record_problem (record, object, _("“x_translations” for “%s” must be an object"),
                          language);
          return NULL;
        }

      for (guint j = 0; fields[j] != NULL; j++)
        {
          const char *text = get_text (record, texts, fields[j]);

          if (text != NULL && fts_for_field != NULL && fts_for_field[j] != NULL)
            haven_search_text_append (fts_for_field[j], text);
        }
    }

  return translations;
}

static void
append_translations (GString *out,
                     JValue  *translations)
{
  if (translations == NULL)
    return;

  if (out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  g_string_append (out, "\"x_translations\":");
  jv_write (out, translations);
}

static gboolean
is_iso_date (const char *text)
{
  unsigned year, month, day;
  int consumed = 0;

  if (sscanf (text, "%4u-%2u-%2u%n", &year, &month, &day, &consumed) != 3 || consumed != 10)
    return FALSE;
  if (text[10] != '\0' && text[10] != 'T' && text[10] != ' ')
    return FALSE;

  return year > 0 && g_date_valid_dmy (day, month, year);
}

static gboolean
is_region_code (const char *code)
{
  gsize length = strlen (code);

  if (g_str_equal (code, "*"))
    return TRUE;
  if (length < 2 || !g_ascii_isalpha (code[0]) || !g_ascii_isalpha (code[1]))
    return FALSE;
  if (length == 2)
    return TRUE;
  if (code[2] != '-' || length < 4 || length > 6)
    return FALSE;
  for (gsize i = 3; i < length; i++)
    {
      if (!g_ascii_isalnum (code[i]))
        return FALSE;
    }

  return TRUE;
}

static void
add_unique (GPtrArray  *array,
            const char *value)
{
  for (guint i = 0; i < array->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (array, i), value))
        return;
    }

  g_ptr_array_add (array, g_strdup (value));
}

/* x_region_codes: a list of ISO 3166 codes, or one string of codes
 * separated by commas (as a CSV cell holds them). */
static void
read_region_codes (Record     *record,
                   JValue *area)
{
  JValue *node = get_member (area, "x_region_codes");
  g_auto(GStrv) codes = NULL;

  if (node == NULL)
    {
      /* Without the extension, a name that is itself a code is taken as
       * one. */
      const char *name = get_text (record, area, "name");
      g_autofree char *upper = name != NULL ? g_ascii_strup (name, -1) : NULL;

      if (upper != NULL && g_str_equal (upper, name) && is_region_code (upper) &&
          !g_str_equal (upper, "*"))
        add_unique (record->import->record_regions, upper);
      return;
    }

  if (node->type == JV_STRING)
    {
      codes = g_strsplit (node->text, ",", -1);
    }
  else if (node->type == JV_ARRAY)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < jv_length (node); i++)
        {
          JValue *element = jv_index (node, i);

          if (element->type != JV_STRING)
            {
              record_problem (record, area, _("“x_region_codes” must be a list of text"));
              return;
            }
          g_strv_builder_add (builder, element->text);
        }
      codes = g_strv_builder_end (builder);
    }
  else
    {
      record_problem (record, area, _("“x_region_codes” must be a list of ISO 3166 codes"));
      return;
    }

  for (guint i = 0; codes[i] != NULL; i++)
    {
      g_autofree char *code = g_ascii_strup (g_strstrip (codes[i]), -1);

      if (code[0] == '\0')
        continue;
      if (!is_region_code (code))
        {
          record_problem (record, area,
                          _("“%s” in x_region_codes is not an ISO 3166 code such as GB or "
                            "GB-LND, nor * for anywhere"),
                          codes[i]);
          return;
        }
      add_unique (record->import->record_regions, code);
    }
}

static void
read_languages (Record     *record,
                JValue *object)
{
  JValue *languages = get_objects (record, object, "languages");

  for (guint i = 0; languages != NULL && i < jv_length (languages); i++)
    {
      JValue *language = jv_index (languages, i);
      const char *code = get_text (record, language, "code");
      g_autofree char *normalised = NULL;

      if (code == NULL)
        continue;

      normalised = haven_directory_normalise_language (code);
      if (normalised == NULL)
        {
          record_problem (record, language,
                          _("language code “%s” is not an ISO 639 code such as en or eng"), code);
          continue;
        }
      add_unique (record->import->record_languages, normalised);
    }
}

static void
read_schedules (Record        *record,
                JValue        *object,
                HavenSchedule *schedule)
{
  JValue *schedules = get_objects (record, object, "schedules");

  for (guint i = 0; schedules != NULL && i < jv_length (schedules); i++)
    {
      JValue *row = jv_index (schedules, i);
      g_autofree char *interval = NULL;
      g_autofree char *bymonthday = NULL;
      g_autofree char *count = NULL;
      g_autoptr(GError) error = NULL;
      const char *schedule_id = get_text (record, row, "id");
      HavenScheduleRow fields = {
        .opens_at = get_text (record, row, "opens_at"),
        .closes_at = get_text (record, row, "closes_at"),
        .freq = get_text (record, row, "freq"),
        .interval = get_scalar (record, row, "interval", &interval),
        .byday = get_text (record, row, "byday"),
        .bymonthday = get_scalar (record, row, "bymonthday", &bymonthday),
        .byweekno = get_text (record, row, "byweekno"),
        .byyearday = get_text (record, row, "byyearday"),
        .wkst = get_text (record, row, "wkst"),
        .until = get_text (record, row, "until"),
        .dtstart = get_text (record, row, "dtstart"),
        .valid_from = get_text (record, row, "valid_from"),
        .valid_to = get_text (record, row, "valid_to"),
      };

      fields.count = get_scalar (record, row, "count", &count);

      if (!haven_schedule_add_row (schedule, &fields, &error))
        {
          if (schedule_id != NULL)
            record_problem (record, row, _("schedule “%s”: %s"), schedule_id, error->message);
          else
            record_problem (record, row, _("schedule %u: %s"), i + 1, error->message);
        }
    }
}

static const char *const free_words[] = {
  "free", "free of charge", "no charge", "no cost", "gratis", "gratuit", "gratuito",
  "gratuita", "miễn phí", "免费", "مجاني", "бесплатно",
};

static gboolean
says_free (const char *fees)
{
  g_autofree char *lower = g_utf8_strdown (fees, -1);
  gsize length;

  g_strstrip (lower);
  length = strlen (lower);
  if (length > 0 && lower[length - 1] == '.')
    lower[length - 1] = '\0';

  for (gsize i = 0; i < G_N_ELEMENTS (free_words); i++)
    {
      if (g_str_equal (lower, free_words[i]))
        return TRUE;
    }

  return FALSE;
}

/* Free when every cost option costs 0, or when fees_description says only
 * "Free". Unknown otherwise, and unknown does not pass the filter. */
static gboolean
read_free (Record     *record,
           JValue *service,
           const char *fees)
{
  JValue *options = get_objects (record, service, "cost_options");
  guint n_free = 0;

  for (guint i = 0; options != NULL && i < jv_length (options); i++)
    {
      JValue *option = jv_index (options, i);
      g_autofree char *amount_text = NULL;
      const char *amount = get_scalar (record, option, "amount", &amount_text);
      char *end = NULL;
      double value;

      if (amount == NULL)
        continue;

      value = g_ascii_strtod (amount, &end);
      if (end == amount || *end != '\0' || value < 0)
        {
          record_problem (record, option, _("cost option amount “%s” is not a number"), amount);
          return FALSE;
        }
      if (value > 0)
        return FALSE;
      n_free++;
    }

  if (n_free > 0)
    return TRUE;

  return fees != NULL && says_free (fees);
}

/* Runs an insert; the first failure (a full disk, say) is kept and ends
 * the import. */
static void
step (Import       *import,
      sqlite3_stmt *statement)
{
  if (sqlite3_step (statement) != SQLITE_DONE && import->database_error == NULL)
    import->database_error = g_strdup (sqlite3_errmsg (import->db));
  sqlite3_reset (statement);
}

static gint64
lookup_term (Import     *import,
             const char *taxonomy,
             const char *code,
             const char *name)
{
  g_autofree char *key = g_strdup_printf ("%s\037%s", taxonomy, code);
  gpointer value;
  sqlite3_stmt *statement;

  if (g_hash_table_lookup_extended (import->terms, key, NULL, &value))
    return GPOINTER_TO_SIZE (value);

  import->n_terms++;
  statement = import->statements[INSERT_TERM];
  sqlite3_bind_int64 (statement, 1, import->n_terms);
  sqlite3_bind_text (statement, 2, taxonomy, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 3, code, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 4, name, -1, SQLITE_STATIC);
  step (import, statement);

  g_hash_table_insert (import->terms, g_steal_pointer (&key), GSIZE_TO_POINTER (import->n_terms));
  return import->n_terms;
}

/* Taxonomy terms from the attributes; the mapping to Haven's categories
 * is applied when the directory is opened (categories.ini), so a
 * deployment can change it without importing again. */
static void
read_terms (Record     *record,
            JValue *service)
{
  Import *import = record->import;
  JValue *attributes = get_objects (record, service, "attributes");

  for (guint i = 0; attributes != NULL && i < jv_length (attributes); i++)
    {
      JValue *attribute = jv_index (attributes, i);
      JValue *term = get_object (record, attribute, "taxonomy_term");
      JValue *detail;
      const char *code, *name, *taxonomy;
      g_autofree char *taxonomy_lower = NULL;
      gboolean seen = FALSE;

      if (term == NULL)
        continue;

      code = get_text (record, term, "code");
      if (code == NULL)
        code = get_text (record, term, "id");
      name = get_text (record, term, "name");
      taxonomy = get_text (record, term, "taxonomy");
      detail = get_object (record, term, "taxonomy_detail");
      if (taxonomy == NULL && detail != NULL)
        taxonomy = get_text (record, detail, "name");

      if (code == NULL)
        {
          record_problem (record, attribute, _("a taxonomy term has neither code nor id"));
          continue;
        }

      if (name != NULL)
        haven_search_text_append (import->fts[FTS_TERMS], name);

      if (record->failed)
        continue;

      taxonomy_lower = g_utf8_strdown (taxonomy != NULL ? taxonomy : "", -1);
      for (guint j = 0; j + 2 < import->record_terms->len && !seen; j += 3)
        seen = g_str_equal (import->record_terms->pdata[j], taxonomy_lower) &&
               g_str_equal (import->record_terms->pdata[j + 1], code);
      if (seen)
        continue;

      g_ptr_array_add (import->record_terms, g_steal_pointer (&taxonomy_lower));
      g_ptr_array_add (import->record_terms, g_strdup (code));
      g_ptr_array_add (import->record_terms, g_strdup (name != NULL ? name : ""));
    }
}

static void
format_address (GString    *out,
                Record     *record,
                JValue *location,
                JValue *address)
{
  static const char *const parts[] = {
    "address_1", "address_2", "city", "state_province", "postal_code",
  };
  const char *name = location != NULL ? get_text (record, location, "name") : NULL;

  g_string_truncate (out, 0);
  if (name != NULL)
    g_string_append (out, name);

  for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      const char *part = get_text (record, address, parts[i]);

      if (part == NULL)
        continue;
      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append (out, part);
    }
}

/* The places the service is offered at: their addresses for the details,
 * their countries for a service that names no area, their languages and,
 * when the service has none of its own, their schedules. */
static void
read_locations (Record        *record,
                JValue        *service,
                GPtrArray     *addresses,
                GPtrArray     *countries,
                HavenSchedule *schedule,
                gboolean       service_has_schedules)
{
  Import *import = record->import;
  JValue *links = get_objects (record, service, "service_at_locations");

  for (guint i = 0; links != NULL && i < jv_length (links); i++)
    {
      JValue *link = jv_index (links, i);
      JValue *location = get_object (record, link, "location");
      JValue *areas = get_objects (record, link, "service_areas");
      JValue *location_addresses;
      const char *location_type;

      for (guint j = 0; areas != NULL && j < jv_length (areas); j++)
        read_region_codes (record, jv_index (areas, j));

      if (!service_has_schedules)
        read_schedules (record, link, schedule);

      if (location == NULL)
        continue;

      if (!service_has_schedules)
        read_schedules (record, location, schedule);
      read_languages (record, location);

      location_type = get_text (record, location, "location_type");
      if (location_type != NULL && g_ascii_strcasecmp (location_type, "physical") != 0)
        continue;

      haven_search_text_append (import->fts[FTS_OTHER_NAMES], get_text (record, location, "name"));

      location_addresses = get_objects (record, location, "addresses");
      for (guint j = 0; location_addresses != NULL && j < jv_length (location_addresses); j++)
        {
          JValue *address = jv_index (location_addresses, j);
          const char *type = get_text (record, address, "address_type");
          const char *country = get_text (record, address, "country");

          if (type != NULL && g_ascii_strcasecmp (type, "physical") != 0)
            continue;

          format_address (import->scratch, record, location, address);
          if (import->scratch->len > 0)
            add_unique (addresses, import->scratch->str);

          if (country != NULL)
            {
              g_autofree char *upper = g_ascii_strup (country, -1);

              if (strlen (upper) == 2 && is_region_code (upper))
                add_unique (countries, upper);
            }
        }
    }
}

static void
append_array (GString    *out,
              const char *name,
              GPtrArray  *values)
{
  if (values->len == 0)
    return;

  g_string_append_printf (out, ",\"%s\":[", name);
  for (guint i = 0; i < values->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_json_string (out, g_ptr_array_index (values, i));
    }
  g_string_append_c (out, ']');
}

/* A checked record, ready to store: what the database needs of it, copied
 * out of the buffers the checking reuses, so that one thread can read and
 * check records while another writes them. */
typedef struct {
  char *id;
  char *name;
  char *organization_key;
  char *organization_name;
  char *schedule;
  char *details;
  char *fts[N_FTS_COLUMNS];
  GStrv regions;
  GStrv languages;
  GStrv terms;
  guint flags;
} Prepared;

static void
prepared_free (Prepared *prepared)
{
  g_free (prepared->id);
  g_free (prepared->name);
  g_free (prepared->organization_key);
  g_free (prepared->organization_name);
  g_free (prepared->schedule);
  g_free (prepared->details);
  for (guint i = 0; i < N_FTS_COLUMNS; i++)
    g_free (prepared->fts[i]);
  g_strfreev (prepared->regions);
  g_strfreev (prepared->languages);
  g_strfreev (prepared->terms);
  g_free (prepared);
}

static GStrv
copy_strings (GPtrArray *strings)
{
  GStrv copy = g_new (char *, strings->len + 1);

  for (guint i = 0; i < strings->len; i++)
    copy[i] = g_strdup (g_ptr_array_index (strings, i));
  copy[strings->len] = NULL;

  return copy;
}

static gint64
store_organization (Import     *import,
                    const char *key,
                    const char *name)
{
  gpointer value;
  sqlite3_stmt *statement;
  gint64 rowid;

  if (key == NULL)
    return 0;
  if (g_hash_table_lookup_extended (import->organizations, key, NULL, &value))
    return GPOINTER_TO_SIZE (value);

  rowid = ++import->self->n_organizations;
  statement = import->statements[INSERT_ORGANIZATION];
  sqlite3_bind_int64 (statement, 1, rowid);
  sqlite3_bind_text (statement, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 3, name, -1, SQLITE_STATIC);
  step (import, statement);

  g_hash_table_insert (import->organizations, g_strdup (key), GSIZE_TO_POINTER (rowid));
  return rowid;
}

static guint32
intern_partition (Import     *import,
                  const char *code)
{
  gpointer value;
  guint32 id;

  if (g_hash_table_lookup_extended (import->partitions, code, NULL, &value))
    return GPOINTER_TO_UINT (value);

  g_ptr_array_add (import->partition_codes, g_strdup (code));
  id = import->partition_codes->len;
  g_hash_table_insert (import->partitions, g_strdup (code), GUINT_TO_POINTER (id));

  return id;
}

static gboolean
same_country (const char *a,
              const char *b)
{
  return a[0] == b[0] && a[1] == b[1];
}

/* The partitions a service's full-text row goes in, from its region codes
 * (ISO 3166 codes, or "*"), such that a kiosk reads every service that can
 * serve it in the partitions of its own region, its country, "CC+", "*"
 * and "+" (haven-directory.c), and a service once:
 *  - anywhere ("*"): only "*";
 *  - for each of its countries: the country's partition when it covers
 *    the whole country, else each subdivision's, or "CC+" for more than
 *    MAX_COPIES of them;
 *  - in more than MAX_PARTITIONS in all: only "+". */
static guint
assign_partitions (Import     *import,
                   char      **regions,
                   guint32    *ids)
{
  guint n = 0;

  if (g_strv_contains ((const char * const *) regions, "*"))
    {
      ids[0] = intern_partition (import, "*");
      return 1;
    }

  for (guint i = 0; regions[i] != NULL; i++)
    {
      gboolean national = FALSE;
      gboolean seen = FALSE;
      guint n_local = 0;

      for (guint j = 0; j < i && !seen; j++)
        seen = same_country (regions[j], regions[i]);
      if (seen)
        continue;

      for (guint j = i; regions[j] != NULL; j++)
        {
          if (!same_country (regions[j], regions[i]))
            continue;
          if (regions[j][2] == '\0')
            national = TRUE;
          else
            n_local++;
        }

      if (national || n_local > MAX_COPIES)
        {
          char code[4] = { regions[i][0], regions[i][1], national ? '\0' : '+', '\0' };

          if (n < MAX_PARTITIONS)
            ids[n] = intern_partition (import, code);
          n++;
          continue;
        }

      for (guint j = i; regions[j] != NULL; j++)
        {
          if (!same_country (regions[j], regions[i]))
            continue;
          if (n < MAX_PARTITIONS)
            ids[n] = intern_partition (import, regions[j]);
          n++;
        }
    }

  if (n == 0 || n > MAX_PARTITIONS)
    {
      ids[0] = intern_partition (import, "+");
      return 1;
    }

  return n;
}

static int
compare_staged_rows (gconstpointer a,
                     gconstpointer b)
{
  const StagedRow *x = a, *y = b;

  return x->rowid < y->rowid ? -1 : x->rowid > y->rowid;
}

/* Indexes up to @n more rows of the draining batch, in the order of
 * their rowids; when it is done, it is empty again. */
static void
drain_staging (Import *import,
               guint   n)
{
  Staging *batch = import->draining;
  sqlite3_stmt *statement = import->statements[INSERT_FTS];

  for (; n > 0 && batch->next < batch->rows->len; n--, batch->next++)
    {
      const StagedRow *row = &g_array_index (batch->rows, StagedRow, batch->next);
      const char *p = batch->text->str + row->offset;

      sqlite3_bind_int64 (statement, 1, row->rowid);
      for (guint column = 0; column < N_FTS_COLUMNS; column++)
        {
          guint32 length;

          memcpy (&length, p, sizeof length);
          p += sizeof length;
          sqlite3_bind_text (statement, column + 2, p, length, SQLITE_STATIC);
          p += length;
        }
      step (import, statement);
    }

  if (batch->next == batch->rows->len)
    {
      g_array_set_size (batch->rows, 0);
      g_string_truncate (batch->text, 0);
      batch->next = 0;
    }
}

/* Indexes what is left of the batch before, and starts on the one that
 * filled. */
static void
swap_staging (Import *import)
{
  Staging *full = import->filling;

  drain_staging (import, G_MAXUINT);
  import->filling = import->draining;
  import->draining = full;
  g_array_sort (full->rows, compare_staged_rows);
}

/* Keeps the row once, under each of its rowids, until it is indexed. */
static void
stage_fts_row (Import  *import,
               gint64   service,
               char   **regions,
               char   **fts)
{
  Staging *batch = import->filling;
  guint32 partitions[MAX_PARTITIONS];
  guint n_partitions = assign_partitions (import, regions, partitions);
  StagedRow row = { 0, batch->text->len };
  guint32 first = G_MAXUINT32;

  for (guint i = 0; i < N_FTS_COLUMNS; i++)
    {
      guint32 length = strlen (fts[i]);

      g_string_append_len (batch->text, (const char *) &length, sizeof length);
      g_string_append_len (batch->text, fts[i], length);
    }

  for (guint i = 0; i < n_partitions; i++)
    {
      row.rowid = ((gint64) partitions[i] << PARTITION_SHIFT) | service;
      g_array_append_val (batch->rows, row);
      first = MIN (first, partitions[i]);
    }

  if (import->first_partitions->len <= service)
    g_array_set_size (import->first_partitions, service + 1);
  g_array_index (import->first_partitions, guint32, service) = first;

  if (batch->text->len >= STAGING_SIZE)
    swap_staging (import);
  else
    drain_staging (import, ROWS_PER_SERVICE);
}

/* Indexes the last rows, and writes the partitions and the services in
 * the order of their first partitions. */
static gboolean
finish_fts (Import  *import,
            GError **error)
{
  sqlite3_stmt *statement;
  g_autofree guint32 *positions = NULL;
  g_autofree guint32 *services = NULL;
  guint n_partitions = import->partition_codes->len;
  guint n_services = import->first_partitions->len;

  swap_staging (import);
  drain_staging (import, G_MAXUINT);

  for (guint i = 0; i < n_partitions; i++)
    {
      statement = import->statements[INSERT_PARTITION];
      sqlite3_bind_int64 (statement, 1, i + 1);
      sqlite3_bind_text (statement, 2, g_ptr_array_index (import->partition_codes, i), -1,
                         SQLITE_STATIC);
      step (import, statement);
    }

  /* A counting sort by partition keeps the services of each in the order
   * they came. */
  positions = g_new0 (guint32, n_partitions + 2);
  services = g_new (guint32, n_services);
  for (guint service = 1; service < n_services; service++)
    positions[g_array_index (import->first_partitions, guint32, service) + 1]++;
  for (guint i = 1; i <= n_partitions + 1; i++)
    positions[i] += positions[i - 1];
  for (guint service = 1; service < n_services; service++)
    services[positions[g_array_index (import->first_partitions, guint32, service)]++] = service;

  statement = import->statements[INSERT_SEARCH_ORDER];
  for (guint i = 0; i + 1 < n_services; i++)
    {
      sqlite3_bind_int64 (statement, 1, i + 1);
      sqlite3_bind_int64 (statement, 2, services[i]);
      step (import, statement);
    }

  if (import->database_error != NULL)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_DATABASE,
                   _("The directory database cannot be written: %s"), import->database_error);
      return FALSE;
    }

  return TRUE;
}

static void
store_prepared (Import   *import,
                Prepared *prepared)
{
  sqlite3_stmt *statement;
  gint64 organization = store_organization (import, prepared->organization_key,
                                            prepared->organization_name);
  gint64 rowid = ++import->self->n_services;

  statement = import->statements[INSERT_SERVICE];
  sqlite3_bind_int64 (statement, 1, rowid);
  sqlite3_bind_text (statement, 2, prepared->id, -1, SQLITE_STATIC);
  if (organization > 0)
    sqlite3_bind_int64 (statement, 3, organization);
  else
    sqlite3_bind_null (statement, 3);
  sqlite3_bind_text (statement, 4, prepared->name, -1, SQLITE_STATIC);
  sqlite3_bind_int (statement, 5, prepared->flags);
  sqlite3_bind_text (statement, 6, prepared->schedule, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 7, prepared->details, -1, SQLITE_STATIC);
  step (import, statement);

  for (guint i = 0; prepared->terms[i] != NULL && prepared->terms[i + 1] != NULL; i += 3)
    {
      const char *name = prepared->terms[i + 2][0] != '\0' ? prepared->terms[i + 2] : NULL;

      statement = import->statements[INSERT_SERVICE_TERM];
      sqlite3_bind_int64 (statement, 1, rowid);
      sqlite3_bind_int64 (statement, 2, lookup_term (import, prepared->terms[i],
                                                     prepared->terms[i + 1], name));
      step (import, statement);
    }

  for (guint i = 0; prepared->regions[i] != NULL; i++)
    {
      statement = import->statements[INSERT_SERVICE_REGION];
      sqlite3_bind_int64 (statement, 1, rowid);
      sqlite3_bind_text (statement, 2, prepared->regions[i], -1, SQLITE_STATIC);
      step (import, statement);
    }

  for (guint i = 0; prepared->languages[i] != NULL; i++)
    {
      statement = import->statements[INSERT_SERVICE_LANGUAGE];
      sqlite3_bind_int64 (statement, 1, rowid);
      sqlite3_bind_text (statement, 2, prepared->languages[i], -1, SQLITE_STATIC);
      step (import, statement);
    }

  stage_fts_row (import, rowid, prepared->regions, prepared->fts);
}

/* Stores a record now, or hands it to the writing thread, waiting when
 * that thread is this many records behind (which bounds the memory). */
#define MAX_PENDING_RECORDS 256

static void
deliver (Import   *import,
         Prepared *prepared)
{
  if (import->records == NULL)
    {
      store_prepared (import, prepared);
      prepared_free (prepared);
      return;
    }

  g_async_queue_pop (import->tokens);
  g_async_queue_push (import->records, prepared);
}

/* Checks one dereferenced HSDS service and, when it is sound, stores it. */
static void
import_record (Import       *import,
               JValue       *node,
               const Origin *origin)
{
  Record record = { import, origin, NULL, FALSE };
  JValue *service, *organization, *translations, *organization_translations = NULL;
  JValue *phones, *areas;
  g_autoptr(HavenSchedule) schedule = haven_schedule_new ();
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) countries = g_ptr_array_new_with_free_func (g_free);
  const char *name, *status, *fees, *assured_date, *organization_name = NULL;
  GString *details = import->details;
  Prepared *prepared;
  guint flags = 0;
  gboolean has_schedules;

  if (node->type != JV_OBJECT)
    {
      record_problem (&record, NULL, _("a service must be a JSON object"));
      return;
    }

  service = node;
  record.id = get_text (&record, service, "id");
  if (record.id == NULL)
    {
      record_problem (&record, service, _("“id” is missing"));
      return;
    }

  if (!g_hash_table_add (import->service_ids, g_strdup (record.id)))
    {
      record_problem (&record, service, _("another service has the same id"));
      return;
    }

  name = get_text (&record, service, "name");
  if (name == NULL)
    record_problem (&record, service, _("“name” is missing"));

  status = get_text (&record, service, "status");
  if (status != NULL)
    {
      if (g_ascii_strcasecmp (status, "inactive") == 0 ||
          g_ascii_strcasecmp (status, "defunct") == 0)
        {
          import->self->n_skipped++;
          return;
        }
      if (g_ascii_strcasecmp (status, "temporarily closed") == 0)
        flags |= SERVICE_FLAG_TEMPORARILY_CLOSED;
      else if (g_ascii_strcasecmp (status, "active") != 0)
        record_problem (&record, service,
                        _("status “%s” is not active, inactive, defunct or temporarily closed"),
                        status);
    }

  assured_date = get_text (&record, service, "assured_date");
  if (assured_date != NULL)
    {
      if (!is_iso_date (assured_date))
        record_problem (&record, service, _("assured_date “%s” is not a date such as 2026-01-31"),
                        assured_date);
    }

  for (guint i = 0; i < N_FTS_COLUMNS; i++)
    g_string_truncate (import->fts[i], 0);
  g_ptr_array_set_size (import->record_regions, 0);
  g_ptr_array_set_size (import->record_languages, 0);
  g_ptr_array_set_size (import->record_terms, 0);

  haven_search_text_append (import->fts[FTS_NAME], name);
  haven_search_text_append (import->fts[FTS_OTHER_NAMES],
                            get_text (&record, service, "alternate_name"));
  haven_search_text_append (import->fts[FTS_DESCRIPTION],
                            get_text (&record, service, "description"));

  {
    GString *columns[] = {
      import->fts[FTS_NAME], import->fts[FTS_OTHER_NAMES], import->fts[FTS_DESCRIPTION], NULL,
    };

    translations = check_translations (&record, service, service_translated, columns);
  }

  organization = get_object (&record, service, "organization");
  if (organization != NULL)
    {
      GString *columns[] = {
        import->fts[FTS_ORGANIZATION], import->fts[FTS_ORGANIZATION], NULL,
      };

      organization_name = get_text (&record, organization, "name");
      haven_search_text_append (import->fts[FTS_ORGANIZATION], organization_name);
      haven_search_text_append (import->fts[FTS_ORGANIZATION],
                                get_text (&record, organization, "alternate_name"));
      organization_translations = check_translations (&record, organization,
                                                      organization_translated, columns);
    }

  fees = get_text (&record, service, "fees_description");
  if (fees == NULL)
    fees = get_text (&record, service, "fees");
  if (read_free (&record, service, fees))
    flags |= SERVICE_FLAG_FREE;

  read_terms (&record, service);
  read_languages (&record, service);

  areas = get_objects (&record, service, "service_areas");
  for (guint i = 0; areas != NULL && i < jv_length (areas); i++)
    {
      JValue *area = jv_index (areas, i);

      read_region_codes (&record, area);
      check_translations (&record, area, part_translated, NULL);
    }

  read_schedules (&record, service, schedule);
  has_schedules = haven_schedule_get_n_rows (schedule) > 0;
  read_locations (&record, service, addresses, countries, schedule, has_schedules);

  if (import->record_regions->len == 0)
    {
      /* No area named: the countries of its places, or anywhere for a
       * service without a place (online, by phone). */
      for (guint i = 0; i < countries->len; i++)
        add_unique (import->record_regions, g_ptr_array_index (countries, i));
      if (import->record_regions->len == 0)
        add_unique (import->record_regions, "*");
    }

  if (haven_schedule_is_always_open (schedule))
    flags |= SERVICE_FLAG_ALWAYS_OPEN;

  phones = get_objects (&record, service, "phones");
  for (guint i = 0; phones != NULL && i < jv_length (phones); i++)
    {
      JValue *phone = jv_index (phones, i);

      if (get_text (&record, phone, "number") == NULL)
        record_problem (&record, phone, _("a phone has no “number”"));
      get_text (&record, phone, "description");
      check_translations (&record, phone, part_translated, NULL);
    }

  /* Once the import is bound to fail, records are only checked, so that
   * one run reports as many problems as it can. */
  if (record.failed || n_problems (import) > 0)
    return;

  /* What the kiosk shows, and nothing else (haven-service.c reads it). */
  g_string_truncate (details, 0);
  g_string_append_c (details, '{');
  append_json_member (details, "id", record.id);
  append_json_member (details, "name", name);
  append_json_member (details, "alternate_name", get_text (&record, service, "alternate_name"));
  append_json_member (details, "description", get_text (&record, service, "description"));
  append_json_member (details, "url", get_text (&record, service, "url"));
  append_json_member (details, "email", get_text (&record, service, "email"));
  append_json_member (details, "fees_description", fees);
  append_json_member (details, "assured_date", assured_date);
  append_json_member (details, "source", get_text (&record, service, "x_source"));
  if (flags & SERVICE_FLAG_FREE)
    g_string_append (details, ",\"free\":true");
  append_translations (details, translations);

  if (organization_name != NULL)
    {
      g_string_append (details, ",\"organization\":{");
      append_json_member (details, "name", organization_name);
      append_translations (details, organization_translations);
      g_string_append_c (details, '}');
    }

  if (phones != NULL && jv_length (phones) > 0)
    {
      g_string_append (details, ",\"phones\":[");
      for (guint i = 0; i < jv_length (phones); i++)
        {
          JValue *phone = jv_index (phones, i);

          if (i > 0)
            g_string_append_c (details, ',');
          g_string_append_c (details, '{');
          append_json_member (details, "number", get_text (&record, phone, "number"));
          append_json_member (details, "description", get_text (&record, phone, "description"));
          append_translations (details,
                               check_translations (&record, phone, part_translated, NULL));
          g_string_append_c (details, '}');
        }
      g_string_append_c (details, ']');
    }

  if (areas != NULL && jv_length (areas) > 0)
    {
      g_string_append (details, ",\"service_areas\":[");
      for (guint i = 0; i < jv_length (areas); i++)
        {
          JValue *area = jv_index (areas, i);

          if (i > 0)
            g_string_append_c (details, ',');
          g_string_append_c (details, '{');
          append_json_member (details, "name", get_text (&record, area, "name"));
          append_translations (details,
                               check_translations (&record, area, part_translated, NULL));
          g_string_append_c (details, '}');
        }
      g_string_append_c (details, ']');
    }

  append_array (details, "addresses", addresses);
  append_array (details, "languages", import->record_languages);
  g_string_append_c (details, '}');

  prepared = g_new0 (Prepared, 1);
  prepared->id = g_strdup (record.id);
  prepared->name = g_strdup (name);
  if (organization != NULL)
    {
      const char *organization_id = get_text (&record, organization, "id");

      prepared->organization_key = g_strdup (organization_id != NULL ? organization_id
                                                                     : organization_name);
      prepared->organization_name = g_strdup (organization_name);
    }
  prepared->schedule = haven_schedule_serialize (schedule);
  prepared->details = g_strndup (details->str, details->len);
  for (guint i = 0; i < N_FTS_COLUMNS; i++)
    prepared->fts[i] = g_strndup (import->fts[i]->str, import->fts[i]->len);
  prepared->regions = copy_strings (import->record_regions);
  prepared->languages = copy_strings (import->record_languages);
  prepared->terms = copy_strings (import->record_terms);
  prepared->flags = flags;

  deliver (import, prepared);
}

/* Cuts a JSON document into its service records without parsing it
 * whole: the top level is either an array of records or an object whose
 * "contents" member is one (the HSDS API's Page). */
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
 * track of strings and nesting only: json-glib checks the rest. */
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
              file_problem (scanner->import, scanner->file, scanner->line,
                            _("a record is larger than %d MB"), MAX_RECORD_SIZE / (1024 * 1024));
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
      file_problem (scanner->import, scanner->file, scanner->line,
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

  arena_reset (&import->arena);
  record = jparse (&import->arena, import->stack, import->json_scratch, text->str, text->len,
                   &error, &error_line);
  if (record == NULL)
    {
      file_problem (import, scanner->file, line + error_line - 1,
                    _("record %u is not valid JSON: %s"), index, error);
      return;
    }

  import_record (import, record, &origin);
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
          too_many_problems (scanner->import))
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

      file_problem (scanner->import, scanner->file, scanner->line,
                    _("expected “,” or “]” after record %u"), index);
      return FALSE;
    }

  if (scanner->error == NULL && !too_many_problems (scanner->import))
    file_problem (scanner->import, scanner->file, scanner->line,
                  _("the file ends in the middle of record %u"), index + 1);
  return FALSE;
}

static gboolean
scan_page (Scanner *scanner)
{
  g_autoptr(GString) key = g_string_new (NULL);
  gboolean found = FALSE;
  int c;

  while (TRUE)
    {
      c = scanner_skip_space (scanner);
      if (c == '}')
        {
          scanner_next (scanner);
          break;
        }
      if (c != '"')
        {
          file_problem (scanner->import, scanner->file, scanner->line,
                        _("the Page object is not valid JSON"));
          return FALSE;
        }

      g_string_truncate (key, 0);
      if (!scanner_take_value (scanner, key))
        break;
      if (scanner_skip_space (scanner) != ':')
        {
          file_problem (scanner->import, scanner->file, scanner->line,
                        _("the Page object is not valid JSON"));
          return FALSE;
        }
      scanner_next (scanner);

      c = scanner_skip_space (scanner);
      if (g_str_equal (key->str, "\"contents\""))
        {
          if (c != '[')
            {
              file_problem (scanner->import, scanner->file, scanner->line,
                            _("“contents” must be a list of services"));
              return FALSE;
            }
          scanner_next (scanner);
          if (!scan_records (scanner))
            return FALSE;
          found = TRUE;
        }
      else if (!scanner_take_value (scanner, NULL))
        break;

      c = scanner_skip_space (scanner);
      if (c == ',')
        scanner_next (scanner);
      else if (c != '}')
        {
          file_problem (scanner->import, scanner->file, scanner->line,
                        _("the Page object is not valid JSON"));
          return FALSE;
        }
    }

  if (scanner->error != NULL)
    return FALSE;
  if (c < 0)
    {
      file_problem (scanner->import, scanner->file, scanner->line,
                    _("the file ends in the middle of the Page object"));
      return FALSE;
    }
  if (!found)
    {
      file_problem (scanner->import, scanner->file, 0,
                    _("the object has no “contents”: it is neither a list of services nor an "
                      "HSDS Page object"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
import_json (Import      *import,
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
      file_problem (import, label, scanner.line,
                    _("not an HSDS directory: expected a JSON list of services or a Page object"));
    }

  if (scanner.error != NULL)
    {
      g_propagate_error (error, scanner.error);
      return FALSE;
    }

  return scanned || n_problems (import) > 0;
}

/* A JSON directory is read and checked in a thread of its own while this
 * one writes the database: on a machine with two cores, that is most of
 * the difference between a 100,000-service import taking 9 s or 5 s. */
typedef struct {
  Import *import;
  GFile *file;
  const char *label;
  GError *error;
  gboolean ok;
} JsonJob;

static char end_of_records;

static gpointer
json_worker (gpointer data)
{
  JsonJob *job = data;

  job->ok = import_json (job->import, job->file, job->label, &job->error);
  g_async_queue_push (job->import->records, &end_of_records);

  return NULL;
}

static gboolean
import_json_in_thread (Import      *import,
                       GFile       *file,
                       const char  *label,
                       GError     **error)
{
  JsonJob job = { import, file, label, NULL, FALSE };
  GThread *thread;
  gpointer item;

  import->records = g_async_queue_new ();
  import->tokens = g_async_queue_new ();
  for (guint i = 0; i < MAX_PENDING_RECORDS; i++)
    g_async_queue_push (import->tokens, GINT_TO_POINTER (1));

  thread = g_thread_new ("haven-import", json_worker, &job);
  while ((item = g_async_queue_pop (import->records)) != &end_of_records)
    {
      store_prepared (import, item);
      prepared_free (item);
      g_async_queue_push (import->tokens, GINT_TO_POINTER (1));
    }
  g_thread_join (thread);

  g_clear_pointer (&import->records, g_async_queue_unref);
  g_clear_pointer (&import->tokens, g_async_queue_unref);

  if (job.error != NULL)
    {
      g_propagate_error (error, job.error);
      return FALSE;
    }

  return job.ok;
}

/* Tabular data packages: CSV files that refer to each other by id. */
typedef struct {
  guint line;
  GStrv fields;
} CsvRow;

typedef struct {
  char *label;
  GStrv header;
  GArray *rows;
} CsvTable;

static void
csv_row_clear (gpointer data)
{
  CsvRow *row = data;

  g_strfreev (row->fields);
}

static void
csv_table_free (CsvTable *table)
{
  g_free (table->label);
  g_strfreev (table->header);
  g_array_unref (table->rows);
  g_free (table);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsvTable, csv_table_free)

/* RFC 4180: commas, double quotes around fields that hold commas, quotes
 * or line breaks, "" for a quote. */
static CsvTable *
csv_table_load (Import      *import,
                const char  *path,
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
      file_problem (import, label, 0, _("the file is not UTF-8 text"));
      return g_steal_pointer (&table);
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
              file_problem (import, label, row_line, _("a quoted field is never closed"));
              return g_steal_pointer (&table);
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

  if (table->header == NULL)
    table->header = g_new0 (char *, 1);
  for (guint i = 0; table->header[i] != NULL; i++)
    g_strstrip (table->header[i]);

  return g_steal_pointer (&table);
}

static int
csv_column (CsvTable   *table,
            const char *name)
{
  for (guint i = 0; table->header[i] != NULL; i++)
    {
      if (g_str_equal (table->header[i], name))
        return i;
    }

  return -1;
}

static const char *
csv_value (CsvTable     *table,
           const CsvRow *row,
           int           column)
{
  if (column < 0 || column >= (int) g_strv_length (row->fields))
    return NULL;

  return row->fields[column][0] != '\0' ? row->fields[column] : NULL;
}

/* A package's rows, with their tables indexed by the columns that link
 * them, turned into the dereferenced service records the JSON inputs hold.
 * Each record is built afresh in the arena, so the code that checks and
 * stores a record is the same for every kind of input. */
typedef struct {
  Import *import;
  GHashTable *tables;
  /* Table name and column -> (value -> GArray of row positions). */
  GHashTable *indexes;
} Package;

static GHashTable *
package_index (Package    *package,
               const char *table_name,
               const char *column_name)
{
  g_autofree char *key = g_strconcat (table_name, ".", column_name, NULL);
  CsvTable *table = g_hash_table_lookup (package->tables, table_name);
  GHashTable *index = g_hash_table_lookup (package->indexes, key);
  int column;

  if (index != NULL)
    return index;

  index = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_array_unref);
  g_hash_table_insert (package->indexes, g_steal_pointer (&key), index);

  if (table == NULL || (column = csv_column (table, column_name)) < 0)
    return index;

  for (guint i = 0; i < table->rows->len; i++)
    {
      const char *value = csv_value (table, &g_array_index (table->rows, CsvRow, i), column);
      GArray *positions;

      if (value == NULL)
        continue;

      positions = g_hash_table_lookup (index, value);
      if (positions == NULL)
        {
          positions = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (index, (gpointer) value, positions);
        }
      g_array_append_val (positions, i);
    }

  return index;
}

static void
object_add (JValue     *object,
            const char *key,
            JValue     *value)
{
  if (value == NULL)
    return;

  object->members[object->length].key = key;
  object->members[object->length].value = value;
  object->length++;
}

/* A row as the object HSDS gives for it, with room for @n_extra more
 * members. It remembers its file and line (x_haven_origin) for messages
 * about it; x_translations holds JSON in a cell. */
static JValue *
row_object (Package      *package,
            const char   *table_name,
            const CsvRow *row,
            guint         n_extra,
            gboolean      with_origin)
{
  Import *import = package->import;
  CsvTable *table = g_hash_table_lookup (package->tables, table_name);
  JValue *object = jv_new (&import->arena, JV_OBJECT);
  guint n_columns = g_strv_length (table->header);

  object->members = arena_alloc (&import->arena, sizeof (JMember) * (n_columns + 1 + n_extra));

  for (guint i = 0; table->header[i] != NULL && row->fields[i] != NULL; i++)
    {
      const char *name = table->header[i];
      const char *value = row->fields[i];

      if (value[0] == '\0' || name[0] == '\0')
        continue;

      if (g_str_equal (name, "x_translations"))
        {
          const char *error = NULL;
          guint line = 0;
          JValue *translations = jparse (&import->arena, import->stack, import->json_scratch,
                                         value, strlen (value), &error, &line);

          if (translations == NULL)
            file_problem (import, table->label, row->line,
                          _("x_translations is not valid JSON: %s"), error);
          object_add (object, name, translations);
          continue;
        }

      object_add (object, name, jv_new_string (&import->arena, value));
    }

  if (with_origin)
    {
      g_autofree char *origin = g_strdup_printf ("%s:%u", table->label, row->line);

      object_add (object, "x_haven_origin", jv_new_string (&import->arena, origin));
    }

  return object;
}

typedef JValue *(*BuildFunc) (Package *package, const CsvRow *row);

/* The rows of @table_name whose @column_name is @value, each built by
 * @build, as an array; NULL when there are none. */
static JValue *
related (Package    *package,
         const char *table_name,
         const char *column_name,
         const char *value,
         BuildFunc   build)
{
  GHashTable *index = package_index (package, table_name, column_name);
  CsvTable *table = g_hash_table_lookup (package->tables, table_name);
  GArray *positions = value != NULL ? g_hash_table_lookup (index, value) : NULL;
  JValue *array;

  if (positions == NULL)
    return NULL;

  array = jv_new (&package->import->arena, JV_ARRAY);
  array->elements = arena_alloc (&package->import->arena, sizeof (JValue *) * positions->len);
  for (guint i = 0; i < positions->len; i++)
    {
      guint position = g_array_index (positions, guint, i);
      const CsvRow *row = &g_array_index (table->rows, CsvRow, position);
      JValue *element = build (package, row);

      if (element != NULL)
        array->elements[array->length++] = element;
    }

  return array;
}

/* The first row of @table_name whose @column_name is @value. */
static const CsvRow *
lookup_row (Package    *package,
            const char *table_name,
            const char *column_name,
            const char *value)
{
  GHashTable *index = package_index (package, table_name, column_name);
  CsvTable *table = g_hash_table_lookup (package->tables, table_name);
  GArray *positions = value != NULL ? g_hash_table_lookup (index, value) : NULL;

  if (positions == NULL)
    return NULL;

  return &g_array_index (table->rows, CsvRow, g_array_index (positions, guint, 0));
}

static const char *
row_value (Package      *package,
           const char   *table_name,
           const CsvRow *row,
           const char   *column_name)
{
  CsvTable *table = g_hash_table_lookup (package->tables, table_name);

  return csv_value (table, row, csv_column (table, column_name));
}

#define DEFINE_PLAIN_BUILD(function, table_name) \
  static JValue * \
  function (Package      *package, \
            const CsvRow *row) \
  { \
    return row_object (package, table_name, row, 0, TRUE); \
  }

DEFINE_PLAIN_BUILD (build_phone, "phones")
DEFINE_PLAIN_BUILD (build_schedule, "schedules")
DEFINE_PLAIN_BUILD (build_area, "service_areas")
DEFINE_PLAIN_BUILD (build_language, "languages")
DEFINE_PLAIN_BUILD (build_address, "addresses")
DEFINE_PLAIN_BUILD (build_cost, "cost_options")

static JValue *
build_location (Package      *package,
                const CsvRow *row)
{
  JValue *location = row_object (package, "locations", row, 3, TRUE);
  const char *id = row_value (package, "locations", row, "id");

  object_add (location, "addresses", related (package, "addresses", "location_id", id,
                                              build_address));
  object_add (location, "schedules", related (package, "schedules", "location_id", id,
                                              build_schedule));
  object_add (location, "languages", related (package, "languages", "location_id", id,
                                              build_language));
  return location;
}

static JValue *
build_link (Package      *package,
            const CsvRow *row)
{
  JValue *link = row_object (package, "service_at_locations", row, 2, TRUE);
  const char *id = row_value (package, "service_at_locations", row, "id");
  const CsvRow *location = lookup_row (package, "locations", "id",
                                       row_value (package, "service_at_locations", row,
                                                  "location_id"));

  if (location != NULL)
    object_add (link, "location", build_location (package, location));
  object_add (link, "schedules", related (package, "schedules", "service_at_location_id", id,
                                          build_schedule));
  return link;
}

static JValue *
build_term (Package      *package,
            const CsvRow *row)
{
  JValue *term = row_object (package, "taxonomy_terms", row, 1, TRUE);
  const CsvRow *taxonomy = lookup_row (package, "taxonomies", "id",
                                       row_value (package, "taxonomy_terms", row, "taxonomy_id"));

  if (taxonomy != NULL && jv_get (term, "taxonomy") == NULL)
    object_add (term, "taxonomy_detail",
                row_object (package, "taxonomies", taxonomy, 0, FALSE));
  return term;
}

static JValue *
build_attribute (Package      *package,
                 const CsvRow *row)
{
  JValue *attribute;
  const char *entity = row_value (package, "attributes", row, "link_entity");
  const char *term_id = row_value (package, "attributes", row, "taxonomy_term_id");
  const CsvRow *term;

  /* Attributes of organizations, locations and the rest say nothing about
   * what a service helps with. */
  if (entity != NULL && g_ascii_strcasecmp (entity, "service") != 0)
    return NULL;

  attribute = row_object (package, "attributes", row, 1, TRUE);
  term = lookup_row (package, "taxonomy_terms", "id", term_id);
  if (term != NULL)
    object_add (attribute, "taxonomy_term", build_term (package, term));
  else if (term_id != NULL)
    {
      CsvTable *table = g_hash_table_lookup (package->tables, "attributes");

      file_problem (package->import, table->label, row->line,
                    _("taxonomy_term_id “%s” is not in taxonomy_terms.csv"), term_id);
    }

  return attribute;
}

/* Rows that name a service, or a location, the package does not have. */
static void
check_references (Import     *import,
                  CsvTable   *table,
                  const char *column_name,
                  GHashTable *known)
{
  int column;

  if (table == NULL || (column = csv_column (table, column_name)) < 0)
    return;

  for (guint i = 0; i < table->rows->len; i++)
    {
      const CsvRow *row = &g_array_index (table->rows, CsvRow, i);
      const char *id = csv_value (table, row, column);

      if (id != NULL && !g_hash_table_contains (known, id))
        file_problem (import, table->label, row->line, _("%s “%s” is not in the package"),
                      column_name, id);
    }
}

static const char *const package_tables[] = {
  "services", "organizations", "phones", "schedules", "service_areas", "languages",
  "attributes", "taxonomy_terms", "taxonomies", "service_at_locations", "locations",
  "addresses", "cost_options",
};

static GHashTable *
id_set (CsvTable *table)
{
  GHashTable *ids = g_hash_table_new (g_str_hash, g_str_equal);
  int column = table != NULL ? csv_column (table, "id") : -1;

  for (guint i = 0; column >= 0 && i < table->rows->len; i++)
    {
      const char *id = csv_value (table, &g_array_index (table->rows, CsvRow, i), column);

      if (id != NULL)
        g_hash_table_add (ids, (gpointer) id);
    }

  return ids;
}

static gboolean
import_package (Import      *import,
                const char  *package_path,
                GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (package_path);
  g_autofree char *contents = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autoptr(GHashTable) tables = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) csv_table_free);
  g_autoptr(GHashTable) indexes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_hash_table_unref);
  g_autoptr(GHashTable) paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) service_ids = NULL;
  g_autoptr(GHashTable) location_ids = NULL;
  Package package = { import, tables, indexes };
  CsvTable *services;
  JValue *root, *resources;
  const char *parse_error = NULL;
  guint parse_line = 0;
  gsize length;
  int id_column, organization_column;

  import->format = "datapackage";

  if (!g_file_get_contents (package_path, &contents, &length, &read_error))
    {
      g_propagate_error (error, g_steal_pointer (&read_error));
      return FALSE;
    }

  arena_reset (&import->arena);
  root = jparse (&import->arena, import->stack, import->json_scratch, contents, length,
                 &parse_error, &parse_line);
  if (root == NULL)
    {
      file_problem (import, "datapackage.json", parse_line, _("not valid JSON: %s"), parse_error);
      return TRUE;
    }

  resources = jv_get (root, "resources");
  if (resources == NULL || resources->type != JV_ARRAY)
    {
      file_problem (import, "datapackage.json", 0, _("“resources” is missing or not a list"));
      return TRUE;
    }

  for (guint i = 0; i < resources->length; i++)
    {
      JValue *name = jv_get (resources->elements[i], "name");
      JValue *path = jv_get (resources->elements[i], "path");

      if (name == NULL || path == NULL || name->type != JV_STRING || path->type != JV_STRING)
        continue;

      /* A package names files inside itself, never elsewhere. */
      if (g_path_is_absolute (path->text) || strstr (path->text, "..") != NULL)
        {
          file_problem (import, "datapackage.json", 0,
                        _("resource “%s” has a path outside the package: %s"), name->text,
                        path->text);
          continue;
        }
      g_hash_table_insert (paths, g_strdup (name->text), g_strdup (path->text));
    }

  for (gsize i = 0; i < G_N_ELEMENTS (package_tables); i++)
    {
      const char *name = package_tables[i];
      const char *relative = g_hash_table_lookup (paths, name);
      g_autofree char *fallback = g_strconcat (name, ".csv", NULL);
      g_autofree char *path = NULL;
      CsvTable *table;

      if (relative == NULL)
        relative = fallback;
      path = g_build_filename (folder, relative, NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          if (g_str_equal (name, "services"))
            file_problem (import, "datapackage.json", 0,
                          _("the package has no services table (services.csv)"));
          continue;
        }

      table = csv_table_load (import, path, relative, error);
      if (table == NULL)
        return FALSE;
      g_hash_table_insert (tables, (gpointer) name, table);
    }

  services = g_hash_table_lookup (tables, "services");
  if (services == NULL || n_problems (import) > 0)
    return TRUE;

  id_column = csv_column (services, "id");
  organization_column = csv_column (services, "organization_id");
  if (id_column < 0 || csv_column (services, "name") < 0)
    {
      file_problem (import, services->label, 1, _("the header must have the columns id and name"));
      return TRUE;
    }

  service_ids = id_set (services);
  location_ids = id_set (g_hash_table_lookup (tables, "locations"));
  check_references (import, g_hash_table_lookup (tables, "phones"), "service_id", service_ids);
  check_references (import, g_hash_table_lookup (tables, "schedules"), "service_id", service_ids);
  check_references (import, g_hash_table_lookup (tables, "service_areas"), "service_id",
                    service_ids);
  check_references (import, g_hash_table_lookup (tables, "languages"), "service_id", service_ids);
  check_references (import, g_hash_table_lookup (tables, "cost_options"), "service_id",
                    service_ids);
  check_references (import, g_hash_table_lookup (tables, "service_at_locations"), "service_id",
                    service_ids);
  check_references (import, g_hash_table_lookup (tables, "service_at_locations"), "location_id",
                    location_ids);

  for (guint i = 0; i < services->rows->len; i++)
    {
      const CsvRow *row = &g_array_index (services->rows, CsvRow, i);
      const char *id = csv_value (services, row, id_column);
      const char *organization_id = csv_value (services, row, organization_column);
      const CsvRow *organization;
      Origin origin = { services->label, row->line, i + 1 };
      JValue *service;

      if (g_cancellable_is_cancelled (import->cancellable) || too_many_problems (import))
        break;

      arena_reset (&import->arena);
      /* The record's own line, not a part's: no x_haven_origin. */
      service = row_object (&package, "services", row, 8, FALSE);

      organization = lookup_row (&package, "organizations", "id", organization_id);
      if (organization != NULL)
        object_add (service, "organization",
                    row_object (&package, "organizations", organization, 0, TRUE));
      else if (organization_id != NULL)
        file_problem (import, services->label, row->line,
                      _("organization_id “%s” is not in organizations.csv"), organization_id);

      object_add (service, "phones", related (&package, "phones", "service_id", id, build_phone));
      object_add (service, "schedules", related (&package, "schedules", "service_id", id,
                                                 build_schedule));
      object_add (service, "service_areas", related (&package, "service_areas", "service_id", id,
                                                     build_area));
      object_add (service, "languages", related (&package, "languages", "service_id", id,
                                                 build_language));
      object_add (service, "cost_options", related (&package, "cost_options", "service_id", id,
                                                    build_cost));
      object_add (service, "attributes", related (&package, "attributes", "link_id", id,
                                                  build_attribute));
      object_add (service, "service_at_locations", related (&package, "service_at_locations",
                                                            "service_id", id, build_link));

      import_record (import, service, &origin);
    }

  return TRUE;
}

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          GError     **error)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) == SQLITE_OK)
    return TRUE;

  g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_DATABASE,
               _("The directory database cannot be written: %s"),
               message != NULL ? message : sqlite3_errmsg (db));
  sqlite3_free (message);
  return FALSE;
}

static gboolean
set_meta (sqlite3     *db,
          const char  *key,
          const char  *value,
          GError     **error)
{
  sqlite3_stmt *statement = NULL;
  int status;

  sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", -1,
                      &statement, NULL);
  sqlite3_bind_text (statement, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 2, value, -1, SQLITE_STATIC);
  status = sqlite3_step (statement);
  sqlite3_finalize (statement);

  if (status == SQLITE_DONE)
    return TRUE;

  g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_DATABASE,
               _("The directory database cannot be written: %s"), sqlite3_errmsg (db));
  return FALSE;
}

static gboolean
open_database (Import      *import,
               const char  *path,
               GError     **error)
{
  static const char pragmas[] =
    /* The file is new and renamed into place only when complete: no
     * journal is needed, and one sync at the end is enough. */
    "PRAGMA journal_mode = OFF;"
    "PRAGMA synchronous = OFF;"
    "PRAGMA locking_mode = EXCLUSIVE;"
    "PRAGMA cache_size = -65536;"
    "PRAGMA temp_store = FILE;";

  if (sqlite3_open_v2 (path, &import->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
      != SQLITE_OK)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_DATABASE,
                   _("The directory database %s cannot be created: %s"), path,
                   sqlite3_errmsg (import->db));
      return FALSE;
    }

  if (!exec_sql (import->db, pragmas, error) ||
      !exec_sql (import->db, schema_sql, error) ||
      !exec_sql (import->db, "BEGIN", error))
    return FALSE;

  for (guint i = 0; i < N_STATEMENTS; i++)
    {
      if (sqlite3_prepare_v3 (import->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                              &import->statements[i], NULL) != SQLITE_OK)
        {
          g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_DATABASE,
                       _("The directory database cannot be written: %s"),
                       sqlite3_errmsg (import->db));
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
finish_database (Import      *import,
                 const char  *source,
                 GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *imported_at = g_date_time_format_iso8601 (now);
  g_autofree char *version = g_strdup_printf ("%d", HAVEN_DIRECTORY_SCHEMA_VERSION);
  g_autofree char *pragma = g_strdup_printf ("PRAGMA user_version = %d",
                                             HAVEN_DIRECTORY_SCHEMA_VERSION);

  g_debug ("Records stored after %.2f s", g_timer_elapsed (import->timer, NULL));
  if (!finish_fts (import, error))
    return FALSE;
  g_debug ("Full-text rows indexed after %.2f s", g_timer_elapsed (import->timer, NULL));

  for (guint i = 0; i < N_STATEMENTS; i++)
    g_clear_pointer (&import->statements[i], sqlite3_finalize);

  if (!exec_sql (import->db, index_sql, error))
    return FALSE;
  g_debug ("Indexes built after %.2f s", g_timer_elapsed (import->timer, NULL));
  /* Merge the index segments written along the way into one, which is what
   * every search reads. */
  if (!exec_sql (import->db, "INSERT INTO services_fts (services_fts) VALUES ('optimize')", error))
    return FALSE;
  g_debug ("Full-text index merged after %.2f s", g_timer_elapsed (import->timer, NULL));
  if (!exec_sql (import->db, words_sql, error))
    return FALSE;
  g_debug ("Words listed after %.2f s", g_timer_elapsed (import->timer, NULL));

  return set_meta (import->db, "schema_version", version, error) &&
         set_meta (import->db, "imported_at", imported_at, error) &&
         set_meta (import->db, "source", source, error) &&
         set_meta (import->db, "format", import->format, error) &&
         exec_sql (import->db, pragma, error) &&
         exec_sql (import->db, "COMMIT", error) &&
         exec_sql (import->db, "ANALYZE", error);
}

static gboolean
sync_path (const char  *path,
           gboolean     directory,
           GError     **error)
{
  int fd = g_open (path, (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC, 0);
  int saved_errno;

  if (fd < 0 || fsync (fd) != 0)
    {
      saved_errno = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_IO,
                   _("%s cannot be written to disk: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  close (fd);
  return TRUE;
}

static void
import_clear (Import *import)
{
  for (guint i = 0; i < G_N_ELEMENTS (import->batches); i++)
    {
      if (import->batches[i].text != NULL)
        g_string_free (import->batches[i].text, TRUE);
      g_clear_pointer (&import->batches[i].rows, g_array_unref);
    }
  g_clear_pointer (&import->partitions, g_hash_table_unref);
  g_clear_pointer (&import->partition_codes, g_ptr_array_unref);
  g_clear_pointer (&import->first_partitions, g_array_unref);
  for (guint i = 0; i < N_STATEMENTS; i++)
    g_clear_pointer (&import->statements[i], sqlite3_finalize);
  g_clear_pointer (&import->db, sqlite3_close);
  g_clear_pointer (&import->service_ids, g_hash_table_unref);
  g_clear_pointer (&import->organizations, g_hash_table_unref);
  g_clear_pointer (&import->terms, g_hash_table_unref);
  for (guint i = 0; i < N_FTS_COLUMNS; i++)
    {
      if (import->fts[i] != NULL)
        g_string_free (import->fts[i], TRUE);
    }
  if (import->details != NULL)
    g_string_free (import->details, TRUE);
  if (import->scratch != NULL)
    g_string_free (import->scratch, TRUE);
  g_clear_pointer (&import->record_regions, g_ptr_array_unref);
  g_clear_pointer (&import->record_languages, g_ptr_array_unref);
  g_clear_pointer (&import->record_terms, g_ptr_array_unref);
  g_mutex_clear (&import->problems_lock);
  arena_clear (&import->arena);
  g_clear_pointer (&import->stack, g_ptr_array_unref);
  if (import->json_scratch != NULL)
    g_string_free (import->json_scratch, TRUE);
  g_clear_pointer (&import->database_error, g_free);
}

static char *
describe_problems (HavenDirectoryImporter *self,
                   const char             *label)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->problems->len >= HAVEN_DIRECTORY_IMPORT_MAX_PROBLEMS)
    g_string_append_printf (text,
                            _("%s is not a valid HSDS directory; stopped after %u problems:"),
                            label, self->problems->len);
  else
    g_string_append_printf (text, ngettext ("%s is not a valid HSDS directory (%u problem):",
                                            "%s is not a valid HSDS directory (%u problems):",
                                            self->problems->len),
                            label, self->problems->len);

  for (guint i = 0; i < self->problems->len; i++)
    {
      g_string_append (text, "\n  ");
      g_string_append (text, g_ptr_array_index (self->problems, i));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * haven_directory_importer_run:
 *
 * Imports the directory. On %HAVEN_DIRECTORY_ERROR_INVALID_INPUT the
 * message lists the problems, one a line (also in
 * haven_directory_importer_get_problems()), and the old database is left
 * as it was.
 */
gboolean
haven_directory_importer_run (HavenDirectoryImporter  *self,
                              GCancellable            *cancellable,
                              GError                 **error)
{
  g_autoptr(GFile) source = NULL;
  g_autoptr(GFile) source_file = NULL;
  g_autofree char *source_path = NULL;
  g_autofree char *label = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *temporary = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autoptr(GError) local_error = NULL;
  Import import = { 0 };
  gboolean package;
  gboolean ok;
  int fd;

  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_ptr_array_set_size (self->problems, 0);
  self->n_services = self->n_organizations = self->n_skipped = 0;

  source = g_file_new_for_commandline_arg (self->source_path);
  source_path = g_file_get_path (source);
  if (g_file_test (source_path, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *package_path = g_build_filename (source_path, "datapackage.json", NULL);

      g_free (source_path);
      source_path = g_steal_pointer (&package_path);
    }
  package = g_str_has_suffix (source_path, "datapackage.json");
  label = g_path_get_basename (source_path);

  if (!g_file_test (source_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_NOT_FOUND,
                   _("%s does not exist or is not a file"), source_path);
      return FALSE;
    }

  folder = g_path_get_dirname (self->database_path);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_IO,
                   _("The folder %s cannot be made: %s"), folder, g_strerror (saved_errno));
      return FALSE;
    }

  /* Beside the target, so the rename never crosses file systems. */
  temporary = g_strconcat (self->database_path, ".new-XXXXXX", NULL);
  fd = g_mkstemp_full (temporary, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_IO,
                   _("A new directory database cannot be made in %s: %s"), folder,
                   g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);

  import.self = self;
  import.cancellable = cancellable;
  import.format = "json";
  import.service_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import.organizations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import.terms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < N_FTS_COLUMNS; i++)
    import.fts[i] = g_string_sized_new (1024);
  import.details = g_string_sized_new (4096);
  import.scratch = g_string_sized_new (256);
  import.record_regions = g_ptr_array_new_with_free_func (g_free);
  import.record_languages = g_ptr_array_new_with_free_func (g_free);
  import.record_terms = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&import.problems_lock);
  arena_init (&import.arena);
  import.stack = g_ptr_array_new ();
  import.json_scratch = g_string_new (NULL);
  import.timer = timer;
  for (guint i = 0; i < G_N_ELEMENTS (import.batches); i++)
    {
      import.batches[i].text = g_string_sized_new (STAGING_SIZE + 64 * 1024);
      import.batches[i].rows = g_array_new (FALSE, FALSE, sizeof (StagedRow));
    }
  import.filling = &import.batches[0];
  import.draining = &import.batches[1];
  import.partitions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import.partition_codes = g_ptr_array_new_with_free_func (g_free);
  import.first_partitions = g_array_new (FALSE, TRUE, sizeof (guint32));

  ok = open_database (&import, temporary, &local_error);
  if (ok)
    {
      source_file = g_file_new_for_path (source_path);
      if (package)
        ok = import_package (&import, source_path, &local_error);
      else
        ok = import_json_in_thread (&import, source_file, label, &local_error);
    }

  if (ok && !g_cancellable_set_error_if_cancelled (cancellable, &local_error) &&
      self->problems->len == 0 && self->n_services == 0)
    file_problem (&import, label, 0, _("the directory holds no active services"));

  if (ok && local_error == NULL && self->problems->len > 0)
    {
      g_autofree char *description = describe_problems (self, label);

      g_set_error_literal (&local_error, HAVEN_DIRECTORY_ERROR,
                           HAVEN_DIRECTORY_ERROR_INVALID_INPUT, description);
    }

  if (local_error == NULL && import.database_error != NULL)
    g_set_error (&local_error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_DATABASE,
                 _("The directory database cannot be written: %s"), import.database_error);

  if (local_error == NULL)
    ok = finish_database (&import, source_path, &local_error);

  import_clear (&import);

  if (local_error == NULL && ok)
    ok = sync_path (temporary, FALSE, &local_error) &&
         g_rename (temporary, self->database_path) == 0;
  if (ok && local_error == NULL)
    {
      /* The rename itself is only durable once the folder is synced. */
      ok = sync_path (folder, TRUE, &local_error);
    }
  else if (local_error == NULL)
    {
      int saved_errno = errno;

      g_set_error (&local_error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_IO,
                   _("The directory database %s cannot be replaced: %s"), self->database_path,
                   g_strerror (saved_errno));
    }

  if (local_error != NULL)
    {
      g_unlink (temporary);
      self->n_services = 0;
      self->n_organizations = 0;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  self->seconds = g_timer_elapsed (timer, NULL);
  g_debug ("Imported %u services in %.2f s", self->n_services, self->seconds);
  return TRUE;
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GError *error = NULL;

  if (haven_directory_importer_run (source_object, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * haven_directory_importer_run_async:
 *
 * Imports in a worker thread, for the kiosk's "reload directory".
 */
void
haven_directory_importer_run_async (HavenDirectoryImporter *self,
                                    GCancellable           *cancellable,
                                    GAsyncReadyCallback     callback,
                                    gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_directory_importer_run_async);
  g_task_run_in_thread (task, run_thread);
}

gboolean
haven_directory_importer_run_finish (HavenDirectoryImporter  *self,
                                     GAsyncResult            *result,
                                     GError                 **error)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_directory_importer_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

guint
haven_directory_importer_get_n_services (HavenDirectoryImporter *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), 0);

  return self->n_services;
}

guint
haven_directory_importer_get_n_organizations (HavenDirectoryImporter *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), 0);

  return self->n_organizations;
}

/**
 * haven_directory_importer_get_n_skipped:
 *
 * Returns: how many services were left out because their status is
 *   inactive or defunct
 */
guint
haven_directory_importer_get_n_skipped (HavenDirectoryImporter *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), 0);

  return self->n_skipped;
}

double
haven_directory_importer_get_seconds (HavenDirectoryImporter *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), 0);

  return self->seconds;
}

/**
 * haven_directory_importer_get_problems:
 *
 * Returns: (transfer none): what was wrong with the input in the last run
 */
const char * const *
haven_directory_importer_get_problems (HavenDirectoryImporter *self)
{
  static const char *const none[] = { NULL };

  g_return_val_if_fail (HAVEN_IS_DIRECTORY_IMPORTER (self), NULL);

  /* An empty GPtrArray may have no storage at all. */
  if (self->problems->pdata == NULL)
    return none;

  return (const char * const *) self->problems->pdata;
}
