/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-desk-case-file"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "haven-case-document.h"
#include "haven-desk-case-file.h"
#include "test-files.h"
#include "test-wait.h"

/* The case file as the police or a lawyer reads it: what poppler's tools
 * (setup.sh installs poppler-utils) find in the PDF that is written. */

#define TITLE         "Case HV-7KQ2-M9XD"
#define FOOTER_NOTE   "SHA-256 of the sealed request: " \
                      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define URL           "https://social.example.com/u/harasser/status/123456"
#define ARABIC_WORD   "نشر"
#define CHINESE_LINE  "他在网上发布了我的照片。"
#define N_LONG_LINES  300

#define A4_WIDTH      595.2756
#define MARGIN_SIDE   56.6929

/* The test's own sections: haven_case_section_free() is the case
 * document's, which this test does not link. */
static void
section_free (gpointer data)
{
  HavenCaseSection *section = data;

  g_free (section->heading);
  g_free (section->text);
  g_free (section);
}

static void
add_section (GPtrArray  *sections,
             const char *id,
             const char *heading,
             const char *text)
{
  HavenCaseSection *section = g_new0 (HavenCaseSection, 1);

  section->id = id;
  section->heading = g_strdup (heading);
  section->text = g_strdup (text);
  g_ptr_array_add (sections, section);
}

static GPtrArray *
make_sections (void)
{
  GPtrArray *sections = g_ptr_array_new_with_free_func (section_free);
  g_autoptr(GString) history = g_string_new (NULL);

  add_section (sections, "reference", "Reference",
               "HV-7KQ2-M9XD\nReceived on 3 December 2026 at 14:05 from kiosk lobby-2");
  add_section (sections, "what-happened", "What happened",
               "Someone I used to know posted photos of me without asking.\n"
               "They also sent messages to my family.");
  add_section (sections, "items", "ما تريد إزالته",
               ARABIC_WORD " صوري على " URL " دون إذني، وأريد إزالتها.");
  add_section (sections, "other-answers", "In the visitor's words",
               CHINESE_LINE);
  for (guint i = 1; i <= N_LONG_LINES; i++)
    g_string_append_printf (history, "%sHistory line %u: notice sent to the platform",
                            i > 1 ? "\n" : "", i);
  add_section (sections, "history", "History", history->str);

  return sections;
}

static char *
make_folder (void)
{
  g_autoptr(GError) error = NULL;
  char *folder = g_dir_make_tmp ("haven-desk-case-file-XXXXXX", &error);

  g_assert_no_error (error);
  return folder;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The names in @folder, sorted, as one comma-separated string. */
static char *
list_folder (const char *folder)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (folder, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);

  return g_strjoinv (",", (char **) names->pdata);
}

static gboolean
save (GPtrArray     *sections,
      const char    *path,
      GCancellable  *cancellable,
      GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;

  haven_desk_case_file_save_async (sections, TITLE, FOOTER_NOTE, file, cancellable,
                                   store_result_cb, &result);
  return haven_desk_case_file_save_finish (wait_for_result (&result), error);
}

static char *
run_tool (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  if (error != NULL)
    g_error ("%s failed: %s\n%s", argv[0], error->message, err);

  return out;
}

/* A field of pdfinfo's answer, or NULL when the PDF does not have it. */
static char *
info_field (const char *info,
            const char *name)
{
  g_auto(GStrv) lines = g_strsplit (info, "\n", -1);
  g_autofree char *prefix = g_strconcat (name, ":", NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix))
        return g_strstrip (g_strdup (lines[i] + strlen (prefix)));
    }

  return NULL;
}

static guint
count_pages (const char *info)
{
  g_autofree char *pages = info_field (info, "Pages");

  g_assert_nonnull (pages);
  return (guint) g_ascii_strtoull (pages, NULL, 10);
}

/* A word of pdftotext's -bbox page: where it is, in points from the
 * page's top left corner. */
typedef struct {
  double x_min;
  double y_min;
  double x_max;
  char *text;
} Word;

static void
word_clear (gpointer data)
{
  Word *word = data;

  g_free (word->text);
}

static double
read_attribute (const char *element,
                const char *name)
{
  g_autofree char *prefix = g_strdup_printf (" %s=\"", name);
  const char *found = strstr (element, prefix);

  g_assert_nonnull (found);
  return g_ascii_strtod (found + strlen (prefix), NULL);
}

