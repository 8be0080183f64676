/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-directory-search"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "haven-directory.h"
#include "haven-directory-import.h"
#include "haven-schedule.h"
#include "haven-search-text.h"

/* Search over tests/data/directory/services.json, imported once. Its
 * services, in import order:
 *   svc-fraud-london           fraud, GB-LND, en ar, Mon–Fri 09–17, free
 *   svc-fraud-national         fraud, GB, en, 24 hours, "Free."
 *   svc-victim-support-london  victim support (every category), GB-LND, es en,
 *                              Friday 22:00–06:00
 *   svc-vietnamese             fraud, GB-LND, vi, Tue and Thu 10–14
 *   svc-chinese                fraud, GB-LND, zh, Mon–Fri 09–18
 *   svc-online                 harassment, anywhere, en fr, daily 08–20
 *   svc-manchester             image abuse, GB-MAN, en, no hours
 *   svc-new-york               fraud, US-NY, en es, Mon–Fri 09–17
 *   svc-temporarily-closed     fraud, GB-LND, en, 24 hours but closed
 * The kiosk's time zone is Europe/London; every time is explicit. */

static HavenDirectory *directory;

/* The demo directory Haven ships (data/directory/demo-directory.json). */
static HavenDirectory *demo;

/* A second directory, of services that cover several areas, which the
 * importer indexes in several partitions or in a country's shared one
 * ("GB+" for more than four of its subdivisions). Each is named
 * "Harbour ...", so that every prefix of "harbour" finds all of them. In
 * import order:
 *   svc-boroughs          GB-LND GB-CMD GB-HCK GB-ISL GB-TWH
 *   svc-two-cities        GB-LND GB-MAN
 *   svc-two-countries     GB FR
 *   svc-national-and-local GB GB-LND
 *   svc-anywhere-and-local * GB-MAN
 *   svc-paris             FR-75, and 36 words that begin with "quok",
 *                         and 36 that begin with "x"
 *   svc-leeds             GB-LDS, the same 72 words */
static HavenDirectory *areas;

#define AREA_SERVICE(id, codes, extra) \
  "{\"id\": \"" id "\", \"name\": \"Harbour " id "\", \"description\": \"" extra "\"," \
  " \"service_areas\": [{\"id\": \"sa-" id "\", \"name\": \"Area\"," \
  " \"x_region_codes\": [" codes "]}]}"

#define MANY_WORDS \
  "quokkaa quokkab quokkac quokkad quokkae quokkaf quokkag quokkah quokkai quokkaj quokkak " \
  "quokkal quokkam quokkan quokkao quokkap quokkaq quokkar quokkas quokkat quokkau quokkav " \
  "quokkaw quokkax quokkay quokkaz quokka0 quokka1 quokka2 quokka3 quokka4 quokka5 quokka6 " \
  "quokka7 quokka8 quokka9 xa xb xc xd xe xf xg xh xi xj xk xl xm xn xo xp xq xr xs xt xu xv " \
  "xw xx xy xz x0 x1 x2 x3 x4 x5 x6 x7 x8 x9"

static const char areas_json[] =
  "[" AREA_SERVICE ("svc-boroughs",
                    "\"GB-LND\", \"GB-CMD\", \"GB-HCK\", \"GB-ISL\", \"GB-TWH\"", "")
  "," AREA_SERVICE ("svc-two-cities", "\"GB-LND\", \"GB-MAN\"", "")
  "," AREA_SERVICE ("svc-two-countries", "\"GB\", \"FR\"", "")
  "," AREA_SERVICE ("svc-national-and-local", "\"GB\", \"GB-LND\"", "")
  "," AREA_SERVICE ("svc-anywhere-and-local", "\"*\", \"GB-MAN\"", "")
  "," AREA_SERVICE ("svc-paris", "\"FR-75\"", MANY_WORDS)
  "," AREA_SERVICE ("svc-leeds", "\"GB-LDS\"", MANY_WORDS)
  "]";

static HavenDirectoryQuery *
query_new (const char *text)
{
  HavenDirectoryQuery *query = haven_directory_query_new ();

  query->text = g_strdup (text);
  query->limit = 50;
  return query;
}

static GListModel *
run (HavenDirectoryQuery *query,
     guint               *n_matches)
{
  g_autoptr(GError) error = NULL;
  GListModel *results = haven_directory_search (directory, query, n_matches, &error);

  g_assert_no_error (error);
  g_assert_nonnull (results);
  return results;
}

/* The ids of the results, in order, as one string: "a b c". */
static char *
ids_of (GListModel *results)
{
  g_autoptr(GString) ids = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(HavenService) service = g_list_model_get_item (results, i);

      if (i > 0)
        g_string_append_c (ids, ' ');
      g_string_append (ids, haven_service_get_id (service));
    }

  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static char *
search_ids (HavenDirectoryQuery *query)
{
  g_autoptr(GListModel) results = run (query, NULL);

  return ids_of (results);
}

static char *
text_ids (const char *text)
{
  g_autoptr(HavenDirectoryQuery) query = query_new (text);

  return search_ids (query);
}

