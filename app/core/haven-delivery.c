/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-delivery"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "haven-backend.h"
#include "haven-delivery.h"
#include "haven-delivery-private.h"
#include "haven-request.h"

/* From the outbox to the backend, exactly once.
 *
 * Exactly once rests on the request_id being the Idempotency-Key: an entry
 * is claimed ('sending') before it is sent and its outcome recorded after
 * the answer, so a crash in between leaves it 'sending', the outbox queues
 * it again when next opened, and the backend answers the repeat with its
 * first answer. Nothing here deletes a request before a 201/200, or before
 * a permanent failure the visitor or the operator has been told about.
 *
 * Each answer is judged once, in classify(), by haven-api-v1.md's table. Answers
 * about one request (400, 409, 413, 422, 500) affect that request only;
 * answers about the kiosk or the backend as a whole (cannot connect,
 * busy, 401/403, a pin mismatch) stop a flush, since every other request
 * would meet the same, and the scheduler waits as the failed one does.
 *
 * A pin mismatch is the one failure that is never retried on a timer: the
 * kiosk may be talking to an impostor. The request stays queued with its
 * body (the impostor got none: the pin is checked before the body is
 * sent), the operator is alerted and nothing more is sent until the
 * backend settings change, or the process restarts (one handshake, no
 * body, and the same alert again).
 *
 * The outbox is SQLite with fsync on every commit, so its calls run in
 * worker threads: delivery never blocks the kiosk's main loop. */

/* Bytes of the backend's own words (a 400's field messages) kept for the
 * operator. */
#define MAX_OPERATOR_TEXT 512
#define MAX_FIELD_ERRORS 50
#define MAX_CASE_REFERENCE 64

/* RFC 6585; libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429

/* The settings that haven_backend_new_from_settings() reads. */
static const char * const backend_keys[] = {
  "backend-url",
  "ca-file",
  "pinned-keys",
  "token-file",
  "client-certificate-file",
  "client-key-file",
  "allow-insecure-loopback",
  "request-timeout",
  "default-language",
  NULL
};

static const char * const outcome_names[] = {
  [HAVEN_DELIVERY_OUTCOME_DELIVERED] = "delivered",
  [HAVEN_DELIVERY_OUTCOME_QUEUED] = "queued",
  [HAVEN_DELIVERY_OUTCOME_UNAUTHORISED] = "unauthorised",
  [HAVEN_DELIVERY_OUTCOME_BLOCKED] = "blocked",
  [HAVEN_DELIVERY_OUTCOME_INVALID] = "invalid",
  [HAVEN_DELIVERY_OUTCOME_REJECTED] = "rejected",
  [HAVEN_DELIVERY_OUTCOME_NOT_TRIED] = "not-tried",
};

typedef enum {
  RECORD_DELIVERED,
  RECORD_RETRY,
  RECORD_FAILED,
  /* A 400 the visitor was there to see: they fix it and confirm anew. */
  RECORD_PURGE,
} RecordAction;

struct _HavenDelivery
{
  GObject parent_instance;

  GSettings *settings;
  HavenOutbox *outbox;
  /* NULL while the settings cannot be used. */
  HavenBackend *backend;
  GNetworkMonitor *network_monitor;
  /* Every attempt is cancelled with it, by stop() and dispose. */
  GCancellable *cancellable;

  char *operator_alert;
  gboolean blocked;
  /* request_id -> Attempt: what is being sent now, so that nobody in this
   * process sends it a second time meanwhile. */
  GHashTable *attempts;
  /* request_id -> gint64: the backend's Retry-After, kept even by a flush
   * of everything. */
  GHashTable *not_before;

  GTimeSpan backoff_base;
  GTimeSpan backoff_cap;
  guint concurrency;

  /* The scheduler. */
  gboolean started;
  gboolean network_available;
  gboolean running;
  gboolean run_again;
  HavenDeliveryFlushFlags run_again_flags;
  guint timeout_id;
  guint rebuild_id;
  gulong settings_changed_id;
  gulong network_changed_id;
};

G_DEFINE_FINAL_TYPE (HavenDelivery, haven_delivery, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-delivery-error-quark, haven_delivery_error)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_OUTBOX,
  PROP_OPERATOR_ALERT,
  PROP_BLOCKED,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

/* One send of one entry, and everyone waiting for its outcome. */
typedef struct {
  HavenDelivery *self;

  char *request_id;
  HavenRequestKind kind;
  gboolean sealed;
  guint attempts;
  GBytes *body;
  char *language;
  gboolean for_visitor;

  HavenBackend *backend;
  SoupMessage *message;
  GCancellable *cancellable;
  GCancellable *linked[2];
  gulong linked_ids[2];

  HavenDeliveryResult *result;
  RecordAction action;
  /* The operator is to be told, though the request stays queued. */
  gboolean alert;

  /* GTask *, each returning a copy of the result. */
  GPtrArray *waiters;
} Attempt;

static void run (HavenDelivery           *self,
                 HavenDeliveryFlushFlags  flags);

/* Results. */

HavenDeliveryResult *
haven_delivery_result_copy (const HavenDeliveryResult *result)
{
  HavenDeliveryResult *copy;

  g_return_val_if_fail (result != NULL, NULL);

  copy = g_new0 (HavenDeliveryResult, 1);
  copy->request_id = g_strdup (result->request_id);
  copy->outcome = result->outcome;
  copy->status = result->status;
  copy->case_reference = g_strdup (result->case_reference);
  if (result->field_errors != NULL)
    copy->field_errors = g_hash_table_ref (result->field_errors);
  copy->message = g_strdup (result->message);
  copy->next_attempt_at = result->next_attempt_at;

  return copy;
}

void
haven_delivery_result_free (HavenDeliveryResult *result)
{
  if (result == NULL)
    return;

  g_free (result->request_id);
  g_free (result->case_reference);
  g_clear_pointer (&result->field_errors, g_hash_table_unref);
  g_free (result->message);
  g_free (result);
}

const char *
haven_delivery_outcome_to_string (HavenDeliveryOutcome outcome)
{
  g_return_val_if_fail (outcome <= HAVEN_DELIVERY_OUTCOME_NOT_TRIED, NULL);

  return outcome_names[outcome];
}

gboolean
haven_delivery_outcome_is_kept (HavenDeliveryOutcome outcome)
{
  return outcome == HAVEN_DELIVERY_OUTCOME_QUEUED ||
         outcome == HAVEN_DELIVERY_OUTCOME_UNAUTHORISED ||
         outcome == HAVEN_DELIVERY_OUTCOME_BLOCKED ||
         outcome == HAVEN_DELIVERY_OUTCOME_NOT_TRIED;
}

static HavenDeliveryResult *
result_new (const char           *request_id,
            HavenDeliveryOutcome  outcome)
{
  HavenDeliveryResult *result = g_new0 (HavenDeliveryResult, 1);

  result->request_id = g_strdup (request_id);
  result->outcome = outcome;

  return result;
}

/* The answer concerns the kiosk or the backend as a whole, not this one
 * request: every other request would meet the same now. */
