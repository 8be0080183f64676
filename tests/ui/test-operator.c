/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include <glib/gstdio.h>
#include <string.h>

#include <sqlite3.h>

#include "haven-bundle.h"
#include "haven-bundle-updater.h"
#include "haven-operator-screen.h"
#include "haven-paths.h"
#include "haven-outbox.h"
#include "haven-request.h"
#include "haven-sealed-box.h"
#include "test-directory-fixture.h"
#include "test-files.h"
#include "visit-driver.h"

/* The operator's screen: behind the PIN, locked after five wrong ones,
 * only from the welcome page, and showing the outbox without anything a
 * visitor wrote. */

#define MARKER "marker-operator-7qk2"

static char *work_dir;
static gint64 fake_now;

static gint64
fake_clock (void)
{
  return fake_now;
}

static GtkWidget *
operator_screen (Fixture *fixture)
{
  return haven_window_get_operator_screen (fixture->window);
}

static void
open_operator_screen (Fixture *fixture)
{
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "visit.operator", NULL);
  iterate ();
  g_assert_nonnull (operator_screen (fixture));
}

static gboolean
pin_settled (HavenWindow *window)
{
  GtkWidget *screen = haven_window_get_operator_screen (window);
  GtkWidget *unlock = find_widget (screen, has_name, "unlock");

  return gtk_widget_get_sensitive (unlock);
}

static void
enter_pin (Fixture    *fixture,
           const char *pin)
{
  GtkWidget *entry = find_widget (operator_screen (fixture), has_name, "pin");

  gtk_editable_set_text (GTK_EDITABLE (entry), pin);
  g_signal_emit_by_name (find_widget (operator_screen (fixture), has_name, "unlock"), "clicked");
  g_assert_true (iterate_until (pin_settled, fixture->window, 10));
  iterate ();
}

static void
assert_screen_says (Fixture    *fixture,
                    const char *text)
{
  if (find_widget (operator_screen (fixture), label_contains, text) == NULL)
    g_error ("The operator screen does not say “%s”", text);
}

static void
set_pin (Fixture    *fixture,
         const char *pin)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = haven_operator_pin_hash (pin, &error);

  g_assert_no_error (error);
  g_settings_set_string (fixture->settings, "operator-pin-hash", hash);
}

