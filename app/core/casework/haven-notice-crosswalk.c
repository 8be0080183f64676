/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-notice-crosswalk"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-notice-crosswalk.h"
#include "haven-paths.h"

/* The crosswalk from Haven's categories to what a notice to a platform
 * says: the DSA Transparency Database's statement category and keywords,
 * the UN Convention against Cybercrime's articles, the directory's taxonomy
 * terms, and whether the content is child sexual abuse material. A
 * deployment edits the file, so it is checked whole when it is read: a
 * value a platform would not understand, or a category that drifted from
 * the content, is refused with the file, group and key that hold it,
 * rather than found in a notice already sent. */

#define GROUP_SOURCES "Sources"
#define GROUP_VOCABULARY "DSA vocabulary"
#define GROUP_ARTICLES "Convention articles"
#define CATEGORY_PREFIX "Category "

#define KEY_STATEMENT_CATEGORIES "statement-categories"
#define KEY_KEYWORDS "keywords"
#define KEY_ARTICLES "convention-articles"
#define KEY_STATEMENT_CATEGORY "statement-category"
#define KEY_TAXONOMY_TERMS "taxonomy-terms"
#define KEY_CSAM "child-sexual-abuse-material"

static const char * const sources_keys[] = { "dsa-vocabulary", "convention", NULL };
static const char * const vocabulary_keys[] = { KEY_STATEMENT_CATEGORIES, KEY_KEYWORDS, NULL };
static const char * const category_keys[] = {
  KEY_ARTICLES,
  KEY_STATEMENT_CATEGORY,
  KEY_KEYWORDS,
  KEY_TAXONOMY_TERMS,
  KEY_CSAM,
  NULL,
};

typedef struct
{
  char *statement_category;
  GStrv keywords;
  GArray *articles;
  GStrv taxonomy_terms;
  gboolean child_abuse_material;
} Entry;

struct _HavenNoticeCrosswalk
{
  GObject parent_instance;

  char *path;
  char *dsa_source;
  char *convention_source;
  /* Category id -> Entry. */
  GHashTable *entries;
  /* Article number -> its title. */
  GHashTable *article_titles;
  /* In file order. */
  GStrv category_ids;
};

G_DEFINE_FINAL_TYPE (HavenNoticeCrosswalk, haven_notice_crosswalk, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-notice-crosswalk-error-quark, haven_notice_crosswalk_error)

static void
entry_free (Entry *entry)
{
  g_free (entry->statement_category);
  g_strfreev (entry->keywords);
  g_clear_pointer (&entry->articles, g_array_unref);
  g_strfreev (entry->taxonomy_terms);
  g_free (entry);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Entry, entry_free)

static void
haven_notice_crosswalk_finalize (GObject *object)
{
  HavenNoticeCrosswalk *self = HAVEN_NOTICE_CROSSWALK (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->dsa_source, g_free);
  g_clear_pointer (&self->convention_source, g_free);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->article_titles, g_hash_table_unref);
  g_clear_pointer (&self->category_ids, g_strfreev);

  G_OBJECT_CLASS (haven_notice_crosswalk_parent_class)->finalize (object);
}

static void
haven_notice_crosswalk_class_init (HavenNoticeCrosswalkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_notice_crosswalk_finalize;
}

static void
haven_notice_crosswalk_init (HavenNoticeCrosswalk *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) entry_free);
  self->article_titles = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
}

/* Every key of @group is one of @allowed, and every one of @allowed is
 * there: a misspelt key would otherwise be a value silently missing. */
static gboolean
check_keys (GKeyFile            *file,
            const char          *path,
            const char          *group,
            const char * const  *allowed,
            GError             **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (file, group, NULL, NULL);

  for (gsize i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      if (!g_strv_contains (allowed, keys[i]))
        {
          g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                       HAVEN_NOTICE_CROSSWALK_ERROR_UNKNOWN_KEY,
                       _("%s: [%s]: unknown key “%s”"), path, group, keys[i]);
          return FALSE;
        }
    }

  for (gsize i = 0; allowed[i] != NULL; i++)
    {
      if (!g_key_file_has_key (file, group, allowed[i], NULL))
        {
          g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                       HAVEN_NOTICE_CROSSWALK_ERROR_MISSING_KEY,
                       _("%s: [%s]: the key “%s” is missing"), path, group, allowed[i]);
          return FALSE;
        }
    }

  return TRUE;
}

