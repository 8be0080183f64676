/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "haven-notice-report.h"
#include "haven-request.h"
#include "haven-request-envelope.h"

G_BEGIN_DECLS

#define HAVEN_RECEIVER_STORE_ERROR (haven_receiver_store_error_quark ())

typedef enum {
  HAVEN_RECEIVER_STORE_ERROR_OPEN,
  HAVEN_RECEIVER_STORE_ERROR_SQL,
  HAVEN_RECEIVER_STORE_ERROR_NEWER_SCHEMA,
  HAVEN_RECEIVER_STORE_ERROR_DUPLICATE,
  /* The database cannot be reached now (PostgreSQL restarting, say): a
   * later attempt may succeed, so the caller answers 503. */
  HAVEN_RECEIVER_STORE_ERROR_UNAVAILABLE,
  /* The database file may be read or written by others than its owner. */
  HAVEN_RECEIVER_STORE_ERROR_PERMISSIONS,
  /* Accepting found the claim no longer this instance's: another took it
   * over as stale, or an earlier try of this accept was stored. */
  HAVEN_RECEIVER_STORE_ERROR_CLAIM_LOST,
} HavenReceiverStoreError;

/* What an Idempotency-Key's history says about a new attempt with it. */
typedef enum {
  /* Never seen, or left behind: now marked in flight for this attempt. */
  HAVEN_RECEIVER_CLAIM_NEW,
  /* Another attempt with the same body is being processed. */
  HAVEN_RECEIVER_CLAIM_IN_FLIGHT,
  /* Used before with a different body, at the other endpoint or by
   * another client. */
  HAVEN_RECEIVER_CLAIM_MISMATCH,
  /* Accepted before: answer again what was answered then. */
  HAVEN_RECEIVER_CLAIM_DONE,
} HavenReceiverClaim;

/* One credential, as `credentials list` shows it: never its token. */
typedef struct {
  char *name;
  char *role;
  char *issued_at;
  /* NULL while it is valid. */
  char *revoked_at;
} HavenReceiverCredential;

/* A case's metadata: what the receiver may know without the key
 * (haven-caseworker-api-v1.md). Times are RFC 3339 UTC text; NULL where
 * unknown. */
typedef struct {
  char *case_reference;
  char *kind;
  char *category;
  char *locale;
  char *kiosk_id;
  /* -1 when the kiosk did not say. */
  int child_involved;
  char *created_at;
  char *received_at;
  char *state;
  gboolean sealed;
  char *updated_at;
  char *closed_at;
  char *body_destroyed_at;
  /* The keyset cursor's half: received_at exactly as stored. */
  char *received_at_key;
} HavenReceiverCase;

/* Which cases to list; NULL members do not filter. */
typedef struct {
  const char *kind;
  const char *category;
  const char *state;
  const char *kiosk_id;
  const char *received_after;
  const char *received_before;
  /* -1: either; 0 or 1. */
  int child_involved;
  /* The last case of the previous page, or NULLs. */
  const char *after_received_at;
  const char *after_case_reference;
  guint limit;
} HavenReceiverCaseFilter;

/* One event of a case. */
typedef struct {
  gint64 id;
  char *type;
  char *state;
  char *sealed_note;
  /* -1 unless type is "item-outcome". */
  int item;
  char *outcome;
  char *platform_reference;
  /* Where the item is hosted, for the notice report; NULL when the desk
   * did not say (haven_notice_report_is_hosting_provider()). */
  char *hosting_provider;
  char *actor;
  char *at;
} HavenReceiverCaseEvent;

/* What adding an event came to. */
typedef enum {
  HAVEN_RECEIVER_EVENT_CREATED,
  /* The actor sent this key before with the same request: the event it
   * made then is returned. */
  HAVEN_RECEIVER_EVENT_REPEATED,
  /* The actor sent this key before with another request. */
  HAVEN_RECEIVER_EVENT_KEY_MISMATCH,
  HAVEN_RECEIVER_EVENT_NO_CASE,
  /* A state the case cannot move to from its current one. */
  HAVEN_RECEIVER_EVENT_BAD_TRANSITION,
  /* An item outcome for a case that has no items (a report). */
  HAVEN_RECEIVER_EVENT_NO_ITEMS,
} HavenReceiverEventResult;

