/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_REMOVAL_CONTACT_PAGE (haven_removal_contact_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenRemovalContactPage, haven_removal_contact_page, HAVEN, REMOVAL_CONTACT_PAGE, HavenPage)

G_END_DECLS
