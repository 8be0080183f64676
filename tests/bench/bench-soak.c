/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-soak"

#include "config.h"

#include <malloc.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "haven-directory-import.h"
#include "haven-idle-warning.h"
#include "haven-service-detail.h"
#include "haven-wipe.h"
#include "memory-scan.h"
#include "receiver-process.h"
#include "visit-driver.h"

/* A soak: 1,000 whole visits in one kiosk process, as a kiosk that stays
 * up all week would see them, to find what grows.
 *
 *   bench-soak [--visits N] [--path report|removal|referrals]
 *              [--ending finish|leave|idle]
 *
 * One HavenWindow in kiosk mode, driven through its real widgets (the UI
 * tests' visit driver), goes through the three paths in turn:
 *  - report: a category without removal, every question and the story
 *    typed, the report sent from the summary;
 *  - removal: a removable category, the addresses and the request to take
 *    them down typed and sent;
 *  - referrals: help only: a search in the directory, a service opened
 *    and kept, nothing sent;
 * and ends them in turn with Finish, Leave now or the idle timeout, so
 * that over nine visits each path meets each ending. Leave now comes on
 * the summary, on the story page or while a request is on its way (for
 * the referrals path, with a service open); the idle timeout on the
 * summary or the story page. Visits alternate English and Spanish.
 * --path and --ending keep to one of each, to find which one a growth
 * comes with.
 *
 * What the visitor types is a fresh random marker each visit (into every
 * text field, the story, the addresses and the email address).
 *
 * Deliveries go to a real haven-receiver over TLS on 127.0.0.1 (a PKI
 * from make-pki.sh, bodies sealed with a key pair the receiver opens), so
 * that the kiosk's HTTPS client, its connections and its outbox run as
 * they do in a deployment: a soak against no backend would never open a
 * connection, and could not find a socket that is never closed. At the
 * end every request confirmed must have reached the receiver.
 *
 * The idle timeout: its shortest setting is 2 s of quiet and 2 s of
 * warning, so only a few idle visits (five in 1,000) wait for
 * HavenIdleMonitor's own timer with those settings; the others emit the
 * monitor's ::warning (each second of the countdown) and ::expired
 * signals as its timer does, so the window shows its warning and clears
 * the visit the same way without the wait.
 *
 * It prints, after visits 100, 200, ... and the last, each once the main
 * loop has settled on the welcome page: the resident set (VmRSS), the
 * bytes malloc holds for the program (mallinfo2) and SQLite's share, the
 * open file descriptors, the signal handlers on the display and its
 * GtkSettings (which outlive every page: a page that connects and never
 * disconnects shows there), and how many sessions and pages of ended
 * visits are still alive. Then the growth from visit 100 (by then caches
 * of fonts, styles and translations are full) to the last, against the
 * target of 2 % for the RSS; and a scan of the whole process memory for
 * the last visitor's marker, which must find no copy.
 *
 * It fails when a marker copy is found, when descriptors or handlers
 * grew (new descriptors are listed), when a session or page of an ended
 * visit is still alive, when a request confirmed never reached the
 * receiver, or when a visit could not be walked. An RSS above the target
 * is said, not failed: it is a figure of this machine. */

#define DEFAULT_VISITS 1000
#define FIRST_CHECKPOINT 100
#define RSS_TARGET_PERCENT 2.0
#define MARKER_LENGTH 40
/* The memory scan looks for the marker's tail, which also catches a copy
 * cut short at its start. */
#define SCAN_OFFSET 16
/* One idle visit in this many rounds of nine visits waits for the
 * monitor's real timer, on each path in turn. */
#define REAL_IDLE_ROUNDS 25
#define SHORTEST_IDLE_SECONDS 2

typedef enum {
  PATH_REPORT,
  PATH_REMOVAL,
  PATH_REFERRALS,
  N_PATHS,
} VisitPath;

typedef enum {
  ENDING_FINISH,
  ENDING_LEAVE_NOW,
  ENDING_IDLE,
  N_ENDINGS,
} VisitEnding;

/* Where the visitor stops before the visit ends. */
typedef enum {
  STOP_ON_SUMMARY,
  STOP_ON_STORY,
  STOP_WHILE_SENDING,
} StopPoint;

static const char *const path_names[N_PATHS] = { "report", "removal", "referrals" };
static const char *const ending_names[N_ENDINGS] = { "Finish", "Leave now", "idle timeout" };
static const char *const ending_options[N_ENDINGS] = { "finish", "leave", "idle" };
static const char *const report_categories[] = { "fraud", "account-takeover", "malware" };
static const char *const removal_categories[] = {
  "intimate-images", "harassment", "impersonation",
};
static const char *const referral_categories[] = { "other", "fraud", "account-takeover" };

