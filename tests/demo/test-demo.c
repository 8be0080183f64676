/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-demo"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <gtk/gtk.h>

#include "test-files.h"

/* The README's first command, run as a newcomer would: `./setup.sh demo`
 * in a fresh home folder, on a free port, once with no display and once on
 * one. Each time the kiosk must come up on the welcome page, read back
 * through AT-SPI by tests/demo/welcome-shown.py (the demo's
 * HAVEN_DEMO_CHECK), and when the demo ends, everything it started (the
 * receiver, Xvfb, D-Bus) must end with it. Without a display the check
 * also queues a request with havenctl (tests/demo/send-sealed.sh): the
 * demo must keep it sealed, and its receiver must open it. */

#define WELCOME_TITLE "Help after something happened online"
#define WELCOME_SHOWN "The kiosk shows the welcome page"
#define SEALED_SENT "Sealed request delivered, checked and kept sealed by the receiver: "

/* How long one demo may take to come up: it makes a PKI, starts the
 * receiver, imports the directory and waits HAVEN_DEMO_WAIT seconds. */
#define DEMO_DEADLINE_SECONDS 90
/* How long what the demo started may take to end once it has. */
#define STOP_DEADLINE_SECONDS 15

typedef struct {
  char *home;
  guint16 port;
  GSubprocess *process;
  GPid group;
  GDataInputStream *output;
  GString *printed;
} Demo;

static void
become_group_leader (gpointer user_data)
{
  setsid ();
}

static char *
demo_check_command (Demo     *demo,
                    gboolean  send_sealed)
{
  g_autofree char *a11y_dir = g_test_build_filename (G_TEST_DIST, "a11y", NULL);
  g_autofree char *checker = g_test_build_filename (G_TEST_DIST, "demo", "welcome-shown.py", NULL);
  g_autofree char *sender = g_test_build_filename (G_TEST_DIST, "demo", "send-sealed.sh", NULL);
  g_autofree char *receiver_db = g_build_filename (demo->home, ".local", "state", "haven-demo",
                                                   "receiver.sqlite", NULL);
  g_autofree char *outbox = g_build_filename (demo->home, ".local", "share", "haven",
                                              "outbox.sqlite", NULL);
  g_autofree char *quoted_dir = g_shell_quote (a11y_dir);
  g_autofree char *quoted_checker = g_shell_quote (checker);
  g_autofree char *quoted_sender = g_shell_quote (sender);
  g_autofree char *quoted_db = g_shell_quote (receiver_db);
  g_autofree char *quoted_outbox = g_shell_quote (outbox);
  g_autofree char *welcome = g_strdup_printf ("PYTHONPATH=%s /usr/bin/python3 %s '" WELCOME_TITLE
                                              "' English Español", quoted_dir, quoted_checker);

  if (!send_sealed)
    return g_steal_pointer (&welcome);

  return g_strdup_printf ("%s && bash %s %s %s", welcome, quoted_sender, quoted_db,
                          quoted_outbox);
}

/* The environment of someone who has just cloned Haven: none of the test
 * suite's settings (its memory GSettings backend, GTK_A11Y=none, the
 * build tree's folders), which the demo must find on its own. */
static GStrv
demo_environment (Demo       *demo,
                  const char *display)
{
  static const char *const passed_on[] = {
    "PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
  };
  GPtrArray *variables = g_ptr_array_new ();
  g_autofree char *check = demo_check_command (demo, display == NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (passed_on); i++)
    {
      if (g_getenv (passed_on[i]) != NULL)
        g_ptr_array_add (variables, g_strdup_printf ("%s=%s", passed_on[i],
                                                       g_getenv (passed_on[i])));
    }
  g_ptr_array_add (variables, g_strdup_printf ("HOME=%s", demo->home));
  g_ptr_array_add (variables, g_strdup ("LANG=C.UTF-8"));
  g_ptr_array_add (variables, g_strdup_printf ("HAVEN_DEMO_PORT=%u", demo->port));
  g_ptr_array_add (variables, g_strdup_printf ("HAVEN_DEMO_BUILD_DIR=%s",
                                                 g_getenv ("HAVEN_BUILD_ROOT")));
  g_ptr_array_add (variables, g_strdup_printf ("HAVEN_DEMO_CHECK=%s", check));
  if (display != NULL)
    g_ptr_array_add (variables, g_strdup_printf ("DISPLAY=%s", display));

  g_ptr_array_add (variables, NULL);
  return (GStrv) g_ptr_array_free (variables, FALSE);
}

