/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver-fleet"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "haven-json.h"
#include "haven-receiver-fleet.h"

/* Fleet status (haven-api-v1.md, "Fleet status"; haven-caseworker-api-v1.md,
 * "Fleet status"): kiosks POST a report every few minutes, and caseworkers
 * GET the list of kiosks with which are silent or backed up. The handler
 * knows nothing of HTTP libraries: the server hands it a HavenReceiverCall
 * with the client's credential looked up, and sends the
 * HavenReceiverAnswer. A kiosk credential reports; a caseworker credential
 * lists.
 *
 * A report is checked strictly, member by member, and stored as
 * re-written from what was checked: it is the one thing a kiosk sends
 * that is not a visitor's, and it must stay so, so a member the contract
 * does not name is refused rather than kept. */

struct _HavenReceiverFleet
{
  GObject parent_instance;

  HavenReceiverStore *store;
};

G_DEFINE_FINAL_TYPE (HavenReceiverFleet, haven_receiver_fleet, G_TYPE_OBJECT)

/* Versions and ids in a report are short; the kiosk sends null for a
 * longer one. */
#define MAX_TEXT_LENGTH 128
/* Counts beyond this are no outbox's. */
#define MAX_COUNT G_GINT64_CONSTANT (1000000000)
/* Bounds a caseworker may ask for: up to a year silent, a billion queued. */
#define MAX_SILENT_AFTER (366 * 24 * 3600)

static void
haven_receiver_fleet_finalize (GObject *object)
{
  HavenReceiverFleet *self = HAVEN_RECEIVER_FLEET (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (haven_receiver_fleet_parent_class)->finalize (object);
}

static void
haven_receiver_fleet_class_init (HavenReceiverFleetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_receiver_fleet_finalize;
}

static void
haven_receiver_fleet_init (HavenReceiverFleet *self)
{
}

/**
 * haven_receiver_fleet_new:
 * @store: where reports are kept
 */
HavenReceiverFleet *
haven_receiver_fleet_new (HavenReceiverStore *store)
{
  HavenReceiverFleet *self;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_STORE (store), NULL);

  self = g_object_new (HAVEN_TYPE_RECEIVER_FLEET, NULL);
  self->store = g_object_ref (store);
  return self;
}

/**
 * haven_receiver_fleet_owns_path:
 *
 * Returns: whether @path is one of the fleet status endpoints, which
 *   haven_receiver_fleet_handle() answers
 */
gboolean
haven_receiver_fleet_owns_path (const char *path)
{
  return g_strcmp0 (path, HAVEN_RECEIVER_FLEET_STATUS_PATH) == 0 ||
         g_strcmp0 (path, HAVEN_RECEIVER_FLEET_KIOSKS_PATH) == 0;
}

/* Answers ---------------------------------------------------------------- */

static void
answer_text (HavenReceiverAnswer *answer,
             guint                status,
             char                *json)
{
  answer->status = status;
  g_free (answer->content_type);
  answer->content_type = g_strdup ("application/json");
  g_clear_pointer (&answer->body, g_bytes_unref);
  answer->body = g_bytes_new_take (json, strlen (json));
}

/* Error bodies are for programs and integrators' logs, as in the rest of
 * the API, so they are not translated. */
static void
answer_error (HavenReceiverAnswer *answer,
              guint                status,
              const char          *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  answer_text (answer, status, json_generator_to_data (generator, NULL));
}

static void
answer_not_allowed (HavenReceiverAnswer *answer,
                    const char          *allowed)
{
  haven_receiver_answer_add_header (answer, "Allow", allowed);
  answer_error (answer, 405, "method not allowed");
}

static void
answer_store_error (HavenReceiverAnswer *answer,
                    const GError        *error)
{
  /* The message names the database, never a report's contents; a body is
   * not in it either way. */
  g_message ("Fleet status: %s", error->message);
  if (g_error_matches (error, HAVEN_RECEIVER_STORE_ERROR, HAVEN_RECEIVER_STORE_ERROR_UNAVAILABLE))
    answer_error (answer, 503, "the database cannot be reached now");
  else
    answer_error (answer, 500, "the report cannot be stored");
}

/* Checking a report ------------------------------------------------------ */

/* Whether @object has exactly the members in @names. */
static gboolean
has_exactly (JsonObject         *object,
             const char * const *names)
{
  guint n_names = g_strv_length ((char **) names);

  if (json_object_get_size (object) != n_names)
    return FALSE;

  for (guint i = 0; i < n_names; i++)
    {
      if (!json_object_has_member (object, names[i]))
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_printable_ascii (const char *text,
                    gsize       max_length)
{
  gsize length = strlen (text);

  if (length == 0 || length > max_length)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p < 0x20 || *p > 0x7e)
        return FALSE;
    }

  return TRUE;
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  return haven_json_object_get_string (object, member);
}

