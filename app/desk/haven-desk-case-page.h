/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-case-client.h"
#include "haven-case.h"
#include "haven-content.h"
#include "haven-key-vault.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_DESK_CASE_PAGE (haven_desk_case_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenDeskCasePage, haven_desk_case_page, HAVEN, DESK_CASE_PAGE, AdwBin)

/* One case, opened in memory: the visitor's answers in plain words, the
 * addresses to take down with an outcome for each, the state, notes, the
 * history, and the case file. Emits "back" to return to the inbox,
 * "changed" (a message for the caseworker) after each recorded event, and
 * "notices" when the caseworker asks for the notices to the platforms. */
void          haven_desk_case_page_open       (HavenDeskCasePage *self,
                                               HavenCaseClient   *client,
                                               HavenKeyVault     *vault,
                                               HavenContent      *content,
                                               HavenCaseInfo     *info);
/* After how many days without an answer a notice shows as waiting for a
 * reminder (the setting notice-reminder-days). */
void          haven_desk_case_page_set_reminder_days (HavenDeskCasePage *self,
                                                      guint              days);
/* Asks the intake service for the opened case's metadata and events
 * again (the body, opened already, is not read again). */
void          haven_desk_case_page_refresh    (HavenDeskCasePage *self);
/* Lets go of the case and wipes what it showed. */
void          haven_desk_case_page_wipe       (HavenDeskCasePage *self);
/* The opened case, NULL while loading or after an error (property
 * "opened"); the error after a failure. */
HavenCase    *haven_desk_case_page_get_case   (HavenDeskCasePage *self);
const GError *haven_desk_case_page_get_error  (HavenDeskCasePage *self);
/* Whether an event is on its way (property "busy"). */
gboolean      haven_desk_case_page_is_busy    (HavenDeskCasePage *self);
/* Saves the case file to @file without asking where: the dialog's
 * answer, and tests. */
void          haven_desk_case_page_save_to    (HavenDeskCasePage *self,
                                               GFile             *file);

G_END_DECLS
