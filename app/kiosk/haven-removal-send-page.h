/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_REMOVAL_SEND_PAGE (haven_removal_send_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenRemovalSendPage, haven_removal_send_page, HAVEN, REMOVAL_SEND_PAGE, HavenPage)

G_END_DECLS