static gboolean
result_halts (const HavenDeliveryResult *result)
{
  switch (result->outcome)
    {
    case HAVEN_DELIVERY_OUTCOME_UNAUTHORISED:
    case HAVEN_DELIVERY_OUTCOME_BLOCKED:
      return TRUE;

    case HAVEN_DELIVERY_OUTCOME_QUEUED:
      return result->status == 0 ||
             result->status == STATUS_TOO_MANY_REQUESTS ||
             result->status == SOUP_STATUS_BAD_GATEWAY ||
             result->status == SOUP_STATUS_SERVICE_UNAVAILABLE ||
             result->status == SOUP_STATUS_GATEWAY_TIMEOUT;

    case HAVEN_DELIVERY_OUTCOME_DELIVERED:
    case HAVEN_DELIVERY_OUTCOME_INVALID:
    case HAVEN_DELIVERY_OUTCOME_REJECTED:
    case HAVEN_DELIVERY_OUTCOME_NOT_TRIED:
    default:
      return FALSE;
    }
}

/* The result for an entry nobody here is sending. */
static HavenDeliveryResult *
result_for_entry (const HavenOutboxEntry *entry)
{
  HavenDeliveryResult *result;

  switch (entry->state)
    {
    case HAVEN_OUTBOX_STATE_DELIVERED:
      result = result_new (entry->request_id, HAVEN_DELIVERY_OUTCOME_DELIVERED);
      result->case_reference = g_strdup (entry->case_reference);
      return result;

    case HAVEN_OUTBOX_STATE_FAILED:
      result = result_new (entry->request_id, HAVEN_DELIVERY_OUTCOME_REJECTED);
      result->message = g_strdup (entry->last_error);
      return result;

    case HAVEN_OUTBOX_STATE_SENDING:
      result = result_new (entry->request_id, HAVEN_DELIVERY_OUTCOME_NOT_TRIED);
      result->message = g_strdup (_("Another process is sending it"));
      return result;

    case HAVEN_OUTBOX_STATE_QUEUED:
    default:
      result = result_new (entry->request_id, HAVEN_DELIVERY_OUTCOME_NOT_TRIED);
      result->message = g_strdup (entry->last_error);
      result->next_attempt_at = entry->next_attempt_at;
      return result;
    }
}

/* Backoff and Retry-After. */

GTimeSpan
haven_delivery_backoff_ceiling (guint     attempts,
                                GTimeSpan base,
                                GTimeSpan cap)
{
  GTimeSpan ceiling = base;

  g_return_val_if_fail (base > 0 && cap >= base, 0);

  for (guint i = 1; i < attempts && ceiling < cap; i++)
    ceiling *= 2;

  return MIN (ceiling, cap);
}

GTimeSpan
haven_delivery_backoff_delay (guint     attempts,
                              GTimeSpan base,
                              GTimeSpan cap)
{
  GTimeSpan ceiling = haven_delivery_backoff_ceiling (attempts, base, cap);
  GTimeSpan floor = MIN (base / 10, ceiling);

  /* Full jitter: kiosks that lost the backend together do not all come
   * back at the same moment. The floor keeps a run of bad luck from
   * retrying at once. */
  return floor + (GTimeSpan) (g_random_double () * (double) (ceiling - floor));
}

GTimeSpan
haven_delivery_parse_retry_after (const char *value,
                                  gint64      now)
{
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) date = NULL;
  guint64 seconds = 0;
  GTimeSpan delay;

  if (value == NULL)
    return -1;

  text = g_strstrip (g_strdup (value));
  if (text[0] >= '0' && text[0] <= '9')
    {
      if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &seconds, NULL))
        return -1;
      if (seconds > (guint64) (HAVEN_DELIVERY_MAX_RETRY_AFTER / G_TIME_SPAN_SECOND))
        return HAVEN_DELIVERY_MAX_RETRY_AFTER;
      return (GTimeSpan) seconds * G_TIME_SPAN_SECOND;
    }

  date = soup_date_time_new_from_http_string (text);
  if (date == NULL)
    return -1;

  delay = g_date_time_to_unix (date) * G_TIME_SPAN_SECOND - now;
  return CLAMP (delay, 0, HAVEN_DELIVERY_MAX_RETRY_AFTER);
}

/* Operator text. */

/* The backend's words, fit to be kept for the operator: valid UTF-8, no
 * control characters, at most @max_chars characters. */
static void
append_sanitised (GString    *string,
                  const char *text,
                  gsize       max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  const char *c = valid;

  for (gsize n = 0; *c != '\0' && n < max_chars; c = g_utf8_next_char (c), n++)
    {
      gunichar character = g_utf8_get_char (c);

      if (g_unichar_iscntrl (character))
        g_string_append_c (string, ' ');
      else
        g_string_append_unichar (string, character);
    }

  if (*c != '\0')
    g_string_append (string, "…");
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* A 400's body: {"error": "...", "fields": {"items[0].url": "..."}}. The
 * field errors are what the page shows; the summary is what the operator
 * reads, with the paths and the backend's messages and nothing else. */
static GHashTable *
parse_field_errors (GBytes  *body,
                    char   **summary)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GHashTable) field_errors = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                              g_free, g_free);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree const char **paths = NULL;
  JsonNode *root;
  JsonObject *object = NULL;
  JsonNode *fields;
  const char *error;
  guint n_paths = 0;

  if (body != NULL &&
      json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                  NULL))
    {
      root = json_parser_get_root (parser);
      if (JSON_NODE_HOLDS_OBJECT (root))
        object = json_node_get_object (root);
    }

  fields = object != NULL ? json_object_get_member (object, "fields") : NULL;
  if (fields != NULL && JSON_NODE_HOLDS_OBJECT (fields))
    {
      JsonObjectIter iter;
      const char *path;
      JsonNode *message;

      json_object_iter_init (&iter, json_node_get_object (fields));
      while (json_object_iter_next (&iter, &path, &message) &&
             g_hash_table_size (field_errors) < MAX_FIELD_ERRORS)
        {
          g_autoptr(GString) clean_path = g_string_new (NULL);
          g_autoptr(GString) clean_message = g_string_new (NULL);

          append_sanitised (clean_path, path, 100);
          if (JSON_NODE_HOLDS_VALUE (message) &&
              json_node_get_value_type (message) == G_TYPE_STRING)
            append_sanitised (clean_message, json_node_get_string (message), 200);
          g_hash_table_replace (field_errors, g_string_free (g_steal_pointer (&clean_path), FALSE),
                                g_string_free (g_steal_pointer (&clean_message), FALSE));
        }
    }

  paths = (const char **) g_hash_table_get_keys_as_array (field_errors, &n_paths);
  qsort (paths, n_paths, sizeof *paths, compare_strings);
  for (guint i = 0; i < n_paths && text->len < MAX_OPERATOR_TEXT; i++)
    {
      const char *message = g_hash_table_lookup (field_errors, paths[i]);

      g_string_append_printf (text, "%s%s", i > 0 ? "; " : "", paths[i]);
      if (message[0] != '\0')
        g_string_append_printf (text, ": %s", message);
    }

  error = object != NULL ? json_object_get_string_member_with_default (object, "error", NULL)
                         : NULL;
  if (n_paths == 0 && error != NULL)
    append_sanitised (text, error, 200);

  if (text->len > 0)
    *summary = g_strdup_printf (_("The backend refused the request as invalid (HTTP 400): %s"),
                                text->str);
  else
    *summary = g_strdup (_("The backend refused the request as invalid (HTTP 400)"));

  return g_steal_pointer (&field_errors);
}

