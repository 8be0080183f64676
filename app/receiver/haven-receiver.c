/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gio.h>
#include <sodium.h>

#include "haven-locale.h"
#include "haven-paths.h"
#include "haven-receiver-keypair.h"
#include "haven-receiver-server.h"
#include "haven-receiver-store.h"
#include "haven-receiver-tokens.h"

/* haven-receiver: the reference backend (haven-api-v1.md), for the demo, the
 * integration tests and as a start for integrators.
 *
 * Exit status: 0 after a clean stop (SIGINT, SIGTERM), 1 when it cannot
 * start, 2 for a mistake on the command line. `--make-keypair FILE` writes
 * a key pair for sealed bodies instead, and prints its public key. */

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
  /* TRANSLATORS: %s is the command that shows the help, "haven-receiver --help". */
  g_printerr (_("Run “%s” to see the options.\n"), prgname_help);
  return EXIT_USAGE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetSocketAddress) address = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GTlsDatabase) client_ca = NULL;
  g_autoptr(HavenReceiverStore) store = NULL;
  g_autoptr(HavenReceiverServer) receiver = NULL;
  g_autoptr(HavenReceiverKeypair) keypair = NULL;
  g_autoptr(HavenReceiverTokens) tokens = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *listen_text = NULL;
  g_autofree char *certificate_file = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *db_file = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *keypair_file = NULL;
  g_autofree char *make_keypair_file = NULL;
  g_autofree char *url = NULL;
  gboolean require_client_certificate = FALSE;
  gboolean insecure_http = FALSE;
  gboolean verbose = FALSE;
  int fail_first = 0;
  int fail_status = 0;
  int retry_after = 1;
  int delay_ms = 0;
  int close_mid_answer = 0;
  HavenReceiverFaults faults = { 0, };
  guint sigint_id;
  guint sigterm_id;
  const GOptionEntry entries[] = {
    { "listen", 'l', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &listen_text,
      N_("Address and port to listen on; port 0 picks a free one (default 127.0.0.1:8443)"),
      N_("ADDRESS:PORT") },
    { "cert", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &certificate_file,
      N_("The server’s certificate (PEM), with its chain"), N_("FILE") },
    { "key", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &key_file,
      N_("The server’s private key (PEM)"), N_("FILE") },
    { "ca", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &ca_file,
      N_("CA certificates (PEM) that sign the kiosks’ client certificates"), N_("FILE") },
    { "require-client-cert", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE,
      &require_client_certificate,
      N_("Refuse kiosks without a client certificate signed by --ca"), NULL },
    { "db", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &db_file,
      N_("The SQLite database of received requests (created when missing)"), N_("FILE") },
    { "insecure-http", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &insecure_http,
      N_("Serve plain HTTP instead of HTTPS, on a loopback address only (for tests)"), NULL },
    { "token-file", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &token_file,
      N_("Accept only kiosks that send one of the bearer tokens in FILE, one a line"),
      N_("FILE") },
    { "keypair", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &keypair_file,
      N_("Open sealed bodies with the key pair in FILE"), N_("FILE") },
    { "make-keypair", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &make_keypair_file,
      N_("Write a new key pair to FILE, print its public key for the kiosks, and exit"),
      N_("FILE") },
    { "verbose", 'v', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &verbose,
      N_("Log one line a request: method, path, status and request_id, never its contents"),
      NULL },
    G_OPTION_ENTRY_NULL
  };
  const GOptionEntry fault_entries[] = {
    { "fail-first", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &fail_first,
      N_("Answer the first N submissions with 503 (or --fail-status) and Retry-After"),
      N_("N") },
    { "fail-status", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &fail_status,
      N_("The status --fail-first answers with, 400 to 599 (default 503)"), N_("CODE") },
    { "retry-after", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &retry_after,
      N_("The Retry-After seconds of --fail-first’s 503 and 429 answers (default 1)"),
      N_("SECONDS") },
    { "delay-ms", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &delay_ms,
      N_("Hold every answer back this long; a submission holds its key meanwhile"),
      N_("MS") },
    { "close-mid-answer", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &close_mid_answer,
      N_("Store the first N submissions, then close the connection in the middle of "
         "the answer"), N_("N") },
    G_OPTION_ENTRY_NULL
  };
  GOptionGroup *fault_group;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, haven_paths_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_prgname ("haven-receiver");

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("The reference backend for Haven kiosks: answers the Haven "
                                  "API over HTTPS and keeps what it receives in a database."));
  g_option_context_set_description (context,
                                    _("Once listening, prints “listening on URL” on standard "
                                      "output. Stops cleanly on SIGINT or SIGTERM."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  fault_group = g_option_group_new ("faults", _("Faults, for tests and demos:"),
                                    _("Show the options that play faults"), NULL, NULL);
  g_option_group_set_translation_domain (fault_group, GETTEXT_PACKAGE);
  g_option_group_add_entries (fault_group, fault_entries);
  g_option_context_add_group (context, fault_group);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);

  if (argc > 1)
    return usage_error (_("Unexpected arguments"));

  /* Before anything uses libsodium; it fails only without a source of
   * randomness. */
  if (sodium_init () < 0)
    {
      g_printerr (_("%s: libsodium cannot be initialised\n"), g_get_prgname ());
      return EXIT_FAILURE_TO_START;
    }

  if (make_keypair_file != NULL)
    {
      if (db_file != NULL || listen_text != NULL || certificate_file != NULL ||
          key_file != NULL || ca_file != NULL || keypair_file != NULL || token_file != NULL)
        return usage_error (_("--make-keypair is used on its own"));

      return make_keypair (make_keypair_file);
    }

  if (db_file == NULL)
    return usage_error (_("--db is required"));

  if (insecure_http && (certificate_file != NULL || key_file != NULL || ca_file != NULL))
    return usage_error (_("--insecure-http cannot be combined with --cert, --key or --ca"));

  if (!insecure_http && (certificate_file == NULL || key_file == NULL))
    return usage_error (_("--cert and --key are required "
                          "(or --insecure-http, for tests on loopback)"));

  if (require_client_certificate && ca_file == NULL)
    return usage_error (_("--require-client-cert needs --ca"));

  if (fail_first < 0 || retry_after < 0 || delay_ms < 0 || close_mid_answer < 0)
    return usage_error (_("--fail-first, --retry-after, --delay-ms and --close-mid-answer "
                          "take a number of zero or more"));

  if (fail_status != 0 && (fail_status < 400 || fail_status > 599))
    return usage_error (_("--fail-status takes an HTTP error status, 400 to 599"));

  if (fail_status != 0 && fail_first == 0)
    return usage_error (_("--fail-status needs --fail-first"));

  address = parse_listen_address (listen_text != NULL ? listen_text : DEFAULT_LISTEN, &error);
  if (address == NULL)
    return usage_error (error->message);

  if (!insecure_http)
    {
      certificate = g_tls_certificate_new_from_files (certificate_file, key_file, &error);
      if (certificate == NULL)
        {
          g_printerr (_("%s: the certificate or key cannot be used: %s\n"),
                      g_get_prgname (), error->message);
          return EXIT_FAILURE_TO_START;
        }
    }

  if (ca_file != NULL)
    {
      /* glib-networking only warns about a relative path and then fails
       * every verification, so make it absolute. */
      g_autofree char *absolute_ca_file = g_canonicalize_filename (ca_file, NULL);

      client_ca = g_tls_file_database_new (absolute_ca_file, &error);
      if (client_ca == NULL)
        {
          g_printerr (_("%s: the CA file cannot be used: %s\n"), g_get_prgname (), error->message);
          return EXIT_FAILURE_TO_START;
        }
    }

  if (token_file != NULL)
    {
      tokens = haven_receiver_tokens_load (token_file, &error);
      if (tokens == NULL)
        {
          g_printerr ("%s: %s\n", g_get_prgname (), error->message);
          return EXIT_FAILURE_TO_START;
        }
    }

  if (keypair_file != NULL)
    {
      keypair = haven_receiver_keypair_load (keypair_file, &error);
      if (keypair == NULL)
        {
          g_printerr ("%s: %s\n", g_get_prgname (), error->message);
          return EXIT_FAILURE_TO_START;
        }
    }

  store = haven_receiver_store_open (db_file, &error);
  if (store == NULL)
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return EXIT_FAILURE_TO_START;
    }

  /* Before the "listening" line: whoever reads it may stop us at once, and
   * until these are in place SIGTERM would kill rather than stop. */
  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);

  receiver = haven_receiver_server_new (store, certificate, client_ca, require_client_certificate);
  haven_receiver_server_set_tokens (receiver, tokens);
  haven_receiver_server_set_keypair (receiver, keypair);
  haven_receiver_server_set_verbose (receiver, verbose);
  faults.fail_first = (guint) fail_first;
  faults.fail_status = (guint) fail_status;
  faults.retry_after = (guint) retry_after;
  faults.delay_ms = (guint) delay_ms;
  faults.close_mid_answer = (guint) close_mid_answer;
  haven_receiver_server_set_faults (receiver, &faults);
  if (!haven_receiver_server_listen (receiver, address, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return EXIT_FAILURE_TO_START;
    }

  /* Tests and scripts start the receiver on port 0 and read this line to
   * learn the port, so it must be out before they wait for it. */
  url = haven_receiver_server_dup_url (receiver);
  g_print ("listening on %s\n", url);
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  haven_receiver_server_disconnect (receiver);

  return EXIT_OK;
}
