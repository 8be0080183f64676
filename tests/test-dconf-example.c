/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-dconf-example"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

/* data/dconf/ is the example an administrator copies to set up and lock a
 * fleet. dconf forgives nothing loudly: a key the schema does not have, a
 * number written without its type, a value out of range or a lock line
 * without its leading slash are all ignored without a word, and the kiosk
 * then runs with the schema's default, or unlocked. This test reads the
 * files the way dconf does and checks each against the compiled schema. */

/* dconf reads a profile with fgets() into 80 bytes: a longer line is read
 * as two, and the second half is taken for a database. */
#define DCONF_PROFILE_LINE_MAX 79

/* Keys that decide where a visitor's words go, whom the kiosk trusts, and
 * who can leave kiosk mode: an example that left them writable would teach
 * a fleet to ship an open kiosk. */
static const char *must_be_locked[] = {
  "/io/github/havenkiosk/Haven/backend-url",
  "/io/github/havenkiosk/Haven/ca-file",
  "/io/github/havenkiosk/Haven/pinned-keys",
  "/io/github/havenkiosk/Haven/token-file",
  "/io/github/havenkiosk/Haven/allow-insecure-loopback",
  /* Whether what visitors write may be kept unsealed. */
  "/io/github/havenkiosk/Haven/backend-public-key",
  "/io/github/havenkiosk/Haven/allow-unsealed-outbox",
  "/io/github/havenkiosk/Haven/kiosk-mode",
  "/io/github/havenkiosk/Haven/operator-pin-hash",
  /* GTK's Inspector can change any widget of the kiosk. */
  "/org/gtk/gtk4/settings/debug/enable-inspector-keybinding",
};

/* Besides Haven's own, the example sets GTK's debugging settings. */
#define GTK_DEBUG_SCHEMA "org.gtk.gtk4.Settings.Debug"

static char *
example_path (const char *first_element,
              ...)
{
  g_autoptr(GPtrArray) elements = g_ptr_array_new ();
  const char *element;
  va_list args;

  g_ptr_array_add (elements, (gpointer) g_test_get_dir (G_TEST_DIST));
  g_ptr_array_add (elements, (gpointer) "..");
  g_ptr_array_add (elements, (gpointer) "data");
  g_ptr_array_add (elements, (gpointer) "dconf");

  va_start (args, first_element);
  for (element = first_element; element != NULL; element = va_arg (args, const char *))
    g_ptr_array_add (elements, (gpointer) element);
  va_end (args);
  g_ptr_array_add (elements, NULL);

  return g_build_filenamev ((char **) elements->pdata);
}

static GSettingsSchema *
load_schema (void)
{
  const char *schema_dir = g_getenv ("GSETTINGS_SCHEMA_DIR");
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GError) error = NULL;
  GSettingsSchema *schema;

  g_assert_nonnull (schema_dir);
  source = g_settings_schema_source_new_from_directory (schema_dir, NULL, TRUE, &error);
  g_assert_no_error (error);

  schema = g_settings_schema_source_lookup (source, APP_ID, FALSE);
  g_assert_nonnull (schema);
  return schema;
}

/* GTK's, as installed (libgtk-4-common). */
static GSettingsSchema *
load_gtk_debug_schema (void)
{
  GSettingsSchema *schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (),
                                                             GTK_DEBUG_SCHEMA, TRUE);

  g_assert_nonnull (schema);
  return schema;
}

/* The schema whose path is @path (a dconf folder, with its slashes), of
 * the two the example may set. */
static GSettingsSchema *
schema_at (GSettingsSchema *haven,
           GSettingsSchema *gtk_debug,
           const char      *path)
{
  if (g_str_equal (path, g_settings_schema_get_path (haven)))
    return haven;
  if (g_str_equal (path, g_settings_schema_get_path (gtk_debug)))
    return gtk_debug;
  return NULL;
}

/* The keyfile group for the schema's path: dconf writes /a/b/ as [a/b]. */
static char *
schema_group (GSettingsSchema *schema)
{
  const char *path = g_settings_schema_get_path (schema);

  g_assert_true (g_str_has_prefix (path, "/") && g_str_has_suffix (path, "/"));
  return g_strndup (path + 1, strlen (path) - 2);
}

static GStrv
read_lines (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return g_strsplit (contents, "\n", -1);
}

static GStrv
read_locks (void)
{
  g_autofree char *path = example_path ("db", "haven.d", "locks", "haven", NULL);
  g_auto(GStrv) lines = read_lines (path);
  g_autoptr(GStrvBuilder) locks = g_strv_builder_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);

      if (line[0] == '\0' || line[0] == '#')
        continue;

      if (line[0] != '/')
        g_error ("locks/haven, line %u: '%s' does not start with a slash, and dconf "
                 "would ignore it", i + 1, line);

      g_strv_builder_add (locks, line);
    }

  return g_strv_builder_end (locks);
}

