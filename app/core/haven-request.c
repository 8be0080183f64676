/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-request"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "haven-checks.h"
#include "haven-request.h"
#include "haven-wipe.h"

/* A removal request or a report, as haven-api-v1.md defines the body, from the
 * moment the visitor starts one until it is confirmed and queued. Every
 * string in it is something the visitor typed or chose, so every string is
 * wiped before it is freed, and so are the copies json-glib makes of them.
 *
 * Bounds that haven-api-v1.md leaves open, chosen so that a body within them stays
 * well under 256 KiB in the common case; the size of the whole body is
 * checked as well ("body" in the field errors) because four-byte characters
 * could still add up past it. */
#define MAX_PLATFORM_LENGTH     253
#define MAX_KIOSK_ID_LENGTH     128
#define MAX_LOCALE_LENGTH       35
#define MAX_EMAIL_LENGTH        254
#define MAX_PHONE_LENGTH        32
#define MAX_SUMMARY_LENGTH      10000
#define MAX_ANSWERS             50
#define MAX_ANSWER_LENGTH       2000
#define MAX_QUESTION_ID_LENGTH  64
#define MAX_EVIDENCE            50
#define MAX_EVIDENCE_LENGTH     200

typedef struct {
  char *url;
  char *platform;
  char *description;
} Item;

struct _HavenRequest
{
  GObject parent_instance;

  /* Items, evidence and answers own wiped strings. */
  GPtrArray *items;
  GPtrArray *evidence;
  GHashTable *answers;
  /* Field paths whose JSON value had the wrong type; reported by
   * validation, since the parse itself must not fail on them. */
  GHashTable *malformed;

  HavenRequestKind kind;
  char *request_id;
  char *created_at;
  char *kiosk_id;
  char *locale;
  char *category;
  char *role;
  char *email;
  char *phone;
  gboolean consent_to_contact;
  gboolean accurate;
  gboolean authorised;
  char *started_on;
  char *summary;
  char *losses_amount;
  char *losses_currency;
};

G_DEFINE_FINAL_TYPE (HavenRequest, haven_request, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-request-error-quark, haven_request_error)

