/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver-server"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sodium.h>

#include "haven-receiver-fleet.h"
#include "haven-receiver-cases.h"
#include "haven-receiver-server.h"
#include "haven-request.h"

/* The reference backend of haven-api-v1.md: one SoupServer that answers the kiosk.
 * Integrators start from here, so the rules it keeps are the ones a real
 * backend must keep too: TLS unless on loopback for tests, a client
 * certificate checked against the organisation's own CA when asked for,
 * bearer tokens compared in constant time, each Idempotency-Key accepted
 * once and every repeat of it answered as the first time (even across a
 * restart or a crash), and never a request body in a log.
 *
 * A submission goes: headers checked (submission_early_cb), body checked
 * and its key claimed in the database (check_submission), then stored
 * under a new case reference (process_submission). The faults for tests
 * (HavenReceiverFaults) are played along the way. */

/* The API version this receiver speaks, as /v1/health reports it. */
#define API_VERSION 1

/* A claim on an Idempotency-Key that is older than this (plus --delay-ms)
 * was left by a receiver that stopped before it finished: processing one
 * submission takes milliseconds. */
#define IN_FLIGHT_STALE_SECONDS 30

/* Case references are "HV-XXXX-XXXX" in this alphabet: no 0/O or 1/I, so
 * that one can be read out over a counter or a phone without doubt. 32^8
 * references make a collision rare; one is retried this many times. */
#define CASE_REFERENCE_ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#define CASE_REFERENCE_ATTEMPTS 16

#define SUBMISSION_DATA "haven-receiver-submission"

/* Whose Idempotency-Keys these are, for the store: every client is one
 * and the same until the server tells clients apart ("cert:…",
 * "token:…"). */
#define ANONYMOUS_CLIENT "anonymous"

/* RFC 6585; libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429

struct _HavenReceiverServer
{
  GObject parent_instance;

  SoupServer *server;
  HavenReceiverStore *store;
  GTlsCertificate *tls_certificate;
  GTlsDatabase *client_ca;
  HavenReceiverKeypair *keypair;
  HavenReceiverTokens *tokens;
  /* Fleet status, answered through the routing hook below. */
  HavenReceiverFleet *fleet;
  HavenReceiverCases *cases;

  gboolean require_client_certificate;
  gboolean verbose;
  HavenReceiverFaults faults;
  /* POSTs to either endpoint so far, for the faults that count them. */
  guint n_submissions;
  /* Delay *, for the answers that --delay-ms holds back. */
  GPtrArray *delays;
};

/* What the receiver knows about one POST to an endpoint, attached to its
 * message. */
typedef struct {
  HavenRequestKind kind;
  /* Counted from 1. */
  guint index;
  gsize received;
  /* Checked against the body and a UUID, so it may be logged. */
  char *request_id;
  /* Set while this submission holds the key in flight. */
  char *claimed_key;
  /* The request's body exactly as received, sealed or JSON. */
  GBytes *body;
  gboolean sealed;
} Submission;

typedef void (*DelayedFunc) (HavenReceiverServer *self,
                             SoupServerMessage   *message);

typedef struct {
  HavenReceiverServer *self;
  SoupServerMessage *message;
  DelayedFunc func;
  guint source_id;
  gulong disconnected_id;
  gboolean disconnected;
} Delay;

G_DEFINE_FINAL_TYPE (HavenReceiverServer, haven_receiver_server, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-receiver-server-error-quark, haven_receiver_server_error)

enum {
  PROP_0,
  PROP_STORE,
  PROP_TLS_CERTIFICATE,
  PROP_CLIENT_CA,
  PROP_REQUIRE_CLIENT_CERTIFICATE,
  PROP_KEYPAIR,
  PROP_TOKENS,
  PROP_VERBOSE,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

/* Every answer body is JSON, and a repeated submission is answered with the
 * stored text of the first answer: one place makes the text, one sends it. */
static char *
builder_to_text (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* Answers @status with @text, a JSON document, which it takes. */
static void
send_json_text (SoupServerMessage *message,
                guint              status,
                char              *text)
{
  gsize length = strlen (text);

  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_TAKE, text, length);
}

static void
send_json (SoupServerMessage *message,
           guint              status,
           JsonBuilder       *builder)
{
  send_json_text (message, status, builder_to_text (builder));
}

/* Error bodies are for programs and the logs of integrators, as haven-api-v1.md
 * shows them, so they are not translated. */
static void
send_error (SoupServerMessage *message,
            guint              status,
            const char        *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);

  send_json (message, status, builder);
}

/* Answers 405 unless the method is one of @allowed (comma-separated, as
 * the Allow header lists them). */
static gboolean
require_method (SoupServerMessage *message,
                const char        *allowed)
{
  const char *method = soup_server_message_get_method (message);
  g_auto(GStrv) methods = g_strsplit (allowed, ", ", -1);

  if (g_strv_contains ((const char * const *) methods, method))
    return TRUE;

  soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                "Allow", allowed);
  send_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "method not allowed");
  return FALSE;
}

static void
submission_free (Submission *submission)
{
  g_free (submission->request_id);
  /* Released by whoever claimed it before the message goes. */
  g_assert (submission->claimed_key == NULL);
  g_clear_pointer (&submission->body, g_bytes_unref);
  g_free (submission);
}

static Submission *
get_submission (SoupServerMessage *message)
{
  return g_object_get_data (G_OBJECT (message), SUBMISSION_DATA);
}

/* One line a request with --verbose: never a body, a query or a header
 * value, only the request_id once it has been checked to be a UUID. */
static void
log_request (HavenReceiverServer *self,
             SoupServerMessage   *message,
             const char          *note)
{
  Submission *submission = get_submission (message);
  g_autoptr(GString) line = NULL;

  if (!self->verbose)
    return;

  line = g_string_new (NULL);
  g_string_append_printf (line, "%s %s %u",
                          soup_server_message_get_method (message),
                          g_uri_get_path (soup_server_message_get_uri (message)),
                          soup_server_message_get_status (message));
  if (submission != NULL && submission->request_id != NULL)
    g_string_append_printf (line, " %s", submission->request_id);
  if (note != NULL)
    g_string_append_printf (line, " (%s)", note);

  g_message ("%s", line->str);
}

