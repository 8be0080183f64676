/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-locale"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libintl.h>
#include <locale.h>

#include "haven-locale.h"
#include "haven-paths.h"

static void
test_known_languages (void)
{
  const char *shipped[] = { "en", "es", "fr", "ar", "ru", "zh_CN", "vi", "th", "km", "lo", "my",
                            "id", "ms", "fil", "pt_BR", "hi", "bn", "ur", "fa", "uk" };

  for (gsize i = 0; i < G_N_ELEMENTS (shipped); i++)
    {
      g_assert_true (haven_locale_is_known (shipped[i]));
      g_assert_nonnull (haven_locale_get_native_name (shipped[i]));
    }

  g_assert_cmpstr (haven_locale_get_native_name ("es"), ==, "Español");
  g_assert_cmpstr (haven_locale_get_native_name ("ar"), ==, "العربية");
  g_assert_cmpstr (haven_locale_get_native_name ("ur"), ==, "اردو");
  g_assert_cmpstr (haven_locale_get_native_name ("pt_BR"), ==, "Português (Brasil)");
  g_assert_cmpstr (haven_locale_get_style_class ("ur"), ==, "lang-ur");
  g_assert_false (haven_locale_is_known ("xx"));
  g_assert_false (haven_locale_is_known (NULL));
  g_assert_null (haven_locale_get_native_name ("xx"));
}

static void
test_direction (void)
{
  g_assert_cmpint (haven_locale_get_direction ("ar"), ==, HAVEN_TEXT_DIRECTION_RTL);
  g_assert_cmpint (haven_locale_get_direction ("en"), ==, HAVEN_TEXT_DIRECTION_LTR);
  g_assert_cmpint (haven_locale_get_direction ("zh_CN"), ==, HAVEN_TEXT_DIRECTION_LTR);
  g_assert_cmpint (haven_locale_get_direction ("ur"), ==, HAVEN_TEXT_DIRECTION_RTL);
  g_assert_cmpint (haven_locale_get_direction ("fa"), ==, HAVEN_TEXT_DIRECTION_RTL);
  g_assert_cmpint (haven_locale_get_direction ("th"), ==, HAVEN_TEXT_DIRECTION_LTR);
}

static void
make_catalog (const char *localedir,
              const char *code)
{
  g_autofree char *folder = g_build_filename (localedir, code, "LC_MESSAGES", NULL);
  g_autofree char *path = g_build_filename (folder, GETTEXT_PACKAGE ".mo", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);
}

static void
test_filter_offered (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *localedir = g_dir_make_tmp ("haven-locale-XXXXXX", &error);
  g_autofree char *saved = g_strdup (g_getenv ("HAVEN_LOCALEDIR"));
  const char *configured[] = { "es", "xx", "en", "fr", "es", "ar", NULL };
  g_auto(GStrv) offered = NULL;

  g_assert_no_error (error);
  make_catalog (localedir, "en");
  make_catalog (localedir, "es");
  make_catalog (localedir, "ar");
  g_setenv ("HAVEN_LOCALEDIR", localedir, TRUE);

  /* Unknown codes, languages without a catalog (fr) and repeats go; the
   * order the deployment chose stays. */
  offered = haven_locale_filter_offered (configured);
  g_assert_cmpstrv (offered, ((const char *[]) { "es", "en", "ar", NULL }));

  if (saved != NULL)
    g_setenv ("HAVEN_LOCALEDIR", saved, TRUE);
  else
    g_unsetenv ("HAVEN_LOCALEDIR");
}

static void
test_default_language (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *chosen = NULL;
  g_autofree char *fallback = NULL;

  g_settings_set_string (settings, "default-language", "es");
  chosen = haven_locale_get_default (settings);
  g_assert_cmpstr (chosen, ==, "es");

  /* A language Haven cannot show falls back to the first one offered. */
  g_settings_set_string (settings, "default-language", "xx");
  g_settings_set_strv (settings, "languages", (const char *[]) { "es", "en", NULL });
  fallback = haven_locale_get_default (settings);
  g_assert_cmpstr (fallback, ==, "es");

  g_settings_reset (settings, "default-language");
  g_settings_reset (settings, "languages");
}

