/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-receiver-store.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_RECEIVER_PG_STORE (haven_receiver_pg_store_get_type ())

G_DECLARE_FINAL_TYPE (HavenReceiverPgStore, haven_receiver_pg_store,
                      HAVEN, RECEIVER_PG_STORE, HavenReceiverStore)

HavenReceiverPgStore *haven_receiver_pg_store_open (const char  *uri,
                                                    GError     **error);

G_END_DECLS
