/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-key-vault"
/* renameat2() and RENAME_NOREPLACE. */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "haven-key-vault.h"

/* The organisation's key, locked in a file with the caseworker's
 * passphrase. The layout is in data/api/haven-desk-key-file.md; the
 * offsets below follow it. Every secret (the secret key, the wrap key
 * derived from the passphrase, the token, the passphrase itself on its way
 * to the worker thread) lives in sodium_malloc'd memory, which is kept out
 * of swap and zeroed when freed. Argon2id costs seconds and hundreds of
 * MiB: it always runs in a worker thread, never on the main loop. */

#define MAGIC "HAVENKEY"
#define MAGIC_BYTES 8
#define FORMAT_VERSION 1
#define MAX_TOKEN_BYTES 512
#define SECRET_BYTES HAVEN_SEALED_BOX_KEY_BYTES
#define WRAP_KEY_BYTES crypto_secretbox_KEYBYTES
#define SALT_BYTES crypto_pwhash_SALTBYTES
#define NONCE_BYTES crypto_secretbox_NONCEBYTES
#define CHECK_BYTES crypto_generichash_BYTES

/* A file asking for more than this is refused, not obeyed: libsodium's own
 * upper bounds (4 billion passes, terabytes) would let a planted file keep
 * the desk busy for hours or exhaust its memory. "Sensitive" is 4 passes
 * over 1 GiB. */
#define MAX_OPSLIMIT 32
#define MAX_MEMLIMIT (G_GUINT64_CONSTANT (4) * 1024 * 1024 * 1024)

#define PAYLOAD_BYTES (SECRET_BYTES + 2 + MAX_TOKEN_BYTES)
#define BOX_BYTES (crypto_secretbox_MACBYTES + PAYLOAD_BYTES)

#define OFFSET_VERSION MAGIC_BYTES
#define OFFSET_OPSLIMIT (OFFSET_VERSION + 4)
#define OFFSET_MEMLIMIT (OFFSET_OPSLIMIT + 8)
#define OFFSET_SALT (OFFSET_MEMLIMIT + 8)
#define OFFSET_PUBLIC (OFFSET_SALT + SALT_BYTES)
#define OFFSET_NONCE (OFFSET_PUBLIC + HAVEN_SEALED_BOX_KEY_BYTES)
#define OFFSET_BOX (OFFSET_NONCE + NONCE_BYTES)
#define OFFSET_CHECK (OFFSET_BOX + BOX_BYTES)
#define FILE_BYTES (OFFSET_CHECK + CHECK_BYTES)

G_STATIC_ASSERT (FILE_BYTES == 694);
G_STATIC_ASSERT (SALT_BYTES == 16);
G_STATIC_ASSERT (NONCE_BYTES == 24);
G_STATIC_ASSERT (WRAP_KEY_BYTES == 32);

struct _HavenKeyVault
{
  GObject parent_instance;

  char *path;
  guint64 opslimit;
  gsize memlimit;

  /* While unlocked: the file's header (salt and cost, to write the file
   * again) and, in guarded memory, the secrets. */
  gboolean unlocked;
  /* Counts the locks, so that an unlock still hashing when the desk
   * locks does not unlock it afterwards. */
  guint lock_count;
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 salt[SALT_BYTES];
  guint64 file_opslimit;
  guint64 file_memlimit;
  guint8 *secret_key;
  guint8 *wrap_key;
  /* NUL-terminated, or NULL when none is kept. */
  char *token;
};

G_DEFINE_FINAL_TYPE (HavenKeyVault, haven_key_vault, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-key-vault-error-quark, haven_key_vault_error)

