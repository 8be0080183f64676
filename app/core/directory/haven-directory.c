/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-directory"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-category-mapping.h"
#include "haven-directory-private.h"
#include "haven-paths.h"
#include "haven-schedule.h"

/* The service directory the kiosk searches: a database written by
 * HavenDirectoryImporter, opened read-only.
 *
 * Searching must stay quick on a directory of 100,000 services, whatever
 * the visitor types and whichever filters are on. The full-text index
 * answers the text; everything the filters and the ranking need (the
 * categories, areas, languages, flags and opening hours of every service)
 * is in memory, so a search never asks the database a question per
 * candidate. Only the services shown are read from the database.
 *
 * Opening must be quick too: `havenctl directory search` opens the
 * directory for one search, and every kiosk holds what it read for its
 * whole life. The importer works all of that out once and stores it as a
 * few arrays (haven-directory-layout.h), which opening reads in one go,
 * about 7 MB for 100,000 services; reading it from the tables row by row
 * and parsing every schedule took 200 ms and 20 MB. A schedule is made
 * from its stored rows when a search first needs it.
 *
 * The mapping from taxonomy terms to Haven's categories is read from
 * categories.ini when the directory is opened, so a deployment that edits
 * it needs no new import.
 *
 * Searching is in haven-directory-search.c. */

G_DEFINE_FINAL_TYPE (HavenDirectory, haven_directory, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-directory-error-quark, haven_directory_error)

G_DEFINE_BOXED_TYPE (HavenDirectoryQuery, haven_directory_query,
                     haven_directory_query_copy, haven_directory_query_free)

HavenDirectoryQuery *
haven_directory_query_new (void)
{
  return g_new0 (HavenDirectoryQuery, 1);
}

HavenDirectoryQuery *
haven_directory_query_copy (const HavenDirectoryQuery *query)
{
  HavenDirectoryQuery *copy;

  g_return_val_if_fail (query != NULL, NULL);

  copy = g_memdup2 (query, sizeof *query);
  copy->text = g_strdup (query->text);
  copy->category = g_strdup (query->category);
  copy->region = g_strdup (query->region);
  copy->language = g_strdup (query->language);
  copy->display_language = g_strdup (query->display_language);
  copy->at = query->at != NULL ? g_date_time_ref (query->at) : NULL;

  return copy;
}

void
haven_directory_query_free (HavenDirectoryQuery *query)
{
  if (query == NULL)
    return;

  g_free (query->text);
  g_free (query->category);
  g_free (query->region);
  g_free (query->language);
  g_free (query->display_language);
  g_clear_pointer (&query->at, g_date_time_unref);
  g_free (query);
}

void
haven_directory_stats_free (HavenDirectoryStats *stats)
{
  if (stats == NULL)
    return;

  g_free (stats->imported_at);
  g_free (stats->source);
  g_free (stats->format);
  g_free (stats->categories_file);
  g_free (stats);
}

static void
haven_directory_finalize (GObject *object)
{
  HavenDirectory *self = HAVEN_DIRECTORY (object);

  g_clear_pointer (&self->match, sqlite3_finalize);
  g_clear_pointer (&self->details, sqlite3_finalize);
  g_clear_pointer (&self->words, sqlite3_finalize);
  if (self->tokenizer != NULL)
    self->tokenizer_class.xDelete (self->tokenizer);
  self->tokenizer = NULL;
  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->facets, g_array_unref);
  g_clear_pointer (&self->schedules, g_ptr_array_unref);
  g_clear_pointer (&self->service_ids, g_array_unref);
  g_clear_pointer (&self->numbers, g_array_unref);
  g_clear_pointer (&self->region_ids, g_array_unref);
  g_clear_pointer (&self->language_ids, g_array_unref);
  g_clear_pointer (&self->region_codes, g_hash_table_unref);
  g_clear_pointer (&self->region_starts, g_array_unref);
  g_clear_pointer (&self->region_services, g_array_unref);
  g_clear_pointer (&self->language_codes, g_hash_table_unref);
  g_clear_pointer (&self->partitions, g_hash_table_unref);
  g_clear_pointer (&self->schedule_starts, g_array_unref);
  g_clear_pointer (&self->schedule_rows, g_array_unref);
  g_clear_pointer (&self->schedule_rules, g_ptr_array_unref);
  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_free (self->path);
  g_free (self->categories_path);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (haven_directory_parent_class)->finalize (object);
}

