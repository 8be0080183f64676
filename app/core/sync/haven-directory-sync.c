/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-directory-sync"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <gio/gunixoutputstream.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "haven-checks.h"
#include "haven-directory-import.h"
#include "haven-json.h"
#include "haven-directory-sync.h"
#include "haven-directory-sync-private.h"

/* Pulls an HSDS 3.0 API (GET /services) into a directory database.
 *
 * The records the source holds are kept, as the source sent them, in a
 * mirror: an SQLite file beside the database ("FILE-mirror"). The first
 * run pulls everything, as one ndjson stream where the server offers it
 * (format=ndjson) and page by page otherwise; later runs pull only what
 * changed since the newest modification they have seen (modified_after),
 * and learn what was deleted from the list of every id (minimal=true),
 * since the API marks no deletions. Every run checks its pull against
 * that list: a record the list names but the pull missed, or holds in a
 * newer version, is fetched on its own (GET /services/{id}), which makes
 * a stream cut short at a line's end, or a clock that disagrees with
 * modified_after, harmless.
 *
 * The whole run is one transaction on the mirror. Only when every answer
 * made sense is the directory rebuilt from the mirror, with the importer
 * that `havenctl directory import` uses (so the same rules apply, and
 * confidential addresses are left out in the same place), and the
 * transaction committed once the new database is in place. Anything
 * wrong before that (a server that answers garbage, loops its pages, lies
 * about its totals or drops the connection) rolls the mirror back and
 * leaves the directory as it was. A run that finds nothing changed does
 * not rebuild at all. */

/* Records are parsed one at a time: a bigger one is refused. */
#define MAX_RECORD_SIZE (16 * 1024 * 1024)
/* A page of the default size is well under a megabyte. */
#define MAX_PAGE_SIZE (256 * 1024 * 1024)
#define MAX_ID_LENGTH 256
#define DEFAULT_PAGE_SIZE 500
/* Beyond this many records missed by a pull, fetching them one by one
 * would be a full pull's worth of requests made slowly. */
#define MAX_SINGLE_FETCHES 500
#define MAX_PAGES 1000000
#define READ_CHUNK (64 * 1024)

struct _HavenDirectorySync
{
  GObject parent_instance;

  char *url;
  char *database_path;
  char *mirror_path;
  char *ca_file;
  guint page_size;
  gboolean force_full;
  gboolean strict;

  gboolean was_full;
  gboolean used_ndjson;
  gboolean rebuilt;
  guint n_added;
  guint n_changed;
  guint n_deleted;
  guint n_records;
  guint n_services;
  guint n_requests;
  guint64 bytes_received;
  double seconds;
  /* What the rebuild left out, as the importer words it. */
  GStrv warnings;
  guint n_warnings;
};

G_DEFINE_FINAL_TYPE (HavenDirectorySync, haven_directory_sync, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-directory-sync-error-quark, haven_directory_sync_error)

enum {
  SELECT_RECORD,
  STORE_RECORD,
  MARK_SEEN,
  ADD_LISTED,
  N_STATEMENTS,
};

static const char * const statement_sql[N_STATEMENTS] = {
  "SELECT record FROM services WHERE id = ?",
  "INSERT OR REPLACE INTO services (id, modified, record) VALUES (?, ?, ?)",
  "INSERT INTO temp.seen (id) VALUES (?)",
  "INSERT INTO temp.listed (id, modified) VALUES (?, ?)",
};

/* One run. */
typedef struct {
  HavenDirectorySync *self;
  GCancellable *cancellable;
  SoupSession *session;
  sqlite3 *db;
  sqlite3_stmt *statements[N_STATEMENTS];
  JsonParser *parser;
  /* Whether the server streams ndjson; unknown until asked. */
  gboolean ndjson_refused;
  /* Whether the server lists every id (minimal=true). */
  gboolean minimal_refused;
  /* The newest modification time any record carried. */
  char *newest_modified;
  /* Records taken by the pull under way. */
  gint64 n_taken;
} Run;

typedef enum {
  PULL_RECORDS,
  PULL_MINIMAL,
} PullKind;

static void
haven_directory_sync_finalize (GObject *object)
{
  HavenDirectorySync *self = HAVEN_DIRECTORY_SYNC (object);

  g_free (self->url);
  g_free (self->database_path);
  g_free (self->mirror_path);
  g_free (self->ca_file);
  g_strfreev (self->warnings);

  G_OBJECT_CLASS (haven_directory_sync_parent_class)->finalize (object);
}

static void
haven_directory_sync_class_init (HavenDirectorySyncClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = haven_directory_sync_finalize;
}

static void
haven_directory_sync_init (HavenDirectorySync *self)
{
  self->page_size = DEFAULT_PAGE_SIZE;
}

/**
 * haven_directory_sync_new:
 * @url: the HSDS API's base address (GET @url/services lists services)
 * @database_path: the directory database to keep current
 */
HavenDirectorySync *
haven_directory_sync_new (const char *url,
                          const char *database_path)
{
  HavenDirectorySync *self;
  gsize length;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (database_path != NULL, NULL);

  self = g_object_new (HAVEN_TYPE_DIRECTORY_SYNC, NULL);
  /* "https://host/api/" and "https://host/api" are the same API. */
  length = strlen (url);
  while (length > 0 && url[length - 1] == '/')
    length--;
  self->url = g_strndup (url, length);
  self->database_path = g_strdup (database_path);
  self->mirror_path = g_strconcat (database_path, "-mirror", NULL);
  return self;
}

/**
 * haven_directory_sync_set_ca_file:
 * @ca_file: (nullable): certificates to trust instead of the system's
 */
void
haven_directory_sync_set_ca_file (HavenDirectorySync *self,
                                  const char         *ca_file)
{
  g_return_if_fail (HAVEN_IS_DIRECTORY_SYNC (self));

  g_free (self->ca_file);
  self->ca_file = g_strdup (ca_file);
}

/**
 * haven_directory_sync_set_page_size:
 *
 * How many services to ask for a page (per_page), when the server has no
 * ndjson stream.
 */
