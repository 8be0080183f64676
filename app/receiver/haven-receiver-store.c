/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver-store"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "haven-receiver-pg-store.h"
#include "haven-receiver-sqlite-store.h"
#include "haven-receiver-store.h"

/* Where the receiver keeps what it accepted: every submission, keyed by
 * request_id, and the history of each Idempotency-Key, so that a repeated
 * key gets the first answer again (haven-api-v1.md, "Exactly once"), even
 * after a restart and whichever receiver of a fleet the repeat reaches.
 *
 * Two databases stand behind this one class: SQLite for one machine, and
 * PostgreSQL for any number of receivers serving the same kiosks. It is
 * an abstract class rather than an interface because both share the
 * instance id and the argument checks, which then live here once; each
 * subclass only says how its database keeps the rules. Exactly once is
 * kept by the database alone (unique keys, and a claim row that names
 * the instance that holds it and since when), never by one process's
 * memory. The bodies are what visitors wrote: nothing here ever logs one. */

typedef struct
{
  /* Who holds a claim, in the claim row: host, process and a random part,
   * so that two receivers never share it, even after a pid is reused. */
  char *instance_id;
} HavenReceiverStorePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (HavenReceiverStore, haven_receiver_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-receiver-store-error-quark, haven_receiver_store_error)

static void
haven_receiver_store_finalize (GObject *object)
{
  HavenReceiverStore *self = HAVEN_RECEIVER_STORE (object);
  HavenReceiverStorePrivate *priv = haven_receiver_store_get_instance_private (self);

  g_clear_pointer (&priv->instance_id, g_free);

  G_OBJECT_CLASS (haven_receiver_store_parent_class)->finalize (object);
}

static void
haven_receiver_store_class_init (HavenReceiverStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_receiver_store_finalize;
}

static void
haven_receiver_store_init (HavenReceiverStore *self)
{
  HavenReceiverStorePrivate *priv = haven_receiver_store_get_instance_private (self);

  priv->instance_id = g_strdup_printf ("%s:%ld:%08" G_GINT32_MODIFIER "x", g_get_host_name (),
                                       (long) getpid (), g_random_int ());
}

/**
 * haven_receiver_store_is_uri:
 *
 * Returns: whether @location names a PostgreSQL database
 *   ("postgresql://…" or "postgres://…") rather than a SQLite file
 */
gboolean
haven_receiver_store_is_uri (const char *location)
{
  g_return_val_if_fail (location != NULL, FALSE);

  return g_str_has_prefix (location, "postgresql://") || g_str_has_prefix (location, "postgres://");
}

/**
 * haven_receiver_store_open:
 * @location: a SQLite database file, or a PostgreSQL connection URI
 *
 * Opens the database and brings its schema up to date.
 */
HavenReceiverStore *
haven_receiver_store_open (const char  *location,
                           GError     **error)
{
  g_return_val_if_fail (location != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (haven_receiver_store_is_uri (location))
    return HAVEN_RECEIVER_STORE (haven_receiver_pg_store_open (location, error));

  return HAVEN_RECEIVER_STORE (haven_receiver_sqlite_store_open (location, error));
}

/**
 * haven_receiver_store_get_instance_id:
 *
 * Returns: what this store writes in the claims it takes: the host name,
 *   the process id and a random part, made when the store was made
 */
const char *
haven_receiver_store_get_instance_id (HavenReceiverStore *self)
{
  HavenReceiverStorePrivate *priv = haven_receiver_store_get_instance_private (self);

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), NULL);

  return priv->instance_id;
}

/**
 * haven_receiver_store_claim:
 * @client_id: who sent the request ("cert:…", "token:…" or "anonymous");
 *   a key belongs to the client that first used it
 * @key: the Idempotency-Key, which is also the request_id
 * @kind: the endpoint the request came to
 * @body_sha256: the SHA-256 of the body as received, in hexadecimal
 * @stale_after: seconds after which an in-flight claim is taken to be
 *   left behind by a receiver that stopped before it finished
 * @claim: (out): what the key's history says to do
 * @response_status: (out): for %HAVEN_RECEIVER_CLAIM_DONE, the status of
 *   the first answer
 * @response_body: (out) (transfer full): for %HAVEN_RECEIVER_CLAIM_DONE,
 *   the body of the first answer; %NULL otherwise
 *
 * Looks @key up and, when it is new (or its claim is stale), marks it in
 * flight for this caller, who then either calls
 * haven_receiver_store_accept() or haven_receiver_store_release(). The mark
 * is committed before this returns, so any other thread, process or
 * receiver sees it; of two attempts that claim the same key at once,
 * exactly one gets %HAVEN_RECEIVER_CLAIM_NEW.
 *
 * A different @kind counts as a different body; another @client_id gets
 * %HAVEN_RECEIVER_CLAIM_MISMATCH and can neither take the claim over nor
 * see the answer.
 */
