/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-backend"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "haven-backend.h"
#include "haven-checks.h"
#include "haven-json.h"
#include "haven-request.h"
#include "haven-tls-pin.h"
#include "haven-wipe.h"

/* The organisation's backend as the kiosk sees it: one SoupSession set up
 * from the settings (trust, pins, identity) that every request goes through.
 * Errors are turned into HavenBackendError here, once, so that the operator
 * always reads the same words for the same cause. */

/* haven-api-v1.md: bodies are at most 256 KiB, in both directions. */
#define DEFAULT_MAX_ANSWER_SIZE (256 * 1024)
#define READ_CHUNK_SIZE (16 * 1024)

struct _HavenBackend
{
  GObject parent_instance;

  SoupSession *session;
  GTlsCertificate *client_certificate;

  char *base_url;
  GStrv pinned_keys;
  char *token;
  char *language;
  gsize max_answer_size;

  /* Connections opened so far: with keep-alive it grows far slower than
   * the number of requests. */
  guint n_connections;
};

G_DEFINE_FINAL_TYPE (HavenBackend, haven_backend, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-backend-error-quark, haven_backend_error)

typedef struct {
  SoupMessage *message;
  /* Our own, so a pin mismatch can stop the request; the caller's
   * cancellable is chained to it. */
  GCancellable *cancellable;
  GCancellable *caller_cancellable;
  gulong caller_cancelled_id;
  gulong network_event_id;
  char *mismatched_pin;
  /* The TLS version the backend chose, when older than 1.2. */
  const char *old_protocol;
  GInputStream *body_stream;
  /* The answer so far. It may be a visitor's words (a case's body read
   * by the desk), so a buffer outgrown is wiped before it is freed. */
  guint8 *body;
  gsize body_length;
  gsize body_allocated;
  /* A download: where a 200's body goes, as it comes, and how much of it
   * may come. */
  GOutputStream *sink;
  guint64 sink_limit;
  guint64 sink_written;
  guint8 *chunk;
} SendData;

static void
wipe_body (SendData *data)
{
  if (data->body != NULL)
    explicit_bzero (data->body, data->body_allocated);
  g_clear_pointer (&data->body, g_free);
  data->body_length = 0;
  data->body_allocated = 0;
}

static void
send_data_free (SendData *data)
{
  if (data->network_event_id != 0)
    g_signal_handler_disconnect (data->message, data->network_event_id);
  if (data->caller_cancellable != NULL)
    g_cancellable_disconnect (data->caller_cancellable, data->caller_cancelled_id);
  g_clear_object (&data->caller_cancellable);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->message);
  g_clear_object (&data->body_stream);
  g_clear_object (&data->sink);
  g_free (data->chunk);
  wipe_body (data);
  g_free (data->mismatched_pin);
  g_free (data);
}

static void
haven_backend_finalize (GObject *object)
{
  HavenBackend *self = HAVEN_BACKEND (object);

  g_clear_object (&self->session);
  g_clear_object (&self->client_certificate);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->pinned_keys, g_strfreev);
  haven_wipe_clear_string (&self->token);
  g_clear_pointer (&self->language, g_free);

  G_OBJECT_CLASS (haven_backend_parent_class)->finalize (object);
}

static void
haven_backend_class_init (HavenBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_backend_finalize;
}

static void
haven_backend_init (HavenBackend *self)
{
  self->max_answer_size = DEFAULT_MAX_ANSWER_SIZE;
}

static char *
parse_base_url (const char  *url,
                gboolean     allow_insecure_loopback,
                GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) parse_error = NULL;
  const char *scheme;
  gsize length;

  if (url == NULL || url[0] == '\0')
    {
      g_set_error_literal (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_NOT_CONFIGURED,
                           _("No backend is configured (the setting backend-url is empty)"));
      return NULL;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &parse_error);
  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      g_set_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_INVALID_URL,
                   _("The backend address “%s” is not a valid web address"), url);
      return NULL;
    }

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_INVALID_URL,
                   _("The backend address “%s” must not have a query or fragment"), url);
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0)
    {
      gboolean loopback_http = g_ascii_strcasecmp (scheme, "http") == 0 &&
                               haven_check_loopback_host (g_uri_get_host (uri));

      if (!loopback_http || !allow_insecure_loopback)
        {
          g_set_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_INSECURE_URL,
                       _("The backend address “%s” must start with https://"), url);
          return NULL;
        }
    }

  /* "https://host/base/" and "https://host/base" name the same backend. */
  length = strlen (url);
  while (length > 0 && url[length - 1] == '/')
    length--;

  return g_strndup (url, length);
}

