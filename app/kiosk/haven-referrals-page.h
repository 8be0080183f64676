/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-directory.h"
#include "haven-page.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_REFERRALS_PAGE (haven_referrals_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenReferralsPage, haven_referrals_page, HAVEN, REFERRALS_PAGE, HavenPage)

void haven_referrals_page_set_directory (HavenReferralsPage *self,
                                         HavenDirectory     *directory,
                                         const char         *region,
                                         const GError       *error);
void haven_referrals_page_set_time      (HavenReferralsPage *self,
                                         GDateTime          *at);

G_END_DECLS
