/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sodium.h>

#include "haven-bundle-private.h"
#include "haven-content.h"
#include "haven-directory.h"
#include "haven-directory-import.h"
#include "test-files.h"

/* The signed bundle of the directory and content: written, then taken as
 * a kiosk takes it; and every way a kiosk must refuse one, each leaving
 * no target folder and nothing half-unpacked behind. */

static char *work_dir;
static char *directory_db;
static char *content_dir;
static guint8 public_key[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
static guint8 secret_key[HAVEN_BUNDLE_SECRET_KEY_BYTES];

static char *
work_path (const char *name)
{
  return g_build_filename (work_dir, name, NULL);
}

/* A fresh folder of the test's, holding nothing. */
static char *
make_folder (const char *name)
{
  char *path = work_path (name);

  remove_tree (path);
  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
  return path;
}

/* Fails when @folder holds anything but @allowed (NULL for nothing): no
 * target left by a refused bundle, and no .partial-* folder either. */
static void
assert_folder_holds_only (const char *folder,
                          const char *allowed)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (g_strcmp0 (name, allowed) != 0)
        g_error ("%s holds %s, which should not be there", folder, name);
    }
}

static char *
write_bundle (const char *name,
              const char *content,
              guint64     version)
{
  g_autoptr(GError) error = NULL;
  char *path = work_path (name);

  g_assert_true (haven_bundle_write (directory_db, content, version, "Test organisation",
                                     secret_key, path, &error));
  g_assert_no_error (error);
  return path;
}

static void
assert_files_equal (const char *first,
                    const char *second)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  gsize a_length = 0;
  gsize b_length = 0;

  g_assert_true (g_file_get_contents (first, &a, &a_length, NULL));
  g_assert_true (g_file_get_contents (second, &b, &b_length, NULL));
  g_assert_cmpmem (a, a_length, b, b_length);
}

