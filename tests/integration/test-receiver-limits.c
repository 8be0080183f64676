/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receiver-limits"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gnetworking.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "receiver-process.h"

/* haven-receiver against clients that take too much: each limit of
 * `haven-receiver --help` shown to hold, by a client that would get
 * through without it. Clients speak HTTP on raw sockets, so that they can
 * misbehave, and come from other loopback addresses (127.0.0.2 and up, as
 * an attacker's would be) by binding their sockets there; Linux routes the
 * whole of 127.0.0.0/8 to lo without any set-up. */

#define TOKEN "limits-token-1"
#define HEALTH_PATH "/v1/health"
#define REMOVAL_PATH "/v1/removal-requests"
#define MIB (1024 * 1024)

/* The request a well-behaved client sends, keeping the connection. */
#define HEALTH_REQUEST \
  "GET " HEALTH_PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " TOKEN "\r\n\r\n"

static guint16
get_port (ReceiverProcess *receiver)
{
  g_autoptr(GUri) uri = g_uri_parse (receiver->url, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  return (guint16) g_uri_get_port (uri);
}

static GPid
get_pid (ReceiverProcess *receiver)
{
  return (GPid) g_ascii_strtoll (g_subprocess_get_identifier (receiver->process), NULL, 10);
}

/* A field of /proc/PID/status, in kB. */
static guint64
read_status_kb (GPid        pid,
                const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *contents = NULL;
  g_autofree char *prefix = g_strconcat ("\n", field, ":", NULL);
  g_autoptr(GError) error = NULL;
  const char *line;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  line = strstr (contents, prefix);
  g_assert_nonnull (line);

  return g_ascii_strtoull (line + strlen (prefix), NULL, 10);
}

static guint
count_descriptors (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int) pid);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  guint count = 0;

  dir = g_dir_open (path, 0, &error);
  g_assert_no_error (error);
  while (g_dir_read_name (dir) != NULL)
    count++;

  return count;
}

/* A TCP connection to the receiver from @local_address. */
static GSocket *
connect_from (const char *local_address,
              guint16     port)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) local = g_inet_address_new_from_string (local_address);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) local_socket_address = g_inet_socket_address_new (local, 0);
  g_autoptr(GSocketAddress) remote = g_inet_socket_address_new (loopback, port);
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, local_socket_address, FALSE, &error);
  g_assert_no_error (error);
  g_socket_connect (socket, remote, NULL, &error);
  g_assert_no_error (error);
  /* No test waits on one call longer than this. */
  g_socket_set_timeout (socket, 10 * test_slowdown ());

  return g_steal_pointer (&socket);
}

static gboolean
send_all (GSocket    *socket,
          const char *data,
          gsize       length)
{
  while (length > 0)
    {
      gssize sent = g_socket_send (socket, data, length, NULL, NULL);

      if (sent <= 0)
        return FALSE;
      data += sent;
      length -= (gsize) sent;
    }

  return TRUE;
}

/* Reads an answer for at most @timeout_ms: its status, 0 when the
 * connection ended (or was reset) without one, -1 when nothing came in
 * time. Reads the whole answer when it has a Content-Length, so that the
 * connection can be used again. */
static int
read_answer_status (GSocket *socket,
                    guint    timeout_ms)
{
  g_autoptr(GString) answer = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000 * test_slowdown ();

  for (;;)
    {
      char buffer[4096];
      gint64 left = deadline - g_get_monotonic_time ();
      const char *end;
      gssize received;

      end = strstr (answer->str, "\r\n\r\n");
      if (end != NULL)
        {
          const char *length_field = strstr (answer->str, "Content-Length: ");
          gsize body_length = length_field != NULL
                              ? g_ascii_strtoull (length_field + 16, NULL, 10) : 0;

          if (answer->len >= (gsize) (end + 4 - answer->str) + body_length)
            return (int) g_ascii_strtoull (answer->str + strlen ("HTTP/1.1 "), NULL, 10);
        }

      if (left <= 0)
        return -1;
      if (!g_socket_condition_timed_wait (socket, G_IO_IN, left, NULL, NULL))
        return -1;
      received = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL);
      if (received <= 0)
        return answer->len > 0
               ? (int) g_ascii_strtoull (answer->str + strlen ("HTTP/1.1 "), NULL, 10)
               : 0;
      g_string_append_len (answer, buffer, received);
    }
}

/* One request on a new connection from @local_address; its status as
 * read_answer_status() gives it. */
