/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-key-vault"
/* memmem(). */
#define _GNU_SOURCE

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "haven-key-vault.h"
#include "test-files.h"
#include "test-wait.h"

/* The organisation's key on a caseworker's desk: the file
 * (data/api/haven-desk-key-file.md), the passphrase, the token beside the
 * key, and what a damaged or planted file does. Argon2id at its lowest
 * cost, so that the tests take milliseconds. */

#define PASSPHRASE "correct horse battery staple"
/* RFC 7748, section 6.1: Alice's key pair. */
#define KNOWN_SECRET "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
#define KNOWN_PUBLIC "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
#define TOKEN "VXx5uUeGcL6AUyl8utgO-H9EmvYMWBy7U0FH82wTNsc"
#define FILE_BYTES 694
#define OFFSET_MEMLIMIT 20
#define OFFSET_CHECK 662

typedef struct {
  char *folder;
  char *path;
  HavenKeyVault *vault;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_dir_make_tmp ("haven-key-vault-XXXXXX", &error);

  g_assert_no_error (error);
  /* A folder the vault makes itself, so its mode can be checked. */
  fixture->folder = g_build_filename (base, "desk", NULL);
  fixture->path = g_build_filename (fixture->folder, "organisation.key", NULL);
  fixture->vault = haven_key_vault_new (fixture->path);
  haven_key_vault_set_cost (fixture->vault, crypto_pwhash_argon2id_OPSLIMIT_MIN,
                            crypto_pwhash_argon2id_MEMLIMIT_MIN);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *base = g_path_get_dirname (fixture->folder);

  g_assert_finalize_object (fixture->vault);
  remove_tree (base);
  g_free (fixture->folder);
  g_free (fixture->path);
}

static gboolean
create (HavenKeyVault  *vault,
        const char     *passphrase,
        const char     *secret,
        GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  haven_key_vault_create_async (vault, passphrase, secret, NULL, store_result_cb, &result);
  return haven_key_vault_create_finish (vault, wait_for_result (&result), error);
}

static gboolean
unlock (HavenKeyVault  *vault,
        const char     *passphrase,
        GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  haven_key_vault_unlock_async (vault, passphrase, NULL, store_result_cb, &result);
  return haven_key_vault_unlock_finish (vault, wait_for_result (&result), error);
}

static gboolean
set_token (HavenKeyVault  *vault,
           const char     *token,
           GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  haven_key_vault_set_token_async (vault, token, NULL, store_result_cb, &result);
  return haven_key_vault_set_token_finish (vault, wait_for_result (&result), error);
}

