/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-json-arena"

#include "config.h"

#include <string.h>

#include "haven-json-arena.h"

#define ARENA_BLOCK_SIZE (256 * 1024)

void
haven_arena_init (Arena *arena)
{
  arena->blocks = g_ptr_array_new_with_free_func (g_free);
  arena->used = 0;
  arena->block_size = 0;
}

void
haven_arena_clear (Arena *arena)
{
  g_clear_pointer (&arena->blocks, g_ptr_array_unref);
}

/* Keeps the first block for the next record; large records get blocks of
 * their own, freed here. */
void
haven_arena_reset (Arena *arena)
{
  if (arena->blocks->len > 1)
    {
      g_ptr_array_remove_range (arena->blocks, 1, arena->blocks->len - 1);
      arena->block_size = ARENA_BLOCK_SIZE;
    }
  arena->used = arena->blocks->len > 0 ? 0 : arena->block_size;
}

gpointer
haven_arena_alloc (Arena *arena,
                   gsize  size)
{
  gpointer memory;

  size = (size + 7) & ~(gsize) 7;
  if (arena->blocks->len == 0 || arena->used + size > arena->block_size)
    {
      gsize block_size = MAX (ARENA_BLOCK_SIZE, size);

      g_ptr_array_add (arena->blocks, g_malloc (block_size));
      arena->block_size = block_size;
      arena->used = 0;
    }

  memory = (char *) g_ptr_array_index (arena->blocks, arena->blocks->len - 1) + arena->used;
  arena->used += size;
  return memory;
}

char *
haven_arena_strndup (Arena      *arena,
                     const char *text,
                     gsize       length)
{
  char *copy = haven_arena_alloc (arena, length + 1);

  memcpy (copy, text, length);
  copy[length] = '\0';
  return copy;
}

JValue *
haven_jv_new (Arena  *arena,
              JvType  type)
{
  JValue *value = haven_arena_alloc (arena, sizeof (JValue));

  memset (value, 0, sizeof *value);
  value->type = type;
  return value;
}

JValue *
haven_jv_new_string (Arena      *arena,
                     const char *text)
{
  JValue *value = haven_jv_new (arena, JV_STRING);

  value->text = haven_arena_strndup (arena, text, strlen (text));
  value->length = strlen (text);
  return value;
}

/* The member @key of @object, or NULL when it is absent or null. */
JValue *
haven_jv_get (JValue     *object,
              const char *key)
{
  if (object == NULL || object->type != JV_OBJECT)
    return NULL;

  for (guint i = 0; i < object->length; i++)
    {
      if (strcmp (object->members[i].key, key) == 0)
        return object->members[i].value->type != JV_NULL ? object->members[i].value : NULL;
    }

  return NULL;
}

guint
haven_jv_length (JValue *array)
{
  return array != NULL && array->type == JV_ARRAY ? array->length : 0;
}

JValue *
haven_jv_index (JValue *array,
                guint   index)
{
  return array->elements[index];
}

void
haven_jv_write (GString *out,
                JValue  *value)
{
  switch (value->type)
    {
    case JV_NULL:
      g_string_append (out, "null");
      break;

    case JV_BOOLEAN:
      g_string_append (out, value->boolean ? "true" : "false");
      break;

    case JV_NUMBER:
      g_string_append (out, value->text);
      break;

    case JV_STRING:
      haven_json_append_string (out, value->text);
      break;

    case JV_ARRAY:
      g_string_append_c (out, '[');
      for (guint i = 0; i < value->length; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          haven_jv_write (out, value->elements[i]);
        }
      g_string_append_c (out, ']');
      break;

    case JV_OBJECT:
      g_string_append_c (out, '{');
      for (guint i = 0; i < value->length; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          haven_json_append_string (out, value->members[i].key);
          g_string_append_c (out, ':');
          haven_jv_write (out, value->members[i].value);
        }
      g_string_append_c (out, '}');
      break;

    default:
      g_assert_not_reached ();
    }
}

/* A recursive-descent parser for one JSON value (RFC 8259). */
typedef struct {
  Arena *arena;
  const char *start;
  const char *p;
  const char *end;
  /* Children of the containers being parsed, copied into the arena when
   * each container closes. */
  GPtrArray *stack;
  GString *scratch;
  const char *error;
  guint depth;
} JParser;

#define MAX_DEPTH 64

static JValue *jparse_value (JParser *parser);

static void
jparse_space (JParser *parser)
{
  while (parser->p < parser->end &&
         (*parser->p == ' ' || *parser->p == '\n' || *parser->p == '\r' || *parser->p == '\t'))
    parser->p++;
}