enum {
  PROP_0,
  PROP_KIND,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

/* The ids of the content definitions' categories, in the order a page
 * would list them. */
static const char * const category_ids[] = {
  "account-takeover",
  "malware",
  "fraud",
  "impersonation",
  "intimate-images",
  "extortion",
  "child-abuse-material",
  "harassment",
  "other",
  NULL,
};
G_STATIC_ASSERT (G_N_ELEMENTS (category_ids) == HAVEN_REQUEST_N_CATEGORIES + 1);

static const char * const reporter_roles[] = {
  "self",
  "parent-or-guardian",
  "authorised-representative",
  NULL,
};

static void
item_free (Item *item)
{
  haven_wipe_clear_string (&item->url);
  haven_wipe_clear_string (&item->platform);
  haven_wipe_clear_string (&item->description);
  g_free (item);
}

/* Empty text is no answer, as in HavenSession. */
static void
replace_string (char       **field,
                const char  *value)
{
  char *copy;

  if (value != NULL && *value == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return;

  /* Copied first: @value may point into the old string. */
  copy = g_strdup (value);
  haven_wipe_clear_string (field);
  *field = copy;
}

static void
haven_request_clear (HavenRequest *self)
{
  g_ptr_array_set_size (self->items, 0);
  g_ptr_array_set_size (self->evidence, 0);
  g_hash_table_remove_all (self->answers);
  g_hash_table_remove_all (self->malformed);

  haven_wipe_clear_string (&self->request_id);
  haven_wipe_clear_string (&self->created_at);
  haven_wipe_clear_string (&self->kiosk_id);
  haven_wipe_clear_string (&self->locale);
  haven_wipe_clear_string (&self->category);
  haven_wipe_clear_string (&self->role);
  haven_wipe_clear_string (&self->email);
  haven_wipe_clear_string (&self->phone);
  haven_wipe_clear_string (&self->started_on);
  haven_wipe_clear_string (&self->summary);
  haven_wipe_clear_string (&self->losses_amount);
  haven_wipe_clear_string (&self->losses_currency);
  self->consent_to_contact = FALSE;
  self->accurate = FALSE;
  self->authorised = FALSE;
}

static void
haven_request_finalize (GObject *object)
{
  HavenRequest *self = HAVEN_REQUEST (object);

  haven_request_clear (self);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->evidence, g_ptr_array_unref);
  g_clear_pointer (&self->answers, g_hash_table_unref);
  g_clear_pointer (&self->malformed, g_hash_table_unref);

  G_OBJECT_CLASS (haven_request_parent_class)->finalize (object);
}

static void
haven_request_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HavenRequest *self = HAVEN_REQUEST (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_int (value, self->kind);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_request_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  HavenRequest *self = HAVEN_REQUEST (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_int (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_request_class_init (HavenRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_request_finalize;
  object_class->get_property = haven_request_get_property;
  object_class->set_property = haven_request_set_property;

  /* An int rather than an enum property: the project has no generated
   * enum types, and the kind is fixed at construction anyway. */
  props[PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL,
                      HAVEN_REQUEST_KIND_REMOVAL, HAVEN_REQUEST_KIND_REPORT,
                      HAVEN_REQUEST_KIND_REMOVAL,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
haven_request_init (HavenRequest *self)
{
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  self->evidence = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_wipe_string);
  self->answers = g_hash_table_new_full (g_str_hash, g_str_equal,
                                         g_free, (GDestroyNotify) haven_wipe_string);
  self->malformed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

const char *
haven_request_kind_to_string (HavenRequestKind kind)
{
  switch (kind)
    {
    case HAVEN_REQUEST_KIND_REMOVAL:
      return "removal";
    case HAVEN_REQUEST_KIND_REPORT:
      return "report";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
haven_request_kind_from_string (const char       *string,
                                HavenRequestKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  if (g_strcmp0 (string, "removal") == 0)
    *kind = HAVEN_REQUEST_KIND_REMOVAL;
  else if (g_strcmp0 (string, "report") == 0)
    *kind = HAVEN_REQUEST_KIND_REPORT;
  else
    return FALSE;

  return TRUE;
}

const char *
haven_request_kind_get_path (HavenRequestKind kind)
{
  switch (kind)
    {
    case HAVEN_REQUEST_KIND_REMOVAL:
      return "/v1/removal-requests";
    case HAVEN_REQUEST_KIND_REPORT:
      return "/v1/reports";
    default:
      g_return_val_if_reached (NULL);
    }
}

const char * const *
haven_request_get_category_ids (void)
{
  return category_ids;
}

gboolean
haven_request_is_category_id (const char *category)
{
  return category != NULL && g_strv_contains (category_ids, category);
}

char *
haven_request_platform_for_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *host = NULL;
  const char *scheme;

  if (url == NULL)
    return NULL;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return NULL;

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    return NULL;
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return NULL;

  host = g_utf8_strdown (g_uri_get_host (uri), -1);
  if (g_str_has_prefix (host, "www.") && host[4] != '\0')
    return g_strdup (host + 4);

  return g_steal_pointer (&host);
}

gboolean
haven_request_is_uuid_v4 (const char *string)
{
  /* xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx */
  return string != NULL &&
         g_uuid_string_is_valid (string) &&
         string[14] == '4' &&
         strchr ("89abAB", string[19]) != NULL;
}

HavenRequest *
haven_request_new (HavenRequestKind kind)
{
  g_return_val_if_fail (kind == HAVEN_REQUEST_KIND_REMOVAL ||
                        kind == HAVEN_REQUEST_KIND_REPORT, NULL);

  return g_object_new (HAVEN_TYPE_REQUEST, "kind", kind, NULL);
}

/* Parsing. */

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
    replace_string (field, json_node_get_string (node));
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
  guint length = array != NULL ? json_array_get_length (array) : 0;

  for (guint i = 0; i < length; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autofree char *path = g_strdup_printf ("items[%u]", i);
      g_autofree char *url_path = g_strdup_printf ("items[%u].url", i);
      g_autofree char *platform_path = g_strdup_printf ("items[%u].platform", i);
      g_autofree char *description_path = g_strdup_printf ("items[%u].description", i);
      JsonObject *object = NULL;
      Item *item = g_new0 (Item, 1);

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

/* json-glib frees its copies of the strings without overwriting them; this
 * overwrites them first. The JsonNode API hands out the very buffer it
 * owns, which is what makes this possible. */
static void
wipe_json_node (JsonNode *node)
{
  if (node == NULL)
    return;

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, NULL, &member))
          wipe_json_node (member);
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          wipe_json_node (json_array_get_element (array, i));
      }
      break;

    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          char *string = (char *) json_node_get_string (node);

          if (string != NULL)
            explicit_bzero (string, strlen (string));
        }
      break;

    case JSON_NODE_NULL:
    default:
      break;
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
  /* The parser's message quotes the text around the mistake, which is the
   * visitor's; the operator gets only that it is not JSON. */
  if (!json_parser_load_from_data (parser, json, size, &parse_error))
    {
      g_set_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_INVALID,
                   _("The request is not valid JSON"));
      return NULL;
    }

  root_node = json_parser_get_root (parser);
  if (root_node == NULL || !JSON_NODE_HOLDS_OBJECT (root_node))
    {
      g_set_error (error, HAVEN_REQUEST_ERROR, HAVEN_REQUEST_ERROR_INVALID,
                   _("The request is not a JSON object"));
      wipe_json_node (root_node);
      return NULL;
    }
  root = json_node_get_object (root_node);

  self = haven_request_new (kind);
  read_string (self, root, "request_id", "request_id", &self->request_id);
  read_string (self, root, "created_at", "created_at", &self->created_at);
  read_string (self, root, "kiosk_id", "kiosk_id", &self->kiosk_id);
  read_string (self, root, "locale", "locale", &self->locale);
  read_string (self, root, "category", "category", &self->category);

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

  wipe_json_node (root_node);
  return g_steal_pointer (&self);
}

/* Validation. */

static void
add_error (GHashTable *errors,
           const char *path,
           const char *message)
{
  /* The first problem found with a field is the one to fix first. */
  if (!g_hash_table_contains (errors, path))
    g_hash_table_insert (errors, g_strdup (path), g_strdup (message));
}

/* C0 and C1 controls and DEL; @allow_newline lets "\n" through for text
 * that may have lines. */
static gboolean
has_control_characters (const char *text,
                        gboolean    allow_newline)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' && allow_newline)
        continue;
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
        return TRUE;
    }

  return FALSE;
}

typedef enum {
  TEXT_SINGLE_LINE,
  TEXT_MULTI_LINE,
} TextKind;

/* The checks every string shares. Returns FALSE after adding an error. */
static gboolean
check_text (GHashTable *errors,
            const char *path,
            const char *text,
            TextKind    text_kind,
            glong       max_length,
            const char *too_long_message)
{
  if (!g_utf8_validate (text, -1, NULL))
    {
      add_error (errors, path, _("Enter this text again: part of it could not be read"));
      return FALSE;
    }

  if (has_control_characters (text, text_kind == TEXT_MULTI_LINE))
    {
      if (text_kind == TEXT_MULTI_LINE)
        add_error (errors, path, _("Remove the special characters from this text"));
      else
        add_error (errors, path,
                   _("Remove the line breaks and special characters from this text"));
      return FALSE;
    }

  if (g_utf8_strlen (text, -1) > max_length)
    {
      add_error (errors, path, too_long_message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
is_url_character (gunichar c)
{
  /* Spaces and invisible formatting characters (bidirectional overrides,
   * zero-width joiners) have no place in an address, and can make one look
   * like another. */
  return !g_unichar_isspace (c) && g_unichar_type (c) != G_UNICODE_FORMAT;
}

static void
check_url (GHashTable *errors,
           const char *path,
           const char *url)
{
  const char *enter_url = _("Enter the web address, starting with https://");
  g_autofree char *host = NULL;

  if (url == NULL)
    {
      add_error (errors, path, enter_url);
      return;
    }

  if (!check_text (errors, path, url, TEXT_SINGLE_LINE, HAVEN_REQUEST_MAX_URL_LENGTH,
                   _("Enter a web address of at most 2,048 characters")))
    return;

  for (const char *p = url; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (!is_url_character (g_utf8_get_char (p)))
        {
          add_error (errors, path, _("Remove the spaces from the web address"));
          return;
        }
    }

  host = haven_request_platform_for_url (url);
  if (host == NULL)
    add_error (errors, path, enter_url);
}

static void
check_optional_text (GHashTable *errors,
                     const char *path,
                     const char *text,
                     TextKind    text_kind,
                     glong       max_length,
                     const char *too_long_message)
{
  if (text != NULL)
    check_text (errors, path, text, text_kind, max_length, too_long_message);
}

static gboolean
matches (const char *pattern,
         const char *text)
{
  return g_regex_match_simple (pattern, text, G_REGEX_DEFAULT, G_REGEX_MATCH_DEFAULT);
}

static void
check_email (GHashTable *errors,
             const char *email)
{
  const char *path = "reporter.contact.email";
  const char *message = _("Enter an email address like name@example.org");

  if (!check_text (errors, path, email, TEXT_SINGLE_LINE, MAX_EMAIL_LENGTH, message))
    return;

  /* Deliberately loose: one "@", something on each side, a dot in the
   * domain. A stricter check refuses real addresses. */
  if (!matches ("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))
    add_error (errors, path, message);
}

static void
check_phone (GHashTable *errors,
             const char *phone)
{
  const char *path = "reporter.contact.phone";
  const char *message = _("Enter a phone number in digits, like +44 20 7946 0000");
  guint digits = 0;

  if (!check_text (errors, path, phone, TEXT_SINGLE_LINE, MAX_PHONE_LENGTH, message))
    return;

  /* Digits and the marks people put between them; three digits at least
   * so that "+" or "()" alone is not a number. */
  for (const char *p = phone; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits++;
    }
  if (digits < 3 || !matches ("^\\+?[0-9 ()./-]+$", phone))
    add_error (errors, path, message);
}

static gboolean
is_rfc3339_utc (const char *text)
{
  g_autoptr(GDateTime) time = NULL;

  /* Only the "Z" form: haven-api-v1.md wants UTC, and one spelling of it keeps the
   * bodies comparable. */
  if (!matches ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$", text))
    return FALSE;

  time = g_date_time_new_from_iso8601 (text, NULL);
  return time != NULL;
}

static void
check_reporter (HavenRequest *self,
                GHashTable   *errors)
{
  if (self->role == NULL || !g_strv_contains (reporter_roles, self->role))
    add_error (errors, "reporter.role",
               _("Choose whether this is about you or someone you act for"));

  if (self->email != NULL)
    check_email (errors, self->email);
  if (self->phone != NULL)
    check_phone (errors, self->phone);

  if (self->consent_to_contact && self->email == NULL && self->phone == NULL)
    add_error (errors, "reporter.contact",
               _("Give an email address or a phone number, or choose not to be contacted"));
}

static void
check_items (HavenRequest *self,
             GHashTable   *errors)
{
  if (self->items->len == 0)
    add_error (errors, "items", _("Add the web address of at least one page"));
  else if (self->items->len > HAVEN_REQUEST_MAX_ITEMS)
    add_error (errors, "items",
               _("Remove some web addresses: up to 20 can be sent at a time"));

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);
      g_autofree char *url_path = g_strdup_printf ("items[%u].url", i);
      g_autofree char *platform_path = g_strdup_printf ("items[%u].platform", i);
      g_autofree char *description_path = g_strdup_printf ("items[%u].description", i);

      check_url (errors, url_path, item->url);
      check_optional_text (errors, platform_path, item->platform, TEXT_SINGLE_LINE,
                           MAX_PLATFORM_LENGTH,
                           _("Shorten the name of the website to 253 characters or fewer"));
      check_optional_text (errors, description_path, item->description, TEXT_MULTI_LINE,
                           HAVEN_REQUEST_MAX_DESCRIPTION_LENGTH,
                           _("Shorten the description to 1,000 characters or fewer"));
    }
}

static void
check_declaration (HavenRequest *self,
                   GHashTable   *errors)
{
  if (!self->accurate)
    add_error (errors, "declaration.accurate",
               _("Confirm that what you have told us is true, as far as you know"));
  if (!self->authorised)
    add_error (errors, "declaration.authorised",
               _("Confirm that you may ask for this content to be removed"));
}

static void
check_incident (HavenRequest *self,
                GHashTable   *errors)
{
  GHashTableIter iter;
  gpointer key, value;

  if (self->started_on != NULL && !haven_check_iso_date (self->started_on))
    add_error (errors, "incident.started_on",
               _("Enter the date as year, month and day, like 2026-11-20"));

  check_optional_text (errors, "incident.summary", self->summary, TEXT_MULTI_LINE,
                       MAX_SUMMARY_LENGTH,
                       _("Shorten what happened to 10,000 characters or fewer"));

  if (self->losses_amount != NULL || self->losses_currency != NULL)
    {
      if (self->losses_amount == NULL ||
          !matches ("^[0-9]{1,15}(\\.[0-9]{1,4})?$", self->losses_amount))
        add_error (errors, "incident.losses.amount",
                   _("Enter the amount in figures, like 250.00"));
      if (self->losses_currency == NULL || !matches ("^[A-Z]{3}$", self->losses_currency))
        add_error (errors, "incident.losses.currency",
                   _("Choose the currency, like EUR or USD"));
    }

  if (g_hash_table_size (self->answers) > MAX_ANSWERS)
    add_error (errors, "incident.answers", _("Answer at most 50 questions"));

  g_hash_table_iter_init (&iter, self->answers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *path = g_strdup_printf ("incident.answers.%s", (const char *) key);

      /* Question ids come from the content definitions, not the visitor. */
      if (!matches ("^[a-z0-9][a-z0-9._-]*$", key) ||
          strlen (key) > MAX_QUESTION_ID_LENGTH)
        add_error (errors, path, _("Use a question id of lowercase letters, digits and -"));
      else
        check_text (errors, path, value, TEXT_MULTI_LINE, MAX_ANSWER_LENGTH,
                    _("Shorten this answer to 2,000 characters or fewer"));
    }
}

static void
check_evidence (HavenRequest *self,
                GHashTable   *errors)
{
  if (self->evidence->len > MAX_EVIDENCE)
    add_error (errors, "evidence", _("List at most 50 things you have kept"));

  for (guint i = 0; i < self->evidence->len; i++)
    {
      const char *evidence = g_ptr_array_index (self->evidence, i);
      g_autofree char *path = g_strdup_printf ("evidence[%u]", i);

      if (evidence == NULL)
        add_error (errors, path, _("Describe what you have kept, in a few words"));
      else
        check_text (errors, path, evidence, TEXT_SINGLE_LINE, MAX_EVIDENCE_LENGTH,
                    _("Shorten this to 200 characters or fewer"));
    }
}

static void
check_envelope (HavenRequest *self,
                GHashTable   *errors)
{
  if (!haven_request_is_uuid_v4 (self->request_id))
    add_error (errors, "request_id", _("Give the request a random (version 4) UUID"));

  if (self->created_at == NULL || !is_rfc3339_utc (self->created_at))
    add_error (errors, "created_at", _("Give the time in UTC, like 2026-11-27T10:15:00Z"));

  if (self->kiosk_id == NULL)
    add_error (errors, "kiosk_id", _("Set the kiosk-id setting to this kiosk’s name"));
  else
    check_text (errors, "kiosk_id", self->kiosk_id, TEXT_SINGLE_LINE, MAX_KIOSK_ID_LENGTH,
                _("Shorten the kiosk-id setting to 128 characters or fewer"));

  if (self->locale == NULL || strlen (self->locale) > MAX_LOCALE_LENGTH ||
      !matches ("^[A-Za-z]{2,8}([_-][A-Za-z0-9]{1,8})*$", self->locale))
    add_error (errors, "locale", _("Give the language as a code such as en or pt-BR"));
}

static gboolean
validate (HavenRequest  *self,
          gboolean       envelope,
          GHashTable   **field_errors)
{
  g_autoptr(GHashTable) errors = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                        g_free, g_free);
  GHashTableIter iter;
  gpointer path;

  g_hash_table_iter_init (&iter, self->malformed);
  while (g_hash_table_iter_next (&iter, &path, NULL))
    {
      if (envelope || !g_strv_contains ((const char * const[]) {
            "request_id", "created_at", "kiosk_id", "locale", NULL }, path))
        add_error (errors, path, _("Enter this again: it is not in a form Haven can read"));
    }

  if (envelope)
    check_envelope (self, errors);

  if (!haven_request_is_category_id (self->category))
    add_error (errors, "category", _("Choose what happened"));

  check_reporter (self, errors);

  if (self->kind == HAVEN_REQUEST_KIND_REMOVAL)
    {
      check_items (self, errors);
      check_declaration (self, errors);
    }
  else
    {
      check_incident (self, errors);
      check_evidence (self, errors);
    }

  /* Only a request that is otherwise valid is measured, since the size of
   * one that is not says little. */
  if (g_hash_table_size (errors) == 0)
    {
      gsize length = 0;
      char *json = haven_request_to_json (self, &length);

      haven_wipe_string (json);
      if (length > HAVEN_REQUEST_MAX_BODY_BYTES)
        add_error (errors, "body", _("Shorten your answers: this request is too long to send"));
    }

  if (g_hash_table_size (errors) == 0)
    {
      if (field_errors != NULL)
        *field_errors = NULL;
      return TRUE;
    }

  if (field_errors != NULL)
    *field_errors = g_steal_pointer (&errors);
  return FALSE;
}

gboolean
haven_request_validate (HavenRequest  *self,
                        GHashTable   **field_errors)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), FALSE);

  return validate (self, TRUE, field_errors);
}

gboolean
haven_request_validate_draft (HavenRequest  *self,
                              GHashTable   **field_errors)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), FALSE);

  return validate (self, FALSE, field_errors);
}

