/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "havenctl"

#include "config.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>

#include <glib/gi18n.h>
#include <gio/gio.h>

#include "haven-backend.h"
#include "haven-content.h"
#include "haven-directory.h"
#include "haven-kiosk-status.h"
#include "haven-locale.h"
#include "haven-outbox.h"
#include "haven-paths.h"
#include "havenctl-bundle.h"
#include "havenctl-common.h"
#include "havenctl-content.h"
#include "havenctl-directory.h"
#include "havenctl-outbox.h"
#include "havenctl-pin.h"
#include "havenctl-sync.h"

/* havenctl: what an operator does without a screen. Every command is a
 * "GROUP ACTION" pair in the table below; a new one is a function
 * and a line there.
 *
 * Exit status: 0 success, 1 the command ran and failed (the one line it
 * printed says why), 2 a mistake on the command line (HavenctlExit). */

typedef struct _Command Command;

struct _Command
{
  const char *group;
  const char *action;
  /* The arguments after "GROUP ACTION", for the usage text. */
  const char *arguments;
  const char *summary;
  int (*run) (const Command *command, int argc, char **argv);
};

static int backend_check (const Command *command, int argc, char **argv);
static int backend_report_status (const Command *command, int argc, char **argv);

static const Command commands[] = {
  { "backend", "check", NULL,
    N_("Check that the backend answers, with this kiosk’s settings"), backend_check },
  { "backend", "report-status", NULL,
    N_("Send this kiosk’s status report to the backend once, as the kiosk does"),
    backend_report_status },
  { "bundle", "keygen", "--secret-file FILE",
    N_("Make the organisation’s key for signing bundles, and print its public key"),
    havenctl_bundle_keygen },
  { "bundle", "make", "--directory DB --secret-file F --output F [--content DIR]",
    N_("Write a signed bundle of the directory and content for the intake service to serve"),
    havenctl_bundle_make },
  { "bundle", "show", "FILE --public-key KEY",
    N_("Check a bundle as a kiosk would, and show what it holds"), havenctl_bundle_show },
  { "bundle", "status", NULL,
    N_("Show the bundle this kiosk uses, the one waiting, the last check and the directory’s age"),
    havenctl_bundle_status },
  { "bundle", "fetch", "[--from FILE]",
    N_("Fetch a newer bundle now; the kiosk switches to it at the end of the next visit"),
    havenctl_bundle_fetch },
  { "content", "check", "[DIR]",
    N_("Check content definitions and list every problem"), havenctl_content_check },
  { "directory", "import", "PATH [--db FILE] [--strict]",
    N_("Import an HSDS service directory, replacing the one in use"), havenctl_directory_import },
  { "directory", "search", "[TEXT] [--category C] [--region R] [--open-now] [--json]",
    N_("Search the service directory as the kiosk does"), havenctl_directory_search },
  { "directory", "stats", "[--json]",
    N_("Show what the service directory holds"), havenctl_directory_stats },
  { "directory", "sync", "URL [--db FILE] [--full]",
    N_("Pull an HSDS API into the service directory, only what changed after the first time"),
    havenctl_directory_sync },
  { "outbox", "add", "[--kind KIND] FILE.json",
    N_("Check a request from a file and queue it for the backend"), havenctl_outbox_add },
  { "outbox", "export-failed", "DIR [--include-unsealed]",
    N_("Write the requests the backend refused, as stored, and what it said of each, to files "
       "in DIR"),
    havenctl_outbox_export_failed },
  { "outbox", "flush", NULL,
    N_("Deliver every queued request now, whatever its backoff"), havenctl_outbox_flush },
  { "outbox", "list", "[--json]",
    N_("List the requests in the outbox, without their contents"), havenctl_outbox_list },
  { "outbox", "purge", "ID | --failed",
    N_("Delete one request from the outbox, whatever its state"), havenctl_outbox_purge },
  { "pin", "set", "[--stdin]",
    N_("Set the PIN that opens the operator screen at the kiosk"), havenctl_pin_set },
  { "pin", "clear", NULL,
    N_("Clear the operator PIN, so the operator screen cannot be opened"), havenctl_pin_clear },
};

