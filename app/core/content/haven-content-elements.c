/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-content"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-checks.h"
#include "haven-content-elements.h"
#include "haven-content-private.h"

/* What each element of the content files may hold, and what the items
 * read become: a HavenCategory, HavenGuidance, HavenQuestion or
 * HavenEmergencyRegion added to the content.
 *
 * Reading is strict, because a mistake here reaches a person in distress as
 * a missing question or a wrong number: every element and attribute must be
 * one this file knows, every reference must resolve, and every problem is
 * reported so that `havenctl content check` can list them all at build
 * time. The reader goes on after a problem wherever it can, so that one run
 * shows every mistake. */

/* The element each file holds a list of, under <content>. */
static const char * const item_elements[] = {
  "guidance",
  "category",
  "question",
  "region",
};

#define FORMAT_VERSION "1"

void
haven_content_item_clear (Item *item)
{
  g_clear_pointer (&item->id, g_free);
  g_clear_pointer (&item->title, g_free);
  g_clear_pointer (&item->summary, g_free);
  g_clear_pointer (&item->hint, g_free);
  g_clear_pointer (&item->why, g_free);
  g_clear_pointer (&item->texts, g_ptr_array_unref);
  g_clear_pointer (&item->terms, g_ptr_array_unref);
  g_clear_pointer (&item->guidance_ids, g_ptr_array_unref);
  g_clear_pointer (&item->category_ids, g_strfreev);
  g_clear_pointer (&item->choice_ids, g_ptr_array_unref);
  g_clear_pointer (&item->choice_labels, g_ptr_array_unref);
  g_clear_object (&item->region);
  g_clear_pointer (&item->entry_name, g_free);
  g_clear_pointer (&item->entry_target, g_free);
  g_clear_pointer (&item->entry_service, g_free);
  g_clear_pointer (&item->entry_label, g_free);
  memset (item, 0, sizeof (*item));
}

static void
item_init (Item     *item,
           Location  at)
{
  haven_content_item_clear (item);
  item->at = at;
  item->texts = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  item->terms = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  item->guidance_ids = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  item->choice_ids = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  item->choice_labels = g_ptr_array_new_null_terminated (0, g_free, TRUE);
}

static void
entry_clear (Item *item)
{
  g_clear_pointer (&item->entry_name, g_free);
  g_clear_pointer (&item->entry_target, g_free);
  g_clear_pointer (&item->entry_service, g_free);
  g_clear_pointer (&item->entry_label, g_free);
  item->entry_broken = FALSE;
}

static gboolean
is_words_element (const char *element)
{
  return g_strv_contains (haven_content_get_translatable_elements (), element);
}

/* Ids end up in reports and in the API (a category id is the request's
 * "category"), so they are kept to one plain form: lower-case ASCII letters
 * and digits, joined by single hyphens. */
static gboolean
is_valid_id (const char *id)
{
  if (!g_ascii_isalnum (id[0]))
    return FALSE;

  for (const char *p = id; *p != '\0'; p++)
    {
      if (*p == '-')
        {
          if (p[1] == '-' || p[1] == '\0')
            return FALSE;
        }
      else if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p)))
        {
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
is_valid_phone_number (const char *number)
{
  gboolean has_digit = FALSE;

  for (const char *p = number; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        has_digit = TRUE;
      else if (strchr ("+ -()", *p) == NULL)
        return FALSE;
    }

  return has_digit;
}

static gboolean
is_web_address (const char *url,
                gboolean    https_only)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme;

  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return FALSE;

  scheme = g_uri_get_scheme (uri);
  return g_ascii_strcasecmp (scheme, "https") == 0 ||
         (!https_only && g_ascii_strcasecmp (scheme, "http") == 0);
}

static gboolean
parse_boolean (FileReader     *reader,
               const Location *at,
               const char     *element,
               const char     *attribute,
               const char     *value,
               gboolean       *result)
{
  if (g_str_equal (value, "true") || g_str_equal (value, "false"))
    {
      *result = g_str_equal (value, "true");
      return TRUE;
    }

  haven_content_report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                        _("<%s> has %s=“%s”; it must be “true” or “false”"),
                        element, attribute, value);
  return FALSE;
}

#define MAX_ATTRIBUTES 4

/* Reports every attribute of the element that is not in @allowed, and
 * every one of @allowed that is missing (all are required but those whose
 * name ends in "?"), and puts the values in @values in the order of
 * @allowed. */
