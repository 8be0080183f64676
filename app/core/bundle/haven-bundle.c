/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-bundle"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <sqlite3.h>

#include "haven-bundle-private.h"
#include "haven-content.h"
#include "haven-directory.h"

/* The organisation's bundle of its service directory and content, signed
 * with its Ed25519 key (data/api/haven-bundle-v1.md):
 *
 *   "HAVENBN1" | signature (64) | manifest length (4, big-endian) |
 *   manifest (JSON) | each file's bytes, in the manifest's order
 *
 * The signature is libsodium's multi-part crypto_sign (Ed25519ph) over
 * everything after it, so a bundle of any size is signed and verified in
 * one streaming pass, in constant memory.
 *
 * A kiosk takes a bundle in this order, and stops at the first failure
 * with what is in use untouched: the signature over the whole file, before
 * a byte of it is parsed (only the magic and the manifest's length are
 * read before, and the length is trusted for nothing but where to look);
 * the manifest, kept in memory from that same pass, so the manifest that
 * is used is the one that was verified; the version against the one in
 * use; then each file unpacked and checked against the size and SHA-256
 * the manifest gives it, so that a file changed on disk between the two
 * passes is caught too; then the result as the kiosk would read it: the
 * directory opens and passes SQLite's quick_check, and the content passes
 * `havenctl content check`. Unpacking goes into a hidden folder beside
 * the target that is renamed to it only when all of that passed, so a
 * half-unpacked bundle is never found under the target's name. */

#define CHUNK_BYTES (64 * 1024)

G_STATIC_ASSERT (HAVEN_BUNDLE_PUBLIC_KEY_BYTES == crypto_sign_PUBLICKEYBYTES);
G_STATIC_ASSERT (HAVEN_BUNDLE_SECRET_KEY_BYTES == crypto_sign_SECRETKEYBYTES);
G_STATIC_ASSERT (HAVEN_BUNDLE_SIGNATURE_BYTES == crypto_sign_BYTES);
G_STATIC_ASSERT (sizeof HAVEN_BUNDLE_MAGIC - 1 == HAVEN_BUNDLE_MAGIC_BYTES);

G_DEFINE_QUARK (haven-bundle-error-quark, haven_bundle_error)

void
haven_bundle_ensure_sodium (void)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      /* It fails only when the system has no source of randomness, and
       * then no key can be made safely at all. */
      if (sodium_init () < 0)
        g_error ("libsodium could not be initialised");
      g_once_init_leave (&initialised, 1);
    }
}

/* An error of taking a bundle: the message says what happened, then that
 * what is in use stays, which is what an operator reading a kiosk's log
 * most needs to know. */
static gboolean
set_kept_error (GError           **error,
                HavenBundleError   code,
                const char        *format,
                ...) G_GNUC_PRINTF (3, 4);

static gboolean
set_kept_error (GError           **error,
                HavenBundleError   code,
                const char        *format,
                ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  /* Translators: %s says what is wrong with a bundle, as a sentence without its full stop. */
  g_set_error (error, HAVEN_BUNDLE_ERROR, code,
               _("%s. The service directory and content in use are kept."), what);
  return FALSE;
}

static gboolean
set_io_error (GError     **error,
              const char  *path,
              int          saved_errno)
{
  g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_IO, "%s: %s", path,
               g_strerror (saved_errno));
  return FALSE;
}

/* ---- Keys ---- */

void
haven_bundle_generate_key_pair (guint8*public_key,
                                guint8*secret_key)
{
  g_return_if_fail (public_key != NULL);
  g_return_if_fail (secret_key != NULL);

  haven_bundle_ensure_sodium ();
  crypto_sign_keypair (public_key, secret_key);
}

void
haven_bundle_secret_key_to_public (const guint8*secret_key,
                                   guint8      *public_key)
{
  g_return_if_fail (secret_key != NULL);
  g_return_if_fail (public_key != NULL);

  crypto_sign_ed25519_sk_to_pk (public_key, secret_key);
}

char *
haven_bundle_encode_public_key (const guint8*public_key)
{
  g_return_val_if_fail (public_key != NULL, NULL);

  return g_base64_encode (public_key, HAVEN_BUNDLE_PUBLIC_KEY_BYTES);
}

/* Decodes standard base64, surrounding white space allowed, into exactly
 * @size bytes; libsodium's decoder refuses a character outside the
 * alphabet where g_base64_decode() would skip it, so a key pasted with a
 * typo is reported rather than read as another key. */
static gboolean
decode_base64 (const char *text,
               guint8     *out,
               gsize       size)
{
  g_autofree guint8 *decoded = g_malloc (size + 1);
  size_t decoded_length = 0;
  const char *end = NULL;
  gboolean ok;

  haven_bundle_ensure_sodium ();

  ok = sodium_base642bin (decoded, size + 1, text, strlen (text), " \t\r\n", &decoded_length,
                          &end, sodium_base64_VARIANT_ORIGINAL) == 0 &&
       (end == NULL || *end == '\0') && decoded_length == size;
  if (ok)
    memcpy (out, decoded, size);

  sodium_memzero (decoded, size + 1);
  return ok;
}

/**
 * haven_bundle_decode_public_key:
 * @base64: the key as `havenctl bundle keygen` prints it
 *
 * Refuses anything but 32 bytes that are a point of Ed25519 of the kind
 * a key is, so that a garbled key is reported when it is read and not
 * as a bad signature on every bundle.
 */
gboolean
haven_bundle_decode_public_key (const char  *base64,
                                guint8      *public_key,
                                GError     **error)
{
  guint8 decoded[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];

  g_return_val_if_fail (base64 != NULL, FALSE);
  g_return_val_if_fail (public_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!decode_base64 (base64, decoded, sizeof decoded) ||
      !crypto_core_ed25519_is_valid_point (decoded))
    {
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_KEY,
                   _("The bundle signing key must be an Ed25519 public key of 32 bytes in "
                     "base64, as “havenctl bundle keygen” prints it"));
      return FALSE;
    }

  memcpy (public_key, decoded, sizeof decoded);
  return TRUE;
}

