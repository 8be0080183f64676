/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-delivery"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "haven-backend.h"
#include "haven-delivery-answer.h"
#include "haven-delivery-private.h"
#include "haven-json.h"

/* What the backend's answers mean, by haven-api-v1.md's table
 * ("Responses"): the outcome of each, what the outbox is to record, how
 * long to wait before trying again, and the few things an answer carries
 * (a case reference, a 400's field errors). Nothing here sends or
 * records anything; haven-delivery.c does, with the verdict. */

/* Bytes of the backend's own words (a 400's field messages) kept for the
 * operator. */
#define MAX_OPERATOR_TEXT 512
#define MAX_FIELD_ERRORS 50
#define MAX_CASE_REFERENCE 64

/* RFC 6585; libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429

static const char * const outcome_names[] = {
  [HAVEN_DELIVERY_OUTCOME_DELIVERED] = "delivered",
  [HAVEN_DELIVERY_OUTCOME_QUEUED] = "queued",
  [HAVEN_DELIVERY_OUTCOME_UNAUTHORISED] = "unauthorised",
  [HAVEN_DELIVERY_OUTCOME_BLOCKED] = "blocked",
  [HAVEN_DELIVERY_OUTCOME_INVALID] = "invalid",
  [HAVEN_DELIVERY_OUTCOME_REJECTED] = "rejected",
  [HAVEN_DELIVERY_OUTCOME_NOT_TRIED] = "not-tried",
};

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

HavenDeliveryResult *
haven_delivery_result_new (const char           *request_id,
                           HavenDeliveryOutcome  outcome)
{
  HavenDeliveryResult *result = g_new0 (HavenDeliveryResult, 1);

  result->request_id = g_strdup (request_id);
  result->outcome = outcome;

  return result;
}

/* The answer concerns the kiosk or the backend as a whole, not this one
 * request: every other request would meet the same now. */
gboolean
haven_delivery_result_halts (const HavenDeliveryResult *result)
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
HavenDeliveryResult *
haven_delivery_result_for_entry (const HavenOutboxEntry *entry)
{
  HavenDeliveryResult *result;

  switch (entry->state)
    {
    case HAVEN_OUTBOX_STATE_DELIVERED:
      result = haven_delivery_result_new (entry->request_id, HAVEN_DELIVERY_OUTCOME_DELIVERED);
      result->case_reference = g_strdup (entry->case_reference);
      return result;

    case HAVEN_OUTBOX_STATE_FAILED:
      result = haven_delivery_result_new (entry->request_id, HAVEN_DELIVERY_OUTCOME_REJECTED);
      result->message = g_strdup (entry->last_error);
      return result;

    case HAVEN_OUTBOX_STATE_SENDING:
      result = haven_delivery_result_new (entry->request_id, HAVEN_DELIVERY_OUTCOME_NOT_TRIED);
      result->message = g_strdup (_("Another process is sending it"));
      return result;

    case HAVEN_OUTBOX_STATE_QUEUED:
    default:
      result = haven_delivery_result_new (entry->request_id, HAVEN_DELIVERY_OUTCOME_NOT_TRIED);
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

char *
haven_delivery_result_dup_field_errors_json (const HavenDeliveryResult *result)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree const char **paths = NULL;
  guint n_paths = 0;

  g_return_val_if_fail (result != NULL, NULL);

  if (result->field_errors == NULL || g_hash_table_size (result->field_errors) == 0)
    return NULL;

  paths = (const char **) g_hash_table_get_keys_as_array (result->field_errors, &n_paths);
  qsort (paths, n_paths, sizeof *paths, compare_strings);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  for (guint i = 0; i < n_paths; i++)
    {
      json_builder_set_member_name (builder, paths[i]);
      json_builder_add_string_value (builder, g_hash_table_lookup (result->field_errors,
                                                                   paths[i]));
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
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
      haven_json_load (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL))
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

  error = haven_json_object_get_string (object, "error");
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
      !haven_json_load (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  reference = haven_json_object_get_string (json_node_get_object (root), "case_reference");
  if (reference == NULL || reference[0] == '\0' || strlen (reference) > MAX_CASE_REFERENCE)
    return NULL;

  for (const char *c = reference; *c != '\0'; c++)
    {
      if (!g_ascii_isgraph (*c))
        return NULL;
    }

  return g_strdup (reference);
}

/* Judging an answer. */

void
haven_delivery_verdict_retry (HavenDeliveryVerdict *verdict,
                              GTimeSpan             delay)
{
  verdict->record = HAVEN_DELIVERY_RECORD_RETRY;
  verdict->result->next_attempt_at = g_get_real_time () + delay;
}

static void
set_backoff (HavenDeliveryVerdict *verdict,
             GTimeSpan             at_least)
{
  GTimeSpan delay = haven_delivery_backoff_delay (verdict->attempts, verdict->backoff_base,
                                                  verdict->backoff_cap);

  haven_delivery_verdict_retry (verdict, MAX (delay, at_least));
}

/* 409, 429 and 503 may say when to come back. */
static void
set_backoff_with_retry_after (HavenDeliveryVerdict *verdict,
                              const char           *retry_after_value)
{
  gint64 now = g_get_real_time ();
  GTimeSpan retry_after;

  retry_after = haven_delivery_parse_retry_after (retry_after_value, now);
  set_backoff (verdict, retry_after);

  /* No later than the next attempt, which came from a later clock
   * reading and perhaps a longer backoff. */
  if (retry_after > 0)
    verdict->not_before = MIN (now + retry_after, verdict->result->next_attempt_at);
}

void
haven_delivery_judge_error (HavenDeliveryVerdict *verdict,
                            const GError         *error)
{
  HavenDeliveryResult *result = verdict->result;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The request may or may not have reached the backend: due again at
       * once, and the repeat is safe. */
      result->outcome = HAVEN_DELIVERY_OUTCOME_QUEUED;
      result->message = g_strdup (_("Sending was interrupted; it will be sent again"));
      haven_delivery_verdict_retry (verdict, 0);
      return;
    }

  result->message = g_strdup (error->message);

  if (g_error_matches (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_PIN_MISMATCH))
    {
      result->outcome = HAVEN_DELIVERY_OUTCOME_BLOCKED;
      haven_delivery_verdict_retry (verdict, verdict->backoff_cap);
      return;
    }

  /* Retried like any failure to connect, but this one will not go away
   * on its own: the kiosk's trust settings or the backend's certificate
   * need someone. */
  verdict->alert = g_error_matches (error, HAVEN_BACKEND_ERROR,
                                    HAVEN_BACKEND_ERROR_UNTRUSTED_CERTIFICATE) ||
                   g_error_matches (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_TLS);
  result->outcome = HAVEN_DELIVERY_OUTCOME_QUEUED;
  set_backoff (verdict, 0);
}

void
haven_delivery_judge_answer (HavenDeliveryVerdict *verdict,
                             SoupMessage          *message,
                             GBytes               *body)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);

  haven_delivery_judge_response (verdict, soup_message_get_status (message),
                                 soup_message_headers_get_one (headers, "Retry-After"), body);
}