static void
release_claim (HavenReceiverServer *self,
               Submission          *submission)
{
  g_autoptr(GError) error = NULL;

  if (submission->claimed_key == NULL)
    return;

  /* A claim that cannot be released now goes stale, and is taken over. */
  if (!haven_receiver_store_release (self->store, ANONYMOUS_CLIENT, submission->claimed_key,
                                     &error))
    g_message ("A submission’s claim cannot be released: %s", error->message);
  g_clear_pointer (&submission->claimed_key, g_free);
}

static void
message_disconnected_cb (SoupServerMessage *message,
                         gpointer           user_data)
{
  Delay *delay = user_data;

  delay->disconnected = TRUE;
}

static void
delay_free (Delay *delay)
{
  g_clear_signal_handler (&delay->disconnected_id, delay->message);
  g_clear_handle_id (&delay->source_id, g_source_remove);
  g_object_unref (delay->message);
  g_free (delay);
}

static gboolean
delay_done_cb (gpointer user_data)
{
  Delay *delay = user_data;
  HavenReceiverServer *self = delay->self;

  delay->source_id = 0;
  g_ptr_array_remove_fast (self->delays, delay);

  if (delay->func != NULL)
    delay->func (self, delay->message);
  /* libsoup complains about resuming a message whose connection is gone. */
  if (!delay->disconnected)
    soup_server_message_unpause (delay->message);

  delay_free (delay);
  return G_SOURCE_REMOVE;
}

/* Lets the answer to @message go after --delay-ms, calling @func (when not
 * NULL) first; without a delay, calls @func now. The message is paused
 * meanwhile, so the main loop goes on serving others. */
static void
answer_later (HavenReceiverServer *self,
              SoupServerMessage   *message,
              DelayedFunc          func)
{
  Delay *delay;

  if (self->faults.delay_ms == 0)
    {
      if (func != NULL)
        func (self, message);
      return;
    }

  delay = g_new0 (Delay, 1);
  delay->self = self;
  delay->message = g_object_ref (message);
  delay->func = func;
  delay->disconnected_id = g_signal_connect (message, "disconnected",
                                             G_CALLBACK (message_disconnected_cb), delay);
  delay->source_id = g_timeout_add (self->faults.delay_ms, delay_done_cb, delay);
  g_ptr_array_add (self->delays, delay);

  soup_server_message_pause (message);
}

/* The receiver is stopping, and the held answers will never go. A
 * submission that was waiting to be processed gives its key back, so the
 * kiosk's next attempt is processed afresh rather than refused as in
 * flight. */
static void
cancel_delays (HavenReceiverServer *self)
{
  while (self->delays != NULL && self->delays->len > 0)
    {
      Delay *delay = g_ptr_array_steal_index_fast (self->delays, self->delays->len - 1);
      Submission *submission = get_submission (delay->message);

      if (submission != NULL)
        release_claim (self, submission);
      delay_free (delay);
    }
}

/* Answers 401 unless the request carries one of --token-file's tokens, or
 * no tokens are configured. */
static gboolean
check_authorised (HavenReceiverServer *self,
                  SoupServerMessage   *message)
{
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (message);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (message);
  const char *authorization;

  if (self->tokens == NULL)
    return TRUE;

  authorization = soup_message_headers_get_one (request_headers, "Authorization");
  if (haven_receiver_tokens_check (self->tokens, authorization))
    return TRUE;

  /* RFC 6750, 3.1: no error code when no credentials were sent. */
  soup_message_headers_replace (response_headers, "WWW-Authenticate",
                                authorization == NULL
                                ? "Bearer realm=\"haven\""
                                : "Bearer realm=\"haven\", error=\"invalid_token\"");
  send_error (message, SOUP_STATUS_UNAUTHORIZED, "not authorised");
  return FALSE;
}

static void
health_cb (SoupServer        *server,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  HavenReceiverServer *self = user_data;
  g_autoptr(JsonBuilder) builder = NULL;

  /* A handler also gets every path below its own. */
  if (!g_str_equal (path, HAVEN_API_HEALTH_PATH))
    {
      send_error (message, SOUP_STATUS_NOT_FOUND, "not found");
      answer_later (self, message, NULL);
      return;
    }

  if (!require_method (message, "GET, HEAD") || !check_authorised (self, message))
    {
      answer_later (self, message, NULL);
      return;
    }

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ok");
  json_builder_set_member_name (builder, "api");
  json_builder_add_int_value (builder, API_VERSION);
  json_builder_end_object (builder);

  send_json (message, SOUP_STATUS_OK, builder);
  answer_later (self, message, NULL);
}

static void
not_found_cb (SoupServer        *server,
              SoupServerMessage *message,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  HavenReceiverServer *self = user_data;

  send_error (message, SOUP_STATUS_NOT_FOUND, "not found");
  answer_later (self, message, NULL);
}

static const HavenRequestKind submission_kinds[] = {
  HAVEN_REQUEST_KIND_REMOVAL,
  HAVEN_REQUEST_KIND_REPORT,
};

static gboolean
path_to_kind (const char       *path,
              HavenRequestKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (submission_kinds); i++)
    {
      if (g_str_equal (path, haven_request_kind_get_path (submission_kinds[i])))
        {
          *kind = submission_kinds[i];
          return TRUE;
        }
    }

  return FALSE;
}

/* For a request answered before its body is read: the body is still read,
 * so the connection stays usable, but not kept. */
static void
discard_request_body (SoupServerMessage *message)
{
  SoupMessageBody *body = soup_server_message_get_request_body (message);

  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
}

static void
send_too_large (SoupServerMessage *message)
{
  send_error (message, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "the body is larger than 256 KiB");
}

/* ---- Fleet status routing hook ---------------------------------------
 * The two fleet status paths go to the transport-neutral handler in
 * haven-receiver-fleet.c; this is only the glue to libsoup, to be ported
 * to the libmicrohttpd server as it stands: the body cap before the body
 * is read, the authorisation, a HavenReceiverCall in, the answer out. */

