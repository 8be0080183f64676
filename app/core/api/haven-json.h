/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* How deep JSON from outside may nest. Haven's own documents nest a few
 * levels; json-glib recurses once per level, so a bound keeps a hostile
 * document from exhausting the stack. */
#define HAVEN_JSON_MAX_DEPTH 32

#define HAVEN_JSON_ERROR (haven_json_error_quark ())

typedef enum {
  HAVEN_JSON_ERROR_EMPTY,
  HAVEN_JSON_ERROR_NUL,
  HAVEN_JSON_ERROR_TOO_DEEP,
  HAVEN_JSON_ERROR_SYNTAX,
} HavenJsonError;

GQuark      haven_json_error_quark       (void);
gboolean    haven_json_load              (JsonParser  *parser,
                                          const char  *data,
                                          gssize       length,
                                          GError     **error);
/* The string @member of @object holds; NULL when it has none or holds
 * anything else. json-glib's own getters warn (a critical) when a
 * document from outside has an array or an object there. */
const char *haven_json_object_get_string (JsonObject  *object,
                                          const char  *member);

G_END_DECLS
