/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-sender"

#include "config.h"

#include <libsoup/soup.h>

#include "haven-request-envelope.h"
#include "haven-sender.h"
#include "receiver-process.h"

/* Sending a visitor's confirmed request as the kiosk does, one call, and
 * what the session says became of it: against a real haven-receiver over
 * TLS, a backend that refuses the request, and one that is down. */

typedef struct {
  GSettings *settings;
  HavenSender *sender;
  HavenSession *session;
  char *outbox_path;
} Fixture;

static guint case_count;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *name = g_strdup_printf ("case-%u", ++case_count);
  g_autofree char *folder = work_path (name);
  g_autofree char *config_home = g_build_filename (folder, "config", NULL);
  g_autofree char *ca_file = work_path ("ca.pem");

  fixture->outbox_path = g_build_filename (folder, "outbox.sqlite", NULL);
  fixture->settings = keyfile_settings_new (config_home);
  g_settings_set_string (fixture->settings, "outbox-file", fixture->outbox_path);
  g_settings_set_string (fixture->settings, "ca-file", ca_file);
  g_settings_set_string (fixture->settings, "kiosk-id", "test-kiosk");
  /* A hung request fails the case in seconds rather than at meson's
   * timeout. */
  g_settings_set_uint (fixture->settings, "request-timeout", 10);
  /* These cases are about what the session is told; sealing is
   * test-outbox's and test-delivery's, and "refused-unsealed" turns this
   * off again. */
  g_settings_set_boolean (fixture->settings, "allow-unsealed-outbox", TRUE);
  fixture->sender = haven_sender_new (fixture->settings);
  fixture->session = haven_session_new ("es");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->sender);
  g_clear_object (&fixture->settings);
  g_free (fixture->outbox_path);
}

static HavenRequest *
new_removal_request (void)
{
  HavenRequest *request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);

  haven_request_set_category (request, "harassment");
  haven_request_add_item (request, "https://example.social/p/1", NULL, "about me");
  haven_request_set_reporter_role (request, "self");
  haven_request_set_declaration_accurate (request, TRUE);
  haven_request_set_declaration_authorised (request, TRUE);

  return request;
}

/* Points the kiosk at @url, and lets its delivery start: its first flush,
 * and the new backend the settings change asks for, are over before the
 * visitor sends, as on a kiosk that has been running a while. */
static void
use_backend (Fixture    *fixture,
             const char *url)
{
  g_autoptr(GError) error = NULL;
  gint64 settled;

  g_settings_set_string (fixture->settings, "backend-url", url);
  g_assert_nonnull (haven_sender_ensure_delivery (fixture->sender, &error));
  g_assert_no_error (error);

  settled = g_get_monotonic_time () + 300 * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < settled)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2 * G_TIME_SPAN_MILLISECOND);
    }
}

/* Counts every notification of the session's submission state. */
static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* Sends @request in one call and waits for it. The session says SENDING
 * before the call returns. */
static gboolean
submit (Fixture       *fixture,
        HavenRequest  *request,
        GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  haven_sender_submit_async (fixture->sender, fixture->session, request, NULL,
                             store_result_cb, &result);
  g_assert_cmpint (haven_session_get_submission_state (fixture->session), ==,
                   HAVEN_SUBMISSION_SENDING);

  return haven_sender_submit_finish (fixture->sender, wait_for_result (&result), error);
}

static HavenOutboxEntry *
lookup (Fixture    *fixture,
        const char *request_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenOutbox) outbox = haven_outbox_new (fixture->outbox_path, &error);
  HavenOutboxEntry *entry;

  g_assert_no_error (error);
  entry = haven_outbox_lookup (outbox, request_id, FALSE, &error);
  g_assert_no_error (error);

  return entry;
}

