/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-outbox"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <sqlite3.h>

#include "haven-outbox.h"
#include "haven-outbox-private.h"
#include "haven-request-envelope.h"
#include "haven-sealed-box.h"
#include "haven-wipe.h"

/* The durable queue between the visitor's "Send" and the backend's 201.
 *
 * Durability: WAL with synchronous=FULL, and every change is one
 * transaction, so a confirmed request is on disk when enqueue returns and a
 * process killed at any point leaves either all of a change or none of it.
 * Claims alone are committed without waiting for the disk
 * (haven_outbox_claim_many()): a power cut can undo one, which leaves the
 * entry 'queued' as opening the outbox would make it anyway, and the WAL is
 * appended in order, so the synced commit of an outcome carries every
 * claim before it.
 * Exactly once: the request_id is the Idempotency-Key, so the worst a crash
 * can cause is a second send of the same bytes, which the server answers
 * with its first answer. That is why an entry found 'sending' at open goes
 * back to 'queued' rather than anywhere else (a second process sending at
 * that very moment only makes the same safe repeat).
 *
 * Privacy: bodies live in a table of their own and are deleted in the same
 * transaction that records the case reference; secure_delete overwrites
 * their pages, and a checkpoint afterwards drops them from the WAL. With a
 * sealing key only the sealed box is ever written; without one nothing is
 * written at all, unless the operator has allowed unsealed bodies
 * (allow-unsealed-outbox), so that a kiosk nobody gave a key never keeps
 * visitors' words in plain text without anyone having chosen it. What
 * stays for the operator — id, kind, state, times, reference, last error,
 * the backend's status and field errors — holds nothing the visitor typed,
 * and finished entries expire. Nor does the envelope beside each body
 * (kind, category, language, kiosk, whether a child is involved, the
 * time): it is what the backend may see without the key, kept because the
 * sealed body cannot be opened here to make it again, and dropped with the
 * body once delivered.
 *
 * A permanent failure keeps its body, sealed as it was stored: the request
 * has not reached anyone, and dropping it would lose it silently, whether
 * or not the visitor was there to see the refusal. The operator sees it
 * in `havenctl outbox list` and on the operator screen, exports it
 * (`havenctl outbox export-failed`) or purges it, and it is wiped when
 * failed-retention-days are over. */

G_DEFINE_FINAL_TYPE (HavenOutbox, haven_outbox, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-outbox-error-quark, haven_outbox_error)

static const char * const state_names[] = {
  [HAVEN_OUTBOX_STATE_QUEUED] = "queued",
  [HAVEN_OUTBOX_STATE_SENDING] = "sending",
  [HAVEN_OUTBOX_STATE_DELIVERED] = "delivered",
  [HAVEN_OUTBOX_STATE_FAILED] = "failed",
};


#define ENTRY_COLUMNS \
  "request_id, kind, state, sealed, attempts, created_at, next_attempt_at, " \
  "last_attempt_at, finished_at, last_error, case_reference, body_size, id, " \
  "http_status, error_fields, envelope"
#define ENTRY_COLUMN_ID 12

void
haven_outbox_entry_free (HavenOutboxEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->request_id);
  g_free (entry->last_error);
  g_free (entry->error_fields);
  g_free (entry->case_reference);
  g_free (entry->envelope);
  g_clear_pointer (&entry->body, g_bytes_unref);
  g_free (entry);
}

const char *
haven_outbox_state_to_string (HavenOutboxState state)
{
  g_return_val_if_fail (state <= HAVEN_OUTBOX_STATE_FAILED, NULL);

  return state_names[state];
}

static gboolean
state_from_string (const char       *string,
                   HavenOutboxState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    {
      if (g_strcmp0 (string, state_names[i]) == 0)
        {
          *state = i;
          return TRUE;
        }
    }

  return FALSE;
}

static void
set_not_found_error (GError     **error,
                     const char  *request_id)
{
  g_set_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_FOUND,
               _("The outbox has no request %s"), request_id);
}

static HavenOutboxEntry *
read_entry (sqlite3_stmt *statement)
{
  g_autoptr(HavenOutboxEntry) entry = g_new0 (HavenOutboxEntry, 1);
  const char *text;

  entry->request_id = g_strdup ((const char *) sqlite3_column_text (statement, 0));
  if (!haven_request_kind_from_string ((const char *) sqlite3_column_text (statement, 1),
                                       &entry->kind))
    g_return_val_if_reached (NULL);
  if (!state_from_string ((const char *) sqlite3_column_text (statement, 2), &entry->state))
    g_return_val_if_reached (NULL);
  entry->sealed = sqlite3_column_int (statement, 3) != 0;
  entry->attempts = sqlite3_column_int (statement, 4);
  entry->created_at = sqlite3_column_int64 (statement, 5);
  entry->next_attempt_at = sqlite3_column_int64 (statement, 6);
  entry->last_attempt_at = sqlite3_column_int64 (statement, 7);
  entry->finished_at = sqlite3_column_int64 (statement, 8);
  text = (const char *) sqlite3_column_text (statement, 9);
  entry->last_error = g_strdup (text);
  text = (const char *) sqlite3_column_text (statement, 10);
  entry->case_reference = g_strdup (text);
  entry->body_size = sqlite3_column_int64 (statement, 11);
  entry->http_status = sqlite3_column_int (statement, 13);
  text = (const char *) sqlite3_column_text (statement, 14);
  entry->error_fields = g_strdup (text);
  text = (const char *) sqlite3_column_text (statement, 15);
  entry->envelope = g_strdup (text);

  return g_steal_pointer (&entry);
}

/* Looks up an entry's rowid and state; FALSE without an error when there
 * is none. */
