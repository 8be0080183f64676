/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "havenctl"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "havenctl-common.h"
#include "havenctl-directory.h"
#include "haven-directory.h"
#include "haven-directory-import.h"
#include "haven-schedule.h"

/* havenctl directory import | search | stats: the operator's and the
 * tests' way into the service directory, through the same core code the
 * kiosk uses. Search text is never echoed in a message: on a kiosk it is
 * what a visitor typed.
 *
 * Exit status as for every havenctl command: 0 success, 1 failed, 2 a
 * mistake in what was given (the command line, or a directory file that is
 * not valid HSDS). The settings are optional here: with --db the
 * directory commands work where the schema is not installed.
 *
 * An import that left parts of services out still succeeds (0): the
 * warnings go to stderr and their count follows the summary; --strict
 * makes them refuse the directory instead (2). */

/**
 * havenctl_directory_print_warnings:
 * @warnings: the lines an import stored
 * @n_warnings: how many there were, stored or not
 *
 * What an import (or a sync's) left out: each line to stderr, their count
 * after the summary. Directory data is public: the lines may quote it.
 */
void
havenctl_directory_print_warnings (const char * const *warnings,
                                   guint               n_warnings)
{
  guint n_listed = 0;

  for (; warnings != NULL && warnings[n_listed] != NULL; n_listed++)
    /* Translators: "warning: FILE:LINE: service “ID”: what was left out" */
    g_printerr (_("warning: %s\n"), warnings[n_listed]);
  if (n_warnings > n_listed)
    g_printerr (ngettext ("warning: %u more problem is not listed\n",
                          "warning: %u more problems are not listed\n", n_warnings - n_listed),
                n_warnings - n_listed);
  if (n_warnings > 0)
    g_print (ngettext ("%u problem was left out; the services are kept.\n",
                       "%u problems were left out; the services are kept.\n", n_warnings),
             n_warnings);
}

int
havenctl_directory_import (const Command  *command,
                           int             argc,
                           char          **argv)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenDirectoryImporter) importer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *path = NULL;
  g_autofree char *seconds = NULL;
  g_autofree char *services = NULL;
  g_autofree char *organizations = NULL;
  guint n_services;
  guint n_organizations;
  gboolean strict = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      N_("The directory database to replace (default: the setting directory-file)"), N_("FILE") },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict,
      N_("Refuse the whole directory when any part of a service cannot be used, rather than "
         "leave that part out"), NULL },
    { NULL },
  };

  if (!havenctl_parse_options (&argc, &argv, _("PATH"),
                      _("Import an HSDS 3.0 directory: a JSON list of services, an HSDS Page "
                                 "object, or a datapackage.json with its CSV files."),
                               entries))
    return HAVENCTL_EXIT_USAGE;
  if (argc != 2)
    return havenctl_fail (HAVENCTL_EXIT_USAGE, _("%s: give one file or folder to import\n"),
                          argv[0]);

  settings = havenctl_try_open_settings ();
  path = db != NULL ? g_strdup (db) : haven_directory_get_default_path (settings);

  importer = haven_directory_importer_new (argv[1], path);
  haven_directory_importer_set_strict (importer, strict);
  if (!haven_directory_importer_run (importer, NULL, &error))
    {
      if (!g_error_matches (error, HAVEN_DIRECTORY_ERROR, HAVEN_DIRECTORY_ERROR_INVALID_INPUT))
        return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);

      g_printerr ("%s\n", error->message);
      return havenctl_fail (HAVENCTL_EXIT_USAGE, _("The directory in use was not changed.\n"));
    }

  seconds = g_strdup_printf ("%.2f", haven_directory_importer_get_seconds (importer));
  n_services = haven_directory_importer_get_n_services (importer);
  n_organizations = haven_directory_importer_get_n_organizations (importer);
  services = g_strdup_printf (ngettext ("%u service", "%u services", n_services), n_services);
  organizations = g_strdup_printf (ngettext ("%u organization", "%u organizations",
                                             n_organizations),
                                   n_organizations);
  /* Translators: "Imported 1,204 services of 310 organizations into
   * directory.sqlite in 0.31 s"; the first two are the counts above, each
   * in its own plural. */
  g_print (_("Imported %1$s of %2$s into %3$s in %4$s s\n"), services, organizations, path, seconds);
  if (haven_directory_importer_get_n_skipped (importer) > 0)
    g_print (ngettext ("Left out %u service that is inactive or defunct\n",
                       "Left out %u services that are inactive or defunct\n",
                       haven_directory_importer_get_n_skipped (importer)),
             haven_directory_importer_get_n_skipped (importer));

  havenctl_directory_print_warnings (haven_directory_importer_get_warnings (importer),
                                     haven_directory_importer_get_n_warnings (importer));

  return HAVENCTL_EXIT_OK;
}

