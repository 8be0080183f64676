/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "haven-application.h"
#include "haven-locale.h"
#include "haven-paths.h"
#include "haven-renderer.h"
#include "haven-wipe.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HavenApplication) application = NULL;
  const char *locale;
  int status;

  haven_wipe_restart_without_thread_cache (argv);

  /* Before GTK reads its environment, and before any thread exists. */
  haven_renderer_apply ();

  /* gettext ignores LANGUAGE under the plain C locale, and Haven switches
   * language through LANGUAGE, so fall back to its UTF-8 twin. */
  locale = setlocale (LC_ALL, "");
  if (locale == NULL || g_str_equal (locale, "C") || g_str_equal (locale, "POSIX"))
    setlocale (LC_ALL, "C.UTF-8");

  bindtextdomain (GETTEXT_PACKAGE, haven_paths_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* GLib decides at the first translated string whether to translate at all
   * in this process, so the kiosk's language must be set before that. */
  haven_locale_apply_default ();

  application = haven_application_new ();

  status = g_application_run (G_APPLICATION (application), argc, argv);

  return status != 0 ? status : haven_application_get_exit_status (application);
}