void
haven_directory_sync_set_page_size (HavenDirectorySync *self,
                                    guint               page_size)
{
  g_return_if_fail (HAVEN_IS_DIRECTORY_SYNC (self));
  g_return_if_fail (page_size > 0);

  self->page_size = page_size;
}

/**
 * haven_directory_sync_set_full:
 *
 * Pulls everything even when the mirror could ask for changes only.
 */
void
haven_directory_sync_set_full (HavenDirectorySync *self,
                               gboolean            full)
{
  g_return_if_fail (HAVEN_IS_DIRECTORY_SYNC (self));

  self->force_full = full;
}

/**
 * haven_directory_sync_set_strict:
 *
 * Refuses the pull when any part of a service cannot be used, as
 * haven_directory_importer_set_strict() does an import; the mirror and
 * the directory then stay as they were.
 */
void
haven_directory_sync_set_strict (HavenDirectorySync *self,
                                 gboolean            strict)
{
  g_return_if_fail (HAVEN_IS_DIRECTORY_SYNC (self));

  self->strict = strict;
}

char *
haven_directory_sync_dup_mirror_path (HavenDirectorySync *self)
{
  g_return_val_if_fail (HAVEN_IS_DIRECTORY_SYNC (self), NULL);

  return g_strdup (self->mirror_path);
}

static gboolean
check_url (const char  *url,
           GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme;

  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0' ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, HAVEN_DIRECTORY_SYNC_ERROR, HAVEN_DIRECTORY_SYNC_ERROR_INVALID_URL,
                   _("“%s” is not the address of an HSDS API: give its base address, "
                     "without a query, such as https://example.org/api"), url);
      return FALSE;
    }

  /* Plain http only to this machine, as for the backend: a directory
   * pulled over the open internet without TLS could send a visitor to
   * someone else's number. */
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0 ||
      (g_ascii_strcasecmp (scheme, "http") == 0 && haven_check_loopback_host (g_uri_get_host (uri))))
    return TRUE;

  g_set_error (error, HAVEN_DIRECTORY_SYNC_ERROR, HAVEN_DIRECTORY_SYNC_ERROR_INVALID_URL,
               _("The directory address “%s” must start with https:// (plain http is "
                 "only for an address on this machine)"), url);
  return FALSE;
}

static gboolean
set_database_error (Run         *run,
                    GError     **error)
{
  g_set_error (error, HAVEN_DIRECTORY_SYNC_ERROR, HAVEN_DIRECTORY_SYNC_ERROR_DATABASE,
               _("The sync’s copy of the directory (%s) cannot be used: %s"),
               run->self->mirror_path, sqlite3_errmsg (run->db));
  return FALSE;
}

static gboolean
exec_sql (Run         *run,
          const char  *sql,
          GError     **error)
{
  if (sqlite3_exec (run->db, sql, NULL, NULL, NULL) == SQLITE_OK)
    return TRUE;
  return set_database_error (run, error);
}