static gboolean
require_absolute_path (const char  *key,
                       const char  *path,
                       GError     **error)
{
  if (g_path_is_absolute (path))
    return TRUE;

  g_set_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_INVALID_SETTING,
               _("The setting %s must be an absolute path, not “%s”"), key, path);
  return FALSE;
}

static char *
read_token_file (const char  *path,
                 GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) read_error = NULL;
  gsize length = 0;

  if (!require_absolute_path ("token-file", path, error))
    return NULL;

  if (!g_file_get_contents (path, &contents, &length, &read_error))
    {
      g_set_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_FILE,
                   _("The token file cannot be read: %s"), read_error->message);
      return NULL;
    }

  g_strstrip (contents);
  if (contents[0] == '\0' || strpbrk (contents, "\r\n\t ") != NULL ||
      !g_str_is_ascii (contents))
    {
      g_set_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_FILE,
                   _("The token file %s must hold one token on one line"), path);
      explicit_bzero (contents, length);
      return NULL;
    }

  return g_steal_pointer (&contents);
}

/**
 * haven_backend_new_from_settings:
 * @settings: settings of the `io.github.havenkiosk.Haven` schema
 *
 * Reads and checks everything the backend connection needs. Every file a
 * setting names is read now, so a mistake in the configuration shows at once
 * rather than at the first visitor's request.
 */
HavenBackend *
haven_backend_new_from_settings (GSettings  *settings,
                                 GError    **error)
{
  g_autoptr(HavenBackend) self = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autofree char *url = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *certificate_file = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *user_agent = NULL;
  g_auto(GStrv) pinned_keys = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HAVEN_TYPE_BACKEND, NULL);

  url = g_settings_get_string (settings, "backend-url");
  self->base_url = parse_base_url (url, g_settings_get_boolean (settings, "allow-insecure-loopback"),
                                   error);
  if (self->base_url == NULL)
    return NULL;

  pinned_keys = g_settings_get_strv (settings, "pinned-keys");
  for (guint i = 0; pinned_keys[i] != NULL; i++)
    {
      g_autoptr(GError) pin_error = NULL;

      if (!haven_tls_pin_validate (pinned_keys[i], &pin_error))
        {
          g_set_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_INVALID_SETTING,
                       _("The setting pinned-keys is wrong: %s"), pin_error->message);
          return NULL;
        }
    }
  self->pinned_keys = g_steal_pointer (&pinned_keys);

  ca_file = g_settings_get_string (settings, "ca-file");
  if (ca_file[0] != '\0')
    {
      g_autoptr(GError) database_error = NULL;

      /* glib-networking accepts a relative path with only a warning and then
       * fails every handshake, so insist on an absolute one. */
      if (!require_absolute_path ("ca-file", ca_file, error))
        return NULL;

      database = g_tls_file_database_new (ca_file, &database_error);
      if (database == NULL)
        {
          g_set_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_FILE,
                       _("The CA file cannot be used: %s"), database_error->message);
          return NULL;
        }
    }

  token_file = g_settings_get_string (settings, "token-file");
  if (token_file[0] != '\0')
    {
      self->token = read_token_file (token_file, error);
      if (self->token == NULL)
        return NULL;
    }

  certificate_file = g_settings_get_string (settings, "client-certificate-file");
  key_file = g_settings_get_string (settings, "client-key-file");
  if (certificate_file[0] != '\0')
    {
      g_autoptr(GError) certificate_error = NULL;

      if (!require_absolute_path ("client-certificate-file", certificate_file, error) ||
          (key_file[0] != '\0' && !require_absolute_path ("client-key-file", key_file, error)))
        return NULL;

      if (key_file[0] != '\0')
        self->client_certificate = g_tls_certificate_new_from_files (certificate_file, key_file,
                                                                     &certificate_error);
      else
        self->client_certificate = g_tls_certificate_new_from_file (certificate_file,
                                                                    &certificate_error);

      if (self->client_certificate == NULL)
        {
          g_set_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_FILE,
                       _("The client certificate cannot be used: %s"),
                       certificate_error->message);
          return NULL;
        }
    }
  else if (key_file[0] != '\0')
    {
      g_set_error_literal (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_INVALID_SETTING,
                           _("The setting client-key-file is set but client-certificate-file is not"));
      return NULL;
    }

  user_agent = g_strdup_printf ("Haven/%s", PACKAGE_VERSION);
  self->session = soup_session_new_with_options ("timeout", g_settings_get_uint (settings, "request-timeout"),
                                                 "user-agent", user_agent,
                                                 NULL);
  if (database != NULL)
    soup_session_set_tls_database (self->session, database);

  return g_steal_pointer (&self);
}