static gboolean
has_id (const char *ids,
        const char *id)
{
  g_auto(GStrv) list = g_strsplit (ids, " ", -1);

  return g_strv_contains ((const char * const *) list, id);
}

static HavenService *
first_result (HavenDirectoryQuery *query)
{
  g_autoptr(GListModel) results = run (query, NULL);

  g_assert_cmpuint (g_list_model_get_n_items (results), >, 0);
  return g_list_model_get_item (results, 0);
}

static void
test_diacritics (void)
{
  const char *spellings[] = { "victimas", "víctimas", "VÍCTIMAS", "Victimas londres", "victima" };

  for (gsize i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      g_autofree char *ids = text_ids (spellings[i]);

      g_assert_cmpstr (ids, ==, "svc-victim-support-london");
    }
}

static void
test_prefix (void)
{
  g_autofree char *clinic = text_ids ("clinic");
  g_autofree char *clin = text_ids ("clin");
  g_autofree char *c = text_ids ("Fr");
  g_autofree char *nothing = text_ids ("clinics");
  g_autofree char *two_words = text_ids ("nat frau");

  g_assert_cmpstr (clinic, ==, "svc-fraud-london");
  g_assert_cmpstr (clin, ==, "svc-fraud-london");
  g_assert_true (has_id (c, "svc-fraud-london"));
  g_assert_true (has_id (c, "svc-new-york"));
  g_assert_cmpstr (nothing, ==, "");
  /* Every word must match. */
  g_assert_cmpstr (two_words, ==, "svc-fraud-national");
}

static void
test_arabic (void)
{
  g_autofree char *plain = text_ids ("الاحتيال");
  /* The same word with its short vowels written. */
  g_autofree char *vowelled = text_ids ("الاحْتِيَال");
  g_autofree char *prefix = text_ids ("عيادة التعا");
  g_autofree char *organization = text_ids ("رعاية الضحايا");
  g_autoptr(HavenDirectoryQuery) query = query_new ("الاحتيال");
  g_autoptr(HavenService) service = NULL;

  /* With or without the article and a particle, on either side: the
   * text has "الاحتيال" (the fraud) and "التعافي" (the recovery). */
  const char *particles[] = { "احتيال", "والاحتيال", "بالاحتيال", "للتعافي", "تعافي",
                              "فالاحتيال", "واحتيال" };
  /* Teh marbuta written as heh, and the Persian forms of kaf and yeh. */
  const char *spellings[] = { "عياده", "مساعده", "رعايه الضحايا", "رعایه" };

  for (gsize i = 0; i < G_N_ELEMENTS (particles); i++)
    {
      g_autofree char *ids = text_ids (particles[i]);

      if (g_strcmp0 (ids, "svc-fraud-london") != 0)
        g_error ("“%s” found “%s”", particles[i], ids);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      g_autofree char *ids = text_ids (spellings[i]);

      if (!has_id (ids, "svc-fraud-london"))
        g_error ("“%s” found “%s”", spellings[i], ids);
    }

  g_assert_cmpstr (plain, ==, "svc-fraud-london");
  g_assert_cmpstr (vowelled, ==, "svc-fraud-london");
  g_assert_cmpstr (prefix, ==, "svc-fraud-london");
  g_assert_true (has_id (organization, "svc-fraud-london"));
  g_assert_true (has_id (organization, "svc-victim-support-london"));

  /* Shown in Arabic where the directory has it, in English where not. */
  query->display_language = g_strdup ("ar");
  service = first_result (query);
  g_assert_cmpstr (haven_service_get_name (service), ==, "عيادة التعافي من الاحتيال");
  g_assert_cmpstr (haven_service_get_description (service), ==,
                   "مساعدة بعد الاحتيال عبر الإنترنت");
  g_assert_cmpstr (haven_service_get_organization (service), ==, "رعاية الضحايا في لندن");
  g_assert_cmpstr (haven_service_get_phone_description (service, 0), ==, "المواعيد");
  g_assert_cmpstrv (haven_service_get_service_areas (service),
                    ((const char *[]) { "Greater London", NULL }));
}

static void
test_vietnamese (void)
{
  const char *spellings[] = { "lừa đảo", "lua dao", "LỪA", "ho tro nan nhan" };
  g_autofree char *organization = text_ids ("luan don");

  for (gsize i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      g_autofree char *ids = text_ids (spellings[i]);

      g_assert_cmpstr (ids, ==, "svc-vietnamese");
    }
  g_assert_cmpstr (organization, ==, "svc-vietnamese");
}

static void
test_chinese (void)
{
  /* Parts of "网络诈骗援助中心" and its description, written without spaces. */
  const char *parts[] = { "诈骗", "援助", "诈", "中心", "网络诈骗援助中心", "受害者", "华人", "心" };

  for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *ids = text_ids (parts[i]);

      if (g_strcmp0 (ids, "svc-chinese") != 0)
        g_error ("“%s” found “%s”", parts[i], ids);
    }
}

/* The demo directory's services in the languages written without spaces
 * between words, in Arabic script, in Indic scripts and in Latin and
 * Cyrillic: each found by a word inside its name or description, spelt
 * as a visitor may type it. */
