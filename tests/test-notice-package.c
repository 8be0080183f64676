/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-notice-package"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "json-schema-check.h"

/* The notice package's contract (data/api/haven-notice-package-v1.md and
 * its JSON Schema): every example on the page is valid against the schema,
 * every member the schema names is on the page, and packages that break the
 * page's rules (an extra member, a missing Art. 16(2) element, child sexual
 * abuse material with a notifier but no recorded choice) are refused. */

static char *
load_page (void)
{
  g_autofree char *path = json_schema_check_data_path ("haven-notice-package-v1.md");
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Every ```json block of the page, parsed. */
static GPtrArray *
page_examples (void)
{
  g_autofree char *page = load_page ();
  GPtrArray *examples = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  const char *start = page;

  while ((start = strstr (start, "```json\n")) != NULL)
    {
      const char *end;
      g_autofree char *block = NULL;
      g_autoptr(GError) error = NULL;
      JsonNode *node;

      start += strlen ("```json\n");
      end = strstr (start, "\n```");
      g_assert_nonnull (end);
      block = g_strndup (start, end - start);
      node = json_from_string (block, &error);
      g_assert_no_error (error);
      g_ptr_array_add (examples, node);
      start = end;
    }
  return examples;
}

static void
test_examples (void)
{
  g_autoptr(JsonNode) schema = json_schema_check_load_notice_package ();
  g_autoptr(GPtrArray) examples = page_examples ();

  /* The platform notice and the hotline package. */
  g_assert_cmpuint (examples->len, ==, 2);
  for (guint i = 0; i < examples->len; i++)
    {
      g_autoptr(GPtrArray) errors = NULL;

      if (!json_schema_check_is_valid (schema, examples->pdata[i], &errors))
        g_error ("example %u is refused: %s", i + 1, (char *) errors->pdata[0]);
    }
}

/* The object at a path of member names and array indices ("items/0"),
 * or the root for "". */
static JsonObject *
object_at (JsonNode   *root,
           const char *path)
{
  g_auto(GStrv) steps = g_strsplit (path, "/", -1);
  JsonNode *node = root;

  for (guint i = 0; steps[i] != NULL && steps[i][0] != '\0'; i++)
    {
      if (g_ascii_isdigit (steps[i][0]))
        node = json_array_get_element (json_node_get_array (node), atoi (steps[i]));
      else
        node = json_object_get_member (json_node_get_object (node), steps[i]);
      g_assert_nonnull (node);
    }
  return json_node_get_object (node);
}

typedef struct {
  const char *what;
  guint       example;   /* 0: the platform notice, 1: the hotline package */
  const char *object;    /* where to change */
  const char *member;
  const char *json;      /* the new value, or NULL to remove the member */
  gboolean    valid;
} Change;

