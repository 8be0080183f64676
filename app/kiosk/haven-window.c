/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-window"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-cannot-start-page.h"
#include "haven-category-page.h"
#include "haven-child-page.h"
#include "haven-gtk-fixes.h"
#include "haven-guidance-page.h"
#include "haven-idle-monitor.h"
#include "haven-idle-warning.h"
#include "haven-intro-page.h"
#include "haven-locale.h"
#include "haven-lockdown.h"
#include "haven-operator-screen.h"
#include "haven-question-page.h"
#include "haven-referrals-page.h"
#include "haven-removal-contact-page.h"
#include "haven-removal-items-page.h"
#include "haven-removal-role-page.h"
#include "haven-removal-send-page.h"
#include "haven-review-page.h"
#include "haven-safety-page.h"
#include "haven-sender.h"
#include "haven-story-page.h"
#include "haven-summary.h"
#include "haven-summary-page.h"
#include "haven-visit-header.h"
#include "haven-welcome-page.h"
#include "haven-bundle-updater.h"
#include "haven-wipe.h"
#include "haven-window.h"

/* One page of this visit: a page type, and for a question page its
 * question. */
typedef struct {
  GType type;
  HavenQuestion *question;
} VisitStep;

/* The kiosk's one window. It owns the visitor's session and shows one page
 * of the visit at a time. Pages never talk to each other: they read and
 * write the session, and move the visit on through the window's actions
 * (visit.next, visit.back, visit.finish, visit.leave-now, visit.switch-language). */
struct _HavenWindow
{
  AdwApplicationWindow parent_instance;

  /* The style class of the language the window shows (interned). */
  const char *language_class;

  GtkStack *header_slot;
  /* The header on screen, in header_slot. */
  GtkWidget *header;
  GtkOverlay *overlay;
  GtkStack *pages;

  GSettings *settings;
  HavenContent *content;
  /* Sends what the visitor confirms, and goes on sending what is queued
   * after the window has gone: the application's in the kiosk. */
  HavenSender *sender;
  HavenSession *session;
  /* Cancelled when the visit ends: nothing of a finished visit may come
   * back to the screen. */
  GCancellable *visit_cancellable;
  HavenIdleMonitor *idle_monitor;
  GtkWidget *current_page;
  /* Shown instead of any visit when the content cannot be read. */
  GtkWidget *cannot_start_page;
  GtkWidget *idle_warning;
  GtkWidget *operator_screen;
  /* Counts wrong operator PINs, across restarts. */
  HavenPinGuard *pin_guard;
  /* The organisation's bundles: a new one is switched to between visits
   * (the application's, as the sender is). */
  HavenBundleUpdater *bundle_updater;
  /* What the visitor turned on for their visit. */
  gboolean larger_text;
  gboolean high_contrast;
  GtkCssProvider *high_contrast_style;
  GStrv offered_languages;

  /* The page on screen. */
  VisitStep step;
  /* Whether freed memory is being scrubbed for a visit, and the timeout
   * that stops it after one. */
  gboolean scrubbing;
  guint stop_scrubbing_source;
  /* When Escape was last pressed, and how many times in a row. */
  gint64 last_escape;
  guint escape_count;

  /* The next visit's opening, made ahead during this one
   * (prepare_next_visit()): an empty session, its header and its welcome
   * page, which waits hidden in the stack (owned by the stack). */
  HavenSession *next_session;
  GtkWidget *next_header;
  GtkWidget *next_page;
  gboolean next_kiosk_mode;
  /* The idle step that makes it, or whether it waits for a frame first. */
  guint prepare_source;
  gboolean prepare_waits_for_frame;
  /* The ended visit's header, out of the window already, kept until the
   * welcome page is painted (retire_header()). */
  GtkWidget *retired_header;
};

/* "Leave now" from the keyboard: Escape three times, each within this
 * long of the one before. */
#define LEAVE_NOW_ESCAPE_PRESSES 3
#define LEAVE_NOW_ESCAPE_INTERVAL_US (G_USEC_PER_SEC * 3 / 4)

/* How long freed memory is still scrubbed after a visit ends. */
#define SCRUB_AFTER_VISIT_SECONDS 10

G_DEFINE_FINAL_TYPE (HavenWindow, haven_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_SENDER,
  PROP_LARGER_TEXT,
  PROP_HIGH_CONTRAST,
  N_PROPS,
};

/* "Larger text": every text at this scale, for the visit. */
#define LARGER_TEXT_SCALE 1.5
/* GTK's default resolution, in 1/1024 dots per inch. */
#define DEFAULT_XFT_DPI (96 * 1024)

static GParamSpec *props[N_PROPS];

typedef GType (*PageTypeFunc) (void);

/* The order of a visit. A question page stands for one page per question
 * asked about the session's category. */
static const PageTypeFunc visit_pages[] = {
  haven_welcome_page_get_type,
  haven_safety_page_get_type,
  haven_intro_page_get_type,
  haven_category_page_get_type,
  haven_child_page_get_type,
  haven_question_page_get_type,
  haven_story_page_get_type,
  haven_guidance_page_get_type,
  haven_removal_items_page_get_type,
  haven_removal_role_page_get_type,
  haven_removal_contact_page_get_type,
  haven_review_page_get_type,
  haven_removal_send_page_get_type,
  haven_referrals_page_get_type,
  haven_summary_page_get_type,
};

static gboolean
is_kiosk_mode (HavenWindow *self)
{
  return g_settings_get_boolean (self->settings, "kiosk-mode");
}

static void
apply_text_direction (const char *language)
{
  GtkTextDirection direction = haven_locale_get_direction (language) == HAVEN_TEXT_DIRECTION_RTL
                               ? GTK_TEXT_DIR_RTL : GTK_TEXT_DIR_LTR;

  gtk_widget_set_default_direction (direction);
}

static void retire_header (HavenWindow *self,
                           GtkWidget   *header);

/* Puts @header on screen in place of the one there. The next visit's,
 * made ahead, waits hidden in the same stack, where it is styled before
 * it is needed; it stays after the one on screen, so that whoever looks
 * for the header in the window's tree meets the one on screen first. */
static void
show_header (HavenWindow *self,
             GtkWidget   *header)
{
  GtkWidget *old_header = self->header;

  if (gtk_widget_get_parent (header) == NULL)
    gtk_stack_add_child (self->header_slot, header);
  gtk_accessible_reset_state (GTK_ACCESSIBLE (header), GTK_ACCESSIBLE_STATE_HIDDEN);
  gtk_stack_set_visible_child (self->header_slot, header);
  self->header = header;

  if (old_header != NULL)
    {
      retire_header (self, old_header);
      gtk_stack_remove (self->header_slot, old_header);
    }

  if (self->next_header != NULL && self->next_header != header &&
      gtk_widget_get_prev_sibling (self->next_header) == NULL)
    {
      g_autoptr(GtkWidget) next_header = g_object_ref (self->next_header);

      gtk_stack_remove (self->header_slot, next_header);
      gtk_stack_add_child (self->header_slot, next_header);
    }
}

