/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-content"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "haven-category-mapping.h"
#include "haven-content.h"
#include "haven-content-private.h"
#include "haven-content-reader.h"
#include "haven-paths.h"

/* The content definitions: categories, guided questions, guidance and
 * emergency numbers, read from four XML files in one folder that a
 * deployment can edit without touching C (data/content/ as shipped), and
 * where that folder is. How the files are read and checked is in
 * haven-content-reader.c and haven-content-elements.c. */

struct _HavenContent
{
  GObject parent_instance;

  GListStore *categories;
  GListStore *questions;
  /* id -> the object; the values are owned by the stores above or, for
   * guidance and regions, by the tables themselves. */
  GHashTable *categories_by_id;
  GHashTable *questions_by_id;
  GHashTable *guidance_by_id;
  GHashTable *regions_by_code;
  /* Category id -> GListStore of the questions asked for it. */
  GHashTable *questions_by_category;

  char *dir;
  char *version;
};

G_DEFINE_FINAL_TYPE (HavenContent, haven_content, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-content-error-quark, haven_content_error)

static void
haven_content_dispose (GObject *object)
{
  HavenContent *self = HAVEN_CONTENT (object);

  g_clear_pointer (&self->questions_by_category, g_hash_table_unref);
  g_clear_pointer (&self->categories_by_id, g_hash_table_unref);
  g_clear_pointer (&self->questions_by_id, g_hash_table_unref);
  g_clear_pointer (&self->guidance_by_id, g_hash_table_unref);
  g_clear_pointer (&self->regions_by_code, g_hash_table_unref);
  g_clear_object (&self->categories);
  g_clear_object (&self->questions);

  G_OBJECT_CLASS (haven_content_parent_class)->dispose (object);
}

static void
haven_content_finalize (GObject *object)
{
  HavenContent *self = HAVEN_CONTENT (object);

  g_clear_pointer (&self->dir, g_free);
  g_clear_pointer (&self->version, g_free);

  G_OBJECT_CLASS (haven_content_parent_class)->finalize (object);
}

static void
haven_content_class_init (HavenContentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haven_content_dispose;
  object_class->finalize = haven_content_finalize;
}

static void
haven_content_init (HavenContent *self)
{
  self->categories = g_list_store_new (HAVEN_TYPE_CATEGORY);
  self->questions = g_list_store_new (HAVEN_TYPE_QUESTION);
  self->categories_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->questions_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->guidance_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->regions_by_code = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->questions_by_category = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       g_object_unref);
}

/* The items a reader found right, in the order of the files. */
void
haven_content_add_category (HavenContent  *self,
                            HavenCategory *category)
{
  g_list_store_append (self->categories, category);
  g_hash_table_insert (self->categories_by_id,
                       (gpointer) haven_category_get_id (category), category);
}

void
haven_content_add_question (HavenContent  *self,
                            HavenQuestion *question)
{
  g_list_store_append (self->questions, question);
  g_hash_table_insert (self->questions_by_id,
                       (gpointer) haven_question_get_id (question), question);
}

/* Takes @guidance. */
void
haven_content_add_guidance (HavenContent  *self,
                            HavenGuidance *guidance)
{
  g_hash_table_insert (self->guidance_by_id,
                       (gpointer) haven_guidance_get_id (guidance), guidance);
}

/* Takes @region. */
void
haven_content_add_region (HavenContent         *self,
                          HavenEmergencyRegion *region)
{
  g_hash_table_insert (self->regions_by_code,
                       (gpointer) haven_emergency_region_get_code (region), region);
}