const char *
haven_backend_get_base_url (HavenBackend *self)
{
  g_return_val_if_fail (HAVEN_IS_BACKEND (self), NULL);

  return self->base_url;
}

/**
 * haven_backend_set_language:
 * @language: (nullable): the visitor's language, sent as Accept-Language
 */
void
haven_backend_set_language (HavenBackend *self,
                            const char   *language)
{
  g_return_if_fail (HAVEN_IS_BACKEND (self));

  g_free (self->language);
  self->language = g_strdup (language);
}

static gboolean
is_token_text (const char *token)
{
  if (token[0] == '\0')
    return FALSE;
  for (const char *c = token; *c != '\0'; c++)
    {
      if (*c <= ' ' || *c >= 0x7f)
        return FALSE;
    }
  return TRUE;
}

/**
 * haven_backend_set_token:
 * @token: (nullable): a bearer token, sent in every request from now on;
 *   %NULL sends none. Printable ASCII without spaces, as token-file's:
 *   the caller checks what was typed.
 *
 * Replaces the token that token-file gave, if any: the desk's caseworker
 * types theirs at sign-in. The old token is wiped.
 */
void
haven_backend_set_token (HavenBackend *self,
                         const char   *token)
{
  g_return_if_fail (HAVEN_IS_BACKEND (self));
  /* A line break would end the Authorization header and start another. */
  g_return_if_fail (token == NULL || is_token_text (token));

  haven_wipe_clear_string (&self->token);
  self->token = g_strdup (token);
}

/**
 * haven_backend_set_max_answer_size:
 * @bytes: the largest answer body read; more is a
 *   %HAVEN_BACKEND_ERROR_BAD_RESPONSE
 *
 * The kiosk's answers are at most 256 KiB, the default. The desk reads
 * sealed bodies of up to 256 KiB (plus the box's overhead) and lists of
 * cases, and sets more.
 */
void
haven_backend_set_max_answer_size (HavenBackend *self,
                                   gsize         bytes)
{
  g_return_if_fail (HAVEN_IS_BACKEND (self));
  g_return_if_fail (bytes > 0);

  self->max_answer_size = bytes;
}

/**
 * haven_backend_new_message:
 * @path: the path under the base URL, starting with "/v1/"
 *
 * Returns: (transfer full): a message with the headers every request carries
 */
