/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cage"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "test-files.h"

/* Haven as a kiosk runs it (data/kiosk/haven-kiosk-session): alone under
 * cage, full screen, with the example fleet's settings from data/dconf/.
 * cage runs on its headless backend, grim photographs the output, and the
 * test checks that Haven covers the whole screen with something drawn.
 *
 * Usage: test-cage HAVEN SCREENSHOT. The last picture taken is copied to
 * SCREENSHOT for a person to look at.
 *
 * meson reads this test's exit status rather than TAP: 77 when cage cannot
 * run here (cage, grim, Xwayland or dbus-daemon missing, running as root
 * without setpriv, or cage failing to start), with the reason on a
 * TAP "1..0 # SKIP" line. Every wait has a deadline, and every process the
 * test starts is ended before it returns. */

#define EXIT_SKIP 77
/* cage refuses to run as root: as root, the session runs as nobody. */
#define UNPRIVILEGED_ID 65534
#define POLL_INTERVAL_US (50 * 1000)
#define BUS_TIMEOUT_MS 5000
#define START_TIMEOUT_MS 10000
#define PAINT_TIMEOUT_MS 15000
#define COMMAND_TIMEOUT_MS 5000
#define EXIT_GRACE_MS 3000
/* cage's background is black. Haven in kiosk mode covers all of it; a
 * window that is not full screen leaves black bands (measured: 12 % of the
 * screen for a maximized window), a screen cage failed to draw is all
 * black, and anything Haven draws has text, in many shades. */
#define MAX_BLACK_FRACTION 0.01
#define MIN_COLOURS 16

typedef enum {
  CAGE_TEST_ERROR_TIMED_OUT,
  CAGE_TEST_ERROR_FAILED,
} CageTestError;

#define CAGE_TEST_ERROR (cage_test_error_quark ())
static GQuark cage_test_error_quark (void);
G_DEFINE_QUARK (cage-test-error-quark, cage_test_error)

typedef struct {
  char *haven;
  char *screenshot_copy;

  char *cage;
  char *grim;
  char *dbus_daemon;
  char *setpriv;
  gboolean as_root;
  gboolean rotate;

  /* The session's home and XDG_RUNTIME_DIR: private to the user cage runs
   * as, since Wayland sockets and the bus live in it. */
  char *folder;
  char *log_path;
  int log_fd;
  GStrv env;

  GPid bus;
  GPid compositor;
} Session;

static char *skip_reason;

static void
skip (const char *format,
      ...) G_GNUC_PRINTF (1, 2);

static void
skip (const char *format,
      ...)
{
  va_list args;

  if (skip_reason != NULL)
    return;

  va_start (args, format);
  skip_reason = g_strdup_vprintf (format, args);
  va_end (args);
}

/* Core dumps of a compositor killed at the end of a test would land in the
 * build folder. Runs between fork and exec. */
static void
no_core_dumps_cb (gpointer user_data)
{
  struct rlimit none = { 0, 0 };

  setrlimit (RLIMIT_CORE, &none);
}

static GPid
spawn (Session             *session,
       const char * const  *argv,
       GError             **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) full_argv = NULL;
  GPid pid = 0;

  if (session->as_root)
    {
      g_autofree char *reuid = g_strdup_printf ("--reuid=%d", UNPRIVILEGED_ID);
      g_autofree char *regid = g_strdup_printf ("--regid=%d", UNPRIVILEGED_ID);

      g_strv_builder_add_many (builder, session->setpriv, reuid, regid, "--clear-groups", NULL);
    }
  g_strv_builder_addv (builder, (const char **) argv);
  full_argv = g_strv_builder_end (builder);

  if (!g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) full_argv,
                                         (const char * const *) session->env,
                                         G_SPAWN_DO_NOT_REAP_CHILD, no_core_dumps_cb, NULL,
                                         -1, session->log_fd, session->log_fd, NULL, NULL, 0,
                                         &pid, NULL, NULL, NULL, error))
    return 0;

  return pid;
}

/* Waits up to @timeout_ms for *@pid to end. When it has, it is reaped and
 * *@pid set to 0, so that its number, free for the system to use again, is
 * never signalled. */