static const char *
describe_reach (HavenServiceReach reach)
{
  switch (reach)
    {
    case HAVEN_SERVICE_REACH_LOCAL:
      return "local";
    case HAVEN_SERVICE_REACH_NATIONAL:
      return "national";
    case HAVEN_SERVICE_REACH_ANYWHERE:
    default:
      return "anywhere";
    }
}

static void
add_strv (JsonBuilder        *builder,
          const char         *name,
          const char * const *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
print_json (GListModel *results,
            guint       n_matches)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  havenctl_json_add_int (builder, "matches", n_matches);
  json_builder_set_member_name (builder, "services");
  json_builder_begin_array (builder);

  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(HavenService) service = g_list_model_get_item (results, i);

      json_builder_begin_object (builder);
      havenctl_json_add_string (builder, "id", haven_service_get_id (service));
      havenctl_json_add_string (builder, "name", haven_service_get_name (service));
      havenctl_json_add_string (builder, "organization", haven_service_get_organization (service));
      havenctl_json_add_string (builder, "description", haven_service_get_description (service));
      havenctl_json_add_string (builder, "url", haven_service_get_url (service));
      havenctl_json_add_string (builder, "email", haven_service_get_email (service));
      havenctl_json_add_string (builder, "fees", haven_service_get_fees (service));
      json_builder_set_member_name (builder, "free");
      json_builder_add_boolean_value (builder, haven_service_get_free (service));
      json_builder_set_member_name (builder, "open_now");
      if (haven_service_get_has_hours (service))
        json_builder_add_boolean_value (builder, haven_service_get_open_now (service));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "always_open");
      json_builder_add_boolean_value (builder, haven_service_get_always_open (service));
      havenctl_json_add_string (builder, "hours_today", haven_service_get_hours_today (service));
      havenctl_json_add_string (builder, "next_opening", haven_service_get_next_opening (service));
      havenctl_json_add_string (builder, "reach",
                                describe_reach (haven_service_get_reach (service)));
      add_strv (builder, "categories", haven_service_get_categories (service));
      add_strv (builder, "languages", haven_service_get_languages (service));
      add_strv (builder, "service_areas", haven_service_get_service_areas (service));
      add_strv (builder, "addresses", haven_service_get_addresses (service));

      json_builder_set_member_name (builder, "phones");
      json_builder_begin_array (builder);
      for (guint j = 0; j < haven_service_get_n_phones (service); j++)
        {
          json_builder_begin_object (builder);
          havenctl_json_add_string (builder, "number",
                                    haven_service_get_phone_number (service, j));
          havenctl_json_add_string (builder, "description",
                                    haven_service_get_phone_description (service, j));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);

      havenctl_json_add_string (builder, "source", haven_service_get_source (service));
      havenctl_json_add_string (builder, "assured_date", haven_service_get_assured_date (service));
      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  havenctl_print_json (builder);
}