static void
fleet_early_cb (SoupServer        *server,
                SoupServerMessage *message,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  HavenReceiverServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  goffset length = soup_message_headers_get_content_length (headers);

  if (!haven_receiver_fleet_owns_path (path))
    return;

  /* libsoup reads the whole body before the handler: a report larger than
   * the cap is refused on its Content-Length (or chunked, on its first
   * chunks) and its body not kept. */
  if (length > HAVEN_RECEIVER_FLEET_MAX_BODY ||
      soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CHUNKED)
    {
      discard_request_body (message);
      send_error (message, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                  "the body is larger than 4 KiB");
      answer_later (self, message, NULL);
    }
}

static void
fleet_cb (SoupServer        *server,
          SoupServerMessage *message,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  HavenReceiverServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (message);
  g_autoptr(GBytes) body = NULL;
  g_auto(HavenReceiverAnswer) answer = { 0, };
  HavenReceiverCall call = { 0, };
  GSocketAddress *remote = soup_server_message_get_remote_address (message);
  g_autofree char *remote_address = NULL;
  g_autofree char *role = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");

  /* A handler also gets every path below its own. */
  if (!haven_receiver_fleet_owns_path (path))
    {
      send_error (message, SOUP_STATUS_NOT_FOUND, "not found");
      answer_later (self, message, NULL);
      return;
    }

  /* A credential of the store (haven-receiver credentials add) says who
   * and in which role; one of --token-file's tokens or a client
   * certificate is a kiosk, as for /v1/cases (cases_cb()); and so is any
   * client when the receiver takes submissions from anyone (no
   * --token-file), as a report is one of a kiosk's requests. The handler
   * answers 401 for none of these. */
  if (authorization != NULL && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0 &&
      !haven_receiver_store_find_credential (self->store, authorization + 7, &role, &name,
                                             &error))
    {
      g_message ("Fleet status: %s", error->message);
      send_error (message, SOUP_STATUS_SERVICE_UNAVAILABLE, "the database cannot be reached now");
      answer_later (self, message, NULL);
      return;
    }
  if (role == NULL && self->tokens != NULL &&
      haven_receiver_tokens_check (self->tokens, authorization))
    name = g_strdup ("kiosk-token");
  else if (role == NULL && soup_server_message_get_tls_peer_certificate (message) != NULL)
    name = g_strdup ("kiosk-certificate");
  else if (role == NULL && self->tokens == NULL)
    name = g_strdup (ANONYMOUS_CLIENT);
  if (role == NULL && name != NULL)
    role = g_strdup ("kiosk");

  if (G_IS_INET_SOCKET_ADDRESS (remote))
    {
      g_autofree char *host = g_inet_address_to_string (
        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));

      remote_address = g_strdup_printf ("%s:%u", host,
                                        g_inet_socket_address_get_port (
                                          G_INET_SOCKET_ADDRESS (remote)));
    }

  body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  call.method = soup_server_message_get_method (message);
  call.path = path;
  call.query = query;
  call.body = g_bytes_get_size (body) > 0 ? body : NULL;
  call.idempotency_key = soup_message_headers_get_one (headers, "Idempotency-Key");
  call.actor_name = name;
  call.actor_role = role;
  call.credential_presented = authorization != NULL;
  call.remote_address = remote_address;

  haven_receiver_fleet_handle (self->fleet, &call, &answer);

  for (guint i = 0; answer.headers != NULL && i + 1 < answer.headers->len; i += 2)
    soup_message_headers_replace (response_headers, g_ptr_array_index (answer.headers, i),
                                  g_ptr_array_index (answer.headers, i + 1));

  soup_server_message_set_status (message, answer.status, NULL);
  if (answer.body != NULL)
    {
      gsize length = 0;
      const char *data = g_bytes_get_data (answer.body, &length);

      soup_server_message_set_response (message, answer.content_type, SOUP_MEMORY_COPY,
                                        data, length);
    }
  answer_later (self, message, NULL);
}

/* ---- End of the fleet status routing hook ---------------------------- */

/* --fail-first: the answer of a busy or refusing backend. */
static void
send_fault (HavenReceiverServer *self,
            SoupServerMessage   *message)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);
  guint status = self->faults.fail_status != 0 ? self->faults.fail_status
                                               : SOUP_STATUS_SERVICE_UNAVAILABLE;
  g_autofree char *text = g_ascii_strdown (soup_status_get_phrase (status), -1);

  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE || status == STATUS_TOO_MANY_REQUESTS)
    {
      g_autofree char *retry_after = g_strdup_printf ("%u", self->faults.retry_after);

      soup_message_headers_replace (headers, "Retry-After", retry_after);
    }
  else if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      soup_message_headers_replace (headers, "WWW-Authenticate", "Bearer realm=\"haven\"");
    }

  /* soup_status_get_phrase() has no phrase for some codes in 4xx/5xx. */
  send_error (message, status, text[0] != '\0' ? text : "refused");
}

/* Sets *sealed, or answers 415 for a type this receiver cannot take. */
static gboolean
check_content_type (HavenReceiverServer *self,
                    SoupServerMessage   *message,
                    gboolean            *sealed)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  GHashTable *parameters = NULL;
  const char *content_type;
  const char *charset = NULL;
  gboolean ok = FALSE;

  content_type = soup_message_headers_get_content_type (headers, &parameters);
  if (parameters != NULL)
    charset = g_hash_table_lookup (parameters, "charset");

  if (content_type == NULL)
    {
      ok = FALSE;
    }
  else if (g_ascii_strcasecmp (content_type, HAVEN_API_CONTENT_TYPE_JSON) == 0)
    {
      /* JSON is UTF-8 (RFC 8259); a charset parameter may only say so. */
      *sealed = FALSE;
      ok = charset == NULL || g_ascii_strcasecmp (charset, "utf-8") == 0;
    }
  else if (g_ascii_strcasecmp (content_type, HAVEN_API_CONTENT_TYPE_SEALED) == 0)
    {
      *sealed = TRUE;
      ok = self->keypair != NULL;
    }
  g_clear_pointer (&parameters, g_hash_table_destroy);

  if (!ok)
    send_error (message, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                self->keypair != NULL
                ? "Content-Type must be " HAVEN_API_CONTENT_TYPE_JSON " or "
                  HAVEN_API_CONTENT_TYPE_SEALED
                : "Content-Type must be " HAVEN_API_CONTENT_TYPE_JSON);

  return ok;
}