static void
haven_directory_class_init (HavenDirectoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_directory_finalize;
}

static void
schedule_free (gpointer data)
{
  if (data != NULL)
    haven_schedule_unref (data);
}

static void
haven_directory_init (HavenDirectory *self)
{
  g_mutex_init (&self->lock);
  self->zone = g_time_zone_new_local ();
  /* Index 0 is no schedule. */
  self->schedules = g_ptr_array_new_with_free_func (schedule_free);
  g_ptr_array_add (self->schedules, NULL);
  self->numbers = g_array_new (FALSE, TRUE, sizeof (guint32));
  self->region_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->language_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->partitions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->schedule_rules = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_schedule_rule_unref);
}

/**
 * haven_directory_get_default_path:
 * @settings: (nullable): settings of the `io.github.havenkiosk.Haven`
 *   schema, or %NULL where they cannot be had
 *
 * Returns: (transfer full): the directory of the bundle in use
 *   (haven_paths_dup_bundle_file()), else the setting directory-file, or
 *   directory.sqlite in Haven's data folder when it is empty
 */
char *
haven_directory_get_default_path (GSettings *settings)
{
  g_autofree char *configured = NULL;
  g_autofree char *from_bundle = NULL;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  /* The organisation's signed bundle, once one is in use, comes first. */
  from_bundle = haven_paths_dup_bundle_file (settings, "directory.sqlite");
  if (from_bundle != NULL)
    return g_steal_pointer (&from_bundle);

  if (settings != NULL)
    configured = g_settings_get_string (settings, "directory-file");
  if (configured != NULL && configured[0] != '\0')
    return g_steal_pointer (&configured);

  return g_build_filename (g_get_user_data_dir (), "haven", "directory.sqlite", NULL);
}

/**
 * haven_directory_open_configured:
 * @settings: (nullable): the kiosk's settings, or %NULL for the defaults
 * @path: (nullable): the database to open instead of the setting
 *   directory-file
 * @time_zone: (nullable): an IANA time zone instead of the setting
 *   time-zone (empty for the system's)
 *
 * Opens the directory as the kiosk uses it, with the category mapping
 * Haven ships and the kiosk's time zone, for "open now": the kiosk's
 * referrals, its operator screen and havenctl all open it this way.
 *
 * Returns: (transfer full): the directory, or %NULL with @error set, also
 *   when the time zone is one this system does not know
 */
HavenDirectory *
haven_directory_open_configured (GSettings   *settings,
                                 const char  *path,
                                 const char  *time_zone,
                                 GError     **error)
{
  g_autofree char *default_path = NULL;
  g_autofree char *configured_zone = NULL;
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(HavenDirectory) directory = NULL;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (path == NULL)
    path = default_path = haven_directory_get_default_path (settings);
  if (time_zone == NULL && settings != NULL)
    time_zone = configured_zone = g_settings_get_string (settings, "time-zone");

  zone = haven_schedule_get_zone (time_zone, error);
  if (zone == NULL)
    return NULL;

  directory = haven_directory_open (path, NULL, error);
  if (directory == NULL)
    return NULL;

  haven_directory_set_time_zone (directory, zone);
  return g_steal_pointer (&directory);
}

/* ISO 639-2 and 639-3 codes of languages that also have a two-letter code,
 * so that "spa" and "es" meet. Only the languages a directory of help
 * services is likely to list; others stay as they are. */