static void
demo_start (Demo       *demo,
            const char *display)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) environment = NULL;
  g_autofree char *setup = g_build_filename (g_getenv ("HAVEN_SOURCE_ROOT"), "setup.sh", NULL);

  demo->home = g_dir_make_tmp ("haven-demo-home-XXXXXX", &error);
  g_assert_no_error (error);
  demo->port = find_free_port ();
  demo->printed = g_string_new (NULL);

  environment = demo_environment (demo, display);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE |
                                        G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_environ (launcher, environment);
  /* Its own process group, so the test can tell when every process it
   * started has ended, and can stop them all as Ctrl+C would. */
  g_subprocess_launcher_set_child_setup (launcher, become_group_leader, NULL, NULL);
  demo->process = g_subprocess_launcher_spawn (launcher, &error, setup, "demo", NULL);
  g_assert_no_error (error);
  demo->group = atoi (g_subprocess_get_identifier (demo->process));
  demo->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (demo->process));
}

typedef struct {
  char *line;
  GError *error;
  gboolean done;
} LineRead;

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                          NULL, &read->error);
  read->done = TRUE;
}

/* Reads what the demo prints until a line holds @needle (or, with %NULL,
 * until it closes its output), for at most @seconds.
 *
 * Returns: whether it got there in time */
static gboolean
demo_read_until (Demo       *demo,
                 const char *needle,
                 int         seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  while (g_get_monotonic_time () < deadline)
    {
      LineRead read = { NULL, NULL, FALSE };
      gboolean found;

      g_data_input_stream_read_line_async (demo->output, G_PRIORITY_DEFAULT, cancellable,
                                           line_read_cb, &read);
      while (!read.done && g_get_monotonic_time () < deadline)
        {
          if (!g_main_context_iteration (NULL, FALSE))
            g_usleep (10000);
        }
      if (!read.done)
        {
          g_cancellable_cancel (cancellable);
          while (!read.done)
            g_main_context_iteration (NULL, TRUE);
          g_clear_error (&read.error);
          g_free (read.line);
          return FALSE;
        }

      g_assert_no_error (read.error);
      if (read.line == NULL)
        return needle == NULL;

      g_test_message ("demo: %s", read.line);
      g_string_append_printf (demo->printed, "%s\n", read.line);
      found = needle != NULL && strstr (read.line, needle) != NULL;
      g_free (read.line);
      if (found)
        return TRUE;
    }

  return FALSE;
}

static gboolean
group_is_gone (Demo *demo)
{
  return kill (-demo->group, 0) == -1 && errno == ESRCH;
}