static gboolean
wait_for_exit (GPid  *pid,
               guint  timeout_ms,
               int   *wait_status)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  for (;;)
    {
      pid_t ended = waitpid (*pid, wait_status, WNOHANG);

      if (ended == *pid || (ended < 0 && errno != EINTR))
        {
          g_spawn_close_pid (*pid);
          *pid = 0;
          return TRUE;
        }
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (POLL_INTERVAL_US);
    }
}

static void
end_process (GPid  *pid,
             guint  grace_ms)
{
  int wait_status;

  if (*pid == 0)
    return;

  kill (*pid, SIGTERM);
  if (wait_for_exit (pid, grace_ms, &wait_status))
    return;

  kill (*pid, SIGKILL);
  waitpid (*pid, &wait_status, 0);
  g_spawn_close_pid (*pid);
  *pid = 0;
}

static gboolean
run (Session             *session,
     const char * const  *argv,
     GError             **error)
{
  GPid pid = spawn (session, argv, error);
  int wait_status = 0;

  if (pid == 0)
    return FALSE;

  if (!wait_for_exit (&pid, COMMAND_TIMEOUT_MS, &wait_status))
    {
      end_process (&pid, 0);
      g_set_error (error, CAGE_TEST_ERROR, CAGE_TEST_ERROR_TIMED_OUT,
                   "%s did not end within %d ms", argv[0], COMMAND_TIMEOUT_MS);
      return FALSE;
    }

  return g_spawn_check_wait_status (wait_status, error);
}