/* One row of the audit log. Never a body, a note or a token. */
typedef struct {
  gint64 id;
  char *at;
  /* The credential's name, "operator:USER" for the command line, or
   * "(unknown)" for a request without a valid credential. */
  char *actor;
  char *role;
  char *action;
  char *case_reference;
  char *remote;
  guint status;
  char *prev_hash;
  char *row_hash;
} HavenReceiverAuditEntry;

/* One item-outcome event of an address that a notice report counts
 * (haven_receiver_store_notice_report()): nothing but what the counting
 * needs. */
typedef struct {
  char *case_reference;
  /* The case's; NULL when the kiosk did not say. */
  char *category;
  int item;
  char *outcome;
  char *hosting_provider;
} HavenReceiverItemOutcome;

void haven_receiver_item_outcome_free (HavenReceiverItemOutcome *outcome);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenReceiverItemOutcome, haven_receiver_item_outcome_free)

void haven_receiver_credential_free  (HavenReceiverCredential *credential);
void haven_receiver_case_free        (HavenReceiverCase       *receiver_case);
void haven_receiver_case_event_free  (HavenReceiverCaseEvent  *event);
void haven_receiver_audit_entry_free (HavenReceiverAuditEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenReceiverCredential, haven_receiver_credential_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenReceiverCase, haven_receiver_case_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenReceiverCaseEvent, haven_receiver_case_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenReceiverAuditEntry, haven_receiver_audit_entry_free)

/* The hash before the first row of the audit log. */
#define HAVEN_RECEIVER_AUDIT_GENESIS \
  "0000000000000000000000000000000000000000000000000000000000000000"

/* One kiosk's latest status report (haven-api-v1.md, "Fleet status"), as
 * haven_receiver_store_list_kiosks() gives it. */
typedef struct {
  char *kiosk_id;
  /* The report as validated and stored, a JSON object. */
  char *report;
  /* The outbox's queued count, from the report. */
  gint64 queued;
  /* When the receiver got it, Unix seconds of the receiver's clock: a
   * kiosk's clock may be wrong, and a silent kiosk is one whose reports
   * stopped arriving. */
  gint64 received_at;
  /* The client that sent it ("cert:…", "token:…" or "anonymous"). */
  char *received_from;
  /* Nothing received for longer than the bound given to the listing. */
  gboolean silent;
  /* More queued requests than the bound given to the listing. */
  gboolean backed_up;
} HavenReceiverKiosk;

void haven_receiver_kiosk_free (HavenReceiverKiosk *kiosk);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenReceiverKiosk, haven_receiver_kiosk_free)

/* What a retention pass did (haven_receiver_store_destroy_due_bodies()). */
typedef struct {
  /* Bodies of closed cases past the closed bound. */
  guint n_closed;
  /* Bodies of other cases past the longest bound. */
  guint n_expired;
  /* char *: the case references of each, for the audit log. */
  GPtrArray *closed_cases;
  GPtrArray *expired_cases;
  /* Another instance was running a pass on the same database, so this
   * one did nothing (PostgreSQL only). */
  gboolean skipped;
} HavenReceiverRetention;

void haven_receiver_retention_clear (HavenReceiverRetention *retention);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HavenReceiverRetention, haven_receiver_retention_clear)

#define HAVEN_TYPE_RECEIVER_STORE (haven_receiver_store_get_type ())

G_DECLARE_DERIVABLE_TYPE (HavenReceiverStore, haven_receiver_store, HAVEN, RECEIVER_STORE, GObject)

/* The receiver's store is one of two databases (haven-receiver-sqlite-store.c,
 * haven-receiver-pg-store.c); the server sees only this class. Every
 * method may be called from several threads at once. */
struct _HavenReceiverStoreClass
{
  GObjectClass parent_class;

  gboolean (*claim)         (HavenReceiverStore         *self,
                             const char                 *client_id,
                             const char                 *key,
                             HavenRequestKind            kind,
                             const char                 *body_sha256,
                             gint64                      stale_after,
                             HavenReceiverClaim         *claim,
                             guint                      *response_status,
                             char                      **response_body,
                             GError                    **error);
  gboolean (*accept)        (HavenReceiverStore         *self,
                             const char                 *client_id,
                             const char                 *key,
                             HavenRequestKind            kind,
                             GBytes                     *body,
                             gboolean                    sealed,
                             const HavenRequestEnvelope *envelope,
                             const char                 *case_reference,
                             guint                       response_status,
                             const char                 *response_body,
                             GError                    **error);
  gboolean (*release)       (HavenReceiverStore         *self,
                             const char                 *client_id,
                             const char                 *key,
                             GError                    **error);
  gboolean (*release_stale) (HavenReceiverStore         *self,
                             gint64                      stale_after,
                             guint                      *n_released,
                             GError                    **error);

