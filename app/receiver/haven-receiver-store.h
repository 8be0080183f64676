/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HAVEN_RECEIVER_STORE_ERROR (haven_receiver_store_error_quark ())

typedef enum {
  HAVEN_RECEIVER_STORE_ERROR_OPEN,
  HAVEN_RECEIVER_STORE_ERROR_SQL,
  HAVEN_RECEIVER_STORE_ERROR_NEWER_SCHEMA,
} HavenReceiverStoreError;

#define HAVEN_TYPE_RECEIVER_STORE (haven_receiver_store_get_type ())

G_DECLARE_FINAL_TYPE (HavenReceiverStore, haven_receiver_store, HAVEN, RECEIVER_STORE, GObject)

GQuark              haven_receiver_store_error_quark         (void);
HavenReceiverStore *haven_receiver_store_open                (const char          *path,
                                                              GError             **error);
const char         *haven_receiver_store_get_path            (HavenReceiverStore  *self);
int                 haven_receiver_store_get_schema_version  (HavenReceiverStore  *self);

G_END_DECLS