static gboolean
write_all (int           fd,
           const void   *data,
           gsize         length)
{
  const guint8 *bytes = data;

  for (gsize written = 0; written < length; )
    {
      gssize n = write (fd, bytes + written, length - written);

      if (n >= 0)
        written += (gsize) n;
      else if (errno != EINTR)
        return FALSE;
    }

  return TRUE;
}

/**
 * haven_bundle_write_secret_key_file:
 * @path: a file that does not exist yet
 *
 * Writes the secret key readable by its owner only: a comment line, then
 * the 64 bytes in base64. An existing file is never replaced, since
 * kiosks that hold its public key take bundles signed by it alone.
 */
gboolean
haven_bundle_write_secret_key_file (const char    *path,
                                    const guint8  *secret_key,
                                    GError       **error)
{
  g_autofree char *secret_text = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  int saved_errno = 0;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (secret_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  secret_text = g_base64_encode (secret_key, HAVEN_BUNDLE_SECRET_KEY_BYTES);
  contents = g_strdup_printf ("# Haven bundle signing key (Ed25519). Keep this file secret: "
                              "kiosks take the public key only.\n%s\n", secret_text);
  length = strlen (contents);
  sodium_memzero (secret_text, strlen (secret_text));

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      sodium_memzero (contents, length);
      /* Translators: the first %s is a file, the second why. */
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_IO,
                   _("The signing key cannot be written to %s: %s"), path,
                   g_strerror (saved_errno));
      return FALSE;
    }

  if (!write_all (fd, contents, length) || fsync (fd) != 0)
    saved_errno = errno;
  if (close (fd) != 0 && saved_errno == 0)
    saved_errno = errno;
  sodium_memzero (contents, length);

  if (saved_errno != 0)
    {
      g_unlink (path);
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_IO,
                   _("The signing key cannot be written to %s: %s"), path,
                   g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/**
 * haven_bundle_read_secret_key_file:
 * @path: a file haven_bundle_write_secret_key_file() wrote
 *
 * Refuses a file that its group or others may read or write, as ssh does
 * with a private key, and one whose key does not hold together.
 */
gboolean
haven_bundle_read_secret_key_file (const char  *path,
                                   guint8      *secret_key,
                                   GError     **error)
{
  g_autoptr(GError) read_error = NULL;
  g_autofree char *contents = NULL;
  guint8 decoded[HAVEN_BUNDLE_SECRET_KEY_BYTES];
  guint8 seed[crypto_sign_SEEDBYTES];
  guint8 public_key[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
  guint8 again[HAVEN_BUNDLE_SECRET_KEY_BYTES];
  gboolean found = FALSE;
  gboolean ok = FALSE;
  gsize length = 0;
  GStatBuf info;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (secret_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_stat (path, &info) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_KEY,
                   _("The signing key %s cannot be read: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  if ((info.st_mode & 077) != 0)
    {
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_KEY,
                   _("The signing key %s may be read or changed by others (mode %03o); "
                     "make it readable by its owner only (chmod 600)"),
                   path, (guint) (info.st_mode & 0777));
      return FALSE;
    }

  if (!g_file_get_contents (path, &contents, &length, &read_error))
    {
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_KEY,
                   _("The signing key %s cannot be read: %s"), path, read_error->message);
      return FALSE;
    }

  /* The first line that is not a comment holds the key. */
  for (char *line = contents, *next; line != NULL && !found; line = next)
    {
      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      g_strstrip (line);
      if (line[0] == '\0' || line[0] == '#')
        continue;

      found = TRUE;
      ok = decode_base64 (line, decoded, sizeof decoded);
    }
  sodium_memzero (contents, length);

  /* A key whose two halves do not belong together would sign bundles no
   * kiosk takes. */
  if (ok)
    {
      crypto_sign_ed25519_sk_to_seed (seed, decoded);
      crypto_sign_seed_keypair (public_key, again, seed);
      ok = sodium_memcmp (again, decoded, sizeof decoded) == 0;
      sodium_memzero (seed, sizeof seed);
      sodium_memzero (again, sizeof again);
    }

  if (!ok)
    {
      sodium_memzero (decoded, sizeof decoded);
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_KEY,
                   _("The signing key %s is not one that “havenctl bundle keygen” writes"),
                   path);
      return FALSE;
    }

  memcpy (secret_key, decoded, sizeof decoded);
  sodium_memzero (decoded, sizeof decoded);
  return TRUE;
}

/* ---- Files ---- */

/* Reads up to @length bytes; fewer only at the end of the file. -1 with
 * errno on failure. */
static gssize
read_full (int    fd,
           void  *buffer,
           gsize  length)
{
  guint8 *bytes = buffer;
  gsize done = 0;

  while (done < length)
    {
      gssize n = read (fd, bytes + done, length - done);

      if (n == 0)
        break;
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      done += (gsize) n;
    }

  return (gssize) done;
}

static gboolean
sync_folder (const char  *path,
             GError     **error)
{
  int fd = g_open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  int saved_errno;

  if (fd >= 0 && fsync (fd) == 0)
    {
      close (fd);
      return TRUE;
    }

  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  return set_io_error (error, path, saved_errno);
}

/* Removes a folder this file made, and what it holds; links are removed,
 * never followed. */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf info;

  if (g_lstat (path, &info) != 0)
    return;

  if (!S_ISDIR (info.st_mode))
    {
      g_unlink (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }

  g_rmdir (path);
}

/* ---- The directory, checked as a kiosk would open it ---- */

/* SQLite's quick_check, which reads every page, then the directory opened
 * as the kiosk opens it. */
static gboolean
check_directory (const char           *path,
                 HavenDirectoryStats **stats,
                 GError              **error)
{
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(GError) open_error = NULL;
  g_autofree char *absolute = NULL;
  g_autofree char *file_uri = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *problem = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;

  /* URIs, which SQLite's immutable flag needs, are absolute. */
  absolute = g_canonicalize_filename (path, NULL);
  file_uri = g_filename_to_uri (absolute, NULL, NULL);
  if (file_uri == NULL)
    {
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_DIRECTORY,
                   _("%s cannot be opened"), path);
      return FALSE;
    }
  /* Nothing writes the file while it is checked. */
  uri = g_strconcat (file_uri, "?immutable=1", NULL);

  if (sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK)
    {
      problem = g_strdup (db != NULL ? sqlite3_errmsg (db) : "out of memory");
    }
  else if (sqlite3_prepare_v2 (db, "PRAGMA quick_check", -1, &statement, NULL) != SQLITE_OK)
    {
      problem = g_strdup (sqlite3_errmsg (db));
    }
  else
    {
      int status = sqlite3_step (statement);

      if (status != SQLITE_ROW)
        problem = g_strdup (sqlite3_errmsg (db));
      else if (g_strcmp0 ((const char *) sqlite3_column_text (statement, 0), "ok") != 0)
        problem = g_strdup ((const char *) sqlite3_column_text (statement, 0));
    }
  sqlite3_finalize (statement);
  sqlite3_close (db);

  if (problem != NULL)
    {
      /* Translators: the first %s is a file, the second what SQLite found, in English. */
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_DIRECTORY,
                   _("%s is damaged: %s"), path, problem);
      return FALSE;
    }

  directory = haven_directory_open (absolute, NULL, &open_error);
  if (directory == NULL)
    {
      g_set_error_literal (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_DIRECTORY,
                           open_error->message);
      return FALSE;
    }

  if (stats != NULL)
    *stats = haven_directory_get_stats (directory, NULL);
  return TRUE;
}

