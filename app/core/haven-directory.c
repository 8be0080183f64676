/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-directory"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <sqlite3.h>

#include "haven-directory.h"
#include "haven-paths.h"
#include "haven-schedule.h"
#include "haven-search-text.h"

/* The service directory the kiosk searches: a database written by
 * HavenDirectoryImporter, opened read-only.
 *
 * Searching must stay quick on a directory of 100,000 services, whatever
 * the visitor types and whichever filters are on. The full-text index
 * answers the text; everything the filters and the ranking need (the
 * categories, areas, languages, flags and opening hours of every service)
 * is read into memory once when the directory is opened, a few MB, so a
 * search never asks the database a question per candidate. Only the
 * services shown are read from the database.
 *
 * The mapping from taxonomy terms to Haven's categories is read from
 * categories.ini when the directory is opened, so a deployment that edits
 * it needs no new import.
 *
 * A visitor's first letters can match most of a directory ("su" of
 * "support"), yet the kiosk shows at most 50 services, all from its own
 * region or for anywhere. So the full-text index is numbered by area
 * (haven-directory-writer.c), and a search reads only the rowid ranges of
 * the partitions that can serve the kiosk: its region's, its country's,
 * and those of the services for anywhere. A typed word longer than the
 * longest indexed prefix is looked up in the list of the index's words
 * first and searched as the words it begins, which FTS5 can read range by
 * range; as a prefix, FTS5 would first merge the complete lists of all of
 * them. A single letter is searched as the indexed two-letter prefixes it
 * begins, likewise. What a search costs then grows with the services near
 * the kiosk, not with the directory. */

#define DEFAULT_LIMIT 20
#define MAX_LIMIT 500

/* Must match haven-directory-writer.c: how it makes rowids, and the
 * prefix lengths services_fts keeps an index for (prefix='2 3'). */
#define PARTITION_SHIFT 32
#define SHORTEST_INDEXED_PREFIX 2
#define LONGEST_INDEXED_PREFIX 3

/* No one types more words than this into a kiosk's search, and each costs
 * a lookup. */
#define MAX_QUERY_WORDS 12

/* A typed word that begins more of the index's words than this is left
 * to FTS5 as a prefix, and the search reads the whole index once instead
 * of its partitions: each word read costs a seek in every range. */
#define MAX_EXPANSION 32

/* The partitions a search with a region reads: the region's own, "CC+",
 * the country's, "*" and "+". */
#define MAX_RANGES 5

/* Must match haven-record-mapper.c. */
enum {
  SERVICE_FLAG_FREE = 1 << 0,
  SERVICE_FLAG_ALWAYS_OPEN = 1 << 1,
  SERVICE_FLAG_TEMPORARILY_CLOSED = 1 << 2,
};

#define ALL_CATEGORIES ((1u << HAVEN_DIRECTORY_N_CATEGORIES) - 1)

/* What a search tests about each service, kept small: a search may test
 * tens of thousands. */
typedef struct {
  /* In HavenDirectory.schedules; 0 for none. */
  guint32 schedule;
  guint32 regions;
  guint32 languages;
  guint16 categories_specific;
  guint16 categories_general;
  guint8 n_regions;
  guint8 n_languages;
  guint8 flags;
} Facets;

struct _HavenDirectory
{
  GObject parent_instance;

  GTimeZone *zone;
  char *path;
  char *categories_path;

  /* Guards the connection and its statements: searches may run in
   * several threads at once. Everything else is read-only once open. */
  GMutex lock;
  sqlite3 *db;
  sqlite3_stmt *match;
  sqlite3_stmt *details;
  sqlite3_stmt *words;
  sqlite3_stmt *openings;
  /* The index's own tokenizer, so that what is typed is cut into words,
   * lowercased and stripped of accents exactly as the index was. */
  fts5_tokenizer tokenizer_class;
  Fts5Tokenizer *tokenizer;

  /* Indexed by the service's place in search_order; 0 is unused. */
  GArray *facets;
  /* The services' opening hours, each different one once. */
  GPtrArray *schedules;
  /* Place in search_order -> services.id, which is the import order, and
   * back (the full-text index holds services.id). */
  GArray *service_ids;
  GArray *numbers;
  GArray *region_ids;
  GArray *language_ids;
  GHashTable *region_codes;
  GHashTable *language_codes;
  /* Region id -> GArray of the services that name it, in order: a visitor
   * browsing without text needs only the services of the kiosk's region. */
  GPtrArray *region_services;
  /* Partition code -> id, as numbered in the full-text index. */
  GHashTable *partitions;
  GHashTable *recurrences;
  /* The search in progress, for the ranking function; set under lock. */
  gpointer search;
  guint n_terms;
  guint n_mapped_terms;
  guint n_with_hours;
};

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
  g_clear_pointer (&self->openings, sqlite3_finalize);
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
  g_clear_pointer (&self->region_services, g_ptr_array_unref);
  g_clear_pointer (&self->language_codes, g_hash_table_unref);
  g_clear_pointer (&self->partitions, g_hash_table_unref);
  g_clear_pointer (&self->recurrences, g_hash_table_unref);
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
  self->facets = g_array_new (FALSE, TRUE, sizeof (Facets));
  /* Index 0 is no schedule. */
  self->schedules = g_ptr_array_new_with_free_func (schedule_free);
  g_ptr_array_add (self->schedules, NULL);
  self->service_ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->numbers = g_array_new (FALSE, TRUE, sizeof (guint32));
  self->region_ids = g_array_new (FALSE, FALSE, sizeof (guint16));
  self->language_ids = g_array_new (FALSE, FALSE, sizeof (guint16));
  self->region_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->region_services = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->language_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->partitions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->recurrences = haven_schedule_new_recurrence_table ();
}

static int
category_index (const char *id)
{
  for (guint i = 0; i < HAVEN_DIRECTORY_N_CATEGORIES; i++)
    {
      if (g_strcmp0 (haven_request_get_category_ids ()[i], id) == 0)
        return i;
    }

  return -1;
}

/**
 * haven_directory_get_default_path:
 * @settings: settings of the `io.github.havenkiosk.Haven` schema
 *
 * Returns: (transfer full): the setting directory-file, or directory.sqlite
 *   in Haven's data folder when it is empty
 */