static void
index_questions (HavenContent *self)
{
  GListModel *categories = G_LIST_MODEL (self->categories);
  GListModel *all_questions = G_LIST_MODEL (self->questions);
  guint n_categories = g_list_model_get_n_items (categories);
  guint n_questions = g_list_model_get_n_items (all_questions);

  for (guint i = 0; i < n_categories; i++)
    {
      g_autoptr(HavenCategory) category = g_list_model_get_item (categories, i);
      const char *id = haven_category_get_id (category);
      GListStore *questions = g_list_store_new (HAVEN_TYPE_QUESTION);

      for (guint j = 0; j < n_questions; j++)
        {
          g_autoptr(HavenQuestion) question = g_list_model_get_item (all_questions, j);

          if (haven_question_applies_to (question, id))
            g_list_store_append (questions, question);
        }

      g_hash_table_insert (self->questions_by_category, g_strdup (id), questions);
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static GStrv
sort_strv (GStrv strv)
{
  qsort (strv, g_strv_length (strv), sizeof (char *), compare_strings);
  return strv;
}

/* Reads every file of @dir, recording each problem in @problems. */
static HavenContent *
load (const char         *dir,
      const char * const *known_terms,
      GPtrArray          *problems)
{
  g_autoptr(HavenContent) content = g_object_new (HAVEN_TYPE_CONTENT, NULL);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  haven_content_read_dir (content, dir, known_terms, problems, checksum);

  index_questions (content);
  content->dir = g_strdup (dir);
  /* Enough to tell on the operator screen whether two kiosks show the same
   * content. */
  content->version = g_strndup (g_checksum_get_string (checksum), 12);

  return g_steal_pointer (&content);
}

/**
 * haven_content_check_dir:
 * @dir: a folder with the content files
 * @known_taxonomy_terms: (nullable): the terms the directory's category
 *   mapping knows; %NULL to not check the terms
 *
 * Returns: (transfer full) (element-type GError): every problem in the
 *   folder's files, in the order found; empty when there is none.
 */
GPtrArray *
haven_content_check_dir (const char         *dir,
                         const char * const *known_taxonomy_terms)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr(HavenContent) content = NULL;

  g_return_val_if_fail (dir != NULL, NULL);

  content = load (dir, known_taxonomy_terms, problems);
  return g_steal_pointer (&problems);
}

/**
 * haven_content_check:
 * @dir: a folder with the content files
 * @mapping_file: (nullable): the directory's category mapping whose
 *   taxonomy terms categories may name; %NULL to find it as the kiosk does
 *   (haven_content_find_directory_mapping())
 * @mapping_used: (out) (optional) (nullable): the mapping the terms were
 *   checked against, %NULL when none was found
 * @content: (out) (optional) (nullable): the content read, when there is
 *   no problem
 *
 * The whole check `havenctl content check` runs, which a bundle's content
 * must pass too before a kiosk takes it: the files, and their taxonomy
 * terms against the mapping. A mapping that cannot be read is one of the
 * problems.
 *
 * Returns: (transfer full) (element-type GError): every problem, in the
 *   order found; empty when there is none.
 */
GPtrArray *
haven_content_check (const char    *dir,
                     const char    *mapping_file,
                     char         **mapping_used,
                     HavenContent **content)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr(HavenContent) loaded = NULL;
  g_autofree char *mapping = NULL;
  g_auto(GStrv) terms = NULL;

  g_return_val_if_fail (dir != NULL, NULL);

  mapping = mapping_file != NULL ? g_strdup (mapping_file)
                                 : haven_content_find_directory_mapping (dir);
  if (mapping != NULL)
    {
      GError *error = NULL;

      terms = haven_content_read_taxonomy_terms (mapping, &error);
      if (terms == NULL)
        g_ptr_array_add (problems, error);
    }

  /* Terms are not checked against a mapping that could not be read; the
   * files still are, so that every problem is listed at once. */
  loaded = load (dir, (const char * const *) terms, problems);

  if (mapping_used != NULL)
    *mapping_used = g_steal_pointer (&mapping);
  if (content != NULL)
    *content = problems->len == 0 ? g_steal_pointer (&loaded) : NULL;

  return g_steal_pointer (&problems);
}

/**
 * haven_content_new_from_dir:
 * @dir: a folder with the content files
 * @known_taxonomy_terms: (nullable): the terms the directory's category
 *   mapping knows; %NULL to not check the terms
 *
 * Reads the content definitions. Fails with the first problem found, its
 * message naming the file, line and column; haven_content_check_dir() lists
 * them all.
 */