/* A string value, with no surrounding space, that must not be empty. */
static char *
get_text (GKeyFile    *file,
          const char  *path,
          const char  *group,
          const char  *key,
          GError     **error)
{
  g_autofree char *value = g_key_file_get_string (file, group, key, NULL);

  if (value == NULL || g_strstrip (value)[0] == '\0')
    {
      g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                   HAVEN_NOTICE_CROSSWALK_ERROR_INVALID_VALUE,
                   _("%s: [%s] %s: the value is empty"), path, group, key);
      return NULL;
    }

  return g_steal_pointer (&value);
}

/* A list value, each item without surrounding space, none listed twice. An
 * empty value is an empty list. */
static GStrv
get_list (GKeyFile    *file,
          const char  *path,
          const char  *group,
          const char  *key,
          GError     **error)
{
  g_autofree char *value = g_key_file_get_value (file, group, key, NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) items = NULL;

  if (value == NULL)
    value = g_strdup ("");

  items = g_strsplit (value, ";", -1);
  for (gsize i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);

      /* The trailing ";" of a key file list, and an empty value. */
      if (item[0] == '\0' && items[i + 1] == NULL)
        break;

      if (!g_hash_table_add (seen, item))
        {
          g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                       HAVEN_NOTICE_CROSSWALK_ERROR_DUPLICATE_VALUE,
                       _("%s: [%s] %s: “%s” is listed twice"), path, group, key, item);
          return NULL;
        }
      g_strv_builder_add (builder, item);
    }

  return g_strv_builder_end (builder);
}

/* A code of the vocabulary as the Transparency Database writes its codes:
 * @prefix, then capital letters, digits and "_". */
static gboolean
is_code (const char *value,
         const char *prefix)
{
  if (!g_str_has_prefix (value, prefix) || value[strlen (prefix)] == '\0')
    return FALSE;

  for (const char *c = value; *c != '\0'; c++)
    {
      if (!g_ascii_isupper (*c) && !g_ascii_isdigit (*c) && *c != '_')
        return FALSE;
    }

  return TRUE;
}

static GStrv
get_vocabulary (GKeyFile    *file,
                const char  *path,
                const char  *key,
                const char  *prefix,
                GError     **error)
{
  g_auto(GStrv) codes = get_list (file, path, GROUP_VOCABULARY, key, error);

  if (codes == NULL)
    return NULL;

  if (codes[0] == NULL)
    {
      g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                   HAVEN_NOTICE_CROSSWALK_ERROR_INVALID_VALUE,
                   _("%s: [%s] %s: the value is empty"), path, GROUP_VOCABULARY, key);
      return NULL;
    }

  for (gsize i = 0; codes[i] != NULL; i++)
    {
      if (!is_code (codes[i], prefix))
        {
          g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                       HAVEN_NOTICE_CROSSWALK_ERROR_INVALID_VALUE,
                       _("%s: [%s] %s: “%s” is not a code that starts with %s"),
                       path, GROUP_VOCABULARY, key, codes[i], prefix);
          return NULL;
        }
    }

  return g_steal_pointer (&codes);
}

static gboolean
parse_article_number (const char *text,
                      guint      *number)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT, &value, NULL))
    return FALSE;

  *number = (guint) value;
  return TRUE;
}

static gboolean
read_articles (HavenNoticeCrosswalk  *self,
               GKeyFile              *file,
               GError               **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (file, GROUP_ARTICLES, NULL, NULL);

  for (gsize i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *title = NULL;
      guint number = 0;

      if (!parse_article_number (keys[i], &number))
        {
          g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                       HAVEN_NOTICE_CROSSWALK_ERROR_UNKNOWN_KEY,
                       _("%s: [%s]: “%s” is not an article number"),
                       self->path, GROUP_ARTICLES, keys[i]);
          return FALSE;
        }

      title = get_text (file, self->path, GROUP_ARTICLES, keys[i], error);
      if (title == NULL)
        return FALSE;

      g_hash_table_insert (self->article_titles, GUINT_TO_POINTER (number),
                           g_steal_pointer (&title));
    }

  return TRUE;
}

