/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "havenctl"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "havenctl-common.h"
#include "havenctl-outbox.h"
#include "haven-delivery.h"
#include "haven-json.h"
#include "haven-locale.h"
#include "haven-outbox.h"
#include "haven-request.h"
#include "haven-wipe.h"

/* havenctl outbox add | list | purge | flush | export-failed: the
 * operator's view of the queue of requests waiting for the backend, and of
 * those it refused for good. Nothing here ever prints what a visitor
 * wrote: ids, states, counts, times, references and the operator-facing
 * last error only. `outbox flush` delivers with the kiosk's own delivery
 * code (haven-delivery.c). `outbox export-failed` writes the refused
 * requests' bodies to files as they are stored, sealed for the backend,
 * and writes plain text only when the operator asks for it.
 *
 * Exit status as for every havenctl command: 0 success, 1 failed, 2 a
 * mistake in what was given (the command line, or a request that does not
 * validate). */

/* add */

/* A body with "items" is a removal request, one with "incident" a report
 * (haven-api-v1.md). FALSE when it is neither, or not a JSON object; when
 * it cannot be read as JSON at all, @error says why. */
static gboolean
guess_kind (const char        *contents,
            gsize              length,
            HavenRequestKind  *kind,
            GError           **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  gboolean has_items;
  gboolean has_incident;

  if (!haven_json_load (parser, contents, length, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;

  object = json_node_get_object (json_parser_get_root (parser));
  has_items = json_object_has_member (object, "items");
  has_incident = json_object_has_member (object, "incident");
  if (has_items == has_incident)
    return FALSE;

  *kind = has_items ? HAVEN_REQUEST_KIND_REMOVAL : HAVEN_REQUEST_KIND_REPORT;

  return TRUE;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
print_field_errors (const char *file,
                    GHashTable *field_errors)
{
  g_autofree const char **paths = NULL;
  guint n_paths = 0;

  paths = (const char **) g_hash_table_get_keys_as_array (field_errors, &n_paths);
  qsort (paths, n_paths, sizeof *paths, compare_paths);

  /* Translators: %s is a file name. */
  g_printerr (_("%s is not a valid request:\n"), file);
  /* The messages say what to do; they never quote what was written. */
  for (guint i = 0; i < n_paths; i++)
    g_printerr ("  %s: %s\n", paths[i], (const char *) g_hash_table_lookup (field_errors,
                                                                           paths[i]));
}

int
havenctl_outbox_add (const Command  *command,
                     int             argc,
                     char          **argv)
{
  g_autofree char *kind_name = NULL;
  GOptionEntry entries[] = {
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind_name,
      N_("“removal” or “report”; by default taken from the file"), N_("KIND") },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(HavenRequest) request = NULL;
  g_autoptr(GHashTable) field_errors = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;
  HavenRequestKind kind;

  if (!havenctl_parse_options (&argc, &argv, _("FILE.json"),
                               _("Check a request from a file and queue it for the backend"),
                               entries))
    return HAVENCTL_EXIT_USAGE;
  if (argc != 2)
    return havenctl_fail (HAVENCTL_EXIT_USAGE, _("%s: give one request file\n"), argv[0]);
  if (kind_name != NULL && !haven_request_kind_from_string (kind_name, &kind))
    return havenctl_fail (HAVENCTL_EXIT_USAGE,
                          _("%s: the kind must be “removal” or “report”\n"), argv[0]);

  if (!g_file_get_contents (argv[1], &contents, &length, &error))
    return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);

  if (kind_name == NULL && !guess_kind (contents, length, &kind, &error))
    {
      haven_wipe_string (contents);
      if (error != NULL)
        /* Translators: %s is a file, then why it is not JSON. */
        return havenctl_fail (HAVENCTL_EXIT_USAGE, _("%s cannot be read as JSON: %s\n"), argv[1],
                              error->message);
      return havenctl_fail (HAVENCTL_EXIT_USAGE,
                            _("%s is neither a removal request (with “items”) nor a report "
                              "(with “incident”); give --kind\n"), argv[1]);
    }

  request = haven_request_new_from_json (kind, contents, length, &error);
  haven_wipe_string (contents);
  if (request == NULL)
    return havenctl_fail (HAVENCTL_EXIT_USAGE, "%s: %s\n", argv[1], error->message);

  settings = havenctl_open_settings ();
  if (settings == NULL)
    return HAVENCTL_EXIT_FAILED;

  /* A file with its own request_id keeps it, so that tests and operators
   * can queue a request they can recognise; otherwise it is confirmed
   * here as the kiosk would, with the file's kiosk and language if it has
   * them. */
  if (haven_request_get_request_id (request) == NULL)
    {
      g_autofree char *kiosk_id = g_strdup (haven_request_get_kiosk_id (request));
      g_autofree char *locale = g_strdup (haven_request_get_locale (request));

      if (kiosk_id == NULL)
        kiosk_id = g_settings_get_string (settings, "kiosk-id");
      if (locale == NULL)
        locale = g_settings_get_string (settings, "default-language");
      haven_request_confirm (request, kiosk_id, locale);
    }

  if (!haven_request_validate (request, &field_errors))
    {
      print_field_errors (argv[1], field_errors);
      return HAVENCTL_EXIT_USAGE;
    }

  outbox = haven_outbox_new_from_settings (settings, &error);
  if (outbox == NULL || !haven_outbox_enqueue_request (outbox, request, &error))
    {
      havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);
      /* Refused as the kiosk refuses it: say what would make it work. */
      if (g_error_matches (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_SEALED))
        /* Translators: the names are settings and a command: keep them
         * as they are. */
        g_printerr (_("Set backend-public-key to the backend’s public key (haven-receiver "
                      "--make-keypair prints one); for tests with made-up requests only, "
                      "set allow-unsealed-outbox to true.\n"));
      return HAVENCTL_EXIT_FAILED;
    }

  g_print ("%s\n", haven_request_get_request_id (request));
  return HAVENCTL_EXIT_OK;
}

/* list */

static char *
format_time (gint64 time)
{
  g_autoptr(GDateTime) date_time = NULL;
  g_autoptr(GDateTime) utc = NULL;

  if (time == 0)
    return NULL;

  utc = g_date_time_new_from_unix_utc (time / G_USEC_PER_SEC);
  if (utc == NULL)
    return NULL;
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static void
add_time_member (JsonBuilder *builder,
                 const char  *member,
                 gint64       time)
{
  g_autofree char *text = format_time (time);

  json_builder_set_member_name (builder, member);
  if (text != NULL)
    json_builder_add_string_value (builder, text);
  else
    json_builder_add_null_value (builder);
}

/* A failed entry's field errors as the object they are, or null. */
static void
add_error_fields (JsonBuilder *builder,
                  const char  *error_fields)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  json_builder_set_member_name (builder, "error_fields");
  if (error_fields != NULL &&
      haven_json_load (parser, error_fields, strlen (error_fields), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
  else
    json_builder_add_null_value (builder);
}

static void
print_json (HavenOutbox *outbox,
            GPtrArray   *entries)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++)
    {
      HavenOutboxEntry *entry = g_ptr_array_index (entries, i);

      json_builder_begin_object (builder);
      havenctl_json_add_string (builder, "request_id", entry->request_id);
      havenctl_json_add_string (builder, "kind", haven_request_kind_to_string (entry->kind));
      havenctl_json_add_string (builder, "state", haven_outbox_state_to_string (entry->state));
      json_builder_set_member_name (builder, "sealed");
      json_builder_add_boolean_value (builder, entry->sealed);
      havenctl_json_add_int (builder, "attempts", entry->attempts);
      add_time_member (builder, "created_at", entry->created_at);
      add_time_member (builder, "next_attempt_at",
                       entry->state == HAVEN_OUTBOX_STATE_QUEUED ? entry->next_attempt_at : 0);
      add_time_member (builder, "last_attempt_at", entry->last_attempt_at);
      add_time_member (builder, "finished_at", entry->finished_at);
      havenctl_json_add_string (builder, "last_error", entry->last_error);
      havenctl_json_add_int (builder, "http_status", entry->http_status);
      add_error_fields (builder, entry->error_fields);
      havenctl_json_add_string (builder, "case_reference", entry->case_reference);
      havenctl_json_add_int (builder, "body_size", entry->body_size);
      add_time_member (builder, "expires_at", haven_outbox_get_expiry (outbox, entry));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  havenctl_print_json (builder);
}

/* Pads @text with spaces to @width columns, counted as a terminal draws
 * them, so that translated headings line up too. */
static void
append_cell (GString    *line,
             const char *text,
             guint       width)
{
  guint length = haven_locale_get_display_width (text);

  g_string_append (line, text);
  for (guint i = length; i < width + 2; i++)
    g_string_append_c (line, ' ');
}

/* Under the table, when the backend refused some for good: how many, how
 * long they stay and what the operator can do with them. */
static void
print_failed_note (HavenOutbox *outbox,
                   GPtrArray   *entries)
{
  guint failed = 0;
  guint days = (guint) (haven_outbox_get_failed_retention (outbox) / G_TIME_SPAN_DAY);

  for (guint i = 0; i < entries->len; i++)
    failed += ((HavenOutboxEntry *) g_ptr_array_index (entries, i))->state ==
              HAVEN_OUTBOX_STATE_FAILED;
  if (failed == 0)
    return;

  g_print ("\n");
  /* Translators: %u is a count of requests. */
  g_print (_("Failed, kept for staff: %u\n"), failed);
  /* Translators: %u is a number of days; the commands are to be kept as
   * they are. */
  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "The backend refused them for good; they are never sent again on their "
                        "own. Each is wiped %u day after it failed. Export them with “havenctl "
                        "outbox export-failed DIR”, then delete them with “havenctl outbox purge "
                        "--failed”.\n",
                        "The backend refused them for good; they are never sent again on their "
                        "own. Each is wiped %u days after it failed. Export them with “havenctl "
                        "outbox export-failed DIR”, then delete them with “havenctl outbox purge "
                        "--failed”.\n",
                        days), days);
}

