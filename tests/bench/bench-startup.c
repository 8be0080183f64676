/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-startup"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib-unix.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Measures how long haven takes from being spawned to its first painted
 * frame, and its peak memory, against bare-window, an empty libadwaita
 * window. It prints figures for a person to read: start-up time depends too
 * much on the machine to be a pass/fail threshold, so the benchmark fails
 * only when a program could not be measured at all.
 *
 * Both programs print "first-frame-us: N" with --exit-after-first-frame,
 * N being CLOCK_MONOTONIC in microseconds, the clock g_get_monotonic_time()
 * reads here too, so the child's timestamp and ours compare directly. */

#define DEFAULT_RUNS 11
#define MIN_RUNS 10
#define DEFAULT_WARMUP 1
#define DEFAULT_RENDERER "cairo"
#define CHILD_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define POLL_INTERVAL_MS 10
#define FIRST_FRAME_PREFIX "first-frame-us: "
#define EXIT_SKIP 77
#define MAX_FAILURES_BEFORE_GIVING_UP 3

typedef enum {
  BENCH_STARTUP_ERROR_SPAWN,
  BENCH_STARTUP_ERROR_TIMED_OUT,
  BENCH_STARTUP_ERROR_EXIT,
  BENCH_STARTUP_ERROR_OUTPUT,
} BenchStartupError;

#define BENCH_STARTUP_ERROR (bench_startup_error_quark ())
static GQuark bench_startup_error_quark (void);
G_DEFINE_QUARK (bench-startup-error-quark, bench_startup_error)

typedef struct {
  const char *label;
  const char *path;
  GArray     *startup_us;
  GArray     *peak_rss_kb;
  guint       failures;
} Program;

typedef struct {
  gint64 min;
  gint64 median;
  gint64 max;
} Summary;

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static void
summarize (GArray  *values,
           Summary *summary)
{
  g_autoptr(GArray) sorted = NULL;
  guint n = values->len;

  g_assert (n > 0);

  sorted = g_array_copy (values);
  g_array_sort (sorted, compare_int64);

  summary->min = g_array_index (sorted, gint64, 0);
  summary->max = g_array_index (sorted, gint64, n - 1);
  /* With an even number of runs (--runs 10, or after a failed run) the
   * median is the mean of the middle two, as usual. */
  if (n % 2 == 1)
    summary->median = g_array_index (sorted, gint64, n / 2);
  else
    summary->median = (g_array_index (sorted, gint64, n / 2 - 1) +
                       g_array_index (sorted, gint64, n / 2)) / 2;
}

static double
us_to_ms (gint64 us)
{
  return us / 1000.0;
}

/* ru_maxrss is in KiB on Linux; shown in MB of 1024 KiB, as ps and top do. */
static double
kb_to_mb (gint64 kb)
{
  return kb / 1024.0;
}

static char *
describe_status (int status)
{
  if (WIFEXITED (status))
    return g_strdup_printf ("exited with status %d", WEXITSTATUS (status));
  if (WIFSIGNALED (status))
    return g_strdup_printf ("was killed by signal %d (%s)",
                            WTERMSIG (status), g_strsignal (WTERMSIG (status)));
  return g_strdup_printf ("ended with wait status 0x%x", (unsigned) status);
}

static gboolean
parse_first_frame (const char  *output,
                   gint64      *first_frame_us,
                   GError     **error)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 value;

      if (!g_str_has_prefix (lines[i], FIRST_FRAME_PREFIX))
        continue;

      if (!g_ascii_string_to_unsigned (lines[i] + strlen (FIRST_FRAME_PREFIX), 10,
                                       1, G_MAXINT64, &value, error))
        return FALSE;

      *first_frame_us = (gint64) value;
      return TRUE;
    }

  g_set_error (error, BENCH_STARTUP_ERROR, BENCH_STARTUP_ERROR_OUTPUT,
               "exited without printing a '" FIRST_FRAME_PREFIX "N' line: does it "
               "take --exit-after-first-frame, or did it hand over to an "
               "instance already running?");
  return FALSE;
}

/* Reads what is there without blocking, so that a grandchild that inherited
 * the pipe and keeps it open cannot hang the harness. Returns FALSE at end of
 * file. */
