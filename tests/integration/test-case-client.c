/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-case-client"

#include "config.h"

#include <string.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "haven-case-client.h"
#include "haven-request-envelope.h"
#include "haven-sealed-box.h"
#include "haven-tls-pin.h"
#include "receiver-process.h"

/* The desk's client of the caseworker API against a real haven-receiver
 * over TLS on 127.0.0.1, configured as the desk is (its own schema, read
 * through HavenBackend) with credentials issued by `haven-receiver
 * credentials add`: sign-in and the ways it fails, cases listed, read and
 * changed, a sealed body opened with the key it was sealed to, a body
 * destroyed by retention, the fleet's kiosks, and an event retried (and
 * stored once when the service comes back) or cancelled while the
 * service cannot be reached. */

#define DESK_SCHEMA "io.github.havenkiosk.Haven.Desk"

typedef struct {
  char *db_path;
  ReceiverProcess *receiver;
  char *alice_token;
  char *kiosk_token;
  GSettings *settings;
  HavenCaseClient *client;
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 secret_key[HAVEN_SEALED_BOX_KEY_BYTES];
} Fixture;

static guint n_fixtures;

static char *
receiver_command (const char         *db_path,
                  const char * const *arguments)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, (char *) require_env ("HAVEN_RECEIVER"));
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) arguments[i]);
  g_ptr_array_add (argv, (char *) "--db");
  g_ptr_array_add (argv, (char *) db_path);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("haven-receiver %s failed: %s", arguments[0], err);

  return g_strdup (g_strstrip (out));
}

static char *
add_credential (Fixture    *fixture,
                const char *role,
                const char *name)
{
  const char * const arguments[] = { "credentials", "add", "--role", role, "--name", name, NULL };

  return receiver_command (fixture->db_path, arguments);
}

/* The desk's settings in a keyfile of their own, as a caseworker's
 * machine keeps them. */
static GSettings *
desk_settings_new (const char *name)
{
  g_autofree char *keyfile = work_path (name);
  g_autoptr(GSettingsBackend) backend = g_keyfile_settings_backend_new (keyfile, "/", NULL);
  GSettings *settings = g_settings_new_with_backend (DESK_SCHEMA, backend);
  g_autofree char *ca = work_path ("ca.pem");

  g_settings_set_string (settings, "ca-file", ca);
  g_settings_set_uint (settings, "request-timeout", 10 * test_slowdown ());
  return settings;
}

/* A client as the desk makes one: the backend from the settings, the
 * token the caseworker typed. */
static HavenCaseClient *
client_new (GSettings  *settings,
            const char *token)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenBackend) backend = haven_backend_new_from_settings (settings, &error);

  g_assert_no_error (error);
  haven_backend_set_token (backend, token);
  return haven_case_client_new (backend);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *db_name = g_strdup_printf ("cases-%u.sqlite", ++n_fixtures);
  g_autofree char *keyfile = g_strdup_printf ("desk-%u.keyfile", n_fixtures);

  fixture->db_path = work_path (db_name);
  fixture->alice_token = add_credential (fixture, "caseworker", "alice");
  fixture->kiosk_token = add_credential (fixture, "kiosk", "lobby-kiosk");
  fixture->receiver = receiver_process_start_tls_full (fixture->db_path, NULL, NULL);

  fixture->settings = desk_settings_new (keyfile);
  g_settings_set_string (fixture->settings, "backend-url", fixture->receiver->url);
  fixture->client = client_new (fixture->settings, fixture->alice_token);

  haven_sealed_box_generate_key_pair (fixture->public_key, fixture->secret_key);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->settings);
  g_clear_pointer (&fixture->receiver, receiver_process_stop);
  g_free (fixture->alice_token);
  g_free (fixture->kiosk_token);
  g_free (fixture->db_path);
}

static gboolean
sign_in (HavenCaseClient  *client,
         GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  haven_case_client_sign_in_async (client, NULL, store_result_cb, &result);
  return haven_case_client_sign_in_finish (client, wait_for_result (&result), error);
}

static GPtrArray *
list_cases (HavenCaseClient       *client,
            const HavenCaseFilter *filter,
            guint                  max_cases,
            GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  haven_case_client_list_cases_async (client, filter, max_cases, NULL, store_result_cb, &result);
  return haven_case_client_list_cases_finish (client, wait_for_result (&result), error);
}

static HavenCaseInfo *
get_case (HavenCaseClient  *client,
          const char       *reference,
          GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  haven_case_client_get_case_async (client, reference, NULL, store_result_cb, &result);
  return haven_case_client_get_case_finish (client, wait_for_result (&result), error);
}

static GBytes *
get_body (HavenCaseClient  *client,
          const char       *reference,
          gboolean         *sealed,
          GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  haven_case_client_get_body_async (client, reference, NULL, store_result_cb, &result);
  return haven_case_client_get_body_finish (client, wait_for_result (&result), sealed, error);
}

static gint64
set_state (HavenCaseClient  *client,
           const char       *reference,
           HavenCaseState    state,
           GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  haven_case_client_set_state_async (client, reference, state, NULL, store_result_cb, &result);
  return haven_case_client_add_event_finish (client, wait_for_result (&result), error);
}