char *
haven_directory_get_default_path (GSettings *settings)
{
  g_autofree char *configured = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  configured = g_settings_get_string (settings, "directory-file");
  if (configured[0] != '\0')
    return g_steal_pointer (&configured);

  return g_build_filename (g_get_user_data_dir (), "haven", "directory.sqlite", NULL);
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

/* How much a word found in each full-text column counts: name,
 * organization, other names, description, taxonomy terms. */
static const double column_weights[] = { 10.0, 6.0, 4.0, 1.0, 3.0 };

/* Text relevance, as an FTS5 auxiliary function: for each word of the
 * query, the weight of the best column it is found in, summed. bm25 would
 * also weigh word frequency and document length, but it reads each
 * matching row's size from the index, which for a short prefix matching
 * tens of thousands of services costs far more than the search may take.
 * A typed word may stand for several phrases (the words it begins):
 * @phrase_words says which typed word each phrase is for. */
static gboolean offer_match (HavenDirectory *self, gint64 rowid, gpointer search,
                             const Fts5ExtensionApi *api, Fts5Context *fts);

static double
text_score (const Fts5ExtensionApi *api,
            Fts5Context            *fts,
            GArray                 *phrase_words)
{
  int n_phrases = api->xPhraseCount (fts);
  double best[MAX_QUERY_WORDS] = { 0 };
  double score = 0;

  for (int phrase = 0; phrase < n_phrases; phrase++)
    {
      Fts5PhraseIter iter;
      int column = -1;
      guint word = (guint) phrase < phrase_words->len
                     ? g_array_index (phrase_words, guint8, phrase) : MAX_QUERY_WORDS - 1;

      if (api->xPhraseFirstColumn (fts, phrase, &iter, &column) != SQLITE_OK)
        break;
      for (; column >= 0; api->xPhraseNextColumn (fts, &iter, &column))
        {
          if (column < (int) G_N_ELEMENTS (column_weights))
            best[word] = MAX (best[word], column_weights[column]);
        }
    }

  for (guint word = 0; word < MAX_QUERY_WORDS; word++)
    score += best[word];

  return score;
}

/* Called by SQLite for each service the text matches. The filters are
 * applied here, before anything else is read about the row, and the
 * services that pass go straight into the search's results: most rows of
 * a broad match stop at a comparison of a few bits. */
static void
rank_function (const Fts5ExtensionApi  *api,
               Fts5Context             *fts,
               sqlite3_context         *context,
               int                      n_values,
               sqlite3_value          **values)
{
  HavenDirectory *self = api->xUserData (fts);

  if (self->search != NULL)
    offer_match (self, api->xRowid (fts), self->search, api, fts);
  sqlite3_result_null (context);
}

/* Registers the ranking function, and takes the index's tokenizer. */
static gboolean
setup_fts5 (HavenDirectory *self,
            sqlite3        *db)
{
  static const char *const tokenizer_arguments[] = { "remove_diacritics", "2" };
  sqlite3_stmt *statement = NULL;
  fts5_api *api = NULL;
  void *tokenizer_data = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT fts5(?1)", -1, &statement, NULL) != SQLITE_OK)
    return FALSE;
  sqlite3_bind_pointer (statement, 1, (void *) &api, "fts5_api_ptr", NULL);
  sqlite3_step (statement);
  sqlite3_finalize (statement);

  return api != NULL &&
         api->xCreateFunction (api, "haven_rank", self, rank_function, NULL) == SQLITE_OK &&
         api->xFindTokenizer (api, "unicode61", &tokenizer_data, &self->tokenizer_class)
           == SQLITE_OK &&
         self->tokenizer_class.xCreate (tokenizer_data, (const char **) tokenizer_arguments,
                                        G_N_ELEMENTS (tokenizer_arguments), &self->tokenizer)
           == SQLITE_OK;
}

static gboolean
database_error (HavenDirectory  *self,
                GError         **error)
{
  g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_CORRUPT,
               _("The service directory %s cannot be read: %s"), self->path,
               sqlite3_errmsg (self->db));
  return FALSE;
}

static guint16
intern (GHashTable *codes,
        const char *code)
{
  gpointer value;
  guint16 id;

  if (g_hash_table_lookup_extended (codes, code, NULL, &value))
    return GPOINTER_TO_UINT (value);

  id = g_hash_table_size (codes) + 1;
  g_hash_table_insert (codes, g_strdup (code), GUINT_TO_POINTER (id));
  return id;
}

static guint16
lookup_code (GHashTable *codes,
             const char *code)
{
  return code != NULL ? GPOINTER_TO_UINT (g_hash_table_lookup (codes, code)) : 0;
}

/* Reads a code list table (service, code), which the importer wrote
 * grouped by service, into offsets into @ids. */
static gboolean
load_codes (HavenDirectory  *self,
            const char      *sql,
            GHashTable      *codes,
            GArray          *ids,
            gboolean         regions,
            GError         **error)
{
  sqlite3_stmt *statement = NULL;
  gint64 current = 0;
  int status;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &statement, NULL) != SQLITE_OK)
    return database_error (self, error);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      gint64 service = sqlite3_column_int64 (statement, 0);
      const char *code = (const char *) sqlite3_column_text (statement, 1);
      guint16 id;
      Facets *facets;

      if (service <= 0 || service >= self->facets->len || code == NULL)
        continue;

      facets = &g_array_index (self->facets, Facets, service);
      if (service != current)
        {
          current = service;
          if (regions)
            facets->regions = ids->len;
          else
            facets->languages = ids->len;
        }

      if ((regions ? facets->n_regions : facets->n_languages) == G_MAXUINT8)
        continue;

      id = intern (codes, code);
      g_array_append_val (ids, id);
      if (regions)
        facets->n_regions++;
      else
        facets->n_languages++;
    }

  sqlite3_finalize (statement);
  if (status != SQLITE_DONE)
    return database_error (self, error);

  return TRUE;
}

typedef struct {
  char *taxonomy;
  char *code;
  gboolean prefix;
  guint16 specific;
  guint16 general;
} Mapping;

