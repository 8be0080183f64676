/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-visit-header"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-locale.h"
#include "haven-visit-header.h"

/* The bar above every page: the language menu and "Leave now". It is built
 * again whenever the language changes, like the pages. */
struct _HavenVisitHeader
{
  AdwBin parent_instance;

  AdwHeaderBar *header_bar;
  GtkMenuButton *language_button;
  GtkLabel *language_label;
  GtkButton *leave_button;
};

G_DEFINE_FINAL_TYPE (HavenVisitHeader, haven_visit_header, ADW_TYPE_BIN)

static void
haven_visit_header_class_init (HavenVisitHeaderClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-visit-header.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenVisitHeader, header_bar);
  gtk_widget_class_bind_template_child (widget_class, HavenVisitHeader, language_button);
  gtk_widget_class_bind_template_child (widget_class, HavenVisitHeader, language_label);
  gtk_widget_class_bind_template_child (widget_class, HavenVisitHeader, leave_button);
}

static void
haven_visit_header_init (HavenVisitHeader *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static GMenuModel *
build_language_menu (const char * const *languages)
{
  GMenu *menu = g_menu_new ();

  for (gsize i = 0; languages[i] != NULL; i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (haven_locale_get_native_name (languages[i]), NULL);

      g_menu_item_set_action_and_target (item, "visit.switch-language", "s", languages[i]);
      g_menu_append_item (menu, item);
    }

  return G_MENU_MODEL (menu);
}

/**
 * haven_visit_header_new:
 * @languages: the languages to offer, each a code haven_locale_is_known()
 * @current_language: the language shown now
 * @show_window_controls: whether the window's close button is shown
 */
GtkWidget *
haven_visit_header_new (const char * const *languages,
                        const char         *current_language,
                        gboolean            show_window_controls)
{
  HavenVisitHeader *self;
  g_autoptr(GMenuModel) menu = NULL;

  g_return_val_if_fail (languages != NULL, NULL);

  self = g_object_new (HAVEN_TYPE_VISIT_HEADER, NULL);

  menu = build_language_menu (languages);
  gtk_menu_button_set_menu_model (self->language_button, menu);
  gtk_label_set_label (self->language_label, haven_locale_get_native_name (current_language));
  /* With a single language there is nothing to choose. */
  gtk_widget_set_visible (GTK_WIDGET (self->language_button), g_strv_length ((GStrv) languages) > 1);
  adw_header_bar_set_show_end_title_buttons (self->header_bar, show_window_controls);

  return GTK_WIDGET (self);
}
