/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-visit-footer"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-visit-footer.h"

/* The row at the foot of a page: Back, the page's main action, an optional
 * "Skip", and what comes next, so a visitor always knows where the button
 * leads before pressing it. */
struct _HavenVisitFooter
{
  GtkWidget parent_instance;

  GtkWidget *row;
  GtkButton *back_button;
  GtkButton *skip_button;
  GtkButton *primary_button;
  GtkLabel *next_label;

  char *next_step;
};

G_DEFINE_FINAL_TYPE (HavenVisitFooter, haven_visit_footer, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PRIMARY_LABEL,
  PROP_PRIMARY_ACTION_NAME,
  PROP_SKIP_ACTION_NAME,
  PROP_NEXT_STEP,
  PROP_SHOW_BACK,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

static void
set_next_step (HavenVisitFooter *self,
               const char       *next_step)
{
  g_autofree char *text = NULL;

  g_free (self->next_step);
  self->next_step = g_strdup (next_step);

  if (next_step != NULL)
    /* Translators: under the Continue button; %s is the title of the
     * next page, for example "People who can help". */
    text = g_strdup_printf (_("Next: %s"), next_step);

  gtk_label_set_label (self->next_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->next_label), text != NULL);
}

static void
set_skip_action_name (HavenVisitFooter *self,
                      const char       *action_name)
{
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->skip_button), action_name);
  gtk_widget_set_visible (GTK_WIDGET (self->skip_button), action_name != NULL);
}

static void
haven_visit_footer_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), HAVEN_TYPE_VISIT_FOOTER);

  G_OBJECT_CLASS (haven_visit_footer_parent_class)->dispose (object);
}

static void
haven_visit_footer_finalize (GObject *object)
{
  g_free (HAVEN_VISIT_FOOTER (object)->next_step);

  G_OBJECT_CLASS (haven_visit_footer_parent_class)->finalize (object);
}

static void
haven_visit_footer_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  HavenVisitFooter *self = HAVEN_VISIT_FOOTER (object);

  switch (prop_id)
    {
    case PROP_PRIMARY_LABEL:
      g_value_set_string (value, gtk_button_get_label (self->primary_button));
      break;

    case PROP_PRIMARY_ACTION_NAME:
      g_value_set_string (value, gtk_actionable_get_action_name (GTK_ACTIONABLE (self->primary_button)));
      break;

    case PROP_SKIP_ACTION_NAME:
      g_value_set_string (value, gtk_actionable_get_action_name (GTK_ACTIONABLE (self->skip_button)));
      break;

    case PROP_NEXT_STEP:
      g_value_set_string (value, self->next_step);
      break;

    case PROP_SHOW_BACK:
      g_value_set_boolean (value, gtk_widget_get_visible (GTK_WIDGET (self->back_button)));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_visit_footer_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  HavenVisitFooter *self = HAVEN_VISIT_FOOTER (object);

  switch (prop_id)
    {
    case PROP_PRIMARY_LABEL:
      gtk_button_set_label (self->primary_button, g_value_get_string (value));
      break;

    case PROP_PRIMARY_ACTION_NAME:
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->primary_button), g_value_get_string (value));
      break;

    case PROP_SKIP_ACTION_NAME:
      set_skip_action_name (self, g_value_get_string (value));
      break;

    case PROP_NEXT_STEP:
      set_next_step (self, g_value_get_string (value));
      break;

    case PROP_SHOW_BACK:
      gtk_widget_set_visible (GTK_WIDGET (self->back_button), g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_visit_footer_class_init (HavenVisitFooterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haven_visit_footer_dispose;
  object_class->finalize = haven_visit_footer_finalize;
  object_class->get_property = haven_visit_footer_get_property;
  object_class->set_property = haven_visit_footer_set_property;

  props[PROP_PRIMARY_LABEL] =
    g_param_spec_string ("primary-label", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  props[PROP_PRIMARY_ACTION_NAME] =
    g_param_spec_string ("primary-action-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  props[PROP_SKIP_ACTION_NAME] =
    g_param_spec_string ("skip-action-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  props[PROP_NEXT_STEP] =
    g_param_spec_string ("next-step", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  props[PROP_SHOW_BACK] =
    g_param_spec_boolean ("show-back", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-visit-footer.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenVisitFooter, row);
  gtk_widget_class_bind_template_child (widget_class, HavenVisitFooter, back_button);
  gtk_widget_class_bind_template_child (widget_class, HavenVisitFooter, skip_button);
  gtk_widget_class_bind_template_child (widget_class, HavenVisitFooter, primary_button);
  gtk_widget_class_bind_template_child (widget_class, HavenVisitFooter, next_label);
}

static void
haven_visit_footer_init (HavenVisitFooter *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  set_next_step (self, NULL);
}

GtkWidget *
haven_visit_footer_get_primary_button (HavenVisitFooter *self)
{
  g_return_val_if_fail (HAVEN_IS_VISIT_FOOTER (self), NULL);

  return GTK_WIDGET (self->primary_button);
}
