/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-kiosk-status"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "haven-kiosk-status.h"
#include "haven-sender.h"
#include "haven-status-reporter.h"
#include "receiver-process.h"

/* The kiosk's status report reaching a backend: a SoupServer over TLS on
 * 127.0.0.1, with the PKI of tests/make-pki.sh, that records what it is
 * sent. From `havenctl backend report-status` and from the kiosk's timer,
 * with the settings submissions use: the CA, the pinned key, the token. */

#define TOKEN "kiosk-token-7f3a"
#define MARKER "status-visitor-words-91c4"

typedef struct {
  char *method;
  char *path;
  char *content_type;
  char *authorization;
  char *user_agent;
  char *body;
} Report;

static void
report_free (Report *report)
{
  g_free (report->method);
  g_free (report->path);
  g_free (report->content_type);
  g_free (report->authorization);
  g_free (report->user_agent);
  g_free (report->body);
  g_free (report);
}

typedef struct {
  char *folder;
  char *config_home;
  char *outbox_path;
  GSettings *settings;
  SoupServer *server;
  char *url;
  /* Report *, as received. */
  GPtrArray *reports;
  /* How many to answer 503 before answering 204. */
  guint busy;
} Fixture;

static guint case_count;

static void
report_cb (SoupServer        *server,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Fixture *fixture = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  g_autoptr(GBytes) body = NULL;
  Report *report;

  /* A submission the kiosk's delivery makes of a queued request: not what
   * these tests are about, and told to come back much later. */
  if (g_strcmp0 (path, HAVEN_API_KIOSK_STATUS_PATH) != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                    "Retry-After", "3600");
      soup_server_message_set_status (message, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      return;
    }

  body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  report = g_new0 (Report, 1);

  report->method = g_strdup (soup_server_message_get_method (message));
  report->path = g_strdup (path);
  report->content_type = g_strdup (soup_message_headers_get_one (headers, "Content-Type"));
  report->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  report->user_agent = g_strdup (soup_message_headers_get_one (headers, "User-Agent"));
  report->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_ptr_array_add (fixture->reports, report);

  if (fixture->busy > 0)
    {
      fixture->busy--;
      soup_server_message_set_status (message, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      return;
    }
  soup_server_message_set_status (message, SOUP_STATUS_NO_CONTENT, NULL);
}

/* Listens on a free port of 127.0.0.1 over TLS, with the certificate
 * make-pki.sh made for the receiver. */
static void
start_server (Fixture *fixture)
{
  g_autofree char *certificate_file = work_path ("server.pem");
  g_autofree char *key_file = work_path ("server-key.pem");
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  certificate = g_tls_certificate_new_from_files (certificate_file, key_file, &error);
  g_assert_no_error (error);
  fixture->server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (fixture->server, NULL, report_cb, fixture, NULL);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, TRUE, &error));
  g_assert_true (g_socket_listen (socket, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  soup_server_listen_socket (fixture->server, socket, SOUP_SERVER_LISTEN_HTTPS, &error);
  g_assert_no_error (error);
  fixture->url = g_strdup_printf ("https://127.0.0.1:%u",
                                  g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *name = g_strdup_printf ("case-%u", ++case_count);
  g_autofree char *ca_file = work_path ("ca.pem");
  g_autofree char *token_file = NULL;
  g_autofree char *pin = pin_for_key_file ("server-key.pem");
  const char *pins[] = { pin, NULL };

  fixture->folder = work_path (name);
  fixture->config_home = g_build_filename (fixture->folder, "config", NULL);
  fixture->outbox_path = g_build_filename (fixture->folder, "outbox.sqlite", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->folder, 0700), ==, 0);
  token_file = write_file (fixture->folder, "token", TOKEN "\n");
  fixture->reports = g_ptr_array_new_with_free_func ((GDestroyNotify) report_free);
  start_server (fixture);

  fixture->settings = keyfile_settings_new (fixture->config_home);
  g_settings_set_string (fixture->settings, "backend-url", fixture->url);
  g_settings_set_string (fixture->settings, "ca-file", ca_file);
  g_settings_set_strv (fixture->settings, "pinned-keys", pins);
  g_settings_set_string (fixture->settings, "token-file", token_file);
  g_settings_set_string (fixture->settings, "outbox-file", fixture->outbox_path);
  g_settings_set_string (fixture->settings, "kiosk-id", "station-12-lobby");
  g_settings_set_uint (fixture->settings, "request-timeout", 10);
  /* The visitor's words stay in the outbox as they are, for the report to
   * leave out. */
  g_settings_set_boolean (fixture->settings, "allow-unsealed-outbox", TRUE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->settings);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_clear_pointer (&fixture->reports, g_ptr_array_unref);
  g_free (fixture->url);
  g_free (fixture->outbox_path);
  g_free (fixture->config_home);
  g_free (fixture->folder);
}

/* A visitor's removal request, queued, with the marker in what they
 * typed. */
static void
enqueue_request (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenOutbox) outbox = haven_outbox_new_from_settings (fixture->settings, &error);
  g_autoptr(HavenRequest) request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);

  g_assert_no_error (error);
  haven_request_set_category (request, "harassment");
  haven_request_add_item (request, "https://example.social/p/1", NULL, MARKER);
  haven_request_set_reporter_role (request, "self");
  haven_request_set_declaration_accurate (request, TRUE);
  haven_request_set_declaration_authorised (request, TRUE);
  haven_request_confirm (request, "station-12-lobby", "en");
  g_assert_true (haven_outbox_enqueue_request (outbox, request, &error));
  g_assert_no_error (error);
}