  /* The caseworker API (haven-receiver-cases.c). */
  gboolean (*add_credential)    (HavenReceiverStore        *self,
                                 const char                *name,
                                 const char                *role,
                                 const char                *token_sha256,
                                 GError                   **error);
  gboolean (*revoke_credential) (HavenReceiverStore        *self,
                                 const char                *name,
                                 gboolean                  *revoked,
                                 GError                   **error);
  gboolean (*list_credentials)  (HavenReceiverStore        *self,
                                 GPtrArray                 *credentials,
                                 GError                   **error);
  gboolean (*lookup_credential) (HavenReceiverStore        *self,
                                 const char                *token_sha256,
                                 char                     **name,
                                 char                     **role,
                                 GError                   **error);
  gboolean (*list_cases)        (HavenReceiverStore        *self,
                                 const HavenReceiverCaseFilter *filter,
                                 GPtrArray                 *cases,
                                 GError                   **error);
  gboolean (*get_case)          (HavenReceiverStore        *self,
                                 const char                *case_reference,
                                 HavenReceiverCase        **receiver_case,
                                 GPtrArray                 *events,
                                 GError                   **error);
  gboolean (*get_body)          (HavenReceiverStore        *self,
                                 const char                *case_reference,
                                 gboolean                  *found,
                                 GBytes                   **body,
                                 gboolean                  *sealed,
                                 GError                   **error);
  gboolean (*add_event)         (HavenReceiverStore        *self,
                                 const char                *case_reference,
                                 const char                *actor,
                                 const char                *key,
                                 const char                *request_sha256,
                                 const HavenReceiverCaseEvent *event,
                                 HavenReceiverEventResult  *result,
                                 HavenReceiverCaseEvent   **stored,
                                 char                     **current_state,
                                 GError                   **error);
  gboolean (*append_audit)      (HavenReceiverStore        *self,
                                 const HavenReceiverAuditEntry *entry,
                                 GError                   **error);
  gboolean (*list_audit)        (HavenReceiverStore        *self,
                                 const char                *case_reference,
                                 const char                *actor,
                                 gint64                     after_id,
                                 guint                      limit,
                                 GPtrArray                 *entries,
                                 GError                   **error);

  /* Fleet status and retention (schema version 6). */
  gboolean (*record_kiosk_status) (HavenReceiverStore      *self,
                                   const char              *kiosk_id,
                                   const char              *report,
                                   gint64                   queued,
                                   gint64                   received_at,
                                   const char              *received_from,
                                   GError                 **error);
  GPtrArray *(*list_kiosks)       (HavenReceiverStore      *self,
                                   gint64                   now,
                                   gint64                   silent_after,
                                   gint64                   backed_up_over,
                                   GError                 **error);
  gboolean (*destroy_due_bodies)  (HavenReceiverStore      *self,
                                   gint64                   now,
                                   guint                    closed_days,
                                   guint                    max_days,
                                   HavenReceiverRetention  *retention,
                                   GError                 **error);

  /* The notice report (SQLite schema version 7, PostgreSQL 4): every
   * item-outcome event of each address of a removal case whose first
   * notice-sent event is at @first_at or later and at @last_at or
   * earlier (times as the store writes them), by case and item, each
   * address's events oldest first (by time, then id). */
  gboolean (*list_notice_outcomes) (HavenReceiverStore     *self,
                                    const char             *first_at,
                                    const char             *last_at,
                                    GPtrArray              *outcomes,
                                    GError                **error);
};

GQuark              haven_receiver_store_error_quark         (void);
gboolean            haven_receiver_store_is_uri              (const char          *location);
HavenReceiverStore *haven_receiver_store_open                (const char          *location,
                                                              GError             **error);
const char         *haven_receiver_store_get_instance_id     (HavenReceiverStore  *self);
gboolean            haven_receiver_store_claim               (HavenReceiverStore  *self,
                                                              const char          *client_id,
                                                              const char          *key,
                                                              HavenRequestKind     kind,
                                                              const char          *body_sha256,
                                                              gint64               stale_after,
                                                              HavenReceiverClaim  *claim,
                                                              guint               *response_status,
                                                              char               **response_body,
                                                              GError             **error);
