/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "haven-desk-key-cli.h"
#include "haven-key-vault.h"
#include "haven-wipe.h"

/* The key file is made as the first-run page makes it, at the path the
 * settings name. The passphrase comes on standard input, never on the
 * command line, where other users could read it in the process list. */

typedef struct {
  GMainLoop *loop;
  gboolean created;
  GError *error;
} CreateData;

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  CreateData *data = user_data;

  data->created = haven_key_vault_create_finish (HAVEN_KEY_VAULT (source), result, &data->error);
  g_main_loop_quit (data->loop);
}

static char *
read_line (FILE *stream)
{
  char buffer[1024];
  char *line;

  if (fgets (buffer, sizeof buffer, stream) == NULL)
    return NULL;
  buffer[strcspn (buffer, "\r\n")] = '\0';
  line = g_strdup (buffer);
  explicit_bzero (buffer, sizeof buffer);
  return line;
}

int
haven_desk_key_cli_run (int    argc,
                        char **argv)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HavenKeyVault) vault = NULL;
  g_autofree char *path = NULL;
  g_autofree char *public_key = NULL;
  char *passphrase = NULL;
  char *secret_key = NULL;
  CreateData data = { NULL, FALSE, NULL };

  if (argc < 2 || g_strcmp0 (argv[1], "--create-key-file") != 0)
    return -1;

  if (argc == 4 && g_str_equal (argv[2], "--import-secret-key"))
    {
      g_autoptr(GError) error = NULL;
      gsize length = 0;

      if (!g_file_get_contents (argv[3], &secret_key, &length, &error))
        {
          g_printerr (_("The secret key cannot be read: %s\n"), error->message);
          return 1;
        }
      g_strstrip (secret_key);
    }
  else if (argc != 2)
    {
      g_printerr (_("Usage: haven-desk --create-key-file [--import-secret-key FILE]\n"
                    "Reads the passphrase from standard input.\n"));
      return 2;
    }

  settings = g_settings_new (DESK_APP_ID);
  path = g_settings_get_string (settings, "key-file");
  if (path[0] == '\0')
    {
      g_free (path);
      path = g_build_filename (g_get_user_data_dir (), "haven-desk", "organisation.key", NULL);
    }

  passphrase = read_line (stdin);
  if (passphrase == NULL)
    {
      g_printerr (_("Give the passphrase on standard input.\n"));
      haven_wipe_string (secret_key);
      return 2;
    }

  vault = haven_key_vault_new (path);
  data.loop = g_main_loop_new (NULL, FALSE);
  haven_key_vault_create_async (vault, passphrase, secret_key, NULL, created_cb, &data);
  g_main_loop_run (data.loop);
  g_main_loop_unref (data.loop);
  haven_wipe_string (passphrase);
  haven_wipe_string (secret_key);

  if (!data.created)
    {
      g_printerr ("%s\n", data.error->message);
      g_error_free (data.error);
      return 1;
    }

  public_key = haven_key_vault_dup_public_key (vault);
  haven_key_vault_lock (vault);
  /* Alone on standard output, for the kiosks' backend-public-key. */
  g_print ("%s\n", public_key);
  return 0;
}
