/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-welcome-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-locale.h"
#include "haven-welcome-page.h"

/* The first page a visitor sees: what Haven is for, and the languages it
 * offers, each named in its own language so a visitor who reads no other
 * can find theirs. Choosing one starts the visit in it. */
struct _HavenWelcomePage
{
  HavenPage parent_instance;

  AdwClamp *clamp;
  GtkBox *content_box;
  GtkImage *logo;
  GtkLabel *heading;
  GtkFlowBox *language_box;
};

/* Past this many, the languages go three to a line; past MOST_LANGUAGES,
 * as many as fit in smaller buttons, so that twenty show without
 * scrolling on a 1280×720 screen and on a portrait one. */
#define MANY_LANGUAGES 4
#define MOST_LANGUAGES 6

G_DEFINE_FINAL_TYPE (HavenWelcomePage, haven_welcome_page, HAVEN_TYPE_PAGE)

static void
haven_welcome_page_class_init (HavenWelcomePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenWelcomePage, clamp);
  gtk_widget_class_bind_template_child (widget_class, HavenWelcomePage, content_box);
  gtk_widget_class_bind_template_child (widget_class, HavenWelcomePage, logo);
  gtk_widget_class_bind_template_child (widget_class, HavenWelcomePage, heading);
  gtk_widget_class_bind_template_child (widget_class, HavenWelcomePage, language_box);
}

/* The operator's way in on a touch screen: a long press on the page's top
 * corner where lines start, where no control is. */
#define OPERATOR_CORNER_SIZE 96

static void
long_pressed_cb (GtkGestureLongPress *gesture,
                 double               x,
                 double               y,
                 HavenWelcomePage    *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  gboolean at_start = gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL
                      ? x >= width - OPERATOR_CORNER_SIZE : x <= OPERATOR_CORNER_SIZE;

  if (at_start && y <= OPERATOR_CORNER_SIZE)
    gtk_widget_activate_action (GTK_WIDGET (self), "visit.operator", NULL);
}

static void
haven_welcome_page_init (HavenWelcomePage *self)
{
  GtkGesture *long_press = gtk_gesture_long_press_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (long_press), FALSE);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (long_press), GTK_PHASE_CAPTURE);
  g_signal_connect (long_press, "pressed", G_CALLBACK (long_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (long_press));
}

static GtkWidget *
create_language_button (const char *code,
                        gboolean    compact)
{
  g_autoptr(PangoAttrList) attributes = pango_attr_list_new ();
  g_autofree char *language_tag = g_strdelimit (g_strdup (code), "_", '-');
  GtkWidget *label;
  GtkWidget *button;

  label = gtk_label_new (haven_locale_get_native_name (code));
  /* Tells Pango which script the name is in, so Chinese is drawn with a
   * Chinese font rather than a Japanese one. */
  pango_attr_list_insert (attributes,
                          pango_attr_language_new (pango_language_from_string (language_tag)));
  gtk_label_set_attributes (GTK_LABEL (label), attributes);

  button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (button), label);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "visit.start-visit");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", code);
  gtk_widget_set_name (button, code);
  gtk_widget_add_css_class (button, "language-choice");
  gtk_widget_add_css_class (button, "pill");
  /* The name's own script may want its own font (Urdu's Nastaliq). */
  gtk_widget_add_css_class (button, haven_locale_get_style_class (code));
  gtk_widget_set_size_request (button, compact ? 200 : 280, -1);
  /* GTK names a button after its label only when it made the label. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, haven_locale_get_native_name (code),
                                  -1);

  return button;
}

void
haven_welcome_page_set_languages (HavenWelcomePage   *self,
                                  const char * const *languages)
{
  GtkWidget *child;
  guint n_languages;
  gboolean compact;

  g_return_if_fail (HAVEN_IS_WELCOME_PAGE (self));
  g_return_if_fail (languages != NULL);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->language_box))) != NULL)
    gtk_flow_box_remove (self->language_box, child);

  /* Up to two columns, three for many languages and five for the most,
   * so that all of them fit on a 1280×720 screen without scrolling; fewer
   * where the screen is narrower, down to one on a phone-sized window.
   * Tab follows the reading order, row by row. */
  n_languages = g_strv_length ((char **) languages);
  compact = n_languages > MOST_LANGUAGES;
  gtk_flow_box_set_max_children_per_line (self->language_box,
                                          compact ? 5 : n_languages > MANY_LANGUAGES ? 3 : 2);
  gtk_flow_box_set_row_spacing (self->language_box, compact ? 10 : 16);
  gtk_flow_box_set_column_spacing (self->language_box, compact ? 12 : 16);
  adw_clamp_set_maximum_size (self->clamp, compact ? 1240 : 860);
  adw_clamp_set_tightening_threshold (self->clamp, compact ? 1240 : 560);
  gtk_image_set_pixel_size (self->logo, compact ? 48 : 80);
  /* Burmese and Urdu lines are nearly twice as tall as Latin ones: with
   * twenty languages the page's own words take less room, so that every
   * language and the note below them fit at 1280×720 in every language. */
  gtk_box_set_spacing (self->content_box, compact ? 10 : 18);
  if (compact)
    gtk_widget_add_css_class (GTK_WIDGET (self->content_box), "compact");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->content_box), "compact");
  /* Its natural width is that of its fewest columns; filling the clamp,
   * it takes as many as fit. */
  gtk_widget_set_halign (GTK_WIDGET (self->language_box), compact ? GTK_ALIGN_FILL : GTK_ALIGN_CENTER);
  if (compact)
    gtk_widget_add_css_class (GTK_WIDGET (self->language_box), "compact");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->language_box), "compact");
  for (gsize i = 0; languages[i] != NULL; i++)
    {
      gtk_flow_box_append (self->language_box, create_language_button (languages[i], compact));
      /* The button takes the focus, not the cell around it. */
      child = gtk_widget_get_last_child (GTK_WIDGET (self->language_box));
      gtk_widget_set_focusable (child, FALSE);
    }
}
