/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-notice-report"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "haven-json.h"
#include "haven-notice-report.h"
#include "haven-request.h"

/* The notice report's figures, its JSON and its CSV. The definitions
 * live here once (data/api/haven-caseworker-api-v1.md, "Notice report"):
 * the receiver only says which addresses there are, and this counts them.
 *
 * A notice is one case's addresses at one hosting provider. While a
 * report is built, every count keeps the set of notices it has seen, so
 * that a notice counts once in each; the sets hold the case references
 * the receiver passes, in memory only, and are never written out. */

/* Between the parts of a set's keys: no id, host or category holds it. */
#define SEP "\x1f"

struct _HavenNoticeReport
{
  GObject parent_instance;

  char *from;
  char *to;
  guint64 notices;
  guint64 addresses;
  /* HavenNoticeReportRow *, sorted when sorted is TRUE. */
  GPtrArray *rows;
  /* HavenNoticeReportCount *, one array per dimension, likewise. */
  GPtrArray *totals[HAVEN_NOTICE_REPORT_N_DIMENSIONS];
  gboolean sorted;

  /* While it is built (haven_notice_report_new()): the rows and counts by
   * their keys, and the notices each has seen. NULL for a report read
   * from JSON. */
  GHashTable *row_index;
  GHashTable *total_index[HAVEN_NOTICE_REPORT_N_DIMENSIONS];
  GHashTable *seen;
};

G_DEFINE_FINAL_TYPE (HavenNoticeReport, haven_notice_report, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (HavenNoticeReportCount, haven_notice_report_count,
                     haven_notice_report_count_copy, haven_notice_report_count_free)

G_DEFINE_QUARK (haven-notice-report-error-quark, haven_notice_report_error)

/* The members of the JSON's "totals", and the CSV's columns, by dimension. */
static const char * const dimension_names[HAVEN_NOTICE_REPORT_N_DIMENSIONS] = {
  [HAVEN_NOTICE_REPORT_BY_PROVIDER] = "hosting_provider",
  [HAVEN_NOTICE_REPORT_BY_CATEGORY] = "category",
  [HAVEN_NOTICE_REPORT_BY_ACTION] = "action",
};

static const char * const actions[] = {
  "awaiting-answer", "receipt-confirmed", "removed", "restricted", "refused", "appealed",
  "no-response", "not-found", "withdrawn", NULL,
};

/* The longest host name DNS allows. */
#define MAX_HOSTING_PROVIDER_LENGTH 253

static void
row_free (HavenNoticeReportRow *row)
{
  g_free (row->hosting_provider);
  g_free (row->category);
  g_free (row->action);
  g_free (row);
}

HavenNoticeReportCount *
haven_notice_report_count_copy (const HavenNoticeReportCount *count)
{
  HavenNoticeReportCount *copy = g_new0 (HavenNoticeReportCount, 1);

  copy->key = g_strdup (count->key);
  copy->notices = count->notices;
  copy->addresses = count->addresses;
  return copy;
}

void
haven_notice_report_count_free (HavenNoticeReportCount *count)
{
  if (count == NULL)
    return;

  g_free (count->key);
  g_free (count);
}

static void
haven_notice_report_finalize (GObject *object)
{
  HavenNoticeReport *self = HAVEN_NOTICE_REPORT (object);

  g_free (self->from);
  g_free (self->to);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->row_index, g_hash_table_unref);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  for (guint i = 0; i < HAVEN_NOTICE_REPORT_N_DIMENSIONS; i++)
    {
      g_clear_pointer (&self->totals[i], g_ptr_array_unref);
      g_clear_pointer (&self->total_index[i], g_hash_table_unref);
    }

  G_OBJECT_CLASS (haven_notice_report_parent_class)->finalize (object);
}

static void
haven_notice_report_class_init (HavenNoticeReportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = haven_notice_report_finalize;
}

