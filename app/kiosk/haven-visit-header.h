/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HAVEN_TYPE_VISIT_HEADER (haven_visit_header_get_type ())

G_DECLARE_FINAL_TYPE (HavenVisitHeader, haven_visit_header, HAVEN, VISIT_HEADER, AdwBin)

GtkWidget *haven_visit_header_new (const char * const *languages,
                                   const char         *current_language,
                                   gboolean            show_window_controls);

G_END_DECLS
