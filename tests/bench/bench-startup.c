/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-startup"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
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
 * frame, its peak memory, and its proportional memory (PSS) once it has shown
 * the welcome page for a while, against bare-window, an empty libadwaita
 * window. It prints figures for a person to read: start-up time depends too
 * much on the machine to be a pass/fail threshold, so the benchmark fails
 * only when a program could not be measured at all.
 *
 * Both programs print "first-frame-us: N" with --exit-after-first-frame,
 * N being CLOCK_MONOTONIC in microseconds, the clock g_get_monotonic_time()
 * reads here too, so the child's timestamp and ours compare directly.
 *
 * Each renderer is measured in turn, haven and the bare window alternating:
 *
 *   cairo  GSK_RENDERER=cairo. On X11, GDK still loads OpenGL (llvmpipe
 *          here) to choose the window's visual.
 *   gl     GSK_RENDERER=gl with LIBGL_ALWAYS_SOFTWARE=1: GTK's GL renderer
 *          on llvmpipe, Mesa's software OpenGL.
 *   auto   GSK_RENDERER unset, LIBGL_ALWAYS_SOFTWARE=1: what each program
 *          picks by itself on a machine without a GPU (haven-renderer.c,
 *          which bare-window shares, so that both make the same choice).
 *
 * PSS counts a shared page in part for each process that maps it, so other
 * programs using GTK on the same machine lower it: the programs are
 * measured one at a time, and RSS and private memory (USS) at the same
 * moment are printed beside it. */

#define DEFAULT_RUNS 11
#define MIN_RUNS 10
#define DEFAULT_WARMUP 1
#define DEFAULT_PSS_RUNS 3
/* The "PSS at the welcome page": after the delivery, the status
 * report and the bundle check have started (all at idle after the first
 * frame), with nobody at the kiosk. */
#define DEFAULT_PSS_AFTER_S 6
#define CHILD_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define POLL_INTERVAL_MS 10
#define FIRST_FRAME_PREFIX "first-frame-us: "
#define LANGUAGES_PREFIX "welcome-languages: "
/* What data/kiosk/haven-kiosk-session exports. */
#define KIOSK_TUNABLES "glibc.malloc.tcache_count=0"
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
  GArray     *pss_kb;
  GArray     *rss_kb;
  GArray     *uss_kb;
  guint       failures;
  guint       pss_failures;
  /* What haven said it shows on the welcome page (-1: not said). */
  int         languages;
} Program;

typedef struct {
  const char *name;
  const char *description;
  /* GSK_RENDERER, or NULL to leave the choice to the program. */
  const char *gsk_renderer;
  gboolean    software_gl;
} Renderer;

static const Renderer renderers[] = {
  { "cairo", "GSK_RENDERER=cairo", "cairo", FALSE },
  { "gl", "GSK_RENDERER=gl on llvmpipe (LIBGL_ALWAYS_SOFTWARE=1)", "gl", TRUE },
  { "auto", "GSK_RENDERER unset, no GPU (LIBGL_ALWAYS_SOFTWARE=1): each program's own choice",
    NULL, TRUE },
};

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

/* haven says how many languages its welcome page offers; bare-window does
 * not. Returns -1 when the program did not say. */
static int
parse_languages (const char *output)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 value;

      if (g_str_has_prefix (lines[i], LANGUAGES_PREFIX) &&
          g_ascii_string_to_unsigned (lines[i] + strlen (LANGUAGES_PREFIX), 10,
                                      0, G_MAXINT, &value, NULL))
        return (int) value;
    }

  return -1;
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
              int         *languages,
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
  *languages = parse_languages (output->str);
  return TRUE;
}

/* Sums the fields of /proc/PID/smaps_rollup that start with one of
 * @prefixes (each ending with its colon), in KiB. */
static gboolean
read_rollup (pid_t                pid,
             const char * const  *prefixes,
             gint64              *kb,
             GError             **error)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/smaps_rollup", (int) pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean found = FALSE;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;

  *kb = 0;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      for (guint p = 0; prefixes[p] != NULL; p++)
        {
          if (g_str_has_prefix (lines[i], prefixes[p]))
            {
              *kb += g_ascii_strtoll (lines[i] + strlen (prefixes[p]), NULL, 10);
              found = TRUE;
            }
        }
    }

  if (!found)
    {
      g_set_error (error, BENCH_STARTUP_ERROR, BENCH_STARTUP_ERROR_OUTPUT,
                   "%s has no %s line", path, prefixes[0]);
      return FALSE;
    }

  return TRUE;
}

/* Waits for @pid until @deadline (monotonic, in microseconds); FALSE if it
 * has not exited by then. */