static char *
get_state (Run        *run,
           const char *key)
{
  sqlite3_stmt *statement = NULL;
  char *value = NULL;

  if (sqlite3_prepare_v2 (run->db, "SELECT value FROM state WHERE key = ?", -1, &statement,
                          NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (statement, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (statement) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (statement, 0));
  sqlite3_finalize (statement);
  return value;
}

static gboolean
set_state (Run         *run,
           const char  *key,
           const char  *value,
           GError     **error)
{
  sqlite3_stmt *statement = NULL;
  int status;

  if (sqlite3_prepare_v2 (run->db, "INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)",
                          -1, &statement, NULL) != SQLITE_OK)
    return set_database_error (run, error);
  sqlite3_bind_text (statement, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 2, value, -1, SQLITE_STATIC);
  status = sqlite3_step (statement);
  sqlite3_finalize (statement);
  if (status != SQLITE_DONE)
    return set_database_error (run, error);
  return TRUE;
}

static gint64
count_rows (Run        *run,
            const char *sql)
{
  sqlite3_stmt *statement = NULL;
  gint64 count = -1;

  if (sqlite3_prepare_v2 (run->db, sql, -1, &statement, NULL) != SQLITE_OK)
    return -1;
  if (sqlite3_step (statement) == SQLITE_ROW)
    count = sqlite3_column_int64 (statement, 0);
  sqlite3_finalize (statement);
  return count;
}

static gboolean
open_mirror (Run     *run,
             GError **error)
{
  static const char schema_sql[] =
    "PRAGMA journal_mode = DELETE;"
    "PRAGMA cache_size = -32768;"
    "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL) "
    "  WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS services (id TEXT PRIMARY KEY, modified TEXT, "
    "  record TEXT NOT NULL);"
    "CREATE TEMP TABLE seen (id TEXT PRIMARY KEY) WITHOUT ROWID;"
    "CREATE TEMP TABLE listed (id TEXT PRIMARY KEY, modified TEXT) WITHOUT ROWID;";

  if (sqlite3_open_v2 (run->self->mirror_path, &run->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    return set_database_error (run, error);
  sqlite3_busy_timeout (run->db, 5000);

  if (!exec_sql (run, schema_sql, error))
    return FALSE;

  for (guint i = 0; i < N_STATEMENTS; i++)
    if (sqlite3_prepare_v3 (run->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                            &run->statements[i], NULL) != SQLITE_OK)
      return set_database_error (run, error);

  /* One run at a time: a second sync waits here, then fails. */
  return exec_sql (run, "BEGIN IMMEDIATE", error);
}

static void
run_clear (Run *run)
{
  for (guint i = 0; i < N_STATEMENTS; i++)
    sqlite3_finalize (run->statements[i]);
  if (run->db != NULL)
    {
      if (!sqlite3_get_autocommit (run->db))
        sqlite3_exec (run->db, "ROLLBACK", NULL, NULL, NULL);
      sqlite3_close (run->db);
    }
  g_clear_object (&run->session);
  g_clear_object (&run->parser);
  g_free (run->newest_modified);
}

static gboolean
bad_answer (GError     **error,
            const char  *format,
            ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad_answer (GError     **error,
            const char  *format,
            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* The parser's messages quote the character it stumbled on: from the
   * server, it may be an escape or a line break meant for the operator's
   * terminal. */
  {
    g_autofree char *valid = g_utf8_make_valid (message, -1);
    GString *clean = g_string_sized_new (strlen (valid));

    for (const char *c = valid; *c != '\0'; c = g_utf8_next_char (c))
      {
        gunichar character = g_utf8_get_char (c);

        if (g_unichar_iscntrl (character))
          g_string_append_c (clean, '?');
        else
          g_string_append_unichar (clean, character);
      }
    g_free (message);
    message = g_string_free (clean, FALSE);
  }

  g_set_error (error, HAVEN_DIRECTORY_SYNC_ERROR, HAVEN_DIRECTORY_SYNC_ERROR_BAD_ANSWER,
               _("The directory server’s answer cannot be used: %s"), message);
  return FALSE;
}

/* The modification time of a record, as the API names it: last_modified
 * on a service, modified_date in the minimal list's description. */
static const char *
record_modified (JsonObject *record)
{
  static const char * const names[] = { "last_modified", "modified_date" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonNode *node = json_object_get_member (record, names[i]);

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
          json_node_get_value_type (node) == G_TYPE_STRING)
        return json_node_get_string (node);
    }
  return NULL;
}

/* Times are compared as instants: "2026-01-02T10:00:00Z" and
 * "2026-01-02T11:00:00+01:00" are the same. A time that does not parse
 * is kept as text, and only compared for equality. */
static gint64
parse_time (const char *text)
{
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GTimeZone) utc = NULL;

  if (text == NULL)
    return G_MININT64;
  utc = g_time_zone_new_utc ();
  time = g_date_time_new_from_iso8601 (text, utc);
  if (time == NULL)
    return G_MININT64;
  return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
}

static void
note_modified (Run        *run,
               const char *modified)
{
  gint64 time = parse_time (modified);

  if (time == G_MININT64)
    return;
  if (run->newest_modified == NULL || time > parse_time (run->newest_modified))
    {
      g_free (run->newest_modified);
      run->newest_modified = g_strdup (modified);
    }
}

static gboolean
check_id (JsonObject  *record,
          const char **id_out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (record, "id");
  const char *id;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return bad_answer (error, _("a service has no id"));

  id = json_node_get_string (node);
  if (id[0] == '\0' || strlen (id) > MAX_ID_LENGTH || !g_utf8_validate (id, -1, NULL))
    return bad_answer (error, _("a service’s id is empty, too long or not text"));
  /* Ids go into messages an operator reads in a terminal: no escape
   * sequences or line breaks from the server. */
  for (const char *c = id; *c != '\0'; c = g_utf8_next_char (c))
    if (g_unichar_iscntrl (g_utf8_get_char (c)))
      return bad_answer (error, _("a service’s id is empty, too long or not text"));

  *id_out = id;
  return TRUE;
}

/* Steps an insert into a table keyed by the service id (bound by the
 * caller): the same id twice means the pages loop or the stream repeats
 * itself. */
static gboolean
insert_unique (Run           *run,
               sqlite3_stmt  *statement,
               const char    *id,
               GError       **error)
{
  int status = sqlite3_step (statement);

  sqlite3_reset (statement);
  sqlite3_clear_bindings (statement);

  if (status == SQLITE_DONE)
    return TRUE;
  if (status == SQLITE_CONSTRAINT)
    return bad_answer (error, _("the service “%s” came twice: the pages loop or repeat "
                                "themselves"), id);
  return set_database_error (run, error);
}

/* Marks @id as seen in this pull. */
static gboolean
mark_seen (Run         *run,
           const char  *id,
           GError     **error)
{
  sqlite3_stmt *statement = run->statements[MARK_SEEN];

  sqlite3_bind_text (statement, 1, id, -1, SQLITE_STATIC);
  return insert_unique (run, statement, id, error);
}

/* Stores a full record, counting it as added or changed when it is. */
static gboolean
store_record (Run         *run,
              JsonObject  *record,
              const char  *text,
              GError     **error)
{
  HavenDirectorySync *self = run->self;
  sqlite3_stmt *select = run->statements[SELECT_RECORD];
  sqlite3_stmt *store = run->statements[STORE_RECORD];
  const char *id;
  const char *modified;
  gboolean exists;
  gboolean same = FALSE;
  int status;

  if (!check_id (record, &id, error) || !mark_seen (run, id, error))
    return FALSE;

  modified = record_modified (record);
  note_modified (run, modified);

  sqlite3_bind_text (select, 1, id, -1, SQLITE_STATIC);
  exists = sqlite3_step (select) == SQLITE_ROW;
  if (exists)
    same = g_strcmp0 ((const char *) sqlite3_column_text (select, 0), text) == 0;
  sqlite3_reset (select);
  sqlite3_clear_bindings (select);

  if (same)
    return TRUE;

  sqlite3_bind_text (store, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (store, 2, modified, -1, SQLITE_STATIC);
  sqlite3_bind_text (store, 3, text, -1, SQLITE_STATIC);
  status = sqlite3_step (store);
  sqlite3_reset (store);
  sqlite3_clear_bindings (store);
  if (status != SQLITE_DONE)
    return set_database_error (run, error);

  if (exists)
    self->n_changed++;
  else
    self->n_added++;
  return TRUE;
}

/* Adds an entry of the minimal list. */
static gboolean
list_record (Run         *run,
             JsonObject  *record,
             GError     **error)
{
  sqlite3_stmt *statement = run->statements[ADD_LISTED];
  const char *id;

  if (!check_id (record, &id, error))
    return FALSE;

  sqlite3_bind_text (statement, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 2, record_modified (record), -1, SQLITE_STATIC);
  return insert_unique (run, statement, id, error);
}

static gboolean
take_record (Run         *run,
             PullKind     kind,
             JsonNode    *node,
             const char  *text,
             GError     **error)
{
  g_autofree char *generated = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad_answer (error, _("a service is not a JSON object"));
  run->n_taken++;

  if (kind == PULL_MINIMAL)
    return list_record (run, json_node_get_object (node), error);

  if (text == NULL)
    text = generated = json_to_string (node, FALSE);
  return store_record (run, json_node_get_object (node), text, error);
}

static char *
build_url (HavenDirectorySync *self,
           const char         *path,
           ...) G_GNUC_NULL_TERMINATED;

/* @path, then pairs of query names and values, each value escaped. */
static char *
build_url (HavenDirectorySync *self,
           const char         *path,
           ...)
{
  GString *url = g_string_new (self->url);
  const char *name;
  char separator = '?';
  va_list args;

  g_string_append (url, path);
  va_start (args, path);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);

      if (value == NULL)
        continue;
      g_string_append_printf (url, "%c%s=", separator, name);
      g_string_append_uri_escaped (url, value, NULL, FALSE);
      separator = '&';
    }
  va_end (args);
  return g_string_free (url, FALSE);
}

/* Sends a GET and checks its status; the body is left to read. */
static GInputStream *
send_get (Run          *run,
          const char   *url,
          SoupMessage **message_out,
          GError      **error)
{
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GError) local_error = NULL;
  GInputStream *body;

  if (message == NULL)
    {
      g_set_error (error, HAVEN_DIRECTORY_SYNC_ERROR, HAVEN_DIRECTORY_SYNC_ERROR_INVALID_URL,
                   _("“%s” is not a web address"), url);
      return NULL;
    }
  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept",
                                "application/json, application/x-ndjson;q=0.9");

  run->self->n_requests++;
  body = soup_session_send (run->session, message, run->cancellable, &local_error);
  if (body == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, HAVEN_DIRECTORY_SYNC_ERROR, HAVEN_DIRECTORY_SYNC_ERROR_NETWORK,
                     _("The directory server cannot be reached at %s: %s"), run->self->url,
                     local_error->message);
      return NULL;
    }

  *message_out = g_steal_pointer (&message);
  return body;
}

