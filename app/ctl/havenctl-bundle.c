/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "havenctl"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "haven-bundle.h"
#include "havenctl-bundle.h"
#include "haven-bundle-updater.h"
#include "haven-directory.h"

/* havenctl bundle: the organisation's side of the signed bundle of its
 * directory and content (data/api/haven-bundle-v1.md). keygen makes the
 * signing key, make writes a bundle for the intake service to serve
 * (haven-receiver --bundle), and show checks one as a kiosk would and
 * says what it holds. */

static int
takes_no_arguments (int    argc,
                    char **argv)
{
  g_autofree char *name = g_strconcat (g_get_prgname (), " ", argv[0], NULL);

  return havenctl_fail (HAVENCTL_EXIT_USAGE, _("%s: takes no arguments\n"), name);
}

static int
needs_option (char       **argv,
              const char  *option)
{
  g_autofree char *name = g_strconcat (g_get_prgname (), " ", argv[0], NULL);

  /* Translators: the first %s is a command, the second an option such as "--output". */
  return havenctl_fail (HAVENCTL_EXIT_USAGE, _("%s: needs %s\n"), name, option);
}

int
havenctl_bundle_keygen (const Command  *command,
                        int             argc,
                        char          **argv)
{
  g_autofree char *secret_file = NULL;
  g_autofree char *public_text = NULL;
  g_autoptr(GError) error = NULL;
  guint8 public_key[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
  guint8 secret_key[HAVEN_BUNDLE_SECRET_KEY_BYTES];
  gboolean written;
  GOptionEntry entries[] = {
    { "secret-file", 0, 0, G_OPTION_ARG_FILENAME, &secret_file,
      N_("Where to write the secret signing key (a new file, readable by its owner only)"),
      N_("FILE") },
    { NULL },
  };

  if (!havenctl_parse_options (&argc, &argv, NULL,
                               _("Make the organisation’s key for signing bundles, and print the "
                                 "public key kiosks check them with"), entries))
    return HAVENCTL_EXIT_USAGE;
  if (argc > 1)
    return takes_no_arguments (argc, argv);
  if (secret_file == NULL)
    return needs_option (argv, "--secret-file");

  haven_bundle_generate_key_pair (public_key, secret_key);
  written = haven_bundle_write_secret_key_file (secret_file, secret_key, &error);
  sodium_memzero (secret_key, sizeof secret_key);
  if (!written)
    return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);

  public_text = haven_bundle_encode_public_key (public_key);
  /* Translators: %s is a file. */
  g_printerr (_("Wrote a new signing key to %s. Keep it secret, and give kiosks this public "
                "key, which they check bundles with:\n"), secret_file);
  /* Alone on standard output, for scripts. */
  g_print ("%s\n", public_text);
  return HAVENCTL_EXIT_OK;
}

static char *
default_version (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y%m%d%H%M%S");
}

