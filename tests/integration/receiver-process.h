/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "test-files.h"
#include "test-wait.h"

G_BEGIN_DECLS

/* What the integration tests share: a temporary folder with a PKI made by
 * tests/make-pki.sh, haven-receiver processes started in it, kiosk
 * settings that havenctl reads too; and, through test-wait.h, waiting on
 * the main context. */

typedef struct {
  GSubprocess *process;
  GDataInputStream *stdout_stream;
  /* The base URL from its "listening on URL" line. */
  char *url;
  /* A SQLite file, or a PostgreSQL URI. */
  char *db_path;
} ReceiverProcess;

const char      *require_env            (const char         *name);
void             work_dir_init          (const char         *test_name);
char            *work_path              (const char         *name);
void             work_dir_remove        (void);
ReceiverProcess *receiver_process_start (const char * const *arguments);
ReceiverProcess *receiver_process_start_with_db (const char         *db_path,
                                                 const char * const *arguments);
ReceiverProcess *receiver_process_start_full (const char         *db_path,
                                              const char         *stderr_path,
                                              const char * const *arguments);
ReceiverProcess *receiver_process_start_tls (const char * const *options);
ReceiverProcess *receiver_process_start_tls_full (const char         *db_path,
                                                  const char         *stderr_path,
                                                  const char * const *options);
void             receiver_process_stop  (ReceiverProcess    *receiver);
void             receiver_process_kill  (ReceiverProcess    *receiver);
guint            receiver_process_count_requests (ReceiverProcess *receiver,
                                                  const char      *request_id);
gboolean         receiver_process_wait_for_one   (ReceiverProcess *receiver,
                                                  const char      *request_id);
char            *receiver_process_make_keypair   (const char      *path);

char            *pin_for_key_file       (const char         *key_name);

GSettings       *keyfile_settings_new   (const char         *config_home);
GSubprocess     *spawn_havenctl         (const char         *config_home,
                                         GSubprocessFlags    flags,
                                         const char * const *arguments);
int              run_havenctl           (const char         *config_home,
                                         const char * const *arguments,
                                         char              **standard_output,
                                         char              **standard_error);

G_END_DECLS
