/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HAVEN_TYPE_GUIDANCE (haven_guidance_get_type ())

G_DECLARE_FINAL_TYPE (HavenGuidance, haven_guidance, HAVEN, GUIDANCE, GObject)

HavenGuidance      *haven_guidance_new       (const char          *id,
                                              const char          *title,
                                              const char * const  *steps);
const char         *haven_guidance_get_id    (HavenGuidance       *self);
const char         *haven_guidance_get_title (HavenGuidance       *self);
const char * const *haven_guidance_get_steps (HavenGuidance       *self);

G_END_DECLS