SoupMessage *
haven_backend_new_message (HavenBackend *self,
                           const char   *method,
                           const char   *path)
{
  g_autofree char *url = NULL;
  SoupMessage *message;
  SoupMessageHeaders *headers;

  g_return_val_if_fail (HAVEN_IS_BACKEND (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path != NULL && path[0] == '/', NULL);

  url = g_strconcat (self->base_url, path, NULL);
  message = soup_message_new (method, url);
  g_return_val_if_fail (message != NULL, NULL);

  headers = soup_message_get_request_headers (message);
  if (self->language != NULL)
    {
      g_autofree char *language_tag = g_strdelimit (g_strdup (self->language), "_", '-');

      soup_message_headers_replace (headers, "Accept-Language", language_tag);
    }
  if (self->token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
      explicit_bzero (authorization, strlen (authorization));
    }
  if (self->client_certificate != NULL)
    soup_message_set_tls_client_certificate (message, self->client_certificate);

  return message;
}

/**
 * haven_backend_new_submission:
 * @path: the endpoint, haven_request_kind_get_path()
 * @request_id: the request's UUID, sent as its Idempotency-Key
 * @content_type: "application/json", or "application/vnd.haven.sealed"
 *   for a sealed box
 * @body: what the outbox holds, sent as it is
 *
 * Returns: (transfer full): a POST as haven-api-v1.md's "Submitting" describes it
 */
SoupMessage *
haven_backend_new_submission (HavenBackend *self,
                              const char   *path,
                              const char   *request_id,
                              const char   *content_type,
                              GBytes       *body)
{
  g_autofree char *key = NULL;
  SoupMessage *message;

  g_return_val_if_fail (HAVEN_IS_BACKEND (self), NULL);
  g_return_val_if_fail (request_id != NULL && strpbrk (request_id, "\\\"") == NULL, NULL);
  g_return_val_if_fail (content_type != NULL, NULL);
  g_return_val_if_fail (body != NULL, NULL);

  message = haven_backend_new_message (self, SOUP_METHOD_POST, path);

  /* A structured-field string, as the Idempotency-Key draft has it; a
   * UUID needs no escapes. */
  key = g_strdup_printf ("\"%s\"", request_id);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Idempotency-Key",
                                key);
  soup_message_set_request_body_from_bytes (message, content_type, body);

  /* libsoup would follow a redirect anywhere, plain http:// included, and
   * a backend has no reason to send one for a submission. The key makes
   * the POST idempotent: without saying so, libsoup opens a new
   * connection (and handshake) for every POST rather than reuse one. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT | SOUP_MESSAGE_IDEMPOTENT);

  return message;
}

/**
 * haven_backend_get_n_connections:
 *
 * Returns: how many connections requests have opened so far; with
 *   keep-alive a batch of requests should open one (or one per request
 *   sent at the same time), not one each
 */
guint
haven_backend_get_n_connections (HavenBackend *self)
{
  g_return_val_if_fail (HAVEN_IS_BACKEND (self), 0);

  return self->n_connections;
}

static void
network_event_cb (SoupMessage        *message,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  GTask *task = user_data;
  HavenBackend *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  GTlsCertificate *peer_certificate;
  g_autofree char *pin = NULL;
  g_autoptr(GError) error = NULL;

  if (event == G_SOCKET_CLIENT_CONNECTED)
    self->n_connections++;

  /* The API asks for TLS 1.2 or later (haven-api-v1.md); GnuTLS would
   * still agree to 1.0 or 1.1 with a server that offers nothing newer. */
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKED)
    {
      switch (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (connection)))
        {
        case G_TLS_PROTOCOL_VERSION_SSL_3_0:
          data->old_protocol = "SSL 3.0";
          break;
        case G_TLS_PROTOCOL_VERSION_TLS_1_0:
          data->old_protocol = "TLS 1.0";
          break;
        case G_TLS_PROTOCOL_VERSION_TLS_1_1:
          data->old_protocol = "TLS 1.1";
          break;
        case G_TLS_PROTOCOL_VERSION_UNKNOWN:
        case G_TLS_PROTOCOL_VERSION_TLS_1_2:
        case G_TLS_PROTOCOL_VERSION_TLS_1_3:
        case G_TLS_PROTOCOL_VERSION_DTLS_1_0:
        case G_TLS_PROTOCOL_VERSION_DTLS_1_2:
        default:
          break;
        }
      if (data->old_protocol != NULL)
        {
          g_cancellable_cancel (data->cancellable);
          return;
        }
    }

  /* The handshake has completed and the chain was validated, but not one
   * byte of the request has been written yet: the moment to check the pin. */
  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKED || self->pinned_keys[0] == NULL)
    return;

  peer_certificate = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (connection));
  if (peer_certificate != NULL)
    pin = haven_tls_pin_for_certificate (peer_certificate, &error);

  if (pin != NULL && haven_tls_pin_list_contains ((const char * const *) self->pinned_keys, pin))
    return;

  g_free (data->mismatched_pin);
  data->mismatched_pin = pin != NULL ? g_steal_pointer (&pin) : g_strdup ("?");
  g_cancellable_cancel (data->cancellable);
}

static void
caller_cancelled_cb (GCancellable *caller_cancellable,
                     GCancellable *own_cancellable)
{
  g_cancellable_cancel (own_cancellable);
}