/* Serialising. */

/* Text that is not UTF-8 would make the JSON invalid; it is replaced the
 * way GLib does, and validation will have said so already. */
static void
add_string_member (JsonBuilder *builder,
                   const char  *member,
                   const char  *value)
{
  if (value == NULL)
    return;

  json_builder_set_member_name (builder, member);
  if (g_utf8_validate (value, -1, NULL))
    {
      json_builder_add_string_value (builder, value);
    }
  else
    {
      char *valid = g_utf8_make_valid (value, -1);

      json_builder_add_string_value (builder, valid);
      haven_wipe_string (valid);
    }
}

static void
add_boolean_member (JsonBuilder *builder,
                    const char  *member,
                    gboolean     value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_boolean_value (builder, value);
}

static void
build_reporter (HavenRequest *self,
                JsonBuilder  *builder)
{
  json_builder_set_member_name (builder, "reporter");
  json_builder_begin_object (builder);
  add_string_member (builder, "role", self->role);
  if (self->email != NULL || self->phone != NULL)
    {
      json_builder_set_member_name (builder, "contact");
      json_builder_begin_object (builder);
      add_string_member (builder, "email", self->email);
      add_string_member (builder, "phone", self->phone);
      json_builder_end_object (builder);
    }
  add_boolean_member (builder, "consent_to_contact", self->consent_to_contact);
  json_builder_end_object (builder);
}

