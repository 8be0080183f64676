/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-request.h"

G_BEGIN_DECLS

/* Delivered entries (id, reference and times; their body is gone) are
 * forgotten this long after they were delivered. */
#define HAVEN_OUTBOX_KEEP_FINISHED (30 * G_TIME_SPAN_DAY)
/* Failed entries, body and all, are wiped this long after they failed,
 * unless failed-retention-days says otherwise. */
#define HAVEN_OUTBOX_DEFAULT_FAILED_RETENTION (30 * G_TIME_SPAN_DAY)
#define HAVEN_OUTBOX_DEFAULT_MAX_BYTES (50 * 1024 * 1024)

#define HAVEN_OUTBOX_ERROR (haven_outbox_error_quark ())

typedef enum {
  HAVEN_OUTBOX_ERROR_FAILED,
  HAVEN_OUTBOX_ERROR_FULL,
  HAVEN_OUTBOX_ERROR_DISK_FULL,
  HAVEN_OUTBOX_ERROR_EXISTS,
  HAVEN_OUTBOX_ERROR_NOT_FOUND,
  HAVEN_OUTBOX_ERROR_TOO_NEW,
  HAVEN_OUTBOX_ERROR_INVALID_KEY,
  HAVEN_OUTBOX_ERROR_INVALID,
  /* No backend-public-key and allow-unsealed-outbox off: nothing is kept. */
  HAVEN_OUTBOX_ERROR_NOT_SEALED,
} HavenOutboxError;

/* How a request confirmed now would be kept. */
typedef enum {
  /* A usable backend-public-key: only the sealed box is stored. */
  HAVEN_OUTBOX_SEALING_SEALED,
  /* No key, and allow-unsealed-outbox off: requests are refused. */
  HAVEN_OUTBOX_SEALING_REFUSED,
  /* No key, and allow-unsealed-outbox on: stored as they are. */
  HAVEN_OUTBOX_SEALING_UNSEALED,
  /* A backend-public-key that cannot be used: requests are refused. */
  HAVEN_OUTBOX_SEALING_INVALID_KEY,
} HavenOutboxSealing;

typedef enum {
  HAVEN_OUTBOX_STATE_QUEUED,
  HAVEN_OUTBOX_STATE_SENDING,
  HAVEN_OUTBOX_STATE_DELIVERED,
  HAVEN_OUTBOX_STATE_FAILED,
} HavenOutboxState;

/* One row of the outbox as the operator and the delivery code see it.
 * Times are microseconds since the epoch (g_get_real_time()), 0 for never.
 * last_error is operator text, never anything the visitor typed. */
typedef struct {
  char             *request_id;
  HavenRequestKind  kind;
  HavenOutboxState  state;
  /* The body is a crypto_box_seal box, sent as application/vnd.haven.sealed. */
  gboolean          sealed;
  guint             attempts;
  gint64            created_at;
  gint64            next_attempt_at;
  gint64            last_attempt_at;
  /* When it was delivered or failed for good. */
  gint64            finished_at;
  char             *last_error;
  /* The backend's HTTP status of the last attempt that failed (0 when
   * there was no answer, or none is known) and, for a 400, its field
   * errors as a JSON object (paths -> the backend's messages), or NULL. */
  guint             http_status;
  char             *error_fields;
  char             *case_reference;
  /* The Haven-Envelope header's value, made when the request was queued
   * and sent with every attempt; NULL for one queued before the outbox
   * kept envelopes, or enqueued without one. Gone once delivered. */
  char             *envelope;
  /* The stored size; 0 once the body is gone. */
  gsize             body_size;
  /* Only from haven_outbox_claim_next() and haven_outbox_lookup(…, TRUE);
   * wiped when freed. */
  GBytes           *body;
  /* Only from a claim: last_attempt_at before it, so that an entry claimed
   * and never sent goes back as it was (haven_outbox_unclaim()). */
  gint64            previous_attempt_at;
} HavenOutboxEntry;