static gboolean
read_available (int      fd,
                GString *output)
{
  char buffer[4096];
  ssize_t n;

  for (;;)
    {
      n = read (fd, buffer, sizeof buffer);
      if (n > 0)
        g_string_append_len (output, buffer, n);
      else if (n == 0)
        return FALSE;
      else if (errno == EINTR)
        continue;
      else
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
}

/* Spawns @path once with @envp and waits for it to paint and exit. The clock
 * is read immediately before posix_spawn() so the figure includes everything
 * the kernel and the dynamic linker do for the child. */
static gboolean
measure_once (const char  *path,
              char       **envp,
              gint64      *startup_us,
              gint64      *peak_rss_kb,
              GError     **error)
{
  g_autoptr(GString) output = g_string_new (NULL);
  posix_spawn_file_actions_t actions;
  char *child_argv[] = { (char *) path, (char *) "--exit-after-first-frame", NULL };
  struct rusage usage;
  gint64 spawn_us;
  gint64 first_frame_us;
  gint64 deadline;
  gboolean exited = FALSE;
  int status = 0;
  int fds[2];
  pid_t pid;
  int res;

  /* Only our end is non-blocking: the child's stdout behaves as any pipe.
   * dup2 in the child clears close-on-exec on its stdout and nowhere else, so
   * it inherits no other descriptor of ours. */
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    return FALSE;
  if (!g_unix_set_fd_nonblocking (fds[0], TRUE, error))
    {
      close (fds[0]);
      close (fds[1]);
      return FALSE;
    }

  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, fds[1], STDOUT_FILENO);

  spawn_us = g_get_monotonic_time ();
  res = posix_spawn (&pid, path, &actions, NULL, child_argv, envp);

  posix_spawn_file_actions_destroy (&actions);
  close (fds[1]);

  if (res != 0)
    {
      close (fds[0]);
      g_set_error (error, BENCH_STARTUP_ERROR, BENCH_STARTUP_ERROR_SPAWN,
                   "could not be spawned: %s", g_strerror (res));
      return FALSE;
    }

  deadline = spawn_us + CHILD_TIMEOUT_US;
  while (!exited)
    {
      gint64 now = g_get_monotonic_time ();
      int timeout_ms;
      pid_t waited;

      if (now >= deadline)
        {
          kill (pid, SIGKILL);
          while (wait4 (pid, &status, 0, &usage) < 0 && errno == EINTR)
            ;
          if (fds[0] >= 0)
            close (fds[0]);
          g_set_error (error, BENCH_STARTUP_ERROR, BENCH_STARTUP_ERROR_TIMED_OUT,
                       "%s within %d s and was killed",
                       strstr (output->str, FIRST_FRAME_PREFIX) != NULL
                         ? "painted but did not exit"
                         : "did not paint its first frame",
                       (int) (CHILD_TIMEOUT_US / G_USEC_PER_SEC));
          return FALSE;
        }

      timeout_ms = (int) MIN (POLL_INTERVAL_MS, (deadline - now) / 1000 + 1);
      if (fds[0] >= 0)
        {
          struct pollfd pfd = { .fd = fds[0], .events = POLLIN };

          if (poll (&pfd, 1, timeout_ms) > 0 && !read_available (fds[0], output))
            {
              close (fds[0]);
              fds[0] = -1;
            }
        }
      else
        {
          g_usleep (timeout_ms * 1000);
        }

      waited = wait4 (pid, &status, WNOHANG, &usage);
      if (waited == pid)
        {
          exited = TRUE;
        }
      else if (waited < 0 && errno != EINTR)
        {
          int saved_errno = errno;

          if (fds[0] >= 0)
            close (fds[0]);
          g_set_error (error, BENCH_STARTUP_ERROR, BENCH_STARTUP_ERROR_EXIT,
                       "could not be waited for: %s", g_strerror (saved_errno));
          return FALSE;
        }
    }

  if (fds[0] >= 0)
    {
      read_available (fds[0], output);
      close (fds[0]);
    }

  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_autofree char *description = describe_status (status);

      g_set_error (error, BENCH_STARTUP_ERROR, BENCH_STARTUP_ERROR_EXIT,
                   "%s", description);
      return FALSE;
    }

  if (!parse_first_frame (output->str, &first_frame_us, error))
    return FALSE;

  if (first_frame_us < spawn_us)
    {
      g_set_error (error, BENCH_STARTUP_ERROR, BENCH_STARTUP_ERROR_OUTPUT,
                   "reported its first frame at %" G_GINT64_FORMAT " us, before it was "
                   "spawned at %" G_GINT64_FORMAT " us; is it reading CLOCK_MONOTONIC?",
                   first_frame_us, spawn_us);
      return FALSE;
    }

  *startup_us = first_frame_us - spawn_us;
  *peak_rss_kb = usage.ru_maxrss;
  return TRUE;
}