enum {
  COLUMN_ID,
  COLUMN_KIND,
  COLUMN_STATE,
  COLUMN_ATTEMPTS,
  COLUMN_NEXT,
  COLUMN_REFERENCE,
  COLUMN_ERROR,
  N_COLUMNS,
};

static void
print_table (HavenOutbox *outbox,
             GPtrArray   *entries)
{
  const char *headings[N_COLUMNS] = {
    _("ID"), _("KIND"), _("STATE"), _("ATTEMPTS"), _("NEXT ATTEMPT"), _("REFERENCE"),
    _("LAST ERROR"),
  };
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  guint widths[N_COLUMNS] = { 0 };

  {
    char **row = g_new0 (char *, N_COLUMNS + 1);

    for (guint column = 0; column < N_COLUMNS; column++)
      row[column] = g_strdup (headings[column]);
    g_ptr_array_add (rows, row);
  }

  for (guint i = 0; i < entries->len; i++)
    {
      HavenOutboxEntry *entry = g_ptr_array_index (entries, i);
      char **row = g_new0 (char *, N_COLUMNS + 1);
      g_autofree char *next = NULL;

      if (entry->state == HAVEN_OUTBOX_STATE_QUEUED)
        next = format_time (entry->next_attempt_at);

      row[COLUMN_ID] = g_strdup (entry->request_id);
      row[COLUMN_KIND] = g_strdup (haven_request_kind_to_string (entry->kind));
      row[COLUMN_STATE] = g_strdup (haven_outbox_state_to_string (entry->state));
      row[COLUMN_ATTEMPTS] = g_strdup_printf ("%u", entry->attempts);
      row[COLUMN_NEXT] = g_strdup (next != NULL ? next : "-");
      row[COLUMN_REFERENCE] = g_strdup (entry->case_reference != NULL ?
                                        entry->case_reference : "-");
      row[COLUMN_ERROR] = g_strdup (entry->last_error != NULL ? entry->last_error : "-");
      g_ptr_array_add (rows, row);
    }

  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);

      for (guint column = 0; column < N_COLUMNS; column++)
        widths[column] = MAX (widths[column], haven_locale_get_display_width (row[column]));
    }

  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint column = 0; column < N_COLUMNS - 1; column++)
        append_cell (line, row[column], widths[column]);
      g_string_append (line, row[N_COLUMNS - 1]);
      g_print ("%s\n", line->str);
    }

  print_failed_note (outbox, entries);
}