static gboolean
wait_until (pid_t   pid,
            gint64  deadline,
            int    *status)
{
  for (;;)
    {
      pid_t waited = waitpid (pid, status, WNOHANG);

      if (waited == pid || (waited < 0 && errno != EINTR))
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (POLL_INTERVAL_MS * 1000);
    }
}

/* Spawns @path as a kiosk starts it, leaves it at its first page for
 * @after_s seconds, and reads its memory then. It is ended with SIGTERM,
 * as a service manager ends it. */
static gboolean
measure_pss_once (const char  *path,
                  char       **envp,
                  int          after_s,
                  gint64      *pss_kb,
                  gint64      *rss_kb,
                  gint64      *uss_kb,
                  GError     **error)
{
  const char * const pss[] = { "Pss:", NULL };
  const char * const rss[] = { "Rss:", NULL };
  const char * const uss[] = { "Private_Clean:", "Private_Dirty:", NULL };
  posix_spawn_file_actions_t actions;
  char *child_argv[] = { (char *) path, NULL };
  gboolean measured;
  int status = 0;
  pid_t pid;
  int res;

  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_addopen (&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  res = posix_spawn (&pid, path, &actions, NULL, child_argv, envp);
  posix_spawn_file_actions_destroy (&actions);
  if (res != 0)
    {
      g_set_error (error, BENCH_STARTUP_ERROR, BENCH_STARTUP_ERROR_SPAWN,
                   "could not be spawned: %s", g_strerror (res));
      return FALSE;
    }

  if (wait_until (pid, g_get_monotonic_time () + after_s * G_USEC_PER_SEC, &status))
    {
      g_autofree char *description = describe_status (status);

      g_set_error (error, BENCH_STARTUP_ERROR, BENCH_STARTUP_ERROR_EXIT,
                   "%s within %d s of starting", description, after_s);
      return FALSE;
    }

  measured = read_rollup (pid, pss, pss_kb, error) &&
             read_rollup (pid, rss, rss_kb, error) &&
             read_rollup (pid, uss, uss_kb, error);

  kill (pid, SIGTERM);
  if (!wait_until (pid, g_get_monotonic_time () + CHILD_TIMEOUT_US, &status))
    {
      kill (pid, SIGKILL);
      while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
        ;
    }

  return measured;
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
  int languages;

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

  if (!measure_once (program->path, envp, &startup_us, &peak_rss_kb, &languages, &error))
    {
      g_print ("%-8s %-5s FAILED: %s %s\n", what, program->label, program->path,
               error->message);
      if (keep)
        program->failures++;
      return;
    }

  g_print ("%-8s %-5s %7.1f ms %7.1f MB\n", what, program->label,
           us_to_ms (startup_us), kb_to_mb (peak_rss_kb));
  if (languages >= 0)
    program->languages = languages;

  if (keep)
    {
      g_array_append_val (program->startup_us, startup_us);
      g_array_append_val (program->peak_rss_kb, peak_rss_kb);
    }
}

static void
run_pss (Program     *program,
         char       **envp,
         int          after_s,
         const char  *what)
{
  g_autoptr(GError) error = NULL;
  gint64 pss_kb, rss_kb, uss_kb;

  if (program->startup_us->len == 0)
    return;

  if (!measure_pss_once (program->path, envp, after_s, &pss_kb, &rss_kb, &uss_kb, &error))
    {
      g_print ("%-8s %-5s FAILED: %s %s\n", what, program->label, program->path,
               error->message);
      program->pss_failures++;
      return;
    }

  g_print ("%-8s %-5s PSS %6.1f MB  RSS %6.1f MB  USS %6.1f MB after %d s\n", what,
           program->label, kb_to_mb (pss_kb), kb_to_mb (rss_kb), kb_to_mb (uss_kb), after_s);
  g_array_append_val (program->pss_kb, pss_kb);
  g_array_append_val (program->rss_kb, rss_kb);
  g_array_append_val (program->uss_kb, uss_kb);
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

static void
program_init (Program    *program,
              const char *label,
              const char *path)
{
  program->label = label;
  program->path = path;
  program->startup_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  program->peak_rss_kb = g_array_new (FALSE, FALSE, sizeof (gint64));
  program->pss_kb = g_array_new (FALSE, FALSE, sizeof (gint64));
  program->rss_kb = g_array_new (FALSE, FALSE, sizeof (gint64));
  program->uss_kb = g_array_new (FALSE, FALSE, sizeof (gint64));
  program->failures = 0;
  program->pss_failures = 0;
  program->languages = -1;
}

static void
program_clear (Program *program)
{
  g_clear_pointer (&program->startup_us, g_array_unref);
  g_clear_pointer (&program->peak_rss_kb, g_array_unref);
  g_clear_pointer (&program->pss_kb, g_array_unref);
  g_clear_pointer (&program->rss_kb, g_array_unref);
  g_clear_pointer (&program->uss_kb, g_array_unref);
}

static gint64
median_of (GArray *values)
{
  Summary summary;

  summarize (values, &summary);
  return summary.median;
}

static char **
renderer_environ (char           **base,
                  const Renderer  *renderer)
{
  char **envp = g_strdupv (base);

  if (renderer->gsk_renderer != NULL)
    envp = g_environ_setenv (envp, "GSK_RENDERER", renderer->gsk_renderer, TRUE);
  else
    envp = g_environ_unsetenv (envp, "GSK_RENDERER");
  if (renderer->software_gl)
    envp = g_environ_setenv (envp, "LIBGL_ALWAYS_SOFTWARE", "1", TRUE);
  else
    envp = g_environ_unsetenv (envp, "LIBGL_ALWAYS_SOFTWARE");

  return envp;
}

/* Measures both programs with one renderer and prints the figures and
 * ratios. Returns FALSE when either could not be measured at all. */
static gboolean
measure_renderer (const Renderer  *renderer,
                  const char      *haven_path,
                  const char      *bare_path,
                  char           **base_envp,
                  int              runs,
                  int              warmup,
                  int              pss_runs,
                  int              pss_after_s)
{
  g_auto(GStrv) envp = renderer_environ (base_envp, renderer);
  Program haven, bare;
  Summary haven_time, haven_mem, bare_time, bare_mem;
  g_autofree char *counts = NULL;
  g_autofree char *pss = NULL;
  g_autofree char *languages = NULL;
  gboolean measured;

  program_init (&haven, "haven", haven_path);
  program_init (&bare, "bare", bare_path);

  g_print ("\n== %s: %s; %d warm-up and %d measured runs each, alternating\n",
           renderer->name, renderer->description, warmup, runs);

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

  for (int i = 0; i < pss_runs; i++)
    {
      g_autofree char *what = g_strdup_printf ("pss %d", i + 1);

      run_pss (&haven, envp, pss_after_s, what);
      run_pss (&bare, envp, pss_after_s, what);
    }

  measured = haven.startup_us->len > 0 && bare.startup_us->len > 0;
  if (!measured)
    {
      g_print ("bench-startup: %s: could not measure%s%s%s in any of %d runs\n",
               renderer->name,
               haven.startup_us->len == 0 ? " haven" : "",
               haven.startup_us->len == 0 && bare.startup_us->len == 0 ? " or" : "",
               bare.startup_us->len == 0 ? " bare-window" : "",
               runs);
      goto out;
    }

  print_summary (&haven, &haven_time, &haven_mem);
  print_summary (&bare, &bare_time, &bare_mem);

  if (haven.failures > 0 || bare.failures > 0)
    g_print ("warning: %u haven and %u bare-window runs failed and are left out\n",
             haven.failures, bare.failures);
  if (haven.pss_failures > 0 || bare.pss_failures > 0)
    g_print ("warning: %u haven and %u bare-window PSS runs failed and are left out\n",
             haven.pss_failures, bare.pss_failures);

  if (haven.startup_us->len == bare.startup_us->len)
    counts = g_strdup_printf ("%u", haven.startup_us->len);
  else
    counts = g_strdup_printf ("%u haven / %u bare", haven.startup_us->len, bare.startup_us->len);

  if (haven.pss_kb->len > 0 && bare.pss_kb->len > 0)
    {
      gint64 haven_pss = median_of (haven.pss_kb);
      gint64 bare_pss = median_of (bare.pss_kb);

      g_print ("haven at %d s: PSS %.1f MB, RSS %.1f MB, USS %.1f MB; "
               "bare: PSS %.1f MB, RSS %.1f MB, USS %.1f MB (medians of %u and %u runs)\n",
               pss_after_s,
               kb_to_mb (haven_pss), kb_to_mb (median_of (haven.rss_kb)),
               kb_to_mb (median_of (haven.uss_kb)),
               kb_to_mb (bare_pss), kb_to_mb (median_of (bare.rss_kb)),
               kb_to_mb (median_of (bare.uss_kb)),
               haven.pss_kb->len, bare.pss_kb->len);
      pss = g_strdup_printf ("; PSS at %d s haven %.1f MB / bare %.1f MB = %.2fx",
                             pss_after_s, kb_to_mb (haven_pss), kb_to_mb (bare_pss),
                             (double) haven_pss / bare_pss);
    }
  else
    {
      pss = g_strdup ("");
    }

  languages = haven.languages >= 0 ? g_strdup_printf ("%d", haven.languages) : g_strdup ("?");

  g_print ("startup[%s]: haven %.1f ms / bare %.1f ms = %.2fx; "
           "peak RSS haven %.1f MB / bare %.1f MB = %.2fx%s "
           "(median of %s runs; %s languages on the welcome page)\n",
           renderer->name,
           us_to_ms (haven_time.median), us_to_ms (bare_time.median),
           (double) haven_time.median / bare_time.median,
           kb_to_mb (haven_mem.median), kb_to_mb (bare_mem.median),
           (double) haven_mem.median / bare_mem.median,
           pss, counts, languages);

out:
  program_clear (&haven);
  program_clear (&bare);
  return measured;
}

/* With --all-languages: a copy of the catalogs' folder in which every
 * language the settings offer by default has a catalog (English's where it
 * has none yet), so that the welcome page offers all of them and the cost
 * of their fonts shows. The welcome page is in English either way. */
static char *
make_all_languages_dir (GError **error)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) key = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autofree const char **codes = NULL;
  g_autofree char *english = NULL;
  g_autofree char *dir = NULL;
  const char *locale_dir = g_getenv ("HAVEN_LOCALEDIR");
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();

  if (locale_dir == NULL || source == NULL ||
      (schema = g_settings_schema_source_lookup (source, APP_ID, TRUE)) == NULL)
    {
      g_set_error (error, BENCH_STARTUP_ERROR, BENCH_STARTUP_ERROR_SPAWN,
                   "--all-languages needs HAVEN_LOCALEDIR and haven's settings schema "
                   "(GSETTINGS_SCHEMA_DIR), as meson test sets them");
      return NULL;
    }

  key = g_settings_schema_get_key (schema, "languages");
  value = g_settings_schema_key_get_default_value (key);
  codes = g_variant_get_strv (value, NULL);
  english = g_build_filename (locale_dir, "en", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);

  dir = g_dir_make_tmp ("bench-startup-XXXXXX", error);
  if (dir == NULL)
    return NULL;

  for (guint i = 0; codes[i] != NULL; i++)
    {
      g_autofree char *messages = g_build_filename (dir, codes[i], "LC_MESSAGES", NULL);
      g_autofree char *link = g_build_filename (messages, GETTEXT_PACKAGE ".mo", NULL);
      g_autofree char *own = g_build_filename (locale_dir, codes[i], "LC_MESSAGES",
                                               GETTEXT_PACKAGE ".mo", NULL);

      if (g_mkdir_with_parents (messages, 0700) != 0 ||
          symlink (g_file_test (own, G_FILE_TEST_EXISTS) ? own : english, link) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "cannot make %s: %s", link, g_strerror (saved_errno));
          return NULL;
        }
    }

  return g_steal_pointer (&dir);
}