static void
test_new_languages (void)
{
  static const struct {
    const char *query;
    const char *name;
  } cases[] = {
    /* Thai, Khmer, Lao and Burmese: a word from inside a run. */
    { "หลอกลวง", "Bangkok Online Scam Victims Help Centre" },
    { "ผู้เสียหาย", "Bangkok Online Scam Victims Help Centre" },
    { "ผูเสียหาย", "Bangkok Online Scam Victims Help Centre" },
    { "ជំនួយ", "Phnom Penh Online Safety Helpdesk" },
    { "ការបោកប្រាស់", "Phnom Penh Online Safety Helpdesk" },
    { "សុវត្ថិភាពអនឡាញ", "Phnom Penh Online Safety Helpdesk" },
    { "ຊ່ວຍເຫຼືອ", "Vientiane Help for Online Harm" },
    { "ຫຼອກລວງ", "Vientiane Help for Online Harm" },
    { "လိမ်လည်", "Yangon Online Scam Support" },
    { "အကူအညီ", "Yangon Online Scam Support" },
    { "လိမ်လည်ခံရသူများ", "Yangon Online Scam Support" },
    /* Latin script, with and without marks. */
    { "penipuan daring", "Jakarta Online Fraud Victim Support" },
    { "mangsa penipuan", "Kuala Lumpur Online Scam Victims Centre" },
    { "panloloko", "Quezon City Help for Victims of Online Scams" },
    { "vitimas golpes", "São Paulo Help for Victims of Online Scams" },
    { "orientação", "São Paulo Help for Victims of Online Scams" },
    /* Hindi: without the nukta, and the nasal written two ways. */
    { "पीडित", "Delhi Cyber Crime Victim Help Centre" },
    { "धोखाधडी", "Delhi Cyber Crime Victim Help Centre" },
    { "केन्द्र", "Delhi Cyber Crime Victim Help Centre" },
    { "हिंदी", "Delhi Cyber Crime Victim Help Centre" },
    { "मुफ्त सलाह", "Delhi Cyber Crime Victim Help Centre" },
    /* Bengali: ya without the nukta, khanda ta as ta with virama. */
    { "হয়রানি", "Dhaka Online Harassment Help Desk" },
    { "সহাযতা", "Dhaka Online Harassment Help Desk" },
    { "হঠাত্", "Dhaka Online Harassment Help Desk" },
    /* Urdu and Persian typed on an Arabic keyboard, and a Persian word
     * with and without its zero-width non-joiner. */
    { "دهوكه", "Lahore Online Fraud Victim Support" },
    { "متاثرين", "Lahore Online Fraud Victim Support" },
    { "مفت مشوره", "Lahore Online Fraud Victim Support" },
    { "كلاهبرداري", "Tehran Online Harm Counselling" },
    { "میتوانید", "Tehran Online Harm Counselling" },
    { "می توانید", "Tehran Online Harm Counselling" },
    { "می‌توانید", "Tehran Online Harm Counselling" },
    { "والقربانیان", "Tehran Online Harm Counselling" },
    /* Ukrainian. */
    { "шахрайства", "Kyiv Online Fraud Help Line" },
    { "ДОПОМОГИ", "Kyiv Online Fraud Help Line" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HavenDirectoryQuery) query = query_new (cases[i].query);
      g_autoptr(GError) error = NULL;
      g_autoptr(GListModel) results = haven_directory_search (demo, query, NULL, &error);
      gboolean found = FALSE;

      g_assert_no_error (error);
      for (guint j = 0; j < g_list_model_get_n_items (results); j++)
        {
          g_autoptr(HavenService) service = g_list_model_get_item (results, j);

          found |= g_str_equal (haven_service_get_name (service), cases[i].name);
        }
      if (!found)
        g_error ("“%s” does not find “%s” (%u results)", cases[i].query, cases[i].name,
                 g_list_model_get_n_items (results));
    }
}

/* How a query is folded: digits of every script, the Arabic article
 * dropped, zero-width characters gone, Thai as pairs of letters. */
static void
test_fold_query (void)
{
  static const struct {
    const char *typed;
    const char *folded;
  } cases[] = {
    { "۱۲۳ ١٢٣ ১২৩ १२३ ๑๒๓", "123 123 123 123 123" },
    { "والمساعدة", "مساعده" },
    { "ولد", "ولد" },
    { "ช่วย", "ชว วย ย" },
    { "ជំនួយ\u200bជនរងគ្រោះ", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *folded = haven_search_text_fold_query (cases[i].typed);
      g_auto(GStrv) words = g_strsplit (folded, " ", -1);
      g_autofree char *joined = NULL;
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) nonempty = NULL;

      for (guint j = 0; words[j] != NULL; j++)
        if (words[j][0] != '\0')
          g_strv_builder_add (builder, words[j]);
      nonempty = g_strv_builder_end (builder);
      joined = g_strjoinv (" ", nonempty);
      if (cases[i].folded != NULL)
        g_assert_cmpstr (joined, ==, cases[i].folded);
      else
        /* The zero-width space between two Khmer words is gone: the run
         * goes on across it. */
        g_assert_null (strstr (folded, "\u200b"));
    }
}

