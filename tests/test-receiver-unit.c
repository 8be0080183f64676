/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receiver-unit"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "test-files.h"

/* haven-receiver.service, as meson configures it for installing
 * (data/receiver/haven-receiver.service.in): the hardening a deployment
 * relies on is there and not undone by a later line, the command line
 * serves TLS with client authentication on an unprivileged port with
 * options the receiver has, and systemd itself reads the unit without a
 * complaint. */

typedef struct {
  char *section;
  char *key;
  char *value;
} Assignment;

static void
assignment_free (Assignment *assignment)
{
  g_free (assignment->section);
  g_free (assignment->key);
  g_free (assignment->value);
  g_free (assignment);
}

/* Every assignment of the unit in order, with continued lines joined as
 * systemd joins them (a trailing backslash), comments left out. Repeated
 * keys are all kept: for most keys the last one counts. */
static GPtrArray *
read_unit (const char *path)
{
  g_autoptr(GPtrArray) assignments = g_ptr_array_new_with_free_func (
    (GDestroyNotify) assignment_free);
  g_autoptr(GString) logical = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *section = NULL;
  g_auto(GStrv) lines = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      gsize length = strlen (line);
      char *equals;

      if (logical->len == 0 && (line[0] == '#' || line[0] == ';' || line[0] == '\0'))
        continue;

      if (length > 0 && line[length - 1] == '\\')
        {
          g_string_append_len (logical, line, (gssize) length - 1);
          g_string_append_c (logical, ' ');
          continue;
        }
      g_string_append (logical, line);

      if (logical->str[0] == '[')
        {
          g_free (section);
          section = g_strndup (logical->str + 1, strcspn (logical->str + 1, "]"));
        }
      else if ((equals = strchr (logical->str, '=')) != NULL)
        {
          Assignment *assignment = g_new0 (Assignment, 1);

          assignment->section = g_strdup (section);
          assignment->key = g_strstrip (g_strndup (logical->str,
                                                   (gsize) (equals - logical->str)));
          assignment->value = g_strstrip (g_strdup (equals + 1));
          g_ptr_array_add (assignments, assignment);
        }
      g_string_truncate (logical, 0);
    }

  return g_steal_pointer (&assignments);
}

/* The value that counts: the last assignment of @key in [Service]. */
static const char *
service_value (GPtrArray  *assignments,
               const char *key)
{
  const char *value = NULL;

  for (guint i = 0; i < assignments->len; i++)
    {
      Assignment *assignment = g_ptr_array_index (assignments, i);

      if (g_strcmp0 (assignment->section, "Service") == 0 &&
          g_strcmp0 (assignment->key, key) == 0)
        value = assignment->value;
    }

  return value;
}

static GPtrArray *
read_built_unit (void)
{
  const char *path = g_getenv ("HAVEN_RECEIVER_UNIT");

  g_assert_nonnull (path);
  return read_unit (path);
}

/* Each line the deployment document promises; removing or weakening one
 * fails here. */