static void
got_chunk_cb (SoupServerMessage *message,
              GBytes            *chunk,
              gpointer           user_data)
{
  HavenReceiverServer *self = user_data;
  Submission *submission = get_submission (message);

  /* Without a Content-Length (chunked), the size shows only as the body
   * comes: stop keeping it once it is too large. */
  submission->received += g_bytes_get_size (chunk);
  if (submission->received <= HAVEN_REQUEST_MAX_BODY_BYTES ||
      soup_server_message_get_status (message) != 0)
    return;

  discard_request_body (message);
  send_too_large (message);
  answer_later (self, message, NULL);
}

static void
stream_closed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (object), result, NULL);
}

/* --close-mid-answer: the status line and headers have gone out, the body
 * has not. Closing the connection now is a network failing in the middle
 * of the answer, after the request was stored: the kiosk must try again
 * and be told the same as the first time. */
static void
cut_answer_cb (SoupServerMessage *message,
               gpointer           user_data)
{
  HavenReceiverServer *self = user_data;
  g_autoptr(GIOStream) stream = NULL;

  log_request (self, message, "connection closed in the middle of the answer");

  /* After this, libsoup may have dropped @message. */
  stream = soup_server_message_steal_connection (message);
  if (stream != NULL)
    g_io_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, stream_closed_cb, NULL);
}

/* Answers a submission that can be refused on its headers alone, and
 * returns FALSE then. */
static gboolean
admit_submission (HavenReceiverServer *self,
                  SoupServerMessage   *message,
                  Submission          *submission)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  gboolean sealed = FALSE;

  if (submission->index <= self->faults.fail_first)
    {
      send_fault (self, message);
      return FALSE;
    }

  if (!check_authorised (self, message))
    return FALSE;

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > HAVEN_REQUEST_MAX_BODY_BYTES)
    {
      send_too_large (message);
      return FALSE;
    }

  return check_content_type (self, message, &sealed);
}

/* Runs once the headers are in, before the body is read: whatever can be
 * refused without the body is refused here, so that the body of an
 * unauthorised or oversized request is never kept. */
static void
submission_early_cb (SoupServer        *server,
                     SoupServerMessage *message,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  HavenReceiverServer *self = user_data;
  Submission *submission;
  HavenRequestKind kind;

  /* Paths below an endpoint are left to submission_cb(), which answers
   * 404. */
  if (!path_to_kind (path, &kind))
    return;

  if (!require_method (message, "POST"))
    {
      discard_request_body (message);
      answer_later (self, message, NULL);
      return;
    }

  submission = g_new0 (Submission, 1);
  submission->kind = kind;
  submission->index = ++self->n_submissions;
  g_object_set_data_full (G_OBJECT (message), SUBMISSION_DATA, submission,
                          (GDestroyNotify) submission_free);

  if (submission->index <= self->faults.close_mid_answer)
    g_signal_connect (message, "wrote-headers", G_CALLBACK (cut_answer_cb), self);

  if (admit_submission (self, message, submission))
    {
      g_signal_connect (message, "got-chunk", G_CALLBACK (got_chunk_cb), self);
      return;
    }

  /* A status is set: libsoup reads the rest of the body and answers with
   * it, without calling submission_cb(). */
  discard_request_body (message);
  answer_later (self, message, NULL);
}

/* The Idempotency-Key header is a structured-field string (RFC 8941,
 * 3.3.3), "…" with \" and \\ escapes; haven-api-v1.md also takes it unquoted.
 * Returns NULL for a missing, empty or malformed key. */
static char *
parse_idempotency_key (const char *value)
{
  g_autoptr(GString) key = NULL;
  const char *c;

  if (value == NULL)
    return NULL;

  while (*value == ' ' || *value == '\t')
    value++;

  key = g_string_new (NULL);
  if (*value == '"')
    {
      for (c = value + 1; *c != '"'; c++)
        {
          if (*c == '\\')
            {
              c++;
              if (*c != '"' && *c != '\\')
                return NULL;
            }
          else if (*c < 0x20 || *c > 0x7e)
            {
              return NULL;
            }
          g_string_append_c (key, *c);
        }
      c++;
    }
  else
    {
      for (c = value; g_ascii_isgraph (*c); c++)
        g_string_append_c (key, *c);
    }

  while (*c == ' ' || *c == '\t')
    c++;
  if (*c != '\0' || key->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&key), FALSE);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* 400 with the validator's message for each field, in a stable order. */
static void
send_invalid (SoupServerMessage *message,
              GHashTable        *field_errors)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree const char **fields = NULL;
  guint n_fields = 0;

  fields = (const char **) g_hash_table_get_keys_as_array (field_errors, &n_fields);
  qsort (fields, n_fields, sizeof *fields, compare_strings);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, "invalid request");
  json_builder_set_member_name (builder, "fields");
  json_builder_begin_object (builder);
  for (guint i = 0; i < n_fields; i++)
    {
      json_builder_set_member_name (builder, fields[i]);
      json_builder_add_string_value (builder, g_hash_table_lookup (field_errors, fields[i]));
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  send_json (message, SOUP_STATUS_BAD_REQUEST, builder);
}

/* Logs a failure of the store and answers it: 503 with Retry-After while
 * the database cannot be reached, and 409 with Retry-After when another
 * receiver took the claim over (or an earlier try of ours was stored
 * after all), both of which the kiosk tries again later and neither of
 * which is a fault of this program; 500 for anything else. */
static void
send_store_error (SoupServerMessage *message,
                  const char        *doing,
                  const GError      *error)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

  if (g_error_matches (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_UNAVAILABLE))
    {
      g_message ("%s: %s", doing, error->message);
      soup_message_headers_replace (headers, "Retry-After", "1");
      send_error (message, SOUP_STATUS_SERVICE_UNAVAILABLE, "the database is unavailable");
    }
  else if (g_error_matches (error, HAVEN_RECEIVER_STORE_ERROR,
                            HAVEN_RECEIVER_STORE_ERROR_CLAIM_LOST))
    {
      g_message ("%s: %s", doing, error->message);
      soup_message_headers_replace (headers, "Retry-After", "1");
      send_error (message, SOUP_STATUS_CONFLICT,
                  "a request with this key is still being processed");
    }
  else
    {
      g_warning ("%s: %s", doing, error->message);
      send_error (message, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal error");
    }
}

