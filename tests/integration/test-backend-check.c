/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-backend-check"

#include "config.h"

#include <string.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gio.h>
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>

#include "haven-backend.h"
#include "haven-sealed-box.h"
#include "haven-tls-pin.h"
#include "receiver-process.h"

/* The backend check against a real haven-receiver over TLS on 127.0.0.1,
 * with a PKI that tests/make-pki.sh makes for this run. Each case pins one
 * outcome an operator can meet, by its HavenBackendError code, because
 * that code is what chooses the words they read. Nothing here talks to any
 * host but 127.0.0.1. */

typedef enum {
  RECEIVER_NONE,
  RECEIVER_TLS,
  RECEIVER_MUTUAL_TLS,
  RECEIVER_INSECURE_HTTP,
} ReceiverMode;

typedef struct {
  ReceiverProcess *receiver;
  /* The receiver's base URL. */
  const char *url;

  GSettingsBackend *settings_backend;
  GSettings *settings;
} Fixture;

static void
start_receiver (Fixture      *fixture,
                ReceiverMode  mode)
{
  g_autofree char *ca = work_path ("ca.pem");
  const char * const mutual_tls[] = { "--ca", ca, "--require-client-cert", NULL };
  const char * const insecure_http[] = { "--insecure-http", NULL };
  const char *scheme = "https://127.0.0.1:";

  switch (mode)
    {
    case RECEIVER_TLS:
      fixture->receiver = receiver_process_start_tls (NULL);
      break;

    case RECEIVER_MUTUAL_TLS:
      fixture->receiver = receiver_process_start_tls (mutual_tls);
      break;

    case RECEIVER_INSECURE_HTTP:
      fixture->receiver = receiver_process_start (insecure_http);
      scheme = "http://127.0.0.1:";
      break;

    case RECEIVER_NONE:
    default:
      g_assert_not_reached ();
    }

  fixture->url = fixture->receiver->url;
  g_assert_true (g_str_has_prefix (fixture->url, scheme));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  ReceiverMode mode = GPOINTER_TO_INT (user_data);

  /* A memory backend of its own per case, so no setting leaks from one
   * case into the next. */
  fixture->settings_backend = g_memory_settings_backend_new ();
  fixture->settings = g_settings_new_with_backend (APP_ID, fixture->settings_backend);
  /* A hung check fails the case in seconds rather than at meson's timeout. */
  g_settings_set_uint (fixture->settings, "request-timeout", 10);

  if (mode != RECEIVER_NONE)
    start_receiver (fixture, mode);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_pointer (&fixture->receiver, receiver_process_stop);
  fixture->url = NULL;
  g_clear_object (&fixture->settings);
  g_clear_object (&fixture->settings_backend);
}

static void
set_file_setting (GSettings  *settings,
                  const char *key,
                  const char *pki_name)
{
  g_autofree char *path = pki_name != NULL ? work_path (pki_name) : g_strdup ("");

  g_settings_set_string (settings, key, path);
}

/* The settings of a kiosk that trusts the test CA and talks to @url. */
static void
configure (GSettings  *settings,
           const char *url,
           const char *ca_name)
{
  g_settings_set_string (settings, "backend-url", url);
  set_file_setting (settings, "ca-file", ca_name);
}

/* Runs the check exactly as havenctl and the operator screen do, on the
 * main context, and returns what haven_backend_check_finish() says. */
static gboolean
run_check (GSettings  *settings,
           gint64     *api_version,
           GError    **error)
{
  g_autoptr(HavenBackend) backend = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  backend = haven_backend_new_from_settings (settings, error);
  if (backend == NULL)
    return FALSE;

  haven_backend_check_async (backend, NULL, store_result_cb, &result);

  return haven_backend_check_finish (backend, wait_for_result (&result), api_version, error);
}

static void
assert_reachable (GSettings *settings)
{
  g_autoptr(GError) error = NULL;
  gint64 api_version = 0;

  g_assert_true (run_check (settings, &api_version, &error));
  g_assert_no_error (error);
  g_assert_cmpint (api_version, ==, 1);
}

/* Asserts that the check fails with @code and returns the message, which
 * is what the operator reads. */