static int
exchange (const char *local_address,
          guint16     port,
          const char *request,
          guint       timeout_ms)
{
  g_autoptr(GSocket) socket = connect_from (local_address, port);

  if (!send_all (socket, request, strlen (request)))
    return 0;

  return read_answer_status (socket, timeout_ms);
}

/* Whether the connection is ended by the receiver within @timeout_ms. */
static gboolean
wait_for_close (GSocket *socket,
                guint    timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000 * test_slowdown ();

  for (;;)
    {
      char buffer[4096];
      gint64 left = deadline - g_get_monotonic_time ();
      gssize received;

      if (left <= 0 || !g_socket_condition_timed_wait (socket, G_IO_IN, left, NULL, NULL))
        return FALSE;
      received = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL);
      if (received <= 0)
        return TRUE;
    }
}

static char *
write_tokens (void)
{
  g_autofree char *path = work_path ("tokens");
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, TOKEN "\n", -1, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&path);
}

/* Waits, at most 5 s, until @local_address is served again once it closed
 * a connection, which the receiver learns a moment later. */
static void
assert_served_soon (const char *local_address,
                    guint16     port)
{
  gint64 deadline = g_get_monotonic_time () + 5 * test_slowdown () * G_USEC_PER_SEC;

  while (exchange (local_address, port, HEALTH_REQUEST, 1000) != 200)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50000);
    }
}

static void
test_connections_per_address (void)
{
  g_autofree char *tokens = write_tokens ();
  const char * const options[] = {
    "--insecure-http", "--token-file", tokens, "--threads", "1",
    "--max-connections-per-address", "3", NULL
  };
  ReceiverProcess *receiver = receiver_process_start (options);
  guint16 port = get_port (receiver);
  GSocket *held[3];

  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    held[i] = connect_from ("127.0.0.2", port);

  /* A fourth from the same address is not served... */
  g_assert_cmpint (exchange ("127.0.0.2", port, HEALTH_REQUEST, 1500), <=, 0);
  /* ...while another address is, */
  g_assert_cmpint (exchange ("127.0.0.1", port, HEALTH_REQUEST, 5000), ==, 200);
  /* and the first again once one of its connections is gone. */
  g_object_unref (held[0]);
  assert_served_soon ("127.0.0.2", port);

  for (guint i = 1; i < G_N_ELEMENTS (held); i++)
    g_object_unref (held[i]);
  receiver_process_stop (receiver);
}

static void
test_connections_total (void)
{
  g_autofree char *tokens = write_tokens ();
  const char * const options[] = {
    "--insecure-http", "--token-file", tokens, "--threads", "1", "--max-connections", "4",
    NULL
  };
  ReceiverProcess *receiver = receiver_process_start (options);
  guint16 port = get_port (receiver);
  const char * const addresses[] = { "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5" };
  GSocket *held[G_N_ELEMENTS (addresses)];

  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    held[i] = connect_from (addresses[i], port);

  /* Four are open, from four addresses: a fifth is not served. */
  g_assert_cmpint (exchange ("127.0.0.6", port, HEALTH_REQUEST, 1500), <=, 0);
  g_object_unref (held[0]);
  assert_served_soon ("127.0.0.6", port);

  for (guint i = 1; i < G_N_ELEMENTS (held); i++)
    g_object_unref (held[i]);
  receiver_process_stop (receiver);
}

/* A connection that opens TCP and never sends a ClientHello is closed
 * after --timeout, and so is an idle keep-alive connection. */
static void
test_timeout (void)
{
  g_autofree char *tokens = write_tokens ();
  const char * const tls_options[] = { "--token-file", tokens, "--timeout", "2", NULL };
  const char * const http_options[] = {
    "--insecure-http", "--token-file", tokens, "--timeout", "2", NULL
  };
  ReceiverProcess *receiver = receiver_process_start_tls (tls_options);
  g_autoptr(GSocket) silent = connect_from ("127.0.0.2", get_port (receiver));
  g_autoptr(GSocket) idle = NULL;
  gint64 start = g_get_monotonic_time ();
  double seconds;

  g_assert_true (wait_for_close (silent, 8000));
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_test_message ("a connection without a TLS handshake was closed after %.2f s", seconds);
  g_assert_cmpfloat (seconds, >=, 1.5);
  receiver_process_stop (receiver);

  receiver = receiver_process_start (http_options);
  idle = connect_from ("127.0.0.2", get_port (receiver));
  g_assert_true (send_all (idle, HEALTH_REQUEST, strlen (HEALTH_REQUEST)));
  g_assert_cmpint (read_answer_status (idle, 5000), ==, 200);
  start = g_get_monotonic_time ();
  g_assert_true (wait_for_close (idle, 8000));
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_test_message ("an idle keep-alive connection was closed after %.2f s", seconds);
  g_assert_cmpfloat (seconds, >=, 1.5);
  receiver_process_stop (receiver);
}