static void
haven_notice_report_init (HavenNoticeReport *self)
{
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  for (guint i = 0; i < HAVEN_NOTICE_REPORT_N_DIMENSIONS; i++)
    self->totals[i] = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                      haven_notice_report_count_free);
  self->sorted = TRUE;
}

/* Names ------------------------------------------------------------------- */

gboolean
haven_notice_report_is_hosting_provider (const char *text)
{
  gsize length;

  if (text == NULL)
    return FALSE;

  length = strlen (text);
  if (length == 0 || length > MAX_HOSTING_PROVIDER_LENGTH)
    return FALSE;
  if (!g_ascii_islower (text[0]) && !g_ascii_isdigit (text[0]))
    return FALSE;

  for (gsize i = 1; i < length; i++)
    {
      if (!g_ascii_islower (text[i]) && !g_ascii_isdigit (text[i]) && text[i] != '.' &&
          text[i] != '-')
        return FALSE;
    }

  return TRUE;
}

const char * const *
haven_notice_report_get_actions (void)
{
  return actions;
}

const char *
haven_notice_report_action_for_outcome (const char *outcome)
{
  if (outcome == NULL)
    return NULL;

  /* The platform owes an answer: what the notice awaits, not what it did. */
  if (g_str_equal (outcome, "notice-sent"))
    return "awaiting-answer";

  for (guint i = 1; actions[i] != NULL; i++)
    {
      if (g_str_equal (outcome, actions[i]))
        return actions[i];
    }

  return NULL;
}

static gboolean
is_category (const char *text)
{
  return g_strcmp0 (text, HAVEN_NOTICE_REPORT_UNRECORDED) == 0 ||
         haven_request_is_category_id (text);
}

/* Whether @text is a value of @dimension, as the API may send it. */
static gboolean
is_key (HavenNoticeReportDimension  dimension,
        const char                 *text)
{
  switch (dimension)
    {
    case HAVEN_NOTICE_REPORT_BY_PROVIDER:
      return haven_notice_report_is_hosting_provider (text);
    case HAVEN_NOTICE_REPORT_BY_CATEGORY:
      return is_category (text);
    case HAVEN_NOTICE_REPORT_BY_ACTION:
      return text != NULL && g_strv_contains (actions, text);
    default:
      g_assert_not_reached ();
    }
}

/* Ranges ------------------------------------------------------------------ */