static const char *
describe_certificate_errors (GTlsCertificateFlags flags)
{
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return _("the backend’s certificate is not signed by a trusted authority (check ca-file)");
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return _("the backend’s certificate was made for another host name");
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    return _("the backend’s certificate has expired");
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    return _("the backend’s certificate is not valid yet (check the clock)");
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    return _("the backend’s certificate has been revoked");
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    return _("the backend’s certificate uses an insecure algorithm");

  return _("the backend’s certificate is not trusted");
}

/* Turns what GIO, glib-networking and libsoup report into the causes an
 * operator can act on. */
static GError *
classify_error (HavenBackend *self,
                SendData     *data,
                const GError *error)
{
  if (data->old_protocol != NULL &&
      !(data->caller_cancellable != NULL && g_cancellable_is_cancelled (data->caller_cancellable)))
    /* Translators: %s is a protocol, such as "TLS 1.0". */
    return g_error_new (HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_TLS,
                        _("TLS error: the backend speaks only %s, and Haven needs TLS 1.2 or later"),
                        data->old_protocol);
  if (data->mismatched_pin != NULL &&
      !(data->caller_cancellable != NULL && g_cancellable_is_cancelled (data->caller_cancellable)))
    return g_error_new (HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_PIN_MISMATCH,
                        _("The backend’s public key %s is not one of pinned-keys"),
                        data->mismatched_pin);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_CONNECTION_REFUSED,
                        _("Connection refused by %s (is the backend running?)"),
                        self->base_url);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_TIMED_OUT,
                        _("%s did not answer in time"), self->base_url);

  if (error->domain == G_RESOLVER_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    return g_error_new (HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_UNREACHABLE,
                        _("%s cannot be reached: %s"), self->base_url, error->message);

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) ||
      soup_message_get_tls_peer_certificate_errors (data->message) != 0)
    {
      GTlsCertificateFlags flags = soup_message_get_tls_peer_certificate_errors (data->message);

      return g_error_new (HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_UNTRUSTED_CERTIFICATE,
                          _("TLS error: %s"), describe_certificate_errors (flags));
    }

  if (error->domain == G_TLS_ERROR)
    return g_error_new (HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_TLS,
                        _("TLS error: %s"), error->message);

  /* A server that drops the connection during the handshake (for instance
   * because it wanted a client certificate) shows as a plain I/O error.
   * With TLS 1.3 our side of the handshake is complete before the server
   * has judged our client certificate, so its refusal comes the same way
   * but after the peer certificate is known, and before any answer. */
  if (g_str_has_prefix (self->base_url, "https:") &&
      (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
       g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
       g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED)))
    {
      if (soup_message_get_tls_peer_certificate (data->message) == NULL)
        return g_error_new (HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_TLS,
                            _("TLS error: the backend closed the connection during the "
                              "handshake (%s)"),
                            error->message);

      if (self->client_certificate != NULL &&
          soup_message_get_status (data->message) == SOUP_STATUS_NONE)
        return g_error_new (HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_TLS,
                            _("TLS error: the backend closed the connection before answering; "
                              "it may not accept this kiosk’s client certificate (%s)"),
                            error->message);
    }

  return g_error_new (HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_UNREACHABLE,
                      _("%s cannot be reached: %s"), self->base_url, error->message);
}

static void read_next_chunk (GTask *task);

static void
read_chunk_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  HavenBackend *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  gssize n_read;

  n_read = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (n_read < 0)
    {
      g_task_return_error (task, classify_error (self, data, error));
      return;
    }

  if (n_read == 0)
    {
      /* The bytes are handed over as they are: whoever needs them wiped
       * takes them with g_bytes_unref_to_data(). */
      GBytes *body = g_bytes_new_take (g_steal_pointer (&data->body), data->body_length);

      data->body_length = 0;
      data->body_allocated = 0;
      g_task_return_pointer (task, body, (GDestroyNotify) g_bytes_unref);
      return;
    }

  data->body_length += (gsize) n_read;
  if (data->body_length > self->max_answer_size)
    {
      g_task_return_new_error (task, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_BAD_RESPONSE,
                               _("The backend’s answer is larger than %d KiB"),
                               (int) (self->max_answer_size / 1024));
      return;
    }

  read_next_chunk (g_steal_pointer (&task));
}