typedef enum {
  /* 201/200: keeps the reference (text), deletes the body. */
  HAVEN_OUTBOX_OUTCOME_DELIVERED,
  /* A transient failure: queued again for next_attempt_at. */
  HAVEN_OUTBOX_OUTCOME_RETRY,
  /* A permanent failure: 'failed', the body kept. */
  HAVEN_OUTBOX_OUTCOME_FAILED,
} HavenOutboxOutcomeKind;

/* One attempt's outcome, for haven_outbox_record_outcomes(). */
typedef struct {
  const char             *request_id;
  HavenOutboxOutcomeKind  kind;
  /* The case reference when delivered; otherwise the last error (operator
   * text, nullable). */
  const char             *text;
  gint64                  next_attempt_at;
  /* The backend's HTTP status, 0 for no answer; not kept when delivered. */
  guint                   http_status;
  /* A failure's field errors as a JSON object, or NULL. */
  const char             *error_fields;
  /* Set by haven_outbox_record_outcomes(): NULL when recorded, or
   * HAVEN_OUTBOX_ERROR_NOT_FOUND when the entry is gone. Owned here. */
  GError                 *error;
} HavenOutboxOutcome;

void              haven_outbox_entry_free       (HavenOutboxEntry *entry);
const char       *haven_outbox_state_to_string  (HavenOutboxState  state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenOutboxEntry, haven_outbox_entry_free)

#define HAVEN_TYPE_OUTBOX (haven_outbox_get_type ())

G_DECLARE_FINAL_TYPE (HavenOutbox, haven_outbox, HAVEN, OUTBOX, GObject)

GQuark            haven_outbox_error_quark      (void);
/* What the settings make of sealing (backend-public-key,
 * allow-unsealed-outbox), and in @description (nullable) the line the
 * operator screen and `havenctl backend check` show for it. */
HavenOutboxSealing haven_outbox_sealing_from_settings (GSettings      *settings,
                                                       char          **description);
/* TRUE when requests are refused in this state. */
gboolean          haven_outbox_sealing_refuses  (HavenOutboxSealing    sealing);
/* The file the settings name, or outbox.sqlite in Haven's data folder. */
char             *haven_outbox_dup_default_path (GSettings            *settings);
/* Opens the outbox, creating it (mode 0600, its folder 0700) if needed.
 * Entries left 'sending' by a process that died are queued again: the
 * request_id is the Idempotency-Key, so sending one twice is safe. */
HavenOutbox      *haven_outbox_new              (const char           *path,
                                                 GError              **error);
/* The same with the file, size cap, sealing key, allow-unsealed-outbox and
 * failed-retention-days from the settings, following later changes of the
 * last three. A sealing key that cannot be used does not stop it opening,
 * so that what is queued (sealed already) still goes out; it refuses new
 * requests instead. */
HavenOutbox      *haven_outbox_new_from_settings (GSettings           *settings,
                                                  GError             **error);
const char       *haven_outbox_get_path         (HavenOutbox          *self);
guint64           haven_outbox_get_max_bytes    (HavenOutbox          *self);
void              haven_outbox_set_max_bytes    (HavenOutbox          *self,
                                                 guint64               max_bytes);
/* Base64 X25519 public key of the backend. NULL or "" means none: then
 * requests are refused unless unsealed ones are allowed. A key that cannot
 * be used fails here and refuses requests until a usable one, or none, is
 * set. */
gboolean          haven_outbox_set_public_key   (HavenOutbox          *self,
                                                 const char           *base64,
                                                 GError              **error);
/* Whether bodies are sealed before they are stored. */
gboolean          haven_outbox_get_sealing      (HavenOutbox          *self);
/* allow-unsealed-outbox: without a key, store bodies as they are rather
 * than refuse them. Off unless set. */
void              haven_outbox_set_allow_unsealed (HavenOutbox        *self,
                                                   gboolean            allow);