static void
notify_count_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_create_new (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *public_key = NULL;
  g_autofree char *secret_key = NULL;
  guint8 secret[32];
  guint8 derived[32];
  g_autofree char *derived_base64 = NULL;
  GStatBuf file_stat;
  GStatBuf folder_stat;
  guint notified = 0;

  g_assert_false (haven_key_vault_exists (fixture->vault));
  g_assert_null (haven_key_vault_dup_public_key (fixture->vault));
  g_signal_connect (fixture->vault, "notify::unlocked", G_CALLBACK (notify_count_cb), &notified);

  g_assert_true (create (fixture->vault, PASSPHRASE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (haven_key_vault_exists (fixture->vault));
  g_assert_true (haven_key_vault_is_unlocked (fixture->vault));
  g_assert_cmpuint (notified, ==, 1);

  g_assert_cmpint (g_stat (fixture->path, &file_stat), ==, 0);
  g_assert_cmpint (file_stat.st_mode & 07777, ==, 0600);
  g_assert_cmpint (file_stat.st_size, ==, FILE_BYTES);
  g_assert_cmpint (g_stat (fixture->folder, &folder_stat), ==, 0);
  g_assert_cmpint (folder_stat.st_mode & 07777, ==, 0700);

  /* The public key shown is the one the secret key gives. */
  public_key = haven_key_vault_dup_public_key (fixture->vault);
  secret_key = haven_key_vault_dup_secret_key (fixture->vault, &error);
  g_assert_no_error (error);
  g_assert_true (haven_sealed_box_decode_key (secret_key, secret, NULL));
  crypto_scalarmult_base (derived, secret);
  derived_base64 = haven_sealed_box_encode_key (derived);
  g_assert_cmpstr (public_key, ==, derived_base64);
  g_assert_null (haven_key_vault_get_token (fixture->vault));

  /* No temporary file is left beside it. */
  {
    g_autoptr(GDir) dir = g_dir_open (fixture->folder, 0, NULL);
    guint n = 0;

    while (g_dir_read_name (dir) != NULL)
      n++;
    g_assert_cmpuint (n, ==, 1);
  }
}

static void
test_lock_unlock (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plain = g_bytes_new_static ("a caseworker's note", 19);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autofree char *public_key = NULL;
  g_autofree char *locked_public_key = NULL;
  guint8 public_raw[32];
  guint notified = 0;

  g_assert_true (create (fixture->vault, PASSPHRASE, NULL, &error));
  public_key = haven_key_vault_dup_public_key (fixture->vault);
  g_signal_connect (fixture->vault, "notify::unlocked", G_CALLBACK (notify_count_cb), &notified);

  haven_key_vault_lock (fixture->vault);
  g_assert_false (haven_key_vault_is_unlocked (fixture->vault));
  g_assert_cmpuint (notified, ==, 1);
  haven_key_vault_lock (fixture->vault);
  g_assert_cmpuint (notified, ==, 1);

  /* Locked: the public key is still shown, from the file; nothing opens. */
  locked_public_key = haven_key_vault_dup_public_key (fixture->vault);
  g_assert_cmpstr (locked_public_key, ==, public_key);
  g_assert_true (haven_sealed_box_decode_key (public_key, public_raw, NULL));
  sealed = haven_sealed_box_seal (public_raw, plain, &error);
  g_assert_no_error (error);
  g_assert_null (haven_key_vault_open (fixture->vault, sealed, &error));
  g_assert_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_null (haven_key_vault_dup_secret_key (fixture->vault, &error));
  g_assert_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_null (haven_key_vault_seal (fixture->vault, plain, &error));
  g_assert_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_LOCKED);
  g_clear_error (&error);

  g_assert_false (unlock (fixture->vault, "not the passphrase at all", &error));
  g_assert_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_WRONG_PASSPHRASE);
  g_assert_cmpstr (error->message, ==, "The passphrase is not right.");
  g_clear_error (&error);
  g_assert_false (haven_key_vault_is_unlocked (fixture->vault));
  g_assert_cmpuint (notified, ==, 1);

  g_assert_true (unlock (fixture->vault, PASSPHRASE, &error));
  g_assert_no_error (error);
  g_assert_true (haven_key_vault_is_unlocked (fixture->vault));
  g_assert_cmpuint (notified, ==, 2);
  opened = haven_key_vault_open (fixture->vault, sealed, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (opened, plain));
}

/* The passphrase is hashed in a thread: nothing changes until the main
 * loop runs; and a lock meanwhile wins over the unlock. */
static void
test_lock_while_unlocking (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_true (create (fixture->vault, PASSPHRASE, NULL, &error));
  haven_key_vault_lock (fixture->vault);

  haven_key_vault_unlock_async (fixture->vault, PASSPHRASE, NULL, store_result_cb, &result);
  g_assert_false (haven_key_vault_is_unlocked (fixture->vault));
  haven_key_vault_lock (fixture->vault);
  g_assert_false (haven_key_vault_unlock_finish (fixture->vault, wait_for_result (&result), &error));
  g_assert_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_LOCKED);
  g_assert_false (haven_key_vault_is_unlocked (fixture->vault));
  g_assert_null (haven_key_vault_get_token (fixture->vault));
  g_clear_error (&error);

  g_assert_true (unlock (fixture->vault, PASSPHRASE, &error));
  g_assert_no_error (error);
}

