/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-guidance-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-answer.h"
#include "haven-guidance-page.h"
#include "haven-emergency-numbers.h"
#include "haven-visit-footer.h"

/* What to keep and what to do now, for the visitor's category: the
 * category's guidance, in short steps (data/content/guidance.xml). */
struct _HavenGuidancePage
{
  HavenPage parent_instance;

  GtkBox *guidance_box;
  HavenVisitFooter *footer;
};

G_DEFINE_FINAL_TYPE (HavenGuidancePage, haven_guidance_page, HAVEN_TYPE_PAGE)

static void
add_guidance (HavenGuidancePage *self,
              HavenGuidance     *guidance)
{
  const char * const *steps = haven_guidance_get_steps (guidance);
  GtkWidget *section = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *title = haven_page_make_label (g_dgettext (GETTEXT_PACKAGE, haven_guidance_get_title (guidance)),
                                            "title-3", 2);

  gtk_box_append (GTK_BOX (section), title);

  for (gsize i = 0; steps[i] != NULL; i++)
    {
      /* Translators: a step in a list of things to do; %s is the step. */
      g_autofree char *text = g_strdup_printf (_("• %s"), g_dgettext (GETTEXT_PACKAGE, steps[i]));

      gtk_box_append (GTK_BOX (section), haven_page_make_label (text, NULL, 0));
    }

  gtk_box_append (self->guidance_box, section);
}

/* Pictures of a visitor taken before they were 18 take the child path's
 * services: the region's hotline and Take It Down. */
static void
add_child_removal (HavenGuidancePage *self,
                   HavenContent      *content)
{
  static const char * const kinds[] = { "child-removal", "child", NULL };
  static const char * const everywhere[] = { "child-removal", NULL };
  GtkWidget *section = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *numbers = haven_emergency_numbers_new ();

  gtk_box_append (GTK_BOX (section),
                  haven_page_make_label (_("You were under 18: these services can remove the pictures, and you never have to send them"),
                                         "title-3", 2));
  haven_emergency_numbers_add (HAVEN_EMERGENCY_NUMBERS (numbers), haven_page_get_emergency_region (HAVEN_PAGE (self)), kinds);
  haven_emergency_numbers_add (HAVEN_EMERGENCY_NUMBERS (numbers), haven_content_lookup_region (content, "*"), everywhere);
  gtk_box_append (GTK_BOX (section), numbers);
  gtk_box_prepend (self->guidance_box, section);
}

static GtkWidget *
haven_guidance_page_get_initial_focus (HavenPage *page)
{
  return haven_visit_footer_get_primary_button (HAVEN_GUIDANCE_PAGE (page)->footer);
}

static gboolean
haven_guidance_page_is_needed (HavenSession *session,
                               HavenContent *content)
{
  return content != NULL && haven_session_get_category (session) != NULL;
}

static void
haven_guidance_page_constructed (GObject *object)
{
  HavenGuidancePage *self = HAVEN_GUIDANCE_PAGE (object);
  HavenContent *content = haven_page_get_content (HAVEN_PAGE (self));
  const char *category_id = haven_session_get_category (haven_page_get_session (HAVEN_PAGE (self)));
  HavenCategory *category = NULL;

  G_OBJECT_CLASS (haven_guidance_page_parent_class)->constructed (object);

  if (content != NULL && category_id != NULL)
    category = haven_content_lookup_category (content, category_id);
  if (category == NULL)
    return;

  for (const char * const *ids = haven_category_get_guidance_ids (category); *ids != NULL; ids++)
    {
      HavenGuidance *guidance = haven_content_lookup_guidance (content, *ids);

      if (guidance != NULL)
        add_guidance (self, guidance);
    }

  if (g_strcmp0 (haven_session_get_answer (haven_page_get_session (HAVEN_PAGE (self)),
                                           HAVEN_QUESTION_UNDER_18),
                 HAVEN_ANSWER_YES) == 0)
    add_child_removal (self, content);
}

static void
haven_guidance_page_class_init (HavenGuidancePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->constructed = haven_guidance_page_constructed;

  g_type_ensure (HAVEN_TYPE_VISIT_FOOTER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-guidance-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenGuidancePage, guidance_box);
  gtk_widget_class_bind_template_child (widget_class, HavenGuidancePage, footer);

  page_class->is_needed = haven_guidance_page_is_needed;
  page_class->get_initial_focus = haven_guidance_page_get_initial_focus;
  page_class->step_title = N_("What to keep");
  page_class->heading = N_("What to keep, and what to do now");
}

static void
haven_guidance_page_init (HavenGuidancePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