static gint64
get_stale_after (HavenReceiverServer *self)
{
  return IN_FLIGHT_STALE_SECONDS + self->faults.delay_ms / 1000 + 1;
}

/* Checks a submission whose body is in, and looks its key up. Returns
 * TRUE when it is to be processed, with its key claimed; otherwise it has
 * been answered. */
static gboolean
check_submission (HavenReceiverServer *self,
                  SoupServerMessage   *message,
                  Submission          *submission)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(HavenRequest) request = NULL;
  g_autoptr(GHashTable) field_errors = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *body_sha256 = NULL;
  g_autofree char *stored_body = NULL;
  HavenReceiverClaim claim;
  guint stored_status = 0;
  gboolean sealed = FALSE;
  const char *request_id;
  const char *data;
  gsize length = 0;

  body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  if (g_bytes_get_size (body) > HAVEN_REQUEST_MAX_BODY_BYTES)
    {
      send_too_large (message);
      return FALSE;
    }

  key = parse_idempotency_key (soup_message_headers_get_one (headers, "Idempotency-Key"));
  if (key == NULL)
    {
      send_error (message, SOUP_STATUS_BAD_REQUEST,
                  "the Idempotency-Key header is missing or not a string");
      return FALSE;
    }

  /* The early handler has checked the type already. */
  check_content_type (self, message, &sealed);
  if (sealed)
    {
      json = haven_receiver_keypair_open (self->keypair, body, &error);
      if (json == NULL)
        {
          send_error (message, SOUP_STATUS_BAD_REQUEST,
                      "the sealed body cannot be opened with this receiver's key pair");
          return FALSE;
        }
    }
  else
    {
      json = g_bytes_ref (body);
    }

  data = g_bytes_get_data (json, &length);
  request = haven_request_new_from_json (submission->kind, data != NULL ? data : "",
                                         (gssize) length, &error);
  if (request == NULL)
    {
      if (g_error_matches (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_TOO_BIG))
        send_too_large (message);
      else
        send_error (message, SOUP_STATUS_BAD_REQUEST, error->message);
      return FALSE;
    }

  if (!haven_request_validate (request, &field_errors))
    {
      send_invalid (message, field_errors);
      return FALSE;
    }

  /* The key and request_id are one value (haven-api-v1.md): a kiosk that sent
   * another key has mixed two requests up. */
  request_id = haven_request_get_request_id (request);
  if (g_strcmp0 (request_id, key) != 0)
    {
      send_error (message, SOUP_STATUS_BAD_REQUEST,
                  "the Idempotency-Key is not the body's request_id");
      return FALSE;
    }
  if (haven_request_is_uuid_v4 (request_id))
    submission->request_id = g_strdup (request_id);

  /* Over the bytes as received: a kiosk's retries send the same ones,
   * sealed or not. */
  body_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
  if (!haven_receiver_store_claim (self->store, ANONYMOUS_CLIENT, key, submission->kind,
                                   body_sha256, get_stale_after (self), &claim, &stored_status,
                                   &stored_body, &error))
    {
      send_store_error (message, "A submission cannot be looked up", error);
      return FALSE;
    }

  switch (claim)
    {
    case HAVEN_RECEIVER_CLAIM_NEW:
      submission->claimed_key = g_steal_pointer (&key);
      submission->body = g_steal_pointer (&body);
      submission->sealed = sealed;
      return TRUE;

    case HAVEN_RECEIVER_CLAIM_IN_FLIGHT:
      soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                    "Retry-After", "1");
      send_error (message, SOUP_STATUS_CONFLICT,
                  "a request with this key is still being processed");
      return FALSE;

    case HAVEN_RECEIVER_CLAIM_MISMATCH:
      send_error (message, SOUP_STATUS_UNPROCESSABLE_ENTITY,
                  "this key was used before with a different body");
      return FALSE;

    case HAVEN_RECEIVER_CLAIM_DONE:
      /* haven-api-v1.md: 200, with the body of the first answer (only a 201 is
       * ever stored). */
      g_warn_if_fail (stored_status == SOUP_STATUS_CREATED);
      send_json_text (message, SOUP_STATUS_OK, g_steal_pointer (&stored_body));
      return FALSE;

    default:
      g_assert_not_reached ();
    }
}

static char *
make_case_reference (void)
{
  char reference[] = "HV-0000-0000";

  for (char *c = reference + 3; *c != '\0'; c++)
    {
      if (*c != '-')
        *c = CASE_REFERENCE_ALPHABET[randombytes_uniform (sizeof CASE_REFERENCE_ALPHABET - 1)];
    }

  return g_strdup (reference);
}

static char *
make_created_body (const char *case_reference)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "case_reference");
  json_builder_add_string_value (builder, case_reference);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "received");
  json_builder_end_object (builder);

  return builder_to_text (builder);
}

/* Stores a checked submission under a new case reference, and answers
 * 201. */
static void
process_submission (HavenReceiverServer *self,
                    SoupServerMessage   *message)
{
  Submission *submission = get_submission (message);
  g_autoptr(GError) error = NULL;
  g_autofree char *response_body = NULL;

  g_assert (submission != NULL && submission->claimed_key != NULL);

  for (guint attempt = 0; attempt < CASE_REFERENCE_ATTEMPTS; attempt++)
    {
      g_autofree char *case_reference = make_case_reference ();

      g_clear_error (&error);
      g_free (response_body);
      response_body = make_created_body (case_reference);
      if (haven_receiver_store_accept (self->store, ANONYMOUS_CLIENT, submission->claimed_key,
                                       submission->kind, submission->body, submission->sealed,
                                       NULL, case_reference, SOUP_STATUS_CREATED,
                                       response_body, &error))
        break;
      if (!g_error_matches (error, HAVEN_RECEIVER_STORE_ERROR,
                            HAVEN_RECEIVER_STORE_ERROR_DUPLICATE))
        break;
    }

  if (error != NULL)
    {
      release_claim (self, submission);
      send_store_error (message, "A submission cannot be stored", error);
      return;
    }

  g_clear_pointer (&submission->claimed_key, g_free);
  g_clear_pointer (&submission->body, g_bytes_unref);

  send_json_text (message, SOUP_STATUS_CREATED, g_steal_pointer (&response_body));
}

