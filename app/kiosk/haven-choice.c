/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-choice"

#include "config.h"

#include "haven-choice.h"

/* One choice a visitor makes: a check box, or a radio button when it is
 * one of a group (gtk_toggle_button_set_group). GTK 4.8's GtkCheckButton
 * offers assistive technologies no action, so switch access and voice
 * control could not tick it; a toggle button has AT-SPI's "click" action,
 * and takes the role given at construction ("accessible-role": checkbox,
 * the default, or radio) with its checked state kept in step. */
struct _HavenChoice
{
  GtkToggleButton parent_instance;
};

G_DEFINE_FINAL_TYPE (HavenChoice, haven_choice, GTK_TYPE_TOGGLE_BUTTON)

static void
update_checked (HavenChoice *self)
{
  gboolean active = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self));

  gtk_accessible_update_state (GTK_ACCESSIBLE (self),
                               GTK_ACCESSIBLE_STATE_CHECKED,
                               active ? GTK_ACCESSIBLE_TRISTATE_TRUE : GTK_ACCESSIBLE_TRISTATE_FALSE,
                               -1);
}

static void
haven_choice_toggled (GtkToggleButton *button)
{
  update_checked (HAVEN_CHOICE (button));

  if (GTK_TOGGLE_BUTTON_CLASS (haven_choice_parent_class)->toggled != NULL)
    GTK_TOGGLE_BUTTON_CLASS (haven_choice_parent_class)->toggled (button);
}

/* A label set with "label" wraps, starting where lines start, as the
 * page's own text does. */
static void
label_changed_cb (HavenChoice *self)
{
  GtkWidget *child = gtk_button_get_child (GTK_BUTTON (self));

  if (!GTK_IS_LABEL (child))
    return;

  gtk_label_set_wrap (GTK_LABEL (child), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (child), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (child), 0.0f);
}

static void
haven_choice_class_init (HavenChoiceClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkToggleButtonClass *toggle_button_class = GTK_TOGGLE_BUTTON_CLASS (klass);

  toggle_button_class->toggled = haven_choice_toggled;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_CHECKBOX);
}

static void
haven_choice_init (HavenChoice *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self), "choice");
  g_signal_connect (self, "notify::label", G_CALLBACK (label_changed_cb), NULL);
  update_checked (self);
}

/**
 * haven_choice_new:
 * @role: %GTK_ACCESSIBLE_ROLE_CHECKBOX, or %GTK_ACCESSIBLE_ROLE_RADIO for
 *   one of a group
 */
GtkWidget *
haven_choice_new (GtkAccessibleRole role)
{
  g_return_val_if_fail (role == GTK_ACCESSIBLE_ROLE_CHECKBOX || role == GTK_ACCESSIBLE_ROLE_RADIO, NULL);

  return g_object_new (HAVEN_TYPE_CHOICE, "accessible-role", role, NULL);
}
