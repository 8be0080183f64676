/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-receiver-retention-cli.h"
#include "haven-receiver-sqlite-store.h"

/* `haven-receiver retention run`: one retention pass on a database, for
 * operators (after lowering a bound, say) and tests (with --now, to see a
 * case age without waiting for it). The receiver runs the same pass at
 * start and hourly while it serves. */

enum {
  RETENTION_EXIT_OK = 0,
  RETENTION_EXIT_FAILURE = 1,
  RETENTION_EXIT_USAGE = 2,
};

/**
 * haven_receiver_retention_check_days:
 *
 * Returns: the usage mistake in the two bounds, or NULL
 */
const char *
haven_receiver_retention_check_days (int closed_days,
                                     int max_days)
{
  if (closed_days < 1 || max_days < closed_days)
    return _("--retention-closed-days takes 1 or more, and --retention-max-days no fewer "
             "than it");

  return NULL;
}

/* Who the audit log says destroyed a body, and from where. */
#define AUDIT_ACTOR "retention"
#define AUDIT_ROLE "operator"
#define AUDIT_REMOTE "local"

static gboolean
append_audit_rows (HavenReceiverStore  *store,
                   GPtrArray           *cases,
                   const char          *action,
                   GError             **error)
{
  for (guint i = 0; i < cases->len; i++)
    {
      const char *case_reference = g_ptr_array_index (cases, i);
      g_autoptr(GError) local_error = NULL;

      if (!haven_receiver_store_append_audit (store, AUDIT_ACTOR, AUDIT_ROLE, action,
                                              case_reference, AUDIT_REMOTE, 0, &local_error))
        {
          /* The body is gone already; say which case's row is missing, so
           * that the operator can record it. A case reference is not
           * anything a visitor wrote. */
          g_set_error (error, local_error->domain, local_error->code,
                       _("The body of case %s was destroyed (%s), but the audit log could "
                         "not record it: %s"), case_reference, action, local_error->message);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * haven_receiver_retention_run:
 * @now: Unix seconds
 * @retention: (out caller-allocates) (optional): zeroed; what was done
 *
 * One pass: destroys the bodies that are due, appends an audit row for
 * each ("destroy-body:closed-N-days" or "destroy-body:received-N-days",
 * by "retention"), and logs how many, never which (the audit log says
 * which).
 *
 * The bodies are destroyed in one transaction and the rows appended after
 * it, through the audit log's own append, which keeps its chain: a
 * receiver that dies between the two leaves those cases without their row
 * (body_destroyed_at still says when). Appending first would instead
 * record destructions that might then not happen.
 */
gboolean
haven_receiver_retention_run (HavenReceiverStore      *store,
                              gint64                   now,
                              guint                    closed_days,
                              guint                    max_days,
                              HavenReceiverRetention  *retention,
                              GError                 **error)
{
  g_auto(HavenReceiverRetention) own = { 0, };
  g_autofree char *closed_action = g_strdup_printf ("destroy-body:closed-%u-days", closed_days);
  g_autofree char *expired_action = g_strdup_printf ("destroy-body:received-%u-days", max_days);

  if (retention == NULL)
    retention = &own;

  if (!haven_receiver_store_destroy_due_bodies (store, now, closed_days, max_days, retention,
                                                error))
    return FALSE;

  if (retention->skipped)
    {
      g_message ("Retention: skipped, another receiver is running it on the same database");
      return TRUE;
    }

  if (retention->n_closed + retention->n_expired > 0)
    g_message ("Retention: destroyed %u bodies of cases closed %u days ago and %u of cases "
               "received %u days ago", retention->n_closed, closed_days, retention->n_expired,
               max_days);

  return append_audit_rows (store, retention->closed_cases, closed_action, error) &&
         append_audit_rows (store, retention->expired_cases, expired_action, error);
}

static int
usage_error (const char *message)
{
  g_printerr ("%s: %s\n", g_get_prgname (), message);
  /* Translators: %s is the command that shows the help. */
  g_printerr (_("Run “%s” to see the options.\n"), "haven-receiver retention run --help");
  return RETENTION_EXIT_USAGE;
}

/**
 * haven_receiver_retention_main:
 * @argc: the arguments after "retention"
 *
 * `haven-receiver retention run (--db FILE | --database URI) [--now TIME]
 * [--retention-closed-days DAYS] [--retention-max-days DAYS]`: prints
 * "destroyed closed=N expired=M" (or "skipped") on standard output.
 */
int
haven_receiver_retention_main (int    argc,
                               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenReceiverStore) store = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *db_file = NULL;
  g_autofree char *database_uri = NULL;
  g_autofree char *now_text = NULL;
  g_auto(HavenReceiverRetention) retention = { 0, };
  int closed_days = HAVEN_RECEIVER_RETENTION_CLOSED_DAYS;
  int max_days = HAVEN_RECEIVER_RETENTION_MAX_DAYS;
  const char *mistake;
  const GOptionEntry entries[] = {
    { "db", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &db_file,
      N_("The SQLite database of received requests (created when missing)"), N_("FILE") },
    { "database", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &database_uri,
      N_("The PostgreSQL database of received requests, which several receivers may share"),
      N_("postgresql://…") },
    { "now", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &now_text,
      N_("Count the days up to this time (RFC 3339) instead of now"), N_("TIME") },
    { "retention-closed-days", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &closed_days,
      N_("Destroy the body of a closed case this many days after it was closed (default 90)"),
      N_("DAYS") },
    { "retention-max-days", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &max_days,
      N_("Destroy the body of any case this many days after it was received (default 365)"),
      N_("DAYS") },
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new ("run");
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);

  if (argc != 2 || g_strcmp0 (argv[1], "run") != 0)
    return usage_error (_("Unexpected arguments"));

  if ((db_file == NULL) == (database_uri == NULL))
    return usage_error (_("Either --db or --database is required, not both"));

  if (database_uri != NULL && !haven_receiver_store_is_uri (database_uri))
    return usage_error (_("--database takes a URI that starts with postgresql:// or postgres://"));

  mistake = haven_receiver_retention_check_days (closed_days, max_days);
  if (mistake != NULL)
    return usage_error (mistake);

  if (now_text != NULL)
    {
      now = g_date_time_new_from_iso8601 (now_text, NULL);
      if (now == NULL)
        return usage_error (_("--now takes a time with its zone, such as "
                              "2026-12-07T12:00:00Z"));
    }
  else
    {
      now = g_date_time_new_now_utc ();
    }

  /* --db is a file whatever its name looks like, as for the receiver;
   * --database was checked to be a PostgreSQL URI. */
  if (db_file != NULL)
    store = HAVEN_RECEIVER_STORE (haven_receiver_sqlite_store_open (db_file, &error));
  else
    store = haven_receiver_store_open (database_uri, &error);
  if (store == NULL ||
      !haven_receiver_retention_run (store, g_date_time_to_unix (now), (guint) closed_days,
                                     (guint) max_days, &retention, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return RETENTION_EXIT_FAILURE;
    }

  /* For scripts and tests, so not translated. */
  if (retention.skipped)
    g_print ("skipped\n");
  else
    g_print ("destroyed closed=%u expired=%u\n", retention.n_closed, retention.n_expired);

  return RETENTION_EXIT_OK;
}