/* A visitor's request as a kiosk seals it, to the fixture's key pair. */
static GBytes *
make_request (HavenRequestKind kind,
              const char      *request_id,
              const char      *category)
{
  char *json;

  if (kind == HAVEN_REQUEST_KIND_REMOVAL)
    json = g_strdup_printf (
      "{\"request_id\": \"%s\", \"created_at\": \"2026-11-27T10:15:00Z\", "
      "\"kiosk_id\": \"station-12-lobby\", \"locale\": \"es\", \"category\": \"%s\", "
      "\"items\": [{\"url\": \"https://example.social/p/1\", \"platform\": \"example.social\", "
      "\"description\": \"VISITOR-WORDS\"}], "
      "\"reporter\": {\"role\": \"self\", \"consent_to_contact\": false}, "
      "\"declaration\": {\"accurate\": true, \"authorised\": true}}", request_id, category);
  else
    json = g_strdup_printf (
      "{\"request_id\": \"%s\", \"created_at\": \"2026-11-27T10:15:00Z\", "
      "\"kiosk_id\": \"station-12-lobby\", \"locale\": \"en\", \"category\": \"%s\", "
      "\"reporter\": {\"role\": \"self\", \"consent_to_contact\": false}, "
      "\"incident\": {\"started_on\": \"2026-11-20\", \"summary\": \"VISITOR-WORDS\"}, "
      "\"declaration\": {\"accurate\": true, \"authorised\": true}}", request_id, category);

  return g_bytes_new_take (json, strlen (json));
}

/* Submits a sealed request with its envelope, as a kiosk does, and returns
 * the case reference; the plain request in @plain, the box in @sealed. */
static char *
submit_sealed (Fixture          *fixture,
               HavenRequestKind  kind,
               const char       *category,
               gboolean          child_involved,
               GBytes          **plain,
               GBytes          **sealed)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autofree char *url = g_strconcat (fixture->receiver->url,
                                      kind == HAVEN_REQUEST_KIND_REMOVAL ? "/v1/removal-requests"
                                                                         : "/v1/reports",
                                      NULL);
  g_autofree char *key = g_strdup_printf ("\"%s\"", request_id);
  g_autofree char *authorization = g_strconcat ("Bearer ", fixture->kiosk_token, NULL);
  g_autofree char *envelope_header = NULL;
  g_autofree char *ca = work_path ("ca.pem");
  g_autoptr(GDateTime) created_at = g_date_time_new_from_iso8601 ("2026-11-27T10:15:00Z", NULL);
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);
  HavenRequestEnvelope envelope = {
    .kind = kind,
    .category = (char *) category,
    .locale = (char *) (kind == HAVEN_REQUEST_KIND_REMOVAL ? "es" : "en"),
    .kiosk_id = (char *) "station-12-lobby",
    .child_involved = child_involved,
    .created_at = created_at,
  };

  *plain = make_request (kind, request_id, category);
  *sealed = haven_sealed_box_seal (fixture->public_key, *plain, &error);
  g_assert_no_error (error);

  envelope_header = haven_request_envelope_to_header (&envelope);
  soup_message_headers_replace (headers, HAVEN_API_ENVELOPE_HEADER, envelope_header);
  soup_message_headers_replace (headers, "Idempotency-Key", key);
  soup_message_headers_replace (headers, "Authorization", authorization);
  soup_message_set_request_body_from_bytes (message, HAVEN_API_CONTENT_TYPE_SEALED, *sealed);

  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  session = soup_session_new_with_options ("timeout", 10 * test_slowdown (), NULL);
  soup_session_set_tls_database (session, database);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, store_result_cb,
                                    &result);
  answer = soup_session_send_and_read_finish (session, wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 201);

  node = json_from_string (g_bytes_get_data (answer, NULL), &error);
  g_assert_no_error (error);
  return g_strdup (json_object_get_string_member (json_node_get_object (node),
                                                  "case_reference"));
}

static void
assert_references (GPtrArray          *cases,
                   const char * const *expected)
{
  g_assert_nonnull (cases);
  g_assert_cmpuint (cases->len, ==, g_strv_length ((char **) expected));
  for (guint i = 0; i < cases->len; i++)
    g_assert_cmpstr (haven_case_info_get_reference (g_ptr_array_index (cases, i)), ==,
                     expected[i]);
}

/* ---- Sign-in ---- */