static void
mapping_clear (gpointer data)
{
  Mapping *mapping = data;

  g_free (mapping->taxonomy);
  g_free (mapping->code);
}

/* categories.ini, [Terms]: "code=categories", "taxonomy:code=categories"
 * or "code-prefix*=categories"; categories are ids separated by ";", or
 * "*" for every category. */
static GArray *
load_mappings (const char  *path,
               GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GArray) mappings = g_array_new (FALSE, TRUE, sizeof (Mapping));
  g_autoptr(GError) load_error = NULL;
  g_auto(GStrv) keys = NULL;

  g_array_set_clear_func (mappings, mapping_clear);

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &load_error))
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_NOT_FOUND,
                   _("The category mapping %s cannot be read: %s"), path, load_error->message);
      return NULL;
    }

  keys = g_key_file_get_keys (key_file, "Terms", NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_auto(GStrv) values = g_key_file_get_string_list (key_file, "Terms", keys[i], NULL, NULL);
      Mapping mapping = { NULL, NULL, FALSE, 0, 0 };
      const char *colon = strchr (keys[i], ':');
      gsize length;

      if (colon != NULL)
        {
          mapping.taxonomy = g_utf8_strdown (keys[i], colon - keys[i]);
          mapping.code = g_strdup (colon + 1);
        }
      else
        mapping.code = g_strdup (keys[i]);

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
          else if ((index = category_index (value)) >= 0)
            mapping.specific |= 1u << index;
          else if (value[0] != '\0')
            g_debug ("categories.ini: “%s” is not a Haven category", value);
        }

      g_array_append_val (mappings, mapping);
    }

  return g_steal_pointer (&mappings);
}

static void
map_term (GArray     *mappings,
          const char *taxonomy,
          const char *code,
          guint16    *specific,
          guint16    *general)
{
  *specific = *general = 0;

  for (guint i = 0; i < mappings->len; i++)
    {
      const Mapping *mapping = &g_array_index (mappings, Mapping, i);
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

static gboolean
load_categories (HavenDirectory  *self,
                 GError         **error)
{
  g_autoptr(GArray) mappings = NULL;
  g_autoptr(GArray) term_specific = g_array_new (FALSE, TRUE, sizeof (guint16));
  g_autoptr(GArray) term_general = g_array_new (FALSE, TRUE, sizeof (guint16));
  sqlite3_stmt *statement = NULL;
  int status;

  mappings = load_mappings (self->categories_path, error);
  if (mappings == NULL)
    return FALSE;

  if (sqlite3_prepare_v2 (self->db, "SELECT id, taxonomy, code FROM terms", -1, &statement, NULL)
      != SQLITE_OK)
    return database_error (self, error);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (statement, 0);
      const char *taxonomy = (const char *) sqlite3_column_text (statement, 1);
      const char *code = (const char *) sqlite3_column_text (statement, 2);
      guint16 specific, general;

      if (id <= 0 || id > G_MAXINT32 || code == NULL)
        continue;

      map_term (mappings, taxonomy, code, &specific, &general);
      if (id >= term_specific->len)
        {
          g_array_set_size (term_specific, id + 1);
          g_array_set_size (term_general, id + 1);
        }
      g_array_index (term_specific, guint16, id) = specific;
      g_array_index (term_general, guint16, id) = general;

      self->n_terms++;
      if (specific != 0 || general != 0)
        self->n_mapped_terms++;
    }
  sqlite3_finalize (statement);
  if (status != SQLITE_DONE)
    return database_error (self, error);

  if (sqlite3_prepare_v2 (self->db, "SELECT service, term FROM service_terms", -1, &statement,
                          NULL) != SQLITE_OK)
    return database_error (self, error);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      gint64 service = sqlite3_column_int64 (statement, 0);
      gint64 term = sqlite3_column_int64 (statement, 1);
      Facets *facets;

      if (service <= 0 || service >= self->facets->len || term <= 0 || term >= term_specific->len)
        continue;

      facets = &g_array_index (self->facets, Facets, service);
      facets->categories_specific |= g_array_index (term_specific, guint16, term);
      facets->categories_general |= g_array_index (term_general, guint16, term);
    }
  sqlite3_finalize (statement);
  if (status != SQLITE_DONE)
    return database_error (self, error);

  return TRUE;
}

/* Appends the @n codes at *@offset in @from to @to, and points *@offset
 * at them there. */
static void
copy_codes (GArray  *to,
            GArray  *from,
            guint32 *offset,
            guint8   n)
{
  guint32 start = to->len;

  if (n > 0)
    g_array_append_vals (to, &g_array_index (from, guint16, *offset), n);
  *offset = start;
}

/* The index in self->schedules of the schedule written as @text, or 0
 * when it is damaged. Services with the same hours share one: a search
 * that asks whether they are open asks once (see evaluate()). */
static guint32
share_schedule (HavenDirectory  *self,
                GHashTable      *shared,
                const char      *text)
{
  gpointer index = g_hash_table_lookup (shared, text);

  if (index == NULL)
    {
      HavenSchedule *schedule = haven_schedule_deserialize (text, self->recurrences, NULL);

      if (schedule == NULL)
        return 0;
      g_ptr_array_add (self->schedules, schedule);
      index = GUINT_TO_POINTER (self->schedules->len - 1);
      g_hash_table_insert (shared, (gpointer) text, index);
    }

  return GPOINTER_TO_UINT (index);
}

/* Everything about the services was read by services.id: puts it in the
 * order of search_order (see the top of this file), with the lists of
 * codes rewritten in that order too, the schedules made in that order
 * from @schedules, and the services of each region listed for searches
 * without text. */