static gboolean
find_entry (HavenOutbox       *self,
            const char        *request_id,
            sqlite3_int64     *id,
            HavenOutboxState  *state,
            GError           **error)
{
  g_autoptr(sqlite3_stmt) statement = NULL;
  int rc;

  statement = haven_outbox_prepare (self, "SELECT id, state FROM entries WHERE request_id = ?",
                                    error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_text (statement, 1, request_id, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (statement);
  if (rc == SQLITE_ROW)
    {
      *id = sqlite3_column_int64 (statement, 0);
      if (!state_from_string ((const char *) sqlite3_column_text (statement, 1), state))
        g_return_val_if_reached (FALSE);
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    haven_outbox_set_database_error (error, self->db, rc);

  return FALSE;
}

static GBytes *
read_body (HavenOutbox    *self,
           sqlite3_int64   id,
           GError        **error)
{
  g_autoptr(sqlite3_stmt) statement = NULL;
  int rc;

  statement = haven_outbox_prepare (self, "SELECT body FROM bodies WHERE entry_id = ?", error);
  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, id);

  rc = sqlite3_step (statement);
  if (rc == SQLITE_ROW)
    return haven_sealed_box_new_wiped_bytes (sqlite3_column_blob (statement, 0),
                                             sqlite3_column_bytes (statement, 0));
  if (rc == SQLITE_DONE)
    g_set_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_FAILED,
                 _("The outbox has lost the body of a request"));
  else
    haven_outbox_set_database_error (error, self->db, rc);

  return NULL;
}

/* Opening. */

static void
haven_outbox_dispose (GObject *object)
{
  HavenOutbox *self = HAVEN_OUTBOX (object);

  g_clear_signal_handler (&self->settings_changed_id, self->settings);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (haven_outbox_parent_class)->dispose (object);
}

static void
haven_outbox_finalize (GObject *object)
{
  HavenOutbox *self = HAVEN_OUTBOX (object);

  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_free (self->path);
  g_free (self->key_problem);
  memset (self->public_key, 0, sizeof self->public_key);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (haven_outbox_parent_class)->finalize (object);
}

static void
haven_outbox_class_init (HavenOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haven_outbox_dispose;
  object_class->finalize = haven_outbox_finalize;
}

static void
haven_outbox_init (HavenOutbox *self)
{
  g_mutex_init (&self->lock);
  self->max_bytes = HAVEN_OUTBOX_DEFAULT_MAX_BYTES;
  self->failed_retention = HAVEN_OUTBOX_DEFAULT_FAILED_RETENTION;
}

char *
haven_outbox_dup_default_path (GSettings *settings)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  path = g_settings_get_string (settings, "outbox-file");
  if (path[0] != '\0')
    return g_steal_pointer (&path);

  return g_build_filename (g_get_user_data_dir (), "haven", "outbox.sqlite", NULL);
}

/* Opens the file at self->path, and forgets what expired while it was
 * closed (with the retention already set). */
static HavenOutbox *
open_outbox (HavenOutbox  *self,
             GError      **error)
{
  g_autoptr(HavenOutbox) outbox = self;

  if (!haven_outbox_open_database (outbox, error))
    return NULL;

  if (!haven_outbox_expire (outbox, g_get_real_time (), NULL, error))
    return NULL;

  /* A crash between a delivery's commit and its checkpoint leaves the
   * deleted body's pages in the WAL; they go now rather than with the next
   * delivery. */
  g_mutex_lock (&outbox->lock);
  haven_outbox_checkpoint (outbox);
  g_mutex_unlock (&outbox->lock);

  return g_steal_pointer (&outbox);
}

HavenOutbox *
haven_outbox_new (const char  *path,
                  GError     **error)
{
  HavenOutbox *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HAVEN_TYPE_OUTBOX, NULL);
  self->path = g_strdup (path);

  return open_outbox (self, error);
}

/* backend-public-key, allow-unsealed-outbox and failed-retention-days,
 * now and whenever they change. */
static void
apply_settings (HavenOutbox *self)
{
  g_autofree char *public_key = g_settings_get_string (self->settings, "backend-public-key");
  g_autoptr(GError) error = NULL;
  guint days = g_settings_get_uint (self->settings, "failed-retention-days");

  /* The problem is kept, and every request refused with it, until the
   * setting changes; the kiosk's log says so when it starts and with
   * each refusal. */
  haven_outbox_set_public_key (self, public_key, &error);
  haven_outbox_set_allow_unsealed (self, g_settings_get_boolean (self->settings,
                                                                 "allow-unsealed-outbox"));
  haven_outbox_set_failed_retention (self, (GTimeSpan) MAX (days, 1) * G_TIME_SPAN_DAY);
}

static void
settings_changed_cb (GSettings  *settings,
                     const char *key,
                     gpointer    user_data)
{
  HavenOutbox *self = user_data;

  if (g_str_equal (key, "backend-public-key") || g_str_equal (key, "allow-unsealed-outbox") ||
      g_str_equal (key, "failed-retention-days"))
    apply_settings (self);
}

HavenOutbox *
haven_outbox_new_from_settings (GSettings  *settings,
                                GError    **error)
{
  HavenOutbox *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HAVEN_TYPE_OUTBOX, NULL);
  self->path = haven_outbox_dup_default_path (settings);
  self->settings = g_object_ref (settings);
  self->max_bytes = g_settings_get_uint64 (settings, "outbox-max-bytes");
  apply_settings (self);
  self->settings_changed_id = g_signal_connect (settings, "changed",
                                                G_CALLBACK (settings_changed_cb), self);

  return open_outbox (self, error);
}

const char *
haven_outbox_get_path (HavenOutbox *self)
{
  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), NULL);

  return self->path;
}

guint64
haven_outbox_get_max_bytes (HavenOutbox *self)
{
  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), 0);

  return self->max_bytes;
}

void
haven_outbox_set_max_bytes (HavenOutbox *self,
                            guint64      max_bytes)
{
  g_return_if_fail (HAVEN_IS_OUTBOX (self));

  g_mutex_lock (&self->lock);
  self->max_bytes = max_bytes;
  g_mutex_unlock (&self->lock);
}

