/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-intro-page"

#include "config.h"

#include "haven-intro-page.h"

/* "Before you start": what Haven can do, what may help to have ready, that
 * the visitor can stop at any time, and what "Leave now" does and does not
 * do, before any question is asked. */
struct _HavenIntroPage
{
  HavenPage parent_instance;
};

G_DEFINE_FINAL_TYPE (HavenIntroPage, haven_intro_page, HAVEN_TYPE_PAGE)

static void
haven_intro_page_class_init (HavenIntroPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-intro-page.ui");
}

static void
haven_intro_page_init (HavenIntroPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