static void
build_removal (HavenRequest *self,
               JsonBuilder  *builder)
{
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      json_builder_begin_object (builder);
      add_string_member (builder, "url", item->url);
      add_string_member (builder, "platform", item->platform);
      add_string_member (builder, "description", item->description);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  build_reporter (self, builder);

  json_builder_set_member_name (builder, "declaration");
  json_builder_begin_object (builder);
  add_boolean_member (builder, "accurate", self->accurate);
  add_boolean_member (builder, "authorised", self->authorised);
  json_builder_end_object (builder);
}

static void
build_report (HavenRequest *self,
              JsonBuilder  *builder)
{
  g_auto(GStrv) question_ids = haven_request_dup_answer_ids (self);

  build_reporter (self, builder);

  json_builder_set_member_name (builder, "incident");
  json_builder_begin_object (builder);
  add_string_member (builder, "started_on", self->started_on);
  add_string_member (builder, "summary", self->summary);
  if (self->losses_amount != NULL || self->losses_currency != NULL)
    {
      json_builder_set_member_name (builder, "losses");
      json_builder_begin_object (builder);
      add_string_member (builder, "amount", self->losses_amount);
      add_string_member (builder, "currency", self->losses_currency);
      json_builder_end_object (builder);
    }
  json_builder_set_member_name (builder, "answers");
  json_builder_begin_object (builder);
  for (guint i = 0; question_ids[i] != NULL; i++)
    add_string_member (builder, question_ids[i],
                       g_hash_table_lookup (self->answers, question_ids[i]));
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "evidence");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->evidence->len; i++)
    {
      const char *evidence = g_ptr_array_index (self->evidence, i);

      json_builder_add_string_value (builder, evidence != NULL ? evidence : "");
    }
  json_builder_end_array (builder);
}

