/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver-store"

#include "config.h"

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

  return g_str_has_prefix (location, "postgresql://") ||
         g_str_has_prefix (location, "postgres://");
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

/* The caseworker API ------------------------------------------------------ */

void
haven_receiver_credential_free (HavenReceiverCredential *credential)
{
  if (credential == NULL)
    return;

  g_free (credential->name);
  g_free (credential->role);
  g_free (credential->issued_at);
  g_free (credential->revoked_at);
  g_free (credential);
}

void
haven_receiver_case_free (HavenReceiverCase *receiver_case)
{
  if (receiver_case == NULL)
    return;

  g_free (receiver_case->case_reference);
  g_free (receiver_case->kind);
  g_free (receiver_case->category);
  g_free (receiver_case->locale);
  g_free (receiver_case->kiosk_id);
  g_free (receiver_case->created_at);
  g_free (receiver_case->received_at);
  g_free (receiver_case->state);
  g_free (receiver_case->updated_at);
  g_free (receiver_case->closed_at);
  g_free (receiver_case->body_destroyed_at);
  g_free (receiver_case->received_at_key);
  g_free (receiver_case);
}

void
haven_receiver_case_event_free (HavenReceiverCaseEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->type);
  g_free (event->state);
  g_free (event->sealed_note);
  g_free (event->outcome);
  g_free (event->platform_reference);
  g_free (event->hosting_provider);
  g_free (event->actor);
  g_free (event->at);
  g_free (event);
}

void
haven_receiver_audit_entry_free (HavenReceiverAuditEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->at);
  g_free (entry->actor);
  g_free (entry->role);
  g_free (entry->action);
  g_free (entry->case_reference);
  g_free (entry->remote);
  g_free (entry->prev_hash);
  g_free (entry->row_hash);
  g_free (entry);
}

/**
 * haven_receiver_store_now_text:
 *
 * Returns: the time now as the store writes it: RFC 3339 UTC with
 *   microseconds, always as long, so that such texts sort as times
 */
