/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-kiosk-status"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "haven-bundle-updater.h"
#include "haven-directory.h"
#include "haven-kiosk-status.h"

/* The body of a status report, and sending one. Everything in it comes
 * from the settings, the build and the outbox's rows without their bodies
 * (ids, states, times, statuses): a report holds nothing a visitor typed
 * or chose, not even a category, so it can go to monitoring that no
 * caseworker rule covers. Only the last error's HTTP status is sent, not
 * its text, which may quote the backend. */

/* A version longer than this is no version of ours: it is left out rather
 * than let a report pass 4 KiB. */
#define MAX_VERSION_LENGTH 128

char *
haven_kiosk_status_dup_kiosk_id (GSettings *settings)
{
  g_autofree char *kiosk_id = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  kiosk_id = g_settings_get_string (settings, "kiosk-id");
  if (kiosk_id[0] == '\0')
    return g_strdup (g_get_host_name ());

  return g_steal_pointer (&kiosk_id);
}

static char *
format_time (gint64 time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time / G_USEC_PER_SEC);

  return utc != NULL ? g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL && strlen (value) <= MAX_VERSION_LENGTH &&
      g_utf8_validate (value, -1, NULL))
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

/**
 * haven_kiosk_status_build_bundle:
 * @settings: the kiosk's settings
 * @directory_version: (nullable): when the directory in use was imported,
 *   as the report's directory_version says it
 *
 * The report's "bundle": the bundle in use and the one waiting, the last
 * check, why it failed as one word (never the message), and whether the
 * directory is older than directory-max-age. Read from the bundle folder,
 * so havenctl reports what the kiosk would.
 *
 * Returns: (transfer full) (nullable): the member's value, or %NULL when
 *   the kiosk takes no bundles
 */
