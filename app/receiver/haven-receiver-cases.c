/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver-cases"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <sodium.h>

#include "haven-json.h"
#include "haven-notice-report.h"
#include "haven-receiver-cases.h"
#include "haven-request.h"

/* The caseworker API (data/api/haven-caseworker-api-v1.md): list cases,
 * read one with its events, fetch its body as stored, add events, read
 * the audit log and the notice report. It knows nothing of HTTP's library: the server hands it
 * a HavenReceiverCall, with the credential already looked up, and sends
 * the HavenReceiverAnswer it fills.
 *
 * Every call to its paths is written to the audit log, answered or
 * refused, with who, what, which case, from where and the status; never a
 * body, a note, a query's values or a token. An answer whose audit row
 * cannot be written is not given: the caller gets 503 instead, so that
 * nothing is read without a trace. */

#define CASES_PATH "/v1/cases"
#define AUDIT_PATH "/v1/audit"
#define NOTICE_REPORT_PATH "/v1/reports/notices"

#define DEFAULT_LIMIT 50
#define MAX_LIMIT 200
#define DEFAULT_AUDIT_LIMIT 100
#define MAX_AUDIT_LIMIT 1000

/* A sealed note, decoded: a crypto_box_seal of at most 16 KiB. */
#define MAX_NOTE_BYTES (16 * 1024)
#define MAX_PLATFORM_REFERENCE_CHARS 200
#define MAX_ITEM 999
#define MAX_FILTER_LENGTH 200

/* RFC 9110 has a name for it; libsoup 3.2 has none. */
#define STATUS_UNPROCESSABLE 422

struct _HavenReceiverCases
{
  GObject parent_instance;

  HavenReceiverStore *store;
};

G_DEFINE_FINAL_TYPE (HavenReceiverCases, haven_receiver_cases, G_TYPE_OBJECT)

typedef enum {
  ENDPOINT_LIST,
  ENDPOINT_CASE,
  ENDPOINT_BODY,
  ENDPOINT_EVENTS,
  ENDPOINT_AUDIT,
  ENDPOINT_NOTICE_REPORT,
  ENDPOINT_UNKNOWN,
} Endpoint;

/* The audit log's name for each endpoint, and the method it takes. */
static const struct {
  const char *action;
  const char *method;
} endpoints[] = {
  [ENDPOINT_LIST] = { "list-cases", "GET" },
  [ENDPOINT_CASE] = { "read-case", "GET" },
  [ENDPOINT_BODY] = { "read-body", "GET" },
  [ENDPOINT_EVENTS] = { "add-event", "POST" },
  [ENDPOINT_AUDIT] = { "read-audit", "GET" },
  [ENDPOINT_NOTICE_REPORT] = { "read-report", "GET" },
  [ENDPOINT_UNKNOWN] = { "unknown-path", NULL },
};

static const char * const states[] = { "received", "open", "waiting", "closed", NULL };

static const char * const outcomes[] = {
  "notice-sent", "receipt-confirmed", "removed", "restricted", "refused", "appealed",
  "no-response", "not-found", "withdrawn", NULL,
};

static void
haven_receiver_cases_dispose (GObject *object)
{
  HavenReceiverCases *self = HAVEN_RECEIVER_CASES (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (haven_receiver_cases_parent_class)->dispose (object);
}

static void
haven_receiver_cases_class_init (HavenReceiverCasesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haven_receiver_cases_dispose;
}

static void
haven_receiver_cases_init (HavenReceiverCases *self)
{
}

/**
 * haven_receiver_cases_new:
 * @store: where the cases and the audit log are
 */
HavenReceiverCases *
haven_receiver_cases_new (HavenReceiverStore *store)
{
  HavenReceiverCases *self;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (store), NULL);

  self = g_object_new (HAVEN_TYPE_RECEIVER_CASES, NULL);
  self->store = g_object_ref (store);
  return self;
}

/**
 * haven_receiver_cases_owns_path:
 *
 * Returns: whether @path is one of the caseworker API's, which
 *   haven_receiver_cases_handle() answers (404 for an unknown one below
 *   /v1/cases/)
 */