char *
haven_receiver_store_now_text (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/**
 * haven_receiver_case_state_can_follow:
 *
 * Returns: whether a case in state @from may be moved to @to
 *   (haven-caseworker-api-v1.md): received → open; open → waiting or
 *   closed; waiting → open or closed; closed → open (the caller checks
 *   that its body is still there).
 */
gboolean
haven_receiver_case_state_can_follow (const char *from,
                                      const char *to)
{
  static const char * const transitions[][2] = {
    { "received", "open" },
    { "open", "waiting" },
    { "open", "closed" },
    { "waiting", "open" },
    { "waiting", "closed" },
    { "closed", "open" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (transitions); i++)
    {
      if (g_strcmp0 (from, transitions[i][0]) == 0 && g_strcmp0 (to, transitions[i][1]) == 0)
        return TRUE;
    }

  return FALSE;
}

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
 * haven_receiver_store_add_credential:
 * @role: "kiosk" or "caseworker"
 * @token_sha256: the SHA-256 (hex) of the token; the token itself is
 *   never stored
 *
 * Fails with %HAVEN_RECEIVER_STORE_ERROR_DUPLICATE when @name is taken.
 */
gboolean
haven_receiver_store_add_credential (HavenReceiverStore  *self,
                                     const char          *name,
                                     const char          *role,
                                     const char          *token_sha256,
                                     GError             **error)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (g_strcmp0 (role, "kiosk") == 0 || g_strcmp0 (role, "caseworker") == 0,
                        FALSE);
  g_return_val_if_fail (token_sha256 != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return HAVEN_RECEIVER_STORE_GET_CLASS (self)->add_credential (self, name, role, token_sha256,
                                                                error);
}

/**
 * haven_receiver_store_revoke_credential:
 * @revoked: (out): FALSE when no valid credential has @name
 *
 * Revokes @name at once: every receiver on the database checks each
 * request against it.
 */
gboolean
haven_receiver_store_revoke_credential (HavenReceiverStore  *self,
                                        const char          *name,
                                        gboolean            *revoked,
                                        GError             **error)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (revoked != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *revoked = FALSE;
  return HAVEN_RECEIVER_STORE_GET_CLASS (self)->revoke_credential (self, name, revoked, error);
}

/**
 * haven_receiver_store_list_credentials:
 *
 * Returns: (transfer full) (element-type HavenReceiverCredential): every
 *   credential by name, revoked ones too
 */
GPtrArray *
haven_receiver_store_list_credentials (HavenReceiverStore  *self,
                                       GError             **error)
{
  g_autoptr(GPtrArray) credentials = NULL;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  credentials = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_receiver_credential_free);
  if (!HAVEN_RECEIVER_STORE_GET_CLASS (self)->list_credentials (self, credentials, error))
    return NULL;

  return g_steal_pointer (&credentials);
}

/**
 * haven_receiver_store_find_credential:
 * @token: the bearer token a client presented
 * @role: (out) (transfer full): "kiosk" or "caseworker"; NULL when @token
 *   is no valid credential's
 * @name: (out) (transfer full): the credential's name, or NULL
 *
 * Looks @token up by its SHA-256, so that the token itself is never
 * compared (nor stored); a revoked credential is not found. Reads the
 * database each time, so a revocation counts at once on every receiver.
 */
gboolean
haven_receiver_store_find_credential (HavenReceiverStore  *self,
                                      const char          *token,
                                      char               **role,
                                      char               **name,
                                      GError             **error)
{
  g_autofree char *token_sha256 = NULL;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (token != NULL, FALSE);
  g_return_val_if_fail (role != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *role = NULL;
  *name = NULL;
  token_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);

  return HAVEN_RECEIVER_STORE_GET_CLASS (self)->lookup_credential (self, token_sha256, name, role,
                                                                   error);
}

/**
 * haven_receiver_store_list_cases:
 * @filter: which cases, and the page
 *
 * Returns: (transfer full) (element-type HavenReceiverCase): at most
 *   @filter->limit cases, newest first by received_at then case_reference
 */
GPtrArray *
haven_receiver_store_list_cases (HavenReceiverStore             *self,
                                 const HavenReceiverCaseFilter  *filter,
                                 GError                        **error)
{
  g_autoptr(GPtrArray) cases = NULL;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), NULL);
  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail ((filter->after_received_at == NULL) ==
                        (filter->after_case_reference == NULL), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cases = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_receiver_case_free);
  if (!HAVEN_RECEIVER_STORE_GET_CLASS (self)->list_cases (self, filter, cases, error))
    return NULL;

  return g_steal_pointer (&cases);
}

/**
 * haven_receiver_store_get_case:
 * @receiver_case: (out) (transfer full): the case, or NULL when there is
 *   none by @case_reference
 * @events: (out) (optional) (transfer full) (element-type HavenReceiverCaseEvent):
 *   its events, oldest first
 */
gboolean
haven_receiver_store_get_case (HavenReceiverStore  *self,
                               const char          *case_reference,
                               HavenReceiverCase  **receiver_case,
                               GPtrArray          **events,
                               GError             **error)
{
  g_autoptr(GPtrArray) found_events = NULL;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (case_reference != NULL, FALSE);
  g_return_val_if_fail (receiver_case != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *receiver_case = NULL;
  found_events = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_receiver_case_event_free);
  if (!HAVEN_RECEIVER_STORE_GET_CLASS (self)->get_case (self, case_reference, receiver_case,
                                                        found_events, error))
    return FALSE;

  if (events != NULL)
    *events = g_steal_pointer (&found_events);
  return TRUE;
}

/**
 * haven_receiver_store_get_body:
 * @found: (out): whether there is a case by @case_reference
 * @body: (out) (transfer full): its body exactly as stored; NULL once
 *   retention destroyed it
 * @sealed: (out): whether the body is a sealed box
 */
gboolean
haven_receiver_store_get_body (HavenReceiverStore  *self,
                               const char          *case_reference,
                               gboolean            *found,
                               GBytes             **body,
                               gboolean            *sealed,
                               GError             **error)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (case_reference != NULL, FALSE);
  g_return_val_if_fail (found != NULL && body != NULL && sealed != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *found = FALSE;
  *body = NULL;
  *sealed = FALSE;
  return HAVEN_RECEIVER_STORE_GET_CLASS (self)->get_body (self, case_reference, found, body,
                                                          sealed, error);
}