/* Reads straight into the answer's buffer; when it is full, it moves to
 * one twice as large and the old one is wiped, not left in the heap. */
static void
read_next_chunk (GTask *task)
{
  HavenBackend *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  /* One byte more than allowed, to tell a full answer from one too long. */
  gsize room = MIN (READ_CHUNK_SIZE, self->max_answer_size + 1 - data->body_length);

  if (data->body_allocated - data->body_length < room)
    {
      gsize allocated = MAX (data->body_allocated * 2, data->body_length + room);
      guint8 *body = g_malloc (allocated);

      if (data->body != NULL)
        {
          memcpy (body, data->body, data->body_length);
          explicit_bzero (data->body, data->body_allocated);
          g_free (data->body);
        }
      data->body = body;
      data->body_allocated = allocated;
    }

  g_input_stream_read_async (data->body_stream, data->body + data->body_length, room,
                             G_PRIORITY_DEFAULT, data->cancellable, read_chunk_cb, task);
}

static void download_next_chunk (GTask *task);

static void
download_written_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  download_next_chunk (g_steal_pointer (&task));
}

static void
download_read_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  HavenBackend *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  gssize n_read;

  n_read = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (n_read < 0)
    {
      g_task_return_error (task, classify_error (self, data, error));
      return;
    }
  if (n_read == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  data->sink_written += (guint64) n_read;
  if (data->sink_written > data->sink_limit)
    {
      g_task_return_new_error (task, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_BAD_RESPONSE,
                               _("The backend’s answer is larger than %d MiB"),
                               (int) (data->sink_limit / (1024 * 1024)));
      return;
    }

  g_output_stream_write_all_async (data->sink, data->chunk, (gsize) n_read, G_PRIORITY_LOW,
                                   data->cancellable, download_written_cb,
                                   g_steal_pointer (&task));
}

static void
download_next_chunk (GTask *task)
{
  SendData *data = g_task_get_task_data (task);

  g_input_stream_read_async (data->body_stream, data->chunk, READ_CHUNK_SIZE * 4,
                             G_PRIORITY_LOW, data->cancellable, download_read_cb, task);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  HavenBackend *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);

  data->body_stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (data->body_stream == NULL)
    {
      g_task_return_error (task, classify_error (self, data, error));
      return;
    }

  if (data->sink != NULL)
    {
      /* Only a 200 carries what was asked for; any other answer is the
       * caller's to judge by its status. */
      if (soup_message_get_status (data->message) != SOUP_STATUS_OK)
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
      data->chunk = g_malloc (READ_CHUNK_SIZE * 4);
      download_next_chunk (g_steal_pointer (&task));
      return;
    }

  read_next_chunk (g_steal_pointer (&task));
}

/**
 * haven_backend_send_async:
 * @message: a message from haven_backend_new_message()
 *
 * Sends @message, checking the backend's public key against the pins before
 * any of the body goes out, and reads at most 256 KiB of the answer (or
 * what haven_backend_set_max_answer_size() says). The
 * status is left for the caller to judge: soup_message_get_status().
 */
static void
start_send (HavenBackend        *self,
            GTask               *task,
            SoupMessage         *message,
            GOutputStream       *sink,
            guint64              sink_limit,
            GCancellable        *cancellable)
{
  SendData *data = g_new0 (SendData, 1);

  data->message = g_object_ref (message);
  data->cancellable = g_cancellable_new ();
  if (sink != NULL)
    data->sink = g_object_ref (sink);
  data->sink_limit = sink_limit;
  if (cancellable != NULL)
    {
      data->caller_cancellable = g_object_ref (cancellable);
      data->caller_cancelled_id = g_cancellable_connect (cancellable,
                                                         G_CALLBACK (caller_cancelled_cb),
                                                         data->cancellable, NULL);
    }
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);

  data->network_event_id = g_signal_connect (message, "network-event",
                                             G_CALLBACK (network_event_cb), task);

  soup_session_send_async (self->session, message, G_PRIORITY_DEFAULT, data->cancellable,
                           send_cb, g_object_ref (task));
}

void
haven_backend_send_async (HavenBackend        *self,
                          SoupMessage         *message,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HAVEN_IS_BACKEND (self));
  g_return_if_fail (SOUP_IS_MESSAGE (message));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_backend_send_async);
  start_send (self, task, message, NULL, 0, cancellable);
}