static void
test_hardening (void)
{
  g_autoptr(GPtrArray) assignments = read_built_unit ();
  const struct {
    const char *key;
    const char *value;
  } required[] = {
    { "User", "haven-receiver" },
    { "StateDirectory", "haven-receiver" },
    { "StateDirectoryMode", "0700" },
    { "ConfigurationDirectory", "haven-receiver" },
    { "UMask", "0077" },
    { "Restart", "on-failure" },
    { "NoNewPrivileges", "yes" },
    /* Empty: no capability at all, so nothing can be gained back. */
    { "CapabilityBoundingSet", "" },
    { "AmbientCapabilities", "" },
    { "ProtectSystem", "strict" },
    { "ProtectHome", "yes" },
    { "PrivateTmp", "yes" },
    { "PrivateDevices", "yes" },
    { "ProtectKernelTunables", "yes" },
    { "ProtectKernelModules", "yes" },
    { "ProtectKernelLogs", "yes" },
    { "ProtectControlGroups", "yes" },
    { "ProtectClock", "yes" },
    { "ProtectHostname", "yes" },
    { "ProtectProc", "invisible" },
    { "ProcSubset", "pid" },
    { "RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX" },
    { "RestrictNamespaces", "yes" },
    { "RestrictRealtime", "yes" },
    { "RestrictSUIDSGID", "yes" },
    { "LockPersonality", "yes" },
    { "MemoryDenyWriteExecute", "yes" },
    { "RemoveIPC", "yes" },
    { "SystemCallArchitectures", "native" },
  };
  gboolean system_service_filter = FALSE;
  const char *limit;

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      const char *value = service_value (assignments, required[i].key);

      if (value == NULL)
        g_error ("haven-receiver.service has no %s=", required[i].key);
      g_assert_cmpstr (value, ==, required[i].value);
    }

  /* A unit running as root would undo the rest. */
  g_assert_null (service_value (assignments, "DynamicUser"));

  /* SystemCallFilter= lines add up; an empty one would reset them. */
  for (guint i = 0; i < assignments->len; i++)
    {
      Assignment *assignment = g_ptr_array_index (assignments, i);

      if (g_strcmp0 (assignment->key, "SystemCallFilter") != 0)
        continue;
      g_assert_cmpstr (assignment->value, !=, "");
      if (g_strcmp0 (assignment->value, "@system-service") == 0)
        system_service_filter = TRUE;
    }
  g_assert_true (system_service_filter);

  /* Room for the connections the receiver is allowed. */
  limit = service_value (assignments, "LimitNOFILE");
  g_assert_nonnull (limit);
  g_assert_cmpuint (g_ascii_strtoull (limit, NULL, 10), >=, 4096);
}

static char **
exec_start_words (GPtrArray *assignments)
{
  const char *exec_start = service_value (assignments, "ExecStart");
  g_auto(GStrv) words = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (exec_start);
  g_shell_parse_argv (exec_start, NULL, &words, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&words);
}

static const char *
option_value (char       **words,
              const char  *option)
{
  for (guint i = 1; words[i] != NULL; i++)
    {
      if (g_strcmp0 (words[i], option) == 0)
        return words[i + 1];
    }

  return NULL;
}

/* TLS with the kiosks authenticated, on a port that needs no capability,
 * and only options that haven-receiver --help lists. */
static void
test_command_line (void)
{
  g_autoptr(GPtrArray) assignments = read_built_unit ();
  g_auto(GStrv) words = exec_start_words (assignments);
  g_autoptr(GSubprocess) receiver = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *help = NULL;
  const char *listen;
  const char *port;

  g_assert_true (g_str_has_suffix (words[0], "/haven-receiver"));
  g_assert_true (g_path_is_absolute (words[0]));

  listen = option_value (words, "--listen");
  g_assert_nonnull (listen);
  port = strrchr (listen, ':');
  g_assert_nonnull (port);
  g_assert_cmpuint (g_ascii_strtoull (port + 1, NULL, 10), >=, 1024);

  g_assert_nonnull (option_value (words, "--cert"));
  g_assert_nonnull (option_value (words, "--key"));
  g_assert_true (option_value (words, "--token-file") != NULL ||
                 (option_value (words, "--ca") != NULL &&
                  g_strv_contains ((const char * const *) words, "--require-client-cert")));
  g_assert_false (g_strv_contains ((const char * const *) words, "--insecure-http"));
  g_assert_true (option_value (words, "--db") != NULL ||
                 option_value (words, "--database") != NULL);

  receiver = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                               g_getenv ("HAVEN_RECEIVER"), "--help-all", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (receiver, NULL, NULL, &help, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (receiver));

  for (guint i = 1; words[i] != NULL; i++)
    {
      g_autofree char *with_value = NULL;
      g_autofree char *alone = NULL;

      if (!g_str_has_prefix (words[i], "--"))
        continue;
      /* "  --db=FILE", "-l, --listen=…" or "  --require-client-cert   " in the help. */
      with_value = g_strconcat (" ", words[i], "=", NULL);
      alone = g_strconcat (" ", words[i], " ", NULL);
      if (strstr (help, with_value) == NULL && strstr (help, alone) == NULL)
        g_error ("haven-receiver.service uses %s, which haven-receiver --help does not list",
                 words[i]);
    }
}

