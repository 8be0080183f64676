/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "json-schema-check.h"

/* The checker below implements the part of JSON Schema draft 2020-12 the
 * schema uses, and fails the test on any other keyword, so the schema
 * cannot drift outside what is checked. "format" is checked simply: "uri"
 * as GLib parses an absolute URI, "email" as local@domain, "date-time" as
 * RFC 3339. */

typedef struct {
  JsonObject *root;     /* the schema, for "$ref" */
  GPtrArray  *errors;   /* NULL while a condition ("if", "not") is tried */
} Checker;

static void
fail (Checker    *checker,
      const char *path,
      const char *format,
      ...) G_GNUC_PRINTF (3, 4);

static void
fail (Checker    *checker,
      const char *path,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (checker->errors == NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (checker->errors,
                   g_strdup_printf ("%s: %s", path[0] != '\0' ? path : "/", message));
}

static gboolean
has_type (JsonNode   *instance,
          const char *type)
{
  GType value_type;

  if (g_str_equal (type, "object"))
    return JSON_NODE_HOLDS_OBJECT (instance);
  if (g_str_equal (type, "array"))
    return JSON_NODE_HOLDS_ARRAY (instance);
  if (g_str_equal (type, "null"))
    return JSON_NODE_HOLDS_NULL (instance);
  if (!JSON_NODE_HOLDS_VALUE (instance))
    return FALSE;
  value_type = json_node_get_value_type (instance);
  if (g_str_equal (type, "string"))
    return value_type == G_TYPE_STRING;
  if (g_str_equal (type, "boolean"))
    return value_type == G_TYPE_BOOLEAN;
  if (g_str_equal (type, "integer"))
    return value_type == G_TYPE_INT64;
  if (g_str_equal (type, "number"))
    return value_type == G_TYPE_INT64 || value_type == G_TYPE_DOUBLE;
  g_error ("unknown type “%s” in the schema", type);
}

static gboolean
is_number (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) &&
         (json_node_get_value_type (node) == G_TYPE_INT64 ||
          json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

gboolean
json_schema_check_format (const char *format,
              const char *value)
{
  if (g_str_equal (format, "uri"))
    {
      g_autoptr(GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);

      return uri != NULL;
    }
  if (g_str_equal (format, "email"))
    return g_regex_match_simple ("^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$", value, 0, 0);
  if (g_str_equal (format, "date-time"))
    {
      g_autoptr(GDateTime) time = NULL;

      if (!g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\d[Tt]\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?"
                                 "([Zz]|[+-]\\d\\d:\\d\\d)$", value, 0, 0))
        return FALSE;
      time = g_date_time_new_from_iso8601 (value, NULL);
      return time != NULL;
    }
  g_error ("unknown format “%s” in the schema", format);
}

static gboolean check (Checker *checker, JsonNode *schema, JsonNode *instance, const char *path);

/* Whether an instance meets a subschema, without reporting why not. */
static gboolean
holds (Checker  *checker,
       JsonNode *schema,
       JsonNode *instance)
{
  Checker quiet = { checker->root, NULL };

  return check (&quiet, schema, instance, "");
}

static gboolean
check (Checker    *checker,
       JsonNode   *schema,
       JsonNode   *instance,
       const char *path)
{
  JsonObject *keywords;
  g_autoptr(GList) names = NULL;
  gboolean valid = TRUE;

  if (JSON_NODE_HOLDS_VALUE (schema) && json_node_get_value_type (schema) == G_TYPE_BOOLEAN)
    {
      if (!json_node_get_boolean (schema))
        fail (checker, path, "nothing is allowed here");
      return json_node_get_boolean (schema);
    }
  g_assert_true (JSON_NODE_HOLDS_OBJECT (schema));
  keywords = json_node_get_object (schema);
  names = json_object_get_members (keywords);

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *keyword = l->data;
      JsonNode *value = json_object_get_member (keywords, keyword);

      if (g_str_equal (keyword, "$schema") || g_str_equal (keyword, "$id") ||
          g_str_equal (keyword, "title") || g_str_equal (keyword, "description") ||
          g_str_equal (keyword, "$comment") || g_str_equal (keyword, "$defs") ||
          g_str_equal (keyword, "then") || g_str_equal (keyword, "else"))
        {
          continue;
        }
      else if (g_str_equal (keyword, "$ref"))
        {
          const char *ref = json_node_get_string (value);
          JsonObject *defs = json_object_get_object_member (checker->root, "$defs");

          g_assert_true (g_str_has_prefix (ref, "#/$defs/"));
          g_assert_true (json_object_has_member (defs, ref + strlen ("#/$defs/")));
          valid &= check (checker, json_object_get_member (defs, ref + strlen ("#/$defs/")),
                          instance, path);
        }
      else if (g_str_equal (keyword, "type"))
        {
          gboolean any = FALSE;

          if (JSON_NODE_HOLDS_ARRAY (value))
            {
              JsonArray *types = json_node_get_array (value);

              for (guint i = 0; i < json_array_get_length (types); i++)
                any |= has_type (instance, json_array_get_string_element (types, i));
            }
          else
            {
              any = has_type (instance, json_node_get_string (value));
            }
          if (!any)
            {
              fail (checker, path, "not of the type the schema gives");
              valid = FALSE;
            }
        }
      else if (g_str_equal (keyword, "enum"))
        {
          JsonArray *values = json_node_get_array (value);
          gboolean any = FALSE;

          for (guint i = 0; i < json_array_get_length (values) && !any; i++)
            any = json_node_equal (json_array_get_element (values, i), instance);
          if (!any)
            {
              fail (checker, path, "not one of the values the schema lists");
              valid = FALSE;
            }
        }
      else if (g_str_equal (keyword, "const"))
        {
          if (!json_node_equal (value, instance))
            {
              fail (checker, path, "not the one value the schema allows");
              valid = FALSE;
            }
        }
      else if (g_str_equal (keyword, "required"))
        {
          JsonArray *required = json_node_get_array (value);

          if (!JSON_NODE_HOLDS_OBJECT (instance))
            continue;
          for (guint i = 0; i < json_array_get_length (required); i++)
            {
              const char *member = json_array_get_string_element (required, i);

              if (!json_object_has_member (json_node_get_object (instance), member))
                {
                  fail (checker, path, "“%s” is missing", member);
                  valid = FALSE;
                }
            }
        }
      else if (g_str_equal (keyword, "properties") ||
               g_str_equal (keyword, "additionalProperties"))
        {
          JsonObject *properties = json_object_get_object_member (keywords, "properties");
          JsonNode *additional = json_object_get_member (keywords, "additionalProperties");
          g_autoptr(GList) members = NULL;

          /* Both keywords are checked once, on "properties" or, alone, on
           * "additionalProperties". */
          if (!JSON_NODE_HOLDS_OBJECT (instance) ||
              (g_str_equal (keyword, "additionalProperties") && properties != NULL))
            continue;
          members = json_object_get_members (json_node_get_object (instance));
          for (GList *m = members; m != NULL; m = m->next)
            {
              g_autofree char *member_path = g_strdup_printf ("%s/%s", path, (char *) m->data);
              JsonNode *member = json_object_get_member (json_node_get_object (instance), m->data);

              if (properties != NULL && json_object_has_member (properties, m->data))
                valid &= check (checker, json_object_get_member (properties, m->data), member,
                                member_path);
              else if (additional != NULL)
                valid &= check (checker, additional, member, member_path);
            }
        }
      else if (g_str_equal (keyword, "items"))
        {
          JsonArray *array;

          if (!JSON_NODE_HOLDS_ARRAY (instance))
            continue;
          array = json_node_get_array (instance);
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              g_autofree char *item_path = g_strdup_printf ("%s/%u", path, i);

              valid &= check (checker, value, json_array_get_element (array, i), item_path);
            }
        }
      else if (g_str_equal (keyword, "minItems") || g_str_equal (keyword, "maxItems"))
        {
          gint64 bound = json_node_get_int (value);
          gint64 length;

          if (!JSON_NODE_HOLDS_ARRAY (instance))
            continue;
          length = json_array_get_length (json_node_get_array (instance));
          if (g_str_equal (keyword, "minItems") ? length < bound : length > bound)
            {
              fail (checker, path, "%" G_GINT64_FORMAT " items, against %s %" G_GINT64_FORMAT,
                    length, keyword, bound);
              valid = FALSE;
            }
        }
      else if (g_str_equal (keyword, "minLength") || g_str_equal (keyword, "maxLength"))
        {
          gint64 bound = json_node_get_int (value);
          gint64 length;

          if (!has_type (instance, "string"))
            continue;
          length = g_utf8_strlen (json_node_get_string (instance), -1);
          if (g_str_equal (keyword, "minLength") ? length < bound : length > bound)
            {
              fail (checker, path, "%" G_GINT64_FORMAT " characters, against %s %" G_GINT64_FORMAT,
                    length, keyword, bound);
              valid = FALSE;
            }
        }
      else if (g_str_equal (keyword, "minimum"))
        {
          if (is_number (instance) &&
              json_node_get_double (instance) < json_node_get_double (value))
            {
              fail (checker, path, "below the minimum");
              valid = FALSE;
            }
        }
      else if (g_str_equal (keyword, "pattern"))
        {
          if (has_type (instance, "string") &&
              !g_regex_match_simple (json_node_get_string (value), json_node_get_string (instance),
                                     0, 0))
            {
              fail (checker, path, "does not match %s", json_node_get_string (value));
              valid = FALSE;
            }
        }
      else if (g_str_equal (keyword, "format"))
        {
          if (has_type (instance, "string") &&
              !json_schema_check_format (json_node_get_string (value), json_node_get_string (instance)))
            {
              fail (checker, path, "not a valid %s", json_node_get_string (value));
              valid = FALSE;
            }
        }
      else if (g_str_equal (keyword, "allOf"))
        {
          JsonArray *all = json_node_get_array (value);

          for (guint i = 0; i < json_array_get_length (all); i++)
            valid &= check (checker, json_array_get_element (all, i), instance, path);
        }
      else if (g_str_equal (keyword, "if"))
        {
          const char *branch = holds (checker, value, instance) ? "then" : "else";

          if (json_object_has_member (keywords, branch))
            valid &= check (checker, json_object_get_member (keywords, branch), instance, path);
        }
      else if (g_str_equal (keyword, "not"))
        {
          if (holds (checker, value, instance))
            {
              fail (checker, path, "matches a schema it must not (“not”)");
              valid = FALSE;
            }
        }
      else
        {
          g_error ("the schema uses “%s”, which this checker does not implement", keyword);
        }
    }
  return valid;
}

char *
json_schema_check_data_path (const char *name)
{
  const char *data_dir = g_getenv ("HAVEN_DATADIR");

  g_assert_nonnull (data_dir);
  return g_build_filename (data_dir, "api", name, NULL);
}

JsonNode *
json_schema_check_load_notice_package (void)
{
  g_autofree char *path = json_schema_check_data_path ("haven-notice-package-v1.schema.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

gboolean
json_schema_check_is_valid (JsonNode   *schema,
          JsonNode   *package,
          GPtrArray **errors_out)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  Checker checker = { json_node_get_object (schema), errors };
  gboolean valid = check (&checker, schema, package, "");

  /* A refusal always says why, and only a refusal does. */
  g_assert_cmpint (valid, ==, errors->len == 0);
  if (errors_out != NULL)
    *errors_out = g_steal_pointer (&errors);
  return valid;
}