static void
test_sign_in (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenCaseClient) wrong = NULL;
  g_autoptr(HavenCaseClient) kiosk = NULL;

  g_assert_true (sign_in (fixture->client, &error));
  g_assert_no_error (error);

  /* One character off: the service knows no such token. */
  {
    g_autofree char *typo = g_strdup (fixture->alice_token);

    typo[0] = typo[0] == 'A' ? 'B' : 'A';
    wrong = client_new (fixture->settings, typo);
  }
  g_assert_false (sign_in (wrong, &error));
  g_test_message ("wrong token: %s", error->message);
  g_assert_error (error, HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  kiosk = client_new (fixture->settings, fixture->kiosk_token);
  g_assert_false (sign_in (kiosk, &error));
  g_test_message ("kiosk token: %s", error->message);
  g_assert_error (error, HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* No token at all is the same as a wrong one to the service. */
  haven_backend_set_token (haven_case_client_get_backend (wrong), NULL);
  g_assert_false (sign_in (wrong, &error));
  g_assert_error (error, HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_UNAUTHORIZED);
}

/* The service's certificate is checked as the kiosk checks it: an
 * authority the settings do not trust, or a key that is not pinned, stops
 * the sign-in before the token is sent. */
static void
test_sign_in_tls (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autofree char *other_ca = work_path ("other-ca.pem");
  g_autofree char *other_pin = pin_for_key_file ("other-key.pem");
  g_autofree char *server_pin = pin_for_key_file ("server-key.pem");
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(GSettings) settings = desk_settings_new ("desk-other-ca.keyfile");
    g_autoptr(HavenCaseClient) client = NULL;

    g_settings_set_string (settings, "backend-url", fixture->receiver->url);
    g_settings_set_string (settings, "ca-file", other_ca);
    client = client_new (settings, fixture->alice_token);
    g_assert_false (sign_in (client, &error));
    g_test_message ("other CA: %s", error->message);
    g_assert_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_UNTRUSTED_CERTIFICATE);
    g_clear_error (&error);
  }

  {
    g_autoptr(GSettings) settings = desk_settings_new ("desk-pin.keyfile");
    const char * const wrong_pins[] = { other_pin, NULL };
    const char * const right_pins[] = { other_pin, server_pin, NULL };
    g_autoptr(HavenCaseClient) client = NULL;
    g_autoptr(HavenCaseClient) pinned = NULL;

    g_settings_set_string (settings, "backend-url", fixture->receiver->url);
    g_settings_set_strv (settings, "pinned-keys", wrong_pins);
    client = client_new (settings, fixture->alice_token);
    g_assert_false (sign_in (client, &error));
    g_test_message ("wrong pin: %s", error->message);
    g_assert_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_PIN_MISMATCH);
    g_clear_error (&error);

    g_settings_set_strv (settings, "pinned-keys", right_pins);
    pinned = client_new (settings, fixture->alice_token);
    g_assert_true (sign_in (pinned, &error));
    g_assert_no_error (error);
  }
}

/* ---- Cases ---- */