/* The table of haven-api-v1.md, "Responses", is read best whole. */
void
haven_delivery_judge_response (HavenDeliveryVerdict *verdict,
                               guint                 status,
                               const char           *retry_after,
                               GBytes               *body)
{
  HavenDeliveryResult *result = verdict->result;

  result->status = status;

  switch (status)
    {
    case SOUP_STATUS_CREATED:
    case SOUP_STATUS_OK:
      result->case_reference = parse_case_reference (body);
      if (result->case_reference != NULL)
        {
          result->outcome = HAVEN_DELIVERY_OUTCOME_DELIVERED;
          verdict->record = HAVEN_DELIVERY_RECORD_DELIVERED;
          return;
        }

      /* The backend may well have the request, but without a reference
       * there is nothing to give the visitor or the operator: ask again,
       * which is safe and gets the same answer once the backend is fixed.
       * The operator sees why in the meantime. */
      result->outcome = HAVEN_DELIVERY_OUTCOME_QUEUED;
      result->message = g_strdup_printf (_("The backend accepted the request (HTTP %u) but its "
                                           "answer has no case reference"), status);
      set_backoff (verdict, 0);
      return;

    case SOUP_STATUS_BAD_REQUEST:
      result->outcome = HAVEN_DELIVERY_OUTCOME_INVALID;
      result->field_errors = parse_field_errors (body, &result->message);
      /* Kept even when the visitor is there to see the field errors: they
       * may walk away rather than correct them, and then the staff are the
       * only ones left who can follow it up. A corrected request sent in
       * the same visit takes its place (haven-sender.c). */
      verdict->record = HAVEN_DELIVERY_RECORD_FAILED;
      return;

    case SOUP_STATUS_UNAUTHORIZED:
    case SOUP_STATUS_FORBIDDEN:
      result->outcome = HAVEN_DELIVERY_OUTCOME_UNAUTHORISED;
      result->message = g_strdup_printf (_("The backend refused this kiosk (HTTP %u): check "
                                           "token-file and the client certificate"), status);
      haven_delivery_verdict_retry (verdict, verdict->backoff_cap);
      return;

    case SOUP_STATUS_CONFLICT:
      result->outcome = HAVEN_DELIVERY_OUTCOME_QUEUED;
      result->message = g_strdup (_("The backend is still processing an earlier attempt "
                                    "(HTTP 409)"));
      set_backoff_with_retry_after (verdict, retry_after);
      return;

    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
      result->outcome = HAVEN_DELIVERY_OUTCOME_REJECTED;
      result->message = g_strdup (_("The backend refused the request as too large (HTTP 413)"));
      verdict->record = HAVEN_DELIVERY_RECORD_FAILED;
      return;

    case SOUP_STATUS_UNPROCESSABLE_ENTITY:
      result->outcome = HAVEN_DELIVERY_OUTCOME_REJECTED;
      result->message = g_strdup (_("The backend already has a different request with this id "
                                    "(HTTP 422)"));
      verdict->record = HAVEN_DELIVERY_RECORD_FAILED;
      return;

    case STATUS_TOO_MANY_REQUESTS:
    case SOUP_STATUS_SERVICE_UNAVAILABLE:
      result->outcome = HAVEN_DELIVERY_OUTCOME_QUEUED;
      result->message = g_strdup_printf (_("The backend is busy (HTTP %u)"), status);
      set_backoff_with_retry_after (verdict, retry_after);
      return;

    default:
      break;
    }

  if (status >= 500 && status <= 599)
    {
      result->outcome = HAVEN_DELIVERY_OUTCOME_QUEUED;
      result->message = g_strdup_printf (_("The backend failed (HTTP %u)"), status);
      set_backoff (verdict, 0);
      return;
    }

  /* A 404, a 415, a redirect: no API v1 backend answers a submission so,
   * and it is not this request's doing. Keep everything and tell the
   * operator, rather than failing every request one after another. */
  result->outcome = HAVEN_DELIVERY_OUTCOME_UNAUTHORISED;
  result->message = g_strdup_printf (_("The backend answered HTTP %u, which API version 1 does "
                                       "not allow here: check backend-url and "
                                       "backend-public-key"), status);
  haven_delivery_verdict_retry (verdict, verdict->backoff_cap);
}