static void
submission_cb (SoupServer        *server,
               SoupServerMessage *message,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  HavenReceiverServer *self = user_data;
  Submission *submission = get_submission (message);

  /* Only the endpoints themselves got one from submission_early_cb(). */
  if (submission == NULL)
    {
      send_error (message, SOUP_STATUS_NOT_FOUND, "not found");
      answer_later (self, message, NULL);
      return;
    }

  /* The key is claimed before --delay-ms, so a repeat during the delay
   * finds it in flight. */
  if (check_submission (self, message, submission))
    answer_later (self, message, process_submission);
  else
    answer_later (self, message, NULL);
}

/* ---- Caseworker API hook ------------------------------------------------
 * The HTTP side of the caseworker API (haven-receiver-cases.c), whole in
 * this one function so that it moves to another HTTP layer as it is: the
 * bearer token is looked up in the store's credentials on every request
 * (so a revocation counts at once); a --token-file token or a verified
 * client certificate is a kiosk's. The handler answers and audits. */
static void
cases_cb (SoupServer        *server,
          SoupServerMessage *message,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  HavenReceiverServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  SoupMessageBody *request_body = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) body = soup_message_body_flatten (request_body);
  g_auto(HavenReceiverAnswer) answer = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *role = NULL;
  g_autofree char *name = NULL;
  HavenReceiverCall call = {
    .method = soup_server_message_get_method (message), .path = path, .query = query,
    .body = body, .credential_presented = authorization != NULL,
    .idempotency_key = soup_message_headers_get_one (headers, "Idempotency-Key"),
    .remote_address = soup_server_message_get_remote_host (message),
  };

  if (authorization != NULL && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0 &&
      !haven_receiver_store_find_credential (self->store, authorization + 7, &role, &name, &error))
    {
      send_store_error (message, "A credential cannot be looked up", error);
      return;
    }
  if (role == NULL && ((self->tokens != NULL &&
                        haven_receiver_tokens_check (self->tokens, authorization)) ||
                       soup_server_message_get_tls_peer_certificate (message) != NULL))
    {
      role = g_strdup ("kiosk");
      name = g_strdup (self->tokens != NULL ? "kiosk-token" : "kiosk-certificate");
    }
  call.actor_role = role;
  call.actor_name = name;

  if (!haven_receiver_cases_handle (self->cases, &call, &answer))
    {
      send_error (message, SOUP_STATUS_NOT_FOUND, "not found");
      return;
    }
  for (guint i = 0; answer.headers != NULL && i < answer.headers->len; i += 2)
    soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                  g_ptr_array_index (answer.headers, i),
                                  g_ptr_array_index (answer.headers, i + 1));
  soup_server_message_set_status (message, answer.status, NULL);
  soup_server_message_set_response (message, answer.content_type, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (answer.body, NULL),
                                    g_bytes_get_size (answer.body));
}
/* ---- End of the caseworker API hook ------------------------------------- */

/* glib-networking's verify_chain() ignores the purpose it is given, so a
 * server certificate from the same CA would pass as a kiosk's identity.
 * Check the extended key usage the way GnuTLS would: a certificate without
 * the extension may be used for anything (RFC 5280, 4.2.1.12). */
static gboolean
allows_client_authentication (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  gnutls_x509_crt_t x509 = NULL;
  gnutls_datum_t datum;
  gboolean allowed = FALSE;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return FALSE;

  datum.data = der->data;
  datum.size = der->len;

  if (gnutls_x509_crt_init (&x509) < 0)
    return FALSE;

  if (gnutls_x509_crt_import (x509, &datum, GNUTLS_X509_FMT_DER) >= 0)
    {
      for (unsigned int i = 0; ; i++)
        {
          char oid[128];
          size_t oid_size = sizeof oid;
          int status = gnutls_x509_crt_get_key_purpose_oid (x509, i, oid, &oid_size, NULL);

          if (status == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            {
              allowed = (i == 0);
              break;
            }
          if (status < 0)
            break;

          if (strcmp (oid, GNUTLS_KP_TLS_WWW_CLIENT) == 0 || strcmp (oid, GNUTLS_KP_ANY) == 0)
            {
              allowed = TRUE;
              break;
            }
        }
    }

  gnutls_x509_crt_deinit (x509);
  return allowed;
}

static gboolean
accept_certificate_cb (SoupServerMessage    *message,
                       GTlsCertificate      *peer_certificate,
                       GTlsCertificateFlags  peer_errors,
                       gpointer              user_data)
{
  HavenReceiverServer *self = user_data;
  g_autoptr(GError) error = NULL;
  GTlsCertificateFlags errors;

  /* glib-networking asks about every client certificate on a server
   * connection, valid or not, and refuses when nobody answers TRUE. Verify
   * against --ca ourselves rather than rely on which database the
   * connection happened to use. */
  errors = g_tls_database_verify_chain (self->client_ca, peer_certificate,
                                        G_TLS_DATABASE_PURPOSE_AUTHENTICATE_CLIENT,
                                        NULL, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
  if (error != NULL)
    {
      g_message ("Refused a client certificate from %s: %s",
                 soup_server_message_get_remote_host (message), error->message);
      return FALSE;
    }

  if (errors != 0)
    {
      g_message ("Refused a client certificate from %s (verification flags 0x%x)",
                 soup_server_message_get_remote_host (message), (guint) errors);
      return FALSE;
    }

  if (!allows_client_authentication (peer_certificate))
    {
      g_message ("Refused a client certificate from %s: it is not for client authentication",
                 soup_server_message_get_remote_host (message));
      return FALSE;
    }

  return TRUE;
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *message,
                    gpointer           user_data)
{
  HavenReceiverServer *self = user_data;

  if (self->client_ca != NULL)
    g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_certificate_cb), self);
}

static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *message,
                     gpointer           user_data)
{
  HavenReceiverServer *self = user_data;

  /* Method, path and status only: bodies and queries may hold what a
   * visitor wrote. */
  g_debug ("%s %s %u",
           soup_server_message_get_method (message),
           g_uri_get_path (soup_server_message_get_uri (message)),
           soup_server_message_get_status (message));
  log_request (self, message, NULL);
}

