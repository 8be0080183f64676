/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "haven-request.h"

G_BEGIN_DECLS

/* The visitor's account of what happened, in their own words. */
#define HAVEN_QUESTION_STORY "story"

#define HAVEN_TYPE_SESSION (haven_session_get_type ())

G_DECLARE_FINAL_TYPE (HavenSession, haven_session, HAVEN, SESSION, GObject)

HavenSession *haven_session_new          (const char   *language);
const char   *haven_session_get_language (HavenSession *self);
void          haven_session_set_language (HavenSession *self,
                                          const char   *language);
const char   *haven_session_get_answer   (HavenSession *self,
                                          const char   *question_id);
void          haven_session_set_answer   (HavenSession *self,
                                          const char   *question_id,
                                          const char   *answer);
guint         haven_session_get_n_answers (HavenSession *self);
const char   *haven_session_get_category (HavenSession *self);
void          haven_session_set_category (HavenSession *self,
                                          const char   *category);
HavenRequest *haven_session_get_removal_request (HavenSession *self);
gboolean      haven_session_is_empty     (HavenSession *self);
gboolean      haven_session_is_wiped     (HavenSession *self);
void          haven_session_wipe         (HavenSession *self);

G_END_DECLS
