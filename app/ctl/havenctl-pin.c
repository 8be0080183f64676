/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "havenctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "haven-operator-pin.h"
#include "haven-wipe.h"
#include "havenctl-pin.h"

/* havenctl pin set: the operator's PIN, hashed into operator-pin-hash.
 * The PIN is read from the terminal without echo (twice), or as one line
 * from standard input with --stdin; it is never an argument, which would
 * leave it in the shell's history and in the process list. */

static char *
read_line (FILE *stream)
{
  char buffer[HAVEN_OPERATOR_PIN_MAX_LENGTH * 4 + 2];
  char *line;

  if (fgets (buffer, sizeof buffer, stream) == NULL)
    return NULL;

  buffer[strcspn (buffer, "\r\n")] = '\0';
  line = g_strdup (buffer);
  explicit_bzero (buffer, sizeof buffer);
  return line;
}

/* Asks for the PIN on the terminal, without showing what is typed. */
static char *
prompt_without_echo (const char *prompt)
{
  struct termios saved, quiet;
  gboolean is_terminal = tcgetattr (STDIN_FILENO, &saved) == 0;
  char *line;

  g_printerr ("%s", prompt);
  if (is_terminal)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }

  line = read_line (stdin);

  if (is_terminal)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }

  return line;
}

static char *
read_new_pin (gboolean   from_stdin,
              GError   **error)
{
  char *pin;
  char *again;
  gboolean same;

  if (from_stdin)
    {
      pin = read_line (stdin);
      if (pin == NULL)
        g_set_error_literal (error, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_INVALID,
                             _("No PIN on standard input"));
      return pin;
    }

  pin = prompt_without_echo (_("New operator PIN: "));
  if (pin == NULL)
    {
      g_set_error_literal (error, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_INVALID,
                           _("No PIN was typed"));
      return NULL;
    }

  again = prompt_without_echo (_("The same PIN again: "));
  same = again != NULL && g_str_equal (pin, again);
  haven_wipe_string (again);
  if (!same)
    {
      haven_wipe_string (pin);
      g_set_error_literal (error, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_INVALID,
                           _("The two PINs differ; nothing was changed"));
      return NULL;
    }

  return pin;
}

static int
store_hash (GSettings  *settings,
            const char *hash)
{
  if (!g_settings_is_writable (settings, "operator-pin-hash"))
    return havenctl_fail (HAVENCTL_EXIT_FAILED,
                          _("operator-pin-hash is locked by the system administrator (dconf); "
                            "set it in the system database instead\n"));

  if (!g_settings_set_string (settings, "operator-pin-hash", hash))
    return havenctl_fail (HAVENCTL_EXIT_FAILED, _("operator-pin-hash cannot be written\n"));

  g_settings_sync ();
  return HAVENCTL_EXIT_OK;
}

int
havenctl_pin_set (const Command  *command,
                  int             argc,
                  char          **argv)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  gboolean from_stdin = FALSE;
  char *pin;
  int status;
  GOptionEntry entries[] = {
    { "stdin", 0, 0, G_OPTION_ARG_NONE, &from_stdin,
      N_("Read the PIN as one line from standard input, for scripts"), NULL },
    { NULL },
  };

  if (!havenctl_parse_options (&argc, &argv, NULL,
                               _("Set the PIN that opens the operator screen at the kiosk"), entries))
    return HAVENCTL_EXIT_USAGE;
  if (argc > 1)
    return havenctl_fail (HAVENCTL_EXIT_USAGE, _("“%s” takes no arguments: the PIN is asked for\n"),
                          argv[0]);

  settings = havenctl_open_settings ();
  if (settings == NULL)
    return HAVENCTL_EXIT_FAILED;

  pin = read_new_pin (from_stdin, &error);
  if (pin != NULL)
    hash = haven_operator_pin_hash (pin, &error);
  haven_wipe_string (pin);
  if (hash == NULL)
    return havenctl_fail_with_error (HAVENCTL_EXIT_FAILED, error);

  status = store_hash (settings, hash);
  if (status == HAVENCTL_EXIT_OK)
    g_print (_("The operator PIN is set. At the kiosk, press Ctrl+Alt+O or hold the top corner of the welcome page.\n"));
  return status;
}

int
havenctl_pin_clear (const Command  *command,
                    int             argc,
                    char          **argv)
{
  g_autoptr(GSettings) settings = NULL;
  int status;

  if (!havenctl_parse_options (&argc, &argv, NULL,
                               _("Clear the operator PIN, so the operator screen cannot be opened"), NULL))
    return HAVENCTL_EXIT_USAGE;
  if (argc > 1)
    return havenctl_fail (HAVENCTL_EXIT_USAGE, _("“%s” takes no arguments\n"), argv[0]);

  settings = havenctl_open_settings ();
  if (settings == NULL)
    return HAVENCTL_EXIT_FAILED;

  status = store_hash (settings, "");
  if (status == HAVENCTL_EXIT_OK)
    g_print (_("The operator PIN is cleared: the operator screen cannot be opened from the kiosk.\n"));
  return status;
}