static void
run_program (Program     *program,
             char       **envp,
             const char  *what,
             gboolean     keep)
{
  g_autoptr(GError) error = NULL;
  gint64 startup_us;
  gint64 peak_rss_kb;

  /* A program that hangs every time would otherwise cost 30 s a run and
   * outlast meson's timeout, hiding why it failed behind "TIMEOUT". */
  if (keep && program->startup_us->len == 0 &&
      program->failures >= MAX_FAILURES_BEFORE_GIVING_UP)
    {
      if (program->failures == MAX_FAILURES_BEFORE_GIVING_UP)
        g_print ("%-8s %-5s not run: its first %d runs failed\n", what, program->label,
                 MAX_FAILURES_BEFORE_GIVING_UP);
      program->failures++;
      return;
    }

  if (!measure_once (program->path, envp, &startup_us, &peak_rss_kb, &error))
    {
      g_print ("%-8s %-5s FAILED: %s %s\n", what, program->label, program->path,
               error->message);
      if (keep)
        program->failures++;
      return;
    }

  g_print ("%-8s %-5s %7.1f ms %7.1f MB\n", what, program->label,
           us_to_ms (startup_us), kb_to_mb (peak_rss_kb));

  if (keep)
    {
      g_array_append_val (program->startup_us, startup_us);
      g_array_append_val (program->peak_rss_kb, peak_rss_kb);
    }
}

static void
print_summary (Program *program,
               Summary *time,
               Summary *rss)
{
  summarize (program->startup_us, time);
  summarize (program->peak_rss_kb, rss);

  g_print ("%-5s first frame: median %.1f ms (min %.1f, max %.1f); "
           "peak RSS: median %.1f MB (min %.1f, max %.1f); %u of %u runs measured\n",
           program->label,
           us_to_ms (time->median), us_to_ms (time->min), us_to_ms (time->max),
           kb_to_mb (rss->median), kb_to_mb (rss->min), kb_to_mb (rss->max),
           program->startup_us->len, program->startup_us->len + program->failures);
}

static gboolean
check_executable (const char  *path,
                  GError     **error)
{
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) ||
      !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, BENCH_STARTUP_ERROR, BENCH_STARTUP_ERROR_SPAWN,
                   "%s is not an executable file", path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
