/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-bundle-updater"

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "haven-backend.h"
#include "haven-bundle.h"
#include "haven-bundle-updater.h"
#include "haven-paths.h"

/* Keeps a kiosk on the organisation's newest signed bundle of directory
 * and content (data/api/haven-bundle-v1.md).
 *
 * On a schedule (bundle-check-interval, with jitter) and when the operator
 * asks, it GETs /v1/bundle from the backend with the ETag of the last one
 * it took, so that an unchanged bundle costs a 304. A new one is written
 * to a file as it comes, then verified against bundle-public-key before
 * anything in it is read, refused when it is not newer than the one in use
 * or waiting, and unpacked and checked (the directory opens, the content
 * passes the content check) into a folder of its own, which becomes the
 * pending one. Nothing a visit uses changes until
 * haven_bundle_updater_install_pending(), which the kiosk calls between
 * two visits: it points the link "current" at the pending folder in one
 * rename. Whatever goes wrong (the network, a bad signature, a download
 * cut short, an older version, a full disk) leaves the bundle in use as it
 * is, and is kept as the last error for the operator screen, havenctl and
 * the status report.
 *
 * The folder (haven_paths_dup_bundle_dir()):
 *   current -> v20261207120000   the bundle in use
 *   pending -> v20261208120000   verified, waiting for the end of a visit
 *   v…/                          unpacked bundles
 *   download-PID.part            a download under way
 *   state.ini                    the ETag, the last check and its error
 */

/* A directory of 100,000 services is about 200 MB; this leaves room. */
#define MAX_BUNDLE_BYTES (G_GUINT64_CONSTANT (2) * 1024 * 1024 * 1024)
#define MIN_INTERVAL_MINUTES 5
/* The first check after start, so that a kiosk turned on comes current
 * soon, spread over a minute for a fleet turned on together. */
#define FIRST_CHECK_SECONDS 20
#define FIRST_CHECK_JITTER_SECONDS 60

struct _HavenBundleUpdater
{
  GObject parent_instance;

  GSettings *settings;
  char *folder;

  HavenBundleManifest *manifest;
  guint64 pending_version;

  char *etag;
  GDateTime *last_checked;
  char *last_error;
  /* A word for the fleet's status report, which carries no error texts. */
  char *last_error_kind;
  GDateTime *last_error_at;