static char *
assert_check_fails (GSettings *settings,
                    int        code)
{
  g_autoptr(GError) error = NULL;
  gint64 api_version = -1;

  g_assert_false (run_check (settings, &api_version, &error));
  g_assert_error (error, HAVEN_BACKEND_ERROR, code);
  /* A failed check leaves the out value alone. */
  g_assert_cmpint (api_version, ==, -1);
  g_test_message ("error: %s", error->message);

  return g_strdup (error->message);
}

static void
test_reachable (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(HavenBackend) backend = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url_with_slash = g_strconcat (fixture->url, "/", NULL);

  configure (fixture->settings, fixture->url, "ca.pem");
  assert_reachable (fixture->settings);

  /* A trailing slash names the same backend. */
  configure (fixture->settings, url_with_slash, "ca.pem");
  backend = haven_backend_new_from_settings (fixture->settings, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (haven_backend_get_base_url (backend), ==, fixture->url);
  assert_reachable (fixture->settings);
}

static void
test_connection_refused (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", find_free_port ());
  g_autofree char *message = NULL;

  configure (fixture->settings, url, "ca.pem");
  message = assert_check_fails (fixture->settings, HAVEN_BACKEND_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (message, url));
}

/* A server that speaks only TLS 1.0 or 1.1 (OpenSSL's s_server, at the
 * security level that still allows them) is refused after the handshake,
 * before a byte of the request is sent. */
static void
test_old_tls_refused (Fixture       *fixture,
                      gconstpointer  user_data)
{
  const char *versions[][2] = { { "-tls1", "TLS 1.0" }, { "-tls1_1", "TLS 1.1" } };

  for (gsize i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      guint16 port = find_free_port ();
      g_autofree char *accept = g_strdup_printf ("127.0.0.1:%u", port);
      g_autofree char *url = g_strdup_printf ("https://%s", accept);
      g_autofree char *certificate = work_path ("server.pem");
      g_autofree char *key = work_path ("server-key.pem");
      g_autoptr(GSubprocess) server = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *message = NULL;
      gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

      server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                 &error, "openssl", "s_server", "-accept", accept, versions[i][0],
                                 "-cipher", "DEFAULT@SECLEVEL=0", "-cert", certificate,
                                 "-key", key, "-www", NULL);
      g_assert_no_error (error);

      /* Listening once a connection is taken. */
      for (;;)
        {
          g_autoptr(GSocketClient) client = g_socket_client_new ();
          g_autoptr(GSocketConnection) probe = NULL;

          probe = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
          if (probe != NULL)
            break;
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_usleep (50000);
        }

      configure (fixture->settings, url, "ca.pem");
      message = assert_check_fails (fixture->settings, HAVEN_BACKEND_ERROR_TLS);
      g_assert_nonnull (strstr (message, versions[i][1]));
      g_assert_nonnull (strstr (message, "TLS 1.2 or later"));

      g_subprocess_force_exit (server);
      g_subprocess_wait (server, NULL, NULL);
    }
}

static void
test_untrusted_certificate (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autofree char *message = NULL;

  configure (fixture->settings, fixture->url, "other-ca.pem");
  message = assert_check_fails (fixture->settings, HAVEN_BACKEND_ERROR_UNTRUSTED_CERTIFICATE);
  /* The operator is told where to look. */
  g_assert_nonnull (strstr (message, "ca-file"));
}

static void
test_pin_mismatch (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *other_pin = pin_for_key_file ("other-key.pem");
  g_autofree char *server_pin = pin_for_key_file ("server-key.pem");
  g_autofree char *message = NULL;
  const char *pins[] = { other_pin, NULL };

  configure (fixture->settings, fixture->url, "ca.pem");
  g_settings_set_strv (fixture->settings, "pinned-keys", pins);

  /* The chain is trusted; only the pin is wrong. */
  message = assert_check_fails (fixture->settings, HAVEN_BACKEND_ERROR_PIN_MISMATCH);
  /* The message names the key the backend presented, so the operator can
   * tell a rotation they forgot from an impostor. */
  g_assert_nonnull (strstr (message, server_pin));
}