static void
test_cases (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GBytes) plain_a = NULL, sealed_a = NULL, plain_b = NULL, sealed_b = NULL;
  g_autoptr(GBytes) plain_c = NULL, sealed_c = NULL;
  g_autofree char *a = NULL, *b = NULL, *c = NULL;

  a = submit_sealed (fixture, HAVEN_REQUEST_KIND_REMOVAL, "intimate-images", FALSE, &plain_a,
                     &sealed_a);
  b = submit_sealed (fixture, HAVEN_REQUEST_KIND_REPORT, "fraud", TRUE, &plain_b, &sealed_b);
  c = submit_sealed (fixture, HAVEN_REQUEST_KIND_REMOVAL, "intimate-images", TRUE, &plain_c,
                     &sealed_c);
  g_test_message ("cases %s %s %s", a, b, c);

  /* Newest first, over two pages of two. */
  g_object_set (fixture->client, "page-size", 2, NULL);
  {
    const char * const all[] = { c, b, a, NULL };
    const char * const newest_two[] = { c, b, NULL };

    cases = list_cases (fixture->client, NULL, 0, &error);
    g_assert_no_error (error);
    assert_references (cases, all);
    g_clear_pointer (&cases, g_ptr_array_unref);

    cases = list_cases (fixture->client, NULL, 2, &error);
    g_assert_no_error (error);
    assert_references (cases, newest_two);
    g_clear_pointer (&cases, g_ptr_array_unref);
  }
  g_object_set (fixture->client, "page-size", 50, NULL);

  /* Filters, alone and together. */
  {
    HavenCaseFilter reports = HAVEN_CASE_FILTER_INIT;
    HavenCaseFilter children = HAVEN_CASE_FILTER_INIT;
    HavenCaseFilter removals_no_child = HAVEN_CASE_FILTER_INIT;
    HavenCaseFilter received = HAVEN_CASE_FILTER_INIT;
    HavenCaseFilter open = HAVEN_CASE_FILTER_INIT;
    const char * const only_b[] = { b, NULL };
    const char * const c_b[] = { c, b, NULL };
    const char * const only_a[] = { a, NULL };
    const char * const all[] = { c, b, a, NULL };
    const char * const none[] = { NULL };

    reports.kind = "report";
    children.child = 1;
    removals_no_child.kind = "removal";
    removals_no_child.child = 0;
    received.state = "received";
    open.state = "open";

    cases = list_cases (fixture->client, &reports, 0, &error);
    g_assert_no_error (error);
    assert_references (cases, only_b);
    g_assert_cmpstr (haven_case_info_get_category (g_ptr_array_index (cases, 0)), ==, "fraud");
    g_assert_cmpint (haven_case_info_get_child_involved (g_ptr_array_index (cases, 0)), ==, 1);
    g_assert_true (haven_case_info_is_sealed (g_ptr_array_index (cases, 0)));
    g_clear_pointer (&cases, g_ptr_array_unref);

    cases = list_cases (fixture->client, &children, 0, &error);
    g_assert_no_error (error);
    assert_references (cases, c_b);
    g_clear_pointer (&cases, g_ptr_array_unref);

    cases = list_cases (fixture->client, &removals_no_child, 0, &error);
    g_assert_no_error (error);
    assert_references (cases, only_a);
    g_clear_pointer (&cases, g_ptr_array_unref);

    cases = list_cases (fixture->client, &received, 0, &error);
    g_assert_no_error (error);
    assert_references (cases, all);
    g_clear_pointer (&cases, g_ptr_array_unref);

    cases = list_cases (fixture->client, &open, 0, &error);
    g_assert_no_error (error);
    assert_references (cases, none);
    g_clear_pointer (&cases, g_ptr_array_unref);
  }

  /* The body as the kiosk sealed it, opened with the organisation's key. */
  {
    g_autoptr(GBytes) body = NULL;
    g_autoptr(GBytes) opened = NULL;
    gboolean sealed = FALSE;

    body = get_body (fixture->client, a, &sealed, &error);
    g_assert_no_error (error);
    g_assert_true (sealed);
    g_assert_true (g_bytes_equal (body, sealed_a));
    opened = haven_sealed_box_open (fixture->public_key, fixture->secret_key, body, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (opened, plain_a));
  }

  /* Events: a state, a sealed note, an outcome; a move the API does not
   * allow is a conflict that names where the case is. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GBytes) note_text = g_bytes_new_static ("Called the platform", 19);
    g_autoptr(GBytes) note = haven_sealed_box_seal (fixture->public_key, note_text, &error);
    g_autoptr(HavenCaseInfo) info = NULL;
    g_autofree char *note_base64 = NULL;
    gint64 opened_id, note_id, outcome_id;
    GPtrArray *events;
    HavenCaseEvent *event;

    g_assert_no_error (error);
    opened_id = set_state (fixture->client, a, HAVEN_CASE_STATE_OPEN, &error);
    g_assert_no_error (error);
    g_assert_cmpint (opened_id, >, 0);

    g_assert_cmpint (set_state (fixture->client, a, HAVEN_CASE_STATE_RECEIVED, &error), ==, -1);
    g_test_message ("open → received: %s", error->message);
    g_assert_error (error, HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_CONFLICT);
    g_assert_nonnull (strstr (error->message,
                              haven_case_state_get_label (HAVEN_CASE_STATE_OPEN)));
    g_clear_error (&error);

    haven_case_client_add_note_async (fixture->client, a, note, NULL, store_result_cb, &result);
    note_id = haven_case_client_add_event_finish (fixture->client, wait_for_result (&result),
                                                  &error);
    g_assert_no_error (error);
    g_assert_cmpint (note_id, >, opened_id);
    g_clear_object (&result);

    haven_case_client_set_item_outcome_async (fixture->client, a, 0, "removed", "T-1234", NULL,
                                              store_result_cb, &result);
    outcome_id = haven_case_client_add_event_finish (fixture->client, wait_for_result (&result),
                                                     &error);
    g_assert_no_error (error);
    g_assert_cmpint (outcome_id, >, note_id);
    g_clear_object (&result);

    /* An outcome is for a removal's items; a report has none. */
    haven_case_client_set_item_outcome_async (fixture->client, b, 0, "removed", NULL, NULL,
                                              store_result_cb, &result);
    g_assert_cmpint (haven_case_client_add_event_finish (fixture->client,
                                                         wait_for_result (&result), &error),
                     ==, -1);
    g_test_message ("outcome on a report: %s", error->message);
    g_assert_error (error, HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_REFUSED);
    g_clear_error (&error);

    info = get_case (fixture->client, a, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (haven_case_info_get_reference (info), ==, a);
    g_assert_cmpint (haven_case_info_get_state (info), ==, HAVEN_CASE_STATE_OPEN);
    g_assert_cmpstr (haven_case_info_get_item_outcome (info, 0), ==, "removed");
    events = haven_case_info_get_events (info);
    g_assert_cmpuint (events->len, ==, 3);

    event = g_ptr_array_index (events, 0);
    g_assert_cmpint (event->event_id, ==, opened_id);
    g_assert_cmpint (event->type, ==, HAVEN_CASE_EVENT_STATE);
    g_assert_cmpint (event->state, ==, HAVEN_CASE_STATE_OPEN);
    g_assert_cmpstr (event->actor, ==, "alice");

    event = g_ptr_array_index (events, 1);
    g_assert_cmpint (event->event_id, ==, note_id);
    g_assert_cmpint (event->type, ==, HAVEN_CASE_EVENT_NOTE);
    note_base64 = g_base64_encode (g_bytes_get_data (note, NULL), g_bytes_get_size (note));
    g_assert_cmpstr (event->sealed_note, ==, note_base64);
    g_assert_cmpstr (event->actor, ==, "alice");

    event = g_ptr_array_index (events, 2);
    g_assert_cmpint (event->event_id, ==, outcome_id);
    g_assert_cmpint (event->type, ==, HAVEN_CASE_EVENT_ITEM_OUTCOME);
    g_assert_cmpuint (event->item, ==, 0);
    g_assert_cmpstr (event->outcome, ==, "removed");
    g_assert_cmpstr (event->platform_reference, ==, "T-1234");
    g_assert_cmpstr (event->actor, ==, "alice");
  }

  {
    HavenCaseFilter open = HAVEN_CASE_FILTER_INIT;
    const char * const only_a[] = { a, NULL };

    open.state = "open";
    cases = list_cases (fixture->client, &open, 0, &error);
    g_assert_no_error (error);
    assert_references (cases, only_a);
    g_clear_pointer (&cases, g_ptr_array_unref);
  }

  /* A reference the service does not know. */
  {
    g_autoptr(HavenCaseInfo) info = get_case (fixture->client, "HV-ZZZZ-ZZZZ", &error);
    g_autoptr(GBytes) body = NULL;

    g_assert_null (info);
    g_test_message ("unknown case: %s", error->message);
    g_assert_error (error, HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_NOT_FOUND);
    g_clear_error (&error);

    body = get_body (fixture->client, "HV-ZZZZ-ZZZZ", NULL, &error);
    g_assert_null (body);
    g_assert_error (error, HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_NOT_FOUND);
    g_clear_error (&error);

    g_assert_cmpint (set_state (fixture->client, "HV-ZZZZ-ZZZZ", HAVEN_CASE_STATE_OPEN, &error),
                     ==, -1);
    g_assert_error (error, HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  /* Retention destroys every body once the longest bound has passed:
   * the body is gone, and the caseworker is told when. */
  {
    const char * const arguments[] = {
      "retention", "run", "--now", "2100-01-01T00:00:00Z", NULL
    };
    g_autofree char *out = receiver_command (fixture->db_path, arguments);
    g_autoptr(HavenCaseInfo) info = NULL;
    g_autoptr(GBytes) body = NULL;
    g_autoptr(GDateTime) local = NULL;
    g_autofree char *day = NULL;

    g_test_message ("retention run: %s", out);
    g_assert_cmpstr (out, ==, "destroyed closed=0 expired=3");

    body = get_body (fixture->client, a, NULL, &error);
    g_assert_null (body);
    g_test_message ("destroyed body: %s", error->message);
    g_assert_error (error, HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_GONE);

    info = get_case (fixture->client, a, NULL);
    g_assert_nonnull (haven_case_info_get_body_destroyed_at (info));
    local = g_date_time_to_local (haven_case_info_get_body_destroyed_at (info));
    day = g_date_time_format (local, "%-d %B %Y");
    g_assert_nonnull (strstr (error->message, day));
  }
}

/* The largest sealed body a kiosk can send comes back whole, read in
 * many chunks; with a bound set lower, the backend stops reading. */
static void
test_large_body (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autofree char *url = g_strconcat (fixture->receiver->url, "/v1/removal-requests", NULL);
  g_autofree char *key = g_strdup_printf ("\"%s\"", request_id);
  g_autofree char *ca = work_path ("ca.pem");
  g_autofree char *envelope_header = NULL;
  g_autofree char *reference = NULL;
  g_autofree guint8 *filler = g_malloc (HAVEN_REQUEST_MAX_BODY_BYTES - HAVEN_SEALED_BOX_OVERHEAD);
  g_autoptr(GDateTime) created_at = g_date_time_new_from_iso8601 ("2026-11-27T10:15:00Z", NULL);
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  HavenRequestEnvelope envelope = {
    .kind = HAVEN_REQUEST_KIND_REMOVAL,
    .category = (char *) "intimate-images",
    .locale = (char *) "es",
    .kiosk_id = (char *) "station-12-lobby",
    .created_at = created_at,
  };
  gboolean is_sealed = FALSE;

  /* The receiver cannot open it, so it need not be a request inside. */
  for (gsize i = 0; i < HAVEN_REQUEST_MAX_BODY_BYTES - HAVEN_SEALED_BOX_OVERHEAD; i++)
    filler[i] = (guint8) (i * 7);
  plain = g_bytes_new (filler, HAVEN_REQUEST_MAX_BODY_BYTES - HAVEN_SEALED_BOX_OVERHEAD);
  sealed = haven_sealed_box_seal (fixture->public_key, plain, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (sealed), ==, HAVEN_REQUEST_MAX_BODY_BYTES);

  envelope_header = haven_request_envelope_to_header (&envelope);
  soup_message_headers_replace (soup_message_get_request_headers (message),
                                HAVEN_API_ENVELOPE_HEADER, envelope_header);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Idempotency-Key",
                                key);
  soup_message_set_request_body_from_bytes (message, HAVEN_API_CONTENT_TYPE_SEALED, sealed);
  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  session = soup_session_new_with_options ("timeout", 10 * test_slowdown (), NULL);
  soup_session_set_tls_database (session, database);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, store_result_cb,
                                    &result);
  answer = soup_session_send_and_read_finish (session, wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 201);
  node = json_from_string (g_bytes_get_data (answer, NULL), &error);
  g_assert_no_error (error);
  reference = g_strdup (json_object_get_string_member (json_node_get_object (node),
                                                       "case_reference"));

  body = get_body (fixture->client, reference, &is_sealed, &error);
  g_assert_no_error (error);
  g_assert_true (is_sealed);
  g_assert_true (g_bytes_equal (body, sealed));
  g_clear_pointer (&body, g_bytes_unref);

  haven_backend_set_max_answer_size (haven_case_client_get_backend (fixture->client), 64 * 1024);
  body = get_body (fixture->client, reference, NULL, &error);
  g_assert_null (body);
  g_test_message ("bounded to 64 KiB: %s", error->message);
  g_assert_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_BAD_RESPONSE);
}

