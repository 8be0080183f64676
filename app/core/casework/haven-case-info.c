/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-case-info"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-api-answer.h"
#include "haven-case-info.h"
#include "haven-json.h"
#include "haven-notice-report.h"
#include "haven-request.h"

/* The cases' metadata as the caseworker API gives it. Everything from the
 * service is checked here, once: a page never meets a state it cannot
 * name or a time it cannot show. */

struct _HavenCaseInfo
{
  GObject parent_instance;

  char *reference;
  char *kind;
  char *category;
  char *locale;
  char *kiosk_id;
  int child_involved;
  GDateTime *created_at;
  GDateTime *received_at;
  GDateTime *updated_at;
  GDateTime *closed_at;
  GDateTime *body_destroyed_at;
  HavenCaseState state;
  gboolean sealed;
  GPtrArray *events;
};

G_DEFINE_FINAL_TYPE (HavenCaseInfo, haven_case_info, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (HavenCaseEvent, haven_case_event, haven_case_event_copy, haven_case_event_free)

static const char * const state_names[] = { "received", "open", "waiting", "closed" };

static const char * const outcome_ids[] = {
  "notice-sent", "receipt-confirmed", "removed", "restricted", "refused", "appealed",
  "no-response", "not-found", "withdrawn", NULL,
};

G_STATIC_ASSERT (G_N_ELEMENTS (outcome_ids) == HAVEN_CASE_N_OUTCOMES + 1);

const char *
haven_case_state_to_string (HavenCaseState state)
{
  g_return_val_if_fail (state <= HAVEN_CASE_STATE_CLOSED, NULL);

  return state_names[state];
}

gboolean
haven_case_state_from_string (const char     *string,
                              HavenCaseState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    {
      if (g_strcmp0 (string, state_names[i]) == 0)
        {
          *state = (HavenCaseState) i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
haven_case_state_get_label (HavenCaseState state)
{
  switch (state)
    {
    case HAVEN_CASE_STATE_RECEIVED:
      /* Translators: a case no caseworker has taken yet. */
      return C_("case state", "New");
    case HAVEN_CASE_STATE_OPEN:
      return C_("case state", "In progress");
    case HAVEN_CASE_STATE_WAITING:
      /* Translators: waiting on a platform or the visitor. */
      return C_("case state", "Waiting");
    case HAVEN_CASE_STATE_CLOSED:
      return C_("case state", "Closed");
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
haven_case_state_can_move (HavenCaseState from,
                           HavenCaseState to)
{
  switch (from)
    {
    case HAVEN_CASE_STATE_RECEIVED:
      return to == HAVEN_CASE_STATE_OPEN;
    case HAVEN_CASE_STATE_OPEN:
      return to == HAVEN_CASE_STATE_WAITING || to == HAVEN_CASE_STATE_CLOSED;
    case HAVEN_CASE_STATE_WAITING:
      return to == HAVEN_CASE_STATE_OPEN || to == HAVEN_CASE_STATE_CLOSED;
    case HAVEN_CASE_STATE_CLOSED:
      return to == HAVEN_CASE_STATE_OPEN;
    default:
      return FALSE;
    }
}

const char * const *
haven_case_get_outcome_ids (void)
{
  return outcome_ids;
}

const char *
haven_case_outcome_get_label (const char *outcome)
{
  if (g_strcmp0 (outcome, "notice-sent") == 0)
    /* Translators: the outcome of one address of a removal request. */
    return C_("item outcome", "Notice sent to the platform");
  if (g_strcmp0 (outcome, "receipt-confirmed") == 0)
    return C_("item outcome", "The platform confirmed receipt");
  if (g_strcmp0 (outcome, "removed") == 0)
    return C_("item outcome", "Removed");
  if (g_strcmp0 (outcome, "restricted") == 0)
    return C_("item outcome", "Restricted or hidden");
  if (g_strcmp0 (outcome, "refused") == 0)
    return C_("item outcome", "Refused by the platform");
  if (g_strcmp0 (outcome, "appealed") == 0)
    return C_("item outcome", "Refusal appealed");
  if (g_strcmp0 (outcome, "no-response") == 0)
    return C_("item outcome", "No answer from the platform");
  if (g_strcmp0 (outcome, "not-found") == 0)
    return C_("item outcome", "Not found at that address");
  if (g_strcmp0 (outcome, "withdrawn") == 0)
    return C_("item outcome", "Withdrawn");
  return NULL;
}

HavenCaseEvent *
haven_case_event_copy (const HavenCaseEvent *event)
{
  HavenCaseEvent *copy = g_new0 (HavenCaseEvent, 1);

  *copy = *event;
  copy->sealed_note = g_strdup (event->sealed_note);
  copy->outcome = g_strdup (event->outcome);
  copy->platform_reference = g_strdup (event->platform_reference);
  copy->hosting_provider = g_strdup (event->hosting_provider);
  copy->actor = g_strdup (event->actor);
  copy->at = event->at != NULL ? g_date_time_ref (event->at) : NULL;
  return copy;
}

void
haven_case_event_free (HavenCaseEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->sealed_note);
  g_free (event->outcome);
  g_free (event->platform_reference);
  g_free (event->hosting_provider);
  g_free (event->actor);
  g_clear_pointer (&event->at, g_date_time_unref);
  g_free (event);
}

HavenCaseEvent *
haven_case_event_new_from_json (JsonObject  *object,
                                GError     **error)
{
  g_autoptr(HavenCaseEvent) event = g_new0 (HavenCaseEvent, 1);
  g_autofree char *type = NULL;
  g_autofree char *state = NULL;
  gint64 item = 0;

  if (!haven_api_answer_get_integer (object, "event_id", FALSE, 1, G_MAXINT64, &event->event_id, error) ||
      !haven_api_answer_get_string (object, "type", FALSE, &type, error) ||
      !haven_api_answer_get_string (object, "actor", FALSE, &event->actor, error) ||
      !haven_api_answer_get_time (object, "at", FALSE, &event->at, error))
    return NULL;

  if (g_str_equal (type, "state"))
    {
      event->type = HAVEN_CASE_EVENT_STATE;
      if (!haven_api_answer_get_string (object, "state", FALSE, &state, error))
        return NULL;
      if (!haven_case_state_from_string (state, &event->state))
        {
          haven_api_answer_invalid (error, "state");
          return NULL;
        }
    }
  else if (g_str_equal (type, "note"))
    {
      event->type = HAVEN_CASE_EVENT_NOTE;
      if (!haven_api_answer_get_string (object, "sealed_note", FALSE, &event->sealed_note, error))
        return NULL;
    }
  else if (g_str_equal (type, "item-outcome"))
    {
      event->type = HAVEN_CASE_EVENT_ITEM_OUTCOME;
      if (!haven_api_answer_get_integer (object, "item", FALSE, 0, 999, &item, error) ||
          !haven_api_answer_get_string (object, "outcome", FALSE, &event->outcome, error) ||
          !haven_api_answer_get_string (object, "platform_reference", TRUE, &event->platform_reference, error) ||
          !haven_api_answer_get_string (object, "hosting_provider", TRUE,
                                        &event->hosting_provider, error))
        return NULL;
      if (haven_case_outcome_get_label (event->outcome) == NULL)
        {
          haven_api_answer_invalid (error, "outcome");
          return NULL;
        }
      if (event->hosting_provider != NULL &&
          !haven_notice_report_is_hosting_provider (event->hosting_provider))
        {
          haven_api_answer_invalid (error, "hosting_provider");
          return NULL;
        }
      event->item = (guint) item;
    }
  else
    {
      haven_api_answer_invalid (error, "type");
      return NULL;
    }

  return g_steal_pointer (&event);
}

const char *
haven_case_event_get_hosting_provider (const HavenCaseEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);
  return event->hosting_provider;
}

static void
haven_case_info_finalize (GObject *object)
{
  HavenCaseInfo *self = HAVEN_CASE_INFO (object);

  g_free (self->reference);
  g_free (self->kind);
  g_free (self->category);
  g_free (self->locale);
  g_free (self->kiosk_id);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->received_at, g_date_time_unref);
  g_clear_pointer (&self->updated_at, g_date_time_unref);
  g_clear_pointer (&self->closed_at, g_date_time_unref);
  g_clear_pointer (&self->body_destroyed_at, g_date_time_unref);
  g_clear_pointer (&self->events, g_ptr_array_unref);

  G_OBJECT_CLASS (haven_case_info_parent_class)->finalize (object);
}

static void
haven_case_info_class_init (HavenCaseInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = haven_case_info_finalize;
}

static void
haven_case_info_init (HavenCaseInfo *self)
{
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_case_event_free);
  self->child_involved = -1;
}

/* The receiver's references, "HV-7KQ2-M9XD": capitals, digits and
 * hyphens. Anything else would end up in a path. */
static gboolean
is_reference (const char *text)
{
  gsize length = strlen (text);

  if (length == 0 || length > 32)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isupper (text[i]) && !g_ascii_isdigit (text[i]) && text[i] != '-')
        return FALSE;
    }
  return TRUE;
}

