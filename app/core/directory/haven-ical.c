/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-directory"

#include "config.h"

#include <gmodule.h>

#include "haven-ical.h"

/* libical is opened the first time a schedule is read, not linked. Linked,
 * it brings ICU and the C++ runtime into every process that opens the
 * directory, the kiosk among them, as it starts: some 2 MB more resident
 * memory and 2 ms more start-up, for opening hours that are read only
 * once a visitor looks for help (a schedule is made when a search first
 * needs it). */

static gpointer
open_ical (gpointer data)
{
  static HavenIcal ical;
  GModule *module;
  struct {
    const char *name;
    gpointer *function;
  } symbols[] = {
    { "icalrecurrencetype_from_string", (gpointer *) &ical.recurrencetype_from_string },
    { "icaltime_is_null_time", (gpointer *) &ical.time_is_null_time },
    { "icalrecur_iterator_new", (gpointer *) &ical.recur_iterator_new },
    { "icalrecur_iterator_set_start", (gpointer *) &ical.recur_iterator_set_start },
    { "icalrecur_iterator_next", (gpointer *) &ical.recur_iterator_next },
    { "icalrecur_iterator_free", (gpointer *) &ical.recur_iterator_free },
    { "icalrecurrencetype_day_day_of_week", (gpointer *) &ical.recurrencetype_day_day_of_week },
    { "icalrecurrencetype_day_position", (gpointer *) &ical.recurrencetype_day_position },
  };

  /* Kept open for the life of the process, as a linked library would be. */
  module = g_module_open (LIBICAL_SONAME, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_warning ("Opening hours cannot be read: %s", g_module_error ());
      return NULL;
    }
  g_module_make_resident (module);

  for (gsize i = 0; i < G_N_ELEMENTS (symbols); i++)
    {
      if (!g_module_symbol (module, symbols[i].name, symbols[i].function) ||
          *symbols[i].function == NULL)
        {
          g_warning ("Opening hours cannot be read: %s has no %s", LIBICAL_SONAME,
                     symbols[i].name);
          return NULL;
        }
    }

  return &ical;
}

const HavenIcal *
haven_ical_get (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, open_ical, NULL);
}
