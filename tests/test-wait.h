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

/* How many times slower than usual the tests run: HAVEN_TEST_SLOWDOWN,
 * which the valgrind test setup sets (tests/meson.build). Each deadline
 * is that many times longer, and each fault injected to last a while (a
 * receiver's --delay-ms) lasts that much longer too. */
static inline guint
test_slowdown (void)
{
  const char *value = g_getenv ("HAVEN_TEST_SLOWDOWN");
  guint64 slowdown = value != NULL ? g_ascii_strtoull (value, NULL, 10) : 1;

  return CLAMP (slowdown, 1, 100);
}

void          store_result_cb (GObject       *object,
                               GAsyncResult  *result,
                               gpointer       user_data);
GAsyncResult *wait_for_result (GAsyncResult **result);

G_END_DECLS