static const char *const three_letter_languages[][2] = {
  { "alb", "sq" }, { "amh", "am" }, { "ara", "ar" }, { "ben", "bn" }, { "bul", "bg" },
  { "ces", "cs" }, { "chi", "zh" }, { "cmn", "zh" }, { "cym", "cy" }, { "cze", "cs" },
  { "dan", "da" }, { "deu", "de" }, { "dut", "nl" }, { "ell", "el" }, { "eng", "en" },
  { "fas", "fa" }, { "fin", "fi" }, { "fra", "fr" }, { "fre", "fr" }, { "ger", "de" },
  { "gre", "el" }, { "guj", "gu" }, { "heb", "he" }, { "hin", "hi" }, { "hrv", "hr" },
  { "hun", "hu" }, { "ita", "it" }, { "jpn", "ja" }, { "kor", "ko" }, { "kur", "ku" },
  { "lav", "lv" }, { "lit", "lt" }, { "nld", "nl" }, { "nor", "no" }, { "pan", "pa" },
  { "per", "fa" }, { "pol", "pl" }, { "por", "pt" }, { "pus", "ps" }, { "ron", "ro" },
  { "rum", "ro" }, { "rus", "ru" }, { "slk", "sk" }, { "slo", "sk" }, { "slv", "sl" },
  { "som", "so" }, { "spa", "es" }, { "sqi", "sq" }, { "srp", "sr" }, { "swa", "sw" },
  { "swe", "sv" }, { "tam", "ta" }, { "tha", "th" }, { "tir", "ti" }, { "tur", "tr" },
  { "ukr", "uk" }, { "urd", "ur" }, { "vie", "vi" }, { "wel", "cy" }, { "zho", "zh" },
};

/**
 * haven_directory_normalise_language:
 * @code: an ISO 639 code or a locale: "en", "eng", "en-GB", "zh_CN"
 *
 * Returns: (transfer full) (nullable): the form languages are compared in
 *   (the primary subtag, two letters where ISO 639-1 has them), or %NULL
 *   when @code is not a language code
 */
char *
haven_directory_normalise_language (const char *code)
{
  g_autofree char *lower = NULL;
  gsize length;

  g_return_val_if_fail (code != NULL, NULL);

  lower = g_ascii_strdown (code, -1);
  g_strstrip (lower);
  length = strcspn (lower, "-_.@");
  lower[length] = '\0';

  if (length < 2 || length > 3)
    return NULL;
  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isalpha (lower[i]))
        return NULL;
    }

  if (length == 3)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (three_letter_languages); i++)
        {
          if (g_str_equal (lower, three_letter_languages[i][0]))
            return g_strdup (three_letter_languages[i][1]);
        }
    }

  return g_steal_pointer (&lower);
}
gboolean
haven_directory_database_error (HavenDirectory  *self,
                                GError         **error)
{
  g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_CORRUPT,
               _("The service directory %s cannot be read: %s"), self->path,
               sqlite3_errmsg (self->db));
  return FALSE;
}

/* Reads the blob @name of search_data (haven-directory-layout.h) into a
 * new array of @element_size elements, in one go: sqlite3_blob_read()
 * copies the pages straight into it. */
static GArray *
read_search_data (HavenDirectory  *self,
                  const char      *name,
                  guint            element_size,
                  GError         **error)
{
  g_autoptr(GArray) array = g_array_new (FALSE, TRUE, element_size);
  sqlite3_stmt *statement = NULL;
  sqlite3_blob *blob = NULL;
  gint64 rowid = 0, size = -1;
  int status;

  if (sqlite3_prepare_v2 (self->db, "SELECT rowid, length (data) FROM search_data WHERE name = ?",
                          -1, &statement, NULL) != SQLITE_OK)
    return haven_directory_database_error (self, error), NULL;
  sqlite3_bind_text (statement, 1, name, -1, SQLITE_STATIC);
  if ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      rowid = sqlite3_column_int64 (statement, 0);
      size = sqlite3_column_int64 (statement, 1);
    }
  sqlite3_finalize (statement);
  if (status != SQLITE_ROW && status != SQLITE_DONE)
    return haven_directory_database_error (self, error), NULL;

  if (size < 0 || size % element_size != 0 || size / element_size > G_MAXUINT32)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_CORRUPT,
                   _("The service directory %s is damaged; import it again"), self->path);
      return NULL;
    }

  g_array_set_size (array, size / element_size);
  if (size > 0 &&
      (sqlite3_blob_open (self->db, "main", "search_data", "data", rowid, 0, &blob) != SQLITE_OK ||
       sqlite3_blob_read (blob, array->data, size, 0) != SQLITE_OK))
    {
      haven_directory_database_error (self, error);
      sqlite3_blob_close (blob);
      return NULL;
    }
  sqlite3_blob_close (blob);

  return g_steal_pointer (&array);
}