HavenCaseInfo *
haven_case_info_new_from_json (JsonObject  *object,
                               GError     **error)
{
  g_autoptr(HavenCaseInfo) self = g_object_new (HAVEN_TYPE_CASE_INFO, NULL);
  g_autofree char *state = NULL;
  int sealed = -1;
  JsonNode *events;

  g_return_val_if_fail (object != NULL, NULL);

  if (!haven_api_answer_get_string (object, "case_reference", FALSE, &self->reference, error) ||
      !haven_api_answer_get_string (object, "kind", FALSE, &self->kind, error) ||
      !haven_api_answer_get_string (object, "category", TRUE, &self->category, error) ||
      !haven_api_answer_get_string (object, "locale", TRUE, &self->locale, error) ||
      !haven_api_answer_get_string (object, "kiosk_id", TRUE, &self->kiosk_id, error) ||
      !haven_api_answer_get_boolean (object, "child_involved", TRUE, &self->child_involved, error) ||
      !haven_api_answer_get_time (object, "created_at", TRUE, &self->created_at, error) ||
      !haven_api_answer_get_time (object, "received_at", FALSE, &self->received_at, error) ||
      !haven_api_answer_get_time (object, "updated_at", TRUE, &self->updated_at, error) ||
      !haven_api_answer_get_time (object, "closed_at", TRUE, &self->closed_at, error) ||
      !haven_api_answer_get_time (object, "body_destroyed_at", TRUE, &self->body_destroyed_at, error) ||
      !haven_api_answer_get_string (object, "state", FALSE, &state, error) ||
      !haven_api_answer_get_boolean (object, "sealed", FALSE, &sealed, error))
    return NULL;

  if (!is_reference (self->reference))
    {
      haven_api_answer_invalid (error, "case_reference");
      return NULL;
    }
  if (!g_str_equal (self->kind, "removal") && !g_str_equal (self->kind, "report"))
    {
      haven_api_answer_invalid (error, "kind");
      return NULL;
    }
  if (!haven_case_state_from_string (state, &self->state))
    {
      haven_api_answer_invalid (error, "state");
      return NULL;
    }
  self->sealed = sealed == 1;

  events = json_object_get_member (object, "events");
  if (events != NULL && !JSON_NODE_HOLDS_NULL (events))
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (events))
        {
          haven_api_answer_invalid (error, "events");
          return NULL;
        }
      array = json_node_get_array (events);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);
          HavenCaseEvent *event;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              haven_api_answer_invalid (error, "events");
              return NULL;
            }
          event = haven_case_event_new_from_json (json_node_get_object (node), error);
          if (event == NULL)
            return NULL;
          g_ptr_array_add (self->events, event);
        }
    }

  return g_steal_pointer (&self);
}