/* ---- The fleet ---- */

static void
test_kiosks (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *url = g_strconcat (fixture->receiver->url, "/v1/kiosk-status", NULL);
  g_autofree char *ca = work_path ("ca.pem");
  g_autofree char *authorization = g_strconcat ("Bearer ", fixture->kiosk_token, NULL);
  const char *report =
    "{\"kiosk_id\":\"station-7\",\"version\":\"0.1.0\","
    "\"reported_at\":\"2026-11-27T10:20:00Z\","
    "\"outbox\":{\"queued\":12,\"sending\":0,\"delivered\":14,\"failed\":1},"
    "\"directory_version\":\"2026-11-20T08:00:00Z\",\"content_version\":\"e0f08ccfbacf\","
    "\"last_error\":{\"status\":503,\"at\":\"2026-11-27T10:19:30Z\"}}";
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GBytes) request_body = g_bytes_new_static (report, strlen (report));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GPtrArray) kiosks = NULL;
  g_autoptr(GError) error = NULL;
  HavenKioskInfo *kiosk;

  /* No kiosk has reported yet. */
  haven_case_client_list_kiosks_async (fixture->client, NULL, store_result_cb, &result);
  kiosks = haven_case_client_list_kiosks_finish (fixture->client, wait_for_result (&result),
                                                 &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kiosks->len, ==, 0);
  g_clear_pointer (&kiosks, g_ptr_array_unref);
  g_clear_object (&result);

  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  session = soup_session_new_with_options ("timeout", 10 * test_slowdown (), NULL);
  soup_session_set_tls_database (session, database);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  soup_message_set_request_body_from_bytes (message, "application/json", request_body);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, store_result_cb,
                                    &result);
  answer = soup_session_send_and_read_finish (session, wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 204);
  g_clear_object (&result);

  haven_case_client_list_kiosks_async (fixture->client, NULL, store_result_cb, &result);
  kiosks = haven_case_client_list_kiosks_finish (fixture->client, wait_for_result (&result),
                                                 &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kiosks->len, ==, 1);
  kiosk = g_ptr_array_index (kiosks, 0);
  g_assert_cmpstr (haven_kiosk_info_get_kiosk_id (kiosk), ==, "station-7");
  g_assert_cmpstr (haven_kiosk_info_get_received_from (kiosk), ==, "lobby-kiosk");
  g_assert_false (haven_kiosk_info_is_silent (kiosk));
  /* More than the default bound of 10 waiting. */
  g_assert_true (haven_kiosk_info_is_backed_up (kiosk));
  g_assert_cmpint (haven_kiosk_info_get_queued (kiosk), ==, 12);
  g_assert_cmpint (haven_kiosk_info_get_delivered (kiosk), ==, 14);
  g_assert_cmpint (haven_kiosk_info_get_last_error_status (kiosk), ==, 503);
  g_assert_cmpstr (haven_kiosk_info_get_version (kiosk), ==, "0.1.0");
  g_clear_object (&result);

  /* A kiosk's token may report, never list. */
  {
    g_autoptr(HavenCaseClient) client = client_new (fixture->settings, fixture->kiosk_token);
    g_autoptr(GPtrArray) refused = NULL;

    haven_case_client_list_kiosks_async (client, NULL, store_result_cb, &result);
    refused = haven_case_client_list_kiosks_finish (client, wait_for_result (&result), &error);
    g_assert_null (refused);
    g_assert_error (error, HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_FORBIDDEN);
  }
}

