/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-bundle-update"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "haven-bundle.h"
#include "haven-bundle-updater.h"
#include "haven-directory.h"
#include "haven-paths.h"
#include "receiver-process.h"
#include "test-directory-fixture.h"

/* A kiosk keeping current with the organisation's bundle, from a real
 * haven-receiver over TLS on 127.0.0.1: the first bundle taken; an
 * unchanged one costing a 304; a new one waiting, unused, until the visit
 * ends; and one signed by another key, an older one and one cut short each
 * refused, with the bundle in use kept and the reason kept for the
 * operator. Then havenctl bundle status and fetch say the same. */

#define TOKEN "kiosk-token-bundle-update"

static guint8 public_key[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
static guint8 secret_key[HAVEN_BUNDLE_SECRET_KEY_BYTES];
static char *small_directory;
static char *large_directory;

static char *
import_fixture (const char *name,
                const char *database_name)
{
  g_autofree char *database = work_path (database_name);

  return import_directory_fixture (name, database);
}

static void
publish (const char   *path,
         const char   *directory,
         guint64       version,
         const guint8 *signing_key)
{
  g_autofree char *content = g_test_build_filename (G_TEST_DIST, "data", "content", "valid",
                                                    NULL);
  g_autofree char *temporary = g_strconcat (path, ".new", NULL);
  g_autofree char *copy = NULL;
  g_autoptr(GError) error = NULL;

  /* Written beside and renamed over, as an organisation publishes. */
  g_assert_true (haven_bundle_write (directory, content, version, "Test organisation",
                                     signing_key, temporary, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_rename (temporary, path), ==, 0);
  /* As havenctl bundle make does: kiosks are sent the compressed copy. */
  copy = haven_bundle_write_compressed_copy (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);
}

static gboolean
check (HavenBundleUpdater  *updater,
       HavenBundleCheck    *outcome,
       GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  haven_bundle_updater_check_async (updater, NULL, store_result_cb, &result);
  return haven_bundle_updater_check_finish (updater, wait_for_result (&result), outcome, error);
}

static void
assert_nothing_left_over (void)
{
  g_autofree char *folder = haven_paths_dup_bundle_dir ();
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;
  guint n_unpacked = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_false (g_str_has_prefix (name, "incoming-"));
      g_assert_false (g_str_has_prefix (name, ".partial-"));
      g_assert_false (g_str_has_prefix (name, "download-"));
      if (name[0] == 'v')
        n_unpacked++;
    }
  /* The one in use, and no other once nothing waits. */
  g_assert_cmpuint (n_unpacked, ==, 1);
}

static void
test_update_cycle (void)
{
  g_autofree char *published = work_path ("published.bundle");
  g_autofree char *tokens = work_path ("tokens");
  g_autofree char *ca = work_path ("ca.pem");
  g_autofree char *token_file = work_path ("kiosk-token");
  g_autofree char *config_home = work_path ("config");
  g_autofree char *encoded = haven_bundle_encode_public_key (public_key);
  const char *options[] = { "--token-file", tokens, "--bundle", published, NULL };
  g_autoptr(GSettings) settings = keyfile_settings_new (config_home);
  g_autoptr(HavenBundleUpdater) updater = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *in_use = NULL;
  g_autofree char *output = NULL;
  g_autofree char *errors = NULL;
  ReceiverProcess *receiver;
  HavenBundleCheck outcome;
  guint8 other_public[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
  guint8 other_secret[HAVEN_BUNDLE_SECRET_KEY_BYTES];
  guint n_small;
  guint n_large;
  gsize length;
  g_autofree char *bytes = NULL;

  g_assert_true (g_file_set_contents (token_file, TOKEN "\n", -1, &error));
  publish (published, small_directory, 1, secret_key);
  receiver = receiver_process_start_tls (options);

  g_settings_set_string (settings, "backend-url", receiver->url);
  g_settings_set_string (settings, "ca-file", ca);
  g_settings_set_string (settings, "token-file", token_file);
  g_settings_set_string (settings, "directory-file", large_directory);

  /* Before a key is set, the kiosk takes no bundle and says why. */
  updater = haven_bundle_updater_new (settings);
  g_assert_false (check (updater, &outcome, &error));
  g_assert_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_KEY);
  g_clear_error (&error);
  n_large = count_kiosk_services (settings);

  /* The first bundle: taken, waiting, not used until installed. */
  g_settings_set_string (settings, "bundle-public-key", encoded);
  g_assert_true (check (updater, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, HAVEN_BUNDLE_CHECK_STAGED);
  g_assert_cmpuint (haven_bundle_updater_get_pending_version (updater), ==, 1);
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 0);
  g_assert_null (haven_bundle_updater_get_last_error (updater));
  g_assert_cmpuint (count_kiosk_services (settings), ==, n_large);

  g_assert_true (haven_bundle_updater_install_pending (updater, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 1);
  in_use = haven_directory_get_default_path (settings);
  g_assert_true (strstr (in_use, "/haven/bundle/current/directory.sqlite") != NULL);
  n_small = count_kiosk_services (settings);
  g_assert_cmpuint (n_small, !=, n_large);
  assert_nothing_left_over ();

  /* Unchanged: a 304, nothing downloaded. */
  g_assert_true (check (updater, &outcome, &error));
  g_assert_cmpint (outcome, ==, HAVEN_BUNDLE_CHECK_UNCHANGED);
  g_assert_cmpuint (haven_bundle_updater_get_pending_version (updater), ==, 0);

  /* A new one: it waits while a visit goes on, the visit keeps the old
   * directory, and the next visit gets the new one. */
  publish (published, large_directory, 2, secret_key);
  g_assert_true (check (updater, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, HAVEN_BUNDLE_CHECK_STAGED);
  g_assert_cmpuint (haven_bundle_updater_get_pending_version (updater), ==, 2);
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 1);
  g_assert_cmpuint (count_kiosk_services (settings), ==, n_small);
  g_assert_true (haven_bundle_updater_install_pending (updater, &error));
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 2);
  g_assert_cmpuint (count_kiosk_services (settings), ==, n_large);
  assert_nothing_left_over ();
  g_assert_false (haven_bundle_updater_install_pending (updater, &error));
  g_assert_no_error (error);

  /* Signed by another key: refused, the one in use kept. */
  haven_bundle_generate_key_pair (other_public, other_secret);
  publish (published, small_directory, 3, other_secret);
  g_assert_false (check (updater, &outcome, &error));
  g_assert_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_SIGNATURE);
  g_test_message ("another key: %s", error->message);
  g_clear_error (&error);
  g_assert_nonnull (haven_bundle_updater_get_last_error (updater));
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 2);
  g_assert_cmpuint (haven_bundle_updater_get_pending_version (updater), ==, 0);
  g_assert_cmpuint (count_kiosk_services (settings), ==, n_large);
  assert_nothing_left_over ();

  /* Older than the one in use: refused. */
  publish (published, small_directory, 1, secret_key);
  g_assert_false (check (updater, &outcome, &error));
  g_assert_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_DOWNGRADE);
  g_test_message ("older: %s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 2);
  g_assert_cmpuint (count_kiosk_services (settings), ==, n_large);

  /* Cut short, as a download broken off would leave it. */
  publish (published, small_directory, 4, secret_key);
  g_assert_true (g_file_get_contents (published, &bytes, &length, &error));
  g_assert_true (g_file_set_contents (published, bytes, (gssize) (length / 2), &error));
  /* Its compressed copy is whole: without it, the cut file is sent. */
  {
    g_autofree char *copy = haven_bundle_write_compressed_copy (published, &error);

    g_assert_no_error (error);
    g_assert_cmpint (g_unlink (copy), ==, 0);
  }
  g_assert_false (check (updater, &outcome, &error));
  g_assert_true (g_error_matches (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_TRUNCATED) ||
                 g_error_matches (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_SIGNATURE));
  g_test_message ("cut short: %s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 2);
  g_assert_cmpuint (count_kiosk_services (settings), ==, n_large);
  assert_nothing_left_over ();

  /* A later updater (the kiosk started again) knows the same. */
  g_clear_object (&updater);
  updater = haven_bundle_updater_new (settings);
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 2);
  g_assert_nonnull (haven_bundle_updater_get_last_error (updater));
  g_assert_nonnull (haven_bundle_updater_get_last_checked (updater));

  /* havenctl tells the operator: the bundle in use, the last error. */
  g_assert_cmpint (run_havenctl (config_home, (const char *[]) { "bundle", "status", NULL },
                                 &output, &errors), ==, 0);
  g_test_message ("%s", output);
  g_assert_nonnull (strstr (output, "In use: bundle 2"));
  g_assert_nonnull (strstr (output, "Last error:"));

  /* And fetches on its own: the mended bundle waits for the kiosk. */
  publish (published, small_directory, 5, secret_key);
  g_clear_pointer (&output, g_free);
  g_clear_pointer (&errors, g_free);
  g_assert_cmpint (run_havenctl (config_home, (const char *[]) { "bundle", "fetch", NULL },
                                 &output, &errors), ==, 0);
  g_test_message ("%s", output);
  g_assert_nonnull (strstr (output, "Bundle 5 is ready"));

  g_clear_object (&updater);
  updater = haven_bundle_updater_new (settings);
  g_assert_cmpuint (haven_bundle_updater_get_pending_version (updater), ==, 5);
  g_assert_null (haven_bundle_updater_get_last_error (updater));

  receiver_process_stop (receiver);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_home = NULL;
  int status;

  work_dir_init ("bundle-update");
  /* The kiosk's bundles go below its data folder: this test's own. */
  data_home = work_path ("data");
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_test_init (&argc, &argv, NULL);

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *tokens = work_path ("tokens");

    g_assert_true (g_file_set_contents (tokens, TOKEN "\n", -1, &error));
  }
  small_directory = import_fixture ("page.json", "small.sqlite");
  large_directory = import_fixture ("services.json", "large.sqlite");
  haven_bundle_generate_key_pair (public_key, secret_key);

  g_test_add_func ("/haven/bundle-update/cycle", test_update_cycle);

  status = g_test_run ();

  g_clear_pointer (&small_directory, g_free);
  g_clear_pointer (&large_directory, g_free);
  work_dir_remove ();
  return status;
}
