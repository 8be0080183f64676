/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-directory-import"

#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <sqlite3.h>

#include "haven-csv-reader.h"
#include "haven-directory.h"
#include "haven-directory-import.h"

/* The importer against the fixtures in tests/data/directory/: each kind of
 * valid input, each kind of invalid input with the words it must be
 * reported in, leaving the database in use exactly as it was, and input
 * with parts of services that cannot be used, which are left out with a
 * warning unless the import is strict. */

typedef struct {
  char *folder;
  char *db;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->folder = g_dir_make_tmp ("haven-directory-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = g_build_filename (fixture->folder, "directory.sqlite", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->folder, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->folder);

  g_free (fixture->folder);
  g_free (fixture->db);
}

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "directory", name, NULL);
}

static HavenDirectoryImporter *
import_ok (const char *source,
           const char *db)
{
  g_autoptr(HavenDirectoryImporter) importer = haven_directory_importer_new (source, db);
  g_autoptr(GError) error = NULL;

  if (!haven_directory_importer_run (importer, NULL, &error))
    g_error ("Importing %s failed: %s", source, error->message);

  g_assert_cmpuint (g_strv_length ((GStrv) haven_directory_importer_get_problems (importer)),
                    ==, 0);
  g_assert_cmpuint (haven_directory_importer_get_n_warnings (importer), ==, 0);
  g_assert_cmpstrv (haven_directory_importer_get_warnings (importer), ((const char *[]) { NULL }));
  return g_steal_pointer (&importer);
}

static GListModel *
search (HavenDirectory *directory,
        const char     *text,
        const char     *region,
        const char     *language)
{
  g_autoptr(HavenDirectoryQuery) query = haven_directory_query_new ();
  g_autoptr(GError) error = NULL;
  GListModel *results;

  query->text = g_strdup (text);
  query->region = g_strdup (region);
  query->language = g_strdup (language);
  results = haven_directory_search (directory, query, NULL, &error);
  g_assert_no_error (error);

  return results;
}

static HavenService *
find_service (GListModel *results,
              const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(HavenService) service = g_list_model_get_item (results, i);

      if (g_str_equal (haven_service_get_id (service), id))
        return service;
    }

  return NULL;
}