gboolean
haven_outbox_set_public_key (HavenOutbox  *self,
                             const char   *base64,
                             GError      **error)
{
  guint8 key[HAVEN_SEALED_BOX_KEY_BYTES];
  g_autoptr(GError) key_error = NULL;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (base64 == NULL || *base64 == '\0')
    {
      g_mutex_lock (&self->lock);
      self->sealing = FALSE;
      g_clear_pointer (&self->key_problem, g_free);
      g_mutex_unlock (&self->lock);
      return TRUE;
    }

  if (!haven_sealed_box_decode_key (base64, key, &key_error))
    {
      /* Neither the old key nor no key: the operator meant a new one, so
       * nothing is stored until it is corrected. */
      g_mutex_lock (&self->lock);
      self->sealing = FALSE;
      g_free (self->key_problem);
      self->key_problem = g_strdup (key_error->message);
      g_mutex_unlock (&self->lock);

      g_set_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_INVALID_KEY,
                   _("The backend-public-key setting is not usable: %s"), key_error->message);
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  memcpy (self->public_key, key, sizeof key);
  self->sealing = TRUE;
  g_clear_pointer (&self->key_problem, g_free);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

void
haven_outbox_set_allow_unsealed (HavenOutbox *self,
                                 gboolean     allow)
{
  g_return_if_fail (HAVEN_IS_OUTBOX (self));

  g_mutex_lock (&self->lock);
  self->allow_unsealed = !!allow;
  g_mutex_unlock (&self->lock);
}

static HavenOutboxSealing
sealing_state_locked (HavenOutbox *self)
{
  if (self->key_problem != NULL)
    return HAVEN_OUTBOX_SEALING_INVALID_KEY;
  if (self->sealing)
    return HAVEN_OUTBOX_SEALING_SEALED;
  if (self->allow_unsealed)
    return HAVEN_OUTBOX_SEALING_UNSEALED;
  return HAVEN_OUTBOX_SEALING_REFUSED;
}

HavenOutboxSealing
haven_outbox_get_sealing_state (HavenOutbox *self)
{
  HavenOutboxSealing sealing;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), HAVEN_OUTBOX_SEALING_REFUSED);

  g_mutex_lock (&self->lock);
  sealing = sealing_state_locked (self);
  g_mutex_unlock (&self->lock);
  return sealing;
}

gboolean
haven_outbox_sealing_refuses (HavenOutboxSealing sealing)
{
  return sealing == HAVEN_OUTBOX_SEALING_REFUSED || sealing == HAVEN_OUTBOX_SEALING_INVALID_KEY;
}

HavenOutboxSealing
haven_outbox_sealing_from_settings (GSettings  *settings,
                                    char      **description)
{
  g_autofree char *public_key = NULL;
  g_autoptr(GError) error = NULL;
  guint8 key[HAVEN_SEALED_BOX_KEY_BYTES];
  HavenOutboxSealing sealing;

  g_return_val_if_fail (G_IS_SETTINGS (settings), HAVEN_OUTBOX_SEALING_REFUSED);

  public_key = g_settings_get_string (settings, "backend-public-key");
  if (public_key[0] != '\0')
    sealing = haven_sealed_box_decode_key (public_key, key, &error)
              ? HAVEN_OUTBOX_SEALING_SEALED : HAVEN_OUTBOX_SEALING_INVALID_KEY;
  else if (g_settings_get_boolean (settings, "allow-unsealed-outbox"))
    sealing = HAVEN_OUTBOX_SEALING_UNSEALED;
  else
    sealing = HAVEN_OUTBOX_SEALING_REFUSED;
  memset (key, 0, sizeof key);

  if (description == NULL)
    return sealing;

  switch (sealing)
    {
    case HAVEN_OUTBOX_SEALING_SEALED:
      *description = g_strdup (_("Sealed for the backend"));
      break;

    case HAVEN_OUTBOX_SEALING_UNSEALED:
      /* Translators: allow-unsealed-outbox is the name of a setting: keep
       * it as it is. */
      *description = g_strdup (_("Not sealed: allowed by setting (allow-unsealed-outbox). "
                                 "Requests are kept in plain text on this kiosk"));
      break;

    case HAVEN_OUTBOX_SEALING_INVALID_KEY:
      /* Translators: backend-public-key is the name of a setting: keep it
       * as it is. %s says what is wrong with the key. */
      *description = g_strdup_printf (_("NOT sealed: the backend-public-key setting is not "
                                        "usable (%s). Requests are refused until it is "
                                        "corrected"), error->message);
      break;

    case HAVEN_OUTBOX_SEALING_REFUSED:
    default:
      /* Translators: backend-public-key is the name of a setting: keep it
       * as it is. */
      *description = g_strdup (_("NOT sealed: requests are refused until a backend key is set "
                                 "(backend-public-key)"));
      break;
    }

  return sealing;
}

void
haven_outbox_set_failed_retention (HavenOutbox *self,
                                   GTimeSpan    retention)
{
  g_return_if_fail (HAVEN_IS_OUTBOX (self));
  g_return_if_fail (retention > 0);

  g_mutex_lock (&self->lock);
  self->failed_retention = retention;
  g_mutex_unlock (&self->lock);
}

GTimeSpan
haven_outbox_get_failed_retention (HavenOutbox *self)
{
  GTimeSpan retention;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), 0);

  g_mutex_lock (&self->lock);
  retention = self->failed_retention;
  g_mutex_unlock (&self->lock);
  return retention;
}

gint64
haven_outbox_get_expiry (HavenOutbox            *self,
                         const HavenOutboxEntry *entry)
{
  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), 0);
  g_return_val_if_fail (entry != NULL, 0);

  switch (entry->state)
    {
    case HAVEN_OUTBOX_STATE_DELIVERED:
      return entry->finished_at + HAVEN_OUTBOX_KEEP_FINISHED;

    case HAVEN_OUTBOX_STATE_FAILED:
      return entry->finished_at + haven_outbox_get_failed_retention (self);

    case HAVEN_OUTBOX_STATE_QUEUED:
    case HAVEN_OUTBOX_STATE_SENDING:
    default:
      return 0;
    }
}

gboolean
haven_outbox_get_sealing (HavenOutbox *self)
{
  gboolean sealing;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), FALSE);

  g_mutex_lock (&self->lock);
  sealing = self->sealing;
  g_mutex_unlock (&self->lock);
  return sealing;
}

void
haven_outbox_set_max_page_count (HavenOutbox *self,
                                 guint        max_page_count)
{
  g_autofree char *sql = NULL;

  g_return_if_fail (HAVEN_IS_OUTBOX (self));

  sql = g_strdup_printf ("PRAGMA max_page_count = %u", max_page_count);
  g_mutex_lock (&self->lock);
  sqlite3_exec (self->db, sql, NULL, NULL, NULL);
  g_mutex_unlock (&self->lock);
}

/* Enqueueing. */

