/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "haven-content.h"
#include "haven-request.h"

G_BEGIN_DECLS

/* The visitor's account of what happened, in their own words. */
#define HAVEN_QUESTION_STORY "story"

/* Whether the visitor said they were in danger when the visit started:
 * "someone", "self" or "no". Kept for the help lines shown at the end;
 * never sent. */
#define HAVEN_QUESTION_SAFETY "safety"
#define HAVEN_SAFETY_SOMEONE  "someone"
#define HAVEN_SAFETY_SELF     "self"
#define HAVEN_SAFETY_NO       "no"

/* "Were you under 18 in the pictures or videos?", a yes-no question: a
 * "yes" means a child is involved. */
#define HAVEN_QUESTION_UNDER_18 "under-18"

/* What became of the visitor's removal request. */
typedef enum {
  HAVEN_SUBMISSION_NONE,
  /* Saved to the outbox and being sent. */
  HAVEN_SUBMISSION_SENDING,
  /* Accepted by the backend: the reference is its case reference. */
  HAVEN_SUBMISSION_SENT,
  /* Saved, and will be sent without the visitor: the reference is the
   * kiosk's, made from the request_id. */
  HAVEN_SUBMISSION_QUEUED,
  /* Refused by the backend (400): the field errors say what to correct. */
  HAVEN_SUBMISSION_INVALID,
  /* Refused for good (413, 422): kept on the kiosk for the staff; the
   * reference is the kiosk's. */
  HAVEN_SUBMISSION_REJECTED,
  /* Could not be saved on the kiosk (outbox full, disk full): the draft
   * is kept, the message says why. */
  HAVEN_SUBMISSION_NOT_SAVED,
  /* Refused before it was saved, because this kiosk has no key to seal it
   * with (backend-public-key) and may not keep it unsealed: nothing was
   * kept; the draft is, for the visit. */
  HAVEN_SUBMISSION_NOT_SEALED,
} HavenSubmissionState;

#define HAVEN_TYPE_SUBMISSION_STATE (haven_submission_state_get_type ())

GType haven_submission_state_get_type (void);

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
                                          HavenContent *content,
                                          const char   *category);
/* TRUE when the session's category is about a child (the child path) or
 * the visitor answered that they were under 18 in what was shared. */
gboolean      haven_session_get_child_involved (HavenSession *self);
HavenRequest *haven_session_get_removal_request (HavenSession *self);
HavenSubmissionState haven_session_get_submission_state (HavenSession *self);
const char   *haven_session_get_submission_reference (HavenSession *self);
GHashTable   *haven_session_get_submission_field_errors (HavenSession *self);
void          haven_session_set_submission (HavenSession         *self,
                                            HavenSubmissionState  state,
                                            const char           *reference,
                                            const char           *message,
                                            GHashTable           *field_errors);
HavenSubmissionState haven_session_get_report_state (HavenSession *self);
const char   *haven_session_get_report_reference (HavenSession *self);
void          haven_session_set_report   (HavenSession         *self,
                                          HavenSubmissionState  state,
                                          const char           *reference);
void          haven_session_keep_service (HavenSession *self,
                                          const char   *service_id,
                                          const char   *summary);
gboolean      haven_session_is_service_kept (HavenSession *self,
                                             const char   *service_id);
GStrv         haven_session_dup_kept_services (HavenSession *self);
gboolean      haven_session_is_empty     (HavenSession *self);
gboolean      haven_session_is_wiped     (HavenSession *self);
void          haven_session_wipe         (HavenSession *self);

G_END_DECLS
