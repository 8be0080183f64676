/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-data-package"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "haven-csv-reader.h"
#include "haven-data-package.h"
#include "haven-record-mapper.h"

/* A package's rows, joined by the ids that link them into the
 * dereferenced service records the JSON inputs hold. Each record is built
 * afresh in the arena, so the code that checks and stores a record is the
 * same for every kind of input.
 *
 * A package is as large as the JSON directory it stands for, a few
 * hundred MB for 100,000 services, and its files are read a row at a time
 * (haven-csv-reader.c) so that none is ever held whole. The join needs
 * every row but the services' at hand, found by an id: they wait on disk,
 * in an SQLite file beside the database being written and deleted with
 * it, keyed by the id each is found by. So the memory an import takes is
 * SQLite's page cache, a row being read and a record being built,
 * whatever the size of the files. The services are read a second time,
 * in order, and each is built with the rows that name it. */

#define MB (1024 * 1024)

/* The memory a record built from a service and its rows may take: this
 * stops a service that thousands of rows name before it fills the memory,
 * as the size of a record does for JSON (haven-json-scanner.c). */
#define MAX_RECORD_MEMORY (32 * MB)
/* datapackage.json names the package's files, and says little else. */
#define MAX_MANIFEST_SIZE (1 * MB)
/* SQLite's page cache for the join, in KiB. */
#define STORE_CACHE_KIB 8192

typedef enum {
  TABLE_SERVICES,
  TABLE_ORGANIZATIONS,
  TABLE_LOCATIONS,
  TABLE_PHONES,
  TABLE_SCHEDULES,
  TABLE_SERVICE_AREAS,
  TABLE_LANGUAGES,
  TABLE_ATTRIBUTES,
  TABLE_TAXONOMY_TERMS,
  TABLE_TAXONOMIES,
  TABLE_SERVICE_AT_LOCATIONS,
  TABLE_ADDRESSES,
  TABLE_COST_OPTIONS,
  N_TABLES,
} Table;

/* What a row is found by: its own id, or the id of the service, the
 * location or the service at a location it belongs to. */
typedef enum {
  BY_ID,
  BY_SERVICE,
  BY_LOCATION,
  BY_LINK,
} Key;

typedef struct {
  Key key;
  const char *column;
  /* Whether the row is kept under this column's value, and whether the
   * service or location it names must be in the package. */
  gboolean stored;
  gboolean checked;
} Link;

/* In the order they are read: services and locations first, so that the
 * rows naming one can be checked as they are read. */
static const struct {
  const char *name;
  Link links[3];
} tables[N_TABLES] = {
  [TABLE_SERVICES] = { "services", { { BY_ID, "id", TRUE, FALSE } } },
  [TABLE_ORGANIZATIONS] = { "organizations", { { BY_ID, "id", TRUE, FALSE } } },
  [TABLE_LOCATIONS] = { "locations", { { BY_ID, "id", TRUE, FALSE } } },
  [TABLE_PHONES] = { "phones", { { BY_SERVICE, "service_id", TRUE, TRUE } } },
  [TABLE_SCHEDULES] = { "schedules", { { BY_SERVICE, "service_id", TRUE, TRUE },
                                       { BY_LOCATION, "location_id", TRUE, FALSE },
                                       { BY_LINK, "service_at_location_id", TRUE, FALSE } } },
  [TABLE_SERVICE_AREAS] = { "service_areas", { { BY_SERVICE, "service_id", TRUE, TRUE } } },
  [TABLE_LANGUAGES] = { "languages", { { BY_SERVICE, "service_id", TRUE, TRUE },
                                       { BY_LOCATION, "location_id", TRUE, FALSE } } },
  [TABLE_ATTRIBUTES] = { "attributes", { { BY_SERVICE, "link_id", TRUE, FALSE } } },
  [TABLE_TAXONOMY_TERMS] = { "taxonomy_terms", { { BY_ID, "id", TRUE, FALSE } } },
  [TABLE_TAXONOMIES] = { "taxonomies", { { BY_ID, "id", TRUE, FALSE } } },
  [TABLE_SERVICE_AT_LOCATIONS] = { "service_at_locations",
                                   { { BY_SERVICE, "service_id", TRUE, TRUE },
                                     { BY_LOCATION, "location_id", FALSE, TRUE } } },
  [TABLE_ADDRESSES] = { "addresses", { { BY_LOCATION, "location_id", TRUE, FALSE } } },
  [TABLE_COST_OPTIONS] = { "cost_options", { { BY_SERVICE, "service_id", TRUE, TRUE } } },
};