/* list, purge, flush and export-failed open the outbox the kiosk uses
 * without making one where there is none. A wrong sealing key does not
 * hide the queue (it only refuses new requests, and what is queued is
 * sealed already), and the failed retention is the kiosk's, so that
 * opening forgets just what the kiosk would. Sets *@outbox to NULL when
 * there is no outbox; returns FALSE after saying why it cannot be
 * opened. */
static gboolean
open_existing_outbox (GSettings    *settings,
                      HavenOutbox **outbox)
{
  g_autofree char *path = haven_outbox_dup_default_path (settings);
  g_autoptr(GError) error = NULL;

  *outbox = NULL;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;

  *outbox = haven_outbox_new_from_settings (settings, &error);
  if (*outbox == NULL)
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }

  return TRUE;
}

int
havenctl_outbox_list (const Command  *command,
                      int             argc,
                      char          **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  if (!havenctl_parse_options (&argc, &argv, NULL,
                               _("List the requests in the outbox, without their contents"),
                               entries))
    return HAVENCTL_EXIT_USAGE;
  if (argc > 1)
    return havenctl_fail (HAVENCTL_EXIT_USAGE, _("“%s” takes no arguments\n"), argv[0]);

  settings = havenctl_open_settings ();
  if (settings == NULL || !open_existing_outbox (settings, &outbox))
    return HAVENCTL_EXIT_FAILED;

  if (outbox != NULL)
    {
      list = haven_outbox_list (outbox, &error);
      if (list == NULL)
        return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);
    }
  else
    {
      list = g_ptr_array_new ();
    }

  if (json)
    print_json (outbox, list);
  else if (list->len == 0)
    g_print (_("The outbox is empty\n"));
  else
    print_table (outbox, list);

  return HAVENCTL_EXIT_OK;
}

