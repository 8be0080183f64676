/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-category.h"
#include "haven-desk-format.h"

char *
haven_desk_format_age (GDateTime *time,
                       GDateTime *now)
{
  GTimeSpan span;
  gint64 minutes, hours, days;

  if (time == NULL)
    return g_strdup (_("Never"));

  span = g_date_time_difference (now, time);
  minutes = MAX (span, 0) / G_TIME_SPAN_MINUTE;
  hours = minutes / 60;
  days = hours / 24;

  if (minutes < 1)
    return g_strdup (_("just now"));
  if (hours < 1)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago",
                                         (gulong) minutes),
                            (int) minutes);
  if (days < 1)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago",
                                         (gulong) hours),
                            (int) hours);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago",
                                       (gulong) MIN (days, G_MAXINT)),
                          (int) MIN (days, G_MAXINT));
}

char *
haven_desk_format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup (_("Not known"));

  local = g_date_time_to_local (time);
  /* Translators: a date and time as strftime writes it; %x and %X are
   * the language's own date and time. */
  return g_date_time_format (local, C_("date and time", "%x %X"));
}

const char *
haven_desk_describe_kind (const char *kind)
{
  if (g_strcmp0 (kind, "removal") == 0)
    return _("Request to take content down");
  if (g_strcmp0 (kind, "report") == 0)
    return C_("case kind", "Report");
  return kind;
}

char *
haven_desk_describe_category (HavenContent *content,
                              const char   *category)
{
  HavenCategory *found = NULL;

  if (category == NULL)
    return g_strdup (C_("category", "Not said"));
  if (content != NULL)
    found = haven_content_lookup_category (content, category);
  if (found == NULL)
    return g_strdup (category);
  return g_strdup (g_dgettext (GETTEXT_PACKAGE, haven_category_get_title (found)));
}

GtkWidget *
haven_desk_make_tag (const char *text,
                     const char *style)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_widget_add_css_class (label, "case-tag");
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  return label;
}