/* The case reference of a 201/200, or NULL when the answer has none fit to
 * show a visitor. */
static char *
parse_case_reference (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  const char *reference;

  if (body == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                   NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  reference = json_object_get_string_member_with_default (json_node_get_object (root),
                                                          "case_reference", NULL);
  if (reference == NULL || reference[0] == '\0' || strlen (reference) > MAX_CASE_REFERENCE)
    return NULL;

  for (const char *c = reference; *c != '\0'; c++)
    {
      if (!g_ascii_isgraph (*c))
        return NULL;
    }

  return g_strdup (reference);
}

/* State for the operator. */

static void
set_operator_alert (HavenDelivery *self,
                    const char    *alert)
{
  if (g_strcmp0 (self->operator_alert, alert) == 0)
    return;

  g_free (self->operator_alert);
  self->operator_alert = g_strdup (alert);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_OPERATOR_ALERT]);
}

static void
set_blocked (HavenDelivery *self,
             gboolean       blocked)
{
  if (self->blocked == blocked)
    return;

  self->blocked = blocked;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BLOCKED]);
}

/* Judging an answer. */

static void
set_retry (Attempt   *attempt,
           GTimeSpan  delay)
{
  attempt->action = RECORD_RETRY;
  attempt->result->next_attempt_at = g_get_real_time () + delay;
}

static void
set_backoff (Attempt   *attempt,
             GTimeSpan  at_least)
{
  HavenDelivery *self = attempt->self;
  GTimeSpan delay = haven_delivery_backoff_delay (attempt->attempts, self->backoff_base,
                                                  self->backoff_cap);

  set_retry (attempt, MAX (delay, at_least));
}

/* 409, 429 and 503 may say when to come back. */
static void
set_backoff_with_retry_after (Attempt *attempt)
{
  HavenDelivery *self = attempt->self;
  SoupMessageHeaders *headers = soup_message_get_response_headers (attempt->message);
  gint64 now = g_get_real_time ();
  GTimeSpan retry_after;

  retry_after = haven_delivery_parse_retry_after (soup_message_headers_get_one (headers,
                                                                                "Retry-After"),
                                                  now);
  set_backoff (attempt, retry_after);

  if (retry_after > 0)
    {
      gint64 *not_before = g_new (gint64, 1);

      /* No later than the next attempt, which came from a later clock
       * reading and perhaps a longer backoff. */
      *not_before = MIN (now + retry_after, attempt->result->next_attempt_at);
      g_hash_table_replace (self->not_before, g_strdup (attempt->request_id), not_before);
    }
}

static void
classify_error (Attempt      *attempt,
                const GError *error)
{
  HavenDelivery *self = attempt->self;
  HavenDeliveryResult *result = attempt->result;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The request may or may not have reached the backend: due again at
       * once, and the repeat is safe. */
      result->outcome = HAVEN_DELIVERY_OUTCOME_QUEUED;
      result->message = g_strdup (_("Sending was interrupted; it will be sent again"));
      set_retry (attempt, 0);
      return;
    }

  result->message = g_strdup (error->message);

  if (g_error_matches (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_PIN_MISMATCH))
    {
      result->outcome = HAVEN_DELIVERY_OUTCOME_BLOCKED;
      set_retry (attempt, self->backoff_cap);
      return;
    }

  /* Retried like any failure to connect, but this one will not go away
   * on its own: the kiosk's trust settings or the backend's certificate
   * need someone. */
  attempt->alert = g_error_matches (error, HAVEN_BACKEND_ERROR,
                                    HAVEN_BACKEND_ERROR_UNTRUSTED_CERTIFICATE) ||
                   g_error_matches (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_TLS);
  result->outcome = HAVEN_DELIVERY_OUTCOME_QUEUED;
  set_backoff (attempt, 0);
}

static void
classify_answer (Attempt *attempt,
                 GBytes  *body)
{
  HavenDelivery *self = attempt->self;
  HavenDeliveryResult *result = attempt->result;
  guint status = soup_message_get_status (attempt->message);

  result->status = status;

  switch (status)
    {
    case SOUP_STATUS_CREATED:
    case SOUP_STATUS_OK:
      result->case_reference = parse_case_reference (body);
      if (result->case_reference != NULL)
        {
          result->outcome = HAVEN_DELIVERY_OUTCOME_DELIVERED;
          attempt->action = RECORD_DELIVERED;
          return;
        }

      /* The backend may well have the request, but without a reference
       * there is nothing to give the visitor or the operator: ask again,
       * which is safe and gets the same answer once the backend is fixed.
       * The operator sees why in the meantime. */
      result->outcome = HAVEN_DELIVERY_OUTCOME_QUEUED;
      result->message = g_strdup_printf (_("The backend accepted the request (HTTP %u) but its "
                                           "answer has no case reference"), status);
      set_backoff (attempt, 0);
      return;

    case SOUP_STATUS_BAD_REQUEST:
      result->outcome = HAVEN_DELIVERY_OUTCOME_INVALID;
      result->field_errors = parse_field_errors (body, &result->message);
      attempt->action = attempt->for_visitor ? RECORD_PURGE : RECORD_FAILED;
      return;

    case SOUP_STATUS_UNAUTHORIZED:
    case SOUP_STATUS_FORBIDDEN:
      result->outcome = HAVEN_DELIVERY_OUTCOME_UNAUTHORISED;
      result->message = g_strdup_printf (_("The backend refused this kiosk (HTTP %u): check "
                                           "token-file and the client certificate"), status);
      set_retry (attempt, self->backoff_cap);
      return;

    case SOUP_STATUS_CONFLICT:
      result->outcome = HAVEN_DELIVERY_OUTCOME_QUEUED;
      result->message = g_strdup (_("The backend is still processing an earlier attempt "
                                    "(HTTP 409)"));
      set_backoff_with_retry_after (attempt);
      return;

    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
      result->outcome = HAVEN_DELIVERY_OUTCOME_REJECTED;
      result->message = g_strdup (_("The backend refused the request as too large (HTTP 413)"));
      attempt->action = RECORD_FAILED;
      return;

    case SOUP_STATUS_UNPROCESSABLE_ENTITY:
      result->outcome = HAVEN_DELIVERY_OUTCOME_REJECTED;
      result->message = g_strdup (_("The backend already has a different request with this id "
                                    "(HTTP 422)"));
      attempt->action = RECORD_FAILED;
      return;

    case STATUS_TOO_MANY_REQUESTS:
    case SOUP_STATUS_SERVICE_UNAVAILABLE:
      result->outcome = HAVEN_DELIVERY_OUTCOME_QUEUED;
      result->message = g_strdup_printf (_("The backend is busy (HTTP %u)"), status);
      set_backoff_with_retry_after (attempt);
      return;

    default:
      break;
    }

  if (status >= 500 && status <= 599)
    {
      result->outcome = HAVEN_DELIVERY_OUTCOME_QUEUED;
      result->message = g_strdup_printf (_("The backend failed (HTTP %u)"), status);
      set_backoff (attempt, 0);
      return;
    }

  /* A 404, a 415, a redirect: no API v1 backend answers a submission so,
   * and it is not this request's doing. Keep everything and tell the
   * operator, rather than failing every request one after another. */
  result->outcome = HAVEN_DELIVERY_OUTCOME_UNAUTHORISED;
  result->message = g_strdup_printf (_("The backend answered HTTP %u, which API version 1 does "
                                       "not allow here: check backend-url and "
                                       "backend-public-key"), status);
  set_retry (attempt, self->backoff_cap);
}