/* Reads a table of codes (region_codes, language_codes) into @codes,
 * code -> id; returns the last id. */
static gboolean
load_code_table (HavenDirectory  *self,
                 const char      *sql,
                 GHashTable      *codes,
                 guint           *n_codes,
                 GError         **error)
{
  sqlite3_stmt *statement = NULL;
  int status;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &statement, NULL) != SQLITE_OK)
    return haven_directory_database_error (self, error);

  *n_codes = 0;
  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (statement, 0);
      const char *code = (const char *) sqlite3_column_text (statement, 1);

      /* Numbered from 1 without gaps, as the facets point to them. */
      if (id != *n_codes + 1 || id > G_MAXUINT16 || code == NULL)
        break;
      g_hash_table_insert (codes, g_strdup (code), GUINT_TO_POINTER ((guint) id));
      (*n_codes)++;
    }
  sqlite3_finalize (statement);
  if (status == SQLITE_ROW)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_CORRUPT,
                   _("The service directory %s is damaged; import it again"), self->path);
      return FALSE;
    }
  if (status != SQLITE_DONE)
    return haven_directory_database_error (self, error);

  return TRUE;
}

/* The categories of each term, from categories.ini, into @specific and
 * @general, by terms.id. */
static gboolean
map_terms (HavenDirectory  *self,
           GArray          *specific,
           GArray          *general,
           GError         **error)
{
  g_autoptr(HavenCategoryMapping) mapping = NULL;
  g_autoptr(GError) mapping_error = NULL;
  sqlite3_stmt *statement = NULL;
  int status;

  mapping = haven_category_mapping_new_from_file (self->categories_path, &mapping_error);
  if (mapping == NULL)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_NOT_FOUND,
                   _("The category mapping %s cannot be read: %s"), self->categories_path,
                   mapping_error->message);
      return FALSE;
    }

  if (sqlite3_prepare_v2 (self->db, "SELECT id, taxonomy, code FROM terms", -1, &statement, NULL)
      != SQLITE_OK)
    return haven_directory_database_error (self, error);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (statement, 0);
      const char *taxonomy = (const char *) sqlite3_column_text (statement, 1);
      const char *code = (const char *) sqlite3_column_text (statement, 2);
      guint16 term_specific, term_general;

      if (id <= 0 || id > G_MAXINT32 || code == NULL)
        continue;

      haven_category_mapping_map_term (mapping, taxonomy, code, &term_specific, &term_general);
      if (id >= specific->len)
        {
          g_array_set_size (specific, id + 1);
          g_array_set_size (general, id + 1);
        }
      g_array_index (specific, guint16, id) = term_specific;
      g_array_index (general, guint16, id) = term_general;

      self->n_terms++;
      if (term_specific != 0 || term_general != 0)
        self->n_mapped_terms++;
    }
  sqlite3_finalize (statement);
  if (status != SQLITE_DONE)
    return haven_directory_database_error (self, error);

  return TRUE;
}

/* The categories each distinct set of terms maps to: a service's are
 * those of all its terms. */