static gboolean
apply_search_order (HavenDirectory  *self,
                    GPtrArray       *schedules,
                    GError         **error)
{
  guint n_services = self->facets->len - 1;
  g_autoptr(GArray) facets = g_array_new (FALSE, TRUE, sizeof (Facets));
  g_autoptr(GArray) region_ids = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_autoptr(GArray) language_ids = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_autoptr(GHashTable) shared = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree guint8 *placed = g_new0 (guint8, n_services + 1);
  sqlite3_stmt *statement = NULL;
  guint32 expected = 1;
  int status;

  if (sqlite3_prepare_v2 (self->db, "SELECT id, service FROM search_order ORDER BY id", -1,
                          &statement, NULL) != SQLITE_OK)
    return database_error (self, error);

  g_array_set_size (facets, n_services + 1);
  g_array_set_size (self->service_ids, 1);
  g_array_set_size (self->numbers, n_services + 1);
  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (statement, 0);
      gint64 service = sqlite3_column_int64 (statement, 1);
      Facets *to;
      guint32 service_id;

      if (id != expected || service <= 0 || service > n_services || placed[service])
        break;
      placed[service] = TRUE;
      expected++;

      to = &g_array_index (facets, Facets, id);
      *to = g_array_index (self->facets, Facets, service);
      if (g_ptr_array_index (schedules, service) != NULL)
        {
          to->schedule = share_schedule (self, shared, g_ptr_array_index (schedules, service));
          if (to->schedule == 0)
            break;
          self->n_with_hours++;
        }
      copy_codes (region_ids, self->region_ids, &to->regions, to->n_regions);
      copy_codes (language_ids, self->language_ids, &to->languages, to->n_languages);
      service_id = service;
      g_array_append_val (self->service_ids, service_id);
      g_array_index (self->numbers, guint32, service) = id;

      for (guint i = 0; i < to->n_regions; i++)
        {
          guint16 code = g_array_index (region_ids, guint16, to->regions + i);
          guint32 number = id;

          while (self->region_services->len <= code)
            g_ptr_array_add (self->region_services, g_array_new (FALSE, FALSE, sizeof (guint32)));
          g_array_append_val (g_ptr_array_index (self->region_services, code), number);
        }
    }
  sqlite3_finalize (statement);

  if (status != SQLITE_ROW && status != SQLITE_DONE)
    return database_error (self, error);
  if (expected != n_services + 1)
    {
      g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_CORRUPT,
                   _("The service directory %s is damaged; import it again"), self->path);
      return FALSE;
    }

  g_array_unref (self->facets);
  self->facets = g_steal_pointer (&facets);
  g_array_unref (self->region_ids);
  self->region_ids = g_steal_pointer (&region_ids);
  g_array_unref (self->language_ids);
  self->language_ids = g_steal_pointer (&language_ids);

  return TRUE;
}

static gboolean
load_partitions (HavenDirectory  *self,
                 GError         **error)
{
  sqlite3_stmt *statement = NULL;
  int status;

  if (sqlite3_prepare_v2 (self->db, "SELECT id, code FROM partitions", -1, &statement, NULL)
      != SQLITE_OK)
    return database_error (self, error);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (statement, 0);
      const char *code = (const char *) sqlite3_column_text (statement, 1);

      if (id > 0 && id <= G_MAXINT32 && code != NULL)
        g_hash_table_insert (self->partitions, g_strdup (code), GINT_TO_POINTER ((int) id));
    }
  sqlite3_finalize (statement);
  if (status != SQLITE_DONE)
    return database_error (self, error);

  return TRUE;
}

/* Reads the services' flags, and their schedules as text into
 * @schedules (by services.id): they are read in the order of search_order
 * by apply_search_order(). */
static gboolean
load_services (HavenDirectory  *self,
               GPtrArray       *schedules,
               GError         **error)
{
  sqlite3_stmt *statement = NULL;
  int status;

  if (sqlite3_prepare_v2 (self->db, "SELECT id, flags, schedule FROM services ORDER BY id", -1,
                          &statement, NULL) != SQLITE_OK)
    return database_error (self, error);

  g_array_set_size (self->facets, 1);
  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (statement, 0);
      const char *schedule = (const char *) sqlite3_column_text (statement, 2);
      Facets *facets;

      /* The importer numbers services from 1 without gaps. */
      if (id != self->facets->len)
        {
          sqlite3_finalize (statement);
          g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_CORRUPT,
                       _("The service directory %s is damaged; import it again"), self->path);
          return FALSE;
        }

      g_array_set_size (self->facets, id + 1);
      facets = &g_array_index (self->facets, Facets, id);
      facets->flags = sqlite3_column_int (statement, 1);

      g_ptr_array_set_size (schedules, id + 1);
      if (schedule != NULL && schedule[0] != '\0')
        g_ptr_array_index (schedules, id) = g_strdup (schedule);
    }
  sqlite3_finalize (statement);
  if (status != SQLITE_DONE)
    return database_error (self, error);

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
  g_autoptr(GPtrArray) schedules = g_ptr_array_new_with_free_func (g_free);
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
      database_error (self, error);
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

  if (!load_services (self, schedules, error) ||
      !load_categories (self, error) ||
      !load_codes (self, "SELECT service, code FROM service_regions ORDER BY rowid",
                   self->region_codes, self->region_ids, TRUE, error) ||
      !load_codes (self, "SELECT service, code FROM service_languages ORDER BY rowid",
                   self->language_codes, self->language_ids, FALSE, error) ||
      !apply_search_order (self, schedules, error))
    return NULL;

  if (!load_partitions (self, error))
    return NULL;

  /* haven_rank() takes each match as it is found and returns NULL, so the
   * statement returns no row at all: one sqlite3_step() reads a whole
   * range, rather than one for each of thousands of matches. */
  if (!setup_fts5 (self, self->db) ||
      sqlite3_prepare_v3 (self->db,
                          "SELECT 1 FROM services_fts "
                          "WHERE services_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3 "
                          "AND haven_rank (services_fts)",
                          -1, SQLITE_PREPARE_PERSISTENT, &self->match, NULL) != SQLITE_OK ||
      sqlite3_prepare_v3 (self->db, "SELECT details FROM services WHERE id = ?", -1,
                          SQLITE_PREPARE_PERSISTENT, &self->details, NULL) != SQLITE_OK ||
      sqlite3_prepare_v3 (self->db,
                          "SELECT word FROM words WHERE word >= ?1 AND word < ?2 "
                          "ORDER BY word LIMIT ?3",
                          -1, SQLITE_PREPARE_PERSISTENT, &self->words, NULL) != SQLITE_OK ||
      sqlite3_prepare_v3 (self->db,
                          "SELECT opening FROM openings WHERE opening >= ?1 AND opening < ?2 "
                          "ORDER BY opening LIMIT ?3",
                          -1, SQLITE_PREPARE_PERSISTENT, &self->openings, NULL) != SQLITE_OK)
    {
      database_error (self, error);
      return NULL;
    }

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

