/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_WELCOME_PAGE (haven_welcome_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenWelcomePage, haven_welcome_page, HAVEN, WELCOME_PAGE, HavenPage)

void haven_welcome_page_set_languages (HavenWelcomePage   *self,
                                       const char * const *languages);

G_END_DECLS