int
havenctl_bundle_make (const Command  *command,
                      int             argc,
                      char          **argv)
{
  g_autofree char *compressed_copy = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *content = NULL;
  g_autofree char *secret_file = NULL;
  g_autofree char *version_text = NULL;
  g_autofree char *publisher = NULL;
  g_autofree char *output = NULL;
  g_autofree char *size_text = NULL;
  g_autoptr(HavenBundleManifest) manifest = NULL;
  g_autoptr(GError) error = NULL;
  guint8 secret_key[HAVEN_BUNDLE_SECRET_KEY_BYTES];
  guint8 public_key[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
  guint64 version = 0;
  gboolean written;
  GStatBuf info;
  GOptionEntry entries[] = {
    { "directory", 0, 0, G_OPTION_ARG_FILENAME, &directory,
      N_("The directory database to publish, as “havenctl directory import” writes it"),
      N_("FILE") },
    { "content", 0, 0, G_OPTION_ARG_FILENAME, &content,
      N_("The content folder to publish (default: none, kiosks keep theirs)"), N_("DIR") },
    { "secret-file", 0, 0, G_OPTION_ARG_FILENAME, &secret_file,
      N_("The signing key “havenctl bundle keygen” wrote"), N_("FILE") },
    { "version", 0, 0, G_OPTION_ARG_STRING, &version_text,
      N_("The bundle’s version, greater than every one before (default: now, as "
         "YYYYMMDDHHMMSS in UTC)"), N_("N") },
    { "publisher", 0, 0, G_OPTION_ARG_STRING, &publisher,
      N_("Who publishes it (default: this computer’s name)"), N_("NAME") },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output,
      N_("Where to write the bundle; a file there is replaced at once"), N_("FILE") },
    { NULL },
  };

  if (!havenctl_parse_options (&argc, &argv, NULL,
                               _("Write a bundle of the service directory and content, signed "
                                 "with the organisation’s key, for the intake service to serve"),
                               entries))
    return HAVENCTL_EXIT_USAGE;
  if (argc > 1)
    return takes_no_arguments (argc, argv);
  if (directory == NULL)
    return needs_option (argv, "--directory");
  if (secret_file == NULL)
    return needs_option (argv, "--secret-file");
  if (output == NULL)
    return needs_option (argv, "--output");

  if (version_text == NULL)
    version_text = default_version ();
  if (!g_ascii_string_to_unsigned (version_text, 10, 1, G_MAXINT64, &version, NULL))
    /* Translators: %s is what was given. */
    return havenctl_fail (HAVENCTL_EXIT_USAGE,
                          _("--version takes a whole number greater than 0, not “%s”\n"),
                          version_text);

  if (!haven_bundle_read_secret_key_file (secret_file, secret_key, &error))
    return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);

  written = haven_bundle_write (directory, content, version,
                                publisher != NULL ? publisher : g_get_host_name (),
                                secret_key, output, &error);
  haven_bundle_secret_key_to_public (secret_key, public_key);
  sodium_memzero (secret_key, sizeof secret_key);
  if (!written)
    return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);

  /* Read back as a kiosk reads it: what is printed is what was signed. */
  manifest = haven_bundle_verify (output, public_key, &error);
  if (manifest == NULL)
    return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);

  /* What the intake service sends kiosks: a fifth of the size, or less. */
  compressed_copy = haven_bundle_write_compressed_copy (output, &error);
  if (compressed_copy == NULL)
    return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);

  size_text = g_format_size (g_stat (output, &info) == 0 ? (guint64) info.st_size : 0);
  /* Translators: %s is a file, then its version, then its size such as "1.2 MB". */
  g_print (_("Wrote %s: version %s, %s\n"), output, version_text, size_text);
  g_print (ngettext ("  directory: %u service\n", "  directory: %u services\n",
                     haven_bundle_manifest_get_n_services (manifest)),
           haven_bundle_manifest_get_n_services (manifest));
  if (haven_bundle_manifest_get_content_version (manifest) != NULL)
    g_print (_("  content: version %s\n"), haven_bundle_manifest_get_content_version (manifest));
  else
    g_print (_("  content: none\n"));

  return HAVENCTL_EXIT_OK;
}

/* "3 days ago", for how old the directory is. */
static char *
describe_age (GDateTime *time)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GTimeSpan age = g_date_time_difference (now, time);
  guint days = (guint) (age / G_TIME_SPAN_DAY);
  guint hours = (guint) (age / G_TIME_SPAN_HOUR);
  guint minutes = (guint) (age / G_TIME_SPAN_MINUTE);

  if (age < 0)
    return g_strdup (_("in the future: check the publisher’s clock"));
  if (days > 0)
    return g_strdup_printf (ngettext ("%u day ago", "%u days ago", days), days);
  if (hours > 0)
    return g_strdup_printf (ngettext ("%u hour ago", "%u hours ago", hours), hours);
  return g_strdup_printf (ngettext ("%u minute ago", "%u minutes ago", minutes), minutes);
}

static char *
format_time (GDateTime *time)
{
  return g_date_time_format (time, "%Y-%m-%d %H:%M:%S UTC");
}

