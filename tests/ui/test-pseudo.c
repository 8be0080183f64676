/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include <libintl.h>

#include "haven-locale.h"
#include "haven-welcome-page.h"
#include "visit-driver.h"

/* Every word on screen comes from the catalog. The test makes a pseudo
 * catalog from po/haven.pot in which every string is marked ⟦like this⟧,
 * installs it as English, walks whole visits and fails on any visible text
 * without the mark: a string a translator would never see. */

#define MARK "⟦"

static char *catalog_dir;

/* The right-to-left languages the pseudo catalog also stands in for. */
static const char * const right_to_left[] = { "ur", "fa" };

static void
make_pseudo_catalog (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pot = g_test_build_filename (G_TEST_DIST, "..", "po", "haven.pot", NULL);
  g_autofree char *messages = NULL;
  g_autofree char *po = NULL;
  g_autofree char *mo = NULL;
  int status;

  catalog_dir = g_dir_make_tmp ("haven-pseudo-XXXXXX", &error);
  g_assert_no_error (error);
  messages = g_build_filename (catalog_dir, "en", "LC_MESSAGES", NULL);
  g_assert_cmpint (g_mkdir_with_parents (messages, 0700), ==, 0);
  po = g_build_filename (catalog_dir, "pseudo.po", NULL);
  mo = g_build_filename (messages, GETTEXT_PACKAGE ".mo", NULL);

  /* msgen copies each msgid to its msgstr; msgfilter marks each line. */
  {
    const char *argv[] = {
      "sh", "-c",
      "msgen \"$0\" | msgfilter --keep-header -o \"$1\" sed -e 's/^/⟦/' -e 's/$/⟧/' && msgfmt -o \"$2\" \"$1\"",
      pot, po, mo, NULL
    };
    g_autofree char *errors = NULL;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 NULL, &errors, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("The pseudo catalog cannot be made: %s", errors);
  }

  /* The same catalog as Urdu and Persian: the pages right to left. */
  for (gsize i = 0; i < G_N_ELEMENTS (right_to_left); i++)
    {
      g_autofree char *folder = g_build_filename (catalog_dir, right_to_left[i], "LC_MESSAGES", NULL);
      g_autofree char *copy = g_build_filename (folder, GETTEXT_PACKAGE ".mo", NULL);
      g_autofree char *contents = NULL;
      gsize length;

      g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
      g_file_get_contents (mo, &contents, &length, &error);
      g_assert_no_error (error);
      g_file_set_contents (copy, contents, length, &error);
      g_assert_no_error (error);
    }

  g_setenv ("HAVEN_LOCALEDIR", catalog_dir, TRUE);
  bindtextdomain (GETTEXT_PACKAGE, catalog_dir);
  haven_locale_apply ("en");
}

static void
remove_pseudo_catalog (void)
{
  const char *files[] = { "en/LC_MESSAGES/" GETTEXT_PACKAGE ".mo", "en/LC_MESSAGES", "en", "pseudo.po" };

  for (gsize i = 0; i < G_N_ELEMENTS (right_to_left); i++)
    {
      g_autofree char *mo = g_build_filename (catalog_dir, right_to_left[i], "LC_MESSAGES",
                                              GETTEXT_PACKAGE ".mo", NULL);
      g_autofree char *messages = g_path_get_dirname (mo);
      g_autofree char *language = g_path_get_dirname (messages);

      g_remove (mo);
      g_rmdir (messages);
      g_rmdir (language);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (catalog_dir, files[i], NULL);

      g_remove (path);
    }
  g_rmdir (catalog_dir);
  g_free (catalog_dir);
}

/* Each language's own name is the same in every catalog. */
static const char * const language_codes[] = {
  "en", "es", "fr", "ar", "ru", "zh_CN", "vi", "th", "km", "lo", "my", "id", "ms", "fil", "pt_BR",
  "hi", "bn", "ur", "fa", "uk",
};

/* Text that needs no translation: numbers, phone numbers, web addresses,
 * currency codes with or without their sign ("£ GBP", "US$ USD"), names
 * that are data, wholly isolated (a service's name, as the content or the
 * directory gives it), and a language's own name. */