static void
test_delivered (Fixture       *fixture,
                gconstpointer  user_data)
{
  ReceiverProcess *receiver = receiver_process_start_tls (NULL);
  g_autoptr(HavenRequest) request = new_removal_request ();
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  guint notified = 0;
  const char *reference;

  use_backend (fixture, receiver->url);
  g_signal_connect (fixture->session, "notify::submission-state", G_CALLBACK (count_notify_cb),
                    &notified);

  g_assert_true (submit (fixture, request, &error));
  g_assert_no_error (error);

  /* Sending, then sent. */
  g_assert_cmpuint (notified, ==, 2);
  g_assert_cmpint (haven_session_get_submission_state (fixture->session), ==, HAVEN_SUBMISSION_SENT);
  reference = haven_session_get_submission_reference (fixture->session);
  g_assert_true (g_regex_match_simple ("^HV-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$", reference, 0, 0));
  g_assert_null (haven_session_get_submission_field_errors (fixture->session));
  /* Confirmed as this kiosk, in the visitor's language. */
  g_assert_cmpstr (haven_request_get_kiosk_id (request), ==, "test-kiosk");
  g_assert_cmpstr (haven_request_get_locale (request), ==, "es");

  entry = lookup (fixture, haven_request_get_request_id (request));
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_DELIVERED);
  g_assert_cmpstr (entry->case_reference, ==, reference);
  g_assert_cmpuint (receiver_process_count_requests (receiver, entry->request_id), ==, 1);

  receiver_process_stop (receiver);
}

/* A backend on 127.0.0.1 that refuses every request with 400 and the
 * field errors of API.md. */
static void
refuse_cb (SoupServer        *server,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  static const char body[] = "{\"error\":\"invalid request\","
                             "\"fields\":{\"items[0].url\":\"this page cannot be found\"}}";

  soup_server_message_set_status (message, SOUP_STATUS_BAD_REQUEST, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                    body, sizeof body - 1);
}

/* Listens on a free port of 127.0.0.1, over plain HTTP, which the kiosk
 * allows there only with allow-insecure-loopback. The port is read from
 * the socket: soup_server_get_uris() of libsoup 3.2 leaks an address on
 * each call, which valgrind reports. */
static SoupServer *
start_server (Fixture *fixture)
{
  SoupServer *server = soup_server_new (NULL, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, TRUE, &error));
  g_assert_true (g_socket_listen (socket, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  soup_server_listen_socket (server, socket, 0, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  g_settings_set_boolean (fixture->settings, "allow-insecure-loopback", TRUE);
  use_backend (fixture, url);

  return server;
}

/* Refuses the first submission as refuse_cb() does, and accepts the
 * rest. */
static void
refuse_once_cb (SoupServer        *server,
                SoupServerMessage *message,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  static const char accepted[] = "{\"case_reference\":\"HV-TEST-0001\",\"status\":\"received\"}";
  guint *count = user_data;

  if ((*count)++ == 0)
    {
      refuse_cb (server, message, path, query, NULL);
      return;
    }

  soup_server_message_set_status (message, SOUP_STATUS_CREATED, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                    accepted, sizeof accepted - 1);
}

static gboolean
is_in_outbox (Fixture    *fixture,
              const char *request_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenOutbox) outbox = haven_outbox_new (fixture->outbox_path, &error);
  g_autoptr(HavenOutboxEntry) entry = NULL;

  g_assert_no_error (error);
  entry = haven_outbox_lookup (outbox, request_id, FALSE, &error);
  if (g_error_matches (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_FOUND))
    return FALSE;
  g_assert_no_error (error);
  return TRUE;
}

static void
test_refused_with_field_errors (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(SoupServer) server = start_server (fixture);
  g_autoptr(HavenRequest) request = new_removal_request ();
  g_autoptr(HavenOutboxEntry) refused = NULL;
  g_autofree char *refused_id = NULL;
  g_autoptr(GError) error = NULL;
  GHashTable *field_errors;
  guint count = 0;
  gint64 deadline;

  soup_server_add_handler (server, NULL, refuse_once_cb, &count, NULL);

  g_assert_true (submit (fixture, request, &error));
  g_assert_no_error (error);

  g_assert_cmpint (haven_session_get_submission_state (fixture->session), ==,
                   HAVEN_SUBMISSION_INVALID);
  g_assert_null (haven_session_get_submission_reference (fixture->session));
  field_errors = haven_session_get_submission_field_errors (fixture->session);
  g_assert_nonnull (field_errors);
  g_assert_cmpstr (g_hash_table_lookup (field_errors, "items[0].url"), ==, "this page cannot be found");

  /* Kept for the staff, in case the visitor walks away now. */
  refused_id = g_strdup (haven_request_get_request_id (request));
  refused = lookup (fixture, refused_id);
  g_assert_cmpint (refused->state, ==, HAVEN_OUTBOX_STATE_FAILED);
  g_assert_cmpuint (refused->http_status, ==, 400);

  /* The visitor corrects it and sends it again, as a new request: once
   * that one is saved, the refused one is of no use to anyone. */
  g_assert_true (submit (fixture, request, &error));
  g_assert_no_error (error);
  g_assert_cmpint (haven_session_get_submission_state (fixture->session), ==,
                   HAVEN_SUBMISSION_SENT);
  g_assert_cmpstr (haven_request_get_request_id (request), !=, refused_id);
  g_assert_true (is_in_outbox (fixture, haven_request_get_request_id (request)));
  /* Waiting for: the refused request deleted from the outbox. */
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (is_in_outbox (fixture, refused_id))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5 * G_TIME_SPAN_MILLISECOND);
    }
}