static gboolean
read_attributes (FileReader          *reader,
                 const Location      *at,
                 const char          *element,
                 const char         **names,
                 const char         **values,
                 const char * const  *allowed,
                 const char         **found)
{
  gboolean complete = TRUE;
  guint n_allowed = g_strv_length ((char **) allowed);

  g_assert (n_allowed <= MAX_ATTRIBUTES);

  for (guint i = 0; i < n_allowed; i++)
    found[i] = NULL;

  for (guint i = 0; names[i] != NULL; i++)
    {
      guint j;

      for (j = 0; j < n_allowed; j++)
        {
          gsize length = strcspn (allowed[j], "?");

          if (strlen (names[i]) == length && strncmp (names[i], allowed[j], length) == 0)
            break;
        }

      if (j == n_allowed)
        {
          haven_content_report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_ATTRIBUTE,
                                _("<%s> has an unknown attribute “%s”"), element, names[i]);
          complete = FALSE;
          continue;
        }

      found[j] = values[i];
    }

  for (guint i = 0; i < n_allowed; i++)
    {
      if (found[i] == NULL && !g_str_has_suffix (allowed[i], "?"))
        {
          haven_content_report (reader, at, HAVEN_CONTENT_ERROR_MISSING_ATTRIBUTE,
                                _("<%s> has no %s attribute"), element, allowed[i]);
          complete = FALSE;
        }
    }

  return complete;
}

/* "*", or a region code such as "GB" or "GB-LND". */
static gboolean
is_region_or_anywhere (const char *code)
{
  return g_str_equal (code, "*") || haven_check_region_code (code);
}

/* Checks an item's id and that no item of the same file had it before. */
static gboolean
claim_id (FileReader     *reader,
          const Location *at,
          const char     *element,
          const char     *attribute,
          const char     *id)
{
  GHashTable *ids = reader->loader->ids[reader->kind];
  gpointer line;

  if (reader->kind == FILE_EMERGENCY ? !is_region_or_anywhere (id) : !is_valid_id (id))
    {
      if (reader->kind == FILE_EMERGENCY)
        haven_content_report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                              _("<%s> has %s=“%s”, which is not “*” or an ISO 3166 code such as "
                                "GB or GB-LND"), element, attribute, id);
      else
        haven_content_report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                              _("<%s> has %s=“%s”; ids are lower-case letters and digits joined "
                                "by hyphens"), element, attribute, id);
      return FALSE;
    }

  if (g_hash_table_lookup_extended (ids, id, NULL, &line))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_DUPLICATE_ID,
                            _("<%s> %s=“%s” is already defined on line %d"),
                            element, attribute, id,
                            GPOINTER_TO_INT (line));
      return FALSE;
    }

  g_hash_table_insert (ids, g_strdup (id), GINT_TO_POINTER (at->line));
  return TRUE;
}

/* Reads the attributes of an item's element (a category, a question…),
 * whose first allowed one is its id, and claims the id. Either failing
 * marks the item broken, so that the rest is still checked and reported
 * before the item is left out. */
static void
read_item_attributes (FileReader          *reader,
                      const Location      *at,
                      const char          *element,
                      const char          *id_attribute,
                      const char         **names,
                      const char         **values,
                      const char * const  *allowed,
                      const char         **found)
{
  Item *item = &reader->item;

  g_assert (g_str_equal (allowed[0], id_attribute));

  if (!read_attributes (reader, at, element, names, values, allowed, found))
    item->broken = TRUE;

  if (found[0] != NULL && claim_id (reader, at, element, id_attribute, found[0]))
    item->id = g_strdup (found[0]);
  else
    item->broken = TRUE;
}

static gboolean
is_known_id (FileReader *reader,
             FileKind    kind,
             const char *id)
{
  return !reader->loader->complete[kind] ||
         g_hash_table_contains (reader->loader->ids[kind], id);
}

/* A known term ending in "*" stands for every term it starts, as in the
 * directory's category mapping. */