  gboolean checking;
  guint timeout_id;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (HavenBundleUpdater, haven_bundle_updater, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void schedule_check (HavenBundleUpdater *self,
                            guint               seconds);

static char *
path_in_folder (HavenBundleUpdater *self,
                const char         *name)
{
  return g_build_filename (self->folder, name, NULL);
}

static GDateTime *
parse_time (const char *text)
{
  return text != NULL && text[0] != '\0' ? g_date_time_new_from_iso8601 (text, NULL) : NULL;
}

/* The version a link ("current" or "pending") points at, from the name of
 * its folder; 0 when there is none. */
static guint64
read_link_version (HavenBundleUpdater *self,
                   const char         *link_name)
{
  g_autofree char *link = path_in_folder (self, link_name);
  g_autofree char *target = g_file_read_link (link, NULL);
  guint64 version = 0;

  if (target == NULL || target[0] != 'v' ||
      !g_ascii_string_to_unsigned (target + 1, 10, 1, G_MAXINT64, &version, NULL))
    return 0;
  return version;
}

static void
load_state (HavenBundleUpdater *self)
{
  g_autoptr(GKeyFile) state = g_key_file_new ();
  g_autofree char *state_path = path_in_folder (self, "state.ini");
  g_autofree char *current = path_in_folder (self, "current");
  g_autofree char *last_checked = NULL;
  g_autofree char *last_error_at = NULL;

  g_clear_object (&self->manifest);
  if (read_link_version (self, "current") > 0)
    self->manifest = haven_bundle_manifest_load (current, NULL);
  self->pending_version = read_link_version (self, "pending");

  if (!g_key_file_load_from_file (state, state_path, G_KEY_FILE_NONE, NULL))
    return;
  g_free (self->etag);
  self->etag = g_key_file_get_string (state, "bundle", "etag", NULL);
  g_free (self->last_error);
  self->last_error = g_key_file_get_string (state, "bundle", "last-error", NULL);
  g_free (self->last_error_kind);
  self->last_error_kind = g_key_file_get_string (state, "bundle", "last-error-kind", NULL);
  last_checked = g_key_file_get_string (state, "bundle", "last-checked", NULL);
  last_error_at = g_key_file_get_string (state, "bundle", "last-error-at", NULL);
  g_clear_pointer (&self->last_checked, g_date_time_unref);
  self->last_checked = parse_time (last_checked);
  g_clear_pointer (&self->last_error_at, g_date_time_unref);
  self->last_error_at = parse_time (last_error_at);
}

static void
save_state (HavenBundleUpdater *self)
{
  g_autoptr(GKeyFile) state = g_key_file_new ();
  g_autofree char *state_path = path_in_folder (self, "state.ini");
  g_autoptr(GError) error = NULL;

  if (self->etag != NULL)
    g_key_file_set_string (state, "bundle", "etag", self->etag);
  if (self->last_checked != NULL)
    {
      g_autofree char *text = g_date_time_format_iso8601 (self->last_checked);

      g_key_file_set_string (state, "bundle", "last-checked", text);
    }
  if (self->last_error != NULL)
    {
      g_autofree char *text = g_date_time_format_iso8601 (self->last_error_at);

      g_key_file_set_string (state, "bundle", "last-error", self->last_error);
      g_key_file_set_string (state, "bundle", "last-error-kind", self->last_error_kind);
      g_key_file_set_string (state, "bundle", "last-error-at", text);
    }

  if (g_mkdir_with_parents (self->folder, 0700) != 0 ||
      !g_key_file_save_to_file (state, state_path, &error))
    g_warning ("The bundle's state cannot be saved in %s: %s", self->folder,
               error != NULL ? error->message : g_strerror (errno));
}

/* What went wrong, in one of a few words: haven-api-v1.md's kiosk status
 * report, "bundle". */
static const char *
describe_error_kind (const GError *error)
{
  if (error->domain == HAVEN_BUNDLE_ERROR)
    {
      switch ((HavenBundleError) error->code)
        {
        case HAVEN_BUNDLE_ERROR_SIGNATURE:
          return "signature";
        case HAVEN_BUNDLE_ERROR_TRUNCATED:
          return "truncated";
        case HAVEN_BUNDLE_ERROR_FORMAT:
          return "format";
        case HAVEN_BUNDLE_ERROR_DOWNGRADE:
        case HAVEN_BUNDLE_ERROR_SAME:
          return "older";
        case HAVEN_BUNDLE_ERROR_DIRECTORY:
          return "directory";
        case HAVEN_BUNDLE_ERROR_CONTENT:
          return "content";
        case HAVEN_BUNDLE_ERROR_KEY:
          return "key";
        case HAVEN_BUNDLE_ERROR_IO:
        default:
          return "disk";
        }
    }
  if (g_error_matches (error, HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_HTTP_STATUS))
    return "status";
  if (error->domain == HAVEN_BACKEND_ERROR)
    return "network";
  return "disk";
}

static void
set_last_error (HavenBundleUpdater *self,
                const GError       *error)
{
  const char *message = error != NULL ? error->message : NULL;

  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_free (self->last_error_kind);
  self->last_error_kind = error != NULL ? g_strdup (describe_error_kind (error)) : NULL;
  g_clear_pointer (&self->last_error_at, g_date_time_unref);
  if (message != NULL)
    {
      self->last_error_at = g_date_time_new_now_utc ();
      g_message ("Bundle: %s", message);
    }
}

static void
haven_bundle_updater_dispose (GObject *object)
{
  HavenBundleUpdater *self = HAVEN_BUNDLE_UPDATER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);

  G_OBJECT_CLASS (haven_bundle_updater_parent_class)->dispose (object);
}

static void
haven_bundle_updater_finalize (GObject *object)
{
  HavenBundleUpdater *self = HAVEN_BUNDLE_UPDATER (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->manifest);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_checked, g_date_time_unref);
  g_clear_pointer (&self->last_error_at, g_date_time_unref);
  g_free (self->folder);
  g_free (self->etag);
  g_free (self->last_error);
  g_free (self->last_error_kind);

