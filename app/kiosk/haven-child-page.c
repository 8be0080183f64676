/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-child-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-child-page.h"
#include "haven-emergency-numbers.h"
#include "haven-visit-footer.h"

/* The child path, right after the category: the kiosk never needs to see
 * sexual images of a child and never takes files; copying or showing them
 * harms the child again. It names the region's child-protection hotline,
 * a helpline for children, and Take It Down. */
struct _HavenChildPage
{
  HavenPage parent_instance;

  HavenEmergencyNumbers *emergency_numbers;
  HavenVisitFooter *footer;
};

G_DEFINE_FINAL_TYPE (HavenChildPage, haven_child_page, HAVEN_TYPE_PAGE)

static gboolean
haven_child_page_is_needed (HavenSession *session,
                            HavenContent *content)
{
  HavenCategory *category;

  if (content == NULL || haven_session_get_category (session) == NULL)
    return FALSE;

  category = haven_content_lookup_category (content, haven_session_get_category (session));
  return category != NULL && haven_category_is_about_child (category);
}

static GtkWidget *
haven_child_page_get_initial_focus (HavenPage *page)
{
  return haven_visit_footer_get_primary_button (HAVEN_CHILD_PAGE (page)->footer);
}

static void
haven_child_page_constructed (GObject *object)
{
  HavenChildPage *self = HAVEN_CHILD_PAGE (object);
  HavenContent *content = haven_page_get_content (HAVEN_PAGE (self));
  HavenEmergencyRegion *region = haven_page_get_emergency_region (HAVEN_PAGE (self));
  static const char * const kinds[] = { "emergency", "child-removal", "child", NULL };
  static const char * const everywhere[] = { "child-removal", NULL };

  G_OBJECT_CLASS (haven_child_page_parent_class)->constructed (object);

  if (region != NULL)
    haven_emergency_numbers_add (self->emergency_numbers, region, kinds);
  /* Take It Down, and the directory of hotlines, work from anywhere. */
  if (content != NULL)
    haven_emergency_numbers_add (self->emergency_numbers, haven_content_lookup_region (content, "*"), everywhere);
}

static void
haven_child_page_class_init (HavenChildPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->constructed = haven_child_page_constructed;

  g_type_ensure (HAVEN_TYPE_EMERGENCY_NUMBERS);
  g_type_ensure (HAVEN_TYPE_VISIT_FOOTER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-child-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenChildPage, emergency_numbers);
  gtk_widget_class_bind_template_child (widget_class, HavenChildPage, footer);

  page_class->is_needed = haven_child_page_is_needed;
  page_class->get_initial_focus = haven_child_page_get_initial_focus;
  page_class->step_title = N_("Keeping a child safe");
  page_class->heading = N_("Keeping a child safe");
}

static void
haven_child_page_init (HavenChildPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