const char *
haven_case_info_get_reference (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), NULL);
  return self->reference;
}

const char *
haven_case_info_get_kind (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), NULL);
  return self->kind;
}

const char *
haven_case_info_get_category (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), NULL);
  return self->category;
}

const char *
haven_case_info_get_locale (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), NULL);
  return self->locale;
}

const char *
haven_case_info_get_kiosk_id (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), NULL);
  return self->kiosk_id;
}

int
haven_case_info_get_child_involved (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), -1);
  return self->child_involved;
}

gboolean
haven_case_info_is_urgent (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), FALSE);
  return self->child_involved == 1 || g_strcmp0 (self->category, "intimate-images") == 0 ||
         g_strcmp0 (self->category, "child-abuse-material") == 0;
}

GDateTime *
haven_case_info_get_created_at (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), NULL);
  return self->created_at;
}

GDateTime *
haven_case_info_get_received_at (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), NULL);
  return self->received_at;
}

GDateTime *
haven_case_info_get_updated_at (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), NULL);
  return self->updated_at;
}

GDateTime *
haven_case_info_get_closed_at (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), NULL);
  return self->closed_at;
}

GDateTime *
haven_case_info_get_body_destroyed_at (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), NULL);
  return self->body_destroyed_at;
}

HavenCaseState
haven_case_info_get_state (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), HAVEN_CASE_STATE_RECEIVED);
  return self->state;
}