gboolean
haven_receiver_store_claim (HavenReceiverStore  *self,
                            const char          *client_id,
                            const char          *key,
                            HavenRequestKind     kind,
                            const char          *body_sha256,
                            gint64               stale_after,
                            HavenReceiverClaim  *claim,
                            guint               *response_status,
                            char               **response_body,
                            GError             **error)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (client_id != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (body_sha256 != NULL, FALSE);
  g_return_val_if_fail (claim != NULL, FALSE);
  g_return_val_if_fail (response_status != NULL, FALSE);
  g_return_val_if_fail (response_body != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *response_status = 0;
  *response_body = NULL;

  return HAVEN_RECEIVER_STORE_GET_CLASS (self)->claim (self, client_id, key, kind, body_sha256,
                                                       stale_after, claim, response_status,
                                                       response_body, error);
}

/**
 * haven_receiver_store_accept:
 * @client_id: as given to haven_receiver_store_claim()
 * @key: a key this caller claimed with haven_receiver_store_claim()
 * @body: the request's body exactly as received, sealed or JSON
 * @sealed: whether @body is a sealed box
 * @envelope: (nullable): what the kiosk said of the request beside a
 *   sealed body, or what the JSON says; stored as columns, or NULLs
 * @case_reference: the reference to give it; must be unused
 * @response_status: the status of the answer, kept for repeats
 * @response_body: the body of the answer, kept for repeats
 *
 * Stores the request and marks its key done with the answer, in one
 * transaction, provided this instance still holds the claim. Fails with
 * %HAVEN_RECEIVER_STORE_ERROR_DUPLICATE, and changes nothing, when
 * @case_reference is already taken: the caller makes another and tries
 * again.
 */
gboolean
haven_receiver_store_accept (HavenReceiverStore         *self,
                             const char                 *client_id,
                             const char                 *key,
                             HavenRequestKind            kind,
                             GBytes                     *body,
                             gboolean                    sealed,
                             const HavenRequestEnvelope *envelope,
                             const char                 *case_reference,
                             guint                       response_status,
                             const char                 *response_body,
                             GError                    **error)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (client_id != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (body != NULL, FALSE);
  g_return_val_if_fail (case_reference != NULL, FALSE);
  g_return_val_if_fail (response_body != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return HAVEN_RECEIVER_STORE_GET_CLASS (self)->accept (self, client_id, key, kind, body,
                                                        !!sealed, envelope, case_reference,
                                                        response_status, response_body, error);
}

/**
 * haven_receiver_store_release:
 * @client_id: as given to haven_receiver_store_claim()
 * @key: a key this caller claimed with haven_receiver_store_claim()
 *
 * Gives up this instance's in-flight claim without storing anything, so
 * that the next attempt with @key is processed afresh. A key that is done
 * stays done, and a claim another instance has taken over stays its own.
 */
gboolean
haven_receiver_store_release (HavenReceiverStore  *self,
                              const char          *client_id,
                              const char          *key,
                              GError             **error)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (client_id != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return HAVEN_RECEIVER_STORE_GET_CLASS (self)->release (self, client_id, key, error);
}

/**
 * haven_receiver_store_release_stale:
 * @stale_after: seconds after which an in-flight claim is taken to be left
 *   behind
 * @n_released: (out) (optional): how many claims were released
 *
 * Releases the in-flight claims that a receiver which stopped before it
 * finished left behind, as at start-up.
 */
gboolean
haven_receiver_store_release_stale (HavenReceiverStore  *self,
                                    gint64               stale_after,
                                    guint               *n_released,
                                    GError             **error)
{
  guint n = 0;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!HAVEN_RECEIVER_STORE_GET_CLASS (self)->release_stale (self, stale_after, &n, error))
    return FALSE;

  if (n_released != NULL)
    *n_released = n;
  return TRUE;
}

void
haven_receiver_kiosk_free (HavenReceiverKiosk *kiosk)
{
  if (kiosk == NULL)
    return;

  g_free (kiosk->kiosk_id);
  g_free (kiosk->report);
  g_free (kiosk->received_from);
  g_free (kiosk);
}

/**
 * haven_receiver_store_record_kiosk_status:
 * @kiosk_id: the report's kiosk_id
 * @report: the report, validated, as a JSON object
 * @queued: the report's outbox.queued, kept beside it so a listing can
 *   say which kiosks are backed up
 * @received_at: when it arrived, Unix seconds
 * @received_from: the client that sent it
 *
 * Keeps @report as @kiosk_id's latest, in place of any earlier one: a
 * report is not idempotent, and the latest wins (haven-api-v1.md).
 */
gboolean
haven_receiver_store_record_kiosk_status (HavenReceiverStore  *self,
                                          const char          *kiosk_id,
                                          const char          *report,
                                          gint64               queued,
                                          gint64               received_at,
                                          const char          *received_from,
                                          GError             **error)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (kiosk_id != NULL, FALSE);
  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (received_from != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return HAVEN_RECEIVER_STORE_GET_CLASS (self)->record_kiosk_status (self, kiosk_id, report,
                                                                     queued, received_at,
                                                                     received_from, error);
}

/**
 * haven_receiver_store_list_kiosks:
 * @now: Unix seconds, what "silent" is measured from
 * @silent_after: seconds without a report after which a kiosk is silent
 * @backed_up_over: queued requests above which a kiosk is backed up
 *
 * Returns: (transfer full) (element-type HavenReceiverKiosk): every kiosk
 *   that ever reported, by kiosk_id, with its latest report; NULL on error
 */
GPtrArray *
haven_receiver_store_list_kiosks (HavenReceiverStore  *self,
                                  gint64               now,
                                  gint64               silent_after,
                                  gint64               backed_up_over,
                                  GError             **error)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), NULL);
  g_return_val_if_fail (silent_after >= 0 && backed_up_over >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return HAVEN_RECEIVER_STORE_GET_CLASS (self)->list_kiosks (self, now, silent_after,
                                                             backed_up_over, error);
}

