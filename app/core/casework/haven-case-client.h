/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-backend.h"
#include "haven-case-info.h"
#include "haven-kiosk-info.h"
#include "haven-notice-report.h"

G_BEGIN_DECLS

/* The caseworker API (data/api/haven-caseworker-api-v1.md) over a
 * HavenBackend: the same TLS checks, pins and client certificate as the
 * kiosk and havenctl, with the caseworker's own token. Every call is
 * async; answers are checked before anything reaches the caller. */

#define HAVEN_CASE_CLIENT_ERROR (haven_case_client_error_quark ())

typedef enum {
  /* 401: no token, or one the service does not know (or revoked). */
  HAVEN_CASE_CLIENT_ERROR_UNAUTHORIZED,
  /* 403: a kiosk's credential, not a caseworker's. */
  HAVEN_CASE_CLIENT_ERROR_FORBIDDEN,
  HAVEN_CASE_CLIENT_ERROR_NOT_FOUND,
  /* 410: retention destroyed the body. */
  HAVEN_CASE_CLIENT_ERROR_GONE,
  /* 409: the state cannot be reached from the current one. */
  HAVEN_CASE_CLIENT_ERROR_CONFLICT,
  /* 400, 413, 422: the service refused what was sent. */
  HAVEN_CASE_CLIENT_ERROR_REFUSED,
  /* Any other status, or an answer that is not what the API says. */
  HAVEN_CASE_CLIENT_ERROR_BAD_RESPONSE,
} HavenCaseClientError;

/* Filters of GET /v1/cases; a NULL or negative member is no filter. */
typedef struct {
  const char *kind;
  const char *category;
  const char *state;
  const char *kiosk;
  int child;
} HavenCaseFilter;

#define HAVEN_CASE_FILTER_INIT { NULL, NULL, NULL, NULL, -1 }

#define HAVEN_TYPE_CASE_CLIENT (haven_case_client_get_type ())

G_DECLARE_FINAL_TYPE (HavenCaseClient, haven_case_client, HAVEN, CASE_CLIENT, GObject)

GQuark           haven_case_client_error_quark (void);
HavenCaseClient *haven_case_client_new          (HavenBackend        *backend);
HavenBackend    *haven_case_client_get_backend  (HavenCaseClient     *self);

/* Sign-in: checks the address as `havenctl backend check` does (TLS, CA,
 * pins, /v1/health), then that the credential is a caseworker's (one
 * GET /v1/cases?limit=1). */
void             haven_case_client_sign_in_async   (HavenCaseClient     *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean         haven_case_client_sign_in_finish  (HavenCaseClient     *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* Every case the filter lets through, all pages of it (at most @max_cases,
 * newest first as the API gives them). */
void             haven_case_client_list_cases_async  (HavenCaseClient       *self,
                                                      const HavenCaseFilter *filter,
                                                      guint                  max_cases,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
/* (element-type HavenCaseInfo) */
GPtrArray       *haven_case_client_list_cases_finish (HavenCaseClient     *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* One case with its events. */
void             haven_case_client_get_case_async  (HavenCaseClient     *self,
                                                    const char          *reference,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
HavenCaseInfo   *haven_case_client_get_case_finish (HavenCaseClient     *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* The body as stored; *sealed says whether it is a sealed box
 * (application/vnd.haven.sealed) or JSON. The bytes wipe themselves when
 * freed. */
void             haven_case_client_get_body_async  (HavenCaseClient     *self,
                                                    const char          *reference,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GBytes          *haven_case_client_get_body_finish (HavenCaseClient     *self,
                                                    GAsyncResult        *result,
                                                    gboolean            *sealed,
                                                    GError             **error);

/* POST /v1/cases/REF/events with a fresh Idempotency-Key, sent again with
 * the same key when the connection fails before an answer. */
void             haven_case_client_set_state_async (HavenCaseClient     *self,
                                                    const char          *reference,
                                                    HavenCaseState       state,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
/* @sealed_note: the note sealed to the organisation's key
 * (haven_key_vault_seal()), at most 16 KiB; sent as base64. */
void             haven_case_client_add_note_async  (HavenCaseClient     *self,
                                                    const char          *reference,
                                                    GBytes              *sealed_note,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
/* @platform_reference: (nullable) */
void             haven_case_client_set_item_outcome_async (HavenCaseClient     *self,
                                                           const char          *reference,
                                                           guint                item,
                                                           const char          *outcome,
                                                           const char          *platform_reference,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
/* The same, saying where the item is hosted: @hosting_provider (nullable)
 * is a platform id of data/notices/platforms.ini or a host name
 * (haven_notice_report_is_hosting_provider()); the desk gives one with
 * every notice-sent, for the notice report. */
void haven_case_client_set_item_outcome_full_async (HavenCaseClient     *self,
                                                    const char          *reference,
                                                    guint                item,
                                                    const char          *outcome,
                                                    const char          *hosting_provider,
                                                    const char          *platform_reference,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
/* For the four above: the new event's id. */
gint64           haven_case_client_add_event_finish (HavenCaseClient     *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* GET /v1/kiosks with the API's default bounds. */
void             haven_case_client_list_kiosks_async  (HavenCaseClient     *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
/* (element-type HavenKioskInfo) */
GPtrArray       *haven_case_client_list_kiosks_finish (HavenCaseClient     *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* GET /v1/reports/notices: the trusted flagger's report of the notices
 * first sent from @from_date to @to_date, "YYYY-MM-DD" (UTC, both
 * counted). A range haven_notice_report_check_range() refuses fails at
 * once with its HAVEN_NOTICE_REPORT_ERROR, in words for the caseworker;
 * an answer that is no report, or not the range asked for, with
 * HAVEN_CASE_CLIENT_ERROR_BAD_RESPONSE. */
void               haven_case_client_fetch_notice_report_async  (HavenCaseClient     *self,
                                                                 const char          *from_date,
                                                                 const char          *to_date,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
HavenNoticeReport *haven_case_client_fetch_notice_report_finish (HavenCaseClient     *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);

G_END_DECLS
