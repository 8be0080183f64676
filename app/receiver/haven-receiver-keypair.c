/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver-keypair"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "haven-receiver-keypair.h"
#include "haven-sealed-box.h"

/* The receiver's X25519 key pair for sealed bodies (haven-api-v1.md, "Sealed
 * bodies"): kiosks seal each request with crypto_box_seal() to the public
 * key, so nothing queued on a kiosk can be read without the secret key
 * kept here.
 *
 * The file is text, so an operator can see which key it holds:
 *
 *   # comment lines
 *   public <base64 of the 32-byte public key>
 *   secret <base64 of the 32-byte secret key>
 *
 * and must be readable by its owner only. Generating, encoding and opening
 * are the kiosk's own code (haven-sealed-box.c), so both ends of a sealed
 * body agree by construction; only reading the file and checking that its
 * two keys belong together are the receiver's. sodium_init() must have been
 * called before anything here is used. */

struct _HavenReceiverKeypair
{
  GObject parent_instance;

  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 secret_key[HAVEN_SEALED_BOX_KEY_BYTES];
};

G_DEFINE_FINAL_TYPE (HavenReceiverKeypair, haven_receiver_keypair, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-receiver-keypair-error-quark, haven_receiver_keypair_error)

static void
haven_receiver_keypair_finalize (GObject *object)
{
  HavenReceiverKeypair *self = HAVEN_RECEIVER_KEYPAIR (object);

  sodium_memzero (self->secret_key, sizeof self->secret_key);

  G_OBJECT_CLASS (haven_receiver_keypair_parent_class)->finalize (object);
}

static void
haven_receiver_keypair_class_init (HavenReceiverKeypairClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_receiver_keypair_finalize;
}

static void
haven_receiver_keypair_init (HavenReceiverKeypair *self)
{
}

HavenReceiverKeypair *
haven_receiver_keypair_generate (void)
{
  HavenReceiverKeypair *self = g_object_new (HAVEN_TYPE_RECEIVER_KEYPAIR, NULL);

  haven_sealed_box_generate_key_pair (self->public_key, self->secret_key);

  return self;
}

/* Decodes one base64 value of exactly @length bytes into @out. */
static gboolean
decode_key (const char *text,
            guint8     *out,
            gsize       length)
{
  gsize decoded_length = 0;
  guchar *decoded;
  gboolean ok;

  /* g_base64_decode() skips what is not base64 rather than failing. */
  for (const char *c = text; *c != '\0'; c++)
    {
      if (!g_ascii_isalnum (*c) && *c != '+' && *c != '/' && *c != '=')
        return FALSE;
    }

  decoded = g_base64_decode (text, &decoded_length);
  ok = decoded_length == length;
  if (ok)
    memcpy (out, decoded, length);
  sodium_memzero (decoded, decoded_length);
  g_free (decoded);

  return ok;
}

static gboolean
parse_keypair (HavenReceiverKeypair *self,
               char                 *contents)
{
  gboolean have_public = FALSE;
  gboolean have_secret = FALSE;
  guint8 derived_public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  char *line;
  char *next = contents;

  while ((line = next) != NULL)
    {
      char *end = strchr (line, '\n');

      next = end != NULL ? end + 1 : NULL;
      if (end != NULL)
        *end = '\0';
      g_strstrip (line);

      if (line[0] == '\0' || line[0] == '#')
        continue;

      if (g_str_has_prefix (line, "public ") && !have_public)
        {
          if (!decode_key (g_strchug (line + strlen ("public ")),
                           self->public_key, sizeof self->public_key))
            return FALSE;
          have_public = TRUE;
        }
      else if (g_str_has_prefix (line, "secret ") && !have_secret)
        {
          if (!decode_key (g_strchug (line + strlen ("secret ")),
                           self->secret_key, sizeof self->secret_key))
            return FALSE;
          have_secret = TRUE;
        }
      else
        {
          return FALSE;
        }
    }

  if (!have_public || !have_secret)
    return FALSE;

  /* A public key that is not the secret key's would make kiosks seal
   * bodies that nobody can open. */
  crypto_scalarmult_base (derived_public_key, self->secret_key);
  return sodium_memcmp (derived_public_key, self->public_key, sizeof derived_public_key) == 0;
}

/**
 * haven_receiver_keypair_load:
 * @path: a file written by haven_receiver_keypair_save()
 *
 * Refuses a file that its group or others may read or write, as ssh does
 * with a private key: the secret key is what keeps queued requests
 * unreadable.
 */