/* The content's problems as one message: the first, and how many. */
static char *
describe_problems (GPtrArray *problems)
{
  const GError *first = problems->pdata[0];

  if (problems->len == 1)
    return g_strdup (first->message);

  /* Translators: %s is the first problem found, %u how many there are in all. */
  return g_strdup_printf (ngettext ("%s (and %u more problem; “havenctl content check” lists "
                                    "them all)",
                                    "%s (and %u more problems; “havenctl content check” lists "
                                    "them all)", problems->len - 1),
                          first->message, problems->len - 1);
}

/* ---- Writing ---- */

typedef struct {
  /* On the publisher's disk. */
  char *source;
  /* In the bundle. */
  char *path;
} Entry;

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->source);
  g_free (entry->path);
  g_free (entry);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const Entry *first = *(const Entry * const *) a;
  const Entry *second = *(const Entry * const *) b;

  return strcmp (first->path, second->path);
}

/* Every plain file under @folder (links followed), in @entries. Hidden
 * files (an editor's backups, a .git folder) are not content and stay
 * out. */
static gboolean
collect_content (const char  *folder,
                 const char  *relative,
                 guint        depth,
                 GPtrArray   *entries,
                 GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) dir_error = NULL;
  const char *name;

  dir = g_dir_open (folder, 0, &dir_error);
  if (dir == NULL)
    {
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_IO, "%s", dir_error->message);
      return FALSE;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *source = g_build_filename (folder, name, NULL);
      g_autofree char *path = g_strconcat (relative, "/", name, NULL);
      GStatBuf info;

      if (name[0] == '.')
        continue;

      if (g_stat (source, &info) != 0)
        return set_io_error (error, source, errno);

      if (S_ISDIR (info.st_mode))
        {
          /* The manifest's bound, which also ends a loop of links. */
          if (depth + 1 >= HAVEN_BUNDLE_MAX_PATH_DEPTH)
            {
              g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_CONTENT,
                           ngettext ("%s: the content folder goes more than %u folder deep",
                                     "%s: the content folder goes more than %u folders deep",
                                     HAVEN_BUNDLE_MAX_PATH_DEPTH - 2),
                           source, (guint) HAVEN_BUNDLE_MAX_PATH_DEPTH - 2);
              return FALSE;
            }
          if (!collect_content (source, path, depth + 1, entries, error))
            return FALSE;
        }
      else if (S_ISREG (info.st_mode))
        {
          Entry *entry = g_new0 (Entry, 1);

          entry->source = g_steal_pointer (&source);
          entry->path = g_steal_pointer (&path);
          g_ptr_array_add (entries, entry);
        }
    }

  return TRUE;
}

/* Size and SHA-256 of a file, in one pass. */
static gboolean
hash_file (const char  *path,
           guint64     *size,
           char       **sha256_hex,
           GError     **error)
{
  g_autofree guint8 *buffer = g_malloc (CHUNK_BYTES);
  crypto_hash_sha256_state state;
  guint8 digest[crypto_hash_sha256_BYTES];
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  gssize n;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return set_io_error (error, path, errno);

  crypto_hash_sha256_init (&state);
  *size = 0;
  while ((n = read_full (fd, buffer, CHUNK_BYTES)) > 0)
    {
      crypto_hash_sha256_update (&state, buffer, (gsize) n);
      *size += (guint64) n;
    }
  if (n < 0)
    {
      int saved_errno = errno;

      close (fd);
      return set_io_error (error, path, saved_errno);
    }
  close (fd);

  crypto_hash_sha256_final (&state, digest);
  sodium_bin2hex (hex, sizeof hex, digest, sizeof digest);
  *sha256_hex = g_strdup (hex);
  return TRUE;
}

/* Writes the bundle next to @output_path, under a temporary name that it
 * returns: the caller renames it into place, or removes it. */
