/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-record-mapper"

#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "haven-checks.h"
#include "haven-record-mapper.h"
#include "haven-schedule.h"
#include "haven-search-text.h"

/* Checks one dereferenced HSDS service record, whichever input it came
 * from, and maps it to what the kiosk shows and searches.
 *
 * Two kinds of trouble (data/directory/README.md): a problem makes the
 * directory unusable (a service that is not an object, has no id or name,
 * or shares its id) and refuses it; a warning is a part of a service that
 * cannot be used (a schedule, a language code, a phone, a field of the
 * wrong type…), which is left out while the service is kept. */

enum {
  SERVICE_FLAG_FREE = 1 << 0,
  SERVICE_FLAG_ALWAYS_OPEN = 1 << 1,
  SERVICE_FLAG_TEMPORARILY_CLOSED = 1 << 2,
};

/* One record while it is read: its origin and id, whether it is still
 * sound, and what was left out of it. */
typedef struct {
  Import *import;
  const Origin *origin;
  const char *id;
  gboolean failed;
  /* A schedule could not be read: the service shows no hours rather than
   * some of them, which would say it is closed when it is open. */
  gboolean hours_dropped;
  /* The warnings given for this record, so that a field read twice is
   * reported once; made on the first warning. */
  GPtrArray *warned;
} Record;

static void record_report (Record     *record,
                           JValue     *part,
                           gboolean    fatal,
                           const char *consequence,
                           const char *format,
                           va_list     args) G_GNUC_PRINTF (5, 0);

/* A problem in @record, or in @part of it, that refuses the directory. */
static void
record_problem (Record     *record,
                JValue     *part,
                const char *format,
                ...) G_GNUC_PRINTF (3, 4);

/* A @part of @record that cannot be used and is left out; the caller
 * leaves it out. */
static void
record_warning (Record     *record,
                JValue     *part,
                const char *format,
                ...) G_GNUC_PRINTF (3, 4);

/* The same, saying what the visitor will see for it (@consequence), which
 * a strict import, refusing the directory, does not say. */
static void
record_left_out (Record     *record,
                 JValue     *part,
                 const char *consequence,
                 const char *format,
                 ...) G_GNUC_PRINTF (4, 5);

static void
record_problem (Record     *record,
                JValue     *part,
                const char *format,
                ...)
{
  va_list args;

  va_start (args, format);
  record_report (record, part, TRUE, NULL, format, args);
  va_end (args);
}

static void
record_warning (Record     *record,
                JValue     *part,
                const char *format,
                ...)
{
  va_list args;

  va_start (args, format);
  record_report (record, part, FALSE, NULL, format, args);
  va_end (args);
}

static void
record_left_out (Record     *record,
                 JValue     *part,
                 const char *consequence,
                 const char *format,
                 ...)
{
  va_list args;

  va_start (args, format);
  record_report (record, part, FALSE, consequence, format, args);
  va_end (args);
}

/* A part that came from another CSV file carries its own origin
 * (x_haven_origin). */
static void
record_report (Record     *record,
               JValue     *part,
               gboolean    fatal,
               const char *consequence,
               const char *format,
               va_list     args)
{
  g_autofree char *message = NULL;
  g_autofree char *where = NULL;
  g_autofree char *full = NULL;
  const char *part_origin = NULL;
  gboolean strict = haven_directory_importer_get_strict (record->import->self);

  message = g_strdup_vprintf (format, args);
  if (!fatal && !strict && consequence != NULL)
    {
      /* Translators: "what is wrong; what the kiosk shows instead" */
      g_autofree char *with_consequence = g_strdup_printf (_("%s; %s"), message, consequence);

      g_free (message);
      message = g_steal_pointer (&with_consequence);
    }

  if (part != NULL)
    {
      JValue *origin = haven_jv_get (part, "x_haven_origin");

      part_origin = origin != NULL && origin->type == JV_STRING ? origin->text : NULL;
    }

  if (part_origin != NULL)
    where = g_strdup (part_origin);
  else if (record->origin->line > 0)
    where = g_strdup_printf ("%s:%u", record->origin->file, record->origin->line);
  else
    where = g_strdup (record->origin->file);

  if (record->id != NULL)
    /* Translators: "FILE:LINE: service “ID”: what is wrong" */
    full = g_strdup_printf (_("%s: service “%s”: %s"), where, record->id, message);
  else
    /* Translators: "FILE:LINE: record NUMBER: what is wrong" */
    full = g_strdup_printf (_("%s: record %u: %s"), where, record->origin->index, message);

  if (fatal)
    {
      record->failed = TRUE;
      haven_import_add_problem (record->import, full);
      return;
    }

  if (record->warned == NULL)
    record->warned = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < record->warned->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (record->warned, i), full))
        return;
    }

  /* A strict import takes the warning as a problem. */
  if (strict)
    record->failed = TRUE;
  haven_import_add_warning (record->import, full);
  g_ptr_array_add (record->warned, g_steal_pointer (&full));
}

