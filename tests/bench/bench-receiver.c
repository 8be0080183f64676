/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-receiver"

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sqlite3.h>

#include "test-files.h"

/* The intake under load: haven-receiver over real TLS on 127.0.0.1, with
 * a PKI made for this run, and N keep-alive TLS clients (200 by default),
 * each a kiosk with a bearer token of its own, sending valid removal
 * requests with a fresh request_id each as fast as answers come back.
 *
 * It prints, one line each: the time to establish the connections, the
 * receiver's memory per idle TLS connection (VmRSS with every connection
 * established and idle, minus VmRSS before the first one, divided by N),
 * accepted requests a second (201s), the latency of accepted requests
 * (p50, p95, p99, max), errors by kind, and how the CPU was shared between
 * the receiver(s) and this program during the load. On SQLite it then
 * counts the requests in the database, which must be as many as were
 * accepted.
 *
 * The clients are GnuTLS sessions on non-blocking sockets, all driven by
 * one epoll loop in one thread, so that the load costs little beside the
 * receiver on a 2-core machine; the figure to compare is the receiver's
 * share of the CPU.
 *
 * The store: one receiver on SQLite (`--db`, a file on disk in the build
 * folder, not a tmpfs where fsync costs nothing), or, when
 * HAVEN_BENCH_DATABASE holds a PostgreSQL URL, two receivers on that
 * database (`--database URL`) with the clients spread over them.
 *
 * By default each client sends its next request as soon as the answer to
 * the last one is in (a closed loop): the latency is then the number of
 * clients divided by the throughput. With --rate, requests are due at a
 * fixed pace whatever the answers do (an open loop) and latency counts
 * from when a request was due, so time spent waiting for a free
 * connection counts too. */

#define DEFAULT_CLIENTS 200
#define DEFAULT_SECONDS 10.0
#define DEFAULT_REQUESTS 5000
/* How long connections may take to be established, an answer to come,
 * and answers still on their way to come once the load ends. */
#define SETUP_SECONDS 60
#define ANSWER_TIMEOUT_SECONDS 30
#define DRAIN_SECONDS 30
#define MAX_INSTANCES 8

typedef enum {
  ERROR_CONNECT,
  ERROR_HANDSHAKE,
  ERROR_TLS,
  ERROR_CLOSED,
  ERROR_TIMEOUT,
  ERROR_BAD_ANSWER,
  N_ERRORS,
} ErrorKind;

static const char * const error_names[N_ERRORS] = {
  "connection refused or failed",
  "TLS handshake failed",
  "TLS error on an established connection",
  "connection closed before the answer",
  "no answer within " G_STRINGIFY (ANSWER_TIMEOUT_SECONDS) " s",
  "answer not HTTP/1.1 with a Content-Length",
};

typedef enum {
  CLIENT_CLOSED,
  CLIENT_CONNECTING,
  CLIENT_HANDSHAKING,
  CLIENT_IDLE,
  CLIENT_SENDING,
  CLIENT_READING,
} ClientState;

typedef struct {
  GSubprocess *process;
  char *host;
  guint16 port;
  struct sockaddr_in address;
} Instance;

typedef struct {
  guint index;
  int fd;
  gnutls_session_t session;
  ClientState state;
  guint32 events;
  const Instance *instance;
  struct sockaddr_in source;
  char *token;

  GString *request;
  gsize sent;
  /* When the request was due (open loop) or started (closed loop), in
   * monotonic µs. */
  gint64 started;

  char *in;
  gsize in_length;
  gsize in_size;
} Client;

typedef struct {
  /* Options. */
  guint n_clients;
  double seconds;
  guint max_requests;
  double rate;
  gboolean same_address;

  int epoll_fd;
  gnutls_certificate_credentials_t credentials;
  Instance instances[MAX_INSTANCES];
  guint n_instances;
  Client *clients;

  /* Connections. */
  guint n_established;
  guint n_connections_opened;

  /* The load. */
  gboolean issuing;
  gint64 load_start;
  gint64 load_end;
  gint64 next_due;
  guint n_requests;
  guint n_accepted;
  guint n_answered;
  guint n_in_flight;
  GArray *latencies;
  GArray *idle_clients;
  GHashTable *statuses;
  guint errors[N_ERRORS];
  guint n_server_closes;
} Bench;

static double
seconds_between (gint64 start,
                 gint64 end)
{
  return (double) (end - start) / G_USEC_PER_SEC;
}

/* Runs in the receiver between fork and exec: a receiver outliving a
 * crashed benchmark would keep meson waiting on its output. */
static void
die_with_parent (gpointer user_data)
{
#ifdef __linux__
  pid_t parent = GPOINTER_TO_INT (user_data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (1);
#endif
}

static gboolean
run_make_pki (const char *make_pki,
              const char *folder)
{
  g_autoptr(GSubprocess) script = NULL;
  g_autoptr(GError) error = NULL;

  script = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, make_pki, "--days", "2", folder,
                             NULL);
  if (script == NULL || !g_subprocess_wait_check (script, NULL, &error))
    {
      g_printerr ("make-pki.sh: %s\n", error->message);
      return FALSE;
    }

  return TRUE;
}

/* One token a kiosk, as a fleet has them; readable by its owner only, as
 * the receiver wants its secrets. */
static char *
write_token_file (Bench      *bench,
                  const char *folder)
{
  g_autofree char *path = g_build_filename (folder, "tokens", NULL);
  g_autoptr(GString) contents = g_string_new ("# bench-receiver: one token a client\n");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < bench->n_clients; i++)
    {
      bench->clients[i].token = g_strdup_printf ("bench-%u-%08x%08x", i, g_random_int (),
                                                 g_random_int ());
      g_string_append_printf (contents, "%s\n", bench->clients[i].token);
    }

  if (!g_file_set_contents_full (path, contents->str, (gssize) contents->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      g_printerr ("%s\n", error->message);
      return NULL;
    }

  return g_steal_pointer (&path);
}

