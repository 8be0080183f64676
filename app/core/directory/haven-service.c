/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-service"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-directory.h"
#include "haven-json-arena.h"
#include "haven-service.h"

/* One service of the directory, as a visitor sees it: its text already in
 * the visitor's language where the directory has a translation
 * (x_translations), the record's own text otherwise.
 *
 * It is made from the compact JSON the importer stores for each service
 * (see haven-record-mapper.c, write_details()), not from the HSDS record
 * itself: the directory keeps only what is shown. */

struct _HavenService
{
  GObject parent_instance;

  char *id;
  char *name;
  char *alternate_name;
  char *organization;
  char *description;
  char *url;
  char *email;
  char *fees;
  char *source;
  char *assured_date;
  char *hours_today;
  /* When it opens next, in words, while it is closed. */
  char *next_opening;
  GStrv phone_numbers;
  GStrv phone_descriptions;
  GStrv addresses;
  GStrv languages;
  GStrv service_areas;
  GStrv categories;

  HavenServiceReach reach;
  gboolean free;
  gboolean has_hours;
  gboolean open_now;
  gboolean always_open;
};

G_DEFINE_FINAL_TYPE (HavenService, haven_service, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_ORGANIZATION,
  PROP_DESCRIPTION,
  PROP_OPEN_NOW,
  PROP_HOURS_TODAY,
  PROP_FREE,
  PROP_ALWAYS_OPEN,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

static void
haven_service_finalize (GObject *object)
{
  HavenService *self = HAVEN_SERVICE (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->alternate_name);
  g_free (self->organization);
  g_free (self->description);
  g_free (self->url);
  g_free (self->email);
  g_free (self->fees);
  g_free (self->source);
  g_free (self->assured_date);
  g_free (self->hours_today);
  g_free (self->next_opening);
  g_strfreev (self->phone_numbers);
  g_strfreev (self->phone_descriptions);
  g_strfreev (self->addresses);
  g_strfreev (self->languages);
  g_strfreev (self->service_areas);
  g_strfreev (self->categories);

  G_OBJECT_CLASS (haven_service_parent_class)->finalize (object);
}

static void
haven_service_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HavenService *self = HAVEN_SERVICE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_ORGANIZATION:
      g_value_set_string (value, self->organization);
      break;

    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;

    case PROP_OPEN_NOW:
      g_value_set_boolean (value, self->open_now);
      break;

    case PROP_HOURS_TODAY:
      g_value_set_string (value, self->hours_today);
      break;

    case PROP_FREE:
      g_value_set_boolean (value, self->free);
      break;

    case PROP_ALWAYS_OPEN:
      g_value_set_boolean (value, self->always_open);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_service_class_init (HavenServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags string_flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = haven_service_finalize;
  object_class->get_property = haven_service_get_property;

  props[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, string_flags);
  props[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, string_flags);
  props[PROP_ORGANIZATION] = g_param_spec_string ("organization", NULL, NULL, NULL, string_flags);
  props[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, string_flags);
  props[PROP_OPEN_NOW] = g_param_spec_boolean ("open-now", NULL, NULL, FALSE, string_flags);
  props[PROP_HOURS_TODAY] = g_param_spec_string ("hours-today", NULL, NULL, NULL, string_flags);
  props[PROP_FREE] = g_param_spec_boolean ("free", NULL, NULL, FALSE, string_flags);
  props[PROP_ALWAYS_OPEN] = g_param_spec_boolean ("always-open", NULL, NULL, FALSE, string_flags);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
haven_service_init (HavenService *self)
{
}

/* The member @key of @object, or NULL when it is absent or null. A key
 * given twice counts as its last value, as it did when the details were
 * read with json-glib: x_translations are copied from the input as they
 * are. */
static JValue *
get_member (JValue     *object,
            const char *key)
{
  if (object == NULL || object->type != JV_OBJECT)
    return NULL;

  for (guint i = object->length; i > 0; i--)
    {
      if (strcmp (object->members[i - 1].key, key) == 0)
        return object->members[i - 1].value->type != JV_NULL ? object->members[i - 1].value
                                                               : NULL;
    }

  return NULL;
}

/* Whether a member before @index has the same key: json-glib kept a key
 * given twice once, at its first place. */
static gboolean
is_repeated (JValue *object,
             guint   index)
{
  for (guint i = 0; i < index; i++)
    {
      if (strcmp (object->members[i].key, object->members[index].key) == 0)
        return TRUE;
    }

  return FALSE;
}

/* The translation of an object for @language: "zh_CN" takes "zh-CN",
 * then "zh", then any "zh-…" the directory has. */
static JValue *
find_translation (JValue     *object,
                  const char *language)
{
  JValue *translations;
  g_autofree char *tag = NULL;
  g_autofree char *primary = NULL;
  char *separator;

  if (language == NULL || language[0] == '\0' || object == NULL)
    return NULL;

  translations = get_member (object, "x_translations");
  if (translations == NULL || translations->type != JV_OBJECT)
    return NULL;

  tag = g_strdelimit (g_strdup (language), "_", '-');
  primary = g_strdup (tag);
  separator = strchr (primary, '-');
  if (separator != NULL)
    *separator = '\0';

  for (guint pass = 0; pass < 3; pass++)
    {
      for (guint i = 0; i < translations->length; i++)
        {
          const char *key = translations->members[i].key;
          JValue *value;
          gboolean matches;

          if (is_repeated (translations, i))
            continue;
          value = get_member (translations, key);
          if (value == NULL || value->type != JV_OBJECT)
            continue;

          if (pass == 0)
            matches = g_ascii_strcasecmp (key, tag) == 0;
          else if (pass == 1)
            matches = g_ascii_strcasecmp (key, primary) == 0;
          else
            matches = g_ascii_strncasecmp (key, primary, strlen (primary)) == 0 &&
                      (key[strlen (primary)] == '-' || key[strlen (primary)] == '_');

          if (matches)
            return value;
        }
    }

  return NULL;
}

static char *
dup_member (JValue     *object,
            const char *name)
{
  JValue *value = get_member (object, name);

  return value != NULL && value->type == JV_STRING && value->length > 0
           ? g_strndup (value->text, value->length) : NULL;
}

/* The field in the visitor's language when the directory has it. */
static char *
dup_localized (JValue     *object,
               JValue     *translation,
               const char *name)
{
  char *value = dup_member (translation, name);

  return value != NULL ? value : dup_member (object, name);
}

static GStrv
dup_string_array (JValue     *object,
                  const char *name)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JValue *array = get_member (object, name);

  for (guint i = 0; i < haven_jv_length (array); i++)
    {
      JValue *element = haven_jv_index (array, i);

      if (element->type == JV_STRING)
        g_strv_builder_add (builder, element->text);
    }

  return g_strv_builder_end (builder);
}

static JValue *
get_object (JValue     *object,
            const char *name)
{
  JValue *value = get_member (object, name);

  return value != NULL && value->type == JV_OBJECT ? value : NULL;
}

static HavenService *
new_from_value (JValue     *object,
                const char *language)
{
  g_autoptr(HavenService) self = NULL;
  g_autoptr(GStrvBuilder) numbers = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) descriptions = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) areas = g_strv_builder_new ();
  JValue *translation = find_translation (object, language);
  JValue *organization, *array, *is_free;

  self = g_object_new (HAVEN_TYPE_SERVICE, NULL);
  self->id = dup_member (object, "id");
  self->name = dup_localized (object, translation, "name");
  self->alternate_name = dup_localized (object, translation, "alternate_name");
  self->description = dup_localized (object, translation, "description");
  self->fees = dup_localized (object, translation, "fees_description");
  self->url = dup_member (object, "url");
  self->email = dup_member (object, "email");
  self->source = dup_member (object, "source");
  self->assured_date = dup_member (object, "assured_date");
  is_free = get_member (object, "free");
  self->free = is_free != NULL && is_free->type == JV_BOOLEAN && is_free->boolean;
  self->addresses = dup_string_array (object, "addresses");
  self->languages = dup_string_array (object, "languages");
  self->categories = g_new0 (char *, 1);

  organization = get_object (object, "organization");
  if (organization != NULL)
    self->organization = dup_localized (organization, find_translation (organization, language),
                                        "name");

  array = get_member (object, "phones");
  for (guint i = 0; i < haven_jv_length (array); i++)
    {
      JValue *phone = haven_jv_index (array, i);
      g_autofree char *number = NULL;
      g_autofree char *description = NULL;

      if (phone->type != JV_OBJECT)
        continue;

      number = dup_member (phone, "number");
      description = dup_localized (phone, find_translation (phone, language), "description");
      if (number == NULL)
        continue;

      g_strv_builder_add (numbers, number);
      g_strv_builder_add (descriptions, description != NULL ? description : "");
    }

  array = get_member (object, "service_areas");
  for (guint i = 0; i < haven_jv_length (array); i++)
    {
      JValue *area = haven_jv_index (array, i);
      g_autofree char *name = NULL;

      if (area->type != JV_OBJECT)
        continue;

      name = dup_localized (area, find_translation (area, language), "name");
      if (name != NULL)
        g_strv_builder_add (areas, name);
    }

  self->phone_numbers = g_strv_builder_end (numbers);
  self->phone_descriptions = g_strv_builder_end (descriptions);
  self->service_areas = g_strv_builder_end (areas);

  if (self->id == NULL || self->name == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * haven_service_new_from_details:
 * @details: the JSON the importer stored for the service
 * @language: (nullable): the visitor's language, such as "ar" or "zh_CN"
 *
 * The details are read with the importer's own JSON reader
 * (haven-json-arena.c) into memory freed at once: a search shows up to
 * 50 services, and building json-glib's tree of objects for each was
 * half of what a search cost.
 *
 * Returns: (transfer full): the service, or %NULL when @details is damaged
 */
HavenService *
haven_service_new_from_details (const char  *details,
                                const char  *language,
                                GError     **error)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  g_autoptr(GString) scratch = g_string_new (NULL);
  HavenService *service = NULL;
  const char *parse_error = NULL;
  JValue *root;
  Arena arena;
  guint line = 0;

  g_return_val_if_fail (details != NULL, NULL);

  haven_arena_init (&arena);
  root = haven_json_parse (&arena, stack, scratch, details, strlen (details), &parse_error,
                           &line);
  if (root != NULL && root->type == JV_OBJECT)
    service = new_from_value (root, language);
  haven_arena_clear (&arena);

  if (service == NULL)
    g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_CORRUPT,
                 _("A service in the directory is damaged; import the directory again"));

  return service;
}