static void
request_aborted_cb (SoupServer        *server,
                    SoupServerMessage *message,
                    gpointer           user_data)
{
  HavenReceiverServer *self = user_data;

  log_request (self, message, "the connection ended before the answer was sent");
}

static void
haven_receiver_server_constructed (GObject *object)
{
  HavenReceiverServer *self = HAVEN_RECEIVER_SERVER (object);
  GTlsAuthenticationMode auth_mode = G_TLS_AUTHENTICATION_NONE;

  G_OBJECT_CLASS (haven_receiver_server_parent_class)->constructed (object);

  if (self->client_ca != NULL)
    auth_mode = self->require_client_certificate ? G_TLS_AUTHENTICATION_REQUIRED
                                                 : G_TLS_AUTHENTICATION_REQUESTED;

  /* No trailing space in server-header: libsoup would append its own
   * version, which a client has no need to know. */
  self->server = soup_server_new ("server-header", "haven-receiver/" PACKAGE_VERSION,
                                  "tls-certificate", self->tls_certificate,
                                  "tls-database", self->client_ca,
                                  "tls-auth-mode", auth_mode,
                                  NULL);

  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->server, "request-finished", G_CALLBACK (request_finished_cb), self);
  g_signal_connect (self->server, "request-aborted", G_CALLBACK (request_aborted_cb), self);

  soup_server_add_handler (self->server, HAVEN_API_HEALTH_PATH, health_cb, self, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (submission_kinds); i++)
    {
      const char *path = haven_request_kind_get_path (submission_kinds[i]);

      soup_server_add_early_handler (self->server, path, submission_early_cb, self, NULL);
      soup_server_add_handler (self->server, path, submission_cb, self, NULL);
    }
  /* Fleet status routing hook: see fleet_cb(). */
  self->fleet = haven_receiver_fleet_new (self->store);
  soup_server_add_early_handler (self->server, HAVEN_RECEIVER_FLEET_STATUS_PATH, fleet_early_cb,
                                 self, NULL);
  soup_server_add_handler (self->server, HAVEN_RECEIVER_FLEET_STATUS_PATH, fleet_cb, self, NULL);
  soup_server_add_handler (self->server, HAVEN_RECEIVER_FLEET_KIOSKS_PATH, fleet_cb, self, NULL);
  self->cases = haven_receiver_cases_new (self->store);
  soup_server_add_handler (self->server, "/v1/cases", cases_cb, self, NULL);
  soup_server_add_handler (self->server, "/v1/audit", cases_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, not_found_cb, self, NULL);
}

static void
haven_receiver_server_dispose (GObject *object)
{
  HavenReceiverServer *self = HAVEN_RECEIVER_SERVER (object);

  cancel_delays (self);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_object (&self->cases);
  g_clear_object (&self->store);
  g_clear_object (&self->tls_certificate);
  g_clear_object (&self->client_ca);
  g_clear_object (&self->keypair);
  g_clear_object (&self->tokens);
  g_clear_object (&self->fleet);

  G_OBJECT_CLASS (haven_receiver_server_parent_class)->dispose (object);
}

static void
haven_receiver_server_finalize (GObject *object)
{
  HavenReceiverServer *self = HAVEN_RECEIVER_SERVER (object);

  g_clear_pointer (&self->delays, g_ptr_array_unref);

  G_OBJECT_CLASS (haven_receiver_server_parent_class)->finalize (object);
}