static void
test_json_array (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *source = fixture_path ("services.json");
  g_autoptr(HavenDirectoryImporter) importer = import_ok (source, fixture->db);
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(HavenDirectoryStats) stats = NULL;
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GError) error = NULL;
  HavenService *clinic;

  g_assert_cmpuint (haven_directory_importer_get_n_services (importer), ==, 9);
  g_assert_cmpuint (haven_directory_importer_get_n_skipped (importer), ==, 1);
  /* "London Victim Care" runs three services and is stored once. */
  g_assert_cmpuint (haven_directory_importer_get_n_organizations (importer), ==, 7);

  directory = haven_directory_open (fixture->db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (haven_directory_get_n_services (directory), ==, 9);

  stats = haven_directory_get_stats (directory, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats->schema_version, ==, HAVEN_DIRECTORY_SCHEMA_VERSION);
  g_assert_cmpuint (stats->n_services, ==, 9);
  g_assert_cmpuint (stats->n_organizations, ==, 7);
  /* en, ar (from "ara"), es, vi, zh, fr. */
  g_assert_cmpuint (stats->n_languages, ==, 6);
  /* GB-LND, GB, GB-MAN, US-NY; "anywhere" is not a region. */
  g_assert_cmpuint (stats->n_regions, ==, 4);
  g_assert_cmpuint (stats->n_with_hours, ==, 8);
  g_assert_cmpuint (stats->n_mapped_terms, ==, 4);
  g_assert_cmpstr (stats->format, ==, "json");
  g_assert_cmpstr (stats->source, ==, source);
  g_assert_nonnull (stats->imported_at);

  results = search (directory, "clinic", NULL, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  clinic = find_service (results, "svc-fraud-london");
  g_assert_nonnull (clinic);
  g_assert_cmpstr (haven_service_get_name (clinic), ==, "Fraud Recovery Clinic");
  g_assert_cmpstr (haven_service_get_organization (clinic), ==, "London Victim Care");
  g_assert_cmpstr (haven_service_get_url (clinic), ==, "https://care.example.org/fraud");
  g_assert_cmpstr (haven_service_get_email (clinic), ==, "fraud@care.example.org");
  g_assert_cmpstr (haven_service_get_assured_date (clinic), ==, "2026-01-15");
  g_assert_cmpstr (haven_service_get_source (clinic), ==, "Haven test fixture");
  g_assert_true (haven_service_get_free (clinic));
  g_assert_cmpuint (haven_service_get_n_phones (clinic), ==, 1);
  g_assert_cmpstr (haven_service_get_phone_number (clinic, 0), ==, "020 7946 0001");
  g_assert_cmpstr (haven_service_get_phone_description (clinic, 0), ==, "Appointments");
  g_assert_cmpstr (haven_service_get_addresses (clinic)[0], ==,
                   "Whitechapel office, 1 High Street, London, E1 7AA");
  g_assert_cmpstrv (haven_service_get_languages (clinic), ((const char *[]) { "en", "ar", NULL }));
  g_assert_cmpstrv (haven_service_get_service_areas (clinic),
                    ((const char *[]) { "Greater London", NULL }));
  g_assert_cmpstrv (haven_service_get_categories (clinic), ((const char *[]) { "fraud", NULL }));

  /* The inactive service is left out. */
  g_clear_object (&results);
  results = search (directory, "scam desk", NULL, NULL);
  g_assert_null (find_service (results, "svc-inactive"));
}

static void
test_page (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *source = fixture_path ("page.json");
  g_autoptr(HavenDirectoryImporter) importer = import_ok (source, fixture->db);
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(HavenDirectoryStats) stats = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (haven_directory_importer_get_n_services (importer), ==, 2);

  directory = haven_directory_open (fixture->db, NULL, &error);
  g_assert_no_error (error);
  stats = haven_directory_get_stats (directory, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats->n_services, ==, 2);
  g_assert_cmpstr (stats->format, ==, "json-page");
}

static void
test_datapackage (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *source = fixture_path ("package");
  g_autoptr(HavenDirectoryImporter) importer = import_ok (source, fixture->db);
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(HavenDirectoryStats) stats = NULL;
  g_autoptr(HavenDirectoryQuery) query = haven_directory_query_new ();
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GListModel) polish = NULL;
  g_autoptr(GListModel) translated = NULL;
  g_autoptr(GTimeZone) london = g_time_zone_new_identifier ("Europe/London");
  g_autoptr(GError) error = NULL;
  HavenService *scams, *counselling;

  g_assert_cmpuint (haven_directory_importer_get_n_services (importer), ==, 2);
  g_assert_cmpuint (haven_directory_importer_get_n_skipped (importer), ==, 1);
  g_assert_cmpuint (haven_directory_importer_get_n_organizations (importer), ==, 1);

  directory = haven_directory_open (fixture->db, NULL, &error);
  g_assert_no_error (error);
  haven_directory_set_time_zone (directory, london);
  stats = haven_directory_get_stats (directory, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stats->format, ==, "datapackage");

  /* x_region_codes as one CSV cell; the counselling service has no area
   * and counts for the country of its place. */
  results = search (directory, NULL, "GB-WYK", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 2);
  scams = find_service (results, "svc-leeds-fraud");
  counselling = find_service (results, "svc-leeds-counselling");
  g_assert_nonnull (scams);
  g_assert_nonnull (counselling);
  g_assert_cmpint (haven_service_get_reach (scams), ==, HAVEN_SERVICE_REACH_LOCAL);
  g_assert_cmpint (haven_service_get_reach (counselling), ==, HAVEN_SERVICE_REACH_NATIONAL);

  /* A quoted field keeps its comma and its line break. */
  g_assert_cmpstr (haven_service_get_description (scams), ==,
                   "Advice after a scam, by phone or in person.\nWe also help with bank letters.");
  g_assert_cmpstr (haven_service_get_organization (scams), ==, "Leeds Support Network");
  g_assert_cmpstr (haven_service_get_assured_date (scams), ==, "2026-02-01");
  g_assert_cmpstr (haven_service_get_source (scams), ==, "Leeds council");
  g_assert_cmpuint (haven_service_get_n_phones (scams), ==, 1);
  g_assert_cmpstr (haven_service_get_phone_number (scams, 0), ==, "0113 496 0000");
  g_assert_cmpstrv (haven_service_get_languages (scams), ((const char *[]) { "en", "pl", NULL }));
  g_assert_cmpstrv (haven_service_get_categories (scams), ((const char *[]) { "fraud", NULL }));

  /* The counselling service gets its place's address, languages and hours,
   * its cost option makes it free, and its term applies to every category. */
  g_assert_cmpstr (haven_service_get_addresses (counselling)[0], ==,
                   "Leeds Hub, 2 Park Row, Leeds, West Yorkshire, LS1 5AB");
  g_assert_cmpstrv (haven_service_get_languages (counselling), ((const char *[]) { "ur", NULL }));
  g_assert_true (haven_service_get_free (counselling));
  g_assert_false (haven_service_get_free (scams));
  g_assert_cmpuint (g_strv_length ((GStrv) haven_service_get_categories (counselling)), ==,
                    HAVEN_DIRECTORY_N_CATEGORIES);

  query->open_now = TRUE;
  /* Saturday 7 March 2026, 11:00 in Leeds. */
  query->at = g_date_time_new_from_iso8601 ("2026-03-07T11:00:00Z", NULL);
  g_clear_object (&results);
  results = haven_directory_search (directory, query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  g_assert_nonnull (find_service (results, "svc-leeds-counselling"));

  /* "pol" in languages.csv is Polish, "pl". */
  polish = search (directory, NULL, NULL, "pl");
  g_assert_cmpuint (g_list_model_get_n_items (polish), ==, 1);

  /* x_translations as JSON in a CSV cell. */
  g_clear_pointer (&query->at, g_date_time_unref);
  query->open_now = FALSE;
  query->text = g_strdup ("asesoria estafas");
  query->display_language = g_strdup ("es");
  translated = haven_directory_search (directory, query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (translated), ==, 1);
  scams = find_service (translated, "svc-leeds-fraud");
  g_assert_cmpstr (haven_service_get_name (scams), ==, "Asesoría sobre estafas en Leeds");
}

typedef struct {
  const char *file;
  /* Refused only by a strict import: a lenient one keeps the services. */
  gboolean strict;
  const char *expected[6];
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "invalid/not-json.json", FALSE,
    { "not-json.json:3: record 2 is not valid JSON", NULL } },
  { "invalid/missing-name.json", FALSE,
    { "missing-name.json:3: service “svc-b”: “name” is missing",
      "missing-name.json:4: record 3: “id” is missing", NULL } },
  { "invalid/bad-schedule.json", TRUE,
    { "bad-schedule.json:2: service “svc-hours”: schedule “sch-bad”: opens_at “9am” is not a time",
      NULL } },
  { "invalid/duplicate-id.json", FALSE,
    { "duplicate-id.json:3: service “svc-same”: another service has the same id", NULL } },
  { "invalid/not-a-directory.json", FALSE,
    { "not-a-directory.json: the object has no “contents”", NULL } },
  { "invalid/bad-fields.json", TRUE,
    { "service “svc-fields”: “phones” must be a list",
      "language code “english!” is not an ISO 639 code",
      "“Greater London” in x_region_codes is not an ISO 3166 code",
      "“x_translations” for “ar” must be an object",
      "status “open” is not active", NULL } },
  { "invalid/truncated.json", FALSE,
    { "truncated.json:3: the file ends in the middle of record 2", NULL } },
  { "invalid/empty.json", FALSE,
    { "empty.json: the directory holds no active services", NULL } },
  /* A broken package and a service without a name refuse it even when
   * the bad schedule beside them would only be a warning. */
  { "invalid/package", FALSE,
    { "phones.csv:2: service_id “svc-404” is not in the package",
      "services.csv:3: service “svc-2”: “name” is missing", "(2 problems)", NULL } },
  { "invalid/package", TRUE,
    { "phones.csv:2: service_id “svc-404” is not in the package",
      "services.csv:3: service “svc-2”: “name” is missing",
      "schedules.csv:3: service “svc-1”: schedule “sch-2”: opens_at “nine” is not a time",
      NULL } },
  { "invalid/no-id-package", FALSE,
    { "services.csv:1: the header must have the columns id and name", "(1 problem)", NULL } },
  { "invalid/no-id-package", TRUE,
    { "services.csv:1: the header must have the columns id and name", "(1 problem)", NULL } },
};

static GStrv
list_folder (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_strv_builder_add (names, name);

  return g_strv_builder_end (names);
}

/* The directory in use is byte for byte what it was, no half-made file is
 * left beside it, and it still opens with its 9 services. */