char *
haven_request_to_json (HavenRequest *self,
                       gsize        *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  char *json;

  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);

  /* Member order follows haven-api-v1.md's example, so that the same request always
   * gives the same bytes: the outbox stores them, and the server compares
   * a repeated Idempotency-Key's body with the first. */
  json_builder_begin_object (builder);
  add_string_member (builder, "request_id", self->request_id);
  add_string_member (builder, "created_at", self->created_at);
  add_string_member (builder, "kiosk_id", self->kiosk_id);
  add_string_member (builder, "locale", self->locale);
  add_string_member (builder, "category", self->category);
  if (self->kind == HAVEN_REQUEST_KIND_REMOVAL)
    build_removal (self, builder);
  else
    build_report (self, builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_pretty (generator, FALSE);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, length);

  /* The builder's tree shares its strings with @root. */
  wipe_json_node (root);
  return json;
}

void
haven_request_confirm (HavenRequest *self,
                       const char   *kiosk_id,
                       const char   *locale)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *request_id = NULL;
  g_autofree char *created_at = NULL;

  g_return_if_fail (HAVEN_IS_REQUEST (self));

  now = g_date_time_new_now_utc ();
  request_id = g_uuid_string_random ();
  created_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

  replace_string (&self->request_id, request_id);
  replace_string (&self->created_at, created_at);
  replace_string (&self->kiosk_id, kiosk_id);
  replace_string (&self->locale, locale);
  /* The envelope is now the kiosk's own, whatever a file said before. */
  g_hash_table_remove (self->malformed, "request_id");
  g_hash_table_remove (self->malformed, "created_at");
  g_hash_table_remove (self->malformed, "kiosk_id");
  g_hash_table_remove (self->malformed, "locale");
}

