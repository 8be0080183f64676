/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "haven-receiver-call.h"
#include "haven-receiver-store.h"

G_BEGIN_DECLS

/* A caseworker event's body is at most this long. */
#define HAVEN_RECEIVER_CASES_MAX_EVENT_BYTES (32 * 1024)

#define HAVEN_TYPE_RECEIVER_CASES (haven_receiver_cases_get_type ())

G_DECLARE_FINAL_TYPE (HavenReceiverCases, haven_receiver_cases, HAVEN, RECEIVER_CASES, GObject)

HavenReceiverCases *haven_receiver_cases_new       (HavenReceiverStore        *store);
gboolean            haven_receiver_cases_owns_path (const char                *path);
gboolean            haven_receiver_cases_handle    (HavenReceiverCases        *self,
                                                    const HavenReceiverCall   *call,
                                                    HavenReceiverAnswer       *answer);

G_END_DECLS