static gboolean
insert_entry (HavenOutbox       *self,
              const char        *request_id,
              HavenRequestKind   kind,
              GBytes            *stored,
              gboolean           sealed,
              const char        *envelope,
              GError           **error)
{
  g_autoptr(sqlite3_stmt) insert_entry = NULL;
  g_autoptr(sqlite3_stmt) insert_body = NULL;
  g_autoptr(GError) local_error = NULL;
  sqlite3_int64 queued_bytes = 0;
  sqlite3_int64 id;
  HavenOutboxState state;
  gint64 now = g_get_real_time ();
  gsize size = g_bytes_get_size (stored);

  /* total() of an empty table is 0.0, not NULL; bodies already delivered
   * count for nothing because their size was set to 0 with them. */
  if (!haven_outbox_query_int (self,
                               "SELECT CAST (total (body_size) AS INTEGER) FROM entries",
                               &queued_bytes, error))
    return FALSE;

  if ((guint64) queued_bytes + size > self->max_bytes)
    {
      g_set_error_literal (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_FULL,
                           _("The outbox is full, so the request could not be saved"));
      return FALSE;
    }

  if (find_entry (self, request_id, &id, &state, &local_error))
    {
      g_set_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_EXISTS,
                   _("The outbox already has request %s"), request_id);
      return FALSE;
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  insert_entry = haven_outbox_prepare (self,
                                       "INSERT INTO entries (request_id, kind, state, sealed,"
                                       " body_size, created_at, next_attempt_at, envelope)"
                                       " VALUES (?, ?, 'queued', ?, ?, ?, ?, ?)",
                                       error);
  if (insert_entry == NULL)
    return FALSE;
  sqlite3_bind_text (insert_entry, 1, request_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert_entry, 2, haven_request_kind_to_string (kind), -1, SQLITE_STATIC);
  sqlite3_bind_int (insert_entry, 3, sealed);
  sqlite3_bind_int64 (insert_entry, 4, size);
  sqlite3_bind_int64 (insert_entry, 5, now);
  sqlite3_bind_int64 (insert_entry, 6, now);
  sqlite3_bind_text (insert_entry, 7, envelope, -1, SQLITE_TRANSIENT);
  if (!haven_outbox_step_done (self, insert_entry, error))
    return FALSE;

  id = sqlite3_last_insert_rowid (self->db);
  insert_body = haven_outbox_prepare (self, "INSERT INTO bodies (entry_id, body) VALUES (?, ?)",
                                      error);
  if (insert_body == NULL)
    return FALSE;
  sqlite3_bind_int64 (insert_body, 1, id);
  /* STATIC: @stored outlives the statement, and SQLITE_TRANSIENT would
   * leave one more copy of the body on the heap, unwiped. */
  sqlite3_bind_blob64 (insert_body, 2, g_bytes_get_data (stored, NULL), size, SQLITE_STATIC);

  return haven_outbox_step_done (self, insert_body, error);
}

/* What may go in an HTTP header as it is: printable ASCII, no line break
 * that would start another header. */
static gboolean
is_header_value (const char *value)
{
  gsize length = strnlen (value, HAVEN_REQUEST_ENVELOPE_MAX_HEADER_BYTES + 1);

  if (length > HAVEN_REQUEST_ENVELOPE_MAX_HEADER_BYTES)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      if (value[i] < 0x20 || value[i] > 0x7e)
        return FALSE;
    }

  return TRUE;
}

gboolean
haven_outbox_enqueue (HavenOutbox       *self,
                      const char        *request_id,
                      HavenRequestKind   kind,
                      GBytes            *body,
                      GError           **error)
{
  return haven_outbox_enqueue_with_envelope (self, request_id, kind, body, NULL, error);
}

gboolean
haven_outbox_enqueue_with_envelope (HavenOutbox       *self,
                                    const char        *request_id,
                                    HavenRequestKind   kind,
                                    GBytes            *body,
                                    const char        *envelope,
                                    GError           **error)
{
  g_autoptr(GBytes) stored = NULL;
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  g_autofree char *key_problem = NULL;
  gboolean sealing;
  gboolean allow_unsealed;
  gboolean inserted;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (haven_request_is_uuid_v4 (request_id), FALSE);
  g_return_val_if_fail (kind == HAVEN_REQUEST_KIND_REMOVAL ||
                        kind == HAVEN_REQUEST_KIND_REPORT, FALSE);
  g_return_val_if_fail (body != NULL, FALSE);
  g_return_val_if_fail (envelope == NULL || is_header_value (envelope), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_bytes_get_size (body) > HAVEN_REQUEST_MAX_BODY_BYTES)
    {
      g_set_error_literal (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_INVALID,
                           _("The request is larger than 256 KiB"));
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  sealing = self->sealing;
  memcpy (public_key, self->public_key, sizeof public_key);
  allow_unsealed = self->allow_unsealed;
  key_problem = g_strdup (self->key_problem);
  g_mutex_unlock (&self->lock);

  /* Refused before anything touches the file: a request that cannot be
   * sealed is kept nowhere. These are configuration problems, for the
   * operator's log; the visitor is told in their own words. */
  if (key_problem != NULL)
    {
      g_set_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_INVALID_KEY,
                   _("The backend-public-key setting is not usable: %s"), key_problem);
      return FALSE;
    }
  if (!sealing && !allow_unsealed)
    {
      g_set_error_literal (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_SEALED,
                           _("Requests are refused and nothing is kept: backend-public-key is "
                             "empty, so they cannot be sealed for the backend, and "
                             "allow-unsealed-outbox is off"));
      return FALSE;
    }

  /* Sealed before the transaction, so the plain body never reaches SQLite
   * at all, not even its page cache. */
  if (sealing)
    {
      g_autoptr(GError) seal_error = NULL;

      stored = haven_sealed_box_seal (public_key, body, &seal_error);
      if (stored == NULL)
        {
          g_set_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_INVALID_KEY,
                       _("The backend-public-key setting is not usable: %s"),
                       seal_error->message);
          return FALSE;
        }
    }
  else
    {
      stored = g_bytes_ref (body);
    }

  g_mutex_lock (&self->lock);
  inserted = haven_outbox_begin (self, error) &&
             insert_entry (self, request_id, kind, stored, sealing, envelope, error) &&
             haven_outbox_commit (self, error);
  if (!inserted)
    haven_outbox_rollback (self);
  g_mutex_unlock (&self->lock);

  return inserted;
}

typedef struct {
  char *request_id;
  HavenRequestKind kind;
  GBytes *body;
  char *envelope;
} EnqueueData;

static void
enqueue_data_free (EnqueueData *data)
{
  g_free (data->request_id);
  g_free (data->envelope);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_free (data);
}