static void
test_round_trip (void)
{
  g_autofree char *bundle = write_bundle ("round-trip.bundle", content_dir, 5);
  g_autofree char *parent = make_folder ("round-trip");
  g_autofree char *target = g_build_filename (parent, "unpacked", NULL);
  g_autofree char *db = g_build_filename (target, HAVEN_BUNDLE_DIRECTORY_FILE, NULL);
  g_autofree char *content = g_build_filename (target, HAVEN_BUNDLE_CONTENT_DIR, NULL);
  g_autoptr(HavenBundleManifest) manifest = NULL;
  g_autoptr(HavenBundleManifest) loaded = NULL;
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(HavenContent) original = NULL;
  g_autoptr(HavenContent) unpacked = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *names = haven_content_get_file_names ();

  g_assert_true (haven_bundle_verify_and_unpack (bundle, public_key, 0, target, &manifest,
                                                 &error));
  g_assert_no_error (error);
  assert_folder_holds_only (parent, "unpacked");

  /* What the manifest says is what the publisher had. */
  original = haven_content_new_from_dir (content_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (haven_bundle_manifest_get_version (manifest), ==, 5);
  g_assert_cmpstr (haven_bundle_manifest_get_publisher (manifest), ==, "Test organisation");
  g_assert_cmpuint (haven_bundle_manifest_get_n_services (manifest), ==, 9);
  g_assert_true (g_str_has_suffix (haven_bundle_manifest_get_directory_source (manifest),
                                   "services.json"));
  g_assert_nonnull (haven_bundle_manifest_get_directory_synced_at (manifest));
  g_assert_nonnull (haven_bundle_manifest_get_created (manifest));
  g_assert_cmpstr (haven_bundle_manifest_get_content_version (manifest), ==,
                   haven_content_get_version (original));

  /* The directory opens as the kiosk opens it, and the content is the
   * same, file for file. */
  directory = haven_directory_open (db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (haven_directory_get_n_services (directory), ==, 9);
  assert_files_equal (db, directory_db);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *from = g_build_filename (content_dir, names[i], NULL);
      g_autofree char *to = g_build_filename (content, names[i], NULL);

      assert_files_equal (from, to);
    }
  unpacked = haven_content_new_from_dir (content, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (haven_content_get_version (unpacked), ==, haven_content_get_version (original));

  /* The version in use, after a restart, is read back from the folder. */
  loaded = haven_bundle_manifest_load (target, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (haven_bundle_manifest_get_version (loaded), ==, 5);
  g_assert_cmpstr (haven_bundle_manifest_get_text (loaded), ==,
                   haven_bundle_manifest_get_text (manifest));

  /* A newer one over it is taken; the one in use is never taken again. */
  remove_tree (target);
  g_assert_true (haven_bundle_verify_and_unpack (bundle, public_key, 4, target, NULL, &error));
  g_assert_no_error (error);
}

static void
test_directory_alone (void)
{
  g_autofree char *bundle = write_bundle ("directory-alone.bundle", NULL, 7);
  g_autofree char *parent = make_folder ("directory-alone");
  g_autofree char *target = g_build_filename (parent, "unpacked", NULL);
  g_autofree char *content = g_build_filename (target, HAVEN_BUNDLE_CONTENT_DIR, NULL);
  g_autoptr(HavenBundleManifest) manifest = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (haven_bundle_verify_and_unpack (bundle, public_key, 0, target, &manifest,
                                                 &error));
  g_assert_no_error (error);
  g_assert_null (haven_bundle_manifest_get_content_version (manifest));
  g_assert_cmpuint (haven_bundle_manifest_get_n_files (manifest), ==, 1);
  g_assert_false (g_file_test (content, G_FILE_TEST_EXISTS));
}

/* Takes @bundle with @version_in_use and expects @code; nothing may be
 * left in the folder the target was to be made in. */
static void
assert_refused (const char       *bundle,
                guint64           version_in_use,
                HavenBundleError  code)
{
  g_autofree char *parent = make_folder ("refused");
  g_autofree char *target = g_build_filename (parent, "unpacked", NULL);
  g_autoptr(HavenBundleManifest) manifest = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (haven_bundle_verify_and_unpack (bundle, public_key, version_in_use, target,
                                                  &manifest, &error));
  g_assert_error (error, HAVEN_BUNDLE_ERROR, (gint) code);
  g_assert_null (manifest);
  g_assert_nonnull (strstr (error->message, "in use are kept"));
  assert_folder_holds_only (parent, NULL);
}

static void
test_other_key (void)
{
  g_autofree char *bundle = work_path ("other-key.bundle");
  g_autoptr(GError) error = NULL;
  guint8 other_public[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
  guint8 other_secret[HAVEN_BUNDLE_SECRET_KEY_BYTES];

  haven_bundle_generate_key_pair (other_public, other_secret);
  g_assert_true (haven_bundle_write (directory_db, content_dir, 9, "Someone else", other_secret,
                                     bundle, &error));
  g_assert_no_error (error);

  assert_refused (bundle, 0, HAVEN_BUNDLE_ERROR_SIGNATURE);
  g_assert_null (haven_bundle_verify (bundle, public_key, &error));
  g_assert_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_SIGNATURE);
}

static void
test_versions (void)
{
  g_autofree char *bundle = write_bundle ("versions.bundle", NULL, 100);

  assert_refused (bundle, 101, HAVEN_BUNDLE_ERROR_DOWNGRADE);
  assert_refused (bundle, G_MAXUINT64, HAVEN_BUNDLE_ERROR_DOWNGRADE);
  assert_refused (bundle, 100, HAVEN_BUNDLE_ERROR_SAME);
}

static guint32
read_manifest_length (const char *bundle)
{
  g_autofree guint8 *data = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (bundle, (char **) &data, &length, NULL));
  g_assert_cmpuint (length, >, HAVEN_BUNDLE_HEADER_BYTES);
  return (guint32) data[72] << 24 | (guint32) data[73] << 16 | (guint32) data[74] << 8 | data[75];
}

static int
compare_descending (gconstpointer a,
                    gconstpointer b)
{
  guint64 first = *(const guint64 *) a;
  guint64 second = *(const guint64 *) b;

  return first < second ? 1 : first > second ? -1 : 0;
}

/* Every length of the header and the manifest, and of windows in the
 * middle of each file and at the very end: a download cut anywhere. */
static void
test_truncated (void)
{
  g_autofree char *bundle = write_bundle ("truncated.bundle", content_dir, 11);
  g_autofree char *cut = work_path ("cut.bundle");
  g_autofree char *parent = make_folder ("truncated");
  g_autofree char *target = g_build_filename (parent, "unpacked", NULL);
  g_autoptr(HavenBundleManifest) manifest = NULL;
  g_autoptr(GArray) lengths = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GError) error = NULL;
  const HavenBundleFile *files;
  guint64 offset;
  guint64 size;
  guint n_files = 0;
  guint n_truncated = 0;
  GStatBuf info;

  manifest = haven_bundle_verify (bundle, public_key, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (bundle, &info), ==, 0);
  size = (guint64) info.st_size;

  offset = HAVEN_BUNDLE_HEADER_BYTES + read_manifest_length (bundle);
  for (guint64 length = 0; length <= offset + 16; length++)
    g_array_append_val (lengths, length);

  files = haven_bundle_manifest_get_files (manifest, &n_files);
  g_assert_cmpuint (n_files, ==, 5);
  for (guint i = 0; i < n_files; i++)
    {
      guint64 middle = offset + files[i].size / 2;

      for (guint64 length = middle - 8; length < middle + 8; length++)
        g_array_append_val (lengths, length);
      offset += files[i].size;
    }
  g_assert_cmpuint (offset, ==, size);
  for (guint64 length = size - 32; length < size; length++)
    g_array_append_val (lengths, length);

  /* Cut from the longest down, by truncating one copy again and again. */
  g_array_sort (lengths, compare_descending);
  {
    g_autofree char *data = NULL;
    gsize data_length = 0;

    g_assert_true (g_file_get_contents (bundle, &data, &data_length, NULL));
    g_assert_true (g_file_set_contents (cut, data, data_length, NULL));
  }

  for (guint i = 0; i < lengths->len; i++)
    {
      guint64 length = g_array_index (lengths, guint64, i);
      g_autoptr(GError) cut_error = NULL;

      if (i > 0 && length == g_array_index (lengths, guint64, i - 1))
        continue;

      g_assert_cmpint (truncate (cut, (off_t) length), ==, 0);
      if (haven_bundle_verify_and_unpack (cut, public_key, 0, target, NULL, &cut_error))
        g_error ("A bundle cut to %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes was taken",
                 length, size);

      if (!g_error_matches (cut_error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_TRUNCATED) &&
          !g_error_matches (cut_error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_SIGNATURE))
        g_error ("A bundle cut to %" G_GUINT64_FORMAT " bytes: %s", length, cut_error->message);
      if (g_error_matches (cut_error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_TRUNCATED))
        n_truncated++;

      assert_folder_holds_only (parent, NULL);
    }

  /* Within the header and the manifest, the header itself tells. */
  g_assert_cmpuint (n_truncated, >=, HAVEN_BUNDLE_HEADER_BYTES + read_manifest_length (bundle));
}

static void
flip_byte (const char *from,
           const char *to,
           gsize       offset)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (from, &data, &length, NULL));
  g_assert_cmpuint (offset, <, length);
  data[offset] ^= 0x01;
  g_assert_true (g_file_set_contents (to, data, length, NULL));
}