static void
reset_settings (Fixture *fixture)
{
  const char *keys[] = {
    "operator-pin-hash", "operator-pin-lockout", "outbox-file", "kiosk-mode",
    "backend-public-key", "allow-unsealed-outbox",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (fixture->settings, keys[i]);
}

static void
test_no_pin_no_way_in (Fixture       *fixture,
                       gconstpointer  user_data)
{
  open_operator_screen (fixture);
  enter_pin (fixture, "246813");

  assert_screen_says (fixture, "No operator PIN is set");
  g_assert_false (haven_operator_screen_is_unlocked (HAVEN_OPERATOR_SCREEN (operator_screen (fixture))));

  /* Back to the welcome page. */
  g_signal_emit_by_name (find_widget (operator_screen (fixture), has_name, "cancel"), "clicked");
  iterate ();
  g_assert_null (operator_screen (fixture));
}

static void
test_five_wrong_pins_lock (Fixture       *fixture,
                           gconstpointer  user_data)
{
  fake_now = G_USEC_PER_SEC;
  haven_pin_guard_set_clock (haven_window_get_pin_guard (fixture->window), fake_clock);
  set_pin (fixture, "246813");
  open_operator_screen (fixture);

  for (int i = 0; i < 4; i++)
    enter_pin (fixture, "1357");
  assert_screen_says (fixture, "Wrong PIN: 1 more try before the screen locks");
  enter_pin (fixture, "1357");
  assert_screen_says (fixture, "Too many wrong PINs");

  /* Closing and opening again does not reset the count. */
  g_signal_emit_by_name (find_widget (operator_screen (fixture), has_name, "cancel"), "clicked");
  iterate ();
  open_operator_screen (fixture);
  enter_pin (fixture, "246813");
  assert_screen_says (fixture, "Locked after too many wrong PINs");
  g_assert_false (haven_operator_screen_is_unlocked (HAVEN_OPERATOR_SCREEN (operator_screen (fixture))));

  /* Nor does restarting Haven: a new guard on the same settings. */
  {
    g_autoptr(HavenPinGuard) after_restart = haven_pin_guard_new (fixture->settings);

    haven_pin_guard_set_clock (after_restart, fake_clock);
    g_assert_cmpuint (haven_pin_guard_get_seconds_locked (after_restart), ==,
                      HAVEN_OPERATOR_PIN_LOCK_SECONDS);
  }

  fake_now += (HAVEN_OPERATOR_PIN_LOCK_SECONDS + 1) * G_USEC_PER_SEC;
  enter_pin (fixture, "246813");
  g_assert_true (haven_operator_screen_is_unlocked (HAVEN_OPERATOR_SCREEN (operator_screen (fixture))));

  haven_pin_guard_set_clock (haven_window_get_pin_guard (fixture->window), NULL);
  reset_settings (fixture);
}

/* Sets a new backend-public-key in the settings, as an operator would. */
static char *
set_sealing_key (Fixture *fixture)
{
  guint8 public_key[HAVEN_SEALED_BOX_KEY_BYTES];
  guint8 secret_key[HAVEN_SEALED_BOX_KEY_BYTES];
  char *encoded;

  haven_sealed_box_generate_key_pair (public_key, secret_key);
  encoded = haven_sealed_box_encode_key (public_key);
  g_settings_set_string (fixture->settings, "backend-public-key", encoded);
  return encoded;
}

/* The panel counts what is queued and why, without a word of it. */
static void
test_panel_shows_outbox_not_content (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *outbox_path = g_build_filename (work_dir, "operator-outbox.db", NULL);
  g_autoptr(HavenOutbox) outbox = NULL;
  g_autoptr(HavenOutboxEntry) claimed = NULL;
  g_autofree char *key = set_sealing_key (fixture);

  /* Three requests visitors left, with their words in them, sealed as a
   * kiosk seals them; the backend refused the first for good. */
  outbox = haven_outbox_new (outbox_path, &error);
  g_assert_no_error (error);
  g_assert_true (haven_outbox_set_public_key (outbox, key, &error));
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(HavenRequest) request = haven_request_new (HAVEN_REQUEST_KIND_REMOVAL);

      haven_request_set_category (request, "intimate-images");
      haven_request_add_item (request, "https://example.social/p/1", NULL, MARKER);
      haven_request_set_reporter_role (request, "self");
      haven_request_set_declaration_accurate (request, TRUE);
      haven_request_set_declaration_authorised (request, TRUE);
      haven_request_confirm (request, "kiosk-1", "en");
      g_assert_true (haven_outbox_enqueue_request (outbox, request, &error));
      g_assert_no_error (error);
    }
  claimed = haven_outbox_claim_next (outbox, G_MAXINT64, &error);
  g_assert_true (haven_outbox_record_failed (outbox, claimed->request_id, 400,
                                             "The backend refused the request as invalid "
                                             "(HTTP 400): items[0].url: must be https", NULL,
                                             &error));
  g_assert_no_error (error);
  g_clear_object (&outbox);

  g_settings_set_string (fixture->settings, "outbox-file", outbox_path);
  g_settings_set_boolean (fixture->settings, "kiosk-mode", TRUE);
  set_pin (fixture, "246813");
  open_operator_screen (fixture);
  enter_pin (fixture, "246813");
  g_assert_true (haven_operator_screen_is_unlocked (HAVEN_OPERATOR_SCREEN (operator_screen (fixture))));

  assert_screen_says (fixture, "Waiting: 2");
  assert_screen_says (fixture, "Failed, kept for staff: 1");
  assert_screen_says (fixture, "kept as it was stored for 30 days after it failed, then wiped");
  assert_screen_says (fixture, "havenctl outbox export-failed");
  assert_screen_says (fixture, "items[0].url: must be https");
  assert_screen_says (fixture, "Sealed for the backend");
  assert_screen_says (fixture, "Version ");
  /* Kiosk mode turned GTK's Inspector key bindings off. */
  assert_screen_says (fixture, "Inspector: off");
  assert_text_nowhere (GTK_WIDGET (fixture->window), MARKER);

  /* Leaving kiosk mode is the operator's. */
  g_signal_emit_by_name (find_widget (operator_screen (fixture), has_name, "leave-kiosk-mode"), "clicked");
  iterate ();
  g_assert_false (g_settings_get_boolean (fixture->settings, "kiosk-mode"));

  g_signal_emit_by_name (find_widget (operator_screen (fixture), has_name, "close"), "clicked");
  iterate ();
  g_assert_null (operator_screen (fixture));
  g_assert_true (HAVEN_IS_WELCOME_PAGE (haven_window_get_current_page (fixture->window)));

  reset_settings (fixture);
  g_unlink (outbox_path);
}