gboolean            haven_receiver_store_accept              (HavenReceiverStore  *self,
                                                              const char          *client_id,
                                                              const char          *key,
                                                              HavenRequestKind     kind,
                                                              GBytes              *body,
                                                              gboolean             sealed,
                                                              const HavenRequestEnvelope *envelope,
                                                              const char          *case_reference,
                                                              guint                response_status,
                                                              const char          *response_body,
                                                              GError             **error);
gboolean            haven_receiver_store_release             (HavenReceiverStore  *self,
                                                              const char          *client_id,
                                                              const char          *key,
                                                              GError             **error);
gboolean            haven_receiver_store_release_stale       (HavenReceiverStore  *self,
                                                              gint64               stale_after,
                                                              guint               *n_released,
                                                              GError             **error);

gboolean            haven_receiver_store_add_credential      (HavenReceiverStore  *self,
                                                              const char          *name,
                                                              const char          *role,
                                                              const char          *token_sha256,
                                                              GError             **error);
gboolean            haven_receiver_store_revoke_credential   (HavenReceiverStore  *self,
                                                              const char          *name,
                                                              gboolean            *revoked,
                                                              GError             **error);
GPtrArray          *haven_receiver_store_list_credentials    (HavenReceiverStore  *self,
                                                              GError             **error);
gboolean            haven_receiver_store_find_credential     (HavenReceiverStore  *self,
                                                              const char          *token,
                                                              char               **role,
                                                              char               **name,
                                                              GError             **error);
GPtrArray          *haven_receiver_store_list_cases          (HavenReceiverStore  *self,
                                                              const HavenReceiverCaseFilter *f,
                                                              GError             **error);
gboolean            haven_receiver_store_get_case            (HavenReceiverStore  *self,
                                                              const char          *case_reference,
                                                              HavenReceiverCase  **receiver_case,
                                                              GPtrArray          **events,
                                                              GError             **error);
gboolean            haven_receiver_store_get_body            (HavenReceiverStore  *self,
                                                              const char          *case_reference,
                                                              gboolean            *found,
                                                              GBytes             **body,
                                                              gboolean            *sealed,
                                                              GError             **error);
gboolean            haven_receiver_store_add_event           (HavenReceiverStore  *self,
                                                              const char          *case_reference,
                                                              const char          *actor,
                                                              const char          *key,
                                                              const char          *request_sha256,
                                                              const HavenReceiverCaseEvent *event,
                                                              HavenReceiverEventResult *result,
                                                              HavenReceiverCaseEvent **stored,
                                                              char               **current_state,
                                                              GError             **error);
gboolean            haven_receiver_store_append_audit        (HavenReceiverStore  *self,
                                                              const char          *actor,
                                                              const char          *role,
                                                              const char          *action,
                                                              const char          *case_reference,
                                                              const char          *remote,
                                                              guint                status,
                                                              GError             **error);
GPtrArray          *haven_receiver_store_list_audit          (HavenReceiverStore  *self,
                                                              const char          *case_reference,
                                                              const char          *actor,
                                                              gint64               after_id,
                                                              guint                limit,
                                                              GError             **error);
gboolean            haven_receiver_store_verify_audit        (HavenReceiverStore  *self,
                                                              guint64             *n_rows,
                                                              gint64              *bad_id,
                                                              GError             **error);
char               *haven_receiver_audit_entry_hash          (const HavenReceiverAuditEntry *e);
gboolean            haven_receiver_case_state_can_follow     (const char          *from,
                                                              const char          *to);
char               *haven_receiver_store_now_text            (void);
gboolean            haven_receiver_store_record_kiosk_status (HavenReceiverStore  *self,
                                                              const char          *kiosk_id,
                                                              const char          *report,
                                                              gint64               queued,
                                                              gint64               received_at,
                                                              const char          *received_from,
                                                              GError             **error);
GPtrArray          *haven_receiver_store_list_kiosks         (HavenReceiverStore  *self,
                                                              gint64               now,
                                                              gint64               silent_after,
                                                              gint64               backed_up_over,
                                                              GError             **error);
gboolean            haven_receiver_store_destroy_due_bodies  (HavenReceiverStore  *self,
                                                              gint64               now,
                                                              guint                closed_days,
                                                              guint                max_days,
                                                              HavenReceiverRetention *retention,
                                                              GError             **error);
HavenNoticeReport  *haven_receiver_store_notice_report       (HavenReceiverStore  *self,
                                                              const char          *from,
                                                              const char          *to,
                                                              GError             **error);

G_END_DECLS
