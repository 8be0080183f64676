/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-search-text"

#include "config.h"

#include <string.h>

#include "haven-search-text.h"

/* Text as the directory's full-text index sees it, for the records when
 * they are imported and for what a visitor types, so that both meet.
 *
 * SQLite's unicode61 tokenizer (remove_diacritics 2) folds case and the
 * accents of Latin letters; the index counts spacing vowel signs (Unicode's
 * Mc, as in Hindi "ि" or Khmer "ា") as parts of words rather than as the
 * ends of them (haven-directory-writer.c). What it does not do is done
 * here:
 *  - marks on other scripts (Arabic harakat, hamza on alef, Thai tone
 *    marks, the Indic nukta and virama) and letters that have no
 *    decomposition (Vietnamese đ, Polish ł, Bengali ৎ) are folded, so
 *    "مساعدة" finds "مُساعَدة", "duong" finds "đường" and "ज" finds "ज़";
 *  - spellings of the same word a reader takes for one: the Arabic, Persian
 *    and Urdu forms of yeh, kaf and heh, teh marbuta and heh, and a nasal
 *    consonant with virama against the anusvara (हिन्दी, हिंदी);
 *  - digits of every script become 0-9;
 *  - compatibility forms (full-width Latin, Arabic presentation forms,
 *    ligatures) become their plain letters (NFKD);
 *  - Chinese, Japanese, Thai, Lao, Khmer and Burmese, written without
 *    spaces between words, would be one token per sentence: each run of
 *    such characters becomes its overlapping pairs plus its last
 *    character, so a search for any part of a word finds it. The zero
 *    width spaces some writers put between words there are left out;
 *  - Arabic-script words carry their article and one-letter particles
 *    ("والمساعدة": and-the-help): the index holds each such word as written
 *    and without them, and a query is searched without them, so a word is
 *    found with or without "ال", "و", "ب", "ل"… on either side. A Persian
 *    word joined by a zero-width non-joiner ("می‌خواهم") is indexed as its
 *    parts and as one word, so it is found however it is typed. */

typedef enum {
  FOLD_FOR_INDEX,
  FOLD_FOR_QUERY,
} FoldPurpose;

#define ZERO_WIDTH_SPACE 0x200B
#define ZERO_WIDTH_NON_JOINER 0x200C
#define ZERO_WIDTH_JOINER 0x200D
#define WORD_JOINER 0x2060
#define SOFT_HYPHEN 0x00AD
#define BYTE_ORDER_MARK 0xFEFF

static gboolean
is_unspaced_script (gunichar c)
{
  GUnicodeScript script = g_unichar_get_script (c);

  return script == G_UNICODE_SCRIPT_HAN || script == G_UNICODE_SCRIPT_HIRAGANA ||
         script == G_UNICODE_SCRIPT_KATAKANA || script == G_UNICODE_SCRIPT_THAI ||
         script == G_UNICODE_SCRIPT_LAO || script == G_UNICODE_SCRIPT_KHMER ||
         script == G_UNICODE_SCRIPT_MYANMAR;
}

/* Characters that only shape or join the letters around them. */
static gboolean
is_invisible_joiner (gunichar c)
{
  return c == ZERO_WIDTH_JOINER || c == WORD_JOINER || c == SOFT_HYPHEN ||
         c == BYTE_ORDER_MARK;
}

static gboolean
is_arabic_letter (gunichar c)
{
  return g_unichar_get_script (c) == G_UNICODE_SCRIPT_ARABIC && g_unichar_isalpha (c);
}

/* Letters folded into another: Latin letters the tokenizer does not fold
 * because Unicode gives them no decomposition, and the letters Arabic,
 * Persian and Urdu write differently for the same sound. */
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
    case 0x0649: /* alef maksura */
    case 0x06CC: /* Persian yeh */
    case 0x06D2: /* Urdu yeh barree */
    case 0x06D0: /* yeh (e) */
      return "\u064A";
    case 0x06A9: /* Persian keheh */
    case 0x06AA: /* swash kaf */
      return "\u0643";
    case 0x0629: /* teh marbuta, often written as heh */
    case 0x06C1: /* Urdu heh goal */
    case 0x06BE: /* Urdu heh doachashmee */
    case 0x06D5: /* ae, the base of Persian heh with yeh */
      return "\u0647";
    case 0x0671: /* alef wasla */
      return "\u0627";
    case 0x06BA: /* Urdu noon ghunna */
      return "\u0646";
    case 0x09CE: /* Bengali khanda ta, also written ta with virama */
      return "\u09A4";
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
      if (c >= 0x0300 || c == SOFT_HYPHEN || fold_letter (c) != NULL)
        return TRUE;
      p = (const guchar *) g_utf8_next_char (p) - 1;
    }

  return FALSE;
}