enum {
  PROP_0,
  PROP_UNLOCKED,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

/* What one unlock or create hands from its worker thread to the main
 * thread; the secrets in guarded memory. */
typedef struct {
  char *path;
  guint lock_count;
  guint64 opslimit;
  guint64 memlimit;
  guint8 salt[SALT_BYTES];
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  /* In: the passphrase, in guarded memory. */
  char *passphrase;
  gsize passphrase_length;
  /* Create: the secret key to keep; out of unlock: the one opened. */
  guint8 *secret_key;
  guint8 *wrap_key;
  char *token;
} KeyJob;

static void
key_job_free (KeyJob *job)
{
  g_free (job->path);
  g_clear_pointer (&job->passphrase, sodium_free);
  g_clear_pointer (&job->secret_key, sodium_free);
  g_clear_pointer (&job->wrap_key, sodium_free);
  g_clear_pointer (&job->token, sodium_free);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeyJob, key_job_free)

static void
ensure_sodium (void)
{
  if (sodium_init () < 0)
    g_error ("libsodium could not be initialised");
}

static void
put_le (guint8  *out,
        guint64  value,
        gsize    bytes)
{
  for (gsize i = 0; i < bytes; i++)
    out[i] = (guint8) (value >> (8 * i));
}

static guint64
get_le (const guint8 *in,
        gsize         bytes)
{
  guint64 value = 0;

  for (gsize i = 0; i < bytes; i++)
    value |= (guint64) in[i] << (8 * i);
  return value;
}

static gboolean
set_not_a_key_file (GError **error)
{
  g_set_error_literal (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_NOT_A_KEY_FILE,
                       _("This file is not a Haven Desk key file, or it is damaged. "
                         "Use the organisation’s copy of the key to set this desk up again."));
  return FALSE;
}

static gboolean
set_locked (GError **error)
{
  g_set_error_literal (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_LOCKED,
                       _("The key is locked. Unlock it with your passphrase first."));
  return FALSE;
}

static gboolean
cost_is_acceptable (guint64 opslimit,
                    guint64 memlimit)
{
  return opslimit >= crypto_pwhash_argon2id_OPSLIMIT_MIN &&
         opslimit <= crypto_pwhash_argon2id_OPSLIMIT_MAX &&
         opslimit <= MAX_OPSLIMIT &&
         memlimit >= crypto_pwhash_argon2id_MEMLIMIT_MIN &&
         memlimit <= crypto_pwhash_argon2id_MEMLIMIT_MAX &&
         memlimit <= MAX_MEMLIMIT &&
         memlimit <= G_MAXSIZE;
}

/* Checks everything that can be checked without the passphrase and fills
 * @job's header fields; @data is FILE_BYTES long when this succeeds. */
static gboolean
parse_header (const guint8  *data,
              gsize          length,
              KeyJob        *job,
              GError       **error)
{
  guint8 check[CHECK_BYTES];

  if (length != FILE_BYTES ||
      memcmp (data, MAGIC, MAGIC_BYTES) != 0 ||
      get_le (data + OFFSET_VERSION, 4) != FORMAT_VERSION)
    return set_not_a_key_file (error);

  crypto_generichash (check, sizeof check, data, OFFSET_CHECK, NULL, 0);
  if (sodium_memcmp (check, data + OFFSET_CHECK, CHECK_BYTES) != 0)
    return set_not_a_key_file (error);

  job->opslimit = get_le (data + OFFSET_OPSLIMIT, 8);
  job->memlimit = get_le (data + OFFSET_MEMLIMIT, 8);
  if (!cost_is_acceptable (job->opslimit, job->memlimit))
    return set_not_a_key_file (error);

  memcpy (job->salt, data + OFFSET_SALT, SALT_BYTES);
  memcpy (job->public_key, data + OFFSET_PUBLIC, HAVEN_SEALED_BOX_KEY_BYTES);
  return TRUE;
}

static gboolean
read_key_file (const char  *path,
               guint8     **data,
               gsize       *length,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = g_filename_display_name (path);

  if (!g_file_get_contents (path, (char **) data, length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_FILE,
                     /* Translators: %s is a file's name. */
                     _("There is no key file at %s. Set this desk up with the organisation’s key first."),
                     name);
      else
        g_set_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_FILE,
                     /* Translators: %s is the system's reason, such as "Permission denied". */
                     _("The key file cannot be read: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* The whole file, sealed under @wrap_key with a fresh nonce. */
static guint8 *
build_file (guint64       opslimit,
            guint64       memlimit,
            const guint8  salt[SALT_BYTES],
            const guint8  public_key[HAVEN_SEALED_BOX_KEY_BYTES],
            const guint8 *secret_key,
            const guint8 *wrap_key,
            const char   *token)
{
  guint8 *data = g_malloc0 (FILE_BYTES);
  guint8 *payload = sodium_malloc (PAYLOAD_BYTES);
  gsize token_length = token != NULL ? strlen (token) : 0;

  g_assert (payload != NULL);
  g_assert (token_length <= MAX_TOKEN_BYTES);

  memcpy (data, MAGIC, MAGIC_BYTES);
  put_le (data + OFFSET_VERSION, FORMAT_VERSION, 4);
  put_le (data + OFFSET_OPSLIMIT, opslimit, 8);
  put_le (data + OFFSET_MEMLIMIT, memlimit, 8);
  memcpy (data + OFFSET_SALT, salt, SALT_BYTES);
  memcpy (data + OFFSET_PUBLIC, public_key, HAVEN_SEALED_BOX_KEY_BYTES);
  randombytes_buf (data + OFFSET_NONCE, NONCE_BYTES);

  sodium_memzero (payload, PAYLOAD_BYTES);
  memcpy (payload, secret_key, SECRET_BYTES);
  put_le (payload + SECRET_BYTES, token_length, 2);
  if (token_length > 0)
    memcpy (payload + SECRET_BYTES + 2, token, token_length);

  crypto_secretbox_easy (data + OFFSET_BOX, payload, PAYLOAD_BYTES, data + OFFSET_NONCE, wrap_key);
  sodium_free (payload);

  crypto_generichash (data + OFFSET_CHECK, CHECK_BYTES, data, OFFSET_CHECK, NULL, 0);
  return data;
}

static gboolean
set_write_error (GError     **error,
                 int          saved_errno)
{
  g_set_error (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_FILE,
               /* Translators: %s is the system's reason, such as "No space left on device". */
               _("The key file cannot be written: %s"), g_strerror (saved_errno));
  return FALSE;
}

static void
sync_folder (const char *folder)
{
  int fd = open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  /* The rename is only durable once the folder is; a failure here leaves
   * the file in place all the same. */
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/* Puts @tmp at @path, failing with EEXIST when something is there. */
static int
rename_no_replace (const char *tmp,
                   const char *path)
{
  if (renameat2 (AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS)
    return -1;

  /* A file system without RENAME_NOREPLACE: link() refuses to replace. */
  if (link (tmp, path) != 0)
    return -1;
  g_unlink (tmp);
  return 0;
}

/* Writes @data to a temporary file beside @path (mode 0600), syncs it and
 * renames it into place; @replace says whether a file there may go. */
static gboolean
write_atomically (const char    *path,
                  const guint8  *data,
                  gsize          length,
                  gboolean       replace,
                  GError       **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp = NULL;
  gsize written = 0;
  int fd;
  int saved_errno;

  if (g_mkdir_with_parents (folder, 0700) != 0)
    return set_write_error (error, errno);

  if (!replace && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error_literal (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_EXISTS,
                           _("There is a key file on this desk already. It is never replaced: "
                             "move it away first if you mean to set the desk up again."));
      return FALSE;
    }

  tmp = g_strdup_printf ("%s/.%s.XXXXXX", folder, base);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    return set_write_error (error, errno);

  while (written < length)
    {
      gssize n = write (fd, data + written, length - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          saved_errno = n < 0 ? errno : EIO;
          close (fd);
          g_unlink (tmp);
          return set_write_error (error, saved_errno);
        }
      written += (gsize) n;
    }

  if (fsync (fd) != 0 || close (fd) != 0)
    {
      saved_errno = errno;
      g_unlink (tmp);
      return set_write_error (error, saved_errno);
    }

  if ((replace ? rename (tmp, path) : rename_no_replace (tmp, path)) != 0)
    {
      saved_errno = errno;
      g_unlink (tmp);
      if (saved_errno == EEXIST)
        {
          g_set_error_literal (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_EXISTS,
                               _("There is a key file on this desk already. It is never replaced: "
                                 "move it away first if you mean to set the desk up again."));
          return FALSE;
        }
      return set_write_error (error, saved_errno);
    }

  sync_folder (folder);
  return TRUE;
}

static gboolean
derive_wrap_key (KeyJob  *job,
                 GError **error)
{
  job->wrap_key = sodium_malloc (WRAP_KEY_BYTES);
  g_assert (job->wrap_key != NULL);

  if (crypto_pwhash (job->wrap_key, WRAP_KEY_BYTES, job->passphrase, job->passphrase_length,
                     job->salt, job->opslimit, (gsize) job->memlimit,
                     crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_FILE,
                           _("There is not enough memory on this computer to unlock the key."));
      return FALSE;
    }

  /* The passphrase is of no further use: gone before the slow part ends. */
  g_clear_pointer (&job->passphrase, sodium_free);
  return TRUE;
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  KeyJob *job = task_data;
  g_autofree guint8 *data = NULL;
  GError *error = NULL;

  if (g_file_test (job->path, G_FILE_TEST_EXISTS))
    {
      g_task_return_new_error (task, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_EXISTS, "%s",
                               _("There is a key file on this desk already. It is never replaced: "
                                 "move it away first if you mean to set the desk up again."));
      return;
    }

  if (!derive_wrap_key (job, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  data = build_file (job->opslimit, job->memlimit, job->salt, job->public_key,
                     job->secret_key, job->wrap_key, NULL);
  if (!write_atomically (job->path, data, FILE_BYTES, FALSE, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
unlock_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  KeyJob *job = task_data;
  g_autofree guint8 *data = NULL;
  guint8 *payload = NULL;
  guint8 derived[HAVEN_SEALED_BOX_KEY_BYTES];
  gsize length = 0;
  gsize token_length;
  GError *error = NULL;

  if (!read_key_file (job->path, &data, &length, &error) ||
      !parse_header (data, length, job, &error) ||
      !derive_wrap_key (job, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  payload = sodium_malloc (PAYLOAD_BYTES);
  g_assert (payload != NULL);
  if (crypto_secretbox_open_easy (payload, data + OFFSET_BOX, BOX_BYTES, data + OFFSET_NONCE,
                                  job->wrap_key) != 0)
    {
      sodium_free (payload);
      /* The check ruled out damage: the box was sealed with another key. */
      g_task_return_new_error (task, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_WRONG_PASSPHRASE,
                               "%s", _("The passphrase is not right."));
      return;
    }

  token_length = get_le (payload + SECRET_BYTES, 2);
  crypto_scalarmult_base (derived, payload);
  if (token_length > MAX_TOKEN_BYTES ||
      memchr (payload + SECRET_BYTES + 2, '\0', token_length) != NULL ||
      sodium_memcmp (derived, job->public_key, sizeof derived) != 0)
    {
      sodium_free (payload);
      set_not_a_key_file (&error);
      g_task_return_error (task, error);
      return;
    }

  job->secret_key = sodium_malloc (SECRET_BYTES);
  g_assert (job->secret_key != NULL);
  memcpy (job->secret_key, payload, SECRET_BYTES);
  if (token_length > 0)
    {
      job->token = sodium_malloc (token_length + 1);
      g_assert (job->token != NULL);
      memcpy (job->token, payload + SECRET_BYTES + 2, token_length);
      job->token[token_length] = '\0';
    }
  sodium_free (payload);

  g_task_return_boolean (task, TRUE);
}

static void
haven_key_vault_finalize (GObject *object)
{
  HavenKeyVault *self = HAVEN_KEY_VAULT (object);

  g_clear_pointer (&self->secret_key, sodium_free);
  g_clear_pointer (&self->wrap_key, sodium_free);
  g_clear_pointer (&self->token, sodium_free);
  g_free (self->path);

  G_OBJECT_CLASS (haven_key_vault_parent_class)->finalize (object);
}

static void
haven_key_vault_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  HavenKeyVault *self = HAVEN_KEY_VAULT (object);

  switch (prop_id)
    {
    case PROP_UNLOCKED:
      g_value_set_boolean (value, self->unlocked);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_key_vault_class_init (HavenKeyVaultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_key_vault_finalize;
  object_class->get_property = haven_key_vault_get_property;

  props[PROP_UNLOCKED] =
    g_param_spec_boolean ("unlocked", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);

  ensure_sodium ();
}

static void
haven_key_vault_init (HavenKeyVault *self)
{
  self->opslimit = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
  self->memlimit = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
}

HavenKeyVault *
haven_key_vault_new (const char *path)
{
  HavenKeyVault *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (HAVEN_TYPE_KEY_VAULT, NULL);
  self->path = g_strdup (path);
  return self;
}

const char *
haven_key_vault_get_path (HavenKeyVault *self)
{
  g_return_val_if_fail (HAVEN_IS_KEY_VAULT (self), NULL);
  return self->path;
}

gboolean
haven_key_vault_exists (HavenKeyVault *self)
{
  g_return_val_if_fail (HAVEN_IS_KEY_VAULT (self), FALSE);
  return g_file_test (self->path, G_FILE_TEST_EXISTS);
}

void
haven_key_vault_set_cost (HavenKeyVault *self,
                          guint64        opslimit,
                          gsize          memlimit)
{
  g_return_if_fail (HAVEN_IS_KEY_VAULT (self));
  g_return_if_fail (cost_is_acceptable (opslimit, memlimit));

  self->opslimit = opslimit;
  self->memlimit = memlimit;
}

/* haven_sealed_box_decode_key()'s rules (standard base64, white space
 * around it allowed, exactly 32 bytes), but decoded straight into guarded
 * memory: a secret key is never copied to the stack. */
static gboolean
decode_secret_key (const char *base64,
                   guint8     *secret_key)
{
  guint8 *decoded = sodium_malloc (SECRET_BYTES + 1);
  size_t decoded_length = 0;
  const char *end = NULL;
  gboolean ok;

  g_assert (decoded != NULL);
  ok = sodium_base642bin (decoded, SECRET_BYTES + 1, base64, strlen (base64), " \t\r\n",
                          &decoded_length, &end, sodium_base64_VARIANT_ORIGINAL) == 0 &&
       (end == NULL || *end == '\0') &&
       decoded_length == SECRET_BYTES;
  if (ok)
    memcpy (secret_key, decoded, SECRET_BYTES);
  sodium_free (decoded);
  return ok;
}

/* Copies the passphrase into guarded memory for the worker thread. */
static void
job_take_passphrase (KeyJob     *job,
                     const char *passphrase)
{
  job->passphrase_length = strlen (passphrase);
  job->passphrase = sodium_malloc (job->passphrase_length + 1);
  g_assert (job->passphrase != NULL);
  memcpy (job->passphrase, passphrase, job->passphrase_length + 1);
}

/* Hands what a worker thread opened or made over to @self. */
static void
take_secrets (HavenKeyVault *self,
              KeyJob        *job)
{
  g_clear_pointer (&self->secret_key, sodium_free);
  g_clear_pointer (&self->wrap_key, sodium_free);
  g_clear_pointer (&self->token, sodium_free);

  self->secret_key = g_steal_pointer (&job->secret_key);
  self->wrap_key = g_steal_pointer (&job->wrap_key);
  self->token = g_steal_pointer (&job->token);
  memcpy (self->public_key, job->public_key, sizeof self->public_key);
  memcpy (self->salt, job->salt, sizeof self->salt);
  self->file_opslimit = job->opslimit;
  self->file_memlimit = job->memlimit;

  if (!self->unlocked)
    {
      self->unlocked = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_UNLOCKED]);
    }
}

/* Runs on the main thread when the worker is done, so that the vault
 * changes (and "unlocked" is notified) where its users are. */
static void
key_job_done_cb (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HavenKeyVault *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  KeyJob *job = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  if (job->lock_count != self->lock_count)
    {
      /* Locked while the passphrase was hashed: the lock wins. A new key
       * file is written all the same, and stays locked. */
      if (g_task_get_source_tag (task) == haven_key_vault_create_async)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_new_error (task, HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_LOCKED, "%s",
                                 _("The desk was locked before the key could be unlocked. "
                                   "Unlock it again."));
      return;
    }

  take_secrets (self, job);
  g_task_return_boolean (task, TRUE);
}

static void
run_key_job (HavenKeyVault       *self,
             KeyJob              *job,
             GTaskThreadFunc      thread_func,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  /* The worker holds no reference to the vault: the thread drops its
   * reference to the worker whenever it gets round to it, which may be
   * after the caller was told and let go of the vault. */
  g_autoptr(GTask) worker = g_task_new (NULL, cancellable, key_job_done_cb, task);

  g_task_set_source_tag (task, source_tag);
  g_task_set_source_tag (worker, source_tag);
  job->lock_count = self->lock_count;
  g_task_set_task_data (worker, job, (GDestroyNotify) key_job_free);
  g_task_run_in_thread (worker, thread_func);
}

void
haven_key_vault_create_async (HavenKeyVault       *self,
                              const char          *passphrase,
                              const char          *secret_key_base64,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(KeyJob) job = NULL;

  g_return_if_fail (HAVEN_IS_KEY_VAULT (self));
  g_return_if_fail (passphrase != NULL);

  if (!g_utf8_validate (passphrase, -1, NULL) ||
      g_utf8_strlen (passphrase, -1) < HAVEN_KEY_VAULT_MIN_PASSPHRASE_LENGTH)
    {
      g_task_report_new_error (self, callback, user_data, haven_key_vault_create_async,
                               HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_WEAK_PASSPHRASE,
                               g_dngettext (GETTEXT_PACKAGE,
                                            "The passphrase is too short. Use at least %d character: "
                                            "a few words you will remember are best.",
                                            "The passphrase is too short. Use at least %d characters: "
                                            "a few words you will remember are best.",
                                            HAVEN_KEY_VAULT_MIN_PASSPHRASE_LENGTH),
                               HAVEN_KEY_VAULT_MIN_PASSPHRASE_LENGTH);
      return;
    }

  job = g_new0 (KeyJob, 1);
  job->path = g_strdup (self->path);
  job->opslimit = self->opslimit;
  job->memlimit = self->memlimit;
  randombytes_buf (job->salt, sizeof job->salt);
  job->secret_key = sodium_malloc (SECRET_BYTES);
  g_assert (job->secret_key != NULL);

  if (secret_key_base64 != NULL)
    {
      if (!decode_secret_key (secret_key_base64, job->secret_key))
        {
          g_task_report_new_error (self, callback, user_data, haven_key_vault_create_async,
                                   HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_INVALID_KEY, "%s",
                                   _("This is not the organisation’s secret key: a key is 32 bytes "
                                     "written in base64, 44 characters ending in “=”."));
          return;
        }
      crypto_scalarmult_base (job->public_key, job->secret_key);
    }
  else
    {
      haven_sealed_box_generate_key_pair (job->public_key, job->secret_key);
    }

  job_take_passphrase (job, passphrase);
  run_key_job (self, g_steal_pointer (&job), create_thread, haven_key_vault_create_async,
               cancellable, callback, user_data);
}

gboolean
haven_key_vault_create_finish (HavenKeyVault  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
haven_key_vault_unlock_async (HavenKeyVault       *self,
                              const char          *passphrase,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  KeyJob *job;

  g_return_if_fail (HAVEN_IS_KEY_VAULT (self));
  g_return_if_fail (passphrase != NULL);

  job = g_new0 (KeyJob, 1);
  job->path = g_strdup (self->path);
  job_take_passphrase (job, passphrase);
  run_key_job (self, job, unlock_thread, haven_key_vault_unlock_async,
               cancellable, callback, user_data);
}

gboolean
haven_key_vault_unlock_finish (HavenKeyVault  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
haven_key_vault_lock (HavenKeyVault *self)
{
  g_return_if_fail (HAVEN_IS_KEY_VAULT (self));

  g_clear_pointer (&self->secret_key, sodium_free);
  g_clear_pointer (&self->wrap_key, sodium_free);
  g_clear_pointer (&self->token, sodium_free);
  sodium_memzero (self->salt, sizeof self->salt);
  self->lock_count++;

  if (self->unlocked)
    {
      self->unlocked = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_UNLOCKED]);
    }
}

gboolean
haven_key_vault_is_unlocked (HavenKeyVault *self)
{
  g_return_val_if_fail (HAVEN_IS_KEY_VAULT (self), FALSE);
  return self->unlocked;
}

char *
haven_key_vault_dup_public_key (HavenKeyVault *self)
{
  g_autofree guint8 *data = NULL;
  gsize length = 0;
  KeyJob header = { 0 };

  g_return_val_if_fail (HAVEN_IS_KEY_VAULT (self), NULL);

  if (self->unlocked)
    return haven_sealed_box_encode_key (self->public_key);

  /* Locked: the file's header says it, once its check passes. A small
   * read, so a page can show the key without waiting. */
  if (!g_file_get_contents (self->path, (char **) &data, &length, NULL) ||
      !parse_header (data, length, &header, NULL))
    return NULL;
  return haven_sealed_box_encode_key (header.public_key);
}

char *
haven_key_vault_dup_secret_key (HavenKeyVault  *self,
                                GError        **error)
{
  g_return_val_if_fail (HAVEN_IS_KEY_VAULT (self), NULL);

  if (!self->unlocked)
    {
      set_locked (error);
      return NULL;
    }
  return haven_sealed_box_encode_key (self->secret_key);
}

const char *
haven_key_vault_get_token (HavenKeyVault *self)
{
  g_return_val_if_fail (HAVEN_IS_KEY_VAULT (self), NULL);
  return self->unlocked ? self->token : NULL;
}

typedef struct {
  char *path;
  guint8 *data;
  /* The new token, in guarded memory, for the vault once written. */
  char *token;
} TokenJob;

static void
token_job_free (TokenJob *job)
{
  g_free (job->path);
  g_free (job->data);
  g_clear_pointer (&job->token, sodium_free);
  g_free (job);
}

static void
set_token_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  TokenJob *job = task_data;
  GError *error = NULL;

  if (!write_atomically (job->path, job->data, FILE_BYTES, TRUE, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
set_token_done_cb (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HavenKeyVault *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  TokenJob *job = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Locked meanwhile: the file has the token; memory must not. */
  if (self->unlocked)
    {
      g_clear_pointer (&self->token, sodium_free);
      self->token = g_steal_pointer (&job->token);
    }
  g_task_return_boolean (task, TRUE);
}

void
haven_key_vault_set_token_async (HavenKeyVault       *self,
                                 const char          *token,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  g_autoptr(GTask) worker = NULL;
  TokenJob *job;

  g_return_if_fail (HAVEN_IS_KEY_VAULT (self));

  if (!self->unlocked)
    {
      g_task_report_new_error (self, callback, user_data, haven_key_vault_set_token_async,
                               HAVEN_KEY_VAULT_ERROR, HAVEN_KEY_VAULT_ERROR_LOCKED, "%s",
                               _("The key is locked. Unlock it with your passphrase first."));
      return;
    }
  if (token != NULL && (token[0] == '\0' || strlen (token) > MAX_TOKEN_BYTES))
    {
      g_task_report_new_error (self, callback, user_data, haven_key_vault_set_token_async,
                               G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("This sign-in token cannot be kept: it is empty or too long."));
      return;
    }

  job = g_new0 (TokenJob, 1);
  job->path = g_strdup (self->path);
  if (token != NULL)
    {
      job->token = sodium_malloc (strlen (token) + 1);
      g_assert (job->token != NULL);
      memcpy (job->token, token, strlen (token) + 1);
    }
  /* Sealing is cheap (the wrap key is kept): only the writing is done in
   * the thread, and the thread never sees a secret but the sealed file. */
  job->data = build_file (self->file_opslimit, self->file_memlimit, self->salt,
                          self->public_key, self->secret_key, self->wrap_key, token);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_key_vault_set_token_async);
  worker = g_task_new (NULL, cancellable, set_token_done_cb, task);
  g_task_set_source_tag (worker, haven_key_vault_set_token_async);
  g_task_set_task_data (worker, job, (GDestroyNotify) token_job_free);
  g_task_run_in_thread (worker, set_token_thread);
}

gboolean
haven_key_vault_set_token_finish (HavenKeyVault  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

GBytes *
haven_key_vault_open (HavenKeyVault  *self,
                      GBytes         *sealed,
                      GError        **error)
{
  g_return_val_if_fail (HAVEN_IS_KEY_VAULT (self), NULL);
  g_return_val_if_fail (sealed != NULL, NULL);

  if (!self->unlocked)
    {
      set_locked (error);
      return NULL;
    }
  return haven_sealed_box_open (self->public_key, self->secret_key, sealed, error);
}

GBytes *
haven_key_vault_seal (HavenKeyVault  *self,
                      GBytes         *plain,
                      GError        **error)
{
  g_return_val_if_fail (HAVEN_IS_KEY_VAULT (self), NULL);
  g_return_val_if_fail (plain != NULL, NULL);

  /* Only the public key checked against the secret key at unlock: one
   * planted in the file's clear part would send notes to someone else. */
  if (!self->unlocked)
    {
      set_locked (error);
      return NULL;
    }
  return haven_sealed_box_seal (self->public_key, plain, error);
}