static void
haven_receiver_server_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  HavenReceiverServer *self = HAVEN_RECEIVER_SERVER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_TLS_CERTIFICATE:
      g_value_set_object (value, self->tls_certificate);
      break;

    case PROP_CLIENT_CA:
      g_value_set_object (value, self->client_ca);
      break;

    case PROP_REQUIRE_CLIENT_CERTIFICATE:
      g_value_set_boolean (value, self->require_client_certificate);
      break;

    case PROP_KEYPAIR:
      g_value_set_object (value, self->keypair);
      break;

    case PROP_TOKENS:
      g_value_set_object (value, self->tokens);
      break;

    case PROP_VERBOSE:
      g_value_set_boolean (value, self->verbose);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_receiver_server_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  HavenReceiverServer *self = HAVEN_RECEIVER_SERVER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_TLS_CERTIFICATE:
      self->tls_certificate = g_value_dup_object (value);
      break;

    case PROP_CLIENT_CA:
      self->client_ca = g_value_dup_object (value);
      break;

    case PROP_REQUIRE_CLIENT_CERTIFICATE:
      self->require_client_certificate = g_value_get_boolean (value);
      break;

    case PROP_KEYPAIR:
      haven_receiver_server_set_keypair (self, g_value_get_object (value));
      break;

    case PROP_TOKENS:
      haven_receiver_server_set_tokens (self, g_value_get_object (value));
      break;

    case PROP_VERBOSE:
      haven_receiver_server_set_verbose (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_receiver_server_class_init (HavenReceiverServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = haven_receiver_server_constructed;
  object_class->dispose = haven_receiver_server_dispose;
  object_class->finalize = haven_receiver_server_finalize;
  object_class->get_property = haven_receiver_server_get_property;
  object_class->set_property = haven_receiver_server_set_property;

  props[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         HAVEN_TYPE_RECEIVER_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /* NULL serves plain HTTP, which haven_receiver_server_listen() allows on
   * loopback only. */
  props[PROP_TLS_CERTIFICATE] =
    g_param_spec_object ("tls-certificate", NULL, NULL,
                         G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /* The CAs whose client certificates are accepted; NULL asks for none. */
  props[PROP_CLIENT_CA] =
    g_param_spec_object ("client-ca", NULL, NULL,
                         G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  props[PROP_REQUIRE_CLIENT_CERTIFICATE] =
    g_param_spec_boolean ("require-client-certificate", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /* The key pair that opens sealed bodies; NULL refuses them. */
  props[PROP_KEYPAIR] =
    g_param_spec_object ("keypair", NULL, NULL,
                         HAVEN_TYPE_RECEIVER_KEYPAIR,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* The bearer tokens kiosks must send; NULL asks for none. */
  props[PROP_TOKENS] =
    g_param_spec_object ("tokens", NULL, NULL,
                         HAVEN_TYPE_RECEIVER_TOKENS,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* Logs one line a request (never its contents). */
  props[PROP_VERBOSE] =
    g_param_spec_boolean ("verbose", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
haven_receiver_server_init (HavenReceiverServer *self)
{
  self->delays = g_ptr_array_new ();
  self->faults.retry_after = 1;
}

/**
 * haven_receiver_server_new:
 * @store: where submissions are kept
 * @tls_certificate: (nullable): the server's certificate with its key;
 *   %NULL for plain HTTP on loopback (tests only)
 * @client_ca: (nullable): the CAs that sign the kiosks' client certificates
 * @require_client_cert: refuse clients without a certificate that
 *   @client_ca verifies; without it a certificate is asked for, not required
 */
HavenReceiverServer *
haven_receiver_server_new (HavenReceiverStore *store,
                           GTlsCertificate    *tls_certificate,
                           GTlsDatabase       *client_ca,
                           gboolean            require_client_cert)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (store), NULL);
  g_return_val_if_fail (tls_certificate == NULL || G_IS_TLS_CERTIFICATE (tls_certificate), NULL);
  g_return_val_if_fail (client_ca == NULL || G_IS_TLS_DATABASE (client_ca), NULL);
  g_return_val_if_fail (client_ca == NULL || tls_certificate != NULL, NULL);
  g_return_val_if_fail (!require_client_cert || client_ca != NULL, NULL);

  return g_object_new (HAVEN_TYPE_RECEIVER_SERVER,
                       "store", store,
                       "tls-certificate", tls_certificate,
                       "client-ca", client_ca,
                       "require-client-certificate", require_client_cert,
                       NULL);
}

gboolean
haven_receiver_server_listen (HavenReceiverServer  *self,
                              GInetSocketAddress   *address,
                              GError              **error)
{
  GInetAddress *inet_address;
  g_autoptr(GError) listen_error = NULL;
  g_autofree char *address_text = NULL;
  SoupServerListenOptions options = 0;
  guint n_released = 0;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_SERVER (self), FALSE);
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  inet_address = g_inet_socket_address_get_address (address);
  address_text = g_inet_address_to_string (inet_address);

  /* Plain HTTP carries what visitors wrote in clear text: only where it
   * never leaves the machine. */
  if (self->tls_certificate == NULL && !g_inet_address_get_is_loopback (inet_address))
    {
      g_set_error (error, HAVEN_RECEIVER_SERVER_ERROR, HAVEN_RECEIVER_SERVER_ERROR_INSECURE,
                   _("Plain HTTP is allowed on a loopback address only, not on %s"),
                   address_text);
      return FALSE;
    }

  /* A receiver that stopped in the middle of a submission left its key
   * in flight; the kiosk's retry will be processed afresh. */
  if (!haven_receiver_store_release_stale (self->store, get_stale_after (self), &n_released,
                                           error))
    return FALSE;
  if (n_released > 0)
    g_message ("Released %u submissions that an earlier run left unfinished", n_released);

  if (self->tls_certificate != NULL)
    options |= SOUP_SERVER_LISTEN_HTTPS;

  if (!soup_server_listen (self->server, G_SOCKET_ADDRESS (address), options, &listen_error))
    {
      g_set_error (error, HAVEN_RECEIVER_SERVER_ERROR, HAVEN_RECEIVER_SERVER_ERROR_LISTEN,
                   _("Cannot listen on %s port %u: %s"), address_text,
                   (guint) g_inet_socket_address_get_port (address), listen_error->message);
      return FALSE;
    }

  return TRUE;
}

/**
 * haven_receiver_server_dup_url:
 *
 * Returns: (transfer full) (nullable): the base URL the receiver answers
 *   on, with the port it was actually given, or %NULL before
 *   haven_receiver_server_listen()
 */
char *
haven_receiver_server_dup_url (HavenReceiverServer *self)
{
  GSList *uris;
  char *url = NULL;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_SERVER (self), NULL);

  uris = soup_server_get_uris (self->server);
  if (uris != NULL)
    {
      GUri *uri = uris->data;

      /* g_uri_join() puts an IPv6 address in brackets. */
      url = g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                        g_uri_get_port (uri), "", NULL, NULL);
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return url;
}

/**
 * haven_receiver_server_disconnect:
 *
 * Stops listening and closes every connection.
 */
void
haven_receiver_server_disconnect (HavenReceiverServer *self)
{
  g_return_if_fail (HAVEN_IS_RECEIVER_SERVER (self));

  cancel_delays (self);
  soup_server_disconnect (self->server);
}

void
haven_receiver_server_set_keypair (HavenReceiverServer  *self,
                                   HavenReceiverKeypair *keypair)
{
  g_return_if_fail (HAVEN_IS_RECEIVER_SERVER (self));
  g_return_if_fail (keypair == NULL || HAVEN_IS_RECEIVER_KEYPAIR (keypair));

  if (g_set_object (&self->keypair, keypair))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_KEYPAIR]);
}

void
haven_receiver_server_set_tokens (HavenReceiverServer *self,
                                  HavenReceiverTokens *tokens)
{
  g_return_if_fail (HAVEN_IS_RECEIVER_SERVER (self));
  g_return_if_fail (tokens == NULL || HAVEN_IS_RECEIVER_TOKENS (tokens));

  if (g_set_object (&self->tokens, tokens))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TOKENS]);
}

void
haven_receiver_server_set_verbose (HavenReceiverServer *self,
                                   gboolean             verbose)
{
  g_return_if_fail (HAVEN_IS_RECEIVER_SERVER (self));

  verbose = !!verbose;
  if (self->verbose == verbose)
    return;

  self->verbose = verbose;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_VERBOSE]);
}

/**
 * haven_receiver_server_set_faults:
 * @faults: the faults to play, for tests and demos
 *
 * The counts in @faults start from the next POST.
 */
void
haven_receiver_server_set_faults (HavenReceiverServer       *self,
                                  const HavenReceiverFaults *faults)
{
  g_return_if_fail (HAVEN_IS_RECEIVER_SERVER (self));
  g_return_if_fail (faults != NULL);
  g_return_if_fail (faults->fail_status == 0 ||
                    (faults->fail_status >= 400 && faults->fail_status <= 599));

  self->faults = *faults;
  self->n_submissions = 0;
}