static void
test_query_syntax (void)
{
  /* What a visitor types is never read as FTS5 syntax. */
  const char *texts[] = { "fraud\" OR name:*", "NEAR(fraud", "-fraud", "^", "(", "AND" };
  g_autoptr(HavenDirectoryQuery) blank = query_new ("  ?! ");
  guint n_matches = 0;
  g_autoptr(GListModel) all = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(HavenDirectoryQuery) query = query_new (texts[i]);
      g_autoptr(GListModel) results = run (query, NULL);
    }

  /* Nothing to search for means everything. */
  all = run (blank, &n_matches);
  g_assert_cmpuint (n_matches, ==, 9);
}

static void
test_filter_category (void)
{
  g_autoptr(HavenDirectoryQuery) query = query_new (NULL);
  g_autofree char *harassment = NULL;
  g_autofree char *images = NULL;

  query->category = g_strdup ("harassment");
  harassment = search_ids (query);
  /* Made for harassment first, then a service for every kind of harm. */
  g_assert_cmpstr (harassment, ==, "svc-online svc-victim-support-london");

  g_free (query->category);
  query->category = g_strdup ("intimate-images");
  images = search_ids (query);
  g_assert_cmpstr (images, ==, "svc-manchester svc-victim-support-london");
}

static void
test_filter_region (void)
{
  g_autoptr(HavenDirectoryQuery) query = query_new (NULL);
  g_autoptr(GListModel) results = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *country = NULL;
  g_autofree char *elsewhere = NULL;

  /* Local first, then national, then anywhere (online). */
  query->region = g_strdup ("GB-MAN");
  results = run (query, NULL);
  ids = ids_of (results);
  g_assert_cmpstr (ids, ==, "svc-manchester svc-fraud-national svc-online");

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(HavenService) service = g_list_model_get_item (results, i);
      HavenServiceReach expected[] = {
        HAVEN_SERVICE_REACH_LOCAL, HAVEN_SERVICE_REACH_NATIONAL, HAVEN_SERVICE_REACH_ANYWHERE,
      };

      g_assert_cmpint (haven_service_get_reach (service), ==, expected[i]);
    }

  /* A kiosk for the whole country: only what covers the whole country. */
  g_free (query->region);
  query->region = g_strdup ("gb");
  country = search_ids (query);
  g_assert_cmpstr (country, ==, "svc-fraud-national svc-online");

  /* A region the directory does not know still gets the online help. */
  g_free (query->region);
  query->region = g_strdup ("FR-75");
  elsewhere = search_ids (query);
  g_assert_cmpstr (elsewhere, ==, "svc-online");
}

static void
test_filter_language (void)
{
  g_autoptr(HavenDirectoryQuery) query = query_new (NULL);
  g_autofree char *spanish = NULL;
  g_autofree char *arabic = NULL;
  g_autofree char *nobody = NULL;

  query->language = g_strdup ("es");
  spanish = search_ids (query);
  g_assert_cmpstr (spanish, ==, "svc-victim-support-london svc-new-york");

  /* ISO 639-2 and locale forms mean the same language. */
  g_free (query->language);
  query->language = g_strdup ("ara");
  arabic = search_ids (query);
  g_assert_cmpstr (arabic, ==, "svc-fraud-london");

  g_free (query->language);
  query->language = g_strdup ("de");
  nobody = search_ids (query);
  g_assert_cmpstr (nobody, ==, "");
}

static void
test_filter_open_now (void)
{
  g_autoptr(HavenDirectoryQuery) query = query_new (NULL);
  g_autofree char *monday = NULL;
  g_autofree char *friday_night = NULL;
  g_autofree char *summer = NULL;

  query->open_now = TRUE;

  /* Monday 2 March 2026, 10:00 in London. */
  query->at = g_date_time_new_from_iso8601 ("2026-03-02T10:00:00Z", NULL);
  monday = search_ids (query);
  g_assert_cmpstr (monday, ==,
                   "svc-fraud-london svc-fraud-national svc-chinese svc-online svc-new-york");

  /* Friday 6 March, 23:00: the overnight service and the 24-hour line. */
  g_date_time_unref (query->at);
  query->at = g_date_time_new_from_iso8601 ("2026-03-06T23:00:00Z", NULL);
  friday_night = search_ids (query);
  g_assert_cmpstr (friday_night, ==, "svc-fraud-national svc-victim-support-london");

  /* Monday 1 June, 16:30 UTC is 17:30 in London (BST): the clinic has
   * closed, the Chinese service (to 18:00) has not. */
  g_date_time_unref (query->at);
  query->at = g_date_time_new_from_iso8601 ("2026-06-01T16:30:00Z", NULL);
  summer = search_ids (query);
  g_assert_cmpstr (summer, ==, "svc-fraud-national svc-chinese svc-online");
}

static void
test_filter_free_and_always_open (void)
{
  g_autoptr(HavenDirectoryQuery) query = query_new (NULL);
  g_autofree char *free_ids = NULL;
  g_autofree char *always = NULL;

  query->free = TRUE;
  free_ids = search_ids (query);
  g_assert_cmpstr (free_ids, ==, "svc-fraud-london svc-fraud-national");

  query->free = FALSE;
  query->always_open = TRUE;
  always = search_ids (query);
  /* The drop-in is open 24 hours but temporarily closed. */
  g_assert_cmpstr (always, ==, "svc-fraud-national");
}