gboolean
haven_receiver_cases_owns_path (const char *path)
{
  g_return_val_if_fail (path != NULL, FALSE);

  /* /v1/reports itself is a kiosk's (a report's submission), not ours. */
  return g_str_equal (path, CASES_PATH) || g_str_has_prefix (path, CASES_PATH "/") ||
         g_str_equal (path, AUDIT_PATH) || g_str_equal (path, NOTICE_REPORT_PATH);
}

/* Case references are made by the receiver ("HV-XXXX-XXXX"); anything
 * else in a path is not one, and is not written to the audit log. */
static gboolean
is_case_reference (const char *text,
                   gsize       length)
{
  if (length == 0 || length > 32)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isupper (text[i]) && !g_ascii_isdigit (text[i]) && text[i] != '-')
        return FALSE;
    }

  return TRUE;
}

static Endpoint
parse_path (const char  *path,
            char       **case_reference)
{
  const char *rest;
  const char *slash;

  *case_reference = NULL;

  if (g_str_equal (path, CASES_PATH))
    return ENDPOINT_LIST;
  if (g_str_equal (path, AUDIT_PATH))
    return ENDPOINT_AUDIT;
  if (g_str_equal (path, NOTICE_REPORT_PATH))
    return ENDPOINT_NOTICE_REPORT;

  rest = path + strlen (CASES_PATH "/");
  slash = strchr (rest, '/');
  if (!is_case_reference (rest, slash != NULL ? (gsize) (slash - rest) : strlen (rest)))
    return ENDPOINT_UNKNOWN;

  *case_reference = slash != NULL ? g_strndup (rest, slash - rest) : g_strdup (rest);
  if (slash == NULL)
    return ENDPOINT_CASE;
  if (g_str_equal (slash, "/body"))
    return ENDPOINT_BODY;
  if (g_str_equal (slash, "/events"))
    return ENDPOINT_EVENTS;

  return ENDPOINT_UNKNOWN;
}

/* Answers ---------------------------------------------------------------- */

static void
set_json (HavenReceiverAnswer *answer,
          guint                status,
          JsonBuilder         *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  gsize length = 0;
  char *text;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);

  g_clear_pointer (&answer->content_type, g_free);
  g_clear_pointer (&answer->body, g_bytes_unref);
  answer->status = status;
  answer->content_type = g_strdup (HAVEN_API_CONTENT_TYPE_JSON);
  answer->body = g_bytes_new_take (text, length);
}

/* Error bodies are for programs and logs, as in haven-api-v1.md: not
 * translated. @state, when given, is the case's current state. */
static void
set_error_with_state (HavenReceiverAnswer *answer,
                      guint                status,
                      const char          *text,
                      const char          *state)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, text);
  if (state != NULL)
    {
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, state);
    }
  json_builder_end_object (builder);

  set_json (answer, status, builder);
}

static void
set_error (HavenReceiverAnswer *answer,
           guint                status,
           const char          *text)
{
  set_error_with_state (answer, status, text, NULL);
}

static void
set_store_error (HavenReceiverAnswer *answer,
                 const char          *doing,
                 const GError        *error)
{
  if (g_error_matches (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_UNAVAILABLE))
    {
      g_message ("%s: %s", doing, error->message);
      haven_receiver_answer_add_header (answer, "Retry-After", "1");
      set_error (answer, 503, "the database is unavailable");
    }
  else
    {
      g_warning ("%s: %s", doing, error->message);
      set_error (answer, 500, "internal error");
    }
}

/* "2026-12-07T11:45:50Z" from any RFC 3339 text the stores keep. */
static char *
display_time (const char *text)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) time = NULL;

  if (text == NULL)
    return NULL;

  utc = g_time_zone_new_utc ();
  time = g_date_time_new_from_iso8601 (text, utc);
  if (time == NULL)
    return g_strdup (text);

  {
    g_autoptr(GDateTime) in_utc = g_date_time_to_utc (time);

    return g_date_time_format (in_utc, "%Y-%m-%dT%H:%M:%SZ");
  }
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_time (JsonBuilder *builder,
          const char  *member,
          const char  *value)
{
  g_autofree char *shown = display_time (value);

  add_string_or_null (builder, member, shown);
}