static void
build_header (HavenWindow *self)
{
  GtkWidget *header = haven_visit_header_new ((const char * const *) self->offered_languages,
                                              haven_session_get_language (self->session),
                                              !is_kiosk_mode (self));

  show_header (self, header);
}

/* Puts the keyboard focus on the first control of the current page, as on a
 * new screen. Focus is cleared first: when it was on the old page, GtkStack
 * has already moved it into the new one, and moving on from there would skip
 * a control. Only mapped widgets can take focus, so before the window is
 * shown this does nothing, and map () does it again. */
static void
focus_current_page (HavenWindow *self)
{
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  haven_page_focus (HAVEN_PAGE (self->current_page));
}

static gboolean
is_default_language (HavenWindow *self)
{
  g_autofree char *default_language = haven_locale_get_default (self->settings);

  return g_strcmp0 (haven_session_get_language (self->session), default_language) == 0;
}


/* The directory is opened afresh for each referrals page, which is cheap,
 * so that an import replacing the file is seen by the next visitor. */
static void
give_directory (HavenWindow        *self,
                HavenReferralsPage *page)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *region = g_settings_get_string (self->settings, "region");
  g_autoptr(HavenDirectory) directory = haven_directory_open_configured (self->settings, NULL, NULL,
                                                                         &error);

  haven_referrals_page_set_directory (page, directory, region, error);
}

/* The pages this visit goes through, in order, as things stand: the
 * category and the answers decide some of them. */
static GArray *
list_steps (HavenWindow *self)
{
  GArray *steps = g_array_new (FALSE, FALSE, sizeof (VisitStep));
  const char *category = haven_session_get_category (self->session);

  for (gsize i = 0; i < G_N_ELEMENTS (visit_pages); i++)
    {
      GType type = visit_pages[i] ();

      if (type == HAVEN_TYPE_QUESTION_PAGE)
        {
          GListModel *questions = NULL;

          if (category == NULL)
            continue;

          questions = haven_content_get_questions_for (self->content, category);
          for (guint q = 0; questions != NULL && q < g_list_model_get_n_items (questions); q++)
            {
              g_autoptr(HavenQuestion) question = g_list_model_get_item (questions, q);
              VisitStep step = { type, question };

              /* The content holds its questions for as long as the
               * window lives. */
              g_array_append_val (steps, step);
            }
        }
      else if (haven_page_type_is_needed (type, self->session, self->content))
        {
          VisitStep step = { type, NULL };

          g_array_append_val (steps, step);
        }
    }

  return steps;
}

/* Where @step is in @steps, or -1 when this visit no longer goes
 * through it. */
static int
find_step (GArray          *steps,
           const VisitStep *step)
{
  for (guint i = 0; i < steps->len; i++)
    {
      const VisitStep *candidate = &g_array_index (steps, VisitStep, i);

      if (candidate->type == step->type && candidate->question == step->question)
        return (int) i;
    }

  return -1;
}

static const char *
get_step_title (const VisitStep *step)
{
  if (step->question != NULL)
    return g_dgettext (GETTEXT_PACKAGE, haven_question_get_title (step->question));

  return haven_page_type_get_step_title (step->type);
}

static gboolean
stop_scrubbing_cb (gpointer user_data)
{
  HavenWindow *self = user_data;

  self->stop_scrubbing_source = 0;
  haven_wipe_set_scrub_freed_memory (FALSE);
  return G_SOURCE_REMOVE;
}

/* Freed memory is scrubbed while a visit is under way. When it ends, GTK
 * still holds some of the last page (layouts, render nodes) until later
 * frames, so scrubbing stops only a while after the welcome page is
 * back. */
static void
set_scrubbing (HavenWindow *self,
               gboolean     visit_under_way)
{
  if (visit_under_way)
    {
      g_clear_handle_id (&self->stop_scrubbing_source, g_source_remove);
      haven_wipe_set_scrub_freed_memory (TRUE);
      self->scrubbing = TRUE;
    }
  else if (self->scrubbing && self->stop_scrubbing_source == 0)
    {
      self->scrubbing = FALSE;
      self->stop_scrubbing_source = g_timeout_add_seconds_full (G_PRIORITY_LOW, SCRUB_AFTER_VISIT_SECONDS,
                                                                stop_scrubbing_cb, self, NULL);
    }
}

/* The helper's language at a walk-in desk, when set and not the
 * visitor's: pages show their headings, questions and choices in it too. */
static char *
get_helper_language (HavenWindow  *self,
                     HavenSession *session)
{
  g_autofree char *language = g_settings_get_string (self->settings, "helper-language");

  if (language[0] == '\0' || !haven_locale_is_known (language) || !haven_locale_has_catalog (language) ||
      g_strcmp0 (language, haven_session_get_language (session)) == 0)
    return NULL;

  return g_steal_pointer (&language);
}

static GtkWidget *
new_page (HavenWindow     *self,
          HavenSession    *session,
          const VisitStep *step,
          const char      *next_step)
{
  g_autofree char *region = g_settings_get_string (self->settings, "region");
  g_autofree char *helper_language = get_helper_language (self, session);
  const char *names[] = { "session", "content", "next-step", "region", "helper-language", "question" };
  GValue values[G_N_ELEMENTS (names)] = { G_VALUE_INIT };
  /* Only a question page has a question. */
  guint n_properties = step->question != NULL ? G_N_ELEMENTS (names) : G_N_ELEMENTS (names) - 1;
  GObject *page;

  g_value_init (&values[0], HAVEN_TYPE_SESSION);
  g_value_set_object (&values[0], session);
  g_value_init (&values[1], HAVEN_TYPE_CONTENT);
  g_value_set_object (&values[1], self->content);
  g_value_init (&values[2], G_TYPE_STRING);
  g_value_set_string (&values[2], next_step);
  g_value_init (&values[3], G_TYPE_STRING);
  g_value_set_string (&values[3], region);
  g_value_init (&values[4], G_TYPE_STRING);
  g_value_set_string (&values[4], helper_language);
  g_value_init (&values[5], HAVEN_TYPE_QUESTION);
  g_value_set_object (&values[5], step->question);

  page = g_object_new_with_properties (step->type, n_properties, names, values);

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    g_value_unset (&values[i]);

  return GTK_WIDGET (page);
}