static gboolean
start_instance (Instance           *instance,
                const char         *program,
                const char * const *arguments)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *line = NULL;

  g_ptr_array_add (argv, (char *) program);
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) arguments[i]);
  g_ptr_array_add (argv, NULL);

  /* The receiver's stderr goes to the benchmark's log. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent,
                                         GINT_TO_POINTER (getpid ()), NULL);
  instance->process = g_subprocess_launcher_spawnv (launcher,
                                                    (const char * const *) argv->pdata, &error);
  if (instance->process == NULL)
    {
      g_printerr ("haven-receiver: %s\n", error->message);
      return FALSE;
    }

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (instance->process));
  line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "listening on "))
    {
      g_printerr ("haven-receiver did not start%s%s\n", error != NULL ? ": " : "",
                  error != NULL ? error->message : "");
      return FALSE;
    }

  uri = g_uri_parse (line + strlen ("listening on "), G_URI_FLAGS_NONE, &error);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)
    {
      g_printerr ("haven-receiver is not listening on HTTPS: %s\n", line);
      return FALSE;
    }

  instance->host = g_strdup (g_uri_get_host (uri));
  instance->port = (guint16) g_uri_get_port (uri);
  instance->address.sin_family = AF_INET;
  instance->address.sin_port = htons (instance->port);
  if (inet_pton (AF_INET, instance->host, &instance->address.sin_addr) != 1)
    {
      g_printerr ("haven-receiver listens on %s, not an IPv4 address\n", instance->host);
      return FALSE;
    }

  return TRUE;
}

static void
stop_instance (Instance *instance)
{
  if (instance->process != NULL)
    {
      g_subprocess_send_signal (instance->process, SIGTERM);
      g_subprocess_wait (instance->process, NULL, NULL);
    }
  g_clear_object (&instance->process);
  g_clear_pointer (&instance->host, g_free);
}

static gboolean
instance_is_running (const Instance *instance)
{
  return instance->process != NULL &&
         g_subprocess_get_identifier (instance->process) != NULL;
}

static pid_t
instance_pid (const Instance *instance)
{
  const char *identifier = g_subprocess_get_identifier (instance->process);

  return identifier != NULL ? (pid_t) g_ascii_strtoll (identifier, NULL, 10) : 0;
}

/* The number in a field of /proc/PID/status (kB for memory), or 0. */
static guint64
read_status_value (pid_t       pid,
                   const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *contents = NULL;
  g_autofree char *prefix = g_strconcat (field, ":", NULL);

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;

  for (char *line = contents; line != NULL && *line != '\0'; )
    {
      char *end = strchr (line, '\n');

      if (g_str_has_prefix (line, prefix))
        return g_ascii_strtoull (line + strlen (prefix), NULL, 10);
      line = end != NULL ? end + 1 : NULL;
    }

  return 0;
}

static guint64
instances_status_total (const Bench *bench,
                        const char  *field)
{
  guint64 total = 0;

  for (guint i = 0; i < bench->n_instances; i++)
    total += read_status_value (instance_pid (&bench->instances[i]), field);

  return total;
}