/* No backend-public-key, and allow-unsealed-outbox off, as every kiosk is
 * until someone gives it a key: the session says NOT_SEALED, and the
 * outbox holds nothing. */
static void
test_refused_unsealed (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(SoupServer) server = start_server (fixture);
  g_autoptr(HavenRequest) request = new_removal_request ();
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  soup_server_add_handler (server, NULL, refuse_cb, NULL, NULL);
  g_settings_set_boolean (fixture->settings, "allow-unsealed-outbox", FALSE);

  g_assert_false (submit (fixture, request, &error));
  g_assert_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_SEALED);
  g_assert_cmpint (haven_session_get_submission_state (fixture->session), ==,
                   HAVEN_SUBMISSION_NOT_SEALED);
  g_assert_null (haven_session_get_submission_reference (fixture->session));
  g_clear_error (&error);

  outbox = haven_outbox_new (fixture->outbox_path, &error);
  g_assert_no_error (error);
  entries = haven_outbox_list (outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 0);
  g_assert_false (file_contains (fixture->outbox_path, "about me"));
}

static void
test_saved_while_backend_is_down (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(SoupServer) server = start_server (fixture);
  g_autoptr(HavenRequest) request = new_removal_request ();
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  const char *reference;

  /* Nothing listens there any more. */
  soup_server_disconnect (server);

  g_assert_true (submit (fixture, request, &error));
  g_assert_no_error (error);

  /* The visitor still leaves with a reference, the kiosk's, made from the
   * request_id so that staff can find it in the outbox. */
  g_assert_cmpint (haven_session_get_submission_state (fixture->session), ==,
                   HAVEN_SUBMISSION_QUEUED);
  reference = haven_session_get_submission_reference (fixture->session);
  g_assert_true (g_regex_match_simple ("^K-[0-9A-F]{4}-[0-9A-F]{4}$", reference, 0, 0));
  entry = lookup (fixture, haven_request_get_request_id (request));
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (g_ascii_strncasecmp (entry->request_id, reference + 2, 4), ==, 0);
  g_assert_cmpint (g_ascii_strncasecmp (entry->request_id + 4, reference + 7, 4), ==, 0);
}

/* What a backend on 127.0.0.1 was sent: each submission's Haven-Envelope
 * header and body. The first is told to come back later (503), the rest
 * are accepted. */
typedef struct {
  GPtrArray *envelopes;
  GPtrArray *bodies;
} Recorded;

static void
record_cb (SoupServer        *server,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  static const char accepted[] = "{\"case_reference\":\"HV-TEST-0002\",\"status\":\"received\"}";
  Recorded *recorded = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);

  g_ptr_array_add (recorded->envelopes,
                   g_strdup (soup_message_headers_get_one (headers, HAVEN_API_ENVELOPE_HEADER)));
  g_ptr_array_add (recorded->bodies, g_strndup (g_bytes_get_data (bytes, NULL),
                                                g_bytes_get_size (bytes)));

  if (recorded->envelopes->len == 1)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                    "Retry-After", "1");
      soup_server_message_set_status (message, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      return;
    }

  soup_server_message_set_status (message, SOUP_STATUS_CREATED, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                    accepted, sizeof accepted - 1);
}

/* Every attempt carries the envelope the kiosk made when the visitor
 * confirmed, the same bytes each time, and it says what the body says,
 * that a child is involved included (from the session's child path). */