/* "YYYY-MM-DD" and a day of the calendar, nothing around it. */
static gboolean
parse_day (const char *text,
           GDate      *date)
{
  guint64 year;
  guint64 month;
  guint64 day;
  char part[5];

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;

  for (guint i = 0; i < 10; i++)
    {
      if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
        return FALSE;
    }

  memcpy (part, text, 4);
  part[4] = '\0';
  year = g_ascii_strtoull (part, NULL, 10);
  memcpy (part, text + 5, 2);
  part[2] = '\0';
  month = g_ascii_strtoull (part, NULL, 10);
  memcpy (part, text + 8, 2);
  day = g_ascii_strtoull (part, NULL, 10);

  if (!g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return FALSE;

  g_date_clear (date, 1);
  g_date_set_dmy (date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return TRUE;
}

/**
 * haven_notice_report_check_range:
 * @from: the first day, "YYYY-MM-DD"
 * @to: the last day, "YYYY-MM-DD"
 *
 * Returns: whether a report may cover @from to @to; otherwise @error, in
 *   HAVEN_NOTICE_REPORT_ERROR, says what is wrong in words for whoever
 *   typed the days
 */
gboolean
haven_notice_report_check_range (const char  *from,
                                 const char  *to,
                                 GError     **error)
{
  GDate first;
  GDate last;
  gint days;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!parse_day (from, &first) || !parse_day (to, &last))
    {
      g_set_error (error, HAVEN_NOTICE_REPORT_ERROR, HAVEN_NOTICE_REPORT_ERROR_BAD_DATE,
                   /* Translators: %s is what was typed for a day. */
                   _("“%s” is not a day written as YYYY-MM-DD, such as 2026-12-31"),
                   !parse_day (from, &first) ? (from != NULL ? from : "")
                                             : (to != NULL ? to : ""));
      return FALSE;
    }

  days = g_date_days_between (&first, &last) + 1;
  if (days < 1)
    {
      g_set_error (error, HAVEN_NOTICE_REPORT_ERROR, HAVEN_NOTICE_REPORT_ERROR_BAD_RANGE,
                   /* Translators: the two %s are days, such as 2026-12-31. */
                   _("The range ends on %s, before it starts on %s"), to, from);
      return FALSE;
    }

  if (days > HAVEN_NOTICE_REPORT_MAX_DAYS)
    {
      g_set_error (error, HAVEN_NOTICE_REPORT_ERROR, HAVEN_NOTICE_REPORT_ERROR_BAD_RANGE,
                   /* Translators: %d is a number of days above 3660, the most a
                    * report covers. */
                   ngettext ("The range is %d day long; a report covers at most 3660 days",
                             "The range is %d days long; a report covers at most 3660 days",
                             days),
                   days);
      return FALSE;
    }

  return TRUE;
}

/* Building ---------------------------------------------------------------- */

/**
 * haven_notice_report_new:
 * @from: the first day, "YYYY-MM-DD" (UTC)
 * @to: the last day, "YYYY-MM-DD" (UTC)
 *
 * Returns: (transfer full): an empty report, or NULL with @error when the
 *   range is not one a report may cover
 */
HavenNoticeReport *
haven_notice_report_new (const char  *from,
                         const char  *to,
                         GError     **error)
{
  HavenNoticeReport *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!haven_notice_report_check_range (from, to, error))
    return NULL;

  self = g_object_new (HAVEN_TYPE_NOTICE_REPORT, NULL);
  self->from = g_strdup (from);
  self->to = g_strdup (to);
  self->row_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < HAVEN_NOTICE_REPORT_N_DIMENSIONS; i++)
    self->total_index[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return self;
}

/* Whether @notice is new to the count that @scope names. */
static gboolean
first_time (HavenNoticeReport *self,
            const char        *scope,
            const char        *notice)
{
  return g_hash_table_add (self->seen, g_strconcat (scope, SEP, notice, NULL));
}

static void
count_in_total (HavenNoticeReport          *self,
                HavenNoticeReportDimension  dimension,
                const char                 *key,
                const char                 *notice)
{
  HavenNoticeReportCount *count = g_hash_table_lookup (self->total_index[dimension], key);
  g_autofree char *scope = g_strdup_printf ("%s" SEP "%s", dimension_names[dimension], key);

  if (count == NULL)
    {
      count = g_new0 (HavenNoticeReportCount, 1);
      count->key = g_strdup (key);
      g_ptr_array_add (self->totals[dimension], count);
      g_hash_table_insert (self->total_index[dimension], g_strdup (key), count);
    }

  count->addresses++;
  if (first_time (self, scope, notice))
    count->notices++;
}

/**
 * haven_notice_report_add_address:
 * @notice_id: what tells this address's notice from others', such as its
 *   case reference; never written out
 * @hosting_provider: where its notice went, or HAVEN_NOTICE_REPORT_UNRECORDED
 * @category: its case's category, or HAVEN_NOTICE_REPORT_UNRECORDED
 * @action: one of haven_notice_report_get_actions()
 *
 * Counts one address in the report, its row and each dimension's totals;
 * its notice (@notice_id at @hosting_provider) counts once in each.
 */