static const Change changes[] = {
  { "an extra member", 0, "", "image", "\"data:image/png;base64,iVBORw0KGgo=\"", FALSE },
  { "an extra member in an item", 0, "items/0", "screenshot", "\"shot.png\"", FALSE },
  { "an extra member in the channel", 0, "recipient/channel", "token", "\"x\"", FALSE },
  { "an extra member in the notifier", 0, "notifier", "phone", "\"+1 555 0100\"", FALSE },
  { "an extra member in the explanation", 0, "explanation", "evidence", "[]", FALSE },
  { "no explanation: Art. 16(2)(a)", 0, "", "explanation", NULL, FALSE },
  { "no explanation text", 0, "explanation", "text", NULL, FALSE },
  { "an empty explanation", 0, "explanation", "text", "\"\"", FALSE },
  { "no items: Art. 16(2)(b)", 0, "", "items", NULL, FALSE },
  { "an empty list of items", 0, "", "items", "[]", FALSE },
  { "an item without its address", 0, "items/0", "url", NULL, FALSE },
  { "an address that is an image", 0, "items/0", "url", "\"data:image/png;base64,AAAA\"", FALSE },
  { "an address that is not one", 0, "items/0", "url", "\"facebook photo\"", FALSE },
  { "no notifier for a platform: Art. 16(2)(c)", 0, "", "notifier", NULL, FALSE },
  { "a notifier left out for a platform", 0, "", "notifier_choice",
    "\"left-out-under-article-16-2-c\"", FALSE },
  { "a notifier email that is not one", 0, "notifier", "email", "\"notices at example\"", FALSE },
  { "no good-faith statement: Art. 16(2)(d)", 0, "", "good_faith", NULL, FALSE },
  { "a good-faith statement not confirmed", 0, "good_faith", "confirmed", "false", FALSE },
  { "an unknown source type", 0, "", "source_type", "\"SOURCE_USER\"", FALSE },
  { "a source type in lower case", 0, "", "source_type", "\"source_article_16\"", FALSE },
  { "another schema version", 0, "", "schema_version", "2", FALSE },
  { "a notice id that is not a UUID", 0, "", "notice_id", "\"notice-1\"", FALSE },
  { "a time that is not one", 0, "", "created_at", "\"yesterday\"", FALSE },
  { "a web form over http", 0, "recipient/channel", "address", "\"http://forms.example.org/\"",
    FALSE },
  { "a web form without its address", 0, "recipient/channel", "address", NULL, FALSE },
  { "a platform notice sent to a hotline", 0, "recipient", "kind", "\"hotline\"", FALSE },
  { "a category outside the vocabulary's form", 0, "explanation", "statement_category",
    "\"cyber violence\"", FALSE },
  { "a keyword outside the vocabulary's form", 0, "explanation", "keywords", "[\"NCII\"]",
    FALSE },
  { "a platform notice without its notifier choice", 0, "", "notifier_choice", NULL, TRUE },
  { "a platform notice with no entity", 0, "recipient", "entity", NULL, TRUE },
  { "an email channel", 0, "recipient", "channel",
    "{\"kind\": \"email\", \"address\": \"dsa@example.org\"}", TRUE },
  { "an email channel whose address is a form", 0, "recipient", "channel",
    "{\"kind\": \"email\", \"address\": \"https://forms.example.org/\"}", FALSE },
  { "reported from the content itself", 0, "recipient", "channel", "{\"kind\": \"in-app\"}",
    TRUE },
  { "child sexual abuse material sent to the platform", 1, "recipient", "kind", "\"platform\"",
    FALSE },
  { "child sexual abuse material without the notifier's choice", 1, "", "notifier_choice", NULL,
    FALSE },
  { "child sexual abuse material with a notifier it says was left out", 1, "", "notifier",
    "{\"name\": \"Example Support Centre\", \"email\": \"notices@support.example.org\"}", FALSE },
  { "child sexual abuse material with a notifier given", 1, "", "notifier_choice", "\"given\"",
    FALSE },
  { "child sexual abuse material with an image", 1, "items/0", "image", "\"AAAA\"", FALSE },
};

/* json_node_copy() shares the objects it copies: a change must not reach
 * the example the next change starts from. */
static JsonNode *
deep_copy (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  g_autoptr(GError) error = NULL;
  JsonNode *copy = json_from_string (text, &error);

  g_assert_no_error (error);
  return copy;
}

static JsonNode *
changed_example (GPtrArray    *examples,
                 const Change *change)
{
  JsonNode *package = deep_copy (examples->pdata[change->example]);
  JsonObject *object = object_at (package, change->object);

  if (change->json == NULL)
    {
      g_assert_true (json_object_has_member (object, change->member));
      json_object_remove_member (object, change->member);
    }
  else
    {
      g_autoptr(GError) error = NULL;
      JsonNode *value = json_from_string (change->json, &error);

      g_assert_no_error (error);
      json_object_set_member (object, change->member, value);
    }
  return package;
}

static void
test_changes (void)
{
  g_autoptr(JsonNode) schema = json_schema_check_load_notice_package ();
  g_autoptr(GPtrArray) examples = page_examples ();

  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    {
      g_autoptr(JsonNode) package = changed_example (examples, &changes[i]);
      g_autoptr(GPtrArray) errors = NULL;
      gboolean valid = json_schema_check_is_valid (schema, package, &errors);

      g_test_message ("%s: %s%s", changes[i].what, valid ? "accepted" : "refused, ",
                      valid ? "" : (char *) errors->pdata[0]);
      if (valid != changes[i].valid)
        g_error ("%s: %s", changes[i].what, valid ? "accepted" : "refused");
    }
}

/* Child sexual abuse material with the notifier given on purpose: both
 * members, and the choice saying so. */
static void
test_hotline_notifier_given (void)
{
  g_autoptr(JsonNode) schema = json_schema_check_load_notice_package ();
  g_autoptr(GPtrArray) examples = page_examples ();
  g_autoptr(JsonNode) package = deep_copy (examples->pdata[1]);
  JsonObject *root = json_node_get_object (package);
  JsonObject *notifier = json_object_new ();

  json_object_set_string_member (notifier, "name", "Example Support Centre");
  json_object_set_string_member (notifier, "email", "notices@support.example.org");
  json_object_set_object_member (root, "notifier", notifier);
  json_object_set_string_member (root, "notifier_choice", "given");
  g_assert_true (json_schema_check_is_valid (schema, package, NULL));

  /* A name and email with no choice recorded: whether the notifier meant
   * to give them to a hotline is unknown, so the package is not sent. */
  json_object_remove_member (root, "notifier_choice");
  g_assert_false (json_schema_check_is_valid (schema, package, NULL));

  json_object_set_string_member (root, "notifier_choice", "given");
  json_object_remove_member (root, "notifier");
  g_assert_false (json_schema_check_is_valid (schema, package, NULL));
}