/**
 * haven_backend_download_async:
 * @message: a GET from haven_backend_new_message()
 * @sink: where the body of a 200 answer is written, as it comes
 * @max_bytes: the most the body may be; a longer one fails the download
 *
 * Sends @message as haven_backend_send_async() does, but writes the body
 * of a 200 to @sink instead of holding it: for a file as large as a
 * bundle. Any other status leaves @sink untouched, for the caller to
 * judge with soup_message_get_status().
 */
void
haven_backend_download_async (HavenBackend        *self,
                              SoupMessage         *message,
                              GOutputStream       *sink,
                              guint64              max_bytes,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HAVEN_IS_BACKEND (self));
  g_return_if_fail (SOUP_IS_MESSAGE (message));
  g_return_if_fail (G_IS_OUTPUT_STREAM (sink));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_backend_download_async);
  start_send (self, task, message, sink, max_bytes, cancellable);
}

gboolean
haven_backend_download_finish (HavenBackend  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (HAVEN_IS_BACKEND (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * haven_backend_send_finish:
 *
 * Returns: (transfer full): the body of the answer
 */
GBytes *
haven_backend_send_finish (HavenBackend  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (HAVEN_IS_BACKEND (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == haven_backend_send_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * haven_backend_parse_health:
 * @body: the body of the backend's 200 answer to `/v1/health`
 *
 * Returns: the API version the backend speaks (1 or more), or -1 with
 *   @error set when the body is not {"status": "ok", "api": N}
 */
gint64
haven_backend_parse_health (GBytes  *body,
                            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonNode *api;

  if (!haven_json_load (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                        &parse_error))
    {
      g_set_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_BAD_RESPONSE,
                   _("The backend’s health answer is not JSON: %s"), parse_error->message);
      return -1;
    }

  root = json_parser_get_root (parser);
  object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  api = object != NULL ? json_object_get_member (object, "api") : NULL;

  if (object == NULL ||
      g_strcmp0 (haven_json_object_get_string (object, "status"), "ok") != 0 ||
      api == NULL || json_node_get_value_type (api) != G_TYPE_INT64 ||
      json_node_get_int (api) < 1)
    {
      g_set_error_literal (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_BAD_RESPONSE,
                           _("The backend’s health answer is not {\"status\": \"ok\", \"api\": N}"));
      return -1;
    }

  return json_node_get_int (api);
}

static void
check_sent_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  SoupMessage *message = g_task_get_task_data (task);
  guint status;
  gint64 api_version;

  body = haven_backend_send_finish (HAVEN_BACKEND (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  status = soup_message_get_status (message);
  if (status != SOUP_STATUS_OK)
    {
      g_task_return_new_error (task, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_HTTP_STATUS,
                               _("The backend answered HTTP %u %s"), status,
                               soup_message_get_reason_phrase (message));
      return;
    }

  api_version = haven_backend_parse_health (body, &error);
  if (api_version < 0)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, api_version);
}

/**
 * haven_backend_check_async:
 *
 * Asks the backend's `/v1/health` whether it is there and which API
 * version it speaks.
 */
void
haven_backend_check_async (HavenBackend        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) message = NULL;

  g_return_if_fail (HAVEN_IS_BACKEND (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_backend_check_async);

  message = haven_backend_new_message (self, SOUP_METHOD_GET, HAVEN_API_HEALTH_PATH);
  g_task_set_task_data (task, g_object_ref (message), g_object_unref);

  haven_backend_send_async (self, message, cancellable, check_sent_cb, g_steal_pointer (&task));
}

/**
 * haven_backend_check_finish:
 * @api_version: (out) (optional): the API version the backend speaks
 *
 * Returns: %TRUE when the backend answered its health check
 */
gboolean
haven_backend_check_finish (HavenBackend  *self,
                            GAsyncResult  *result,
                            gint64        *api_version,
                            GError       **error)
{
  gssize version;

  g_return_val_if_fail (HAVEN_IS_BACKEND (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == haven_backend_check_async, FALSE);

  version = g_task_propagate_int (G_TASK (result), error);
  if (version < 0)
    return FALSE;

  if (api_version != NULL)
    *api_version = version;

  return TRUE;
}