static gboolean
is_known_term (const char * const *known_terms,
               const char         *term)
{
  for (guint i = 0; known_terms[i] != NULL; i++)
    {
      const char *known = known_terms[i];
      gsize length = strlen (known);

      if (g_str_equal (known, term))
        return TRUE;
      if (length > 1 && known[length - 1] == '*' && strncmp (known, term, length - 1) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
skip_element (FileReader *reader)
{
  reader->skip_depth = 1;
}

static void
start_root (FileReader      *reader,
            const Location  *at,
            const char      *element,
            const char     **names,
            const char     **values)
{
  static const char * const allowed[] = { "xmlns", "version", NULL };
  const char *found[MAX_ATTRIBUTES];

  reader->seen_root = TRUE;
  reader->root_at = *at;

  if (!g_str_equal (element, "content"))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT,
                            _("The document is <%s>; a content file is a <content> element"),
                            element);
      skip_element (reader);
      return;
    }

  read_attributes (reader, at, element, names, values, allowed, found);

  /* Without the namespace xgettext does not recognise the file, and its
   * words would silently never be translated. */
  if (found[0] != NULL && !g_str_equal (found[0], HAVEN_CONTENT_NAMESPACE))
    haven_content_report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                          _("<content> has xmlns=“%s”; it must be “%s”"),
                          found[0], HAVEN_CONTENT_NAMESPACE);

  if (found[1] != NULL && !g_str_equal (found[1], FORMAT_VERSION))
    haven_content_report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                          _("<content> has version=“%s”; this version of Haven reads version %s"),
                          found[1], FORMAT_VERSION);
}

static void
start_category (FileReader      *reader,
                const Location  *at,
                const char     **names,
                const char     **values)
{
  static const char * const allowed[] = { "id", "removable", "child", NULL };
  const char *found[MAX_ATTRIBUTES];
  Item *item = &reader->item;

  read_item_attributes (reader, at, "category", "id", names, values, allowed, found);

  if (found[1] != NULL &&
      !parse_boolean (reader, at, "category", "removable", found[1], &item->removable))
    item->broken = TRUE;
  if (found[2] != NULL &&
      !parse_boolean (reader, at, "category", "child", found[2], &item->about_child))
    item->broken = TRUE;
}

static void
start_guidance (FileReader      *reader,
                const Location  *at,
                const char     **names,
                const char     **values)
{
  static const char * const allowed[] = { "id", NULL };
  const char *found[MAX_ATTRIBUTES];

  read_item_attributes (reader, at, "guidance", "id", names, values, allowed, found);
}

static void
read_question_categories (FileReader     *reader,
                          const Location *at,
                          const char     *list)
{
  g_auto(GStrv) words = g_strsplit_set (list, " \t\r\n", -1);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  Item *item = &reader->item;

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *id = words[i];

      if (id[0] == '\0')
        continue;

      if (g_ptr_array_find_with_equal_func (seen, id, g_str_equal, NULL))
        {
          haven_content_report (reader, at, HAVEN_CONTENT_ERROR_DUPLICATE_ID,
                                _("<question> lists the category “%s” twice"), id);
          item->broken = TRUE;
          continue;
        }
      g_ptr_array_add (seen, (gpointer) id);

      if (!g_str_equal (id, "*") && !is_known_id (reader, FILE_CATEGORIES, id))
        {
          haven_content_report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_REFERENCE,
                                _("<question> is for the category “%s”, which categories.xml "
                                  "does not define"), id);
          item->broken = TRUE;
        }
      g_strv_builder_add (ids, id);
    }

  if (seen->len == 0 || (seen->len > 1 && g_ptr_array_find_with_equal_func (seen, "*",
                                                                            g_str_equal, NULL)))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                            _("<question> has category=“%s”; it must be “*” or a list of "
                              "category ids separated by spaces"), list);
      item->broken = TRUE;
    }

  item->category_ids = g_strv_builder_end (ids);
}

static void
start_question (FileReader      *reader,
                const Location  *at,
                const char     **names,
                const char     **values)
{
  static const char * const allowed[] = { "id", "type", "category", "sensitive?", NULL };
  const char *found[MAX_ATTRIBUTES];
  Item *item = &reader->item;

  read_item_attributes (reader, at, "question", "id", names, values, allowed, found);

  if (found[1] != NULL)
    {
      item->has_type = haven_question_type_from_string (found[1], &item->type);
      if (!item->has_type)
        {
          haven_content_report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_TYPE,
                                _("<question> has the unknown type “%s”; the types are text, "
                                  "long-text, date, choice, multi-choice, money, yes-no and "
                                  "url-list"), found[1]);
          item->broken = TRUE;
        }
    }

  if (found[2] != NULL)
    read_question_categories (reader, at, found[2]);

  if (found[3] != NULL &&
      !parse_boolean (reader, at, "question", "sensitive", found[3], &item->sensitive))
    item->broken = TRUE;
}