const char *
haven_service_get_id (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return self->id;
}

const char *
haven_service_get_name (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return self->name;
}

const char *
haven_service_get_organization (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return self->organization;
}

const char *
haven_service_get_description (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return self->description;
}

const char *
haven_service_get_url (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return self->url;
}

const char *
haven_service_get_email (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return self->email;
}

/**
 * haven_service_get_fees:
 *
 * Returns: (nullable): what the service costs, in the directory's words
 */
const char *
haven_service_get_fees (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return self->fees;
}

/**
 * haven_service_get_free:
 *
 * Returns: %TRUE when the directory says the service costs nothing; %FALSE
 *   when it costs something or the directory does not say
 */
gboolean
haven_service_get_free (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), FALSE);

  return self->free;
}

guint
haven_service_get_n_phones (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), 0);

  return g_strv_length (self->phone_numbers);
}

const char *
haven_service_get_phone_number (HavenService *self,
                                guint         position)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);
  g_return_val_if_fail (position < g_strv_length (self->phone_numbers), NULL);

  return self->phone_numbers[position];
}

/**
 * haven_service_get_phone_description:
 *
 * Returns: what the number is for, such as "Helpline"; "" when not said
 */
const char *
haven_service_get_phone_description (HavenService *self,
                                     guint         position)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);
  g_return_val_if_fail (position < g_strv_length (self->phone_descriptions), NULL);

  return self->phone_descriptions[position];
}

