/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-case-client"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "haven-case-client.h"
#include "haven-json.h"
#include "haven-request.h"
#include "haven-sealed-box.h"

/* The caseworker API over the kiosk's HTTPS client. Every answer is judged
 * here, once: a status becomes a HavenCaseClientError in words a
 * caseworker can act on, and a body that is not what the API says never
 * reaches a page. */

/* A page of GET /v1/cases; the API's default. */
#define DEFAULT_PAGE_SIZE 50
#define MAX_PAGE_SIZE 200
/* A sealed body of the largest size (256 KiB and the box's 48 bytes), or
 * a page of cases, with room to spare. */
#define MAX_ANSWER_SIZE (1024 * 1024)
/* An event's body is at most 32 KiB; a note at most 16 KiB sealed. */
#define MAX_NOTE_BYTES (16 * 1024)

/* Waits before the second and third tries of an event whose connection
 * failed before an answer, in milliseconds. */
static const guint retry_delays[] = { 1000, 3000 };

struct _HavenCaseClient
{
  GObject parent_instance;

  HavenBackend *backend;
  guint page_size;
};

enum {
  PROP_0,
  PROP_PAGE_SIZE,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE (HavenCaseClient, haven_case_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-case-client-error-quark, haven_case_client_error)

/* What one call needs between its requests. */
typedef struct {
  SoupMessage *message;
  char *reference;

  /* list_cases */
  char *query;
  guint max_cases;
  GPtrArray *cases;

  /* add_event: the same bytes and key on every try. */
  GBytes *event_body;
  char *idempotency_key;
  guint n_tries;
  GSource *retry_source;

  /* get_body: the 410 that a look at the case may date. */
  GError *gone_error;
  /* sign_in: a status from /v1/health, if the cases did not say more. */
  GError *health_error;

  /* fetch_notice_report: the range asked for, which the answer's must be. */
  char *from_date;
  char *to_date;
} CallData;

static void
call_data_free (CallData *data)
{
  if (data->retry_source != NULL)
    {
      g_source_destroy (data->retry_source);
      g_source_unref (data->retry_source);
    }
  g_clear_object (&data->message);
  g_free (data->reference);
  g_free (data->query);
  g_clear_pointer (&data->cases, g_ptr_array_unref);
  g_clear_pointer (&data->event_body, g_bytes_unref);
  g_free (data->idempotency_key);
  g_clear_error (&data->gone_error);
  g_clear_error (&data->health_error);
  g_free (data->from_date);
  g_free (data->to_date);
  g_free (data);
}

static void
haven_case_client_dispose (GObject *object)
{
  HavenCaseClient *self = HAVEN_CASE_CLIENT (object);

  g_clear_object (&self->backend);

  G_OBJECT_CLASS (haven_case_client_parent_class)->dispose (object);
}

static void
haven_case_client_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  HavenCaseClient *self = HAVEN_CASE_CLIENT (object);