/**
 * haven_receiver_store_add_event:
 * @actor: the credential's name; an Idempotency-Key is its actor's
 * @key: the Idempotency-Key
 * @request_sha256: the SHA-256 (hex) of the request, to tell a repeat from
 *   another request under the same key
 * @event: what to add: type and its fields (id, actor and at are ignored)
 * @result: (out): what came of it
 * @stored: (out) (transfer full): for CREATED and REPEATED, the event as
 *   stored; NULL otherwise
 * @current_state: (out) (transfer full): the case's state afterwards (for
 *   BAD_TRANSITION, its unchanged state); NULL without a case
 *
 * Adds an event to a case in one transaction with the change of state it
 * makes, checking the transition against the state it reads there.
 */
gboolean
haven_receiver_store_add_event (HavenReceiverStore            *self,
                                const char                    *case_reference,
                                const char                    *actor,
                                const char                    *key,
                                const char                    *request_sha256,
                                const HavenReceiverCaseEvent  *event,
                                HavenReceiverEventResult      *result,
                                HavenReceiverCaseEvent       **stored,
                                char                         **current_state,
                                GError                       **error)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (case_reference != NULL && actor != NULL && key != NULL, FALSE);
  g_return_val_if_fail (request_sha256 != NULL && event != NULL && event->type != NULL, FALSE);
  g_return_val_if_fail (result != NULL && stored != NULL && current_state != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *stored = NULL;
  *current_state = NULL;
  return HAVEN_RECEIVER_STORE_GET_CLASS (self)->add_event (self, case_reference, actor, key,
                                                           request_sha256, event, result, stored,
                                                           current_state, error);
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
 * Appends one row to the audit log, chained to the one before it. Appends
 * from any number of threads and receivers are put in one line.
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

/**
 * haven_receiver_store_list_audit:
 * @case_reference: (nullable): only this case's rows
 * @actor: (nullable): only this actor's rows
 * @after_id: only rows after this id (0 for all)
 * @limit: at most this many
 *
 * Returns: (transfer full) (element-type HavenReceiverAuditEntry): the
 *   rows, oldest first
 */
GPtrArray *
haven_receiver_store_list_audit (HavenReceiverStore  *self,
                                 const char          *case_reference,
                                 const char          *actor,
                                 gint64               after_id,
                                 guint                limit,
                                 GError             **error)
{
  g_autoptr(GPtrArray) entries = NULL;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_receiver_audit_entry_free);
  if (!HAVEN_RECEIVER_STORE_GET_CLASS (self)->list_audit (self, case_reference, actor, after_id,
                                                          limit, entries, error))
    return NULL;

  return g_steal_pointer (&entries);
}

#define VERIFY_PAGE 1000

/**
 * haven_receiver_store_verify_audit:
 * @n_rows: (out): how many rows were checked
 * @bad_id: (out): the id of the first row whose chain is broken (its hash
 *   is not that of its text, it does not follow the row before it, or a
 *   row before it is missing); -1 when the whole chain holds
 *
 * Reads the whole audit log and computes each row's hash again.
 */