static void
test_filters_combined (void)
{
  g_autoptr(HavenDirectoryQuery) query = query_new ("help");
  g_autofree char *ids = NULL;

  query->category = g_strdup ("fraud");
  query->region = g_strdup ("GB-LND");
  query->open_now = TRUE;
  query->at = g_date_time_new_from_iso8601 ("2026-03-02T10:00:00Z", NULL);
  ids = search_ids (query);
  /* "Fraud Help UK" runs the national line. */
  g_assert_cmpstr (ids, ==, "svc-fraud-london svc-fraud-national");
}

static void
test_ranking (void)
{
  g_autoptr(HavenDirectoryQuery) query = query_new (NULL);
  g_autofree char *plain = NULL;
  g_autofree char *vietnamese = NULL;
  g_autofree char *english_only = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_everywhere = NULL;
  g_autoptr(GStrvBuilder) expected = g_strv_builder_new ();

  /* Category match, then local over national, then import order. */
  query->category = g_strdup ("fraud");
  query->region = g_strdup ("GB-LND");
  plain = search_ids (query);
  g_assert_cmpstr (plain, ==,
                   "svc-fraud-london svc-vietnamese svc-chinese svc-temporarily-closed "
                   "svc-fraud-national svc-victim-support-london");

  /* The visitor's language lifts the services that speak it, within the
   * same category match and reach. */
  query->display_language = g_strdup ("vi");
  vietnamese = search_ids (query);
  g_assert_cmpstr (vietnamese, ==,
                   "svc-vietnamese svc-fraud-london svc-chinese svc-temporarily-closed "
                   "svc-fraud-national svc-victim-support-london");

  /* A language filter keeps only the services that speak it. */
  query->language = g_strdup ("en");
  english_only = search_ids (query);
  g_assert_cmpstr (english_only, ==,
                   "svc-fraud-london svc-temporarily-closed svc-fraud-national "
                   "svc-victim-support-london");

  /* Text relevance comes last: among the local fraud services, the one
   * named for fraud comes first; the national one after every local one. */
  g_clear_pointer (&query->language, g_free);
  g_clear_pointer (&query->display_language, g_free);
  query->text = g_strdup ("fraud");
  text = search_ids (query);
  g_assert_true (g_str_has_prefix (text, "svc-fraud-london "));
  g_assert_true (g_str_has_suffix (text, " svc-fraud-national"));

  /* Without category and region, relevance alone: the services named for
   * fraud before those that only mention it. */
  g_clear_pointer (&query->category, g_free);
  g_clear_pointer (&query->region, g_free);
  text_everywhere = search_ids (query);
  g_assert_true (g_str_has_prefix (text_everywhere, "svc-fraud-london svc-fraud-national ") ||
                 g_str_has_prefix (text_everywhere, "svc-fraud-national svc-fraud-london "));
}

static void
test_limit (void)
{
  g_autoptr(HavenDirectoryQuery) query = query_new (NULL);
  g_autoptr(GListModel) results = NULL;
  guint n_matches = 0;

  query->category = g_strdup ("fraud");
  query->region = g_strdup ("GB-LND");
  query->limit = 2;
  results = run (query, &n_matches);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 2);
  g_assert_cmpuint (n_matches, ==, 6);
}

static void
test_hours (void)
{
  g_autoptr(HavenDirectoryQuery) query = query_new (NULL);
  g_autoptr(GListModel) results = NULL;

  query->at = g_date_time_new_from_iso8601 ("2026-03-02T10:00:00Z", NULL);
  results = run (query, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(HavenService) service = g_list_model_get_item (results, i);
      const char *id = haven_service_get_id (service);

      if (g_str_equal (id, "svc-fraud-london"))
        {
          g_assert_true (haven_service_get_has_hours (service));
          g_assert_true (haven_service_get_open_now (service));
          g_assert_false (haven_service_get_always_open (service));
          g_assert_cmpstr (haven_service_get_hours_today (service), ==, "09:00–17:00");
        }
      else if (g_str_equal (id, "svc-fraud-national"))
        {
          g_assert_true (haven_service_get_always_open (service));
          g_assert_cmpstr (haven_service_get_hours_today (service), ==, "Open 24 hours");
        }
      else if (g_str_equal (id, "svc-temporarily-closed"))
        {
          g_assert_false (haven_service_get_open_now (service));
          g_assert_cmpstr (haven_service_get_hours_today (service), ==, "Temporarily closed");
        }
      else if (g_str_equal (id, "svc-vietnamese"))
        {
          g_assert_false (haven_service_get_open_now (service));
          g_assert_cmpstr (haven_service_get_hours_today (service), ==, "Closed today");
        }
      else if (g_str_equal (id, "svc-manchester"))
        {
          g_assert_false (haven_service_get_has_hours (service));
          g_assert_null (haven_service_get_hours_today (service));
        }
    }
}