static void
start_region (FileReader      *reader,
              const Location  *at,
              const char     **names,
              const char     **values)
{
  static const char * const allowed[] = { "code", "name", "source", "checked", NULL };
  const char *found[MAX_ATTRIBUTES];
  Item *item = &reader->item;

  read_item_attributes (reader, at, "region", "code", names, values, allowed, found);

  if (found[2] != NULL && !is_web_address (found[2], FALSE))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                            _("<region> has source=“%s”, which is not a web address"), found[2]);
      item->broken = TRUE;
    }

  if (found[3] != NULL && !haven_check_iso_date (found[3]))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                            _("<region> has checked=“%s”, which is not a valid date written as "
                              "YYYY-MM-DD"),
                            found[3]);
      item->broken = TRUE;
    }

  if (!item->broken)
    item->region = haven_emergency_region_new (found[0], found[1], found[2], found[3]);
}

static void
start_item (FileReader      *reader,
            const Location  *at,
            const char      *element,
            const char     **names,
            const char     **values)
{
  if (!g_str_equal (element, item_elements[reader->kind]))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT,
                            _("<%s> does not belong in %s, which holds <%s> elements"),
                            element, haven_content_get_file_names ()[reader->kind],
                            item_elements[reader->kind]);
      skip_element (reader);
      return;
    }

  item_init (&reader->item, *at);

  switch (reader->kind)
    {
    case FILE_GUIDANCE:
      start_guidance (reader, at, names, values);
      break;

    case FILE_CATEGORIES:
      start_category (reader, at, names, values);
      break;

    case FILE_QUESTIONS:
      start_question (reader, at, names, values);
      break;

    case FILE_EMERGENCY:
      start_region (reader, at, names, values);
      break;

    case N_FILES:
    default:
      g_assert_not_reached ();
    }
}

/* The text of @element is collected until it ends. */
static void
begin_words (FileReader     *reader,
             const Location *at,
             const char     *element)
{
  reader->words_element = g_strdup (element);
  reader->words_at = *at;
  g_string_truncate (reader->words, 0);
}

static void
start_words (FileReader      *reader,
             const Location  *at,
             const char      *element,
             const char     **names,
             const char     **values)
{
  static const char * const none[] = { NULL };
  const char *found[MAX_ATTRIBUTES];

  /* Words anywhere else would not be collected for translation. */
  g_assert (is_words_element (element));

  if (!read_attributes (reader, at, element, names, values, none, found))
    reader->item.broken = TRUE;

  begin_words (reader, at, element);
}

/* <taxonomy term="…"/> and <guidance ref="…"/> in a category. */
static void
start_category_reference (FileReader      *reader,
                          const Location  *at,
                          const char      *element,
                          const char     **names,
                          const char     **values)
{
  gboolean is_term = g_str_equal (element, "taxonomy");
  const char * const term_attributes[] = { "term", NULL };
  const char * const ref_attributes[] = { "ref", NULL };
  const char *found[MAX_ATTRIBUTES];
  const char * const *known_terms = reader->loader->known_terms;
  Item *item = &reader->item;
  GPtrArray *list = is_term ? item->terms : item->guidance_ids;
  const char *value;

  if (!read_attributes (reader, at, element, names, values,
                        is_term ? term_attributes : ref_attributes, found))
    {
      item->broken = TRUE;
      return;
    }
  value = found[0];

  if (g_ptr_array_find_with_equal_func (list, value, g_str_equal, NULL))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_DUPLICATE_ID,
                            is_term ? _("<category> lists the taxonomy term “%s” twice")
                                    : _("<category> lists the guidance “%s” twice"), value);
      item->broken = TRUE;
      return;
    }

  if (is_term && known_terms != NULL && !is_known_term (known_terms, value))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_TERM,
                            _("<taxonomy> names the term “%s”, which the directory’s category "
                              "mapping does not know"), value);
      item->broken = TRUE;
      return;
    }

  if (!is_term && !is_known_id (reader, FILE_GUIDANCE, value))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_REFERENCE,
                            _("<guidance> refers to “%s”, which guidance.xml does not define"),
                            value);
      item->broken = TRUE;
      return;
    }

  g_ptr_array_add (list, g_strdup (value));
}