static Entry *
read_category (HavenNoticeCrosswalk  *self,
               GKeyFile              *file,
               const char            *group,
               const char * const    *statement_categories,
               const char * const    *keywords,
               GError               **error)
{
  g_autoptr(Entry) entry = g_new0 (Entry, 1);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) articles = NULL;

  if (!check_keys (file, self->path, group, category_keys, error))
    return NULL;

  articles = get_list (file, self->path, group, KEY_ARTICLES, error);
  if (articles == NULL)
    return NULL;
  entry->articles = g_array_new (FALSE, FALSE, sizeof (guint));
  for (gsize i = 0; articles[i] != NULL; i++)
    {
      guint number = 0;

      if (!parse_article_number (articles[i], &number))
        {
          g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                       HAVEN_NOTICE_CROSSWALK_ERROR_INVALID_VALUE,
                       _("%s: [%s] %s: “%s” is not an article number"),
                       self->path, group, KEY_ARTICLES, articles[i]);
          return NULL;
        }
      if (!g_hash_table_contains (self->article_titles, GUINT_TO_POINTER (number)))
        {
          g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                       HAVEN_NOTICE_CROSSWALK_ERROR_INVALID_VALUE,
                       _("%s: [%s] %s: Article %u is not in [%s]"),
                       self->path, group, KEY_ARTICLES, number, GROUP_ARTICLES);
          return NULL;
        }
      g_array_append_val (entry->articles, number);
    }

  entry->statement_category = get_text (file, self->path, group, KEY_STATEMENT_CATEGORY, error);
  if (entry->statement_category == NULL)
    return NULL;
  if (!g_strv_contains (statement_categories, entry->statement_category))
    {
      g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                   HAVEN_NOTICE_CROSSWALK_ERROR_NOT_IN_VOCABULARY,
                   _("%s: [%s] %s: “%s” is not a statement category of the DSA "
                     "Transparency Database ([%s] %s)"),
                   self->path, group, KEY_STATEMENT_CATEGORY, entry->statement_category,
                   GROUP_VOCABULARY, KEY_STATEMENT_CATEGORIES);
      return NULL;
    }

  entry->keywords = get_list (file, self->path, group, KEY_KEYWORDS, error);
  if (entry->keywords == NULL)
    return NULL;
  for (gsize i = 0; entry->keywords[i] != NULL; i++)
    {
      if (!g_strv_contains (keywords, entry->keywords[i]))
        {
          g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                       HAVEN_NOTICE_CROSSWALK_ERROR_NOT_IN_VOCABULARY,
                       _("%s: [%s] %s: “%s” is not a keyword of the DSA "
                         "Transparency Database ([%s] %s)"),
                       self->path, group, KEY_KEYWORDS, entry->keywords[i],
                       GROUP_VOCABULARY, KEY_KEYWORDS);
          return NULL;
        }
    }

  entry->taxonomy_terms = get_list (file, self->path, group, KEY_TAXONOMY_TERMS, error);
  if (entry->taxonomy_terms == NULL)
    return NULL;

  entry->child_abuse_material = g_key_file_get_boolean (file, group, KEY_CSAM, &local_error);
  if (local_error != NULL)
    {
      g_autofree char *value = g_key_file_get_value (file, group, KEY_CSAM, NULL);

      g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                   HAVEN_NOTICE_CROSSWALK_ERROR_INVALID_VALUE,
                   _("%s: [%s] %s: “%s” is neither true nor false"),
                   self->path, group, KEY_CSAM, value != NULL ? value : "");
      return NULL;
    }

  return g_steal_pointer (&entry);
}

/* Both lists hold the same terms, in any order. */
static gboolean
same_terms (const char * const *a,
            const char * const *b)
{
  if (g_strv_length ((GStrv) a) != g_strv_length ((GStrv) b))
    return FALSE;

  for (gsize i = 0; a[i] != NULL; i++)
    {
      if (!g_strv_contains (b, a[i]))
        return FALSE;
    }

  return TRUE;
}