/* Switching language at run time changes what gettext answers at once,
 * without restarting, using the catalogs built from po/. */
static void
test_apply_switches_translations (void)
{
  haven_locale_apply ("es");
  g_assert_cmpstr (haven_locale_get_current (), ==, "es");
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "es");
  g_assert_cmpstr (_("Leave now"), ==, "Salir ahora");

  haven_locale_apply ("en");
  g_assert_cmpstr (_("Leave now"), ==, "Leave now");

  haven_locale_apply ("es");
  g_assert_cmpstr (_("Leave now"), ==, "Salir ahora");
}

/* The kiosk starts in its default language; what it translates through
 * g_dgettext() (the content definitions) must be translated too. GLib
 * decides once per process, at the first g_dgettext(), whether to translate
 * at all, so this runs in a fresh process, as haven's main() does. */
static void
test_start_in_default_language (void)
{
  if (g_test_subprocess ())
    {
      /* Nothing set yet, as when haven starts. Reading the settings is
       * the process's first g_dgettext() (GSettings translates its own
       * property descriptions). */
      g_unsetenv ("LANGUAGE");
      haven_locale_apply_default ();
      haven_locale_apply ("es");
      g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Leave now"), ==, "Salir ahora");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* The helper's language at a walk-in desk: a string in another language,
 * the visitor's left current. */
static void
test_translate_in (void)
{
  g_autofree char *spanish = NULL;
  g_autofree char *same = NULL;

  haven_locale_apply ("en");
  spanish = haven_locale_translate_in ("es", "Leave now");
  g_assert_cmpstr (spanish, ==, "Salir ahora");
  g_assert_cmpstr (haven_locale_get_current (), ==, "en");
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Leave now"), ==, "Leave now");

  same = haven_locale_translate_in ("en", "Leave now");
  g_assert_cmpstr (same, ==, "Leave now");
}

/* Columns as a terminal draws them, for havenctl's tables. */
static void
test_display_width (void)
{
  g_assert_cmpuint (haven_locale_get_display_width (""), ==, 0);
  g_assert_cmpuint (haven_locale_get_display_width ("ID"), ==, 2);
  /* Thai: SARA II (U+0E35) sits on DO DEK's cell. */
  g_assert_cmpuint (haven_locale_get_display_width ("ไอดี"), ==, 3);
  g_assert_cmpuint (g_utf8_strlen ("ไอดี", -1), ==, 4);
  /* Hindi: the virama is a mark; the spacing vowel signs take a cell. */
  g_assert_cmpuint (haven_locale_get_display_width ("हिन्दी"), ==, 5);
  /* Chinese: two cells a character. */
  g_assert_cmpuint (haven_locale_get_display_width ("简体中文"), ==, 8);
  /* A decomposed accent, and the isolates Haven puts round names. */
  g_assert_cmpuint (haven_locale_get_display_width ("e\xcc\x81"), ==, 1);
  g_assert_cmpuint (haven_locale_get_display_width ("\xe2\x81\xa8" "ab" "\xe2\x81\xa9"), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, haven_paths_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);

  /* Not in the subprocess: it must start as haven does, with nothing
   * translated yet. */
  if (!g_test_subprocess ())
    haven_locale_apply ("en");

  g_test_add_func ("/haven/locale/known-languages", test_known_languages);
  g_test_add_func ("/haven/locale/direction", test_direction);
  g_test_add_func ("/haven/locale/filter-offered", test_filter_offered);
  g_test_add_func ("/haven/locale/default-language", test_default_language);
  g_test_add_func ("/haven/locale/apply-switches-translations", test_apply_switches_translations);
  g_test_add_func ("/haven/locale/start-in-default-language", test_start_in_default_language);
  g_test_add_func ("/haven/locale/translate-in", test_translate_in);
  g_test_add_func ("/haven/locale/display-width", test_display_width);

  return g_test_run ();
}
