/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-directory-writer"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "haven-directory.h"
#include "haven-directory-layout.h"
#include "haven-directory-writer.h"
#include "haven-schedule.h"

/* Writes the directory database: the schema, one prepared statement per
 * table, the full-text rows in batches ordered by rowid, and the rename
 * that puts the finished file in the place of the old one. */

enum {
  INSERT_ORGANIZATION,
  INSERT_SERVICE,
  INSERT_TERM,
  INSERT_FTS,
  INSERT_PARTITION,
  INSERT_SEARCH_ORDER,
  INSERT_SCHEDULE_RULE,
  INSERT_REGION_CODE,
  INSERT_LANGUAGE_CODE,
  INSERT_SEARCH_DATA,
  N_STATEMENTS,
};

static const char *const statement_sql[N_STATEMENTS] = {
  "INSERT INTO organizations (id, hsds_id, name) VALUES (?, ?, ?)",
  "INSERT INTO services (id, hsds_id, organization, name, flags, schedule, details) "
  "VALUES (?, ?, ?, ?, ?, ?, ?)",
  "INSERT INTO terms (id, taxonomy, code, name) VALUES (?, ?, ?, ?)",
  "INSERT INTO services_fts (rowid, name, organization, other_names, description, terms) "
  "VALUES (?, ?, ?, ?, ?, ?)",
  "INSERT INTO partitions (id, code) VALUES (?, ?)",
  "INSERT INTO search_order (id, service) VALUES (?, ?)",
  "INSERT INTO schedule_rules (id, rule, start) VALUES (?, ?, ?)",
  "INSERT INTO region_codes (id, code) VALUES (?, ?)",
  "INSERT INTO language_codes (id, code) VALUES (?, ?)",
  "INSERT INTO search_data (name, data) VALUES (?, ?)",
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
 * keeps an index for (1, 2 and 3 characters here) by reading one list, and
 * any other by merging, in memory, the complete lists of every word that
 * starts with it: for "supp" in a directory where "support" is in most
 * services, the whole list of "support", on every keystroke. So "words"
 * lists the index's words, and the kiosk turns a longer prefix into the
 * few words it stands for ("supp" into "support" OR "supportive"), whose
 * lists FTS5 reads only where it needs them. The one-letter index costs
 * about a tenth more import time and 5 % more file; without it, a first
 * keystroke was searched as the two-letter prefixes it begins ("s" as
 * "sa"* OR "se"* ...), and took twice as long (bench-directory, "first
 * keystroke": p99 7.0 ms against 3.7).
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
  "  flags INTEGER NOT NULL, schedule INTEGER NOT NULL, details TEXT NOT NULL);"
  /* The recurrences the schedules' rows name (haven-directory-layout.h):
   * an RRULE and the Julian day it counts from. */
  "CREATE TABLE schedule_rules (id INTEGER PRIMARY KEY, rule TEXT NOT NULL,"
  "  start INTEGER NOT NULL);"
  "CREATE TABLE terms (id INTEGER PRIMARY KEY, taxonomy TEXT NOT NULL, code TEXT NOT NULL,"
  "  name TEXT);"
  "CREATE TABLE partitions (id INTEGER PRIMARY KEY, code TEXT NOT NULL);"
  "CREATE TABLE search_order (id INTEGER PRIMARY KEY, service INTEGER NOT NULL);"
  "CREATE TABLE region_codes (id INTEGER PRIMARY KEY, code TEXT NOT NULL);"
  "CREATE TABLE language_codes (id INTEGER PRIMARY KEY, code TEXT NOT NULL);"
  /* See haven-directory-layout.h. */
  "CREATE TABLE search_data (name TEXT PRIMARY KEY, data BLOB NOT NULL);"
  "CREATE TABLE words (word TEXT PRIMARY KEY) WITHOUT ROWID;"
  "CREATE VIRTUAL TABLE services_fts USING fts5 (name, organization, other_names, description,"
  "  terms, content='', prefix='1 2 3',"
  /* Spacing vowel signs (Mc) belong to the words of Indic and Southeast
   * Asian scripts; unicode61 would end a word at each. Must match
   * haven-directory-search.c. */
  "  tokenize=\"unicode61 remove_diacritics 2 categories 'L* N* Co Mc'\","
  "  detail=column, columnsize=0);"
  /* FTS5 writes what it holds as a new segment of the index every MB by
   * default, and merges those segments again and again as the import
   * goes; holding a batch at a time (STAGING_SIZE) makes several times
   * fewer of them. */
  "INSERT INTO services_fts (services_fts, rank) VALUES ('hashsize', 8388608);"
  /* Nor merge the segments as they come: the import ends by merging them
   * all into one ('optimize'), which reads and writes each once, where
   * merging along the way wrote most of them twice or three times. */
  "INSERT INTO services_fts (services_fts, rank) VALUES ('automerge', 0);"
  "INSERT INTO services_fts (services_fts, rank) VALUES ('crisismerge', 1000);";

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
 * FTS5 holds (see schema_sql). */
static const char words_sql[] =
  "CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab (main, services_fts, 'row');"
  "INSERT INTO words (word) SELECT term FROM temp.vocabulary;"
  "DROP TABLE temp.vocabulary;";

/* Indexes are built once the rows are in: far quicker than keeping them
 * up to date row by row. */
static const char index_sql[] =
  "CREATE UNIQUE INDEX services_hsds_id ON services (hsds_id);";
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

/* How much full-text rows may wait in a batch: more means fewer, larger
 * segments to merge at the end, and more memory. */
#define STAGING_SIZE (8 * 1024 * 1024)
/* Rows of the batch before indexed with each service stored: more than a
 * service adds (one row for each of its partitions, rarely more than
 * one), so that a batch is indexed before the next one fills. */
#define ROWS_PER_SERVICE 2

struct _HavenDirectoryWriter
{
  sqlite3 *db;
  sqlite3_stmt *statements[N_STATEMENTS];
  GHashTable *organizations;
  GHashTable *terms;
  gint64 n_terms;
  guint n_services;
  guint n_organizations;

  /* When set, records come from another thread through here. */
  GAsyncQueue *records;
  GAsyncQueue *tokens;
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

  /* What searches need of each service (haven-directory-layout.h), by
   * services.id until finish_fts() puts it in search order, with the
   * codes, schedules and sets of terms it points to. */
  GArray *facets;
  GArray *region_ids;
  GArray *language_ids;
  GHashTable *region_codes;
  GPtrArray *region_code_list;
  GHashTable *language_codes;
  GPtrArray *language_code_list;
  GHashTable *schedules;
  GHashTable *schedule_rules;
  GArray *schedule_starts;
  GArray *schedule_rows;
  GHashTable *term_sets;
  GArray *term_set_starts;
  GArray *term_set_terms;

  char *database_error;
};

/* Runs an insert; the first failure (a full disk, say) is kept and ends
 * the import. */
static void
step (HavenDirectoryWriter *writer,
      sqlite3_stmt         *statement)
{
  if (sqlite3_step (statement) != SQLITE_DONE && writer->database_error == NULL)
    writer->database_error = g_strdup (sqlite3_errmsg (writer->db));
  sqlite3_reset (statement);
}

static gint64
lookup_term (HavenDirectoryWriter *writer,
             const char           *taxonomy,
             const char           *code,
             const char           *name)
{
  g_autofree char *key = g_strdup_printf ("%s\037%s", taxonomy, code);
  gpointer value;
  sqlite3_stmt *statement;

  if (g_hash_table_lookup_extended (writer->terms, key, NULL, &value))
    return GPOINTER_TO_SIZE (value);

  writer->n_terms++;
  statement = writer->statements[INSERT_TERM];
  sqlite3_bind_int64 (statement, 1, writer->n_terms);
  sqlite3_bind_text (statement, 2, taxonomy, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 3, code, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 4, name, -1, SQLITE_STATIC);
  step (writer, statement);

  g_hash_table_insert (writer->terms, g_steal_pointer (&key), GSIZE_TO_POINTER (writer->n_terms));
  return writer->n_terms;
}
void
haven_prepared_free (Prepared *prepared)
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

static gint64
store_organization (HavenDirectoryWriter *writer,
                    const char           *key,
                    const char           *name)
{
  gpointer value;
  sqlite3_stmt *statement;
  gint64 rowid;

  if (key == NULL)
    return 0;
  if (g_hash_table_lookup_extended (writer->organizations, key, NULL, &value))
    return GPOINTER_TO_SIZE (value);

  rowid = ++writer->n_organizations;
  statement = writer->statements[INSERT_ORGANIZATION];
  sqlite3_bind_int64 (statement, 1, rowid);
  sqlite3_bind_text (statement, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 3, name, -1, SQLITE_STATIC);
  step (writer, statement);

  g_hash_table_insert (writer->organizations, g_strdup (key), GSIZE_TO_POINTER (rowid));
  return rowid;
}

static guint32
intern_partition (HavenDirectoryWriter *writer,
                  const char           *code)
{
  gpointer value;
  guint32 id;

  if (g_hash_table_lookup_extended (writer->partitions, code, NULL, &value))
    return GPOINTER_TO_UINT (value);

  g_ptr_array_add (writer->partition_codes, g_strdup (code));
  id = writer->partition_codes->len;
  g_hash_table_insert (writer->partitions, g_strdup (code), GUINT_TO_POINTER (id));

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
assign_partitions (HavenDirectoryWriter  *writer,
                   char                 **regions,
                   guint32               *ids)
{
  guint n = 0;

  if (g_strv_contains ((const char * const *) regions, "*"))
    {
      ids[0] = intern_partition (writer, "*");
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
            ids[n] = intern_partition (writer, code);
          n++;
          continue;
        }

      for (guint j = i; regions[j] != NULL; j++)
        {
          if (!same_country (regions[j], regions[i]))
            continue;
          if (n < MAX_PARTITIONS)
            ids[n] = intern_partition (writer, regions[j]);
          n++;
        }
    }

  if (n == 0 || n > MAX_PARTITIONS)
    {
      ids[0] = intern_partition (writer, "+");
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
drain_staging (HavenDirectoryWriter *writer,
               guint                 n)
{
  Staging *batch = writer->draining;
  sqlite3_stmt *statement = writer->statements[INSERT_FTS];

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
      step (writer, statement);
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
swap_staging (HavenDirectoryWriter *writer)
{
  Staging *full = writer->filling;

  drain_staging (writer, G_MAXUINT);
  writer->filling = writer->draining;
  writer->draining = full;
  g_array_sort (full->rows, compare_staged_rows);
}

/* Keeps the row once, under each of its rowids, until it is indexed. */
static void
stage_fts_row (HavenDirectoryWriter  *writer,
               gint64                 service,
               char                 **regions,
               char                 **fts)
{
  Staging *batch = writer->filling;
  guint32 partitions[MAX_PARTITIONS];
  guint n_partitions = assign_partitions (writer, regions, partitions);
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

  if (writer->first_partitions->len <= service)
    g_array_set_size (writer->first_partitions, service + 1);
  g_array_index (writer->first_partitions, guint32, service) = first;

  if (batch->text->len >= STAGING_SIZE)
    swap_staging (writer);
  else
    drain_staging (writer, ROWS_PER_SERVICE);
}

static void
store_blob (HavenDirectoryWriter *writer,
            const char           *name,
            gconstpointer         data,
            gsize                 size)
{
  sqlite3_stmt *statement = writer->statements[INSERT_SEARCH_DATA];

  sqlite3_bind_text (statement, 1, name, -1, SQLITE_STATIC);
  /* A zero-length blob, not NULL, for an empty array. */
  sqlite3_bind_blob64 (statement, 2, size > 0 ? data : "", size, SQLITE_STATIC);
  step (writer, statement);
}

static void
store_codes (HavenDirectoryWriter *writer,
             sqlite3_stmt         *statement,
             GPtrArray            *list)
{
  for (guint i = 0; i < list->len; i++)
    {
      sqlite3_bind_int64 (statement, 1, i + 1);
      sqlite3_bind_text (statement, 2, g_ptr_array_index (list, i), -1, SQLITE_STATIC);
      step (writer, statement);
    }
}

/* Writes what searches need (haven-directory-layout.h) in the order of
 * @services, the services.id of each place in search_order from 1. */
static void
store_search_data (HavenDirectoryWriter *writer,
                   const guint32        *services,
                   guint                 n_services)
{
  guint n_regions = writer->region_code_list->len;
  g_autoptr(GArray) facets = g_array_new (FALSE, TRUE, sizeof (Facets));
  g_autoptr(GArray) service_ids = g_array_new (FALSE, TRUE, sizeof (guint32));
  g_autoptr(GArray) region_ids = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_autoptr(GArray) language_ids = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_autofree guint32 *region_starts = g_new0 (guint32, n_regions + 2);
  g_autofree guint32 *region_services = NULL;
  g_autofree guint32 *next = NULL;
  guint n_region_services = 0;

  g_array_set_size (facets, n_services + 1);
  g_array_set_size (service_ids, n_services + 1);
  for (guint place = 1; place <= n_services; place++)
    {
      const Facets *from = &g_array_index (writer->facets, Facets, services[place - 1]);
      Facets *to = &g_array_index (facets, Facets, place);

      *to = *from;
      to->regions = region_ids->len;
      if (from->n_regions > 0)
        g_array_append_vals (region_ids, &g_array_index (writer->region_ids, guint16,
                                                         from->regions), from->n_regions);
      to->languages = language_ids->len;
      if (from->n_languages > 0)
        g_array_append_vals (language_ids, &g_array_index (writer->language_ids, guint16,
                                                           from->languages), from->n_languages);
      g_array_index (service_ids, guint32, place) = services[place - 1];

      for (guint i = 0; i < from->n_regions; i++)
        region_starts[g_array_index (region_ids, guint16, to->regions + i) + 1]++;
      n_region_services += from->n_regions;
    }

  /* Each region's services, in search order: a counting sort. */
  for (guint i = 1; i <= n_regions + 1; i++)
    region_starts[i] += region_starts[i - 1];
  region_services = g_new (guint32, MAX (n_region_services, 1));
  next = g_memdup2 (region_starts, (n_regions + 2) * sizeof (guint32));
  for (guint place = 1; place <= n_services; place++)
    {
      const Facets *to = &g_array_index (facets, Facets, place);

      for (guint i = 0; i < to->n_regions; i++)
        region_services[next[g_array_index (region_ids, guint16, to->regions + i)]++] = place;
    }

  store_codes (writer, writer->statements[INSERT_REGION_CODE], writer->region_code_list);
  store_codes (writer, writer->statements[INSERT_LANGUAGE_CODE], writer->language_code_list);

  haven_layout_swap_facets ((Facets *) (void *) facets->data, facets->len);
  haven_layout_swap_32 ((guint32 *) (void *) service_ids->data, service_ids->len);
  haven_layout_swap_16 ((guint16 *) (void *) region_ids->data, region_ids->len);
  haven_layout_swap_16 ((guint16 *) (void *) language_ids->data, language_ids->len);
  haven_layout_swap_32 (region_starts, n_regions + 2);
  haven_layout_swap_32 (region_services, n_region_services);
  haven_layout_swap_32 ((guint32 *) (void *) writer->schedule_starts->data,
                        writer->schedule_starts->len);
  haven_layout_swap_32 ((guint32 *) (void *) writer->schedule_rows->data,
                        writer->schedule_rows->len * 6);
  haven_layout_swap_32 ((guint32 *) (void *) writer->term_set_starts->data,
                        writer->term_set_starts->len);
  haven_layout_swap_32 ((guint32 *) (void *) writer->term_set_terms->data,
                        writer->term_set_terms->len);

  store_blob (writer, SEARCH_DATA_FACETS, facets->data, facets->len * sizeof (Facets));
  store_blob (writer, SEARCH_DATA_SERVICE_IDS, service_ids->data,
              service_ids->len * sizeof (guint32));
  store_blob (writer, SEARCH_DATA_REGION_IDS, region_ids->data,
              region_ids->len * sizeof (guint16));
  store_blob (writer, SEARCH_DATA_LANGUAGE_IDS, language_ids->data,
              language_ids->len * sizeof (guint16));
  store_blob (writer, SEARCH_DATA_REGION_STARTS, region_starts,
              (n_regions + 2) * sizeof (guint32));
  store_blob (writer, SEARCH_DATA_REGION_SERVICES, region_services,
              n_region_services * sizeof (guint32));
  store_blob (writer, SEARCH_DATA_SCHEDULE_STARTS, writer->schedule_starts->data,
              writer->schedule_starts->len * sizeof (guint32));
  store_blob (writer, SEARCH_DATA_SCHEDULE_ROWS, writer->schedule_rows->data,
              writer->schedule_rows->len * sizeof (HavenScheduleStoredRow));
  store_blob (writer, SEARCH_DATA_TERM_SET_STARTS, writer->term_set_starts->data,
              writer->term_set_starts->len * sizeof (guint32));
  store_blob (writer, SEARCH_DATA_TERM_SET_TERMS, writer->term_set_terms->data,
              writer->term_set_terms->len * sizeof (guint32));
}

/* Indexes the last rows, and writes the partitions and the services in
 * the order of their first partitions. */
static gboolean
finish_fts (HavenDirectoryWriter  *writer,
            GError               **error)
{
  sqlite3_stmt *statement;
  g_autofree guint32 *positions = NULL;
  g_autofree guint32 *services = NULL;
  guint n_partitions = writer->partition_codes->len;
  guint n_services = writer->first_partitions->len;

  swap_staging (writer);
  drain_staging (writer, G_MAXUINT);

  for (guint i = 0; i < n_partitions; i++)
    {
      statement = writer->statements[INSERT_PARTITION];
      sqlite3_bind_int64 (statement, 1, i + 1);
      sqlite3_bind_text (statement, 2, g_ptr_array_index (writer->partition_codes, i), -1,
                         SQLITE_STATIC);
      step (writer, statement);
    }

  /* A counting sort by partition keeps the services of each in the order
   * they came. */
  positions = g_new0 (guint32, n_partitions + 2);
  services = g_new (guint32, n_services);
  for (guint service = 1; service < n_services; service++)
    positions[g_array_index (writer->first_partitions, guint32, service) + 1]++;
  for (guint i = 1; i <= n_partitions + 1; i++)
    positions[i] += positions[i - 1];
  for (guint service = 1; service < n_services; service++)
    services[positions[g_array_index (writer->first_partitions, guint32, service)]++] = service;

  statement = writer->statements[INSERT_SEARCH_ORDER];
  for (guint i = 0; i + 1 < n_services; i++)
    {
      sqlite3_bind_int64 (statement, 1, i + 1);
      sqlite3_bind_int64 (statement, 2, services[i]);
      step (writer, statement);
    }

  store_search_data (writer, services, MAX (n_services, 1) - 1);
  /* Not needed again: freed before the index is merged, when an import
   * holds the most memory. */
  g_clear_pointer (&writer->facets, g_array_unref);
  g_clear_pointer (&writer->schedules, g_hash_table_unref);
  g_clear_pointer (&writer->schedule_rows, g_array_unref);
  g_clear_pointer (&writer->term_sets, g_hash_table_unref);

  if (writer->database_error != NULL)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_DATABASE,
                   _("The directory database cannot be written: %s"), writer->database_error);
      return FALSE;
    }

  return TRUE;
}

/* The id of @code in @codes, numbered from 1 in the order codes come;
 * @list gets each new one, for the table of codes. */
static guint16
intern_code (GHashTable *codes,
             GPtrArray  *list,
             const char *code)
{
  gpointer value;

  if (g_hash_table_lookup_extended (codes, code, NULL, &value))
    return GPOINTER_TO_UINT (value);

  g_ptr_array_add (list, g_strdup (code));
  g_hash_table_insert (codes, g_strdup (code), GUINT_TO_POINTER (list->len));
  return list->len;
}

/* Appends the ids of @codes to @ids, at most G_MAXUINT8 of them, as the
 * facets count them; returns how many. */
static guint8
append_codes (GArray      *ids,
              GHashTable  *codes,
              GPtrArray   *list,
              char       **strings)
{
  guint8 n = 0;

  for (guint i = 0; strings[i] != NULL && n < G_MAXUINT8; i++, n++)
    {
      guint16 id = intern_code (codes, list, strings[i]);

      g_array_append_val (ids, id);
    }

  return n;
}

static guint32
intern_rule (const char *rule,
             guint32     start,
             gpointer    user_data)
{
  HavenDirectoryWriter *writer = user_data;
  g_autofree char *key = g_strdup_printf ("%u|%s", start, rule);
  gpointer value;
  guint32 id;
  sqlite3_stmt *statement;

  if (g_hash_table_lookup_extended (writer->schedule_rules, key, NULL, &value))
    return GPOINTER_TO_UINT (value);

  id = g_hash_table_size (writer->schedule_rules) + 1;
  g_hash_table_insert (writer->schedule_rules, g_steal_pointer (&key), GUINT_TO_POINTER (id));

  statement = writer->statements[INSERT_SCHEDULE_RULE];
  sqlite3_bind_int64 (statement, 1, id);
  sqlite3_bind_text (statement, 2, rule, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 3, start);
  step (writer, statement);

  return id;
}

/* The number of the schedule written as @text, its rows kept in
 * schedule_rows the first time; 0 for none, or when the text cannot be
 * read (the mapper wrote it: never). */
static guint32
intern_schedule (HavenDirectoryWriter *writer,
                 const char           *text)
{
  gpointer value;
  guint32 id, end;

  if (text == NULL || text[0] == '\0')
    return 0;
  if (g_hash_table_lookup_extended (writer->schedules, text, NULL, &value))
    return GPOINTER_TO_UINT (value);

  end = g_array_index (writer->schedule_starts, guint32, writer->schedule_starts->len - 1);
  if (!haven_schedule_text_to_rows (text, writer->schedule_rows, intern_rule, writer, NULL))
    {
      g_array_set_size (writer->schedule_rows, end);
      return 0;
    }

  id = writer->schedule_starts->len - 1;
  end = writer->schedule_rows->len;
  g_array_append_val (writer->schedule_starts, end);
  g_hash_table_insert (writer->schedules, g_strdup (text), GUINT_TO_POINTER (id));

  return id;
}

static int
compare_term_ids (gconstpointer a,
                  gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

/* The id of the set of @n terms in @terms (sorted here), numbered from 1;
 * 0 is the empty set. Services share a few hundred sets. */
static guint32
intern_term_set (HavenDirectoryWriter *writer,
                 guint32              *terms,
                 guint                 n)
{
  g_autoptr(GString) key = g_string_new (NULL);
  guint n_unique = 0;
  gpointer value;
  guint32 id;

  if (n == 0)
    return 0;

  qsort (terms, n, sizeof (guint32), compare_term_ids);
  for (guint i = 0; i < n; i++)
    {
      if (n_unique > 0 && terms[n_unique - 1] == terms[i])
        continue;
      terms[n_unique++] = terms[i];
      g_string_append_printf (key, "%u,", terms[i]);
    }

  if (g_hash_table_lookup_extended (writer->term_sets, key->str, NULL, &value))
    return GPOINTER_TO_UINT (value);

  id = writer->term_set_starts->len - 1;
  g_array_append_vals (writer->term_set_terms, terms, n_unique);
  g_array_append_val (writer->term_set_starts, writer->term_set_terms->len);
  g_hash_table_insert (writer->term_sets, g_string_free (g_steal_pointer (&key), FALSE),
                       GUINT_TO_POINTER (id));

  return id;
}

void
haven_directory_writer_store (HavenDirectoryWriter *writer,
                              Prepared             *prepared)
{
  g_autoptr(GArray) term_ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  Facets facets = { 0 };
  sqlite3_stmt *statement;
  gint64 organization = store_organization (writer, prepared->organization_key,
                                            prepared->organization_name);
  gint64 rowid = ++writer->n_services;

  statement = writer->statements[INSERT_SERVICE];
  sqlite3_bind_int64 (statement, 1, rowid);
  sqlite3_bind_text (statement, 2, prepared->id, -1, SQLITE_STATIC);
  if (organization > 0)
    sqlite3_bind_int64 (statement, 3, organization);
  else
    sqlite3_bind_null (statement, 3);
  sqlite3_bind_text (statement, 4, prepared->name, -1, SQLITE_STATIC);
  facets.flags = prepared->flags;
  facets.schedule = intern_schedule (writer, prepared->schedule);
  sqlite3_bind_int (statement, 5, prepared->flags);
  sqlite3_bind_int64 (statement, 6, facets.schedule);
  sqlite3_bind_text (statement, 7, prepared->details, -1, SQLITE_STATIC);
  step (writer, statement);

  for (guint i = 0; prepared->terms[i] != NULL && prepared->terms[i + 1] != NULL; i += 3)
    {
      const char *name = prepared->terms[i + 2][0] != '\0' ? prepared->terms[i + 2] : NULL;
      guint32 term = lookup_term (writer, prepared->terms[i], prepared->terms[i + 1], name);

      g_array_append_val (term_ids, term);
    }
  facets.term_set = intern_term_set (writer, (guint32 *) (void *) term_ids->data, term_ids->len);

  facets.regions = writer->region_ids->len;
  facets.n_regions = append_codes (writer->region_ids, writer->region_codes,
                                   writer->region_code_list, prepared->regions);
  facets.languages = writer->language_ids->len;
  facets.n_languages = append_codes (writer->language_ids, writer->language_codes,
                                     writer->language_code_list, prepared->languages);
  if (writer->facets->len <= rowid)
    g_array_set_size (writer->facets, rowid + 1);
  g_array_index (writer->facets, Facets, rowid) = facets;

  stage_fts_row (writer, rowid, prepared->regions, prepared->fts);
}

/* Stores a record now, or hands it to the writing thread, waiting when
 * that thread is this many records behind (which bounds the memory). */
#define MAX_PENDING_RECORDS 256

void
haven_directory_writer_deliver (HavenDirectoryWriter *writer,
                                Prepared             *prepared)
{
  if (writer->records == NULL)
    {
      haven_directory_writer_store (writer, prepared);
      haven_prepared_free (prepared);
      return;
    }

  g_async_queue_pop (writer->tokens);
  g_async_queue_push (writer->records, prepared);
}

typedef struct {
  HavenDirectoryWriter *writer;
  GThreadFunc produce;
  gpointer data;
} Producer;

static char end_of_records;

static gpointer
produce_thread (gpointer data)
{
  Producer *producer = data;

  producer->produce (producer->data);
  g_async_queue_push (producer->writer->records, &end_of_records);

  return NULL;
}

/* Runs @produce in a thread of its own, storing here what it delivers
 * (haven_directory_writer_deliver()) until it returns. */
void
haven_directory_writer_store_beside (HavenDirectoryWriter *writer,
                                     GThreadFunc           produce,
                                     gpointer              data)
{
  Producer producer = { writer, produce, data };
  GThread *thread;
  gpointer item;

  writer->records = g_async_queue_new ();
  writer->tokens = g_async_queue_new ();
  for (guint i = 0; i < MAX_PENDING_RECORDS; i++)
    g_async_queue_push (writer->tokens, GINT_TO_POINTER (1));

  thread = g_thread_new ("haven-import", produce_thread, &producer);
  while ((item = g_async_queue_pop (writer->records)) != &end_of_records)
    {
      haven_directory_writer_store (writer, item);
      haven_prepared_free (item);
      g_async_queue_push (writer->tokens, GINT_TO_POINTER (1));
    }
  g_thread_join (thread);

  g_clear_pointer (&writer->records, g_async_queue_unref);
  g_clear_pointer (&writer->tokens, g_async_queue_unref);
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
open_database (HavenDirectoryWriter  *writer,
               const char            *path,
               GError               **error)
{
  static const char pragmas[] =
    /* The file is new and renamed into place only when complete: no
     * journal is needed, and one sync at the end is enough. */
    "PRAGMA journal_mode = OFF;"
    "PRAGMA synchronous = OFF;"
    "PRAGMA locking_mode = EXCLUSIVE;"
    "PRAGMA cache_size = -65536;"
    "PRAGMA temp_store = FILE;";

  if (sqlite3_open_v2 (path, &writer->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
      != SQLITE_OK)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_DATABASE,
                   _("The directory database %s cannot be created: %s"), path,
                   sqlite3_errmsg (writer->db));
      return FALSE;
    }

  if (!exec_sql (writer->db, pragmas, error) ||
      !exec_sql (writer->db, schema_sql, error) ||
      !exec_sql (writer->db, "BEGIN", error))
    return FALSE;

  for (guint i = 0; i < N_STATEMENTS; i++)
    {
      if (sqlite3_prepare_v3 (writer->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                              &writer->statements[i], NULL) != SQLITE_OK)
        {
          g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_DATABASE,
                       _("The directory database cannot be written: %s"),
                       sqlite3_errmsg (writer->db));
          return FALSE;
        }
    }

  return TRUE;
}

/* Creates the schema in the new, empty file at @path and starts its one
 * transaction. */
HavenDirectoryWriter *
haven_directory_writer_new (const char  *path,
                            GTimer      *timer,
                            GError     **error)
{
  HavenDirectoryWriter *writer = g_new0 (HavenDirectoryWriter, 1);

  writer->organizations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  writer->terms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  writer->timer = timer;
  for (guint i = 0; i < G_N_ELEMENTS (writer->batches); i++)
    {
      writer->batches[i].text = g_string_sized_new (STAGING_SIZE + 64 * 1024);
      writer->batches[i].rows = g_array_new (FALSE, FALSE, sizeof (StagedRow));
    }
  writer->filling = &writer->batches[0];
  writer->draining = &writer->batches[1];
  writer->partitions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  writer->partition_codes = g_ptr_array_new_with_free_func (g_free);
  writer->first_partitions = g_array_new (FALSE, TRUE, sizeof (guint32));
  writer->facets = g_array_new (FALSE, TRUE, sizeof (Facets));
  writer->region_ids = g_array_new (FALSE, FALSE, sizeof (guint16));
  writer->language_ids = g_array_new (FALSE, FALSE, sizeof (guint16));
  writer->region_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  writer->region_code_list = g_ptr_array_new_with_free_func (g_free);
  writer->language_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  writer->language_code_list = g_ptr_array_new_with_free_func (g_free);
  writer->schedules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  writer->schedule_rules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  writer->schedule_starts = g_array_new (FALSE, TRUE, sizeof (guint32));
  writer->schedule_rows = g_array_new (FALSE, FALSE, sizeof (HavenScheduleStoredRow));
  /* Schedule 0, none. */
  g_array_set_size (writer->schedule_starts, 2);
  writer->term_sets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  writer->term_set_starts = g_array_new (FALSE, TRUE, sizeof (guint32));
  writer->term_set_terms = g_array_new (FALSE, FALSE, sizeof (guint32));
  /* Set 0, the empty set. */
  g_array_set_size (writer->term_set_starts, 2);

  if (!open_database (writer, path, error))
    {
      haven_directory_writer_free (writer);
      return NULL;
    }

  return writer;
}

void
haven_directory_writer_free (HavenDirectoryWriter *writer)
{
  for (guint i = 0; i < G_N_ELEMENTS (writer->batches); i++)
    {
      if (writer->batches[i].text != NULL)
        g_string_free (writer->batches[i].text, TRUE);
      g_clear_pointer (&writer->batches[i].rows, g_array_unref);
    }
  g_clear_pointer (&writer->partitions, g_hash_table_unref);
  g_clear_pointer (&writer->partition_codes, g_ptr_array_unref);
  g_clear_pointer (&writer->first_partitions, g_array_unref);
  g_clear_pointer (&writer->facets, g_array_unref);
  g_clear_pointer (&writer->region_ids, g_array_unref);
  g_clear_pointer (&writer->language_ids, g_array_unref);
  g_clear_pointer (&writer->region_codes, g_hash_table_unref);
  g_clear_pointer (&writer->region_code_list, g_ptr_array_unref);
  g_clear_pointer (&writer->language_codes, g_hash_table_unref);
  g_clear_pointer (&writer->language_code_list, g_ptr_array_unref);
  g_clear_pointer (&writer->schedules, g_hash_table_unref);
  g_clear_pointer (&writer->schedule_rules, g_hash_table_unref);
  g_clear_pointer (&writer->schedule_starts, g_array_unref);
  g_clear_pointer (&writer->schedule_rows, g_array_unref);
  g_clear_pointer (&writer->term_sets, g_hash_table_unref);
  g_clear_pointer (&writer->term_set_starts, g_array_unref);
  g_clear_pointer (&writer->term_set_terms, g_array_unref);
  for (guint i = 0; i < N_STATEMENTS; i++)
    g_clear_pointer (&writer->statements[i], sqlite3_finalize);
  g_clear_pointer (&writer->db, sqlite3_close);
  g_clear_pointer (&writer->organizations, g_hash_table_unref);
  g_clear_pointer (&writer->terms, g_hash_table_unref);
  g_clear_pointer (&writer->database_error, g_free);
  g_free (writer);
}

/* Indexes what is left, builds the indexes and the lists of words, and
 * commits. */
gboolean
haven_directory_writer_finish (HavenDirectoryWriter  *writer,
                               const char            *source,
                               const char            *format,
                               GError               **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *imported_at = g_date_time_format_iso8601 (now);
  g_autofree char *version = g_strdup_printf ("%d", HAVEN_DIRECTORY_SCHEMA_VERSION);
  g_autofree char *pragma = g_strdup_printf ("PRAGMA user_version = %d",
                                             HAVEN_DIRECTORY_SCHEMA_VERSION);

  g_debug ("Records stored after %.2f s", g_timer_elapsed (writer->timer, NULL));
  if (!finish_fts (writer, error))
    return FALSE;
  g_debug ("Full-text rows indexed after %.2f s", g_timer_elapsed (writer->timer, NULL));

  for (guint i = 0; i < N_STATEMENTS; i++)
    g_clear_pointer (&writer->statements[i], sqlite3_finalize);

  if (!exec_sql (writer->db, index_sql, error))
    return FALSE;
  g_debug ("Indexes built after %.2f s", g_timer_elapsed (writer->timer, NULL));
  /* Merge the index segments written along the way into one, which is what
   * every search reads. */
  if (!exec_sql (writer->db, "INSERT INTO services_fts (services_fts) VALUES ('optimize')", error))
    return FALSE;
  g_debug ("Full-text index merged after %.2f s", g_timer_elapsed (writer->timer, NULL));
  if (!exec_sql (writer->db, words_sql, error))
    return FALSE;
  g_debug ("Words listed after %.2f s", g_timer_elapsed (writer->timer, NULL));

  return set_meta (writer->db, "schema_version", version, error) &&
         set_meta (writer->db, "imported_at", imported_at, error) &&
         set_meta (writer->db, "source", source, error) &&
         set_meta (writer->db, "format", format, error) &&
         exec_sql (writer->db, pragma, error) &&
         exec_sql (writer->db, "COMMIT", error);
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

/* Makes the new database at @temporary the one at @target. The rename is
 * the commit point, which is why the new file is written without a
 * journal and synced once here. */
gboolean
haven_directory_writer_replace (const char  *temporary,
                                const char  *target,
                                const char  *folder,
                                GError     **error)
{
  if (!sync_path (temporary, FALSE, error))
    return FALSE;

  if (g_rename (temporary, target) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_IO,
                   _("The directory database %s cannot be replaced: %s"), target,
                   g_strerror (saved_errno));
      return FALSE;
    }

  /* The rename itself is only durable once the folder is synced. */
  return sync_path (folder, TRUE, error);
}

/* The first insert that failed (a full disk, say), or NULL. */
const char *
haven_directory_writer_get_failure (HavenDirectoryWriter *writer)
{
  return writer->database_error;
}

guint
haven_directory_writer_get_n_services (HavenDirectoryWriter *writer)
{
  return writer->n_services;
}

guint
haven_directory_writer_get_n_organizations (HavenDirectoryWriter *writer)
{
  return writer->n_organizations;
}
