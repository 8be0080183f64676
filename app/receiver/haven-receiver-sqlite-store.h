/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-receiver-store.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_RECEIVER_SQLITE_STORE (haven_receiver_sqlite_store_get_type ())

G_DECLARE_FINAL_TYPE (HavenReceiverSqliteStore, haven_receiver_sqlite_store,
                      HAVEN, RECEIVER_SQLITE_STORE, HavenReceiverStore)

HavenReceiverSqliteStore *haven_receiver_sqlite_store_open (const char  *path,
                                                            GError     **error);

G_END_DECLS