/* Each row under each value it is found by. The rows of a service are
 * next to each other in the primary key, so finding them is one seek.
 * The services themselves are kept by id only, with no fields: they are
 * read again from their file. */
static const char store_sql[] =
  "PRAGMA journal_mode = OFF;"
  "PRAGMA synchronous = OFF;"
  "PRAGMA locking_mode = EXCLUSIVE;"
  "PRAGMA temp_store = FILE;"
  "CREATE TABLE rows ("
  "  key INTEGER NOT NULL,"
  "  value TEXT NOT NULL,"
  "  tbl INTEGER NOT NULL,"
  "  line INTEGER NOT NULL,"
  "  fields BLOB,"
  "  PRIMARY KEY (key, value, tbl, line)"
  ") WITHOUT ROWID;"
  "BEGIN;";

/* A row of the package copied into the arena: its fields, each ending in
 * a NUL, in the order of its file's header. */
typedef struct _Row Row;

struct _Row
{
  Row *next;
  guint line;
  guint n_fields;
  const char **fields;
};

typedef struct {
  Import *import;
  sqlite3 *db;
  sqlite3_stmt *insert;
  sqlite3_stmt *find;
  char *failure;

  char *labels[N_TABLES];
  GStrv headers[N_TABLES];

  /* Whether a file could not be read to its end: the services are then
   * not built, since what they would be missing is not known. */
  gboolean unreadable;

  /* What the record being built takes so far. */
  gsize record_memory;
  gboolean too_large;
} Package;

static void
package_clear (Package *package)
{
  g_clear_pointer (&package->insert, sqlite3_finalize);
  g_clear_pointer (&package->find, sqlite3_finalize);
  g_clear_pointer (&package->db, sqlite3_close);
  g_free (package->failure);
  for (guint i = 0; i < N_TABLES; i++)
    {
      g_free (package->labels[i]);
      g_strfreev (package->headers[i]);
    }
}

/* The first failure of the store (a full disk, say) ends the import. */
static void
package_fail (Package *package)
{
  if (package->failure == NULL)
    package->failure = g_strdup (sqlite3_errmsg (package->db));
}

