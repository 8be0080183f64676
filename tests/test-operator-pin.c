/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "haven-operator-pin.h"
#include <string.h>

#include "test-files.h"
#include "test-wait.h"

/* The operator's PIN: hashed, checked in a thread, locked for five minutes
 * after five wrong tries; havenctl pin set stores only the hash. */

static gint64 fake_now;

static gint64
fake_clock (void)
{
  return fake_now;
}

static void
test_hash_and_match (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = haven_operator_pin_hash ("246813", &error);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (hash, "$argon2id$"));
  g_assert_null (strstr (hash, "246813"));
  g_assert_true (haven_operator_pin_matches (hash, "246813"));
  g_assert_false (haven_operator_pin_matches (hash, "246814"));
  g_assert_false (haven_operator_pin_matches ("", "246813"));

  g_assert_null (haven_operator_pin_hash ("123", &error));
  g_assert_error (error, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_INVALID);
  g_clear_error (&error);
}

/* Six digits at least, and digits only. */
static void
test_pin_rules (void)
{
  const char *refused[] = { "", "2468", "12345", "abcdef", "12345a", "１２３４５６", "123 456" };
  const char *accepted[] = { "123456", "0000000000", "975310" };

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (haven_operator_pin_is_valid (refused[i], &error));
      g_assert_error (error, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_INVALID);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
    g_assert_true (haven_operator_pin_is_valid (accepted[i], NULL));
}

static gboolean
check (HavenPinGuard  *guard,
       const char     *hash,
       const char     *pin,
       GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  haven_pin_guard_check_async (guard, hash, pin, NULL, store_result_cb, &result);

  return haven_pin_guard_check_finish (guard, wait_for_result (&result), error);
}

static void
test_lockout (void)
{
  g_autoptr(HavenPinGuard) guard = haven_pin_guard_new (NULL);
  g_autofree char *hash = haven_operator_pin_hash ("246813", NULL);
  g_autoptr(GError) error = NULL;

  fake_now = G_USEC_PER_SEC;
  haven_pin_guard_set_clock (guard, fake_clock);

  g_assert_false (check (guard, "", "246813", &error));
  g_assert_error (error, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_NOT_SET);
  g_clear_error (&error);

  /* A right PIN clears the count of wrong ones. */
  g_assert_false (check (guard, hash, "0000", &error));
  g_clear_error (&error);
  g_assert_cmpuint (haven_pin_guard_get_tries_left (guard), ==, 4);
  g_assert_true (check (guard, hash, "246813", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (haven_pin_guard_get_tries_left (guard), ==, 5);

  for (int i = 0; i < 4; i++)
    {
      g_assert_false (check (guard, hash, "1111", &error));
      g_assert_error (error, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_WRONG);
      g_clear_error (&error);
    }
  g_assert_false (check (guard, hash, "1111", &error));
  g_assert_error (error, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_cmpuint (haven_pin_guard_get_seconds_locked (guard), ==, 300);

  /* Locked: even the right PIN is refused, without being checked. */
  fake_now += 299 * G_USEC_PER_SEC;
  g_assert_false (check (guard, hash, "246813", &error));
  g_assert_error (error, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_LOCKED);
  g_clear_error (&error);

  fake_now += 2 * G_USEC_PER_SEC;
  g_assert_cmpuint (haven_pin_guard_get_seconds_locked (guard), ==, 0);
  g_assert_true (check (guard, hash, "246813", &error));
  g_assert_no_error (error);
}

/* The count and the lock outlive the guard: a restarted kiosk (a new
 * guard on the same settings) is still locked, and no longer than the
 * lock was given for, whatever the setting says. */
static void
test_lockout_survives_restart (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *hash = haven_operator_pin_hash ("246813", NULL);
  g_autoptr(GError) error = NULL;

  fake_now = 1000 * G_USEC_PER_SEC;
  {
    g_autoptr(HavenPinGuard) guard = haven_pin_guard_new (settings);

    haven_pin_guard_set_clock (guard, fake_clock);
    g_assert_false (check (guard, hash, "111111", &error));
    g_clear_error (&error);
  }
  {
    g_autoptr(HavenPinGuard) guard = haven_pin_guard_new (settings);

    haven_pin_guard_set_clock (guard, fake_clock);
    g_assert_cmpuint (haven_pin_guard_get_tries_left (guard), ==, 4);
    for (int i = 0; i < 4; i++)
      {
        g_assert_false (check (guard, hash, "111111", &error));
        g_clear_error (&error);
      }
    g_assert_cmpuint (haven_pin_guard_get_seconds_locked (guard), ==, 300);
  }
  {
    g_autoptr(HavenPinGuard) guard = haven_pin_guard_new (settings);

    haven_pin_guard_set_clock (guard, fake_clock);
    g_assert_cmpuint (haven_pin_guard_get_seconds_locked (guard), ==, 300);
    g_assert_false (check (guard, hash, "246813", &error));
    g_assert_error (error, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_LOCKED);
    g_clear_error (&error);
  }

  /* A lock written far into the future lasts five minutes at most. */
  g_settings_set (settings, "operator-pin-lockout", "(ux)", 0,
                  fake_now + (gint64) 86400 * G_USEC_PER_SEC);
  {
    g_autoptr(HavenPinGuard) guard = haven_pin_guard_new (settings);

    haven_pin_guard_set_clock (guard, fake_clock);
    g_assert_cmpuint (haven_pin_guard_get_seconds_locked (guard), ==, 300);
  }
  g_settings_reset (settings, "operator-pin-lockout");
}

/* havenctl pin set --stdin writes the hash, never the PIN, into the
 * settings. */
static void
test_havenctl_pin_set (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("haven-pin-XXXXXX", &error);
  g_autofree char *havenctl = g_test_build_filename (G_TEST_BUILT, "..", "app", "ctl", "havenctl", NULL);
  g_autofree char *keyfile_path = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GSubprocess) process = NULL;

  g_assert_no_error (error);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", folder, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, havenctl, "pin", "set", "--stdin", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, "975310\n", NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));

  keyfile_path = g_build_filename (folder, "glib-2.0", "settings", "keyfile", NULL);
  g_assert_false (file_contains (keyfile_path, "975310"));
  g_assert_true (g_key_file_load_from_file (keyfile, keyfile_path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  hash = g_key_file_get_string (keyfile, "io/github/havenkiosk/Haven", "operator-pin-hash", &error);
  g_assert_no_error (error);
  /* A GVariant string in the keyfile: 'hash'. */
  g_assert_true (g_str_has_prefix (hash, "'$argon2id$"));
  hash[strlen (hash) - 1] = '\0';
  g_assert_true (haven_operator_pin_matches (hash + 1, "975310"));

  remove_tree (folder);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/operator-pin/hash-and-match", test_hash_and_match);
  g_test_add_func ("/haven/operator-pin/pin-rules", test_pin_rules);
  g_test_add_func ("/haven/operator-pin/lockout", test_lockout);
  g_test_add_func ("/haven/operator-pin/lockout-survives-restart", test_lockout_survives_restart);
  g_test_add_func ("/haven/operator-pin/havenctl-pin-set", test_havenctl_pin_set);

  return g_test_run ();
}
