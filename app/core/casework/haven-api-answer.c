/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-api-answer"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "haven-api-answer.h"

/* A longer string is no field of this API (references, ids, versions,
 * names and times are all far shorter). */
#define MAX_STRING_BYTES 1024

gboolean
haven_api_answer_invalid (GError     **error,
                          const char  *member)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("The intake service’s answer is not what the caseworker API says (%s)"), member);
  return FALSE;
}

static gboolean
is_absent (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

static gboolean
holds (JsonNode *node,
       GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

gboolean
haven_api_answer_get_string (JsonObject  *object,
                             const char  *member,
                             gboolean     nullable,
                             char       **value,
                             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *text;

  *value = NULL;
  if (is_absent (node))
    return nullable ? TRUE : haven_api_answer_invalid (error, member);
  if (!holds (node, G_TYPE_STRING))
    return haven_api_answer_invalid (error, member);

  text = json_node_get_string (node);
  if (!g_utf8_validate (text, -1, NULL) || strlen (text) > MAX_STRING_BYTES)
    return haven_api_answer_invalid (error, member);

  *value = g_strdup (text);
  return TRUE;
}

gboolean
haven_api_answer_get_time (JsonObject  *object,
                           const char  *member,
                           gboolean     nullable,
                           GDateTime  **value,
                           GError     **error)
{
  g_autofree char *text = NULL;

  *value = NULL;
  if (!haven_api_answer_get_string (object, member, nullable, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  /* No default zone: a time without one is refused. */
  *value = g_date_time_new_from_iso8601 (text, NULL);
  return *value != NULL ? TRUE : haven_api_answer_invalid (error, member);
}

gboolean
haven_api_answer_get_boolean (JsonObject  *object,
                              const char  *member,
                              gboolean     nullable,
                              int         *value,
                              GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *value = -1;
  if (is_absent (node))
    return nullable ? TRUE : haven_api_answer_invalid (error, member);
  if (!holds (node, G_TYPE_BOOLEAN))
    return haven_api_answer_invalid (error, member);

  *value = json_node_get_boolean (node) ? 1 : 0;
  return TRUE;
}

gboolean
haven_api_answer_get_integer (JsonObject  *object,
                              const char  *member,
                              gboolean     nullable,
                              gint64       min,
                              gint64       max,
                              gint64      *value,
                              GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *value = -1;
  if (is_absent (node))
    return nullable ? TRUE : haven_api_answer_invalid (error, member);
  if (!holds (node, G_TYPE_INT64) || json_node_get_int (node) < min ||
      json_node_get_int (node) > max)
    return haven_api_answer_invalid (error, member);

  *value = json_node_get_int (node);
  return TRUE;
}

gboolean
haven_api_answer_get_object (JsonObject  *object,
                             const char  *member,
                             JsonObject **value,
                             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *value = NULL;
  if (is_absent (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return haven_api_answer_invalid (error, member);

  *value = json_node_get_object (node);
  return TRUE;
}