typedef struct {
  guint index;
  VisitPath path;
  VisitEnding ending;
  StopPoint stop;
  gboolean real_idle;
  const char *category;
  const char *language;
} Visit;

typedef struct {
  guint visits;
  gint64 rss_kib;
  gsize heap_bytes;
  gint64 sqlite_bytes;
  guint fds;
  guint handlers;
  guint sessions_alive;
  guint pages_alive;
  double elapsed;
} Checkpoint;

typedef struct {
  guint by_kind[N_PATHS][N_ENDINGS];
  guint requests_confirmed;
  guint sent;
  guint queued;
  guint left_while_sending;
  guint real_idle;
  double slowest_visit;
  double seconds[N_PATHS];
} Tally;

/* Debug messages (GLib's, at each change of language; the directory
 * import's) would bury the figures. */
static GLogWriterOutput
quiet_log_writer (GLogLevelFlags   log_level,
                  const GLogField *fields,
                  gsize            n_fields,
                  gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* Readable views of the process, from /proc. */

static gint64
read_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    g_error ("/proc/self/status cannot be read");
  line = strstr (status, "\nVmRSS:");
  if (line == NULL)
    g_error ("/proc/self/status has no VmRSS");

  return g_ascii_strtoll (line + strlen ("\nVmRSS:"), NULL, 10);
}

/* Every descriptor open now, with what it points to, but the listing's
 * own. */
static GHashTable *
list_fds (void)
{
  GHashTable *fds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *own = g_strdup_printf ("/proc/%d/fd", (int) getpid ());
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *link = g_build_filename ("/proc/self/fd", name, NULL);
      char *target = g_file_read_link (link, NULL);

      if (target != NULL && g_str_equal (target, own))
        g_clear_pointer (&target, g_free);
      if (target != NULL)
        g_hash_table_insert (fds, g_strdup (name), target);
    }

  return fds;
}

static void
count_instances_below (GType       type,
                       GHashTable *counts)
{
  g_autofree GType *children = NULL;
  guint n_children;
  int count = g_type_get_instance_count (type);

  if (count > 0)
    g_hash_table_insert (counts, (gpointer) g_type_name (type), GINT_TO_POINTER (count));

  children = g_type_children (type, &n_children);
  for (guint i = 0; i < n_children; i++)
    count_instances_below (children[i], counts);
}

/* Type name -> live instances of it, for every type GObject counts
 * (GOBJECT_DEBUG=instance-count): what a leak of objects shows in. */
static GHashTable *
count_instances (void)
{
  GHashTable *counts = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_fundamentals = (guint) (g_type_fundamental_next () >> G_TYPE_FUNDAMENTAL_SHIFT);

  for (guint i = 1; i < n_fundamentals; i++)
    {
      GType fundamental = G_TYPE_MAKE_FUNDAMENTAL (i);

      if (g_type_name (fundamental) != NULL && G_TYPE_IS_INSTANTIATABLE (fundamental))
        count_instances_below (fundamental, counts);
    }

  return counts;
}

/* Prints the types with more live instances at the end than at visit
 * FIRST_CHECKPOINT; returns how many. */
static guint
print_grown_instances (GHashTable *before,
                       GHashTable *after)
{
  GHashTableIter iter;
  gpointer key, value;
  guint grown = 0;

  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      int old = GPOINTER_TO_INT (g_hash_table_lookup (before, key));

      if (GPOINTER_TO_INT (value) > old)
        {
          g_print ("  %-32s %5d -> %5d\n", (const char *) key, old, GPOINTER_TO_INT (value));
          grown++;
        }
    }

  return grown;
}

/* Signal handlers on @instance: each found, and blocked so as to find
 * the next, then unblocked. */
static guint
count_handlers (gpointer instance)
{
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (gulong));
  gulong handler;

  while ((handler = g_signal_handler_find (instance, G_SIGNAL_MATCH_UNBLOCKED, 0, 0,
                                           NULL, NULL, NULL)) != 0)
    {
      g_signal_handler_block (instance, handler);
      g_array_append_val (found, handler);
    }
  for (guint i = 0; i < found->len; i++)
    g_signal_handler_unblock (instance, g_array_index (found, gulong, i));

  return found->len;
}

/* Sessions and pages of visits that have ended, still alive: none should
 * be once the main loop has settled. */
static guint sessions_alive;
static guint pages_alive;

static void
session_finalized_cb (gpointer  data,
                      GObject  *where_the_object_was)
{
  sessions_alive--;
}

