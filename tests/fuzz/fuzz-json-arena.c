/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "haven-json-arena.h"

/* One record of an HSDS directory as the importer parses it: the arena
 * JSON parser (haven_json_parse()) that reads every record of a JSON
 * directory and the datapackage.json of a data package. What it parses
 * and writes back must parse again into the same text. */

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  /* A buffer of exactly @size bytes, never NULL, as the importer's reads
   * give the parser. */
  g_autofree char *text = g_malloc (MAX (size, 1));
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  g_autoptr(GString) scratch = g_string_new (NULL);
  g_autoptr(GString) written = g_string_new (NULL);
  g_autoptr(GString) rewritten = g_string_new (NULL);
  const char *error = NULL;
  guint line = 0;
  JValue *value;
  JValue *again;
  Arena arena;

  if (size > 0)
    memcpy (text, data, size);
  haven_arena_init (&arena);

  value = haven_json_parse (&arena, stack, scratch, text, size, &error, &line);
  if (value == NULL)
    {
      g_assert_nonnull (error);
      g_assert_cmpuint (line, >=, 1);
      haven_arena_clear (&arena);
      return 0;
    }

  /* Lookups as the record mapper makes them. */
  if (value->type == JV_OBJECT)
    {
      for (guint i = 0; i < value->length; i++)
        {
          JValue *member = haven_jv_get (value, value->members[i].key);

          g_assert_true (member == NULL || member->type != JV_NULL);
        }
    }
  if (value->type == JV_ARRAY)
    {
      g_assert_cmpuint (haven_jv_length (value), ==, value->length);
      for (guint i = 0; i < value->length; i++)
        g_assert_nonnull (haven_jv_index (value, i));
    }

  haven_jv_write (written, value);
  g_assert_true (g_utf8_validate (written->str, written->len, NULL));

  haven_arena_reset (&arena);
  error = NULL;
  again = haven_json_parse (&arena, stack, scratch, written->str, written->len, &error, &line);
  /* What haven_jv_write() wrote parses. */
  g_assert_nonnull (again);
  haven_jv_write (rewritten, again);
  g_assert_cmpstr (written->str, ==, rewritten->str);

  haven_arena_clear (&arena);
  return 0;
}
