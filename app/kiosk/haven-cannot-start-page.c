/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-cannot-start-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-cannot-start-page.h"

/* What the kiosk shows instead of a visit when it cannot run one: the
 * content it ships (questions, guidance, help numbers) cannot be read.
 * It speaks to the staff who set the kiosk up, not to a visitor: it says
 * what is missing and how to put it right, and the same words go to the
 * log, where an operator without the screen finds them. */
struct _HavenCannotStartPage
{
  AdwBin parent_instance;

  AdwStatusPage *status_page;

  char *problem;
};

G_DEFINE_FINAL_TYPE (HavenCannotStartPage, haven_cannot_start_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_PROBLEM,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

/**
 * haven_cannot_start_page_describe:
 * @problem: why the content cannot be read
 *
 * Returns: (transfer full): what the page says under its title, which is
 *   also what the kiosk logs
 */
char *
haven_cannot_start_page_describe (const char *problem)
{
  g_return_val_if_fail (problem != NULL, NULL);

  /* Translators: shown to the staff of a kiosk that cannot start. %s is
   * the reason, for example "/usr/share/haven/content/guidance.xml: cannot
   * be read: No such file or directory". Keep “havenctl content check”,
   * content-dir and “meson devenv” as they are: they are a command, a
   * setting and a command. */
  return g_strdup_printf (_("The questions, guidance and help numbers that Haven shows visitors "
                            "cannot be read:\n\n%s\n\n"
                            "Reinstall Haven, or set content-dir to a folder that "
                            "“havenctl content check” accepts. "
                            "From a build tree, start it with “meson devenv”."),
                          problem);
}

static void
set_problem (HavenCannotStartPage *self,
             const char           *problem)
{
  g_autofree char *description = NULL;
  g_autofree char *markup = NULL;

  g_free (self->problem);
  self->problem = g_strdup (problem != NULL ? problem : "");
  description = haven_cannot_start_page_describe (self->problem);
  /* The status page reads its description as markup; a path may hold "&". */
  markup = g_markup_escape_text (description, -1);
  adw_status_page_set_description (self->status_page, markup);
}

static void
haven_cannot_start_page_finalize (GObject *object)
{
  HavenCannotStartPage *self = HAVEN_CANNOT_START_PAGE (object);

  g_clear_pointer (&self->problem, g_free);

  G_OBJECT_CLASS (haven_cannot_start_page_parent_class)->finalize (object);
}

static void
haven_cannot_start_page_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  HavenCannotStartPage *self = HAVEN_CANNOT_START_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_cannot_start_page_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  HavenCannotStartPage *self = HAVEN_CANNOT_START_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROBLEM:
      set_problem (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_cannot_start_page_class_init (HavenCannotStartPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = haven_cannot_start_page_finalize;
  object_class->get_property = haven_cannot_start_page_get_property;
  object_class->set_property = haven_cannot_start_page_set_property;

  props[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-cannot-start-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenCannotStartPage, status_page);
}

static void
haven_cannot_start_page_init (HavenCannotStartPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
haven_cannot_start_page_new (const char *problem)
{
  g_return_val_if_fail (problem != NULL, NULL);

  return g_object_new (HAVEN_TYPE_CANNOT_START_PAGE, "problem", problem, NULL);
}

const char *
haven_cannot_start_page_get_problem (HavenCannotStartPage *self)
{
  g_return_val_if_fail (HAVEN_IS_CANNOT_START_PAGE (self), NULL);

  return self->problem;
}