static char *
write_temporary (const char          *manifest_text,
                 const char * const  *sources,
                 const guint8        *secret_key,
                 const char          *output_path,
                 GError             **error)
{
  g_autofree char *temporary = g_strconcat (output_path, ".XXXXXX", NULL);
  g_autofree guint8 *buffer = g_malloc (CHUNK_BYTES);
  crypto_sign_state state;
  guint8 signature[HAVEN_BUNDLE_SIGNATURE_BYTES] = { 0, };
  guint8 length_bytes[HAVEN_BUNDLE_LENGTH_BYTES];
  gsize manifest_length = strlen (manifest_text);
  const char *failed_path = temporary;
  int saved_errno = 0;
  int fd;

  haven_bundle_ensure_sodium ();

  /* Read by the intake service and by anyone the organisation gives it
   * to: what it holds is public. */
  fd = g_mkstemp_full (temporary, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      set_io_error (error, output_path, errno);
      return NULL;
    }

  length_bytes[0] = (guint8) (manifest_length >> 24);
  length_bytes[1] = (guint8) (manifest_length >> 16);
  length_bytes[2] = (guint8) (manifest_length >> 8);
  length_bytes[3] = (guint8) manifest_length;

  crypto_sign_init (&state);
  crypto_sign_update (&state, length_bytes, sizeof length_bytes);
  crypto_sign_update (&state, (const guint8 *) manifest_text, manifest_length);

  /* The signature's place is filled in once everything after it is
   * written. */
  if (!write_all (fd, HAVEN_BUNDLE_MAGIC, HAVEN_BUNDLE_MAGIC_BYTES) ||
      !write_all (fd, signature, sizeof signature) ||
      !write_all (fd, length_bytes, sizeof length_bytes) ||
      !write_all (fd, manifest_text, manifest_length))
    saved_errno = errno;

  for (guint i = 0; sources[i] != NULL && saved_errno == 0; i++)
    {
      int source = g_open (sources[i], O_RDONLY | O_CLOEXEC, 0);
      gssize n = 0;

      if (source < 0)
        {
          saved_errno = errno;
          failed_path = sources[i];
          break;
        }

      while (saved_errno == 0 && (n = read_full (source, buffer, CHUNK_BYTES)) > 0)
        {
          crypto_sign_update (&state, buffer, (gsize) n);
          if (!write_all (fd, buffer, (gsize) n))
            saved_errno = errno;
        }
      if (n < 0)
        {
          saved_errno = errno;
          failed_path = sources[i];
        }
      close (source);
    }

  if (saved_errno == 0)
    {
      crypto_sign_final_create (&state, signature, NULL, secret_key);
      if (pwrite (fd, signature, sizeof signature, HAVEN_BUNDLE_MAGIC_BYTES) !=
          (gssize) sizeof signature || fsync (fd) != 0)
        saved_errno = errno != 0 ? errno : EIO;
    }
  sodium_memzero (&state, sizeof state);

  if (close (fd) != 0 && saved_errno == 0)
    saved_errno = errno;

  if (saved_errno != 0)
    {
      g_unlink (temporary);
      set_io_error (error, failed_path, saved_errno);
      return NULL;
    }

  return g_steal_pointer (&temporary);
}

static gboolean
commit (const char  *temporary,
        const char  *output_path,
        GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (output_path);

  if (g_rename (temporary, output_path) != 0)
    {
      int saved_errno = errno;

      g_unlink (temporary);
      return set_io_error (error, output_path, saved_errno);
    }

  /* The rename is only durable once the folder is synced. */
  return sync_folder (folder, error);
}

gboolean
haven_bundle_write_raw (const char          *manifest_text,
                        const char * const  *sources,
                        const guint8        *secret_key,
                        const char          *output_path,
                        GError             **error)
{
  g_autofree char *temporary = NULL;

  g_return_val_if_fail (manifest_text != NULL, FALSE);
  g_return_val_if_fail (sources != NULL, FALSE);
  g_return_val_if_fail (secret_key != NULL, FALSE);
  g_return_val_if_fail (output_path != NULL, FALSE);

  temporary = write_temporary (manifest_text, sources, secret_key, output_path, error);
  return temporary != NULL && commit (temporary, output_path, error);
}

static char *
format_utc (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
build_manifest (guint64               version,
                const char           *publisher,
                HavenDirectoryStats  *stats,
                const char           *content_version,
                GPtrArray            *entries,
                GError              **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) synced_at = NULL;
  g_autofree char *created = format_utc (now);

  if (stats->imported_at != NULL)
    synced_at = g_date_time_new_from_iso8601 (stats->imported_at, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, HAVEN_BUNDLE_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, (gint64) version);
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  json_builder_set_member_name (builder, "publisher");
  json_builder_add_string_value (builder, publisher);

  json_builder_set_member_name (builder, "directory");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, HAVEN_BUNDLE_DIRECTORY_FILE);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, stats->source != NULL ? stats->source : "");
  json_builder_set_member_name (builder, "synced_at");
  if (synced_at != NULL)
    {
      g_autofree char *text = format_utc (synced_at);

      json_builder_add_string_value (builder, text);
    }
  else
    {
      json_builder_add_null_value (builder);
    }
  json_builder_set_member_name (builder, "services");
  json_builder_add_int_value (builder, stats->n_services);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "content");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  if (content_version != NULL)
    json_builder_add_string_value (builder, content_version);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "files");
  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = entries->pdata[i];
      g_autofree char *sha256 = NULL;
      guint64 size = 0;

      if (!hash_file (entry->source, &size, &sha256, error))
        return NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, entry->path);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) size);
      json_builder_set_member_name (builder, "sha256");
      json_builder_add_string_value (builder, sha256);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

/**
 * haven_bundle_write:
 * @directory_db: a directory database, as `havenctl directory import` or
 *   the sync writes it
 * @content_dir: (nullable): a content folder; %NULL for a bundle of the
 *   directory alone
 * @version: greater than that of every bundle published before; at most
 *   %G_MAXINT64
 * @publisher: (nullable): who publishes it, as kiosks show it
 * @secret_key: the organisation's signing key
 * @output_path: where the bundle goes; a file there is replaced at once,
 *   so the intake service serves either the old bundle or the new one
 *
 * Refuses a directory that does not open or fails SQLite's check, and
 * content that fails `havenctl content check`, since no kiosk would take
 * them; and checks the bundle written as a kiosk does before it is put in
 * place.
 */
