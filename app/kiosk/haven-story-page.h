/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_STORY_PAGE (haven_story_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenStoryPage, haven_story_page, HAVEN, STORY_PAGE, HavenPage)

G_END_DECLS