/* The members of a case's metadata, into an open object. */
static void
add_case_members (JsonBuilder             *builder,
                  const HavenReceiverCase *receiver_case)
{
  add_string_or_null (builder, "case_reference", receiver_case->case_reference);
  add_string_or_null (builder, "kind", receiver_case->kind);
  add_string_or_null (builder, "category", receiver_case->category);
  add_string_or_null (builder, "locale", receiver_case->locale);
  add_string_or_null (builder, "kiosk_id", receiver_case->kiosk_id);
  json_builder_set_member_name (builder, "child_involved");
  if (receiver_case->child_involved < 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_boolean_value (builder, receiver_case->child_involved != 0);
  add_time (builder, "created_at", receiver_case->created_at);
  add_time (builder, "received_at", receiver_case->received_at);
  add_string_or_null (builder, "state", receiver_case->state);
  json_builder_set_member_name (builder, "sealed");
  json_builder_add_boolean_value (builder, receiver_case->sealed);
  add_time (builder, "updated_at", receiver_case->updated_at);
  add_time (builder, "closed_at", receiver_case->closed_at);
  add_time (builder, "body_destroyed_at", receiver_case->body_destroyed_at);
}

static void
add_event (JsonBuilder                  *builder,
           const HavenReceiverCaseEvent *event)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event_id");
  json_builder_add_int_value (builder, event->id);
  add_string_or_null (builder, "type", event->type);
  if (event->state != NULL)
    add_string_or_null (builder, "state", event->state);
  if (event->sealed_note != NULL)
    add_string_or_null (builder, "sealed_note", event->sealed_note);
  if (event->item >= 0)
    {
      json_builder_set_member_name (builder, "item");
      json_builder_add_int_value (builder, event->item);
    }
  if (event->outcome != NULL)
    add_string_or_null (builder, "outcome", event->outcome);
  if (event->platform_reference != NULL)
    add_string_or_null (builder, "platform_reference", event->platform_reference);
  if (event->hosting_provider != NULL)
    add_string_or_null (builder, "hosting_provider", event->hosting_provider);
  add_string_or_null (builder, "actor", event->actor);
  add_time (builder, "at", event->at);
  json_builder_end_object (builder);
}

/* Queries ----------------------------------------------------------------- */

static const char *
query_get (const HavenReceiverCall *call,
           const char              *name)
{
  const char *value;

  if (call->query == NULL)
    return NULL;

  value = g_hash_table_lookup (call->query, name);
  /* "?kind=" filters nothing, as a missing parameter. */
  return value != NULL && value[0] != '\0' ? value : NULL;
}

/* Any parameter not in @known: a misspelt filter would otherwise widen a
 * list without a word. */
static const char *
unknown_parameter (const HavenReceiverCall *call,
                   const char * const      *known)
{
  GHashTableIter iter;
  gpointer name;

  if (call->query == NULL)
    return NULL;

  g_hash_table_iter_init (&iter, call->query);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    {
      if (!g_strv_contains (known, name))
        return name;
    }

  return NULL;
}

static gboolean
parse_limit (const char *text,
             guint       fallback,
             guint       maximum,
             guint      *limit)
{
  guint64 value;

  if (text == NULL)
    {
      *limit = fallback;
      return TRUE;
    }

  if (!g_ascii_string_to_unsigned (text, 10, 1, maximum, &value, NULL))
    return FALSE;

  *limit = (guint) value;
  return TRUE;
}

/* An RFC 3339 time, as the stores compare them: UTC with microseconds. */
static gboolean
parse_time (const char  *text,
            char       **normalised)
{
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GDateTime) in_utc = NULL;

  *normalised = NULL;
  if (text == NULL)
    return TRUE;

  time = g_date_time_new_from_iso8601 (text, NULL);
  if (time == NULL)
    return FALSE;

  in_utc = g_date_time_to_utc (time);
  *normalised = g_date_time_format (in_utc, "%Y-%m-%dT%H:%M:%S.%fZ");
  return TRUE;
}

