/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-locale"

#include "config.h"

#include <glib/gi18n.h>
#include <libintl.h>

#include "haven-locale.h"
#include "haven-paths.h"

/* glibc caches translations per catalog; bumping this counter makes the next
 * gettext() call look the message up again in the new LANGUAGE. */
extern int _nl_msg_cat_cntr;

typedef struct {
  const char *code;
  /* How speakers of the language name it, so a visitor can find their own
   * language without reading any other. */
  const char *native_name;
  HavenTextDirection direction;
} HavenLanguage;

static const HavenLanguage known_languages[] = {
  { "en", "English", HAVEN_TEXT_DIRECTION_LTR },
  { "es", "Español", HAVEN_TEXT_DIRECTION_LTR },
  { "fr", "Français", HAVEN_TEXT_DIRECTION_LTR },
  { "ar", "العربية", HAVEN_TEXT_DIRECTION_RTL },
  { "ru", "Русский", HAVEN_TEXT_DIRECTION_LTR },
  { "zh_CN", "简体中文", HAVEN_TEXT_DIRECTION_LTR },
  { "vi", "Tiếng Việt", HAVEN_TEXT_DIRECTION_LTR },
  { "th", "ไทย", HAVEN_TEXT_DIRECTION_LTR },
  { "km", "ខ្មែរ", HAVEN_TEXT_DIRECTION_LTR },
  { "lo", "ລາວ", HAVEN_TEXT_DIRECTION_LTR },
  { "my", "မြန်မာ", HAVEN_TEXT_DIRECTION_LTR },
  { "id", "Bahasa Indonesia", HAVEN_TEXT_DIRECTION_LTR },
  { "ms", "Bahasa Melayu", HAVEN_TEXT_DIRECTION_LTR },
  { "fil", "Filipino", HAVEN_TEXT_DIRECTION_LTR },
  { "pt_BR", "Português (Brasil)", HAVEN_TEXT_DIRECTION_LTR },
  { "hi", "हिन्दी", HAVEN_TEXT_DIRECTION_LTR },
  { "bn", "বাংলা", HAVEN_TEXT_DIRECTION_LTR },
  { "ur", "اردو", HAVEN_TEXT_DIRECTION_RTL },
  { "fa", "فارسی", HAVEN_TEXT_DIRECTION_RTL },
  { "uk", "Українська", HAVEN_TEXT_DIRECTION_LTR },
};

static char *current_code;

static const HavenLanguage *
lookup (const char *code)
{
  if (code == NULL)
    return NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (known_languages); i++)
    {
      if (g_str_equal (known_languages[i].code, code))
        return &known_languages[i];
    }

  return NULL;
}

gboolean
haven_locale_is_known (const char *code)
{
  return lookup (code) != NULL;
}

const char *
haven_locale_get_native_name (const char *code)
{
  const HavenLanguage *language = lookup (code);

  return language != NULL ? language->native_name : NULL;
}

/**
 * haven_locale_get_style_class:
 * @code: a language code
 *
 * Returns: the style class that marks text in @code ("lang-ur"), for the
 *   fonts a script is read in
 */
const char *
haven_locale_get_style_class (const char *code)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (code != NULL, NULL);

  name = g_strconcat ("lang-", code, NULL);
  return g_intern_string (name);
}

HavenTextDirection
haven_locale_get_direction (const char *code)
{
  const HavenLanguage *language = lookup (code);

  return language != NULL ? language->direction : HAVEN_TEXT_DIRECTION_LTR;
}