static void
enqueue_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  EnqueueData *data = task_data;
  g_autoptr(GError) error = NULL;

  /* Cancellation counts only before the write starts: once it may have
   * reached the disk, the caller must hear how it ended, or a request it
   * believes lost could be confirmed and queued a second time. */
  if (g_task_return_error_if_cancelled (task))
    return;

  if (haven_outbox_enqueue_with_envelope (source_object, data->request_id, data->kind,
                                          data->body, data->envelope, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
haven_outbox_enqueue_async (HavenOutbox         *self,
                            const char          *request_id,
                            HavenRequestKind     kind,
                            GBytes              *body,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  EnqueueData *data;

  g_return_if_fail (HAVEN_IS_OUTBOX (self));
  g_return_if_fail (haven_request_is_uuid_v4 (request_id));
  g_return_if_fail (body != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (EnqueueData, 1);
  data->request_id = g_strdup (request_id);
  data->kind = kind;
  data->body = g_bytes_ref (body);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_outbox_enqueue_async);
  g_task_set_task_data (task, data, (GDestroyNotify) enqueue_data_free);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, enqueue_thread);
}

gboolean
haven_outbox_enqueue_finish (HavenOutbox   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == haven_outbox_enqueue_async ||
                        g_task_get_source_tag (G_TASK (result)) ==
                          haven_outbox_enqueue_request_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The request's body as wiped bytes, and in @envelope its Haven-Envelope
 * header, or NULL with an error when it is not ready to be queued. */
static GBytes *
serialise_request (HavenRequest  *request,
                   char         **envelope,
                   GError       **error)
{
  g_autoptr(GHashTable) field_errors = NULL;
  g_autoptr(HavenRequestEnvelope) request_envelope = NULL;
  g_autoptr(GError) envelope_error = NULL;
  char *json;
  gsize length = 0;
  GBytes *body;

  if (!haven_request_validate (request, &field_errors))
    {
      /* The field errors are for the page; the operator and the log get
       * only how many there were. */
      g_set_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The request has %u problem to fix before it can be sent",
                                "The request has %u problems to fix before it can be sent",
                                g_hash_table_size (field_errors)),
                   g_hash_table_size (field_errors));
      return NULL;
    }

  /* Made now, from the request as it is confirmed: once sealed, the body
   * cannot be read here again to make it. Validation has checked every
   * member it holds, so this fails only if the two disagree. */
  request_envelope = haven_request_envelope_new_for_request (request, &envelope_error);
  if (request_envelope == NULL)
    {
      g_set_error (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_INVALID,
                   "%s", envelope_error->message);
      return NULL;
    }
  *envelope = haven_request_envelope_to_header (request_envelope);

  json = haven_request_to_json (request, &length);
  body = haven_sealed_box_new_wiped_bytes (json, length);
  haven_wipe_string (json);
  return body;
}

gboolean
haven_outbox_enqueue_request (HavenOutbox   *self,
                              HavenRequest  *request,
                              GError       **error)
{
  g_autoptr(GBytes) body = NULL;
  g_autofree char *envelope = NULL;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (HAVEN_IS_REQUEST (request), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  body = serialise_request (request, &envelope, error);
  if (body == NULL)
    return FALSE;

  return haven_outbox_enqueue_with_envelope (self, haven_request_get_request_id (request),
                                             haven_request_get_kind (request), body, envelope,
                                             error);
}

void
haven_outbox_enqueue_request_async (HavenOutbox         *self,
                                    HavenRequest        *request,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *envelope = NULL;
  EnqueueData *data;
  GBytes *body;

  g_return_if_fail (HAVEN_IS_OUTBOX (self));
  g_return_if_fail (HAVEN_IS_REQUEST (request));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_outbox_enqueue_request_async);
  g_task_set_check_cancellable (task, FALSE);

  /* Serialised here, in the caller's thread: the request is a GObject the
   * page goes on using, and the worker must not read it meanwhile. */
  body = serialise_request (request, &envelope, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_new0 (EnqueueData, 1);
  data->request_id = g_strdup (haven_request_get_request_id (request));
  data->kind = haven_request_get_kind (request);
  data->body = body;
  data->envelope = g_steal_pointer (&envelope);
  g_task_set_task_data (task, data, (GDestroyNotify) enqueue_data_free);
  g_task_run_in_thread (task, enqueue_thread);
}

gboolean
haven_outbox_enqueue_request_finish (HavenOutbox   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_outbox_enqueue_request_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reading. */

static GPtrArray *
list_entries (HavenOutbox  *self,
              const char   *sql,
              gint64        now,
              GError      **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(sqlite3_stmt) statement = NULL;
  int rc;

  statement = haven_outbox_prepare (self, sql, error);
  if (statement == NULL)
    return NULL;
  if (sqlite3_bind_parameter_count (statement) > 0)
    sqlite3_bind_int64 (statement, 1, now);

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_outbox_entry_free);
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    g_ptr_array_add (entries, read_entry (statement));

  if (rc != SQLITE_DONE)
    {
      haven_outbox_set_database_error (error, self->db, rc);
      return NULL;
    }

  return g_steal_pointer (&entries);
}

GPtrArray *
haven_outbox_list (HavenOutbox  *self,
                   GError      **error)
{
  GPtrArray *entries;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->lock);
  entries = list_entries (self, "SELECT " ENTRY_COLUMNS " FROM entries ORDER BY id", 0, error);
  g_mutex_unlock (&self->lock);

  return entries;
}

GPtrArray *
haven_outbox_list_due (HavenOutbox  *self,
                       gint64        now,
                       GError      **error)
{
  GPtrArray *entries;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->lock);
  entries = list_entries (self,
                          "SELECT " ENTRY_COLUMNS " FROM entries"
                          " WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY id",
                          now, error);
  g_mutex_unlock (&self->lock);

  return entries;
}