/* A query with its codes looked up once. */
typedef struct {
  const HavenDirectoryQuery *query;
  HavenScheduleTime time;
  guint16 category_bit;
  gboolean has_region;
  guint16 region_local;
  guint16 region_national;
  guint16 region_anywhere;
  gboolean has_language;
  guint16 language;
  guint16 preferred_language;

  /* The FTS5 expression, or NULL without text; the typed word each of its
   * phrases is for (guint8); whether a typed word begins no word of the
   * index, so that nothing can match. */
  GString *match;
  GArray *phrase_words;
  gboolean matches_nothing;
  /* The rowid ranges to read: those of the partitions that can serve the
   * query's region, or the whole index. */
  gint64 ranges[MAX_RANGES][2];
  guint n_ranges;
  gboolean whole_index;

  /* For "open now": whether each schedule is open, once known. */
  guint8 *open;
} Plan;

enum {
  OPEN_UNKNOWN,
  OPEN_YES,
  OPEN_NO,
};

static void
plan_clear (Plan *plan)
{
  if (plan->match != NULL)
    g_string_free (plan->match, TRUE);
  g_clear_pointer (&plan->phrase_words, g_array_unref);
  g_clear_pointer (&plan->open, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Plan, plan_clear)

typedef struct {
  /* The place in search_order, and services.id: the import order. */
  guint32 service;
  guint32 order;
  guint8 category_rank;
  guint8 reach;
  guint8 language_rank;
  double score;
} Candidate;

/* Better first: category, then local over national, then language, then
 * the text, then the order of the directory's file. */
static int
compare_candidates (const Candidate *a,
                    const Candidate *b)
{
  if (a->category_rank != b->category_rank)
    return a->category_rank > b->category_rank ? -1 : 1;
  if (a->reach != b->reach)
    return a->reach > b->reach ? -1 : 1;
  if (a->language_rank != b->language_rank)
    return a->language_rank > b->language_rank ? -1 : 1;
  if (a->score != b->score)
    return a->score > b->score ? -1 : 1;

  return a->order < b->order ? -1 : a->order > b->order;
}

static gboolean
has_code (GArray       *ids,
          guint32       offset,
          guint8        n,
          guint16       code)
{
  const guint16 *values = &g_array_index (ids, guint16, offset);

  for (guint i = 0; i < n; i++)
    {
      if (values[i] == code)
        return TRUE;
    }

  return FALSE;
}

/* Applies the filters to one service; FALSE when it does not qualify. */
static gboolean
evaluate (HavenDirectory *self,
          const Plan     *plan,
          guint32         service,
          Candidate      *candidate)
{
  const HavenDirectoryQuery *query = plan->query;
  const Facets *facets = &g_array_index (self->facets, Facets, service);

  candidate->service = service;
  candidate->order = g_array_index (self->service_ids, guint32, service);
  candidate->category_rank = 0;
  candidate->reach = 0;
  candidate->language_rank = 0;

  if (query->free && !(facets->flags & SERVICE_FLAG_FREE))
    return FALSE;
  if (query->always_open && ((facets->flags & SERVICE_FLAG_TEMPORARILY_CLOSED) ||
                              !(facets->flags & SERVICE_FLAG_ALWAYS_OPEN)))
    return FALSE;

  if (plan->category_bit != 0)
    {
      if (facets->categories_specific & plan->category_bit)
        candidate->category_rank = 2;
      else if (facets->categories_general & plan->category_bit)
        candidate->category_rank = 1;
      else
        return FALSE;
    }

  if (plan->has_language)
    {
      if (plan->language == 0 ||
          !has_code (self->language_ids, facets->languages, facets->n_languages, plan->language))
        return FALSE;
    }
  if (plan->preferred_language != 0 &&
      has_code (self->language_ids, facets->languages, facets->n_languages,
                plan->preferred_language))
    candidate->language_rank = 1;

  if (plan->has_region)
    {
      const guint16 *codes = &g_array_index (self->region_ids, guint16, facets->regions);
      gboolean covered = FALSE;

      for (guint i = 0; i < facets->n_regions; i++)
        {
          if (codes[i] == 0)
            continue;
          if (codes[i] == plan->region_local)
            {
              candidate->reach = HAVEN_SERVICE_REACH_LOCAL;
              covered = TRUE;
              break;
            }
          if (codes[i] == plan->region_national)
            {
              candidate->reach = MAX (candidate->reach, HAVEN_SERVICE_REACH_NATIONAL);
              covered = TRUE;
            }
          else if (codes[i] == plan->region_anywhere)
            covered = TRUE;
        }

      if (!covered)
        return FALSE;
    }

  /* Last: the only test that may cost more than a comparison. */
  if (query->open_now)
    {
      guint8 *open;

      if (facets->schedule == 0 || (facets->flags & SERVICE_FLAG_TEMPORARILY_CLOSED))
        return FALSE;

      open = &plan->open[facets->schedule];
      if (*open == OPEN_UNKNOWN)
        *open = haven_schedule_is_open (g_ptr_array_index (self->schedules, facets->schedule),
                                        &plan->time) ? OPEN_YES : OPEN_NO;
      if (*open != OPEN_YES)
        return FALSE;
    }

  return TRUE;
}

typedef struct {
  Candidate *items;
  guint length;
  guint limit;
  guint n_matches;
} TopList;

static void
top_list_offer (TopList         *top,
                const Candidate *candidate)
{
  guint position;

  top->n_matches++;

  if (top->length == top->limit &&
      compare_candidates (candidate, &top->items[top->length - 1]) >= 0)
    return;

  position = top->length < top->limit ? top->length++ : top->length - 1;
  while (position > 0 && compare_candidates (candidate, &top->items[position - 1]) < 0)
    {
      top->items[position] = top->items[position - 1];
      position--;
    }
  top->items[position] = *candidate;
}

/* Whether a candidate with these keys, whatever its text score, could be
 * among the results: if not, its score need not be worked out. */
static gboolean
top_list_may_take (TopList         *top,
                   const Candidate *candidate)
{
  const Candidate *last;

  if (top->length < top->limit)
    return TRUE;

  last = &top->items[top->length - 1];
  if (candidate->category_rank != last->category_rank)
    return candidate->category_rank > last->category_rank;
  if (candidate->reach != last->reach)
    return candidate->reach > last->reach;
  return candidate->language_rank >= last->language_rank;
}

typedef struct {
  const Plan *plan;
  TopList *top;
  /* A bit a service: a service the whole index is read for may be found
   * in several partitions, and counts once. */
  guint8 *seen;
} Search;

static gboolean
offer_match (HavenDirectory         *self,
             gint64                  rowid,
             gpointer                data,
             const Fts5ExtensionApi *api,
             Fts5Context            *fts)
{
  Search *search = data;
  gint64 service = rowid & G_MAXUINT32;
  Candidate candidate;

  if (service <= 0 || service >= self->numbers->len)
    return FALSE;
  service = g_array_index (self->numbers, guint32, service);
  if (search->seen[service / 8] & (1u << (service % 8)))
    return FALSE;
  search->seen[service / 8] |= 1u << (service % 8);

  if (!evaluate (self, search->plan, service, &candidate))
    return FALSE;

  if (top_list_may_take (search->top, &candidate))
    candidate.score = text_score (api, fts, search->plan->phrase_words);
  else
    {
      /* It only counts towards the number of matches. */
      search->top->n_matches++;
      return TRUE;
    }

  top_list_offer (search->top, &candidate);
  return TRUE;
}

static int
collect_token (void       *data,
               int         flags,
               const char *token,
               int         length,
               int         start,
               int         end)
{
  GPtrArray *tokens = data;

  if (flags & FTS5_TOKEN_COLOCATED)
    return SQLITE_OK;
  if (tokens->len >= MAX_QUERY_WORDS)
    return SQLITE_DONE;

  g_ptr_array_add (tokens, g_strndup (token, length));
  return SQLITE_OK;
}

/* A quoted FTS5 string, so that nothing typed is read as query syntax. */
static void
append_phrase (GString    *match,
               const char *word,
               gboolean    prefix)
{
  g_string_append_c (match, '"');
  for (const char *p = word; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (match, '"');
      g_string_append_c (match, *p);
    }
  g_string_append (match, prefix ? "\"*" : "\"");
}

/* The entries of @statement's table (words or openings) that begin with
 * @prefix, at most @limit of them. */
static GPtrArray *
expand_prefix (sqlite3_stmt *statement,
               const char   *prefix,
               guint         limit)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *after = g_strdup (prefix);
  gsize length = strlen (after);

  /* Every word beginning with the prefix sorts before the prefix with its
   * last byte raised; in UTF-8 that byte is never 0xFF. */
  after[length - 1]++;

  sqlite3_bind_text (statement, 1, prefix, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 2, after, -1, SQLITE_STATIC);
  sqlite3_bind_int (statement, 3, limit);
  while (sqlite3_step (statement) == SQLITE_ROW)
    g_ptr_array_add (words, g_strdup ((const char *) sqlite3_column_text (statement, 0)));
  sqlite3_reset (statement);

  return words;
}