int
havenctl_bundle_show (const Command  *command,
                      int             argc,
                      char          **argv)
{
  g_autofree char *public_text = NULL;
  g_autofree char *version_text = NULL;
  g_autofree char *created = NULL;
  g_autofree char *file_size = NULL;
  g_autofree char *unpacked_size = NULL;
  g_autoptr(HavenBundleManifest) manifest = NULL;
  g_autoptr(GError) error = NULL;
  guint8 public_key[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
  GDateTime *synced_at;
  const char *content_version;
  GStatBuf info;
  GOptionEntry entries[] = {
    { "public-key", 0, 0, G_OPTION_ARG_STRING, &public_text,
      N_("The organisation’s public signing key, in base64, as kiosks hold it"), N_("KEY") },
    { NULL },
  };

  if (!havenctl_parse_options (&argc, &argv, _("FILE"),
                               _("Check a bundle as a kiosk would, and show what it holds"),
                               entries))
    return HAVENCTL_EXIT_USAGE;
  if (argc != 2)
    {
      g_autofree char *name = g_strconcat (g_get_prgname (), " ", argv[0], NULL);

      return havenctl_fail (HAVENCTL_EXIT_USAGE, _("%s: takes one bundle\n"), name);
    }
  if (public_text == NULL)
    return needs_option (argv, "--public-key");

  if (!haven_bundle_decode_public_key (public_text, public_key, &error))
    return havenctl_fail_with_error (HAVENCTL_EXIT_USAGE, error);

  manifest = haven_bundle_verify (argv[1], public_key, &error);
  if (manifest == NULL)
    return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);

  version_text = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                  haven_bundle_manifest_get_version (manifest));
  created = format_time (haven_bundle_manifest_get_created (manifest));
  file_size = g_format_size (g_stat (argv[1], &info) == 0 ? (guint64) info.st_size : 0);
  unpacked_size = g_format_size (haven_bundle_manifest_get_total_size (manifest));
  synced_at = haven_bundle_manifest_get_directory_synced_at (manifest);
  content_version = haven_bundle_manifest_get_content_version (manifest);

  /* Translators: %s is a file. */
  g_print (_("%s: signed by the key given\n"), argv[1]);
  g_print (_("  version:    %s\n"), version_text);
  g_print (_("  created:    %s\n"), created);
  g_print (_("  publisher:  %s\n"), haven_bundle_manifest_get_publisher (manifest));
  g_print (ngettext ("  directory:  %u service\n", "  directory:  %u services\n",
                     haven_bundle_manifest_get_n_services (manifest)),
           haven_bundle_manifest_get_n_services (manifest));
  g_print (_("    source:   %s\n"), haven_bundle_manifest_get_directory_source (manifest));
  if (synced_at != NULL)
    {
      g_autofree char *synced = format_time (synced_at);
      g_autofree char *age = describe_age (synced_at);

      /* Translators: the first %s is a time, the second how long ago it was, such as
       * "3 days ago". */
      g_print (_("    synced:   %s (%s)\n"), synced, age);
    }
  else
    {
      g_print (_("    synced:   unknown\n"));
    }
  if (content_version != NULL)
    g_print (_("  content:    version %s\n"), content_version);
  else
    g_print (_("  content:    none, kiosks keep theirs\n"));
  /* Translators: the first %s is a size such as "1.2 MB", then %u a number of files, then
   * another size. */
  g_print (ngettext ("  size:       %s (%u file, %s unpacked)\n",
                     "  size:       %s (%u files, %s unpacked)\n",
                     haven_bundle_manifest_get_n_files (manifest)),
           file_size, haven_bundle_manifest_get_n_files (manifest), unpacked_size);

  return HAVENCTL_EXIT_OK;
}

static void
print_manifest_summary (HavenBundleManifest *manifest)
{
  GDateTime *synced_at = haven_bundle_manifest_get_directory_synced_at (manifest);
  const char *content_version = haven_bundle_manifest_get_content_version (manifest);
  g_autofree char *version_text = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                                   haven_bundle_manifest_get_version (manifest));
  g_autofree char *created = format_time (haven_bundle_manifest_get_created (manifest));

  /* Translators: "In use: bundle 20261207120000, made 2026-12-07 12:00:00 UTC by
   * Example Support Network" */
  g_print (_("In use: bundle %s, made %s by %s\n"), version_text, created,
           haven_bundle_manifest_get_publisher (manifest));
  g_print (ngettext ("  directory: %u service from %s\n", "  directory: %u services from %s\n",
                     haven_bundle_manifest_get_n_services (manifest)),
           haven_bundle_manifest_get_n_services (manifest),
           haven_bundle_manifest_get_directory_source (manifest));
  if (synced_at != NULL)
    {
      g_autofree char *synced = format_time (synced_at);
      g_autofree char *age = describe_age (synced_at);

      /* Translators: the first %s is a time, the second how long ago it was. */
      g_print (_("  synced: %s (%s)\n"), synced, age);
    }
  if (content_version != NULL)
    g_print (_("  content: version %s\n"), content_version);
  else
    g_print (_("  content: none in the bundle; the kiosk’s own is used\n"));
}