static void
page_finalized_cb (gpointer  data,
                   GObject  *where_the_object_was)
{
  pages_alive--;
}

static void
watch_page (GtkWidget *page)
{
  if (g_object_get_data (G_OBJECT (page), "bench-soak-watched") != NULL)
    return;

  g_object_set_data (G_OBJECT (page), "bench-soak-watched", GINT_TO_POINTER (TRUE));
  g_object_weak_ref (G_OBJECT (page), page_finalized_cb, NULL);
  pages_alive++;
}

static gsize
read_heap_bytes (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

/* The main loop settled: nothing pending, a whole frame painted on the
 * welcome page, nothing pending after it. */
static void
settle (HavenWindow *window)
{
  iterate ();
  wait_for_frame (window);
  iterate ();
}

static void
take_checkpoint (Checkpoint  *checkpoint,
                 HavenWindow *window,
                 guint        visits,
                 GTimer      *timer)
{
  g_autoptr(GHashTable) fds = NULL;

  settle (window);
  fds = list_fds ();
  checkpoint->visits = visits;
  checkpoint->rss_kib = read_rss_kib ();
  checkpoint->heap_bytes = read_heap_bytes ();
  checkpoint->sqlite_bytes = sqlite3_memory_used ();
  checkpoint->fds = g_hash_table_size (fds);
  /* Long-lived objects every page may connect to. */
  checkpoint->handlers = count_handlers (gtk_widget_get_settings (GTK_WIDGET (window))) +
                         count_handlers (gtk_widget_get_display (GTK_WIDGET (window)));
  checkpoint->sessions_alive = sessions_alive;
  checkpoint->pages_alive = pages_alive;
  checkpoint->elapsed = g_timer_elapsed (timer, NULL);

  g_print ("after visit %5u: RSS %6.1f MiB  malloc %5.1f MiB (SQLite %4.1f)  fds %3u  "
           "handlers %4u  ended visits' sessions %u, pages %u  (%.0f s)\n",
           visits, checkpoint->rss_kib / 1024.0, checkpoint->heap_bytes / 1048576.0,
           checkpoint->sqlite_bytes / 1048576.0, checkpoint->fds, checkpoint->handlers,
           checkpoint->sessions_alive, checkpoint->pages_alive, checkpoint->elapsed);
}

/* What a visitor does on the pages. */

static GtkWidget *
current_page (HavenWindow *window)
{
  return haven_window_get_current_page (window);
}

static gboolean
is_shown_entry (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_ENTRY (widget) && gtk_widget_get_mapped (widget);
}

static gboolean
is_shown_list_row (GtkWidget     *widget,
                   gconstpointer  data)
{
  return GTK_IS_LIST_BOX_ROW (widget) && gtk_widget_get_mapped (widget);
}

static gboolean
is_service_detail (GtkWidget     *widget,
                   gconstpointer  data)
{
  return HAVEN_IS_SERVICE_DETAIL (widget) && gtk_widget_get_mapped (widget);
}

static gboolean
has_results (HavenWindow *window)
{
  return find_widget (current_page (window), is_shown_list_row, NULL) != NULL;
}

static gboolean
has_no_results (HavenWindow *window)
{
  return !has_results (window);
}

static gboolean
is_warning_shown (HavenWindow *window)
{
  return find_widget (GTK_WIDGET (window), is_of_type,
                      GSIZE_TO_POINTER (HAVEN_TYPE_IDLE_WARNING)) != NULL;
}

static gboolean
is_on_welcome_page (HavenWindow *window)
{
  return HAVEN_IS_WELCOME_PAGE (current_page (window));
}

static gboolean
report_settled (HavenWindow *window)
{
  HavenSubmissionState state = haven_session_get_report_state (haven_window_get_session (window));

  return state != HAVEN_SUBMISSION_NONE && state != HAVEN_SUBMISSION_SENDING;
}

static gboolean
removal_settled (HavenWindow *window)
{
  HavenSession *session = haven_window_get_session (window);
  HavenSubmissionState state = haven_session_get_submission_state (session);

  return state != HAVEN_SUBMISSION_NONE && state != HAVEN_SUBMISSION_SENDING;
}

static void
type_into_entry (GtkWidget  *entry,
                 const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  iterate ();
}

static void
type_into_view (GtkWidget  *view,
                const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
  iterate ();
}

static void
count_outcome (Tally                *tally,
               HavenSubmissionState  state)
{
  if (state == HAVEN_SUBMISSION_SENT)
    tally->sent++;
  else if (state == HAVEN_SUBMISSION_QUEUED)
    tally->queued++;
  else
    g_error ("A request ended in state %d, neither sent nor queued", state);
}

/* Every field of a question typed into; a field that refuses the text
 * (an amount, say) is then skipped, as a visitor would. */
static void
answer_question (HavenWindow *window,
                 const char  *marker)
{
  GtkWidget *page = current_page (window);
  GtkWidget *entry = find_widget (page, is_shown_entry, NULL);
  GtkWidget *view = find_widget (page, is_of_type, GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW));

  if (entry == NULL && view == NULL)
    {
      click (window, "question.skip");
      return;
    }

  if (entry != NULL)
    type_into_entry (entry, marker);
  if (view != NULL)
    type_into_view (view, marker);
  click (window, "question.continue");
  if (current_page (window) == page)
    click (window, "question.skip");
}