  G_OBJECT_CLASS (haven_bundle_updater_parent_class)->finalize (object);
}

static void
haven_bundle_updater_class_init (HavenBundleUpdaterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haven_bundle_updater_dispose;
  object_class->finalize = haven_bundle_updater_finalize;

  /**
   * HavenBundleUpdater::changed:
   *
   * The bundle in use, the one waiting, or the last check changed.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
haven_bundle_updater_init (HavenBundleUpdater *self)
{
  self->cancellable = g_cancellable_new ();
}

/**
 * haven_bundle_updater_new:
 * @settings: the kiosk's settings
 *
 * Reads what a previous run left: the bundle in use, one waiting, and the
 * last check. Nothing is fetched before haven_bundle_updater_start() or
 * haven_bundle_updater_check_async().
 */
HavenBundleUpdater *
haven_bundle_updater_new (GSettings *settings)
{
  HavenBundleUpdater *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (HAVEN_TYPE_BUNDLE_UPDATER, NULL);
  self->settings = g_object_ref (settings);
  self->folder = haven_paths_dup_bundle_dir ();
  load_state (self);
  return self;
}

gboolean
haven_bundle_updater_get_enabled (HavenBundleUpdater *self)
{
  g_autofree char *public_key = NULL;

  g_return_val_if_fail (HAVEN_IS_BUNDLE_UPDATER (self), FALSE);

  public_key = g_settings_get_string (self->settings, "bundle-public-key");
  return public_key[0] != '\0';
}

/* Check: download, verify, unpack ------------------------------------- */

typedef struct {
  HavenBackend *backend;
  SoupMessage *message;
  GFile *download;
  GOutputStream *sink;
  guint8 public_key[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
  guint64 version_in_use;
  char *etag;
  HavenBundleManifest *manifest;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_clear_object (&data->backend);
  g_clear_object (&data->message);
  g_clear_object (&data->download);
  g_clear_object (&data->sink);
  g_clear_object (&data->manifest);
  g_free (data->etag);
  g_free (data);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* Points @link_name at @target ("v…") in one rename: a reader sees the old
 * link or the new one, never none. */
static gboolean
replace_link (HavenBundleUpdater  *self,
              const char          *link_name,
              const char          *target,
              GError             **error)
{
  g_autofree char *link = path_in_folder (self, link_name);
  g_autofree char *new_name = g_strconcat (link_name, ".new", NULL);
  g_autofree char *new_link = path_in_folder (self, new_name);

  g_unlink (new_link);
  if (symlink (target, new_link) != 0 || g_rename (new_link, link) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("The bundle cannot be put in place in %s: %s"), self->folder,
                   g_strerror (saved_errno));
      g_unlink (new_link);
      return FALSE;
    }
  return TRUE;
}

/* Removes every unpacked bundle but the ones in use and waiting, and what
 * an interrupted run left. */
static void
remove_unused (HavenBundleUpdater *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->folder, 0, NULL);
  guint64 in_use = read_link_version (self, "current");
  guint64 waiting = read_link_version (self, "pending");
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      guint64 version = 0;

      if (g_str_has_prefix (name, "v") &&
          g_ascii_string_to_unsigned (name + 1, 10, 1, G_MAXINT64, &version, NULL))
        {
          if (version == in_use || version == waiting)
            continue;
        }
      else if (g_str_has_prefix (name, "download-") && g_str_has_suffix (name, ".part"))
        {
          /* Left by a process that died mid-download; a day old, it is
           * no download under way (havenctl bundle fetch may run beside
           * the kiosk). */
          g_autofree char *download = path_in_folder (self, name);
          GStatBuf info;

          if (g_stat (download, &info) != 0 ||
              g_get_real_time () / G_USEC_PER_SEC - info.st_mtime < 24 * 60 * 60)
            continue;
        }
      else if (!g_str_has_prefix (name, ".partial-") && !g_str_has_prefix (name, "incoming-"))
        continue;

      path = path_in_folder (self, name);
      remove_tree (path);
    }
}

/* Verifies and unpacks @path as the pending bundle: the work of a check
 * once the file is here, and of haven_bundle_updater_stage_file(). Blocks;
 * touches only the folder, so it may run in a thread. */