/* utime + stime of a process from /proc/PID/stat, in seconds. */
static double
read_cpu_seconds (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  char *after_name;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;

  /* The command name, in parentheses, may hold spaces: fields are counted
   * after its closing one. State is field 3, utime 14 and stime 15. */
  after_name = strrchr (contents, ')');
  if (after_name == NULL ||
      sscanf (after_name + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
              &utime, &stime) != 2)
    return 0;

  return (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
}

static double
instances_cpu_seconds (const Bench *bench)
{
  double total = 0;

  for (guint i = 0; i < bench->n_instances; i++)
    total += read_cpu_seconds (instance_pid (&bench->instances[i]));

  return total;
}

static double
own_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (double) usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         (double) usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static void
set_events (Bench  *bench,
            Client *client,
            guint32 events)
{
  struct epoll_event event = { .events = events, .data.ptr = client };

  if (client->events == events)
    return;

  if (epoll_ctl (bench->epoll_fd, EPOLL_CTL_MOD, client->fd, &event) < 0)
    g_error ("epoll_ctl: %s", g_strerror (errno));
  client->events = events;
}

/* What GnuTLS waits for, after it said GNUTLS_E_AGAIN. */
static void
wait_for_tls (Bench  *bench,
              Client *client)
{
  set_events (bench, client, gnutls_record_get_direction (client->session) == 1 ? EPOLLOUT
                                                                                : EPOLLIN);
}

static void
close_client (Bench  *bench,
              Client *client)
{
  if (client->session != NULL)
    {
      gnutls_deinit (client->session);
      client->session = NULL;
    }
  if (client->fd >= 0)
    {
      /* Closing the descriptor takes it out of the epoll set. */
      close (client->fd);
      client->fd = -1;
    }
  if (client->state >= CLIENT_IDLE)
    bench->n_established--;
  if (client->state == CLIENT_SENDING || client->state == CLIENT_READING)
    bench->n_in_flight--;
  client->state = CLIENT_CLOSED;
  client->events = 0;
  client->in_length = 0;
}

static void open_client (Bench  *bench,
                         Client *client);

static gboolean
may_issue (Bench *bench)
{
  return bench->issuing &&
         (bench->max_requests == 0 || bench->n_requests < bench->max_requests);
}

/* Ends a connection that failed and, during the load, opens another in
 * its place, as a kiosk would. */
static void
fail_client (Bench     *bench,
             Client    *client,
             ErrorKind  kind)
{
  bench->errors[kind]++;
  close_client (bench, client);
  if (may_issue (bench))
    open_client (bench, client);
}

static void
open_client (Bench  *bench,
             Client *client)
{
  struct epoll_event event = { .events = EPOLLOUT, .data.ptr = client };
  int one = 1;

  g_assert (client->state == CLIENT_CLOSED);

  client->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (client->fd < 0)
    g_error ("socket: %s", g_strerror (errno));
  bench->n_connections_opened++;

  /* Each request goes out as soon as it is written, as a kiosk's would. */
  setsockopt (client->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!bench->same_address &&
      bind (client->fd, (struct sockaddr *) &client->source, sizeof client->source) < 0)
    g_error ("bind to a source address on the loopback: %s", g_strerror (errno));

  if (connect (client->fd, (const struct sockaddr *) &client->instance->address,
               sizeof client->instance->address) < 0 && errno != EINPROGRESS)
    {
      /* Not opened again at once, which could go on for ever: during the
       * load, reopen_closed() tries again a little later. */
      bench->errors[ERROR_CONNECT]++;
      close_client (bench, client);
      return;
    }

  if (epoll_ctl (bench->epoll_fd, EPOLL_CTL_ADD, client->fd, &event) < 0)
    g_error ("epoll_ctl: %s", g_strerror (errno));
  client->events = EPOLLOUT;
  client->state = CLIENT_CONNECTING;
}

/* The next request of @client, in the shape the kiosk sends: a removal
 * request of about 1 KB with a fresh request_id, which is also its
 * Idempotency-Key. */
static void
build_request (Bench  *bench,
               Client *client)
{
  g_autofree char *request_id = g_uuid_string_random ();
  g_autoptr(GString) body = g_string_new (NULL);

  g_string_append_printf (body,
                          "{\"request_id\":\"%s\",\"created_at\":\"2026-11-27T10:15:00Z\","
                          "\"kiosk_id\":\"bench-kiosk-%u\",\"locale\":\"en\","
                          "\"category\":\"intimate-images\",\"items\":[",
                          request_id, client->index);
  for (guint i = 0; i < 3; i++)
    g_string_append_printf (body,
                            "%s{\"url\":\"https://example.social/p/%u-%u-%u\","
                            "\"platform\":\"example.social\",\"description\":\"A photo of me "
                            "that was posted without my consent, with my name and the town "
                            "where I live written under it.\"}",
                            i > 0 ? "," : "", client->index, bench->n_requests, i);
  g_string_append (body, "],\"reporter\":{\"role\":\"self\",\"consent_to_contact\":false},"
                         "\"declaration\":{\"accurate\":true,\"authorised\":true}}");

  g_string_truncate (client->request, 0);
  g_string_append_printf (client->request,
                          "POST /v1/removal-requests HTTP/1.1\r\n"
                          "Host: %s:%u\r\n"
                          "User-Agent: Haven/" PACKAGE_VERSION " bench-receiver\r\n"
                          "Accept-Language: en\r\n"
                          "Authorization: Bearer %s\r\n"
                          "Content-Type: application/json\r\n"
                          "Idempotency-Key: \"%s\"\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "\r\n",
                          client->instance->host, client->instance->port, client->token,
                          request_id, body->len);
  g_string_append_len (client->request, body->str, (gssize) body->len);
  client->sent = 0;
}

static void
send_more (Bench  *bench,
           Client *client);

static void
start_request (Bench  *bench,
               Client *client,
               gint64  started)
{
  g_assert (client->state == CLIENT_IDLE);

  build_request (bench, client);
  bench->n_requests++;
  bench->n_in_flight++;
  client->started = started;
  client->in_length = 0;
  client->state = CLIENT_SENDING;
  send_more (bench, client);
}

/* A client with nothing to send: in a closed loop it sends again at once;
 * in an open loop it waits to be given a request that is due. */
static void
client_ready (Bench  *bench,
              Client *client)
{
  client->state = CLIENT_IDLE;
  set_events (bench, client, EPOLLIN);

  if (!may_issue (bench))
    return;

  if (bench->rate == 0)
    start_request (bench, client, g_get_monotonic_time ());
  else
    g_array_append_val (bench->idle_clients, client->index);
}

static void
handshake (Bench  *bench,
           Client *client)
{
  int result = gnutls_handshake (client->session);

  if (result == GNUTLS_E_AGAIN || result == GNUTLS_E_INTERRUPTED)
    {
      wait_for_tls (bench, client);
      return;
    }
  if (result < 0)
    {
      g_printerr ("TLS handshake: %s\n", gnutls_strerror (result));
      fail_client (bench, client, ERROR_HANDSHAKE);
      return;
    }

  bench->n_established++;
  client_ready (bench, client);
}

static void
connected (Bench  *bench,
           Client *client)
{
  int socket_error = 0;
  socklen_t length = sizeof socket_error;
  int result;

  if (getsockopt (client->fd, SOL_SOCKET, SO_ERROR, &socket_error, &length) < 0 ||
      socket_error != 0)
    {
      fail_client (bench, client, ERROR_CONNECT);
      return;
    }

  result = gnutls_init (&client->session, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
  if (result == GNUTLS_E_SUCCESS)
    result = gnutls_set_default_priority (client->session);
  if (result == GNUTLS_E_SUCCESS)
    result = gnutls_credentials_set (client->session, GNUTLS_CRD_CERTIFICATE,
                                     bench->credentials);
  if (result != GNUTLS_E_SUCCESS)
    g_error ("gnutls: %s", gnutls_strerror (result));
  /* The server's certificate is checked as a kiosk checks it: against the
   * CA, for the address the kiosk was given. */
  gnutls_session_set_verify_cert (client->session, client->instance->host, 0);
  gnutls_transport_set_int (client->session, client->fd);

  client->state = CLIENT_HANDSHAKING;
  handshake (bench, client);
}

static void
send_more (Bench  *bench,
           Client *client)
{
  while (client->sent < client->request->len)
    {
      ssize_t sent = gnutls_record_send (client->session, client->request->str + client->sent,
                                         client->request->len - client->sent);

      if (sent == GNUTLS_E_AGAIN || sent == GNUTLS_E_INTERRUPTED)
        {
          set_events (bench, client, EPOLLOUT);
          return;
        }
      if (sent < 0)
        {
          fail_client (bench, client, ERROR_TLS);
          return;
        }
      client->sent += (gsize) sent;
    }

  client->state = CLIENT_READING;
  set_events (bench, client, EPOLLIN);
}

/* Points *@value at the value of header @name in @headers, if it is there. */
static gboolean
find_header (const char *headers,
             gsize       length,
             const char *name,
             const char **value)
{
  gsize name_length = strlen (name);

  for (const char *line = headers; line < headers + length; )
    {
      const char *end = g_strstr_len (line, (gssize) (headers + length - line), "\r\n");

      if (end == NULL)
        break;
      if ((gsize) (end - line) > name_length && line[name_length] == ':' &&
          g_ascii_strncasecmp (line, name, name_length) == 0)
        {
          *value = line + name_length + 1;
          while (**value == ' ' || **value == '\t')
            (*value)++;
          return TRUE;
        }
      line = end + 2;
    }

  return FALSE;
}

/* Handles a whole answer when one is in the buffer. Only the status line,
 * Content-Length and Connection are read: the body is the receiver's, and
 * its case reference is of no use here. */
static void
take_answer (Bench  *bench,
             Client *client)
{
  const char *end_of_headers;
  const char *value = NULL;
  gsize header_length;
  guint64 content_length;
  guint status;
  gboolean close_after;
  gint64 now;

  end_of_headers = g_strstr_len (client->in, (gssize) client->in_length, "\r\n\r\n");
  if (end_of_headers == NULL)
    return;
  header_length = (gsize) (end_of_headers - client->in) + 4;

  if (client->in_length < 12 || !g_str_has_prefix (client->in, "HTTP/1.1 ") ||
      !find_header (client->in, header_length, "Content-Length", &value))
    {
      fail_client (bench, client, ERROR_BAD_ANSWER);
      return;
    }
  content_length = g_ascii_strtoull (value, NULL, 10);
  if (client->in_length < header_length + content_length)
    return;

  now = g_get_monotonic_time ();
  status = (guint) g_ascii_strtoull (client->in + strlen ("HTTP/1.1 "), NULL, 10);
  close_after = find_header (client->in, header_length, "Connection", &value) &&
                g_ascii_strncasecmp (value, "close", 5) == 0;

  bench->n_answered++;
  bench->n_in_flight--;
  bench->load_end = now;
  if (status == 201)
    {
      guint32 latency = (guint32) MIN (now - client->started, G_MAXUINT32);

      bench->n_accepted++;
      g_array_append_val (bench->latencies, latency);
    }
  else
    {
      gpointer count = g_hash_table_lookup (bench->statuses, GUINT_TO_POINTER (status));

      g_hash_table_insert (bench->statuses, GUINT_TO_POINTER (status),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (count) + 1));
    }

  /* One request at a time on a connection: nothing else may follow. */
  client->in_length = 0;
  client->state = CLIENT_IDLE;
  if (close_after)
    {
      bench->n_server_closes++;
      close_client (bench, client);
      if (may_issue (bench))
        open_client (bench, client);
      return;
    }

  client_ready (bench, client);
}

static void
receive (Bench  *bench,
         Client *client)
{
  for (;;)
    {
      ssize_t received;

      if (client->in_size - client->in_length < 4096)
        {
          client->in_size = MAX (client->in_size * 2, 8192);
          client->in = g_realloc (client->in, client->in_size);
        }

      received = gnutls_record_recv (client->session, client->in + client->in_length,
                                     client->in_size - client->in_length - 1);
      if (received == GNUTLS_E_AGAIN || received == GNUTLS_E_INTERRUPTED)
        break;
      if (received == 0 || received == GNUTLS_E_PREMATURE_TERMINATION)
        {
          /* An idle connection the server closed is not an error, unless a
           * request was on it. */
          if (client->state == CLIENT_READING || client->state == CLIENT_SENDING)
            {
              fail_client (bench, client, ERROR_CLOSED);
            }
          else
            {
              bench->n_server_closes++;
              close_client (bench, client);
              if (may_issue (bench))
                open_client (bench, client);
            }
          return;
        }
      if (received < 0)
        {
          /* TLS 1.3 session tickets and the like, after the handshake. */
          if (!gnutls_error_is_fatal ((int) received))
            continue;
          fail_client (bench, client, ERROR_TLS);
          return;
        }

      client->in_length += (gsize) received;
      client->in[client->in_length] = '\0';
    }

  if (client->state == CLIENT_READING)
    take_answer (bench, client);
  else if (client->in_length > 0)
    fail_client (bench, client, ERROR_BAD_ANSWER);
}

static void
handle_event (Bench    *bench,
              Client   *client,
              guint32   events)
{
  switch (client->state)
    {
    case CLIENT_CONNECTING:
      connected (bench, client);
      break;

    case CLIENT_HANDSHAKING:
      handshake (bench, client);
      break;

    case CLIENT_SENDING:
      send_more (bench, client);
      break;

    case CLIENT_IDLE:
    case CLIENT_READING:
      if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        receive (bench, client);
      break;

    case CLIENT_CLOSED:
    default:
      break;
    }
}

/* Waits for events until @deadline (monotonic µs) at the latest, and
 * handles them. */
static void
pump (Bench  *bench,
      gint64  deadline)
{
  struct epoll_event events[256];
  gint64 now = g_get_monotonic_time ();
  int timeout_ms = deadline > now ? (int) ((deadline - now + 999) / 1000) : 0;
  int n;

  n = epoll_wait (bench->epoll_fd, events, G_N_ELEMENTS (events), timeout_ms);
  if (n < 0 && errno != EINTR)
    g_error ("epoll_wait: %s", g_strerror (errno));

  for (int i = 0; i < n; i++)
    handle_event (bench, events[i].data.ptr, events[i].events);
}

/* An answer overdue on a connection ends it. */
static void
expire_requests (Bench *bench)
{
  gint64 oldest = g_get_monotonic_time () - ANSWER_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  for (guint i = 0; i < bench->n_clients; i++)
    {
      Client *client = &bench->clients[i];

      if ((client->state == CLIENT_SENDING || client->state == CLIENT_READING) &&
          client->started < oldest)
        {
        fail_client (bench, client, ERROR_TIMEOUT);
    }
    }
}

static gboolean
receivers_running (const Bench *bench)
{
  for (guint i = 0; i < bench->n_instances; i++)
    {
      if (!instance_is_running (&bench->instances[i]))
        {
          g_printerr ("haven-receiver %u has ended\n", i + 1);
          return FALSE;
        }
    }

  return TRUE;
}

/* Opens every connection and waits for its TLS handshake; says how long
 * that took when @say. */
static gboolean
establish (Bench    *bench,
           gboolean  say)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + SETUP_SECONDS * G_USEC_PER_SEC;

  for (guint i = 0; i < bench->n_clients; i++)
    open_client (bench, &bench->clients[i]);

  while (bench->n_established < bench->n_clients && g_get_monotonic_time () < deadline)
    {
      guint n_failed = 0;

      for (guint i = 0; i < N_ERRORS; i++)
        n_failed += bench->errors[i];
      if (bench->n_established + n_failed >= bench->n_clients)
        break;
      pump (bench, MIN (deadline, g_get_monotonic_time () + 100 * 1000));
    }

  if (say || bench->n_established < bench->n_clients)
    g_print ("connections: %u of %u established (TCP and TLS handshake) in %.2f s\n",
             bench->n_established, bench->n_clients,
             seconds_between (start, g_get_monotonic_time ()));

  return bench->n_established == bench->n_clients;
}

