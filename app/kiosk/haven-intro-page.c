/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-intro-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-intro-page.h"
#include "haven-visit-footer.h"

/* "Before you start": what Haven can do, what may help to have ready, that
 * the visitor can stop at any time, and what "Leave now" does and does not
 * do, before any question is asked. */
struct _HavenIntroPage
{
  HavenPage parent_instance;

  HavenVisitFooter *footer;
};

G_DEFINE_FINAL_TYPE (HavenIntroPage, haven_intro_page, HAVEN_TYPE_PAGE)

static GtkWidget *
haven_intro_page_get_initial_focus (HavenPage *page)
{
  return haven_visit_footer_get_primary_button (HAVEN_INTRO_PAGE (page)->footer);
}

static void
haven_intro_page_class_init (HavenIntroPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  g_type_ensure (HAVEN_TYPE_VISIT_FOOTER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-intro-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenIntroPage, footer);

  page_class->get_initial_focus = haven_intro_page_get_initial_focus;
  page_class->step_title = N_("Before you start");
  page_class->heading = N_("Before you start");
}

static void
haven_intro_page_init (HavenIntroPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