void
haven_notice_report_add_address (HavenNoticeReport *self,
                                 const char        *notice_id,
                                 const char        *hosting_provider,
                                 const char        *category,
                                 const char        *action)
{
  g_autofree char *notice = NULL;
  g_autofree char *row_key = NULL;
  HavenNoticeReportRow *row;

  g_return_if_fail (HAVEN_IS_NOTICE_REPORT (self));
  g_return_if_fail (self->seen != NULL);
  g_return_if_fail (notice_id != NULL && hosting_provider != NULL && category != NULL &&
                    action != NULL);

  notice = g_strconcat (notice_id, SEP, hosting_provider, NULL);
  row_key = g_strconcat (hosting_provider, SEP, category, SEP, action, NULL);

  self->addresses++;
  if (first_time (self, "report", notice))
    self->notices++;

  row = g_hash_table_lookup (self->row_index, row_key);
  if (row == NULL)
    {
      row = g_new0 (HavenNoticeReportRow, 1);
      row->hosting_provider = g_strdup (hosting_provider);
      row->category = g_strdup (category);
      row->action = g_strdup (action);
      g_ptr_array_add (self->rows, row);
      g_hash_table_insert (self->row_index, g_strdup (row_key), row);
    }
  row->addresses++;
  {
    g_autofree char *scope = g_strconcat ("row", SEP, row_key, NULL);

    if (first_time (self, scope, notice))
      row->notices++;
  }

  count_in_total (self, HAVEN_NOTICE_REPORT_BY_PROVIDER, hosting_provider, notice);
  count_in_total (self, HAVEN_NOTICE_REPORT_BY_CATEGORY, category, notice);
  count_in_total (self, HAVEN_NOTICE_REPORT_BY_ACTION, action, notice);
  self->sorted = FALSE;
}

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const HavenNoticeReportRow *first = *(const HavenNoticeReportRow * const *) a;
  const HavenNoticeReportRow *second = *(const HavenNoticeReportRow * const *) b;
  int order = strcmp (first->hosting_provider, second->hosting_provider);

  if (order == 0)
    order = strcmp (first->category, second->category);
  if (order == 0)
    order = strcmp (first->action, second->action);
  return order;
}

static int
compare_counts (gconstpointer a,
                gconstpointer b)
{
  const HavenNoticeReportCount *first = *(const HavenNoticeReportCount * const *) a;
  const HavenNoticeReportCount *second = *(const HavenNoticeReportCount * const *) b;

  return strcmp (first->key, second->key);
}

/* Bytewise, so that the order is the same in every locale and on every
 * store. */
static void
ensure_sorted (HavenNoticeReport *self)
{
  if (self->sorted)
    return;

  g_ptr_array_sort (self->rows, compare_rows);
  for (guint i = 0; i < HAVEN_NOTICE_REPORT_N_DIMENSIONS; i++)
    g_ptr_array_sort (self->totals[i], compare_counts);
  self->sorted = TRUE;
}

/* Reading JSON ------------------------------------------------------------ */

static gboolean
invalid (GError     **error,
         const char  *member)
{
  g_set_error (error, HAVEN_NOTICE_REPORT_ERROR, HAVEN_NOTICE_REPORT_ERROR_INVALID,
               /* Translators: %s names the part of the report, such as "rows". */
               _("The notice report is not what the caseworker API says (%s)"), member);
  return FALSE;
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  return haven_json_object_get_string (object, member);
}

/* A whole number from @minimum up; JSON's 1.0 is not one. */
static gboolean
get_count (JsonObject *object,
           const char *member,
           gint64      minimum,
           guint64    *value)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < minimum)
    return FALSE;

  *value = (guint64) json_node_get_int (node);
  return TRUE;
}

