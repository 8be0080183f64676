/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver-server"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <gio/gnetworking.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>
#include <microhttpd.h>
#include <sodium.h>

#include "haven-receiver-cases.h"
#include "haven-receiver-fleet.h"
#include "haven-receiver-server.h"
#include "haven-request.h"
#include "haven-request-envelope.h"

/* The reference backend of haven-api-v1.md, on libmicrohttpd. Integrators
 * start from here, so the rules it keeps are the ones a real backend must
 * keep too: TLS 1.2 or later unless on loopback for tests, a client
 * certificate checked against the organisation's own CA when asked for,
 * bearer tokens compared in constant time and guesses at them slowed,
 * each Idempotency-Key accepted once and every repeat of it answered as
 * the first time (even across a restart or a crash), and never a request
 * body in a log.
 *
 * It is meant to face the internet, so every resource a client can make
 * it spend has a bound (HavenReceiverLimits): connections in all and per
 * address, a timeout that also covers the TLS handshake and idle
 * keep-alive, memory per connection, and a body cap enforced before a
 * byte of the body is read. Only the two submission endpoints take a body
 * at all.
 *
 * Threads: libmicrohttpd serves connections on its own threads (epoll, a
 * pool of --threads), and everything below runs on them, the store's
 * calls included, which block only that thread. The GLib main loop of
 * haven-receiver.c only waits for signals. --delay-ms suspends a
 * connection and resumes it from a timer thread of its own.
 *
 * A request goes: headers checked (begin_request, on the first call of
 * access_cb), then for a submission the body read up to the cap, checked
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

/* TLS 1.0 and 1.1 are gone from every client Haven supports, and their
 * weaknesses are why (RFC 8996). */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/* Bearer tokens are long random strings; a client that sends this many
 * wrong ones in a row is guessing, not mistyped. From then on its address
 * is refused with 429 for a time that doubles with each further wrong
 * token, up to TOKEN_BACKOFF_MAX_SECONDS. An address quiet for
 * TOKEN_GUESS_MEMORY_SECONDS starts afresh; the table is bounded so that
 * many addresses cannot grow it without end. haven-api-v1.md, "Transport",
 * tells integrators the same. */
#define TOKEN_GUESSES_ALLOWED 5
#define TOKEN_BACKOFF_MAX_SECONDS 300
#define TOKEN_GUESS_MEMORY_SECONDS (15 * 60)
#define TOKEN_GUESS_ADDRESSES_MAX 10000

#define SERVER_HEADER "haven-receiver/" PACKAGE_VERSION

/* A connection closed while its client is still sending is reset, and the
 * answer sent just before is often lost with it. A kiosk sends its whole
 * body before it reads, so the answer to a refused submission (413 the
 * first of them, which tells the kiosk to stop retrying) must wait for
 * the end of the body: up to this much is read and thrown away, never
 * kept. A longer body comes from no kiosk, and its connection is closed
 * at once. */
#define DRAIN_MAX_BYTES (4 * HAVEN_REQUEST_MAX_BODY_BYTES)

/* A handler of the API beyond submissions (haven-receiver-call.h), which
 * knows nothing of libmicrohttpd: the caseworker API, and whatever joins
 * it. The body is read up to max_body_bytes before it is called. */
typedef struct {
  gboolean (*owns_path) (const char *path);
  gboolean (*handle)    (gpointer                 handler,
                         const HavenReceiverCall *call,
                         HavenReceiverAnswer     *answer);
  gpointer handler;
  gsize max_body_bytes;
  /* Whether a client is a kiosk when this receiver asks kiosks for no
   * token, as at the submission endpoints. */
  gboolean open_to_kiosks;
} ApiRoute;

struct _HavenReceiverServer
{
  GObject parent_instance;

  struct MHD_Daemon *daemon;
  HavenReceiverStore *store;
  GTlsCertificate *tls_certificate;
  GTlsDatabase *client_ca;
  HavenReceiverKeypair *keypair;
  HavenReceiverTokens *tokens;

  gboolean require_client_certificate;
  gboolean verbose;
  HavenReceiverFaults faults;
  HavenReceiverLimits limits;
  /* POSTs to either endpoint so far, for the faults that count them;
   * atomic. */
  guint n_submissions;
  char *url;
  /* Handed to libmicrohttpd, which keeps pointers to them. */
  char *certificate_pem;
  char *key_pem;
  char *trust_pem;

  /* Guards what follows, which every thread reaches. */
  GMutex lock;
  /* Request *, whose answers --delay-ms holds back. */
  GPtrArray *delays;
  /* Remote address → TokenGuesses *. */
  GHashTable *token_guesses;
  gboolean stopping;

  /* The caseworker API and the fleet's status, on the same store. */
  HavenReceiverCases *cases;
  HavenReceiverFleet *fleet;
  ApiRoute routes[2];

  /* --bundle: the file GET /v1/bundle serves. It is opened by its name
   * on every request, so that a new bundle renamed over it is served from
   * the next request on, while a download under way keeps the file it
   * opened. */
  char *bundle_path;
  /* The ETag of the bundle last served and the file it is of; under
   * lock. */
  struct stat bundle_stat;
  char *bundle_etag;

  /* Where the timers of --delay-ms run. */
  GMainContext *timer_context;
  GMainLoop *timer_loop;
  GThread *timer_thread;
};

/* What the receiver knows about one POST to an endpoint. */
typedef struct {
  HavenRequestKind kind;
  /* Counted from 1. */
  guint index;
  /* Checked against the body and a UUID, so it may be logged. */
  char *request_id;
  /* Set while this submission holds the key in flight. */
  char *claimed_key;
  /* The request's body exactly as received, sealed or JSON: a kiosk's
   * retries send the same bytes, and the store recognises them. */
  GBytes *body;
  gboolean sealed;
  /* What the store files the case by (haven-request-envelope.h). */
  HavenRequestEnvelope *envelope;
  /* Whose key this is (see Request.client_id); the store keeps keys apart
   * by it. */
  char *client_id;
} Submission;

typedef struct _Request Request;


typedef void (*DelayedFunc) (HavenReceiverServer *self,
                             Request             *request);

/* One request on a connection, from its headers to its answer. */
struct _Request {
  HavenReceiverServer *self;
  struct MHD_Connection *connection;
  char *method;
  char *path;
  /* The client's address, for logs and the token guesses. */
  char *remote;
  /* "cert:<SHA-256 of the client certificate>", "token:<the first 16
   * hex digits of the bearer token's SHA-256>" or "anonymous": never the
   * token. */
  char *client_id;

  /* NULL but for POSTs to an endpoint. */
  Submission *submission;
  /* NULL but for a path of the API beyond submissions. */
  const ApiRoute *route;
  /* The body as it comes, never beyond body_cap. */
  GByteArray *body;
  gsize body_cap;

  /* Whether the path takes a body (the submission endpoints and the
   * routes). */
  gboolean takes_body;
  /* Body bytes read and thrown away after the answer was decided. */
  guint64 drained;

  /* The answer, once decided, and its status. */
  struct MHD_Response *response;
  guint status;
  /* Set once the answer is queued, or the connection is to be closed
   * without one. */
  gboolean queued;
  gboolean refused;
  /* --close-mid-answer: the answer stops after its headers. */
  gboolean cut;

  /* --delay-ms: run before the answer goes, after the delay. */
  DelayedFunc delayed_func;
  gboolean suspended;
  GSource *timer;
};

/* Wrong bearer tokens from one address; times are monotonic, in
 * microseconds. */
typedef struct {
  guint failures;
  gint64 last_failure;
  gint64 refused_until;
} TokenGuesses;

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

static const char *
get_header (Request    *request,
            const char *name)
{
  return MHD_lookup_connection_value (request->connection, MHD_HEADER_KIND, name);
}

static void
add_header (Request    *request,
            const char *name,
            const char *value)
{
  g_assert (request->response != NULL);

  MHD_add_response_header (request->response, name, value);
}

static ssize_t
cut_answer_cb (void     *cls,
               uint64_t  pos,
               char     *buf,
               size_t    max)
{
  /* --close-mid-answer: the status line and headers have gone out, the
   * body has not. Closing the connection now is a network failing in the
   * middle of the answer, after the request was stored: the kiosk must
   * try again and be told the same as the first time. */
  return MHD_CONTENT_READER_END_WITH_ERROR;
}

/* Answers @status with @text, a JSON document, which it takes. Replaces
 * an answer decided before (and its headers). */
static void
send_json_text (Request *request,
                guint    status,
                char    *text)
{
  gsize length = strlen (text);

  g_clear_pointer (&request->response, MHD_destroy_response);

  if (request->cut)
    {
      g_free (text);
      request->response = MHD_create_response_from_callback (length, 1024, cut_answer_cb,
                                                             NULL, NULL);
    }
  else
    {
      request->response = MHD_create_response_from_buffer_with_free_callback (length, text,
                                                                              g_free);
    }
  g_assert (request->response != NULL);

  request->status = status;
  add_header (request, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  add_header (request, MHD_HTTP_HEADER_SERVER, SERVER_HEADER);
}

static void
send_json (Request     *request,
           guint        status,
           JsonBuilder *builder)
{
  send_json_text (request, status, builder_to_text (builder));
}

/* Error bodies are for programs and the logs of integrators, as haven-api-v1.md
 * shows them, so they are not translated. */
static void
send_error (Request    *request,
            guint       status,
            const char *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);

  send_json (request, status, builder);
}

/* Logs a failure of the store and answers it: 503 with Retry-After while
 * the database cannot be reached, and 409 with Retry-After when another
 * receiver took the claim over (or an earlier try of ours was stored
 * after all), both of which the kiosk tries again later and neither of
 * which is a fault of this program; 500 for anything else. */
