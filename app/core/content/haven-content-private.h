/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-content.h"

G_BEGIN_DECLS

void haven_content_add_category (HavenContent         *self,
                                 HavenCategory        *category);
void haven_content_add_question (HavenContent         *self,
                                 HavenQuestion        *question);
void haven_content_add_guidance (HavenContent         *self,
                                 HavenGuidance        *guidance);
void haven_content_add_region   (HavenContent         *self,
                                 HavenEmergencyRegion *region);

G_END_DECLS
