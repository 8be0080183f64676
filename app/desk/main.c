/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "haven-desk-application.h"
#include "haven-desk-key-cli.h"
#include "haven-paths.h"
#include "haven-wipe.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HavenDeskApplication) application = NULL;
  const char *locale;
  int status;

  /* What a visitor wrote passes through GTK's and GLib's buffers when a
   * case is shown; freed memory is scrubbed, and glibc's thread cache
   * would keep some of it out of reach of that. */
  haven_wipe_restart_without_thread_cache (argv);

  /* gettext ignores LANGUAGE under the plain C locale: its UTF-8 twin
   * lets a caseworker choose the desk's language with LANGUAGE alone. */
  locale = setlocale (LC_ALL, "");
  if (locale == NULL || g_str_equal (locale, "C") || g_str_equal (locale, "POSIX"))
    setlocale (LC_ALL, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, haven_paths_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  status = haven_desk_key_cli_run (argc, argv);
  if (status >= 0)
    return status;

  application = haven_desk_application_new ();
  return g_application_run (G_APPLICATION (application), argc, argv);
}