/* Leave now must show the welcome page at the next frame. Made there and
 * then, the header and the welcome page took about 4 ms to build, and the
 * welcome page's text about 3 ms to lay out in that frame, most of it
 * HarfBuzz shaping its paragraphs again for each width tried
 * (bench-leave-now, release build, 7 languages, processor time). So once
 * a visit is under way, the next visit's opening is made ahead in idle
 * time: an empty session in the kiosk's language, its header, and its
 * welcome page, which waits hidden in the stack, where the next frame
 * styles it, and is then laid out at the stack's size. Leave now still
 * wipes everything the visitor entered before it returns
 * (start_new_visit()); only the making of what the next visitor sees has
 * moved. Nothing of the visitor is in what is made ahead. */

static void prepare_after_paint_cb (GdkFrameClock *frame_clock,
                                    HavenWindow   *self);

/* The next step waits for a painted frame: the page the visitor asked for
 * is painted first, and the page made ahead is styled in a frame before
 * it is laid out. A window not yet on screen has no frames: its Leave now
 * makes the welcome page there and then, as it always did. */
static void
prepare_after_next_frame (HavenWindow *self)
{
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (frame_clock == NULL)
    return;

  g_signal_connect_object (frame_clock, "after-paint",
                           G_CALLBACK (prepare_after_paint_cb), self, 0);
  self->prepare_waits_for_frame = TRUE;
}

static void
stop_preparing (HavenWindow *self)
{
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  g_clear_handle_id (&self->prepare_source, g_source_remove);
  if (self->prepare_waits_for_frame && frame_clock != NULL)
    g_signal_handlers_disconnect_by_func (frame_clock, prepare_after_paint_cb, self);
  self->prepare_waits_for_frame = FALSE;
}

static void
discard_prepared_visit (HavenWindow *self)
{
  stop_preparing (self);
  if (self->next_page != NULL)
    {
      gtk_stack_remove (self->pages, self->next_page);
      self->next_page = NULL;
    }
  if (self->next_header != NULL && gtk_widget_get_parent (self->next_header) != NULL)
    gtk_stack_remove (self->header_slot, self->next_header);
  g_clear_object (&self->next_header);
  g_clear_object (&self->next_session);
}

/* What was made ahead was made from the settings. */
static void
settings_changed_cb (HavenWindow *self)
{
  discard_prepared_visit (self);
}

static int
measure_minimum (GtkWidget      *widget,
                 GtkOrientation  orientation,
                 int             for_size)
{
  int minimum;

  gtk_widget_measure (widget, orientation, for_size, &minimum, NULL, NULL, NULL);
  return minimum;
}

/* As the stack does when it shows the page (GtkStack's size_allocate).
 * GTK keeps the sizes found and the text laid out, and does again at
 * Leave now only what changes meanwhile (the visitor's script or
 * direction, larger text). */
static gboolean
lay_out_next_page_cb (gpointer user_data)
{
  HavenWindow *self = user_data;
  int width = gtk_widget_get_width (GTK_WIDGET (self->pages));
  int height = gtk_widget_get_height (GTK_WIDGET (self->pages));

  self->prepare_source = 0;
  if (self->next_page == NULL || width <= 0 || height <= 0)
    return G_SOURCE_REMOVE;

  measure_minimum (self->next_page, GTK_ORIENTATION_HORIZONTAL, -1);
  measure_minimum (self->next_page, GTK_ORIENTATION_VERTICAL, -1);
  width = MAX (width, measure_minimum (self->next_page, GTK_ORIENTATION_HORIZONTAL, height));
  height = MAX (height, measure_minimum (self->next_page, GTK_ORIENTATION_VERTICAL, width));
  gtk_widget_allocate (self->next_page, width, height, -1, NULL);
  return G_SOURCE_REMOVE;
}

static void
free_retired_header_cb (GdkFrameClock *frame_clock,
                        HavenWindow   *self)
{
  g_signal_handlers_disconnect_by_func (frame_clock, free_retired_header_cb, self);
  g_clear_object (&self->retired_header);
}

/* Freeing a header took a millisecond and a half of Leave now's time to
 * the next frame (bench-leave-now), so the old one goes once the welcome
 * page is painted. It is out of the window by then, and holds nothing of
 * the visitor: the step's title, and buttons. */
static void
retire_header (HavenWindow *self,
               GtkWidget   *header)
{
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (frame_clock == NULL || self->retired_header != NULL)
    return;

  /* After every other handler: the frame is done before anything is
   * freed. */
  self->retired_header = g_object_ref (header);
  g_signal_connect_object (frame_clock, "after-paint",
                           G_CALLBACK (free_retired_header_cb), self, G_CONNECT_AFTER);
}

static gboolean
make_next_visit_cb (gpointer user_data)
{
  HavenWindow *self = user_data;
  g_autofree char *language = haven_locale_get_default (self->settings);
  g_autofree char *visitor_language = g_strdup (haven_locale_get_current ());
  gboolean switch_locale = visitor_language != NULL && g_strcmp0 (language, visitor_language) != 0;
  VisitStep step = { HAVEN_TYPE_WELCOME_PAGE, NULL };

  self->prepare_source = 0;

  /* GtkBuilder translates as it parses: the next visitor is greeted in
   * the kiosk's language, whichever this one reads. */
  if (switch_locale)
    haven_locale_apply (language);
  self->next_session = haven_session_new (language);
  self->next_kiosk_mode = is_kiosk_mode (self);
  self->next_header = haven_visit_header_new ((const char * const *) self->offered_languages,
                                              language, !self->next_kiosk_mode);
  g_object_ref_sink (self->next_header);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->next_header),
                               GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_stack_add_child (self->header_slot, self->next_header);
  self->next_page = new_page (self, self->next_session, &step, NULL);
  haven_welcome_page_set_languages (HAVEN_WELCOME_PAGE (self->next_page),
                                    (const char * const *) self->offered_languages);
  if (switch_locale)
    haven_locale_apply (visitor_language);

  /* GTK 4.8 shows assistive technologies a stack's hidden pages as if on
   * screen: a screen reader would read the next visitor's welcome page in
   * the middle of this visit. */
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->next_page),
                               GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_stack_add_child (self->pages, self->next_page);
  prepare_after_next_frame (self);
  return G_SOURCE_REMOVE;
}

static void
prepare_after_paint_cb (GdkFrameClock *frame_clock,
                        HavenWindow   *self)
{
  g_signal_handlers_disconnect_by_func (frame_clock, prepare_after_paint_cb, self);
  self->prepare_waits_for_frame = FALSE;
  self->prepare_source = g_idle_add_full (G_PRIORITY_LOW,
                                          self->next_page == NULL ? make_next_visit_cb
                                                                  : lay_out_next_page_cb,
                                          self, NULL);
}