gboolean
haven_locale_has_catalog (const char *code)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (code != NULL, FALSE);

  path = g_build_filename (haven_paths_get_locale_dir (), code, "LC_MESSAGES",
                           GETTEXT_PACKAGE ".mo", NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/**
 * haven_locale_filter_offered:
 * @configured: the languages the settings ask for, in order
 *
 * Returns: (transfer full): the languages to offer visitors: those of
 *   @configured that Haven knows and has a catalog for, each once, in order.
 *   A language without a catalog would show the visitor text they may not
 *   read, so it is left out.
 */
GStrv
haven_locale_filter_offered (const char * const *configured)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (gsize i = 0; configured != NULL && configured[i] != NULL; i++)
    {
      const char *code = configured[i];

      if (!haven_locale_is_known (code) || !haven_locale_has_catalog (code))
        continue;
      if (!g_hash_table_add (seen, (gpointer) code))
        continue;

      g_strv_builder_add (builder, code);
    }

  return g_strv_builder_end (builder);
}

/**
 * haven_locale_apply:
 * @code: a language Haven knows
 *
 * Makes gettext answer in @code from now on. Text already built (widgets
 * made from GtkBuilder files, for instance) keeps its language: callers
 * rebuild it.
 */
void
haven_locale_apply (const char *code)
{
  g_return_if_fail (haven_locale_is_known (code));

  g_setenv ("LANGUAGE", code, TRUE);
  ++_nl_msg_cat_cntr;

  g_free (current_code);
  current_code = g_strdup (code);
}

const char *
haven_locale_get_current (void)
{
  return current_code;
}

/**
 * haven_locale_get_default:
 * @settings: settings of the `io.github.havenkiosk.Haven` schema
 *
 * Returns: (transfer full): the language each visit starts in: the setting
 *   default-language when Haven can offer it, otherwise the first language
 *   offered, otherwise English.
 */
char *
haven_locale_get_default (GSettings *settings)
{
  g_autofree char *configured = NULL;
  g_auto(GStrv) languages = NULL;
  g_auto(GStrv) offered = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  configured = g_settings_get_string (settings, "default-language");
  if (haven_locale_is_known (configured) && haven_locale_has_catalog (configured))
    return g_steal_pointer (&configured);

  languages = g_settings_get_strv (settings, "languages");
  offered = haven_locale_filter_offered ((const char * const *) languages);
  if (offered[0] != NULL)
    return g_strdup (offered[0]);

  return g_strdup ("en");
}

/**
 * haven_locale_apply_default:
 *
 * Switches to the kiosk's default language, read from the settings.
 */
void
haven_locale_apply_default (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *code = NULL;

  /* GLib decides for good, at the first g_dgettext() of the process,
   * whether to translate at all: only if the catalog answers then. Reading
   * the settings may be that first call, so English (always shipped)
   * answers it. */
  haven_locale_apply ("en");

  settings = g_settings_new (APP_ID);
  code = haven_locale_get_default (settings);
  haven_locale_apply (code);
}

/**
 * haven_locale_translate_in:
 * @code: a language Haven knows
 * @msgid: a string marked for translation in Haven's domain
 *
 * Translates @msgid into @code, whatever the current language, which it
 * leaves as it was: for the helper's language at a walk-in desk.
 *
 * Returns: (transfer full): the translation, or @msgid
 */
char *
haven_locale_translate_in (const char *code,
                           const char *msgid)
{
  g_autofree char *current = g_strdup (current_code);
  char *translated;

  g_return_val_if_fail (haven_locale_is_known (code), g_strdup (msgid));
  g_return_val_if_fail (msgid != NULL, NULL);

  if (g_strcmp0 (code, current) == 0)
    return g_strdup (g_dgettext (GETTEXT_PACKAGE, msgid));

  haven_locale_apply (code);
  translated = g_strdup (g_dgettext (GETTEXT_PACKAGE, msgid));
  if (current != NULL)
    haven_locale_apply (current);

  return translated;
}

guint
haven_locale_get_display_width (const char *text)
{
  guint width = 0;

  g_return_val_if_fail (text != NULL, 0);

  /* Thai and Devanagari put vowel signs and tone marks on the letter
   * before them, and a terminal on the same cell: counted as characters,
   * a Thai heading pushed the columns after it out of line. */
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }

  return width;
}