/* A nasal consonant followed by virama and another consonant is also
 * written as the anusvara (हिन्दी and हिंदी, বাঙলা and বাংলা), which the
 * folding leaves out; so is the consonant. */
static gboolean
is_nasal_before_consonant (const char *p)
{
  gunichar c = g_utf8_get_char (p);
  const char *next = g_utf8_next_char (p);
  gunichar virama = g_utf8_get_char (next);
  gunichar consonant;

  switch (c)
    {
    case 0x0919: case 0x091E: case 0x0923: case 0x0928: case 0x092E:
      if (virama != 0x094D)
        return FALSE;
      break;
    case 0x0999: case 0x099E: case 0x09A3: case 0x09A8: case 0x09AE:
      if (virama != 0x09CD)
        return FALSE;
      break;
    default:
      return FALSE;
    }

  consonant = g_utf8_get_char (g_utf8_next_char (next));
  return g_unichar_type (consonant) == G_UNICODE_OTHER_LETTER &&
         g_unichar_get_script (consonant) == g_unichar_get_script (c);
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

/* Letter by letter: marks, variants, digits and the unspaced scripts.
 * A zero-width non-joiner inside an Arabic-script word is kept, for the
 * word pass. */
static void
fold_letters (GString    *out,
              const char *decomposed)
{
  g_autoptr(GArray) run = g_array_new (FALSE, FALSE, sizeof (gunichar));
  gunichar previous = 0;

  for (const char *p = decomposed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);
      const char *replacement;
      int digit;

      if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_ENCLOSING_MARK ||
          c == 0x0640 /* Arabic tatweel, only stretches a word */ ||
          c == 0x0982 /* Bengali anusvara, the one that is spacing */ ||
          is_invisible_joiner (c) || is_nasal_before_consonant (p))
        continue;

      if (c == ZERO_WIDTH_SPACE || c == ZERO_WIDTH_NON_JOINER)
        {
          /* Between words of an unspaced script, the run goes on; inside a
           * Persian word, the word pass splits and joins it. */
          if (run->len > 0)
            continue;
          if (c == ZERO_WIDTH_NON_JOINER && is_arabic_letter (previous))
            {
              g_string_append_unichar (out, c);
              previous = c;
              continue;
            }
          c = ' ';
        }

      /* Before the scripts: Thai and Khmer digits belong to them. */
      if (type == G_UNICODE_DECIMAL_NUMBER && c >= 0x80 && (digit = g_unichar_digit_value (c)) >= 0)
        {
          flush_unspaced_run (out, run);
          g_string_append_c (out, '0' + digit);
          previous = c;
          continue;
        }

      if (is_unspaced_script (c))
        {
          g_array_append_val (run, c);
          continue;
        }

      flush_unspaced_run (out, run);

      if ((replacement = fold_letter (c)) != NULL)
        g_string_append (out, replacement);
      else
        g_string_append_unichar (out, c);
      previous = c;
    }
  flush_unspaced_run (out, run);
}

/* How many bytes of @word an Arabic article or particle takes, when the
 * rest is long enough to be a word of its own: "وال", "بال", "كال",
 * "فال", "لل" and "ال" before two letters or more; "و" and "ف" before
 * three; "ب", "ل" and "ك", which begin many words, before four. */
