/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-delivery.h"
#include "haven-request.h"
#include "haven-session.h"

G_BEGIN_DECLS

/* The kiosk's one way to send what a visitor confirmed. It makes the
 * delivery from the settings on first use (opening the outbox) and keeps
 * it for as long as it lives, so that queued requests go out whoever is at
 * the kiosk.
 *
 * haven_sender_submit_async() saves a request to the outbox and, while the
 * visitor is there, tries to send it at once, so they leave with its
 * reference. What becomes of it is recorded in the session
 * (haven_session_set_submission() for a removal request,
 * haven_session_set_report() for a report), which notifies
 * "submission-state" or "report-state":
 *
 *   SENDING     saved, or being saved, and being sent;
 *   SENT        with the backend's case reference;
 *   QUEUED      saved, sent later without the visitor: the reference is
 *               the kiosk's, made from the request_id;
 *   INVALID     refused (400) with the field errors (a report, which has
 *               no field to correct, is REJECTED instead); the refused
 *               request stays in the outbox as failed for the staff, and
 *               is deleted once the visitor's correction is saved;
 *   REJECTED    refused for good, kept for the staff: the kiosk's
 *               reference;
 *   NOT_SAVED   the outbox could not take it: the message says why;
 *   NOT_SEALED  refused because there is no usable sealing key and
 *               unsealed requests are not allowed: nothing was kept.
 *
 * Cancelling (the visit ended) means nothing more is recorded in the
 * session; a request already saved is still delivered by the outbox. */

#define HAVEN_TYPE_SENDER (haven_sender_get_type ())

G_DECLARE_FINAL_TYPE (HavenSender, haven_sender, HAVEN, SENDER, GObject)

HavenSender   *haven_sender_new             (GSettings            *settings);
HavenDelivery *haven_sender_ensure_delivery (HavenSender          *self,
                                             GError              **error);
void           haven_sender_submit_async    (HavenSender          *self,
                                             HavenSession         *session,
                                             HavenRequest         *request,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean       haven_sender_submit_finish   (HavenSender          *self,
                                             GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS
