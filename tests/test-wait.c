/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-wait"

#include "config.h"

#include "test-wait.h"

/* A GAsyncReadyCallback whose @user_data is a `GAsyncResult **`, NULL
 * until the call ends; see wait_for_result(). */
void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **result_out = user_data;

  g_assert_null (*result_out);
  *result_out = g_object_ref (result);
}

static gboolean
timed_out_cb (gpointer user_data)
{
  g_error ("Timed out waiting for a result");
  return G_SOURCE_REMOVE;
}

/* Runs the main context until store_result_cb() has stored *@result, and
 * returns it. It blocks rather than polls, so that a flush of many
 * requests runs at its own pace; a call that never ends fails the test in
 * a minute rather than at meson's timeout. */
GAsyncResult *
wait_for_result (GAsyncResult **result)
{
  guint timeout_id = g_timeout_add_seconds (60 * test_slowdown (), timed_out_cb, NULL);

  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout_id);

  return *result;
}
