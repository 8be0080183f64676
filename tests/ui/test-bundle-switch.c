/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "haven-bundle.h"
#include "haven-bundle-updater.h"
#include "haven-paths.h"
#include "test-directory-fixture.h"
#include "test-files.h"
#include "visit-driver.h"

/* The kiosk's window and the organisation's bundles: a new bundle that
 * arrives during a visit waits, unused, until the visit ends; one that
 * arrives while nobody uses the kiosk comes into use at once. */

static guint8 public_key[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
static guint8 secret_key[HAVEN_BUNDLE_SECRET_KEY_BYTES];
static char *folder;
static char *small_directory;
static char *large_directory;

static char *
import_fixture (const char *name)
{
  g_autofree char *base = g_strconcat (name, ".sqlite", NULL);
  g_autofree char *database = g_build_filename (folder, base, NULL);

  return import_directory_fixture (name, database);
}

/* A bundle of @directory and @content_dir, staged as if just fetched. */
static void
stage_bundle (HavenBundleUpdater *updater,
              const char         *directory,
              const char         *content_dir,
              guint64             version)
{
  g_autofree char *name = g_strdup_printf ("v%" G_GUINT64_FORMAT ".bundle", version);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (haven_bundle_write (directory, content_dir, version, "Test organisation",
                                     secret_key, path, &error));
  g_assert_no_error (error);
  g_assert_true (haven_bundle_updater_stage_file (updater, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (haven_bundle_updater_get_pending_version (updater), ==, version);
}

static void
remove_bundles (void)
{
  g_autofree char *bundles = haven_paths_dup_bundle_dir ();

  remove_tree (bundles);
}

static void
test_switch_between_visits (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *encoded = haven_bundle_encode_public_key (public_key);
  g_autofree char *test_content = g_test_build_filename (G_TEST_DIST, "data", "content", "valid",
                                                         NULL);
  g_autofree char *shipped_content = haven_paths_dup_content_dir ();
  g_autoptr(HavenBundleUpdater) updater = NULL;
  g_autofree char *first_content = NULL;
  g_autoptr(HavenContent) content_during_visit = NULL;
  guint n_small;

  remove_bundles ();
  g_settings_set_string (fixture->settings, "bundle-public-key", encoded);
  updater = haven_bundle_updater_new (fixture->settings);

  /* Nobody at the kiosk: the first bundle comes into use at once. */
  stage_bundle (updater, small_directory, test_content, 1);
  haven_window_set_bundle_updater (fixture->window, updater);
  iterate ();
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 1);
  g_assert_cmpuint (haven_bundle_updater_get_pending_version (updater), ==, 0);
  first_content = g_strdup (haven_content_get_version (haven_window_get_content (fixture->window)));
  g_assert_cmpstr (first_content, ==,
                   haven_bundle_manifest_get_content_version (
                     haven_bundle_updater_get_manifest (updater)));
  g_assert_cmpstr (haven_content_get_dir (haven_window_get_content (fixture->window)), !=,
                   shipped_content);
  n_small = count_kiosk_services (fixture->settings);
  g_assert_true (HAVEN_IS_WELCOME_PAGE (haven_window_get_current_page (fixture->window)));

  /* A visit starts; a new bundle arrives: the visit keeps the old one. */
  start_visit (fixture->window, "es");
  g_assert_false (HAVEN_IS_WELCOME_PAGE (haven_window_get_current_page (fixture->window)));
  content_during_visit = g_object_ref (haven_window_get_content (fixture->window));
  stage_bundle (updater, large_directory, shipped_content, 2);
  iterate ();
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 1);
  g_assert_true (haven_window_get_content (fixture->window) == content_during_visit);
  g_assert_cmpuint (count_kiosk_services (fixture->settings), ==, n_small);
  advance (fixture->window);
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 1);

  /* The visit ends: the next one has the new directory and content. */
  click (fixture->window, "visit.leave-now");
  iterate ();
  g_assert_true (HAVEN_IS_WELCOME_PAGE (haven_window_get_current_page (fixture->window)));
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 2);
  g_assert_cmpuint (count_kiosk_services (fixture->settings), !=, n_small);
  g_assert_true (haven_window_get_content (fixture->window) != content_during_visit);
  g_assert_cmpstr (haven_content_get_version (haven_window_get_content (fixture->window)), !=,
                   first_content);

  haven_window_set_bundle_updater (fixture->window, NULL);
  g_settings_reset (fixture->settings, "bundle-public-key");
  remove_bundles ();
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  visit_driver_init (&argc, &argv);
  folder = g_dir_make_tmp ("haven-bundle-switch-XXXXXX", &error);
  g_assert_no_error (error);
  small_directory = import_fixture ("page.json");
  large_directory = import_fixture ("services.json");
  haven_bundle_generate_key_pair (public_key, secret_key);

  g_test_add ("/haven/bundle/switch-between-visits", Fixture, NULL, fixture_set_up,
              test_switch_between_visits, fixture_tear_down);

  status = g_test_run ();
  remove_tree (folder);
  return status;
}
