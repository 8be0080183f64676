/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receiver-bundle"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "haven-bundle.h"
#include "haven-directory-import.h"
#include "haven-request.h"
#include "receiver-process.h"

/* GET /v1/bundle from a real haven-receiver over TLS on 127.0.0.1: the
 * bundle `havenctl bundle make` wrote, with an ETag; 304 and no body for
 * a kiosk that has it; a new ETag and the new bytes once a new bundle is
 * renamed over the file; 401 without the kiosk's token; 404 with no
 * bundle. What a kiosk downloads, it verifies and unpacks. */

#define TOKEN "kiosk-token-bundle-1"

static char *directory_db;
static guint8 public_key[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
static guint8 secret_key[HAVEN_BUNDLE_SECRET_KEY_BYTES];

typedef struct {
  ReceiverProcess *receiver;
  SoupSession *session;
} Fixture;

static void
fixture_start (Fixture            *fixture,
               const char * const *options)
{
  g_autofree char *ca = work_path ("ca.pem");
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  fixture->receiver = receiver_process_start_tls (options);

  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  fixture->session = soup_session_new_with_options ("timeout", 10 * test_slowdown (), NULL);
  soup_session_set_tls_database (fixture->session, database);
}

static void
fixture_stop (Fixture *fixture)
{
  g_clear_object (&fixture->session);
  g_clear_pointer (&fixture->receiver, receiver_process_stop);
}

/* GET /v1/bundle as a kiosk sends it; @token and @if_none_match may be
 * NULL to leave their header out. */
static SoupMessage *
get_bundle (Fixture     *fixture,
            const char  *method,
            const char  *token,
            const char  *if_none_match,
            GBytes     **body)
{
  g_autofree char *url = g_strconcat (fixture->receiver->url, HAVEN_API_BUNDLE_PATH, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);

  if (token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
    }
  if (if_none_match != NULL)
    soup_message_headers_replace (headers, "If-None-Match", if_none_match);

  soup_session_send_and_read_async (fixture->session, message, G_PRIORITY_DEFAULT, NULL,
                                    store_result_cb, &result);
  *body = soup_session_send_and_read_finish (fixture->session, wait_for_result (&result),
                                             &error);
  g_assert_no_error (error);

  return g_steal_pointer (&message);
}

static const char *
get_response_header (SoupMessage *message,
                     const char  *name)
{
  return soup_message_headers_get_one (soup_message_get_response_headers (message), name);
}

static void
write_bundle (const char *path,
              guint64     version)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *content = g_test_build_filename (G_TEST_DIST, "data", "content", "valid",
                                                    NULL);

  g_assert_true (haven_bundle_write (directory_db, content, version, "Test organisation",
                                     secret_key, path, &error));
  g_assert_no_error (error);
}

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, &error);

  g_assert_no_error (error);
  return g_mapped_file_get_bytes (file);
}

/* The downloaded bytes, taken as a kiosk takes them. */
static void
assert_kiosk_takes (GBytes  *body,
                    guint64  version_in_use,
                    guint64  expected_version)
{
  g_autofree char *name = g_strdup_printf ("downloaded-%" G_GUINT64_FORMAT, expected_version);
  g_autofree char *downloaded = work_path (name);
  g_autofree char *target_name = g_strconcat (name, "-unpacked", NULL);
  g_autofree char *target = work_path (target_name);
  g_autoptr(HavenBundleManifest) manifest = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (downloaded, g_bytes_get_data (body, NULL),
                                      (gssize) g_bytes_get_size (body), &error));
  g_assert_no_error (error);
  g_assert_true (haven_bundle_verify_and_unpack (downloaded, public_key, version_in_use, target,
                                                 &manifest, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (haven_bundle_manifest_get_version (manifest), ==, expected_version);
  g_assert_cmpuint (haven_bundle_manifest_get_n_services (manifest), ==, 9);
}

static void
test_serves (void)
{
  g_autofree char *published = work_path ("published.bundle");
  g_autofree char *tokens = work_path ("tokens");
  const char *options[] = { "--token-file", tokens, "--bundle", published, "--verbose", NULL };
  Fixture fixture = { NULL, };
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *length = NULL;

  write_bundle (published, 1);
  expected = read_file (published);
  fixture_start (&fixture, options);

  /* The bytes of the file, with an ETag. */
  message = get_bundle (&fixture, "GET", TOKEN, NULL, &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (get_response_header (message, "Content-Type"), ==,
                   HAVEN_API_CONTENT_TYPE_BUNDLE);
  length = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (expected));
  g_assert_cmpstr (get_response_header (message, "Content-Length"), ==, length);
  g_assert_true (g_bytes_equal (body, expected));
  etag = g_strdup (get_response_header (message, "ETag"));
  g_assert_nonnull (etag);
  g_assert_true (g_regex_match_simple ("^\"[0-9a-f]{32}\"$", etag, 0, 0));
  assert_kiosk_takes (body, 0, 1);
  g_clear_object (&message);
  g_clear_pointer (&body, g_bytes_unref);

  /* A kiosk that has it: 304, no body, the same ETag. */
  message = get_bundle (&fixture, "GET", TOKEN, etag, &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_NOT_MODIFIED);
  g_assert_cmpuint (g_bytes_get_size (body), ==, 0);
  g_assert_cmpstr (get_response_header (message, "ETag"), ==, etag);
  g_clear_object (&message);
  g_clear_pointer (&body, g_bytes_unref);

  /* One that has another: the whole bundle. */
  message = get_bundle (&fixture, "GET", TOKEN, "\"00000000000000000000000000000000\"", &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_OK);
  g_assert_true (g_bytes_equal (body, expected));
  g_clear_object (&message);
  g_clear_pointer (&body, g_bytes_unref);

  /* HEAD: the headers alone. */
  message = get_bundle (&fixture, "HEAD", TOKEN, NULL, &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (g_bytes_get_size (body), ==, 0);
  g_assert_cmpstr (get_response_header (message, "ETag"), ==, etag);
  g_clear_object (&message);
  g_clear_pointer (&body, g_bytes_unref);

  /* Without the kiosk's token, or with a wrong one: nothing. */
  message = get_bundle (&fixture, "GET", NULL, NULL, &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_false (g_bytes_equal (body, expected));
  g_assert_null (get_response_header (message, "ETag"));
  g_clear_object (&message);
  g_clear_pointer (&body, g_bytes_unref);
  message = get_bundle (&fixture, "GET", "not-a-token", etag, &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_UNAUTHORIZED);
  g_clear_object (&message);
  g_clear_pointer (&body, g_bytes_unref);

  /* A new bundle renamed over the file: served from the next request,
   * under a new ETag, also to a kiosk that sends the old one. */
  write_bundle (published, 2);
  g_clear_pointer (&expected, g_bytes_unref);
  expected = read_file (published);
  message = get_bundle (&fixture, "GET", TOKEN, etag, &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_OK);
  g_assert_true (g_bytes_equal (body, expected));
  g_assert_nonnull (get_response_header (message, "ETag"));
  g_assert_cmpstr (get_response_header (message, "ETag"), !=, etag);
  assert_kiosk_takes (body, 1, 2);
  g_clear_object (&message);
  g_clear_pointer (&body, g_bytes_unref);

  /* Taken away: 404. */
  g_assert_cmpint (g_unlink (published), ==, 0);
  message = get_bundle (&fixture, "GET", TOKEN, NULL, &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_NOT_FOUND);
  g_clear_object (&message);

  fixture_stop (&fixture);
}

/* With the compressed copy beside it, a kiosk that takes gzip (libsoup
 * asks for it and decodes it) gets that, and reads the same bundle; one
 * left from an earlier bundle is not sent. */
static void
test_compressed (void)
{
  g_autofree char *published = work_path ("compressed.bundle");
  g_autofree char *copy = NULL;
  g_autofree char *stale_copy = NULL;
  g_autofree char *tokens = work_path ("tokens");
  const char *options[] = { "--token-file", tokens, "--bundle", published, NULL };
  Fixture fixture = { NULL, };
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf plain;
  GStatBuf compressed;

  write_bundle (published, 3);
  copy = haven_bundle_write_compressed_copy (published, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (published, &plain), ==, 0);
  g_assert_cmpint (g_stat (copy, &compressed), ==, 0);
  g_test_message ("bundle %ld bytes, compressed %ld", (long) plain.st_size,
                  (long) compressed.st_size);
  g_assert_cmpint (compressed.st_size, <, plain.st_size);
  expected = read_file (published);
  fixture_start (&fixture, options);

  message = get_bundle (&fixture, "GET", TOKEN, NULL, &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (get_response_header (message, "Content-Encoding"), ==, "gzip");
  g_assert_true (g_bytes_equal (body, expected));
  assert_kiosk_takes (body, 2, 3);
  g_clear_object (&message);
  g_clear_pointer (&body, g_bytes_unref);

  /* A new bundle without its copy yet: the old copy is not sent. */
  write_bundle (published, 4);
  g_assert_true (g_file_test (copy, G_FILE_TEST_EXISTS));
  g_clear_pointer (&expected, g_bytes_unref);
  expected = read_file (published);
  message = get_bundle (&fixture, "GET", TOKEN, NULL, &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_OK);
  g_assert_null (get_response_header (message, "Content-Encoding"));
  g_assert_true (g_bytes_equal (body, expected));
  g_clear_object (&message);
  g_clear_pointer (&body, g_bytes_unref);

  /* Its own copy: sent, and the old one removed. */
  stale_copy = g_steal_pointer (&copy);
  copy = haven_bundle_write_compressed_copy (published, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (stale_copy, G_FILE_TEST_EXISTS));
  message = get_bundle (&fixture, "GET", TOKEN, NULL, &body);
  g_assert_cmpstr (get_response_header (message, "Content-Encoding"), ==, "gzip");
  g_assert_true (g_bytes_equal (body, expected));

  fixture_stop (&fixture);
}

static void
test_no_bundle (void)
{
  Fixture fixture = { NULL, };
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;

  fixture_start (&fixture, NULL);
  message = get_bundle (&fixture, "GET", NULL, NULL, &body);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_NOT_FOUND);
  g_assert_null (get_response_header (message, "ETag"));
  fixture_stop (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HavenDirectoryImporter) importer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tokens = NULL;
  g_autofree char *source = NULL;
  int status;

  work_dir_init ("receiver-bundle");
  g_test_init (&argc, &argv, NULL);

  tokens = work_path ("tokens");
  g_assert_true (g_file_set_contents (tokens, TOKEN "\n", -1, &error));
  g_assert_no_error (error);

  directory_db = work_path ("directory.sqlite");
  source = g_test_build_filename (G_TEST_DIST, "data", "directory", "services.json", NULL);
  importer = haven_directory_importer_new (source, directory_db);
  if (!haven_directory_importer_run (importer, NULL, &error))
    g_error ("Importing the fixture failed: %s", error->message);
  haven_bundle_generate_key_pair (public_key, secret_key);

  g_test_add_func ("/haven/receiver-bundle/serves", test_serves);
  g_test_add_func ("/haven/receiver-bundle/no-bundle", test_no_bundle);
  g_test_add_func ("/haven/receiver-bundle/compressed", test_compressed);

  status = g_test_run ();

  g_clear_pointer (&directory_db, g_free);
  work_dir_remove ();
  return status;
}