static void
test_profile (void)
{
  g_autofree char *path = example_path ("profile", "haven", NULL);
  g_autofree char *db_folder = example_path ("db", "haven.d", NULL);
  g_auto(GStrv) lines = read_lines (path);
  g_autoptr(GPtrArray) sources = g_ptr_array_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];

      if (strlen (line) > DCONF_PROFILE_LINE_MAX)
        g_error ("profile/haven, line %u: %zu bytes, and dconf reads at most %d a line",
                 i + 1, strlen (line), DCONF_PROFILE_LINE_MAX);

      line[strcspn (line, "#")] = '\0';
      g_strstrip (line);
      if (line[0] != '\0')
        g_ptr_array_add (sources, line);
    }

  /* The kiosk user's database first, so that the profile is writable at
   * all, then the fleet's, whose folder is db/<name>.d. */
  g_assert_cmpuint (sources->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (sources, 0), ==, "user-db:user");
  g_assert_cmpstr (g_ptr_array_index (sources, 1), ==, "system-db:haven");
  g_assert_true (g_file_test (db_folder, G_FILE_TEST_IS_DIR));
}

/* Every value of one group, read as dconf update reads it. */
static void
check_group (GKeyFile        *keyfile,
             const char      *group,
             GSettingsSchema *schema)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) keys = g_key_file_get_keys (keyfile, group, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (keys), >, 0);

  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GSettingsSchemaKey) key = NULL;
      g_autoptr(GVariant) value = NULL;
      g_autofree char *text = NULL;
      g_autofree char *type = NULL;

      g_test_message ("[%s] %s", group, keys[i]);

      if (!g_settings_schema_has_key (schema, keys[i]))
        g_error ("00-haven: %s is not a key of %s", keys[i], g_settings_schema_get_id (schema));
      key = g_settings_schema_get_key (schema, keys[i]);
      type = g_variant_type_dup_string (g_settings_schema_key_get_value_type (key));

      text = g_key_file_get_value (keyfile, group, keys[i], &error);
      g_assert_no_error (error);

      /* As dconf update does: without the key's type. */
      value = g_variant_parse (NULL, text, NULL, NULL, &error);
      if (value == NULL)
        g_error ("00-haven: %s=%s does not parse: %s", keys[i], text, error->message);

      if (!g_str_equal (g_variant_get_type_string (value), type))
        g_error ("00-haven: %s=%s is read as %s, and the key is %s: write its type, "
                 "for example \"uint32 120\"", keys[i], text, g_variant_get_type_string (value),
                 type);

      if (!g_settings_schema_key_range_check (key, value))
        g_error ("00-haven: %s=%s is out of the key's range", keys[i], text);
    }
}

static void
test_defaults (void)
{
  g_autoptr(GSettingsSchema) schema = load_schema ();
  g_autoptr(GSettingsSchema) gtk_debug = load_gtk_debug_schema ();
  g_autofree char *group = schema_group (schema);
  g_autofree char *gtk_debug_group = schema_group (gtk_debug);
  g_autofree char *path = example_path ("db", "haven.d", "00-haven", NULL);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) groups = NULL;

  g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *folder = g_strdup_printf ("/%s/", groups[i]);
      GSettingsSchema *group_schema = schema_at (schema, gtk_debug, folder);

      if (group_schema == NULL)
        g_error ("00-haven: [%s] is neither %s nor %s", groups[i], APP_ID, GTK_DEBUG_SCHEMA);
      check_group (keyfile, groups[i], group_schema);
    }

  /* The example is a kiosk. */
  g_assert_true (g_key_file_has_key (keyfile, group, "kiosk-mode", NULL));
  g_assert_true (g_key_file_get_boolean (keyfile, group, "kiosk-mode", &error));
  g_assert_no_error (error);

  /* What visitors write is sealed, or refused: never kept unsealed. */
  g_assert_true (g_key_file_has_key (keyfile, group, "allow-unsealed-outbox", NULL));
  g_assert_false (g_key_file_get_boolean (keyfile, group, "allow-unsealed-outbox", &error));
  g_assert_no_error (error);

  /* GTK's Inspector cannot be opened with a key. */
  g_assert_false (g_key_file_get_boolean (keyfile, gtk_debug_group, "enable-inspector-keybinding",
                                          &error));
  g_assert_no_error (error);
}

static void
test_locks (void)
{
  g_autoptr(GSettingsSchema) schema = load_schema ();
  g_autoptr(GSettingsSchema) gtk_debug = load_gtk_debug_schema ();
  g_auto(GStrv) locks = read_locks ();
  g_autoptr(GHashTable) locked = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (g_strv_length (locks), >, 0);

  for (guint i = 0; locks[i] != NULL; i++)
    {
      const char *name = strrchr (locks[i], '/') + 1;
      g_autofree char *folder = g_strndup (locks[i], name - locks[i]);
      GSettingsSchema *lock_schema = schema_at (schema, gtk_debug, folder);

      g_test_message ("%s", locks[i]);

      if (lock_schema == NULL || !g_settings_schema_has_key (lock_schema, name))
        g_error ("locks/haven: %s is not a key of %s or %s", locks[i], APP_ID, GTK_DEBUG_SCHEMA);
      if (!g_hash_table_add (locked, locks[i]))
        g_error ("locks/haven: %s is listed twice", locks[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (must_be_locked); i++)
    if (!g_hash_table_contains (locked, must_be_locked[i]))
      g_error ("locks/haven does not lock %s", must_be_locked[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/dconf-example/profile", test_profile);
  g_test_add_func ("/haven/dconf-example/defaults", test_defaults);
  g_test_add_func ("/haven/dconf-example/locks", test_locks);

  return g_test_run ();
}
