/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "havenctl"

#include "config.h"

#include <stdarg.h>

#include <glib/gi18n.h>

#include "havenctl-common.h"

/* What every havenctl command does the same way: reading its options,
 * opening the kiosk's settings, saying why it failed, waiting for the
 * kiosk's asynchronous code, printing JSON. One copy, so that the commands
 * cannot drift apart in how they talk to an operator or a script. */

/* Parses the options of one command, whose name ("GROUP ACTION") is
 * @argv[0]. @entries may be NULL. Returns FALSE after printing why the
 * command line is wrong. */
gboolean
havenctl_parse_options (int            *argc,
                        char         ***argv,
                        const char     *parameter_string,
                        const char     *summary,
                        GOptionEntry   *entries)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = NULL;
  g_autofree char *command_prgname = NULL;
  gboolean parsed;

  g_return_val_if_fail (argc != NULL && *argc >= 1, FALSE);
  g_return_val_if_fail (argv != NULL && *argv != NULL, FALSE);

  context = g_option_context_new (parameter_string);
  prgname = g_strdup (g_get_prgname ());
  command_prgname = g_strconcat (prgname, " ", (*argv)[0], NULL);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  /* GOptionContext names the program in --help from the prgname; for the
   * usage line to read "havenctl outbox add [OPTION…] FILE.json" the
   * command must be part of it while parsing. */
  g_set_prgname (command_prgname);
  parsed = g_option_context_parse (context, argc, argv, &error);
  g_set_prgname (prgname);

  if (!parsed)
    g_printerr ("%s: %s\n", command_prgname, error->message);

  return parsed;
}

/* The kiosk's settings, or NULL when their schema is not installed, rather
 * than letting g_settings_new() abort: some commands work without them
 * (the build checks the content before anything is installed). */
GSettings *
havenctl_try_open_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  if (schema == NULL)
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

/* As havenctl_try_open_settings(), for the commands that cannot work
 * without the settings: says so when they are missing. */
GSettings *
havenctl_open_settings (void)
{
  GSettings *settings = havenctl_try_open_settings ();

  if (settings == NULL)
    g_printerr (_("The settings schema %s is not installed\n"), APP_ID);

  return settings;
}

/* Prints @format to standard error and returns @status, so that a command
 * ends with "return havenctl_fail (…);". */
int
havenctl_fail (HavenctlExit  status,
               const char   *format,
               ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* g_printerr() converts to the locale's character set; fputs() would
   * not. */
  g_printerr ("%s", message);
  return status;
}

/* Prints @error's message, a line of its own, and returns @status. The
 * core's messages are written for an operator and never quote what a
 * visitor typed. */
int
havenctl_fail_with_error (HavenctlExit  status,
                          const GError *error)
{
  g_return_val_if_fail (error != NULL, status);

  g_printerr ("%s\n", error->message);
  return status;
}

/* A GAsyncReadyCallback whose @user_data is a `GAsyncResult **`, NULL until
 * the operation ends; see havenctl_wait_for_result(). */
void
havenctl_store_result_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  GAsyncResult **stored = user_data;

  g_assert (*stored == NULL);
  *stored = g_object_ref (result);
}

/* Runs the main context until havenctl_store_result_cb() has stored
 * *@result. A main loop rather than blocking twins of the core's calls:
 * the commands run the kiosk's own asynchronous code exactly as the kiosk
 * runs it. */
void
havenctl_wait_for_result (GAsyncResult **result)
{
  g_return_if_fail (result != NULL);

  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* Adds @member with @value, or null when @value is NULL, so that a script
 * always finds every member. */
void
havenctl_json_add_string (JsonBuilder *builder,
                          const char  *member,
                          const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
havenctl_json_add_int (JsonBuilder *builder,
                       const char  *member,
                       gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

/* Prints what @builder holds, indented, and a newline. */
void
havenctl_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, TRUE);

  g_print ("%s\n", text);
}