/* Starts making the next visit's opening, unless it is made or on its
 * way. */
static void
prepare_next_visit (HavenWindow *self)
{
  if (self->next_session != NULL || self->prepare_source != 0 || self->prepare_waits_for_frame)
    return;

  prepare_after_next_frame (self);
}

/* The next visit's session, when what was made ahead still fits: the
 * kiosk's language, its content (a new bundle) and its window controls
 * may have changed since (the other settings discard it as they change).
 * Otherwise it is discarded, and the caller makes the opening anew. */
static HavenSession *
take_prepared_session (HavenWindow *self,
                       const char  *language)
{
  gboolean fits = self->next_page != NULL &&
                  g_strcmp0 (haven_session_get_language (self->next_session), language) == 0 &&
                  haven_page_get_content (HAVEN_PAGE (self->next_page)) == self->content &&
                  self->next_kiosk_mode == is_kiosk_mode (self);

  if (!fits)
    {
      discard_prepared_visit (self);
      return NULL;
    }

  stop_preparing (self);
  return g_steal_pointer (&self->next_session);
}

/* The welcome page made ahead, once its session is the window's. */
static GtkWidget *
take_prepared_page (HavenWindow     *self,
                    const VisitStep *step)
{
  if (step->type != HAVEN_TYPE_WELCOME_PAGE || self->next_page == NULL ||
      haven_page_get_session (HAVEN_PAGE (self->next_page)) != self->session)
    return NULL;

  gtk_accessible_reset_state (GTK_ACCESSIBLE (self->next_page), GTK_ACCESSIBLE_STATE_HIDDEN);
  return g_steal_pointer (&self->next_page);
}

/* Replaces the page on screen by a new one made from the session. The old
 * page is destroyed, not hidden, so nothing it showed stays in the tree. */
static void
show_step (HavenWindow     *self,
           const VisitStep *step)
{
  g_autoptr(GArray) steps = NULL;
  GtkWidget *page;
  GtkWidget *old_page = self->current_page;
  const char *next_step = NULL;
  gboolean visit_under_way;
  int position = 0;

  /* The welcome page is the first of every visit, and says nothing of the
   * next: the kiosk's first frame need not load every page's class. */
  if (step->type == HAVEN_TYPE_WELCOME_PAGE)
    steps = g_array_new (FALSE, FALSE, sizeof (VisitStep));
  else
    {
      steps = list_steps (self);
      position = find_step (steps, step);
      g_assert (position >= 0);
      if ((guint) position + 1 < steps->len)
        next_step = get_step_title (&g_array_index (steps, VisitStep, position + 1));
    }

  page = take_prepared_page (self, step);
  if (page == NULL)
    {
      page = new_page (self, self->session, step, next_step);
      if (HAVEN_IS_WELCOME_PAGE (page))
        haven_welcome_page_set_languages (HAVEN_WELCOME_PAGE (page),
                                          (const char * const *) self->offered_languages);
    }
  if (HAVEN_IS_REFERRALS_PAGE (page))
    give_directory (self, HAVEN_REFERRALS_PAGE (page));
  if (HAVEN_IS_SUMMARY_PAGE (page))
    haven_summary_page_set_reports_enabled (HAVEN_SUMMARY_PAGE (page),
                                            g_settings_get_boolean (self->settings, "submit-reports"));

  if (position > 0)
    haven_page_set_step (HAVEN_PAGE (page), (guint) position, steps->len - 1);
  self->step = *step;
  self->current_page = page;
  /* A page made ahead is in the stack already. */
  if (gtk_widget_get_parent (page) == NULL)
    gtk_stack_add_child (self->pages, page);
  gtk_stack_set_visible_child (self->pages, page);
  if (old_page != NULL)
    gtk_stack_remove (self->pages, old_page);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "visit.back", position > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "visit.next",
                                 step->type == HAVEN_TYPE_WELCOME_PAGE || (guint) position + 1 < steps->len);

  /* Once a visit is under way there is something to clear when the
   * visitor walks away, and what they type must not outlive the memory
   * it passes through; the untouched welcome page has neither. */
  visit_under_way = position > 0 || !is_default_language (self);
  haven_idle_monitor_set_armed (self->idle_monitor, visit_under_way);
  set_scrubbing (self, visit_under_way);
  if (visit_under_way)
    prepare_next_visit (self);

  focus_current_page (self);
}

/* Builds the page on screen again from the session, after it changed. */
static void
show_current_step (HavenWindow *self)
{
  VisitStep step = self->step;

  show_step (self, &step);
}

/* Shows the page @offset pages away from the current one (or, when this
 * visit no longer goes through the current page, the first); FALSE when
 * there is none. */
static gboolean
show_step_at (HavenWindow *self,
              int          offset)
{
  g_autoptr(GArray) steps = list_steps (self);
  int position = find_step (steps, &self->step);

  if (position < 0)
    position = 0;
  position += offset;
  if (position < 0 || (guint) position >= steps->len)
    return FALSE;

  show_step (self, &g_array_index (steps, VisitStep, position));
  return TRUE;
}

static void
set_language (HavenWindow *self,
              const char  *language)
{
  const char *language_class = haven_locale_get_style_class (language);

  /* The language's fonts (Nastaliq for Urdu), through the style sheet.
   * Taking the class off and putting it back restyles the whole window
   * for nothing when the language stays, as it does when a visit in the
   * kiosk's language ends. */
  if (language_class != self->language_class)
    {
      if (self->language_class != NULL)
        gtk_widget_remove_css_class (GTK_WIDGET (self), self->language_class);
      self->language_class = language_class;
      gtk_widget_add_css_class (GTK_WIDGET (self), self->language_class);
    }
  haven_locale_apply (language);
  apply_text_direction (language);
  haven_session_set_language (self->session, language);
  gtk_window_set_title (GTK_WINDOW (self), _("Haven"));
}

/* Every text larger, through the resolution GTK lays text out at, so that
 * pages reflow rather than scale as a picture. */
static void
set_larger_text (HavenWindow *self,
                 gboolean     larger_text)
{
  if (self->larger_text == larger_text)
    return;

  self->larger_text = larger_text;
  g_object_set (gtk_widget_get_settings (GTK_WIDGET (self)),
                "gtk-xft-dpi", larger_text ? (int) (DEFAULT_XFT_DPI * LARGER_TEXT_SCALE) : -1,
                NULL);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LARGER_TEXT]);
}

/* libadwaita 1.2 follows the system's high contrast only: for one visit,
 * its high-contrast stylesheet goes over its normal one. */