static char *
read_file_or_empty (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

/* The last lines of what cage, the bus and haven printed, for a message. */
static char *
log_tail (Session *session)
{
  g_autofree char *contents = read_file_or_empty (session->log_path);
  g_auto(GStrv) lines = g_strsplit (g_strchomp (contents), "\n", -1);
  guint n_lines = g_strv_length (lines);
  guint first = n_lines > 12 ? n_lines - 12 : 0;

  return g_strjoinv ("\n", lines + first);
}

static char *
session_path (Session    *session,
              const char *name)
{
  return g_build_filename (session->folder, name, NULL);
}

/* Makes @path belong to the user the session runs as. */
static void
hand_over (Session    *session,
           const char *path)
{
  if (session->as_root)
    g_assert_cmpint (chown (path, UNPRIVILEGED_ID, UNPRIVILEGED_ID), ==, 0);
}

static void
make_folder (Session    *session,
             const char *path)
{
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  hand_over (session, path);
}

static void
find_programs (Session *session)
{
  struct {
    const char *name;
    char **path;
  } programs[] = {
    { "cage", &session->cage },
    { "grim", &session->grim },
    { "dbus-daemon", &session->dbus_daemon },
    { "setpriv", &session->setpriv },
  };
  g_autofree char *xwayland = g_find_program_in_path ("Xwayland");

  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    *programs[i].path = g_find_program_in_path (programs[i].name);

  if (session->cage == NULL || session->grim == NULL || xwayland == NULL)
    skip ("cage, grim or Xwayland is not installed "
          "(apt-get install cage grim xwayland)");
  else if (session->dbus_daemon == NULL)
    skip ("dbus-daemon is not installed (apt-get install dbus)");
  else if (session->as_root && session->setpriv == NULL)
    skip ("cage refuses to run as root, and setpriv is not there to run it as "
          "another user (apt-get install util-linux)");
}

static const char *
required_variable (const char *variable)
{
  const char *value = g_getenv (variable);

  if (value == NULL || value[0] == '\0')
    g_error ("%s is not set: run this test through meson test", variable);
  return value;
}

/* Copies @source, a file or a folder with all it holds, to @destination,
 * for the session's user to read. */
static void
copy_tree (Session    *session,
           const char *source,
           const char *destination)
{
  g_autoptr(GFile) from = g_file_new_for_path (source);
  g_autoptr(GFile) to = g_file_new_for_path (destination);
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GError) error = NULL;
  GFileInfo *info;

  if (!g_file_test (source, G_FILE_TEST_IS_DIR))
    {
      g_file_copy (from, to, G_FILE_COPY_NOFOLLOW_SYMLINKS, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      hand_over (session, destination);
      return;
    }

  make_folder (session, destination);
  children = g_file_enumerate_children (from, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, &error);
  g_assert_no_error (error);
  while ((info = g_file_enumerator_next_file (children, NULL, &error)) != NULL)
    {
      g_autoptr(GFileInfo) owned_info = info;
      g_autofree char *child_source = g_build_filename (source, g_file_info_get_name (info),
                                                        NULL);
      g_autofree char *child_destination = g_build_filename (destination,
                                                             g_file_info_get_name (info), NULL);

      copy_tree (session, child_source, child_destination);
    }
  g_assert_no_error (error);
}

/* As root the session runs as nobody, who may not be able to read the
 * build and source folders (a home folder of mode 0700 on the way is
 * enough). So haven, the compiled schema, the catalogs, the content and
 * the category mapping are copied into the session's folder, laid out as
 * an installed Haven, and the session points at the copies. */
static void
install_haven (Session    *session,
               const char *haven)
{
  g_autofree char *bin = session_path (session, "bin");
  g_autofree char *share = session_path (session, "share");
  g_autofree char *directory = g_build_filename (share, "directory", NULL);
  g_autofree char *mapping = g_build_filename (required_variable ("HAVEN_DATADIR"),
                                               "directory", "categories.ini", NULL);
  g_autofree char *content = g_build_filename (required_variable ("HAVEN_DATADIR"),
                                               "content", NULL);
  g_autofree char *schema = g_build_filename (required_variable ("GSETTINGS_SCHEMA_DIR"),
                                              "gschemas.compiled", NULL);
  struct {
    const char *source;
    char *destination;
  } copies[] = {
    { haven, g_build_filename (bin, "haven", NULL) },
    { schema, g_build_filename (share, "schemas", "gschemas.compiled", NULL) },
    { required_variable ("HAVEN_LOCALEDIR"), g_build_filename (share, "locale", NULL) },
    { content, g_build_filename (share, "content", NULL) },
    { mapping, g_build_filename (directory, "categories.ini", NULL) },
  };
  g_autofree char *schemas = g_build_filename (share, "schemas", NULL);

  make_folder (session, bin);
  make_folder (session, share);
  make_folder (session, schemas);
  make_folder (session, directory);

  for (guint i = 0; i < G_N_ELEMENTS (copies); i++)
    {
      copy_tree (session, copies[i].source, copies[i].destination);
      g_free (copies[i].destination);
    }

  session->haven = g_build_filename (bin, "haven", NULL);
  g_assert_cmpint (g_chmod (session->haven, 0755), ==, 0);
}

/* cage 0.1.4 (Debian 12, wlroots 0.15) hands a full-screen window's buffer
 * straight to the output ("direct scan-out"), and on the headless backend
 * grim then receives a black frame. An output turned by 180 degrees cannot
 * take the window's buffer as it is, so cage composites every frame, and
 * grim turns the picture back upright. Later cages dropped -r (and render
 * through a scene graph that does not have this problem). */
static void
check_rotation (Session *session)
{
  g_autofree char *help_log = session_path (session, "cage-help.log");
  g_autofree char *help = NULL;
  const char *argv[] = { session->cage, "-h", NULL };
  int saved_log_fd = session->log_fd;

  session->log_fd = g_open (help_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (session->log_fd, >=, 0);
  run (session, argv, NULL);
  g_close (session->log_fd, NULL);
  session->log_fd = saved_log_fd;

  help = read_file_or_empty (help_log);
  session->rotate = strstr (help, " -r") != NULL;
}

/* The example fleet's settings, as the keyfile GSettings backend reads
 * them (its format is dconf's), with no backend: nothing leaves this
 * machine. */
static void
write_settings (Session *session)
{
  g_autofree char *example = g_test_build_filename (G_TEST_DIST, "..", "data", "dconf", "db",
                                                    "haven.d", "00-haven", NULL);
  g_autofree char *config = session_path (session, "config");
  g_autofree char *glib_folder = g_build_filename (config, "glib-2.0", NULL);
  g_autofree char *settings_folder = g_build_filename (glib_folder, "settings", NULL);
  g_autofree char *keyfile_path = NULL;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  g_key_file_load_from_file (keyfile, example, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  g_key_file_set_value (keyfile, "io/github/havenkiosk/Haven", "backend-url", "''");
  g_key_file_set_value (keyfile, "io/github/havenkiosk/Haven", "token-file", "''");
  contents = g_key_file_to_data (keyfile, NULL, NULL);

  make_folder (session, config);
  make_folder (session, glib_folder);
  make_folder (session, settings_folder);
  keyfile_path = write_file (settings_folder, "keyfile", contents);
  hand_over (session, keyfile_path);
}

static void
build_environment (Session *session)
{
  struct {
    const char *variable;
    const char *value;
  } settings[] = {
    { "HOME", "" },
    { "XDG_RUNTIME_DIR", "" },
    { "XDG_CONFIG_HOME", "config" },
    { "XDG_DATA_HOME", "data" },
    { "XDG_CACHE_HOME", "cache" },
    { "XDG_STATE_HOME", "state" },
    { "GSETTINGS_SCHEMA_DIR", "share/schemas" },
    { "HAVEN_LOCALEDIR", "share/locale" },
    { "HAVEN_DATADIR", "share" },
  };
  const char *unset[] = {
    "DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS",
  };
  g_autofree char *bus_address = g_strdup_printf ("unix:path=%s/bus", session->folder);
  char **env = g_get_environ ();

  for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
    {
      g_autofree char *path = g_build_filename (session->folder, settings[i].value, NULL);

      env = g_environ_setenv (env, settings[i].variable, path, TRUE);
    }
  for (guint i = 0; i < G_N_ELEMENTS (unset); i++)
    env = g_environ_unsetenv (env, unset[i]);

  env = g_environ_setenv (env, "DBUS_SESSION_BUS_ADDRESS", bus_address, TRUE);
  env = g_environ_setenv (env, "WLR_BACKENDS", "headless", TRUE);
  env = g_environ_setenv (env, "WLR_LIBINPUT_NO_DEVICES", "1", TRUE);
  /* No GPU: wlroots' software renderer, rather than whatever EGL finds. */
  env = g_environ_setenv (env, "WLR_RENDERER", "pixman", TRUE);
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "keyfile", TRUE);
  /* As haven-kiosk-session sets it. */
  env = g_environ_setenv (env, "GDK_BACKEND", "wayland", TRUE);
  /* The session leaves the renderer to haven, which picks cairo here, with
   * no GPU (haven-renderer.c); the tests' environment sets it for the
   * others. */
  env = g_environ_unsetenv (env, "GSK_RENDERER");

  session->env = env;
}

static void
session_init (Session    *session,
              const char *haven,
              const char *screenshot_copy)
{
  g_autoptr(GError) error = NULL;

  memset (session, 0, sizeof *session);
  session->screenshot_copy = g_strdup (screenshot_copy);
  session->as_root = geteuid () == 0;
  session->log_fd = -1;

  find_programs (session);
  if (skip_reason != NULL)
    return;

  /* Short: a Wayland socket's path must fit in 108 bytes. */
  session->folder = g_dir_make_tmp ("haven-cage-XXXXXX", &error);
  g_assert_no_error (error);
  hand_over (session, session->folder);
  session->log_path = g_build_filename (session->folder, "session.log", NULL);
  session->log_fd = g_open (session->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  g_assert_cmpint (session->log_fd, >=, 0);

  install_haven (session, haven);
  build_environment (session);
  check_rotation (session);
  write_settings (session);
}

static gboolean
wait_for_path (const char *path,
               GPid       *process,
               guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  int wait_status;

  while (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (wait_for_exit (process, 0, &wait_status))
        return FALSE;
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (POLL_INTERVAL_US);
    }

  return TRUE;
}

static gboolean
start_bus (Session  *session,
           GError  **error)
{
  g_autofree char *address = g_strdup_printf ("--address=unix:path=%s/bus", session->folder);
  g_autofree char *socket = session_path (session, "bus");
  const char *argv[] = {
    session->dbus_daemon, "--session", "--nofork", "--nopidfile", address, NULL,
  };

  session->bus = spawn (session, argv, error);
  if (session->bus == 0)
    return FALSE;

  if (!wait_for_path (socket, &session->bus, BUS_TIMEOUT_MS))
    {
      g_set_error (error, CAGE_TEST_ERROR, CAGE_TEST_ERROR_FAILED,
                   "dbus-daemon did not listen on %s", socket);
      return FALSE;
    }

  return TRUE;
}

/* cage runs haven through a shell that notes haven's process, to end it
 * at the end of the test, and how haven ended: cage itself exits 0 whatever
 * its client did. */
static gboolean
start_compositor (Session  *session,
                  GError  **error)
{
  const char *script =
    "folder=$1; shift;"
    "\"$@\" & echo $! >\"$folder/haven.pid\";"
    "wait $!; echo $? >\"$folder/haven.status\"";
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  /* cage opens its socket, then starts its client, which writes this: once
   * it is there, cage runs, and whatever follows is haven's doing. */
  g_autofree char *started = session_path (session, "haven.pid");

  g_strv_builder_add_many (builder, session->cage, "-d", NULL);
  if (session->rotate)
    g_strv_builder_add_many (builder, "-r", "-r", NULL);
  /* haven as haven-kiosk-session starts it, with glibc's thread cache off
   * already. */
  g_strv_builder_add_many (builder, "--", "/bin/sh", "-c", script, "sh",
                           session->folder, "env", "GLIBC_TUNABLES=glibc.malloc.tcache_count=0",
                           session->haven, NULL);
  argv = g_strv_builder_end (builder);

  session->compositor = spawn (session, (const char * const *) argv, error);
  if (session->compositor == 0)
    return FALSE;

  if (!wait_for_path (started, &session->compositor, START_TIMEOUT_MS) &&
      !g_file_test (started, G_FILE_TEST_EXISTS))
    {
      g_autofree char *tail = log_tail (session);

      if (session->compositor == 0)
        g_set_error (error, CAGE_TEST_ERROR, CAGE_TEST_ERROR_FAILED,
                     "cage exited before it started haven:\n%s", tail);
      else
        g_set_error (error, CAGE_TEST_ERROR, CAGE_TEST_ERROR_TIMED_OUT,
                     "cage did not start haven within %d ms:\n%s", START_TIMEOUT_MS, tail);
      return FALSE;
    }

  return TRUE;
}

typedef struct {
  int width;
  int height;
  double black_fraction;
  guint colours;
} Picture;

static gboolean
describe_picture (const char  *path,
                  Picture     *picture,
                  GError     **error)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, error);
  g_autoptr(GHashTable) colours = NULL;
  const guchar *pixels;
  int stride, channels;
  guint64 black = 0;

  if (pixbuf == NULL)
    return FALSE;

  picture->width = gdk_pixbuf_get_width (pixbuf);
  picture->height = gdk_pixbuf_get_height (pixbuf);
  pixels = gdk_pixbuf_read_pixels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  channels = gdk_pixbuf_get_n_channels (pixbuf);
  colours = g_hash_table_new (NULL, NULL);

  for (int y = 0; y < picture->height; y++)
    for (int x = 0; x < picture->width; x++)
      {
        const guchar *pixel = pixels + y * stride + x * channels;
        guint rgb = (guint) pixel[0] << 16 | (guint) pixel[1] << 8 | pixel[2];

        if (rgb == 0)
          black++;
        g_hash_table_add (colours, GUINT_TO_POINTER (rgb + 1));
      }

  picture->black_fraction = (double) black / ((double) picture->width * picture->height);
  picture->colours = g_hash_table_size (colours);
  return TRUE;
}

static gboolean
picture_shows_kiosk (const Picture *picture)
{
  return picture->black_fraction <= MAX_BLACK_FRACTION && picture->colours >= MIN_COLOURS;
}

static gboolean
take_screenshot (Session     *session,
                 const char  *path,
                 GError     **error)
{
  const char *argv[] = { session->grim, path, NULL };
  g_auto(GStrv) saved_env = session->env;
  gboolean taken;

  /* cage is alone in its XDG_RUNTIME_DIR, so its socket is the first. */
  session->env = g_environ_setenv (g_strdupv (saved_env), "WAYLAND_DISPLAY", "wayland-0", TRUE);
  taken = run (session, argv, error);
  g_strfreev (session->env);
  session->env = g_steal_pointer (&saved_env);

  return taken;
}

/* Photographs the screen until Haven has painted it, haven ends, or the
 * deadline passes. */
static gboolean
photograph_kiosk (Session  *session,
                  Picture  *picture,
                  GError  **error)
{
  g_autofree char *shot = session_path (session, "screen.png");
  g_autofree char *status_path = session_path (session, "haven.status");
  gint64 deadline = g_get_monotonic_time () + PAINT_TIMEOUT_MS * (gint64) 1000;
  gboolean have_picture = FALSE;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;

      if (g_file_test (status_path, G_FILE_TEST_EXISTS))
        {
          g_autofree char *status = read_file_or_empty (status_path);
          g_autofree char *tail = log_tail (session);

          g_set_error (error, CAGE_TEST_ERROR, CAGE_TEST_ERROR_FAILED,
                       "haven ended under cage with status %s:\n%s", g_strstrip (status), tail);
          return FALSE;
        }

      if (take_screenshot (session, shot, &local_error) &&
          describe_picture (shot, picture, &local_error))
        {
          have_picture = TRUE;
          if (picture_shows_kiosk (picture))
            break;
        }

      if (g_get_monotonic_time () >= deadline)
        {
          if (!have_picture)
            g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                        "grim took no picture: ");
          else
            g_set_error (error, CAGE_TEST_ERROR, CAGE_TEST_ERROR_TIMED_OUT,
                         "after %d ms the screen is %.1f %% black with %u colours: Haven "
                         "does not cover the screen", PAINT_TIMEOUT_MS,
                         picture->black_fraction * 100, picture->colours);
          break;
        }
      g_usleep (10 * POLL_INTERVAL_US);
    }

  if (have_picture)
    {
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_get_contents (shot, &contents, &length, NULL))
        g_file_set_contents (session->screenshot_copy, contents, length, NULL);
    }

  return have_picture && picture_shows_kiosk (picture);
}

