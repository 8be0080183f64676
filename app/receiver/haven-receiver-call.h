/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One HTTP request and its answer, as a handler that knows nothing of the
 * HTTP library sees them (haven-receiver-cases.c): the server fills a
 * HavenReceiverCall from whatever it is built on, and sends the
 * HavenReceiverAnswer back. */

typedef struct {
  const char *method;
  /* Decoded, without the query. */
  const char *path;
  /* (nullable) (element-type utf8 utf8): the query's parameters. */
  GHashTable *query;
  /* (nullable): the body, already capped by the HTTP layer. */
  GBytes *body;
  /* (nullable): the Idempotency-Key header's value, as sent. */
  const char *idempotency_key;
  /* The credential that the request's bearer token or certificate is:
   * its name and role ("kiosk" or "caseworker"); NULL for none or a
   * revoked one. */
  const char *actor_name;
  const char *actor_role;
  /* Whether an Authorization header was sent at all (RFC 6750's error
   * code is only for a token that was presented). */
  gboolean credential_presented;
  /* The client's address, for the audit log. */
  const char *remote_address;
} HavenReceiverCall;

typedef struct {
  guint status;
  char *content_type;
  GBytes *body;
  /* (element-type utf8): header name, value, name, value… */
  GPtrArray *headers;
} HavenReceiverAnswer;

static inline void
haven_receiver_answer_add_header (HavenReceiverAnswer *answer,
                                  const char          *name,
                                  const char          *value)
{
  if (answer->headers == NULL)
    answer->headers = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (answer->headers, g_strdup (name));
  g_ptr_array_add (answer->headers, g_strdup (value));
}

static inline void
haven_receiver_answer_clear (HavenReceiverAnswer *answer)
{
  answer->status = 0;
  g_clear_pointer (&answer->content_type, g_free);
  g_clear_pointer (&answer->body, g_bytes_unref);
  g_clear_pointer (&answer->headers, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HavenReceiverAnswer, haven_receiver_answer_clear)

G_END_DECLS