static void
set_high_contrast (HavenWindow *self,
                   gboolean     high_contrast)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));

  if (self->high_contrast == high_contrast)
    return;

  self->high_contrast = high_contrast;
  if (high_contrast)
    {
      if (self->high_contrast_style == NULL)
        {
          self->high_contrast_style = gtk_css_provider_new ();
          gtk_css_provider_load_from_resource (self->high_contrast_style,
                                               "/org/gnome/Adwaita/styles/base-hc.css");
        }
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (self->high_contrast_style),
                                                  GTK_STYLE_PROVIDER_PRIORITY_THEME + 1);
      gtk_widget_add_css_class (GTK_WIDGET (self), "high-contrast");
    }
  else
    {
      gtk_style_context_remove_provider_for_display (display, GTK_STYLE_PROVIDER (self->high_contrast_style));
      gtk_widget_remove_css_class (GTK_WIDGET (self), "high-contrast");
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_HIGH_CONTRAST]);
}

/* Whatever the visitor copied, or selected (the primary selection), must
 * not be there for the next person to paste. */
static void
clear_clipboards (HavenWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));

  gdk_clipboard_set_text (gdk_display_get_clipboard (display), "");
  gdk_clipboard_set_text (gdk_display_get_primary_clipboard (display), "");
}

static void
hide_operator_screen (HavenWindow *self)
{
  if (self->operator_screen == NULL)
    return;

  /* The PIN entry may have the focus: GtkText warns when it goes with
   * the focus still in it. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_overlay_remove_overlay (self->overlay, self->operator_screen);
  self->operator_screen = NULL;
}

static void bundle_changed_cb (HavenWindow *self);

static void
operator_closed_cb (HavenWindow *self)
{
  hide_operator_screen (self);
  haven_idle_monitor_set_armed (self->idle_monitor, FALSE);
  focus_current_page (self);
  /* A bundle the operator fetched comes into use now. */
  if (self->bundle_updater != NULL)
    bundle_changed_cb (self);
}

/* Ctrl+Alt+O, or a long press on the welcome page's top corner: the
 * operator's screen, behind its PIN. Only from the welcome page, so that
 * no visitor's words are ever behind it. */
static void
operator_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  HavenWindow *self = HAVEN_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  HavenDelivery *delivery;

  if (self->operator_screen != NULL || !HAVEN_IS_WELCOME_PAGE (self->current_page) ||
      !haven_session_is_empty (self->session))
    return;

  delivery = haven_sender_ensure_delivery (self->sender, &error);
  if (delivery == NULL)
    g_message ("The operator screen cannot show the outbox: %s", error->message);

  self->operator_screen = haven_operator_screen_new (self->settings, self->content, delivery,
                                                     self->pin_guard);
  haven_operator_screen_set_bundle_updater (HAVEN_OPERATOR_SCREEN (self->operator_screen),
                                            self->bundle_updater);
  g_signal_connect_object (self->operator_screen, "closed", G_CALLBACK (operator_closed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_overlay_add_overlay (self->overlay, self->operator_screen);
  /* An operator who walks away leaves it to the idle timeout. */
  haven_idle_monitor_set_armed (self->idle_monitor, TRUE);
  gtk_widget_grab_focus (self->operator_screen);
}

static void
hide_idle_warning (HavenWindow *self)
{
  if (self->idle_warning == NULL)
    return;

  gtk_overlay_remove_overlay (self->overlay, self->idle_warning);
  self->idle_warning = NULL;
}

static void
idle_warning_cb (HavenWindow *self,
                 guint        seconds_left)
{
  if (self->idle_warning == NULL)
    {
      self->idle_warning = haven_idle_warning_new ();
      gtk_overlay_add_overlay (self->overlay, self->idle_warning);
      gtk_widget_child_focus (self->idle_warning, GTK_DIR_TAB_FORWARD);
    }

  haven_idle_warning_set_seconds_left (HAVEN_IDLE_WARNING (self->idle_warning), seconds_left);
}

static void
still_here_action_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  haven_idle_monitor_poke (HAVEN_WINDOW (widget)->idle_monitor);
}

static void
idle_resumed_cb (HavenWindow *self)
{
  hide_idle_warning (self);
  focus_current_page (self);
}

static void start_new_visit (HavenWindow *self);

static void
idle_expired_cb (HavenWindow *self)
{
  start_new_visit (self);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                HavenWindow           *self)
{
  gint64 now;

  if (keyval != GDK_KEY_Escape)
    return GDK_EVENT_PROPAGATE;

  now = g_get_monotonic_time ();
  if (now - self->last_escape > LEAVE_NOW_ESCAPE_INTERVAL_US)
    self->escape_count = 0;
  self->last_escape = now;

  if (++self->escape_count < LEAVE_NOW_ESCAPE_PRESSES)
    return GDK_EVENT_PROPAGATE;

  self->escape_count = 0;
  gtk_widget_activate_action (GTK_WIDGET (self), "visit.leave-now", NULL);

  return GDK_EVENT_STOP;
}

/* The page that shows what became of a request is built again from the
 * session; pages never learn of it otherwise. */
static void
submission_changed_cb (HavenWindow *self)
{
  if (HAVEN_IS_REMOVAL_SEND_PAGE (self->current_page) || HAVEN_IS_SUMMARY_PAGE (self->current_page))
    show_current_step (self);
}

/* Destroys everything the visitor entered. The window stops listening
 * first: nothing of a finished visit comes back to the screen. */
static void
forget_session (HavenWindow *self)
{
  g_signal_handlers_disconnect_by_data (self->session, self);
  haven_session_wipe (self->session);
  g_clear_object (&self->session);
}

/* Ends the visit: everything the visitor entered is destroyed with the
 * session and the pages, and a new visit starts in the kiosk's language. */
static HavenContent *load_content (GSettings  *settings,
                                   GError    **error);

/* Between two visits, and only then, the organisation's newer bundle
 * comes into use: the next visit reads its content, and its directory
 * (opened afresh for each referrals page). */
static void
take_pending_bundle (HavenWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenContent) content = NULL;

  if (self->bundle_updater == NULL ||
      haven_bundle_updater_get_pending_version (self->bundle_updater) == 0)
    return;

  if (!haven_bundle_updater_install_pending (self->bundle_updater, &error))
    {
      if (error != NULL)
        g_warning ("The new bundle cannot be used: %s", error->message);
      return;
    }

  content = load_content (self->settings, &error);
  if (content == NULL)
    {
      g_warning ("The new bundle's content cannot be used: %s", error->message);
      return;
    }
  g_set_object (&self->content, content);
}

