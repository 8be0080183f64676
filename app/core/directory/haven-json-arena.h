/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A JSON value, parsed into an arena that is emptied after each record.
 * json-glib builds a GObject-backed tree with a hash table per object and
 * a signal per member; for a directory of 100,000 records that was most of
 * the import's time. Records are small objects looked up by a handful of
 * keys, which a plain array of members serves well. */
typedef enum {
  JV_NULL,
  JV_BOOLEAN,
  JV_NUMBER,
  JV_STRING,
  JV_ARRAY,
  JV_OBJECT,
} JvType;

typedef struct _JValue JValue;

typedef struct {
  const char *key;
  JValue *value;
} JMember;

struct _JValue
{
  JvType type;
  guint length;
  /* Strings, and numbers as written. */
  const char *text;
  JValue **elements;
  JMember *members;
  gboolean boolean;
};

typedef struct {
  GPtrArray *blocks;
  gsize used;
  gsize block_size;
} Arena;

void        haven_arena_init         (Arena       *arena);
void        haven_arena_clear        (Arena       *arena);
void        haven_arena_reset        (Arena       *arena);
gpointer    haven_arena_alloc        (Arena       *arena,
                                      gsize        size);
char       *haven_arena_strndup      (Arena       *arena,
                                      const char  *text,
                                      gsize        length);

JValue     *haven_jv_new             (Arena       *arena,
                                      JvType       type);
JValue     *haven_jv_new_string      (Arena       *arena,
                                      const char  *text);
JValue     *haven_jv_get             (JValue      *object,
                                      const char  *key);
guint       haven_jv_length          (JValue      *array);
JValue     *haven_jv_index           (JValue      *array,
                                      guint        index);
void        haven_jv_write           (GString     *out,
                                      JValue      *value);

JValue     *haven_json_parse         (Arena       *arena,
                                      GPtrArray   *stack,
                                      GString     *scratch,
                                      const char  *text,
                                      gsize        length,
                                      const char **error,
                                      guint       *line);
void        haven_json_append_string (GString     *out,
                                      const char  *text);

G_END_DECLS