/* Streams up to 1 GiB of body to @path and returns how much was sent
 * before the receiver stopped taking it; *@max_rss_kb is the receiver's
 * largest VmRSS meanwhile. */
static guint64
stream_body (ReceiverProcess *receiver,
             const char      *method,
             const char      *path,
             gboolean         chunked,
             gboolean         authorised,
             guint64         *max_rss_kb,
             int             *status)
{
  g_autoptr(GSocket) socket = connect_from ("127.0.0.2", get_port (receiver));
  g_autofree char *block = g_malloc (MIB);
  g_autofree char *headers = NULL;
  const guint64 total = 1024 * (guint64) MIB;
  guint64 sent = 0;

  memset (block, 'a', MIB);
  headers = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s"
                             "Content-Type: application/json\r\n"
                             "Idempotency-Key: 3f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b\r\n%s\r\n",
                             method, path,
                             authorised ? "Authorization: Bearer " TOKEN "\r\n" : "",
                             chunked ? "Transfer-Encoding: chunked\r\n"
                                     : "Content-Length: 1073741824\r\n");
  g_assert_true (send_all (socket, headers, strlen (headers)));

  /* The receiver may answer at once and close, or read a little first:
   * either way, sending fails long before 1 GiB. */
  while (sent < total)
    {
      gboolean ok;

      if (chunked)
        ok = send_all (socket, "100000\r\n", 8) && send_all (socket, block, MIB) &&
             send_all (socket, "\r\n", 2);
      else
        ok = send_all (socket, block, MIB);
      if (!ok)
        break;
      sent += MIB;

      if (sent % (16 * MIB) == 0)
        *max_rss_kb = MAX (*max_rss_kb, read_status_kb (get_pid (receiver), "VmRSS"));
    }
  *max_rss_kb = MAX (*max_rss_kb, read_status_kb (get_pid (receiver), "VmRSS"));
  *status = read_answer_status (socket, 2000);

  return sent;
}

/* Bodies are capped before they are read, on every path: 1 GiB sent to a
 * path that takes none, or to a submission endpoint, costs the receiver
 * no memory to speak of. */
static void
test_body_cap (void)
{
  g_autofree char *tokens = write_tokens ();
  const char * const options[] = { "--insecure-http", "--token-file", tokens, NULL };
  ReceiverProcess *receiver = receiver_process_start (options);
  struct {
    const char *method;
    const char *path;
    gboolean authorised;
  } targets[] = {
    { "POST", "/no-such-path", FALSE },
    { "PUT", "/no-such-path", FALSE },
    { "POST", HEALTH_PATH, FALSE },
    { "GET", HEALTH_PATH, FALSE },
    { "GET", HEALTH_PATH, TRUE },
    { "POST", REMOVAL_PATH, FALSE },
    /* Authorised, so the body is read: up to the cap. */
    { "POST", REMOVAL_PATH, TRUE },
  };
  guint64 idle_kb;
  guint64 max_rss_kb = 0;

  /* Idle once it has served a request, as it would be. */
  g_assert_cmpint (exchange ("127.0.0.1", get_port (receiver), HEALTH_REQUEST, 5000), ==, 200);
  idle_kb = read_status_kb (get_pid (receiver), "VmRSS");

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      for (int chunked = 0; chunked <= 1; chunked++)
        {
          int status = -1;
          guint64 sent = stream_body (receiver, targets[i].method, targets[i].path, chunked,
                                      targets[i].authorised, &max_rss_kb, &status);

          g_test_message ("%s %s%s, %s: %" G_GUINT64_FORMAT " MiB sent before the receiver "
                          "stopped it, answer %d", targets[i].method, targets[i].path,
                          targets[i].authorised ? " with a token" : "",
                          chunked ? "chunked" : "Content-Length: 1 GiB", sent / MIB, status);
          /* What the kernel's buffers take, not what the receiver read. */
          g_assert_cmpuint (sent, <, 64 * MIB);
          /* Answered 413 (or 401 to a client without a token), or cut. */
          g_assert_true (status == 413 || status == 401 || status <= 0);
        }
    }

  g_test_message ("receiver VmRSS: %" G_GUINT64_FORMAT " kB idle, %" G_GUINT64_FORMAT
                  " kB at most while bodies came, VmHWM %" G_GUINT64_FORMAT " kB",
                  idle_kb, max_rss_kb, read_status_kb (get_pid (receiver), "VmHWM"));
  g_assert_cmpuint (max_rss_kb, <, idle_kb + 10 * 1024);

  /* Still serving. */
  g_assert_cmpint (exchange ("127.0.0.1", get_port (receiver), HEALTH_REQUEST, 5000), ==, 200);
  receiver_process_stop (receiver);
}