static void
test_holiday (void)
{
  g_autoptr(HavenDirectoryQuery) query = query_new ("lua dao");
  g_autoptr(HavenService) tuesday = NULL;
  g_autoptr(HavenService) christmas_eve = NULL;

  /* Tuesday 22 December 2026 is a day of the regular hours, Thursday 24
   * falls in the holiday row without hours. */
  query->at = g_date_time_new_from_iso8601 ("2026-12-22T11:00:00Z", NULL);
  tuesday = first_result (query);
  g_assert_true (haven_service_get_open_now (tuesday));

  g_date_time_unref (query->at);
  query->at = g_date_time_new_from_iso8601 ("2026-12-24T11:00:00Z", NULL);
  christmas_eve = first_result (query);
  g_assert_false (haven_service_get_open_now (christmas_eve));
  g_assert_cmpstr (haven_service_get_hours_today (christmas_eve), ==, "Closed today");
}

/* The demo directory Haven ships, whose London services include a scam
 * recovery group that also offers general victim support. */

static char *
demo_ids (const char *category,
          const char *region)
{
  g_autoptr(HavenDirectoryQuery) query = query_new (NULL);
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) names = g_string_new (NULL);

  query->category = g_strdup (category);
  query->region = g_strdup (region);
  results = haven_directory_search (demo, query, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(HavenService) service = g_list_model_get_item (results, i);

      g_string_append_printf (names, "%s%s", i > 0 ? "|" : "", haven_service_get_name (service));
    }

  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* Services fit the visit's category: those made for it first, then those
 * for any harm; one made for other kinds of harm is left out even when it
 * also offers general support. */
static void
test_category_fit (void)
{
  g_autofree char *images = demo_ids ("intimate-images", "GB-LND");
  g_autofree char *fraud = demo_ids ("fraud", "GB-LND");

  g_test_message ("intimate-images: %s", images);
  g_test_message ("fraud: %s", fraud);
  /* Made for image abuse or sextortion, local first. */
  g_assert_true (g_str_has_prefix (images, "London Night Line for Online Abuse|"
                                           "Eastside Saturday Legal Clinic|Revenge Porn Helpline|"));
  g_assert_nonnull (strstr (images, "StopNCII.org"));
  g_assert_null (strstr (images, "Scam"));
  g_assert_null (strstr (images, "Report Fraud"));
  /* And the other way round. */
  g_assert_true (g_str_has_prefix (fraud, "North London Scam Recovery Group|"));
  g_assert_null (strstr (fraud, "Revenge Porn Helpline"));
}

/* A service closed at the moment of the search says when it opens next,
 * by the kiosk's clock. Saturday 5 December 2026, 20:00 in London. */
static void
test_next_opening (void)
{
  g_autoptr(HavenDirectoryQuery) query = query_new (NULL);
  g_autoptr(GListModel) results = NULL;
  guint n_closed = 0;

  query->at = g_date_time_new_from_iso8601 ("2026-12-05T20:00:00Z", NULL);
  results = run (query, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(HavenService) service = g_list_model_get_item (results, i);
      const char *id = haven_service_get_id (service);
      const char *next = haven_service_get_next_opening (service);

      if (g_str_equal (id, "svc-fraud-london") || g_str_equal (id, "svc-chinese") ||
          g_str_equal (id, "svc-new-york"))
        g_assert_cmpstr (next, ==, "Opens Monday at 09:00");
      /* It closed at 20:00. */
      else if (g_str_equal (id, "svc-online"))
        g_assert_cmpstr (next, ==, "Opens tomorrow at 08:00");
      else if (g_str_equal (id, "svc-vietnamese"))
        g_assert_cmpstr (next, ==, "Opens Tuesday at 10:00");
      else if (g_str_equal (id, "svc-victim-support-london"))
        g_assert_cmpstr (next, ==, "Opens Friday at 22:00");
      else
        {
          /* Open, open all day, without hours, or closed until further
           * notice: nothing to say. */
          g_assert_null (next);
          continue;
        }
      g_assert_false (haven_service_get_open_now (service));
      n_closed++;
    }
  g_assert_cmpuint (n_closed, ==, 6);
}

static void
test_invalid_query (void)
{
  g_autoptr(HavenDirectoryQuery) query = query_new (NULL);
  g_autoptr(GError) error = NULL;

  query->category = g_strdup ("burglary");
  g_assert_null (haven_directory_search (directory, query, NULL, &error));
  g_assert_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_INVALID_QUERY);
  g_clear_error (&error);

  g_clear_pointer (&query->category, g_free);
  query->language = g_strdup ("1!");
  g_assert_null (haven_directory_search (directory, query, NULL, &error));
  g_assert_error (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_INVALID_QUERY);
}

static void
search_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GListModel **results = user_data;
  g_autoptr(GError) error = NULL;
  guint n_matches = 0;

  *results = haven_directory_search_finish (HAVEN_DIRECTORY (object), result, &n_matches, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_matches, ==, 1);
}