static void
test_pin_match (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *server_pin = pin_for_key_file ("server-key.pem");
  g_autofree char *other_pin = pin_for_key_file ("other-key.pem");
  g_autofree char *certificate_path = work_path ("server.pem");
  g_autofree char *certificate_pin = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  const char *pins[] = { server_pin, NULL };
  const char *rotation[] = { other_pin, server_pin, NULL };

  /* Our pin of the certificate and openssl's pin of its key agree. */
  certificate = g_tls_certificate_new_from_file (certificate_path, &error);
  g_assert_no_error (error);
  certificate_pin = haven_tls_pin_for_certificate (certificate, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (certificate_pin, ==, server_pin);

  configure (fixture->settings, fixture->url, "ca.pem");
  g_settings_set_strv (fixture->settings, "pinned-keys", pins);
  assert_reachable (fixture->settings);

  /* During a key rotation both keys are listed; either one passes. */
  g_settings_set_strv (fixture->settings, "pinned-keys", rotation);
  assert_reachable (fixture->settings);
}

static void
test_http_status (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autofree char *url = g_strconcat (fixture->url, "/not-the-api", NULL);
  g_autofree char *message = NULL;

  /* The receiver answers /not-the-api/v1/health with 404. */
  configure (fixture->settings, url, "ca.pem");
  message = assert_check_fails (fixture->settings, HAVEN_BACKEND_ERROR_HTTP_STATUS);
  g_assert_nonnull (strstr (message, "404"));
}

static void
test_mutual_tls_without_certificate (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  configure (fixture->settings, fixture->url, "ca.pem");

  /* With TLS 1.3 the client's side of the handshake completes before the
   * server has looked at the client's (empty) certificate; the server's
   * refusal then arrives as a TLS alert on the first read, which
   * glib-networking reports in the G_TLS_ERROR domain. HavenBackend turns
   * that into HAVEN_BACKEND_ERROR_TLS, never into a transient
   * "unreachable", because retrying will not help until the kiosk has a
   * certificate. */
  g_free (assert_check_fails (fixture->settings, HAVEN_BACKEND_ERROR_TLS));
}

static void
test_mutual_tls_foreign_certificate (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_autofree char *foreign_message = NULL;
  g_autofree char *server_message = NULL;

  configure (fixture->settings, fixture->url, "ca.pem");

  /* A certificate the receiver's --ca did not sign is refused. The
   * receiver rejects it after our side of the TLS 1.3 handshake has
   * completed and closes the connection, so the kiosk sees a reset before
   * any answer; HavenBackend reports that as TLS, naming the client
   * certificate, rather than as an unreachable backend. */
  set_file_setting (fixture->settings, "client-certificate-file", "other-client.pem");
  set_file_setting (fixture->settings, "client-key-file", "other-client-key.pem");
  foreign_message = assert_check_fails (fixture->settings, HAVEN_BACKEND_ERROR_TLS);
  g_assert_nonnull (strstr (foreign_message, "client certificate"));

  /* So is one the right CA signed for another purpose: the server's own. */
  set_file_setting (fixture->settings, "client-certificate-file", "server.pem");
  set_file_setting (fixture->settings, "client-key-file", "server-key.pem");
  server_message = assert_check_fails (fixture->settings, HAVEN_BACKEND_ERROR_TLS);
  g_assert_nonnull (strstr (server_message, "client certificate"));
}

static void
test_mutual_tls_with_certificate (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  configure (fixture->settings, fixture->url, "ca.pem");
  set_file_setting (fixture->settings, "client-certificate-file", "client.pem");
  set_file_setting (fixture->settings, "client-key-file", "client-key.pem");
  assert_reachable (fixture->settings);
}

static void
assert_insecure_url (GSettings  *settings,
                     const char *url)
{
  g_autoptr(HavenBackend) backend = NULL;
  g_autoptr(GError) error = NULL;

  g_settings_set_string (settings, "backend-url", url);
  /* Refused while the settings are read, before any connection exists. */
  backend = haven_backend_new_from_settings (settings, &error);
  g_assert_error (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_INSECURE_URL);
  g_assert_null (backend);
}

static void
test_insecure_url (Fixture       *fixture,
                   gconstpointer  user_data)
{
  assert_insecure_url (fixture->settings, "http://example.org");
  assert_insecure_url (fixture->settings, "ftp://example.org");

  /* allow-insecure-loopback opens loopback only, never another host. */
  g_settings_set_boolean (fixture->settings, "allow-insecure-loopback", TRUE);
  assert_insecure_url (fixture->settings, "http://example.org");
  assert_insecure_url (fixture->settings, "http://127.0.0.2.example.org");
}

static void
test_insecure_loopback (Fixture       *fixture,
                        gconstpointer  user_data)
{
  /* Plain HTTP to the receiver's --insecure-http mode: refused by default,
   * and allowed only with allow-insecure-loopback. */
  assert_insecure_url (fixture->settings, fixture->url);

  g_settings_set_boolean (fixture->settings, "allow-insecure-loopback", TRUE);
  configure (fixture->settings, fixture->url, NULL);
  assert_reachable (fixture->settings);
}

/* havenctl reads the real settings, not our memory backend: it gets a
 * keyfile of its own, written here through GSettings with the same backend
 * it will use. */
typedef struct {
  char *config_home;
  GSettings *settings;
} HavenctlSettings;

static void
havenctl_settings_init (HavenctlSettings *ctl)
{
  static guint count;
  g_autofree char *name = g_strdup_printf ("config-%u", ++count);

  ctl->config_home = work_path (name);
  ctl->settings = keyfile_settings_new (ctl->config_home);
}

static void
havenctl_settings_clear (HavenctlSettings *ctl)
{
  g_clear_object (&ctl->settings);
  g_clear_pointer (&ctl->config_home, g_free);
}

/* A backend-public-key of a key pair made for the case. */
static char *
make_public_key (void)
{
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 secret_key[HAVEN_SEALED_BOX_KEY_BYTES];

  haven_sealed_box_generate_key_pair (public_key, secret_key);
  return haven_sealed_box_encode_key (public_key);
}

static void
test_havenctl_reachable (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autofree char *public_key = NULL;
  const char * const arguments[] = { "backend", "check", NULL };
  HavenctlSettings ctl = { NULL, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  int status = -1;

  havenctl_settings_init (&ctl);
  configure (ctl.settings, fixture->url, "ca.pem");
  public_key = make_public_key ();
  g_settings_set_string (ctl.settings, "backend-public-key", public_key);
  status = run_havenctl (ctl.config_home, arguments, &out, &err);

  expected = g_strdup_printf ("Backend reachable: %s (API version 1)\n"
                              "Sealing: Sealed for the backend\n", fixture->url);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpstr (err, ==, "");

  havenctl_settings_clear (&ctl);
}

/* Reachable, but the kiosk would refuse every request, or keep them
 * unsealed: the check says which, and fails only when they are refused. */
static void
test_havenctl_sealing (Fixture       *fixture,
                       gconstpointer  user_data)
{
  const char * const arguments[] = { "backend", "check", NULL };
  HavenctlSettings ctl = { NULL, NULL };
  g_autofree char *reachable = NULL;
  int status = -1;
  struct {
    const char *public_key;
    gboolean allow_unsealed;
    const char *sealing;
    int status;
  } cases[] = {
    { "", FALSE,
      "Sealing: NOT sealed: requests are refused until a backend key is set "
      "(backend-public-key)\n", 1 },
    { "", TRUE,
      "Sealing: Not sealed: allowed by setting (allow-unsealed-outbox). Requests are kept in "
      "plain text on this kiosk\n", 0 },
    { "c2hvcnQ=", TRUE,
      "Sealing: NOT sealed: the backend-public-key setting is not usable (", 1 },
  };

  havenctl_settings_init (&ctl);
  configure (ctl.settings, fixture->url, "ca.pem");
  reachable = g_strdup_printf ("Backend reachable: %s (API version 1)\n", fixture->url);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_settings_set_string (ctl.settings, "backend-public-key", cases[i].public_key);
      g_settings_set_boolean (ctl.settings, "allow-unsealed-outbox", cases[i].allow_unsealed);
      status = run_havenctl (ctl.config_home, arguments, &out, &err);

      g_assert_cmpint (status, ==, cases[i].status);
      g_assert_true (g_str_has_prefix (out, reachable));
      g_assert_true (g_str_has_prefix (out + strlen (reachable), cases[i].sealing));
      g_assert_cmpstr (err, ==, "");
    }

  havenctl_settings_clear (&ctl);
}

static void
test_havenctl_untrusted (Fixture       *fixture,
                         gconstpointer  user_data)
{
  const char * const arguments[] = { "backend", "check", NULL };
  HavenctlSettings ctl = { NULL, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = -1;

  havenctl_settings_init (&ctl);
  configure (ctl.settings, fixture->url, "other-ca.pem");
  status = run_havenctl (ctl.config_home, arguments, &out, &err);

  /* One line, on stderr, that starts the same way whatever the cause;
   * the sealing state on stdout all the same. */
  g_assert_cmpint (status, ==, 1);
  g_assert_true (g_str_has_prefix (out, "Sealing: NOT sealed"));
  g_assert_true (g_str_has_prefix (err, "Backend not reachable: TLS error: "));
  g_assert_nonnull (strstr (err, "ca-file"));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);

  havenctl_settings_clear (&ctl);
}

static void
test_havenctl_not_configured (Fixture       *fixture,
                              gconstpointer  user_data)
{
  const char * const arguments[] = { "backend", "check", NULL };
  HavenctlSettings ctl = { NULL, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = -1;

  /* Nothing set at all: the message names the setting to fill in. */
  havenctl_settings_init (&ctl);
  status = run_havenctl (ctl.config_home, arguments, &out, &err);

  g_assert_cmpint (status, ==, 1);
  g_assert_true (g_str_has_prefix (out, "Sealing: NOT sealed"));
  g_assert_nonnull (strstr (err, "backend-url"));

  havenctl_settings_clear (&ctl);
}

static void
test_havenctl_usage (Fixture       *fixture,
                     gconstpointer  user_data)
{
  const char * const unknown[] = { "backend", "frobnicate", NULL };
  const char * const extra[] = { "backend", "check", "now", NULL };
  const char * const help[] = { "help", NULL };
  HavenctlSettings ctl = { NULL, NULL };
  int status = -1;

  havenctl_settings_init (&ctl);

  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    status = run_havenctl (ctl.config_home, unknown, &out, &err);
    g_assert_cmpint (status, ==, 2);
    g_assert_nonnull (strstr (err, "backend frobnicate"));
  }

  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    status = run_havenctl (ctl.config_home, extra, &out, &err);
    g_assert_cmpint (status, ==, 2);
  }

  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    status = run_havenctl (ctl.config_home, help, &out, &err);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (out, "backend check"));
  }

  havenctl_settings_clear (&ctl);
}