static gboolean
map_term_sets (HavenDirectory  *self,
               GArray         **set_specific,
               GArray         **set_general,
               GError         **error)
{
  g_autoptr(GArray) specific = g_array_new (FALSE, TRUE, sizeof (guint16));
  g_autoptr(GArray) general = g_array_new (FALSE, TRUE, sizeof (guint16));
  g_autoptr(GArray) starts = NULL;
  g_autoptr(GArray) terms = NULL;

  if (!map_terms (self, specific, general, error) ||
      (starts = read_search_data (self, SEARCH_DATA_TERM_SET_STARTS, sizeof (guint32),
                                  error)) == NULL ||
      (terms = read_search_data (self, SEARCH_DATA_TERM_SET_TERMS, sizeof (guint32),
                                 error)) == NULL)
    return FALSE;
  haven_layout_swap_32 ((guint32 *) (void *) starts->data, starts->len);
  haven_layout_swap_32 ((guint32 *) (void *) terms->data, terms->len);

  if (starts->len < 1)
    goto damaged;

  *set_specific = g_array_sized_new (FALSE, TRUE, sizeof (guint16), starts->len - 1);
  *set_general = g_array_sized_new (FALSE, TRUE, sizeof (guint16), starts->len - 1);
  g_array_set_size (*set_specific, starts->len - 1);
  g_array_set_size (*set_general, starts->len - 1);
  for (guint set = 0; set + 1 < starts->len; set++)
    {
      guint32 first = g_array_index (starts, guint32, set);
      guint32 end = g_array_index (starts, guint32, set + 1);

      if (first > end || end > terms->len)
        goto damaged;
      for (guint32 i = first; i < end; i++)
        {
          guint32 term = g_array_index (terms, guint32, i);

          /* A term the mapping never saw maps to nothing, as before. */
          if (term == 0 || term >= specific->len)
            continue;
          g_array_index (*set_specific, guint16, set) |= g_array_index (specific, guint16, term);
          g_array_index (*set_general, guint16, set) |= g_array_index (general, guint16, term);
        }
    }

  return TRUE;

damaged:
  g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_CORRUPT,
               _("The service directory %s is damaged; import it again"), self->path);
  return FALSE;
}

static gboolean
load_partitions (HavenDirectory  *self,
                 GError         **error)
{
  sqlite3_stmt *statement = NULL;
  int status;

  if (sqlite3_prepare_v2 (self->db, "SELECT id, code FROM partitions", -1, &statement, NULL)
      != SQLITE_OK)
    return haven_directory_database_error (self, error);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (statement, 0);
      const char *code = (const char *) sqlite3_column_text (statement, 1);

      if (id > 0 && id <= G_MAXINT32 && code != NULL)
        g_hash_table_insert (self->partitions, g_strdup (code), GINT_TO_POINTER ((int) id));
    }
  sqlite3_finalize (statement);
  if (status != SQLITE_DONE)
    return haven_directory_database_error (self, error);

  return TRUE;
}

/* The rules the schedules' rows name, numbered from 1 without gaps. */
static gboolean
load_schedule_rules (HavenDirectory  *self,
                     GError         **error)
{
  sqlite3_stmt *statement = NULL;
  int status;

  if (sqlite3_prepare_v2 (self->db, "SELECT id, rule, start FROM schedule_rules ORDER BY id", -1,
                          &statement, NULL) != SQLITE_OK)
    return haven_directory_database_error (self, error);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (statement, 0);
      const char *rule = (const char *) sqlite3_column_text (statement, 1);
      gint64 start = sqlite3_column_int64 (statement, 2);

      if (id != self->schedule_rules->len + 1 || rule == NULL || start < 0 ||
          start > G_MAXUINT32)
        break;
      g_ptr_array_add (self->schedule_rules, haven_schedule_rule_new (rule, start));
    }
  sqlite3_finalize (statement);
  if (status == SQLITE_ROW)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_CORRUPT,
                   _("The service directory %s is damaged; import it again"), self->path);
      return FALSE;
    }
  if (status != SQLITE_DONE)
    return haven_directory_database_error (self, error);

  return TRUE;
}

/* Reads what searches need (haven-directory-layout.h), and checks that
 * every index in it points inside what it indexes: a damaged file must
 * fail here, not make a search read out of bounds. Schedules are made
 * from their rows only when a search first needs them
 * (haven-directory-search.c): most are never asked about in the life of
 * a process, and each row is checked then. */
