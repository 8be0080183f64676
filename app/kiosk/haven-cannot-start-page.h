/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HAVEN_TYPE_CANNOT_START_PAGE (haven_cannot_start_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenCannotStartPage, haven_cannot_start_page, HAVEN, CANNOT_START_PAGE,
                      AdwBin)

GtkWidget  *haven_cannot_start_page_new         (const char           *problem);
const char *haven_cannot_start_page_get_problem (HavenCannotStartPage *self);
char       *haven_cannot_start_page_describe    (const char           *problem);

G_END_DECLS