gboolean
haven_case_info_is_sealed (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), FALSE);
  return self->sealed;
}

GPtrArray *
haven_case_info_get_events (HavenCaseInfo *self)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), NULL);
  return self->events;
}

/* The latest outcome event of removal item @item; events are never
 * changed, so the latest one says. */
static HavenCaseEvent *
find_item_outcome (HavenCaseInfo *self,
                   guint          item)
{
  for (guint i = self->events->len; i > 0; i--)
    {
      HavenCaseEvent *event = g_ptr_array_index (self->events, i - 1);

      if (event->type == HAVEN_CASE_EVENT_ITEM_OUTCOME && event->item == item)
        return event;
    }
  return NULL;
}

const char *
haven_case_info_get_item_outcome (HavenCaseInfo *self,
                                  guint          item)
{
  HavenCaseEvent *event;

  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), NULL);

  event = find_item_outcome (self, item);
  return event != NULL ? event->outcome : NULL;
}

const char *
haven_case_info_get_item_hosting_provider (HavenCaseInfo *self,
                                           guint          item)
{
  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), NULL);

  /* The first notice says where the address was sent: a later event
   * naming another host does not move it (the notice report counts it
   * so too). */
  for (guint i = 0; i < self->events->len; i++)
    {
      HavenCaseEvent *event = g_ptr_array_index (self->events, i);

      if (event->type == HAVEN_CASE_EVENT_ITEM_OUTCOME && event->item == item &&
          g_strcmp0 (event->outcome, "notice-sent") == 0)
        return event->hosting_provider;
    }
  return NULL;
}

gboolean
haven_case_outcome_awaits_answer (const char *outcome)
{
  return g_strcmp0 (outcome, "notice-sent") == 0 ||
         g_strcmp0 (outcome, "receipt-confirmed") == 0 ||
         g_strcmp0 (outcome, "appealed") == 0;
}

GDateTime *
haven_case_info_get_item_waiting_since (HavenCaseInfo *self,
                                        guint          item,
                                        GDateTime     *now,
                                        guint          days)
{
  HavenCaseEvent *event;

  g_return_val_if_fail (HAVEN_IS_CASE_INFO (self), NULL);
  g_return_val_if_fail (now != NULL, NULL);

  event = find_item_outcome (self, item);
  if (event == NULL || !haven_case_outcome_awaits_answer (event->outcome) ||
      g_date_time_difference (now, event->at) < (GTimeSpan) days * G_TIME_SPAN_DAY)
    return NULL;
  return event->at;
}

int
haven_case_info_compare_for_inbox (gconstpointer a,
                                   gconstpointer b,
                                   gpointer      user_data)
{
  HavenCaseInfo *first = HAVEN_CASE_INFO ((gpointer) a);
  HavenCaseInfo *second = HAVEN_CASE_INFO ((gpointer) b);
  gboolean first_urgent = haven_case_info_is_urgent (first);
  gboolean second_urgent = haven_case_info_is_urgent (second);
  int order;

  if (first_urgent != second_urgent)
    return first_urgent ? -1 : 1;

  order = g_date_time_compare (second->received_at, first->received_at);
  if (order != 0)
    return order;
  return strcmp (second->reference, first->reference);
}
