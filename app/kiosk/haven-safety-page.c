/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-safety-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-emergency-numbers.h"
#include "haven-safety-page.h"
#include "haven-visit-footer.h"

/* Before anything else: is the visitor in danger right now? "Yes" shows
 * the region's emergency and crisis numbers in large type; the visit can
 * go on afterwards. "No" goes straight on. The answer stays in the session
 * only, to show the crisis lines again at the end. */
struct _HavenSafetyPage
{
  HavenPage parent_instance;

  GtkWidget *choices;
  GtkWidget *danger_others_button;
  GtkWidget *danger_self_button;
  GtkWidget *safe_button;
  /* The emergency number and one line to talk to, for every visitor,
   * before any answer. */
  GtkWidget *always_heading;
  HavenEmergencyNumbers *always_numbers;
  GtkWidget *help_box;
  GtkWidget *help_heading;
  GtkLabel *help_text;
  HavenEmergencyNumbers *emergency_numbers;
  HavenVisitFooter *footer;
};

G_DEFINE_FINAL_TYPE (HavenSafetyPage, haven_safety_page, HAVEN_TYPE_PAGE)

static gboolean
is_in_danger (const char *answer)
{
  return g_strcmp0 (answer, HAVEN_SAFETY_SOMEONE) == 0 || g_strcmp0 (answer, HAVEN_SAFETY_SELF) == 0;
}

static void
show_help (HavenSafetyPage *self,
           const char      *answer)
{
  HavenEmergencyRegion *region = haven_page_get_emergency_region (HAVEN_PAGE (self));
  /* Someone thinking of harming themselves needs a person to talk to
   * first; someone threatened by another needs the police first. */
  static const char * const for_someone[] = { "emergency", "domestic-abuse", "crisis", NULL };
  static const char * const for_self[] = { "crisis", "emergency", NULL };
  gboolean about_self = g_strcmp0 (answer, HAVEN_SAFETY_SELF) == 0;

  gtk_label_set_label (self->help_text,
                       about_self
                       ? _("You are not alone. If you can, call one of these numbers now and talk to someone. You can come back to this kiosk afterwards.")
                       : _("If you can, call one of these numbers now. You can come back to this kiosk afterwards."));
  if (region != NULL)
    haven_emergency_numbers_add (self->emergency_numbers, region, about_self ? for_self : for_someone);

  /* The numbers take the place of the question: they are what matters
   * now. */
  gtk_widget_set_visible (self->choices, FALSE);
  gtk_widget_set_visible (self->help_box, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->footer), TRUE);
}

static void
answer_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  HavenSafetyPage *self = HAVEN_SAFETY_PAGE (widget);
  const char *answer = g_variant_get_string (parameter, NULL);

  haven_session_set_answer (haven_page_get_session (HAVEN_PAGE (self)), HAVEN_QUESTION_SAFETY, answer);

  if (!is_in_danger (answer))
    {
      gtk_widget_activate_action (widget, "visit.next", NULL);
      return;
    }

  /* Built once per page: a second "yes" keeps what is shown. */
  if (!gtk_widget_get_visible (self->help_box))
    show_help (self, answer);
  gtk_widget_grab_focus (self->help_heading);
}

static GtkWidget *
haven_safety_page_get_initial_focus (HavenPage *page)
{
  HavenSafetyPage *self = HAVEN_SAFETY_PAGE (page);

  if (gtk_widget_get_visible (self->help_box))
    return self->help_heading;

  return NULL;
}

/* The answer's words in the helper's language too, beneath them. */
static void
add_helper_line (HavenSafetyPage *self,
                 GtkWidget       *button,
                 const char      *msgid)
{
  GtkWidget *helper = haven_page_make_helper_label (HAVEN_PAGE (self), msgid);
  GtkWidget *box;
  GtkWidget *label;

  if (helper == NULL)
    return;

  label = gtk_label_new (gtk_button_get_label (GTK_BUTTON (button)));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), helper);
  gtk_label_set_justify (GTK_LABEL (helper), GTK_JUSTIFY_CENTER);
  gtk_label_set_xalign (GTK_LABEL (helper), 0.5);
  gtk_button_set_child (GTK_BUTTON (button), box);
  /* The visitor's words name the button; the helper's line does not. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL,
                                  -1);
}

/* A visitor who says they are safe may still want a number: the region's
 * emergency number and its crisis line are on the page for everyone. */
static void
show_help_for_everyone (HavenSafetyPage *self)
{
  static const char * const kinds[] = { "emergency", "crisis", NULL };
  HavenEmergencyRegion *region = haven_page_get_emergency_region (HAVEN_PAGE (self));
  guint shown = 0;

  if (region != NULL)
    shown = haven_emergency_numbers_add (self->always_numbers, region, kinds);
  gtk_widget_set_visible (self->always_heading, shown > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->always_numbers), shown > 0);
}

static void
haven_safety_page_constructed (GObject *object)
{
  HavenSafetyPage *self = HAVEN_SAFETY_PAGE (object);
  const char *answer;

  G_OBJECT_CLASS (haven_safety_page_parent_class)->constructed (object);

  /* As in haven-safety-page.ui. */
  add_helper_line (self, self->danger_others_button, N_("Yes, someone may hurt me"));
  add_helper_line (self, self->danger_self_button, N_("Yes, I may hurt myself"));
  add_helper_line (self, self->safe_button, N_("No, I am safe right now"));

  show_help_for_everyone (self);

  /* Back, or a change of language, shows the numbers again. */
  answer = haven_session_get_answer (haven_page_get_session (HAVEN_PAGE (self)), HAVEN_QUESTION_SAFETY);
  if (is_in_danger (answer))
    show_help (self, answer);
}

static void
haven_safety_page_class_init (HavenSafetyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->constructed = haven_safety_page_constructed;

  g_type_ensure (HAVEN_TYPE_EMERGENCY_NUMBERS);
  g_type_ensure (HAVEN_TYPE_VISIT_FOOTER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-safety-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenSafetyPage, choices);
  gtk_widget_class_bind_template_child (widget_class, HavenSafetyPage, danger_others_button);
  gtk_widget_class_bind_template_child (widget_class, HavenSafetyPage, danger_self_button);
  gtk_widget_class_bind_template_child (widget_class, HavenSafetyPage, safe_button);
  gtk_widget_class_bind_template_child (widget_class, HavenSafetyPage, always_heading);
  gtk_widget_class_bind_template_child (widget_class, HavenSafetyPage, always_numbers);
  gtk_widget_class_bind_template_child (widget_class, HavenSafetyPage, help_box);
  gtk_widget_class_bind_template_child (widget_class, HavenSafetyPage, help_heading);
  gtk_widget_class_bind_template_child (widget_class, HavenSafetyPage, help_text);
  gtk_widget_class_bind_template_child (widget_class, HavenSafetyPage, emergency_numbers);
  gtk_widget_class_bind_template_child (widget_class, HavenSafetyPage, footer);

  gtk_widget_class_install_action (widget_class, "safety.answer", "s", answer_action_cb);

  page_class->get_initial_focus = haven_safety_page_get_initial_focus;
  page_class->step_title = N_("Your safety");
  page_class->heading = N_("Are you in danger right now?");
}

static void
haven_safety_page_init (HavenSafetyPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
