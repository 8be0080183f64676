/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-directory"

#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "haven-directory.h"

/* The service directory at scale: a synthetic HSDS directory of 100,000
 * services (realistic field sizes, several scripts, languages, areas and
 * opening hours), imported with havenctl exactly as an operator would, then
 * 1,000 mixed searches.
 *
 *   bench-directory HAVENCTL [--services N] [--queries N] [--keep DIR]
 *
 * It prints figures: import time, database size, the import's peak RSS,
 * and search latency percentiles. It is not a pass/fail timer; it fails
 * only when something could not be measured. Targets (a 2-core machine):
 * import under 10 s and 200 MB, search p99 under 5 ms. */

static const char *const english_words[] = {
  "support", "help", "victims", "online", "fraud", "scam", "advice", "counselling", "crisis",
  "line", "legal", "clinic", "recovery", "account", "security", "harassment", "abuse", "images",
  "identity", "theft", "family", "young", "people", "community", "centre", "service", "phone",
  "chat", "free", "confidential", "report", "police", "bank", "money", "stolen", "hacked",
  "password", "malware", "ransomware", "extortion", "threats", "stalking", "safety", "plan",
  "women", "men", "children", "parents", "carers", "older", "refugees", "migrants", "students",
};
static const char *const spanish_words[] = {
  "apoyo", "víctimas", "estafa", "asesoría", "jurídica", "atención", "psicológica", "línea",
  "ayuda", "denuncia", "información", "protección", "niños", "mujeres", "acoso", "extorsión",
};
static const char *const arabic_words[] = {
  "مساعدة", "دعم", "الضحايا", "الاحتيال", "استشارة", "قانونية", "خط", "الأزمات", "الأطفال",
  "النساء", "التحرش", "الابتزاز", "مجاني", "سري", "الشرطة", "الحساب",
};
static const char *const vietnamese_words[] = {
  "hỗ", "trợ", "nạn", "nhân", "lừa", "đảo", "tư", "vấn", "pháp", "lý", "đường", "dây", "nóng",
  "trẻ", "em", "phụ", "nữ", "quấy", "rối", "miễn", "phí",
};
static const char *const chinese_phrases[] = {
  "网络诈骗援助中心", "受害者支持服务", "法律咨询", "心理辅导热线", "儿童保护", "妇女援助",
  "账户安全帮助", "免费保密", "报警指导", "社区服务中心",
};
static const char *const regions[] = {
  "GB-LND", "GB-MAN", "GB-BIR", "GB-LDS", "GB-GLG", "GB-EDH", "GB-CRF", "GB-BST", "GB-LIV",
  "GB-NET", "GB-SHF", "GB-NGM", "US-NY", "US-CA", "US-TX", "US-IL", "US-FL", "US-WA", "FR-75",
  "FR-13", "FR-69", "ES-MD", "ES-B", "ES-V", "DE-BE", "DE-HH", "DE-BY", "VN-SG", "VN-HN",
  "CN-BJ", "CN-SH", "EG-C", "MA-CAS", "IN-MH", "IN-DL", "CA-ON", "CA-QC", "AU-NSW",
};
static const char *const countries[] = { "GB", "US", "FR", "ES", "DE", "VN", "CN", "EG", "CA" };
static const char *const languages[] = {
  "en", "es", "fr", "ar", "vi", "zh", "ru", "pl", "ur", "pa", "so", "fa", "pt", "ro", "tr",
};
static const char *const terms[] = {
  "haven-account-security", "haven-malware-recovery", "haven-fraud-support",
  "haven-identity-theft", "haven-image-abuse", "haven-sextortion", "haven-child-protection",
  "haven-harassment-support", "haven-victim-support", "haven-counselling", "haven-crisis-line",
  "haven-legal-advice", "haven-official-reporting",
};
static const char *const weekdays[] = {
  "MO,TU,WE,TH,FR", "MO,WE,FR", "TU,TH", "SA,SU", "MO,TU,WE,TH,FR,SA", "FR,SA",
};

static void
append_words (GString             *out,
              GRand               *rand,
              const char * const  *words,
              guint                n_words,
              guint                count)
{
  for (guint i = 0; i < count; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, words[g_rand_int_range (rand, 0, n_words)]);
    }
}