/* Every category of the content has its entry, with the content's
 * taxonomy terms, and no entry is for a category the content lacks. */
static gboolean
check_against_content (HavenNoticeCrosswalk  *self,
                       HavenContent          *content,
                       GError               **error)
{
  GListModel *categories = haven_content_get_categories (content);
  guint n_categories = g_list_model_get_n_items (categories);

  for (guint i = 0; i < n_categories; i++)
    {
      g_autoptr(HavenCategory) category = g_list_model_get_item (categories, i);
      const char *id = haven_category_get_id (category);
      const char * const *terms = haven_category_get_taxonomy_terms (category);
      g_autofree char *group = g_strconcat (CATEGORY_PREFIX, id, NULL);
      Entry *entry = g_hash_table_lookup (self->entries, id);

      if (entry == NULL)
        {
          g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                       HAVEN_NOTICE_CROSSWALK_ERROR_MISSING_CATEGORY,
                       _("%s: the category “%s” of the content has no group [%s]"),
                       self->path, id, group);
          return FALSE;
        }

      if (!same_terms ((const char * const *) entry->taxonomy_terms, terms))
        {
          g_autofree char *ours = g_strjoinv (";", entry->taxonomy_terms);
          g_autofree char *theirs = g_strjoinv (";", (GStrv) terms);

          g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                       HAVEN_NOTICE_CROSSWALK_ERROR_TAXONOMY_MISMATCH,
                       _("%s: [%s] %s: “%s” differs from the category’s terms in "
                         "the content, “%s”"),
                       self->path, group, KEY_TAXONOMY_TERMS, ours, theirs);
          return FALSE;
        }

      if (entry->child_abuse_material && !haven_category_is_about_child (category))
        {
          g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                       HAVEN_NOTICE_CROSSWALK_ERROR_NOT_ABOUT_CHILD,
                       _("%s: [%s] %s: the content does not mark the category “%s” "
                         "as about a child"),
                       self->path, group, KEY_CSAM, id);
          return FALSE;
        }
    }

  for (gsize i = 0; self->category_ids[i] != NULL; i++)
    {
      if (haven_content_lookup_category (content, self->category_ids[i]) == NULL)
        {
          g_autofree char *group = g_strconcat (CATEGORY_PREFIX, self->category_ids[i], NULL);

          g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                       HAVEN_NOTICE_CROSSWALK_ERROR_UNKNOWN_CATEGORY,
                       _("%s: [%s]: the content has no category “%s”"),
                       self->path, group, self->category_ids[i]);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
require_group (GKeyFile    *file,
               const char  *path,
               const char  *group,
               GError     **error)
{
  if (g_key_file_has_group (file, group))
    return TRUE;

  g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
               HAVEN_NOTICE_CROSSWALK_ERROR_MISSING_GROUP,
               _("%s: the group [%s] is missing"), path, group);
  return FALSE;
}

/**
 * haven_notice_crosswalk_new_from_file:
 * @path: a crosswalk, a key file (data/notices/crosswalk.ini)
 * @content: the content whose categories it must cover
 *
 * Reads and checks the crosswalk: its groups and keys, its values against
 * its vocabulary and articles, and its categories and their taxonomy terms
 * against @content. Fails with the first problem, its message naming the
 * file, group and key.
 */