static void
test_async (void)
{
  g_autoptr(HavenDirectoryQuery) query = query_new ("clinic");
  g_autoptr(GListModel) results = NULL;
  g_autofree char *ids = NULL;

  haven_directory_search_async (directory, query, NULL, search_done_cb, &results);
  /* The query was copied: the caller may let go of it at once. */
  g_clear_pointer (&query, haven_directory_query_free);
  while (results == NULL)
    g_main_context_iteration (NULL, TRUE);

  ids = ids_of (results);
  g_assert_cmpstr (ids, ==, "svc-fraud-london");
}

static char *
area_ids (const char *region,
          const char *text,
          guint      *n_matches)
{
  g_autoptr(HavenDirectoryQuery) query = query_new (text);
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GError) error = NULL;

  query->region = g_strdup (region);
  results = haven_directory_search (areas, query, n_matches, &error);
  g_assert_no_error (error);

  return ids_of (results);
}

/* The kiosk reads only the partitions that can serve its region: each
 * service must still be found once, wherever it was indexed, ranked by
 * how near it is, and counted once; and the same with any prefix of a
 * word they all share as with no text at all. */
static void
test_partitions (void)
{
  static const struct {
    const char *region;
    const char *ids;
  } cases[] = {
    { "GB-LND", "svc-boroughs svc-two-cities svc-national-and-local svc-two-countries "
                "svc-anywhere-and-local" },
    { "GB-MAN", "svc-two-cities svc-anywhere-and-local svc-two-countries "
                "svc-national-and-local" },
    { "GB-CMD", "svc-boroughs svc-two-countries svc-national-and-local svc-anywhere-and-local" },
    { "GB-LDS", "svc-leeds svc-two-countries svc-national-and-local svc-anywhere-and-local" },
    { "GB", "svc-two-countries svc-national-and-local svc-anywhere-and-local" },
    { "FR-75", "svc-paris svc-two-countries svc-anywhere-and-local" },
    { "DE-BE", "svc-anywhere-and-local" },
    { NULL, "svc-boroughs svc-two-cities svc-two-countries svc-national-and-local "
            "svc-anywhere-and-local svc-paris svc-leeds" },
  };
  const char *texts[] = { NULL, "h", "ha", "har", "harb", "harbour", "HARBOUR ha" };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) expected = g_strsplit (cases[i].ids, " ", -1);

      for (gsize j = 0; j < G_N_ELEMENTS (texts); j++)
        {
          guint n_matches = 0;
          g_autofree char *ids = area_ids (cases[i].region, texts[j], &n_matches);

          if (g_strcmp0 (ids, cases[i].ids) != 0)
            g_error ("“%s” in %s found “%s”", texts[j] != NULL ? texts[j] : "",
                     cases[i].region != NULL ? cases[i].region : "every region", ids);
          g_assert_cmpuint (n_matches, ==, g_strv_length (expected));
        }
    }
}

/* A typed word that begins many words of the directory is searched as a
 * prefix over the whole index rather than as the words it begins; the
 * region still decides what is found. */
static void
test_many_words (void)
{
  const char *texts[] = { "quok", "quokk", "x", "QUOKKAQ", "quokka7 x7", "xz" };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      guint n_leeds = 0, n_paris = 0, n_everywhere = 0;
      g_autofree char *leeds = area_ids ("GB-LDS", texts[i], &n_leeds);
      g_autofree char *paris = area_ids ("FR-75", texts[i], &n_paris);
      g_autofree char *everywhere = area_ids (NULL, texts[i], &n_everywhere);

      g_assert_cmpstr (leeds, ==, "svc-leeds");
      g_assert_cmpstr (paris, ==, "svc-paris");
      g_assert_cmpstr (everywhere, ==, "svc-paris svc-leeds");
      g_assert_cmpuint (n_leeds + n_paris, ==, n_everywhere);
    }
}

/* The kiosk, its operator screen and havenctl open the directory the same
 * way: the file and time zone from the settings, unless told otherwise. */