static gboolean
fail_status (SoupMessage  *message,
             const char   *url,
             GError      **error)
{
  guint status = soup_message_get_status (message);

  /* libsoup's words for the status, not the server's, which may hold
   * anything. */
  g_set_error (error, HAVEN_DIRECTORY_SYNC_ERROR, HAVEN_DIRECTORY_SYNC_ERROR_HTTP,
               _("The directory server answered %u %s to %s"), status,
               soup_status_get_phrase (status) != NULL ? soup_status_get_phrase (status) : "",
               url);
  return FALSE;
}

static gboolean
read_failed (Run      *run,
             GError   *read_error,
             GError  **error)
{
  if (g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, read_error);
      return FALSE;
    }
  g_set_error (error, HAVEN_DIRECTORY_SYNC_ERROR, HAVEN_DIRECTORY_SYNC_ERROR_NETWORK,
               _("The connection to the directory server broke: %s"), read_error->message);
  g_error_free (read_error);
  (void) run;
  return FALSE;
}

/* Reads a whole body of at most @limit bytes. */
static GBytes *
read_body (Run           *run,
           GInputStream  *body,
           gsize          limit,
           GError       **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  guint8 chunk[READ_CHUNK];

  for (;;)
    {
      GError *read_error = NULL;
      gssize n = g_input_stream_read (body, chunk, sizeof chunk, run->cancellable, &read_error);

      if (n < 0)
        {
          read_failed (run, read_error, error);
          return NULL;
        }
      if (n == 0)
        break;
      run->self->bytes_received += n;
      if (buffer->len + n > limit)
        {
          bad_answer (error, _("a page is larger than %u MB"), (guint) (limit / (1024 * 1024)));
          return NULL;
        }
      g_byte_array_append (buffer, chunk, n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
}

static gboolean
is_ndjson (SoupMessage *message)
{
  const char *type = soup_message_headers_get_content_type (
    soup_message_get_response_headers (message), NULL);

  return type != NULL && (g_ascii_strcasecmp (type, "application/x-ndjson") == 0 ||
                          g_ascii_strcasecmp (type, "application/ndjson") == 0 ||
                          g_ascii_strcasecmp (type, "application/jsonl") == 0);
}

/* Parses a whole answer. */
static gboolean
load_answer (Run      *run,
             GBytes   *bytes,
             GError  **error)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);

  /* Bounded in depth, one value, no NUL: what json-glib cannot be trusted
   * with from a stranger (haven-json.c). */
  return haven_json_load (run->parser, data != NULL ? data : "", (gssize) size, error);
}

static gboolean
take_line (Run         *run,
           PullKind     kind,
           const char  *line,
           gsize        length,
           GError     **error)
{
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *text = NULL;

  /* A blank line (or the \r of a \r\n) carries nothing. */
  while (length > 0 && g_ascii_isspace (line[length - 1]))
    length--;
  if (length == 0)
    return TRUE;

  text = g_strndup (line, length);
  if (!haven_json_load (run->parser, text, (gssize) length, &parse_error))
    return bad_answer (error, _("a line of its stream is not JSON (%s)"), parse_error->message);

  return take_record (run, kind, json_parser_get_root (run->parser), text, error);
}

/* Reads an ndjson stream a line at a time, never more than one record in
 * memory. */
static gboolean
read_ndjson (Run           *run,
             PullKind       kind,
             GInputStream  *body,
             GError       **error)
{
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  guint8 chunk[READ_CHUNK];

  for (;;)
    {
      GError *read_error = NULL;
      gssize n = g_input_stream_read (body, chunk, sizeof chunk, run->cancellable, &read_error);
      gsize start = 0;

      if (n < 0)
        return read_failed (run, read_error, error);
      if (n == 0)
        break;
      run->self->bytes_received += n;

      for (gssize i = 0; i < n; i++)
        {
          if (chunk[i] != '\n')
            continue;
          if (pending->len > 0)
            {
              g_byte_array_append (pending, chunk + start, i - start);
              if (!take_line (run, kind, (const char *) pending->data, pending->len, error))
                return FALSE;
              g_byte_array_set_size (pending, 0);
            }
          else if (!take_line (run, kind, (const char *) chunk + start, i - start, error))
            return FALSE;
          start = i + 1;
        }
      g_byte_array_append (pending, chunk + start, n - start);
      if (pending->len > MAX_RECORD_SIZE)
        return bad_answer (error, _("a service is larger than %u MB"),
                           MAX_RECORD_SIZE / (1024 * 1024));
    }

  /* The last line may lack its newline; cut short, it is not JSON. */
  return take_line (run, kind, (const char *) pending->data, pending->len, error);
}

