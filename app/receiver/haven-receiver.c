/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <gio/gio.h>
#include <sodium.h>

#include "haven-locale.h"
#include "haven-paths.h"
#include "haven-receiver-credentials-cli.h"
#include "haven-receiver-keypair.h"
#include "haven-receiver-notice-report-cli.h"
#include "haven-receiver-retention-cli.h"
#include "haven-receiver-server.h"
#include "haven-receiver-sqlite-store.h"
#include "haven-receiver-store.h"
#include "haven-receiver-tokens.h"

/* haven-receiver: the reference backend (haven-api-v1.md), for the demo, the
 * integration tests and as a start for integrators.
 *
 * It serves on libmicrohttpd's threads (haven-receiver-server.c); the main
 * loop here only waits for the signals that stop it.
 *
 * Exit status: 0 after a clean stop (SIGINT, SIGTERM), 1 when it cannot
 * start, 2 for a mistake on the command line. `--make-keypair FILE` writes
 * a key pair for sealed bodies instead, and prints its public key;
 * `retention run …` runs one retention pass (haven-receiver-retention-cli.c);
 * `notice-report …` writes the notice report (haven-receiver-notice-report-cli.c).
 *
 * While it serves, the receiver destroys the bodies that are due (see
 * haven_receiver_store_destroy_due_bodies()) at start and hourly. */

#define DEFAULT_LISTEN "127.0.0.1:8443"
#define DEFAULT_PORT 8443

enum {
  EXIT_OK = 0,
  EXIT_FAILURE_TO_START = 1,
  EXIT_USAGE = 2,
};

static gboolean
quit_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

/* Takes "ADDRESS:PORT", "[IPV6]:PORT" or "localhost:PORT". Only an address
 * is accepted, not a host name to resolve, so the receiver listens exactly
 * where the operator said. */
static GInetSocketAddress *
parse_listen_address (const char  *text,
                      GError     **error)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GError) parse_error = NULL;
  const char *host;
  guint16 port;

  connectable = g_network_address_parse (text, DEFAULT_PORT, &parse_error);
  if (connectable == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--listen takes ADDRESS:PORT, not “%s”: %s"), text, parse_error->message);
      return NULL;
    }

  host = g_network_address_get_hostname (G_NETWORK_ADDRESS (connectable));
  port = g_network_address_get_port (G_NETWORK_ADDRESS (connectable));

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    address = g_inet_address_new_from_string (host);

  if (address == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--listen takes an IP address such as 127.0.0.1, not the host name “%s”"),
                   host);
      return NULL;
    }

  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (address, port));
}

/* Writes a new key pair to @path and prints its public key, the value of
 * the kiosks' backend-public-key setting, alone on standard output. */
