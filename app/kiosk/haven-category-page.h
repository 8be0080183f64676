/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_CATEGORY_PAGE (haven_category_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenCategoryPage, haven_category_page, HAVEN, CATEGORY_PAGE, HavenPage)

G_END_DECLS