static HavenOutboxEntry *
lookup_locked (HavenOutbox  *self,
               const char   *request_id,
               gboolean      with_body,
               GError      **error)
{
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(sqlite3_stmt) statement = NULL;
  sqlite3_int64 id;
  int rc;

  statement = haven_outbox_prepare (self,
                                    "SELECT " ENTRY_COLUMNS " FROM entries WHERE request_id = ?",
                                    error);
  if (statement == NULL)
    return NULL;
  sqlite3_bind_text (statement, 1, request_id, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (statement);
  if (rc == SQLITE_DONE)
    {
      set_not_found_error (error, request_id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      haven_outbox_set_database_error (error, self->db, rc);
      return NULL;
    }

  entry = read_entry (statement);
  id = sqlite3_column_int64 (statement, ENTRY_COLUMN_ID);

  if (with_body && entry->body_size > 0)
    {
      entry->body = read_body (self, id, error);
      if (entry->body == NULL)
        return NULL;
    }

  return g_steal_pointer (&entry);
}

HavenOutboxEntry *
haven_outbox_lookup (HavenOutbox  *self,
                     const char   *request_id,
                     gboolean      with_body,
                     GError      **error)
{
  HavenOutboxEntry *entry;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (request_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->lock);
  entry = lookup_locked (self, request_id, with_body, error);
  g_mutex_unlock (&self->lock);

  return entry;
}

/* Delivery. */

static HavenOutboxEntry *
claim_locked (HavenOutbox  *self,
              const char   *request_id,
              gint64        now,
              GError      **error)
{
  g_autoptr(HavenOutboxEntry) entry = NULL;
  g_autoptr(sqlite3_stmt) select = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  sqlite3_int64 id;
  int rc;

  /* By id for a request the visitor is waiting for, whenever it was due. */
  if (request_id != NULL)
    {
      select = haven_outbox_prepare (self,
                                     "SELECT " ENTRY_COLUMNS " FROM entries"
                                     " WHERE state = 'queued' AND request_id = ?",
                                     error);
      if (select == NULL)
        return NULL;
      sqlite3_bind_text (select, 1, request_id, -1, SQLITE_TRANSIENT);
    }
  else
    {
      select = haven_outbox_prepare (self,
                                     "SELECT " ENTRY_COLUMNS " FROM entries"
                                     " WHERE state = 'queued' AND next_attempt_at <= ?"
                                     " ORDER BY id LIMIT 1",
                                     error);
      if (select == NULL)
        return NULL;
      sqlite3_bind_int64 (select, 1, now);
    }

  rc = sqlite3_step (select);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      haven_outbox_set_database_error (error, self->db, rc);
      return NULL;
    }

  entry = read_entry (select);
  id = sqlite3_column_int64 (select, ENTRY_COLUMN_ID);

  /* The attempt is counted when it starts, so that a request that crashes
   * the sender every time still shows its attempts to the operator. */
  update = haven_outbox_prepare (self,
                                 "UPDATE entries SET state = 'sending', attempts = attempts + 1,"
                                 " last_attempt_at = ? WHERE id = ?",
                                 error);
  if (update == NULL)
    return NULL;
  entry->previous_attempt_at = entry->last_attempt_at;
  entry->last_attempt_at = g_get_real_time ();
  sqlite3_bind_int64 (update, 1, entry->last_attempt_at);
  sqlite3_bind_int64 (update, 2, id);
  if (!haven_outbox_step_done (self, update, error))
    return NULL;
  entry->state = HAVEN_OUTBOX_STATE_SENDING;
  entry->attempts++;

  entry->body = read_body (self, id, error);
  if (entry->body == NULL)
    return NULL;

  return g_steal_pointer (&entry);
}

static HavenOutboxEntry *
claim (HavenOutbox  *self,
       const char   *request_id,
       gint64        now,
       GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  HavenOutboxEntry *entry = NULL;

  g_mutex_lock (&self->lock);
  if (haven_outbox_begin_unsynced (self, &local_error))
    {
      entry = claim_locked (self, request_id, now, &local_error);
      if (local_error == NULL)
        haven_outbox_commit_unsynced (self, &local_error);
      if (local_error != NULL)
        {
          g_clear_pointer (&entry, haven_outbox_entry_free);
          haven_outbox_rollback_unsynced (self);
        }
    }
  g_mutex_unlock (&self->lock);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return entry;
}

GPtrArray *
haven_outbox_claim_many (HavenOutbox        *self,
                         const char * const *request_ids,
                         guint               n_request_ids,
                         GError            **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (request_ids != NULL || n_request_ids == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entries = g_ptr_array_new_full (n_request_ids, (GDestroyNotify) haven_outbox_entry_free);

  g_mutex_lock (&self->lock);
  if (haven_outbox_begin_unsynced (self, &local_error))
    {
      for (guint i = 0; i < n_request_ids && local_error == NULL; i++)
        g_ptr_array_add (entries, claim_locked (self, request_ids[i], 0, &local_error));
      if (local_error == NULL)
        haven_outbox_commit_unsynced (self, &local_error);
      if (local_error != NULL)
        haven_outbox_rollback_unsynced (self);
    }
  g_mutex_unlock (&self->lock);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_steal_pointer (&entries);
}

gboolean
haven_outbox_unclaim (HavenOutbox *self,
                      GPtrArray   *entries,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean done = FALSE;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (entries != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (entries->len == 0)
    return TRUE;

  g_mutex_lock (&self->lock);
  if (!haven_outbox_begin_unsynced (self, &local_error))
    goto out;

  /* Only while still 'sending': an outcome recorded meanwhile stands. */
  update = haven_outbox_prepare (self,
                                 "UPDATE entries SET state = 'queued', attempts = ?,"
                                 " last_attempt_at = ? WHERE request_id = ? AND state = 'sending'",
                                 &local_error);
  if (update == NULL)
    goto out;

  for (guint i = 0; i < entries->len; i++)
    {
      const HavenOutboxEntry *entry = g_ptr_array_index (entries, i);

      sqlite3_reset (update);
      sqlite3_bind_int (update, 1, entry->attempts > 0 ? (int) entry->attempts - 1 : 0);
      sqlite3_bind_int64 (update, 2, entry->previous_attempt_at);
      sqlite3_bind_text (update, 3, entry->request_id, -1, SQLITE_TRANSIENT);
      if (!haven_outbox_step_done (self, update, &local_error))
        goto out;
    }

  done = haven_outbox_commit_unsynced (self, &local_error);

out:
  if (!done)
    haven_outbox_rollback_unsynced (self);
  g_mutex_unlock (&self->lock);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return done;
}

HavenOutboxEntry *
haven_outbox_claim_next (HavenOutbox  *self,
                         gint64        now,
                         GError      **error)
{
  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return claim (self, NULL, now, error);
}

HavenOutboxEntry *
haven_outbox_claim (HavenOutbox  *self,
                    const char   *request_id,
                    GError      **error)
{
  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (request_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return claim (self, request_id, 0, error);
}

/* Runs one UPDATE that names the entry by request_id as its last
 * parameter, inside the caller's transaction; NOT_FOUND when there is no
 * such entry. @delete_body deletes the body too, if the UPDATE matched. */
static gboolean
update_entry (HavenOutbox   *self,
              const char    *request_id,
              sqlite3_stmt  *statement,
              gboolean       delete_body,
              GError       **error)
{
  sqlite3_int64 id;
  HavenOutboxState state;
  g_autoptr(GError) local_error = NULL;

  if (!find_entry (self, request_id, &id, &state, &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        set_not_found_error (error, request_id);
      return FALSE;
    }

  sqlite3_bind_text (statement, sqlite3_bind_parameter_count (statement), request_id, -1,
                     SQLITE_TRANSIENT);
  if (!haven_outbox_step_done (self, statement, error))
    return FALSE;

  if (delete_body && sqlite3_changes (self->db) > 0)
    {
      g_autoptr(sqlite3_stmt) delete = NULL;

      delete = haven_outbox_prepare (self, "DELETE FROM bodies WHERE entry_id = ?", error);
      if (delete == NULL)
        return FALSE;
      sqlite3_bind_int64 (delete, 1, id);
      if (!haven_outbox_step_done (self, delete, error))
        return FALSE;
    }

  return TRUE;
}

/* Records one outcome inside the caller's transaction. */
static gboolean
record_locked (HavenOutbox        *self,
               HavenOutboxOutcome *outcome,
               gint64              now,
               GError            **error)
{
  g_autoptr(sqlite3_stmt) statement = NULL;

  /* Each UPDATE leaves a delivered entry alone: a late answer to an older
   * attempt must not bring a delivered request back. */
  switch (outcome->kind)
    {
    case HAVEN_OUTBOX_OUTCOME_DELIVERED:
      statement = haven_outbox_prepare (self,
                                        "UPDATE entries SET state = 'delivered',"
                                        " case_reference = ?,"
                                        " finished_at = ?, body_size = 0, last_error = NULL,"
                                        " envelope = NULL"
                                        " WHERE state != 'delivered' AND request_id = ?",
                                        error);
      break;

    case HAVEN_OUTBOX_OUTCOME_RETRY:
      statement = haven_outbox_prepare (self,
                                        "UPDATE entries SET state = 'queued', last_error = ?,"
                                        " next_attempt_at = ?, http_status = ?"
                                        " WHERE state IN ('queued', 'sending') AND request_id = ?",
                                        error);
      break;

    case HAVEN_OUTBOX_OUTCOME_FAILED:
      statement = haven_outbox_prepare (self,
                                        "UPDATE entries SET state = 'failed', last_error = ?,"
                                        " finished_at = ?, http_status = ?, error_fields = ?"
                                        " WHERE state IN ('queued', 'sending') AND request_id = ?",
                                        error);
      break;

    default:
      g_assert_not_reached ();
    }

  if (statement == NULL)
    return FALSE;

  sqlite3_bind_text (statement, 1, outcome->text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (statement, 2,
                      outcome->kind == HAVEN_OUTBOX_OUTCOME_RETRY ? outcome->next_attempt_at : now);
  if (outcome->kind != HAVEN_OUTBOX_OUTCOME_DELIVERED)
    sqlite3_bind_int (statement, 3, (int) outcome->http_status);
  if (outcome->kind == HAVEN_OUTBOX_OUTCOME_FAILED)
    sqlite3_bind_text (statement, 4, outcome->error_fields, -1, SQLITE_TRANSIENT);

  return update_entry (self, outcome->request_id, statement,
                       outcome->kind == HAVEN_OUTBOX_OUTCOME_DELIVERED, error);
}

gboolean
haven_outbox_record_outcomes (HavenOutbox        *self,
                              HavenOutboxOutcome *outcomes,
                              guint               n_outcomes,
                              GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean any_delivered = FALSE;
  gboolean recorded = FALSE;
  gint64 now = g_get_real_time ();

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (outcomes != NULL || n_outcomes == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < n_outcomes; i++)
    {
      g_return_val_if_fail (outcomes[i].request_id != NULL, FALSE);
      g_return_val_if_fail (outcomes[i].kind != HAVEN_OUTBOX_OUTCOME_DELIVERED ||
                            outcomes[i].text != NULL, FALSE);
      g_clear_error (&outcomes[i].error);
    }

  g_mutex_lock (&self->lock);

  if (!haven_outbox_begin (self, &local_error))
    goto out;

  for (guint i = 0; i < n_outcomes; i++)
    {
      g_autoptr(GError) outcome_error = NULL;

      if (record_locked (self, &outcomes[i], now, &outcome_error))
        {
          any_delivered |= outcomes[i].kind == HAVEN_OUTBOX_OUTCOME_DELIVERED;
          continue;
        }

      /* Purged since it was claimed: nothing to record it in, and the
       * others are still recorded. Nothing was written for this one. */
      if (g_error_matches (outcome_error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_FOUND))
        {
          outcomes[i].error = g_steal_pointer (&outcome_error);
          continue;
        }

      local_error = g_steal_pointer (&outcome_error);
      goto out;
    }

  recorded = haven_outbox_commit (self, &local_error);

out:
  if (!recorded)
    {
      haven_outbox_rollback (self);
      for (guint i = 0; i < n_outcomes; i++)
        g_clear_error (&outcomes[i].error);
    }
  else if (any_delivered)
    {
      /* One checkpoint for the whole group: every body deleted by it is
       * out of the WAL before anyone is told it was delivered. */
      haven_outbox_checkpoint (self);
    }
  g_mutex_unlock (&self->lock);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return recorded;
}

static gboolean
record (HavenOutbox            *self,
        const char             *request_id,
        HavenOutboxOutcomeKind  kind,
        const char             *text,
        gint64                  next_attempt_at,
        guint                   http_status,
        const char             *error_fields,
        GError                **error)
{
  HavenOutboxOutcome outcome = {
    .request_id = request_id,
    .kind = kind,
    .text = text,
    .next_attempt_at = next_attempt_at,
    .http_status = http_status,
    .error_fields = error_fields,
  };

  if (!haven_outbox_record_outcomes (self, &outcome, 1, error))
    return FALSE;

  if (outcome.error != NULL)
    {
      g_propagate_error (error, outcome.error);
      return FALSE;
    }

  return TRUE;
}

gboolean
haven_outbox_record_delivered (HavenOutbox  *self,
                               const char   *request_id,
                               const char   *case_reference,
                               GError      **error)
{
  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (request_id != NULL, FALSE);
  g_return_val_if_fail (case_reference != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return record (self, request_id, HAVEN_OUTBOX_OUTCOME_DELIVERED, case_reference, 0, 0, NULL,
                 error);
}

gboolean
haven_outbox_record_retry (HavenOutbox  *self,
                           const char   *request_id,
                           gint64        next_attempt_at,
                           const char   *last_error,
                           GError      **error)
{
  return haven_outbox_record_retry_with_status (self, request_id, next_attempt_at, 0, last_error,
                                                error);
}

gboolean
haven_outbox_record_retry_with_status (HavenOutbox  *self,
                                       const char   *request_id,
                                       gint64        next_attempt_at,
                                       guint         http_status,
                                       const char   *last_error,
                                       GError      **error)
{
  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (request_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return record (self, request_id, HAVEN_OUTBOX_OUTCOME_RETRY, last_error, next_attempt_at,
                 http_status, NULL, error);
}

gboolean
haven_outbox_record_failed (HavenOutbox  *self,
                            const char   *request_id,
                            guint         http_status,
                            const char   *last_error,
                            const char   *error_fields,
                            GError      **error)
{
  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (request_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return record (self, request_id, HAVEN_OUTBOX_OUTCOME_FAILED, last_error, 0, http_status,
                 error_fields, error);
}

/* Removal. */

gboolean
haven_outbox_purge (HavenOutbox  *self,
                    const char   *request_id,
                    GError      **error)
{
  g_autoptr(sqlite3_stmt) delete_body = NULL;
  g_autoptr(sqlite3_stmt) delete_entry = NULL;
  sqlite3_int64 id;
  HavenOutboxState state;
  g_autoptr(GError) local_error = NULL;
  gboolean purged = FALSE;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (request_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);

  if (!haven_outbox_begin (self, &local_error))
    goto out;

  if (!find_entry (self, request_id, &id, &state, &local_error))
    {
      if (local_error == NULL)
        set_not_found_error (&local_error, request_id);
      goto out;
    }

  delete_body = haven_outbox_prepare (self, "DELETE FROM bodies WHERE entry_id = ?", &local_error);
  delete_entry = haven_outbox_prepare (self, "DELETE FROM entries WHERE id = ?", &local_error);
  if (delete_body == NULL || delete_entry == NULL)
    goto out;
  sqlite3_bind_int64 (delete_body, 1, id);
  sqlite3_bind_int64 (delete_entry, 1, id);

  purged = haven_outbox_step_done (self, delete_body, &local_error) &&
           haven_outbox_step_done (self, delete_entry, &local_error) &&
           haven_outbox_commit (self, &local_error);

out:
  if (purged)
    haven_outbox_checkpoint (self);
  else
    haven_outbox_rollback (self);
  g_mutex_unlock (&self->lock);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return purged;
}

gboolean
haven_outbox_expire (HavenOutbox  *self,
                     gint64        now,
                     guint        *n_expired,
                     GError      **error)
{
  g_autoptr(sqlite3_stmt) delete_bodies = NULL;
  g_autoptr(sqlite3_stmt) delete_entries = NULL;
  gint64 delivered_cutoff = now - HAVEN_OUTBOX_KEEP_FINISHED;
  gint64 failed_cutoff;
  gboolean expired = FALSE;
  int changes = 0;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  failed_cutoff = now - self->failed_retention;

  if (!haven_outbox_begin (self, error))
    goto out;

#define EXPIRED \
  "(state = 'delivered' AND finished_at < ?1) OR (state = 'failed' AND finished_at < ?2)"

  delete_bodies = haven_outbox_prepare (self,
                                        "DELETE FROM bodies WHERE entry_id IN"
                                        " (SELECT id FROM entries WHERE " EXPIRED ")",
                                        error);
  if (delete_bodies == NULL)
    goto out;
  delete_entries = haven_outbox_prepare (self, "DELETE FROM entries WHERE " EXPIRED, error);
  if (delete_entries == NULL)
    goto out;
  sqlite3_bind_int64 (delete_bodies, 1, delivered_cutoff);
  sqlite3_bind_int64 (delete_bodies, 2, failed_cutoff);
  sqlite3_bind_int64 (delete_entries, 1, delivered_cutoff);
  sqlite3_bind_int64 (delete_entries, 2, failed_cutoff);

#undef EXPIRED

  if (!haven_outbox_step_done (self, delete_bodies, error) ||
      !haven_outbox_step_done (self, delete_entries, error))
    goto out;
  changes = sqlite3_changes (self->db);

  expired = haven_outbox_commit (self, error);

out:
  if (!expired)
    haven_outbox_rollback (self);
  else if (changes > 0)
    haven_outbox_checkpoint (self);
  g_mutex_unlock (&self->lock);

  if (n_expired != NULL)
    *n_expired = expired ? changes : 0;
  return expired;
}

gboolean
haven_outbox_get_next_expiry (HavenOutbox  *self,
                              gint64       *next_expiry,
                              GError      **error)
{
  sqlite3_int64 delivered = 0;
  sqlite3_int64 failed = 0;
  gboolean read;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (next_expiry != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* min() of no rows is NULL, read as 0: then there is nothing to expire. */
  g_mutex_lock (&self->lock);
  read = haven_outbox_query_int (self,
                                 "SELECT min (finished_at) FROM entries WHERE state = 'delivered'",
                                 &delivered, error) &&
         haven_outbox_query_int (self,
                                 "SELECT min (finished_at) FROM entries WHERE state = 'failed'",
                                 &failed, error);
  *next_expiry = G_MAXINT64;
  if (read && delivered > 0)
    *next_expiry = MIN (*next_expiry, delivered + HAVEN_OUTBOX_KEEP_FINISHED);
  if (read && failed > 0)
    *next_expiry = MIN (*next_expiry, failed + self->failed_retention);
  g_mutex_unlock (&self->lock);

  return read;
}