static void
print_text (GListModel *results,
            guint       n_matches)
{
  guint n_items = g_list_model_get_n_items (results);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(HavenService) service = g_list_model_get_item (results, i);
      g_autoptr(GString) facts = g_string_new (NULL);
      g_autofree char *languages = g_strjoinv (", ",
                                               (GStrv) haven_service_get_languages (service));
      g_autofree char *categories = g_strjoinv (", ",
                                                (GStrv) haven_service_get_categories (service));
      const char *organization = haven_service_get_organization (service);

      if (organization != NULL)
        g_print ("%u. %s — %s\n", i + 1, haven_service_get_name (service), organization);
      else
        g_print ("%u. %s\n", i + 1, haven_service_get_name (service));

      g_string_append_printf (facts, "id %s", haven_service_get_id (service));
      if (haven_service_get_has_hours (service))
        g_string_append_printf (facts, " · %s · %s",
                                haven_service_get_open_now (service) ? _("open now")
                                                                     : _("closed now"),
                                haven_service_get_hours_today (service));
      if (haven_service_get_next_opening (service) != NULL)
        g_string_append_printf (facts, " · %s", haven_service_get_next_opening (service));
      if (haven_service_get_free (service))
        g_string_append_printf (facts, " · %s", _("free"));
      g_string_append_printf (facts, " · %s", describe_reach (haven_service_get_reach (service)));
      if (languages[0] != '\0')
        g_string_append_printf (facts, " · %s", languages);
      if (categories[0] != '\0')
        g_string_append_printf (facts, " · %s", categories);
      g_print ("   %s\n", facts->str);
    }

  g_print (ngettext ("%u of %u matching service\n", "%u of %u matching services\n", n_matches),
           n_items, n_matches);
}

