/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "havenctl"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>

#include "haven-directory.h"
#include "haven-directory-sync.h"
#include "havenctl-common.h"
#include "havenctl-directory.h"
#include "havenctl-sync.h"

/* havenctl directory sync URL: the organisation's way to keep a
 * directory database current from an HSDS 3.0 API, on whatever machine
 * publishes the kiosks' bundle. See haven-directory-sync.c for how. */

static void
print_summary (HavenDirectorySync *sync,
               const char         *path)
{
  g_autofree char *seconds = g_strdup_printf ("%.2f", haven_directory_sync_get_seconds (sync));
  g_autofree char *size = g_format_size (haven_directory_sync_get_bytes_received (sync));
  guint n_added = haven_directory_sync_get_n_added (sync);
  guint n_changed = haven_directory_sync_get_n_changed (sync);
  guint n_deleted = haven_directory_sync_get_n_deleted (sync);

  if (haven_directory_sync_get_was_full (sync))
    /* Translators: "Pulled all 412 services (as one stream)"; the second
     * %s is one of the two phrases below. */
    g_print (ngettext ("Pulled all %u service (%s)\n", "Pulled all %u services (%s)\n",
                       haven_directory_sync_get_n_records (sync)),
             haven_directory_sync_get_n_records (sync),
             haven_directory_sync_get_used_ndjson (sync) ? _("as one stream")
                                                         : _("page by page"));

  /* Translators: three counts of services, each its own sentence part so
   * that each can agree with its number. */
  g_print (ngettext ("%u new", "%u new", n_added), n_added);
  g_print (", ");
  g_print (ngettext ("%u changed", "%u changed", n_changed), n_changed);
  g_print (", ");
  g_print (ngettext ("%u deleted", "%u deleted", n_deleted), n_deleted);
  g_print ("\n");

  if (haven_directory_sync_get_rebuilt (sync))
    /* Translators: "The directory FILE now holds 410 services (3 requests,
     * 1.2 MB, 0.84 s)" */
    g_print (ngettext ("The directory %s now holds %u service (%u requests, %s, %s s)\n",
                       "The directory %s now holds %u services (%u requests, %s, %s s)\n",
                       haven_directory_sync_get_n_services (sync)),
             path, haven_directory_sync_get_n_services (sync),
             haven_directory_sync_get_n_requests (sync), size, seconds);
  else
    /* Translators: "Nothing changed: FILE was left as it was (2 requests,
     * 30 kB, 0.12 s)" */
    g_print (ngettext ("Nothing changed: %s was left as it was (%u request, %s, %s s)\n",
                       "Nothing changed: %s was left as it was (%u requests, %s, %s s)\n",
                       haven_directory_sync_get_n_requests (sync)),
             path, haven_directory_sync_get_n_requests (sync), size, seconds);
}

int
havenctl_directory_sync (const Command  *command,
                         int             argc,
                         char          **argv)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenDirectorySync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *path = NULL;
  gboolean full = FALSE;
  gboolean strict = FALSE;
  int page_size = 0;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      N_("The directory database to keep current (default: the setting directory-file)"),
      N_("FILE") },
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &ca_file,
      N_("Trust the certificates in this file instead of the system’s"), N_("FILE") },
    { "full", 0, 0, G_OPTION_ARG_NONE, &full,
      N_("Pull every service, not only what changed"), NULL },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict,
      N_("Refuse the pull when any part of a service cannot be used, rather than leave that "
         "part out"), NULL },
    { "page-size", 0, 0, G_OPTION_ARG_INT, &page_size,
      N_("Services to ask for in a page, where the server has no stream (500)"), N_("N") },
    { NULL },
  };

  (void) command;
  if (!havenctl_parse_options (&argc, &argv, _("URL"),
                               _("Pull an HSDS 3.0 API (its base address, as in "
                                 "https://example.org/api) into a directory database: "
                                 "everything the first time, then only what changed. "
                                 "The records pulled are kept beside the database, in "
                                 "FILE-mirror."),
                               entries))
    return HAVENCTL_EXIT_USAGE;
  if (argc != 2)
    return havenctl_fail (HAVENCTL_EXIT_USAGE, _("%s: give the address of one HSDS API\n"),
                          argv[0]);
  if (page_size < 0 || page_size > 10000)
    return havenctl_fail (HAVENCTL_EXIT_USAGE, _("%s: --page-size must be from 1 to 10000\n"),
                          argv[0]);

  settings = havenctl_try_open_settings ();
  path = db != NULL ? g_strdup (db) : haven_directory_get_default_path (settings);

  sync = haven_directory_sync_new (argv[1], path);
  haven_directory_sync_set_ca_file (sync, ca_file);
  haven_directory_sync_set_full (sync, full);
  haven_directory_sync_set_strict (sync, strict);
  if (page_size > 0)
    haven_directory_sync_set_page_size (sync, page_size);

  if (!haven_directory_sync_run (sync, NULL, &error))
    {
      gboolean usage = g_error_matches (error, HAVEN_DIRECTORY_SYNC_ERROR,
                                        HAVEN_DIRECTORY_SYNC_ERROR_INVALID_URL) ||
                       g_error_matches (error, HAVEN_DIRECTORY_ERROR,
                                        HAVEN_DIRECTORY_ERROR_INVALID_INPUT);

      g_printerr ("%s\n", error->message);
      return havenctl_fail (usage ? HAVENCTL_EXIT_USAGE : HAVENCTL_EXIT_FAILED,
                            _("The directory in use was not changed.\n"));
    }

  print_summary (sync, path);
  havenctl_directory_print_warnings (haven_directory_sync_get_warnings (sync),
                                     haven_directory_sync_get_n_warnings (sync));
  return HAVENCTL_EXIT_OK;
}