static void
collect_properties (JsonNode   *schema,
                    GHashTable *names)
{
  if (JSON_NODE_HOLDS_ARRAY (schema))
    {
      JsonArray *array = json_node_get_array (schema);

      for (guint i = 0; i < json_array_get_length (array); i++)
        collect_properties (json_array_get_element (array, i), names);
    }
  else if (JSON_NODE_HOLDS_OBJECT (schema))
    {
      JsonObject *object = json_node_get_object (schema);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *member = json_object_get_member (object, l->data);

          if (g_str_equal (l->data, "properties") && JSON_NODE_HOLDS_OBJECT (member))
            {
              JsonObject *defined = json_node_get_object (member);
              g_autoptr(GList) properties = json_object_get_members (defined);

              for (GList *p = properties; p != NULL; p = p->next)
                g_hash_table_add (names, g_strdup (p->data));
            }
          collect_properties (member, names);
        }
    }
}

static void
test_documented (void)
{
  g_autoptr(JsonNode) schema = json_schema_check_load_notice_package ();
  g_autofree char *page = load_page ();
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  const char *name;

  collect_properties (schema, names);
  g_assert_cmpuint (g_hash_table_size (names), >=, 25);
  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    {
      g_autofree char *quoted = g_strdup_printf ("`%s`", name);

      if (strstr (page, quoted) == NULL)
        g_error ("the schema names “%s”, which the page does not describe", name);
    }
}

/* The checker itself: what it is for, on a schema small enough to read. */
static void
test_checker (void)
{
  const char *schema_text =
    "{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"a\"],"
    " \"properties\": {\"a\": {\"type\": \"string\", \"pattern\": \"^x\", \"format\": \"email\"},"
    "  \"b\": {\"type\": \"array\", \"minItems\": 1, \"items\": {\"enum\": [1, 2]}}},"
    " \"if\": {\"required\": [\"b\"]},"
    " \"then\": {\"not\": {\"properties\": {\"a\": {\"const\": \"x@y.z\"}}}}}";
  const struct {
    const char *json;
    gboolean    valid;
  } cases[] = {
    { "{\"a\": \"x@example.org\"}", TRUE },
    { "{\"a\": \"x@example.org\", \"b\": [1, 2]}", TRUE },
    { "{}", FALSE },
    { "{\"a\": \"y@example.org\"}", FALSE },
    { "{\"a\": \"x-example.org\"}", FALSE },
    { "{\"a\": 1}", FALSE },
    { "{\"a\": \"x@example.org\", \"c\": 1}", FALSE },
    { "{\"a\": \"x@example.org\", \"b\": []}", FALSE },
    { "{\"a\": \"x@example.org\", \"b\": [3]}", FALSE },
    { "{\"a\": \"x@y.z\"}", TRUE },
    { "{\"a\": \"x@y.z\", \"b\": [1]}", FALSE },
    { "[]", FALSE },
  };
  g_autoptr(JsonNode) schema = json_from_string (schema_text, NULL);

  g_assert_nonnull (schema);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) instance = json_from_string (cases[i].json, NULL);

      g_test_message ("%s", cases[i].json);
      g_assert_nonnull (instance);
      g_assert_cmpint (json_schema_check_is_valid (schema, instance, NULL), ==, cases[i].valid);
    }

  g_assert_true (json_schema_check_format ("date-time", "2026-12-07T14:05:00Z"));
  g_assert_true (json_schema_check_format ("date-time", "2026-12-07T14:05:00.25+01:00"));
  g_assert_false (json_schema_check_format ("date-time", "2026-12-07 14:05:00"));
  g_assert_false (json_schema_check_format ("date-time", "2026-13-07T14:05:00Z"));
  g_assert_true (json_schema_check_format ("uri", "https://report.cybertip.org/"));
  g_assert_false (json_schema_check_format ("uri", "report.cybertip.org"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/notice-package/checker", test_checker);
  g_test_add_func ("/haven/notice-package/examples", test_examples);
  g_test_add_func ("/haven/notice-package/changes", test_changes);
  g_test_add_func ("/haven/notice-package/hotline-notifier-given", test_hotline_notifier_given);
  g_test_add_func ("/haven/notice-package/documented", test_documented);

  return g_test_run ();
}