#define WORDS(list) list, G_N_ELEMENTS (list)
#define PICK(rand, list) (list)[g_rand_int_range ((rand), 0, G_N_ELEMENTS (list))]

/* Text in the record's main language, as JSON string contents (none of the
 * words needs escaping). */
static void
append_text (GString *out,
             GRand   *rand,
             guint    script,
             guint    n_words)
{
  switch (script)
    {
    case 1:
      append_words (out, rand, WORDS (spanish_words), n_words);
      break;
    case 2:
      append_words (out, rand, WORDS (arabic_words), n_words);
      break;
    case 3:
      append_words (out, rand, WORDS (vietnamese_words), n_words);
      break;
    case 4:
      for (guint i = 0; i < MAX (1, n_words / 3); i++)
        g_string_append (out, PICK (rand, chinese_phrases));
      break;
    default:
      append_words (out, rand, WORDS (english_words), n_words);
    }
}

static void
append_schedule (GString *out,
                 GRand   *rand,
                 guint    service,
                 guint    row)
{
  guint kind = g_rand_int_range (rand, 0, 10);
  int opens = g_rand_int_range (rand, 7, 11);
  int closes = g_rand_int_range (rand, 16, 21);

  g_string_append_printf (out, "%s{\"id\":\"sch-%u-%u\",", row > 0 ? "," : "", service, row);
  if (kind == 0)
    g_string_append (out, "\"opens_at\":\"00:00\",\"closes_at\":\"00:00\"");
  else if (kind == 1)
    g_string_append (out, "\"freq\":\"WEEKLY\",\"byday\":\"FR,SA\",\"opens_at\":\"22:00\","
                          "\"closes_at\":\"04:00\"");
  else if (kind == 2)
    g_string_append (out, "\"valid_from\":\"2026-12-24\",\"valid_to\":\"2026-12-26\"");
  else if (kind == 3)
    g_string_append_printf (out, "\"freq\":\"MONTHLY\",\"byday\":\"%dMO\",\"opens_at\":\"18:00\","
                                 "\"closes_at\":\"20:00\"", g_rand_int_range (rand, 1, 5));
  else
    g_string_append_printf (out, "\"freq\":\"WEEKLY\",\"byday\":\"%s\",\"opens_at\":\"%02d:%s\","
                                 "\"closes_at\":\"%02d:%s\"",
                            PICK (rand, weekdays),
                            opens, g_rand_boolean (rand) ? "00" : "30",
                            closes, g_rand_boolean (rand) ? "00" : "30");
  g_string_append (out, ",\"description\":\"Opening hours\"}");
}