/* VmRSS once it holds still: the receiver may still be reading the
 * clients' last handshake messages when the clients see theirs done.
 * Samples every 100 ms, for at most 2 s. */
static guint64
settled_rss_kb (Bench *bench)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  guint64 last = instances_status_total (bench, "VmRSS");

  while (g_get_monotonic_time () < deadline)
    {
      guint64 now;

      pump (bench, g_get_monotonic_time () + 100 * 1000);
      now = instances_status_total (bench, "VmRSS");
      if (now == last)
        break;
      last = now;
    }

  return last;
}

/* Hands requests that are due to idle connections (open loop). */
static void
issue_due (Bench *bench)
{
  gint64 now = g_get_monotonic_time ();
  gint64 interval = (gint64) (G_USEC_PER_SEC / bench->rate);

  while (may_issue (bench) && bench->next_due <= now && bench->idle_clients->len > 0)
    {
      guint index = g_array_index (bench->idle_clients, guint, bench->idle_clients->len - 1);
      Client *client = &bench->clients[index];

      g_array_set_size (bench->idle_clients, bench->idle_clients->len - 1);
      if (client->state != CLIENT_IDLE)
        continue;
      start_request (bench, client, bench->next_due);
      bench->next_due += interval;
    }
}

/* Clients whose connection could not even be started, during the load,
 * at most every 100 ms. */
