/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_REMOVAL_ROLE_PAGE (haven_removal_role_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenRemovalRolePage, haven_removal_role_page, HAVEN, REMOVAL_ROLE_PAGE, HavenPage)

G_END_DECLS
