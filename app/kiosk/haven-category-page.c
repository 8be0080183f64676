/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-category-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-category-page.h"

/* "Which of these is closest to what happened?": the categories of the
 * content definitions, each in everyday words with examples, as big
 * buttons. Choosing one records it in the session and moves on. */
struct _HavenCategoryPage
{
  HavenPage parent_instance;

  GtkBox *category_box;
};

G_DEFINE_FINAL_TYPE (HavenCategoryPage, haven_category_page, HAVEN_TYPE_PAGE)

static void
category_clicked_cb (GtkButton         *button,
                     HavenCategoryPage *self)
{
  HavenSession *session = haven_page_get_session (HAVEN_PAGE (self));

  haven_session_set_category (session, haven_page_get_content (HAVEN_PAGE (self)),
                              gtk_widget_get_name (GTK_WIDGET (button)));
  gtk_widget_activate_action (GTK_WIDGET (self), "visit.next", NULL);
}

static GtkWidget *
create_category_button (HavenCategoryPage *self,
                        HavenCategory     *category,
                        gboolean           chosen)
{
  const char * const *examples = haven_category_get_examples (category);
  g_autoptr(GString) example_text = g_string_new (NULL);
  GtkWidget *button;
  GtkWidget *box;
  GtkWidget *title;
  GtkWidget *examples_label;
  GtkWidget *helper;

  for (gsize i = 0; examples != NULL && examples[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (example_text, '\n');
      /* Translators: one example of a category, as a list item. */
      g_string_append_printf (example_text, _("• %s"), g_dgettext (GETTEXT_PACKAGE, examples[i]));
    }

  title = gtk_label_new (g_dgettext (GETTEXT_PACKAGE, haven_category_get_title (category)));
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "heading");

  examples_label = gtk_label_new (example_text->str);
  gtk_label_set_wrap (GTK_LABEL (examples_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (examples_label), 0);
  gtk_widget_add_css_class (examples_label, "category-examples");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (GTK_BOX (box), title);
  helper = haven_page_make_helper_label (HAVEN_PAGE (self), haven_category_get_title (category));
  if (helper != NULL)
    gtk_box_append (GTK_BOX (box), helper);
  gtk_box_append (GTK_BOX (box), examples_label);

  button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_set_name (button, haven_category_get_id (category));
  gtk_widget_add_css_class (button, "category-choice");
  if (chosen)
    gtk_widget_add_css_class (button, "chosen");

  /* A screen reader reads the title as the button's name and the examples
   * as its description, rather than everything at once. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, title, NULL,
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, examples_label, NULL,
                                  -1);
  if (chosen)
    gtk_accessible_update_state (GTK_ACCESSIBLE (button),
                                 GTK_ACCESSIBLE_STATE_SELECTED, TRUE,
                                 -1);

  g_signal_connect_object (button, "clicked", G_CALLBACK (category_clicked_cb), self, 0);

  return button;
}

static void
haven_category_page_constructed (GObject *object)
{
  HavenCategoryPage *self = HAVEN_CATEGORY_PAGE (object);
  HavenContent *content = haven_page_get_content (HAVEN_PAGE (self));
  const char *chosen = haven_session_get_category (haven_page_get_session (HAVEN_PAGE (self)));
  GListModel *categories;

  G_OBJECT_CLASS (haven_category_page_parent_class)->constructed (object);

  if (content == NULL)
    return;

  categories = haven_content_get_categories (content);
  for (guint i = 0; i < g_list_model_get_n_items (categories); i++)
    {
      g_autoptr(HavenCategory) category = g_list_model_get_item (categories, i);
      gboolean is_chosen = g_strcmp0 (chosen, haven_category_get_id (category)) == 0;

      gtk_box_append (self->category_box, create_category_button (self, category, is_chosen));
    }
}

static GtkWidget *
haven_category_page_get_initial_focus (HavenPage *page)
{
  HavenCategoryPage *self = HAVEN_CATEGORY_PAGE (page);
  const char *chosen = haven_session_get_category (haven_page_get_session (page));

  /* Coming back to change the answer starts on the answer given. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->category_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (g_strcmp0 (gtk_widget_get_name (child), chosen) == 0)
        return child;
    }

  return gtk_widget_get_first_child (GTK_WIDGET (self->category_box));
}

static void
haven_category_page_class_init (HavenCategoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->constructed = haven_category_page_constructed;
  page_class->get_initial_focus = haven_category_page_get_initial_focus;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-category-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenCategoryPage, category_box);
  page_class->step_title = N_("What happened");
  page_class->heading = N_("Which of these is closest to what happened?");
}

static void
haven_category_page_init (HavenCategoryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
