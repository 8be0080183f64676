/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receiver-process"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <sqlite3.h>

#include "haven-tls-pin.h"
#include "receiver-process.h"
#include "test-files.h"

/* Made once per test program: make-pki.sh costs a few openssl calls. */
static char *work_dir;
static guint receiver_count;

const char *
require_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || value[0] == '\0')
    g_error ("%s is not set: run this test through `meson test`", name);

  return value;
}

/**
 * work_dir_init:
 *
 * Call first in main(), before g_test_init(): it also sets the process
 * environment, which is only safe while there is a single thread.
 */
void
work_dir_init (const char *test_name)
{
  g_autoptr(GSubprocess) script = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *template = g_strconcat ("haven-", test_name, "-XXXXXX", NULL);

  /* Whatever proxy the machine has configured, these requests go straight
   * to 127.0.0.1; havenctl and the receivers inherit this too. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  setlocale (LC_ALL, "");
  /* The receiver refuses token and key files that others may read, as an
   * operator's must be: the files the tests write are made that way. */
  umask (077);

  work_dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);

  /* Two days: the certificates only have to outlive this run. */
  script = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                             require_env ("HAVEN_MAKE_PKI"), "--days", "2", work_dir, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (script, NULL, &error);
  g_assert_no_error (error);
}

char *
work_path (const char *name)
{
  g_assert_nonnull (work_dir);

  return g_build_filename (work_dir, name, NULL);
}

void
work_dir_remove (void)
{
  remove_tree (work_dir);
  g_clear_pointer (&work_dir, g_free);
}

/* Runs in the receiver between fork and exec. A receiver outliving a
 * crashed test would keep meson waiting on its stderr until the timeout,
 * so it is told to die with us. */
static void
die_with_parent (gpointer user_data)
{
#ifdef __linux__
  pid_t parent = GPOINTER_TO_INT (user_data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* The test may have died before prctl(). */
  if (getppid () != parent)
    _exit (1);
#endif
}

static char *
new_db_path (void)
{
  g_autofree char *db_name = g_strdup_printf ("receiver-%u.sqlite", ++receiver_count);

  return work_path (db_name);
}

/**
 * receiver_process_start:
 * @arguments: options after `--listen 127.0.0.1:0 --db FILE`, such as
 *   `--cert`; paths in them must be absolute
 *
 * Starts haven-receiver on a free port of 127.0.0.1 with a database of its
 * own, and returns once it is listening.
 */
ReceiverProcess *
receiver_process_start (const char * const *arguments)
{
  g_autofree char *db_path = new_db_path ();

  return receiver_process_start_with_db (db_path, arguments);
}

/**
 * receiver_process_start_tls:
 * @options: (nullable): more options, NULL-terminated
 *
 * Starts a receiver over TLS with the work folder's server certificate.
 */
ReceiverProcess *
receiver_process_start_tls (const char * const *options)
{
  return receiver_process_start_tls_full (NULL, NULL, options);
}

static ReceiverProcess *
start_with_db (const char         *db_path,
               const char         *stderr_path,
               const char * const *arguments);

/**
 * receiver_process_start_tls_full:
 * @db_path: (nullable): as for receiver_process_start_with_db(); %NULL for
 *   a database of its own
 * @stderr_path: (nullable): a file for what the receiver writes on stderr
 *   (with --verbose, its log), to read afterwards; %NULL leaves it in the
 *   test log
 * @options: (nullable): more options, NULL-terminated
 *
 * As receiver_process_start_tls().
 */
ReceiverProcess *
receiver_process_start_tls_full (const char         *db_path,
                                 const char         *stderr_path,
                                 const char * const *options)
{
  g_autofree char *certificate = work_path ("server.pem");
  g_autofree char *key = work_path ("server-key.pem");
  g_autofree char *own_db_path = NULL;
  g_autoptr(GPtrArray) arguments = g_ptr_array_new ();

  g_ptr_array_add (arguments, (char *) "--cert");
  g_ptr_array_add (arguments, certificate);
  g_ptr_array_add (arguments, (char *) "--key");
  g_ptr_array_add (arguments, key);
  for (guint i = 0; options != NULL && options[i] != NULL; i++)
    g_ptr_array_add (arguments, (char *) options[i]);
  g_ptr_array_add (arguments, NULL);

  if (db_path == NULL)
    db_path = own_db_path = new_db_path ();

  return start_with_db (db_path, stderr_path, (const char * const *) arguments->pdata);
}

/**
 * receiver_process_start_with_db:
 * @db_path: the database, absolute; may be one an earlier receiver used,
 *   to restart it
 *
 * As receiver_process_start(), on the database @db_path.
 */
ReceiverProcess *
receiver_process_start_with_db (const char         *db_path,
                                const char * const *arguments)
{
  return start_with_db (db_path, NULL, arguments);
}

/**
 * receiver_process_start_full:
 * @db_path: (nullable): as for receiver_process_start_with_db(); %NULL for
 *   a database of its own
 * @stderr_path: (nullable): as for receiver_process_start_tls_full()
 * @arguments: options after `--listen 127.0.0.1:0 --db FILE`
 *
 * As receiver_process_start(), with its log in a file to read.
 */
ReceiverProcess *
receiver_process_start_full (const char         *db_path,
                             const char         *stderr_path,
                             const char * const *arguments)
{
  g_autofree char *own_db_path = NULL;

  if (db_path == NULL)
    db_path = own_db_path = new_db_path ();

  return start_with_db (db_path, stderr_path, arguments);
}

static ReceiverProcess *
start_with_db (const char         *db_path,
               const char         *stderr_path,
               const char * const *arguments)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  ReceiverProcess *receiver = g_new0 (ReceiverProcess, 1);

  g_ptr_array_add (argv, g_strdup (require_env ("HAVEN_RECEIVER")));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1:0"));
  receiver->db_path = g_strdup (db_path);
  /* A PostgreSQL URI goes to --database. */
  g_ptr_array_add (argv, g_strdup (g_str_has_prefix (db_path, "postgres") ? "--database"
                                                                          : "--db"));
  g_ptr_array_add (argv, g_strdup (receiver->db_path));
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (arguments[i]));
  g_ptr_array_add (argv, NULL);

  /* Unless it goes to @stderr_path, stderr is inherited, so whatever the
   * receiver says lands in the test log next to the failure. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  if (stderr_path != NULL)
    g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent,
                                         GINT_TO_POINTER (getpid ()), NULL);
  receiver->process = g_subprocess_launcher_spawnv (launcher,
                                                    (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  receiver->stdout_stream =
    g_data_input_stream_new (g_subprocess_get_stdout_pipe (receiver->process));
  line = g_data_input_stream_read_line_utf8 (receiver->stdout_stream, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    g_error ("haven-receiver exited before it was listening");

  g_test_message ("receiver: %s", line);
  g_assert_true (g_str_has_prefix (line, "listening on "));
  receiver->url = g_strdup (line + strlen ("listening on "));

  return receiver;
}

/**
 * receiver_process_stop:
 *
 * Stops the receiver the way a service manager does, with SIGTERM, and
 * asserts that it stopped cleanly.
 */
