/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_INTRO_PAGE (haven_intro_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenIntroPage, haven_intro_page, HAVEN, INTRO_PAGE, HavenPage)

G_END_DECLS