static void
test_flipped_byte (void)
{
  g_autofree char *bundle = write_bundle ("flipped.bundle", content_dir, 12);
  g_autofree char *flipped = work_path ("flipped-copy.bundle");
  guint32 manifest_length = read_manifest_length (bundle);
  gsize size;
  GStatBuf info;

  g_assert_cmpint (g_stat (bundle, &info), ==, 0);
  size = (gsize) info.st_size;

  {
    gsize offsets[] = {
      /* The signature, the manifest's length (its low byte, which keeps
       * the file long enough), the manifest, the files, the last byte. */
      HAVEN_BUNDLE_MAGIC_BYTES,
      HAVEN_BUNDLE_MAGIC_BYTES + HAVEN_BUNDLE_SIGNATURE_BYTES - 1,
      HAVEN_BUNDLE_HEADER_BYTES - 1,
      HAVEN_BUNDLE_HEADER_BYTES,
      HAVEN_BUNDLE_HEADER_BYTES + manifest_length / 2,
      HAVEN_BUNDLE_HEADER_BYTES + manifest_length,
      HAVEN_BUNDLE_HEADER_BYTES + manifest_length + 4096,
      (HAVEN_BUNDLE_HEADER_BYTES + manifest_length + size) / 2,
      size - 1,
    };

    for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
      {
        g_test_message ("Flipping a bit of byte %" G_GSIZE_FORMAT, offsets[i]);
        flip_byte (bundle, flipped, offsets[i]);
        assert_refused (flipped, 0, HAVEN_BUNDLE_ERROR_SIGNATURE);
      }
  }

  /* The magic is read before anything else: not a bundle at all. */
  flip_byte (bundle, flipped, 0);
  assert_refused (flipped, 0, HAVEN_BUNDLE_ERROR_FORMAT);
}