static gboolean
get_optional_int (JsonObject  *page,
                  const char  *name,
                  gint64      *value)
{
  JsonNode *node = json_object_get_member (page, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

/* Pulls page after page. A page must be the one asked for, hold only ids
 * not seen before in this pull, and agree with the first page on how many
 * pages and items there are; the items must add up to the total. */
/* What the pages of one listing said so far. */
typedef struct {
  gint64 total_pages;
  gint64 total_items;
  gint64 n_items;
  gboolean done;
} PageState;

/* Takes page @page_number of a listing, its body @bytes: it must be the
 * one asked for, hold only ids not seen before in this pull, and agree
 * with the pages before on how many pages and items there are. Sets
 * @state->done after the last page. */
static gboolean
take_page (Run          *run,
           PullKind      kind,
           gint64        page_number,
           GBytes       *bytes,
           PageState    *state,
           GError      **error)
{
  g_autofree char *page_text = g_strdup_printf ("%" G_GINT64_FORMAT, page_number);
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;
  JsonObject *page;
  JsonNode *contents;
  JsonArray *items;
  gint64 value;

  if (!load_answer (run, bytes, &parse_error))
    return bad_answer (error, _("page %s is not JSON (%s)"), page_text, parse_error->message);

  root = json_parser_get_root (run->parser);
  /* The minimal list may come as a bare array of every service. */
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root) && page_number == 1)
    {
      items = json_node_get_array (root);
      for (guint i = 0; i < json_array_get_length (items); i++)
        if (!take_record (run, kind, json_array_get_element (items, i), NULL, error))
          return FALSE;
      state->done = TRUE;
      return TRUE;
    }

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return bad_answer (error, _("page %s is not an HSDS Page object"), page_text);
  page = json_node_get_object (root);
  contents = json_object_get_member (page, "contents");
  if (contents == NULL || !JSON_NODE_HOLDS_ARRAY (contents))
    return bad_answer (error, _("page %s has no list of contents"), page_text);
  items = json_node_get_array (contents);

  if (get_optional_int (page, "page_number", &value) && value != page_number)
    return bad_answer (error, _("asked for page %s, it sent page %lld"),
                       page_text, (long long) value);

  if (get_optional_int (page, "total_pages", &value))
    {
      if (state->total_pages >= 0 && value != state->total_pages)
        return bad_answer (error, _("its number of pages changed from %lld to %lld during "
                                    "the pull"),
                           (long long) state->total_pages, (long long) value);
      state->total_pages = value;
    }
  if (get_optional_int (page, "total_items", &value))
    {
      if (state->total_items >= 0 && value != state->total_items)
        return bad_answer (error, _("its number of services changed from %lld to %lld during "
                                    "the pull"),
                           (long long) state->total_items, (long long) value);
      state->total_items = value;
    }

  for (guint i = 0; i < json_array_get_length (items); i++)
    if (!take_record (run, kind, json_array_get_element (items, i), NULL, error))
      return FALSE;
  state->n_items += json_array_get_length (items);

  if (state->total_items >= 0 && state->n_items > state->total_items)
    return bad_answer (error, ngettext ("it said it holds %lld service and sent more",
                                        "it said it holds %lld services and sent more",
                                        (gulong) MIN (state->total_items, G_MAXLONG)),
                       (long long) state->total_items);

  state->done = json_array_get_length (items) == 0 ||
                (state->total_pages >= 0 && page_number >= state->total_pages) ||
                (state->total_pages < 0 && state->total_items < 0 &&
                 json_array_get_length (items) < run->self->page_size);
  return TRUE;
}

/* At the end of a listing: the items must add up to the total. */
static gboolean
check_page_totals (const PageState  *state,
                   GError          **error)
{
  if (state->total_items >= 0 && state->n_items != state->total_items)
    return bad_answer (error, ngettext ("it said it holds %lld service and sent %lld",
                                        "it said it holds %lld services and sent %lld",
                                        (gulong) MIN (state->total_items, G_MAXLONG)),
                       (long long) state->total_items, (long long) state->n_items);
  return TRUE;
}

/* Pulls page after page until the last, or an answer that cannot be used. */
static gboolean
read_pages (Run          *run,
            PullKind      kind,
            const char   *modified_after,
            GError      **error)
{
  HavenDirectorySync *self = run->self;
  g_autofree char *per_page = g_strdup_printf ("%u", self->page_size);
  PageState state = { .total_pages = -1, .total_items = -1 };

  for (gint64 page_number = 1; page_number <= MAX_PAGES && !state.done; page_number++)
    {
      g_autofree char *page_text = g_strdup_printf ("%" G_GINT64_FORMAT, page_number);
      g_autofree char *url = build_url (self, "/services", "page", page_text,
                                        "per_page", per_page,
                                        "modified_after", modified_after,
                                        "minimal", kind == PULL_MINIMAL ? "true" : NULL,
                                        NULL);
      g_autoptr(SoupMessage) message = NULL;
      g_autoptr(GInputStream) body = NULL;
      g_autoptr(GBytes) bytes = NULL;

      body = send_get (run, url, &message, error);
      if (body == NULL)
        return FALSE;
      if (soup_message_get_status (message) != SOUP_STATUS_OK)
        return fail_status (message, url, error);

      bytes = read_body (run, body, MAX_PAGE_SIZE, error);
      if (bytes == NULL || !take_page (run, kind, page_number, bytes, &state, error))
        return FALSE;
    }

  return check_page_totals (&state, error);
}

