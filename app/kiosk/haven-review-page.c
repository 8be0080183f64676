/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-review-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-answer.h"
#include "haven-review-page.h"
#include "haven-visit-footer.h"
#include "haven-wipe.h"

/* Before anything is sent: every answer, grouped as the visit asked them,
 * each group with a "Change" button that goes back to its first page. */
struct _HavenReviewPage
{
  HavenPage parent_instance;

  GtkBox *groups_box;
  HavenVisitFooter *footer;
};

G_DEFINE_FINAL_TYPE (HavenReviewPage, haven_review_page, HAVEN_TYPE_PAGE)

/* A group: its heading, what was answered, and "Change", which goes back
 * to @target (a page type name, or "question:" and an id). */
static GtkBox *
add_group (HavenReviewPage *self,
           const char      *heading,
           const char      *target)
{
  GtkWidget *group = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *title_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title = haven_page_make_label (heading, "title-3", 2);
  GtkWidget *change = gtk_button_new_with_label (_("Change"));
  g_autofree char *change_name = g_strdup_printf (_("Change: %s"), heading);

  gtk_widget_set_hexpand (title, TRUE);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (change), "s", target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (change), "visit.go-to");
  gtk_widget_set_valign (change, GTK_ALIGN_START);
  gtk_widget_add_css_class (change, "pill");
  /* Several buttons say "Change": the accessible name says what. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (change),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, change_name,
                                  -1);
  gtk_box_append (GTK_BOX (title_row), title);
  gtk_box_append (GTK_BOX (title_row), change);

  gtk_widget_add_css_class (group, "card");
  gtk_widget_add_css_class (group, "answer-review");
  gtk_box_append (GTK_BOX (group), title_row);
  gtk_box_append (self->groups_box, group);

  return GTK_BOX (group);
}

static void
add_answer (GtkBox     *group,
            const char *question,
            const char *answer)
{
  if (question != NULL)
    gtk_box_append (group, haven_page_make_label (question, "heading", 0));
  gtk_box_append (group, haven_page_make_label (answer, NULL, 0));
}

static void
add_questions (HavenReviewPage *self,
               HavenSession    *session,
               HavenContent    *content,
               const char      *category)
{
  GListModel *questions = haven_content_get_questions_for (content, category);
  g_autoptr(HavenQuestion) first = questions != NULL ? g_list_model_get_item (questions, 0) : NULL;
  g_autofree char *target = NULL;
  GtkBox *group;

  if (first == NULL)
    return;

  target = g_strconcat ("question:", haven_question_get_id (first), NULL);
  group = add_group (self, _("Your answers"), target);

  for (guint i = 0; i < g_list_model_get_n_items (questions); i++)
    {
      g_autoptr(HavenQuestion) question = g_list_model_get_item (questions, i);
      const char *answer = haven_session_get_answer (session, haven_question_get_id (question));
      const char *region = haven_page_get_region (HAVEN_PAGE (self));
      g_autofree char *shown = answer != NULL ? haven_answer_format (question, answer, region)
                                              : NULL;

      add_answer (group, g_dgettext (GETTEXT_PACKAGE, haven_question_get_title (question)),
                  shown != NULL ? shown : _("Skipped"));
      haven_wipe_string (g_steal_pointer (&shown));
    }
}

static void
add_removal_items (HavenReviewPage *self,
                   HavenSession    *session)
{
  HavenRequest *request = haven_session_get_removal_request (session);
  GtkBox *group = add_group (self, _("What to take down"), "HavenRemovalItemsPage");

  if (haven_request_get_n_items (request) == 0)
    add_answer (group, NULL, _("Nothing added"));

  for (guint i = 0; i < haven_request_get_n_items (request); i++)
    add_answer (group, NULL, haven_request_get_item_url (request, i));
}

/* Who a removal request is for and how to reach the visitor: asked only
 * when there is a request to send. */
static void
add_removal_reporter (HavenReviewPage *self,
                      HavenSession    *session)
{
  HavenRequest *request = haven_session_get_removal_request (session);
  const char *role = haven_page_get_role_label (haven_request_get_reporter_role (request));
  const char *email = haven_request_get_contact_email (request);
  GtkBox *group;

  group = add_group (self, _("Who the request is for"), "HavenRemovalRolePage");
  add_answer (group, NULL, role != NULL ? role : _("Nothing given"));

  group = add_group (self, _("News about your request"), "HavenRemovalContactPage");
  add_answer (group, NULL, email != NULL ? email : _("No email address given"));
}

static GtkWidget *
haven_review_page_get_initial_focus (HavenPage *page)
{
  return haven_visit_footer_get_primary_button (HAVEN_REVIEW_PAGE (page)->footer);
}

static gboolean
haven_review_page_is_needed (HavenSession *session,
                             HavenContent *content)
{
  return content != NULL && haven_session_get_category (session) != NULL;
}

static void
haven_review_page_constructed (GObject *object)
{
  HavenReviewPage *self = HAVEN_REVIEW_PAGE (object);
  HavenSession *session = haven_page_get_session (HAVEN_PAGE (self));
  HavenContent *content = haven_page_get_content (HAVEN_PAGE (self));
  const char *category_id = haven_session_get_category (session);
  HavenCategory *category = NULL;
  const char *story;
  GtkBox *group;

  G_OBJECT_CLASS (haven_review_page_parent_class)->constructed (object);

  if (content != NULL && category_id != NULL)
    category = haven_content_lookup_category (content, category_id);
  if (category == NULL)
    return;

  group = add_group (self, _("What happened"), "HavenCategoryPage");
  add_answer (group, NULL, g_dgettext (GETTEXT_PACKAGE, haven_category_get_title (category)));

  add_questions (self, session, content, category_id);

  story = haven_session_get_answer (session, HAVEN_QUESTION_STORY);
  group = add_group (self, _("In your own words"), "HavenStoryPage");
  add_answer (group, NULL, story != NULL ? story : _("Nothing written"));

  if (haven_category_is_removable (category))
    add_removal_items (self, session);
  if (haven_page_removal_is_requested (session, content))
    add_removal_reporter (self, session);
}

static void
haven_review_page_class_init (HavenReviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->constructed = haven_review_page_constructed;

  g_type_ensure (HAVEN_TYPE_VISIT_FOOTER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-review-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenReviewPage, groups_box);
  gtk_widget_class_bind_template_child (widget_class, HavenReviewPage, footer);

  page_class->is_needed = haven_review_page_is_needed;
  page_class->get_initial_focus = haven_review_page_get_initial_focus;
  page_class->step_title = N_("Check your answers");
  page_class->heading = N_("Check your answers");
}

static void
haven_review_page_init (HavenReviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