/* ---- The notice report ---- */

static HavenNoticeReport *
fetch_notice_report (HavenCaseClient  *client,
                     const char       *from,
                     const char       *to,
                     GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  haven_case_client_fetch_notice_report_async (client, from, to, NULL, store_result_cb, &result);
  return haven_case_client_fetch_notice_report_finish (client, wait_for_result (&result), error);
}

static gint64
set_outcome (HavenCaseClient  *client,
             const char       *reference,
             guint             item,
             const char       *outcome,
             const char       *hosting_provider,
             GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  haven_case_client_set_item_outcome_full_async (client, reference, item, outcome,
                                                 hosting_provider, NULL, NULL, store_result_cb,
                                                 &result);
  return haven_case_client_add_event_finish (client, wait_for_result (&result), error);
}

/* "YYYY-MM-DD" of the UTC day @days from today. */
static char *
utc_day (int days)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) day = g_date_time_add_days (now, days);

  return g_date_time_format (day, "%Y-%m-%d");
}

/* Outcomes sent with where the items are hosted come back with the case,
 * and the report of the days around today counts them; a range the API
 * refuses is refused before it is sent, and a kiosk's token may not read
 * the report. */
static void
test_notice_report (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GBytes) plain_a = NULL, sealed_a = NULL, plain_b = NULL, sealed_b = NULL;
  g_autofree char *a = NULL, *b = NULL;
  g_autofree char *yesterday = utc_day (-1);
  g_autofree char *tomorrow = utc_day (1);
  g_autoptr(HavenNoticeReport) report = NULL;
  g_autoptr(HavenCaseInfo) info = NULL;
  g_autoptr(GBytes) csv = NULL;
  g_autoptr(GError) error = NULL;
  const char expected_csv[] =
    "hosting_provider,category,action,notices,addresses\r\n"
    "facebook,intimate-images,removed,1,1\r\n"
    "files.example.net,intimate-images,awaiting-answer,1,1\r\n"
    "unrecorded,harassment,awaiting-answer,1,1\r\n";

  a = submit_sealed (fixture, HAVEN_REQUEST_KIND_REMOVAL, "intimate-images", FALSE, &plain_a,
                     &sealed_a);
  b = submit_sealed (fixture, HAVEN_REQUEST_KIND_REMOVAL, "harassment", FALSE, &plain_b,
                     &sealed_b);

  g_assert_cmpint (set_outcome (fixture->client, a, 0, "notice-sent", "facebook", &error), >, 0);
  g_assert_cmpint (set_outcome (fixture->client, a, 1, "notice-sent", "files.example.net",
                                &error), >, 0);
  g_assert_cmpint (set_outcome (fixture->client, a, 0, "removed", NULL, &error), >, 0);
  g_assert_no_error (error);
  /* The outcome as the desk sent it before it knew hosts. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    haven_case_client_set_item_outcome_async (fixture->client, b, 0, "notice-sent", "T-9", NULL,
                                              store_result_cb, &result);
    g_assert_cmpint (haven_case_client_add_event_finish (fixture->client,
                                                         wait_for_result (&result), &error),
                     >, 0);
    g_assert_no_error (error);
  }

  info = get_case (fixture->client, a, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (haven_case_info_get_item_hosting_provider (info, 0), ==, "facebook");
  g_assert_cmpstr (haven_case_info_get_item_hosting_provider (info, 1), ==, "files.example.net");
  g_assert_cmpstr (haven_case_event_get_hosting_provider (
                     g_ptr_array_index (haven_case_info_get_events (info), 1)), ==,
                   "files.example.net");
  g_assert_null (haven_case_event_get_hosting_provider (
                   g_ptr_array_index (haven_case_info_get_events (info), 2)));

  report = fetch_notice_report (fixture->client, yesterday, tomorrow, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (haven_notice_report_get_from (report), ==, yesterday);
  g_assert_cmpstr (haven_notice_report_get_to (report), ==, tomorrow);
  g_assert_cmpuint (haven_notice_report_get_notices (report), ==, 3);
  g_assert_cmpuint (haven_notice_report_get_addresses (report), ==, 3);
  csv = haven_notice_report_to_csv (report);
  g_assert_cmpmem (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv), expected_csv,
                   strlen (expected_csv));
  g_clear_object (&report);

  report = fetch_notice_report (fixture->client, "2020-01-01", "2020-12-31", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (haven_notice_report_get_notices (report), ==, 0);
  g_assert_cmpuint (haven_notice_report_get_n_rows (report), ==, 0);
  g_clear_object (&report);

  /* Refused on the desk, in the caseworker's words. */
  report = fetch_notice_report (fixture->client, tomorrow, yesterday, &error);
  g_assert_null (report);
  g_test_message ("backwards: %s", error->message);
  g_assert_error (error, HAVEN_NOTICE_REPORT_ERROR, HAVEN_NOTICE_REPORT_ERROR_BAD_RANGE);
  g_clear_error (&error);
  report = fetch_notice_report (fixture->client, "2026-02-30", tomorrow, &error);
  g_assert_null (report);
  g_assert_error (error, HAVEN_NOTICE_REPORT_ERROR, HAVEN_NOTICE_REPORT_ERROR_BAD_DATE);
  g_clear_error (&error);

  {
    g_autoptr(HavenCaseClient) kiosk = client_new (fixture->settings, fixture->kiosk_token);

    report = fetch_notice_report (kiosk, yesterday, tomorrow, &error);
    g_assert_null (report);
    g_assert_error (error, HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_FORBIDDEN);
  }
}