static int
make_keypair (const char *path)
{
  g_autoptr(HavenReceiverKeypair) keypair = haven_receiver_keypair_generate ();
  g_autoptr(GError) error = NULL;
  g_autofree char *public_key = NULL;

  if (!haven_receiver_keypair_save (keypair, path, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return EXIT_FAILURE_TO_START;
    }

  public_key = haven_receiver_keypair_dup_public_key (keypair);
  g_printerr (_("Wrote a new key pair to %s. Start haven-receiver with --keypair %s, and give "
                "kiosks this public key (their backend-public-key setting):\n"),
              path, path);
  g_print ("%s\n", public_key);

  return EXIT_OK;
}

static int
usage_error (const char *message)
{
  g_autofree char *prgname_help = g_strdup_printf ("%s --help", g_get_prgname ());

  g_printerr ("%s: %s\n", g_get_prgname (), message);
  /* Translators: %s is the command that shows the help, "haven-receiver --help". */
  g_printerr (_("Run “%s” to see the options.\n"), prgname_help);
  return EXIT_USAGE;
}

/* What the command line asked for. */
typedef struct {
  char *listen_text;
  char *certificate_file;
  char *key_file;
  char *ca_file;
  char *db_file;
  char *database_uri;
  char *token_file;
  char *keypair_file;
  char *make_keypair_file;
  char *bundle_file;
  gboolean require_client_certificate;
  gboolean insecure_http;
  gboolean verbose;
  int fail_first;
  int fail_status;
  int retry_after;
  int delay_ms;
  int close_mid_answer;
  int max_connections;
  int max_connections_per_address;
  int timeout_seconds;
  gint64 connection_memory;
  int threads;
  int retention_closed_days;
  int retention_max_days;
} Options;

static void
options_clear (Options *options)
{
  g_clear_pointer (&options->listen_text, g_free);
  g_clear_pointer (&options->certificate_file, g_free);
  g_clear_pointer (&options->key_file, g_free);
  g_clear_pointer (&options->ca_file, g_free);
  g_clear_pointer (&options->db_file, g_free);
  g_clear_pointer (&options->database_uri, g_free);
  g_clear_pointer (&options->token_file, g_free);
  g_clear_pointer (&options->keypair_file, g_free);
  g_clear_pointer (&options->make_keypair_file, g_free);
  g_clear_pointer (&options->bundle_file, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

/* What the server is made of, from the options once checked. */
typedef struct {
  GInetSocketAddress *address;
  GTlsCertificate *certificate;
  GTlsDatabase *client_ca;
  HavenReceiverTokens *tokens;
  HavenReceiverKeypair *keypair;
  HavenReceiverStore *store;
  HavenReceiverServer *server;
  GMainLoop *loop;
  guint sigint_id;
  guint sigterm_id;
  guint retention_id;
  guint retention_closed_days;
  guint retention_max_days;
} Receiver;

static void
receiver_clear (Receiver *receiver)
{
  g_clear_handle_id (&receiver->sigint_id, g_source_remove);
  g_clear_handle_id (&receiver->sigterm_id, g_source_remove);
  g_clear_handle_id (&receiver->retention_id, g_source_remove);
  g_clear_pointer (&receiver->loop, g_main_loop_unref);
  g_clear_object (&receiver->server);
  g_clear_object (&receiver->store);
  g_clear_object (&receiver->keypair);
  g_clear_object (&receiver->tokens);
  g_clear_object (&receiver->client_ca);
  g_clear_object (&receiver->certificate);
  g_clear_object (&receiver->address);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Receiver, receiver_clear)

static void
set_up_locale (void)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, haven_paths_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/* Two tables of options, the plain ones and the faults for tests and
 * demos, read best whole. FALSE with *@status set when the receiver is
 * not to go on. */
static gboolean
parse_options (Options   *options,
               int       *argc,
               char    ***argv,
               int       *status)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  const GOptionEntry entries[] = {
    { "listen", 'l', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options->listen_text,
      N_("Address and port to listen on; port 0 picks a free one (default 127.0.0.1:8443)"),
      N_("ADDRESS:PORT") },
    { "cert", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &options->certificate_file,
      N_("The server’s certificate (PEM), with its chain"), N_("FILE") },
    { "key", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &options->key_file,
      N_("The server’s private key (PEM)"), N_("FILE") },
    { "ca", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &options->ca_file,
      N_("CA certificates (PEM) that sign the kiosks’ client certificates"), N_("FILE") },
    { "require-client-cert", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE,
      &options->require_client_certificate,
      N_("Refuse kiosks without a client certificate signed by --ca"), NULL },
    { "db", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &options->db_file,
      N_("The SQLite database of received requests (created when missing)"), N_("FILE") },
    { "database", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options->database_uri,
      N_("The PostgreSQL database of received requests, which several receivers may share"),
      N_("postgresql://…") },
    { "insecure-http", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &options->insecure_http,
      N_("Serve plain HTTP instead of HTTPS, on a loopback address only (for tests)"), NULL },
    { "token-file", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &options->token_file,
      N_("Accept only kiosks that send one of the bearer tokens in FILE, one a line"),
      N_("FILE") },
    { "keypair", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &options->keypair_file,
      N_("Open sealed bodies with the key pair in FILE"), N_("FILE") },
    { "make-keypair", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME,
      &options->make_keypair_file,
      N_("Write a new key pair to FILE, print its public key for the kiosks, and exit"),
      N_("FILE") },
    { "bundle", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &options->bundle_file,
      N_("Serve kiosks the signed bundle of directory and content in FILE at /v1/bundle, "
         "as “havenctl bundle make” writes it; a new one renamed over it is served at once"),
      N_("FILE") },
    { "retention-closed-days", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT,
      &options->retention_closed_days,
      N_("Destroy the body of a closed case this many days after it was closed (default 90)"),
      N_("DAYS") },
    { "retention-max-days", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT,
      &options->retention_max_days,
      N_("Destroy the body of any case this many days after it was received (default 365)"),
      N_("DAYS") },
    { "verbose", 'v', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &options->verbose,
      N_("Log one line a request: method, path, status and request_id, never its contents"),
      NULL },
    G_OPTION_ENTRY_NULL
  };
  const GOptionEntry limit_entries[] = {
    { "max-connections", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &options->max_connections,
      N_("Open connections at most, from all clients (default 1000)"), N_("N") },
    { "max-connections-per-address", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT,
      &options->max_connections_per_address,
      N_("Open connections at most from one address (default 64)"), N_("N") },
    { "timeout", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &options->timeout_seconds,
      N_("Close a connection that stays silent this long, in the TLS handshake or between "
         "requests (default 15)"), N_("SECONDS") },
    { "connection-memory", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT64,
      &options->connection_memory,
      N_("Memory for one connection’s request line and headers; larger headers are refused "
         "(default 32768, at least 8192)"), N_("BYTES") },
    { "threads", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &options->threads,
      N_("Threads that serve connections, 1 to 64 (default 4)"), N_("N") },
    G_OPTION_ENTRY_NULL
  };
  const GOptionEntry fault_entries[] = {
    { "fail-first", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &options->fail_first,
      N_("Answer the first N submissions with 503 (or --fail-status) and Retry-After"),
      N_("N") },
    { "fail-status", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &options->fail_status,
      N_("The status --fail-first answers with, 400 to 599 (default 503)"), N_("CODE") },
    { "retry-after", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &options->retry_after,
      N_("The Retry-After seconds of --fail-first’s 503 and 429 answers (default 1)"),
      N_("SECONDS") },
    { "delay-ms", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &options->delay_ms,
      N_("Hold every answer back this long; a submission holds its key meanwhile"),
      N_("MS") },
    { "close-mid-answer", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &options->close_mid_answer,
      N_("Store the first N submissions, then close the connection in the middle of "
         "the answer"), N_("N") },
    G_OPTION_ENTRY_NULL
  };
  GOptionGroup *fault_group;

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("The reference backend for Haven kiosks: answers the Haven "
                                  "API over HTTPS and keeps what it receives in a database."));
  description = g_strconcat (_("Once listening, prints “listening on URL” on standard "
                                "output. Stops cleanly on SIGINT or SIGTERM."),
                              "\n\n",
                              _("Operators also run “haven-receiver credentials add|list|revoke”, "
                                "“haven-receiver audit verify”, “haven-receiver retention "
                                "run” and “haven-receiver notice-report --from DAY --to DAY”, "
                                "each with --help."),
                              NULL);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  /* The limits are listed by --help itself: an operator should see them
   * before putting the receiver on the internet. */
  g_option_context_add_main_entries (context, limit_entries, GETTEXT_PACKAGE);
  fault_group = g_option_group_new ("faults", _("Faults, for tests and demos:"),
                                    _("Show the options that play faults"), NULL, NULL);
  g_option_group_set_translation_domain (fault_group, GETTEXT_PACKAGE);
  g_option_group_add_entries (fault_group, fault_entries);
  g_option_context_add_group (context, fault_group);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = usage_error (error->message);
      return FALSE;
    }

  if (*argc > 1)
    {
      *status = usage_error (_("Unexpected arguments"));
      return FALSE;
    }

  return TRUE;
}