is_set (const char *variable)
{
  const char *value = g_getenv (variable);

  return value != NULL && *value != '\0';
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = NULL;
  g_autoptr(GArray) haven_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) haven_rss = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) bare_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) bare_rss = g_array_new (FALSE, FALSE, sizeof (gint64));
  Program haven = { "haven", NULL, haven_times, haven_rss, 0 };
  Program bare = { "bare", NULL, bare_times, bare_rss, 0 };
  Summary haven_time, haven_mem, bare_time, bare_mem;
  g_autofree char *counts = NULL;
  const char *renderer;
  gboolean renderer_from_env;
  int runs = DEFAULT_RUNS;
  int warmup = DEFAULT_WARMUP;
  const GOptionEntry entries[] = {
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs,
      "Measured runs of each program (default 11, at least 10)", "N" },
    { "warmup", 'w', 0, G_OPTION_ARG_INT, &warmup,
      "Unmeasured runs of each program first, to warm the page cache and let "
      "an auto-launched session bus start (default 1)", "N" },
    { NULL }
  };

  context = g_option_context_new ("HAVEN BARE-WINDOW");
  g_option_context_set_summary (context,
                                "Compares the time to the first painted frame and the peak "
                                "RSS of haven and of an empty libadwaita window.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-startup: %s\n", error->message);
      return 2;
    }

  if (argc != 3 || runs < MIN_RUNS || warmup < 0)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("bench-startup: need the haven and bare-window executables, "
                  "--runs of at least %d and a --warmup of at least 0\n\n%s",
                  MIN_RUNS, help);
      return 2;
    }

  haven.path = argv[1];
  bare.path = argv[2];

  if (!is_set ("DISPLAY") && !is_set ("WAYLAND_DISPLAY"))
    {
      g_print ("bench-startup: skipped: neither DISPLAY nor WAYLAND_DISPLAY is set; "
               "run it under a session or xvfb-run -a -s '-screen 0 1280x800x24'\n");
      return EXIT_SKIP;
    }

  if (!check_executable (haven.path, &error) || !check_executable (bare.path, &error))
    {
      g_printerr ("bench-startup: %s\n", error->message);
      return 1;
    }

  /* The renderer dominates both figures (GL on llvmpipe costs far more than
   * cairo), so it is pinned, and printed so that figures are only compared
   * with figures taken with the same one. */
  renderer_from_env = is_set ("GSK_RENDERER");
  renderer = renderer_from_env ? g_getenv ("GSK_RENDERER") : DEFAULT_RENDERER;

  envp = g_get_environ ();
  envp = g_environ_setenv (g_steal_pointer (&envp), "GSK_RENDERER", renderer, TRUE);

  g_print ("haven: %s\nbare:  %s\n", haven.path, bare.path);
  g_print ("GSK_RENDERER=%s (%s); %d warm-up and %d measured runs each, alternating\n",
           renderer, renderer_from_env ? "from the environment" : "set by bench-startup",
           warmup, runs);

  for (int i = 0; i < warmup; i++)
    {
      run_program (&haven, envp, "warm-up", FALSE);
      run_program (&bare, envp, "warm-up", FALSE);
    }

  /* Alternating spreads any drift over the run (thermal throttling, another
   * process waking up) evenly over both programs. */
  for (int i = 0; i < runs; i++)
    {
      g_autofree char *what = g_strdup_printf ("run %d", i + 1);

      run_program (&haven, envp, what, TRUE);
      run_program (&bare, envp, what, TRUE);
    }

  if (haven.startup_us->len == 0 || bare.startup_us->len == 0)
    {
      g_print ("bench-startup: could not measure%s%s%s in any of %d runs\n",
               haven.startup_us->len == 0 ? " haven" : "",
               haven.startup_us->len == 0 && bare.startup_us->len == 0 ? " or" : "",
               bare.startup_us->len == 0 ? " bare-window" : "",
               runs);
      return 1;
    }

  print_summary (&haven, &haven_time, &haven_mem);
  print_summary (&bare, &bare_time, &bare_mem);
  g_print ("ratio haven/bare: first frame %.2fx, peak RSS %.2fx\n",
           (double) haven_time.median / bare_time.median,
           (double) haven_mem.median / bare_mem.median);

  if (haven.failures > 0 || bare.failures > 0)
    g_print ("warning: %u haven and %u bare-window runs failed and are left out\n",
             haven.failures, bare.failures);

  if (haven.startup_us->len == bare.startup_us->len)
    counts = g_strdup_printf ("%u", haven.startup_us->len);
  else
    counts = g_strdup_printf ("%u haven / %u bare", haven.startup_us->len, bare.startup_us->len);

  g_print ("startup: haven %.1f ms / bare %.1f ms = %.2fx; "
           "peak RSS haven %.1f MB / bare %.1f MB = %.2fx "
           "(median of %s runs, GSK_RENDERER=%s)\n",
           us_to_ms (haven_time.median), us_to_ms (bare_time.median),
           (double) haven_time.median / bare_time.median,
           kb_to_mb (haven_mem.median), kb_to_mb (bare_mem.median),
           (double) haven_mem.median / bare_mem.median,
           counts, renderer);

  return 0;
}
