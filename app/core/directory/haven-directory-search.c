/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-directory"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-category-mapping.h"
#include "haven-directory-private.h"
#include "haven-schedule.h"
#include "haven-search-text.h"

/* Searching the service directory: the filters and the ranking, applied to
 * the facets read into memory when it was opened (haven-directory.c).
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
 * them. One to three letters are read from FTS5's own prefix indexes. What
 * a search costs then grows with the services near the kiosk, not with the
 * directory. */

#define DEFAULT_LIMIT 20
#define MAX_LIMIT 500

/* Must match haven-directory-writer.c: how it makes rowids, and the
 * prefix lengths services_fts keeps an index for (prefix='1 2 3'). */
#define PARTITION_SHIFT 32
#define SHORTEST_INDEXED_PREFIX 1
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
  /* Must match the index's (haven-directory-writer.c). */
  static const char *const tokenizer_arguments[] = {
    "remove_diacritics", "2", "categories", "L* N* Co Mc",
  };
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

/**
 * haven_directory_prepare_search:
 *
 * Registers the ranking function and prepares the statements a search
 * runs, once, when the directory is opened.
 */
gboolean
haven_directory_prepare_search (HavenDirectory  *self,
                                GError         **error)
{
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
                          -1, SQLITE_PREPARE_PERSISTENT, &self->words, NULL) != SQLITE_OK)
    return haven_directory_database_error (self, error);

  return TRUE;
}

static guint16
lookup_code (GHashTable *codes,
             const char *code)
{
  return code != NULL ? GPOINTER_TO_UINT (g_hash_table_lookup (codes, code)) : 0;
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
  /* The best text score a service can have: every word in its name. */
  double max_score;
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

/* The schedule @index of self->schedules, made the first time it is
 * asked for; NULL when its stored rows are damaged. Called with the lock
 * held. */
static HavenSchedule *
get_schedule (HavenDirectory *self,
              guint32         index)
{
  HavenSchedule *schedule = g_ptr_array_index (self->schedules, index);
  guint32 first, end;

  if (schedule != NULL)
    return schedule;

  first = g_array_index (self->schedule_starts, guint32, index);
  end = g_array_index (self->schedule_starts, guint32, index + 1);
  schedule = haven_schedule_new_from_rows (&g_array_index (self->schedule_rows,
                                                           HavenScheduleStoredRow, first),
                                           end - first, self->schedule_rules);

  g_ptr_array_index (self->schedules, index) = schedule;
  return schedule;
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

  /* Made for the visitor's kind of harm first, then help with any harm.
   * A service made for other kinds of harm plainly does not fit, even
   * when it also offers general support: a scam recovery group is no
   * answer to shared intimate images. */
  if (plan->category_bit != 0)
    {
      if (facets->categories_specific & plan->category_bit)
        candidate->category_rank = 2;
      else if ((facets->categories_general & plan->category_bit) &&
               facets->categories_specific == 0)
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
        {
          HavenSchedule *schedule = get_schedule (self, facets->schedule);

          /* A damaged schedule fails the search when its service is
           * shown (load_service()). */
          *open = schedule != NULL && haven_schedule_is_open (schedule, &plan->time)
                    ? OPEN_YES : OPEN_NO;
        }
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

/* Whether a candidate with these keys could be among the results with
 * the best text score a service can have, @max_score: if not, its score
 * need not be worked out. Once the results are full of services whose
 * names hold every word (as for the first letters of a common word), a
 * later one with the same keys can only come after them, and the text
 * score, which asks the index about every phrase, was a third of what
 * such a search cost (a first letter, a dozen phrases). */
static gboolean
top_list_may_take (TopList         *top,
                   const Candidate *candidate,
                   double           max_score)
{
  const Candidate *last;

  if (top->length < top->limit)
    return TRUE;

  last = &top->items[top->length - 1];
  if (candidate->category_rank != last->category_rank)
    return candidate->category_rank > last->category_rank;
  if (candidate->reach != last->reach)
    return candidate->reach > last->reach;
  if (candidate->language_rank != last->language_rank)
    return candidate->language_rank > last->language_rank;
  /* As compare_candidates() orders the same keys. */
  return max_score > last->score || (max_score == last->score && candidate->order < last->order);
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

  if (top_list_may_take (search->top, &candidate, search->plan->max_score))
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

/* The entries of @statement's table (words) that begin with @prefix, at
 * most @limit of them. */
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
  g_autofree char *folded = haven_search_text_fold_query (text);
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);

  self->tokenizer_class.xTokenize (self->tokenizer, tokens, FTS5_TOKENIZE_QUERY, folded,
                                   strlen (folded), collect_token);
  if (tokens->len == 0)
    return;

  plan->match = g_string_new (NULL);
  plan->phrase_words = g_array_new (FALSE, FALSE, sizeof (guint8));
  for (guint i = 0; i < G_N_ELEMENTS (column_weights); i++)
    plan->max_score = MAX (plan->max_score, column_weights[i]);
  plan->max_score *= tokens->len;

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
          append_phrase (plan->match, word, FALSE);
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
      int index = haven_category_mapping_category_index (query->category);

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
      haven_directory_database_error (self, error);
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
      HavenSchedule *schedule = get_schedule (self, facets->schedule);

      if (schedule == NULL)
        {
          g_set_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_CORRUPT,
                       _("The service directory %s is damaged; import it again"), self->path);
          return NULL;
        }

      open_now = !(facets->flags & SERVICE_FLAG_TEMPORARILY_CLOSED) &&
                 haven_schedule_is_open (schedule, &plan->time);
      hours = haven_schedule_describe_day (schedule, &plan->time);
      /* A visitor who finds it closed is told when to come back. */
      if (!open_now && !(facets->flags & SERVICE_FLAG_TEMPORARILY_CLOSED))
        {
          g_autofree char *next = haven_schedule_describe_next_opening (schedule, &plan->time);

          haven_service_set_next_opening (service, next);
        }
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
  const guint32 *places = (const guint32 *) (void *) self->region_services->data;
  const guint32 *starts = (const guint32 *) (void *) self->region_starts->data;
  guint positions[3] = { 0, 0, 0 };
  guint ends[3] = { 0, 0, 0 };
  guint16 ids[3] = { plan->region_local, plan->region_national, plan->region_anywhere };

  for (guint i = 0; i < 3; i++)
    {
      if (ids[i] != 0 && ids[i] + 1u < self->region_starts->len)
        {
          positions[i] = starts[ids[i]];
          ends[i] = starts[ids[i] + 1];
        }
    }

  /* The three lists are in service order: merge them, each service
   * once. */
  while (TRUE)
    {
      guint32 service = G_MAXUINT32;
      Candidate candidate;

      for (guint i = 0; i < 3; i++)
        {
          if (positions[i] < ends[i])
            service = MIN (service, places[positions[i]]);
        }
      if (service == G_MAXUINT32)
        break;
      for (guint i = 0; i < 3; i++)
        {
          if (positions[i] < ends[i] && places[positions[i]] == service)
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
          return haven_directory_database_error (self, error), NULL;
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