static void
reopen_closed (Bench  *bench,
               gint64 *last)
{
  gint64 now = g_get_monotonic_time ();

  if (now - *last < 100 * 1000)
    return;
  *last = now;

  for (guint i = 0; i < bench->n_clients && may_issue (bench); i++)
    {
      if (bench->clients[i].state == CLIENT_CLOSED)
        open_client (bench, &bench->clients[i]);
    }
}

static gboolean
run_load (Bench *bench)
{
  gint64 stop;
  gint64 drain_deadline;
  gint64 last_reopen = 0;

  bench->issuing = TRUE;
  bench->load_start = g_get_monotonic_time ();
  bench->load_end = bench->load_start;
  bench->next_due = bench->load_start;
  stop = bench->load_start + (gint64) (bench->seconds * G_USEC_PER_SEC);

  for (guint i = 0; i < bench->n_clients; i++)
    {
      if (bench->clients[i].state == CLIENT_IDLE)
        client_ready (bench, &bench->clients[i]);
    }

  while (may_issue (bench) && g_get_monotonic_time () < stop)
    {
      gint64 wake = MIN (stop, g_get_monotonic_time () + 100 * 1000);

      if (bench->rate > 0)
        {
          issue_due (bench);
          wake = MIN (wake, MAX (bench->next_due, g_get_monotonic_time () + 1000));
        }
      pump (bench, wake);
      expire_requests (bench);
      reopen_closed (bench, &last_reopen);
      if (!receivers_running (bench))
        return FALSE;
    }

  /* The answers still on their way are waited for, and counted. */
  bench->issuing = FALSE;
  drain_deadline = g_get_monotonic_time () + DRAIN_SECONDS * G_USEC_PER_SEC;
  while (bench->n_in_flight > 0 && g_get_monotonic_time () < drain_deadline)
    {
      pump (bench, MIN (drain_deadline, g_get_monotonic_time () + 100 * 1000));
      expire_requests (bench);
      if (!receivers_running (bench))
        return FALSE;
    }

  return TRUE;
}

static int
compare_latencies (gconstpointer a,
                   gconstpointer b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;

  return (x > y) - (x < y);
}