/* The usage mistake in @options, or NULL; a chain of checks that reads
 * best whole. */
static const char *
check_options (const Options *options)
{
  if ((options->db_file == NULL) == (options->database_uri == NULL))
    return _("Either --db or --database is required, not both");

  if (options->database_uri != NULL && !haven_receiver_store_is_uri (options->database_uri))
    return _("--database takes a URI that starts with postgresql:// or postgres://");

  if (options->insecure_http &&
      (options->certificate_file != NULL || options->key_file != NULL ||
       options->ca_file != NULL))
    return _("--insecure-http cannot be combined with --cert, --key or --ca");

  if (!options->insecure_http && (options->certificate_file == NULL || options->key_file == NULL))
    return _("--cert and --key are required (or --insecure-http, for tests on loopback)");

  if (options->require_client_certificate && options->ca_file == NULL)
    return _("--require-client-cert needs --ca");

  if (options->fail_first < 0 || options->retry_after < 0 || options->delay_ms < 0 ||
      options->close_mid_answer < 0)
    return _("--fail-first, --retry-after, --delay-ms and --close-mid-answer "
             "take a number of zero or more");

  if (options->fail_status != 0 && (options->fail_status < 400 || options->fail_status > 599))
    return _("--fail-status takes an HTTP error status, 400 to 599");

  if (options->fail_status != 0 && options->fail_first == 0)
    return _("--fail-status needs --fail-first");

  if (options->max_connections <= 0 || options->max_connections_per_address <= 0 ||
      options->timeout_seconds <= 0)
    return _("--max-connections, --max-connections-per-address and --timeout take a number "
             "above zero");

  if (options->connection_memory < HAVEN_RECEIVER_MIN_CONNECTION_MEMORY ||
      options->connection_memory > G_MAXINT32)
    return _("--connection-memory takes a number of bytes, at least 8192");

  if (options->threads < 1 || options->threads > HAVEN_RECEIVER_MAX_THREADS)
    return _("--threads takes a number from 1 to 64");

  if (haven_receiver_retention_check_days (options->retention_closed_days,
                                           options->retention_max_days) != NULL)
    return haven_receiver_retention_check_days (options->retention_closed_days,
                                                options->retention_max_days);

  return NULL;
}