/* Attempts. */

static void
attempt_free (Attempt *attempt)
{
  for (guint i = 0; i < G_N_ELEMENTS (attempt->linked); i++)
    {
      if (attempt->linked[i] != NULL)
        g_cancellable_disconnect (attempt->linked[i], attempt->linked_ids[i]);
      g_clear_object (&attempt->linked[i]);
    }
  g_clear_object (&attempt->cancellable);
  g_clear_object (&attempt->message);
  g_clear_object (&attempt->backend);
  g_clear_pointer (&attempt->result, haven_delivery_result_free);
  g_clear_pointer (&attempt->waiters, g_ptr_array_unref);
  g_clear_pointer (&attempt->body, g_bytes_unref);
  g_free (attempt->language);
  g_free (attempt->request_id);
  g_clear_object (&attempt->self);
  g_free (attempt);
}

static void
linked_cancelled_cb (GCancellable *cancellable,
                     GCancellable *attempt_cancellable)
{
  g_cancellable_cancel (attempt_cancellable);
}

static void
attempt_link_cancellable (Attempt      *attempt,
                          guint         slot,
                          GCancellable *cancellable)
{
  if (cancellable == NULL)
    return;

  attempt->linked[slot] = g_object_ref (cancellable);
  attempt->linked_ids[slot] = g_cancellable_connect (cancellable,
                                                     G_CALLBACK (linked_cancelled_cb),
                                                     attempt->cancellable, NULL);
}

static void
record_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  HavenDelivery *self = source_object;
  Attempt *attempt = task_data;
  HavenDeliveryResult *result = attempt->result;
  g_autoptr(GError) error = NULL;
  gboolean recorded = FALSE;

  switch (attempt->action)
    {
    case RECORD_DELIVERED:
      recorded = haven_outbox_record_delivered (self->outbox, attempt->request_id,
                                                result->case_reference, &error);
      break;

    case RECORD_RETRY:
      recorded = haven_outbox_record_retry (self->outbox, attempt->request_id,
                                            result->next_attempt_at, result->message, &error);
      break;

    case RECORD_FAILED:
      recorded = haven_outbox_record_failed (self->outbox, attempt->request_id, result->message,
                                             &error);
      break;

    case RECORD_PURGE:
      recorded = haven_outbox_purge (self->outbox, attempt->request_id, &error);
      break;

    default:
      g_assert_not_reached ();
    }

  /* The operator purged it while it was being sent: there is nothing left
   * to record the outcome in, and nothing wrong with that. */
  if (g_error_matches (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_FOUND))
    recorded = TRUE;

  if (recorded)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
attempt_recorded_cb (GObject      *object,
                     GAsyncResult *async_result,
                     gpointer      user_data)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);
  Attempt *attempt = user_data;
  HavenDeliveryResult *result = attempt->result;
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (async_result), &error);
  /* Once recorded, the entry may have been claimed and a new attempt made
   * before this callback ran; that one is left alone. */
  if (g_hash_table_lookup (self->attempts, attempt->request_id) == attempt)
    g_hash_table_remove (self->attempts, attempt->request_id);

  if (error == NULL)
    {
      switch (result->outcome)
        {
        case HAVEN_DELIVERY_OUTCOME_DELIVERED:
          g_hash_table_remove (self->not_before, attempt->request_id);
          /* The backend takes this kiosk's requests again. */
          if (!self->blocked && self->backend != NULL && attempt->backend == self->backend)
            set_operator_alert (self, NULL);
          break;

        case HAVEN_DELIVERY_OUTCOME_BLOCKED:
          /* Only if the settings that met the impostor are still the ones
           * in use: a change since has unblocked. */
          if (attempt->backend == self->backend)
            {
              set_blocked (self, TRUE);
              set_operator_alert (self, result->message);
            }
          break;

        case HAVEN_DELIVERY_OUTCOME_UNAUTHORISED:
          if (attempt->backend == self->backend)
            set_operator_alert (self, result->message);
          break;

        case HAVEN_DELIVERY_OUTCOME_INVALID:
          if (attempt->action == RECORD_PURGE)
            g_message ("Request %s was refused as invalid while the visitor was there to correct "
                       "it; it has been taken out of the outbox", attempt->request_id);
          break;

        case HAVEN_DELIVERY_OUTCOME_QUEUED:
          if (attempt->alert && attempt->backend == self->backend)
            set_operator_alert (self, result->message);
          break;

        case HAVEN_DELIVERY_OUTCOME_REJECTED:
        case HAVEN_DELIVERY_OUTCOME_NOT_TRIED:
        default:
          break;
        }
    }
  else
    {
      /* The outcome is lost, not the request: it stays 'sending' and is
       * queued again when the outbox is next opened. */
      g_warning ("The outcome of request %s cannot be recorded: %s", attempt->request_id,
                 error->message);
    }

  for (guint i = 0; i < attempt->waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (attempt->waiters, i);

      if (error != NULL)
        g_task_return_error (waiter, g_error_copy (error));
      else
        g_task_return_pointer (waiter, haven_delivery_result_copy (result),
                               (GDestroyNotify) haven_delivery_result_free);
    }

  attempt_free (attempt);
}

static void
attempt_record (Attempt *attempt)
{
  g_autoptr(GTask) task = NULL;

  /* Not cancellable: once there is an outcome, it must be kept. */
  task = g_task_new (attempt->self, NULL, attempt_recorded_cb, attempt);
  g_task_set_source_tag (task, attempt_record);
  g_task_set_task_data (task, attempt, NULL);
  g_task_run_in_thread (task, record_thread);
}

static void
attempt_sent_cb (GObject      *object,
                 GAsyncResult *async_result,
                 gpointer      user_data)
{
  Attempt *attempt = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;

  body = haven_backend_send_finish (HAVEN_BACKEND (object), async_result, &error);
  if (body == NULL)
    classify_error (attempt, error);
  else
    classify_answer (attempt, body);

  attempt_record (attempt);
}

