/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receiver-process"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <sqlite3.h>

#include "receiver-process.h"

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

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL &&
         (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autoptr(GFileInfo) owned_info = info;
      g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));

      remove_tree (child);
    }

  g_file_delete (file, NULL, NULL);
}

void
work_dir_remove (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (work_dir);

  remove_tree (file);
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
  g_autofree char *db_name = g_strdup_printf ("receiver-%u.sqlite", ++receiver_count);
  g_autofree char *db_path = work_path (db_name);

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
  g_autofree char *certificate = work_path ("server.pem");
  g_autofree char *key = work_path ("server-key.pem");
  g_autoptr(GPtrArray) arguments = g_ptr_array_new ();

  g_ptr_array_add (arguments, (char *) "--cert");
  g_ptr_array_add (arguments, certificate);
  g_ptr_array_add (arguments, (char *) "--key");
  g_ptr_array_add (arguments, key);
  for (guint i = 0; options != NULL && options[i] != NULL; i++)
    g_ptr_array_add (arguments, (char *) options[i]);
  g_ptr_array_add (arguments, NULL);

  return receiver_process_start ((const char * const *) arguments->pdata);
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
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  ReceiverProcess *receiver = g_new0 (ReceiverProcess, 1);

  g_ptr_array_add (argv, g_strdup (require_env ("HAVEN_RECEIVER")));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1:0"));
  receiver->db_path = g_strdup (db_path);
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_strdup (receiver->db_path));
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (arguments[i]));
  g_ptr_array_add (argv, NULL);

  /* stderr is inherited, so whatever the receiver says lands in the test
   * log next to the failure. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
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
 * receiver_process_count_requests:
 * @request_id: a request_id, which is also the Idempotency-Key
 *
 * Returns: how many requests with @request_id the receiver has stored
 *   (accepted), read from its database as an integrator would; exactly once
 *   is 1 however many times the request was sent
 */
guint
receiver_process_count_requests (ReceiverProcess *receiver,
                                 const char      *request_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;
  guint count;

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