gboolean
haven_bundle_write (const char    *directory_db,
                    const char    *content_dir,
                    guint64        version,
                    const char    *publisher,
                    const guint8  *secret_key,
                    const char    *output_path,
                    GError       **error)
{
  g_autoptr(HavenDirectoryStats) stats = NULL;
  g_autoptr(HavenContent) content = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (entry_free);
  g_autoptr(GPtrArray) sources = g_ptr_array_new ();
  g_autoptr(HavenBundleManifest) written = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *manifest_text = NULL;
  g_autofree char *temporary = NULL;
  guint8 public_key[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
  Entry *directory_entry;

  g_return_val_if_fail (directory_db != NULL, FALSE);
  g_return_val_if_fail (version > 0 && version <= G_MAXINT64, FALSE);
  g_return_val_if_fail (secret_key != NULL, FALSE);
  g_return_val_if_fail (output_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  haven_bundle_ensure_sodium ();

  if (!check_directory (directory_db, &stats, &local_error))
    {
      /* Translators: %s says what is wrong with the directory. */
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_DIRECTORY,
                   _("The service directory cannot be bundled: %s"), local_error->message);
      return FALSE;
    }

  directory_entry = g_new0 (Entry, 1);
  directory_entry->source = g_strdup (directory_db);
  directory_entry->path = g_strdup (HAVEN_BUNDLE_DIRECTORY_FILE);
  g_ptr_array_add (entries, directory_entry);

  if (content_dir != NULL)
    {
      g_autoptr(GPtrArray) problems = haven_content_check (content_dir, NULL, NULL, &content);
      g_autoptr(GPtrArray) content_entries = g_ptr_array_new_with_free_func (entry_free);

      if (problems->len > 0)
        {
          g_autofree char *described = describe_problems (problems);

          /* Translators: the first %s is a folder, the second its problems. */
          g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_CONTENT,
                       _("The content in %s cannot be bundled: %s"), content_dir, described);
          return FALSE;
        }

      if (!collect_content (content_dir, HAVEN_BUNDLE_CONTENT_DIR, 1, content_entries, error))
        return FALSE;
      g_ptr_array_sort (content_entries, compare_entries);
      g_ptr_array_extend_and_steal (entries, g_steal_pointer (&content_entries));
    }

  manifest_text = build_manifest (version, publisher != NULL ? publisher : "", stats,
                                  content != NULL ? haven_content_get_version (content) : NULL,
                                  entries, error);
  if (manifest_text == NULL)
    return FALSE;

  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add (sources, ((Entry *) entries->pdata[i])->source);
  g_ptr_array_add (sources, NULL);

  temporary = write_temporary (manifest_text, (const char * const *) sources->pdata, secret_key,
                               output_path, error);
  if (temporary == NULL)
    return FALSE;

  /* A file that changed while it was bundled, or a name no kiosk would
   * unpack, shows here rather than on every kiosk. */
  haven_bundle_secret_key_to_public (secret_key, public_key);
  written = haven_bundle_verify (temporary, public_key, &local_error);
  if (written == NULL)
    {
      g_unlink (temporary);
      /* Translators: %s says what is wrong with the bundle written. */
      g_set_error (error, HAVEN_BUNDLE_ERROR, local_error->code,
                   _("The bundle written does not pass its own check, and was not kept: %s"),
                   local_error->message);
      return FALSE;
    }

  return commit (temporary, output_path, error);
}

/* ---- Reading ---- */

typedef struct {
  const char *path;
  int fd;
  guint64 size;
  guint32 manifest_length;
  HavenBundleManifest *manifest;
} Reader;

static void
reader_clear (Reader *reader)
{
  if (reader->fd >= 0)
    close (reader->fd);
  reader->fd = -1;
  g_clear_object (&reader->manifest);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reader, reader_clear)

static gboolean
truncated (Reader      *reader,
           guint64      needed,
           GError     **error)
{
  g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT, reader->size);
  g_autofree char *at_least = g_strdup_printf ("%" G_GUINT64_FORMAT, needed);

  /* Translators: %s is a file, then two numbers of bytes. */
  return set_kept_error (error, HAVEN_BUNDLE_ERROR_TRUNCATED,
                         _("The bundle %s is incomplete, a download cut short: it has %s bytes "
                           "where its header needs at least %s"),
                         reader->path, size, at_least);
}

/* The first pass: the signature over everything after it, streamed, with
 * the manifest kept from the same bytes; then the manifest parsed, and
 * only then. */