static void
append_service (GString *out,
                GRand   *rand,
                guint    index)
{
  guint script = g_rand_int_range (rand, 0, 10);
  guint n_languages = g_rand_int_range (rand, 1, 4);
  guint n_terms = g_rand_int_range (rand, 1, 4);
  guint n_schedules = g_rand_int_range (rand, 0, 4);
  guint area = g_rand_int_range (rand, 0, 20);

  /* Most directories are mostly in the local language. */
  script = script < 6 ? 0 : script - 5;

  g_string_append_printf (out, "%s{\"id\":\"svc-%07u\",\"status\":\"active\",\"name\":\"",
                          index > 0 ? ",\n" : "", index);
  append_text (out, rand, script, g_rand_int_range (rand, 3, 7));
  g_string_append (out, "\",\"alternate_name\":\"");
  append_text (out, rand, 0, 2);
  g_string_append (out, "\",\"description\":\"");
  append_text (out, rand, script, g_rand_int_range (rand, 30, 110));
  g_string_append_printf (out, "\",\"url\":\"https://service-%u.example.org\","
                               "\"email\":\"help@service-%u.example.org\","
                               "\"assured_date\":\"2026-%02d-%02d\",\"x_source\":\"Synthetic\","
                               "\"fees_description\":\"%s\"",
                          index, index, g_rand_int_range (rand, 1, 13),
                          g_rand_int_range (rand, 1, 29),
                          g_rand_boolean (rand) ? "Free" : "Some sessions cost £10");

  g_string_append_printf (out, ",\"organization\":{\"id\":\"org-%u\",\"name\":\"",
                          index / 4);
  append_text (out, rand, script, 3);
  g_string_append (out, "\",\"description\":\"");
  append_text (out, rand, script, 20);
  g_string_append (out, "\"}");

  if (g_rand_int_range (rand, 0, 10) < 3)
    {
      g_string_append (out, ",\"x_translations\":{\"ar\":{\"name\":\"");
      append_text (out, rand, 2, 4);
      g_string_append (out, "\",\"description\":\"");
      append_text (out, rand, 2, 30);
      g_string_append (out, "\"},\"vi\":{\"name\":\"");
      append_text (out, rand, 3, 5);
      g_string_append (out, "\"},\"zh\":{\"name\":\"");
      append_text (out, rand, 4, 6);
      g_string_append (out, "\"}}");
    }

  g_string_append_printf (out, ",\"phones\":[{\"id\":\"ph-%u\",\"number\":\"0%03d %03d %04d\","
                               "\"description\":\"Helpline\"}]",
                          index, g_rand_int_range (rand, 100, 999),
                          g_rand_int_range (rand, 100, 999), g_rand_int_range (rand, 0, 9999));

  g_string_append (out, ",\"languages\":[");
  for (guint i = 0; i < n_languages; i++)
    g_string_append_printf (out, "%s{\"id\":\"lang-%u-%u\",\"code\":\"%s\"}", i > 0 ? "," : "",
                            index, i,
                            i == 0 ? "en" : PICK (rand, languages));
  g_string_append_c (out, ']');

  /* Mostly local services, some national, a few online. */
  if (area < 16)
    g_string_append_printf (out, ",\"service_areas\":[{\"id\":\"sa-%u\",\"name\":\"Area\","
                                 "\"x_region_codes\":[\"%s\"]}]",
                            index, PICK (rand, regions));
  else if (area < 19)
    g_string_append_printf (out, ",\"service_areas\":[{\"id\":\"sa-%u\",\"name\":\"Country\","
                                 "\"x_region_codes\":[\"%s\"]}]",
                            index, PICK (rand, countries));

  if (area < 16)
    g_string_append_printf (out, ",\"service_at_locations\":[{\"id\":\"sal-%u\",\"location\":{"
                                 "\"id\":\"loc-%u\",\"name\":\"Office\",\"location_type\":"
                                 "\"physical\",\"addresses\":[{\"id\":\"ad-%u\",\"address_1\":"
                                 "\"%u High Street\",\"city\":\"Town\","
                                 "\"postal_code\":\"AB1 2CD\","
                                 "\"country\":\"GB\"}]}}]",
                            index, index, index, g_rand_int_range (rand, 1, 300));

  g_string_append (out, ",\"schedules\":[");
  for (guint i = 0; i < n_schedules; i++)
    append_schedule (out, rand, index, i);
  g_string_append_c (out, ']');

  g_string_append (out, ",\"attributes\":[");
  for (guint i = 0; i < n_terms; i++)
    {
      const char *term = PICK (rand, terms);

      g_string_append_printf (out, "%s{\"id\":\"at-%u-%u\",\"taxonomy_term\":{\"id\":\"%s\","
                                   "\"code\":\"%s\",\"name\":\"%s\",\"taxonomy\":\"haven\"}}",
                              i > 0 ? "," : "", index, i, term, term, term + 6);
    }
  g_string_append (out, "]}");
}

