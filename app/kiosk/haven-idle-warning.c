/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-idle-warning"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-idle-warning.h"

/* "Are you still there?" over the page, with the seconds left before the
 * visit is cleared. Any touch, click or key anywhere answers it; the button
 * is there so that the answer is obvious. It is made when it is shown, so
 * it is always in the visitor's language. */
struct _HavenIdleWarning
{
  AdwBin parent_instance;

  GtkLabel *countdown_label;
  GtkButton *stay_button;
};

G_DEFINE_FINAL_TYPE (HavenIdleWarning, haven_idle_warning, ADW_TYPE_BIN)

static void
haven_idle_warning_class_init (HavenIdleWarningClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-idle-warning.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenIdleWarning, countdown_label);
  gtk_widget_class_bind_template_child (widget_class, HavenIdleWarning, stay_button);
}

static void
haven_idle_warning_init (HavenIdleWarning *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
haven_idle_warning_new (void)
{
  return g_object_new (HAVEN_TYPE_IDLE_WARNING, NULL);
}

void
haven_idle_warning_set_seconds_left (HavenIdleWarning *self,
                                     guint             seconds_left)
{
  g_autofree char *text = NULL;

  g_return_if_fail (HAVEN_IS_IDLE_WARNING (self));

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "To keep what you entered private, this screen will be cleared in %u second.",
                                       "To keep what you entered private, this screen will be cleared in %u seconds.",
                                       seconds_left),
                          seconds_left);
  gtk_label_set_label (self->countdown_label, text);
}
