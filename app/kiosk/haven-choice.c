/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-choice"

#include "config.h"

#include "haven-choice.h"

/* One choice a visitor makes: a check box, or a radio button when it is
 * one of a group (gtk_toggle_button_set_group). GTK 4.8's GtkCheckButton
 * offers assistive technologies no action, so switch access and voice
 * control could not tick it; a toggle button has AT-SPI's "click" action,
 * and takes the role given at construction ("accessible-role": checkbox,
 * the default, or radio) with its checked state kept in step.
 *
 * Beside its words it shows what it is: a check box, or a radio circle,
 * so that "choose one" and "choose all that apply" look different, and a
 * choice is not mistaken for a text field. style.css draws them (class
 * "choice-indicator" and "check" or "radio"), sized in em so that they grow
 * with the text. */
struct _HavenChoice
{
  GtkToggleButton parent_instance;

  GtkWidget *indicator;
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
  gtk_widget_set_hexpand (child, TRUE);
}

/* The shape follows the role, which a template sets after construction. */
static void
role_changed_cb (HavenChoice *self)
{
  gboolean radio = gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (self)) == GTK_ACCESSIBLE_ROLE_RADIO;

  gtk_widget_remove_css_class (self->indicator, radio ? "check" : "radio");
  gtk_widget_add_css_class (self->indicator, radio ? "radio" : "check");
  /* The tick: seen (in the indicator's colour) only when ticked. A radio
   * circle's dot is drawn by style.css alone. */
  if (radio)
    gtk_image_clear (GTK_IMAGE (self->indicator));
  else
    gtk_image_set_from_icon_name (GTK_IMAGE (self->indicator), "object-select-symbolic");
}

static void
haven_choice_constructed (GObject *object)
{
  HavenChoice *self = HAVEN_CHOICE (object);

  G_OBJECT_CLASS (haven_choice_parent_class)->constructed (object);

  role_changed_cb (self);
  g_signal_connect (self, "notify::accessible-role", G_CALLBACK (role_changed_cb), NULL);
}

static void
haven_choice_dispose (GObject *object)
{
  HavenChoice *self = HAVEN_CHOICE (object);

  g_clear_pointer (&self->indicator, gtk_widget_unparent);

  G_OBJECT_CLASS (haven_choice_parent_class)->dispose (object);
}

static void
haven_choice_class_init (HavenChoiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkToggleButtonClass *toggle_button_class = GTK_TOGGLE_BUTTON_CLASS (klass);

  object_class->constructed = haven_choice_constructed;
  object_class->dispose = haven_choice_dispose;
  toggle_button_class->toggled = haven_choice_toggled;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_CHECKBOX);
  /* The indicator, then the words (the button's child), in a row that
   * follows the text direction. */
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
}

static void
haven_choice_init (HavenChoice *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);
  /* Its state is the choice's own, told to assistive technologies there. */
  self->indicator = g_object_new (GTK_TYPE_IMAGE,
                                  "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                  "valign", GTK_ALIGN_CENTER,
                                  NULL);
  gtk_widget_add_css_class (self->indicator, "choice-indicator");
  gtk_widget_set_parent (self->indicator, GTK_WIDGET (self));

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