static void
generate (const char *path,
          guint       n_services)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);
  g_autoptr(GString) chunk = g_string_sized_new (1024 * 1024);
  FILE *file = g_fopen (path, "w");

  g_assert_nonnull (file);
  fputs ("[\n", file);
  for (guint i = 0; i < n_services; i++)
    {
      append_service (chunk, rand, i);
      if (chunk->len > 512 * 1024)
        {
          fwrite (chunk->str, 1, chunk->len, file);
          g_string_truncate (chunk, 0);
        }
    }
  fwrite (chunk->str, 1, chunk->len, file);
  fputs ("\n]\n", file);
  fclose (file);
}

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static gboolean
run_import (const char *havenctl,
            const char *source,
            const char *db,
            double     *seconds,
            long       *peak_kib)
{
  const char *argv[] = { havenctl, "directory", "import", source, "--db", db, NULL };
  g_autoptr(GError) error = NULL;
  struct rusage usage;
  GPid pid;
  int status;
  gint64 start = now_ns ();

  if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                      &error))
    {
      g_printerr ("Cannot run %s: %s\n", havenctl, error->message);
      return FALSE;
    }

  if (wait4 (pid, &status, 0, &usage) < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_printerr ("The import failed\n");
      return FALSE;
    }

  *seconds = (now_ns () - start) / 1e9;
  *peak_kib = usage.ru_maxrss;
  return TRUE;
}

/* A prefix of a word: what a visitor has typed so far. */
static char *
prefix_of (GRand      *rand,
           const char *word)
{
  glong length = g_utf8_strlen (word, -1);
  glong keep = MIN (length, g_rand_int_range (rand, 2, 6));

  return g_utf8_substring (word, 0, keep);
}

static HavenDirectoryQuery *
make_query (GRand     *rand,
            guint      index,
            GDateTime *at)
{
  HavenDirectoryQuery *query = haven_directory_query_new ();
  guint kind = index % 5;
  guint filters = g_rand_int_range (rand, 0, 4);
  const char *const *category_ids = haven_directory_get_category_ids ();

  switch (kind)
    {
    case 0:
      query->text = prefix_of (rand, PICK (rand, english_words));
      break;
    case 1:
      query->text = prefix_of (rand, PICK (rand, spanish_words));
      break;
    case 2:
      query->text = prefix_of (rand, PICK (rand, arabic_words));
      break;
    case 3:
      query->text = g_strdup_printf ("%s %s",
                                     PICK (rand, vietnamese_words),
                                     PICK (rand, vietnamese_words));
      break;
    default:
      query->text = g_utf8_substring (PICK (rand, chinese_phrases),
                                      0, g_rand_int_range (rand, 1, 4));
    }

  /* A third with no text at all: a visitor browsing by filters. */
  if (g_rand_int_range (rand, 0, 3) == 0)
    g_clear_pointer (&query->text, g_free);

  if (filters >= 1)
    query->region = g_strdup (PICK (rand, regions));
  if (filters >= 2)
    query->category = g_strdup (category_ids[g_rand_int_range (rand, 0,
                                                                HAVEN_DIRECTORY_N_CATEGORIES)]);
  if (filters >= 3)
    {
      query->open_now = TRUE;
      query->at = g_date_time_ref (at);
    }
  if (g_rand_int_range (rand, 0, 4) == 0)
    query->language = g_strdup (PICK (rand, languages));
  query->display_language = g_strdup (g_rand_boolean (rand) ? "ar" : "en");

  return query;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *sorted,
            double  fraction)
{
  guint index = MIN (sorted->len - 1, (guint) (fraction * sorted->len));

  return g_array_index (sorted, double, index);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("HAVENCTL");
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) filtered = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) text_only = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Europe/London");
  g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 ("2026-03-02T10:00:00Z", NULL);
  g_autofree char *folder = NULL;
  g_autofree char *keep = NULL;
  g_autofree char *existing = NULL;
  gboolean verbose = FALSE;
  g_autofree char *source = NULL;
  g_autofree char *db = NULL;
  int n_services = 100000;
  int n_queries = 1000;
  double import_seconds, open_seconds, total_ms = 0;
  long peak_kib;
  struct stat source_info, db_info;
  guint64 total_matches = 0;
  gint64 start;
  GOptionEntry entries[] = {
    { "services", 0, 0, G_OPTION_ARG_INT, &n_services, "Services to generate", "N" },
    { "queries", 0, 0, G_OPTION_ARG_INT, &n_queries, "Searches to time", "N" },
    { "keep", 0, 0, G_OPTION_ARG_FILENAME, &keep, "Keep the files in this folder", "DIR" },
    { "verbose", 0, 0, G_OPTION_ARG_NONE, &verbose, "Print every query and its time", NULL },
    { "search-only", 0, 0, G_OPTION_ARG_FILENAME, &existing,
      "Only search this database, made by an earlier --keep run", "FILE" },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 ||
      n_services <= 0 || n_queries <= 0)
    {
      g_printerr ("Usage: %s HAVENCTL [--services N] [--queries N] [--keep DIR]\n", argv[0]);
      return 2;
    }

  if (existing != NULL)
    {
      db = g_strdup (existing);
      goto search;
    }

  if (keep != NULL)
    {
      g_mkdir_with_parents (keep, 0755);
      folder = g_strdup (keep);
    }
  else
    {
      folder = g_dir_make_tmp ("haven-bench-directory-XXXXXX", &error);
      g_assert_no_error (error);
    }
  source = g_build_filename (folder, "directory.json", NULL);
  db = g_build_filename (folder, "directory.sqlite", NULL);

  start = now_ns ();
  generate (source, n_services);
  g_stat (source, &source_info);
  g_print ("Generated %d services, %.1f MB of HSDS JSON, in %.2f s\n", n_services,
           source_info.st_size / 1e6, (now_ns () - start) / 1e9);

  if (!run_import (argv[1], source, db, &import_seconds, &peak_kib))
    return 1;
  g_stat (db, &db_info);
  g_print ("Import:        %.2f s (target < 10 s)\n", import_seconds);
  g_print ("Import RSS:    %.1f MB peak (target < 200 MB)\n", peak_kib / 1024.0);
  g_print ("Database:      %.1f MB\n", db_info.st_size / 1e6);

