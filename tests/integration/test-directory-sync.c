/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "haven-directory-sync.h"
#include "hsds-process.h"
#include "test-files.h"

/* havenctl directory sync against tests/hsds/hsds-server.py on 127.0.0.1:
 * a full pull as a stream and as pages, a pull of what changed, and a
 * server that misbehaves, each result compared service by service with
 * what the server holds. */

#define N_SERVICES 300

/* Streets the server gives only to places whose address must never reach
 * a kiosk (hsds-server.py, REDACTED_STREETS and CONFIDENTIAL_STREETS). */
static const char * const hidden_streets[] = {
  "Larkspur Close", "Hawthorn Mews", "Quillet Row", "Sorrel Garth",
  "Wrenfield Court", "Bramblecote Walk", "Tansy Yard", "Ostler's Croft",
};

typedef struct {
  char *folder;
  char *database;
  HsdsServer *server;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char * const *arguments = data;

  fixture->folder = g_dir_make_tmp ("haven-sync-XXXXXX", NULL);
  fixture->database = g_build_filename (fixture->folder, "directory.sqlite", NULL);
  fixture->server = hsds_server_start (arguments);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  hsds_server_stop (fixture->server);
  remove_tree (fixture->folder);
  g_free (fixture->folder);
  g_free (fixture->database);
}

static gboolean
sync_directory (Fixture  *fixture,
                GError  **error,
                HavenDirectorySync **out_sync)
{
  g_autoptr(HavenDirectorySync) sync = haven_directory_sync_new (fixture->server->url,
                                                                  fixture->database);
  gboolean ok;

  haven_directory_sync_set_page_size (sync, 40);
  ok = haven_directory_sync_run (sync, NULL, error);
  if (out_sync != NULL)
    *out_sync = g_steal_pointer (&sync);
  return ok;
}

/* The database's services, hsds id to name. */
static GHashTable *
read_services (const char *database)
{
  GHashTable *services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;

  g_assert_cmpint (sqlite3_open_v2 (database, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT hsds_id, name FROM services", -1, &statement,
                                       NULL), ==, SQLITE_OK);
  while (sqlite3_step (statement) == SQLITE_ROW)
    g_hash_table_insert (services, g_strdup ((const char *) sqlite3_column_text (statement, 0)),
                         g_strdup ((const char *) sqlite3_column_text (statement, 1)));
  sqlite3_finalize (statement);
  sqlite3_close (db);
  return services;
}

/* Every service the server holds is in the database under its name, but
 * those it says are not active; nothing else is; and no hidden address
 * is anywhere in the database or the mirror. */
static void
assert_same_as_server (Fixture *fixture)
{
  g_autoptr(JsonNode) expected = hsds_server_get (fixture->server, "/_admin/expected");
  g_autoptr(GHashTable) stored = read_services (fixture->database);
  JsonArray *services = json_node_get_array (expected);
  guint n_active = 0;
  guint n_hidden_places = 0;

  for (guint i = 0; i < json_array_get_length (services); i++)
    {
      JsonObject *service = json_array_get_object_element (services, i);
      const char *id = json_object_get_string_member (service, "id");
      const char *status = json_object_get_string_member (service, "status");
      const char *name = g_hash_table_lookup (stored, id);
      g_autofree char *text = json_to_string (json_array_get_element (services, i), FALSE);

      if (strstr (text, "\"redacted\"") != NULL || strstr (text, "x_confidential") != NULL)
        n_hidden_places++;

      /* The importer leaves out what is inactive or defunct, as HSDS says. */
      if (g_strcmp0 (status, "inactive") == 0 || g_strcmp0 (status, "defunct") == 0)
        continue;
      n_active++;
      g_assert_nonnull (name);
      g_assert_cmpstr (name, ==, json_object_get_string_member (service, "name"));
    }

  g_assert_cmpuint (g_hash_table_size (stored), ==, n_active);
  g_assert_cmpuint (n_hidden_places, >, 0);

  for (guint i = 0; i < G_N_ELEMENTS (hidden_streets); i++)
    assert_no_file_holds (fixture->database, hidden_streets[i]);
}

static guint
count_log (Fixture    *fixture,
           const char *needle)
{
  g_autoptr(JsonNode) log = hsds_server_get (fixture->server, "/_admin/log");
  JsonArray *entries = json_node_get_array (log);
  guint count = 0;

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonNode *entry = json_array_get_element (entries, i);
      g_autofree char *text = json_to_string (entry, FALSE);

      if (strstr (text, needle) != NULL)
        count++;
    }
  return count;
}

