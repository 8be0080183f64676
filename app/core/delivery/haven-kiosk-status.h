/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "haven-backend.h"
#include "haven-outbox.h"

G_BEGIN_DECLS

/* The kiosk's status report (data/api/haven-api-v1.md, "Kiosk status"):
 * what the organisation needs to see which kiosks are silent or backed up,
 * and never anything a visitor entered. */

#define HAVEN_API_KIOSK_STATUS_PATH        "/v1/kiosk-status"
#define HAVEN_KIOSK_STATUS_MAX_BODY_BYTES  4096

/* The kiosk id requests and reports carry: the kiosk-id setting, or the
 * host's name while it is empty. */
char     *haven_kiosk_status_dup_kiosk_id (GSettings            *settings);
/* The report's "bundle" member, as the bundle folder and the settings
 * have it now; NULL when the kiosk takes no bundles. */
JsonNode *haven_kiosk_status_build_bundle (GSettings            *settings,
                                           const char           *directory_version);
/* The JSON body of POST /v1/kiosk-status, reported at @reported_at: the
 * outbox's counts by state and its last delivery error's status, read
 * from @outbox without bodies, the versions given (nullable), and
 * @bundle when it is not NULL. */
char     *haven_kiosk_status_build_body   (HavenOutbox          *outbox,
                                           const char           *kiosk_id,
                                           const char           *directory_version,
                                           const char           *content_version,
                                           JsonNode             *bundle,
                                           GDateTime            *reported_at,
                                           GError              **error);
/* Sends @body once, with the backend's TLS settings, pins and
 * credentials; never retried here (the next report is the retry). */
void      haven_kiosk_status_send_async   (HavenBackend         *backend,
                                           const char           *body,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
/* TRUE when the backend took it (a 2xx, 204 by the API); @status (out,
 * optional) is the HTTP status, 0 without an answer. */
gboolean  haven_kiosk_status_send_finish  (HavenBackend         *backend,
                                           GAsyncResult         *result,
                                           guint                *status,
                                           GError              **error);

G_END_DECLS