/* Runs havenctl while this process's main context serves its requests. */
static int
run_havenctl_served (Fixture             *fixture,
                     const char * const  *arguments,
                     char               **standard_output,
                     char               **standard_error)
{
  g_autoptr(GSubprocess) havenctl = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  havenctl = spawn_havenctl (fixture->config_home,
                             G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             arguments);
  g_subprocess_communicate_utf8_async (havenctl, NULL, NULL, store_result_cb, &result);
  g_subprocess_communicate_utf8_finish (havenctl, wait_for_result (&result), standard_output,
                                        standard_error, &error);
  g_assert_no_error (error);
  g_test_message ("havenctl ended with status %d; stdout: %s; stderr: %s",
                  g_subprocess_get_status (havenctl), *standard_output, *standard_error);
  g_assert_true (g_subprocess_get_if_exited (havenctl));

  return g_subprocess_get_exit_status (havenctl);
}

/* The headers every request to the backend carries, and the body's
 * members: what each report must have. */
static JsonObject *
assert_report (Report     *report,
               JsonParser *parser)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *user_agent = g_strdup_printf ("Haven/%s", PACKAGE_VERSION);
  JsonObject *root;

  g_assert_cmpstr (report->method, ==, "POST");
  g_assert_cmpstr (report->path, ==, HAVEN_API_KIOSK_STATUS_PATH);
  g_assert_cmpstr (report->content_type, ==, "application/json");
  g_assert_cmpstr (report->authorization, ==, "Bearer " TOKEN);
  g_assert_cmpstr (report->user_agent, ==, user_agent);
  g_assert_cmpuint (strlen (report->body), <=, HAVEN_KIOSK_STATUS_MAX_BODY_BYTES);
  g_assert_null (strstr (report->body, MARKER));

  g_assert_true (json_parser_load_from_data (parser, report->body, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "kiosk_id"), ==, "station-12-lobby");
  g_assert_cmpstr (json_object_get_string_member (root, "version"), ==, PACKAGE_VERSION);
  g_assert_true (json_object_has_member (root, "reported_at"));

  return root;
}

static void
test_havenctl (Fixture       *fixture,
               gconstpointer  user_data)
{
  const char * const arguments[] = { "backend", "report-status", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *sent = NULL;
  JsonObject *root;

  enqueue_request (fixture);

  g_assert_cmpint (run_havenctl_served (fixture, arguments, &out, &err), ==, 0);
  g_assert_cmpuint (fixture->reports->len, ==, 1);
  root = assert_report (g_ptr_array_index (fixture->reports, 0), parser);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "outbox"),
                                               "queued"), ==, 1);
  g_assert_true (json_object_get_null_member (root, "last_error"));
  /* The content in use is the shipped one, which havenctl finds. */
  g_assert_nonnull (json_object_get_string_member (root, "content_version"));

  /* It prints what it sent, and what came of it. */
  sent = g_strdup_printf ("Status report sent to %s: HTTP 204\n", fixture->url);
  g_assert_true (g_str_has_prefix (out, ((Report *) g_ptr_array_index (fixture->reports, 0))->body));
  g_assert_true (g_str_has_suffix (out, sent));
  g_assert_null (strstr (out, MARKER));
  g_assert_cmpstr (err, ==, "");
}