static JValue *
jparse_fail (JParser    *parser,
             const char *error)
{
  if (parser->error == NULL)
    parser->error = error;
  return NULL;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
jparse_hex4 (JParser  *parser,
             gunichar *value)
{
  *value = 0;
  if (parser->end - parser->p < 4)
    return FALSE;

  for (guint i = 0; i < 4; i++)
    {
      int digit = hex_value (parser->p[i]);

      if (digit < 0)
        return FALSE;
      *value = *value * 16 + digit;
    }

  parser->p += 4;
  return TRUE;
}

/* After the opening quote. */
static const char *
jparse_string_text (JParser *parser,
                    guint   *length)
{
  const char *start = parser->p;
  GString *scratch = parser->scratch;

  /* The common case: no escapes, copied in one go. */
  while (parser->p < parser->end && *parser->p != '"' && *parser->p != '\\')
    {
      if ((guchar) *parser->p < 0x20)
        return jparse_fail (parser, "control character in a string"), NULL;
      parser->p++;
    }
  if (parser->p < parser->end && *parser->p == '"')
    {
      *length = parser->p - start;
      parser->p++;
      return haven_arena_strndup (parser->arena, start, *length);
    }

  g_string_truncate (scratch, 0);
  g_string_append_len (scratch, start, parser->p - start);
  while (parser->p < parser->end && *parser->p != '"')
    {
      char c = *parser->p++;

      if ((guchar) c < 0x20)
        return jparse_fail (parser, "control character in a string"), NULL;
      if (c != '\\')
        {
          g_string_append_c (scratch, c);
          continue;
        }
      if (parser->p >= parser->end)
        break;

      c = *parser->p++;
      switch (c)
        {
        case '"':
        case '\\':
        case '/':
          g_string_append_c (scratch, c);
          break;
        case 'b':
          g_string_append_c (scratch, '\b');
          break;
        case 'f':
          g_string_append_c (scratch, '\f');
          break;
        case 'n':
          g_string_append_c (scratch, '\n');
          break;
        case 'r':
          g_string_append_c (scratch, '\r');
          break;
        case 't':
          g_string_append_c (scratch, '\t');
          break;
        case 'u':
          {
            gunichar unit, low;

            if (!jparse_hex4 (parser, &unit))
              return jparse_fail (parser, "bad \\u escape"), NULL;
            if (unit >= 0xD800 && unit <= 0xDBFF)
              {
                if (parser->end - parser->p < 6 || parser->p[0] != '\\' || parser->p[1] != 'u')
                  return jparse_fail (parser, "unpaired surrogate"), NULL;
                parser->p += 2;
                if (!jparse_hex4 (parser, &low) || low < 0xDC00 || low > 0xDFFF)
                  return jparse_fail (parser, "unpaired surrogate"), NULL;
                unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
              }
            else if (unit >= 0xDC00 && unit <= 0xDFFF)
              return jparse_fail (parser, "unpaired surrogate"), NULL;
            if (unit == 0)
              return jparse_fail (parser, "\\u0000 in a string"), NULL;
            g_string_append_unichar (scratch, unit);
          }
          break;
        default:
          return jparse_fail (parser, "bad escape in a string"), NULL;
        }
    }

  if (parser->p >= parser->end)
    return jparse_fail (parser, "unterminated string"), NULL;

  parser->p++;
  *length = scratch->len;
  return haven_arena_strndup (parser->arena, scratch->str, scratch->len);
}

static JValue *
jparse_number (JParser *parser)
{
  const char *start = parser->p;
  JValue *value;

  if (parser->p < parser->end && *parser->p == '-')
    parser->p++;
  if (parser->p >= parser->end || !g_ascii_isdigit (*parser->p))
    return jparse_fail (parser, "unexpected character");
  if (*parser->p == '0')
    parser->p++;
  else
    while (parser->p < parser->end && g_ascii_isdigit (*parser->p))
      parser->p++;
  if (parser->p < parser->end && *parser->p == '.')
    {
      parser->p++;
      if (parser->p >= parser->end || !g_ascii_isdigit (*parser->p))
        return jparse_fail (parser, "bad number");
      while (parser->p < parser->end && g_ascii_isdigit (*parser->p))
        parser->p++;
    }
  if (parser->p < parser->end && (*parser->p == 'e' || *parser->p == 'E'))
    {
      parser->p++;
      if (parser->p < parser->end && (*parser->p == '+' || *parser->p == '-'))
        parser->p++;
      if (parser->p >= parser->end || !g_ascii_isdigit (*parser->p))
        return jparse_fail (parser, "bad number");
      while (parser->p < parser->end && g_ascii_isdigit (*parser->p))
        parser->p++;
    }

  value = haven_jv_new (parser->arena, JV_NUMBER);
  value->length = parser->p - start;
  value->text = haven_arena_strndup (parser->arena, start, value->length);
  return value;
}

static JValue *
jparse_literal (JParser    *parser,
                const char *word,
                JvType      type,
                gboolean    boolean)
{
  gsize length = strlen (word);
  JValue *value;

  if ((gsize) (parser->end - parser->p) < length || memcmp (parser->p, word, length) != 0)
    return jparse_fail (parser, "unexpected character");

  parser->p += length;
  value = haven_jv_new (parser->arena, type);
  value->boolean = boolean;
  return value;
}

static JValue *
jparse_container (JParser *parser,
                  gboolean object)
{
  JValue *value = haven_jv_new (parser->arena, object ? JV_OBJECT : JV_ARRAY);
  guint base = parser->stack->len;
  char close = object ? '}' : ']';

  if (++parser->depth > MAX_DEPTH)
    return jparse_fail (parser, "nested too deeply");

  parser->p++;
  jparse_space (parser);
  if (parser->p < parser->end && *parser->p == close)
    parser->p++;
  else
    while (TRUE)
      {
        JValue *element;

        if (object)
          {
            guint key_length;
            const char *key;

            if (parser->p >= parser->end || *parser->p != '"')
              return jparse_fail (parser, "expected a member name");
            parser->p++;
            key = jparse_string_text (parser, &key_length);
            if (key == NULL)
              return NULL;
            jparse_space (parser);
            if (parser->p >= parser->end || *parser->p != ':')
              return jparse_fail (parser, "expected “:”");
            parser->p++;
            g_ptr_array_add (parser->stack, (gpointer) key);
          }

        element = jparse_value (parser);
        if (element == NULL)
          return NULL;
        g_ptr_array_add (parser->stack, element);

        jparse_space (parser);
        if (parser->p < parser->end && *parser->p == ',')
          {
            parser->p++;
            jparse_space (parser);
            continue;
          }
        if (parser->p < parser->end && *parser->p == close)
          {
            parser->p++;
            break;
          }
        return jparse_fail (parser, object ? "expected “,” or “}”" : "expected “,” or “]”");
      }

  if (object)
    {
      value->length = (parser->stack->len - base) / 2;
      value->members = haven_arena_alloc (parser->arena,
                                          sizeof (JMember) * MAX (1, value->length));
      for (guint i = 0; i < value->length; i++)
        {
          value->members[i].key = g_ptr_array_index (parser->stack, base + 2 * i);
          value->members[i].value = g_ptr_array_index (parser->stack, base + 2 * i + 1);
        }
    }
  else
    {
      value->length = parser->stack->len - base;
      value->elements = haven_arena_alloc (parser->arena,
                                           sizeof (JValue *) * MAX (1, value->length));
      /* An empty array may come before the stack has any storage. */
      if (value->length > 0)
        memcpy (value->elements, parser->stack->pdata + base, sizeof (JValue *) * value->length);
    }

  g_ptr_array_set_size (parser->stack, base);
  parser->depth--;
  return value;
}

static JValue *
jparse_value (JParser *parser)
{
  jparse_space (parser);
  if (parser->p >= parser->end)
    return jparse_fail (parser, "unexpected end");

  switch (*parser->p)
    {
    case '{':
      return jparse_container (parser, TRUE);

    case '[':
      return jparse_container (parser, FALSE);

    case '"':
      {
        JValue *value = haven_jv_new (parser->arena, JV_STRING);

        parser->p++;
        value->text = jparse_string_text (parser, &value->length);
        return value->text != NULL ? value : NULL;
      }

    case 't':
      return jparse_literal (parser, "true", JV_BOOLEAN, TRUE);

    case 'f':
      return jparse_literal (parser, "false", JV_BOOLEAN, FALSE);

    case 'n':
      return jparse_literal (parser, "null", JV_NULL, FALSE);

    default:
      return jparse_number (parser);
    }
}

/* Parses @text into @arena. On failure returns NULL and sets @error and
 * @line (counted from 1 within @text). */
JValue *
haven_json_parse (Arena       *arena,
                  GPtrArray   *stack,
                  GString     *scratch,
                  const char  *text,
                  gsize        length,
                  const char **error,
                  guint       *line)
{
  JParser parser = { arena, text, text, text + length, stack, scratch, NULL, 0 };
  JValue *value;

  g_ptr_array_set_size (stack, 0);
  if (!g_utf8_validate_len (text, length, NULL))
    {
      *error = "not valid UTF-8";
      *line = 1;
      return NULL;
    }

  value = jparse_value (&parser);
  if (value != NULL)
    {
      jparse_space (&parser);
      if (parser.p != parser.end)
        value = jparse_fail (&parser, "text after the value");
    }

  if (value == NULL)
    {
      *error = parser.error;
      *line = 1;
      for (const char *c = text; c < parser.p && c < parser.end; c++)
        {
          if (*c == '\n')
            (*line)++;
        }
    }

  return value;
}


void
haven_json_append_string (GString    *out,
                          const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;

        case '\\':
          g_string_append (out, "\\\\");
          break;

        case '\n':
          g_string_append (out, "\\n");
          break;

        case '\r':
          g_string_append (out, "\\r");
          break;

        case '\t':
          g_string_append (out, "\\t");
          break;

        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, c);
        }
    }
  g_string_append_c (out, '"');
}
