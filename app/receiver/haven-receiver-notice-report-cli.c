/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "haven-notice-report.h"
#include "haven-receiver-notice-report-cli.h"
#include "haven-receiver-sqlite-store.h"
#include "haven-receiver-store.h"

/* `haven-receiver notice-report`: the trusted flagger's yearly report of
 * notices (haven-caseworker-api-v1.md, "Notice report") straight from the
 * receivers' database, the same figures as GET /v1/reports/notices, so
 * that the organisation can publish them without the desk:
 *
 *   haven-receiver notice-report --db FILE --from 2026-01-01 --to 2026-12-31
 *
 * CSV on standard output by default; --format json writes the API's
 * answer. Reading it is written to the audit log, as "operator:USER",
 * before anything is written out. */

enum {
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
};

typedef struct {
  char *db_file;
  char *database_uri;
  char *from;
  char *to;
  char *format;
  char *output;
} Options;

static void
options_clear (Options *options)
{
  g_clear_pointer (&options->db_file, g_free);
  g_clear_pointer (&options->database_uri, g_free);
  g_clear_pointer (&options->from, g_free);
  g_clear_pointer (&options->to, g_free);
  g_clear_pointer (&options->format, g_free);
  g_clear_pointer (&options->output, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

static int
usage_error (const char *message)
{
  g_printerr ("%s notice-report: %s\n", g_get_prgname (), message);
  /* Translators: %s is the command that shows the help. */
  g_printerr (_("Run “%s” to see the options.\n"), "haven-receiver notice-report --help");
  return EXIT_USAGE;
}

static int
failure (const GError *error)
{
  g_printerr ("%s: %s\n", g_get_prgname (), error->message);
  return EXIT_FAILED;
}

/* The usage mistake in @options, or NULL. @error holds a bad range's. */
static const char *
check_options (const Options  *options,
               GError        **error)
{
  if ((options->db_file == NULL) == (options->database_uri == NULL))
    return _("Either --db or --database is required, not both");

  if (options->database_uri != NULL && !haven_receiver_store_is_uri (options->database_uri))
    return _("--database takes a URI that starts with postgresql:// or postgres://");

  if (options->from == NULL || options->to == NULL)
    return _("--from and --to are required: the first and the last day of the report, "
             "such as --from 2026-01-01 --to 2026-12-31");

  if (options->format != NULL && !g_str_equal (options->format, "csv") &&
      !g_str_equal (options->format, "json"))
    return _("--format takes csv or json");

  if (!haven_notice_report_check_range (options->from, options->to, error))
    return (*error)->message;

  return NULL;
}

static HavenReceiverStore *
open_store (const Options  *options,
            GError        **error)
{
  /* --db is a file whatever its name looks like, as for the receiver. */
  if (options->db_file != NULL)
    return HAVEN_RECEIVER_STORE (haven_receiver_sqlite_store_open (options->db_file, error));

  return haven_receiver_store_open (options->database_uri, error);
}

static gboolean
write_out (const char  *output,
           GBytes      *bytes,
           GError     **error)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);

  if (output != NULL)
    return g_file_set_contents (output, data, (gssize) length, error);

  /* Bytes as they are: g_print() would convert them to the locale's
   * character set. */
  if (fwrite (data, 1, length, stdout) != length || fflush (stdout) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The report cannot be written to standard output"));
      return FALSE;
    }

  return TRUE;
}

/**
 * haven_receiver_notice_report_main:
 * @argc: the arguments from "notice-report" on
 *
 * `haven-receiver notice-report (--db FILE | --database URI) --from DAY
 * --to DAY [--format csv|json] [--output FILE]`. Exit status 0, 1 when the
 * database or the output fails, 2 for a mistake on the command line (bad
 * days among them).
 */
int
haven_receiver_notice_report_main (int    argc,
                                   char **argv)
{
  g_auto(Options) options = { 0, };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(HavenReceiverStore) store = NULL;
  g_autoptr(HavenNoticeReport) report = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *actor = NULL;
  const char *mistake;
  const GOptionEntry entries[] = {
    { "db", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &options.db_file,
      N_("The receivers’ SQLite database"), N_("FILE") },
    { "database", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options.database_uri,
      N_("The receivers’ PostgreSQL database"), N_("postgresql://…") },
    { "from", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options.from,
      N_("The first day of the report, UTC"), N_("YYYY-MM-DD") },
    { "to", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options.to,
      N_("The last day of the report, UTC, at most 3660 days after the first"),
      N_("YYYY-MM-DD") },
    { "format", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options.format,
      N_("csv (the default) or json, as the caseworker API answers"), N_("FORMAT") },
    { "output", 'o', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &options.output,
      N_("Write the report to FILE instead of standard output"), N_("FILE") },
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("The trusted flagger’s report of notices: how many went to "
                                  "each hosting provider, for each category, and what came "
                                  "of them. Counts only, nothing personal."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);

  if (argc > 1)
    return usage_error (_("Unexpected arguments"));

  mistake = check_options (&options, &error);
  if (mistake != NULL)
    return usage_error (mistake);

  store = open_store (&options, &error);
  if (store == NULL)
    return failure (error);

  report = haven_receiver_store_notice_report (store, options.from, options.to, &error);
  if (report == NULL)
    return failure (error);

  /* Nothing is read without a trace, as at the API. */
  actor = g_strdup_printf ("operator:%s", g_get_user_name ());
  if (!haven_receiver_store_append_audit (store, actor, "operator", "read-report", NULL, "local",
                                          0, &error))
    return failure (error);

  if (g_strcmp0 (options.format, "json") == 0)
    {
      g_autofree char *json = haven_notice_report_to_json (report);
      char *line = g_strconcat (json, "\n", NULL);

      bytes = g_bytes_new_take (line, strlen (line));
    }
  else
    {
      bytes = haven_notice_report_to_csv (report);
    }

  if (!write_out (options.output, bytes, &error))
    return failure (error);

  return EXIT_OK;
}
