/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HAVEN_TYPE_VISIT_FOOTER (haven_visit_footer_get_type ())

G_DECLARE_FINAL_TYPE (HavenVisitFooter, haven_visit_footer, HAVEN, VISIT_FOOTER, GtkWidget)

GtkWidget *haven_visit_footer_get_primary_button (HavenVisitFooter *self);

G_END_DECLS
