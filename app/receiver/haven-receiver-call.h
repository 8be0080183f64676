/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* PROVISIONAL: the shape the caseworker API defines for its handlers, so
 * that the fleet status handler can be written and tested before that
 * branch is merged; at the merge, that branch's header replaces this one
 * and the fleet handler follows its names.
 *
 * One HTTP exchange, free of any HTTP library: the server (libsoup now,
 * libmicrohttpd soon) fills a call, a handler fills the answer. */

typedef struct {
  const char *method;
  /* Without the query. */
  const char *path;
  /* char * -> char *, decoded; NULL when there was no query. */
  GHashTable *query;
  /* NULL when there was none. */
  GBytes *body;
  const char *content_type;
  const char *idempotency_key;
  /* Who sent it, as authenticated: "cert:…", "token:…" or "anonymous";
   * and the role their credential carries ("kiosk", "caseworker"). */
  const char *actor_name;
  const char *actor_role;
  /* "ADDRESS:PORT" of the peer, for the audit log. */
  const char *remote_address;
} HavenReceiverCall;

typedef struct {
  guint status;
  /* NULL for no body. */
  const char *content_type;
  GBytes *body;
  /* char * -> char *, headers to add (Allow, say); NULL for none. */
  GHashTable *headers;
} HavenReceiverAnswer;

static inline void
haven_receiver_answer_clear (HavenReceiverAnswer *answer)
{
  g_clear_pointer (&answer->body, g_bytes_unref);
  g_clear_pointer (&answer->headers, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HavenReceiverAnswer, haven_receiver_answer_clear)

G_END_DECLS
