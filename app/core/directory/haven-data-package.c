/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-data-package"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-csv-reader.h"
#include "haven-data-package.h"
#include "haven-record-mapper.h"

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

  if (table == NULL || (column = haven_csv_column (table, column_name)) < 0)
    return index;

  for (guint i = 0; i < table->rows->len; i++)
    {
      const char *value = haven_csv_value (table, &g_array_index (table->rows, CsvRow, i), column);
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
  JValue *object = haven_jv_new (&import->arena, JV_OBJECT);
  guint n_columns = g_strv_length (table->header);

  object->members = haven_arena_alloc (&import->arena,
                                       sizeof (JMember) * (n_columns + 1 + n_extra));

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
          JValue *translations = haven_json_parse (&import->arena, import->stack,
                                                   import->json_scratch, value, strlen (value),
                                                   &error, &line);

          if (translations == NULL)
            haven_import_file_problem (import, table->label, row->line,
                                       _("x_translations is not valid JSON: %s"), error);
          object_add (object, name, translations);
          continue;
        }

      object_add (object, name, haven_jv_new_string (&import->arena, value));
    }

  if (with_origin)
    {
      g_autofree char *origin = g_strdup_printf ("%s:%u", table->label, row->line);

      object_add (object, "x_haven_origin", haven_jv_new_string (&import->arena, origin));
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

  array = haven_jv_new (&package->import->arena, JV_ARRAY);
  array->elements = haven_arena_alloc (&package->import->arena,
                                       sizeof (JValue *) * positions->len);
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

  return haven_csv_value (table, row, haven_csv_column (table, column_name));
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

  if (taxonomy != NULL && haven_jv_get (term, "taxonomy") == NULL)
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

      haven_import_file_problem (package->import, table->label, row->line,
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

  if (table == NULL || (column = haven_csv_column (table, column_name)) < 0)
    return;

  for (guint i = 0; i < table->rows->len; i++)
    {
      const CsvRow *row = &g_array_index (table->rows, CsvRow, i);
      const char *id = haven_csv_value (table, row, column);

      if (id != NULL && !g_hash_table_contains (known, id))
        haven_import_file_problem (import, table->label, row->line,
                                   _("%s “%s” is not in the package"), column_name, id);
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
  int column = table != NULL ? haven_csv_column (table, "id") : -1;

  for (guint i = 0; column >= 0 && i < table->rows->len; i++)
    {
      const char *id = haven_csv_value (table, &g_array_index (table->rows, CsvRow, i), column);

      if (id != NULL)
        g_hash_table_add (ids, (gpointer) id);
    }

  return ids;
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

/* Reads the tables Haven uses, each from the file datapackage.json names
 * or else from TABLE.csv. */
static gboolean
load_tables (Import      *import,
             const char  *folder,
             GHashTable  *paths,
             GHashTable  *tables,
             GError     **error)
{
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
            haven_import_file_problem (import, "datapackage.json", 0,
                                       _("the package has no services table (services.csv)"));
          continue;
        }

      table = haven_csv_table_load (path, relative, error);
      if (table == NULL)
        return FALSE;
      if (table->problem != NULL)
        haven_import_file_problem (import, table->label, table->problem_line, "%s",
                                   table->problem);
      g_hash_table_insert (tables, (gpointer) name, table);
    }

  return TRUE;
}

static void
check_all_references (Import     *import,
                      GHashTable *tables,
                      CsvTable   *services)
{
  g_autoptr(GHashTable) service_ids = id_set (services);
  g_autoptr(GHashTable) location_ids = id_set (g_hash_table_lookup (tables, "locations"));

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
}

/* The service of @row with everything linked to it, as one record. */
static JValue *
build_service (Package      *package,
               CsvTable     *services,
               const CsvRow *row,
               const char   *id,
               const char   *organization_id)
{
  Import *import = package->import;
  const CsvRow *organization;
  JValue *service;

  /* The record's own line, not a part's: no x_haven_origin. */
  service = row_object (package, "services", row, 8, FALSE);

  organization = lookup_row (package, "organizations", "id", organization_id);
  if (organization != NULL)
    object_add (service, "organization",
                row_object (package, "organizations", organization, 0, TRUE));
  else if (organization_id != NULL)
    haven_import_file_problem (import, services->label, row->line,
                               _("organization_id “%s” is not in organizations.csv"),
                               organization_id);

  object_add (service, "phones", related (package, "phones", "service_id", id, build_phone));
  object_add (service, "schedules", related (package, "schedules", "service_id", id,
                                             build_schedule));
  object_add (service, "service_areas", related (package, "service_areas", "service_id", id,
                                                 build_area));
  object_add (service, "languages", related (package, "languages", "service_id", id,
                                             build_language));
  object_add (service, "cost_options", related (package, "cost_options", "service_id", id,
                                                build_cost));
  object_add (service, "attributes", related (package, "attributes", "link_id", id,
                                              build_attribute));
  object_add (service, "service_at_locations", related (package, "service_at_locations",
                                                        "service_id", id, build_link));
  return service;
}

/* Reads the tabular data package at @package_path (its datapackage.json),
 * handing each service, built into a record, to haven_import_record(). */
gboolean
haven_data_package_import (Import      *import,
                           const char  *package_path,
                           GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (package_path);
  g_autofree char *contents = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autoptr(GHashTable) tables = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) haven_csv_table_free);
  g_autoptr(GHashTable) indexes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_hash_table_unref);
  g_autoptr(GHashTable) paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Package package = { import, tables, indexes };
  CsvTable *services;
  JValue *root;
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
  if (!load_tables (import, folder, paths, tables, error))
    return FALSE;

  services = g_hash_table_lookup (tables, "services");
  if (services == NULL || haven_import_n_problems (import) > 0)
    return TRUE;

  id_column = haven_csv_column (services, "id");
  organization_column = haven_csv_column (services, "organization_id");
  if (id_column < 0 || haven_csv_column (services, "name") < 0)
    {
      haven_import_file_problem (import, services->label, 1,
                                 _("the header must have the columns id and name"));
      return TRUE;
    }

  check_all_references (import, tables, services);

  for (guint i = 0; i < services->rows->len; i++)
    {
      const CsvRow *row = &g_array_index (services->rows, CsvRow, i);
      Origin origin = { services->label, row->line, i + 1 };
      JValue *service;

      if (g_cancellable_is_cancelled (import->cancellable) ||
          haven_import_too_many_problems (import))
        break;

      haven_arena_reset (&import->arena);
      service = build_service (&package, services, row, haven_csv_value (services, row, id_column),
                               haven_csv_value (services, row, organization_column));
      haven_import_record (import, service, &origin);
    }

  return TRUE;
}