static gboolean
load_search_data (HavenDirectory  *self,
                  GError         **error)
{
  g_autoptr(GArray) set_specific = NULL;
  g_autoptr(GArray) set_general = NULL;
  guint n_services, n_regions, n_languages, n_schedules;
  gboolean valid = TRUE;

  if ((self->facets = read_search_data (self, SEARCH_DATA_FACETS, sizeof (Facets),
                                        error)) == NULL ||
      (self->service_ids = read_search_data (self, SEARCH_DATA_SERVICE_IDS, sizeof (guint32),
                                             error)) == NULL ||
      (self->region_ids = read_search_data (self, SEARCH_DATA_REGION_IDS, sizeof (guint16),
                                            error)) == NULL ||
      (self->language_ids = read_search_data (self, SEARCH_DATA_LANGUAGE_IDS, sizeof (guint16),
                                              error)) == NULL ||
      (self->region_starts = read_search_data (self, SEARCH_DATA_REGION_STARTS,
                                               sizeof (guint32), error)) == NULL ||
      (self->region_services = read_search_data (self, SEARCH_DATA_REGION_SERVICES,
                                                 sizeof (guint32), error)) == NULL ||
      !load_code_table (self, "SELECT id, code FROM region_codes ORDER BY id",
                        self->region_codes, &n_regions, error) ||
      !load_code_table (self, "SELECT id, code FROM language_codes ORDER BY id",
                        self->language_codes, &n_languages, error) ||
      (self->schedule_starts = read_search_data (self, SEARCH_DATA_SCHEDULE_STARTS,
                                                 sizeof (guint32), error)) == NULL ||
      (self->schedule_rows = read_search_data (self, SEARCH_DATA_SCHEDULE_ROWS,
                                               sizeof (HavenScheduleStoredRow),
                                               error)) == NULL ||
      !load_schedule_rules (self, error) ||
      !map_term_sets (self, &set_specific, &set_general, error))
    return FALSE;

  haven_layout_swap_facets ((Facets *) (void *) self->facets->data, self->facets->len);
  haven_layout_swap_32 ((guint32 *) (void *) self->service_ids->data, self->service_ids->len);
  haven_layout_swap_16 ((guint16 *) (void *) self->region_ids->data, self->region_ids->len);
  haven_layout_swap_16 ((guint16 *) (void *) self->language_ids->data, self->language_ids->len);
  haven_layout_swap_32 ((guint32 *) (void *) self->region_starts->data, self->region_starts->len);
  haven_layout_swap_32 ((guint32 *) (void *) self->region_services->data,
                        self->region_services->len);
  haven_layout_swap_32 ((guint32 *) (void *) self->schedule_starts->data,
                        self->schedule_starts->len);
  haven_layout_swap_32 ((guint32 *) (void *) self->schedule_rows->data,
                        self->schedule_rows->len * 6);

  n_services = self->facets->len > 0 ? self->facets->len - 1 : 0;
  n_schedules = MAX (self->schedule_starts->len, 2) - 2;
  valid = self->facets->len > 0 && self->service_ids->len == self->facets->len &&
          self->region_starts->len == n_regions + 2 && self->schedule_starts->len >= 2;

  /* Place -> services.id, and back: the full-text index holds
   * services.id. Each service has exactly one place. */
  g_array_set_size (self->numbers, self->facets->len);
  for (guint place = 1; valid && place <= n_services; place++)
    {
      Facets *facets = &g_array_index (self->facets, Facets, place);
      guint32 service = g_array_index (self->service_ids, guint32, place);

      valid = service >= 1 && service <= n_services &&
              g_array_index (self->numbers, guint32, service) == 0 &&
              facets->schedule <= n_schedules &&
              facets->term_set < set_specific->len &&
              (gsize) facets->regions + facets->n_regions <= self->region_ids->len &&
              (gsize) facets->languages + facets->n_languages <= self->language_ids->len;
      if (!valid)
        break;
      g_array_index (self->numbers, guint32, service) = place;

      facets->categories_specific = g_array_index (set_specific, guint16, facets->term_set);
      facets->categories_general = g_array_index (set_general, guint16, facets->term_set);
      if (facets->schedule != 0)
        self->n_with_hours++;
    }

  for (guint i = 0; valid && i < self->region_ids->len; i++)
    valid = g_array_index (self->region_ids, guint16, i) <= n_regions;
  for (guint i = 0; valid && i < self->language_ids->len; i++)
    valid = g_array_index (self->language_ids, guint16, i) <= n_languages;
  for (guint i = 0; valid && i + 1 < self->region_starts->len; i++)
    valid = g_array_index (self->region_starts, guint32, i) <=
              g_array_index (self->region_starts, guint32, i + 1) &&
            g_array_index (self->region_starts, guint32, i + 1) <= self->region_services->len;
  for (guint i = 0; valid && i + 1 < self->schedule_starts->len; i++)
    valid = g_array_index (self->schedule_starts, guint32, i) <=
              g_array_index (self->schedule_starts, guint32, i + 1) &&
            g_array_index (self->schedule_starts, guint32, i + 1) <= self->schedule_rows->len;
  for (guint i = 0; valid && i < self->region_services->len; i++)
    {
      guint32 place = g_array_index (self->region_services, guint32, i);

      valid = place >= 1 && place <= n_services;
    }

  if (!valid)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_CORRUPT,
                   _("The service directory %s is damaged; import it again"), self->path);
      return FALSE;
    }

  /* Index 0 is no schedule; the others are made when first needed. */
  g_ptr_array_set_size (self->schedules, n_schedules + 1);

  return TRUE;
}