/**
 * haven_service_get_addresses:
 *
 * Returns: (transfer none): the addresses of the places the service is
 *   offered at, one line each
 */
const char * const *
haven_service_get_addresses (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return (const char * const *) self->addresses;
}

/**
 * haven_service_get_languages:
 *
 * Returns: (transfer none): the ISO 639 codes of the languages spoken, such
 *   as "en" and "ar"
 */
const char * const *
haven_service_get_languages (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return (const char * const *) self->languages;
}

const char * const *
haven_service_get_service_areas (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return (const char * const *) self->service_areas;
}

/**
 * haven_service_get_source:
 *
 * Returns: (nullable): where the directory got the record (x_source)
 */
const char *
haven_service_get_source (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return self->source;
}

/**
 * haven_service_get_assured_date:
 *
 * Returns: (nullable): when the record was last checked, as YYYY-MM-DD
 */
const char *
haven_service_get_assured_date (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return self->assured_date;
}

/**
 * haven_service_get_categories:
 *
 * Returns: (transfer none): the Haven category ids the service helps with
 */
const char * const *
haven_service_get_categories (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return (const char * const *) self->categories;
}

void
haven_service_set_categories (HavenService       *self,
                              const char * const *categories)
{
  g_return_if_fail (HAVEN_IS_SERVICE (self));

  g_strfreev (self->categories);
  self->categories = categories != NULL ? g_strdupv ((char **) categories) : g_new0 (char *, 1);
}