static void
send_store_error (Request      *request,
                  const char   *doing,
                  const GError *error)
{
  if (g_error_matches (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_UNAVAILABLE))
    {
      g_message ("%s: %s", doing, error->message);
      send_error (request, MHD_HTTP_SERVICE_UNAVAILABLE, "the database is unavailable");
      add_header (request, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    }
  else if (g_error_matches (error, HAVEN_RECEIVER_STORE_ERROR,
                            HAVEN_RECEIVER_STORE_ERROR_CLAIM_LOST))
    {
      g_message ("%s: %s", doing, error->message);
      send_error (request, MHD_HTTP_CONFLICT,
                  "a request with this key is still being processed");
      add_header (request, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    }
  else
    {
      g_warning ("%s: %s", doing, error->message);
      send_error (request, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
    }
}

/* Answers 405 unless the method is one of @allowed (comma-separated, as
 * the Allow header lists them). */
static gboolean
require_method (Request    *request,
                const char *allowed)
{
  g_auto(GStrv) methods = g_strsplit (allowed, ", ", -1);

  if (g_strv_contains ((const char * const *) methods, request->method))
    return TRUE;

  send_error (request, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
  add_header (request, MHD_HTTP_HEADER_ALLOW, allowed);
  return FALSE;
}

static void
submission_free (Submission *submission)
{
  g_free (submission->request_id);
  /* Released by whoever claimed it before the request goes. */
  g_assert (submission->claimed_key == NULL);
  g_clear_pointer (&submission->body, g_bytes_unref);
  g_clear_pointer (&submission->envelope, haven_request_envelope_free);
  g_free (submission->client_id);
  g_free (submission);
}

static void
request_free (Request *request)
{
  g_assert (request->timer == NULL);

  g_clear_pointer (&request->submission, submission_free);
  g_clear_pointer (&request->body, g_byte_array_unref);
  g_clear_pointer (&request->response, MHD_destroy_response);
  g_free (request->method);
  g_free (request->path);
  g_free (request->remote);
  g_free (request->client_id);
  g_free (request);
}

/* One line a request with --verbose: never a body, a query or a header
 * value, only the request_id once it has been checked to be a UUID. */
static void
log_request (HavenReceiverServer *self,
             Request             *request,
             const char          *note)
{
  g_autoptr(GString) line = NULL;

  if (!self->verbose)
    return;

  line = g_string_new (NULL);
  g_string_append_printf (line, "%s %s %u", request->method, request->path, request->status);
  if (request->submission != NULL && request->submission->request_id != NULL)
    g_string_append_printf (line, " %s", request->submission->request_id);
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
  if (!haven_receiver_store_release (self->store, submission->client_id,
                                     submission->claimed_key, &error))
    g_message ("A submission’s claim cannot be released: %s", error->message);
  g_clear_pointer (&submission->claimed_key, g_free);
}

/* Queues the answer decided for @request, or closes the connection when
 * none can be. */
static enum MHD_Result
queue_answer (Request *request)
{
  enum MHD_Result result;

  g_assert (request->response != NULL);

  if (request->queued)
    return MHD_YES;

  request->queued = TRUE;
  result = MHD_queue_response (request->connection, request->status, request->response);
  if (result != MHD_YES)
    {
      /* libmicrohttpd takes no answer in the middle of a body: the
       * connection is closed instead, which stops the body all the same. */
      g_debug ("An answer %u to %s cannot be queued; closing the connection",
               request->status, request->remote);
      request->refused = TRUE;
    }

  return result;
}

/* A timer's data: the request is looked at only while it is still held,
 * since cancel_delays() may have let it go (and it may be gone) by the
 * time the timer runs. */
typedef struct {
  HavenReceiverServer *self;
  Request *request;
} DelayTimer;

static gboolean
delay_done_cb (gpointer user_data)
{
  DelayTimer *timer = user_data;
  HavenReceiverServer *self = timer->self;
  Request *request = timer->request;

  g_mutex_lock (&self->lock);
  if (g_ptr_array_remove_fast (self->delays, request))
    {
      g_clear_pointer (&request->timer, g_source_unref);
      MHD_resume_connection (request->connection);
    }
  g_mutex_unlock (&self->lock);

  return G_SOURCE_REMOVE;
}

/* Lets the answer to @request go after --delay-ms, calling @func (when not
 * NULL) first; without a delay, calls @func and answers now. The
 * connection is suspended meanwhile, so its thread goes on serving
 * others. */
static enum MHD_Result
answer_later (HavenReceiverServer *self,
              Request             *request,
              DelayedFunc          func)
{
  DelayTimer *timer;

  if (self->faults.delay_ms == 0)
    {
      if (func != NULL)
        func (self, request);
      return queue_answer (request);
    }

  g_mutex_lock (&self->lock);
  if (self->stopping)
    {
      g_mutex_unlock (&self->lock);
      return MHD_NO;
    }
  request->delayed_func = func;
  request->suspended = TRUE;
  MHD_suspend_connection (request->connection);
  timer = g_new (DelayTimer, 1);
  timer->self = self;
  timer->request = request;
  request->timer = g_timeout_source_new (self->faults.delay_ms);
  g_source_set_callback (request->timer, delay_done_cb, timer, g_free);
  g_source_attach (request->timer, self->timer_context);
  g_ptr_array_add (self->delays, request);
  g_mutex_unlock (&self->lock);

  return MHD_YES;
}

/* Called again after a delay: the held answer goes now. */
static enum MHD_Result
answer_after_delay (HavenReceiverServer *self,
                    Request             *request)
{
  DelayedFunc func = request->delayed_func;

  request->suspended = FALSE;
  request->delayed_func = NULL;

  /* The receiver is stopping, and the held answer will never go. A
   * submission that was waiting to be processed gives its key back, so
   * the kiosk's next attempt is processed afresh rather than refused as
   * in flight. */
  if (g_atomic_int_get (&self->stopping))
    return MHD_NO;

  if (func != NULL)
    func (self, request);

  return queue_answer (request);
}

/* The receiver is stopping: every held answer is let go at once, and
 * answer_after_delay() closes its connection. */
static void
cancel_delays (HavenReceiverServer *self)
{
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  while (self->delays != NULL && self->delays->len > 0)
    {
      Request *request = g_ptr_array_steal_index_fast (self->delays, self->delays->len - 1);

      g_source_destroy (request->timer);
      g_clear_pointer (&request->timer, g_source_unref);
      MHD_resume_connection (request->connection);
    }
  g_mutex_unlock (&self->lock);
}

/* The bearer token of an Authorization header, or NULL. */
static const char *
get_bearer_token (const char *authorization)
{
  const char *token;

  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0)
    return NULL;

  token = authorization + 7;
  while (*token == ' ')
    token++;

  return token;
}

static char *
make_token_client_id (const char *authorization)
{
  const char *token = get_bearer_token (authorization);
  g_autofree char *digest = NULL;

  g_assert (token != NULL);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  digest[16] = '\0';

  return g_strconcat ("token:", digest, NULL);
}

/* Forgets the addresses that stopped guessing long ago; under a flood of
 * addresses, forgets them all rather than grow. Called with the lock. */
static void
prune_token_guesses (HavenReceiverServer *self,
                     gint64               now)
{
  GHashTableIter iter;
  TokenGuesses *guesses;

  if (g_hash_table_size (self->token_guesses) < TOKEN_GUESS_ADDRESSES_MAX)
    return;

  g_hash_table_iter_init (&iter, self->token_guesses);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &guesses))
    {
      if (guesses->last_failure + TOKEN_GUESS_MEMORY_SECONDS * G_USEC_PER_SEC < now)
        g_hash_table_iter_remove (&iter);
    }

  if (g_hash_table_size (self->token_guesses) >= TOKEN_GUESS_ADDRESSES_MAX)
    {
      g_warning ("Wrong bearer tokens come from more than %u addresses; forgetting them",
                 TOKEN_GUESS_ADDRESSES_MAX);
      g_hash_table_remove_all (self->token_guesses);
    }
}

/* Seconds until @remote may try a token again; 0 when it may now. */
static guint
get_token_wait (HavenReceiverServer *self,
                const char          *remote,
                guint               *failures)
{
  gint64 now = g_get_monotonic_time ();
  TokenGuesses *guesses;
  guint wait = 0;

  g_mutex_lock (&self->lock);
  guesses = g_hash_table_lookup (self->token_guesses, remote);
  if (guesses != NULL &&
      guesses->last_failure + TOKEN_GUESS_MEMORY_SECONDS * G_USEC_PER_SEC < now)
    {
      g_hash_table_remove (self->token_guesses, remote);
      guesses = NULL;
    }
  if (guesses != NULL && guesses->refused_until > now)
    {
      /* Whole seconds for Retry-After, rounded up. */
      wait = (guint) ((guesses->refused_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
      *failures = guesses->failures;
    }
  g_mutex_unlock (&self->lock);

  return wait;
}

/* Counts a wrong token from @remote; returns how many in a row. */
static guint
count_wrong_token (HavenReceiverServer *self,
                   const char          *remote)
{
  gint64 now = g_get_monotonic_time ();
  TokenGuesses *guesses;
  guint failures;

  g_mutex_lock (&self->lock);
  guesses = g_hash_table_lookup (self->token_guesses, remote);
  if (guesses == NULL)
    {
      prune_token_guesses (self, now);
      guesses = g_new0 (TokenGuesses, 1);
      g_hash_table_insert (self->token_guesses, g_strdup (remote), guesses);
    }
  failures = ++guesses->failures;
  guesses->last_failure = now;
  if (failures >= TOKEN_GUESSES_ALLOWED)
    {
      guint shift = MIN (failures - TOKEN_GUESSES_ALLOWED, 16);

      guesses->refused_until = now + MIN (1u << shift, TOKEN_BACKOFF_MAX_SECONDS) *
                                     G_USEC_PER_SEC;
    }
  g_mutex_unlock (&self->lock);

  return failures;
}

static void
forget_token_guesses (HavenReceiverServer *self,
                      const char          *remote)
{
  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->token_guesses, remote);
  g_mutex_unlock (&self->lock);
}

/* Answers 401 unless the request carries one of --token-file's tokens or
 * a kiosk credential of the store (haven-receiver credentials), or no
 * tokens are configured; 403 for a caseworker's credential at a submission
 * endpoint; 429 while its address is refused for guessing. */
static gboolean
check_authorised (HavenReceiverServer *self,
                  Request             *request)
{
  const char *authorization = get_header (request, MHD_HTTP_HEADER_AUTHORIZATION);
  const char *token = get_bearer_token (authorization);
  g_autofree char *role = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  guint failures = 0;
  guint wait;

  if (self->tokens == NULL && token == NULL)
    return TRUE;

  /* Refused before the token is even looked at, so that guesses made
   * meanwhile tell nothing. */
  wait = get_token_wait (self, request->remote, &failures);
  if (wait > 0)
    {
      g_autofree char *retry_after = g_strdup_printf ("%u", wait);

      g_message ("Refused a request from %s after %u wrong bearer tokens; "
                 "it may try again in %u s", request->remote, failures, wait);
      send_error (request, MHD_HTTP_TOO_MANY_REQUESTS, "too many wrong bearer tokens");
      add_header (request, MHD_HTTP_HEADER_RETRY_AFTER, retry_after);
      return FALSE;
    }

  if (self->tokens != NULL && haven_receiver_tokens_check (self->tokens, authorization))
    {
      forget_token_guesses (self, request->remote);
      if (g_str_equal (request->client_id, "anonymous"))
        {
          g_free (request->client_id);
          request->client_id = make_token_client_id (authorization);
        }
      return TRUE;
    }

  if (token != NULL &&
      !haven_receiver_store_find_credential (self->store, token, &role, &name, &error))
    {
      send_store_error (request, "A credential cannot be looked up", error);
      return FALSE;
    }

  if (g_strcmp0 (role, "kiosk") == 0)
    {
      forget_token_guesses (self, request->remote);
      if (g_str_equal (request->client_id, "anonymous"))
        {
          g_free (request->client_id);
          request->client_id = g_strconcat ("credential:", name, NULL);
        }
      return TRUE;
    }

  /* A caseworker's credential opens cases; it never makes one. */
  if (role != NULL && request->submission != NULL)
    {
      send_error (request, MHD_HTTP_FORBIDDEN, "this credential may not submit requests");
      return FALSE;
    }

  if (self->tokens == NULL || role != NULL)
    return TRUE;

  /* RFC 6750, 3.1: no error code when no credentials were sent; and no
   * guess either. */
  if (authorization != NULL)
    {
      failures = count_wrong_token (self, request->remote);
      g_message ("Refused a wrong bearer token from %s (%u in a row)", request->remote,
                 failures);
    }

  send_error (request, MHD_HTTP_UNAUTHORIZED, "not authorised");
  add_header (request, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
              authorization == NULL
              ? "Bearer realm=\"haven\""
              : "Bearer realm=\"haven\", error=\"invalid_token\"");
  return FALSE;
}

static void
answer_health (HavenReceiverServer *self,
               Request             *request)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (!require_method (request, "GET, HEAD") || !check_authorised (self, request))
    return;

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ok");
  json_builder_set_member_name (builder, "api");
  json_builder_add_int_value (builder, API_VERSION);
  json_builder_end_object (builder);

  send_json (request, MHD_HTTP_OK, builder);
}

/* ---- GET /v1/bundle ---- */

/* The bundle's magic and where its signature lies (haven-bundle-v1.md);
 * the receiver links no code of the bundle's, it only serves the file. */
#define BUNDLE_MAGIC "HAVENBN1"
#define BUNDLE_MAGIC_BYTES 8
#define BUNDLE_ETAG_BYTES 16

static gboolean
is_same_file (const struct stat *a,
              const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
         a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The bundle's ETag: the first bytes of its signature, in hex, quoted.
 * The signature changes with every byte it covers, the version among
 * them, so two bundles never share one. NULL for a file that is no
 * bundle. */
static char *
dup_bundle_etag (HavenReceiverServer *self,
                 int                  fd,
                 const struct stat   *info)
{
  guint8 start[BUNDLE_MAGIC_BYTES + BUNDLE_ETAG_BYTES];
  char hex[BUNDLE_ETAG_BYTES * 2 + 1];
  char *etag = NULL;
  gsize done = 0;

  g_mutex_lock (&self->lock);
  if (self->bundle_etag != NULL && is_same_file (&self->bundle_stat, info))
    etag = g_strdup (self->bundle_etag);
  g_mutex_unlock (&self->lock);
  if (etag != NULL)
    return etag;

  while (done < sizeof start)
    {
      gssize n = pread (fd, start + done, sizeof start - done, (off_t) done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return NULL;
      done += (gsize) n;
    }
  if (memcmp (start, BUNDLE_MAGIC, BUNDLE_MAGIC_BYTES) != 0)
    return NULL;

  sodium_bin2hex (hex, sizeof hex, start + BUNDLE_MAGIC_BYTES, BUNDLE_ETAG_BYTES);
  etag = g_strdup_printf ("\"%s\"", hex);

  g_mutex_lock (&self->lock);
  g_free (self->bundle_etag);
  self->bundle_etag = g_strdup (etag);
  self->bundle_stat = *info;
  g_mutex_unlock (&self->lock);

  return etag;
}

/* Whether an If-None-Match header names @etag: a list of entity tags,
 * compared weakly as RFC 9110, 13.1.2 has it, or "*". */
static gboolean
etag_matches (const char *if_none_match,
              const char *etag)
{
  g_auto(GStrv) candidates = NULL;

  if (if_none_match == NULL)
    return FALSE;

  candidates = g_strsplit (if_none_match, ",", 64);
  for (guint i = 0; candidates[i] != NULL; i++)
    {
      const char *candidate = g_strstrip (candidates[i]);

      if (g_str_has_prefix (candidate, "W/"))
        candidate += 2;
      if (g_str_equal (candidate, "*") || g_str_equal (candidate, etag))
        return TRUE;
    }

  return FALSE;
}

/* Whether the client takes gzip (Accept-Encoding), and not at q=0. */
static gboolean
accepts_gzip (const char *accept_encoding)
{
  g_auto(GStrv) codings = NULL;

  if (accept_encoding == NULL)
    return FALSE;

  codings = g_strsplit (accept_encoding, ",", 32);
  for (guint i = 0; codings[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (codings[i], ";", 2);
      const char *name = g_strstrip (parts[0]);
      const char *quality = parts[1] != NULL ? g_strstrip (parts[1]) : NULL;

      if (g_ascii_strcasecmp (name, "gzip") != 0)
        continue;
      return quality == NULL || !g_str_has_prefix (quality, "q=0") ||
             g_ascii_strtod (quality + 2, NULL) > 0;
    }
  return FALSE;
}

/* The compressed copy `havenctl bundle make` writes beside the bundle,
 * named by the same bytes of the signature as the ETag (FILE.HEX.gz): the
 * copy of this bundle and no other. -1 when there is none to send. */
static int
open_compressed_bundle (HavenReceiverServer *self,
                        const char          *etag,
                        struct stat         *info)
{
  g_autofree char *hex = g_strndup (etag + 1, strlen (etag) - 2);
  g_autofree char *path = g_strdup_printf ("%s.%s.gz", self->bundle_path, hex);
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return -1;
  if (fstat (fd, info) != 0 || !S_ISREG (info->st_mode))
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* GET /v1/bundle, for kiosks as the other kiosk paths are: the file of
 * --bundle, streamed from disk; 304 with no body when the kiosk has it
 * already, which is what a kiosk that asks every few minutes gets nearly
 * always. */
static void
answer_bundle (HavenReceiverServer *self,
               Request             *request)
{
  g_autofree char *etag = NULL;
  struct stat info;
  int fd;

  if (!require_method (request, "GET, HEAD") || !check_authorised (self, request))
    return;

  if (self->bundle_path == NULL)
    {
      send_error (request, MHD_HTTP_NOT_FOUND, "no bundle is published here");
      return;
    }

  fd = open (self->bundle_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        {
          send_error (request, MHD_HTTP_NOT_FOUND, "no bundle is published here");
          return;
        }

      g_message ("The bundle %s cannot be read: %s", self->bundle_path,
                 g_strerror (saved_errno));
      send_error (request, MHD_HTTP_INTERNAL_SERVER_ERROR, "the bundle cannot be read");
      return;
    }

  if (fstat (fd, &info) != 0 || !S_ISREG (info.st_mode) ||
      (etag = dup_bundle_etag (self, fd, &info)) == NULL)
    {
      close (fd);
      g_message ("%s is not a Haven bundle; “havenctl bundle make” writes one",
                 self->bundle_path);
      send_error (request, MHD_HTTP_INTERNAL_SERVER_ERROR, "the bundle cannot be read");
      return;
    }

  g_clear_pointer (&request->response, MHD_destroy_response);
  if (etag_matches (get_header (request, MHD_HTTP_HEADER_IF_NONE_MATCH), etag))
    {
      close (fd);
      /* libmicrohttpd 0.9.75 sends "Content-Length: 0" with it, which
       * RFC 9110 (8.6) frowns on but every client reads as no body; it
       * cannot be told to leave the header out, only to add a second. */
      request->response = MHD_create_response_from_buffer (0, (void *) "",
                                                           MHD_RESPMEM_PERSISTENT);
      request->status = MHD_HTTP_NOT_MODIFIED;
    }
  else
    {
      struct stat compressed_info;
      int compressed = -1;

      if (accepts_gzip (get_header (request, MHD_HTTP_HEADER_ACCEPT_ENCODING)))
        compressed = open_compressed_bundle (self, etag, &compressed_info);
      if (compressed >= 0)
        {
          close (fd);
          fd = compressed;
          info = compressed_info;
        }

      /* The response owns the descriptor and closes it; a file renamed
       * over the path meanwhile does not change what this answer sends. */
      request->response = MHD_create_response_from_fd64 ((uint64_t) info.st_size, fd);
      if (request->response == NULL)
        {
          close (fd);
          send_error (request, MHD_HTTP_INTERNAL_SERVER_ERROR, "the bundle cannot be read");
          return;
        }
      request->status = MHD_HTTP_OK;
      add_header (request, MHD_HTTP_HEADER_CONTENT_TYPE, HAVEN_API_CONTENT_TYPE_BUNDLE);
      if (compressed >= 0)
        add_header (request, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    }
  add_header (request, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);

  add_header (request, MHD_HTTP_HEADER_ETAG, etag);
  /* A cache between the kiosk and us asks again each time: a new bundle
   * must reach kiosks at their next fetch. */
  add_header (request, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
  add_header (request, MHD_HTTP_HEADER_SERVER, SERVER_HEADER);
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

static void
send_too_large (Request *request)
{
  if (request->route != NULL)
    send_error (request, MHD_HTTP_CONTENT_TOO_LARGE, "the body is too large for this path");
  else
    send_error (request, MHD_HTTP_CONTENT_TOO_LARGE, "the body is larger than 256 KiB");
}

/* --fail-first: the answer of a busy or refusing backend. */
static void
send_fault (HavenReceiverServer *self,
            Request             *request)
{
  guint status = self->faults.fail_status != 0 ? self->faults.fail_status
                                               : MHD_HTTP_SERVICE_UNAVAILABLE;
  const char *phrase = MHD_get_reason_phrase_for (status);
  g_autofree char *text = g_ascii_strdown (phrase != NULL ? phrase : "", -1);

  /* Some codes in 4xx/5xx have no phrase. */
  send_error (request, status, text[0] != '\0' && !g_str_equal (text, "unknown")
                               ? text : "refused");

  if (status == MHD_HTTP_SERVICE_UNAVAILABLE || status == MHD_HTTP_TOO_MANY_REQUESTS)
    {
      g_autofree char *retry_after = g_strdup_printf ("%u", self->faults.retry_after);

      add_header (request, MHD_HTTP_HEADER_RETRY_AFTER, retry_after);
    }
  else if (status == MHD_HTTP_UNAUTHORIZED)
    {
      add_header (request, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"haven\"");
    }
}

/* The media type of a Content-Type value, lower-cased, and its charset
 * parameter when it has one; NULL when the value is malformed. */
static char *
parse_content_type (const char  *value,
                    char       **charset)
{
  g_auto(GStrv) parts = NULL;
  char *type;

  *charset = NULL;
  if (value == NULL)
    return NULL;

  parts = g_strsplit (value, ";", -1);
  type = g_ascii_strdown (g_strstrip (parts[0]), -1);
  if (strchr (type, '/') == NULL || strpbrk (type, " \t\"") != NULL)
    {
      g_free (type);
      return NULL;
    }

  for (guint i = 1; parts[i] != NULL; i++)
    {
      char *parameter = g_strstrip (parts[i]);

      if (g_ascii_strncasecmp (parameter, "charset=", 8) == 0 && *charset == NULL)
        {
          char *charset_value = parameter + 8;
          gsize length = strlen (charset_value);

          if (length >= 2 && charset_value[0] == '"' && charset_value[length - 1] == '"')
            *charset = g_strndup (charset_value + 1, length - 2);
          else
            *charset = g_strdup (charset_value);
        }
    }

  return type;
}

/* Sets *sealed, or answers 415 for a type this receiver cannot take. */
static gboolean
check_content_type (HavenReceiverServer *self,
                    Request             *request,
                    gboolean            *sealed)
{
  g_autofree char *charset = NULL;
  g_autofree char *content_type = NULL;
  gboolean ok = FALSE;

  content_type = parse_content_type (get_header (request, MHD_HTTP_HEADER_CONTENT_TYPE),
                                     &charset);
  if (content_type == NULL)
    {
      ok = FALSE;
    }
  else if (g_str_equal (content_type, HAVEN_API_CONTENT_TYPE_JSON))
    {
      /* JSON is UTF-8 (RFC 8259); a charset parameter may only say so. */
      *sealed = FALSE;
      ok = charset == NULL || g_ascii_strcasecmp (charset, "utf-8") == 0;
    }
  else if (g_str_equal (content_type, HAVEN_API_CONTENT_TYPE_SEALED))
    {
      /* Opened here with --keypair, or kept as it came for whoever holds
       * the key (check_submission()). */
      *sealed = TRUE;
      ok = TRUE;
    }

  if (!ok)
    send_error (request, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                "Content-Type must be " HAVEN_API_CONTENT_TYPE_JSON " or "
                HAVEN_API_CONTENT_TYPE_SEALED);

  return ok;
}

/* Whether the request says a body follows: a Content-Length above zero,
 * or any Transfer-Encoding (chunked, whose length shows only as it
 * comes). */
static gboolean
announces_body (Request *request,
                guint64 *content_length)
{
  const char *length_text = get_header (request, MHD_HTTP_HEADER_CONTENT_LENGTH);

  *content_length = 0;
  if (get_header (request, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL)
    return TRUE;
  if (length_text == NULL)
    return FALSE;

  /* libmicrohttpd has refused a malformed one already. */
  *content_length = g_ascii_strtoull (length_text, NULL, 10);
  return *content_length > 0;
}

/* Answers a submission that can be refused on its headers alone, and
 * returns FALSE then. */
static gboolean
admit_submission (HavenReceiverServer *self,
                  Request             *request)
{
  gboolean sealed = FALSE;
  guint64 content_length = 0;

  if (request->submission->index <= self->faults.fail_first)
    {
      send_fault (self, request);
      return FALSE;
    }

  if (!check_authorised (self, request))
    return FALSE;

  if (announces_body (request, &content_length) &&
      content_length > HAVEN_REQUEST_MAX_BODY_BYTES)
    {
      send_too_large (request);
      return FALSE;
    }

  return check_content_type (self, request, &sealed);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* 400 with the validator's message for each field, in a stable order. */
static void
send_invalid (Request    *request,
              GHashTable *field_errors)
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

  send_json (request, MHD_HTTP_BAD_REQUEST, builder);
}

static gint64
get_stale_after (HavenReceiverServer *self)
{
  return IN_FLIGHT_STALE_SECONDS + self->faults.delay_ms / 1000 + 1;
}

/* Reads and checks the request inside @json, and that the key, and the
 * envelope when one came, say what it says. Returns the envelope to file
 * it by (made from the request when the kiosk sent none: kiosks before
 * the envelope), or NULL when it has answered. */
static HavenRequestEnvelope *
check_request (Request              *request,
               GBytes               *json,
               const char           *key,
               HavenRequestEnvelope *envelope)
{
  Submission *submission = request->submission;
  g_autoptr(HavenRequest) haven_request = NULL;
  g_autoptr(GHashTable) field_errors = NULL;
  g_autoptr(GError) error = NULL;
  const char *request_id;
  const char *data;
  gsize length = 0;

  data = g_bytes_get_data (json, &length);
  haven_request = haven_request_new_from_json (submission->kind, data != NULL ? data : "",
                                               (gssize) length, &error);
  if (haven_request == NULL)
    {
      if (g_error_matches (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_TOO_BIG))
        send_too_large (request);
      else
        send_error (request, MHD_HTTP_BAD_REQUEST, error->message);
      return NULL;
    }

  if (!haven_request_validate (haven_request, &field_errors))
    {
      send_invalid (request, field_errors);
      return NULL;
    }

  /* The key and request_id are one value (haven-api-v1.md): a kiosk that sent
   * another key has mixed two requests up. */
  request_id = haven_request_get_request_id (haven_request);
  if (g_strcmp0 (request_id, key) != 0)
    {
      send_error (request, MHD_HTTP_BAD_REQUEST,
                  "the Idempotency-Key is not the body's request_id");
      return NULL;
    }

  if (envelope == NULL)
    return haven_request_envelope_new_for_request (haven_request, NULL);

  if (!haven_request_envelope_matches (envelope, haven_request, &error))
    {
      send_error (request, MHD_HTTP_BAD_REQUEST, error->message);
      return NULL;
    }

  return haven_request_envelope_copy (envelope);
}

/* Checks a submission whose body is in, and looks its key up. Returns
 * TRUE when it is to be processed, with its key claimed; otherwise it has
 * been answered.
 *
 * A sealed body is opened and checked when this receiver holds the key
 * pair (--keypair). Without it, the body is kept exactly as it came, and
 * what the case is filed by comes from the Haven-Envelope header, checked
 * on its own; whoever opens the body checks that the two agree. */
static gboolean
check_submission (HavenReceiverServer *self,
                  Request             *request)
{
  Submission *submission = request->submission;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(HavenRequestEnvelope) sent_envelope = NULL;
  g_autoptr(HavenRequestEnvelope) envelope = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *body_sha256 = NULL;
  g_autofree char *stored_body = NULL;
  HavenReceiverClaim claim;
  guint stored_status = 0;
  gboolean sealed = FALSE;
  const char *envelope_header;

  body = g_byte_array_free_to_bytes (g_steal_pointer (&request->body));
  if (g_bytes_get_size (body) > HAVEN_REQUEST_MAX_BODY_BYTES)
    {
      send_too_large (request);
      return FALSE;
    }

  key = haven_request_parse_idempotency_key (get_header (request, "Idempotency-Key"));
  if (key == NULL)
    {
      send_error (request, MHD_HTTP_BAD_REQUEST,
                  "the Idempotency-Key header is missing or not a string");
      return FALSE;
    }

  envelope_header = get_header (request, HAVEN_API_ENVELOPE_HEADER);
  if (envelope_header != NULL)
    {
      sent_envelope = haven_request_envelope_parse_header (submission->kind, envelope_header,
                                                           &error);
      if (sent_envelope == NULL)
        {
          send_error (request, MHD_HTTP_BAD_REQUEST, error->message);
          return FALSE;
        }
    }

  /* admit_submission() has checked the type already. */
  check_content_type (self, request, &sealed);
  if (sealed && self->keypair == NULL)
    {
      if (sent_envelope == NULL)
        {
          send_error (request, MHD_HTTP_BAD_REQUEST,
                      "a sealed body needs the " HAVEN_API_ENVELOPE_HEADER " header here");
          return FALSE;
        }
      if (!haven_request_is_uuid_v4 (key))
        {
          send_error (request, MHD_HTTP_BAD_REQUEST,
                      "the Idempotency-Key of a sealed body must be its request_id, a UUID");
          return FALSE;
        }
      envelope = g_steal_pointer (&sent_envelope);
    }
  else
    {
      g_autoptr(GBytes) json = NULL;

      if (sealed)
        {
          json = haven_receiver_keypair_open (self->keypair, body, &error);
          if (json == NULL)
            {
              send_error (request, MHD_HTTP_BAD_REQUEST,
                          "the sealed body cannot be opened with this receiver's key pair");
              return FALSE;
            }
        }
      else
        {
          json = g_bytes_ref (body);
        }

      envelope = check_request (request, json, key, sent_envelope);
      if (envelope == NULL)
        return FALSE;
    }

  if (haven_request_is_uuid_v4 (key))
    submission->request_id = g_strdup (key);

  /* Over the bytes as received: a kiosk's retries send the same ones,
   * sealed or not. */
  body_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
  if (!haven_receiver_store_claim (self->store, submission->client_id, key, submission->kind,
                                   body_sha256, get_stale_after (self), &claim, &stored_status,
                                   &stored_body, &error))
    {
      send_store_error (request, "A submission cannot be looked up", error);
      return FALSE;
    }

  switch (claim)
    {
    case HAVEN_RECEIVER_CLAIM_NEW:
      submission->claimed_key = g_steal_pointer (&key);
      submission->body = g_steal_pointer (&body);
      submission->sealed = sealed;
      submission->envelope = g_steal_pointer (&envelope);
      return TRUE;

    case HAVEN_RECEIVER_CLAIM_IN_FLIGHT:
      send_error (request, MHD_HTTP_CONFLICT,
                  "a request with this key is still being processed");
      add_header (request, MHD_HTTP_HEADER_RETRY_AFTER, "1");
      return FALSE;

    case HAVEN_RECEIVER_CLAIM_MISMATCH:
      send_error (request, MHD_HTTP_UNPROCESSABLE_CONTENT,
                  "this key was used before with a different body");
      return FALSE;

    case HAVEN_RECEIVER_CLAIM_DONE:
      /* haven-api-v1.md: 200, with the body of the first answer (only a 201 is
       * ever stored). */
      g_warn_if_fail (stored_status == MHD_HTTP_CREATED);
      send_json_text (request, MHD_HTTP_OK, g_steal_pointer (&stored_body));
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
                    Request             *request)
{
  Submission *submission = request->submission;
  g_autoptr(GError) error = NULL;
  g_autofree char *response_body = NULL;

  g_assert (submission != NULL && submission->claimed_key != NULL);

  for (guint attempt = 0; attempt < CASE_REFERENCE_ATTEMPTS; attempt++)
    {
      g_autofree char *case_reference = make_case_reference ();

      g_clear_error (&error);
      g_free (response_body);
      response_body = make_created_body (case_reference);
      if (haven_receiver_store_accept (self->store, submission->client_id,
                                       submission->claimed_key, submission->kind,
                                       submission->body, submission->sealed,
                                       submission->envelope, case_reference, MHD_HTTP_CREATED,
                                       response_body, &error))
        break;
      if (!g_error_matches (error, HAVEN_RECEIVER_STORE_ERROR,
                            HAVEN_RECEIVER_STORE_ERROR_DUPLICATE))
        break;
    }

  if (error != NULL)
    {
      release_claim (self, submission);
      send_store_error (request, "A submission cannot be stored", error);
      return;
    }

  g_clear_pointer (&submission->claimed_key, g_free);
  g_clear_pointer (&submission->body, g_bytes_unref);

  send_json_text (request, MHD_HTTP_CREATED, g_steal_pointer (&response_body));
}

/* glib-networking and GnuTLS's verification do not look at the purpose of
 * a client certificate, so a server certificate from the same CA would
 * pass as a kiosk's identity. Check the extended key usage the way GnuTLS
 * would for a purpose: a certificate without the extension may be used
 * for anything (RFC 5280, 4.2.1.12). */
static gboolean
allows_client_authentication (gnutls_x509_crt_t x509)
{
  for (unsigned int i = 0; ; i++)
    {
      char oid[128];
      size_t oid_size = sizeof oid;
      int status = gnutls_x509_crt_get_key_purpose_oid (x509, i, oid, &oid_size, NULL);

      if (status == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        return i == 0;
      if (status < 0)
        return FALSE;

      if (strcmp (oid, GNUTLS_KP_TLS_WWW_CLIENT) == 0 || strcmp (oid, GNUTLS_KP_ANY) == 0)
        return TRUE;
    }
}

/* Resets the connection, as glib-networking's TLS server does when it
 * refuses a certificate: the kiosk then says its certificate may be the
 * reason, where a TLS closure would read as a backend that cannot be
 * reached. libmicrohttpd would close gracefully, so the reset is made
 * here: with a zero linger, dissolving the connection (connect() to
 * AF_UNSPEC, on Linux) sends RST at once; what libmicrohttpd does with
 * the socket afterwards fails harmlessly. */
static void
reset_connection (Request *request)
{
  const union MHD_ConnectionInfo *info;
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };
  struct sockaddr unspecified = { .sa_family = AF_UNSPEC };

  info = MHD_get_connection_info (request->connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  if (info == NULL)
    return;

  setsockopt (info->connect_fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  if (connect (info->connect_fd, &unspecified, sizeof unspecified) != 0)
    g_debug ("A refused connection cannot be reset: %s", g_strerror (errno));
}

/* With --ca, checks the client certificate the connection presented
 * against it, and makes the request's client_id of it. FALSE when the
 * client is to be refused: a certificate --ca did not sign or not for
 * client authentication, or none when one is required. */
static gboolean
check_client_certificate (HavenReceiverServer *self,
                          Request             *request)
{
  const union MHD_ConnectionInfo *info;
  gnutls_session_t session;
  const gnutls_datum_t *peers;
  unsigned int n_peers = 0;
  unsigned int verify_status = 0;
  gnutls_x509_crt_t x509 = NULL;
  guint8 digest[crypto_hash_sha256_BYTES];
  char digest_hex[crypto_hash_sha256_BYTES * 2 + 1];
  gboolean allowed;
  int status;

  if (self->client_ca == NULL)
    return TRUE;

  info = MHD_get_connection_info (request->connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (info == NULL || info->tls_session == NULL)
    return FALSE;
  session = info->tls_session;

  peers = gnutls_certificate_get_peers (session, &n_peers);
  if (peers == NULL || n_peers == 0)
    {
      if (!self->require_client_certificate)
        return TRUE;

      /* What a TLS server that requires a certificate says, so that the
       * kiosk reports a TLS problem rather than an unreachable backend;
       * libmicrohttpd asks for certificates but cannot require them. */
      g_message ("Refused a client from %s: it sent no client certificate", request->remote);
      gnutls_alert_send (session, GNUTLS_AL_FATAL, GNUTLS_A_CERTIFICATE_REQUIRED);
      return FALSE;
    }

  /* Against the trust list of --ca that libmicrohttpd's credentials hold. */
  status = gnutls_certificate_verify_peers2 (session, &verify_status);
  if (status < 0 || verify_status != 0)
    {
      g_message ("Refused a client certificate from %s (verification status 0x%x, %s)",
                 request->remote, verify_status, status < 0 ? gnutls_strerror (status) : "ok");
      reset_connection (request);
      return FALSE;
    }

  if (gnutls_x509_crt_init (&x509) < 0)
    return FALSE;
  allowed = gnutls_x509_crt_import (x509, &peers[0], GNUTLS_X509_FMT_DER) >= 0 &&
            allows_client_authentication (x509);
  gnutls_x509_crt_deinit (x509);
  if (!allowed)
    {
      g_message ("Refused a client certificate from %s: it is not for client authentication",
                 request->remote);
      reset_connection (request);
      return FALSE;
    }

  crypto_hash_sha256 (digest, peers[0].data, peers[0].size);
  sodium_bin2hex (digest_hex, sizeof digest_hex, digest, sizeof digest);
  g_free (request->client_id);
  request->client_id = g_strconcat ("cert:", digest_hex, NULL);

  return TRUE;
}

static char *
dup_remote_address (struct MHD_Connection *connection)
{
  const union MHD_ConnectionInfo *info;
  g_autoptr(GSocketAddress) address = NULL;

  info = MHD_get_connection_info (connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == NULL || info->client_addr == NULL)
    return g_strdup ("unknown");

  address = g_socket_address_new_from_native (info->client_addr,
                                              info->client_addr->sa_family == AF_INET6
                                              ? sizeof (struct sockaddr_in6)
                                              : sizeof (struct sockaddr_in));
  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("unknown");

  return g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
}

/* After the first call, for a request answered on its headers alone. An
 * answer queued before the whole request is in closes the connection
 * once sent (libmicrohttpd will not read what comes after): right for a
 * body to a path that takes none, or one longer than DRAIN_MAX_BYTES,
 * which is then never read. Otherwise the answer waits for the end of
 * the request (a body to a submission endpoint is thrown away as it
 * comes), and the connection may be kept. */
static enum MHD_Result
answer_headers (HavenReceiverServer *self,
                Request             *request)
{
  guint64 content_length = 0;

  if (!announces_body (request, &content_length))
    return MHD_YES;

  if (request->takes_body && content_length <= DRAIN_MAX_BYTES)
    return MHD_YES;

  return answer_later (self, request, NULL);
}

/* Throws a body away as it comes, once the answer is decided; FALSE once
 * there is too much of it. */
static gboolean
drain_body (Request *request,
            size_t  *upload_data_size)
{
  request->drained += *upload_data_size;
  *upload_data_size = 0;
  g_clear_pointer (&request->body, g_byte_array_unref);

  if (request->drained <= DRAIN_MAX_BYTES)
    return TRUE;

  g_debug ("Closed the connection of %s: its body goes past %u bytes", request->remote,
           DRAIN_MAX_BYTES);
  request->refused = TRUE;
  return FALSE;
}

/* ---- The API beyond submissions (ApiRoute) ---- */

static const ApiRoute *
find_route (HavenReceiverServer *self,
            const char          *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->routes); i++)
    {
      if (self->routes[i].owns_path (path))
        return &self->routes[i];
    }

  return NULL;
}

/* The first call for a path of a route: a body longer than the route
 * takes, or a guesser's request, is refused before it is read. */
static enum MHD_Result
begin_api_call (HavenReceiverServer *self,
                Request             *request)
{
  guint64 content_length = 0;
  guint failures = 0;
  guint wait;

  /* The path takes a body: one too long is thrown away up to
   * DRAIN_MAX_BYTES, as at the submission endpoints, so that the client
   * reads the answer. */
  request->takes_body = TRUE;
  if (announces_body (request, &content_length) &&
      content_length > request->route->max_body_bytes)
    {
      send_too_large (request);
      return answer_headers (self, request);
    }

  wait = get_token_wait (self, request->remote, &failures);
  if (wait > 0)
    {
      g_autofree char *retry_after = g_strdup_printf ("%u", wait);

      g_message ("Refused a request from %s after %u wrong bearer tokens; "
                 "it may try again in %u s", request->remote, failures, wait);
      send_error (request, MHD_HTTP_TOO_MANY_REQUESTS, "too many wrong bearer tokens");
      add_header (request, MHD_HTTP_HEADER_RETRY_AFTER, retry_after);
      return answer_headers (self, request);
    }

  request->body = g_byte_array_new ();
  request->body_cap = request->route->max_body_bytes;
  return MHD_YES;
}

static enum MHD_Result
add_query_parameter_cb (void               *cls,
                        enum MHD_ValueKind  kind,
                        const char         *key,
                        const char         *value)
{
  GHashTable *query = cls;

  g_hash_table_replace (query, g_strdup (key), g_strdup (value != NULL ? value : ""));
  return MHD_YES;
}

/* Who a request of a route comes from: a credential of the store by its
 * bearer token (looked up on every request, so that a revocation counts
 * at once), else a kiosk by --token-file or its verified certificate.
 * FALSE, answered, when the store cannot be asked. */
static gboolean
find_actor (HavenReceiverServer  *self,
            Request              *request,
            const char           *authorization,
            char                **role,
            char                **name)
{
  const char *token = get_bearer_token (authorization);
  g_autoptr(GError) error = NULL;

  if (token != NULL && !haven_receiver_store_find_credential (self->store, token, role, name,
                                                              &error))
    {
      send_store_error (request, "A credential cannot be looked up", error);
      return FALSE;
    }

  if (*role != NULL)
    return TRUE;

  /* Kiosks by the names the store keeps their keys under. */
  if (self->tokens != NULL && haven_receiver_tokens_check (self->tokens, authorization))
    *name = make_token_client_id (authorization);
  else if (g_str_has_prefix (request->client_id, "cert:") ||
           (request->route->open_to_kiosks && self->tokens == NULL && token == NULL))
    *name = g_strdup (request->client_id);

  if (*name != NULL)
    *role = g_strdup ("kiosk");

  return TRUE;
}

/* Sends what a route's handler answered. */
static void
send_answer (Request                   *request,
             const HavenReceiverAnswer *answer)
{
  gsize length = 0;
  const void *data = answer->body != NULL ? g_bytes_get_data (answer->body, &length) : NULL;

  g_clear_pointer (&request->response, MHD_destroy_response);
  request->response = MHD_create_response_from_buffer (length, (void *) (data != NULL ? data : ""),
                                                       MHD_RESPMEM_MUST_COPY);
  g_assert (request->response != NULL);

  request->status = answer->status;
  if (answer->content_type != NULL)
    add_header (request, MHD_HTTP_HEADER_CONTENT_TYPE, answer->content_type);
  add_header (request, MHD_HTTP_HEADER_SERVER, SERVER_HEADER);
  for (guint i = 0; answer->headers != NULL && i + 1 < answer->headers->len; i += 2)
    add_header (request, g_ptr_array_index (answer->headers, i),
                g_ptr_array_index (answer->headers, i + 1));
}

/* The whole request of a route is in: hands it to its handler, which
 * checks the actor's role, answers and keeps the audit log. */
static void
answer_api_call (HavenReceiverServer *self,
                 Request             *request)
{
  g_autoptr(GBytes) body = g_byte_array_free_to_bytes (g_steal_pointer (&request->body));
  g_autoptr(GHashTable) query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(HavenReceiverAnswer) answer = { 0, };
  g_autofree char *role = NULL;
  g_autofree char *name = NULL;
  const char *authorization = get_header (request, MHD_HTTP_HEADER_AUTHORIZATION);
  HavenReceiverCall call = {
    .method = request->method,
    .path = request->path,
    .query = query,
    .body = body,
    .idempotency_key = get_header (request, "Idempotency-Key"),
    .credential_presented = authorization != NULL,
    .remote_address = request->remote,
  };

  if (!find_actor (self, request, authorization, &role, &name))
    return;
  call.actor_role = role;
  call.actor_name = name;

  MHD_get_connection_values (request->connection, MHD_GET_ARGUMENT_KIND,
                             add_query_parameter_cb, query);

  if (!request->route->handle (request->route->handler, &call, &answer))
    {
      send_error (request, MHD_HTTP_NOT_FOUND, "not found");
      return;
    }

  /* A token that is no credential counts as a guess, as at the
   * submission endpoints. */
  if (answer.status == MHD_HTTP_UNAUTHORIZED && authorization != NULL)
    {
      guint failures = count_wrong_token (self, request->remote);

      g_message ("Refused a wrong bearer token from %s (%u in a row)", request->remote,
                 failures);
    }
  else if (role != NULL)
    {
      forget_token_guesses (self, request->remote);
    }

  send_answer (request, &answer);
}

/* ---- End of the API beyond submissions ---- */

/* The first call for a request, with its headers and none of its body:
 * everything that can be refused is refused here, and only a submission
 * that passes goes on to have its body read. */
static enum MHD_Result
begin_request (HavenReceiverServer *self,
               Request             *request)
{
  Submission *submission;
  HavenRequestKind kind;
  guint64 content_length = 0;

  if (!check_client_certificate (self, request))
    {
      /* As a TLS server that refuses the certificate would: the
       * connection ends without an answer. */
      request->refused = TRUE;
      return MHD_NO;
    }

  request->route = find_route (self, request->path);
  if (request->route != NULL)
    return begin_api_call (self, request);

  request->takes_body = path_to_kind (request->path, &kind);
  if (!request->takes_body)
    {
      /* No other path takes a body: refused at once, unread, whatever it
       * is and whoever sends it. */
      if (announces_body (request, &content_length))
        send_error (request, MHD_HTTP_CONTENT_TOO_LARGE, "this path takes no body");
      else if (g_str_equal (request->path, HAVEN_API_HEALTH_PATH))
        answer_health (self, request);
      else if (g_str_equal (request->path, HAVEN_API_BUNDLE_PATH))
        answer_bundle (self, request);
      else
        send_error (request, MHD_HTTP_NOT_FOUND, "not found");

      return answer_headers (self, request);
    }

  if (!require_method (request, "POST"))
    return answer_headers (self, request);

  submission = g_new0 (Submission, 1);
  submission->kind = kind;
  submission->index = (guint) g_atomic_int_add (&self->n_submissions, 1) + 1;
  request->submission = submission;
  request->cut = submission->index <= self->faults.close_mid_answer;

  if (!admit_submission (self, request))
    return answer_headers (self, request);

  submission->client_id = g_strdup (request->client_id);
  request->body = g_byte_array_new ();
  request->body_cap = HAVEN_REQUEST_MAX_BODY_BYTES;
  return MHD_YES;
}

static enum MHD_Result
access_cb (void                  *cls,
           struct MHD_Connection *connection,
           const char            *url,
           const char            *method,
           const char            *version,
           const char            *upload_data,
           size_t                *upload_data_size,
           void                 **con_cls)
{
  HavenReceiverServer *self = cls;
  Request *request = *con_cls;

  if (request == NULL)
    {
      request = g_new0 (Request, 1);
      request->self = self;
      request->connection = connection;
      request->method = g_strdup (method);
      request->path = g_strdup (url);
      request->remote = dup_remote_address (connection);
      request->client_id = g_strdup ("anonymous");
      *con_cls = request;

      return begin_request (self, request);
    }

  if (request->suspended)
    return answer_after_delay (self, request);

  /* Answered already: its body, if any, is thrown away until the request
   * is in. */
  if (request->response != NULL)
    {
      if (*upload_data_size > 0)
        return drain_body (request, upload_data_size) ? MHD_YES : MHD_NO;

      return answer_later (self, request, NULL);
    }

  if (*upload_data_size > 0)
    {
      /* Without a Content-Length (chunked), the size shows only as the
       * body comes: stop keeping it once it is too large. */
      if (request->body->len + *upload_data_size > request->body_cap)
        {
          send_too_large (request);
          request->drained = request->body->len;
          return drain_body (request, upload_data_size) ? MHD_YES : MHD_NO;
        }

      g_byte_array_append (request->body, (const guint8 *) upload_data, *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }

  if (request->route != NULL)
    {
      answer_api_call (self, request);
      return answer_later (self, request, NULL);
    }

  /* The key is claimed before --delay-ms, so a repeat during the delay
   * finds it in flight. */
  if (check_submission (self, request))
    return answer_later (self, request, process_submission);
  else
    return answer_later (self, request, NULL);
}

static void
completed_cb (void                            *cls,
              struct MHD_Connection           *connection,
              void                           **con_cls,
              enum MHD_RequestTerminationCode  toe)
{
  HavenReceiverServer *self = cls;
  Request *request = *con_cls;

  if (request == NULL)
    return;
  *con_cls = NULL;

  /* Method, path and status only: bodies and queries may hold what a
   * visitor wrote. */
  g_debug ("%s %s %u", request->method, request->path, request->status);
  if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
    log_request (self, request, NULL);
  else if (request->cut && request->status != 0)
    log_request (self, request, "connection closed in the middle of the answer");
  else if (request->refused)
    log_request (self, request, "refused, connection closed");
  else if (request->status != 0)
    /* The answer was queued; a client that reads it and hangs up at once
     * can end the connection before libmicrohttpd counts it complete. */
    log_request (self, request, "connection closed as the answer went out");
  else
    log_request (self, request, "the connection ended before the answer was sent");

  if (request->submission != NULL)
    release_claim (self, request->submission);
  request_free (request);
}

static void
log_cb (void       *cls,
        const char *format,
        va_list     ap)
{
  g_autofree char *text = g_strdup_vprintf (format, ap);

  /* Refused handshakes and connections over a limit are routine on the
   * internet, and would flood the log at --verbose. */
  g_debug ("libmicrohttpd: %s", g_strchomp (text));
}

static gpointer
timer_thread_func (gpointer user_data)
{
  HavenReceiverServer *self = user_data;

  g_main_context_push_thread_default (self->timer_context);
  g_main_loop_run (self->timer_loop);
  g_main_context_pop_thread_default (self->timer_context);

  return NULL;
}

static gboolean
quit_timer_loop_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
stop (HavenReceiverServer *self)
{
  cancel_delays (self);
  g_clear_pointer (&self->daemon, MHD_stop_daemon);
  if (self->timer_thread != NULL)
    {
      g_autoptr(GSource) quit = g_idle_source_new ();

      /* Quit from inside the loop: g_main_loop_quit() from here, before
       * the timer thread has reached g_main_loop_run(), is undone when it
       * does, and a SIGTERM just after start then waits for ever. */
      g_source_set_callback (quit, quit_timer_loop_cb, self->timer_loop, NULL);
      g_source_attach (quit, self->timer_context);
      g_clear_pointer (&self->timer_thread, g_thread_join);
    }
}

static gboolean
cases_handle (gpointer                 handler,
              const HavenReceiverCall *call,
              HavenReceiverAnswer     *answer)
{
  return haven_receiver_cases_handle (handler, call, answer);
}

static gboolean
fleet_handle (gpointer                 handler,
              const HavenReceiverCall *call,
              HavenReceiverAnswer     *answer)
{
  return haven_receiver_fleet_handle (handler, call, answer);
}

static void
haven_receiver_server_constructed (GObject *object)
{
  HavenReceiverServer *self = HAVEN_RECEIVER_SERVER (object);

  G_OBJECT_CLASS (haven_receiver_server_parent_class)->constructed (object);

  self->cases = haven_receiver_cases_new (self->store);
  self->routes[0] = (ApiRoute) {
    .owns_path = haven_receiver_cases_owns_path,
    .handle = cases_handle,
    .handler = self->cases,
    .max_body_bytes = HAVEN_RECEIVER_CASES_MAX_EVENT_BYTES,
  };
  self->fleet = haven_receiver_fleet_new (self->store);
  self->routes[1] = (ApiRoute) {
    .owns_path = haven_receiver_fleet_owns_path,
    .handle = fleet_handle,
    .handler = self->fleet,
    .max_body_bytes = HAVEN_RECEIVER_FLEET_MAX_BODY,
    .open_to_kiosks = TRUE,
  };
}

static void
haven_receiver_server_dispose (GObject *object)
{
  HavenReceiverServer *self = HAVEN_RECEIVER_SERVER (object);

  stop (self);
  g_clear_object (&self->cases);
  g_clear_object (&self->fleet);
  g_clear_object (&self->store);
  g_clear_object (&self->tls_certificate);
  g_clear_object (&self->client_ca);
  g_clear_object (&self->keypair);
  g_clear_object (&self->tokens);

  G_OBJECT_CLASS (haven_receiver_server_parent_class)->dispose (object);
}

static void
haven_receiver_server_finalize (GObject *object)
{
  HavenReceiverServer *self = HAVEN_RECEIVER_SERVER (object);

  g_clear_pointer (&self->delays, g_ptr_array_unref);
  g_clear_pointer (&self->token_guesses, g_hash_table_unref);
  g_clear_pointer (&self->timer_loop, g_main_loop_unref);
  g_clear_pointer (&self->timer_context, g_main_context_unref);
  g_free (self->url);
  g_free (self->certificate_pem);
  if (self->key_pem != NULL)
    sodium_memzero (self->key_pem, strlen (self->key_pem));
  g_free (self->key_pem);
  g_free (self->trust_pem);
  g_free (self->bundle_path);
  g_free (self->bundle_etag);
  g_mutex_clear (&self->lock);

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

  /* The CAs whose client certificates are accepted, a GTlsFileDatabase;
   * NULL asks for none. */
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
  g_mutex_init (&self->lock);
  self->delays = g_ptr_array_new ();
  self->token_guesses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->faults.retry_after = 1;
  haven_receiver_server_limits_init (&self->limits);
}

/**
 * haven_receiver_server_new:
 * @store: where submissions are kept
 * @tls_certificate: (nullable): the server's certificate with its key;
 *   %NULL for plain HTTP on loopback (tests only)
 * @client_ca: (nullable): the CAs that sign the kiosks' client
 *   certificates, a #GTlsFileDatabase
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
  g_return_val_if_fail (client_ca == NULL || G_IS_TLS_FILE_DATABASE (client_ca), NULL);
  g_return_val_if_fail (client_ca == NULL || tls_certificate != NULL, NULL);
  g_return_val_if_fail (!require_client_cert || client_ca != NULL, NULL);

  return g_object_new (HAVEN_TYPE_RECEIVER_SERVER,
                       "store", store,
                       "tls-certificate", tls_certificate,
                       "client-ca", client_ca,
                       "require-client-certificate", require_client_cert,
                       NULL);
}

/* libmicrohttpd takes PEM text: the certificate with the chain that
 * GTlsCertificate read with it, its key, and the CA file of --ca. */
static gboolean
prepare_tls (HavenReceiverServer  *self,
             GError              **error)
{
  g_autoptr(GString) chain = g_string_new (NULL);
  g_autoptr(GError) read_error = NULL;
  g_autofree char *anchors = NULL;

  for (GTlsCertificate *certificate = self->tls_certificate;
       certificate != NULL;
       certificate = g_tls_certificate_get_issuer (certificate))
    {
      g_autofree char *pem = NULL;

      g_object_get (certificate, "certificate-pem", &pem, NULL);
      if (pem != NULL)
        g_string_append (chain, pem);
    }
  g_free (self->certificate_pem);
  self->certificate_pem = g_string_free (g_steal_pointer (&chain), FALSE);

  g_free (self->key_pem);
  g_object_get (self->tls_certificate, "private-key-pem", &self->key_pem, NULL);
  if (self->key_pem == NULL)
    {
      g_set_error (error, HAVEN_RECEIVER_SERVER_ERROR, HAVEN_RECEIVER_SERVER_ERROR_LISTEN,
                   _("The server’s private key cannot be used"));
      return FALSE;
    }

  if (self->client_ca != NULL)
    {
      g_object_get (self->client_ca, "anchors", &anchors, NULL);
      g_clear_pointer (&self->trust_pem, g_free);
      if (anchors == NULL || !g_file_get_contents (anchors, &self->trust_pem, NULL, &read_error))
        {
          g_set_error (error, HAVEN_RECEIVER_SERVER_ERROR, HAVEN_RECEIVER_SERVER_ERROR_LISTEN,
                       _("The CA file cannot be read: %s"),
                       read_error != NULL ? read_error->message : "");
          return FALSE;
        }
    }

  return TRUE;
}

static struct MHD_Daemon *
start_daemon (HavenReceiverServer *self,
              GInetSocketAddress  *address)
{
  struct sockaddr_storage native;
  struct MHD_OptionItem options[20];
  guint n = 0;
  unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                       MHD_USE_ERROR_LOG;

#define ADD_OPTION(option, value, pointer) \
  options[n++] = (struct MHD_OptionItem) { (option), (intptr_t) (value), (pointer) }

  if (!g_socket_address_to_native (G_SOCKET_ADDRESS (address), &native, sizeof native, NULL))
    return NULL;
  if (g_socket_address_get_family (G_SOCKET_ADDRESS (address)) == G_SOCKET_FAMILY_IPV6)
    flags |= MHD_USE_IPv6;

  ADD_OPTION (MHD_OPTION_SOCK_ADDR, 0, &native);
  ADD_OPTION (MHD_OPTION_NOTIFY_COMPLETED, completed_cb, self);
  ADD_OPTION (MHD_OPTION_CONNECTION_LIMIT, self->limits.max_connections, NULL);
  ADD_OPTION (MHD_OPTION_PER_IP_CONNECTION_LIMIT, self->limits.max_connections_per_address,
              NULL);
  ADD_OPTION (MHD_OPTION_CONNECTION_TIMEOUT, self->limits.timeout_seconds, NULL);
  ADD_OPTION (MHD_OPTION_CONNECTION_MEMORY_LIMIT, self->limits.connection_memory, NULL);
  /* Each thread of the pool takes its share of --max-connections: never
   * more threads than connections. */
  if (MIN (self->limits.threads, self->limits.max_connections) > 1)
    ADD_OPTION (MHD_OPTION_THREAD_POOL_SIZE,
                MIN (self->limits.threads, self->limits.max_connections), NULL);

  if (self->tls_certificate != NULL)
    {
      flags |= MHD_USE_TLS;
      ADD_OPTION (MHD_OPTION_HTTPS_MEM_CERT, 0, self->certificate_pem);
      ADD_OPTION (MHD_OPTION_HTTPS_MEM_KEY, 0, self->key_pem);
      ADD_OPTION (MHD_OPTION_HTTPS_PRIORITIES, 0, (void *) TLS_PRIORITIES);
      if (self->trust_pem != NULL)
        ADD_OPTION (MHD_OPTION_HTTPS_MEM_TRUST, 0, self->trust_pem);
    }
  ADD_OPTION (MHD_OPTION_END, 0, NULL);
  g_assert (n <= G_N_ELEMENTS (options));

#undef ADD_OPTION

  /* The external logger's two arguments are a function and its data. */
  return MHD_start_daemon (flags, 0, NULL, NULL, access_cb, self,
                           MHD_OPTION_EXTERNAL_LOGGER, log_cb, self,
                           MHD_OPTION_ARRAY, options,
                           MHD_OPTION_END);
}

gboolean
haven_receiver_server_listen (HavenReceiverServer  *self,
                              GInetSocketAddress   *address,
                              GError              **error)
{
  GInetAddress *inet_address;
  g_autofree char *address_text = NULL;
  const union MHD_DaemonInfo *info;
  guint n_released = 0;
  guint port;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_SERVER (self), FALSE);
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), FALSE);
  g_return_val_if_fail (self->daemon == NULL, FALSE);
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

  /* Off this machine anyone may connect: only kiosks that prove who they
   * are may submit. */
  if (!g_inet_address_get_is_loopback (inet_address) && self->tokens == NULL &&
      !self->require_client_certificate)
    {
      g_set_error (error, HAVEN_RECEIVER_SERVER_ERROR, HAVEN_RECEIVER_SERVER_ERROR_INSECURE,
                   _("On %s, which is not a loopback address, kiosks must prove who they are: "
                     "add --token-file FILE, or --ca FILE with --require-client-cert"),
                   address_text);
      return FALSE;
    }

  if (self->tls_certificate != NULL && !prepare_tls (self, error))
    return FALSE;

  /* A receiver that stopped in the middle of a submission left its key
   * in flight; the kiosk's retry will be processed afresh. */
  if (!haven_receiver_store_release_stale (self->store, get_stale_after (self), &n_released,
                                           error))
    return FALSE;
  if (n_released > 0)
    g_message ("Released %u submissions that an earlier run left unfinished", n_released);

  self->timer_context = g_main_context_new ();
  self->timer_loop = g_main_loop_new (self->timer_context, FALSE);
  self->timer_thread = g_thread_new ("haven-delays", timer_thread_func, self);

  self->daemon = start_daemon (self, address);
  if (self->daemon == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, HAVEN_RECEIVER_SERVER_ERROR, HAVEN_RECEIVER_SERVER_ERROR_LISTEN,
                   _("Cannot listen on %s port %u: %s"), address_text,
                   (guint) g_inet_socket_address_get_port (address),
                   saved_errno != 0 ? g_strerror (saved_errno) : _("the server cannot start"));
      return FALSE;
    }

  info = MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_BIND_PORT);
  port = info != NULL ? info->port : g_inet_socket_address_get_port (address);
  /* g_uri_join() puts an IPv6 address in brackets. */
  g_free (self->url);
  self->url = g_uri_join (G_URI_FLAGS_NONE, self->tls_certificate != NULL ? "https" : "http",
                          NULL, address_text, (int) port, "", NULL, NULL);

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
  g_return_val_if_fail (HAVEN_IS_RECEIVER_SERVER (self), NULL);

  return g_strdup (self->url);
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

  stop (self);
}

void
haven_receiver_server_set_keypair (HavenReceiverServer  *self,
                                   HavenReceiverKeypair *keypair)
{
  g_return_if_fail (HAVEN_IS_RECEIVER_SERVER (self));
  g_return_if_fail (keypair == NULL || HAVEN_IS_RECEIVER_KEYPAIR (keypair));
  g_return_if_fail (self->daemon == NULL);

  if (g_set_object (&self->keypair, keypair))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_KEYPAIR]);
}

void
haven_receiver_server_set_tokens (HavenReceiverServer *self,
                                  HavenReceiverTokens *tokens)
{
  g_return_if_fail (HAVEN_IS_RECEIVER_SERVER (self));
  g_return_if_fail (tokens == NULL || HAVEN_IS_RECEIVER_TOKENS (tokens));
  g_return_if_fail (self->daemon == NULL);

  if (g_set_object (&self->tokens, tokens))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TOKENS]);
}

void
haven_receiver_server_set_verbose (HavenReceiverServer *self,
                                   gboolean             verbose)
{
  g_return_if_fail (HAVEN_IS_RECEIVER_SERVER (self));
  g_return_if_fail (self->daemon == NULL);

  verbose = !!verbose;
  if (self->verbose == verbose)
    return;

  self->verbose = verbose;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_VERBOSE]);
}

/**
 * haven_receiver_server_set_bundle:
 * @path: (nullable): the bundle `havenctl bundle make` writes, served at
 *   GET /v1/bundle; %NULL to serve none
 *
 * The file need not exist yet: until it does, kiosks are answered 404.
 * Set before haven_receiver_server_listen().
 */
void
haven_receiver_server_set_bundle (HavenReceiverServer *self,
                                  const char          *path)
{
  g_return_if_fail (HAVEN_IS_RECEIVER_SERVER (self));
  g_return_if_fail (self->daemon == NULL);

  g_free (self->bundle_path);
  self->bundle_path = path != NULL ? g_canonicalize_filename (path, NULL) : NULL;
}

/**
 * haven_receiver_server_set_faults:
 * @faults: the faults to play, for tests and demos
 *
 * The counts in @faults start from the next POST. Set before
 * haven_receiver_server_listen(): the threads that serve read them.
 */
void
haven_receiver_server_set_faults (HavenReceiverServer       *self,
                                  const HavenReceiverFaults *faults)
{
  g_return_if_fail (HAVEN_IS_RECEIVER_SERVER (self));
  g_return_if_fail (faults != NULL);
  g_return_if_fail (faults->fail_status == 0 ||
                    (faults->fail_status >= 400 && faults->fail_status <= 599));
  g_return_if_fail (self->daemon == NULL);

  self->faults = *faults;
  self->n_submissions = 0;
}

/**
 * haven_receiver_server_limits_init:
 *
 * Sets @limits to the defaults, which suit one receiver on the internet.
 */
void
haven_receiver_server_limits_init (HavenReceiverLimits *limits)
{
  g_return_if_fail (limits != NULL);

  limits->max_connections = HAVEN_RECEIVER_DEFAULT_MAX_CONNECTIONS;
  limits->max_connections_per_address = HAVEN_RECEIVER_DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
  limits->timeout_seconds = HAVEN_RECEIVER_DEFAULT_TIMEOUT_SECONDS;
  limits->connection_memory = HAVEN_RECEIVER_DEFAULT_CONNECTION_MEMORY;
  limits->threads = HAVEN_RECEIVER_DEFAULT_THREADS;
}

/**
 * haven_receiver_server_set_limits:
 *
 * Set before haven_receiver_server_listen(). Every limit must be above
 * zero.
 */
void
haven_receiver_server_set_limits (HavenReceiverServer       *self,
                                  const HavenReceiverLimits *limits)
{
  g_return_if_fail (HAVEN_IS_RECEIVER_SERVER (self));
  g_return_if_fail (limits != NULL);
  g_return_if_fail (limits->max_connections > 0 && limits->max_connections_per_address > 0);
  g_return_if_fail (limits->timeout_seconds > 0);
  g_return_if_fail (limits->connection_memory >= HAVEN_RECEIVER_MIN_CONNECTION_MEMORY);
  g_return_if_fail (limits->threads > 0 && limits->threads <= HAVEN_RECEIVER_MAX_THREADS);
  g_return_if_fail (self->daemon == NULL);

  self->limits = *limits;
}