void
haven_request_wipe (HavenRequest *self)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));

  haven_request_clear (self);
}

/* Accessors. */

HavenRequestKind
haven_request_get_kind (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), HAVEN_REQUEST_KIND_REMOVAL);

  return self->kind;
}

const char *
haven_request_get_request_id (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);

  return self->request_id;
}

const char *
haven_request_get_created_at (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);

  return self->created_at;
}

const char *
haven_request_get_kiosk_id (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);

  return self->kiosk_id;
}

const char *
haven_request_get_locale (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);

  return self->locale;
}

const char *
haven_request_get_category (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);

  return self->category;
}

void
haven_request_set_category (HavenRequest *self,
                            const char   *category)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));

  replace_string (&self->category, category);
  g_hash_table_remove (self->malformed, "category");
}

guint
haven_request_get_n_items (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), 0);

  return self->items->len;
}

static void
set_item (HavenRequest *self,
          guint         index,
          const char   *url,
          const char   *platform,
          const char   *description)
{
  Item *item = g_ptr_array_index (self->items, index);
  g_autofree char *path = g_strdup_printf ("items[%u]", index);
  g_autofree char *url_path = g_strdup_printf ("items[%u].url", index);
  g_autofree char *platform_path = g_strdup_printf ("items[%u].platform", index);
  g_autofree char *description_path = g_strdup_printf ("items[%u].description", index);
  char *derived = NULL;

  if (platform == NULL)
    platform = derived = haven_request_platform_for_url (url);

  replace_string (&item->url, url);
  replace_string (&item->platform, platform);
  replace_string (&item->description, description);
  haven_wipe_string (derived);

  g_hash_table_remove (self->malformed, path);
  g_hash_table_remove (self->malformed, url_path);
  g_hash_table_remove (self->malformed, platform_path);
  g_hash_table_remove (self->malformed, description_path);
}