static void
print_usage (FILE *stream)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint width = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *synopsis = g_strjoin (" ", commands[i].group, commands[i].action,
                                             commands[i].arguments, NULL);

      width = MAX (width, g_utf8_strlen (synopsis, -1));
    }

  g_string_append_printf (text, _("Usage: %s COMMAND [ARGUMENTS…]"), g_get_prgname ());
  g_string_append (text, "\n\n");
  g_string_append (text, _("Operate a Haven kiosk from the command line."));
  g_string_append (text, "\n\n");
  g_string_append (text, _("Commands:"));
  g_string_append (text, "\n");

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *synopsis = g_strjoin (" ", commands[i].group, commands[i].action,
                                             commands[i].arguments, NULL);

      g_string_append_printf (text, "  %-*s  %s\n", (int) width, synopsis,
                              _(commands[i].summary));
    }
  g_string_append_printf (text, "  %-*s  %s\n", (int) width, "help",
                          _("Show this help"));
  g_string_append (text, "\n");
  g_string_append_printf (text, _("Run “%s COMMAND --help” for the options of a command."),
                          g_get_prgname ());
  g_string_append (text, "\n");

  /* g_print() and g_printerr() convert to the locale's character set;
   * fputs() would not. */
  if (stream == stdout)
    g_print ("%s", text->str);
  else
    g_printerr ("%s", text->str);
}

static int
usage_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("%s: %s\n\n", g_get_prgname (), message);
  print_usage (stderr);
  return HAVENCTL_EXIT_USAGE;
}

/* The last line of `backend check`, whatever else it found: whether what
 * visitors confirm is sealed for this backend, or refused. */
static HavenOutboxSealing
print_sealing (GSettings *settings)
{
  g_autofree char *description = NULL;
  HavenOutboxSealing sealing = haven_outbox_sealing_from_settings (settings, &description);

  /* Translators: %s says whether requests are sealed for the backend,
   * such as "Sealed for the backend". */
  g_print (_("Sealing: %s\n"), description);
  return sealing;
}

static int
backend_check (const Command  *command,
               int             argc,
               char          **argv)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenBackend) backend = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  gint64 api_version = 0;

  if (!havenctl_parse_options (&argc, &argv, NULL, _(command->summary), NULL))
    return HAVENCTL_EXIT_USAGE;
  if (argc > 1)
    return usage_error (_("“%s” takes no arguments"), argv[0]);

  settings = havenctl_open_settings ();
  if (settings == NULL)
    return HAVENCTL_EXIT_FAILED;

  /* The settings' own messages name the setting that is wrong. */
  backend = haven_backend_new_from_settings (settings, &error);
  if (backend == NULL)
    {
      havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);
      print_sealing (settings);
      return HAVENCTL_EXIT_FAILED;
    }

  /* The backend code is the kiosk's, asynchronous: this checks it exactly
   * as the kiosk runs it. */
  haven_backend_check_async (backend, NULL, havenctl_store_result_cb, &result);
  havenctl_wait_for_result (&result);

  if (!haven_backend_check_finish (backend, result, &api_version, &error))
    {
      havenctl_fail (HAVENCTL_EXIT_FAILED, _("Backend not reachable: %s\n"), error->message);
      print_sealing (settings);
      return HAVENCTL_EXIT_FAILED;
    }

  version = g_strdup_printf ("%" G_GINT64_FORMAT, api_version);
  /* Translators: the first %s is the backend's URL, the second the API
   * version, a number. */
  g_print (_("Backend reachable: %s (API version %s)\n"),
           haven_backend_get_base_url (backend), version);

  /* A kiosk that reaches its backend but refuses every request is not
   * ready. */
  if (haven_outbox_sealing_refuses (print_sealing (settings)))
    return HAVENCTL_EXIT_FAILED;

  return HAVENCTL_EXIT_OK;
}