static void
remove_all_languages_dir (const char *dir)
{
  g_autoptr(GDir) languages = g_dir_open (dir, 0, NULL);
  const char *code;

  while (languages != NULL && (code = g_dir_read_name (languages)) != NULL)
    {
      g_autofree char *messages = g_build_filename (dir, code, "LC_MESSAGES", NULL);
      g_autofree char *link = g_build_filename (messages, GETTEXT_PACKAGE ".mo", NULL);
      g_autofree char *parent = g_build_filename (dir, code, NULL);

      g_unlink (link);
      g_rmdir (messages);
      g_rmdir (parent);
    }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = NULL;
  g_auto(GStrv) chosen = NULL;
  g_autofree char *all_languages_dir = NULL;
  const char *haven_path;
  const char *bare_path;
  gboolean all_languages = FALSE;
  gboolean by_hand = FALSE;
  gboolean all_measured = TRUE;
  guint n_measured = 0;
  int runs = DEFAULT_RUNS;
  int warmup = DEFAULT_WARMUP;
  int pss_runs = DEFAULT_PSS_RUNS;
  int pss_after_s = DEFAULT_PSS_AFTER_S;
  const GOptionEntry entries[] = {
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs,
      "Measured runs of each program to the first frame (default 11, at least 10)", "N" },
    { "warmup", 'w', 0, G_OPTION_ARG_INT, &warmup,
      "Unmeasured runs of each program first, to warm the page cache and let "
      "an auto-launched session bus start (default 1)", "N" },
    { "pss-runs", 0, 0, G_OPTION_ARG_INT, &pss_runs,
      "Runs of each program left at their first page to read their PSS (default 3; "
      "0 measures none)", "N" },
    { "pss-after", 0, 0, G_OPTION_ARG_INT, &pss_after_s,
      "Seconds after which the PSS is read (default 6)", "S" },
    { "renderer", 'r', 0, G_OPTION_ARG_STRING_ARRAY, &chosen,
      "Measure only with this renderer: cairo, gl or auto (may be repeated; "
      "default all three)", "NAME" },
    { "by-hand", 0, 0, G_OPTION_ARG_NONE, &by_hand,
      "Start haven as from a terminal, where it starts itself again to turn glibc's "
      "thread cache off, rather than as haven-kiosk-session starts it", NULL },
    { "all-languages", 0, 0, G_OPTION_ARG_NONE, &all_languages,
      "Offer every language haven knows on the welcome page, not only those with a "
      "catalog, to measure what their fonts cost", NULL },
    { NULL }
  };

  context = g_option_context_new ("HAVEN BARE-WINDOW");
  g_option_context_set_summary (context,
                                "Compares the time to the first painted frame, the peak RSS "
                                "and the PSS at the first page of haven and of an empty "
                                "libadwaita window, with each renderer.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-startup: %s\n", error->message);
      return 2;
    }

  if (argc != 3 || runs < MIN_RUNS || warmup < 0 || pss_runs < 0 || pss_after_s < 1)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("bench-startup: need the haven and bare-window executables, "
                  "--runs of at least %d, a --warmup and --pss-runs of at least 0 "
                  "and a --pss-after of at least 1\n\n%s",
                  MIN_RUNS, help);
      return 2;
    }

  for (guint i = 0; chosen != NULL && chosen[i] != NULL; i++)
    {
      gboolean known = FALSE;

      for (gsize r = 0; r < G_N_ELEMENTS (renderers); r++)
        known |= g_str_equal (chosen[i], renderers[r].name);
      if (!known)
        {
          g_printerr ("bench-startup: no renderer \"%s\": cairo, gl or auto\n", chosen[i]);
          return 2;
        }
    }

  haven_path = argv[1];
  bare_path = argv[2];

  if (!is_set ("DISPLAY") && !is_set ("WAYLAND_DISPLAY"))
    {
      g_print ("bench-startup: skipped: neither DISPLAY nor WAYLAND_DISPLAY is set; "
               "run it under a session or xvfb-run -a -s '-screen 0 1280x800x24'\n");
      return EXIT_SKIP;
    }

  if (!check_executable (haven_path, &error) || !check_executable (bare_path, &error))
    {
      g_printerr ("bench-startup: %s\n", error->message);
      return 1;
    }

  envp = g_get_environ ();
  /* Both start as haven-kiosk-session starts haven on a kiosk: with glibc's
   * thread cache off already, so that haven does not start itself again to
   * turn it off (haven_wipe_restart_without_thread_cache()), which loads
   * every library twice. */
  if (by_hand)
    envp = g_environ_unsetenv (envp, "GLIBC_TUNABLES");
  else
    envp = g_environ_setenv (envp, "GLIBC_TUNABLES", KIOSK_TUNABLES, TRUE);
  /* The renderer dominates every figure; it is set for each measurement. */
  envp = g_environ_unsetenv (envp, "GDK_DEBUG");

  if (all_languages)
    {
      all_languages_dir = make_all_languages_dir (&error);
      if (all_languages_dir == NULL)
        {
          g_printerr ("bench-startup: %s\n", error->message);
          return 1;
        }
      envp = g_environ_setenv (envp, "HAVEN_LOCALEDIR", all_languages_dir, TRUE);
    }

  g_print ("haven: %s\nbare:  %s\n", haven_path, bare_path);
  g_print ("%s%s\n",
           by_hand ? "started as from a terminal (no GLIBC_TUNABLES: haven starts itself again)"
                   : "started as haven-kiosk-session starts haven (GLIBC_TUNABLES=" KIOSK_TUNABLES ")",
           all_languages ? "; every language haven knows offered (--all-languages)" : "");

  for (gsize r = 0; r < G_N_ELEMENTS (renderers); r++)
    {
      if (chosen != NULL && !g_strv_contains ((const char * const *) chosen, renderers[r].name))
        continue;

      if (measure_renderer (&renderers[r], haven_path, bare_path, envp, runs, warmup,
                            pss_runs, pss_after_s))
        n_measured++;
      else
        all_measured = FALSE;
    }

  if (all_languages_dir != NULL)
    remove_all_languages_dir (all_languages_dir);

  return all_measured && n_measured > 0 ? 0 : 1;
}