/* The label the operator reads for each way the sealing settings can be. */
static const char *
sealing_label (Fixture *fixture)
{
  GtkWidget *label = find_widget (operator_screen (fixture), has_name, "sealing");

  g_assert_nonnull (label);
  g_assert_true (gtk_widget_get_visible (label));
  return gtk_label_get_label (GTK_LABEL (label));
}

static void
show_sealing_with (Fixture    *fixture,
                   const char *public_key,
                   gboolean    allow_unsealed)
{
  if (operator_screen (fixture) != NULL)
    {
      g_signal_emit_by_name (find_widget (operator_screen (fixture), has_name, "close"),
                             "clicked");
      iterate ();
    }
  g_settings_set_string (fixture->settings, "backend-public-key", public_key);
  g_settings_set_boolean (fixture->settings, "allow-unsealed-outbox", allow_unsealed);
  open_operator_screen (fixture);
  enter_pin (fixture, "246813");
}

static void
test_sealing_shown (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *outbox_path = g_build_filename (work_dir, "sealing-outbox.db", NULL);
  g_autofree char *key = NULL;

  g_settings_set_string (fixture->settings, "outbox-file", outbox_path);
  set_pin (fixture, "246813");

  /* As a kiosk is by default. */
  show_sealing_with (fixture, "", FALSE);
  g_assert_cmpstr (sealing_label (fixture), ==,
                   "NOT sealed: requests are refused until a backend key is set "
                   "(backend-public-key)");

  show_sealing_with (fixture, "", TRUE);
  g_assert_true (g_str_has_prefix (sealing_label (fixture), "Not sealed: allowed by setting"));

  show_sealing_with (fixture, "c2hvcnQ=", TRUE);
  g_assert_true (g_str_has_prefix (sealing_label (fixture),
                                   "NOT sealed: the backend-public-key setting is not usable"));

  key = set_sealing_key (fixture);
  show_sealing_with (fixture, key, FALSE);
  g_assert_cmpstr (sealing_label (fixture), ==, "Sealed for the backend");

  reset_settings (fixture);
  g_unlink (outbox_path);
}

/* Never over a visit: a visitor's page stays theirs. */
static void
test_only_from_the_welcome_page (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  set_pin (fixture, "246813");
  start_visit (fixture->window, "en");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "visit.operator", NULL);
  iterate ();
  g_assert_null (operator_screen (fixture));

  /* Leave now closes it too. */
  click (fixture->window, "visit.leave-now");
  open_operator_screen (fixture);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "visit.leave-now", NULL);
  iterate ();
  g_assert_null (operator_screen (fixture));

  reset_settings (fixture);
}

/* A settings backend where the administrator locked some keys, as dconf
 * does with a locks file: the rest of it is a memory backend's. */
typedef struct {
  GSettingsBackend parent_instance;
  GSettingsBackend *memory;
} LockingBackend;

typedef GSettingsBackendClass LockingBackendClass;

static GType locking_backend_get_type (void);
G_DEFINE_TYPE (LockingBackend, locking_backend, G_TYPE_SETTINGS_BACKEND)

static const char * const locked_keys[] = {
  "/io/github/havenkiosk/Haven/kiosk-mode", "/io/github/havenkiosk/Haven/backend-url", NULL
};

static GVariant *
locking_read (GSettingsBackend   *backend,
              const char         *key,
              const GVariantType *expected_type,
              gboolean            default_value)
{
  return G_SETTINGS_BACKEND_GET_CLASS (((LockingBackend *) backend)->memory)->read (
    ((LockingBackend *) backend)->memory, key, expected_type, default_value);
}

static gboolean
locking_get_writable (GSettingsBackend *backend,
                      const char       *key)
{
  return !g_strv_contains (locked_keys, key);
}