/* An ndjson stream has no end marker: one cut at a line's end by a
 * server that closes its connection looks complete. The first page of the
 * same listing says how many it holds; the stream must have sent as many. */
static gboolean
check_stream_count (Run         *run,
                    PullKind     kind,
                    const char  *modified_after,
                    GError     **error)
{
  g_autofree char *url = build_url (run->self, "/services", "page", "1", "per_page", "1",
                                    "modified_after", modified_after,
                                    "minimal", kind == PULL_MINIMAL ? "true" : NULL,
                                    NULL);
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GInputStream) body = NULL;
  g_autoptr(GBytes) bytes = NULL;
  JsonNode *root;
  gint64 total_items;

  body = send_get (run, url, &message, error);
  if (body == NULL)
    return FALSE;
  if (soup_message_get_status (message) != SOUP_STATUS_OK)
    return fail_status (message, url, error);
  bytes = read_body (run, body, MAX_PAGE_SIZE, error);
  if (bytes == NULL)
    return FALSE;

  /* A server whose pages say nothing of their total cannot be checked. */
  if (!load_answer (run, bytes, NULL))
    return bad_answer (error, _("page %s is not JSON"), "1");
  root = json_parser_get_root (run->parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !get_optional_int (json_node_get_object (root), "total_items", &total_items))
    return TRUE;

  if (total_items != run->n_taken)
    return bad_answer (error, ngettext ("its stream ended after %lld service, and its pages "
                                        "count %lld",
                                        "its stream ended after %lld services, and its pages "
                                        "count %lld",
                                        (gulong) MIN (run->n_taken, G_MAXLONG)),
                       (long long) run->n_taken, (long long) total_items);
  return TRUE;
}

/* Pulls records (or the minimal list) as one ndjson stream where the
 * server offers one, page by page where it does not. */
static gboolean
pull (Run          *run,
      PullKind      kind,
      const char   *modified_after,
      GError      **error)
{
  HavenDirectorySync *self = run->self;
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GInputStream) body = NULL;

  if (!exec_sql (run, kind == PULL_MINIMAL ? "DELETE FROM temp.listed" : "DELETE FROM temp.seen",
                 error))
    return FALSE;

  if (run->ndjson_refused)
    return read_pages (run, kind, modified_after, error);

  url = build_url (self, "/services", "format", "ndjson",
                   "modified_after", modified_after,
                   "minimal", kind == PULL_MINIMAL ? "true" : NULL,
                   NULL);
  body = send_get (run, url, &message, error);
  if (body == NULL)
    return FALSE;

  /* A server without the stream says so with an error status, or answers
   * its first page of JSON as if the format were not asked for. */
  if (soup_message_get_status (message) != SOUP_STATUS_OK || !is_ndjson (message))
    {
      g_debug ("No ndjson stream at %s (%u): pulling pages", self->url,
               soup_message_get_status (message));
      g_input_stream_close (body, NULL, NULL);
      run->ndjson_refused = TRUE;
      return read_pages (run, kind, modified_after, error);
    }

  self->used_ndjson = TRUE;
  run->n_taken = 0;
  return read_ndjson (run, kind, body, error) &&
         check_stream_count (run, kind, modified_after, error);
}

/* GET /services/{id}, for a record a pull missed. */
static gboolean
fetch_one (Run         *run,
           const char  *id,
           GError     **error)
{
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/services/", escaped, NULL);
  g_autofree char *url = build_url (run->self, path, NULL);
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GInputStream) body = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;
  const char *got_id;

  body = send_get (run, url, &message, error);
  if (body == NULL)
    return FALSE;
  /* Deleted between the list and now: the next sync will see it gone. */
  if (soup_message_get_status (message) == SOUP_STATUS_NOT_FOUND)
    return TRUE;
  if (soup_message_get_status (message) != SOUP_STATUS_OK)
    return fail_status (message, url, error);

  bytes = read_body (run, body, MAX_RECORD_SIZE, error);
  if (bytes == NULL)
    return FALSE;
  if (!load_answer (run, bytes, &parse_error))
    return bad_answer (error, _("the service “%s” is not JSON (%s)"), id, parse_error->message);

  root = json_parser_get_root (run->parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return bad_answer (error, _("the service “%s” is not a JSON object"), id);
  if (!check_id (json_node_get_object (root), &got_id, error))
    return FALSE;
  if (strcmp (got_id, id) != 0)
    return bad_answer (error, _("asked for the service “%s”, it sent “%s”"), id, got_id);

  return take_record (run, PULL_RECORDS, root, NULL, error);
}

/* The ids the minimal list names that the mirror lacks or holds in an
 * older version. */
static GPtrArray *
find_missed (Run     *run,
             GError **error)
{
  g_autoptr(GPtrArray) missed = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *statement = NULL;
  int status;

  if (sqlite3_prepare_v2 (run->db,
                          "SELECT listed.id, listed.modified, services.modified "
                          "FROM temp.listed LEFT JOIN services USING (id) "
                          "WHERE services.id IS NULL OR "
                          "  listed.modified IS NOT services.modified",
                          -1, &statement, NULL) != SQLITE_OK)
    {
      set_database_error (run, error);
      return NULL;
    }

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (statement, 0);
      const char *listed = (const char *) sqlite3_column_text (statement, 1);
      const char *held = (const char *) sqlite3_column_text (statement, 2);

      /* Missing altogether, or the list's version is newer than ours. */
      if (held == NULL ||
          (listed != NULL && parse_time (listed) > parse_time (held)))
        g_ptr_array_add (missed, g_strdup (id));
    }
  sqlite3_finalize (statement);
  if (status != SQLITE_DONE)
    {
      set_database_error (run, error);
      return NULL;
    }
  return g_steal_pointer (&missed);
}

/* Writes every record of the mirror into a JSON array the importer
 * reads, beside the database. */
