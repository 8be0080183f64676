/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HAVEN_DIRECTORY_SYNC_ERROR (haven_directory_sync_error_quark ())

typedef enum {
  /* Not an https address, or plain http on another machine than this one. */
  HAVEN_DIRECTORY_SYNC_ERROR_INVALID_URL,
  /* The server could not be reached, or the connection broke. */
  HAVEN_DIRECTORY_SYNC_ERROR_NETWORK,
  /* An HTTP status other than the one expected. */
  HAVEN_DIRECTORY_SYNC_ERROR_HTTP,
  /* An answer that is not what the HSDS API specifies: bad JSON, a page
   * that loops, totals that do not add up, a stream cut short. */
  HAVEN_DIRECTORY_SYNC_ERROR_BAD_ANSWER,
  /* The sync's own record of the source cannot be read or written. */
  HAVEN_DIRECTORY_SYNC_ERROR_DATABASE,
} HavenDirectorySyncError;

GQuark haven_directory_sync_error_quark (void);

#define HAVEN_TYPE_DIRECTORY_SYNC (haven_directory_sync_get_type ())

G_DECLARE_FINAL_TYPE (HavenDirectorySync, haven_directory_sync, HAVEN, DIRECTORY_SYNC, GObject)

HavenDirectorySync *haven_directory_sync_new               (const char          *url,
                                                            const char          *database_path);
void                haven_directory_sync_set_ca_file       (HavenDirectorySync  *self,
                                                            const char          *ca_file);
void                haven_directory_sync_set_page_size     (HavenDirectorySync  *self,
                                                            guint                page_size);
void                haven_directory_sync_set_full          (HavenDirectorySync  *self,
                                                            gboolean             full);
void                haven_directory_sync_set_strict        (HavenDirectorySync  *self,
                                                            gboolean             strict);
char               *haven_directory_sync_dup_mirror_path   (HavenDirectorySync  *self);

gboolean            haven_directory_sync_run               (HavenDirectorySync  *self,
                                                            GCancellable        *cancellable,
                                                            GError             **error);
void                haven_directory_sync_run_async         (HavenDirectorySync  *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean            haven_directory_sync_run_finish        (HavenDirectorySync  *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

/* What the last run did. */
gboolean            haven_directory_sync_get_was_full      (HavenDirectorySync  *self);
gboolean            haven_directory_sync_get_used_ndjson   (HavenDirectorySync  *self);
gboolean            haven_directory_sync_get_rebuilt       (HavenDirectorySync  *self);
guint               haven_directory_sync_get_n_added       (HavenDirectorySync  *self);
guint               haven_directory_sync_get_n_changed     (HavenDirectorySync  *self);
guint               haven_directory_sync_get_n_deleted     (HavenDirectorySync  *self);
guint               haven_directory_sync_get_n_records     (HavenDirectorySync  *self);
guint               haven_directory_sync_get_n_services    (HavenDirectorySync  *self);
guint               haven_directory_sync_get_n_requests    (HavenDirectorySync  *self);
guint64             haven_directory_sync_get_bytes_received (HavenDirectorySync *self);
double              haven_directory_sync_get_seconds       (HavenDirectorySync  *self);
const char * const *haven_directory_sync_get_warnings      (HavenDirectorySync  *self);
guint               haven_directory_sync_get_n_warnings    (HavenDirectorySync  *self);

G_END_DECLS
