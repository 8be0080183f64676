/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-finish-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-finish-page.h"

/* The end of a visit: what the visitor gave, where to get help now, and
 * that Finish clears everything. */
struct _HavenFinishPage
{
  HavenPage parent_instance;

  GtkWidget *primary_button;

  GtkLabel *story_label;
  GtkLabel *reference_heading;
  GtkLabel *reference_label;
  GtkLabel *kept_heading;
  GtkLabel *kept_label;
};

G_DEFINE_FINAL_TYPE (HavenFinishPage, haven_finish_page, HAVEN_TYPE_PAGE)

static GtkWidget *
haven_finish_page_get_initial_focus (HavenPage *page)
{
  return HAVEN_FINISH_PAGE (page)->primary_button;
}

static void
haven_finish_page_constructed (GObject *object)
{
  HavenFinishPage *self = HAVEN_FINISH_PAGE (object);
  HavenSession *session = haven_page_get_session (HAVEN_PAGE (self));
  const char *reference = haven_session_get_submission_reference (session);
  g_auto(GStrv) kept = haven_session_dup_kept_services (session);
  g_autofree char *kept_text = g_strjoinv ("\n", kept);
  const char *story;

  G_OBJECT_CLASS (haven_finish_page_parent_class)->constructed (object);

  story = haven_session_get_answer (session, HAVEN_QUESTION_STORY);
  gtk_label_set_text (self->story_label, story != NULL ? story : _("Nothing given"));

  /* What the visitor takes away: the reference of their request and the
   * services they chose, shown once more before everything is cleared. */
  gtk_label_set_text (self->reference_label, reference != NULL ? reference : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reference_heading), reference != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->reference_label), reference != NULL);
  gtk_label_set_text (self->kept_label, kept_text);
  gtk_widget_set_visible (GTK_WIDGET (self->kept_heading), kept[0] != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->kept_label), kept[0] != NULL);
}

static void
haven_finish_page_class_init (HavenFinishPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->constructed = haven_finish_page_constructed;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-finish-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenFinishPage, primary_button);

  page_class->get_initial_focus = haven_finish_page_get_initial_focus;
  gtk_widget_class_bind_template_child (widget_class, HavenFinishPage, story_label);
  gtk_widget_class_bind_template_child (widget_class, HavenFinishPage, reference_heading);
  gtk_widget_class_bind_template_child (widget_class, HavenFinishPage, reference_label);
  gtk_widget_class_bind_template_child (widget_class, HavenFinishPage, kept_heading);
  gtk_widget_class_bind_template_child (widget_class, HavenFinishPage, kept_label);
}

static void
haven_finish_page_init (HavenFinishPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