gboolean
haven_receiver_store_verify_audit (HavenReceiverStore  *self,
                                   guint64             *n_rows,
                                   gint64              *bad_id,
                                   GError             **error)
{
  g_autofree char *prev_hash = g_strdup (HAVEN_RECEIVER_AUDIT_GENESIS);
  gint64 prev_id = 0;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), FALSE);
  g_return_val_if_fail (n_rows != NULL && bad_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *n_rows = 0;
  *bad_id = -1;

  for (;;)
    {
      g_autoptr(GPtrArray) entries = haven_receiver_store_list_audit (self, NULL, NULL, prev_id,
                                                                      VERIFY_PAGE, error);

      if (entries == NULL)
        return FALSE;

      for (guint i = 0; i < entries->len; i++)
        {
          HavenReceiverAuditEntry *entry = g_ptr_array_index (entries, i);
          g_autofree char *hash = haven_receiver_audit_entry_hash (entry);

          (*n_rows)++;
          if (entry->id != prev_id + 1 || g_strcmp0 (entry->prev_hash, prev_hash) != 0 ||
              g_strcmp0 (entry->row_hash, hash) != 0)
            {
              *bad_id = entry->id;
              return TRUE;
            }

          prev_id = entry->id;
          g_free (prev_hash);
          prev_hash = g_strdup (entry->row_hash);
        }

      if (entries->len < VERIFY_PAGE)
        return TRUE;
    }
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

/* The notice report ------------------------------------------------------- */

void
haven_receiver_item_outcome_free (HavenReceiverItemOutcome *outcome)
{
  if (outcome == NULL)
    return;

  g_free (outcome->case_reference);
  g_free (outcome->category);
  g_free (outcome->outcome);
  g_free (outcome->hosting_provider);
  g_free (outcome);
}

/* Counts one address, whose events are @outcomes[@first] to [@end - 1],
 * oldest first: its hosting provider is that of its first notice, its
 * action what its latest outcome stands for. */
static void
count_address (HavenNoticeReport *report,
               GPtrArray         *outcomes,
               guint              first,
               guint              end)
{
  HavenReceiverItemOutcome *latest = g_ptr_array_index (outcomes, end - 1);
  const char *provider = NULL;
  const char *action = haven_notice_report_action_for_outcome (latest->outcome);

  for (guint i = first; i < end && provider == NULL; i++)
    {
      HavenReceiverItemOutcome *outcome = g_ptr_array_index (outcomes, i);

      if (g_strcmp0 (outcome->outcome, "notice-sent") == 0)
        provider = outcome->hosting_provider != NULL ? outcome->hosting_provider
                                                     : HAVEN_NOTICE_REPORT_UNRECORDED;
    }

  /* The store chose the address for its first notice, so it has one; an
   * outcome the API does not know could only come from behind its back. */
  if (provider == NULL || action == NULL)
    {
      g_message ("An address of case %s has no notice or an unknown outcome; the notice "
                 "report leaves it out", latest->case_reference);
      return;
    }

  haven_notice_report_add_address (report, latest->case_reference, provider,
                                   latest->category != NULL ? latest->category
                                                            : HAVEN_NOTICE_REPORT_UNRECORDED,
                                   action);
}

/**
 * haven_receiver_store_notice_report:
 * @from: the first day, "YYYY-MM-DD" (UTC)
 * @to: the last day, "YYYY-MM-DD" (UTC)
 *
 * Counts the addresses whose first notice went out from @from 00:00:00Z
 * to @to 23:59:59.999999Z, by hosting provider, category and action as
 * they stand now (haven-caseworker-api-v1.md, "Notice report"). The
 * counting is the same whichever the store: it only lists the events.
 *
 * Returns: (transfer full): the report, or NULL with @error, in
 *   HAVEN_NOTICE_REPORT_ERROR for a range a report may not cover
 */
HavenNoticeReport *
haven_receiver_store_notice_report (HavenReceiverStore  *self,
                                    const char          *from,
                                    const char          *to,
                                    GError             **error)
{
  g_autoptr(HavenNoticeReport) report = NULL;
  g_autoptr(GPtrArray) outcomes = NULL;
  g_autofree char *first_at = NULL;
  g_autofree char *last_at = NULL;
  guint first = 0;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  report = haven_notice_report_new (from, to, error);
  if (report == NULL)
    return NULL;

  /* As haven_receiver_store_now_text() writes times, so that they compare
   * as text on SQLite; PostgreSQL reads them as timestamps. */
  first_at = g_strconcat (from, "T00:00:00.000000Z", NULL);
  last_at = g_strconcat (to, "T23:59:59.999999Z", NULL);
  outcomes = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_receiver_item_outcome_free);
  if (!HAVEN_RECEIVER_STORE_GET_CLASS (self)->list_notice_outcomes (self, first_at, last_at,
                                                                    outcomes, error))
    return NULL;

  for (guint i = 1; i <= outcomes->len; i++)
    {
      HavenReceiverItemOutcome *start = g_ptr_array_index (outcomes, first);
      HavenReceiverItemOutcome *next = i < outcomes->len ? g_ptr_array_index (outcomes, i) : NULL;

      if (next != NULL && next->item == start->item &&
          g_str_equal (next->case_reference, start->case_reference))
        continue;

      count_address (report, outcomes, first, i);
      first = i;
    }

  return g_steal_pointer (&report);
}