static gboolean
needs_no_translation (const char *text)
{
  gboolean has_letter = FALSE;

  if (strstr (text, "://") != NULL || g_regex_match_simple ("^[\\w.-]+\\.[a-z]{2,}(/\\S*)?$", text, 0, 0))
    return TRUE;
  if (g_regex_match_simple ("^(\\S{1,3}\\$? )?[A-Z]{3}$", text, 0, 0))
    return TRUE;
  if (g_str_has_prefix (text, "\u2068") && g_str_has_suffix (text, "\u2069") &&
      strstr (text + strlen ("\u2068"), "\u2068") == NULL)
    return TRUE;
  for (const char *c = text; *c != '\0'; c = g_utf8_next_char (c))
    has_letter |= g_unichar_isalpha (g_utf8_get_char (c));
  if (!has_letter)
    return TRUE;

  for (gsize i = 0; i < G_N_ELEMENTS (language_codes); i++)
    if (g_strcmp0 (text, haven_locale_get_native_name (language_codes[i])) == 0)
      return TRUE;
  return FALSE;
}

static void
assert_all_text_translated (GtkWidget *widget)
{
  const char *text = NULL;

  if (!gtk_widget_get_mapped (widget))
    return;

  if (GTK_IS_LABEL (widget))
    text = gtk_label_get_label (GTK_LABEL (widget));
  else if (GTK_IS_TEXT (widget))
    text = gtk_text_get_placeholder_text (GTK_TEXT (widget));

  if (text != NULL && text[0] != '\0' && strstr (text, MARK) == NULL && !needs_no_translation (text))
    g_error ("“%s” on %s is not from the catalog", text,
             G_OBJECT_TYPE_NAME (gtk_widget_get_ancestor (widget, HAVEN_TYPE_PAGE) != NULL
                                 ? gtk_widget_get_ancestor (widget, HAVEN_TYPE_PAGE) : widget));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    assert_all_text_translated (child);
}

static void
check (HavenWindow *window,
       gpointer     user_data)
{
  iterate ();
  assert_all_text_translated (GTK_WIDGET (window));
}

static void
test_every_word_from_the_catalog (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_settings_set_string (fixture->settings, "region", "GB");
  /* The mark itself proves the pseudo catalog is in use. */
  g_assert_nonnull (strstr (gtk_button_get_label (GTK_BUTTON (find_action_button (fixture->window, "visit.leave-now"))),
                            MARK));

  walk_whole_visit (fixture->window, "fraud", check, NULL);
  walk_whole_visit (fixture->window, "intimate-images", check, NULL);
  walk_whole_visit (fixture->window, "child-abuse-material", check, NULL);

  g_settings_reset (fixture->settings, "region");
}

static void
check_right_to_left (HavenWindow *window,
                     gpointer     user_data)
{
  GtkWidget *page = haven_window_get_current_page (window);

  iterate ();
  /* The welcome page is in the kiosk's own language, between visits. */
  if (!HAVEN_IS_WELCOME_PAGE (page) && gtk_widget_get_direction (page) != GTK_TEXT_DIR_RTL)
    g_error ("%s is laid out left to right", G_OBJECT_TYPE_NAME (page));
  assert_all_text_translated (GTK_WIDGET (window));
}

/* In Urdu and Persian too, every word on every page of a visit comes from
 * the catalog, and every page is laid out right to left. */
static void
test_right_to_left_from_the_catalog (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_settings_set_string (fixture->settings, "region", "PK");
  g_settings_set_strv (fixture->settings, "languages", (const char *[]) { "en", "ur", "fa", NULL });

  for (gsize i = 0; i < G_N_ELEMENTS (right_to_left); i++)
    {
      walk_whole_visit_in (fixture->window, "fraud", right_to_left[i], check_right_to_left, NULL);
      walk_whole_visit_in (fixture->window, "intimate-images", right_to_left[i], check_right_to_left,
                           NULL);
    }

  g_settings_reset (fixture->settings, "languages");
  g_settings_reset (fixture->settings, "region");
}

int
main (int   argc,
      char *argv[])
{
  int result;

  visit_driver_init (&argc, &argv);
  make_pseudo_catalog ();

  g_test_add ("/haven/pseudo/every-word-from-the-catalog", Fixture, NULL, fixture_set_up,
              test_every_word_from_the_catalog, fixture_tear_down);
  g_test_add ("/haven/pseudo/right-to-left-from-the-catalog", Fixture, NULL, fixture_set_up,
              test_right_to_left_from_the_catalog, fixture_tear_down);

  result = g_test_run ();
  remove_pseudo_catalog ();
  return result;
}