/* ---- No answer ---- */

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* With the service gone, an event is tried three times over 1 s and 3 s
 * of waiting, then fails with what the backend said; cancelled while it
 * waits, it stops at once. Other calls are not retried. */
static void
test_unreachable (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) cases = NULL;
  gint64 start;
  gint64 elapsed;

  g_assert_true (sign_in (fixture->client, &error));
  g_clear_pointer (&fixture->receiver, receiver_process_stop);

  start = g_get_monotonic_time ();
  g_assert_cmpint (set_state (fixture->client, "HV-ZZZZ-ZZZZ", HAVEN_CASE_STATE_OPEN, &error),
                   ==, -1);
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("event with the service gone: %s after %.1f s", error->message,
                  elapsed / (double) G_USEC_PER_SEC);
  g_assert_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_CONNECTION_REFUSED);
  g_assert_cmpint (elapsed, >=, 4 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* Cancelled during the first wait. */
  start = g_get_monotonic_time ();
  g_timeout_add (300, cancel_cb, cancellable);
  haven_case_client_set_state_async (fixture->client, "HV-ZZZZ-ZZZZ", HAVEN_CASE_STATE_OPEN,
                                     cancellable, store_result_cb, &result);
  g_assert_cmpint (haven_case_client_add_event_finish (fixture->client,
                                                       wait_for_result (&result), &error),
                   ==, -1);
  elapsed = g_get_monotonic_time () - start;
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (elapsed, <, 1 * G_USEC_PER_SEC);
  g_clear_error (&error);
  g_clear_object (&result);

  /* A list is not retried: the page asks again on its own schedule. */
  start = g_get_monotonic_time ();
  cases = list_cases (fixture->client, NULL, 0, &error);
  g_assert_null (cases);
  g_assert_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_CONNECTION_REFUSED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1 * G_USEC_PER_SEC);
}