/* Nearest rank. */
static double
percentile_ms (GArray *sorted,
               double  fraction)
{
  double exact = fraction * sorted->len;
  guint rank = (guint) exact;

  if (sorted->len == 0)
    return 0;

  if (rank < exact)
    rank++;
  rank = CLAMP (rank, 1, sorted->len);
  return g_array_index (sorted, guint32, rank - 1) / 1000.0;
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  guint x = GPOINTER_TO_UINT (*(gconstpointer const *) a);
  guint y = GPOINTER_TO_UINT (*(gconstpointer const *) b);

  return (x > y) - (x < y);
}

static void
print_errors (Bench *bench)
{
  g_autoptr(GString) line = g_string_new ("errors:");
  g_autofree gpointer *statuses = NULL;
  guint n_statuses = 0;
  gboolean any = FALSE;

  for (guint i = 0; i < N_ERRORS; i++)
    {
      if (bench->errors[i] == 0)
        continue;
      g_string_append_printf (line, "%s %s: %u", any ? ";" : "", error_names[i],
                              bench->errors[i]);
      any = TRUE;
    }

  statuses = g_hash_table_get_keys_as_array (bench->statuses, &n_statuses);
  qsort (statuses, n_statuses, sizeof *statuses, compare_keys);
  for (guint i = 0; i < n_statuses; i++)
    {
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (bench->statuses, statuses[i]));

      g_string_append_printf (line, "%s answered HTTP %u: %u", any ? ";" : "",
                              GPOINTER_TO_UINT (statuses[i]), count);
      any = TRUE;
    }

  if (!any)
    g_string_append (line, " none");
  g_print ("%s\n", line->str);
}

/* @running: whether every receiver still runs, so that its CPU and
 * memory can be read. */
static void
print_results (Bench    *bench,
               gboolean  running,
               double    receiver_cpu,
               double    own_cpu)
{
  double elapsed = seconds_between (bench->load_start, bench->load_end);
  double rate = elapsed > 0 ? bench->n_accepted / elapsed : 0;
  double p99;

  g_array_sort (bench->latencies, compare_latencies);
  p99 = percentile_ms (bench->latencies, 0.99);

  g_print ("load: %u requests sent, %u answered, in %.2f s\n", bench->n_requests,
           bench->n_answered, elapsed);
  g_print ("accepted: %u (201), %.1f per second\n", bench->n_accepted, rate);
  g_print ("latency of accepted requests: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms\n",
           percentile_ms (bench->latencies, 0.50), percentile_ms (bench->latencies, 0.95), p99,
           percentile_ms (bench->latencies, 1.0));
  print_errors (bench);
  g_print ("connections during the load: %u opened again, %u closed by the receiver\n",
           bench->n_connections_opened - bench->n_clients - 1, bench->n_server_closes);
  if (!running)
    {
      g_print ("cpu and peak memory: not measured, a receiver has ended\n");
      return;
    }
  g_print ("cpu during the load: receiver%s %.2f s (%.0f %% of one core), "
           "bench-receiver %.2f s (%.0f %%), over %.2f s on %ld cores\n",
           bench->n_instances > 1 ? "s" : "", receiver_cpu,
           elapsed > 0 ? 100 * receiver_cpu / elapsed : 0, own_cpu,
           elapsed > 0 ? 100 * own_cpu / elapsed : 0, elapsed, sysconf (_SC_NPROCESSORS_ONLN));
  /* A receiver that serves every connection from one thread is bound by
   * the slowest thing it waits for, such as a commit's fsync. */
  g_print ("receiver peak memory (VmHWM): %" G_GUINT64_FORMAT " kB; threads: %"
           G_GUINT64_FORMAT "\n", instances_status_total (bench, "VmHWM"),
           instances_status_total (bench, "Threads"));
  /* With every client sending again as soon as it is answered, each waits
   * behind the others: latency is then the number of clients divided by
   * the throughput, whatever the receiver does. Latency is judged at a
   * fixed pace of 500 a second (HAVEN_BENCH_RATE=500), throughput here. */
  if (bench->rate > 0)
    g_print ("target (500 accepted/s or more, p99 50 ms or less): %s\n",
             rate >= 500 && p99 <= 50 ? "met" : "not met");
  else
    g_print ("target (500 accepted/s or more): %s; p99 is judged at a fixed rate "
             "(HAVEN_BENCH_RATE=500)\n", rate >= 500 ? "met" : "not met");
}

/* What the receiver holds after the load, read as an integrator would: a
 * benchmark whose 201s were not all stored would measure nothing. Only
 * for SQLite; -1 when the database cannot be read (its schema may have
 * changed). */
static gint64
count_stored (const char *db_path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;
  gint64 count = -1;

  /* Read-only beside the running receiver: WAL lets a reader see every
   * committed transaction. */
  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_busy_timeout (db, 5000) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT count(*) FROM requests", -1, &statement, NULL) ==
      SQLITE_OK &&
      sqlite3_step (statement) == SQLITE_ROW)
    count = sqlite3_column_int64 (statement, 0);
  sqlite3_finalize (statement);
  sqlite3_close (db);

  return count;
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && value[0] != '\0' ? (guint) g_ascii_strtoull (value, NULL, 10)
                                           : fallback;
}

static double
env_double (const char *name,
            double      fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && value[0] != '\0' ? g_ascii_strtod (value, NULL) : fallback;
}