/**
 * haven_receiver_store_destroy_due_bodies:
 * @now: Unix seconds, what the ages are measured from
 * @closed_days: a closed case's body goes this many days after closed_at
 * @max_days: any case's body goes this many days after received_at
 * @retention: (out caller-allocates): what was done
 *
 * Destroys the bodies that are due, in one transaction: each becomes NULL
 * and its case gets body_destroyed_at; the case's other columns stay.
 * @retention lists the cases, and the caller appends an audit row for
 * each (haven_receiver_retention_run()). On SQLite the bytes are
 * overwritten in the file as well (secure_delete) and the write-ahead log
 * is emptied after; on PostgreSQL only one instance runs a pass at a time,
 * and another that tries meanwhile skips it.
 */
gboolean
haven_receiver_store_destroy_due_bodies (HavenReceiverStore      *self,
                                         gint64                   now,
                                         guint                    closed_days,
                                         guint                    max_days,
                                         HavenReceiverRetention  *retention,
                                         GError                 **error)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (closed_days >= 1 && max_days >= closed_days, FALSE);
  g_return_val_if_fail (retention != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  haven_receiver_retention_clear (retention);
  *retention = (HavenReceiverRetention) { 0, };
  retention->closed_cases = g_ptr_array_new_with_free_func (g_free);
  retention->expired_cases = g_ptr_array_new_with_free_func (g_free);
  return HAVEN_RECEIVER_STORE_GET_CLASS (self)->destroy_due_bodies (self, now, closed_days,
                                                                    max_days, retention, error);
}

void
haven_receiver_retention_clear (HavenReceiverRetention *retention)
{
  g_clear_pointer (&retention->closed_cases, g_ptr_array_unref);
  g_clear_pointer (&retention->expired_cases, g_ptr_array_unref);
}

/* PROVISIONAL audit log, as the caseworker API's branch has it. ---------- */

static void
append_field (GString    *text,
              const char *field)
{
  /* Each field with its length, so that no choice of contents can make
   * two different rows read the same. NULL is not "". */
  if (field == NULL)
    g_string_append (text, "-\n");
  else
    g_string_append_printf (text, "%zu:%s\n", strlen (field), field);
}

/**
 * haven_receiver_audit_entry_hash:
 *
 * Returns: the SHA-256 (hex) of @entry's canonical text (every field but
 *   row_hash, the previous row's hash last), which is its row_hash
 */
char *
haven_receiver_audit_entry_hash (const HavenReceiverAuditEntry *entry)
{
  g_autoptr(GString) text = g_string_new ("haven-audit-1\n");
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, entry->id);
  g_autofree char *status = g_strdup_printf ("%u", entry->status);

  append_field (text, id);
  append_field (text, entry->at);
  append_field (text, entry->actor);
  append_field (text, entry->role);
  append_field (text, entry->action);
  append_field (text, entry->case_reference);
  append_field (text, entry->remote);
  append_field (text, status);
  append_field (text, entry->prev_hash);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text->str, text->len);
}

/**
 * haven_receiver_store_append_audit:
 * @actor: who: a credential's name, "operator:USER", or "(unknown)"
 * @role: "caseworker", "kiosk", "operator" or "none"
 * @action: what, such as "read-body"
 * @case_reference: (nullable): which case
 * @remote: from where: the client's address, or "local"
 * @status: the HTTP status answered, or 0 for the command line
 *
 * Appends one row to the audit log, chained to the one before it.
 */
gboolean
haven_receiver_store_append_audit (HavenReceiverStore  *self,
                                   const char          *actor,
                                   const char          *role,
                                   const char          *action,
                                   const char          *case_reference,
                                   const char          *remote,
                                   guint                status,
                                   GError             **error)
{
  HavenReceiverAuditEntry entry = { 0, };

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (actor != NULL && role != NULL && action != NULL, FALSE);
  g_return_val_if_fail (remote != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  entry.actor = (char *) actor;
  entry.role = (char *) role;
  entry.action = (char *) action;
  entry.case_reference = (char *) case_reference;
  entry.remote = (char *) remote;
  entry.status = status;

  return HAVEN_RECEIVER_STORE_GET_CLASS (self)->append_audit (self, &entry, error);
}