/* Headers larger than --connection-memory are refused, not kept. */
static void
test_connection_memory (void)
{
  g_autofree char *tokens = write_tokens ();
  const char * const options[] = {
    "--insecure-http", "--token-file", tokens, "--connection-memory", "8192", NULL
  };
  ReceiverProcess *receiver = receiver_process_start (options);
  guint16 port = get_port (receiver);
  g_autofree char *padding = g_strnfill (16 * 1024, 'x');
  g_autofree char *large = g_strdup_printf ("GET " HEALTH_PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                            "Authorization: Bearer " TOKEN "\r\n"
                                            "X-Padding: %s\r\n\r\n", padding);
  int status;

  g_assert_cmpint (exchange ("127.0.0.1", port, HEALTH_REQUEST, 5000), ==, 200);
  status = exchange ("127.0.0.1", port, large, 5000);
  g_test_message ("16 KiB of headers: answer %d", status);
  g_assert_true (status == 431 || status == 0);
  receiver_process_stop (receiver);
}

/* Runs `openssl s_client` against the receiver; its exit status, with
 * what it printed in @output. With @input (a request), it waits for the
 * receiver to end the connection; without, it ends it once the handshake
 * is done. */
static int
run_s_client (ReceiverProcess    *receiver,
              const char * const *options,
              const char         *input,
              char              **output)
{
  g_autofree char *connect = g_strdup_printf ("127.0.0.1:%u", get_port (receiver));
  g_autofree char *ca = work_path ("ca.pem");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, (char *) "openssl");
  g_ptr_array_add (argv, (char *) "s_client");
  g_ptr_array_add (argv, (char *) "-connect");
  g_ptr_array_add (argv, connect);
  g_ptr_array_add (argv, (char *) "-CAfile");
  g_ptr_array_add (argv, ca);
  if (input[0] != '\0')
    g_ptr_array_add (argv, (char *) "-ign_eof");
  for (guint i = 0; options[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) options[i]);
  g_ptr_array_add (argv, NULL);

  client = g_subprocess_newv ((const char * const *) argv->pdata,
                              G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (client, input, NULL, &out, &err, &error);
  g_assert_no_error (error);
  *output = g_strconcat (out, err, NULL);

  return g_subprocess_get_exit_status (client);
}

/* TLS 1.0 and 1.1 are refused by the receiver itself: OpenSSL is told
 * to offer them (at the security level that still allows them), sends
 * its ClientHello, and the receiver ends the connection without a
 * handshake (libmicrohttpd sends no alert). */
static void
test_tls_versions (void)
{
  g_autofree char *tokens = write_tokens ();
  const char * const options[] = { "--token-file", tokens, NULL };
  ReceiverProcess *receiver = receiver_process_start_tls (options);
  const char * const tls1[] = { "-tls1", "-cipher", "DEFAULT@SECLEVEL=0", NULL };
  const char * const tls1_1[] = { "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", NULL };
  const char * const tls1_2[] = { "-tls1_2", NULL };
  const char * const tls1_3[] = { "-tls1_3", NULL };
  const char * const * const refused[] = { tls1, tls1_1 };
  const char * const * const accepted[] = { tls1_2, tls1_3 };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *output = NULL;

      g_autoptr(GRegex) wrote_hello = g_regex_new ("handshake has read 0 bytes and written "
                                                   "[1-9][0-9]* bytes", 0, 0, NULL);

      g_assert_cmpint (run_s_client (receiver, refused[i], "", &output), !=, 0);
      g_test_message ("openssl s_client %s: %s", refused[i][0], output);
      /* The server's refusal, not OpenSSL declining to try. */
      g_assert_true (g_regex_match (wrote_hello, output, 0, NULL));
      g_assert_nonnull (strstr (output, "Cipher is (NONE)"));
    }

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autofree char *output = NULL;

      g_assert_cmpint (run_s_client (receiver, accepted[i], "", &output), ==, 0);
      g_assert_nonnull (strstr (output, i == 0 ? "TLSv1.2" : "TLSv1.3"));
    }

  receiver_process_stop (receiver);
}