HavenOutboxSealing haven_outbox_get_sealing_state (HavenOutbox        *self);
/* How long a failed entry is kept (failed-retention-days); more than 0. */
void              haven_outbox_set_failed_retention (HavenOutbox      *self,
                                                     GTimeSpan         retention);
GTimeSpan         haven_outbox_get_failed_retention (HavenOutbox      *self);
/* When @entry will be forgotten (microseconds since the epoch), or 0 for
 * a queued or sending one, which never is. */
gint64            haven_outbox_get_expiry       (HavenOutbox          *self,
                                                 const HavenOutboxEntry *entry);

/* Stores @body (sealed first when a key is set) as one new queued entry,
 * in one transaction that is on disk when this returns TRUE. Fails with
 * HAVEN_OUTBOX_ERROR_NOT_SEALED when there is no key and unsealed bodies
 * are not allowed, _INVALID_KEY when the key cannot be used, _FULL over
 * the size cap, _DISK_FULL when the disk is, _EXISTS for a request_id
 * already there; nothing is stored then. */
gboolean          haven_outbox_enqueue          (HavenOutbox          *self,
                                                 const char           *request_id,
                                                 HavenRequestKind      kind,
                                                 GBytes               *body,
                                                 GError              **error);
/* The same, keeping @envelope (nullable), the Haven-Envelope header's
 * value, beside the body: sent as it is with every attempt. */
gboolean          haven_outbox_enqueue_with_envelope (HavenOutbox     *self,
                                                      const char      *request_id,
                                                      HavenRequestKind kind,
                                                      GBytes          *body,
                                                      const char      *envelope,
                                                      GError         **error);