static gboolean
stage (HavenBundleUpdater   *self,
       const char           *path,
       const guint8         *public_key,
       guint64               version_in_use,
       HavenBundleManifest **out_manifest,
       GError              **error)
{
  g_autoptr(HavenBundleManifest) manifest = NULL;
  g_autofree char *incoming = NULL;
  g_autofree char *version_name = NULL;
  g_autofree char *unpacked = NULL;

  if (g_mkdir_with_parents (self->folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("The bundle folder %s cannot be made: %s"), self->folder,
                   g_strerror (saved_errno));
      return FALSE;
    }

  incoming = g_strdup_printf ("%s/incoming-%08x", self->folder, g_random_int ());
  if (!haven_bundle_verify_and_unpack (path, public_key, version_in_use, incoming, &manifest,
                                       error))
    return FALSE;

  version_name = g_strdup_printf ("v%" G_GUINT64_FORMAT,
                                  haven_bundle_manifest_get_version (manifest));
  unpacked = path_in_folder (self, version_name);
  remove_tree (unpacked);
  if (g_rename (incoming, unpacked) != 0)
    {
      int saved_errno = errno;

      remove_tree (incoming);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("The bundle cannot be put in place in %s: %s"), self->folder,
                   g_strerror (saved_errno));
      return FALSE;
    }

  if (!replace_link (self, "pending", version_name, error))
    return FALSE;

  if (out_manifest != NULL)
    *out_manifest = g_steal_pointer (&manifest);
  return TRUE;
}

static void
unpack_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  HavenBundleUpdater *self = source_object;
  CheckData *data = task_data;
  g_autofree char *download = g_file_get_path (data->download);
  GError *error = NULL;
  gboolean ok;

  ok = stage (self, download, data->public_key, data->version_in_use, &data->manifest, &error);
  g_unlink (download);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
finish_check (HavenBundleUpdater *self,
              GTask              *task,
              HavenBundleCheck    outcome,
              GError             *error)
{
  g_clear_pointer (&self->last_checked, g_date_time_unref);
  self->last_checked = g_date_time_new_now_utc ();
  self->checking = FALSE;

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_last_error (self, error);
  else if (error == NULL)
    set_last_error (self, NULL);

  save_state (self);
  g_signal_emit (self, signals[CHANGED], 0);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, outcome);
}

static void
unpacked_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  HavenBundleUpdater *self = HAVEN_BUNDLE_UPDATER (object);
  g_autoptr(GTask) task = user_data;
  CheckData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* The same bundle again (its ETag lost, say) is no news. */
      if (g_error_matches (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_SAME))
        {
          g_clear_error (&error);
          g_free (self->etag);
          self->etag = g_steal_pointer (&data->etag);
          finish_check (self, task, HAVEN_BUNDLE_CHECK_UNCHANGED, NULL);
          return;
        }
      finish_check (self, task, HAVEN_BUNDLE_CHECK_UNCHANGED, error);
      return;
    }

  self->pending_version = haven_bundle_manifest_get_version (data->manifest);
  g_free (self->etag);
  self->etag = g_steal_pointer (&data->etag);
  remove_unused (self);
  finish_check (self, task, HAVEN_BUNDLE_CHECK_STAGED, NULL);
}

