/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <sodium.h>

#include "haven-receiver-credentials-cli.h"
#include "haven-receiver-sqlite-store.h"
#include "haven-receiver-store.h"

/* The organisation's IT issues and revokes credentials with these, on the
 * receivers' database (haven-caseworker-api-v1.md, "Credentials"):
 *
 *   haven-receiver credentials add --role caseworker --name NAME --db FILE
 *   haven-receiver credentials list --db FILE
 *   haven-receiver credentials revoke NAME --db FILE
 *   haven-receiver audit verify --db FILE
 *
 * (or --database postgresql://… for each). A new token is 32 random
 * bytes, base64url: it is printed once, alone on standard output, and
 * only its SHA-256 is stored. Every receiver reads the credentials from
 * the database on each request, so a revocation counts at once. Adding
 * and revoking are written to the audit log, as "operator:USER". */

enum {
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
};

#define TOKEN_BYTES 32
#define MAX_NAME_LENGTH 64

typedef struct {
  char *role;
  char *name;
  char *db_file;
  char *database_uri;
} Options;

static void
options_clear (Options *options)
{
  g_clear_pointer (&options->role, g_free);
  g_clear_pointer (&options->name, g_free);
  g_clear_pointer (&options->db_file, g_free);
  g_clear_pointer (&options->database_uri, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

static int
usage_error (const char *command,
             const char *message)
{
  g_printerr ("%s %s: %s\n", g_get_prgname (), command, message);
  /* Translators: %s is the command that shows the help, "haven-receiver --help". */
  g_printerr (_("Run “%s” to see the options.\n"), "haven-receiver credentials --help");
  return EXIT_USAGE;
}

/* Names go in the audit log and in list's columns: plain ones only. */
static gboolean
is_name (const char *name)
{
  gsize length = strlen (name);

  if (length == 0 || length > MAX_NAME_LENGTH)
    return FALSE;

  for (const char *c = name; *c != '\0'; c++)
    {
      if (!g_ascii_isalnum (*c) && strchr ("._@-", *c) == NULL)
        return FALSE;
    }

  return TRUE;
}

static gboolean
parse (const char  *command,
       Options     *options,
       int         *argc,
       char      ***argv,
       int         *status)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "role", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options->role,
      N_("kiosk or caseworker (for add)"), N_("ROLE") },
    { "name", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options->name,
      N_("Whose credential it is: letters, digits and . _ @ - (for add)"), N_("NAME") },
    { "db", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &options->db_file,
      N_("The receivers’ SQLite database"), N_("FILE") },
    { "database", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options->database_uri,
      N_("The receivers’ PostgreSQL database"), N_("postgresql://…") },
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new (g_str_equal (command, "audit") ? "verify"
                                                                 : "add | list | revoke NAME");
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = usage_error (command, error->message);
      return FALSE;
    }

  if ((options->db_file == NULL) == (options->database_uri == NULL))
    {
      *status = usage_error (command, _("Either --db or --database is required, not both"));
      return FALSE;
    }

  if (options->database_uri != NULL && !haven_receiver_store_is_uri (options->database_uri))
    {
      *status = usage_error (command,
                             _("--database takes a URI that starts with postgresql:// or "
                               "postgres://"));
      return FALSE;
    }

  return TRUE;
}

static HavenReceiverStore *
open_store (const Options *options)
{
  g_autoptr(GError) error = NULL;
  HavenReceiverStore *store;

  /* --db is a file whatever its name looks like, as for the receiver. */
  if (options->db_file != NULL)
    store = HAVEN_RECEIVER_STORE (haven_receiver_sqlite_store_open (options->db_file, &error));
  else
    store = haven_receiver_store_open (options->database_uri, &error);
  if (store == NULL)
    g_printerr ("%s: %s\n", g_get_prgname (), error->message);

  return store;
}

static char *
operator_name (void)
{
  return g_strdup_printf ("operator:%s", g_get_user_name ());
}