guint
haven_request_add_item (HavenRequest *self,
                        const char   *url,
                        const char   *platform,
                        const char   *description)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), 0);

  g_ptr_array_add (self->items, g_new0 (Item, 1));
  set_item (self, self->items->len - 1, url, platform, description);
  return self->items->len - 1;
}

void
haven_request_set_item (HavenRequest *self,
                        guint         index,
                        const char   *url,
                        const char   *platform,
                        const char   *description)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));
  g_return_if_fail (index < self->items->len);

  set_item (self, index, url, platform, description);
}

/* Field paths hold positions; once items move, the marks for the old
 * positions would name the wrong ones. A page edits items through the
 * setters, so only a request parsed from a file has marks to lose. */
static void
forget_malformed_with_prefix (HavenRequest *self,
                              const char   *prefix)
{
  GHashTableIter iter;
  gpointer path;

  g_hash_table_iter_init (&iter, self->malformed);
  while (g_hash_table_iter_next (&iter, &path, NULL))
    {
      if (g_str_has_prefix (path, prefix))
        g_hash_table_iter_remove (&iter);
    }
}

void
haven_request_remove_item (HavenRequest *self,
                           guint         index)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));
  g_return_if_fail (index < self->items->len);

  g_ptr_array_remove_index (self->items, index);
  forget_malformed_with_prefix (self, "items[");
}

static Item *
get_item (HavenRequest *self,
          guint         index)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);
  g_return_val_if_fail (index < self->items->len, NULL);

  return g_ptr_array_index (self->items, index);
}

const char *
haven_request_get_item_url (HavenRequest *self,
                            guint         index)
{
  Item *item = get_item (self, index);

  return item != NULL ? item->url : NULL;
}

const char *
haven_request_get_item_platform (HavenRequest *self,
                                 guint         index)
{
  Item *item = get_item (self, index);

  return item != NULL ? item->platform : NULL;
}

const char *
haven_request_get_item_description (HavenRequest *self,
                                    guint         index)
{
  Item *item = get_item (self, index);

  return item != NULL ? item->description : NULL;
}

const char *
haven_request_get_reporter_role (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);

  return self->role;
}

void
haven_request_set_reporter_role (HavenRequest *self,
                                 const char   *role)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));

  replace_string (&self->role, role);
  g_hash_table_remove (self->malformed, "reporter.role");
}

const char *
haven_request_get_contact_email (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);

  return self->email;
}

void
haven_request_set_contact_email (HavenRequest *self,
                                 const char   *email)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));

  replace_string (&self->email, email);
  g_hash_table_remove (self->malformed, "reporter.contact.email");
}