static void
test_fresh_vault_unlocks (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenKeyVault) other = NULL;
  g_autoptr(GBytes) plain = g_bytes_new_static ("note", 4);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) opened = NULL;

  g_assert_true (create (fixture->vault, PASSPHRASE, NULL, &error));
  sealed = haven_key_vault_seal (fixture->vault, plain, &error);
  g_assert_no_error (error);

  /* Another start of the desk: a new vault on the same file. */
  other = haven_key_vault_new (fixture->path);
  g_assert_false (haven_key_vault_is_unlocked (other));
  g_assert_true (unlock (other, PASSPHRASE, &error));
  g_assert_no_error (error);
  opened = haven_key_vault_open (other, sealed, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (opened, plain));
}

static void
test_import (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *public_key = NULL;
  g_autofree char *secret_key = NULL;
  const char *invalid[] = {
    "not base64 at all!",
    "AAAA",
    /* 33 bytes. */
    "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCoA",
    "",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_assert_false (create (fixture->vault, PASSPHRASE, invalid[i], &error));
      g_assert_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_INVALID_KEY);
      g_clear_error (&error);
      g_assert_false (haven_key_vault_exists (fixture->vault));
    }

  g_assert_true (create (fixture->vault, PASSPHRASE, " " KNOWN_SECRET "\n", &error));
  g_assert_no_error (error);
  public_key = haven_key_vault_dup_public_key (fixture->vault);
  g_assert_cmpstr (public_key, ==, KNOWN_PUBLIC);
  secret_key = haven_key_vault_dup_secret_key (fixture->vault, &error);
  g_assert_cmpstr (secret_key, ==, KNOWN_SECRET);

  haven_key_vault_lock (fixture->vault);
  g_clear_pointer (&public_key, g_free);
  public_key = haven_key_vault_dup_public_key (fixture->vault);
  g_assert_cmpstr (public_key, ==, KNOWN_PUBLIC);
}

static void
test_weak_passphrase (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  /* 11 characters, of 22 bytes: characters count, not bytes. */
  g_assert_false (create (fixture->vault, "ééééééééééé", NULL, &error));
  g_assert_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_WEAK_PASSPHRASE);
  g_assert_nonnull (strstr (error->message, "12"));
  g_clear_error (&error);
  g_assert_false (create (fixture->vault, "", NULL, &error));
  g_assert_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_WEAK_PASSPHRASE);
  g_clear_error (&error);
  g_assert_false (haven_key_vault_exists (fixture->vault));
  g_assert_false (haven_key_vault_is_unlocked (fixture->vault));

  g_assert_true (create (fixture->vault, "éééééééééééé", NULL, &error));
  g_assert_no_error (error);
}

static void
test_never_overwrites (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenKeyVault) other = haven_key_vault_new (fixture->path);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_length;
  gsize after_length;

  g_assert_true (create (fixture->vault, PASSPHRASE, NULL, &error));
  g_assert_true (g_file_get_contents (fixture->path, &before, &before_length, NULL));

  haven_key_vault_set_cost (other, crypto_pwhash_argon2id_OPSLIMIT_MIN,
                            crypto_pwhash_argon2id_MEMLIMIT_MIN);
  g_assert_false (create (other, "another passphrase entirely", KNOWN_SECRET, &error));
  g_assert_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (haven_key_vault_is_unlocked (other));

  g_assert_true (g_file_get_contents (fixture->path, &after, &after_length, NULL));
  g_assert_cmpmem (before, before_length, after, after_length);
}

/* Writes @data as the key file and checks that unlocking refuses it as
 * not a key file, with the right passphrase; and that no public key is
 * shown from it, unless only the secret key could tell. */