static gboolean
store_open (Package     *package,
            const char  *path,
            GError     **error)
{
  g_autofree char *cache = g_strdup_printf ("PRAGMA cache_size = -%d;", STORE_CACHE_KIB);

  /* A file left by an import that was killed. */
  g_unlink (path);

  if (sqlite3_open_v2 (path, &package->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
      != SQLITE_OK ||
      sqlite3_exec (package->db, cache, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec (package->db, store_sql, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (package->db,
                          "INSERT INTO rows (key, value, tbl, line, fields) "
                          "VALUES (?1, ?2, ?3, ?4, ?5)",
                          -1, &package->insert, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (package->db,
                          "SELECT line, fields FROM rows "
                          "WHERE key = ?1 AND value = ?2 AND tbl = ?3 ORDER BY line",
                          -1, &package->find, NULL) != SQLITE_OK)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_IO,
                   _("The tables of the data package cannot be joined in %s: %s"), path,
                   package->db != NULL ? sqlite3_errmsg (package->db) : g_strerror (ENOMEM));
      return FALSE;
    }

  return TRUE;
}

static void
store_row (Package    *package,
           Key         key,
           const char *value,
           Table       table,
           guint       line,
           const char *fields,
           gsize       length)
{
  sqlite3_stmt *insert = package->insert;

  sqlite3_bind_int (insert, 1, key);
  sqlite3_bind_text (insert, 2, value, -1, SQLITE_STATIC);
  sqlite3_bind_int (insert, 3, table);
  sqlite3_bind_int (insert, 4, line);
  if (fields != NULL)
    sqlite3_bind_blob (insert, 5, fields, length, SQLITE_STATIC);
  else
    sqlite3_bind_null (insert, 5);

  if (sqlite3_step (insert) != SQLITE_DONE)
    package_fail (package);
  sqlite3_reset (insert);
}

/* Counts what a row takes once built into an object: its text, an array
 * of its fields, and a value and a member for each. */
static void
count_memory (Package *package,
              gsize    length,
              guint    n_fields)
{
  package->record_memory += sizeof (Row) + sizeof (JValue) + length +
                            n_fields * (sizeof (char *) + sizeof (JValue) + sizeof (JMember));
  if (package->record_memory > MAX_RECORD_MEMORY)
    package->too_large = TRUE;
}

static Row *
row_new (Package    *package,
         guint       line,
         const char *fields,
         gsize       length)
{
  Arena *arena = &package->import->arena;
  Row *row = haven_arena_alloc (arena, sizeof (Row));
  char *text = haven_arena_alloc (arena, MAX (length, 1));
  guint n = 0;

  memcpy (text, fields, length);
  for (gsize i = 0; i < length; i++)
    n += text[i] == '\0';

  row->next = NULL;
  row->line = line;
  row->n_fields = n;
  row->fields = haven_arena_alloc (arena, sizeof (char *) * MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      row->fields[i] = text;
      text += strlen (text) + 1;
    }

  count_memory (package, length, n);
  return row;
}

/* The rows of @table found by @key @value, in the order of their file, or
 * only the first. */
static Row *
find_rows (Package    *package,
           Table       table,
           Key         key,
           const char *value,
           gboolean    first_only)
{
  sqlite3_stmt *find = package->find;
  Row *rows = NULL;
  Row **tail = &rows;
  int result;

  if (value == NULL || package->too_large)
    return NULL;

  sqlite3_bind_int (find, 1, key);
  sqlite3_bind_text (find, 2, value, -1, SQLITE_STATIC);
  sqlite3_bind_int (find, 3, table);
  while ((result = sqlite3_step (find)) == SQLITE_ROW)
    {
      *tail = row_new (package, sqlite3_column_int (find, 0), sqlite3_column_blob (find, 1),
                       sqlite3_column_bytes (find, 1));
      tail = &(*tail)->next;
      if (first_only || package->too_large)
        break;
    }
  if (result != SQLITE_ROW && result != SQLITE_DONE)
    package_fail (package);
  sqlite3_reset (find);

  return rows;
}

static gboolean
row_exists (Package    *package,
            Table       table,
            const char *value)
{
  sqlite3_stmt *find = package->find;
  int result;

  sqlite3_bind_int (find, 1, BY_ID);
  sqlite3_bind_text (find, 2, value, -1, SQLITE_STATIC);
  sqlite3_bind_int (find, 3, table);
  result = sqlite3_step (find);
  if (result != SQLITE_ROW && result != SQLITE_DONE)
    package_fail (package);
  sqlite3_reset (find);

  return result == SQLITE_ROW;
}

static int
column_index (Package    *package,
              Table       table,
              const char *name)
{
  GStrv header = package->headers[table];

  for (guint i = 0; header != NULL && header[i] != NULL; i++)
    {
      if (g_str_equal (header[i], name))
        return i;
    }

  return -1;
}

static const char *
row_value (Package    *package,
           Table       table,
           const Row  *row,
           const char *column_name)
{
  int column = column_index (package, table, column_name);

  if (column < 0 || (guint) column >= row->n_fields || row->fields[column][0] == '\0')
    return NULL;

  return row->fields[column];
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
row_object (Package   *package,
            Table      table,
            const Row *row,
            guint      n_extra,
            gboolean   with_origin)
{
  Import *import = package->import;
  GStrv header = package->headers[table];
  JValue *object = haven_jv_new (&import->arena, JV_OBJECT);
  guint n_columns = g_strv_length (header);

  object->members = haven_arena_alloc (&import->arena,
                                       sizeof (JMember) * (n_columns + 1 + n_extra));

  for (guint i = 0; header[i] != NULL && i < row->n_fields; i++)
    {
      const char *name = header[i];
      const char *value = row->fields[i];

      if (value[0] == '\0' || name[0] == '\0')
        continue;

      if (g_str_equal (name, "x_translations"))
        {
          const char *error = NULL;
          guint line = 0;
          JValue *translations = haven_json_parse (&import->arena, import->stack,
                                                   import->json_scratch, value, strlen (value),
                                                   &error, &line);

          /* A part that cannot be used: the record mapper says so and
           * leaves the translations out (haven-record-mapper.c). */
          if (translations == NULL)
            object_add (object, "x_haven_translations_error",
                        haven_jv_new_string (&import->arena, error));
          object_add (object, name, translations);
          continue;
        }

      object_add (object, name, haven_jv_new_string (&import->arena, value));
    }

  if (with_origin)
    {
      g_autofree char *origin = g_strdup_printf ("%s:%u", package->labels[table], row->line);

      object_add (object, "x_haven_origin", haven_jv_new_string (&import->arena, origin));
    }

  return object;
}

typedef JValue *(*BuildFunc) (Package *package, const Row *row);

/* The rows of @table found by @key @value, each built by @build, as an
 * array; NULL when there are none. */
static JValue *
related (Package    *package,
         Table       table,
         Key         key,
         const char *value,
         BuildFunc   build)
{
  Row *rows = find_rows (package, table, key, value, FALSE);
  JValue *array;
  guint n = 0;

  if (rows == NULL)
    return NULL;

  for (Row *row = rows; row != NULL; row = row->next)
    n++;

  array = haven_jv_new (&package->import->arena, JV_ARRAY);
  array->elements = haven_arena_alloc (&package->import->arena, sizeof (JValue *) * n);
  for (Row *row = rows; row != NULL && !package->too_large; row = row->next)
    {
      JValue *element = build (package, row);

      if (element != NULL)
        array->elements[array->length++] = element;
    }

  return array;
}

#define DEFINE_PLAIN_BUILD(function, table) \
  static JValue * \
  function (Package   *package, \
            const Row *row) \
  { \
    return row_object (package, table, row, 0, TRUE); \
  }

DEFINE_PLAIN_BUILD (build_phone, TABLE_PHONES)
DEFINE_PLAIN_BUILD (build_schedule, TABLE_SCHEDULES)
DEFINE_PLAIN_BUILD (build_area, TABLE_SERVICE_AREAS)
DEFINE_PLAIN_BUILD (build_language, TABLE_LANGUAGES)
DEFINE_PLAIN_BUILD (build_address, TABLE_ADDRESSES)
DEFINE_PLAIN_BUILD (build_cost, TABLE_COST_OPTIONS)

static JValue *
build_location (Package   *package,
                const Row *row)
{
  JValue *location = row_object (package, TABLE_LOCATIONS, row, 3, TRUE);
  const char *id = row_value (package, TABLE_LOCATIONS, row, "id");

  object_add (location, "addresses", related (package, TABLE_ADDRESSES, BY_LOCATION, id,
                                              build_address));
  object_add (location, "schedules", related (package, TABLE_SCHEDULES, BY_LOCATION, id,
                                              build_schedule));
  object_add (location, "languages", related (package, TABLE_LANGUAGES, BY_LOCATION, id,
                                              build_language));
  return location;
}

static JValue *
build_link (Package   *package,
            const Row *row)
{
  JValue *link = row_object (package, TABLE_SERVICE_AT_LOCATIONS, row, 2, TRUE);
  const char *id = row_value (package, TABLE_SERVICE_AT_LOCATIONS, row, "id");
  const Row *location = find_rows (package, TABLE_LOCATIONS, BY_ID,
                                   row_value (package, TABLE_SERVICE_AT_LOCATIONS, row,
                                              "location_id"),
                                   TRUE);

  if (location != NULL)
    object_add (link, "location", build_location (package, location));
  object_add (link, "schedules", related (package, TABLE_SCHEDULES, BY_LINK, id,
                                          build_schedule));
  return link;
}

static JValue *
build_term (Package   *package,
            const Row *row)
{
  JValue *term = row_object (package, TABLE_TAXONOMY_TERMS, row, 1, TRUE);
  const Row *taxonomy = find_rows (package, TABLE_TAXONOMIES, BY_ID,
                                   row_value (package, TABLE_TAXONOMY_TERMS, row, "taxonomy_id"),
                                   TRUE);

  if (taxonomy != NULL && haven_jv_get (term, "taxonomy") == NULL)
    object_add (term, "taxonomy_detail", row_object (package, TABLE_TAXONOMIES, taxonomy, 0,
                                                     FALSE));
  return term;
}

static JValue *
build_attribute (Package   *package,
                 const Row *row)
{
  JValue *attribute = row_object (package, TABLE_ATTRIBUTES, row, 1, TRUE);
  const char *term_id = row_value (package, TABLE_ATTRIBUTES, row, "taxonomy_term_id");
  const Row *term = find_rows (package, TABLE_TAXONOMY_TERMS, BY_ID, term_id, TRUE);

  if (term != NULL)
    object_add (attribute, "taxonomy_term", build_term (package, term));
  else if (term_id != NULL && !package->too_large)
    haven_import_file_problem (package->import, package->labels[TABLE_ATTRIBUTES], row->line,
                               _("taxonomy_term_id “%s” is not in taxonomy_terms.csv"), term_id);

  return attribute;
}

/* The service of @row with everything linked to it, as one record. */
static JValue *
build_service (Package    *package,
               const Row  *row,
               const char *id,
               const char *organization_id)
{
  const Row *organization;
  JValue *service;

  /* The record's own line, not a part's: no x_haven_origin. */
  service = row_object (package, TABLE_SERVICES, row, 8, FALSE);

  organization = find_rows (package, TABLE_ORGANIZATIONS, BY_ID, organization_id, TRUE);
  if (organization != NULL)
    object_add (service, "organization",
                row_object (package, TABLE_ORGANIZATIONS, organization, 0, TRUE));
  else if (organization_id != NULL && !package->too_large)
    haven_import_file_problem (package->import, package->labels[TABLE_SERVICES], row->line,
                               _("organization_id “%s” is not in organizations.csv"),
                               organization_id);

  object_add (service, "phones", related (package, TABLE_PHONES, BY_SERVICE, id, build_phone));
  object_add (service, "schedules", related (package, TABLE_SCHEDULES, BY_SERVICE, id,
                                             build_schedule));
  object_add (service, "service_areas", related (package, TABLE_SERVICE_AREAS, BY_SERVICE, id,
                                                 build_area));
  object_add (service, "languages", related (package, TABLE_LANGUAGES, BY_SERVICE, id,
                                             build_language));
  object_add (service, "cost_options", related (package, TABLE_COST_OPTIONS, BY_SERVICE, id,
                                                build_cost));
  object_add (service, "attributes", related (package, TABLE_ATTRIBUTES, BY_SERVICE, id,
                                              build_attribute));
  object_add (service, "service_at_locations", related (package, TABLE_SERVICE_AT_LOCATIONS,
                                                        BY_SERVICE, id, build_link));
  return service;
}

static gboolean
stop_reading (Import *import)
{
  return g_cancellable_is_cancelled (import->cancellable) ||
         haven_import_too_many_problems (import);
}

static void
report_problem (Package   *package,
                CsvReader *reader)
{
  guint line;
  const char *problem = haven_csv_reader_get_problem (reader, &line);

  if (problem != NULL)
    {
      haven_import_file_problem (package->import, haven_csv_reader_get_label (reader), line,
                                 "%s", problem);
      package->unreadable = TRUE;
    }
}

/* Reads the rows of @table into the store, under each value they are
 * found by, and checks the services and locations they name. */
static gboolean
load_table (Package     *package,
            Table        table,
            const char  *path,
            const char  *label,
            GError     **error)
{
  Import *import = package->import;
  g_autoptr(CsvReader) reader = NULL;
  g_autoptr(GError) read_error = NULL;
  const Link *links = tables[table].links;
  int columns[G_N_ELEMENTS (tables[0].links)];
  /* The last value checked in each column: a file lists the rows of one
   * service together, more often than not. */
  GString *checked[G_N_ELEMENTS (tables[0].links)];
  int entity_column;

  reader = haven_csv_reader_open (path, label, import->cancellable, error);
  if (reader == NULL)
    return FALSE;

  package->labels[table] = g_strdup (label);
  package->headers[table] = g_strdupv ((GStrv) haven_csv_reader_get_header (reader));
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      columns[i] = links[i].column != NULL ? haven_csv_reader_column (reader, links[i].column)
                                           : -1;
      checked[i] = g_string_new (NULL);
    }
  entity_column = table == TABLE_ATTRIBUTES ? haven_csv_reader_column (reader, "link_entity") : -1;

  while (!stop_reading (import) && package->failure == NULL &&
         haven_csv_reader_next (reader, &read_error))
    {
      guint line = haven_csv_reader_get_line (reader);
      const char *entity = haven_csv_reader_get_value (reader, entity_column);
      const char *fields = NULL;
      gsize length = 0;

      /* Attributes of organizations, locations and the rest say nothing
       * about what a service helps with. */
      if (entity != NULL && g_ascii_strcasecmp (entity, "service") != 0)
        continue;

      if (table != TABLE_SERVICES)
        fields = haven_csv_reader_get_fields (reader, &length);

      for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
        {
          const char *value = haven_csv_reader_get_value (reader, columns[i]);

          if (value == NULL)
            continue;

          if (links[i].checked && !g_str_equal (value, checked[i]->str))
            {
              if (row_exists (package,
                              links[i].key == BY_SERVICE ? TABLE_SERVICES : TABLE_LOCATIONS,
                              value))
                g_string_assign (checked[i], value);
              else
                haven_import_file_problem (import, label, line,
                                           _("%s “%s” is not in the package"),
                                           links[i].column, value);
            }
          if (links[i].stored)
            store_row (package, links[i].key, value, table, line, fields, length);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (checked); i++)
    g_string_free (checked[i], TRUE);

  if (read_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&read_error));
      return FALSE;
    }

  report_problem (package, reader);
  return TRUE;
}

/* The files the package names in datapackage.json, by table name. */
static gboolean
read_resources (Import     *import,
                JValue     *root,
                GHashTable *paths)
{
  JValue *resources = haven_jv_get (root, "resources");

  if (resources == NULL || resources->type != JV_ARRAY)
    {
      haven_import_file_problem (import, "datapackage.json", 0,
                                 _("“resources” is missing or not a list"));
      return FALSE;
    }

  for (guint i = 0; i < resources->length; i++)
    {
      JValue *name = haven_jv_get (resources->elements[i], "name");
      JValue *path = haven_jv_get (resources->elements[i], "path");

      if (name == NULL || path == NULL || name->type != JV_STRING || path->type != JV_STRING)
        continue;

      /* A package names files inside itself, never elsewhere. */
      if (g_path_is_absolute (path->text) || strstr (path->text, "..") != NULL)
        {
          haven_import_file_problem (import, "datapackage.json", 0,
                                     _("resource “%s” has a path outside the package: %s"),
                                     name->text, path->text);
          continue;
        }
      g_hash_table_insert (paths, g_strdup (name->text), g_strdup (path->text));
    }

  return TRUE;
}

/* Where @table is: the file datapackage.json names, or else TABLE.csv;
 * NULL when there is no such file. */
static char *
table_path (const char  *folder,
            GHashTable  *paths,
            Table        table,
            char       **label)
{
  const char *name = tables[table].name;
  const char *relative = g_hash_table_lookup (paths, name);
  g_autofree char *fallback = g_strconcat (name, ".csv", NULL);
  g_autofree char *path = NULL;

  if (relative == NULL)
    relative = fallback;
  path = g_build_filename (folder, relative, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return NULL;

  *label = g_strdup (relative);
  return g_steal_pointer (&path);
}

/* Reads services.csv again, and hands each service, built into a record
 * with its rows, to haven_import_record(). */
static gboolean
import_services (Package     *package,
                 const char  *path,
                 GError     **error)
{
  Import *import = package->import;
  const char *label = package->labels[TABLE_SERVICES];
  g_autoptr(CsvReader) reader = NULL;
  g_autoptr(GError) read_error = NULL;
  int id_column, organization_column;
  guint index = 0;

  reader = haven_csv_reader_open (path, label, import->cancellable, error);
  if (reader == NULL)
    return FALSE;

  id_column = haven_csv_reader_column (reader, "id");
  organization_column = haven_csv_reader_column (reader, "organization_id");

  while (!stop_reading (import) && package->failure == NULL &&
         haven_csv_reader_next (reader, &read_error))
    {
      guint line = haven_csv_reader_get_line (reader);
      Origin origin = { label, line, ++index };
      const char *id = haven_csv_reader_get_value (reader, id_column);
      const char *organization_id = haven_csv_reader_get_value (reader, organization_column);
      const char *fields;
      gsize length;
      JValue *service;
      Row *row;

      haven_arena_reset (&import->arena);
      package->record_memory = 0;
      package->too_large = FALSE;

      fields = haven_csv_reader_get_fields (reader, &length);
      row = row_new (package, line, fields, length);
      service = build_service (package, row, id, organization_id);

      if (package->too_large)
        haven_import_file_problem (import, label, line,
                                   _("service “%s” and the rows linked to it take more than "
                                     "%d MB"),
                                   id != NULL ? id : "", MAX_RECORD_MEMORY / MB);
      else
        haven_import_record (import, service, &origin);
    }

  if (read_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&read_error));
      return FALSE;
    }

  return TRUE;
}

