/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "haven-locale.h"
#include "test-files.h"

/* Every language Haven offers has a catalog, listed in po/LINGUAS, and
 * every catalog is complete: a visitor never meets an English sentence in
 * the middle of their own language. */

static void
test_every_language_has_a_catalog (void)
{
  g_auto(GStrv) linguas = shipped_languages ();
  g_autoptr(GSettings) settings = g_settings_new ("io.github.havenkiosk.Haven");
  g_auto(GStrv) offered = NULL;

  /* What a kiosk offers unless its organisation says otherwise: every
   * one of the twenty languages Haven ships, each named in its own. */
  g_settings_reset (settings, "languages");
  offered = g_settings_get_strv (settings, "languages");
  g_assert_cmpuint (g_strv_length (offered), ==, 20);
  g_assert_cmpuint (g_strv_length (linguas), ==, 20);

  for (gsize i = 0; offered[i] != NULL; i++)
    {
      g_assert_true (haven_locale_is_known (offered[i]));
      g_assert_nonnull (haven_locale_get_native_name (offered[i]));
    }

  for (gsize i = 0; linguas[i] != NULL; i++)
    {
      if (!g_strv_contains ((const char * const *) offered, linguas[i]))
        g_error ("%s has a catalog but is not offered by default", linguas[i]);
      /* Built and installed where haven looks for it. */
      g_assert_true (haven_locale_has_catalog (linguas[i]));
    }
}

static void
test_every_catalog_is_complete (void)
{
  g_auto(GStrv) linguas = shipped_languages ();

  for (guint i = 0; linguas[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *po = g_strconcat (linguas[i], ".po", NULL);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "po", po, NULL);
      g_autofree char *statistics = NULL;
      const char *argv[] = { "msgfmt", "--check", "--statistics", "-o", "/dev/null", path, NULL };
      int status;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                                   NULL, NULL, NULL, &statistics, &status, &error));
      g_assert_no_error (error);
      if (!g_spawn_check_wait_status (status, NULL))
        g_error ("msgfmt --check fails for %s:\n%s", po, statistics);
      if (strstr (statistics, "fuzzy") != NULL || strstr (statistics, "untranslated") != NULL)
        g_error ("%s is not complete: %s", po, statistics);
      g_test_message ("%s: %s", po, g_strchomp (statistics));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/translations/every-language-has-a-catalog", test_every_language_has_a_catalog);
  g_test_add_func ("/haven/translations/every-catalog-is-complete", test_every_catalog_is_complete);

  return g_test_run ();
}