const char *
haven_request_get_contact_phone (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);

  return self->phone;
}

void
haven_request_set_contact_phone (HavenRequest *self,
                                 const char   *phone)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));

  replace_string (&self->phone, phone);
  g_hash_table_remove (self->malformed, "reporter.contact.phone");
}

gboolean
haven_request_get_consent_to_contact (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), FALSE);

  return self->consent_to_contact;
}

void
haven_request_set_consent_to_contact (HavenRequest *self,
                                      gboolean      consent)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));

  self->consent_to_contact = !!consent;
  g_hash_table_remove (self->malformed, "reporter.consent_to_contact");
}

gboolean
haven_request_get_declaration_accurate (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), FALSE);

  return self->accurate;
}

void
haven_request_set_declaration_accurate (HavenRequest *self,
                                        gboolean      accurate)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));

  self->accurate = !!accurate;
  g_hash_table_remove (self->malformed, "declaration.accurate");
}

gboolean
haven_request_get_declaration_authorised (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), FALSE);

  return self->authorised;
}

void
haven_request_set_declaration_authorised (HavenRequest *self,
                                          gboolean      authorised)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));

  self->authorised = !!authorised;
  g_hash_table_remove (self->malformed, "declaration.authorised");
}

const char *
haven_request_get_started_on (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);

  return self->started_on;
}

void
haven_request_set_started_on (HavenRequest *self,
                              const char   *date)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));

  replace_string (&self->started_on, date);
  g_hash_table_remove (self->malformed, "incident.started_on");
}

const char *
haven_request_get_summary (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);

  return self->summary;
}

void
haven_request_set_summary (HavenRequest *self,
                           const char   *summary)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));

  replace_string (&self->summary, summary);
  g_hash_table_remove (self->malformed, "incident.summary");
}

const char *
haven_request_get_losses_amount (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);

  return self->losses_amount;
}

const char *
haven_request_get_losses_currency (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);

  return self->losses_currency;
}

void
haven_request_set_losses (HavenRequest *self,
                          const char   *amount,
                          const char   *currency)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));

  replace_string (&self->losses_amount, amount);
  replace_string (&self->losses_currency, currency);
  g_hash_table_remove (self->malformed, "incident.losses");
  g_hash_table_remove (self->malformed, "incident.losses.amount");
  g_hash_table_remove (self->malformed, "incident.losses.currency");
}

const char *
haven_request_get_answer (HavenRequest *self,
                          const char   *question_id)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);
  g_return_val_if_fail (question_id != NULL, NULL);

  return g_hash_table_lookup (self->answers, question_id);
}

void
haven_request_set_answer (HavenRequest *self,
                          const char   *question_id,
                          const char   *answer)
{
  g_autofree char *path = NULL;

  g_return_if_fail (HAVEN_IS_REQUEST (self));
  g_return_if_fail (question_id != NULL);

  if (answer == NULL || *answer == '\0')
    g_hash_table_remove (self->answers, question_id);
  else
    g_hash_table_replace (self->answers, g_strdup (question_id), g_strdup (answer));

  path = g_strdup_printf ("incident.answers.%s", question_id);
  g_hash_table_remove (self->malformed, path);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GStrv
haven_request_dup_answer_ids (HavenRequest *self)
{
  g_autofree const char **keys = NULL;
  guint n_keys = 0;
  GStrv ids;

  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);

  keys = (const char **) g_hash_table_get_keys_as_array (self->answers, &n_keys);
  ids = g_strdupv ((char **) keys);
  /* Byte order, not the locale's: the JSON must not change with it. */
  qsort (ids, n_keys, sizeof *ids, compare_strings);

  return ids;
}

guint
haven_request_get_n_evidence (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), 0);

  return self->evidence->len;
}

const char *
haven_request_get_evidence (HavenRequest *self,
                            guint         index)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), NULL);
  g_return_val_if_fail (index < self->evidence->len, NULL);

  return g_ptr_array_index (self->evidence, index);
}

guint
haven_request_add_evidence (HavenRequest *self,
                            const char   *evidence)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), 0);
  g_return_val_if_fail (evidence != NULL, 0);

  g_ptr_array_add (self->evidence, g_strdup (evidence));
  return self->evidence->len - 1;
}

void
haven_request_remove_evidence (HavenRequest *self,
                               guint         index)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));
  g_return_if_fail (index < self->evidence->len);

  g_ptr_array_remove_index (self->evidence, index);
  forget_malformed_with_prefix (self, "evidence[");
}