static JValue *
get_member (JValue     *object,
            const char *member)
{
  return haven_jv_get (object, member);
}

static const char *
get_text (Record     *record,
          JValue     *object,
          const char *member)
{
  JValue *value = get_member (object, member);
  const char *text;

  if (value == NULL)
    return NULL;

  if (value->type != JV_STRING)
    {
      record_warning (record, object, _("“%s” must be text"), member);
      return NULL;
    }

  /* Blank is as good as absent. */
  text = value->text;
  while (*text == ' ')
    text++;
  return text[0] != '\0' ? value->text : NULL;
}

/* The id or the name of a service, without which the directory cannot be
 * used: absent, blank or not text, it is a problem, not a warning. */
static const char *
get_required_text (Record     *record,
                   JValue     *object,
                   const char *member)
{
  JValue *value = get_member (object, member);
  const char *text = NULL;

  if (value != NULL && value->type != JV_STRING && value->type != JV_NULL)
    {
      record_problem (record, object, _("“%s” must be text"), member);
      return NULL;
    }

  if (value != NULL && value->type == JV_STRING)
    text = get_text (record, object, member);
  if (text == NULL)
    record_problem (record, object, _("“%s” is missing"), member);

  return text;
}

/* Text or a number, as text: CSV gives "2" where JSON gives 2. */
static const char *
get_scalar (Record     *record,
            JValue     *object,
            const char *member,
            char      **owned)
{
  JValue *value = get_member (object, member);

  *owned = NULL;
  if (value != NULL && value->type == JV_NUMBER)
    return value->text;

  return get_text (record, object, member);
}

/* A list of objects; reports a member that is not one. */
static JValue *
get_objects (Record     *record,
             JValue     *object,
             const char *member)
{
  JValue *value = get_member (object, member);

  if (value == NULL)
    return NULL;

  if (value->type != JV_ARRAY)
    {
      record_warning (record, object, _("“%s” must be a list"), member);
      return NULL;
    }

  for (guint i = 0; i < value->length; i++)
    {
      if (value->elements[i]->type != JV_OBJECT)
        {
          record_warning (record, object, _("“%s” must be a list of objects"), member);
          return NULL;
        }
    }

  return value;
}

static JValue *
get_object (Record     *record,
            JValue     *object,
            const char *member)
{
  JValue *value = get_member (object, member);

  if (value == NULL)
    return NULL;

  if (value->type != JV_OBJECT)
    {
      record_warning (record, object, _("“%s” must be an object"), member);
      return NULL;
    }

  return value;
}