static void
start_choice (FileReader      *reader,
              const Location  *at,
              const char     **names,
              const char     **values)
{
  static const char * const allowed[] = { "id", NULL };
  const char *found[MAX_ATTRIBUTES];
  Item *item = &reader->item;

  entry_clear (item);
  item->entry_at = *at;
  begin_words (reader, at, "choice");

  if (item->has_type && !haven_question_type_has_choices (item->type))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT,
                            _("<choice> belongs only in questions of type choice or "
                              "multi-choice, not %s"),
                            haven_question_type_to_string (item->type));
      item->entry_broken = TRUE;
    }

  if (!read_attributes (reader, at, "choice", names, values, allowed, found))
    {
      item->entry_broken = TRUE;
      return;
    }

  if (!is_valid_id (found[0]))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                            _("<choice> has id=“%s”; ids are lower-case letters and digits "
                              "joined by hyphens"), found[0]);
      item->entry_broken = TRUE;
    }
  else if (g_ptr_array_find_with_equal_func (item->choice_ids, found[0], g_str_equal, NULL))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_DUPLICATE_ID,
                            _("<choice> id=“%s” appears twice in this question"), found[0]);
      item->entry_broken = TRUE;
    }

  item->entry_name = g_strdup (found[0]);
}

/* <number kind="…" value="…"> and <link kind="…" url="…" name="…"> in a
 * region; a link's name, the service's, heads it on the screen. */
static void
start_region_entry (FileReader      *reader,
                    const Location  *at,
                    const char      *element,
                    const char     **names,
                    const char     **values)
{
  gboolean is_number = g_str_equal (element, "number");
  const char * const number_attributes[] = { "kind", "value", NULL };
  const char * const link_attributes[] = { "kind", "url", "name?", NULL };
  const char *found[MAX_ATTRIBUTES];
  Item *item = &reader->item;

  entry_clear (item);
  item->entry_at = *at;
  item->has_entries = TRUE;

  if (!read_attributes (reader, at, element, names, values,
                        is_number ? number_attributes : link_attributes, found))
    {
      item->entry_broken = TRUE;
      return;
    }

  if (!is_valid_id (found[0]))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                            _("<%s> has kind=“%s”; kinds are lower-case letters and digits "
                              "joined by hyphens"), element, found[0]);
      item->entry_broken = TRUE;
    }

  if (is_number && !is_valid_phone_number (found[1]))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                            _("<number> has value=“%s”; a number is digits, spaces and + - ( )"),
                            found[1]);
      item->entry_broken = TRUE;
    }

  /* Visitors are sent there from a public kiosk. */
  if (!is_number && !is_web_address (found[1], TRUE))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                            _("<link> has url=“%s”; it must be a web address starting with "
                              "https://"),
                            found[1]);
      item->entry_broken = TRUE;
    }

  if (!is_number && found[2] != NULL && found[2][strspn (found[2], " \t\n")] == '\0')
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_INVALID_VALUE,
                            _("<link> has an empty name; give the service’s name, or leave the "
                              "attribute out"));
      item->entry_broken = TRUE;
    }

  item->entry_name = g_strdup (found[0]);
  item->entry_target = g_strdup (found[1]);
  item->entry_service = !is_number ? g_strdup (found[2]) : NULL;
}

/* Which elements go inside which, per file. Returns FALSE for an element
 * that does not belong inside @parent. */
static gboolean
start_child (FileReader      *reader,
             const Location  *at,
             const char      *element,
             const char      *parent,
             const char     **names,
             const char     **values)
{
  gboolean in_item = g_str_equal (parent, item_elements[reader->kind]);

  switch (reader->kind)
    {
    case FILE_GUIDANCE:
      if (in_item && (g_str_equal (element, "title") || g_str_equal (element, "step")))
        start_words (reader, at, element, names, values);
      else
        return FALSE;
      break;

    case FILE_CATEGORIES:
      if (in_item && (g_str_equal (element, "title") || g_str_equal (element, "summary") ||
                      g_str_equal (element, "example")))
        start_words (reader, at, element, names, values);
      else if (in_item && (g_str_equal (element, "taxonomy") ||
                           g_str_equal (element, "guidance")))
        start_category_reference (reader, at, element, names, values);
      else
        return FALSE;
      break;

    case FILE_QUESTIONS:
      if (in_item && (g_str_equal (element, "title") || g_str_equal (element, "hint") ||
                      g_str_equal (element, "why")))
        start_words (reader, at, element, names, values);
      else if (in_item && g_str_equal (element, "choice"))
        start_choice (reader, at, names, values);
      else
        return FALSE;
      break;

    case FILE_EMERGENCY:
      if (in_item && (g_str_equal (element, "number") || g_str_equal (element, "link")))
        start_region_entry (reader, at, element, names, values);
      else if ((g_str_equal (parent, "number") || g_str_equal (parent, "link")) &&
               g_str_equal (element, "label"))
        start_words (reader, at, element, names, values);
      else
        return FALSE;
      break;

    case N_FILES:
    default:
      g_assert_not_reached ();
    }

  return TRUE;
}