typedef struct {
  Fixture *fixture;
  char *listen;
} Restart;

static gboolean
restart_cb (gpointer user_data)
{
  Restart *restart = user_data;
  const char * const options[] = { "--listen", restart->listen, NULL };

  restart->fixture->receiver = receiver_process_start_tls_full (restart->fixture->db_path, NULL,
                                                                options);
  return G_SOURCE_REMOVE;
}

/* The service comes back while an event waits for its second try: the
 * event is stored, once. */
static void
test_retried (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(HavenCaseInfo) info = NULL;
  g_autofree char *reference = NULL;
  Restart restart = { fixture, NULL };
  gint64 event_id;

  reference = submit_sealed (fixture, HAVEN_REQUEST_KIND_REMOVAL, "intimate-images", FALSE,
                             &plain, &sealed);
  uri = g_uri_parse (fixture->receiver->url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  /* The same address again: the desk's settings name one. */
  restart.listen = g_strdup_printf ("127.0.0.1:%d", g_uri_get_port (uri));
  g_clear_pointer (&fixture->receiver, receiver_process_stop);

  g_timeout_add (300, restart_cb, &restart);
  haven_case_client_set_state_async (fixture->client, reference, HAVEN_CASE_STATE_OPEN, NULL,
                                     store_result_cb, &result);
  event_id = haven_case_client_add_event_finish (fixture->client, wait_for_result (&result),
                                                 &error);
  g_assert_no_error (error);
  g_assert_cmpint (event_id, >, 0);
  g_assert_nonnull (fixture->receiver);

  info = get_case (fixture->client, reference, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (haven_case_info_get_events (info)->len, ==, 1);
  g_assert_cmpint (haven_case_info_get_state (info), ==, HAVEN_CASE_STATE_OPEN);
  g_free (restart.listen);
}

/* A call cancelled before it is answered ends with G_IO_ERROR_CANCELLED. */
static void
test_cancelled (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) cases = NULL;

  g_cancellable_cancel (cancellable);
  haven_case_client_list_cases_async (fixture->client, NULL, 0, cancellable, store_result_cb,
                                      &result);
  cases = haven_case_client_list_cases_finish (fixture->client, wait_for_result (&result),
                                               &error);
  g_assert_null (cases);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);

  haven_case_client_sign_in_async (fixture->client, cancellable, store_result_cb, &result);
  g_assert_false (haven_case_client_sign_in_finish (fixture->client, wait_for_result (&result),
                                                    &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  work_dir_init ("case-client");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/haven/case-client/sign-in", Fixture, NULL, fixture_set_up, test_sign_in,
              fixture_tear_down);
  g_test_add ("/haven/case-client/sign-in-tls", Fixture, NULL, fixture_set_up, test_sign_in_tls,
              fixture_tear_down);
  g_test_add ("/haven/case-client/cases", Fixture, NULL, fixture_set_up, test_cases,
              fixture_tear_down);
  g_test_add ("/haven/case-client/large-body", Fixture, NULL, fixture_set_up, test_large_body,
              fixture_tear_down);
  g_test_add ("/haven/case-client/kiosks", Fixture, NULL, fixture_set_up, test_kiosks,
              fixture_tear_down);
  g_test_add ("/haven/case-client/notice-report", Fixture, NULL, fixture_set_up,
              test_notice_report, fixture_tear_down);
  g_test_add ("/haven/case-client/unreachable", Fixture, NULL, fixture_set_up, test_unreachable,
              fixture_tear_down);
  g_test_add ("/haven/case-client/retried", Fixture, NULL, fixture_set_up, test_retried,
              fixture_tear_down);
  g_test_add ("/haven/case-client/cancelled", Fixture, NULL, fixture_set_up, test_cancelled,
              fixture_tear_down);

  status = g_test_run ();

  work_dir_remove ();

  return status;
}
