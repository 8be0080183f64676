/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-case-client.h"
#include "haven-case.h"
#include "haven-content.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_DESK_NOTICES_PAGE (haven_desk_notices_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenDeskNoticesPage, haven_desk_notices_page, HAVEN, DESK_NOTICES_PAGE,
                      AdwBin)

typedef enum {
  HAVEN_DESK_NOTICE_EXPORT_PACKAGE,
  HAVEN_DESK_NOTICE_EXPORT_EMAIL,
  HAVEN_DESK_NOTICE_EXPORT_LETTER,
} HavenDeskNoticeExport;

/* The notices of an opened removal request, one per hosting platform
 * (haven-notice.h), each for the caseworker to review, complete, confirm
 * and export, and to record as sent. Emits "back" to return to the case,
 * and "changed" with a message for the caseworker after each export or
 * recorded event. */
void         haven_desk_notices_page_open        (HavenDeskNoticesPage  *self,
                                                  HavenCaseClient       *client,
                                                  HavenCase             *opened,
                                                  HavenContent          *content,
                                                  GSettings             *settings);
/* Lets go of the case and wipes the notices and what showed them. */
void         haven_desk_notices_page_wipe        (HavenDeskNoticesPage  *self);
/* (element-type HavenNotice): the notices shown, or NULL. */
GPtrArray   *haven_desk_notices_page_get_notices (HavenDeskNoticesPage  *self);
/* Why the notices could not be made, or the last export's refusal. */
const char  *haven_desk_notices_page_get_problem (HavenDeskNoticesPage  *self);
/* Whether a save or an event is on its way (property "busy"). */
gboolean     haven_desk_notices_page_is_busy     (HavenDeskNoticesPage  *self);
/* Saves notice @position as @what to @file without asking where: the
 * file dialog's answer, and tests. */
void         haven_desk_notices_page_save_to     (HavenDeskNoticesPage  *self,
                                                  guint                  position,
                                                  HavenDeskNoticeExport  what,
                                                  GFile                 *file);

G_END_DECLS