/* A file that holds a secret (a token, a private key) must be the
 * running user's own and unreadable by anyone else, as ssh demands of a
 * private key: otherwise the secret is not one. A file that cannot be
 * looked at is left to its loader, which says why. */
static gboolean
check_private_file (const char  *path,
                    GError     **error)
{
  GStatBuf info;

  if (g_stat (path, &info) != 0)
    return TRUE;

  if (info.st_uid != getuid ())
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                   _("%s belongs to another user; it must be this user’s own and readable by "
                     "it only: chown %u %s; chmod 600 %s"),
                   path, (guint) getuid (), path, path);
      return FALSE;
    }

  if ((info.st_mode & 077) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                   _("%s may be read or changed by others (mode %03o); make it readable by "
                     "its owner only: chmod 600 %s"),
                   path, (guint) (info.st_mode & 0777), path);
      return FALSE;
    }

  return TRUE;
}

/* The server's certificate and the CA of the kiosks' certificates; says
 * what is wrong itself, in the words the operator knows. */
static gboolean
load_certificates (const Options *options,
                   Receiver      *receiver)
{
  g_autoptr(GError) error = NULL;

  if (!options->insecure_http)
    {
      if (!check_private_file (options->key_file, &error))
        {
          g_printerr ("%s: %s\n", g_get_prgname (), error->message);
          return FALSE;
        }

      receiver->certificate = g_tls_certificate_new_from_files (options->certificate_file,
                                                                options->key_file, &error);
      if (receiver->certificate == NULL)
        {
          g_printerr (_("%s: the certificate or key cannot be used: %s\n"),
                      g_get_prgname (), error->message);
          return FALSE;
        }
    }

  if (options->ca_file != NULL)
    {
      /* glib-networking only warns about a relative path and then fails
       * every verification, so make it absolute. */
      g_autofree char *absolute_ca_file = g_canonicalize_filename (options->ca_file, NULL);

      receiver->client_ca = g_tls_file_database_new (absolute_ca_file, &error);
      if (receiver->client_ca == NULL)
        {
          g_printerr (_("%s: the CA file cannot be used: %s\n"), g_get_prgname (), error->message);
          return FALSE;
        }
    }

  return TRUE;
}

/* The kiosks' bearer tokens and the key pair for sealed bodies. */
static gboolean
load_keys_and_tokens (const Options  *options,
                      Receiver       *receiver,
                      GError        **error)
{
  if (options->token_file != NULL)
    {
      if (!check_private_file (options->token_file, error))
        return FALSE;
      receiver->tokens = haven_receiver_tokens_load (options->token_file, error);
      if (receiver->tokens == NULL)
        return FALSE;
    }

  if (options->keypair_file != NULL)
    {
      if (!check_private_file (options->keypair_file, error))
        return FALSE;
      receiver->keypair = haven_receiver_keypair_load (options->keypair_file, error);
      if (receiver->keypair == NULL)
        return FALSE;
    }

  return TRUE;
}