static gboolean
reader_verify (Reader        *reader,
               const guint8  *public_key,
               GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *buffer = g_malloc (CHUNK_BYTES);
  g_autofree char *manifest_text = NULL;
  guint8 header[HAVEN_BUNDLE_HEADER_BYTES];
  const guint8 *signature = header + HAVEN_BUNDLE_MAGIC_BYTES;
  const guint8 *length_bytes = signature + HAVEN_BUNDLE_SIGNATURE_BYTES;
  crypto_sign_state state;
  gboolean keep_manifest;
  guint64 done = 0;
  guint64 expected;
  struct stat info;
  gssize n;

  haven_bundle_ensure_sodium ();

  reader->fd = g_open (reader->path, O_RDONLY | O_CLOEXEC, 0);
  if (reader->fd < 0 || fstat (reader->fd, &info) != 0)
    {
      int saved_errno = errno;

      /* Translators: the first %s is a file, the second why. */
      return set_kept_error (error, HAVEN_BUNDLE_ERROR_IO, _("The bundle %s cannot be read: %s"),
                             reader->path, g_strerror (saved_errno));
    }
  if (!S_ISREG (info.st_mode))
    return set_kept_error (error, HAVEN_BUNDLE_ERROR_FORMAT, _("The bundle %s is not a file"),
                           reader->path);
  reader->size = (guint64) info.st_size;

  n = read_full (reader->fd, header, sizeof header);
  if (n < 0)
    return set_kept_error (error, HAVEN_BUNDLE_ERROR_IO, _("The bundle %s cannot be read: %s"),
                           reader->path, g_strerror (errno));

  /* The start of the magic, cut short, is a download cut short. */
  if (memcmp (header, HAVEN_BUNDLE_MAGIC, MIN ((gsize) n, HAVEN_BUNDLE_MAGIC_BYTES)) != 0)
    return set_kept_error (error, HAVEN_BUNDLE_ERROR_FORMAT,
                           _("The file %s is not a Haven bundle"), reader->path);
  if ((gsize) n < sizeof header)
    return truncated (reader, HAVEN_BUNDLE_HEADER_BYTES, error);

  reader->manifest_length = (guint32) length_bytes[0] << 24 | (guint32) length_bytes[1] << 16 |
                            (guint32) length_bytes[2] << 8 | length_bytes[3];
  expected = HAVEN_BUNDLE_HEADER_BYTES + (guint64) reader->manifest_length;
  if (reader->size < expected)
    return truncated (reader, expected, error);

  /* A length beyond the bound is not kept, but the signature is still
   * what decides: a byte changed in the length is a bad signature, and
   * only a signed manifest that long is refused as too long. */
  keep_manifest = reader->manifest_length <= HAVEN_BUNDLE_MAX_MANIFEST_BYTES;
  if (keep_manifest)
    manifest_text = g_malloc (reader->manifest_length + 1);

  crypto_sign_init (&state);
  crypto_sign_update (&state, length_bytes, HAVEN_BUNDLE_LENGTH_BYTES);
  while ((n = read_full (reader->fd, buffer, CHUNK_BYTES)) > 0)
    {
      if (keep_manifest && done < reader->manifest_length)
        memcpy (manifest_text + done, buffer, MIN ((guint64) n, reader->manifest_length - done));

      crypto_sign_update (&state, buffer, (gsize) n);
      done += (guint64) n;
    }
  if (n < 0)
    return set_kept_error (error, HAVEN_BUNDLE_ERROR_IO, _("The bundle %s cannot be read: %s"),
                           reader->path, g_strerror (errno));

  /* The file shrank while it was read: it is being written still. */
  if (HAVEN_BUNDLE_HEADER_BYTES + done < expected)
    return truncated (reader, expected, error);
  reader->size = HAVEN_BUNDLE_HEADER_BYTES + done;

  if (crypto_sign_final_verify (&state, signature, public_key) != 0)
    return set_kept_error (error, HAVEN_BUNDLE_ERROR_SIGNATURE,
                           _("The bundle %s is not signed by the organisation’s key, or was "
                             "changed or damaged after it was signed"),
                           reader->path);

  if (!keep_manifest)
    return set_kept_error (error, HAVEN_BUNDLE_ERROR_FORMAT,
                           _("The bundle %s has a manifest longer than this version of Haven "
                             "reads"),
                           reader->path);

  reader->manifest = haven_bundle_manifest_parse (manifest_text, reader->manifest_length,
                                                  &local_error);
  if (reader->manifest == NULL)
    /* Translators: the first %s is a file, the second what is wrong with it. */
    return set_kept_error (error, HAVEN_BUNDLE_ERROR_FORMAT,
                           _("The bundle %s cannot be used: %s"), reader->path,
                           local_error->message);

  /* Its files must fill it to the last byte: nothing unsigned-for may
   * follow them, and none may be missing. */
  if (reader->size != expected + haven_bundle_manifest_get_total_size (reader->manifest))
    return set_kept_error (error, HAVEN_BUNDLE_ERROR_FORMAT,
                           _("The bundle %s cannot be used: its length is not that of the files "
                             "its manifest lists"),
                           reader->path);

  return TRUE;
}

/* The second pass: each file's bytes against the size and SHA-256 the
 * verified manifest gives it, written under @folder when it is not NULL.
 * Every folder written to is added to @folders, to be synced. */
static gboolean
reader_read_files (Reader      *reader,
                   const char  *folder,
                   GHashTable  *folders,
                   GError     **error)
{
  g_autofree guint8 *buffer = g_malloc (CHUNK_BYTES);
  const HavenBundleFile *files;
  guint n_files = 0;

  files = haven_bundle_manifest_get_files (reader->manifest, &n_files);
  if (lseek (reader->fd, HAVEN_BUNDLE_HEADER_BYTES + (off_t) reader->manifest_length,
             SEEK_SET) < 0)
    return set_kept_error (error, HAVEN_BUNDLE_ERROR_IO, _("The bundle %s cannot be read: %s"),
                           reader->path, g_strerror (errno));

  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *target = NULL;
      crypto_hash_sha256_state state;
      guint8 digest[crypto_hash_sha256_BYTES];
      guint64 left = files[i].size;
      int saved_errno = 0;
      int out = -1;

      if (folder != NULL)
        {
          g_autofree char *parent = NULL;

          target = g_build_filename (folder, files[i].path, NULL);
          parent = g_path_get_dirname (target);
          if (g_mkdir_with_parents (parent, 0755) != 0)
            {
              saved_errno = errno;
              /* Translators: the first %s is a file, the second why. */
              return set_kept_error (error, HAVEN_BUNDLE_ERROR_IO,
                                     _("The bundle cannot be unpacked into %s: %s"), parent,
                                     g_strerror (saved_errno));
            }
          g_hash_table_add (folders, g_steal_pointer (&parent));

          out = g_open (target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
          if (out < 0)
            return set_kept_error (error, HAVEN_BUNDLE_ERROR_IO,
                                   _("The bundle cannot be unpacked into %s: %s"), target,
                                   g_strerror (errno));
        }

      crypto_hash_sha256_init (&state);
      while (left > 0 && saved_errno == 0)
        {
          gssize n = read_full (reader->fd, buffer, MIN (left, (guint64) CHUNK_BYTES));

          if (n <= 0)
            {
              if (out >= 0)
                close (out);
              if (n < 0)
                return set_kept_error (error, HAVEN_BUNDLE_ERROR_IO,
                                       _("The bundle %s cannot be read: %s"), reader->path,
                                       g_strerror (errno));
              return truncated (reader, reader->size, error);
            }

          crypto_hash_sha256_update (&state, buffer, (gsize) n);
          if (out >= 0 && !write_all (out, buffer, (gsize) n))
            saved_errno = errno;
          left -= (guint64) n;
        }

      if (out >= 0)
        {
          if (saved_errno == 0 && fsync (out) != 0)
            saved_errno = errno;
          if (close (out) != 0 && saved_errno == 0)
            saved_errno = errno;
        }
      if (saved_errno != 0)
        return set_kept_error (error, HAVEN_BUNDLE_ERROR_IO,
                               _("The bundle cannot be unpacked into %s: %s"), target,
                               g_strerror (saved_errno));

      /* The bytes were signed; bytes that differ now were changed on disk
       * between the two passes. */
      crypto_hash_sha256_final (&state, digest);
      if (sodium_memcmp (digest, files[i].sha256, sizeof digest) != 0)
        /* Translators: the first %s is a file, the second a path in it. */
        return set_kept_error (error, HAVEN_BUNDLE_ERROR_SIGNATURE,
                               _("The bundle %s was changed while it was read: %s is not what "
                                 "was signed"),
                               reader->path, files[i].path);
    }

  return TRUE;
}