/* With --require-client-cert, only a certificate that --ca signed for
 * client authentication is served. */
static void
test_client_certificates (void)
{
  g_autofree char *ca = work_path ("ca.pem");
  const char * const options[] = { "--ca", ca, "--require-client-cert", NULL };
  ReceiverProcess *receiver = receiver_process_start_tls (options);
  const char *request = "GET " HEALTH_PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Connection: close\r\n\r\n";
  const char *pairs[][2] = {
    { "client.pem", "client-key.pem" },
    { "other-client.pem", "other-client-key.pem" },
    /* Signed by --ca, but for a server. */
    { "server.pem", "server-key.pem" },
    { NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autofree char *certificate = pairs[i][0] != NULL ? work_path (pairs[i][0]) : NULL;
      g_autofree char *key = pairs[i][1] != NULL ? work_path (pairs[i][1]) : NULL;
      const char * const with_certificate[] = { "-cert", certificate, "-key", key, NULL };
      const char * const without[] = { NULL };
      g_autofree char *output = NULL;

      run_s_client (receiver, certificate != NULL ? with_certificate : without, request,
                    &output);
      g_test_message ("client certificate %s: %s", pairs[i][0] != NULL ? pairs[i][0] : "none",
                      output);
      if (i == 0)
        g_assert_nonnull (strstr (output, "HTTP/1.1 200"));
      else
        g_assert_null (strstr (output, "HTTP/1.1 200"));
    }

  receiver_process_stop (receiver);
}

/* Guessing tokens from one address is answered 429 after a few wrong
 * ones, and logged without the token; another address is served at
 * once. */
static void
test_token_guesses (void)
{
  g_autofree char *tokens = write_tokens ();
  g_autofree char *log_path = work_path ("guesses.log");
  const char * const options[] = { "--insecure-http", "--token-file", tokens, NULL };
  ReceiverProcess *receiver = receiver_process_start_full (NULL, log_path, options);
  guint16 port = get_port (receiver);
  guint n_unauthorised = 0;
  guint n_too_many = 0;
  gint64 start;
  double seconds;
  g_autofree char *log = NULL;
  g_autoptr(GError) error = NULL;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *guess = g_strdup_printf ("GET " HEALTH_PATH " HTTP/1.1\r\n"
                                                "Host: 127.0.0.1\r\n"
                                                "Authorization: Bearer guess-%u\r\n\r\n", i);
      int status = exchange ("127.0.0.3", port, guess, 5000);

      if (status == 401)
        n_unauthorised++;
      else if (status == 429)
        n_too_many++;
      else
        g_error ("guess %u was answered %d", i, status);
    }
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_test_message ("50 wrong tokens in %.2f s: %u answered 401, %u answered 429",
                  seconds, n_unauthorised, n_too_many);
  /* Five wrong tokens are answered, then the address waits 1 s, 2 s,
   * 4 s…: one more is answered for each wait that ran out meanwhile. */
  g_assert_cmpuint (n_unauthorised, >=, 5);
  g_assert_cmpuint (n_unauthorised, <=, 5 + (seconds >= 1.0) + (seconds >= 3.0));
  g_assert_cmpuint (n_too_many, ==, 50 - n_unauthorised);

  /* The right token from the guessing address waits too... */
  g_assert_cmpint (exchange ("127.0.0.3", port, HEALTH_REQUEST, 5000), ==, 429);
  /* ...while another address is served at once. */
  start = g_get_monotonic_time ();
  g_assert_cmpint (exchange ("127.0.0.2", port, HEALTH_REQUEST, 1000), ==, 200);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_test_message ("the right token from another address was served in %.3f s", seconds);
  g_assert_cmpfloat (seconds, <, 1.0);

  receiver_process_stop (receiver);

  g_file_get_contents (log_path, &log, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (log, "wrong bearer token from 127.0.0.3 (5 in a row)"));
  g_assert_nonnull (strstr (log, "from 127.0.0.3 after"));
  g_assert_null (strstr (log, "guess-"));
}

/* Runs a receiver that must refuse to start, with @arguments as they
 * are; returns what it said. */