/* A manifest as a publisher's mistake or an attacker with the key would
 * write it: each of @paths with the bytes of the file beside it in
 * @sources, their sizes and checksums right. */
static char *
make_manifest (guint64             version,
               const char         *content_version,
               const char * const *paths,
               const char * const *sources)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, (gint64) version);
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, "2024-05-01T12:00:00Z");
  json_builder_set_member_name (builder, "publisher");
  json_builder_add_string_value (builder, "Test organisation");
  json_builder_set_member_name (builder, "directory");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, "directory.sqlite");
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, "services.json");
  json_builder_set_member_name (builder, "synced_at");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "services");
  json_builder_add_int_value (builder, 9);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "content");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  if (content_version != NULL)
    json_builder_add_string_value (builder, content_version);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "files");
  json_builder_begin_array (builder);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *data = NULL;
      g_autofree char *sha256 = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (sources[i], &data, &length, NULL));
      sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, paths[i]);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) length);
      json_builder_set_member_name (builder, "sha256");
      json_builder_add_string_value (builder, sha256);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, TRUE);
}

static char *
write_raw_bundle (const char         *name,
                  const char         *content_version,
                  const char * const *paths,
                  const char * const *sources)
{
  g_autofree char *manifest = make_manifest (20, content_version, paths, sources);
  g_autoptr(GError) error = NULL;
  char *path = work_path (name);

  g_assert_true (haven_bundle_write_raw (manifest, sources, secret_key, path, &error));
  g_assert_no_error (error);
  return path;
}

/* Signed by the right key, and still refused: the paths name files
 * outside the folder being unpacked, or none a kiosk could write. */