/* purge */

/* Every failed entry, each in a transaction of its own. */
static int
purge_failed (HavenOutbox *outbox)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  guint purged = 0;

  if (outbox != NULL)
    {
      list = haven_outbox_list (outbox, &error);
      if (list == NULL)
        return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);
    }

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      HavenOutboxEntry *entry = g_ptr_array_index (list, i);

      if (entry->state != HAVEN_OUTBOX_STATE_FAILED)
        continue;
      if (!haven_outbox_purge (outbox, entry->request_id, &error))
        return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);
      purged++;
    }

  /* Translators: %u is a count of requests. */
  g_print (_("Failed requests deleted: %u\n"), purged);
  return HAVENCTL_EXIT_OK;
}

int
havenctl_outbox_purge (const Command  *command,
                       int             argc,
                       char          **argv)
{
  gboolean failed = FALSE;
  GOptionEntry entries[] = {
    { "failed", 0, 0, G_OPTION_ARG_NONE, &failed,
      N_("Delete every request the backend refused for good"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(GError) error = NULL;

  if (!havenctl_parse_options (&argc, &argv, _("ID"),
                               _("Delete one request from the outbox, whatever its state"),
                               entries))
    return HAVENCTL_EXIT_USAGE;
  if (failed ? argc != 1 : argc != 2)
    return havenctl_fail (HAVENCTL_EXIT_USAGE, _("%s: give the id of one request, or --failed\n"),
                          argv[0]);

  settings = havenctl_open_settings ();
  if (settings == NULL || !open_existing_outbox (settings, &outbox))
    return HAVENCTL_EXIT_FAILED;

  if (failed)
    return purge_failed (outbox);

  if (outbox == NULL)
    return havenctl_fail (HAVENCTL_EXIT_FAILED, _("The outbox has no request %s\n"), argv[1]);
  if (!haven_outbox_purge (outbox, argv[1], &error))
    return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);

  /* Translators: %s is a request id. */
  g_print (_("Deleted %s from the outbox\n"), argv[1]);
  return HAVENCTL_EXIT_OK;
}

/* flush */

int
havenctl_outbox_flush (const Command  *command,
                       int             argc,
                       char          **argv)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(HavenDelivery) delivery = NULL;
  g_autoptr(GAsyncResult) flushed = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  guint n_delivered = 0;
  guint n_kept = 0;
  guint n_failed = 0;

  if (!havenctl_parse_options (&argc, &argv, NULL,
                               _("Deliver every queued request now, whatever its backoff"),
                               NULL))
    return HAVENCTL_EXIT_USAGE;
  if (argc > 1)
    return havenctl_fail (HAVENCTL_EXIT_USAGE, _("“%s” takes no arguments\n"), argv[0]);

  settings = havenctl_open_settings ();
  if (settings == NULL || !open_existing_outbox (settings, &outbox))
    return HAVENCTL_EXIT_FAILED;

  if (outbox == NULL)
    {
      g_print (_("Nothing to deliver\n"));
      return HAVENCTL_EXIT_OK;
    }

  /* The kiosk's delivery code on a main loop, as the kiosk runs it. */
  delivery = haven_delivery_new (settings, outbox);
  haven_delivery_flush_async (delivery, HAVEN_DELIVERY_FLUSH_ALL, NULL,
                              havenctl_store_result_cb, &flushed);
  havenctl_wait_for_result (&flushed);

  results = haven_delivery_flush_finish (delivery, flushed, &error);
  if (results == NULL)
    return havenctl_fail (HAVENCTL_EXIT_FAILED, _("Nothing was delivered: %s\n"),
                          error->message);

  if (results->len == 0)
    {
      g_print (_("Nothing to deliver\n"));
      return HAVENCTL_EXIT_OK;
    }

  for (guint i = 0; i < results->len; i++)
    {
      HavenDeliveryResult *result = g_ptr_array_index (results, i);
      const char *detail = result->outcome == HAVEN_DELIVERY_OUTCOME_DELIVERED
                           ? result->case_reference : result->message;

      /* Ids, outcomes, references and the operator's words: never what the
       * visitor wrote. */
      g_print ("%s  %s  %s\n", result->request_id,
               haven_delivery_outcome_to_string (result->outcome),
               detail != NULL ? detail : "-");

      if (result->outcome == HAVEN_DELIVERY_OUTCOME_DELIVERED)
        n_delivered++;
      else if (haven_delivery_outcome_is_kept (result->outcome))
        n_kept++;
      else
        n_failed++;
    }

  /* Translators: the summary of havenctl outbox flush; three counts. */
  g_print (_("Delivered %u, still queued %u, failed %u\n"), n_delivered, n_kept, n_failed);

  if (haven_delivery_get_operator_alert (delivery) != NULL)
    g_printerr ("%s\n", haven_delivery_get_operator_alert (delivery));

  return n_delivered == results->len ? HAVENCTL_EXIT_OK : HAVENCTL_EXIT_FAILED;
}

/* export-failed */

static gboolean
write_private_file (const char    *path,
                    gconstpointer  data,
                    gsize          length,
                    GError       **error)
{
  return g_file_set_contents_full (path, data, length, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                   error);
}

/* What the backend said of @entry, and where its body is: the file a
 * caseworker reads first. Nothing in it is what the visitor wrote. */
static char *
describe_failed (HavenOutbox      *outbox,
                 HavenOutboxEntry *entry,
                 const char       *body_file)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  havenctl_json_add_string (builder, "request_id", entry->request_id);
  havenctl_json_add_string (builder, "kind", haven_request_kind_to_string (entry->kind));
  json_builder_set_member_name (builder, "sealed");
  json_builder_add_boolean_value (builder, entry->sealed);
  havenctl_json_add_string (builder, "content_type",
                            entry->sealed ? "application/vnd.haven.sealed" : "application/json");
  havenctl_json_add_string (builder, "body_file", body_file);
  /* What the backend would have filed it by, the Haven-Envelope header
   * as sent (null for one queued before kiosks sent it): a caseworker can
   * hand it on with the body, and see the kind of case without the key. */
  havenctl_json_add_string (builder, "envelope", entry->envelope);
  havenctl_json_add_int (builder, "http_status", entry->http_status);
  havenctl_json_add_string (builder, "error", entry->last_error);
  add_error_fields (builder, entry->error_fields);
  havenctl_json_add_int (builder, "attempts", entry->attempts);
  add_time_member (builder, "created_at", entry->created_at);
  add_time_member (builder, "failed_at", entry->finished_at);
  add_time_member (builder, "expires_at", haven_outbox_get_expiry (outbox, entry));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, TRUE);
}