/**
 * haven_content_start_element:
 * @depth: how deep @element is: 1 for the root
 *
 * Checks an element that was opened, where it stands and what it holds.
 */
void
haven_content_start_element (FileReader      *reader,
                             const Location  *at,
                             const char      *element,
                             const char      *parent,
                             guint            depth,
                             const char     **names,
                             const char     **values)
{
  if (reader->words_element != NULL)
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT,
                            _("<%s> inside <%s>: the words of an element are plain text"),
                            element, reader->words_element);
      reader->item.broken = TRUE;
      skip_element (reader);
      return;
    }

  if (depth == 1)
    start_root (reader, at, element, names, values);
  else if (depth == 2)
    start_item (reader, at, element, names, values);
  else if (!start_child (reader, at, element, parent, names, values))
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_UNKNOWN_ELEMENT,
                            _("Unknown element <%s> inside <%s>"), element, parent);
      reader->item.broken = TRUE;
      skip_element (reader);
    }
}

static gboolean
set_once (FileReader      *reader,
          const Location  *at,
          const char      *element,
          const char      *parent,
          char           **field,
          char            *words)
{
  if (*field != NULL)
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_REPEATED_ELEMENT,
                            _("<%s> appears more than once in <%s>"), element, parent);
      g_free (words);
      return FALSE;
    }

  *field = words;
  return TRUE;
}

/* Puts the words of the element just closed where they belong. */
static void
end_words (FileReader *reader,
           const char *parent)
{
  g_autofree char *element = g_steal_pointer (&reader->words_element);
  char *words = haven_content_normalize_words (reader->words->str);
  const Location *at = &reader->words_at;
  Item *item = &reader->item;
  gboolean stored = TRUE;

  /* The empty words are still stored, so that the element does not count
   * as missing too; the item is not added. */
  if (words[0] == '\0')
    {
      haven_content_report (reader, at, HAVEN_CONTENT_ERROR_EMPTY_TEXT,
                            _("<%s> is empty; it must hold the words to show"), element);
      item->broken = TRUE;
    }

  if (g_str_equal (element, "title"))
    stored = set_once (reader, at, element, parent, &item->title, words);
  else if (g_str_equal (element, "summary"))
    stored = set_once (reader, at, element, parent, &item->summary, words);
  else if (g_str_equal (element, "hint"))
    stored = set_once (reader, at, element, parent, &item->hint, words);
  else if (g_str_equal (element, "why"))
    stored = set_once (reader, at, element, parent, &item->why, words);
  else if (g_str_equal (element, "example") || g_str_equal (element, "step"))
    g_ptr_array_add (item->texts, words);
  else if (g_str_equal (element, "label"))
    stored = set_once (reader, at, element, parent, &item->entry_label, words);
  else if (g_str_equal (element, "choice"))
    {
      if (!item->entry_broken && item->entry_name != NULL)
        {
          g_ptr_array_add (item->choice_ids, g_steal_pointer (&item->entry_name));
          g_ptr_array_add (item->choice_labels, words);
        }
      else
        {
          item->broken = TRUE;
          g_free (words);
        }
      entry_clear (item);
    }
  else
    g_assert_not_reached ();

  if (!stored)
    item->broken = TRUE;
}

static void
missing_child (FileReader     *reader,
               const Location *at,
               const char     *element,
               const char     *child)
{
  haven_content_report (reader, at, HAVEN_CONTENT_ERROR_MISSING_ELEMENT, _("<%s> has no <%s>"),
                        element, child);
  reader->item.broken = TRUE;
}