static gsize
arabic_prefix_length (const char *word)
{
  static const struct {
    const char *prefix;
    glong shortest_rest;
  } prefixes[] = {
    { "\u0648\u0627\u0644", 2 }, { "\u0641\u0627\u0644", 2 }, { "\u0628\u0627\u0644", 2 },
    { "\u0643\u0627\u0644", 2 }, { "\u0648\u0644\u0644", 2 }, { "\u0644\u0644", 2 },
    { "\u0627\u0644", 2 },
    { "\u0648", 3 }, { "\u0641", 3 },
    { "\u0628", 4 }, { "\u0644", 4 }, { "\u0643", 4 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      if (g_str_has_prefix (word, prefixes[i].prefix) &&
          g_utf8_strlen (word + strlen (prefixes[i].prefix), -1) >= prefixes[i].shortest_rest)
        return strlen (prefixes[i].prefix);
    }

  return 0;
}

static void
append_arabic_word (GString     *out,
                    const char  *word,
                    FoldPurpose  purpose)
{
  gsize prefix = arabic_prefix_length (word);

  if (purpose == FOLD_FOR_INDEX || prefix == 0)
    {
      g_string_append (out, word);
      g_string_append_c (out, ' ');
    }
  if (prefix > 0)
    {
      g_string_append (out, word + prefix);
      g_string_append_c (out, ' ');
    }
}

/* An Arabic-script run of letters, perhaps joined by zero-width
 * non-joiners: its parts, and for the index the whole as one word. */
static void
append_arabic_run (GString     *out,
                   const char  *run,
                   gsize        length,
                   FoldPurpose  purpose)
{
  g_autofree char *text = g_strndup (run, length);
  g_auto(GStrv) parts = g_strsplit (text, "\u200C", -1);
  guint n_parts = g_strv_length (parts);

  g_string_append_c (out, ' ');
  for (guint i = 0; i < n_parts; i++)
    if (parts[i][0] != '\0')
      append_arabic_word (out, parts[i], purpose);

  if (n_parts > 1 && purpose == FOLD_FOR_INDEX)
    {
      g_autofree char *joined = g_strjoinv ("", parts);

      append_arabic_word (out, joined, purpose);
    }
}

/* Word by word, for the Arabic script: everything else is copied. */
static void
fold_words (GString     *out,
            const char  *letters,
            FoldPurpose  purpose)
{
  const char *p = letters;

  while (*p != '\0')
    {
      const char *start = p;

      while (*p != '\0' && (is_arabic_letter (g_utf8_get_char (p)) ||
                            (p > start && g_utf8_get_char (p) == ZERO_WIDTH_NON_JOINER)))
        p = g_utf8_next_char (p);

      if (p > start)
        {
          append_arabic_run (out, start, p - start, purpose);
          continue;
        }

      if (g_utf8_get_char (p) == ZERO_WIDTH_NON_JOINER)
        g_string_append_c (out, ' ');
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
}

static gboolean
is_ascii (const char *start,
          const char *end)
{
  for (const guchar *p = (const guchar *) start; p < (const guchar *) end; p++)
    {
      if (*p >= 0x80)
        return FALSE;
    }

  return TRUE;
}

/* Folds @length bytes of @text, which begin and end at a space or at the
 * ends of the text. */
static void
fold_part (GString     *folded,
           GString     *letters,
           const char  *text,
           gsize        length,
           FoldPurpose  purpose)
{
  g_autofree char *decomposed = g_utf8_normalize (text, length, G_NORMALIZE_NFKD);

  g_string_truncate (letters, 0);
  fold_letters (letters, decomposed);
  fold_words (folded, letters->str, purpose);
}

static void
append_folded (GString     *folded,
               const char  *text,
               FoldPurpose  purpose)
{
  g_autoptr(GString) letters = NULL;
  const char *part, *word;
  gsize length;

  if (text == NULL || text[0] == '\0')
    return;

  if (!needs_folding (text))
    {
      g_string_append (folded, text);
      g_string_append_c (folded, ' ');
      return;
    }

  length = strlen (text);
  if (!g_utf8_validate_len (text, length, NULL))
    return;

  /* Nothing the folding does reaches across a space, and ASCII comes out
   * of it as it went in: the words of plain ASCII are copied, and only
   * the stretches of other words between them are folded. A text in two
   * scripts, or in Polish or Vietnamese where most words are ASCII,
   * costs the folding of a few words rather than of all of them. */
  letters = g_string_new (NULL);
  part = word = text;
  while (*word != '\0')
    {
      const char *end = strchr (word, ' ');

      if (end == NULL)
        end = text + length;
      if (is_ascii (word, end))
        {
          if (word > part)
            fold_part (folded, letters, part, word - part, purpose);
          g_string_append_len (folded, word, end - word);
          if (*end == ' ')
            g_string_append_c (folded, ' ');
          part = *end == ' ' ? end + 1 : end;
        }
      word = *end == ' ' ? end + 1 : end;
    }
  if (text + length > part)
    fold_part (folded, letters, part, text + length - part, purpose);
  g_string_append_c (folded, ' ');
}

/**
 * haven_search_text_append:
 * @folded: where to append
 * @text: (nullable): directory text
 *
 * Appends @text, folded for the index, and a space.
 */
void
haven_search_text_append (GString    *folded,
                          const char *text)
{
  g_return_if_fail (folded != NULL);

  append_folded (folded, text, FOLD_FOR_INDEX);
}

/**
 * haven_search_text_fold_query:
 * @text: (nullable): what a visitor typed
 *
 * Returns: (transfer full): @text folded as the index's text is, to be
 *   searched in it
 */
char *
haven_search_text_fold_query (const char *text)
{
  GString *folded = g_string_new (NULL);

  append_folded (folded, text, FOLD_FOR_QUERY);
  if (folded->len > 0 && folded->str[folded->len - 1] == ' ')
    g_string_truncate (folded, folded->len - 1);

  return g_string_free (folded, FALSE);
}