/* Starts sending @entry, which this process has claimed. */
static Attempt *
attempt_start (HavenDelivery          *self,
               const HavenOutboxEntry *entry,
               gboolean                for_visitor,
               const char             *language,
               GCancellable           *cancellable)
{
  Attempt *attempt = g_new0 (Attempt, 1);

  g_assert (entry->body != NULL);

  attempt->self = g_object_ref (self);
  attempt->request_id = g_strdup (entry->request_id);
  attempt->kind = entry->kind;
  attempt->sealed = entry->sealed;
  attempt->attempts = entry->attempts;
  attempt->body = g_bytes_ref (entry->body);
  attempt->language = g_strdup (language);
  attempt->for_visitor = for_visitor;
  attempt->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  attempt->result = result_new (entry->request_id, HAVEN_DELIVERY_OUTCOME_QUEUED);
  attempt->cancellable = g_cancellable_new ();
  attempt_link_cancellable (attempt, 0, self->cancellable);
  attempt_link_cancellable (attempt, 1, cancellable);
  /* Replacing an attempt whose outcome is recorded already but whose
   * callback has not run yet: this process claimed the entry again. */
  g_hash_table_replace (self->attempts, attempt->request_id, attempt);

  /* The settings changed to something unusable, or an impostor was met,
   * since this entry was claimed: it goes back as it was. */
  if (self->backend == NULL || self->blocked)
    {
      attempt->result->outcome = self->blocked ? HAVEN_DELIVERY_OUTCOME_BLOCKED
                                               : HAVEN_DELIVERY_OUTCOME_UNAUTHORISED;
      attempt->result->message = g_strdup (self->operator_alert);
      set_retry (attempt, self->backoff_cap);
      attempt_record (attempt);
      return attempt;
    }

  attempt->backend = g_object_ref (self->backend);
  attempt->message = haven_backend_new_submission (attempt->backend,
                                                   haven_request_kind_get_path (attempt->kind),
                                                   attempt->request_id,
                                                   attempt->sealed ? HAVEN_API_CONTENT_TYPE_SEALED
                                                                   : HAVEN_API_CONTENT_TYPE_JSON,
                                                   attempt->body);
  if (language != NULL)
    {
      g_autofree char *language_tag = g_strdelimit (g_strdup (language), "_", '-');

      soup_message_headers_replace (soup_message_get_request_headers (attempt->message),
                                    "Accept-Language", language_tag);
    }

  haven_backend_send_async (attempt->backend, attempt->message, attempt->cancellable,
                            attempt_sent_cb, attempt);
  return attempt;
}

/* Threads for the outbox. */

typedef struct {
  char *request_id;
  gboolean claim;
  HavenOutboxEntry *entry;
  gboolean claimed;
} ClaimData;

static void
claim_data_free (ClaimData *data)
{
  g_free (data->request_id);
  g_clear_pointer (&data->entry, haven_outbox_entry_free);
  g_free (data);
}

/* Claims the entry when asked to; otherwise, or when it cannot be claimed,
 * looks it up to tell why. */
static void
claim_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  HavenDelivery *self = source_object;
  ClaimData *data = task_data;
  g_autoptr(GError) error = NULL;

  if (data->claim)
    {
      data->entry = haven_outbox_claim (self->outbox, data->request_id, &error);
      data->claimed = data->entry != NULL;
    }

  if (data->entry == NULL && error == NULL)
    data->entry = haven_outbox_lookup (self->outbox, data->request_id, FALSE, &error);

  if (data->entry != NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
claim_async (HavenDelivery       *self,
             const char          *request_id,
             gboolean             claim,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  ClaimData *data = g_new0 (ClaimData, 1);

  data->request_id = g_strdup (request_id);
  data->claim = claim;
  g_task_set_source_tag (task, claim_async);
  g_task_set_task_data (task, data, (GDestroyNotify) claim_data_free);
  g_task_run_in_thread (task, claim_thread);
}

/* Returns the ClaimData of a claim_async() that succeeded. */
static ClaimData *
claim_finish (GAsyncResult  *result,
              GError       **error)
{
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  return g_task_get_task_data (G_TASK (result));
}

/* deliver_one */

void
haven_delivery_deliver_one_async (HavenDelivery          *self,
                                  const HavenOutboxEntry *entry,
                                  GCancellable           *cancellable,
                                  GAsyncReadyCallback     callback,
                                  gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  Attempt *attempt;

  g_return_if_fail (HAVEN_IS_DELIVERY (self));
  g_return_if_fail (entry != NULL && entry->body != NULL);
  g_return_if_fail (entry->state == HAVEN_OUTBOX_STATE_SENDING);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_delivery_deliver_one_async);
  /* The outcome is recorded whatever happens; the caller hears of it. */
  g_task_set_check_cancellable (task, FALSE);

  attempt = attempt_start (self, entry, FALSE, NULL, cancellable);
  g_ptr_array_add (attempt->waiters, g_steal_pointer (&task));
}