/**
 * haven_bundle_verify:
 * @bundle_path: a bundle
 * @public_key: the organisation's signing key
 *
 * Checks the signature, the manifest and every file's checksum, without
 * unpacking anything: what `havenctl bundle show` shows is what a kiosk
 * would take, but for the directory and content checks that need the
 * files on disk.
 *
 * Returns: (transfer full): its manifest, or %NULL with @error set
 */
HavenBundleManifest *
haven_bundle_verify (const char    *bundle_path,
                     const guint8  *public_key,
                     GError       **error)
{
  g_auto(Reader) reader = { .path = bundle_path, .fd = -1, };

  g_return_val_if_fail (bundle_path != NULL, NULL);
  g_return_val_if_fail (public_key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!reader_verify (&reader, public_key, error) ||
      !reader_read_files (&reader, NULL, NULL, error))
    return NULL;

  return g_steal_pointer (&reader.manifest);
}

/* The unpacked files as the kiosk will read them. */
static gboolean
check_unpacked (Reader      *reader,
                const char  *folder,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *directory_path = g_build_filename (folder, HAVEN_BUNDLE_DIRECTORY_FILE, NULL);
  const char *content_version = haven_bundle_manifest_get_content_version (reader->manifest);

  if (!check_directory (directory_path, NULL, &local_error))
    /* Translators: the first %s is a file, the second what is wrong with its directory. */
    return set_kept_error (error, HAVEN_BUNDLE_ERROR_DIRECTORY,
                           _("The service directory in the bundle %s cannot be used: %s"),
                           reader->path, local_error->message);

  if (content_version != NULL)
    {
      g_autofree char *content_dir = g_build_filename (folder, HAVEN_BUNDLE_CONTENT_DIR, NULL);
      g_autoptr(HavenContent) content = NULL;
      g_autoptr(GPtrArray) problems = haven_content_check (content_dir, NULL, NULL, &content);

      if (problems->len > 0)
        {
          g_autofree char *described = describe_problems (problems);

          /* Translators: the first %s is a file, the second the content's problems. */
          return set_kept_error (error, HAVEN_BUNDLE_ERROR_CONTENT,
                                 _("The content in the bundle %s fails its check: %s"),
                                 reader->path, described);
        }

      if (!g_str_equal (haven_content_get_version (content), content_version))
        return set_kept_error (error, HAVEN_BUNDLE_ERROR_CONTENT,
                               _("The content in the bundle %s is not the version its manifest "
                                 "gives"),
                               reader->path);
    }

  return TRUE;
}

static gboolean
write_manifest_file (Reader      *reader,
                     const char  *folder,
                     GError     **error)
{
  g_autofree char *path = g_build_filename (folder, HAVEN_BUNDLE_MANIFEST_FILE, NULL);
  const char *text = haven_bundle_manifest_get_text (reader->manifest);
  int saved_errno = 0;
  int fd;

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    saved_errno = errno;
  else if (!write_all (fd, text, strlen (text)) || fsync (fd) != 0)
    saved_errno = errno;
  if (fd >= 0 && close (fd) != 0 && saved_errno == 0)
    saved_errno = errno;

  if (saved_errno != 0)
    return set_kept_error (error, HAVEN_BUNDLE_ERROR_IO,
                           _("The bundle cannot be unpacked into %s: %s"), path,
                           g_strerror (saved_errno));
  return TRUE;
}

/* Everything between verifying and the rename, in @partial. */
static gboolean
unpack (Reader      *reader,
        const char  *partial,
        const char  *target_dir,
        GError     **error)
{
  g_autoptr(GHashTable) folders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) sync_error = NULL;
  g_autofree char *parent = g_path_get_dirname (target_dir);
  GHashTableIter iter;
  gpointer folder;

  if (!reader_read_files (reader, partial, folders, error) ||
      !write_manifest_file (reader, partial, error) ||
      !check_unpacked (reader, partial, error))
    return FALSE;

  /* What was written is on the disk before its name is. */
  g_hash_table_add (folders, g_strdup (partial));
  g_hash_table_iter_init (&iter, folders);
  while (g_hash_table_iter_next (&iter, &folder, NULL))
    {
      if (!sync_folder (folder, &sync_error))
        return set_kept_error (error, HAVEN_BUNDLE_ERROR_IO,
                               _("The bundle cannot be unpacked: %s"), sync_error->message);
    }

  if (g_rename (partial, target_dir) != 0)
    return set_kept_error (error, HAVEN_BUNDLE_ERROR_IO,
                           _("The bundle cannot be unpacked into %s: %s"), target_dir,
                           g_strerror (errno));

  if (!sync_folder (parent, &sync_error))
    {
      remove_tree (target_dir);
      return set_kept_error (error, HAVEN_BUNDLE_ERROR_IO,
                             _("The bundle cannot be unpacked: %s"), sync_error->message);
    }

  return TRUE;
}

/**
 * haven_bundle_verify_and_unpack:
 * @bundle_path: a bundle, as downloaded
 * @public_key: the organisation's signing key, from the kiosk's settings
 * @version_in_use: the version of the bundle in use; 0 for none
 * @target_dir: a folder that does not exist yet, in one that does
 * @out_manifest: (out) (optional) (transfer full): the bundle's manifest
 *
 * Takes a bundle as a kiosk must (see the top of this file): the
 * signature, then the version, then the files and the result as the
 * kiosk will read it. @target_dir appears with the directory database,
 * the content folder and the manifest once everything passed, and
 * otherwise not at all; what is in use is never touched, swapping it is
 * the caller's. A folder named .partial-XXXXXX beside @target_dir is
 * used meanwhile, and removed on failure; one left by a power cut may be
 * removed by the caller.
 *
 * Returns: %TRUE when @target_dir holds the bundle; otherwise %FALSE with
 *   @error set in HAVEN_BUNDLE_ERROR, %HAVEN_BUNDLE_ERROR_SAME for the
 *   version in use
 */