static void
downloaded_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HavenBundleUpdater *self = g_task_get_source_object (task);
  CheckData *data = g_task_get_task_data (task);
  GError *error = NULL;
  guint status;
  g_autoptr(GTask) unpack = NULL;

  if (!haven_backend_download_finish (HAVEN_BACKEND (object), result, &error) ||
      !g_output_stream_close (data->sink, NULL, &error))
    {
      g_file_delete (data->download, NULL, NULL);
      finish_check (self, task, HAVEN_BUNDLE_CHECK_UNCHANGED, error);
      return;
    }

  status = soup_message_get_status (data->message);
  if (status == SOUP_STATUS_NOT_MODIFIED)
    {
      g_file_delete (data->download, NULL, NULL);
      finish_check (self, task, HAVEN_BUNDLE_CHECK_UNCHANGED, NULL);
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      g_file_delete (data->download, NULL, NULL);
      if (status == SOUP_STATUS_NOT_FOUND)
        error = g_error_new (HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_HTTP_STATUS,
                             _("The backend publishes no bundle (it answered 404 to "
                               "/v1/bundle)"));
      else
        error = g_error_new (HAVEN_BACKEND_ERROR, HAVEN_BACKEND_ERROR_HTTP_STATUS,
                             _("The backend answered %u to /v1/bundle"), status);
      finish_check (self, task, HAVEN_BUNDLE_CHECK_UNCHANGED, error);
      return;
    }

  data->etag = g_strdup (soup_message_headers_get_one (
    soup_message_get_response_headers (data->message), "ETag"));

  /* Verifying reads the whole file, and unpacking writes it again: off
   * the main loop. */
  unpack = g_task_new (self, g_task_get_cancellable (task), unpacked_cb,
                       g_object_ref (task));
  g_task_set_task_data (unpack, data, NULL);
  g_task_run_in_thread (unpack, unpack_thread);
}

/**
 * haven_bundle_updater_check_async:
 *
 * Asks the backend for a newer bundle and, when there is one, verifies
 * and unpacks it as the pending one. The bundle in use does not change.
 * One check at a time: a second while one runs fails with
 * %G_IO_ERROR_PENDING.
 */
void
haven_bundle_updater_check_async (HavenBundleUpdater  *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GFileOutputStream) sink = NULL;
  g_autofree char *public_key = NULL;
  g_autofree char *download = NULL;
  g_autofree char *download_name = NULL;
  GError *error = NULL;
  CheckData *data;

  g_return_if_fail (HAVEN_IS_BUNDLE_UPDATER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_bundle_updater_check_async);

  if (self->checking)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The bundle is being checked already"));
      return;
    }
  self->checking = TRUE;

  data = g_new0 (CheckData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);

  public_key = g_settings_get_string (self->settings, "bundle-public-key");
  if (public_key[0] == '\0')
    {
      error = g_error_new (HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_KEY,
                           _("No bundle can be taken: the setting bundle-public-key is empty"));
      finish_check (self, task, HAVEN_BUNDLE_CHECK_UNCHANGED, error);
      return;
    }
  if (!haven_bundle_decode_public_key (public_key, data->public_key, &error))
    {
      finish_check (self, task, HAVEN_BUNDLE_CHECK_UNCHANGED, error);
      return;
    }

  data->backend = haven_backend_new_from_settings (self->settings, &error);
  if (data->backend == NULL)
    {
      finish_check (self, task, HAVEN_BUNDLE_CHECK_UNCHANGED, error);
      return;
    }

  if (g_mkdir_with_parents (self->folder, 0700) != 0)
    {
      int saved_errno = errno;

      error = g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                           _("The bundle folder %s cannot be made: %s"), self->folder,
                           g_strerror (saved_errno));
      finish_check (self, task, HAVEN_BUNDLE_CHECK_UNCHANGED, error);
      return;
    }

  /* The process's own: havenctl bundle fetch may run beside the kiosk. */
  download_name = g_strdup_printf ("download-%d.part", (int) getpid ());
  download = path_in_folder (self, download_name);
  data->download = g_file_new_for_path (download);
  sink = g_file_replace (data->download, NULL, FALSE, G_FILE_CREATE_PRIVATE, cancellable,
                         &error);
  if (sink == NULL)
    {
      finish_check (self, task, HAVEN_BUNDLE_CHECK_UNCHANGED, error);
      return;
    }
  data->sink = G_OUTPUT_STREAM (g_steal_pointer (&sink));

  /* Newer than both the one in use and the one waiting, or nothing. */
  data->version_in_use = MAX (haven_bundle_updater_get_version (self), self->pending_version);

  data->message = haven_backend_new_message (data->backend, SOUP_METHOD_GET, "/v1/bundle");
  if (self->etag != NULL && data->version_in_use > 0)
    soup_message_headers_replace (soup_message_get_request_headers (data->message),
                                  "If-None-Match", self->etag);

  g_signal_emit (self, signals[CHANGED], 0);
  haven_backend_download_async (data->backend, data->message, data->sink, MAX_BUNDLE_BYTES,
                                cancellable, downloaded_cb, g_steal_pointer (&task));
}

