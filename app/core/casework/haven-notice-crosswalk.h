/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-content.h"

G_BEGIN_DECLS

/* The words a notice to a platform uses for each of Haven's categories:
 * data/notices/crosswalk.ini, checked against the content's categories and
 * the Transparency Database's vocabulary (data/notices/README.md). */

#define HAVEN_NOTICE_CROSSWALK_ERROR (haven_notice_crosswalk_error_quark ())

typedef enum {
  HAVEN_NOTICE_CROSSWALK_ERROR_FILE,
  HAVEN_NOTICE_CROSSWALK_ERROR_UNKNOWN_GROUP,
  HAVEN_NOTICE_CROSSWALK_ERROR_UNKNOWN_KEY,
  HAVEN_NOTICE_CROSSWALK_ERROR_MISSING_GROUP,
  HAVEN_NOTICE_CROSSWALK_ERROR_MISSING_KEY,
  HAVEN_NOTICE_CROSSWALK_ERROR_INVALID_VALUE,
  HAVEN_NOTICE_CROSSWALK_ERROR_NOT_IN_VOCABULARY,
  HAVEN_NOTICE_CROSSWALK_ERROR_DUPLICATE_VALUE,
  HAVEN_NOTICE_CROSSWALK_ERROR_MISSING_CATEGORY,
  HAVEN_NOTICE_CROSSWALK_ERROR_UNKNOWN_CATEGORY,
  HAVEN_NOTICE_CROSSWALK_ERROR_TAXONOMY_MISMATCH,
  HAVEN_NOTICE_CROSSWALK_ERROR_NOT_ABOUT_CHILD,
} HavenNoticeCrosswalkError;

#define HAVEN_TYPE_NOTICE_CROSSWALK (haven_notice_crosswalk_get_type ())

G_DECLARE_FINAL_TYPE (HavenNoticeCrosswalk, haven_notice_crosswalk, HAVEN, NOTICE_CROSSWALK, GObject)

GQuark                haven_notice_crosswalk_error_quark             (void);
HavenNoticeCrosswalk *haven_notice_crosswalk_new_from_file           (const char *path,
                                                                      HavenContent *content,
                                                                      GError **error);
char                 *haven_notice_crosswalk_dup_default_path        (void);
HavenNoticeCrosswalk *haven_notice_crosswalk_load_default            (HavenContent *content,
                                                                      GError **error);
const char           *haven_notice_crosswalk_get_path                (HavenNoticeCrosswalk *self);
const char * const   *haven_notice_crosswalk_get_category_ids        (HavenNoticeCrosswalk *self);
const char           *haven_notice_crosswalk_get_dsa_source          (HavenNoticeCrosswalk *self);
const char           *haven_notice_crosswalk_get_convention_source   (HavenNoticeCrosswalk *self);
/* For a category id the crosswalk lacks, these return NULL, FALSE or no
 * articles. */
const char           *haven_notice_crosswalk_get_statement_category  (HavenNoticeCrosswalk *self,
                                                                      const char *category_id);
const char * const   *haven_notice_crosswalk_get_keywords            (HavenNoticeCrosswalk *self,
                                                                      const char *category_id);
const guint          *haven_notice_crosswalk_get_convention_articles (HavenNoticeCrosswalk *self,
                                                                      const char *category_id,
                                                                      gsize *n_articles);
const char           *haven_notice_crosswalk_get_article_title       (HavenNoticeCrosswalk *self,
                                                                      guint article);
const char * const   *haven_notice_crosswalk_get_taxonomy_terms      (HavenNoticeCrosswalk *self,
                                                                      const char *category_id);
gboolean              haven_notice_crosswalk_is_child_abuse_material (HavenNoticeCrosswalk *self,
                                                                      const char *category_id);

G_END_DECLS