static void
append_json_member (GString    *out,
                    const char *name,
                    const char *value)
{
  if (value == NULL)
    return;

  if (out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  haven_json_append_string (out, name);
  g_string_append_c (out, ':');
  haven_json_append_string (out, value);
}

/* The fields x_translations may translate, per kind of object. */
static const char *const service_translated[] = {
  "name", "alternate_name", "description", "fees_description", NULL
};
static const char *const organization_translated[] = {
  "name", "alternate_name", "description", NULL
};
static const char *const part_translated[] = { "name", "description", NULL };

/* Checks x_translations: {"ar": {"name": "…", "description": "…"}, …}.
 * Fields Haven does not show are allowed and ignored. Appends the
 * translated texts to the full-text columns, so a visitor can search in
 * their own language. Translations that are not in that shape are all
 * left out (NULL), and none of them is searchable. */
static JValue *
check_translations (Record      *record,
                    JValue      *object,
                    const char  *const *fields,
                    GString    **fts_for_field)
{
  JValue *translations = get_member (object, "x_translations");
  JValue *broken = get_member (object, "x_haven_translations_error");

  if (broken != NULL && broken->type == JV_STRING)
    {
      record_warning (record, object, _("x_translations is not valid JSON: %s"), broken->text);
      return NULL;
    }

  if (translations == NULL)
    return NULL;

  if (translations->type != JV_OBJECT)
    {
      record_warning (record, object,
                      _("“x_translations” must be an object of languages, such as "
                        "{\"ar\": {\"name\": \"…\"}}"));
      return NULL;
    }

  for (guint i = 0; i < translations->length; i++)
    {
      const char *language = translations->members[i].key;
      JValue *texts = translations->members[i].value;

      if (texts->type != JV_OBJECT)
        {
          record_warning (record, object, _("“x_translations” for “%s” must be an object"),
                          language);
          return NULL;
        }
    }

  for (guint i = 0; i < translations->length; i++)
    {
      JValue *texts = translations->members[i].value;

      for (guint j = 0; fields[j] != NULL; j++)
        {
          const char *text = get_text (record, texts, fields[j]);

          if (text != NULL && fts_for_field != NULL && fts_for_field[j] != NULL)
            haven_search_text_append (fts_for_field[j], text);
        }
    }

  return translations;
}

static void
append_translations (GString *out,
                     JValue  *translations)
{
  if (translations == NULL)
    return;

  if (out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  g_string_append (out, "\"x_translations\":");
  haven_jv_write (out, translations);
}

/* A date, or a date and time ("2026-01-31T09:00") whose date is one. */
static gboolean
starts_with_iso_date (const char *text)
{
  g_autofree char *date = g_strndup (text, 10);

  if (!haven_check_iso_date (date))
    return FALSE;

  return text[10] == '\0' || text[10] == 'T' || text[10] == ' ';
}

static void
add_unique (GPtrArray  *array,
            const char *value)
{
  for (guint i = 0; i < array->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (array, i), value))
        return;
    }

  g_ptr_array_add (array, g_strdup (value));
}

/* x_region_codes: a list of ISO 3166 codes, or one string of codes
 * separated by commas (as a CSV cell holds them). */
static void
read_region_codes (Record     *record,
                   JValue *area)
{
  JValue *node = get_member (area, "x_region_codes");
  g_auto(GStrv) codes = NULL;

  if (node == NULL)
    {
      /* Without the extension, a name that is itself a code is taken as
       * one. */
      const char *name = get_text (record, area, "name");
      g_autofree char *upper = name != NULL ? g_ascii_strup (name, -1) : NULL;

      if (upper != NULL && g_str_equal (upper, name) && haven_check_region_code (upper))
        add_unique (record->import->record_regions, upper);
      return;
    }

  if (node->type == JV_STRING)
    {
      codes = g_strsplit (node->text, ",", -1);
    }
  else if (node->type == JV_ARRAY)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < haven_jv_length (node); i++)
        {
          JValue *element = haven_jv_index (node, i);

          if (element->type != JV_STRING)
            {
              record_warning (record, area, _("“x_region_codes” must be a list of text"));
              return;
            }
          g_strv_builder_add (builder, element->text);
        }
      codes = g_strv_builder_end (builder);
    }
  else
    {
      record_warning (record, area, _("“x_region_codes” must be a list of ISO 3166 codes"));
      return;
    }

  for (guint i = 0; codes[i] != NULL; i++)
    {
      g_autofree char *code = g_ascii_strup (g_strstrip (codes[i]), -1);

      if (code[0] == '\0')
        continue;
      /* Only that code is left out: the area's others still place the
       * service. */
      if (!g_str_equal (code, "*") && !haven_check_region_code (code))
        {
          record_warning (record, area,
                          _("“%s” in x_region_codes is not an ISO 3166 code such as GB or "
                            "GB-LND, nor * for anywhere"),
                          codes[i]);
          continue;
        }
      add_unique (record->import->record_regions, code);
    }
}

static void
read_languages (Record     *record,
                JValue *object)
{
  JValue *languages = get_objects (record, object, "languages");

  for (guint i = 0; languages != NULL && i < haven_jv_length (languages); i++)
    {
      JValue *language = haven_jv_index (languages, i);
      const char *code = get_text (record, language, "code");
      g_autofree char *normalised = NULL;

      if (code == NULL)
        continue;

      normalised = haven_directory_normalise_language (code);
      if (normalised == NULL)
        {
          record_warning (record, language,
                          _("language code “%s” is not an ISO 639 code such as en or eng"), code);
          continue;
        }
      add_unique (record->import->record_languages, normalised);
    }
}