static gboolean
open_store (const Options  *options,
            Receiver       *receiver,
            GError        **error)
{
  /* --db is a file whatever its name looks like; --database was checked
   * to be a PostgreSQL URI. */
  if (options->db_file != NULL)
    receiver->store = HAVEN_RECEIVER_STORE (haven_receiver_sqlite_store_open (options->db_file,
                                                                              error));
  else
    receiver->store = haven_receiver_store_open (options->database_uri, error);

  return receiver->store != NULL;
}

/* Each connection is a descriptor: let the process have enough for
 * --max-connections and its own files, as far as the hard limit allows,
 * so that the limit that bites is the receiver's and not the system's. */
static void
raise_descriptor_limit (guint max_connections)
{
  struct rlimit limit;
  rlim_t wanted = (rlim_t) max_connections + 64;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= wanted)
    return;

  limit.rlim_cur = MIN (wanted, limit.rlim_max);
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    g_warning ("The limit of open files cannot be raised: %s", g_strerror (errno));
  if (limit.rlim_cur < wanted)
    g_message ("Only %lu files may be open, fewer than --max-connections needs",
               (unsigned long) limit.rlim_cur);
}

static gboolean
start_server (const Options  *options,
              Receiver       *receiver,
              GError        **error)
{
  HavenReceiverFaults faults = { 0, };
  HavenReceiverLimits limits;
  g_autofree char *url = NULL;

  /* Before the "listening" line: whoever reads it may stop us at once, and
   * until these are in place SIGTERM would kill rather than stop. */
  receiver->loop = g_main_loop_new (NULL, FALSE);
  receiver->sigint_id = g_unix_signal_add (SIGINT, quit_cb, receiver->loop);
  receiver->sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, receiver->loop);

  receiver->server = haven_receiver_server_new (receiver->store, receiver->certificate,
                                                receiver->client_ca,
                                                options->require_client_certificate);
  haven_receiver_server_set_tokens (receiver->server, receiver->tokens);
  haven_receiver_server_set_keypair (receiver->server, receiver->keypair);
  haven_receiver_server_set_verbose (receiver->server, options->verbose);
  haven_receiver_server_set_bundle (receiver->server, options->bundle_file);
  faults.fail_first = (guint) options->fail_first;
  faults.fail_status = (guint) options->fail_status;
  faults.retry_after = (guint) options->retry_after;
  faults.delay_ms = (guint) options->delay_ms;
  faults.close_mid_answer = (guint) options->close_mid_answer;
  haven_receiver_server_set_faults (receiver->server, &faults);
  haven_receiver_server_limits_init (&limits);
  limits.max_connections = (guint) options->max_connections;
  limits.max_connections_per_address = (guint) options->max_connections_per_address;
  limits.timeout_seconds = (guint) options->timeout_seconds;
  limits.connection_memory = (gsize) options->connection_memory;
  limits.threads = (guint) options->threads;
  haven_receiver_server_set_limits (receiver->server, &limits);
  raise_descriptor_limit (limits.max_connections);
  if (!haven_receiver_server_listen (receiver->server, receiver->address, error))
    return FALSE;

  /* Tests and scripts start the receiver on port 0 and read this line to
   * learn the port, so it must be out before they wait for it. */
  url = haven_receiver_server_dup_url (receiver->server);
  g_print ("listening on %s\n", url);
  fflush (stdout);

  return TRUE;
}

/* A retention pass; one that fails is logged, and the next is in an
 * hour: serving goes on, as the bodies are only kept longer. */
static gboolean
retention_cb (gpointer user_data)
{
  Receiver *receiver = user_data;
  g_autoptr(GError) error = NULL;

  if (!haven_receiver_retention_run (receiver->store, g_get_real_time () / G_USEC_PER_SEC,
                                     receiver->retention_closed_days,
                                     receiver->retention_max_days, NULL, &error))
    g_message ("Retention: %s", error->message);

  return G_SOURCE_CONTINUE;
}