static gboolean
locking_write (GSettingsBackend *backend,
               const char       *key,
               GVariant         *value,
               gpointer          origin_tag)
{
  LockingBackend *self = (LockingBackend *) backend;

  if (!locking_get_writable (backend, key))
    return FALSE;

  if (!G_SETTINGS_BACKEND_GET_CLASS (self->memory)->write (self->memory, key, value, origin_tag))
    return FALSE;
  g_settings_backend_changed (backend, key, origin_tag);
  return TRUE;
}

static void
locking_finalize (GObject *object)
{
  g_object_unref (((LockingBackend *) object)->memory);

  G_OBJECT_CLASS (locking_backend_parent_class)->finalize (object);
}

static void
locking_backend_class_init (LockingBackendClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = locking_finalize;
  klass->read = locking_read;
  klass->write = locking_write;
  klass->get_writable = locking_get_writable;
}

static void
locking_backend_init (LockingBackend *self)
{
  self->memory = g_memory_settings_backend_new ();
}

/* What the administrator locked shows as locked, and kiosk mode, when
 * locked, cannot be left from the screen. */
static void
test_locked_settings_shown (void)
{
  g_autoptr(GSettingsBackend) backend = g_object_new (locking_backend_get_type (), NULL);
  g_autoptr(GSettings) settings = g_settings_new_with_backend (APP_ID, backend);
  g_autoptr(HavenSender) sender = haven_sender_new (settings);
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = haven_operator_pin_hash ("246813", &error);
  HavenWindow *window;
  GtkWidget *screen;

  g_assert_no_error (error);
  g_assert_true (g_settings_set_string (settings, "operator-pin-hash", hash));
  g_assert_false (g_settings_is_writable (settings, "kiosk-mode"));

  window = g_object_ref (haven_window_new (NULL, settings, sender));
  gtk_window_present (GTK_WINDOW (window));
  iterate ();

  gtk_widget_activate_action (GTK_WIDGET (window), "visit.operator", NULL);
  iterate ();
  screen = haven_window_get_operator_screen (window);
  gtk_editable_set_text (GTK_EDITABLE (find_widget (screen, has_name, "pin")), "246813");
  g_signal_emit_by_name (find_widget (screen, has_name, "unlock"), "clicked");
  g_assert_true (iterate_until (pin_settled, window, 10));
  iterate ();

  g_assert_true (haven_operator_screen_is_unlocked (HAVEN_OPERATOR_SCREEN (screen)));
  g_assert_nonnull (find_widget (screen, label_contains, "backend-url, kiosk-mode"));
  g_assert_false (gtk_widget_get_sensitive (find_widget (screen, has_name, "leave-kiosk-mode")));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static char *
import_directory (const char *name)
{
  g_autofree char *database = g_build_filename (work_dir, name, NULL);

  return import_directory_fixture ("services.json", database);
}

static gboolean
bundle_checked (HavenWindow *window)
{
  HavenBundleUpdater *updater = haven_window_get_bundle_updater (window);

  return !haven_bundle_updater_get_checking (updater) &&
         haven_bundle_updater_get_last_error (updater) != NULL;
}

/* The organisation's bundle on the panel: the one in use, one that waits
 * while the screen is open and comes into use when it closes, and why the
 * last check failed. */
static void
test_bundle_shown (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *directory = import_directory ("bundle-directory.sqlite");
  g_autofree char *bundles = haven_paths_dup_bundle_dir ();
  g_autofree char *encoded = NULL;
  g_autoptr(HavenBundleUpdater) updater = NULL;
  g_autoptr(GError) error = NULL;
  guint8 public_key[HAVEN_BUNDLE_PUBLIC_KEY_BYTES];
  guint8 secret_key[HAVEN_BUNDLE_SECRET_KEY_BYTES];

  remove_tree (bundles);
  haven_bundle_generate_key_pair (public_key, secret_key);
  encoded = haven_bundle_encode_public_key (public_key);
  g_settings_set_string (fixture->settings, "bundle-public-key", encoded);
  updater = haven_bundle_updater_new (fixture->settings);
  for (guint64 version = 7; version <= 8; version++)
    {
      g_autofree char *name = g_strdup_printf ("%" G_GUINT64_FORMAT ".bundle", version);
      g_autofree char *path = g_build_filename (work_dir, name, NULL);

      g_assert_true (haven_bundle_write (directory, NULL, version, "Example Support Network",
                                         secret_key, path, &error));
      g_assert_no_error (error);
    }
  {
    g_autofree char *first = g_build_filename (work_dir, "7.bundle", NULL);

    g_assert_true (haven_bundle_updater_stage_file (updater, first, &error));
    g_assert_no_error (error);
  }
  haven_window_set_bundle_updater (fixture->window, updater);
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 7);

  set_pin (fixture, "246813");
  open_operator_screen (fixture);
  enter_pin (fixture, "246813");
  /* The version, date and publisher are isolated in the sentence. */
  assert_screen_says (fixture, "In use: bundle \u2066" "7\u2069 of ");
  assert_screen_says (fixture, "Example Support Network");
  assert_screen_says (fixture, "Made 0 days ago");
  g_assert_true (gtk_widget_get_sensitive (find_widget (operator_screen (fixture), has_name,
                                                        "check-bundle")));

  /* A newer one arrives while the screen is open: it waits. */
  {
    g_autofree char *second = g_build_filename (work_dir, "8.bundle", NULL);

    g_assert_true (haven_bundle_updater_stage_file (updater, second, &error));
    g_assert_no_error (error);
  }
  iterate ();
  assert_screen_says (fixture, "Bundle 8 is ready and comes into use when this screen closes");
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 7);

  /* A check that fails says why. The backend is not configured here. */
  g_signal_emit_by_name (find_widget (operator_screen (fixture), has_name, "check-bundle"),
                         "clicked");
  if (!iterate_until (bundle_checked, fixture->window, 10))
    g_error ("The bundle check the operator asked for did not end within 10 s");
  iterate ();
  assert_screen_says (fixture, "The last check failed: No backend is configured");

  /* Closed: the waiting bundle comes into use on the welcome page. */
  g_signal_emit_by_name (find_widget (operator_screen (fixture), has_name, "cancel"), "clicked");
  iterate ();
  g_assert_null (operator_screen (fixture));
  g_assert_cmpuint (haven_bundle_updater_get_version (updater), ==, 8);

  haven_window_set_bundle_updater (fixture->window, NULL);
  g_settings_reset (fixture->settings, "bundle-public-key");
  remove_tree (bundles);
  reset_settings (fixture);
}