static char *
read_manifest (Import      *import,
               const char  *package_path,
               gsize       *length,
               GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (package_path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree char *contents = g_malloc (MAX_MANIFEST_SIZE + 1);

  stream = g_file_read (file, import->cancellable, error);
  if (stream == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (stream), contents, MAX_MANIFEST_SIZE + 1, length,
                                import->cancellable, error))
    return NULL;

  if (*length > MAX_MANIFEST_SIZE)
    {
      haven_import_file_problem (import, "datapackage.json", 0,
                                 _("the file is larger than %d MB"), MAX_MANIFEST_SIZE / MB);
      return g_strdup ("");
    }

  return g_steal_pointer (&contents);
}

/* Reads the tabular data package at @package_path (its datapackage.json),
 * handing each service, built into a record, to haven_import_record().
 * The rows wait in @store_path while the services are built, and the
 * file is deleted before this returns. */
gboolean
haven_data_package_import (Import      *import,
                           const char  *package_path,
                           const char  *store_path,
                           GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (package_path);
  g_autofree char *contents = NULL;
  g_autofree char *services_path = NULL;
  g_autoptr(GHashTable) paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Package package = { .import = import };
  JValue *root;
  const char *parse_error = NULL;
  guint parse_line = 0;
  gsize length = 0;
  gboolean ok = TRUE;

  import->format = "datapackage";

  contents = read_manifest (import, package_path, &length, error);
  if (contents == NULL)
    return FALSE;
  if (haven_import_n_problems (import) > 0)
    return TRUE;

  haven_arena_reset (&import->arena);
  root = haven_json_parse (&import->arena, import->stack, import->json_scratch, contents,
                           length, &parse_error, &parse_line);
  if (root == NULL)
    {
      haven_import_file_problem (import, "datapackage.json", parse_line, _("not valid JSON: %s"),
                                 parse_error);
      return TRUE;
    }

  if (!read_resources (import, root, paths))
    return TRUE;

  if (!store_open (&package, store_path, error))
    ok = FALSE;

  for (guint i = 0; ok && i < N_TABLES && !stop_reading (import); i++)
    {
      g_autofree char *label = NULL;
      g_autofree char *path = table_path (folder, paths, i, &label);

      if (path == NULL)
        {
          if (i == TABLE_SERVICES)
            {
              haven_import_file_problem (import, "datapackage.json", 0,
                                         _("the package has no services table (services.csv)"));
              break;
            }
          continue;
        }

      ok = load_table (&package, i, path, label, error);
      if (!ok || i != TABLE_SERVICES || package.unreadable)
        continue;

      /* Without them, every row naming a service would be a problem too. */
      if (column_index (&package, TABLE_SERVICES, "id") < 0 ||
          column_index (&package, TABLE_SERVICES, "name") < 0)
        {
          haven_import_file_problem (import, label, 1,
                                     _("the header must have the columns id and name"));
          break;
        }
      services_path = g_steal_pointer (&path);
    }

  if (ok && package.failure == NULL && services_path != NULL && !package.unreadable &&
      !stop_reading (import))
    ok = import_services (&package, services_path, error);

  if (ok && package.failure != NULL)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_IO,
                   _("The tables of the data package cannot be joined in %s: %s"), store_path,
                   package.failure);
      ok = FALSE;
    }

  package_clear (&package);
  g_unlink (store_path);
  return ok;
}
