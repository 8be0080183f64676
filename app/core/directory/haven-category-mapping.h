/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HavenCategoryMapping HavenCategoryMapping;

HavenCategoryMapping *haven_category_mapping_new_from_file   (const char            *path,
                                                              GError               **error);
void                  haven_category_mapping_free            (HavenCategoryMapping  *self);
const char * const   *haven_category_mapping_get_terms       (HavenCategoryMapping  *self);
void                  haven_category_mapping_map_term        (HavenCategoryMapping  *self,
                                                              const char            *taxonomy,
                                                              const char            *code,
                                                              guint16               *specific,
                                                              guint16               *general);
int                   haven_category_mapping_category_index  (const char            *category_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenCategoryMapping, haven_category_mapping_free)

G_END_DECLS