static void
test_envelope_header (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(SoupServer) server = start_server (fixture);
  g_autoptr(HavenContent) content = load_shipped_content ();
  g_autoptr(HavenRequest) request = new_removal_request ();
  g_autoptr(HavenRequest) received = NULL;
  g_autoptr(HavenRequestEnvelope) envelope = NULL;
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenDeliveryResult) delivered = NULL;
  Recorded recorded = {
    g_ptr_array_new_with_free_func (g_free),
    g_ptr_array_new_with_free_func (g_free),
  };
  HavenDelivery *delivery;

  soup_server_add_handler (server, NULL, record_cb, &recorded, NULL);
  haven_session_set_category (fixture->session, content, "child-abuse-material");
  haven_request_set_category (request, "child-abuse-material");

  g_assert_true (submit (fixture, request, &error));
  g_assert_no_error (error);
  g_assert_cmpint (haven_session_get_submission_state (fixture->session), ==,
                   HAVEN_SUBMISSION_QUEUED);
  g_assert_cmpuint (recorded.envelopes->len, ==, 1);
  g_assert_true (haven_request_get_child_involved (request));

  /* Sent again, as the outbox does later. */
  delivery = haven_sender_ensure_delivery (fixture->sender, &error);
  g_assert_no_error (error);
  haven_delivery_deliver_now_async (delivery, haven_request_get_request_id (request), NULL, NULL,
                                    store_result_cb, &result);
  delivered = haven_delivery_deliver_now_finish (delivery, wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (delivered->outcome, ==, HAVEN_DELIVERY_OUTCOME_DELIVERED);
  g_assert_cmpuint (recorded.envelopes->len, >=, 2);

  for (guint i = 0; i < recorded.envelopes->len; i++)
    {
      g_test_message ("attempt %u: %s: %s", i + 1, HAVEN_API_ENVELOPE_HEADER,
                      (const char *) g_ptr_array_index (recorded.envelopes, i));
      g_assert_nonnull (g_ptr_array_index (recorded.envelopes, i));
      g_assert_cmpstr (g_ptr_array_index (recorded.envelopes, i), ==,
                       g_ptr_array_index (recorded.envelopes, 0));
      g_assert_cmpstr (g_ptr_array_index (recorded.bodies, i), ==,
                       g_ptr_array_index (recorded.bodies, 0));
    }

  /* What a server would check: the header reads, and matches the body. */
  envelope = haven_request_envelope_parse_header (HAVEN_REQUEST_KIND_REMOVAL,
                                                  g_ptr_array_index (recorded.envelopes, 0),
                                                  &error);
  g_assert_no_error (error);
  g_assert_true (envelope->child_involved);
  g_assert_cmpstr (envelope->kiosk_id, ==, "test-kiosk");
  g_assert_cmpstr (envelope->locale, ==, "es");
  received = haven_request_new_from_json (HAVEN_REQUEST_KIND_REMOVAL,
                                          g_ptr_array_index (recorded.bodies, 0), -1, &error);
  g_assert_no_error (error);
  g_assert_true (haven_request_get_child_involved (received));
  g_assert_true (haven_request_envelope_matches (envelope, received, &error));
  g_assert_no_error (error);

  /* Delivered: the outbox keeps neither body nor envelope. */
  entry = lookup (fixture, haven_request_get_request_id (request));
  g_assert_cmpint (entry->state, ==, HAVEN_OUTBOX_STATE_DELIVERED);
  g_assert_null (entry->envelope);

  g_ptr_array_unref (recorded.envelopes);
  g_ptr_array_unref (recorded.bodies);
}

/* The visit ends as soon as the request is confirmed: nothing more is
 * recorded in its session, and the request still arrives, once. */
static void
test_visit_ended (Fixture       *fixture,
                  gconstpointer  user_data)
{
  ReceiverProcess *receiver = receiver_process_start_tls (NULL);
  g_autoptr(HavenRequest) request = new_removal_request ();
  g_autoptr(GCancellable) visit = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  use_backend (fixture, receiver->url);

  haven_sender_submit_async (fixture->sender, fixture->session, request, visit,
                             store_result_cb, &result);
  g_cancellable_cancel (visit);

  g_assert_false (haven_sender_submit_finish (fixture->sender, wait_for_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (haven_session_get_submission_state (fixture->session), ==,
                   HAVEN_SUBMISSION_SENDING);
  g_assert_true (receiver_process_wait_for_one (receiver, haven_request_get_request_id (request)));

  receiver_process_stop (receiver);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  work_dir_init ("sender");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/haven/sender/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("delivered", test_delivered);
  ADD ("refused-with-field-errors", test_refused_with_field_errors);
  ADD ("refused-unsealed", test_refused_unsealed);
  ADD ("saved-while-backend-is-down", test_saved_while_backend_is_down);
  ADD ("visit-ended", test_visit_ended);
  ADD ("envelope-header", test_envelope_header);

#undef ADD

  status = g_test_run ();
  work_dir_remove ();

  return status;
}
