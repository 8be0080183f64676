/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define HAVEN_BACKEND_ERROR (haven_backend_error_quark ())

typedef enum {
  HAVEN_BACKEND_ERROR_NOT_CONFIGURED,
  HAVEN_BACKEND_ERROR_INVALID_URL,
  HAVEN_BACKEND_ERROR_INSECURE_URL,
  HAVEN_BACKEND_ERROR_INVALID_SETTING,
  HAVEN_BACKEND_ERROR_FILE,
  HAVEN_BACKEND_ERROR_CONNECTION_REFUSED,
  HAVEN_BACKEND_ERROR_UNREACHABLE,
  HAVEN_BACKEND_ERROR_TIMED_OUT,
  HAVEN_BACKEND_ERROR_TLS,
  HAVEN_BACKEND_ERROR_UNTRUSTED_CERTIFICATE,
  HAVEN_BACKEND_ERROR_PIN_MISMATCH,
  HAVEN_BACKEND_ERROR_HTTP_STATUS,
  HAVEN_BACKEND_ERROR_BAD_RESPONSE,
} HavenBackendError;

#define HAVEN_TYPE_BACKEND (haven_backend_get_type ())

G_DECLARE_FINAL_TYPE (HavenBackend, haven_backend, HAVEN, BACKEND, GObject)

GQuark        haven_backend_error_quark       (void);
HavenBackend *haven_backend_new_from_settings (GSettings            *settings,
                                               GError              **error);
const char   *haven_backend_get_base_url      (HavenBackend         *self);
void          haven_backend_set_language      (HavenBackend         *self,
                                               const char           *language);
void          haven_backend_set_token         (HavenBackend         *self,
                                               const char           *token);
void          haven_backend_set_max_answer_size (HavenBackend       *self,
                                                 gsize               bytes);
SoupMessage  *haven_backend_new_message       (HavenBackend         *self,
                                               const char           *method,
                                               const char           *path);
SoupMessage  *haven_backend_new_submission    (HavenBackend         *self,
                                               const char           *path,
                                               const char           *request_id,
                                               const char           *content_type,
                                               GBytes               *body);
guint         haven_backend_get_n_connections (HavenBackend         *self);
void          haven_backend_send_async        (HavenBackend         *self,
                                               SoupMessage          *message,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
GBytes       *haven_backend_send_finish       (HavenBackend         *self,
                                               GAsyncResult         *result,
                                               GError              **error);
void          haven_backend_download_async    (HavenBackend         *self,
                                               SoupMessage          *message,
                                               GOutputStream        *sink,
                                               guint64               max_bytes,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean      haven_backend_download_finish   (HavenBackend         *self,
                                               GAsyncResult         *result,
                                               GError              **error);
void          haven_backend_check_async       (HavenBackend         *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gint64        haven_backend_parse_health      (GBytes               *body,
                                               GError              **error);
gboolean      haven_backend_check_finish      (HavenBackend         *self,
                                               GAsyncResult         *result,
                                               gint64               *api_version,
                                               GError              **error);

G_END_DECLS
