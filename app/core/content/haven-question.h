/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What kind of answer a question takes; questions.xml names them in its
 * type attribute (haven_question_type_to_string()). The getter is
 * haven_question_get_answer_type(): haven_question_get_type() is the
 * GType. */
typedef enum {
  HAVEN_QUESTION_TYPE_TEXT,
  HAVEN_QUESTION_TYPE_LONG_TEXT,
  HAVEN_QUESTION_TYPE_DATE,
  HAVEN_QUESTION_TYPE_CHOICE,
  HAVEN_QUESTION_TYPE_MULTI_CHOICE,
  HAVEN_QUESTION_TYPE_MONEY,
  HAVEN_QUESTION_TYPE_YES_NO,
  HAVEN_QUESTION_TYPE_URL_LIST,
} HavenQuestionType;

#define HAVEN_TYPE_QUESTION (haven_question_get_type ())

G_DECLARE_FINAL_TYPE (HavenQuestion, haven_question, HAVEN, QUESTION, GObject)

gboolean            haven_question_type_from_string (const char          *name,
                                                     HavenQuestionType   *type);
const char         *haven_question_type_to_string   (HavenQuestionType    type);
gboolean            haven_question_type_has_choices (HavenQuestionType    type);

HavenQuestion      *haven_question_new              (const char          *id,
                                                     HavenQuestionType    type,
                                                     const char          *title,
                                                     const char          *hint,
                                                     const char          *why,
                                                     const char * const  *category_ids,
                                                     const char * const  *choice_ids,
                                                     const char * const  *choice_labels);
const char         *haven_question_get_id           (HavenQuestion       *self);
HavenQuestionType   haven_question_get_answer_type  (HavenQuestion       *self);
const char         *haven_question_get_title        (HavenQuestion       *self);
const char         *haven_question_get_hint         (HavenQuestion       *self);
const char         *haven_question_get_why          (HavenQuestion       *self);
gboolean            haven_question_applies_to       (HavenQuestion       *self,
                                                     const char          *category_id);
const char * const *haven_question_get_choice_ids   (HavenQuestion       *self);
const char         *haven_question_get_choice_label (HavenQuestion       *self,
                                                     const char          *choice_id);
void                haven_question_set_sensitive    (HavenQuestion       *self,
                                                     gboolean             sensitive);
gboolean            haven_question_is_sensitive     (HavenQuestion       *self);

G_END_DECLS