static void
read_schedules (Record        *record,
                JValue        *object,
                HavenSchedule *schedule)
{
  JValue *schedules = get_objects (record, object, "schedules");

  /* Schedules that are not a list of objects are no hours either. */
  if (schedules == NULL && get_member (object, "schedules") != NULL)
    record->hours_dropped = TRUE;

  for (guint i = 0; schedules != NULL && i < haven_jv_length (schedules) &&
       !record->hours_dropped; i++)
    {
      JValue *row = haven_jv_index (schedules, i);
      g_autofree char *interval = NULL;
      g_autofree char *bymonthday = NULL;
      g_autofree char *count = NULL;
      g_autoptr(GError) error = NULL;
      const char *schedule_id = get_text (record, row, "id");
      HavenScheduleRow fields = {
        .opens_at = get_text (record, row, "opens_at"),
        .closes_at = get_text (record, row, "closes_at"),
        .freq = get_text (record, row, "freq"),
        .interval = get_scalar (record, row, "interval", &interval),
        .byday = get_text (record, row, "byday"),
        .bymonthday = get_scalar (record, row, "bymonthday", &bymonthday),
        .byweekno = get_text (record, row, "byweekno"),
        .byyearday = get_text (record, row, "byyearday"),
        .wkst = get_text (record, row, "wkst"),
        .until = get_text (record, row, "until"),
        .dtstart = get_text (record, row, "dtstart"),
        .valid_from = get_text (record, row, "valid_from"),
        .valid_to = get_text (record, row, "valid_to"),
      };

      fields.count = get_scalar (record, row, "count", &count);

      if (!haven_schedule_add_row (schedule, &fields, &error))
        {
          if (schedule_id != NULL)
            record_left_out (record, row, _("the service shows no hours"), _("schedule “%s”: %s"),
                             schedule_id, error->message);
          else
            record_left_out (record, row, _("the service shows no hours"), _("schedule %u: %s"),
                             i + 1, error->message);
          record->hours_dropped = TRUE;
        }
    }
}

static const char *const free_words[] = {
  "free", "free of charge", "no charge", "no cost", "gratis", "gratuit", "gratuito",
  "gratuita", "miễn phí", "免费", "مجاني", "бесплатно",
};

static gboolean
says_free (const char *fees)
{
  g_autofree char *lower = g_utf8_strdown (fees, -1);
  gsize length;

  g_strstrip (lower);
  length = strlen (lower);
  if (length > 0 && lower[length - 1] == '.')
    lower[length - 1] = '\0';

  for (gsize i = 0; i < G_N_ELEMENTS (free_words); i++)
    {
      if (g_str_equal (lower, free_words[i]))
        return TRUE;
    }

  return FALSE;
}

/* Free when every cost option costs 0, or when fees_description says only
 * "Free". Unknown otherwise, and unknown does not pass the filter. */
static gboolean
read_free (Record     *record,
           JValue *service,
           const char *fees)
{
  JValue *options = get_objects (record, service, "cost_options");
  guint n_free = 0;

  for (guint i = 0; options != NULL && i < haven_jv_length (options); i++)
    {
      JValue *option = haven_jv_index (options, i);
      g_autofree char *amount_text = NULL;
      const char *amount = get_scalar (record, option, "amount", &amount_text);
      char *end = NULL;
      double value;

      if (amount == NULL)
        continue;

      value = g_ascii_strtod (amount, &end);
      if (end == amount || *end != '\0' || value < 0)
        {
          /* An amount that cannot be read may not be 0: not free. */
          record_warning (record, option, _("cost option amount “%s” is not a number"), amount);
          return FALSE;
        }
      if (value > 0)
        return FALSE;
      n_free++;
    }

  if (n_free > 0)
    return TRUE;

  return fees != NULL && says_free (fees);
}


/* Taxonomy terms from the attributes; the mapping to Haven's categories
 * is applied when the directory is opened (categories.ini), so a
 * deployment can change it without importing again. */