static JsonArray *
get_array (JsonObject *object,
           const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
read_rows (HavenNoticeReport  *self,
           JsonArray          *array,
           GError            **error)
{
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *object;
      HavenNoticeReportRow *row;
      const char *provider;
      const char *category;
      const char *action;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return invalid (error, "rows");
      object = json_node_get_object (node);

      provider = get_string (object, "hosting_provider");
      category = get_string (object, "category");
      action = get_string (object, "action");
      if (!is_key (HAVEN_NOTICE_REPORT_BY_PROVIDER, provider))
        return invalid (error, "hosting_provider");
      if (!is_key (HAVEN_NOTICE_REPORT_BY_CATEGORY, category))
        return invalid (error, "category");
      if (!is_key (HAVEN_NOTICE_REPORT_BY_ACTION, action))
        return invalid (error, "action");

      row = g_new0 (HavenNoticeReportRow, 1);
      row->hosting_provider = g_strdup (provider);
      row->category = g_strdup (category);
      row->action = g_strdup (action);
      g_ptr_array_add (self->rows, row);

      /* A row holds one address at least, and each of its notices one of
       * its addresses. */
      if (!get_count (object, "notices", 1, &row->notices) ||
          !get_count (object, "addresses", 1, &row->addresses) ||
          row->notices > row->addresses)
        return invalid (error, "rows");

      if (!g_hash_table_add (keys, g_strconcat (provider, SEP, category, SEP, action, NULL)))
        return invalid (error, "rows");
    }

  return TRUE;
}

static const char *
row_value (const HavenNoticeReportRow *row,
           HavenNoticeReportDimension  dimension)
{
  switch (dimension)
    {
    case HAVEN_NOTICE_REPORT_BY_PROVIDER:
      return row->hosting_provider;
    case HAVEN_NOTICE_REPORT_BY_CATEGORY:
      return row->category;
    case HAVEN_NOTICE_REPORT_BY_ACTION:
      return row->action;
    default:
      g_assert_not_reached ();
    }
}

/* One dimension's totals, and whether they fit the rows: the same values,
 * each value's addresses the sum of its rows', its notices no fewer than
 * any of its rows' and no more than their sum. A notice has one hosting
 * provider and its case one category, so their notices add up to the
 * report's; within one action, a notice is in one row only, so an
 * action's notices are its rows'. */
static gboolean
read_totals (HavenNoticeReport           *self,
             HavenNoticeReportDimension   dimension,
             JsonArray                   *array,
             GError                     **error)
{
  const char *name = dimension_names[dimension];
  guint64 notices = 0;
  guint64 addresses = 0;
  guint n_values = 0;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      HavenNoticeReportCount *count;
      JsonObject *object;
      const char *key;
      guint64 row_notices = 0;
      guint64 most_notices = 0;
      guint64 row_addresses = 0;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return invalid (error, "totals");
      object = json_node_get_object (node);
      key = get_string (object, "key");
      if (!is_key (dimension, key))
        return invalid (error, name);

      count = g_new0 (HavenNoticeReportCount, 1);
      count->key = g_strdup (key);
      g_ptr_array_add (self->totals[dimension], count);
      if (!get_count (object, "notices", 1, &count->notices) ||
          !get_count (object, "addresses", 1, &count->addresses))
        return invalid (error, "totals");

      for (guint j = 0; j < i; j++)
        {
          HavenNoticeReportCount *other = g_ptr_array_index (self->totals[dimension], j);

          if (g_str_equal (other->key, key))
            return invalid (error, "totals");
        }

      for (guint r = 0; r < self->rows->len; r++)
        {
          HavenNoticeReportRow *row = g_ptr_array_index (self->rows, r);

          if (!g_str_equal (row_value (row, dimension), key))
            continue;
          n_values++;
          row_notices += row->notices;
          most_notices = MAX (most_notices, row->notices);
          row_addresses += row->addresses;
        }

      if (count->addresses != row_addresses || count->notices < most_notices ||
          count->notices > row_notices ||
          (dimension == HAVEN_NOTICE_REPORT_BY_ACTION && count->notices != row_notices))
        return invalid (error, "totals");

      notices += count->notices;
      addresses += count->addresses;
    }

  /* Every row's value has its total. */
  if (n_values != self->rows->len || addresses != self->addresses ||
      (dimension != HAVEN_NOTICE_REPORT_BY_ACTION && notices != self->notices) ||
      (dimension == HAVEN_NOTICE_REPORT_BY_ACTION && notices < self->notices))
    return invalid (error, "totals");

  return TRUE;
}