/* The arguments every instance is started with. */
static GPtrArray *
receiver_arguments (const char  *folder,
                    const char  *token_file,
                    const char  *database,
                    char       **extra)
{
  GPtrArray *arguments = g_ptr_array_new_with_free_func (g_free);
  const char *more = g_getenv ("HAVEN_BENCH_RECEIVER_ARGS");

  g_ptr_array_add (arguments, g_strdup ("--listen"));
  g_ptr_array_add (arguments, g_strdup ("127.0.0.1:0"));
  g_ptr_array_add (arguments, g_strdup ("--cert"));
  g_ptr_array_add (arguments, g_build_filename (folder, "pki", "server.pem", NULL));
  g_ptr_array_add (arguments, g_strdup ("--key"));
  g_ptr_array_add (arguments, g_build_filename (folder, "pki", "server-key.pem", NULL));
  g_ptr_array_add (arguments, g_strdup ("--token-file"));
  g_ptr_array_add (arguments, g_strdup (token_file));
  if (database != NULL)
    {
      g_ptr_array_add (arguments, g_strdup ("--database"));
      g_ptr_array_add (arguments, g_strdup (database));
    }
  else
    {
      g_ptr_array_add (arguments, g_strdup ("--db"));
      g_ptr_array_add (arguments, g_build_filename (folder, "receiver.sqlite", NULL));
    }

  if (more != NULL && more[0] != '\0')
    {
      g_auto(GStrv) words = NULL;
      g_autoptr(GError) error = NULL;

      if (!g_shell_parse_argv (more, NULL, &words, &error))
        g_error ("HAVEN_BENCH_RECEIVER_ARGS: %s", error->message);
      for (guint i = 0; words[i] != NULL; i++)
        g_ptr_array_add (arguments, g_strdup (words[i]));
    }
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (arguments, g_strdup (extra[i]));

  g_ptr_array_add (arguments, NULL);
  return arguments;
}

/* Each client from an address of its own, as kiosks are, unless
 * --same-address: 127.0.1.1, 127.0.1.2, … */