JsonNode *
haven_kiosk_status_build_bundle (GSettings  *settings,
                                 const char *directory_version)
{
  g_autoptr(HavenBundleUpdater) updater = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *version = NULL;
  g_autofree char *pending = NULL;
  g_autofree char *checked_at = NULL;
  GDateTime *checked;
  GTimeSpan age = 0;
  gboolean too_old = FALSE;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  updater = haven_bundle_updater_new (settings);
  if (!haven_bundle_updater_get_enabled (updater))
    return NULL;

  if (haven_bundle_updater_get_version (updater) > 0)
    version = g_strdup_printf ("%" G_GUINT64_FORMAT, haven_bundle_updater_get_version (updater));
  if (haven_bundle_updater_get_pending_version (updater) > 0)
    pending = g_strdup_printf ("%" G_GUINT64_FORMAT,
                               haven_bundle_updater_get_pending_version (updater));
  checked = haven_bundle_updater_get_last_checked (updater);
  if (checked != NULL)
    checked_at = format_time (g_date_time_to_unix (checked) * G_USEC_PER_SEC);
  haven_directory_judge_age (settings, directory_version, &age, &too_old);

  json_builder_begin_object (builder);
  add_string (builder, "version", version);
  add_string (builder, "pending", pending);
  add_string (builder, "checked_at", checked_at);
  add_string (builder, "error", haven_bundle_updater_get_last_error_kind (updater));
  json_builder_set_member_name (builder, "directory_out_of_date");
  json_builder_add_boolean_value (builder, too_old);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

char *
haven_kiosk_status_build_body (HavenOutbox  *outbox,
                               const char   *kiosk_id,
                               const char   *directory_version,
                               const char   *content_version,
                               JsonNode     *bundle,
                               GDateTime    *reported_at,
                               GError      **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *reported = NULL;
  guint counts[HAVEN_OUTBOX_STATE_FAILED + 1] = { 0 };
  const HavenOutboxEntry *last_error = NULL;
  char *body;

  g_return_val_if_fail (HAVEN_IS_OUTBOX (outbox), NULL);
  g_return_val_if_fail (kiosk_id != NULL, NULL);
  g_return_val_if_fail (reported_at != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entries = haven_outbox_list (outbox, error);
  if (entries == NULL)
    return NULL;

  for (guint i = 0; i < entries->len; i++)
    {
      const HavenOutboxEntry *entry = g_ptr_array_index (entries, i);

      counts[entry->state]++;
      /* A delivered request's old troubles are over; what matters is the
       * latest one of a request still on the kiosk. */
      if (entry->state != HAVEN_OUTBOX_STATE_DELIVERED && entry->last_error != NULL &&
          (last_error == NULL || entry->last_attempt_at >= last_error->last_attempt_at))
        last_error = entry;
    }

  utc = g_date_time_to_utc (reported_at);
  reported = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");

  json_builder_begin_object (builder);
  add_string (builder, "kiosk_id", kiosk_id);
  add_string (builder, "version", PACKAGE_VERSION);
  add_string (builder, "reported_at", reported);

  json_builder_set_member_name (builder, "outbox");
  json_builder_begin_object (builder);
  for (HavenOutboxState state = HAVEN_OUTBOX_STATE_QUEUED; state <= HAVEN_OUTBOX_STATE_FAILED;
       state++)
    add_int (builder, haven_outbox_state_to_string (state), counts[state]);
  json_builder_end_object (builder);

  add_string (builder, "directory_version", directory_version);
  add_string (builder, "content_version", content_version);
  /* Only from a kiosk that takes bundles: a receiver older than them
   * refuses the member. */
  if (bundle != NULL)
    {
      json_builder_set_member_name (builder, "bundle");
      json_builder_add_value (builder, json_node_copy (bundle));
    }

  json_builder_set_member_name (builder, "last_error");
  if (last_error != NULL)
    {
      g_autofree char *at = format_time (last_error->last_attempt_at);

      json_builder_begin_object (builder);
      add_int (builder, "status", last_error->http_status);
      add_string (builder, "at", at);
      json_builder_end_object (builder);
    }
  else
    {
      json_builder_add_null_value (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  body = json_generator_to_data (generator, NULL);
  g_assert (strlen (body) <= HAVEN_KIOSK_STATUS_MAX_BODY_BYTES);

  return body;
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = NULL;
  SoupMessage *message = g_task_get_task_data (task);
  guint status;

  answer = haven_backend_send_finish (HAVEN_BACKEND (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  status = soup_message_get_status (message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_new_error (task, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_HTTP_STATUS,
                               _("The backend answered HTTP %u %s"), status,
                               soup_message_get_reason_phrase (message));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
haven_kiosk_status_send_async (HavenBackend        *backend,
                               const char          *body,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (HAVEN_IS_BACKEND (backend));
  g_return_if_fail (body != NULL && strlen (body) <= HAVEN_KIOSK_STATUS_MAX_BODY_BYTES);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (backend, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_kiosk_status_send_async);

  message = haven_backend_new_message (backend, SOUP_METHOD_POST, HAVEN_API_KIOSK_STATUS_PATH);
  bytes = g_bytes_new (body, strlen (body));
  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  /* As for submissions: a backend has no reason to redirect a report.
   * Not idempotent, so libsoup does not send it again on its own. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  g_task_set_task_data (task, g_object_ref (message), g_object_unref);

  haven_backend_send_async (backend, message, cancellable, sent_cb, g_steal_pointer (&task));
}

gboolean
haven_kiosk_status_send_finish (HavenBackend  *backend,
                                GAsyncResult  *result,
                                guint         *status,
                                GError       **error)
{
  GTask *task;

  g_return_val_if_fail (HAVEN_IS_BACKEND (backend), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, backend), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == haven_kiosk_status_send_async,
                        FALSE);

  task = G_TASK (result);
  if (status != NULL)
    *status = soup_message_get_status (g_task_get_task_data (task));

  return g_task_propagate_boolean (task, error);
}
