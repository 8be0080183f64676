/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-session.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_PAGE (haven_page_get_type ())

G_DECLARE_DERIVABLE_TYPE (HavenPage, haven_page, HAVEN, PAGE, AdwBin)

struct _HavenPageClass
{
  AdwBinClass parent_class;

  /* The control a visitor most likely wants when the page opens; NULL
   * for the page's first control. */
  GtkWidget *(*get_initial_focus) (HavenPage *self);
};

HavenSession *haven_page_get_session (HavenPage *self);
void          haven_page_focus       (HavenPage *self);

G_END_DECLS