static GArray *
read_words (const char *bbox)
{
  GArray *words = g_array_new (FALSE, TRUE, sizeof (Word));
  const char *element = bbox;

  g_array_set_clear_func (words, word_clear);
  while ((element = strstr (element, "<word ")) != NULL)
    {
      const char *text = strchr (element, '>');
      const char *end = text != NULL ? strstr (text, "</word>") : NULL;
      g_autofree char *tag = NULL;
      Word word;

      g_assert_nonnull (end);
      tag = g_strndup (element, text - element);
      word.x_min = read_attribute (tag, "xMin");
      word.y_min = read_attribute (tag, "yMin");
      word.x_max = read_attribute (tag, "xMax");
      word.text = g_strndup (text + 1, end - text - 1);
      g_array_append_val (words, word);
      element = end;
    }

  return words;
}

static gboolean
is_arabic (const char *text)
{
  return g_unichar_get_script (g_utf8_get_char (text)) == G_UNICODE_SCRIPT_ARABIC;
}

static void
test_case_file (void)
{
  g_autoptr(GPtrArray) sections = make_sections ();
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = make_folder ();
  g_autofree char *path = g_build_filename (folder, "case.pdf", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  g_autofree char *info = NULL;
  g_autofree char *bbox = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *last_page = NULL;
  g_autofree char *long_line = NULL;
  g_autofree char *title = NULL;
  g_autoptr(GArray) words = NULL;
  gboolean found_english = FALSE;
  double arabic_top = -1;
  double arabic_start = A4_WIDTH;
  double arabic_end = 0;
  GStatBuf stat_buf;
  gsize length;
  guint pages;

  g_assert_true (save (sections, path, NULL, &error));
  g_assert_no_error (error);

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 5);
  g_assert_cmpmem (contents, 5, "%PDF-", 5);
  g_assert_cmpint (g_stat (path, &stat_buf), ==, 0);
  g_assert_cmpint (stat_buf.st_mode & 0777, ==, 0600);

  text = run_tool ((const char *[]) { "pdftotext", "-enc", "UTF-8", path, "-", NULL });
  g_assert_nonnull (strstr (text, TITLE));
  for (guint i = 0; i < sections->len; i++)
    {
      HavenCaseSection *section = g_ptr_array_index (sections, i);

      g_assert_nonnull (strstr (text, section->heading));
    }
  g_assert_nonnull (strstr (text, URL));
  g_assert_nonnull (strstr (text, ARABIC_WORD));
  g_assert_nonnull (strstr (text, CHINESE_LINE));
  g_assert_nonnull (strstr (text, FOOTER_NOTE));
  g_assert_nonnull (strstr (text, "Page 1 of"));
  /* Every line of a section that runs over several pages is there. */
  g_assert_nonnull (strstr (text, "History line 1: notice sent to the platform"));
  long_line = g_strdup_printf ("History line %u: notice sent to the platform", N_LONG_LINES);
  g_assert_nonnull (strstr (text, long_line));

  info = run_tool ((const char *[]) { "pdfinfo", path, NULL });
  pages = count_pages (info);
  g_assert_cmpuint (pages, >, 1);
  last_page = g_strdup_printf ("Page %u of %u", pages, pages);
  g_assert_nonnull (strstr (text, last_page));
  /* The footer on every page: the note, and the page number of each. */
  {
    g_auto(GStrv) notes = g_strsplit (text, FOOTER_NOTE, -1);

    g_assert_cmpuint (g_strv_length (notes) - 1, ==, pages);
  }
  /* The document tells its title and nothing of who or what made it. */
  title = info_field (info, "Title");
  g_assert_cmpstr (title, ==, TITLE);
  g_assert_null (info_field (info, "Author"));
  g_assert_null (info_field (info, "Creator"));
  g_assert_null (info_field (info, "Subject"));
  g_assert_null (info_field (info, "Keywords"));

  /* The Arabic paragraph is set from the right edge of the text; the
   * English ones from the left. */
  bbox = run_tool ((const char *[]) { "pdftotext", "-enc", "UTF-8", "-bbox", "-f", "1", "-l", "1",
                                      path, "-", NULL });
  words = read_words (bbox);
  for (guint i = 0; i < words->len; i++)
    {
      Word *word = &g_array_index (words, Word, i);

      if (g_str_equal (word->text, "Someone"))
        {
          g_assert_cmpfloat_with_epsilon (word->x_min, MARGIN_SIDE, 2);
          found_english = TRUE;
        }

      /* The Arabic heading, a short line: the first Arabic words. */
      if (is_arabic (word->text) &&
          (arabic_top < 0 || G_APPROX_VALUE (word->y_min, arabic_top, 0.5)))
        {
          arabic_top = word->y_min;
          arabic_start = MIN (arabic_start, word->x_min);
          arabic_end = MAX (arabic_end, word->x_max);
        }
    }
  g_assert_true (found_english);
  g_assert_cmpfloat (arabic_top, >, 0);
  g_assert_cmpfloat_with_epsilon (arabic_end, A4_WIDTH - MARGIN_SIDE, 2);
  g_assert_cmpfloat (arabic_start, >, A4_WIDTH / 2);

  listing = list_folder (folder);
  g_assert_cmpstr (listing, ==, "case.pdf");

  remove_tree (folder);
}