/**
 * haven_notice_report_new_from_json:
 * @data: the answer of GET /v1/reports/notices
 * @length: its length in bytes
 *
 * Returns: (transfer full): the report, or NULL with @error
 */
HavenNoticeReport *
haven_notice_report_new_from_json (const char  *data,
                                   gsize        length,
                                   GError     **error)
{
  g_autoptr(HavenNoticeReport) self = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonNode *totals;
  JsonArray *rows;
  const char *from;
  const char *to;
  guint64 row_addresses = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!haven_json_load (parser, data, (gssize) length, &local_error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      invalid (error, "JSON");
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));

  from = get_string (root, "from");
  to = get_string (root, "to");
  if (from == NULL || to == NULL)
    {
      invalid (error, "from, to");
      return NULL;
    }
  if (!haven_notice_report_check_range (from, to, error))
    return NULL;

  self = g_object_new (HAVEN_TYPE_NOTICE_REPORT, NULL);
  self->from = g_strdup (from);
  self->to = g_strdup (to);

  if (!get_count (root, "notices", 0, &self->notices) ||
      !get_count (root, "addresses", 0, &self->addresses) ||
      self->notices > self->addresses || (self->notices == 0) != (self->addresses == 0))
    {
      invalid (error, "notices, addresses");
      return NULL;
    }

  rows = get_array (root, "rows");
  if (rows == NULL || !read_rows (self, rows, error))
    {
      if (rows == NULL)
        invalid (error, "rows");
      return NULL;
    }
  for (guint i = 0; i < self->rows->len; i++)
    row_addresses += ((HavenNoticeReportRow *) g_ptr_array_index (self->rows, i))->addresses;
  if (row_addresses != self->addresses)
    {
      invalid (error, "rows");
      return NULL;
    }

  totals = json_object_get_member (root, "totals");
  if (totals == NULL || !JSON_NODE_HOLDS_OBJECT (totals))
    {
      invalid (error, "totals");
      return NULL;
    }
  for (guint i = 0; i < HAVEN_NOTICE_REPORT_N_DIMENSIONS; i++)
    {
      JsonArray *array = get_array (json_node_get_object (totals), dimension_names[i]);

      if (array == NULL)
        {
          invalid (error, "totals");
          return NULL;
        }
      if (!read_totals (self, (HavenNoticeReportDimension) i, array, error))
        return NULL;
    }

  /* In the API's order whatever order they came in. */
  self->sorted = FALSE;
  ensure_sorted (self);

  return g_steal_pointer (&self);
}

/* Writing ----------------------------------------------------------------- */

static void
add_count_members (JsonBuilder *builder,
                   guint64      notices,
                   guint64      addresses)
{
  json_builder_set_member_name (builder, "notices");
  json_builder_add_int_value (builder, (gint64) notices);
  json_builder_set_member_name (builder, "addresses");
  json_builder_add_int_value (builder, (gint64) addresses);
}

/**
 * haven_notice_report_to_json:
 *
 * Returns: (transfer full): the report as the API answers it
 */