static void
start_new_visit (HavenWindow *self)
{
  g_autofree char *language = NULL;

  hide_idle_warning (self);
  hide_operator_screen (self);
  /* For this visit only. */
  set_larger_text (self, FALSE);
  set_high_contrast (self, FALSE);

  g_cancellable_cancel (self->visit_cancellable);
  g_clear_object (&self->visit_cancellable);
  self->visit_cancellable = g_cancellable_new ();

  if (self->session != NULL)
    {
      forget_session (self);
      clear_clipboards (self);
    }

  take_pending_bundle (self);
  language = haven_locale_get_default (self->settings);

  if (self->current_page != NULL)
    {
      gtk_stack_remove (self->pages, self->current_page);
      self->current_page = NULL;
    }

  self->session = take_prepared_session (self, language);
  if (self->session == NULL)
    self->session = haven_session_new (language);
  g_signal_connect_object (self->session, "notify::submission-state",
                           G_CALLBACK (submission_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::report-state",
                           G_CALLBACK (submission_changed_cb), self, G_CONNECT_SWAPPED);
  set_language (self, language);
  if (self->next_header != NULL)
    {
      g_autoptr(GtkWidget) next_header = g_steal_pointer (&self->next_header);

      show_header (self, next_header);
    }
  else
    build_header (self);
  show_step (self, &(VisitStep) { HAVEN_TYPE_WELCOME_PAGE, NULL });
}

static void
next_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  show_step_at (HAVEN_WINDOW (widget), 1);
}

static void
back_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  show_step_at (HAVEN_WINDOW (widget), -1);
}

/* The review page's "Change" buttons: back to a page of the visit, named
 * by its type ("HavenCategoryPage") or, for a question, "question:" and
 * the question's id. */
static void
go_to_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HavenWindow *self = HAVEN_WINDOW (widget);
  const char *target = g_variant_get_string (parameter, NULL);
  g_autoptr(GArray) steps = list_steps (self);

  for (guint i = 0; i < steps->len; i++)
    {
      const VisitStep *step = &g_array_index (steps, VisitStep, i);
      gboolean matches;

      if (g_str_has_prefix (target, "question:"))
        matches = step->question != NULL
                  && g_strcmp0 (haven_question_get_id (step->question), target + strlen ("question:")) == 0;
      else
        matches = g_strcmp0 (g_type_name (step->type), target) == 0;

      if (matches)
        {
          show_step (self, step);
          return;
        }
    }
}

static void
end_visit_action_cb (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  start_new_visit (HAVEN_WINDOW (widget));
}

/* Switches to @language. GtkBuilder translates when it parses, so the
 * header and the page are built again; the answers live in the session
 * and survive. */
static gboolean
switch_language (HavenWindow *self,
                 const char  *language)
{
  if (!g_strv_contains ((const char * const *) self->offered_languages, language))
    return FALSE;

  set_language (self, language);
  build_header (self);
  return TRUE;
}

static void
switch_language_action_cb (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  HavenWindow *self = HAVEN_WINDOW (widget);

  if (switch_language (self, g_variant_get_string (parameter, NULL)))
    show_current_step (self);
}

/* The welcome page's language buttons: the visit starts in that language. */
static void
start_visit_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  HavenWindow *self = HAVEN_WINDOW (widget);

  if (switch_language (self, g_variant_get_string (parameter, NULL)))
    show_step_at (self, 1);
}

static void
haven_window_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (haven_window_parent_class)->map (widget);

  if (HAVEN_WINDOW (widget)->current_page != NULL)
    focus_current_page (HAVEN_WINDOW (widget));
}

static void
send_removal_action_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  HavenWindow *self = HAVEN_WINDOW (widget);

  if (haven_session_get_submission_state (self->session) == HAVEN_SUBMISSION_SENDING)
    return;

  /* The session says what becomes of it (submission_changed_cb). */
  haven_sender_submit_async (self->sender, self->session,
                             haven_session_get_removal_request (self->session),
                             self->visit_cancellable, NULL, NULL);
}

/* The summary's "Send the report", where the deployment takes reports. */
static void
send_report_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  HavenWindow *self = HAVEN_WINDOW (widget);
  g_autoptr(HavenRequest) report = NULL;

  if (!g_settings_get_boolean (self->settings, "submit-reports") ||
      haven_session_get_category (self->session) == NULL ||
      haven_session_get_report_state (self->session) != HAVEN_SUBMISSION_NONE)
    return;

  report = haven_summary_build_report (self->session, self->content);
  haven_sender_submit_async (self->sender, self->session, report, self->visit_cancellable, NULL, NULL);
}

static gboolean
haven_window_close_request (GtkWindow *window)
{
  HavenWindow *self = HAVEN_WINDOW (window);

  /* In kiosk mode a visitor cannot close Haven (close button, Alt+F4);
   * only the operator can leave kiosk mode. A kiosk that cannot start
   * holds nothing of anyone, and staff may close it. */
  if (is_kiosk_mode (self) && self->cannot_start_page == NULL)
    return TRUE;

  return GTK_WINDOW_CLASS (haven_window_parent_class)->close_request (window);
}

/* Fullscreen is a request to the window manager, and a bare X server has
 * none: sizing the window to the screen makes it fill the screen anyway. */
static void
fit_to_monitor (HavenWindow *self)
{
  g_autoptr(GdkMonitor) monitor = NULL;
  GListModel *monitors = gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self)));
  GdkRectangle geometry;

  monitor = g_list_model_get_item (monitors, 0);
  if (monitor == NULL)
    return;

  gdk_monitor_get_geometry (monitor, &geometry);
  gtk_window_set_default_size (GTK_WINDOW (self), geometry.width, geometry.height);
}

/* GTK's Inspector (Ctrl+Shift+D, Ctrl+Shift+I) can change any widget:
 * show the operator screen without the PIN, hide Leave now. A kiosk never
 * opens it, whatever GTK's settings say. */
static gboolean
haven_window_enable_debugging (GtkWindow *window,
                               gboolean   toggle)
{
  if (is_kiosk_mode (HAVEN_WINDOW (window)))
    return TRUE;

  return GTK_WINDOW_CLASS (haven_window_parent_class)->enable_debugging (window, toggle);
}

static void
apply_kiosk_mode (HavenWindow *self)
{
  haven_lockdown_apply (self->settings);

  if (is_kiosk_mode (self))
    {
      fit_to_monitor (self);
      gtk_window_fullscreen (GTK_WINDOW (self));
    }
  else
    gtk_window_unfullscreen (GTK_WINDOW (self));

  gtk_window_set_deletable (GTK_WINDOW (self), !is_kiosk_mode (self));
  if (self->session != NULL)
    build_header (self);
}

