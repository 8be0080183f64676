/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receiver-database"

#include "config.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include "receiver-database.h"

/* What the receiver tests read and write in a receiver's database behind
 * its back, the same SQL on either store. */

gboolean
database_is_uri (const char *location)
{
  return g_str_has_prefix (location, "postgresql://") ||
         g_str_has_prefix (location, "postgres://");
}

/* Runs @sql, with $1, $2… for the strings of @params, on a database a
 * receiver is using: SQLite read beside it (WAL lets a reader see every
 * committed transaction without blocking the writer), or PostgreSQL.
 * Returns the first column of the first row as bytes (PostgreSQL's binary
 * form: write counts and numbers as text in @sql), NULL for none. */
static GBytes *
query (const char         *location,
       const char         *sql,
       const char * const *params,
       gboolean            read_only)
{
  GBytes *value = NULL;

  if (database_is_uri (location))
    {
      PGconn *connection = PQconnectdb (location);
      guint n_params = params != NULL ? g_strv_length ((char **) params) : 0;
      PGresult *result;

      if (PQstatus (connection) != CONNECTION_OK)
        g_error ("%s", PQerrorMessage (connection));
      result = PQexecParams (connection, sql, (int) n_params, NULL, params, NULL, NULL, 1);
      if (PQresultStatus (result) != PGRES_TUPLES_OK &&
          PQresultStatus (result) != PGRES_COMMAND_OK)
        g_error ("%s: %s", sql, PQresultErrorMessage (result));
      if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) > 0 &&
          !PQgetisnull (result, 0, 0))
        value = g_bytes_new (PQgetvalue (result, 0, 0), PQgetlength (result, 0, 0));
      PQclear (result);
      PQfinish (connection);
    }
  else
    {
      sqlite3 *db = NULL;
      sqlite3_stmt *statement = NULL;
      int status;

      g_assert_cmpint (sqlite3_open_v2 (location, &db,
                                        read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE,
                                        NULL), ==, SQLITE_OK);
      sqlite3_busy_timeout (db, 5000);
      if (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL) != SQLITE_OK)
        g_error ("%s: %s", sql, sqlite3_errmsg (db));
      for (guint i = 0; params != NULL && params[i] != NULL; i++)
        {
          g_autofree char *name = g_strdup_printf ("$%u", i + 1);

          sqlite3_bind_text (statement, sqlite3_bind_parameter_index (statement, name),
                             params[i], -1, SQLITE_TRANSIENT);
        }
      status = sqlite3_step (statement);
      if (status == SQLITE_ROW && sqlite3_column_type (statement, 0) != SQLITE_NULL)
        value = g_bytes_new (sqlite3_column_blob (statement, 0),
                             sqlite3_column_bytes (statement, 0));
      else if (status != SQLITE_ROW && status != SQLITE_DONE)
        g_error ("%s: %s", sql, sqlite3_errmsg (db));
      sqlite3_finalize (statement);
      sqlite3_close (db);
    }

  return value;
}

GBytes *
database_query (const char         *location,
                const char         *sql,
                const char * const *params)
{
  return query (location, sql, params, TRUE);
}

char *
database_query_text (const char         *location,
                     const char         *sql,
                     const char * const *params)
{
  g_autoptr(GBytes) value = query (location, sql, params, TRUE);
  gsize length = 0;
  const char *data;

  if (value == NULL)
    return NULL;

  data = g_bytes_get_data (value, &length);
  return g_strndup (data != NULL ? data : "", length);
}

void
database_exec (const char         *location,
               const char         *sql,
               const char * const *params)
{
  g_autoptr(GBytes) value = query (location, sql, params, FALSE);
}

/* Every row of @sql's first two columns, as text, in a table of the
 * first to the second: one connection for many rows. PostgreSQL only. */
GHashTable *
database_query_pairs (const char *location,
                      const char *sql)
{
  GHashTable *pairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  PGconn *connection = PQconnectdb (location);
  PGresult *result;

  g_assert_true (database_is_uri (location));
  if (PQstatus (connection) != CONNECTION_OK)
    g_error ("%s", PQerrorMessage (connection));
  result = PQexec (connection, sql);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  for (int i = 0; i < PQntuples (result); i++)
    g_hash_table_insert (pairs, g_strdup (PQgetvalue (result, i, 0)),
                         g_strdup (PQgetvalue (result, i, 1)));
  PQclear (result);
  PQfinish (connection);

  return pairs;
}