/* What the visitor typed, as an FTS5 expression: every word must match,
 * each as a prefix. Called with the lock held. */
static void
plan_text (HavenDirectory *self,
           const char     *text,
           Plan           *plan)
{
  g_autofree char *folded = haven_search_text_fold (text);
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);

  self->tokenizer_class.xTokenize (self->tokenizer, tokens, FTS5_TOKENIZE_QUERY, folded,
                                   strlen (folded), collect_token);
  if (tokens->len == 0)
    return;

  plan->match = g_string_new (NULL);
  plan->phrase_words = g_array_new (FALSE, FALSE, sizeof (guint8));

  for (guint i = 0; i < tokens->len; i++)
    {
      const char *token = g_ptr_array_index (tokens, i);
      glong length = g_utf8_strlen (token, -1);
      g_autoptr(GPtrArray) words = NULL;
      guint8 word_index = i;

      if (i > 0)
        g_string_append (plan->match, " AND ");

      if (length >= SHORTEST_INDEXED_PREFIX && length <= LONGEST_INDEXED_PREFIX)
        {
          append_phrase (plan->match, token, TRUE);
          g_array_append_val (plan->phrase_words, word_index);
          continue;
        }

      /* A single letter stands for the openings it begins: a one-letter
       * word as itself, the others as indexed two-letter prefixes. */
      if (length < SHORTEST_INDEXED_PREFIX)
        words = expand_prefix (self->openings, token, MAX_EXPANSION + 1);
      else
        words = expand_prefix (self->words, token, MAX_EXPANSION + 1);
      if (words->len == 0)
        {
          plan->matches_nothing = TRUE;
          return;
        }
      if (words->len > MAX_EXPANSION)
        {
          /* FTS5 merges the words' lists once for the whole index, rather
           * than once for each partition. */
          append_phrase (plan->match, token, TRUE);
          g_array_append_val (plan->phrase_words, word_index);
          plan->whole_index = TRUE;
          continue;
        }

      g_string_append_c (plan->match, '(');
      for (guint j = 0; j < words->len; j++)
        {
          const char *word = g_ptr_array_index (words, j);

          if (j > 0)
            g_string_append (plan->match, " OR ");
          append_phrase (plan->match, word,
                         length < SHORTEST_INDEXED_PREFIX && g_utf8_strlen (word, -1) > 1);
          g_array_append_val (plan->phrase_words, word_index);
        }
      g_string_append_c (plan->match, ')');
    }
}

static void
add_partition (HavenDirectory *self,
               Plan           *plan,
               const char     *code)
{
  gint64 id = GPOINTER_TO_INT (g_hash_table_lookup (self->partitions, code));

  if (id == 0 || plan->n_ranges >= MAX_RANGES)
    return;

  plan->ranges[plan->n_ranges][0] = id << PARTITION_SHIFT;
  plan->ranges[plan->n_ranges][1] = (id << PARTITION_SHIFT) | G_MAXUINT32;
  plan->n_ranges++;
}

