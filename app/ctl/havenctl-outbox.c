/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "havenctl"

#include "config.h"

#include <stdlib.h>

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "havenctl-outbox.h"
#include "haven-delivery.h"
#include "haven-outbox.h"
#include "haven-request.h"
#include "haven-wipe.h"

/* havenctl outbox add | list | purge | flush: the operator's view of the
 * queue of requests waiting for the backend. Nothing here ever prints what
 * a visitor wrote: ids, states, counts, times, references and the
 * operator-facing last error only. `outbox flush` delivers with the
 * kiosk's own delivery code (haven-delivery.c).
 *
 * Exit status as for every havenctl command: 0 success, 1 failed, 2 a
 * mistake in what was given (the command line, or a request that does not
 * validate). */

enum {
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
};

/* Parses the options of "outbox ACTION", whose name is @argv[0]. */
static gboolean
parse_options (int            *argc,
               char         ***argv,
               const char     *parameter_string,
               const char     *summary,
               GOptionEntry   *entries)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameter_string);
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup (g_get_prgname ());
  g_autofree char *command_prgname = g_strconcat (prgname, " ", (*argv)[0], NULL);
  gboolean parsed;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  /* So that --help reads "havenctl outbox add [OPTION…]". */
  g_set_prgname (command_prgname);
  parsed = g_option_context_parse (context, argc, argv, &error);
  g_set_prgname (prgname);

  if (!parsed)
    g_printerr ("%s: %s\n", command_prgname, error->message);

  return parsed;
}

/* Reads the settings and fails when the schema is missing, rather than
 * letting g_settings_new() abort. */
