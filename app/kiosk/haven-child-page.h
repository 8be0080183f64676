/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_CHILD_PAGE (haven_child_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenChildPage, haven_child_page, HAVEN, CHILD_PAGE, HavenPage)

G_END_DECLS
