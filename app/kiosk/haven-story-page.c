/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-story-page"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "haven-story-page.h"
#include "haven-visit-footer.h"

/* The visitor's account of what happened, in their own words. It is
 * optional: an empty answer is a complete answer. */

struct _HavenStoryPage
{
  HavenPage parent_instance;

  GtkTextView *story_view;
};

G_DEFINE_FINAL_TYPE (HavenStoryPage, haven_story_page, HAVEN_TYPE_PAGE)

static void
story_changed_cb (HavenStoryPage *self,
                  GtkTextBuffer  *buffer)
{
  g_autofree char *story = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  story = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  haven_session_set_answer (haven_page_get_session (HAVEN_PAGE (self)), HAVEN_QUESTION_STORY, story);
  explicit_bzero (story, strlen (story));
}

static void
haven_story_page_constructed (GObject *object)
{
  HavenStoryPage *self = HAVEN_STORY_PAGE (object);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->story_view);
  const char *story;

  G_OBJECT_CLASS (haven_story_page_parent_class)->constructed (object);

  /* The undo history would keep copies of everything typed and deleted. */
  gtk_text_buffer_set_enable_undo (buffer, FALSE);

  /* Back and a change of language rebuild the page: show what was written. */
  story = haven_session_get_answer (haven_page_get_session (HAVEN_PAGE (self)), HAVEN_QUESTION_STORY);
  if (story != NULL)
    gtk_text_buffer_set_text (buffer, story, -1);

  g_signal_connect_object (buffer, "changed", G_CALLBACK (story_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
haven_story_page_class_init (HavenStoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->constructed = haven_story_page_constructed;

  g_type_ensure (HAVEN_TYPE_VISIT_FOOTER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-story-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenStoryPage, story_view);
  page_class->step_title = N_("In your own words");
  page_class->heading = N_("What happened?");
}

static void
haven_story_page_init (HavenStoryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
