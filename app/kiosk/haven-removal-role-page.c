/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-removal-role-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-choice.h"
#include "haven-removal-role-page.h"
#include "haven-visit-footer.h"

/* "Who is this request for?": the visitor, their child, or someone who
 * asked them to help. The one answer a removal request cannot go without
 * (haven-api-v1.md, reporter.role), so Continue asks for it. */
struct _HavenRemovalRolePage
{
  HavenPage parent_instance;

  GtkLabel *heading;
  GtkLabel *required_label;
  GtkLabel *role_error;
  GtkBox *role_box;

  /* The choices, in the order of roles[]. */
  GtkWidget *choices[3];
};

G_DEFINE_FINAL_TYPE (HavenRemovalRolePage, haven_removal_role_page, HAVEN_TYPE_PAGE)

static const char * const roles[] = { "self", "parent-or-guardian", "authorised-representative" };

static HavenRequest *
get_request (HavenRemovalRolePage *self)
{
  return haven_session_get_removal_request (haven_page_get_session (HAVEN_PAGE (self)));
}

/* The group's description says it is required and, after Continue, what
 * to do: set as text, since GTK 4.8 gives AT-SPI no "required" state. */
static void
show_error (HavenRemovalRolePage *self,
            const char           *message)
{
  g_autofree char *description = NULL;

  haven_page_show_field_error (self->role_error, GTK_WIDGET (self->role_box), message);
  description = message != NULL
                /* Translators: two sentences a screen reader reads one after the
                 * other: that a choice is required, then what to correct. End the
                 * first as your language ends a sentence. */
                ? g_strdup_printf (C_("two sentences", "%s. %s"),
                                   gtk_label_get_label (self->required_label), message)
                : g_strdup (gtk_label_get_label (self->required_label));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->role_box),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static void
choice_toggled_cb (HavenRemovalRolePage *self,
                   GtkToggleButton      *choice)
{
  if (!gtk_toggle_button_get_active (choice))
    return;

  haven_request_set_reporter_role (get_request (self), gtk_widget_get_name (GTK_WIDGET (choice)));
  /* Answered: what was wrong is no longer. */
  show_error (self, NULL);
  haven_error_summary_clear (haven_page_get_error_summary (HAVEN_PAGE (self)));
}

static void
continue_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  HavenRemovalRolePage *self = HAVEN_REMOVAL_ROLE_PAGE (widget);
  HavenErrorSummary *summary = haven_page_get_error_summary (HAVEN_PAGE (self));
  g_autoptr(GHashTable) field_errors = NULL;
  const char *message = NULL;

  haven_request_validate_draft (get_request (self), &field_errors);
  if (field_errors != NULL && g_hash_table_contains (field_errors, "reporter.role"))
    message = _("Choose who this request is for");

  haven_error_summary_clear (summary);
  show_error (self, message);
  if (message != NULL)
    {
      haven_error_summary_add (summary, message, self->choices[0]);
      haven_error_summary_present (summary, NULL);
      return;
    }

  gtk_widget_activate_action (widget, "visit.next", NULL);
}

static void
haven_removal_role_page_constructed (GObject *object)
{
  HavenRemovalRolePage *self = HAVEN_REMOVAL_ROLE_PAGE (object);
  const char *chosen = haven_request_get_reporter_role (get_request (self));

  G_OBJECT_CLASS (haven_removal_role_page_parent_class)->constructed (object);

  for (gsize i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      GtkWidget *choice = haven_choice_new (GTK_ACCESSIBLE_ROLE_RADIO);

      gtk_widget_set_name (choice, roles[i]);
      gtk_button_set_label (GTK_BUTTON (choice), haven_page_get_role_label (roles[i]));
      gtk_widget_add_css_class (choice, "answer-choice");
      if (i > 0)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (choice), GTK_TOGGLE_BUTTON (self->choices[0]));
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (choice), g_strcmp0 (chosen, roles[i]) == 0);
      g_signal_connect_object (choice, "toggled", G_CALLBACK (choice_toggled_cb), self, G_CONNECT_SWAPPED);
      gtk_box_append (self->role_box, choice);
      self->choices[i] = choice;
    }
}

static GtkWidget *
haven_removal_role_page_get_initial_focus (HavenPage *page)
{
  return HAVEN_REMOVAL_ROLE_PAGE (page)->choices[0];
}

static void
haven_removal_role_page_class_init (HavenRemovalRolePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->constructed = haven_removal_role_page_constructed;

  g_type_ensure (HAVEN_TYPE_VISIT_FOOTER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-removal-role-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalRolePage, heading);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalRolePage, required_label);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalRolePage, role_error);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalRolePage, role_box);

  gtk_widget_class_install_action (widget_class, "removal-role.continue", NULL, continue_action_cb);

  page_class->is_needed = haven_page_removal_is_requested;
  page_class->get_initial_focus = haven_removal_role_page_get_initial_focus;
  page_class->step_title = N_("Who the request is for");
  page_class->heading = N_("Who is this request for?");
}

static void
haven_removal_role_page_init (HavenRemovalRolePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  show_error (self, NULL);
}
