/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "haven-request.h"
#include "haven-request-envelope.h"

G_BEGIN_DECLS

#define HAVEN_RECEIVER_STORE_ERROR (haven_receiver_store_error_quark ())

typedef enum {
  HAVEN_RECEIVER_STORE_ERROR_OPEN,
  HAVEN_RECEIVER_STORE_ERROR_SQL,
  HAVEN_RECEIVER_STORE_ERROR_NEWER_SCHEMA,
  HAVEN_RECEIVER_STORE_ERROR_DUPLICATE,
  /* The database cannot be reached now (PostgreSQL restarting, say): a
   * later attempt may succeed, so the caller answers 503. */
  HAVEN_RECEIVER_STORE_ERROR_UNAVAILABLE,
  /* The database file may be read or written by others than its owner. */
  HAVEN_RECEIVER_STORE_ERROR_PERMISSIONS,
  /* Accepting found the claim no longer this instance's: another took it
   * over as stale, or an earlier try of this accept was stored. */
  HAVEN_RECEIVER_STORE_ERROR_CLAIM_LOST,
} HavenReceiverStoreError;

/* What an Idempotency-Key's history says about a new attempt with it. */
typedef enum {
  /* Never seen, or left behind: now marked in flight for this attempt. */
  HAVEN_RECEIVER_CLAIM_NEW,
  /* Another attempt with the same body is being processed. */
  HAVEN_RECEIVER_CLAIM_IN_FLIGHT,
  /* Used before with a different body, at the other endpoint or by
   * another client. */
  HAVEN_RECEIVER_CLAIM_MISMATCH,
  /* Accepted before: answer again what was answered then. */
  HAVEN_RECEIVER_CLAIM_DONE,
} HavenReceiverClaim;

#define HAVEN_TYPE_RECEIVER_STORE (haven_receiver_store_get_type ())

G_DECLARE_DERIVABLE_TYPE (HavenReceiverStore, haven_receiver_store, HAVEN, RECEIVER_STORE, GObject)

/* The receiver's store is one of two databases (haven-receiver-sqlite-store.c,
 * haven-receiver-pg-store.c); the server sees only this class. Every
 * method may be called from several threads at once. */
struct _HavenReceiverStoreClass
{
  GObjectClass parent_class;

  gboolean (*claim)         (HavenReceiverStore         *self,
                             const char                 *client_id,
                             const char                 *key,
                             HavenRequestKind            kind,
                             const char                 *body_sha256,
                             gint64                      stale_after,
                             HavenReceiverClaim         *claim,
                             guint                      *response_status,
                             char                      **response_body,
                             GError                    **error);
  gboolean (*accept)        (HavenReceiverStore         *self,
                             const char                 *client_id,
                             const char                 *key,
                             HavenRequestKind            kind,
                             GBytes                     *body,
                             gboolean                    sealed,
                             const HavenRequestEnvelope *envelope,
                             const char                 *case_reference,
                             guint                       response_status,
                             const char                 *response_body,
                             GError                    **error);
  gboolean (*release)       (HavenReceiverStore         *self,
                             const char                 *client_id,
                             const char                 *key,
                             GError                    **error);
  gboolean (*release_stale) (HavenReceiverStore         *self,
                             gint64                      stale_after,
                             guint                      *n_released,
                             GError                    **error);
};

GQuark              haven_receiver_store_error_quark         (void);
gboolean            haven_receiver_store_is_uri              (const char          *location);
HavenReceiverStore *haven_receiver_store_open                (const char          *location,
                                                              GError             **error);
const char         *haven_receiver_store_get_instance_id     (HavenReceiverStore  *self);
gboolean            haven_receiver_store_claim               (HavenReceiverStore  *self,
                                                              const char          *client_id,
                                                              const char          *key,
                                                              HavenRequestKind     kind,
                                                              const char          *body_sha256,
                                                              gint64               stale_after,
                                                              HavenReceiverClaim  *claim,
                                                              guint               *response_status,
                                                              char               **response_body,
                                                              GError             **error);
gboolean            haven_receiver_store_accept              (HavenReceiverStore  *self,
                                                              const char          *client_id,
                                                              const char          *key,
                                                              HavenRequestKind     kind,
                                                              GBytes              *body,
                                                              gboolean             sealed,
                                                              const HavenRequestEnvelope *envelope,
                                                              const char          *case_reference,
                                                              guint                response_status,
                                                              const char          *response_body,
                                                              GError             **error);
gboolean            haven_receiver_store_release             (HavenReceiverStore  *self,
                                                              const char          *client_id,
                                                              const char          *key,
                                                              GError             **error);
gboolean            haven_receiver_store_release_stale       (HavenReceiverStore  *self,
                                                              gint64               stale_after,
                                                              guint               *n_released,
                                                              GError             **error);

G_END_DECLS