static gboolean
plan_query (HavenDirectory             *self,
            const HavenDirectoryQuery  *query,
            Plan                       *plan,
            GError                    **error)
{
  g_autoptr(GDateTime) now = NULL;

  memset (plan, 0, sizeof *plan);
  plan->query = query;

  if (query->category != NULL && query->category[0] != '\0')
    {
      int index = category_index (query->category);

      if (index < 0)
        {
          g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_INVALID_QUERY,
                       _("“%s” is not a Haven category"), query->category);
          return FALSE;
        }
      plan->category_bit = 1u << index;
    }

  if (query->region != NULL && query->region[0] != '\0')
    {
      g_autofree char *region = g_ascii_strup (query->region, -1);
      char *dash = strchr (region, '-');

      plan->has_region = TRUE;
      plan->region_local = lookup_code (self->region_codes, region);
      plan->region_anywhere = lookup_code (self->region_codes, "*");

      /* The region's own partition first: its services rank first, and
       * once they fill the results the others need no text score. */
      add_partition (self, plan, region);
      if (dash != NULL)
        {
          *dash = '\0';
          plan->region_national = lookup_code (self->region_codes, region);
          dash[0] = '+';
          dash[1] = '\0';
          add_partition (self, plan, region);
          dash[0] = '\0';
          add_partition (self, plan, region);
        }
      add_partition (self, plan, "*");
      add_partition (self, plan, "+");
    }

  if (query->language != NULL && query->language[0] != '\0')
    {
      g_autofree char *language = haven_directory_normalise_language (query->language);

      if (language == NULL)
        {
          g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_INVALID_QUERY,
                       _("“%s” is not an ISO 639 language code such as en or ar"),
                       query->language);
          return FALSE;
        }
      plan->has_language = TRUE;
      plan->language = lookup_code (self->language_codes, language);
      plan->preferred_language = plan->language;
    }
  else if (query->display_language != NULL && query->display_language[0] != '\0')
    {
      g_autofree char *language = haven_directory_normalise_language (query->display_language);

      plan->preferred_language = lookup_code (self->language_codes, language);
    }

  if (query->at == NULL)
    now = g_date_time_new_now_utc ();
  haven_schedule_time_init (&plan->time, query->at != NULL ? query->at : now, self->zone);
  if (query->open_now)
    plan->open = g_new0 (guint8, self->schedules->len);

  return TRUE;
}

static HavenServiceReach
reach_without_region (HavenDirectory *self,
                      const Facets   *facets)
{
  const guint16 *codes = &g_array_index (self->region_ids, guint16, facets->regions);
  guint16 anywhere = lookup_code (self->region_codes, "*");
  HavenServiceReach reach = HAVEN_SERVICE_REACH_ANYWHERE;

  for (guint i = 0; i < facets->n_regions; i++)
    {
      if (codes[i] != anywhere)
        reach = HAVEN_SERVICE_REACH_NATIONAL;
    }

  return reach;
}

static HavenService *
load_service (HavenDirectory   *self,
              const Plan       *plan,
              const Candidate  *candidate,
              GError          **error)
{
  const Facets *facets = &g_array_index (self->facets, Facets, candidate->service);
  g_autoptr(HavenService) service = NULL;
  g_autoptr(GStrvBuilder) categories = g_strv_builder_new ();
  g_auto(GStrv) category_list = NULL;
  g_autofree char *hours = NULL;
  const char *details;
  guint16 bits = facets->categories_specific | facets->categories_general;
  gboolean open_now = FALSE;

  sqlite3_bind_int64 (self->details, 1, candidate->order);
  if (sqlite3_step (self->details) != SQLITE_ROW)
    {
      database_error (self, error);
      sqlite3_reset (self->details);
      return NULL;
    }

  details = (const char *) sqlite3_column_text (self->details, 0);
  service = haven_service_new_from_details (details != NULL ? details : "",
                                            plan->query->display_language, error);
  sqlite3_reset (self->details);
  if (service == NULL)
    return NULL;

  for (guint i = 0; i < HAVEN_DIRECTORY_N_CATEGORIES; i++)
    {
      if (bits & (1u << i))
        g_strv_builder_add (categories, haven_request_get_category_ids ()[i]);
    }
  category_list = g_strv_builder_end (categories);
  haven_service_set_categories (service, (const char * const *) category_list);

  if (facets->schedule != 0)
    {
      HavenSchedule *schedule = g_ptr_array_index (self->schedules, facets->schedule);

      open_now = !(facets->flags & SERVICE_FLAG_TEMPORARILY_CLOSED) &&
                 haven_schedule_is_open (schedule, &plan->time);
      hours = haven_schedule_describe_day (schedule, &plan->time);
    }
  if (facets->flags & SERVICE_FLAG_TEMPORARILY_CLOSED)
    {
      g_free (hours);
      hours = g_strdup (_("Temporarily closed"));
    }
  haven_service_set_hours (service, facets->schedule != 0, open_now,
                           (facets->flags & SERVICE_FLAG_ALWAYS_OPEN) != 0, hours);

  haven_service_set_reach (service, plan->has_region ? candidate->reach
                                                     : reach_without_region (self, facets));

  return g_steal_pointer (&service);
}

/* The services whose words match, read from the full-text index in the
 * ranges of rowids that can serve the region. Returns the SQLite status
 * the search ended with. */
static int
search_text (HavenDirectory *self,
             Plan           *plan,
             TopList        *top)
{
  g_autofree guint8 *seen = g_malloc0 (self->facets->len / 8 + 1);
  Search search = { plan, top, seen };
  int status = SQLITE_DONE;

  if (!plan->has_region || plan->whole_index)
    {
      plan->ranges[0][0] = 0;
      plan->ranges[0][1] = G_MAXINT64;
      plan->n_ranges = 1;
    }

  self->search = &search;
  sqlite3_bind_text (self->match, 1, plan->match->str, plan->match->len, SQLITE_STATIC);
  for (guint i = 0; i < plan->n_ranges && status == SQLITE_DONE; i++)
    {
      sqlite3_bind_int64 (self->match, 2, plan->ranges[i][0]);
      sqlite3_bind_int64 (self->match, 3, plan->ranges[i][1]);
      while ((status = sqlite3_step (self->match)) == SQLITE_ROW)
        ;
      sqlite3_reset (self->match);
    }
  self->search = NULL;

  return status;
}