static void
test_unsafe_paths (void)
{
  g_autofree char *categories = g_build_filename (content_dir, "categories.xml", NULL);
  const char *bad_paths[] = {
    "../x",
    "content/../../x",
    "content/../x",
    "/tmp/x",
    "content\\x",
    "content//x",
    "content/./x",
    "content/",
    "content",
    "x",
    "content/a/b/c/d/e/f/g/h",
    "directory.sqlite",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad_paths); i++)
    {
      const char *paths[] = { "directory.sqlite", bad_paths[i], NULL };
      const char *sources[] = { directory_db, categories, NULL };
      g_autofree char *bundle = NULL;
      g_autofree char *escaped = g_build_filename (work_dir, "x", NULL);

      g_test_message ("A bundle with the path “%s”", bad_paths[i]);
      bundle = write_raw_bundle ("unsafe.bundle", "some-version", paths, sources);
      assert_refused (bundle, 0, HAVEN_BUNDLE_ERROR_FORMAT);
      g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
    }

  /* A file that is a folder of another. */
  {
    const char *paths[] = { "directory.sqlite", "content/a", "content/a/b", NULL };
    const char *sources[] = { directory_db, categories, categories, NULL };
    g_autofree char *bundle = write_raw_bundle ("unsafe.bundle", "v", paths, sources);

    assert_refused (bundle, 0, HAVEN_BUNDLE_ERROR_FORMAT);
  }

  /* Content files with no content version, and no directory at all. */
  {
    const char *paths[] = { "directory.sqlite", "content/categories.xml", NULL };
    const char *sources[] = { directory_db, categories, NULL };
    g_autofree char *bundle = write_raw_bundle ("unsafe.bundle", NULL, paths, sources);

    assert_refused (bundle, 0, HAVEN_BUNDLE_ERROR_FORMAT);
  }
  {
    const char *paths[] = { "content/categories.xml", NULL };
    const char *sources[] = { categories, NULL };
    g_autofree char *bundle = write_raw_bundle ("unsafe.bundle", "v", paths, sources);

    assert_refused (bundle, 0, HAVEN_BUNDLE_ERROR_FORMAT);
  }
}

/* Signed by the right key, and the files are what was signed, but the
 * kiosk could not use them. */
static void
test_unusable_files (void)
{
  g_autofree char *broken_content = make_folder ("broken-content");
  g_autofree char *not_a_database = NULL;
  const char * const *names = haven_content_get_file_names ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *bundle = NULL;

  /* The content a publisher's own check would have refused: a category
   * with no id. */
  g_ptr_array_add (paths, g_strdup ("directory.sqlite"));
  g_ptr_array_add (sources, g_strdup (directory_db));
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *from = g_build_filename (content_dir, names[i], NULL);
      g_autofree char *to = g_build_filename (broken_content, names[i], NULL);
      g_autofree char *data = NULL;

      g_assert_true (g_file_get_contents (from, &data, NULL, NULL));
      if (g_str_equal (names[i], "categories.xml"))
        {
          char *id = strstr (data, " id=\"");

          g_assert_nonnull (id);
          memcpy (id, " xx=", 4);
        }
      g_assert_true (g_file_set_contents (to, data, -1, NULL));
      g_ptr_array_add (paths, g_build_filename ("content", names[i], NULL));
      g_ptr_array_add (sources, g_steal_pointer (&to));
    }
  g_ptr_array_add (paths, NULL);
  g_ptr_array_add (sources, NULL);
  {
    g_autoptr(GPtrArray) problems = haven_content_check (broken_content, NULL, NULL, NULL);

    g_assert_cmpuint (problems->len, >, 0);
  }

  bundle = write_raw_bundle ("bad-content.bundle", "whatever",
                             (const char * const *) paths->pdata,
                             (const char * const *) sources->pdata);
  assert_refused (bundle, 0, HAVEN_BUNDLE_ERROR_CONTENT);
  g_clear_pointer (&bundle, g_free);

  /* A directory database that is no database. */
  not_a_database = write_file (work_dir, "not-a-database.sqlite",
                               "SQLite format 3, or so it says\n");
  {
    const char *raw_paths[] = { "directory.sqlite", NULL };
    const char *raw_sources[] = { not_a_database, NULL };

    bundle = write_raw_bundle ("bad-directory.bundle", NULL, raw_paths, raw_sources);
    assert_refused (bundle, 0, HAVEN_BUNDLE_ERROR_DIRECTORY);
  }
}

/* The publisher is told first: what a kiosk would refuse is never
 * written. */