static void
fill_removal_items (HavenWindow *window,
                    const char  *marker)
{
  g_autofree char *address = g_strconcat ("https://example.social/", marker, NULL);
  GtkWidget *url = find_widget (current_page (window), is_shown_entry, NULL);
  GtkWidget *description;

  type_into_entry (url, address);
  description = gtk_widget_get_next_sibling (url);
  while (description != NULL && !is_shown_entry (description, NULL))
    description = gtk_widget_get_next_sibling (description);
  if (description != NULL)
    type_into_entry (description, marker);
  press_named (window, "continue");
}

/* The contact page: an email address, which is the consent to be
 * contacted; the visitor's words, to be wiped with the rest. */
static void
give_email (HavenWindow *window,
            const char  *marker)
{
  g_autofree char *email = g_strconcat (marker, "@example.org", NULL);

  type_into_entry (find_widget (current_page (window), has_name, "email"), email);
  click (window, "removal-contact.continue");
}

/* The send page: the declaration, then Send. Who it is for was chosen
 * on the page before ("Me", by advance()). */
static void
send_removal (HavenWindow *window)
{
  press_named (window, "confirm");
  press_named (window, "send");
}

/* The referrals page as someone looking for help uses it: a search that
 * finds nothing, the list again, a service opened and kept. Returns with
 * the service open when @stay_open. */
static void
use_referrals (HavenWindow *window,
               const char  *marker,
               gboolean     stay_open)
{
  GtkWidget *search;
  GtkWidget *detail;

  if (!iterate_until (has_results, window, 10))
    g_error ("Visit: the referrals page listed no service within 10 s");

  search = find_widget (current_page (window), has_name, "search");
  type_into_entry (search, marker);
  if (!iterate_until (has_no_results, window, 10))
    g_error ("Visit: a search for nothing still listed services after 10 s");
  type_into_entry (search, "");
  if (!iterate_until (has_results, window, 10))
    g_error ("Visit: the cleared search listed no service within 10 s");

  g_signal_emit_by_name (find_widget (current_page (window), is_shown_list_row, NULL), "activate");
  iterate ();
  detail = find_widget (current_page (window), is_service_detail, NULL);
  if (detail == NULL)
    g_error ("Visit: no service page opened");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (find_widget (detail, has_name, "keep")), TRUE);
  iterate ();
  if (stay_open)
    return;

  g_signal_emit_by_name (find_widget (current_page (window), has_name, "back-to-list"), "clicked");
  iterate ();
}

