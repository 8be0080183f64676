/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-request"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "haven-json.h"
#include "haven-request.h"
#include "haven-request-private.h"

/* Reading a request from JSON that came from outside (a file, another
 * process): haven_request_new_from_json(). A member of the wrong type does
 * not fail the parse; it is marked, and validation reports it with the
 * other field errors. Every string read is the visitor's, so json-glib's
 * copies are wiped too. */

static void
mark_malformed (HavenRequest *self,
                const char   *path)
{
  g_hash_table_add (self->malformed, g_strdup (path));
}

/* Reads a string member into @field. A member of another type is marked,
 * so validation can name it; a null member counts as absent. */
static void
read_string (HavenRequest  *self,
             JsonObject    *object,
             const char    *member,
             const char    *path,
             char         **field)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    haven_request_replace_string (field, json_node_get_string (node));
  else
    mark_malformed (self, path);
}

static void
read_boolean (HavenRequest *self,
              JsonObject   *object,
              const char   *member,
              const char   *path,
              gboolean     *field)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    *field = json_node_get_boolean (node);
  else
    mark_malformed (self, path);
}

/* Returns the member as an object, or NULL (marking it when it is there
 * but is something else). */
static JsonObject *
read_object (HavenRequest *self,
             JsonObject   *object,
             const char   *member,
             const char   *path)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);

  mark_malformed (self, path);
  return NULL;
}

static JsonArray *
read_array (HavenRequest *self,
            JsonObject   *object,
            const char   *member,
            const char   *path)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_node_get_array (node);

  mark_malformed (self, path);
  return NULL;
}

static void
read_items (HavenRequest *self,
            JsonObject   *root)
{
  JsonArray *array = read_array (self, root, "items", "items");
  /* One more than may be sent is enough to refuse them all: a body of
   * 80,000 empty items must not become 80,000 items and errors. */
  guint length = array != NULL ? MIN (json_array_get_length (array),
                                      HAVEN_REQUEST_MAX_ITEMS + 1) : 0;

  for (guint i = 0; i < length; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autofree char *path = g_strdup_printf ("items[%u]", i);
      g_autofree char *url_path = g_strdup_printf ("items[%u].url", i);
      g_autofree char *platform_path = g_strdup_printf ("items[%u].platform", i);
      g_autofree char *description_path = g_strdup_printf ("items[%u].description", i);
      JsonObject *object = NULL;
      HavenRequestItem *item = g_new0 (HavenRequestItem, 1);

      /* A wrong element still takes its place, so that the paths of the
       * ones after it stay the ones the sender meant. */
      g_ptr_array_add (self->items, item);
      if (JSON_NODE_HOLDS_OBJECT (node))
        object = json_node_get_object (node);
      else
        mark_malformed (self, path);

      read_string (self, object, "url", url_path, &item->url);
      read_string (self, object, "platform", platform_path, &item->platform);
      read_string (self, object, "description", description_path, &item->description);
    }
}

static void
read_incident (HavenRequest *self,
               JsonObject   *root)
{
  JsonObject *incident = read_object (self, root, "incident", "incident");
  JsonObject *losses = read_object (self, incident, "losses", "incident.losses");
  JsonObject *answers = read_object (self, incident, "answers", "incident.answers");

  read_string (self, incident, "started_on", "incident.started_on", &self->started_on);
  read_string (self, incident, "summary", "incident.summary", &self->summary);
  read_string (self, losses, "amount", "incident.losses.amount", &self->losses_amount);
  read_string (self, losses, "currency", "incident.losses.currency", &self->losses_currency);

  if (answers != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (answers);

      for (const GList *l = members; l != NULL; l = l->next)
        {
          const char *question_id = l->data;
          g_autofree char *path = g_strdup_printf ("incident.answers.%s", question_id);
          g_autofree char *answer = NULL;

          read_string (self, answers, question_id, path, &answer);
          if (answer != NULL)
            g_hash_table_replace (self->answers, g_strdup (question_id),
                                  g_steal_pointer (&answer));
        }
    }
}

static void
read_evidence (HavenRequest *self,
               JsonObject   *root)
{
  JsonArray *array = read_array (self, root, "evidence", "evidence");
  guint length = array != NULL ? json_array_get_length (array) : 0;

  for (guint i = 0; i < length; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        {
          g_ptr_array_add (self->evidence, g_strdup (json_node_get_string (node)));
        }
      else
        {
          g_autofree char *path = g_strdup_printf ("evidence[%u]", i);

          g_ptr_array_add (self->evidence, NULL);
          mark_malformed (self, path);
        }
    }
}

HavenRequest *
haven_request_new_from_json (HavenRequestKind   kind,
                             const char        *json,
                             gssize             length,
                             GError           **error)
{
  g_autoptr(HavenRequest) self = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root_node;
  JsonObject *root;
  gsize size;

  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  size = length < 0 ? strlen (json) : (gsize) length;
  if (size > HAVEN_REQUEST_MAX_BODY_BYTES)
    {
      g_set_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_TOO_BIG,
                   _("The request is larger than 256 KiB"));
      return NULL;
    }

  /* g_utf8_validate_len() also refuses a NUL byte inside the text. */
  if (!g_utf8_validate_len (json, size, NULL))
    {
      g_set_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_INVALID,
                   _("The request is not valid UTF-8 text"));
      return NULL;
    }

  parser = json_parser_new ();
  /* haven_json_load() says what is wrong without quoting the text, which
   * is the visitor's. */
  if (!haven_json_load (parser, json, size, &parse_error))
    {
      g_set_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_INVALID,
                   _("The request is not valid JSON: %s"), parse_error->message);
      return NULL;
    }

  root_node = json_parser_get_root (parser);
  if (root_node == NULL || !JSON_NODE_HOLDS_OBJECT (root_node))
    {
      g_set_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_INVALID,
                   _("The request is not a JSON object"));
      haven_request_wipe_json_node (root_node);
      return NULL;
    }
  root = json_node_get_object (root_node);

  self = haven_request_new (kind);
  read_string (self, root, "request_id", "request_id", &self->request_id);
  read_string (self, root, "created_at", "created_at", &self->created_at);
  read_string (self, root, "kiosk_id", "kiosk_id", &self->kiosk_id);
  read_string (self, root, "locale", "locale", &self->locale);
  read_string (self, root, "category", "category", &self->category);
  read_boolean (self, root, "child_involved", "child_involved", &self->child_involved);

  {
    JsonObject *reporter = read_object (self, root, "reporter", "reporter");
    JsonObject *contact = read_object (self, reporter, "contact", "reporter.contact");

    read_string (self, reporter, "role", "reporter.role", &self->role);
    read_string (self, contact, "email", "reporter.contact.email", &self->email);
    read_string (self, contact, "phone", "reporter.contact.phone", &self->phone);
    read_boolean (self, reporter, "consent_to_contact", "reporter.consent_to_contact",
                  &self->consent_to_contact);
  }

  if (kind == HAVEN_REQUEST_KIND_REMOVAL)
    {
      JsonObject *declaration = read_object (self, root, "declaration", "declaration");

      read_items (self, root);
      read_boolean (self, declaration, "accurate", "declaration.accurate", &self->accurate);
      read_boolean (self, declaration, "authorised", "declaration.authorised",
                    &self->authorised);
    }
  else
    {
      read_incident (self, root);
      read_evidence (self, root);
    }

  haven_request_wipe_json_node (root_node);
  return g_steal_pointer (&self);
}