/**
 * haven_directory_open:
 * @path: a database written by HavenDirectoryImporter
 * @categories_path: (nullable): the category mapping; %NULL for
 *   haven_paths_dup_directory_mapping()
 *
 * Opens the directory read-only and reads what searches need.
 */
HavenDirectory *
haven_directory_open (const char  *path,
                      const char  *categories_path,
                      GError     **error)
{
  g_autoptr(HavenDirectory) self = NULL;
  g_autoptr(GError) uri_error = NULL;
  g_autofree char *file_uri = NULL;
  g_autofree char *uri = NULL;
  sqlite3_stmt *statement = NULL;
  int version = -1;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HAVEN_TYPE_DIRECTORY, NULL);
  self->path = g_strdup (path);
  self->categories_path = categories_path != NULL ? g_strdup (categories_path)
                                                  : haven_paths_dup_directory_mapping ();

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_NOT_FOUND,
                   _("There is no service directory at %s; import one with “havenctl directory "
                     "import”"),
                   path);
      return NULL;
    }

  /* The importer never changes a database once it is in place, it renames
   * a new one over it: "immutable" lets SQLite skip all locking. */
  file_uri = g_filename_to_uri (path, NULL, &uri_error);
  if (file_uri == NULL)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_NOT_FOUND,
                   _("The service directory %s cannot be opened: %s"), path, uri_error->message);
      return NULL;
    }
  uri = g_strconcat (file_uri, "?immutable=1", NULL);

  if (sqlite3_open_v2 (uri, &self->db,
                       SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      haven_directory_database_error (self, error);
      return NULL;
    }

  /* Searches read the same index pages again and again: mapped, they cost
   * no copy, and the kernel shares and evicts them like any cached file. */
  sqlite3_exec (self->db, "PRAGMA mmap_size = 1073741824", NULL, NULL, NULL);

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &statement, NULL) == SQLITE_OK &&
      sqlite3_step (statement) == SQLITE_ROW)
    version = sqlite3_column_int (statement, 0);
  sqlite3_finalize (statement);

  if (version <= 0)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_CORRUPT,
                   _("%s is not a Haven service directory; import one with “havenctl directory "
                     "import”"),
                   path);
      return NULL;
    }
  if (version != HAVEN_DIRECTORY_SCHEMA_VERSION)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_OLD_SCHEMA,
                   _("The service directory %s was written by another version of Haven (layout "
                     "%d, this version reads %d); import the directory again"),
                   path, version, HAVEN_DIRECTORY_SCHEMA_VERSION);
      return NULL;
    }

  if (!load_search_data (self, error) ||
      !load_partitions (self, error))
    return NULL;
  if (!haven_directory_prepare_search (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * haven_directory_set_time_zone:
 * @zone: the kiosk's time zone, for "open now" and today's hours
 */
void
haven_directory_set_time_zone (HavenDirectory *self,
                               GTimeZone      *zone)
{
  g_return_if_fail (HAVEN_IS_DIRECTORY (self));
  g_return_if_fail (zone != NULL);

  g_time_zone_unref (self->zone);
  self->zone = g_time_zone_ref (zone);
}

GTimeZone *
haven_directory_get_time_zone (HavenDirectory *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY (self), NULL);

  return self->zone;
}

const char *
haven_directory_get_path (HavenDirectory *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY (self), NULL);

  return self->path;
}

guint
haven_directory_get_n_services (HavenDirectory *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY (self), 0);

  return self->facets->len - 1;
}