/* A string of printable ASCII up to MAX_TEXT_LENGTH, or (when @nullable)
 * null. */
static gboolean
check_text (JsonObject *object,
            const char *member,
            gboolean    nullable)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *text;

  if (nullable && JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  text = get_string (object, member);
  return text != NULL && is_printable_ascii (text, MAX_TEXT_LENGTH);
}

/* An ISO 8601 time with its zone, as the kiosk writes them, or (when
 * @nullable) null. */
static gboolean
check_time (JsonObject *object,
            const char *member,
            gboolean    nullable)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autoptr(GDateTime) time = NULL;
  const char *text;

  if (nullable && JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  text = get_string (object, member);
  if (text == NULL || !is_printable_ascii (text, 64))
    return FALSE;

  /* NULL default zone: a time without its own is refused. */
  time = g_date_time_new_from_iso8601 (text, NULL);
  return time != NULL;
}

/* An integer from @min to @max; 2.0 is not one. */
static gboolean
check_integer (JsonObject *object,
               const char *member,
               gint64      min,
               gint64      max,
               gint64     *value)
{
  JsonNode *node = json_object_get_member (object, member);
  gint64 number;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  number = json_node_get_int (node);
  if (number < min || number > max)
    return FALSE;

  if (value != NULL)
    *value = number;
  return TRUE;
}

