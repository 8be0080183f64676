/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HAVEN_RECEIVER_TOKENS_ERROR (haven_receiver_tokens_error_quark ())

typedef enum {
  HAVEN_RECEIVER_TOKENS_ERROR_FILE,
  HAVEN_RECEIVER_TOKENS_ERROR_INVALID,
} HavenReceiverTokensError;

#define HAVEN_TYPE_RECEIVER_TOKENS (haven_receiver_tokens_get_type ())

G_DECLARE_FINAL_TYPE (HavenReceiverTokens, haven_receiver_tokens, HAVEN, RECEIVER_TOKENS, GObject)

GQuark               haven_receiver_tokens_error_quark    (void);
HavenReceiverTokens *haven_receiver_tokens_load           (const char           *path,
                                                           GError              **error);
gboolean             haven_receiver_tokens_check          (HavenReceiverTokens  *self,
                                                           const char           *authorization);

G_END_DECLS