/* The same in a worker thread, so the kiosk never waits for fsync. */
void              haven_outbox_enqueue_async    (HavenOutbox          *self,
                                                 const char           *request_id,
                                                 HavenRequestKind      kind,
                                                 GBytes               *body,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean          haven_outbox_enqueue_finish   (HavenOutbox          *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* Serialises a confirmed request (haven_request_confirm()) and enqueues it
 * with its envelope (haven_request_envelope_to_header());
 * HAVEN_OUTBOX_ERROR_INVALID when haven_request_validate() refuses it. The
 * request is left as it is, so on failure the visitor's draft stays. */
gboolean          haven_outbox_enqueue_request  (HavenOutbox          *self,
                                                 HavenRequest         *request,
                                                 GError              **error);
void              haven_outbox_enqueue_request_async  (HavenOutbox          *self,
                                                       HavenRequest         *request,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean          haven_outbox_enqueue_request_finish (HavenOutbox          *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Every entry, oldest first, without bodies. */
GPtrArray        *haven_outbox_list             (HavenOutbox          *self,
                                                 GError              **error);
/* Queued entries whose next attempt is at or before @now, oldest first,
 * without bodies. */
GPtrArray        *haven_outbox_list_due         (HavenOutbox          *self,
                                                 gint64                now,
                                                 GError              **error);
HavenOutboxEntry *haven_outbox_lookup           (HavenOutbox          *self,
                                                 const char           *request_id,
                                                 gboolean              with_body,
                                                 GError              **error);
/* For delivery: takes the oldest queued entry due at @now (G_MAXINT64 for
 * "everything, now"), marks it 'sending', counts the attempt and returns
 * it with its body. NULL without an error when nothing is due. */
HavenOutboxEntry *haven_outbox_claim_next       (HavenOutbox          *self,
                                                 gint64                now,
                                                 GError              **error);
/* The same for one entry, whenever it is due: for the request a visitor
 * has just confirmed and waits for. NULL without an error when it is not
 * queued (being sent already, delivered, failed or gone). */
HavenOutboxEntry *haven_outbox_claim            (HavenOutbox          *self,
                                                 const char           *request_id,
                                                 GError              **error);
/* For a flush that keeps a few entries claimed ahead of sending them:
 * claims each of @request_ids that is queued, whenever it is due, in one
 * transaction. Returns an array as long as @request_ids holding each
 * claimed entry with its body, or NULL where one is not queued (being sent,
 * delivered, failed or gone).
 *
 * Claims, here and in the two calls above, are committed without waiting
 * for the disk (synchronous=NORMAL for that one transaction): a claim lost
 * in a power cut leaves the entry 'queued', which is what opening the
 * outbox makes of a 'sending' one anyway, and the commit that records the
 * outcome syncs the whole write-ahead log, this claim with it. */
GPtrArray        *haven_outbox_claim_many       (HavenOutbox          *self,
                                                 const char * const   *request_ids,
                                                 guint                 n_request_ids,
                                                 GError              **error);
/* Puts entries claimed and never sent back as they were: 'queued' again,
 * with the attempt the claim counted taken back. One whose outcome was
 * recorded meanwhile is left alone. */
gboolean          haven_outbox_unclaim          (HavenOutbox          *self,
                                                 GPtrArray            *entries,
                                                 GError              **error);
/* Records every outcome in one transaction, so a group of answers costs
 * one sync, and one checkpoint if any was delivered (each delivered body is
 * deleted in it). An outcome whose entry has gone gets
 * HAVEN_OUTBOX_ERROR_NOT_FOUND in its error and the others are recorded;
 * any other failure records none and fails. */
gboolean          haven_outbox_record_outcomes  (HavenOutbox          *self,
                                                 HavenOutboxOutcome   *outcomes,
                                                 guint                 n_outcomes,
                                                 GError              **error);
/* 201/200: keeps the reference, deletes the body in the same transaction. */
gboolean          haven_outbox_record_delivered (HavenOutbox          *self,
                                                 const char           *request_id,
                                                 const char           *case_reference,
                                                 GError              **error);
/* A transient failure: queued again for @next_attempt_at. */
gboolean          haven_outbox_record_retry     (HavenOutbox          *self,
                                                 const char           *request_id,
                                                 gint64                next_attempt_at,
                                                 const char           *last_error,
                                                 GError              **error);
/* The same, keeping the backend's @http_status (0 for no answer) for the
 * kiosk's status report. */
gboolean          haven_outbox_record_retry_with_status (HavenOutbox  *self,
                                                         const char   *request_id,
                                                         gint64        next_attempt_at,
                                                         guint         http_status,
                                                         const char   *last_error,
                                                         GError      **error);
/* A permanent failure: state 'failed', never claimed again. The body is
 * kept as it was stored (sealed or not), with the backend's @http_status
 * (0 for none) and @error_fields (a JSON object, or NULL), so nothing is
 * lost without the operator knowing, until `havenctl outbox purge` or the
 * failed retention is over. */
gboolean          haven_outbox_record_failed    (HavenOutbox          *self,
                                                 const char           *request_id,
                                                 guint                 http_status,
                                                 const char           *last_error,
                                                 const char           *error_fields,
                                                 GError              **error);
/* Deletes one entry, whatever its state; HAVEN_OUTBOX_ERROR_NOT_FOUND when
 * there is none. */
gboolean          haven_outbox_purge            (HavenOutbox          *self,
                                                 const char           *request_id,
                                                 GError              **error);
/* Forgets delivered entries that ended more than
 * HAVEN_OUTBOX_KEEP_FINISHED before @now, and wipes failed ones that
 * failed more than the failed retention before it. Queued ones never
 * expire. */
gboolean          haven_outbox_expire           (HavenOutbox          *self,
                                                 gint64                now,
                                                 guint                *n_expired,
                                                 GError              **error);

/* The earliest time an entry there now will expire, or G_MAXINT64 when
 * none will. */
gboolean          haven_outbox_get_next_expiry  (HavenOutbox          *self,
                                                 gint64               *next_expiry,
                                                 GError              **error);

G_END_DECLS