HavenContent *
haven_content_new_from_dir (const char          *dir,
                            const char * const  *known_taxonomy_terms,
                            GError             **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr(HavenContent) content = NULL;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  content = load (dir, known_taxonomy_terms, problems);
  if (problems->len > 0)
    {
      g_propagate_error (error, g_ptr_array_steal_index (problems, 0));
      return NULL;
    }

  return g_steal_pointer (&content);
}

/**
 * haven_content_dup_default_dir:
 * @settings: (nullable): the kiosk's settings
 *
 * Returns: the folder to read the content from: the content of the bundle
 *   in use (haven_paths_dup_bundle_file()), else the content-dir setting
 *   when it is set, else the content Haven ships (haven_paths_dup_content_dir()).
 */
char *
haven_content_dup_default_dir (GSettings  *settings,
                               GError    **error)
{
  g_autofree char *setting = NULL;
  g_autofree char *from_bundle = NULL;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The organisation's signed bundle, once one with content is in use,
   * comes first. */
  from_bundle = haven_paths_dup_bundle_file (settings, "content");
  if (from_bundle != NULL)
    return g_steal_pointer (&from_bundle);

  if (settings != NULL)
    setting = g_settings_get_string (settings, "content-dir");

  if (setting != NULL && setting[0] != '\0')
    {
      if (!g_path_is_absolute (setting))
        {
          g_set_error (error, HAVEN_CONTENT_ERROR, HAVEN_CONTENT_ERROR_FILE,
                       _("The setting content-dir must be an absolute path, not “%s”"), setting);
          return NULL;
        }
      return g_steal_pointer (&setting);
    }

  return haven_paths_dup_content_dir ();
}

/**
 * haven_content_find_directory_mapping:
 * @content_dir: the content folder in use
 *
 * Finds the service directory's category mapping (categories.ini), whose
 * taxonomy terms the categories may name: beside the content folder (as a
 * deployment lays out its own copy of Haven's data folder), else the one
 * Haven ships.
 *
 * Returns: (nullable): its path, or %NULL when there is none.
 */
char *
haven_content_find_directory_mapping (const char *content_dir)
{
  g_autofree char *parent = NULL;
  g_autofree char *beside = NULL;
  g_autofree char *shipped = NULL;

  g_return_val_if_fail (content_dir != NULL, NULL);

  parent = g_path_get_dirname (content_dir);
  beside = g_build_filename (parent, "directory", "categories.ini", NULL);
  if (g_file_test (beside, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&beside);

  shipped = haven_paths_dup_directory_mapping ();
  if (g_file_test (shipped, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&shipped);

  return NULL;
}

/**
 * haven_content_read_taxonomy_terms:
 * @mapping_file: the directory's category mapping (data/directory/
 *   categories.ini), a key file
 *
 * Returns: (transfer full): the terms it maps: the keys of its [Terms]
 *   group. A key written "taxonomy:term" counts under both names, and one
 *   ending in "*" for every term it starts.
 */
GStrv
haven_content_read_taxonomy_terms (const char  *mapping_file,
                                   GError     **error)
{
  g_autoptr(HavenCategoryMapping) mapping = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (mapping_file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  mapping = haven_category_mapping_new_from_file (mapping_file, &local_error);
  if (mapping == NULL)
    {
      g_set_error (error, HAVEN_CONTENT_ERROR, HAVEN_CONTENT_ERROR_FILE,
                   _("%s: cannot be read: %s"), mapping_file, local_error->message);
      return NULL;
    }

  return g_strdupv ((GStrv) haven_category_mapping_get_terms (mapping));
}

/**
 * haven_content_load_default:
 * @settings: (nullable): the kiosk's settings
 *
 * Reads the content from haven_content_dup_default_dir(), checking its
 * taxonomy terms against the directory's category mapping when there is
 * one.
 */
HavenContent *
haven_content_load_default (GSettings  *settings,
                            GError    **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *mapping_file = NULL;
  g_auto(GStrv) terms = NULL;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dir = haven_content_dup_default_dir (settings, error);
  if (dir == NULL)
    return NULL;

  mapping_file = haven_content_find_directory_mapping (dir);
  if (mapping_file != NULL)
    {
      terms = haven_content_read_taxonomy_terms (mapping_file, error);
      if (terms == NULL)
        return NULL;
    }
  else
    {
      g_debug ("No directory category mapping found; taxonomy terms are not checked");
    }

  return haven_content_new_from_dir (dir, (const char * const *) terms, error);
}

const char *
haven_content_get_dir (HavenContent *self)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);

  return self->dir;
}

/* Returns: a short hash of the files, the same for the same content. */
const char *
haven_content_get_version (HavenContent *self)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);

  return self->version;
}