static gboolean
is_printable_text (const char *text,
                   gsize       max_chars)
{
  if (!g_utf8_validate (text, -1, NULL) || g_utf8_strlen (text, -1) > (glong) max_chars)
    return FALSE;

  for (const char *c = text; *c != '\0'; c = g_utf8_next_char (c))
    {
      if (!g_unichar_isprint (g_utf8_get_char (c)))
        return FALSE;
    }

  return TRUE;
}

/* The cursor of keyset paging: the last case shown, "received_at
 * case_reference" as stored, base64url. Opaque to the caller. */
static char *
make_cursor (const HavenReceiverCase *receiver_case)
{
  g_autofree char *text = g_strdup_printf ("%s %s", receiver_case->received_at_key,
                                           receiver_case->case_reference);
  gsize length = strlen (text);
  gsize size = sodium_base64_encoded_len (length, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *cursor = g_malloc (size);

  sodium_bin2base64 (cursor, size, (const unsigned char *) text, length,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return cursor;
}

static gboolean
parse_cursor (const char  *cursor,
              char       **received_at,
              char       **case_reference)
{
  gsize length = strlen (cursor);
  g_autofree char *text = g_malloc0 (length + 1);
  gsize text_length = 0;
  const char *space;

  *received_at = NULL;
  *case_reference = NULL;

  if (sodium_base642bin ((unsigned char *) text, length, cursor, length, NULL, &text_length,
                         NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return FALSE;
  text[text_length] = '\0';

  space = strchr (text, ' ');
  if (space == NULL || strlen (text) != text_length ||
      !is_case_reference (space + 1, strlen (space + 1)) ||
      !is_printable_text (text, 64))
    return FALSE;

  *received_at = g_strndup (text, space - text);
  *case_reference = g_strdup (space + 1);
  return TRUE;
}

/* Endpoints --------------------------------------------------------------- */

static void
list_cases (HavenReceiverCases      *self,
            const HavenReceiverCall *call,
            HavenReceiverAnswer     *answer)
{
  static const char * const known[] = {
    "kind", "category", "state", "kiosk", "received_after", "received_before", "child",
    "limit", "after", NULL,
  };
  HavenReceiverCaseFilter filter = { .child_involved = -1, };
  g_autofree char *received_after = NULL;
  g_autofree char *received_before = NULL;
  g_autofree char *after_received_at = NULL;
  g_autofree char *after_case_reference = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  const char *unknown = unknown_parameter (call, known);
  const char *child = query_get (call, "child");
  const char *after = query_get (call, "after");
  guint limit;
  guint shown;

  if (unknown != NULL)
    {
      set_error (answer, 400, "unknown query parameter");
      return;
    }

  filter.kind = query_get (call, "kind");
  filter.category = query_get (call, "category");
  filter.state = query_get (call, "state");
  filter.kiosk_id = query_get (call, "kiosk");

  if ((filter.kind != NULL && !g_str_equal (filter.kind, "removal") &&
       !g_str_equal (filter.kind, "report")) ||
      (filter.state != NULL && !g_strv_contains (states, filter.state)) ||
      (filter.category != NULL && !is_printable_text (filter.category, MAX_FILTER_LENGTH)) ||
      (filter.kiosk_id != NULL && !is_printable_text (filter.kiosk_id, MAX_FILTER_LENGTH)))
    {
      set_error (answer, 400, "kind, category, state or kiosk is not one there can be");
      return;
    }

  if (!parse_time (query_get (call, "received_after"), &received_after) ||
      !parse_time (query_get (call, "received_before"), &received_before))
    {
      set_error (answer, 400, "received_after and received_before take RFC 3339 times");
      return;
    }
  filter.received_after = received_after;
  filter.received_before = received_before;

  if (child != NULL)
    {
      if (g_str_equal (child, "true"))
        filter.child_involved = 1;
      else if (g_str_equal (child, "false"))
        filter.child_involved = 0;
      else
        {
          set_error (answer, 400, "child takes true or false");
          return;
        }
    }

  if (!parse_limit (query_get (call, "limit"), DEFAULT_LIMIT, MAX_LIMIT, &limit))
    {
      set_error (answer, 400, "limit takes 1 to 200");
      return;
    }

  if (after != NULL && !parse_cursor (after, &after_received_at, &after_case_reference))
    {
      set_error (answer, 400, "after takes the next of a previous page");
      return;
    }
  filter.after_received_at = after_received_at;
  filter.after_case_reference = after_case_reference;

  /* One more than asked for tells whether there is a next page. */
  filter.limit = limit + 1;
  cases = haven_receiver_store_list_cases (self->store, &filter, &error);
  if (cases == NULL)
    {
      set_store_error (answer, "Cases cannot be listed", error);
      return;
    }

  shown = MIN (cases->len, limit);
  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cases");
  json_builder_begin_array (builder);
  for (guint i = 0; i < shown; i++)
    {
      json_builder_begin_object (builder);
      add_case_members (builder, g_ptr_array_index (cases, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "next");
  if (cases->len > limit)
    {
      g_autofree char *cursor = make_cursor (g_ptr_array_index (cases, shown - 1));

      json_builder_add_string_value (builder, cursor);
    }
  else
    {
      json_builder_add_null_value (builder);
    }
  json_builder_end_object (builder);

  set_json (answer, 200, builder);
}

static void
read_case (HavenReceiverCases  *self,
           const char          *case_reference,
           HavenReceiverAnswer *answer)
{
  g_autoptr(HavenReceiverCase) receiver_case = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;

  if (!haven_receiver_store_get_case (self->store, case_reference, &receiver_case, &events,
                                      &error))
    {
      set_store_error (answer, "A case cannot be read", error);
      return;
    }

  if (receiver_case == NULL)
    {
      set_error (answer, 404, "no such case");
      return;
    }

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  add_case_members (builder, receiver_case);
  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  for (guint i = 0; i < events->len; i++)
    add_event (builder, g_ptr_array_index (events, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  set_json (answer, 200, builder);
}

static void
read_body (HavenReceiverCases  *self,
           const char          *case_reference,
           HavenReceiverAnswer *answer)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  gboolean found = FALSE;
  gboolean sealed = FALSE;

  if (!haven_receiver_store_get_body (self->store, case_reference, &found, &body, &sealed,
                                      &error))
    {
      set_store_error (answer, "A case's body cannot be read", error);
      return;
    }

  if (!found)
    {
      set_error (answer, 404, "no such case");
      return;
    }

  if (body == NULL)
    {
      set_error (answer, 410, "the body was destroyed under the retention rules");
      return;
    }

  answer->status = 200;
  answer->content_type = g_strdup (sealed ? HAVEN_API_CONTENT_TYPE_SEALED
                                          : HAVEN_API_CONTENT_TYPE_JSON);
  answer->body = g_steal_pointer (&body);
}

/* Reads an event from @object into @event, or says what is wrong with it. */
static const char *
parse_event (JsonObject             *object,
             HavenReceiverCaseEvent *event)
{
  const char *type = haven_json_object_get_string (object, "type");

  event->item = -1;
  if (type == NULL)
    return "type is missing";

  if (g_str_equal (type, "state"))
    {
      const char *state = haven_json_object_get_string (object, "state");

      if (state == NULL || !g_strv_contains (states, state))
        return "state is not one of received, open, waiting, closed";
      event->type = g_strdup (type);
      event->state = g_strdup (state);
      return NULL;
    }

  if (g_str_equal (type, "note"))
    {
      const char *note = haven_json_object_get_string (object, "sealed_note");
      gsize length = note != NULL ? strlen (note) : 0;
      g_autofree guint8 *decoded = NULL;
      gsize decoded_length = 0;

      if (note == NULL || length > sodium_base64_ENCODED_LEN (MAX_NOTE_BYTES,
                                                              sodium_base64_VARIANT_ORIGINAL))
        return "sealed_note is missing or longer than 16 KiB";

      decoded = g_malloc (length + 1);
      if (sodium_base642bin (decoded, length + 1, note, length, NULL, &decoded_length, NULL,
                             sodium_base64_VARIANT_ORIGINAL) != 0 ||
          decoded_length > MAX_NOTE_BYTES || decoded_length <= crypto_box_SEALBYTES)
        return "sealed_note is not the base64 of a sealed box of at most 16 KiB";

      event->type = g_strdup (type);
      event->sealed_note = g_strdup (note);
      return NULL;
    }

  if (g_str_equal (type, "item-outcome"))
    {
      JsonNode *item = json_object_get_member (object, "item");
      const char *outcome = haven_json_object_get_string (object, "outcome");
      const char *reference = haven_json_object_get_string (object, "platform_reference");
      const char *provider = haven_json_object_get_string (object, "hosting_provider");

      if (item == NULL || !JSON_NODE_HOLDS_VALUE (item) ||
          json_node_get_value_type (item) != G_TYPE_INT64 ||
          json_node_get_int (item) < 0 || json_node_get_int (item) > MAX_ITEM)
        return "item is not the index of an item";
      if (outcome == NULL || !g_strv_contains (outcomes, outcome))
        return "outcome is not one of the outcomes";
      if (json_object_has_member (object, "platform_reference") &&
          (reference == NULL || !is_printable_text (reference, MAX_PLATFORM_REFERENCE_CHARS)))
        return "platform_reference is not at most 200 printable characters";
      if (json_object_has_member (object, "hosting_provider") &&
          !haven_notice_report_is_hosting_provider (provider))
        return "hosting_provider is not a platform id or a host name in lower case";

      event->type = g_strdup (type);
      event->item = (int) json_node_get_int (item);
      event->outcome = g_strdup (outcome);
      event->platform_reference = g_strdup (reference);
      event->hosting_provider = g_strdup (provider);
      return NULL;
    }

  return "type is not one of state, note, item-outcome";
}

static void
set_event_answer (HavenReceiverAnswer          *answer,
                  guint                         status,
                  const HavenReceiverCaseEvent *event)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *at = display_time (event->at);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event_id");
  json_builder_add_int_value (builder, event->id);
  json_builder_set_member_name (builder, "at");
  json_builder_add_string_value (builder, at);
  json_builder_end_object (builder);

  set_json (answer, status, builder);
}

static void
add_case_event (HavenReceiverCases      *self,
                const HavenReceiverCall *call,
                const char              *case_reference,
                HavenReceiverAnswer     *answer)
{
  g_autoptr(HavenReceiverCaseEvent) event = g_new0 (HavenReceiverCaseEvent, 1);
  g_autoptr(HavenReceiverCaseEvent) stored = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *key = haven_request_parse_idempotency_key (call->idempotency_key);
  g_autofree char *request_sha256 = NULL;
  g_autofree char *current_state = NULL;
  HavenReceiverEventResult result;
  JsonNode *root;
  const char *data = NULL;
  const char *mistake;
  gsize length = 0;

  if (call->body != NULL)
    data = g_bytes_get_data (call->body, &length);

  if (length > HAVEN_RECEIVER_CASES_MAX_EVENT_BYTES)
    {
      set_error (answer, 413, "the body is larger than 32 KiB");
      return;
    }

  if (key == NULL)
    {
      set_error (answer, 400, "the Idempotency-Key header is missing or not a string");
      return;
    }

  if (!haven_json_load (parser, data != NULL ? data : "", (gssize) length, &error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_error (answer, 400, "the body is not a JSON object");
      return;
    }

  mistake = parse_event (json_node_get_object (root), event);
  if (mistake != NULL)
    {
      set_error (answer, 400, mistake);
      return;
    }

  /* Over the bytes as sent: the desk's retries send the same ones. */
  request_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, call->body);
  if (!haven_receiver_store_add_event (self->store, case_reference, call->actor_name, key,
                                       request_sha256, event, &result, &stored, &current_state,
                                       &error))
    {
      set_store_error (answer, "An event cannot be added", error);
      return;
    }

  switch (result)
    {
    case HAVEN_RECEIVER_EVENT_CREATED:
      set_event_answer (answer, 201, stored);
      break;

    case HAVEN_RECEIVER_EVENT_REPEATED:
      /* As for kiosks: a repeat gets the first answer, with 200. */
      set_event_answer (answer, 200, stored);
      break;

    case HAVEN_RECEIVER_EVENT_KEY_MISMATCH:
      set_error (answer, STATUS_UNPROCESSABLE, "this key was used before with a different body");
      break;

    case HAVEN_RECEIVER_EVENT_NO_CASE:
      set_error (answer, 404, "no such case");
      break;

    case HAVEN_RECEIVER_EVENT_BAD_TRANSITION:
      set_error_with_state (answer, 409, "the case cannot move to that state from its own",
                            current_state);
      break;

    case HAVEN_RECEIVER_EVENT_NO_ITEMS:
      set_error (answer, STATUS_UNPROCESSABLE, "only a removal request has items");
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
read_audit (HavenReceiverCases      *self,
            const HavenReceiverCall *call,
            HavenReceiverAnswer     *answer)
{
  static const char * const known[] = { "case", "actor", "after", "limit", NULL };
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  const char *case_reference = query_get (call, "case");
  const char *actor = query_get (call, "actor");
  const char *after = query_get (call, "after");
  guint64 after_id = 0;
  guint limit;

  if (unknown_parameter (call, known) != NULL)
    {
      set_error (answer, 400, "unknown query parameter");
      return;
    }

  if ((case_reference != NULL && !is_case_reference (case_reference, strlen (case_reference))) ||
      (actor != NULL && !is_printable_text (actor, MAX_FILTER_LENGTH)) ||
      (after != NULL && !g_ascii_string_to_unsigned (after, 10, 0, G_MAXINT64, &after_id, NULL)) ||
      !parse_limit (query_get (call, "limit"), DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT, &limit))
    {
      set_error (answer, 400, "case, actor, after or limit is not one there can be");
      return;
    }

  entries = haven_receiver_store_list_audit (self->store, case_reference, actor,
                                             (gint64) after_id, limit, &error);
  if (entries == NULL)
    {
      set_store_error (answer, "The audit log cannot be read", error);
      return;
    }

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "entries");
  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++)
    {
      HavenReceiverAuditEntry *entry = g_ptr_array_index (entries, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, entry->id);
      add_time (builder, "at", entry->at);
      add_string_or_null (builder, "actor", entry->actor);
      add_string_or_null (builder, "role", entry->role);
      add_string_or_null (builder, "action", entry->action);
      add_string_or_null (builder, "case_reference", entry->case_reference);
      add_string_or_null (builder, "remote", entry->remote);
      json_builder_set_member_name (builder, "status");
      json_builder_add_int_value (builder, entry->status);
      add_string_or_null (builder, "row_hash", entry->row_hash);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "next");
  if (entries->len == limit)
    {
      HavenReceiverAuditEntry *last = g_ptr_array_index (entries, entries->len - 1);
      g_autofree char *next = g_strdup_printf ("%" G_GINT64_FORMAT, last->id);

      json_builder_add_string_value (builder, next);
    }
  else
    {
      json_builder_add_null_value (builder);
    }
  json_builder_end_object (builder);

  set_json (answer, 200, builder);
}

/* GET /v1/reports/notices?from=&to=: counts only, so nothing in the
 * answer is personal, and its audit row names no case. */
static void
read_notice_report (HavenReceiverCases      *self,
                    const HavenReceiverCall *call,
                    HavenReceiverAnswer     *answer)
{
  static const char * const known[] = { "from", "to", NULL };
  g_autoptr(HavenNoticeReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  gsize length;

  if (unknown_parameter (call, known) != NULL)
    {
      set_error (answer, 400, "unknown query parameter");
      return;
    }

  report = haven_receiver_store_notice_report (self->store, query_get (call, "from"),
                                               query_get (call, "to"), &error);
  if (report == NULL)
    {
      if (error->domain == HAVEN_NOTICE_REPORT_ERROR)
        set_error (answer, 400, "from and to take days as YYYY-MM-DD, from no later than to, "
                   "at most 3660 days apart");
      else
        set_store_error (answer, "The notice report cannot be made", error);
      return;
    }

  json = haven_notice_report_to_json (report);
  length = strlen (json);
  answer->status = 200;
  answer->content_type = g_strdup (HAVEN_API_CONTENT_TYPE_JSON);
  answer->body = g_bytes_new_take (g_steal_pointer (&json), length);
}

/* Who may do what: a caseworker credential only (401 without one, 403
 * for a kiosk's), with the endpoint's method. FALSE when answered. */
static gboolean
admit (const HavenReceiverCall *call,
       Endpoint                 endpoint,
       HavenReceiverAnswer     *answer)
{
  if (call->actor_role == NULL)
    {
      /* RFC 6750, 3.1: no error code when no credentials were sent. */
      haven_receiver_answer_add_header (answer, "WWW-Authenticate",
                                        call->credential_presented
                                        ? "Bearer realm=\"haven\", error=\"invalid_token\""
                                        : "Bearer realm=\"haven\"");
      set_error (answer, 401, "not authorised");
      return FALSE;
    }

  if (!g_str_equal (call->actor_role, "caseworker"))
    {
      set_error (answer, 403, "this credential may not use the caseworker API");
      return FALSE;
    }

  if (endpoint == ENDPOINT_UNKNOWN)
    {
      set_error (answer, 404, "not found");
      return FALSE;
    }

  if (g_strcmp0 (call->method, endpoints[endpoint].method) != 0)
    {
      haven_receiver_answer_add_header (answer, "Allow", endpoints[endpoint].method);
      set_error (answer, 405, "method not allowed");
      return FALSE;
    }

  return TRUE;
}

/**
 * haven_receiver_cases_handle:
 * @call: the request, its credential already looked up
 * @answer: (out caller-allocates): filled with the answer to send, when
 *   this returns %TRUE
 *
 * Answers a request to the caseworker API, and writes it to the audit
 * log. May be called from any thread.
 *
 * Returns: %FALSE, leaving @answer alone, when @call's path is not one of
 *   the caseworker API's (haven_receiver_cases_owns_path())
 */
gboolean
haven_receiver_cases_handle (HavenReceiverCases      *self,
                             const HavenReceiverCall *call,
                             HavenReceiverAnswer     *answer)
{
  g_autofree char *case_reference = NULL;
  g_autoptr(GError) error = NULL;
  Endpoint endpoint;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_CASES (self), FALSE);
  g_return_val_if_fail (call != NULL && call->method != NULL && call->path != NULL, FALSE);
  g_return_val_if_fail (answer != NULL, FALSE);

  if (!haven_receiver_cases_owns_path (call->path))
    return FALSE;

  haven_receiver_answer_clear (answer);
  endpoint = parse_path (call->path, &case_reference);

  if (admit (call, endpoint, answer))
    {
      switch (endpoint)
        {
        case ENDPOINT_LIST:
          list_cases (self, call, answer);
          break;

        case ENDPOINT_CASE:
          read_case (self, case_reference, answer);
          break;

        case ENDPOINT_BODY:
          read_body (self, case_reference, answer);
          break;

        case ENDPOINT_EVENTS:
          add_case_event (self, call, case_reference, answer);
          break;

        case ENDPOINT_AUDIT:
          read_audit (self, call, answer);
          break;

        case ENDPOINT_NOTICE_REPORT:
          read_notice_report (self, call, answer);
          break;

        case ENDPOINT_UNKNOWN:
        default:
          g_assert_not_reached ();
        }
    }

  /* What a case's answer holds is not for caches. */
  haven_receiver_answer_add_header (answer, "Cache-Control", "no-store");

  if (!haven_receiver_store_append_audit (self->store,
                                          call->actor_name != NULL ? call->actor_name
                                                                   : "(unknown)",
                                          call->actor_role != NULL ? call->actor_role : "none",
                                          endpoints[endpoint].action, case_reference,
                                          call->remote_address != NULL ? call->remote_address
                                                                       : "unknown",
                                          answer->status, &error))
    {
      /* Nothing is read or done without a trace: the answer is not given. */
      g_warning ("The audit log cannot be written: %s", error->message);
      haven_receiver_answer_clear (answer);
      haven_receiver_answer_add_header (answer, "Retry-After", "1");
      haven_receiver_answer_add_header (answer, "Cache-Control", "no-store");
      set_error (answer, 503, "the audit log cannot be written");
    }

  return TRUE;
}