int
havenctl_bundle_status (const Command  *command,
                        int             argc,
                        char          **argv)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenBundleUpdater) updater = NULL;
  g_autofree char *directory_path = NULL;
  g_autofree char *imported_at = NULL;
  HavenBundleManifest *manifest;
  GDateTime *last_checked;
  const char *last_error;
  guint64 pending;
  GTimeSpan age = 0;
  gboolean too_old = FALSE;

  if (!havenctl_parse_options (&argc, &argv, NULL,
                               _("Show the bundle this kiosk uses, the one waiting for the end "
                                 "of a visit, the last check and how old the directory is"),
                               NULL))
    return HAVENCTL_EXIT_USAGE;
  if (argc != 1)
    return takes_no_arguments (argc, argv);

  settings = havenctl_open_settings ();
  updater = haven_bundle_updater_new (settings);

  if (haven_bundle_updater_get_enabled (updater))
    {
      guint interval = g_settings_get_uint (settings, "bundle-check-interval");

      if (interval > 0)
        g_print (ngettext ("Bundles: taken, checked every %u minute\n",
                           "Bundles: taken, checked every %u minutes\n", interval),
                 interval);
      else
        g_print (_("Bundles: taken when the operator asks\n"));
    }
  else
    {
      g_print (_("Bundles: not taken (the setting bundle-public-key is empty)\n"));
    }

  manifest = haven_bundle_updater_get_manifest (updater);
  if (manifest != NULL)
    print_manifest_summary (manifest);
  else
    g_print (_("In use: no bundle\n"));

  pending = haven_bundle_updater_get_pending_version (updater);
  if (pending > 0)
    {
      g_autofree char *pending_text = g_strdup_printf ("%" G_GUINT64_FORMAT, pending);

      g_print (_("Waiting for the end of a visit: bundle %s\n"), pending_text);
    }

  last_checked = haven_bundle_updater_get_last_checked (updater);
  if (last_checked != NULL)
    {
      g_autofree char *checked = format_time (last_checked);
      g_autofree char *checked_age = describe_age (last_checked);

      g_print (_("Last check: %s (%s)\n"), checked, checked_age);
    }
  else
    {
      g_print (_("Last check: never\n"));
    }

  last_error = haven_bundle_updater_get_last_error (updater);
  if (last_error != NULL)
    g_print (_("Last error: %s\n"), last_error);

  directory_path = haven_directory_get_default_path (settings);
  imported_at = haven_directory_dup_configured_version (settings);
  if (haven_directory_judge_age (settings, imported_at, &age, &too_old))
    {
      guint days = (guint) (age / G_TIME_SPAN_DAY);

      /* Translators: "Directory in use: FILE, made 3 days ago" */
      g_print (ngettext ("Directory in use: %s, made %u day ago\n",
                         "Directory in use: %s, made %u days ago\n", days),
               directory_path, days);
      if (too_old)
        {
          guint max_days = g_settings_get_uint (settings, "directory-max-age");

          g_print (ngettext ("  Out of date: older than the %u day the setting "
                             "directory-max-age allows\n",
                             "  Out of date: older than the %u days the setting "
                             "directory-max-age allows\n", max_days),
                   max_days);
        }
    }
  else
    {
      g_print (_("Directory in use: %s, which cannot be read\n"), directory_path);
    }

  return HAVENCTL_EXIT_OK;
}

int
havenctl_bundle_fetch (const Command  *command,
                       int             argc,
                       char          **argv)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenBundleUpdater) updater = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *from = NULL;
  HavenBundleCheck outcome = HAVEN_BUNDLE_CHECK_STAGED;
  gboolean ok;
  GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_FILENAME, &from,
      N_("Take the bundle from this file instead of the backend, for a kiosk offline"),
      N_("FILE") },
    { NULL },
  };

  if (!havenctl_parse_options (&argc, &argv, NULL,
                               _("Ask the backend for a newer bundle now, and have it ready "
                                 "for the end of the next visit"),
                               entries))
    return HAVENCTL_EXIT_USAGE;
  if (argc != 1)
    return takes_no_arguments (argc, argv);

  settings = havenctl_open_settings ();
  updater = haven_bundle_updater_new (settings);
  if (from != NULL)
    {
      ok = haven_bundle_updater_stage_file (updater, from, &error);
    }
  else
    {
      haven_bundle_updater_check_async (updater, NULL, havenctl_store_result_cb, &result);
      havenctl_wait_for_result (&result);
      ok = haven_bundle_updater_check_finish (updater, result, &outcome, &error);
    }
  if (!ok)
    {
      g_printerr ("%s\n", error->message);
      return havenctl_fail (HAVENCTL_EXIT_FAILED, _("The bundle in use was kept.\n"));
    }

  if (outcome == HAVEN_BUNDLE_CHECK_STAGED)
    {
      g_autofree char *pending = g_strdup_printf (
        "%" G_GUINT64_FORMAT, haven_bundle_updater_get_pending_version (updater));

      g_print (_("Bundle %s is ready: the kiosk switches to it at the end of the next visit, "
                 "or when it starts\n"), pending);
    }
  else
    {
      g_print (_("No newer bundle is published\n"));
    }
  return HAVENCTL_EXIT_OK;
}