static void
check_refused (Fixture      *fixture,
               const guint8 *data,
               gsize         length,
               gboolean      header_passes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenKeyVault) other = haven_key_vault_new (fixture->path);

  g_assert_true (g_file_set_contents (fixture->path, (const char *) data, (gssize) length, NULL));
  g_assert_false (unlock (other, PASSPHRASE, &error));
  g_assert_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_NOT_A_KEY_FILE);
  g_assert_false (haven_key_vault_is_unlocked (other));
  if (!header_passes)
    g_assert_null (haven_key_vault_dup_public_key (other));
}

static void
assert_not_a_key_file (Fixture      *fixture,
                       const guint8 *data,
                       gsize         length)
{
  check_refused (fixture, data, length, FALSE);
}

static void
put_le64 (guint8  *out,
          guint64  value)
{
  for (guint i = 0; i < 8; i++)
    out[i] = (guint8) (value >> (8 * i));
}

static void
test_damaged_files (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *good = NULL;
  gsize length = 0;
  guint8 copy[FILE_BYTES + 1];
  guint8 garbage[FILE_BYTES];
  const gsize cuts[] = { 0, 1, 8, 100, FILE_BYTES - 1 };
  const guint64 memlimits[] = {
    G_GUINT64_CONSTANT (5) * 1024 * 1024 * 1024,
    G_MAXUINT64,
    1024,
  };

  g_assert_true (create (fixture->vault, PASSPHRASE, NULL, &error));
  g_assert_true (g_file_get_contents (fixture->path, (char **) &good, &length, NULL));
  g_assert_cmpuint (length, ==, FILE_BYTES);

  for (gsize i = 0; i < G_N_ELEMENTS (cuts); i++)
    assert_not_a_key_file (fixture, good, cuts[i]);

  /* One more byte. */
  memcpy (copy, good, FILE_BYTES);
  copy[FILE_BYTES] = 0;
  assert_not_a_key_file (fixture, copy, FILE_BYTES + 1);

  /* A flipped bit anywhere: header, public key, box or check. */
  for (gsize offset = 0; offset < FILE_BYTES; offset += 37)
    {
      memcpy (copy, good, FILE_BYTES);
      copy[offset] ^= 0x10;
      assert_not_a_key_file (fixture, copy, FILE_BYTES);
    }

  randombytes_buf (garbage, sizeof garbage);
  assert_not_a_key_file (fixture, garbage, sizeof garbage);

  /* A cost no desk should obey, with a check that matches, as someone
   * who plants a file would make it. */
  for (gsize i = 0; i < G_N_ELEMENTS (memlimits); i++)
    {
      memcpy (copy, good, FILE_BYTES);
      put_le64 (copy + OFFSET_MEMLIMIT, memlimits[i]);
      crypto_generichash (copy + OFFSET_CHECK, 32, copy, OFFSET_CHECK, NULL, 0);
      assert_not_a_key_file (fixture, copy, FILE_BYTES);
    }
  memcpy (copy, good, FILE_BYTES);
  put_le64 (copy + OFFSET_MEMLIMIT - 8, G_MAXUINT32);
  crypto_generichash (copy + OFFSET_CHECK, 32, copy, OFFSET_CHECK, NULL, 0);
  assert_not_a_key_file (fixture, copy, FILE_BYTES);

  /* A public key that the secret key does not give, check recomputed:
   * notes would be sealed to someone else. */
  memcpy (copy, good, FILE_BYTES);
  copy[44] ^= 0x01;
  crypto_generichash (copy + OFFSET_CHECK, 32, copy, OFFSET_CHECK, NULL, 0);
  check_refused (fixture, copy, FILE_BYTES, TRUE);

  /* And the good file still opens. */
  {
    g_autoptr(HavenKeyVault) other = haven_key_vault_new (fixture->path);

    g_assert_true (g_file_set_contents (fixture->path, (const char *) good, FILE_BYTES, NULL));
    g_assert_true (unlock (other, PASSPHRASE, &error));
    g_assert_no_error (error);
  }
}

static void
test_missing_file (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (unlock (fixture->vault, PASSPHRASE, &error));
  g_assert_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_FILE);
}

