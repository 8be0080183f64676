/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-request"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "haven-request.h"
#include "haven-request-private.h"
#include "haven-wipe.h"

/* A removal request or a report, as haven-api-v1.md defines the body, from the
 * moment the visitor starts one until it is confirmed and queued. Every
 * string in it is something the visitor typed or chose, so every string is
 * wiped before it is freed.
 *
 * Here are the model and its canonical JSON; haven-request-parser.c reads
 * one from JSON and haven-request-validation.c checks one. */

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

static void
item_free (HavenRequestItem *item)
{
  haven_wipe_clear_string (&item->url);
  haven_wipe_clear_string (&item->platform);
  haven_wipe_clear_string (&item->description);
  g_free (item);
}

/* Empty text is no answer, as in HavenSession. */
void
haven_request_replace_string (char       **field,
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
  self->child_involved = FALSE;
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
/* Serialising. */

/* json-glib frees its copies of the strings without overwriting them; this
 * overwrites them first. The JsonNode API hands out the very buffer it
 * owns, which is what makes this possible. */
void
haven_request_wipe_json_node (JsonNode *node)
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
          haven_request_wipe_json_node (member);
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          haven_request_wipe_json_node (json_array_get_element (array, i));
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
      HavenRequestItem *item = g_ptr_array_index (self->items, i);

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
  /* Optional, and left out when false, so that the bodies of kiosks that
   * never say it and those that say "no" are the same. */
  if (self->child_involved)
    add_boolean_member (builder, "child_involved", TRUE);
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
  haven_request_wipe_json_node (root);
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

  haven_request_replace_string (&self->request_id, request_id);
  haven_request_replace_string (&self->created_at, created_at);
  haven_request_replace_string (&self->kiosk_id, kiosk_id);
  haven_request_replace_string (&self->locale, locale);
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

  haven_request_replace_string (&self->category, category);
  g_hash_table_remove (self->malformed, "category");
}

gboolean
haven_request_get_child_involved (HavenRequest *self)
{
  g_return_val_if_fail (HAVEN_IS_REQUEST (self), FALSE);

  return self->child_involved;
}

void
haven_request_set_child_involved (HavenRequest *self,
                                  gboolean      child_involved)
{
  g_return_if_fail (HAVEN_IS_REQUEST (self));

  self->child_involved = !!child_involved;
  g_hash_table_remove (self->malformed, "child_involved");
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
  HavenRequestItem *item = g_ptr_array_index (self->items, index);
  g_autofree char *path = g_strdup_printf ("items[%u]", index);
  g_autofree char *url_path = g_strdup_printf ("items[%u].url", index);
  g_autofree char *platform_path = g_strdup_printf ("items[%u].platform", index);
  g_autofree char *description_path = g_strdup_printf ("items[%u].description", index);
  char *derived = NULL;

  if (platform == NULL)
    platform = derived = haven_request_platform_for_url (url);

  haven_request_replace_string (&item->url, url);
  haven_request_replace_string (&item->platform, platform);
  haven_request_replace_string (&item->description, description);
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

  g_ptr_array_add (self->items, g_new0 (HavenRequestItem, 1));
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

static HavenRequestItem *
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
  HavenRequestItem *item = get_item (self, index);

  return item != NULL ? item->url : NULL;
}

const char *
haven_request_get_item_platform (HavenRequest *self,
                                 guint         index)
{
  HavenRequestItem *item = get_item (self, index);

  return item != NULL ? item->platform : NULL;
}

const char *
haven_request_get_item_description (HavenRequest *self,
                                    guint         index)
{
  HavenRequestItem *item = get_item (self, index);

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

  haven_request_replace_string (&self->role, role);
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

  haven_request_replace_string (&self->email, email);
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

  haven_request_replace_string (&self->phone, phone);
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

  haven_request_replace_string (&self->started_on, date);
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

  haven_request_replace_string (&self->summary, summary);
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

  haven_request_replace_string (&self->losses_amount, amount);
  haven_request_replace_string (&self->losses_currency, currency);
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

/**
 * haven_request_parse_idempotency_key:
 * @value: (nullable): an Idempotency-Key header's value
 *
 * The header is a structured-field string (RFC 8941, 3.3.3), "…" with \"
 * and \\ escapes; haven-api-v1.md also takes it unquoted.
 *
 * Returns: (transfer full) (nullable): the key, or %NULL when @value is
 *   missing, empty, malformed or longer than
 *   HAVEN_REQUEST_MAX_IDEMPOTENCY_KEY_LENGTH
 */
char *
haven_request_parse_idempotency_key (const char *value)
{
  g_autoptr(GString) key = NULL;
  const char *c;

  if (value == NULL)
    return NULL;

  while (*value == ' ' || *value == '\t')
    value++;

  key = g_string_new (NULL);
  if (*value == '"')
    {
      for (c = value + 1; *c != '"'; c++)
        {
          if (*c == '\\')
            {
              c++;
              if (*c != '"' && *c != '\\')
                return NULL;
            }
          else if (*c < 0x20 || *c > 0x7e)
            {
              return NULL;
            }
          g_string_append_c (key, *c);
        }
      c++;
    }
  else
    {
      for (c = value; g_ascii_isgraph (*c); c++)
        g_string_append_c (key, *c);
    }

  while (*c == ' ' || *c == '\t')
    c++;
  if (*c != '\0' || key->len == 0 || key->len > HAVEN_REQUEST_MAX_IDEMPOTENCY_KEY_LENGTH)
    return NULL;

  return g_string_free (g_steal_pointer (&key), FALSE);
}