static void
test_open_configured (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(HavenDirectory) opened = NULL;
  g_autoptr(GError) error = NULL;

  g_settings_set_string (settings, "directory-file", haven_directory_get_path (directory));
  g_settings_set_string (settings, "time-zone", "Asia/Ho_Chi_Minh");
  opened = haven_directory_open_configured (settings, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (haven_directory_get_path (opened), ==, haven_directory_get_path (directory));
  g_assert_cmpstr (g_time_zone_get_identifier (haven_directory_get_time_zone (opened)), ==,
                   "Asia/Ho_Chi_Minh");
  g_clear_object (&opened);

  /* havenctl's --time-zone wins over the setting. */
  opened = haven_directory_open_configured (settings, NULL, "Europe/Paris", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_time_zone_get_identifier (haven_directory_get_time_zone (opened)), ==,
                   "Europe/Paris");
  g_clear_object (&opened);

  /* A zone the system does not know is an error, not a silent UTC. */
  g_settings_set_string (settings, "time-zone", "Mars/Olympus_Mons");
  opened = haven_directory_open_configured (settings, NULL, NULL, &error);
  g_assert_null (opened);
  g_assert_error (error, HAVEN_SCHEDULE_ERROR, HAVEN_SCHEDULE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Mars/Olympus_Mons"));

  g_settings_reset (settings, "time-zone");
  g_settings_reset (settings, "directory-file");
}

/* A status report names the directory by when it was imported; one that
 * cannot be opened has no version. */
static void
test_configured_version (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(HavenDirectoryStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *missing = NULL;

  stats = haven_directory_get_stats (directory, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stats->imported_at);

  g_settings_set_string (settings, "directory-file", haven_directory_get_path (directory));
  version = haven_directory_dup_configured_version (settings);
  g_assert_cmpstr (version, ==, stats->imported_at);

  g_settings_set_string (settings, "directory-file", "/nonexistent/haven/directory.sqlite");
  missing = haven_directory_dup_configured_version (settings);
  g_assert_null (missing);

  g_settings_reset (settings, "directory-file");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HavenDirectoryImporter) importer = NULL;
  g_autoptr(HavenDirectoryImporter) areas_importer = NULL;
  g_autoptr(GTimeZone) london = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *db = NULL;
  g_autofree char *source = NULL;
  g_autofree char *areas_db = NULL;
  g_autofree char *areas_source = NULL;
  g_autoptr(HavenDirectoryImporter) demo_importer = NULL;
  g_autofree char *demo_source = NULL;
  g_autofree char *demo_db = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  folder = g_dir_make_tmp ("haven-search-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (folder, "directory.sqlite", NULL);
  source = g_test_build_filename (G_TEST_DIST, "data", "directory", "services.json", NULL);

  importer = haven_directory_importer_new (source, db);
  if (!haven_directory_importer_run (importer, NULL, &error))
    g_error ("Importing the fixture failed: %s", error->message);

  directory = haven_directory_open (db, NULL, &error);
  g_assert_no_error (error);
  london = g_time_zone_new_identifier ("Europe/London");
  haven_directory_set_time_zone (directory, london);

  areas_source = g_build_filename (folder, "areas.json", NULL);
  areas_db = g_build_filename (folder, "areas.sqlite", NULL);
  g_file_set_contents (areas_source, areas_json, -1, &error);
  g_assert_no_error (error);
  areas_importer = haven_directory_importer_new (areas_source, areas_db);
  if (!haven_directory_importer_run (areas_importer, NULL, &error))
    g_error ("Importing the areas failed: %s", error->message);
  areas = haven_directory_open (areas_db, NULL, &error);
  g_assert_no_error (error);

  demo_source = g_test_build_filename (G_TEST_DIST, "..", "data", "directory", "demo-directory.json",
                                       NULL);
  demo_db = g_build_filename (folder, "demo.sqlite", NULL);
  demo_importer = haven_directory_importer_new (demo_source, demo_db);
  if (!haven_directory_importer_run (demo_importer, NULL, &error))
    g_error ("Importing the demo directory failed: %s", error->message);
  demo = haven_directory_open (demo_db, NULL, &error);
  g_assert_no_error (error);
  haven_directory_set_time_zone (demo, london);

  g_test_add_func ("/haven/directory-search/open-configured", test_open_configured);
  g_test_add_func ("/haven/directory-search/configured-version", test_configured_version);
  g_test_add_func ("/haven/directory-search/diacritics", test_diacritics);
  g_test_add_func ("/haven/directory-search/prefix", test_prefix);
  g_test_add_func ("/haven/directory-search/arabic", test_arabic);
  g_test_add_func ("/haven/directory-search/vietnamese", test_vietnamese);
  g_test_add_func ("/haven/directory-search/chinese", test_chinese);
  g_test_add_func ("/haven/directory-search/new-languages", test_new_languages);
  g_test_add_func ("/haven/directory-search/fold-query", test_fold_query);
  g_test_add_func ("/haven/directory-search/query-syntax", test_query_syntax);
  g_test_add_func ("/haven/directory-search/filter-category", test_filter_category);
  g_test_add_func ("/haven/directory-search/filter-region", test_filter_region);
  g_test_add_func ("/haven/directory-search/filter-language", test_filter_language);
  g_test_add_func ("/haven/directory-search/filter-open-now", test_filter_open_now);
  g_test_add_func ("/haven/directory-search/filter-free-and-24-7",
                   test_filter_free_and_always_open);
  g_test_add_func ("/haven/directory-search/filters-combined", test_filters_combined);
  g_test_add_func ("/haven/directory-search/ranking", test_ranking);
  g_test_add_func ("/haven/directory-search/limit", test_limit);
  g_test_add_func ("/haven/directory-search/hours", test_hours);
  g_test_add_func ("/haven/directory-search/holiday", test_holiday);
  g_test_add_func ("/haven/directory-search/category-fit", test_category_fit);
  g_test_add_func ("/haven/directory-search/next-opening", test_next_opening);
  g_test_add_func ("/haven/directory-search/invalid-query", test_invalid_query);
  g_test_add_func ("/haven/directory-search/async", test_async);
  g_test_add_func ("/haven/directory-search/partitions", test_partitions);
  g_test_add_func ("/haven/directory-search/many-words", test_many_words);

  status = g_test_run ();

  g_clear_object (&directory);
  g_clear_object (&areas);
  g_clear_object (&demo);
  g_unlink (demo_db);
  g_unlink (db);
  g_unlink (areas_db);
  g_unlink (areas_source);
  g_rmdir (folder);

  return status;
}