  switch (prop_id)
    {
    case PROP_PAGE_SIZE:
      g_value_set_uint (value, self->page_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_case_client_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  HavenCaseClient *self = HAVEN_CASE_CLIENT (object);

  switch (prop_id)
    {
    case PROP_PAGE_SIZE:
      if (self->page_size != g_value_get_uint (value))
        {
          self->page_size = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_case_client_class_init (HavenCaseClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haven_case_client_dispose;
  object_class->get_property = haven_case_client_get_property;
  object_class->set_property = haven_case_client_set_property;

  /* How many cases one request of a listing asks for. The API's default
   * suits the desk; tests set fewer to see paging with a few cases. */
  props[PROP_PAGE_SIZE] =
    g_param_spec_uint ("page-size", NULL, NULL, 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
haven_case_client_init (HavenCaseClient *self)
{
  self->page_size = DEFAULT_PAGE_SIZE;
}

/**
 * haven_case_client_new:
 * @backend: the intake service, with the caseworker's token set
 *
 * The client reads answers of up to 1 MiB from @backend from now on: a
 * sealed body of the largest size, or a page of cases.
 */
HavenCaseClient *
haven_case_client_new (HavenBackend *backend)
{
  HavenCaseClient *self;

  g_return_val_if_fail (HAVEN_IS_BACKEND (backend), NULL);

  self = g_object_new (HAVEN_TYPE_CASE_CLIENT, NULL);
  self->backend = g_object_ref (backend);
  haven_backend_set_max_answer_size (backend, MAX_ANSWER_SIZE);

  return self;
}

HavenBackend *
haven_case_client_get_backend (HavenCaseClient *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_CLIENT (self), NULL);

  return self->backend;
}

/* ---- Judging answers ---- */

static GError *
bad_answer (const char *what)
{
  return g_error_new (HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_BAD_RESPONSE,
                      _("The intake service’s answer is not what the caseworker API says (%s)"),
                      what);
}

/* The answer's JSON object, or NULL with a BAD_RESPONSE. */
static JsonObject *
parse_object (SoupMessage  *message,
              GBytes       *body,
              JsonParser   *parser,
              GError      **error)
{
  const char *content_type =
    soup_message_headers_get_content_type (soup_message_get_response_headers (message), NULL);
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;

  if (content_type == NULL ||
      g_ascii_strcasecmp (content_type, HAVEN_API_CONTENT_TYPE_JSON) != 0)
    {
      g_propagate_error (error, bad_answer ("Content-Type"));
      return NULL;
    }

  if (!haven_json_load (parser, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body),
                        &parse_error))
    {
      g_propagate_error (error, bad_answer ("JSON"));
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, bad_answer ("JSON"));
      return NULL;
    }

  return json_node_get_object (root);
}

/* A parser's G_IO_ERROR_INVALID_DATA, as this client's error. */
static GError *
as_bad_response (GError *error)
{
  if (error->domain == G_IO_ERROR && error->code == G_IO_ERROR_INVALID_DATA)
    {
      error->domain = HAVEN_CASE_CLIENT_ERROR;
      error->code = HAVEN_CASE_CLIENT_ERROR_BAD_RESPONSE;
    }
  return error;
}

static char *
format_day (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  /* Not %x: in many locales it is 01/01/26, which reads two ways. The
   * month's name is the locale's own. */
  /* Translators: a day, as g_date_time_format() writes it: "%-d %B %Y"
   * is "7 December 2026". Put it in your language's order. */
  return g_date_time_format (local, C_("date", "%-d %B %Y"));
}

static GError *
gone_error_new (GDateTime *destroyed_at)
{
  g_autofree char *day = NULL;

  if (destroyed_at == NULL)
    return g_error_new_literal (HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_GONE,
                                _("The visitor’s request was destroyed under the retention "
                                  "rules. The case’s record and history remain."));

  day = format_day (destroyed_at);
  /* Translators: %s is a date. */
  return g_error_new (HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_GONE,
                      _("The visitor’s request was destroyed under the retention rules on "
                        "%s. The case’s record and history remain."), day);
}

/* The error of an answer whose status is not the one hoped for;
 * @reference is the case asked about, if any. */
static GError *
status_error (SoupMessage *message,
              GBytes      *body,
              const char  *reference)
{
  guint status = soup_message_get_status (message);

  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      return g_error_new_literal (HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_UNAUTHORIZED,
                                  _("The intake service does not accept this token. It may be "
                                    "mistyped, or it may have been revoked: ask your "
                                    "organisation’s IT for a new one."));

    case SOUP_STATUS_FORBIDDEN:
      return g_error_new_literal (HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_FORBIDDEN,
                                  _("This token belongs to a kiosk, not to a caseworker. Sign "
                                    "in with the caseworker token your organisation’s IT "
                                    "gave you."));

    case SOUP_STATUS_NOT_FOUND:
      if (reference != NULL)
        /* Translators: %s is a case reference, such as HV-7KQ2-M9XD. */
        return g_error_new (HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_NOT_FOUND,
                            _("The intake service has no case %s. Check the reference."),
                            reference);
      return g_error_new (HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_NOT_FOUND,
                          _("The intake service does not offer the caseworker API at this "
                            "address (HTTP %u)."), status);

    case SOUP_STATUS_CONFLICT:
      {
        g_autoptr(JsonParser) parser = json_parser_new_immutable ();
        JsonObject *object = parse_object (message, body, parser, NULL);
        HavenCaseState state;

        if (object != NULL &&
            haven_case_state_from_string (haven_json_object_get_string (object, "state"),
                                          &state))
          /* Translators: %s is a case state, such as “Waiting”. */
          return g_error_new (HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_CONFLICT,
                              _("The case cannot be moved there from where it is now: it is "
                                "“%s”. Someone else may have changed it; reload the case."),
                              haven_case_state_get_label (state));
        return g_error_new_literal (HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_CONFLICT,
                                    _("The case cannot be moved there from where it is now. "
                                      "Someone else may have changed it; reload the case."));
      }

    case SOUP_STATUS_GONE:
      return gone_error_new (NULL);

    case SOUP_STATUS_BAD_REQUEST:
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
    case SOUP_STATUS_UNPROCESSABLE_ENTITY:
      /* Translators: %u is an HTTP status, such as 422. */
      return g_error_new (HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_REFUSED,
                          _("The intake service refused what was sent (HTTP %u). Nothing was "
                            "changed."), status);

    default:
      return g_error_new (HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_BAD_RESPONSE,
                          _("The intake service gave an unexpected answer (HTTP %u). Try again "
                            "later, or tell your organisation’s IT."), status);
    }
}

static char *
case_path (const char *reference,
           const char *tail)
{
  g_autofree char *escaped = g_uri_escape_string (reference, NULL, FALSE);

  return g_strconcat ("/v1/cases/", escaped, tail, NULL);
}

/* Sends data->message; @callback gets the task back. */
static void
send_message (GTask               *task,
              GAsyncReadyCallback  callback)
{
  HavenCaseClient *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);

  haven_backend_send_async (self->backend, data->message, g_task_get_cancellable (task),
                            callback, task);
}

static GTask *
call_new (HavenCaseClient     *self,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_new0 (CallData, 1), (GDestroyNotify) call_data_free);

  return task;
}

/* GET of a case's path (@suffix after its reference, or none), answered
 * in @answered_cb. */
static void
get_case_path (HavenCaseClient     *self,
               gpointer             source_tag,
               const char          *reference,
               const char          *suffix,
               GAsyncReadyCallback  answered_cb,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = call_new (self, source_tag, cancellable, callback, user_data);
  g_autofree char *path = case_path (reference, suffix);
  CallData *data = g_task_get_task_data (task);

  data->reference = g_strdup (reference);
  data->message = haven_backend_new_message (self->backend, SOUP_METHOD_GET, path);
  send_message (g_steal_pointer (&task), answered_cb);
}

/* ---- Lists of cases ---- */

static void list_next_page (GTask *task, const char *after);

static void
append_filter (GString    *query,
               const char *name,
               const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL)
    return;