char *
haven_notice_report_to_json (HavenNoticeReport *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (HAVEN_IS_NOTICE_REPORT (self), NULL);

  ensure_sorted (self);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "from");
  json_builder_add_string_value (builder, self->from);
  json_builder_set_member_name (builder, "to");
  json_builder_add_string_value (builder, self->to);
  add_count_members (builder, self->notices, self->addresses);

  json_builder_set_member_name (builder, "rows");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->rows->len; i++)
    {
      HavenNoticeReportRow *row = g_ptr_array_index (self->rows, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "hosting_provider");
      json_builder_add_string_value (builder, row->hosting_provider);
      json_builder_set_member_name (builder, "category");
      json_builder_add_string_value (builder, row->category);
      json_builder_set_member_name (builder, "action");
      json_builder_add_string_value (builder, row->action);
      add_count_members (builder, row->notices, row->addresses);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "totals");
  json_builder_begin_object (builder);
  for (guint i = 0; i < HAVEN_NOTICE_REPORT_N_DIMENSIONS; i++)
    {
      json_builder_set_member_name (builder, dimension_names[i]);
      json_builder_begin_array (builder);
      for (guint j = 0; j < self->totals[i]->len; j++)
        {
          HavenNoticeReportCount *count = g_ptr_array_index (self->totals[i], j);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "key");
          json_builder_add_string_value (builder, count->key);
          add_count_members (builder, count->notices, count->addresses);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* One field of RFC 4180, and the comma or line end after it. */
static void
append_csv_field (GString    *csv,
                  const char *value,
                  gboolean    last)
{
  if (strpbrk (value, ",\"\r\n") != NULL)
    {
      g_string_append_c (csv, '"');
      for (const char *c = value; *c != '\0'; c++)
        {
          if (*c == '"')
            g_string_append_c (csv, '"');
          g_string_append_c (csv, *c);
        }
      g_string_append_c (csv, '"');
    }
  else
    {
      g_string_append (csv, value);
    }

  g_string_append (csv, last ? "\r\n" : ",");
}

/**
 * haven_notice_report_to_csv:
 *
 * Returns: (transfer full): the rows as CSV, for a spreadsheet or a
 *   publication
 */
GBytes *
haven_notice_report_to_csv (HavenNoticeReport *self)
{
  GString *csv;

  g_return_val_if_fail (HAVEN_IS_NOTICE_REPORT (self), NULL);

  ensure_sorted (self);

  csv = g_string_new (HAVEN_NOTICE_REPORT_CSV_HEADER "\r\n");
  for (guint i = 0; i < self->rows->len; i++)
    {
      HavenNoticeReportRow *row = g_ptr_array_index (self->rows, i);
      g_autofree char *notices = g_strdup_printf ("%" G_GUINT64_FORMAT, row->notices);
      g_autofree char *addresses = g_strdup_printf ("%" G_GUINT64_FORMAT, row->addresses);

      append_csv_field (csv, row->hosting_provider, FALSE);
      append_csv_field (csv, row->category, FALSE);
      append_csv_field (csv, row->action, FALSE);
      append_csv_field (csv, notices, FALSE);
      append_csv_field (csv, addresses, TRUE);
    }

  return g_string_free_to_bytes (csv);
}

/* Getters ----------------------------------------------------------------- */

const char *
haven_notice_report_get_from (HavenNoticeReport *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE_REPORT (self), NULL);
  return self->from;
}

const char *
haven_notice_report_get_to (HavenNoticeReport *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE_REPORT (self), NULL);
  return self->to;
}

guint64
haven_notice_report_get_notices (HavenNoticeReport *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE_REPORT (self), 0);
  return self->notices;
}

guint64
haven_notice_report_get_addresses (HavenNoticeReport *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE_REPORT (self), 0);
  return self->addresses;
}

guint
haven_notice_report_get_n_rows (HavenNoticeReport *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE_REPORT (self), 0);
  return self->rows->len;
}

const HavenNoticeReportRow *
haven_notice_report_get_row (HavenNoticeReport *self,
                             guint              index)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE_REPORT (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);

  ensure_sorted (self);
  return g_ptr_array_index (self->rows, index);
}

GPtrArray *
haven_notice_report_count_by (HavenNoticeReport          *self,
                              HavenNoticeReportDimension  dimension)
{
  GPtrArray *counts;

  g_return_val_if_fail (HAVEN_IS_NOTICE_REPORT (self), NULL);
  g_return_val_if_fail (dimension < HAVEN_NOTICE_REPORT_N_DIMENSIONS, NULL);

  ensure_sorted (self);
  counts = g_ptr_array_new_full (self->totals[dimension]->len,
                                 (GDestroyNotify) haven_notice_report_count_free);
  for (guint i = 0; i < self->totals[dimension]->len; i++)
    g_ptr_array_add (counts, haven_notice_report_count_copy (
                               g_ptr_array_index (self->totals[dimension], i)));
  return counts;
}
