/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_SAFETY_PAGE (haven_safety_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenSafetyPage, haven_safety_page, HAVEN, SAFETY_PAGE, HavenPage)

G_END_DECLS