/* At start, before serving, then hourly in the main loop: a pass is a
 * few statements on the store, which the server's own calls wait for
 * anyway. */
static void
start_retention (const Options *options,
                 Receiver      *receiver)
{
  receiver->retention_closed_days = (guint) options->retention_closed_days;
  receiver->retention_max_days = (guint) options->retention_max_days;
  retention_cb (receiver);
  receiver->retention_id = g_timeout_add_seconds (HAVEN_RECEIVER_RETENTION_INTERVAL_SECONDS,
                                                  retention_cb, receiver);
}

/* Until SIGINT or SIGTERM. */
static void
run (Receiver *receiver)
{
  g_main_loop_run (receiver->loop);

  g_clear_handle_id (&receiver->sigint_id, g_source_remove);
  g_clear_handle_id (&receiver->sigterm_id, g_source_remove);
  haven_receiver_server_disconnect (receiver->server);
}

static int
failure_to_start (const GError *error)
{
  g_printerr ("%s: %s\n", g_get_prgname (), error->message);
  return EXIT_FAILURE_TO_START;
}

int
main (int   argc,
      char *argv[])
{
  g_auto(Options) options = {
    .retry_after = 1,
    .max_connections = HAVEN_RECEIVER_DEFAULT_MAX_CONNECTIONS,
    .max_connections_per_address = HAVEN_RECEIVER_DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    .timeout_seconds = HAVEN_RECEIVER_DEFAULT_TIMEOUT_SECONDS,
    .connection_memory = HAVEN_RECEIVER_DEFAULT_CONNECTION_MEMORY,
    .threads = HAVEN_RECEIVER_DEFAULT_THREADS,
    .retention_closed_days = HAVEN_RECEIVER_RETENTION_CLOSED_DAYS,
    .retention_max_days = HAVEN_RECEIVER_RETENTION_MAX_DAYS,
  };
  g_auto(Receiver) receiver = { 0, };
  g_autoptr(GError) error = NULL;
  const char *mistake;
  int status;

  set_up_locale ();
  g_set_prgname ("haven-receiver");

  /* A command word first; haven-receiver.c only dispatches it. */
  if (argc >= 2 && g_str_equal (argv[1], "retention"))
    return haven_receiver_retention_main (argc - 1, argv + 1);
  /* The operator's commands on the database (haven-receiver-credentials-cli.c). */
  if (argc > 1 && g_str_equal (argv[1], "credentials"))
    return haven_receiver_credentials_main (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "audit"))
    return haven_receiver_audit_main (argc - 1, argv + 1);
  /* The trusted flagger's report, without the desk. */
  if (argc > 1 && g_str_equal (argv[1], "notice-report"))
    return haven_receiver_notice_report_main (argc - 1, argv + 1);

  if (!parse_options (&options, &argc, &argv, &status))
    return status;

  /* Before anything uses libsodium; it fails only without a source of
   * randomness. */
  if (sodium_init () < 0)
    {
      g_printerr (_("%s: libsodium cannot be initialised\n"), g_get_prgname ());
      return EXIT_FAILURE_TO_START;
    }

  if (options.make_keypair_file != NULL)
    {
      if (options.db_file != NULL || options.database_uri != NULL ||
          options.listen_text != NULL ||
          options.certificate_file != NULL || options.key_file != NULL ||
          options.ca_file != NULL || options.keypair_file != NULL || options.token_file != NULL)
        return usage_error (_("--make-keypair is used on its own"));

      return make_keypair (options.make_keypair_file);
    }

  mistake = check_options (&options);
  if (mistake != NULL)
    return usage_error (mistake);

  receiver.address = parse_listen_address (options.listen_text != NULL ? options.listen_text
                                                                       : DEFAULT_LISTEN,
                                           &error);
  if (receiver.address == NULL)
    return usage_error (error->message);

  if (!load_certificates (&options, &receiver))
    return EXIT_FAILURE_TO_START;

  if (!load_keys_and_tokens (&options, &receiver, &error) ||
      !open_store (&options, &receiver, &error))
    return failure_to_start (error);

  start_retention (&options, &receiver);

  if (!start_server (&options, &receiver, &error))
    return failure_to_start (error);

  run (&receiver);

  return EXIT_OK;
}
