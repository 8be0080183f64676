/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/resource.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "hsds-process.h"

/* `meson test -C build --benchmark --suite bench -v directory-sync`:
 * havenctl directory sync against tests/hsds/hsds-server.py serving
 * 100,000 services: a full pull, then one with 1% of them changed (and
 * 0.2% deleted, 100 added), then one with nothing changed. Prints each
 * run's time, CPU, peak RSS, requests and bytes. Targets (issue 20):
 * full ≤ 30 s, changes ≤ 3 s, RSS ≤ 200 MB. */

static gboolean
run_sync (const char *havenctl,
          const char *url,
          const char *db,
          const char *label)
{
  const char *argv[] = { havenctl, "directory", "sync", url, "--db", db, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  struct rusage usage;
  GPid pid;
  int out_fd;
  int status;
  gint64 start = g_get_monotonic_time ();
  double seconds;
  double cpu;

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                 NULL, &pid, NULL, &out_fd, NULL, &error))
    {
      g_printerr ("Cannot run %s: %s\n", havenctl, error->message);
      return FALSE;
    }
  {
    g_autoptr(GIOChannel) channel = g_io_channel_unix_new (out_fd);

    g_io_channel_set_close_on_unref (channel, TRUE);
    g_io_channel_read_to_end (channel, &output, NULL, NULL);
  }
  if (wait4 (pid, &status, 0, &usage) < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_printerr ("The sync (%s) failed\n", label);
      return FALSE;
    }

  seconds = (g_get_monotonic_time () - start) / 1e6;
  cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
        usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  g_print ("%s: %.2f s wall, %.2f s CPU, peak RSS %.1f MB\n%s", label, seconds, cpu,
           usage.ru_maxrss / 1024.0, output);
  return TRUE;
}

/* What a kiosk would download: the directory made into a signed bundle. */
static gboolean
measure_bundle (const char *havenctl,
                const char *folder,
                const char *db)
{
  g_autofree char *secret = g_build_filename (folder, "signing.key", NULL);
  g_autofree char *bundle = g_build_filename (folder, "directory.bundle", NULL);
  g_autofree char *public_key = NULL;
  const char *keygen[] = { havenctl, "bundle", "keygen", "--secret-file", secret, NULL };
  const char *make[] = { havenctl, "bundle", "make", "--directory", db, "--secret-file", secret,
                         "--output", bundle, NULL };
  g_autoptr(GError) error = NULL;
  GStatBuf info;
  gint64 start;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) keygen, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &public_key, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL))
    return FALSE;

  start = g_get_monotonic_time ();
  if (!g_spawn_sync (NULL, (char **) make, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                     NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL) || g_stat (bundle, &info) != 0)
    {
      g_printerr ("The bundle could not be made\n");
      return FALSE;
    }
  g_print ("bundle of the directory: %.1f MB, signed and compressed in %.2f s\n",
           info.st_size / 1e6, (g_get_monotonic_time () - start) / 1e6);
  {
    /* What the intake service sends a kiosk, which takes gzip: the copy
     * havenctl bundle make wrote, FILE.HEX.gz. */
    g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      if (g_str_has_prefix (name, "directory.bundle.") && g_str_has_suffix (name, ".gz"))
        {
          g_autofree char *compressed = g_build_filename (folder, name, NULL);

          if (g_stat (compressed, &info) == 0)
            g_print ("on the wire (gzip): %.1f MB\n", info.st_size / 1e6);
          g_unlink (compressed);
        }
  }
  g_unlink (bundle);
  g_unlink (secret);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  static const char * const arguments[] = { "--services", "100000", "--seed", "20", NULL };
  g_autofree char *folder = g_dir_make_tmp ("haven-bench-sync-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (folder, "directory.sqlite", NULL);
  g_autofree char *mirror = g_strconcat (db, "-mirror", NULL);
  g_autoptr(HsdsServer) server = NULL;
  g_autoptr(GFile) folder_file = NULL;
  JsonNode *answer;
  GStatBuf info;
  gboolean ok;

  if (argc != 2)
    {
      g_printerr ("Usage: %s HAVENCTL\n", argv[0]);
      return 2;
    }

  server = hsds_server_start (arguments);
  ok = run_sync (argv[1], server->url, db, "full pull of 100,000 services");
  if (ok && g_stat (db, &info) == 0)
    g_print ("directory database: %.1f MB\n", info.st_size / 1e6);
  if (ok && g_stat (mirror, &info) == 0)
    g_print ("mirror: %.1f MB\n", info.st_size / 1e6);

  answer = hsds_server_post (server, "/_admin/generation/1");
  json_node_unref (answer);
  ok = ok && run_sync (argv[1], server->url, db, "pull of changes (1% changed)");
  ok = ok && run_sync (argv[1], server->url, db, "pull with nothing changed");
  ok = ok && measure_bundle (argv[1], folder, db);

  g_unlink (db);
  g_unlink (mirror);
  g_rmdir (folder);
  return ok ? 0 : 1;
}
