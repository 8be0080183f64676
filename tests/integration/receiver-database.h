/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A receiver's database, a SQLite file or a PostgreSQL URI (which
 * receiver_process_start_with_db() passes as --database), read and
 * written by SQL with $1, $2… for @params (NULL-terminated). */
gboolean  database_is_uri     (const char         *location);
GBytes   *database_query      (const char         *location,
                               const char         *sql,
                               const char * const *params);
char     *database_query_text (const char         *location,
                               const char         *sql,
                               const char * const *params);
void      database_exec       (const char         *location,
                               const char         *sql,
                               const char * const *params);
GHashTable *database_query_pairs (const char      *location,
                                  const char      *sql);

G_END_DECLS