/**
 * haven_bundle_updater_check_finish:
 * @outcome: (out) (optional): whether a new bundle now waits
 *
 * Returns: %FALSE with @error set when the check failed; the bundle in
 *   use is kept, and the error is also the last error
 */
gboolean
haven_bundle_updater_check_finish (HavenBundleUpdater  *self,
                                   GAsyncResult        *result,
                                   HavenBundleCheck    *outcome,
                                   GError             **error)
{
  gssize value;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  value = g_task_propagate_int (G_TASK (result), error);
  if (value < 0)
    return FALSE;
  if (outcome != NULL)
    *outcome = (HavenBundleCheck) value;
  return TRUE;
}

/**
 * haven_bundle_updater_install_pending:
 *
 * Makes the pending bundle the one in use. Call it only between two
 * visits: the next one reads its directory and content
 * (haven_paths_dup_bundle_file()).
 *
 * Returns: %TRUE when a bundle was switched to; %FALSE when none waited,
 *   or with @error set when it could not be
 */
gboolean
haven_bundle_updater_install_pending (HavenBundleUpdater  *self,
                                      GError             **error)
{
  g_autofree char *pending = NULL;
  g_autofree char *target = NULL;
  g_autofree char *current = NULL;
  HavenBundleManifest *manifest;

  g_return_val_if_fail (HAVEN_IS_BUNDLE_UPDATER (self), FALSE);

  pending = path_in_folder (self, "pending");
  target = g_file_read_link (pending, NULL);
  if (target == NULL)
    return FALSE;

  current = path_in_folder (self, target);
  manifest = haven_bundle_manifest_load (current, error);
  if (manifest == NULL)
    {
      g_unlink (pending);
      self->pending_version = 0;
      return FALSE;
    }

  if (!replace_link (self, "current", target, error))
    {
      g_object_unref (manifest);
      return FALSE;
    }
  g_unlink (pending);

  g_clear_object (&self->manifest);
  self->manifest = manifest;
  self->pending_version = 0;
  g_message ("Bundle %" G_GUINT64_FORMAT " is now in use",
             haven_bundle_manifest_get_version (manifest));
  remove_unused (self);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

/**
 * haven_bundle_updater_stage_file:
 * @path: a bundle file, from a USB stick, say, for a kiosk offline
 *
 * Verifies and unpacks @path as the pending bundle, as a check does with
 * what it downloads. Blocks while it reads the file.
 *
 * Returns: %FALSE with @error set when it is refused; the bundle in use
 *   is kept, and the error is the last error
 */
gboolean
haven_bundle_updater_stage_file (HavenBundleUpdater  *self,
                                 const char          *path,
                                 GError             **error)
{
  g_autofree char *public_text = NULL;
  g_autoptr(HavenBundleManifest) manifest = NULL;
  g_autoptr(GError) local_error = NULL;
  guint8 public_key[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
  guint64 version_in_use;

  g_return_val_if_fail (HAVEN_IS_BUNDLE_UPDATER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  public_text = g_settings_get_string (self->settings, "bundle-public-key");
  if (public_text[0] == '\0')
    {
      g_set_error (error, HAVEN_BUNDLE_ERROR, HAVEN_BUNDLE_ERROR_KEY,
                   _("No bundle can be taken: the setting bundle-public-key is empty"));
      return FALSE;
    }
  if (!haven_bundle_decode_public_key (public_text, public_key, error))
    return FALSE;

  version_in_use = MAX (haven_bundle_updater_get_version (self), self->pending_version);
  if (!stage (self, path, public_key, version_in_use, &manifest, &local_error))
    {
      /* Kept, as a check's failure is, for the operator and the report. */
      set_last_error (self, local_error);
      save_state (self);
      g_signal_emit (self, signals[CHANGED], 0);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  self->pending_version = haven_bundle_manifest_get_version (manifest);
  set_last_error (self, NULL);
  save_state (self);
  remove_unused (self);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

/* The schedule ---------------------------------------------------------- */

static void
scheduled_check_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  HavenBundleUpdater *self = HAVEN_BUNDLE_UPDATER (object);
  guint interval = g_settings_get_uint (self->settings, "bundle-check-interval");

  haven_bundle_updater_check_finish (self, result, NULL, NULL);
  if (interval > 0)
    {
      guint seconds = MAX (interval, MIN_INTERVAL_MINUTES) * 60;

      /* Up to a tenth more, so that a fleet spreads its checks. */
      schedule_check (self, seconds + g_random_int_range (0, seconds / 10 + 1));
    }
}

static gboolean
check_due_cb (gpointer user_data)
{
  HavenBundleUpdater *self = user_data;

  self->timeout_id = 0;
  if (!haven_bundle_updater_get_enabled (self))
    return G_SOURCE_REMOVE;
  /* The operator's check is under way: the schedule goes on after it. */
  if (self->checking)
    {
      schedule_check (self, FIRST_CHECK_JITTER_SECONDS);
      return G_SOURCE_REMOVE;
    }

  haven_bundle_updater_check_async (self, self->cancellable, scheduled_check_cb, NULL);
  return G_SOURCE_REMOVE;
}

static void
schedule_check (HavenBundleUpdater *self,
                guint               seconds)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->timeout_id = g_timeout_add_seconds (seconds, check_due_cb, self);
}

static void
settings_changed_cb (HavenBundleUpdater *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (haven_bundle_updater_get_enabled (self) &&
      g_settings_get_uint (self->settings, "bundle-check-interval") > 0)
    schedule_check (self, FIRST_CHECK_SECONDS +
                          g_random_int_range (0, FIRST_CHECK_JITTER_SECONDS));
  g_signal_emit (self, signals[CHANGED], 0);
}

/**
 * haven_bundle_updater_start:
 *
 * Checks soon, then every bundle-check-interval, for as long as the
 * updater lives; the settings are followed as they change.
 */
void
haven_bundle_updater_start (HavenBundleUpdater *self)
{
  g_return_if_fail (HAVEN_IS_BUNDLE_UPDATER (self));

  g_signal_connect_object (self->settings, "changed::bundle-public-key",
                           G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::bundle-check-interval",
                           G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  settings_changed_cb (self);
}

gboolean
haven_bundle_updater_get_checking (HavenBundleUpdater *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_UPDATER (self), FALSE);
  return self->checking;
}

/**
 * haven_bundle_updater_get_manifest:
 *
 * Returns: (transfer none) (nullable): the bundle in use
 */
HavenBundleManifest *
haven_bundle_updater_get_manifest (HavenBundleUpdater *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_UPDATER (self), NULL);
  return self->manifest;
}

/**
 * haven_bundle_updater_get_version:
 *
 * Returns: the version of the bundle in use, 0 when none is
 */
guint64
haven_bundle_updater_get_version (HavenBundleUpdater *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_UPDATER (self), 0);
  return self->manifest != NULL ? haven_bundle_manifest_get_version (self->manifest) : 0;
}

/**
 * haven_bundle_updater_get_pending_version:
 *
 * Returns: the version of the bundle waiting for the end of a visit, 0
 *   when none is
 */
guint64
haven_bundle_updater_get_pending_version (HavenBundleUpdater *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_UPDATER (self), 0);
  return self->pending_version;
}

GDateTime *
haven_bundle_updater_get_last_checked (HavenBundleUpdater *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_UPDATER (self), NULL);
  return self->last_checked;
}

/**
 * haven_bundle_updater_get_last_error:
 *
 * Returns: (nullable): why the last check failed; %NULL when it did not
 */
const char *
haven_bundle_updater_get_last_error (HavenBundleUpdater *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_UPDATER (self), NULL);
  return self->last_error;
}

/**
 * haven_bundle_updater_get_last_error_kind:
 *
 * Returns: (nullable): why the last check failed, as a word the status
 *   report carries ("signature", "truncated", "older", "network", …)
 */
const char *
haven_bundle_updater_get_last_error_kind (HavenBundleUpdater *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_UPDATER (self), NULL);
  return self->last_error_kind;
}

GDateTime *
haven_bundle_updater_get_last_error_at (HavenBundleUpdater *self)
{
  g_return_val_if_fail (HAVEN_IS_BUNDLE_UPDATER (self), NULL);
  return self->last_error_at;
}