void
receiver_process_stop (ReceiverProcess *receiver)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (receiver->process, SIGTERM);
  g_subprocess_wait (receiver->process, NULL, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_if_signaled (receiver->process))
    g_error ("haven-receiver was killed by signal %d",
             g_subprocess_get_term_sig (receiver->process));
  g_assert_true (g_subprocess_get_if_exited (receiver->process));
  g_assert_cmpint (g_subprocess_get_exit_status (receiver->process), ==, 0);

  g_clear_object (&receiver->stdout_stream);
  g_clear_object (&receiver->process);
  g_clear_pointer (&receiver->url, g_free);
  g_clear_pointer (&receiver->db_path, g_free);
  g_free (receiver);
}

/**
 * receiver_process_kill:
 *
 * Kills the receiver with SIGKILL, as a crash or a pulled plug would, and
 * frees it; its database stays, for a receiver started on it again.
 */
void
receiver_process_kill (ReceiverProcess *receiver)
{
  g_subprocess_send_signal (receiver->process, SIGKILL);
  g_subprocess_wait (receiver->process, NULL, NULL);

  g_clear_object (&receiver->stdout_stream);
  g_clear_object (&receiver->process);
  g_clear_pointer (&receiver->url, g_free);
  g_clear_pointer (&receiver->db_path, g_free);
  g_free (receiver);
}

/**
 * receiver_process_count_requests:
 * @request_id: a request_id, which is also the Idempotency-Key
 *
 * Returns: how many requests with @request_id the receiver has stored
 *   (accepted), read from its database as an integrator would; exactly once
 *   is 1 however many times the request was sent
 */
/* PostgreSQL through psql, so that every program that starts receivers
 * need not link libpq (receiver-database.c has the tests' own look-ups).
 * The id goes in as a psql variable, quoted by psql. */
static guint
count_requests_in_postgresql (const char *uri,
                              const char *request_id)
{
  g_autoptr(GSubprocess) psql = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_strdup ("SELECT count(*) FROM requests WHERE request_id = :'id';\n");
  g_autofree char *variable = g_strdup_printf ("id=%s", request_id);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  psql = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           "psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-v", variable,
                           uri, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (psql, script, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (psql) || g_subprocess_get_exit_status (psql) != 0)
    g_error ("psql failed: %s", err);

  return (guint) g_ascii_strtoull (out, NULL, 10);
}

