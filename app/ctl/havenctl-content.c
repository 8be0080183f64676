/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "havenctl"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>

#include "havenctl-content.h"
#include "haven-content.h"

/* havenctl content check: reads a folder of content definitions the way the
 * kiosk does and lists every problem as FILE:LINE:COLUMN: message, so that
 * a deployment can check its own copy before a kiosk meets it, and the
 * build can check the shipped one.
 *
 * Exit status as for every havenctl command: 0 the content is valid, 2 it
 * is not, or the command line is wrong. */

static void
print_summary (HavenContent *content,
               const char   *mapping_file)
{
  GListModel *categories = haven_content_get_categories (content);
  GListModel *questions = haven_content_get_questions (content);
  g_auto(GStrv) regions = haven_content_dup_region_codes (content);
  g_autofree char *region_list = g_strjoinv (", ", regions);
  guint n_categories = g_list_model_get_n_items (categories);
  guint n_questions = g_list_model_get_n_items (questions);

  /* Translators: %s is a folder. */
  g_print (_("%s: the content is valid\n"), haven_content_get_dir (content));
  g_print (ngettext ("  %u category\n", "  %u categories\n", n_categories), n_categories);
  g_print (ngettext ("  %u question\n", "  %u questions\n", n_questions), n_questions);
  /* Translators: %s is a list of region codes such as "*, GB, GB-LND". */
  g_print (_("  emergency numbers for: %s\n"), region_list);
  g_print (_("  version: %s\n"), haven_content_get_version (content));

  if (mapping_file != NULL)
    g_print (_("  taxonomy terms checked against %s\n"), mapping_file);
  else
    g_print (_("  taxonomy terms not checked: no directory category mapping was found\n"));
}

int
havenctl_content_check (const Command  *command,
                        int             argc,
                        char          **argv)
{
  g_autofree char *given_mapping = NULL;
  g_autofree char *mapping_file = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(HavenContent) content = NULL;
  GOptionEntry entries[] = {
    { "directory-mapping", 0, 0, G_OPTION_ARG_FILENAME, &given_mapping,
      N_("The directory’s category mapping whose taxonomy terms categories may name "
         "(default: found beside the content)"), N_("FILE") },
    { NULL },
  };

  if (!havenctl_parse_options (&argc, &argv, _("[DIR]"),
                               _("Check content definitions: DIR, or else the folder the "
                                 "kiosk reads"), entries))
    return HAVENCTL_EXIT_USAGE;
  if (argc > 2)
    {
      g_autofree char *name = g_strconcat (g_get_prgname (), " ", argv[0], NULL);

      return havenctl_fail (HAVENCTL_EXIT_USAGE, _("%s: takes at most one folder\n"), name);
    }

  if (argc == 2)
    {
      dir = g_strdup (argv[1]);
    }
  else
    {
      /* The build checks the content before the settings schema is
       * installed. */
      settings = havenctl_try_open_settings ();
      dir = haven_content_dup_default_dir (settings, &error);
      if (dir == NULL)
        return havenctl_fail_with_error (HAVENCTL_EXIT_USAGE, error);
    }

  /* The same check a bundle's content passes before a kiosk takes it
   * (haven-bundle.c). */
  problems = haven_content_check (dir, given_mapping, &mapping_file, &content);
  if (problems->len > 0)
    {
      for (guint i = 0; i < problems->len; i++)
        g_printerr ("%s\n", ((GError *) problems->pdata[i])->message);

      /* Translators: %u is a number, %s a folder. */
      g_printerr (ngettext ("%u problem in %s\n", "%u problems in %s\n", problems->len),
                  problems->len, dir);
      return HAVENCTL_EXIT_USAGE;
    }

  print_summary (content, mapping_file);
  return HAVENCTL_EXIT_OK;
}