static void
end_region_entry (FileReader *reader,
                  const char *element)
{
  Item *item = &reader->item;

  if (item->entry_label == NULL && !item->entry_broken)
    {
      haven_content_report (reader, &item->entry_at, HAVEN_CONTENT_ERROR_MISSING_ELEMENT,
                            _("<%s> has no <label>"), element);
      item->entry_broken = TRUE;
    }

  if (item->entry_broken)
    item->broken = TRUE;
  else if (item->region != NULL && g_str_equal (element, "number"))
    haven_emergency_region_add_number (item->region, item->entry_name, item->entry_target,
                                       item->entry_label);
  else if (item->region != NULL)
    haven_emergency_region_add_link (item->region, item->entry_name, item->entry_target,
                                     item->entry_service, item->entry_label);

  entry_clear (item);
}

static const char * const *
strv (GPtrArray *array)
{
  static const char * const empty[] = { NULL };

  return array->pdata != NULL ? (const char * const *) array->pdata : empty;
}

static void
end_category (FileReader *reader)
{
  Item *item = &reader->item;
  HavenCategory *category;

  if (item->title == NULL)
    missing_child (reader, &item->at, "category", "title");
  if (item->summary == NULL)
    missing_child (reader, &item->at, "category", "summary");
  /* Every harm comes with advice on what to do next. */
  if (item->guidance_ids->len == 0 && !item->broken)
    missing_child (reader, &item->at, "category", "guidance");

  if (item->broken)
    return;

  category = haven_category_new (item->id, item->title, item->summary, strv (item->texts),
                                 item->removable, item->about_child, strv (item->terms),
                                 strv (item->guidance_ids));
  haven_content_add_category (reader->loader->content, category);
  g_object_unref (category);
}

static void
end_guidance (FileReader *reader)
{
  Item *item = &reader->item;
  HavenGuidance *guidance;

  if (item->title == NULL)
    missing_child (reader, &item->at, "guidance", "title");
  if (item->texts->len == 0)
    missing_child (reader, &item->at, "guidance", "step");

  if (item->broken)
    return;

  guidance = haven_guidance_new (item->id, item->title, strv (item->texts));
  haven_content_add_guidance (reader->loader->content, guidance);
}

static void
end_question (FileReader *reader)
{
  Item *item = &reader->item;
  HavenQuestion *question;

  if (item->title == NULL)
    missing_child (reader, &item->at, "question", "title");

  if (item->has_type && haven_question_type_has_choices (item->type) &&
      item->choice_ids->len < 2 && !item->broken)
    {
      haven_content_report (reader, &item->at, HAVEN_CONTENT_ERROR_MISSING_ELEMENT,
                            _("<question> of type %s needs at least two <choice> elements"),
                            haven_question_type_to_string (item->type));
      item->broken = TRUE;
    }

  if (item->broken)
    return;

  question = haven_question_new (item->id, item->type, item->title, item->hint, item->why,
                                 (const char * const *) item->category_ids,
                                 strv (item->choice_ids), strv (item->choice_labels));
  haven_question_set_sensitive (question, item->sensitive);
  haven_content_add_question (reader->loader->content, question);
  g_object_unref (question);
}

static void
end_region (FileReader *reader)
{
  Item *item = &reader->item;
  HavenEmergencyRegion *region;

  if (!item->has_entries)
    {
      haven_content_report (reader, &item->at, HAVEN_CONTENT_ERROR_MISSING_ELEMENT,
                            _("<region> has no <number> or <link>"));
      item->broken = TRUE;
    }

  if (item->broken || item->region == NULL)
    return;

  region = g_steal_pointer (&item->region);
  haven_content_add_region (reader->loader->content, region);
}

/**
 * haven_content_end_element:
 * @depth: how deep @element was: 1 for the root
 *
 * Stores what was read of an element that closed, and adds an item to the
 * content once all of it is read and found right.
 */
void
haven_content_end_element (FileReader *reader,
                           const char *element,
                           const char *parent,
                           guint       depth)
{
  if (reader->words_element != NULL)
    {
      end_words (reader, parent);
      return;
    }

  if (depth == 3 && reader->kind == FILE_EMERGENCY)
    {
      end_region_entry (reader, element);
      return;
    }

  if (depth != 2)
    return;

  switch (reader->kind)
    {
    case FILE_GUIDANCE:
      end_guidance (reader);
      break;

    case FILE_CATEGORIES:
      end_category (reader);
      break;

    case FILE_QUESTIONS:
      end_question (reader);
      break;

    case FILE_EMERGENCY:
      end_region (reader);
      break;

    case N_FILES:
    default:
      g_assert_not_reached ();
    }

  haven_content_item_clear (&reader->item);
}
