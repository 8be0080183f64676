/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_FINISH_PAGE (haven_finish_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenFinishPage, haven_finish_page, HAVEN, FINISH_PAGE, HavenPage)

G_END_DECLS