/* Returns: (transfer none): the HavenCategory items, in file order. */
GListModel *
haven_content_get_categories (HavenContent *self)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);

  return G_LIST_MODEL (self->categories);
}

/* Returns: (transfer none) (nullable): */
HavenCategory *
haven_content_lookup_category (HavenContent *self,
                               const char   *id)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->categories_by_id, id);
}

/* Returns: (transfer none): every HavenQuestion, in file order. */
GListModel *
haven_content_get_questions (HavenContent *self)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);

  return G_LIST_MODEL (self->questions);
}

/**
 * haven_content_get_questions_for:
 * @category_id: a category's id
 *
 * Returns: (transfer none) (nullable): the HavenQuestion items asked for
 *   the category (those for it and those for every category, "*"), in
 *   file order; %NULL when there is no such category.
 */
GListModel *
haven_content_get_questions_for (HavenContent *self,
                                 const char   *category_id)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);
  g_return_val_if_fail (category_id != NULL, NULL);

  return g_hash_table_lookup (self->questions_by_category, category_id);
}

/* Returns: (transfer none) (nullable): */
HavenQuestion *
haven_content_lookup_question (HavenContent *self,
                               const char   *id)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->questions_by_id, id);
}

/* Returns: (transfer none) (nullable): */
HavenGuidance *
haven_content_lookup_guidance (HavenContent *self,
                               const char   *id)
{
  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->guidance_by_id, id);
}

/**
 * haven_content_lookup_region:
 * @region_code: (nullable): the kiosk's region, such as "GB-LND", "GB",
 *   or empty
 *
 * Finds the emergency numbers for a region: its own, else its country's
 * ("GB-LND" falls back to "GB"), else the region-neutral ones ("*").
 *
 * Returns: (transfer none): the region; never %NULL for content that
 *   loaded, which always has a "*" region.
 */
HavenEmergencyRegion *
haven_content_lookup_region (HavenContent *self,
                             const char   *region_code)
{
  g_autofree char *code = NULL;
  HavenEmergencyRegion *region = NULL;
  char *hyphen;

  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);

  if (region_code != NULL && region_code[0] != '\0')
    {
      code = g_ascii_strup (region_code, -1);
      region = g_hash_table_lookup (self->regions_by_code, code);

      hyphen = strchr (code, '-');
      if (region == NULL && hyphen != NULL)
        {
          *hyphen = '\0';
          region = g_hash_table_lookup (self->regions_by_code, code);
        }
    }

  if (region == NULL)
    region = g_hash_table_lookup (self->regions_by_code, "*");

  return region;
}

/* Returns: (transfer full): the codes of the regions with emergency
 *   numbers, sorted, for the operator. */
GStrv
haven_content_dup_region_codes (HavenContent *self)
{
  g_autofree const char **codes = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n_codes = 0;

  g_return_val_if_fail (HAVEN_IS_CONTENT (self), NULL);

  codes = (const char **) g_hash_table_get_keys_as_array (self->regions_by_code, &n_codes);
  for (guint i = 0; i < n_codes; i++)
    g_strv_builder_add (builder, codes[i]);

  return sort_strv (g_strv_builder_end (builder));
}