/* Ends haven, as a crash would: cage then exits by itself, as it does
 * whenever its client is gone. Then whatever is left, and the bus. */
static void
session_stop (Session *session)
{
  if (session->compositor != 0)
    {
      g_autofree char *pid_path = session_path (session, "haven.pid");
      g_autofree char *pid_text = read_file_or_empty (pid_path);
      guint64 pid;
      int wait_status;

      if (g_ascii_string_to_unsigned (g_strstrip (pid_text), 10, 2, G_MAXINT, &pid, NULL))
        {
          kill ((pid_t) pid, SIGTERM);
          wait_for_exit (&session->compositor, EXIT_GRACE_MS, &wait_status);
        }
    }

  end_process (&session->compositor, EXIT_GRACE_MS);
  end_process (&session->bus, EXIT_GRACE_MS);
}

static void
test_screenshot (gconstpointer data)
{
  Session *session = (Session *) data;
  Picture picture = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean shown;

  g_test_message ("cage%s, as %s", session->rotate ? " with its output turned by 180 degrees" : "",
                  session->as_root ? "nobody" : "this user");

  /* No assertion may abort the test before its processes are ended. */
  shown = photograph_kiosk (session, &picture, &error);
  session_stop (session);

  if (picture.width > 0)
    g_test_message ("screenshot %dx%d, %.2f %% black, %u colours, copied to %s",
                    picture.width, picture.height, picture.black_fraction * 100,
                    picture.colours, session->screenshot_copy);

  if (error != NULL)
    {
      remove_tree (session->folder);
      g_clear_pointer (&session->folder, g_free);
    }
  g_assert_no_error (error);
  g_assert_true (shown);
}