static void
read_terms (Record     *record,
            JValue *service)
{
  Import *import = record->import;
  JValue *attributes = get_objects (record, service, "attributes");

  for (guint i = 0; attributes != NULL && i < haven_jv_length (attributes); i++)
    {
      JValue *attribute = haven_jv_index (attributes, i);
      JValue *term = get_object (record, attribute, "taxonomy_term");
      JValue *detail;
      const char *code, *name, *taxonomy;
      g_autofree char *taxonomy_lower = NULL;
      gboolean seen = FALSE;

      if (term == NULL)
        continue;

      code = get_text (record, term, "code");
      if (code == NULL)
        code = get_text (record, term, "id");
      name = get_text (record, term, "name");
      taxonomy = get_text (record, term, "taxonomy");
      detail = get_object (record, term, "taxonomy_detail");
      if (taxonomy == NULL && detail != NULL)
        taxonomy = get_text (record, detail, "name");

      if (code == NULL)
        {
          record_warning (record, attribute, _("a taxonomy term has neither code nor id"));
          continue;
        }

      if (name != NULL)
        haven_search_text_append (import->fts[FTS_TERMS], name);

      if (record->failed)
        continue;

      taxonomy_lower = g_utf8_strdown (taxonomy != NULL ? taxonomy : "", -1);
      for (guint j = 0; j + 2 < import->record_terms->len && !seen; j += 3)
        seen = g_str_equal (import->record_terms->pdata[j], taxonomy_lower) &&
               g_str_equal (import->record_terms->pdata[j + 1], code);
      if (seen)
        continue;

      g_ptr_array_add (import->record_terms, g_steal_pointer (&taxonomy_lower));
      g_ptr_array_add (import->record_terms, g_strdup (code));
      g_ptr_array_add (import->record_terms, g_strdup (name != NULL ? name : ""));
    }
}

static void
format_address (GString    *out,
                Record     *record,
                JValue *location,
                JValue *address)
{
  static const char *const parts[] = {
    "address_1", "address_2", "city", "state_province", "postal_code",
  };
  const char *name = location != NULL ? get_text (record, location, "name") : NULL;

  g_string_truncate (out, 0);
  if (name != NULL)
    g_string_append (out, name);

  for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      const char *part = get_text (record, address, parts[i]);

      if (part == NULL)
        continue;
      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append (out, part);
    }
}

/* x_confidential: true, or any value but an explicit no. A value that
 * cannot be read hides the address: the safe way to be wrong. */
static gboolean
is_confidential (JValue *location)
{
  static const char * const no[] = { "false", "no", "0", "", NULL };
  JValue *value = get_member (location, "x_confidential");
  g_autofree char *lower = NULL;

  if (value == NULL || value->type == JV_NULL)
    return FALSE;
  if (value->type == JV_BOOLEAN)
    return value->boolean;
  if (value->type != JV_STRING && value->type != JV_NUMBER)
    return TRUE;
  lower = g_ascii_strdown (g_strstrip (g_strdup (value->text)), -1);
  return !g_strv_contains (no, lower);
}

/* The places the service is offered at: their addresses for the details,
 * their countries for a service that names no area, their languages and,
 * when the service has none of its own, their schedules. */
static void
read_locations (Record        *record,
                JValue        *service,
                GPtrArray     *addresses,
                GPtrArray     *countries,
                HavenSchedule *schedule,
                gboolean       service_has_schedules)
{
  Import *import = record->import;
  JValue *links = get_objects (record, service, "service_at_locations");

  for (guint i = 0; links != NULL && i < haven_jv_length (links); i++)
    {
      JValue *link = haven_jv_index (links, i);
      JValue *location = get_object (record, link, "location");
      JValue *areas = get_objects (record, link, "service_areas");
      JValue *location_addresses;
      const char *location_type;

      for (guint j = 0; areas != NULL && j < haven_jv_length (areas); j++)
        read_region_codes (record, haven_jv_index (areas, j));

      if (!service_has_schedules)
        read_schedules (record, link, schedule);

      if (location == NULL)
        continue;

      if (!service_has_schedules)
        read_schedules (record, location, schedule);
      read_languages (record, location);

      /* A shelter's address must never be shown: a location HSDS 3.1
       * marks "redacted", like any that is not a physical place, gives no
       * address and no name; so does one marked x_confidential
       * (data/directory/README.md). The service itself is kept. */
      location_type = get_text (record, location, "location_type");
      if (location_type != NULL && g_ascii_strcasecmp (location_type, "physical") != 0)
        continue;
      if (is_confidential (location))
        continue;

      haven_search_text_append (import->fts[FTS_OTHER_NAMES], get_text (record, location, "name"));

      location_addresses = get_objects (record, location, "addresses");
      for (guint j = 0; location_addresses != NULL && j < haven_jv_length (location_addresses);
           j++)
        {
          JValue *address = haven_jv_index (location_addresses, j);
          const char *type = get_text (record, address, "address_type");
          const char *country = get_text (record, address, "country");

          if (type != NULL && g_ascii_strcasecmp (type, "physical") != 0)
            continue;

          format_address (import->scratch, record, location, address);
          if (import->scratch->len > 0)
            add_unique (addresses, import->scratch->str);

          if (country != NULL)
            {
              g_autofree char *upper = g_ascii_strup (country, -1);

              if (strlen (upper) == 2 && haven_check_region_code (upper))
                add_unique (countries, upper);
            }
        }
    }
}

