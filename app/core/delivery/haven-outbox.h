/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-request.h"

G_BEGIN_DECLS

/* Delivered and failed entries are forgotten this long after they ended. */
#define HAVEN_OUTBOX_KEEP_FINISHED (30 * G_TIME_SPAN_DAY)
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
} HavenOutboxError;

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
  char             *case_reference;
  /* The stored size; 0 once the body is gone. */
  gsize             body_size;
  /* Only from haven_outbox_claim_next() and haven_outbox_lookup(…, TRUE);
   * wiped when freed. */
  GBytes           *body;
} HavenOutboxEntry;

void              haven_outbox_entry_free       (HavenOutboxEntry *entry);
const char       *haven_outbox_state_to_string  (HavenOutboxState  state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenOutboxEntry, haven_outbox_entry_free)

#define HAVEN_TYPE_OUTBOX (haven_outbox_get_type ())

G_DECLARE_FINAL_TYPE (HavenOutbox, haven_outbox, HAVEN, OUTBOX, GObject)

GQuark            haven_outbox_error_quark      (void);
/* The file the settings name, or outbox.sqlite in Haven's data folder. */
char             *haven_outbox_dup_default_path (GSettings            *settings);
/* Opens the outbox, creating it (mode 0600, its folder 0700) if needed.
 * Entries left 'sending' by a process that died are queued again: the
 * request_id is the Idempotency-Key, so sending one twice is safe. */
HavenOutbox      *haven_outbox_new              (const char           *path,
                                                 GError              **error);
/* The same with the file, size cap and sealing key from the settings. */
HavenOutbox      *haven_outbox_new_from_settings (GSettings           *settings,
                                                  GError             **error);
const char       *haven_outbox_get_path         (HavenOutbox          *self);
guint64           haven_outbox_get_max_bytes    (HavenOutbox          *self);
void              haven_outbox_set_max_bytes    (HavenOutbox          *self,
                                                 guint64               max_bytes);
/* Base64 X25519 public key of the backend; NULL or "" stores bodies as
 * they are. */
gboolean          haven_outbox_set_public_key   (HavenOutbox          *self,
                                                 const char           *base64,
                                                 GError              **error);
gboolean          haven_outbox_get_sealing      (HavenOutbox          *self);

/* Stores @body (sealed first when a key is set) as one new queued entry,
 * in one transaction that is on disk when this returns TRUE. Fails with
 * HAVEN_OUTBOX_ERROR_FULL over the size cap, _DISK_FULL when the disk is,
 * _EXISTS for a request_id already there; nothing is stored then. */
gboolean          haven_outbox_enqueue          (HavenOutbox          *self,
                                                 const char           *request_id,
                                                 HavenRequestKind      kind,
                                                 GBytes               *body,
                                                 GError              **error);
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
/* Serialises a confirmed request (haven_request_confirm()) and enqueues it;
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
/* A permanent failure: state 'failed'. The body is kept, so nothing is lost
 * without the operator knowing, until `havenctl outbox purge` or expiry. */
gboolean          haven_outbox_record_failed    (HavenOutbox          *self,
                                                 const char           *request_id,
                                                 const char           *last_error,
                                                 GError              **error);
/* Deletes one entry, whatever its state; HAVEN_OUTBOX_ERROR_NOT_FOUND when
 * there is none. */
gboolean          haven_outbox_purge            (HavenOutbox          *self,
                                                 const char           *request_id,
                                                 GError              **error);
/* Forgets delivered and failed entries that ended more than
 * HAVEN_OUTBOX_KEEP_FINISHED before @now. Queued ones never expire. */
gboolean          haven_outbox_expire           (HavenOutbox          *self,
                                                 gint64                now,
                                                 guint                *n_expired,
                                                 GError              **error);

G_END_DECLS
