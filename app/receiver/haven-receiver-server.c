/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver-server"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "haven-receiver-server.h"

/* The reference backend of API.md: one SoupServer that answers the kiosk.
 * Integrators start from here, so the rules it keeps are the ones a real
 * backend must keep too: TLS unless on loopback for tests, a client
 * certificate checked against the organisation's own CA when asked for, and
 * never a request body in a log. */

/* The API version this receiver speaks, as /v1/health reports it. */
#define API_VERSION 1

struct _HavenReceiverServer
{
  GObject parent_instance;

  SoupServer *server;
  HavenReceiverStore *store;
  GTlsCertificate *tls_certificate;
  GTlsDatabase *client_ca;

  gboolean require_client_certificate;
};

G_DEFINE_FINAL_TYPE (HavenReceiverServer, haven_receiver_server, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-receiver-server-error-quark, haven_receiver_server_error)

enum {
  PROP_0,
  PROP_STORE,
  PROP_TLS_CERTIFICATE,
  PROP_CLIENT_CA,
  PROP_REQUIRE_CLIENT_CERTIFICATE,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

static void
send_json (SoupServerMessage *message,
           guint              status,
           JsonNode          *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  char *text;
  gsize length = 0;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);

  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_TAKE, text, length);
}

/* Error bodies are for programs and the logs of integrators, as API.md
 * shows them, so they are not translated. */
static void
send_error (SoupServerMessage *message,
            guint              status,
            const char        *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  send_json (message, status, root);
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
health_cb (SoupServer        *server,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  /* A handler also gets every path below its own. */
  if (!g_str_equal (path, "/v1/health"))
    {
      send_error (message, SOUP_STATUS_NOT_FOUND, "not found");
      return;
    }

  if (!require_method (message, "GET, HEAD"))
    return;

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ok");
  json_builder_set_member_name (builder, "api");
  json_builder_add_int_value (builder, API_VERSION);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  send_json (message, SOUP_STATUS_OK, root);
}

static void
not_found_cb (SoupServer        *server,
              SoupServerMessage *message,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  send_error (message, SOUP_STATUS_NOT_FOUND, "not found");
}

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
  /* Method, path and status only: bodies and queries may hold what a
   * visitor wrote. */
  g_debug ("%s %s %u",
           soup_server_message_get_method (message),
           g_uri_get_path (soup_server_message_get_uri (message)),
           soup_server_message_get_status (message));
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

  soup_server_add_handler (self->server, "/v1/health", health_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, not_found_cb, self, NULL);
}

static void
haven_receiver_server_dispose (GObject *object)
{
  HavenReceiverServer *self = HAVEN_RECEIVER_SERVER (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_object (&self->store);
  g_clear_object (&self->tls_certificate);
  g_clear_object (&self->client_ca);

  G_OBJECT_CLASS (haven_receiver_server_parent_class)->dispose (object);
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

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
haven_receiver_server_init (HavenReceiverServer *self)
{
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

  soup_server_disconnect (self->server);
}