HavenNoticeCrosswalk *
haven_notice_crosswalk_new_from_file (const char    *path,
                                      HavenContent  *content,
                                      GError       **error)
{
  g_autoptr(HavenNoticeCrosswalk) self = NULL;
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_auto(GStrv) groups = NULL;
  g_auto(GStrv) statement_categories = NULL;
  g_auto(GStrv) keywords = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (HAVEN_IS_CONTENT (content), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HAVEN_TYPE_NOTICE_CROSSWALK, NULL);
  self->path = g_strdup (path);

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR, HAVEN_NOTICE_CROSSWALK_ERROR_FILE,
                   _("%s: cannot be read: %s"), path, local_error->message);
      return NULL;
    }

  groups = g_key_file_get_groups (file, NULL);
  for (gsize i = 0; groups[i] != NULL; i++)
    {
      const char *group = groups[i];

      if (g_str_equal (group, GROUP_SOURCES) || g_str_equal (group, GROUP_VOCABULARY)
          || g_str_equal (group, GROUP_ARTICLES))
        continue;

      if (!g_str_has_prefix (group, CATEGORY_PREFIX) || group[strlen (CATEGORY_PREFIX)] == '\0')
        {
          g_set_error (error, HAVEN_NOTICE_CROSSWALK_ERROR,
                       HAVEN_NOTICE_CROSSWALK_ERROR_UNKNOWN_GROUP,
                       _("%s: unknown group [%s]"), path, group);
          return NULL;
        }
    }

  if (!require_group (file, path, GROUP_SOURCES, error)
      || !check_keys (file, path, GROUP_SOURCES, sources_keys, error))
    return NULL;
  self->dsa_source = get_text (file, path, GROUP_SOURCES, sources_keys[0], error);
  if (self->dsa_source == NULL)
    return NULL;
  self->convention_source = get_text (file, path, GROUP_SOURCES, sources_keys[1], error);
  if (self->convention_source == NULL)
    return NULL;

  if (!require_group (file, path, GROUP_VOCABULARY, error)
      || !check_keys (file, path, GROUP_VOCABULARY, vocabulary_keys, error))
    return NULL;
  statement_categories = get_vocabulary (file, path, KEY_STATEMENT_CATEGORIES,
                                         "STATEMENT_CATEGORY_", error);
  if (statement_categories == NULL)
    return NULL;
  keywords = get_vocabulary (file, path, KEY_KEYWORDS, "KEYWORD_", error);
  if (keywords == NULL)
    return NULL;

  if (!require_group (file, path, GROUP_ARTICLES, error) || !read_articles (self, file, error))
    return NULL;

  for (gsize i = 0; groups[i] != NULL; i++)
    {
      const char *id;
      Entry *entry;

      if (!g_str_has_prefix (groups[i], CATEGORY_PREFIX))
        continue;

      id = groups[i] + strlen (CATEGORY_PREFIX);
      entry = read_category (self, file, groups[i],
                             (const char * const *) statement_categories,
                             (const char * const *) keywords, error);
      if (entry == NULL)
        return NULL;

      g_hash_table_insert (self->entries, g_strdup (id), entry);
      g_strv_builder_add (ids, id);
    }
  self->category_ids = g_strv_builder_end (ids);

  if (!check_against_content (self, content, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * haven_notice_crosswalk_dup_default_path:
 *
 * Returns: (transfer full): the crosswalk Haven ships, beside its other
 *   data (haven_paths_get_data_dir()), which a deployment may edit there
 */
char *
haven_notice_crosswalk_dup_default_path (void)
{
  return g_build_filename (haven_paths_get_data_dir (), "notices", "crosswalk.ini", NULL);
}

/**
 * haven_notice_crosswalk_load_default:
 * @content: (nullable): the content in use; %NULL to read the default
 *   content (haven_content_load_default())
 *
 * Reads the crosswalk at haven_notice_crosswalk_dup_default_path().
 */
HavenNoticeCrosswalk *
haven_notice_crosswalk_load_default (HavenContent  *content,
                                     GError       **error)
{
  g_autoptr(HavenContent) default_content = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (content == NULL || HAVEN_IS_CONTENT (content), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (content == NULL)
    {
      default_content = haven_content_load_default (NULL, error);
      if (default_content == NULL)
        return NULL;
      content = default_content;
    }

  path = haven_notice_crosswalk_dup_default_path ();
  return haven_notice_crosswalk_new_from_file (path, content, error);
}

const char *
haven_notice_crosswalk_get_path (HavenNoticeCrosswalk *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE_CROSSWALK (self), NULL);

  return self->path;
}

/* Returns: (transfer none): the ids of the categories, in file order. */
const char * const *
haven_notice_crosswalk_get_category_ids (HavenNoticeCrosswalk *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE_CROSSWALK (self), NULL);

  return (const char * const *) self->category_ids;
}

/* Returns: where the statement categories and keywords come from, as the
 * file says ([Sources] dsa-vocabulary). */
const char *
haven_notice_crosswalk_get_dsa_source (HavenNoticeCrosswalk *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE_CROSSWALK (self), NULL);

  return self->dsa_source;
}

