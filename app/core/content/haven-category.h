/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HAVEN_TYPE_CATEGORY (haven_category_get_type ())

G_DECLARE_FINAL_TYPE (HavenCategory, haven_category, HAVEN, CATEGORY, GObject)

HavenCategory      *haven_category_new                (const char          *id,
                                                       const char          *title,
                                                       const char          *summary,
                                                       const char * const  *examples,
                                                       gboolean             removable,
                                                       gboolean             about_child,
                                                       const char * const  *taxonomy_terms,
                                                       const char * const  *guidance_ids);
const char         *haven_category_get_id             (HavenCategory       *self);
const char         *haven_category_get_title          (HavenCategory       *self);
const char         *haven_category_get_summary        (HavenCategory       *self);
const char * const *haven_category_get_examples       (HavenCategory       *self);
gboolean            haven_category_is_removable       (HavenCategory       *self);
gboolean            haven_category_is_about_child     (HavenCategory       *self);
const char * const *haven_category_get_taxonomy_terms (HavenCategory       *self);
const char * const *haven_category_get_guidance_ids   (HavenCategory       *self);

G_END_DECLS