static guint
count_member (JsonNode   *changes,
              const char *member)
{
  return json_array_get_length (json_object_get_array_member (json_node_get_object (changes),
                                                              member));
}

static void
test_stream_then_changes (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(HavenDirectorySync) sync = NULL;
  g_autoptr(JsonNode) changes = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (sync_directory (fixture, &error, &sync));
  g_assert_no_error (error);
  g_assert_true (haven_directory_sync_get_was_full (sync));
  g_assert_true (haven_directory_sync_get_used_ndjson (sync));
  g_assert_cmpuint (haven_directory_sync_get_n_added (sync), ==, N_SERVICES);
  g_assert_cmpuint (haven_directory_sync_get_n_records (sync), ==, N_SERVICES);
  g_assert_cmpuint (count_log (fixture, "format=ndjson"), >=, 1);
  assert_same_as_server (fixture);
  g_test_message ("full: %u services, %u requests, %" G_GUINT64_FORMAT " bytes",
                  haven_directory_sync_get_n_records (sync),
                  haven_directory_sync_get_n_requests (sync),
                  haven_directory_sync_get_bytes_received (sync));

  /* Nothing changed: one stream of nothing and the list, no rebuild. */
  g_clear_object (&sync);
  g_assert_true (sync_directory (fixture, &error, &sync));
  g_assert_false (haven_directory_sync_get_was_full (sync));
  g_assert_false (haven_directory_sync_get_rebuilt (sync));
  g_assert_cmpuint (haven_directory_sync_get_n_changed (sync) +
                    haven_directory_sync_get_n_added (sync) +
                    haven_directory_sync_get_n_deleted (sync), ==, 0);

  /* Generation 1 changes some, deletes some and adds some. */
  state = hsds_server_post (fixture->server, "/_admin/generation/1");
  changes = hsds_server_get (fixture->server, "/_admin/changes?since=0");
  g_assert_cmpuint (count_member (changes, "changed"), >, 0);
  g_assert_cmpuint (count_member (changes, "deleted"), >, 0);
  g_assert_cmpuint (count_member (changes, "added"), >, 0);

  g_clear_object (&sync);
  g_assert_true (sync_directory (fixture, &error, &sync));
  g_assert_no_error (error);
  g_assert_false (haven_directory_sync_get_was_full (sync));
  g_assert_true (haven_directory_sync_get_rebuilt (sync));
  g_assert_cmpuint (haven_directory_sync_get_n_changed (sync), ==, count_member (changes, "changed"));
  g_assert_cmpuint (haven_directory_sync_get_n_deleted (sync), ==, count_member (changes, "deleted"));
  g_assert_cmpuint (haven_directory_sync_get_n_added (sync), ==, count_member (changes, "added"));
  g_assert_cmpuint (count_log (fixture, "modified_after="), >=, 1);
  g_assert_cmpuint (count_log (fixture, "minimal=true"), >=, 1);
  assert_same_as_server (fixture);
}

static void
test_pages (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(HavenDirectorySync) sync = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (sync_directory (fixture, &error, &sync));
  g_assert_no_error (error);
  g_assert_false (haven_directory_sync_get_used_ndjson (sync));
  /* 300 services in pages of 40, and the list of ids the same way. */
  g_assert_cmpuint (count_log (fixture, "page=8"), ==, 2);
  g_assert_cmpuint (count_log (fixture, "page=9"), ==, 0);
  assert_same_as_server (fixture);

  state = hsds_server_post (fixture->server, "/_admin/generation/2");
  g_clear_object (&sync);
  g_assert_true (sync_directory (fixture, &error, &sync));
  g_assert_no_error (error);
  g_assert_false (haven_directory_sync_get_was_full (sync));
  assert_same_as_server (fixture);
}

static char *
checksum_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return g_strdup ("absent");
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

/* Each fault, after a good sync and with changes waiting: the sync fails
 * with a clear error and neither the directory nor the mirror changes;
 * once the server behaves, the changes come through. */