gboolean
haven_service_get_open_now (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), FALSE);

  return self->open_now;
}

gboolean
haven_service_get_always_open (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), FALSE);

  return self->always_open;
}

/**
 * haven_service_get_has_hours:
 *
 * Returns: %TRUE when the directory gives opening hours; without them
 *   "open now" is unknown rather than false
 */
gboolean
haven_service_get_has_hours (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), FALSE);

  return self->has_hours;
}

/**
 * haven_service_get_hours_today:
 *
 * Returns: (nullable): the hours on the day of the search, such as
 *   "09:00–17:00", "Open 24 hours" or "Closed today"
 */
const char *
haven_service_get_hours_today (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return self->hours_today;
}

/**
 * haven_service_set_hours:
 *
 * Set by the directory, which knows the moment of the search.
 */
void
haven_service_set_hours (HavenService *self,
                         gboolean      has_hours,
                         gboolean      open_now,
                         gboolean      always_open,
                         const char   *hours_today)
{
  g_return_if_fail (HAVEN_IS_SERVICE (self));

  self->has_hours = has_hours;
  if (self->open_now != open_now)
    {
      self->open_now = open_now;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_OPEN_NOW]);
    }
  if (self->always_open != always_open)
    {
      self->always_open = always_open;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ALWAYS_OPEN]);
    }
  if (g_strcmp0 (self->hours_today, hours_today) != 0)
    {
      g_free (self->hours_today);
      self->hours_today = g_strdup (hours_today);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_HOURS_TODAY]);
    }
}

/**
 * haven_service_get_next_opening:
 *
 * Returns: (nullable): while the service is closed, when it opens next,
 *   such as "Opens Monday at 09:00", in the language of the search
 */
const char *
haven_service_get_next_opening (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), NULL);

  return self->next_opening;
}

/**
 * haven_service_set_next_opening:
 * @next_opening: (nullable):
 *
 * Set by the directory, which knows the moment of the search.
 */
void
haven_service_set_next_opening (HavenService *self,
                                const char   *next_opening)
{
  g_return_if_fail (HAVEN_IS_SERVICE (self));

  g_free (self->next_opening);
  self->next_opening = g_strdup (next_opening);
}

HavenServiceReach
haven_service_get_reach (HavenService *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE (self), HAVEN_SERVICE_REACH_ANYWHERE);

  return self->reach;
}

void
haven_service_set_reach (HavenService      *self,
                         HavenServiceReach  reach)
{
  g_return_if_fail (HAVEN_IS_SERVICE (self));

  self->reach = reach;
}