static void
kiosk_mode_changed_cb (HavenWindow *self)
{
  apply_kiosk_mode (self);
}

static void
languages_changed_cb (HavenWindow *self)
{
  g_auto(GStrv) configured = g_settings_get_strv (self->settings, "languages");

  g_strfreev (self->offered_languages);
  self->offered_languages = haven_locale_filter_offered ((const char * const *) configured);
  if (self->offered_languages[0] == NULL)
    {
      g_strfreev (self->offered_languages);
      self->offered_languages = g_strdupv ((GStrv) (const char *[]) { "en", NULL });
    }
}

/* A deployment's own content that fails to load must not leave visitors
 * with nothing: the operator is told, and the shipped content is used.
 * When even that cannot be read, there is no visit to run. */
static HavenContent *
load_content (GSettings  *settings,
              GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *shipped_dir = NULL;
  g_autofree char *content_dir = haven_content_dup_default_dir (settings, NULL);
  HavenContent *content;

  content = haven_content_load_default (settings, &local_error);
  if (content != NULL)
    return content;

  shipped_dir = haven_content_dup_default_dir (NULL, error);
  if (shipped_dir == NULL)
    return NULL;

  if (g_strcmp0 (content_dir, shipped_dir) == 0)
    {
      /* That was the shipped content already. */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  g_warning ("The content definitions cannot be used, so the shipped ones are: %s",
             local_error->message);

  return haven_content_new_from_dir (shipped_dir, NULL, error);
}

/* Instead of a visit, tells the staff what is missing and how to fix it,
 * on the screen and in the log. Every action of a visit is off: there is
 * no session to act on. */
static void
show_cannot_start (HavenWindow *self,
                   const char  *problem)
{
  static const char *const visit_actions[] = {
    "visit.next", "visit.back", "visit.finish", "visit.leave-now", "visit.still-here",
    "visit.send-removal", "visit.send-report", "visit.go-to", "visit.operator",
    "visit.switch-language", "visit.start-visit", "visit.larger-text", "visit.high-contrast",
  };
  g_autofree char *description = haven_cannot_start_page_describe (problem);

  g_warning ("%s", description);

  for (gsize i = 0; i < G_N_ELEMENTS (visit_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), visit_actions[i], FALSE);

  self->cannot_start_page = haven_cannot_start_page_new (problem);
  gtk_stack_add_child (self->pages, self->cannot_start_page);
  gtk_stack_set_visible_child (self->pages, self->cannot_start_page);
}

static void
haven_window_constructed (GObject *object)
{
  HavenWindow *self = HAVEN_WINDOW (object);
  GtkEventController *key_controller;
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (haven_window_parent_class)->constructed (object);

  /* Wrong PINs count across restarts of Haven (the settings keep them). */
  self->pin_guard = haven_pin_guard_new (self->settings);

  g_signal_connect_object (self->settings, "changed::kiosk-mode",
                           G_CALLBACK (kiosk_mode_changed_cb), self, G_CONNECT_SWAPPED);

  self->content = load_content (self->settings, &error);
  if (self->content == NULL)
    {
      show_cannot_start (self, error->message);
      apply_kiosk_mode (self);
      return;
    }

  g_signal_connect_object (self->settings, "changed::languages",
                           G_CALLBACK (languages_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed",
                           G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);

  self->idle_monitor = haven_idle_monitor_new (GTK_WIDGET (self), self->settings);
  g_signal_connect_object (self->idle_monitor, "warning",
                           G_CALLBACK (idle_warning_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->idle_monitor, "resumed",
                           G_CALLBACK (idle_resumed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->idle_monitor, "expired",
                           G_CALLBACK (idle_expired_cb), self, G_CONNECT_SWAPPED);

  key_controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key_controller, GTK_PHASE_CAPTURE);
  g_signal_connect (key_controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key_controller);

  languages_changed_cb (self);
  apply_kiosk_mode (self);
  start_new_visit (self);
}

static void
haven_window_dispose (GObject *object)
{
  HavenWindow *self = HAVEN_WINDOW (object);

  if (self->session != NULL)
    forget_session (self);
  discard_prepared_visit (self);
  g_clear_object (&self->retired_header);
  g_clear_object (&self->idle_monitor);
  g_clear_handle_id (&self->stop_scrubbing_source, g_source_remove);
  g_cancellable_cancel (self->visit_cancellable);
  g_clear_object (&self->visit_cancellable);
  self->current_page = NULL;
  self->idle_warning = NULL;
  self->operator_screen = NULL;
  self->cannot_start_page = NULL;
  g_clear_object (&self->pin_guard);
  if (self->bundle_updater != NULL)
    g_signal_handlers_disconnect_by_data (self->bundle_updater, self);
  g_clear_object (&self->bundle_updater);
  if (self->high_contrast)
    set_high_contrast (self, FALSE);
  if (self->larger_text)
    set_larger_text (self, FALSE);
  g_clear_object (&self->high_contrast_style);

  gtk_widget_dispose_template (GTK_WIDGET (self), HAVEN_TYPE_WINDOW);

  G_OBJECT_CLASS (haven_window_parent_class)->dispose (object);
}

static void
haven_window_finalize (GObject *object)
{
  HavenWindow *self = HAVEN_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->sender);
  g_clear_object (&self->content);
  g_clear_pointer (&self->offered_languages, g_strfreev);

  G_OBJECT_CLASS (haven_window_parent_class)->finalize (object);
}

static void
haven_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HavenWindow *self = HAVEN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_SENDER:
      g_value_set_object (value, self->sender);
      break;

    case PROP_LARGER_TEXT:
      g_value_set_boolean (value, self->larger_text);
      break;

    case PROP_HIGH_CONTRAST:
      g_value_set_boolean (value, self->high_contrast);
      break;


    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_window_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  HavenWindow *self = HAVEN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    case PROP_SENDER:
      self->sender = g_value_dup_object (value);
      break;

    case PROP_LARGER_TEXT:
      set_larger_text (self, g_value_get_boolean (value));
      break;

    case PROP_HIGH_CONTRAST:
      set_high_contrast (self, g_value_get_boolean (value));
      break;


    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_window_class_init (HavenWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  /* Pages come and go all week in one process: GTK must not keep
   * anything of them. */
  haven_gtk_fixes_install ();

  object_class->constructed = haven_window_constructed;
  object_class->dispose = haven_window_dispose;
  object_class->finalize = haven_window_finalize;
  object_class->get_property = haven_window_get_property;
  object_class->set_property = haven_window_set_property;

  widget_class->map = haven_window_map;

  window_class->close_request = haven_window_close_request;
  window_class->enable_debugging = haven_window_enable_debugging;

  props[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  props[PROP_SENDER] =
    g_param_spec_object ("sender", NULL, NULL,
                         HAVEN_TYPE_SENDER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  props[PROP_LARGER_TEXT] =
    g_param_spec_boolean ("larger-text", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  props[PROP_HIGH_CONTRAST] =
    g_param_spec_boolean ("high-contrast", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-window.ui");
  gtk_widget_class_install_property_action (widget_class, "visit.larger-text", "larger-text");
  gtk_widget_class_install_property_action (widget_class, "visit.high-contrast", "high-contrast");
  gtk_widget_class_bind_template_child (widget_class, HavenWindow, header_slot);
  gtk_widget_class_bind_template_child (widget_class, HavenWindow, overlay);
  gtk_widget_class_bind_template_child (widget_class, HavenWindow, pages);

  gtk_widget_class_install_action (widget_class, "visit.next", NULL, next_action_cb);
  gtk_widget_class_install_action (widget_class, "visit.back", NULL, back_action_cb);
  gtk_widget_class_install_action (widget_class, "visit.finish", NULL, end_visit_action_cb);
  gtk_widget_class_install_action (widget_class, "visit.leave-now", NULL, end_visit_action_cb);
  gtk_widget_class_install_action (widget_class, "visit.still-here", NULL, still_here_action_cb);
  gtk_widget_class_install_action (widget_class, "visit.send-removal", NULL, send_removal_action_cb);
  gtk_widget_class_install_action (widget_class, "visit.send-report", NULL, send_report_action_cb);
  gtk_widget_class_install_action (widget_class, "visit.go-to", "s", go_to_action_cb);
  gtk_widget_class_install_action (widget_class, "visit.operator", NULL, operator_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_ALT_MASK,
                                       "visit.operator", NULL);
  /* Leave now in one keystroke from anywhere, besides Escape three times
   * (key_pressed_cb). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_ALT_MASK, "visit.leave-now", NULL);
  gtk_widget_class_install_action (widget_class, "visit.switch-language", "s",
                                   switch_language_action_cb);
  gtk_widget_class_install_action (widget_class, "visit.start-visit", "s",
                                   start_visit_action_cb);
}

static void
haven_window_init (HavenWindow *self)
{
  AdwStyleManager *style_manager;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The pages are drawn, and their contrast measured, light (style.css):
   * a system that prefers dark would put a chosen answer's blue on a dark
   * page at 1.8:1, and "Leave now" in a dark bar. A visitor who needs more
   * contrast has the "High contrast" switch. */
  style_manager = adw_style_manager_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
}

/**
 * haven_window_new:
 * @application: (nullable): the HavenApplication, or %NULL in tests
 * @settings: settings of the `io.github.havenkiosk.Haven` schema
 * @sender: what sends the requests visitors confirm, made from @settings
 */
HavenWindow *
haven_window_new (gpointer     application,
                  GSettings   *settings,
                  HavenSender *sender)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (HAVEN_IS_SENDER (sender), NULL);

  return g_object_new (HAVEN_TYPE_WINDOW,
                       "application", application,
                       "settings", settings,
                       "sender", sender,
                       NULL);
}

HavenSession *
haven_window_get_session (HavenWindow *self)
{
  g_return_val_if_fail (HAVEN_IS_WINDOW (self), NULL);

  return self->session;
}

HavenContent *
haven_window_get_content (HavenWindow *self)
{
  g_return_val_if_fail (HAVEN_IS_WINDOW (self), NULL);

  return self->content;
}

HavenIdleMonitor *
haven_window_get_idle_monitor (HavenWindow *self)
{
  g_return_val_if_fail (HAVEN_IS_WINDOW (self), NULL);

  return self->idle_monitor;
}

GtkWidget *
haven_window_get_current_page (HavenWindow *self)
{
  g_return_val_if_fail (HAVEN_IS_WINDOW (self), NULL);

  return self->current_page;
}

/* Returns: (transfer none): what counts wrong operator PINs */
HavenPinGuard *
haven_window_get_pin_guard (HavenWindow *self)
{
  g_return_val_if_fail (HAVEN_IS_WINDOW (self), NULL);

  return self->pin_guard;
}

/* Returns: (transfer none) (nullable): the operator's screen, when open */
GtkWidget *
haven_window_get_operator_screen (HavenWindow *self)
{
  g_return_val_if_fail (HAVEN_IS_WINDOW (self), NULL);

  return self->operator_screen;
}

/**
 * haven_window_get_cannot_start_page:
 *
 * Returns: (nullable) (transfer none): the page shown instead of a visit
 *   when Haven's content cannot be read, or %NULL when visits can run
 */
GtkWidget *
haven_window_get_cannot_start_page (HavenWindow *self)
{
  g_return_val_if_fail (HAVEN_IS_WINDOW (self), NULL);

  return self->cannot_start_page;
}

/* A new bundle that arrives while nobody uses the kiosk comes into use at
 * once: the untouched welcome page is made again. During a visit it waits
 * for the visit's end (start_new_visit()). */
static void
bundle_changed_cb (HavenWindow *self)
{
  if (haven_bundle_updater_get_pending_version (self->bundle_updater) == 0 ||
      self->session == NULL || self->cannot_start_page != NULL ||
      self->operator_screen != NULL || self->step.type != HAVEN_TYPE_WELCOME_PAGE ||
      !is_default_language (self) || !haven_session_is_empty (self->session))
    return;

  start_new_visit (self);
}

/**
 * haven_window_set_bundle_updater:
 * @updater: the application's bundle updater
 *
 * The window switches to the bundle it has ready between two visits, and
 * the operator screen shows its state.
 */
void
haven_window_set_bundle_updater (HavenWindow        *self,
                                 HavenBundleUpdater *updater)
{
  g_return_if_fail (HAVEN_IS_WINDOW (self));
  g_return_if_fail (updater == NULL || HAVEN_IS_BUNDLE_UPDATER (updater));

  if (self->bundle_updater != NULL)
    g_signal_handlers_disconnect_by_data (self->bundle_updater, self);
  g_set_object (&self->bundle_updater, updater);
  if (updater == NULL)
    return;

  g_signal_connect_object (updater, "changed", G_CALLBACK (bundle_changed_cb), self,
                           G_CONNECT_SWAPPED);
  bundle_changed_cb (self);
}

/**
 * haven_window_get_bundle_updater:
 *
 * Returns: (transfer none) (nullable): what keeps the kiosk's bundle current
 */
HavenBundleUpdater *
haven_window_get_bundle_updater (HavenWindow *self)
{
  g_return_val_if_fail (HAVEN_IS_WINDOW (self), NULL);

  return self->bundle_updater;
}
