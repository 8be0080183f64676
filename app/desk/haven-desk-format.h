/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "haven-content.h"

G_BEGIN_DECLS

/* The words the desk's pages share for a case's or a kiosk's metadata. */

/* "just now", "5 minutes ago", "3 hours ago", "2 days ago": lower case,
 * as they follow other words. */
char       *haven_desk_format_age           (GDateTime    *time,
                                             GDateTime    *now);
/* Local date and time, as the caseworker's language writes them. */
char       *haven_desk_format_time          (GDateTime    *time);
/* "Request to take content down" or "Report". */
const char *haven_desk_describe_kind        (const char   *kind);
/* The category's title in the caseworker's language; its id when
 * @content does not know it; "Not said" for NULL. */
char       *haven_desk_describe_category    (HavenContent *content,
                                             const char   *category);

/* A short tag beside a case or a kiosk: its state, "A child", "Silent".
 * @style: (nullable): a style class ("error", "warning", "accent"…). */
GtkWidget  *haven_desk_make_tag             (const char   *text,
                                             const char   *style);

G_END_DECLS