HavenDeliveryResult *
haven_delivery_deliver_one_finish (HavenDelivery  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (HAVEN_IS_DELIVERY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_delivery_deliver_one_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* deliver_now */

/* When @request_id is being sent already, *@task waits for that attempt,
 * which the visitor is now waiting for too, rather than it being sent
 * twice at once. */
static gboolean
join_attempt (HavenDelivery  *self,
              const char     *request_id,
              GTask         **task)
{
  Attempt *attempt = g_hash_table_lookup (self->attempts, request_id);

  if (attempt == NULL)
    return FALSE;

  attempt->for_visitor = TRUE;
  g_ptr_array_add (attempt->waiters, g_steal_pointer (task));
  return TRUE;
}

static void
deliver_now_claimed_cb (GObject      *object,
                        GAsyncResult *async_result,
                        gpointer      user_data)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  const char *language = g_task_get_task_data (task);
  ClaimData *data;
  Attempt *attempt;

  data = claim_finish (async_result, &error);
  if (data == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (data->claimed)
    {
      attempt = attempt_start (self, data->entry, TRUE, language, NULL);
      g_ptr_array_add (attempt->waiters, g_steal_pointer (&task));
      return;
    }

  /* A flush here may have claimed it meanwhile: wait for that one. */
  if (join_attempt (self, data->request_id, &task))
    return;

  if (!data->claim && data->entry->state == HAVEN_OUTBOX_STATE_QUEUED)
    {
      HavenDeliveryResult *result = result_new (data->request_id,
                                                self->blocked
                                                ? HAVEN_DELIVERY_OUTCOME_BLOCKED
                                                : HAVEN_DELIVERY_OUTCOME_UNAUTHORISED);

      /* Not claimed because nothing can be sent now. */
      result->message = g_strdup (self->operator_alert);
      result->next_attempt_at = data->entry->next_attempt_at;
      g_task_return_pointer (task, result, (GDestroyNotify) haven_delivery_result_free);
      return;
    }

  g_task_return_pointer (task, result_for_entry (data->entry),
                         (GDestroyNotify) haven_delivery_result_free);
}

void
haven_delivery_deliver_now_async (HavenDelivery       *self,
                                  const char          *request_id,
                                  const char          *language,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HAVEN_IS_DELIVERY (self));
  g_return_if_fail (request_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The cancellable only stops the waiting (see the header). */
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_delivery_deliver_now_async);
  g_task_set_task_data (task, g_strdup (language), g_free);

  if (join_attempt (self, request_id, &task))
    return;

  claim_async (self, request_id, self->backend != NULL && !self->blocked,
               deliver_now_claimed_cb, g_steal_pointer (&task));
}

HavenDeliveryResult *
haven_delivery_deliver_now_finish (HavenDelivery  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (HAVEN_IS_DELIVERY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_delivery_deliver_now_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* flush */

typedef struct {
  HavenDeliveryFlushFlags flags;
  gint64 started_at;
  /* char *, as listed; results[i] is the result of request_ids[i]. */
  GPtrArray *request_ids;
  GPtrArray *results;
  guint next;
  guint running;
  /* One at a time until an answer shows the backend is there. */
  gboolean probing;
  gboolean halted;
  char *halt_message;
  GError *error;
} Flush;

static void
flush_free (Flush *flush)
{
  g_clear_pointer (&flush->request_ids, g_ptr_array_unref);
  g_clear_pointer (&flush->results, g_ptr_array_unref);
  g_free (flush->halt_message);
  g_clear_error (&flush->error);
  g_free (flush);
}

static void flush_pump (GTask *task);

static Flush *
flush_data (GTask *task)
{
  return g_task_get_task_data (task);
}

/* Everything listed has its result, or the flush has stopped and nothing
 * is under way any more. */
static void
flush_complete (GTask *task)
{
  Flush *flush = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  for (guint i = 0; i < flush->results->len; i++)
    {
      HavenDeliveryResult *result;

      if (g_ptr_array_index (flush->results, i) != NULL)
        continue;

      result = result_new (g_ptr_array_index (flush->request_ids, i),
                           HAVEN_DELIVERY_OUTCOME_NOT_TRIED);
      if (flush->halt_message != NULL)
        result->message = g_strdup (flush->halt_message);
      else
        result->message = g_strdup (_("The flush was stopped"));
      g_ptr_array_index (flush->results, i) = result;
    }

  if (flush->error != NULL)
    g_task_return_error (task, g_steal_pointer (&flush->error));
  else if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    g_task_return_error_if_cancelled (task);
  else
    g_task_return_pointer (task, g_ptr_array_ref (flush->results),
                           (GDestroyNotify) g_ptr_array_unref);
}

static void
flush_result (GTask               *task,
              guint                index,
              HavenDeliveryResult *result)
{
  Flush *flush = g_task_get_task_data (task);

  g_assert (g_ptr_array_index (flush->results, index) == NULL);
  g_ptr_array_index (flush->results, index) = result;

  if (result->outcome != HAVEN_DELIVERY_OUTCOME_NOT_TRIED && !result_halts (result))
    flush->probing = FALSE;

  if (result_halts (result) && !flush->halted)
    {
      flush->halted = TRUE;
      flush->halt_message = g_strdup_printf (_("Not tried: %s"),
                                             result->message != NULL ? result->message : "");
    }
}

typedef struct {
  GTask *flush_task;
  guint index;
} FlushItem;

static void
flush_item_free (FlushItem *item)
{
  g_clear_object (&item->flush_task);
  g_free (item);
}

static void
flush_item_done (FlushItem           *item,
                 HavenDeliveryResult *result,
                 GError              *error)
{
  GTask *task = item->flush_task;
  Flush *flush = g_task_get_task_data (task);

  flush->running--;
  if (result != NULL)
    flush_result (task, item->index, result);
  else if (flush->error == NULL)
    flush->error = error;
  else
    g_error_free (error);

  flush_pump (task);
}

static void
flush_attempt_done_cb (GObject      *object,
                       GAsyncResult *async_result,
                       gpointer      user_data)
{
  FlushItem *item = user_data;
  GError *error = NULL;
  HavenDeliveryResult *result;

  result = g_task_propagate_pointer (G_TASK (async_result), &error);
  flush_item_done (item, result, error);
  flush_item_free (item);
}

static void
flush_wait_for (GTask    *task,
                Attempt  *attempt,
                guint     index)
{
  FlushItem *item = g_new0 (FlushItem, 1);
  GTask *waiter;

  item->flush_task = g_object_ref (task);
  item->index = index;
  waiter = g_task_new (g_task_get_source_object (task), NULL, flush_attempt_done_cb, item);
  g_task_set_source_tag (waiter, flush_wait_for);
  g_ptr_array_add (attempt->waiters, waiter);
}

static void
flush_claimed_cb (GObject      *object,
                  GAsyncResult *async_result,
                  gpointer      user_data)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);
  FlushItem *item = user_data;
  GTask *task = item->flush_task;
  GError *error = NULL;
  ClaimData *data;
  Attempt *attempt;

  data = claim_finish (async_result, &error);
  if (g_error_matches (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_FOUND))
    {
      HavenDeliveryResult *result = result_new (g_ptr_array_index (flush_data (task)->request_ids,
                                                                   item->index),
                                                HAVEN_DELIVERY_OUTCOME_NOT_TRIED);

      /* Purged since it was listed. */
      result->message = g_strdup (error->message);
      g_clear_error (&error);
      flush_item_done (item, result, NULL);
      flush_item_free (item);
      return;
    }
  if (data == NULL)
    {
      flush_item_done (item, NULL, error);
      flush_item_free (item);
      return;
    }

  if (data->claimed)
    {
      Attempt *started = attempt_start (self, data->entry, FALSE, NULL,
                                        g_task_get_cancellable (task));

      flush_wait_for (task, started, item->index);
      flush_item_free (item);
      return;
    }

  attempt = g_hash_table_lookup (self->attempts, data->request_id);
  if (attempt != NULL)
    {
      flush_wait_for (task, attempt, item->index);
      flush_item_free (item);
      return;
    }

  flush_item_done (item, result_for_entry (data->entry), NULL);
  flush_item_free (item);
}

static gboolean
is_past (gpointer key,
         gpointer value,
         gpointer user_data)
{
  return *(gint64 *) value <= *(gint64 *) user_data;
}

static gboolean
must_wait (HavenDelivery *self,
           const char    *request_id,
           gint64         now,
           gint64        *until)
{
  gint64 *not_before = g_hash_table_lookup (self->not_before, request_id);

  if (not_before == NULL || *not_before <= now)
    return FALSE;

  *until = *not_before;
  return TRUE;
}

static void
flush_pump (GTask *task)
{
  HavenDelivery *self = g_task_get_source_object (task);
  Flush *flush = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  gint64 now = g_get_real_time ();

  while (!flush->halted && flush->error == NULL &&
         !(cancellable != NULL && g_cancellable_is_cancelled (cancellable)) &&
         flush->running < (flush->probing ? 1 : self->concurrency) &&
         flush->next < flush->request_ids->len)
    {
      guint index = flush->next++;
      const char *request_id = g_ptr_array_index (flush->request_ids, index);
      Attempt *attempt = g_hash_table_lookup (self->attempts, request_id);
      gint64 until = 0;
      FlushItem *item;

      if (attempt != NULL)
        {
          flush->running++;
          flush_wait_for (task, attempt, index);
          continue;
        }

      if (must_wait (self, request_id, now, &until))
        {
          HavenDeliveryResult *result = result_new (request_id,
                                                    HAVEN_DELIVERY_OUTCOME_NOT_TRIED);

          result->message = g_strdup (_("The backend asked to wait before trying it again"));
          result->next_attempt_at = until;
          flush_result (task, index, result);
          continue;
        }

      item = g_new0 (FlushItem, 1);
      item->flush_task = g_object_ref (task);
      item->index = index;
      flush->running++;
      claim_async (self, request_id, TRUE, flush_claimed_cb, item);
    }

  if (flush->running == 0)
    flush_complete (task);
}

static void
list_due_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  HavenDelivery *self = source_object;
  Flush *flush = task_data;
  gint64 horizon = (flush->flags & HAVEN_DELIVERY_FLUSH_ALL) ? G_MAXINT64 : flush->started_at;
  g_autoptr(GPtrArray) due = NULL;
  GError *error = NULL;

  due = haven_outbox_list_due (self->outbox, horizon, &error);
  if (due == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  flush->request_ids = g_ptr_array_new_full (due->len, g_free);
  for (guint i = 0; i < due->len; i++)
    {
      HavenOutboxEntry *entry = g_ptr_array_index (due, i);

      g_ptr_array_add (flush->request_ids, g_strdup (entry->request_id));
    }

  g_task_return_boolean (task, TRUE);
}

static void
listed_due_cb (GObject      *object,
               GAsyncResult *async_result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Flush *flush = g_task_get_task_data (task);

  if (!g_task_propagate_boolean (G_TASK (async_result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  flush->results = g_ptr_array_new_full (flush->request_ids->len,
                                         (GDestroyNotify) haven_delivery_result_free);
  g_ptr_array_set_size (flush->results, flush->request_ids->len);
  flush_pump (task);
}

void
haven_delivery_flush_async (HavenDelivery           *self,
                            HavenDeliveryFlushFlags  flags,
                            GCancellable            *cancellable,
                            GAsyncReadyCallback      callback,
                            gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) list_task = NULL;
  Flush *flush;

  g_return_if_fail (HAVEN_IS_DELIVERY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_delivery_flush_async);
  /* The results say what became of each request, cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->backend == NULL)
    {
      g_task_return_new_error (task, HAVEN_DELIVERY_ERROR, HAVEN_DELIVERY_ERROR_NOT_CONFIGURED,
                               "%s", self->operator_alert);
      return;
    }

  if (self->blocked)
    {
      g_task_return_new_error (task, HAVEN_DELIVERY_ERROR, HAVEN_DELIVERY_ERROR_BLOCKED,
                               _("Nothing is sent until the backend settings change: %s"),
                               self->operator_alert);
      return;
    }

  flush = g_new0 (Flush, 1);
  flush->flags = flags;
  flush->probing = TRUE;
  flush->started_at = g_get_real_time ();
  /* Waits the backend asked for that are over now count for nothing. */
  g_hash_table_foreach_remove (self->not_before, is_past, &flush->started_at);
  g_task_set_task_data (task, flush, (GDestroyNotify) flush_free);

  list_task = g_task_new (self, NULL, listed_due_cb, g_steal_pointer (&task));
  g_task_set_source_tag (list_task, list_due_thread);
  g_task_set_task_data (list_task, flush, NULL);
  g_task_run_in_thread (list_task, list_due_thread);
}

GPtrArray *
haven_delivery_flush_finish (HavenDelivery  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (HAVEN_IS_DELIVERY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == haven_delivery_flush_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The scheduler. */

static gboolean
timeout_cb (gpointer user_data)
{
  HavenDelivery *self = user_data;

  self->timeout_id = 0;
  run (self, HAVEN_DELIVERY_FLUSH_DUE);

  return G_SOURCE_REMOVE;
}

static void
earliest_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  HavenDelivery *self = source_object;
  g_autoptr(GPtrArray) entries = NULL;
  GError *error = NULL;
  gint64 earliest = G_MAXINT64;

  entries = haven_outbox_list (self->outbox, &error);
  if (entries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      HavenOutboxEntry *entry = g_ptr_array_index (entries, i);

      if (entry->state == HAVEN_OUTBOX_STATE_QUEUED)
        earliest = MIN (earliest, entry->next_attempt_at);
    }

  g_task_return_int (task, earliest);
}

static void
earliest_cb (GObject      *object,
             GAsyncResult *async_result,
             gpointer      user_data)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);
  g_autoptr(GError) error = NULL;
  gint64 not_before = *(gint64 *) g_task_get_task_data (G_TASK (async_result));
  gint64 earliest;
  gint64 wake;
  GTimeSpan delay;

  earliest = g_task_propagate_int (G_TASK (async_result), &error);
  if (error != NULL)
    {
      g_warning ("The outbox cannot be read: %s", error->message);
      earliest = g_get_real_time () + self->backoff_cap;
    }

  /* Stopped, or running again already (and it reschedules when done). */
  if (!self->started || self->running || self->timeout_id != 0)
    return;

  wake = MAX (earliest, not_before);
  if (wake == G_MAXINT64)
    return;

  delay = CLAMP (wake - g_get_real_time (), 0, G_TIME_SPAN_HOUR);
  self->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                         (guint) ((delay + G_TIME_SPAN_MILLISECOND - 1) /
                                                  G_TIME_SPAN_MILLISECOND),
                                         timeout_cb, self, NULL);
}

/* Sleeps until the earliest queued entry is due, but not before
 * @not_before (0 for no such limit). */
static void
schedule (HavenDelivery *self,
          gint64         not_before)
{
  g_autoptr(GTask) task = NULL;
  gint64 *data = g_new (gint64, 1);

  *data = not_before;
  task = g_task_new (self, NULL, earliest_cb, NULL);
  g_task_set_source_tag (task, schedule);
  g_task_set_task_data (task, data, g_free);
  g_task_run_in_thread (task, earliest_thread);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *async_result,
             gpointer      user_data)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  gint64 not_before = 0;

  self->running = FALSE;

  results = haven_delivery_flush_finish (self, async_result, &error);
  if (results == NULL)
    {
      /* Cancelled by stop(); but start() may have come since. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          error->domain != HAVEN_DELIVERY_ERROR)
        g_warning ("Delivery stopped: %s", error->message);
    }
  else
    {
      /* After a failure that concerns every request, the scheduler waits
       * as long as the request that met it. */
      for (guint i = 0; i < results->len; i++)
        {
          HavenDeliveryResult *result = g_ptr_array_index (results, i);

          if (result_halts (result))
            not_before = MAX (not_before, result->next_attempt_at);
        }
    }

  if (!self->started)
    return;

  if (self->run_again)
    {
      HavenDeliveryFlushFlags flags = self->run_again_flags;

      self->run_again = FALSE;
      self->run_again_flags = HAVEN_DELIVERY_FLUSH_DUE;
      run (self, flags);
      return;
    }

  schedule (self, not_before);
}