static void
assert_directory_untouched (Fixture    *fixture,
                            const char *before,
                            gsize       before_length)
{
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  g_auto(GStrv) files = NULL;
  gsize after_length;

  g_assert_true (g_file_get_contents (fixture->db, &after, &after_length, NULL));
  g_assert_cmpmem (before, before_length, after, after_length);
  files = list_folder (fixture->folder);
  g_assert_cmpstrv (files, ((const char *[]) { "directory.sqlite", NULL }));
  directory = haven_directory_open (fixture->db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (haven_directory_get_n_services (directory), ==, 9);
}

static void
test_invalid (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *valid = fixture_path ("services.json");
  g_autoptr(HavenDirectoryImporter) first = import_ok (valid, fixture->db);
  g_autofree char *before = NULL;
  gsize before_length;

  g_assert_true (g_file_get_contents (fixture->db, &before, &before_length, NULL));

  for (gsize i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autofree char *source = fixture_path (invalid_cases[i].file);
      g_autoptr(HavenDirectoryImporter) importer = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("Importing %s%s", invalid_cases[i].file,
                      invalid_cases[i].strict ? " strictly" : "");
      importer = haven_directory_importer_new (source, fixture->db);
      haven_directory_importer_set_strict (importer, invalid_cases[i].strict);
      g_assert_false (haven_directory_importer_run (importer, NULL, &error));
      g_assert_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_INVALID_INPUT);

      for (guint j = 0; invalid_cases[i].expected[j] != NULL; j++)
        {
          if (strstr (error->message, invalid_cases[i].expected[j]) == NULL)
            g_error ("The message for %s does not say “%s”:\n%s", invalid_cases[i].file,
                     invalid_cases[i].expected[j], error->message);
        }
      g_assert_cmpuint (g_strv_length ((GStrv) haven_directory_importer_get_problems (importer)),
                        >, 0);

      assert_directory_untouched (fixture, before, before_length);
    }
}

static void
test_too_many_problems (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new ("[\n");
  g_autofree char *source = g_build_filename (fixture->folder, "many.json", NULL);
  g_autoptr(HavenDirectoryImporter) importer = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 30; i++)
    g_string_append_printf (text, "%s{\"id\": \"svc-%u\"}\n", i > 0 ? "," : "", i);
  g_string_append (text, "]\n");
  g_assert_true (g_file_set_contents (source, text->str, -1, NULL));

  importer = haven_directory_importer_new (source, fixture->db);
  g_assert_false (haven_directory_importer_run (importer, NULL, &error));
  g_assert_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "stopped after 20 problems"));
  g_assert_nonnull (strstr (error->message, "many.json:21: service “svc-19”: “name” is missing"));
  g_assert_null (strstr (error->message, "svc-20"));
  g_assert_cmpuint (g_strv_length ((GStrv) haven_directory_importer_get_problems (importer)), ==,
                    HAVEN_DIRECTORY_IMPORT_MAX_PROBLEMS);
  g_assert_false (g_file_test (fixture->db, G_FILE_TEST_EXISTS));
  g_unlink (source);
}

/* Packages the fuzzer found trouble in (tests/fuzz/): a datapackage.json
 * that is an empty array, and a table whose reading stops before its
 * header. Each is a problem in the input, reported as such. */
static void
test_hostile_packages (Fixture       *fixture,
                       gconstpointer  data)
{
  static const struct {
    const char *datapackage;
    const char *services;
    const char *expected;
  } cases[] = {
    { "[]", NULL, "datapackage.json" },
    { "{\"resources\": []}", "\"id,name\n", "a quoted field is never closed" },
    { "{\"resources\": []}", "id,name\n\xff\n", "the file is not UTF-8 text" },
  };
  g_autofree char *package = g_build_filename (fixture->folder, "datapackage.json", NULL);
  g_autofree char *services = g_build_filename (fixture->folder, "services.csv", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HavenDirectoryImporter) importer = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_set_contents (package, cases[i].datapackage, -1, NULL));
      g_unlink (services);
      if (cases[i].services != NULL)
        g_assert_true (g_file_set_contents (services, cases[i].services, -1, NULL));

      importer = haven_directory_importer_new (package, fixture->db);
      g_assert_false (haven_directory_importer_run (importer, NULL, &error));
      g_assert_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_INVALID_INPUT);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].expected));
    }
}

static void
run_havenctl (const char * const  *arguments,
              int                 *status,
              char               **out,
              char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *havenctl = g_getenv ("HAVENCTL");

  if (havenctl == NULL)
    {
      g_test_skip ("HAVENCTL is not set");
      return;
    }

  g_ptr_array_add (argv, (gpointer) havenctl);
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) arguments[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out, err, status, &error));
  g_assert_no_error (error);
}

