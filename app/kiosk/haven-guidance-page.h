/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_GUIDANCE_PAGE (haven_guidance_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenGuidancePage, haven_guidance_page, HAVEN, GUIDANCE_PAGE, HavenPage)

G_END_DECLS