static void
add_case (const char   *name,
          ReceiverMode  mode,
          void        (*test) (Fixture *, gconstpointer))
{
  g_autofree char *path = g_strconcat ("/haven/backend-check/", name, NULL);

  g_test_add (path, Fixture, GINT_TO_POINTER (mode), fixture_set_up, test, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  work_dir_init ("backend-check");
  g_test_init (&argc, &argv, NULL);

  add_case ("reachable", RECEIVER_TLS, test_reachable);
  add_case ("connection-refused", RECEIVER_NONE, test_connection_refused);
  add_case ("untrusted-certificate", RECEIVER_TLS, test_untrusted_certificate);
  add_case ("old-tls-refused", RECEIVER_TLS, test_old_tls_refused);
  add_case ("pin-mismatch", RECEIVER_TLS, test_pin_mismatch);
  add_case ("pin-match", RECEIVER_TLS, test_pin_match);
  add_case ("http-status", RECEIVER_TLS, test_http_status);
  add_case ("mutual-tls-without-certificate", RECEIVER_MUTUAL_TLS,
            test_mutual_tls_without_certificate);
  add_case ("mutual-tls-foreign-certificate", RECEIVER_MUTUAL_TLS,
            test_mutual_tls_foreign_certificate);
  add_case ("mutual-tls-with-certificate", RECEIVER_MUTUAL_TLS,
            test_mutual_tls_with_certificate);
  add_case ("insecure-url", RECEIVER_NONE, test_insecure_url);
  add_case ("insecure-loopback", RECEIVER_INSECURE_HTTP, test_insecure_loopback);
  add_case ("havenctl-reachable", RECEIVER_TLS, test_havenctl_reachable);
  add_case ("havenctl-sealing", RECEIVER_TLS, test_havenctl_sealing);
  add_case ("havenctl-untrusted", RECEIVER_TLS, test_havenctl_untrusted);
  add_case ("havenctl-not-configured", RECEIVER_NONE, test_havenctl_not_configured);
  add_case ("havenctl-usage", RECEIVER_NONE, test_havenctl_usage);

  status = g_test_run ();
  work_dir_remove ();

  return status;
}
