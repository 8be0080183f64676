/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-receiver-tokens"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <sodium.h>

#include "haven-receiver-tokens.h"

/* The bearer tokens of the kiosks this receiver accepts (haven-api-v1.md, "Kiosk
 * identity"), from a file with one token a line; blank lines and lines
 * starting with # are skipped. Only their SHA-256 digests are kept, and a
 * presented token is compared with every one of them in constant time, so
 * neither the answer's timing nor a look at this process's memory tells a
 * token. sodium_init() must have been called first. */

struct _HavenReceiverTokens
{
  GObject parent_instance;

  /* crypto_hash_sha256_BYTES each. */
  GByteArray *digests;
};

G_DEFINE_FINAL_TYPE (HavenReceiverTokens, haven_receiver_tokens, G_TYPE_OBJECT)

G_DEFINE_QUARK (haven-receiver-tokens-error-quark, haven_receiver_tokens_error)

static void
haven_receiver_tokens_finalize (GObject *object)
{
  HavenReceiverTokens *self = HAVEN_RECEIVER_TOKENS (object);

  g_clear_pointer (&self->digests, g_byte_array_unref);

  G_OBJECT_CLASS (haven_receiver_tokens_parent_class)->finalize (object);
}

static void
haven_receiver_tokens_class_init (HavenReceiverTokensClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_receiver_tokens_finalize;
}

static void
haven_receiver_tokens_init (HavenReceiverTokens *self)
{
  self->digests = g_byte_array_new ();
}

/* What the kiosk accepts in its token file: printable ASCII, no spaces.
 * That is wider than RFC 6750's b64token, so that any token a kiosk sends
 * can be configured here too. */
static gboolean
is_token (const char *token)
{
  if (token[0] == '\0')
    return FALSE;

  for (const char *c = token; *c != '\0'; c++)
    {
      if (!g_ascii_isgraph (*c))
        return FALSE;
    }

  return TRUE;
}

static void
add_digest (HavenReceiverTokens *self,
            const char          *token)
{
  guint8 digest[crypto_hash_sha256_BYTES];

  crypto_hash_sha256 (digest, (const guint8 *) token, strlen (token));
  g_byte_array_append (self->digests, digest, sizeof digest);
}

HavenReceiverTokens *
haven_receiver_tokens_load (const char  *path,
                            GError     **error)
{
  g_autoptr(HavenReceiverTokens) self = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  gboolean ok = TRUE;
  guint line_number = 0;
  char *line;
  char *next;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &read_error))
    {
      g_set_error (error, HAVEN_RECEIVER_TOKENS_ERROR, HAVEN_RECEIVER_TOKENS_ERROR_FILE,
                   _("The token file cannot be read: %s"), read_error->message);
      return NULL;
    }

  self = g_object_new (HAVEN_TYPE_RECEIVER_TOKENS, NULL);

  for (next = contents; ok && (line = next) != NULL; )
    {
      char *end = strchr (line, '\n');

      next = end != NULL ? end + 1 : NULL;
      if (end != NULL)
        *end = '\0';
      line_number++;
      g_strstrip (line);

      if (line[0] == '\0' || line[0] == '#')
        continue;

      if (is_token (line))
        add_digest (self, line);
      else
        ok = FALSE;
    }
  sodium_memzero (contents, length);

  if (!ok)
    {
      /* The line number only: the line may be a token with a typo. */
      g_set_error (error, HAVEN_RECEIVER_TOKENS_ERROR, HAVEN_RECEIVER_TOKENS_ERROR_INVALID,
                   _("The token file %s has something on line %u that cannot be a bearer "
                     "token (printable ASCII without spaces, one token a line)"),
                   path, line_number);
      return NULL;
    }

  if (self->digests->len == 0)
    {
      g_set_error (error, HAVEN_RECEIVER_TOKENS_ERROR, HAVEN_RECEIVER_TOKENS_ERROR_INVALID,
                   _("The token file %s holds no token"), path);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * haven_receiver_tokens_check:
 * @authorization: (nullable): the request's Authorization header
 *
 * Returns: whether @authorization is "Bearer " and one of the tokens
 */
gboolean
haven_receiver_tokens_check (HavenReceiverTokens *self,
                             const char          *authorization)
{
  guint8 digest[crypto_hash_sha256_BYTES];
  const char *token;
  int matches = 0;

  g_return_val_if_fail (HAVEN_IS_RECEIVER_TOKENS (self), FALSE);

  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0)
    return FALSE;

  token = authorization + 7;
  while (*token == ' ')
    token++;
  if (!is_token (token))
    return FALSE;

  /* Hashing first makes every comparison the same length, whatever the
   * length of the token presented; and every stored digest is compared,
   * so the time taken does not say which one matched. */
  crypto_hash_sha256 (digest, (const guint8 *) token, strlen (token));
  for (guint offset = 0; offset < self->digests->len; offset += sizeof digest)
    matches |= sodium_memcmp (self->digests->data + offset, digest, sizeof digest) == 0;

  return matches != 0;
}