static gboolean
port_is_closed (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  return connection == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

/* Everything the demo started has ended: the receiver no longer answers
 * on its port, and no process of its group (Xvfb, D-Bus, the kiosk) is
 * left. */
static void
assert_everything_stopped (Demo *demo)
{
  gint64 deadline = g_get_monotonic_time () + STOP_DEADLINE_SECONDS * G_USEC_PER_SEC;

  while (!group_is_gone (demo) && g_get_monotonic_time () < deadline)
    g_usleep (50000);
  if (!group_is_gone (demo))
    {
      g_autofree char *listing = NULL;
      g_autofree char *command = g_strdup_printf ("ps -o pid,args -g %d", demo->group);

      g_spawn_command_line_sync (command, &listing, NULL, NULL, NULL);
      g_test_message ("still running:\n%s", listing);
      kill (-demo->group, SIGKILL);
      g_test_fail_printf ("processes the demo started were left running after %d s",
                          STOP_DEADLINE_SECONDS);
    }
  g_assert_true (port_is_closed (demo->port));
}

static void
demo_free (Demo *demo)
{
  if (demo->process != NULL && !group_is_gone (demo))
    kill (-demo->group, SIGKILL);
  g_clear_object (&demo->output);
  g_clear_object (&demo->process);
  if (demo->home != NULL)
    remove_tree (demo->home);
  g_clear_pointer (&demo->home, g_free);
  if (demo->printed != NULL)
    g_string_free (demo->printed, TRUE);
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

static void
demo_wait_for_exit (Demo *demo)
{
  gint64 deadline = g_get_monotonic_time () + STOP_DEADLINE_SECONDS * G_USEC_PER_SEC;
  gboolean exited = FALSE;

  g_subprocess_wait_async (demo->process, NULL, exited_cb, &exited);
  while (!exited && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (10000);
    }
  if (!exited)
    {
      kill (-demo->group, SIGKILL);
      while (!exited)
        g_main_context_iteration (NULL, TRUE);
      g_test_fail_printf ("setup.sh demo did not end within %d s", STOP_DEADLINE_SECONDS);
    }
}

/* Counts the colours of a picture, enough to tell a screen with a page on
 * it from an empty one (the broken demo's was two shades of grey). */
static guint
count_colours (const char *path,
               int        *width,
               int        *height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (path, &error);
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);
  g_autofree guint32 *pixels = NULL;
  gsize count;

  g_assert_no_error (error);
  *width = gdk_texture_get_width (texture);
  *height = gdk_texture_get_height (texture);
  count = (gsize) *width * *height;
  pixels = g_new (guint32, count);
  gdk_texture_download (texture, (guchar *) pixels, *width * 4);
  for (gsize i = 0; i < count; i++)
    g_hash_table_add (colours, GUINT_TO_POINTER (pixels[i]));

  return g_hash_table_size (colours);
}

static void
test_demo_without_display (void)
{
  Demo demo = { 0 };
  g_autofree char *screenshot = NULL;
  int width, height;
  guint colours;

  demo_start (&demo, NULL);
  screenshot = g_build_filename (demo.home, ".local", "state", "haven-demo", "haven.png", NULL);

  g_assert_true (demo_read_until (&demo, NULL, DEMO_DEADLINE_SECONDS));
  demo_wait_for_exit (&demo);
  if (!g_subprocess_get_successful (demo.process))
    g_test_message ("%s", demo.printed->str);
  g_assert_true (g_subprocess_get_successful (demo.process));
  g_assert_nonnull (strstr (demo.printed->str, WELCOME_SHOWN ": “" WELCOME_TITLE "”"));
  g_assert_nonnull (strstr (demo.printed->str, "Backend reachable: https://127.0.0.1:"));
  /* Sealing is the demo's normal state, not something to set up. */
  g_assert_nonnull (strstr (demo.printed->str, "Sealing: Sealed for the backend\n"));
  g_assert_nonnull (strstr (demo.printed->str, SEALED_SENT));

  colours = count_colours (screenshot, &width, &height);
  g_test_message ("%s: %d×%d, %u colours", screenshot, width, height, colours);
  g_assert_cmpint (width, ==, 1280);
  g_assert_cmpint (height, ==, 800);
  g_assert_cmpuint (colours, >, 64);

  assert_everything_stopped (&demo);
  demo_free (&demo);
}

/* A display of the test's own, so that nothing else draws on it. */
static GSubprocess *
start_xvfb (char **display)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) number_stream = NULL;
  GSubprocess *xvfb;
  int fds[2];
  char number[16] = { 0 };
  gsize length = 0;

  g_assert_cmpint (pipe (fds), ==, 0);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  xvfb = g_subprocess_launcher_spawn (launcher, &error, "Xvfb", "-displayfd", "3", "-screen", "0",
                                      "1280x800x24", "-nolisten", "tcp", NULL);
  g_assert_no_error (error);
  g_clear_object (&launcher);

  number_stream = g_unix_input_stream_new (fds[0], TRUE);
  g_input_stream_read_all (number_stream, number, sizeof number - 1, &length, NULL, &error);
  g_assert_no_error (error);
  g_strstrip (number);
  g_assert_cmpuint (strlen (number), >, 0);
  *display = g_strdup_printf (":%s", number);

  return xvfb;
}

static void
test_demo_on_display (void)
{
  Demo demo = { 0 };
  g_autoptr(GSubprocess) xvfb = NULL;
  g_autofree char *display = NULL;
  g_autoptr(GError) error = NULL;

  xvfb = start_xvfb (&display);
  demo_start (&demo, display);

  /* On a display the demo runs until the person closes it. */
  if (!demo_read_until (&demo, WELCOME_SHOWN ": “" WELCOME_TITLE "”", DEMO_DEADLINE_SECONDS))
    g_test_fail_printf ("the demo did not show the welcome page within %d s:\n%s",
                        DEMO_DEADLINE_SECONDS, demo.printed->str);
  g_assert_nonnull (g_subprocess_get_identifier (demo.process));

  /* Ctrl+C in its terminal. */
  g_assert_cmpint (kill (-demo.group, SIGINT), ==, 0);
  demo_read_until (&demo, NULL, STOP_DEADLINE_SECONDS);
  demo_wait_for_exit (&demo);
  assert_everything_stopped (&demo);
  demo_free (&demo);

  g_subprocess_send_signal (xvfb, SIGTERM);
  g_subprocess_wait (xvfb, NULL, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/demo/without-display", test_demo_without_display);
  g_test_add_func ("/haven/demo/on-display", test_demo_on_display);

  return g_test_run ();
}