static void
test_havenctl (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *valid = fixture_path ("services.json");
  g_autofree char *invalid = fixture_path ("invalid/missing-name.json");
  g_autofree char *odd = fixture_path ("odd-parts.json");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (g_getenv ("HAVENCTL") == NULL)
    {
      g_test_skip ("HAVENCTL is not set");
      return;
    }

  run_havenctl ((const char *[]) { "directory", "import", valid, "--db", fixture->db, NULL },
                &status, &out, &err);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (out, "Imported 9 services of 7 organizations"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  run_havenctl ((const char *[]) { "directory", "import", invalid, "--db", fixture->db, NULL },
                &status, &out, &err);
  g_assert_false (g_spawn_check_wait_status (status, &error));
  g_assert_error (error, G_SPAWN_EXIT_ERROR, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "missing-name.json:3: service “svc-b”: “name” is missing"));
  g_assert_nonnull (strstr (err, "The directory in use was not changed."));
  g_clear_error (&error);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  run_havenctl ((const char *[]) { "directory", "stats", "--json", "--db", fixture->db, NULL },
                &status, &out, &err);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_nonnull (strstr (out, "\"services\" : 9"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Parts that cannot be used: left out, each named on stderr, counted
   * after the summary, and the import succeeds. */
  run_havenctl ((const char *[]) { "directory", "import", odd, "--db", fixture->db, NULL },
                &status, &out, &err);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (out, "Imported 3 services of 0 organizations"));
  g_assert_true (g_str_has_suffix (out, "\n4 problems were left out; the services are kept.\n"));
  g_assert_nonnull (strstr (err, "warning: odd-parts.json:2: service “svc-odd”: language code "
                                 "“klingon!” is not an ISO 639 code"));
  g_assert_nonnull (strstr (err, "warning: odd-parts.json:2: service “svc-odd”: phone number "
                                 "“call us” has no digits; the phone is left out\n"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --strict refuses the same file, and the directory stays as it was. */
  run_havenctl ((const char *[]) { "directory", "import", "--strict", valid, "--db", fixture->db,
                                   NULL },
                &status, &out, &err);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  run_havenctl ((const char *[]) { "directory", "import", "--strict", odd, "--db", fixture->db,
                                   NULL },
                &status, &out, &err);
  g_assert_false (g_spawn_check_wait_status (status, &error));
  g_assert_error (error, G_SPAWN_EXIT_ERROR, 2);
  g_clear_error (&error);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "odd-parts.json is not a valid HSDS directory (4 problems)"));
  g_assert_null (strstr (err, "warning:"));
  g_assert_nonnull (strstr (err, "The directory in use was not changed."));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  run_havenctl ((const char *[]) { "directory", "stats", "--json", "--db", fixture->db, NULL },
                &status, &out, &err);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_nonnull (strstr (out, "\"services\" : 9"));
}

static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (haven_directory_importer_run_finish (HAVEN_DIRECTORY_IMPORTER (object), result,
                                                      &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *source = fixture_path ("page.json");
  g_autoptr(HavenDirectoryImporter) importer = haven_directory_importer_new (source, fixture->db);
  gboolean done = FALSE;

  haven_directory_importer_run_async (importer, NULL, import_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (haven_directory_importer_get_n_services (importer), ==, 2);
  g_assert_true (g_file_test (fixture->db, G_FILE_TEST_IS_REGULAR));
}

static void
test_replace (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *all = fixture_path ("services.json");
  g_autofree char *two = fixture_path ("page.json");
  g_autoptr(HavenDirectoryImporter) first = import_ok (all, fixture->db);
  g_autoptr(HavenDirectoryImporter) second = NULL;
  g_autoptr(HavenDirectory) old = NULL;
  g_autoptr(HavenDirectory) fresh = NULL;
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GError) error = NULL;

  old = haven_directory_open (fixture->db, NULL, &error);
  g_assert_no_error (error);

  second = import_ok (two, fixture->db);

  /* A kiosk that opened the old directory keeps reading it until it
   * reloads; one that opens now gets the new one. */
  results = search (old, "clinic", NULL, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  g_assert_cmpuint (haven_directory_get_n_services (old), ==, 9);

  fresh = haven_directory_open (fixture->db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (haven_directory_get_n_services (fresh), ==, 2);
}

static void
test_open_errors (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (fixture->folder, "missing.sqlite", NULL);
  g_autofree char *text = g_build_filename (fixture->folder, "text.sqlite", NULL);
  g_autofree char *source = fixture_path ("page.json");
  g_autoptr(HavenDirectoryImporter) importer = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  g_assert_null (haven_directory_open (missing, NULL, &error));
  g_assert_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "havenctl directory import"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (text, "not a database, not at all", -1, NULL));
  g_assert_null (haven_directory_open (text, NULL, &error));
  g_assert_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_CORRUPT);
  g_clear_error (&error);
  g_unlink (text);

  importer = import_ok (source, fixture->db);
  g_assert_cmpint (sqlite3_open (fixture->db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_assert_null (haven_directory_open (fixture->db, NULL, &error));
  g_assert_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_OLD_SCHEMA);
  g_assert_nonnull (strstr (error->message, "import the directory again"));
  g_clear_error (&error);

  g_assert_null (haven_directory_open (fixture->db, "/nonexistent/categories.ini", &error));
  g_assert_nonnull (error);
}

/* What opening reads in one go (haven-directory-layout.h) is checked
 * before a search trusts it: a service pointing past the list of areas,
 * or a list cut short, is a damaged directory, not a crash. */
static void
test_open_damaged_search_data (Fixture       *fixture,
                               gconstpointer  data)
{
  static const char *const damage[] = {
    "UPDATE search_data SET data = substr (data, 1, length (data) - 1) WHERE name = 'facets'",
    "UPDATE search_data SET data = zeroblob (length (data)) WHERE name = 'service_ids'",
    "UPDATE search_data SET data = x'' WHERE name = 'region_ids'",
    "DELETE FROM search_data WHERE name = 'term_set_starts'",
    "DELETE FROM region_codes",
    "UPDATE search_data SET data = x'' WHERE name = 'schedule_starts'",
  };
  g_autofree char *source = fixture_path ("page.json");

  for (guint i = 0; i < G_N_ELEMENTS (damage); i++)
    {
      g_autoptr(HavenDirectoryImporter) importer = import_ok (source, fixture->db);
      g_autoptr(HavenDirectory) directory = NULL;
      g_autoptr(GError) error = NULL;
      sqlite3 *db = NULL;

      g_assert_cmpint (sqlite3_open (fixture->db, &db), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, damage[i], NULL, NULL, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_changes (db), >, 0);
      sqlite3_close (db);

      directory = haven_directory_open (fixture->db, NULL, &error);
      g_assert_null (directory);
      g_assert_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_CORRUPT);
    }
}

static void
test_demo_directory (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *datadir = g_getenv ("HAVEN_DATADIR");
  g_autofree char *demo = NULL;
  g_autoptr(HavenDirectoryImporter) importer = NULL;
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(GError) error = NULL;

  if (datadir == NULL)
    {
      g_test_skip ("HAVEN_DATADIR is not set");
      return;
    }

  demo = g_build_filename (datadir, "directory", "demo-directory.json", NULL);
  if (!g_file_test (demo, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("data/directory/demo-directory.json is not there yet");
      return;
    }

  importer = import_ok (demo, fixture->db);
  g_assert_cmpuint (haven_directory_importer_get_n_services (importer), >, 0);

  directory = haven_directory_open (fixture->db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (haven_directory_get_n_services (directory), ==,
                    haven_directory_importer_get_n_services (importer));
}

/* The reader takes a file in chunks of 64 KiB: a doubled quote, a CRLF or
 * a blank line may be cut by the end of a chunk anywhere. Rows of
 * varying lengths put each at every place of a chunk's end. */
static void
test_csv_chunks (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->folder, "chunks.csv", NULL);
  g_autoptr(GString) text = g_string_new ("\xEF\xBB\xBF" "id, name \r\n");
  g_autoptr(CsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  guint n_rows = 40000;
  guint line = 2;

  for (guint i = 0; i < n_rows; i++)
    {
      g_string_append (text, "\"q\"\"");
      for (guint j = 0; j < i % 7; j++)
        g_string_append_c (text, 'x');
      g_string_append_printf (text, "\r\nz\",b%u\r\n", i);
      if (i % 3 == 0)
        g_string_append (text, "\r\n");
    }
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));

  reader = haven_csv_reader_open (path, "chunks.csv", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (haven_csv_reader_get_header (reader),
                    ((const char *[]) { "id", "name", NULL }));

  for (guint i = 0; i < n_rows; i++)
    {
      g_autofree char *first = NULL;
      g_autofree char *second = g_strdup_printf ("b%u", i);

      g_assert_true (haven_csv_reader_next (reader, &error));
      first = g_strdup_printf ("q\"%.*s\nz", i % 7, "xxxxxx");
      g_assert_cmpstr (haven_csv_reader_get_value (reader, 0), ==, first);
      g_assert_cmpstr (haven_csv_reader_get_value (reader, 1), ==, second);
      g_assert_null (haven_csv_reader_get_value (reader, 2));
      g_assert_cmpuint (haven_csv_reader_get_line (reader), ==, line);
      line += i % 3 == 0 ? 3 : 2;
    }
  g_assert_false (haven_csv_reader_next (reader, &error));
  g_assert_no_error (error);
  g_assert_null (haven_csv_reader_get_problem (reader, NULL));
  g_unlink (path);
}

/* Packages whose files are no tables at all, each about 10 MiB, imported
 * by havenctl in a child process: each import must end in a message that
 * names the file and line, and its peak memory must not grow with the
 * file. Reading a whole file into rows of strings took some 40 times its
 * size (434 MB for 10 MiB of commas). */
#define HOSTILE_SIZE (10 * 1024 * 1024)
/* havenctl itself, SQLite's caches and a row: about 30 MB. */
#define HOSTILE_MAX_RSS_KIB (64 * 1024)

typedef enum {
  HOSTILE_COMMAS,
  HOSTILE_LONG_LINE,
  HOSTILE_UNCLOSED_QUOTE,
  HOSTILE_LINKED_ROWS,
  HOSTILE_BLANK_LINES,
} Hostile;

typedef struct {
  Hostile kind;
  const char *expected;
} HostileCase;

static void
write_repeated (FILE       *file,
                const char *text,
                gsize       size)
{
  gsize length = strlen (text);
  g_autoptr(GString) block = g_string_sized_new (64 * 1024 + length);
  gsize written = 0;

  while (block->len < 64 * 1024)
    g_string_append (block, text);
  while (written < size)
    {
      gsize n = MIN (block->len, size - written);

      g_assert_cmpuint (fwrite (block->str, 1, n, file), ==, n);
      written += n;
    }
}

static void
write_hostile_package (const char *folder,
                       Hostile     kind)
{
  g_autofree char *manifest = g_build_filename (folder, "datapackage.json", NULL);
  g_autofree char *services_path = g_build_filename (folder, "services.csv", NULL);
  g_autofree char *phones_path = g_build_filename (folder, "phones.csv", NULL);
  FILE *services, *phones;

  g_assert_true (g_file_set_contents (manifest,
                                      "{\"resources\": ["
                                      "{\"name\": \"services\", \"path\": \"services.csv\"},"
                                      "{\"name\": \"phones\", \"path\": \"phones.csv\"}]}",
                                      -1, NULL));
  services = g_fopen (services_path, "w");
  phones = g_fopen (phones_path, "w");
  g_assert_nonnull (services);
  g_assert_nonnull (phones);
  fputs ("id,name,status\n", services);
  fputs ("id,service_id,number\n", phones);

  switch (kind)
    {
    case HOSTILE_COMMAS:
      write_repeated (services, ",", HOSTILE_SIZE);
      break;
    case HOSTILE_LONG_LINE:
      fputs ("svc-1,", services);
      write_repeated (services, "a", HOSTILE_SIZE);
      fputs (",active\n", services);
      break;
    case HOSTILE_UNCLOSED_QUOTE:
      fputs ("svc-1,\"Help", services);
      write_repeated (services, "a,\n", HOSTILE_SIZE);
      break;
    case HOSTILE_LINKED_ROWS:
      /* A million phone numbers for one service. */
      fputs ("svc-1,Help,active\n", services);
      write_repeated (phones, "p,svc-1,1\n", HOSTILE_SIZE);
      break;
    case HOSTILE_BLANK_LINES:
      write_repeated (services, "\n", HOSTILE_SIZE);
      break;
    default:
      g_assert_not_reached ();
    }

  fclose (services);
  fclose (phones);
}

static void
test_hostile_csv (Fixture       *fixture,
                  gconstpointer  data)
{
  const HostileCase *hostile = data;
  const char *havenctl = g_getenv ("HAVENCTL");
  const char *argv[] = { havenctl, "directory", "import", fixture->folder, "--db", fixture->db,
                         NULL };
  g_autoptr(GString) err = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) files = NULL;
  struct rusage usage, self_usage;
  char buffer[4096];
  gssize n_read;
  int err_fd, status;
  GPid pid;

  if (havenctl == NULL)
    {
      g_test_skip ("HAVENCTL is not set");
      return;
    }

  write_hostile_package (fixture->folder, hostile->kind);
  getrusage (RUSAGE_SELF, &self_usage);

  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD |
                                           G_SPAWN_STDOUT_TO_DEV_NULL,
                                           NULL, NULL, &pid, NULL, NULL, &err_fd, &error));
  g_assert_no_error (error);
  while ((n_read = read (err_fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (err, buffer, n_read);
  close (err_fd);
  g_assert_cmpint (wait4 (pid, &status, 0, &usage), ==, pid);
  g_spawn_close_pid (pid);

  g_test_message ("Peak RSS %ld KiB; havenctl said: %s", usage.ru_maxrss, err->str);

  g_assert_true (WIFEXITED (status));

#ifdef HAVEN_SANITIZED
  /* A sanitizer's shadow memory and quarantine are counted too. */
  g_test_message ("Built with a sanitizer: the peak RSS is not checked");
#else
  /* A child's peak counts what it was between fork and exec, a copy of
   * this process: under valgrind, a few hundred MB. */
  if (self_usage.ru_maxrss > HOSTILE_MAX_RSS_KIB / 2)
    g_test_message ("This process takes %ld KiB (under valgrind?): the peak RSS of havenctl "
                    "cannot be told apart, and is not checked", self_usage.ru_maxrss);
  else
    g_assert_cmpint (usage.ru_maxrss, <, HOSTILE_MAX_RSS_KIB);
#endif

  /* The input was refused, in words that say where. */
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  if (strstr (err->str, hostile->expected) == NULL)
    g_error ("havenctl does not say “%s”:\n%s", hostile->expected, err->str);

  /* Nothing was left beside the database: no half-made file, no join. */
  files = list_folder (fixture->folder);
  g_assert_cmpuint (g_strv_length (files), ==, 3);
}

static const HostileCase hostile_cases[] = {
  { HOSTILE_COMMAS, "services.csv:2: a row has more than 1000 columns" },
  { HOSTILE_LONG_LINE, "services.csv:2: a field is larger than 1 MB" },
  { HOSTILE_UNCLOSED_QUOTE, "services.csv:2: a field is larger than 1 MB" },
  { HOSTILE_LINKED_ROWS, "services.csv:2: service “svc-1” and the rows linked to it take more "
                         "than 32 MB" },
  { HOSTILE_BLANK_LINES, "the directory holds no active services" },
};

/* Whether @text is anywhere in binary @bytes (g_strstr_len would stop at
 * the first NUL). */
static gboolean
bytes_hold (GString    *bytes,
            const char *text)
{
  gsize length = strlen (text);

  for (gsize at = 0; at + length <= bytes->len; at++)
    if (memcmp (bytes->str + at, text, length) == 0)
      return TRUE;
  return FALSE;
}

/* Shelters' addresses never reach a kiosk: a location marked
 * x_confidential (true, or "yes") or HSDS 3.1's "redacted" gives neither
 * its address nor its name, anywhere in the database; the service stays,
 * and an address not marked so is kept. */
static void
test_confidential_locations (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *source = fixture_path ("confidential.json");
  g_autoptr(HavenDirectoryImporter) importer = import_ok (source, fixture->db);
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bytes = NULL;
  gsize length = 0;
  const char * const hidden[] = {
    "Quietwater", "Lantern House", "Heronsgate", "Gull Cottage", "Alderbank", "Willow Room",
  };
  const char * const ids[] = { "svc-shelter", "svc-redacted", "svc-said-yes" };
  HavenService *library;

  g_assert_cmpuint (haven_directory_importer_get_n_services (importer), ==, 4);
  directory = haven_directory_open (fixture->db, NULL, &error);
  g_assert_no_error (error);
  results = search (directory, "", NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      HavenService *service = find_service (results, ids[i]);
      const char * const *addresses;

      g_test_message ("%s", ids[i]);
      g_assert_nonnull (service);
      addresses = haven_service_get_addresses (service);
      g_assert_true (addresses == NULL || addresses[0] == NULL);
    }
  library = find_service (results, "svc-open");
  g_assert_nonnull (library);
  g_assert_cmpstr (haven_service_get_addresses (library)[0], ==,
                   "Central Library, 1 Market Square, Leeds, LS1 1AA");

  /* Nowhere in the file: not in a service's details, not in the index. */
  g_clear_object (&results);
  g_clear_object (&directory);
  {
    g_autoptr(GDir) dir = g_dir_open (fixture->folder, 0, &error);
    g_autoptr(GString) all = g_string_new (NULL);
    const char *name;

    g_assert_no_error (error);
    /* The database and whatever SQLite keeps beside it (its WAL). */
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (fixture->folder, name, NULL);

        g_assert_true (g_file_get_contents (path, &bytes, &length, &error));
        g_assert_no_error (error);
        g_string_append_len (all, bytes, (gssize) length);
        g_clear_pointer (&bytes, g_free);
      }
    for (guint i = 0; i < G_N_ELEMENTS (hidden); i++)
      g_assert_false (bytes_hold (all, hidden[i]));
    g_assert_true (bytes_hold (all, "Market Square"));
  }
}

/* The lines of @importer's warnings that hold @text. */
static guint
count_warnings_with (HavenDirectoryImporter *importer,
                     const char             *text)
{
  const char * const *warnings = haven_directory_importer_get_warnings (importer);
  guint n = 0;

  for (guint i = 0; warnings[i] != NULL; i++)
    {
      if (strstr (warnings[i], text) != NULL)
        n++;
    }

  return n;
}

#define EXAMPLE_SERVICE "ac148810-d857-441c-9679-408f346de14b"

/* Open Referral's own example package, as an organisation would import
 * it: its one schedule holds both COUNT and UNTIL, which libical refuses.
 * The service is kept without hours, and the warning says where. */
static void
test_openreferral_example (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *source = fixture_path ("openreferral-example");
  g_autoptr(HavenDirectoryImporter) importer = haven_directory_importer_new (source,
                                                                             fixture->db);
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(HavenDirectoryQuery) query = haven_directory_query_new ();
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *warnings;
  HavenService *service;

  g_assert_false (haven_directory_importer_get_strict (importer));
  g_assert_true (haven_directory_importer_run (importer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstrv (haven_directory_importer_get_problems (importer),
                    ((const char *[]) { NULL }));
  g_assert_cmpuint (haven_directory_importer_get_n_services (importer), ==, 1);
  g_assert_cmpuint (haven_directory_importer_get_n_organizations (importer), ==, 1);

  g_assert_cmpuint (haven_directory_importer_get_n_warnings (importer), ==, 1);
  warnings = haven_directory_importer_get_warnings (importer);
  g_assert_cmpuint (g_strv_length ((GStrv) warnings), ==, 1);
  g_test_message ("%s", warnings[0]);
  g_assert_true (g_str_has_prefix (warnings[0],
                                   "schedules.csv:2: service “" EXAMPLE_SERVICE "”: "
                                   "schedule “48102e86-bb50-41c4-8f1e-e269368c41d1”: "
                                   "the recurrence FREQ=WEEKLY;COUNT=3;UNTIL=20050101"));
  g_assert_nonnull (strstr (warnings[0], "is not one libical accepts"));
  g_assert_true (g_str_has_suffix (warnings[0], "; the service shows no hours"));

  directory = haven_directory_open (fixture->db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (haven_directory_get_n_services (directory), ==, 1);

  /* Searched "open now" on a Thursday at noon, which the schedule's
   * BYDAY=TH,FR with 10:00 to 18:00 would have said: it has no hours, so
   * it is neither open nor always open. */
  query->at = g_date_time_new_from_iso8601 ("2026-03-05T12:00:00Z", NULL);
  results = haven_directory_search (directory, query, NULL, &error);
  g_assert_no_error (error);
  service = find_service (results, EXAMPLE_SERVICE);
  g_assert_nonnull (service);
  g_assert_cmpstr (haven_service_get_name (service), ==, "Community Counselling");
  g_assert_false (haven_service_get_has_hours (service));
  g_assert_false (haven_service_get_open_now (service));
  g_assert_false (haven_service_get_always_open (service));
  /* The rest of the package is still read: its language and its phone. */
  g_assert_cmpstrv (haven_service_get_languages (service), ((const char *[]) { "ur", NULL }));
  g_assert_cmpuint (haven_service_get_n_phones (service), ==, 1);

  g_clear_object (&results);
  query->open_now = TRUE;
  results = haven_directory_search (directory, query, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (find_service (results, EXAMPLE_SERVICE));
}

/* The same package strictly: refused, and the directory in use is
 * byte for byte what it was. */
static void
test_openreferral_example_strict (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *valid = fixture_path ("services.json");
  g_autofree char *source = fixture_path ("openreferral-example");
  g_autoptr(HavenDirectoryImporter) first = import_ok (valid, fixture->db);
  g_autoptr(HavenDirectoryImporter) importer = haven_directory_importer_new (source,
                                                                             fixture->db);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  gsize before_length;

  g_assert_true (g_file_get_contents (fixture->db, &before, &before_length, NULL));

  haven_directory_importer_set_strict (importer, TRUE);
  g_assert_true (haven_directory_importer_get_strict (importer));
  g_assert_false (haven_directory_importer_run (importer, NULL, &error));
  g_assert_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message,
                            "schedules.csv:2: service “" EXAMPLE_SERVICE "”: schedule "));
  g_assert_nonnull (strstr (error->message, "is not one libical accepts"));
  /* What a lenient import would have done is not said of a refused one. */
  g_assert_null (strstr (error->message, "shows no hours"));
  g_assert_cmpuint (g_strv_length ((GStrv) haven_directory_importer_get_problems (importer)),
                    ==, 1);
  g_assert_cmpuint (haven_directory_importer_get_n_warnings (importer), ==, 0);
  g_assert_cmpuint (haven_directory_importer_get_n_services (importer), ==, 0);

  assert_directory_untouched (fixture, before, before_length);
}

/* A language code that is not one, a phone that cannot be dialled, a
 * date that is not one and a schedule row that is not one are left out
 * of their service, which is kept, and each is counted; a strict import
 * refuses the file. One bad row takes all the service's hours with it,
 * its places' too: some hours would say it is closed when it is open. */
static void
test_odd_parts (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *source = fixture_path ("odd-parts.json");
  g_autoptr(HavenDirectoryImporter) importer = haven_directory_importer_new (source,
                                                                             fixture->db);
  g_autoptr(HavenDirectoryImporter) strict = NULL;
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GError) error = NULL;
  HavenService *odd, *plain, *half;

  g_assert_true (haven_directory_importer_run (importer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (haven_directory_importer_get_n_services (importer), ==, 3);
  g_assert_cmpuint (haven_directory_importer_get_n_warnings (importer), ==, 4);
  g_assert_cmpuint (g_strv_length ((GStrv) haven_directory_importer_get_warnings (importer)),
                    ==, 4);
  g_assert_cmpuint (count_warnings_with (importer, "odd-parts.json:2: service “svc-odd”: "
                                         "language code “klingon!” is not an ISO 639 code"),
                    ==, 1);
  g_assert_cmpuint (count_warnings_with (importer, "odd-parts.json:2: service “svc-odd”: "
                                         "phone number “call us” has no digits; "
                                         "the phone is left out"),
                    ==, 1);
  g_assert_cmpuint (count_warnings_with (importer, "odd-parts.json:2: service “svc-odd”: "
                                         "assured_date “last spring” is not a date"),
                    ==, 1);
  g_assert_cmpuint (count_warnings_with (importer, "svc-plain"), ==, 0);
  g_assert_cmpuint (count_warnings_with (importer, "odd-parts.json:24: service “svc-half-hours”: "
                                         "schedule “sch-bad”: opens_at “noon” is not a time"),
                    ==, 1);

  directory = haven_directory_open (fixture->db, NULL, &error);
  g_assert_no_error (error);
  results = search (directory, "", NULL, NULL);
  odd = find_service (results, "svc-odd");
  plain = find_service (results, "svc-plain");
  g_assert_nonnull (odd);
  g_assert_nonnull (plain);
  g_assert_cmpstrv (haven_service_get_languages (odd), ((const char *[]) { "en", NULL }));
  g_assert_cmpuint (haven_service_get_n_phones (odd), ==, 1);
  g_assert_cmpstr (haven_service_get_phone_number (odd, 0), ==, "0113 496 0001");
  g_assert_cmpstr (haven_service_get_phone_description (odd, 0), ==, "Advice line");
  g_assert_null (haven_service_get_assured_date (odd));
  /* Its good schedule is kept. */
  g_assert_true (haven_service_get_has_hours (odd));
  g_assert_cmpstrv (haven_service_get_languages (plain), ((const char *[]) { "fr", NULL }));
  half = find_service (results, "svc-half-hours");
  g_assert_nonnull (half);
  g_assert_false (haven_service_get_has_hours (half));
  g_assert_false (haven_service_get_always_open (half));

  /* Its kept language still finds it. */
  g_clear_object (&results);
  results = search (directory, NULL, NULL, "en");
  g_assert_nonnull (find_service (results, "svc-odd"));

  g_clear_object (&directory);
  strict = haven_directory_importer_new (source, fixture->db);
  haven_directory_importer_set_strict (strict, TRUE);
  g_clear_error (&error);
  g_assert_false (haven_directory_importer_run (strict, NULL, &error));
  g_assert_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "(4 problems)"));
  g_assert_nonnull (strstr (error->message, "phone number “call us” has no digits"));
  g_assert_null (strstr (error->message, "left out"));
}

/* A bad language code in every service of a large directory: every
 * service is kept, every warning counted, and only the first
 * HAVEN_DIRECTORY_IMPORT_MAX_WARNINGS lines are held. */
static void
test_many_warnings (Fixture       *fixture,
                    gconstpointer  data)
{
  const guint n = HAVEN_DIRECTORY_IMPORT_MAX_WARNINGS + 200;
  g_autoptr(GString) text = g_string_new ("[\n");
  g_autofree char *source = g_build_filename (fixture->folder, "many.json", NULL);
  g_autoptr(HavenDirectoryImporter) importer = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *warnings;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s{\"id\": \"svc-%u\", \"name\": \"Service %u\", "
                            "\"languages\": [{\"code\": \"??\"}]}\n", i > 0 ? "," : "", i, i);
  g_string_append (text, "]\n");
  g_assert_true (g_file_set_contents (source, text->str, -1, NULL));

  importer = haven_directory_importer_new (source, fixture->db);
  g_assert_true (haven_directory_importer_run (importer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (haven_directory_importer_get_n_services (importer), ==, n);
  g_assert_cmpuint (haven_directory_importer_get_n_warnings (importer), ==, n);
  warnings = haven_directory_importer_get_warnings (importer);
  g_assert_cmpuint (g_strv_length ((GStrv) warnings), ==, HAVEN_DIRECTORY_IMPORT_MAX_WARNINGS);
  g_assert_true (g_str_has_prefix (warnings[0], "many.json:2: service “svc-0”: language code"));
  g_unlink (source);
}

/* x_translations in a CSV cell that is not JSON: the service is kept
 * without its translations, and the warning names its file and line. */
static void
test_package_bad_translations (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *package = fixture_path ("package");
  g_auto(GStrv) names = list_folder (package);
  g_autofree char *source = g_build_filename (fixture->folder, "datapackage.json", NULL);
  g_autoptr(HavenDirectoryImporter) importer = NULL;
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *from = g_build_filename (package, names[i], NULL);
      g_autofree char *to = g_build_filename (fixture->folder, names[i], NULL);
      g_autofree char *text = NULL;

      g_assert_true (g_file_get_contents (from, &text, NULL, NULL));
      if (g_str_equal (names[i], "services.csv"))
        {
          char *cell = strstr (text, "\"{\"\"es\"\"");

          g_assert_nonnull (cell);
          /* Cut the object short: "{""es"": ," is not JSON. */
          memcpy (cell + strlen ("\"{\"\"es\"\": "), ",", 1);
        }
      g_assert_true (g_file_set_contents (to, text, -1, NULL));
    }

  importer = haven_directory_importer_new (source, fixture->db);
  g_assert_true (haven_directory_importer_run (importer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (haven_directory_importer_get_n_services (importer), ==, 2);
  g_assert_cmpuint (haven_directory_importer_get_n_warnings (importer), ==, 1);
  g_assert_cmpuint (count_warnings_with (importer, "services.csv:2: service “svc-leeds-fraud”: "
                                         "x_translations is not valid JSON"),
                    ==, 1);

  directory = haven_directory_open (fixture->db, NULL, &error);
  g_assert_no_error (error);
  results = search (directory, "asesoria", NULL, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
  g_clear_object (&results);
  results = search (directory, "scam", NULL, NULL);
  g_assert_nonnull (find_service (results, "svc-leeds-fraud"));
}

/* The answer of GET /services/{id} is a directory of one. */
static void
test_single_service (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *source = fixture_path ("single-service.json");
  g_autoptr(HavenDirectoryImporter) importer = import_ok (source, fixture->db);
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(HavenDirectoryStats) stats = NULL;
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GError) error = NULL;
  HavenService *service;

  g_assert_cmpuint (haven_directory_importer_get_n_services (importer), ==, 1);
  g_assert_cmpuint (haven_directory_importer_get_n_organizations (importer), ==, 1);

  directory = haven_directory_open (fixture->db, NULL, &error);
  g_assert_no_error (error);
  stats = haven_directory_get_stats (directory, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stats->format, ==, "json-service");
  results = search (directory, "helpline", NULL, NULL);
  service = find_service (results, "svc-single");
  g_assert_nonnull (service);
  g_assert_cmpstr (haven_service_get_organization (service), ==, "Single Service Trust");
  g_assert_cmpstr (haven_service_get_phone_number (service, 0), ==, "0113 496 0003");
}

/* A single object is read as a service only when it is one: with an id
 * and a name; one without a name is still a service without a name. */
static void
test_single_object_not_service (Fixture       *fixture,
                                gconstpointer  data)
{
  static const struct {
    const char *json;
    const char *expected;
  } cases[] = {
    { "{\"id\": \"svc-x\", \"description\": \"no name\"}", "the object has no “contents”" },
    { "{\"total_items\": 0}", "the object has no “contents”" },
    { "{\"id\": \"svc-x\", \"name\": \"Cut\"", "is not valid JSON" },
    { "{\n\"id\": \"svc-x\",\n\"name\": \"Twice\"}\n{}", "there is more after the end" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *source = g_build_filename (fixture->folder, "one.json", NULL);
      g_autoptr(HavenDirectoryImporter) importer = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", cases[i].json);
      g_assert_true (g_file_set_contents (source, cases[i].json, -1, NULL));
      importer = haven_directory_importer_new (source, fixture->db);
      g_assert_false (haven_directory_importer_run (importer, NULL, &error));
      g_assert_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_INVALID_INPUT);
      if (strstr (error->message, cases[i].expected) == NULL)
        g_error ("The message for %s does not say “%s”:\n%s", cases[i].json, cases[i].expected,
                 error->message);
      g_unlink (source);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, function) \
  g_test_add ("/haven/directory-import/" path, Fixture, NULL, fixture_set_up, function, \
              fixture_tear_down)

  ADD ("json-array", test_json_array);
  ADD ("confidential-locations", test_confidential_locations);
  ADD ("page", test_page);
  ADD ("datapackage", test_datapackage);
  ADD ("invalid", test_invalid);
  ADD ("too-many-problems", test_too_many_problems);
  ADD ("hostile-packages", test_hostile_packages);
  ADD ("havenctl", test_havenctl);
  ADD ("async", test_async);
  ADD ("replace", test_replace);
  ADD ("open-errors", test_open_errors);
  ADD ("open-damaged-search-data", test_open_damaged_search_data);
  ADD ("demo-directory", test_demo_directory);
  ADD ("csv-chunks", test_csv_chunks);
  ADD ("lenient/openreferral-example", test_openreferral_example);
  ADD ("lenient/openreferral-example-strict", test_openreferral_example_strict);
  ADD ("lenient/odd-parts", test_odd_parts);
  ADD ("lenient/many-warnings", test_many_warnings);
  ADD ("lenient/package-bad-translations", test_package_bad_translations);
  ADD ("single-service", test_single_service);
  ADD ("single-object-not-service", test_single_object_not_service);

  g_test_add ("/haven/directory-import/hostile-csv/commas", Fixture, &hostile_cases[0],
              fixture_set_up, test_hostile_csv, fixture_tear_down);
  g_test_add ("/haven/directory-import/hostile-csv/long-line", Fixture, &hostile_cases[1],
              fixture_set_up, test_hostile_csv, fixture_tear_down);
  g_test_add ("/haven/directory-import/hostile-csv/unclosed-quote", Fixture, &hostile_cases[2],
              fixture_set_up, test_hostile_csv, fixture_tear_down);
  g_test_add ("/haven/directory-import/hostile-csv/linked-rows", Fixture, &hostile_cases[3],
              fixture_set_up, test_hostile_csv, fixture_tear_down);
  g_test_add ("/haven/directory-import/hostile-csv/blank-lines", Fixture, &hostile_cases[4],
              fixture_set_up, test_hostile_csv, fixture_tear_down);

#undef ADD

  return g_test_run ();
}