/* Walks @visit from the welcome page to its stop point. */
static void
walk (HavenWindow *window,
      const Visit *visit,
      const char  *marker,
      Tally       *tally)
{
  HavenSession *session;

  start_visit (window, visit->language);
  gtk_widget_activate_action (current_page (window), "safety.answer", "s", "someone");
  iterate ();
  click (window, "visit.next");
  advance_to (window, HAVEN_TYPE_CATEGORY_PAGE);
  choose_category (window, visit->category);
  session = haven_window_get_session (window);

  g_object_weak_ref (G_OBJECT (session), session_finalized_cb, NULL);
  sessions_alive++;

  for (guint steps = 0; steps < 60; steps++)
    {
      GtkWidget *page = current_page (window);

      watch_page (page);
      if (HAVEN_IS_QUESTION_PAGE (page))
        answer_question (window, marker);
      else if (HAVEN_IS_STORY_PAGE (page))
        {
          type_story (window, marker);
          if (visit->stop == STOP_ON_STORY)
            return;
          click (window, "visit.next");
        }
      else if (HAVEN_IS_REMOVAL_ITEMS_PAGE (page))
        {
          if (visit->path == PATH_REMOVAL)
            fill_removal_items (window, marker);
          else
            advance (window);
        }
      else if (HAVEN_IS_REMOVAL_CONTACT_PAGE (page) && visit->path == PATH_REMOVAL)
        give_email (window, marker);
      else if (HAVEN_IS_REMOVAL_SEND_PAGE (page) &&
               haven_session_get_submission_state (session) == HAVEN_SUBMISSION_NONE)
        {
          if (visit->path != PATH_REMOVAL)
            {
              press_named (window, "do-not-send");
              continue;
            }
          send_removal (window);
          tally->requests_confirmed++;
          if (visit->stop == STOP_WHILE_SENDING)
            {
              tally->left_while_sending++;
              return;
            }
          if (!iterate_until (removal_settled, window, 20))
            g_error ("Visit %u: the removal request was not settled within 20 s", visit->index);
          count_outcome (tally, haven_session_get_submission_state (session));
        }
      else if (HAVEN_IS_REFERRALS_PAGE (page) && visit->path == PATH_REFERRALS)
        {
          use_referrals (window, marker, visit->stop == STOP_WHILE_SENDING);
          if (visit->stop == STOP_WHILE_SENDING)
            return;
          click (window, "visit.next");
        }
      else if (HAVEN_IS_SUMMARY_PAGE (page))
        {
          if (visit->path == PATH_REPORT)
            {
              press_named (window, "send-report");
              tally->requests_confirmed++;
              if (visit->stop == STOP_WHILE_SENDING)
                {
                  tally->left_while_sending++;
                  return;
                }
              if (!iterate_until (report_settled, window, 20))
                g_error ("Visit %u: the report was not settled within 20 s", visit->index);
              count_outcome (tally, haven_session_get_report_state (session));
            }
          return;
        }
      else
        advance (window);
    }

  g_error ("Visit %u (%s) was stuck on %s", visit->index, path_names[visit->path],
           G_OBJECT_TYPE_NAME (current_page (window)));
}

static void
use_idle_times (GSettings *settings,
                guint      seconds)
{
  g_settings_set_uint (settings, "idle-timeout", seconds);
  g_settings_set_uint (settings, "idle-warning", seconds);
}

/* The visitor walks away: the monitor's countdown, as its timer runs it. */
static void
expire_idle (HavenWindow *window,
             GSettings   *settings)
{
  HavenIdleMonitor *monitor = haven_window_get_idle_monitor (window);
  guint warning = g_settings_get_uint (settings, "idle-warning");

  g_assert_true (haven_idle_monitor_get_armed (monitor));
  for (guint left = warning; left > 0; left--)
    {
      g_signal_emit_by_name (monitor, "warning", left);
      iterate ();
      g_assert_true (is_warning_shown (window));
    }
  g_signal_emit_by_name (monitor, "expired");
  iterate ();
}

static void
wait_for_real_idle (HavenWindow *window)
{
  if (!iterate_until (is_warning_shown, window, 10))
    g_error ("The idle warning did not come within 10 s");
  if (!iterate_until (is_on_welcome_page, window, 10))
    g_error ("The idle timeout did not clear the visit within 10 s");
}

static void
end_visit (Fixture     *fixture,
           const Visit *visit)
{
  switch (visit->ending)
    {
    case ENDING_FINISH:
      click (fixture->window, "visit.finish");
      break;

    case ENDING_LEAVE_NOW:
      click (fixture->window, "visit.leave-now");
      break;

    case ENDING_IDLE:
      if (visit->real_idle)
        wait_for_real_idle (fixture->window);
      else
        expire_idle (fixture->window, fixture->settings);
      break;

    case N_ENDINGS:
    default:
      g_assert_not_reached ();
    }

  if (!is_on_welcome_page (fixture->window))
    g_error ("Visit %u: after %s the kiosk shows %s, not the welcome page", visit->index,
             ending_names[visit->ending], G_OBJECT_TYPE_NAME (current_page (fixture->window)));
  if (is_warning_shown (fixture->window))
    g_error ("Visit %u: the idle warning is still shown", visit->index);
}

/* --path and --ending: a soak of one path or one ending, to find which
 * one a growth comes with. */
static int only_path = -1;
static int only_ending = -1;

static int
lookup_name (const char *const *names,
             guint               n_names,
             const char         *name)
{
  for (guint i = 0; i < n_names; i++)
    if (g_str_equal (names[i], name))
      return (int) i;

  return -2;
}

