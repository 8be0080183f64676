/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-case-info.h"
#include "haven-key-vault.h"
#include "haven-request.h"

G_BEGIN_DECLS

/* A case opened in memory: its metadata and events, and the visitor's
 * request as the kiosk sent it, opened with the organisation's key,
 * parsed, validated and checked against the metadata the intake service
 * holds. Nothing of it is ever written anywhere; haven_case_wipe() (and
 * finalize) zeroes what the visitor wrote. */

#define HAVEN_CASE_ERROR (haven_case_error_quark ())

typedef enum {
  /* The vault is locked, or the body was sealed to another key. */
  HAVEN_CASE_ERROR_WRONG_KEY,
  /* Opened, but not a request of the API: the message says which field. */
  HAVEN_CASE_ERROR_INVALID,
  /* A valid request whose kind, category, language, kiosk, child flag
   * or time differ from what the intake service recorded. */
  HAVEN_CASE_ERROR_MISMATCH,
} HavenCaseError;

#define HAVEN_TYPE_CASE (haven_case_get_type ())

G_DECLARE_FINAL_TYPE (HavenCase, haven_case, HAVEN, CASE, GObject)

GQuark         haven_case_error_quark      (void);
/* @body and @sealed from haven_case_client_get_body_finish(); the error
 * message says, in the caseworker's words, why it cannot be opened. */
HavenCase     *haven_case_open             (HavenCaseInfo  *info,
                                            GBytes         *body,
                                            gboolean        sealed,
                                            HavenKeyVault  *vault,
                                            GError        **error);
HavenCaseInfo *haven_case_get_info         (HavenCase      *self);
/* Replaces the metadata and events (after an event is added). */
void           haven_case_set_info         (HavenCase      *self,
                                            HavenCaseInfo  *info);
HavenRequest  *haven_case_get_request      (HavenCase      *self);
/* The SHA-256, hex, of the request as opened (the JSON the kiosk sealed),
 * so a printed case file can be shown to match it. */
const char    *haven_case_get_sha256       (HavenCase      *self);
/* The text of the note of event @event_index (a NOTE event), opened with
 * the vault; NULL with @error when it cannot be opened. The caller wipes
 * it (haven_wipe_string). */
char          *haven_case_dup_note         (HavenCase      *self,
                                            guint           event_index,
                                            HavenKeyVault  *vault,
                                            GError        **error);
/* Zeroes the request; the case is of no use afterwards. */
void           haven_case_wipe             (HavenCase      *self);

G_END_DECLS