static void
test_missing_folder (void)
{
  g_autoptr(GPtrArray) sections = make_sections ();
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = make_folder ();
  g_autofree char *path = g_build_filename (folder, "missing", "case.pdf", NULL);
  g_autofree char *listing = NULL;

  g_assert_false (save (sections, path, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  listing = list_folder (folder);
  g_assert_cmpstr (listing, ==, "");

  remove_tree (folder);
}

/* A file that is there already is replaced whole, and becomes its owner's
 * alone; no temporary file stays beside it. */
static void
test_replace (void)
{
  g_autoptr(GPtrArray) sections = make_sections ();
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = make_folder ();
  g_autofree char *path = write_file (folder, "case.pdf", "an older case file");
  g_autofree char *contents = NULL;
  g_autofree char *listing = NULL;
  GStatBuf stat_buf;

  g_assert_cmpint (g_chmod (path, 0644), ==, 0);

  g_assert_true (save (sections, path, NULL, &error));
  g_assert_no_error (error);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));
  g_assert_cmpint (g_stat (path, &stat_buf), ==, 0);
  g_assert_cmpint (stat_buf.st_mode & 0777, ==, 0600);

  listing = list_folder (folder);
  g_assert_cmpstr (listing, ==, "case.pdf");

  remove_tree (folder);
}

/* Cancelled, a save leaves no new file and an old one as it was. */
static void
test_cancelled (void)
{
  g_autoptr(GPtrArray) sections = make_sections ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = make_folder ();
  g_autofree char *old_path = write_file (folder, "old.pdf", "an older case file");
  g_autofree char *new_path = g_build_filename (folder, "new.pdf", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *listing = NULL;

  g_cancellable_cancel (cancellable);

  g_assert_false (save (sections, old_path, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (save (sections, new_path, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_file_get_contents (old_path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "an older case file");
  listing = list_folder (folder);
  g_assert_cmpstr (listing, ==, "old.pdf");

  remove_tree (folder);
}

/* A disk that fills up part of the way through: the process may write no
 * file longer than 4 KiB, so writing the case file fails with EFBIG after
 * its first pages. A new file is removed, an old one is left as it was,
 * and no temporary file stays beside either. */
static void
test_write_fails (void)
{
  g_autoptr(GPtrArray) sections = make_sections ();
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = make_folder ();
  g_autofree char *old_path = write_file (folder, "old.pdf", "an older case file");
  g_autofree char *new_path = g_build_filename (folder, "new.pdf", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *listing = NULL;
  struct rlimit saved;
  struct rlimit limited;
  gboolean saved_new;
  gboolean saved_old;

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  limited = saved;
  limited.rlim_cur = 4096;
  /* Past the limit write() fails with EFBIG, once SIGXFSZ no longer ends
   * the process. */
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limited), ==, 0);

  saved_new = save (sections, new_path, NULL, &error);
  g_assert_nonnull (error);
  g_clear_error (&error);
  saved_old = save (sections, old_path, NULL, &error);
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, SIG_DFL);

  g_assert_false (saved_new);
  g_assert_false (saved_old);
  g_file_get_contents (old_path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "an older case file");
  listing = list_folder (folder);
  g_assert_cmpstr (listing, ==, "old.pdf");

  remove_tree (folder);
}

/* A stream that fails part of the way: its own error reaches the caller. */
static void
test_stream_error (void)
{
  g_autoptr(GPtrArray) sections = make_sections ();
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buffer = g_malloc (4096);
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new (buffer, 4096, NULL, NULL);

  g_assert_false (haven_desk_case_file_write (sections, TITLE, FOOTER_NOTE, stream, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/desk-case-file/case-file", test_case_file);
  g_test_add_func ("/haven/desk-case-file/missing-folder", test_missing_folder);
  g_test_add_func ("/haven/desk-case-file/replace", test_replace);
  g_test_add_func ("/haven/desk-case-file/cancelled", test_cancelled);
  g_test_add_func ("/haven/desk-case-file/write-fails", test_write_fails);
  g_test_add_func ("/haven/desk-case-file/stream-error", test_stream_error);

  return g_test_run ();
}