static char *
run_refused (const char * const *arguments)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) receiver = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  char *err = NULL;

  g_ptr_array_add (argv, (char *) require_env ("HAVEN_RECEIVER"));
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) arguments[i]);
  g_ptr_array_add (argv, NULL);

  receiver = g_subprocess_newv ((const char * const *) argv->pdata,
                                G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (receiver, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("haven-receiver said: %s", err);
  g_assert_true (g_subprocess_get_if_exited (receiver));
  g_assert_cmpint (g_subprocess_get_exit_status (receiver), ==, 1);
  g_assert_cmpstr (out, ==, "");

  return err;
}

/* Off loopback, a receiver without --token-file or --require-client-cert
 * would take submissions from anyone: it does not start. */
static void
test_off_loopback_needs_authentication (void)
{
  g_autofree char *certificate = work_path ("server.pem");
  g_autofree char *key = work_path ("server-key.pem");
  g_autofree char *db = work_path ("off-loopback.sqlite");
  g_autofree char *tokens = write_tokens ();
  const char * const anyone[] = {
    "--listen", "0.0.0.0:0", "--cert", certificate, "--key", key, "--db", db, NULL
  };
  const char * const with_tokens[] = {
    "--listen", "0.0.0.0:0", "--token-file", tokens, "--cert", certificate, "--key", key,
    "--db", db, NULL
  };
  g_autofree char *err = run_refused (anyone);
  g_autoptr(GSubprocess) receiver = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_assert_nonnull (strstr (err, "0.0.0.0"));
  g_assert_nonnull (strstr (err, "--token-file"));
  g_assert_nonnull (strstr (err, "--require-client-cert"));

  /* With tokens it starts. */
  g_ptr_array_add (argv, (char *) require_env ("HAVEN_RECEIVER"));
  for (guint i = 0; with_tokens[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) with_tokens[i]);
  g_ptr_array_add (argv, NULL);
  receiver = g_subprocess_newv ((const char * const *) argv->pdata,
                                G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (receiver));
  line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on https://0.0.0.0:"));
  g_subprocess_send_signal (receiver, SIGTERM);
  g_subprocess_wait_check (receiver, NULL, &error);
  g_assert_no_error (error);
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *exited = TRUE;
}

/* A service manager may stop the receiver the moment it has started: it
 * must then exit as promptly as at any other time. Stopping it once hung
 * for good when SIGTERM came before its timer thread ran. */
static void
test_stopped_at_once (void)
{
  g_autofree char *certificate = work_path ("server.pem");
  g_autofree char *key = work_path ("server-key.pem");
  g_autofree char *db = work_path ("stopped-at-once.sqlite");

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GSubprocess) receiver = NULL;
      g_autoptr(GDataInputStream) output = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *line = NULL;
      gboolean exited = FALSE;
      gint64 deadline;

      receiver = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                   require_env ("HAVEN_RECEIVER"), "--listen", "127.0.0.1:0",
                                   "--cert", certificate, "--key", key, "--db", db, NULL);
      g_assert_no_error (error);
      output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (receiver));
      line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (line, "listening on https://127.0.0.1:"));

      g_subprocess_send_signal (receiver, SIGTERM);
      g_subprocess_wait_async (receiver, NULL, exited_cb, &exited);
      deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
      while (!exited && g_get_monotonic_time () < deadline)
        {
          g_main_context_iteration (NULL, FALSE);
          g_usleep (10 * G_TIME_SPAN_MILLISECOND);
        }
      if (!exited)
        {
          g_subprocess_force_exit (receiver);
          g_error ("Start %u: haven-receiver did not stop within 20 s of SIGTERM", i);
        }
      g_assert_true (g_subprocess_get_if_exited (receiver));
      g_assert_cmpint (g_subprocess_get_exit_status (receiver), ==, 0);
    }
}

/* Copies @name of the work folder to a file others may read. */
static char *
make_readable_copy (const char *name,
                    const char *copy_name)
{
  g_autofree char *path = work_path (name);
  g_autofree char *copy = work_path (copy_name);
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (copy, contents, (gssize) length, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (copy, 0644), ==, 0);

  return g_steal_pointer (&copy);
}

/* Token files and keys that others may read are refused, with the
 * command that fixes them. */