static Visit
plan_visit (guint index)
{
  /* Each path meets each ending within nine visits. */
  Visit visit = {
    .index = index + 1,
    .path = only_path >= 0 ? (VisitPath) only_path : index % N_PATHS,
    .ending = only_ending >= 0 ? (VisitEnding) only_ending : (index / N_PATHS) % N_ENDINGS,
    .language = (index / 2) % 2 == 0 ? "en" : "es",
  };
  guint round = index / (N_PATHS * N_ENDINGS);

  switch (visit.path)
    {
    case PATH_REPORT:
      visit.category = report_categories[round % G_N_ELEMENTS (report_categories)];
      break;
    case PATH_REMOVAL:
      visit.category = removal_categories[round % G_N_ELEMENTS (removal_categories)];
      break;
    case PATH_REFERRALS:
    case N_PATHS:
    default:
      visit.category = referral_categories[round % G_N_ELEMENTS (referral_categories)];
      break;
    }

  if (visit.ending == ENDING_FINISH)
    visit.stop = STOP_ON_SUMMARY;
  else if (visit.ending == ENDING_LEAVE_NOW)
    visit.stop = (StopPoint) (round % 3);
  else
    {
      visit.stop = round % 2 == 0 ? STOP_ON_SUMMARY : STOP_ON_STORY;
      /* A real wait: from the story page, which a visit reaches well
       * within the 2 s before the warning. */
      visit.real_idle = round % REAL_IDLE_ROUNDS == 1 &&
                        (round / REAL_IDLE_ROUNDS) % N_PATHS == visit.path;
      if (visit.real_idle)
        visit.stop = STOP_ON_STORY;
    }

  return visit;
}

static void
run_visit (Fixture      *fixture,
           const Visit  *visit,
           const guint8 *masked_marker,
           Tally        *tally)
{
  char *marker = memory_scan_reveal_marker (masked_marker, MARKER_LENGTH);
  g_autoptr(GTimer) timer = g_timer_new ();

  if (visit->real_idle)
    use_idle_times (fixture->settings, SHORTEST_IDLE_SECONDS);

  walk (fixture->window, visit, marker, tally);
  /* The bench's own plain copy: only the kiosk's may remain. */
  explicit_bzero (marker, MARKER_LENGTH);
  g_free (marker);

  end_visit (fixture, visit);

  if (visit->real_idle)
    {
      g_settings_reset (fixture->settings, "idle-timeout");
      g_settings_reset (fixture->settings, "idle-warning");
      tally->real_idle++;
    }
  tally->by_kind[visit->path][visit->ending]++;
  tally->slowest_visit = MAX (tally->slowest_visit, g_timer_elapsed (timer, NULL));
  tally->seconds[visit->path] += g_timer_elapsed (timer, NULL);
}

/* The receiver's count of what it stored, read as an integrator would. */
static guint
count_received (ReceiverProcess *receiver)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;
  guint count;

  g_assert_cmpint (sqlite3_open_v2 (receiver->db_path, &db, SQLITE_OPEN_READONLY, NULL),
                   ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM requests", -1, &statement, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (statement), ==, SQLITE_ROW);
  count = (guint) sqlite3_column_int (statement, 0);
  sqlite3_finalize (statement);
  sqlite3_close (db);

  return count;
}

static guint
wait_for_received (ReceiverProcess *receiver,
                   guint            expected)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  guint received;

  while ((received = count_received (receiver)) < expected && g_get_monotonic_time () < deadline)
    {
      iterate ();
      g_usleep (50000);
    }

  return received;
}

/* Copies of the last visitor's marker in the whole process, after GTK
 * has let go of the last pages (at later frames): up to 3 s. */
static guint
scan_for_marker (HavenWindow  *window,
                 const guint8 *masked_marker)
{
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  guint copies;

  do
    {
      settle (window);
      copies = memory_scan_count (masked_marker + SCAN_OFFSET, MARKER_LENGTH - SCAN_OFFSET);
    }
  while (copies > 0 && g_get_monotonic_time () < deadline);

  return copies;
}

static void
configure (GSettings       *settings,
           ReceiverProcess *receiver,
           const char      *public_key,
           const char      *directory_path)
{
  g_autofree char *ca_file = work_path ("ca.pem");
  g_autofree char *outbox = work_path ("outbox.sqlite");

  g_settings_set_string (settings, "backend-url", receiver->url);
  g_settings_set_string (settings, "ca-file", ca_file);
  g_settings_set_string (settings, "outbox-file", outbox);
  g_settings_set_string (settings, "kiosk-id", "soak-kiosk");
  g_settings_set_string (settings, "backend-public-key", public_key);
  g_settings_set_boolean (settings, "submit-reports", TRUE);
  g_settings_set_string (settings, "directory-file", directory_path);
  g_settings_set_string (settings, "region", "GB-LND");
}

