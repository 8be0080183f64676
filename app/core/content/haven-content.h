/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-category.h"
#include "haven-emergency-region.h"
#include "haven-guidance.h"
#include "haven-question.h"

G_BEGIN_DECLS

/* The namespace of every content file's <content> element. xgettext finds
 * the files' words by it (data/content/its/haven-content.loc). */
#define HAVEN_CONTENT_NAMESPACE "https://havenkiosk.github.io/ns/content/1"

#define HAVEN_CONTENT_ERROR (haven_content_error_quark ())

typedef enum {
  HAVEN_CONTENT_ERROR_FILE,
  HAVEN_CONTENT_ERROR_SYNTAX,
  HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT,
  HAVEN_CONTENT_ERROR_UNKNOWN_ATTRIBUTE,
  HAVEN_CONTENT_ERROR_MISSING_ATTRIBUTE,
  HAVEN_CONTENT_ERROR_MISSING_ELEMENT,
  HAVEN_CONTENT_ERROR_REPEATED_ELEMENT,
  HAVEN_CONTENT_ERROR_EMPTY_TEXT,
  HAVEN_CONTENT_ERROR_UNTRANSLATABLE_TEXT,
  HAVEN_CONTENT_ERROR_INVALID_VALUE,
  HAVEN_CONTENT_ERROR_UNKNOWN_TYPE,
  HAVEN_CONTENT_ERROR_UNKNOWN_REFERENCE,
  HAVEN_CONTENT_ERROR_UNKNOWN_TERM,
  HAVEN_CONTENT_ERROR_DUPLICATE_ID,
} HavenContentError;

#define HAVEN_TYPE_CONTENT (haven_content_get_type ())

G_DECLARE_FINAL_TYPE (HavenContent, haven_content, HAVEN, CONTENT, GObject)

GQuark                haven_content_error_quark               (void);
const char * const   *haven_content_get_file_names            (void);
const char * const   *haven_content_get_translatable_elements (void);
char                 *haven_content_dup_default_dir           (GSettings           *settings,
                                                               GError             **error);
char                 *haven_content_find_directory_mapping    (const char          *content_dir);
GStrv                 haven_content_read_taxonomy_terms       (const char          *mapping_file,
                                                               GError             **error);
GPtrArray            *haven_content_check_dir                 (const char          *dir,
                                                               const char * const  *known_terms);
GPtrArray            *haven_content_check                     (const char          *dir,
                                                               const char          *mapping_file,
                                                               char               **mapping_used,
                                                               HavenContent       **content);
HavenContent         *haven_content_new_from_dir              (const char          *dir,
                                                               const char * const  *known_terms,
                                                               GError             **error);
HavenContent         *haven_content_load_default              (GSettings           *settings,
                                                               GError             **error);
const char           *haven_content_get_dir                   (HavenContent        *self);
const char           *haven_content_get_version               (HavenContent        *self);
GListModel           *haven_content_get_categories            (HavenContent        *self);
HavenCategory        *haven_content_lookup_category           (HavenContent        *self,
                                                               const char          *id);
GListModel           *haven_content_get_questions             (HavenContent        *self);
GListModel           *haven_content_get_questions_for         (HavenContent        *self,
                                                               const char          *category_id);
HavenQuestion        *haven_content_lookup_question           (HavenContent        *self,
                                                               const char          *id);
HavenGuidance        *haven_content_lookup_guidance           (HavenContent        *self,
                                                               const char          *id);
HavenEmergencyRegion *haven_content_lookup_region             (HavenContent        *self,
                                                               const char          *region_code);
GStrv                 haven_content_dup_region_codes          (HavenContent        *self);

G_END_DECLS