static void
test_writer_refuses (void)
{
  g_autofree char *output = work_path ("refused.bundle");
  g_autofree char *broken_content = make_folder ("broken-content-writer");
  g_autofree char *not_a_database = write_file (work_dir, "not-a-database-either.sqlite",
                                                "hello\n");
  g_autofree char *broken = write_file (broken_content, "categories.xml", "<content");
  g_autoptr(GError) error = NULL;

  g_assert_false (haven_bundle_write (not_a_database, NULL, 1, "", secret_key, output, &error));
  g_assert_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_DIRECTORY);
  g_clear_error (&error);

  g_assert_false (haven_bundle_write (directory_db, broken_content, 1, "", secret_key, output,
                                      &error));
  g_assert_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_CONTENT);

  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
}

static void
test_target_exists (void)
{
  g_autofree char *bundle = write_bundle ("target-exists.bundle", NULL, 3);
  g_autofree char *target = make_folder ("target-exists");
  g_autofree char *kept = write_file (target, "kept", "what is in use");
  g_autoptr(GError) error = NULL;

  g_assert_false (haven_bundle_verify_and_unpack (bundle, public_key, 0, target, NULL, &error));
  g_assert_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_IO);
  assert_folder_holds_only (target, "kept");
}

static void
test_keys (void)
{
  g_autofree char *key_file = work_path ("signing.key");
  g_autofree char *encoded = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  guint8 read_back[HAVEN_BUNDLE_SECRET_KEY_BYTES];
  guint8 decoded[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
  guint8 derived[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
  GStatBuf info;

  g_unlink (key_file);
  g_assert_true (haven_bundle_write_secret_key_file (key_file, secret_key, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (key_file, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);

  g_assert_true (haven_bundle_read_secret_key_file (key_file, read_back, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (read_back, sizeof read_back, secret_key, sizeof secret_key);
  haven_bundle_secret_key_to_public (read_back, derived);
  g_assert_cmpmem (derived, sizeof derived, public_key, sizeof public_key);

  /* Never replaced: kiosks trust the key in it. */
  g_assert_false (haven_bundle_write_secret_key_file (key_file, secret_key, &error));
  g_assert_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_IO);
  g_clear_error (&error);

  /* Readable by others: refused, as ssh refuses such a key. */
  g_assert_cmpint (g_chmod (key_file, 0644), ==, 0);
  g_assert_false (haven_bundle_read_secret_key_file (key_file, read_back, &error));
  g_assert_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_KEY);
  g_clear_error (&error);

  /* A key whose halves do not belong together. */
  g_assert_cmpint (g_chmod (key_file, 0600), ==, 0);
  g_assert_true (g_file_get_contents (key_file, &contents, NULL, NULL));
  {
    guint8 mixed[HAVEN_BUNDLE_SECRET_KEY_BYTES];
    g_autofree char *text = NULL;

    memcpy (mixed, secret_key, sizeof mixed);
    mixed[40] ^= 0x01;
    text = g_base64_encode (mixed, sizeof mixed);
    g_assert_true (g_file_set_contents_full (key_file, text, -1, G_FILE_SET_CONTENTS_NONE, 0600,
                                             NULL));
  }
  g_assert_false (haven_bundle_read_secret_key_file (key_file, read_back, &error));
  g_assert_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_KEY);
  g_clear_error (&error);

  /* The public key, as the kiosk's settings hold it. */
  encoded = haven_bundle_encode_public_key (public_key);
  g_assert_true (haven_bundle_decode_public_key (encoded, decoded, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (decoded, sizeof decoded, public_key, sizeof public_key);

  g_assert_false (haven_bundle_decode_public_key ("not a key", decoded, &error));
  g_assert_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_KEY);
  g_clear_error (&error);
  /* 32 bytes, but no point of the curve: all 0xff. */
  g_assert_false (haven_bundle_decode_public_key ("//////////////////////////////////////////8=",
                                                  decoded, &error));
  g_assert_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_KEY);
}

static int
run_havenctl (const char * const *arguments,
              char              **standard_output,
              char              **standard_error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) g_getenv ("HAVENCTL"));
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) arguments[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, standard_output, standard_error, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

/* The operator's commands, end to end: a key, a bundle, and the bundle
 * shown with the right key and refused with another. */
static void
test_havenctl (void)
{
  g_autofree char *key_file = work_path ("havenctl.key");
  g_autofree char *bundle = work_path ("havenctl.bundle");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *public_text = NULL;
  g_autofree char *other_text = haven_bundle_encode_public_key (public_key);
  g_autoptr(GError) error = NULL;
  guint8 decoded[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];

  if (g_getenv ("HAVENCTL") == NULL)
    {
      g_test_skip ("HAVENCTL is not set");
      return;
    }

  g_unlink (key_file);
  {
    const char *arguments[] = { "bundle", "keygen", "--secret-file", key_file, NULL };

    g_assert_cmpint (run_havenctl (arguments, &out, &err), ==, 0);
  }
  public_text = g_strstrip (g_steal_pointer (&out));
  g_assert_true (haven_bundle_decode_public_key (public_text, decoded, &error));
  g_assert_no_error (error);
  g_clear_pointer (&err, g_free);

  {
    const char *arguments[] = {
      "bundle", "make", "--directory", directory_db, "--content", content_dir,
      "--secret-file", key_file, "--version", "42", "--publisher", "Haven tests",
      "--output", bundle, NULL
    };

    g_assert_cmpint (run_havenctl (arguments, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "version 42"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  {
    const char *arguments[] = { "bundle", "show", bundle, "--public-key", public_text, NULL };

    g_assert_cmpint (run_havenctl (arguments, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "version:    42"));
    g_assert_nonnull (strstr (out, "publisher:  Haven tests"));
    g_assert_nonnull (strstr (out, "9 services"));
    g_assert_nonnull (strstr (out, "services.json"));
    g_assert_nonnull (strstr (out, "5 files"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  {
    const char *arguments[] = { "bundle", "show", bundle, "--public-key", other_text, NULL };

    g_assert_cmpint (run_havenctl (arguments, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "not signed by the organisation’s key"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HavenDirectoryImporter) importer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  work_dir = g_dir_make_tmp ("haven-test-bundle-XXXXXX", &error);
  g_assert_no_error (error);

  directory_db = work_path ("directory.sqlite");
  source = g_test_build_filename (G_TEST_DIST, "data", "directory", "services.json", NULL);
  importer = haven_directory_importer_new (source, directory_db);
  if (!haven_directory_importer_run (importer, NULL, &error))
    g_error ("Importing the fixture failed: %s", error->message);
  content_dir = g_test_build_filename (G_TEST_DIST, "data", "content", "valid", NULL);

  haven_bundle_generate_key_pair (public_key, secret_key);

  g_test_add_func ("/haven/bundle/round-trip", test_round_trip);
  g_test_add_func ("/haven/bundle/directory-alone", test_directory_alone);
  g_test_add_func ("/haven/bundle/other-key", test_other_key);
  g_test_add_func ("/haven/bundle/versions", test_versions);
  g_test_add_func ("/haven/bundle/truncated", test_truncated);
  g_test_add_func ("/haven/bundle/flipped-byte", test_flipped_byte);
  g_test_add_func ("/haven/bundle/unsafe-paths", test_unsafe_paths);
  g_test_add_func ("/haven/bundle/unusable-files", test_unusable_files);
  g_test_add_func ("/haven/bundle/writer-refuses", test_writer_refuses);
  g_test_add_func ("/haven/bundle/target-exists", test_target_exists);
  g_test_add_func ("/haven/bundle/keys", test_keys);
  g_test_add_func ("/haven/bundle/havenctl", test_havenctl);

  status = g_test_run ();

  remove_tree (work_dir);
  g_free (work_dir);
  g_free (directory_db);
  g_free (content_dir);
  sodium_memzero (secret_key, sizeof secret_key);
  return status;
}