static GSettings *
open_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  if (schema == NULL)
    {
      g_printerr (_("The settings schema %s is not installed\n"), APP_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

/* add */

/* A body with "items" is a removal request, one with "incident" a report
 * (API.md). FALSE when it is neither, or not a JSON object. */
static gboolean
guess_kind (const char       *contents,
            gsize             length,
            HavenRequestKind *kind)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  gboolean has_items;
  gboolean has_incident;

  if (!json_parser_load_from_data (parser, contents, length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
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

  /* TRANSLATORS: %s is a file name. */
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

  if (!parse_options (&argc, &argv, _("FILE.json"),
                      _("Check a request from a file and queue it for the backend"), entries))
    return EXIT_USAGE;
  if (argc != 2)
    {
      g_printerr (_("%s: give one request file\n"), argv[0]);
      return EXIT_USAGE;
    }
  if (kind_name != NULL && !haven_request_kind_from_string (kind_name, &kind))
    {
      g_printerr (_("%s: the kind must be “removal” or “report”\n"), argv[0]);
      return EXIT_USAGE;
    }

  if (!g_file_get_contents (argv[1], &contents, &length, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILED;
    }

  if (kind_name == NULL && !guess_kind (contents, length, &kind))
    {
      haven_wipe_string (contents);
      g_printerr (_("%s is neither a removal request (with “items”) nor a report (with "
                    "“incident”); give --kind\n"), argv[1]);
      return EXIT_USAGE;
    }

  request = haven_request_new_from_json (kind, contents, length, &error);
  haven_wipe_string (contents);
  if (request == NULL)
    {
      g_printerr ("%s: %s\n", argv[1], error->message);
      return EXIT_USAGE;
    }

  settings = open_settings ();
  if (settings == NULL)
    return EXIT_FAILED;

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
      return EXIT_USAGE;
    }

  outbox = haven_outbox_new_from_settings (settings, &error);
  if (outbox == NULL || !haven_outbox_enqueue_request (outbox, request, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILED;
    }

  g_print ("%s\n", haven_request_get_request_id (request));
  return EXIT_OK;
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

static void
add_string_member (JsonBuilder *builder,
                   const char  *member,
                   const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
print_json (GPtrArray *entries)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++)
    {
      HavenOutboxEntry *entry = g_ptr_array_index (entries, i);

      json_builder_begin_object (builder);
      add_string_member (builder, "request_id", entry->request_id);
      add_string_member (builder, "kind", haven_request_kind_to_string (entry->kind));
      add_string_member (builder, "state", haven_outbox_state_to_string (entry->state));
      json_builder_set_member_name (builder, "sealed");
      json_builder_add_boolean_value (builder, entry->sealed);
      json_builder_set_member_name (builder, "attempts");
      json_builder_add_int_value (builder, entry->attempts);
      add_time_member (builder, "created_at", entry->created_at);
      add_time_member (builder, "next_attempt_at",
                       entry->state == HAVEN_OUTBOX_STATE_QUEUED ? entry->next_attempt_at : 0);
      add_time_member (builder, "last_attempt_at", entry->last_attempt_at);
      add_time_member (builder, "finished_at", entry->finished_at);
      add_string_member (builder, "last_error", entry->last_error);
      add_string_member (builder, "case_reference", entry->case_reference);
      json_builder_set_member_name (builder, "body_size");
      json_builder_add_int_value (builder, entry->body_size);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

/* Pads @text with spaces to @width characters, counted as characters so
 * that translated headings line up too. */
static void
append_cell (GString    *line,
             const char *text,
             guint       width)
{
  glong length = g_utf8_strlen (text, -1);

  g_string_append (line, text);
  for (glong i = length; i < (glong) width + 2; i++)
    g_string_append_c (line, ' ');
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
print_table (GPtrArray *entries)
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
        widths[column] = MAX (widths[column], g_utf8_strlen (row[column], -1));
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
  g_autofree char *path = NULL;

  if (!parse_options (&argc, &argv, NULL,
                      _("List the requests in the outbox, without their contents"), entries))
    return EXIT_USAGE;
  if (argc > 1)
    {
      g_printerr (_("“%s” takes no arguments\n"), argv[0]);
      return EXIT_USAGE;
    }

  settings = open_settings ();
  if (settings == NULL)
    return EXIT_FAILED;

  /* Listing must not make an outbox where there was none, and needs no
   * sealing key, so that a wrong key does not hide the queue. */
  path = haven_outbox_dup_default_path (settings);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      outbox = haven_outbox_new (path, &error);
      if (outbox != NULL)
        list = haven_outbox_list (outbox, &error);
      if (list == NULL)
        {
          g_printerr ("%s\n", error->message);
          return EXIT_FAILED;
        }
    }
  else
    {
      list = g_ptr_array_new ();
    }

  if (json)
    print_json (list);
  else if (list->len == 0)
    g_print (_("The outbox is empty\n"));
  else
    print_table (list);

  return EXIT_OK;
}

/* purge */

int
havenctl_outbox_purge (const Command  *command,
                       int             argc,
                       char          **argv)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (!parse_options (&argc, &argv, _("ID"),
                      _("Delete one request from the outbox, whatever its state"), NULL))
    return EXIT_USAGE;
  if (argc != 2)
    {
      g_printerr (_("%s: give the id of one request\n"), argv[0]);
      return EXIT_USAGE;
    }

  settings = open_settings ();
  if (settings == NULL)
    return EXIT_FAILED;

  path = haven_outbox_dup_default_path (settings);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_printerr (_("The outbox has no request %s\n"), argv[1]);
      return EXIT_FAILED;
    }

  outbox = haven_outbox_new (path, &error);
  if (outbox == NULL || !haven_outbox_purge (outbox, argv[1], &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILED;
    }

  /* TRANSLATORS: %s is a request id. */
  g_print (_("Deleted %s from the outbox\n"), argv[1]);
  return EXIT_OK;
}

/* flush */

typedef struct {
  GMainLoop *loop;
  GPtrArray *results;
  GError *error;
} FlushRun;

static void
flush_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  FlushRun *run = user_data;

  run->results = haven_delivery_flush_finish (HAVEN_DELIVERY (object), result, &run->error);
  g_main_loop_quit (run->loop);
}

int
havenctl_outbox_flush (const Command  *command,
                       int             argc,
                       char          **argv)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(HavenDelivery) delivery = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  FlushRun run = { NULL, NULL, NULL };
  guint n_delivered = 0;
  guint n_kept = 0;
  guint n_failed = 0;

  if (!parse_options (&argc, &argv, NULL,
                      _("Deliver every queued request now, whatever its backoff"), NULL))
    return EXIT_USAGE;
  if (argc > 1)
    {
      g_printerr (_("“%s” takes no arguments\n"), argv[0]);
      return EXIT_USAGE;
    }

  settings = open_settings ();
  if (settings == NULL)
    return EXIT_FAILED;

  /* As for list: no outbox is made, and no sealing key is needed to send
   * what is sealed already. */
  path = haven_outbox_dup_default_path (settings);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_print (_("Nothing to deliver\n"));
      return EXIT_OK;
    }

  outbox = haven_outbox_new (path, &error);
  if (outbox == NULL)
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILED;
    }

  /* The kiosk's delivery code on a main loop, as the kiosk runs it. */
  delivery = haven_delivery_new (settings, outbox);
  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  haven_delivery_flush_async (delivery, HAVEN_DELIVERY_FLUSH_ALL, NULL, flush_cb, &run);
  g_main_loop_run (loop);

  results = g_steal_pointer (&run.results);
  if (results == NULL)
    {
      g_printerr (_("Nothing was delivered: %s\n"), run.error->message);
      g_clear_error (&run.error);
      return EXIT_FAILED;
    }

  if (results->len == 0)
    {
      g_print (_("Nothing to deliver\n"));
      return EXIT_OK;
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

  /* TRANSLATORS: the summary of havenctl outbox flush; three counts. */
  g_print (_("Delivered %u, still queued %u, failed %u\n"), n_delivered, n_kept, n_failed);

  if (haven_delivery_get_operator_alert (delivery) != NULL)
    g_printerr ("%s\n", haven_delivery_get_operator_alert (delivery));

  return n_delivered == results->len ? EXIT_OK : EXIT_FAILED;
}