static char *
export_records (Run     *run,
                GError **error)
{
  HavenDirectorySync *self = run->self;
  g_autofree char *folder = g_path_get_dirname (self->database_path);
  g_autofree char *template = g_build_filename (folder, ".haven-sync-XXXXXX.json", NULL);
  g_autoptr(GOutputStream) output = NULL;
  g_autoptr(GOutputStream) buffered = NULL;
  sqlite3_stmt *statement = NULL;
  gboolean first = TRUE;
  int fd;
  int status;

  fd = g_mkstemp_full (template, O_RDWR, 0644);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot write in %s: %s"), folder, g_strerror (saved_errno));
      return NULL;
    }
  output = g_unix_output_stream_new (fd, TRUE);
  buffered = g_buffered_output_stream_new_sized (output, 1024 * 1024);

  if (sqlite3_prepare_v2 (run->db, "SELECT record FROM services ORDER BY id", -1, &statement,
                          NULL) != SQLITE_OK)
    {
      set_database_error (run, error);
      g_unlink (template);
      return NULL;
    }

  if (!g_output_stream_write_all (buffered, "[\n", 2, NULL, run->cancellable, error))
    goto failed;
  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      const char *record = (const char *) sqlite3_column_text (statement, 0);
      gsize length = sqlite3_column_bytes (statement, 0);

      if ((!first && !g_output_stream_write_all (buffered, ",\n", 2, NULL, run->cancellable,
                                                  error)) ||
          !g_output_stream_write_all (buffered, record, length, NULL, run->cancellable, error))
        goto failed;
      first = FALSE;
    }
  if (status != SQLITE_DONE)
    {
      set_database_error (run, error);
      goto failed;
    }
  if (!g_output_stream_write_all (buffered, "\n]\n", 3, NULL, run->cancellable, error) ||
      !g_output_stream_close (buffered, run->cancellable, error))
    goto failed;

  sqlite3_finalize (statement);
  return g_steal_pointer (&template);

failed:
  sqlite3_finalize (statement);
  g_unlink (template);
  return NULL;
}

static gboolean
rebuild (Run     *run,
         GError **error)
{
  HavenDirectorySync *self = run->self;
  g_autoptr(HavenDirectoryImporter) importer = NULL;
  g_autofree char *exported = export_records (run, error);
  gboolean ok;

  if (exported == NULL)
    return FALSE;

  importer = haven_directory_importer_new (exported, self->database_path);
  haven_directory_importer_set_source_name (importer, self->url);
  haven_directory_importer_set_strict (importer, self->strict);
  ok = haven_directory_importer_run (importer, run->cancellable, error);
  g_unlink (exported);
  if (!ok)
    return FALSE;

  self->warnings = g_strdupv ((GStrv) haven_directory_importer_get_warnings (importer));
  self->n_warnings = haven_directory_importer_get_n_warnings (importer);

  self->n_services = haven_directory_importer_get_n_services (importer);
  self->rebuilt = TRUE;
  return TRUE;
}

static gboolean
make_session (Run     *run,
              GError **error)
{
  HavenDirectorySync *self = run->self;

  run->session = soup_session_new_with_options ("timeout", 120, "idle-timeout", 60,
                                                "user-agent", "haven-directory-sync/" PACKAGE_VERSION,
                                                NULL);
  if (self->ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (self->ca_file, error);

      if (database == NULL)
        return FALSE;
      soup_session_set_tls_database (run->session, database);
    }
  return TRUE;
}

static gboolean
sync_run (HavenDirectorySync  *self,
          GCancellable        *cancellable,
          GError             **error)
{
  Run run = { .self = self, .cancellable = cancellable };
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autofree char *source = NULL;
  g_autofree char *newest = NULL;
  g_autoptr(GPtrArray) missed = NULL;
  gint64 n_records;
  gboolean ok = FALSE;

  self->was_full = self->used_ndjson = self->rebuilt = FALSE;
  self->n_added = self->n_changed = self->n_deleted = 0;
  self->n_records = self->n_services = self->n_requests = 0;
  self->bytes_received = 0;
  self->seconds = 0;
  g_clear_pointer (&self->warnings, g_strfreev);
  self->n_warnings = 0;

  if (!check_url (self->url, error))
    return FALSE;

  run.parser = json_parser_new_immutable ();
  if (!make_session (&run, error) || !open_mirror (&run, error))
    goto out;

  source = get_state (&run, "source");
  newest = get_state (&run, "newest_modified");
  /* A mirror of another source, or one that never finished, starts over. */
  if (g_strcmp0 (source, self->url) != 0 && !exec_sql (&run, "DELETE FROM services", error))
    goto out;
  self->was_full = self->force_full || g_strcmp0 (source, self->url) != 0 || newest == NULL ||
                   !g_file_test (self->database_path, G_FILE_TEST_EXISTS);

  if (self->was_full)
    {
      if (!pull (&run, PULL_RECORDS, NULL, error))
        goto out;
      /* What the full pull did not send is gone from the source. */
      if (!exec_sql (&run, "DELETE FROM services WHERE id NOT IN (SELECT id FROM temp.seen)",
                     error))
        goto out;
      self->n_deleted = sqlite3_changes (run.db);
    }
  else
    {
      if (!pull (&run, PULL_RECORDS, newest, error))
        goto out;
    }

  /* The list of every id: deletions, and whatever the pull missed. */
  if (!pull (&run, PULL_MINIMAL, NULL, error))
    {
      if (!g_error_matches (*error, HAVEN_DIRECTORY_SYNC_ERROR, HAVEN_DIRECTORY_SYNC_ERROR_HTTP) ||
          !self->was_full)
        goto out;
      /* A server without the minimal list can still be pulled in full. */
      g_clear_error (error);
      run.minimal_refused = TRUE;
    }

  if (!run.minimal_refused)
    {
      if (!exec_sql (&run, "DELETE FROM services WHERE id NOT IN (SELECT id FROM temp.listed)",
                     error))
        goto out;
      self->n_deleted += sqlite3_changes (run.db);

      missed = find_missed (&run, error);
      if (missed == NULL)
        goto out;
      if (missed->len > MAX_SINGLE_FETCHES)
        {
          bad_answer (error, ngettext ("its list of services names %u that its pull did not send",
                                       "its list of services names %u that its pull did not send",
                                       missed->len),
                      missed->len);
          goto out;
        }
      if (!exec_sql (&run, "DELETE FROM temp.seen", error))
        goto out;
      for (guint i = 0; i < missed->len; i++)
        if (!fetch_one (&run, g_ptr_array_index (missed, i), error))
          goto out;
    }

  n_records = count_rows (&run, "SELECT count(*) FROM services");
  if (n_records <= 0)
    {
      bad_answer (error, _("it lists no services"));
      goto out;
    }
  self->n_records = n_records;

  if (run.newest_modified != NULL &&
      (newest == NULL || parse_time (run.newest_modified) > parse_time (newest)) &&
      !set_state (&run, "newest_modified", run.newest_modified, error))
    goto out;
  if (!set_state (&run, "source", self->url, error))
    goto out;

  /* Nothing changed: the directory in use is already this one. */
  if (self->n_added + self->n_changed + self->n_deleted > 0 || self->was_full ||
      !g_file_test (self->database_path, G_FILE_TEST_EXISTS))
    {
      if (!rebuild (&run, error))
        goto out;
    }
  else
    {
      self->n_services = 0;
    }

  if (!exec_sql (&run, "COMMIT", error))
    goto out;
  ok = TRUE;

out:
  run_clear (&run);
  self->seconds = g_timer_elapsed (timer, NULL);
  return ok;
}