static gboolean
check_outbox (JsonObject *report,
              gint64     *queued)
{
  const char * const names[] = { "queued", "sending", "delivered", "failed", NULL };
  JsonNode *node = json_object_get_member (report, "outbox");
  JsonObject *outbox;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;

  outbox = json_node_get_object (node);
  if (!has_exactly (outbox, names))
    return FALSE;

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (!check_integer (outbox, names[i], 0, MAX_COUNT, i == 0 ? queued : NULL))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_last_error (JsonObject *report)
{
  const char * const names[] = { "status", "at", NULL };
  JsonNode *node = json_object_get_member (report, "last_error");
  JsonObject *last_error;
  gint64 status = 0;

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;

  last_error = json_node_get_object (node);
  /* 0 is no answer at all (no connection, TLS, a pin, a time-out). */
  return has_exactly (last_error, names) &&
         check_integer (last_error, "status", 0, 599, &status) &&
         (status == 0 || status >= 100) &&
         check_time (last_error, "at", TRUE);
}

/* "bundle", sent only by a kiosk that takes the organisation's bundles:
 * null, or exactly its members, the error one word from the API's list,
 * never a message. */
static gboolean
check_bundle (JsonObject *report)
{
  const char * const names[] = {
    "version", "pending", "checked_at", "error", "directory_out_of_date", NULL
  };
  const char * const kinds[] = {
    "signature", "truncated", "format", "older", "directory", "content", "key", "disk",
    "status", "network", NULL
  };
  JsonNode *node = json_object_get_member (report, "bundle");
  JsonObject *bundle;
  JsonNode *member;

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;

  bundle = json_node_get_object (node);
  if (!has_exactly (bundle, names) ||
      !check_text (bundle, "version", TRUE) || !check_text (bundle, "pending", TRUE) ||
      !check_time (bundle, "checked_at", TRUE))
    return FALSE;

  member = json_object_get_member (bundle, "error");
  if (!JSON_NODE_HOLDS_NULL (member) &&
      (get_string (bundle, "error") == NULL ||
       !g_strv_contains (kinds, get_string (bundle, "error"))))
    return FALSE;

  member = json_object_get_member (bundle, "directory_out_of_date");
  return JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_BOOLEAN;
}

/* Parses and checks @body; on success sets the kiosk id, the report
 * re-written, and its queued count. Returns the problem, or NULL. */
static const char *
check_report (GBytes  *body,
              char   **kiosk_id,
              char   **report,
              gint64  *queued)
{
  const char * const names[] = {
    "kiosk_id", "version", "reported_at", "outbox", "directory_version", "content_version",
    "last_error", NULL
  };
  const char * const names_with_bundle[] = {
    "kiosk_id", "version", "reported_at", "outbox", "directory_version", "content_version",
    "last_error", "bundle", NULL
  };
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  const char *data;
  JsonNode *root;
  JsonObject *object;

  if (body == NULL)
    return "the body is empty";

  data = g_bytes_get_data (body, &length);
  /* Bounded: a deep document is refused before json-glib recurses. */
  if (!haven_json_load (parser, data, (gssize) length, &error))
    return "the body is not JSON";

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return "the body is not a JSON object";

  object = json_node_get_object (root);
  if (!has_exactly (object, names) && !has_exactly (object, names_with_bundle))
    return "the report must have exactly the members of haven-api-v1.md";

  if (!check_text (object, "kiosk_id", FALSE))
    return "kiosk_id must be 1 to 128 printable ASCII characters";
  if (!check_text (object, "version", TRUE))
    return "version must be a short string or null";
  if (!check_time (object, "reported_at", FALSE))
    return "reported_at must be an ISO 8601 time with its zone";
  if (!check_outbox (object, queued))
    return "outbox must hold exactly queued, sending, delivered and failed, as counts";
  if (!check_text (object, "directory_version", TRUE) ||
      !check_text (object, "content_version", TRUE))
    return "directory_version and content_version must be short strings or null";
  if (!check_last_error (object))
    return "last_error must be null or hold exactly status (an HTTP status or 0) and at";
  if (json_object_has_member (object, "bundle") && !check_bundle (object))
    return "bundle must be null or hold exactly version, pending, checked_at, error (one of "
           "the API's words) and directory_out_of_date";

  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  *kiosk_id = g_strdup (get_string (object, "kiosk_id"));
  *report = json_generator_to_data (generator, NULL);
  return NULL;
}

/* Who may do what: a kiosk credential reports, a caseworker credential
 * lists (401 without one, 403 for the other's), with the endpoint's
 * method. FALSE when answered. */
static gboolean
admit (const HavenReceiverCall *call,
       const char              *role,
       const char              *method,
       HavenReceiverAnswer     *answer)
{
  if (call->actor_role == NULL || call->actor_name == NULL)
    {
      /* RFC 6750, 3.1: no error code when no credentials were sent. */
      haven_receiver_answer_add_header (answer, "WWW-Authenticate",
                                        call->credential_presented
                                        ? "Bearer realm=\"haven\", error=\"invalid_token\""
                                        : "Bearer realm=\"haven\"");
      answer_error (answer, 401, "not authorised");
      return FALSE;
    }

  if (!g_str_equal (call->actor_role, role))
    {
      answer_error (answer, 403, g_str_equal (role, "kiosk")
                                 ? "only a kiosk credential may report a kiosk's status"
                                 : "only a caseworker credential may list the kiosks");
      return FALSE;
    }

  if (g_strcmp0 (call->method, method) != 0)
    {
      answer_not_allowed (answer, method);
      return FALSE;
    }

  return TRUE;
}

/* POST /v1/kiosk-status -------------------------------------------------- */

static void
handle_status (HavenReceiverFleet       *self,
               const HavenReceiverCall  *call,
               HavenReceiverAnswer      *answer)
{
  g_autofree char *kiosk_id = NULL;
  g_autofree char *report = NULL;
  g_autoptr(GError) error = NULL;
  const char *problem;
  gint64 queued = 0;

  if (!admit (call, "kiosk", "POST", answer))
    return;

  if (call->body != NULL && g_bytes_get_size (call->body) > HAVEN_RECEIVER_FLEET_MAX_BODY)
    {
      answer_error (answer, 413, "the body is larger than 4 KiB");
      return;
    }

  problem = check_report (call->body, &kiosk_id, &report, &queued);
  if (problem != NULL)
    {
      answer_error (answer, 400, problem);
      return;
    }

  /* Any kiosk credential may report for any kiosk_id: a credential does
   * not name its kiosk. Who sent it is kept beside it, so a report under
   * another kiosk's id can be traced to its sender. */
  if (!haven_receiver_store_record_kiosk_status (self->store, kiosk_id, report, queued,
                                                 g_get_real_time () / G_USEC_PER_SEC,
                                                 call->actor_name, &error))
    {
      answer_store_error (answer, error);
      return;
    }

  answer->status = 204;
}

/* GET /v1/kiosks --------------------------------------------------------- */

/* A query bound: digits only, up to @max. */
static gboolean
parse_bound (GHashTable *query,
             const char *name,
             gint64      fallback,
             gint64      max,
             gint64     *value)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;
  guint64 number = 0;

  if (text == NULL)
    {
      *value = fallback;
      return TRUE;
    }

  if (!g_ascii_string_to_unsigned (text, 10, 0, (guint64) max, &number, NULL))
    return FALSE;

  *value = (gint64) number;
  return TRUE;
}

static char *
format_unix_time (gint64 time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time);

  return utc != NULL ? g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("");
}