/* A directory older than directory-max-age is out of date, for the
 * operator. */
static void
test_directory_out_of_date (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autofree char *directory = import_directory ("old-directory.sqlite");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, -20);
  g_autofree char *then_text = g_date_time_format_iso8601 (then);
  g_autofree char *sql = g_strdup_printf ("UPDATE meta SET value = '%s' WHERE key = 'imported_at'",
                                          then_text);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (directory, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_settings_set_string (fixture->settings, "directory-file", directory);
  g_settings_set_uint (fixture->settings, "directory-max-age", 14);

  set_pin (fixture, "246813");
  open_operator_screen (fixture);
  enter_pin (fixture, "246813");
  assert_screen_says (fixture, "Out of date: made 20 days ago, and the setting "
                               "directory-max-age allows 14 days");
  assert_screen_says (fixture, "Off: the directory and content come from this kiosk’s settings");

  g_settings_reset (fixture->settings, "directory-file");
  g_settings_reset (fixture->settings, "directory-max-age");
  reset_settings (fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int result;

  visit_driver_init (&argc, &argv);
  work_dir = g_dir_make_tmp ("haven-operator-XXXXXX", &error);
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add ("/haven/operator/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("no-pin-no-way-in", test_no_pin_no_way_in);
  ADD ("five-wrong-pins-lock", test_five_wrong_pins_lock);
  ADD ("panel-shows-outbox-not-content", test_panel_shows_outbox_not_content);
  ADD ("only-from-the-welcome-page", test_only_from_the_welcome_page);
  ADD ("sealing-shown", test_sealing_shown);
  ADD ("bundle-shown", test_bundle_shown);
  ADD ("directory-out-of-date", test_directory_out_of_date);

#undef ADD
  g_test_add_func ("/haven/operator/locked-settings-shown", test_locked_settings_shown);

  result = g_test_run ();
  remove_tree (work_dir);
  g_free (work_dir);
  return result;
}