static void
session_clear (Session *session)
{
  session_stop (session);

  if (session->log_fd >= 0)
    g_close (session->log_fd, NULL);
  if (session->folder != NULL)
    remove_tree (session->folder);

  g_free (session->haven);
  g_free (session->screenshot_copy);
  g_free (session->cage);
  g_free (session->grim);
  g_free (session->dbus_daemon);
  g_free (session->setpriv);
  g_free (session->folder);
  g_free (session->log_path);
  g_strfreev (session->env);
}

int
main (int   argc,
      char *argv[])
{
  Session session;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (argc != 3)
    g_error ("Usage: %s HAVEN SCREENSHOT", argv[0]);

  session_init (&session, argv[1], argv[2]);
  if (skip_reason == NULL)
    {
      g_autoptr(GError) error = NULL;

      /* If cage cannot even start here, there is nothing of Haven's to test. */
      if (!start_bus (&session, &error) || !start_compositor (&session, &error))
        skip ("%s", error->message);
    }
  if (skip_reason != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (skip_reason, "\n", -1);

      /* A TAP plan of no tests carries the reason, and what cage printed
       * follows as comments; meson reads the 77. */
      g_print ("1..0 # SKIP %s\n", lines[0]);
      for (guint i = 1; lines[i] != NULL; i++)
        g_print ("# %s\n", lines[i]);
      session_clear (&session);
      g_free (skip_reason);
      return EXIT_SKIP;
    }

  g_test_add_data_func ("/haven/cage/screenshot", &session, test_screenshot);
  status = g_test_run ();

  session_clear (&session);
  return status;
}