  escaped = g_uri_escape_string (value, NULL, FALSE);
  g_string_append_printf (query, "%s=%s&", name, escaped);
}

static gboolean
read_cases (CallData    *data,
            JsonObject  *object,
            char       **next,
            GError     **error)
{
  JsonNode *cases = json_object_get_member (object, "cases");
  JsonNode *next_node = json_object_get_member (object, "next");
  JsonArray *array;

  if (cases == NULL || !JSON_NODE_HOLDS_ARRAY (cases))
    {
      g_propagate_error (error, bad_answer ("cases"));
      return FALSE;
    }

  if (next_node != NULL && JSON_NODE_HOLDS_VALUE (next_node) &&
      json_node_get_value_type (next_node) == G_TYPE_STRING &&
      json_node_get_string (next_node)[0] != '\0')
    *next = g_strdup (json_node_get_string (next_node));
  else if (next_node == NULL || JSON_NODE_HOLDS_NULL (next_node))
    *next = NULL;
  else
    {
      g_propagate_error (error, bad_answer ("next"));
      return FALSE;
    }

  array = json_node_get_array (cases);
  for (guint i = 0; i < json_array_get_length (array) && data->cases->len < data->max_cases; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr(GError) case_error = NULL;
      HavenCaseInfo *info;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_propagate_error (error, bad_answer ("cases"));
          return FALSE;
        }
      info = haven_case_info_new_from_json (json_node_get_object (node), &case_error);
      if (info == NULL)
        {
          g_propagate_error (error, as_bad_response (g_steal_pointer (&case_error)));
          return FALSE;
        }
      g_ptr_array_add (data->cases, info);
    }

  /* A page with nothing on it and yet a next one would never end. */
  if (*next != NULL && json_array_get_length (array) == 0)
    {
      g_clear_pointer (next, g_free);
      g_propagate_error (error, bad_answer ("next"));
      return FALSE;
    }

  return TRUE;
}

/* The body of a 200 answer to the request @task sent; otherwise NULL,
 * and @task has returned the error (a failed connection, or the status in
 * a caseworker's words, about @reference if given). */
static GBytes *
receive_ok (GTask        *task,
            GObject      *backend,
            GAsyncResult *result,
            const char   *reference)
{
  CallData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;

  body = haven_backend_send_finish (HAVEN_BACKEND (backend), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return NULL;
    }

  if (soup_message_get_status (data->message) != SOUP_STATUS_OK)
    {
      g_task_return_error (task, status_error (data->message, body, reference));
      return NULL;
    }

  return g_steal_pointer (&body);
}