static void
reset_settings (GSettings *settings)
{
  const char *keys[] = {
    "backend-url", "ca-file", "outbox-file", "kiosk-id", "backend-public-key", "submit-reports",
    "directory-file", "region",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
}

static char *
import_directory (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenDirectoryImporter) importer = NULL;
  g_autofree char *source = g_test_build_filename (G_TEST_DIST, "data", "directory",
                                                   "services.json", NULL);
  char *path = work_path ("directory.sqlite");

  importer = haven_directory_importer_new (source, path);
  if (!haven_directory_importer_run (importer, NULL, &error))
    g_error ("The test directory cannot be imported: %s", error->message);

  return path;
}

/* Lists the descriptors open at the end that were not at visit
 * FIRST_CHECKPOINT. */
static void
print_new_fds (GHashTable *before,
               GHashTable *after)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *old = g_hash_table_lookup (before, key);

      if (old == NULL || !g_str_equal (old, value))
        g_print ("  fd %s -> %s (new)\n", (const char *) key, (const char *) value);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimer) timer = NULL;
  g_autoptr(GHashTable) fds_first = NULL;
  g_autoptr(GHashTable) fds_last = NULL;
  g_autoptr(GHashTable) instances_first = NULL;
  g_autoptr(GHashTable) instances_last = NULL;
  g_autoptr(GArray) checkpoints = g_array_new (FALSE, TRUE, sizeof (Checkpoint));
  g_autofree char *keypair = NULL;
  g_autofree char *public_key = NULL;
  g_autofree char *directory_path = NULL;
  const char *keypair_options[3] = { "--keypair", NULL, NULL };
  ReceiverProcess *receiver;
  Fixture fixture = { 0 };
  Tally tally = { { { 0 } } };
  guint8 masked_marker[MARKER_LENGTH];
  const Checkpoint *first = NULL;
  const Checkpoint *last = NULL;
  gint visits = DEFAULT_VISITS;
  g_autofree char *path_name = NULL;
  g_autofree char *ending_name = NULL;
  double rss_growth;
  guint copies;
  guint received;
  gboolean failed = FALSE;
  const GOptionEntry entries[] = {
    { "visits", 0, 0, G_OPTION_ARG_INT, &visits, "Visits to run (1000)", "N" },
    { "path", 0, 0, G_OPTION_ARG_STRING, &path_name, "Only this path",
      "report|removal|referrals" },
    { "ending", 0, 0, G_OPTION_ARG_STRING, &ending_name, "Only this ending", "finish|leave|idle" },
    { NULL }
  };

  g_log_set_writer_func (quiet_log_writer, NULL, NULL);
  /* Before the work folder is made: the restart would leave it behind. */
  haven_wipe_restart_without_thread_cache (argv);
  work_dir_init ("soak");
  visit_driver_init (&argc, &argv);

  context = g_option_context_new ("- a thousand visits in one kiosk process");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (path_name != NULL)
    only_path = lookup_name (path_names, N_PATHS, path_name);
  if (ending_name != NULL)
    only_ending = lookup_name (ending_options, N_ENDINGS, ending_name);
  if (only_path == -2 || only_ending == -2)
    {
      g_printerr ("Unknown --path or --ending\n");
      return 2;
    }
  if (visits < FIRST_CHECKPOINT)
    {
      g_printerr ("--visits must be %u or more\n", FIRST_CHECKPOINT);
      return 2;
    }

  keypair = work_path ("keypair");
  public_key = receiver_process_make_keypair (keypair);
  keypair_options[1] = keypair;
  receiver = receiver_process_start_tls (keypair_options);
  directory_path = import_directory ();

  fixture_set_up (&fixture, GINT_TO_POINTER (TRUE));
  configure (fixture.settings, receiver, public_key, directory_path);
  settle (fixture.window);

  g_print ("Soak: %d visits in one kiosk process (paths: report, removal, referrals; "
           "endings: Finish, Leave now, idle timeout)\n", visits);

  timer = g_timer_new ();
  for (gint i = 0; i < visits; i++)
    {
      Visit visit = plan_visit ((guint) i);

      memory_scan_make_marker (masked_marker, sizeof masked_marker);
      run_visit (&fixture, &visit, masked_marker, &tally);

      if (visit.index % 100 == 0 || i == visits - 1)
        {
          Checkpoint checkpoint;

          take_checkpoint (&checkpoint, fixture.window, visit.index, timer);
          g_array_append_val (checkpoints, checkpoint);
          if (visit.index == FIRST_CHECKPOINT)
            {
              fds_first = list_fds ();
              instances_first = count_instances ();
            }
        }
    }
  fds_last = list_fds ();
  instances_last = count_instances ();

  copies = scan_for_marker (fixture.window, masked_marker);
  received = wait_for_received (receiver, tally.requests_confirmed);

  first = &g_array_index (checkpoints, Checkpoint, 0);
  last = &g_array_index (checkpoints, Checkpoint, checkpoints->len - 1);
  rss_growth = 100.0 * (double) (last->rss_kib - first->rss_kib) / (double) first->rss_kib;

  g_print ("\nVisits:          %u in %.0f s (%.0f ms a visit on average, slowest %.0f ms)\n",
           last->visits, last->elapsed, 1000.0 * last->elapsed / last->visits,
           1000.0 * tally.slowest_visit);
  for (guint p = 0; p < N_PATHS; p++)
    {
      guint n = tally.by_kind[p][ENDING_FINISH] + tally.by_kind[p][ENDING_LEAVE_NOW] +
                tally.by_kind[p][ENDING_IDLE];

      g_print ("  %-9s  %u Finish, %u Leave now, %u idle timeout; %.0f ms a visit\n",
               path_names[p], tally.by_kind[p][ENDING_FINISH], tally.by_kind[p][ENDING_LEAVE_NOW],
               tally.by_kind[p][ENDING_IDLE], n > 0 ? 1000.0 * tally.seconds[p] / n : 0.0);
    }
  g_print ("  idle timeouts waited for on the monitor's own timer: %u\n", tally.real_idle);
  g_print ("Requests:        %u confirmed: %u sent at once, %u queued, %u left on their way; "
           "%u received by haven-receiver\n",
           tally.requests_confirmed, tally.sent, tally.queued, tally.left_while_sending, received);
  g_print ("RSS:             %.1f MiB at visit %u, %.1f MiB at visit %u: %+.2f %% "
           "(target <= %.0f %%)%s\n",
           first->rss_kib / 1024.0, first->visits, last->rss_kib / 1024.0, last->visits,
           rss_growth, RSS_TARGET_PERCENT,
           rss_growth > RSS_TARGET_PERCENT ? "  ABOVE TARGET" : "");
  g_print ("malloc in use:   %.1f MiB at visit %u, %.1f MiB at visit %u: %+.2f %%\n",
           first->heap_bytes / 1048576.0, first->visits, last->heap_bytes / 1048576.0,
           last->visits,
           100.0 * ((double) last->heap_bytes - (double) first->heap_bytes) /
           (double) first->heap_bytes);
  g_print ("Open fds:        %u at visit %u, %u at visit %u%s\n", first->fds, first->visits,
           last->fds, last->visits, last->fds > first->fds ? "  GREW" : "");
  g_print ("Handlers:        %u on the display and its settings at visit %u, %u at visit %u%s\n",
           first->handlers, first->visits, last->handlers, last->visits,
           last->handlers > first->handlers ? "  GREW" : "");
  g_print ("Ended visits:    %u sessions and %u pages still alive\n", last->sessions_alive,
           last->pages_alive);
  /* GLib counts instances only when built with G_ENABLE_DEBUG and run
   * with GOBJECT_DEBUG=instance-count; Debian's is not. */
  if (g_type_get_instance_count (HAVEN_TYPE_WINDOW) > 0)
    {
      g_print ("Objects:         types with more live instances at visit %u than at visit %u:\n",
               last->visits, first->visits);
      if (print_grown_instances (instances_first, instances_last) == 0)
        g_print ("  none\n");
    }
  else
    g_print ("Objects:         not counted (GLib without G_ENABLE_DEBUG)\n");
  g_print ("Marker copies:   %u in memory after the last visit (visit %u)%s\n",
           copies, last->visits, copies > 0 ? "  FOUND" : "");

  if (last->fds > first->fds)
    {
      g_print ("FAIL: open file descriptors grew:\n");
      print_new_fds (fds_first, fds_last);
      failed = TRUE;
    }
#ifndef __SANITIZE_ADDRESS__
  /* AddressSanitizer's allocator keeps freed blocks unscrubbed. */
  if (copies > 0)
    {
      g_print ("FAIL: the last visitor's text is still in memory\n");
      failed = TRUE;
    }
#endif
  if (last->handlers > first->handlers)
    {
      g_print ("FAIL: signal handlers on the display and its settings grew\n");
      failed = TRUE;
    }
  if (last->sessions_alive > 0 || last->pages_alive > 0)
    {
      g_print ("FAIL: what ended visits showed or held is still alive\n");
      failed = TRUE;
    }
  if (received != tally.requests_confirmed)
    {
      g_print ("FAIL: %u requests confirmed, %u received\n", tally.requests_confirmed, received);
      failed = TRUE;
    }

  reset_settings (fixture.settings);
  fixture_tear_down (&fixture, NULL);
  receiver_process_stop (receiver);
  work_dir_remove ();

  return failed ? 1 : 0;
}