/* A backend whose key is not the pinned one gets nothing, as for
 * submissions, and a busy backend is said to be: havenctl fails. */
static void
test_havenctl_refused (Fixture       *fixture,
                       gconstpointer  user_data)
{
  const char * const arguments[] = { "backend", "report-status", NULL };
  g_autofree char *other_pin = pin_for_key_file ("other-key.pem");
  const char *pins[] = { other_pin, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *busy_out = NULL;
  g_autofree char *busy_err = NULL;
  g_auto(GStrv) good_pins = g_settings_get_strv (fixture->settings, "pinned-keys");

  g_settings_set_strv (fixture->settings, "pinned-keys", pins);
  g_assert_cmpint (run_havenctl_served (fixture, arguments, &out, &err), ==, 1);
  g_assert_true (g_str_has_prefix (err, "The status report was not sent: "));
  g_assert_nonnull (strstr (err, "pinned-keys"));
  g_assert_cmpuint (fixture->reports->len, ==, 0);

  g_settings_set_strv (fixture->settings, "pinned-keys", (const char * const *) good_pins);
  fixture->busy = 1;
  g_assert_cmpint (run_havenctl_served (fixture, arguments, &busy_out, &busy_err), ==, 1);
  g_assert_nonnull (strstr (busy_err, "HTTP 503"));
  /* Once: a report is never sent again in a loop. */
  g_assert_cmpuint (fixture->reports->len, ==, 1);
}

static void
versions_cb (gpointer   user_data,
             char     **directory_version,
             char     **content_version)
{
  *directory_version = g_strdup ("2026-11-20T08:00:00+00");
  *content_version = g_strdup ("a1b2c3d4e5f6");
}

/* The kiosk's timer: a report each interval, the next one whatever became
 * of the last (here a 503), with the same settings; 0 turns it off. */
static void
test_kiosk_timer (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(HavenSender) sender = NULL;
  g_autoptr(HavenStatusReporter) reporter = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  enqueue_request (fixture);
  fixture->busy = 1;
  sender = haven_sender_new (fixture->settings);
  g_assert_nonnull (haven_sender_ensure_delivery (sender, &error));
  g_assert_no_error (error);

  reporter = haven_status_reporter_new (fixture->settings, sender, versions_cb, NULL, NULL);
  g_settings_set_uint (fixture->settings, "status-report-interval", 10);
  g_assert_cmpuint (haven_status_reporter_get_interval (reporter), ==, 30);
  g_settings_set_uint (fixture->settings, "status-report-interval", 0);
  g_assert_cmpuint (haven_status_reporter_get_interval (reporter), ==, 0);
  g_settings_set_uint (fixture->settings, "status-report-interval", 1);
  haven_status_reporter_set_min_interval (reporter, 1);
  g_assert_cmpuint (haven_status_reporter_get_interval (reporter), ==, 1);
  haven_status_reporter_start (reporter);

  /* Waiting for: two reports, the first answered 503, at one a second. */
  deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  while (fixture->reports->len < 2)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_settings_set_uint (fixture->settings, "status-report-interval", 0);

  for (guint i = 0; i < fixture->reports->len; i++)
    {
      Report *report = g_ptr_array_index (fixture->reports, i);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *root = assert_report (report, parser);

      g_assert_cmpstr (json_object_get_string_member (root, "directory_version"), ==,
                       "2026-11-20T08:00:00+00");
      g_assert_cmpstr (json_object_get_string_member (root, "content_version"), ==,
                       "a1b2c3d4e5f6");
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  work_dir_init ("kiosk-status");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/haven/kiosk-status/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("havenctl", test_havenctl);
  ADD ("havenctl-refused", test_havenctl_refused);
  ADD ("kiosk-timer", test_kiosk_timer);

#undef ADD

  status = g_test_run ();
  work_dir_remove ();

  return status;
}