int
havenctl_directory_search (const Command  *command,
                           int             argc,
                           char          **argv)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(HavenDirectoryQuery) query = haven_directory_query_new ();
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) zone = NULL;
  g_autofree char *db = NULL;
  g_autofree char *at = NULL;
  g_autofree char *time_zone = NULL;
  gboolean json = FALSE;
  int limit = 0;
  guint n_matches = 0;
  GOptionEntry entries[] = {
    { "category", 0, 0, G_OPTION_ARG_STRING, &query->category,
      N_("Only services for this kind of harm, such as fraud"), N_("CATEGORY") },
    { "region", 0, 0, G_OPTION_ARG_STRING, &query->region,
      N_("Only services for this ISO 3166 region, such as GB-LND (default: the setting "
         "region; \"\" for any)"), N_("REGION") },
    { "language", 0, 0, G_OPTION_ARG_STRING, &query->language,
      N_("Only services that speak this language, such as ar"), N_("CODE") },
    { "display-language", 0, 0, G_OPTION_ARG_STRING, &query->display_language,
      N_("Show the directory’s translations into this language"), N_("CODE") },
    { "open-now", 0, 0, G_OPTION_ARG_NONE, &query->open_now,
      N_("Only services open at the time of --at"), NULL },
    { "at", 0, 0, G_OPTION_ARG_STRING, &at,
      N_("The time for --open-now and today’s hours, ISO 8601 (default: now)"), N_("TIME") },
    { "time-zone", 0, 0, G_OPTION_ARG_STRING, &time_zone,
      N_("The kiosk’s time zone (default: the setting time-zone)"), N_("ZONE") },
    { "free", 0, 0, G_OPTION_ARG_NONE, &query->free,
      N_("Only services free of charge"), NULL },
    { "24-7", 0, 0, G_OPTION_ARG_NONE, &query->always_open,
      N_("Only services open 24 hours a day, 7 days a week"), NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit,
      N_("At most this many services (default: 20)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      N_("The directory database (default: the setting directory-file)"), N_("FILE") },
    { NULL },
  };

  if (!havenctl_parse_options (&argc, &argv, _("[TEXT…]"),
                               _("Search the service directory as the kiosk does."), entries))
    return HAVENCTL_EXIT_USAGE;
  if (limit < 0)
    return havenctl_fail (HAVENCTL_EXIT_USAGE, _("%s: --limit must be a positive number\n"),
                          argv[0]);
  query->limit = limit;
  if (argc > 1)
    query->text = g_strjoinv (" ", argv + 1);

  settings = havenctl_try_open_settings ();
  if (query->region == NULL && settings != NULL)
    query->region = g_settings_get_string (settings, "region");

  directory = haven_directory_open_configured (settings, db, time_zone, &error);
  if (directory == NULL)
    return havenctl_fail_with_error (g_error_matches (error, HAVEN_SCHEDULE_ERROR,
                                                      HAVEN_SCHEDULE_ERROR_INVALID)
                                     ? HAVENCTL_EXIT_USAGE : HAVENCTL_EXIT_FAILED, error);

  if (at != NULL)
    {
      GTimeZone *kiosk_zone = haven_directory_get_time_zone (directory);

      query->at = g_date_time_new_from_iso8601 (at, kiosk_zone);
      /* GLib wants the seconds; people seldom write them. */
      if (query->at == NULL)
        {
          g_autofree char *with_seconds = g_strconcat (at, ":00", NULL);

          query->at = g_date_time_new_from_iso8601 (with_seconds, kiosk_zone);
        }
      if (query->at == NULL)
        return havenctl_fail (HAVENCTL_EXIT_USAGE,
                              _("%s: --at “%s” is not an ISO 8601 time such as "
                                "2026-03-29T09:30\n"), argv[0], at);
    }

  results = haven_directory_search (directory, query, &n_matches, &error);
  if (results == NULL)
    return havenctl_fail_with_error (g_error_matches (error, HAVEN_DIRECTORY_ERROR,
                                                      HAVEN_DIRECTORY_ERROR_INVALID_QUERY)
                                     ? HAVENCTL_EXIT_USAGE : HAVENCTL_EXIT_FAILED, error);

  if (json)
    print_json (results, n_matches);
  else
    print_text (results, n_matches);

  return HAVENCTL_EXIT_OK;
}

int
havenctl_directory_stats (const Command  *command,
                          int             argc,
                          char          **argv)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(HavenDirectoryStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      N_("The directory database (default: the setting directory-file)"), N_("FILE") },
    { NULL },
  };

  if (!havenctl_parse_options (&argc, &argv, NULL, _("Show what the service directory holds."),
                               entries))
    return HAVENCTL_EXIT_USAGE;
  if (argc > 1)
    return havenctl_fail (HAVENCTL_EXIT_USAGE, _("%s: takes no arguments\n"), argv[0]);

  settings = havenctl_try_open_settings ();
  directory = haven_directory_open_configured (settings, db, NULL, &error);
  if (directory != NULL)
    stats = haven_directory_get_stats (directory, &error);
  if (stats == NULL)
    return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      havenctl_json_add_string (builder, "path", haven_directory_get_path (directory));
      havenctl_json_add_int (builder, "schema_version", stats->schema_version);
      havenctl_json_add_int (builder, "services", stats->n_services);
      havenctl_json_add_int (builder, "organizations", stats->n_organizations);
      havenctl_json_add_int (builder, "languages", stats->n_languages);
      havenctl_json_add_int (builder, "regions", stats->n_regions);
      havenctl_json_add_int (builder, "terms", stats->n_terms);
      havenctl_json_add_int (builder, "mapped_terms", stats->n_mapped_terms);
      havenctl_json_add_int (builder, "services_with_hours", stats->n_with_hours);
      havenctl_json_add_string (builder, "imported_at", stats->imported_at);
      havenctl_json_add_string (builder, "source", stats->source);
      havenctl_json_add_string (builder, "format", stats->format);
      havenctl_json_add_string (builder, "categories_file", stats->categories_file);
      json_builder_end_object (builder);

      havenctl_print_json (builder);
      return HAVENCTL_EXIT_OK;
    }

  g_print (_("Directory:        %s\n"), haven_directory_get_path (directory));
  g_print (_("Layout version:   %u\n"), stats->schema_version);
  g_print (_("Services:         %u (%u with opening hours)\n"), stats->n_services,
           stats->n_with_hours);
  g_print (_("Organizations:    %u\n"), stats->n_organizations);
  g_print (_("Languages:        %u\n"), stats->n_languages);
  g_print (_("Regions:          %u\n"), stats->n_regions);
  g_print (_("Taxonomy terms:   %u (%u mapped to categories)\n"), stats->n_terms,
           stats->n_mapped_terms);
  g_print (_("Imported:         %s\n"), stats->imported_at != NULL ? stats->imported_at : "?");
  g_print (_("From:             %s (%s)\n"), stats->source != NULL ? stats->source : "?",
           stats->format != NULL ? stats->format : "?");
  g_print (_("Category mapping: %s\n"), stats->categories_file);

  return HAVENCTL_EXIT_OK;
}