guint
receiver_process_count_requests (ReceiverProcess *receiver,
                                 const char      *request_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;
  guint count;

  if (g_str_has_prefix (receiver->db_path, "postgresql://") ||
      g_str_has_prefix (receiver->db_path, "postgres://"))
    return count_requests_in_postgresql (receiver->db_path, request_id);

  /* Read-only beside the running receiver: WAL lets a reader see every
   * committed transaction without blocking the writer. */
  g_assert_cmpint (sqlite3_open_v2 (receiver->db_path, &db, SQLITE_OPEN_READONLY, NULL),
                   ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM requests WHERE request_id = ?1",
                                       -1, &statement, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (statement, 1, request_id, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (statement), ==, SQLITE_ROW);
  count = (guint) sqlite3_column_int (statement, 0);
  sqlite3_finalize (statement);
  sqlite3_close (db);

  return count;
}

/**
 * receiver_process_wait_for_one:
 *
 * Runs the main context while the kiosk sends, for at most 20 s.
 *
 * Returns: whether the receiver came to hold @request_id, once
 */
gboolean
receiver_process_wait_for_one (ReceiverProcess *receiver,
                               const char      *request_id)
{
  gint64 deadline = g_get_monotonic_time () + 20 * test_slowdown () * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      if (receiver_process_count_requests (receiver, request_id) == 1)
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }

  return FALSE;
}

/**
 * receiver_process_make_keypair:
 * @path: where `haven-receiver --make-keypair` writes the key pair
 *
 * Returns: the public key it prints, as the kiosk's backend-public-key
 *   setting takes it
 */
char *
receiver_process_make_keypair (const char *path)
{
  g_autoptr(GSubprocess) receiver = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  receiver = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error, require_env ("HAVEN_RECEIVER"), "--make-keypair", path,
                               NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (receiver, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (receiver))
    g_error ("haven-receiver --make-keypair failed: %s", err);

  return g_strdup (g_strstrip (out));
}

/**
 * pin_for_key_file:
 * @key_name: a key file of the work folder's PKI
 *
 * The pin of a key file, computed by openssl as an operator would:
 * `openssl pkey -in KEY -pubout -outform DER | openssl dgst -sha256 -binary | base64`.
 * Hashing is ours, but the SubjectPublicKeyInfo is openssl's.
 */
char *
pin_for_key_file (const char *key_name)
{
  g_autofree char *key_path = work_path (key_name);
  g_autoptr(GSubprocess) openssl = NULL;
  g_autoptr(GBytes) spki = NULL;
  g_autoptr(GError) error = NULL;

  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              "openssl", "pkey", "-in", key_path, "-pubout", "-outform", "DER",
                              NULL);
  g_assert_no_error (error);
  g_subprocess_communicate (openssl, NULL, NULL, &spki, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (openssl));
  g_assert_cmpuint (g_bytes_get_size (spki), >, 0);

  return haven_tls_pin_for_spki (spki);
}

/**
 * keyfile_settings_new:
 * @config_home: a folder, made if needed
 *
 * The kiosk's settings in a keyfile below @config_home, where a havenctl
 * started by spawn_havenctl() with the same @config_home reads them:
 * havenctl reads the real settings, not the test's memory backend.
 */
GSettings *
keyfile_settings_new (const char *config_home)
{
  g_autofree char *folder = g_build_filename (config_home, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (folder, "keyfile", NULL);
  g_autoptr(GSettingsBackend) backend = NULL;

  /* Where GSETTINGS_BACKEND=keyfile looks, with its default root. */
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  backend = g_keyfile_settings_backend_new (keyfile, "/", NULL);

  /* The settings hold the backend. */
  return g_settings_new_with_backend (APP_ID, backend);
}

/* Starts havenctl with @arguments (NULL-terminated) and the settings of
 * keyfile_settings_new (@config_home). */
GSubprocess *
spawn_havenctl (const char         *config_home,
                GSubprocessFlags    flags,
                const char * const *arguments)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *havenctl;

  g_settings_sync ();

  g_ptr_array_add (argv, (char *) require_env ("HAVENCTL"));
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) arguments[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (flags);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_home, TRUE);
  havenctl = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  return havenctl;
}

/* Runs havenctl to its end, as spawn_havenctl() starts it; returns its
 * exit status and what it printed. */
int
run_havenctl (const char         *config_home,
              const char * const *arguments,
              char              **standard_output,
              char              **standard_error)
{
  g_autoptr(GSubprocess) havenctl = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = g_strjoinv (" ", (char **) arguments);

  havenctl = spawn_havenctl (config_home,
                             G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             arguments);
  g_subprocess_communicate_utf8 (havenctl, NULL, NULL, standard_output, standard_error, &error);
  g_assert_no_error (error);
  g_test_message ("havenctl %s ended with status %d; stdout: %s; stderr: %s", command,
                  g_subprocess_get_status (havenctl), *standard_output, *standard_error);
  g_assert_true (g_subprocess_get_if_exited (havenctl));

  return g_subprocess_get_exit_status (havenctl);
}