static void
add_kiosk (JsonBuilder              *builder,
           const HavenReceiverKiosk *kiosk)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *received_at = format_unix_time (kiosk->received_at);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kiosk_id");
  json_builder_add_string_value (builder, kiosk->kiosk_id);
  json_builder_set_member_name (builder, "received_at");
  json_builder_add_string_value (builder, received_at);
  json_builder_set_member_name (builder, "received_from");
  json_builder_add_string_value (builder, kiosk->received_from);
  json_builder_set_member_name (builder, "silent");
  json_builder_add_boolean_value (builder, kiosk->silent);
  json_builder_set_member_name (builder, "backed_up");
  json_builder_add_boolean_value (builder, kiosk->backed_up);
  json_builder_set_member_name (builder, "report");
  /* Checked before it was stored, so it loads; should the database have
   * been changed behind the receiver's back, null says so. */
  if (haven_json_load (parser, kiosk->report, -1, NULL))
    json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

static void
handle_kiosks (HavenReceiverFleet       *self,
               const HavenReceiverCall  *call,
               HavenReceiverAnswer      *answer)
{
  g_autoptr(GPtrArray) kiosks = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  gint64 silent_after = 0;
  gint64 backed_up_over = 0;

  if (!admit (call, "caseworker", "GET", answer))
    return;

  if (call->query != NULL)
    {
      GHashTableIter iter;
      const char *name;

      g_hash_table_iter_init (&iter, call->query);
      while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
        {
          if (!g_str_equal (name, "silent_after") && !g_str_equal (name, "backed_up_over"))
            {
              answer_error (answer, 400, "the query takes silent_after and backed_up_over only");
              return;
            }
        }
    }

  if (!parse_bound (call->query, "silent_after", HAVEN_RECEIVER_FLEET_DEFAULT_SILENT_AFTER,
                    MAX_SILENT_AFTER, &silent_after) ||
      !parse_bound (call->query, "backed_up_over", HAVEN_RECEIVER_FLEET_DEFAULT_BACKED_UP_OVER,
                    MAX_COUNT, &backed_up_over))
    {
      answer_error (answer, 400, "silent_after (seconds) and backed_up_over (requests) "
                                 "are whole numbers");
      return;
    }

  kiosks = haven_receiver_store_list_kiosks (self->store, g_get_real_time () / G_USEC_PER_SEC,
                                             silent_after, backed_up_over, &error);
  if (kiosks == NULL)
    {
      answer_store_error (answer, error);
      return;
    }

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "silent_after");
  json_builder_add_int_value (builder, silent_after);
  json_builder_set_member_name (builder, "backed_up_over");
  json_builder_add_int_value (builder, backed_up_over);
  json_builder_set_member_name (builder, "kiosks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < kiosks->len; i++)
    add_kiosk (builder, g_ptr_array_index (kiosks, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  answer_text (answer, 200, json_generator_to_data (generator, NULL));
}

/**
 * haven_receiver_fleet_handle:
 * @call: the request, its credential already looked up
 * @answer: (out caller-allocates): filled with the answer to send, when
 *   this returns %TRUE
 *
 * Answers a request to a fleet status endpoint. A caseworker's listing
 * (or a refused attempt at it) is written to the audit log, as every read
 * of the caseworker API is; a kiosk's report is not, as kiosks report
 * every few minutes and a report holds nothing of a case. May be called
 * from any thread.
 *
 * Returns: %FALSE, leaving @answer alone, when @call's path is not one of
 *   the fleet status endpoints (haven_receiver_fleet_owns_path())
 */
gboolean
haven_receiver_fleet_handle (HavenReceiverFleet       *self,
                             const HavenReceiverCall  *call,
                             HavenReceiverAnswer      *answer)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_FLEET (self), FALSE);
  g_return_val_if_fail (call != NULL && call->path != NULL && call->method != NULL, FALSE);
  g_return_val_if_fail (answer != NULL, FALSE);

  if (!haven_receiver_fleet_owns_path (call->path))
    return FALSE;

  haven_receiver_answer_clear (answer);

  if (g_str_equal (call->path, HAVEN_RECEIVER_FLEET_STATUS_PATH))
    {
      handle_status (self, call, answer);
      return TRUE;
    }

  handle_kiosks (self, call, answer);
  haven_receiver_answer_add_header (answer, "Cache-Control", "no-store");

  if (!haven_receiver_store_append_audit (self->store,
                                          call->actor_name != NULL ? call->actor_name
                                                                   : "(unknown)",
                                          call->actor_role != NULL ? call->actor_role : "none",
                                          "list-kiosks", NULL,
                                          call->remote_address != NULL ? call->remote_address
                                                                       : "unknown",
                                          answer->status, &error))
    {
      /* Nothing is read without a trace: the answer is not given. */
      g_warning ("The audit log cannot be written: %s", error->message);
      haven_receiver_answer_clear (answer);
      haven_receiver_answer_add_header (answer, "Retry-After", "1");
      haven_receiver_answer_add_header (answer, "Cache-Control", "no-store");
      answer_error (answer, 503, "the audit log cannot be written");
    }

  return TRUE;
}