static void
check_faults (Fixture            *fixture,
              const char * const *faults,
              guint               n_faults)
{
  g_autofree char *mirror = g_strconcat (fixture->database, "-mirror", NULL);
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (sync_directory (fixture, &error, NULL));
  g_assert_no_error (error);
  state = hsds_server_post (fixture->server, "/_admin/generation/1");

  for (guint i = 0; i < n_faults; i++)
    {
      g_autofree char *path = g_strconcat ("/_admin/fault/", faults[i], NULL);
      g_autofree char *database_before = checksum_file (fixture->database);
      g_autofree char *mirror_before = checksum_file (mirror);
      g_autofree char *database_after = NULL;
      g_autofree char *mirror_after = NULL;
      g_autoptr(JsonNode) fault = hsds_server_post (fixture->server, path);
      g_autoptr(GError) sync_error = NULL;
      g_autoptr(HavenDirectorySync) sync = haven_directory_sync_new (fixture->server->url,
                                                                      fixture->database);

      haven_directory_sync_set_page_size (sync, 40);
      /* A full pull, so that every fault is met whatever changed. */
      haven_directory_sync_set_full (sync, TRUE);
      g_assert_false (haven_directory_sync_run (sync, NULL, &sync_error));
      g_test_message ("%s: %s", faults[i], sync_error->message);
      g_assert_true (sync_error->domain == HAVEN_DIRECTORY_SYNC_ERROR);
      g_assert_true (sync_error->code == HAVEN_DIRECTORY_SYNC_ERROR_BAD_ANSWER ||
                     sync_error->code == HAVEN_DIRECTORY_SYNC_ERROR_NETWORK);

      database_after = checksum_file (fixture->database);
      mirror_after = checksum_file (mirror);
      g_assert_cmpstr (database_after, ==, database_before);
      g_assert_cmpstr (mirror_after, ==, mirror_before);
    }

  g_clear_pointer (&state, json_node_unref);
  state = hsds_server_post (fixture->server, "/_admin/fault/none");
  g_assert_true (sync_directory (fixture, &error, NULL));
  g_assert_no_error (error);
  assert_same_as_server (fixture);
}

static void
test_faults_in_pages (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char * const faults[] = { "bad-json", "page-loop", "lying-total", "drop" };

  check_faults (fixture, faults, G_N_ELEMENTS (faults));
}

/* A stream has no totals to lie about. */
static void
test_faults_in_stream (Fixture       *fixture,
                       gconstpointer  data)
{
  /* A stream cut at the end of a line looks complete but for its count,
   * which the first page of the same listing gives. */
  static const char * const faults[] = { "bad-json", "page-loop", "drop" };

  check_faults (fixture, faults, G_N_ELEMENTS (faults));
}

/* havenctl's own words, and its refusal of plain http elsewhere. */
static void
test_havenctl (Fixture       *fixture,
               gconstpointer  data)
{
  const char *havenctl = g_getenv ("HAVENCTL");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { havenctl, "directory", "sync", fixture->server->url, "--db",
                         fixture->database, NULL };
  const char *insecure[] = { havenctl, "directory", "sync", "http://192.0.2.1/api", "--db",
                             fixture->database, NULL };

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("%s", out);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "Pulled all 300 services (as one stream)"));
  g_assert_nonnull (strstr (out, "300 new, 0 changed, 0 deleted"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (g_spawn_sync (NULL, (char **) insecure, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_assert_nonnull (strstr (err, "must start with https://"));
  g_assert_nonnull (strstr (err, "The directory in use was not changed."));
}

int
main (int    argc,
      char **argv)
{
  static const char * const stream[] = { "--services", "300", "--seed", "7", NULL };
  static const char * const pages[] = { "--services", "300", "--seed", "8", "--ndjson", "reject",
                                        NULL };

  g_setenv ("LANGUAGE", "en", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/directory-sync/stream-then-changes", Fixture, stream, fixture_set_up,
              test_stream_then_changes, fixture_tear_down);
  g_test_add ("/directory-sync/pages", Fixture, pages, fixture_set_up, test_pages,
              fixture_tear_down);
  g_test_add ("/directory-sync/faults-in-pages", Fixture, pages, fixture_set_up,
              test_faults_in_pages, fixture_tear_down);
  g_test_add ("/directory-sync/faults-in-stream", Fixture, stream, fixture_set_up,
              test_faults_in_stream, fixture_tear_down);
  g_test_add ("/directory-sync/havenctl", Fixture, stream, fixture_set_up, test_havenctl,
              fixture_tear_down);

  return g_test_run ();
}
