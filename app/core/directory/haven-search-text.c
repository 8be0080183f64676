/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-search-text"

#include "config.h"

#include <string.h>

#include "haven-search-text.h"

/* Text as the directory's full-text index sees it, for the records when
 * they are imported and for what a visitor types, so that both meet.
 *
 * SQLite's unicode61 tokenizer (remove_diacritics 2) folds case and the
 * accents of Latin letters. Three things it does not do are done here:
 *  - marks on other scripts (Arabic harakat, hamza on alef) and letters
 *    that have no decomposition (Vietnamese đ, Polish ł) are folded, so
 *    "مساعدة" finds "مُساعَدة" and "duong" finds "đường";
 *  - compatibility forms (full-width Latin, Arabic presentation forms,
 *    ligatures) become their plain letters (NFKD);
 *  - Chinese and Japanese, written without spaces, would be one token per
 *    sentence: each run of such characters becomes its overlapping pairs
 *    plus its last character, so a search for any part of a word finds
 *    it. */

static gboolean
is_unspaced_script (gunichar c)
{
  GUnicodeScript script = g_unichar_get_script (c);

  return script == G_UNICODE_SCRIPT_HAN || script == G_UNICODE_SCRIPT_HIRAGANA ||
         script == G_UNICODE_SCRIPT_KATAKANA;
}

/* Latin letters the tokenizer does not fold because Unicode gives them no
 * decomposition. */
static const char *
fold_letter (gunichar c)
{
  switch (c)
    {
    case 0x0110: /* Đ */
    case 0x0111: /* đ */
      return "d";
    case 0x0141: /* Ł */
    case 0x0142: /* ł */
      return "l";
    case 0x00D8: /* Ø */
    case 0x00F8: /* ø */
      return "o";
    case 0x00DF: /* ß */
      return "ss";
    case 0x00C6: /* Æ */
    case 0x00E6: /* æ */
      return "ae";
    case 0x0152: /* Œ */
    case 0x0153: /* œ */
      return "oe";
    case 0x0131: /* ı */
      return "i";
    default:
      return NULL;
    }
}

/* Text the tokenizer already handles alone: ASCII and precomposed Latin
 * letters without the exceptions above. Most directory text is like this,
 * and normalising it would only cost time. */
static gboolean
needs_folding (const char *text)
{
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      gunichar c;

      if (*p < 0x80)
        continue;

      c = g_utf8_get_char ((const char *) p);
      if (c >= 0x0300 || fold_letter (c) != NULL)
        return TRUE;
      p = (const guchar *) g_utf8_next_char (p) - 1;
    }

  return FALSE;
}

static void
flush_unspaced_run (GString   *out,
                    GArray    *run)
{
  if (run->len == 0)
    return;

  g_string_append_c (out, ' ');
  for (guint i = 0; i + 1 < run->len; i++)
    {
      g_string_append_unichar (out, g_array_index (run, gunichar, i));
      g_string_append_unichar (out, g_array_index (run, gunichar, i + 1));
      g_string_append_c (out, ' ');
    }
  g_string_append_unichar (out, g_array_index (run, gunichar, run->len - 1));
  g_string_append_c (out, ' ');

  g_array_set_size (run, 0);
}

/**
 * haven_search_text_append:
 * @folded: where to append
 * @text: (nullable): directory text or a visitor's query
 *
 * Appends @text, folded for the index, and a space.
 */
void
haven_search_text_append (GString    *folded,
                          const char *text)
{
  g_autofree char *decomposed = NULL;
  g_autoptr(GArray) run = NULL;

  g_return_if_fail (folded != NULL);

  if (text == NULL || text[0] == '\0')
    return;

  if (!needs_folding (text))
    {
      g_string_append (folded, text);
      g_string_append_c (folded, ' ');
      return;
    }

  decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_NFKD);
  if (decomposed == NULL)
    return;

  run = g_array_new (FALSE, FALSE, sizeof (gunichar));
  for (const char *p = decomposed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);
      const char *replacement;

      if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_ENCLOSING_MARK ||
          c == 0x0640 /* Arabic tatweel, only stretches a word */)
        continue;

      if (is_unspaced_script (c))
        {
          g_array_append_val (run, c);
          continue;
        }

      flush_unspaced_run (folded, run);

      replacement = fold_letter (c);
      if (replacement != NULL)
        g_string_append (folded, replacement);
      else
        g_string_append_unichar (folded, c);
    }
  flush_unspaced_run (folded, run);
  g_string_append_c (folded, ' ');
}

/**
 * haven_search_text_fold:
 * @text: (nullable): directory text or a visitor's query
 *
 * Returns: (transfer full): @text as the full-text index holds it
 */
char *
haven_search_text_fold (const char *text)
{
  GString *folded = g_string_new (NULL);

  haven_search_text_append (folded, text);
  if (folded->len > 0 && folded->str[folded->len - 1] == ' ')
    g_string_truncate (folded, folded->len - 1);

  return g_string_free (folded, FALSE);
}
