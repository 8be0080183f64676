/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_REVIEW_PAGE (haven_review_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenReviewPage, haven_review_page, HAVEN, REVIEW_PAGE, HavenPage)

G_END_DECLS