static void
set_source_address (Client *client)
{
  client->source.sin_family = AF_INET;
  client->source.sin_port = 0;
  client->source.sin_addr.s_addr = htonl ((127u << 24) | ((1 + client->index / 250) << 8) |
                                          (1 + client->index % 250));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) arguments = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *work = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *pki = NULL;
  g_autofree char *limit = NULL;
  g_autofree char *store = NULL;
  const char *database = g_getenv ("HAVEN_BENCH_DATABASE");
  Bench bench = {
    .n_clients = env_uint ("HAVEN_BENCH_CLIENTS", DEFAULT_CLIENTS),
    .seconds = env_double ("HAVEN_BENCH_SECONDS", DEFAULT_SECONDS),
    .max_requests = env_uint ("HAVEN_BENCH_REQUESTS", DEFAULT_REQUESTS),
    .rate = env_double ("HAVEN_BENCH_RATE", 0),
  };
  int n_clients = (int) bench.n_clients;
  int max_requests = (int) bench.max_requests;
  int n_instances = 0;
  guint64 idle_rss;
  guint64 connected_rss;
  double receiver_cpu;
  double own_cpu;
  gboolean ok = FALSE;
  GOptionEntry entries[] = {
    { "clients", 0, 0, G_OPTION_ARG_INT, &n_clients,
      "Concurrent keep-alive TLS clients (HAVEN_BENCH_CLIENTS, default 200)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &bench.seconds,
      "Length of the load (HAVEN_BENCH_SECONDS, default 10)", "S" },
    { "requests", 0, 0, G_OPTION_ARG_INT, &max_requests,
      "Stop after this many requests, whichever comes first; 0 for no limit "
      "(HAVEN_BENCH_REQUESTS, default 5000)", "N" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &bench.rate,
      "Requests a second due at a fixed pace, instead of each client sending again as soon as "
      "answered (HAVEN_BENCH_RATE)", "R" },
    { "instances", 0, 0, G_OPTION_ARG_INT, &n_instances,
      "Receivers to spread the clients over (HAVEN_BENCH_INSTANCES; default 2 with "
      "HAVEN_BENCH_DATABASE, else 1)", "N" },
    { "same-address", 0, 0, G_OPTION_ARG_NONE, &bench.same_address,
      "Connect every client from 127.0.0.1 rather than each from its own loopback address",
      NULL },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &folder,
      "Folder for the PKI and the SQLite database (default: the build folder)", "DIR" },
    G_OPTION_ENTRY_NULL,
  };

  signal (SIGPIPE, SIG_IGN);

  context = g_option_context_new ("HAVEN-RECEIVER MAKE-PKI [-- RECEIVER-OPTION…]");
  g_option_context_set_summary (context,
                                "Options after -- go to every haven-receiver, as do those in "
                                "HAVEN_BENCH_RECEIVER_ARGS.\nHAVEN_BENCH_DATABASE=postgresql://… "
                                "starts the receivers with --database instead of --db.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  /* What follows "--" is left in argv, after the two programs. */
  if (argc < 3 || n_clients < 1 || n_clients > 60000 || max_requests < 0 ||
      bench.seconds <= 0 || bench.rate < 0 || n_instances < 0 || n_instances > MAX_INSTANCES)
    {
      g_printerr ("give haven-receiver and make-pki.sh; --clients 1 to 60000, --seconds > 0, "
                  "--requests and --rate 0 or more, --instances up to %d\n", MAX_INSTANCES);
      return 1;
    }
  bench.n_clients = (guint) n_clients;
  bench.max_requests = (guint) max_requests;
  if (database != NULL && database[0] == '\0')
    database = NULL;
  if (n_instances == 0)
    n_instances = (int) env_uint ("HAVEN_BENCH_INSTANCES", database != NULL ? 2 : 1);
  bench.n_instances = CLAMP ((guint) n_instances, 1, MAX_INSTANCES);

  if (folder == NULL)
    folder = g_strdup (g_getenv ("G_TEST_BUILDDIR") != NULL ? g_getenv ("G_TEST_BUILDDIR")
                                                           : g_get_tmp_dir ());
  work = g_build_filename (folder, "bench-receiver-XXXXXX", NULL);
  if (g_mkdtemp_full (work, 0700) == NULL)
    {
      g_printerr ("Cannot make a folder in %s\n", folder);
      return 1;
    }
  pki = g_build_filename (work, "pki", NULL);
  ca = g_build_filename (pki, "ca.pem", NULL);

  bench.clients = g_new0 (Client, bench.n_clients);
  bench.latencies = g_array_new (FALSE, FALSE, sizeof (guint32));
  bench.idle_clients = g_array_new (FALSE, FALSE, sizeof (guint));
  bench.statuses = g_hash_table_new (NULL, NULL);
  bench.epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (bench.epoll_fd < 0 ||
      gnutls_certificate_allocate_credentials (&bench.credentials) != GNUTLS_E_SUCCESS)
    g_error ("epoll or gnutls cannot be set up");

  token_file = write_token_file (&bench, work);
  if (token_file == NULL || !run_make_pki (argv[2], pki))
    goto out;
  if (gnutls_certificate_set_x509_trust_file (bench.credentials, ca, GNUTLS_X509_FMT_PEM) < 1)
    {
      g_printerr ("%s cannot be read as a CA certificate\n", ca);
      goto out;
    }

  /* Each client needs a descriptor; the receivers their own limit. */
  {
    struct rlimit descriptors;

    getrlimit (RLIMIT_NOFILE, &descriptors);
    if (descriptors.rlim_cur < bench.n_clients + 64)
      {
        descriptors.rlim_cur = MIN (descriptors.rlim_max, bench.n_clients + 64);
        setrlimit (RLIMIT_NOFILE, &descriptors);
      }
  }

  /* GOption leaves the "--" itself in argv. */
  arguments = receiver_arguments (work, token_file, database,
                                  argv + (argc > 3 && strcmp (argv[3], "--") == 0 ? 4 : 3));
  for (guint i = 0; i < bench.n_instances; i++)
    {
      if (!start_instance (&bench.instances[i], argv[1],
                           (const char * const *) arguments->pdata))
        goto out;
    }

  for (guint i = 0; i < bench.n_clients; i++)
    {
      Client *client = &bench.clients[i];

      client->index = i;
      client->fd = -1;
      client->request = g_string_sized_new (2048);
      client->instance = &bench.instances[i % bench.n_instances];
      set_source_address (client);
    }

  if (bench.max_requests > 0)
    limit = g_strdup_printf (" or %u requests", bench.max_requests);
  store = database != NULL ? g_strdup ("PostgreSQL")
                           : g_strdup_printf ("SQLite (a file in %s)", folder);
  g_print ("bench-receiver: %u keep-alive TLS clients (%s), %u haven-receiver%s on %s, "
           "for %.1f s%s%s\n",
           bench.n_clients,
           bench.same_address ? "all from 127.0.0.1" : "each from its own loopback address",
           bench.n_instances, bench.n_instances > 1 ? "s" : "",
           store,
           bench.seconds, limit != NULL ? limit : "",
           bench.rate > 0 ? ", at a fixed rate" : ", each as fast as answers come");
  if (bench.rate > 0)
    g_print ("rate: %.1f requests a second due\n", bench.rate);

  /* One connection comes and goes first, so that what the receiver sets
   * up once for TLS (its backend, the credentials) is in the idle figure
   * and not spread over the connections. */
  bench.n_clients = 1;
  if (!establish (&bench, FALSE))
    {
      print_errors (&bench);
      goto out;
    }
  close_client (&bench, &bench.clients[0]);
  bench.n_clients = (guint) n_clients;
  idle_rss = settled_rss_kb (&bench);
  if (!establish (&bench, TRUE))
    {
      print_errors (&bench);
      goto out;
    }
  connected_rss = settled_rss_kb (&bench);
  g_print ("memory: receiver%s %" G_GUINT64_FORMAT " kB idle (after one TLS connection came "
           "and went), %" G_GUINT64_FORMAT
           " kB with %u idle TLS connections: %.1f kB per idle connection\n",
           bench.n_instances > 1 ? "s" : "", idle_rss, connected_rss, bench.n_clients,
           ((double) connected_rss - (double) idle_rss) / bench.n_clients);

  receiver_cpu = instances_cpu_seconds (&bench);
  own_cpu = own_cpu_seconds ();
  ok = run_load (&bench);
  receiver_cpu = instances_cpu_seconds (&bench) - receiver_cpu;
  own_cpu = own_cpu_seconds () - own_cpu;
  print_results (&bench, ok, receiver_cpu, own_cpu);

  if (database == NULL && ok)
    {
      g_autofree char *db_path = g_build_filename (work, "receiver.sqlite", NULL);
      gint64 stored = count_stored (db_path);

      if (stored < 0)
        g_print ("stored: not counted, the database cannot be read as expected\n");
      else
        g_print ("stored: %" G_GINT64_FORMAT " requests in the database for %u accepted%s\n",
                 stored, bench.n_accepted, stored == bench.n_accepted ? "" : ": MISMATCH");
      if (stored >= 0 && stored != bench.n_accepted)
        ok = FALSE;
    }

  if (bench.n_accepted == 0)
    {
      g_printerr ("No request was accepted\n");
      ok = FALSE;
    }

out:
  for (guint i = 0; i < bench.n_clients; i++)
    {
      close_client (&bench, &bench.clients[i]);
      g_free (bench.clients[i].token);
      g_free (bench.clients[i].in);
      if (bench.clients[i].request != NULL)
        g_string_free (bench.clients[i].request, TRUE);
    }
  for (guint i = 0; i < bench.n_instances; i++)
    stop_instance (&bench.instances[i]);
  g_free (bench.clients);
  g_array_unref (bench.latencies);
  g_array_unref (bench.idle_clients);
  g_hash_table_unref (bench.statuses);
  gnutls_certificate_free_credentials (bench.credentials);
  close (bench.epoll_fd);
  remove_tree (work);

  return ok ? 0 : 1;
}