static void
run (HavenDelivery           *self,
     HavenDeliveryFlushFlags  flags)
{
  if (!self->started)
    return;

  if (self->running)
    {
      self->run_again = TRUE;
      self->run_again_flags |= flags;
      return;
    }

  g_clear_handle_id (&self->timeout_id, g_source_remove);

  /* Waits for the settings to change. */
  if (self->backend == NULL || self->blocked)
    return;

  self->running = TRUE;
  haven_delivery_flush_async (self, flags, self->cancellable, run_done_cb, NULL);
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  HavenDelivery *self = user_data;
  gboolean was_available = self->network_available;

  self->network_available = available;

  /* Whatever waited for a backend it could not reach may reach it now.
   * Only on the way back: the signal also comes for every change of
   * route while the network stays up. */
  if (available && !was_available)
    run (self, HAVEN_DELIVERY_FLUSH_ALL);
}

static void
rebuild_backend (HavenDelivery *self)
{
  g_autoptr(HavenBackend) backend = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *language = NULL;

  g_clear_object (&self->backend);
  set_blocked (self, FALSE);

  backend = haven_backend_new_from_settings (self->settings, &error);
  if (backend == NULL)
    {
      set_operator_alert (self, error->message);
      return;
    }

  language = g_settings_get_string (self->settings, "default-language");
  haven_backend_set_language (backend, language);
  self->backend = g_steal_pointer (&backend);
  set_operator_alert (self, NULL);
}