/* Without words: the services of the region, its country and anywhere. */
static void
search_region (HavenDirectory *self,
               const Plan     *plan,
               TopList        *top)
{
  GArray *lists[3] = { NULL, NULL, NULL };
  guint positions[3] = { 0, 0, 0 };
  guint16 ids[3] = { plan->region_local, plan->region_national, plan->region_anywhere };

  for (guint i = 0; i < 3; i++)
    {
      if (ids[i] != 0 && ids[i] < self->region_services->len)
        lists[i] = g_ptr_array_index (self->region_services, ids[i]);
    }

  /* The three lists are in service order: merge them, each service
   * once. */
  while (TRUE)
    {
      guint32 service = G_MAXUINT32;
      Candidate candidate;

      for (guint i = 0; i < 3; i++)
        {
          if (lists[i] != NULL && positions[i] < lists[i]->len)
            service = MIN (service, g_array_index (lists[i], guint32, positions[i]));
        }
      if (service == G_MAXUINT32)
        break;
      for (guint i = 0; i < 3; i++)
        {
          if (lists[i] != NULL && positions[i] < lists[i]->len &&
              g_array_index (lists[i], guint32, positions[i]) == service)
            positions[i]++;
        }

      if (evaluate (self, plan, service, &candidate))
        {
          candidate.score = 0;
          top_list_offer (top, &candidate);
        }
    }
}

/* Without words or a region: every service. */
static void
search_all (HavenDirectory *self,
            const Plan     *plan,
            TopList        *top)
{
  for (guint32 service = 1; service < self->facets->len; service++)
    {
      Candidate candidate;

      if (evaluate (self, plan, service, &candidate))
        {
          candidate.score = 0;
          top_list_offer (top, &candidate);
        }
    }
}

/**
 * haven_directory_search:
 * @query: what to look for
 * @n_matches: (out) (optional): how many services match in all, of which
 *   at most the query's limit are returned
 *
 * Returns: (transfer full): a list of #HavenService, best first
 */
GListModel *
haven_directory_search (HavenDirectory             *self,
                        const HavenDirectoryQuery  *query,
                        guint                      *n_matches,
                        GError                    **error)
{
  g_autoptr(GListStore) results = g_list_store_new (HAVEN_TYPE_SERVICE);
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree Candidate *items = NULL;
  TopList top = { NULL, 0, 0, 0 };
  g_auto(Plan) plan = { 0 };

  g_return_val_if_fail (HAVEN_IS_DIRECTORY (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if (!plan_query (self, query, &plan, error))
    return NULL;

  top.limit = query->limit == 0 ? DEFAULT_LIMIT : MIN (query->limit, MAX_LIMIT);
  top.items = items = g_new (Candidate, top.limit);

  g_mutex_lock (&self->lock);

  if (query->text != NULL)
    plan_text (self, query->text, &plan);

  if (plan.matches_nothing)
    {
      /* A typed word begins no word of the directory. */
    }
  else if (plan.match != NULL)
    {
      if (search_text (self, &plan, &top) != SQLITE_DONE)
        {
          g_mutex_unlock (&self->lock);
          return database_error (self, error), NULL;
        }
    }
  else if (plan.has_region)
    {
      search_region (self, &plan, &top);
    }
  else
    {
      search_all (self, &plan, &top);
    }

  for (guint i = 0; i < top.length; i++)
    {
      HavenService *service = load_service (self, &plan, &top.items[i], error);

      if (service == NULL)
        {
          g_mutex_unlock (&self->lock);
          return NULL;
        }
      g_ptr_array_add (services, service);
    }

  g_mutex_unlock (&self->lock);

  /* At once: one signal for the whole list. */
  g_list_store_splice (results, 0, 0, services->pdata, services->len);

  if (n_matches != NULL)
    *n_matches = top.n_matches;

  return G_LIST_MODEL (g_steal_pointer (&results));
}

typedef struct {
  GListModel *results;
  guint n_matches;
} SearchResult;

static void
search_result_free (SearchResult *result)
{
  g_clear_object (&result->results);
  g_free (result);
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchResult *result = g_new0 (SearchResult, 1);
  GError *error = NULL;

  result->results = haven_directory_search (source_object, task_data, &result->n_matches, &error);
  if (result->results == NULL)
    {
      search_result_free (result);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, result, (GDestroyNotify) search_result_free);
}

/**
 * haven_directory_search_async:
 *
 * Searches in a worker thread, so the kiosk's window stays responsive.
 * The query is copied.
 */
void
haven_directory_search_async (HavenDirectory            *self,
                              const HavenDirectoryQuery *query,
                              GCancellable              *cancellable,
                              GAsyncReadyCallback        callback,
                              gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HAVEN_IS_DIRECTORY (self));
  g_return_if_fail (query != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_directory_search_async);
  g_task_set_task_data (task, haven_directory_query_copy (query),
                        (GDestroyNotify) haven_directory_query_free);
  /* A newer search makes an older one pointless. */
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, search_thread);
}

/**
 * haven_directory_search_finish:
 *
 * Returns: (transfer full): a list of #HavenService, best first
 */
GListModel *
haven_directory_search_finish (HavenDirectory  *self,
                               GAsyncResult    *result,
                               guint           *n_matches,
                               GError         **error)
{
  SearchResult *search;
  GListModel *results;

  g_return_val_if_fail (HAVEN_IS_DIRECTORY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == haven_directory_search_async,
                        NULL);

  search = g_task_propagate_pointer (G_TASK (result), error);
  if (search == NULL)
    return NULL;

  if (n_matches != NULL)
    *n_matches = search->n_matches;
  results = g_steal_pointer (&search->results);
  search_result_free (search);

  return results;
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
  stats->n_regions = count (self, "SELECT COUNT(DISTINCT code) FROM service_regions "
                                  "WHERE code != '*'");
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
