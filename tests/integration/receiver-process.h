/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the integration tests share: a temporary folder with a PKI made by
 * tests/make-pki.sh, and haven-receiver processes started in it. */

typedef struct {
  GSubprocess *process;
  GDataInputStream *stdout_stream;
  /* The base URL from its "listening on URL" line. */
  char *url;
  char *db_path;
} ReceiverProcess;

const char      *require_env            (const char         *name);
void             work_dir_init          (const char         *test_name);
char            *work_path              (const char         *name);
void             work_dir_remove        (void);
ReceiverProcess *receiver_process_start (const char * const *arguments);
ReceiverProcess *receiver_process_start_with_db (const char         *db_path,
                                                 const char * const *arguments);
ReceiverProcess *receiver_process_start_tls (const char * const *options);
void             receiver_process_stop  (ReceiverProcess    *receiver);
guint            receiver_process_count_requests (ReceiverProcess *receiver,
                                                  const char      *request_id);

G_END_DECLS