static int
backend_report_status (const Command  *command,
                       int             argc,
                       char          **argv)
{
  g_autoptr(JsonNode) bundle = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenBackend) backend = NULL;
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(HavenContent) content = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *kiosk_id = NULL;
  g_autofree char *directory_version = NULL;
  g_autofree char *content_version = NULL;
  g_autofree char *body = NULL;
  guint status = 0;

  if (!havenctl_parse_options (&argc, &argv, NULL, _(command->summary), NULL))
    return HAVENCTL_EXIT_USAGE;
  if (argc > 1)
    return usage_error (_("“%s” takes no arguments"), argv[0]);

  settings = havenctl_open_settings ();
  if (settings == NULL)
    return HAVENCTL_EXIT_FAILED;

  backend = haven_backend_new_from_settings (settings, &error);
  if (backend == NULL)
    return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);
  outbox = haven_outbox_new_from_settings (settings, &error);
  if (outbox == NULL)
    return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);

  /* The same body the kiosk's timer sends (haven-status-reporter.c). */
  directory_version = haven_directory_dup_configured_version (settings);
  content = haven_content_load_default (settings, NULL);
  if (content != NULL)
    content_version = g_strdup (haven_content_get_version (content));
  kiosk_id = haven_kiosk_status_dup_kiosk_id (settings);
  now = g_date_time_new_now_utc ();
  bundle = haven_kiosk_status_build_bundle (settings, directory_version);
  body = haven_kiosk_status_build_body (outbox, kiosk_id, directory_version, content_version,
                                        bundle, now, &error);
  if (body == NULL)
    return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);

  /* Nothing in it is a visitor's: the operator may see what is sent. */
  g_print ("%s\n", body);

  haven_kiosk_status_send_async (backend, body, NULL, havenctl_store_result_cb, &result);
  havenctl_wait_for_result (&result);
  if (!haven_kiosk_status_send_finish (backend, result, &status, &error))
    /* Translators: %s says why, such as "The backend answered HTTP 404 Not Found". */
    return havenctl_fail (HAVENCTL_EXIT_FAILED, _("The status report was not sent: %s\n"),
                          error->message);

  /* Translators: %s is the backend's URL, %u an HTTP status such as 204. */
  g_print (_("Status report sent to %s: HTTP %u\n"), haven_backend_get_base_url (backend), status);
  return HAVENCTL_EXIT_OK;
}

static const Command *
find_command (const char *group,
              const char *action)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_strcmp0 (commands[i].group, group) == 0 &&
          g_strcmp0 (commands[i].action, action) == 0)
        return &commands[i];
    }

  return NULL;
}

static gboolean
is_group (const char *group)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_strcmp0 (commands[i].group, group) == 0)
        return TRUE;
    }

  return FALSE;
}

int
main (int   argc,
      char *argv[])
{
  const Command *command;
  g_autofree char *command_name = NULL;
  g_autofree char **command_argv = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, haven_paths_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_prgname ("havenctl");

  if (argc < 2)
    return usage_error (_("No command given"));

  if (g_str_equal (argv[1], "help") || g_str_equal (argv[1], "--help") ||
      g_str_equal (argv[1], "-h"))
    {
      print_usage (stdout);
      return HAVENCTL_EXIT_OK;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("havenctl %s\n", PACKAGE_VERSION);
      return HAVENCTL_EXIT_OK;
    }

  if (!is_group (argv[1]))
    return usage_error (_("Unknown command “%s”"), argv[1]);

  command = argc >= 3 ? find_command (argv[1], argv[2]) : NULL;
  if (command == NULL)
    {
      if (argc < 3)
        return usage_error (_("“%s” needs a command after it"), argv[1]);
      return usage_error (_("Unknown command “%s %s”"), argv[1], argv[2]);
    }

  /* The command sees "GROUP ACTION" as its argv[0], so its --help and its
   * errors name the whole command. */
  command_name = g_strjoin (" ", command->group, command->action, NULL);
  command_argv = g_new0 (char *, argc - 1);
  command_argv[0] = command_name;
  for (int i = 3; i < argc; i++)
    command_argv[i - 2] = argv[i];

  return command->run (command, argc - 2, command_argv);
}