HavenReceiverKeypair *
haven_receiver_keypair_load (const char  *path,
                             GError     **error)
{
  g_autoptr(HavenReceiverKeypair) self = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  GStatBuf info;
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_stat (path, &info) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HAVEN_RECEIVER_KEYPAIR_ERROR, HAVEN_RECEIVER_KEYPAIR_ERROR_FILE,
                   _("The key pair %s cannot be read: %s"), path, g_strerror (saved_errno));
      return NULL;
    }

  if ((info.st_mode & 077) != 0)
    {
      g_set_error (error, HAVEN_RECEIVER_KEYPAIR_ERROR, HAVEN_RECEIVER_KEYPAIR_ERROR_INSECURE,
                   _("The key pair %s may be read or changed by others (mode %03o); "
                     "make it readable by its owner only (chmod 600)"),
                   path, (guint) (info.st_mode & 0777));
      return NULL;
    }

  if (!g_file_get_contents (path, &contents, &length, &read_error))
    {
      g_set_error (error, HAVEN_RECEIVER_KEYPAIR_ERROR, HAVEN_RECEIVER_KEYPAIR_ERROR_FILE,
                   _("The key pair %s cannot be read: %s"), path, read_error->message);
      return NULL;
    }

  self = g_object_new (HAVEN_TYPE_RECEIVER_KEYPAIR, NULL);
  ok = parse_keypair (self, contents);
  sodium_memzero (contents, length);

  if (!ok)
    {
      g_set_error (error, HAVEN_RECEIVER_KEYPAIR_ERROR, HAVEN_RECEIVER_KEYPAIR_ERROR_INVALID,
                   _("The key pair %s is not one that haven-receiver --make-keypair writes"),
                   path);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * haven_receiver_keypair_save:
 * @path: a file that does not exist yet
 *
 * Writes the key pair readable by its owner only. An existing file is
 * never replaced: losing a secret key loses every request sealed to it
 * that is still queued on a kiosk.
 */
gboolean
haven_receiver_keypair_save (HavenReceiverKeypair  *self,
                             const char            *path,
                             GError               **error)
{
  g_autofree char *public_text = NULL;
  g_autofree char *secret_text = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  int fd;
  int saved_errno = 0;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_KEYPAIR (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  public_text = haven_sealed_box_encode_key (self->public_key);
  secret_text = haven_sealed_box_encode_key (self->secret_key);
  contents = g_strdup_printf ("# haven-receiver key pair (X25519, for sealed bodies).\n"
                              "# Keep this file secret: kiosks take the public key only.\n"
                              "public %s\n"
                              "secret %s\n",
                              public_text, secret_text);
  length = strlen (contents);
  sodium_memzero (secret_text, strlen (secret_text));

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      sodium_memzero (contents, length);
      g_set_error (error, HAVEN_RECEIVER_KEYPAIR_ERROR, HAVEN_RECEIVER_KEYPAIR_ERROR_FILE,
                   _("The key pair cannot be written to %s: %s"), path,
                   g_strerror (saved_errno));
      return FALSE;
    }

  for (gsize written = 0; written < length && saved_errno == 0; )
    {
      gssize n = write (fd, contents + written, length - written);

      if (n >= 0)
        written += (gsize) n;
      else if (errno != EINTR)
        saved_errno = errno;
    }
  if (saved_errno == 0 && fsync (fd) != 0)
    saved_errno = errno;
  if (close (fd) != 0 && saved_errno == 0)
    saved_errno = errno;
  sodium_memzero (contents, length);

  if (saved_errno != 0)
    {
      g_unlink (path);
      g_set_error (error, HAVEN_RECEIVER_KEYPAIR_ERROR, HAVEN_RECEIVER_KEYPAIR_ERROR_FILE,
                   _("The key pair cannot be written to %s: %s"), path,
                   g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/**
 * haven_receiver_keypair_dup_public_key:
 *
 * Returns: (transfer full): the public key in base64, as the kiosk's
 *   backend-public-key setting takes it
 */
char *
haven_receiver_keypair_dup_public_key (HavenReceiverKeypair *self)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_KEYPAIR (self), NULL);

  return haven_sealed_box_encode_key (self->public_key);
}

/**
 * haven_receiver_keypair_open:
 * @sealed: a body made by crypto_box_seal() with this public key
 *
 * Returns: (transfer full): what was sealed, wiped when its last reference
 *   goes, or %NULL with %HAVEN_SEALED_BOX_ERROR_CANNOT_OPEN when @sealed
 *   was not sealed to this key or was changed on the way
 */
GBytes *
haven_receiver_keypair_open (HavenReceiverKeypair  *self,
                             GBytes                *sealed,
                             GError               **error)
{
  g_return_val_if_fail (HAVEN_IS_RECEIVER_KEYPAIR (self), NULL);
  g_return_val_if_fail (sealed != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return haven_sealed_box_open (self->public_key, self->secret_key, sealed, error);
}