search:
  start = now_ns ();
  directory = haven_directory_open (db, NULL, &error);
  if (directory == NULL)
    {
      g_printerr ("Cannot open the directory: %s\n", error->message);
      return 1;
    }
  haven_directory_set_time_zone (directory, zone);
  open_seconds = (now_ns () - start) / 1e9;
  g_print ("Open:          %.3f s (read once when the kiosk starts)\n", open_seconds);

  for (int i = 0; i < n_queries; i++)
    {
      g_autoptr(HavenDirectoryQuery) query = make_query (rand, i, at);
      g_autoptr(GListModel) results = NULL;
      gboolean has_filters = query->region != NULL || query->category != NULL ||
                             query->language != NULL || query->open_now;
      guint n_matches = 0;
      double ms;

      start = now_ns ();
      results = haven_directory_search (directory, query, &n_matches, &error);
      ms = (now_ns () - start) / 1e6;
      if (results == NULL)
        {
          g_printerr ("A search failed: %s\n", error->message);
          return 1;
        }

      if (verbose)
        g_print ("%8.2f ms %6u matches  text=%s region=%s category=%s language=%s open_now=%d\n",
                 ms, n_matches, query->text, query->region, query->category, query->language,
                 query->open_now);
      total_matches += n_matches;
      total_ms += ms;
      g_array_append_val (latencies, ms);
      g_array_append_val (has_filters ? filtered : text_only, ms);
    }

  g_array_sort (latencies, compare_doubles);
  g_array_sort (filtered, compare_doubles);
  g_array_sort (text_only, compare_doubles);
  g_print ("Search:        %d queries, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms, "
           "mean %.2f ms (target p99 < 5 ms)\n",
           n_queries, percentile (latencies, 0.5), percentile (latencies, 0.9),
           percentile (latencies, 0.99), percentile (latencies, 1.0), total_ms / n_queries);
  if (filtered->len > 0)
    g_print ("  with filters:    %u queries, p50 %.2f ms, p99 %.2f ms\n", filtered->len,
             percentile (filtered, 0.5), percentile (filtered, 0.99));
  if (text_only->len > 0)
    g_print ("  without filters: %u queries, p50 %.2f ms, p99 %.2f ms\n", text_only->len,
             percentile (text_only, 0.5), percentile (text_only, 0.99));
  g_print ("  %.0f matches per query on average\n", (double) total_matches / n_queries);

  if (keep == NULL && existing == NULL)
    {
      g_unlink (source);
      g_unlink (db);
      g_rmdir (folder);
    }

  return 0;
}
