/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-pg-cluster"

#include "config.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "pg-cluster.h"
#include "test-files.h"

/* fsync=off keeps start-up and every commit quick, and costs nothing
 * here, even for the restart tests: `pg_ctl stop -m immediate` is a crash
 * of PostgreSQL, not of the machine, and what PostgreSQL wrote before it
 * is in the kernel's page cache, which the restart reads and replays the
 * write-ahead log from. Only a lost machine would need fsync. Commits
 * stay synchronous (synchronous_commit is left on): with it off a commit
 * could be answered before its WAL left PostgreSQL's own buffers, and an
 * immediate stop would then lose it, which is just what the fleet test
 * must not see. */
#define SERVER_SETTINGS "-c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"

#define DATABASE_NAME "haven"

struct _PgCluster
{
  char *bindir;
  /* Owned by postgres when run as root; holds data/, the socket and log. */
  char *dir;
  char *data_dir;
  char *log_path;
  guint16 port;
  char *uri;
};

char *
pg_cluster_find_bindir (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  g_autofree char *best = NULL;
  guint64 best_version = 0;
  const char *name;

  if (dir == NULL)
    return NULL;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *initdb = g_build_filename ("/usr/lib/postgresql", name, "bin", "initdb",
                                                  NULL);
      guint64 version = g_ascii_strtoull (name, NULL, 10);

      if (version > best_version && g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
        {
          best_version = version;
          g_free (best);
          best = g_build_filename ("/usr/lib/postgresql", name, "bin", NULL);
        }
    }

  return g_steal_pointer (&best);
}

/* Runs a PostgreSQL program as the postgres user when we are root, in the
 * cluster's folder (the test's own may be closed to that user). Its
 * output is kept out of the TAP stream, and shown when it fails. */
static gboolean
run_program (PgCluster          *cluster,
             const char * const *arguments,
             gboolean            check)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;

  if (geteuid () == 0)
    {
      g_ptr_array_add (argv, g_strdup ("runuser"));
      g_ptr_array_add (argv, g_strdup ("-u"));
      g_ptr_array_add (argv, g_strdup ("postgres"));
      g_ptr_array_add (argv, g_strdup ("--"));
    }
  g_ptr_array_add (argv, g_build_filename (cluster->bindir, arguments[0], NULL));
  for (guint i = 1; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (arguments[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_cwd (launcher, cluster->dir);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);

  if (g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0)
    return TRUE;

  if (check)
    {
      g_autofree char *log = NULL;

      g_file_get_contents (cluster->log_path, &log, NULL, NULL);
      g_error ("%s failed: %s\nserver log:\n%s", arguments[0], output, log != NULL ? log : "");
    }

  g_test_message ("%s failed: %s", arguments[0], output);
  return FALSE;
}

static gboolean
start_server (PgCluster *cluster,
              gboolean   check)
{
  g_autofree char *options = g_strdup_printf ("-p %u -k %s " SERVER_SETTINGS, cluster->port,
                                              cluster->dir);
  const char * const arguments[] = {
    "pg_ctl", "-D", cluster->data_dir, "-o", options, "-l", cluster->log_path, "-w",
    "-t", "60", "start", NULL
  };

  return run_program (cluster, arguments, check);
}

static void
stop_server (PgCluster *cluster)
{
  const char * const arguments[] = {
    "pg_ctl", "-D", cluster->data_dir, "-m", "immediate", "-w", "stop", NULL
  };

  run_program (cluster, arguments, TRUE);
}

static void
create_database (PgCluster *cluster)
{
  g_autofree char *admin_uri = g_strdup_printf ("postgresql://postgres@127.0.0.1:%u/postgres",
                                                cluster->port);
  PGconn *connection = PQconnectdb (admin_uri);
  PGresult *result;

  if (PQstatus (connection) != CONNECTION_OK)
    g_error ("PostgreSQL cannot be reached: %s", PQerrorMessage (connection));

  result = PQexec (connection, "CREATE DATABASE " DATABASE_NAME);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("CREATE DATABASE failed: %s", PQresultErrorMessage (result));

  PQclear (result);
  PQfinish (connection);
}

/**
 * pg_cluster_start:
 *
 * Makes and starts a cluster with a database of its own; fails the test
 * when it cannot. Check pg_cluster_find_bindir() first.
 */
PgCluster *
pg_cluster_start (void)
{
  PgCluster *cluster = g_new0 (PgCluster, 1);
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();
  gboolean running = FALSE;

  cluster->bindir = pg_cluster_find_bindir ();
  g_assert_nonnull (cluster->bindir);

  cluster->dir = g_dir_make_tmp ("haven-pg-XXXXXX", &error);
  g_assert_no_error (error);
  cluster->data_dir = g_build_filename (cluster->dir, "data", NULL);
  cluster->log_path = g_build_filename (cluster->dir, "log", NULL);

  if (geteuid () == 0)
    {
      struct passwd *postgres = getpwnam ("postgres");

      if (postgres == NULL)
        g_error ("There is no postgres user to run PostgreSQL as");
      g_assert_cmpint (chown (cluster->dir, postgres->pw_uid, postgres->pw_gid), ==, 0);
    }

  {
    const char * const arguments[] = {
      "initdb", "-D", cluster->data_dir, "-A", "trust", "-U", "postgres", "-E", "UTF8",
      "--locale=C", "--no-sync", NULL
    };

    run_program (cluster, arguments, TRUE);
  }

  /* The free port may be taken before the server binds it: try another. */
  for (guint attempt = 0; attempt < 5 && !running; attempt++)
    {
      cluster->port = find_free_port ();
      running = start_server (cluster, attempt == 4);
    }

  create_database (cluster);
  cluster->uri = g_strdup_printf ("postgresql://postgres@127.0.0.1:%u/" DATABASE_NAME,
                                  cluster->port);

  g_test_message ("PostgreSQL on port %u, ready in %.1f s", cluster->port,
                  (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  return cluster;
}

const char *
pg_cluster_get_uri (PgCluster *cluster)
{
  return cluster->uri;
}

/**
 * pg_cluster_restart:
 *
 * Stops the server as a crash would and starts it again on the same port
 * and data; returns once it accepts connections.
 */
void
pg_cluster_restart (PgCluster *cluster)
{
  stop_server (cluster);
  start_server (cluster, TRUE);
}

/* Stops the server as a crash would. */
void
pg_cluster_halt (PgCluster *cluster)
{
  stop_server (cluster);
}

/* Starts it again after pg_cluster_halt(), on the same port and data. */
void
pg_cluster_resume (PgCluster *cluster)
{
  start_server (cluster, TRUE);
}

void
pg_cluster_stop (PgCluster *cluster)
{
  stop_server (cluster);
  remove_tree (cluster->dir);

  g_free (cluster->bindir);
  g_free (cluster->dir);
  g_free (cluster->data_dir);
  g_free (cluster->log_path);
  g_free (cluster->uri);
  g_free (cluster);
}
