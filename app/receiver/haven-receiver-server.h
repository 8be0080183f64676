/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haven-receiver-keypair.h"
#include "haven-receiver-store.h"
#include "haven-receiver-tokens.h"

G_BEGIN_DECLS

#define HAVEN_RECEIVER_SERVER_ERROR (haven_receiver_server_error_quark ())

typedef enum {
  HAVEN_RECEIVER_SERVER_ERROR_INSECURE,
  HAVEN_RECEIVER_SERVER_ERROR_LISTEN,
} HavenReceiverServerError;

/* Faults to play for tests and demos. POSTs to either endpoint are counted
 * from 1; the two counts apply to the same POSTs. */
typedef struct {
  /* Answer the first N POSTs with fail_status, before anything else. */
  guint fail_first;
  /* 0 for 503; Retry-After goes with 429 and 503. */
  guint fail_status;
  /* Seconds, for Retry-After. */
  guint retry_after;
  /* Hold every answer back this long, without blocking the others. */
  guint delay_ms;
  /* Process the first N POSTs, then close their connection after the
   * answer's headers, before its body. */
  guint close_mid_answer;
} HavenReceiverFaults;

/* The limits that keep one client, or many, from exhausting the receiver.
 * haven_receiver_server_limits_init() sets the defaults. */
typedef struct {
  /* Open connections in all, and from one address. */
  guint max_connections;
  guint max_connections_per_address;
  /* Seconds a connection may stay silent: in the TLS handshake, while
   * sending its request or idle between two. */
  guint timeout_seconds;
  /* Bytes for one connection's request line, headers and buffers. */
  gsize connection_memory;
  /* Threads that serve connections; each may call the store. */
  guint threads;
} HavenReceiverLimits;

#define HAVEN_RECEIVER_DEFAULT_MAX_CONNECTIONS 1000
#define HAVEN_RECEIVER_DEFAULT_MAX_CONNECTIONS_PER_ADDRESS 64
#define HAVEN_RECEIVER_DEFAULT_TIMEOUT_SECONDS 15
#define HAVEN_RECEIVER_DEFAULT_CONNECTION_MEMORY (32 * 1024)
#define HAVEN_RECEIVER_MIN_CONNECTION_MEMORY (8 * 1024)
#define HAVEN_RECEIVER_DEFAULT_THREADS 4
#define HAVEN_RECEIVER_MAX_THREADS 64

#define HAVEN_TYPE_RECEIVER_SERVER (haven_receiver_server_get_type ())

G_DECLARE_FINAL_TYPE (HavenReceiverServer, haven_receiver_server, HAVEN, RECEIVER_SERVER, GObject)

GQuark               haven_receiver_server_error_quark (void);
HavenReceiverServer *haven_receiver_server_new         (HavenReceiverStore   *store,
                                                        GTlsCertificate      *tls_certificate,
                                                        GTlsDatabase         *client_ca,
                                                        gboolean              require_client_cert);
gboolean             haven_receiver_server_listen      (HavenReceiverServer  *self,
                                                        GInetSocketAddress   *address,
                                                        GError              **error);
char                *haven_receiver_server_dup_url     (HavenReceiverServer  *self);
void                 haven_receiver_server_disconnect  (HavenReceiverServer  *self);
void                 haven_receiver_server_set_keypair (HavenReceiverServer  *self,
                                                        HavenReceiverKeypair *keypair);
void                 haven_receiver_server_set_tokens  (HavenReceiverServer  *self,
                                                        HavenReceiverTokens  *tokens);
void                 haven_receiver_server_set_verbose (HavenReceiverServer  *self,
                                                        gboolean              verbose);
void                 haven_receiver_server_set_bundle  (HavenReceiverServer  *self,
                                                        const char           *path);
void                 haven_receiver_server_set_faults  (HavenReceiverServer  *self,
                                                        const HavenReceiverFaults *faults);
void                 haven_receiver_server_limits_init (HavenReceiverLimits  *limits);
void                 haven_receiver_server_set_limits  (HavenReceiverServer  *self,
                                                        const HavenReceiverLimits *limits);

G_END_DECLS