static void
append_array (GString    *out,
              const char *name,
              GPtrArray  *values)
{
  if (values->len == 0)
    return;

  g_string_append_printf (out, ",\"%s\":[", name);
  for (guint i = 0; i < values->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      haven_json_append_string (out, g_ptr_array_index (values, i));
    }
  g_string_append_c (out, ']');
}

static GStrv
copy_strings (GPtrArray *strings)
{
  GStrv copy = g_new (char *, strings->len + 1);

  for (guint i = 0; i < strings->len; i++)
    copy[i] = g_strdup (g_ptr_array_index (strings, i));
  copy[strings->len] = NULL;

  return copy;
}
/* What the steps of haven_import_record() find in a service, for its
 * details and its rows in the database. */
typedef struct {
  JValue *service;
  JValue *organization;
  JValue *translations;
  JValue *organization_translations;
  JValue *phones;
  JValue *areas;
  const char *name;
  const char *organization_name;
  const char *fees;
  const char *assured_date;
  HavenSchedule *schedule;
  GPtrArray *addresses;
  GPtrArray *countries;
  guint flags;
} Mapped;

/* A service is an object with an id of its own. */
static gboolean
check_identity (Record *record,
                JValue *node)
{
  if (node->type != JV_OBJECT)
    {
      record_problem (record, NULL, _("a service must be a JSON object"));
      return FALSE;
    }

  record->id = get_required_text (record, node, "id");
  if (record->id == NULL)
    return FALSE;

  if (!g_hash_table_add (record->import->service_ids, g_strdup (record->id)))
    {
      record_problem (record, node, _("another service has the same id"));
      return FALSE;
    }

  return TRUE;
}

/* FALSE for a service left out because it is inactive or defunct. */
static gboolean
read_name_and_status (Record *record,
                      Mapped *mapped)
{
  JValue *service = mapped->service;
  const char *status;

  mapped->name = get_required_text (record, service, "name");

  status = get_text (record, service, "status");
  if (status != NULL)
    {
      if (g_ascii_strcasecmp (status, "inactive") == 0 ||
          g_ascii_strcasecmp (status, "defunct") == 0)
        {
          record->import->n_skipped++;
          return FALSE;
        }
      if (g_ascii_strcasecmp (status, "temporarily closed") == 0)
        mapped->flags |= SERVICE_FLAG_TEMPORARILY_CLOSED;
      else if (g_ascii_strcasecmp (status, "active") != 0)
        record_left_out (record, service, _("the service is taken as active"),
                         _("status “%s” is not active, inactive, defunct or temporarily closed"),
                         status);
    }

  mapped->assured_date = get_text (record, service, "assured_date");
  if (mapped->assured_date != NULL)
    {
      if (!starts_with_iso_date (mapped->assured_date))
        {
          record_warning (record, service,
                          _("assured_date “%s” is not a date such as 2026-01-31"),
                          mapped->assured_date);
          mapped->assured_date = NULL;
        }
    }

  return TRUE;
}

/* The names and descriptions of the service and its organization, in
 * every language, for the full-text columns. */
static void
map_names (Record *record,
           Mapped *mapped)
{
  Import *import = record->import;
  JValue *service = mapped->service;
  GString *columns[] = {
    import->fts[FTS_NAME], import->fts[FTS_OTHER_NAMES], import->fts[FTS_DESCRIPTION], NULL,
  };

  for (guint i = 0; i < N_FTS_COLUMNS; i++)
    g_string_truncate (import->fts[i], 0);
  g_ptr_array_set_size (import->record_regions, 0);
  g_ptr_array_set_size (import->record_languages, 0);
  g_ptr_array_set_size (import->record_terms, 0);

  haven_search_text_append (import->fts[FTS_NAME], mapped->name);
  haven_search_text_append (import->fts[FTS_OTHER_NAMES],
                            get_text (record, service, "alternate_name"));
  haven_search_text_append (import->fts[FTS_DESCRIPTION],
                            get_text (record, service, "description"));

  mapped->translations = check_translations (record, service, service_translated, columns);

  mapped->organization = get_object (record, service, "organization");
  if (mapped->organization != NULL)
    {
      JValue *organization = mapped->organization;
      GString *organization_columns[] = {
        import->fts[FTS_ORGANIZATION], import->fts[FTS_ORGANIZATION], NULL,
      };

      mapped->organization_name = get_text (record, organization, "name");
      haven_search_text_append (import->fts[FTS_ORGANIZATION], mapped->organization_name);
      haven_search_text_append (import->fts[FTS_ORGANIZATION],
                                get_text (record, organization, "alternate_name"));
      mapped->organization_translations = check_translations (record, organization,
                                                              organization_translated,
                                                              organization_columns);
    }
}

