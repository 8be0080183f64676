/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_REMOVAL_ITEMS_PAGE (haven_removal_items_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenRemovalItemsPage, haven_removal_items_page, HAVEN, REMOVAL_ITEMS_PAGE, HavenPage)

G_END_DECLS