static void
test_private_files (void)
{
  g_autofree char *certificate = work_path ("server.pem");
  g_autofree char *key = work_path ("server-key.pem");
  g_autofree char *db = work_path ("private-files.sqlite");
  g_autofree char *tokens = write_tokens ();
  g_autofree char *keypair = work_path ("keypair");
  g_autofree char *shared_tokens = NULL;
  g_autofree char *shared_key = make_readable_copy ("server-key.pem", "shared-key.pem");
  g_autofree char *shared_keypair = NULL;
  g_autofree char *expected = NULL;
  g_free (receiver_process_make_keypair (keypair));
  shared_keypair = make_readable_copy ("keypair", "shared-keypair");
  shared_tokens = make_readable_copy ("tokens", "shared-tokens");

  {
    const char * const arguments[] = {
      "--listen", "127.0.0.1:0", "--cert", certificate, "--key", key, "--db", db,
      "--token-file", shared_tokens, NULL
    };
    g_autofree char *err = run_refused (arguments);

    expected = g_strdup_printf ("chmod 600 %s", shared_tokens);
    g_assert_nonnull (strstr (err, expected));
    g_assert_null (strstr (err, TOKEN));
    g_clear_pointer (&expected, g_free);
  }

  {
    const char * const arguments[] = {
      "--listen", "127.0.0.1:0", "--cert", certificate, "--key", shared_key, "--db", db,
      "--token-file", tokens, NULL
    };
    g_autofree char *err = run_refused (arguments);

    expected = g_strdup_printf ("chmod 600 %s", shared_key);
    g_assert_nonnull (strstr (err, expected));
    g_clear_pointer (&expected, g_free);
  }

  {
    const char * const arguments[] = {
      "--listen", "127.0.0.1:0", "--cert", certificate, "--key", key, "--db", db,
      "--token-file", tokens, "--keypair", shared_keypair, NULL
    };
    g_autofree char *err = run_refused (arguments);

    expected = g_strdup_printf ("chmod 600 %s", shared_keypair);
    g_assert_nonnull (strstr (err, expected));
    g_clear_pointer (&expected, g_free);
  }

  /* Another user's file, however private, is not this receiver's secret
   * (only root can make one to try). */
  if (getuid () == 0)
    {
      const char * const arguments[] = {
        "--listen", "127.0.0.1:0", "--cert", certificate, "--key", key, "--db", db,
        "--token-file", shared_tokens, NULL
      };
      g_autofree char *err = NULL;

      g_assert_cmpint (g_chmod (shared_tokens, 0600), ==, 0);
      g_assert_cmpint (chown (shared_tokens, 65534, 65534), ==, 0);
      err = run_refused (arguments);
      g_assert_nonnull (strstr (err, "another user"));
    }
}

/* The figure: 500 connections that never send anything, from one
 * address, leave a real client from another served within 1 s, with the
 * default limits. */
static void
test_silent_connections (void)
{
  g_autofree char *tokens = write_tokens ();
  g_autofree char *ca = work_path ("ca.pem");
  const char * const options[] = { "--token-file", tokens, NULL };
  ReceiverProcess *receiver = receiver_process_start_tls (options);
  g_autoptr(GPtrArray) silent = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  double seconds[2];

  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 10, NULL);
      g_autofree char *url = g_strconcat (receiver->url, HEALTH_PATH, NULL);
      g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = NULL;
      gint64 start;

      /* Round 0 is the figure without them, to compare. */
      if (round == 1)
        {
          for (guint i = 0; i < 500; i++)
            g_ptr_array_add (silent, connect_from ("127.0.0.2", get_port (receiver)));
        }

      soup_session_set_tls_database (session, database);
      soup_message_headers_replace (soup_message_get_request_headers (message),
                                    "Authorization", "Bearer " TOKEN);
      start = g_get_monotonic_time ();
      body = soup_session_send_and_read (session, message, NULL, &error);
      seconds[round] = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      g_assert_no_error (error);
      g_assert_cmpuint (soup_message_get_status (message), ==, 200);
    }

  g_test_message ("a client over TLS was served in %.3f s alone, %.3f s beside 500 silent "
                  "connections; the receiver has %u descriptors open", seconds[0], seconds[1],
                  count_descriptors (get_pid (receiver)));
  g_assert_cmpfloat (seconds[1], <, 1.0);

  receiver_process_stop (receiver);
}

/* 1,000 keep-alive connections that the client closes after one request
 * leave the receiver's descriptors as they were. */
static void
test_closed_keep_alive (void)
{
  g_autofree char *tokens = write_tokens ();
  const char * const options[] = { "--insecure-http", "--token-file", tokens, NULL };
  ReceiverProcess *receiver = receiver_process_start (options);
  guint16 port = get_port (receiver);
  GPid pid = get_pid (receiver);
  gint64 deadline;
  guint before;
  guint after;

  g_assert_cmpint (exchange ("127.0.0.1", port, HEALTH_REQUEST, 5000), ==, 200);
  before = count_descriptors (pid);

  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(GSocket) socket = connect_from ("127.0.0.2", port);

      g_assert_true (send_all (socket, HEALTH_REQUEST, strlen (HEALTH_REQUEST)));
      g_assert_cmpint (read_answer_status (socket, 5000), ==, 200);
      /* The connection is kept open by the receiver: the client ends it. */
      g_socket_close (socket, NULL);
    }

  /* The receiver learns of the last closes a moment later. */
  deadline = g_get_monotonic_time () + 5 * test_slowdown () * G_USEC_PER_SEC;
  while ((after = count_descriptors (pid)) > before && g_get_monotonic_time () < deadline)
    g_usleep (20000);

  g_test_message ("receiver descriptors: %u before, %u after 1,000 closed keep-alive "
                  "connections", before, after);
  g_assert_cmpuint (after, <=, before);

  receiver_process_stop (receiver);
}

