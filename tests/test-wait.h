/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Waiting for an asynchronous call on the main context, as the kiosk runs
 * it:
 *
 *   g_autoptr(GAsyncResult) result = NULL;
 *
 *   haven_outbox_enqueue_async (outbox, …, store_result_cb, &result);
 *   haven_outbox_enqueue_finish (outbox, wait_for_result (&result), &error);
 */

void          store_result_cb (GObject       *object,
                               GAsyncResult  *result,
                               gpointer       user_data);
GAsyncResult *wait_for_result (GAsyncResult **result);

G_END_DECLS
