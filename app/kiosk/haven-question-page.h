/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_QUESTION_PAGE (haven_question_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenQuestionPage, haven_question_page, HAVEN, QUESTION_PAGE, HavenPage)

G_END_DECLS