/* One request over TLS on a keep-alive connection that the client then
 * closes; the answer's status line. */
static char *
tls_exchange_and_close (ReceiverProcess *receiver,
                        GTlsDatabase    *database)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("127.0.0.1", 0);
  g_autoptr(GError) error = NULL;
  char buffer[1024];
  gssize received;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", get_port (receiver), NULL,
                                                &error);
  g_assert_no_error (error);
  /* Without it, the request waits for the ACK of the client's last
   * handshake message, which the receiver's kernel delays by 40 ms. */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1,
                       &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (connection), identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (tls), HEALTH_REQUEST,
                             strlen (HEALTH_REQUEST), NULL, NULL, &error);
  g_assert_no_error (error);
  received = g_input_stream_read (g_io_stream_get_input_stream (tls), buffer,
                                  sizeof buffer - 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (received, >, 0);
  buffer[received] = '\0';
  /* The receiver keeps the connection: the client ends it. */
  g_io_stream_close (tls, NULL, NULL);

  return g_strndup (buffer, strcspn (buffer, "\r"));
}

/* The same over TLS, where libsoup 3.2's server kept a descriptor for
 * each: 100 of them, as TLS handshakes are slow under the sanitizers. */
static void
test_closed_keep_alive_tls (void)
{
  g_autofree char *tokens = write_tokens ();
  g_autofree char *ca = work_path ("ca.pem");
  const char * const options[] = { "--token-file", tokens, NULL };
  ReceiverProcess *receiver = receiver_process_start_tls (options);
  GPid pid = get_pid (receiver);
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  gint64 deadline;
  guint before;
  guint after;

  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);

  first = tls_exchange_and_close (receiver, database);
  g_assert_cmpstr (first, ==, "HTTP/1.1 200 OK");
  before = count_descriptors (pid);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *status_line = tls_exchange_and_close (receiver, database);

      g_assert_cmpstr (status_line, ==, "HTTP/1.1 200 OK");
    }

  deadline = g_get_monotonic_time () + 5 * test_slowdown () * G_USEC_PER_SEC;
  while ((after = count_descriptors (pid)) > before && g_get_monotonic_time () < deadline)
    g_usleep (20000);

  g_test_message ("receiver descriptors: %u before, %u after 100 closed keep-alive TLS "
                  "connections", before, after);
  g_assert_cmpuint (after, <=, before);

  receiver_process_stop (receiver);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  work_dir_init ("receiver-limits");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/receiver-limits/connections-per-address",
                   test_connections_per_address);
  g_test_add_func ("/haven/receiver-limits/connections-total", test_connections_total);
  g_test_add_func ("/haven/receiver-limits/timeout", test_timeout);
  g_test_add_func ("/haven/receiver-limits/body-cap", test_body_cap);
  g_test_add_func ("/haven/receiver-limits/connection-memory", test_connection_memory);
  g_test_add_func ("/haven/receiver-limits/tls-versions", test_tls_versions);
  g_test_add_func ("/haven/receiver-limits/client-certificates", test_client_certificates);
  g_test_add_func ("/haven/receiver-limits/token-guesses", test_token_guesses);
  g_test_add_func ("/haven/receiver-limits/off-loopback-needs-authentication",
                   test_off_loopback_needs_authentication);
  g_test_add_func ("/haven/receiver-limits/stopped-at-once", test_stopped_at_once);
  g_test_add_func ("/haven/receiver-limits/private-files", test_private_files);
  g_test_add_func ("/haven/receiver-limits/silent-connections", test_silent_connections);
  g_test_add_func ("/haven/receiver-limits/closed-keep-alive", test_closed_keep_alive);
  g_test_add_func ("/haven/receiver-limits/closed-keep-alive-tls", test_closed_keep_alive_tls);

  status = g_test_run ();
  work_dir_remove ();

  return status;
}