/**
 * haven_directory_sync_run:
 *
 * Pulls the source and rebuilds the directory if anything changed. Blocks:
 * call it from a thread of its own, or use haven_directory_sync_run_async().
 * On failure the directory and the mirror are as they were.
 */
gboolean
haven_directory_sync_run (HavenDirectorySync  *self,
                          GCancellable        *cancellable,
                          GError             **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  gboolean ok;

  g_return_val_if_fail (HAVEN_IS_DIRECTORY_SYNC (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* libsoup's synchronous calls run on the thread-default context. */
  g_main_context_push_thread_default (context);
  ok = sync_run (self, cancellable, error);
  g_main_context_pop_thread_default (context);
  return ok;
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GError *error = NULL;

  if (haven_directory_sync_run (source_object, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
haven_directory_sync_run_async (HavenDirectorySync  *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HAVEN_IS_DIRECTORY_SYNC (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_directory_sync_run_async);
  g_task_run_in_thread (task, run_thread);
}

gboolean
haven_directory_sync_run_finish (HavenDirectorySync  *self,
                                 GAsyncResult        *result,
                                 GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
haven_directory_sync_get_was_full (HavenDirectorySync *self)
{
  return self->was_full;
}

gboolean
haven_directory_sync_get_used_ndjson (HavenDirectorySync *self)
{
  return self->used_ndjson;
}

gboolean
haven_directory_sync_get_rebuilt (HavenDirectorySync *self)
{
  return self->rebuilt;
}

guint
haven_directory_sync_get_n_added (HavenDirectorySync *self)
{
  return self->n_added;
}

guint
haven_directory_sync_get_n_changed (HavenDirectorySync *self)
{
  return self->n_changed;
}

guint
haven_directory_sync_get_n_deleted (HavenDirectorySync *self)
{
  return self->n_deleted;
}

guint
haven_directory_sync_get_n_records (HavenDirectorySync *self)
{
  return self->n_records;
}

guint
haven_directory_sync_get_n_services (HavenDirectorySync *self)
{
  return self->n_services;
}

guint
haven_directory_sync_get_n_requests (HavenDirectorySync *self)
{
  return self->n_requests;
}

guint64
haven_directory_sync_get_bytes_received (HavenDirectorySync *self)
{
  return self->bytes_received;
}

double
haven_directory_sync_get_seconds (HavenDirectorySync *self)
{
  return self->seconds;
}

/**
 * haven_directory_sync_get_warnings:
 *
 * Returns: (transfer none) (nullable): what the last rebuild left out, one
 *   line each (at most HAVEN_DIRECTORY_IMPORT_MAX_WARNINGS of them)
 */
const char * const *
haven_directory_sync_get_warnings (HavenDirectorySync *self)
{
  return (const char * const *) self->warnings;
}

guint
haven_directory_sync_get_n_warnings (HavenDirectorySync *self)
{
  return self->n_warnings;
}

/**
 * haven_directory_sync_parse_for_fuzzing:
 * @data: an answer as a server could send it
 *
 * For tests/fuzz only: reads @data as the sync reads a server's answers,
 * into a mirror in memory. The first byte says which: a page of services,
 * a page of the minimal list, or an ndjson stream. Returns whether the
 * answer was taken; a refusal sets @error.
 */
gboolean
haven_directory_sync_parse_for_fuzzing (const guint8  *data,
                                        gsize          size,
                                        GError       **error)
{
  g_autoptr(HavenDirectorySync) self = haven_directory_sync_new ("http://127.0.0.1", ":memory:");
  Run run = { .self = self };
  g_autoptr(GBytes) bytes = NULL;
  PullKind kind;
  gboolean ok = FALSE;
  guint8 mode;

  if (size == 0)
    return FALSE;
  mode = data[0] % 3;
  kind = mode == 1 ? PULL_MINIMAL : PULL_RECORDS;
  bytes = g_bytes_new (data + 1, size - 1);

  g_free (self->mirror_path);
  self->mirror_path = g_strdup (":memory:");
  run.parser = json_parser_new_immutable ();
  if (!open_mirror (&run, error))
    goto out;

  if (mode == 2)
    {
      g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);

      ok = read_ndjson (&run, kind, stream, error);
    }
  else
    {
      PageState state = { .total_pages = -1, .total_items = -1 };

      /* Read as page 1, and again as page 2 of the same listing, as a
       * server that sends one page twice would. */
      ok = take_page (&run, kind, 1, bytes, &state, error) &&
           (state.done || take_page (&run, kind, 2, bytes, &state, error)) &&
           check_page_totals (&state, error);
    }

out:
  run_clear (&run);
  return ok;
}