static void
map_fees (Record *record,
          Mapped *mapped)
{
  mapped->fees = get_text (record, mapped->service, "fees_description");
  if (mapped->fees == NULL)
    mapped->fees = get_text (record, mapped->service, "fees");
  if (read_free (record, mapped->service, mapped->fees))
    mapped->flags |= SERVICE_FLAG_FREE;
}

static void
map_areas (Record *record,
           Mapped *mapped)
{
  mapped->areas = get_objects (record, mapped->service, "service_areas");
  for (guint i = 0; mapped->areas != NULL && i < haven_jv_length (mapped->areas); i++)
    {
      JValue *area = haven_jv_index (mapped->areas, i);

      read_region_codes (record, area);
      check_translations (record, area, part_translated, NULL);
    }
}

/* The schedules and the places, and from the places the regions of a
 * service that names none. */
static void
map_places (Record *record,
            Mapped *mapped)
{
  Import *import = record->import;
  gboolean has_schedules;

  read_schedules (record, mapped->service, mapped->schedule);
  /* A service whose own hours could not be read does not take its
   * places' instead: they may not be the service's. */
  has_schedules = haven_schedule_get_n_rows (mapped->schedule) > 0 || record->hours_dropped;
  read_locations (record, mapped->service, mapped->addresses, mapped->countries,
                  mapped->schedule, has_schedules);

  if (import->record_regions->len == 0)
    {
      /* No area named: the countries of its places, or anywhere for a
       * service without a place (online, by phone). */
      for (guint i = 0; i < mapped->countries->len; i++)
        add_unique (import->record_regions, g_ptr_array_index (mapped->countries, i));
      if (import->record_regions->len == 0)
        add_unique (import->record_regions, "*");
    }

  if (!record->hours_dropped && haven_schedule_is_always_open (mapped->schedule))
    mapped->flags |= SERVICE_FLAG_ALWAYS_OPEN;
}

/* A number a visitor can dial has digits; letters for digits
 * ("0800 SUPPORT") and extensions are allowed, as directories write them. */
static gboolean
is_phone_number (const char *number)
{
  for (const char *c = number; *c != '\0'; c++)
    {
      if (g_ascii_isdigit (*c))
        return TRUE;
    }

  return FALSE;
}

/* A phone shown to visitors: one with a number that can be dialled. */
static gboolean
keep_phone (Record *record,
            JValue *phone)
{
  const char *number = get_text (record, phone, "number");

  return number != NULL && is_phone_number (number);
}

static void
check_phones (Record *record,
              Mapped *mapped)
{
  mapped->phones = get_objects (record, mapped->service, "phones");
  for (guint i = 0; mapped->phones != NULL && i < haven_jv_length (mapped->phones); i++)
    {
      JValue *phone = haven_jv_index (mapped->phones, i);
      const char *number = get_text (record, phone, "number");

      if (number == NULL)
        record_left_out (record, phone, _("the phone is left out"), _("a phone has no “number”"));
      else if (!is_phone_number (number))
        record_left_out (record, phone, _("the phone is left out"),
                         _("phone number “%s” has no digits"), number);
      get_text (record, phone, "description");
      check_translations (record, phone, part_translated, NULL);
    }
}

/* The phones or the service areas, as a list of objects of the members
 * @first and @second with their translations; only those @keep keeps,
 * when it is given. */
static void
append_parts (GString    *details,
              Record     *record,
              const char *list,
              JValue     *parts,
              const char *first,
              const char *second,
              gboolean  (*keep) (Record *record,
                                 JValue *part))
{
  gboolean any = FALSE;

  if (parts == NULL || haven_jv_length (parts) == 0)
    return;

  for (guint i = 0; i < haven_jv_length (parts); i++)
    {
      JValue *part = haven_jv_index (parts, i);

      if (keep != NULL && !keep (record, part))
        continue;

      g_string_append (details, any ? "," : "");
      if (!any)
        g_string_append_printf (details, ",\"%s\":[", list);
      any = TRUE;
      g_string_append_c (details, '{');
      append_json_member (details, first, get_text (record, part, first));
      if (second != NULL)
        append_json_member (details, second, get_text (record, part, second));
      append_translations (details, check_translations (record, part, part_translated, NULL));
      g_string_append_c (details, '}');
    }
  if (any)
    g_string_append_c (details, ']');
}