static guint
count (HavenDirectory *self,
       const char     *sql)
{
  sqlite3_stmt *statement = NULL;
  guint result = 0;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &statement, NULL) == SQLITE_OK &&
      sqlite3_step (statement) == SQLITE_ROW)
    result = sqlite3_column_int (statement, 0);
  sqlite3_finalize (statement);

  return result;
}

static char *
meta (HavenDirectory *self,
      const char     *key)
{
  sqlite3_stmt *statement = NULL;
  char *result = NULL;

  if (sqlite3_prepare_v2 (self->db, "SELECT value FROM meta WHERE key = ?", -1, &statement, NULL)
      == SQLITE_OK)
    {
      sqlite3_bind_text (statement, 1, key, -1, SQLITE_STATIC);
      if (sqlite3_step (statement) == SQLITE_ROW)
        result = g_strdup ((const char *) sqlite3_column_text (statement, 0));
    }
  sqlite3_finalize (statement);

  return result;
}

char *
haven_directory_dup_configured_version (GSettings *settings)
{
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(HavenDirectoryStats) stats = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  /* Opened afresh: an import may have replaced it since it was last. */
  directory = haven_directory_open_configured (settings, NULL, NULL, NULL);
  if (directory != NULL)
    stats = haven_directory_get_stats (directory, NULL);

  return stats != NULL ? g_strdup (stats->imported_at) : NULL;
}

/**
 * haven_directory_judge_age:
 * @settings: (nullable): the kiosk's settings, for directory-max-age
 * @imported_at: (nullable): when the directory in use was imported or
 *   synced, as its stats (and the status report's directory_version) say
 * @age: (out): how long ago that was
 * @too_old: (out) (optional): whether that is longer than the setting
 *   directory-max-age allows (never when it is 0, or there are no settings)
 *
 * For the operator screen, havenctl and the status report, which have the
 * time from the directory they opened already; a visitor is never told.
 *
 * Returns: %FALSE when @imported_at is not a time
 */
gboolean
haven_directory_judge_age (GSettings  *settings,
                           const char *imported_at,
                           GTimeSpan  *age,
                           gboolean   *too_old)
{
  g_autoptr(GDateTime) made = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GSettingsSchema) schema = NULL;
  guint max_days = 0;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), FALSE);
  g_return_val_if_fail (age != NULL, FALSE);

  if (too_old != NULL)
    *too_old = FALSE;
  if (imported_at != NULL)
    made = g_date_time_new_from_iso8601 (imported_at, NULL);
  if (made == NULL)
    return FALSE;

  *age = MAX (0, g_date_time_difference (now, made));
  if (settings != NULL)
    g_object_get (settings, "settings-schema", &schema, NULL);
  if (schema != NULL && g_settings_schema_has_key (schema, "directory-max-age"))
    max_days = g_settings_get_uint (settings, "directory-max-age");
  if (too_old != NULL)
    *too_old = max_days > 0 && *age > (GTimeSpan) max_days * G_TIME_SPAN_DAY;
  return TRUE;
}

/**
 * haven_directory_get_stats:
 *
 * Returns: (transfer full): what the directory holds, for operators
 */
HavenDirectoryStats *
haven_directory_get_stats (HavenDirectory  *self,
                           GError         **error)
{
  HavenDirectoryStats *stats;

  g_return_val_if_fail (HAVEN_IS_DIRECTORY (self), NULL);

  stats = g_new0 (HavenDirectoryStats, 1);

  g_mutex_lock (&self->lock);
  stats->schema_version = HAVEN_DIRECTORY_SCHEMA_VERSION;
  stats->n_services = self->facets->len - 1;
  stats->n_organizations = count (self, "SELECT COUNT(*) FROM organizations");
  stats->n_languages = g_hash_table_size (self->language_codes);
  stats->n_regions = count (self, "SELECT COUNT(*) FROM region_codes WHERE code != '*'");
  stats->n_terms = self->n_terms;
  stats->n_mapped_terms = self->n_mapped_terms;
  stats->n_with_hours = self->n_with_hours;
  stats->imported_at = meta (self, "imported_at");
  stats->source = meta (self, "source");
  stats->format = meta (self, "format");
  stats->categories_file = g_strdup (self->categories_path);
  g_mutex_unlock (&self->lock);

  return stats;
}