int
havenctl_outbox_export_failed (const Command  *command,
                               int             argc,
                               char          **argv)
{
  gboolean include_unsealed = FALSE;
  GOptionEntry entries[] = {
    { "include-unsealed", 0, 0, G_OPTION_ARG_NONE, &include_unsealed,
      N_("Also write the bodies that are not sealed, in plain text"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  const char *folder;
  guint exported = 0;
  guint left_out = 0;

  if (!havenctl_parse_options (&argc, &argv, _("DIR"),
                               _("Write the requests the backend refused, as stored, and what it "
                                 "said of each, to files in DIR"),
                               entries))
    return HAVENCTL_EXIT_USAGE;
  if (argc != 2)
    return havenctl_fail (HAVENCTL_EXIT_USAGE, _("%s: give one folder\n"), argv[0]);
  folder = argv[1];

  settings = havenctl_open_settings ();
  if (settings == NULL || !open_existing_outbox (settings, &outbox))
    return HAVENCTL_EXIT_FAILED;

  if (outbox != NULL)
    {
      list = haven_outbox_list (outbox, &error);
      if (list == NULL)
        return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);
    }

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      HavenOutboxEntry *listed = g_ptr_array_index (list, i);
      g_autoptr(HavenOutboxEntry) entry = NULL;
      g_autofree char *body_name = NULL;
      g_autofree char *body_path = NULL;
      g_autofree char *summary_name = NULL;
      g_autofree char *summary_path = NULL;
      g_autofree char *summary = NULL;
      gboolean write_body;

      /* The id names the files: only the kiosk's own UUIDs do. */
      if (listed->state != HAVEN_OUTBOX_STATE_FAILED ||
          !haven_request_is_uuid_v4 (listed->request_id))
        continue;

      if (exported == 0 && g_mkdir_with_parents (folder, 0700) != 0)
        {
          int saved_errno = errno;
          g_autofree char *message = g_strdup_printf (_("The folder %s cannot be made: %s"),
                                                      folder, g_strerror (saved_errno));

          return havenctl_fail (HAVENCTL_EXIT_FAILED, "%s\n", message);
        }

      entry = haven_outbox_lookup (outbox, listed->request_id, TRUE, &error);
      if (entry == NULL)
        {
          /* Purged or expired since it was listed. */
          if (g_error_matches (error, HAVEN_OUTBOX_ERROR, HAVEN_OUTBOX_ERROR_NOT_FOUND))
            {
              g_clear_error (&error);
              continue;
            }
          return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);
        }

      /* A sealed body is opened only with the backend's secret key; an
       * unsealed one is the visitor's words in plain text, written only
       * when the operator asks. */
      write_body = entry->body != NULL && (entry->sealed || include_unsealed);
      if (write_body)
        {
          body_name = g_strconcat (entry->request_id, entry->sealed ? ".sealed" : ".json", NULL);
          body_path = g_build_filename (folder, body_name, NULL);
          if (!write_private_file (body_path, g_bytes_get_data (entry->body, NULL),
                                   g_bytes_get_size (entry->body), &error))
            return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);
        }
      else if (entry->body != NULL)
        {
          left_out++;
        }

      summary_name = g_strconcat (entry->request_id, ".error.json", NULL);
      summary_path = g_build_filename (folder, summary_name, NULL);
      summary = describe_failed (outbox, entry, body_name);
      if (!write_private_file (summary_path, summary, strlen (summary), &error))
        return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);

      g_print ("%s  %s  %s\n", entry->request_id, summary_name,
               body_name != NULL ? body_name : "-");
      exported++;
    }

  if (exported == 0)
    {
      g_print (_("No failed requests to export\n"));
      return HAVENCTL_EXIT_OK;
    }

  /* Translators: %s is a folder, %u a count of requests. */
  g_print (_("Failed requests exported to %s: %u\n"), folder, exported);
  if (left_out > 0)
    /* Translators: %u is a count of requests; --include-unsealed is an
     * option: keep it as it is. */
    g_print (_("Bodies left out because they are not sealed: %u (give --include-unsealed to "
               "write them in plain text)\n"), left_out);

  return HAVENCTL_EXIT_OK;
}