/* The unit as systemd would load it, but running the receiver just built,
 * so that its check that the program exists can pass. */
static char *
write_unit_for_verify (const char *folder)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) program = NULL;
  g_autofree char *replacement = NULL;
  g_autofree char *changed = NULL;

  g_file_get_contents (g_getenv ("HAVEN_RECEIVER_UNIT"), &contents, NULL, &error);
  g_assert_no_error (error);
  program = g_regex_new ("^ExecStart=\\S+", G_REGEX_MULTILINE, 0, &error);
  g_assert_no_error (error);
  replacement = g_strconcat ("ExecStart=", g_getenv ("HAVEN_RECEIVER"), NULL);
  changed = g_regex_replace_literal (program, contents, -1, 0, replacement, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (changed, !=, contents);

  return write_file (folder, "haven-receiver.service", changed);
}

/* Runs systemd-analyze; NULL (and the test skipped) where it is not
 * installed. */
static GSubprocess *
run_systemd_analyze (const char * const *arguments,
                     char              **output)
{
  g_autofree char *program = g_find_program_in_path ("systemd-analyze");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) analyze = NULL;
  g_autoptr(GError) error = NULL;

  if (program == NULL)
    {
      g_test_skip ("systemd-analyze is not installed: the unit was not checked by systemd");
      return NULL;
    }

  g_ptr_array_add (argv, program);
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) arguments[i]);
  g_ptr_array_add (argv, NULL);

  analyze = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (analyze, NULL, NULL, output, NULL, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&analyze);
}

/* systemd-analyze verify exits 0 even for a value it cannot parse (it
 * only warns and ignores the line), so any word from it fails. */
static void
test_systemd_verify (void)
{
  g_autofree char *folder = g_dir_make_tmp ("haven-receiver-unit-XXXXXX", NULL);
  g_autofree char *unit = write_unit_for_verify (folder);
  g_autoptr(GSubprocess) analyze = NULL;
  g_autofree char *output = NULL;
  const char *arguments[] = { "verify", "--man=no", unit, NULL };

  analyze = run_systemd_analyze (arguments, &output);
  if (analyze != NULL)
    {
      g_test_message ("systemd-analyze verify: %s", output);
      g_assert_cmpstr (g_strstrip (output), ==, "");
      g_assert_true (g_subprocess_get_successful (analyze));
    }

  remove_tree (folder);
}

/* systemd's own score of the sandbox (0 best, 10 worst): the unit scored
 * 1.4 when written, and removing any one line of its hardening raises it
 * above 1.5. */
static void
test_systemd_exposure (void)
{
  g_autofree char *folder = g_dir_make_tmp ("haven-receiver-unit-XXXXXX", NULL);
  g_autofree char *unit = write_unit_for_verify (folder);
  g_autoptr(GSubprocess) analyze = NULL;
  g_autofree char *output = NULL;
  const char *arguments[] = { "security", "--offline=yes", "--threshold=15", "--no-pager",
                              unit, NULL };

  analyze = run_systemd_analyze (arguments, &output);
  if (analyze != NULL)
    {
      g_test_message ("systemd-analyze security: %s", output);
      /* --offline came with systemd 250. */
      if (strstr (output, "unrecognized option") != NULL)
        g_test_skip ("this systemd-analyze cannot score a unit file offline");
      else
        g_assert_true (g_subprocess_get_successful (analyze));
    }

  remove_tree (folder);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/receiver-unit/hardening", test_hardening);
  g_test_add_func ("/haven/receiver-unit/command-line", test_command_line);
  g_test_add_func ("/haven/receiver-unit/systemd-verify", test_systemd_verify);
  g_test_add_func ("/haven/receiver-unit/systemd-exposure", test_systemd_exposure);

  return g_test_run ();
}