static gboolean
rebuild_cb (gpointer user_data)
{
  HavenDelivery *self = user_data;

  self->rebuild_id = 0;
  rebuild_backend (self);

  /* "Retry after config changes": what was refused may be taken now. */
  run (self, HAVEN_DELIVERY_FLUSH_ALL);

  return G_SOURCE_REMOVE;
}

static void
settings_changed_cb (GSettings  *settings,
                     const char *key,
                     gpointer    user_data)
{
  HavenDelivery *self = user_data;

  if (!g_strv_contains (backend_keys, key))
    return;

  /* Once for a batch of changes made together. */
  if (self->rebuild_id == 0)
    self->rebuild_id = g_idle_add (rebuild_cb, self);
}

void
haven_delivery_start (HavenDelivery *self)
{
  g_return_if_fail (HAVEN_IS_DELIVERY (self));

  if (self->started)
    return;

  self->started = TRUE;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_available = g_network_monitor_get_network_available (self->network_monitor);
  self->network_changed_id = g_signal_connect (self->network_monitor, "network-changed",
                                               G_CALLBACK (network_changed_cb), self);

  run (self, HAVEN_DELIVERY_FLUSH_DUE);
}

void
haven_delivery_stop (HavenDelivery *self)
{
  g_return_if_fail (HAVEN_IS_DELIVERY (self));

  if (!self->started)
    return;

  self->started = FALSE;
  self->run_again = FALSE;
  self->run_again_flags = HAVEN_DELIVERY_FLUSH_DUE;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_signal_handler (&self->network_changed_id, self->network_monitor);
  g_clear_object (&self->network_monitor);
  g_cancellable_cancel (self->cancellable);
}

void
haven_delivery_kick (HavenDelivery *self)
{
  g_return_if_fail (HAVEN_IS_DELIVERY (self));

  run (self, HAVEN_DELIVERY_FLUSH_DUE);
}

/* GObject. */

static void
haven_delivery_constructed (GObject *object)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);

  G_OBJECT_CLASS (haven_delivery_parent_class)->constructed (object);

  self->settings_changed_id = g_signal_connect (self->settings, "changed",
                                                G_CALLBACK (settings_changed_cb), self);
  rebuild_backend (self);
}

static void
haven_delivery_dispose (GObject *object)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);

  haven_delivery_stop (self);
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  g_clear_signal_handler (&self->settings_changed_id, self->settings);
  g_clear_object (&self->settings);
  g_clear_object (&self->outbox);
  g_clear_object (&self->backend);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (haven_delivery_parent_class)->dispose (object);
}

static void
haven_delivery_finalize (GObject *object)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);

  g_clear_pointer (&self->operator_alert, g_free);
  g_clear_pointer (&self->attempts, g_hash_table_unref);
  g_clear_pointer (&self->not_before, g_hash_table_unref);

  G_OBJECT_CLASS (haven_delivery_parent_class)->finalize (object);
}

static void
haven_delivery_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_OUTBOX:
      g_value_set_object (value, self->outbox);
      break;

    case PROP_OPERATOR_ALERT:
      g_value_set_string (value, self->operator_alert);
      break;

    case PROP_BLOCKED:
      g_value_set_boolean (value, self->blocked);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_delivery_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  HavenDelivery *self = HAVEN_DELIVERY (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    case PROP_OUTBOX:
      self->outbox = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_delivery_class_init (HavenDeliveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = haven_delivery_constructed;
  object_class->dispose = haven_delivery_dispose;
  object_class->finalize = haven_delivery_finalize;
  object_class->get_property = haven_delivery_get_property;
  object_class->set_property = haven_delivery_set_property;

  props[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  props[PROP_OUTBOX] =
    g_param_spec_object ("outbox", NULL, NULL,
                         HAVEN_TYPE_OUTBOX,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  props[PROP_OPERATOR_ALERT] =
    g_param_spec_string ("operator-alert", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  props[PROP_BLOCKED] =
    g_param_spec_boolean ("blocked", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
haven_delivery_init (HavenDelivery *self)
{
  self->attempts = g_hash_table_new (g_str_hash, g_str_equal);
  self->not_before = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->backoff_base = HAVEN_DELIVERY_BACKOFF_BASE;
  self->backoff_cap = HAVEN_DELIVERY_BACKOFF_CAP;
  self->concurrency = HAVEN_DELIVERY_DEFAULT_CONCURRENCY;
  self->cancellable = g_cancellable_new ();
}

HavenDelivery *
haven_delivery_new (GSettings   *settings,
                    HavenOutbox *outbox)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (HAVEN_IS_OUTBOX (outbox), NULL);

  return g_object_new (HAVEN_TYPE_DELIVERY,
                       "settings", settings,
                       "outbox", outbox,
                       NULL);
}

HavenOutbox *
haven_delivery_get_outbox (HavenDelivery *self)
{
  g_return_val_if_fail (HAVEN_IS_DELIVERY (self), NULL);

  return self->outbox;
}

const char *
haven_delivery_get_operator_alert (HavenDelivery *self)
{
  g_return_val_if_fail (HAVEN_IS_DELIVERY (self), NULL);

  return self->operator_alert;
}

gboolean
haven_delivery_get_blocked (HavenDelivery *self)
{
  g_return_val_if_fail (HAVEN_IS_DELIVERY (self), FALSE);

  return self->blocked;
}

void
haven_delivery_set_backoff (HavenDelivery *self,
                            GTimeSpan      base,
                            GTimeSpan      cap)
{
  g_return_if_fail (HAVEN_IS_DELIVERY (self));
  g_return_if_fail (base > 0 && cap >= base);

  self->backoff_base = base;
  self->backoff_cap = cap;
}

void
haven_delivery_set_concurrency (HavenDelivery *self,
                                guint          concurrency)
{
  g_return_if_fail (HAVEN_IS_DELIVERY (self));
  g_return_if_fail (concurrency > 0);

  self->concurrency = concurrency;
}

guint
haven_delivery_get_n_connections (HavenDelivery *self)
{
  g_return_val_if_fail (HAVEN_IS_DELIVERY (self), 0);

  return self->backend != NULL ? haven_backend_get_n_connections (self->backend) : 0;
}