static gboolean
audit (HavenReceiverStore *store,
       const char         *action,
       const char         *name)
{
  g_autofree char *actor = operator_name ();
  g_autofree char *what = g_strdup_printf ("%s:%s", action, name);
  g_autoptr(GError) error = NULL;

  if (!haven_receiver_store_append_audit (store, actor, "operator", what, NULL, "local", 0,
                                          &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return FALSE;
    }

  return TRUE;
}

static int
add (const Options *options)
{
  g_autoptr(HavenReceiverStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token_sha256 = NULL;
  guint8 secret[TOKEN_BYTES];
  char token[sodium_base64_ENCODED_LEN (TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

  if (options->role == NULL ||
      (!g_str_equal (options->role, "kiosk") && !g_str_equal (options->role, "caseworker")))
    return usage_error ("credentials", _("add needs --role kiosk or --role caseworker"));

  if (options->name == NULL || !is_name (options->name))
    return usage_error ("credentials",
                        _("add needs --name with up to 64 letters, digits and . _ @ -"));

  store = open_store (options);
  if (store == NULL)
    return EXIT_FAILED;

  randombytes_buf (secret, sizeof secret);
  sodium_bin2base64 (token, sizeof token, secret, sizeof secret,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (secret, sizeof secret);
  token_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);

  if (!haven_receiver_store_add_credential (store, options->name, options->role, token_sha256,
                                            &error))
    {
      if (g_error_matches (error, HAVEN_RECEIVER_STORE_ERROR,
                           HAVEN_RECEIVER_STORE_ERROR_DUPLICATE))
        g_printerr (_("%s: there is a credential named “%s” already, valid or revoked; "
                      "choose another name\n"), g_get_prgname (), options->name);
      else
        g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      sodium_memzero (token, sizeof token);
      return EXIT_FAILED;
    }

  if (!audit (store, "credential-add", options->name))
    {
      sodium_memzero (token, sizeof token);
      return EXIT_FAILED;
    }

  g_printerr (_("Added the credential “%s” (role %s). Its token follows, shown this once "
                "only: give it to its holder by a safe way.\n"), options->name, options->role);
  g_print ("%s\n", token);
  fflush (stdout);
  sodium_memzero (token, sizeof token);

  return EXIT_OK;
}

static int
list (const Options *options)
{
  g_autoptr(HavenReceiverStore) store = open_store (options);
  g_autoptr(GPtrArray) credentials = NULL;
  g_autoptr(GError) error = NULL;

  if (store == NULL)
    return EXIT_FAILED;

  credentials = haven_receiver_store_list_credentials (store, &error);
  if (credentials == NULL)
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return EXIT_FAILED;
    }

  /* Columns for people and for scripts alike: tab-separated. */
  g_print ("name\trole\tissued_at\trevoked_at\n");
  for (guint i = 0; i < credentials->len; i++)
    {
      HavenReceiverCredential *credential = g_ptr_array_index (credentials, i);

      g_print ("%s\t%s\t%s\t%s\n", credential->name, credential->role, credential->issued_at,
               credential->revoked_at != NULL ? credential->revoked_at : "-");
    }

  return EXIT_OK;
}

static int
revoke (const Options *options,
        const char    *name)
{
  g_autoptr(HavenReceiverStore) store = open_store (options);
  g_autoptr(GError) error = NULL;
  gboolean revoked = FALSE;

  if (store == NULL)
    return EXIT_FAILED;

  if (!haven_receiver_store_revoke_credential (store, name, &revoked, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return EXIT_FAILED;
    }

  if (!revoked)
    {
      g_printerr (_("%s: there is no valid credential named “%s”\n"), g_get_prgname (), name);
      return EXIT_FAILED;
    }

  if (!audit (store, "credential-revoke", name))
    return EXIT_FAILED;

  g_printerr (_("Revoked the credential “%s”: every receiver on this database refuses it "
                "from now on.\n"), name);
  return EXIT_OK;
}

/**
 * haven_receiver_credentials_main:
 *
 * `haven-receiver credentials …`: @argv[0] is "credentials".
 */
int
haven_receiver_credentials_main (int    argc,
                                 char **argv)
{
  g_auto(Options) options = { 0, };
  int status = EXIT_OK;

  if (!parse ("credentials", &options, &argc, &argv, &status))
    return status;

  if (sodium_init () < 0)
    {
      g_printerr (_("%s: libsodium cannot be initialised\n"), g_get_prgname ());
      return EXIT_FAILED;
    }

  if (argc == 2 && g_str_equal (argv[1], "add"))
    return add (&options);
  if (argc == 2 && g_str_equal (argv[1], "list"))
    return list (&options);
  if (argc == 3 && g_str_equal (argv[1], "revoke"))
    return revoke (&options, argv[2]);

  return usage_error ("credentials", _("Say add, list or revoke NAME"));
}

/**
 * haven_receiver_audit_main:
 *
 * `haven-receiver audit verify`: reads the whole audit log and checks
 * each row's hash and its link to the row before. Exit status 1, naming
 * the first broken row, when one was changed or removed.
 */
int
haven_receiver_audit_main (int    argc,
                           char **argv)
{
  g_auto(Options) options = { 0, };
  g_autoptr(HavenReceiverStore) store = NULL;
  g_autoptr(GError) error = NULL;
  guint64 n_rows = 0;
  gint64 bad_id = -1;
  int status = EXIT_OK;

  if (!parse ("audit", &options, &argc, &argv, &status))
    return status;

  if (argc != 2 || !g_str_equal (argv[1], "verify"))
    return usage_error ("audit", _("Say verify"));

  store = open_store (&options);
  if (store == NULL)
    return EXIT_FAILED;

  if (!haven_receiver_store_verify_audit (store, &n_rows, &bad_id, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return EXIT_FAILED;
    }

  if (bad_id >= 0)
    {
      g_autofree char *row = g_strdup_printf ("%" G_GINT64_FORMAT, bad_id);

      g_print (_("The audit log is broken at row %s: that row, or one before it, was changed "
                 "or removed.\n"), row);
      return EXIT_FAILED;
    }

  {
    g_autofree char *rows = g_strdup_printf ("%" G_GUINT64_FORMAT, n_rows);

    g_print (_("The audit log is whole, each row chained to the one before. Rows checked: "
               "%s\n"), rows);
  }
  return EXIT_OK;
}