static void
test_token (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *long_token = g_strnfill (513, 'a');
  g_autofree char *longest_token = g_strnfill (512, 'b');
  g_autoptr(HavenKeyVault) other = NULL;
  GStatBuf file_stat;

  g_assert_true (create (fixture->vault, PASSPHRASE, NULL, &error));
  g_assert_true (set_token (fixture->vault, TOKEN, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (haven_key_vault_get_token (fixture->vault), ==, TOKEN);
  g_assert_cmpint (g_stat (fixture->path, &file_stat), ==, 0);
  g_assert_cmpint (file_stat.st_mode & 07777, ==, 0600);
  g_assert_cmpint (file_stat.st_size, ==, FILE_BYTES);

  haven_key_vault_lock (fixture->vault);
  g_assert_null (haven_key_vault_get_token (fixture->vault));
  g_assert_false (set_token (fixture->vault, "another", &error));
  g_assert_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_LOCKED);
  g_clear_error (&error);

  g_assert_true (unlock (fixture->vault, PASSPHRASE, &error));
  g_assert_cmpstr (haven_key_vault_get_token (fixture->vault), ==, TOKEN);

  g_assert_false (set_token (fixture->vault, long_token, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpstr (haven_key_vault_get_token (fixture->vault), ==, TOKEN);

  g_assert_true (set_token (fixture->vault, longest_token, &error));
  g_assert_no_error (error);
  other = haven_key_vault_new (fixture->path);
  g_assert_true (unlock (other, PASSPHRASE, &error));
  g_assert_cmpstr (haven_key_vault_get_token (other), ==, longest_token);

  /* Forgotten, and gone after the next unlock too. */
  g_assert_true (set_token (fixture->vault, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (haven_key_vault_get_token (fixture->vault));
  haven_key_vault_lock (fixture->vault);
  g_assert_true (unlock (fixture->vault, PASSPHRASE, &error));
  g_assert_null (haven_key_vault_get_token (fixture->vault));
}

static gboolean
contains (const guint8 *haystack,
          gsize         haystack_length,
          const void   *needle,
          gsize         needle_length)
{
  return memmem (haystack, haystack_length, needle, needle_length) != NULL;
}

static void
test_file_holds_no_secret (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  gsize length = 0;
  guint8 secret[32];
  g_autofree char *secret_base64 = NULL;

  g_assert_true (create (fixture->vault, PASSPHRASE, KNOWN_SECRET, &error));
  g_assert_true (set_token (fixture->vault, TOKEN, &error));
  g_assert_no_error (error);
  secret_base64 = haven_key_vault_dup_secret_key (fixture->vault, &error);
  g_assert_true (haven_sealed_box_decode_key (secret_base64, secret, NULL));

  g_assert_true (g_file_get_contents (fixture->path, (char **) &data, &length, NULL));
  g_assert_false (contains (data, length, secret, sizeof secret));
  g_assert_false (contains (data, length, secret, 8));
  g_assert_false (contains (data, length, KNOWN_SECRET, strlen (KNOWN_SECRET)));
  g_assert_false (contains (data, length, TOKEN, strlen (TOKEN)));
  g_assert_false (contains (data, length, TOKEN, 8));
  g_assert_false (contains (data, length, PASSPHRASE, strlen (PASSPHRASE)));
  g_assert_false (contains (data, length, "correct", 7));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/haven/key-vault/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("create-new", test_create_new);
  ADD ("lock-unlock", test_lock_unlock);
  ADD ("lock-while-unlocking", test_lock_while_unlocking);
  ADD ("fresh-vault-unlocks", test_fresh_vault_unlocks);
  ADD ("import", test_import);
  ADD ("weak-passphrase", test_weak_passphrase);
  ADD ("never-overwrites", test_never_overwrites);
  ADD ("damaged-files", test_damaged_files);
  ADD ("missing-file", test_missing_file);
  ADD ("token", test_token);
  ADD ("file-holds-no-secret", test_file_holds_no_secret);

#undef ADD

  return g_test_run ();
}