static void
list_page_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *next = NULL;
  CallData *data = g_task_get_task_data (task);
  JsonObject *answer;

  body = receive_ok (task, object, result, NULL);
  if (body == NULL)
    return;

  answer = parse_object (data->message, body, parser, &error);
  if (answer == NULL || !read_cases (data, answer, &next, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (next == NULL || data->cases->len >= data->max_cases)
    {
      g_task_return_pointer (task, g_ptr_array_ref (data->cases),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  list_next_page (g_steal_pointer (&task), next);
}

static void
list_next_page (GTask      *task,
                const char *after)
{
  HavenCaseClient *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);
  g_autoptr(GString) path = g_string_new ("/v1/cases?");
  guint limit = MIN (self->page_size, data->max_cases - data->cases->len);

  g_string_append (path, data->query);
  if (after != NULL)
    append_filter (path, "after", after);
  g_string_append_printf (path, "limit=%u", MAX (limit, 1));

  g_clear_object (&data->message);
  data->message = haven_backend_new_message (self->backend, SOUP_METHOD_GET, path->str);
  send_message (task, list_page_cb);
}

/**
 * haven_case_client_list_cases_async:
 * @filter: (nullable): what to list; %NULL for every case
 * @max_cases: the most cases to return; 0 for no bound
 */
void
haven_case_client_list_cases_async (HavenCaseClient       *self,
                                    const HavenCaseFilter *filter,
                                    guint                  max_cases,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GString) query = g_string_new (NULL);
  CallData *data;

  g_return_if_fail (HAVEN_IS_CASE_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = call_new (self, haven_case_client_list_cases_async, cancellable, callback, user_data);
  data = g_task_get_task_data (task);
  data->max_cases = max_cases > 0 ? max_cases : G_MAXUINT;
  data->cases = g_ptr_array_new_with_free_func (g_object_unref);

  if (filter != NULL)
    {
      append_filter (query, "kind", filter->kind);
      append_filter (query, "category", filter->category);
      append_filter (query, "state", filter->state);
      append_filter (query, "kiosk", filter->kiosk);
      if (filter->child >= 0)
        append_filter (query, "child", filter->child ? "true" : "false");
    }
  data->query = g_string_free (g_steal_pointer (&query), FALSE);

  list_next_page (g_steal_pointer (&task), NULL);
}

GPtrArray *
haven_case_client_list_cases_finish (HavenCaseClient  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (HAVEN_IS_CASE_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_case_client_list_cases_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Sign-in ---- */

static void
sign_in_cases_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *next = NULL;
  CallData *data = g_task_get_task_data (task);
  JsonObject *answer;

  body = receive_ok (task, object, result, NULL);
  if (body == NULL)
    return;

  /* The list must be one, or the address is not the caseworker API. */
  data->cases = g_ptr_array_new_with_free_func (g_object_unref);
  data->max_cases = 1;
  answer = parse_object (data->message, body, parser, &error);
  if (answer == NULL || !read_cases (data, answer, &next, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The cases answered, the health check did not: say what it said. */
  if (data->health_error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&data->health_error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
sign_in_checked_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  HavenCaseClient *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);

  if (!haven_backend_check_finish (HAVEN_BACKEND (object), result, NULL, &error))
    {
      /* TLS, pins, an address that does not answer: nothing more to ask.
       * A status (a receiver that checks tokens at /v1/health too says 401)
       * is judged by the caseworker API's own answer below, which tells a
       * wrong token from a kiosk's. */
      if (!g_error_matches (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_HTTP_STATUS))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      data->health_error = g_steal_pointer (&error);
    }

  data->message = haven_backend_new_message (self->backend, SOUP_METHOD_GET,
                                             "/v1/cases?limit=1");
  send_message (g_steal_pointer (&task), sign_in_cases_cb);
}

void
haven_case_client_sign_in_async (HavenCaseClient     *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HAVEN_IS_CASE_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = call_new (self, haven_case_client_sign_in_async, cancellable, callback, user_data);
  haven_backend_check_async (self->backend, cancellable, sign_in_checked_cb,
                             g_steal_pointer (&task));
}

gboolean
haven_case_client_sign_in_finish (HavenCaseClient  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (HAVEN_IS_CASE_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_case_client_sign_in_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- One case ---- */

/* The case in @body, checked to be the one asked for. */
static HavenCaseInfo *
read_case (CallData  *data,
           GBytes    *body,
           GError   **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(HavenCaseInfo) info = NULL;
  g_autoptr(GError) case_error = NULL;
  JsonObject *answer;

  answer = parse_object (data->message, body, parser, error);
  if (answer == NULL)
    return NULL;

  info = haven_case_info_new_from_json (answer, &case_error);
  if (info == NULL)
    {
      g_propagate_error (error, as_bad_response (g_steal_pointer (&case_error)));
      return NULL;
    }

  if (g_strcmp0 (haven_case_info_get_reference (info), data->reference) != 0)
    {
      g_propagate_error (error, bad_answer ("case_reference"));
      return NULL;
    }

  return g_steal_pointer (&info);
}

static void
get_case_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  CallData *data = g_task_get_task_data (task);
  HavenCaseInfo *info;

  body = receive_ok (task, object, result, data->reference);
  if (body == NULL)
    return;

  info = read_case (data, body, &error);
  if (info == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, info, g_object_unref);
}

void
haven_case_client_get_case_async (HavenCaseClient     *self,
                                  const char          *reference,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (HAVEN_IS_CASE_CLIENT (self));
  g_return_if_fail (reference != NULL && reference[0] != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  get_case_path (self, haven_case_client_get_case_async, reference, NULL, get_case_cb,
                 cancellable, callback, user_data);
}

HavenCaseInfo *
haven_case_client_get_case_finish (HavenCaseClient  *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (HAVEN_IS_CASE_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_case_client_get_case_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- A case's body ---- */

typedef struct {
  GBytes *bytes;
  gboolean sealed;
} Body;

static void
body_free (Body *body)
{
  g_clear_pointer (&body->bytes, g_bytes_unref);
  g_free (body);
}

/* Copies @answer into bytes that wipe themselves, and wipes @answer's own
 * buffer, which the backend hands over unshared. */
static GBytes *
take_wiped (GBytes *answer)
{
  gsize size = 0;
  guint8 *data = g_bytes_unref_to_data (answer, &size);
  GBytes *bytes = haven_sealed_box_new_wiped_bytes (data, size);

  explicit_bzero (data, size);
  g_free (data);

  return bytes;
}

static void
body_gone_case_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(HavenCaseInfo) info = NULL;
  CallData *data = g_task_get_task_data (task);

  body = haven_backend_send_finish (HAVEN_BACKEND (object), result, &error);
  if (body == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Only to say when; without it, the 410 stands as it came. */
  if (body != NULL && soup_message_get_status (data->message) == SOUP_STATUS_OK)
    info = read_case (data, body, NULL);
  if (info != NULL && haven_case_info_get_body_destroyed_at (info) != NULL)
    g_task_return_error (task, gone_error_new (haven_case_info_get_body_destroyed_at (info)));
  else
    g_task_return_error (task, g_steal_pointer (&data->gone_error));
}

static void
get_body_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  HavenCaseClient *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);
  const char *content_type;
  Body *answer;

  body = haven_backend_send_finish (HAVEN_BACKEND (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (soup_message_get_status (data->message) == SOUP_STATUS_GONE)
    {
      g_autofree char *path = case_path (data->reference, NULL);

      /* The 410 does not say when; the case's metadata does. */
      data->gone_error = status_error (data->message, body, data->reference);
      g_clear_object (&data->message);
      data->message = haven_backend_new_message (self->backend, SOUP_METHOD_GET, path);
      send_message (g_steal_pointer (&task), body_gone_case_cb);
      return;
    }

  if (soup_message_get_status (data->message) != SOUP_STATUS_OK)
    {
      g_task_return_error (task, status_error (data->message, body, data->reference));
      return;
    }

  answer = g_new0 (Body, 1);
  content_type =
    soup_message_headers_get_content_type (soup_message_get_response_headers (data->message),
                                           NULL);
  if (g_strcmp0 (content_type, HAVEN_API_CONTENT_TYPE_SEALED) == 0)
    answer->sealed = TRUE;
  else if (g_strcmp0 (content_type, HAVEN_API_CONTENT_TYPE_JSON) == 0)
    answer->sealed = FALSE;
  else
    {
      body_free (answer);
      g_task_return_error (task, bad_answer ("Content-Type"));
      return;
    }

  answer->bytes = take_wiped (g_steal_pointer (&body));
  g_task_return_pointer (task, answer, (GDestroyNotify) body_free);
}

void
haven_case_client_get_body_async (HavenCaseClient     *self,
                                  const char          *reference,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (HAVEN_IS_CASE_CLIENT (self));
  g_return_if_fail (reference != NULL && reference[0] != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  get_case_path (self, haven_case_client_get_body_async, reference, "/body", get_body_cb,
                 cancellable, callback, user_data);
}

GBytes *
haven_case_client_get_body_finish (HavenCaseClient  *self,
                                   GAsyncResult     *result,
                                   gboolean         *sealed,
                                   GError          **error)
{
  Body *answer;
  GBytes *bytes;

  g_return_val_if_fail (HAVEN_IS_CASE_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_case_client_get_body_async, NULL);

  answer = g_task_propagate_pointer (G_TASK (result), error);
  if (answer == NULL)
    return NULL;

  if (sealed != NULL)
    *sealed = answer->sealed;
  bytes = g_steal_pointer (&answer->bytes);
  body_free (answer);

  return bytes;
}

/* ---- Events ---- */

static void send_event (GTask *task);

static gboolean
is_connection_failure (const GError *error)
{
  return g_error_matches (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_UNREACHABLE) ||
         g_error_matches (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_TIMED_OUT) ||
         g_error_matches (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_CONNECTION_REFUSED);
}

static void
stop_waiting (CallData *data)
{
  g_source_destroy (data->retry_source);
  g_clear_pointer (&data->retry_source, g_source_unref);
}

static gboolean
retry_cb (gpointer user_data)
{
  GTask *task = user_data;

  stop_waiting (g_task_get_task_data (task));
  send_event (g_object_ref (task));

  return G_SOURCE_REMOVE;
}

static gboolean
retry_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  GTask *task = g_object_ref (user_data);
  g_autoptr(GError) error = NULL;

  stop_waiting (g_task_get_task_data (task));
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  g_task_return_error (task, g_steal_pointer (&error));
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

/* Waits before the next try, or until the caller gives up. */
static void
wait_to_retry (GTask *task,
               guint  delay_ms)
{
  CallData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  data->retry_source = g_timeout_source_new (delay_ms);
  g_source_set_callback (data->retry_source, retry_cb, g_object_ref (task), g_object_unref);
  if (cancellable != NULL)
    {
      g_autoptr(GSource) cancelled = g_cancellable_source_new (cancellable);

      g_source_set_callback (cancelled, G_SOURCE_FUNC (retry_cancelled_cb), g_object_ref (task),
                             g_object_unref);
      g_source_add_child_source (data->retry_source, cancelled);
    }
  g_source_attach (data->retry_source, g_task_get_context (task));
}

static void
event_sent_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  CallData *data = g_task_get_task_data (task);
  JsonObject *answer;
  JsonNode *event_id;
  guint status;

  body = haven_backend_send_finish (HAVEN_BACKEND (object), result, &error);
  if (body == NULL)
    {
      /* No answer came, so the event may or may not be stored: the same
       * bytes with the same key are stored once whatever happened. */
      if (is_connection_failure (error) && data->n_tries <= G_N_ELEMENTS (retry_delays))
        {
          g_debug ("An event to %s was not answered (%s); trying again", data->reference,
                   error->message);
          /* The wait holds its own references to the task. */
          wait_to_retry (task, retry_delays[data->n_tries - 1]);
          return;
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  status = soup_message_get_status (data->message);
  if (status != SOUP_STATUS_CREATED && status != SOUP_STATUS_OK)
    {
      g_task_return_error (task, status_error (data->message, body, data->reference));
      return;
    }

  answer = parse_object (data->message, body, parser, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  event_id = json_object_get_member (answer, "event_id");
  if (event_id == NULL || !JSON_NODE_HOLDS_VALUE (event_id) ||
      json_node_get_value_type (event_id) != G_TYPE_INT64 || json_node_get_int (event_id) < 1)
    {
      g_task_return_error (task, bad_answer ("event_id"));
      return;
    }

  g_task_return_int (task, json_node_get_int (event_id));
}

static void
send_event (GTask *task)
{
  HavenCaseClient *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);
  g_autofree char *path = case_path (data->reference, "/events");

  data->n_tries++;
  g_clear_object (&data->message);
  data->message = haven_backend_new_submission (self->backend, path, data->idempotency_key,
                                                HAVEN_API_CONTENT_TYPE_JSON, data->event_body);
  send_message (task, event_sent_cb);
}

/* Sends the event @builder holds (an object, ended). */
static void
add_event (HavenCaseClient     *self,
           const char          *reference,
           JsonBuilder         *builder,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  CallData *data;
  gsize length = 0;
  char *text;

  /* One source tag for every event: add_event_finish takes any of them. */
  task = call_new (self, haven_case_client_add_event_finish, cancellable, callback, user_data);
  data = g_task_get_task_data (task);
  data->reference = g_strdup (reference);
  data->idempotency_key = g_uuid_string_random ();

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  data->event_body = g_bytes_new_take (text, length);

  send_event (g_steal_pointer (&task));
}

void
haven_case_client_set_state_async (HavenCaseClient     *self,
                                   const char          *reference,
                                   HavenCaseState       state,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_if_fail (HAVEN_IS_CASE_CLIENT (self));
  g_return_if_fail (reference != NULL && reference[0] != '\0');
  g_return_if_fail (state <= HAVEN_CASE_STATE_CLOSED);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "state");
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, haven_case_state_to_string (state));
  json_builder_end_object (builder);

  add_event (self, reference, builder, cancellable, callback, user_data);
}

void
haven_case_client_add_note_async (HavenCaseClient     *self,
                                  const char          *reference,
                                  GBytes              *sealed_note,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *base64 = NULL;
  gsize size;

  g_return_if_fail (HAVEN_IS_CASE_CLIENT (self));
  g_return_if_fail (reference != NULL && reference[0] != '\0');
  g_return_if_fail (sealed_note != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  size = g_bytes_get_size (sealed_note);
  if (size <= HAVEN_SEALED_BOX_OVERHEAD || size > MAX_NOTE_BYTES)
    {
      /* Refused here, as the service would refuse it: a caseworker's note
       * that is too long should not reach the network to find out. */
      g_task_report_new_error (self, callback, user_data, haven_case_client_add_event_finish,
                               HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_REFUSED,
                               _("The note is too long to be recorded. Shorten it and try "
                                 "again."));
      return;
    }

  /* The note is sealed: its base64 holds nothing anyone here can read. */
  base64 = g_base64_encode (g_bytes_get_data (sealed_note, NULL), size);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "note");
  json_builder_set_member_name (builder, "sealed_note");
  json_builder_add_string_value (builder, base64);
  json_builder_end_object (builder);

  add_event (self, reference, builder, cancellable, callback, user_data);
}

void
haven_case_client_set_item_outcome_async (HavenCaseClient     *self,
                                          const char          *reference,
                                          guint                item,
                                          const char          *outcome,
                                          const char          *platform_reference,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  haven_case_client_set_item_outcome_full_async (self, reference, item, outcome, NULL,
                                                 platform_reference, cancellable, callback,
                                                 user_data);
}

/**
 * haven_case_client_set_item_outcome_full_async:
 * @hosting_provider: (nullable): where the item is hosted, for the notice
 *   report: a platform id or a host name in lower case
 * @platform_reference: (nullable): the platform's reference of the notice
 */
void
haven_case_client_set_item_outcome_full_async (HavenCaseClient     *self,
                                               const char          *reference,
                                               guint                item,
                                               const char          *outcome,
                                               const char          *hosting_provider,
                                               const char          *platform_reference,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_if_fail (HAVEN_IS_CASE_CLIENT (self));
  g_return_if_fail (reference != NULL && reference[0] != '\0');
  g_return_if_fail (haven_case_outcome_get_label (outcome) != NULL);
  g_return_if_fail (hosting_provider == NULL ||
                    haven_notice_report_is_hosting_provider (hosting_provider));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "item-outcome");
  json_builder_set_member_name (builder, "item");
  json_builder_add_int_value (builder, item);
  json_builder_set_member_name (builder, "outcome");
  json_builder_add_string_value (builder, outcome);
  if (hosting_provider != NULL)
    {
      json_builder_set_member_name (builder, "hosting_provider");
      json_builder_add_string_value (builder, hosting_provider);
    }
  if (platform_reference != NULL)
    {
      json_builder_set_member_name (builder, "platform_reference");
      json_builder_add_string_value (builder, platform_reference);
    }
  json_builder_end_object (builder);

  add_event (self, reference, builder, cancellable, callback, user_data);
}

gint64
haven_case_client_add_event_finish (HavenCaseClient  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (HAVEN_IS_CASE_CLIENT (self), -1);
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_case_client_add_event_finish, -1);

  return g_task_propagate_int (G_TASK (result), error);
}

/* ---- The fleet ---- */

static void
list_kiosks_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GPtrArray) kiosks = NULL;
  CallData *data = g_task_get_task_data (task);
  JsonObject *answer;
  JsonNode *node;
  JsonArray *array;

  body = receive_ok (task, object, result, NULL);
  if (body == NULL)
    return;

  answer = parse_object (data->message, body, parser, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  node = json_object_get_member (answer, "kiosks");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_task_return_error (task, bad_answer ("kiosks"));
      return;
    }

  array = json_node_get_array (node);
  kiosks = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      HavenKioskInfo *kiosk;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_task_return_error (task, bad_answer ("kiosks"));
          return;
        }
      kiosk = haven_kiosk_info_new_from_json (json_node_get_object (element), &error);
      if (kiosk == NULL)
        {
          g_task_return_error (task, as_bad_response (g_steal_pointer (&error)));
          return;
        }
      g_ptr_array_add (kiosks, kiosk);
    }

  g_task_return_pointer (task, g_steal_pointer (&kiosks), (GDestroyNotify) g_ptr_array_unref);
}

void
haven_case_client_list_kiosks_async (HavenCaseClient     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CallData *data;

  g_return_if_fail (HAVEN_IS_CASE_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = call_new (self, haven_case_client_list_kiosks_async, cancellable, callback, user_data);
  data = g_task_get_task_data (task);
  data->message = haven_backend_new_message (self->backend, SOUP_METHOD_GET, "/v1/kiosks");
  send_message (g_steal_pointer (&task), list_kiosks_cb);
}

GPtrArray *
haven_case_client_list_kiosks_finish (HavenCaseClient  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (HAVEN_IS_CASE_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_case_client_list_kiosks_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- The notice report ---- */

static void
notice_report_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(HavenNoticeReport) report = NULL;
  CallData *data = g_task_get_task_data (task);
  const char *content_type;
  gsize length = 0;
  const char *text;

  body = haven_backend_send_finish (HAVEN_BACKEND (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A receiver from before the report answers 404 there: say so, rather
   * than that the address is not the caseworker API. */
  if (soup_message_get_status (data->message) == SOUP_STATUS_NOT_FOUND)
    {
      g_task_return_new_error (task, HAVEN_CASE_CLIENT_ERROR, HAVEN_CASE_CLIENT_ERROR_NOT_FOUND,
                               _("The intake service does not make the notice report. Its "
                                 "haven-receiver may need an update: tell your "
                                 "organisation’s IT."));
      return;
    }

  if (soup_message_get_status (data->message) != SOUP_STATUS_OK)
    {
      g_task_return_error (task, status_error (data->message, body, NULL));
      return;
    }

  content_type = soup_message_headers_get_content_type (
    soup_message_get_response_headers (data->message), NULL);
  if (content_type == NULL ||
      g_ascii_strcasecmp (content_type, HAVEN_API_CONTENT_TYPE_JSON) != 0)
    {
      g_task_return_error (task, bad_answer ("Content-Type"));
      return;
    }

  text = g_bytes_get_data (body, &length);
  report = haven_notice_report_new_from_json (text != NULL ? text : "", length, &error);
  if (report == NULL)
    {
      g_task_return_new_error (task, HAVEN_CASE_CLIENT_ERROR,
                               HAVEN_CASE_CLIENT_ERROR_BAD_RESPONSE, "%s", error->message);
      return;
    }

  /* Figures of other days would be published as these. */
  if (g_strcmp0 (haven_notice_report_get_from (report), data->from_date) != 0 ||
      g_strcmp0 (haven_notice_report_get_to (report), data->to_date) != 0)
    {
      g_task_return_error (task, bad_answer ("from, to"));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&report), g_object_unref);
}

/**
 * haven_case_client_fetch_notice_report_async:
 * @from_date: the first day, "YYYY-MM-DD"
 * @to_date: the last day, "YYYY-MM-DD"
 */
void
haven_case_client_fetch_notice_report_async (HavenCaseClient     *self,
                                             const char          *from_date,
                                             const char          *to_date,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  CallData *data;

  g_return_if_fail (HAVEN_IS_CASE_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* Refused here as the service would refuse it, in the caseworker's
   * words: the days were typed or picked on the desk. */
  if (!haven_notice_report_check_range (from_date, to_date, &error))
    {
      g_task_report_error (self, callback, user_data,
                           haven_case_client_fetch_notice_report_async,
                           g_steal_pointer (&error));
      return;
    }

  task = call_new (self, haven_case_client_fetch_notice_report_async, cancellable, callback,
                   user_data);
  data = g_task_get_task_data (task);
  data->from_date = g_strdup (from_date);
  data->to_date = g_strdup (to_date);
  /* Checked days: nothing in them needs escaping. */
  path = g_strdup_printf ("/v1/reports/notices?from=%s&to=%s", from_date, to_date);
  data->message = haven_backend_new_message (self->backend, SOUP_METHOD_GET, path);
  send_message (g_steal_pointer (&task), notice_report_cb);
}

/**
 * haven_case_client_fetch_notice_report_finish:
 *
 * Returns: (transfer full): the report, or NULL with @error
 */
HavenNoticeReport *
haven_case_client_fetch_notice_report_finish (HavenCaseClient  *self,
                                              GAsyncResult     *result,
                                              GError          **error)
{
  g_return_val_if_fail (HAVEN_IS_CASE_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        haven_case_client_fetch_notice_report_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