/* Returns: which text of the Convention the articles come from ([Sources]
 * convention). */
const char *
haven_notice_crosswalk_get_convention_source (HavenNoticeCrosswalk *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE_CROSSWALK (self), NULL);

  return self->convention_source;
}

static Entry *
lookup (HavenNoticeCrosswalk *self,
        const char           *category_id)
{
  return g_hash_table_lookup (self->entries, category_id);
}

/* Returns: (nullable): the category's STATEMENT_CATEGORY_* value. */
const char *
haven_notice_crosswalk_get_statement_category (HavenNoticeCrosswalk *self,
                                               const char           *category_id)
{
  Entry *entry;

  g_return_val_if_fail (HAVEN_IS_NOTICE_CROSSWALK (self), NULL);
  g_return_val_if_fail (category_id != NULL, NULL);

  entry = lookup (self, category_id);
  return entry != NULL ? entry->statement_category : NULL;
}

/* Returns: (nullable) (transfer none): the category's KEYWORD_* values,
 *   NULL-terminated, possibly none. */
const char * const *
haven_notice_crosswalk_get_keywords (HavenNoticeCrosswalk *self,
                                     const char           *category_id)
{
  Entry *entry;

  g_return_val_if_fail (HAVEN_IS_NOTICE_CROSSWALK (self), NULL);
  g_return_val_if_fail (category_id != NULL, NULL);

  entry = lookup (self, category_id);
  return entry != NULL ? (const char * const *) entry->keywords : NULL;
}

/**
 * haven_notice_crosswalk_get_convention_articles:
 * @n_articles: (out) (optional): how many
 *
 * Returns: (nullable) (transfer none) (array length=n_articles): the
 *   numbers of the Convention's articles for the category, in file order;
 *   their titles from haven_notice_crosswalk_get_article_title()
 */
const guint *
haven_notice_crosswalk_get_convention_articles (HavenNoticeCrosswalk *self,
                                                const char           *category_id,
                                                gsize                *n_articles)
{
  Entry *entry;

  if (n_articles != NULL)
    *n_articles = 0;

  g_return_val_if_fail (HAVEN_IS_NOTICE_CROSSWALK (self), NULL);
  g_return_val_if_fail (category_id != NULL, NULL);

  entry = lookup (self, category_id);
  if (entry == NULL || entry->articles->len == 0)
    return NULL;

  if (n_articles != NULL)
    *n_articles = entry->articles->len;
  return (const guint *) (gpointer) entry->articles->data;
}

/* Returns: (nullable): the article's title in English, NULL for an article
 * the file does not list. */
const char *
haven_notice_crosswalk_get_article_title (HavenNoticeCrosswalk *self,
                                                     guint                 article)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE_CROSSWALK (self), NULL);

  return g_hash_table_lookup (self->article_titles, GUINT_TO_POINTER (article));
}

/* Returns: (nullable) (transfer none): the category's taxonomy terms, the
 *   same as the content's. */
const char * const *
haven_notice_crosswalk_get_taxonomy_terms (HavenNoticeCrosswalk *self,
                                           const char           *category_id)
{
  Entry *entry;

  g_return_val_if_fail (HAVEN_IS_NOTICE_CROSSWALK (self), NULL);
  g_return_val_if_fail (category_id != NULL, NULL);

  entry = lookup (self, category_id);
  return entry != NULL ? (const char * const *) entry->taxonomy_terms : NULL;
}

/* Returns: whether the category's content is child sexual abuse material:
 * reported to a hotline too, and the notifier may stay unnamed (DSA
 * Article 16(2)(c)). */
gboolean
haven_notice_crosswalk_is_child_abuse_material (HavenNoticeCrosswalk *self,
                                                const char           *category_id)
{
  Entry *entry;

  g_return_val_if_fail (HAVEN_IS_NOTICE_CROSSWALK (self), FALSE);
  g_return_val_if_fail (category_id != NULL, FALSE);

  entry = lookup (self, category_id);
  return entry != NULL && entry->child_abuse_material;
}