gboolean
haven_bundle_verify_and_unpack (const char            *bundle_path,
                                const guint8          *public_key,
                                guint64                version_in_use,
                                const char            *target_dir,
                                HavenBundleManifest  **out_manifest,
                                GError               **error)
{
  g_auto(Reader) reader = { .path = bundle_path, .fd = -1, };
  g_autofree char *parent = NULL;
  g_autofree char *partial = NULL;
  guint64 version;
  GStatBuf info;

  g_return_val_if_fail (bundle_path != NULL, FALSE);
  g_return_val_if_fail (public_key != NULL, FALSE);
  g_return_val_if_fail (target_dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_lstat (target_dir, &info) == 0)
    return set_kept_error (error, HAVEN_BUNDLE_ERROR_IO,
                           _("The bundle cannot be unpacked into %s: %s"), target_dir,
                           g_strerror (EEXIST));

  if (!reader_verify (&reader, public_key, error))
    return FALSE;

  version = haven_bundle_manifest_get_version (reader.manifest);
  if (version <= version_in_use)
    {
      g_autofree char *version_text = g_strdup_printf ("%" G_GUINT64_FORMAT, version);
      g_autofree char *in_use_text = g_strdup_printf ("%" G_GUINT64_FORMAT, version_in_use);

      if (version == version_in_use)
        /* Translators: %s is a file, then a version number. */
        return set_kept_error (error, HAVEN_BUNDLE_ERROR_SAME,
                               _("The bundle %s is version %s, the one in use already"),
                               bundle_path, version_text);

      /* An older bundle signed by the right key is still refused: one
       * replayed by whoever sits between the kiosk and the intake service
       * would bring back services the organisation took out. */
      /* Translators: %s is a file, then two version numbers. */
      return set_kept_error (error, HAVEN_BUNDLE_ERROR_DOWNGRADE,
                             _("The bundle %s is version %s, older than version %s in use"),
                             bundle_path, version_text, in_use_text);
    }

  parent = g_path_get_dirname (target_dir);
  partial = g_build_filename (parent, ".partial-XXXXXX", NULL);
  if (g_mkdtemp_full (partial, 0755) == NULL)
    return set_kept_error (error, HAVEN_BUNDLE_ERROR_IO,
                           _("The bundle cannot be unpacked into %s: %s"), parent,
                           g_strerror (errno));

  if (!unpack (&reader, partial, target_dir, error))
    {
      remove_tree (partial);
      return FALSE;
    }

  if (out_manifest != NULL)
    *out_manifest = g_steal_pointer (&reader.manifest);
  return TRUE;
}

/**
 * haven_bundle_write_compressed_copy:
 * @bundle_path: a bundle haven_bundle_write() wrote
 *
 * Writes a gzip-compressed copy beside @bundle_path, for the intake
 * service to send to kiosks that take gzip (every kiosk does: libsoup
 * decodes it): a directory database shrinks to about a fifth. The copy is
 * named by the first 16 bytes of the bundle's signature, in hex, as the
 * service's ETag is (FILE.HEX.gz), so it is only ever sent for the bundle
 * it is of; the copies of earlier bundles are removed.
 *
 * Returns: (transfer full) (nullable): the copy's path, or %NULL with
 *   @error set
 */
char *
haven_bundle_write_compressed_copy (const char  *bundle_path,
                                    GError     **error)
{
  g_autofree char *target = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *base = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(GFile) source = NULL;
  g_autoptr(GFile) destination = NULL;
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GFileOutputStream) output = NULL;
  g_autoptr(GZlibCompressor) compressor = NULL;
  g_autoptr(GOutputStream) compressed = NULL;
  g_autoptr(GDir) dir = NULL;
  guint8 start[HAVEN_BUNDLE_MAGIC_BYTES + 16];
  char hex[16 * 2 + 1];
  gsize n_read = 0;
  const char *name;

  g_return_val_if_fail (bundle_path != NULL, NULL);

  source = g_file_new_for_path (bundle_path);
  input = g_file_read (source, NULL, error);
  if (input == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (input), start, sizeof start, &n_read, NULL,
                                error))
    return NULL;
  if (n_read != sizeof start || memcmp (start, HAVEN_BUNDLE_MAGIC, HAVEN_BUNDLE_MAGIC_BYTES) != 0)
    {
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_FORMAT,
                   _("The file %s is not a Haven bundle"), bundle_path);
      return NULL;
    }
  sodium_bin2hex (hex, sizeof hex, start + HAVEN_BUNDLE_MAGIC_BYTES, 16);
  if (!g_seekable_seek (G_SEEKABLE (input), 0, G_SEEK_SET, NULL, error))
    return NULL;

  target = g_strdup_printf ("%s.%s.gz", bundle_path, hex);
  destination = g_file_new_for_path (target);
  /* g_file_replace() writes beside and renames when closed. */
  output = g_file_replace (destination, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                           error);
  if (output == NULL)
    return NULL;

  compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  compressed = g_converter_output_stream_new (G_OUTPUT_STREAM (output),
                                              G_CONVERTER (compressor));
  if (g_output_stream_splice (compressed, G_INPUT_STREAM (input),
                              G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                              G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return NULL;

  /* The copies of earlier bundles are of no use any more. */
  folder = g_path_get_dirname (bundle_path);
  base = g_path_get_basename (bundle_path);
  prefix = g_strconcat (base, ".", NULL);
  dir = g_dir_open (folder, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;

      if (!g_str_has_prefix (name, prefix) || !g_str_has_suffix (name, ".gz") ||
          strlen (name) != strlen (prefix) + sizeof hex - 1 + strlen (".gz"))
        continue;
      path = g_build_filename (folder, name, NULL);
      if (g_strcmp0 (path, target) != 0)
        g_unlink (path);
    }

  return g_steal_pointer (&target);
}
