/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-sealed-box.h"

G_BEGIN_DECLS

/* The organisation's key on a caseworker's machine: the X25519 secret key
 * that opens what kiosks seal, kept in one file encrypted with a
 * passphrase (Argon2id through crypto_pwhash, then crypto_secretbox), with
 * the caseworker's sign-in token beside it under the same lock. Unlocked,
 * the secrets live in libsodium's guarded memory; locking wipes them.
 * The file format is in data/api/haven-desk-key-file.md. */

#define HAVEN_KEY_VAULT_ERROR (haven_key_vault_error_quark ())

typedef enum {
  /* The file cannot be read or written. */
  HAVEN_KEY_VAULT_ERROR_FILE,
  /* The file is not a key file of ours, or is damaged. */
  HAVEN_KEY_VAULT_ERROR_NOT_A_KEY_FILE,
  HAVEN_KEY_VAULT_ERROR_WRONG_PASSPHRASE,
  /* Shorter than HAVEN_KEY_VAULT_MIN_PASSPHRASE_LENGTH characters. */
  HAVEN_KEY_VAULT_ERROR_WEAK_PASSPHRASE,
  /* An imported secret key that is not 32 bytes of base64. */
  HAVEN_KEY_VAULT_ERROR_INVALID_KEY,
  /* There is a key file already: it is never overwritten. */
  HAVEN_KEY_VAULT_ERROR_EXISTS,
  HAVEN_KEY_VAULT_ERROR_LOCKED,
} HavenKeyVaultError;

#define HAVEN_KEY_VAULT_MIN_PASSPHRASE_LENGTH 12

#define HAVEN_TYPE_KEY_VAULT (haven_key_vault_get_type ())

G_DECLARE_FINAL_TYPE (HavenKeyVault, haven_key_vault, HAVEN, KEY_VAULT, GObject)

GQuark         haven_key_vault_error_quark     (void);

/* @path: where the key file is, or will be once created. */
HavenKeyVault *haven_key_vault_new             (const char          *path);
const char    *haven_key_vault_get_path        (HavenKeyVault       *self);
gboolean       haven_key_vault_exists          (HavenKeyVault       *self);
/* Argon2id's cost for files this vault creates: libsodium's "moderate"
 * (3 passes over 256 MiB) unless changed; tests lower it. Unlocking uses
 * the cost written in the file. */
void           haven_key_vault_set_cost        (HavenKeyVault       *self,
                                                guint64              opslimit,
                                                gsize                memlimit);

/* Writes a new key file (mode 0600, its folder 0700) and leaves the vault
 * unlocked. @secret_key_base64 imports the organisation's existing key;
 * NULL makes a new key pair. The passphrase is hashed in a worker thread. */
void           haven_key_vault_create_async    (HavenKeyVault       *self,
                                                const char          *passphrase,
                                                const char          *secret_key_base64,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean       haven_key_vault_create_finish   (HavenKeyVault       *self,
                                                GAsyncResult        *result,
                                                GError             **error);
void           haven_key_vault_unlock_async    (HavenKeyVault       *self,
                                                const char          *passphrase,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean       haven_key_vault_unlock_finish   (HavenKeyVault       *self,
                                                GAsyncResult        *result,
                                                GError             **error);
/* Wipes the secret key, the token and the passphrase's hash from memory;
 * notifies "unlocked". */
void           haven_key_vault_lock            (HavenKeyVault       *self);
/* Property "unlocked". */
gboolean       haven_key_vault_is_unlocked     (HavenKeyVault       *self);

/* The public key, standard base64, as the kiosks' backend-public-key
 * takes it; readable while locked (the file keeps it in the clear), NULL
 * when there is no key file. */
char          *haven_key_vault_dup_public_key  (HavenKeyVault       *self);
/* The secret key, standard base64, for the organisation to keep a copy or
 * to import on another caseworker's machine; the caller wipes it. */
char          *haven_key_vault_dup_secret_key  (HavenKeyVault       *self,
                                                GError             **error);

/* The caseworker's token for the intake service, NULL when none is kept;
 * valid until the vault locks or the token changes. */
const char    *haven_key_vault_get_token       (HavenKeyVault       *self);
/* Keeps @token (NULL forgets it) in the key file, encrypted under the same
 * passphrase; needs the vault unlocked. Rewrites the file in a thread. */
void           haven_key_vault_set_token_async (HavenKeyVault       *self,
                                                const char          *token,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean       haven_key_vault_set_token_finish (HavenKeyVault      *self,
                                                 GAsyncResult       *result,
                                                 GError            **error);

/* Opens a sealed box made for the organisation's key; the result wipes
 * itself when freed. HAVEN_KEY_VAULT_ERROR_LOCKED while locked. */
GBytes        *haven_key_vault_open            (HavenKeyVault       *self,
                                                GBytes              *sealed,
                                                GError             **error);
/* Seals @plain to the organisation's key (a caseworker's note). */
GBytes        *haven_key_vault_seal            (HavenKeyVault       *self,
                                                GBytes              *plain,
                                                GError             **error);

G_END_DECLS
