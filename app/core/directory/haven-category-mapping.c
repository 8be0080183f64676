/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-category-mapping"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-category-mapping.h"
#include "haven-request.h"

/* The service directory's category mapping, categories.ini: which of
 * Haven's categories each taxonomy term of a directory stands for. Its
 * [Terms] group holds one key a term:
 *
 *   code=categories
 *   taxonomy:code=categories
 *   code-prefix*=categories
 *
 * where categories are Haven category ids separated by ";", or "*" for
 * every category (the service may help with anything). The directory maps
 * its services' terms with it when it is opened; the content checks that
 * the terms its categories name are ones the mapping knows. */

#define ALL_CATEGORIES ((1u << HAVEN_REQUEST_N_CATEGORIES) - 1)

typedef struct {
  /* Lower-case, or NULL for a term of any taxonomy. */
  char *taxonomy;
  char *code;
  /* The code is the start of the terms it maps, its "*" taken off. */
  gboolean prefix;
  /* Bits in the order of haven_request_get_category_ids(). */
  guint16 specific;
  guint16 general;
} Mapping;

struct _HavenCategoryMapping
{
  GArray *mappings;
  GStrv terms;
};

static void
mapping_clear (gpointer data)
{
  Mapping *mapping = data;

  g_free (mapping->taxonomy);
  g_free (mapping->code);
}

/**
 * haven_category_mapping_category_index:
 * @category_id: a Haven category id, such as "fraud"
 *
 * Returns: the category's place in haven_request_get_category_ids(), which
 *   is its bit in the sets haven_category_mapping_map_term() gives, or -1
 *   when it is not a Haven category
 */
int
haven_category_mapping_category_index (const char *category_id)
{
  for (guint i = 0; i < HAVEN_REQUEST_N_CATEGORIES; i++)
    {
      if (g_strcmp0 (haven_request_get_category_ids ()[i], category_id) == 0)
        return i;
    }

  return -1;
}

static Mapping
parse_mapping (const char *key,
               GStrv       values)
{
  Mapping mapping = { NULL, NULL, FALSE, 0, 0 };
  const char *colon = strchr (key, ':');
  gsize length;

  if (colon != NULL)
    {
      mapping.taxonomy = g_utf8_strdown (key, colon - key);
      mapping.code = g_strdup (colon + 1);
    }
  else
    mapping.code = g_strdup (key);

  length = strlen (mapping.code);
  if (length > 0 && mapping.code[length - 1] == '*')
    {
      mapping.prefix = TRUE;
      mapping.code[length - 1] = '\0';
    }

  for (guint j = 0; values != NULL && values[j] != NULL; j++)
    {
      const char *value = g_strstrip (values[j]);
      int index;

      if (g_str_equal (value, "*"))
        mapping.general = ALL_CATEGORIES;
      else if ((index = haven_category_mapping_category_index (value)) >= 0)
        mapping.specific |= 1u << index;
    }

  return mapping;
}

/* The terms as the content names them: each key as it is written, and a
 * key written "taxonomy:term" under its term alone too. */
static GStrv
collect_terms (GStrv keys)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GStrvBuilder) terms = g_strv_builder_new ();

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      const char *colon = strchr (keys[i], ':');

      if (g_hash_table_add (seen, keys[i]))
        g_strv_builder_add (terms, keys[i]);
      if (colon != NULL && colon[1] != '\0' && g_hash_table_add (seen, (char *) colon + 1))
        g_strv_builder_add (terms, colon + 1);
    }

  return g_strv_builder_end (terms);
}

/**
 * haven_category_mapping_new_from_file:
 * @path: a categories.ini
 *
 * Reads and parses the mapping once, for every use of it.
 *
 * Returns: (transfer full) (nullable): the mapping, or %NULL with @error
 *   set, as g_key_file_load_from_file() sets it, when the file cannot be
 *   read, or G_KEY_FILE_ERROR_INVALID_VALUE when a term maps to a category
 *   the API does not have (haven_request_get_category_ids()) (a misspelt category would otherwise leave its
 *   services out without a word); the caller says what the file was for.
 */
HavenCategoryMapping *
haven_category_mapping_new_from_file (const char  *path,
                                      GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(HavenCategoryMapping) self = NULL;
  g_auto(GStrv) keys = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, error))
    return NULL;

  self = g_new0 (HavenCategoryMapping, 1);
  self->mappings = g_array_new (FALSE, TRUE, sizeof (Mapping));
  g_array_set_clear_func (self->mappings, mapping_clear);

  keys = g_key_file_get_keys (key_file, "Terms", NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_auto(GStrv) values = g_key_file_get_string_list (key_file, "Terms", keys[i], NULL, NULL);
      Mapping mapping;

      for (guint j = 0; values != NULL && values[j] != NULL; j++)
        {
          const char *value = g_strstrip (values[j]);

          if (value[0] != '\0' && !g_str_equal (value, "*") &&
              haven_category_mapping_category_index (value) < 0)
            {
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                           /* Translators: the first %s is a taxonomy term, the
                            * second what it maps to. */
                           _("the term “%s” maps to “%s”, which is not one of Haven’s "
                             "categories"), keys[i], value);
              return NULL;
            }
        }
      mapping = parse_mapping (keys[i], values);

      g_array_append_val (self->mappings, mapping);
    }
  self->terms = collect_terms (keys);

  return g_steal_pointer (&self);
}

void
haven_category_mapping_free (HavenCategoryMapping *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->mappings, g_array_unref);
  g_strfreev (self->terms);
  g_free (self);
}

/**
 * haven_category_mapping_get_terms:
 *
 * Returns: (transfer none): the terms the mapping knows: the keys of its
 *   [Terms] group. A key written "taxonomy:term" counts under both names,
 *   and one ending in "*" for every term it starts.
 */
const char * const *
haven_category_mapping_get_terms (HavenCategoryMapping *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char * const *) self->terms;
}

/**
 * haven_category_mapping_map_term:
 * @taxonomy: (nullable): the taxonomy the term is from
 * @code: the term's code
 * @specific: (out): the categories the term is about, a bit each
 * @general: (out): the categories the term may help with, a bit each
 *
 * Maps a directory's term by every key that matches it.
 */
void
haven_category_mapping_map_term (HavenCategoryMapping *self,
                                 const char           *taxonomy,
                                 const char           *code,
                                 guint16              *specific,
                                 guint16              *general)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (code != NULL);

  *specific = *general = 0;

  for (guint i = 0; i < self->mappings->len; i++)
    {
      const Mapping *mapping = &g_array_index (self->mappings, Mapping, i);
      gboolean matches;

      if (mapping->taxonomy != NULL && g_strcmp0 (mapping->taxonomy, taxonomy) != 0)
        continue;

      if (mapping->prefix)
        matches = g_str_has_prefix (code, mapping->code);
      else
        matches = g_str_equal (code, mapping->code);

      if (matches)
        {
          *specific |= mapping->specific;
          *general |= mapping->general;
        }
    }
}