/* What the kiosk shows, and nothing else (haven-service.c reads it). */
static void
write_details (Record *record,
               Mapped *mapped)
{
  Import *import = record->import;
  JValue *service = mapped->service;
  GString *details = import->details;

  g_string_truncate (details, 0);
  g_string_append_c (details, '{');
  append_json_member (details, "id", record->id);
  append_json_member (details, "name", mapped->name);
  append_json_member (details, "alternate_name", get_text (record, service, "alternate_name"));
  append_json_member (details, "description", get_text (record, service, "description"));
  append_json_member (details, "url", get_text (record, service, "url"));
  append_json_member (details, "email", get_text (record, service, "email"));
  append_json_member (details, "fees_description", mapped->fees);
  append_json_member (details, "assured_date", mapped->assured_date);
  append_json_member (details, "source", get_text (record, service, "x_source"));
  if (mapped->flags & SERVICE_FLAG_FREE)
    g_string_append (details, ",\"free\":true");
  append_translations (details, mapped->translations);

  if (mapped->organization_name != NULL)
    {
      g_string_append (details, ",\"organization\":{");
      append_json_member (details, "name", mapped->organization_name);
      append_translations (details, mapped->organization_translations);
      g_string_append_c (details, '}');
    }

  append_parts (details, record, "phones", mapped->phones, "number", "description", keep_phone);
  append_parts (details, record, "service_areas", mapped->areas, "name", NULL, NULL);
  append_array (details, "addresses", mapped->addresses);
  append_array (details, "languages", import->record_languages);
  g_string_append_c (details, '}');
}

/* The record as the writer takes it, copied out of the buffers the next
 * record reuses. */
static Prepared *
prepare (Record *record,
         Mapped *mapped)
{
  Import *import = record->import;
  Prepared *prepared = g_new0 (Prepared, 1);

  prepared->id = g_strdup (record->id);
  prepared->name = g_strdup (mapped->name);
  if (mapped->organization != NULL)
    {
      const char *organization_id = get_text (record, mapped->organization, "id");

      prepared->organization_key = g_strdup (organization_id != NULL
                                             ? organization_id
                                             : mapped->organization_name);
      prepared->organization_name = g_strdup (mapped->organization_name);
    }
  /* The rows read before the one that could not be are left out too. */
  prepared->schedule = record->hours_dropped ? g_strdup ("")
                                             : haven_schedule_serialize (mapped->schedule);
  prepared->details = g_strndup (import->details->str, import->details->len);
  for (guint i = 0; i < N_FTS_COLUMNS; i++)
    prepared->fts[i] = g_strndup (import->fts[i]->str, import->fts[i]->len);
  prepared->regions = copy_strings (import->record_regions);
  prepared->languages = copy_strings (import->record_languages);
  prepared->terms = copy_strings (import->record_terms);
  prepared->flags = mapped->flags;

  return prepared;
}

static void
map_record (Record *record,
            JValue *node)
{
  Import *import = record->import;
  g_autoptr(HavenSchedule) schedule = haven_schedule_new ();
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) countries = g_ptr_array_new_with_free_func (g_free);
  Mapped mapped = {
    .service = node,
    .schedule = schedule,
    .addresses = addresses,
    .countries = countries,
  };

  if (!check_identity (record, node) || !read_name_and_status (record, &mapped))
    return;

  map_names (record, &mapped);
  map_fees (record, &mapped);
  read_terms (record, mapped.service);
  read_languages (record, mapped.service);
  map_areas (record, &mapped);
  map_places (record, &mapped);
  check_phones (record, &mapped);

  /* Once the import is bound to fail, records are only checked, so that
   * one run reports as many problems as it can. */
  if (record->failed || haven_import_n_problems (import) > 0)
    return;

  write_details (record, &mapped);
  haven_directory_writer_deliver (import->writer, prepare (record, &mapped));
}

/* Checks one dereferenced HSDS service and, when it is sound, stores it
 * without the parts that cannot be used. */
void
haven_import_record (Import       *import,
                     JValue       *node,
                     const Origin *origin)
{
  Record record = { import, origin, NULL, FALSE, FALSE, NULL };

  map_record (&record, node);
  g_clear_pointer (&record.warned, g_ptr_array_unref);
}

